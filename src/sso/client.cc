// The authorization code flow: discovery, the sign-ins in progress (table sso_logins), the
// token exchange over HTTPS with libcurl, then identity's linking and session.
#include <curl/curl.h>

#include <nlohmann/json.hpp>

#include <mutex>
#include <sstream>

#include "core/ids.h"
#include "sso/sso.h"

namespace cbrnhub::sso {
namespace {

using nlohmann::json;

constexpr int kKeysRefreshSeconds = 600;   // keys kept this long; a token naming an unknown key
                                            // refreshes them at once (the provider rotated them)
constexpr size_t kMaxResponseBytes = 1 << 20;  // discovery, keys and tokens are small

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > kMaxResponseBytes) return 0;  // aborts the transfer
  body->append(data, size * n);
  return size * n;
}

std::string Escape(CURL* curl, const std::string& s) {
  char* e = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

bool IsLoopbackHttp(const std::string& url) {
  for (const char* prefix : {"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/",
                             "http://[::1]:"}) {
    if (url.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// GET `url`, or POST `form` to it with HTTP basic client authentication. Unavailable when the
// provider cannot be reached or answers with neither 2xx nor a JSON error.
Result<json> FetchJson(const Settings& settings, const std::string& url, const std::string& form = "",
                       bool authenticate = false, const std::string& bearer = "") {
  if (url.rfind("https://", 0) != 0 && !IsLoopbackHttp(url)) {
    return Status::Unavailable("the identity provider's address " + url + " is not https://");
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Status::Internal("libcurl could not start");
  std::string body;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(settings.http_timeout_seconds));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  if (!form.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, form.c_str());
  }
  if (authenticate) {
    // client_secret_basic: the id and secret are form-encoded first (RFC 6749 2.3.1).
    std::string user = Escape(curl.get(), settings.client_id) + ":" + Escape(curl.get(), settings.client_secret);
    curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl.get(), CURLOPT_USERPWD, user.c_str());
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  if (!bearer.empty()) {
    headers.reset(curl_slist_append(nullptr, ("Authorization: Bearer " + bearer).c_str()));
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  }
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    return Status::Unavailable("the identity provider cannot be reached at " + url + ": " + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  json out = json::parse(body, nullptr, false);
  if (out.is_discarded() || !out.is_object()) {
    return Status::Unavailable("the identity provider answered " + url + " with HTTP " + std::to_string(status) +
                               " and no JSON object");
  }
  if (status >= 400) {
    std::string error = out.value("error", "error");
    std::string description = out.value("error_description", "");
    return Status(StatusCode::kUnauthenticated,
                  "the identity provider refused: " + error + (description.empty() ? "" : " (" + description + ")"));
  }
  return out;
}

std::string Text(const json& j, const char* name) {
  return j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : "";
}

}  // namespace

Result<std::vector<identity::DomainRule>> ParseDomainRules(const std::string& text) {
  std::vector<identity::DomainRule> rules;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ';')) {
    auto b = item.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    item = item.substr(b, item.find_last_not_of(" \t") - b + 1);
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      return Status::Invalid("sso_domain_rules", "'" + item + "': write domain=role or domain=role:SCOPE");
    }
    identity::DomainRule rule;
    rule.domain = item.substr(0, eq);
    std::string role = item.substr(eq + 1), scope;
    if (auto colon = role.find(':'); colon != std::string::npos) {
      scope = role.substr(colon + 1);
      role = role.substr(0, colon);
    }
    rule.role = role;
    auto parsed = access::ParseRole(role);
    if (parsed && access::IsRegionRole(*parsed)) {
      rule.region = scope;
    } else {
      rule.country = scope;
    }
    CBRN_RETURN_IF_ERROR(identity::CheckDomainRule(rule));
    rules.push_back(rule);
  }
  return rules;
}

