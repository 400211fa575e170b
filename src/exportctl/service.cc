// Sanctions-list editions, screenings and decisions, the control list, the licence workflow.
#include <spdlog/spdlog.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "assets/assets.h"
#include "audit/audit.h"
#include "notify/notify.h"
#include "core/csv.h"
#include "core/ids.h"
#include "core/problem.h"
#include "exportctl/exportctl.h"
#include "metrics/metrics.h"

namespace cbrnhub::exportctl {
namespace {

using storage::Access;
using storage::Param;
using storage::Rows;

Status Denied(const std::string& what) { return {StatusCode::kPermissionDenied, what}; }

// Every decision below is access::'s; these name the export-control ones for this file.
Status MayRead(const Caller& c) {
  if (access::DecideRoute(c.who, access::Need::kExportControl) == access::Decision::kAllow) return Status::Ok();
  return Denied("export control is for licensing officers, reviewing agencies and customs");
}

Status May(const Caller& c, access::Action action) {
  return access::Require(c.who, action, access::OwnExportControlScope(c.who));
}

// The owner scope of what this caller screens and decides.
Result<std::string> ScopeOf(const Caller& c, access::Action action) {
  CBRN_RETURN_IF_ERROR(May(c, action));
  return access::OwnExportControlScope(c.who).owner_scope;
}

// What a screening of `owner_scope` is to access: its country's export control, private.
access::RecordScope ScreeningRecordScope(const std::string& owner_scope) {
  return {owner_scope, access::Sharing::kPrivate, "", access::Policy::kExportControl, "", {}};
}

// Read filter on owner_scope for screening tables (they have no sharing column).
std::pair<std::string, storage::Params> ScopeFilter(const Caller& c) {
  access::SqlFilter f = access::VisibilityFilter(c.who, nullptr);
  return {f.sql, storage::Params(f.params.begin(), f.params.end())};
}

bool ValidListCode(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A LIKE pattern (with ESCAPE '\\') matching text that contains `term` literally.
std::string ContainsPattern(const std::string& term) {
  std::string escaped = "%";
  for (char c : term) {
    if (c == '%' || c == '_' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped + "%";
}

std::string PartyKey(const sanctions::Party& p) {
  std::string key;
  for (const auto& t : sanctions::NameTokens(p.name)) key += t + " ";
  return Sha256Hex(key + "|" + p.birth_date + "|" + p.country);
}

Json PartyJson(const sanctions::Party& p) {
  return {{"id", p.id}, {"name", p.name}, {"country", p.country}, {"birth_date", p.birth_date},
          {"id_number", p.id_number}};
}

sanctions::Party PartyFrom(const Json& j) {
  sanctions::Party p;
  p.id = j.value("id", "");
  p.name = j.value("name", "");
  p.country = j.value("country", "");
  p.birth_date = j.value("birth_date", "");
  p.id_number = j.value("id_number", "");
  return p;
}

Json EditionJson(const storage::Row& r) {
  return {{"id", r.Text(0)},           {"list_code", r.Text(1)},   {"format", r.Text(2)},
          {"source_name", r.Text(3)},  {"source_date", r.Text(4)}, {"checksum", r.Text(5)},
          {"imported_at", r.Text(6)},  {"imported_by", r.Text(7)}, {"entity_count", r.Int(8)},
          {"name_count", r.Int(9)},    {"added", r.Int(10)},       {"removed", r.Int(11)},
          {"changed", r.Int(12)},      {"previous_id", r.OptionalText(13) ? Json(r.Text(13)) : Json(nullptr)},
          {"active", r.Int(14) != 0}};
}

constexpr const char* kEditionColumns =
    "id, list_code, format, source_name, source_date, checksum, imported_at, imported_by,"
    " entity_count, name_count, added, removed, changed, previous_id, active";

constexpr const char* kScreeningColumns =
    "id, owner_scope, revision, created_at, created_by, updated_at, updated_by, party_id,"
    " party_name, party_json, editions, threshold, hit_count, open_count, results_json, source,"
    " licence_id";

Json ScreeningJson(const storage::Row& r, bool with_results) {
  Json j = {{"id", r.Text(0)},          {"owner", r.Text(1)},        {"revision", r.Int(2)},
            {"created_at", r.Text(3)},  {"created_by", r.Text(4)},   {"updated_at", r.Text(5)},
            {"updated_by", r.Text(6)},  {"party_id", r.Text(7)},     {"party_name", r.Text(8)},
            {"hit_count", r.Int(12)},   {"open_count", r.Int(13)},   {"source", r.Text(15)},
            {"threshold", r.Double(11)},
            {"licence_id", r.IsNull(16) ? Json(nullptr) : Json(r.Text(16))}};
  j["party"] = Json::parse(r.Text(9));
  j["editions"] = Json::parse(r.Text(10));
  if (with_results) j["results"] = Json::parse(r.Text(14));
  return j;
}

Result<Json> EditionById(storage::Transaction& txn, const std::string& edition_id) {
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn.Query(std::string("SELECT ") + kEditionColumns +
                                                 " FROM sanction_editions WHERE id = ?",
                                             {edition_id}));
  if (rows.empty()) return Status::NotFound("no edition " + edition_id);
  return EditionJson(rows[0]);
}

// A file over `mib` MiB.
Status TooLarge(const std::string& source, int mib) {
  return Status::Invalid(source, "file larger than " + std::to_string(mib) + " MiB")
      .Says("invalid.file_too_large", {{"#max", std::to_string(mib)}});
}

}  // namespace

Result<std::vector<sanctions::Party>> ParsePartiesCsv(std::string_view text, const std::string& source) {
  if (text.size() > (32u << 20)) return TooLarge(source, 32);
  std::string utf8 = sanctions::ToUtf8(text);
  CBRN_ASSIGN_OR_RETURN(CsvTable table, CsvTable::Parse(utf8, source, {"id", "name"}));
  std::vector<sanctions::Party> parties;
  parties.reserve(table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    sanctions::Party p;
    p.id = table.Get(i, "id");
    p.name = table.Get(i, "name");
    p.country = table.Get(i, "country");
    p.birth_date = table.Get(i, "birth_date");
    p.id_number = table.Get(i, "id_number");
    Status st = sanctions::Validate(p);
    if (!st.ok()) {
      Status why = Status::Invalid(source + " line " + std::to_string(table.line(i)) + " field " + st.field(),
                                   st.field() + " " + st.message());
      return Placed(FilePlace::Line(source, table.line(i), st.field()),
                    std::move(why).Says(st.message_key(), st.message_args()));
    }
    parties.push_back(std::move(p));
  }
  return parties;
}

struct Service::State {
  std::mutex mu;
  std::string key;  // the active edition ids the index was built from
  std::shared_ptr<const sanctions::Index> index;
  std::vector<std::string> edition_ids;  // parallel to index->sources()
  std::vector<std::vector<std::string>> fingerprints;  // [source][entity]
  std::once_flag translations_loaded;
  std::map<std::string, ControlTranslations> translations;  // the shipped ones, by language
};

Service::Service(records::Store& store) : store_(store), state_(std::make_unique<State>()) {}
Service::~Service() = default;

// --- Lists ------------------------------------------------------------------------------

Result<Json> Service::ImportList(const Caller& caller, const ListUpload& upload) {
  CBRN_RETURN_IF_ERROR(May(caller, access::Action::kImport));
  if (!ValidListCode(upload.list_code)) {
    return Status::Invalid("list_code", "use 1-40 characters a-z, 0-9 and '-' (e.g. un, ofac, national-uz)")
        .Says("sanctions.invalid.list_code");
  }
  Result<sanctions::ListFile> parsed =
      Status::Invalid("format", "must be un-xml, eu-xml, ofac-csv or csv").Says("sanctions.invalid.format");
  if (upload.format == "un-xml") parsed = sanctions::ParseUnXml(upload.main, upload.source_name);
  else if (upload.format == "eu-xml") parsed = sanctions::ParseEuXml(upload.main, upload.source_name);
  else if (upload.format == "ofac-csv")
    parsed = sanctions::ParseOfacCsv(upload.main, upload.add, upload.alt, upload.source_name);
  else if (upload.format == "csv") parsed = sanctions::ParseListCsv(upload.main, upload.source_name);
  CBRN_RETURN_IF_ERROR(parsed.status());
  const sanctions::ListFile& file = *parsed;
  std::string checksum = Sha256Hex(upload.main + '\0' + upload.add + '\0' + upload.alt);

  auto& db = store_.database();
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Rows prev, txn->Query(std::string("SELECT ") + kEditionColumns +
                                                  " FROM sanction_editions WHERE list_code = ? AND active = 1",
                                              {upload.list_code}));
  if (!prev.empty() && prev[0].Text(5) == checksum) {
    return Json{{"unchanged", true}, {"edition", EditionJson(prev[0])}};
  }
  std::map<std::string, std::pair<std::string, std::string>> before;  // id -> fingerprint, name
  std::string previous_id = prev.empty() ? "" : prev[0].Text(0);
  if (!previous_id.empty()) {
    CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT entity_id, fingerprint, primary_name FROM "
                                                "sanction_entities WHERE edition_id = ?",
                                                {previous_id}));
    for (const auto& r : rows) before[r.Text(0)] = {r.Text(1), r.Text(2)};
  }
  std::string id = NewUuid();
  std::string now = NowUtc();
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO sanction_editions (id, list_code, format, source_name,"
                                 " source_date, checksum, imported_at, imported_by, entity_count,"
                                 " name_count, added, removed, changed, previous_id, active)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, 1)",
                                 {id, upload.list_code, file.format, upload.source_name, file.source_date,
                                  checksum, now, caller.who.audit_id(),
                                  static_cast<std::int64_t>(file.entities.size()),
                                  static_cast<std::int64_t>(file.name_count()),
                                  previous_id.empty() ? Param{} : Param{previous_id}})
                           .status());
  std::int64_t added = 0, changed = 0, removed = 0;
  for (const auto& e : file.entities) {
    std::string fp = e.Fingerprint();
    std::string change;
    auto it = before.find(e.entity_id);
    if (it == before.end()) change = previous_id.empty() ? "" : "added";
    else if (it->second.first != fp) change = "changed";
    if (it != before.end()) before.erase(it);
    added += change == "added";
    changed += change == "changed";
    CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO sanction_entities (edition_id, entity_id, kind,"
                                   " primary_name, fingerprint, change, data_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   {id, e.entity_id, std::string(sanctions::EntityKindName(e.kind)),
                                    e.names[0].text, fp, change, e.ToJson().dump()})
                             .status());
  }
  for (const auto& [entity_id, fp_name] : before) {
    ++removed;
    CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO sanction_removals (edition_id, entity_id, primary_name)"
                                   " VALUES (?, ?, ?)",
                                   {id, entity_id, fp_name.second})
                             .status());
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE sanction_editions SET added = ?, removed = ?, changed = ? WHERE id = ?",
                                 {added, removed, changed, id})
                           .status());
  if (!previous_id.empty()) {
    CBRN_RETURN_IF_ERROR(
        txn->Exec("UPDATE sanction_editions SET active = 0 WHERE id = ?", {previous_id}).status());
  }
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(std::string("SELECT ") + kEditionColumns +
                                                  " FROM sanction_editions WHERE id = ?",
                                              {id}));
  Json edition = EditionJson(rows[0]);
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"import", "sanction_editions", id, "network", std::nullopt,
                                      edition.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  spdlog::info("sanctions list {}: edition {} with {} entities (+{} -{} ~{})", upload.list_code, id,
               file.entities.size(), added, removed, changed);
  Json out = {{"unchanged", false}, {"edition", edition}};
  // Open licences are screened again against the new edition (issue: "on every new list edition").
  Status rescreened = RescreenOpenLicences(caller);
  if (!rescreened.ok()) {
    spdlog::warn("re-screening open licences after the import failed: {}", rescreened.message());
    out["rescreen_error"] = rescreened.message();
  }
  return out;
}

