// Needs assessment over HTTP: questionnaires, answering (with autosave), workflow, evidence,
// the offline workbook, results with charts, and the regional heat map.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "http/handlers.h"
#include "http/views.h"
#include "network/network.h"

namespace cbrnhub::http {
namespace {

// A score (0 to 1) as the reader's locale writes a percentage ("40 %", "40%", "٪٤٠").
// Rounded half up, as the scores were always shown (ICU would round 12.5 to even).
std::string Pct(const i18n::Presenter& words, double v) { return words.Percent(std::round(v * 100)); }

// One answer built from the answer form's fields for question `q` (see assessment.html).
Json AnswerFromForm(const Form& form, const Json& q) {
  std::string id = q["id"], type = q["type"];
  std::string p = "a." + id + ".";
  auto all = [&](const std::string& name) {
    std::vector<std::string> out;
    auto range = form.equal_range(p + name);
    for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
    return out;
  };
  if (type == "maturity") {
    auto levels = all("level");
    if (levels.empty()) return nullptr;
    // The page offers one choice, the highest level met; it stands for every level up to it.
    if (levels.size() == 1 && levels[0].size() == 1 && levels[0][0] >= '0' && levels[0][0] <= '5') {
      Json l = Json::array();
      for (int k = 1; k <= levels[0][0] - '0'; ++k) l.push_back(k);
      return {{"levels", l}};
    }
    Json l = Json::array();
    for (const auto& v : levels) {
      if (v != "0" && !v.empty() && v.size() == 1 && v[0] >= '1' && v[0] <= '5') l.push_back(v[0] - '0');
    }
    return {{"levels", l}};
  }
  if (type == "presence") {
    std::string status = FormField(form, p + "status");
    if (status.empty()) return nullptr;
    // Without a reference, none is stored (the canonical form: CanonicalAnswer).
    Json v = {{"status", status}};
    if (std::string reference = FormField(form, p + "reference"); !reference.empty())
      v["reference"] = reference;
    return v;
  }
  if (type == "multiple_choice") {
    if (FormField(form, p + "shown") != "1") return nullptr;
    auto values = all("values");
    if (values.empty() && FormField(form, p + "none") != "1") return nullptr;
    return {{"values", values}};
  }
  std::string value = FormField(form, p + "value");
  if (value.empty()) return nullptr;
  if (type == "number") {
    char* end = nullptr;
    double x = std::strtod(value.c_str(), &end);
    if (*end != '\0') return {{"value", value}};  // refused by validation with the question named
    return {{"value", x}};
  }
  return {{"value", value}};
}

// Marks what the answer page needs to render each input as filled in.
void DecorateQuestions(Json& view) {
  // A const json's operator[] with a missing key is undefined behaviour: read through field().
  static const Json kNull;
  auto field = [](const Json& j, const char* key) -> const Json& {
    if (!j.is_object()) return kNull;
    auto it = j.find(key);
    return it == j.end() ? kNull : *it;
  };
  for (auto& sec : view["questionnaire"]["sections"]) {
    for (auto& q : sec["questions"]) {
      std::string id = q["id"];
      const Json& a = view["answers"].contains(id) ? view["answers"][id] : Json();
      const Json& v = field(a, "value");
      q["comment"] = a.is_object() && a.contains("comment") ? a["comment"] : Json("");
      q["revision"] = a.is_object() && a.contains("revision") ? a["revision"] : Json(0);
      q["is_" + q["type"].get<std::string>()] = true;
      if (q.contains("levels")) {
        // Stored levels are cumulative (1..k): the page shows k, the highest met.
        int highest = 0;
        const Json& levels = field(v, "levels");
        if (levels.is_array()) {
          for (const auto& x : levels)
            highest = std::max(highest, x.is_number_integer() ? x.get<int>() : 0);
        }
        for (auto& l : q["levels"]) l["checked"] = l["level"] == highest;
        q["none_checked"] = levels.is_array() && levels.empty();
      }
      std::string chosen = v.is_object() && v.contains("value") && v["value"].is_string() ? v["value"].get<std::string>() : "";
      if (q["type"] == "presence" && v.is_object()) chosen = v.value("status", "");
      if (q.contains("options")) {
        for (auto& o : q["options"]) {
          bool sel = o["value"] == chosen;
          if (const Json& values = field(v, "values"); values.is_array()) {
            for (const auto& x : values) sel |= x == o["value"];
          }
          o["selected"] = sel;
        }
      }
      Json choices = Json::array();
      std::vector<std::string> values = q["type"] == "presence"
                                            ? std::vector<std::string>{"in_place", "unclear", "not_in_place", "not_applicable"}
                                            : std::vector<std::string>{"yes", "partial", "no", "not_applicable"};
      for (const auto& c : values) choices.push_back({{"value", c}, {"selected", c == chosen}});
      q["choices"] = choices;
      q["text_value"] = chosen;
      if (field(v, "value").is_number()) q["number_value"] = field(v, "value");
      if (v.is_object() && v.contains("reference")) q["reference"] = v["reference"];
      q["answered"] = v.is_object();
      if (q.contains("show_if")) q["condition"] = q["show_if"].dump();
      q["evidence"] = Json::array();
      for (const auto& e : view["evidence"]) {
        if (e["question"] == id) q["evidence"].push_back(e);
      }
      q["hidden"] = q.contains("visible") && !q["visible"].get<bool>();
    }
  }
}

// Percent of `part` in `whole`, rounded ("0" when there is nothing).
std::string PctOf(const i18n::Presenter& words, int part, int whole) {
  return Pct(words, whole == 0 ? 0.0 : static_cast<double>(part) / whole);
}

// The answer page shows one section (`wanted`, else the first): 1,000 questions on one page are
// 800 KB of HTML. Adds the section index with each section's progress, the overall progress
// and the previous and next sections; keeps only the shown section's questions.
void KeepOneSection(Json& data, const std::string& wanted, const i18n::Presenter& words) {
  Json& sections = data["questionnaire"]["sections"];
  size_t current = 0;
  int answered_all = 0, total_all = 0;
  Json index = Json::array();
  for (size_t i = 0; i < sections.size(); ++i) {
    int answered = 0, total = 0;
    for (const auto& q : sections[i]["questions"]) {
      ++total;
      answered += q["answered"].get<bool>();
    }
    answered_all += answered;
    total_all += total;
    if (sections[i]["id"] == wanted) current = i;
    index.push_back({{"id", sections[i]["id"]},
                     {"title", sections[i]["title"]},
                     {"answered", answered},
                     {"total", total}});
  }
  if (sections.empty()) return;
  index[current]["current"] = true;
  auto link = [&](size_t i) {
    return Json{{"id", sections[i]["id"]}, {"title", sections[i]["title"]}};
  };
  if (current > 0) data["prev_section"] = link(current - 1);
  if (current + 1 < sections.size()) data["next_section"] = link(current + 1);
  data["section"] = sections[current]["id"];
  data["section_index"] = index;
  data["progress"] = {
      {"answered", answered_all}, {"total", total_all}, {"pct", PctOf(words, answered_all, total_all)}};
  sections = Json::array({sections[current]});
}

// Why a priority ranks where it does, as one translated sentence made from its values (the
// API's "reason" stays as it was for programs that read it).
std::string PriorityReason(const Ctx& ctx, const Request& req, const Json& p, double target) {
  i18n::Presenter present = PresenterOf(ctx, req);
  double gap = p["gap"].get<double>();
  double weight = gap > 0 ? p["weighted_gap"].get<double>() / gap : 1.0;
  std::string sentence = present.Text("assessment.priority_reason",
                                      {{"score", present.Percent(p["score"].get<double>() * 100)},
                                       {"target", present.Percent(target * 100)},
                                       {"gap", std::lround(gap * 100)},
                                       {"weight", present.Number(weight, 2)}});
  // The question's own reason (its level, answer or value), worded by the catalogue.
  if (p.contains("reason_key") && p["reason_key"].is_string() &&
      !p["reason_key"].get<std::string>().empty()) {
    sentence += " " + present.Text(p["reason_key"].get<std::string>(),
                                   p.value("reason_args", Json::object()));
  }
  return sentence;
}

// Results of many questions: the top priorities, then each section folded with its own.
void GroupBySection(Json& data) {
  constexpr size_t kTop = 10;  // what a reader acts on first; the rest is one click away
  std::map<std::string, Json> by_section;
  std::map<std::string, std::pair<int, int>> counts;  // section -> (answered, visible)
  for (const auto& q : data["questions"]) {
    auto& [answered, visible] = counts[q["section"].get<std::string>()];
    visible += q["visible"].get<bool>();
    answered += q["visible"].get<bool>() && q["answered"].get<bool>();
  }
  Json top = Json::array();
  for (const auto& p : data["priorities"]) {
    if (top.size() < kTop) top.push_back(p);
    auto& list = by_section[p["section"].get<std::string>()];
    if (list.is_null()) list = Json::array();
    list.push_back(p);
  }
  for (auto& s : data["sections"]) {
    std::string id = s["id"];
    s["priorities"] = by_section.count(id) ? by_section[id] : Json::array();
    s["answered"] = counts[id].first;
    s["visible"] = counts[id].second;
  }
  data["top_priorities"] = top;
  data.erase("questions");  // not shown, and the largest part for 1,000 questions
}

}  // namespace

std::string KeyLabel(const i18n::Presenter& words, const Json& labels, const char* group,
                     const std::string& key) {
  if (labels.is_object()) {
    auto g = labels.find(group);
    if (g != labels.end() && g->is_object()) {
      auto it = g->find(key);
      if (it != g->end() && it->is_string() && !it->get<std::string>().empty()) return *it;
    }
  }
  return words.Label("capability.", key);
}

// --- API --------------------------------------------------------------------------------

Response ApiQuestionnaireLoad(Ctx& ctx, Request& req) {
  // ?allow_incomplete=true publishes a definition some of whose translations are missing.
  auto r = ctx.assessment->LoadQuestionnaire(CallerOf(req), req.body, "questionnaire upload",
                                             req.Query("allow_incomplete") == "true");
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return JsonOk((*r)["unchanged"].get<bool>() || r->contains("retranslated") ? 200 : 201, *r);
}

Response ApiQuestionnaireDefinition(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.assessment->QuestionnaireView(CallerOf(req), req.Param("id"), req.lang));
}

