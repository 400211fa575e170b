// The round table's brief benchmark: Central Asia made a region of 12 countries (partner
// countries of other regions added as members when the reference data has fewer), each with an
// adopted National Action Plan of 30 actions shared with the region, 4 national projects, 10
// activities and 5 lessons (shared with the region), and the region's 3 round tables with 5
// follow-ups each, on an embedded SQLite database in a temporary folder. Prints, as the
// region's secretariat, the brief as JSON, HTML and PDF (p50/p99 over --runs) and peak memory.
//
//   brief_bench [--countries N] [--runs N]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/web.h"
#include "i18n/i18n.h"
#include "meetings/meetings.h"
#include "network/network.h"
#include "storage/storage.h"

using namespace cbrnhub;
using Json = nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a) {
  return std::chrono::duration<double, std::milli>(Clock::now() - a).count();
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.status().message().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

std::string Day(int month, int day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "2026-%02d-%02d", month, day);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  int countries = 12, runs = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (a == "--countries")
      countries = v;
    else if (a == "--runs")
      runs = v;
  }
  if (countries < 1 || runs < 1) {
    std::fprintf(stderr, "usage: brief_bench [--countries N] [--runs N]\n");
    return 2;
  }
  std::string dir =
      std::filesystem::temp_directory_path() / ("cbrnhub-brief-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto db = Must(storage::Open("sqlite:" + dir + "/bench.db", 4), "open");
  Must(storage::Migrate(*db), "migrate");
  records::Catalog catalog;
  network::RegisterKinds(catalog);
  assessment::RegisterKinds(catalog);
  plans::RegisterKinds(catalog);
  meetings::RegisterKinds(catalog);
  records::Store store(*db, catalog);
  records::Caller admin{access::Principal::System("bench"), ""};
  Must(network::SeedReference(store, admin), "seed reference");
  assessment::Service assessments(store);
  plans::Service plans(store, assessments);
  meetings::Service service(store, assessments, plans);
  i18n::Catalogs catalogs;
  if (!catalogs.Load().ok()) return 1;

  const std::string region = "CA";
  std::vector<std::string> members;
  std::string region_id = Must(store.Get(admin, network::kRegions, region), "region")["id"];
  {
    auto txn = Must(db->Begin(storage::Access::kRead), "begin");
    for (const auto& r : Must(
             txn->Query("SELECT c.iso2 FROM memberships m JOIN regions r ON r.id = m.region_id"
                        " JOIN countries c ON c.id = m.country_id WHERE r.code = ? ORDER BY c.iso2",
                        {region}),
             "members")) {
      members.push_back(r.Text(0));
    }
    if (static_cast<int>(members.size()) > countries)
      members.resize(static_cast<size_t>(countries));
    storage::Rows others =
        Must(txn->Query("SELECT id, iso2 FROM countries WHERE id NOT IN (SELECT m.country_id FROM"
                        " memberships m JOIN regions r ON r.id = m.region_id WHERE r.code = ?)"
                        " ORDER BY iso2",
                        {region}),
             "others");
    txn.reset();
    for (const auto& r : others) {
      if (static_cast<int>(members.size()) >= countries) break;
      Must(store.Create(
               admin, network::kMemberships,
               {{"country_id", r.Text(0)}, {"region_id", region_id}, {"status", "partner"}}),
           "membership");
      members.push_back(r.Text(1));
    }
  }
  const char* areas[] = {"chemical", "biological", "radiological", "nuclear", "cross_cutting"};
  const char* types[] = {"training", "workshop", "legal_review", "study_visit",
                         "tabletop_exercise"};
  const char* states[] = {"not_started", "on_track", "delayed", "completed"};
  auto t_fill = Clock::now();
  for (size_t c = 0; c < members.size(); ++c) {
    const std::string& iso = members[c];
    Json plan = Must(store.Create(admin, plans::kPlans,
                                  {{"country", iso},
                                   {"title", "National Action Plan of " + iso},
                                   {"period_start", "2026-01-01"},
                                   {"period_end", "2030-12-31"}}),
                     "plan");
    for (int a = 0; a < 30; ++a) {
      Json action = Must(store.Create(admin, plans::kActions,
                                      {{"plan_id", plan["id"]},
                                       {"title", "Action " + std::to_string(a) + " of " + iso},
                                       {"area", areas[a % 5]},
                                       {"start_date", "2026-01-01"},
                                       {"end_date", Day(1 + a % 12, 28)},
                                       {"budget", 10000 + a * 1000},
                                       {"secured", 5000},
                                       {"currency", "EUR"},
                                       {"status", states[a % 4]},
                                       {"percent", a % 4 == 3 ? 100 : 40}}),
                         "action");
      Must(store.Create(
               admin, plans::kMilestones,
               {{"action_id", action["id"]}, {"title", "Milestone"}, {"due", "2026-01-15"}}),
           "milestone");
    }
    Must(plans.Adopt(admin, plan["id"], "bench"), "adopt");
    Must(store.Update(admin, plans::kPlans, plan["id"], {{"sharing", "region"}}, false), "share");
    for (int p = 0; p < 4; ++p) {
      Json project = Must(store.Create(admin, plans::kProjects,
                                       {{"country", iso},
                                        {"title", "Project " + std::to_string(p) + " of " + iso},
                                        {"scope", "national"},
                                        {"theme", areas[p]},
                                        {"participants", iso},
                                        {"budget", 200000},
                                        {"secured", 50000},
                                        {"currency", "EUR"}}),
                          "project");
      Must(store.Update(admin, plans::kProjects, project["id"], {{"sharing", "region"}}, false),
           "share project");
    }
    for (int a = 0; a < 10; ++a) {
      Must(store.Create(admin, meetings::kActivities,
                        {{"country", iso},
                         {"title", std::string("Activity ") + std::to_string(a) + " of " + iso},
                         {"type", types[a % 5]},
                         {"status", a < 7 ? "held" : "planned"},
                         {"start_date", Day(1 + a, 10)},
                         {"end_date", Day(1 + a, 12)},
                         {"city", "Capital"},
                         {"place_country", iso},
                         {"participants_women", 10},
                         {"participants_men", 12},
                         {"sharing", "region"}}),
           "activity");
    }
    for (int l = 0; l < 5; ++l) {
      Must(store.Create(admin, meetings::kLessons,
                        {{"country", iso},
                         {"title", "Lesson " + std::to_string(l) + " of " + iso},
                         {"what_happened",
                          "Обмен информацией между ведомствами занял слишком много времени."},
                         {"to_change", "Agree the channels before the exercise."},
                         {"theme", areas[l]},
                         {"sharing", "region"}}),
           "lesson");
    }
  }
  for (int t = 0; t < 3; ++t) {
    Json rt = Must(store.Create(admin, meetings::kRoundTables,
                                {{"region", region},
                                 {"title", "Round table " + std::to_string(t + 1)},
                                 {"meeting_date", Day(2 + 4 * t, 10)}}),
                   "round table");
    for (int f = 0; f < 5; ++f) {
      Must(store.Create(admin, meetings::kFollowUps,
                        {{"round_table_id", rt["id"]},
                         {"title", "Follow-up " + std::to_string(f)},
                         {"responsible", "Secretariat"},
                         {"due", Day(3 + 4 * t, 1)}}),
           "follow-up");
    }
  }
  std::printf(
      "data: region %s with %zu countries, each an adopted plan of 30 actions, 4 projects, 10 "
      "activities,"
      " 5 lessons (all shared with the region); 3 round tables x 5 follow-ups; filled in %.1f s\n",
      region.c_str(), members.size(), Ms(t_fill) / 1000);

  access::Principal secretariat;
  secretariat.user_id = "bench-secretariat";
  secretariat.role = access::Role::kSecretariat;
  secretariat.region = region;
  secretariat.related = members;
  records::Caller caller{secretariat, "local"};
  const std::string date = "2026-12-10";
  std::vector<double> json_ms, html_ms, pdf_ms;
  size_t html_bytes = 0, pdf_bytes = 0;
  for (int i = 0; i < runs; ++i) {
    auto t = Clock::now();
    Must(service.Brief(caller, region, date, "en"), "brief");
    json_ms.push_back(Ms(t));
    t = Clock::now();
    html_bytes =
        Must(http::RenderBrief(service, catalogs, caller, region, date, "en", "html"), "html")
            .size();
    html_ms.push_back(Ms(t));
    t = Clock::now();
    pdf_bytes =
        Must(http::RenderBrief(service, catalogs, caller, region, date, i % 2 ? "ru" : "en", "pdf"),
             "pdf")
            .size();
    pdf_ms.push_back(Ms(t));
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("brief as data (JSON):  p50 %.1f ms  p99 %.1f ms\n", Percentile(json_ms, 0.5),
              Percentile(json_ms, 0.99));
  std::printf("brief as HTML:         p50 %.1f ms  p99 %.1f ms  (%zu bytes; target < 50 ms)\n",
              Percentile(html_ms, 0.5), Percentile(html_ms, 0.99), html_bytes);
  std::printf("brief as PDF (en, ru): p50 %.1f ms  p99 %.1f ms  (%zu bytes; target < 500 ms)\n",
              Percentile(pdf_ms, 0.5), Percentile(pdf_ms, 0.99), pdf_bytes);
  std::printf("peak memory (max RSS): %.1f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
