// The plan workflow, snapshots and their differences, views as of a date, gaps, traces, the
// region's overview and the project portfolio.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "audit/audit.h"
#include "core/ids.h"
#include "notify/notify.h"
#include "plans/plans.h"
#include "records/text.h"

namespace cbrnhub::plans {

using records::SplitList;
using records::Text;
namespace {

using storage::Access;
using storage::Rows;
using storage::Transaction;


std::int64_t Int(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}


bool ListHas(const std::string& list, const std::string& item) {
  auto v = SplitList(list);
  return std::find(v.begin(), v.end(), item) != v.end();
}

// The fields of a record that are its content (what an adopted version keeps): not the record
// bookkeeping, not the parent link, not progress.
Json Content(const Json& record, const std::vector<std::string>& leave_out) {
  static const std::set<std::string> kMeta = {"id",         "owner",      "revision", "created_at", "created_by",
                                              "updated_at", "updated_by", "sharing",  "assigned_to", "deleted_at",
                                              "status"};
  Json out = Json::object();
  for (const auto& [k, v] : record.items()) {
    if (kMeta.count(k) || std::find(leave_out.begin(), leave_out.end(), k) != leave_out.end()) continue;
    out[k] = v.is_string() && v.get<std::string>().empty() ? Json(nullptr) : v;
  }
  return out;
}

const std::vector<std::string> kProgressFields = {"plan_id", "status", "percent", "progress_note", "secured"};

// "delayed" is computed: an action whose end date has passed and that is not completed or
// cancelled is delayed, whatever was typed.
std::string EffectiveStatus(const Json& action, const std::string& today) {
  std::string status = Text(action, "status");
  if (status == "completed" || status == "cancelled") return status;
  std::string end = Text(action, "end_date");
  if (!end.empty() && end < today) return "delayed";
  return status.empty() ? "not_started" : status;
}

bool Overdue(const Json& milestone, const std::string& today) {
  return Text(milestone, "reached_on").empty() && Text(milestone, "due") < today;
}

// The end of day `date` as the audit log writes times, for "as of" comparisons.
std::string EndOfDay(const std::string& date) { return date + "T23:59:59.999999Z"; }

bool ValidDate(const std::string& s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
}

struct PlanRecords {
  Json plan;
  std::vector<Json> actions, milestones, indicators, values;
};

// Replaces each record by its state at `cutoff`, from the audit log; drops what did not exist
// then (created later, or deleted by then).
Status RebuildAsOf(Transaction& txn, const std::string& cutoff, std::vector<Json>& records) {
  if (records.empty()) return Status::Ok();
  std::map<std::string, Json> state;
  constexpr size_t kChunk = 400;
  for (size_t start = 0; start < records.size(); start += kChunk) {
    storage::Params params;
    std::string marks;
    for (size_t i = start; i < std::min(records.size(), start + kChunk); ++i) {
      marks += marks.empty() ? "?" : ", ?";
      params.emplace_back(records[i]["id"].get<std::string>());
    }
    params.emplace_back(cutoff);
    // Only each record's latest entry up to the cutoff is read and parsed.
    CBRN_ASSIGN_OR_RETURN(Rows rows, txn.Query("SELECT a.entity_id, a.action, a.after_json FROM audit_log a JOIN"
                                               " (SELECT entity_id, MAX(seq) AS seq FROM audit_log WHERE entity_id IN (" +
                                                   marks + ") AND at <= ? GROUP BY entity_id) latest ON latest.seq = a.seq",
                                               params));
    for (const auto& r : rows) {
      state[r.Text(0)] = r.Text(1) == "delete" || r.IsNull(2) ? Json(nullptr) : Json::parse(r.Text(2), nullptr, false);
    }
  }
  std::vector<Json> out;
  for (const auto& rec : records) {
    auto it = state.find(rec["id"].get<std::string>());
    if (it == state.end() || !it->second.is_object()) continue;
    out.push_back(it->second);
  }
  records = std::move(out);
  return Status::Ok();
}

}  // namespace

Service::Service(records::Store& store, assessment::Service& assessments) : store_(store), assessments_(assessments) {}
Service::~Service() = default;

namespace {

Result<PlanRecords> LoadPlan(records::Store& store, Transaction& txn, const Caller& caller, const std::string& plan_id,
                             bool include_deleted) {
  const records::Catalog& cat = store.catalog();
  PlanRecords p;
  CBRN_ASSIGN_OR_RETURN(p.plan, store.GetIn(txn, caller, *cat.Find(kPlans), plan_id));
  auto ids = [](const std::vector<Json>& v) {
    std::vector<std::string> out;
    for (const auto& r : v) out.push_back(r["id"]);
    return out;
  };
  CBRN_ASSIGN_OR_RETURN(p.actions, store.ListChildrenIn(txn, caller, *cat.Find(kActions), {p.plan["id"]}, include_deleted));
  CBRN_ASSIGN_OR_RETURN(p.milestones,
                        store.ListChildrenIn(txn, caller, *cat.Find(kMilestones), ids(p.actions), include_deleted));
  CBRN_ASSIGN_OR_RETURN(p.indicators,
                        store.ListChildrenIn(txn, caller, *cat.Find(kIndicators), ids(p.actions), include_deleted));
  CBRN_ASSIGN_OR_RETURN(p.values,
                        store.ListChildrenIn(txn, caller, *cat.Find(kIndicatorValues), ids(p.indicators), include_deleted));
  return p;
}

// The plan's content as an adopted version keeps it.
Json Snapshot(const PlanRecords& p) {
  Json actions = Json::array();
  for (const auto& a : p.actions) {
    Json one = Content(a, kProgressFields);
    one["id"] = a["id"];
    Json ms = Json::array(), inds = Json::array();
    for (const auto& m : p.milestones) {
      if (m["action_id"] == a["id"]) {
        Json c = Content(m, {"action_id", "reached_on"});
        c["id"] = m["id"];
        ms.push_back(c);
      }
    }
    for (const auto& i : p.indicators) {
      if (i["action_id"] == a["id"]) {
        Json c = Content(i, {"action_id"});
        c["id"] = i["id"];
        inds.push_back(c);
      }
    }
    one["milestones"] = ms;
    one["indicators"] = inds;
    actions.push_back(one);
  }
  return Json{{"plan", Content(p.plan, {})}, {"actions", actions}};
}

Result<Json> PlanTransition(records::Store& store, const Caller& caller, const std::string& plan_id,
                            const std::string& from_a, const std::string& from_b, const std::string& to,
                            const std::string& note) {
  if (note.size() > 4000) return Status::Invalid("note", "longer than 4000 bytes");
  const records::KindSpec* kind = store.catalog().Find(kPlans);
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(PlanRecords p, LoadPlan(store, *txn, caller, plan_id, false));
  CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kSubmit, kind->ScopeOf(p.plan)));
  std::string status = p.plan["status"];
  if (status != from_a && status != from_b) {
    return Status(StatusCode::kConflict, "the plan is " + status + ": it cannot become " + to, "status").Says("conflict.plan_transition", {{"status@plans.state.", status}, {"to@plans.state.", to}});
  }
  std::string id = p.plan["id"];
  std::string now = NowUtc();
  if (to == "adopted") {
    if (p.actions.empty()) return Status::Invalid("actions", "a plan is adopted with at least one action").Says("invalid.plan_needs_action");
    CBRN_ASSIGN_OR_RETURN(Rows v, txn->Query("SELECT COALESCE(MAX(version), 0) FROM plan_versions WHERE plan_id = ?", {id}));
    std::int64_t version = v[0].Int(0) + 1;
    CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO plan_versions (id, plan_id, version, adopted_at, adopted_by, note,"
                                   " snapshot_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   {NewUuid(), id, version, now, caller.who.audit_id(), note, Snapshot(p).dump()})
                             .status());
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE action_plans SET status = ?, revision = revision + 1, updated_at = ?,"
                                 " updated_by = ? WHERE id = ?",
                                 {to, now, caller.who.audit_id(), id})
                           .status());
  CBRN_ASSIGN_OR_RETURN(Json after, store.GetIn(*txn, caller, *kind, id));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"transition:" + to, kPlans, id, after["owner"], p.plan.dump(), after.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return after;
}

}  // namespace

