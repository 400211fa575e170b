// The record kinds of activities, exercises, lessons and round tables, with the checks that
// span fields and records.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "hazard/hazard.h"
#include "meetings/meetings.h"
#include "meetings/util.h"

namespace cbrnhub::meetings {
namespace {

using records::FieldSpec;
using records::FieldType;
using records::KindSpec;
using storage::Rows;
using storage::Transaction;

// A field spec in one line: name, type, required, longest length; then what it is used for.
FieldSpec Spec(std::string name, FieldType type = FieldType::kText, bool required = false,
               size_t max = 200) {
  FieldSpec f = FieldSpec::Of(std::move(name), type, max);
  return required ? f.Required() : f;
}

FieldSpec OneOf(std::string name, std::vector<std::string> choices, bool required = false) {
  FieldSpec f = FieldSpec::Choice(std::move(name), std::move(choices));
  return required ? f.Required() : f;
}

FieldSpec Link(std::string name, std::string kind, bool required = false) {
  FieldSpec f = FieldSpec::Reference(std::move(name), std::move(kind));
  return required ? f.Required() : f;
}

FieldSpec Filter(const FieldSpec& f) { return f.Filterable(); }

FieldSpec Search(const FieldSpec& f) { return f.Searchable(); }

FieldSpec SetByModule(std::string name, std::string value) {
  return FieldSpec::Of(std::move(name)).ReadOnly(std::move(value)).Filterable();
}

// The member countries of a region (ISO2).
Result<std::set<std::string>> MembersOf(Transaction& txn, const std::string& region) {
  CBRN_ASSIGN_OR_RETURN(
      Rows r, txn.Query("SELECT c.iso2 FROM memberships m JOIN countries c ON c.id = m.country_id"
                        " JOIN regions g ON g.id = m.region_id WHERE g.code = ?"
                        " AND m.deleted_at IS NULL AND c.deleted_at IS NULL",
                        {region}));
  std::set<std::string> out;
  for (const auto& row : r) out.insert(row.Text(0));
  return out;
}

Status CountryExists(Transaction& txn, const std::string& code, const char* field) {
  CBRN_ASSIGN_OR_RETURN(
      Rows r,
      txn.Query("SELECT iso2 FROM countries WHERE iso2 = ? AND deleted_at IS NULL", {code}));
  if (r.empty())
    return Status::Invalid(field, std::string(field) + ": no partner country \"" + code + "\"").Says("invalid.no_partner_country", {{"field", field}, {"value", code}});
  return Status::Ok();
}

// Owner: a country or a region, exactly one.
Result<std::string> CountryOrRegion(Transaction& txn, const Json& f) {
  bool country = !Text(f, "country").empty(), region = !Text(f, "region").empty();
  if (country == region)
    return Status::Invalid("country", "give either a country or a region, not both").Says("invalid.country_or_region");
  if (country) {
    CBRN_RETURN_IF_ERROR(CountryExists(txn, Text(f, "country"), "country"));
    return "country:" + Text(f, "country");
  }
  CBRN_ASSIGN_OR_RETURN(Rows r,
                        txn.Query("SELECT code FROM regions WHERE code = ? AND deleted_at IS NULL",
                                  {Text(f, "region")}));
  if (r.empty())
    return Status::Invalid("region", "region: no region \"" + Text(f, "region") + "\"").Says("invalid.no_region", {{"field", "region"}, {"value", Text(f, "region")}});
  return "region:" + Text(f, "region");
}

Result<std::string> RegionOwner(Transaction& txn, const Json& f) {
  CBRN_ASSIGN_OR_RETURN(Rows r,
                        txn.Query("SELECT code FROM regions WHERE code = ? AND deleted_at IS NULL",
                                  {Text(f, "region")}));
  if (r.empty())
    return Status::Invalid("region", "region: no region \"" + Text(f, "region") + "\"").Says("invalid.no_region", {{"field", "region"}, {"value", Text(f, "region")}});
  return "region:" + Text(f, "region");
}

Status CheckDates(const Json& f, const char* start, const char* end) {
  if (!Text(f, start).empty() && !Text(f, end).empty() && Text(f, end) < Text(f, start)) {
    return Status::Invalid(end, std::string(end) + " (" + Text(f, end) + ") is before " + start +
                                    " (" + Text(f, start) + ")").Says("invalid.date_order", {{"field", end}, {"field_start", start}});
  }
  return Status::Ok();
}

Status CheckCount(const Json& f, const char* key) {
  if (!f.contains(key) || !f[key].is_number_integer()) return Status::Ok();
  auto n = f[key].get<std::int64_t>();
  if (n < 0 || n > kMaxParticipants) {
    return Status::Invalid(key, std::string(key) + " must be between 0 and " +
                                    std::to_string(kMaxParticipants) + " (" + std::to_string(n) +
                                    ")").Says("invalid.count_range", {{"field", key}, {"#max", std::to_string(kMaxParticipants)}});
  }
  return Status::Ok();
}

// Agencies named by id or short name: each a live agency of one of `countries`.
Status CheckAgency(Transaction& txn, const std::string& agency,
                   const std::set<std::string>& countries, const char* field) {
  CBRN_ASSIGN_OR_RETURN(
      Rows r, txn.Query("SELECT owner_scope FROM agencies WHERE (id = ? OR short_name = ?)"
                        " AND deleted_at IS NULL",
                        {agency, agency}));
  for (const auto& row : r) {
    const std::string& owner = row.Text(0);
    if (owner.rfind("country:", 0) == 0 && countries.count(owner.substr(8))) return Status::Ok();
  }
  return Status::Invalid(field, std::string(field) + ": \"" + agency +
                                    "\" is not an agency of a participating country").Says("invalid.not_agency_of_participant", {{"field", field}, {"value", agency}});
}

Status CheckActivity(Transaction& txn, const Json*, const Json& f) {
  CBRN_RETURN_IF_ERROR(CheckDates(f, "start_date", "end_date"));
  if (!Text(f, "place_country").empty())
    CBRN_RETURN_IF_ERROR(CountryExists(txn, Text(f, "place_country"), "place_country"));
  std::set<std::string> countries;
  if (!Text(f, "country").empty()) countries.insert(Text(f, "country"));
  for (const auto& c : SplitList(Text(f, "countries"))) {
    CBRN_RETURN_IF_ERROR(CountryExists(txn, c, "countries"));
    countries.insert(c);
  }
  for (const auto& a : SplitList(Text(f, "agencies")))
    CBRN_RETURN_IF_ERROR(CheckAgency(txn, a, countries, "agencies"));
  long total = 0;
  for (const char* key : {"participants_women", "participants_men", "participants_other"}) {
    CBRN_RETURN_IF_ERROR(CheckCount(f, key));
    if (f.contains(key) && f[key].is_number_integer())
      total += static_cast<long>(f[key].get<std::int64_t>());
  }
  if (total > kMaxParticipants) {
    return Status::Invalid("participants_women", "more than " + std::to_string(kMaxParticipants) +
                                                     " participants in all").Says("invalid.participants_total", {{"#max", std::to_string(kMaxParticipants)}});
  }
  // "UZ-SCES=12, KZ-MES=4": participants by agency.
  for (const auto& item : SplitList(Text(f, "participants_by_agency"))) {
    auto eq = item.find('=');
    std::string agency = eq == std::string::npos ? item : item.substr(0, eq);
    std::string n = eq == std::string::npos ? "" : item.substr(eq + 1);
    agency.erase(agency.find_last_not_of(' ') + 1);
    n.erase(0, n.find_first_not_of(' '));
    if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string::npos ||
        std::stol(n) > kMaxParticipants) {
      return Status::Invalid("participants_by_agency",
                             "participants_by_agency: \"" + item +
                                 "\" is not AGENCY=N with N between 0 and " +
                                 std::to_string(kMaxParticipants)).Says("invalid.participants_by_agency", {{"field", "participants_by_agency"}, {"value", item}, {"#max", std::to_string(kMaxParticipants)}});
    }
    CBRN_RETURN_IF_ERROR(CheckAgency(txn, agency, countries, "participants_by_agency"));
  }
  for (const auto& id : SplitList(Text(f, "plan_actions"))) {
    CBRN_ASSIGN_OR_RETURN(
        Rows r, txn.Query("SELECT id FROM plan_actions WHERE id = ? AND deleted_at IS NULL", {id}));
    if (r.empty())
      return Status::Invalid("plan_actions", "plan_actions: \"" + id + "\" is not a plan action").Says("invalid.not_plan_action", {{"field", "plan_actions"}, {"value", id}});
  }
  for (const auto& id : SplitList(Text(f, "projects"))) {
    CBRN_ASSIGN_OR_RETURN(
        Rows r, txn.Query("SELECT id FROM projects WHERE id = ? AND deleted_at IS NULL", {id}));
    if (r.empty()) return Status::Invalid("projects", "projects: \"" + id + "\" is not a project").Says("invalid.not_project", {{"field", "projects"}, {"value", id}});
  }
  if ((!Text(f, "scenario").empty() || !Text(f, "objectives").empty()) &&
      !IsExercise(Text(f, "type"))) {
    return Status::Invalid("scenario", "a scenario and objectives are for exercises").Says("invalid.exercise_only", {{"field", "scenario"}});
  }
  return Status::Ok();
}

struct ActivityInfo {
  std::string type, start, end;
};

Result<ActivityInfo> ExerciseOf(Transaction& txn, const std::string& id) {
  CBRN_ASSIGN_OR_RETURN(
      Rows r, txn.Query("SELECT type, start_date, end_date FROM activities WHERE id = ?", {id}));
  if (r.empty()) return Status::Invalid("activity_id", "no such activity").Says("invalid.reference", {{"field", "activity_id"}, {"value", id}});
  ActivityInfo info{r[0].Text(0), r[0].OptionalText(1).value_or(""),
                    r[0].OptionalText(2).value_or("")};
  if (!IsExercise(info.type))
    return Status::Invalid("activity_id", "the activity is not an exercise").Says("invalid.not_exercise", {{"field", "activity_id"}});
  return info;
}

// "YYYY-MM-DD HH:MM" (the exercise's local time).
bool IsMoment(const std::string& s) {
  if (s.size() != 16 || s[10] != ' ' || s[13] != ':') return false;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  if (s[4] != '-' || s[7] != '-') return false;
  int month = std::stoi(s.substr(5, 2)), day = std::stoi(s.substr(8, 2));
  int hour = std::stoi(s.substr(11, 2)), minute = std::stoi(s.substr(14, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60;
}

Status CheckInject(Transaction& txn, const Json*, const Json& f) {
  CBRN_ASSIGN_OR_RETURN(ActivityInfo a, ExerciseOf(txn, Text(f, "activity_id")));
  std::string at = Text(f, "at_time");
  if (!IsMoment(at))
    return Status::Invalid("at_time",
                           "at_time: \"" + at + "\" is not a time such as 2026-12-10 09:30").Says("invalid.time", {{"field", "at_time"}, {"value", at}});
  std::string day = at.substr(0, 10);
  if ((!a.start.empty() && day < a.start) || (!a.end.empty() && day > a.end)) {
    return Status::Invalid("at_time", "at_time " + at + " is outside the exercise's dates (" +
                                          a.start + " to " + a.end + ")").Says("invalid.outside_exercise", {{"field", "at_time"}, {"date_start", a.start}, {"date_end", a.end}});
  }
  return Status::Ok();
}

// A scenario's release must compute (the same checks as the API's planning estimate) and its
// inject, when given, must be one of the same exercise's.
Status CheckHazardScenario(Transaction& txn, const Json*, const Json& f) {
  CBRN_RETURN_IF_ERROR(ExerciseOf(txn, Text(f, "activity_id")).status());
  auto scenario = hazard::ScenarioFromJson(Text(f, "release_json"));
  Status model = scenario.ok() ? hazard::Model::Make(*scenario).status() : scenario.status();
  if (!model.ok())
    return Status::Invalid("release_json",
                           (model.field().empty() ? "" : model.field() + ": ") + model.message());
  std::string inject = Text(f, "inject_id");
  if (!inject.empty()) {
    CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query("SELECT activity_id FROM exercise_injects WHERE id = ?"
                                            " AND deleted_at IS NULL",
                                            {inject}));
    if (r.empty() || r[0].Text(0) != Text(f, "activity_id"))
      return Status::Invalid("inject_id", "the inject is not one of this exercise's").Says("invalid.inject_of_exercise", {{"field", "inject_id"}});
  }
  return Status::Ok();
}

// A place's coordinates are decimal degrees within range; its exercise an exercise.
Status CheckPlace(Transaction& txn, const Json*, const Json& f) {
  CBRN_RETURN_IF_ERROR(ExerciseOf(txn, Text(f, "activity_id")).status());
  if (!ParseCoordinate(Text(f, "latitude"), 90))
    return Status::Invalid("latitude", "latitude: \"" + Text(f, "latitude") +
                                           "\" is not a latitude in decimal degrees between -90 "
                                           "and 90, such as 41.311").Says("invalid.latitude", {{"field", "latitude"}, {"value", Text(f, "latitude")}});
  if (!ParseCoordinate(Text(f, "longitude"), 180))
    return Status::Invalid("longitude", "longitude: \"" + Text(f, "longitude") +
                                            "\" is not a longitude in decimal degrees between "
                                            "-180 and 180, such as 69.279").Says("invalid.longitude", {{"field", "longitude"}, {"value", Text(f, "longitude")}});
  return Status::Ok();
}

Status CheckEvaluation(Transaction& txn, const Json*, const Json& f) {
  return ExerciseOf(txn, Text(f, "activity_id")).status();
}

Status CheckLesson(Transaction& txn, const Json*, const Json& f) {
  if (!Text(f, "activity_id").empty()) {
    CBRN_ASSIGN_OR_RETURN(
        Rows r, txn.Query("SELECT id FROM activities WHERE id = ?", {Text(f, "activity_id")}));
    if (r.empty()) return Status::Invalid("activity_id", "no such activity").Says("invalid.reference", {{"field", "activity_id"}, {"value", Text(f, "activity_id")}});
  }
  return Status::Ok();
}

Status CheckRoundTable(Transaction& txn, const Json*, const Json& f) {
  CBRN_ASSIGN_OR_RETURN(std::set<std::string> members, MembersOf(txn, Text(f, "region")));
  std::set<std::string> invited;
  for (const char* key : {"invited", "present"}) {
    for (const auto& c : SplitList(Text(f, key))) {
      if (!members.count(c)) {
        return Status::Invalid(key, std::string(key) + ": \"" + c +
                                        "\" is not a member country of region " +
                                        Text(f, "region")).Says("invalid.not_region_country", {{"field", key}, {"value", c}, {"region", Text(f, "region")}});
      }
      if (std::string(key) == "invited")
        invited.insert(c);
      else if (!invited.empty() && !invited.count(c)) {
        return Status::Invalid("present", "present: \"" + c + "\" was not invited").Says("invalid.not_invited", {{"field", "present"}, {"value", c}});
      }
    }
  }
  if (f.contains("number") && f["number"].is_number_integer() &&
      f["number"].get<std::int64_t>() < 1) {
    return Status::Invalid("number", "number must be 1 or more").Says("invalid.number_positive", {{"field", "number"}});
  }
  return Status::Ok();
}

Status CheckAgendaItem(Transaction& txn, const Json*, const Json& f) {
  std::string ref = Text(f, "reference"), topic = Text(f, "topic");
  if (ref.empty()) return Status::Ok();
  const char* table = topic == "questionnaire_revision" ? "questionnaires"
                      : topic == "country_plan"         ? "action_plans"
                      : topic == "project_idea"         ? "projects"
                                                        : nullptr;
  if (!table)
    return Status::Invalid("reference",
                           "a reference is for a questionnaire revision, a plan or a project idea").Says("invalid.agenda_reference_topic", {{"field", "reference"}});
  CBRN_ASSIGN_OR_RETURN(Rows r, txn.Query(std::string("SELECT id FROM ") + table +
                                              " WHERE id = ? AND deleted_at IS NULL",
                                          {ref}));
  if (r.empty())
    return Status::Invalid("reference", "reference: no such " + std::string(table) + " record").Says("invalid.reference", {{"field", "reference"}, {"value", ref}});
  return Status::Ok();
}

void Child(KindSpec& k, const std::string& parent_field, const std::string& parent_kind) {
  k.parent_field = parent_field;
  k.policy = access::Policy::kPlan;
  k.fields.insert(k.fields.begin(), Link(parent_field, parent_kind, true));
}

}  // namespace

const std::vector<std::string>& ActivityTypes() {
  static const std::vector<std::string> kTypes = {"training",
                                                  "workshop",
                                                  "legal_review",
                                                  "study_visit",
                                                  "tabletop_exercise",
                                                  "field_exercise",
                                                  "cross_border_exercise",
                                                  "round_table",
                                                  "other"};
  return kTypes;
}

const std::vector<std::string>& PlaceKinds() {
  static const std::vector<std::string> kKinds = {
      "school",       "kindergarten", "hospital",     "care_home",      "border_post",
      "rail_station", "airport",      "fire_station", "police_station", "industrial_site",
      "public_venue", "water_supply", "shelter",      "other"};
  return kKinds;
}

std::optional<double> ParseCoordinate(const std::string& text, double limit) {
  // Plain decimals only: no exponent, hex, "nan" or "inf" (what strtod would also take).
  if (text.empty() || text.size() > 24 ||
      text.find_first_not_of("+-.0123456789") != std::string::npos)
    return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v) || v < -limit || v > limit)
    return std::nullopt;
  return v;
}

