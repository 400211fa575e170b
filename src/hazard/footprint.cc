// Threat zones as polygons, confidence lines, the concentration grid, the ensemble and the
// GeoJSON/CSV forms of a footprint.
#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>
#include <sstream>
#include <thread>

#include "hazard/frame.h"
#include "hazard/hazard.h"

namespace cbrnhub::hazard {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kEarthRadiusM = 6371008.8;  // mean radius (IUGG)
// Zones are searched from 1 m to 200 km downwind, in steps of 1 %, then refined by bisection.
constexpr double kSearchStartM = 1, kSearchEndM = 200000, kSearchStep = 1.01;
constexpr double kMaxExtentM = 200000;
constexpr int kMaxCells = 2000;
// Middle of the sigma-A range of each class A..F (US EPA 2000, EPA-454/R-99-005, section 6.4).
constexpr std::array<double, 6> kClassSigmaThetaDeg = {25.0, 20.0, 15.0, 10.0, 5.6, 2.5};
// Distances in an ensemble member's profile; linear interpolation between them.
constexpr int kProfileSamples = 2048;

// Half-width (m) of the region above `threshold` at distance x; 0 when the axis is below it.
double HalfWidth(const Model& model, double x, double threshold) {
  double centre = model.CentrelineConcentration(x);
  if (!(centre > threshold)) return 0;
  double sigma_y = model.SigmasAt(x).y;
  if (model.emission_duration_s() > 0) sigma_y /= model.averaging_factor();
  return sigma_y * std::sqrt(2 * std::log(centre / threshold));
}

// The first and last distance where the axis exceeds `threshold`; {0, 0} when nowhere.
std::pair<double, double> ZoneRange(const Model& model, double threshold) {
  double first = 0, last = 0, previous = 0;
  for (double x = kSearchStartM; x <= kSearchEndM; x *= kSearchStep) {
    bool above = model.CentrelineConcentration(x) > threshold;
    if (above && first == 0) first = x;
    if (above) last = x;
    if (!above && last > 0 && last == previous) break;  // left the zone: axis concentrations fall
    previous = x;
  }
  if (last == 0) return {0, 0};
  double low = last, high = last * kSearchStep;
  for (int i = 0; i < 40; ++i) {
    double mid = 0.5 * (low + high);
    (model.CentrelineConcentration(mid) > threshold ? low : high) = mid;
  }
  return {first, low};
}

float Finite(double v) { return std::isfinite(v) ? static_cast<float>(v) : 0.0f; }

Status CheckGrid(double extent_m, int cells) {
  if (!std::isfinite(extent_m) || extent_m <= 0 || extent_m > kMaxExtentM)
    return Status::Invalid("extent_m", "the map's extent must be above 0 and at most 200 km");
  if (cells < 1 || cells > kMaxCells)
    return Status::Invalid("cells", "the grid must have 1 to 2000 cells a side");
  return Status::Ok();
}

Grid Layout(const Model& model, double extent_m, int cells) {
  Grid grid;
  grid.cell_m = 2 * extent_m / cells;
  grid.columns = grid.rows = cells;
  grid.south_west =
      Offset({model.scenario().latitude, model.scenario().longitude}, -extent_m, -extent_m);
  return grid;
}

const char* FamilyName(ThresholdFamily family) {
  switch (family) {
    case ThresholdFamily::kAegl:
      return "AEGL";
    case ThresholdFamily::kErpg:
      return "ERPG";
    case ThresholdFamily::kTeel:
      return "TEEL";
  }
  return "";
}

// One member's plume along its axis: sigma_y^2 and ln(C) at evenly spaced distances.
struct Profile {
  double step = 1;
  std::vector<double> variance, log_centre;
};

Profile AxisProfile(const Model& model, double reach_m) {
  Profile p;
  p.step = reach_m / (kProfileSamples - 1);
  p.variance.resize(kProfileSamples);
  p.log_centre.resize(kProfileSamples);
  double widen = model.emission_duration_s() > 0 ? model.averaging_factor() : 1.0;
  for (int k = 0; k < kProfileSamples; ++k) {
    double x = std::max(k * p.step, 0.5 * p.step);
    double sigma_y = model.SigmasAt(x).y / widen;
    double c = model.CentrelineConcentration(x);
    p.variance[k] = sigma_y * sigma_y;
    p.log_centre[k] = c > 0 ? std::log(c) : -1e300;
  }
  return p;
}

Result<Model> Perturbed(const Model& base, std::uint64_t seed, const EnsembleOptions& options,
                        double direction_sigma) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Scenario s = base.scenario();
  double direction = s.met.wind_from_deg + direction_sigma * normal(random);
  s.met.wind_from_deg = std::fmod(std::fmod(direction, 360.0) + 360.0, 360.0);
  s.met.wind_speed_m_s = std::clamp(
      s.met.wind_speed_m_s * std::exp(options.speed_log_sigma * normal(random)), 0.1, 50.0);
  double draw = uniform(random), shift = 0;
  if (draw < options.class_shift_probability)
    shift = -1;
  else if (draw < 2 * options.class_shift_probability)
    shift = 1;
  s.met.stability = std::clamp(base.stability() + shift, 0.0, 5.0);
  return Model::Make(s, SubstanceTable{"", "", {base.substance()}});
}

}  // namespace