Response ApiQuestionnaireMapping(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.assessment->LoadMapping(CallerOf(req), req.Param("id"), req.Param("to"), req.body,
                                                           "mapping upload"),
                    201);
}

Response ApiAssessmentView(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.assessment->Get(CallerOf(req), req.Param("id"), req.lang));
}

Response ApiAnswerPut(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  if (!body->is_object() || !body->contains("value")) {
    return ErrorFor(ctx, req, Status::Invalid("value", "send {\"value\": ..., \"comment\": \"...\"} (value null clears)"));
  }
  if (body->contains("comment") && !(*body)["comment"].is_string()) return ErrorFor(ctx, req, Status::Invalid("comment", "must be text"));
  std::optional<std::int64_t> revision;
  if (body->contains("revision")) {
    if (!(*body)["revision"].is_number_integer()) return ErrorFor(ctx, req, Status::Invalid("revision", "must be a whole number"));
    revision = (*body)["revision"].get<std::int64_t>();
  }
  return JsonResult(ctx, req, ctx.assessment->SaveAnswer(CallerOf(req), req.Param("id"), req.Param("question"),
                                                         (*body)["value"], body->value("comment", ""), revision));
}

Response ApiAssessmentTransition(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  if (!body->is_object() || !(*body)["to"].is_string()) return ErrorFor(ctx, req, Status::Invalid("to", "say submitted, validated or returned"));
  if (body->contains("comment") && !(*body)["comment"].is_string()) return ErrorFor(ctx, req, Status::Invalid("comment", "must be text"));
  return JsonResult(ctx, req, ctx.assessment->Transition(CallerOf(req), req.Param("id"), (*body)["to"], body->value("comment", "")));
}

