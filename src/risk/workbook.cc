// The register workbook: one row per scenario (column A its id, empty for a new scenario), its
// likelihood and, per impact criterion of the method, a level (or the estimated quantity), a
// confidence and a justification. Choices are drop-downs of labels in the workbook's language;
// a hidden sheet "cbrnhub" names the register, the method, the format and the language, so a
// workbook is never applied to another register. The preview tries every row through the
// records' own checks in a transaction that is rolled back; Apply replays it, all or nothing.
#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

#include "audit/audit.h"
#include "core/ids.h"
#include "core/problem.h"
#include "i18n/i18n.h"
#include "risk/internal.h"
#include "xlsx/xlsx.h"

namespace cbrnhub::risk {
namespace {

using storage::Access;
using storage::Rows;
using storage::Transaction;
using xlsx::Quoted;
using xlsx::Trim;

constexpr const char* kFormat = "cbrnhub-risk-register-1";
constexpr int kHeaderRow = 4;  // Excel row of the column headers
constexpr int kMaxRows = 1000;

enum class Kind { kText, kLong, kChoice, kNumber };

// A column: a record field, or part of a rating ("likelihood" / a criterion id, and which part).
struct Column {
  std::string field;      // record field, or "" for a rating part
  std::string rating;     // "likelihood" or a criterion id
  std::string part;       // "level", "value", "probability", "confidence", "justification"
  std::string header;
  Kind kind = Kind::kText;
  double width = 14;
  std::vector<std::pair<std::string, std::string>> choices;  // stored value, label
};

// The columns of a register on `m`, headers in `lang`.
std::vector<Column> ColumnsOf(const Method& m, const std::string& lang, const Service::Translate& t) {
  auto choices = [&](const std::vector<std::string>& codes, const std::string& prefix) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& c : codes) out.emplace_back(c, t(lang, prefix + c));
    return out;
  };
  std::vector<std::pair<std::string, std::string>> types, likelihood, impact, confidence;
  for (const auto& st : m.scenario_types) types.emplace_back(st.id, st.label.Get(lang));
  for (const auto& l : m.likelihood) likelihood.emplace_back(std::to_string(l.level), std::to_string(l.level) + " " + l.label.Get(lang));
  for (size_t i = 0; i < m.impact_levels.size(); ++i) {
    impact.emplace_back(std::to_string(i + 1), std::to_string(i + 1) + " " + m.impact_levels[i].Get(lang));
  }
  for (const auto& [id, label] : m.confidence) confidence.emplace_back(id, label.Get(lang));
  std::vector<Column> cols = {
      {"id", "", "", t(lang, "risk.wb.id"), Kind::kText, 10, {}},
      {"title", "", "", t(lang, "field.title"), Kind::kText, 40, {}},
      {"hazard", "", "", t(lang, "field.hazard"), Kind::kChoice, 14, choices(Hazards(), "choice.")},
      {"origin", "", "", t(lang, "field.origin"), Kind::kChoice, 14, choices(Origins(), "choice.")},
      {"scenario_type", "", "", t(lang, "field.scenario_type"), Kind::kChoice, 24, types},
      {"worst_case", "", "", t(lang, "field.worst_case"), Kind::kLong, 40, {}},
      {"affected_area", "", "", t(lang, "field.affected_area"), Kind::kText, 20, {}},
      {"capabilities", "", "", t(lang, "field.capabilities"), Kind::kText, 20, {}},
      {"sources", "", "", t(lang, "field.sources"), Kind::kLong, 30, {}},
      {"", "likelihood", "level", t(lang, "risk.likelihood"), Kind::kChoice, 18, likelihood},
      {"", "likelihood", "confidence", t(lang, "risk.likelihood") + ": " + t(lang, "risk.confidence"), Kind::kChoice, 12, confidence},
      {"", "likelihood", "justification", t(lang, "risk.likelihood") + ": " + t(lang, "risk.justification"), Kind::kLong, 30, {}},
  };
  for (const auto& c : m.criteria) {
    std::string name = c.label.Get(lang);
    cols.push_back({"", c.id, "level", name, Kind::kChoice, 16, impact});
    if (!c.thresholds.empty()) {
      std::string unit = c.unit.Get(lang);
      cols.push_back({"", c.id, "value", name + (unit.empty() ? "" : " (" + unit + ")"), Kind::kNumber, 12, {}});
    }
    cols.push_back({"", c.id, "confidence", name + ": " + t(lang, "risk.confidence"), Kind::kChoice, 12, confidence});
    cols.push_back({"", c.id, "justification", name + ": " + t(lang, "risk.justification"), Kind::kLong, 30, {}});
  }
  return cols;
}

