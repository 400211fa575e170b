// Identity: user accounts, passwords (argon2id), TOTP second factor, server-side sessions,
// API tokens, sign-in rate limiting and lock-out. Everything lives in the database, so several
// cbrnhub instances share it; every change to an account is audited.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/access.h"
#include "core/status.h"
#include "records/records.h"
#include "storage/storage.h"

namespace cbrnhub::identity {

struct Settings {
  int session_idle_minutes = 60;       // signed out after this long without a request
  int session_absolute_hours = 12;     // and after this long in any case
  int max_failed_logins = 5;           // then the account is locked ...
  int lockout_minutes = 15;            // ... for this long
  int address_window_minutes = 15;     // failed sign-ins counted per address over this window
  int address_max_failures = 30;       // beyond which the address gets 429
  int invite_valid_hours = 72;
  int token_default_days = 90;
  bool fast_password_hashing = false;  // tests only: argon2id at its minimum cost
};

struct User {
  std::string id, username, display_name, email;
  access::Role role = access::Role::kObserver;
  std::string country;  // ISO2, for country roles
  std::string region;   // code, for the secretariat
  bool disabled = false;
  bool totp_enabled = false;
  bool has_password = false;
  std::string locked_until, last_login_at, created_at;
  std::string language;  // chosen interface language, "" when none
  std::int64_t revision = 0;
};

struct NewUser {
  std::string username, display_name, email, role, country, region;
  std::string password;  // "" = send an invitation instead
};

struct UserChanges {
  std::optional<std::string> display_name, email, role, country, region;
  std::optional<bool> disabled;
};

// The state of a signed-in browser or API client.
struct Session {
  std::string id;
  std::string csrf_token;
  bool mfa_pending = false;        // password accepted, second factor still to come
  bool enrolment_required = false; // the role requires 2FA and the user has not enrolled
  access::Principal who;
};

struct LoginResult {
  std::string session_token;  // the cookie value; shown to nobody else
  Session session;
};

struct TotpEnrolment {
  std::string secret_base32;
  std::string otpauth_uri;
};

// A user as an identity provider vouched for it: the checked claims of an ID token.
struct ExternalIdentity {
  std::string issuer, subject, email, name;
  bool email_verified = false;
};

// Users of the provider whose verified e-mail address is in `domain` get an account with this
// role and scope at their first sign-in. Never an administrator or an auditor (CheckDomainRule).
struct DomainRule {
  std::string domain, role, country, region;
};
// InvalidArgument (field "sso_domain_rules") for a role that is unknown, administrator or auditor.
Status CheckDomainRule(const DomainRule& rule);

struct TokenInfo {
  std::string id, name, prefix, created_at, expires_at, last_used_at;
  bool revoked = false;
};

class Service {
 public:
  Service(storage::Database& db, Settings settings = {});
  ~Service();

  // --- accounts (administrators) ---
  // Creates a user. Without a password the result carries an invitation token (shown once).
  Result<std::pair<User, std::string>> CreateUser(const records::Caller& caller, const NewUser& u);
  Result<std::vector<User>> ListUsers(const records::Caller& caller);
  // The display name of each account by the id that records and the audit log keep of it
  // ("user:<uuid>", access::Principal::audit_id), so that pages show people by name. For any
  // signed-in caller: whoever may read a record may know who changed it.
  Result<std::map<std::string, std::string>> ActorNames(const records::Caller& caller);
  Result<User> GetUser(const records::Caller& caller, const std::string& id_or_username);
  Result<User> UpdateUser(const records::Caller& caller, const std::string& id,
                          const UserChanges& changes);
  Status ResetTotp(const records::Caller& caller, const std::string& id);
  // A new invitation (also how an administrator resets a forgotten password): the token.
  Result<std::string> Reinvite(const records::Caller& caller, const std::string& id);
  // Sets the password of the invited user; the token then stops working.
  Status AcceptInvite(const std::string& token, const std::string& password,
                      const std::string& remote_addr);
  // Who holds `token`, if it is a valid invitation.
  Result<User> InvitedUser(const std::string& token);
  // The first administrator of a fresh installation (refused once any administrator exists
  // unless `force`).
  Result<User> CreateAdmin(const std::string& username, const std::string& password, bool force);
  // Sets a password directly (command line).
  Status SetPassword(const records::Caller& caller, const std::string& username,
                     const std::string& password);