Response ApiAssessmentResults(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.assessment->Results(CallerOf(req), req.Param("id"), req.lang));
}

Response ApiAssessmentCarry(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  if (!body->is_object() || !(*body)["questionnaire_id"].is_string()) {
    return ErrorFor(ctx, req, Status::Invalid("questionnaire_id", "say which questionnaire version to carry the answers to"));
  }
  return JsonResult(ctx, req, ctx.assessment->CarryOver(CallerOf(req), req.Param("id"), (*body)["questionnaire_id"]), 201);
}

Response ApiEvidenceUpload(Ctx& ctx, Request& req) {
  auto parts = ParseMultipart(req.Header("content-type"), req.body);
  if (!parts.ok()) return ErrorFor(ctx, req, parts.status());
  std::string question, filename, type, data;
  for (const auto& p : *parts) {
    if (p.name == "question") question = p.data;
    if (p.name == "file") {
      filename = p.filename;
      type = p.content_type;
      data = p.data;
    }
  }
  return JsonResult(ctx, req, ctx.assessment->AddEvidence(CallerOf(req), req.Param("id"), question, filename, type, data), 201);
}

Response EvidenceDownload(Ctx& ctx, Request& req) {
  auto r = ctx.assessment->Evidence(CallerOf(req), req.Param("id"));
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return Download(r->first, std::move(r->second));
}

