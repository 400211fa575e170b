#include "test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace cbrnhub::testing {
namespace {

std::string RandomSuffix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 10; ++i) s += kChars[rng() % 36];
  return s;
}

std::string PgUrl() {
  const char* url = std::getenv("CBRNHUB_TEST_PG_URL");
  return url ? url : "";
}

int Connect(unsigned short port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::vector<std::string> Backends() { return {"sqlite", "postgresql"}; }

bool BackendAvailable(const std::string& backend) {
  return backend == "sqlite" || !PgUrl().empty();
}

bool BackendRequired(const std::string& backend) {
  const char* require = std::getenv("CBRNHUB_REQUIRE_PG");
  return backend == "sqlite" || (require && std::string(require) == "1");
}

std::vector<std::string> AvailableBackends() {
  std::vector<std::string> out;
  for (const auto& b : Backends()) {
    if (BackendAvailable(b)) out.push_back(b);
  }
  return out;
}

std::string TempDir() {
  auto dir = std::filesystem::temp_directory_path() / ("cbrnhub-test-" + RandomSuffix());
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::unique_ptr<TestDatabase> TestDatabase::Create(const std::string& backend, bool migrate) {
  auto t = std::unique_ptr<TestDatabase>(new TestDatabase());
  t->backend_ = backend;
  if (backend == "sqlite") {
    t->dir_ = TempDir();
    t->url_ = "sqlite:" + t->dir_ + "/test.db";
  } else {
    std::string base = PgUrl();
    if (base.empty()) {
      ADD_FAILURE() << "CBRNHUB_REQUIRE_PG=1 but CBRNHUB_TEST_PG_URL is not set";
      return nullptr;
    }
    t->schema_ = "t_" + RandomSuffix();
    auto admin = storage::Open(base, 1);
    if (!admin.ok()) {
      ADD_FAILURE() << "cannot reach PostgreSQL: " << admin.status().ToString();
      return nullptr;
    }
    auto txn = (*admin)->Begin(storage::Access::kWrite);
    EXPECT_TRUE((*txn)->Exec("CREATE SCHEMA " + t->schema_).ok());
    EXPECT_TRUE((*txn)->Commit().ok());
    // Every connection of this handle works inside the test's own schema.
    t->url_ = base + (base.find('?') == std::string::npos ? "?" : "&") +
              "options=-csearch_path%3D" + t->schema_;
  }
  auto db = storage::Open(t->url_, 4);
  if (!db.ok()) {
    ADD_FAILURE() << "cannot open test database: " << db.status().ToString();
    return nullptr;
  }
  t->db_ = std::move(db).value();
  if (migrate) {
    auto v = storage::Migrate(*t->db_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
  }
  return t;
}

std::unique_ptr<storage::Database> TestDatabase::OpenAnother() const {
  auto db = storage::Open(url_, 4);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

TestDatabase::~TestDatabase() {
  db_.reset();
  if (!schema_.empty()) {
    auto admin = storage::Open(PgUrl(), 1);
    if (admin.ok()) {
      auto txn = (*admin)->Begin(storage::Access::kWrite);
      if (txn.ok()) {
        (void)(*txn)->Exec("DROP SCHEMA " + schema_ + " CASCADE");
        (void)(*txn)->Commit();
      }
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

HttpResponse HttpRequest(unsigned short port, const std::string& method, const std::string& target,
                         const std::string& body, const std::map<std::string, std::string>& headers) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                    std::to_string(port) + "\r\nConnection: close\r\n";
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "content-type") has_type = true;
  }
  if (!body.empty() && !has_type) req += "Content-Type: application/json\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  std::string raw = RawExchange(port, req, 10000);
  HttpResponse res;
  auto header_end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || header_end == std::string::npos) return res;
  res.status = std::atoi(raw.substr(9, 3).c_str());
  std::istringstream lines(raw.substr(0, header_end));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    res.headers[name] = value;
  }
  res.body = raw.substr(header_end + 4);
  return res;
}

std::string RawExchange(unsigned short port, const std::string& bytes, int timeout_ms) {
  int fd = Connect(port);
  if (fd < 0) return "";
  SendAll(fd, bytes);
  std::string out;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

ServerProcess::ServerProcess(const std::string& binary, const std::string& database) {
  dir_ = TempDir();
  std::string port_file = dir_ + "/port";
  pid_ = fork();
  if (pid_ == 0) {
    std::string log = dir_ + "/server.log";
    if (!freopen(log.c_str(), "w", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
    execl(binary.c_str(), binary.c_str(), "-d", database.c_str(), "serve", "--port", "0",
          "--port-file", port_file.c_str(), "--threads", "2", "--access-log", "false",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 400 && port_ == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::ifstream in(port_file);
    int p = 0;
    if (in >> p) port_ = static_cast<unsigned short>(p);
  }
}

ServerProcess::~ServerProcess() { Kill(); }

void ServerProcess::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

int ServerProcess::Terminate() {
  kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

std::string ServerProcess::Log() const { return ReadFile(dir_ + "/server.log"); }

}  // namespace cbrnhub::testing