LatLon Offset(LatLon origin, double east_m, double north_m) {
  double lat = origin.lat + north_m / kEarthRadiusM / kDegToRad;
  double cos_lat = std::max(std::cos(origin.lat * kDegToRad), 1e-6);
  double lon = origin.lon + east_m / (kEarthRadiusM * cos_lat) / kDegToRad;
  lat = std::clamp(lat, -90.0, 90.0);
  lon = std::fmod(lon + 540.0, 360.0) - 180.0;
  return {lat, lon};
}

EastNorth LocalMetres(LatLon origin, LatLon point) {
  double cos_lat = std::max(std::cos(origin.lat * kDegToRad), 1e-6);
  // The shorter way round in longitude (a place across the antimeridian).
  double dlon = std::fmod(point.lon - origin.lon + 540.0, 360.0) - 180.0;
  return {dlon * kDegToRad * kEarthRadiusM * cos_lat,
          (point.lat - origin.lat) * kDegToRad * kEarthRadiusM};
}

int ProbabilityBand(double probability) {
  int band = -1;
  for (size_t i = 0; i < kProbabilityBands.size(); ++i)
    if (probability >= kProbabilityBands[i]) band = static_cast<int>(i);
  return band;
}

double DirectionSigmaDeg(const Model& model) {
  if (model.scenario().met.sigma_theta_deg) return *model.scenario().met.sigma_theta_deg;
  double s = std::clamp(model.stability(), 0.0, 5.0);
  int lower = std::min(static_cast<int>(s), 4);
  double w = s - lower;
  return (1 - w) * kClassSigmaThetaDeg[lower] + w * kClassSigmaThetaDeg[lower + 1];
}

Footprint ComputeFootprint(const Model& model, int points, double min_line_m) {
  points = std::clamp(points, 4, 1000);
  Footprint fp;
  const Scenario& s = model.scenario();
  fp.source = {s.latitude, s.longitude};
  Frame frame = WindFrame(s.met.wind_from_deg);
  auto to_lat_lon = [&](double x, double y) {
    return Offset(fp.source, x * frame.down_east + y * frame.left_east,
                  x * frame.down_north + y * frame.left_north);
  };
  double longest = 0;
  for (const ZoneThreshold& t : model.thresholds()) {
    Zone zone;
    zone.threshold = t;
    auto [first, last] = ZoneRange(model, t.mg_m3);
    if (last > 0) {
      zone.length_m = last;
      longest = std::max(longest, last);
      std::vector<std::pair<double, double>> side;  // (x, half-width) from the source outwards
      side.emplace_back(0.0, 0.0);
      for (int i = 1; i < points; ++i) {
        // Denser near the source, where the zone widens fastest.
        double x = first + (last - first) * std::pow(static_cast<double>(i) / points, 1.5);
        double w = HalfWidth(model, x, t.mg_m3);
        zone.max_half_width_m = std::max(zone.max_half_width_m, w);
        side.emplace_back(x, w);
      }
      side.emplace_back(last, 0.0);
      for (const auto& [x, w] : side) zone.polygon.push_back(to_lat_lon(x, w));
      for (auto it = side.rbegin() + 1; it != side.rend(); ++it)
        zone.polygon.push_back(to_lat_lon(it->first, -it->second));
    }
    fp.zones.push_back(std::move(zone));
  }
  fp.confidence_half_angle_deg = std::min(1.96 * DirectionSigmaDeg(model), 180.0);
  double reach = std::max(longest * 1.1, min_line_m);
  for (int side = 0; side < 2; ++side) {
    double angle = (side == 0 ? 1 : -1) * fp.confidence_half_angle_deg * kDegToRad;
    fp.confidence_lines[side] = {fp.source,
                                 to_lat_lon(reach * std::cos(angle), reach * std::sin(angle))};
  }
  return fp;
}

