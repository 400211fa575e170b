// Access: who is asking, and may they do this to this record. The ownership-and-sharing rule
// of docs/access.md lives here and only here: services ask Decide() (or Require()), pages take
// their "may ..." flags from the same calls, and every query's visibility filter is generated
// from the same read grants as CanRead(), so the two cannot disagree.
//
// A record has an owner scope ("network", "region:CA", "country:UZ", "exportctl:UZ") and a
// sharing level:
//   private    the owner scope only
//   region     + the Regional Secretariat(s) of the owning country's region(s); for a
//                region-owned record, + the region's member countries
//   network    + programme staff (coordinating and technical partners)
//   published  everyone signed in (observers included)
// Export-control records are owned by "exportctl:UZ": only that country's licensing officers,
// reviewing agencies and customs see them (never the NFP, the team or the region), and they are
// never shared; administrators and auditors read them, "exportctl:-" is theirs alone.
// Administrators and auditors read everything. Nothing is ever visible sideways: another
// country's record that is not published does not show in lists, counts, pages or errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace cbrnhub::access {

enum class Role {
  kAdmin,        // installation: everything, including users
  kAuditor,      // reads everything and the audit log; changes nothing
  kProgramme,    // coordinating/technical partner staff: what countries shared with the network
  kSecretariat,  // one region: its own records and what its countries shared with it
  kNfp,          // National Focal Point: everything of their country; decides sharing
  kTeam,         // national team member: reads the country, edits what is assigned to them
  kObserver,     // reads what is published
  kLicensingOfficer,  // one country: export-control licensing and screening
  kReviewingAgency,   // one country: opinions on licence applications
  kCustoms,           // one country: export-control checks
};

const char* RoleName(Role role);
std::optional<Role> ParseRole(const std::string& name);
std::vector<Role> AllRoles();
bool IsCountryRole(Role role);
bool IsRegionRole(Role role);
// Licensing officers, reviewing agencies and customs: the export-control side of a country.
bool IsExportControlRole(Role role);

enum class Sharing { kPrivate, kRegion, kNetwork, kPublished };
const char* SharingName(Sharing sharing);
std::optional<Sharing> ParseSharing(const std::string& name);

struct Principal {
  std::string user_id;  // "" when nobody is signed in
  std::string display_name;
  Role role = Role::kObserver;
  std::string country;  // ISO 3166 alpha-2, for country roles
  std::string region;   // region code, for the secretariat
  // Secretariat: the ISO2 codes of its region's member countries.
  // Country roles: the codes of the regions the country belongs to.
  std::vector<std::string> related;
  bool system = false;   // the command line and seeding: acts on everything
  std::string language;  // the user's chosen interface language ("" = none chosen)

  bool authenticated() const { return system || !user_id.empty(); }
  // The id recorded in the audit log.
  std::string audit_id() const { return system ? display_name : "user:" + user_id; }

  static Principal Anonymous();
  static Principal System(std::string name);
};

// What a route needs (see http::Policy): the coarse gate before any record is looked at.
// kMetrics: the server's metrics, for administrators and for a monitoring server calling from an
// address the installation lists.
enum class Need { kNone, kSignedIn, kWriter, kAdmin, kAudit, kExportControl, kMetrics };

enum class Decision { kAllow, kUnauthenticated, kForbidden };
Decision DecideRoute(const Principal& who, Need need);
// The same, knowing whether the request comes from one of the installation's monitoring
// addresses (config `metrics_allow`), which may read the metrics without signing in.
Decision DecideRoute(const Principal& who, Need need, bool from_monitoring_address);

// The rule family a kind of record follows (each records::KindSpec names one).
enum class Policy {
  kRecord,         // owned by the network, a region or a country; shared by its owner at will
  kAssessment,     // a country's needs assessment: answered by its team, reviewed by its
                   // region's secretariat; how far it is shared follows its workflow state
  kExportControl,  // a country's export-control records: never shared
  kPlan,           // action plans, their actions, milestones and indicators, projects: the focal
                   // point (or the secretariat, for a region's) writes, shares and adopts; a team
                   // member changes what is assigned to them; licensing roles do not write
};

