// Composite read views of the network for pages and the API.
#include <nlohmann/json.hpp>
#include <set>

#include "network/network.h"

namespace cbrnhub::network {
namespace {

using records::Json;
using records::ListQuery;

constexpr int kAll = 500;  // the network has < 100 countries; lists here are never paged

Result<std::vector<Json>> ListAll(records::Store& store, storage::Transaction& txn,
                                  const records::Caller& caller, const char* kind,
                                  std::map<std::string, std::string> filters) {
  ListQuery q;
  q.filters = std::move(filters);
  q.limit = kAll;
  CBRN_ASSIGN_OR_RETURN(records::Page page,
                        store.ListIn(txn, caller, *store.catalog().Find(kind), q));
  return std::move(page.items);
}

// Index of records by id, for joining in memory (tables here hold tens of rows).
std::map<std::string, Json> ById(const std::vector<Json>& items) {
  std::map<std::string, Json> out;
  for (const auto& j : items) out[j["id"].get<std::string>()] = j;
  return out;
}

}  // namespace

Result<Json> NetworkOverview(records::Store& store, const records::Caller& caller) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(auto regions, ListAll(store, *txn, caller, kRegions, {}));
  CBRN_ASSIGN_OR_RETURN(auto memberships, ListAll(store, *txn, caller, kMemberships, {}));
  CBRN_ASSIGN_OR_RETURN(auto organisations, ListAll(store, *txn, caller, kOrganisations, {}));
  Json out = {{"regions", Json::array()}, {"organisation_count", organisations.size()}};
  std::set<std::string> partners;
  for (auto& r : regions) {
    int partner = 0, other = 0;
    for (const auto& m : memberships) {
      if (m["region_id"] != r["id"]) continue;
      if (m["status"] == "partner") {
        ++partner;
        partners.insert(m["country_id"].get<std::string>());
      } else {
        ++other;
      }
    }
    r["partner_count"] = partner;
    r["other_count"] = other;
    out["regions"].push_back(r);
  }
  out["partner_country_count"] = partners.size();
  return out;
}

Result<Json> RegionOverview(records::Store& store, const records::Caller& caller,
                            const std::string& code_or_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json region,
                        store.GetIn(*txn, caller, *store.catalog().Find(kRegions), code_or_id));
  std::string id = region["id"].get<std::string>();
  CBRN_ASSIGN_OR_RETURN(auto memberships, ListAll(store, *txn, caller, kMemberships, {{"region_id", id}}));
  CBRN_ASSIGN_OR_RETURN(auto countries, ListAll(store, *txn, caller, kCountries, {}));
  auto country_by_id = ById(countries);
  Json members = Json::array();
  for (const auto& m : memberships) {
    auto it = country_by_id.find(m["country_id"].get<std::string>());
    if (it == country_by_id.end()) continue;
    Json c = it->second;
    c["membership_status"] = m["status"];
    c["membership_id"] = m["id"];
    members.push_back(std::move(c));
  }
  std::sort(members.begin(), members.end(),
            [](const Json& a, const Json& b) { return a["name"] < b["name"]; });
  CBRN_ASSIGN_OR_RETURN(auto staff, ListAll(store, *txn, caller, kPeople, {{"region_id", id}}));
  Json out = {{"region", region}, {"countries", members}, {"secretariat_staff", staff}};
  return out;
}

Result<Json> CountryOverview(records::Store& store, const records::Caller& caller,
                             const std::string& iso2_or_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json country,
                        store.GetIn(*txn, caller, *store.catalog().Find(kCountries), iso2_or_id));
  std::string id = country["id"].get<std::string>();
  CBRN_ASSIGN_OR_RETURN(auto memberships, ListAll(store, *txn, caller, kMemberships, {{"country_id", id}}));
  CBRN_ASSIGN_OR_RETURN(auto regions, ListAll(store, *txn, caller, kRegions, {}));
  auto region_by_id = ById(regions);
  Json member_of = Json::array();
  for (const auto& m : memberships) {
    Json r = region_by_id[m["region_id"].get<std::string>()];
    r["membership_status"] = m["status"];
    member_of.push_back(std::move(r));
  }
  CBRN_ASSIGN_OR_RETURN(auto agencies, ListAll(store, *txn, caller, kAgencies, {{"country_id", id}}));
  // Focal points in full; the national team up to kTeamShown (a page must stay light however
  // many people a country records; the API pages through them all).
  constexpr int kTeamShown = 100;
  CBRN_ASSIGN_OR_RETURN(auto people, ListAll(store, *txn, caller, kPeople, {{"country_id", id}, {"network_role", "nfp"}}));
  CBRN_ASSIGN_OR_RETURN(auto deputies,
                        ListAll(store, *txn, caller, kPeople, {{"country_id", id}, {"network_role", "deputy_nfp"}}));
  size_t focal_count = people.size() + deputies.size();
  for (auto& d : deputies) people.push_back(std::move(d));
  ListQuery team_query;
  team_query.filters = {{"country_id", id}};
  team_query.limit = kTeamShown;
  CBRN_ASSIGN_OR_RETURN(records::Page team_page, store.ListIn(*txn, caller, *store.catalog().Find(kPeople), team_query));
  for (auto& p : team_page.items) {
    if (p["network_role"] != "nfp" && p["network_role"] != "deputy_nfp") people.push_back(std::move(p));
  }
  std::int64_t team_total = team_page.total - static_cast<std::int64_t>(focal_count);
  auto agency_by_id = ById(agencies);
  Json focal_points = Json::array(), team = Json::array();
  for (auto& p : people) {
    if (!p["agency_id"].is_null()) {
      auto it = agency_by_id.find(p["agency_id"].get<std::string>());
      if (it != agency_by_id.end()) p["agency_name"] = it->second["name"];
    }
    const auto& role = p["network_role"];
    (role == "nfp" || role == "deputy_nfp" ? focal_points : team).push_back(p);
  }
  Json out = {{"country", country},     {"regions", member_of}, {"focal_points", focal_points},
              {"team", team},           {"agencies", agencies}, {"team_total", team_total}};
  if (team_total > static_cast<std::int64_t>(team.size())) out["team_more"] = team_total - static_cast<std::int64_t>(team.size());
  return out;
}

Result<Json> OrganisationOverview(records::Store& store, const records::Caller& caller,
                                  const std::string& id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json org, store.GetIn(*txn, caller, *store.catalog().Find(kOrganisations), id));
  CBRN_ASSIGN_OR_RETURN(auto people, ListAll(store, *txn, caller, kPeople,
                                             {{"organisation_id", org["id"].get<std::string>()}}));
  Json out = {{"organisation", org}, {"people", people}};
  return out;
}

}  // namespace cbrnhub::network
