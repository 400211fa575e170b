#include "storage/storage.h"

#include <cstdlib>

#include "storage/backends.h"

namespace cbrnhub::storage {

Param NullableText(const std::optional<std::string>& v) {
  if (!v) return std::monostate{};
  return *v;
}

const std::string& Row::Text(size_t i) const {
  static const std::string kEmpty;
  const auto& c = cells_.at(i);
  return c ? *c : kEmpty;
}

std::int64_t Row::Int(size_t i) const {
  const auto& c = cells_.at(i);
  return c ? std::strtoll(c->c_str(), nullptr, 10) : 0;
}

double Row::Double(size_t i) const {
  const auto& c = cells_.at(i);
  return c ? std::strtod(c->c_str(), nullptr) : 0.0;
}

std::string ToPostgresPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::unique_ptr<Database>> Open(const std::string& url, int pool_size) {
  if (pool_size < 1) pool_size = 1;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgres(url, pool_size);
  }
  std::string path = url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url;
  if (path.empty()) return Status::Invalid("database", "empty SQLite path");
  return OpenSqlite(path, pool_size);
}

}  // namespace cbrnhub::storage
