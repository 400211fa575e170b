// Storage: one interface, two backends (embedded SQLite, PostgreSQL), chosen at start-up.
//
// SQL is written once in a portable dialect: `?` placeholders (rewritten to $1.. for
// PostgreSQL), TEXT/BIGINT/DOUBLE PRECISION columns, ISO 8601 text timestamps, ON CONFLICT.
// Every write happens inside a Transaction; a Transaction that is destroyed without Commit()
// rolls back, so an error path can never leave a half-written record.
//
// Thread-safety: Database is safe to share between threads; a Transaction belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace cbrnhub::storage {

enum class Backend { kSqlite, kPostgres };

// A bound parameter. std::monostate is SQL NULL.
using Param = std::variant<std::monostate, std::int64_t, double, std::string>;
using Params = std::vector<Param>;

// Convenience: a NULL parameter when `v` is empty, else its value.
Param NullableText(const std::optional<std::string>& v);

// One result row; every column arrives as text (or NULL) from both backends.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return !cells_.at(i).has_value(); }
  // The text of column i; "" for NULL.
  const std::string& Text(size_t i) const;
  std::optional<std::string> OptionalText(size_t i) const { return cells_.at(i); }
  std::int64_t Int(size_t i) const;  // 0 for NULL
  double Double(size_t i) const;     // 0 for NULL

 private:
  std::vector<std::optional<std::string>> cells_;
};

using Rows = std::vector<Row>;

class Transaction {
 public:
  virtual ~Transaction() = default;
  // Runs a statement that returns rows.
  virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs a statement; returns the number of rows it changed.
  virtual Result<std::int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  // Makes the changes durable. After Commit (ok or not) the transaction is finished.
  virtual Status Commit() = 0;
  virtual Backend backend() const = 0;
};

enum class Access { kRead, kWrite };

class Database {
 public:
  virtual ~Database() = default;
  // Starts a transaction. Read transactions see one consistent snapshot.
  // Fails with Unavailable when the database cannot be reached.
  virtual Result<std::unique_ptr<Transaction>> Begin(Access access) = 0;
  virtual Backend backend() const = 0;
  // A description safe to log (no password).
  virtual std::string Describe() const = 0;
  // Backend-specific integrity check ("ok" or the problems found).
  virtual Result<std::string> IntegrityCheck() = 0;
  // A number that changes whenever anyone (this process, another process, another cbrnhub
  // instance) may have committed a change. Read it before computing something derived from the
  // data; the result is current while the number stays the same. 0 means the backend cannot
  // tell right now: do not cache. Cheap (no round trip to a server); thread-safe.
  virtual std::uint64_t DataVersion() = 0;
};

// Opens a database from a URL: "sqlite:PATH", a plain file path, or "postgresql://...".
// `pool_size` bounds the number of open connections.
Result<std::unique_ptr<Database>> Open(const std::string& url, int pool_size = 8);

// Applies every pending migration, each in its own transaction, serialised across processes.
// Returns the schema version reached.
Result<int> Migrate(Database& db);
// The schema version this binary expects.
int LatestSchemaVersion();
// Current schema version of the database (0 when empty).
Result<int> SchemaVersion(Database& db);
// Data tables in an order that satisfies foreign keys (parents first); used by backup/restore.
const std::vector<std::string>& DataTables();
// Tables of passing state (sign-in sessions, failed logins): not backed up; emptied by a
// restore, so everybody signs in again against the restored accounts.
const std::vector<std::string>& TransientTables();

}  // namespace cbrnhub::storage
