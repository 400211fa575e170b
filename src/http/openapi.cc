// The OpenAPI 3 document of the JSON API (GET /api/v1/openapi.json). Paths, methods, path
// parameters, summaries and access come from the route table; record bodies from the kinds'
// field specs; what neither can say (query parameters, request bodies that are not records,
// success statuses other than 200) is written in kRouteDocs below, next to each other so that
// a new route's documentation is one line. scripts/openapi-lint checks the served document with
// Redocly's linter; tests/openapi_test.cc checks that every API route is in it.
#include <cctype>
#include <map>
#include <set>
#include <vector>

#include "http/handlers.h"

namespace cbrnhub::http {
namespace {

struct QueryParam {
  const char* name;
  const char* type;  // "string", "integer", "boolean"
  const char* description;
};

// What the route table does not say about a route.
constexpr int kCreatedOrUnchanged = -1;  // 201 when something new was loaded, 200 when unchanged

struct RouteDoc {
  int success = 0;  // 0: 201 for POST creating a record, 204 for DELETE, else 200
  std::vector<QueryParam> query;
  // The request body's media type and what it holds; none for routes without a body.
  const char* body_type = nullptr;
  const char* body = "";
  // The success response's media type, when not JSON.
  const char* produces = "application/json";
  bool body_optional = false;  // the body may be left out (defaults apply)
};

const QueryParam kLimit{"limit", "integer", "page size, 1-500 (default 100)"};
const QueryParam kOffset{"offset", "integer", "items to skip (default 0)"};
const QueryParam kQ{"q", "string", "words to search for"};
const QueryParam kCountry{"country", "string", "ISO 3166 alpha-2 code of a country"};
const QueryParam kRegion{"region", "string", "region code"};
const QueryParam kAllowIncomplete{"allow_incomplete", "boolean",
                                  "true: accept texts missing in a declared language"};
constexpr const char* kJson = "application/json";
constexpr const char* kYaml = "application/yaml";
constexpr const char* kUpload = "multipart/form-data";
constexpr const char* kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const std::map<std::string, RouteDoc>& RouteDocs() {
  static const std::map<std::string, RouteDoc> kRouteDocs = {
      {"GET /metrics", {200, {}, nullptr, "", "text/plain"}},
      {"POST /api/v1/session", {201, {}, kJson, "{\"username\", \"password\"}"}},
      {"DELETE /api/v1/session", {204}},
      {"POST /api/v1/session/totp", {200, {}, kJson, "{\"code\"}: the second factor"}},
      {"POST /api/v1/account/password",
       {200, {}, kJson, "{\"current_password\", \"new_password\"}"}},
      {"POST /api/v1/account/totp", {200, {}, nullptr, ""}},
      {"POST /api/v1/account/totp/confirm", {200, {}, kJson, "{\"code\"}"}},
      {"POST /api/v1/account/language",
       {200, {}, kJson, "{\"language\"}: en, fr, ru, ar, or \"\" for the browser's"}},
      {"PUT /api/v1/account/notifications",
       {200, {}, kJson, "{\"mode\": immediate|digest|none}: how the caller hears of events"}},
      {"GET /api/v1/admin/mail",
       {200,
        {{"status", "string", "queued, sent, failed or dropped (default: all)"},
         {"limit", "integer", "messages, newest first, 1-1000 (default 100)"}}}},
      {"POST /api/v1/tokens", {201, {}, kJson, "{\"name\", \"days\"}"}},
      {"DELETE /api/v1/tokens/{id}", {204}},
      {"POST /api/v1/users",
       {201,
        {},
        kJson,
        "{\"username\", \"display_name\", \"email\", \"role\", \"country\", \"region\"}"}},
      {"PATCH /api/v1/users/{id}",
       {200, {}, kJson, "any of display_name, email, role, country, region, disabled"}},
      {"POST /api/v1/users/{id}/reset-totp", {200}},
      {"POST /api/v1/users/{id}/invite", {200}},
      {"PUT /api/v1/roles/{role}", {200, {}, kJson, "{\"require_2fa\": true|false}"}},
      {"GET /api/v1/audit",
       {200,
        {{"actor", "string", "who acted (user:ID or a system name)"},
         {"entity_kind", "string", "record kind"},
         {"entity_id", "string", "record id"},
         {"action", "string", "create, update, delete, sign_in, ..."},
         {"since", "string", "ISO 8601 time, inclusive"},
         {"until", "string", "ISO 8601 time, exclusive"},
         kLimit,
         kOffset}}},
      {"POST /api/v1/questionnaires",
       {kCreatedOrUnchanged,
        {kAllowIncomplete},
        kYaml,
        "a questionnaire definition (docs/assessment.md)"}},
      {"POST /api/v1/questionnaires/{id}/mappings/{to}",
       {201, {}, kYaml, "how answers carry to version {to}"}},
      {"PUT /api/v1/assessments/{id}/answers/{question}",
       {200, {}, kJson, "{\"value\", \"comment\", \"revision\"}"}},
      {"POST /api/v1/assessments/{id}/transition",
       {200, {}, kJson, "{\"to\": submitted|validated|returned, \"comment\"}"}},
      {"POST /api/v1/assessments/{id}/carry", {201, {}, kJson, "{\"questionnaire_id\"}"}},
      {"POST /api/v1/assessments/{id}/evidence", {201, {}, kUpload, "parts question and file"}},
      {"GET /api/v1/evidence/{id}", {200, {}, nullptr, "", "application/octet-stream"}},
      {"GET /api/v1/assessments/{id}/workbook.xlsx", {200, {}, nullptr, "", kXlsx}},
      {"POST /api/v1/assessments/{id}/workbook",
       {201, {}, kUpload, "part file: the workbook (or the XLSX as the whole body)"}},
      {"POST /api/v1/assessments/{id}/workbook/{import}/apply", {200}},
      {"POST /api/v1/action_plans/{id}/adopt", {200, {}, kJson, "{\"note\"}"}},
      {"POST /api/v1/action_plans/{id}/revise", {200, {}, kJson, "{\"note\"}"}},
      {"GET /api/v1/action_plans/{id}/view",
       {200, {{"as_of", "string", "YYYY-MM-DD: the plan as it was then"}}}},
      {"GET /api/v1/action_plans/{id}/diff",
       {200, {{"from", "integer", "version (0 = now)"}, {"to", "integer", "version (0 = now)"}}}},
      {"POST /api/v1/assessments/{id}/plan",
       {200,
        {},
        kJson,
        "{\"title\"}: the new plan's title (default: from the assessment)",
        kJson,
        true}},
      {"POST /api/v1/projects/{id}/transition", {200, {}, kJson, "{\"to\", \"note\"}"}},
      {"POST /api/v1/regions/{code}/project-ideas",
       {201, {}, kJson, "{\"question\"}: the shared priority's question"}},
      {"GET /api/v1/portfolio",
       {200,
        {kRegion,
         {"theme", "string", "project theme"},
         {"status", "string", "project status"},
         kCountry,
         {"year", "integer", "projects running that year"}}}},
      {"GET /api/v1/portfolio.xlsx",
       {200,
        {kRegion,
         {"theme", "string", "project theme"},
         {"status", "string", "project status"},
         kCountry,
         {"year", "integer", "projects running that year"}},
        nullptr,
        "",
        kXlsx}},
      {"GET /api/v1/action_plans/{id}/workbook.xlsx", {200, {}, nullptr, "", kXlsx}},
      {"POST /api/v1/action_plans/{id}/workbook",
       {201, {}, kUpload, "part file: the workbook (or the XLSX as the whole body)"}},
      {"POST /api/v1/action_plans/{id}/workbook/{import}/apply", {200}},
      {"POST /api/v1/risk_methods",
       {kCreatedOrUnchanged, {kAllowIncomplete}, kYaml, "a risk method (docs/risk.md)"}},
      {"POST /api/v1/risk_methods/check",
       {200, {}, kYaml, "a risk method to check; nothing is loaded"}},
      {"GET /api/v1/risk_registers/{id}/view",
       {200,
        {{"hazard", "string", "only scenarios of this hazard"},
         {"criterion", "string", "the impact criterion of the matrix"}}}},
      {"POST /api/v1/risk_registers/{id}/validate", {200, {}, kJson, "{\"note\"}"}},
      {"POST /api/v1/risk_registers/{id}/revise", {200, {}, kJson, "{\"note\"}"}},
      {"GET /api/v1/risk_registers/{id}/workbook.xlsx", {200, {}, nullptr, "", kXlsx}},
      {"POST /api/v1/risk_registers/{id}/workbook",
       {201, {}, kUpload, "part file: the workbook (or the XLSX as the whole body)"}},
      {"POST /api/v1/risk_registers/{id}/workbook/{import}/apply", {200}},
      {"PUT /api/v1/risk_scenarios/{id}/rating",
       {200, {}, kJson, "{\"likelihood\": {...}, \"impacts\": {...}}"}},
      {"POST /api/v1/risk_scenarios/{id}/evidence", {201, {}, kUpload, "part file"}},
      {"GET /api/v1/risk_evidence/{id}", {200, {}, nullptr, "", "application/octet-stream"}},
      {"GET /api/v1/regions/{code}/risks",
       {200, {{"criterion", "string", "the impact criterion of the matrix"}}}},
      {"POST /api/v1/activities/{id}/documents", {201, {}, kUpload, "part file"}},
      {"POST /api/v1/activities/{id}/places",
       {201, {}, kUpload, "part file: CSV name,kind,lat,lon (or the CSV as the whole body)"}},
      {"POST /api/v1/hazard/footprint",
       {200,
        {{"format", "string", "geojson, svg or csv"},
         {"lang", "string", "the map's language: en, fr, ru or ar"},
         {"members", "integer", "ensemble members for the probability map (0-1000)"},
         {"level", "integer", "the zone whose probability is drawn: 3, 2 or 1"}},
        kJson,
        "a release (docs/hazard.md)",
        "application/geo+json"}},
      {"GET /api/v1/hazard_scenarios/{id}/footprint.geojson",
       {200,
        {{"members", "integer", "ensemble members for the probability map (0-1000)"},
         {"level", "integer", "the zone whose probability is drawn: 3, 2 or 1"}},
        nullptr,
        "",
        "application/geo+json"}},
      {"GET /api/v1/activity-documents/{id}", {200, {}, nullptr, "", "application/octet-stream"}},
      {"POST /api/v1/follow_ups/{id}/close", {200, {}, kJson, "{\"note\"}"}},
      {"GET /api/v1/lessons/search",
       {200,
        {kQ,
         {"theme", "string", "lesson theme"},
         kRegion,
         {"activity_type", "string", "type of the activity"},
         kCountry,
         kLimit}}},
      {"POST /api/v1/exercise_evaluations/{id}/lesson", {201}},
      {"GET /api/v1/calendar",
       {200,
        {kRegion, kCountry, {"from", "string", "YYYY-MM-DD"}, {"to", "string", "YYYY-MM-DD"}}}},
      {"GET /api/v1/regions/{code}/calendar.ics",
       {200,
        {{"token", "string", "an API token, for calendar programs that cannot send a header"}},
        nullptr,
        "",
        "text/calendar"}},
      {"GET /api/v1/countries/{iso2}/calendar.ics",
       {200,
        {{"token", "string", "an API token, for calendar programs that cannot send a header"}},
        nullptr,
        "",
        "text/calendar"}},
      {"GET /api/v1/regions/{code}/brief",
       {200,
        {{"date", "string", "YYYY-MM-DD (default today)"},
         {"format", "string", "json (default), html or pdf"},
         {"lang", "string", "en, fr, ru or ar"}}}},
      {"GET /api/v1/sanctions/editions", {200, {{"list", "string", "list code, e.g. un"}}}},
      {"POST /api/v1/sanctions/editions",
       {kCreatedOrUnchanged,
        {},
        kJson,
        "{\"list_code\", \"format\", \"content\", \"add\", \"alt\", \"source_name\"} (or multipart "
        "parts file, add, alt)"}},
      {"GET /api/v1/sanctions/editions/{id}/changes", {200, {kLimit, kOffset}}},
      {"POST /api/v1/screenings",
       {201,
        {},
        kJson,
        "{\"name\", \"country\", \"birth_date\", \"id_number\", \"id\", \"threshold\"}"}},
      {"POST /api/v1/screenings/batch",
       {201, {}, kJson, "{\"parties\": [...], \"threshold\"} or a text/csv body"}},
      {"POST /api/v1/screenings/rescreen", {200}},
      {"GET /api/v1/screenings",
       {200, {{"status", "string", "open, hits or clear"}, kLimit, kOffset}}},
      {"POST /api/v1/screenings/{id}/decisions",
       {200,
        {},
        kJson,
        "{\"list\", \"entity_id\", \"decision\": true_match|false_positive|escalated, "
        "\"reason\"}"}},
      {"GET /api/v1/control-list", {200, {kQ}}},
      {"POST /api/v1/control-list",
       {200, {}, "text/csv", "control-list entries (docs/screening.md)"}},
      {"POST /api/v1/licences/{id}/transition",
       {200, {}, kJson, "{\"to\": submitted|under_review|granted|denied|withdrawn, \"note\"}"}},
      {"POST /api/v1/licences/{id}/opinions",
       {201,
        {},
        kJson,
        "{\"agency\", \"opinion\": no_objection|approve_with_conditions|object, \"text\"}"}},
  };
  return kRouteDocs;
}

// The record kind a route of the generic record API serves ("" for other routes).
std::string KindOf(const Route& route, const records::Catalog& catalog) {
  const std::string prefix = "/api/v1/";
  if (route.pattern.rfind(prefix, 0) != 0) return "";
  std::string rest = route.pattern.substr(prefix.size());
  std::string kind = rest.substr(0, rest.find('/'));
  if (!catalog.Find(kind)) return "";
  std::string tail = rest.substr(kind.size());
  static const std::set<std::string> kGeneric = {"", "/{id}", "/{id}/restore", "/{id}/history"};
  return kGeneric.count(tail) ? kind : "";
}

std::string OperationId(const Route& route) {
  std::string id;
  for (char c : route.method) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool upper = true;
  std::string path =
      route.pattern.rfind("/api/v1", 0) == 0 ? route.pattern.substr(7) : route.pattern;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '{') {
      id += "By";
      upper = true;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return path.empty() ? id + "Index" : id;
}

std::string TagOf(const Route& route) {
  if (route.pattern.rfind("/api/v1/", 0) != 0) return "system";
  std::string rest = route.pattern.substr(8);
  return rest.substr(0, rest.find('/'));
}

Json ErrorResponseRef(const char* name) {
  return {{"$ref", std::string("#/components/responses/") + name}};
}

Json Text(const std::string& type) { return {{"type", type}}; }

}  // namespace

Response ApiOpenApi(Ctx& ctx, Request& req) {
  const records::Catalog& catalog = ctx.store.catalog();
  Json schemas = Json::object();
  for (const auto& kind : catalog.kinds()) {
    Json props = {
        {"id", {{"type", "string"}, {"format", "uuid"}, {"readOnly", true}}},
        {"owner",
         {{"type", "string"},
          {"readOnly", true},
          {"description", "owner scope: network, region:CODE or country:ISO2"}}},
        {"revision",
         {{"type", "integer"}, {"description", "send back on update to detect concurrent edits"}}},
        {"created_at", {{"type", "string"}, {"readOnly", true}}},
        {"updated_at", {{"type", "string"}, {"readOnly", true}}}};
    Json required = Json::array();
    for (const auto& f : kind.fields) {
      Json p = {{"type", f.type == records::FieldType::kInteger ? "integer" : "string"}};
      if (f.type != records::FieldType::kInteger) p["maxLength"] = f.max_length;
      if (f.type == records::FieldType::kChoice) p["enum"] = f.choices;
      if (f.type == records::FieldType::kEmail) p["format"] = "email";
      if (f.type == records::FieldType::kUrl) p["format"] = "uri";
      if (f.type == records::FieldType::kDate) p["format"] = "date";
      if (f.type == records::FieldType::kReference) {
        p["description"] = "id (or natural key) of a " + f.references + " record";
        p["nullable"] = true;
      }
      if (f.required) required.push_back(f.name);
      props[f.name] = p;
    }
    schemas[kind.name] = {{"type", "object"}, {"properties", props}};
    if (!required.empty()) schemas[kind.name]["required"] = required;
  }
  schemas["Error"] = {
      {"type", "object"},
      {"required", {"code", "message"}},
      {"properties",
       {{"code", {{"type", "string"}, {"description", "stable code (docs/api.md)"}}},
        {"message", {{"type", "string"}, {"description", "for people"}}},
        {"field", {{"type", "string"}, {"description", "the request field at fault"}}}}}};
  Json error_content = {
      {"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}};
  auto error = [&](const char* text) {
    return Json{{"description", text}, {"content", error_content}};
  };
  Json responses = {
      {"BadRequest", error("invalid_argument: malformed body, invalid field or query parameter")},
      {"Unauthenticated",
       error("unauthenticated: not signed in, session ended, second factor required")},
      {"Forbidden", error("permission_denied: the role may not do this, or a missing CSRF token")},
      {"NotFound", error("not_found: no such record, or one the caller may not read")},
      {"Conflict",
       error("conflict: stale revision, a unique value taken, a step from the wrong state")},
      {"TooLarge", error("too_large: body over body_limit or upload_limit")},
      {"TooManyRequests", error("too_many_requests: too many failed sign-ins from the address")},
      {"Unavailable", error("unavailable: the database does not answer")},
  };

  Json paths = Json::object();
  std::set<std::string> tags, operation_ids;
  for (const auto& route : ctx.router.routes()) {
    bool api = route.pattern.rfind("/api/", 0) == 0 || route.pattern == "/api/v1";
    if (!api && route.pattern != "/healthz" && route.pattern != "/readyz" &&
        route.pattern != "/metrics")
      continue;
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string key = route.method + " " + route.pattern;
    auto found = RouteDocs().find(key);
    RouteDoc doc = found != RouteDocs().end() ? found->second : RouteDoc{};
    const std::string kind = KindOf(route, catalog);
    const bool is_public = route.policy.access == Policy::Access::kPublic;
    const bool changes = route.method != "GET" && route.method != "HEAD";

    std::string operation_id = OperationId(route);
    for (int n = 2; operation_ids.count(operation_id); ++n)
      operation_id = OperationId(route) + std::to_string(n);
    operation_ids.insert(operation_id);
    std::string tag = TagOf(route);
    tags.insert(tag);
    Json op = {
        {"summary", route.summary}, {"operationId", operation_id}, {"tags", Json::array({tag})}};
    if (is_public) op["security"] = Json::array();

    Json params = Json::array();
    size_t pos = 0;
    while ((pos = route.pattern.find('{', pos)) != std::string::npos) {
      auto end = route.pattern.find('}', pos);
      std::string name = route.pattern.substr(pos + 1, end - pos - 1);
      params.push_back(
          {{"name", name},
           {"in", "path"},
           {"required", true},
           {"description",
            name == "id" && !kind.empty() ? "UUID or natural key of the record" : name},
           {"schema", Text("string")}});
      pos = end;
    }
    std::vector<QueryParam> query = doc.query;
    if (!kind.empty() && route.method == "GET" && route.pattern == "/api/v1/" + kind) {
      query = {kLimit, kOffset, kQ, {"include_deleted", "boolean", "true: deleted records too"}};
      for (const auto& f : catalog.Find(kind)->fields) {
        params.push_back({{"name", f.name},
                          {"in", "query"},
                          {"required", false},
                          {"description", "only records whose " + f.name +
                                              " is this value (references: id or key)"},
                          {"schema", Text("string")}});
      }
    }
    if (!kind.empty() && route.method == "DELETE") {
      query = {{"revision", "integer", "the revision read; a stale one answers 409"}};
    }
    for (const auto& q : query) {
      params.push_back({{"name", q.name},
                        {"in", "query"},
                        {"required", false},
                        {"description", q.description},
                        {"schema", Text(q.type)}});
    }
    if (!params.empty()) op["parameters"] = params;

    // The request body: a record for the generic record routes, else what kRouteDocs says.
    if (!kind.empty() &&
        (route.method == "POST" || route.method == "PUT" || route.method == "PATCH") &&
        route.pattern.find("/restore") == std::string::npos) {
      op["requestBody"] = {
          {"required", true},
          {"description", route.method == "PATCH" ? "the fields to change" : "the record"},
          {"content", {{kJson, {{"schema", {{"$ref", "#/components/schemas/" + kind}}}}}}}};
    } else if (doc.body_type) {
      op["requestBody"] = {
          {"required", !doc.body_optional},
          {"description", doc.body},
          {"content",
           {{doc.body_type,
             {{"schema", Text(std::string(doc.body_type) == kJson ? "object" : "string")}}}}}};
    }

    // Success: what kRouteDocs says, else 201 for a new record, 204 for a delete, 200 otherwise.
    int success = doc.success;
    if (success == 0) {
      success = route.method == "DELETE" ? 204
                : route.method == "POST" && !kind.empty() && route.pattern == "/api/v1/" + kind
                    ? 201
                    : 200;
    }
    const std::string produces = doc.produces;
    Json schema = Text(produces == kJson ? "object" : "string");
    if (!kind.empty() && route.pattern.find("/history") == std::string::npos) {
      schema =
          route.method == "GET" && route.pattern == "/api/v1/" + kind
              ? Json{{"type", "object"},
                     {"properties",
                      {{"items",
                        {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/" + kind}}}}},
                       {"total", Text("integer")},
                       {"limit", Text("integer")},
                       {"offset", Text("integer")}}}}
              : Json{{"$ref", "#/components/schemas/" + kind}};
    }
    if (produces != kJson && produces != "text/plain" && produces != "text/calendar")
      schema["format"] = "binary";
    Json body_content = {{produces, {{"schema", schema}}}};
    Json res = Json::object();
    if (success == kCreatedOrUnchanged) {
      res["201"] = {{"description", "loaded"}, {"content", body_content}};
      res["200"] = {{"description", "unchanged: the same content was loaded before"},
                    {"content", body_content}};
    } else if (success == 204) {
      res["204"] = {{"description", "done, no content"}};
    } else {
      res[std::to_string(success)] = {{"description", success == 201 ? "created" : "success"},
                                      {"content", body_content}};
    }
    // Errors, by what the route can meet.
    if (!is_public || key == "POST /api/v1/session")
      res["401"] = ErrorResponseRef("Unauthenticated");
    if (!is_public) res["403"] = ErrorResponseRef("Forbidden");
    if (route.pattern.find('{') != std::string::npos) res["404"] = ErrorResponseRef("NotFound");
    if (changes && route.pattern != "/api/v1/session") res["409"] = ErrorResponseRef("Conflict");
    if (op.contains("requestBody")) res["413"] = ErrorResponseRef("TooLarge");
    if (key == "POST /api/v1/session") res["429"] = ErrorResponseRef("TooManyRequests");
    // Any request the server cannot read (a malformed request line, header or query) gets 400.
    if (!res.contains("400")) res["400"] = ErrorResponseRef("BadRequest");
    res["503"] = ErrorResponseRef("Unavailable");
    op["responses"] = res;
    paths[route.pattern][method] = op;
  }

  Json tag_list = Json::array();
  for (const auto& t : tags) {
    std::string description = catalog.Find(t) ? "records of kind " + t + " and their operations"
                              : t == "system" ? "health, readiness, metrics and this document"
                                              : "the " + t + " routes";
    tag_list.push_back({{"name", t}, {"description", description}});
  }
  // The server that answered is the one described; behind a proxy, the address the client used.
  std::string scheme = req.Header("x-forwarded-proto") == "https" ? "https" : "http";
  std::string host = req.Header("host").empty() ? "127.0.0.1:8080" : req.Header("host");
  Json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "cbrnhub API"},
        {"version", ctx.version},
        {"description",
         "JSON API of cbrnhub. Errors are {\"code\", \"message\", \"field\"} (docs/api.md). Sign "
         "in with an API "
         "token (Authorization: Bearer) or the session cookie (with X-CSRF-Token on changes)."}}},
      {"servers", {{{"url", scheme + "://" + host}, {"description", "this server"}}}},
      {"security", {{{"bearerToken", Json::array()}}, {{"sessionCookie", Json::array()}}}},
      {"tags", tag_list},
      {"paths", paths},
      {"components",
       {{"schemas", schemas},
        {"responses", responses},
        {"securitySchemes",
         {{"bearerToken",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"bearerFormat", "cbh_..."},
            {"description", "an API token (POST /api/v1/tokens)"}}},
          {"sessionCookie",
           {{"type", "apiKey"},
            {"in", "cookie"},
            {"name", "cbrnhub_session"},
            {"description",
             "the session of POST /api/v1/session; changes also need X-CSRF-Token"}}}}}}}};
  return JsonOk(200, doc);
}

}  // namespace cbrnhub::http
