// Round tables and their follow-ups, lessons search, the calendar and the brief.
#include <unicode/uchar.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "audit/audit.h"
#include "core/csv.h"
#include "core/ids.h"
#include "core/problem.h"
#include "core/upload.h"
#include "meetings/meetings.h"
#include "meetings/util.h"
#include "notify/notify.h"

namespace cbrnhub::meetings {
namespace {

using storage::Access;
using storage::Params;
using storage::Rows;
using storage::Transaction;

const records::KindSpec& KindOf(records::Store& store, const char* name) {
  return *store.catalog().Find(name);
}

bool IsDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  int m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

// The words of a search, lower-cased, each a run of letters and digits in any script.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(word);
    word.clear();
  };
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > text.size()) {  // not UTF-8: a separator
      flush();
      ++i;
      continue;
    }
    UChar32 cp = len == 1 ? c : c & (0x7f >> len);
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      ok = ok && (cc >> 6) == 2;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (ok && u_isalnum(cp)) {
      UChar32 lower = u_tolower(cp);
      char buf[4];
      int n = 0;
      if (lower < 0x80)
        buf[n++] = static_cast<char>(lower);
      else if (lower < 0x800)
        buf[n++] = static_cast<char>(0xc0 | (lower >> 6)),
        buf[n++] = static_cast<char>(0x80 | (lower & 0x3f));
      else if (lower < 0x10000)
        buf[n++] = static_cast<char>(0xe0 | (lower >> 12)),
        buf[n++] = static_cast<char>(0x80 | ((lower >> 6) & 0x3f)),
        buf[n++] = static_cast<char>(0x80 | (lower & 0x3f));
      else
        buf[n++] = static_cast<char>(0xf0 | (lower >> 18)),
        buf[n++] = static_cast<char>(0x80 | ((lower >> 12) & 0x3f)),
        buf[n++] = static_cast<char>(0x80 | ((lower >> 6) & 0x3f)),
        buf[n++] = static_cast<char>(0x80 | (lower & 0x3f));
      word.append(buf, static_cast<size_t>(n));
    } else {
      flush();
    }
    i += static_cast<size_t>(len);
  }
  flush();
  if (words.size() > 16) words.resize(16);  // a search, not a document
  return words;
}

// The member countries of a region, by name: NotFound for an unknown region.
Result<Rows> Members(Transaction& txn, const std::string& region) {
  CBRN_ASSIGN_OR_RETURN(
      Rows exists,
      txn.Query("SELECT code FROM regions WHERE code = ? AND deleted_at IS NULL", {region}));
  if (exists.empty()) return Status::NotFound("no region " + region);
  return txn.Query(
      "SELECT c.iso2, c.name FROM memberships m JOIN regions r ON r.id = m.region_id"
      " JOIN countries c ON c.id = m.country_id WHERE r.code = ? AND m.deleted_at IS NULL"
      " AND c.deleted_at IS NULL ORDER BY c.name",
      {region});
}

// "owner_scope IN (?, ...)" over the region and its member countries.
std::string OwnedByRegion(const std::string& region, const Rows& members, Params& params) {
  std::string in = "?";
  params.emplace_back("region:" + region);
  for (const auto& m : members) {
    in += ", ?";
    params.emplace_back("country:" + m.Text(0));
  }
  return "owner_scope IN (" + in + ")";
}

void AddFilter(const access::SqlFilter& f, std::string& sql, Params& params) {
  sql += " AND (" + f.sql + ")";
  for (const auto& p : f.params) params.emplace_back(p);
}

// Activities of the given owners (the SQL condition and its parameters), as the caller may
// read them, overlapping [from, to].
Result<std::vector<Event>> ActivityEvents(Transaction& txn, const Caller& caller,
                                          const std::string& owned_by, const Params& owner_params,
                                          const std::string& from, const std::string& to) {
  std::string sql =
      "SELECT id, type, title, start_date, end_date, city, place_country, status, updated_at"
      " FROM activities WHERE deleted_at IS NULL AND (" +
      owned_by + ")";
  Params params = owner_params;
  AddFilter(access::VisibilityFilter(caller.who, "sharing", "countries"), sql, params);
  if (!from.empty()) sql += " AND end_date >= ?", params.emplace_back(from);
  if (!to.empty()) sql += " AND start_date <= ?", params.emplace_back(to);
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn.Query(sql + " ORDER BY start_date, title", params));
  std::vector<Event> out;
  for (const auto& r : rows) {
    std::string city = r.OptionalText(5).value_or(""), country = r.OptionalText(6).value_or("");
    std::string place = city.empty() ? country : country.empty() ? city : city + ", " + country;
    out.push_back({r.Text(0), "activity", r.Text(1), r.Text(2), r.Text(3), r.Text(4), place,
                   r.OptionalText(7).value_or("planned"), r.Text(8)});
  }
  return out;
}

