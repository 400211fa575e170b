// The risk register's operations beyond its records: loading methods, rating, the validated
// rounds and their movement, the matrix, the region's view and priorities ranked by risk.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "assets/assets.h"
#include "audit/audit.h"
#include "core/ids.h"
#include "core/upload.h"
#include "plans/plans.h"
#include "risk/internal.h"

namespace cbrnhub::risk {

using storage::Access;
using storage::Rows;
using storage::Transaction;

namespace {

bool IsAdministrator(const Caller& c) {
  return access::DecideRoute(c.who, access::Need::kAdmin) == access::Decision::kAllow;
}

Json ParsedMember(const Json& record, const char* key) {
  std::string text = Str(record, key);
  if (text.empty()) return nullptr;
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json(nullptr) : j;
}

Json LabelsOf(const std::vector<Text>& texts, const std::string& lang) {
  Json out = Json::array();
  for (const auto& t : texts) out.push_back(t.Get(lang));
  return out;
}

// The method as pages and the API show it.
Json MethodJson(const Method& m, const std::string& lang) {
  Json likelihood = Json::array(), criteria = Json::array(), bands = Json::array(), confidence = Json::array(),
       types = Json::array(), matrix = Json::array();
  for (const auto& l : m.likelihood) {
    likelihood.push_back({{"level", l.level}, {"label", l.label.Get(lang)}, {"descriptor", l.descriptor.Get(lang)},
                          {"from", l.from}, {"to", l.to}});
  }
  for (const auto& c : m.criteria) {
    criteria.push_back({{"id", c.id}, {"group", c.group}, {"label", c.label.Get(lang)}, {"unit", c.unit.Get(lang)},
                        {"weight", c.weight}, {"thresholds", c.thresholds}, {"descriptors", LabelsOf(c.descriptors, lang)}});
  }
  for (const auto& b : m.bands) {
    bands.push_back({{"id", b.id}, {"label", b.label.Get(lang)}, {"weight", b.weight}, {"treat", b.treat}, {"rank", b.rank}});
  }
  for (const auto& [id, label] : m.confidence) confidence.push_back({{"id", id}, {"label", label.Get(lang)}});
  for (const auto& t : m.scenario_types) types.push_back({{"id", t.id}, {"hazard", t.hazard}, {"label", t.label.Get(lang)}});
  for (const auto& row : m.matrix) {
    Json r = Json::array();
    for (int b : row) r.push_back(m.bands[b].id);
    matrix.push_back(r);
  }
  return {{"code", m.code},         {"version", m.version},   {"title", m.title.Get(lang)},
          {"period_years", m.period_years}, {"likelihood", likelihood}, {"impact_levels", LabelsOf(m.impact_levels, lang)},
          {"combine", m.combine},   {"criteria", criteria},   {"confidence", confidence},
          {"bands", bands},         {"matrix", matrix},       {"scenario_types", types}};
}

// A scenario's position on the matrix as pages and the API show it.
Json PositionJson(const Method& m, const Rating& r) {
  Json by = Json::object();
  for (const auto& [id, level] : r.impact) by[id] = level;
  Json out = {{"likelihood", r.likelihood}, {"impact", r.combined_impact}, {"by_criterion", by}, {"reason", r.reason},
              {"reason_key", r.reason_key}, {"reason_args", r.reason_args}};
  if (r.band >= 0) {
    out["band"] = m.bands[r.band].id;
    out["band_rank"] = r.band;
    out["treat"] = m.bands[r.band].treat;
  } else {
    out["band"] = nullptr;
  }
  return out;
}

Rating RatingOf(const Method& m, const Json& scenario, const std::string& criterion = "") {
  Json likelihood = scenario.contains("likelihood") && scenario["likelihood"].is_object() ? scenario["likelihood"]
                                                                                        : ParsedMember(scenario, "likelihood");
  Json impacts = scenario.contains("impacts") && scenario["impacts"].is_object() ? scenario["impacts"] : ParsedMember(scenario, "impacts");
  return Rate(m, likelihood, impacts, criterion);
}

// The register's scenarios as a validated round keeps them (ratings parsed).
Json Snapshot(const Json& reg, const std::vector<Json>& scenarios) {
  Json list = Json::array();
  for (const auto& s : scenarios) {
    Json one = {{"id", s["id"]}};
    for (const char* key : {"title", "hazard", "origin", "scenario_type", "worst_case", "affected_area", "capabilities", "actions",
                            "sources"}) {
      one[key] = s.contains(key) ? s[key] : Json(nullptr);
    }
    one["likelihood"] = ParsedMember(s, "likelihood");
    one["impacts"] = ParsedMember(s, "impacts");
    list.push_back(one);
  }
  Json r = {{"title", reg["title"]}, {"country", reg["country"]}, {"method_id", reg["method_id"]},
            {"assessed_on", reg.contains("assessed_on") ? reg["assessed_on"] : Json(nullptr)}, {"round", reg["round"]}};
  return {{"register", r}, {"scenarios", list}};
}

std::string RoundFilterSql() { return "SELECT round, validated_at, validated_by, note, snapshot_json FROM risk_rounds WHERE register_id = ?"; }

}  // namespace

Service::Service(records::Store& store, assessment::Service& assessments) : impl_(new Impl{store, assessments}) {}
Service::~Service() = default;

Result<Json> Service::LoadMethod(const Caller& caller, std::string_view yaml, const std::string& source,
                                 bool allow_incomplete) {
  if (!IsAdministrator(caller)) return Status(StatusCode::kPermissionDenied, "only administrators load risk methods");
  CBRN_ASSIGN_OR_RETURN(Method m, ParseMethod(yaml, source));
  if (!m.untranslated.empty() && !allow_incomplete) {
    std::string list;
    for (size_t i = 0; i < m.untranslated.size() && i < 20; ++i) list += "\n" + m.untranslated[i].ToString(source);
    return Status::Invalid(source, std::to_string(m.untranslated.size()) + " text(s) lack a translation into a declared language:" +
                                       list + "\nTranslate them, or load anyway with --allow-incomplete.");
  }
  std::string checksum = Sha256Hex(yaml);
  const records::KindSpec* kind = impl_->store.catalog().Find(kMethods);
  CBRN_ASSIGN_OR_RETURN(auto txn, impl_->store.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Rows existing, txn->Query("SELECT id, checksum FROM risk_methods WHERE code = ? AND version = ?",
                                                  {m.code, m.version}));
  if (!existing.empty()) {
    if (existing[0].Text(1) != checksum) {
      const std::string id = existing[0].Text(0);
      // MethodIn caches by checksum: the new texts are read at once.
      CBRN_ASSIGN_OR_RETURN(bool retranslated, assessment::RetranslateInPlace(*txn, caller, "risk_methods",
                                                                              id, yaml, source));
      if (!retranslated) {
        return Status::Conflict(
            m.code + " " + m.version +
            " is already loaded with other content: load the revision as a new version").Says("conflict.method_version_taken", {{"value", m.code + " " + m.version}});
      }
      CBRN_ASSIGN_OR_RETURN(Json found, impl_->store.GetIn(*txn, caller, *kind, id));
      CBRN_RETURN_IF_ERROR(txn->Commit());
      return Json{{"unchanged", false}, {"retranslated", true}, {"method", found}};
    }
    CBRN_ASSIGN_OR_RETURN(Json found, impl_->store.GetIn(*txn, caller, *kind, existing[0].Text(0)));
    return Json{{"unchanged", true}, {"method", found}};
  }
  Json fields = {{"code", m.code}, {"version", m.version}, {"title", m.title.Get("en").substr(0, 300)},
                 {"checksum", checksum}, {"sharing", "published"}};
  CBRN_ASSIGN_OR_RETURN(Json created, impl_->store.CreateIn(*txn, caller, *kind, fields));
  CBRN_RETURN_IF_ERROR(
      txn->Exec("UPDATE risk_methods SET definition = ? WHERE id = ?", {std::string(yaml), created["id"].get<std::string>()}).status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return Json{{"unchanged", false}, {"method", created}};
}

Result<int> Service::SeedSamples(const Caller& caller) {
  auto yaml = assets::Find("data/risk/eu-rmg-2010.yaml");
  if (!yaml) return Status::Internal("the sample risk method is not compiled in");
  CBRN_ASSIGN_OR_RETURN(Json r, LoadMethod(caller, *yaml, "eu-rmg-2010.yaml"));
  return r["unchanged"].get<bool>() || r.contains("retranslated") ? 0 : 1;
}

namespace {

// One demo scenario: its record fields and its ratings in round 1 and now.
struct DemoScenario {
  const char* title;
  const char* hazard;
  const char* origin;
  const char* type;
  const char* capabilities;
  bool treated;
  int likelihood_before, likelihood_now;
  const char* impacts;  // JSON, as CheckRatings takes it
};

const DemoScenario kDemoScenarios[] = {
    {"Demo: chlorine release at a water treatment plant", "chemical", "accidental", "chem_industrial", "detection, response", true,
     2, 4, R"({"fatalities": {"value": 30, "confidence": "medium"}, "casualties": {"value": 800, "confidence": "medium"},
               "economic": {"value": 20, "confidence": "low"}})"},
    {"Demo: pandemic influenza", "biological", "natural", "bio_pandemic", "preparedness, response", false, 3, 3,
     R"({"fatalities": {"value": 400, "confidence": "medium"}, "infrastructure": {"level": 4, "confidence": "low"}})"},
    {"Demo: orphan radioactive source found at a scrap yard", "radiological", "accidental", "rad_source", "detection", false, 4, 4,
     R"({"casualties": {"value": 5, "confidence": "high"}, "psychological": {"level": 2, "confidence": "medium"}})"},
    {"Demo: trafficking of nuclear material across the border", "nuclear", "intentional", "nuc_trafficking", "detection, legal_framework",
     false, 2, 2, R"({"social": {"level": 4, "confidence": "low"}})"},
    {"Demo: letters containing anthrax spores", "biological", "intentional", "bio_attack", "detection", false, 1, 1,
     R"({"casualties": {"value": 20, "confidence": "low"}, "psychological": {"level": 3, "confidence": "low"}})"},
};

}  // namespace

Result<int> Service::SeedDemo(const Caller& caller) {
  auto& store = impl_->store;
  std::map<std::string, std::string> assessments;  // country -> assessment id
  std::string action_id, method_id;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(Rows n, txn->Query("SELECT count(*) FROM risk_registers"));
    if (n[0].Int(0) > 0) return 0;
    CBRN_ASSIGN_OR_RETURN(Rows a, txn->Query("SELECT country, id FROM assessments WHERE country IN ('UZ', 'KZ') AND deleted_at IS NULL"
                                             " ORDER BY created_at"));
    for (const auto& r : a) assessments.emplace(r.Text(0), r.Text(1));
    CBRN_ASSIGN_OR_RETURN(Rows act, txn->Query("SELECT a.id FROM plan_actions a JOIN action_plans p ON p.id = a.plan_id"
                                               " WHERE p.country = 'UZ' AND a.area = 'chemical' AND a.deleted_at IS NULL LIMIT 1"));
    if (!act.empty()) action_id = act[0].Text(0);
    CBRN_ASSIGN_OR_RETURN(Rows m, txn->Query("SELECT id FROM risk_methods WHERE code = 'eu-rmg' AND version = '2010'"));
    if (m.empty()) return 0;  // the sample method comes first
    method_id = m[0].Text(0);
  }
  int made = 0;
  for (const char* country : {"UZ", "KZ"}) {
    Json body = {{"country", country}, {"title", std::string("Demo national CBRN risk register — ") + country},
                 {"method_id", method_id}, {"assessed_on", "2025-11-15"}};
    if (assessments.count(country)) body["assessment_id"] = assessments[country];
    CBRN_ASSIGN_OR_RETURN(Json reg, store.Create(caller, kRegisters, body));
    std::vector<std::string> ids;
    for (const auto& d : kDemoScenarios) {
      if (std::string(country) == "KZ" && std::string(d.hazard) != "chemical" && std::string(d.type) != "bio_pandemic") continue;
      Json s = {{"register_id", reg["id"]}, {"title", d.title}, {"hazard", d.hazard}, {"origin", d.origin},
                {"scenario_type", d.type}, {"capabilities", d.capabilities},
                {"worst_case", "Demo reasonable worst case: see the national scenario sheet."}};
      if (d.treated && !action_id.empty() && std::string(country) == "UZ") s["actions"] = action_id;
      CBRN_ASSIGN_OR_RETURN(Json created, store.Create(caller, kScenarios, s));
      ids.push_back(created["id"]);
      CBRN_RETURN_IF_ERROR(SaveRating(caller, created["id"], Json{{"level", d.likelihood_before}, {"confidence", "medium"}},
                                      Json::parse(d.impacts))
                               .status());
    }
    CBRN_RETURN_IF_ERROR(Validate(caller, reg["id"], "Demo validation of round 1").status());
    if (std::string(country) == "UZ") {
      // Round 2 in work: the chlorine scenario judged more likely since round 1.
      CBRN_RETURN_IF_ERROR(Revise(caller, reg["id"], "Demo: round 2").status());
      for (size_t i = 0; i < ids.size(); ++i) {
        const auto& d = kDemoScenarios[i];
        if (d.likelihood_now == d.likelihood_before) continue;
        CBRN_RETURN_IF_ERROR(SaveRating(caller, ids[i], Json{{"level", d.likelihood_now}, {"confidence", "medium"},
                                                              {"justification", "Two leaks reported in 2026."}},
                                        Json::parse(d.impacts))
                                 .status());
      }
    }
    CBRN_RETURN_IF_ERROR(store.Update(caller, kRegisters, reg["id"], Json{{"sharing", "region"}}, false).status());
    ++made;
  }
  return made;
}

