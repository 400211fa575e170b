// The partner network: regions and their secretariats, partner countries, partner
// organisations, national agencies and people (focal points, national teams, secretariat staff).
#pragma once

#include <string>

#include "records/records.h"

namespace cbrnhub::network {

// Record kinds registered by this module (API path segments).
inline constexpr const char* kRegions = "regions";
inline constexpr const char* kCountries = "countries";
inline constexpr const char* kMemberships = "memberships";
inline constexpr const char* kOrganisations = "organisations";
inline constexpr const char* kAgencies = "agencies";
inline constexpr const char* kPeople = "people";

// Adds the network's kinds to `catalog`.
void RegisterKinds(records::Catalog& catalog);

struct SeedReport {
  int added = 0;      // records created
  int unchanged = 0;  // records that were already there (left as they are)
};

// Loads the reference data compiled into the binary (regions, countries, memberships).
// Idempotent: what exists is left untouched, so an administrator's edits survive a re-seed.
// One transaction: on any error nothing is written.
Result<SeedReport> SeedReference(records::Store& store, const records::Caller& caller);

// Loads the fictitious demo organisations, agencies and people (requires the reference data).
Result<SeedReport> SeedDemo(records::Store& store, const records::Caller& caller);

// The views below show only what `caller` may read.
// The home page view: every region with its secretariat and country counts.
Result<records::Json> NetworkOverview(records::Store& store, const records::Caller& caller);
// A region with its secretariat staff and member countries (with membership status).
// NotFound for an unknown region code or id.
Result<records::Json> RegionOverview(records::Store& store, const records::Caller& caller,
                                     const std::string& code_or_id);
// A country with its regions, focal point(s), national team and agencies.
Result<records::Json> CountryOverview(records::Store& store, const records::Caller& caller,
                                      const std::string& iso2_or_id);
// An organisation with the people attached to it.
Result<records::Json> OrganisationOverview(records::Store& store, const records::Caller& caller,
                                           const std::string& id);

}  // namespace cbrnhub::network
