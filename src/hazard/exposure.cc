// Who is inside a footprint: places, people from a population grid, and the dense-gas screen
// that says when the Gaussian zones themselves are not to be trusted.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "hazard/frame.h"
#include "hazard/hazard.h"

namespace cbrnhub::hazard {
namespace {

constexpr double kGravity = 9.81;              // m/s2
constexpr double kGasConstant = 8.314462618;   // J/(mol K)
constexpr double kAirMolarMassKg = 0.0289647;  // kg/mol, dry air
// Britter & McQuaid (1988): above these the release's own buoyancy matters.
constexpr double kContinuousLimit = 0.15, kInstantaneousLimit = 0.2;
constexpr double kPowerLawExponent = 1.0 / 7.0;  // the wind at 10 m, as for Turner's table

// The index into model.thresholds() (red first) of the highest zone `mg_m3` exceeds; -1: none.
int ZoneIndex(const Model& model, double mg_m3) {
  const auto& thresholds = model.thresholds();
  for (size_t i = 0; i < thresholds.size(); ++i)
    if (mg_m3 > thresholds[i].mg_m3) return static_cast<int>(i);
  return -1;
}

double ConcentrationAt(const Model& model, const Frame& frame, EastNorth local) {
  return model.Concentration(frame.Downwind(local.east, local.north),
                             frame.Crosswind(local.east, local.north),
                             model.scenario().receptor_height_m);
}

// Reads whitespace-separated tokens, counting lines.
class Tokens {
 public:
  explicit Tokens(std::string_view text) : text_(text) {}
  // The next token, or "" at the end; line() is the token's line.
  std::string_view Next() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) {
      if (text_[at_] == '\n') ++line_;
      ++at_;
    }
    size_t start = at_;
    while (at_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
    return text_.substr(start, at_ - start);
  }
  int line() const { return line_; }

 private:
  std::string_view text_;
  size_t at_ = 0;
  int line_ = 1;
};

bool ParseNumber(std::string_view token, double& out) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), out);
  return error == std::errc() && end == token.data() + token.size() && std::isfinite(out);
}