Result<Json> Service::Editions(const Caller& caller, const std::string& list_code) {
  CBRN_RETURN_IF_ERROR(MayRead(caller));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  std::string sql = std::string("SELECT ") + kEditionColumns + " FROM sanction_editions";
  storage::Params params;
  if (!list_code.empty()) {
    sql += " WHERE list_code = ?";
    params.push_back(list_code);
  }
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(sql + " ORDER BY imported_at DESC, id LIMIT 500", params));
  Json items = Json::array();
  for (const auto& r : rows) items.push_back(EditionJson(r));
  return Json{{"items", items}, {"total", items.size()}};
}

Result<Json> Service::EditionChanges(const Caller& caller, const std::string& edition_id, int limit, int offset) {
  CBRN_RETURN_IF_ERROR(MayRead(caller));
  if (limit < 1 || limit > 1000 || offset < 0) return Status::Invalid("limit", "limit 1..1000, offset >= 0");
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json edition, EditionById(*txn, edition_id));
  const std::string union_sql =
      "SELECT change, entity_id, primary_name FROM sanction_entities WHERE edition_id = ? AND change <> ''"
      " UNION ALL SELECT 'removed', entity_id, primary_name FROM sanction_removals WHERE edition_id = ?";
  CBRN_ASSIGN_OR_RETURN(Rows total, txn->Query("SELECT count(*) FROM (" + union_sql + ") c", {edition_id, edition_id}));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT * FROM (" + union_sql + ") c ORDER BY 1, 2 LIMIT ? OFFSET ?",
                                              {edition_id, edition_id, static_cast<std::int64_t>(limit),
                                               static_cast<std::int64_t>(offset)}));
  Json items = Json::array();
  for (const auto& r : rows) {
    items.push_back({{"change", r.Text(0)}, {"entity_id", r.Text(1)}, {"primary_name", r.Text(2)}});
  }
  return Json{{"edition", edition}, {"items", items}, {"total", total[0].Int(0)}};
}

