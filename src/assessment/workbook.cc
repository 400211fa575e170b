// The offline workbook. Columns: A question id (locked), B section, C question, D type,
// E answer, F reference or details, G comment, H guidance and levels. A hidden sheet "cbrnhub"
// names the assessment and the questionnaire version, so a workbook is never applied elsewhere.
#include "assessment/workbook.h"

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "assessment/answers.h"
#include "core/ids.h"

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

class Zip {
 public:
  static Result<std::unique_ptr<Zip>> Open(const std::string& bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!src) return Status::Invalid("workbook", "cannot read the upload");
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (!z) {
      zip_source_free(src);
      std::string why = zip_error_strerror(&error);
      zip_error_fini(&error);
      return Status::Invalid("workbook", "not an XLSX file (a damaged or truncated zip archive: " + why + ")");
    }
    zip_error_fini(&error);
    auto out = std::unique_ptr<Zip>(new Zip);
    out->zip_ = z;
    CBRN_RETURN_IF_ERROR(out->CheckTotalSize());
    return out;
  }
  ~Zip() {
    if (zip_) zip_discard(zip_);
  }
  // A zip bomb is refused before any part is inflated: the sizes the archive declares for all
  // its parts together (a workbook of 1,000 questions is about 1 MiB unpacked). Reading never
  // inflates more than a part declares.
  Status CheckTotalSize() {
    constexpr zip_uint64_t kMaxTotal = 64u << 20;
    constexpr zip_int64_t kMaxEntries = 10000;
    zip_int64_t n = zip_get_num_entries(zip_, 0);
    if (n < 0 || n > kMaxEntries)
      return Status::Invalid("workbook", "the archive has too many parts to be a workbook");
    zip_uint64_t total = 0;
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      if (zip_stat_index(zip_, static_cast<zip_uint64_t>(i), 0, &st) != 0 ||
          !(st.valid & ZIP_STAT_SIZE)) {
        return Status::Invalid("workbook", "a part of the archive is damaged");
      }
      total += st.size;
      if (total > kMaxTotal) {
        return Status::Invalid(
            "workbook", "the workbook unpacks to more than 64 MiB: not an assessment workbook");
      }
    }
    return Status::Ok();
  }
  // The member `name`; NotFound when absent.
  Result<std::string> Read(const std::string& name) {
    zip_stat_t st;
    if (zip_stat(zip_, name.c_str(), 0, &st) != 0) return Status::NotFound(name);
    if (st.size > (64u << 20)) return Status::Invalid("workbook", name + " is too large");
    zip_file_t* f = zip_fopen(zip_, name.c_str(), 0);
    if (!f) return Status::Invalid("workbook", "cannot open " + name + " in the archive");
    std::string out(st.size, '\0');
    zip_int64_t n = zip_fread(f, out.data(), st.size);
    zip_fclose(f);
    if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) {
      return Status::Invalid("workbook", name + " is damaged in the archive");
    }
    return out;
  }

 private:
  Zip() = default;
  zip_t* zip_ = nullptr;
};

Result<pugi::xml_document> ParseXml(const std::string& text, const std::string& name) {
  pugi::xml_document doc;
  // Whitespace-only text is an answer too (" " must come back as " ").
  if (!doc.load_buffer(text.data(), text.size(), pugi::parse_default | pugi::parse_ws_pcdata)) {
    return Status::Invalid("workbook", name + " is not well-formed XML");
  }
  return doc;
}

std::string AllText(const pugi::xml_node& n) {
  std::string out;
  for (auto t : n.select_nodes(".//*[local-name()='t']")) out += t.node().text().as_string();
  return out;
}

// Column letters of a cell reference ("E12" -> 4), -1 when malformed; *row gets the row (1-based).
int ColumnOf(const std::string& ref, int* row) {
  int col = 0;
  size_t i = 0;
  while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i]))) {
    col = col * 26 + (std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    ++i;
  }
  if (i == 0 || i == ref.size()) return -1;
  *row = std::atoi(ref.c_str() + i);
  return col - 1;
}

