// The plan workbook: one row per action (column A its id, empty for a new action), choices as
// drop-downs of labels in the workbook's language; a hidden sheet "cbrnhub" names the plan, the
// format and the language, so that a workbook is never applied to another plan. Reading tries
// every row through the records' own validation inside a transaction that is rolled back: the
// preview says exactly what Apply will do, and Apply replays it, all or nothing.
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cmath>
#include <set>

#include "audit/audit.h"
#include "core/ids.h"
#include "core/problem.h"
#include "i18n/i18n.h"
#include "plans/plans.h"
#include "records/text.h"
#include "xlsx/xlsx.h"

namespace cbrnhub::plans {

using records::SplitList;
using records::Text;
namespace {

using storage::Access;
using xlsx::DateOf;
using xlsx::IntegerOf;
using xlsx::Quoted;
using xlsx::Trim;
using storage::Rows;
using storage::Transaction;

constexpr const char* kFormat = "cbrnhub-plan-1";
constexpr int kHeaderRow = 4;   // Excel row of the column headers
constexpr int kMaxRows = 2000;  // actions a workbook may carry

enum class Kind { kText, kLong, kChoice, kDate, kInteger, kAgency };
struct Column {
  const char* field;
  const char* header;  // message key
  Kind kind;
  double width;
};
constexpr Column kColumns[] = {
    {"id", "plans.wb.id", Kind::kText, 10},
    {"title", "field.title", Kind::kText, 40},
    {"objective", "field.objective", Kind::kLong, 40},
    {"area", "field.area", Kind::kChoice, 16},
    {"priorities", "field.priorities", Kind::kText, 16},
    {"lead_agency_id", "field.lead_agency_id", Kind::kAgency, 24},
    {"partner_agencies", "field.partner_agencies", Kind::kText, 24},
    {"countries", "field.countries", Kind::kText, 12},
    {"start_date", "field.start_date", Kind::kDate, 12},
    {"end_date", "field.end_date", Kind::kDate, 12},
    {"budget", "field.budget", Kind::kInteger, 12},
    {"currency", "field.currency", Kind::kText, 9},
    {"funding", "field.funding", Kind::kChoice, 16},
    {"secured", "field.secured", Kind::kInteger, 12},
    {"status", "field.status", Kind::kChoice, 14},
    {"percent", "field.percent", Kind::kInteger, 9},
    {"progress_note", "field.progress_note", Kind::kLong, 30},
};


const std::vector<std::string>& ChoicesOf(const records::KindSpec& kind, const char* field) {
  static const std::vector<std::string> kNone;
  const records::FieldSpec* f = kind.Field(field);
  return f ? f->choices : kNone;
}

// The state of a plan a preview was made against: any change to it or its actions changes it.
Result<std::string> PlanState(Transaction& txn, const std::string& plan_id) {
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn.Query("SELECT id, revision FROM plan_actions WHERE plan_id = ? UNION ALL"
                                             " SELECT id, revision FROM action_plans WHERE id = ? ORDER BY 1",
                                             {plan_id, plan_id}));
  std::string s;
  for (const auto& r : rows) s += r.Text(0) + ":" + std::to_string(r.Int(1)) + ";";
  return Sha256Hex(s);
}

// The agencies a plan's action may name, by id, short name or name.
Result<std::map<std::string, std::string>> AgencyIds(Transaction& txn, const Caller& caller) {
  access::SqlFilter f = access::VisibilityFilter(caller.who);
  storage::Params params(f.params.begin(), f.params.end());
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn.Query("SELECT id, short_name, name FROM agencies WHERE deleted_at IS NULL AND " + f.sql,
                                             params));
  std::map<std::string, std::string> out;
  for (const auto& r : rows) {
    out[r.Text(0)] = r.Text(0);
    if (!r.OptionalText(1).value_or("").empty()) out[r.Text(1)] = r.Text(0);
    out[r.Text(2)] = r.Text(0);
  }
  return out;
}

struct Row {
  int row = 0;
  std::string id;
  Json body = Json::object();
  std::vector<Status> errors;
};

