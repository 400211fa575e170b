// Shared test helpers: fresh databases on every configured backend, and a small HTTP client.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "storage/storage.h"

namespace cbrnhub::testing {

// Every backend: "sqlite" and "postgresql". Tests are registered for both; a PostgreSQL case
// runs when CBRNHUB_TEST_PG_URL names a server, is skipped (visibly) when it does not, and fails
// when CBRNHUB_REQUIRE_PG=1 (as in CI) and the URL is missing.
std::vector<std::string> Backends();
// The backends this run can reach.
std::vector<std::string> AvailableBackends();
bool BackendAvailable(const std::string& backend);
bool BackendRequired(const std::string& backend);

// An empty database (schema migrated when `migrate`) of `backend`: a new SQLite file in a temp
// folder, or a new schema in the PostgreSQL test database. It is dropped when the owner is.
class TestDatabase {
 public:
  static std::unique_ptr<TestDatabase> Create(const std::string& backend, bool migrate = true);
  ~TestDatabase();
  storage::Database& db() { return *db_; }
  const std::string& url() const { return url_; }
  // Opens another handle to the same database (as a second process would).
  std::unique_ptr<storage::Database> OpenAnother() const;

 private:
  std::string backend_, url_, schema_, dir_;
  std::unique_ptr<storage::Database> db_;
};

// A fresh temporary directory, removed at exit of the process.
std::string TempDir();

// Reads a whole file; "" when missing.
std::string ReadFile(const std::string& path);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One HTTP/1.1 request to 127.0.0.1:`port` on a new connection. status 0 on connection failure.
HttpResponse HttpRequest(unsigned short port, const std::string& method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {});

// Sends raw bytes and returns whatever the server answers before closing (or `timeout_ms`).
std::string RawExchange(unsigned short port, const std::string& bytes, int timeout_ms = 3000);

// A `cbrnhub serve` process on a free loopback port (found through --port-file).
class ServerProcess {
 public:
  ServerProcess(const std::string& binary, const std::string& database);
  ~ServerProcess();  // SIGKILL if still running
  unsigned short port() const { return port_; }  // 0 when it did not start
  // SIGTERM, then the exit code (-1 when it did not stop within 10 s).
  int Terminate();
  // SIGKILL: the crash the tests simulate.
  void Kill();
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string dir_;
};

// The directory of the source tree's shared data (../shared/data from the repository root).
std::string SharedDataDir();

}  // namespace cbrnhub::testing

// First statement of a backend test's SetUp (or body): skip or fail when it cannot run.
#define SKIP_UNLESS_BACKEND(backend)                                                       \
  do {                                                                                      \
    if (!::cbrnhub::testing::BackendAvailable(backend)) {                                   \
      if (::cbrnhub::testing::BackendRequired(backend)) {                                   \
        FAIL() << backend << " is required (CBRNHUB_REQUIRE_PG=1) but CBRNHUB_TEST_PG_URL is unset"; \
      }                                                                                     \
      GTEST_SKIP() << backend << " not configured: set CBRNHUB_TEST_PG_URL";               \
    }                                                                                       \
  } while (0)

// Runs a test suite once per backend: INSTANTIATE_BACKENDS(MySuite).
#define INSTANTIATE_BACKENDS(suite)                                                  \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                          \
                           ::testing::ValuesIn(::cbrnhub::testing::Backends()),      \
                           [](const ::testing::TestParamInfo<std::string>& info) {   \
                             return info.param;                                      \
                           })