Result<Json> Service::Adopt(const Caller& caller, const std::string& plan_id, const std::string& note) {
  return PlanTransition(store_, caller, plan_id, "draft", "revised", "adopted", note);
}

Result<Json> Service::Revise(const Caller& caller, const std::string& plan_id, const std::string& note) {
  return PlanTransition(store_, caller, plan_id, "adopted", "adopted", "revised", note);
}

Result<int> Service::NotifyOverdueMilestones(const std::string& today) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn->Query("SELECT m.id, a.plan_id FROM plan_milestones m"
                                   " JOIN plan_actions a ON a.id = m.action_id"
                                   " JOIN action_plans p ON p.id = a.plan_id"
                                   " WHERE m.deleted_at IS NULL AND a.deleted_at IS NULL AND p.deleted_at IS NULL"
                                   " AND (m.reached_on IS NULL OR m.reached_on = '') AND m.due < ?",
                                   {today}));
  std::vector<notify::RecordLink> overdue;
  for (const auto& r : rows) overdue.push_back({r.Text(0), "/plans/" + r.Text(1)});
  // Whoever may change the milestone (the plan's owner, its assignee) is told.
  CBRN_ASSIGN_OR_RETURN(int queued, notify::EnqueueRecords(*txn, store_, notify::kMilestoneOverdue, kMilestones,
                                                           overdue, access::Action::kChange));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return queued;
}

