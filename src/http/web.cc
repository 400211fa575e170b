#include "http/web.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "assets/assets.h"
#include "core/ids.h"
#include "core/problem.h"
#include "http/handlers.h"
#include "records/text.h"

namespace cbrnhub::http {
namespace {

// The API, and /metrics whose reader is a program: errors as JSON, never a sign-in page.
bool IsApi(const Request& req) { return req.path.rfind("/api/", 0) == 0 || req.path == "/metrics"; }

}  // namespace

Form FormOf(const Request& req) {
  Form form;
  ParseQuery(req.body, form);
  return form;
}

std::string FormField(const Form& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

Response JsonOk(int status, const Json& body) {
  return Response::Json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

Result<Json> ParseJsonBody(const Request& req) {
  std::string type = req.Header("content-type");
  if (!type.empty() && type.find("application/json") == std::string::npos) {
    return Status::Invalid("", "Content-Type must be application/json, not " + type);
  }
  if (req.body.empty()) return Status::Invalid("", "the request body is empty: send a JSON object");
  return records::ParseJson(req.body);
}

records::Caller CallerOf(const Request& req) { return records::Caller{req.who, req.remote_addr}; }

std::string SessionCookie(const Request& req, const std::string& token, bool clear) {
  // HttpOnly: no script reads it. SameSite=Lax: other sites' forms do not carry it.
  // Secure when the reverse proxy says the browser used TLS.
  std::string c = "cbrnhub_session=" + (clear ? std::string() : token) +
                  "; Path=/; HttpOnly; SameSite=Lax";
  if (req.Header("x-forwarded-proto") == "https") c += "; Secure";
  if (clear) c += "; Max-Age=0";
  return c;
}

std::string Translate(const Ctx& ctx, const Request& req, const std::string& key) {
  return ctx.catalogs.Translate(req.lang, key);
}

i18n::Presenter PresenterOf(const Ctx& ctx, const Request& req) {
  return i18n::Presenter(ctx.catalogs, req.lang);
}

std::string MessageOf(const Ctx& ctx, const Request& req, const Status& status) {
  if (status.message_key().empty() || !ctx.catalogs.Has(status.message_key())) {
    return status.message();
  }
  i18n::Presenter words = PresenterOf(ctx, req);
  Json args = Json::object();
  for (const auto& [name, value] : status.message_args()) {
    // The argument's name says what its value is, so that the page shows a label, not a code.
    if (auto at = name.find('@'); at != std::string::npos) {
      args[name.substr(0, at)] = words.Label(name.substr(at + 1), value);
    } else if (name.rfind("field", 0) == 0) {
      args[name] = words.Label("field.", value);
    } else if (name.rfind("choice_", 0) == 0) {
      args[name] = words.Label("choice.", value);
    } else if (name.rfind("date", 0) == 0) {
      args[name] = value.empty() ? value : words.Date(value);
    } else if (name.rfind("time", 0) == 0) {
      args[name] = value.empty() ? value : words.DateTime(value);
    } else if (name == "country") {
      args[name] = words.Country(value, value);
    } else if (name == "region") {
      std::string key = "region." + value + ".name";
      args[name] = ctx.catalogs.Has(key) ? words.Text(key) : value;
    } else if (name == "at_header") {
      args[name] = ctx.catalogs.Has(value) ? words.Text(value) : value;
    } else if (name == "problems") {  // FileProblems: each refused place, one per line
      std::string lines;
      Json listed = Json::parse(value, nullptr, false);
      for (const Json& problem : listed.is_array() ? listed : Json::array()) {
        lines += (lines.empty() ? "" : "\n") + MessageOf(ctx, req, ProblemOf(problem));
      }
      args[name] = lines;
    } else if (name == "values") {  // alternatives as written, one per line
      std::vector<std::string> items;
      for (size_t from = 0; from <= value.size();) {
        size_t to = std::min(value.find('\n', from), value.size());
        items.push_back(value.substr(from, to - from));
        from = to + 1;
      }
      args[name] = words.Alternatives(items);
    } else if (name == "choices") {
      std::vector<std::string> labels;
      for (const std::string& choice : records::SplitList(value)) labels.push_back(words.Label("choice.", choice));
      args[name] = words.Alternatives(labels);
    } else if (name.size() > 1 && name[0] == '#') {  // a number, for plural rules and grouping
      char* end = nullptr;
      double number = std::strtod(value.c_str(), &end);
      args[name.substr(1)] = end && *end == '\0' ? Json(number) : Json(value);
    } else {
      args[name] = value;
    }
  }
  std::string text = words.Text(status.message_key(), args);
  // A refusal about one place of an uploaded file (core/problem.h) says where first.
  const char* where = args.contains("at_file") ? (args.contains("at_column") ? "where.line_column" : "where.line")
                      : args.contains("at_row") ? (args.contains("at_header")   ? "where.cell"
                                                   : args.contains("at_column") ? "where.row_column"
                                                                                : "where.row")
                                                : nullptr;
  if (!where) return text;
  args["problem"] = text;
  return words.Text(where, args);
}

std::string FieldMessageOf(const Ctx& ctx, const Request& req, const Status& status) {
  if (!status.message_key().empty() || status.field().empty()) return MessageOf(ctx, req, status);
  return status.field() + ": " + status.message();
}

// The label of a stored code: a state of whichever workflow stored it, else a choice, a
// questionnaire's domain or function (a risk scenario's capabilities), a licence's screening
// state; nothing when the text is not one of them.
namespace {

std::optional<std::string> CodeLabel(const i18n::Presenter& words, const std::string& s) {
  for (const char* prefix : {"choice.", "assessment.state.", "licences.state.", "plans.state.",
                             "projects.state.", "risk.state.", "capability.",
                             "licences.screening_state."}) {
    std::string label = words.Label(prefix, s);
    if (label != s) return label;
  }
  return std::nullopt;
}

}  // namespace

// A stored value as a person reads it: a state or choice by its label, a date in the page's
// language, a list item by item.
std::string ValueText(const i18n::Presenter& words, const Json& v) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return words.Text(v.get<bool>() ? "audit.yes" : "audit.no");
  if (v.is_number()) return words.Number(v.get<double>(), 2);
  if (v.is_array() || v.is_object()) {
    // An answer ({"value": ...}, {"status": ..., "reference": ...}, {"levels": [...]}) shows its
    // values, not its keys.
    std::string out;
    for (const auto& item : v) {
      std::string text = ValueText(words, item);
      if (!text.empty()) out += (out.empty() ? "" : ", ") + text;
    }
    return out;
  }
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') return words.DateTime(s);
  // A list stored as one text ("detection, legal_framework"): each of its codes by its label,
  // but only when every piece is written like a code (a note "clear, no concerns" stays as
  // written).
  if (s.find(", ") != std::string::npos) {
    auto code_like = [](const std::string& piece) {
      return !piece.empty() && std::all_of(piece.begin(), piece.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
    };
    std::string out;
    for (size_t from = 0; from <= s.size();) {
      size_t to = s.find(", ", from);
      if (to == std::string::npos) to = s.size();
      std::string piece = s.substr(from, to - from);
      if (!code_like(piece)) return s;
      out += (out.empty() ? "" : ", ") + CodeLabel(words, piece).value_or(piece);
      from = to + 2;
    }
    return out;
  }
  return CodeLabel(words, s).value_or(s);
}

namespace {

void FindActorIds(Json& v, std::vector<Json*>& out) {
  if (v.is_string()) {
    if (v.get_ref<const std::string&>().rfind("user:", 0) == 0) out.push_back(&v);
  } else if (v.is_array() || v.is_object()) {
    for (auto& item : v) FindActorIds(item, out);
  }
}

// Pages show people by name: every "user:<uuid>" that records and the audit log keep becomes
// the account's display name. The filters a page echoes back into its inputs keep what was typed.
void NameActors(const Ctx& ctx, const Request& req, Json& data) {
  std::vector<Json*> ids;
  for (auto& [key, value] : data.items()) {
    if (key != "filter") FindActorIds(value, ids);
  }
  if (ids.empty() || !req.who.authenticated()) return;
  auto names = ctx.identity.ActorNames(CallerOf(req));
  if (!names.ok()) return;
  for (Json* id : ids) {
    auto it = names->find(id->get<std::string>());
    if (it != names->end()) *id = it->second;
  }
}

}  // namespace

Response RenderPage(const Ctx& ctx, const Request& req, int status, const std::string& name,
                    Json data, const std::string& title) {
  Json page = data.contains("page") ? data["page"] : Json::object();
  page["lang"] = req.lang;
  page["dir"] = i18n::Direction(req.lang);
  page["title"] = title;
  page["path"] = req.path;
  page["version"] = ctx.version;
  page["csrf_token"] = req.csrf_token;
  if (req.who.authenticated() && !req.who.system) {
    page["user"] = {{"name", req.who.display_name},
                    {"role", Translate(ctx, req, std::string("role.") + access::RoleName(req.who.role))},
                    {"scope", req.who.country.empty() ? req.who.region : req.who.country},
                    {"is_admin", access::DecideRoute(req.who, access::Need::kAdmin) ==
                                     access::Decision::kAllow},
                    {"can_audit", access::DecideRoute(req.who, access::Need::kAudit) ==
                                      access::Decision::kAllow},
                    {"export_control", access::DecideRoute(req.who, access::Need::kExportControl) ==
                                           access::Decision::kAllow}};
  }
  Json langs = Json::array();
  for (const auto& code : ctx.catalogs.Languages()) {
    langs.push_back({{"code", code},
                     {"label", ctx.catalogs.Translate(code, "lang.name")},
                     {"current", code == req.lang},
                     {"href", req.path + "?lang=" + code}});
  }
  page["languages"] = langs;
  if (!page.contains("breadcrumbs")) page["breadcrumbs"] = Json::array();
  std::string notice = req.Query("notice");
  if (notice == "saved" || notice == "deleted") page["notice"] = Translate(ctx, req, "notice." + notice);
  NameActors(ctx, req, data);
  data["page"] = page;
  auto html = ctx.templates.Render(name, data, PresenterOf(ctx, req));
  if (!html.ok()) {
    spdlog::error("template {}: {}", name, html.status().ToString());
    return Response::Html(500, "<h1>500</h1><p>page template error</p>");
  }
  Response r = Response::Html(status, std::move(html).value());
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

std::string UploadedFile(const Request& req) {
  if (req.Header("content-type").rfind("multipart/form-data", 0) == 0) {
    auto parts = ParseMultipart(req.Header("content-type"), req.body);
    if (parts.ok()) {
      for (const auto& p : *parts) {
        if (p.name == "file") return p.data;
      }
    }
    return "";
  }
  return req.body;
}

plans::Service::Translate Words(const Ctx& ctx) {
  return [&ctx](const std::string& lang, const std::string& key) { return ctx.catalogs.Translate(lang, key); };
}

DefinitionUpload DefinitionUploadOf(const Request& req) {
  DefinitionUpload up;
  auto parts = ParseMultipart(req.Header("content-type"), req.body);
  if (!parts.ok()) return up;
  for (const auto& p : *parts) {
    if (p.name == "file") {
      up.yaml = p.data;
      if (!p.filename.empty()) up.name = p.filename;
    }
    if (p.name == "allow_incomplete") up.allow_incomplete = p.data == "1";
  }
  return up;
}

Response XlsxDownload(std::string bytes, const std::string& filename) {
  Response res;
  res.status = 200;
  res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  res.body = std::move(bytes);
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return res;
}

Response Download(const Json& meta, std::string bytes) {
  Response res;
  res.status = 200;
  res.content_type = meta["content_type"];
  res.body = std::move(bytes);
  std::string name;
  for (char c : meta["filename"].get<std::string>()) name += (c == '"' || c == '\\') ? '_' : c;
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  res.headers.emplace_back("X-Content-SHA256", meta["sha256"]);
  return res;
}

Response JsonResult(const Ctx& ctx, const Request& req, const Result<Json>& r, int status) {
  if (!r.ok()) return ErrorFor(ctx, req, r.status());
  return JsonOk(status, *r);
}

Response BackWithError(const Ctx& ctx, const Request& req, const Status& status, const std::string& back,
                       StatusCode shown) {
  if (status.code() == shown) {
    return Response::Redirect(back + "?error=" + PercentEncode(MessageOf(ctx, req, status)));
  }
  return ErrorFor(ctx, req, status);
}

Response ErrorFor(const Ctx& ctx, const Request& req, const Status& status) {
  if (status.code() == StatusCode::kInternal) {
    spdlog::error("request {} {} {}: {}", req.request_id, req.method, req.target,
                  status.ToString());
  }
  if (IsApi(req)) return ErrorResponse(status);
  std::string key = status.code() == StatusCode::kNotFound      ? "error.not_found"
                    : status.code() == StatusCode::kUnavailable ? "error.unavailable"
                    : status.code() == StatusCode::kConflict    ? "error.conflict"
                    : status.code() == StatusCode::kPermissionDenied ? "error.forbidden"
                                                                     : "error.bad_request";
  // A refusal is worded for the reader; the CSRF check's own refusal says why it differs.
  std::string message =
      status.code() == StatusCode::kNotFound ? Translate(ctx, req, "error.not_found.text")
      : status.code() == StatusCode::kPermissionDenied
          ? (ctx.catalogs.Has(status.message_key())  // the access rule's own reason
                 ? MessageOf(ctx, req, status)
                 : Translate(ctx, req,
                             status.message().find("CSRF") != std::string::npos ? "error.forbidden.text"
                                                                                : "error.forbidden.role"))
      : status.code() == StatusCode::kUnavailable ? Translate(ctx, req, "error.unavailable.text")
      : status.code() == StatusCode::kInternal    ? "internal error, request id " + req.request_id
                                                  : MessageOf(ctx, req, status);
  Json data = {{"heading", Translate(ctx, req, key)}, {"message", message}};
  return RenderPage(ctx, req, HttpStatus(status.code()), "error", data, data["heading"]);
}

std::optional<Response> ResponseCache::Find(const std::string& key, std::uint64_t version) {
  Shard& shard = For(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end() || it->second.first != version) return std::nullopt;
  return it->second.second;
}

void ResponseCache::Store(const std::string& key, std::uint64_t version, const Response& response) {
  if (response.body.size() > kMaxBytes / 4) return;
  Shard& shard = For(key);
  std::lock_guard lock(shard.mu);
  // A newer answer for the same key replaces the stale one: count only the difference.
  if (auto old = shard.entries.find(key); old != shard.entries.end()) {
    shard.bytes -= old->second.second.body.size();
    shard.entries.erase(old);
  }
  if (shard.entries.size() >= kMaxEntries || shard.bytes + response.body.size() > kMaxBytes) {
    shard.entries.clear();
    shard.bytes = 0;
  }
  shard.entries.emplace(key, std::make_pair(version, response));
  shard.bytes += response.body.size();
}

WebApp::WebApp(std::unique_ptr<Context> ctx) : ctx_(std::move(ctx)) {}
WebApp::~WebApp() = default;

Result<std::unique_ptr<WebApp>> WebApp::Create(storage::Database& db, records::Store& store,
                                               identity::Service& identity,
                                               const i18n::Catalogs& catalogs, std::string version,
                                               WebOptions options, const sso::Settings& sso,
                                               const notify::SmtpSettings& smtp) {
  auto ctx = std::unique_ptr<Context>(
      new Context{db, store, identity, catalogs, {}, std::move(version), {}, {}, nullptr, nullptr,
                  nullptr, nullptr, nullptr, {}, {}, nullptr, nullptr, nullptr});
  if (!store.catalog().Find(assessment::kAssessments)) {
    return Status::Internal("the catalog lacks the assessment kinds: call assessment::RegisterKinds");
  }
  ctx->assessment = std::make_unique<assessment::Service>(store);
  if (!store.catalog().Find(exportctl::kLicences)) {
    return Status::Internal("the catalog lacks the export-control kinds: call exportctl::RegisterKinds");
  }
  ctx->exportctl = std::make_unique<exportctl::Service>(store);
  if (!store.catalog().Find(plans::kPlans)) {
    return Status::Internal("the catalog lacks the plan kinds: call plans::RegisterKinds");
  }
  ctx->plans = std::make_unique<plans::Service>(store, *ctx->assessment);
  if (!store.catalog().Find(risk::kRegisters)) {
    return Status::Internal("the catalog lacks the risk kinds: call risk::RegisterKinds");
  }
  ctx->risk = std::make_unique<risk::Service>(store, *ctx->assessment);
  if (!store.catalog().Find(meetings::kActivities)) {
    return Status::Internal("the catalog lacks the meetings kinds: call meetings::RegisterKinds");
  }
  ctx->meetings = std::make_unique<meetings::Service>(store, *ctx->assessment, *ctx->plans);
  if (sso.enabled()) {
    CBRN_RETURN_IF_ERROR(sso::CheckSettings(sso));
    ctx->sso = std::make_unique<sso::Client>(db, identity, sso);
  }
  if (smtp.enabled()) {
    CBRN_RETURN_IF_ERROR(notify::CheckSmtpSettings(smtp));
    ctx->mail = std::make_unique<notify::Sender>(
        db, catalogs, smtp,
        notify::StoredScopes(store, {{"screenings", exportctl::ScreeningScope}}));
    // Due follow-ups and overdue milestones are looked for hourly (each is told once).
    ctx->mail->AddPeriodicCheck([c = ctx.get(), last = std::string()]() mutable {
      std::string hour = NowUtc().substr(0, 13);
      if (hour == last) return;
      last = hour;
      std::string today = hour.substr(0, 10);
      if (auto r = c->meetings->NotifyDueFollowUps(today); !r.ok()) spdlog::warn("follow-ups due: {}", r.status().message());
      if (auto r = c->plans->NotifyOverdueMilestones(today); !r.ok()) spdlog::warn("milestones overdue: {}", r.status().message());
    });
    ctx->mail->Start();
    ctx->mail_queue_gauge = metrics::RegisterScrapedGauge(
        "cbrnhub_mail_queue_length", "E-mail messages queued and not yet sent.",
        [&db]() -> double {
          auto n = notify::QueueLength(db);
          return n.ok() ? static_cast<double>(n.value()) : -1;
        });
  }
  const std::string prefix = "web/templates/";
  for (std::string_view path : assets::List(prefix)) {
    std::string name(path.substr(prefix.size()));
    if (name.size() > 5 && name.substr(name.size() - 5) == ".html") {
      CBRN_RETURN_IF_ERROR(
          ctx->templates.Add(name.substr(0, name.size() - 5), std::string(*assets::Find(path))));
    }
  }
  ctx->options = std::move(options);
  RegisterRoutes(*ctx);
  ctx->route_metrics.Reset(ctx->router.routes().size());
  return std::unique_ptr<WebApp>(new WebApp(std::move(ctx)));
}

const Router& WebApp::router() const { return ctx_->router; }

namespace {

access::Need NeedOf(Policy::Access a) {
  switch (a) {
    case Policy::Access::kPublic: return access::Need::kNone;
    case Policy::Access::kSession:
    case Policy::Access::kRead: return access::Need::kSignedIn;
    case Policy::Access::kWrite: return access::Need::kWriter;
    case Policy::Access::kAdmin: return access::Need::kAdmin;
    case Policy::Access::kAudit: return access::Need::kAudit;
    case Policy::Access::kExportControl: return access::Need::kExportControl;
    case Policy::Access::kMetrics:
      return access::Need::kMetrics;
  }
  return access::Need::kAdmin;
}

bool ChangesState(const Request& req) {
  return req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS";
}

// Where a signed-in person who still owes something (second factor, enrolment) must go.
std::string PendingStep(const identity::Session& s) {
  if (s.mfa_pending) return "/login/totp";
  if (s.enrolment_required) return "/account/totp";
  return "";
}

// Answers one request; `*matched` is the route that matched (nullptr for none).
Response Dispatch(Ctx& ctx, Request& req, const Route** matched) {
  std::string chosen = req.Query("lang");
  bool path_matched = false;
  std::string allowed;
  const Route* route = ctx.router.Match(req, &path_matched, &allowed);
  *matched = route;

  // Read once per request: it validates both the session cache and the response cache.
  std::uint64_t data_version = ctx.db.DataVersion();
  // Who is asking: an API token, else a session cookie.
  std::string pending;
  bool cookie_auth = false;
  std::string authorization = req.Header("authorization");
  // A calendar program subscribing to an iCalendar feed cannot send a header: those feeds (and
  // only they, read-only GETs) take the API token as ?token= (the access log hides it).
  bool feed = route && req.method == "GET" && route->pattern.size() > 4 &&
              route->pattern.compare(route->pattern.size() - 4, 4, ".ics") == 0;
  if (authorization.empty() && feed && !req.Query("token").empty()) authorization = "Bearer " + req.Query("token");
  if (authorization.rfind("Bearer ", 0) == 0) {
    auto who = ctx.identity.AuthenticateToken(authorization.substr(7));
    if (!who.ok()) return ErrorResponse(who.status());
    req.who = std::move(who).value();
  } else if (std::string token = req.Cookie("cbrnhub_session"); !token.empty()) {
    auto session = ctx.identity.Authenticate(token, data_version);
    if (session.ok()) {
      req.session_token = token;
      req.csrf_token = session->csrf_token;
      pending = PendingStep(*session);
      // Until the second factor is given (or enrolment done), the session is not a sign-in.
      if (pending.empty() || (pending == "/account/totp")) req.who = session->who;
      cookie_auth = true;
    }
  }

  // Language: ?lang=, else the cookie, else the signed-in user's choice, else the browser's.
  std::string cookie_lang = req.Cookie("lang");
  req.lang = ctx.catalogs.Negotiate(chosen, cookie_lang.empty() ? req.who.language : cookie_lang,
                                    req.Header("accept-language"));
  Response res;
  if (!route) {
    if (path_matched) {
      res = ErrorFor(ctx, req, Status::Invalid("", "method " + req.method + " not allowed here"));
      res.status = 405;
      res.headers.emplace_back("Allow", allowed);
    } else {
      res = ErrorFor(ctx, req, Status::NotFound("no such path: " + req.path));
    }
    return res;
  }
  bool api = IsApi(req);
  // A session that still owes a step may reach only that step, signing out and static files.
  if (!pending.empty() && route->policy.access != Policy::Access::kPublic &&
      route->policy.access != Policy::Access::kSession && req.path != pending) {
    if (api) {
      return ErrorResponse({StatusCode::kUnauthenticated,
                            pending == "/login/totp" ? "second factor required: POST /api/v1/session/totp"
                                                     : "your role requires two-factor sign-in: enrol first"});
    }
    return Response::Redirect(pending);
  }
  // Only the metrics route looks at the caller's address.
  bool from_monitoring = route->policy.access == Policy::Access::kMetrics &&
                         ctx.options.metrics_allow.Contains(req.remote_addr);
  switch (access::DecideRoute(req.who, NeedOf(route->policy.access), from_monitoring)) {
    case access::Decision::kAllow:
      break;
    case access::Decision::kUnauthenticated:
      if (route->policy.access == Policy::Access::kSession && cookie_auth) break;
      if (api) return ErrorResponse({StatusCode::kUnauthenticated, "sign in first"});
      return Response::Redirect("/login?next=" + PercentEncode(req.target));
    case access::Decision::kForbidden:
      return ErrorFor(ctx, req, {StatusCode::kPermissionDenied,
                                 "your role may not do this (" + route->policy.resource + ")"});
  }
  // A browser sends the cookie with any request to us, even one another site makes it send:
  // state changes made with a cookie must carry the session's CSRF token.
  if (cookie_auth && ChangesState(req)) {
    std::string sent = req.Header("x-csrf-token");
    if (sent.empty() && req.Header("content-type").find("application/x-www-form-urlencoded") !=
                            std::string::npos) {
      std::multimap<std::string, std::string> form;
      ParseQuery(req.body, form);
      auto it = form.find("csrf_token");
      if (it != form.end()) sent = it->second;
    } else if (sent.empty() && req.Header("content-type").rfind("multipart/form-data", 0) == 0) {
      if (auto parts = ParseMultipart(req.Header("content-type"), req.body); parts.ok()) {
        for (const auto& part : *parts) {
          if (part.name == "csrf_token" && part.filename.empty()) sent = part.data;
        }
      }
    }
    if (sent.empty() || sent != req.csrf_token) {
      return ErrorFor(ctx, req, {StatusCode::kPermissionDenied,
                                 "missing or wrong CSRF token: reload the page and try again"});
    }
  }

  // The data version is read before the handler runs: a change committed meanwhile makes
  // the stored entry stale at once. The caller is part of the key: what one sees, another may not.
  std::uint64_t version = route->cacheable && chosen.empty() ? data_version : 0;
  // (The CSRF token stands for the session: pages carry it in their forms.)
  std::string key = version ? req.who.user_id + " " + req.csrf_token + " " + req.lang + " " +
                                  req.target
                            : std::string();
  if (auto hit = version ? ctx.cache.Find(key, version) : std::nullopt) {
    metrics::Get().cache_hits.Add();
    res = std::move(*hit);
  } else {
    if (version) metrics::Get().cache_misses.Add();
    try {
      res = route->handler(req);
    } catch (const std::exception& e) {
      spdlog::error("request {} {} {} threw: {}", req.request_id, req.method, req.target, e.what());
      res = ErrorFor(ctx, req, Status::Internal(e.what()));
    }
    if (version && res.status == 200) ctx.cache.Store(key, version, res);
  }
  if (!chosen.empty() && chosen == req.lang) {
    res.headers.emplace_back("Set-Cookie",
                             "lang=" + req.lang + "; Path=/; Max-Age=31536000; SameSite=Lax");
  }
  if (!api) res.headers.emplace_back("Vary", "Cookie, Accept-Language");
  return res;
}

// Behind a trusted reverse proxy the client is the last address the proxy appended to
// X-Forwarded-For; earlier entries come from the client and may be forged.
void TakeForwardedAddress(const WebOptions& options, Request& req) {
  if (options.trusted_proxies.empty() || !options.trusted_proxies.Contains(req.remote_addr)) return;
  std::string header = req.Header("x-forwarded-for");
  auto comma = header.rfind(',');
  std::string last = header.substr(comma == std::string::npos ? 0 : comma + 1);
  last.erase(0, last.find_first_not_of(' '));
  last.erase(last.find_last_not_of(' ') + 1);
  if (last.empty() || last.find('/') != std::string::npos) return;
  auto parsed = AddressList::Parse(last);
  if (parsed.ok() && !parsed->empty()) req.remote_addr = last;
}

}  // namespace

Response WebApp::Handle(Request& req) {
  auto started = std::chrono::steady_clock::now();
  TakeForwardedAddress(ctx_->options, req);
  const Route* route = nullptr;
  Response res = Dispatch(*ctx_, req, &route);
  const auto& routes = ctx_->router.routes();
  ctx_->route_metrics.Record(
      route ? static_cast<size_t>(route - routes.data()) : RouteMetrics::kNoRoute, res.status,
      std::chrono::steady_clock::now() - started);
  return res;
}

}  // namespace cbrnhub::http
