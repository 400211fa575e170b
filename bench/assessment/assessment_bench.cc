// Assessment benchmark: scoring and the regional view for 12 countries x 1,000 questions x 3
// questionnaire versions, on an embedded SQLite database in a temporary folder.
//
//   assessment_bench [--countries N] [--questions N] [--versions N]
//
// Prints the time to score one assessment, the regional view (heat map and shared priorities)
// cold, warm and right after a write (target under 10 ms: a write recomputes only its country),
// and the sizes of the answering and results pages (target: none over 150 KB).
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
#include "exportctl/exportctl.h"
#include "http/web.h"
#include "i18n/i18n.h"
#include "identity/identity.h"
#include "network/network.h"
#include "storage/storage.h"

using namespace cbrnhub;
using Json = nlohmann::json;

namespace {

const char* kFunctions[] = {"legal_framework", "governance", "prevention", "detection", "preparedness", "response", "recovery"};
const char* kDomains[] = {"chemical", "biological", "radiological", "nuclear", "cross-cutting"};

// A definition with `questions` questions in 20 sections, mixed types, some conditional, with
// texts and guidance as long as real ones, in English and Russian.
std::string Definition(int version, int questions) {
  const std::string en =
      "capacity of the national authorities to prevent, detect and respond to incidents";
  const std::string ru =
      "способность национальных органов предотвращать инциденты, выявлять их и реагировать";
  const std::string text = "{en: '" + en + "?', ru: '" + ru + "?'}";
  const std::string guidance =
      "{en: 'Consider the " + en + " in law and in practice.', ru: 'Учтите " + ru + ".'}";
  std::string y = "code: bench\nversion: \"" + std::to_string(2020 + version) +
                  "\"\ntitle: {en: Bench, ru: Тест}\n" + "level_sets:\n  l:\n";
  for (int l = 1; l <= 5; ++l)
    y += "  - {en: 'Level " + std::to_string(l) + ": " + en + "', ru: '" + ru + "'}\n";
  y += "sections:\n";
  int per = questions / 20;
  for (int s = 0; s < 20; ++s) {
    y += "  - id: S" + std::to_string(s) + "\n    title: {en: Section " + std::to_string(s) +
         ", ru: Раздел " + std::to_string(s) + "}\n    domain: " + kDomains[s % 5] +
         "\n    function: " + kFunctions[s % 7] + "\n    questions:\n";
    for (int i = 0; i < per; ++i) {
      std::string id = "Q" + std::to_string(s * per + i);
      std::string common =
          "      - {id: " + id + ", text: " + text + ", guidance: " + guidance + ", ";
      switch (i % 4) {
        case 0:
          y += common + "type: maturity, levels: l}\n";
          break;
        case 1:
          y += common + "type: yes_partial_no, weight: 2}\n";
          break;
        case 2:
          y += common + "type: presence}\n";
          break;
        default:
          y += common +
               "type: number, unit: {en: people, ru: человек}, min: 0, max: 100, target: 50, "
               "show_if: {question: Q" +
               std::to_string(s * per + i - 1) + ", equals: in_place}}\n";
      }
    }
  }
  return y;
}

double Ms(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count();
}

// `target` answered by the web application for `cookie` (no server, no socket).
http::Response Page(http::WebApp& app, const std::string& method, const std::string& target,
                    const std::string& cookie, const std::string& body = "") {
  http::Request req;
  req.method = method;
  req.target = target;
  req.path = target.substr(0, target.find('?'));
  if (target.find('?') != std::string::npos)
    http::ParseQuery(target.substr(target.find('?') + 1), req.query);
  req.headers["content-type"] = "application/json";
  if (!cookie.empty()) req.headers["cookie"] = cookie;
  req.remote_addr = "127.0.0.1";
  req.body = body;
  return app.Handle(req);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
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
  exportctl::RegisterKinds(catalog);  // the web application serves every kind
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
  // Right after a write. Elsewhere (a draft the view does not show): nothing to recompute. To a
  // country's shown assessment (returned, answered, submitted again): that country only.
  auto draft =
      store.Create(admin, assessment::kAssessments,
                   {{"country", isos[0]}, {"questionnaire_id", qids.back()}, {"title", "draft"}});
  std::string draft_id = (*draft)["id"];
  for (const auto& q : (*def)->questions) {
    if (q.type == assessment::QuestionType::kYesPartialNo) {
      (void)service.SaveAnswer(admin, draft_id, q.id, {{"value", "partial"}}, "", std::nullopt);
    }
  }
  std::vector<double> after_other, after_own;
  for (int i = 0; i < 20; ++i) {
    const auto& q = (*def)->questions[static_cast<size_t>(i) * 4 + 1];  // yes_partial_no
    (void)service.SaveAnswer(admin, draft_id, q.id, {{"value", i % 2 ? "yes" : "no"}}, "",
                             std::nullopt);
    t = std::chrono::steady_clock::now();
    (void)service.RegionView(admin, "BENCH", "en");
    after_other.push_back(Ms(t));
    (void)service.Transition(admin, last, "returned", "bench");
    (void)service.SaveAnswer(admin, last, q.id, {{"value", i % 2 ? "yes" : "no"}}, "",
                             std::nullopt);
    (void)service.Transition(admin, last, "submitted", "");
    t = std::chrono::steady_clock::now();
    (void)service.RegionView(admin, "BENCH", "en");
    after_own.push_back(Ms(t));
  }
  std::printf(
      "regional view right after a write: elsewhere p50 %.2f ms; to a shown country's assessment "
      "p50 %.2f ms,"
      " max %.2f ms (target < 10 ms)\n",
      Median(after_other), Median(after_own),
      *std::max_element(after_own.begin(), after_own.end()));

  // Page sizes, through the web application as a signed-in administrator.
  identity::Service identity(*db);
  auto accounts = identity.SeedDemoUsers(admin);
  i18n::Catalogs catalogs;
  if (!accounts.ok() || !catalogs.Load().ok()) return 1;
  auto app = http::WebApp::Create(*db, store, identity, catalogs, "bench");
  if (!app.ok()) {
    std::fprintf(stderr, "%s\n", app.status().message().c_str());
    return 1;
  }
  auto session = Page(**app, "POST", "/api/v1/session", "",
                      Json{{"username", "admin"}, {"password", accounts->front().password}}.dump());
  std::string cookie;
  for (const auto& [name, value] : session.headers) {
    if (value.rfind("cbrnhub_session=", 0) == 0) cookie = value.substr(0, value.find(';'));
  }
  size_t largest = 0, all_sections = 0;
  for (int s = 0; s < 20; ++s) {
    auto page =
        Page(**app, "GET", "/assessments/" + draft_id + "?section=S" + std::to_string(s), cookie);
    if (page.status != 200) {
      std::fprintf(stderr, "answer page: %d %s\n", page.status, page.body.substr(0, 300).c_str());
      return 1;
    }
    largest = std::max(largest, page.body.size());
    all_sections += page.body.size();
  }
  auto results_page = Page(**app, "GET", "/assessments/" + last + "/results", cookie);
  std::printf(
      "pages for %d questions: answering one section at a time: largest %.1f KB (the 20 sections "
      "together"
      " %.1f KB); results %.1f KB (target: every page < 150 KB)\n",
      questions, largest / 1024.0, all_sections / 1024.0, results_page.body.size() / 1024.0);

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak memory (max RSS): %.1f MB\n", ru.ru_maxrss / 1024.0);
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
