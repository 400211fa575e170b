#include "audit/audit.h"

#include <sodium.h>

#include "core/ids.h"
#include "metrics/metrics.h"

namespace cbrnhub::audit {
namespace {

constexpr const char* kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";
// Distinct from the migration lock; serialises audit appends across PostgreSQL sessions.
constexpr std::int64_t kAuditLockKey = 0x6362726e61756431;  // "cbrnaud1"

std::string Hex(const unsigned char* data, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

// Each field is length-prefixed so that no two different entries hash the same input.
void Feed(crypto_hash_sha256_state* st, const std::string& field) {
  std::string len = std::to_string(field.size()) + ":";
  crypto_hash_sha256_update(st, reinterpret_cast<const unsigned char*>(len.data()), len.size());
  crypto_hash_sha256_update(st, reinterpret_cast<const unsigned char*>(field.data()), field.size());
}

std::string EntryHash(const std::vector<std::string>& fields) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (const auto& f : fields) Feed(&st, f);
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, out);
  return Hex(out, sizeof out);
}

const char* kColumns =
    "seq, id, at, actor, remote_addr, action, entity_kind, entity_id, owner_scope,"
    " before_json, after_json, prev_hash, hash";

// The hashed content of a stored row (columns as in kColumns). NULL and "" differ: "\x01" marks
// NULL, a byte no JSON text can start with.
std::vector<std::string> HashedFields(const storage::Row& r) {
  std::vector<std::string> f;
  for (size_t i = 0; i <= 11; ++i) f.push_back(r.IsNull(i) ? std::string("\x01") : r.Text(i));
  return f;
}

}  // namespace

Status Append(storage::Transaction& txn, const Actor& actor, const Change& change) {
  if (txn.backend() == storage::Backend::kPostgres) {
    CBRN_RETURN_IF_ERROR(txn.Query("SELECT pg_advisory_xact_lock(?)", {kAuditLockKey}).status());
  }
  CBRN_ASSIGN_OR_RETURN(storage::Rows last,
                        txn.Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  std::int64_t seq = last.empty() ? 1 : last[0].Int(0) + 1;
  std::string prev = last.empty() ? kGenesisHash : last[0].Text(1);
  storage::Row row({std::to_string(seq), NewUuid(), NowUtc(), actor.id, actor.remote_addr,
                    change.action, change.entity_kind, change.entity_id, change.owner_scope,
                    change.before_json, change.after_json, prev});
  std::string hash = EntryHash(HashedFields(row));
  storage::Params params;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i == 0) {
      params.emplace_back(seq);
    } else {
      params.push_back(storage::NullableText(row.OptionalText(i)));
    }
  }
  params.emplace_back(hash);
  CBRN_RETURN_IF_ERROR(txn.Exec(std::string("INSERT INTO audit_log (") + kColumns +
                                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                params)
                           .status());
  metrics::Get().audit_appends.Add();
  return Status::Ok();
}

Result<std::pair<std::vector<Entry>, std::int64_t>> List(storage::Database& db, const Query& q) {
  if (q.limit < 1 || q.limit > 500) return Status::Invalid("limit", "limit must be between 1 and 500");
  if (q.offset < 0) return Status::Invalid("offset", "offset must not be negative");
  std::string where = " WHERE 1=1";
  storage::Params params;
  auto eq = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    where += std::string(" AND ") + column + " = ?";
    params.emplace_back(value);
  };
  eq("actor", q.actor);
  eq("entity_kind", q.entity_kind);
  eq("entity_id", q.entity_id);
  eq("action", q.action);
  if (!q.since.empty()) {
    where += " AND at >= ?";
    params.emplace_back(q.since);
  }
  if (!q.until.empty()) {
    // "until 2026-11-25" includes that whole day: compare against the next possible string.
    where += " AND at < ?";
    params.emplace_back(q.until + "\x7f");
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(storage::Rows count, txn->Query("SELECT count(*) FROM audit_log" + where, params));
  storage::Params page = params;
  page.emplace_back(static_cast<std::int64_t>(q.limit));
  page.emplace_back(static_cast<std::int64_t>(q.offset));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn->Query(std::string("SELECT ") + kColumns + " FROM audit_log" + where +
                                       " ORDER BY seq DESC LIMIT ? OFFSET ?",
                                   page));
  std::vector<Entry> out;
  for (const auto& r : rows) {
    out.push_back({r.Int(0), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7),
                   r.Text(8), r.OptionalText(9), r.OptionalText(10)});
  }
  return std::make_pair(std::move(out), count[0].Int(0));
}

Result<std::string> Verify(storage::Database& db) {
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::Access::kRead));
  std::string prev = kGenesisHash;
  std::int64_t expected_seq = 1;
  // Page through the chain so a long log does not have to fit in memory at once.
  constexpr std::int64_t kPage = 5000;
  for (;;) {
    CBRN_ASSIGN_OR_RETURN(
        storage::Rows rows,
        txn->Query(std::string("SELECT ") + kColumns +
                       " FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?",
                   {expected_seq, kPage}));
    if (rows.empty()) return std::string();
    for (const auto& r : rows) {
      std::int64_t seq = r.Int(0);
      if (seq != expected_seq) {
        return "entry " + std::to_string(expected_seq) + " is missing (next present is " +
               std::to_string(seq) + ")";
      }
      if (r.Text(11) != prev) {
        return "entry " + std::to_string(seq) + " does not link to entry " +
               std::to_string(seq - 1) + " (an entry was removed or altered)";
      }
      if (EntryHash(HashedFields(r)) != r.Text(12)) {
        return "entry " + std::to_string(seq) + " was altered (hash mismatch)";
      }
      prev = r.Text(12);
      ++expected_seq;
    }
  }
}

}  // namespace cbrnhub::audit
