// Action plans and projects over HTTP: the plan page with its timeline, adoption and versions,
// gaps without action, a priority's trace, the region's plans, and the project portfolio.
// Plans, actions, milestones, indicators and projects themselves are records: their API is the
// generic one and their forms are /forms/{kind}.
#include <algorithm>
#include <cmath>
#include <ctime>

#include "core/problem.h"
#include "http/handlers.h"

namespace cbrnhub::http {
namespace {

std::string Today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[11];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string Text(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Days since 1970-01-01 of a YYYY-MM-DD date (civil calendar), for the timeline's scale.
long DayNumber(const std::string& d) {
  if (d.size() < 10) return 0;
  int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(5, 2)), day = std::stoi(d.substr(8, 2));
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The plan's timeline: one bar per action (grouped by area), milestones as diamonds, a line
// for today; delayed actions and overdue milestones drawn in their own style. Server-side SVG
// that prints and needs no script; each bar carries its text for screen readers.
std::string TimelineSvg(const Ctx& ctx, const Request& req, const Json& actions, const std::string& today) {
  std::vector<const Json*> dated;
  long lo = 0, hi = 0;
  for (const auto& a : actions) {
    std::string s = Text(a, "start_date"), e = Text(a, "end_date");
    if (s.empty() || e.empty()) continue;
    dated.push_back(&a);
    long ds = DayNumber(s), de = DayNumber(e);
    lo = lo == 0 ? ds : std::min(lo, ds);
    hi = std::max(hi, de);
  }
  if (dated.empty()) return "";
  i18n::Presenter words = PresenterOf(ctx, req);
  std::stable_sort(dated.begin(), dated.end(), [](const Json* a, const Json* b) { return Text(*a, "area") < Text(*b, "area"); });
  long t = DayNumber(today);
  if (hi <= lo) hi = lo + 1;
  const double left = 260, width = 640, row = 22, top = 30, whole = left + width + 10;
  double span = static_cast<double>(hi - lo);
  auto x = [&](long d) { return left + width * static_cast<double>(std::clamp(d, lo, hi) - lo) / span; };
  // Time runs the way the reader reads: right to left on an Arabic page. Drawn left to right and
  // mirrored (x becomes whole - x); with the drawing's direction rtl, each text's start is then
  // its right end, so the anchors keep their meaning.
  const bool rtl = i18n::RightToLeft(req.lang);
  auto at = [&](double ltr) { return Num(rtl ? whole - ltr : ltr); };
  auto from = [&](double ltr, double w) { return Num(rtl ? whole - ltr - w : ltr); };
  std::string rows;
  std::string area;
  double y = top;
  for (const Json* a : dated) {
    if (Text(*a, "area") != area) {
      area = Text(*a, "area");
      rows += "<text class=\"area\" x=\"" + at(4) + "\" y=\"" + Num(y + 14) + "\">" +
              HtmlEscape(area.empty() ? Translate(ctx, req, "plans.no_area") : Translate(ctx, req, "choice." + area)) +
              "</text>";
      y += row;
    }
    std::string status = Text(*a, "effective_status");
    std::string title = Text(*a, "title");
    std::string label = title.size() > 38 ? title.substr(0, 36) + "…" : title;
    double x0 = x(DayNumber(Text(*a, "start_date"))), x1 = x(DayNumber(Text(*a, "end_date")));
    double pct = a->contains("percent") && (*a)["percent"].is_number() ? (*a)["percent"].get<double>() : 0;
    rows += "<g class=\"bar " + status + "\"><title>" + HtmlEscape(title) + ": " +
            words.Date(Text(*a, "start_date")) + " – " + words.Date(Text(*a, "end_date")) + ", " +
            Translate(ctx, req, "choice." + status) + ", " + words.Percent(pct, 1) + "</title>";
    rows += "<text x=\"" + at(16) + "\" y=\"" + Num(y + 14) + "\">" + HtmlEscape(label) + "</text>";
    rows += "<rect class=\"span\" x=\"" + from(x0, std::max(2.0, x1 - x0)) + "\" y=\"" + Num(y + 4) + "\" width=\"" + Num(std::max(2.0, x1 - x0)) +
            "\" height=\"14\"/>";
    double done = std::max(0.0, (x1 - x0) * std::clamp(pct, 0.0, 100.0) / 100);
    rows += "<rect class=\"done\" x=\"" + from(x0, done) + "\" y=\"" + Num(y + 4) + "\" width=\"" +
            Num(done) + "\" height=\"14\"/>";
    for (const auto& m : (*a)["milestones"]) {
      double mx = x(DayNumber(Text(m, "due")));
      bool overdue = m.value("overdue", false);
      rows += "<path class=\"milestone" + std::string(overdue ? " overdue" : "") + "\" d=\"M" +
              at(mx) + " " + Num(y + 3) + " l5 8 l-5 8 l-5 -8 z\"><title>" +
              HtmlEscape(Text(m, "title")) + ": " + words.Date(Text(m, "due")) +
              (overdue ? " (" + Translate(ctx, req, "plans.overdue") + ")" : "") +
              "</title></path>";
    }
    rows += "</g>";
    y += row;
  }
  std::string axis;
  int y0 = std::stoi(Text(*dated.front(), "start_date").substr(0, 4));
  for (int year = y0; year <= 2200; ++year) {
    long d = DayNumber(std::to_string(year) + "-01-01");
    if (d > hi) break;
    if (d < lo) continue;
    axis += "<line class=\"grid\" x1=\"" + at(x(d)) + "\" y1=\"20\" x2=\"" + at(x(d)) + "\" y2=\"" + Num(y) + "\"/>";
    axis += "<text class=\"year\" x=\"" + at(x(d) + 2) + "\" y=\"14\">" + std::to_string(year) + "</text>";
  }
  std::string today_line;
  if (t >= lo && t <= hi) {
    today_line = "<line class=\"today\" x1=\"" + at(x(t)) + "\" y1=\"18\" x2=\"" + at(x(t)) +
                 "\" y2=\"" + Num(y) + "\"><title>" +
                 HtmlEscape(Translate(ctx, req, "plans.today")) + " " + words.Date(today) +
                 "</title></line>";
  }
  return "<svg class=\"timeline" + std::string(rtl ? " mirrored" : "") + "\" direction=\"" + (rtl ? "rtl" : "ltr") +
         "\" role=\"img\" aria-label=\"" + HtmlEscape(Translate(ctx, req, "plans.timeline")) +
         "\" viewBox=\"0 0 " + Num(whole) + " " + Num(y + 8) + "\" xmlns=\"http://www.w3.org/2000/svg\">" +
         axis + rows + today_line + "</svg>";
}

// A changed field's value as a person reads it: an agency by its name (the caller may see it),
// anything else as ValueText shows it.
std::string ChangedValueText(Ctx& ctx, const Request& req, const i18n::Presenter& words, const std::string& field,
                             const Json& value) {
  if (value.is_null()) return "—";
  if (field.size() > 9 && field.compare(field.size() - 9, 9, "agency_id") == 0 && value.is_string()) {
    auto agency = ctx.store.Get(CallerOf(req), "agencies", value.get<std::string>());
    if (agency.ok()) return Text(*agency, "short_name").empty() ? Text(*agency, "name") : Text(*agency, "short_name");
  }
  std::string text = ValueText(words, value);
  return text.empty() ? "—" : text;
}

// The fields of a change (`fields`: {"field", "before", "after"}) with their labels and values
// as a person reads them.
void LabelChangedFields(Ctx& ctx, const Request& req, Json& fields) {
  i18n::Presenter words = PresenterOf(ctx, req);
  for (auto& f : fields) {
    std::string field = Text(f, "field");
    f["label"] = words.Label("field.", field);
    f["before_text"] = ChangedValueText(ctx, req, words, field, f["before"]);
    f["after_text"] = ChangedValueText(ctx, req, words, field, f["after"]);
  }
}

// Labels for a plan view: states and areas through the catalogue, money grouped.
void Decorate(const Ctx& ctx, const Request& req, Json& view) {
  for (auto& a : view["actions"]) {
    a["status_label"] = Translate(ctx, req, "choice." + Text(a, "effective_status"));
    a["area_label"] = Text(a, "area").empty() ? "" : Translate(ctx, req, "choice." + Text(a, "area"));
    a["delayed"] = Text(a, "effective_status") == "delayed";
  }
  Json counts = Json::array();
  for (const auto& [k, v] : view["by_status"].items()) {
    counts.push_back({{"status", k}, {"label", Translate(ctx, req, "choice." + k)}, {"count", v}});
  }
  view["status_counts"] = counts;
  const i18n::Presenter words = PresenterOf(ctx, req);
  for (auto& a : view["by_area"]) {
    a["label"] = Translate(ctx, req, a["area"] == "unspecified" ? "plans.no_area" : "choice." + a["area"].get<std::string>());
    a["pct"] = words.Percent(a["percent"].get<double>());
  }
  view["status_label"] = Translate(ctx, req, "plans.state." + Text(view["plan"], "status"));
}

int IntParam(const std::string& v, int fallback) {
  if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos) return fallback;
  return std::stoi(v);
}

Result<std::string> NoteOf(const Request& req) {
  if (req.body.empty()) return std::string();
  auto body = ParseJsonBody(req);
  if (!body.ok()) return body.status();
  if (!body->is_object()) return Status::Invalid("", "send a JSON object");
  if (body->contains("note") && !(*body)["note"].is_string()) return Status::Invalid("note", "note must be text");
  return body->value("note", "");
}

}  // namespace

// --- API --------------------------------------------------------------------------------

Response ApiPlanAdopt(Ctx& ctx, Request& req) {
  auto note = NoteOf(req);
  if (!note.ok()) return ErrorFor(ctx, req, note.status());
  return JsonResult(ctx, req, ctx.plans->Adopt(CallerOf(req), req.Param("id"), *note));
}

Response ApiPlanRevise(Ctx& ctx, Request& req) {
  auto note = NoteOf(req);
  if (!note.ok()) return ErrorFor(ctx, req, note.status());
  return JsonResult(ctx, req, ctx.plans->Revise(CallerOf(req), req.Param("id"), *note));
}

Response ApiPlanView(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.plans->PlanView(CallerOf(req), req.Param("id"), req.Query("as_of"), Today()));
}

