// Export control over HTTP: sanctions lists, screening and decisions, control list, licences.
// The API and the pages call the same exportctl::Service operations.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "http/handlers.h"

namespace cbrnhub::http {
namespace {

// A page flag for the caller's own export-control work, decided by access:: as the service is.
bool MayDoOwn(const Request& req, access::Action action) {
  return access::Allows(req.who, action, access::OwnExportControlScope(req.who));
}

int IntQuery(const Request& req, const std::string& name, int fallback) {
  std::string v = req.Query(name);
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) return fallback;
  return std::stoi(v);
}

Result<double> Threshold(const std::string& text) {
  if (text.empty()) return 0.0;
  char* end = nullptr;
  double t = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(t >= 0 && t <= 1)) {
    return Status::Invalid("threshold", "must be a number between 0 and 1").Says("invalid.threshold");
  }
  return t;
}

Result<sanctions::Party> PartyOf(const Json& body) {
  sanctions::Party p;
  for (const char* f : {"id", "name", "country", "birth_date", "id_number"}) {
    if (body.contains(f) && !body[f].is_null() && !body[f].is_string()) {
      return Status::Invalid(f, std::string(f) + " must be a string");
    }
  }
  p.id = body.value("id", "");
  p.name = body.value("name", "");
  p.country = body.value("country", "");
  p.birth_date = body.value("birth_date", "");
  p.id_number = body.value("id_number", "");
  CBRN_RETURN_IF_ERROR(sanctions::Validate(p));
  return p;
}


// The list upload of a multipart form or a JSON body.
Result<exportctl::ListUpload> UploadOf(const Request& req) {
  exportctl::ListUpload up;
  std::string type = req.Header("content-type");
  if (type.rfind("multipart/form-data", 0) == 0) {
    CBRN_ASSIGN_OR_RETURN(auto parts, ParseMultipart(type, req.body));
    for (const auto& p : parts) {
      if (p.name == "list_code") up.list_code = p.data;
      else if (p.name == "format") up.format = p.data;
      else if (p.name == "file") {
        up.main = p.data;
        up.source_name = p.filename;
      } else if (p.name == "add") up.add = p.data;
      else if (p.name == "alt") up.alt = p.data;
    }
  } else {
    CBRN_ASSIGN_OR_RETURN(Json body, ParseJsonBody(req));
    for (const char* f : {"list_code", "format", "source_name", "content", "add", "alt"}) {
      if (body.contains(f) && !body[f].is_string()) return Status::Invalid(f, std::string(f) + " must be a string");
    }
    up.list_code = body.value("list_code", "");
    up.format = body.value("format", "");
    up.source_name = body.value("source_name", "");
    up.main = body.value("content", "");
    up.add = body.value("add", "");
    up.alt = body.value("alt", "");
  }
  if (up.main.empty()) {
    return Status::Invalid("content", "the list file is empty or missing").Says("sanctions.invalid.no_file");
  }
  if (up.source_name.empty()) up.source_name = up.list_code + " upload";
  return up;
}

// A fact's values as the reader reads them: dates in the page's language, countries by their
// names (the engine gives ISO dates and codes, a list of them joined by ", ").
Json ReadableValues(const i18n::Presenter& words, const Json& values) {
  if (!values.is_object()) return values;
  auto readable = [&](const std::string& piece) {
    bool code = piece.size() == 2 && std::isupper(static_cast<unsigned char>(piece[0])) &&
                std::isupper(static_cast<unsigned char>(piece[1]));
    return code ? words.Country(piece, piece) : words.Date(piece);
  };
  Json out = values;
  for (const char* key : {"date", "listed", "country"}) {
    if (!out.contains(key) || !out[key].is_string()) continue;
    const std::string joined = out[key];
    std::string shown;
    for (size_t pos = 0; pos <= joined.size();) {
      size_t comma = joined.find(", ", pos);
      if (comma == std::string::npos) comma = joined.size();
      shown += (shown.empty() ? "" : ", ") + readable(joined.substr(pos, comma - pos));
      pos = comma + 2;
    }
    out[key] = shown;
  }
  return out;
}