Status GridError(int line, const std::string& message) {
  return Status::Invalid("population", "line " + std::to_string(line) + ": " + message);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

PlaceExposure Expose(const Model& model, LatLon place) {
  const Scenario& s = model.scenario();
  EastNorth local = LocalMetres({s.latitude, s.longitude}, place);
  Frame frame = WindFrame(s.met.wind_from_deg);
  PlaceExposure e;
  e.distance_m = std::hypot(local.east, local.north);
  e.downwind_m = frame.Downwind(local.east, local.north);
  e.crosswind_m = frame.Crosswind(local.east, local.north);
  e.concentration_mg_m3 = ConcentrationAt(model, frame, local);
  int index = ZoneIndex(model, e.concentration_mg_m3);
  e.level = index < 0 ? 0 : model.thresholds()[index].level;
  if (e.downwind_m > 0) e.arrival_s = model.ArrivalTimeS(e.downwind_m);
  return e;
}

// More people than live in any cell of any grid (a dense city holds some 10^5 per km²).
constexpr double kMostPeoplePerCell = 1e9;

Result<PopulationGrid> ParsePopulationGrid(std::string_view text) {
  Tokens tokens(text);
  double ncols = -1, nrows = -1, x = NAN, y = NAN, cell = -1, nodata = NAN;
  bool x_centre = false, y_centre = false;
  std::string_view token = tokens.Next();
  double first_value = 0;
  // The header: "key value" pairs until the first number.
  while (!token.empty() && !ParseNumber(token, first_value)) {
    std::string key = Lower(token);
    int line = tokens.line();
    std::string_view value_text = tokens.Next();
    double value = 0;
    if (value_text.empty() || tokens.line() != line || !ParseNumber(value_text, value))
      return GridError(line, "the header line \"" + std::string(token) + "\" needs a number");
    if (key == "ncols")
      ncols = value;
    else if (key == "nrows")
      nrows = value;
    else if (key == "xllcorner" || key == "xllcenter")
      x = value, x_centre = key == "xllcenter";
    else if (key == "yllcorner" || key == "yllcenter")
      y = value, y_centre = key == "yllcenter";
    else if (key == "cellsize")
      cell = value;
    else if (key == "nodata_value")
      nodata = value;
    else
      return GridError(line, "unknown header \"" + std::string(token) +
                                 "\" (ncols, nrows, xllcorner, yllcorner, cellsize, NODATA_value)");
    token = tokens.Next();
  }
  int header_end = tokens.line();
  auto whole = [](double v) { return v >= 1 && v == std::floor(v); };
  if (!whole(ncols) || !whole(nrows))
    return GridError(header_end, "the header needs ncols and nrows, whole numbers of at least 1");
  if (std::isnan(x) || std::isnan(y))
    return GridError(header_end,
                     "the header needs xllcorner and yllcorner (or xllcenter, yllcenter)");
  if (!(cell > 0)) return GridError(header_end, "the header needs a positive cellsize (degrees)");
  if (ncols * nrows > static_cast<double>(kMaxPopulationCells))
    return GridError(header_end, "more than " + std::to_string(kMaxPopulationCells) + " cells");
  PopulationGrid grid;
  grid.columns = static_cast<int>(ncols);
  grid.rows = static_cast<int>(nrows);
  grid.cell_deg = cell;
  grid.west = x_centre ? x - cell / 2 : x;
  grid.south = y_centre ? y - cell / 2 : y;
  constexpr double kSlack = 1e-6;  // degrees: rounding in the header's corner
  if (grid.west < -180 - kSlack || grid.west + ncols * cell > 180 + kSlack ||
      grid.south < -90 - kSlack || grid.south + nrows * cell > 90 + kSlack)
    return GridError(header_end, "the grid lies outside longitudes -180..180 or latitudes -90..90");
  const size_t count = static_cast<size_t>(grid.columns) * grid.rows;
  // Each value takes two characters at least: a header cannot make us reserve more than that.
  grid.people.reserve(std::min(count, text.size() / 2 + 1));
  int last_line = header_end;  // where the last value was read
  while (!token.empty()) {
    last_line = tokens.line();
    double value = 0;
    if (!ParseNumber(token, value))
      return GridError(tokens.line(), "\"" + std::string(token) + "\" is not a number");
    if (grid.people.size() == count)
      return GridError(tokens.line(),
                       "more values than ncols x nrows (" + std::to_string(count) + ")");
    if (!std::isnan(nodata) && value == nodata) {
      value = 0;
    } else if (value < 0) {
      return GridError(tokens.line(),
                       "a people count cannot be negative (" + std::string(token) + ")");
    } else if (value > kMostPeoplePerCell) {
      // Stored as float: a count beyond its range would become infinite (fuzzing found it), and
      // no cell of any grid holds more people than this.
      return GridError(tokens.line(), "a people count above 1,000,000,000 in one cell (" +
                                          std::string(token.substr(0, 40)) + ")");
    }
    grid.people.push_back(static_cast<float>(value));
    grid.total += value;
    token = tokens.Next();
  }
  if (grid.people.size() != count)
    return GridError(last_line, "fewer values (" + std::to_string(grid.people.size()) +
                                    ") than ncols x nrows (" + std::to_string(count) + ")");
  return grid;
}

PopulationByZone CountPopulation(const Model& model, const Footprint& footprint,
                                 const PopulationGrid& grid) {
  PopulationByZone out;
  out.people.assign(model.thresholds().size(), 0.0);
  double south = 90, north = -90, west = 180, east = -180;
  for (const Zone& zone : footprint.zones)
    for (const LatLon& p : zone.polygon) {
      south = std::min(south, p.lat), north = std::max(north, p.lat);
      west = std::min(west, p.lon), east = std::max(east, p.lon);
    }
  if (south > north || grid.cell_deg <= 0) return out;  // no zone reached
  const double grid_north = grid.south + grid.rows * grid.cell_deg;
  const double grid_east = grid.west + grid.columns * grid.cell_deg;
  out.complete =
      south >= grid.south && north <= grid_north && west >= grid.west && east <= grid_east;
  // Rows count from the north; only the cells around the zones are visited.
  auto clamp_index = [](double v, int n) {
    return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(n - 1)));
  };
  int row_first = clamp_index(std::floor((grid_north - north) / grid.cell_deg), grid.rows);
  int row_last = clamp_index(std::floor((grid_north - south) / grid.cell_deg), grid.rows);
  int column_first = clamp_index(std::floor((west - grid.west) / grid.cell_deg), grid.columns);
  int column_last = clamp_index(std::floor((east - grid.west) / grid.cell_deg), grid.columns);
  const Scenario& s = model.scenario();
  const LatLon source{s.latitude, s.longitude};
  const Frame frame = WindFrame(s.met.wind_from_deg);
  for (int row = row_first; row <= row_last; ++row) {
    double lat = grid_north - (row + 0.5) * grid.cell_deg;
    for (int column = column_first; column <= column_last; ++column) {
      float people = grid.people[static_cast<size_t>(row) * grid.columns + column];
      if (!(people > 0)) continue;
      double lon = grid.west + (column + 0.5) * grid.cell_deg;
      int index = ZoneIndex(model, ConcentrationAt(model, frame, LocalMetres(source, {lat, lon})));
      if (index >= 0) out.people[index] += people;
    }
  }
  return out;
}

DenseGasScreen ScreenDenseGas(const Model& model) {
  const Scenario& s = model.scenario();
  DenseGasScreen screen;
  const double air_k = s.met.temperature_k, pressure = s.met.pressure_pa;
  // A liquefied gas flashes and its vapour leaves at its boiling point; a liquid that boils above
  // the air's temperature gives off vapour at the air's temperature.
  const double release_k = std::min(model.substance().boiling_point_k, air_k);
  screen.air_density_kg_m3 = pressure * kAirMolarMassKg / (kGasConstant * air_k);
  screen.release_density_kg_m3 =
      pressure * model.substance().molecular_weight_g_mol / 1000 / (kGasConstant * release_k);
  screen.reduced_gravity_m_s2 = kGravity *
                                (screen.release_density_kg_m3 - screen.air_density_kg_m3) /
                                screen.air_density_kg_m3;
  const double wind_10m =
      s.met.wind_speed_m_s * std::pow(10.0 / s.met.wind_height_m, kPowerLawExponent);
  screen.instantaneous = s.release.kind == SourceKind::kInstantaneous;
  screen.limit = screen.instantaneous ? kInstantaneousLimit : kContinuousLimit;
  if (!(screen.reduced_gravity_m_s2 > 0) || !(wind_10m > 0)) return screen;  // lighter than air
  const double g = screen.reduced_gravity_m_s2;
  if (screen.instantaneous) {
    double volume = s.release.mass_kg / screen.release_density_kg_m3;
    screen.criterion = std::sqrt(g * std::cbrt(volume)) / wind_10m;
  } else {
    double flow = model.emission_kg_s() / screen.release_density_kg_m3;  // m3/s
    double size = std::sqrt(flow / wind_10m);                            // D
    screen.criterion = size > 0 ? std::cbrt(g * flow / size) / wind_10m : 0;
  }
  if (!std::isfinite(screen.criterion)) screen.criterion = 0;
  screen.dense = screen.criterion >= screen.limit;
  return screen;
}

}  // namespace cbrnhub::hazard