// Any change to the register or its scenarios changes it.
Result<std::string> RegisterState(Transaction& txn, const std::string& register_id) {
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn.Query("SELECT id, revision FROM risk_scenarios WHERE register_id = ? UNION ALL"
                                             " SELECT id, revision FROM risk_registers WHERE id = ? ORDER BY 1",
                                             {register_id, register_id}));
  std::string s;
  for (const auto& r : rows) s += r.Text(0) + ":" + std::to_string(r.Int(1)) + ";";
  return Sha256Hex(s);
}

struct Row {
  int row = 0;
  std::string id;
  Json body = Json::object();
  std::vector<Status> errors;
};

std::string CellAt(const xlsx::Sheet& sheet, int row, int col) {
  auto r = sheet.find(row);
  if (r == sheet.end()) return "";
  auto c = r->second.find(col);
  return c == r->second.end() ? "" : c->second;
}

// The rows of the Scenarios sheet as scenario bodies (ratings as the stored JSON text), with
// the cells that cannot be read listed.
std::vector<Row> ReadRows(const xlsx::Sheet& sheet, const std::vector<Column>& cols, const Method& m, const std::string& register_id,
                          Status* too_many) {
  std::vector<Row> rows;
  for (const auto& entry : sheet) {
    // Named, not a structured binding: the lambda below captures them (clang 14 cannot).
    const int r = entry.first;
    const auto& cells = entry.second;
    if (r <= kHeaderRow) continue;
    Row row;
    row.row = r;
    bool any = false;
    Json likelihood = Json::object(), impacts = Json::object();
    for (int ci = 0; ci < static_cast<int>(cols.size()); ++ci) {
      const Column& c = cols[ci];
      auto it = cells.find(ci);
      std::string raw = it == cells.end() ? "" : it->second;
      std::string v = c.kind == Kind::kLong ? raw : Trim(raw);
      if (Trim(v).empty()) {
        if (c.field == "id") continue;
        if (!c.field.empty()) row.body[c.field] = nullptr;
        continue;
      }
      any = true;
      auto bad = [&](const std::string& why, const std::string& key, Status::MessageArgs args = {}) {
        args.push_back({"value", xlsx::Excerpt(v)});
        // A rating's header is the method's words in the workbook's language: there the
        // column's letter says where on a page.
        std::string header_key = c.field.empty() ? "" : c.field == "id" ? "risk.wb.id" : "field." + c.field;
        row.errors.push_back(At(FilePlace::Row(r, xlsx::ColumnName(ci), header_key, c.header),
                                Status::Invalid(c.field, Quoted(v) + " " + why).Says(key, std::move(args))));
      };
      Json value = v;
      if (c.kind == Kind::kChoice) {
        auto found = std::find_if(c.choices.begin(), c.choices.end(), [&](const auto& ch) { return ch.first == v || ch.second == v; });
        if (found == c.choices.end()) {
          std::string listed;
          for (const auto& ch : c.choices) listed += (listed.empty() ? "" : ", ") + ch.second;
          // The cell takes a label in the workbook's language (or a code): those labels, also
          // on a page in another language.
          std::string values;
          for (const auto& ch : c.choices) values += (values.empty() ? "" : "\n") + ch.second;
          bad("is not one of " + listed, "invalid.cell_values", {{"values", values}});
          continue;
        }
        value = found->first;
        if (c.part == "level") value = std::stoi(found->first);
      } else if (c.kind == Kind::kNumber) {
        char* end = nullptr;
        double d = std::strtod(v.c_str(), &end);
        if (end != v.c_str() + v.size() || !std::isfinite(d)) {
          bad("is not a number", "invalid.cell_number");
          continue;
        }
        value = d == std::floor(d) && std::fabs(d) < 9e15 ? Json(static_cast<std::int64_t>(d)) : Json(d);
      }
      if (c.field == "id") {
        row.id = v;
      } else if (!c.field.empty()) {
        row.body[c.field] = value;
      } else if (c.rating == "likelihood") {
        likelihood[c.part] = value;
      } else {
        impacts[c.rating][c.part] = value;
      }
    }
    if (!any) continue;
    if (static_cast<int>(rows.size()) >= kMaxRows) {
      *too_many = Status::Invalid("workbook", "the workbook has more than " + std::to_string(kMaxRows) + " scenarios");
      return {};
    }
    // A rating part without a level or a quantity is a rating still to make: left out.
    auto rated = [](const Json& j) { return j.contains("level") || j.contains("value") || j.contains("probability"); };
    Json kept_impacts = Json::object();
    for (const auto& [id, rating] : impacts.items()) {
      if (rated(rating)) kept_impacts[id] = rating;
    }
    auto checked = CheckRatings(m, rated(likelihood) ? likelihood : Json(nullptr), kept_impacts);
    if (!checked.ok()) {
      // Name the column of the rating part at fault.
      std::string field = checked.status().field();
      FilePlace where = FilePlace::Row(r);
      for (int ci = 0; ci < static_cast<int>(cols.size()); ++ci) {
        const Column& c = cols[ci];
        std::string path = c.rating == "likelihood" ? "likelihood." + c.part : "impacts." + c.rating + "." + c.part;
        if (!c.rating.empty() && (field == path || (field == "impacts." + c.rating && c.part == "level") ||
                                  (field == "likelihood" && c.rating == "likelihood" && c.part == "level"))) {
          where.column = xlsx::ColumnName(ci);
          where.header = c.header;
          break;
        }
      }
      row.errors.push_back(At(where, checked.status()));
      continue;
    }
    row.body["likelihood"] = (*checked)["likelihood"].is_null() ? "" : (*checked)["likelihood"].dump();
    row.body["impacts"] = (*checked)["impacts"].empty() ? "" : (*checked)["impacts"].dump();
    row.body["register_id"] = register_id;
    rows.push_back(std::move(row));
  }
  return rows;
}