// What the screening page shows besides the stored screening: scores as percentages, and the
// engine's explanation (codes, reasons with values) in the page's language.
void DecorateScreening(const i18n::Presenter& words, Json& s) {
  if (s.contains("party") && s["party"].is_object() && s["party"].contains("country") &&
      s["party"]["country"].is_string() && !s["party"]["country"].get<std::string>().empty()) {
    s["party_country_name"] = words.Country(s["party"]["country"], s["party"]["country"]);
  }
  auto snake = [](std::string code) {
    for (auto& c : code) c = c == ' ' || c == '-' ? '_' : c;
    return code;
  };
  for (auto& r : s["results"]) {
    r["score_pct"] = words.Percent(r["score"].get<double>() * 100);
    r["name_score_pct"] = words.Percent(r["name_score"].get<double>() * 100);
    r["open"] = !r.contains("decision");
    // Older screenings may lack the edition; their candidates then have no entry page to open.
    if (!r.value("edition_id", "").empty()) {
      r["entry_href"] = "/sanctions/editions/" + PercentEncode(r["edition_id"].get<std::string>()) +
                        "/entries/" + PercentEncode(r["entity_id"].get<std::string>());
    }
    if (r.contains("decision")) r["decision_label"] = r["decision"]["decision"];
    Json& why = r["explanation"];
    if (!why.is_object()) continue;
    for (auto& part : why["parts"]) {
      part["how_label"] = words.Label("screening.how.", snake(part.value("how", "")));
      part["similarity_pct"] = words.Percent(part.value("similarity", 0.0) * 100);
    }
    for (auto& fact : why["facts"]) {
      fact["fact_label"] = words.Label("screening.fact_name.", fact.value("fact", ""));
      fact["outcome_label"] = words.Label("screening.outcome.", fact.value("outcome", ""));
      // Screenings stored before the engine gave reasons keep their English detail.
      fact["detail_text"] = fact.contains("reason")
                                ? words.Text("screening.fact." + fact["reason"].get<std::string>(),
                                             ReadableValues(words, fact["values"]))
                                : fact.value("detail", "");
      double effect = fact.value("effect", 0.0) * 100;
      fact["effect_text"] = effect == 0 ? "" : (effect > 0 ? "+" : "") + words.Percent(effect);
    }
    // Screenings stored before the reason was given were capped for one part in common.
    if (why.contains("capped")) {
      why["capped_text"] = words.Text(why.value("capped_reason", "") == "only_alike"
                                          ? "screening.capped_alike"
                                          : "screening.capped");
    }
  }
}

}  // namespace

// --- API --------------------------------------------------------------------------------

Response ApiEditionsList(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.exportctl->Editions(CallerOf(req), req.Query("list")));
}

Response ApiEditionsImport(Ctx& ctx, Request& req) {
  auto up = UploadOf(req);
  if (!up.ok()) return ErrorFor(ctx, req, up.status());
  auto r = ctx.exportctl->ImportList(CallerOf(req), *up);
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return JsonOk((*r)["unchanged"].get<bool>() ? 200 : 201, *r);
}

Response ApiEditionChanges(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.exportctl->EditionChanges(CallerOf(req), req.Param("id"),
                                                            IntQuery(req, "limit", 100), IntQuery(req, "offset", 0)));
}

Response ApiEditionEntries(Ctx& ctx, Request& req) {
  return JsonResult(
      ctx, req,
      ctx.exportctl->EditionEntries(CallerOf(req), req.Param("id"), req.Query("q"),
                                    IntQuery(req, "limit", 50), IntQuery(req, "offset", 0)));
}

Response ApiEditionEntry(Ctx& ctx, Request& req) {
  return JsonResult(
      ctx, req,
      ctx.exportctl->EditionEntry(CallerOf(req), req.Param("id"), req.Param("entity_id")));
}