Result<std::shared_ptr<const Method>> Service::MethodOf(const std::string& method_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, impl_->store.database().Begin(Access::kRead));
  auto m = MethodIn(*txn, method_id);
  if (!m.ok() && m.status().code() == StatusCode::kInvalidArgument) return Status::NotFound("no risk method " + method_id);
  return m;
}

Result<Json> Service::MethodView(const Caller& caller, const std::string& method_id, const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(auto txn, impl_->store.database().Begin(Access::kRead));
  auto m = MethodIn(*txn, method_id);
  if (!m.ok()) return Status::NotFound("no risk method " + method_id);
  CBRN_ASSIGN_OR_RETURN(Rows id, txn->Query("SELECT id FROM risk_methods WHERE id = ? OR code || '@' || version = ?", {method_id, method_id}));
  CBRN_ASSIGN_OR_RETURN(Json record, impl_->store.GetIn(*txn, caller, *impl_->store.catalog().Find(kMethods), id[0].Text(0)));
  Json out = MethodJson(**m, lang);
  out["id"] = record["id"];
  return out;
}

Result<Json> Service::SaveRating(const Caller& caller, const std::string& scenario_id, const Json& likelihood, const Json& impacts) {
  const records::KindSpec* kind = impl_->store.catalog().Find(kScenarios);
  CBRN_ASSIGN_OR_RETURN(auto txn, impl_->store.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json scenario, impl_->store.GetIn(*txn, caller, *kind, scenario_id));
  CBRN_ASSIGN_OR_RETURN(Rows reg, txn->Query("SELECT method_id FROM risk_registers WHERE id = ?", {Str(scenario, "register_id")}));
  if (reg.empty()) return Status::NotFound("no register of scenario " + scenario_id);
  CBRN_ASSIGN_OR_RETURN(auto method, MethodIn(*txn, reg[0].Text(0)));
  CBRN_ASSIGN_OR_RETURN(Json checked, CheckRatings(*method, likelihood, impacts));
  Json body = {{"likelihood", checked["likelihood"].is_null() ? "" : checked["likelihood"].dump()},
               {"impacts", checked["impacts"].empty() ? "" : checked["impacts"].dump()}};
  if (scenario.contains("revision")) body["revision"] = scenario["revision"];
  CBRN_ASSIGN_OR_RETURN(Json after, impl_->store.UpdateIn(*txn, caller, *kind, scenario["id"], body, false));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  Json out = after;
  out["rating"] = PositionJson(*method, RatingOf(*method, after));
  return out;
}

