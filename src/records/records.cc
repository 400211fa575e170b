#include "records/records.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/ids.h"

namespace cbrnhub::records {
namespace {

using storage::Param;
using storage::Params;
using storage::Row;
using storage::Transaction;

// Record columns shared by every kind, in SELECT order before the kind's own fields.
constexpr const char* kMetaColumns =
    "id, owner_scope, revision, created_at, created_by, updated_at, updated_by, deleted_at,"
    " sharing, assigned_to";
constexpr size_t kMetaCount = 10;
constexpr int kMaxListLimit = 500;

// Record fields a body may carry besides the kind's own: read-only ones are ignored (a client
// may send back what it read); "sharing" and "assigned_to" are handled by the access rules.
bool IsMeta(const std::string& key) {
  static const char* kMeta[] = {"id",         "owner",      "revision",   "created_at",
                                "created_by", "updated_at", "updated_by", "deleted_at",
                                "sharing",    "assigned_to"};
  return std::find(std::begin(kMeta), std::end(kMeta), key) != std::end(kMeta);
}

Status Denied(const std::string& what) { return {StatusCode::kPermissionDenied, what}; }

const char* ParticipantsColumn(const KindSpec& kind) {
  return kind.participants_field.empty() ? nullptr : kind.participants_field.c_str();
}

std::string SelectSql(const KindSpec& kind) {
  std::string sql = std::string("SELECT ") + kMetaColumns;
  for (const auto& f : kind.fields) sql += ", " + f.name;
  return sql + " FROM " + kind.table;
}

Json RowToJson(const KindSpec& kind, const Row& row) {
  Json j = Json::object();
  j["id"] = row.Text(0);
  for (size_t i = 0; i < kind.fields.size(); ++i) {
    const FieldSpec& f = kind.fields[i];
    size_t col = kMetaCount + i;
    if (row.IsNull(col)) {
      j[f.name] = nullptr;
    } else if (f.type == FieldType::kInteger) {
      j[f.name] = row.Int(col);
    } else {
      j[f.name] = row.Text(col);
    }
  }
  j["owner"] = row.Text(1);
  j["revision"] = row.Int(2);
  j["created_at"] = row.Text(3);
  j["created_by"] = row.Text(4);
  j["updated_at"] = row.Text(5);
  j["updated_by"] = row.Text(6);
  if (!row.IsNull(7)) j["deleted_at"] = row.Text(7);
  j["sharing"] = row.Text(8);
  j["assigned_to"] = row.IsNull(9) ? Json(nullptr) : Json(row.Text(9));
  return j;
}

bool HasControlChars(const std::string& s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
      return true;
    }
  }
  return false;
}

bool ValidEmail(const std::string& s) {
  auto at = s.find('@');
  if (at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos) return false;
  auto dot = s.find('.', at);
  if (dot == std::string::npos || dot == at + 1 || dot + 1 >= s.size()) return false;
  return std::none_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

bool ValidDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap) && y >= 1900;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

