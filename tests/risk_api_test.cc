// The national risk register through the API and pages, on both backends: a register's rounds
// (validated as they were, a validated round refusing changes, movement between rounds), bad
// input naming its field with nothing written, a register invisible outside its country until
// shared and never counted in the region before, priorities re-ranked by the risks they serve
// against a hand-made case, source files, the workbook round trip, and the pages.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "assets/assets.h"
#include "server_fixture.h"
#include "workbook_support.h"

namespace cbrnhub::testing {
namespace {

using Headers = std::map<std::string, std::string>;

class RiskApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* u : {"nfp.uz", "team.uz", "nfp.ge", "secretariat.ca", "secretariat.seee", "programme", "licensing.uz"}) {
      auto [cookie, csrf] = SignIn(u);
      as_[u] = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
    }
    auto loaded = Call("POST", "/api/v1/risk_methods", std::string(*assets::Find("data/risk/eu-rmg-2010.yaml")));
    ASSERT_EQ(loaded.status, 201) << loaded.body;
    method_ = Json(loaded)["method"]["id"];
  }
  HttpResponse As(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return Call(method, target, body, as_[user]);
  }
  std::string NewRegister(const std::string& country = "UZ", const std::string& user = "nfp.uz", json extra = json::object()) {
    json body = {{"country", country}, {"title", "National CBRN risk register " + country}, {"method_id", method_},
                 {"assessed_on", "2026-10-01"}};
    body.update(extra);
    auto r = user == "admin" ? Call("POST", "/api/v1/risk_registers", body.dump()) : As(user, "POST", "/api/v1/risk_registers", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r)["id"];
  }
  std::string NewScenario(const std::string& reg, json extra = json::object(), const std::string& user = "nfp.uz") {
    json body = {{"register_id", reg},         {"title", "Chlorine release at the rail yard"}, {"hazard", "chemical"},
                 {"origin", "accidental"},     {"scenario_type", "chem_transport"},          {"capabilities", "detection, response"},
                 {"worst_case", "A tank car ruptures at 14:00 in a west wind of 3 m/s."}};
    body.update(extra);
    auto r = user == "admin" ? Call("POST", "/api/v1/risk_scenarios", body.dump()) : As(user, "POST", "/api/v1/risk_scenarios", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r)["id"];
  }
  HttpResponse RateAs(const std::string& user, const std::string& scenario, int likelihood, const json& impacts) {
    json body = {{"likelihood", {{"level", likelihood}, {"confidence", "medium"}}}, {"impacts", impacts}};
    return user == "admin" ? Call("PUT", "/api/v1/risk_scenarios/" + scenario + "/rating", body.dump())
                           : As(user, "PUT", "/api/v1/risk_scenarios/" + scenario + "/rating", body.dump());
  }
  json View(const std::string& reg, const std::string& user = "nfp.uz", const std::string& query = "") {
    return Json(As(user, "GET", "/api/v1/risk_registers/" + reg + "/view" + query));
  }
  static const json* ScenarioIn(const json& view, const std::string& id) {
    for (const auto& s : view["scenarios"]) {
      if (s["id"] == id) return &s;
    }
    return nullptr;
  }
  std::string FieldOf(const HttpResponse& r) {
    json j = Json(r);
    return j.is_object() && j["field"].is_string() ? j["field"].get<std::string>() : "(" + std::to_string(r.status) + ")";
  }
  std::map<std::string, Headers> as_;
  std::string method_;
};

