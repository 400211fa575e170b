#include "backup/backup.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ids.h"

namespace cbrnhub::backup {
namespace {

using nlohmann::json;
constexpr int kFormatVersion = 1;
constexpr std::int64_t kBatch = 2000;  // rows read per query while backing up

bool IsIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<std::vector<std::string>> TableColumns(storage::Transaction& txn, const std::string& table) {
  // Reading one row with all columns tells us the column names on both backends.
  std::string sql = txn.backend() == storage::Backend::kSqlite
                        ? "SELECT name FROM pragma_table_info(?) ORDER BY cid"
                        : "SELECT column_name FROM information_schema.columns WHERE table_name = "
                          "? AND table_schema = current_schema() ORDER BY ordinal_position";
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn.Query(sql, {table}));
  std::vector<std::string> cols;
  for (const auto& r : rows) cols.push_back(r.Text(0));
  if (cols.empty()) return Status::Internal("table " + table + " has no columns");
  return cols;
}

// The primary key: a stable order for paging through a table.
std::string KeyColumn(const std::string& table) {
  if (table == "audit_log") return "seq";
  if (table == "sanction_entities" || table == "sanction_removals") return "edition_id, entity_id";
  if (table == "control_items") return "code";
  if (table == "answers") return "assessment_id, question_id";
  if (table == "external_identities") return "issuer, subject";
  if (table == "notification_settings") return "user_id";
  return table == "role_settings" ? "role" : "id";
}

}  // namespace

Result<Summary> Backup(storage::Database& db, const std::string& path) {
  Summary summary;
  CBRN_ASSIGN_OR_RETURN(summary.schema_version, storage::SchemaVersion(db));
  std::string tmp = path + ".partial";
  std::FILE* out = std::fopen(tmp.c_str(), "wb");
  if (!out) return Status::Invalid("file", "cannot write " + tmp + ": " + std::strerror(errno));
  struct Closer {
    std::FILE*& f;
    std::string name;
    ~Closer() {
      if (f) {
        std::fclose(f);
        std::remove(name.c_str());
      }
    }
  } closer{out, tmp};
  auto write_line = [&](const json& j) {
    std::string line = j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    return std::fwrite(line.data(), 1, line.size(), out) == line.size();
  };
  // One read transaction: every table comes from the same snapshot.
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::Access::kRead));
  json header = {{"format", "cbrnhub-backup"},
                 {"format_version", kFormatVersion},
                 {"schema_version", summary.schema_version},
                 {"created_at", NowUtc()},
                 {"source", db.backend() == storage::Backend::kSqlite ? "sqlite" : "postgresql"}};
  bool ok = write_line(header);
  for (const auto& table : storage::DataTables()) {
    CBRN_ASSIGN_OR_RETURN(std::vector<std::string> cols, TableColumns(*txn, table));
    ok = ok && write_line({{"table", table}, {"columns", cols}});
    std::string select;
    for (const auto& c : cols) select += (select.empty() ? "" : ", ") + c;
    std::string key = KeyColumn(table);
    std::int64_t count = 0;
    for (std::int64_t offset = 0;; offset += kBatch) {
      CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                            txn->Query("SELECT " + select + " FROM " + table + " ORDER BY " + key +
                                           " LIMIT ? OFFSET ?",
                                       {kBatch, offset}));
      for (const auto& r : rows) {
        json cells = json::array();
        for (size_t i = 0; i < r.size(); ++i) {
          cells.push_back(r.IsNull(i) ? json(nullptr) : json(r.Text(i)));
        }
        ok = ok && write_line(cells);
      }
      count += static_cast<std::int64_t>(rows.size());
      if (static_cast<std::int64_t>(rows.size()) < kBatch) break;
    }
    summary.rows[table] = count;
  }
  ok = ok && write_line({{"end", true}, {"rows", summary.rows}});
  if (!ok || std::fflush(out) != 0 || fsync(fileno(out)) != 0) {
    return Status::Unavailable("writing " + tmp + " failed: " + std::strerror(errno));
  }
  std::fclose(out);
  out = nullptr;
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::Unavailable("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  return summary;
}

