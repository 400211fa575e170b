// Texts in several languages and the line-numbered errors of a YAML document: what the parsed
// definitions (questionnaires, risk methods) keep, without yaml-cpp in the including file.
#pragma once

#include <map>
#include <string>

namespace cbrnhub::yamldoc {

// Text in several languages; "en" is always there.
struct Text {
  std::map<std::string, std::string> by_lang;
  // The text in `lang`, else the English one.
  const std::string& Get(const std::string& lang) const;
};

// One problem of a document: where (line, path like "sections[2].questions[4].levels") and what.
struct Error {
  int line = 0;
  std::string path;
  std::string message;
  std::string ToString(const std::string& source) const;  // "file:line path: message"
};

}  // namespace cbrnhub::yamldoc