Response ApiPlanVersions(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.plans->Versions(CallerOf(req), req.Param("id")));
}

Response ApiPlanVersion(Ctx& ctx, Request& req) {
  int v = IntParam(req.Param("version"), -1);
  if (v < 1) return ErrorFor(ctx, req, Status::Invalid("version", "versions are numbered from 1"));
  return JsonResult(ctx, req, ctx.plans->Version(CallerOf(req), req.Param("id"), v));
}

Response ApiPlanDiff(Ctx& ctx, Request& req) {
  int from = IntParam(req.Query("from"), -1), to = IntParam(req.Query("to", "0"), -1);
  if (from < 0 || to < 0) return ErrorFor(ctx, req, Status::Invalid("from", "give ?from=N&to=M (0 = the plan as it is now)"));
  return JsonResult(ctx, req, ctx.plans->Diff(CallerOf(req), req.Param("id"), from, to));
}

Response ApiPlanGaps(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.plans->Gaps(CallerOf(req), req.Param("id"), req.lang));
}

Response ApiPlanCapabilities(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.plans->ProgressByCapability(CallerOf(req), req.Param("id"), req.lang));
}

Response ApiPriorityTrace(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.plans->Trace(CallerOf(req), req.Param("id"), req.Param("question"), req.lang));
}