Result<int> Service::SeedDemo(const Caller& caller) {
  std::string assessment_id, agency_id;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(Rows plans, txn->Query("SELECT count(*) FROM action_plans"));
    if (plans[0].Int(0) > 0) return 0;
    CBRN_ASSIGN_OR_RETURN(Rows a, txn->Query("SELECT id FROM assessments WHERE country = 'UZ' AND deleted_at IS NULL"
                                             " ORDER BY created_at LIMIT 1"));
    CBRN_ASSIGN_OR_RETURN(Rows ag, txn->Query("SELECT id FROM agencies WHERE owner_scope = 'country:UZ' AND deleted_at IS NULL"
                                              " ORDER BY name LIMIT 1"));
    if (a.empty()) return 0;  // the demo assessments come first
    assessment_id = a[0].Text(0);
    if (!ag.empty()) agency_id = ag[0].Text(0);
  }
  CBRN_ASSIGN_OR_RETURN(Json results, assessments_.Results(caller, assessment_id, "en"));
  CBRN_ASSIGN_OR_RETURN(Json plan, store_.Create(caller, kPlans,
                                                 Json{{"country", "UZ"}, {"title", "Demo National Action Plan 2026-2030"},
                                                      {"period_start", "2026-01-01"}, {"period_end", "2030-12-31"},
                                                      {"assessment_id", assessment_id}}));
  struct Demo {
    const char* area;
    const char* start;
    const char* end;
    std::int64_t budget, secured, percent;
    const char* status;
  };
  const Demo demos[] = {{"chemical", "2026-02-01", "2027-06-30", 120000, 80000, 45, "on_track"},
                        {"biological", "2026-03-01", "2026-09-30", 60000, 60000, 70, "on_track"},
                        {"cross_cutting", "2026-01-15", "2026-12-31", 25000, 25000, 100, "completed"},
                        {"radiological", "2027-01-01", "2028-12-31", 300000, 50000, 0, "not_started"}};
  for (size_t i = 0; i < std::size(demos) && i < results["priorities"].size(); ++i) {
    const Json& pr = results["priorities"][i];
    const Demo& d = demos[i];
    Json body = {{"plan_id", plan["id"]},  {"title", "Demo: " + pr["text"].get<std::string>().substr(0, 280)},
                 {"priorities", pr["question"]}, {"area", d.area}, {"start_date", d.start}, {"end_date", d.end},
                 {"budget", d.budget}, {"secured", d.secured}, {"currency", "EUR"}, {"funding", i % 2 ? "eu" : "national"},
                 {"status", d.status}, {"percent", d.percent}};
    if (!agency_id.empty()) body["lead_agency_id"] = agency_id;
    CBRN_ASSIGN_OR_RETURN(Json action, store_.Create(caller, kActions, body));
    CBRN_RETURN_IF_ERROR(store_.Create(caller, kMilestones, Json{{"action_id", action["id"]}, {"title", "Demo milestone"},
                                                                 {"due", d.start}})
                             .status());
    CBRN_ASSIGN_OR_RETURN(Json indicator, store_.Create(caller, kIndicators,
                                                        Json{{"action_id", action["id"]}, {"name", "Demo: people trained"},
                                                             {"unit", "people"}, {"baseline", "0"}, {"target", "120"}}));
    CBRN_RETURN_IF_ERROR(store_.Create(caller, kIndicatorValues, Json{{"indicator_id", indicator["id"]}, {"measured_on", d.start},
                                                                      {"value", std::to_string(d.percent)}})
                             .status());
  }
  CBRN_RETURN_IF_ERROR(Adopt(caller, plan["id"], "Demo adoption").status());
  CBRN_RETURN_IF_ERROR(store_.Update(caller, kPlans, plan["id"], Json{{"sharing", "region"}}, false).status());
  CBRN_RETURN_IF_ERROR(store_.Create(caller, kProjects,
                                     Json{{"region", "CA"}, {"title", "Demo regional project: biosafety laboratories"},
                                          {"scope", "regional"}, {"theme", "biological"}, {"participants", "UZ,KZ"},
                                          {"budget", 900000}, {"secured", 300000}, {"currency", "EUR"}, {"funding", "eu"},
                                          {"start_date", "2027-01-01"}, {"end_date", "2029-12-31"}, {"sharing", "region"}})
                           .status());
  return 1;
}

Result<Json> Service::Versions(const Caller& caller, const std::string& plan_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json plan, store_.GetIn(*txn, caller, *store_.catalog().Find(kPlans), plan_id));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT version, adopted_at, adopted_by, note FROM plan_versions"
                                              " WHERE plan_id = ? ORDER BY version DESC",
                                              {plan["id"].get<std::string>()}));
  Json items = Json::array();
  for (const auto& r : rows) {
    items.push_back({{"version", r.Int(0)}, {"adopted_at", r.Text(1)}, {"adopted_by", r.Text(2)}, {"note", r.Text(3)}});
  }
  return Json{{"plan", plan}, {"versions", items}};
}

Result<Json> Service::Version(const Caller& caller, const std::string& plan_id, int version) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json plan, store_.GetIn(*txn, caller, *store_.catalog().Find(kPlans), plan_id));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT version, adopted_at, adopted_by, note, snapshot_json FROM plan_versions"
                                              " WHERE plan_id = ? AND version = ?",
                                              {plan["id"].get<std::string>(), static_cast<std::int64_t>(version)}));
  if (rows.empty()) return Status::NotFound("the plan has no adopted version " + std::to_string(version));
  return Json{{"version", rows[0].Int(0)}, {"adopted_at", rows[0].Text(1)}, {"adopted_by", rows[0].Text(2)},
              {"note", rows[0].Text(3)}, {"snapshot", Json::parse(rows[0].Text(4))}};
}

