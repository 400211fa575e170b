// The record kinds of plans and projects, with the checks that span fields and records.
#include <nlohmann/json.hpp>
#include <unicode/ucurr.h>
#include <unicode/uenum.h>

#include <cmath>
#include <cstdlib>
#include <mutex>
#include <set>

#include "plans/plans.h"
#include "records/text.h"

namespace cbrnhub::plans {

using records::SplitList;
using records::Text;
namespace {

using records::FieldSpec;
using records::FieldType;
using records::KindSpec;
using storage::Rows;
using storage::Transaction;

FieldSpec Field(std::string name, FieldType type = FieldType::kText, bool required = false, size_t max = 200) {
  FieldSpec f = FieldSpec::Of(std::move(name), type, max);
  return required ? f.Required() : f;
}

FieldSpec Choice(std::string name, std::vector<std::string> choices, bool required = false) {
  FieldSpec f = FieldSpec::Choice(std::move(name), std::move(choices));
  return required ? f.Required() : f;
}

FieldSpec Ref(std::string name, std::string kind, bool required = false) {
  FieldSpec f = FieldSpec::Reference(std::move(name), std::move(kind));
  return required ? f.Required() : f;
}

FieldSpec Filterable(const FieldSpec& f) { return f.Filterable(); }

FieldSpec Searchable(const FieldSpec& f) { return f.Searchable(); }

FieldSpec ReadOnly(std::string name, std::string value) {
  return FieldSpec::Of(std::move(name)).ReadOnly(std::move(value)).Filterable();
}


bool Has(const Json& j, const char* key) { return !Text(j, key).empty(); }


// A finite decimal number written as text ("12.5", "-3", "1e3").
bool IsNumber(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(v);
}

// The fields a change may touch once the plan is adopted: progress, not the plan's content.
bool ContentChanged(const Json* before, const Json& after, const std::vector<std::string>& progress_fields) {
  if (!before) return true;
  for (const auto& [key, value] : after.items()) {
    if (key == "id" || key == "owner" || key == "sharing" || key == "assigned_to") continue;
    if (std::find(progress_fields.begin(), progress_fields.end(), key) != progress_fields.end()) continue;
    auto it = before->find(key);
    Json old = it == before->end() ? Json(nullptr) : *it;
    // An empty text and no value are the same to a person.
    auto norm = [](const Json& v) { return v.is_string() && v.get<std::string>().empty() ? Json(nullptr) : v; };
    if (norm(old) != norm(value)) return true;
  }
  return false;
}

Status Adopted(const std::string& what) {
  return Status(StatusCode::kConflict,
                "the plan is adopted: its " + what + " change only in a revision (revise the plan first)", "status").Says("conflict.plan_adopted");
}

// The plan a record belongs to: status, owner, country, region, assessment.
struct PlanInfo {
  std::string status, owner, country, region;
};

Result<PlanInfo> PlanOf(Transaction& txn, const std::string& plan_id) {
  CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT status, owner_scope, country, region FROM action_plans WHERE id = ?",
                                          {plan_id}));
  if (r.empty()) return Status::Invalid("plan_id", "no such plan").Says("invalid.reference", {{"field", "plan_id"}, {"value", plan_id}});
  return PlanInfo{r[0].Text(0), r[0].Text(1), r[0].OptionalText(2).value_or(""), r[0].OptionalText(3).value_or("")};
}

// The action a milestone or indicator belongs to, with its plan.
struct ActionInfo {
  PlanInfo plan;
  std::string start, end;
};

Result<ActionInfo> ActionOf(Transaction& txn, const std::string& action_id) {
  CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT plan_id, start_date, end_date FROM plan_actions WHERE id = ?",
                                          {action_id}));
  if (r.empty()) return Status::Invalid("action_id", "no such action").Says("invalid.reference", {{"field", "action_id"}, {"value", action_id}});
  CBRN_ASSIGN_OR_RETURN(PlanInfo plan, PlanOf(txn, r[0].Text(0)));
  return ActionInfo{plan, r[0].OptionalText(1).value_or(""), r[0].OptionalText(2).value_or("")};
}

Status CheckDates(const Json& f, const char* start, const char* end) {
  if (Has(f, start) && Has(f, end) && Text(f, end) < Text(f, start)) {
    return Status::Invalid(end, std::string(end) + " (" + Text(f, end) + ") is before " + start + " (" +
                                    Text(f, start) + ")").Says("invalid.date_order", {{"field", end}, {"field_start", start}});
  }
  return Status::Ok();
}