  // --- signing in ---
  // Unauthenticated for a wrong username or password (the same message for both),
  // PermissionDenied for a locked or disabled account, TooManyRequests for an address with too
  // many recent failures.
  Result<LoginResult> Login(const std::string& username, const std::string& password,
                            const std::string& remote_addr, const std::string& user_agent);
  // The session behind a cookie value; Unauthenticated when unknown, ended or expired.
  // `data_version` is the database's DataVersion() if the caller has just read it (saves a
  // second reading on the hot path), else 0.
  Result<Session> Authenticate(const std::string& session_token, std::uint64_t data_version = 0);
  // Signs in the account linked to `external` (single sign-on). An identity not linked yet is
  // linked to the account of the invitation `invite_token` (which it uses up) when given, else
  // to a new account made by the first rule of `rules` matching its verified e-mail domain, else
  // PermissionDenied: a provider's user never gets rights by itself. PermissionDenied too for a
  // disabled or locked account, Conflict when a rule's account name is taken by another account.
  Result<LoginResult> LoginExternal(const ExternalIdentity& external, const std::string& invite_token,
                                    const std::vector<DomainRule>& rules,
                                    const std::string& remote_addr, const std::string& user_agent);
  // Completes sign-in with the second factor.
  Status VerifySecondFactor(const std::string& session_token, const std::string& code,
                            const std::string& remote_addr);
  Status Logout(const std::string& session_token, const std::string& remote_addr);
  // Ends every other session of the account; the one signed in with `keep_session_token`
  // (the caller's own, "" for none) stays.
  Status ChangePassword(const records::Caller& caller, const std::string& keep_session_token,
                        const std::string& current_password, const std::string& new_password);
  // Remembers the caller's interface language (a code such as "ru", or "" for the browser's).
  Status SetLanguage(const records::Caller& caller, const std::string& language);

  // --- second factor ---
  Result<TotpEnrolment> BeginTotp(const records::Caller& caller);
  // Turns TOTP on once the user proves the authenticator works.
  Status ConfirmTotp(const records::Caller& caller, const std::string& code);
  Result<std::map<access::Role, bool>> RolesRequiring2fa();
  Status SetRoleRequires2fa(const records::Caller& caller, access::Role role, bool required);

  // --- API tokens ---
  // Returns the token text (shown once; only its hash is stored).
  Result<std::pair<TokenInfo, std::string>> CreateToken(const records::Caller& caller,
                                                        const std::string& name, int days);
  Result<std::vector<TokenInfo>> ListTokens(const records::Caller& caller);
  Status RevokeToken(const records::Caller& caller, const std::string& token_id);
  // The principal of a bearer token; Unauthenticated when unknown, revoked, expired or its
  // user is disabled.
  Result<access::Principal> AuthenticateToken(const std::string& token);

  // --- demo ---
  struct DemoAccount {
    std::string username, password, role, scope;
  };
  // Demo accounts for every role, in two countries of two regions (idempotent).
  Result<std::vector<DemoAccount>> SeedDemoUsers(const records::Caller& caller);

  const Settings& settings() const { return settings_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  storage::Database& db_;
  Settings settings_;
};

// An account that can be written to, and the principal it acts as (for deciding what it may
// be told).
struct Mailable {
  User user;
  access::Principal who;
};
// Every enabled account with an e-mail address, read in `txn`.
Result<std::vector<Mailable>> MailableUsers(storage::Transaction& txn);

// An account as the API, the pages and the audit log show it: never a secret.
records::Json ToJson(const User& u);

// `bytes` random bytes as unpadded base64url: secrets handed to a browser or client (session
// and invitation tokens, single sign-on state, nonce and PKCE verifier).
std::string RandomUrlToken(size_t bytes);
// Unpadded base64url of the SHA-256 of `data` (the PKCE S256 challenge of a verifier).
std::string Base64UrlSha256(std::string_view data);

// The current TOTP code of a base32 secret at `unix_time` (tests and the CLI use it).
std::string TotpCode(const std::string& secret_base32, long long unix_time);

// The modules of a QR code of `text` (for the enrolment page): row by row, true = dark.
// Width 0 when the text cannot be encoded. Drawing it is the presentation layer's.
struct QrModules {
  int width = 0;
  std::vector<bool> dark;
};
QrModules QrCode(const std::string& text);

}  // namespace cbrnhub::identity
