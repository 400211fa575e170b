// `cbrnhub hazard`: the same model and map the pages use, from options or a release JSON file.
#include "app/hazard_cli.h"

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "hazard/hazard.h"
#include "http/hazard_map.h"
#include "i18n/i18n.h"

namespace cbrnhub::app {
namespace {

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

Result<std::shared_ptr<const hazard::PopulationGrid>> LoadPopulationGrid(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid("population", "cannot read the population grid " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto grid = hazard::ParsePopulationGrid(text.str());
  if (!grid.ok()) return Status::Invalid("population", path + ": " + grid.status().message());
  return std::make_shared<const hazard::PopulationGrid>(std::move(grid).value());
}

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
  c->add_option("--ensemble", o.ensemble,
                "svg, geojson: the probability of exceeding a zone's threshold from N perturbed "
                "members (at most 100,000)");
  c->add_option("--level", o.level,
                "the zone whose probability --ensemble draws: 3 red, 2 orange, 1 yellow")
      ->check(CLI::Range(1, 3));
  c->add_option("--population", o.population_file,
                "people per zone from an ESRI ASCII grid of people per cell (docs/hazard.md)");
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
  hazard::FootprintExtras extras;
  if (!o.population_file.empty()) {
    auto grid = LoadPopulationGrid(o.population_file);
    if (!grid.ok()) return Refuse(grid.status());
    extras.population = hazard::CountPopulation(*model, footprint, **grid);
    std::cerr << "people per zone (cells whose centre is inside; bands do not overlap):";
    for (size_t i = 0; i < extras.population->people.size(); ++i)
      std::cerr << " level " << model->thresholds()[i].level << " "
                << std::llround(extras.population->people[i]);
    std::cerr << (extras.population->complete ? "" : " (the grid does not cover every zone)")
              << "\n";
  }
  if (hazard::DenseGasScreen dense = hazard::ScreenDenseGas(*model); dense.dense)
    std::cerr << "warning: a dense (heavier-than-air) release by Britter & McQuaid's criterion ("
              << dense.criterion << " >= " << dense.limit
              << "): the Gaussian zones may be wrong by a factor of several; use a dense-gas "
                 "model\n";
  std::optional<hazard::ProbabilityGrid> probability;
  if (o.ensemble > 0 && o.format != "csv") {
    auto grid = http::EnsembleForMap(*model, footprint, o.ensemble);
    if (!grid.ok()) return Refuse(grid.status());
    probability = std::move(grid).value();
    for (size_t i = 0; i < probability->thresholds.size(); ++i)
      if (probability->thresholds[i].level == o.level) extras.probability_index = i;
    extras.probability = &*probability;
    extras.members = o.ensemble;
  }
  std::string text;
  if (o.format == "geojson") {
    text = hazard::FootprintGeoJson(*model, footprint, extras);
  } else if (o.format == "csv") {
    text = hazard::FootprintCsv(footprint, extras.population ? &*extras.population : nullptr);
  } else {
    i18n::Catalogs catalogs;
    if (auto st = catalogs.Load(); !st.ok()) return Refuse(st);
    if (!catalogs.Supports(o.lang))
      return Refuse(Status::Invalid("lang", "no interface language " + o.lang));
    text = http::RenderHazardMap(*model, footprint, catalogs, o.lang, extras);
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