enum class Action {
  kRead,    // see it, in lists, counts, pages and error messages
  kCreate,  // create it with this owner (the target is the new record)
  kChange,  // edit, delete or restore it
  kShare,   // change its sharing level (to which levels: SharingLevels)
  kAssign,  // assign it to a user of its owner (to whom: MayAssignTo)
  kAnswer,  // assessment: answers, evidence files, workbook uploads
  kSubmit,  // assessment: submit to the region; licence: move it along its workflow
  kReview,  // assessment: validate or return; licence: give a reviewing agency's opinion
  kImport,  // export control: load a sanctions-list edition or the control list
  kScreen,  // export control: screen parties
  kDecide,  // export control: decide on a screening hit
};
const char* ActionName(Action action);
std::vector<Action> AllActions();

struct RecordScope {
  std::string owner_scope;
  Sharing sharing = Sharing::kPrivate;
  std::string assigned_to;  // user id, or ""
  Policy policy = Policy::kRecord;
  std::string state;  // workflow state ("draft", "submitted", ...); "" for records without one
  // ISO2 codes of participating countries (projects): once shared beyond private, the record
  // reaches these countries' people as a region-shared record reaches the region's countries.
  std::vector<std::string> participants;
};

// The owner scope of the records `who` creates as its own ("country:UZ", "region:CA",
// "network" for programme staff and administrators; "" for roles that own nothing).
std::string OwnScope(const Principal& who);

// The scope of the export-control work the caller does itself (what it screens, decides and
// imports): "exportctl:<its country>", "exportctl:-" for administrators.
RecordScope OwnExportControlScope(const Principal& who);

// The one decision. `reason` says why not in English (the API, the logs); `key` names the
// catalogue message a page shows instead, with `args` (the status's message arguments).
struct Verdict {
  bool allowed = false;
  std::string reason;
  std::string key;
  std::vector<std::pair<std::string, std::string>> args;
  explicit operator bool() const { return allowed; }
  // PermissionDenied (or `code`) with the reason and its message, about `field`.
  Status Refusal(StatusCode code = StatusCode::kPermissionDenied, std::string field = "") const;
};
Verdict Decide(const Principal& who, Action action, const RecordScope& record);
bool Allows(const Principal& who, Action action, const RecordScope& record);
// Ok, or PermissionDenied with the reason.
Status Require(const Principal& who, Action action, const RecordScope& record);

// The sharing levels `who` may give the record in its current state (empty: none). The owner
// may always keep the current level, except where the state forbids it.
std::vector<Sharing> SharingLevels(const Principal& who, const RecordScope& record);
// May `who` set the record's sharing to `to`?
Verdict DecideSharing(const Principal& who, const RecordScope& record, Sharing to);
// May `who` assign the record to `assignee` (a user's principal)? The assignee must belong to
// the record's owner (the country's team, the region's secretariat) and be able to read it.
Verdict MayAssignTo(const Principal& who, const RecordScope& record, const Principal& assignee);

// Read access: CanRead and the SQL filter are both made from these grants.
bool CanRead(const Principal& who, const RecordScope& record);

// The SQL condition on a table's owner_scope and sharing columns that selects what `who` may
// read, with its parameters in order. "1=1" for those who read everything. For a table without
// a sharing column (`sharing_column` null), every row counts as private.
struct SqlFilter {
  std::string sql;
  std::vector<std::string> params;
};
// `participants_column`, when given, is a text column of comma-separated ISO2 codes (see
// RecordScope::participants).
SqlFilter VisibilityFilter(const Principal& who, const char* sharing_column = "sharing",
                           const char* participants_column = nullptr);

}  // namespace cbrnhub::access
