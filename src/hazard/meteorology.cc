// Stability classes (Turner's table, Golder's curves) and the dispersion coefficient tables.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "hazard/hazard.h"

namespace cbrnhub::hazard {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;

// Turner (1970), Table 1, as class indices (A = 0, A-B = 0.5, ... F = 5). Rows: 10 m wind speed
// below 2, 2-3, 3-5, 5-6, 6 and above. Day columns: strong, moderate, slight insolation.
constexpr std::array<std::array<double, 3>, 5> kTurnerDay = {{
    {0.0, 0.5, 1.0},  // < 2 m/s: A, A-B, B
    {0.5, 1.0, 2.0},  // 2-3: A-B, B, C
    {1.0, 1.5, 2.0},  // 3-5: B, B-C, C
    {2.0, 2.5, 3.0},  // 5-6: C, C-D, D
    {2.0, 3.0, 3.0},  // > 6: C, D, D
}};
// Night columns: thinly overcast or >= 4/8 low cloud; <= 3/8 cloud. Turner leaves the < 2 m/s
// night row blank; we take the 2-3 m/s row (E, F), the most stable classes the table gives.
constexpr std::array<std::array<double, 2>, 5> kTurnerNight = {{
    {4.0, 5.0},
    {4.0, 5.0},
    {3.0, 4.0},
    {3.0, 3.0},
    {3.0, 3.0},
}};

int TurnerRow(double wind_m_s) {
  if (wind_m_s < 2) return 0;
  if (wind_m_s < 3) return 1;
  if (wind_m_s < 5) return 2;
  if (wind_m_s < 6) return 3;
  return 4;
}

// Golder (1972) curves as straight lines 1/L = a + b log10(z0), one per class A..F, in the form
// given by Seinfeld and Pandis (2006, Atmospheric Chemistry and Physics, 2nd ed., ch. 18).
constexpr std::array<std::array<double, 2>, 6> kGolderLines = {{
    {-0.096, 0.029},
    {-0.037, 0.029},
    {-0.002, 0.018},
    {0.0, 0.0},
    {0.004, -0.018},
    {0.035, -0.036},
}};

// sigma = a x (1 + b x)^c; one row per class. Briggs (1973) open country, as tabulated by
// Gifford (1976) and Hanna, Briggs and Hosker (1982, Handbook on Atmospheric Diffusion, ch. 4).
struct Power {
  double a, b, c;
};
struct ClassSigmas {
  Power y, z;
};
constexpr std::array<ClassSigmas, 6> kBriggsRural = {{
    {{0.22, 0.0001, -0.5}, {0.20, 0.0, 1.0}},
    {{0.16, 0.0001, -0.5}, {0.12, 0.0, 1.0}},
    {{0.11, 0.0001, -0.5}, {0.08, 0.0002, -0.5}},
    {{0.08, 0.0001, -0.5}, {0.06, 0.0015, -0.5}},
    {{0.06, 0.0001, -0.5}, {0.03, 0.0003, -1.0}},
    {{0.04, 0.0001, -0.5}, {0.016, 0.0003, -1.0}},
}};
// McElroy and Pooler (1968) St Louis data as fitted by Briggs (1973), same source tables (urban
// rows): A and B share a row, as do E and F.
constexpr std::array<ClassSigmas, 6> kBriggsUrban = {{
    {{0.32, 0.0004, -0.5}, {0.24, 0.001, 0.5}},
    {{0.32, 0.0004, -0.5}, {0.24, 0.001, 0.5}},
    {{0.22, 0.0004, -0.5}, {0.20, 0.0, 1.0}},
    {{0.16, 0.0004, -0.5}, {0.14, 0.0003, -0.5}},
    {{0.11, 0.0004, -0.5}, {0.08, 0.0015, -0.5}},
    {{0.11, 0.0004, -0.5}, {0.08, 0.0015, -0.5}},
}};

double Evaluate(const Power& p, double x) {
  // The tables only use these exponents; sqrt and division are several times faster than pow,
  // which matters for a 500 x 500 grid.
  double base = 1 + p.b * x;
  if (p.c == 1.0) return p.a * x;
  if (p.c == -0.5) return p.a * x / std::sqrt(base);
  if (p.c == 0.5) return p.a * x * std::sqrt(base);
  if (p.c == -1.0) return p.a * x / base;
  return p.a * x * std::pow(base, p.c);
}

constexpr std::array<const char*, 6> kClassLetters = {"A", "B", "C", "D", "E", "F"};

}  // namespace

Result<StabilityIndex> ParseStabilityClass(std::string_view text) {
  for (int i = 0; i < 6; ++i) {
    if (text == kClassLetters[i]) return static_cast<double>(i);
    if (i < 5 && text == std::string(kClassLetters[i]) + "-" + kClassLetters[i + 1]) return i + 0.5;
  }
  return Status::Invalid("stability",
                         "a Pasquill class A to F (or a half class such as C-D) is required")
      .Says("hazard.invalid.stability");
}