namespace {

// JSON nested deeper than this is refused before parsing: no request needs it, and it keeps
// a hostile body from costing stack or time.
constexpr int kMaxJsonDepth = 64;

int JsonDepth(const std::string& s) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

Result<Json> ParseJson(const std::string& text) {
  if (JsonDepth(text) > kMaxJsonDepth) {
    return Status::Invalid("", "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based; turn it into line and column for the person reading the error.
    size_t line = 1, col = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    auto colon = what.rfind(": ");
    return Status::Invalid("", "malformed JSON at line " + std::to_string(line) + ", column " +
                                   std::to_string(col) + ": " +
                                   (colon == std::string::npos ? what : what.substr(colon + 2)));
  } catch (const Json::exception& e) {
    // Well-formed but unusable, e.g. a number too large for a double (found by fuzzing: 2e420).
    std::string what = e.what();
    auto bracket = what.find("] ");
    return Status::Invalid("", "unusable JSON: " +
                                   (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

long Utf8Length(const std::string& s) {
  long n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return -1;
    }
    i += len;
    ++n;
  }
  return n;
}

access::RecordScope KindSpec::ScopeOf(const Json& record) const {
  access::RecordScope scope;
  auto text = [&](const char* key) {
    auto it = record.find(key);
    return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  scope.owner_scope = text("owner");
  scope.sharing = access::ParseSharing(text("sharing")).value_or(access::Sharing::kPrivate);
  scope.assigned_to = text("assigned_to");
  scope.policy = policy;
  scope.state = text("status");
  if (!participants_field.empty()) {
    std::string list = text(participants_field.c_str());
    for (size_t pos = 0; pos < list.size();) {
      size_t comma = list.find(',', pos);
      std::string code = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!code.empty()) scope.participants.push_back(code);
      pos = comma == std::string::npos ? list.size() : comma + 1;
    }
  }
  return scope;
}

const FieldSpec* KindSpec::Field(const std::string& field_name) const {
  for (const auto& f : fields) {
    if (f.name == field_name) return &f;
  }
  return nullptr;
}

void Catalog::Add(KindSpec kind) { kinds_.push_back(std::move(kind)); }

const KindSpec* Catalog::Find(const std::string& name) const {
  for (const auto& k : kinds_) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

Result<const KindSpec*> Store::Kind(const std::string& name) const {
  const KindSpec* k = catalog_.Find(name);
  if (!k) return Status::NotFound("no such kind of record: " + name);
  return k;
}

Result<std::string> Store::ResolveId(Transaction& txn, const KindSpec& kind,
                                     const std::string& id_or_key, bool include_deleted,
                                     const access::Principal* who) {
  std::string where = IsUuid(id_or_key) || kind.natural_key.empty()
                          ? "id = ?"
                          : kind.natural_key + " = ?";
  std::string value = id_or_key;
  if (IsUuid(id_or_key)) {
    std::transform(value.begin(), value.end(), value.begin(), ::tolower);
  } else if (!kind.natural_key.empty()) {
    const FieldSpec* key = kind.Field(kind.natural_key);
    if (key && (key->type == FieldType::kCountryCode || key->type == FieldType::kCode)) {
      std::transform(value.begin(), value.end(), value.begin(), ::toupper);
    }
  }
  std::string sql = "SELECT id FROM " + kind.table + " WHERE " + where;
  if (!include_deleted) sql += " AND deleted_at IS NULL";
  Params params = {value};
  if (who) {
    access::SqlFilter visible = access::VisibilityFilter(*who, "sharing", ParticipantsColumn(kind));
    sql += " AND " + visible.sql;
    for (auto& p : visible.params) params.emplace_back(std::move(p));
  }
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn.Query(sql + " LIMIT 2", params));
  if (rows.empty()) return Status::NotFound("no " + kind.name + " record " + id_or_key);
  if (rows.size() > 1) {
    return Status::Invalid(kind.natural_key, kind.natural_key + " " + id_or_key +
                                                 " names several " + kind.name +
                                                 " records: use the id");
  }
  return rows[0].Text(0);
}

Result<Json> Store::GetIn(Transaction& txn, const Caller& caller, const KindSpec& kind,
                          const std::string& id_or_key, bool include_deleted) {
  CBRN_ASSIGN_OR_RETURN(std::string id,
                        ResolveId(txn, kind, id_or_key, include_deleted, &caller.who));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn.Query(SelectSql(kind) + " WHERE id = ?", {id}));
  if (rows.empty()) return Status::NotFound("no " + kind.name + " record " + id_or_key);
  return RowToJson(kind, rows[0]);
}

Result<Json> Store::Get(const Caller& caller, const std::string& kind_name,
                        const std::string& id_or_key) {
  CBRN_ASSIGN_OR_RETURN(const KindSpec* kind, Kind(kind_name));
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  return GetIn(*txn, caller, *kind, id_or_key);
}

Result<Page> Store::ListIn(Transaction& txn, const Caller& caller, const KindSpec& kind,
                           const ListQuery& query) {
  if (query.limit < 1 || query.limit > kMaxListLimit) {
    return Status::Invalid("limit", "limit must be between 1 and " + std::to_string(kMaxListLimit));
  }
  if (query.offset < 0) return Status::Invalid("offset", "offset must not be negative");
  access::SqlFilter visible = access::VisibilityFilter(caller.who, "sharing", ParticipantsColumn(kind));
  std::string where = (query.include_deleted ? " WHERE " : " WHERE deleted_at IS NULL AND ") +
                      visible.sql;
  Params params(visible.params.begin(), visible.params.end());
  for (const auto& [name, value] : query.filters) {
    const FieldSpec* f = kind.Field(name);
    if (!f || !f->filterable) return Status::Invalid(name, "cannot filter " + kind.name + " by " + name);
    std::string v = value;
    if (f->type == FieldType::kReference) {
      const KindSpec* target = catalog_.Find(f->references);
      auto id = ResolveId(txn, *target, value, true, &caller.who);
      if (!id.ok()) return Page{};  // nothing can refer to a record that does not exist
      v = *id;
    }
    where += " AND " + f->name + " = ?";
    params.emplace_back(v);
  }
  if (!query.text.empty()) {
    std::string like_clause;
    for (const auto& f : kind.fields) {
      if (!f.searchable) continue;
      like_clause += (like_clause.empty() ? "" : " OR ") + std::string("lower(") + f.name +
                     ") LIKE lower(?)";
      params.emplace_back("%" + query.text + "%");
    }
    if (!like_clause.empty()) where += " AND (" + like_clause + ")";
  }
  CBRN_ASSIGN_OR_RETURN(storage::Rows count,
                        txn.Query("SELECT count(*) FROM " + kind.table + where, params));
  Params page_params = params;
  page_params.emplace_back(static_cast<std::int64_t>(query.limit));
  page_params.emplace_back(static_cast<std::int64_t>(query.offset));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn.Query(SelectSql(kind) + where + " ORDER BY " +
                                      (kind.order_by.empty() ? "id" : kind.order_by) +
                                      ", id LIMIT ? OFFSET ?",
                                  page_params));
  Page page;
  page.total = count.empty() ? 0 : count[0].Int(0);
  for (const auto& r : rows) page.items.push_back(RowToJson(kind, r));
  return page;
}

Result<std::vector<Json>> Store::ListChildrenIn(Transaction& txn, const Caller& caller, const KindSpec& kind,
                                                const std::vector<std::string>& parent_ids, bool include_deleted) {
  std::vector<Json> out;
  access::SqlFilter visible = access::VisibilityFilter(caller.who, "sharing", ParticipantsColumn(kind));
  // In chunks: a plan of 200 actions has a thousand milestones and indicators.
  constexpr size_t kChunk = 400;
  for (size_t start = 0; start < parent_ids.size(); start += kChunk) {
    Params params(visible.params.begin(), visible.params.end());
    std::string marks;
    for (size_t i = start; i < std::min(parent_ids.size(), start + kChunk); ++i) {
      marks += marks.empty() ? "?" : ", ?";
      params.emplace_back(parent_ids[i]);
    }
    CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                          txn.Query(SelectSql(kind) + " WHERE " + visible.sql + " AND " + kind.parent_field + " IN (" +
                                        marks + ")" + (include_deleted ? "" : " AND deleted_at IS NULL") +
                                        " ORDER BY " + (kind.order_by.empty() ? "id" : kind.order_by) + ", id",
                                    params));
    for (const auto& r : rows) out.push_back(RowToJson(kind, r));
  }
  return out;
}

Result<Page> Store::List(const Caller& caller, const std::string& kind_name,
                         const ListQuery& query) {
  CBRN_ASSIGN_OR_RETURN(const KindSpec* kind, Kind(kind_name));
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  return ListIn(*txn, caller, *kind, query);
}

namespace {

// Checks one field value and converts it to its stored form. References must name a record
// the caller can see.
Result<Param> ValidateField(Store& store, Transaction& txn, const access::Principal& who,
                            const FieldSpec& f, const Json& v) {
  if (v.is_null()) {
    if (f.required) return Status::Invalid(f.name, f.name + " is required").Says("invalid.required", {{"field", f.name}});
    return Param{f.type == FieldType::kReference || f.type == FieldType::kInteger
                     ? Param{std::monostate{}}
                     : Param{std::string()}};
  }
  if (f.type == FieldType::kInteger) {
    if (!v.is_number_integer()) return Status::Invalid(f.name, f.name + " must be a whole number").Says("invalid.whole_number", {{"field", f.name}});
    return Param{v.get<std::int64_t>()};
  }
  if (!v.is_string()) return Status::Invalid(f.name, f.name + " must be a string").Says("invalid.text", {{"field", f.name}});
  std::string s = v.get<std::string>();
  long len = Utf8Length(s);
  if (len < 0) return Status::Invalid(f.name, f.name + " is not valid UTF-8").Says("invalid.utf8", {{"field", f.name}});
  if (s.empty()) {
    if (f.required) return Status::Invalid(f.name, f.name + " must not be empty").Says("invalid.required", {{"field", f.name}});
    if (f.type == FieldType::kReference) return Param{std::monostate{}};
    return Param{s};
  }
  if (static_cast<size_t>(len) > f.max_length) {
    return Status::Invalid(f.name, f.name + " is longer than " + std::to_string(f.max_length) +
                                       " characters (" + std::to_string(len) + ")")
        .Says("invalid.too_long", {{"field", f.name},
                                   {"#max", std::to_string(f.max_length)},
                                   {"#length", std::to_string(len)}});
  }
  if (HasControlChars(s, f.type == FieldType::kLongText)) {
    return Status::Invalid(f.name, f.name + " contains control characters").Says("invalid.control_characters", {{"field", f.name}});
  }
  if (s.find_first_not_of(" \t\r\n") == std::string::npos && f.required) {
    return Status::Invalid(f.name, f.name + " must not be blank").Says("invalid.required", {{"field", f.name}});
  }
  switch (f.type) {
    case FieldType::kEmail:
      if (!ValidEmail(s)) return Status::Invalid(f.name, f.name + " is not an e-mail address").Says("invalid.email", {{"field", f.name}});
      break;
    case FieldType::kUrl:
      if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) {
        return Status::Invalid(f.name, f.name + " must start with http:// or https://").Says("invalid.url_scheme", {{"field", f.name}});
      }
      if (s.find_first_of(" \t\"<>") != std::string::npos) {
        return Status::Invalid(f.name, f.name + " contains characters not allowed in a URL").Says("invalid.url_characters", {{"field", f.name}});
      }
      break;
    case FieldType::kChoice:
      if (std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end()) {
        return Status::Invalid(f.name, f.name + " must be one of: " + Join(f.choices)).Says("invalid.choice", {{"field", f.name}, {"choices", Join(f.choices)}});
      }
      break;
    case FieldType::kCountryCode:
      if (s.size() != 2 || !std::isupper(static_cast<unsigned char>(s[0])) ||
          !std::isupper(static_cast<unsigned char>(s[1]))) {
        return Status::Invalid(f.name, f.name + " must be a two-letter ISO 3166 code such as UZ").Says("invalid.country_code", {{"field", f.name}});
      }
      break;
    case FieldType::kCode:
      for (unsigned char c : s) {
        if (!(std::isupper(c) || std::isdigit(c) || c == '-' || c == '_')) {
          return Status::Invalid(f.name, f.name + " may contain only A-Z, 0-9, '-' and '_' (e.g. CA)")
              .Says("invalid.code", {{"field", f.name}});
        }
      }
      break;
    case FieldType::kDate:
      if (!ValidDate(s)) return Status::Invalid(f.name, f.name + " must be a date YYYY-MM-DD").Says("invalid.date", {{"field", f.name}});
      break;
    case FieldType::kReference: {
      const KindSpec* target = store.catalog().Find(f.references);
      auto id = store.ResolveId(txn, *target, s, false, &who);
      if (!id.ok()) {
        return Status::Invalid(f.name, f.name + ": no " + f.references + " record " + s).Says("invalid.reference", {{"field", f.name}, {"value", s}});
      }
      return Param{*id};
    }
    default:
      break;
  }
  return Param{s};
}

// Validates `body` against `kind`. With `base` (an update), absent fields keep base's values.
Result<std::vector<Param>> ValidateBody(Store& store, Transaction& txn,
                                        const access::Principal& who, const KindSpec& kind,
                                        const Json& body, const Json* base, bool replace) {
  if (!body.is_object()) return Status::Invalid("", "the request body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (!kind.Field(key) && !IsMeta(key)) {
      return Status::Invalid(key, "unknown field " + key + " for " + kind.name);
    }
  }
  std::vector<Param> values;
  for (const auto& f : kind.fields) {
    auto it = body.find(f.name);
    // Read-only fields are set by their module's own operations (a workflow), never by a body.
    if (f.read_only) {
      const Json* old = base ? &(*base)[f.name] : nullptr;
      if (old && old->is_string()) values.emplace_back(old->get<std::string>());
      else if (old && old->is_number_integer()) values.emplace_back(old->get<std::int64_t>());
      else if (old && !old->is_null()) values.emplace_back(std::monostate{});
      else values.emplace_back(f.default_value);
      continue;
    }
    if (it == body.end() && base && !replace) {
      const Json& old = (*base)[f.name];
      if (old.is_null()) {
        values.emplace_back(std::monostate{});
      } else if (f.type == FieldType::kInteger) {
        values.emplace_back(old.get<std::int64_t>());
      } else {
        values.emplace_back(old.get<std::string>());
      }
      continue;
    }
    CBRN_ASSIGN_OR_RETURN(
        Param p, ValidateField(store, txn, who, f, it == body.end() ? Json(nullptr) : *it));
    values.push_back(std::move(p));
  }
  return values;
}