// Reads the workbook's rows into action bodies (what the API would be sent), with the cells
// that cannot even be read listed.
Result<std::vector<Row>> ReadRows(const xlsx::Book& book_in, const records::KindSpec& kind, const std::string& plan_id,
                                  const std::map<std::string, std::string>& agencies,
                                  const Service::Translate& translate, std::string* lang) {
  const auto meta_sheet = book_in.sheets.find("cbrnhub"), actions_sheet = book_in.sheets.find("Actions");
  if (meta_sheet == book_in.sheets.end() || actions_sheet == book_in.sheets.end()) {
    return Status::Invalid("workbook", "not a cbrnhub plan workbook (download it from the plan page)");
  }
  auto cell = [&](int row, int col) {
    auto r = meta_sheet->second.find(row);
    if (r == meta_sheet->second.end()) return std::string();
    auto c = r->second.find(col);
    return c == r->second.end() ? std::string() : c->second;
  };
  if (cell(1, 1) != kFormat) return Status::Invalid("workbook", "not a cbrnhub plan workbook of this format");
  if (cell(2, 1) != plan_id) return Status::Invalid("workbook", "the workbook is for another plan");
  *lang = cell(3, 1);
  // Each choice by its code or its label in the workbook's language.
  std::map<std::string, std::map<std::string, std::string>> choice;
  for (const auto& c : kColumns) {
    if (c.kind != Kind::kChoice) continue;
    for (const auto& code : ChoicesOf(kind, c.field)) {
      choice[c.field][code] = code;
      choice[c.field][translate(*lang, "choice." + code)] = code;
    }
  }
  std::vector<Row> rows;
  for (const auto& entry : actions_sheet->second) {
    // Named, not a structured binding: the lambda below captures them (clang 14 cannot).
    const int r = entry.first;
    const auto& cells = entry.second;
    if (r <= kHeaderRow) continue;
    Row row;
    row.row = r;
    bool any = false;
    for (int col = 0; col < static_cast<int>(std::size(kColumns)); ++col) {
      const Column& c = kColumns[col];
      auto it = cells.find(col);
      std::string raw = it == cells.end() ? "" : it->second;
      std::string v = c.kind == Kind::kLong ? raw : Trim(raw);
      if (!Trim(v).empty()) any = true;
      auto bad = [&](const std::string& why, const std::string& key, Status::MessageArgs args = {}) {
        args.push_back({"value", xlsx::Excerpt(v)});
        row.errors.push_back(At(FilePlace::Row(r, xlsx::ColumnName(col), c.header, translate(*lang, c.header)),
                                Status::Invalid(c.field, Quoted(v) + " " + why).Says(key, std::move(args))));
      };
      if (std::string(c.field) == "id") {
        row.id = v;
        continue;
      }
      if (Trim(v).empty()) {
        row.body[c.field] = nullptr;
        continue;
      }
      switch (c.kind) {
        case Kind::kChoice: {
          auto found = choice[c.field].find(v);
          if (found == choice[c.field].end()) {
            // The cell takes a label in the workbook's language (or a code): those labels, also
            // on a page in another language.
            std::string listed, values;
            for (const auto& code : ChoicesOf(kind, c.field)) {
              listed += (listed.empty() ? "" : ", ") + translate(*lang, "choice." + code);
              values += (values.empty() ? "" : "\n") + translate(*lang, "choice." + code);
            }
            bad("is not one of " + listed, "invalid.cell_values", {{"values", values}});
          } else {
            row.body[c.field] = found->second;
          }
          break;
        }
        case Kind::kDate: {
          bool ok = false;
          std::string d = DateOf(v, &ok);
          if (!ok) bad("is not a date (YYYY-MM-DD)", "invalid.cell_date");
          else row.body[c.field] = d;
          break;
        }
        case Kind::kInteger: {
          std::int64_t n = 0;
          if (!IntegerOf(v, &n)) bad("is not a whole number", "invalid.cell_whole_number");
          else row.body[c.field] = n;
          break;
        }
        case Kind::kAgency: {
          auto found = agencies.find(v);
          if (found == agencies.end()) bad("is not an agency you can see", "invalid.cell_agency");
          else row.body[c.field] = found->second;
          break;
        }
        default:
          row.body[c.field] = v;
      }
    }
    if (!any) continue;
    if (static_cast<int>(rows.size()) >= kMaxRows) {
      return Status::Invalid("workbook", "the workbook has more than " + std::to_string(kMaxRows) + " actions");
    }
    row.body["plan_id"] = plan_id;
    rows.push_back(std::move(row));
  }
  return rows;
}

