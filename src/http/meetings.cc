// Activities, exercises, lessons learnt, round tables and the brief over HTTP: the calendar and
// its iCalendar feeds, an activity with its injects and evaluations, a round table with its
// minutes and follow-ups, the lessons library, and the brief as HTML and PDF. The records
// themselves use the generic API and the /forms/{kind} pages.
#include <cmark.h>

#include "core/ids.h"
#include "http/brief.h"
#include "http/handlers.h"
#include "http/hazard_map.h"

namespace cbrnhub::http {
namespace {

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

access::RecordScope ScopeOf(const Ctx& ctx, const char* kind, const Json& record) {
  return ctx.store.catalog().Find(kind)->ScopeOf(record);
}

std::string Month(const std::string& m) {
  bool ok = m.size() == 7 && m[4] == '-' && std::isdigit(static_cast<unsigned char>(m[0])) &&
            m.find_first_not_of("0123456789-") == std::string::npos;
  return ok ? m : "";
}

Json Labelled(const Ctx& ctx, const Request& req, Json record,
              std::initializer_list<const char*> choices) {
  for (const char* field : choices) {
    std::string v = Str(record, field);
    record[std::string(field) + "_label"] = v.empty() ? "" : Translate(ctx, req, "choice." + v);
  }
  return record;
}

Response Calendar(Ctx& ctx, Request& req, const std::string& region, const std::string& country) {
  auto events =
      ctx.meetings->Calendar(CallerOf(req), region, country, req.Query("from"), req.Query("to"));
  if (!events.ok()) return ErrorFor(ctx, req, events.status());
  std::string name = "cbrnhub " + (region.empty() ? country : region);
  Response r;
  r.content_type = "text/calendar; charset=utf-8";
  r.headers.push_back({"Content-Disposition", "inline; filename=\"cbrnhub-" +
                                                  (region.empty() ? country : region) + ".ics\""});
  r.body = meetings::ICalendar(*events, name, NowUtc());
  return r;
}

}  // namespace

std::string MarkdownHtml(const std::string& markdown) {
  // CMARK_OPT_DEFAULT is safe since cmark 0.29: raw HTML becomes a comment and links to
  // javascript:, vbscript:, file: and data: (other than images) lose their target.
  char* html = cmark_markdown_to_html(markdown.data(), markdown.size(),
                                      CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  std::string out = html ? html : "";
  free(html);
  return out;
}

Result<std::string> RenderBrief(meetings::Service& service, const i18n::Catalogs& catalogs,
                                const records::Caller& caller, const std::string& region,
                                const std::string& date, const std::string& lang,
                                const std::string& format,
                                const hazard::PopulationGrid* population) {
  if (format != "html" && format != "pdf")
    return Status::Invalid("format", "format must be html or pdf");
  CBRN_ASSIGN_OR_RETURN(Json data, service.Brief(caller, region, date, lang));
  AddHazardFootprints(data, catalogs, lang, population);
  brief::Document doc =
      brief::Build(data, [&](const std::string& key) { return catalogs.Translate(lang, key); });
  if (format == "html") return brief::Html(doc);
  return brief::Pdf(doc);
}

namespace {

// The file of a multipart upload (part "file"): its name and bytes.
Result<std::pair<std::string, std::string>> UploadOf(const Request& req) {
  CBRN_ASSIGN_OR_RETURN(auto parts, ParseMultipart(req.Header("content-type"), req.body));
  for (const auto& p : parts) {
    if (p.name == "file") return std::make_pair(p.filename, p.data);
  }
  return Status::Invalid("file", "no file was sent (multipart part \"file\")");
}

}  // namespace

Response ApiActivityDocumentAdd(Ctx& ctx, Request& req) {
  auto upload = UploadOf(req);
  if (!upload.ok()) return ErrorFor(ctx, req, upload.status());
  return JsonResult(
      ctx, req,
      ctx.meetings->AddDocument(CallerOf(req), req.Param("id"), upload->first, upload->second),
      201);
}

Response ApiActivityDocuments(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.meetings->Documents(CallerOf(req), req.Param("id")));
}

Response ActivityDocumentDownload(Ctx& ctx, Request& req) {
  auto r = ctx.meetings->Document(CallerOf(req), req.Param("id"));
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return Download(r->first, std::move(r->second));
}

Response ActivityDocumentSubmit(Ctx& ctx, Request& req) {
  std::string back = "/activities/" + PercentEncode(req.Param("id"));
  auto upload = UploadOf(req);
  Result<Json> r = upload.ok() ? ctx.meetings->AddDocument(CallerOf(req), req.Param("id"),
                                                           upload->first, upload->second)
                               : Result<Json>(upload.status());
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kInvalidArgument);
  return Response::Redirect(back + "#documents");
}

