#include "core/csv.h"

#include <algorithm>

#include "core/problem.h"

namespace cbrnhub {

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text, const std::string& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> out;
  CsvRecord rec;
  std::string field;
  int line = 1;
  rec.line = 1;
  bool in_quotes = false, after_quote = false, any = false;
  auto end_record = [&] {
    rec.fields.push_back(std::move(field));
    field.clear();
    // A blank line is not a record.
    if (!(rec.fields.size() == 1 && rec.fields[0].empty() && !any)) out.push_back(std::move(rec));
    rec = CsvRecord{};
    any = false;
    after_quote = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == ',') {
      rec.fields.push_back(std::move(field));
      field.clear();
      after_quote = false;
      any = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_record();
      ++line;
      rec.line = line;
    } else if (after_quote) {
      return At(FilePlace::Line(source, line),
                Status::Invalid(source, "unexpected character after a closing quote").Says("invalid.csv_after_quote"));
    } else if (c == '"' && field.empty()) {
      in_quotes = true;
      any = true;
    } else {
      field += c;
      any = true;
    }
  }
  if (in_quotes) {
    return At(FilePlace::Line(source, rec.line),
              Status::Invalid(source, "quoted field is not closed before the end of the file").Says("invalid.csv_open_quote"));
  }
  if (any || !field.empty()) end_record();
  return out;
}

Result<CsvTable> CsvTable::Parse(std::string_view text, const std::string& source,
                                 const std::vector<std::string>& required) {
  CBRN_ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(text, source));
  if (records.empty()) {
    return Status::Invalid(source, source + ": empty file (no header row)").Says("invalid.csv_empty", {{"file", source}});
  }
  CsvTable t;
  t.header_ = records[0].fields;
  for (auto& h : t.header_) {
    h.erase(0, h.find_first_not_of(" \t"));
    h.erase(h.find_last_not_of(" \t") + 1);
  }
  for (const auto& r : required) {
    if (std::find(t.header_.begin(), t.header_.end(), r) == t.header_.end()) {
      return At(FilePlace::Line(source, 1),
                Status::Invalid(source, "header has no column '" + r + "'").Says("invalid.csv_no_column", {{"value", r}}));
    }
  }
  for (size_t i = 1; i < records.size(); ++i) {
    if (records[i].fields.size() != t.header_.size()) {
      return At(FilePlace::Line(source, records[i].line),
                Status::Invalid(source, std::to_string(records[i].fields.size()) + " fields, the header has " +
                                            std::to_string(t.header_.size()))
                    .Says("invalid.csv_field_count", {{"#count", std::to_string(records[i].fields.size())},
                                                      {"#header_count", std::to_string(t.header_.size())}}));
    }
    t.rows_.push_back(std::move(records[i]));
  }
  return t;
}

const std::string& CsvTable::Get(size_t row, const std::string& name) const {
  static const std::string kEmpty;
  auto it = std::find(header_.begin(), header_.end(), name);
  if (it == header_.end()) return kEmpty;
  return rows_[row].fields[it - header_.begin()];
}

}  // namespace cbrnhub