Json ParamsToFields(const KindSpec& kind, const std::vector<Param>& values) {
  Json j = Json::object();
  for (size_t i = 0; i < kind.fields.size(); ++i) {
    const Param& p = values[i];
    if (std::holds_alternative<std::monostate>(p)) {
      j[kind.fields[i].name] = nullptr;
    } else if (auto* n = std::get_if<std::int64_t>(&p)) {
      j[kind.fields[i].name] = *n;
    } else {
      j[kind.fields[i].name] = std::get<std::string>(p);
    }
  }
  return j;
}

// Unique fields are checked before writing so the client learns which field clashed.
Status CheckUnique(Transaction& txn, const KindSpec& kind, const std::vector<Param>& values,
                   const std::string& self_id, const std::string& owner) {
  for (size_t i = 0; i < kind.fields.size(); ++i) {
    const FieldSpec& f = kind.fields[i];
    if (!(f.unique || f.unique_per_owner) || std::holds_alternative<std::monostate>(values[i])) continue;
    std::string sql = "SELECT id, deleted_at FROM " + kind.table + " WHERE " + f.name + " = ? AND id <> ?";
    Params params = {values[i], self_id};
    if (!f.unique) {
      sql += " AND owner_scope = ?";
      params.emplace_back(owner);
    }
    CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn.Query(sql, params));
    if (!rows.empty()) {
      return Status(StatusCode::kConflict,
                    "another " + kind.name + " record already has this " + f.name +
                        (rows[0].IsNull(1) ? "" : " (it is deleted: restore it instead)"),
                    f.name).Says(rows[0].IsNull(1) ? "conflict.duplicate" : "conflict.duplicate_deleted", {{"field", f.name}});
    }
  }
  return Status::Ok();
}

