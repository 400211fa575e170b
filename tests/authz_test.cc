// The authorization matrix. Every registered route is tried by every role (users of two
// countries in two regions, two secretariats, network roles, nobody signed in) and must be
// allowed or denied as the table below says; a route missing from the table fails the test,
// so no route can be added without deciding who may use it. Then every sharing level is
// checked for every role: reading, listing, pages and changing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <set>

#include "http/http.h"
#include "server_fixture.h"

namespace cbrnhub::testing {
namespace {

using Headers = std::map<std::string, std::string>;


const std::vector<std::string> kUsers = {
    "admin",  "auditor", "programme", "observer", "secretariat.ca", "secretariat.seee",
    "nfp.uz", "team.uz", "nfp.ge",    "team.ge",  "licensing.uz", "licensing.ge", "reviewer.uz"};

// Who may use a route of each class (besides administrators, who may use all).
bool Allowed(const std::string& cls, const std::string& user) {
  if (cls == "public") return true;
  if (user.empty()) return false;
  if (cls == "session" || cls == "read") return true;
  if (cls == "write") return user != "auditor" && user != "observer";
  if (cls == "admin") return user == "admin";
  if (cls == "audit") return user == "admin" || user == "auditor";
  if (cls == "exportctl") {
    return user == "admin" || user == "auditor" || user == "licensing.uz" || user == "licensing.ge" ||
           user == "reviewer.uz";
  }
  ADD_FAILURE() << "unknown class " << cls;
  return false;
}

// The expected class of every route. Keep in step with src/http/routes.cc: that is the point.
std::map<std::string, std::string> ExpectedRoutes() {
  std::map<std::string, std::string> e = {
      {"GET /healthz", "public"},
      {"GET /readyz", "public"},
      {"GET /metrics", "admin"},
      {"GET /static/{file}", "public"},
      {"GET /api/v1", "public"},
      {"GET /api/v1/openapi.json", "public"},
      {"GET /api/v1/network", "read"},
      {"GET /api/v1/regions/{id}/overview", "read"},
      {"GET /api/v1/countries/{id}/overview", "read"},
      {"GET /login", "public"},
      {"POST /login", "public"},
      {"GET /login/sso", "public"},
      {"GET /login/sso/callback", "public"},
      {"GET /login/totp", "session"},
      {"POST /login/totp", "session"},
      {"POST /logout", "session"},
      {"GET /invite/{token}", "public"},
      {"POST /invite/{token}", "public"},
      {"GET /account", "read"},
      {"POST /account/password", "read"},
      {"GET /account/totp", "session"},
      {"POST /account/totp", "session"},
      {"POST /account/tokens", "read"},
      {"POST /account/language", "read"},
      {"POST /api/v1/account/language", "read"},
      {"POST /account/notifications", "read"},
      {"GET /api/v1/account/notifications", "read"},
      {"PUT /api/v1/account/notifications", "read"},
      {"POST /account/tokens/{id}/revoke", "read"},
      {"POST /api/v1/session", "public"},
      {"GET /api/v1/session", "session"},
      {"DELETE /api/v1/session", "session"},
      {"POST /api/v1/session/totp", "session"},
      {"POST /api/v1/account/password", "read"},
      {"POST /api/v1/account/totp", "session"},
      {"POST /api/v1/account/totp/confirm", "session"},
      {"GET /api/v1/tokens", "read"},
      {"POST /api/v1/tokens", "read"},
      {"DELETE /api/v1/tokens/{id}", "read"},
      {"GET /admin/users", "admin"},
      {"POST /admin/users", "admin"},
      {"GET /admin/users/{id}", "admin"},
      {"POST /admin/users/{id}", "admin"},
      {"POST /admin/users/{id}/reset-totp", "admin"},
      {"POST /admin/users/{id}/invite", "admin"},
      {"GET /admin/roles", "admin"},
      {"POST /admin/roles", "admin"},
      {"GET /admin/mail", "admin"},
      {"GET /api/v1/admin/mail", "admin"},
      {"GET /audit", "audit"},
      {"GET /api/v1/users", "admin"},
      {"POST /api/v1/users", "admin"},
      {"GET /api/v1/users/{id}", "admin"},
      {"PATCH /api/v1/users/{id}", "admin"},
      {"POST /api/v1/users/{id}/reset-totp", "admin"},
      {"POST /api/v1/users/{id}/invite", "admin"},
      {"GET /api/v1/roles", "admin"},
      {"PUT /api/v1/roles/{role}", "admin"},
      {"GET /api/v1/audit", "audit"},
      {"GET /api/v1/audit/verify", "audit"},
      {"GET /", "read"},
      {"GET /regions/{code}", "read"},
      {"GET /countries", "read"},
      {"GET /countries/{iso2}", "read"},
      {"GET /organisations", "read"},
      {"GET /organisations/{id}", "read"},
      {"GET /forms/{kind}", "write"},
      {"GET /forms/{kind}/{id}", "write"},
      {"POST /forms/{kind}", "write"},
      {"POST /forms/{kind}/{id}", "write"},
      {"POST /forms/{kind}/{id}/delete", "write"},
  };
  for (std::string route : {"GET /api/v1/sanctions/editions", "POST /api/v1/sanctions/editions",
                            "GET /api/v1/sanctions/editions/{id}/changes",
                            "GET /api/v1/sanctions/editions/{id}/entries",
                            "GET /api/v1/sanctions/editions/{id}/entries/{entity_id}",
                            "GET /api/v1/sanctions/{list}/entities/{id}", "POST /api/v1/screenings",
                            "POST /api/v1/screenings/batch", "POST /api/v1/screenings/rescreen",
                            "GET /api/v1/screenings", "GET /api/v1/screenings/{id}",
                            "POST /api/v1/screenings/{id}/decisions", "GET /api/v1/control-list",
                            "GET /api/v1/control-list/{code}", "POST /api/v1/control-list",
                            "POST /api/v1/licences/{id}/transition", "POST /api/v1/licences/{id}/opinions",
                            "GET /api/v1/licences/{id}/detail", "GET /screening", "POST /screening",
                            "POST /screening/batch", "POST /screening/rescreen", "GET /screening/{id}",
                            "POST /screening/{id}/decide", "GET /sanctions", "POST /sanctions/import",
                            "GET /sanctions/editions/{id}", "GET /sanctions/editions/{id}/entries",
                            "GET /sanctions/editions/{id}/entries/{entity_id}", "GET /control-list", "GET /licences",
                            "GET /licences/{id}", "POST /licences/{id}/transition",
                            "POST /licences/{id}/opinions"}) {
    e[route] = "exportctl";
  }
  for (std::string route : {"GET /api/v1/questionnaires/{id}/definition", "GET /api/v1/assessments/{id}/answers",
                            "GET /api/v1/assessments/{id}/results", "GET /api/v1/evidence/{id}",
                            "GET /api/v1/assessments/{id}/workbook.xlsx", "GET /api/v1/regions/{code}/assessments",
                            "GET /assessments", "GET /assessments/{id}", "GET /assessments/{id}/results",
                            "GET /regions/{code}/assessments"}) {
    e[route] = "read";
  }
  for (std::string route : {"PUT /api/v1/assessments/{id}/answers/{question}", "POST /api/v1/assessments/{id}/transition",
                            "POST /api/v1/assessments/{id}/carry", "POST /api/v1/assessments/{id}/evidence",
                            "POST /api/v1/assessments/{id}/workbook", "POST /api/v1/assessments/{id}/workbook/{import}/apply",
                            "POST /assessments", "POST /assessments/{id}/answers", "POST /assessments/{id}/transition",
                            "POST /assessments/{id}/share", "POST /assessments/{id}/evidence", "POST /assessments/{id}/workbook",
                            "POST /assessments/{id}/workbook/{import}/apply", "POST /assessments/{id}/carry"}) {
    e[route] = "write";
  }
  for (std::string route : {"POST /api/v1/questionnaires", "POST /api/v1/questionnaires/{id}/mappings/{to}",
                            "POST /questionnaires"}) {
    e[route] = "admin";
  }
  for (std::string route : {"GET /api/v1/action_plans/{id}/view", "GET /api/v1/action_plans/{id}/versions",
                            "GET /api/v1/action_plans/{id}/versions/{version}", "GET /api/v1/action_plans/{id}/diff",
                            "GET /api/v1/action_plans/{id}/gaps", "GET /api/v1/action_plans/{id}/capabilities", "GET /api/v1/assessments/{id}/trace/{question}",
                            "GET /api/v1/regions/{code}/plans", "GET /api/v1/portfolio", "GET /plans", "GET /plans/{id}",
                            "GET /plans/{id}/diff", "GET /assessments/{id}/trace/{question}", "GET /regions/{code}/plans",
                            "GET /projects", "GET /api/v1/action_plans/{id}/workbook.xlsx", "GET /api/v1/portfolio.xlsx"}) {
    e[route] = "read";
  }
  for (std::string route : {"POST /api/v1/action_plans/{id}/adopt", "POST /api/v1/action_plans/{id}/revise",
                            "POST /api/v1/assessments/{id}/plan", "POST /api/v1/projects/{id}/transition",
                            "POST /api/v1/regions/{code}/project-ideas", "POST /plans/{id}/transition",
                            "POST /assessments/{id}/priorities/{question}/action", "POST /projects/{id}/transition",
                            "POST /regions/{code}/project-ideas", "POST /api/v1/action_plans/{id}/workbook",
                            "POST /api/v1/action_plans/{id}/workbook/{import}/apply", "POST /plans/{id}/workbook",
                            "POST /plans/{id}/workbook/{import}/apply"}) {
    e[route] = "write";
  }
  for (std::string route : {"GET /api/v1/risk_methods/{id}/view", "POST /api/v1/risk_methods/check",
                            "GET /api/v1/risk_registers/{id}/view", "GET /api/v1/risk_registers/{id}/rounds",
                            "GET /api/v1/risk_registers/{id}/rounds/{round}", "GET /api/v1/risk_registers/{id}/movement",
                            "GET /api/v1/risk_registers/{id}/workbook.xlsx", "GET /api/v1/risk_scenarios/{id}/evidence",
                            "GET /api/v1/risk_evidence/{id}", "GET /api/v1/regions/{code}/risks",
                            "GET /api/v1/assessments/{id}/priorities-by-risk", "GET /risk", "GET /risk/{id}",
                            "GET /risk/{id}/movement", "GET /risk/scenarios/{id}", "GET /regions/{code}/risks",
                            "GET /assessments/{id}/priorities-by-risk"}) {
    e[route] = "read";
  }
  for (std::string route : {"POST /api/v1/risk_registers/{id}/validate", "POST /api/v1/risk_registers/{id}/revise",
                            "POST /api/v1/risk_registers/{id}/workbook", "POST /api/v1/risk_registers/{id}/workbook/{import}/apply",
                            "PUT /api/v1/risk_scenarios/{id}/rating", "POST /api/v1/risk_scenarios/{id}/evidence",
                            "POST /risk/{id}/transition", "POST /risk/{id}/workbook", "POST /risk/{id}/workbook/{import}/apply",
                            "POST /risk/scenarios/{id}/rating", "POST /risk/scenarios/{id}/evidence",
                            "POST /risk/{id}/scenarios", "POST /risk/scenarios/{id}"}) {
    e[route] = "write";
  }
  e["POST /api/v1/risk_methods"] = "admin";
  e["POST /risk/methods"] = "admin";
  e["GET /api/v1/risk_methods"] = "read";
  e["GET /api/v1/risk_methods/{id}"] = "read";
  e["GET /api/v1/risk_methods/{id}/history"] = "read";
  for (std::string route : {"GET /api/v1/round_tables/{id}/view", "GET /api/v1/lessons/search", "GET /api/v1/calendar",
                            "GET /api/v1/regions/{code}/calendar.ics", "GET /api/v1/countries/{iso2}/calendar.ics",
                            "GET /api/v1/regions/{code}/brief", "GET /calendar", "GET /activities/{id}",
                            "GET /round-tables/{id}", "GET /lessons", "GET /regions/{code}/brief",
                            "GET /regions/{code}/brief.pdf", "GET /api/v1/activities/{id}/documents",
                            "GET /api/v1/activity-documents/{id}"}) {
    e[route] = "read";
  }
  for (std::string route : {"POST /api/v1/follow_ups/{id}/close", "POST /api/v1/exercise_evaluations/{id}/lesson",
                            "POST /exercise_evaluations/{id}/lesson", "POST /follow_ups/{id}/close",
                            "POST /api/v1/activities/{id}/documents", "POST /activities/{id}/documents",
                            "POST /api/v1/activities/{id}/places", "POST /activities/{id}/places"}) {
    e[route] = "write";
  }
  for (std::string route : {"POST /api/v1/hazard/footprint", "GET /hazard/footprint.geojson", "GET /hazard",
                            "GET /api/v1/hazard_scenarios/{id}/footprint.geojson", "GET /hazard_scenarios/{id}/map.svg"})
    e[route] = "read";
  e["GET /api/v1/questionnaires"] = "read";
  e["GET /api/v1/questionnaires/{id}"] = "read";
  e["GET /api/v1/questionnaires/{id}/history"] = "read";
  for (std::string k : {"regions", "countries", "memberships", "organisations", "agencies", "people",
                        "licences", "licence_items", "licence_opinions", "assessments", "action_plans",
                        "plan_actions", "plan_milestones", "plan_indicators", "indicator_values", "projects",
                        "risk_registers", "risk_scenarios",
                        "activities", "exercise_injects", "exercise_evaluations", "lessons", "round_tables",
                        "agenda_items", "follow_ups", "hazard_scenarios", "exercise_places"}) {
    std::string base = "/api/v1/" + k;
    e["GET " + base] = "read";
    e["POST " + base] = "write";
    e["GET " + base + "/{id}"] = "read";
    e["PUT " + base + "/{id}"] = "write";
    e["PATCH " + base + "/{id}"] = "write";
    e["GET " + base + "/{id}/history"] = "read";
    if (k != "regions" && k != "countries" && k != "licences") {
      e["DELETE " + base + "/{id}"] = "write";
      e["POST " + base + "/{id}/restore"] = "write";
    }
  }
  return e;
}

class AuthzTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const auto& u : kUsers) {
      auto [cookie, csrf] = SignIn(u);
      as_[u] = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
    }
    as_[""] = {{"Anonymous", "1"}};
    // One person of each ownership and sharing level.
    struct P { const char* key; const char* country; const char* region; const char* sharing; };
    for (const P& p : {P{"uz_private", "UZ", "", "private"}, P{"uz_region", "UZ", "", "region"},
                       P{"uz_published", "UZ", "", "published"}, P{"ge_network", "GE", "", "network"},
                       P{"ca_private", "", "CA", "private"}, P{"ca_region", "", "CA", "region"}}) {
      json body = {{"full_name", std::string("Matrix ") + p.key}, {"network_role", "other"},
                   {"sharing", p.sharing}};
      if (*p.country) body["country_id"] = p.country;
      if (*p.region) body["region_id"] = p.region;
      auto r = Call("POST", "/api/v1/people", body.dump());
      ASSERT_EQ(r.status, 201) << r.body;
      ids_[p.key] = Json(r)["id"];
    }
  }
  std::map<std::string, Headers> as_;
  std::map<std::string, std::string> ids_;
};