Result<std::vector<Event>> RoundTableEvents(Transaction& txn, const Caller& caller,
                                            const std::vector<std::string>& regions,
                                            const std::string& from, const std::string& to) {
  std::vector<Event> out;
  if (regions.empty()) return out;
  std::string in;
  Params params;
  for (const auto& r : regions) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(r);
  }
  std::string sql =
      "SELECT id, title, meeting_date, city, status, updated_at FROM round_tables"
      " WHERE deleted_at IS NULL AND region IN (" +
      in + ")";
  AddFilter(access::VisibilityFilter(caller.who), sql, params);
  if (!from.empty()) sql += " AND meeting_date >= ?", params.emplace_back(from);
  if (!to.empty()) sql += " AND meeting_date <= ?", params.emplace_back(to);
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn.Query(sql + " ORDER BY meeting_date", params));
  for (const auto& r : rows) {
    out.push_back({r.Text(0), "round_table", "round_table", r.Text(1), r.Text(2), r.Text(2),
                   r.OptionalText(3).value_or(""), r.OptionalText(4).value_or("planned"),
                   r.Text(5)});
  }
  return out;
}

Json EventJson(const Event& e) {
  return {{"id", e.uid},      {"kind", e.kind}, {"type", e.type},   {"title", e.title},
          {"start", e.start}, {"end", e.end},   {"place", e.place}, {"status", e.status}};
}