Status CheckSettings(const Settings& s) {
  if (!s.enabled()) return Status::Ok();
  auto address = [](const std::string& key, const std::string& url) {
    if (url.rfind("https://", 0) == 0 || IsLoopbackHttp(url)) return Status::Ok();
    return Status::Invalid(key, key + " must be an https:// address, not '" + url + "'");
  };
  CBRN_RETURN_IF_ERROR(address("sso_issuer", s.issuer));
  CBRN_RETURN_IF_ERROR(address("sso_redirect_uri", s.redirect_uri));
  if (s.client_id.empty()) return Status::Invalid("sso_client_id", "sso_client_id is required with sso_issuer");
  if (s.provider_name.empty()) {
    return Status::Invalid("sso_provider_name", "sso_provider_name is required with sso_issuer");
  }
  if (s.algorithm != "RS256" && s.algorithm != "ES256") {
    return Status::Invalid("sso_algorithm", "sso_algorithm must be RS256 or ES256");
  }
  return Status::Ok();
}

struct Client::Impl {
  std::mutex mu;
  json discovery;        // fetched once
  std::string jwks;      // the provider's keys ...
  long long jwks_at = 0; // ... and when they were fetched
};

Client::Client(storage::Database& db, identity::Service& identity, Settings settings)
    : impl_(std::make_unique<Impl>()), db_(db), identity_(identity), settings_(std::move(settings)) {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)init;
}

Client::~Client() = default;

namespace {

// The provider's endpoints (OpenID Connect Discovery), fetched on first use and kept.
Result<json> Discovery(const Settings& settings, std::mutex& mu, json& cached) {
  {
    std::lock_guard lock(mu);
    if (!cached.is_null()) return cached;
  }
  std::string issuer = settings.issuer;
  if (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  CBRN_ASSIGN_OR_RETURN(json doc, FetchJson(settings, issuer + "/.well-known/openid-configuration"));
  if (Text(doc, "issuer") != settings.issuer) {
    return Status::Unavailable("the identity provider calls itself " + Text(doc, "issuer") + ", not " +
                               settings.issuer + " (sso_issuer)");
  }
  for (const char* endpoint : {"authorization_endpoint", "token_endpoint", "jwks_uri"}) {
    if (Text(doc, endpoint).empty()) {
      return Status::Unavailable(std::string("the identity provider's discovery document has no ") + endpoint);
    }
  }
  std::lock_guard lock(mu);
  cached = doc;
  return doc;
}

}  // namespace

Result<Client::Started> Client::Begin(const std::string& next, const std::string& invite_token) {
  if (!settings_.enabled()) return Status::NotFound("single sign-on is not configured");
  CBRN_ASSIGN_OR_RETURN(json doc, Discovery(settings_, impl_->mu, impl_->discovery));
  std::string state = identity::RandomUrlToken(32), nonce = identity::RandomUrlToken(32), verifier = identity::RandomUrlToken(32);
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
    std::string now = NowUtc();
    // Sign-ins never finished are cleared by whoever begins the next one.
    CBRN_RETURN_IF_ERROR(txn->Exec("DELETE FROM sso_logins WHERE expires_at < ?", {now}).status());
    CBRN_RETURN_IF_ERROR(
        txn->Exec("INSERT INTO sso_logins (state_hash, nonce, code_verifier, next_path, invite_token,"
                  " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  {Sha256Hex(state), nonce, verifier, next,
                   invite_token.empty() ? storage::Param{std::monostate{}} : storage::Param{invite_token}, now,
                   UtcAfter(60LL * settings_.login_valid_minutes)})
            .status());
    CBRN_RETURN_IF_ERROR(txn->Commit());
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  std::string url = Text(doc, "authorization_endpoint");
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + Escape(curl.get(), settings_.client_id) +
         "&redirect_uri=" + Escape(curl.get(), settings_.redirect_uri) +
         "&scope=" + Escape(curl.get(), settings_.scopes) + "&state=" + state + "&nonce=" + nonce +
         "&code_challenge=" + identity::Base64UrlSha256(verifier) + "&code_challenge_method=S256";
  return Started{url, state};
}