TEST_P(AuthzTest, EveryRouteForEveryRole) {
  auto expected = ExpectedRoutes();
  std::map<std::string, std::string> id_of = {{"regions", "CA"}, {"countries", "UZ"},
                                              {"people", ids_["uz_private"]}};
  for (std::string k : {"memberships", "organisations", "agencies"}) {
    id_of[k] = Json(Get("/api/v1/" + k + "?limit=1"))["items"][0]["id"];
  }
  std::string team_uz_id;
  json users = Json(Get("/api/v1/users"));  // named: a temporary would die before the loop body
  for (const auto& u : users["items"]) {
    if (u["username"] == "team.uz") team_uz_id = u["id"];
  }
  ASSERT_FALSE(team_uz_id.empty());
  std::set<std::string> seen;
  for (const auto& route : app_->router().routes()) {
    std::string key = route.method + " " + route.pattern;
    seen.insert(key);
    auto it = expected.find(key);
    if (it == expected.end()) {
      ADD_FAILURE() << "route " << key << " is not in the authorization matrix: decide who may use it";
      continue;
    }
    // A concrete target for the pattern.
    std::string target = route.pattern;
    std::string kind = target.rfind("/api/v1/", 0) == 0 ? target.substr(8, target.find('/', 8) - 8) : "people";
    auto fill = [&](const std::string& param, const std::string& value) {
      auto pos = target.find("{" + param + "}");
      if (pos != std::string::npos) target.replace(pos, param.size() + 2, value);
    };
    fill("file", "app.css");
    fill("code", "CA");
    fill("iso2", "UZ");
    fill("kind", "people");
    fill("role", "nfp");
    fill("token", "not-a-real-invitation");
    if (target.find("/users/") != std::string::npos) fill("id", team_uz_id);
    if (target.find("/tokens/") != std::string::npos) fill("id", "00000000-0000-4000-8000-000000000000");
    if (target.find("/organisations/") == 0) fill("id", id_of["organisations"]);
    fill("id", id_of.count(kind) ? id_of[kind] : ids_["uz_private"]);
    bool api = target.rfind("/api/", 0) == 0;
    bool ends_session = key == "POST /logout" || key == "DELETE /api/v1/session";
    for (const std::string& user : [&] { auto v = kUsers; v.push_back(""); return v; }()) {
      Headers h = as_[user];
      if (ends_session && !user.empty()) {
        auto [cookie, csrf] = SignIn(user);
        h = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
      }
      std::string body;
      if (route.method != "GET") {
        body = api ? "{}" : "x=1";
        if (!api) h["Content-Type"] = "application/x-www-form-urlencoded";
      }
      auto r = Call(route.method, target, body, h);
      bool to_login = r.status == 303 && r.headers["location"].rfind("/login?", 0) == 0;
      // The route-level refusals, by their documented messages (a wrong password on the
      // sign-in route is a 401 too, but not a refusal of the route).
      bool route_denied =
          (r.status == 401 && (r.body.find("sign in first") != std::string::npos ||
                               r.body.find("second factor") != std::string::npos)) ||
          to_login ||
          (r.status == 403 && r.body.find("your role may not do this") != std::string::npos);
      bool allowed = Allowed(it->second, user) || user == "admin";
      SCOPED_TRACE(key + " as " + (user.empty() ? "nobody" : user) + " -> " + std::to_string(r.status));
      EXPECT_NE(r.status, 500) << r.body.substr(0, 300);
      if (allowed) {
        EXPECT_FALSE(route_denied) << r.body.substr(0, 300);
      } else {
        EXPECT_TRUE(route_denied || r.status == 403) << r.body.substr(0, 300);
        if (user.empty()) {
          EXPECT_TRUE(r.status == 401 || to_login);
        }
      }
    }
  }
  for (const auto& [key, cls] : expected) {
    EXPECT_TRUE(seen.count(key)) << "the matrix lists " << key << " but no such route exists";
  }
}