Response WorkbookDownload(Ctx& ctx, Request& req) {
  auto r = ctx.assessment->ExportWorkbook(CallerOf(req), req.Param("id"), req.lang, Words(ctx));
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  Response res;
  res.status = 200;
  res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  res.body = std::move(*r);
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"assessment-" + req.Param("id").substr(0, 8) + ".xlsx\"");
  return res;
}


Response ApiWorkbookPreview(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.assessment->PreviewWorkbook(CallerOf(req), req.Param("id"), UploadedFile(req), Words(ctx)), 201);
}

Response ApiWorkbookApply(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.assessment->ApplyWorkbook(CallerOf(req), req.Param("id"), req.Param("import")));
}

Response ApiRegionAssessments(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.assessment->RegionView(CallerOf(req), req.Param("code"), req.lang));
}

// --- Pages ------------------------------------------------------------------------------

namespace {
// The start form is offered to whoever may create an assessment of their own country.
bool MayStartAssessment(const access::Principal& who) {
  access::RecordScope own;
  own.owner_scope = access::OwnScope(who);
  own.policy = access::Policy::kAssessment;
  return own.owner_scope.rfind("country:", 0) == 0 ? access::Allows(who, access::Action::kCreate, own)
                                                   : access::DecideRoute(who, access::Need::kAdmin) ==
                                                         access::Decision::kAllow;
}
}  // namespace

Response AssessmentsPage(Ctx& ctx, Request& req) {
  records::ListQuery q;
  q.limit = 200;
  q.text = req.Query("q");
  auto list = ctx.store.List(CallerOf(req), assessment::kAssessments, q);
  if (!list.ok()) return ErrorFor(ctx, req, list.status());
  records::ListQuery all;
  all.limit = 200;
  auto questionnaires = ctx.store.List(CallerOf(req), assessment::kQuestionnaires, all);
  if (!questionnaires.ok()) return ErrorFor(ctx, req, questionnaires.status());
  // The start form's countries: the network's partners the caller can see, by their names in
  // the page's language and in its order.
  i18n::Presenter words = PresenterOf(ctx, req);
  for (auto& a : list->items) a["country_name"] = words.Country(a["country"], a["country"]);
  Json countries = Json::array();
  records::ListQuery every;
  every.limit = 500;
  if (auto partners = ctx.store.List(CallerOf(req), network::kCountries, every); partners.ok()) {
    std::vector<std::string> names;
    for (const auto& c : partners->items)
      names.push_back(words.Country(c["iso2"], c.value("name", c["iso2"].get<std::string>())));
    for (size_t i : i18n::CollationOrder(req.lang, names)) {
      const Json& c = partners->items[i];
      countries.push_back(
          {{"iso2", c["iso2"]}, {"name", names[i]}, {"selected", c["iso2"] == req.who.country}});
    }
  }
  Json data = {
      {"assessments", list->items},
      {"questionnaires", questionnaires->items},
      {"countries", countries},
      {"may_start", MayStartAssessment(req.who)},
      {"is_admin", access::DecideRoute(req.who, access::Need::kAdmin) == access::Decision::kAllow},
      {"country", req.who.country},
      {"error", req.Query("error")}};
  return RenderPage(ctx, req, 200, "assessments", data, Translate(ctx, req, "assessment.title"));
}

Response AssessmentStartSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  Json body = {{"country", FormField(form, "country")}, {"questionnaire_id", FormField(form, "questionnaire_id")},
               {"title", FormField(form, "title")}};
  auto r = ctx.store.Create(CallerOf(req), assessment::kAssessments, body);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kInvalidArgument || r.status().code() == StatusCode::kPermissionDenied) {
      return Response::Redirect("/assessments?error=" + PercentEncode(FieldMessageOf(ctx, req, r.status())));
    }
    return ErrorFor(ctx, req, r.status());
  }
  return Response::Redirect("/assessments/" + (*r)["id"].get<std::string>());
}