Status CheckRevision(const Json& body, const Json& current) {
  auto it = body.find("revision");
  if (it == body.end() || it->is_null()) return Status::Ok();
  if (!it->is_number_integer()) return Status::Invalid("revision", "revision must be a number");
  if (it->get<std::int64_t>() != current["revision"].get<std::int64_t>()) {
    return Status(StatusCode::kConflict,
                  "the record was changed by someone else (revision " +
                      std::to_string(current["revision"].get<std::int64_t>()) +
                      " is current, you sent " + std::to_string(it->get<std::int64_t>()) +
                      "): reload and apply your change again",
                  "revision").Says("conflict.changed_meanwhile");
  }
  return Status::Ok();
}

// The sharing and assignment a body asks for, each change decided by access:: for `who` on
// `record` (as it stands, or the new record); `record`'s own values where the body is silent.
Result<access::RecordScope> RequestedScope(Transaction& txn, const access::Principal& who, const Json& body,
                                           const access::RecordScope& record) {
  access::RecordScope wanted = record;
  if (auto it = body.find("sharing"); it != body.end()) {
    auto sharing = it->is_string() ? access::ParseSharing(it->get<std::string>()) : std::nullopt;
    if (!sharing) {
      return Status::Invalid("sharing", "sharing must be one of: private, region, network, published")
          .Says("invalid.choice", {{"field", "sharing"}, {"choices", "private,region,network,published"}});
    }
    if (*sharing != record.sharing) {
      access::Verdict may = access::DecideSharing(who, record, *sharing);
      if (!may) {
        // Whoever may share the record but not to this level meets the record's state.
        bool may_share = access::Allows(who, access::Action::kShare, record);
        return may.Refusal(may_share ? StatusCode::kConflict : StatusCode::kPermissionDenied, "sharing");
      }
    }
    wanted.sharing = *sharing;
  }
  if (auto it = body.find("assigned_to"); it != body.end()) {
    if (it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
      wanted.assigned_to.clear();
    } else {
      if (!it->is_string()) return Status::Invalid("assigned_to", "assigned_to must be a user id");
      wanted.assigned_to = it->get<std::string>();
    }
    if (wanted.assigned_to != record.assigned_to) {
      access::Verdict may = access::Decide(who, access::Action::kAssign, record);
      if (may && !wanted.assigned_to.empty()) {
        CBRN_ASSIGN_OR_RETURN(storage::Rows user,
                              txn.Query("SELECT role, country_iso2, region_code FROM users WHERE id = ? AND disabled = 0",
                                        {wanted.assigned_to}));
        if (user.empty()) {
          return Status::Invalid("assigned_to", "assigned_to: no such active user").Says("invalid.no_active_user", {{"field", "assigned_to"}});
        }
        access::Principal assignee;
        assignee.user_id = wanted.assigned_to;
        assignee.role = access::ParseRole(user[0].Text(0)).value_or(access::Role::kObserver);
        assignee.country = user[0].Text(1);
        assignee.region = user[0].Text(2);
        may = access::MayAssignTo(who, record, assignee);
        if (!may) {
          return Status::Invalid("assigned_to", "assigned_to: " + may.reason).Says(may.key, may.args);
        }
      }
      if (!may) return may.Refusal(StatusCode::kPermissionDenied, "assigned_to");
    }
  }
  return wanted;
}