// What a row changes on an action as it stands: the fields whose value differs.
Json Changes(const Json& current, const Json& body) {
  Json out = Json::array();
  for (const auto& [k, v] : body.items()) {
    if (k == "plan_id") continue;
    Json old = current.contains(k) ? current[k] : Json(nullptr);
    auto norm = [](const Json& x) { return x.is_string() && x.get<std::string>().empty() ? Json(nullptr) : x; };
    if (norm(old) != norm(v)) out.push_back({{"field", k}, {"before", old}, {"after", v}});
  }
  return out;
}

// Tries (or, with `commit`, applies) every row inside `txn`. Returns the preview.
Result<Json> RunRows(records::Store& store, Transaction& txn, const Caller& caller, const Json& plan, std::vector<Row>& rows,
                     const Service::Translate& translate, const std::string& lang) {
  const records::KindSpec& kind = *store.catalog().Find(kActions);
  Json added = Json::array(), changed = Json::array(), errors = Json::array();
  int unchanged = 0;
  std::set<std::string> in_workbook;
  for (auto& row : rows) {
    std::string title = Text(row.body, "title");
    auto refuse = [&](const Status& problem) {
      errors.push_back(ProblemJson(problem));
      errors.back()["row"] = row.row;
    };
    for (const auto& e : row.errors) refuse(e);
    if (!row.errors.empty()) continue;
    // A refusal of the records' own validation, at the column of the field it names.
    auto fail = [&](const Status& st) {
      FilePlace where = FilePlace::Row(row.row);
      for (int c = 0; c < static_cast<int>(std::size(kColumns)); ++c) {
        if (st.field() == kColumns[c].field) {
          where.column = xlsx::ColumnName(c);
          where.header_key = kColumns[c].header;
          where.header = translate(lang, kColumns[c].header);
        }
      }
      refuse(At(where, st));
    };
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
    if (!current.ok() || (*current)["plan_id"] != plan["id"]) {
      refuse(At(FilePlace::Row(row.row, "A", kColumns[0].header, translate(lang, kColumns[0].header)),
                Status::Invalid("id", Quoted(row.id) + " is not an action of this plan (leave A empty for a new action)")
                    .Says("invalid.not_plan_action_row", {{"value", xlsx::Excerpt(row.id)}})));
      continue;
    }
    if (!in_workbook.insert(row.id).second) {
      refuse(At(FilePlace::Row(row.row, "A", kColumns[0].header, translate(lang, kColumns[0].header)),
                Status::Invalid("id", "the action " + Quoted(row.id) + " is in the workbook twice")
                    .Says("invalid.action_twice", {{"value", xlsx::Excerpt(row.id)}})));
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
  CBRN_ASSIGN_OR_RETURN(std::vector<Json> existing, store.ListChildrenIn(txn, caller, kind, {plan["id"]}));
  Json left_out = Json::array();
  for (const auto& a : existing) {
    if (!in_workbook.count(a["id"])) left_out.push_back({{"id", a["id"]}, {"title", a["title"]}});
  }
  return Json{{"added", added}, {"changed", changed}, {"unchanged", unchanged}, {"errors", errors}, {"left_out", left_out}};
}

}  // namespace

Result<std::string> Service::ExportPlan(const Caller& caller, const std::string& plan_id, const std::string& lang,
                                        const Translate& translate) {
  const records::KindSpec& kind = *store_.catalog().Find(kActions);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json plan, store_.GetIn(*txn, caller, *store_.catalog().Find(kPlans), plan_id));
  CBRN_ASSIGN_OR_RETURN(std::vector<Json> actions, store_.ListChildrenIn(*txn, caller, kind, {plan["id"]}));
  CBRN_ASSIGN_OR_RETURN(Rows agency_rows, txn->Query("SELECT id, short_name, name FROM agencies"));
  std::map<std::string, std::string> agency_name;
  for (const auto& r : agency_rows) {
    agency_name[r.Text(0)] = r.OptionalText(1).value_or("").empty() ? r.Text(2) : r.Text(1);
  }
  CBRN_ASSIGN_OR_RETURN(auto writer, xlsx::Writer::Create());
  lxw_workbook* wb = writer->workbook();
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Actions");
  if (i18n::RightToLeft(lang)) worksheet_right_to_left(ws);
  lxw_worksheet* meta = workbook_add_worksheet(wb, "cbrnhub");
  lxw_format* bold = writer->bold();
  lxw_format* wrap = writer->wrap();
  lxw_format* locked = workbook_add_format(wb);
  format_set_bg_color(locked, 0xEEEEEE);
  worksheet_write_string(ws, 0, 0, writer->Keep(Text(plan, "title")), bold);
  worksheet_write_string(ws, 1, 0, writer->Keep(translate(lang, "plans.wb.help")), nullptr);
  for (int c = 0; c < static_cast<int>(std::size(kColumns)); ++c) {
    worksheet_write_string(ws, kHeaderRow - 1, static_cast<lxw_col_t>(c), writer->Keep(translate(lang, kColumns[c].header)), bold);
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), kColumns[c].width,
                         kColumns[c].kind == Kind::kLong ? wrap : nullptr);
    if (kColumns[c].kind != Kind::kChoice) continue;
    // A drop-down of the labels; libxlsxwriter keeps the pointers until the file is closed.
    std::vector<std::string> labels;
    for (const auto& code : ChoicesOf(kind, kColumns[c].field)) labels.push_back(translate(lang, "choice." + code));
    lxw_data_validation dv{};
    dv.validate = LXW_VALIDATION_TYPE_LIST;
    dv.value_list = writer->KeepList(labels);
    dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    worksheet_data_validation_range(ws, kHeaderRow, static_cast<lxw_col_t>(c), kHeaderRow + kMaxRows,
                                    static_cast<lxw_col_t>(c), &dv);
  }
  worksheet_freeze_panes(ws, kHeaderRow, 2);
  int row = kHeaderRow;
  for (const auto& a : actions) {
    for (int c = 0; c < static_cast<int>(std::size(kColumns)); ++c) {
      const Column& col = kColumns[c];
      const Json& v = a.contains(col.field) ? a[col.field] : Json(nullptr);
      lxw_col_t cc = static_cast<lxw_col_t>(c);
      if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) continue;
      if (col.kind == Kind::kInteger && v.is_number_integer()) {
        worksheet_write_number(ws, static_cast<lxw_row_t>(row), cc, static_cast<double>(v.get<std::int64_t>()), nullptr);
      } else if (col.kind == Kind::kChoice) {
        worksheet_write_string(ws, static_cast<lxw_row_t>(row), cc, writer->Keep(translate(lang, "choice." + v.get<std::string>())), nullptr);
      } else if (col.kind == Kind::kAgency) {
        worksheet_write_string(ws, static_cast<lxw_row_t>(row), cc, writer->Keep(agency_name[v.get<std::string>()]), nullptr);
      } else {
        worksheet_write_string(ws, static_cast<lxw_row_t>(row), cc, writer->Keep(v.get<std::string>()),
                               std::string(col.field) == "id" ? locked : nullptr);
      }
    }
    ++row;
  }
  worksheet_write_string(meta, 0, 0, "format", nullptr);
  worksheet_write_string(meta, 0, 1, kFormat, nullptr);
  worksheet_write_string(meta, 1, 0, "plan", nullptr);
  worksheet_write_string(meta, 1, 1, writer->Keep(plan["id"]), nullptr);
  worksheet_write_string(meta, 2, 0, "language", nullptr);
  worksheet_write_string(meta, 2, 1, writer->Keep(lang), nullptr);
  worksheet_hide(meta);
  return writer->Finish();
}