Result<Json> Service::Entity(const Caller& caller, const std::string& list_code, const std::string& entity_id) {
  CBRN_RETURN_IF_ERROR(MayRead(caller));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT e.data_json, e.fingerprint, d.id FROM sanction_entities e"
                                              " JOIN sanction_editions d ON d.id = e.edition_id"
                                              " WHERE d.list_code = ? AND d.active = 1 AND e.entity_id = ?",
                                              {list_code, entity_id}));
  if (rows.empty()) return Status::NotFound("no entry " + entity_id + " in the current " + list_code + " list");
  Json j = Json::parse(rows[0].Text(0));
  j["fingerprint"] = rows[0].Text(1);
  j["edition_id"] = rows[0].Text(2);
  j["list_code"] = list_code;
  return j;
}

Result<Json> Service::EditionEntries(const Caller& caller, const std::string& edition_id,
                                     const std::string& query, int limit, int offset) {
  CBRN_RETURN_IF_ERROR(MayRead(caller));
  if (limit < 1 || limit > 1000 || offset < 0)
    return Status::Invalid("limit", "limit 1..1000, offset >= 0");
  if (query.size() > 200) return Status::Invalid("q", "longer than 200 bytes");
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json edition, EditionById(*txn, edition_id));
  // data_json holds every name and identifier, so one LIKE per word searches them all.
  std::string where = " FROM sanction_entities WHERE edition_id = ?";
  storage::Params params{edition_id};
  int words = 0;
  for (size_t i = 0; i < query.size() && words < 8;) {
    size_t j = query.find(' ', i);
    if (j == std::string::npos) j = query.size();
    std::string word = query.substr(i, j - i);
    i = j + 1;
    if (word.empty()) continue;
    where += " AND lower(data_json) LIKE lower(?) ESCAPE '\\'";
    params.push_back(ContainsPattern(word));
    ++words;
  }
  CBRN_ASSIGN_OR_RETURN(Rows total, txn->Query("SELECT count(*)" + where, params));
  params.push_back(static_cast<std::int64_t>(limit));
  params.push_back(static_cast<std::int64_t>(offset));
  CBRN_ASSIGN_OR_RETURN(
      Rows rows,
      txn->Query("SELECT data_json" + where + " ORDER BY primary_name, entity_id LIMIT ? OFFSET ?",
                 params));
  Json items = Json::array();
  for (const auto& r : rows) {
    Json e = Json::parse(r.Text(0));
    Json names = Json::array();
    for (const auto& n : e["names"]) names.push_back(n["text"]);
    items.push_back({{"id", e["id"]},
                     {"kind", e["kind"]},
                     {"primary_name", names[0]},
                     {"names", names},
                     {"programmes", e["programmes"]}});
  }
  return Json{{"edition", edition}, {"items", items}, {"total", total[0].Int(0)}};
}