// The owner, sharing and assignment of the parent a record belongs to (KindSpec::parent_field).
Result<access::RecordScope> ParentScope(Transaction& txn, const Catalog& catalog, const KindSpec& kind,
                                        const Json& fields) {
  const FieldSpec* f = kind.Field(kind.parent_field);
  const KindSpec* parent = f ? catalog.Find(f->references) : nullptr;
  if (!parent || !fields[kind.parent_field].is_string()) {
    return Status::Invalid(kind.parent_field, kind.parent_field + " is required").Says("invalid.required", {{"field", kind.parent_field}});
  }
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn.Query("SELECT owner_scope, sharing, assigned_to FROM " + parent->table +
                                      " WHERE id = ? AND deleted_at IS NULL",
                                  {fields[kind.parent_field].get<std::string>()}));
  if (rows.empty()) {
    return Status::Invalid(kind.parent_field, kind.parent_field + ": no such record")
        .Says("invalid.reference", {{"field", kind.parent_field}, {"value", fields[kind.parent_field].get<std::string>()}});
  }
  access::RecordScope scope;
  scope.owner_scope = rows[0].Text(0);
  scope.sharing = access::ParseSharing(rows[0].Text(1)).value_or(access::Sharing::kPrivate);
  if (!rows[0].IsNull(2)) scope.assigned_to = rows[0].Text(2);
  return scope;
}

// A record that belongs to a parent takes its sharing (and, when inherited, its assignment)
// from it: a body may repeat them but not change them.
Status CheckInheritedScope(const KindSpec& kind, const Json& body, const access::RecordScope& parent) {
  if (auto it = body.find("sharing"); it != body.end() && !it->is_null() &&
                                      *it != access::SharingName(parent.sharing)) {
    return Status::Invalid("sharing", kind.name + " are shared with the " + kind.parent_field +
                                          " record they belong to: change that record's sharing")
        .Says("invalid.inherited_sharing", {{"field", kind.parent_field}});
  }
  if (auto it = body.find("assigned_to"); kind.inherit_assignment && it != body.end() && !it->is_null() &&
                                          *it != parent.assigned_to && !(it->is_string() && it->get<std::string>().empty() && parent.assigned_to.empty())) {
    return Status::Invalid("assigned_to", kind.name + " are assigned with the " + kind.parent_field +
                                              " record they belong to")
        .Says("invalid.inherited_assignment", {{"field", kind.parent_field}});
  }
  return Status::Ok();
}

// The body without the scope fields a child record inherits.
Json WithoutInherited(const KindSpec& kind, Json body) {
  if (kind.parent_field.empty() || !body.is_object()) return body;
  body.erase("sharing");
  if (kind.inherit_assignment) body.erase("assigned_to");
  return body;
}

}  // namespace