// The open follow-ups of the region's round tables the caller may read, held before `before`
// (exclusive; "" = any), oldest due first, each with its meeting.
Result<Json> OpenFollowUps(records::Store& store, Transaction& txn, const Caller& caller,
                           const std::string& region, const std::string& before) {
  records::ListQuery q;
  q.filters["region"] = region;
  q.limit = 500;  // the records' largest page: a region holds a few round tables a year
  CBRN_ASSIGN_OR_RETURN(records::Page tables,
                        store.ListIn(txn, caller, KindOf(store, kRoundTables), q));
  std::map<std::string, const Json*> by_id;
  std::vector<std::string> ids;
  for (const auto& t : tables.items) {
    if (!before.empty() && Text(t, "meeting_date") >= before) continue;
    ids.push_back(Text(t, "id"));
    by_id[Text(t, "id")] = &t;
  }
  Json out = Json::array();
  if (ids.empty()) return out;
  CBRN_ASSIGN_OR_RETURN(std::vector<Json> items,
                        store.ListChildrenIn(txn, caller, KindOf(store, kFollowUps), ids));
  for (auto& f : items) {
    if (Text(f, "status") != "open") continue;
    const Json& t = *by_id[Text(f, "round_table_id")];
    f["meeting"] = {{"id", t["id"]}, {"title", t["title"]}, {"date", t["meeting_date"]}};
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

Service::Service(records::Store& store, assessment::Service& assessments, plans::Service& plans)
    : store_(store), assessments_(assessments), plans_(plans) {}

Result<Json> Service::AddDocument(const Caller& caller, const std::string& activity_id,
                                  const std::string& filename, const std::string& data) {
  std::string type;
  if (std::string problem = UploadProblem(filename, data, &type); !problem.empty()) return Status::Invalid("file", problem);
  const records::KindSpec& kind = KindOf(store_, kActivities);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json activity, store_.GetIn(*txn, caller, kind, activity_id));
  CBRN_RETURN_IF_ERROR(
      access::Require(caller.who, access::Action::kChange, kind.ScopeOf(activity)));
  std::string b64 = Base64Encode(data);
  std::string id = NewUuid(), now = NowUtc(), sha = Sha256Hex(data);
  CBRN_RETURN_IF_ERROR(
      txn->Exec("INSERT INTO activity_documents (id, activity_id, filename, content_type, size, "
                "sha256,"
                " content_base64, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {id, Text(activity, "id"), filename, type, static_cast<std::int64_t>(data.size()),
                 sha, b64, now, caller.who.audit_id()})
          .status());
  Json meta = {{"id", id},
               {"activity_id", activity["id"]},
               {"filename", filename},
               {"content_type", type},
               {"size", data.size()},
               {"sha256", sha},
               {"created_at", now},
               {"created_by", caller.who.audit_id()}};
  CBRN_RETURN_IF_ERROR(audit::Append(
      *txn, caller.actor(),
      {"attach", "activity_documents", id, activity["owner"], std::nullopt, meta.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return meta;
}

Result<Json> Service::Documents(const Caller& caller, const std::string& activity_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json activity,
                        store_.GetIn(*txn, caller, KindOf(store_, kActivities), activity_id));
  CBRN_ASSIGN_OR_RETURN(
      Rows rows,
      txn->Query("SELECT id, filename, content_type, size, sha256, created_at, created_by"
                 " FROM activity_documents WHERE activity_id = ? AND deleted_at IS NULL"
                 " ORDER BY created_at, id",
                 {Text(activity, "id")}));
  Json out = Json::array();
  for (const auto& r : rows) {
    out.push_back({{"id", r.Text(0)},
                   {"filename", r.Text(1)},
                   {"content_type", r.Text(2)},
                   {"size", r.Int(3)},
                   {"sha256", r.Text(4)},
                   {"created_at", r.Text(5)},
                   {"created_by", r.Text(6)}});
  }
  return out;
}

Result<std::pair<Json, std::string>> Service::Document(const Caller& caller,
                                                       const std::string& document_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(
      Rows rows,
      txn->Query("SELECT activity_id, filename, content_type, size, sha256, content_base64"
                 " FROM activity_documents WHERE id = ? AND deleted_at IS NULL",
                 {document_id}));
  if (rows.empty()) return Status::NotFound("no document " + document_id);
  // Readable when its activity is; otherwise the same answer as for no document.
  if (!store_.GetIn(*txn, caller, KindOf(store_, kActivities), rows[0].Text(0)).ok()) {
    return Status::NotFound("no document " + document_id);
  }
  std::string bin;
  if (!Base64Decode(rows[0].Text(5), &bin))
    return Status::Internal("stored document " + document_id + " is unreadable");
  if (Sha256Hex(bin) != rows[0].Text(4))
    return Status::Internal("stored document " + document_id + " fails its checksum");
  return std::make_pair(Json{{"filename", rows[0].Text(1)},
                             {"content_type", rows[0].Text(2)},
                             {"size", rows[0].Int(3)},
                             {"sha256", rows[0].Text(4)}},
                        bin);
}

Result<Json> Service::ImportPlaces(const Caller& caller, const std::string& activity_id,
                                   const std::string& csv_text, const std::string& source) {
  // The file's columns and the fields they fill; errors name the file's column.
  static const std::vector<std::pair<std::string, std::string>> kColumns = {
      {"name", "name"}, {"kind", "place_kind"}, {"lat", "latitude"}, {"lon", "longitude"}};
  // More places than any exercise lists; the limit keeps one upload from growing without bound.
  constexpr size_t kMaxPlaces = 5000;
  std::vector<std::string> required;
  for (const auto& [column, field] : kColumns) required.push_back(column);
  auto table = CsvTable::Parse(csv_text, source, required);
  if (!table.ok()) return InField("file", table.status());
  if (table->size() == 0) {
    return Status::Invalid("file", source + ": no places (only a header)").Says("invalid.places_none", {{"file", source}});
  }
  if (table->size() > kMaxPlaces) {
    return Status::Invalid("file", source + ": more than " + std::to_string(kMaxPlaces) + " places in one file")
        .Says("invalid.places_too_many", {{"file", source}, {"#max", std::to_string(kMaxPlaces)}});
  }
  const records::KindSpec& activities = KindOf(store_, kActivities);
  const records::KindSpec& places = KindOf(store_, kPlaces);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json activity, store_.GetIn(*txn, caller, activities, activity_id));
  CBRN_RETURN_IF_ERROR(
      access::Require(caller.who, access::Action::kChange, activities.ScopeOf(activity)));
  Json made = Json::array();
  for (size_t row = 0; row < table->size(); ++row) {
    Json body = {{"activity_id", activity["id"]}};
    for (const auto& [column, field] : kColumns) body[field] = table->Get(row, column);
    auto place = store_.CreateIn(*txn, caller, places, body);
    if (!place.ok() && place.status().code() != StatusCode::kInvalidArgument) return place.status();
    if (!place.ok()) {
      // Name the file's column rather than the stored field; the transaction is dropped.
      std::string column = place.status().field();
      for (const auto& [c, f] : kColumns)
        if (f == column) column = c;
      return InField(column, At(FilePlace::Line(source, table->line(row), column), place.status()));
    }
    made.push_back(*place);
  }
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return Json{{"created", made.size()}, {"places", made}};
}

Result<Json> Service::RoundTable(const Caller& caller, const std::string& id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json table, store_.GetIn(*txn, caller, KindOf(store_, kRoundTables), id));
  std::vector<std::string> ids = {Text(table, "id")};
  CBRN_ASSIGN_OR_RETURN(auto agenda,
                        store_.ListChildrenIn(*txn, caller, KindOf(store_, kAgendaItems), ids));
  CBRN_ASSIGN_OR_RETURN(auto follow_ups,
                        store_.ListChildrenIn(*txn, caller, KindOf(store_, kFollowUps), ids));
  CBRN_ASSIGN_OR_RETURN(
      Json carried, OpenFollowUps(store_, *txn, caller, table["region"], table["meeting_date"]));
  return Json{
      {"round_table", table}, {"agenda", agenda}, {"follow_ups", follow_ups}, {"carried", carried}};
}