namespace {

// Field-by-field differences of two content objects (nested lists are compared by id).
Json FieldChanges(const Json& before, const Json& after) {
  Json changes = Json::array();
  std::set<std::string> keys;
  for (const auto& [k, v] : before.items()) keys.insert(k);
  for (const auto& [k, v] : after.items()) keys.insert(k);
  for (const auto& k : keys) {
    if (k == "id" || k == "milestones" || k == "indicators") continue;
    Json b = before.contains(k) ? before[k] : Json(nullptr), a = after.contains(k) ? after[k] : Json(nullptr);
    if (a != b) changes.push_back({{"field", k}, {"before", b}, {"after", a}});
  }
  return changes;
}

Json ListChanges(const Json& before, const Json& after) {
  Json out = Json::array();
  std::map<std::string, Json> b, a;
  for (const auto& x : before) b[x["id"]] = x;
  for (const auto& x : after) a[x["id"]] = x;
  for (const auto& [id, x] : b) {
    if (!a.count(id)) out.push_back({{"id", id}, {"change", "removed"}, {"before", x}});
  }
  for (const auto& [id, x] : a) {
    if (!b.count(id)) {
      out.push_back({{"id", id}, {"change", "added"}, {"after", x}});
    } else if (Json f = FieldChanges(b[id], x); !f.empty()) {
      out.push_back({{"id", id}, {"change", "changed"}, {"fields", f}});
    }
  }
  return out;
}

}  // namespace

Result<Json> Service::Diff(const Caller& caller, const std::string& plan_id, int from, int to) {
  auto snapshot = [&](int version) -> Result<Json> {
    if (version > 0) {
      CBRN_ASSIGN_OR_RETURN(Json v, Version(caller, plan_id, version));
      return v["snapshot"];
    }
    CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(PlanRecords p, LoadPlan(store_, *txn, caller, plan_id, false));
    return Snapshot(p);
  };
  if (from < 0 || to < 0) return Status::Invalid("from", "versions are numbered from 1 (0 = the plan as it is now)");
  CBRN_ASSIGN_OR_RETURN(Json a, snapshot(from));
  CBRN_ASSIGN_OR_RETURN(Json b, snapshot(to));
  Json actions = Json::array();
  std::map<std::string, Json> before, after;
  for (const auto& x : a["actions"]) before[x["id"]] = x;
  for (const auto& x : b["actions"]) after[x["id"]] = x;
  for (const auto& [id, x] : before) {
    if (!after.count(id)) actions.push_back({{"id", id}, {"title", x["title"]}, {"change", "removed"}});
  }
  for (const auto& [id, x] : after) {
    if (!before.count(id)) {
      actions.push_back({{"id", id}, {"title", x["title"]}, {"change", "added"}, {"after", x}});
      continue;
    }
    Json fields = FieldChanges(before[id], x);
    Json ms = ListChanges(before[id]["milestones"], x["milestones"]);
    Json inds = ListChanges(before[id]["indicators"], x["indicators"]);
    if (!fields.empty() || !ms.empty() || !inds.empty()) {
      actions.push_back({{"id", id}, {"title", x["title"]}, {"change", "changed"}, {"fields", fields},
                         {"milestones", ms}, {"indicators", inds}});
    }
  }
  return Json{{"from", from}, {"to", to}, {"plan", FieldChanges(a["plan"], b["plan"])}, {"actions", actions}};
}