// What a row changes on a scenario: the fields whose value differs.
Json Changes(const Json& current, const Json& body) {
  Json out = Json::array();
  for (const auto& [k, v] : body.items()) {
    if (k == "register_id") continue;
    Json old = current.contains(k) ? current[k] : Json(nullptr);
    auto norm = [](const Json& x) { return x.is_string() && x.get<std::string>().empty() ? Json(nullptr) : x; };
    if (norm(old) != norm(v)) out.push_back({{"field", k}, {"before", old}, {"after", v}});
  }
  return out;
}

Result<Json> RunRows(records::Store& store, Transaction& txn, const Caller& caller, const Json& reg, std::vector<Row>& rows) {
  const records::KindSpec& kind = *store.catalog().Find(kScenarios);
  Json added = Json::array(), changed = Json::array(), errors = Json::array();
  int unchanged = 0;
  std::set<std::string> in_workbook;
  for (auto& row : rows) {
    std::string title = Str(row.body, "title");
    auto refuse = [&](const Status& problem) {
      errors.push_back(ProblemJson(problem));
      errors.back()["row"] = row.row;
    };
    for (const auto& e : row.errors) refuse(e);
    if (!row.errors.empty()) continue;
    // A refusal of the records' own validation names its field (with its label on a page).
    auto fail = [&](const Status& st) { refuse(At(FilePlace::Row(row.row), st)); };
    if (row.id.empty()) {
      auto r = store.CreateIn(txn, caller, kind, row.body);
      if (!r.ok()) {
        fail(r.status());
      } else {
        in_workbook.insert((*r)["id"].get<std::string>());
        added.push_back({{"row", row.row}, {"title", title}});
      }
      continue;
    }
    auto current = store.GetIn(txn, caller, kind, row.id);
    if (!current.ok() || (*current)["register_id"] != reg["id"]) {
      refuse(At(FilePlace::Row(row.row, "A"),
                Status::Invalid("id", Quoted(row.id) + " is not a scenario of this register (leave A empty for a new one)")
                    .Says("invalid.not_register_scenario_row", {{"value", xlsx::Excerpt(row.id)}})));
      continue;
    }
    if (!in_workbook.insert(row.id).second) {
      refuse(At(FilePlace::Row(row.row, "A"),
                Status::Invalid("id", "the scenario " + Quoted(row.id) + " is in the workbook twice")
                    .Says("invalid.scenario_twice", {{"value", xlsx::Excerpt(row.id)}})));
      continue;
    }
    Json changes = Changes(*current, row.body);
    if (changes.empty()) {
      ++unchanged;
      continue;
    }
    auto r = store.UpdateIn(txn, caller, kind, row.id, row.body, false);
    if (!r.ok()) fail(r.status());
    else changed.push_back({{"row", row.row}, {"id", row.id}, {"title", title}, {"fields", changes}});
  }
  CBRN_ASSIGN_OR_RETURN(std::vector<Json> existing, store.ListChildrenIn(txn, caller, kind, {reg["id"]}));
  Json left_out = Json::array();
  for (const auto& s : existing) {
    if (!in_workbook.count(s["id"])) left_out.push_back({{"id", s["id"]}, {"title", s["title"]}});
  }
  return Json{{"added", added}, {"changed", changed}, {"unchanged", unchanged}, {"errors", errors}, {"left_out", left_out}};
}

