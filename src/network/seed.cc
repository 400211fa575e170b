// Loading the reference and demo data compiled into the binary.
#include <nlohmann/json.hpp>

#include "assets/assets.h"
#include "core/csv.h"
#include "network/network.h"

namespace cbrnhub::network {
namespace {

using records::Json;

Result<CsvTable> LoadCsv(const char* path, const std::vector<std::string>& columns) {
  auto text = assets::Find(path);
  if (!text) return Status::Internal(std::string("asset missing from the build: ") + path);
  return CsvTable::Parse(*text, path, columns);
}

// Creates the record unless `existing_id` is already set; counts either way.
Status CreateUnlessPresent(records::Store& store, storage::Transaction& txn, const char* kind,
                           const Result<std::string>& existing_id, const Json& body,
                           const records::Caller& caller, SeedReport& report,
                           const std::string& where) {
  if (existing_id.ok()) {
    ++report.unchanged;
    return Status::Ok();
  }
  auto created = store.CreateIn(txn, caller, *store.catalog().Find(kind), body);
  if (!created.ok()) {
    return Status(created.status().code(), where + ": " + created.status().message(),
                  created.status().field());
  }
  ++report.added;
  return Status::Ok();
}

std::string Where(const CsvTable& t, const char* path, size_t row) {
  return std::string(path) + ":" + std::to_string(t.line(row));
}

}  // namespace

Result<SeedReport> SeedReference(records::Store& store, const records::Caller& caller) {
  const char* kRegionsCsv = "data/reference/regions.csv";
  const char* kCountriesCsv = "data/reference/countries.csv";
  CBRN_ASSIGN_OR_RETURN(CsvTable regions,
                        LoadCsv(kRegionsCsv, {"code", "name", "secretariat_city",
                                              "secretariat_country"}));
  CBRN_ASSIGN_OR_RETURN(CsvTable countries,
                        LoadCsv(kCountriesCsv, {"iso2", "iso3", "name", "region", "status"}));
  const auto& catalog = store.catalog();
  SeedReport report;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(storage::Access::kWrite));
  for (size_t i = 0; i < regions.size(); ++i) {
    const std::string& code = regions.Get(i, "code");
    Json body = {{"code", code},
                 {"name", regions.Get(i, "name")},
                 {"secretariat_city", regions.Get(i, "secretariat_city")},
                 {"secretariat_country", regions.Get(i, "secretariat_country")}};
    CBRN_RETURN_IF_ERROR(CreateUnlessPresent(store, *txn, kRegions,
                                             store.ResolveId(*txn, *catalog.Find(kRegions), code),
                                             body, caller, report, Where(regions, kRegionsCsv, i)));
  }
  for (size_t i = 0; i < countries.size(); ++i) {
    const std::string& iso2 = countries.Get(i, "iso2");
    Json body = {{"iso2", iso2}, {"iso3", countries.Get(i, "iso3")},
                 {"name", countries.Get(i, "name")}};
    // A country listed in two regions appears twice; the second row only adds a membership.
    CBRN_RETURN_IF_ERROR(CreateUnlessPresent(
        store, *txn, kCountries, store.ResolveId(*txn, *catalog.Find(kCountries), iso2, true),
        body, caller, report, Where(countries, kCountriesCsv, i)));
    CBRN_ASSIGN_OR_RETURN(std::string country_id,
                          store.ResolveId(*txn, *catalog.Find(kCountries), iso2, true));
    CBRN_ASSIGN_OR_RETURN(std::string region_id,
                          store.ResolveId(*txn, *catalog.Find(kRegions),
                                          countries.Get(i, "region"), true));
    CBRN_ASSIGN_OR_RETURN(storage::Rows existing,
                          txn->Query("SELECT id FROM memberships WHERE country_id = ? AND "
                                     "region_id = ?",
                                     {country_id, region_id}));
    Result<std::string> existing_id =
        existing.empty() ? Result<std::string>(Status::NotFound("")) : existing[0].Text(0);
    Json membership = {{"country_id", country_id},
                       {"region_id", region_id},
                       {"status", countries.Get(i, "status")}};
    CBRN_RETURN_IF_ERROR(CreateUnlessPresent(store, *txn, kMemberships, existing_id, membership,
                                             caller, report, Where(countries, kCountriesCsv, i)));
  }
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return report;
}

Result<SeedReport> SeedDemo(records::Store& store, const records::Caller& caller) {
  const char* kPath = "data/demo/network.json";
  auto text = assets::Find(kPath);
  if (!text) return Status::Internal("asset missing from the build: data/demo/network.json");
  Json demo = Json::parse(*text, nullptr, false);
  if (demo.is_discarded()) return Status::Internal("data/demo/network.json is not valid JSON");
  const auto& catalog = store.catalog();
  SeedReport report;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(storage::Access::kWrite));
  for (const auto& org : demo["organisations"]) {
    CBRN_ASSIGN_OR_RETURN(storage::Rows found, txn->Query("SELECT id FROM organisations WHERE name = ?",
                                                          {org["name"].get<std::string>()}));
    Result<std::string> existing =
        found.empty() ? Result<std::string>(Status::NotFound("")) : found[0].Text(0);
    CBRN_RETURN_IF_ERROR(CreateUnlessPresent(store, *txn, kOrganisations, existing, org, caller,
                                             report, std::string(kPath) + " organisations"));
  }
  for (Json agency : demo["agencies"]) {
    agency["country_id"] = agency["country"];
    agency.erase("country");
    CBRN_RETURN_IF_ERROR(CreateUnlessPresent(
        store, *txn, kAgencies,
        store.ResolveId(*txn, *catalog.Find(kAgencies), agency["short_name"].get<std::string>(), true),
        agency, caller, report, std::string(kPath) + " agencies"));
  }
  for (Json person : demo["people"]) {
    static const std::pair<const char*, const char*> kLinks[] = {
        {"country", "country_id"}, {"region", "region_id"}, {"agency", "agency_id"},
        {"organisation", "organisation_id"}};
    for (const auto& [from, to] : kLinks) {
      if (person.contains(from)) {
        person[to] = person[from];
        person.erase(from);
      }
    }
    CBRN_ASSIGN_OR_RETURN(storage::Rows found, txn->Query("SELECT id FROM people WHERE email = ?",
                                                          {person["email"].get<std::string>()}));
    Result<std::string> existing =
        found.empty() ? Result<std::string>(Status::NotFound("")) : found[0].Text(0);
    CBRN_RETURN_IF_ERROR(CreateUnlessPresent(store, *txn, kPeople, existing, person, caller, report,
                                             std::string(kPath) + " people"));
  }
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return report;
}

}  // namespace cbrnhub::network
