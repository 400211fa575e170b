// Speed of the hazard model: a 500 x 500 concentration grid with the zones (target < 50 ms), a
// 1,000-member ensemble on the same grid (target < 5 s on 2 cores) and on the web map's grid,
// and reading and counting a 2000 x 2000 population grid. See README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "hazard/hazard.h"

using namespace cbrnhub;

namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The value below which a fraction `q` of the samples lie (nearest rank).
double Quantile(std::vector<double> samples, double q) {
  auto rank =
      samples.begin() + static_cast<long>(q * static_cast<double>(samples.size() - 1) + 0.5);
  std::nth_element(samples.begin(), rank, samples.end());
  return *rank;
}

template <typename T>
T OrExit(Result<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, result.status().message().c_str());
    std::exit(1);
  }
  return std::move(result).value();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  int members = argc > 2 ? std::atoi(argv[2]) : 1000;
  constexpr int kCells = 500;
  constexpr double kExtentM = 5000;  // 10 km x 10 km at 20 m cells
  hazard::Scenario s;
  s.substance_id = "chlorine";
  s.release = {hazard::SourceKind::kContinuous, 10, 600, 0, 0, 0};
  s.met.wind_speed_m_s = 3;
  s.met.wind_from_deg = 250;
  s.met.stability = hazard::kClassD;
  s.latitude = 41.3;
  s.longitude = 69.25;
  auto model = OrExit(hazard::Model::Make(s), "model");

  std::vector<double> grid_ms, zones_ms;
  double checksum = 0;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    auto grid = OrExit(hazard::ComputeGrid(model, kExtentM, kCells), "grid");
    grid_ms.push_back(MillisecondsSince(t0));
    auto t1 = Clock::now();
    auto fp = hazard::ComputeFootprint(model);
    zones_ms.push_back(MillisecondsSince(t1));
    checksum += grid.values[grid.values.size() / 2] + fp.zones[0].length_m;
  }
  std::printf("grid %dx%d (%.0f m cells): p50 %.1f ms, p99 %.1f ms (target < 50 ms)\n", kCells,
              kCells, 2 * kExtentM / kCells, Quantile(grid_ms, 0.5), Quantile(grid_ms, 0.99));
  std::printf("zones (3 polygons, confidence lines): p50 %.1f ms, p99 %.1f ms\n",
              Quantile(zones_ms, 0.5), Quantile(zones_ms, 0.99));

  hazard::EnsembleOptions options;
  options.members = members;
  options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto t2 = Clock::now();
  auto ensemble = OrExit(hazard::ComputeEnsemble(model, kExtentM, kCells, options), "ensemble");
  double ensemble_ms = MillisecondsSince(t2);
  size_t reached = 0;
  for (float p : ensemble.probability.back()) reached += p > 0;
  std::printf(
      "ensemble %d members on %dx%d, %d threads: %.2f s (target < 5 s); cells with a chance of "
      "yellow: %zu\n",
      members, kCells, kCells, options.threads, ensemble_ms / 1000, reached);
  // The web's ensemble: the map's 120 x 120 grid reaching 1.2 times the longest zone.
  {
    auto fp = hazard::ComputeFootprint(model);
    double reach = 1000;
    for (const auto& zone : fp.zones) reach = std::max(reach, zone.length_m * 1.2);
    auto t = Clock::now();
    auto web = OrExit(hazard::ComputeEnsemble(model, reach, 120, options), "web ensemble");
    std::printf("web ensemble %d members on 120x120 over %.0f km: %.2f s\n", members,
                2 * reach / 1000, MillisecondsSince(t) / 1000);
    checksum += web.probability[0][0];
  }
  // A population grid of 0.01-degree cells (about 1 km) over 20 x 20 degrees, as text: read,
  // then the people of every zone counted.
  {
    constexpr int kGridCells = 2000;
    std::string text =
        "ncols 2000\nnrows 2000\nxllcorner 59.25\nyllcorner 31.3\ncellsize 0.01\n"
        "NODATA_value -9999\n";
    text.reserve(text.size() + static_cast<size_t>(kGridCells) * kGridCells * 4);
    for (int row = 0; row < kGridCells; ++row) {
      for (int column = 0; column < kGridCells; ++column)
        text += std::to_string((row * 7 + column * 13) % 900) + ' ';
      text += '\n';
    }
    auto t = Clock::now();
    auto grid = OrExit(hazard::ParsePopulationGrid(text), "population grid");
    double read_ms = MillisecondsSince(t);
    auto fp = hazard::ComputeFootprint(model);
    std::vector<double> count_ms;
    hazard::PopulationByZone people;
    for (int i = 0; i < runs; ++i) {
      auto t1 = Clock::now();
      people = hazard::CountPopulation(model, fp, grid);
      count_ms.push_back(MillisecondsSince(t1));
    }
    std::printf(
        "population grid %dx%d (%.0f MB of text): read %.0f ms; people per zone p50 %.2f ms "
        "(red %.0f, orange %.0f, yellow %.0f)\n",
        kGridCells, kGridCells, text.size() / 1e6, read_ms, Quantile(count_ms, 0.5),
        people.people[0], people.people[1], people.people[2]);
  }
  std::fprintf(stderr, "(checksum %.3f)\n", checksum);
  return 0;
}
