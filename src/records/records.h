// Records: kinds of record described by field specs, and validated, audited CRUD over them.
//
// Every record has a UUID, an owner scope ("network", "region:CA", "country:UZ"), a revision
// counter and created/updated stamps. Deleting marks a record deleted (it can be restored);
// nothing is removed. Each write is one transaction with its audit entry.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "access/access.h"
#include "audit/audit.h"
#include "core/status.h"
#include "storage/storage.h"

namespace cbrnhub::records {

using Json = nlohmann::json;

enum class FieldType {
  kText,         // one line of text
  kLongText,     // several lines
  kEmail,
  kUrl,          // http:// or https://
  kChoice,       // one of `choices`
  kReference,    // id (or natural key) of a live record of kind `references`
  kCountryCode,  // ISO 3166-1 alpha-2, upper case
  kCode,         // short upper-case code: letters, digits, '-', '_'
  kDate,         // YYYY-MM-DD
  kInteger,
};

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kText;
  bool required = false;
  size_t max_length = 200;  // in characters (code points)
  std::vector<std::string> choices;
  std::string references;  // kind name, for kReference
  // No two records (deleted ones included) share the value: across all records (`unique`,
  // for the network's reference data, whose codes name their owner), or among the records of
  // one owner (`unique_per_owner`: a country's own identifiers, so that a clash never reveals
  // another country's record).
  bool unique = false;
  bool unique_per_owner = false;
  bool filterable = false; // usable as ?name=value on lists
  bool searchable = false; // matched by ?q=
  // Shown in reads, ignored in bodies: the owning module changes it (e.g. a workflow status).
  bool read_only = false;
  std::string default_value;  // a read-only field's value on create
  // False: the field is edited on its module's own page (a scenario's ratings on the rating
  // form), not in the generic record form; the API still takes it.
  bool in_forms = true;

  // Builders, so that a kind's fields read one per line:
  //   FieldSpec::Of("title", FieldType::kText, 300).Required().Searchable()
  static FieldSpec Of(std::string name, FieldType type = FieldType::kText, size_t max = 200) {
    FieldSpec f;
    f.name = std::move(name);
    f.type = type;
    f.max_length = max;
    return f;
  }
  static FieldSpec Choice(std::string name, std::vector<std::string> values) {
    FieldSpec f = Of(std::move(name), FieldType::kChoice);
    f.choices = std::move(values);
    f.filterable = true;
    return f;
  }
  static FieldSpec Reference(std::string name, std::string kind) {
    FieldSpec f = Of(std::move(name), FieldType::kReference);
    f.references = std::move(kind);
    f.filterable = true;
    return f;
  }
  FieldSpec Required() const { return With([](FieldSpec& f) { f.required = true; }); }
  FieldSpec Filterable() const { return With([](FieldSpec& f) { f.filterable = true; }); }
  FieldSpec Searchable() const { return With([](FieldSpec& f) { f.searchable = true; }); }
  FieldSpec NotInForms() const { return With([](FieldSpec& f) { f.in_forms = false; }); }
  FieldSpec ReadOnly(std::string value) const {
    return With([&](FieldSpec& f) {
      f.read_only = true;
      f.default_value = value;
    });
  }

 private:
  template <typename Change>
  FieldSpec With(Change change) const {
    FieldSpec f = *this;
    change(f);
    return f;
  }
};

struct KindSpec {
  std::string name;      // "countries": API path segment and audit entity kind
  std::string table;
  std::vector<FieldSpec> fields;
  std::string natural_key;  // field that identifies a record besides its id ("iso2"), or ""
  std::string order_by;     // SQL ORDER BY clause for lists, e.g. "name"
  bool deletable = true;
  // False: records are created and changed only by their module's own operations (e.g. a
  // questionnaire is loaded from its definition file), never by the generic API or forms.
  bool writable = true;
  // Sharing of a new record when the request does not say.
  access::Sharing default_sharing = access::Sharing::kPrivate;
  // The access rule family its records follow; a field named "status" is their workflow state.
  access::Policy policy = access::Policy::kRecord;
  // A record that belongs to another (an action to its plan, a milestone to its action): the
  // reference field naming that parent. Its owner and sharing are the parent's, set on create
  // and carried to it whenever the parent's change; a body cannot set them. With
  // `inherit_assignment` its assignment is the parent's too (so the team member assigned an
  // action records its indicator values).
  std::string parent_field;
  bool inherit_assignment = false;
  // A text field of comma-separated ISO2 codes of participating countries (see
  // access::RecordScope::participants), or "".
  std::string participants_field;
  // Cross-field and cross-record checks after each field is valid, inside the write's
  // transaction: `before` is null on create; `after` holds the fields as they will be stored
  // (references as ids) with "id". An error names its field. Null: no such checks.
  std::function<Status(storage::Transaction&, const Json* before, const Json& after)> check;
  // The owner scope of a record with these (validated) fields.
  std::function<Result<std::string>(storage::Transaction&, const Json&)> owner;

