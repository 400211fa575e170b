// The national risk assessment over HTTP: registers with their matrix, a scenario's rating,
// validated rounds and how scenarios moved, the region's matrix, priorities ranked by risk, the
// register workbook, and the methods. Registers and scenarios themselves are records: their
// API is the generic one and their forms are /forms/{kind}.
#include <algorithm>
#include <cmath>

#include "core/problem.h"
#include "http/handlers.h"
#include "http/views.h"
#include "records/text.h"

namespace cbrnhub::http {
namespace {

std::string Text(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<std::string> NoteOf(const Request& req) {
  if (req.body.empty()) return std::string();
  auto body = ParseJsonBody(req);
  if (!body.ok()) return body.status();
  if (!body->is_object()) return Status::Invalid("", "send a JSON object");
  if (body->contains("note") && !(*body)["note"].is_string()) return Status::Invalid("note", "note must be text");
  return body->value("note", "");
}

risk::Service::MatrixFilter FilterOf(const Request& req) { return {req.Query("hazard"), req.Query("criterion")}; }

// The matrix of a register view (or the region's), drawn with the words of the request.
std::string MatrixOf(const Ctx& ctx, const Request& req, const Json& method, const Json* scenarios, const Json* counts,
                     const std::string& title) {
  MatrixView v;
  v.title = title;
  v.likelihood_title = Translate(ctx, req, "risk.likelihood");
  v.impact_title = Translate(ctx, req, "risk.impact");
  for (const auto& l : method["likelihood"]) v.likelihood_labels.push_back(l["label"]);
  for (const auto& i : method["impact_levels"]) v.impact_labels.push_back(i);
  std::map<std::string, int> rank;
  for (const auto& b : method["bands"]) {
    rank[b["id"]] = b["rank"];
    v.band_labels.push_back(b["label"]);
  }
  for (const auto& row : method["matrix"]) {
    std::vector<int> r;
    for (const auto& b : row) r.push_back(rank[b.get<std::string>()]);
    v.band.push_back(r);
  }
  if (scenarios) {
    for (const auto& s : *scenarios) {
      if (!s.value("in_filter", true) || s["position"]["band"].is_null()) continue;
      MatrixView::Marker m;
      m.likelihood = s["position"]["likelihood"];
      m.impact = s["position"]["impact"];
      m.label = std::to_string(s["number"].get<int>());
      m.title = Text(s, "title");
      if (!s["previous"].is_null() && !s["previous"]["band"].is_null()) {
        m.from_likelihood = s["previous"]["likelihood"];
        m.from_impact = s["previous"]["impact"];
      }
      v.markers.push_back(m);
    }
  }
  if (counts) {
    v.counts.assign(v.likelihood_labels.size(), std::vector<int>(v.impact_labels.size(), 0));
    for (const auto& c : *counts) v.counts[c["likelihood"].get<int>() - 1][c["impact"].get<int>() - 1] = c["count"];
  }
  return RiskMatrixSvg(v);
}

// Labels for the register page: states, hazards, bands, levels; scenarios numbered as on the
// matrix.
void Decorate(const Ctx& ctx, const Request& req, Json& view) {
  std::map<std::string, std::string> band_label, criterion_label;
  for (const auto& b : view["method"]["bands"]) band_label[b["id"]] = b["label"];
  for (const auto& c : view["method"]["criteria"]) criterion_label[c["id"]] = c["label"];
  const Json& method = view["method"];
  auto level_label = [&](const Json& list, int level) {
    return level >= 1 && level <= static_cast<int>(list.size()) ? std::to_string(level) + " " + (list[level - 1].is_object()
                                                                                                  ? list[level - 1]["label"].get<std::string>()
                                                                                                  : list[level - 1].get<std::string>())
                                                                : std::string("—");
  };
  int n = 0;
  for (auto& s : view["scenarios"]) {
    s["number"] = ++n;
    s["hazard_label"] = Translate(ctx, req, "choice." + Text(s, "hazard"));
    s["origin_label"] = Translate(ctx, req, "choice." + Text(s, "origin"));
    const Json& p = s["position"];
    s["likelihood_label"] = level_label(method["likelihood"], p["likelihood"]);
    s["impact_label"] = level_label(method["impact_levels"], p["impact"]);
    // How the criteria combined, in the reader's words (the criterion by its label).
    s["impact_reason"] = "";
    if (p.contains("reason_key") && p["reason_key"].is_string() && !p["reason_key"].get<std::string>().empty()) {
      Json args = p["reason_args"];
      if (args.contains("criterion")) args["criterion"] = criterion_label[args["criterion"].get<std::string>()];
      s["impact_reason"] = ctx.catalogs.Format(req.lang, p["reason_key"], args);
    }
    s["band_label"] = p["band"].is_null() ? Translate(ctx, req, "risk.unrated") : band_label[p["band"]];
    s["band_class"] = p["band"].is_null() ? "none" : BandClass(p["band_rank"], static_cast<int>(method["bands"].size()));
    // Always set: a key missing here would be looked up in the enclosing context.
    s["previous_label"] = s["previous"].is_null() ? Translate(ctx, req, "risk.trend.new") : Translate(ctx, req, "risk.unrated");
    s["moved"] = "";
    if (!s["previous"].is_null() && !s["previous"]["band"].is_null()) {
      s["previous_label"] = band_label[s["previous"]["band"]];
      int now = p["band"].is_null() ? -1 : p["band_rank"].get<int>(), before = s["previous"]["band_rank"];
      s["moved"] = now > before ? "up" : now < before ? "down" : "";
    }
    Json caps = Json::array();
    for (const auto& c : s["capability_list"]) {
      std::string key = "capability." + c.get<std::string>();
      std::string label = Translate(ctx, req, key);
      caps.push_back(label == key ? c.get<std::string>() : label);
    }
    s["capability_labels"] = caps;
    for (auto& a : s["action_list"]) a["status_label"] = Translate(ctx, req, "choice." + Text(a, "status"));
  }
  for (auto& u : view["untreated"]) {
    u["band_label"] = band_label[u["band"]];
    u["hazard_label"] = Translate(ctx, req, "choice." + Text(u, "hazard"));
  }
  Json counts = Json::array();
  for (const auto& b : method["bands"]) counts.push_back({{"label", b["label"]}, {"count", view["by_band"][b["id"].get<std::string>()]}});
  view["band_counts"] = counts;
  view["status_label"] = Translate(ctx, req, "risk.state." + Text(view["register"], "status"));
  Json hazards = Json::array();
  for (const auto& h : risk::Hazards()) {
    hazards.push_back({{"id", h}, {"label", Translate(ctx, req, "choice." + h)}, {"selected", view["filter"]["hazard"] == h}});
  }
  view["hazards"] = hazards;
  Json criteria = Json::array();
  for (const auto& c : method["criteria"]) {
    criteria.push_back({{"id", c["id"]}, {"label", c["label"]}, {"selected", view["filter"]["criterion"] == c["id"]}});
  }
  view["criteria"] = criteria;
  view["country_label"] = i18n::CountryName(Text(view["register"], "country"), req.lang, Text(view["register"], "country"));
}


// The may-flags of a register for the caller.
Json MayOf(const Ctx& ctx, const Request& req, const Json& reg) {
  const records::KindSpec* kind = ctx.store.catalog().Find(risk::kRegisters);
  access::RecordScope scope = kind->ScopeOf(reg);
  std::string status = Text(reg, "status");
  bool change = access::Allows(req.who, access::Action::kChange, scope);
  bool submit = access::Allows(req.who, access::Action::kSubmit, scope);
  return {{"change", change && status != "validated"}, {"validate", submit && status != "validated"},
          {"revise", submit && status == "validated"}, {"import", change && status != "validated"}};
}

// The choices of the scenario form: hazards, origins, the method's scenario types and the
// capabilities, labelled, with what `scenario` has selected.
Json ScenarioChoices(const Ctx& ctx, const Request& req, const Json& method, const Json& scenario) {
  std::vector<std::string> caps = records::SplitList(Text(scenario, "capabilities"));
  auto has = [&](const std::string& c) { return std::find(caps.begin(), caps.end(), c) != caps.end(); };
  Json hazards = Json::array(), origins = Json::array(), types = Json::array(), functions = Json::array(), questions = Json::array();
  for (const auto& h : risk::Hazards()) {
    hazards.push_back({{"id", h}, {"label", Translate(ctx, req, "choice." + h)}, {"selected", Text(scenario, "hazard") == h}});
  }
  for (const auto& o : risk::Origins()) {
    origins.push_back({{"id", o}, {"label", Translate(ctx, req, "choice." + o)}, {"selected", Text(scenario, "origin") == o}});
  }
  for (const auto& t : method["scenario_types"]) {
    types.push_back({{"id", t["id"]}, {"label", Translate(ctx, req, "choice." + t["hazard"].get<std::string>()) + ": " + t["label"].get<std::string>()},
                     {"selected", Text(scenario, "scenario_type") == t["id"]}});
  }
  for (const char* f : {"legal_framework", "governance", "prevention", "detection", "preparedness", "response", "recovery"}) {
    functions.push_back({{"id", f}, {"label", Translate(ctx, req, std::string("capability.") + f)}, {"checked", has(f)}});
  }
  // Question ids named besides the functions stay as they are (kept on save).
  for (const auto& c : caps) {
    bool function = false;
    for (const auto& f : functions) function = function || f["id"] == c;
    if (!function) questions.push_back(c);
  }
  std::string joined;
  for (const auto& q : questions) joined += (joined.empty() ? "" : ", ") + q.get<std::string>();
  return {{"hazards", hazards}, {"origins", origins}, {"types", types}, {"functions", functions}, {"questions", joined}};
}

// A scenario body from its form: the capabilities ticked and the question ids typed, joined.
Json ScenarioFromForm(const Form& form) {
  Json body = Json::object();
  for (const char* key : {"title", "hazard", "origin", "scenario_type", "worst_case", "affected_area", "sources"}) {
    body[key] = FormField(form, key);
  }
  std::string caps;
  auto add = [&](const std::string& c) {
    if (!c.empty()) caps += (caps.empty() ? "" : ", ") + c;
  };
  auto range = form.equal_range("capabilities");
  for (auto it = range.first; it != range.second; ++it) add(it->second);
  add(FormField(form, "questions"));
  body["capabilities"] = caps;
  std::string actions;
  range = form.equal_range("actions");
  for (auto it = range.first; it != range.second; ++it) actions += (actions.empty() ? "" : ", ") + it->second;
  body["actions"] = actions;
  return body;
}

}  // namespace

// --- API --------------------------------------------------------------------------------

Response ApiRiskMethodLoad(Ctx& ctx, Request& req) {
  auto r = ctx.risk->LoadMethod(CallerOf(req), req.body, "risk method upload", req.Query("allow_incomplete") == "true");
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return JsonOk((*r)["unchanged"].get<bool>() || r->contains("retranslated") ? 200 : 201, *r);
}

Response ApiRiskMethodCheck(Ctx& ctx, Request& req) {
  auto m = risk::ParseMethod(req.body, "risk method upload");
  if (!m.ok()) return ErrorFor(ctx, req, m.status());
  Json untranslated = Json::array();
  for (const auto& e : m->untranslated) untranslated.push_back(e.ToString("risk method upload"));
  return JsonOk(200, {{"code", m->code}, {"version", m->version}, {"likelihood_levels", m->likelihood.size()},
                      {"criteria", m->criteria.size()}, {"bands", m->bands.size()}, {"untranslated", untranslated}});
}

Response ApiRiskMethodView(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.risk->MethodView(CallerOf(req), req.Param("id"), req.lang));
}

Response ApiRiskRegisterView(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.risk->RegisterView(CallerOf(req), req.Param("id"), FilterOf(req), req.lang));
}

