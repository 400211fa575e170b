// Private to the benches: what several of them need to build their data and print figures.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "network/network.h"
#include "records/records.h"
#include "storage/storage.h"

namespace cbrnhub::bench {

using Clock = std::chrono::steady_clock;

inline double Ms(Clock::time_point a) { return std::chrono::duration<double, std::milli>(Clock::now() - a).count(); }

inline double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.status().message().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

inline void Must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}

// The ISO2 codes of `count` member countries of `region`: its members from the reference data,
// then partner countries of other regions made members of it until there are enough. Exits when
// the reference data has too few countries. `*from_reference` is how many were members already.
inline std::vector<std::string> RegionMembers(storage::Database& db, records::Store& store, const records::Caller& admin,
                                              const std::string& region, int count, int* from_reference) {
  std::vector<std::string> members;
  {
    auto txn = Must(db.Begin(storage::Access::kRead), "begin");
    for (const auto& r : Must(txn->Query("SELECT c.iso2 FROM memberships m JOIN regions r ON r.id = m.region_id"
                                         " JOIN countries c ON c.id = m.country_id WHERE r.code = ?"
                                         " AND m.deleted_at IS NULL ORDER BY c.iso2",
                                         {region}),
                              "members")) {
      members.push_back(r.Text(0));
    }
  }
  *from_reference = std::min(static_cast<int>(members.size()), count);
  if (static_cast<int>(members.size()) > count) members.resize(static_cast<size_t>(count));
  if (static_cast<int>(members.size()) < count) {
    auto txn = Must(db.Begin(storage::Access::kRead), "begin");
    storage::Rows others = Must(txn->Query("SELECT c.id, c.iso2 FROM countries c WHERE c.deleted_at IS NULL AND c.id NOT IN"
                                           " (SELECT m.country_id FROM memberships m JOIN regions r ON r.id = m.region_id"
                                           "  WHERE r.code = ?) ORDER BY c.iso2",
                                           {region}),
                                "other countries");
    std::string region_id = Must(store.Get(admin, network::kRegions, region), "region")["id"];
    txn.reset();
    for (const auto& r : others) {
      if (static_cast<int>(members.size()) >= count) break;
      Must(store.Create(admin, network::kMemberships, {{"country_id", r.Text(0)}, {"region_id", region_id}, {"status", "partner"}}),
           "membership");
      members.push_back(r.Text(1));
    }
  }
  if (static_cast<int>(members.size()) < count) {
    std::fprintf(stderr, "only %zu countries in the reference data\n", members.size());
    std::exit(1);
  }
  return members;
}

// The region's secretariat as access:: sees it.
inline access::Principal Secretariat(const std::string& region, const std::vector<std::string>& members) {
  access::Principal sec;
  sec.user_id = "bench-secretariat";
  sec.display_name = "Secretariat";
  sec.role = access::Role::kSecretariat;
  sec.region = region;
  sec.related = members;
  return sec;
}

}  // namespace cbrnhub::bench