Status CheckMoney(const Json& f) {
  for (const char* key : {"budget", "secured"}) {
    if (f.contains(key) && f[key].is_number_integer() && f[key].get<std::int64_t>() < 0) {
      return Status::Invalid(key, std::string(key) + " must not be negative").Says("invalid.negative", {{"field", key}});
    }
  }
  bool amount = (f.contains("budget") && !f["budget"].is_null()) || (f.contains("secured") && !f["secured"].is_null());
  if (Has(f, "currency") && !IsCurrencyCode(Text(f, "currency"))) {
    return Status::Invalid("currency", "currency: \"" + Text(f, "currency") + "\" is not an ISO 4217 code (e.g. EUR, USD, UZS)").Says("invalid.currency", {{"field", "currency"}, {"value", Text(f, "currency")}});
  }
  if (amount && !Has(f, "currency")) return Status::Invalid("currency", "an amount needs its currency (ISO 4217, e.g. EUR)").Says("invalid.currency_missing", {{"field", "currency"}});
  if (f.contains("budget") && f.contains("secured") && f["budget"].is_number_integer() &&
      f["secured"].is_number_integer() && f["secured"].get<std::int64_t>() > f["budget"].get<std::int64_t>()) {
    return Status::Invalid("secured", "secured funding is more than the budget").Says("invalid.secured_over_budget");
  }
  return Status::Ok();
}

// Owner of a plan or project: a country (NAP, national project) or a region (RAP, regional).
Result<std::string> CountryOrRegionOwner(Transaction& txn, const Json& f) {
  bool country = Has(f, "country"), region = Has(f, "region");
  if (country == region) return Status::Invalid("country", "give either a country or a region, not both").Says("invalid.country_or_region");
  if (country) {
    CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT iso2 FROM countries WHERE iso2 = ? AND deleted_at IS NULL",
                                            {Text(f, "country")}));
    if (r.empty()) return Status::Invalid("country", "country: no partner country " + Text(f, "country")).Says("invalid.no_partner_country", {{"field", "country"}, {"value", Text(f, "country")}});
    return "country:" + Text(f, "country");
  }
  CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT code FROM regions WHERE code = ? AND deleted_at IS NULL",
                                          {Text(f, "region")}));
  if (r.empty()) return Status::Invalid("region", "region: no region " + Text(f, "region")).Says("invalid.no_region", {{"field", "region"}, {"value", Text(f, "region")}});
  return "region:" + Text(f, "region");
}

// A list of ISO2 codes of partner countries (of `region`, when given).
Status CheckCountryList(Transaction& txn, const Json& f, const char* field, const std::string& region) {
  for (const auto& code : SplitList(Text(f, field))) {
    std::string sql = "SELECT c.iso2 FROM countries c WHERE c.iso2 = ? AND c.deleted_at IS NULL";
    storage::Params params = {code};
    if (!region.empty()) {
      sql = "SELECT c.iso2 FROM memberships m JOIN countries c ON c.id = m.country_id JOIN regions r ON r.id = m.region_id"
            " WHERE c.iso2 = ? AND r.code = ? AND m.deleted_at IS NULL";
      params.emplace_back(region);
    }
    CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query(sql, params));
    if (r.empty()) {
      return Status::Invalid(field, std::string(field) + ": \"" + code + "\" is not a partner country" +
                                        (region.empty() ? "" : " of region " + region)).Says(region.empty() ? "invalid.not_partner_country" : "invalid.not_region_country", {{"field", field}, {"value", code}, {"region", region}});
    }
  }
  return Status::Ok();
}

// Agencies named by id: each a live agency of the plan's country (of a participating country,
// for a regional plan's action).
Status CheckAgencies(Transaction& txn, const std::vector<std::string>& ids, const char* field,
                     const std::vector<std::string>& owners) {
  for (const auto& id : ids) {
    CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT owner_scope FROM agencies WHERE (id = ? OR short_name = ?)"
                                            " AND deleted_at IS NULL",
                                            {id, id}));
    bool ok = false;
    for (const auto& row : r) ok = ok || std::find(owners.begin(), owners.end(), row.Text(0)) != owners.end();
    if (!ok) {
      return Status::Invalid(field, std::string(field) + ": \"" + id + "\" is not an agency of " +
                                        (owners.size() == 1 ? owners[0].substr(owners[0].find(':') + 1)
                                                            : std::string("a participating country"))).Says(owners.size() == 1 ? "invalid.not_agency_of" : "invalid.not_agency_of_participant", {{"field", field}, {"value", id}, {"country", owners.size() == 1 ? owners[0].substr(owners[0].find(':') + 1) : std::string()}});
    }
  }
  return Status::Ok();
}

