// ID token verification with cjose (JWS and JWK): the JOSE work is the library's; what we add
// is the policy of which token to trust.
#include <cjose/cjose.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <optional>

#include "sso/sso.h"

namespace cbrnhub::sso {
namespace {

using nlohmann::json;

Status Refused(const std::string& why) {
  return Status(StatusCode::kUnauthenticated, "the identity provider's token was refused: " + why);
}

struct JwsDeleter {
  void operator()(cjose_jws_t* jws) const { cjose_jws_release(jws); }
};
struct JwkDeleter {
  void operator()(cjose_jwk_t* jwk) const { cjose_jwk_release(jwk); }
};
using JwsPtr = std::unique_ptr<cjose_jws_t, JwsDeleter>;
using JwkPtr = std::unique_ptr<cjose_jwk_t, JwkDeleter>;

// The key type an algorithm needs: a key of another type must not be tried (an RSA public key
// handed to an HMAC check is the classic confusion attack).
cjose_jwk_kty_t KeyTypeOf(const std::string& algorithm) {
  return algorithm == "ES256" ? CJOSE_JWK_KTY_EC : CJOSE_JWK_KTY_RSA;
}

bool HasAudience(const json& aud, const std::string& audience) {
  if (aud.is_string()) return aud.get<std::string>() == audience;
  if (!aud.is_array()) return false;
  for (const auto& a : aud) {
    if (a.is_string() && a.get<std::string>() == audience) return true;
  }
  return false;
}

}  // namespace

Result<identity::ExternalIdentity> VerifyIdToken(const std::string& token, const std::string& jwks_json,
                                                 const Expected& expected) {
  if (expected.algorithm != "RS256" && expected.algorithm != "ES256") {
    return Status::Internal("single sign-on is configured with an algorithm other than RS256 or ES256");
  }
  // Three parts; an unsigned token ("alg": "none") has an empty third part and is refused below
  // by its algorithm, before cjose sees it.
  if (token.empty() || token.size() > 16384 || std::count(token.begin(), token.end(), '.') != 2) {
    return Refused("not a signed JWT");
  }
  cjose_err err;
  JwsPtr jws(cjose_jws_import(token.data(), token.size(), &err));
  if (!jws) return Refused("not a JWS (" + std::string(err.message ? err.message : "") + ")");
  cjose_header_t* header = cjose_jws_get_protected(jws.get());
  const char* alg = header ? cjose_header_get(header, CJOSE_HDR_ALG, &err) : nullptr;
  if (!alg || expected.algorithm != alg) {
    return Refused(std::string("signed with ") + (alg ? alg : "no algorithm") + ", only " +
                   expected.algorithm + " is accepted");
  }
  const char* kid = cjose_header_get(header, CJOSE_HDR_KID, &err);

  json jwks = json::parse(jwks_json, nullptr, false);
  if (jwks.is_discarded() || !jwks.is_object() || !jwks["keys"].is_array()) {
    return Status::Unavailable("the identity provider's key set (JWKS) is not readable");
  }
  bool verified = false, key_found = false;
  for (const auto& key : jwks["keys"]) {
    if (!key.is_object()) continue;
    if (kid && key.value("kid", "") != kid) continue;
    if (key.contains("use") && key.value("use", "") != "sig") continue;
    if (key.contains("alg") && key.value("alg", "") != expected.algorithm) continue;
    std::string text = key.dump();
    JwkPtr jwk(cjose_jwk_import(text.data(), text.size(), &err));
    if (!jwk || cjose_jwk_get_kty(jwk.get(), &err) != KeyTypeOf(expected.algorithm)) continue;
    key_found = true;
    if (cjose_jws_verify(jws.get(), jwk.get(), &err)) {
      verified = true;
      break;
    }
  }
  if (!key_found) return Refused("no key of the provider's key set matches the token's");
  if (!verified) return Refused("the signature does not verify with the provider's key");

  uint8_t* plain = nullptr;
  size_t plain_len = 0;
  if (!cjose_jws_get_plaintext(jws.get(), &plain, &plain_len, &err)) return Refused("no claims");
  json claims = json::parse(std::string(reinterpret_cast<char*>(plain), plain_len), nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return Refused("the claims are not a JSON object");

  auto text = [&](const char* name) {
    return claims.contains(name) && claims[name].is_string() ? claims[name].get<std::string>() : "";
  };
  auto seconds = [&](const char* name) -> std::optional<long long> {
    if (!claims.contains(name) || !claims[name].is_number()) return std::nullopt;
    return static_cast<long long>(claims[name].get<double>());
  };
  if (text("iss") != expected.issuer) return Refused("issued by " + text("iss") + ", not by " + expected.issuer);
  if (!claims.contains("aud") || !HasAudience(claims["aud"], expected.audience)) {
    return Refused("not meant for this installation (audience)");
  }
  if (claims["aud"].is_array() && claims["aud"].size() > 1 && text("azp") != expected.audience) {
    return Refused("not meant for this installation (authorized party)");
  }
  auto exp = seconds("exp"), iat = seconds("iat");
  if (!exp || *exp + expected.clock_skew_seconds < expected.now) return Refused("expired");
  if (!iat || *iat - expected.clock_skew_seconds > expected.now) return Refused("issued in the future");
  if (expected.nonce.empty() || text("nonce") != expected.nonce) return Refused("the nonce does not match");
  if (text("sub").empty()) return Refused("no subject");

  identity::ExternalIdentity out;
  out.issuer = expected.issuer;
  out.subject = text("sub");
  out.email = text("email");
  out.name = text("name");
  out.email_verified = claims.contains("email_verified") && claims["email_verified"].is_boolean() &&
                       claims["email_verified"].get<bool>();
  return out;
}

}  // namespace cbrnhub::sso
