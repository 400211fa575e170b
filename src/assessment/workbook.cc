// The offline workbook. Columns: A question id (locked), B section, C question, D type,
// E answer, F reference or details, G comment, H guidance and levels. A hidden sheet "cbrnhub"
// names the assessment and the questionnaire version, so a workbook is never applied elsewhere.
#include "assessment/workbook.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "assessment/answers.h"
#include "core/ids.h"
#include "core/problem.h"
#include "xlsx/xlsx.h"

namespace cbrnhub::assessment {
namespace {


constexpr const char* kFormat = "cbrnhub-workbook-1";
constexpr int kFirstRow = 4;  // 0-based row of the first question (Excel row 5)

std::vector<std::string> ListValues(const Question& q) {
  switch (q.type) {
    case QuestionType::kMaturity: return {"0", "1", "2", "3", "4", "5"};
    case QuestionType::kPresence: return {"in_place", "unclear", "not_in_place", "not_applicable"};
    case QuestionType::kYesPartialNo: return {"yes", "partial", "no", "not_applicable"};
    case QuestionType::kSingleChoice: {
      std::vector<std::string> v;
      for (const auto& o : q.options) v.push_back(o.value);
      return v;
    }
    default: return {};
  }
}


std::string Guidance(const Question& q, const std::string& lang) {
  std::string g = q.guidance.Get(lang);
  for (size_t i = 0; i < q.levels.size(); ++i) {
    g += (g.empty() ? "" : "\n") + std::to_string(i + 1) + ": " + q.levels[i].Get(lang);
  }
  for (const auto& o : q.options) g += (g.empty() ? "" : "\n") + o.value + ": " + o.label.Get(lang);
  if (q.type == QuestionType::kMultipleChoice)
    g += "\n(several: separate the values with ;  a lone ; means none of them)";
  if (q.type == QuestionType::kNumber && !q.unit.Get(lang).empty()) {
    g += (g.empty() ? "" : "\n") + std::string("unit: ") + q.unit.Get(lang);
  }
  return g;
}

// --- Reading ---------------------------------------------------------------------------

using xlsx::Sheet;

using xlsx::Quoted;
using xlsx::Trim;

std::string Listed(const std::vector<std::string>& values, const char* separator = ", ") {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : separator) + v;
  return out;
}

std::string Number(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", x);
  return buf;
}

// The answer in cells E (answer) and F (reference) of question `q`, in its canonical form; null
// when E is empty. On a bad cell, null and `*problem` quoting the value.
Json ReadAnswer(const Question& q, const std::string& e, const std::string& f,
                Status* problem) {
  // A text keeps its spaces; a value picked from a list or a number does not need them.
  std::string answer = q.type == QuestionType::kText ? e : Trim(e);
  if (answer.empty()) return nullptr;
  Json value;
  auto refuse = [&](const std::string& why, const std::string& key, Status::MessageArgs args = {}) {
    args.push_back({"value", xlsx::Excerpt(answer)});
    *problem = Status::Invalid(q.id, Quoted(answer) + why).Says(key, std::move(args));
    return nullptr;
  };
  std::vector<std::string> list = ListValues(q);
  if (!list.empty() && q.type != QuestionType::kMaturity &&
      std::find(list.begin(), list.end(), answer) == list.end()) {
    return refuse(" is not one of " + Listed(list), "invalid.cell_values", {{"values", Listed(list, "\n")}});
  }
  switch (q.type) {
    case QuestionType::kMaturity: {
      char* end = nullptr;
      double level = std::strtod(answer.c_str(), &end);
      if (*end != '\0' || level != std::floor(level) || level < 0 || level > 5) {
        return refuse(" is not a level 0 to 5", "invalid.cell_level");
      }
      Json levels = Json::array();
      for (int l = 1; l <= static_cast<int>(level); ++l) levels.push_back(l);
      value = {{"levels", levels}};
      break;
    }
    case QuestionType::kPresence:
      value = {{"status", answer}, {"reference", f}};
      break;
    case QuestionType::kNumber: {
      char* end = nullptr;
      double x = std::strtod(answer.c_str(), &end);
      if (*end != '\0' || !std::isfinite(x)) return refuse(" is not a number", "invalid.cell_number");
      if (q.min && x < *q.min) {
        return refuse(" is below the minimum " + Number(*q.min), "invalid.cell_below_minimum", {{"#min", Number(*q.min)}});
      }
      if (q.max && x > *q.max) {
        return refuse(" is above the maximum " + Number(*q.max), "invalid.cell_above_maximum", {{"#max", Number(*q.max)}});
      }
      value = {{"value", x}};
      break;
    }
    case QuestionType::kMultipleChoice: {
      Json values = Json::array();
      std::stringstream ss(answer);
      for (std::string v; std::getline(ss, v, ';');) {
        v = Trim(v);
        if (v.empty()) continue;
        if (std::none_of(q.options.begin(), q.options.end(),
                         [&](const Option& o) { return o.value == v; })) {
          std::vector<std::string> options;
          for (const auto& o : q.options) options.push_back(o.value);
          answer = v;
          return refuse(" is not one of " + Listed(options), "invalid.cell_values", {{"values", Listed(options, "\n")}});
        }
        values.push_back(v);
      }
      value = {{"values", values}};
      break;
    }
    default:
      value = {{"value", answer}};
      break;
  }
  if (Status st = ValidateAnswer(q, value); !st.ok()) {
    Status quoted(st.code(), Quoted(answer) + ": " + st.message(), st.field());
    *problem = st.message_key().empty() ? quoted : std::move(quoted).Says(st.message_key(), st.message_args());
    return nullptr;
  }
  return CanonicalAnswer(q, value);
}

}  // namespace