// Who sees each person (a hand-written table: the rule in words, not the code again).
const std::map<std::string, std::set<std::string>> kReaders = {
    {"uz_private", {"admin", "auditor", "nfp.uz", "team.uz", "licensing.uz", "reviewer.uz"}},
    {"uz_region", {"admin", "auditor", "nfp.uz", "team.uz", "licensing.uz", "reviewer.uz", "secretariat.ca"}},
    {"uz_published", {"admin", "auditor", "programme", "observer", "secretariat.ca", "secretariat.seee",
                      "nfp.uz", "team.uz", "nfp.ge", "team.ge", "licensing.uz", "licensing.ge", "reviewer.uz"}},
    {"ge_network", {"admin", "auditor", "programme", "secretariat.seee", "nfp.ge", "team.ge", "licensing.ge"}},
    {"ca_private", {"admin", "auditor", "secretariat.ca"}},
    {"ca_region", {"admin", "auditor", "secretariat.ca", "nfp.uz", "team.uz", "licensing.uz", "reviewer.uz"}},
};
// Who may change each person.
const std::map<std::string, std::set<std::string>> kWriters = {
    {"uz_private", {"admin", "nfp.uz", "licensing.uz"}},
    {"uz_region", {"admin", "nfp.uz", "licensing.uz"}},
    {"uz_published", {"admin", "nfp.uz", "licensing.uz"}},
    {"ge_network", {"admin", "nfp.ge", "licensing.ge"}},
    {"ca_private", {"admin", "secretariat.ca"}},
    {"ca_region", {"admin", "secretariat.ca"}},
};

