// Sign-in, sessions, CSRF, API tokens, TOTP, lock-out, and the authorization matrix: every
// route for every role, and every sharing level for users of two countries and two regions.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "core/ids.h"
#include "server_fixture.h"

namespace cbrnhub::testing {
namespace {

using Headers = std::map<std::string, std::string>;

class AuthTest : public ServerTest {
 protected:
  identity::Settings IdentitySettings() override {
    identity::Settings s = ServerTest::IdentitySettings();
    s.address_max_failures = 12;
    return s;
  }
  Headers As(const std::string& username) {
    auto [cookie, csrf] = SignIn(username);
    return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
  }
  HttpResponse Login(const std::string& user, const std::string& password) {
    return Call("POST", "/api/v1/session", json{{"username", user}, {"password", password}}.dump(),
                {{"Anonymous", "1"}});
  }
  void Exec(const std::string& sql, storage::Params params = {}) {
    auto txn = t_->db().Begin(storage::Access::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->Exec(sql, params).ok()) << sql;
    ASSERT_TRUE((*txn)->Commit().ok());
  }
};

TEST_P(AuthTest, WrongPasswordAndUnknownUserLookTheSame) {
  auto wrong = Login("nfp.uz", "not-the-password");
  auto unknown = Login("nobody.here", "not-the-password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(Json(wrong)["message"], Json(unknown)["message"]);
  EXPECT_EQ(Login("nfp.uz", "cbrnhub-demo").status, 201);
}

TEST_P(AuthTest, RepeatedFailuresLockTheAccountEvenForTheRightPassword) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Login("team.ge", "wrong-password-" + std::to_string(i)).status, 401);
  auto locked = Login("team.ge", "cbrnhub-demo");
  EXPECT_EQ(locked.status, 403);
  EXPECT_NE(Json(locked)["message"].get<std::string>().find("locked"), std::string::npos);
  // The lock ends by itself.
  Exec("UPDATE users SET locked_until = ? WHERE username = 'team.ge'", {UtcAfter(-1)});
  EXPECT_EQ(Login("team.ge", "cbrnhub-demo").status, 201);
  auto audit = Json(Get("/api/v1/audit?action=locked"));
  EXPECT_GE(audit["total"].get<int>(), 1);
}

TEST_P(AuthTest, TooManyFailuresFromOneAddressGet429) {
  int last = 0;
  for (int i = 0; i < 14; ++i) last = Login("user" + std::to_string(i), "wrong-password").status;
  EXPECT_EQ(last, 429);
}

TEST_P(AuthTest, ExpiredAndIdleSessionsAreRefused) {
  Headers nfp = As("nfp.uz");
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", nfp).status, 200);
  Exec("UPDATE sessions SET expires_at = ? WHERE user_id = (SELECT id FROM users WHERE username = 'nfp.uz')",
       {UtcAfter(-5)});
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", nfp).status, 401);
  Headers idle = As("nfp.uz");
  Exec("UPDATE sessions SET last_seen_at = ? WHERE user_id = (SELECT id FROM users WHERE username = 'nfp.uz')",
       {UtcAfter(-2 * 3600)});
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", idle).status, 401);
  // A page sends the browser to sign in, and back afterwards.
  auto page = Call("GET", "/countries/UZ", "", {{"Cookie", idle["Cookie"]}});
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(page.headers["location"], "/login?next=%2Fcountries%2FUZ");
}

TEST_P(AuthTest, SessionIdIsWorthlessAfterLogout) {
  Headers stolen = As("secretariat.ca");
  EXPECT_EQ(Call("GET", "/api/v1/session", "", stolen).status, 200);
  EXPECT_EQ(Call("DELETE", "/api/v1/session", "", stolen).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/regions/CA", "", stolen).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/session", "", stolen).status, 401);
}

TEST_P(AuthTest, CookieWritesNeedTheCsrfToken) {
  Headers nfp = As("nfp.uz");
  std::string body = R"({"notes":"csrf test"})";
  EXPECT_EQ(Call("PATCH", "/api/v1/countries/UZ", body, {{"Cookie", nfp["Cookie"]}}).status, 403);
  EXPECT_EQ(Call("PATCH", "/api/v1/countries/UZ", body,
                 {{"Cookie", nfp["Cookie"]}, {"X-CSRF-Token", "forged"}}).status, 403);
  EXPECT_EQ(Call("PATCH", "/api/v1/countries/UZ", body, nfp).status, 200);
  // Another session's token does not fit this session.
  Headers other = As("nfp.uz");
  EXPECT_EQ(Call("PATCH", "/api/v1/countries/UZ", body,
                 {{"Cookie", nfp["Cookie"]}, {"X-CSRF-Token", other["X-CSRF-Token"]}}).status, 403);
}

