// Reading a YAML document strictly, for the definitions an administrator loads (questionnaires,
// version mappings, risk methods): every problem is reported with its line and path, unknown keys
// are refused with a guess at what was meant, keys given twice, numbers that are not finite,
// absurd nesting and bytes that are not UTF-8 are errors, never silently read.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "yamldoc/text.h"

namespace cbrnhub::yamldoc {

// An identifier in a definition: 1-40 letters, digits, '-', '_' or '.'.
bool ValidId(const std::string& id);
// "path.key" ("key" at the root).
std::string Sub(const std::string& path, const std::string& key);
int LineOf(const YAML::Mark& mark);
// YAML's spellings of infinity and not-a-number.
bool NonFiniteLiteral(const std::string& s);
// `key` is `known` misspelt (equal without case, '_' and '-', or about two edits away).
bool LooksLike(const std::string& key, const std::string& known);

class Reader {
 public:
  // `strict`: refuses unknown keys and the rules newer than some stored documents.
  Reader(std::vector<yamldoc::Error>& errors, bool strict) : errors_(errors), strict_(strict) {}

  void Error(const YAML::Node& node, const std::string& path, const std::string& message);
  // An error only when strict (a rule newer than some published versions).
  void Strict(const YAML::Node& node, const std::string& path, const std::string& message);
  bool strict() const { return strict_; }
  // Refuses (when strict) every key of the mapping `node` that is not in `allowed`.
  void Keys(const YAML::Node& node, const std::string& path, std::initializer_list<const char*> allowed);
  // Every Text read with `translate` must have each of these languages.
  void DeclareLanguages(std::vector<std::string> languages, std::vector<yamldoc::Error>* untranslated);
  // A scalar string; "" (with an error when required) otherwise.
  std::string String(const YAML::Node& parent, const char* key, const std::string& path, bool required);
  // A finite number at `key` of `parent`; nullopt when absent (or wrong, with an error).
  std::optional<double> Number(const YAML::Node& parent, const char* key, const std::string& path);
  // The node `n` (at `p`), which is there, as a finite number.
  std::optional<double> NumberAt(const YAML::Node& n, const std::string& p);
  // {en: ..., ru: ...} or a plain string (English). `translate`: a text people read, needed in
  // every declared language.
  Text TextOf(const YAML::Node& parent, const char* key, const std::string& path, bool required,
              bool translate = true);
  // The text `n` (at `p`), which is there.
  Text TextAt(const YAML::Node& n, const std::string& p, bool translate = true);

 private:
  std::vector<yamldoc::Error>& errors_;
  bool strict_;
  std::vector<std::string> languages_;
  std::vector<yamldoc::Error>* untranslated_ = nullptr;
  int last_line_ = 1;
};

// Rules that hold anywhere in the document, whatever the key: no key twice in one mapping
// (yaml-cpp would keep the first silently), no infinite or NaN number, no absurd nesting.
void CheckTree(const YAML::Node& node, const std::string& path, int depth, std::vector<yamldoc::Error>& errors);
// Whether documents `a` and `b` differ only in their translations: every text's English, every
// other value and the order of keys alike; texts in other languages, the root's `languages`
// list and `labels` block (the labels of a definition's keys, in every language), a text written
// plainly or as {en: ...}, and comments may differ. False when either is
// not YAML. Lets a published definition gain translations, which change no score.
bool SameButForTranslations(std::string_view a, std::string_view b);
// One error per line holding bytes that are not UTF-8 (at most 20 lines listed).
void CheckUtf8(std::string_view text, std::vector<yamldoc::Error>& errors);
// The document's root mapping, or an error (not YAML, larger than 4 MiB, not a mapping; `expected`
// names what the mapping holds) in `errors`.
std::optional<YAML::Node> LoadRoot(std::string_view yaml, const char* expected, std::vector<yamldoc::Error>& errors);
// Every error of a document as one InvalidArgument: "N error(s) in the WHAT:" and a line each,
// in the order of the file.
Status ErrorsStatus(std::vector<yamldoc::Error> errors, const std::string& source, const char* what);

}  // namespace cbrnhub::yamldoc