namespace {
// The title of a plan made for an assessment's priorities, in the user's language.
std::string DefaultPlanTitle(const Ctx& ctx, const Request& req, const std::string& assessment_id) {
  auto a = ctx.store.Get(CallerOf(req), assessment::kAssessments, assessment_id);
  std::string country = a.ok() ? (*a)["country"].get<std::string>() : "";
  return Translate(ctx, req, "plans.default_title") + (country.empty() ? "" : " — " + i18n::CountryName(country, req.lang, country));
}
}  // namespace

Response ApiPlanForPriorities(Ctx& ctx, Request& req) {
  std::string title;
  if (!req.body.empty()) {
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorFor(ctx, req, body.status());
    if (body->is_object() && body->contains("title")) {
      if (!(*body)["title"].is_string()) return ErrorFor(ctx, req, Status::Invalid("title", "title must be text"));
      title = (*body)["title"];
    }
  }
  if (title.empty()) title = DefaultPlanTitle(ctx, req, req.Param("id"));
  return JsonResult(ctx, req, ctx.plans->PlanForPriorities(CallerOf(req), req.Param("id"), title));
}

Response ApiRegionPlans(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.plans->RegionOverview(CallerOf(req), req.Param("code"), Today()));
}

Response ApiProjectTransition(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  if (!body->is_object() || !(*body)["to"].is_string()) {
    return ErrorFor(ctx, req, Status::Invalid("to", "say proposal, approved, implementation, closed, rejected or withdrawn"));
  }
  if (body->contains("note") && !(*body)["note"].is_string()) return ErrorFor(ctx, req, Status::Invalid("note", "must be text"));
  return JsonResult(ctx, req, ctx.plans->ProjectTransition(CallerOf(req), req.Param("id"), (*body)["to"], body->value("note", "")));
}

