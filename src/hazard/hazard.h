// Hazard modelling for exercise scenarios: a toxic release, its Gaussian plume or puff, the
// red/orange/yellow threat zones as polygons in lat/lon, a concentration grid and an ensemble
// giving the probability of exceeding each threshold. A library like sanctions: no database, no
// HTTP, no words (failures carry the field they are about; the presentation layer translates).
//
// Every result is a planning estimate, not response advice: a Gaussian model of a neutral gas,
// blind to buildings, terrain and the slumping of dense gases (docs/hazard.md says how far to
// trust it and gives the validation figures against Project Prairie Grass).
// All functions are pure and thread-safe; failures are InvalidArgument with the field named.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cbrnhub::hazard {

// ---------------------------------------------------------------------------------------------
// Substances and their protective-action thresholds.

enum class ThresholdFamily { kAegl, kErpg, kTeel };
// Exposure durations the AEGL tables give; ERPG and TEEL are 60-minute values.
inline constexpr std::array<int, 5> kAeglDurationsMin = {10, 30, 60, 240, 480};

struct ThresholdSet {
  ThresholdFamily family = ThresholdFamily::kAegl;
  // Level 1, 2, 3 in ppm for each duration of kAeglDurationsMin (ERPG/TEEL: the 60-minute value
  // in every slot); nullopt = not recommended / not given (e.g. phosgene has no AEGL-1).
  std::array<std::array<std::optional<double>, 5>, 3> ppm;
};

struct Substance {
  std::string id;    // "chlorine"
  std::string name;  // English name as in the source table
  std::string cas;
  double molecular_weight_g_mol = 0;
  double boiling_point_k = 0;
  double vapour_pressure_pa_20c = 0;  // at 20 degrees C
  std::optional<ThresholdSet> aegl, erpg, teel;
};

struct SubstanceTable {
  std::string source;    // where the values come from (named on every map legend)
  std::string revision;  // the source's revision or date
  std::vector<Substance> substances;
  const Substance* Find(std::string_view id) const;  // nullptr when unknown
};

// The table shipped in data/hazard/substances.json.
const SubstanceTable& ShippedSubstances();
// Parses a table in the shipped format; InvalidArgument naming the entry and field on error.
Result<SubstanceTable> ParseSubstanceTable(std::string_view json_text);

// The threshold of one level used for a zone, chosen in ALOHA's order: AEGL, else ERPG, else TEEL.
struct ZoneThreshold {
  int level = 0;  // 3 = red, 2 = orange, 1 = yellow
  ThresholdFamily family = ThresholdFamily::kAegl;
  int duration_min = 60;
  double ppm = 0;
  double mg_m3 = 0;  // at the scenario's temperature and pressure
};
// Thresholds for `exposure_min` (one of kAeglDurationsMin for AEGL; others use 60), red first;
// levels without a value in any family are left out.
std::vector<ZoneThreshold> ChooseThresholds(const Substance& substance, int exposure_min,
                                            double temperature_k, double pressure_pa);

// Unit conversion for a gas of molecular weight `mw` at temperature T and pressure P:
// mg/m3 = ppm * mw * P / (R * T) / 1000.
double PpmToMgM3(double ppm, double mw_g_mol, double temperature_k, double pressure_pa);
double MgM3ToPpm(double mg_m3, double mw_g_mol, double temperature_k, double pressure_pa);

// ---------------------------------------------------------------------------------------------
// Meteorology and dispersion coefficients.

enum class Terrain { kRural, kUrban };
enum class Insolation { kStrong, kModerate, kSlight };

// Pasquill class as an index A = 0 ... F = 5; Turner's table also gives half classes (A-B = 0.5),
// whose sigmas are interpolated between the two neighbours.
using StabilityIndex = double;
inline constexpr StabilityIndex kClassA = 0, kClassD = 3, kClassF = 5;
// "A".."F", "A-B", "B-C", "C-D"; InvalidArgument otherwise.
Result<StabilityIndex> ParseStabilityClass(std::string_view text);
std::string StabilityClassName(StabilityIndex index);

// Turner (1970, Table 1) after Pasquill (1961): the class from the 10 m wind speed, day or night,
// the day's insolation and the night's cloud cover in oktas (overcast 8/8 is D day or night).
Result<StabilityIndex> TurnerClass(double wind_10m_m_s, bool daytime, Insolation insolation,
                                   int cloud_oktas);
