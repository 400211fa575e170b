// PostgreSQL backend (libpqxx): a pool of connections; several cbrnhub processes may share one
// database, so nothing here keeps state that matters beyond a connection.
#include <pqxx/pqxx>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "storage/backends.h"

namespace cbrnhub::storage {
namespace {

// Every committed write transaction notifies this channel; every process listens on it.
constexpr const char* kChangeChannel = "cbrnhub_data";

// Maps a libpqxx exception to a Status. Called only from catch blocks.
Status FromException() {
  try {
    throw;
  } catch (const pqxx::integrity_constraint_violation& e) {
    return Status::Conflict(std::string("constraint violated: ") + e.what());
  } catch (const pqxx::transaction_rollback& e) {
    return Status::Unavailable(std::string("transaction rolled back, try again: ") + e.what());
  } catch (const pqxx::broken_connection& e) {
    return Status::Unavailable(std::string("database connection lost: ") + e.what());
  } catch (const pqxx::data_exception& e) {
    return Status::Invalid("", std::string("value rejected by the database: ") + e.what());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("postgresql: ") + e.what());
  }
}

class PostgresDatabase;

class PostgresTransaction final : public Transaction {
 public:
  PostgresTransaction(PostgresDatabase* owner, std::unique_ptr<pqxx::connection> conn, Access access)
      : owner_(owner), conn_(std::move(conn)), write_(access == Access::kWrite) {
    if (write_) {
      txn_ = std::make_unique<pqxx::work>(*conn_);
    } else {
      // One snapshot for the whole read, so a backup or a page sees a consistent state.
      txn_ = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(*conn_);
    }
  }
  ~PostgresTransaction() override;

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    CBRN_ASSIGN_OR_RETURN(pqxx::result r, Run(sql, params));
    Rows rows;
    rows.reserve(r.size());
    for (const auto& row : r) {
      std::vector<std::optional<std::string>> cells;
      cells.reserve(row.size());
      for (const auto& field : row) {
        if (field.is_null()) {
          cells.emplace_back(std::nullopt);
        } else {
          cells.emplace_back(std::string(field.c_str(), field.size()));
        }
      }
      rows.emplace_back(std::move(cells));
    }
    return rows;
  }
  Result<std::int64_t> Exec(std::string_view sql, const Params& params) override {
    CBRN_ASSIGN_OR_RETURN(pqxx::result r, Run(sql, params));
    return static_cast<std::int64_t>(r.affected_rows());
  }
  Status Commit() override {
    if (!txn_) return Status::Internal("transaction already finished");
    try {
      // Delivered to every listening process when (and only if) the commit succeeds.
      if (write_) txn_->exec0(std::string("NOTIFY ") + kChangeChannel);
      txn_->commit();
      txn_.reset();
      if (write_) NoteLocalCommit();
      return Status::Ok();
    } catch (...) {
      failed_ = true;
      txn_.reset();
      return FromException();
    }
  }
  Backend backend() const override { return Backend::kPostgres; }

