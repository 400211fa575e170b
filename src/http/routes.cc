// Every route of the server, with its access policy, in one table.
#include "http/handlers.h"

namespace cbrnhub::http {

void RegisterRoutes(Ctx& ctx) {
  using A = Policy::Access;
  Router& r = ctx.router;
  auto add = [&](std::string method, std::string pattern, Policy policy,
                 std::function<Response(Ctx&, Request&)> fn, std::string summary) {
    bool cacheable = method == "GET" && policy.access == A::kRead;
    r.Add(Route{std::move(method), std::move(pattern), std::move(policy),
                [&ctx, fn = std::move(fn)](Request& req) { return fn(ctx, req); },
                std::move(summary), cacheable});
  };

  // Operations.
  add("GET", "/healthz", {A::kPublic, "system"}, Healthz, "liveness: the process answers");
  add("GET", "/readyz", {A::kPublic, "system"}, Readyz, "readiness: the database answers");
  add("GET", "/static/{file}", {A::kPublic, "static"}, StaticFile, "static asset");

  // JSON API.
  add("GET", "/api/v1", {A::kPublic, "system"}, ApiIndex, "API index");
  add("GET", "/api/v1/openapi.json", {A::kPublic, "system"}, ApiOpenApi, "OpenAPI document");
  add("GET", "/api/v1/network", {A::kRead, "network"}, ApiNetwork,
      "regions with secretariats and country counts");
  add("GET", "/api/v1/regions/{id}/overview", {A::kRead, "regions"}, ApiRegionOverview,
      "a region with its countries and secretariat staff");
  add("GET", "/api/v1/countries/{id}/overview", {A::kRead, "countries"}, ApiCountryOverview,
      "a country with its regions, focal points, team and agencies");
  for (const auto& kind : ctx.store.catalog().kinds()) {
    const std::string k = kind.name;
    const std::string base = "/api/v1/" + k;
    add("GET", base, {A::kRead, k}, [k](Ctx& c, Request& q) { return ApiList(c, q, k); },
        "list " + k + " (filters, q, limit, offset)");
    add("POST", base, {A::kWrite, k}, [k](Ctx& c, Request& q) { return ApiCreate(c, q, k); },
        "create a " + k + " record");
    add("GET", base + "/{id}", {A::kRead, k}, [k](Ctx& c, Request& q) { return ApiGet(c, q, k); },
        "get a " + k + " record by id or key");
    add("PUT", base + "/{id}", {A::kWrite, k},
        [k](Ctx& c, Request& q) { return ApiUpdate(c, q, k, true); }, "replace a " + k + " record");
    add("PATCH", base + "/{id}", {A::kWrite, k},
        [k](Ctx& c, Request& q) { return ApiUpdate(c, q, k, false); },
        "change fields of a " + k + " record");
    if (kind.deletable) {
      add("DELETE", base + "/{id}", {A::kWrite, k},
          [k](Ctx& c, Request& q) { return ApiDelete(c, q, k); },
          "delete (recoverably) a " + k + " record");
      add("POST", base + "/{id}/restore", {A::kWrite, k},
          [k](Ctx& c, Request& q) { return ApiRestore(c, q, k); },
          "restore a deleted " + k + " record");
    }
    add("GET", base + "/{id}/history", {A::kRead, k},
        [k](Ctx& c, Request& q) { return ApiHistory(c, q, k); },
        "the audit history of a " + k + " record");
  }

  // HTML pages.
  add("GET", "/", {A::kRead, "network"}, HomePage, "home: the network");
  add("GET", "/regions/{code}", {A::kRead, "regions"}, RegionPage, "a region");
  add("GET", "/countries", {A::kRead, "countries"}, CountriesPage, "all countries");
  add("GET", "/countries/{iso2}", {A::kRead, "countries"}, CountryPage, "a country");
  add("GET", "/organisations", {A::kRead, "organisations"}, OrganisationsPage, "organisations");
  add("GET", "/organisations/{id}", {A::kRead, "organisations"}, OrganisationPage,
      "an organisation");
  add("GET", "/forms/{kind}", {A::kWrite, "records"}, FormNew, "form: new record");
  add("GET", "/forms/{kind}/{id}", {A::kWrite, "records"}, FormEdit, "form: edit record");
  add("POST", "/forms/{kind}", {A::kWrite, "records"}, FormCreate, "form: create record");
  add("POST", "/forms/{kind}/{id}", {A::kWrite, "records"}, FormUpdate, "form: update record");
  add("POST", "/forms/{kind}/{id}/delete", {A::kWrite, "records"}, FormDelete,
      "form: delete record");
}

}  // namespace cbrnhub::http