// Golder (1972): the class from the Monin-Obukhov length L (m) and the roughness length z0 (m),
// as the nearest of the class lines 1/L = a + b log10(z0).
Result<StabilityIndex> GolderClass(double monin_obukhov_length_m, double roughness_m);
// Turner (1964) insolation for clear skies from the sun's elevation (degrees): >60 strong,
// 35..60 moderate, 15..35 slight; nullopt below 15 degrees (treat as night).
std::optional<Insolation> InsolationFromSunElevation(double elevation_deg);
// The sun's elevation (degrees) at a place and UTC time (NOAA's low-precision formulas).
double SunElevationDeg(double lat, double lon, std::int64_t unix_seconds);

struct Sigmas {
  double y = 0, z = 0;  // metres
};
// Briggs (1973) open-country or McElroy-Pooler urban (Briggs' fit, 1973) sigmas at distance x (m)
// for 10-minute averages.
Sigmas DispersionSigmas(Terrain terrain, StabilityIndex stability, double x_m);

// ---------------------------------------------------------------------------------------------
// Releases and the scenario.

enum class SourceKind { kContinuous, kInstantaneous, kPuddle };

struct Release {
  SourceKind kind = SourceKind::kContinuous;
  double rate_kg_s = 0;       // continuous
  double duration_s = 0;      // continuous
  double mass_kg = 0;         // instantaneous, puddle
  double puddle_area_m2 = 0;  // puddle
  double height_m = 0;        // release height
};

struct Meteorology {
  double wind_speed_m_s = 0;
  double wind_from_deg = 0;  // direction the wind blows from, degrees from north
  double wind_height_m = 10;
  // The class: given, else from L (Golder), else from Turner's table.
  std::optional<StabilityIndex> stability;
  std::optional<double> monin_obukhov_length_m;
  bool daytime = true;
  Insolation insolation = Insolation::kModerate;
  int cloud_oktas = 4;
  double temperature_k = 293.15;
  double pressure_pa = 101325;
  std::optional<double> mixing_height_m;  // lid for reflections; none = unlimited
  // Measured standard deviation of the wind direction (degrees): widens or narrows the
  // wind-direction confidence lines and the ensemble's direction spread. It does not set sigma_y
  // (docs/hazard.md: Draxler's sigma_y from it underpredicted Prairie Grass 1.5-fold).
  std::optional<double> sigma_theta_deg;
};

struct Scenario {
  std::string substance_id;
  Release release;
  Meteorology met;
  Terrain terrain = Terrain::kRural;
  double latitude = 0, longitude = 0;
  double roughness_m = 0.1;        // for Golder's classification
  double averaging_time_s = 600;   // concentrations are means over this time
  double receptor_height_m = 1.5;  // breathing height
  int exposure_min = 60;           // threshold duration
};

// A scenario from its JSON form (docs/hazard.md, "Release JSON"): {"substance", "source": {"kind":
// "continuous" | "instantaneous" | "puddle", "rate_kg_s", "duration_s", "mass_kg", "area_m2",
// "height_m"}, "location": {"lat", "lon"}, "met": {"wind_speed_m_s", "wind_from_deg",
// "wind_height_m", "class", "monin_obukhov_length_m", "daytime", "insolation", "cloud_oktas",
// "temperature_c", "pressure_hpa", "mixing_height_m", "sigma_theta_deg"}, "terrain",
// "averaging_time_s", "exposure_min", "receptor_height_m", "roughness_m"}. Unknown keys and
// wrong types are InvalidArgument naming the field ("met.wind_speed_m_s"); the values are not
// yet checked (Validate / Model::Make do that, with the same field names).
Result<Scenario> ScenarioFromJson(std::string_view json_text);

// Checks every field; InvalidArgument naming the first bad one ("met.wind_speed_m_s", ...).
Status Validate(const Scenario& scenario, const SubstanceTable& table = ShippedSubstances());

// A checked scenario ready to evaluate: emission, class, coefficients resolved.
class Model {
 public:
  static Result<Model> Make(const Scenario& scenario,
                            const SubstanceTable& table = ShippedSubstances());

  // Peak mean concentration (mg/m3, over the averaging time) at (x downwind, y crosswind, z)
  // metres from the source; 0 upwind. Finite for every input.
  double Concentration(double x_m, double y_m, double z_m) const;
  // The same at the receptor height on the plume's axis.
  double CentrelineConcentration(double x_m) const;
  // The time (s) the cloud's front takes to reach distance x.
  double ArrivalTimeS(double x_m) const { return x_m / wind_speed_; }
  Sigmas SigmasAt(double x_m) const;

  StabilityIndex stability() const { return stability_; }
  double emission_kg_s() const { return emission_kg_s_; }
  double emission_duration_s() const { return emission_duration_s_; }
  const Substance& substance() const { return substance_; }
  const Scenario& scenario() const { return scenario_; }
  const std::vector<ZoneThreshold>& thresholds() const { return thresholds_; }
  // Multiplies concentrations for the averaging time: (600 s / t)^0.2 (Turner 1970, eq. 5.8 form).
  double averaging_factor() const { return averaging_factor_; }