Result<std::string> WriteWorkbook(const Definition& def, const Json& assessment,
                                  const std::map<std::string, Json>& answers, const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(auto writer, xlsx::Writer::Create());
  lxw_workbook* wb = writer->workbook();
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Assessment");
  lxw_worksheet* meta = workbook_add_worksheet(wb, "cbrnhub");
  lxw_format* bold = writer->bold();
  lxw_format* wrap = writer->wrap();
  lxw_format* open = workbook_add_format(wb);  // the cells people fill in
  format_set_unlocked(open);
  format_set_text_wrap(open);
  format_set_bg_color(open, 0xFFF8DC);
  format_set_align(open, LXW_ALIGN_VERTICAL_TOP);
  worksheet_write_string(ws, 0, 0, (def.title.Get(lang) + " — " + Member(assessment, "title").get<std::string>()).c_str(), bold);
  worksheet_write_string(ws, 1, 0,
                         "Fill in the yellow cells (E, F, G). Do not change column A. Upload the file back to cbrnhub: "
                         "you will see every change before anything is saved.",
                         nullptr);
  const char* headers[] = {"Question ID", "Section", "Question", "Type", "Answer", "Reference / details", "Comment",
                           "Guidance and levels"};
  for (int c = 0; c < 8; ++c) worksheet_write_string(ws, 3, static_cast<lxw_col_t>(c), headers[c], bold);
  worksheet_set_column(ws, 0, 0, 10, nullptr);
  worksheet_set_column(ws, 1, 1, 18, wrap);
  worksheet_set_column(ws, 2, 2, 60, wrap);
  worksheet_set_column(ws, 3, 3, 14, nullptr);
  worksheet_set_column(ws, 4, 4, 16, nullptr);
  worksheet_set_column(ws, 5, 6, 30, nullptr);
  worksheet_set_column(ws, 7, 7, 60, wrap);
  // libxlsxwriter keeps pointers to these strings until the workbook is closed.
  std::vector<std::unique_ptr<std::vector<std::string>>> keep_values;
  std::vector<std::unique_ptr<std::vector<char*>>> keep_lists;
  int row = kFirstRow;
  for (const auto& sec : def.sections) {
    for (size_t qi : sec.questions) {
      const Question& q = def.questions[qi];
      auto r = static_cast<lxw_row_t>(row);
      worksheet_write_string(ws, r, 0, q.id.c_str(), nullptr);
      worksheet_write_string(ws, r, 1, sec.title.Get(lang).c_str(), wrap);
      std::string text = q.text.Get(lang);
      if (q.show_if) text += "\n(only when " + q.show_if->question + " calls for it)";
      worksheet_write_string(ws, r, 2, text.c_str(), wrap);
      worksheet_write_string(ws, r, 3, TypeName(q.type), nullptr);
      worksheet_write_string(ws, r, 7, Guidance(q, lang).c_str(), wrap);
      auto it = answers.find(q.id);
      const Json* a = it == answers.end() ? nullptr : &it->second;
      const Json* value = a ? &Member(*a, "value") : nullptr;
      std::string answer, details;
      if (value && !value->is_null()) {
        switch (q.type) {
          case QuestionType::kMaturity: answer = std::to_string(MaturityLevel(*value)); break;
          case QuestionType::kPresence:
            if (Member(*value, "status").is_string())
              answer = Member(*value, "status").get<std::string>();
            if (Member(*value, "reference").is_string())
              details = Member(*value, "reference").get<std::string>();
            break;
          case QuestionType::kMultipleChoice:
            for (const auto& v : Member(*value, "values")) {
              if (v.is_string()) answer += (answer.empty() ? "" : ";") + v.get<std::string>();
            }
            if (answer.empty()) answer = ";";  // answered: none of the options
            break;
          case QuestionType::kNumber: break;
          default:
            if (Member(*value, "value").is_string())
              answer = Member(*value, "value").get<std::string>();
            break;
        }
      }
      if (q.type == QuestionType::kNumber && value && Member(*value, "value").is_number()) {
        worksheet_write_number(ws, r, 4, Member(*value, "value").get<double>(), open);
      } else if (q.type == QuestionType::kMaturity && !answer.empty()) {
        worksheet_write_number(ws, r, 4, std::atoi(answer.c_str()), open);
      } else {
        worksheet_write_string(ws, r, 4, answer.c_str(), open);
      }
      worksheet_write_string(ws, r, 5, details.c_str(), open);
      worksheet_write_string(ws, r, 6,
                             a && Member(*a, "comment").is_string()
                                 ? Member(*a, "comment").get<std::string>().c_str()
                                 : "",
                             open);
      auto values = ListValues(q);
      if (!values.empty()) {
        keep_values.push_back(std::make_unique<std::vector<std::string>>(values));
        auto list = std::make_unique<std::vector<char*>>();
        for (auto& v : *keep_values.back()) list->push_back(v.data());
        list->push_back(nullptr);
        lxw_data_validation dv{};
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = list->data();
        worksheet_data_validation_cell(ws, r, 4, &dv);
        keep_lists.push_back(std::move(list));
      } else if (q.type == QuestionType::kNumber) {
        lxw_data_validation dv{};
        dv.validate = LXW_VALIDATION_TYPE_DECIMAL;
        dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
        dv.minimum_number = q.min.value_or(-1e15);
        dv.maximum_number = q.max.value_or(1e15);
        worksheet_data_validation_cell(ws, r, 4, &dv);
      }
      ++row;
    }
  }
  lxw_protection protection{};
  protection.format_columns = 1;
  protection.format_rows = 1;
  worksheet_protect(ws, nullptr, &protection);
  worksheet_write_string(meta, 0, 0, "format", nullptr);
  worksheet_write_string(meta, 0, 1, kFormat, nullptr);
  worksheet_write_string(meta, 1, 0, "assessment", nullptr);
  worksheet_write_string(meta, 1, 1, Member(assessment, "id").get<std::string>().c_str(), nullptr);
  worksheet_write_string(meta, 2, 0, "questionnaire", nullptr);
  worksheet_write_string(meta, 2, 1, (def.code + "@" + def.version).c_str(), nullptr);
  worksheet_hide(meta);
  return writer->Finish();
}

