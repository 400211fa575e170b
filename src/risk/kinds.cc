// The record kinds of the risk assessment, with the checks that span fields and records: a
// scenario's ratings against its register's method, a validated register kept as it is.
#include <nlohmann/json.hpp>

#include <mutex>
#include <set>

#include "plans/plans.h"
#include "risk/internal.h"

namespace cbrnhub::risk {
namespace {

using records::FieldSpec;
using records::FieldType;
using records::KindSpec;
using storage::Rows;
using storage::Transaction;

Status Validated() {
  return Status(StatusCode::kConflict,
                "the register is validated: its scenarios and ratings change only in a new round (revise the register first)",
                "status")
      .Says("conflict.register_validated");
}

// True when a change touches more than sharing and assignment (which a validated register keeps
// open: the focal point shares a validated round).
bool ContentChanged(const Json* before, const Json& after) {
  if (!before) return true;
  for (const auto& [key, value] : after.items()) {
    if (key == "id" || key == "owner" || key == "sharing" || key == "assigned_to" || key == "status" || key == "round") continue;
    auto it = before->find(key);
    Json old = it == before->end() ? Json(nullptr) : *it;
    auto norm = [](const Json& v) { return v.is_string() && v.get<std::string>().empty() ? Json(nullptr) : v; };
    if (norm(old) != norm(value)) return true;
  }
  return false;
}

Result<std::string> RegisterOwner(Transaction& txn, const Json& f) {
  CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT iso2 FROM countries WHERE iso2 = ? AND deleted_at IS NULL", {Str(f, "country")}));
  if (r.empty()) return Status::Invalid("country", "country: no partner country " + Str(f, "country")).Says("invalid.no_partner_country", {{"field", "country"}, {"value", Str(f, "country")}});
  return "country:" + Str(f, "country");
}

Status CheckRegister(Transaction& txn, const Json* before, const Json& f) {
  if (before && Str(*before, "status") == "validated" && ContentChanged(before, f)) return Validated();
  if (before && Str(*before, "method_id") != Str(f, "method_id") && Str(*before, "method_id") != "") {
    CBRN_ASSIGN_OR_RETURN(Rows n, txn.Query("SELECT COUNT(*) FROM risk_scenarios WHERE register_id = ? AND deleted_at IS NULL",
                                            {Str(f, "id")}));
    if (n[0].Int(0) > 0) return Status::Invalid("method_id", "method_id: the scenarios are rated on the register's method; a register with scenarios keeps it").Says("invalid.register_method_kept", {{"field", "method_id"}});
  }
  if (Has(f, "assessment_id")) {
    CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT country FROM assessments WHERE id = ?", {Str(f, "assessment_id")}));
    if (r.empty() || r[0].Text(0) != Str(f, "country")) {
      return Status::Invalid("assessment_id", "assessment_id: a register links to a needs assessment of its own country").Says("invalid.register_assessment_country", {{"field", "assessment_id"}});
    }
  }
  return Status::Ok();
}

// A stored JSON member ("likelihood", "impacts") of a scenario body: null when empty.
Result<Json> JsonMember(const Json& f, const char* key) {
  std::string text = Str(f, key);
  if (text.empty()) return Json(nullptr);
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::Invalid(key, std::string(key) + ": not valid JSON").Says("invalid.json", {{"field", key}});
  return j;
}

Status CheckScenario(Transaction& txn, const Json* before, const Json& f) {
  CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT status, method_id, country FROM risk_registers WHERE id = ?",
                                          {Str(f, "register_id")}));
  if (r.empty()) return Status::Invalid("register_id", "register_id: no such register").Says("invalid.reference", {{"field", "register_id"}, {"value", Str(f, "register_id")}});
  if (r[0].Text(0) == "validated" && ContentChanged(before, f)) return Validated();
  CBRN_ASSIGN_OR_RETURN(auto method, MethodIn(txn, r[0].Text(1)));
  if (Has(f, "scenario_type")) {
    const ScenarioType* t = method->FindType(Str(f, "scenario_type"));
    if (!t) return Status::Invalid("scenario_type", "scenario_type: \"" + Str(f, "scenario_type") + "\" is not a scenario type of the method").Says("invalid.scenario_type", {{"field", "scenario_type"}, {"value", Str(f, "scenario_type")}});
    if (t->hazard != Str(f, "hazard")) {
      return Status::Invalid("scenario_type", "scenario_type: " + t->id + " is a " + t->hazard + " scenario, not " + Str(f, "hazard")).Says("invalid.scenario_type_hazard", {{"field", "scenario_type"}, {"choice_hazard", t->hazard}, {"choice_given", Str(f, "hazard")}});
    }
  }
  CBRN_ASSIGN_OR_RETURN(Json likelihood, JsonMember(f, "likelihood"));
  CBRN_ASSIGN_OR_RETURN(Json impacts, JsonMember(f, "impacts"));
  CBRN_ASSIGN_OR_RETURN(Json checked, CheckRatings(*method, likelihood, impacts));
  // What is stored is what CheckRatings returns (the service stores that form); a body with
  // extra or derived members would differ from it.
  if (!likelihood.is_null() && checked["likelihood"] != likelihood) {
    return Status::Invalid("likelihood", "likelihood: store the checked form " + checked["likelihood"].dump());
  }
  if (!impacts.is_null() && checked["impacts"] != impacts) {
    return Status::Invalid("impacts", "impacts: store the checked form " + checked["impacts"].dump());
  }
  for (const auto& cap : SplitList(Str(f, "capabilities"))) {
    CBRN_RETURN_IF_ERROR(CheckCapability(txn, cap));
  }
  for (const auto& id : SplitList(Str(f, "actions"))) {
    CBRN_ASSIGN_OR_RETURN(Rows a, txn.Query("SELECT a.id FROM plan_actions a JOIN action_plans p ON p.id = a.plan_id"
                                            " WHERE a.id = ? AND a.deleted_at IS NULL AND (p.country = ? OR p.region IN"
                                            " (SELECT g.code FROM memberships m JOIN countries c ON c.id = m.country_id"
                                            " JOIN regions g ON g.id = m.region_id WHERE c.iso2 = ? AND m.deleted_at IS NULL))",
                                            {id, r[0].Text(2), r[0].Text(2)}));
    if (a.empty()) return Status::Invalid("actions", "actions: \"" + id + "\" is not an action of a plan of this country or a region's plan").Says("invalid.treating_action", {{"field", "actions"}, {"value", id}});
  }
  return Status::Ok();
}

}  // namespace