Response ApiRiskValidate(Ctx& ctx, Request& req) {
  auto note = NoteOf(req);
  if (!note.ok()) return ErrorFor(ctx, req, note.status());
  return JsonResult(ctx, req, ctx.risk->Validate(CallerOf(req), req.Param("id"), *note));
}

Response ApiRiskRevise(Ctx& ctx, Request& req) {
  auto note = NoteOf(req);
  if (!note.ok()) return ErrorFor(ctx, req, note.status());
  return JsonResult(ctx, req, ctx.risk->Revise(CallerOf(req), req.Param("id"), *note));
}

Response ApiRiskRounds(Ctx& ctx, Request& req) { return JsonResult(ctx, req, ctx.risk->Rounds(CallerOf(req), req.Param("id"))); }

Response ApiRiskRound(Ctx& ctx, Request& req) {
  std::string v = req.Param("round");
  if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos || std::stoi(v) < 1) {
    return ErrorFor(ctx, req, Status::Invalid("round", "rounds are numbered from 1"));
  }
  return JsonResult(ctx, req, ctx.risk->Round(CallerOf(req), req.Param("id"), std::stoi(v)));
}

Response ApiRiskMovement(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.risk->Movement(CallerOf(req), req.Param("id"), req.lang));
}

Response ApiRiskRating(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  if (!body->is_object()) return ErrorFor(ctx, req, Status::Invalid("", "send {likelihood: {...}, impacts: {criterion: {...}}}"));
  Json likelihood = body->contains("likelihood") ? (*body)["likelihood"] : Json(nullptr);
  Json impacts = body->contains("impacts") ? (*body)["impacts"] : Json(nullptr);
  return JsonResult(ctx, req, ctx.risk->SaveRating(CallerOf(req), req.Param("id"), likelihood, impacts));
}

