// `cbrnhub hazard`: the same model and map the pages use, from options or a release JSON file.
#include "app/hazard_cli.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "hazard/hazard.h"
#include "http/hazard_map.h"
#include "i18n/i18n.h"

namespace cbrnhub::app {
namespace {

// The map's extent is the longest zone plus a margin; the ensemble grid has this many cells a side.
constexpr int kEnsembleCells = 120;

int Refuse(const Status& st) {
  std::cerr << "error: " << st.message() << (st.field().empty() ? "" : " [" + st.field() + "]")
            << "\n";
  return st.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

// "3@270": 3 m/s from 270 degrees.
Status ParseWind(const std::string& text, hazard::Meteorology& met) {
  std::istringstream in(text);
  char at = 0;
  double speed = 0, from = 0;
  if (!(in >> speed >> at >> from) || at != '@' || !in.eof())
    return Status::Invalid("wind",
                           "write the wind as SPEED@FROM, e.g. 3@270 (3 m/s from the west)");
  met.wind_speed_m_s = speed;
  met.wind_from_deg = from;
  return Status::Ok();
}

Result<hazard::Scenario> ScenarioFromOptions(const HazardCommand& o) {
  if (!o.release_file.empty()) {
    std::ifstream in(o.release_file, std::ios::binary);
    if (!in) return Status::Invalid("release", "cannot read " + o.release_file);
    std::stringstream text;
    text << in.rdbuf();
    auto s = hazard::ScenarioFromJson(text.str());
    if (!s.ok())
      return Status::Invalid(s.status().field(), o.release_file + ": " + s.status().message());
    return s;
  }
  hazard::Scenario s;
  s.substance_id = o.substance;
  if (o.substance.empty())
    return Status::Invalid("substance", "--substance (or --release FILE) is required");
  if (o.puddle_area > 0) {
    s.release = {hazard::SourceKind::kPuddle, 0, 0, o.mass, o.puddle_area, o.height};
  } else if (o.mass > 0) {
    s.release = {hazard::SourceKind::kInstantaneous, 0, 0, o.mass, 0, o.height};
  } else {
    s.release = {hazard::SourceKind::kContinuous, o.rate, o.duration, 0, 0, o.height};
  }
  CBRN_RETURN_IF_ERROR(ParseWind(o.wind, s.met));
  s.met.wind_height_m = o.wind_height;
  if (!o.stability.empty()) {
    CBRN_ASSIGN_OR_RETURN(double index, hazard::ParseStabilityClass(o.stability));
    s.met.stability = index;
  }
  if (o.monin_obukhov != 0) s.met.monin_obukhov_length_m = o.monin_obukhov;
  if (o.mixing_height > 0) s.met.mixing_height_m = o.mixing_height;
  if (o.sigma_theta > 0) s.met.sigma_theta_deg = o.sigma_theta;
  s.met.daytime = !o.night;
  s.met.insolation = o.insolation == "strong"   ? hazard::Insolation::kStrong
                     : o.insolation == "slight" ? hazard::Insolation::kSlight
                                                : hazard::Insolation::kModerate;
  s.met.cloud_oktas = o.cloud;
  s.met.temperature_k = o.temperature_c + 273.15;
  s.met.pressure_pa = o.pressure_hpa * 100;
  s.terrain = o.terrain == "urban" ? hazard::Terrain::kUrban : hazard::Terrain::kRural;
  s.latitude = o.lat;
  s.longitude = o.lon;
  s.averaging_time_s = o.averaging;
  s.exposure_min = o.exposure;
  return s;
}

}  // namespace

void AddHazardCommand(CLI::App& cli, HazardCommand& o) {
  auto* c = cli.add_subcommand(
      "hazard", "threat zones of a toxic release (planning estimate, not response advice)");
  o.command = c;
  c->add_option("--substance", o.substance,
                "chlorine, ammonia, ... (the shipped table: docs/hazard.md)");
  c->add_option("--release", o.release_file,
                "the whole release as JSON (docs/hazard.md) instead of options");
  c->add_option("--rate", o.rate, "continuous release rate, kg/s");
  c->add_option("--duration", o.duration, "continuous release duration, s");
  c->add_option("--mass", o.mass,
                "instantaneous release (or, with --puddle-area, spilled liquid), kg");
  c->add_option("--puddle-area", o.puddle_area, "evaporating puddle area, m2");
  c->add_option("--height", o.height, "release height, m");
  c->add_option("--wind", o.wind, "SPEED@FROM: m/s and the direction it blows from, degrees");
  c->add_option("--wind-height", o.wind_height, "height of the wind measurement, m (default 10)");
  c->add_option("--class", o.stability, "Pasquill class A..F (else from --L, else Turner's table)");
  c->add_option("--L", o.monin_obukhov, "Monin-Obukhov length, m");
  c->add_flag("--night", o.night, "night-time (Turner's table)");
  c->add_option("--insolation", o.insolation, "strong, moderate or slight (daytime)")
      ->check(CLI::IsMember({"strong", "moderate", "slight"}));
  c->add_option("--cloud", o.cloud, "cloud cover, oktas 0..8");
  c->add_option("--temperature", o.temperature_c, "air temperature, degrees C (default 20)");
  c->add_option("--pressure", o.pressure_hpa, "air pressure, hPa (default 1013.25)");
  c->add_option("--mixing-height", o.mixing_height, "mixing height, m (reflections off the lid)");
  c->add_option("--sigma-theta", o.sigma_theta, "measured sigma of the wind direction, degrees");
  c->add_option("--terrain", o.terrain, "rural or urban")->check(CLI::IsMember({"rural", "urban"}));
  c->add_option("--lat", o.lat, "release latitude (default 0)");
  c->add_option("--lon", o.lon, "release longitude (default 0)");
  c->add_option("--averaging", o.averaging, "averaging time of concentrations, s (default 600)");
  c->add_option("--exposure", o.exposure, "threshold duration, minutes: 10, 30, 60, 240, 480");
  c->add_option("--ensemble", o.ensemble, "svg: shade the probability from N perturbed members");
  c->add_option("--format", o.format, "geojson, svg or csv")
      ->check(CLI::IsMember({"geojson", "svg", "csv"}));
  c->add_option("--lang", o.lang, "map language: en, fr, ru or ar");
  c->add_option("--output", o.output, "file to write ('-' = standard output)");
}

int RunHazard(const HazardCommand& o) {
  auto scenario = ScenarioFromOptions(o);
  if (!scenario.ok()) return Refuse(scenario.status());
  auto model = hazard::Model::Make(*scenario);
  if (!model.ok()) return Refuse(model.status());
  hazard::Footprint footprint = hazard::ComputeFootprint(*model);
  std::string text;
  if (o.format == "geojson") {
    text = hazard::FootprintGeoJson(*model, footprint);
  } else if (o.format == "csv") {
    text = hazard::FootprintCsv(footprint);
  } else {
    i18n::Catalogs catalogs;
    if (auto st = catalogs.Load(); !st.ok()) return Refuse(st);
    if (!catalogs.Supports(o.lang))
      return Refuse(Status::Invalid("lang", "no interface language " + o.lang));
    std::optional<hazard::ProbabilityGrid> probability;
    if (o.ensemble > 0) {
      double reach = 1000;
      for (const auto& zone : footprint.zones) reach = std::max(reach, zone.length_m * 1.2);
      hazard::EnsembleOptions options;
      options.members = o.ensemble;
      auto grid = hazard::ComputeEnsemble(*model, reach, kEnsembleCells, options);
      if (!grid.ok()) return Refuse(grid.status());
      probability = std::move(grid).value();
    }
    text = http::RenderHazardMap(*model, footprint, catalogs, o.lang,
                                 probability ? &*probability : nullptr);
  }
  if (o.output == "-") {
    std::cout << text;
    if (o.format == "geojson") std::cout << "\n";
    return std::cout ? 0 : 1;
  }
  std::ofstream out(o.output, std::ios::binary);
  out << text;
  if (!out) return Refuse(Status::Internal("cannot write " + o.output));
  std::cerr << o.output << ": " << text.size() << " bytes\n";
  return 0;
}

}  // namespace cbrnhub::app