bool IsExercise(const std::string& type) {
  return type == "tabletop_exercise" || type == "field_exercise" || type == "cross_border_exercise";
}

void RegisterKinds(records::Catalog& catalog) {
  {
    KindSpec k;
    k.name = kActivities;
    k.table = "activities";
    k.order_by = "start_date DESC, title";
    k.policy = access::Policy::kPlan;
    k.participants_field = "countries";
    k.fields = {Filter(Spec("country", FieldType::kCountryCode)),
                Filter(Spec("region", FieldType::kCode, false, 12)),
                Search(Spec("title", FieldType::kText, true, 300)),
                OneOf("type", ActivityTypes(), true),
                OneOf("status", {"planned", "held", "cancelled"}),
                Spec("start_date", FieldType::kDate, true),
                Spec("end_date", FieldType::kDate, true),
                Spec("city", FieldType::kText, false, 120),
                Filter(Spec("place_country", FieldType::kCountryCode)),
                Search(Spec("organisers", FieldType::kText, false, 1000)),
                Spec("countries", FieldType::kText, false, 400),
                Spec("agencies", FieldType::kText, false, 2000),
                Spec("participants_women", FieldType::kInteger),
                Spec("participants_men", FieldType::kInteger),
                Spec("participants_other", FieldType::kInteger),
                Spec("participants_by_agency", FieldType::kText, false, 2000),
                Spec("plan_actions", FieldType::kText, false, 4000),
                Spec("projects", FieldType::kText, false, 4000),
                Spec("scenario", FieldType::kLongText, false, 8000),
                Spec("objectives", FieldType::kLongText, false, 4000),
                Spec("summary", FieldType::kLongText, false, 8000)};
    k.owner = CountryOrRegion;
    k.check = CheckActivity;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kInjects;
    k.table = "exercise_injects";
    k.order_by = "at_time";
    k.fields = {Spec("at_time", FieldType::kText, true, 16),
                Spec("sender", FieldType::kText, false, 200),
                Spec("recipient", FieldType::kText, false, 200),
                Spec("message", FieldType::kLongText, true, 4000),
                Spec("expected_action", FieldType::kLongText, false, 4000)};
    Child(k, "activity_id", kActivities);
    k.check = CheckInject;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kHazardScenarios;
    k.table = "hazard_scenarios";
    k.order_by = "created_at";
    k.fields = {Spec("title", FieldType::kText, true, 200),
                Spec("release_json", FieldType::kLongText, true, 4000),
                Link("inject_id", kInjects)};
    Child(k, "activity_id", kActivities);
    k.check = CheckHazardScenario;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kPlaces;
    k.table = "exercise_places";
    k.order_by = "name";
    k.fields = {Search(Spec("name", FieldType::kText, true, 200)),
                OneOf("place_kind", PlaceKinds(), true),
                Spec("latitude", FieldType::kText, true, 24),
                Spec("longitude", FieldType::kText, true, 24)};
    Child(k, "activity_id", kActivities);
    k.check = CheckPlace;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kEvaluations;
    k.table = "exercise_evaluations";
    k.order_by = "created_at";
    k.fields = {Spec("objective", FieldType::kText, true, 400),
                OneOf("rating", {"met", "partly_met", "not_met"}, true),
                Spec("observations", FieldType::kLongText, false, 8000)};
    Child(k, "activity_id", kActivities);
    k.check = CheckEvaluation;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kLessons;
    k.table = "lessons";
    k.order_by = "created_at DESC";
    k.policy = access::Policy::kPlan;
    k.fields = {Filter(Spec("country", FieldType::kCountryCode)),
                Filter(Spec("region", FieldType::kCode, false, 12)),
                Search(Spec("title", FieldType::kText, true, 300)),
                Spec("what_happened", FieldType::kLongText, false, 8000),
                Spec("to_keep", FieldType::kLongText, false, 4000),
                Spec("to_change", FieldType::kLongText, false, 4000),
                OneOf("theme", plans::ThematicAreas()),
                OneOf("activity_type", ActivityTypes()),
                Link("activity_id", kActivities),
                Spec("evaluation_id", FieldType::kText, false, 40)};
    k.owner = CountryOrRegion;
    k.check = CheckLesson;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kRoundTables;
    k.table = "round_tables";
    k.order_by = "meeting_date DESC";
    k.policy = access::Policy::kPlan;
    // The region's member countries' focal points take part: minutes and follow-ups reach them.
    k.default_sharing = access::Sharing::kRegion;
    k.fields = {Filter(Spec("region", FieldType::kCode, true, 12)),
                Search(Spec("title", FieldType::kText, true, 300)),
                Spec("number", FieldType::kInteger),
                Spec("meeting_date", FieldType::kDate, true),
                Spec("city", FieldType::kText, false, 120),
                OneOf("status", {"planned", "held", "cancelled"}),
                Spec("invited", FieldType::kText, false, 400),
                Spec("present", FieldType::kText, false, 400),
                Spec("minutes", FieldType::kLongText, false, 20000),
                Spec("decisions", FieldType::kLongText, false, 8000)};
    k.owner = RegionOwner;
    k.check = CheckRoundTable;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kAgendaItems;
    k.table = "agenda_items";
    k.order_by = "position, title";
    k.fields = {Spec("position", FieldType::kInteger),
                Spec("title", FieldType::kText, true, 300),
                OneOf("topic", {"questionnaire_revision", "country_plan", "project_idea",
                                "export_control", "other"}),
                Spec("reference", FieldType::kText, false, 40),
                Spec("presenter", FieldType::kText, false, 200),
                Spec("notes", FieldType::kLongText, false, 4000)};
    Child(k, "round_table_id", kRoundTables);
    k.check = CheckAgendaItem;
    catalog.Add(std::move(k));
  }
  {
    KindSpec k;
    k.name = kFollowUps;
    k.table = "follow_ups";
    k.order_by = "due, title";
    k.fields = {Spec("title", FieldType::kText, true, 300),
                Spec("responsible", FieldType::kText, true, 200),
                Filter(Spec("country", FieldType::kCountryCode)),
                Spec("due", FieldType::kDate),
                SetByModule("status", "open"),
                SetByModule("closed_on", ""),
                SetByModule("closing_note", "")};
    Child(k, "round_table_id", kRoundTables);
    k.check = [](Transaction& txn, const Json*, const Json& f) {
      return Text(f, "country").empty() ? Status::Ok()
                                        : CountryExists(txn, Text(f, "country"), "country");
    };
    catalog.Add(std::move(k));
  }
}

}  // namespace cbrnhub::meetings