std::string StabilityClassName(StabilityIndex index) {
  double half_steps = std::round(std::clamp(index, 0.0, 5.0) * 2);
  int lower = static_cast<int>(half_steps) / 2;
  if (static_cast<int>(half_steps) % 2 == 0) return kClassLetters[lower];
  return std::string(kClassLetters[lower]) + "-" + kClassLetters[lower + 1];
}

Result<StabilityIndex> TurnerClass(double wind_10m_m_s, bool daytime, Insolation insolation,
                                   int cloud_oktas) {
  if (!std::isfinite(wind_10m_m_s) || wind_10m_m_s <= 0)
    return Status::Invalid("met.wind_speed_m_s", "the wind speed must be above 0 m/s").Says("hazard.invalid.wind_positive");
  if (cloud_oktas < 0 || cloud_oktas > 8)
    return Status::Invalid("met.cloud_oktas", "cloud cover is 0 to 8 oktas").Says("hazard.invalid.cloud");
  if (cloud_oktas == 8) return kClassD;  // Turner: overcast, day or night
  int row = TurnerRow(wind_10m_m_s);
  if (daytime) return kTurnerDay[row][static_cast<int>(insolation)];
  return kTurnerNight[row][cloud_oktas >= 4 ? 0 : 1];
}

Result<StabilityIndex> GolderClass(double monin_obukhov_length_m, double roughness_m) {
  if (!std::isfinite(monin_obukhov_length_m) || monin_obukhov_length_m == 0)
    return Status::Invalid("met.monin_obukhov_length_m", "the Monin-Obukhov length must not be 0").Says("hazard.invalid.monin_obukhov");
  if (!std::isfinite(roughness_m) || roughness_m <= 0)
    return Status::Invalid("roughness_m", "the roughness length must be positive").Says("hazard.invalid.roughness");
  double inverse_l = 1.0 / monin_obukhov_length_m;
  double log_z0 = std::log10(roughness_m);
  std::array<double, 6> line{};
  for (int i = 0; i < 6; ++i) line[i] = kGolderLines[i][0] + kGolderLines[i][1] * log_z0;
  if (inverse_l <= line[0]) return 0.0;
  if (inverse_l >= line[5]) return 5.0;
  // Between two class lines the index is interpolated, so sigmas change smoothly with L.
  for (int i = 0; i < 5; ++i)
    if (inverse_l <= line[i + 1]) return i + (inverse_l - line[i]) / (line[i + 1] - line[i]);
  return 5.0;
}

std::optional<Insolation> InsolationFromSunElevation(double elevation_deg) {
  if (elevation_deg > 60) return Insolation::kStrong;
  if (elevation_deg > 35) return Insolation::kModerate;
  if (elevation_deg > 15) return Insolation::kSlight;
  return std::nullopt;
}

double SunElevationDeg(double lat, double lon, std::int64_t unix_seconds) {
  double days = static_cast<double>(unix_seconds) / 86400.0;
  double whole_days = std::floor(days);
  double utc_hours = (days - whole_days) * 24.0;
  // Day of the year from the civil date (Howard Hinnant's days-to-civil algorithm).
  std::int64_t z = static_cast<std::int64_t>(whole_days) + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy_march = doe - (365 * yoe + yoe / 4 - yoe / 100);  // 0 = 1 March
  double day_of_year = static_cast<double>((doy_march + 59) % 365 + 1);
  double b = 2 * std::numbers::pi * (day_of_year - 81) / 365.0;
  double equation_of_time_min = 9.87 * std::sin(2 * b) - 7.53 * std::cos(b) - 1.5 * std::sin(b);
  double declination =
      -23.44 * kDegToRad * std::cos(2 * std::numbers::pi * (day_of_year + 10) / 365.0);
  double solar_hours = utc_hours + lon / 15.0 + equation_of_time_min / 60.0;
  double hour_angle = (solar_hours - 12.0) * 15.0 * kDegToRad;
  double sin_el = std::sin(lat * kDegToRad) * std::sin(declination) +
                  std::cos(lat * kDegToRad) * std::cos(declination) * std::cos(hour_angle);
  return std::asin(std::clamp(sin_el, -1.0, 1.0)) / kDegToRad;
}

Sigmas DispersionSigmas(Terrain terrain, StabilityIndex stability, double x_m) {
  const auto& table = terrain == Terrain::kUrban ? kBriggsUrban : kBriggsRural;
  double s = std::clamp(std::isfinite(stability) ? stability : kClassD, 0.0, 5.0);
  int lower = std::min(static_cast<int>(s), 4);
  double w = s - lower;
  double x = std::max(x_m, 0.1);  // the fits are for x > 0; a floor keeps sigmas positive
  auto blend = [&](const Power ClassSigmas::*axis) {
    double low = Evaluate(table[lower].*axis, x);
    return w == 0 ? low : (1 - w) * low + w * Evaluate(table[lower + 1].*axis, x);
  };
  return {blend(&ClassSigmas::y), blend(&ClassSigmas::z)};
}

}  // namespace cbrnhub::hazard