Result<Summary> Restore(storage::Database& db, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid("file", "cannot read " + path);
  CBRN_ASSIGN_OR_RETURN(int current_version, storage::SchemaVersion(db));
  auto fail = [&](int line, const std::string& what) {
    return Status::Invalid("file", path + ":" + std::to_string(line) + ": " + what);
  };
  std::string line;
  int line_no = 0;
  auto next = [&](json& j) -> bool {
    if (!std::getline(in, line)) return false;
    ++line_no;
    j = json::parse(line, nullptr, false);
    return true;
  };
  // Header fields are read by type, never with json::value(), which throws on a wrong type
  // (found by fuzzing: "format_version":"x" crashed the restore).
  auto integer = [](const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
  };
  json j;
  if (!next(j) || j.is_discarded() || !j.is_object() || !j.contains("format") ||
      j["format"] != "cbrnhub-backup") {
    return fail(1, "not a cbrnhub backup (no header line)");
  }
  if (integer(j, "format_version") != kFormatVersion) {
    return fail(1, "backup format version " + j["format_version"].dump() + " is not supported");
  }
  Summary summary;
  summary.schema_version = static_cast<int>(integer(j, "schema_version"));
  if (summary.schema_version != current_version) {
    return fail(1, "backup has schema version " + std::to_string(summary.schema_version) +
                       ", the database has " + std::to_string(current_version) +
                       ": restore with the cbrnhub release that made it, or migrate first");
  }
  const auto& tables = storage::DataTables();
  std::set<std::string> known(tables.begin(), tables.end());
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::Access::kWrite));
  for (const auto& t : storage::TransientTables()) {
    CBRN_RETURN_IF_ERROR(txn->Exec("DELETE FROM " + t).status());
  }
  // Children before parents, so foreign keys never point at a deleted row.
  for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
    CBRN_RETURN_IF_ERROR(txn->Exec("DELETE FROM " + *it).status());
  }
  std::string insert;
  std::string table;
  size_t width = 0;
  bool ended = false;
  while (next(j)) {
    if (j.is_discarded()) return fail(line_no, "not valid JSON (the file may be corrupt)");
    if (ended) return fail(line_no, "data after the end marker");
    if (j.is_object() && j.contains("end")) {
      if (!j.contains("rows") || j["rows"] != json(summary.rows)) {
        return fail(line_no, "row counts do not match the end marker (the file was altered)");
      }
      ended = true;
      continue;
    }
    if (j.is_object() && j.contains("table")) {
      table = j["table"].is_string() ? j["table"].get<std::string>() : "";
      if (!known.count(table)) return fail(line_no, "unknown table '" + table + "'");
      if (!j.contains("columns") || !j["columns"].is_array() || j["columns"].empty()) {
        return fail(line_no, "table " + table + " has no column list");
      }
      CBRN_ASSIGN_OR_RETURN(std::vector<std::string> have, TableColumns(*txn, table));
      std::string cols, marks;
      for (const auto& c : j["columns"]) {
        std::string name = c.is_string() ? c.get<std::string>() : "";
        if (!IsIdentifier(name) || std::find(have.begin(), have.end(), name) == have.end()) {
          return fail(line_no, "table " + table + " has no column '" + name + "'");
        }
        cols += (cols.empty() ? "" : ", ") + name;
        marks += marks.empty() ? "?" : ", ?";
      }
      width = j["columns"].size();
      insert = "INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")";
      summary.rows[table] = 0;
      continue;
    }
    if (!j.is_array()) return fail(line_no, "expected a row (a JSON array)");
    if (table.empty()) return fail(line_no, "row before any table line");
    if (j.size() != width) {
      return fail(line_no, "row has " + std::to_string(j.size()) + " values, table " + table +
                               " has " + std::to_string(width) + " columns");
    }
    storage::Params params;
    for (const auto& cell : j) {
      if (cell.is_null()) {
        params.emplace_back(std::monostate{});
      } else if (cell.is_string()) {
        params.emplace_back(cell.get<std::string>());
      } else {
        return fail(line_no, "values must be strings or null");
      }
    }
    Status st = txn->Exec(insert, params).status();
    if (!st.ok()) return fail(line_no, st.message());
    ++summary.rows[table];
  }
  if (!ended) return fail(line_no, "the file ends before its end marker (truncated backup)");
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return summary;
}

Result<Rotation> BackupInto(storage::Database& db, const std::string& dir, int keep) {
  namespace fs = std::filesystem;
  if (keep < 1) return Status::Invalid("backup_keep", "backup_keep must be at least 1");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot make the backup folder " + dir + ": " + ec.message());
  // The name sorts by time ("cbrnhub-2026-11-30T02-00-00Z.jsonl"; no ':' so that the files copy
  // to any file system); a second backup within the same second gets "-2", "-3", ...
  std::string stamp = NowUtc().substr(0, 19);
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  const std::string prefix = "cbrnhub-", suffix = ".jsonl";
  fs::path path = fs::path(dir) / (prefix + stamp + "Z" + suffix);
  for (int n = 2; fs::exists(path); ++n) {
    path = fs::path(dir) / (prefix + stamp + "Z-" + std::to_string(n) + suffix);
  }
  Rotation out;
  out.path = path.string();
  CBRN_ASSIGN_OR_RETURN(out.summary, Backup(db, out.path));
  std::vector<std::string> kept;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.rfind(prefix, 0) == 0 &&
        name.size() > prefix.size() + suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      kept.push_back(entry.path().string());
    }
  }
  if (ec) return Status::Unavailable("cannot list the backup folder " + dir + ": " + ec.message());
  // "...Z.jsonl" sorts before "...Z-2.jsonl" of the same second, as written.
  std::sort(kept.begin(), kept.end(), [](const std::string& a, const std::string& b) {
    auto key = [](const std::string& p) {
      std::string k = p;
      auto z = k.rfind("Z");
      if (z != std::string::npos && k.compare(z, 7, "Z.jsonl") == 0) k.replace(z, 7, "Z-1.jsonl");
      return k;
    };
    return key(a) < key(b);
  });
  for (size_t i = 0; i + static_cast<size_t>(keep) < kept.size(); ++i) {
    if (fs::remove(kept[i], ec)) out.removed.push_back(kept[i]);
  }
  return out;
}

}  // namespace cbrnhub::backup
