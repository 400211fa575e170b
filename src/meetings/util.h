// Private to meetings: small helpers over record JSON and comma-separated lists.
#pragma once

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace cbrnhub::meetings {

// The text of `key`, or "" when it is missing, null or not text.
inline std::string Text(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The integer of `key`, or 0.
inline std::int64_t Number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

// "UZ, KZ,GE" -> {"UZ", "KZ", "GE"}: items trimmed of spaces, empty ones dropped.
inline std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  std::istringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    out.push_back(item.substr(first, item.find_last_not_of(' ') - first + 1));
  }
  return out;
}

}  // namespace cbrnhub::meetings