Response ApiProjectIdea(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorFor(ctx, req, body.status());
  if (!body->is_object() || !(*body)["question"].is_string()) {
    return ErrorFor(ctx, req, Status::Invalid("question", "say which shared priority (question id)"));
  }
  return JsonResult(ctx, req, ctx.plans->ProjectFromSharedPriority(CallerOf(req), req.Param("code"), (*body)["question"], req.lang),
                    201);
}

namespace {
plans::Service::PortfolioFilter FilterOf(const Request& req) {
  plans::Service::PortfolioFilter f;
  f.region = req.Query("region");
  f.theme = req.Query("theme");
  f.status = req.Query("status");
  f.country = req.Query("country");
  f.year = IntParam(req.Query("year"), req.Query("year").empty() ? 0 : -1);
  return f;
}
}  // namespace

Response ApiPortfolio(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.plans->Portfolio(CallerOf(req), FilterOf(req)));
}

Response PlanWorkbookDownload(Ctx& ctx, Request& req) {
  auto r = ctx.plans->ExportPlan(CallerOf(req), req.Param("id"), req.lang, Words(ctx));
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return XlsxDownload(std::move(*r), "plan-" + req.Param("id").substr(0, 8) + ".xlsx");
}

Response PortfolioWorkbookDownload(Ctx& ctx, Request& req) {
  auto r = ctx.plans->ExportPortfolio(CallerOf(req), FilterOf(req), req.lang, Words(ctx));
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return XlsxDownload(std::move(*r), "portfolio.xlsx");
}

Response ApiPlanImportPreview(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.plans->PreviewPlanImport(CallerOf(req), req.Param("id"), UploadedFile(req), Words(ctx)), 201);
}

Response ApiPlanImportApply(Ctx& ctx, Request& req) {
  return JsonResult(ctx, req, ctx.plans->ApplyPlanImport(CallerOf(req), req.Param("id"), req.Param("import")));
}

// --- Pages ------------------------------------------------------------------------------

Response PlansPage(Ctx& ctx, Request& req) {
  records::ListQuery q;
  q.limit = 200;
  q.text = req.Query("q");
  auto list = ctx.store.List(CallerOf(req), plans::kPlans, q);
  if (!list.ok()) return ErrorFor(ctx, req, list.status());
  Json items = Json::array();
  for (auto p : list->items) {
    p["status_label"] = Translate(ctx, req, "plans.state." + Text(p, "status"));
    p["scope_label"] = Text(p, "country").empty() ? Text(p, "region") : i18n::CountryName(Text(p, "country"), req.lang, Text(p, "country"));
    items.push_back(p);
  }
  access::RecordScope own;
  own.owner_scope = access::OwnScope(req.who);
  own.policy = access::Policy::kPlan;
  Json data = {{"plans", items}, {"q", q.text},
               {"may_create", !own.owner_scope.empty() && own.owner_scope != "network" &&
                                  access::Allows(req.who, access::Action::kCreate, own)},
               {"own_country", req.who.country}, {"own_region", req.who.region}};
  return RenderPage(ctx, req, 200, "plans", data, Translate(ctx, req, "plans.title"));
}