Result<Json> Service::PlanView(const Caller& caller, const std::string& plan_id, const std::string& as_of,
                               const std::string& today) {
  if (!as_of.empty() && !ValidDate(as_of)) return Status::Invalid("as_of", "as_of must be a date YYYY-MM-DD");
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(PlanRecords p, LoadPlan(store_, *txn, caller, plan_id, !as_of.empty()));
  std::string day = today;
  if (!as_of.empty()) {
    std::string cutoff = EndOfDay(as_of);
    std::vector<Json> plan = {p.plan};
    CBRN_RETURN_IF_ERROR(RebuildAsOf(*txn, cutoff, plan));
    if (plan.empty()) return Status::NotFound("the plan did not exist on " + as_of);
    p.plan = plan[0];
    for (auto* v : {&p.actions, &p.milestones, &p.indicators, &p.values}) CBRN_RETURN_IF_ERROR(RebuildAsOf(*txn, cutoff, *v));
    day = std::min(today, as_of);
  }
  // Totals over live actions, by effective status, area and currency.
  std::map<std::string, int> by_status;
  std::map<std::string, std::pair<double, int>> by_area;  // sum of percent, count
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> money;  // currency -> planned, secured
  int overdue = 0;
  Json actions = Json::array();
  // Children grouped by their parent once (a plan of 200 actions has a thousand of them).
  std::map<std::string, std::vector<const Json*>> milestones_of, indicators_of, values_of;
  for (const auto& m : p.milestones) milestones_of[m["action_id"].get<std::string>()].push_back(&m);
  for (const auto& i : p.indicators) indicators_of[i["action_id"].get<std::string>()].push_back(&i);
  for (const auto& v : p.values) values_of[v["indicator_id"].get<std::string>()].push_back(&v);
  for (auto a : p.actions) {
    std::string effective = EffectiveStatus(a, day);
    a["effective_status"] = effective;
    ++by_status[effective];
    if (effective != "cancelled") {
      auto& area = by_area[Text(a, "area").empty() ? "unspecified" : Text(a, "area")];
      area.first += static_cast<double>(Int(a, "percent"));
      area.second += 1;
      if (!Text(a, "currency").empty()) {
        auto& m = money[Text(a, "currency")];
        m.first += Int(a, "budget");
        m.second += Int(a, "secured");
      }
    }
    Json ms = Json::array(), inds = Json::array();
    for (const Json* mp : milestones_of[a["id"].get<std::string>()]) {
      Json m = *mp;
      m["overdue"] = effective != "cancelled" && Overdue(m, day);
      overdue += m["overdue"].get<bool>();
      ms.push_back(std::move(m));
    }
    for (const Json* ip : indicators_of[a["id"].get<std::string>()]) {
      Json i = *ip;
      Json vals = Json::array();
      for (const Json* v : values_of[i["id"].get<std::string>()]) vals.push_back(*v);
      i["latest"] = vals.empty() ? Json(nullptr) : vals.back()["value"];
      i["values"] = std::move(vals);
      inds.push_back(std::move(i));
    }
    a["milestones"] = ms;
    a["indicators"] = inds;
    actions.push_back(std::move(a));
  }
  Json status_counts = Json::object(), areas = Json::array(), budget = Json::array();
  for (const auto& [k, v] : by_status) status_counts[k] = v;
  for (const auto& [k, v] : by_area) areas.push_back({{"area", k}, {"actions", v.second}, {"percent", v.first / v.second}});
  for (const auto& [k, v] : money) budget.push_back({{"currency", k}, {"planned", v.first}, {"secured", v.second}});
  CBRN_ASSIGN_OR_RETURN(Rows versions, txn->Query("SELECT COALESCE(MAX(version), 0) FROM plan_versions WHERE plan_id = ?"
                                                  + std::string(as_of.empty() ? "" : " AND adopted_at <= ?"),
                                                  as_of.empty() ? storage::Params{p.plan["id"].get<std::string>()}
                                                                : storage::Params{p.plan["id"].get<std::string>(), EndOfDay(as_of)}));
  const access::RecordScope scope = store_.catalog().Find(kPlans)->ScopeOf(p.plan);
  std::string status = p.plan["status"];
  Json may = {{"change", access::Allows(caller.who, access::Action::kChange, scope) && status != "adopted"},
              {"adopt", access::Allows(caller.who, access::Action::kSubmit, scope) && status != "adopted"},
              {"revise", access::Allows(caller.who, access::Action::kSubmit, scope) && status == "adopted"},
              {"share", access::Allows(caller.who, access::Action::kShare, scope)}};
  // A workbook may carry the caller's progress on actions assigned to them, even when the
  // plan itself is not theirs to change: the preview decides row by row.
  access::RecordScope assigned = scope;
  assigned.assigned_to = caller.who.user_id;
  may["import"] = access::Allows(caller.who, access::Action::kChange, assigned);
  return Json{{"plan", p.plan},         {"actions", actions},        {"as_of", as_of.empty() ? Json(nullptr) : Json(as_of)},
              {"today", day},           {"by_status", status_counts}, {"by_area", areas},
              {"budget", budget},       {"overdue_milestones", overdue}, {"version", versions[0].Int(0)},
              {"may", as_of.empty() ? may : Json::object()}};
}

namespace {
// The assessment a plan answers: its own link, else its country's latest one the caller may read
// ("" when there is none).
Result<std::string> AssessmentOf(records::Store& store, Transaction& txn, const Caller& caller, const Json& plan) {
  std::string id = Text(plan, "assessment_id");
  if (!id.empty() || Text(plan, "country").empty()) return id;
  records::ListQuery q;
  q.filters["country"] = Text(plan, "country");
  q.limit = 1;
  CBRN_ASSIGN_OR_RETURN(records::Page latest, store.ListIn(txn, caller, *store.catalog().Find(assessment::kAssessments), q));
  return latest.items.empty() ? std::string() : latest.items[0]["id"].get<std::string>();
}
}  // namespace

Result<Json> Service::Gaps(const Caller& caller, const std::string& plan_id, const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(PlanRecords p, LoadPlan(store_, *txn, caller, plan_id, false));
  CBRN_ASSIGN_OR_RETURN(std::string assessment_id, AssessmentOf(store_, *txn, caller, p.plan));
  if (assessment_id.empty()) return Json{{"plan", p.plan}, {"assessment", nullptr}, {"gaps", Json::array()}};
  txn.reset();
  CBRN_ASSIGN_OR_RETURN(Json results, assessments_.Results(caller, assessment_id, lang));
  std::set<std::string> linked;
  for (const auto& a : p.actions) {
    for (const auto& q : SplitList(Text(a, "priorities"))) linked.insert(q);
  }
  Json gaps = Json::array();
  for (const auto& pr : results["priorities"]) {
    if (!linked.count(pr["question"].get<std::string>())) gaps.push_back(pr);
  }
  return Json{{"plan", p.plan}, {"assessment", results["assessment"]}, {"gaps", gaps},
              {"linked", static_cast<int>(results["priorities"].size() - gaps.size())}};
}