Response ApiRiskEvidenceUpload(Ctx& ctx, Request& req) {
  auto parts = ParseMultipart(req.Header("content-type"), req.body);
  if (!parts.ok()) return ErrorFor(ctx, req, parts.status());
  std::string filename, data;
  for (const auto& p : *parts) {
    if (p.name == "file") {
      filename = p.filename;
      data = p.data;
    }
  }
  return JsonResult(ctx, req, ctx.risk->AddEvidence(CallerOf(req), req.Param("id"), filename, data), 201);
}

Response ApiRiskEvidenceList(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.risk->EvidenceList(CallerOf(req), req.Param("id")));
}

Response RiskEvidenceDownload(Ctx& ctx, Request& req) {
  auto r = ctx.risk->Evidence(CallerOf(req), req.Param("id"));
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return Download(r->first, std::move(r->second));
}

Response ApiRegionRisks(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.risk->RegionView(CallerOf(req), req.Param("code"), req.lang));
}

Response ApiPrioritiesByRisk(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.risk->PrioritiesByRisk(CallerOf(req), req.Param("id"), req.lang));
}

Response RiskWorkbookDownload(Ctx& ctx, Request& req) {
  auto r = ctx.risk->ExportRegister(CallerOf(req), req.Param("id"), req.lang, Words(ctx));
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return XlsxDownload(std::move(*r), "risk-register-" + req.Param("id").substr(0, 8) + ".xlsx");
}

