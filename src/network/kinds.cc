// The record kinds of the partner network and the rule that gives each record its owner.
#include <nlohmann/json.hpp>

#include "network/network.h"

namespace cbrnhub::network {
namespace {

using records::FieldSpec;
using records::FieldType;
using records::Json;
using records::KindSpec;

// The owner scope of a record that belongs to the country with record id `country_id`.
Result<std::string> CountryScope(storage::Transaction& txn, const Json& country_id) {
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn.Query("SELECT iso2 FROM countries WHERE id = ?",
                                  {country_id.get<std::string>()}));
  if (rows.empty()) return Status::Invalid("country_id", "no such country");
  return "country:" + rows[0].Text(0);
}

Result<std::string> RegionScope(storage::Transaction& txn, const Json& region_id) {
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn.Query("SELECT code FROM regions WHERE id = ?",
                                                      {region_id.get<std::string>()}));
  if (rows.empty()) return Status::Invalid("region_id", "no such region");
  return "region:" + rows[0].Text(0);
}

FieldSpec Text(std::string name, bool required = false, size_t max = 200) {
  FieldSpec f;
  f.name = std::move(name);
  f.required = required;
  f.max_length = max;
  return f;
}

FieldSpec Typed(std::string name, FieldType type, bool required = false) {
  FieldSpec f = Text(std::move(name), required);
  f.type = type;
  return f;
}

FieldSpec Choice(std::string name, std::vector<std::string> choices) {
  FieldSpec f = Typed(std::move(name), FieldType::kChoice, true);
  f.choices = std::move(choices);
  f.filterable = true;
  return f;
}

FieldSpec Ref(std::string name, std::string kind, bool required = false) {
  FieldSpec f = Typed(std::move(name), FieldType::kReference, required);
  f.references = std::move(kind);
  f.filterable = true;
  return f;
}

FieldSpec Unique(FieldSpec f) {
  f.unique = true;
  f.filterable = true;
  return f;
}

FieldSpec Searchable(FieldSpec f) {
  f.searchable = true;
  return f;
}

}  // namespace

void RegisterKinds(records::Catalog& catalog) {
  {
    KindSpec k;
    k.name = kRegions;
    k.default_sharing = access::Sharing::kPublished;
    k.table = "regions";
    k.natural_key = "code";
    k.order_by = "code";
    k.deletable = false;  // a region is part of the network's structure; rename it instead
    FieldSpec code = Unique(Typed("code", FieldType::kCode, true));
    code.max_length = 12;
    k.fields = {code, Searchable(Text("name", true)), Text("secretariat_city", true),
                Typed("secretariat_country", FieldType::kCountryCode, true),
                Text("description", false, 4000)};
    k.fields.back().type = FieldType::kLongText;
    k.owner = [](storage::Transaction&, const Json& f) -> Result<std::string> {
      return "region:" + f["code"].get<std::string>();
    };
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kCountries;
    k.default_sharing = access::Sharing::kPublished;
    k.table = "countries";
    k.natural_key = "iso2";
    k.order_by = "name";
    k.deletable = false;  // memberships end; the country record stays for its history
    FieldSpec iso3 = Unique(Typed("iso3", FieldType::kCode, true));
    iso3.max_length = 3;
    k.fields = {Unique(Typed("iso2", FieldType::kCountryCode, true)), iso3,
                Searchable(Text("name", true)), Text("notes", false, 4000)};
    k.fields.back().type = FieldType::kLongText;
    k.owner = [](storage::Transaction&, const Json& f) -> Result<std::string> {
      return "country:" + f["iso2"].get<std::string>();
    };
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kMemberships;
    k.default_sharing = access::Sharing::kPublished;
    k.table = "memberships";
    k.order_by = "region_id, country_id";
    k.fields = {Ref("country_id", kCountries, true), Ref("region_id", kRegions, true),
                Choice("status", {"partner", "unconfirmed", "observer", "former"}),
                Typed("since", FieldType::kDate)};
    // Which region a country belongs to is a fact about the network's structure.
    k.owner = [](storage::Transaction&, const Json&) -> Result<std::string> {
      return std::string("network");
    };
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kOrganisations;
    k.default_sharing = access::Sharing::kPublished;
    k.table = "organisations";
    k.natural_key = "short_name";
    k.order_by = "name";
    k.fields = {Searchable(Unique(Text("name", true))),
                Searchable(Text("short_name", false, 40)),
                Choice("kind", {"coordinating_partner", "technical_partner",
                                "implementing_partner", "international_organisation", "other"}),
                Typed("country_iso2", FieldType::kCountryCode), Typed("website", FieldType::kUrl),
                Text("description", false, 4000)};
    k.fields.back().type = FieldType::kLongText;
    k.owner = [](storage::Transaction&, const Json&) -> Result<std::string> {
      return std::string("network");
    };
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kAgencies;
    k.default_sharing = access::Sharing::kRegion;
    k.table = "agencies";
    k.natural_key = "short_name";
    k.order_by = "name";
    k.fields = {Ref("country_id", kCountries, true), Searchable(Text("name", true)),
                Searchable(Text("short_name", false, 40)),
                Choice("kind", {"ministry", "regulator", "first_responder", "laboratory",
                                "customs", "health", "law_enforcement", "academia", "other"}),
                Text("areas", false, 400), Typed("website", FieldType::kUrl)};
    k.owner = [](storage::Transaction& txn, const Json& f) {
      return CountryScope(txn, f["country_id"]);
    };
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kPeople;
    k.default_sharing = access::Sharing::kRegion;
    k.table = "people";
    k.order_by = "full_name";
    k.fields = {Searchable(Text("full_name", true)),
                Choice("network_role", {"nfp", "deputy_nfp", "team_member", "secretariat_head",
                                        "secretariat_staff", "partner_staff", "expert", "other"}),
                Text("position"), Typed("email", FieldType::kEmail), Text("phone", false, 40),
                Ref("country_id", kCountries), Ref("region_id", kRegions),
                Ref("agency_id", kAgencies), Ref("organisation_id", kOrganisations)};
    // A person belongs to their country, else their region, else the network.
    k.owner = [](storage::Transaction& txn, const Json& f) -> Result<std::string> {
      if (!f["country_id"].is_null()) return CountryScope(txn, f["country_id"]);
      if (!f["region_id"].is_null()) return RegionScope(txn, f["region_id"]);
      return std::string("network");
    };
    catalog.Add(std::move(k));
  }
}

}  // namespace cbrnhub::network