Response QuestionnaireLoadSubmit(Ctx& ctx, Request& req) {
  DefinitionUpload up = DefinitionUploadOf(req);
  auto r = ctx.assessment->LoadQuestionnaire(CallerOf(req), up.yaml, up.name, up.allow_incomplete);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kInvalidArgument || r.status().code() == StatusCode::kConflict) {
      return Response::Redirect("/assessments?error=" + PercentEncode(MessageOf(ctx, req, r.status())));
    }
    return ErrorFor(ctx, req, r.status());
  }
  return Response::Redirect("/assessments?notice=saved");
}

Response AssessmentPage(Ctx& ctx, Request& req) {
  auto view = ctx.assessment->Get(CallerOf(req), req.Param("id"), req.lang);
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  DecorateQuestions(data);
  i18n::Presenter words = PresenterOf(ctx, req);
  KeepOneSection(data, req.Query("section"), words);
  const Json& labels = data["questionnaire"]["labels"];
  for (auto& sec : data["questionnaire"]["sections"]) {
    sec["domain_label"] = KeyLabel(words, labels, "domains", sec["domain"]);
    sec["function_label"] = KeyLabel(words, labels, "functions", sec["function"]);
  }
  for (auto& note : data["to_answer"])
    note["reason_text"] = words.Text(note["reason_key"].get<std::string>(), note["reason_args"]);
  data["to_answer_count"] = data["to_answer"].size();
  data["error"] = req.Query("error");
  const Json& a = data["assessment"];
  std::string status = a["status"];
  // The flags come from the service, which asks access:: (one decision for page and API).
  const Json& may = data["may"];
  data["may_submit"] = may["submit"];
  data["may_review"] = may["review"];
  data["may_carry"] = may["carry"];
  data["may_share"] = may["share"];
  data["provisional"] = status != "validated";
  Json options = Json::array();
  for (const auto& level : may["sharing_levels"]) {
    options.push_back({{"value", level}, {"label", Translate(ctx, req, "choice." + level.get<std::string>())},
                       {"selected", level == a["sharing"]}});
  }
  data["sharing_options"] = options;
  records::ListQuery all;
  all.limit = 200;
  auto questionnaires = ctx.store.List(CallerOf(req), assessment::kQuestionnaires, all);
  if (questionnaires.ok()) data["questionnaires"] = questionnaires->items;
  return RenderPage(ctx, req, 200, "assessment", data, a["title"].get<std::string>());
}

Response AnswersSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  auto view = ctx.assessment->Get(CallerOf(req), req.Param("id"), req.lang);
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  // Back to the section the form showed.
  std::string section = FormField(form, "section");
  std::string back = "/assessments/" + PercentEncode(req.Param("id")) +
                     (section.empty() ? "?" : "?section=" + PercentEncode(section) + "&");
  std::string errors;
  int saved = 0;
  for (const auto& sec : (*view)["questionnaire"]["sections"]) {
    for (const auto& q : sec["questions"]) {
      std::string id = q["id"];
      if (FormField(form, "a." + id + ".shown") != "1") continue;
      Json value = AnswerFromForm(form, q);
      std::string comment = FormField(form, "c." + id);
      const Json& old = (*view)["answers"].contains(id) ? (*view)["answers"][id] : Json();
      Json old_value = old.is_object() ? old["value"] : Json();
      std::string old_comment = old.is_object() ? old["comment"].get<std::string>() : "";
      if (value == old_value && comment == old_comment) continue;
      auto r = ctx.assessment->SaveAnswer(CallerOf(req), req.Param("id"), id, value, comment, std::nullopt);
      if (!r.ok()) errors += (errors.empty() ? "" : "; ") + MessageOf(ctx, req, r.status());
      else ++saved;
    }
  }
  if (!errors.empty())
    return Response::Redirect(back + "error=" + PercentEncode(errors.substr(0, 1500)));
  return Response::Redirect(back + "notice=saved");
}

Response AssessmentTransitionSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  auto r = ctx.assessment->Transition(CallerOf(req), req.Param("id"), FormField(form, "to"), FormField(form, "comment"));
  std::string back = "/assessments/" + PercentEncode(req.Param("id"));
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  return Response::Redirect(back + "?notice=saved");
}

Response AssessmentShareSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  auto r = ctx.store.Update(CallerOf(req), assessment::kAssessments, req.Param("id"),
                            Json{{"sharing", FormField(form, "sharing")}}, false);
  std::string back = "/assessments/" + PercentEncode(req.Param("id"));
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  return Response::Redirect(back + "?notice=saved");
}

