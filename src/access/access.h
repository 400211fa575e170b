// Access: who is asking, and may they do this to this record. The ownership-and-sharing rule
// of docs/architecture.md lives here and only here; every route and every query goes through it.
//
// A record has an owner scope ("network", "region:CA", "country:UZ") and a sharing level:
//   private    the owner scope only
//   region     + the Regional Secretariat(s) of the owning country's region(s); for a
//                region-owned record, + the region's member countries
//   network    + programme staff (coordinating and technical partners)
//   published  everyone signed in (observers included)
// Export-control records are owned by "exportctl:UZ": only that country's licensing officers,
// reviewing agencies and customs see them (never the NFP, the team or the region), whatever
// their sharing level; administrators and auditors read them, "exportctl:-" is theirs alone.
// Administrators and auditors read everything. Nothing is ever visible sideways: another
// country's record that is not published does not show in lists, counts, pages or errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cbrnhub::access {

enum class Role {
  kAdmin,            // installation: everything, including users
  kAuditor,          // reads everything and the audit log; changes nothing
  kProgramme,        // coordinating/technical partner staff: what countries shared with the network
  kSecretariat,      // one region: its own records and what its countries shared with it
  kNfp,              // National Focal Point: everything of their country; decides sharing
  kTeam,             // national team member: reads the country, edits what is assigned to them
  kObserver,         // reads what is published
  kLicensingOfficer, // one country: export-control licensing and screening
  kReviewingAgency,  // one country: opinions on licence applications
  kCustoms,          // one country: export-control checks
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
  bool system = false;  // the command line and seeding: acts on everything
  std::string language;  // the user's chosen interface language ("" = none chosen)

  bool authenticated() const { return system || !user_id.empty(); }
  // The id recorded in the audit log.
  std::string audit_id() const { return system ? display_name : "user:" + user_id; }

  static Principal Anonymous();
  static Principal System(std::string name);
};

// What a route needs (see http::Policy).
enum class Need { kNone, kSignedIn, kWriter, kAdmin, kAudit, kExportControl };

enum class Decision { kAllow, kUnauthenticated, kForbidden };
Decision DecideRoute(const Principal& who, Need need);

struct RecordScope {
  std::string owner_scope;
  Sharing sharing = Sharing::kPrivate;
  std::string assigned_to;  // user id, or ""
};

bool CanRead(const Principal& who, const RecordScope& record);
// May change (or delete) the record. For a create, `record` is the new record.
bool CanWrite(const Principal& who, const RecordScope& record);
// May change the record's sharing level.
bool CanShare(const Principal& who, const RecordScope& record);

// The SQL condition on a table's owner_scope and sharing columns that selects what `who` may
// read, with its parameters in order. "1=1" for those who read everything.
struct SqlFilter {
  std::string sql;
  std::vector<std::string> params;
};
SqlFilter VisibilityFilter(const Principal& who);

}  // namespace cbrnhub::access