TEST_P(RiskApiTest, RoundsAreKeptAsValidatedAndScenariosMoveBetweenThem) {
  std::string reg = NewRegister();
  std::string chlorine = NewScenario(reg);
  std::string flu = NewScenario(reg, {{"title", "Pandemic influenza"}, {"hazard", "biological"}, {"origin", "natural"},
                                      {"scenario_type", "bio_pandemic"}, {"capabilities", "preparedness"}});
  // Fatalities 30 -> level 3, casualties 800 -> level 4: the maximum is 4; likelihood 2 x 4 -> high.
  auto rated = RateAs("nfp.uz", chlorine, 2, {{"fatalities", {{"value", 30}}}, {"casualties", {{"value", 800}, {"confidence", "low"}}}});
  ASSERT_EQ(rated.status, 200) << rated.body;
  EXPECT_EQ(Json(rated)["rating"]["impact"], 4);
  EXPECT_EQ(Json(rated)["rating"]["band"], "high");
  // Validating needs every scenario rated.
  auto early = As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/validate", R"({"note":"first"})");
  EXPECT_EQ(early.status, 400) << early.body;
  EXPECT_NE(early.body.find("Pandemic influenza"), std::string::npos);
  ASSERT_EQ(RateAs("nfp.uz", flu, 3, {{"fatalities", {{"level", 5}}}}).status, 200);
  // Only the focal point validates.
  EXPECT_EQ(As("team.uz", "POST", "/api/v1/risk_registers/" + reg + "/validate").status, 403);
  auto validated = As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/validate", R"({"note":"round one"})");
  ASSERT_EQ(validated.status, 200) << validated.body;
  EXPECT_EQ(Json(validated)["status"], "validated");
  // A validated round does not change: not its ratings, its scenarios or the register's content.
  EXPECT_EQ(RateAs("nfp.uz", chlorine, 4, {{"fatalities", {{"level", 1}}}}).status, 409);
  EXPECT_EQ(As("nfp.uz", "PATCH", "/api/v1/risk_scenarios/" + chlorine, R"({"title":"changed"})").status, 409);
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/risk_scenarios", json{{"register_id", reg}, {"title", "Late"}, {"hazard", "nuclear"},
                                                                 {"origin", "intentional"}}.dump()).status, 409);
  EXPECT_EQ(As("nfp.uz", "PATCH", "/api/v1/risk_registers/" + reg, R"({"title":"changed"})").status, 409);
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/validate").status, 409);
  // ... but it can be shared.
  EXPECT_EQ(As("nfp.uz", "PATCH", "/api/v1/risk_registers/" + reg, R"({"sharing":"region"})").status, 200);
  // Round two: the chlorine release judged more likely.
  auto revised = As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/revise");
  ASSERT_EQ(revised.status, 200) << revised.body;
  EXPECT_EQ(Json(revised)["round"], 2);
  ASSERT_EQ(RateAs("nfp.uz", chlorine, 4, {{"fatalities", {{"value", 30}}}, {"casualties", {{"value", 800}}}}).status, 200);
  json view = View(reg);
  const json* c = ScenarioIn(view, chlorine);
  ASSERT_TRUE(c);
  EXPECT_EQ((*c)["position"]["band"], "very_high");  // likelihood 4 x impact 4
  EXPECT_EQ((*c)["previous"]["band"], "high");
  EXPECT_EQ((*c)["previous"]["likelihood"], 2);
  EXPECT_EQ(view["previous_round"], 1);
  // The matrix: the chlorine scenario in cell 4 x 4, the flu (3 x 5) in its own.
  int placed = 0;
  for (const auto& cell : view["matrix"]) {
    for (const auto& id : cell["scenarios"]) {
      ++placed;
      if (id == chlorine) EXPECT_EQ(cell["likelihood"].get<int>() * 10 + cell["impact"].get<int>(), 44);
      if (id == flu) EXPECT_EQ(cell["likelihood"].get<int>() * 10 + cell["impact"].get<int>(), 35);
    }
  }
  EXPECT_EQ(placed, 2);
  // Filtered by hazard and by one criterion.
  json chem = View(reg, "nfp.uz", "?hazard=chemical");
  EXPECT_EQ(chem["shown"], 1);
  json by_casualties = View(reg, "nfp.uz", "?criterion=casualties");
  EXPECT_EQ((*ScenarioIn(by_casualties, chlorine))["position"]["impact"], 4);
  EXPECT_TRUE((*ScenarioIn(by_casualties, flu))["position"]["band"].is_null()) << "the flu has no casualty rating";
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/risk_registers/" + reg + "/view?criterion=weather").status, 400);
  // Round 1 is kept exactly as validated.
  json round1 = Json(As("nfp.uz", "GET", "/api/v1/risk_registers/" + reg + "/rounds/1"));
  EXPECT_EQ(round1["note"], "round one");
  bool found = false;
  for (const auto& s : round1["snapshot"]["scenarios"]) {
    if (s["id"] == chlorine) {
      found = true;
      EXPECT_EQ(s["likelihood"]["level"], 2);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/risk_registers/" + reg + "/rounds/2").status, 404);
  // Movement: two columns (round 1 and round 2 in work), the chlorine release risen.
  json moved = Json(As("nfp.uz", "GET", "/api/v1/risk_registers/" + reg + "/movement"));
  ASSERT_EQ(moved["columns"].size(), 2u) << moved.dump();
  EXPECT_TRUE(moved["columns"][1]["current"].get<bool>());
  for (const auto& s : moved["scenarios"]) {
    EXPECT_EQ(s["trend"], s["id"] == chlorine ? "up" : "same") << s.dump();
  }
  // Validating round 2 keeps both rounds.
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/validate").status, 200);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/risk_registers/" + reg + "/rounds"))["rounds"].size(), 2u);
  // Every transition is in the audit log.
  json history = Json(As("nfp.uz", "GET", "/api/v1/risk_registers/" + reg + "/history"));
  std::string actions;
  for (const auto& h : history["items"]) actions += h["action"].get<std::string>() + " ";
  EXPECT_NE(actions.find("transition:validated"), std::string::npos) << actions;
  EXPECT_NE(actions.find("transition:revised"), std::string::npos) << actions;
}