Result<Json> Service::EditionEntry(const Caller& caller, const std::string& edition_id,
                                   const std::string& entity_id) {
  CBRN_RETURN_IF_ERROR(MayRead(caller));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json edition, EditionById(*txn, edition_id));
  CBRN_ASSIGN_OR_RETURN(Rows rows,
                        txn->Query("SELECT data_json, fingerprint, change FROM sanction_entities"
                                   " WHERE edition_id = ? AND entity_id = ?",
                                   {edition_id, entity_id}));
  if (rows.empty()) return Status::NotFound("edition " + edition_id + " has no entry " + entity_id);
  Json j = Json::parse(rows[0].Text(0));
  j["fingerprint"] = rows[0].Text(1);
  j["change"] = rows[0].Text(2);
  j["edition"] = edition;
  return j;
}

Result<std::shared_ptr<const sanctions::Index>> Service::ActiveIndex() {
  auto& db = store_.database();
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows eds, txn->Query("SELECT id, list_code FROM sanction_editions WHERE active = 1"
                                             " ORDER BY list_code"));
  std::string key;
  for (const auto& r : eds) key += r.Text(0) + ",";
  std::lock_guard lock(state_->mu);
  if (state_->index && state_->key == key) return state_->index;
  std::vector<sanctions::Index::Source> sources;
  std::vector<std::vector<std::string>> fingerprints;
  std::vector<std::string> ids;
  for (const auto& r : eds) {
    CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT data_json, fingerprint FROM sanction_entities"
                                                " WHERE edition_id = ? ORDER BY entity_id",
                                                {r.Text(0)}));
    auto file = std::make_shared<sanctions::ListFile>();
    std::vector<std::string> fps;
    for (const auto& row : rows) {
      Json j;
      try {
        j = Json::parse(row.Text(0));
      } catch (const Json::exception&) {
        return Status::Internal("stored entity of edition " + r.Text(0) + " is unreadable");
      }
      CBRN_ASSIGN_OR_RETURN(sanctions::Entity e, sanctions::Entity::FromJson(j));
      file->entities.push_back(std::move(e));
      fps.push_back(row.Text(1));
    }
    sources.push_back({r.Text(1), file});
    fingerprints.push_back(std::move(fps));
    ids.push_back(r.Text(0));
  }
  state_->index = std::make_shared<const sanctions::Index>(std::move(sources));
  state_->edition_ids = std::move(ids);
  state_->fingerprints = std::move(fingerprints);
  state_->key = key;
  return state_->index;
}

// --- Screening --------------------------------------------------------------------------