Response PlanPage(Ctx& ctx, Request& req) {
  std::string today = Today();
  auto view = ctx.plans->PlanView(CallerOf(req), req.Param("id"), req.Query("as_of"), today);
  if (!view.ok()) {
    if (view.status().code() == StatusCode::kInvalidArgument) {
      return BackWithError(ctx, req, view.status(), "/plans/" + PercentEncode(req.Param("id")), StatusCode::kInvalidArgument);
    }
    return ErrorFor(ctx, req, view.status());
  }
  Json data = *view;
  Decorate(ctx, req, data);
  data["timeline"] = TimelineSvg(ctx, req, data["actions"], data["today"]);
  auto versions = ctx.plans->Versions(CallerOf(req), req.Param("id"));
  if (versions.ok()) data["versions"] = (*versions)["versions"];
  if (req.Query("as_of").empty()) {
    auto gaps = ctx.plans->Gaps(CallerOf(req), req.Param("id"), req.lang);
    if (gaps.ok()) {
      Json g = (*gaps)["gaps"];
      if (g.size() > 15) g.erase(g.begin() + 15, g.end());
      data["gaps"] = g;
      data["gap_count"] = (*gaps)["gaps"].size();
    }
  }
  if (req.Query("as_of").empty()) {
    auto capability = ctx.plans->ProgressByCapability(CallerOf(req), req.Param("id"), req.lang);
    if (capability.ok()) {
      const i18n::Presenter words = PresenterOf(ctx, req);
      Json rows = Json::array();
      for (const char* group : {"by_function", "by_domain"}) {
        for (const auto& c : (*capability)[group]) {
          rows.push_back({{"group", Translate(ctx, req, std::string("plans.") + group)},
                          {"label", Translate(ctx, req, "capability." + c["key"].get<std::string>())},
                          {"actions", c["actions"]},
                          {"pct", words.Percent(c["percent"].get<double>())}});
        }
      }
      data["by_capability"] = rows;
    }
  }
  data["error"] = req.Query("error");
  return RenderPage(ctx, req, 200, "plan", data, Text(data["plan"], "title"));
}

Response PlanTransitionSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  std::string to = FormField(form, "to");
  std::string note = FormField(form, "note");
  Result<Json> r = to == "adopted"   ? ctx.plans->Adopt(CallerOf(req), req.Param("id"), note)
                   : to == "revised" ? ctx.plans->Revise(CallerOf(req), req.Param("id"), note)
                                     : Result<Json>(Status::Invalid("to", "say adopted or revised").Says("invalid.plan_step"));
  std::string back = "/plans/" + PercentEncode(req.Param("id"));
  if (!r.ok() && (r.status().code() == StatusCode::kConflict || r.status().code() == StatusCode::kInvalidArgument)) {
    return Response::Redirect(back + "?error=" + PercentEncode(MessageOf(ctx, req, r.status())));
  }
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return Response::Redirect(back + "?notice=saved");
}

Response PlanDiffPage(Ctx& ctx, Request& req) {
  int from = IntParam(req.Query("from"), 1), to = IntParam(req.Query("to", "0"), 0);
  auto diff = ctx.plans->Diff(CallerOf(req), req.Param("id"), from, to);
  if (!diff.ok()) return ErrorFor(ctx, req, diff.status());
  auto plan = ctx.store.Get(CallerOf(req), plans::kPlans, req.Param("id"));
  if (!plan.ok()) return ErrorFor(ctx, req, plan.status());
  Json data = *diff;
  data["plan_record"] = *plan;
  for (auto& a : data["actions"]) a["change_label"] = Translate(ctx, req, "plans.change." + Text(a, "change"));
  LabelChangedFields(ctx, req, data["plan"]);
  for (auto& a : data["actions"]) {
    if (!a.contains("fields")) continue;
    LabelChangedFields(ctx, req, a["fields"]);
    for (const char* key : {"milestones", "indicators"}) {
      for (auto& c : a[key]) c["change_label"] = Translate(ctx, req, "plans.change." + Text(c, "change"));
    }
  }
  data["to_label"] = to == 0 ? Translate(ctx, req, "plans.current") : std::to_string(to);
  return RenderPage(ctx, req, 200, "plan_diff", data, Translate(ctx, req, "plans.diff"));
}