Response ApiListEntity(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.exportctl->Entity(CallerOf(req), req.Param("list"), req.Param("id")));
}

Response ApiScreen(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  if (!body->is_object()) return ErrorFor(ctx, req, Status::Invalid("", "the request body must be a JSON object"));
  auto party = PartyOf(*body);
  if (!party.ok()) return ErrorFor(ctx, req, party.status());
  exportctl::Service::ScreenRequest r;
  r.party = *party;
  if (body->contains("threshold")) {
    if (!(*body)["threshold"].is_number()) return ErrorFor(ctx, req, Status::Invalid("threshold", "must be a number"));
    r.threshold = (*body)["threshold"].get<double>();
  }
  return JsonResult(ctx, req, ctx.exportctl->Screen(CallerOf(req), r), 201);
}

Response ApiScreenBatch(Ctx& ctx, Request& req) {
  std::vector<sanctions::Party> parties;
  double threshold = 0;
  std::string type = req.Header("content-type");
  if (type.rfind("text/csv", 0) == 0) {
    auto parsed = exportctl::ParsePartiesCsv(req.body, "parties.csv");
    if (!parsed.ok()) return ErrorFor(ctx, req, parsed.status());
    parties = std::move(*parsed);
    auto t = Threshold(req.Query("threshold"));
    if (!t.ok()) return ErrorFor(ctx, req, t.status());
    threshold = *t;
  } else {
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorFor(ctx, req, body.status());
    if (!body->is_object() || !(*body)["parties"].is_array()) {
      return ErrorFor(ctx, req, Status::Invalid("parties", "expected {\"parties\": [{\"name\": ...}, ...]}"));
    }
    const Json& list = (*body)["parties"];
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_object()) return ErrorFor(ctx, req, Status::Invalid("parties[" + std::to_string(i) + "]", "must be an object"));
      auto p = PartyOf(list[i]);
      if (!p.ok()) {
        return ErrorFor(ctx, req, Status::Invalid("parties[" + std::to_string(i) + "]." + p.status().field(), p.status().message()));
      }
      parties.push_back(*p);
    }
    if (body->contains("threshold")) {
      if (!(*body)["threshold"].is_number()) return ErrorFor(ctx, req, Status::Invalid("threshold", "must be a number"));
      threshold = (*body)["threshold"].get<double>();
      if (!(threshold >= 0 && threshold <= 1)) return ErrorFor(ctx, req, Status::Invalid("threshold", "must be between 0 and 1"));
    }
  }
  return JsonResult(ctx, req, ctx.exportctl->ScreenBatch(CallerOf(req), parties, threshold), 201);
}

Response ApiRescreen(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.exportctl->Rescreen(CallerOf(req)));
}

Response ApiScreeningsList(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.exportctl->ListScreenings(CallerOf(req), req.Query("status"),
                                                            IntQuery(req, "limit", 50), IntQuery(req, "offset", 0)));
}

Response ApiScreeningGet(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.exportctl->GetScreening(CallerOf(req), req.Param("id")));
}

Response ApiScreeningDecide(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  if (!body->is_object()) return ErrorFor(ctx, req, Status::Invalid("", "the request body must be a JSON object"));
  for (const char* f : {"list", "entity_id", "decision", "reason"}) {
    if (body->contains(f) && !(*body)[f].is_string()) return ErrorFor(ctx, req, Status::Invalid(f, std::string(f) + " must be a string"));
  }
  return JsonResult(ctx, req,
                    ctx.exportctl->Decide(CallerOf(req), req.Param("id"), body->value("list", ""),
                                          body->value("entity_id", ""), body->value("decision", ""),
                                          body->value("reason", "")));
}

Response ApiControlSearch(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req,
                    ctx.exportctl->SearchControlList(CallerOf(req), req.Query("q"),
                                                     IntQuery(req, "limit", 50), req.lang));
}

