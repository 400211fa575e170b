// Assessment benchmark: scoring and the regional view for 12 countries x 1,000 questions x 3
// questionnaire versions, on an embedded SQLite database in a temporary folder.
//
//   assessment_bench [--countries N] [--questions N] [--versions N]
//
// Prints the time to score one assessment, and the regional view (heat map and shared
// priorities) cold and warm. Target: regional view under 50 ms from a warm server.
#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "assessment/assessment.h"
#include "network/network.h"
#include "storage/storage.h"

using namespace cbrnhub;
using Json = nlohmann::json;

namespace {

const char* kFunctions[] = {"legal_framework", "governance", "prevention", "detection", "preparedness", "response", "recovery"};
const char* kDomains[] = {"chemical", "biological", "radiological", "nuclear", "cross-cutting"};

// A definition with `questions` questions in 20 sections, mixed types, some conditional.
std::string Definition(int version, int questions) {
  std::string y = "code: bench\nversion: \"" + std::to_string(2020 + version) + "\"\ntitle: Bench\n" +
                  "level_sets:\n  l: [a, b, c, d, e]\nsections:\n";
  int per = questions / 20;
  for (int s = 0; s < 20; ++s) {
    y += "  - id: S" + std::to_string(s) + "\n    title: Section " + std::to_string(s) + "\n    domain: " +
         kDomains[s % 5] + "\n    function: " + kFunctions[s % 7] + "\n    questions:\n";
    for (int i = 0; i < per; ++i) {
      std::string id = "Q" + std::to_string(s * per + i);
      switch (i % 4) {
        case 0: y += "      - {id: " + id + ", type: maturity, text: t, levels: l}\n"; break;
        case 1: y += "      - {id: " + id + ", type: yes_partial_no, text: t, weight: 2}\n"; break;
        case 2: y += "      - {id: " + id + ", type: presence, text: t}\n"; break;
        default:
          y += "      - {id: " + id + ", type: number, text: t, min: 0, max: 100, target: 50, show_if: {question: Q" +
               std::to_string(s * per + i - 2) + ", equals: in_place}}\n";
      }
    }
  }
  return y;
}

double Ms(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  int countries = 12, questions = 1000, versions = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--countries") countries = std::atoi(argv[i + 1]);
    if (a == "--questions") questions = std::atoi(argv[i + 1]);
    if (a == "--versions") versions = std::atoi(argv[i + 1]);
  }
  std::string dir = std::filesystem::temp_directory_path() / ("cbrnhub-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto db = std::move(storage::Open("sqlite:" + dir + "/bench.db", 4)).value();
  if (!storage::Migrate(*db).ok()) return 1;
  records::Catalog catalog;
  network::RegisterKinds(catalog);
  assessment::RegisterKinds(catalog);
  records::Store store(*db, catalog);
  records::Caller admin{access::Principal::System("bench"), ""};
  if (!network::SeedReference(store, admin).ok()) return 1;
  assessment::Service service(store);

  // A region of `countries` partner countries.
  auto region = store.Create(admin, network::kRegions,
                             {{"code", "BENCH"}, {"name", "Bench region"}, {"secretariat_city", "X"}, {"secretariat_country", "UZ"}});
  if (!region.ok()) return 1;
  records::ListQuery all;
  all.limit = countries;
  auto list = store.List(admin, network::kCountries, all);
  std::vector<std::string> isos;
  for (const auto& c : list->items) {
    isos.push_back(c["iso2"]);
    (void)store.Create(admin, network::kMemberships, {{"country_id", c["id"]}, {"region_id", (*region)["id"]}, {"status", "partner"}});
  }
  std::vector<std::string> qids;
  for (int v = 0; v < versions; ++v) {
    auto q = service.LoadQuestionnaire(admin, Definition(v, questions), "bench");
    if (!q.ok()) {
      std::fprintf(stderr, "%s\n", q.status().message().c_str());
      return 1;
    }
    qids.push_back((*q)["questionnaire"]["id"]);
  }
  std::mt19937 rng(7);
  auto t_fill = std::chrono::steady_clock::now();
  std::string last;
  for (const auto& iso : isos) {
    for (int v = 0; v < versions; ++v) {
      auto a = store.Create(admin, assessment::kAssessments,
                            {{"country", iso}, {"questionnaire_id", qids[v]}, {"title", iso + " " + std::to_string(v)}});
      std::string id = (*a)["id"];
      auto def = service.DefinitionOf(qids[v]);
      for (const auto& q : (*def)->questions) {
        Json value;
        switch (q.type) {
          case assessment::QuestionType::kMaturity: {
            Json levels = Json::array();
            for (int l = 1; l <= static_cast<int>(rng() % 6); ++l) levels.push_back(l);
            value = {{"levels", levels}};
            break;
          }
          case assessment::QuestionType::kYesPartialNo: value = {{"value", rng() % 2 ? "yes" : "partial"}}; break;
          case assessment::QuestionType::kPresence: value = {{"status", rng() % 2 ? "in_place" : "unclear"}, {"reference", "Act 1"}}; break;
          default: value = {{"value", static_cast<double>(rng() % 100)}}; break;
        }
        (void)service.SaveAnswer(admin, id, q.id, value, "", std::nullopt);
      }
      (void)service.Transition(admin, id, "submitted", "");
      last = id;
    }
  }
  std::printf("data: %d countries x %d questions x %d versions = %d answers, loaded in %.1f s\n", countries, questions,
              versions, countries * questions * versions, Ms(t_fill) / 1000);

  auto t = std::chrono::steady_clock::now();
  auto results = service.Results(admin, last, "en");
  std::printf("results of one assessment (%d questions, from the database): %.1f ms\n", questions, Ms(t));
  auto def = service.DefinitionOf(qids.back());
  std::map<std::string, Json> answers;
  auto view = service.Get(admin, last, "en");
  for (const auto& [q, a] : (*view)["answers"].items()) answers[q] = a["value"];
  t = std::chrono::steady_clock::now();
  const int kRounds = 50;
  for (int i = 0; i < kRounds; ++i) (void)assessment::Score(**def, answers, "en");
  std::printf("scoring alone (in memory): %.2f ms per assessment\n", Ms(t) / kRounds);

  t = std::chrono::steady_clock::now();
  auto cold = service.RegionView(admin, "BENCH", "en");
  double cold_ms = Ms(t);
  if (!cold.ok()) {
    std::fprintf(stderr, "%s\n", cold.status().message().c_str());
    return 1;
  }
  std::vector<double> warm;
  for (int i = 0; i < 30; ++i) {
    t = std::chrono::steady_clock::now();
    (void)service.RegionView(admin, "BENCH", "en");
    warm.push_back(Ms(t));
  }
  std::sort(warm.begin(), warm.end());
  std::printf("regional view (%zu countries, %zu shared priorities): cold %.1f ms, warm p50 %.2f ms, max %.2f ms (target < 50 ms)\n",
              (*cold)["rows"].size(), (*cold)["shared_priorities"].size(), cold_ms, warm[warm.size() / 2], warm.back());
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak memory (max RSS): %.1f MB\n", ru.ru_maxrss / 1024.0);
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
