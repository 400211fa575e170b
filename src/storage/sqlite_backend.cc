// SQLite backend: a pool of connections to one file in WAL mode, foreign keys on.
#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "storage/backends.h"

namespace cbrnhub::storage {
namespace {

// How long a writer waits for another writer before giving up. Long enough to ride out a
// backup or a burst of writes, short enough that a stuck request still answers.
constexpr int kBusyTimeoutMs = 10000;

struct Connection {
  sqlite3* db = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements;  // prepared-statement cache
  ~Connection() {
    for (auto& [sql, stmt] : statements) sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
  }
};

class SqliteDatabase;

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteDatabase* owner, std::unique_ptr<Connection> conn,
                    std::unique_lock<std::mutex> write_lock)
      : owner_(owner), conn_(std::move(conn)), write_lock_(std::move(write_lock)) {}
  ~SqliteTransaction() override;

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    Rows rows;
    CBRN_RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }
  Result<std::int64_t> Exec(std::string_view sql, const Params& params) override {
    CBRN_RETURN_IF_ERROR(Run(sql, params, nullptr));
    return static_cast<std::int64_t>(sqlite3_changes(conn_->db));
  }
  Status Commit() override {
    if (finished_) return Status::Internal("transaction already finished");
    Status st = Simple("COMMIT");
    if (!st.ok()) {
      (void)Simple("ROLLBACK");
    }
    finished_ = true;
    if (write_lock_.owns_lock()) write_lock_.unlock();  // the next writer may start now
    return st;
  }
  Backend backend() const override { return Backend::kSqlite; }

  Status Simple(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(conn_->db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return Translate(sqlite3_extended_errcode(conn_->db), msg);
    }
    return Status::Ok();
  }

 private:
  static Status Translate(int code, const std::string& msg) {
    int primary = code & 0xff;
    if (primary == SQLITE_CONSTRAINT) return Status::Conflict("constraint violated: " + msg);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
      return Status::Unavailable("database busy: " + msg);
    if (primary == SQLITE_TOOBIG) return {StatusCode::kTooLarge, msg};
    return Status::Internal("sqlite: " + msg);
  }

  Status Run(std::string_view sql, const Params& params, Rows* rows) {
    if (finished_) return Status::Internal("transaction already finished");
    std::string key(sql);
    sqlite3_stmt* stmt = nullptr;
    auto it = conn_->statements.find(key);
    if (it != conn_->statements.end()) {
      stmt = it->second;
    } else {
      if (sqlite3_prepare_v3(conn_->db, key.c_str(), static_cast<int>(key.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        return Translate(sqlite3_extended_errcode(conn_->db), sqlite3_errmsg(conn_->db));
      }
      conn_->statements.emplace(key, stmt);
    }
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return Status::Internal("parameter count mismatch for: " + key);
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i) + 1;
      const Param& p = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(p)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto* n = std::get_if<std::int64_t>(&p)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (auto* d = std::get_if<double>(&p)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else {
        const auto& s = std::get<std::string>(p);
        rc = sqlite3_bind_text64(stmt, idx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return Translate(rc, sqlite3_errmsg(conn_->db));
    }
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) {
        return Translate(sqlite3_extended_errcode(conn_->db), sqlite3_errmsg(conn_->db));
      }
      if (!rows) continue;
      int n = sqlite3_column_count(stmt);
      std::vector<std::optional<std::string>> cells;
      cells.reserve(n);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          cells.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          cells.emplace_back(std::string(text, sqlite3_column_bytes(stmt, c)));
        }
      }
      rows->emplace_back(std::move(cells));
    }
  }

  SqliteDatabase* owner_;
  std::unique_ptr<Connection> conn_;
  std::unique_lock<std::mutex> write_lock_;  // held for the life of a write transaction
  bool finished_ = false;
  ConnectionInUse in_use_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, int pool_size) : path_(std::move(path)), pool_size_(pool_size) {}
  std::uint64_t DataVersion() override {
    // PRAGMA data_version on a connection that never writes changes whenever any other
    // connection, in this process or another, commits. Several watch slots, so that worker
    // threads asking at once do not queue behind one lock.
    size_t first = std::hash<std::thread::id>{}(std::this_thread::get_id()) % kWatchSlots;
    for (size_t i = 0;; ++i) {
      WatchSlot& slot = watch_[(first + i) % kWatchSlots];
      std::unique_lock lock(slot.mu, std::try_to_lock);
      if (!lock.owns_lock()) {
        if (i + 1 < kWatchSlots) continue;
        lock.lock();
      }
      if (!slot.conn) {
        auto conn = Acquire();
        if (!conn.ok()) return 0;
        slot.conn = std::move(conn).value();
        if (sqlite3_prepare_v2(slot.conn->db, "PRAGMA data_version", -1, &slot.stmt, nullptr) !=
            SQLITE_OK) {
          slot.conn.reset();
          return 0;
        }
      }
      std::uint64_t v = 0;
      if (sqlite3_step(slot.stmt) == SQLITE_ROW) {
        // data_version counts per connection: combine the slot's reading with the commits this
        // process made (which the slot also sees) into one process-wide number.
        v = static_cast<std::uint64_t>(sqlite3_column_int64(slot.stmt, 0));
      }
      sqlite3_reset(slot.stmt);
      if (v == 0) return 0;
      if (v != slot.last_seen) {
        slot.last_seen = v;
        ++generation_;
      }
      return generation_.load();
    }
  }

  Result<std::unique_ptr<Transaction>> Begin(Access access) override {
    // SQLite has one writer at a time. Writers of this process queue on a mutex (woken the
    // moment the lock is free) instead of SQLite's busy handler, which polls with sleeps of up
    // to 100 ms; the busy timeout still covers writers in other processes.
    std::unique_lock<std::mutex> write_lock;
    if (access == Access::kWrite) {
      write_lock = std::unique_lock<std::mutex>(write_mu_, std::try_to_lock);
      if (!write_lock.owns_lock()) {
        // Only the queued writers pay for the clock: an uncontended write stays a try_lock.
        metrics::Get().db_write_lock_waits.Add();
        metrics::Timer waited(metrics::Get().db_write_lock_wait);
        write_lock.lock();
      }
    }
    CBRN_ASSIGN_OR_RETURN(auto conn, Acquire());
    auto txn = std::make_unique<SqliteTransaction>(this, std::move(conn), std::move(write_lock));
    CBRN_RETURN_IF_ERROR(txn->Simple(access == Access::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"));
    return std::unique_ptr<Transaction>(std::move(txn));
  }
  Backend backend() const override { return Backend::kSqlite; }
  std::string Describe() const override { return "sqlite:" + path_; }
  Result<std::string> IntegrityCheck() override {
    CBRN_ASSIGN_OR_RETURN(auto txn, Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("PRAGMA integrity_check"));
    CBRN_ASSIGN_OR_RETURN(Rows fk, txn->Query("PRAGMA foreign_key_check"));
    std::string out;
    for (const auto& r : rows) out += (out.empty() ? "" : "; ") + r.Text(0);
    if (!fk.empty()) out += "; " + std::to_string(fk.size()) + " foreign key violations";
    return out;
  }

  Result<std::unique_ptr<Connection>> Acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    metrics::Get().db_connections_opened.Add();
    auto conn = std::make_unique<Connection>();
    int rc = sqlite3_open_v2(path_.c_str(), &conn->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = conn->db ? sqlite3_errmsg(conn->db) : "out of memory";
      return Status::Unavailable("cannot open SQLite database " + path_ + ": " + msg);
    }
    sqlite3_busy_timeout(conn->db, kBusyTimeoutMs);
    // WAL lets readers run beside one writer; synchronous=FULL so that an acknowledged write
    // survives a power cut, not only a process crash.
    // Pages are read through a memory map shared by every connection (the OS page cache), so
    // each connection's private cache can stay small: memory then does not grow with the
    // number of pooled connections times the size of the database.
    const char* setup =
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"
        " PRAGMA cache_size=-512; PRAGMA mmap_size=1073741824;";
    char* err = nullptr;
    if (sqlite3_exec(conn->db, setup, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      return Status::Unavailable("cannot configure SQLite database " + path_ + ": " + msg);
    }
    return conn;
  }

  void Release(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(mu_);
    if (static_cast<int>(idle_.size()) < pool_size_) idle_.push_back(std::move(conn));
  }

 private:
  std::string path_;
  int pool_size_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::mutex write_mu_;
  struct WatchSlot {
    std::mutex mu;
    std::unique_ptr<Connection> conn;  // never writes; only for DataVersion()
    sqlite3_stmt* stmt = nullptr;
    std::uint64_t last_seen = 0;
    ~WatchSlot() {
      if (stmt) sqlite3_finalize(stmt);
    }
  };
  static constexpr size_t kWatchSlots = 4;
  WatchSlot watch_[kWatchSlots];
  std::atomic<std::uint64_t> generation_{1};
};

SqliteTransaction::~SqliteTransaction() {
  if (!finished_) (void)Simple("ROLLBACK");
  // A connection whose transaction could not be closed cleanly is dropped, not reused.
  if (sqlite3_get_autocommit(conn_->db)) owner_->Release(std::move(conn_));
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, int pool_size) {
  auto db = std::make_unique<SqliteDatabase>(path, pool_size);
  // Open one connection now so that a bad path fails at start-up, not on the first request.
  CBRN_ASSIGN_OR_RETURN(auto conn, db->Acquire());
  db->Release(std::move(conn));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace cbrnhub::storage
