#include "identity/identity.h"

#include <liboath/oath.h>
#include <nlohmann/json.hpp>
#include <qrencode.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>
#include <unordered_map>

#include "audit/audit.h"
#include "core/ids.h"

namespace cbrnhub::identity {
namespace {

using nlohmann::json;
using storage::Param;
using storage::Params;

constexpr int kTotpStep = 30;          // seconds, as every authenticator app expects
constexpr int kTotpDigits = 6;
constexpr size_t kTotpWindow = 1;      // accept the previous and next code (clock drift)
constexpr size_t kMinPassword = 10;    // NIST SP 800-63B asks for at least 8
constexpr size_t kMaxPassword = 256;
constexpr int kLastSeenGranularity = 60;  // seconds between updates of a session's last_seen
constexpr const char* kUserColumns =
    "id, username, display_name, email, role, country_iso2, region_code, password_hash,"
    " disabled, totp_secret, totp_enabled, totp_last_step, failed_logins, locked_until,"
    " invite_hash, invite_expires, last_login_at, created_at, revision, language";

struct UserRow {
  User user;
  std::string password_hash, totp_secret, invite_hash, invite_expires;
  std::int64_t totp_last_step = 0, failed_logins = 0;
};

UserRow ReadUser(const storage::Row& r) {
  UserRow u;
  u.user.id = r.Text(0);
  u.user.username = r.Text(1);
  u.user.display_name = r.Text(2);
  u.user.email = r.Text(3);
  u.user.role = access::ParseRole(r.Text(4)).value_or(access::Role::kObserver);
  u.user.country = r.Text(5);
  u.user.region = r.Text(6);
  u.password_hash = r.Text(7);
  u.user.has_password = !u.password_hash.empty();
  u.user.disabled = r.Int(8) != 0;
  u.totp_secret = r.Text(9);
  u.user.totp_enabled = r.Int(10) != 0;
  u.totp_last_step = r.Int(11);
  u.failed_logins = r.Int(12);
  u.user.locked_until = r.Text(13);
  u.invite_hash = r.Text(14);
  u.invite_expires = r.Text(15);
  u.user.last_login_at = r.Text(16);
  u.user.created_at = r.Text(17);
  u.user.revision = r.Int(18);
  u.user.language = r.Text(19);
  return u;
}

std::string PublicJson(const User& u) { return ToJson(u).dump(); }

std::string Base64Url(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// `key`: the catalogue's message for a page ("identity.<key>").
Status Denied(const std::string& m, const std::string& key = "only_admins") {
  return Status(StatusCode::kPermissionDenied, m).Says("identity." + key);
}
Status Locked(const std::string& until) {
  return Status(StatusCode::kPermissionDenied,
                "this account is locked after repeated failed sign-ins" +
                    (until.empty() ? std::string() : " until " + until.substr(0, 16) + " UTC"))
      .Says(until.empty() ? "identity.account_locked" : "identity.account_locked_until", {{"time_until", until}});
}
Status WrongCredentials() {
  return Status(StatusCode::kUnauthenticated, "wrong username or password").Says("identity.wrong_credentials");
}

bool IsAdmin(const records::Caller& c) {
  return c.who.system || c.who.role == access::Role::kAdmin;
}

Status CheckPassword(const std::string& password, const std::string& username) {
  if (password.size() < kMinPassword) {
    return Status::Invalid("password", "the password must have at least " +
                                           std::to_string(kMinPassword) + " characters")
        .Says("identity.password_too_short", {{"#min", std::to_string(kMinPassword)}});
  }
  if (password.size() > kMaxPassword) {
    return Status::Invalid("password", "the password is longer than " +
                                           std::to_string(kMaxPassword) + " characters")
        .Says("identity.password_too_long", {{"#max", std::to_string(kMaxPassword)}});
  }
  std::string lower = password;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower.find(username) != std::string::npos) {
    return Status::Invalid("password", "the password must not contain the username").Says("identity.password_contains_username");
  }
  return Status::Ok();
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

}  // namespace

struct Service::Impl {
  // Recently authenticated sessions, valid while the database's data version is unchanged.
  struct Cached {
    std::uint64_t version;
    Session session;
    // Unix time until which the entry may be used without looking at the clock strings again:
    // the earliest of expiry, idle expiry and the next last_seen_at update.
    long long valid_until;
  };
  std::mutex mu;
  std::unordered_map<std::string, Cached> sessions;  // by token hash
};

Service::Service(storage::Database& db, Settings settings)
    : impl_(std::make_unique<Impl>()), db_(db), settings_(settings) {
  static const int init = sodium_init() + oath_init();
  (void)init;
}

Service::~Service() = default;

namespace {

std::string HashPassword(const std::string& password, bool fast) {
  char out[crypto_pwhash_STRBYTES];
  // argon2id; the interactive limits cost ~64 MiB and tens of milliseconds per sign-in.
  unsigned long long ops = fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return "";
  }
  return out;
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<UserRow> FindUser(storage::Transaction& txn, const std::string& id_or_username) {
  std::string key = IsUuid(id_or_username) ? "id" : "username";
  std::string value = key == "id" ? id_or_username : Lower(id_or_username);
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn.Query(std::string("SELECT ") + kUserColumns + " FROM users WHERE " +
                                      key + " = ?",
                                  {value}));
  if (rows.empty()) return Status::NotFound("no user " + id_or_username);
  return ReadUser(rows[0]);
}

Result<access::Principal> LoadPrincipal(storage::Transaction& txn, const User& u) {
  access::Principal p;
  p.user_id = u.id;
  p.display_name = u.display_name;
  p.role = u.role;
  p.country = u.country;
  p.region = u.region;
  p.language = u.language;
  // A secretariat relates to its region's countries; a country role to its country's regions.
  bool region_role = access::IsRegionRole(u.role);
  if (!region_role && !access::IsCountryRole(u.role)) return p;
  CBRN_ASSIGN_OR_RETURN(
      storage::Rows rows,
      txn.Query(std::string("SELECT ") + (region_role ? "c.iso2" : "r.code") +
                    " FROM memberships m JOIN countries c ON c.id = m.country_id"
                    " JOIN regions r ON r.id = m.region_id WHERE " +
                    (region_role ? "r.code" : "c.iso2") + " = ? AND m.deleted_at IS NULL",
                {region_role ? u.region : u.country}));
  for (const auto& r : rows) p.related.push_back(r.Text(0));
  return p;
}

// Validates role and scope together: country roles need a country, the secretariat a region,
// network roles neither.
Status CheckRoleScope(storage::Transaction& txn, const std::string& role_name,
                      std::string& country, std::string& region) {
  auto role = access::ParseRole(role_name);
  if (!role) {
    std::string names;
    for (auto r : access::AllRoles()) names += (names.empty() ? "" : ", ") + std::string(access::RoleName(r));
    return Status::Invalid("role", "role must be one of: " + names).Says("identity.role_unknown");
  }
  std::transform(country.begin(), country.end(), country.begin(), ::toupper);
  std::transform(region.begin(), region.end(), region.begin(), ::toupper);
  if (access::IsCountryRole(*role)) {
    CBRN_ASSIGN_OR_RETURN(storage::Rows c, txn.Query("SELECT id FROM countries WHERE iso2 = ?", {country}));
    if (c.empty())
      return Status::Invalid("country", "role " + role_name + " needs a partner country (ISO code)")
          .Says("identity.role_needs_country", {{"role@role.", role_name}});
    region.clear();
  } else if (access::IsRegionRole(*role)) {
    CBRN_ASSIGN_OR_RETURN(storage::Rows r, txn.Query("SELECT id FROM regions WHERE code = ?", {region}));
    if (r.empty())
      return Status::Invalid("region", "role " + role_name + " needs a region code")
          .Says("identity.role_needs_region", {{"role@role.", role_name}});
    country.clear();
  } else {
    country.clear();
    region.clear();
  }
  return Status::Ok();
}

// Stores a new password hash, clears any lock-out, and (when `end_sessions`) signs the account
// out everywhere.
Status WritePassword(storage::Transaction& txn, const std::string& user_id, const std::string& hash,
                     const std::string& actor_id, bool end_sessions) {
  std::string now = NowUtc();
  CBRN_RETURN_IF_ERROR(txn.Exec("UPDATE users SET password_hash = ?, password_changed_at = ?,"
                                " failed_logins = 0, locked_until = '', revision = revision + 1,"
                                " updated_at = ?, updated_by = ? WHERE id = ?",
                                {hash, now, now, actor_id, user_id})
                           .status());
  if (!end_sessions) return Status::Ok();
  return txn.Exec("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                  {now, user_id})
      .status();
}

Status RecordFailure(storage::Database& db, const std::string& remote_addr,
                     const std::string& user_id, const std::string& username,
                     const std::string& reason) {
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::Access::kWrite));
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO login_failures (key, at) VALUES (?, ?)",
                                 {"addr:" + remote_addr, NowUtc()})
                           .status());
  CBRN_RETURN_IF_ERROR(audit::Append(
      *txn, {user_id.empty() ? "anonymous" : "user:" + user_id, remote_addr},
      {"login_failed", "users", user_id, "network", std::nullopt,
       json{{"username", username}, {"reason", reason}}.dump()}));
  return txn->Commit();
}

}  // namespace