TEST_P(RiskApiTest, BadInputIsRefusedNamingItsFieldAndNothingIsWritten) {
  std::string reg = NewRegister();
  std::string s = NewScenario(reg);
  struct Case {
    json body;
    const char* field;
  };
  const Case rating_cases[] = {
      {{{"likelihood", {{"level", 6}}}}, "likelihood.level"},
      {{{"likelihood", {{"probability", 2}}}}, "likelihood.probability"},
      {{{"impacts", {{"tsunami", {{"level", 2}}}}}}, "impacts.tsunami"},
      {{{"impacts", {{"fatalities", {{"level", 0}}}}}}, "impacts.fatalities.level"},
      {{{"impacts", {{"fatalities", {{"value", 500}, {"level", 2}}}}}}, "impacts.fatalities.level"},
      {{{"impacts", {{"social", {{"value", 3}}}}}}, "impacts.social.value"},
      {{{"impacts", {{"economic", {{"level", 2}, {"confidence", "total"}}}}}}, "impacts.economic.confidence"},
  };
  for (const auto& c : rating_cases) {
    auto r = As("nfp.uz", "PUT", "/api/v1/risk_scenarios/" + s + "/rating", c.body.dump());
    EXPECT_EQ(r.status, 400) << c.body.dump() << " " << r.body;
    EXPECT_EQ(FieldOf(r), c.field) << r.body;
  }
  EXPECT_EQ(As("nfp.uz", "PUT", "/api/v1/risk_scenarios/" + s + "/rating", "{not json").status, 400);
  const Case scenario_cases[] = {
      {{{"hazard", "meteor"}}, "hazard"},
      {{{"origin", "alien"}}, "origin"},
      {{{"scenario_type", "bio_pandemic"}}, "scenario_type"},  // a biological type on a chemical scenario
      {{{"scenario_type", "volcano"}}, "scenario_type"},
      {{{"capabilities", "detection, teleportation"}}, "capabilities"},
      {{{"actions", "00000000-0000-4000-8000-000000000000"}}, "actions"},
      {{{"likelihood", "{\"level\": 9}"}}, "likelihood.level"},
      {{{"likelihood", "not json"}}, "likelihood"},
      {{{"impacts", "{\"fatalities\": {\"value\": 30}}"}}, "impacts"},  // not the checked form (no level)
      {{{"title", ""}}, "title"},
  };
  for (const auto& c : scenario_cases) {
    auto r = As("nfp.uz", "PATCH", "/api/v1/risk_scenarios/" + s, c.body.dump());
    EXPECT_EQ(r.status, 400) << c.body.dump() << " " << r.body;
    EXPECT_EQ(FieldOf(r), c.field) << r.body;
  }
  // A question id that some questionnaire asks is a capability; the functions are too.
  EXPECT_EQ(As("nfp.uz", "PATCH", "/api/v1/risk_scenarios/" + s, R"({"capabilities":"GOV1a, recovery"})").status, 200);
  // Registers: an unknown method, another country's assessment, another country.
  EXPECT_EQ(FieldOf(As("nfp.uz", "POST", "/api/v1/risk_registers",
                       json{{"country", "UZ"}, {"title", "x"}, {"method_id", "no-such-method"}}.dump())),
            "method_id");
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/risk_registers", json{{"country", "GE"}, {"title", "x"}, {"method_id", method_}}.dump()).status,
            403);
  // Nothing of the refused writes is stored.
  json view = View(reg);
  ASSERT_EQ(view["scenarios"].size(), 1u);
  EXPECT_EQ(view["scenarios"][0]["title"], "Chlorine release at the rail yard");
  EXPECT_TRUE(view["scenarios"][0]["likelihood"].is_null());
  EXPECT_EQ(view["scenarios"][0]["hazard"], "chemical");
  // A bad method definition is refused with its line; nothing is loaded.
  std::string yaml(*assets::Find("data/risk/eu-rmg-2010.yaml"));
  yaml.replace(yaml.find("version: '2010'"), 15, "version: '2011'");
  yaml.replace(yaml.find("thresholds: [1, 10, 50, 200]"), 28, "thresholds: [1, 50, 10, 200]");
  auto bad = Call("POST", "/api/v1/risk_methods", yaml);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("impact.criteria[0].thresholds[2]: 10 does not increase on 50"), std::string::npos) << bad.body;
  EXPECT_EQ(Json(Get("/api/v1/risk_methods"))["total"], 1);
  auto check = Call("POST", "/api/v1/risk_methods/check", yaml);
  EXPECT_EQ(check.status, 400);
  // The same version with other content is a conflict; only administrators load methods.
  std::string changed(*assets::Find("data/risk/eu-rmg-2010.yaml"));
  changed.replace(changed.find("period_years: 5"), 15, "period_years: 4");
  EXPECT_EQ(Call("POST", "/api/v1/risk_methods", changed).status, 409);
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/risk_methods", changed).status, 403);
  // A corrected translation alone is taken in place: same method, same ratings.
  std::string retranslated(*assets::Find("data/risk/eu-rmg-2010.yaml"));
  retranslated.replace(retranslated.find("fr: Très improbable"), 20, "fr: Hautement improbable");
  auto taken = Call("POST", "/api/v1/risk_methods", retranslated);
  ASSERT_EQ(taken.status, 200) << taken.body.substr(0, 300);
  EXPECT_EQ(Json(taken)["method"]["id"], method_);
  auto french = Json(Get("/api/v1/risk_methods/" + method_ + "/view?lang=fr"));
  EXPECT_EQ(french["likelihood"][0]["label"], "Hautement improbable");
  EXPECT_EQ(Json(Get("/api/v1/risk_methods"))["total"], 1);
  std::string english = retranslated;
  english.replace(english.find("en: Very unlikely"), 17, "en: Most unlikely");
  EXPECT_EQ(Call("POST", "/api/v1/risk_methods", english).status, 409);
}

