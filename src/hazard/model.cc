// The Gaussian plume and puff: checking a scenario, resolving its source and class, and the
// concentration at a point.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "hazard/hazard.h"

namespace cbrnhub::hazard {
namespace {

constexpr double kPi = std::numbers::pi;
// Briggs' and Pasquill-Gifford sigmas describe about 10-minute means (Turner 1970, ch. 3).
constexpr double kSigmaReferenceTimeS = 600;
// The 1/5 power law for averaging time is used from 3 minutes to 5 hours (Turner 1970, eq. 5.8
// gives it for 3 min to 3 h; beyond, meander no longer grows as fast): clamp to that range.
constexpr double kMinAveragingS = 180, kMaxAveragingS = 18000;
// The plume fills the mixed layer evenly when sigma_z exceeds 1.6 times its height (Turner 1970).
constexpr double kWellMixedRatio = 1.6;
// Image sources above and below for the ground and the lid: beyond 4 each side they add < 1e-6.
constexpr int kReflections = 4;
// Calm is outside a Gaussian model; above 50 m/s is not weather a table-top exercise plans for.
constexpr double kMaxWindMS = 50;
constexpr double kNegligibleExponent = 60;
constexpr double kPowerLawExponent = 1.0 / 7.0;  // neutral wind profile to read Turner's 10 m row

bool Finite(double v) { return std::isfinite(v); }

// `key`: the refusal's catalogue message ("hazard.invalid.<key>"), for the page.
Status Refused(const char* field, const char* message, const char* key, Status::MessageArgs args = {}) {
  return Status::Invalid(field, message).Says(std::string("hazard.invalid.") + key, std::move(args));
}

Status Positive(double v, const char* field, const char* message, const char* key) {
  return Finite(v) && v > 0 ? Status::Ok() : Refused(field, message, key);
}

// Sum of the Gaussian vertical terms with reflections at the ground and at the lid.
double VerticalTerm(double z, double h, double sigma_z, std::optional<double> lid) {
  double two_var = 2 * sigma_z * sigma_z;
  if (!lid) return std::exp(-(z - h) * (z - h) / two_var) + std::exp(-(z + h) * (z + h) / two_var);
  if (sigma_z > kWellMixedRatio * *lid) return sigma_z * std::sqrt(2 * kPi) / *lid;
  double sum = 0;
  for (int n = -kReflections; n <= kReflections; ++n) {
    double shift = 2 * n * *lid;
    sum += std::exp(-(z - h + shift) * (z - h + shift) / two_var) +
           std::exp(-(z + h + shift) * (z + h + shift) / two_var);
  }
  return sum;
}

// Vapour pressure at T by Clausius-Clapeyron through the boiling point (1 atm) and the 20 C value.
double VapourPressurePa(const Substance& s, double temperature_k) {
  constexpr double kAtmosphere = 101325, kTwentyC = 293.15;
  double span = 1.0 / s.boiling_point_k - 1.0 / kTwentyC;
  if (std::fabs(span) < 1e-9) return kAtmosphere;
  double slope = std::log(s.vapour_pressure_pa_20c / kAtmosphere) / span;
  return kAtmosphere * std::exp(slope * (1.0 / s.boiling_point_k - 1.0 / temperature_k));
}

}  // namespace

Result<double> PuddleEvaporationKgS(const Substance& substance, double area_m2, double wind_m_s,
                                    double temperature_k) {
  CBRN_RETURN_IF_ERROR(
      Positive(area_m2, "release.puddle_area_m2", "the puddle's area must be positive", "puddle_area"));
  CBRN_RETURN_IF_ERROR(
      Positive(wind_m_s, "met.wind_speed_m_s", "the wind speed must be above 0 m/s", "wind_positive"));
  CBRN_RETURN_IF_ERROR(
      Positive(temperature_k, "met.temperature_k", "the temperature must be positive", "temperature"));
  // A boiling pool is taken at its boiling point: 1 atm vapour pressure at T = Tb.
  double liquid_k = std::min(temperature_k, substance.boiling_point_k);
  double vapour_pa =
      liquid_k >= substance.boiling_point_k ? 101325.0 : VapourPressurePa(substance, liquid_k);
  // EPA (1999) eq. D-1: QR [lb/min] = 0.284 U^0.78 MW^(2/3) A [ft2] VP [mmHg] / (82.05 T).
  constexpr double kSquareFeetPerM2 = 10.7639, kPaPerMmHg = 133.322, kKgPerLb = 0.453592;
  double lb_per_min = 0.284 * std::pow(wind_m_s, 0.78) *
                      std::pow(substance.molecular_weight_g_mol, 2.0 / 3.0) * area_m2 *
                      kSquareFeetPerM2 * (vapour_pa / kPaPerMmHg) / (82.05 * liquid_k);
  return lb_per_min * kKgPerLb / 60.0;
}

Status Validate(const Scenario& s, const SubstanceTable& table) {
  if (!table.Find(s.substance_id)) return Refused("substance", "unknown substance", "unknown_substance");
  if (!Finite(s.latitude) || s.latitude < -90 || s.latitude > 90)
    return Refused("latitude", "the latitude must be between -90 and 90", "latitude");
  if (!Finite(s.longitude) || s.longitude < -180 || s.longitude > 180)
    return Refused("longitude", "the longitude must be between -180 and 180", "longitude");
  const Meteorology& m = s.met;
  CBRN_RETURN_IF_ERROR(
      Positive(m.wind_speed_m_s, "met.wind_speed_m_s", "the wind speed must be above 0 m/s", "wind_positive"));
  if (m.wind_speed_m_s > kMaxWindMS)
    return Refused("met.wind_speed_m_s", "the wind speed must be at most 50 m/s", "wind_max");
  if (!Finite(m.wind_from_deg) || m.wind_from_deg < 0 || m.wind_from_deg > 360)
    return Refused("met.wind_from_deg", "the wind direction must be 0 to 360 degrees", "wind_direction");
  CBRN_RETURN_IF_ERROR(Positive(m.wind_height_m, "met.wind_height_m",
                                "the wind's measuring height must be positive", "wind_height"));
  if (m.stability && (!Finite(*m.stability) || *m.stability < 0 || *m.stability > 5))
    return Refused("met.stability", "a Pasquill class A to F is required", "stability");
  if (m.monin_obukhov_length_m &&
      (!Finite(*m.monin_obukhov_length_m) || *m.monin_obukhov_length_m == 0))
    return Refused("met.monin_obukhov_length_m", "the Monin-Obukhov length must not be 0", "monin_obukhov");
  if (m.cloud_oktas < 0 || m.cloud_oktas > 8)
    return Refused("met.cloud_oktas", "cloud cover is 0 to 8 oktas", "cloud");
  if (!Finite(m.temperature_k) || m.temperature_k < 200 || m.temperature_k > 340)
    return Refused("met.temperature_k",
                           "the air temperature must be between -73 and 67 degrees C", "temperature");
  if (!Finite(m.pressure_pa) || m.pressure_pa < 50000 || m.pressure_pa > 110000)
    return Refused("met.pressure_pa", "the air pressure must be between 500 and 1100 hPa", "pressure");
  if (m.mixing_height_m)
    CBRN_RETURN_IF_ERROR(
        Positive(*m.mixing_height_m, "met.mixing_height_m", "the mixing height must be positive", "mixing_height"));
  if (m.sigma_theta_deg &&
      (!Finite(*m.sigma_theta_deg) || *m.sigma_theta_deg <= 0 || *m.sigma_theta_deg > 90))
    return Refused("met.sigma_theta_deg",
                           "sigma theta must be above 0 and at most 90 degrees", "sigma_theta");
  const Release& r = s.release;
  switch (r.kind) {
    case SourceKind::kContinuous:
      CBRN_RETURN_IF_ERROR(
          Positive(r.rate_kg_s, "release.rate_kg_s", "the release rate must be positive", "rate"));
      CBRN_RETURN_IF_ERROR(
          Positive(r.duration_s, "release.duration_s", "the release must last more than 0 s", "duration"));
      break;
    case SourceKind::kInstantaneous:
      CBRN_RETURN_IF_ERROR(
          Positive(r.mass_kg, "release.mass_kg", "the released mass must be positive", "mass"));
      break;
    case SourceKind::kPuddle:
      CBRN_RETURN_IF_ERROR(
          Positive(r.mass_kg, "release.mass_kg", "the spilled mass must be positive", "spilled_mass"));
      CBRN_RETURN_IF_ERROR(Positive(r.puddle_area_m2, "release.puddle_area_m2",
                                    "the puddle's area must be positive", "puddle_area"));
      break;
  }
  if (!Finite(r.height_m) || r.height_m < 0 || r.height_m > 500)
    return Refused("release.height_m", "the release height must be 0 to 500 m", "release_height");
  if (m.mixing_height_m && r.height_m >= *m.mixing_height_m)
    return Refused("release.height_m", "the release must be below the mixing height", "below_mixing_height");
  CBRN_RETURN_IF_ERROR(
      Positive(s.averaging_time_s, "averaging_time_s", "the averaging time must be positive", "averaging_time"));
  CBRN_RETURN_IF_ERROR(
      Positive(s.roughness_m, "roughness_m", "the roughness length must be positive", "roughness"));
  if (!Finite(s.receptor_height_m) || s.receptor_height_m < 0 || s.receptor_height_m > 500)
    return Refused("receptor_height_m", "the receptor height must be 0 to 500 m", "receptor_height");
  if (s.exposure_min <= 0 || s.exposure_min > 480)
    return Refused("exposure_min", "the exposure duration must be 1 to 480 minutes", "exposure");
  return Status::Ok();
}

Result<Model> Model::Make(const Scenario& scenario, const SubstanceTable& table) {
  CBRN_RETURN_IF_ERROR(Validate(scenario, table));
  Model model;
  model.scenario_ = scenario;
  model.substance_ = *table.Find(scenario.substance_id);
  const Meteorology& met = scenario.met;
  model.wind_speed_ = met.wind_speed_m_s;
  if (met.stability) {
    model.stability_ = *met.stability;
  } else if (met.monin_obukhov_length_m) {
    CBRN_ASSIGN_OR_RETURN(model.stability_,
                          GolderClass(*met.monin_obukhov_length_m, scenario.roughness_m));
  } else {
    double wind_10m = met.wind_speed_m_s * std::pow(10.0 / met.wind_height_m, kPowerLawExponent);
    CBRN_ASSIGN_OR_RETURN(model.stability_,
                          TurnerClass(wind_10m, met.daytime, met.insolation, met.cloud_oktas));
  }
  const Release& r = scenario.release;
  switch (r.kind) {
    case SourceKind::kContinuous:
      model.emission_kg_s_ = r.rate_kg_s;
      model.emission_duration_s_ = r.duration_s;
      break;
    case SourceKind::kInstantaneous:
      model.mass_kg_ = r.mass_kg;
      break;
    case SourceKind::kPuddle: {
      CBRN_ASSIGN_OR_RETURN(
          double rate, PuddleEvaporationKgS(model.substance_, r.puddle_area_m2, met.wind_speed_m_s,
                                            met.temperature_k));
      model.emission_kg_s_ = rate;
      model.emission_duration_s_ = r.mass_kg / rate;
      break;
    }
  }
  double averaging = std::clamp(scenario.averaging_time_s, kMinAveragingS, kMaxAveragingS);
  model.averaging_factor_ = std::pow(kSigmaReferenceTimeS / averaging, 0.2);
  model.thresholds_ =
      ChooseThresholds(model.substance_, scenario.exposure_min, met.temperature_k, met.pressure_pa);
  return model;
}

Sigmas Model::SigmasAt(double x_m) const {
  return DispersionSigmas(scenario_.terrain, stability_, x_m);
}

double Model::Concentration(double x_m, double y_m, double z_m) const {
  if (!(x_m > 0) || !Finite(y_m) || !Finite(z_m)) return 0;
  Sigmas s = SigmasAt(x_m);
  // A longer mean widens a plume by meander: sigma_y grows as t^0.2, the peak falls with it. A
  // puff is not widened: its mean over time is bounded by its dose below.
  double sigma_y = mass_kg_ > 0 ? s.y : s.y / averaging_factor_;
  // Beyond 11 sigma_y the Gaussian is below 1e-26 of the axis: nothing any threshold sees.
  double crosswind_exponent = y_m * y_m / (2 * sigma_y * sigma_y);
  if (crosswind_exponent > kNegligibleExponent) return 0;
  double crosswind = std::exp(-crosswind_exponent);
  double vertical =
      VerticalTerm(z_m, scenario_.release.height_m, s.z, scenario_.met.mixing_height_m);
  // Time-integrated concentration (dose, kg s/m3) for the whole release; the same for a puff of
  // mass M and for a plume of rate q over T with q T = M.
  double released_kg = mass_kg_ > 0 ? mass_kg_ : emission_kg_s_ * emission_duration_s_;
  double dose = released_kg / (2 * kPi * wind_speed_ * sigma_y * s.z) * crosswind * vertical;
  double peak;
  if (mass_kg_ > 0) {
    // Puff: the peak of a Gaussian of along-wind spread sigma_x = sigma_y passing at speed u.
    peak = dose * wind_speed_ / (std::sqrt(2 * kPi) * sigma_y);
  } else {
    // Plume of finite duration: the middle of the release passing, erf(uT / (2 sqrt2 sigma_x)).
    double steady = dose / emission_duration_s_;
    peak = steady * std::erf(wind_speed_ * emission_duration_s_ / (2 * std::sqrt(2.0) * sigma_y));
  }
  // A mean over the averaging time cannot exceed the peak, nor the dose spread over that time.
  double mean = std::min(peak, dose / scenario_.averaging_time_s);
  double mg_m3 = mean * 1e6;
  return Finite(mg_m3) && mg_m3 > 0 ? mg_m3 : 0;
}

double Model::CentrelineConcentration(double x_m) const {
  return Concentration(x_m, 0, scenario_.receptor_height_m);
}

}  // namespace cbrnhub::hazard