Response ApiRoundTableView(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.meetings->RoundTable(CallerOf(req), req.Param("id")));
}

Response ApiFollowUpClose(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  std::string note =
      body->is_object() && (*body)["note"].is_string() ? (*body)["note"].get<std::string>() : "";
  return JsonResult(ctx, req, ctx.meetings->CloseFollowUp(CallerOf(req), req.Param("id"), note));
}

Response ApiLessonSearch(Ctx& ctx, Request& req) {
  meetings::Service::LessonQuery q{req.Query("q"),       req.Query("theme"),
                                   req.Query("region"),  req.Query("activity_type"),
                                   req.Query("country"), 50};
  std::string limit = req.Query("limit");
  if (!limit.empty()) {
    q.limit = limit.size() <= 4 && limit.find_first_not_of("0123456789") == std::string::npos
                  ? std::stoi(limit)
                  : -1;
  }
  return JsonResult(ctx, req, ctx.meetings->SearchLessons(CallerOf(req), q));
}

Response ApiLessonFromEvaluation(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.meetings->LessonFromEvaluation(CallerOf(req), req.Param("id")),
                    201);
}

Response ApiCalendar(Ctx& ctx, Request& req) {
  std::string region = req.Query("region"), country = req.Query("country");
  if (region.empty() == country.empty()) {
    return ErrorFor(ctx, req, Status::Invalid("region", "give a region or a country"));
  }
  auto events =
      ctx.meetings->Calendar(CallerOf(req), region, country, req.Query("from"), req.Query("to"));
  if (!events.ok()) return ErrorFor(ctx, req, events.status());
  Json items = Json::array();
  for (const auto& e : *events) {
    items.push_back({{"id", e.uid},
                     {"kind", e.kind},
                     {"type", e.type},
                     {"title", e.title},
                     {"start", e.start},
                     {"end", e.end},
                     {"place", e.place},
                     {"status", e.status}});
  }
  return JsonOk(200, Json{{"items", items}});
}

Response RegionCalendarIcs(Ctx& ctx, Request& req) {
  return Calendar(ctx, req, req.Param("code"), "");
}
Response CountryCalendarIcs(Ctx& ctx, Request& req) {
  return Calendar(ctx, req, "", req.Param("iso2"));
}

Response ApiBrief(Ctx& ctx, Request& req) {
  std::string format = req.Query("format", "json");
  std::string lang = req.Query("lang").empty() ? req.lang : req.Query("lang");
  if (format == "json") {
    return JsonResult(
        ctx, req, ctx.meetings->Brief(CallerOf(req), req.Param("code"), req.Query("date"), lang));
  }
  auto doc = RenderBrief(*ctx.meetings, ctx.catalogs, CallerOf(req), req.Param("code"),
                         req.Query("date"), lang, format, ctx.options.population.get());
  if (!doc.ok()) return ErrorFor(ctx, req, doc.status());
  if (format == "html") return Response::Html(200, *doc);
  Response r;
  r.content_type = "application/pdf";
  r.headers.push_back({"Content-Disposition", "inline; filename=\"brief-" + req.Param("code") +
                                                  "-" + req.Query("date") + ".pdf\""});
  r.body = std::move(*doc);
  return r;
}

Response BriefPage(Ctx& ctx, Request& req) {
  // Without a date, the brief as of today.
  auto doc = RenderBrief(*ctx.meetings, ctx.catalogs, CallerOf(req), req.Param("code"),
                         req.Query("date", NowUtc().substr(0, 10)), req.lang, "html",
                         ctx.options.population.get());
  if (!doc.ok()) return ErrorFor(ctx, req, doc.status());
  return Response::Html(200, *doc);
}

Response BriefPdf(Ctx& ctx, Request& req) {
  req.query.erase("format");
  req.query.emplace("format", "pdf");
  // Without a date, as of today (as the brief's page).
  if (req.Query("date").empty()) {
    req.query.erase("date");
    req.query.emplace("date", NowUtc().substr(0, 10));
  }
  return ApiBrief(ctx, req);
}