Result<std::pair<User, std::string>> Service::CreateUser(const records::Caller& caller,
                                                         const NewUser& in) {
  if (!IsAdmin(caller)) return Denied("only administrators manage users");
  std::string username = Lower(in.username);
  if (username.size() < 3 || username.size() > 64 ||
      username.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._@-") != std::string::npos) {
    return Status::Invalid("username",
                           "username: 3 to 64 characters of a-z, 0-9, '.', '_', '@', '-'")
        .Says("identity.username_rules");
  }
  if (in.display_name.empty() || records::Utf8Length(in.display_name) < 0 ||
      records::Utf8Length(in.display_name) > 200) {
    return Status::Invalid("display_name", "display_name is required (at most 200 characters)")
        .Says("identity.display_name_required");
  }
  if (!in.email.empty() && (in.email.find('@') == std::string::npos || in.email.size() > 200)) {
    return Status::Invalid("email", "email is not an e-mail address").Says("identity.email_invalid");
  }
  if (!in.password.empty()) CBRN_RETURN_IF_ERROR(CheckPassword(in.password, username));
  std::string hash = in.password.empty() ? "" : HashPassword(in.password, settings_.fast_password_hashing);
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  std::string country = in.country, region = in.region;
  CBRN_RETURN_IF_ERROR(CheckRoleScope(*txn, in.role, country, region));
  CBRN_ASSIGN_OR_RETURN(storage::Rows taken,
                        txn->Query("SELECT id FROM users WHERE username = ?", {username}));
  if (!taken.empty()) {
    return Status(StatusCode::kConflict, "the username " + username + " is taken", "username");
  }
  std::string invite = in.password.empty() ? RandomUrlToken(24) : "";
  std::string id = NewUuid(), now = NowUtc();
  std::string actor = caller.actor().id;
  CBRN_RETURN_IF_ERROR(
      txn->Exec("INSERT INTO users (id, username, display_name, email, role, country_iso2,"
                " region_code, password_hash, invite_hash, invite_expires, password_changed_at,"
                " created_at, created_by, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {id, username, in.display_name, in.email, in.role, country, region, hash,
                 invite.empty() ? Param{std::monostate{}} : Param{Sha256Hex(invite)},
                 invite.empty() ? Param{std::monostate{}}
                                : Param{UtcAfter(settings_.invite_valid_hours * 3600LL)},
                 hash.empty() ? "" : now, now, actor, now, actor})
          .status());
  CBRN_ASSIGN_OR_RETURN(UserRow created, FindUser(*txn, id));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"create", "users", id, "network", std::nullopt,
                                      PublicJson(created.user)}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return std::make_pair(created.user, invite);
}

Result<std::vector<User>> Service::ListUsers(const records::Caller& caller) {
  if (!IsAdmin(caller)) return Denied("only administrators manage users");
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn->Query(std::string("SELECT ") + kUserColumns +
                                   " FROM users ORDER BY username"));
  std::vector<User> out;
  for (const auto& r : rows) out.push_back(ReadUser(r).user);
  return out;
}

Result<std::map<std::string, std::string>> Service::ActorNames(const records::Caller& caller) {
  if (!caller.who.authenticated()) return Denied("sign in first", "sign_in_first");
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn->Query("SELECT id, display_name FROM users"));
  std::map<std::string, std::string> out;
  for (const auto& r : rows) {
    access::Principal who;
    who.user_id = r.Text(0);
    const std::string& name = r.Text(1);
    out[who.audit_id()] = name.empty() ? who.user_id : name;
  }
  return out;
}

