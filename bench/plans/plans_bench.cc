// Action plans benchmark: a region of 12 countries, each with a National Action Plan of 200
// actions (one milestone and one indicator each) and 5 years of weekly progress history, on an
// embedded SQLite database in a temporary folder.
//
//   plans_bench [--countries N] [--actions N] [--years N] [--step-days D] [--runs N]
//
// The region is Central Asia from the reference data; when it has fewer member countries than
// asked, partner countries of other regions are made members of it too. Every plan is adopted
// and shared with the region. The history is one update of percent done (and a progress note)
// per action every D days (7 = weekly: 260 updates per action over 5 years), written through
// records::Store::UpdateIn as a system caller, one transaction per country, with the audit
// log's times set back to the week each update stands for (so "as of" views have a past to
// rebuild; the audit chain's hashes no longer match those times, which this bench does not
// verify). Prints, as the region's secretariat: the region's plans (warm p50/p99), one plan's
// view behind the timeline (p50/p99), the same plan as of 2 years ago (p50), and peak memory.
#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "assessment/assessment.h"
#include "bench/common/bench_util.h"
#include "network/network.h"
#include "plans/plans.h"
#include "storage/storage.h"

using namespace cbrnhub;
using Json = nlohmann::json;
using bench::Clock;
using bench::Ms;
using bench::Must;
using bench::Percentile;

namespace {

// Days since 1970-01-01 <-> YYYY-MM-DD (civil calendar).
long DayNumber(int y, int m, int d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string Date(long days) {
  long z = days + 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp + (mp < 10 ? 3 : -9);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d));
  return buf;
}

long Today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return DayNumber(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// A time of day on `day` as the audit log writes it.
std::string At(long day) { return Date(day) + "T12:00:00.000Z"; }

std::int64_t LastSeq(storage::Transaction& txn) {
  auto r = txn.Query("SELECT COALESCE(MAX(seq), 0) FROM audit_log");
  return r.ok() && !r->empty() ? (*r)[0].Int(0) : 0;
}

// Sets the time of every audit entry after `after_seq` to `day`.
void Backdate(storage::Transaction& txn, std::int64_t after_seq, long day) {
  auto r = txn.Exec("UPDATE audit_log SET at = ? WHERE seq > ?", {At(day), after_seq});
  if (!r.ok()) {
    std::fprintf(stderr, "backdate: %s\n", r.status().message().c_str());
    std::exit(1);
  }
}

const char* kAreas[] = {"chemical", "biological", "radiological", "nuclear", "cross_cutting", "export_control"};

}  // namespace