namespace {

struct RegisterData {
  Json reg;
  std::vector<Json> scenarios;
  std::shared_ptr<const Method> method;
};

Result<RegisterData> LoadRegister(records::Store& store, Transaction& txn, const Caller& caller, const std::string& id) {
  RegisterData d;
  CBRN_ASSIGN_OR_RETURN(d.reg, store.GetIn(txn, caller, *store.catalog().Find(kRegisters), id));
  CBRN_ASSIGN_OR_RETURN(d.scenarios, store.ListChildrenIn(txn, caller, *store.catalog().Find(kScenarios), {d.reg["id"]}, false));
  CBRN_ASSIGN_OR_RETURN(d.method, MethodIn(txn, d.reg["method_id"]));
  return d;
}

// The snapshot of validated round `round` (0 when there is none).
Result<Json> RoundSnapshot(Transaction& txn, const std::string& register_id, std::int64_t round) {
  CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query(RoundFilterSql() + " AND round = ?", {register_id, round}));
  if (r.empty()) return Json(nullptr);
  return Json::parse(r[0].Text(4));
}

Result<Json> Transition(records::Store& store, const Caller& caller, const std::string& id, const std::string& to,
                        const std::string& note) {
  if (note.size() > 4000) return Status::Invalid("note", "note: longer than 4000 bytes");
  const records::KindSpec* kind = store.catalog().Find(kRegisters);
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(RegisterData d, LoadRegister(store, *txn, caller, id));
  CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kSubmit, kind->ScopeOf(d.reg)));
  std::string status = d.reg["status"];
  std::int64_t round = d.reg["round"].get<std::int64_t>();
  std::string now = NowUtc();
  std::string reg_id = d.reg["id"];
  if (to == "validated") {
    if (status == "validated") return Status(StatusCode::kConflict, "the register is validated already (round " + std::to_string(round) + ")", "status").Says("conflict.register_validated_already", {{"#round", std::to_string(round)}});
    if (d.scenarios.empty()) return Status::Invalid("scenarios", "a register is validated with at least one scenario").Says("invalid.register_needs_scenario");
    for (const auto& s : d.scenarios) {
      Rating r = RatingOf(*d.method, s);
      if (r.band < 0) {
        return Status::Invalid("scenarios", "the scenario \"" + Str(s, "title") + "\" is not rated yet (likelihood and at least one impact criterion)").Says("invalid.scenario_not_rated", {{"value", Str(s, "title")}});
      }
    }
    CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO risk_rounds (id, register_id, round, validated_at, validated_by, note, snapshot_json)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   {NewUuid(), reg_id, round, now, caller.who.audit_id(), note, Snapshot(d.reg, d.scenarios).dump()})
                             .status());
    CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE risk_registers SET status = 'validated', revision = revision + 1, updated_at = ?,"
                                   " updated_by = ? WHERE id = ?",
                                   {now, caller.who.audit_id(), reg_id})
                             .status());
  } else {
    if (status != "validated") return Status(StatusCode::kConflict, "the register is " + status + ": only a validated register is revised", "status").Says("conflict.register_not_validated", {{"status@risk.state.", status}});
    CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE risk_registers SET status = 'revised', round = round + 1, revision = revision + 1,"
                                   " updated_at = ?, updated_by = ? WHERE id = ?",
                                   {now, caller.who.audit_id(), reg_id})
                             .status());
  }
  CBRN_ASSIGN_OR_RETURN(Json after, store.GetIn(*txn, caller, *kind, reg_id));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(), {"transition:" + to, kRegisters, reg_id, after["owner"], d.reg.dump(), after.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return after;
}

}  // namespace