 private:
  Result<pqxx::result> Run(std::string_view sql, const Params& params) {
    if (!txn_) return Status::Internal("transaction already finished");
    std::vector<std::string> texts;
    texts.reserve(params.size());
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
      if (std::holds_alternative<std::monostate>(p)) {
        texts.emplace_back();
      } else if (auto* n = std::get_if<std::int64_t>(&p)) {
        texts.push_back(std::to_string(*n));
      } else if (auto* d = std::get_if<double>(&p)) {
        texts.push_back(pqxx::to_string(*d));
      } else {
        texts.push_back(std::get<std::string>(p));
      }
    }
    for (size_t i = 0; i < params.size(); ++i) {
      values.push_back(std::holds_alternative<std::monostate>(params[i]) ? nullptr
                                                                          : texts[i].c_str());
    }
    try {
      return txn_->exec_params(ToPostgresPlaceholders(sql),
                               pqxx::prepare::make_dynamic_params(values));
    } catch (...) {
      failed_ = true;
      return FromException();
    }
  }

  friend class PostgresDatabase;
  PostgresDatabase* owner_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::dbtransaction> txn_;
  bool failed_ = false;
  bool write_ = false;
  ConnectionInUse in_use_;

  void NoteLocalCommit();
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, int pool_size) : url_(std::move(url)), pool_size_(pool_size) {}
  ~PostgresDatabase() override {
    {
      std::lock_guard lock(listen_mu_);
      stop_ = true;
    }
    listen_cv_.notify_all();
    if (listener_.joinable()) listener_.join();
  }

  std::uint64_t DataVersion() override {
    std::call_once(listener_started_, [this] { listener_ = std::thread([this] { Listen(); }); });
    return listening_ ? version_.load() : 0;
  }
  // Our own commits count at once, so a client reads its own writes from any cache.
  void BumpVersion() { ++version_; }

  Result<std::unique_ptr<Transaction>> Begin(Access access) override {
    CBRN_ASSIGN_OR_RETURN(auto conn, Acquire());
    try {
      return std::unique_ptr<Transaction>(
          std::make_unique<PostgresTransaction>(this, std::move(conn), access));
    } catch (...) {
      return FromException();
    }
  }
  Backend backend() const override { return Backend::kPostgres; }
  std::string Describe() const override {
    // Hide the password: postgresql://user:secret@host -> postgresql://user:***@host
    std::string s = url_;
    auto scheme = s.find("://");
    auto at = s.find('@');
    if (scheme != std::string::npos && at != std::string::npos) {
      auto colon = s.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) s.replace(colon + 1, at - colon - 1, "***");
    }
    return s;
  }
  Result<std::string> IntegrityCheck() override {
    // PostgreSQL enforces constraints on every write; check that every declared foreign key is
    // validated and the catalog answers.
    CBRN_ASSIGN_OR_RETURN(auto txn, Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(Rows rows,
                          txn->Query("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                                     "NOT convalidated"));
    if (rows.empty() || rows[0].Int(0) != 0) return std::string("unvalidated foreign keys");
    return std::string("ok");
  }

  Result<std::unique_ptr<pqxx::connection>> Acquire() {
    {
      std::lock_guard lock(mu_);
      while (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        if (c->is_open()) return c;
      }
    }
    metrics::Get().db_connections_opened.Add();
    try {
      return std::make_unique<pqxx::connection>(url_);
    } catch (...) {
      return FromException();
    }
  }

  void Release(std::unique_ptr<pqxx::connection> conn) {
    std::lock_guard lock(mu_);
    if (static_cast<int>(idle_.size()) < pool_size_) idle_.push_back(std::move(conn));
  }

 private:
  // Keeps a connection LISTENing on the change channel. While it is down, DataVersion() is 0
  // (no caching), and reconnecting bumps the version since changes may have been missed.
  void Listen() {
    struct Receiver : pqxx::notification_receiver {
      Receiver(pqxx::connection_base& c, PostgresDatabase& db)
          : pqxx::notification_receiver(c, kChangeChannel), db_(db) {}
      void operator()(const std::string&, int) override { db_.BumpVersion(); }
      PostgresDatabase& db_;
    };
    while (true) {
      {
        std::unique_lock lock(listen_mu_);
        if (stop_) return;
      }
      try {
        pqxx::connection conn(url_);
        Receiver receiver(conn, *this);
        conn.get_notifs();  // makes sure LISTEN is in effect before we claim to be listening
        BumpVersion();
        listening_ = true;
        while (true) {
          {
            std::lock_guard lock(listen_mu_);
            if (stop_) break;
          }
          conn.await_notification(0, 200000);
        }
        listening_ = false;
        return;
      } catch (const std::exception& e) {
        if (listening_) spdlog::warn("change listener lost its connection: {}", e.what());
        listening_ = false;
      }
      std::unique_lock lock(listen_mu_);
      listen_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
    }
  }

  std::string url_;
  int pool_size_;
  std::mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;

  std::atomic<std::uint64_t> version_{1};
  std::atomic<bool> listening_{false};
  std::once_flag listener_started_;
  std::thread listener_;
  std::mutex listen_mu_;
  std::condition_variable listen_cv_;
  bool stop_ = false;
};

void PostgresTransaction::NoteLocalCommit() { owner_->BumpVersion(); }

PostgresTransaction::~PostgresTransaction() {
  try {
    txn_.reset();  // aborts when not committed
  } catch (...) {
    failed_ = true;
  }
  if (!failed_ && conn_ && conn_->is_open()) owner_->Release(std::move(conn_));
}

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int pool_size) {
  auto db = std::make_unique<PostgresDatabase>(url, pool_size);
  CBRN_ASSIGN_OR_RETURN(auto conn, db->Acquire());
  db->Release(std::move(conn));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace cbrnhub::storage