Response EvidenceSubmit(Ctx& ctx, Request& req) {
  auto parts = ParseMultipart(req.Header("content-type"), req.body);
  std::string back = "/assessments/" + PercentEncode(req.Param("id"));
  if (!parts.ok())
    return Response::Redirect(back + "?error=" + PercentEncode(MessageOf(ctx, req, parts.status())));
  std::string question, filename, type, data, section;
  for (const auto& p : *parts) {
    if (p.name == "question") question = p.data;
    if (p.name == "section") section = p.data;
    if (p.name == "file") {
      filename = p.filename;
      type = p.content_type;
      data = p.data;
    }
  }
  auto r = ctx.assessment->AddEvidence(CallerOf(req), req.Param("id"), question, filename, type, data);
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  // Back to the question the file was attached from.
  return Response::Redirect(back + "?" +
                            (section.empty() ? "" : "section=" + PercentEncode(section) + "&") +
                            "notice=saved#q-" + PercentEncode(question));
}

Response WorkbookPreviewSubmit(Ctx& ctx, Request& req) {
  auto r = ctx.assessment->PreviewWorkbook(CallerOf(req), req.Param("id"), UploadedFile(req), Words(ctx));
  std::string back = "/assessments/" + PercentEncode(req.Param("id"));
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kInvalidArgument || r.status().code() == StatusCode::kConflict) {
      Json data = {{"id", req.Param("id")}, {"error", MessageOf(ctx, req, r.status())}};
      return RenderPage(ctx, req, 400, "workbook_preview", data, Translate(ctx, req, "workbook.preview"));
    }
    return ErrorFor(ctx, req, r.status());
  }
  Json data = *r;
  data["id"] = req.Param("id");
  data["change_count"] = data["changes"].size();
  i18n::Presenter words = PresenterOf(ctx, req);
  for (auto& c : data["changes"]) {
    for (const char* side : {"before", "after"}) {
      std::string text = ValueText(words, c[side]);
      c[std::string(side) + "_text"] = text.empty() ? "—" : text;
    }
  }
  return RenderPage(ctx, req, 200, "workbook_preview", data, Translate(ctx, req, "workbook.preview"));
}

Response WorkbookApplySubmit(Ctx& ctx, Request& req) {
  auto r = ctx.assessment->ApplyWorkbook(CallerOf(req), req.Param("id"), req.Param("import"));
  std::string back = "/assessments/" + PercentEncode(req.Param("id"));
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kConflict);
  return Response::Redirect(back + "?notice=saved");
}

Response CarrySubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  auto r = ctx.assessment->CarryOver(CallerOf(req), req.Param("id"), FormField(form, "questionnaire_id"));
  std::string back = "/assessments/" + PercentEncode(req.Param("id"));
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  return Response::Redirect("/assessments/" + (*r)["assessment"]["id"].get<std::string>() + "?carried=" +
                            std::to_string((*r)["carried"].get<int>()) + "&to_answer=" +
                            std::to_string((*r)["to_answer"].size()));
}