bool ValidCode(const std::string& s) {
  return !s.empty() && s.size() <= 40 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_';
  });
}

Status CheckPlan(Transaction& txn, const Json* before, const Json& f) {
  CBRN_RETURN_IF_ERROR(CheckDates(f, "period_start", "period_end"));
  if (before && Text(*before, "status") == "adopted" && ContentChanged(before, f, {})) return Adopted("title, period and links");
  if (Has(f, "assessment_id")) {
    CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT country FROM assessments WHERE id = ?", {Text(f, "assessment_id")}));
    if (r.empty() || !Has(f, "country") || r[0].Text(0) != Text(f, "country")) {
      return Status::Invalid("assessment_id", "a national plan links to an assessment of its own country").Says("invalid.plan_assessment_country");
    }
  }
  return Status::Ok();
}

const std::vector<std::string> kActionProgress = {"status", "percent", "progress_note", "secured"};

Status CheckAction(Transaction& txn, const Json* before, const Json& f) {
  CBRN_ASSIGN_OR_RETURN(PlanInfo plan, PlanOf(txn, Text(f, "plan_id")));
  if (plan.status == "adopted" && ContentChanged(before, f, kActionProgress)) return Adopted("actions");
  CBRN_RETURN_IF_ERROR(CheckDates(f, "start_date", "end_date"));
  CBRN_RETURN_IF_ERROR(CheckMoney(f));
  if (f.contains("percent") && f["percent"].is_number_integer()) {
    auto p = f["percent"].get<std::int64_t>();
    if (p < 0 || p > 100) return Status::Invalid("percent", "percent done must be between 0 and 100 (" + std::to_string(p) + ")").Says("invalid.percent_range", {{"#value", std::to_string(p)}});
  }
  if (Text(f, "status") == "completed" && f.contains("percent") && f["percent"].is_number_integer() &&
      f["percent"].get<std::int64_t>() != 100) {
    return Status::Invalid("percent", "a completed action is 100 % done").Says("invalid.completed_not_100");
  }
  for (const auto& q : SplitList(Text(f, "priorities"))) {
    if (!ValidCode(q)) return Status::Invalid("priorities", "priorities: \"" + q + "\" is not a question id").Says("invalid.not_question_id", {{"field", "priorities"}, {"value", q}});
  }
  // The countries an action of a regional plan involves; a national plan's is its own.
  std::vector<std::string> owners = {plan.owner};
  if (!plan.region.empty()) {
    CBRN_RETURN_IF_ERROR(CheckCountryList(txn, f, "countries", plan.region));
    owners.clear();
    for (const auto& c : SplitList(Text(f, "countries"))) owners.push_back("country:" + c);
  } else if (Has(f, "countries")) {
    return Status::Invalid("countries", "participating countries are for actions of a regional plan").Says("invalid.countries_regional_only");
  }
  if (Has(f, "lead_agency_id")) CBRN_RETURN_IF_ERROR(CheckAgencies(txn, {Text(f, "lead_agency_id")}, "lead_agency_id", owners));
  CBRN_RETURN_IF_ERROR(CheckAgencies(txn, SplitList(Text(f, "partner_agencies")), "partner_agencies", owners));
  return Status::Ok();
}

Status CheckMilestone(Transaction& txn, const Json* before, const Json& f) {
  CBRN_ASSIGN_OR_RETURN(ActionInfo action, ActionOf(txn, Text(f, "action_id")));
  if (action.plan.status == "adopted" && ContentChanged(before, f, {"reached_on"})) return Adopted("milestones");
  std::string due = Text(f, "due");
  if (!action.start.empty() && due < action.start) {
    return Status::Invalid("due", "due " + due + " is before the action starts (" + action.start + ")").Says("invalid.due_before_start", {{"date_due", due}, {"date_start", action.start}});
  }
  if (!action.end.empty() && due > action.end) {
    return Status::Invalid("due", "due " + due + " is after the action ends (" + action.end + ")").Says("invalid.due_after_end", {{"date_due", due}, {"date_end", action.end}});
  }
  return Status::Ok();
}