Result<Json> Service::CloseFollowUp(const Caller& caller, const std::string& id,
                                    const std::string& note) {
  if (note.size() > 2000) return Status::Invalid("note", "note: longer than 2000 bytes");
  if (records::Utf8Length(note) < 0) return Status::Invalid("note", "note: not valid UTF-8");
  const records::KindSpec& kind = KindOf(store_, kFollowUps);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json before, store_.GetIn(*txn, caller, kind, id));
  CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kChange, kind.ScopeOf(before)));
  if (Text(before, "status") != "open") return Status::Conflict("the follow-up is closed already").Says("conflict.follow_up_closed");
  std::string now = NowUtc();
  CBRN_RETURN_IF_ERROR(
      txn->Exec("UPDATE follow_ups SET status = 'closed', closed_on = ?, closing_note = ?,"
                " revision = revision + 1, updated_at = ?, updated_by = ? WHERE id = ?",
                {now.substr(0, 10), note, now, caller.who.audit_id(), Text(before, "id")})
          .status());
  CBRN_ASSIGN_OR_RETURN(Json after, store_.GetIn(*txn, caller, kind, Text(before, "id")));
  CBRN_RETURN_IF_ERROR(audit::Append(
      *txn, caller.actor(),
      {"close", kFollowUps, after["id"], after["owner"], before.dump(), after.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return after;
}

Result<Json> Service::SearchLessons(const Caller& caller, const LessonQuery& query) {
  if (query.limit < 1 || query.limit > 500)
    return Status::Invalid("limit", "limit must be between 1 and 500");
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  // With words, the best matches come first: SQLite's bm25 over the FTS5 index, PostgreSQL's
  // ts_rank over the same text expression as its index (migration 10); newest first otherwise.
  std::vector<std::string> words = Words(query.text);
  bool pg = store_.database().backend() == storage::Backend::kPostgres;
  std::string match;
  for (const auto& w : words)
    match += pg ? (match.empty() ? "" : " & ") + w + ":*" : (match.empty() ? "\"" : " \"") + w + "\"*";
  const std::string text_expr =
      "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(what_happened, '') || ' ' ||"
      " coalesce(to_keep, '') || ' ' || coalesce(to_change, ''))";
  std::string sql = "SELECT id FROM lessons", order = " ORDER BY created_at DESC, id";
  Params params;
  if (!words.empty() && !pg) {
    sql += " JOIN (SELECT id AS fts_id, bm25(lessons_fts) AS fts_score FROM lessons_fts WHERE lessons_fts MATCH ?) f"
           " ON f.fts_id = lessons.id";
    params.emplace_back(match);
    order = " ORDER BY fts_score, created_at DESC, id";
  }
  sql += " WHERE deleted_at IS NULL";
  AddFilter(access::VisibilityFilter(caller.who), sql, params);
  if (!query.region.empty()) {
    CBRN_ASSIGN_OR_RETURN(Rows members, Members(*txn, query.region));
    sql += " AND " + OwnedByRegion(query.region, members, params);
  }
  for (auto [column, value] :
       {std::pair{"theme", &query.theme}, std::pair{"activity_type", &query.activity_type},
        std::pair{"country", &query.country}}) {
    if (value->empty()) continue;
    sql += std::string(" AND ") + column + " = ?";
    params.emplace_back(*value);
  }
  if (!words.empty() && pg) {
    sql += " AND " + text_expr + " @@ to_tsquery('simple', ?)";
    params.emplace_back(match);
    order = " ORDER BY ts_rank(" + text_expr + ", to_tsquery('simple', ?)) DESC, created_at DESC, id";
    params.emplace_back(match);
  }
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query(sql + order, params));
  Json items = Json::array();
  const records::KindSpec& kind = KindOf(store_, kLessons);
  for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(query.limit); ++i) {
    CBRN_ASSIGN_OR_RETURN(Json lesson, store_.GetIn(*txn, caller, kind, rows[i].Text(0)));
    items.push_back(std::move(lesson));
  }
  return Json{{"items", items}, {"total", rows.size()}, {"words", words}};
}

Result<Json> Service::LessonFromEvaluation(const Caller& caller, const std::string& evaluation_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json ev,
                        store_.GetIn(*txn, caller, KindOf(store_, kEvaluations), evaluation_id));
  if (Text(ev, "observations").empty()) {
    return Status::Invalid("observations", "the evaluation has no observation to learn from");
  }
  CBRN_ASSIGN_OR_RETURN(Json activity, store_.GetIn(*txn, caller, KindOf(store_, kActivities),
                                                    Text(ev, "activity_id")));
  Json body = {{"title", Text(ev, "objective")},
               {"what_happened", Text(ev, "observations")},
               {"activity_type", Text(activity, "type")},
               {"activity_id", activity["id"]},
               {"evaluation_id", ev["id"]}};
  if (!Text(activity, "country").empty())
    body["country"] = activity["country"];
  else
    body["region"] = activity["region"];
  CBRN_ASSIGN_OR_RETURN(Json lesson, store_.CreateIn(*txn, caller, KindOf(store_, kLessons), body));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return lesson;
}