Result<Grid> ComputeGrid(const Model& model, double extent_m, int cells) {
  CBRN_RETURN_IF_ERROR(CheckGrid(extent_m, cells));
  Grid grid = Layout(model, extent_m, cells);
  grid.values.resize(static_cast<size_t>(cells) * cells);
  Frame frame = WindFrame(model.scenario().met.wind_from_deg);
  double z = model.scenario().receptor_height_m;
  for (int row = 0; row < cells; ++row) {
    double north = -extent_m + (row + 0.5) * grid.cell_m;
    for (int column = 0; column < cells; ++column) {
      double east = -extent_m + (column + 0.5) * grid.cell_m;
      double x = east * frame.down_east + north * frame.down_north;
      double y = east * frame.left_east + north * frame.left_north;
      grid.values[static_cast<size_t>(row) * cells + column] = Finite(model.Concentration(x, y, z));
    }
  }
  return grid;
}

Result<ProbabilityGrid> ComputeEnsemble(const Model& model, double extent_m, int cells,
                                        const EnsembleOptions& options) {
  CBRN_RETURN_IF_ERROR(CheckGrid(extent_m, cells));
  if (options.members < 1 || options.members > 100000)
    return Status::Invalid("members", "an ensemble has 1 to 100,000 members");
  if (!(options.speed_log_sigma >= 0) || !(options.class_shift_probability >= 0) ||
      options.class_shift_probability > 0.5)
    return Status::Invalid(
        "options", "perturbations must be non-negative (class shift at most 0.5 each side)");
  ProbabilityGrid out;
  out.layout = Layout(model, extent_m, cells);
  out.thresholds = model.thresholds();
  double direction_sigma =
      options.direction_sigma_deg >= 0 ? options.direction_sigma_deg : DirectionSigmaDeg(model);
  const size_t cell_count = static_cast<size_t>(cells) * cells;
  const size_t levels = out.thresholds.size();
  std::vector<double> log_thresholds;
  for (const auto& t : out.thresholds) log_thresholds.push_back(std::log(t.mg_m3));
  const double lowest =
      log_thresholds.empty() ? 0 : *std::min_element(log_thresholds.begin(), log_thresholds.end());
  const double reach = extent_m * std::sqrt(2.0);
  const double cell_m = out.layout.cell_m;

  int threads = std::clamp(options.threads, 1, 64);
  std::vector<std::vector<std::uint32_t>> counts(threads,
                                                 std::vector<std::uint32_t>(levels * cell_count));
  std::vector<Status> failures(threads);
  auto work = [&](int worker) {
    auto& count = counts[worker];
    for (int member = worker; member < options.members; member += threads) {
      // Each member's draw depends on its number only, so results do not depend on threads.
      auto m = Perturbed(model, options.seed * 1000003ULL + member, options, direction_sigma);
      if (!m.ok()) {
        failures[worker] = m.status();
        return;
      }
      Profile p = AxisProfile(*m, reach);
      // The cells that can exceed the lowest threshold lie in the rectangle 0 <= x <= reach_x,
      // |y| <= half_y of the member's own frame; each row visits only the columns inside it.
      double reach_x = 0, half_y = 0;
      for (int k = 0; k < kProfileSamples; ++k) {
        double excess = p.log_centre[k] - lowest;
        if (excess <= 0) continue;
        reach_x = (k + 1) * p.step;
        half_y = std::max(half_y, std::sqrt(2 * p.variance[k] * excess));
      }
      if (reach_x == 0) continue;
      Frame f = WindFrame(m->scenario().met.wind_from_deg);
      for (int row = 0; row < cells; ++row) {
        double north = -extent_m + (row + 0.5) * cell_m;
        // x = e de + n dn and y = e le + n ln are linear in e: intersect the four half-planes.
        double e_low = -extent_m, e_high = extent_m;
        auto clip = [&](double slope, double offset, double low, double high) {
          if (std::fabs(slope) < 1e-12) {
            if (offset < low || offset > high) e_low = 1, e_high = 0;
            return;
          }
          double a = (low - offset) / slope, b = (high - offset) / slope;
          e_low = std::max(e_low, std::min(a, b));
          e_high = std::min(e_high, std::max(a, b));
        };
        clip(f.down_east, north * f.down_north, 0, reach_x);
        clip(f.left_east, north * f.left_north, -half_y, half_y);
        if (e_low > e_high) continue;
        int first = std::max(0, static_cast<int>(std::floor((e_low + extent_m) / cell_m - 0.5)));
        int last =
            std::min(cells - 1, static_cast<int>(std::ceil((e_high + extent_m) / cell_m - 0.5)));
        for (int column = first; column <= last; ++column) {
          double east = -extent_m + (column + 0.5) * cell_m;
          double x = east * f.down_east + north * f.down_north;
          if (x <= 0) continue;
          double y = east * f.left_east + north * f.left_north;
          double at = x / p.step;
          int k = std::min(static_cast<int>(at), kProfileSamples - 2);
          double w = at - k;
          double log_c = (1 - w) * p.log_centre[k] + w * p.log_centre[k + 1];
          double variance = (1 - w) * p.variance[k] + w * p.variance[k + 1];
          double y_term = y * y / (2 * variance);
          size_t cell = static_cast<size_t>(row) * cells + column;
          for (size_t level = 0; level < levels; ++level)
            if (log_c - y_term > log_thresholds[level]) ++count[level * cell_count + cell];
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  for (const Status& st : failures) CBRN_RETURN_IF_ERROR(st);
  out.probability.assign(levels, std::vector<float>(cell_count, 0.0f));
  for (size_t level = 0; level < levels; ++level)
    for (size_t cell = 0; cell < cell_count; ++cell) {
      std::uint32_t total = 0;
      for (const auto& c : counts) total += c[level * cell_count + cell];
      out.probability[level][cell] = static_cast<float>(total) / options.members;
    }
  return out;
}

namespace {

using Json = nlohmann::json;

Json Point(const LatLon& p) { return Json::array({p.lon, p.lat}); }

Json DenseGasJson(const DenseGasScreen& screen) {
  return {{"dense", screen.dense},
          {"release", screen.instantaneous ? "instantaneous" : "continuous"},
          {"release_density_kg_m3", screen.release_density_kg_m3},
          {"air_density_kg_m3", screen.air_density_kg_m3},
          {"reduced_gravity_m_s2", screen.reduced_gravity_m_s2},
          {"criterion", screen.criterion},
          {"limit", screen.limit},
          {"method", "Britter & McQuaid (1988)"}};
}

// One MultiPolygon per probability band: each row's runs of cells in the band as rectangles.
void AddProbabilityBands(const ProbabilityGrid& grid, size_t index, int members, Json& features) {
  if (index >= grid.probability.size()) return;
  const Grid& g = grid.layout;
  const std::vector<float>& p = grid.probability[index];
  for (size_t band = 0; band < kProbabilityBands.size(); ++band) {
    Json polygons = Json::array();
    for (int row = 0; row < g.rows; ++row) {
      for (int column = 0; column < g.columns;) {
        if (ProbabilityBand(p[static_cast<size_t>(row) * g.columns + column]) !=
            static_cast<int>(band)) {
          ++column;
          continue;
        }
        int end = column;
        while (end < g.columns && ProbabilityBand(p[static_cast<size_t>(row) * g.columns + end]) ==
                                      static_cast<int>(band))
          ++end;
        LatLon sw = Offset(g.south_west, column * g.cell_m, row * g.cell_m);
        LatLon ne = Offset(g.south_west, end * g.cell_m, (row + 1) * g.cell_m);
        polygons.push_back(Json::array({Json::array(
            {Point(sw), Point({sw.lat, ne.lon}), Point(ne), Point({ne.lat, sw.lon}), Point(sw)})}));
        column = end;
      }
    }
    if (polygons.empty()) continue;
    double high = band + 1 < kProbabilityBands.size() ? kProbabilityBands[band + 1] : 1.0;
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "MultiPolygon"}, {"coordinates", polygons}}},
                        {"properties",
                         {{"kind", "probability"},
                          {"level", grid.thresholds[index].level},
                          {"probability_min", kProbabilityBands[band]},
                          {"probability_max", high},
                          {"members", members}}}});
  }
}

}  // namespace