Result<Json> Service::ScreenIn(storage::Transaction& txn, const Caller& caller, const sanctions::Index& index,
                               const ScreenRequest& request) {
  CBRN_RETURN_IF_ERROR(sanctions::Validate(request.party));
  if (request.threshold < 0 || request.threshold > 1) {
    return Status::Invalid("threshold", "must be between 0 and 1").Says("invalid.threshold");
  }
  // A licence's parties are screened in the licence's country, whoever triggers it.
  CBRN_ASSIGN_OR_RETURN(std::string scope, ScopeOf(caller, access::Action::kScreen));
  if (!request.licence_id.empty()) {
    CBRN_ASSIGN_OR_RETURN(Rows l, txn.Query("SELECT owner_scope FROM licences WHERE id = ?", {request.licence_id}));
    if (l.empty()) return Status::NotFound("no licence " + request.licence_id);
    scope = l[0].Text(0);
  }
  double threshold = request.threshold > 0 ? request.threshold : sanctions::DefaultThreshold();
  std::vector<sanctions::Candidate> candidates;
  {
    metrics::Timer matching(metrics::Get().screening_match);
    candidates = index.Screen(request.party, {threshold, 20});
  }
  metrics::Get().screenings.Add();
  if (!candidates.empty()) metrics::Get().screenings_with_hits.Add();
  std::string party_key = PartyKey(request.party);
  Json results = Json::array();
  std::int64_t open = 0;
  std::vector<std::string> fingerprints_copy;
  for (const auto& c : candidates) {
    const sanctions::Entity& e = index.entity(c);
    std::string list_code = index.sources()[c.list].list_code;
    std::string fp, edition;
    {
      std::lock_guard lock(state_->mu);
      if (c.list < state_->fingerprints.size() && c.entity < state_->fingerprints[c.list].size() &&
          state_->index.get() == &index) {
        fp = state_->fingerprints[c.list][c.entity];
        edition = state_->edition_ids[c.list];
      }
    }
    if (fp.empty()) fp = e.Fingerprint();
    Json r = {{"list", list_code},
              {"edition_id", edition},
              {"entity_id", e.entity_id},
              {"entity_kind", sanctions::EntityKindName(e.kind)},
              {"primary_name", e.names[0].text},
              {"matched_name", e.names[c.name].text},
              {"score", std::round(c.score * 1000) / 1000},
              {"name_score", std::round(c.name_score * 1000) / 1000},
              {"programmes", e.programmes},
              {"fingerprint", fp},
              {"explanation", c.explanation()}};
    CBRN_ASSIGN_OR_RETURN(Rows d, txn.Query("SELECT decision, reason, decided_at, decided_by, entity_fingerprint"
                                            " FROM screening_decisions WHERE owner_scope = ? AND party_key = ?"
                                            " AND list_code = ? AND entity_id = ? ORDER BY decided_at DESC LIMIT 1",
                                            {scope, party_key, list_code, e.entity_id}));
    bool decided = false;
    if (!d.empty()) {
      Json dec = {{"decision", d[0].Text(0)}, {"reason", d[0].Text(1)}, {"decided_at", d[0].Text(2)},
                  {"decided_by", d[0].Text(3)}};
      if (d[0].Text(4) == fp) {
        dec["remembered"] = true;
        r["decision"] = dec;
        decided = true;
      } else {
        dec["entry_changed_since"] = true;
        r["earlier_decision"] = dec;
      }
    }
    if (!decided) ++open;
    results.push_back(std::move(r));
  }
  Json editions = Json::array();
  for (const auto& s : index.sources()) editions.push_back(s.list_code);
  std::string id = NewUuid();
  std::string now = NowUtc();
  std::string actor = caller.who.audit_id();
  CBRN_RETURN_IF_ERROR(
      txn.Exec("INSERT INTO screenings (id, owner_scope, revision, created_at, created_by, updated_at,"
               " updated_by, sharing, party_key, party_id, party_name, party_json, editions, threshold,"
               " hit_count, open_count, results_json, source, licence_id)"
               " VALUES (?, ?, 1, ?, ?, ?, ?, 'private', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               {id, scope, now, actor, now, actor, party_key, request.party.id, request.party.name,
                PartyJson(request.party).dump(), editions.dump(), threshold,
                static_cast<std::int64_t>(results.size()), open, results.dump(), request.source,
                request.licence_id.empty() ? Param{} : Param{request.licence_id}})
          .status());
  // The audit entry names the hits, not their explanations (those are in the screening).
  Json summary = {{"party", PartyJson(request.party)}, {"source", request.source}, {"hits", Json::array()}};
  for (const auto& r : results) {
    summary["hits"].push_back({{"list", r["list"]}, {"entity_id", r["entity_id"]}, {"score", r["score"]}});
  }
  CBRN_RETURN_IF_ERROR(audit::Append(txn, caller.actor(), {"screen", "screenings", id, scope, std::nullopt, summary.dump()}));
  if (open > 0) {
    // Hits to decide: the country's licensing officers hear of them (access decides who).
    notify::Event event{notify::kScreeningHit,
                        "screenings",
                        id,
                        ScreeningRecordScope(scope),
                        access::Action::kDecide,
                        request.party.name,
                        "/screening/" + id,
                        caller.who.user_id};
    CBRN_RETURN_IF_ERROR(notify::Enqueue(txn, event).status());
  }
  CBRN_ASSIGN_OR_RETURN(Rows row, txn.Query(std::string("SELECT ") + kScreeningColumns + " FROM screenings WHERE id = ?", {id}));
  return ScreeningJson(row[0], true);
}

Result<Json> Service::Screen(const Caller& caller, const ScreenRequest& request) {
  CBRN_RETURN_IF_ERROR(May(caller, access::Action::kScreen));
  CBRN_ASSIGN_OR_RETURN(auto index, ActiveIndex());
  if (index->sources().empty()) {
    return Status::Unavailable("no sanctions list is loaded yet: import one first");
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json out, ScreenIn(*txn, caller, *index, request));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return out;
}

Result<Json> Service::ScreenBatch(const Caller& caller, const std::vector<sanctions::Party>& parties,
                                  double threshold) {
  CBRN_RETURN_IF_ERROR(May(caller, access::Action::kScreen));
  if (parties.empty()) return Status::Invalid("parties", "no parties to screen");
  if (parties.size() > 10000) return Status::Invalid("parties", "at most 10,000 parties per batch");
  for (size_t i = 0; i < parties.size(); ++i) {
    Status st = sanctions::Validate(parties[i]);
    if (!st.ok()) return Status::Invalid("parties[" + std::to_string(i) + "]." + st.field(), st.message());
  }
  CBRN_ASSIGN_OR_RETURN(auto index, ActiveIndex());
  if (index->sources().empty()) return Status::Unavailable("no sanctions list is loaded yet: import one first");
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  Json items = Json::array();
  std::int64_t hits = 0, open = 0;
  for (const auto& p : parties) {
    ScreenRequest r;
    r.party = p;
    r.threshold = threshold;
    r.source = "batch";
    CBRN_ASSIGN_OR_RETURN(Json s, ScreenIn(*txn, caller, *index, r));
    hits += s["hit_count"].get<std::int64_t>();
    open += s["open_count"].get<std::int64_t>();
    items.push_back(std::move(s));
  }
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return Json{{"parties", parties.size()}, {"hits", hits}, {"open", open}, {"items", items}};
}

