// Refusals about one place in an uploaded file: a workbook's row or cell, a CSV file's line.
// The English message names the place for the API, the CLI and the logs; the place also travels
// as message arguments so that a page says it in the reader's language (http's MessageOf):
// "at_file", "#at_line" (a CSV file), "#at_row" (a workbook), "at_column" (a column's letter or
// a CSV column's name), "at_header" (the catalogue key of the column's header).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace cbrnhub {

struct FilePlace {
  // A workbook's row, or one of its cells (`header_key` and `header` when the column has one).
  static FilePlace Row(int row, std::string column = {}, std::string header_key = {},
                       std::string header = {}) {
    FilePlace p;
    p.row = row;
    p.column = std::move(column);
    p.header_key = std::move(header_key);
    p.header = std::move(header);
    return p;
  }
  // A CSV file's line, or one of its columns.
  static FilePlace Line(std::string file, int line, std::string column = {}) {
    FilePlace p;
    p.file = std::move(file);
    p.line = line;
    p.column = std::move(column);
    return p;
  }

  std::string file;        // a CSV file's name ("places.csv"); empty for a workbook
  int line = 0;            // a CSV file's 1-based line
  int row = 0;             // a workbook's 1-based row
  std::string column;      // "C", or a CSV column's name; empty when the whole row is meant
  std::string header_key;  // the catalogue key of the column's header ("field.title")
  std::string header;      // the same header in English, for message()
};

// `why` at `where`: the same code, field, key and arguments, with the place before the English
// message ("row 5, column C (Lead agency): ...", "places.csv:3: lat: ...") and among the arguments.
Status At(const FilePlace& where, Status why);

// `why` with `where` among its arguments only, for refusals whose English field or message names
// the place already (the sanctions lists' importers): a page still says it in its language.
Status Placed(const FilePlace& where, Status why);

// `why` reported against another request field (a file's column instead of the stored field).
Status InField(std::string field, const Status& why);

// Several refused places at once ("3 cells need correcting; nothing was changed"): the English
// message lists the first 50, the key "invalid.file_problems" carries them all as JSON.
Status FileProblems(const std::string& field, const std::vector<Status>& problems);

// A refusal as JSON ({"message", "field", "key", "args"}) and back, for lists of refused rows
// kept in a preview, and for the list inside FileProblems.
nlohmann::json ProblemJson(const Status& problem);
Status ProblemOf(const nlohmann::json& problem);

}  // namespace cbrnhub