// The label of a stored value in a column.
std::string LabelOf(const Column& c, const std::string& value) {
  for (const auto& [code, label] : c.choices) {
    if (code == value) return label;
  }
  return value;
}

}  // namespace

Result<std::string> Service::ExportRegister(const Caller& caller, const std::string& register_id, const std::string& lang,
                                            const Translate& translate) {
  auto& store = impl_->store;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json reg, store.GetIn(*txn, caller, *store.catalog().Find(kRegisters), register_id));
  CBRN_ASSIGN_OR_RETURN(std::vector<Json> scenarios, store.ListChildrenIn(*txn, caller, *store.catalog().Find(kScenarios), {reg["id"]}));
  CBRN_ASSIGN_OR_RETURN(auto method, MethodIn(*txn, reg["method_id"]));
  std::vector<Column> cols = ColumnsOf(*method, lang, translate);
  CBRN_ASSIGN_OR_RETURN(auto writer, xlsx::Writer::Create());
  lxw_workbook* wb = writer->workbook();
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Scenarios");
  if (i18n::RightToLeft(lang)) worksheet_right_to_left(ws);
  lxw_worksheet* meta = workbook_add_worksheet(wb, "cbrnhub");
  // The drop-downs' choices live on a hidden sheet: Excel limits a list typed into the
  // validation itself to 255 characters, which the scenario types' labels exceed.
  lxw_worksheet* lists = workbook_add_worksheet(wb, "Lists");
  lxw_format* bold = writer->bold();
  lxw_format* wrap = writer->wrap();
  worksheet_write_string(ws, 0, 0, writer->Keep(Str(reg, "title")), bold);
  worksheet_write_string(ws, 1, 0, writer->Keep(translate(lang, "risk.wb.help") + " — " + method->title.Get(lang)), nullptr);
  for (int c = 0; c < static_cast<int>(cols.size()); ++c) {
    auto cc = static_cast<lxw_col_t>(c);
    worksheet_write_string(ws, kHeaderRow - 1, cc, writer->Keep(cols[c].header), bold);
    worksheet_set_column(ws, cc, cc, cols[c].width, cols[c].kind == Kind::kLong ? wrap : nullptr);
    if (cols[c].kind != Kind::kChoice || cols[c].choices.empty()) continue;
    for (size_t i = 0; i < cols[c].choices.size(); ++i) {
      worksheet_write_string(lists, static_cast<lxw_row_t>(i), cc, writer->Keep(cols[c].choices[i].second), nullptr);
    }
    std::string column = xlsx::ColumnName(c);
    lxw_data_validation dv{};
    dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
    dv.value_formula = const_cast<char*>(writer->Keep("=Lists!$" + column + "$1:$" + column + "$" + std::to_string(cols[c].choices.size())));  // libxlsxwriter only reads it
    dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    worksheet_data_validation_range(ws, kHeaderRow, cc, kHeaderRow + kMaxRows, cc, &dv);
  }
  worksheet_freeze_panes(ws, kHeaderRow, 2);
  int row = kHeaderRow;
  for (const auto& s : scenarios) {
    Json likelihood = Json::parse(Str(s, "likelihood").empty() ? "null" : Str(s, "likelihood"), nullptr, false);
    Json impacts = Json::parse(Str(s, "impacts").empty() ? "null" : Str(s, "impacts"), nullptr, false);
    for (int c = 0; c < static_cast<int>(cols.size()); ++c) {
      const Column& col = cols[c];
      Json v;
      if (!col.field.empty()) {
        v = s.contains(col.field) ? s[col.field] : Json(nullptr);
      } else {
        const Json& rating = col.rating == "likelihood" ? likelihood : (impacts.is_object() && impacts.contains(col.rating) ? impacts[col.rating] : Json());
        v = rating.is_object() && rating.contains(col.part) ? rating[col.part] : Json(nullptr);
      }
      auto r = static_cast<lxw_row_t>(row);
      auto cc = static_cast<lxw_col_t>(c);
      if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) continue;
      if (col.kind == Kind::kNumber && v.is_number()) {
        worksheet_write_number(ws, r, cc, v.get<double>(), nullptr);
      } else if (col.kind == Kind::kChoice) {
        worksheet_write_string(ws, r, cc, writer->Keep(LabelOf(col, v.is_string() ? v.get<std::string>() : v.dump())), nullptr);
      } else {
        worksheet_write_string(ws, r, cc, writer->Keep(v.is_string() ? v.get<std::string>() : v.dump()), nullptr);
      }
    }
    ++row;
  }
  const char* keys[] = {"format", "register", "method", "language"};
  std::string values[] = {kFormat, reg["id"], Str(reg, "method_id"), lang};
  for (int i = 0; i < 4; ++i) {
    worksheet_write_string(meta, static_cast<lxw_row_t>(i), 0, keys[i], nullptr);
    worksheet_write_string(meta, static_cast<lxw_row_t>(i), 1, writer->Keep(values[i]), nullptr);
  }
  worksheet_hide(meta);
  worksheet_hide(lists);
  return writer->Finish();
}

