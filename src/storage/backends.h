// Private to storage: constructors of the two backends.
#pragma once

#include "metrics/metrics.h"
#include "storage/storage.h"

namespace cbrnhub::storage {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, int pool_size);
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int pool_size);

// Counts a connection as in use for the life of the transaction that holds it (a member of each
// backend's Transaction, so every way a transaction ends is counted).
struct ConnectionInUse {
  ConnectionInUse() { metrics::Get().db_connections_in_use.Add(1); }
  ~ConnectionInUse() { metrics::Get().db_connections_in_use.Add(-1); }
  ConnectionInUse(const ConnectionInUse&) = delete;
  ConnectionInUse& operator=(const ConnectionInUse&) = delete;
};

// Rewrites `?` placeholders to PostgreSQL's $1, $2, ... (outside quoted strings).
std::string ToPostgresPlaceholders(std::string_view sql);

}  // namespace cbrnhub::storage