Result<Json> Service::ProgressByCapability(const Caller& caller, const std::string& plan_id, const std::string& lang) {
  std::vector<Json> actions;
  std::string assessment_id;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(Json plan, store_.GetIn(*txn, caller, *store_.catalog().Find(kPlans), plan_id));
    CBRN_ASSIGN_OR_RETURN(assessment_id, AssessmentOf(store_, *txn, caller, plan));
    CBRN_ASSIGN_OR_RETURN(actions, store_.ListChildrenIn(*txn, caller, *store_.catalog().Find(kActions), {plan["id"]}));
  }
  if (assessment_id.empty()) return Json{{"by_function", Json::array()}, {"by_domain", Json::array()}};
  CBRN_ASSIGN_OR_RETURN(Json results, assessments_.Results(caller, assessment_id, lang));
  std::map<std::string, std::pair<std::string, std::string>> capability_of_section;  // section -> function, domain
  for (const auto& sec : results["sections"]) {
    capability_of_section[sec["id"]] = {Text(sec, "function"), Text(sec, "domain")};
  }
  std::map<std::string, std::string> section_of;
  for (const auto& q : results["questions"]) section_of[q["id"]] = q["section"];
  // Each action counts once for every function (and domain) its priorities belong to.
  std::map<std::string, std::pair<double, int>> by_function, by_domain;
  for (const auto& a : actions) {
    if (Text(a, "status") == "cancelled") continue;
    std::set<std::string> functions, domains;
    for (const auto& q : SplitList(Text(a, "priorities"))) {
      auto sec = section_of.find(q);
      if (sec == section_of.end()) continue;
      const auto& [function, domain] = capability_of_section[sec->second];
      if (!function.empty()) functions.insert(function);
      if (!domain.empty()) domains.insert(domain);
    }
    double percent = a.contains("percent") && a["percent"].is_number() ? a["percent"].get<double>() : 0;
    for (const auto& f : functions) by_function[f].first += percent, by_function[f].second += 1;
    for (const auto& d : domains) by_domain[d].first += percent, by_domain[d].second += 1;
  }
  auto list = [](const std::map<std::string, std::pair<double, int>>& m) {
    Json out = Json::array();
    for (const auto& [k, v] : m) out.push_back({{"key", k}, {"actions", v.second}, {"percent", v.first / v.second}});
    return out;
  };
  return Json{{"by_function", list(by_function)}, {"by_domain", list(by_domain)}};
}

Result<Json> Service::Trace(const Caller& caller, const std::string& assessment_id, const std::string& question,
                            const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(Json results, assessments_.Results(caller, assessment_id, lang));
  Json q = nullptr, priority = nullptr;
  for (const auto& x : results["questions"]) {
    if (x["id"] == question) q = x;
  }
  if (q.is_null()) return Status::NotFound("no question " + question + " in this assessment");
  for (const auto& x : results["priorities"]) {
    if (x["question"] == question) priority = x;
  }
  std::string country = results["assessment"]["country"];
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  // Actions of the country's plans (and of its regions' plans) that link to the question.
  const records::KindSpec* akind = store_.catalog().Find(kActions);
  access::SqlFilter f = access::VisibilityFilter(caller.who);
  storage::Params params(f.params.begin(), f.params.end());
  params.emplace_back("%," + question + ",%");
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT id FROM plan_actions WHERE " + f.sql +
                                                  " AND deleted_at IS NULL AND (',' || REPLACE(COALESCE(priorities, ''), ' ', '')"
                                                  " || ',') LIKE ?",
                                              params));
  Json actions = Json::array();
  std::set<std::string> action_ids;
  for (const auto& r : rows) {
    CBRN_ASSIGN_OR_RETURN(Json a, store_.GetIn(*txn, caller, *akind, r.Text(0)));
    CBRN_ASSIGN_OR_RETURN(Json plan, store_.GetIn(*txn, caller, *store_.catalog().Find(kPlans), a["plan_id"]));
    bool national = Text(plan, "country") == country;
    bool regional = !Text(plan, "region").empty() && ListHas(Text(a, "countries"), country);
    if (!national && !regional) continue;
    a["plan"] = {{"id", plan["id"]}, {"title", plan["title"]}, {"status", plan["status"]}};
    action_ids.insert(a["id"].get<std::string>());
    actions.push_back(a);
  }
  // Projects that answer those actions or the priority itself.
  records::ListQuery all;
  all.limit = 500;
  CBRN_ASSIGN_OR_RETURN(records::Page projects, store_.ListIn(*txn, caller, *store_.catalog().Find(kProjects), all));
  Json answering = Json::array();
  for (const auto& pr : projects.items) {
    bool links = ListHas(Text(pr, "priorities"), question);
    for (const auto& id : SplitList(Text(pr, "actions"))) links = links || action_ids.count(id);
    if (links) answering.push_back(pr);
  }
  return Json{{"assessment", results["assessment"]}, {"question", q}, {"priority", priority},
              {"actions", actions}, {"projects", answering}};
}

Result<Json> Service::PlanForPriorities(const Caller& caller, const std::string& assessment_id,
                                        const std::string& title) {
  const records::KindSpec* kind = store_.catalog().Find(kPlans);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json a, store_.GetIn(*txn, caller, *store_.catalog().Find(assessment::kAssessments), assessment_id));
  records::ListQuery q;
  q.filters["country"] = a["country"];
  q.limit = 50;
  CBRN_ASSIGN_OR_RETURN(records::Page plans, store_.ListIn(*txn, caller, *kind, q));
  const Json* adopted = nullptr;
  for (const auto& p : plans.items) {
    if (!access::Allows(caller.who, access::Action::kCreate, kind->ScopeOf(p))) continue;
    if (p["status"] == "draft" || p["status"] == "revised") return Json{{"plan", p}, {"open", true}};
    if (!adopted) adopted = &p;
  }
  // An adopted plan is the country's plan: a new action goes into its revision, not a new plan.
  if (adopted) return Json{{"plan", *adopted}, {"open", false}};
  Json body = {{"country", a["country"]}, {"title", title}, {"assessment_id", a["id"]}};
  CBRN_ASSIGN_OR_RETURN(Json created, store_.CreateIn(*txn, caller, *kind, body));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return Json{{"plan", created}, {"open", true}};
}