int main(int argc, char** argv) {
  int countries = 12, actions = 200, years = 5, step_days = 7, runs = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (a == "--countries") countries = v;
    else if (a == "--actions") actions = v;
    else if (a == "--years") years = v;
    else if (a == "--step-days") step_days = v;
    else if (a == "--runs") runs = v;
  }
  if (countries < 1 || actions < 1 || years < 3 || step_days < 1 || runs < 1) {
    std::fprintf(stderr, "usage: plans_bench [--countries N] [--actions N] [--years N>=3] [--step-days D] [--runs N]\n");
    return 2;
  }
  std::string dir = std::filesystem::temp_directory_path() / ("cbrnhub-plans-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto db = Must(storage::Open("sqlite:" + dir + "/bench.db", 4), "open");
  Must(storage::Migrate(*db), "migrate");
  records::Catalog catalog;
  network::RegisterKinds(catalog);
  assessment::RegisterKinds(catalog);
  plans::RegisterKinds(catalog);
  records::Store store(*db, catalog);
  records::Caller admin{access::Principal::System("bench"), ""};
  Must(network::SeedReference(store, admin).status(), "seed reference");
  assessment::Service assessments(store);
  plans::Service service(store, assessments);
  const records::KindSpec& plan_kind = *catalog.Find(plans::kPlans);
  const records::KindSpec& action_kind = *catalog.Find(plans::kActions);
  const records::KindSpec& milestone_kind = *catalog.Find(plans::kMilestones);
  const records::KindSpec& indicator_kind = *catalog.Find(plans::kIndicators);

  // The region: Central Asia's members, and partner countries of other regions made members
  // until there are `countries`.
  const std::string region = "CA";
  int seeded_members = 0;
  std::vector<std::string> members = bench::RegionMembers(*db, store, admin, region, countries, &seeded_members);

  // Five years of history up to today: plans and actions exist from `start`; updates every
  // `step_days` days after it.
  const long today = Today();
  const long start = today - 365L * years;
  const int steps = static_cast<int>((today - start) / step_days);
  std::printf("data: region %s with %d countries (%d from its reference membership, %d added), %d actions per plan"
              " (1 milestone + 1 indicator each), %d progress updates per action (every %d days over %d years)"
              " = %lld update audit entries\n",
              region.c_str(), countries, std::min(seeded_members, countries), countries - std::min(seeded_members, countries),
              actions, steps, step_days, years, static_cast<long long>(countries) * actions * steps);

  auto t_fill = Clock::now();
  std::vector<std::string> plan_ids;
  for (size_t c = 0; c < members.size(); ++c) {
    const std::string& iso = members[c];
    auto txn = Must(db->Begin(storage::Access::kWrite), "begin");
    std::int64_t before = LastSeq(*txn);
    Json plan = Must(store.CreateIn(*txn, admin, plan_kind,
                                    {{"country", iso},
                                     {"title", "National Action Plan " + iso + " " + Date(start).substr(0, 4) + "-" +
                                                   Date(today + 365 * 3).substr(0, 4)},
                                     {"period_start", Date(start)},
                                     {"period_end", Date(today + 365 * 3)}}),
                     "plan");
    std::string plan_id = plan["id"];
    std::vector<std::string> action_ids;
    std::vector<std::pair<long, long>> spans;
    for (int i = 0; i < actions; ++i) {
      // Actions start over the first 4 years and last 1 to 5 years: most have ended (some
      // late), some run on past today.
      long s = start + (i * 37L) % (365L * 4);
      long e = s + 365 + (i * 53L) % (365L * 4);
      Json a = Must(store.CreateIn(*txn, admin, action_kind,
                                   {{"plan_id", plan_id},
                                    {"title", "Action " + std::to_string(i + 1) + " of " + iso + ": strengthen national capacity"},
                                    {"objective", "Bench objective for action " + std::to_string(i + 1)},
                                    {"priorities", "GOV" + std::to_string(i % 9 + 1)},
                                    {"area", kAreas[i % 6]},
                                    {"start_date", Date(s)},
                                    {"end_date", Date(e)},
                                    {"budget", 10000 + 1000 * (i % 50)},
                                    {"currency", i % 3 ? "EUR" : "USD"},
                                    {"funding", i % 2 ? "eu" : "national"},
                                    {"secured", 5000},
                                    {"status", "not_started"},
                                    {"percent", 0}}),
                    "action");
      std::string aid = a["id"];
      Must(store.CreateIn(*txn, admin, milestone_kind,
                          {{"action_id", aid}, {"title", "Half way"}, {"due", Date(s + (e - s) / 2)}}),
           "milestone");
      Must(store.CreateIn(*txn, admin, indicator_kind,
                          {{"action_id", aid}, {"name", "People trained"}, {"unit", "people"}, {"baseline", "0"}, {"target", "100"}}),
           "indicator");
      action_ids.push_back(aid);
      spans.emplace_back(s, e);
    }
    Backdate(*txn, before, start - 1);
    Must(txn->Commit(), "commit plan");
    // Adopted and shared with the region, also on the first day.
    txn = Must(db->Begin(storage::Access::kRead), "begin");
    before = LastSeq(*txn);
    txn.reset();
    Must(service.Adopt(admin, plan_id, "bench").status(), "adopt");
    Must(store.Update(admin, plans::kPlans, plan_id, {{"sharing", "region"}}, false).status(), "share");
    txn = Must(db->Begin(storage::Access::kWrite), "begin");
    Backdate(*txn, before, start - 1);
    Must(txn->Exec("UPDATE plan_versions SET adopted_at = ? WHERE plan_id = ?", {At(start - 1), plan_id}).status(),
         "adopted_at");
    Must(txn->Commit(), "commit");

    // The history: every step, every action's percent done and note; a step's entries carry
    // its date. One transaction per country.
    txn = Must(db->Begin(storage::Access::kWrite), "begin");
    for (int k = 1; k <= steps; ++k) {
      long day = start + static_cast<long>(k) * step_days;
      std::int64_t step_before = LastSeq(*txn);
      for (int i = 0; i < actions; ++i) {
        auto [s, e] = spans[static_cast<size_t>(i)];
        int pct = 0;
        std::string status = "not_started";
        if (day >= s) {
          // One action in ten runs late: it stops at 80 % and is still "on track" past its end.
          bool late = i % 10 == 7;
          double done = std::min(1.0, static_cast<double>(day - s) / static_cast<double>(std::max(1L, e - s)));
          pct = static_cast<int>(done * (late ? 80 : 100));
          status = pct >= 100 ? "completed" : "on_track";
        }
        Must(store.UpdateIn(*txn, admin, action_kind, action_ids[static_cast<size_t>(i)],
                            {{"percent", pct}, {"status", status}, {"progress_note", "week of " + Date(day)}}, false),
             "progress");
      }
      Backdate(*txn, step_before, day);
    }
    Must(txn->Commit(), "commit history");
    plan_ids.push_back(plan_id);
    std::fprintf(stderr, "  %s: %zu/%zu countries, %.0f s\n", iso.c_str(), c + 1, members.size(), Ms(t_fill) / 1000);
  }
  std::int64_t audit_rows = 0;
  {
    auto txn = Must(db->Begin(storage::Access::kRead), "begin");
    audit_rows = Must(txn->Query("SELECT count(*) FROM audit_log"), "count")[0].Int(0);
  }
  std::printf("loaded in %.1f s; audit log %lld entries; database %.0f MB\n", Ms(t_fill) / 1000,
              static_cast<long long>(audit_rows),
              static_cast<double>(std::filesystem::file_size(dir + "/bench.db")) / (1024.0 * 1024.0));

  // The region's secretariat.
  records::Caller secretariat{bench::Secretariat(region, members), "127.0.0.1"};
  const std::string today_s = Date(today);

  auto t = Clock::now();
  Json cold = Must(service.RegionOverview(secretariat, region, today_s), "region overview");
  double cold_ms = Ms(t);
  int shown = 0, counted = 0;
  for (const auto& c : cold["countries"]) {
    if (c["plan"].is_object()) {
      ++shown;
      counted += c["summary"]["actions"].get<int>();
    }
  }
  if (shown != countries || counted != countries * actions) {
    std::fprintf(stderr, "the secretariat sees %d plans with %d actions, expected %d and %d\n", shown, counted, countries,
                 countries * actions);
    return 1;
  }
  std::vector<double> overview;
  for (int i = 0; i < runs; ++i) {
    t = Clock::now();
    Must(service.RegionOverview(secretariat, region, today_s), "region overview");
    overview.push_back(Ms(t));
  }
  std::printf("region overview (%d countries, %d actions, as the secretariat): cold %.2f ms, warm p50 %.2f ms, p99 %.2f ms"
              " (target p99 < 20 ms)\n",
              countries, counted, cold_ms, Percentile(overview, 0.5), Percentile(overview, 0.99));

  const std::string& one = plan_ids.front();
  std::vector<double> view_ms;
  size_t shown_actions = 0;
  for (int i = 0; i < runs; ++i) {
    t = Clock::now();
    Json v = Must(service.PlanView(secretariat, one, "", today_s), "plan view");
    view_ms.push_back(Ms(t));
    shown_actions = v["actions"].size();
  }
  std::printf("plan view behind the timeline (%zu actions, milestones, indicators): p50 %.2f ms, p99 %.2f ms (target < 20 ms)\n",
              shown_actions, Percentile(view_ms, 0.5), Percentile(view_ms, 0.99));

  const std::string past = Date(today - 365 * 2);
  std::vector<double> past_ms;
  int past_runs = std::max(5, runs / 10);
  Json pv;
  for (int i = 0; i < past_runs; ++i) {
    t = Clock::now();
    pv = Must(service.PlanView(secretariat, one, past, today_s), "plan view as of");
    past_ms.push_back(Ms(t));
  }
  double mean_pct = 0;
  for (const auto& a : pv["actions"]) mean_pct += a.value("percent", 0);
  if (!pv["actions"].empty()) mean_pct /= static_cast<double>(pv["actions"].size());
  std::printf("plan view as of %s (rebuilt from the history, %zu actions, mean %.0f %% done then): p50 %.2f ms over %d runs\n",
              past.c_str(), pv["actions"].size(), mean_pct, Percentile(past_ms, 0.5), past_runs);

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak memory (max RSS): %.1f MB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