Response ApiRiskImportPreview(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.risk->PreviewImport(CallerOf(req), req.Param("id"), UploadedFile(req), Words(ctx)), 201);
}

Response ApiRiskImportApply(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.risk->ApplyImport(CallerOf(req), req.Param("id"), req.Param("import")));
}

// --- Pages ------------------------------------------------------------------------------

Response RiskRegistersPage(Ctx& ctx, Request& req) {
  records::ListQuery q;
  q.limit = 200;
  q.text = req.Query("q");
  auto list = ctx.store.List(CallerOf(req), risk::kRegisters, q);
  if (!list.ok()) return ErrorFor(ctx, req, list.status());
  Json items = Json::array();
  for (auto r : list->items) {
    r["status_label"] = Translate(ctx, req, "risk.state." + Text(r, "status"));
    r["country_label"] = i18n::CountryName(Text(r, "country"), req.lang, Text(r, "country"));
    r["sharing_label"] = Translate(ctx, req, "choice." + Text(r, "sharing"));
    items.push_back(r);
  }
  auto methods = ctx.store.List(CallerOf(req), risk::kMethods, records::ListQuery{});
  if (!methods.ok()) return ErrorFor(ctx, req, methods.status());
  access::RecordScope own;
  own.owner_scope = access::OwnScope(req.who);
  own.policy = access::Policy::kPlan;
  bool may_create = own.owner_scope.rfind("country:", 0) == 0 && access::Allows(req.who, access::Action::kCreate, own);
  Json data = {{"registers", items},
               {"methods", methods->items},
               {"q", q.text},
               {"may_create", may_create},
               {"may_load", access::DecideRoute(req.who, access::Need::kAdmin) == access::Decision::kAllow},
               {"own_country", req.who.country},
               {"own_region", req.who.region},
               {"error", req.Query("error")}};
  return RenderPage(ctx, req, 200, "risk_registers", data, Translate(ctx, req, "risk.title"));
}