namespace {

struct PlanSummary {
  std::map<std::string, int> by_status;
  int actions = 0, overdue = 0;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> money;
};

Result<PlanSummary> Summarise(Transaction& txn, const std::string& plan_id, const std::string& today) {
  PlanSummary s;
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn.Query("SELECT status, end_date, budget, secured, currency FROM plan_actions"
                                             " WHERE plan_id = ? AND deleted_at IS NULL",
                                             {plan_id}));
  for (const auto& r : rows) {
    Json a = {{"status", r.OptionalText(0).value_or("")}, {"end_date", r.OptionalText(1).value_or("")}};
    std::string effective = EffectiveStatus(a, today);
    ++s.by_status[effective];
    ++s.actions;
    if (effective != "cancelled" && r.OptionalText(4).value_or("") != "") {
      auto& m = s.money[r.Text(4)];
      m.first += r.IsNull(2) ? 0 : r.Int(2);
      m.second += r.IsNull(3) ? 0 : r.Int(3);
    }
  }
  CBRN_ASSIGN_OR_RETURN(Rows od, txn.Query("SELECT count(*) FROM plan_milestones m JOIN plan_actions a ON a.id = m.action_id"
                                           " WHERE a.plan_id = ? AND a.deleted_at IS NULL AND m.deleted_at IS NULL"
                                           " AND m.due < ? AND (m.reached_on IS NULL OR m.reached_on = '')"
                                           " AND COALESCE(a.status, '') <> 'cancelled'",
                                           {plan_id, today}));
  s.overdue = static_cast<int>(od[0].Int(0));
  return s;
}

Json SummaryJson(const PlanSummary& s) {
  Json by = Json::object(), money = Json::array();
  for (const auto& [k, v] : s.by_status) by[k] = v;
  for (const auto& [k, v] : s.money) money.push_back({{"currency", k}, {"planned", v.first}, {"secured", v.second}});
  return {{"actions", s.actions}, {"by_status", by}, {"overdue_milestones", s.overdue}, {"budget", money}};
}

}  // namespace

Result<Json> Service::RegionOverview(const Caller& caller, const std::string& region, const std::string& today) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows countries, txn->Query("SELECT c.iso2, c.name FROM memberships m JOIN regions r ON r.id = m.region_id"
                                                   " JOIN countries c ON c.id = m.country_id WHERE r.code = ?"
                                                   " AND m.deleted_at IS NULL ORDER BY c.name",
                                                   {region}));
  if (countries.empty()) return Status::NotFound("no region " + region);
  const records::KindSpec* kind = store_.catalog().Find(kPlans);
  Json rows = Json::array();
  for (const auto& c : countries) {
    records::ListQuery q;
    q.filters["country"] = c.Text(0);
    q.limit = 20;
    CBRN_ASSIGN_OR_RETURN(records::Page plans, store_.ListIn(*txn, caller, *kind, q));
    Json row = {{"country", c.Text(0)}, {"name", c.Text(1)}, {"plan", nullptr}};
    // The newest adopted plan, else the newest one the caller may read.
    const Json* chosen = nullptr;
    for (const auto& p : plans.items) {
      if (p["status"] == "adopted" && !chosen) chosen = &p;
    }
    if (!chosen && !plans.items.empty()) chosen = &plans.items[0];
    if (chosen) {
      CBRN_ASSIGN_OR_RETURN(PlanSummary s, Summarise(*txn, (*chosen)["id"], today));
      CBRN_ASSIGN_OR_RETURN(Rows adopted, txn->Query("SELECT MAX(adopted_at) FROM plan_versions WHERE plan_id = ?",
                                                     {(*chosen)["id"].get<std::string>()}));
      row["plan"] = {{"id", (*chosen)["id"]}, {"title", (*chosen)["title"]}, {"status", (*chosen)["status"]},
                     {"adopted_at", adopted.empty() || adopted[0].IsNull(0) ? Json(nullptr) : Json(adopted[0].Text(0))}};
      row["summary"] = SummaryJson(s);
    }
    rows.push_back(row);
  }
  records::ListQuery rq;
  rq.filters["region"] = region;
  rq.limit = 50;
  CBRN_ASSIGN_OR_RETURN(records::Page raps, store_.ListIn(*txn, caller, *kind, rq));
  Json regional = Json::array();
  for (const auto& p : raps.items) {
    CBRN_ASSIGN_OR_RETURN(PlanSummary s, Summarise(*txn, p["id"], today));
    regional.push_back({{"plan", p}, {"summary", SummaryJson(s)}});
  }
  return Json{{"region", region}, {"countries", rows}, {"regional_plans", regional}, {"today", today}};
}

namespace {

struct Step {
  const char* from;
  const char* to;
};
constexpr Step kProjectSteps[] = {
    {"idea", "proposal"},     {"proposal", "approved"},      {"approved", "implementation"},
    {"implementation", "closed"}, {"idea", "rejected"},      {"proposal", "rejected"},
    {"idea", "withdrawn"},    {"proposal", "withdrawn"},     {"approved", "withdrawn"},
};

}  // namespace