TEST_P(AuthTest, ApiTokensWorkUntilRevokedOrExpired) {
  Headers nfp = As("nfp.uz");
  auto created = Call("POST", "/api/v1/tokens", R"({"name":"nightly export","days":30})", nfp);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string token = Json(created)["token"];
  Headers bearer = {{"Authorization", "Bearer " + token}};
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", bearer).status, 200);
  // No CSRF token needed: a bearer token is not sent by browsers on their own.
  EXPECT_EQ(Call("PATCH", "/api/v1/countries/UZ", R"({"notes":"by token"})", bearer).status, 200);
  auto listed = Json(Call("GET", "/api/v1/tokens", "", nfp));
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0].value("token", ""), "");  // never shown again
  EXPECT_EQ(Call("DELETE", "/api/v1/tokens/" + Json(created)["id"].get<std::string>(), "", nfp).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", bearer).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", {{"Authorization", "Bearer cbh_forged"}}).status, 401);
  auto other = Json(Call("POST", "/api/v1/tokens", R"({"name":"short","days":1})", nfp));
  Exec("UPDATE api_tokens SET expires_at = ? WHERE id = ?", {UtcAfter(-1), other["id"].get<std::string>()});
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", {{"Authorization", "Bearer " + other["token"].get<std::string>()}}).status, 401);
}

TEST_P(AuthTest, TotpEnrolmentThenSignInNeedsTheCode) {
  Headers ge = As("nfp.ge");
  auto begin = Call("POST", "/api/v1/account/totp", "{}", ge);
  ASSERT_EQ(begin.status, 200) << begin.body;
  std::string secret = Json(begin)["secret"];
  EXPECT_EQ(Call("POST", "/api/v1/account/totp/confirm", R"({"code":"000000"})", ge).status, 401);
  std::string code = identity::TotpCode(secret, UnixNow());
  ASSERT_EQ(Call("POST", "/api/v1/account/totp/confirm", json{{"code", code}}.dump(), ge).status, 204);

  auto login = Login("nfp.ge", "cbrnhub-demo");
  ASSERT_EQ(login.status, 201);
  EXPECT_EQ(Json(login)["second_factor_required"], true);
  std::string cookie = login.headers["set-cookie"].substr(0, login.headers["set-cookie"].find(';'));
  Headers pending = {{"Cookie", cookie}, {"X-CSRF-Token", Json(login)["csrf_token"]}};
  EXPECT_EQ(Call("GET", "/api/v1/countries/GE", "", pending).status, 401);
  EXPECT_EQ(Call("GET", "/countries/GE", "", pending).headers["location"], "/login/totp");
  // The code used for enrolment cannot be replayed; the next time step's code works.
  std::string next = identity::TotpCode(secret, UnixNow() + 30);
  EXPECT_EQ(Call("POST", "/api/v1/session/totp", json{{"code", code}}.dump(), pending).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/session/totp", json{{"code", next}}.dump(), pending).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/countries/GE", "", pending).status, 200);
  // An administrator can turn it off again.
  auto users = Json(Get("/api/v1/users"));
  std::string id;
  for (const auto& u : users["items"]) if (u["username"] == "nfp.ge") id = u["id"];
  EXPECT_EQ(Call("POST", "/api/v1/users/" + id + "/reset-totp").status, 204);
  EXPECT_EQ(Json(Login("nfp.ge", "cbrnhub-demo"))["second_factor_required"], false);
}