Status CheckIndicator(Transaction& txn, const Json* before, const Json& f) {
  CBRN_ASSIGN_OR_RETURN(ActionInfo action, ActionOf(txn, Text(f, "action_id")));
  if (action.plan.status == "adopted" && ContentChanged(before, f, {})) return Adopted("indicators");
  for (const char* key : {"baseline", "target"}) {
    if (Has(f, key) && !IsNumber(Text(f, key))) {
      return Status::Invalid(key, std::string(key) + ": \"" + Text(f, key) + "\" is not a number").Says("invalid.not_number", {{"field", key}, {"value", Text(f, key)}});
    }
  }
  return Status::Ok();
}

Status CheckIndicatorValue(Transaction& txn, const Json*, const Json& f) {
  if (!IsNumber(Text(f, "value"))) return Status::Invalid("value", "value: \"" + Text(f, "value") + "\" is not a number").Says("invalid.not_number", {{"field", "value"}, {"value", Text(f, "value")}});
  CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT unit FROM plan_indicators WHERE id = ?", {Text(f, "indicator_id")}));
  if (r.empty()) return Status::Invalid("indicator_id", "no such indicator").Says("invalid.reference", {{"field", "indicator_id"}, {"value", Text(f, "indicator_id")}});
  if (Has(f, "unit") && Text(f, "unit") != r[0].Text(0)) {
    return Status::Invalid("unit", "the indicator is measured in \"" + r[0].Text(0) + "\", not \"" + Text(f, "unit") + "\"").Says("invalid.indicator_unit", {{"unit", r[0].Text(0)}, {"value", Text(f, "unit")}});
  }
  return Status::Ok();
}

Status CheckProject(Transaction& txn, const Json* before, const Json& f) {
  (void)before;
  CBRN_RETURN_IF_ERROR(CheckDates(f, "start_date", "end_date"));
  CBRN_RETURN_IF_ERROR(CheckMoney(f));
  CBRN_RETURN_IF_ERROR(CheckCountryList(txn, f, "participants", ""));
  if (Text(f, "scope") == "national" && SplitList(Text(f, "participants")).size() > 1) {
    return Status::Invalid("scope", "a national project has one participating country").Says("invalid.national_project_country");
  }
  for (const auto& id : SplitList(Text(f, "actions"))) {
    CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT id FROM plan_actions WHERE id = ? AND deleted_at IS NULL", {id}));
    if (r.empty()) return Status::Invalid("actions", "actions: \"" + id + "\" is not a plan action").Says("invalid.not_plan_action", {{"field", "actions"}, {"value", id}});
  }
  for (const auto& q : SplitList(Text(f, "priorities"))) {
    if (!ValidCode(q)) return Status::Invalid("priorities", "priorities: \"" + q + "\" is not a question id").Says("invalid.not_question_id", {{"field", "priorities"}, {"value", q}});
  }
  return Status::Ok();
}

void AddCommonChildFields(KindSpec& k, const std::string& parent_field, const std::string& parent_kind) {
  k.parent_field = parent_field;
  k.policy = access::Policy::kPlan;
  k.fields.insert(k.fields.begin(), Ref(parent_field, parent_kind, true));
}

}  // namespace

const std::vector<std::string>& ThematicAreas() {
  static const std::vector<std::string> kAreas = {"chemical", "biological", "radiological", "nuclear",
                                                  "cross_cutting", "export_control"};
  return kAreas;
}

const std::vector<std::string>& ProjectStates() {
  static const std::vector<std::string> kStates = {"idea", "proposal", "approved", "implementation",
                                                   "closed", "rejected", "withdrawn"};
  return kStates;
}

bool IsCurrencyCode(const std::string& code) {
  static std::once_flag once;
  static std::set<std::string> codes;
  std::call_once(once, [] {
    UErrorCode status = U_ZERO_ERROR;
    UEnumeration* e = ucurr_openISOCurrencies(UCURR_COMMON | UCURR_NON_DEPRECATED, &status);
    if (U_FAILURE(status)) return;
    const char* c;
    int32_t len = 0;
    while ((c = uenum_next(e, &len, &status)) != nullptr && U_SUCCESS(status)) codes.insert(std::string(c, len));
    uenum_close(e);
  });
  return codes.count(code) > 0;
}