Response ApiControlGet(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req,
                    ctx.exportctl->ControlItem(CallerOf(req), req.Param("code"), req.lang));
}

Response ApiControlImport(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.exportctl->ImportControlList(CallerOf(req), req.body, "control list upload"));
}

Response ApiLicenceTransition(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  if (!body->is_object() || !(*body)["to"].is_string()) {
    return ErrorFor(ctx, req, Status::Invalid("to", "say which status the licence moves to"));
  }
  if (body->contains("note") && !(*body)["note"].is_string()) return ErrorFor(ctx, req, Status::Invalid("note", "must be a string"));
  return JsonResult(ctx, req, ctx.exportctl->Transition(CallerOf(req), req.Param("id"), (*body)["to"], body->value("note", "")));
}

Response ApiLicenceOpinion(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  return JsonResult(ctx, req, ctx.exportctl->AddOpinion(CallerOf(req), req.Param("id"), *body), 201);
}

Response ApiLicenceDetail(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req,
                    ctx.exportctl->LicenceDetail(CallerOf(req), req.Param("id"), req.lang));
}

// --- Pages ------------------------------------------------------------------------------

namespace {

Response ScreeningForm(Ctx& ctx, Request& req, int status, Json form, const std::string& error) {
  auto recent = ctx.exportctl->ListScreenings(CallerOf(req), req.Query("status"), 50, 0);
  if (!recent.ok()) return ErrorFor(ctx, req, recent.status());
  Json data = {{"form", form}, {"recent", (*recent)["items"]}, {"total", (*recent)["total"]},
               {"status", req.Query("status")}};
  if (!error.empty()) data["error"] = error;
  if (req.Query("rescreened") != "") data["rescreened"] = req.Query("rescreened");
  return RenderPage(ctx, req, status, "screening", data, Translate(ctx, req, "screening.title"));
}

}  // namespace

Response ScreeningPage(Ctx& ctx, Request& req) { return ScreeningForm(ctx, req, 200, Json::object(), ""); }

Response ScreeningSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  Json f = {{"name", FormField(form, "name")}, {"country", FormField(form, "country")},
            {"birth_date", FormField(form, "birth_date")}, {"id_number", FormField(form, "id_number")},
            {"id", FormField(form, "party_id")}};
  auto party = PartyOf(f);
  if (!party.ok()) return ScreeningForm(ctx, req, 400, f, FieldMessageOf(ctx, req, party.status()));
  exportctl::Service::ScreenRequest r;
  r.party = *party;
  auto t = Threshold(FormField(form, "threshold"));
  if (!t.ok()) return ScreeningForm(ctx, req, 400, f, MessageOf(ctx, req, t.status()));
  r.threshold = *t;
  auto s = ctx.exportctl->Screen(CallerOf(req), r);
  if (!s.ok()) {
    if (s.status().code() == StatusCode::kInvalidArgument || s.status().code() == StatusCode::kUnavailable) {
      return ScreeningForm(ctx, req, s.status().code() == StatusCode::kUnavailable ? 503 : 400, f, MessageOf(ctx, req, s.status()));
    }
    return ErrorFor(ctx, req, s.status());
  }
  return Response::Redirect("/screening/" + (*s)["id"].get<std::string>());
}

Response ScreeningBatchSubmit(Ctx& ctx, Request& req) {
  auto parts = ParseMultipart(req.Header("content-type"), req.body);
  if (!parts.ok()) return ScreeningForm(ctx, req, 400, Json::object(), MessageOf(ctx, req, parts.status()));
  std::string csv, name = "parties.csv";
  for (const auto& p : *parts) {
    if (p.name == "file") {
      csv = p.data;
      if (!p.filename.empty()) name = p.filename;
    }
  }
  auto parties = exportctl::ParsePartiesCsv(csv, name);
  if (!parties.ok()) return ScreeningForm(ctx, req, 400, Json::object(), MessageOf(ctx, req, parties.status()));
  auto r = ctx.exportctl->ScreenBatch(CallerOf(req), *parties, 0);
  if (!r.ok()) return ScreeningForm(ctx, req, 400, Json::object(), MessageOf(ctx, req, r.status()));
  return Response::Redirect("/screening?status=hits&notice=saved");
}

