// XLSX workbooks: reading the cell texts of every sheet of an uploaded file, safely, and
// writing one with libxlsxwriter into bytes. Used by the assessment and plan workbooks.
#pragma once

#include <xlsxwriter.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace cbrnhub::xlsx {

// Cell texts by row (1-based, as Excel numbers rows) and column (0-based: A = 0).
using Sheet = std::map<int, std::map<int, std::string>>;

struct Book {
  std::map<std::string, Sheet> sheets;  // by sheet name
};

// Reads every sheet. Shared and inline strings are resolved; whitespace in text is kept; a text
// that is not UTF-8 is refused naming its sheet and cell.
// InvalidArgument (field "workbook") saying why the bytes are not a readable workbook: not a
// zip, damaged, larger than 32 MiB, or unpacking (all parts together, as declared, checked
// before anything is inflated) to more than 64 MiB.
Result<Book> Read(const std::string& bytes);

// Column letters of a 0-based column ("A", "AB").
std::string ColumnName(int column);

// Reading cells people typed. A cell's text without surrounding spaces and line breaks.
std::string Trim(const std::string& s);
// A cell's text for an error message, cut at 40 bytes (on a character boundary) with "...".
std::string Excerpt(const std::string& s);
// The same, quoted.
std::string Quoted(const std::string& s);
// A date typed as text (YYYY-MM-DD), or as the number Excel stores for a date (days since
// 1899-12-30); *ok false when it is neither.
std::string DateOf(const std::string& cell, bool* ok);
// Whole numbers as Excel writes them ("48000" or "48000.0").
bool IntegerOf(const std::string& cell, std::int64_t* out);

// A workbook being written to a temporary file; Finish() closes it and returns its bytes.
// Strings handed to libxlsxwriter must live until Finish(): Keep() holds them.
class Writer {
 public:
  static Result<std::unique_ptr<Writer>> Create();
  ~Writer();
  lxw_workbook* workbook() { return wb_; }
  // The formats every cbrnhub workbook uses: bold headers, wrapped text aligned to the top.
  lxw_format* bold();
  lxw_format* wrap();
  const char* Keep(std::string s);
  // A null-terminated list of kept strings, as a data validation's value_list wants it.
  char** KeepList(const std::vector<std::string>& items);
  Result<std::string> Finish();

 private:
  Writer() = default;
  std::string path_;
  lxw_workbook* wb_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* wrap_ = nullptr;
  std::vector<std::unique_ptr<std::string>> kept_;
  std::vector<std::unique_ptr<std::vector<char*>>> lists_;
};

}  // namespace cbrnhub::xlsx