Result<Json> Service::Validate(const Caller& caller, const std::string& register_id, const std::string& note) {
  return Transition(impl_->store, caller, register_id, "validated", note);
}

Result<Json> Service::Revise(const Caller& caller, const std::string& register_id, const std::string& note) {
  return Transition(impl_->store, caller, register_id, "revised", note);
}

Result<Json> Service::RegisterView(const Caller& caller, const std::string& register_id, const MatrixFilter& filter,
                                   const std::string& lang) {
  auto& store = impl_->store;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(RegisterData d, LoadRegister(store, *txn, caller, register_id));
  const Method& m = *d.method;
  if (!filter.hazard.empty() && std::find(Hazards().begin(), Hazards().end(), filter.hazard) == Hazards().end()) {
    return Status::Invalid("hazard", "hazard: choose chemical, biological, radiological or nuclear");
  }
  if (!filter.criterion.empty() && !m.FindCriterion(filter.criterion)) {
    return Status::Invalid("criterion", "criterion: the method has no criterion " + filter.criterion.substr(0, 40));
  }
  // Positions are compared with the round before this one (in work or validated).
  std::int64_t previous = d.reg["round"].get<std::int64_t>() - 1;
  CBRN_ASSIGN_OR_RETURN(Json prev, RoundSnapshot(*txn, d.reg["id"], previous));
  std::map<std::string, Json> prev_by_id;
  if (!prev.is_null()) {
    for (const auto& s : prev["scenarios"]) prev_by_id[s["id"]] = s;
  }
  const records::KindSpec* actions_kind = store.catalog().Find(plans::kActions);
  Json scenarios = Json::array(), untreated = Json::array();
  std::vector<std::vector<Json>> cells(m.likelihood.size(), std::vector<Json>(m.impact_levels.size(), Json::array()));
  std::map<std::string, int> by_band;
  int unrated = 0, shown = 0;
  for (const auto& s : d.scenarios) {
    Json one = s;
    one["likelihood"] = ParsedMember(s, "likelihood");
    one["impacts"] = ParsedMember(s, "impacts");
    Rating r = RatingOf(m, one, filter.criterion);
    one["position"] = PositionJson(m, r);
    one["capability_list"] = SplitList(Str(s, "capabilities"));
    if (auto it = prev_by_id.find(s["id"]); it != prev_by_id.end()) {
      one["previous"] = PositionJson(m, RatingOf(m, it->second, filter.criterion));
    } else {
      one["previous"] = nullptr;
    }
    Json actions = Json::array();
    bool treated = false;
    for (const auto& id : SplitList(Str(s, "actions"))) {
      auto a = store.GetIn(*txn, caller, *actions_kind, id);
      if (!a.ok()) continue;  // deleted, or not readable by the caller
      std::string status = Str(*a, "status");
      treated = treated || status != "cancelled";
      actions.push_back({{"id", (*a)["id"]}, {"title", (*a)["title"]}, {"status", status}, {"plan_id", (*a)["plan_id"]}});
    }
    one["action_list"] = actions;
    one["treated"] = treated;
    if (r.band >= 0 && m.bands[r.band].treat && !treated) {
      untreated.push_back({{"id", s["id"]}, {"title", s["title"]}, {"band", m.bands[r.band].id}, {"hazard", s["hazard"]}});
    }
    bool in_filter = filter.hazard.empty() || Str(s, "hazard") == filter.hazard;
    one["in_filter"] = in_filter;
    if (in_filter) {
      if (r.band >= 0) {
        cells[r.likelihood - 1][r.combined_impact - 1].push_back(s["id"]);
        ++by_band[m.bands[r.band].id];
        ++shown;
      } else {
        ++unrated;
      }
    }
    scenarios.push_back(one);
  }
  Json matrix = Json::array();
  for (size_t l = 0; l < cells.size(); ++l) {
    for (size_t i = 0; i < cells[l].size(); ++i) {
      matrix.push_back({{"likelihood", l + 1}, {"impact", i + 1}, {"band", m.bands[m.matrix[l][i]].id}, {"scenarios", cells[l][i]}});
    }
  }
  Json counts = Json::object();
  for (const auto& b : m.bands) counts[b.id] = by_band[b.id];
  Json method = MethodJson(m, lang);
  method["id"] = d.reg["method_id"];
  return Json{{"register", d.reg},   {"method", method},       {"scenarios", scenarios}, {"matrix", matrix},
              {"by_band", counts},   {"unrated", unrated},     {"shown", shown},         {"untreated", untreated},
              {"previous_round", prev.is_null() ? Json(nullptr) : Json(previous)},
              {"filter", {{"hazard", filter.hazard}, {"criterion", filter.criterion}}}};
}