TEST_P(AuthzTest, EverySharingLevelForEveryRole) {
  for (const auto& user : kUsers) {
    auto list = Json(Call("GET", "/api/v1/people?q=Matrix&limit=500", "", as_[user]));
    std::set<std::string> listed;
    for (const auto& p : list["items"]) listed.insert(p["full_name"].get<std::string>().substr(7));
    for (const auto& [key, readers] : kReaders) {
      bool sees = readers.count(user) > 0;
      SCOPED_TRACE(user + " / " + key);
      EXPECT_EQ(listed.count(key) > 0, sees);
      auto one = Call("GET", "/api/v1/people/" + ids_[key], "", as_[user]);
      EXPECT_EQ(one.status, sees ? 200 : 404);
      // History follows the record's visibility.
      EXPECT_EQ(Call("GET", "/api/v1/people/" + ids_[key] + "/history", "", as_[user]).status,
                sees ? 200 : 404);
      int expected = !sees ? 404 : kWriters.at(key).count(user) ? 200 : 403;
      if (user == "auditor" || user == "observer") expected = 403;  // read-only roles
      auto patch = Call("PATCH", "/api/v1/people/" + ids_[key], R"({"position":"changed"})", as_[user]);
      EXPECT_EQ(patch.status, expected) << patch.body;
      // A record invisible to the caller is indistinguishable from one that does not exist.
      if (!sees && patch.status == 404) {
        auto ghost = Call("PATCH", "/api/v1/people/00000000-0000-4000-8000-000000000000",
                          R"({"position":"changed"})", as_[user]);
        EXPECT_EQ(Json(patch)["message"].get<std::string>().substr(0, 10),
                  Json(ghost)["message"].get<std::string>().substr(0, 10));
      }
    }
    EXPECT_EQ(list["total"].get<std::size_t>(), listed.size());
  }
}