Response CalendarPage(Ctx& ctx, Request& req) {
  std::string region = req.Query("region"), country = req.Query("country");
  if (region.empty() && country.empty()) region = req.who.region.empty() ? "" : req.who.region;
  if (region.empty() && country.empty()) country = req.who.country;
  if (region.empty() && country.empty()) region = "CA";
  std::string month = Month(req.Query("month"));
  std::string from = month.empty() ? "" : month + "-01", to = month.empty() ? "" : month + "-31";
  auto events = ctx.meetings->Calendar(CallerOf(req), region, country, from, to);
  if (!events.ok()) return ErrorFor(ctx, req, events.status());
  Json rows = Json::array();
  std::string current;
  for (const auto& e : *events) {
    std::string m = e.start.substr(0, 7);
    rows.push_back({{"month", m == current ? "" : m},
                    {"title", e.title},
                    {"start", e.start},
                    {"end", e.end},
                    {"place", e.place},
                    {"type_label", Translate(ctx, req, "choice." + e.type)},
                    {"status_label", Translate(ctx, req, "choice." + e.status)},
                    {"href", (e.kind == "activity" ? "/activities/" : "/round-tables/") + e.uid}});
    current = m;
  }
  std::string scope = region.empty() ? country : region;
  Json data = {{"events", rows},
               {"region", region},
               {"country", country},
               {"scope", scope},
               {"month", month},
               {"ics", region.empty() ? "/api/v1/countries/" + country + "/calendar.ics"
                                      : "/api/v1/regions/" + region + "/calendar.ics"},
               {"may_create", access::OwnScope(req.who) != ""}};
  return RenderPage(ctx, req, 200, "calendar", data, Translate(ctx, req, "meetings.calendar"));
}

Response ActivityPage(Ctx& ctx, Request& req) {
  auto caller = CallerOf(req);
  auto activity = ctx.store.Get(caller, meetings::kActivities, req.Param("id"));
  if (!activity.ok()) return ErrorFor(ctx, req, activity.status());
  Json data = {{"activity", Labelled(ctx, req, *activity, {"type", "status"})}};
  data["exercise"] = meetings::IsExercise(Str(*activity, "type"));
  for (const auto& [key, kind] : {std::pair{"injects", meetings::kInjects},
                                  std::pair{"evaluations", meetings::kEvaluations}}) {
    records::ListQuery q;
    q.filters["activity_id"] = Str(*activity, "id");
    q.limit = 500;
    auto list = ctx.store.List(caller, kind, q);
    if (!list.ok()) return ErrorFor(ctx, req, list.status());
    Json items = Json::array();
    for (const auto& i : list->items) items.push_back(Labelled(ctx, req, i, {"rating"}));
    data[key] = items;
  }
  if (data["exercise"].get<bool>()) {
    // Hazard scenarios with their maps; an inject they are tied to shows it in the timeline.
    records::ListQuery q;
    q.filters["activity_id"] = Str(*activity, "id");
    q.limit = 50;
    auto list = ctx.store.List(caller, kHazardScenarioKind, q);
    if (!list.ok()) return ErrorFor(ctx, req, list.status());
    auto places = ExercisePlaces(ctx, req, Str(*activity, "id"));
    if (!places.ok()) return ErrorFor(ctx, req, places.status());
    Json place_rows = Json::array();
    for (const auto& p : *places)
      place_rows.push_back({{"id", p.id},
                            {"name", p.name},
                            {"kind", Translate(ctx, req, "choice." + p.kind)},
                            {"lat", i18n::FormatNumber(req.lang, p.at.lat, 5)},
                            {"lon", i18n::FormatNumber(req.lang, p.at.lon, 5)}});
    data["places"] = place_rows;
    Json scenarios = Json::array();
    for (const auto& sc : list->items) {
      Json item = {{"id", Str(sc, "id")}, {"title", Str(sc, "title")}};
      if (auto model = ModelFromBody(Str(sc, "release_json")); model.ok())
        item.update(HazardScenarioSection(ctx, req, *model, *places));
      for (auto& inject : data["injects"]) {
        if (Str(inject, "id") != Str(sc, "inject_id")) continue;
        inject["scenarios"].push_back({{"id", item["id"]}, {"title", item["title"]}});
        item["inject_time"] = Str(inject, "at_time");
      }
      scenarios.push_back(item);
    }
    data["hazard_scenarios"] = scenarios;
  }
  data["may_change"] = access::Allows(req.who, access::Action::kChange,
                                      ScopeOf(ctx, meetings::kActivities, *activity));
  auto documents = ctx.meetings->Documents(caller, req.Param("id"));
  if (!documents.ok()) return ErrorFor(ctx, req, documents.status());
  data["documents"] = *documents;
  data["error"] = req.Query("error");
  return RenderPage(ctx, req, 200, "activity", data, Str(*activity, "title"));
}