Result<User> Service::GetUser(const records::Caller& caller, const std::string& id_or_username) {
  if (!IsAdmin(caller) && caller.who.user_id != id_or_username) {
    return Status::NotFound("no user " + id_or_username);
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*txn, id_or_username));
  return u.user;
}

Result<User> Service::UpdateUser(const records::Caller& caller, const std::string& id,
                                 const UserChanges& ch) {
  if (!IsAdmin(caller)) return Denied("only administrators manage users");
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(UserRow before, FindUser(*txn, id));
  User u = before.user;
  if (ch.display_name) {
    if (ch.display_name->empty())
      return Status::Invalid("display_name", "display_name is required").Says("identity.display_name_required");
    u.display_name = *ch.display_name;
  }
  if (ch.email) u.email = *ch.email;
  std::string role = ch.role ? *ch.role : access::RoleName(u.role);
  std::string country = ch.country ? *ch.country : u.country;
  std::string region = ch.region ? *ch.region : u.region;
  CBRN_RETURN_IF_ERROR(CheckRoleScope(*txn, role, country, region));
  if (ch.disabled) u.disabled = *ch.disabled;
  if (u.id == caller.who.user_id && (u.disabled || role != "admin")) {
    return Status::Invalid("role", "administrators cannot disable or demote themselves").Says("identity.admin_self");
  }
  std::string now = NowUtc();
  CBRN_RETURN_IF_ERROR(
      txn->Exec("UPDATE users SET display_name = ?, email = ?, role = ?, country_iso2 = ?,"
                " region_code = ?, disabled = ?, revision = revision + 1, updated_at = ?,"
                " updated_by = ? WHERE id = ?",
                {u.display_name, u.email, role, country, region,
                 static_cast<std::int64_t>(u.disabled), now, caller.actor().id, u.id})
          .status());
  if (u.disabled || role != access::RoleName(before.user.role) || country != before.user.country ||
      region != before.user.region) {
    // A changed role or scope takes effect now: the user signs in again.
    CBRN_RETURN_IF_ERROR(
        txn->Exec("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                  {now, u.id})
            .status());
  }
  CBRN_ASSIGN_OR_RETURN(UserRow after, FindUser(*txn, u.id));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"update", "users", u.id, "network",
                                      PublicJson(before.user), PublicJson(after.user)}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return after.user;
}

Status Service::ResetTotp(const records::Caller& caller, const std::string& id) {
  if (!IsAdmin(caller)) return Denied("only administrators manage users");
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(UserRow before, FindUser(*txn, id));
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE users SET totp_secret = '', totp_enabled = 0,"
                                 " totp_last_step = 0, revision = revision + 1, updated_at = ?,"
                                 " updated_by = ? WHERE id = ?",
                                 {NowUtc(), caller.actor().id, before.user.id})
                           .status());
  CBRN_ASSIGN_OR_RETURN(UserRow after, FindUser(*txn, before.user.id));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"reset_2fa", "users", before.user.id, "network",
                                      PublicJson(before.user), PublicJson(after.user)}));
  return txn->Commit();
}

Result<std::string> Service::Reinvite(const records::Caller& caller, const std::string& id) {
  if (!IsAdmin(caller)) return Denied("only administrators manage users");
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*txn, id));
  std::string invite = RandomUrlToken(24);
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE users SET invite_hash = ?, invite_expires = ?,"
                                 " updated_at = ?, updated_by = ? WHERE id = ?",
                                 {Sha256Hex(invite), UtcAfter(settings_.invite_valid_hours * 3600LL),
                                  NowUtc(), caller.actor().id, u.user.id})
                           .status());
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"invite", "users", u.user.id, "network", std::nullopt,
                                      PublicJson(u.user)}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return invite;
}

Result<User> Service::InvitedUser(const std::string& token) {
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn->Query("SELECT id FROM users WHERE invite_hash = ? AND invite_expires > ?"
                                   " AND disabled = 0",
                                   {Sha256Hex(token), NowUtc()}));
  if (rows.empty()) return Status::NotFound("this invitation is unknown, used or expired").Says("identity.invitation_unknown");
  CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*txn, rows[0].Text(0)));
  return u.user;
}

Status Service::AcceptInvite(const std::string& token, const std::string& password,
                             const std::string& remote_addr) {
  CBRN_ASSIGN_OR_RETURN(User invited, InvitedUser(token));
  CBRN_RETURN_IF_ERROR(CheckPassword(password, invited.username));
  std::string hash = HashPassword(password, settings_.fast_password_hashing);
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  std::string now = NowUtc();
  CBRN_ASSIGN_OR_RETURN(std::int64_t changed,
                        txn->Exec("UPDATE users SET password_hash = ?, invite_hash = NULL,"
                                  " invite_expires = NULL, password_changed_at = ?,"
                                  " failed_logins = 0, locked_until = '', revision = revision + 1,"
                                  " updated_at = ?, updated_by = ? WHERE id = ? AND invite_hash = ?",
                                  {hash, now, now, "user:" + invited.id, invited.id, Sha256Hex(token)}));
  if (changed != 1) return Status::NotFound("this invitation is unknown, used or expired").Says("identity.invitation_unknown");
  // A password reset ends every session the account had.
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                                 {now, invited.id})
                           .status());
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, {"user:" + invited.id, remote_addr},
                                     {"set_password", "users", invited.id, "network",
                                      std::nullopt, PublicJson(invited)}));
  return txn->Commit();
}

Result<User> Service::CreateAdmin(const std::string& username, const std::string& password,
                                  bool force) {
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
    CBRN_ASSIGN_OR_RETURN(storage::Rows admins,
                          txn->Query("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"));
    if (admins[0].Int(0) > 0 && !force) {
      return Status::Conflict("an administrator exists already: sign in as them to add users").Says("identity.admin_exists");
    }
  }
  records::Caller system{access::Principal::System("cli"), "local"};
  NewUser u{username, username, "", "admin", "", "", password};
  if (password.empty()) return Status::Invalid("password", "a password is required").Says("identity.password_required");
  CBRN_ASSIGN_OR_RETURN(auto created, CreateUser(system, u));
  return created.first;
}

