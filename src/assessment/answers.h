// Private to assessment: reading stored answers safely (scoring and the workbook share these).
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <string>

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

// A number as a spreadsheet keeps it (15 significant digits) and people read it (no trailing
// zeros): the workbook's cells and the refusals of bounds.
std::string Number15(double x);

// Line breaks as "\n": a browser sends a textarea's as "\r\n" and a spreadsheet keeps "\n", so
// the stored form is the one both give back.
inline std::string NormalizeNewlines(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\r')
      out += s[i];
    else if (i + 1 >= s.size() || s[i + 1] != '\n')
      out += '\n';
  }
  return out;
}

// The first control character of `s` other than tab and line breaks (a workbook cannot carry
// them: XML 1.0 has no way to write most), or -1.
inline int ControlCharacter(const std::string& s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return c;
  }
  return -1;
}

}  // namespace cbrnhub::assessment