void RegisterKinds(records::Catalog& catalog) {
  const std::vector<std::string> funding = {"national", "eu", "other_donor", "to_be_found"};
  {
    KindSpec k;
    k.name = kPlans;
    k.table = "action_plans";
    k.order_by = "created_at DESC";
    k.policy = access::Policy::kPlan;
    FieldSpec country = Filterable(Field("country", FieldType::kCountryCode));
    FieldSpec region = Filterable(Field("region", FieldType::kCode, false, 12));
    k.fields = {country, region, Searchable(Field("title", FieldType::kText, true, 300)),
                Field("period_start", FieldType::kDate), Field("period_end", FieldType::kDate),
                Ref("assessment_id", assessment::kAssessments), Field("notes", FieldType::kLongText, false, 4000),
                ReadOnly("status", "draft")};
    k.owner = CountryOrRegionOwner;
    k.check = CheckPlan;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kActions;
    k.table = "plan_actions";
    k.order_by = "start_date, title";
    k.fields = {Searchable(Field("title", FieldType::kText, true, 300)),
                Field("objective", FieldType::kLongText, false, 4000),
                Filterable(Field("priorities", FieldType::kText, false, 1000)),
                Choice("area", ThematicAreas()),
                Ref("lead_agency_id", "agencies"),
                Field("partner_agencies", FieldType::kText, false, 2000),
                Field("countries", FieldType::kText, false, 400),
                Field("start_date", FieldType::kDate), Field("end_date", FieldType::kDate),
                Field("budget", FieldType::kInteger), Field("currency", FieldType::kCode, false, 3),
                Choice("funding", funding), Field("secured", FieldType::kInteger),
                Choice("status", {"not_started", "on_track", "delayed", "completed", "cancelled"}),
                Field("percent", FieldType::kInteger), Field("progress_note", FieldType::kLongText, false, 4000)};
    AddCommonChildFields(k, "plan_id", kPlans);
    k.check = CheckAction;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kMilestones;
    k.table = "plan_milestones";
    k.order_by = "due";
    k.fields = {Field("title", FieldType::kText, true, 300), Field("due", FieldType::kDate, true),
                Field("reached_on", FieldType::kDate)};
    AddCommonChildFields(k, "action_id", kActions);
    k.inherit_assignment = true;
    k.check = CheckMilestone;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kIndicators;
    k.table = "plan_indicators";
    k.order_by = "name";
    k.fields = {Field("name", FieldType::kText, true, 300), Field("unit", FieldType::kText, true, 40),
                Field("baseline", FieldType::kText, false, 40), Field("target", FieldType::kText, false, 40)};
    AddCommonChildFields(k, "action_id", kActions);
    k.inherit_assignment = true;
    k.check = CheckIndicator;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kIndicatorValues;
    k.table = "indicator_values";
    k.order_by = "measured_on";
    k.fields = {Field("measured_on", FieldType::kDate, true), Field("value", FieldType::kText, true, 40),
                Field("unit", FieldType::kText, false, 40), Field("note", FieldType::kText, false, 400)};
    AddCommonChildFields(k, "indicator_id", kIndicators);
    k.inherit_assignment = true;
    k.check = CheckIndicatorValue;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kProjects;
    k.table = "projects";
    k.order_by = "created_at DESC";
    k.policy = access::Policy::kPlan;
    k.participants_field = "participants";
    k.fields = {Filterable(Field("country", FieldType::kCountryCode)),
                Filterable(Field("region", FieldType::kCode, false, 12)),
                Searchable(Field("title", FieldType::kText, true, 300)),
                Searchable(Field("summary", FieldType::kLongText, false, 4000)),
                Choice("scope", {"national", "regional"}, true), Choice("theme", ThematicAreas(), true),
                Field("participants", FieldType::kText, false, 400),
                Searchable(Field("partners", FieldType::kText, false, 1000)),
                Field("budget", FieldType::kInteger), Field("currency", FieldType::kCode, false, 3),
                Choice("funding", funding), Field("secured", FieldType::kInteger),
                Field("start_date", FieldType::kDate), Field("end_date", FieldType::kDate),
                Field("actions", FieldType::kText, false, 4000), Field("priorities", FieldType::kText, false, 1000),
                ReadOnly("status", "idea")};
    k.owner = CountryOrRegionOwner;
    k.check = CheckProject;
    catalog.Add(std::move(k));
  }
}

}  // namespace cbrnhub::plans
