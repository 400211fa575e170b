// Risk register benchmark: a region of 12 countries, each with a register of 60 scenarios rated
// on the sample method and validated in 4 rounds (ratings moved between rounds), shared with the
// region, on an embedded SQLite database in a temporary folder.
//
//   risk_bench [--countries N] [--scenarios N] [--rounds N] [--runs N]
//
// Prints, as the region's secretariat: the region's matrix (cold, then warm p50/p99; target p99
// < 20 ms), one register's view with matrix, previous positions and treating actions (p50/p99),
// and peak memory.
#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "assessment/assessment.h"
#include "bench/common/bench_util.h"
#include "network/network.h"
#include "plans/plans.h"
#include "risk/risk.h"
#include "storage/storage.h"

using namespace cbrnhub;
using Json = nlohmann::json;
using bench::Clock;
using bench::Ms;
using bench::Must;
using bench::Percentile;

namespace {

const char* kTypes[][2] = {{"chem_industrial", "chemical"}, {"chem_transport", "chemical"}, {"bio_pandemic", "biological"},
                           {"bio_zoonosis", "biological"},  {"rad_source", "radiological"},  {"nuc_trafficking", "nuclear"}};
const char* kOrigins[] = {"accidental", "natural", "intentional"};

}  // namespace

int main(int argc, char** argv) {
  int countries = 12, scenarios = 60, rounds = 4, runs = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (a == "--countries") countries = v;
    else if (a == "--scenarios") scenarios = v;
    else if (a == "--rounds") rounds = v;
    else if (a == "--runs") runs = v;
  }
  if (countries < 1 || scenarios < 1 || rounds < 1 || runs < 1) {
    std::fprintf(stderr, "usage: risk_bench [--countries N] [--scenarios N] [--rounds N] [--runs N]\n");
    return 2;
  }
  std::string dir = std::filesystem::temp_directory_path() / ("cbrnhub-risk-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto db = Must(storage::Open("sqlite:" + dir + "/bench.db", 4), "open");
  Must(storage::Migrate(*db), "migrate");
  records::Catalog catalog;
  network::RegisterKinds(catalog);
  assessment::RegisterKinds(catalog);
  plans::RegisterKinds(catalog);
  risk::RegisterKinds(catalog);
  records::Store store(*db, catalog);
  records::Caller admin{access::Principal::System("bench"), ""};
  Must(network::SeedReference(store, admin).status(), "seed reference");
  assessment::Service assessments(store);
  risk::Service service(store, assessments);
  Must(service.SeedSamples(admin).status(), "method");
  std::string method_id = Must(store.List(admin, risk::kMethods, records::ListQuery{}), "methods").items.at(0)["id"];

  const std::string region = "CA";
  int from_reference = 0;
  std::vector<std::string> members = bench::RegionMembers(*db, store, admin, region, countries, &from_reference);
  std::printf("data: region %s with %d countries (%d from its reference membership), %d scenarios each, %d validated rounds\n",
              region.c_str(), countries, from_reference, scenarios, rounds);

  auto t_fill = Clock::now();
  std::string one_register;
  for (size_t c = 0; c < members.size(); ++c) {
    Json reg = Must(store.Create(admin, risk::kRegisters,
                                 {{"country", members[c]}, {"title", "Risk register " + members[c]}, {"method_id", method_id}}),
                    "register");
    if (one_register.empty()) one_register = reg["id"];
    std::vector<std::string> ids;
    for (int i = 0; i < scenarios; ++i) {
      const auto& type = kTypes[(i + c) % std::size(kTypes)];
      Json s = Must(store.Create(admin, risk::kScenarios,
                                 {{"register_id", reg["id"]},
                                  {"title", "Scenario " + std::to_string(i + 1) + " of " + members[c]},
                                  {"hazard", type[1]},
                                  {"origin", kOrigins[i % 3]},
                                  {"scenario_type", type[0]},
                                  {"capabilities", i % 2 ? "detection, response" : "preparedness"},
                                  {"worst_case", "Bench reasonable worst case."}}),
                    "scenario");
      ids.push_back(s["id"]);
    }
    for (int r = 0; r < rounds; ++r) {
      if (r > 0) Must(service.Revise(admin, reg["id"], "").status(), "revise");
      for (int i = 0; i < scenarios; ++i) {
        // Ratings that move from round to round.
        int likelihood = 1 + (i + r + static_cast<int>(c)) % 5;
        Json impacts = {{"fatalities", {{"value", (i * 7 + r * 13) % 400}}}, {"economic", {{"level", 1 + (i + 2 * r) % 5}}},
                        {"social", {{"level", 1 + (i * 3 + r) % 5}, {"confidence", "low"}}}};
        Must(service.SaveRating(admin, ids[static_cast<size_t>(i)], Json{{"level", likelihood}, {"confidence", "medium"}}, impacts)
                 .status(),
             "rating");
      }
      Must(service.Validate(admin, reg["id"], "round " + std::to_string(r + 1)).status(), "validate");
    }
    Must(store.Update(admin, risk::kRegisters, reg["id"], Json{{"sharing", "region"}}, false).status(), "share");
  }
  std::printf("loaded in %.1f s; database %.0f MB\n", Ms(t_fill) / 1000,
              static_cast<double>(std::filesystem::file_size(dir + "/bench.db")) / (1024.0 * 1024.0));

  records::Caller secretariat{bench::Secretariat(region, members), "127.0.0.1"};
  auto t = Clock::now();
  Json cold = Must(service.RegionView(secretariat, region, "en"), "region view");
  double cold_ms = Ms(t);
  int counted = 0, cells = 0;
  for (const auto& c : cold["countries"]) counted += c.value("shared", false);
  for (const auto& c : cold["cells"]) cells += c["count"].get<int>();
  std::vector<double> region_ms;
  for (int i = 0; i < runs; ++i) {
    t = Clock::now();
    Must(service.RegionView(secretariat, region, "en").status(), "region view");
    region_ms.push_back(Ms(t));
  }
  std::printf("region matrix (%d countries shared, %d scenarios on the matrix, %zu types high in several): cold %.2f ms,"
              " warm p50 %.2f ms, p99 %.2f ms over %d runs (target p99 < 20 ms)\n",
              counted, cells, cold["shared_high"].size(), cold_ms, Percentile(region_ms, 0.5), Percentile(region_ms, 0.99), runs);

  std::vector<double> view_ms;
  size_t shown = 0;
  for (int i = 0; i < runs; ++i) {
    t = Clock::now();
    Json v = Must(service.RegisterView(secretariat, one_register, {}, "en"), "register view");
    view_ms.push_back(Ms(t));
    shown = v["scenarios"].size();
  }
  std::printf("register view with its matrix and round %d positions (%zu scenarios): p50 %.2f ms, p99 %.2f ms\n", rounds - 1, shown,
              Percentile(view_ms, 0.5), Percentile(view_ms, 0.99));

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak memory (max RSS): %.1f MB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
