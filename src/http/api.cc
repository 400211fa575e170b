// JSON API handlers: parse, call the module, render. No SQL here.
#include "http/handlers.h"
#include "network/network.h"

namespace cbrnhub::http {
namespace {

// Parses a non-negative integer query parameter; InvalidArgument naming it otherwise.
Result<int> IntParam(const Request& req, const std::string& name, int fallback) {
  std::string v = req.Query(name);
  if (v.empty()) return fallback;
  if (v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid(name, name + " must be a whole number, not '" + v + "'");
  }
  return std::stoi(v);
}

// Query parameters that are not filters.
bool IsControlParam(const std::string& name) {
  return name == "limit" || name == "offset" || name == "q" || name == "include_deleted" ||
         name == "lang";
}

}  // namespace

Response ApiIndex(Ctx& ctx, Request&) {
  Json resources = Json::object();
  for (const auto& kind : ctx.store.catalog().kinds()) {
    resources[kind.name] = "/api/v1/" + kind.name;
  }
  Json body = {{"name", "cbrnhub"},
               {"version", ctx.version},
               {"openapi", "/api/v1/openapi.json"},
               {"resources", resources},
               {"views", {{"network", "/api/v1/network"},
                          {"region", "/api/v1/regions/{code}/overview"},
                          {"country", "/api/v1/countries/{iso2}/overview"}}}};
  return JsonOk(200, body);
}

Response ApiList(Ctx& ctx, Request& req, const std::string& kind) {
  records::ListQuery q;
  auto limit = IntParam(req, "limit", 100);
  if (!limit.ok()) return ErrorResponse(limit.status());
  auto offset = IntParam(req, "offset", 0);
  if (!offset.ok()) return ErrorResponse(offset.status());
  q.limit = *limit;
  q.offset = *offset;
  q.text = req.Query("q");
  q.include_deleted = req.Query("include_deleted") == "true";
  for (const auto& [name, value] : req.query) {
    if (!IsControlParam(name)) q.filters[name] = value;
  }
  auto page = ctx.store.List(CallerOf(req), kind, q);
  if (!page.ok()) return ErrorResponse(page.status());
  Json body = {{"items", page->items}, {"total", page->total}, {"limit", q.limit},
               {"offset", q.offset}};
  return JsonOk(200, body);
}

Response ApiGet(Ctx& ctx, Request& req, const std::string& kind) {
  auto record = ctx.store.Get(CallerOf(req), kind, req.Param("id"));
  if (!record.ok()) return ErrorResponse(record.status());
  Response r = JsonOk(200, *record);
  r.headers.emplace_back("ETag", "\"" + std::to_string((*record)["revision"].get<std::int64_t>()) + "\"");
  return r;
}

Response ApiCreate(Ctx& ctx, Request& req, const std::string& kind) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  auto created = ctx.store.Create(CallerOf(req), kind, *body);
  if (!created.ok()) return ErrorResponse(created.status());
  Response r = JsonOk(201, *created);
  r.headers.emplace_back("Location", "/api/v1/" + kind + "/" + (*created)["id"].get<std::string>());
  return r;
}

Response ApiUpdate(Ctx& ctx, Request& req, const std::string& kind, bool replace) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  // If-Match: "<revision>" is the HTTP way to say which revision the change is based on.
  std::string if_match = req.Header("if-match");
  if (!if_match.empty() && body->is_object() && !body->contains("revision")) {
    std::string digits;
    for (char c : if_match) {
      if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    }
    if (!digits.empty() && digits.size() < 18) (*body)["revision"] = std::stoll(digits);
  }
  auto updated = ctx.store.Update(CallerOf(req), kind, req.Param("id"), *body, replace);
  if (!updated.ok()) return ErrorResponse(updated.status());
  return JsonOk(200, *updated);
}

Response ApiDelete(Ctx& ctx, Request& req, const std::string& kind) {
  std::optional<std::int64_t> revision;
  if (!req.Query("revision").empty()) {
    auto r = IntParam(req, "revision", 0);
    if (!r.ok()) return ErrorResponse(r.status());
    revision = *r;
  }
  Status st = ctx.store.Delete(CallerOf(req), kind, req.Param("id"), revision);
  if (!st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

Response ApiRestore(Ctx& ctx, Request& req, const std::string& kind) {
  auto restored = ctx.store.Restore(CallerOf(req), kind, req.Param("id"));
  if (!restored.ok()) return ErrorResponse(restored.status());
  return JsonOk(200, *restored);
}

Response ApiHistory(Ctx& ctx, Request& req, const std::string& kind) {
  auto history = ctx.store.History(CallerOf(req), kind, req.Param("id"));
  if (!history.ok()) return ErrorResponse(history.status());
  return JsonOk(200, Json{{"items", *history}});
}

Response ApiNetwork(Ctx& ctx, Request& req) {
  auto view = network::NetworkOverview(ctx.store, CallerOf(req));
  if (!view.ok()) return ErrorResponse(view.status());
  return JsonOk(200, *view);
}

Response ApiRegionOverview(Ctx& ctx, Request& req) {
  auto view = network::RegionOverview(ctx.store, CallerOf(req), req.Param("id"));
  if (!view.ok()) return ErrorResponse(view.status());
  return JsonOk(200, *view);
}

Response ApiCountryOverview(Ctx& ctx, Request& req) {
  auto view = network::CountryOverview(ctx.store, CallerOf(req), req.Param("id"));
  if (!view.ok()) return ErrorResponse(view.status());
  return JsonOk(200, *view);
}

Response Healthz(Ctx&, Request&) { return JsonOk(200, Json{{"status", "ok"}}); }

Response Readyz(Ctx& ctx, Request&) {
  // Ready means: the database answers and has the schema this binary expects.
  auto version = storage::SchemaVersion(ctx.db);
  if (!version.ok()) return ErrorResponse(version.status());
  if (*version != storage::LatestSchemaVersion()) {
    return ErrorResponse(Status::Unavailable("database schema is at version " +
                                             std::to_string(*version) + ", expected " +
                                             std::to_string(storage::LatestSchemaVersion())));
  }
  return JsonOk(200, Json{{"status", "ready"}, {"database", ctx.db.Describe()},
                          {"schema_version", *version}});
}

}  // namespace cbrnhub::http