Status Service::SetPassword(const records::Caller& caller, const std::string& username,
                            const std::string& password) {
  if (!IsAdmin(caller)) return Denied("only administrators manage users");
  CBRN_ASSIGN_OR_RETURN(auto read, db_.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*read, username));
  read.reset();
  CBRN_RETURN_IF_ERROR(CheckPassword(password, u.user.username));
  std::string hash = HashPassword(password, settings_.fast_password_hashing);
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_RETURN_IF_ERROR(WritePassword(*txn, u.user.id, hash, caller.actor().id, /*end_sessions=*/true));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"set_password", "users", u.user.id, "network",
                                      std::nullopt, PublicJson(u.user)}));
  return txn->Commit();
}

namespace {

// Opens a session for `user` in `txn` and audits it (with `method` unless "": how the first
// factor was given). The second factor is
// still to come when the account has one, whatever the first factor was.
Result<LoginResult> OpenSession(storage::Transaction& txn, const User& user, const Settings& settings,
                                const std::string& remote_addr, const std::string& user_agent,
                                const std::string& method) {
  LoginResult result;
  result.session_token = RandomUrlToken(32);
  Session& s = result.session;
  s.id = NewUuid();
  s.csrf_token = RandomUrlToken(24);
  s.mfa_pending = user.totp_enabled;
  std::string now = NowUtc();
  CBRN_RETURN_IF_ERROR(
      txn.Exec("INSERT INTO sessions (id, token_hash, user_id, csrf_token, mfa_done, created_at,"
               " last_seen_at, expires_at, remote_addr, user_agent)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               {s.id, Sha256Hex(result.session_token), user.id, s.csrf_token,
                static_cast<std::int64_t>(!s.mfa_pending), now, now,
                UtcAfter(3600LL * settings.session_absolute_hours), remote_addr,
                user_agent.substr(0, 300)})
          .status());
  CBRN_RETURN_IF_ERROR(audit::Append(txn, {"user:" + user.id, remote_addr},
                                     {s.mfa_pending ? "login_password" : "login", "users", user.id,
                                      "network", std::nullopt,
                                      method.empty() ? std::nullopt
                                                     : std::optional<std::string>(json{{"method", method}}.dump())}));
  return result;
}

}  // namespace

Result<LoginResult> Service::Login(const std::string& username_in, const std::string& password,
                                   const std::string& remote_addr, const std::string& user_agent) {
  std::string username = Lower(username_in);
  std::optional<UserRow> found;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
    CBRN_ASSIGN_OR_RETURN(
        storage::Rows recent,
        txn->Query("SELECT count(*) FROM login_failures WHERE key = ? AND at > ?",
                   {"addr:" + remote_addr, UtcAfter(-60LL * settings_.address_window_minutes)}));
    if (recent[0].Int(0) >= settings_.address_max_failures) {
      return Status(StatusCode::kTooManyRequests,
                    "too many failed sign-ins from your address: wait " +
                        std::to_string(settings_.address_window_minutes) + " minutes");
    }
    auto u = FindUser(*txn, username);
    if (u.ok()) found = std::move(u).value();
  }
  if (!found || found->password_hash.empty()) {
    // Spend the same time as a real check, so response times do not reveal which usernames exist.
    static const std::string dummy = HashPassword("timing-equaliser-password", settings_.fast_password_hashing);
    VerifyPassword(dummy, password);
    CBRN_RETURN_IF_ERROR(RecordFailure(db_, remote_addr, found ? found->user.id : "", username,
                                       "unknown user"));
    return WrongCredentials();
  }
  const User& user = found->user;
  if (user.disabled) {
    CBRN_RETURN_IF_ERROR(RecordFailure(db_, remote_addr, user.id, username, "disabled"));
    return Denied("this account is disabled: ask an administrator", "account_disabled");
  }
  if (!user.locked_until.empty() && user.locked_until > NowUtc()) {
    CBRN_RETURN_IF_ERROR(RecordFailure(db_, remote_addr, user.id, username, "locked"));
    return Locked(user.locked_until);
  }
  bool ok = VerifyPassword(found->password_hash, password);
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  std::string now = NowUtc();
  if (!ok) {
    std::int64_t failures = found->failed_logins + 1;
    bool lock = failures >= settings_.max_failed_logins;
    CBRN_RETURN_IF_ERROR(
        txn->Exec("UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
                  {lock ? std::int64_t{0} : failures,
                   lock ? UtcAfter(60LL * settings_.lockout_minutes) : user.locked_until, user.id})
            .status());
    CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO login_failures (key, at) VALUES (?, ?)",
                                   {"addr:" + remote_addr, now})
                             .status());
    CBRN_RETURN_IF_ERROR(audit::Append(
        *txn, {"user:" + user.id, remote_addr},
        {lock ? "locked" : "login_failed", "users", user.id, "network", std::nullopt,
         json{{"username", username}, {"reason", "wrong password"}}.dump()}));
    CBRN_RETURN_IF_ERROR(txn->Commit());
    return WrongCredentials();
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE users SET failed_logins = 0, locked_until = '',"
                                 " last_login_at = ? WHERE id = ?",
                                 {now, user.id})
                           .status());
  CBRN_ASSIGN_OR_RETURN(LoginResult result, OpenSession(*txn, user, settings_, remote_addr, user_agent, ""));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  CBRN_ASSIGN_OR_RETURN(result.session, Authenticate(result.session_token));
  return result;
}

std::string RandomUrlToken(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  return Base64Url(buf.data(), buf.size());
}

std::string Base64UrlSha256(std::string_view data) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return Base64Url(h, sizeof h);
}

Status CheckDomainRule(const DomainRule& rule) {
  auto role = access::ParseRole(rule.role);
  if (rule.domain.empty() || rule.domain.find('@') != std::string::npos) {
    return Status::Invalid("sso_domain_rules", "a domain rule needs a domain such as example.org")
        .Says("identity.rule_needs_domain");
  }
  if (!role)
    return Status::Invalid("sso_domain_rules", "unknown role '" + rule.role + "' in the rule for " + rule.domain)
        .Says("identity.rule_role_unknown", {{"domain", rule.domain}});
  if (*role == access::Role::kAdmin || *role == access::Role::kAuditor) {
    return Status::Invalid("sso_domain_rules",
                           "a domain rule may not give the role " + rule.role + ": invite such users")
        .Says("identity.rule_role_not_allowed", {{"role@role.", rule.role}});
  }
  return Status::Ok();
}

