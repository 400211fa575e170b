// Private to assessment: reading stored answers safely (scoring and the workbook share these).
#pragma once

#include <nlohmann/json.hpp>

#include <set>

namespace cbrnhub::assessment {

// A member of a JSON object, or null when absent. (operator[] on a const json with a missing
// key is undefined behaviour: the fuzzer found it.)
inline const nlohmann::json& Member(const nlohmann::json& v, const char* key) {
  static const nlohmann::json kNull;
  if (!v.is_object()) return kNull;
  auto it = v.find(key);
  return it == v.end() ? kNull : *it;
}

// Maturity: the highest level L with every level 1..L met (as in WHO SPAR/JEE).
inline int MaturityLevel(const nlohmann::json& value) {
  std::set<int> met;
  for (const auto& l : Member(value, "levels")) {
    if (l.is_number_integer()) met.insert(l.get<int>());
  }
  int level = 0;
  while (met.count(level + 1)) ++level;
  return level;
}

}  // namespace cbrnhub::assessment