TEST_P(RiskApiTest, ARegisterIsUnseenOutsideItsCountryUntilSharedAndOnlySharedRoundsCount) {
  std::string reg = NewRegister();
  std::string s = NewScenario(reg);
  ASSERT_EQ(RateAs("nfp.uz", s, 3, {{"fatalities", {{"value", 60}}}}).status, 200);  // 3 x 4 -> high
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/validate").status, 200);
  // Private: the team sees it; the region, another country and the programme do not, even as a count.
  EXPECT_EQ(As("team.uz", "GET", "/api/v1/risk_registers/" + reg).status, 200);
  for (const char* user : {"secretariat.ca", "nfp.ge", "programme", "secretariat.seee"}) {
    EXPECT_EQ(As(user, "GET", "/api/v1/risk_registers/" + reg).status, 404) << user;
    EXPECT_EQ(As(user, "GET", "/api/v1/risk_scenarios/" + s).status, 404) << user;
    EXPECT_EQ(As(user, "GET", "/api/v1/risk_registers/" + reg + "/view").status, 404) << user;
    EXPECT_EQ(As(user, "GET", "/api/v1/risk_registers/" + reg + "/rounds/1").status, 404) << user;
    EXPECT_EQ(Json(As(user, "GET", "/api/v1/risk_registers"))["total"], 0) << user;
  }
  // Not in the region's figures, even for its own country.
  for (const char* user : {"secretariat.ca", "nfp.uz"}) {
    json region = Json(As(user, "GET", "/api/v1/regions/CA/risks"));
    for (const auto& c : region["countries"]) {
      if (c["country"] == "UZ") EXPECT_FALSE(c["shared"].get<bool>()) << user;
    }
    EXPECT_TRUE(region["method"].is_null()) << user;
  }
  // Shared with the region: the secretariat sees the register, its scenarios and the region's count.
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/risk_registers/" + reg, R"({"sharing":"region"})").status, 200);
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/risk_scenarios/" + s).status, 200);
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/risk_registers/" + reg).status, 404);
  EXPECT_EQ(As("programme", "GET", "/api/v1/risk_registers/" + reg).status, 404);
  // The secretariat reads but does not write a country's register.
  EXPECT_EQ(As("secretariat.ca", "PATCH", "/api/v1/risk_scenarios/" + s, R"({"affected_area":"x"})").status, 403);
  // A second country (created by the administrator) with a high industrial accident too.
  std::string kz = NewRegister("KZ", "admin");
  std::string kz_s = NewScenario(kz, {{"title", "Ammonia release at a fertiliser plant"}, {"scenario_type", "chem_industrial"}}, "admin");
  ASSERT_EQ(RateAs("admin", kz_s, 4, {{"casualties", {{"value", 600}}}}).status, 200);  // 4 x 4 -> very high
  ASSERT_EQ(Call("POST", "/api/v1/risk_registers/" + kz + "/validate").status, 200);
  ASSERT_EQ(Call("PATCH", "/api/v1/risk_registers/" + kz, R"({"sharing":"region"})").status, 200);
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/risk_scenarios/" + s, R"({"scenario_type":"chem_industrial"})").status, 409)
      << "validated";
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/revise").status, 200);
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/risk_scenarios/" + s, R"({"scenario_type":"chem_industrial"})").status, 200);
  json region = Json(As("secretariat.ca", "GET", "/api/v1/regions/CA/risks"));
  // The round in work does not count: UZ is still counted by round 1, of type chem_transport.
  int total = 0;
  for (const auto& cell : region["cells"]) total += cell["count"].get<int>();
  EXPECT_EQ(total, 2) << region.dump();
  EXPECT_TRUE(region["shared_high"].empty()) << region.dump();
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/validate").status, 200);
  region = Json(As("secretariat.ca", "GET", "/api/v1/regions/CA/risks"));
  ASSERT_EQ(region["shared_high"].size(), 1u) << region.dump();
  EXPECT_EQ(region["shared_high"][0]["type"], "chem_industrial");
  EXPECT_EQ(region["shared_high"][0]["countries"], json({"KZ", "UZ"}));
  for (const auto& h : region["by_hazard"]) {
    if (h["hazard"] == "chemical") {
      EXPECT_EQ(h["bands"]["high"], 1);
      EXPECT_EQ(h["bands"]["very_high"], 1);
    }
  }
  // Another region's secretariat sees none of it; an unknown region is not found.
  json seee = Json(As("secretariat.seee", "GET", "/api/v1/regions/CA/risks"));
  for (const auto& c : seee["countries"]) EXPECT_FALSE(c["shared"].get<bool>());
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/regions/XX/risks").status, 404);
}