TEST_P(AuthzTest, PagesShowOnlyWhatTheRoleMaySee) {
  auto ge_view = Call("GET", "/countries/UZ", "", as_["nfp.ge"]);
  ASSERT_EQ(ge_view.status, 200);
  EXPECT_NE(ge_view.body.find("Matrix uz_published"), std::string::npos);
  EXPECT_EQ(ge_view.body.find("Matrix uz_private"), std::string::npos);
  EXPECT_EQ(ge_view.body.find("Matrix uz_region"), std::string::npos);
  EXPECT_EQ(ge_view.body.find("Aziz Demo-Karimov"), std::string::npos);  // UZ's NFP, shared with the region only
  auto uz_view = Call("GET", "/countries/UZ", "", as_["nfp.uz"]);
  EXPECT_NE(uz_view.body.find("Matrix uz_private"), std::string::npos);
  auto sec_view = Call("GET", "/countries/UZ", "", as_["secretariat.ca"]);
  EXPECT_NE(sec_view.body.find("Aziz Demo-Karimov"), std::string::npos);
  EXPECT_EQ(sec_view.body.find("Matrix uz_private"), std::string::npos);
  // Not through a form either.
  EXPECT_EQ(Call("GET", "/forms/people/" + ids_["uz_private"], "", as_["nfp.ge"]).status, 404);
}

