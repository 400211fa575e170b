// Private to storage: constructors of the two backends.
#pragma once

#include "storage/storage.h"

namespace cbrnhub::storage {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, int pool_size);
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int pool_size);

// Rewrites `?` placeholders to PostgreSQL's $1, $2, ... (outside quoted strings).
std::string ToPostgresPlaceholders(std::string_view sql);

}  // namespace cbrnhub::storage