 private:
  Model() = default;
  Scenario scenario_;
  Substance substance_;  // a copy: a model outlives the table it was made from
  StabilityIndex stability_ = kClassD;
  double wind_speed_ = 1;
  double emission_kg_s_ = 0, emission_duration_s_ = 0, mass_kg_ = 0;
  double averaging_factor_ = 1;
  std::vector<ZoneThreshold> thresholds_;
};

// Evaporation rate (kg/s) of a liquid pool: US EPA (1999) RMP offsite consequence analysis
// guidance, Appendix D, eq. D-1, in SI units. A liquid at or above its boiling point evaporates
// as at its boiling point (the guidance's rule for refrigerated liquefied gases).
Result<double> PuddleEvaporationKgS(const Substance& substance, double area_m2, double wind_m_s,
                                    double temperature_k);

// ---------------------------------------------------------------------------------------------
// Footprints: zones, confidence lines, grids and the ensemble.

struct LatLon {
  double lat = 0, lon = 0;
};
// Local east/north metres around an origin to lat/lon (equirectangular; < 0.1 % error at 20 km).
LatLon Offset(LatLon origin, double east_m, double north_m);

struct Zone {
  ZoneThreshold threshold;
  double length_m = 0;  // furthest downwind distance above the threshold
  double max_half_width_m = 0;
  std::vector<LatLon> polygon;  // closed ring (first == last); empty when nothing exceeds
};

struct Footprint {
  std::vector<Zone> zones;                              // red first
  std::array<std::vector<LatLon>, 2> confidence_lines;  // each: source and a far point
  double confidence_half_angle_deg = 0;
  LatLon source;
};

// Zones with polygons of `points` vertices along each side, confidence lines out to the longest
// zone (or `min_line_m`).
Footprint ComputeFootprint(const Model& model, int points = 60, double min_line_m = 1000);
// Half-angle of the lines that enclose 95 % of wind-direction changes: 1.96 sigma of the
// direction (the measured sigma_theta, else the middle of the class's sigma-A range in US EPA
// 2000, EPA-454/R-99-005, section 6.4).
double DirectionSigmaDeg(const Model& model);

// A north-up grid of mean concentrations (mg/m3) at the receptor height.
struct Grid {
  LatLon south_west;  // corner of cell (0, 0)
  double cell_m = 0;
  int columns = 0, rows = 0;  // columns run east, rows north
  std::vector<float> values;  // rows * columns, row 0 = south
  float At(int column, int row) const {
    return values[static_cast<size_t>(row) * columns + column];
  }
};
// A grid of cells x cells centred on the source reaching `extent_m` in every direction;
// InvalidArgument unless 0 < extent_m <= 200 km and 1 <= cells <= 2000.
Result<Grid> ComputeGrid(const Model& model, double extent_m, int cells);

