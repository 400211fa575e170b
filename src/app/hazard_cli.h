// Private to app: `cbrnhub hazard`, a release's footprint for scripts (no database needed).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "core/status.h"
#include "hazard/hazard.h"

namespace cbrnhub::app {

struct HazardCommand {
  CLI::App* command = nullptr;
  std::string substance, wind, stability, terrain = "rural", format = "geojson", lang = "en",
                                          output = "-";
  std::string release_file, insolation = "moderate", population_file;
  double rate = 0, duration = 0, mass = 0, puddle_area = 0, height = 0, wind_height = 10;
  double lat = 0, lon = 0, averaging = 600, temperature_c = 20, pressure_hpa = 1013.25;
  double monin_obukhov = 0, mixing_height = 0, sigma_theta = 0;
  int cloud = 4, exposure = 60, ensemble = 0, level = 1;
  bool night = false;
};

// Declares the subcommand and its options on `cli`.
void AddHazardCommand(CLI::App& cli, HazardCommand& options);
// Reads a population grid file (ESRI ASCII grid, docs/hazard.md) for the server
// (hazard_population_grid) and `cbrnhub hazard --population`; errors name the file and line.
Result<std::shared_ptr<const hazard::PopulationGrid>> LoadPopulationGrid(const std::string& path);
// Computes and writes the footprint; the process's exit code (2 for bad input, with the field).
int RunHazard(const HazardCommand& options);

}  // namespace cbrnhub::app
