// Logical backup and restore of all data, portable between SQLite and PostgreSQL, safe to run
// while servers use the database.
//
// File format (JSON Lines, UTF-8):
//   {"format":"cbrnhub-backup","format_version":1,"schema_version":N,"created_at":"...","source":"sqlite"}
//   {"table":"regions","columns":["id",...]}       then one JSON array of cell values per row
//   ...
//   {"end":true,"rows":{"regions":8,...}}            absent when the file was cut short
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/storage.h"

namespace cbrnhub::backup {

struct Summary {
  std::map<std::string, std::int64_t> rows;  // per table
  int schema_version = 0;
};

// Writes a consistent snapshot of every data table to `path` (through a temporary file renamed
// into place, so a failed backup never leaves a partial file under that name).
Result<Summary> Backup(storage::Database& db, const std::string& path);

// Replaces all data with the contents of `path`, in one transaction: on any error (unreadable
// file, truncated file, wrong schema version, bad row) nothing changes. The error names the
// file and line.
Result<Summary> Restore(storage::Database& db, const std::string& path);

// Backups kept in a folder (the nightly timer's): writes `dir`/cbrnhub-<UTC time>.jsonl (the
// folder is made when missing), then removes the oldest files of that name pattern beyond
// `keep`, newest kept; other files in the folder are never touched. InvalidArgument when
// `keep` < 1; the errors of Backup otherwise (then nothing is removed).
struct Rotation {
  std::string path;  // the backup written
  Summary summary;
  std::vector<std::string> removed;  // older backups deleted, oldest first
};
Result<Rotation> BackupInto(storage::Database& db, const std::string& dir, int keep);

}  // namespace cbrnhub::backup