Result<std::vector<Event>> Service::Calendar(const Caller& caller, const std::string& region,
                                             const std::string& country, const std::string& from,
                                             const std::string& to) {
  for (const auto& [name, d] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (!d->empty() && !IsDate(*d))
      return Status::Invalid(name, std::string(name) + ": \"" + *d + "\" is not a date (YYYY-MM-DD)")
          .Says("invalid.date", {{"field", std::string(name) == "from" ? "start_date" : "end_date"}});
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  std::string owned_by;
  Params params;
  std::vector<std::string> regions;
  if (!region.empty()) {
    CBRN_ASSIGN_OR_RETURN(Rows members, Members(*txn, region));
    owned_by = OwnedByRegion(region, members, params);
    regions.push_back(region);
  } else {
    CBRN_ASSIGN_OR_RETURN(
        Rows c,
        txn->Query("SELECT iso2 FROM countries WHERE iso2 = ? AND deleted_at IS NULL", {country}));
    if (c.empty()) return Status::NotFound("no country " + country);
    // Its own activities and those it takes part in.
    owned_by =
        "owner_scope = ? OR (',' || replace(coalesce(countries, ''), ' ', '') || ',') LIKE ?";
    params = {"country:" + country, "%," + country + ",%"};
    CBRN_ASSIGN_OR_RETURN(
        Rows rs, txn->Query("SELECT r.code FROM memberships m JOIN regions r ON r.id = m.region_id"
                            " JOIN countries c ON c.id = m.country_id WHERE c.iso2 = ?"
                            " AND m.deleted_at IS NULL",
                            {country}));
    for (const auto& r : rs) regions.push_back(r.Text(0));
  }
  CBRN_ASSIGN_OR_RETURN(std::vector<Event> events,
                        ActivityEvents(*txn, caller, owned_by, params, from, to));
  CBRN_ASSIGN_OR_RETURN(std::vector<Event> tables,
                        RoundTableEvents(*txn, caller, regions, from, to));
  events.insert(events.end(), tables.begin(), tables.end());
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.start < b.start; });
  return events;
}