// A method's parsed form, cached by checksum: the same bytes always parse the same.
Result<std::shared_ptr<const Method>> MethodIn(Transaction& txn, const std::string& method_id) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const Method>> cache;
  CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT definition, checksum, code, version FROM risk_methods"
                                          " WHERE (id = ? OR code || '@' || version = ?) AND deleted_at IS NULL",
                                          {method_id, method_id}));
  if (r.empty()) return Status::Invalid("method_id", "method_id: no risk method " + method_id).Says("invalid.reference", {{"field", "method_id"}, {"value", method_id}});
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(r[0].Text(1)); it != cache.end()) return it->second;
  }
  auto parsed = ParseMethod(r[0].Text(0), r[0].Text(2) + "@" + r[0].Text(3));
  if (!parsed.ok()) return Status::Internal("the stored risk method " + method_id + " no longer parses: " + parsed.status().message());
  auto method = std::make_shared<const Method>(std::move(*parsed));
  std::lock_guard lock(mu);
  if (cache.size() > 64) cache.clear();
  cache.emplace(r[0].Text(1), method);
  return method;
}

const std::vector<std::string>& Capabilities() {
  static const std::vector<std::string> kFunctions = {"legal_framework", "governance", "prevention", "detection",
                                                      "preparedness", "response", "recovery"};
  return kFunctions;
}