// Carries a record's owner, sharing (and assignment) to the records that belong to it, and on
// to theirs.
Status Store::Propagate(Transaction& txn, const KindSpec& kind, const std::string& id,
                        const access::RecordScope& scope) {
  for (const auto& child : catalog_.kinds()) {
    if (child.parent_field.empty()) continue;
    const FieldSpec* f = child.Field(child.parent_field);
    if (!f || f->references != kind.name) continue;
    Params params = {scope.owner_scope, std::string(access::SharingName(scope.sharing))};
    std::string sets = "owner_scope = ?, sharing = ?";
    if (child.inherit_assignment) {
      sets += ", assigned_to = ?";
      params.push_back(scope.assigned_to.empty() ? Param{std::monostate{}} : Param{scope.assigned_to});
    }
    params.emplace_back(id);
    CBRN_RETURN_IF_ERROR(
        txn.Exec("UPDATE " + child.table + " SET " + sets + " WHERE " + child.parent_field + " = ?", params).status());
    CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn.Query("SELECT id, assigned_to FROM " + child.table + " WHERE " +
                                                            child.parent_field + " = ?",
                                                        {id}));
    for (const auto& r : rows) {
      access::RecordScope next = scope;
      next.assigned_to = r.IsNull(1) ? "" : r.Text(1);
      CBRN_RETURN_IF_ERROR(Propagate(txn, child, r.Text(0), next));
    }
  }
  return Status::Ok();
}

Result<Json> Store::CreateIn(Transaction& txn, const Caller& caller, const KindSpec& kind,
                             const Json& body) {
  return CreateChecked(txn, caller, kind, body, false);
}

Result<Json> Store::CreateGrantedIn(Transaction& txn, const Caller& caller, const KindSpec& kind,
                                    const Json& body) {
  return CreateChecked(txn, caller, kind, body, true);
}

Result<Json> Store::CreateChecked(Transaction& txn, const Caller& caller, const KindSpec& kind,
                                  const Json& body, bool decided) {
  CBRN_ASSIGN_OR_RETURN(std::vector<Param> values,
                        ValidateBody(*this, txn, caller.who, kind, body, nullptr, true));
  std::string id = NewUuid();
  Json fields = ParamsToFields(kind, values);
  fields["id"] = id;
  std::string owner;
  fields["sharing"] = access::SharingName(kind.default_sharing);
  fields["assigned_to"] = nullptr;
  if (!kind.parent_field.empty()) {
    CBRN_ASSIGN_OR_RETURN(access::RecordScope parent, ParentScope(txn, catalog_, kind, fields));
    CBRN_RETURN_IF_ERROR(CheckInheritedScope(kind, body, parent));
    owner = parent.owner_scope;
    fields["sharing"] = access::SharingName(parent.sharing);
    if (kind.inherit_assignment && !parent.assigned_to.empty()) fields["assigned_to"] = parent.assigned_to;
  } else {
    CBRN_ASSIGN_OR_RETURN(owner, kind.owner(txn, fields));
  }
  fields["owner"] = owner;
  const access::RecordScope defaults = kind.ScopeOf(fields);
  if (access::Verdict may = access::Decide(caller.who, access::Action::kCreate, defaults); !may && !decided) {
    return may.Refusal();
  }
  CBRN_ASSIGN_OR_RETURN(access::RecordScope scope,
                        RequestedScope(txn, caller.who, WithoutInherited(kind, body), defaults));
  if (kind.check) CBRN_RETURN_IF_ERROR(kind.check(txn, nullptr, fields));
  CBRN_RETURN_IF_ERROR(CheckUnique(txn, kind, values, id, owner));
  std::string now = NowUtc();
  const audit::Actor actor = caller.actor();
  std::string cols =
      "id, owner_scope, revision, created_at, created_by, updated_at, updated_by, sharing, "
      "assigned_to";
  std::string marks = "?, ?, 1, ?, ?, ?, ?, ?, ?";
  Params params = {id, owner, now, actor.id, now, actor.id,
                   std::string(access::SharingName(scope.sharing)),
                   scope.assigned_to.empty() ? Param{std::monostate{}} : Param{scope.assigned_to}};
  for (size_t i = 0; i < kind.fields.size(); ++i) {
    cols += ", " + kind.fields[i].name;
    marks += ", ?";
    params.push_back(values[i]);
  }
  CBRN_RETURN_IF_ERROR(
      txn.Exec("INSERT INTO " + kind.table + " (" + cols + ") VALUES (" + marks + ")", params)
          .status());
  CBRN_ASSIGN_OR_RETURN(Json created, GetIn(txn, caller, kind, id));
  CBRN_RETURN_IF_ERROR(
      audit::Append(txn, actor, {"create", kind.name, id, owner, std::nullopt, created.dump()}));
  return created;
}

namespace {
Status NotWritable(const KindSpec& kind) {
  return {StatusCode::kPermissionDenied, kind.name + " are changed through their own operations, not as records"};
}
}  // namespace

Result<Json> Store::Create(const Caller& caller, const std::string& kind_name, const Json& body) {
  CBRN_ASSIGN_OR_RETURN(const KindSpec* kind, Kind(kind_name));
  if (!kind->writable) return NotWritable(*kind);
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json created, CreateIn(*txn, caller, *kind, body));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return created;
}