std::string FootprintGeoJson(const Model& model, const Footprint& fp,
                             const FootprintExtras& extras) {
  Json features = Json::array();
  for (const Zone& zone : fp.zones) {
    if (zone.polygon.empty()) continue;
    Json ring = Json::array();
    for (const auto& p : zone.polygon) ring.push_back(Point(p));
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "Polygon"}, {"coordinates", Json::array({ring})}}},
                        {"properties",
                         {{"kind", "zone"},
                          {"level", zone.threshold.level},
                          {"family", FamilyName(zone.threshold.family)},
                          {"duration_min", zone.threshold.duration_min},
                          {"ppm", zone.threshold.ppm},
                          {"mg_m3", zone.threshold.mg_m3},
                          {"length_m", zone.length_m},
                          {"max_half_width_m", zone.max_half_width_m}}}});
  }
  for (const auto& line : fp.confidence_lines) {
    Json coords = Json::array();
    for (const auto& p : line) coords.push_back(Point(p));
    features.push_back(
        {{"type", "Feature"},
         {"geometry", {{"type", "LineString"}, {"coordinates", coords}}},
         {"properties",
          {{"kind", "confidence_line"}, {"half_angle_deg", fp.confidence_half_angle_deg}}}});
  }
  features.push_back({{"type", "Feature"},
                      {"geometry", {{"type", "Point"}, {"coordinates", Point(fp.source)}}},
                      {"properties", {{"kind", "source"}}}});
  for (const NamedPlace& place : extras.places) {
    const PlaceExposure& e = place.exposure;
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "Point"}, {"coordinates", Point(place.at)}}},
                        {"properties",
                         {{"kind", "place"},
                          {"id", place.id},
                          {"name", place.name},
                          {"place_kind", place.kind},
                          {"level", e.level},
                          {"distance_m", e.distance_m},
                          {"concentration_mg_m3", e.concentration_mg_m3},
                          {"arrival_s", e.arrival_s ? Json(*e.arrival_s) : Json(nullptr)}}}});
  }
  if (extras.probability)
    AddProbabilityBands(*extras.probability, extras.probability_index, extras.members, features);
  const SubstanceTable& table = ShippedSubstances();
  Json doc = {{"type", "FeatureCollection"},
              {"features", features},
              {"properties",
               {{"planning_estimate", true},
                {"substance", model.substance().id},
                {"stability_class", StabilityClassName(model.stability())},
                {"averaging_time_s", model.scenario().averaging_time_s},
                {"table_source", table.source},
                {"table_revision", table.revision},
                {"dense_gas", DenseGasJson(ScreenDenseGas(model))}}}};
  if (extras.population) {
    Json zones = Json::array();
    for (size_t i = 0; i < extras.population->people.size() && i < model.thresholds().size(); ++i)
      zones.push_back({{"level", model.thresholds()[i].level},
                       {"people", std::lround(extras.population->people[i])}});
    doc["properties"]["population"] = {{"zones", zones},
                                       {"complete", extras.population->complete},
                                       {"rule", "cell centre inside the zone"}};
  }
  return doc.dump();
}

