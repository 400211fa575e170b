// Small helpers over record JSON and the comma-separated lists some fields hold (a plan action's
// priorities, a scenario's capabilities), for the modules that define record kinds.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace cbrnhub::records {

// The text of `key`, or "" when it is missing or not text.
inline std::string Text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "UZ, KZ,GE" -> {"UZ", "KZ", "GE"}: items trimmed, empty ones dropped.
inline std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string item = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace cbrnhub::records