Result<WorkbookContent> ReadWorkbook(const Definition& def, const std::string& xlsx) {
  CBRN_ASSIGN_OR_RETURN(xlsx::Book book, xlsx::Read(xlsx));
  if (!book.sheets.count("cbrnhub") || !book.sheets.count("Assessment")) {
    return Status::Invalid("workbook", "not a cbrnhub assessment workbook (download it from the assessment page)");
  }
  Sheet& meta = book.sheets["cbrnhub"];
  if (meta[1][1] != kFormat) return Status::Invalid("workbook", "not a cbrnhub assessment workbook of this format");
  WorkbookContent out;
  out.assessment_id = meta[2][1];
  out.questionnaire = meta[3][1];
  if (out.questionnaire != def.code + "@" + def.version) {
    return Status::Invalid("workbook", "the workbook is for " + out.questionnaire.substr(0, 60) + ", this assessment answers " +
                                           def.code + "@" + def.version);
  }
  const Sheet& sheet = book.sheets["Assessment"];
  std::vector<Status> errors;
  std::set<std::string> seen;
  for (const auto& entry : sheet) {
    // Named, not a structured binding: the lambda below captures them (clang 14 cannot).
    const int row = entry.first;
    const auto& cells = entry.second;
    if (row <= kFirstRow) continue;
    // Exactly as typed: a text, a reference or a comment keeps its spaces.
    auto raw = [&](int c) {
      auto it = cells.find(c);
      return it == cells.end() ? std::string() : NormalizeNewlines(it->second);
    };
    std::string id = Trim(raw(0));
    if (id.empty()) continue;
    // The workbook's headers are in its language: the column's letter says where on a page.
    auto cell = [&](const char* column) { return FilePlace::Row(row, column); };
    const Question* q = def.Find(id);
    if (!q) {
      errors.push_back(At(cell("A"), Status::Invalid("workbook", Quoted(id) + ": no such question in " + def.code + " " + def.version)
                                         .Says("invalid.cell_not_question", {{"value", xlsx::Excerpt(id)},
                                                                             {"questionnaire", def.code + " " + def.version}})));
      continue;
    }
    if (!seen.insert(id).second) {
      errors.push_back(At(cell("A"), Status::Invalid("workbook", "the question " + Quoted(id) + " appears twice")
                                         .Says("invalid.cell_question_twice", {{"value", xlsx::Excerpt(id)}})));
      continue;
    }
    Status problem;
    WorkbookCell wc{id, row, ReadAnswer(*q, raw(4), raw(5), &problem), raw(6)};
    if (!problem.ok()) {
      errors.push_back(At(cell("E"), problem));
      continue;
    }
    if (wc.value.is_null() && !Trim(wc.comment).empty()) {
      errors.push_back(At(cell("G"), Status::Invalid("workbook", "a comment needs an answer in column E (it would be lost)")
                                         .Says("invalid.cell_comment_without_answer")));
      continue;
    }
    out.answers.push_back(std::move(wc));
  }
  for (const auto& q : def.questions) {
    if (!seen.count(q.id)) out.missing.push_back(q.id);
  }
  if (!errors.empty()) return FileProblems("workbook", errors);
  return out;
}

}  // namespace cbrnhub::assessment