Result<Json> Service::ProjectTransition(const Caller& caller, const std::string& project_id, const std::string& to,
                                        const std::string& note) {
  if (note.size() > 4000) return Status::Invalid("note", "longer than 4000 bytes");
  const records::KindSpec* kind = store_.catalog().Find(kProjects);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json before, store_.GetIn(*txn, caller, *kind, project_id));
  CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kSubmit, kind->ScopeOf(before)));
  std::string from = before["status"];
  bool allowed = false;
  for (const auto& s : kProjectSteps) allowed = allowed || (from == s.from && to == s.to);
  if (!allowed) return Status(StatusCode::kConflict, "a project that is " + from + " cannot become " + to, "to").Says("conflict.project_transition", {{"from@projects.state.", from}, {"to@projects.state.", to}});
  std::string now = NowUtc();
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE projects SET status = ?, revision = revision + 1, updated_at = ?, updated_by = ?"
                                 " WHERE id = ?",
                                 {to, now, caller.who.audit_id(), before["id"].get<std::string>()})
                           .status());
  CBRN_ASSIGN_OR_RETURN(Json after, store_.GetIn(*txn, caller, *kind, before["id"]));
  Json audited = after;
  if (!note.empty()) audited["transition_note"] = note;
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(), {"transition:" + to, kProjects, after["id"], after["owner"],
                                                            before.dump(), audited.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return after;
}

Result<Json> Service::ProjectFromSharedPriority(const Caller& caller, const std::string& region,
                                                const std::string& question, const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(Json view, assessments_.RegionView(caller, region, lang));
  for (const auto& p : view["shared_priorities"]) {
    if (p["question"] != question) continue;
    std::string participants;
    for (const auto& c : p["countries"]) participants += (participants.empty() ? "" : ",") + c.get<std::string>();
    Json body = {{"region", region},         {"title", p["text"].get<std::string>().substr(0, 300)},
                 {"scope", "regional"},      {"theme", "cross_cutting"},
                 {"participants", participants}, {"priorities", question},
                 {"sharing", "region"}};
    return store_.Create(caller, kProjects, body);
  }
  return Status::NotFound("no priority " + question + " is shared by several countries of " + region);
}

Result<Json> Service::Portfolio(const Caller& caller, const PortfolioFilter& filter) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  std::set<std::string> members;
  if (!filter.region.empty()) {
    CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT c.iso2 FROM memberships m JOIN regions r ON r.id = m.region_id"
                                                " JOIN countries c ON c.id = m.country_id WHERE r.code = ? AND m.deleted_at IS NULL",
                                                {filter.region}));
    for (const auto& r : rows) members.insert(r.Text(0));
  }
  if (filter.year != 0 && (filter.year < 1990 || filter.year > 2100)) {
    return Status::Invalid("year", "year must be between 1990 and 2100");
  }
  const records::KindSpec* kind = store_.catalog().Find(kProjects);
  records::ListQuery q;
  q.limit = 500;
  if (!filter.status.empty()) q.filters["status"] = filter.status;
  if (!filter.theme.empty()) q.filters["theme"] = filter.theme;
  Json items = Json::array();
  std::map<std::string, std::pair<int, std::map<std::string, std::int64_t>>> pipeline;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> totals;
  for (;;) {
    CBRN_ASSIGN_OR_RETURN(records::Page page, store_.ListIn(*txn, caller, *kind, q));
    for (const auto& p : page.items) {
      auto participants = SplitList(Text(p, "participants"));
      if (!Text(p, "country").empty()) participants.push_back(Text(p, "country"));
      if (!filter.region.empty()) {
        bool in = Text(p, "region") == filter.region;
        for (const auto& c : participants) in = in || members.count(c);
        if (!in) continue;
      }
      if (!filter.country.empty() && std::find(participants.begin(), participants.end(), filter.country) == participants.end()) {
        continue;
      }
      if (filter.year != 0) {
        std::string y = std::to_string(filter.year);
        std::string start = Text(p, "start_date"), end = Text(p, "end_date");
        if ((!start.empty() && start.substr(0, 4) > y) || (!end.empty() && end.substr(0, 4) < y)) continue;
      }
      items.push_back(p);
      auto& stage = pipeline[p["status"]];
      ++stage.first;
      if (!Text(p, "currency").empty()) {
        stage.second[Text(p, "currency")] += Int(p, "budget");
        auto& t = totals[Text(p, "currency")];
        t.first += Int(p, "budget");
        t.second += Int(p, "secured");
      }
    }
    if (page.items.size() < static_cast<size_t>(q.limit)) break;
    q.offset += q.limit;
  }
  Json stages = Json::array();
  for (const auto& state : ProjectStates()) {
    Json budget = Json::array();
    for (const auto& [cur, amount] : pipeline[state].second) budget.push_back({{"currency", cur}, {"amount", amount}});
    stages.push_back({{"status", state}, {"count", pipeline[state].first}, {"budget", budget}});
  }
  Json money = Json::array();
  for (const auto& [cur, t] : totals) money.push_back({{"currency", cur}, {"planned", t.first}, {"secured", t.second}});
  return Json{{"projects", items}, {"count", items.size()}, {"pipeline", stages}, {"totals", money}};
}

}  // namespace cbrnhub::plans