namespace {

// The first rule whose domain is the e-mail address's (compared without case).
const DomainRule* MatchingRule(const std::vector<DomainRule>& rules, const std::string& email) {
  auto at = email.rfind('@');
  if (at == std::string::npos) return nullptr;
  std::string domain = Lower(email.substr(at + 1));
  for (const auto& rule : rules) {
    if (Lower(rule.domain) == domain) return &rule;
  }
  return nullptr;
}

}  // namespace

Result<LoginResult> Service::LoginExternal(const ExternalIdentity& external,
                                           const std::string& invite_token,
                                           const std::vector<DomainRule>& rules,
                                           const std::string& remote_addr,
                                           const std::string& user_agent) {
  if (external.issuer.empty() || external.subject.empty()) {
    return Status(StatusCode::kUnauthenticated, "the identity provider named nobody");
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  std::string now = NowUtc();
  audit::Actor system{"sso:" + external.issuer, remote_addr};
  CBRN_ASSIGN_OR_RETURN(storage::Rows linked,
                        txn->Query("SELECT user_id FROM external_identities WHERE issuer = ? AND subject = ?",
                                   {external.issuer, external.subject}));
  std::string user_id;
  if (!linked.empty()) {
    user_id = linked[0].Text(0);
  } else if (!invite_token.empty()) {
    CBRN_ASSIGN_OR_RETURN(storage::Rows invited,
                          txn->Query("SELECT id FROM users WHERE invite_hash = ? AND invite_expires > ?",
                                     {Sha256Hex(invite_token), now}));
    if (invited.empty()) {
      return Status::NotFound("this invitation is unknown, used or expired").Says("login.sso_invitation_unknown");
    }
    user_id = invited[0].Text(0);
    // The invitation is used up by the link: the account signs in through the provider.
    CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE users SET invite_hash = NULL, invite_expires = NULL,"
                                   " revision = revision + 1, updated_at = ?, updated_by = ? WHERE id = ?",
                                   {now, "user:" + user_id, user_id})
                             .status());
  } else {
    const DomainRule* rule = external.email_verified ? MatchingRule(rules, external.email) : nullptr;
    if (!rule) {
      txn.reset();  // RecordFailure writes in a transaction of its own
      CBRN_RETURN_IF_ERROR(RecordFailure(db_, remote_addr, "", external.email, "sso identity not linked"));
      return Denied("your identity provider's account is not linked to a cbrnhub account: ask an "
                    "administrator for an invitation")
          .Says("login.sso_not_linked");
    }
    CBRN_RETURN_IF_ERROR(CheckDomainRule(*rule));
    std::string username = Lower(external.email);
    if (username.size() < 3 || username.size() > 64 ||
        username.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._@-") != std::string::npos) {
      return Denied("your e-mail address cannot be a cbrnhub account name: ask an administrator for an invitation")
          .Says("login.sso_bad_username");
    }
    CBRN_ASSIGN_OR_RETURN(storage::Rows taken,
                          txn->Query("SELECT id FROM users WHERE username = ?", {username}));
    if (!taken.empty()) {
      return Status(StatusCode::kConflict,
                    "an account named " + username + " exists already: ask an administrator for an invitation to link it")
          .Says("login.sso_account_exists", {{"username", username}});
    }
    std::string country = rule->country, region = rule->region;
    CBRN_RETURN_IF_ERROR(CheckRoleScope(*txn, rule->role, country, region));
    user_id = NewUuid();
    std::string name = external.name.empty() ? external.email : external.name.substr(0, 200);
    CBRN_RETURN_IF_ERROR(
        txn->Exec("INSERT INTO users (id, username, display_name, email, role, country_iso2,"
                  " region_code, created_at, created_by, updated_at, updated_by)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  {user_id, username, name, external.email, rule->role, country, region, now,
                   system.id, now, system.id})
            .status());
    CBRN_ASSIGN_OR_RETURN(UserRow created, FindUser(*txn, user_id));
    CBRN_RETURN_IF_ERROR(audit::Append(*txn, system,
                                       {"create", "users", user_id, "network", std::nullopt,
                                        json{{"user", ToJson(created.user)}, {"domain_rule", rule->domain}}.dump()}));
  }
  CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*txn, user_id));
  if (u.user.disabled) return Denied("this account is disabled: ask an administrator", "account_disabled");
  if (!u.user.locked_until.empty() && u.user.locked_until > now) {
    return Locked(u.user.locked_until);
  }
  if (linked.empty()) {
    CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO external_identities (issuer, subject, user_id, email,"
                                   " linked_at) VALUES (?, ?, ?, ?, ?)",
                                   {external.issuer, external.subject, user_id, external.email, now})
                             .status());
    CBRN_RETURN_IF_ERROR(audit::Append(*txn, {"user:" + user_id, remote_addr},
                                       {"link_identity", "users", user_id, "network", std::nullopt,
                                        json{{"issuer", external.issuer}, {"subject", external.subject}}.dump()}));
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE external_identities SET last_login_at = ? WHERE issuer = ? AND subject = ?",
                                 {now, external.issuer, external.subject})
                           .status());
  CBRN_RETURN_IF_ERROR(
      txn->Exec("UPDATE users SET last_login_at = ? WHERE id = ?", {now, user_id}).status());
  CBRN_ASSIGN_OR_RETURN(LoginResult result,
                        OpenSession(*txn, u.user, settings_, remote_addr, user_agent, "sso"));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  CBRN_ASSIGN_OR_RETURN(result.session, Authenticate(result.session_token));
  return result;
}