Response RescreenSubmit(Ctx& ctx, Request& req) {
  auto r = ctx.exportctl->Rescreen(CallerOf(req));
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return Response::Redirect("/screening?status=open&rescreened=" + std::to_string((*r)["parties"].get<long long>()));
}

namespace {

// The screening with its candidates; `kept` refills a decision form that was refused.
Response ScreeningResult(Ctx& ctx, Request& req, int status, const std::string& error,
                         const Json& kept) {
  auto s = ctx.exportctl->GetScreening(CallerOf(req), req.Param("id"));
  if (!s.ok()) return ErrorFor(ctx, req, s.status());
  Json data = {{"screening", *s}};
  DecorateScreening(PresenterOf(ctx, req), data["screening"]);
  for (auto& r : data["screening"]["results"]) {
    if (kept.is_object() && r["list"] == kept["list"] && r["entity_id"] == kept["entity_id"]) {
      r["kept_reason"] = kept["reason"];
      r["refused"] = true;
    }
  }
  data["error"] = error.empty() ? req.Query("error") : error;
  data["may_decide"] = MayDoOwn(req, access::Action::kDecide);
  return RenderPage(
      ctx, req, status, "screening_result", data,
      Translate(ctx, req, "screening.result") + ": " + (*s)["party_name"].get<std::string>());
}

}  // namespace

Response ScreeningResultPage(Ctx& ctx, Request& req) {
  return ScreeningResult(ctx, req, 200, "", nullptr);
}

Response ScreeningDecideSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  Json kept = {{"list", FormField(form, "list")},
               {"entity_id", FormField(form, "entity_id")},
               {"reason", FormField(form, "reason")}};
  // Nothing is pre-selected: a hit is never cleared by a click that did not choose.
  if (FormField(form, "decision").empty()) {
    return ScreeningResult(ctx, req, 400, Translate(ctx, req, "screening.decision_required"), kept);
  }
  auto r = ctx.exportctl->Decide(CallerOf(req), req.Param("id"), kept["list"].get<std::string>(),
                                 kept["entity_id"].get<std::string>(), FormField(form, "decision"),
                                 kept["reason"].get<std::string>());
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kInvalidArgument) {
      std::string message = r.status().field() == "reason"
                                ? Translate(ctx, req, "screening.reason_required")
                                : FieldMessageOf(ctx, req, r.status());
      return ScreeningResult(ctx, req, 400, message, kept);
    }
    return ErrorFor(ctx, req, r.status());
  }
  return Response::Redirect("/screening/" + PercentEncode(req.Param("id")) + "?notice=saved");
}

Response SanctionsPage(Ctx& ctx, Request& req) {
  auto eds = ctx.exportctl->Editions(CallerOf(req), "");
  if (!eds.ok()) return ErrorFor(ctx, req, eds.status());
  Json data = {{"editions", (*eds)["items"]}, {"error", req.Query("error")},
               {"may_import", MayDoOwn(req, access::Action::kImport)}};
  return RenderPage(ctx, req, 200, "sanctions", data, Translate(ctx, req, "sanctions.title"));
}

Response SanctionsImportSubmit(Ctx& ctx, Request& req) {
  auto up = UploadOf(req);
  Result<Json> r = up.ok() ? ctx.exportctl->ImportList(CallerOf(req), *up) : Result<Json>(up.status());
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kInvalidArgument) {
      return Response::Redirect("/sanctions?error=" + PercentEncode(FieldMessageOf(ctx, req, r.status())));
    }
    return ErrorFor(ctx, req, r.status());
  }
  return Response::Redirect("/sanctions/editions/" + (*r)["edition"]["id"].get<std::string>() +
                            ((*r)["unchanged"].get<bool>() ? "?unchanged=1" : ""));
}

