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

bool ReadsEverything(const Principal& who) {
  return who.system || who.role == Role::kAdmin || who.role == Role::kAuditor;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "country:UZ" -> {"country", "UZ"}
std::pair<std::string, std::string> SplitScope(const std::string& scope) {
  auto colon = scope.find(':');
  if (colon == std::string::npos) return {scope, ""};
  return {scope.substr(0, colon), scope.substr(colon + 1)};
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
  return role == Role::kLicensingOfficer || role == Role::kReviewingAgency || role == Role::kCustoms;
}

const char* SharingName(Sharing sharing) { return kSharingNames[static_cast<int>(sharing)]; }

std::optional<Sharing> ParseSharing(const std::string& name) {
  for (int i = 0; i < 4; ++i) {
    if (name == kSharingNames[i]) return static_cast<Sharing>(i);
  }
  return std::nullopt;
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
  }
  return Decision::kForbidden;
}

bool CanRead(const Principal& who, const RecordScope& record) {
  if (!who.authenticated()) return false;
  if (ReadsEverything(who)) return true;
  auto [kind, id] = SplitScope(record.owner_scope);
  if (kind == "exportctl") return IsExportControlRole(who.role) && id == who.country;
  if (record.sharing == Sharing::kPublished) return true;
  bool beyond_private = record.sharing != Sharing::kPrivate;
  if (IsCountryRole(who.role)) {
    if (kind == "country") return id == who.country;
    // A region's own records reach its member countries once shared beyond the secretariat.
    if (kind == "region") return beyond_private && Contains(who.related, id);
    return false;
  }
  if (who.role == Role::kSecretariat) {
    if (kind == "region") return id == who.region;
    if (kind == "country") return beyond_private && Contains(who.related, id);
    return false;
  }
  if (who.role == Role::kProgramme) {
    return kind == "network" ||
           record.sharing == Sharing::kNetwork;
  }
  return false;  // observers: published only
}

bool CanWrite(const Principal& who, const RecordScope& record) {
  if (!who.authenticated()) return false;
  if (who.system || who.role == Role::kAdmin) return true;
  auto [kind, id] = SplitScope(record.owner_scope);
  if (kind == "exportctl") {
    // Reviewing agencies and customs add opinions and checks through their own operations.
    return who.role == Role::kLicensingOfficer && id == who.country;
  }
  switch (who.role) {
    case Role::kNfp:
    case Role::kLicensingOfficer:
      return kind == "country" && id == who.country;
    case Role::kTeam:
    case Role::kReviewingAgency:
    case Role::kCustoms:
      // Team members edit only what the focal point assigned to them.
      return kind == "country" && id == who.country && !record.assigned_to.empty() &&
             record.assigned_to == who.user_id;
    case Role::kSecretariat:
      return kind == "region" && id == who.region;
    case Role::kProgramme:
      return kind == "network";
    default:
      return false;
  }
}

bool CanShare(const Principal& who, const RecordScope& record) {
  if (!who.authenticated()) return false;
  if (who.system || who.role == Role::kAdmin) return true;
  auto [kind, id] = SplitScope(record.owner_scope);
  if (who.role == Role::kNfp) return kind == "country" && id == who.country;
  if (who.role == Role::kSecretariat) return kind == "region" && id == who.region;
  if (who.role == Role::kProgramme) return kind == "network";
  return false;
}

SqlFilter VisibilityFilter(const Principal& who) {
  if (!who.authenticated()) return {"1=0", {}};
  if (ReadsEverything(who)) return {"1=1", {}};
  SqlFilter f{"(sharing = 'published' AND owner_scope NOT LIKE 'exportctl:%')", {}};
  auto any_of = [&](const std::string& prefix, const std::vector<std::string>& ids) {
    std::string marks;
    for (const auto& id : ids) {
      marks += marks.empty() ? "?" : ", ?";
      f.params.push_back(prefix + id);
    }
    return "owner_scope IN (" + marks + ")";
  };
  if (IsCountryRole(who.role)) {
    f.sql += " OR owner_scope = ?";
    f.params.push_back("country:" + who.country);
    if (IsExportControlRole(who.role)) {
      f.sql += " OR owner_scope = ?";
      f.params.push_back("exportctl:" + who.country);
    }
    if (!who.related.empty()) {
      f.sql += " OR (sharing <> 'private' AND " + any_of("region:", who.related) + ")";
    }
  } else if (who.role == Role::kSecretariat) {
    f.sql += " OR owner_scope = ?";
    f.params.push_back("region:" + who.region);
    if (!who.related.empty()) {
      f.sql += " OR (sharing <> 'private' AND " + any_of("country:", who.related) + ")";
    }
  } else if (who.role == Role::kProgramme) {
    f.sql += " OR owner_scope = 'network' OR sharing = 'network'";
  }
  f.sql = "(" + f.sql + ")";
  return f;
}

}  // namespace cbrnhub::access