  const FieldSpec* Field(const std::string& field_name) const;
  // What access:: decides on for a record of this kind (as read or returned by the Store).
  access::RecordScope ScopeOf(const Json& record) const;
};

class Catalog {
 public:
  void Add(KindSpec kind);
  // nullptr when there is no such kind.
  const KindSpec* Find(const std::string& name) const;
  const std::vector<KindSpec>& kinds() const { return kinds_; }

 private:
  std::vector<KindSpec> kinds_;
};

// Who is calling, and from where: every operation is decided for and audited as this caller.
struct Caller {
  access::Principal who;
  std::string remote_addr;
  audit::Actor actor() const { return {who.audit_id(), remote_addr}; }
};

struct ListQuery {
  std::map<std::string, std::string> filters;  // field -> value (references by id or key)
  std::string text;                            // ?q=: substring of searchable fields
  bool include_deleted = false;
  int limit = 100;
  int offset = 0;
};

struct Page {
  std::vector<Json> items;
  std::int64_t total = 0;
};

// Validated CRUD, decided by access:: for the caller. All methods are thread-safe.
// NotFound for unknown kinds or ids and for records the caller may not read (indistinguishable
// on purpose); PermissionDenied for readable records the caller may not change;
// InvalidArgument (with the field) for bad bodies; Conflict for stale revisions, unique clashes
// and deletes of records still referenced.
class Store {
 public:
  Store(storage::Database& db, const Catalog& catalog) : db_(db), catalog_(catalog) {}

  Result<Json> Get(const Caller& caller, const std::string& kind, const std::string& id_or_key);
  Result<Page> List(const Caller& caller, const std::string& kind, const ListQuery& query);
  // "sharing" and "assigned_to" in the body need the right to share (access::CanShare).
  Result<Json> Create(const Caller& caller, const std::string& kind, const Json& body);
  // PATCH semantics when `replace` is false (absent fields keep their value); PUT when true.
  // A "revision" in the body must equal the stored one (optimistic concurrency).
  Result<Json> Update(const Caller& caller, const std::string& kind, const std::string& id_or_key,
                      const Json& body, bool replace);
  Status Delete(const Caller& caller, const std::string& kind, const std::string& id_or_key,
                std::optional<std::int64_t> revision);
  Result<Json> Restore(const Caller& caller, const std::string& kind,
                       const std::string& id_or_key);
  // Audit entries about one record, oldest first.
  Result<std::vector<Json>> History(const Caller& caller, const std::string& kind,
                                    const std::string& id_or_key);

  // The same operations inside a caller's transaction (for bulk work such as seeding).
  Result<Json> CreateIn(storage::Transaction& txn, const Caller& caller, const KindSpec& kind,
                        const Json& body);
  // CreateIn for an operation its module already decided with access:: as another action
  // (a reviewing agency's opinion is a review of the licence, not a record it may create).
  Result<Json> CreateGrantedIn(storage::Transaction& txn, const Caller& caller, const KindSpec& kind,
                               const Json& body);
  Result<Json> UpdateIn(storage::Transaction& txn, const Caller& caller, const KindSpec& kind,
                        const std::string& id_or_key, const Json& body, bool replace);
  Result<Json> GetIn(storage::Transaction& txn, const Caller& caller, const KindSpec& kind,
                     const std::string& id_or_key, bool include_deleted = false);
  Result<Page> ListIn(storage::Transaction& txn, const Caller& caller, const KindSpec& kind,
                      const ListQuery& query);
  // The records of `kind` (which has a parent_field) that belong to any of `parent_ids` and
  // that the caller may read, in the kind's order; deleted ones too with `include_deleted`.
  Result<std::vector<Json>> ListChildrenIn(storage::Transaction& txn, const Caller& caller, const KindSpec& kind,
                                           const std::vector<std::string>& parent_ids, bool include_deleted = false);
  // Resolves an id or natural key to the id of a record `who` may read (any record when
  // `who` is null); NotFound when absent, deleted or invisible.
  Result<std::string> ResolveId(storage::Transaction& txn, const KindSpec& kind,
                                const std::string& id_or_key, bool include_deleted = false,
                                const access::Principal* who = nullptr);

  const Catalog& catalog() const { return catalog_; }
  storage::Database& database() { return db_; }

 private:
  Result<const KindSpec*> Kind(const std::string& name) const;
  Result<Json> CreateChecked(storage::Transaction& txn, const Caller& caller, const KindSpec& kind,
                             const Json& body, bool decided);
  Status Propagate(storage::Transaction& txn, const KindSpec& kind, const std::string& id,
                   const access::RecordScope& scope);

  storage::Database& db_;
  const Catalog& catalog_;
};

// Parses JSON sent by a client: refuses nesting deeper than 64 levels before parsing, and
// reports a syntax error with its line and column. InvalidArgument on any failure.
Result<Json> ParseJson(const std::string& text);

// Number of Unicode code points in UTF-8 text; -1 when the text is not valid UTF-8.
long Utf8Length(const std::string& s);

}  // namespace cbrnhub::records