TEST_P(RiskApiTest, PrioritiesRiseWithTheRisksTheyServe) {
  records::Caller seeder{access::Principal::System("seed"), ""};
  ASSERT_TRUE(assessment::Service(*store_).SeedDemo(seeder).ok());
  json list = Json(As("nfp.uz", "GET", "/api/v1/assessments?country=UZ"));
  ASSERT_GE(list["items"].size(), 1u);
  std::string assessment = list["items"][0]["id"];
  json results = Json(As("nfp.uz", "GET", "/api/v1/assessments/" + assessment + "/results"));
  const json& pr = results["priorities"];
  ASSERT_GE(pr.size(), 6u);
  // Without a register, the order is the order by weighted gap.
  json none = Json(As("nfp.uz", "GET", "/api/v1/assessments/" + assessment + "/priorities-by-risk"));
  ASSERT_EQ(none["priorities"].size(), pr.size());
  EXPECT_TRUE(none["register"].is_null());
  for (size_t i = 0; i < pr.size(); ++i) EXPECT_EQ(none["priorities"][i]["question"], pr[i]["question"]);
  // A very high risk (weight 1) depends on the sixth priority's question: its weighted gap
  // doubles, so it rises above every priority whose weighted gap is less than twice its own.
  const json& sixth = pr[5];
  double doubled = 2 * sixth["weighted_gap"].get<double>();
  int expected_rank = 1;
  for (size_t i = 0; i < pr.size(); ++i) {
    double wg = pr[i]["weighted_gap"].get<double>();
    // Equal scores keep their order by gap: those ranked before it stay before it.
    if (i != 5 && (wg > doubled + 1e-12 || (i < 5 && wg > doubled - 1e-12))) ++expected_rank;
  }
  std::string reg = NewRegister("UZ", "nfp.uz", {{"assessment_id", assessment}});
  std::string s = NewScenario(reg, {{"title", "Sabotage of the chemical plant"}, {"origin", "intentional"},
                                    {"scenario_type", "chem_attack"}, {"capabilities", sixth["question"]}});
  ASSERT_EQ(RateAs("nfp.uz", s, 5, {{"fatalities", {{"value", 500}}}}).status, 200);  // 5 x 5 -> very high
  json ranked = Json(As("nfp.uz", "GET", "/api/v1/assessments/" + assessment + "/priorities-by-risk"));
  EXPECT_EQ(ranked["register"]["id"], reg);
  bool seen = false;
  for (const auto& p : ranked["priorities"]) {
    if (p["question"] != sixth["question"]) {
      EXPECT_EQ(p["risk_factor"], 1.0) << p.dump();
      continue;
    }
    seen = true;
    EXPECT_EQ(p["rank"], expected_rank);
    EXPECT_EQ(p["previous_rank"], 6);
    EXPECT_EQ(p["risk_factor"], 2.0);
    ASSERT_EQ(p["serves"].size(), 1u);
    EXPECT_EQ(p["serves"][0]["title"], "Sabotage of the chemical plant");
    EXPECT_EQ(p["serves"][0]["band"], "very_high");
    EXPECT_EQ(p["serves"][0]["through"], sixth["question"]);
  }
  EXPECT_TRUE(seen);
  // A capability (function) serves the questions of the scenario's hazard and the cross-cutting
  // ones, not another hazard's: a high chemical risk (weight 0.5) on "detection".
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/risk_scenarios/" + s, R"({"capabilities":"detection"})").status, 200);
  ASSERT_EQ(RateAs("nfp.uz", s, 3, {{"fatalities", {{"value", 30}}}}).status, 200);  // 3 x 3 -> high
  ranked = Json(As("nfp.uz", "GET", "/api/v1/assessments/" + assessment + "/priorities-by-risk"));
  int raised = 0;
  for (const auto& p : ranked["priorities"]) {
    bool serves = p["function"] == "detection" && (p["domain"] == "chemical" || p["domain"] == "cross-cutting");
    EXPECT_EQ(p["risk_factor"].get<double>(), serves ? 1.5 : 1.0) << p.dump();
    raised += serves;
  }
  EXPECT_GT(raised, 0) << "the demo assessment has chemical or cross-cutting detection priorities";
  // Georgia sees neither the assessment nor its ranking.
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/assessments/" + assessment + "/priorities-by-risk").status, 404);
  // The page shows the same order with the reason.
  auto page = As("nfp.uz", "GET", "/assessments/" + assessment + "/priorities-by-risk");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Sabotage of the chemical plant"), std::string::npos);
}