Result<Json> Store::UpdateIn(Transaction& txn, const Caller& caller, const KindSpec& kind,
                             const std::string& id_or_key, const Json& body, bool replace) {
  if (txn.backend() == storage::Backend::kPostgres) {
    // Concurrent changes of one record wait for each other here (SQLite writers already take
    // turns): a change that names no revision then applies to the latest one instead of
    // failing the optimistic check against a value another transaction just replaced.
    CBRN_ASSIGN_OR_RETURN(std::string row, ResolveId(txn, kind, id_or_key, false, &caller.who));
    CBRN_RETURN_IF_ERROR(txn.Query("SELECT id FROM " + kind.table + " WHERE id = ? FOR UPDATE", {row}).status());
  }
  CBRN_ASSIGN_OR_RETURN(Json current, GetIn(txn, caller, kind, id_or_key));
  if (!body.is_object()) return Status::Invalid("", "the request body must be a JSON object");
  const access::RecordScope before = kind.ScopeOf(current);
  if (access::Verdict may = access::Decide(caller.who, access::Action::kChange, before); !may) {
    return may.Refusal();
  }
  CBRN_RETURN_IF_ERROR(CheckRevision(body, current));
  if (auto it = body.find("id"); it != body.end() && *it != current["id"]) {
    return Status::Invalid("id", "id cannot be changed");
  }
  CBRN_ASSIGN_OR_RETURN(std::vector<Param> values,
                        ValidateBody(*this, txn, caller.who, kind, body, &current, replace));
  std::string id = current["id"].get<std::string>();
  Json fields = ParamsToFields(kind, values);
  fields["id"] = id;
  std::string owner;
  // Sharing and assignment are decided on the record as it stands; the result must stay
  // within what the caller may change.
  CBRN_ASSIGN_OR_RETURN(access::RecordScope after,
                        RequestedScope(txn, caller.who, WithoutInherited(kind, body), before));
  if (!kind.parent_field.empty()) {
    CBRN_ASSIGN_OR_RETURN(access::RecordScope parent, ParentScope(txn, catalog_, kind, fields));
    CBRN_RETURN_IF_ERROR(CheckInheritedScope(kind, body, parent));
    owner = parent.owner_scope;
    after.sharing = parent.sharing;
    if (kind.inherit_assignment) after.assigned_to = parent.assigned_to;
  } else {
    CBRN_ASSIGN_OR_RETURN(owner, kind.owner(txn, fields));
  }
  after.owner_scope = owner;
  fields["owner"] = owner;
  fields["sharing"] = access::SharingName(after.sharing);
  fields["assigned_to"] = after.assigned_to.empty() ? Json(nullptr) : Json(after.assigned_to);
  if (!access::Allows(caller.who, access::Action::kChange, after)) {
    return Denied("the change would move the record to " + owner + ", outside what you may change");
  }
  if (kind.check) CBRN_RETURN_IF_ERROR(kind.check(txn, &current, fields));
  CBRN_RETURN_IF_ERROR(CheckUnique(txn, kind, values, id, owner));
  const audit::Actor actor = caller.actor();
  std::string sets =
      "owner_scope = ?, revision = revision + 1, updated_at = ?, updated_by = ?, sharing = ?, "
      "assigned_to = ?";
  Params params = {owner, NowUtc(), actor.id, std::string(access::SharingName(after.sharing)),
                   after.assigned_to.empty() ? Param{std::monostate{}} : Param{after.assigned_to}};
  for (size_t i = 0; i < kind.fields.size(); ++i) {
    sets += ", " + kind.fields[i].name + " = ?";
    params.push_back(values[i]);
  }
  params.emplace_back(id);
  params.emplace_back(current["revision"].get<std::int64_t>());
  // The revision in the WHERE clause makes a concurrent update lose cleanly, not silently.
  CBRN_ASSIGN_OR_RETURN(std::int64_t changed,
                        txn.Exec("UPDATE " + kind.table + " SET " + sets +
                                     " WHERE id = ? AND revision = ? AND deleted_at IS NULL",
                                 params));
  if (changed != 1) {
    return Status(StatusCode::kConflict, "the record was changed by someone else: reload",
                  "revision").Says("conflict.changed_meanwhile");
  }
  if (after.owner_scope != before.owner_scope || after.sharing != before.sharing ||
      after.assigned_to != before.assigned_to) {
    CBRN_RETURN_IF_ERROR(Propagate(txn, kind, id, after));
  }
  CBRN_ASSIGN_OR_RETURN(Json updated, GetIn(txn, caller, kind, id));
  CBRN_RETURN_IF_ERROR(audit::Append(
      txn, actor, {"update", kind.name, id, owner, current.dump(), updated.dump()}));
  return updated;
}

Result<Json> Store::Update(const Caller& caller, const std::string& kind_name,
                           const std::string& id_or_key, const Json& body, bool replace) {
  CBRN_ASSIGN_OR_RETURN(const KindSpec* kind, Kind(kind_name));
  if (!kind->writable) return NotWritable(*kind);
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json updated, UpdateIn(*txn, caller, *kind, id_or_key, body, replace));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return updated;
}