Response EditionPage(Ctx& ctx, Request& req) {
  int offset = IntQuery(req, "offset", 0);
  auto r = ctx.exportctl->EditionChanges(CallerOf(req), req.Param("id"), 200, offset);
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  Json data = *r;
  data["unchanged"] = !req.Query("unchanged").empty();
  if (offset + 200 < (*r)["total"].get<long long>()) data["next_offset"] = offset + 200;
  return RenderPage(ctx, req, 200, "edition", data, Translate(ctx, req, "sanctions.edition"));
}

Response EditionEntriesPage(Ctx& ctx, Request& req) {
  constexpr int kPageSize = 50;
  int offset = IntQuery(req, "offset", 0);
  auto r = ctx.exportctl->EditionEntries(CallerOf(req), req.Param("id"), req.Query("q"), kPageSize,
                                         offset);
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  Json data = *r;
  long long total = (*r)["total"].get<long long>();
  data["q"] = req.Query("q");
  data["from"] = total == 0 ? 0 : offset + 1;
  data["to"] = std::min<long long>(total, offset + kPageSize);
  if (offset > 0) data["previous_offset"] = std::to_string(std::max(0, offset - kPageSize));
  if (offset + kPageSize < total) data["next_offset"] = std::to_string(offset + kPageSize);
  return RenderPage(ctx, req, 200, "edition_entries", data,
                    Translate(ctx, req, "sanctions.entries_of") + " " +
                        (*r)["edition"]["list_code"].get<std::string>());
}

Response EditionEntryPage(Ctx& ctx, Request& req) {
  auto r = ctx.exportctl->EditionEntry(CallerOf(req), req.Param("id"), req.Param("entity_id"));
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  Json data = {{"entry", *r}};
  data["kind_label"] = Translate(ctx, req, "sanctions.kind." + (*r)["kind"].get<std::string>());
  for (auto& n : data["entry"]["names"])
    n["type_label"] = Translate(ctx, req, "sanctions.name_type." + n["type"].get<std::string>());
  return RenderPage(ctx, req, 200, "edition_entry", data,
                    (*r)["names"][0]["text"].get<std::string>());
}

Response ControlListPage(Ctx& ctx, Request& req) {
  auto r = ctx.exportctl->SearchControlList(CallerOf(req), req.Query("q"), 100, req.lang);
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  Json data = *r;
  data["q"] = req.Query("q");
  return RenderPage(ctx, req, 200, "control_list", data, Translate(ctx, req, "control.title"));
}

namespace {
// A licence's screening state as exportctl stores it (a code; migration 14 turned the English
// of older versions into codes), in the page's language; with the number of hits left to decide
// when the page knows it (`open` > 0).
std::string ScreeningStateLabel(const i18n::Presenter& words, const std::string& stored,
                                std::int64_t open = -1) {
  if (stored.empty()) return words.Text("licences.screening_state.not_screened");
  if (stored == "hits_open" && open > 0) {
    return words.Text("licences.screening_state.open", Json{{"count", open}});
  }
  return words.Label("licences.screening_state.", stored);
}

}  // namespace

Response LicencesPage(Ctx& ctx, Request& req) {
  records::ListQuery q;
  q.text = req.Query("q");
  q.limit = 100;
  if (!req.Query("status").empty()) q.filters["status"] = req.Query("status");
  auto page = ctx.store.List(CallerOf(req), exportctl::kLicences, q);
  if (!page.ok()) return ErrorFor(ctx, req, page.status());
  i18n::Presenter words = PresenterOf(ctx, req);
  for (auto& l : page->items) {
    std::string state = l.value("screening_status", "");
    // Only licences with hits left open say how many; they are few, so reading their
    // screenings one by one costs little.
    std::int64_t open = -1;
    if (state == "hits_open") {
      auto hits = ctx.exportctl->OpenHits(CallerOf(req), l["id"].get<std::string>());
      if (hits.ok()) open = *hits;
    }
    l["screening_status_label"] = ScreeningStateLabel(words, state, open);
  }
  Json data = {{"licences", page->items}, {"total", page->total}, {"q", q.text},
               {"may_create", MayDoOwn(req, access::Action::kCreate)}};
  return RenderPage(ctx, req, 200, "licences", data, Translate(ctx, req, "licences.title"));
}