Result<Session> Service::Authenticate(const std::string& session_token, std::uint64_t data_version) {
  if (session_token.empty() || session_token.size() > 200) {
    return Status(StatusCode::kUnauthenticated, "not signed in");
  }
  std::string key = Sha256Hex(session_token);
  std::uint64_t version = data_version ? data_version : db_.DataVersion();
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->sessions.find(key);
    if (it != impl_->sessions.end() && version != 0 && it->second.version == version &&
        UnixNow() < it->second.valid_until) {
      return it->second.session;
    }
  }
  std::string now = NowUtc();
  std::string idle_limit = UtcAfter(-60LL * settings_.session_idle_minutes);
  Session s;
  std::string last_seen, expires;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
    CBRN_ASSIGN_OR_RETURN(
        storage::Rows rows,
        txn->Query("SELECT id, user_id, csrf_token, mfa_done, last_seen_at, expires_at FROM sessions"
                   " WHERE token_hash = ? AND ended_at IS NULL",
                   {key}));
    if (rows.empty()) return Status(StatusCode::kUnauthenticated, "not signed in");
    last_seen = rows[0].Text(4);
    expires = rows[0].Text(5);
    if (expires <= now || last_seen <= idle_limit) {
      return Status(StatusCode::kUnauthenticated, "the session has expired: sign in again");
    }
    CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*txn, rows[0].Text(1)));
    if (u.user.disabled) return Status(StatusCode::kUnauthenticated, "the account is disabled");
    s.id = rows[0].Text(0);
    s.csrf_token = rows[0].Text(2);
    s.mfa_pending = rows[0].Int(3) == 0;
    CBRN_ASSIGN_OR_RETURN(s.who, LoadPrincipal(*txn, u.user));
    CBRN_ASSIGN_OR_RETURN(
        storage::Rows required,
        txn->Query("SELECT require_2fa FROM role_settings WHERE role = ?",
                   {std::string(access::RoleName(u.user.role))}));
    s.enrolment_required = !required.empty() && required[0].Int(0) != 0 && !u.user.totp_enabled;
  }
  if (last_seen <= UtcAfter(-kLastSeenGranularity)) {
    CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
    CBRN_RETURN_IF_ERROR(
        txn->Exec("UPDATE sessions SET last_seen_at = ? WHERE id = ?", {now, s.id}).status());
    CBRN_RETURN_IF_ERROR(txn->Commit());
    last_seen = now;
    version = db_.DataVersion();
  }
  std::lock_guard lock(impl_->mu);
  if (impl_->sessions.size() > 10000) impl_->sessions.clear();
  long long seen = UnixFromUtc(last_seen);
  long long valid_until = std::min({UnixFromUtc(expires), seen + 60LL * settings_.session_idle_minutes,
                                    seen + kLastSeenGranularity});
  impl_->sessions[key] = {version, s, valid_until};
  return s;
}

namespace {

// Checks a TOTP code against the secret, refusing a code of a time step already used.
Result<std::int64_t> CheckTotp(const std::string& secret_base32, std::int64_t last_step,
                               const std::string& code) {
  if (code.size() != kTotpDigits || code.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid("code", "enter the 6-digit code from the authenticator app").Says("identity.totp_code_form");
  }
  char* secret = nullptr;
  size_t secret_len = 0;
  if (oath_base32_decode(secret_base32.c_str(), secret_base32.size(), &secret, &secret_len) !=
      OATH_OK) {
    return Status::Internal("stored TOTP secret is not base32");
  }
  int pos = 0;
  time_t now = std::time(nullptr);
  int rc = oath_totp_validate2(secret, secret_len, now, kTotpStep, 0, kTotpWindow, &pos, code.c_str());
  free(secret);
  if (rc < 0) return Status(StatusCode::kUnauthenticated, "wrong or expired code").Says("identity.totp_code_wrong");
  std::int64_t step = now / kTotpStep + pos;
  if (step <= last_step) {
    return Status(StatusCode::kUnauthenticated, "this code was used already: wait for the next one")
        .Says("identity.totp_code_used");
  }
  return step;
}

}  // namespace

Status Service::VerifySecondFactor(const std::string& session_token, const std::string& code,
                                   const std::string& remote_addr) {
  CBRN_ASSIGN_OR_RETURN(Session s, Authenticate(session_token));
  if (!s.mfa_pending) return Status::Ok();
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*txn, s.who.user_id));
  if (!u.user.locked_until.empty() && u.user.locked_until > NowUtc()) {
    return Locked("");
  }
  auto step = CheckTotp(u.totp_secret, u.totp_last_step, code);
  if (!step.ok()) {
    if (step.status().code() == StatusCode::kUnauthenticated) {
      // Wrong codes count like wrong passwords: six digits must not be guessable.
      std::int64_t failures = u.failed_logins + 1;
      bool lock = failures >= settings_.max_failed_logins;
      CBRN_RETURN_IF_ERROR(
          txn->Exec("UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
                    {lock ? std::int64_t{0} : failures,
                     lock ? UtcAfter(60LL * settings_.lockout_minutes) : u.user.locked_until,
                     u.user.id})
              .status());
      if (lock) {
        CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE sessions SET ended_at = ? WHERE id = ?",
                                       {NowUtc(), s.id})
                                 .status());
      }
      CBRN_RETURN_IF_ERROR(audit::Append(*txn, {"user:" + u.user.id, remote_addr},
                                         {lock ? "locked" : "login_failed", "users", u.user.id,
                                          "network", std::nullopt,
                                          json{{"reason", "wrong second factor"}}.dump()}));
      CBRN_RETURN_IF_ERROR(txn->Commit());
    }
    return step.status();
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE users SET totp_last_step = ?, failed_logins = 0 WHERE id = ?",
                                 {*step, u.user.id})
                           .status());
  CBRN_RETURN_IF_ERROR(
      txn->Exec("UPDATE sessions SET mfa_done = 1 WHERE id = ?", {s.id}).status());
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, {"user:" + u.user.id, remote_addr},
                                     {"login", "users", u.user.id, "network", std::nullopt,
                                      json{{"second_factor", "totp"}}.dump()}));
  return txn->Commit();
}

Status Service::Logout(const std::string& session_token, const std::string& remote_addr) {
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn->Query("SELECT id, user_id FROM sessions WHERE token_hash = ? AND"
                                   " ended_at IS NULL",
                                   {Sha256Hex(session_token)}));
  if (rows.empty()) return Status::Ok();
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE sessions SET ended_at = ? WHERE id = ?",
                                 {NowUtc(), rows[0].Text(0)})
                           .status());
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, {"user:" + rows[0].Text(1), remote_addr},
                                     {"logout", "users", rows[0].Text(1), "network", std::nullopt,
                                      std::nullopt}));
  return txn->Commit();
}