TEST_P(RiskApiTest, HighRisksWithoutATreatingActionAreListedUntilAnActionTreatsThem) {
  std::string reg = NewRegister();
  std::string s = NewScenario(reg);
  ASSERT_EQ(RateAs("nfp.uz", s, 4, {{"fatalities", {{"value", 60}}}}).status, 200);  // 4 x 4 -> very high
  json view = View(reg);
  ASSERT_EQ(view["untreated"].size(), 1u);
  // An action of the country's plan treats it.
  auto plan = As("nfp.uz", "POST", "/api/v1/action_plans", json{{"country", "UZ"}, {"title", "NAP"}}.dump());
  ASSERT_EQ(plan.status, 201) << plan.body;
  auto action = As("nfp.uz", "POST", "/api/v1/plan_actions",
                   json{{"plan_id", Json(plan)["id"]}, {"title", "Rail yard chlorine drill"}, {"status", "on_track"}}.dump());
  ASSERT_EQ(action.status, 201) << action.body;
  std::string action_id = Json(action)["id"];
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/risk_scenarios/" + s, json{{"actions", action_id}}.dump()).status, 200);
  view = View(reg);
  EXPECT_EQ(view["untreated"].size(), 0u);
  EXPECT_EQ(view["scenarios"][0]["action_list"][0]["title"], "Rail yard chlorine drill");
  // A cancelled action treats nothing.
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/plan_actions/" + action_id, R"({"status":"cancelled"})").status, 200);
  EXPECT_EQ(View(reg)["untreated"].size(), 1u);
  // Another country's action cannot be named.
  auto ge_plan = As("nfp.ge", "POST", "/api/v1/action_plans", json{{"country", "GE"}, {"title", "GE NAP"}}.dump());
  auto ge_action = As("nfp.ge", "POST", "/api/v1/plan_actions", json{{"plan_id", Json(ge_plan)["id"]}, {"title", "GE action"}}.dump());
  ASSERT_EQ(ge_action.status, 201);
  auto foreign = As("nfp.uz", "PATCH", "/api/v1/risk_scenarios/" + s, json{{"actions", Json(ge_action)["id"]}}.dump());
  EXPECT_EQ(foreign.status, 400);
  EXPECT_EQ(FieldOf(foreign), "actions");
}