namespace {

// The workbook's rows read against its register: the format, register and language checked.
Result<std::vector<Row>> RowsOf(const xlsx::Book& book, const Json& reg, const Method& m, const Service::Translate& translate,
                                std::string* lang) {
  auto meta = book.sheets.find("cbrnhub"), sheet = book.sheets.find("Scenarios");
  if (meta == book.sheets.end() || sheet == book.sheets.end()) {
    return Status::Invalid("workbook", "not a cbrnhub risk register workbook (download it from the register page)");
  }
  if (CellAt(meta->second, 1, 1) != kFormat) return Status::Invalid("workbook", "not a cbrnhub risk register workbook of this format");
  if (CellAt(meta->second, 2, 1) != Str(reg, "id")) return Status::Invalid("workbook", "the workbook is for another register");
  *lang = CellAt(meta->second, 4, 1);
  if (*lang != "en" && *lang != "ru" && *lang != "fr" && *lang != "ar") *lang = "en";
  Status too_many = Status::Ok();
  std::vector<Row> rows = ReadRows(sheet->second, ColumnsOf(m, *lang, translate), m, reg["id"], &too_many);
  if (!too_many.ok()) return too_many;
  return rows;
}

}  // namespace

Result<Json> Service::PreviewImport(const Caller& caller, const std::string& register_id, const std::string& bytes,
                                    const Translate& translate) {
  auto& store = impl_->store;
  CBRN_ASSIGN_OR_RETURN(xlsx::Book book, xlsx::Read(bytes));
  Json preview;
  std::string state, lang;
  std::vector<Row> rows;
  {
    // Every row tried for real, then rolled back: nothing is written by a preview.
    CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kWrite));
    CBRN_ASSIGN_OR_RETURN(Json reg, store.GetIn(*txn, caller, *store.catalog().Find(kRegisters), register_id));
    CBRN_ASSIGN_OR_RETURN(auto method, MethodIn(*txn, reg["method_id"]));
    CBRN_ASSIGN_OR_RETURN(rows, RowsOf(book, reg, *method, translate, &lang));
    CBRN_ASSIGN_OR_RETURN(state, RegisterState(*txn, reg["id"]));
    CBRN_ASSIGN_OR_RETURN(preview, RunRows(store, *txn, caller, reg, rows));
  }
  Json kept = Json::array();
  for (const auto& r : rows) kept.push_back({{"row", r.row}, {"id", r.id}, {"body", r.body}});
  std::string import_id = NewUuid();
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json reg, store.GetIn(*txn, caller, *store.catalog().Find(kRegisters), register_id));
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO risk_imports (id, register_id, rows_json, base_state, error_count, created_at, created_by)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 {import_id, reg["id"].get<std::string>(), Json{{"lang", lang}, {"rows", kept}}.dump(), state,
                                  static_cast<std::int64_t>(preview["errors"].size()), NowUtc(), caller.who.audit_id()})
                           .status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  preview["import_id"] = import_id;
  preview["register_id"] = reg["id"];
  return preview;
}