TEST_P(AuthTest, ARoleCanBeMadeToRequireTwoFactor) {
  ASSERT_EQ(Call("PUT", "/api/v1/roles/secretariat", R"({"require_2fa":true})").status, 200);
  Headers s = As("secretariat.seee");
  auto api = Call("GET", "/api/v1/regions/SEEE", "", s);
  EXPECT_EQ(api.status, 401);
  EXPECT_NE(Json(api)["message"].get<std::string>().find("enrol"), std::string::npos);
  EXPECT_EQ(Call("GET", "/", "", s).headers["location"], "/account/totp");
  auto begin = Call("POST", "/api/v1/account/totp", "{}", s);
  ASSERT_EQ(begin.status, 200) << begin.body;
  std::string code = identity::TotpCode(Json(begin)["secret"], UnixNow());
  ASSERT_EQ(Call("POST", "/api/v1/account/totp/confirm", json{{"code", code}}.dump(), s).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/regions/SEEE", "", s).status, 200);
}

TEST_P(AuthTest, InvitedUserSetsAPasswordAndSignsIn) {
  auto created = Call("POST", "/api/v1/users",
                      R"({"username":"new.nfp","display_name":"New NFP","role":"nfp","country":"kz"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Json(created)["country"], "KZ");
  std::string link = Json(created)["invite_link"];
  std::string path = link.substr(link.find("/invite/"));
  EXPECT_EQ(Login("new.nfp", "anything-at-all").status, 401);  // no password yet
  auto page = Call("GET", path, "", {{"Anonymous", "1"}});
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("new.nfp"), std::string::npos);
  Headers form = {{"Anonymous", "1"}, {"Content-Type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(Call("POST", path, "password=short&password2=short", form).status, 400);
  auto set = Call("POST", path, "password=a-long-passphrase&password2=a-long-passphrase", form);
  EXPECT_EQ(set.status, 303);
  EXPECT_EQ(Call("POST", path, "password=again-passphrase&password2=again-passphrase", form).status, 404);
  EXPECT_EQ(Login("new.nfp", "a-long-passphrase").status, 201);
  // Bad role and scope combinations are refused field by field.
  auto bad = Call("POST", "/api/v1/users", R"({"username":"x.y","display_name":"X","role":"nfp"})");
  EXPECT_EQ(Json(bad)["field"], "country");
  auto taken = Call("POST", "/api/v1/users", R"({"username":"NFP.UZ","display_name":"X","role":"observer"})");
  EXPECT_EQ(taken.status, 409);
}

TEST_P(AuthTest, DisablingAUserEndsTheirSessions) {
  Headers team = As("team.uz");
  auto users = Json(Get("/api/v1/users"));
  std::string id;
  for (const auto& u : users["items"]) if (u["username"] == "team.uz") id = u["id"];
  ASSERT_EQ(Call("PATCH", "/api/v1/users/" + id, R"({"disabled":true})").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", team).status, 401);
  EXPECT_EQ(Login("team.uz", "cbrnhub-demo").status, 403);
  auto self = Json(Get("/api/v1/session"));
  auto demote = Call("PATCH", "/api/v1/users/" + self["user"]["id"].get<std::string>(), R"({"role":"observer"})");
  EXPECT_EQ(demote.status, 400);
}

TEST_P(AuthTest, AuditLogIsForAuditorsAndTamperingIsFound) {
  EXPECT_EQ(Call("GET", "/api/v1/audit", "", As("auditor")).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/audit", "", As("nfp.uz")).status, 403);
  EXPECT_EQ(Call("GET", "/audit", "", As("programme")).status, 403);
  auto page = Call("GET", "/audit?action=login&limit=5", "", As("auditor"));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<table class=\"list\" id=\"audit\">"), std::string::npos);
  EXPECT_EQ(Json(Get("/api/v1/audit/verify"))["intact"], true);
  Exec("UPDATE audit_log SET remote_addr = '10.9.9.9' WHERE seq = 3");
  auto verify = Json(Get("/api/v1/audit/verify"));
  EXPECT_EQ(verify["intact"], false);
  EXPECT_NE(verify["problem"].get<std::string>().find("entry 3"), std::string::npos);
}

// The audit page shows stored codes by their labels, a list of codes too, but free text that
// happens to begin with a code stays as written.
TEST_P(AuthTest, AuditPageLabelsCodesButLeavesFreeTextAsWritten) {
  auto users = Json(Get("/api/v1/users"));
  std::string id;
  for (const auto& u : users["items"]) if (u["username"] == "team.uz") id = u["id"];
  ASSERT_EQ(Call("PATCH", "/api/v1/users/" + id, R"({"display_name":"clear, no concerns"})").status, 200);
  auto page = Call("GET", "/audit?entity_id=" + id + "&limit=5", "", As("auditor"));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("clear, no concerns"), std::string::npos);
  EXPECT_EQ(page.body.find("no listed party"), std::string::npos) << "a name read as a screening state";
}

TEST_P(AuthTest, EveryAnswerCarriesTheSecurityHeaders) {
  for (auto r : {Get("/"), Get("/nope"), Call("GET", "/api/v1/countries", "", {{"Anonymous", "1"}}),
                 Call("GET", "/login", "", {{"Anonymous", "1"}})}) {
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
    EXPECT_EQ(r.headers["x-frame-options"], "DENY");
    EXPECT_NE(r.headers["content-security-policy"].find("default-src 'self'"), std::string::npos);
  }
  auto login = Login("observer", "cbrnhub-demo");
  std::string cookie = login.headers["set-cookie"];
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  auto tls = Call("POST", "/api/v1/session", json{{"username", "observer"}, {"password", "cbrnhub-demo"}}.dump(),
                  {{"Anonymous", "1"}, {"X-Forwarded-Proto", "https"}});
  EXPECT_NE(tls.headers["set-cookie"].find("Secure"), std::string::npos);
}

TEST_P(AuthTest, ChangingThePasswordChecksTheOldOneAndThePolicy) {
  Headers elsewhere = As("team.uz");  // the same account signed in on another device
  Headers uz = As("team.uz");
  auto wrong = Call("POST", "/api/v1/account/password",
                    R"({"current_password":"nope","new_password":"a-much-longer-one"})", uz);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(Json(wrong)["field"], "current_password");
  auto weak = Call("POST", "/api/v1/account/password",
                   R"({"current_password":"cbrnhub-demo","new_password":"short"})", uz);
  EXPECT_EQ(Json(weak)["field"], "new_password");
  auto named = Call("POST", "/api/v1/account/password",
                    R"({"current_password":"cbrnhub-demo","new_password":"my-team.uz-password"})", uz);
  EXPECT_EQ(Json(named)["field"], "new_password");  // must not contain the username
  EXPECT_EQ(Call("POST", "/api/v1/account/password",
                 R"({"current_password":"cbrnhub-demo","new_password":"a-much-longer-one"})", uz).status,
            204);
  EXPECT_EQ(Login("team.uz", "cbrnhub-demo").status, 401);
  EXPECT_EQ(Login("team.uz", "a-much-longer-one").status, 201);
  // The other device is signed out; the session that made the change stays.
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", elsewhere).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ", "", uz).status, 200);
}

