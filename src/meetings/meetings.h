// Activities, exercises, lessons learnt and round tables, and the round table's brief.
//
// Activities (trainings, workshops, exercises, round tables...), an exercise's injects and
// evaluations, lessons learnt, round tables with their agenda items and follow-up items are
// record kinds (records::Store gives them validated, audited CRUD and the API). An inject or an
// evaluation belongs to its activity, an agenda item or a follow-up to its round table, and
// shares its owner and sharing (KindSpec::parent_field).
// This module adds what is more than a record: a round table with the follow-ups still open
// from the region's earlier round tables, the audited closing of a follow-up, a lesson made from
// an exercise's observation, the full-text search of lessons (SQLite FTS5, PostgreSQL text
// search), the calendar and its iCalendar export, and the brief: one view over the region's
// assessments, plans, projects, activities, follow-ups and lessons as the caller may read them.
// Every view shows only what the caller may read; words and drawings are the caller's business.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plans/plans.h"

namespace cbrnhub::meetings {

using records::Caller;
using records::Json;

inline constexpr const char* kActivities = "activities";
inline constexpr const char* kInjects = "exercise_injects";
inline constexpr const char* kEvaluations = "exercise_evaluations";
inline constexpr const char* kLessons = "lessons";
inline constexpr const char* kRoundTables = "round_tables";
inline constexpr const char* kAgendaItems = "agenda_items";
inline constexpr const char* kFollowUps = "follow_ups";
// Places an exercise lists (schools, hospitals, border posts...) with their coordinates: its
// hazard scenarios' footprints say which zone each lies in and when the cloud reaches it.
inline constexpr const char* kPlaces = "exercise_places";
// A toxic-release scenario of an exercise (hazard/hazard.h computes its zones), optionally tied
// to one of the exercise's injects.
inline constexpr const char* kHazardScenarios = "hazard_scenarios";

// Stored values of the activity types and states (pages show them through the catalogue).
const std::vector<std::string>& ActivityTypes();
// True for the types that have injects and evaluations.
bool IsExercise(const std::string& type);
// Stored values of a place's kind (pages show them through the catalogue as "choice.<value>").
const std::vector<std::string>& PlaceKinds();
// A decimal-degree coordinate as stored in a place ("41.311", "-0.5"); nullopt unless it is a
// plain decimal number within -limit..limit.
std::optional<double> ParseCoordinate(const std::string& text, double limit);

// Most participants an activity may count, per agency and in all: larger numbers are typing
// mistakes (the largest regional field exercises gather a few thousand people).
inline constexpr long kMaxParticipants = 10000;

// Adds the kinds above to `catalog` (after the plans' kinds, which activities reference).
void RegisterKinds(records::Catalog& catalog);

// One calendar entry: an activity or a round table.
struct Event {
  std::string uid;   // the record's id
  std::string kind;  // "activity" or "round_table"
  std::string type;  // activity type ("round_table" for round tables)
  std::string title;
  std::string start;    // YYYY-MM-DD
  std::string end;      // YYYY-MM-DD, inclusive
  std::string place;    // "city, country code", or ""
  std::string status;   // planned, held, cancelled
  std::string updated;  // the record's updated_at (ISO 8601)
};

// The events as an iCalendar (RFC 5545) document: CRLF lines folded at 75 octets (never inside
// a UTF-8 sequence), text escaped, all-day events (DTEND the day after the last day), cancelled
// ones with STATUS:CANCELLED. `name` names the calendar (X-WR-CALNAME).
std::string ICalendar(const std::vector<Event>& events, const std::string& name,
                      const std::string& stamp);
// RFC 5545 TEXT escaping (backslash, semicolon, comma, newline); control characters dropped.
std::string ICalEscape(const std::string& text);
// Folds one content line (without its CRLF) into lines of at most 75 octets joined by CRLF + space.
std::string ICalFold(const std::string& line);

class Service {
 public:
  Service(records::Store& store, assessment::Service& assessments, plans::Service& plans);