Result<Json> Service::ApplyImport(const Caller& caller, const std::string& register_id, const std::string& import_id) {
  auto& store = impl_->store;
  CBRN_ASSIGN_OR_RETURN(auto txn, store.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json reg, store.GetIn(*txn, caller, *store.catalog().Find(kRegisters), register_id));
  CBRN_ASSIGN_OR_RETURN(Rows r, txn->Query("SELECT rows_json, base_state, error_count, applied_at, created_by FROM risk_imports"
                                           " WHERE id = ? AND register_id = ?",
                                           {import_id, reg["id"].get<std::string>()}));
  // Another person's preview is not found, as if it did not exist.
  if (r.empty() || r[0].Text(4) != caller.who.audit_id()) return Status::NotFound("no such workbook preview for this register");
  if (!r[0].IsNull(3)) return Status::Conflict("this workbook was applied already").Says("conflict.workbook_applied");
  if (r[0].Int(2) > 0) return Status::Conflict("the preview has errors: correct the workbook and upload it again").Says("conflict.workbook_errors");
  CBRN_ASSIGN_OR_RETURN(std::string state, RegisterState(*txn, reg["id"]));
  if (state != r[0].Text(1)) return Status::Conflict("the register changed since the preview: upload the workbook again").Says("conflict.workbook_stale");
  Json kept = Json::parse(r[0].Text(0));
  std::vector<Row> rows;
  for (const auto& k : kept["rows"]) rows.push_back(Row{k["row"], k["id"], k["body"], {}});
  CBRN_ASSIGN_OR_RETURN(Json result, RunRows(store, *txn, caller, reg, rows));
  if (!result["errors"].empty()) {
    return Status::Conflict("the workbook no longer applies cleanly: " + result["errors"][0]["message"].get<std::string>()).Says("conflict.workbook_unclean");
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE risk_imports SET applied_at = ? WHERE id = ?", {NowUtc(), import_id}).status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return result;
}

}  // namespace cbrnhub::risk