TEST_P(AuthTest, EachUserKeepsTheirLanguage) {
  Headers ge = As("nfp.ge");
  EXPECT_NE(Call("GET", "/", "", ge).body.find("lang=\"en\""), std::string::npos);
  EXPECT_EQ(Call("POST", "/api/v1/account/language", R"({"language":"xx"})", ge).status, 400);
  ASSERT_EQ(Call("POST", "/api/v1/account/language", R"({"language":"ru"})", ge).status, 200);
  // Any session of the account, without a cookie or an Accept-Language saying so.
  Headers again = As("nfp.ge");
  EXPECT_NE(Call("GET", "/", "", again).body.find("lang=\"ru\""), std::string::npos);
  // An explicit choice in the browser still wins for that browser.
  EXPECT_NE(Call("GET", "/?lang=en", "", again).body.find("lang=\"en\""), std::string::npos);
  // Others are not affected.
  EXPECT_NE(Call("GET", "/", "", As("nfp.uz")).body.find("lang=\"en\""), std::string::npos);
}

TEST_P(AuthTest, AnAccountCanChooseFrenchOrArabic) {
  Headers ge = As("nfp.ge");
  auto account = Call("GET", "/account", "", ge).body;
  EXPECT_NE(account.find("<option value=\"fr\" lang=\"fr\">Français</option>"), std::string::npos);
  EXPECT_NE(account.find("<option value=\"ar\" lang=\"ar\">العربية</option>"), std::string::npos);
  ASSERT_EQ(Call("POST", "/api/v1/account/language", R"({"language":"ar"})", ge).status, 200);
  auto page = Call("GET", "/", "", As("nfp.ge")).body;
  EXPECT_NE(page.find("<html lang=\"ar\" dir=\"rtl\">"), std::string::npos);
  EXPECT_NE(page.find("شبكة التخفيف من المخاطر"), std::string::npos);
  ASSERT_EQ(Call("POST", "/api/v1/account/language", R"({"language":"fr"})", ge).status, 200);
  page = Call("GET", "/", "", As("nfp.ge")).body;
  EXPECT_NE(page.find("<html lang=\"fr\" dir=\"ltr\">"), std::string::npos);
  EXPECT_NE(page.find("atténuation des risques NRBC"), std::string::npos);
}

INSTANTIATE_BACKENDS(AuthTest);

}  // namespace
}  // namespace cbrnhub::testing