Response RiskMethodLoadSubmit(Ctx& ctx, Request& req) {
  DefinitionUpload up = DefinitionUploadOf(req);
  auto r = ctx.risk->LoadMethod(CallerOf(req), up.yaml, up.name, up.allow_incomplete);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kInvalidArgument || r.status().code() == StatusCode::kConflict) {
      return Response::Redirect("/risk?error=" + PercentEncode(MessageOf(ctx, req, r.status())));
    }
    return ErrorFor(ctx, req, r.status());
  }
  return Response::Redirect("/risk?notice=saved");
}

Response RiskRegisterPage(Ctx& ctx, Request& req) {
  auto view = ctx.risk->RegisterView(CallerOf(req), req.Param("id"), FilterOf(req), req.lang);
  if (!view.ok()) {
    if (view.status().code() == StatusCode::kInvalidArgument) {
      return BackWithError(ctx, req, view.status(), "/risk/" + PercentEncode(req.Param("id")), StatusCode::kInvalidArgument);
    }
    return ErrorFor(ctx, req, view.status());
  }
  Json data = *view;
  Decorate(ctx, req, data);
  data["matrix_svg"] = MatrixOf(ctx, req, data["method"], &data["scenarios"], nullptr, Translate(ctx, req, "risk.matrix"));
  data["may"] = MayOf(ctx, req, data["register"]);
  data["choices"] = ScenarioChoices(ctx, req, data["method"], Json::object());
  auto rounds = ctx.risk->Rounds(CallerOf(req), req.Param("id"));
  if (rounds.ok()) data["rounds"] = (*rounds)["rounds"];
  data["error"] = req.Query("error");
  return RenderPage(ctx, req, 200, "risk_register", data, Text(data["register"], "title"));
}

Response RiskTransitionSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  std::string to = FormField(form, "to"), note = FormField(form, "note");
  std::string back = "/risk/" + PercentEncode(req.Param("id"));
  auto r = to == "validated" ? ctx.risk->Validate(CallerOf(req), req.Param("id"), note)
           : to == "revised" ? ctx.risk->Revise(CallerOf(req), req.Param("id"), note)
                             : Result<Json>(Status::Invalid("to", "say validated or revised"));
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  return Response::Redirect(back + "?notice=saved");
}

Response RiskMovementPage(Ctx& ctx, Request& req) {
  auto view = ctx.risk->Movement(CallerOf(req), req.Param("id"), req.lang);
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  std::map<std::string, std::string> band_label;
  for (const auto& b : data["bands"]) band_label[b["id"]] = b["label"];
  for (auto& s : data["scenarios"]) {
    Json cells = Json::array();
    for (const auto& p : s["positions"]) {
      if (p.is_null()) {
        cells.push_back({{"text", "—"}, {"class", "none"}});
      } else if (p["band"].is_null()) {
        cells.push_back({{"text", Translate(ctx, req, "risk.unrated")}, {"class", "none"}});
      } else {
        cells.push_back({{"text", band_label[p["band"]] + " (" + std::to_string(p["likelihood"].get<int>()) + " × " +
                                      std::to_string(p["impact"].get<int>()) + ")"},
                         {"class", BandClass(p["band_rank"], static_cast<int>(data["bands"].size()))}});
      }
    }
    s["cells"] = cells;
    s["trend_label"] = Translate(ctx, req, "risk.trend." + Text(s, "trend"));
  }
  for (auto& c : data["columns"]) {
    c["label"] = c["current"].get<bool>() ? Translate(ctx, req, "risk.round") + " " + std::to_string(c["round"].get<int>()) + " (" +
                                                Translate(ctx, req, "risk.in_work") + ")"
                                          : Translate(ctx, req, "risk.round") + " " + std::to_string(c["round"].get<int>());
  }
  return RenderPage(ctx, req, 200, "risk_movement", data, Translate(ctx, req, "risk.movement"));
}