Status Service::ChangePassword(const records::Caller& caller, const std::string& keep_session_token,
                               const std::string& current, const std::string& new_password) {
  if (caller.who.user_id.empty()) return Status(StatusCode::kUnauthenticated, "not signed in");
  UserRow u;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
    CBRN_ASSIGN_OR_RETURN(u, FindUser(*txn, caller.who.user_id));
  }
  if (!VerifyPassword(u.password_hash, current)) {
    return Status::Invalid("current_password", "the current password is wrong").Says("identity.current_password_wrong");
  }
  Status policy = CheckPassword(new_password, u.user.username);
  if (!policy.ok())
    return Status::Invalid("new_password", policy.message()).Says(policy.message_key(), policy.message_args());
  std::string hash = HashPassword(new_password, settings_.fast_password_hashing);
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_RETURN_IF_ERROR(WritePassword(*txn, u.user.id, hash, caller.actor().id, /*end_sessions=*/false));
  // Whoever else was signed in with the old password is signed out.
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND"
                                 " ended_at IS NULL AND token_hash <> ?",
                                 {NowUtc(), u.user.id, Sha256Hex(keep_session_token)})
                           .status());
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"change_password", "users", u.user.id, "network",
                                      std::nullopt, std::nullopt}));
  return txn->Commit();
}

Status Service::SetLanguage(const records::Caller& caller, const std::string& language) {
  if (caller.who.user_id.empty()) return Status(StatusCode::kUnauthenticated, "not signed in");
  if (language.size() > 8 || language.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
    return Status::Invalid("language", "language must be a code such as en, fr, ru or ar").Says("identity.language_invalid");
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(UserRow before, FindUser(*txn, caller.who.user_id));
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE users SET language = ?, revision = revision + 1,"
                                 " updated_at = ?, updated_by = ? WHERE id = ?",
                                 {language, NowUtc(), caller.actor().id, before.user.id})
                           .status());
  CBRN_ASSIGN_OR_RETURN(UserRow after, FindUser(*txn, before.user.id));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"update", "users", before.user.id, "network",
                                      PublicJson(before.user), PublicJson(after.user)}));
  return txn->Commit();
}

Result<TotpEnrolment> Service::BeginTotp(const records::Caller& caller) {
  if (caller.who.user_id.empty()) return Status(StatusCode::kUnauthenticated, "not signed in");
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*txn, caller.who.user_id));
  if (u.user.totp_enabled) {
    return Status::Conflict("two-factor sign-in is on already; an administrator can reset it").Says("identity.totp_on_already");
  }
  unsigned char raw[20];  // 160 bits, as RFC 4226 recommends
  randombytes_buf(raw, sizeof raw);
  char* b32 = nullptr;
  size_t b32_len = 0;
  if (oath_base32_encode(reinterpret_cast<const char*>(raw), sizeof raw, &b32, &b32_len) != OATH_OK) {
    return Status::Internal("cannot encode the TOTP secret");
  }
  std::string secret(b32, b32_len);
  free(b32);
  secret.erase(std::remove(secret.begin(), secret.end(), '='), secret.end());
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE users SET totp_secret = ?, totp_last_step = 0 WHERE id = ?",
                                 {secret, u.user.id})
                           .status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  TotpEnrolment e;
  e.secret_base32 = secret;
  e.otpauth_uri = "otpauth://totp/cbrnhub:" + u.user.username + "?secret=" + secret +
                  "&issuer=cbrnhub&algorithm=SHA1&digits=6&period=30";
  return e;
}

Status Service::ConfirmTotp(const records::Caller& caller, const std::string& code) {
  if (caller.who.user_id.empty()) return Status(StatusCode::kUnauthenticated, "not signed in");
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*txn, caller.who.user_id));
  if (u.user.totp_enabled) return Status::Conflict("two-factor sign-in is on already").Says("identity.totp_on_already");
  if (u.totp_secret.empty()) return Status::Invalid("code", "start the enrolment first").Says("identity.totp_start_first");
  CBRN_ASSIGN_OR_RETURN(std::int64_t step, CheckTotp(u.totp_secret, 0, code));
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE users SET totp_enabled = 1, totp_last_step = ?,"
                                 " revision = revision + 1, updated_at = ?, updated_by = ?"
                                 " WHERE id = ?",
                                 {step, NowUtc(), caller.actor().id, u.user.id})
                           .status());
  User after = u.user;
  after.totp_enabled = true;
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"enable_2fa", "users", u.user.id, "network",
                                      PublicJson(u.user), PublicJson(after)}));
  return txn->Commit();
}

Result<std::map<access::Role, bool>> Service::RolesRequiring2fa() {
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn->Query("SELECT role, require_2fa FROM role_settings"));
  std::map<access::Role, bool> out;
  for (auto r : access::AllRoles()) out[r] = false;
  for (const auto& row : rows) {
    if (auto role = access::ParseRole(row.Text(0))) out[*role] = row.Int(1) != 0;
  }
  return out;
}

Status Service::SetRoleRequires2fa(const records::Caller& caller, access::Role role, bool required) {
  if (!IsAdmin(caller)) return Denied("only administrators change role settings", "only_admins");
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  std::string name = access::RoleName(role), now = NowUtc();
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO role_settings (role, require_2fa, updated_at, updated_by)"
                                 " VALUES (?, ?, ?, ?) ON CONFLICT (role) DO UPDATE SET"
                                 " require_2fa = excluded.require_2fa, updated_at = excluded.updated_at,"
                                 " updated_by = excluded.updated_by",
                                 {name, static_cast<std::int64_t>(required), now, caller.actor().id})
                           .status());
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"update", "role_settings", name, "network", std::nullopt,
                                      json{{"role", name}, {"require_2fa", required}}.dump()}));
  return txn->Commit();
}

Result<std::pair<TokenInfo, std::string>> Service::CreateToken(const records::Caller& caller,
                                                               const std::string& name, int days) {
  if (caller.who.user_id.empty()) return Status(StatusCode::kUnauthenticated, "not signed in");
  if (name.empty() || name.size() > 100) {
    return Status::Invalid("name", "name the token (at most 100 characters), e.g. 'nightly export'").Says("identity.token_name");
  }
  if (days == 0) days = settings_.token_default_days;
  if (days < 1 || days > 366) return Status::Invalid("days", "days must be between 1 and 366").Says("identity.token_days");
  std::string token = "cbh_" + RandomUrlToken(32);
  TokenInfo info{NewUuid(), name, token.substr(0, 12), NowUtc(), UtcAfter(days * 86400LL), "", false};
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO api_tokens (id, user_id, name, token_hash, prefix,"
                                 " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 {info.id, caller.who.user_id, name, Sha256Hex(token), info.prefix,
                                  info.created_at, info.expires_at})
                           .status());
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"create", "api_tokens", info.id, "network", std::nullopt,
                                      json{{"name", name}, {"prefix", info.prefix},
                                           {"expires_at", info.expires_at}}
                                          .dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return std::make_pair(info, token);
}