TEST_P(AuthzTest, ScopeRulesForChanges) {
  // A focal point cannot create records for another country, nor move one there.
  auto other_country = Call("POST", "/api/v1/people",
                            R"({"full_name":"Sideways","network_role":"other","country_id":"GE"})", as_["nfp.uz"]);
  EXPECT_EQ(other_country.status, 403);  // Georgia is visible (published), but not UZ's to fill
  auto move = Call("PATCH", "/api/v1/people/" + ids_["uz_private"], R"({"country_id":"KZ"})", as_["nfp.uz"]);
  EXPECT_EQ(move.status, 403) << move.body;
  // A team member edits only what is assigned to them; only the focal point shares and assigns.
  EXPECT_EQ(Call("PATCH", "/api/v1/people/" + ids_["uz_private"], R"({"position":"x"})", as_["team.uz"]).status, 403);
  std::string team_id = Json(Call("GET", "/api/v1/session", "", as_["team.uz"]))["user"]["id"];
  EXPECT_EQ(Call("PATCH", "/api/v1/people/" + ids_["uz_private"],
                 json{{"assigned_to", team_id}}.dump(), as_["team.uz"]).status, 403);
  EXPECT_EQ(Call("PATCH", "/api/v1/people/" + ids_["uz_private"],
                 json{{"assigned_to", team_id}}.dump(), as_["nfp.uz"]).status, 200);
  EXPECT_EQ(Call("PATCH", "/api/v1/people/" + ids_["uz_private"], R"({"position":"assigned"})", as_["team.uz"]).status, 200);
  EXPECT_EQ(Call("PATCH", "/api/v1/people/" + ids_["uz_private"], R"({"sharing":"published"})", as_["team.uz"]).status, 403);
  // Sharing upward makes the record visible to the secretariat at once.
  EXPECT_EQ(Call("GET", "/api/v1/people/" + ids_["uz_private"], "", as_["secretariat.ca"]).status, 404);
  EXPECT_EQ(Call("PATCH", "/api/v1/people/" + ids_["uz_private"], R"({"sharing":"region"})", as_["nfp.uz"]).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/people/" + ids_["uz_private"], "", as_["secretariat.ca"]).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/people/" + ids_["uz_private"], "", as_["secretariat.seee"]).status, 404);
  // A secretariat manages its region's records, not a country's.
  EXPECT_EQ(Call("POST", "/api/v1/people",
                 R"({"full_name":"Regional","network_role":"secretariat_staff","region_id":"CA"})",
                 as_["secretariat.ca"]).status, 201);
  EXPECT_EQ(Call("POST", "/api/v1/people",
                 R"({"full_name":"Regional","network_role":"secretariat_staff","region_id":"SEEE"})",
                 as_["secretariat.ca"]).status, 403);
}

// --- Regression tests for the holes an outside access probe found (each names what broke) ----