Response RiskScenarioPage(Ctx& ctx, Request& req) {
  auto scenario = ctx.store.Get(CallerOf(req), risk::kScenarios, req.Param("id"));
  if (!scenario.ok()) return ErrorFor(ctx, req, scenario.status());
  auto view = ctx.risk->RegisterView(CallerOf(req), (*scenario)["register_id"], {}, req.lang);
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  Decorate(ctx, req, data);
  Json one;
  for (const auto& s : data["scenarios"]) {
    if (s["id"] == (*scenario)["id"]) one = s;
  }
  // The rating form: each level a choice (with the method's thresholds), with what is stored.
  const Json& method = data["method"];
  const Json likelihood = one["likelihood"].is_object() ? one["likelihood"] : Json::object();
  Json levels = Json::array();
  for (const auto& l : method["likelihood"]) {
    levels.push_back({{"level", l["level"]}, {"label", std::to_string(l["level"].get<int>()) + " " + l["label"].get<std::string>()},
                      {"descriptor", l["descriptor"]}, {"selected", likelihood.value("level", 0) == l["level"].get<int>()}});
  }
  auto confidence = [&](const Json& rating) {
    Json out = Json::array();
    for (const auto& c : method["confidence"]) {
      out.push_back({{"id", c["id"]}, {"label", c["label"]}, {"selected", rating.value("confidence", "") == c["id"]}});
    }
    return out;
  };
  Json criteria = Json::array();
  const Json impacts = one["impacts"].is_object() ? one["impacts"] : Json::object();
  for (const auto& c : method["criteria"]) {
    const Json rating = impacts.contains(c["id"].get<std::string>()) ? impacts[c["id"].get<std::string>()] : Json::object();
    Json options = Json::array();
    for (size_t i = 0; i < method["impact_levels"].size(); ++i) {
      std::string label = std::to_string(i + 1) + " " + method["impact_levels"][i].get<std::string>();
      if (!c["descriptors"].empty()) label += ": " + c["descriptors"][i].get<std::string>();
      if (!c["thresholds"].empty()) {
        const Json& t = c["thresholds"];
        auto num = [](const Json& x) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%g", x.get<double>());
          return std::string(buf);
        };
        std::string range = i == 0 ? "< " + num(t[0]) : i == t.size() ? "≥ " + num(t[i - 1]) : num(t[i - 1]) + " – " + num(t[i]);
        label += " (" + range + " " + c["unit"].get<std::string>() + ")";
      }
      options.push_back({{"level", i + 1}, {"label", label}, {"selected", rating.value("level", 0) == static_cast<int>(i + 1)}});
    }
    criteria.push_back({{"id", c["id"]}, {"label", c["label"]}, {"unit", c["unit"]}, {"quantitative", !c["thresholds"].empty()},
                        {"options", options}, {"value", rating.contains("value") ? rating["value"].dump() : ""},
                        {"justification", rating.value("justification", "")}, {"confidence", confidence(rating)}});
  }
  auto evidence = ctx.risk->EvidenceList(CallerOf(req), req.Param("id"));
  // The actions that may treat it: those of the country's plans (and its region's) the caller reads.
  std::vector<std::string> linked = records::SplitList(Text(one, "actions"));
  Json actions = Json::array();
  records::ListQuery plans_query;
  plans_query.limit = 100;
  auto plan_list = ctx.store.List(CallerOf(req), plans::kPlans, plans_query);
  if (plan_list.ok()) {
    std::string country = Text(data["register"], "country");
    for (const auto& plan : plan_list->items) {
      if (Text(plan, "country") != country && Text(plan, "region").empty()) continue;
      records::ListQuery q;
      q.limit = 500;
      q.filters["plan_id"] = plan["id"];
      auto acts = ctx.store.List(CallerOf(req), plans::kActions, q);
      if (!acts.ok()) continue;
      for (const auto& a : acts->items) {
        actions.push_back({{"id", a["id"]}, {"label", Text(plan, "title") + ": " + Text(a, "title")},
                           {"checked", std::find(linked.begin(), linked.end(), a["id"].get<std::string>()) != linked.end()}});
      }
    }
  }
  Json out = {{"scenario", one},
              {"register", data["register"]},
              {"levels", levels},
              {"likelihood_confidence", confidence(likelihood)},
              {"likelihood_justification", likelihood.value("justification", "")},
              {"likelihood_probability", likelihood.contains("probability") ? likelihood["probability"].dump() : ""},
              {"criteria", criteria},
              {"evidence", evidence.ok() ? *evidence : Json::array()},
              {"choices", ScenarioChoices(ctx, req, method, one)},
              {"actions", actions},
              {"may", MayOf(ctx, req, data["register"])},
              {"error", req.Query("error")}};
  return RenderPage(ctx, req, 200, "risk_scenario", out, Text(one, "title"));
}