using Sheet = std::map<int, std::map<int, std::string>>;  // row -> column -> text

Result<Sheet> ReadSheet(Zip& zip, const std::string& path, const std::vector<std::string>& shared) {
  CBRN_ASSIGN_OR_RETURN(std::string xml, zip.Read(path));
  CBRN_ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(xml, path));
  Sheet sheet;
  for (auto c : doc.select_nodes("//*[local-name()='c']")) {
    pugi::xml_node cell = c.node();
    int row = 0;
    int col = ColumnOf(cell.attribute("r").as_string(), &row);
    if (col < 0 || row <= 0) continue;
    std::string type = cell.attribute("t").as_string();
    std::string v = cell.child("v").text().as_string();
    if (type == "s") {
      size_t i = static_cast<size_t>(std::atol(v.c_str()));
      if (v.empty() || i >= shared.size()) return Status::Invalid("workbook", path + ": a cell points at a missing shared string");
      v = shared[i];
    } else if (type == "inlineStr") {
      v = AllText(cell.child("is"));
    }
    sheet[row][col] = v;
  }
  return sheet;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string Quoted(const std::string& s) {
  return "\"" + s.substr(0, 40) + (s.size() > 40 ? "...\"" : "\"");
}

std::string Listed(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
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
                std::string* problem) {
  // A text keeps its spaces; a value picked from a list or a number does not need them.
  std::string answer = q.type == QuestionType::kText ? e : Trim(e);
  if (answer.empty()) return nullptr;
  Json value;
  std::vector<std::string> list = ListValues(q);
  if (!list.empty() && q.type != QuestionType::kMaturity &&
      std::find(list.begin(), list.end(), answer) == list.end()) {
    *problem = Quoted(answer) + " is not one of " + Listed(list);
    return nullptr;
  }
  switch (q.type) {
    case QuestionType::kMaturity: {
      char* end = nullptr;
      double level = std::strtod(answer.c_str(), &end);
      if (*end != '\0' || level != std::floor(level) || level < 0 || level > 5) {
        *problem = Quoted(answer) + " is not a level 0 to 5";
        return nullptr;
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
      if (*end != '\0' || !std::isfinite(x)) {
        *problem = Quoted(answer) + " is not a number";
        return nullptr;
      }
      if (q.min && x < *q.min)
        *problem = Quoted(answer) + " is below the minimum " + Number(*q.min);
      if (q.max && x > *q.max)
        *problem = Quoted(answer) + " is above the maximum " + Number(*q.max);
      if (!problem->empty()) return nullptr;
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
          *problem = Quoted(v) + " is not one of " + Listed(options);
          return nullptr;
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
    *problem = Quoted(answer) + ": " + st.message();
    return nullptr;
  }
  return CanonicalAnswer(q, value);
}

}  // namespace

Result<std::string> WriteWorkbook(const Definition& def, const Json& assessment,
                                  const std::map<std::string, Json>& answers, const std::string& lang) {
  char path[] = "/tmp/cbrnhub-workbook-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return Status::Internal("cannot create a temporary file for the workbook");
  close(fd);
  struct Remove {
    const char* p;
    ~Remove() { std::remove(p); }
  } remove_after{path};
  lxw_workbook* wb = workbook_new(path);
  if (!wb) return Status::Internal("cannot create the workbook");
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Assessment");
  lxw_worksheet* meta = workbook_add_worksheet(wb, "cbrnhub");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* wrap = workbook_add_format(wb);
  format_set_text_wrap(wrap);
  format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
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
  if (workbook_close(wb) != LXW_NO_ERROR) return Status::Internal("writing the workbook failed");
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Result<WorkbookContent> ReadWorkbook(const Definition& def, const std::string& xlsx) {
  if (xlsx.size() > (32u << 20)) return Status::Invalid("workbook", "the file is larger than 32 MiB");
  if (xlsx.compare(0, 4, "PK\x03\x04") != 0) return Status::Invalid("workbook", "not an XLSX file");
  CBRN_ASSIGN_OR_RETURN(auto zip, Zip::Open(xlsx));
  // Sheets by name, through the workbook's relationships.
  auto wb_xml = zip->Read("xl/workbook.xml");
  auto rels_xml = zip->Read("xl/_rels/workbook.xml.rels");
  if (!wb_xml.ok() || !rels_xml.ok()) return Status::Invalid("workbook", "not an XLSX workbook (no xl/workbook.xml)");
  CBRN_ASSIGN_OR_RETURN(pugi::xml_document wb, ParseXml(*wb_xml, "xl/workbook.xml"));
  CBRN_ASSIGN_OR_RETURN(pugi::xml_document rels, ParseXml(*rels_xml, "xl/_rels/workbook.xml.rels"));
  std::map<std::string, std::string> target_of;
  for (auto r : rels.select_nodes("//*[local-name()='Relationship']")) {
    std::string target = r.node().attribute("Target").as_string();
    if (target.rfind("/xl/", 0) == 0) target = target.substr(4);
    target_of[r.node().attribute("Id").as_string()] = "xl/" + target;
  }
  std::map<std::string, std::string> sheet_path;
  for (auto s : wb.select_nodes("//*[local-name()='sheet']")) {
    std::string rid;
    for (auto a : s.node().attributes()) {
      if (std::string(a.name()).find(":id") != std::string::npos) rid = a.value();
    }
    sheet_path[s.node().attribute("name").as_string()] = target_of[rid];
  }
  std::vector<std::string> shared;
  if (auto ss = zip->Read("xl/sharedStrings.xml"); ss.ok()) {
    CBRN_ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(*ss, "xl/sharedStrings.xml"));
    for (auto si : doc.select_nodes("//*[local-name()='si']")) shared.push_back(AllText(si.node()));
  }
  if (!sheet_path.count("cbrnhub") || !sheet_path.count("Assessment")) {
    return Status::Invalid("workbook", "not a cbrnhub assessment workbook (download it from the assessment page)");
  }
  CBRN_ASSIGN_OR_RETURN(Sheet meta, ReadSheet(*zip, sheet_path["cbrnhub"], shared));
  if (meta[1][1] != kFormat) return Status::Invalid("workbook", "not a cbrnhub assessment workbook of this format");
  WorkbookContent out;
  out.assessment_id = meta[2][1];
  out.questionnaire = meta[3][1];
  if (out.questionnaire != def.code + "@" + def.version) {
    return Status::Invalid("workbook", "the workbook is for " + out.questionnaire.substr(0, 60) + ", this assessment answers " +
                                           def.code + "@" + def.version);
  }
  CBRN_ASSIGN_OR_RETURN(Sheet sheet, ReadSheet(*zip, sheet_path["Assessment"], shared));
  std::vector<std::string> errors;
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
    std::string where = "row " + std::to_string(row) + " (" + id.substr(0, 40) + ")";
    const Question* q = def.Find(id);
    if (!q) {
      errors.push_back(where + " column A: no such question in " + def.code + " " + def.version);
      continue;
    }
    if (!seen.insert(id).second) {
      errors.push_back(where + " column A: the question appears twice");
      continue;
    }
    std::string problem;
    WorkbookCell wc{id, row, ReadAnswer(*q, raw(4), raw(5), &problem), raw(6)};
    if (!problem.empty()) {
      errors.push_back(where + " column E: " + problem);
      continue;
    }
    if (wc.value.is_null() && !Trim(wc.comment).empty()) {
      errors.push_back(where +
                       " column G: a comment needs an answer in column E (it would be lost)");
      continue;
    }
    out.answers.push_back(std::move(wc));
  }
  for (const auto& q : def.questions) {
    if (!seen.count(q.id)) out.missing.push_back(q.id);
  }
  if (!errors.empty()) {
    std::string message = std::to_string(errors.size()) + " cell(s) need correcting; nothing was changed:";
    for (size_t i = 0; i < errors.size() && i < 50; ++i) message += "\n" + errors[i];
    return Status::Invalid("workbook", message);
  }
  return out;
}

}  // namespace cbrnhub::assessment