Response PriorityActionSubmit(Ctx& ctx, Request& req) {
  auto plan = ctx.plans->PlanForPriorities(CallerOf(req), req.Param("id"), DefaultPlanTitle(ctx, req, req.Param("id")));
  if (!plan.ok()) {
    return BackWithError(ctx, req, plan.status(), "/assessments/" + PercentEncode(req.Param("id")) + "/results",
                         StatusCode::kPermissionDenied);
  }
  Form form = FormOf(req);
  std::string plan_id = (*plan)["plan"]["id"];
  std::string plan_path = "/plans/" + plan_id;
  if (!(*plan)["open"].get<bool>()) {
    return Response::Redirect(plan_path + "?error=" + PercentEncode(Translate(ctx, req, "plans.revise_to_add")));
  }
  return Response::Redirect("/forms/" + std::string(plans::kActions) + "?plan_id=" + plan_id +
                            "&priorities=" + PercentEncode(req.Param("question")) +
                            "&title=" + PercentEncode(FormField(form, "title").substr(0, 300)) +
                            "&return_to=" + PercentEncode(plan_path));
}

Response TracePage(Ctx& ctx, Request& req) {
  auto trace = ctx.plans->Trace(CallerOf(req), req.Param("id"), req.Param("question"), req.lang);
  if (!trace.ok()) return ErrorFor(ctx, req, trace.status());
  Json data = *trace;
  const i18n::Presenter words = PresenterOf(ctx, req);
  if (data["question"]["gap"].is_number()) data["gap_pct"] = words.Percent(data["question"]["gap"].get<double>() * 100);
  for (auto& a : data["actions"]) {
    a["status_label"] = Translate(ctx, req, "choice." + (Text(a, "status").empty() ? std::string("not_started") : Text(a, "status")));
    a["percent_text"] = a["percent"].is_number() && a["percent"].get<double>() > 0
                            ? words.Percent(a["percent"].get<double>()) : "";
  }
  for (auto& p : data["projects"]) p["status_label"] = Translate(ctx, req, "projects.state." + Text(p, "status"));
  return RenderPage(ctx, req, 200, "trace", data, Translate(ctx, req, "plans.trace"));
}

Response RegionPlansPage(Ctx& ctx, Request& req) {
  auto view = ctx.plans->RegionOverview(CallerOf(req), req.Param("code"), Today());
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  for (auto& c : data["countries"]) {
    c["label"] = i18n::CountryName(Text(c, "country"), req.lang, Text(c, "name"));
    if (c["plan"].is_object()) c["plan"]["status_label"] = Translate(ctx, req, "plans.state." + Text(c["plan"], "status"));
    if (c.contains("summary")) {
      for (const char* s : {"on_track", "delayed", "completed", "not_started", "cancelled"}) {
        c["summary"][std::string("n_") + s] = c["summary"]["by_status"].value(s, 0);
      }
    }
  }
  for (auto& p : data["regional_plans"]) p["plan"]["status_label"] = Translate(ctx, req, "plans.state." + Text(p["plan"], "status"));
  return RenderPage(ctx, req, 200, "region_plans", data, Translate(ctx, req, "plans.region") + " " + req.Param("code"));
}

