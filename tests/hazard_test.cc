// The hazard model against published tables, hand-computed plume values and the Project Prairie
// Grass field trials (scored with Chang & Hanna's measures), and its answers to bad input.
#include "hazard/hazard.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>
#include <sstream>

#include "test_support.h"

namespace cbrnhub::hazard {
namespace {

Scenario ChlorineScenario() {
  Scenario s;
  s.substance_id = "chlorine";
  s.release.kind = SourceKind::kContinuous;
  s.release.rate_kg_s = 10;
  s.release.duration_s = 600;
  s.met.wind_speed_m_s = 3;
  s.met.wind_from_deg = 270;
  s.met.stability = kClassD;
  s.latitude = 48.85;
  s.longitude = 2.35;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Substances and units

TEST(Substances, ShippedTableNamesItsSourceAndHoldsPublishedAegls) {
  const SubstanceTable& table = ShippedSubstances();
  EXPECT_NE(table.source.find("AEGL"), std::string::npos);
  EXPECT_FALSE(table.revision.empty());
  ASSERT_GE(table.substances.size(), 8u);
  const Substance* chlorine = table.Find("chlorine");
  ASSERT_NE(chlorine, nullptr);
  EXPECT_NEAR(chlorine->molecular_weight_g_mol, 70.9, 1e-9);
  ASSERT_TRUE(chlorine->aegl);
  // EPA final AEGLs for chlorine, 60 minutes: 0.50 / 2.0 / 20 ppm.
  EXPECT_DOUBLE_EQ(*chlorine->aegl->ppm[0][2], 0.5);
  EXPECT_DOUBLE_EQ(*chlorine->aegl->ppm[1][2], 2.0);
  EXPECT_DOUBLE_EQ(*chlorine->aegl->ppm[2][2], 20);
  EXPECT_EQ(table.Find("unobtainium"), nullptr);
}

TEST(Substances, ThresholdsFollowAlohasOrderAndFallBackPerLevel) {
  auto table = ParseSubstanceTable(R"({"source": "test", "revision": "1", "substances": [
    {"id": "x", "name": "X", "cas": "1-1-1", "molecular_weight_g_mol": 50, "boiling_point_c": 10,
     "vapour_pressure_pa_20c": 150000,
     "aegl": {"2": [5, 4, 3, 2, 1], "3": [50, 40, 30, 20, 10]},
     "erpg": {"1": 0.7, "2": 6, "3": 60},
     "teel": {"1": 0.1, "2": 1, "3": 10}}]})");
  ASSERT_TRUE(table.ok()) << table.status().message();
  auto t = ChooseThresholds(table->substances[0], 60, 298.15, 101325);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].level, 3);
  EXPECT_EQ(t[0].family, ThresholdFamily::kAegl);
  EXPECT_DOUBLE_EQ(t[0].ppm, 30);
  EXPECT_EQ(t[1].family, ThresholdFamily::kAegl);
  EXPECT_DOUBLE_EQ(t[1].ppm, 3);
  // No AEGL-1: ERPG-1 before TEEL-1.
  EXPECT_EQ(t[2].family, ThresholdFamily::kErpg);
  EXPECT_DOUBLE_EQ(t[2].ppm, 0.7);
  auto ten = ChooseThresholds(table->substances[0], 10, 298.15, 101325);
  EXPECT_DOUBLE_EQ(ten[0].ppm, 50);
  EXPECT_EQ(ten[0].duration_min, 10);
}

TEST(Substances, BrokenTablesAreRefusedWithTheEntryAndField) {
  auto missing_source = ParseSubstanceTable(R"({"substances": []})");
  EXPECT_EQ(missing_source.status().field(), "source");
  auto bad_weight = ParseSubstanceTable(R"({"source": "s", "revision": "r", "substances": [
    {"id": "x", "name": "X", "cas": "1", "molecular_weight_g_mol": -3, "boiling_point_c": 1,
     "vapour_pressure_pa_20c": 1, "aegl": {"1": 1}}]})");
  EXPECT_EQ(bad_weight.status().field(), "substances[0].molecular_weight_g_mol");
  auto no_thresholds = ParseSubstanceTable(R"({"source": "s", "revision": "r", "substances": [
    {"id": "x", "name": "X", "cas": "1", "molecular_weight_g_mol": 3, "boiling_point_c": 1,
     "vapour_pressure_pa_20c": 1}]})");
  EXPECT_EQ(no_thresholds.status().field(), "substances[0].aegl");
  EXPECT_FALSE(ParseSubstanceTable("not json").ok());
}