Result<Json> Service::PreviewPlanImport(const Caller& caller, const std::string& plan_id, const std::string& bytes,
                                        const Translate& translate) {
  CBRN_ASSIGN_OR_RETURN(xlsx::Book book, xlsx::Read(bytes));
  Json preview;
  std::string import_id = NewUuid(), state, lang;
  std::vector<Row> rows;
  {
    // Every row tried for real, then rolled back: nothing is written by a preview.
    CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
    CBRN_ASSIGN_OR_RETURN(Json plan, store_.GetIn(*txn, caller, *store_.catalog().Find(kPlans), plan_id));
    CBRN_ASSIGN_OR_RETURN(auto agencies, AgencyIds(*txn, caller));
    CBRN_ASSIGN_OR_RETURN(rows, ReadRows(book, *store_.catalog().Find(kActions), plan["id"], agencies, translate, &lang));
    CBRN_ASSIGN_OR_RETURN(state, PlanState(*txn, plan["id"]));
    CBRN_ASSIGN_OR_RETURN(preview, RunRows(store_, *txn, caller, plan, rows, translate, lang));
  }
  Json kept = Json::array();
  for (const auto& r : rows) kept.push_back({{"row", r.row}, {"id", r.id}, {"body", r.body}});
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json plan, store_.GetIn(*txn, caller, *store_.catalog().Find(kPlans), plan_id));
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO plan_imports (id, plan_id, rows_json, base_state, error_count, created_at,"
                                 " created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 {import_id, plan["id"].get<std::string>(), Json{{"lang", lang}, {"rows", kept}}.dump(), state,
                                  static_cast<std::int64_t>(preview["errors"].size()), NowUtc(), caller.who.audit_id()})
                           .status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  preview["import_id"] = import_id;
  preview["plan_id"] = plan["id"];
  return preview;
}