Response ResultsPage(Ctx& ctx, Request& req) {
  auto r = ctx.assessment->Results(CallerOf(req), req.Param("id"), req.lang);
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  Json data = *r;
  i18n::Presenter words = PresenterOf(ctx, req);
  data["overall_pct"] = Pct(words, data["overall"]);
  data["target_pct"] = Pct(words, data["target"]);
  const Json labels = data["labels"];
  for (auto& s : data["sections"]) {
    s["pct"] = s["score"].is_null() ? "—" : Pct(words, s["score"]);
    s["domain_label"] = KeyLabel(words, labels, "domains", s["domain"]);
    s["function_label"] = KeyLabel(words, labels, "functions", s["function"]);
  }
  for (auto& p : data["priorities"]) {
    p["gap_pct"] = Pct(words, p["gap"]);
    p["reason_text"] = PriorityReason(ctx, req, p, data["target"].is_number() ? data["target"].get<double>() : 0);
  }
  GroupBySection(data);
  if (data.contains("previous")) {
    double change = data["previous"]["change"];
    data["previous"]["change_pct"] = (change >= 0 ? "+" : "") + Pct(words, change);
  }
  // Drawn here from the scores, with translated titles; rendered as raw markup (our own
  // drawing code escapes every label). The same values go into a table, the charts' text
  // equivalent.
  RadarView radar;
  radar.title = Translate(ctx, req, "assessment.by_function");
  radar.target = data["target"].is_number() ? data["target"].get<double>() : -1;
  radar.target_label =
      Translate(ctx, req, "assessment.target") + " " + data["target_pct"].get<std::string>();
  std::vector<std::pair<std::string, double>> bars;
  Json score_rows = Json::array();
  auto row = [&](const std::string& group, const std::string& label, double v) {
    score_rows.push_back({{"group", Translate(ctx, req, group)},
                          {"label", label},
                          {"pct", Pct(words, v)},
                          {"heat", "h" + std::to_string(ScoreBand(v))}});
  };
  for (const auto& [k, v] : data["by_function"].items()) {
    radar.axes.emplace_back(KeyLabel(words, labels, "functions", k), v.get<double>());
    row("assessment.function", radar.axes.back().first, v.get<double>());
  }
  for (const auto& [k, v] : data["by_domain"].items()) {
    bars.emplace_back(KeyLabel(words, labels, "domains", k), v.get<double>());
    row("assessment.domain", bars.back().first, v.get<double>());
  }
  // Thematic areas are the definition's own words: a definition without their labels (an older
  // or a custom one) shows no area rows rather than its keys.
  for (const auto& [k, v] : data["by_area"].items()) {
    std::string label = KeyLabel(words, labels, "areas", k);
    if (label != k) row("assessment.area", label, v.get<double>());
  }
  data["radar"] = RadarSvg(radar);
  BarsView domains{Translate(ctx, req, "assessment.by_domain"), false,
                   i18n::RightToLeft(req.lang), {}};
  for (const auto& [label, value] : bars) domains.bars.push_back({label, value, words.Percent(value * 100)});
  data["bars"] = BarsSvg(domains);
  data["score_rows"] = score_rows;
  // Until the region validates it, an assessment's results can still change.
  data["provisional"] = data["assessment"]["status"] != "validated";
  // A priority becomes an action of the country's plan, for whoever may write that plan.
  access::RecordScope plan;
  plan.owner_scope = "country:" + data["assessment"]["country"].get<std::string>();
  plan.policy = access::Policy::kPlan;
  data["may_plan"] = access::Allows(req.who, access::Action::kCreate, plan);
  return RenderPage(ctx, req, 200, "assessment_results", data, Translate(ctx, req, "assessment.results"));
}

// The legend of the score bands, shared by the heat map and the maps.
Json ScoreLegend(const Ctx& ctx, const Request& req) {
  Json legend = Json::array();
  for (int band = 1; band <= kScoreBands; ++band) {
    int from = (band - 1) * 100 / kScoreBands, to = band * 100 / kScoreBands - 1;
    legend.push_back({{"band", "h" + std::to_string(band)},
                      {"range", std::to_string(from) + "–" +
                                    std::to_string(band == kScoreBands ? 100 : to) + " %"}});
  }
  legend.push_back({{"band", "hx"}, {"range", Translate(ctx, req, "assessment.not_shared")}});
  return legend;
}

std::string ScoreMap(Ctx& ctx, const Request& req, const std::vector<std::string>& regions,
                     const std::string& function, const std::string& title) {
  std::vector<MapCountry> countries;
  std::set<std::string> seen;
  const i18n::Presenter words = PresenterOf(ctx, req);
  for (const auto& region : regions) {
    auto view = ctx.assessment->RegionView(CallerOf(req), region, req.lang);
    if (!view.ok()) continue;  // a region without countries has nothing to draw
    std::map<std::string, double> scores;
    for (const auto& row : (*view)["rows"]) {
      const Json& by =
          function.empty() ? row["overall"] : row["by_function"].value(function, Json());
      if (by.is_number()) scores[row["country"].get<std::string>()] = by.get<double>();
    }
    for (const auto& c : (*view)["countries"]) {
      std::string iso2 = c["iso2"];
      if (!seen.insert(iso2).second) continue;  // Morocco and Mauritania belong to two regions
      auto it = scores.find(iso2);
      std::string name = i18n::CountryName(iso2, req.lang, c["name"].get<std::string>());
      std::string score = it == scores.end() ? Translate(ctx, req, "assessment.not_shared")
                                             : Pct(words, it->second);
      countries.push_back(
          {iso2, name + ": " + score, "/countries/" + iso2, it == scores.end() ? -1 : it->second});
    }
  }
  return CountryMapSvg(countries, title);
}