Result<Client::Completed> Client::Complete(const std::string& state, const std::string& code,
                                           const std::string& error, const std::string& remote_addr,
                                           const std::string& user_agent) {
  if (!settings_.enabled()) return Status::NotFound("single sign-on is not configured");
  auto unknown = Status(StatusCode::kUnauthenticated, "this sign-in is unknown, used or expired: sign in again")
                     .Says("login.sso_unknown");
  if (state.empty() || state.size() > 200) return unknown;
  // Use the state up first, whatever follows: a state (and its code verifier) serves once.
  std::string nonce, verifier, next, invite;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
    CBRN_ASSIGN_OR_RETURN(storage::Rows rows,
                          txn->Query("SELECT nonce, code_verifier, next_path, invite_token, expires_at"
                                     " FROM sso_logins WHERE state_hash = ?",
                                     {Sha256Hex(state)}));
    if (rows.empty()) return unknown;
    CBRN_ASSIGN_OR_RETURN(std::int64_t deleted,
                          txn->Exec("DELETE FROM sso_logins WHERE state_hash = ?", {Sha256Hex(state)}));
    CBRN_RETURN_IF_ERROR(txn->Commit());
    if (deleted != 1 || rows[0].Text(4) < NowUtc()) return unknown;
    nonce = rows[0].Text(0);
    verifier = rows[0].Text(1);
    next = rows[0].Text(2);
    invite = rows[0].Text(3);
  }
  if (!error.empty()) {
    return Status(StatusCode::kUnauthenticated, "the identity provider did not sign you in: " + error.substr(0, 100));
  }
  if (code.empty() || code.size() > 2000) return Status::Invalid("code", "the identity provider sent no code");
  CBRN_ASSIGN_OR_RETURN(json doc, Discovery(settings_, impl_->mu, impl_->discovery));
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  std::string form = "grant_type=authorization_code&code=" + Escape(curl.get(), code) +
                     "&redirect_uri=" + Escape(curl.get(), settings_.redirect_uri) +
                     "&code_verifier=" + verifier;
  CBRN_ASSIGN_OR_RETURN(json tokens, FetchJson(settings_, Text(doc, "token_endpoint"), form, true));
  std::string id_token = Text(tokens, "id_token");
  if (id_token.empty()) return Status(StatusCode::kUnauthenticated, "the identity provider sent no ID token");

  Expected expected{settings_.issuer, settings_.client_id, settings_.algorithm, nonce, UnixNow(),
                    settings_.clock_skew_seconds};
  auto keys = [&](bool refresh) -> Result<std::string> {
    {
      std::lock_guard lock(impl_->mu);
      if (!refresh && !impl_->jwks.empty() && UnixNow() - impl_->jwks_at < kKeysRefreshSeconds) return impl_->jwks;
    }
    CBRN_ASSIGN_OR_RETURN(json jwks, FetchJson(settings_, Text(doc, "jwks_uri")));
    std::lock_guard lock(impl_->mu);
    impl_->jwks = jwks.dump();
    impl_->jwks_at = UnixNow();
    return impl_->jwks;
  };
  CBRN_ASSIGN_OR_RETURN(std::string jwks, keys(false));
  auto verified = VerifyIdToken(id_token, jwks, expected);
  if (!verified.ok() && verified.status().message().find("no key") != std::string::npos) {
    CBRN_ASSIGN_OR_RETURN(jwks, keys(true));
    verified = VerifyIdToken(id_token, jwks, expected);
  }
  if (!verified.ok()) return verified.status();
  // Claims asked for by scope may come from the UserInfo endpoint rather than the ID token
  // (OpenID Connect Core 5.4): only for the subject the verified ID token names.
  if (verified->email.empty() && !Text(doc, "userinfo_endpoint").empty() && !Text(tokens, "access_token").empty()) {
    CBRN_ASSIGN_OR_RETURN(json info, FetchJson(settings_, Text(doc, "userinfo_endpoint"), "", false,
                                               Text(tokens, "access_token")));
    if (Text(info, "sub") == verified->subject) {
      verified->email = Text(info, "email");
      if (verified->name.empty()) verified->name = Text(info, "name");
      verified->email_verified = info.contains("email_verified") && info["email_verified"].is_boolean() &&
                                 info["email_verified"].get<bool>();
    }
  }
  CBRN_ASSIGN_OR_RETURN(identity::LoginResult login,
                        identity_.LoginExternal(*verified, invite, settings_.domain_rules, remote_addr, user_agent));
  return Completed{std::move(login), next};
}

}  // namespace cbrnhub::sso