Result<Json> Service::Rounds(const Caller& caller, const std::string& register_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, impl_->store.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json reg, impl_->store.GetIn(*txn, caller, *impl_->store.catalog().Find(kRegisters), register_id));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(RoundFilterSql() + " ORDER BY round DESC", {reg["id"].get<std::string>()}));
  Json out = Json::array();
  for (const auto& r : rows) {
    out.push_back({{"round", r.Int(0)}, {"validated_at", r.Text(1)}, {"validated_by", r.Text(2)}, {"note", r.Text(3)}});
  }
  return Json{{"register_id", reg["id"]}, {"rounds", out}};
}

Result<Json> Service::Round(const Caller& caller, const std::string& register_id, int round) {
  CBRN_ASSIGN_OR_RETURN(auto txn, impl_->store.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json reg, impl_->store.GetIn(*txn, caller, *impl_->store.catalog().Find(kRegisters), register_id));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(RoundFilterSql() + " AND round = ?", {reg["id"].get<std::string>(), static_cast<std::int64_t>(round)}));
  if (rows.empty()) return Status::NotFound("the register has no validated round " + std::to_string(round));
  return Json{{"round", rows[0].Int(0)}, {"validated_at", rows[0].Text(1)}, {"validated_by", rows[0].Text(2)},
              {"note", rows[0].Text(3)}, {"snapshot", Json::parse(rows[0].Text(4))}};
}