Result<Json> Service::Rescreen(const Caller& caller) {
  CBRN_RETURN_IF_ERROR(May(caller, access::Action::kScreen));
  CBRN_ASSIGN_OR_RETURN(auto index, ActiveIndex());
  if (index->sources().empty()) return Status::Unavailable("no sanctions list is loaded yet: import one first");
  CBRN_ASSIGN_OR_RETURN(std::string scope, ScopeOf(caller, access::Action::kScreen));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  // The latest screening of each party (licence screenings are re-run with their licence).
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT party_json, party_key FROM screenings s WHERE owner_scope = ?"
                                              " AND licence_id IS NULL AND created_at = (SELECT max(created_at)"
                                              " FROM screenings t WHERE t.owner_scope = s.owner_scope AND"
                                              " t.party_key = s.party_key AND t.licence_id IS NULL)"
                                              " ORDER BY created_at",
                                              {scope}));
  std::set<std::string> done;
  std::int64_t parties = 0, hits = 0, open = 0;
  for (const auto& r : rows) {
    if (!done.insert(r.Text(1)).second) continue;
    ScreenRequest req;
    req.party = PartyFrom(Json::parse(r.Text(0)));
    req.source = "rescreen";
    CBRN_ASSIGN_OR_RETURN(Json s, ScreenIn(*txn, caller, *index, req));
    ++parties;
    hits += s["hit_count"].get<std::int64_t>();
    open += s["open_count"].get<std::int64_t>();
  }
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return Json{{"parties", parties}, {"hits", hits}, {"open", open}};
}

Result<access::RecordScope> ScreeningScope(storage::Transaction& txn, const std::string& /*kind*/,
                                           const std::string& id) {
  CBRN_ASSIGN_OR_RETURN(Rows rows,
                        txn.Query("SELECT owner_scope FROM screenings WHERE id = ?", {id}));
  if (rows.empty()) return Status::NotFound("no screening " + id);
  return ScreeningRecordScope(rows[0].Text(0));
}

Result<Json> Service::GetScreening(const Caller& caller, const std::string& id) {
  CBRN_RETURN_IF_ERROR(MayRead(caller));
  auto [where, params] = ScopeFilter(caller);
  params.push_back(id);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(std::string("SELECT ") + kScreeningColumns + " FROM screenings WHERE " +
                                                  where + " AND id = ?",
                                              params));
  if (rows.empty()) return Status::NotFound("no screening " + id);
  return ScreeningJson(rows[0], true);
}

Result<Json> Service::ListScreenings(const Caller& caller, const std::string& status, int limit, int offset) {
  CBRN_RETURN_IF_ERROR(MayRead(caller));
  if (limit < 1 || limit > 500 || offset < 0) return Status::Invalid("limit", "limit 1..500, offset >= 0");
  auto [where, params] = ScopeFilter(caller);
  if (status == "open") where += " AND open_count > 0";
  else if (status == "hits") where += " AND hit_count > 0";
  else if (status == "clear") where += " AND hit_count = 0";
  else if (!status.empty()) return Status::Invalid("status", "must be open, hits or clear");
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows total, txn->Query("SELECT count(*) FROM screenings WHERE " + where, params));
  params.push_back(static_cast<std::int64_t>(limit));
  params.push_back(static_cast<std::int64_t>(offset));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(std::string("SELECT ") + kScreeningColumns + " FROM screenings WHERE " +
                                                  where + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                                              params));
  Json items = Json::array();
  for (const auto& r : rows) items.push_back(ScreeningJson(r, false));
  return Json{{"items", items}, {"total", total[0].Int(0)}};
}

Result<Json> Service::Decide(const Caller& caller, const std::string& screening_id, const std::string& list_code,
                             const std::string& entity_id, const std::string& decision, const std::string& reason) {
  CBRN_RETURN_IF_ERROR(May(caller, access::Action::kDecide));
  if (decision != "true_match" && decision != "false_positive" && decision != "escalated") {
    return Status::Invalid("decision", "choose a decision: true_match, false_positive or escalated")
        .Says("screening.decision_required");
  }
  if (decision == "false_positive" && reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::Invalid("reason", "say why this is a false positive").Says("screening.reason_required");
  }
  if (reason.size() > 2000) {
    return Status::Invalid("reason", "longer than 2000 bytes")
        .Says("invalid.too_long_bytes", {{"field@screening.", "reason"}, {"#max", "2000"}});
  }
  auto [where, params] = ScopeFilter(caller);
  params.push_back(screening_id);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(std::string("SELECT ") + kScreeningColumns + ", party_key FROM screenings WHERE " +
                                                  where + " AND id = ?",
                                              params));
  if (rows.empty()) return Status::NotFound("no screening " + screening_id);
  Json before = ScreeningJson(rows[0], true);
  std::string scope = rows[0].Text(1);
  std::string party_key = rows[0].Text(17);
  Json results = before["results"];
  Json* hit = nullptr;
  for (auto& r : results) {
    if (r["list"] == list_code && r["entity_id"] == entity_id) hit = &r;
  }
  if (!hit) return Status::NotFound("screening " + screening_id + " has no hit " + list_code + "/" + entity_id);
  std::string now = NowUtc();
  std::string decision_id = NewUuid();
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO screening_decisions (id, owner_scope, party_key, list_code, entity_id,"
                                 " entity_fingerprint, decision, reason, screening_id, decided_at, decided_by)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 {decision_id, scope, party_key, list_code, entity_id,
                                  (*hit)["fingerprint"].get<std::string>(), decision, reason, screening_id, now,
                                  caller.who.audit_id()})
                           .status());
  (*hit)["decision"] = {{"decision", decision}, {"reason", reason}, {"decided_at", now}, {"decided_by", caller.who.audit_id()}};
  hit->erase("earlier_decision");
  std::int64_t open = 0;
  for (const auto& r : results) open += !r.contains("decision");
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE screenings SET results_json = ?, open_count = ?, revision = revision + 1,"
                                 " updated_at = ?, updated_by = ? WHERE id = ?",
                                 {results.dump(), open, now, caller.who.audit_id(), screening_id})
                           .status());
  Json change = {{"screening_id", screening_id}, {"list", list_code}, {"entity_id", entity_id},
                 {"decision", decision}, {"reason", reason}};
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"decide", "screening_decisions", decision_id, scope, std::nullopt, change.dump()}));
  // A licence's screening status follows the decisions on its parties' hits.
  if (before["licence_id"].is_string()) {
    std::string licence = before["licence_id"];
    CBRN_ASSIGN_OR_RETURN(Rows s, txn->Query("SELECT sum(open_count), sum(hit_count) FROM screenings s WHERE licence_id = ?"
                                             " AND created_at = (SELECT max(created_at) FROM screenings t WHERE"
                                             " t.licence_id = s.licence_id AND t.party_key = s.party_key)",
                                             {licence}));
    std::string status = ScreeningState(s[0].Int(0), s[0].Int(1));
    CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE licences SET screening_status = ? WHERE id = ?", {status, licence}).status());
  }
  CBRN_ASSIGN_OR_RETURN(Rows after, txn->Query(std::string("SELECT ") + kScreeningColumns + " FROM screenings WHERE id = ?",
                                               {screening_id}));
  Json out = ScreeningJson(after[0], true);
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return out;
}