TEST(Units, PpmAndMilligramsPerCubicMetreAtTemperatureAndPressure) {
  // At 25 C and 1 atm the molar volume is 24.465 L: 1 ppm chlorine = 70.9 / 24.465 = 2.898 mg/m3.
  EXPECT_NEAR(PpmToMgM3(1, 70.9, 298.15, 101325), 2.898, 1e-3);
  // At 0 C: 22.41 L, 1 ppm = 3.164 mg/m3.
  EXPECT_NEAR(PpmToMgM3(1, 70.9, 273.15, 101325), 3.1633, 1e-3);
  EXPECT_NEAR(MgM3ToPpm(PpmToMgM3(7.5, 17.0, 300, 90000), 17.0, 300, 90000), 7.5, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Published tables

TEST(Sigmas, BriggsRuralMatchesThePublishedValues) {
  Sigmas d = DispersionSigmas(Terrain::kRural, kClassD, 1000);
  EXPECT_NEAR(d.y, 76.3, 0.05);
  EXPECT_NEAR(d.z, 37.9, 0.05);
  // Class F at 1 km: 40 / sqrt(1.1) = 38.1, 16 / 1.3 = 12.3.
  Sigmas f = DispersionSigmas(Terrain::kRural, kClassF, 1000);
  EXPECT_NEAR(f.y, 38.14, 0.01);
  EXPECT_NEAR(f.z, 12.31, 0.01);
  // Class A: sigma_z = 0.20 x.
  EXPECT_NEAR(DispersionSigmas(Terrain::kRural, kClassA, 500).z, 100, 1e-9);
  // A half class lies between its neighbours.
  double cd = DispersionSigmas(Terrain::kRural, 2.5, 1000).z;
  EXPECT_GT(cd, DispersionSigmas(Terrain::kRural, 3, 1000).z);
  EXPECT_LT(cd, DispersionSigmas(Terrain::kRural, 2, 1000).z);
}

TEST(Sigmas, McElroyPoolerUrbanMatchesBriggsFit) {
  // Class D urban at 1 km: 0.16 x / sqrt(1.4) = 135.2, 0.14 x / sqrt(1.3) = 122.8.
  Sigmas d = DispersionSigmas(Terrain::kUrban, kClassD, 1000);
  EXPECT_NEAR(d.y, 135.2, 0.1);
  EXPECT_NEAR(d.z, 122.8, 0.1);
  // A-B urban: sigma_z = 0.24 x sqrt(1 + 0.001 x).
  EXPECT_NEAR(DispersionSigmas(Terrain::kUrban, kClassA, 1000).z, 240 * std::sqrt(2.0), 1e-6);
}

TEST(Stability, TurnersTableRowByRow) {
  auto cls = [](double u, bool day, Insolation i, int oktas) {
    return StabilityClassName(TurnerClass(u, day, i, oktas).value());
  };
  EXPECT_EQ(cls(1.5, true, Insolation::kStrong, 2), "A");
  EXPECT_EQ(cls(1.5, true, Insolation::kModerate, 2), "A-B");
  EXPECT_EQ(cls(2.5, true, Insolation::kSlight, 2), "C");
  EXPECT_EQ(cls(4, true, Insolation::kModerate, 2), "B-C");
  EXPECT_EQ(cls(5.5, true, Insolation::kModerate, 2), "C-D");
  EXPECT_EQ(cls(7, true, Insolation::kStrong, 2), "C");
  EXPECT_EQ(cls(7, true, Insolation::kSlight, 2), "D");
  EXPECT_EQ(cls(2.5, false, Insolation::kSlight, 5), "E");
  EXPECT_EQ(cls(2.5, false, Insolation::kSlight, 2), "F");
  EXPECT_EQ(cls(4, false, Insolation::kSlight, 2), "E");
  EXPECT_EQ(cls(4, false, Insolation::kSlight, 6), "D");
  EXPECT_EQ(cls(1, true, Insolation::kStrong, 8), "D");  // overcast
  EXPECT_FALSE(TurnerClass(0, true, Insolation::kStrong, 2).ok());
  EXPECT_FALSE(TurnerClass(3, true, Insolation::kStrong, 9).ok());
}

TEST(Stability, GolderClassFromMoninObukhovLength) {
  // z0 = 0.1 m: the class lines are 1/L = a - b.
  EXPECT_NEAR(GolderClass(1e6, 0.1).value(), kClassD, 0.01);
  EXPECT_EQ(StabilityClassName(GolderClass(-5, 0.1).value()), "A");
  EXPECT_EQ(StabilityClassName(GolderClass(1.0 / 0.071, 0.1).value()), "F");
  EXPECT_EQ(StabilityClassName(GolderClass(1.0 / 0.022, 0.1).value()), "E");
  EXPECT_EQ(StabilityClassName(GolderClass(-1.0 / 0.066, 0.1).value()), "B");
  EXPECT_FALSE(GolderClass(0, 0.1).ok());
}

TEST(Stability, SunElevationAtNoonAndMidnight) {
  // 21 June 2026 12:00 UTC at 0 N, 0 E: the sun stands 23.4 degrees from the zenith.
  EXPECT_NEAR(SunElevationDeg(0, 0, 1782043200), 66.6, 1.0);
  EXPECT_LT(SunElevationDeg(0, 0, 1782043200 + 12 * 3600), -60);
  EXPECT_EQ(InsolationFromSunElevation(70), Insolation::kStrong);
  EXPECT_EQ(InsolationFromSunElevation(10), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// The plume formula at hand-computed points

TEST(Plume, GroundReleaseCentrelineMatchesTheFormula) {
  Scenario s = ChlorineScenario();
  s.release.duration_s = 1e6;  // steady state
  s.receptor_height_m = 0;
  auto model = Model::Make(s);
  ASSERT_TRUE(model.ok());
  // C = Q / (pi u sy sz) for a ground source and receptor (reflection doubles the Gaussian).
  double expected = 10e6 / (std::numbers::pi * 3 * 76.2753 * 37.9473);
  EXPECT_NEAR(model->Concentration(1000, 0, 0), expected, expected * 1e-4);
  // Off-axis by one sigma_y: exp(-1/2).
  EXPECT_NEAR(model->Concentration(1000, 76.2753, 0), expected * std::exp(-0.5), expected * 1e-4);
  EXPECT_EQ(model->Concentration(-10, 0, 0), 0);
}

TEST(Plume, ElevatedReleaseAndMixingLid) {
  Scenario s = ChlorineScenario();
  s.release.duration_s = 1e6;
  s.release.height_m = 20;
  s.receptor_height_m = 0;
  s.met.stability = 5;  // F: a thin plume stays aloft near the source
  auto model = Model::Make(s);
  ASSERT_TRUE(model.ok());
  Sigmas sg = DispersionSigmas(Terrain::kRural, 5, 300);
  double expected =
      10e6 / (std::numbers::pi * 3 * sg.y * sg.z) * std::exp(-20.0 * 20.0 / (2 * sg.z * sg.z));
  EXPECT_NEAR(model->Concentration(300, 0, 0), expected, expected * 1e-4);
  // Far away under a 100 m lid the plume is well mixed: C = Q / (sqrt(2 pi) u sy h).
  s.met.stability = kClassD;
  s.met.mixing_height_m = 100;
  auto lidded = Model::Make(s);
  ASSERT_TRUE(lidded.ok());
  Sigmas far = DispersionSigmas(Terrain::kRural, kClassD, 20000);
  double mixed = 10e6 / (std::sqrt(2 * std::numbers::pi) * 3 * far.y * 100);
  EXPECT_NEAR(lidded->Concentration(20000, 0, 0), mixed, mixed * 1e-3);
  // Reflection off the lid raises concentrations compared with no lid.
  s.met.mixing_height_m.reset();
  auto open = Model::Make(s);
  EXPECT_GT(lidded->Concentration(3000, 0, 0), open->Concentration(3000, 0, 0));
}

TEST(Plume, AveragingTimeAndShortReleasesLowerTheMean) {
  Scenario s = ChlorineScenario();
  auto ten = Model::Make(s);
  s.averaging_time_s = 3600;
  auto hour = Model::Make(s);
  ASSERT_TRUE(ten.ok() && hour.ok());
  // A 600 s release averaged over an hour: at most the dose over 3600 s.
  EXPECT_LT(hour->CentrelineConcentration(500), ten->CentrelineConcentration(500) / 5);
  EXPECT_NEAR(ten->averaging_factor(), 1, 1e-12);
  EXPECT_NEAR(hour->averaging_factor(), std::pow(600.0 / 3600, 0.2), 1e-12);
}

TEST(Puff, InstantaneousPeakMatchesTheFormula) {
  Scenario s = ChlorineScenario();
  s.release.kind = SourceKind::kInstantaneous;
  s.release.mass_kg = 100;
  s.receptor_height_m = 0;
  s.averaging_time_s = 1;  // the peak itself
  auto model = Model::Make(s);
  ASSERT_TRUE(model.ok());
  Sigmas sg = DispersionSigmas(Terrain::kRural, kClassD, 1000);
  double peak = 2 * 100e6 / (std::pow(2 * std::numbers::pi, 1.5) * sg.y * sg.y * sg.z);
  EXPECT_NEAR(model->Concentration(1000, 0, 0), peak, peak * 1e-4);
}

TEST(Puddle, EvaporationFollowsEpaEquationAndBoilingPoolsUseOneAtmosphere) {
  const Substance* hcn = ShippedSubstances().Find("hydrogen_cyanide");
  ASSERT_NE(hcn, nullptr);
  // EPA eq. D-1 by hand: 0.284 * 2^0.78 * 27^(2/3) * 107.639 ft2 * VP / (82.05 * 293.15) lb/min
  // with VP = 84000 Pa = 630.05 mmHg (the table's 20 C value).
  double lb_min =
      0.284 * std::pow(2.0, 0.78) * 9.0 * 107.639 * (84000 / 133.322) / (82.05 * 293.15);
  auto rate = PuddleEvaporationKgS(*hcn, 10, 2, 293.15);
  ASSERT_TRUE(rate.ok());
  EXPECT_NEAR(*rate, lb_min * 0.453592 / 60, 1e-6);
  const Substance* chlorine = ShippedSubstances().Find("chlorine");
  auto cold = PuddleEvaporationKgS(*chlorine, 10, 2, 293.15);
  double at_boiling = 0.284 * std::pow(2.0, 0.78) * std::pow(70.9, 2.0 / 3.0) * 107.639 * 760.0 /
                      (82.05 * chlorine->boiling_point_k) * 0.453592 / 60;
  EXPECT_NEAR(*cold, at_boiling, at_boiling * 1e-3);
  EXPECT_FALSE(PuddleEvaporationKgS(*hcn, 0, 2, 293.15).ok());
  Scenario s = ChlorineScenario();
  s.substance_id = "hydrogen_cyanide";
  s.release = {SourceKind::kPuddle, 0, 0, 500, 10, 0};
  s.met.wind_speed_m_s = 2;
  auto model = Model::Make(s);
  ASSERT_TRUE(model.ok());
  EXPECT_NEAR(model->emission_duration_s(), 500 / *rate, 1e-6);
}

// ---------------------------------------------------------------------------------------------
// Zones, grids, ensemble, outputs

TEST(Footprint, ZonesAreNestedPolygonsDownwindWithFiniteCoordinates) {
  auto model = Model::Make(ChlorineScenario());
  ASSERT_TRUE(model.ok());
  Footprint fp = ComputeFootprint(*model);
  ASSERT_EQ(fp.zones.size(), 3u);
  EXPECT_EQ(fp.zones[0].threshold.level, 3);
  EXPECT_LT(fp.zones[0].length_m, fp.zones[1].length_m);
  EXPECT_LT(fp.zones[1].length_m, fp.zones[2].length_m);
  // The red zone ends where the axis concentration equals AEGL-3.
  double edge = model->CentrelineConcentration(fp.zones[0].length_m);
  EXPECT_NEAR(edge, fp.zones[0].threshold.mg_m3, fp.zones[0].threshold.mg_m3 * 1e-3);
  for (const Zone& z : fp.zones) {
    ASSERT_GT(z.polygon.size(), 10u);
    EXPECT_EQ(z.polygon.front().lat, z.polygon.back().lat);
    for (const LatLon& p : z.polygon) {
      ASSERT_TRUE(std::isfinite(p.lat) && std::isfinite(p.lon));
      // Wind from the west: every point lies east of the source, within the zone's width.
      EXPECT_GE(p.lon, 2.35 - 1e-9);
      EXPECT_NEAR(p.lat, 48.85, (z.max_half_width_m + 1) / 111000.0);
    }
  }
  EXPECT_GT(fp.confidence_half_angle_deg, 10);
}

TEST(Footprint, GeoJsonAndCsvCarryTheZonesAndThePlanningNotice) {
  auto model = Model::Make(ChlorineScenario());
  Footprint fp = ComputeFootprint(*model);
  auto doc = nlohmann::json::parse(FootprintGeoJson(*model, fp));
  EXPECT_EQ(doc["type"], "FeatureCollection");
  EXPECT_EQ(doc["properties"]["planning_estimate"], true);
  int zones = 0, lines = 0;
  for (const auto& f : doc["features"]) {
    if (f["properties"]["kind"] == "zone") {
      ++zones;
      auto ring = f["geometry"]["coordinates"][0];
      EXPECT_EQ(ring.front(), ring.back());
      double lon = ring[1][0], lat = ring[1][1];  // GeoJSON order: longitude first
      EXPECT_NEAR(lat, 48.85, 0.1);
      EXPECT_NEAR(lon, 2.35, 0.5);
    }
    lines += f["properties"]["kind"] == "confidence_line";
  }
  EXPECT_EQ(zones, 3);
  EXPECT_EQ(lines, 2);
  std::string csv = FootprintCsv(fp);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "level,family,duration_min,ppm,mg_m3,length_m,max_half_width_m");
  EXPECT_NE(csv.find("\n3,AEGL,60,20,"), std::string::npos);
}

TEST(Grid, ValuesAreFiniteAndPeakDownwind) {
  auto model = Model::Make(ChlorineScenario());
  auto grid = ComputeGrid(*model, 2000, 100);
  ASSERT_TRUE(grid.ok());
  float east = grid->At(80, 50), west = grid->At(20, 50);
  EXPECT_GT(east, 0);
  EXPECT_EQ(west, 0);
  for (float v : grid->values) ASSERT_TRUE(std::isfinite(v) && v >= 0);
  EXPECT_FALSE(ComputeGrid(*model, 0, 100).ok());
  EXPECT_FALSE(ComputeGrid(*model, 1000, 0).ok());
}

TEST(Ensemble, ProbabilitiesAreHighOnTheAxisLowUpwindAndRepeatable) {
  auto model = Model::Make(ChlorineScenario());
  EnsembleOptions options;
  options.members = 200;
  auto a = ComputeEnsemble(*model, 3000, 60, options);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->probability.size(), 3u);
  // 350 m east of the source on the axis (yellow) is reached by most members, more than 350 m
  // east and 400 m north of it.
  int row = 30, column = 33;
  EXPECT_GT(a->probability[2][row * 60 + column], 0.6f);
  EXPECT_LT(a->probability[2][(row + 4) * 60 + column], a->probability[2][row * 60 + column]);
  EXPECT_EQ(a->probability[2][row * 60 + 5], 0.0f);  // far upwind
  // Red is never more likely than yellow.
  for (size_t c = 0; c < a->probability[0].size(); ++c)
    ASSERT_LE(a->probability[0][c], a->probability[2][c]);
  options.threads = 1;
  auto b = ComputeEnsemble(*model, 3000, 60, options);
  EXPECT_EQ(a->probability, b->probability);
  options.members = 0;
  EXPECT_FALSE(ComputeEnsemble(*model, 3000, 60, options).ok());
}

// ---------------------------------------------------------------------------------------------
// Who is inside: places, population, the dense-gas screen

TEST(Places, LocalMetresUndoesOffset) {
  LatLon origin{48.85, 2.35};
  for (auto [east, north] : {std::pair{1200.0, -300.0}, {-5000.0, 8000.0}, {0.0, 0.0}}) {
    EastNorth back = LocalMetres(origin, Offset(origin, east, north));
    EXPECT_NEAR(back.east, east, 0.01);
    EXPECT_NEAR(back.north, north, 0.01);
  }
  // Across the antimeridian the short way round.
  EastNorth across = LocalMetres({0, 179.999}, {0, -179.999});
  EXPECT_NEAR(across.east, 222.4, 0.5);
}

TEST(Places, ZoneDistanceAndArrivalOfPlacesAroundTheRelease) {
  auto model = Model::Make(ChlorineScenario());  // wind from the west at 3 m/s: the cloud goes east
  ASSERT_TRUE(model.ok());
  LatLon source{48.85, 2.35};
  PlaceExposure school = Expose(*model, Offset(source, 600, 0));
  EXPECT_EQ(school.level, 3);
  EXPECT_NEAR(school.distance_m, 600, 0.5);
  EXPECT_NEAR(school.downwind_m, 600, 0.5);
  ASSERT_TRUE(school.arrival_s.has_value());
  EXPECT_NEAR(*school.arrival_s, 200, 0.2);  // 600 m at 3 m/s
  EXPECT_NEAR(school.concentration_mg_m3, model->CentrelineConcentration(600), 1e-6);
  // The same distance upwind: outside, and no cloud arrives.
  PlaceExposure upwind = Expose(*model, Offset(source, -600, 0));
  EXPECT_EQ(upwind.level, 0);
  EXPECT_FALSE(upwind.arrival_s.has_value());
  // Far to the side of the axis: outside; every level's boundary lies between the axis and it.
  PlaceExposure side = Expose(*model, Offset(source, 600, 3000));
  EXPECT_EQ(side.level, 0);
  // Further down the axis each zone in turn, the level never rising with distance.
  int previous = 3;
  for (double x : {1000.0, 3000.0, 10000.0, 30000.0, 100000.0}) {
    int level = Expose(*model, Offset(source, x, 0)).level;
    EXPECT_LE(level, previous) << x;
    previous = level;
  }
  Footprint fp = ComputeFootprint(*model);
  // A place just inside the yellow zone's far end is yellow (level 1), just beyond it outside.
  double yellow = fp.zones[2].length_m;
  EXPECT_EQ(Expose(*model, Offset(source, yellow * 0.99, 0)).level, 1);
  EXPECT_EQ(Expose(*model, Offset(source, yellow * 1.01, 0)).level, 0);
}

// A grid of `columns` x `rows` cells of `cell` degrees around (lat, lon), each holding `people`.
std::string GridText(int columns, int rows, double west, double south, double cell,
                     const std::function<double(int column, int row)>& people) {
  std::ostringstream out;
  out.precision(10);
  out << "ncols " << columns << "\nnrows " << rows << "\nxllcorner " << west << "\nyllcorner "
      << south << "\ncellsize " << cell << "\nNODATA_value -9999\n";
  for (int row = 0; row < rows; ++row) {
    for (int column = 0; column < columns; ++column) out << people(column, row) << ' ';
    out << '\n';
  }
  return out.str();
}

TEST(Population, AsciiGridIsReadNorthRowFirst) {
  auto grid = ParsePopulationGrid(
      "NCOLS 3\nNROWS 2\nxllcenter 10.5\nyllcenter 20.5\ncellsize 1\nnodata_value -1\n"
      "1 2 3\n4 -1 6.5\n");
  ASSERT_TRUE(grid.ok()) << grid.status().ToString();
  EXPECT_EQ(grid->columns, 3);
  EXPECT_EQ(grid->rows, 2);
  EXPECT_DOUBLE_EQ(grid->west, 10);
  EXPECT_DOUBLE_EQ(grid->south, 20);
  EXPECT_EQ(grid->people[0], 1);  // north-west
  EXPECT_EQ(grid->people[4], 0);  // NODATA counts nobody
  EXPECT_DOUBLE_EQ(grid->total, 16.5);
}

TEST(Population, BadGridsAreRefusedWithTheirLine) {
  auto error = [](const std::string& text) {
    auto grid = ParsePopulationGrid(text);
    EXPECT_FALSE(grid.ok()) << text;
    EXPECT_EQ(grid.status().field(), "population");
    return grid.status().message();
  };
  const std::string header = "ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 0.5\n";
  EXPECT_EQ(error(header + "1 2\n3 x\n"), "line 7: \"x\" is not a number");
  EXPECT_EQ(error(header + "1 2\n3 -4\n"), "line 7: a people count cannot be negative (-4)");
  EXPECT_EQ(error(header + "1 2\n3 1e300\n"),
            "line 7: a people count above 1,000,000,000 in one cell (1e300)");
  EXPECT_EQ(error(header + "1 2\n3\n"), "line 7: fewer values (3) than ncols x nrows (4)");
  EXPECT_EQ(error(header + "1 2\n3 4\n5\n"), "line 8: more values than ncols x nrows (4)");
  EXPECT_NE(error("ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 0\n1 2 3 4")
                .find("line 6: the header needs a positive cellsize"),
            std::string::npos);
  EXPECT_NE(error("ncols 2\nrows 2\n").find("line 2: unknown header \"rows\""), std::string::npos);
  EXPECT_NE(error("ncols 2\nnrows\nxllcorner 0\n").find("line 2: the header line \"nrows\""),
            std::string::npos);
  EXPECT_NE(error("ncols 2\nnrows 1\nxllcorner 179.5\nyllcorner 0\ncellsize 1\n1 1")
                .find("outside longitudes"),
            std::string::npos);
  EXPECT_NE(error("ncols 100000\nnrows 100000\nxllcorner 0\nyllcorner 0\ncellsize 0.000001\n")
                .find("more than"),
            std::string::npos);
  EXPECT_NE(error("").find("ncols and nrows"), std::string::npos);
}

TEST(Population, CellsWhoseCentreIsInsideAZoneCountInTheHighestZoneOnly) {
  auto model = Model::Make(ChlorineScenario());
  ASSERT_TRUE(model.ok());
  Footprint fp = ComputeFootprint(*model);
  LatLon source{48.85, 2.35};
  // 0.002-degree cells (about 150 x 220 m) 0.4 degrees each way: people only in three cells,
  // one on the axis 1 km downwind (red), one 1 km upwind, one beyond the yellow zone's end.
  const double cell = 0.002, west = 2.35 - 0.4, south = 48.85 - 0.4;
  const int n = 400;
  auto cell_of = [&](LatLon p) {
    return std::pair{static_cast<int>((p.lon - west) / cell),
                     n - 1 - static_cast<int>((p.lat - south) / cell)};
  };
  auto red = cell_of(Offset(source, 1000, 0)), upwind = cell_of(Offset(source, -1000, 0));
  auto beyond = cell_of(Offset(source, fp.zones[2].length_m * 1.3, 0));
  std::string text = GridText(n, n, west, south, cell, [&](int c, int r) {
    std::pair here{c, r};
    return here == red ? 1200.0 : here == upwind ? 800.0 : here == beyond ? 50.0 : 0.0;
  });
  auto grid = ParsePopulationGrid(text);
  ASSERT_TRUE(grid.ok()) << grid.status().ToString();
  PopulationByZone counted = CountPopulation(*model, fp, *grid);
  ASSERT_EQ(counted.people.size(), 3u);
  EXPECT_EQ(counted.people[0], 1200);  // red, counted once (not again in orange and yellow)
  EXPECT_EQ(counted.people[1], 0);
  EXPECT_EQ(counted.people[2], 0);
  // The yellow zone reaches beyond this small grid: the count says it is a lower bound.
  EXPECT_FALSE(counted.complete);
  // Everyone everywhere: the bands add up to the people whose cell centre is in some zone.
  auto uniform =
      ParsePopulationGrid(GridText(n, n, west, south, cell, [](int, int) { return 1.0; }));
  PopulationByZone all = CountPopulation(*model, fp, *uniform);
  double inside = 0;
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      LatLon centre{south + (n - r - 0.5) * cell, west + (c + 0.5) * cell};
      inside += Expose(*model, centre).level > 0;
    }
  EXPECT_EQ(all.people[0] + all.people[1] + all.people[2], inside);
  EXPECT_GT(all.people[0], 0);
  EXPECT_GT(all.people[2], all.people[0]);
}

TEST(DenseGas, BritterMcQuaidScreenMatchesAHandCalculation) {
  // Chlorine, 10 kg/s, wind 3 m/s at 10 m, 20 C, 1013.25 hPa. By hand: rho0 = P M / (R Tb) with
  // Tb = 239.25 K -> 3.611 kg/m3; rho_a = 1.2041; g'0 = 9.81 (3.611 - 1.2041) / 1.2041 = 19.61;
  // q0 = 10 / 3.611 = 2.769 m3/s; D = sqrt(q0 / U) = 0.9608 m;
  // (g'0 q0 / D)^(1/3) / U = (19.61 * 2.769 / 0.9608)^(1/3) / 3 = 1.279 >= 0.15: dense.
  auto model = Model::Make(ChlorineScenario());
  ASSERT_TRUE(model.ok());
  DenseGasScreen screen = ScreenDenseGas(*model);
  EXPECT_NEAR(screen.release_density_kg_m3, 3.611, 0.005);
  EXPECT_NEAR(screen.air_density_kg_m3, 1.2041, 0.001);
  EXPECT_NEAR(screen.reduced_gravity_m_s2, 19.61, 0.03);
  EXPECT_NEAR(screen.criterion, 1.279, 0.003);
  EXPECT_DOUBLE_EQ(screen.limit, 0.15);
  EXPECT_TRUE(screen.dense);
  // A trickle in a strong wind is passive: 1 g/s at 10 m/s gives 0.101 < 0.15.
  Scenario trickle = ChlorineScenario();
  trickle.release.rate_kg_s = 0.001;
  trickle.met.wind_speed_m_s = 10;
  DenseGasScreen weak = ScreenDenseGas(*Model::Make(trickle));
  EXPECT_NEAR(weak.criterion, 0.101, 0.002);
  EXPECT_FALSE(weak.dense);
  // Instantaneous: 1 t of chlorine, wind 5 m/s: V0 = 276.9 m3, sqrt(19.61 * 276.9^(1/3)) / 5 =
  // 2.262 >= 0.2.
  Scenario puff = ChlorineScenario();
  puff.release.kind = SourceKind::kInstantaneous;
  puff.release.mass_kg = 1000;
  puff.met.wind_speed_m_s = 5;
  DenseGasScreen burst = ScreenDenseGas(*Model::Make(puff));
  EXPECT_TRUE(burst.instantaneous);
  EXPECT_DOUBLE_EQ(burst.limit, 0.2);
  EXPECT_NEAR(burst.criterion, 2.262, 0.005);
  EXPECT_TRUE(burst.dense);
  // Ammonia vapour at its boiling point is lighter than air (17 g/mol): never dense here.
  Scenario ammonia = ChlorineScenario();
  ammonia.substance_id = "ammonia";
  DenseGasScreen light = ScreenDenseGas(*Model::Make(ammonia));
  EXPECT_LT(light.reduced_gravity_m_s2, 0);
  EXPECT_EQ(light.criterion, 0);
  EXPECT_FALSE(light.dense);
}

TEST(Footprint, GeoJsonCarriesPlacesProbabilityBandsAndTheDenseGasScreen) {
  auto model = Model::Make(ChlorineScenario());
  Footprint fp = ComputeFootprint(*model);
  EnsembleOptions options;
  options.members = 100;
  auto probability = ComputeEnsemble(*model, 3000, 60, options);
  ASSERT_TRUE(probability.ok());
  FootprintExtras extras;
  LatLon source{48.85, 2.35};
  LatLon at = Offset(source, 800, 0);
  extras.places.push_back({"p1", "School No. 4", "school", at, Expose(*model, at)});
  extras.probability = &*probability;
  extras.probability_index = 2;
  extras.members = 100;
  extras.population = PopulationByZone{{10, 20, 30}, true};
  auto doc = nlohmann::json::parse(FootprintGeoJson(*model, fp, extras));
  EXPECT_EQ(doc["properties"]["dense_gas"]["dense"], true);
  EXPECT_EQ(doc["properties"]["population"]["zones"][2]["people"], 30);
  int places = 0, bands = 0;
  for (const auto& f : doc["features"]) {
    const auto& p = f["properties"];
    if (p["kind"] == "place") {
      ++places;
      EXPECT_EQ(p["name"], "School No. 4");
      EXPECT_EQ(p["level"], 3);
      EXPECT_NEAR(p["arrival_s"].get<double>(), 800.0 / 3, 0.5);
    }
    if (p["kind"] == "probability") {
      ++bands;
      EXPECT_EQ(p["level"], 1);
      EXPECT_EQ(f["geometry"]["type"], "MultiPolygon");
      for (const auto& polygon : f["geometry"]["coordinates"])
        EXPECT_EQ(polygon[0].front(), polygon[0].back());
    }
  }
  EXPECT_EQ(places, 1);
  std::set<int> present;  // one MultiPolygon per band the grid holds
  for (float p : probability->probability[2])
    if (ProbabilityBand(p) >= 0) present.insert(ProbabilityBand(p));
  EXPECT_EQ(bands, static_cast<int>(present.size()));
  EXPECT_GE(bands, 2);
  EXPECT_EQ(ProbabilityBand(0.05), -1);
  EXPECT_EQ(ProbabilityBand(0.1), 0);
  EXPECT_EQ(ProbabilityBand(0.89), 1);
  EXPECT_EQ(ProbabilityBand(1.0), 2);
  std::string csv = FootprintCsv(fp, &*extras.population);
  EXPECT_NE(csv.find("max_half_width_m,people\n"), std::string::npos);
  EXPECT_NE(csv.find(",30\n"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Bad input

TEST(BadInput, EachBadFieldIsNamed) {
  auto field = [](auto change) {
    Scenario s = ChlorineScenario();
    change(s);
    return Model::Make(s).status().field();
  };
  EXPECT_EQ(field([](Scenario& s) { s.met.wind_speed_m_s = 0; }), "met.wind_speed_m_s");
  EXPECT_EQ(field([](Scenario& s) { s.met.wind_speed_m_s = -2; }), "met.wind_speed_m_s");
  EXPECT_EQ(field([](Scenario& s) { s.met.wind_speed_m_s = NAN; }), "met.wind_speed_m_s");
  EXPECT_EQ(field([](Scenario& s) { s.substance_id = "kryptonite"; }), "substance");
  EXPECT_EQ(field([](Scenario& s) { s.latitude = 91; }), "latitude");
  EXPECT_EQ(field([](Scenario& s) { s.longitude = -180.5; }), "longitude");
  EXPECT_EQ(field([](Scenario& s) { s.release.duration_s = 0; }), "release.duration_s");
  EXPECT_EQ(field([](Scenario& s) { s.release.rate_kg_s = INFINITY; }), "release.rate_kg_s");
  EXPECT_EQ(field([](Scenario& s) { s.averaging_time_s = 0; }), "averaging_time_s");
  EXPECT_EQ(field([](Scenario& s) { s.averaging_time_s = -60; }), "averaging_time_s");
  EXPECT_EQ(field([](Scenario& s) { s.met.wind_from_deg = 400; }), "met.wind_from_deg");
  EXPECT_EQ(field([](Scenario& s) { s.met.stability = 7; }), "met.stability");
  EXPECT_EQ(field([](Scenario& s) {
              s.met.monin_obukhov_length_m = 0.0;
              s.met.stability.reset();
            }),
            "met.monin_obukhov_length_m");
  EXPECT_EQ(field([](Scenario& s) { s.release.kind = SourceKind::kInstantaneous; }),
            "release.mass_kg");
  EXPECT_EQ(field([](Scenario& s) {
              s.met.mixing_height_m = 10.0;
              s.release.height_m = 20;
            }),
            "release.height_m");
  EXPECT_FALSE(ParseStabilityClass("G").ok());
  EXPECT_EQ(ParseStabilityClass("C-D").value(), 2.5);
}

TEST(ReleaseJson, AFullReleaseReadsIntoTheScenario) {
  auto s = ScenarioFromJson(R"({"substance": "ammonia",
    "source": {"kind": "puddle", "mass_kg": 200, "area_m2": 30, "height_m": 0},
    "location": {"lat": 41.3, "lon": 69.25},
    "met": {"wind_speed_m_s": 4, "wind_from_deg": 315, "class": "C-D", "temperature_c": 30,
            "pressure_hpa": 950, "mixing_height_m": 800},
    "terrain": "urban", "averaging_time_s": 900, "exposure_min": 30})");
  ASSERT_TRUE(s.ok()) << s.status().field() << ": " << s.status().message();
  EXPECT_EQ(s->substance_id, "ammonia");
  EXPECT_EQ(s->release.kind, SourceKind::kPuddle);
  EXPECT_EQ(s->terrain, Terrain::kUrban);
  EXPECT_DOUBLE_EQ(*s->met.stability, 2.5);
  EXPECT_NEAR(s->met.temperature_k, 303.15, 1e-9);
  EXPECT_NEAR(s->met.pressure_pa, 95000, 1e-9);
  EXPECT_EQ(s->exposure_min, 30);
  EXPECT_TRUE(Model::Make(*s).ok());
}

TEST(ReleaseJson, BadJsonNamesTheField) {
  auto field = [](const char* text) { return ScenarioFromJson(text).status().field(); };
  const char* base_met = R"("met": {"wind_speed_m_s": 3, "wind_from_deg": 90})";
  EXPECT_FALSE(ScenarioFromJson("{").ok());
  EXPECT_FALSE(ScenarioFromJson("[1]").ok());
  EXPECT_EQ(field(R"({"source": {}, "location": {"lat": 1, "lon": 2}})"), "substance");
  EXPECT_EQ(field(R"({"substance": "chlorine", "location": {"lat": 1}})"), "longitude");
  EXPECT_EQ(field(R"({"substance": "chlorine", "source": {"kind": "leak"}})"), "release.kind");
  EXPECT_EQ(field(R"({"substance": "chlorine", "source": {"rate": 1}})"), "release.rate");
  EXPECT_EQ(field(R"({"substance": "chlorine", "location": {"lat": "north", "lon": 2}})"), "lat");
  EXPECT_EQ(field((std::string(R"({"substance": "chlorine", "location": {"lat": 1, "lon": 2}, )") +
                   base_met + R"(, "colour": 1})")
                      .c_str()),
            "colour");
  EXPECT_EQ(
      field(
          R"({"substance": "chlorine", "location": {"lat": 1, "lon": 2}, "met": {"class": "Z"}})"),
      "met.class");
  // Well-formed but out of range: Model::Make names it.
  auto calm =
      ScenarioFromJson(R"({"substance": "chlorine", "source": {"rate_kg_s": 1, "duration_s": 60},
    "location": {"lat": 1, "lon": 2}, "met": {"wind_speed_m_s": 0, "class": "D"}})");
  ASSERT_TRUE(calm.ok());
  EXPECT_EQ(Model::Make(*calm).status().field(), "met.wind_speed_m_s");
}

TEST(BadInput, ExtremeButValidScenariosNeverGiveNanOrInfinity) {
  for (double wind : {0.01, 50.0})
    for (double stability : {0.0, 5.0})
      for (double rate : {1e-9, 1e6}) {
        Scenario s = ChlorineScenario();
        s.met.wind_speed_m_s = wind;
        s.met.stability = stability;
        s.release.rate_kg_s = rate;
        s.latitude = 89.99;
        s.longitude = 179.99;
        auto model = Model::Make(s);
        ASSERT_TRUE(model.ok());
        Footprint fp = ComputeFootprint(*model);
        std::string geojson = FootprintGeoJson(*model, fp);
        EXPECT_EQ(geojson.find("null"), std::string::npos) << geojson.substr(0, 200);
        for (const Zone& z : fp.zones)
          for (const LatLon& p : z.polygon)
            ASSERT_TRUE(std::isfinite(p.lat) && std::isfinite(p.lon));
        auto grid = ComputeGrid(*model, 500, 20);
        for (float v : grid->values) ASSERT_TRUE(std::isfinite(v));
      }
}

// ---------------------------------------------------------------------------------------------
// Project Prairie Grass (Barad 1958): per run and arc, the arc maximum of 10-minute SO2 means,
// scored with Chang & Hanna (2004)'s measures. Files and formats: ../shared/data/dispersion.

struct PrairieArc {
  int run = 0;
  double distance_m = 0;
  double observed_mg_m3 = 0;  // arc maximum after the loss correction
  double q_g_s = 0, release_height_m = 0, sampler_height_m = 0;
  std::int64_t unix_mid = 0;  // middle of the sampling window, UTC
};

struct PrairieMet {
  double l_m = 0, mixing_height_m = 0, sigma_theta_deg = 0, wind_m_s = 0;
};

std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

std::string PrairieFile(const std::string& name) {
  return testing::SharedDataDir() + "/dispersion/" + name;
}

// Barad's Table 5.4, by run: five factors (50 ... 800 m). Factors far below the table's range
// (0.85-1.00), such as run 12's 0.09 at 200 m, are transcription errors: that arc is dropped.
std::map<int, std::vector<double>> ReadCorrections() {
  std::map<int, std::vector<double>> out;
  std::ifstream in(PrairieFile("prairie_grass_so2_correction.txt"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    int run;
    std::vector<double> f(5);
    if (!(fields >> run >> f[0] >> f[1] >> f[2] >> f[3] >> f[4])) continue;
    out[run] = f;
  }
  return out;
}

std::map<int, PrairieMet> ReadMet() {
  std::map<int, PrairieMet> out;
  std::ifstream in(PrairieFile("prairie_grass_met_subset.tsv"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    int run;
    double ustar, dir, su, sv, sw;
    PrairieMet m;
    if (f >> run >> m.l_m >> ustar >> m.mixing_height_m >> dir >> su >> sv >> sw >>
        m.sigma_theta_deg >> m.wind_m_s)
      out[run] = m;
  }
  return out;
}

std::vector<PrairieArc> ReadArcs() {
  constexpr double kDetectionMgM3 = 0.1, kMinPlausibleCorrection = 0.5;
  auto corrections = ReadCorrections();
  std::vector<PrairieArc> out;
  std::ifstream in(PrairieFile("prairie_grass_arcs.txt"));
  std::string header, params;
  while (std::getline(in, header) && std::getline(in, params)) {
    PrairieArc arc;
    int arc_index, month, day, year, start_hhmm, end_hhmm;
    if (std::sscanf(header.c_str(), " %d, %d,'%d/%d/%d','%d-%d', %lf", &arc.run, &arc_index, &month,
                    &day, &year, &start_hhmm, &end_hhmm, &arc.distance_m) != 8)
      break;
    std::vector<double> p;
    std::istringstream ps(params);
    for (std::string field; std::getline(ps, field, ',');) p.push_back(std::stod(field));
    int rows = static_cast<int>(p.at(0));
    arc.q_g_s = p.at(7);
    arc.release_height_m = p.at(8);
    arc.sampler_height_m = p.at(9);
    double best = -1;
    for (int i = 0; i < rows; ++i) {
      std::string row;
      std::getline(in, row);
      double azimuth, receptor, radius, c;
      if (std::sscanf(row.c_str(), "%lf %lf %lf %lf", &azimuth, &receptor, &radius, &c) != 4)
        continue;
      if (c >= kDetectionMgM3) best = std::max(best, c);  // -9 (missing) and < 0.1 dropped
    }
    // Local time in Nebraska was Central Standard Time (UTC-6).
    int mid_minutes = (start_hhmm / 100) * 60 + start_hhmm % 100 + 5;
    arc.unix_mid = DaysFromCivil(1900 + year, month, day) * 86400 + (mid_minutes + 360) * 60;
    auto factors = corrections.find(arc.run);
    if (best < 0 || factors == corrections.end()) continue;
    double factor = factors->second.at(arc_index - 1);
    if (factor < kMinPlausibleCorrection) continue;
    arc.observed_mg_m3 = best * factor;
    out.push_back(arc);
  }
  return out;
}

constexpr double kPrairieLat = 42.49, kPrairieLon = -98.57, kPrairieRoughnessM = 0.006;
constexpr double kPrairieWindHeightM = 2;

Scenario PrairieScenario(const PrairieArc& arc, const PrairieMet& met) {
  Scenario s;
  s.substance_id = "sulfur_dioxide";
  s.release = {SourceKind::kContinuous, arc.q_g_s / 1000, 600, 0, 0, arc.release_height_m};
  s.met.wind_speed_m_s = met.wind_m_s;
  s.met.wind_height_m = kPrairieWindHeightM;
  s.latitude = kPrairieLat;
  s.longitude = kPrairieLon;
  s.roughness_m = kPrairieRoughnessM;
  s.receptor_height_m = arc.sampler_height_m;
  s.averaging_time_s = 600;
  return s;
}

// The plain baseline: Briggs rural sigmas with the class from Turner's table (clear skies; the
// insolation from the sun's elevation, night below 15 degrees).
Scenario PrairieBaseline(const PrairieArc& arc, const PrairieMet& met) {
  Scenario s = PrairieScenario(arc, met);
  auto insolation =
      InsolationFromSunElevation(SunElevationDeg(kPrairieLat, kPrairieLon, arc.unix_mid));
  s.met.daytime = insolation.has_value();
  s.met.insolation = insolation.value_or(Insolation::kSlight);
  s.met.cloud_oktas = 0;
  return s;
}

// The model as cbrnhub runs it with measured meteorology: the class from the measured L
// (Golder), the lid where the mixing height is known; the measured sigma_theta only widens the
// wind-direction confidence lines (used for sigma_y, Draxler 1976, it underpredicted the arc
// maxima 1.5-fold: docs/hazard.md).
Scenario PrairieModel(const PrairieArc& arc, const PrairieMet& met) {
  Scenario s = PrairieScenario(arc, met);
  s.met.monin_obukhov_length_m = met.l_m;
  if (met.sigma_theta_deg > 0) s.met.sigma_theta_deg = met.sigma_theta_deg;
  if (met.mixing_height_m > 0) s.met.mixing_height_m = met.mixing_height_m;
  return s;
}

struct Scored {
  PerformanceMeasures all;
  std::map<std::string, PerformanceMeasures> by_group;
};

Scored ScorePrairie(const std::vector<PrairieArc>& arcs, const std::map<int, PrairieMet>& met,
                    Scenario (*make)(const PrairieArc&, const PrairieMet&)) {
  std::vector<double> observed, predicted;
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> groups;
  for (const PrairieArc& arc : arcs) {
    auto m = met.find(arc.run);
    if (m == met.end()) continue;
    auto model = Model::Make(make(arc, m->second));
    EXPECT_TRUE(model.ok()) << "run " << arc.run << ": " << model.status().message();
    if (!model.ok()) continue;
    double p = model->CentrelineConcentration(arc.distance_m);
    observed.push_back(arc.observed_mg_m3);
    predicted.push_back(p);
    double cls = GolderClass(m->second.l_m, kPrairieRoughnessM).value();
    std::string group = cls < 2.5 ? "unstable (A-C)" : cls <= 3.5 ? "neutral (D)" : "stable (E-F)";
    groups[group].first.push_back(arc.observed_mg_m3);
    groups[group].second.push_back(p);
  }
  Scored out;
  out.all = Score(observed, predicted);
  for (const auto& [group, pairs] : groups) out.by_group[group] = Score(pairs.first, pairs.second);
  return out;
}

void Print(const char* name, const Scored& s) {
  auto line = [](const std::string& label, const PerformanceMeasures& m) {
    std::printf("  %-16s n=%3d FAC2=%.2f FB=%+.2f NMSE=%.2f MG=%.2f VG=%.2f\n", label.c_str(), m.n,
                m.fac2, m.fb, m.nmse, m.mg, m.vg);
  };
  std::printf("%s\n", name);
  line("all", s.all);
  for (const auto& [group, m] : s.by_group) line(group, m);
}

TEST(Scoring, ChangAndHannaMeasuresOnAHandWorkedExample) {
  // o = {1, 2, 4}, p = {2, 2, 1}: FAC2 2/3; FB = 2 (7/3 - 5/3) / 4 = 1/3;
  // NMSE = ((1 + 0 + 9) / 3) / (7/3 * 5/3) = 0.857; MG = exp(mean ln(o/p)) = exp(ln 2 / 3).
  auto m = Score({1, 2, 4}, {2, 2, 1});
  EXPECT_EQ(m.n, 3);
  EXPECT_NEAR(m.fac2, 2.0 / 3, 1e-12);
  EXPECT_NEAR(m.fb, 1.0 / 3, 1e-12);
  EXPECT_NEAR(m.nmse, (10.0 / 3) / (35.0 / 9), 1e-12);
  EXPECT_NEAR(m.mg, std::exp((std::log(0.5) + 0 + std::log(4.0)) / 3), 1e-12);
  double l = std::log(0.5), r = std::log(4.0);
  EXPECT_NEAR(m.vg, std::exp((l * l + r * r) / 3), 1e-12);
  EXPECT_EQ(Score({}, {}).n, 0);
}

TEST(PrairieGrass, ModelMeetsTheAcceptanceCriteriaAndBeatsTheBaseline) {
  if (!std::ifstream(PrairieFile("prairie_grass_arcs.txt")))
    GTEST_SKIP() << "Prairie Grass data not found in " << PrairieFile("") << ": validation not run";
  auto arcs = ReadArcs();
  auto met = ReadMet();
  ASSERT_GT(arcs.size(), 300u);
  ASSERT_EQ(met.size(), 53u);
  Scored model = ScorePrairie(arcs, met, PrairieModel);
  Scored baseline = ScorePrairie(arcs, met, PrairieBaseline);
  Print("Prairie Grass, cbrnhub model (Briggs rural, class from L by Golder):", model);
  Print("Prairie Grass, baseline (Briggs rural, Turner class):", baseline);
  ASSERT_GT(model.all.n, 200);
  EXPECT_GE(model.all.fac2, 0.5);
  EXPECT_LE(std::fabs(model.all.fb), 0.3);
  EXPECT_LE(model.all.nmse, 1.5);
  int better = (model.all.fac2 > baseline.all.fac2) +
               (std::fabs(model.all.fb) < std::fabs(baseline.all.fb)) +
               (model.all.nmse < baseline.all.nmse);
  EXPECT_GE(better, 2) << "the model must beat the baseline on two of FAC2, |FB|, NMSE";
}

}  // namespace
}  // namespace cbrnhub::hazard