Result<Json> Service::Brief(const Caller& caller, const std::string& region,
                            const std::string& date, const std::string& lang) {
  if (!IsDate(date))
    return Status::Invalid("date", "date: \"" + date + "\" is not a date (YYYY-MM-DD)")
        .Says("invalid.date", {{"field", "date"}});
  // Whose brief it is: the region's people, its countries' people, programme staff (what a
  // region record shared with the network reaches). Anyone else: as if there were no region.
  access::RecordScope whose;
  whose.owner_scope = "region:" + region;
  whose.sharing = access::Sharing::kNetwork;
  if (!access::CanRead(caller.who, whose)) {
    return Status::NotFound("no region " + region);
  }
  Json brief = {{"region", region}, {"date", date}, {"lang", lang}};
  Json countries = Json::array();
  std::string since;
  std::vector<std::string> codes;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(
        Rows name,
        txn->Query("SELECT name FROM regions WHERE code = ? AND deleted_at IS NULL", {region}));
    CBRN_ASSIGN_OR_RETURN(Rows members, Members(*txn, region));
    brief["region_name"] = name[0].Text(0);
    // Focal points: people of each member country with a focal point's role, as readable.
    for (const auto& m : members) {
      codes.push_back(m.Text(0));
      std::string sql =
          "SELECT p.full_name, p.network_role, p.position, p.email FROM people p"
          " JOIN countries c ON c.id = p.country_id WHERE c.iso2 = ? AND p.deleted_at IS NULL"
          " AND p.network_role IN ('nfp', 'deputy_nfp')";
      Params params = {m.Text(0)};
      access::SqlFilter f = access::VisibilityFilter(caller.who);
      sql += " AND p.id IN (SELECT id FROM people WHERE " + f.sql + ")";
      for (const auto& p : f.params) params.emplace_back(p);
      CBRN_ASSIGN_OR_RETURN(Rows people,
                            txn->Query(sql + " ORDER BY p.network_role, p.full_name", params));
      Json fps = Json::array();
      for (const auto& p : people) {
        fps.push_back({{"name", p.Text(0)},
                       {"role", p.Text(1)},
                       {"position", p.OptionalText(2).value_or("")},
                       {"email", p.OptionalText(3).value_or("")}});
      }
      countries.push_back({{"country", m.Text(0)}, {"name", m.Text(1)}, {"focal_points", fps}});
    }
    // The round table on the date, and the one before it: "since the last round table".
    records::ListQuery q;
    q.filters["region"] = region;
    q.limit = 500;  // the records' largest page: a region holds a few round tables a year
    CBRN_ASSIGN_OR_RETURN(records::Page tables,
                          store_.ListIn(*txn, caller, KindOf(store_, kRoundTables), q));
    brief["round_table"] = nullptr;
    brief["previous_round_table"] = nullptr;
    for (const auto& t : tables.items) {  // newest first
      std::string d = Text(t, "meeting_date");
      if (d == date && brief["round_table"].is_null()) brief["round_table"] = t;
      if (d < date && brief["previous_round_table"].is_null()) brief["previous_round_table"] = t;
    }
    if (!brief["previous_round_table"].is_null())
      since = Text(brief["previous_round_table"], "meeting_date");
    brief["since"] = since;
    CBRN_ASSIGN_OR_RETURN(Json open, OpenFollowUps(store_, *txn, caller, region, date));
    if (!brief["round_table"].is_null()) {
      // The meeting's own follow-ups too, when it is being held.
      CBRN_ASSIGN_OR_RETURN(auto own,
                            store_.ListChildrenIn(*txn, caller, KindOf(store_, kFollowUps),
                                                  {Text(brief["round_table"], "id")}));
      for (auto& f : own) {
        if (Text(f, "status") != "open") continue;
        f["meeting"] = {{"id", brief["round_table"]["id"]},
                        {"title", brief["round_table"]["title"]},
                        {"date", date}};
        open.push_back(std::move(f));
      }
    }
    brief["follow_ups"] = open;
    // Activities since the last round table (or the past year) and the coming year's.
    Params params;
    std::string owned_by = OwnedByRegion(region, members, params);
    std::string from =
        since.empty() ? std::to_string(std::stoi(date.substr(0, 4)) - 1) + date.substr(4) : since;
    std::string until = std::to_string(std::stoi(date.substr(0, 4)) + 1) + date.substr(4);
    CBRN_ASSIGN_OR_RETURN(auto events, ActivityEvents(*txn, caller, owned_by, params, from, until));
    Json past = Json::array(), coming = Json::array();
    for (const auto& e : events) (e.start <= date ? past : coming).push_back(EventJson(e));
    brief["activities_since"] = past;
    brief["activities_coming"] = coming;
    brief["activities_from"] = from;
    // The hazard scenarios of the brief's exercises, with the places each exercise lists.
    std::vector<std::string> exercise_ids;
    std::map<std::string, const Event*> exercise_of;
    for (const auto& e : events) {
      if (e.kind != "activity" || !IsExercise(e.type)) continue;
      exercise_ids.push_back(e.uid);
      exercise_of[e.uid] = &e;
    }
    Json scenarios = Json::array();
    if (!exercise_ids.empty()) {
      CBRN_ASSIGN_OR_RETURN(
          auto found,
          store_.ListChildrenIn(*txn, caller, KindOf(store_, kHazardScenarios), exercise_ids));
      CBRN_ASSIGN_OR_RETURN(
          auto places, store_.ListChildrenIn(*txn, caller, KindOf(store_, kPlaces), exercise_ids));
      for (auto& sc : found) {
        const Event& e = *exercise_of[Text(sc, "activity_id")];
        Json listed = Json::array();
        for (const auto& p : places)
          if (Text(p, "activity_id") == e.uid) listed.push_back(p);
        scenarios.push_back({{"id", sc["id"]},
                             {"title", sc["title"]},
                             {"release_json", sc["release_json"]},
                             {"activity", EventJson(e)},
                             {"places", listed}});
      }
    }
    brief["hazard_scenarios"] = scenarios;
  }
  // Lessons learnt since the last meeting (or the past year).
  LessonQuery lq;
  lq.region = region;
  lq.limit = 500;
  CBRN_ASSIGN_OR_RETURN(Json lessons, SearchLessons(caller, lq));
  Json recent = Json::array();
  for (const auto& l : lessons["items"]) {
    if (Text(l, "created_at").substr(0, 10) >= Text(brief, "activities_from")) recent.push_back(l);
  }
  brief["lessons"] = recent;
  // Assessments: the region's heat map (shared ones only), each with its change since the
  // country's previous assessment.
  CBRN_ASSIGN_OR_RETURN(Json heat, assessments_.RegionView(caller, region, lang));
  Json rows = Json::array();
  for (auto row : heat["rows"]) {
    auto results = assessments_.Results(caller, row["assessment_id"], lang);
    if (results.ok()) {
      const Json& r = *results;
      if (r.contains("previous") && r["previous"].is_object())
        row["change"] = r["previous"]["change"];
      if (r.contains("assessment")) row["date"] = Text(r["assessment"], "updated_at").substr(0, 10);
    }
    rows.push_back(row);
  }
  brief["assessments"] = rows;
  brief["functions"] = heat.contains("functions") ? heat["functions"] : Json::array();
  brief["labels"] = heat.contains("labels") ? heat["labels"] : Json::object();
  CBRN_ASSIGN_OR_RETURN(Json overview, plans_.RegionOverview(caller, region, date));
  brief["plans"] = overview["countries"];
  brief["regional_plans"] = overview["regional_plans"];
  plans::Service::PortfolioFilter pf;
  pf.region = region;
  CBRN_ASSIGN_OR_RETURN(Json portfolio, plans_.Portfolio(caller, pf));
  brief["projects"] = portfolio;
  // Per country: what it shared (so that the brief can say when nothing was).
  for (auto& c : countries) {
    std::string code = c["country"];
    bool assessed =
        std::any_of(rows.begin(), rows.end(), [&](const Json& r) { return r["country"] == code; });
    bool planned = std::any_of(brief["plans"].begin(), brief["plans"].end(), [&](const Json& r) {
      return r["country"] == code && !r["plan"].is_null();
    });
    c["shared_assessment"] = assessed;
    c["shared_plan"] = planned;
    c["shared_nothing"] = !assessed && !planned;
  }
  brief["countries"] = countries;
  return brief;
}

}  // namespace cbrnhub::meetings