Response PortfolioPage(Ctx& ctx, Request& req) {
  auto filter = FilterOf(req);
  auto view = ctx.plans->Portfolio(CallerOf(req), filter);
  if (!view.ok()) return ErrorFor(ctx, req, view.status());
  Json data = *view;
  for (auto& p : data["projects"]) {
    p["status_label"] = Translate(ctx, req, "projects.state." + Text(p, "status"));
    p["theme_label"] = Translate(ctx, req, "choice." + Text(p, "theme"));
    access::RecordScope scope = ctx.store.catalog().Find(plans::kProjects)->ScopeOf(p);
    Json next = Json::array();
    if (access::Allows(req.who, access::Action::kSubmit, scope)) {
      for (const auto& to : plans::ProjectStates()) {
        static const std::map<std::string, std::vector<std::string>> kNext = {
            {"idea", {"proposal", "rejected", "withdrawn"}}, {"proposal", {"approved", "rejected", "withdrawn"}},
            {"approved", {"implementation", "withdrawn"}},   {"implementation", {"closed"}}};
        auto it = kNext.find(Text(p, "status"));
        if (it != kNext.end() && std::find(it->second.begin(), it->second.end(), to) != it->second.end()) {
          next.push_back({{"to", to}, {"label", Translate(ctx, req, "projects.to." + to)}});
        }
      }
    }
    p["next"] = next;
  }
  for (auto& s : data["pipeline"]) s["label"] = Translate(ctx, req, "projects.state." + Text(s, "status"));
  Json themes = Json::array(), states = Json::array();
  for (const auto& t : plans::ThematicAreas()) {
    themes.push_back({{"value", t}, {"label", Translate(ctx, req, "choice." + t)}, {"selected", t == filter.theme}});
  }
  for (const auto& s : plans::ProjectStates()) {
    states.push_back({{"value", s}, {"label", Translate(ctx, req, "projects.state." + s)}, {"selected", s == filter.status}});
  }
  data["themes"] = themes;
  data["states"] = states;
  data["filter"] = {{"region", filter.region}, {"country", filter.country},
                    {"year", filter.year ? std::to_string(filter.year) : ""}};
  data["error"] = req.Query("error");
  return RenderPage(ctx, req, 200, "projects", data, Translate(ctx, req, "projects.title"));
}

Response ProjectTransitionSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  auto r = ctx.plans->ProjectTransition(CallerOf(req), req.Param("id"), FormField(form, "to"), FormField(form, "note"));
  if (!r.ok()) return BackWithError(ctx, req, r.status(), "/projects", StatusCode::kConflict);
  return Response::Redirect("/projects?notice=saved");
}

Response ProjectIdeaSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  auto r = ctx.plans->ProjectFromSharedPriority(CallerOf(req), req.Param("code"), FormField(form, "question"), req.lang);
  if (!r.ok()) {
    return BackWithError(ctx, req, r.status(), "/regions/" + PercentEncode(req.Param("code")) + "/assessments",
                         StatusCode::kPermissionDenied);
  }
  return Response::Redirect("/forms/projects/" + (*r)["id"].get<std::string>() + "?return_to=%2Fprojects");
}

}  // namespace cbrnhub::http

namespace cbrnhub::http {

Response PlanImportSubmit(Ctx& ctx, Request& req) {
  auto r = ctx.plans->PreviewPlanImport(CallerOf(req), req.Param("id"), UploadedFile(req), Words(ctx));
  Json data = {{"id", req.Param("id")}};
  if (!r.ok()) {
    if (r.status().code() != StatusCode::kInvalidArgument) return ErrorFor(ctx, req, r.status());
    data["error"] = MessageOf(ctx, req, r.status());
    return RenderPage(ctx, req, 400, "plan_import", data, Translate(ctx, req, "workbook.preview"));
  }
  data.update(*r);
  for (auto& c : data["changed"]) LabelChangedFields(ctx, req, c["fields"]);
  for (auto& e : data["errors"]) e["message"] = MessageOf(ctx, req, ProblemOf(e));
  data["added_count"] = data["added"].size();
  data["changed_count"] = data["changed"].size();
  data["may_apply"] = data["errors"].empty() && (!data["added"].empty() || !data["changed"].empty());
  return RenderPage(ctx, req, 200, "plan_import", data, Translate(ctx, req, "workbook.preview"));
}

Response PlanImportApplySubmit(Ctx& ctx, Request& req) {
  auto r = ctx.plans->ApplyPlanImport(CallerOf(req), req.Param("id"), req.Param("import"));
  std::string back = "/plans/" + PercentEncode(req.Param("id"));
  if (!r.ok()) return BackWithError(ctx, req, r.status(), back, StatusCode::kConflict);
  return Response::Redirect(back + "?notice=saved");
}

}  // namespace cbrnhub::http