Result<Json> Service::Movement(const Caller& caller, const std::string& register_id, const std::string& lang) {
  auto& store = impl_->store;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(RegisterData d, LoadRegister(store, *txn, caller, register_id));
  const Method& m = *d.method;
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(RoundFilterSql() + " ORDER BY round", {d.reg["id"].get<std::string>()}));
  // Columns: each validated round, then the register as it is now when a round is in work.
  Json columns = Json::array();
  std::vector<std::map<std::string, Json>> positions;
  std::map<std::string, std::string> titles;
  std::vector<std::string> order;
  auto add = [&](const std::string& id, const std::string& title) {
    if (!titles.count(id)) order.push_back(id);
    titles[id] = title;
  };
  for (const auto& r : rows) {
    Json snap = Json::parse(r.Text(4));
    std::map<std::string, Json> pos;
    for (const auto& s : snap["scenarios"]) {
      add(s["id"], Str(s, "title"));
      pos[s["id"]] = PositionJson(m, RatingOf(m, s));
    }
    columns.push_back({{"round", r.Int(0)}, {"validated_at", r.Text(1)}, {"current", false}});
    positions.push_back(std::move(pos));
  }
  if (Str(d.reg, "status") != "validated") {
    std::map<std::string, Json> pos;
    for (const auto& s : d.scenarios) {
      add(s["id"], Str(s, "title"));
      pos[s["id"]] = PositionJson(m, RatingOf(m, s));
    }
    columns.push_back({{"round", d.reg["round"]}, {"validated_at", nullptr}, {"current", true}});
    positions.push_back(std::move(pos));
  }
  Json scenarios = Json::array();
  for (const auto& id : order) {
    Json cells = Json::array();
    Json last = nullptr;
    std::string trend = "same";
    for (const auto& pos : positions) {
      auto it = pos.find(id);
      Json p = it == pos.end() ? Json(nullptr) : it->second;
      if (!p.is_null() && !last.is_null() && !p["band"].is_null() && !last["band"].is_null()) {
        int now = p["band_rank"], before = last["band_rank"];
        trend = now > before ? "up" : now < before ? "down" : "same";
      } else if (!p.is_null() && last.is_null()) {
        trend = "new";
      } else if (p.is_null() && !last.is_null()) {
        trend = "removed";
      }
      cells.push_back(p);
      last = p;
    }
    scenarios.push_back({{"id", id}, {"title", titles[id]}, {"positions", cells}, {"trend", trend}});
  }
  Json method = MethodJson(m, lang);
  return Json{{"register", d.reg}, {"columns", columns}, {"scenarios", scenarios}, {"bands", method["bands"]}};
}

