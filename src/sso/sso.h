// Single sign-on with OpenID Connect: the authorization code flow with PKCE (S256) against an
// organisation's identity provider. The provider's discovery document, keys (JWKS) and token
// endpoint are reached over HTTPS (libcurl); ID tokens are verified with cjose against the
// provider's keys with the one algorithm configured. Linking the provider's user to an account
// and opening the session are identity's (identity::Service::LoginExternal).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "identity/identity.h"
#include "storage/storage.h"

namespace cbrnhub::sso {

struct Settings {
  std::string issuer;         // the provider's issuer URL; "" = single sign-on off
  std::string provider_name;  // shown as "Sign in with <provider_name>"
  std::string client_id, client_secret;
  std::string redirect_uri;   // this installation's /login/sso/callback as browsers reach it
  std::string algorithm = "RS256";  // RS256 or ES256: ID tokens signed otherwise are refused
  std::string scopes = "openid email profile";
  int clock_skew_seconds = 60;      // tolerated difference between our clock and the provider's
  int login_valid_minutes = 10;     // a sign-in must come back from the provider within this
  int http_timeout_seconds = 10;
  std::vector<identity::DomainRule> domain_rules;

  bool enabled() const { return !issuer.empty(); }
};

// "example.org=observer; ministry.example=nfp:UZ; sec.example=secretariat:CA" into rules
// (domain=role[:country or region]). InvalidArgument naming the rule that is wrong.
Result<std::vector<identity::DomainRule>> ParseDomainRules(const std::string& text);
// What must hold before serving with single sign-on on: issuer, client, redirect URI, algorithm.
// Plain http:// is accepted only for a provider on the loopback interface (tests).
Status CheckSettings(const Settings& settings);

// What an ID token must say, besides a good signature.
struct Expected {
  std::string issuer, audience, algorithm, nonce;
  long long now = 0;  // Unix seconds
  int clock_skew_seconds = 60;
};
// Verifies a compact ID token against the keys of `jwks_json` (a JWK set) and `expected`: the
// header's algorithm must be the configured one (so "none" and HS* never pass), the signature a
// key's of the set (by "kid" when the token names one), iss, aud (and azp when several
// audiences), exp and iat within the skew, nonce. Unauthenticated saying which check failed.
Result<identity::ExternalIdentity> VerifyIdToken(const std::string& token, const std::string& jwks_json,
                                                 const Expected& expected);

// One sign-in through the provider, from the browser leaving to the session opened.
// Thread-safe; sign-ins in progress live in the database (table sso_logins), so a sign-in begun
// on one node can finish on another.
class Client {
 public:
  Client(storage::Database& db, identity::Service& identity, Settings settings);
  ~Client();

  struct Started {
    std::string url;    // the provider's authorization URL to send the browser to
    std::string state;  // to keep in the browser (a cookie), so that only the browser that began
                        // a sign-in can finish it (no signing a victim in as the attacker)
  };
  // A new sign-in returning to `next` (a local path); with `invite_token` the sign-in links the
  // invited account. Unavailable when the provider cannot be reached.
  Result<Started> Begin(const std::string& next, const std::string& invite_token);

  struct Completed {
    identity::LoginResult login;
    std::string next;
  };
  // Finishes the sign-in the provider sent back with `state` and `code` (or `error`): the state
  // is used up whatever happens next; the code is exchanged with the PKCE verifier, the ID token
  // verified, the identity linked and a session opened. Unauthenticated for an unknown, used or
  // expired state and a refused code or token; identity's errors for linking.
  Result<Completed> Complete(const std::string& state, const std::string& code, const std::string& error,
                             const std::string& remote_addr, const std::string& user_agent);

  const Settings& settings() const { return settings_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  storage::Database& db_;
  identity::Service& identity_;
  Settings settings_;
};

}  // namespace cbrnhub::sso