Response RegionAssessmentsPage(Ctx& ctx, Request& req) {
  auto r = ctx.assessment->RegionView(CallerOf(req), req.Param("code"), req.lang);
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  Json data = *r;
  i18n::Presenter words = PresenterOf(ctx, req);
  const Json labels = data["labels"];
  Json columns = Json::array();
  for (const auto& f : data["functions"]) {
    columns.push_back(
        {{"key", f}, {"group", "function"}, {"label", KeyLabel(words, labels, "functions", f)}});
  }
  for (const auto& d : data["domains"]) {
    columns.push_back(
        {{"key", d}, {"group", "domain"}, {"label", KeyLabel(words, labels, "domains", d)}});
  }
  std::map<std::string, std::string> names;
  for (const auto& c : data["countries"]) {
    std::string iso2 = c["iso2"];
    names[iso2] = i18n::CountryName(iso2, req.lang, c["name"].get<std::string>());
  }
  std::set<std::string> shown;
  Json rows = Json::array();
  for (auto& row : data["rows"]) {
    Json cells = Json::array();
    for (const auto& c : columns) {
      const Json& m = row[c["group"] == "function" ? "by_function" : "by_domain"];
      std::string k = c["key"];
      if (m.contains(k)) {
        cells.push_back(
            {{"pct", Pct(words, m[k])}, {"heat", "h" + std::to_string(ScoreBand(m[k]))}});
      } else {
        cells.push_back({{"pct", "—"}, {"heat", "hx"}});
      }
    }
    row["cells"] = cells;
    row["overall_pct"] = Pct(words, row["overall"]);
    row["overall_heat"] = "h" + std::to_string(ScoreBand(row["overall"]));
    row["country_name"] = names[row["country"].get<std::string>()];
    shown.insert(row["country"].get<std::string>());
    rows.push_back(row);
  }
  // A country that shared nothing is a row too, so the map of the region has no silent gaps.
  for (const auto& c : data["countries"]) {
    std::string iso2 = c["iso2"];
    if (!shown.count(iso2))
      rows.push_back({{"country", iso2}, {"country_name", names[iso2]}, {"not_shared", true}});
  }
  // By name, as the reader's language sorts names.
  std::vector<std::string> row_names;
  for (const auto& row : rows) row_names.push_back(row["country_name"]);
  Json sorted_rows = Json::array();
  for (size_t i : i18n::CollationOrder(req.lang, row_names)) sorted_rows.push_back(rows[i]);
  data["rows"] = sorted_rows;
  for (auto& p : data["shared_priorities"]) p["gap_pct"] = Pct(words, p["mean_gap"]);
  data["columns"] = columns;
  data["not_shared_span"] = columns.size() + 1;  // the overall column and every score column
  data["none_shared"] = shown.empty();
  data["legend"] = ScoreLegend(ctx, req);
  std::string region_key = "region." + req.Param("code") + ".name";
  data["region_name"] = Translate(ctx, req, region_key);
  // The map: overall, or one function the reader chose (an unknown one reads as overall).
  std::string function = req.Query("function");
  if (std::find(data["functions"].begin(), data["functions"].end(), function) ==
      data["functions"].end())
    function = "";
  Json choices = Json::array();
  choices.push_back({{"value", ""},
                     {"label", Translate(ctx, req, "assessment.overall_score")},
                     {"selected", function.empty()}});
  for (const auto& f : data["functions"]) {
    choices.push_back({{"value", f},
                       {"label", KeyLabel(words, labels, "functions", f)},
                       {"selected", f == function}});
  }
  data["map_choices"] = choices;
  std::string measure = function.empty() ? Translate(ctx, req, "assessment.overall_score")
                                         : KeyLabel(words, labels, "functions", function);
  data["map"] = ScoreMap(ctx, req, {req.Param("code")}, function,
                         data["region_name"].get<std::string>() + ": " + measure);
  // A shared priority becomes a project idea of the region, for whoever may create one.
  access::RecordScope project;
  project.owner_scope = "region:" + req.Param("code");
  project.policy = access::Policy::kPlan;
  data["may_project"] = access::Allows(req.who, access::Action::kCreate, project);
  return RenderPage(
      ctx, req, 200, "region_assessments", data,
      Translate(ctx, req, "assessment.region") + ": " + data["region_name"].get<std::string>());
}

}  // namespace cbrnhub::http