Result<Json> Service::ApplyPlanImport(const Caller& caller, const std::string& plan_id, const std::string& import_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json plan, store_.GetIn(*txn, caller, *store_.catalog().Find(kPlans), plan_id));
  CBRN_ASSIGN_OR_RETURN(Rows r, txn->Query("SELECT rows_json, base_state, error_count, applied_at, created_by FROM plan_imports"
                                           " WHERE id = ? AND plan_id = ?",
                                           {import_id, plan["id"].get<std::string>()}));
  if (r.empty()) return Status::NotFound("no such workbook preview for this plan");
  if (r[0].Text(4) != caller.who.audit_id()) return Status::NotFound("no such workbook preview for this plan");
  if (!r[0].IsNull(3)) return Status::Conflict("this workbook was applied already").Says("conflict.workbook_applied");
  if (r[0].Int(2) > 0) return Status::Conflict("the preview has errors: correct the workbook and upload it again").Says("conflict.workbook_errors");
  CBRN_ASSIGN_OR_RETURN(std::string state, PlanState(*txn, plan["id"]));
  if (state != r[0].Text(1)) return Status::Conflict("the plan changed since the preview: upload the workbook again").Says("conflict.workbook_stale");
  Json kept = Json::parse(r[0].Text(0));
  std::vector<Row> rows;
  for (const auto& k : kept["rows"]) rows.push_back(Row{k["row"], k["id"], k["body"], {}});
  auto identity = [](const std::string&, const std::string& key) { return key; };
  CBRN_ASSIGN_OR_RETURN(Json result, RunRows(store_, *txn, caller, plan, rows, identity, kept.value("lang", "en")));
  if (!result["errors"].empty()) {
    return Status::Conflict("the workbook no longer applies cleanly: " + result["errors"][0]["message"].get<std::string>()).Says("conflict.workbook_unclean");
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE plan_imports SET applied_at = ? WHERE id = ?", {NowUtc(), import_id}).status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return result;
}

Result<std::string> Service::ExportPortfolio(const Caller& caller, const PortfolioFilter& filter, const std::string& lang,
                                             const Translate& translate) {
  CBRN_ASSIGN_OR_RETURN(Json view, Portfolio(caller, filter));
  CBRN_ASSIGN_OR_RETURN(auto writer, xlsx::Writer::Create());
  lxw_workbook* wb = writer->workbook();
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Projects");
  if (i18n::RightToLeft(lang)) worksheet_right_to_left(ws);
  lxw_format* bold = writer->bold();
  const char* fields[] = {"title", "scope", "theme", "status", "country", "region", "participants", "partners",
                          "start_date", "end_date", "budget", "secured", "currency", "funding"};
  for (int c = 0; c < static_cast<int>(std::size(fields)); ++c) {
    std::string key = std::string(fields[c]) == "status" ? "field.status" : "field." + std::string(fields[c]);
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), writer->Keep(translate(lang, key)), bold);
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), c == 0 ? 40 : 14, nullptr);
  }
  int row = 1;
  for (const auto& p : view["projects"]) {
    for (int c = 0; c < static_cast<int>(std::size(fields)); ++c) {
      const Json& v = p.contains(fields[c]) ? p[fields[c]] : Json(nullptr);
      std::string f = fields[c];
      if (v.is_number_integer()) {
        worksheet_write_number(ws, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(c), static_cast<double>(v.get<std::int64_t>()), nullptr);
      } else if (v.is_string() && !v.get<std::string>().empty()) {
        std::string text = f == "status" ? translate(lang, "projects.state." + v.get<std::string>())
                           : (f == "scope" || f == "theme" || f == "funding") ? translate(lang, "choice." + v.get<std::string>())
                                                                              : v.get<std::string>();
        worksheet_write_string(ws, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(c), writer->Keep(text), nullptr);
      }
    }
    ++row;
  }
  worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(std::max(1, row - 1)), static_cast<lxw_col_t>(std::size(fields) - 1));
  return writer->Finish();
}

}  // namespace cbrnhub::plans
