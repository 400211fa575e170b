// The audit log: append-only, hash-chained, written in the same transaction as the change.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>
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

struct Entry {
  std::int64_t seq = 0;
  std::string at, actor, remote_addr, action, entity_kind, entity_id, owner_scope;
  std::optional<std::string> before_json, after_json;
};

struct Query {
  std::string actor, entity_kind, entity_id, action;
  std::string since, until;  // ISO 8601 prefixes, e.g. "2026-11-01"
  int limit = 100;
  int offset = 0;
};

// Entries matching every given filter, newest first, and how many match in all.
// InvalidArgument for a limit outside 1..500 or a negative offset.
Result<std::pair<std::vector<Entry>, std::int64_t>> List(storage::Database& db, const Query& q);

// Walks the whole chain. Returns "" when intact, else a description naming the first entry
// (by sequence number) that was altered, inserted or removed.
Result<std::string> Verify(storage::Database& db);

}  // namespace cbrnhub::audit
