// RFC 4180 CSV reading with line numbers, for data files and uploads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cbrnhub {

struct CsvRecord {
  int line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

// Parses all of `text` (UTF-8, optional BOM, LF or CRLF). Quoted fields may contain commas,
// quotes ("") and newlines. Fails with InvalidArgument naming `source` and the line on an
// unterminated quote or stray characters after a closing quote.
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text, const std::string& source);

// A CSV with a header row, accessed by column name.
class CsvTable {
 public:
  // Fails when the header lacks one of `required`, or a row has a different number of fields.
  static Result<CsvTable> Parse(std::string_view text, const std::string& source,
                                const std::vector<std::string>& required);
  size_t size() const { return rows_.size(); }
  int line(size_t row) const { return rows_[row].line; }
  // The value of column `name` in row `row`; "" for an unknown column.
  const std::string& Get(size_t row, const std::string& name) const;

 private:
  std::vector<std::string> header_;
  std::vector<CsvRecord> rows_;
};

}  // namespace cbrnhub
