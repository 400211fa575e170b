// The offline workbook. Columns: A question id (locked), B section, C question, D type,
// E answer, F reference or details, G comment, H guidance and levels. A hidden sheet "cbrnhub"
// names the assessment and the questionnaire version, so a workbook is never applied elsewhere.
#include "assessment/workbook.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "assessment/answers.h"
#include "core/ids.h"
#include "core/problem.h"
#include "i18n/i18n.h"
#include "xlsx/xlsx.h"

namespace cbrnhub::assessment {
namespace {


constexpr const char* kFormat = "cbrnhub-workbook-1";
constexpr int kFirstRow = 4;  // 0-based row of the first question (Excel row 5)
// Several choices in a cell are separated by ";", or by the Arabic semicolon an Arabic keyboard
// types in its place.
constexpr const char* kArabicSemicolon = "\u061B";

// The stored values a choice question's cell takes, with their labels in the workbook's
// language. A label must name one value (not twice a label, not another option's value) and,
// in a cell of several, not hold a separator: when the labels cannot, the cells take the values
// themselves.
struct Choices {
  std::vector<std::string> values, labels;

  // The stored value a cell's text names, by label first, then as a value; "" when none.
  std::string ValueOf(const std::string& text) const {
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == text) return values[i];
    }
    return std::find(values.begin(), values.end(), text) != values.end() ? text : std::string();
  }
  std::string LabelOf(const std::string& value) const {
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] == value) return labels[i];
    }
    return value;
  }
};

Choices ChoicesOf(const Question& q, const std::string& lang, const Words& words) {
  Choices c;
  auto catalogued = [&](std::vector<std::string> values) {
    c.values = std::move(values);
    for (const auto& v : c.values) c.labels.push_back(words(lang, "choice." + v));
  };
  switch (q.type) {
    case QuestionType::kPresence: catalogued({"in_place", "unclear", "not_in_place", "not_applicable"}); break;
    case QuestionType::kYesPartialNo: catalogued({"yes", "partial", "no", "not_applicable"}); break;
    case QuestionType::kSingleChoice:
    case QuestionType::kMultipleChoice:
      for (const auto& o : q.options) {
        c.values.push_back(o.value);
        c.labels.push_back(o.label.Get(lang).empty() ? o.value : o.label.Get(lang));
      }
      break;
    default: return c;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < c.labels.size(); ++i) {
    const std::string& label = c.labels[i];
    auto named = std::find(c.values.begin(), c.values.end(), label);
    const bool another_value = named != c.values.end() && named != c.values.begin() + static_cast<std::ptrdiff_t>(i);
    if (!seen.insert(label).second || another_value || label.find(';') != std::string::npos ||
        label.find(kArabicSemicolon) != std::string::npos || xlsx::Trim(label) != label || label.empty()) {
      c.labels = c.values;
      break;
    }
  }
  return c;
}

// `pattern` with "{name}" replaced by `value` (the catalogue's plain words, no plural).
std::string Filled(std::string pattern, const std::string& name, const std::string& value) {
  const std::string slot = "{" + name + "}";
  if (auto at = pattern.find(slot); at != std::string::npos) pattern.replace(at, slot.size(), value);
  return pattern;
}