TEST_P(AuthzTest, OpenRedirectThroughATabOrAnyControlOrWhiteSpaceIsRefused) {
  // Every character a browser drops or reads as a separator, raw and percent-encoded, right
  // after the leading slash and deeper in the path: the redirect stays on the site.
  std::vector<std::string> bad;
  for (int c = 0; c <= 0x20; ++c) {
    char enc[4];
    std::snprintf(enc, sizeof enc, "%%%02X", c);
    bad.push_back(std::string("/") + enc + "/evil.example/");
    bad.push_back(std::string("/a/") + enc + "/b");
  }
  for (std::string u : {"%C2%A0", "%E2%80%A8", "%E3%80%80", "%EF%BB%BF", "%E2%80%8B", "%7F", "%5C"}) {
    bad.push_back("/" + u + "/evil.example/");
  }
  for (std::string raw : {"//evil.example/", "/\\evil.example/", "/%2F/evil.example", "/%5Cevil.example",
                          "https://evil.example/", "evil.example", ""}) {
    bad.push_back(raw);
  }
  // Each once as the form sends it (the server decodes %09 to a tab) and once encoded again
  // (the server receives "%09" literally and must refuse it after decoding).
  std::vector<std::string> sent;
  for (const auto& b : bad) {
    sent.push_back(b);
    sent.push_back(http::PercentEncode(b));
  }
  for (const auto& next : sent) {
    SCOPED_TRACE(next);
    auto login = Call("POST", "/login", "username=nfp.uz&password=cbrnhub-demo&next=" + next,
                      {{"Anonymous", "1"}, {"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(login.status, 303) << login.body.substr(0, 200);
    EXPECT_EQ(login.headers["location"], "/");
    // The sign-in page does not keep it in its hidden field either.
    auto page = Call("GET", "/login?next=" + next, "", {{"Anonymous", "1"}});
    EXPECT_EQ(page.body.find("evil.example"), std::string::npos);
    // Nor does a form save's return_to.
    auto save = Call("POST", "/forms/people/" + ids_["uz_private"], "position=x&return_to=" + next,
                     {{"Cookie", as_["nfp.uz"]["Cookie"]}, {"X-CSRF-Token", as_["nfp.uz"]["X-CSRF-Token"]},
                      {"Content-Type", "application/x-www-form-urlencoded"}});
    if (save.status == 303) EXPECT_EQ(save.headers["location"].rfind("/?", 0), 0u) << save.headers["location"];
  }
  // A good local path still works, query included.
  auto ok = Call("POST", "/login", "username=nfp.uz&password=cbrnhub-demo&next=%2Fcountries%2FUZ%3Fq%3Da%2520b",
                 {{"Anonymous", "1"}, {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(ok.headers["location"], "/countries/UZ?q=a%20b");
}

TEST_P(AuthzTest, DraftAssessmentCannotBeSharedBeforeValidation) {
  json qs = Json(Get("/api/v1/questionnaires"));
  std::string qid = qs["items"][0]["id"];
  auto created = Call("POST", "/api/v1/assessments",
                      json{{"country", "UZ"}, {"questionnaire_id", qid}, {"title", "Sharing rule"}}.dump(), as_["nfp.uz"]);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = Json(created)["id"];
  // Private while the team works: not to the network, not to the region, not published.
  for (std::string level : {"network", "region", "published"}) {
    auto r = Call("PATCH", "/api/v1/assessments/" + id, json{{"sharing", level}}.dump(), as_["nfp.uz"]);
    EXPECT_EQ(r.status, 409) << level << ": " << r.body;
    EXPECT_EQ(Json(r)["field"], "sharing");
  }
  EXPECT_EQ(Call("PATCH", "/api/v1/assessments/" + id, R"({"sharing":"network"})", as_["admin"]).status, 409);
  // Nor through the page's form, which does not offer it.
  auto page = Call("GET", "/assessments/" + id, "", as_["nfp.uz"]);
  EXPECT_EQ(page.body.find("/share\""), std::string::npos);
  auto form = Call("POST", "/assessments/" + id + "/share", "sharing=network",
                   {{"Cookie", as_["nfp.uz"]["Cookie"]}, {"X-CSRF-Token", as_["nfp.uz"]["X-CSRF-Token"]},
                    {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_NE(form.status, 200);
  for (std::string reader : {"programme", "secretariat.ca"}) {
    EXPECT_EQ(Call("GET", "/api/v1/assessments/" + id, "", as_[reader]).status, 404) << reader;
    EXPECT_EQ(Call("GET", "/api/v1/assessments/" + id + "/answers", "", as_[reader]).status, 404) << reader;
  }
  // Submitted: with the region, and no further until validated.
  ASSERT_EQ(Call("POST", "/api/v1/assessments/" + id + "/transition", R"({"to":"submitted"})", as_["nfp.uz"]).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/assessments/" + id, "", as_["secretariat.ca"]).status, 200);
  EXPECT_EQ(Call("PATCH", "/api/v1/assessments/" + id, R"({"sharing":"network"})", as_["nfp.uz"]).status, 409);
  EXPECT_EQ(Call("GET", "/api/v1/assessments/" + id, "", as_["programme"]).status, 404);
  ASSERT_EQ(Call("POST", "/api/v1/assessments/" + id + "/transition", R"({"to":"validated"})", as_["secretariat.ca"]).status, 200);
  // Validated: the focal point may share further; nobody else may.
  EXPECT_EQ(Call("PATCH", "/api/v1/assessments/" + id, R"({"sharing":"network"})", as_["team.uz"]).status, 403);
  EXPECT_EQ(Call("PATCH", "/api/v1/assessments/" + id, R"({"sharing":"network"})", as_["nfp.uz"]).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/assessments/" + id, "", as_["programme"]).status, 200);
}

TEST_P(AuthzTest, ExportControlRecordsAreNeverSharedBeyondTheCountrysExportControl) {
  auto created = Call("POST", "/api/v1/licences",
                      json{{"reference", "LEAK-1"}, {"country", "UZ"}, {"exporter", "Demo Exporter"},
                           {"end_user", "Demo End User"}}.dump(), as_["licensing.uz"]);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = Json(created)["id"];
  for (std::string level : {"network", "region", "published"}) {
    EXPECT_EQ(Call("PATCH", "/api/v1/licences/" + id, json{{"sharing", level}}.dump(), as_["admin"]).status, 403) << level;
    EXPECT_EQ(Call("PATCH", "/api/v1/licences/" + id, json{{"sharing", level}}.dump(), as_["licensing.uz"]).status, 403);
    auto with = Call("POST", "/api/v1/licences",
                     json{{"reference", "LEAK-" + level}, {"country", "UZ"}, {"exporter", "x"}, {"end_user", "y"},
                          {"sharing", level}}.dump(), as_["licensing.uz"]);
    EXPECT_EQ(with.status, 403) << with.body;
  }
  for (std::string user : {"programme", "observer", "nfp.uz", "secretariat.ca", "licensing.ge"}) {
    EXPECT_EQ(Call("GET", "/api/v1/licences/" + id, "", as_[user]).status, 404) << user;
    EXPECT_EQ(Json(Call("GET", "/api/v1/licences?q=LEAK", "", as_[user]))["total"], 0) << user;
  }
  EXPECT_EQ(Json(Call("GET", "/api/v1/licences?q=LEAK", "", as_["licensing.uz"]))["total"], 1);
}

TEST_P(AuthzTest, UniqueClashWithAnotherCountrysRecordIsNoClash) {
  auto body = [](const std::string& country) {
    return json{{"reference", "REF-2026-7"}, {"country", country}, {"exporter", "x"}, {"end_user", "y"}}.dump();
  };
  ASSERT_EQ(Call("POST", "/api/v1/licences", body("UZ"), as_["licensing.uz"]).status, 201);
  // Georgia numbers its own licences: UZ's reference is invisible to it and no obstacle.
  auto ge = Call("POST", "/api/v1/licences", body("GE"), as_["licensing.ge"]);
  EXPECT_EQ(ge.status, 201) << ge.body;
  EXPECT_EQ(ge.body.find("already"), std::string::npos);
  // Within one country the reference stays unique.
  auto again = Call("POST", "/api/v1/licences", body("UZ"), as_["licensing.uz"]);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(Json(again)["field"], "reference");
  EXPECT_EQ(Call("GET", "/api/v1/licences/REF-2026-7", "", as_["licensing.ge"]).status, 200);
  EXPECT_EQ(Json(Call("GET", "/api/v1/licences/REF-2026-7", "", as_["licensing.ge"]))["country"], "GE");
}

TEST_P(AuthzTest, DeleteMessageCountsOnlyReferencesTheCallerCanSee) {
  // A published GE agency that a private UZ person refers to.
  auto agency = Call("POST", "/api/v1/agencies",
                     json{{"country_id", "GE"}, {"name", "Demo GE Agency for references"}, {"kind", "ministry"},
                          {"sharing", "published"}}.dump(),
                     as_["nfp.ge"]);
  ASSERT_EQ(agency.status, 201) << agency.body;
  std::string agency_id = Json(agency)["id"];
  auto uz_person = Call("POST", "/api/v1/people",
                        json{{"full_name", "Private UZ referrer"}, {"network_role", "other"}, {"country_id", "UZ"},
                             {"agency_id", agency_id}}.dump(), as_["nfp.uz"]);
  ASSERT_EQ(uz_person.status, 201) << uz_person.body;
  // Georgia cannot see the UZ person: the delete neither counts nor mentions it.
  auto del = Call("DELETE", "/api/v1/agencies/" + agency_id, "", as_["nfp.ge"]);
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_EQ(del.body.find("people"), std::string::npos);
  ASSERT_EQ(Call("POST", "/api/v1/agencies/" + agency_id + "/restore", "", as_["nfp.ge"]).status, 200);
  // A reference Georgia can see still protects the agency, and is counted.
  ASSERT_EQ(Call("POST", "/api/v1/people",
                 json{{"full_name", "GE referrer"}, {"network_role", "other"}, {"country_id", "GE"},
                      {"agency_id", agency_id}}.dump(), as_["nfp.ge"]).status, 201);
  auto blocked = Call("DELETE", "/api/v1/agencies/" + agency_id, "", as_["nfp.ge"]);
  EXPECT_EQ(blocked.status, 409);
  EXPECT_NE(blocked.body.find("still referenced by 1 people"), std::string::npos) << blocked.body;
}

TEST_P(AuthzTest, AssigningToAPersonOfAnotherCountryIsRefused) {
  std::string team_ge, team_uz;
  json users = Json(Get("/api/v1/users"));
  for (const auto& u : users["items"]) {
    if (u["username"] == "team.ge") team_ge = u["id"];
    if (u["username"] == "team.uz") team_uz = u["id"];
  }
  auto r = Call("PATCH", "/api/v1/people/" + ids_["uz_private"], json{{"assigned_to", team_ge}}.dump(), as_["nfp.uz"]);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Json(r)["field"], "assigned_to");
  EXPECT_EQ(Call("PATCH", "/api/v1/people/" + ids_["uz_private"], json{{"assigned_to", team_uz}}.dump(), as_["nfp.uz"]).status, 200);
}

INSTANTIATE_BACKENDS(AuthzTest);

}  // namespace
}  // namespace cbrnhub::testing