namespace {
// A rating from the scenario page's form: "" fields are not rated.
Result<std::pair<Json, Json>> RatingFromForm(const Ctx& ctx, const Form& form, const Json& method) {
  (void)ctx;
  auto number = [](const std::string& field, const std::string& v) -> Result<Json> {
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(d)) return Status::Invalid(field, field + ": \"" + v.substr(0, 40) + "\" is not a number");
    return d == std::floor(d) && std::fabs(d) < 9e15 ? Json(static_cast<std::int64_t>(d)) : Json(d);
  };
  auto part = [&](const std::string& prefix, const char* value_name) -> Result<Json> {
    Json r = Json::object();
    std::string level = FormField(form, prefix + ".level"), value = FormField(form, prefix + "." + value_name);
    if (!level.empty()) {
      if (level.size() > 2 || level.find_first_not_of("0123456789") != std::string::npos) {
        return Status::Invalid(prefix + ".level", prefix + ".level: choose a level");
      }
      r["level"] = std::stoi(level);
    }
    if (!value.empty()) {
      CBRN_ASSIGN_OR_RETURN(r[value_name], number(prefix + "." + value_name, value));
    }
    if (r.empty()) return Json(nullptr);
    if (std::string c = FormField(form, prefix + ".confidence"); !c.empty()) r["confidence"] = c;
    if (std::string j = FormField(form, prefix + ".justification"); !j.empty()) r["justification"] = j;
    return r;
  };
  CBRN_ASSIGN_OR_RETURN(Json likelihood, part("likelihood", "probability"));
  Json impacts = Json::object();
  for (const auto& c : method["criteria"]) {
    std::string id = c["id"];
    CBRN_ASSIGN_OR_RETURN(Json r, part("impacts." + id, "value"));
    if (!r.is_null()) impacts[id] = r;
  }
  return std::make_pair(likelihood, impacts);
}
}  // namespace

Response RiskRatingSubmit(Ctx& ctx, Request& req) {
  std::string back = "/risk/scenarios/" + PercentEncode(req.Param("id"));
  auto scenario = ctx.store.Get(CallerOf(req), risk::kScenarios, req.Param("id"));
  if (!scenario.ok()) return ErrorFor(ctx, req, scenario.status());
  auto reg = ctx.store.Get(CallerOf(req), risk::kRegisters, (*scenario)["register_id"]);
  if (!reg.ok()) return ErrorFor(ctx, req, reg.status());
  auto method = ctx.risk->MethodView(CallerOf(req), (*reg)["method_id"], req.lang);
  if (!method.ok()) return ErrorFor(ctx, req, method.status());
  auto rating = RatingFromForm(ctx, FormOf(req), *method);
  if (!rating.ok()) return BackWithError(ctx, req, rating.status(), back, StatusCode::kInvalidArgument);
  auto r = ctx.risk->SaveRating(CallerOf(req), req.Param("id"), rating->first, rating->second);
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  return Response::Redirect(back + "?notice=saved");
}

Response RiskEvidenceSubmit(Ctx& ctx, Request& req) {
  std::string back = "/risk/scenarios/" + PercentEncode(req.Param("id"));
  auto parts = ParseMultipart(req.Header("content-type"), req.body);
  if (!parts.ok()) return BackWithError(ctx, req, parts.status(), back, StatusCode::kInvalidArgument);
  std::string filename, data;
  for (const auto& p : *parts) {
    if (p.name == "file") {
      filename = p.filename;
      data = p.data;
    }
  }
  auto r = ctx.risk->AddEvidence(CallerOf(req), req.Param("id"), filename, data);
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  return Response::Redirect(back + "?notice=saved#evidence");
}

Response RiskImportSubmit(Ctx& ctx, Request& req) {
  auto r = ctx.risk->PreviewImport(CallerOf(req), req.Param("id"), UploadedFile(req), Words(ctx));
  std::string back = "/risk/" + PercentEncode(req.Param("id"));
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  Json data = *r;
  data["id"] = req.Param("id");
  i18n::Presenter words = PresenterOf(ctx, req);
  for (auto& c : data["changed"]) {
    for (auto& f : c["fields"]) {
      f["label"] = words.Label("field.", records::Text(f, "field"));
      for (const char* side : {"before", "after"}) {
        // The ratings are kept as JSON text: shown by their values, like any structure.
        Json value = f[side];
        if (value.is_string() && (f["field"] == "likelihood" || f["field"] == "impacts")) {
          Json parsed = Json::parse(value.get<std::string>(), nullptr, false);
          if (!parsed.is_discarded()) value = parsed;
        }
        std::string text = ValueText(words, value);
        f[std::string(side) + "_text"] = text.empty() ? "—" : text;
      }
    }
  }
  for (auto& e : data["errors"]) e["message"] = MessageOf(ctx, req, ProblemOf(e));
  data["ok"] = data["errors"].empty();
  return RenderPage(ctx, req, data["errors"].empty() ? 200 : 400, "risk_import", data, Translate(ctx, req, "workbook.preview"));
}