Result<Json> Service::RegionView(const Caller& caller, const std::string& region, const std::string& lang) {
  auto& store = impl_->store;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows reg_row, txn->Query("SELECT code FROM regions WHERE code = ? AND deleted_at IS NULL", {region}));
  if (reg_row.empty()) return Status::NotFound("no region " + region);
  CBRN_ASSIGN_OR_RETURN(Rows members, txn->Query("SELECT c.iso2 FROM memberships m JOIN countries c ON c.id = m.country_id"
                                                 " JOIN regions g ON g.id = m.region_id WHERE g.code = ? AND m.deleted_at IS NULL"
                                                 " AND c.deleted_at IS NULL ORDER BY c.iso2",
                                                 {region}));
  access::SqlFilter vis = access::VisibilityFilter(caller.who);
  std::shared_ptr<const Method> method;
  Json countries = Json::array();
  std::map<std::pair<int, int>, int> cell_counts;
  std::map<std::string, std::map<std::string, int>> by_hazard;  // hazard -> band -> scenarios
  std::map<std::string, std::set<std::string>> high_types;     // scenario type -> countries rated high or above
  std::string mixed_methods;
  for (const auto& mem : members) {
    std::string iso2 = mem.Text(0);
    // The newest register the caller may read that its country shared, with a validated round.
    storage::Params params = {iso2};
    params.insert(params.end(), vis.params.begin(), vis.params.end());
    CBRN_ASSIGN_OR_RETURN(Rows regs, txn->Query("SELECT r.id, r.method_id, MAX(o.round) FROM risk_registers r"
                                                " JOIN risk_rounds o ON o.register_id = r.id"
                                                " WHERE r.country = ? AND r.deleted_at IS NULL AND r.sharing <> 'private' AND (" +
                                                    vis.sql + ") GROUP BY r.id, r.method_id, r.created_at ORDER BY r.created_at DESC LIMIT 1",
                                                params));
    if (regs.empty()) {
      countries.push_back({{"country", iso2}, {"shared", false}});
      continue;
    }
    CBRN_ASSIGN_OR_RETURN(auto m, MethodIn(*txn, regs[0].Text(1)));
    if (!method) method = m;
    if (m->code != method->code || m->version != method->version) {
      // Positions on different methods' matrices do not add up; the country is listed apart.
      countries.push_back({{"country", iso2}, {"shared", true}, {"other_method", m->code + " " + m->version}});
      continue;
    }
    CBRN_ASSIGN_OR_RETURN(Json snap, RoundSnapshot(*txn, regs[0].Text(0), regs[0].Int(2)));
    int rated = 0, high = 0;
    for (const auto& s : snap["scenarios"]) {
      Rating r = RatingOf(*m, s);
      if (r.band < 0) continue;
      ++rated;
      ++cell_counts[{r.likelihood, r.combined_impact}];
      ++by_hazard[Str(s, "hazard")][m->bands[r.band].id];
      if (m->bands[r.band].treat) {
        ++high;
        std::string type = Str(s, "scenario_type");
        if (!type.empty()) high_types[type].insert(iso2);
      }
    }
    countries.push_back({{"country", iso2}, {"shared", true}, {"register_id", regs[0].Text(0)}, {"round", regs[0].Int(2)},
                         {"scenarios", rated}, {"high", high}});
  }
  Json out = {{"region", region}, {"countries", countries}};
  if (!method) {
    out["method"] = nullptr;
    return out;
  }
  Json cells = Json::array();
  for (size_t l = 0; l < method->likelihood.size(); ++l) {
    for (size_t i = 0; i < method->impact_levels.size(); ++i) {
      auto it = cell_counts.find({static_cast<int>(l + 1), static_cast<int>(i + 1)});
      cells.push_back({{"likelihood", l + 1}, {"impact", i + 1}, {"band", method->bands[method->matrix[l][i]].id},
                       {"count", it == cell_counts.end() ? 0 : it->second}});
    }
  }
  Json hazards = Json::array();
  for (const auto& h : Hazards()) {
    Json bands = Json::object();
    for (const auto& b : method->bands) bands[b.id] = by_hazard[h][b.id];
    hazards.push_back({{"hazard", h}, {"bands", bands}});
  }
  Json shared_types = Json::array();
  for (const auto& [type, set] : high_types) {
    if (set.size() < 2) continue;
    const ScenarioType* t = method->FindType(type);
    shared_types.push_back({{"type", type}, {"label", t ? t->label.Get(lang) : type}, {"hazard", t ? t->hazard : ""},
                            {"countries", std::vector<std::string>(set.begin(), set.end())}});
  }
  std::stable_sort(shared_types.begin(), shared_types.end(),
                   [](const Json& a, const Json& b) { return a["countries"].size() > b["countries"].size(); });
  out["method"] = MethodJson(*method, lang);
  out["cells"] = cells;
  out["by_hazard"] = hazards;
  out["shared_high"] = shared_types;
  return out;
}

Result<Json> Service::PrioritiesByRisk(const Caller& caller, const std::string& assessment_id, const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(Json results, impl_->assessments.Results(caller, assessment_id, lang));
  auto& store = impl_->store;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kRead));
  std::string country = Str(results["assessment"], "country");
  std::string aid = Str(results["assessment"], "id");
  // The register linked to this assessment, else the country's newest, that the caller reads.
  records::ListQuery q;
  q.filters["country"] = country;
  q.limit = 100;
  CBRN_ASSIGN_OR_RETURN(records::Page regs, store.ListIn(*txn, caller, *store.catalog().Find(kRegisters), q));
  const Json* chosen = nullptr;
  for (const auto& r : regs.items) {
    if (Str(r, "assessment_id") == aid) {
      chosen = &r;
      break;
    }
  }
  if (!chosen && !regs.items.empty()) chosen = &regs.items.front();
  Json out = {{"assessment_id", aid},
              {"register", chosen ? *chosen : Json(nullptr)},
              {"labels", results["labels"]}};
  Json ranked = Json::array();
  struct Risk {
    Json scenario;
    const Band* band;
    std::vector<std::string> caps;
  };
  std::vector<Risk> risks;
  std::shared_ptr<const Method> method;
  if (chosen) {
    CBRN_ASSIGN_OR_RETURN(RegisterData d, LoadRegister(store, *txn, caller, (*chosen)["id"]));
    method = d.method;
    for (const auto& s : d.scenarios) {
      Rating r = RatingOf(*d.method, s);
      if (r.band < 0) continue;
      risks.push_back({s, &d.method->bands[r.band], SplitList(Str(s, "capabilities"))});
    }
  }
  for (const auto& p : results["priorities"]) {
    std::string question = p["question"], function = p["function"], domain = p["domain"];
    double factor = 1;
    Json serves = Json::array();
    for (const auto& risk : risks) {
      bool by_question = std::find(risk.caps.begin(), risk.caps.end(), question) != risk.caps.end();
      bool by_function = std::find(risk.caps.begin(), risk.caps.end(), function) != risk.caps.end() &&
                         (domain == Str(risk.scenario, "hazard") || domain == "cross-cutting");
      if (!by_question && !by_function) continue;
      factor += risk.band->weight;
      serves.push_back({{"id", risk.scenario["id"]}, {"title", risk.scenario["title"]}, {"band", risk.band->id},
                        {"band_label", risk.band->label.Get(lang)}, {"weight", risk.band->weight},
                        {"through", by_question ? question : function}});
    }
    Json one = p;
    one["previous_rank"] = p["rank"];
    one["risk_factor"] = factor;
    one["risk_score"] = p["weighted_gap"].get<double>() * factor;
    one["serves"] = serves;
    ranked.push_back(one);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Json& a, const Json& b) {
    return a["risk_score"].get<double>() > b["risk_score"].get<double>();
  });
  for (size_t i = 0; i < ranked.size(); ++i) ranked[i]["rank"] = i + 1;
  out["priorities"] = ranked;
  out["rule"] = "risk_score = weighted_gap x (1 + sum of the band weights of the rated risks that depend on the priority)";
  return out;
}