Result<std::vector<TokenInfo>> Service::ListTokens(const records::Caller& caller) {
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn->Query("SELECT id, name, prefix, created_at, expires_at, last_used_at,"
                                   " revoked_at FROM api_tokens WHERE user_id = ? ORDER BY created_at",
                                   {caller.who.user_id}));
  std::vector<TokenInfo> out;
  for (const auto& r : rows) {
    out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), !r.IsNull(6)});
  }
  return out;
}

Status Service::RevokeToken(const records::Caller& caller, const std::string& token_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
  // Users revoke their own tokens; administrators anyone's.
  std::string sql = "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
  Params params = {NowUtc(), token_id};
  if (!IsAdmin(caller)) {
    sql += " AND user_id = ?";
    params.emplace_back(caller.who.user_id);
  }
  CBRN_ASSIGN_OR_RETURN(std::int64_t changed, txn->Exec(sql, params));
  if (changed != 1) return Status::NotFound("no active token " + token_id);
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"revoke", "api_tokens", token_id, "network", std::nullopt,
                                      std::nullopt}));
  return txn->Commit();
}

Result<access::Principal> Service::AuthenticateToken(const std::string& token) {
  if (token.rfind("cbh_", 0) != 0 || token.size() > 200) {
    return Status(StatusCode::kUnauthenticated, "not an API token");
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn->Query("SELECT user_id, expires_at, revoked_at FROM api_tokens"
                                   " WHERE token_hash = ?",
                                   {Sha256Hex(token)}));
  if (rows.empty() || !rows[0].IsNull(2)) {
    return Status(StatusCode::kUnauthenticated, "unknown or revoked API token");
  }
  if (rows[0].Text(1) <= NowUtc()) return Status(StatusCode::kUnauthenticated, "the API token has expired");
  CBRN_ASSIGN_OR_RETURN(UserRow u, FindUser(*txn, rows[0].Text(0)));
  if (u.user.disabled) return Status(StatusCode::kUnauthenticated, "the account is disabled");
  return LoadPrincipal(*txn, u.user);
}

Result<std::vector<Service::DemoAccount>> Service::SeedDemoUsers(const records::Caller& caller) {
  // Every demo account has the same, printed password: it is a demonstration, not a deployment.
  const std::string password = "cbrnhub-demo";
  struct Spec {
    const char* username;
    const char* name;
    const char* role;
    const char* country;
    const char* region;
  } specs[] = {
      {"admin", "Demo Administrator", "admin", "", ""},
      {"auditor", "Demo Auditor", "auditor", "", ""},
      {"programme", "Demo Programme Officer", "programme", "", ""},
      {"observer", "Demo Observer", "observer", "", ""},
      {"secretariat.ca", "Demo Secretariat (Central Asia)", "secretariat", "", "CA"},
      {"secretariat.seee", "Demo Secretariat (SEEE)", "secretariat", "", "SEEE"},
      {"nfp.uz", "Demo NFP Uzbekistan", "nfp", "UZ", ""},
      {"team.uz", "Demo Team Member Uzbekistan", "team", "UZ", ""},
      {"nfp.ge", "Demo NFP Georgia", "nfp", "GE", ""},
      {"team.ge", "Demo Team Member Georgia", "team", "GE", ""},
      {"licensing.uz", "Demo Licensing Officer Uzbekistan", "licensing_officer", "UZ", ""},
      {"reviewer.uz", "Demo Reviewing Agency Uzbekistan", "reviewing_agency", "UZ", ""},
      {"customs.uz", "Demo Customs Uzbekistan", "customs", "UZ", ""},
      {"licensing.ge", "Demo Licensing Officer Georgia", "licensing_officer", "GE", ""},
  };
  std::vector<DemoAccount> out;
  for (const auto& s : specs) {
    std::string scope = *s.country ? s.country : *s.region ? s.region : "network";
    out.push_back({s.username, password, s.role, scope});
    {
      CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kRead));
      if (FindUser(*txn, s.username).ok()) continue;
    }
    auto created = CreateUser(caller, {s.username, s.name, std::string(s.username) + "@example.org",
                                       s.role, s.country, s.region, password});
    if (!created.ok()) return created.status();
  }
  return out;
}

Result<std::vector<Mailable>> MailableUsers(storage::Transaction& txn) {
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                        txn.Query(std::string("SELECT ") + kUserColumns +
                                  " FROM users WHERE disabled = 0 AND email <> '' ORDER BY username"));
  std::vector<Mailable> out;
  for (const auto& r : rows) {
    User u = ReadUser(r).user;
    CBRN_ASSIGN_OR_RETURN(access::Principal who, LoadPrincipal(txn, u));
    out.push_back({std::move(u), std::move(who)});
  }
  return out;
}

records::Json ToJson(const User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"email", u.email},
          {"role", access::RoleName(u.role)},
          {"country", u.country},
          {"region", u.region},
          {"disabled", u.disabled},
          {"totp_enabled", u.totp_enabled},
          {"has_password", u.has_password},
          {"locked_until", u.locked_until},
          {"last_login_at", u.last_login_at},
          {"created_at", u.created_at},
          {"revision", u.revision},
          {"language", u.language}};
}

std::string TotpCode(const std::string& secret_base32, long long unix_time) {
  char* secret = nullptr;
  size_t len = 0;
  if (oath_base32_decode(secret_base32.c_str(), secret_base32.size(), &secret, &len) != OATH_OK) {
    return "";
  }
  char otp[kTotpDigits + 1] = {0};
  int rc = oath_totp_generate(secret, len, static_cast<time_t>(unix_time), kTotpStep, 0,
                              kTotpDigits, otp);
  free(secret);
  return rc == OATH_OK ? std::string(otp) : "";
}

QrModules QrCode(const std::string& text) {
  QrModules out;
  QRcode* qr = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!qr) return out;
  out.width = qr->width;
  out.dark.resize(static_cast<size_t>(qr->width) * qr->width);
  for (size_t i = 0; i < out.dark.size(); ++i) out.dark[i] = qr->data[i] & 1;
  QRcode_free(qr);
  return out;
}

}  // namespace cbrnhub::identity
