#include "access/access.h"

#include <algorithm>

namespace cbrnhub::access {
namespace {

struct RoleInfo {
  Role role;
  const char* name;
};
constexpr RoleInfo kRoles[] = {
    {Role::kAdmin, "admin"},
    {Role::kAuditor, "auditor"},
    {Role::kProgramme, "programme"},
    {Role::kSecretariat, "secretariat"},
    {Role::kNfp, "nfp"},
    {Role::kTeam, "team"},
    {Role::kObserver, "observer"},
    {Role::kLicensingOfficer, "licensing_officer"},
    {Role::kReviewingAgency, "reviewing_agency"},
    {Role::kCustoms, "customs"},
};

constexpr const char* kSharingNames[] = {"private", "region", "network", "published"};

struct ActionInfo {
  Action action;
  const char* name;
};
constexpr ActionInfo kActions[] = {
    {Action::kRead, "read"},     {Action::kCreate, "create"}, {Action::kChange, "change"},
    {Action::kShare, "share"},   {Action::kAssign, "assign"}, {Action::kAnswer, "answer"},
    {Action::kSubmit, "submit"}, {Action::kReview, "review"}, {Action::kImport, "import"},
    {Action::kScreen, "screen"}, {Action::kDecide, "decide"},
};

bool IsAdmin(const Principal& who) { return who.system || who.role == Role::kAdmin; }

bool ReadsEverything(const Principal& who) { return IsAdmin(who) || who.role == Role::kAuditor; }

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "country:UZ" -> {"country", "UZ"}
std::pair<std::string, std::string> SplitScope(const std::string& scope) {
  auto colon = scope.find(':');
  if (colon == std::string::npos) return {scope, ""};
  return {scope.substr(0, colon), scope.substr(colon + 1)};
}

bool IsExportControlScope(const std::string& owner_scope) {
  return owner_scope.rfind("exportctl:", 0) == 0;
}

// --- Reading: grants -------------------------------------------------------------------------
//
// What a principal may read is a list of grants: records whose owner is one of `owners` (or,
// with `any_owner`, any owner except an export-control one) and whose sharing is at least
// `min`. CanRead tests a record against them; VisibilityFilter writes them as SQL.
struct Grant {
  bool everything = false;
  bool any_owner = false;
  std::vector<std::string> owners;
  Sharing min = Sharing::kPrivate;
  std::string participant;  // instead of owners: records listing this country as participant
};

std::vector<Grant> ReadGrants(const Principal& who) {
  std::vector<Grant> grants;
  if (!who.authenticated()) return grants;
  if (ReadsEverything(who)) return {Grant{true, false, {}, Sharing::kPrivate}};
  grants.push_back({false, true, {}, Sharing::kPublished});
  auto scoped = [](const std::string& prefix, const std::vector<std::string>& ids) {
    std::vector<std::string> out;
    for (const auto& id : ids) out.push_back(prefix + id);
    return out;
  };
  if (IsCountryRole(who.role) && !who.country.empty()) {
    grants.push_back({false, false, {"country:" + who.country}, Sharing::kPrivate});
    if (IsExportControlRole(who.role)) {
      grants.push_back({false, false, {"exportctl:" + who.country}, Sharing::kPrivate});
    }
    // A region's own records reach its member countries once shared beyond the secretariat,
    // and a project reaches its participating countries likewise.
    if (!who.related.empty())
      grants.push_back({false, false, scoped("region:", who.related), Sharing::kRegion});
    grants.push_back({false, false, {}, Sharing::kRegion, who.country});
  } else if (who.role == Role::kSecretariat && !who.region.empty()) {
    grants.push_back({false, false, {"region:" + who.region}, Sharing::kPrivate});
    if (!who.related.empty())
      grants.push_back({false, false, scoped("country:", who.related), Sharing::kRegion});
  } else if (who.role == Role::kProgramme) {
    grants.push_back({false, false, {"network"}, Sharing::kPrivate});
    grants.push_back({false, true, {}, Sharing::kNetwork});
  }
  return grants;
}

bool Matches(const Grant& g, const RecordScope& r) {
  if (g.everything) return true;
  if (!g.participant.empty()) {
    return !IsExportControlScope(r.owner_scope) && Contains(r.participants, g.participant) &&
           r.sharing >= g.min;
  }
  bool owner =
      g.any_owner ? !IsExportControlScope(r.owner_scope) : Contains(g.owners, r.owner_scope);
  // Export-control records are never shared: their sharing level counts as private.
  Sharing sharing = IsExportControlScope(r.owner_scope) || r.policy == Policy::kExportControl
                        ? Sharing::kPrivate
                        : r.sharing;
  return owner && sharing >= g.min;
}

// --- Changing ----------------------------------------------------------------------------

Verdict Yes() { return {true, "", "", {}}; }
// `key`: "access.<key>" in the catalogue.
Verdict No(std::string why, const std::string& key, std::vector<std::pair<std::string, std::string>> args = {}) {
  return {false, std::move(why), "access." + key, std::move(args)};
}

// Who writes a record of this owner as its owner: the country's focal point (and, for
// country records, its licensing officer), the region's secretariat, programme staff for the
// network.
bool IsOwnerWriter(const Principal& who, const std::string& kind, const std::string& id) {
  if (IsAdmin(who)) return true;
  if (kind == "country")
    return (who.role == Role::kNfp || who.role == Role::kLicensingOfficer) && id == who.country;
  if (kind == "region") return who.role == Role::kSecretariat && id == who.region;
  if (kind == "network") return who.role == Role::kProgramme;
  return false;
}

// Who decides sharing and assignment: the focal point, the secretariat, programme staff.
bool IsOwnerDecider(const Principal& who, const std::string& kind, const std::string& id) {
  if (IsAdmin(who)) return true;
  if (kind == "country") return who.role == Role::kNfp && id == who.country;
  if (kind == "region") return who.role == Role::kSecretariat && id == who.region;
  if (kind == "network") return who.role == Role::kProgramme;
  return false;
}

bool AssignedTo(const Principal& who, const RecordScope& r) {
  return !r.assigned_to.empty() && r.assigned_to == who.user_id;
}

Verdict DecideRecord(const Principal& who, Action action, const RecordScope& r,
                     const std::string& kind, const std::string& id) {
  switch (action) {
    case Action::kCreate:
      if (IsOwnerWriter(who, kind, id)) return Yes();
      return No("you may not create records owned by " + r.owner_scope, "create_other_owner");
    case Action::kChange:
      if (IsOwnerWriter(who, kind, id)) return Yes();
      // Team members (and a country's other roles) edit only what the focal point assigned them.
      if (kind == "country" && IsCountryRole(who.role) && id == who.country && AssignedTo(who, r))
        return Yes();
      return No("you may read this record but not change it", "read_only");
    case Action::kShare:
    case Action::kAssign:
      if (IsOwnerDecider(who, kind, id)) return Yes();
      return No("only the owner's focal point or secretariat may change sharing or assignment", "owner_decides");
    default:
      return No(std::string("'") + ActionName(action) + "' does not apply to this record", "not_applicable");
  }
}

bool IsDraftLike(const std::string& state) { return state == "draft" || state == "returned"; }

Verdict DecideAssessment(const Principal& who, Action action, const RecordScope& r,
                         const std::string& kind, const std::string& id) {
  bool country_ok = kind == "country";
  bool nfp = country_ok && (IsAdmin(who) || (who.role == Role::kNfp && who.country == id));
  switch (action) {
    case Action::kCreate:
    case Action::kChange:
      if (nfp) return Yes();
      return No("the country's focal point starts and manages its assessments", "assessment_nfp_manages");
    case Action::kShare:
    case Action::kAssign:
      if (nfp) return Yes();
      return No("the country's focal point decides what its assessment shares", "assessment_nfp_shares");
    case Action::kAnswer:
      if (!(nfp || (country_ok && who.role == Role::kTeam && who.country == id))) {
        return No("only the country's focal point and national team answer its assessment", "assessment_who_answers");
      }
      if (!IsDraftLike(r.state))
        return No("answers change only in a draft or a returned assessment", "assessment_answers_locked");
      return Yes();
    case Action::kSubmit:
      if (!nfp) return No("the country's focal point submits its assessment", "assessment_nfp_submits");
      if (!IsDraftLike(r.state)) return No("only a draft or a returned assessment is submitted", "assessment_submit_state");
      return Yes();
    case Action::kReview: {
      bool region = country_ok &&
                    (IsAdmin(who) || (who.role == Role::kSecretariat && Contains(who.related, id)));
      if (!region)
        return No("the secretariat of the country's region validates or returns its assessment", "assessment_secretariat_reviews");
      if (r.state != "submitted") return No("only a submitted assessment is validated or returned", "assessment_review_state");
      return Yes();
    }
    default:
      return No(std::string("'") + ActionName(action) + "' does not apply to an assessment", "not_applicable");
  }
}

Verdict DecidePlan(const Principal& who, Action action, const RecordScope& r, const std::string& kind,
                   const std::string& id) {
  bool decider = IsOwnerDecider(who, kind, id) && kind != "network";
  if (IsAdmin(who)) decider = true;
  // A team member changes what the focal point assigned to them, and adds to it (a milestone,
  // an indicator value of an assigned action inherits the assignment).
  bool assigned = kind == "country" && IsCountryRole(who.role) && !IsExportControlRole(who.role) &&
                  id == who.country && AssignedTo(who, r);
  switch (action) {
    case Action::kCreate:
    case Action::kChange:
      if (decider || assigned) return Yes();
      return No("the focal point (or the secretariat, for a region's plan) writes the plan; a team member "
                "changes only what is assigned to them", "plan_who_writes");
    case Action::kShare:
    case Action::kAssign:
    case Action::kSubmit:
      if (decider) return Yes();
      return No("only the owner's focal point or secretariat adopts, shares and assigns", "plan_owner_decides");
    default:
      return No(std::string("'") + ActionName(action) + "' does not apply to a plan or project", "not_applicable");
  }
}

Verdict DecideExportControl(const Principal& who, Action action, const std::string& id) {
  bool admin = IsAdmin(who);
  bool own = !id.empty() && id == who.country;
  bool officer = admin || (who.role == Role::kLicensingOfficer && own);
  switch (action) {
    case Action::kCreate:
    case Action::kChange:
    case Action::kSubmit:
    case Action::kImport:
    case Action::kDecide:
    case Action::kAssign:
      if (officer) return Yes();
      return No(
          "only the country's licensing officers (and administrators) do this in export control", "exportctl_officers");
    case Action::kReview:
      if (officer || (who.role == Role::kReviewingAgency && own)) return Yes();
      return No("only the country's reviewing agencies and licensing officers give opinions", "exportctl_opinions");
    case Action::kScreen:
      if (officer || (who.role == Role::kCustoms && own)) return Yes();
      return No("only licensing officers, customs and administrators screen parties", "exportctl_screening");
    case Action::kShare:
      return No(
          "export-control records are never shared beyond the country's export-control roles", "exportctl_not_shared");
    default:
      return No(std::string("'") + ActionName(action) +
                "' does not apply to export-control records", "not_applicable");
  }
}

}  // namespace

const char* RoleName(Role role) {
  for (const auto& r : kRoles) {
    if (r.role == role) return r.name;
  }
  return "observer";
}

std::optional<Role> ParseRole(const std::string& name) {
  for (const auto& r : kRoles) {
    if (name == r.name) return r.role;
  }
  return std::nullopt;
}

std::vector<Role> AllRoles() {
  std::vector<Role> out;
  for (const auto& r : kRoles) out.push_back(r.role);
  return out;
}

bool IsCountryRole(Role role) {
  return role == Role::kNfp || role == Role::kTeam || role == Role::kLicensingOfficer ||
         role == Role::kReviewingAgency || role == Role::kCustoms;
}

bool IsRegionRole(Role role) { return role == Role::kSecretariat; }

bool IsExportControlRole(Role role) {
  return role == Role::kLicensingOfficer || role == Role::kReviewingAgency ||
         role == Role::kCustoms;
}

const char* SharingName(Sharing sharing) { return kSharingNames[static_cast<int>(sharing)]; }

std::optional<Sharing> ParseSharing(const std::string& name) {
  for (int i = 0; i < 4; ++i) {
    if (name == kSharingNames[i]) return static_cast<Sharing>(i);
  }
  return std::nullopt;
}

const char* ActionName(Action action) {
  for (const auto& a : kActions) {
    if (a.action == action) return a.name;
  }
  return "?";
}

std::vector<Action> AllActions() {
  std::vector<Action> out;
  for (const auto& a : kActions) out.push_back(a.action);
  return out;
}

Principal Principal::Anonymous() { return Principal{}; }

Principal Principal::System(std::string name) {
  Principal p;
  p.system = true;
  p.role = Role::kAdmin;
  p.display_name = std::move(name);
  return p;
}

Decision DecideRoute(const Principal& who, Need need) {
  if (need == Need::kNone) return Decision::kAllow;
  if (!who.authenticated()) return Decision::kUnauthenticated;
  if (who.system) return Decision::kAllow;
  switch (need) {
    case Need::kNone:
    case Need::kSignedIn:
      return Decision::kAllow;
    case Need::kWriter:
      return who.role == Role::kObserver || who.role == Role::kAuditor ? Decision::kForbidden
                                                                       : Decision::kAllow;
    case Need::kAdmin:
      return who.role == Role::kAdmin ? Decision::kAllow : Decision::kForbidden;
    case Need::kAudit:
      return who.role == Role::kAdmin || who.role == Role::kAuditor ? Decision::kAllow
                                                                    : Decision::kForbidden;
    case Need::kExportControl:
      return who.role == Role::kAdmin || who.role == Role::kAuditor || IsExportControlRole(who.role)
                 ? Decision::kAllow
                 : Decision::kForbidden;
    case Need::kMetrics:
      return who.role == Role::kAdmin ? Decision::kAllow : Decision::kForbidden;
  }
  return Decision::kForbidden;
}

Decision DecideRoute(const Principal& who, Need need, bool from_monitoring_address) {
  if (need == Need::kMetrics && from_monitoring_address) return Decision::kAllow;
  return DecideRoute(who, need);
}

std::string OwnScope(const Principal& who) {
  if (IsAdmin(who) || who.role == Role::kProgramme) return "network";
  if (IsCountryRole(who.role) && !who.country.empty()) return "country:" + who.country;
  if (who.role == Role::kSecretariat && !who.region.empty()) return "region:" + who.region;
  return "";
}

RecordScope OwnExportControlScope(const Principal& who) {
  RecordScope r;
  r.policy = Policy::kExportControl;
  if (IsAdmin(who)) {
    r.owner_scope = "exportctl:-";
  } else if (IsExportControlRole(who.role) && !who.country.empty()) {
    r.owner_scope = "exportctl:" + who.country;
  } else {
    r.owner_scope = "exportctl:";  // nobody's: every action on it is refused
  }
  return r;
}

bool CanRead(const Principal& who, const RecordScope& record) {
  for (const auto& g : ReadGrants(who)) {
    if (Matches(g, record)) return true;
  }
  return false;
}

Verdict Decide(const Principal& who, Action action, const RecordScope& record) {
  if (!who.authenticated()) return No("sign in first", "sign_in_first");
  if (action == Action::kRead) return CanRead(who, record) ? Yes() : No("not found", "not_found");
  if (!IsAdmin(who) && (who.role == Role::kAuditor || who.role == Role::kObserver)) {
    return No("your role reads and changes nothing", "reads_only");
  }
  auto [kind, id] = SplitScope(record.owner_scope);
  if (kind == "exportctl" || record.policy == Policy::kExportControl) {
    return DecideExportControl(who, action, kind == "exportctl" ? id : "");
  }
  if (record.policy == Policy::kAssessment) return DecideAssessment(who, action, record, kind, id);
  if (record.policy == Policy::kPlan) return DecidePlan(who, action, record, kind, id);
  return DecideRecord(who, action, record, kind, id);
}

bool Allows(const Principal& who, Action action, const RecordScope& record) {
  return Decide(who, action, record).allowed;
}

Status Verdict::Refusal(StatusCode code, std::string field) const {
  return Status(code, reason, std::move(field)).Says(key, args);
}

Status Require(const Principal& who, Action action, const RecordScope& record) {
  Verdict v = Decide(who, action, record);
  if (v.allowed) return Status::Ok();
  return v.Refusal();
}

std::vector<Sharing> SharingLevels(const Principal& who, const RecordScope& record) {
  if (!Allows(who, Action::kShare, record)) return {};
  if (record.policy == Policy::kAssessment) {
    // Private while the team works, with the region from submission, further once validated.
    if (record.state == "draft") return {Sharing::kPrivate};
    if (record.state == "returned") return {Sharing::kPrivate, Sharing::kRegion};
    if (record.state == "submitted") return {Sharing::kRegion};
    if (record.state == "validated")
      return {Sharing::kRegion, Sharing::kNetwork, Sharing::kPublished};
    return {};
  }
  return {Sharing::kPrivate, Sharing::kRegion, Sharing::kNetwork, Sharing::kPublished};
}

Verdict DecideSharing(const Principal& who, const RecordScope& record, Sharing to) {
  Verdict may = Decide(who, Action::kShare, record);
  if (!may) return may;
  auto levels = SharingLevels(who, record);
  if (std::find(levels.begin(), levels.end(), to) != levels.end()) return Yes();
  if (record.policy == Policy::kAssessment) {
    return No(std::string("an assessment that is ") + record.state + " cannot be shared as " +
              SharingName(to) +
              ": it stays private while the team works, is shared with the region by submission, "
              "and further "
              "only once validated",
              "assessment_sharing", {{"state@assessment.state.", record.state}, {"choice_sharing", SharingName(to)}});
  }
  return No(std::string("this record cannot be shared as ") + SharingName(to), "sharing_level",
            {{"choice_sharing", SharingName(to)}});
}

Verdict MayAssignTo(const Principal& who, const RecordScope& record, const Principal& assignee) {
  Verdict may = Decide(who, Action::kAssign, record);
  if (!may) return may;
  auto [kind, id] = SplitScope(record.owner_scope);
  bool belongs = false;
  if (assignee.authenticated() && !assignee.system) {
    if (kind == "country") belongs = IsCountryRole(assignee.role) && assignee.country == id;
    if (kind == "exportctl") belongs = IsExportControlRole(assignee.role) && assignee.country == id;
    if (kind == "region") belongs = assignee.role == Role::kSecretariat && assignee.region == id;
    if (kind == "network") belongs = assignee.role == Role::kProgramme;
  }
  if (!belongs || !CanRead(assignee, record)) {
    return No("a record is assigned only to a person of its owner (" + record.owner_scope + ")",
              "assign_outside_owner");
  }
  return Yes();
}

SqlFilter VisibilityFilter(const Principal& who, const char* sharing_column, const char* participants_column) {
  SqlFilter f;
  for (const auto& g : ReadGrants(who)) {
    if (g.everything) return {"1=1", {}};
    // Without a sharing column every row is private: grants that need sharing match nothing.
    if (!sharing_column && g.min != Sharing::kPrivate) continue;
    std::string clause;
    if (!g.participant.empty()) {
      if (!participants_column) continue;  // a table without participants: nobody participates
      clause = std::string("owner_scope NOT LIKE 'exportctl:%' AND (',' || ") + participants_column +
               " || ',') LIKE ?";
      f.params.push_back("%," + g.participant + ",%");
    } else if (g.any_owner) {
      clause = "owner_scope NOT LIKE 'exportctl:%'";
    } else {
      std::string marks;
      for (const auto& o : g.owners) {
        marks += marks.empty() ? "?" : ", ?";
        f.params.push_back(o);
      }
      clause = "owner_scope IN (" + marks + ")";
    }
    if (g.min != Sharing::kPrivate) {
      std::string levels;
      for (int s = static_cast<int>(g.min); s <= static_cast<int>(Sharing::kPublished); ++s) {
        levels += std::string(levels.empty() ? "'" : ", '") + kSharingNames[s] + "'";
      }
      // Export-control owners are excluded by the owner clause of every grant that reads
      // shared records, so their sharing level never matters.
      clause += std::string(" AND ") + sharing_column + " IN (" + levels + ")";
    }
    f.sql += (f.sql.empty() ? "(" : " OR (") + clause + ")";
  }
  if (f.sql.empty()) return {"1=0", {}};
  f.sql = "(" + f.sql + ")";
  return f;
}

}  // namespace cbrnhub::access