std::string FootprintCsv(const Footprint& fp, const PopulationByZone* population) {
  std::ostringstream out;
  out.precision(6);
  out << "level,family,duration_min,ppm,mg_m3,length_m,max_half_width_m"
      << (population ? ",people" : "") << "\n";
  for (size_t i = 0; i < fp.zones.size(); ++i) {
    const Zone& zone = fp.zones[i];
    out << zone.threshold.level << ',' << FamilyName(zone.threshold.family) << ','
        << zone.threshold.duration_min << ',' << zone.threshold.ppm << ',' << zone.threshold.mg_m3
        << ',' << zone.length_m << ',' << zone.max_half_width_m;
    if (population)
      out << ',' << (i < population->people.size() ? std::llround(population->people[i]) : 0);
    out << '\n';
  }
  return out.str();
}

PerformanceMeasures Score(const std::vector<double>& observed,
                          const std::vector<double>& predicted) {
  PerformanceMeasures m;
  size_t n = std::min(observed.size(), predicted.size());
  double sum_o = 0, sum_p = 0, sum_sq = 0, sum_log = 0, sum_log_sq = 0;
  int within_two = 0;
  for (size_t i = 0; i < n; ++i) {
    double o = observed[i], p = predicted[i];
    if (!(o > 0) || !(p > 0) || !std::isfinite(o) || !std::isfinite(p)) continue;
    ++m.n;
    sum_o += o;
    sum_p += p;
    sum_sq += (o - p) * (o - p);
    double log_ratio = std::log(o) - std::log(p);
    sum_log += log_ratio;
    sum_log_sq += log_ratio * log_ratio;
    if (p / o >= 0.5 && p / o <= 2.0) ++within_two;
  }
  if (m.n == 0) return m;
  double mean_o = sum_o / m.n, mean_p = sum_p / m.n;
  m.fac2 = static_cast<double>(within_two) / m.n;
  m.fb = 2 * (mean_o - mean_p) / (mean_o + mean_p);
  m.nmse = sum_sq / m.n / (mean_o * mean_p);
  m.mg = std::exp(sum_log / m.n);
  m.vg = std::exp(sum_log_sq / m.n);
  return m;
}

}  // namespace cbrnhub::hazard
