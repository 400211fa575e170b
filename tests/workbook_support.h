// Private to tests: writing back a workbook read with xlsx::Read, as a person would save it
// after editing cells in a spreadsheet program.
#pragma once

#include <string>

#include "xlsx/xlsx.h"

namespace cbrnhub::testing {

inline std::string WriteBook(const xlsx::Book& book) {
  auto writer = xlsx::Writer::Create().value();
  for (const auto& [name, sheet] : book.sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(writer->workbook(), writer->Keep(name));
    for (const auto& [row, cells] : sheet) {
      for (const auto& [col, text] : cells) {
        worksheet_write_string(ws, static_cast<lxw_row_t>(row - 1), static_cast<lxw_col_t>(col), writer->Keep(text), nullptr);
      }
    }
  }
  return writer->Finish().value();
}

}  // namespace cbrnhub::testing
