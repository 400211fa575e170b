// The audit log: append-only, hash-chained, written in the same transaction as the change.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "storage/storage.h"

namespace cbrnhub::audit {

// Who is acting and from where; recorded with every change.
struct Actor {
  std::string id = "system";  // user id, or "cli", "seed", "system"
  std::string remote_addr;
};

struct Change {
  std::string action;       // "create", "update", "delete", "restore", ...
  std::string entity_kind;  // "countries", "people", ...
  std::string entity_id;
  std::string owner_scope;
  std::optional<std::string> before_json;  // the record before the change (absent on create)
  std::optional<std::string> after_json;   // the record after the change (absent on delete)
};

// Appends `change` to the chain inside `txn`. Concurrent writers are serialised so the chain
// stays linear (SQLite: the write lock; PostgreSQL: an advisory transaction lock).
Status Append(storage::Transaction& txn, const Actor& actor, const Change& change);

// Walks the whole chain. Returns "" when intact, else a description naming the first entry
// (by sequence number) that was altered, inserted or removed.
Result<std::string> Verify(storage::Database& db);

}  // namespace cbrnhub::audit