TEST_P(RiskApiTest, SourceFilesAreCheckedAndFollowTheScenario) {
  std::string reg = NewRegister();
  std::string s = NewScenario(reg);
  auto upload = [&](const std::string& user, const std::string& name, const std::string& data) {
    std::string boundary = "XbOuNdArY";
    std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
                       "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "\r\n--" + boundary + "--\r\n";
    Headers h = as_[user];
    h["Content-Type"] = "multipart/form-data; boundary=" + boundary;
    return Call("POST", "/api/v1/risk_scenarios/" + s + "/evidence", body, h);
  };
  EXPECT_EQ(upload("nfp.uz", "study.pdf", "not a pdf").status, 400);
  EXPECT_EQ(upload("nfp.uz", "study.exe", "MZ").status, 400);
  auto ok = upload("nfp.uz", "study.pdf", "%PDF-1.4 a study");
  ASSERT_EQ(ok.status, 201) << ok.body;
  std::string id = Json(ok)["id"];
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/risk_evidence/" + id).body, "%PDF-1.4 a study");
  EXPECT_EQ(Json(As("team.uz", "GET", "/api/v1/risk_scenarios/" + s + "/evidence")).size(), 1u);
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/risk_evidence/" + id).status, 404);
  EXPECT_EQ(upload("secretariat.ca", "study.pdf", "%PDF-1.4").status, 404);
  EXPECT_EQ(upload("team.uz", "study.pdf", "%PDF-1.4").status, 403) << "not assigned to the team member";
}