Response RiskImportApplySubmit(Ctx& ctx, Request& req) {
  auto r = ctx.risk->ApplyImport(CallerOf(req), req.Param("id"), req.Param("import"));
  std::string back = "/risk/" + PercentEncode(req.Param("id"));
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kConflict);
  return Response::Redirect(back + "?notice=saved");
}

Response RiskScenarioCreateSubmit(Ctx& ctx, Request& req) {
  std::string back = "/risk/" + PercentEncode(req.Param("id"));
  Form form = FormOf(req);
  Json body = ScenarioFromForm(form);
  body["register_id"] = req.Param("id");
  auto r = ctx.store.Create(CallerOf(req), risk::kScenarios, body);
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  return Response::Redirect("/risk/scenarios/" + (*r)["id"].get<std::string>() + "?notice=saved");
}

Response RiskScenarioEditSubmit(Ctx& ctx, Request& req) {
  std::string back = "/risk/scenarios/" + PercentEncode(req.Param("id"));
  Form form = FormOf(req);
  Json body = ScenarioFromForm(form);
  if (std::string rev = FormField(form, "revision"); !rev.empty() && rev.find_first_not_of("0123456789") == std::string::npos && rev.size() < 12) {
    body["revision"] = std::stoll(rev);
  }
  auto r = ctx.store.Update(CallerOf(req), risk::kScenarios, req.Param("id"), body, false);
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  return Response::Redirect(back + "?notice=saved");
}

Response RegionRisksPage(Ctx& ctx, Request& req) {
  auto view = ctx.risk->RegionView(CallerOf(req), req.Param("code"), req.lang);
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  for (auto& c : data["countries"]) c["country_label"] = i18n::CountryName(Text(c, "country"), req.lang, Text(c, "country"));
  if (!data["method"].is_null()) {
    data["matrix_svg"] = MatrixOf(ctx, req, data["method"], nullptr, &data["cells"], Translate(ctx, req, "risk.region_matrix"));
    Json bands = data["method"]["bands"];
    for (auto& h : data["by_hazard"]) {
      h["label"] = Translate(ctx, req, "choice." + Text(h, "hazard"));
      Json cells = Json::array();
      for (const auto& b : bands) cells.push_back(h["bands"][b["id"].get<std::string>()]);
      h["cells"] = cells;
    }
    data["bands"] = bands;
    for (auto& t : data["shared_high"]) {
      t["hazard_label"] = Translate(ctx, req, "choice." + Text(t, "hazard"));
      Json names = Json::array();
      for (const auto& c : t["countries"]) names.push_back(i18n::CountryName(c, req.lang, c));
      t["country_names"] = names;
    }
  }
  return RenderPage(ctx, req, 200, "region_risks", data, Translate(ctx, req, "risk.region_title") + " " + req.Param("code"));
}

Response PrioritiesByRiskPage(Ctx& ctx, Request& req) {
  auto view = ctx.risk->PrioritiesByRisk(CallerOf(req), req.Param("id"), req.lang);
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  i18n::Presenter words = PresenterOf(ctx, req);
  const Json labels = data.value("labels", Json::object());
  for (auto& p : data["priorities"]) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", p["risk_factor"].get<double>());
    p["factor_text"] = buf;
    std::snprintf(buf, sizeof buf, "%.1f", p["risk_score"].get<double>() * 100);
    p["score_text"] = buf;
    int before = p["previous_rank"], now = p["rank"];
    p["moved"] = before > now ? "up" : before < now ? "down" : "";
    p["capability_label"] = KeyLabel(words, labels, "functions", Text(p, "function"));
  }
  return RenderPage(ctx, req, 200, "risk_priorities", data, Translate(ctx, req, "risk.priorities_title"));
}

}  // namespace cbrnhub::http
