// The shipped control list's descriptions in other languages: one side file per language beside
// data/exportctl/control_list.csv, so the English file stays the list an administrator replaces
// and each translation is reviewed on its own, row for row.
#include "core/csv.h"
#include "exportctl/exportctl.h"

namespace cbrnhub::exportctl {
namespace {

ControlTexts TextsOf(const CsvTable& table, size_t row) {
  return {table.Get(row, "category"), table.Get(row, "title"), table.Get(row, "text"),
          table.Get(row, "parameters")};
}

}  // namespace

Result<ControlTranslations> ParseControlTranslation(std::string_view english_csv,
                                                    std::string_view translated_csv,
                                                    const std::string& source) {
  CBRN_ASSIGN_OR_RETURN(CsvTable english, CsvTable::Parse(english_csv, "control_list.csv",
                                                          {"code", "category", "title", "text"}));
  CBRN_ASSIGN_OR_RETURN(
      CsvTable table,
      CsvTable::Parse(translated_csv, source, {"code", "category", "title", "text", "parameters"}));
  std::map<std::string, size_t> english_rows;
  for (size_t i = 0; i < english.size(); ++i) english_rows.emplace(english.Get(i, "code"), i);
  ControlTranslations out;
  for (size_t i = 0; i < table.size(); ++i) {
    std::string where = source + " line " + std::to_string(table.line(i));
    const std::string& code = table.Get(i, "code");
    auto en = english_rows.find(code);
    if (en == english_rows.end())
      return Status::Invalid(where + " field code",
                             "'" + code.substr(0, 30) + "' is not an entry of control_list.csv");
    if (out.count(code)) return Status::Invalid(where + " field code", code + " appears twice");
    ControlTranslation entry{TextsOf(english, en->second), TextsOf(table, i)};
    for (const char* f : {"category", "title", "text"}) {
      if (table.Get(i, f).empty()) return Status::Invalid(where + " field " + f, "is empty");
    }
    if (entry.translated.parameters.empty() != entry.english.parameters.empty()) {
      return Status::Invalid(where + " field parameters",
                             entry.english.parameters.empty()
                                 ? "the English entry has no parameters"
                                 : "is empty, and the English entry has parameters");
    }
    out.emplace(code, std::move(entry));
  }
  for (size_t i = 0; i < english.size(); ++i) {
    if (!out.count(english.Get(i, "code"))) {
      return Status::Invalid(source, "no translation of " + english.Get(i, "code") +
                                         " (control_list.csv line " +
                                         std::to_string(english.line(i)) + ")");
    }
  }
  return out;
}

}  // namespace cbrnhub::exportctl