Status CheckCapability(Transaction& txn, const std::string& cap) {
  const auto& functions = Capabilities();
  if (std::find(functions.begin(), functions.end(), cap) != functions.end()) return Status::Ok();
  // Otherwise a question that some published questionnaire asks.
  static std::mutex mu;
  static std::string cached_key;
  static std::set<std::string> cached_ids;
  CBRN_ASSIGN_OR_RETURN(Rows q, txn.Query("SELECT checksum, definition, code, version FROM questionnaires"
                                          " WHERE deleted_at IS NULL ORDER BY code, version"));
  std::string key;
  for (const auto& row : q) key += row.Text(0) + ",";
  std::lock_guard lock(mu);
  if (key != cached_key) {
    cached_ids.clear();
    for (const auto& row : q) {
      auto def = assessment::ParseDefinition(row.Text(1), row.Text(2) + "@" + row.Text(3), nullptr, assessment::Strictness::kStored);
      if (!def.ok()) continue;
      for (const auto& question : def->questions) cached_ids.insert(question.id);
    }
    cached_key = key;
  }
  if (cached_ids.count(cap)) return Status::Ok();
  return Status::Invalid("capabilities", "capabilities: \"" + cap.substr(0, 40) +
                                             "\" is neither a capability (legal_framework, governance, prevention, detection, "
                                             "preparedness, response, recovery) nor a question of a questionnaire").Says("invalid.capability", {{"field", "capabilities"}, {"value", cap.substr(0, 40)}});
}

void RegisterKinds(records::Catalog& catalog) {
  {
    KindSpec k;
    k.name = kMethods;
    k.table = "risk_methods";
    k.order_by = "code, version";
    k.deletable = false;
    k.writable = false;
    k.default_sharing = access::Sharing::kPublished;
    k.fields = {FieldSpec::Of("code", FieldType::kText, 40).Required().Filterable(),
                FieldSpec::Of("version", FieldType::kText, 40).Required().Filterable(),
                FieldSpec::Of("title", FieldType::kText, 300).Required().Searchable(),
                FieldSpec::Of("definition", FieldType::kLongText, 4u << 20).ReadOnly("").NotInForms(),
                FieldSpec::Of("checksum", FieldType::kText, 64)};
    k.owner = [](Transaction&, const Json&) -> Result<std::string> { return std::string("network"); };
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kRegisters;
    k.table = "risk_registers";
    k.order_by = "created_at DESC";
    k.policy = access::Policy::kPlan;
    k.fields = {FieldSpec::Of("country", FieldType::kCountryCode).Required().Filterable(),
                FieldSpec::Of("title", FieldType::kText, 300).Required().Searchable(),
                FieldSpec::Reference("method_id", kMethods).Required(),
                FieldSpec::Reference("assessment_id", assessment::kAssessments),
                FieldSpec::Of("assessed_on", FieldType::kDate),
                FieldSpec::Of("notes", FieldType::kLongText, 4000),
                FieldSpec::Of("round", FieldType::kInteger).ReadOnly("1").NotInForms(),
                FieldSpec::Of("status").ReadOnly("draft").Filterable().NotInForms()};
    k.owner = RegisterOwner;
    k.check = CheckRegister;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kScenarios;
    k.table = "risk_scenarios";
    k.order_by = "hazard, title";
    k.policy = access::Policy::kPlan;
    k.parent_field = "register_id";
    k.inherit_assignment = true;
    k.fields = {FieldSpec::Reference("register_id", kRegisters).Required(),
                FieldSpec::Of("title", FieldType::kText, 300).Required().Searchable(),
                FieldSpec::Choice("hazard", Hazards()).Required(),
                FieldSpec::Choice("origin", Origins()).Required(),
                FieldSpec::Of("scenario_type", FieldType::kText, 40).Filterable(),
                FieldSpec::Of("worst_case", FieldType::kLongText, 8000).Searchable(),
                FieldSpec::Of("affected_area", FieldType::kText, 400),
                FieldSpec::Of("likelihood", FieldType::kLongText, 8000).NotInForms(),
                FieldSpec::Of("impacts", FieldType::kLongText, 60000).NotInForms(),
                FieldSpec::Of("capabilities", FieldType::kText, 2000),
                FieldSpec::Of("actions", FieldType::kText, 4000),
                FieldSpec::Of("sources", FieldType::kLongText, 4000)};
    k.check = CheckScenario;
    catalog.Add(std::move(k));
  }
}

}  // namespace cbrnhub::risk