  // Demo data: Central Asia's activities (a training, a table-top exercise with injects and an
  // evaluation, a coming workshop), a lesson of UZ shared with the region, and two CA round
  // tables (the earlier one held, with an open follow-up carried to the next). Returns the
  // number of activities made; 0 when activities exist already.
  Result<int> SeedDemo(const Caller& caller);

  // Queues "a follow-up item is due" for open follow-ups due on or before `today`
  // (YYYY-MM-DD), once per item and reader (the mail sender's daily check). Returns how many.
  Result<int> NotifyDueFollowUps(const std::string& today);

  // An activity's documents (agenda, report, photos), checked like evidence files
  // (core/upload.h: plain name, up to 10 MiB, content matching the type), kept in
  // the database and audited as "attach". PermissionDenied unless the caller may change the
  // activity. Returns the document's metadata.
  Result<Json> AddDocument(const Caller& caller, const std::string& activity_id,
                           const std::string& filename, const std::string& data);
  // The documents of an activity the caller may read (metadata only), oldest first.
  Result<Json> Documents(const Caller& caller, const std::string& activity_id);
  // One document's metadata and content; NotFound unless the caller may read its activity.
  Result<std::pair<Json, std::string>> Document(const Caller& caller,
                                                const std::string& document_id);

  // Adds the places of a CSV file (header: name,kind,lat,lon; docs/hazard.md) to an exercise,
  // all in one transaction: a bad row fails the whole file with InvalidArgument naming the row's
  // line and field ("line 4: lat ..."), and nothing is written. `source` names the file in
  // messages. PermissionDenied unless the caller may change the exercise. Returns
  // {"created": n, "places": [...]}.
  Result<Json> ImportPlaces(const Caller& caller, const std::string& activity_id,
                            const std::string& csv_text, const std::string& source);

  // A round table with its agenda, its own follow-ups and the follow-ups still open from the
  // region's earlier round tables (carried), as the caller may read them.
  Result<Json> RoundTable(const Caller& caller, const std::string& id);
  // Closes an open follow-up: status closed, the date and note kept; audited as "close".
  // PermissionDenied unless the caller may change it; Conflict when it is closed already.
  Result<Json> CloseFollowUp(const Caller& caller, const std::string& id, const std::string& note);

  // Lessons learnt the caller may read, matching every word of `text` (prefixes; any script)
  // by the database's own full-text index, and the filters (empty = any); newest first.
  // {"items" (at most `limit`), "total" (all that match and the caller may read), "words"}.
  // NotFound for an unknown region; InvalidArgument for a limit outside 1..500.
  struct LessonQuery {
    std::string text, theme, region, activity_type, country;
    int limit = 50;
  };
  Result<Json> SearchLessons(const Caller& caller, const LessonQuery& query);
  // A lesson made from an exercise evaluation's observation, owned like the exercise,
  // private until its owner shares it. InvalidArgument when the evaluation has no observation.
  Result<Json> LessonFromEvaluation(const Caller& caller, const std::string& evaluation_id);

  // Activities and round tables of a region (its own and its member countries') or of one
  // country, between two dates (YYYY-MM-DD, inclusive; either may be ""), as the caller may
  // read them, by start date. NotFound for an unknown region or country.
  Result<std::vector<Event>> Calendar(const Caller& caller, const std::string& region,
                                      const std::string& country, const std::string& from,
                                      const std::string& to);

  // The round table's background document for `region` on `date` (YYYY-MM-DD): see
  // docs/meetings.md for the sections and where each number comes from. Only what the caller
  // may read; a country that shared nothing is marked so. NotFound for a region the caller may
  // not see (or that does not exist); InvalidArgument for a malformed date.
  Result<Json> Brief(const Caller& caller, const std::string& region, const std::string& date,
                     const std::string& lang);

 private:
  records::Store& store_;
  assessment::Service& assessments_;
  plans::Service& plans_;
};

}  // namespace cbrnhub::meetings