Status Store::Delete(const Caller& caller, const std::string& kind_name,
                     const std::string& id_or_key, std::optional<std::int64_t> revision) {
  CBRN_ASSIGN_OR_RETURN(const KindSpec* kind, Kind(kind_name));
  if (!kind->writable) return NotWritable(*kind);
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json current, GetIn(*txn, caller, *kind, id_or_key));
  if (access::Verdict may = access::Decide(caller.who, access::Action::kChange, kind->ScopeOf(current)); !may) {
    return may.Refusal();
  }
  if (!kind->deletable) {
    return Status(StatusCode::kConflict, kind->name + " records cannot be deleted").Says("conflict.not_deletable");
  }
  const audit::Actor actor = caller.actor();
  if (revision) CBRN_RETURN_IF_ERROR(CheckRevision(Json{{"revision", *revision}}, current));
  std::string id = current["id"].get<std::string>();
  // A record still referenced by live records the caller can see stays: deleting it would
  // orphan them. References from records the caller cannot see neither block the delete nor
  // show in the message (that would reveal them); their link then names a deleted record,
  // which its owner sees as such and which a restore brings back (docs/access.md).
  for (const auto& other : catalog_.kinds()) {
    const access::SqlFilter visible = access::VisibilityFilter(caller.who, "sharing", ParticipantsColumn(other));
    for (const auto& f : other.fields) {
      if (f.type != FieldType::kReference || f.references != kind->name) continue;
      Params params = {id};
      for (const auto& p : visible.params) params.emplace_back(p);
      CBRN_ASSIGN_OR_RETURN(storage::Rows n,
                            txn->Query("SELECT count(*) FROM " + other.table + " WHERE " + f.name +
                                           " = ? AND deleted_at IS NULL AND " + visible.sql,
                                       params));
      if (n[0].Int(0) > 0) {
        return Status::Conflict("still referenced by " + std::to_string(n[0].Int(0)) + " " +
                                other.name + " record(s) (field " + f.name +
                                "): change or delete those first").Says("conflict.still_referenced", {{"#count", std::to_string(n[0].Int(0))}, {"kind@kind.", other.name}, {"field", f.name}});
      }
    }
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE " + kind->table +
                                     " SET deleted_at = ?, revision = revision + 1, updated_at = "
                                     "?, updated_by = ? WHERE id = ?",
                                 {NowUtc(), NowUtc(), actor.id, id})
                           .status());
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, actor,
                                     {"delete", kind->name, id,
                                      current["owner"].get<std::string>(), current.dump(),
                                      std::nullopt}));
  return txn->Commit();
}

Result<Json> Store::Restore(const Caller& caller, const std::string& kind_name,
                            const std::string& id_or_key) {
  CBRN_ASSIGN_OR_RETURN(const KindSpec* kind, Kind(kind_name));
  if (!kind->writable) return NotWritable(*kind);
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json current, GetIn(*txn, caller, *kind, id_or_key, true));
  if (access::Verdict may = access::Decide(caller.who, access::Action::kChange, kind->ScopeOf(current)); !may) {
    return may.Refusal();
  }
  const audit::Actor actor = caller.actor();
  std::string id = current["id"].get<std::string>();
  if (!current.contains("deleted_at")) return Status::Conflict("the record is not deleted").Says("conflict.not_deleted");
  // Its references may have been deleted meanwhile; restoring must not revive a dangling link.
  for (const auto& f : kind->fields) {
    if (f.type != FieldType::kReference || current[f.name].is_null()) continue;
    const KindSpec* target = catalog_.Find(f.references);
    if (!ResolveId(*txn, *target, current[f.name].get<std::string>()).ok()) {
      return Status(StatusCode::kConflict,
                    "the " + f.references + " record it refers to is deleted: restore that first",
                    f.name).Says("conflict.restore_reference_first", {{"field", f.name}});
    }
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE " + kind->table +
                                     " SET deleted_at = NULL, revision = revision + 1,"
                                     " updated_at = ?, updated_by = ? WHERE id = ?",
                                 {NowUtc(), actor.id, id})
                           .status());
  CBRN_ASSIGN_OR_RETURN(Json restored, GetIn(*txn, caller, *kind, id));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, actor,
                                     {"restore", kind->name, id,
                                      restored["owner"].get<std::string>(), current.dump(),
                                      restored.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return restored;
}

Result<std::vector<Json>> Store::History(const Caller& caller, const std::string& kind_name,
                                         const std::string& id_or_key) {
  CBRN_ASSIGN_OR_RETURN(const KindSpec* kind, Kind(kind_name));
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(std::string id, ResolveId(*txn, *kind, id_or_key, true, &caller.who));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn->Query("SELECT seq, at, actor, action, before_json, after_json FROM "
                                   "audit_log WHERE entity_id = ? ORDER BY seq",
                                   {id}));
  std::vector<Json> out;
  for (const auto& r : rows) {
    Json e = {{"seq", r.Int(0)}, {"at", r.Text(1)}, {"actor", r.Text(2)}, {"action", r.Text(3)}};
    e["before"] = r.IsNull(4) ? Json(nullptr) : Json::parse(r.Text(4), nullptr, false);
    e["after"] = r.IsNull(5) ? Json(nullptr) : Json::parse(r.Text(5), nullptr, false);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace cbrnhub::records
