// Private to assessment: the offline workbook (XLSX) written with libxlsxwriter and read back
// with libzip and pugixml.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "assessment/assessment.h"

namespace cbrnhub::assessment {

using Words = Service::Words;

// The bytes of an .xlsx file in `lang`: one row per question with a drop-down of labels where
// the answer is one of a list, guidance and level descriptors beside it, and a hidden sheet
// naming the assessment, the questionnaire version and the language.
Result<std::string> WriteWorkbook(const Definition& def, const Json& assessment,
                                  const std::map<std::string, Json>& answers, const std::string& lang,
                                  const Words& words);

struct WorkbookCell {
  std::string question;
  int row = 0;      // as Excel numbers rows
  Json value;       // null when the answer cell is empty
  std::string comment;
};
struct WorkbookContent {
  std::string assessment_id, questionnaire;  // questionnaire: "code@version"
  std::vector<WorkbookCell> answers;  // canonical answers (CanonicalAnswer), comments as typed
  std::vector<std::string> missing;   // questions whose row is not in the workbook
};

// Reads and validates every cell; InvalidArgument listing each bad cell (row, question,
// column, problem), or naming why the file is not a workbook of this questionnaire. A choice
// is read by its label in the workbook's language or by its stored value.
Result<WorkbookContent> ReadWorkbook(const Definition& def, const std::string& xlsx, const Words& words);

}  // namespace cbrnhub::assessment