Response LicencePage(Ctx& ctx, Request& req) {
  auto r = ctx.exportctl->LicenceDetail(CallerOf(req), req.Param("id"), req.lang);
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  Json data = *r;
  data["error"] = req.Query("error");
  data["under_review"] = data["licence"]["status"] == "under_review";
  i18n::Presenter words = PresenterOf(ctx, req);
  Json& licence = data["licence"];
  licence["screening_status_label"] = ScreeningStateLabel(
      words, licence.value("screening_status", ""), data["open_hits"].get<std::int64_t>());
  for (const char* party : {"exporter_country", "consignee_country", "end_user_country"}) {
    std::string iso2 = licence.value(party, "");
    licence[std::string(party) + "_name"] = iso2.empty() ? "" : words.Country(iso2, iso2);
  }
  Json next = Json::array();
  for (const auto& to : data["next"]) next.push_back({{"to", to}, {"label", Translate(ctx, req, "licence.to." + to.get<std::string>())}});
  data["next"] = next;
  return RenderPage(ctx, req, 200, "licence", data,
                    Translate(ctx, req, "licences.one") + " " + data["licence"]["reference"].get<std::string>());
}

namespace {

// Granting, denying and withdrawing cannot be undone from the page, so they take a second,
// explicit step (a page of its own: it works without JavaScript).
bool NeedsConfirmation(const std::string& to) {
  return to == "granted" || to == "denied" || to == "withdrawn";
}

}  // namespace

Response LicenceTransitionSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  std::string to = FormField(form, "to");
  if (NeedsConfirmation(to) && FormField(form, "confirmed") != "yes") {
    auto detail = ctx.exportctl->LicenceDetail(CallerOf(req), req.Param("id"));
    if (!detail.ok()) return ErrorFor(ctx, req, detail.status());
    Json licence = (*detail)["licence"];
    licence["screening_status_label"] =
        ScreeningStateLabel(PresenterOf(ctx, req), licence.value("screening_status", ""),
                            (*detail)["open_hits"].get<std::int64_t>());
    Json data = {{"licence", licence},
                 {"to", to},
                 {"note", FormField(form, "note")},
                 {"question", Translate(ctx, req, "licence.confirm." + to)},
                 {"button", Translate(ctx, req, "licence.to." + to)}};
    return RenderPage(ctx, req, 200, "licence_confirm", data, data["question"].get<std::string>());
  }
  auto r = ctx.exportctl->Transition(CallerOf(req), req.Param("id"), to, FormField(form, "note"));
  std::string back = "/licences/" + PercentEncode(req.Param("id"));
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kInvalidArgument || r.status().code() == StatusCode::kConflict ||
        r.status().code() == StatusCode::kUnavailable) {
      return Response::Redirect(back + "?error=" + PercentEncode(MessageOf(ctx, req, r.status())));
    }
    return ErrorFor(ctx, req, r.status());
  }
  return Response::Redirect(back + "?notice=saved");
}

Response LicenceOpinionSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  Json body = {{"agency", FormField(form, "agency")}, {"opinion", FormField(form, "opinion")},
               {"text", FormField(form, "text")}};
  auto r = ctx.exportctl->AddOpinion(CallerOf(req), req.Param("id"), body);
  std::string back = "/licences/" + PercentEncode(req.Param("id"));
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kInvalidArgument) {
      return Response::Redirect(back + "?error=" + PercentEncode(FieldMessageOf(ctx, req, r.status())));
    }
    return ErrorFor(ctx, req, r.status());
  }
  return Response::Redirect(back + "?notice=saved");
}

}  // namespace cbrnhub::http