struct EnsembleOptions {
  int members = 1000;
  std::uint64_t seed = 17;
  double direction_sigma_deg = -1;        // < 0: DirectionSigmaDeg(model)
  double speed_log_sigma = 0.2;           // speed multiplied by exp(N(0, s))
  double class_shift_probability = 0.25;  // one class more or less stable, each side
  int threads = 2;
};
// Per cell and zone level (red first, as model.thresholds()), the fraction of members whose
// concentration exceeds the threshold.
struct ProbabilityGrid {
  Grid layout;  // values unused (empty)
  std::vector<ZoneThreshold> thresholds;
  std::vector<std::vector<float>> probability;  // [threshold][row * columns + column]
};
Result<ProbabilityGrid> ComputeEnsemble(const Model& model, double extent_m, int cells,
                                        const EnsembleOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Who is inside: places, population, and the dense-gas screen.

struct EastNorth {
  double east = 0, north = 0;  // metres
};
// The inverse of Offset: a point's east/north metres from `origin` (the same projection).
EastNorth LocalMetres(LatLon origin, LatLon point);

// Where a place lies in a footprint.
struct PlaceExposure {
  // The highest zone level (3 red, 2 orange, 1 yellow) whose threshold the mean concentration
  // at the place exceeds; 0 outside every zone.
  int level = 0;
  double distance_m = 0;                   // from the release point
  double downwind_m = 0, crosswind_m = 0;  // in the wind's frame
  double concentration_mg_m3 = 0;          // at the receptor height
  // When the cloud's front arrives (Model::ArrivalTimeS); downwind places only.
  std::optional<double> arrival_s;
};
PlaceExposure Expose(const Model& model, LatLon place);

// A population grid in the ESRI ASCII grid format (docs/hazard.md): a header of ncols, nrows,
// xllcorner or xllcenter, yllcorner or yllcenter, cellsize (degrees) and optionally
// NODATA_value, then nrows lines of ncols people counts, north row first. NODATA cells count 0.
struct PopulationGrid {
  int columns = 0, rows = 0;
  double west = 0, south = 0;  // the grid's lower-left corner, degrees
  double cell_deg = 0;
  std::vector<float> people;  // rows * columns, row 0 = north (the file's order)
  double total = 0;
};
// At most this many cells (a 1 km grid of a large country; 4 bytes each in memory).
inline constexpr std::int64_t kMaxPopulationCells = 50'000'000;
// InvalidArgument with field "population" and the line in the message ("line 7: ...") for a
// bad header, a count that is not a non-negative number, too few or too many values, a grid
// outside -180..180 / -90..90 or larger than kMaxPopulationCells.
Result<PopulationGrid> ParsePopulationGrid(std::string_view text);

// People per zone: the cells whose centre lies inside a zone (the mean concentration at the
// cell's centre exceeds its threshold) count wholly, each in the highest zone it lies in, so
// the bands do not overlap (red, then orange outside red, then yellow outside orange).
struct PopulationByZone {
  std::vector<double> people;  // one per model.thresholds(), red first
  // False when part of a zone lies outside the grid (its count is then a lower bound).
  bool complete = true;
};
PopulationByZone CountPopulation(const Model& model, const Footprint& footprint,
                                 const PopulationGrid& grid);

// Britter & McQuaid (1988), Workbook on the Dispersion of Dense Gases (HSE Contract Research
// Report 17/1988), section 3: a release is dense, and a passive Gaussian model unfit, when
// continuous: (g'0 q0 / D)^(1/3) / U >= 0.15 with D = (q0 / U)^(1/2);
// instantaneous: sqrt(g'0 V0^(1/3)) / U >= 0.2;
// g'0 = g (rho0 - rho_a) / rho_a, rho0 the released vapour's density at the lower of its
// boiling point and the air temperature, q0 (m3/s) and V0 (m3) its volume, U the 10 m wind.
struct DenseGasScreen {
  bool dense = false;
  bool instantaneous = false;
  double release_density_kg_m3 = 0, air_density_kg_m3 = 0;
  double reduced_gravity_m_s2 = 0;  // g'0; negative for a gas lighter than air
  double criterion = 0;             // the left-hand side above (0 when lighter than air)
  double limit = 0;                 // 0.15 or 0.2
};
DenseGasScreen ScreenDenseGas(const Model& model);

// The ensemble's probability drawn in bands, like the zones: [10 %, 50 %), [50 %, 90 %),
// [90 %, 100 %]; below 10 % is left blank.
inline constexpr std::array<double, 3> kProbabilityBands = {0.1, 0.5, 0.9};
// The band of a probability (0, 1, 2), or -1 below the first.
int ProbabilityBand(double probability);

// What a footprint's GeoJSON carries besides the zones.
struct NamedPlace {
  std::string id, name, kind;
  LatLon at;
  PlaceExposure exposure;
};
struct FootprintExtras {
  std::vector<NamedPlace> places;
  std::optional<PopulationByZone> population;
  const ProbabilityGrid* probability = nullptr;
  size_t probability_index = 0;  // which of probability->thresholds
  int members = 0;
};

// GeoJSON FeatureCollection: zones (level, family, ppm, mg/m3, length), confidence lines, the
// source, places (level, distance, arrival), the probability bands of one level (a MultiPolygon
// per band), and properties {substance, source table, revision, planning_estimate: true,
// dense_gas: the screen, population per zone}.
std::string FootprintGeoJson(const Model& model, const Footprint& footprint,
                             const FootprintExtras& extras = {});
// CSV rows "level,family,duration_min,ppm,mg_m3,length_m,max_half_width_m" (header first),
// with a "people" column when `population` is given.
std::string FootprintCsv(const Footprint& footprint, const PopulationByZone* population = nullptr);

// ---------------------------------------------------------------------------------------------
// Scoring against field data (Chang & Hanna 2004).

struct PerformanceMeasures {
  int n = 0;
  double fac2 = 0, fb = 0, nmse = 0, mg = 0, vg = 0;
};
// observed and predicted pairs (> 0); n = 0 when empty.
PerformanceMeasures Score(const std::vector<double>& observed,
                          const std::vector<double>& predicted);

}  // namespace cbrnhub::hazard