namespace cbrnhub::meetings {

Result<int> Service::NotifyDueFollowUps(const std::string& today) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn->Query("SELECT id, round_table_id FROM follow_ups WHERE status = 'open' AND"
                                   " deleted_at IS NULL AND due IS NOT NULL AND due <> '' AND due <= ?",
                                   {today}));
  std::vector<notify::RecordLink> due;
  for (const auto& r : rows) due.push_back({r.Text(0), "/round-tables/" + r.Text(1)});
  // Whoever may change the item (its country's focal point, the region's secretariat) is told.
  CBRN_ASSIGN_OR_RETURN(int queued, notify::EnqueueRecords(*txn, store_, notify::kFollowUpDue, kFollowUps, due,
                                                           access::Action::kChange));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return queued;
}

Result<int> Service::SeedDemo(const Caller& caller) {
  std::string project_id, questionnaire_id, plan_id;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(Rows n, txn->Query("SELECT count(*) FROM activities"));
    if (n[0].Int(0) > 0) return 0;
    CBRN_ASSIGN_OR_RETURN(
        Rows ca, txn->Query("SELECT code FROM regions WHERE code = 'CA' AND deleted_at IS NULL"));
    if (ca.empty()) return 0;  // the demo network comes first
    CBRN_ASSIGN_OR_RETURN(
        Rows p,
        txn->Query("SELECT id FROM projects WHERE region = 'CA' AND deleted_at IS NULL LIMIT 1"));
    if (!p.empty()) project_id = p[0].Text(0);
    CBRN_ASSIGN_OR_RETURN(Rows q, txn->Query("SELECT id FROM questionnaires WHERE deleted_at IS "
                                             "NULL ORDER BY created_at DESC LIMIT 1"));
    if (!q.empty()) questionnaire_id = q[0].Text(0);
    CBRN_ASSIGN_OR_RETURN(
        Rows pl,
        txn->Query(
            "SELECT id FROM action_plans WHERE country = 'UZ' AND deleted_at IS NULL LIMIT 1"));
    if (!pl.empty()) plan_id = pl[0].Text(0);
  }
  auto create = [&](const char* kind, Json body) { return store_.Create(caller, kind, body); };
  Json training = {{"region", "CA"},
                   {"title", "Demo: regional training on chemical incident response"},
                   {"type", "training"},
                   {"status", "held"},
                   {"start_date", "2026-09-14"},
                   {"end_date", "2026-09-16"},
                   {"city", "Tashkent"},
                   {"place_country", "UZ"},
                   {"organisers", "Regional Secretariat, CA"},
                   {"countries", "UZ, KZ"},
                   {"participants_women", 9},
                   {"participants_men", 14},
                   {"sharing", "region"}};
  if (!project_id.empty()) training["projects"] = project_id;
  CBRN_RETURN_IF_ERROR(create(kActivities, training).status());
  CBRN_ASSIGN_OR_RETURN(
      Json exercise,
      create(kActivities,
             Json{{"country", "UZ"},
                  {"title", "Demo: national table-top exercise, chlorine release"},
                  {"type", "tabletop_exercise"},
                  {"status", "held"},
                  {"start_date", "2026-10-06"},
                  {"end_date", "2026-10-07"},
                  {"city", "Samarkand"},
                  {"place_country", "UZ"},
                  {"participants_women", 6},
                  {"participants_men", 11},
                  {"scenario", "A tanker leaks chlorine near a railway station."},
                  {"objectives",
                   "Alert the agencies within 30 minutes\nEvacuate 500 m around the site"},
                  {"sharing", "region"}}));
  CBRN_RETURN_IF_ERROR(
      create(kInjects, Json{{"activity_id", exercise["id"]},
                            {"at_time", "2026-10-06 09:00"},
                            {"sender", "Railway dispatcher"},
                            {"recipient", "Emergency services"},
                            {"message", "A tanker car is leaking a yellow-green gas."},
                            {"expected_action", "Alert the chemical response unit"}})
          .status());
  CBRN_RETURN_IF_ERROR(
      create(kInjects, Json{{"activity_id", exercise["id"]},
                            {"at_time", "2026-10-06 09:40"},
                            {"sender", "Hospital"},
                            {"recipient", "Health ministry"},
                            {"message", "Twelve people with breathing problems arrive."},
                            {"expected_action", "Activate the hospital's mass-casualty plan"}})
          .status());
  CBRN_RETURN_IF_ERROR(
      create(kEvaluations, Json{{"activity_id", exercise["id"]},
                                {"objective", "Alert the agencies within 30 minutes"},
                                {"rating", "met"},
                                {"observations", ""}})
          .status());
  CBRN_ASSIGN_OR_RETURN(
      Json partly,
      create(kEvaluations, Json{{"activity_id", exercise["id"]},
                                {"objective", "Evacuate 500 m around the site"},
                                {"rating", "partly_met"},
                                {"observations",
                                 "Evacuation orders reached the police late: the radio "
                                 "channels of police and rescuers were not shared."}}));
  CBRN_ASSIGN_OR_RETURN(Json lesson, LessonFromEvaluation(caller, partly["id"]));
  CBRN_RETURN_IF_ERROR(
      store_
          .Update(caller, kLessons, lesson["id"],
                  Json{{"sharing", "region"},
                       {"theme", "chemical"},
                       {"to_change", "Agree one shared radio channel before an exercise."}},
                  false)
          .status());
  CBRN_RETURN_IF_ERROR(
      create(kLessons, Json{{"country", "KZ"},
                            {"title", "Демо: обмен информацией на границе"},
                            {"what_happened",
                             "Таможня и пограничная служба обменивались данными по телефону."},
                            {"to_keep", "Совместный штаб на пункте пропуска"},
                            {"theme", "cross_cutting"},
                            {"activity_type", "cross_border_exercise"},
                            {"sharing", "region"}})
          .status());
  CBRN_RETURN_IF_ERROR(
      create(kActivities, Json{{"region", "CA"},
                               {"title", "Demo: workshop on the revised questionnaire"},
                               {"type", "workshop"},
                               {"status", "planned"},
                               {"start_date", "2027-02-03"},
                               {"end_date", "2027-02-04"},
                               {"city", "Almaty"},
                               {"place_country", "KZ"},
                               {"countries", "UZ, KZ"},
                               {"sharing", "region"}})
          .status());
  CBRN_ASSIGN_OR_RETURN(
      Json first,
      create(kRoundTables,
             Json{{"region", "CA"},
                  {"title", "Demo: 1st round table of Central Asia"},
                  {"number", 1},
                  {"meeting_date", "2026-06-30"},
                  {"city", "Tashkent"},
                  {"status", "held"},
                  {"invited", "UZ, KZ"},
                  {"present", "UZ, KZ"},
                  {"minutes",
                   "## Opening\n\nThe focal points reviewed the **revised questionnaire**."},
                  {"decisions", "- Each country shares its plan with the region by November."}}));
  CBRN_RETURN_IF_ERROR(
      create(kFollowUps, Json{{"round_table_id", first["id"]},
                              {"title", "Demo: share the updated national action plan"},
                              {"responsible", "National focal point, KZ"},
                              {"country", "KZ"},
                              {"due", "2026-11-30"}})
          .status());
  CBRN_ASSIGN_OR_RETURN(
      Json second, create(kRoundTables, Json{{"region", "CA"},
                                             {"title", "Demo: 2nd round table of Central Asia"},
                                             {"number", 2},
                                             {"meeting_date", "2026-12-10"},
                                             {"city", "Almaty"},
                                             {"status", "planned"},
                                             {"invited", "UZ, KZ"}}));
  int position = 1;
  auto item = [&](const char* title, const char* topic, const std::string& ref) {
    Json body = {{"round_table_id", second["id"]},
                 {"position", position++},
                 {"title", title},
                 {"topic", topic}};
    if (!ref.empty()) body["reference"] = ref;
    return create(kAgendaItems, body).status();
  };
  CBRN_RETURN_IF_ERROR(
      item("Demo: the revised questionnaire", "questionnaire_revision", questionnaire_id));
  CBRN_RETURN_IF_ERROR(item("Demo: progress of Uzbekistan's action plan", "country_plan", plan_id));
  CBRN_RETURN_IF_ERROR(item("Demo: regional project ideas", "project_idea", project_id));
  return 3;
}

}  // namespace cbrnhub::meetings