Response LessonFromEvaluationSubmit(Ctx& ctx, Request& req) {
  auto lesson = ctx.meetings->LessonFromEvaluation(CallerOf(req), req.Param("id"));
  if (!lesson.ok()) {
    auto ev = ctx.store.Get(CallerOf(req), meetings::kEvaluations, req.Param("id"));
    std::string back = ev.ok() ? "/activities/" + Str(*ev, "activity_id") : "/calendar";
    return BackWithError(ctx, req, lesson.status(), back, StatusCode::kInvalidArgument);
  }
  return Response::Redirect("/forms/lessons/" + Str(*lesson, "id") + "?return_to=%2Flessons");
}

Response RoundTablePage(Ctx& ctx, Request& req) {
  auto view = ctx.meetings->RoundTable(CallerOf(req), req.Param("id"));
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  Json& rt = data["round_table"];
  rt = Labelled(ctx, req, rt, {"status"});
  data["minutes_html"] = MarkdownHtml(Str(rt, "minutes"));
  data["decisions_html"] = MarkdownHtml(Str(rt, "decisions"));
  bool may =
      access::Allows(req.who, access::Action::kChange, ScopeOf(ctx, meetings::kRoundTables, rt));
  data["may_change"] = may;
  for (const char* list : {"follow_ups", "carried"}) {
    for (auto& f : data[list]) {
      f["open"] = Str(f, "status") == "open";
      f["status_label"] = Translate(ctx, req, "choice." + Str(f, "status"));
      f["may_close"] =
          f["open"].get<bool>() &&
          access::Allows(req.who, access::Action::kChange, ScopeOf(ctx, meetings::kFollowUps, f));
    }
  }
  for (auto& a : data["agenda"]) a = Labelled(ctx, req, a, {"topic"});
  data["error"] = req.Query("error");
  return RenderPage(ctx, req, 200, "round_table", data, Str(rt, "title"));
}

Response FollowUpCloseSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  std::string back = LocalPathOr(FormField(form, "return_to"), "/calendar");
  auto r = ctx.meetings->CloseFollowUp(CallerOf(req), req.Param("id"), FormField(form, "note"));
  if (!r.ok()) {
    return BackWithError(ctx, req, r.status(), back,
                         r.status().code() == StatusCode::kConflict ? StatusCode::kConflict
                                                                    : StatusCode::kInvalidArgument);
  }
  return Response::Redirect(back);
}

Response LessonsPage(Ctx& ctx, Request& req) {
  meetings::Service::LessonQuery q{req.Query("q"),       req.Query("theme"),
                                   req.Query("region"),  req.Query("activity_type"),
                                   req.Query("country"), 100};
  auto found = ctx.meetings->SearchLessons(CallerOf(req), q);
  if (!found.ok()) return ErrorFor(ctx, req, found.status());
  Json items = Json::array();
  for (const auto& l : (*found)["items"])
    items.push_back(Labelled(ctx, req, l, {"theme", "activity_type"}));
  auto options = [&](const std::vector<std::string>& values, const std::string& chosen) {
    Json out = Json::array();
    for (const auto& v : values) {
      out.push_back(
          {{"value", v}, {"label", Translate(ctx, req, "choice." + v)}, {"selected", v == chosen}});
    }
    return out;
  };
  Json data = {{"lessons", items},
               {"total", (*found)["total"]},
               {"q", q.text},
               {"region", q.region},
               {"themes", options(plans::ThematicAreas(), q.theme)},
               {"types", options(meetings::ActivityTypes(), q.activity_type)},
               {"may_create", access::OwnScope(req.who) != ""},
               {"own_country", req.who.country},
               {"own_region", req.who.region}};
  return RenderPage(ctx, req, 200, "lessons", data, Translate(ctx, req, "meetings.lessons"));
}

}  // namespace cbrnhub::http