// --- Control list -----------------------------------------------------------------------

namespace {
Json ControlJson(const storage::Row& r) {
  return {{"code", r.Text(0)}, {"category", r.Text(1)},   {"title", r.Text(2)},
          {"text", r.Text(3)}, {"parameters", r.Text(4)}, {"regime", r.Text(5)}};
}

// Case-folded for matching a query in any script (Écran, ÉCRAN and écran alike).
std::string FoldCase(const std::string& s) {
  std::string out;
  icu::UnicodeString::fromUTF8(s).foldCase().toUTF8String(out);
  return out;
}

bool ContainsAll(const std::string& haystack, const std::vector<std::string>& terms) {
  return std::all_of(terms.begin(), terms.end(),
                     [&](const std::string& t) { return haystack.find(t) != std::string::npos; });
}

std::string Joined(const std::string& code, const ControlTexts& t) {
  return code + " " + t.category + " " + t.title + " " + t.text + " " + t.parameters;
}

std::string AsciiLower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
}  // namespace

Result<Json> Service::ImportControlList(const Caller& caller, std::string_view csv, const std::string& source) {
  // The control list is the network's reference data, not one country's.
  if (access::DecideRoute(caller.who, access::Need::kAdmin) != access::Decision::kAllow) {
    return Denied("only administrators load the control list");
  }
  if (csv.size() > (16u << 20)) return TooLarge(source, 16);
  std::string utf8 = sanctions::ToUtf8(csv);
  CBRN_ASSIGN_OR_RETURN(CsvTable table, CsvTable::Parse(utf8, source, {"code", "category", "title", "text"}));
  if (table.size() == 0) {
    return Status::Invalid(source, "the control list has no entries").Says("sanctions.invalid.no_entries");
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_RETURN_IF_ERROR(txn->Exec("DELETE FROM control_items").status());
  std::set<std::string> seen;
  for (size_t i = 0; i < table.size(); ++i) {
    std::string where = source + " line " + std::to_string(table.line(i));
    auto refuse = [&](const std::string& column, const std::string& message, const std::string& key,
                      Status::MessageArgs args = {}) {
      return Placed(FilePlace::Line(source, table.line(i), column),
                    Status::Invalid(where + " field " + column, message).Says(key, std::move(args)));
    };
    std::string code = table.Get(i, "code");
    if (code.empty() || code.size() > 20 ||
        !std::all_of(code.begin(), code.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.'; })) {
      return refuse("code", "'" + code.substr(0, 30) + "' is not a control code such as 1C350", "exportctl.invalid.control_code",
                    {{"value", code.substr(0, 30)}});
    }
    if (!seen.insert(code).second) return refuse("code", code + " appears twice", "sanctions.invalid.id_twice", {{"id", code}});
    for (const char* f : {"category", "title", "text"}) {
      if (table.Get(i, f).empty()) return refuse(f, "is empty", "sanctions.invalid.empty");
    }
    std::string search =
        AsciiLower(Joined(code, {table.Get(i, "category"), table.Get(i, "title"),
                                 table.Get(i, "text"), table.Get(i, "parameters")}));
    CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO control_items (code, category, title, text, parameters, regime, search_text)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   {code, table.Get(i, "category"), table.Get(i, "title"), table.Get(i, "text"),
                                    table.Get(i, "parameters"), table.Get(i, "regime"), search})
                             .status());
  }
  Json summary = {{"source", source}, {"entries", table.size()}};
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(), {"import", "control_items", "control-list", "network", std::nullopt, summary.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return summary;
}

const ControlTranslations* Service::ShippedTranslation(const std::string& lang) {
  std::call_once(state_->translations_loaded, [this] {
    auto english = assets::Find("data/exportctl/control_list.csv");
    if (!english) return;
    // control_list.<lang>.csv beside the English control_list.csv.
    constexpr std::string_view kPrefix = "data/exportctl/control_list.";
    for (std::string_view path : assets::List(kPrefix)) {
      std::string_view rest = path.substr(kPrefix.size());
      if (rest.size() != 6 || rest.substr(2) != ".csv") continue;
      auto parsed = ParseControlTranslation(*english, *assets::Find(path), std::string(path));
      // tests/exportctl_test.cc checks the shipped files; a broken one leaves its language English.
      if (!parsed.ok()) {
        spdlog::error("control list translation not used: {}", parsed.status().ToString());
        continue;
      }
      state_->translations[std::string(rest.substr(0, 2))] = std::move(parsed).value();
    }
  });
  auto it = state_->translations.find(lang);
  return it == state_->translations.end() ? nullptr : &it->second;
}

void Service::LocalizeControlEntry(Json& item, const std::string& lang) {
  item["lang"] = "en";
  const ControlTranslations* translations = lang == "en" ? nullptr : ShippedTranslation(lang);
  if (!translations) return;
  auto it = translations->find(item.value("code", ""));
  if (it == translations->end()) return;
  // An administrator's own list may word an entry differently: a translation of other words
  // would mislead, so it is shown only over the English it translates.
  ControlTexts stored{item.value("category", ""), item.value("title", ""), item.value("text", ""),
                      item.value("parameters", "")};
  if (!(stored == it->second.english)) return;
  const ControlTexts& t = it->second.translated;
  item["category"] = t.category;
  item["title"] = t.title;
  item["text"] = t.text;
  item["parameters"] = t.parameters;
  item["lang"] = lang;
}

Result<Json> Service::SearchControlList(const Caller& caller, const std::string& query, int limit,
                                        const std::string& lang) {
  CBRN_RETURN_IF_ERROR(MayRead(caller));
  if (limit < 1 || limit > 200) return Status::Invalid("limit", "must be 1..200");
  if (query.size() > 200) return Status::Invalid("q", "longer than 200 bytes");
  std::vector<std::string> terms;
  for (size_t i = 0; i < query.size() && terms.size() < 8;) {
    while (i < query.size() && query[i] == ' ') ++i;
    size_t j = query.find(' ', i);
    if (j == std::string::npos) j = query.size();
    if (j > i) terms.push_back(query.substr(i, j - i));
    i = j;
  }
  std::string english = "1=1";
  storage::Params params;
  std::vector<std::string> lowered_terms;
  for (const auto& term : terms) {
    lowered_terms.push_back(AsciiLower(term));
    english += " AND search_text LIKE ? ESCAPE '\\'";
    params.push_back(ContainsPattern(lowered_terms.back()));
  }
  // Entries whose description in the user's language holds every term: a French query finds
  // French words.
  std::set<std::string> translated_matches;
  const ControlTranslations* translations = lang == "en" ? nullptr : ShippedTranslation(lang);
  if (translations && !terms.empty()) {
    std::vector<std::string> folded_terms;
    for (const auto& term : terms) folded_terms.push_back(FoldCase(term));
    for (const auto& [code, entry] : *translations) {
      if (ContainsAll(FoldCase(Joined(code, entry.translated)), folded_terms))
        translated_matches.insert(code);
    }
  }
  std::string sql =
      "SELECT code, category, title, text, parameters, regime FROM control_items WHERE (" +
      english + ")";
  if (!translated_matches.empty()) {
    std::string placeholders;
    for (const auto& code : translated_matches) {
      placeholders += placeholders.empty() ? "?" : ", ?";
      params.push_back(code);
    }
    sql += " OR code IN (" + placeholders + ")";
  }
  // Codes first when the query is (the start of) a code, then by code.
  std::string upper = query;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  sql += " ORDER BY CASE WHEN code = ? THEN 0 WHEN code LIKE ? THEN 1 ELSE 2 END, code LIMIT ?";
  params.push_back(upper);
  params.push_back(upper + "%");
  params.push_back(static_cast<std::int64_t>(limit));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(sql, params));
  Json items = Json::array();
  for (const auto& r : rows) {
    Json item = ControlJson(r);
    LocalizeControlEntry(item, lang);
    // Found through a translation that does not cover this entry's own wording: not a match.
    if (item["lang"].get<std::string>() != lang && translated_matches.count(r.Text(0)) &&
        !ContainsAll(AsciiLower(Joined(r.Text(0), {r.Text(1), r.Text(2), r.Text(3), r.Text(4)})),
                     lowered_terms)) {
      continue;
    }
    items.push_back(std::move(item));
  }
  return Json{{"items", items}, {"total", items.size()}};
}

Result<Json> Service::ControlItem(const Caller& caller, const std::string& code,
                                  const std::string& lang) {
  CBRN_RETURN_IF_ERROR(MayRead(caller));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT code, category, title, text, parameters, regime FROM control_items"
                                              " WHERE code = ?",
                                              {code}));
  if (rows.empty()) return Status::NotFound("no control-list entry " + code);
  Json item = ControlJson(rows[0]);
  LocalizeControlEntry(item, lang);
  return item;
}

Result<int> Service::SeedControlList(const Caller& caller) {
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT count(*) FROM control_items"));
    if (rows[0].Int(0) > 0) return 0;
  }
  auto csv = assets::Find("data/exportctl/control_list.csv");
  if (!csv) return Status::Internal("the sample control list is not compiled in");
  CBRN_ASSIGN_OR_RETURN(Json summary, ImportControlList(caller, *csv, "control_list.csv"));
  return summary["entries"].get<int>();
}

}  // namespace cbrnhub::exportctl