TEST_P(RiskApiTest, WorkbookRoundTripPreviewsThenAppliesAllOrNothing) {
  std::string reg = NewRegister();
  std::string s = NewScenario(reg, {{"worst_case", "Keep  two spaces\nand a line"}});
  ASSERT_EQ(RateAs("nfp.uz", s, 2, {{"fatalities", {{"value", 30}, {"justification", "ERG 2020 distances"}}}}).status, 200);
  auto download = As("nfp.uz", "GET", "/api/v1/risk_registers/" + reg + "/workbook.xlsx");
  ASSERT_EQ(download.status, 200);
  auto same = As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/workbook", download.body);
  ASSERT_EQ(same.status, 201) << same.body;
  EXPECT_EQ(Json(same)["errors"].size(), 0u) << same.body;
  EXPECT_EQ(Json(same)["changed"].size(), 0u) << same.body;
  EXPECT_EQ(Json(same)["unchanged"], 1);
  xlsx::Book book = xlsx::Read(download.body).value();
  auto& rows = book.sheets["Scenarios"];
  const auto& header = rows[4];
  auto col = [&](const std::string& name) {
    for (const auto& [c, text] : header) {
      if (text == name) return c;
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  };
  int likelihood = col("Likelihood"), fatalities = col("Fatalities (deaths)"), hazard = col("Hazard");
  ASSERT_EQ(rows[5][0], s);
  EXPECT_EQ(rows[5][likelihood], "2 Unlikely");
  rows[5][likelihood] = "3 Possible";
  rows[6] = {{1, "Anthrax letters"}, {hazard, "biological"}, {col("Origin"), "intentional"}, {likelihood, "1"},
             {col("Casualties needing hospital care"), "2"}};
  rows[7] = {{1, "Bad level"}, {hazard, "chemical"}, {col("Origin"), "accidental"}, {likelihood, "9 Never"}};
  rows[8] = {{1, "Bad quantity"}, {hazard, "chemical"}, {col("Origin"), "accidental"}, {fatalities, "many"}};
  auto preview = As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/workbook", WriteBook(book));
  ASSERT_EQ(preview.status, 201) << preview.body;
  json p = Json(preview);
  ASSERT_EQ(p["errors"].size(), 2u) << preview.body;
  std::string errors = p["errors"].dump();
  EXPECT_NE(errors.find("row 7, column " + xlsx::ColumnName(likelihood) + " (Likelihood)"), std::string::npos) << errors;
  EXPECT_NE(errors.find("row 8, column " + xlsx::ColumnName(fatalities)), std::string::npos) << errors;
  EXPECT_EQ(Call("POST", "/api/v1/risk_registers/" + reg + "/workbook/" + p["import_id"].get<std::string>() + "/apply", "", as_["nfp.uz"]).status,
            409);
  EXPECT_EQ(View(reg)["scenarios"].size(), 1u) << "nothing written by a preview";
  rows.erase(7);
  rows.erase(8);
  json good = Json(As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/workbook", WriteBook(book)));
  ASSERT_EQ(good["errors"].size(), 0u) << good.dump();
  EXPECT_EQ(good["added"].size(), 1u);
  EXPECT_EQ(good["changed"].size(), 1u);
  auto applied = As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/workbook/" + good["import_id"].get<std::string>() + "/apply");
  ASSERT_EQ(applied.status, 200) << applied.body;
  json view = View(reg);
  ASSERT_EQ(view["scenarios"].size(), 2u);
  const json* first = ScenarioIn(view, s);
  EXPECT_EQ((*first)["likelihood"]["level"], 3);
  EXPECT_EQ((*first)["impacts"]["fatalities"]["justification"], "ERG 2020 distances");
  EXPECT_EQ((*first)["worst_case"], "Keep  two spaces\nand a line");
  // Another register's workbook, or no workbook at all.
  std::string other = NewRegister("UZ", "nfp.uz", {{"title", "Another"}});
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/risk_registers/" + other + "/workbook", download.body).status, 400);
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/workbook", "a,b\n").status, 400);
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/risk_registers/" + reg + "/workbook.xlsx").status, 404);
}

TEST_P(RiskApiTest, PagesShowLabelsTheMatrixAndTheRatingForm) {
  std::string reg = NewRegister();
  std::string s = NewScenario(reg);
  ASSERT_EQ(RateAs("nfp.uz", s, 4, {{"fatalities", {{"value", 60}}}}).status, 200);
  auto page = As("nfp.uz", "GET", "/risk/" + reg);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<svg"), std::string::npos);
  EXPECT_NE(page.body.find("Very high"), std::string::npos);
  EXPECT_EQ(page.body.find(">very_high<"), std::string::npos) << "a stored code on the page";
  Headers ru = as_["nfp.uz"];
  ru["Accept-Language"] = "ru";
  auto ru_page = Call("GET", "/risk/" + reg, "", ru);
  EXPECT_NE(ru_page.body.find("Очень высокий"), std::string::npos);
  EXPECT_NE(ru_page.body.find("Матрица рисков"), std::string::npos);
  // The rating form posts levels by criterion; a bad level comes back with its message.
  auto scenario = As("nfp.uz", "GET", "/risk/scenarios/" + s);
  ASSERT_EQ(scenario.status, 200);
  EXPECT_NE(scenario.body.find("name=\"impacts.fatalities.value\""), std::string::npos);
  Headers form = as_["nfp.uz"];
  form["Content-Type"] = "application/x-www-form-urlencoded";
  auto saved = Call("POST", "/risk/scenarios/" + s + "/rating",
                    "likelihood.level=2&likelihood.confidence=high&impacts.economic.level=5&impacts.fatalities.value=", form);
  EXPECT_EQ(saved.status, 303) << saved.body;
  json view = View(reg);
  EXPECT_EQ(view["scenarios"][0]["position"]["band"], "high");  // 2 x 5
  EXPECT_FALSE(view["scenarios"][0]["impacts"].contains("fatalities"));
  // How the impact combined: data with a message key in the API, a sentence on the page in the
  // reader's language (the criterion by its label, not its id).
  json ru_view = View(reg, "nfp.uz", "?lang=ru");
  const json& position = ru_view["scenarios"][0]["position"];
  ASSERT_TRUE(position["reason_key"].is_string()) << position.dump();
  json args = position["reason_args"];
  if (args.contains("criterion")) {
    for (const auto& c : ru_view["method"]["criteria"]) {
      if (c["id"] == args["criterion"]) args["criterion"] = c["label"];
    }
    EXPECT_NE(args["criterion"], "economic");
  }
  std::string reason = catalogs_.Format("ru", position["reason_key"], args);
  EXPECT_EQ(reason.find('{'), std::string::npos) << reason;  // formatted, not the pattern
  auto ru_scenario = Call("GET", "/risk/scenarios/" + s, "", ru);
  EXPECT_NE(ru_scenario.body.find("(" + reason + ")"), std::string::npos) << reason;
  auto bad = Call("POST", "/risk/scenarios/" + s + "/rating", "likelihood.level=7", form);
  EXPECT_TRUE(bad.status == 303 || bad.status == 400) << bad.status;
  EXPECT_EQ(View(reg)["scenarios"][0]["position"]["likelihood"], 2);
  EXPECT_EQ(As("nfp.uz", "GET", "/risk").status, 200);
  EXPECT_EQ(As("secretariat.ca", "GET", "/risk/" + reg).status, 404);
  EXPECT_EQ(As("secretariat.ca", "GET", "/regions/CA/risks").status, 200);
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/risk_registers/" + reg + "/validate").status, 200);
  EXPECT_EQ(As("nfp.uz", "GET", "/risk/" + reg + "/movement").status, 200);
}

INSTANTIATE_BACKENDS(RiskApiTest);

}  // namespace
}  // namespace cbrnhub::testing