std::string Guidance(const Question& q, const Choices& choices, const std::string& lang, const Words& words) {
  std::string g = q.guidance.Get(lang);
  auto line = [&](const std::string& text) { g += (g.empty() ? "" : "\n") + text; };
  for (size_t i = 0; i < q.levels.size(); ++i) line(std::to_string(i + 1) + ": " + q.levels[i].Get(lang));
  if (choices.labels == choices.values && !q.options.empty()) {
    // The cells take the stored values: say what each means.
    for (const auto& o : q.options) line(o.value + ": " + o.label.Get(lang));
  } else if (q.type == QuestionType::kMultipleChoice) {
    for (const auto& label : choices.labels) line("• " + label);
  }
  if (q.type == QuestionType::kMultipleChoice) line(words(lang, "assessment.wb.several"));
  if (q.type == QuestionType::kNumber && !q.unit.Get(lang).empty()) {
    line(Filled(words(lang, "assessment.wb.unit"), "unit", q.unit.Get(lang)));
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

// The answer in cells E (answer) and F (reference) of question `q`, in its canonical form; null
// when E is empty. On a bad cell, null and `*problem` quoting the text.
Json ReadAnswer(const Question& q, const Choices& choices, const std::string& e, const std::string& f,
                Status* problem) {
  // A text keeps its spaces; a value picked from a list or a number does not need them.
  const std::string typed = q.type == QuestionType::kText ? e : Trim(e);
  if (typed.empty()) return nullptr;
  std::string answer = typed;  // the stored value it names
  Json value;
  auto refuse = [&](const std::string& why, const std::string& key, Status::MessageArgs args = {},
                    const std::string& text = "") {
    const std::string& quoted = text.empty() ? typed : text;
    args.push_back({"value", xlsx::Excerpt(quoted)});
    *problem = Status::Invalid(q.id, Quoted(quoted) + why).Says(key, std::move(args));
    return nullptr;
  };
  auto not_a_choice = [&](const std::string& text) {
    return refuse(" is not one of " + Listed(choices.labels), "invalid.cell_values",
                  {{"values", Listed(choices.labels, "\n")}}, text);
  };
  if (!choices.values.empty() && q.type != QuestionType::kMultipleChoice) {
    answer = choices.ValueOf(typed);
    if (answer.empty()) return not_a_choice(typed);
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
        return refuse(" is below the minimum " + Number15(*q.min), "invalid.cell_below_minimum", {{"#min", Number15(*q.min)}});
      }
      if (q.max && x > *q.max) {
        return refuse(" is above the maximum " + Number15(*q.max), "invalid.cell_above_maximum", {{"#max", Number15(*q.max)}});
      }
      value = {{"value", x}};
      break;
    }
    case QuestionType::kMultipleChoice: {
      Json values = Json::array();
      std::string cell = answer;
      for (size_t at = cell.find(kArabicSemicolon); at != std::string::npos; at = cell.find(kArabicSemicolon, at)) {
        cell.replace(at, std::strlen(kArabicSemicolon), ";");
      }
      std::stringstream ss(cell);
      for (std::string part; std::getline(ss, part, ';');) {
        part = Trim(part);
        if (part.empty()) continue;
        std::string v = choices.ValueOf(part);
        if (v.empty()) return not_a_choice(part);
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
    Status quoted(st.code(), Quoted(typed) + ": " + st.message(), st.field());
    *problem = st.message_key().empty() ? quoted : std::move(quoted).Says(st.message_key(), st.message_args());
    return nullptr;
  }
  return CanonicalAnswer(q, value);
}

}  // namespace

Result<std::string> WriteWorkbook(const Definition& def, const Json& assessment,
                                  const std::map<std::string, Json>& answers, const std::string& lang,
                                  const Words& words) {
  CBRN_ASSIGN_OR_RETURN(auto writer, xlsx::Writer::Create());
  lxw_workbook* wb = writer->workbook();
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Assessment");
  lxw_worksheet* meta = workbook_add_worksheet(wb, "cbrnhub");
  // The drop-downs' labels: a list typed into the validation may not exceed 255 characters,
  // which a questionnaire's labels in Russian or Arabic easily do; a range has no such limit.
  lxw_worksheet* lists = workbook_add_worksheet(wb, "lists");
  if (i18n::RightToLeft(lang)) worksheet_right_to_left(ws);
  lxw_format* bold = writer->bold();
  lxw_format* wrap = writer->wrap();
  lxw_format* open = workbook_add_format(wb);  // the cells people fill in
  format_set_unlocked(open);
  format_set_text_wrap(open);
  format_set_bg_color(open, 0xFFF8DC);
  format_set_align(open, LXW_ALIGN_VERTICAL_TOP);
  worksheet_write_string(ws, 0, 0, writer->Keep(def.title.Get(lang) + " \u2014 " + Member(assessment, "title").get<std::string>()), bold);
  worksheet_write_string(ws, 1, 0, writer->Keep(words(lang, "assessment.wb.help")), nullptr);
  const char* headers[] = {"assessment.wb.question_id", "assessment.wb.section", "assessment.wb.question",
                           "assessment.wb.type", "assessment.wb.answer", "assessment.wb.reference",
                           "assessment.wb.comment", "assessment.wb.guidance"};
  for (int c = 0; c < 8; ++c) worksheet_write_string(ws, 3, static_cast<lxw_col_t>(c), writer->Keep(words(lang, headers[c])), bold);
  worksheet_set_column(ws, 0, 0, 10, nullptr);
  worksheet_set_column(ws, 1, 1, 18, wrap);
  worksheet_set_column(ws, 2, 2, 60, wrap);
  worksheet_set_column(ws, 3, 3, 14, wrap);
  worksheet_set_column(ws, 4, 4, 18, nullptr);
  worksheet_set_column(ws, 5, 6, 30, nullptr);
  worksheet_set_column(ws, 7, 7, 60, wrap);
  static const char* const kLevels[] = {"0", "1", "2", "3", "4", "5", nullptr};
  int row = kFirstRow;
  lxw_row_t list_row = 0;
  for (const auto& sec : def.sections) {
    for (size_t qi : sec.questions) {
      const Question& q = def.questions[qi];
      const Choices choices = ChoicesOf(q, lang, words);
      auto r = static_cast<lxw_row_t>(row);
      worksheet_write_string(ws, r, 0, q.id.c_str(), nullptr);
      worksheet_write_string(ws, r, 1, writer->Keep(sec.title.Get(lang)), wrap);
      std::string text = q.text.Get(lang);
      if (q.show_if) text += "\n" + Filled(words(lang, "assessment.wb.only_when"), "question", q.show_if->question);
      worksheet_write_string(ws, r, 2, writer->Keep(text), wrap);
      worksheet_write_string(ws, r, 3, writer->Keep(words(lang, std::string("question_type.") + TypeName(q.type))), wrap);
      worksheet_write_string(ws, r, 7, writer->Keep(Guidance(q, choices, lang, words)), wrap);
      auto it = answers.find(q.id);
      const Json* a = it == answers.end() ? nullptr : &it->second;
      const Json* value = a ? &Member(*a, "value") : nullptr;
      std::string answer, details;
      if (value && !value->is_null()) {
        switch (q.type) {
          case QuestionType::kMaturity: answer = std::to_string(MaturityLevel(*value)); break;
          case QuestionType::kPresence:
            if (Member(*value, "status").is_string())
              answer = choices.LabelOf(Member(*value, "status").get<std::string>());
            if (Member(*value, "reference").is_string())
              details = Member(*value, "reference").get<std::string>();
            break;
          case QuestionType::kMultipleChoice:
            for (const auto& v : Member(*value, "values")) {
              if (v.is_string()) answer += (answer.empty() ? "" : "; ") + choices.LabelOf(v.get<std::string>());
            }
            if (answer.empty()) answer = ";";  // answered: none of the options
            break;
          case QuestionType::kNumber: break;
          default:
            if (Member(*value, "value").is_string())
              answer = choices.LabelOf(Member(*value, "value").get<std::string>());
            break;
        }
      }
      if (q.type == QuestionType::kNumber && value && Member(*value, "value").is_number()) {
        worksheet_write_number(ws, r, 4, Member(*value, "value").get<double>(), open);
      } else if (q.type == QuestionType::kMaturity && !answer.empty()) {
        worksheet_write_number(ws, r, 4, std::atoi(answer.c_str()), open);
      } else {
        worksheet_write_string(ws, r, 4, writer->Keep(answer), open);
      }
      worksheet_write_string(ws, r, 5, writer->Keep(details), open);
      worksheet_write_string(ws, r, 6,
                             a && Member(*a, "comment").is_string()
                                 ? writer->Keep(Member(*a, "comment").get<std::string>())
                                 : "",
                             open);
      lxw_data_validation dv{};
      if (q.type == QuestionType::kMaturity) {
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = const_cast<char**>(kLevels);
        worksheet_data_validation_cell(ws, r, 4, &dv);
      } else if (!choices.labels.empty() && q.type != QuestionType::kMultipleChoice) {
        for (size_t c = 0; c < choices.labels.size(); ++c) {
          worksheet_write_string(lists, list_row, static_cast<lxw_col_t>(c), writer->Keep(choices.labels[c]), nullptr);
        }
        const std::string n = std::to_string(list_row + 1);
        dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
        dv.value_formula = const_cast<char*>(writer->Keep("=lists!$A$" + n + ":$" +
                                        xlsx::ColumnName(static_cast<int>(choices.labels.size()) - 1) + "$" + n));
        worksheet_data_validation_cell(ws, r, 4, &dv);
        ++list_row;
      } else if (q.type == QuestionType::kNumber) {
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
  worksheet_protect(lists, nullptr, nullptr);
  worksheet_hide(lists);
  worksheet_write_string(meta, 0, 0, "format", nullptr);
  worksheet_write_string(meta, 0, 1, kFormat, nullptr);
  worksheet_write_string(meta, 1, 0, "assessment", nullptr);
  worksheet_write_string(meta, 1, 1, writer->Keep(Member(assessment, "id").get<std::string>()), nullptr);
  worksheet_write_string(meta, 2, 0, "questionnaire", nullptr);
  worksheet_write_string(meta, 2, 1, writer->Keep(def.code + "@" + def.version), nullptr);
  worksheet_write_string(meta, 3, 0, "language", nullptr);
  worksheet_write_string(meta, 3, 1, writer->Keep(lang), nullptr);
  worksheet_hide(meta);
  return writer->Finish();
}

Result<WorkbookContent> ReadWorkbook(const Definition& def, const std::string& xlsx, const Words& words) {
  CBRN_ASSIGN_OR_RETURN(xlsx::Book book, xlsx::Read(xlsx));
  if (!book.sheets.count("cbrnhub") || !book.sheets.count("Assessment")) {
    return Status::Invalid("workbook", "not a cbrnhub assessment workbook (download it from the assessment page)");
  }
  Sheet& meta = book.sheets["cbrnhub"];
  if (meta[1][1] != kFormat) return Status::Invalid("workbook", "not a cbrnhub assessment workbook of this format");
  WorkbookContent out;
  out.assessment_id = meta[2][1];
  out.questionnaire = meta[3][1];
  // Workbooks written before the language was recorded carry the stored values.
  const std::string lang = meta[4][1].empty() ? "en" : meta[4][1];
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
    WorkbookCell wc{id, row, ReadAnswer(*q, ChoicesOf(*q, lang, words), raw(4), raw(5), &problem), raw(6)};
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