Result<Json> Service::AddEvidence(const Caller& caller, const std::string& scenario_id, const std::string& filename,
                                  const std::string& data) {
  std::string type;
  if (std::string problem = UploadProblem(filename, data, &type); !problem.empty()) return Status::Invalid("file", problem);
  auto& store = impl_->store;
  const records::KindSpec* kind = store.catalog().Find(kScenarios);
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json s, store.GetIn(*txn, caller, *kind, scenario_id));
  CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kChange, kind->ScopeOf(s)));
  CBRN_ASSIGN_OR_RETURN(Rows reg, txn->Query("SELECT status FROM risk_registers WHERE id = ?", {Str(s, "register_id")}));
  if (!reg.empty() && reg[0].Text(0) == "validated") {
    return Status(StatusCode::kConflict, "the register is validated: add sources in a new round (revise the register first)", "status").Says("conflict.register_validated");
  }
  std::string b64 = Base64Encode(data);
  std::string eid = NewUuid(), now = NowUtc(), sha = Sha256Hex(data);
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO risk_evidence (id, scenario_id, filename, content_type, size, sha256, content_base64,"
                                 " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 {eid, Str(s, "id"), filename, type, static_cast<std::int64_t>(data.size()), sha, b64, now,
                                  caller.who.audit_id()})
                           .status());
  Json meta = {{"id", eid},         {"scenario_id", s["id"]}, {"filename", filename}, {"content_type", type},
               {"size", data.size()}, {"sha256", sha},        {"created_at", now},    {"created_by", caller.who.audit_id()}};
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(), {"attach", "risk_evidence", eid, s["owner"], std::nullopt, meta.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return meta;
}

Result<Json> Service::EvidenceList(const Caller& caller, const std::string& scenario_id) {
  auto& store = impl_->store;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json s, store.GetIn(*txn, caller, *store.catalog().Find(kScenarios), scenario_id));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT id, filename, content_type, size, sha256, created_at, created_by FROM risk_evidence"
                                              " WHERE scenario_id = ? AND deleted_at IS NULL ORDER BY created_at",
                                              {Str(s, "id")}));
  Json out = Json::array();
  for (const auto& r : rows) {
    out.push_back({{"id", r.Text(0)}, {"filename", r.Text(1)}, {"content_type", r.Text(2)}, {"size", r.Int(3)},
                   {"sha256", r.Text(4)}, {"created_at", r.Text(5)}, {"created_by", r.Text(6)}});
  }
  return out;
}

Result<std::pair<Json, std::string>> Service::Evidence(const Caller& caller, const std::string& evidence_id) {
  auto& store = impl_->store;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT scenario_id, filename, content_type, size, sha256, content_base64"
                                              " FROM risk_evidence WHERE id = ? AND deleted_at IS NULL",
                                              {evidence_id}));
  if (rows.empty()) return Status::NotFound("no evidence " + evidence_id);
  // Readable when its scenario is.
  CBRN_RETURN_IF_ERROR(store.GetIn(*txn, caller, *store.catalog().Find(kScenarios), rows[0].Text(0)).status());
  std::string bin;
  if (!Base64Decode(rows[0].Text(5), &bin)) return Status::Internal("stored evidence " + evidence_id + " is unreadable");
  Json meta = {{"id", evidence_id}, {"filename", rows[0].Text(1)}, {"content_type", rows[0].Text(2)}, {"size", rows[0].Int(3)},
               {"sha256", rows[0].Text(4)}};
  return std::make_pair(meta, bin);
}

}  // namespace cbrnhub::risk
