// Action plans and projects through the API and pages, on both backends: the plan's lifecycle
// with snapshots and differences, progress by the assigned team member, the computed delay,
// views as of a past date over a hand-built history, gaps without action, sharing with the
// region, bad input naming its field, and the project workflow and portfolio.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server_fixture.h"
#include "workbook_support.h"

namespace cbrnhub::testing {
namespace {

using Headers = std::map<std::string, std::string>;

class PlansApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* u : {"nfp.uz", "team.uz", "nfp.ge", "secretariat.ca", "secretariat.seee", "programme", "licensing.uz"}) {
      auto [cookie, csrf] = SignIn(u);
      as_[u] = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
    }
    json users = Json(Get("/api/v1/users"));
    for (const auto& u : users["items"]) user_ids_[u["username"]] = u["id"];
    json agencies = Json(As("nfp.uz", "GET", "/api/v1/agencies?country_id=UZ"));
    ASSERT_GE(agencies["items"].size(), 1u);
    uz_agency_ = agencies["items"][0]["id"];
    json ge = Json(As("nfp.ge", "GET", "/api/v1/agencies?country_id=GE"));
    ASSERT_GE(ge["items"].size(), 1u);
    ge_agency_ = ge["items"][0]["id"];
  }
  HttpResponse As(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return Call(method, target, body, as_[user]);
  }
  std::string NewPlan(const std::string& user = "nfp.uz", const json& extra = json::object()) {
    json body = {{"country", "UZ"}, {"title", "National Action Plan 2026-2030"}, {"period_start", "2026-01-01"},
                 {"period_end", "2030-12-31"}};
    body.update(extra);
    auto r = As(user, "POST", "/api/v1/action_plans", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r)["id"];
  }
  std::string NewAction(const std::string& plan, const json& extra = json::object()) {
    json body = {{"plan_id", plan},          {"title", "Train first responders"}, {"area", "chemical"},
                 {"start_date", "2026-03-01"}, {"end_date", "2027-06-30"},       {"budget", 48000},
                 {"currency", "EUR"},        {"funding", "eu"},                   {"status", "on_track"},
                 {"percent", 10},            {"lead_agency_id", uz_agency_}};
    body.update(extra);
    auto r = As("nfp.uz", "POST", "/api/v1/plan_actions", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r)["id"];
  }
  // The field a refused body names.
  std::string FieldOf(const HttpResponse& r) {
    json j = Json(r);
    return j.is_object() && j["field"].is_string() ? j["field"].get<std::string>() : "(" + std::to_string(r.status) + ")";
  }
  std::map<std::string, Headers> as_;
  std::map<std::string, std::string> user_ids_;
  std::string uz_agency_, ge_agency_;
};

TEST_P(PlansApiTest, BadInputIsRefusedNamingItsFieldAndNothingIsWritten) {
  std::string plan = NewPlan();
  struct Case {
    json change;
    const char* field;
  };
  const Case cases[] = {
      {{{"end_date", "2026-01-01"}}, "end_date"},
      {{{"currency", "EUX"}}, "currency"},
      {{{"currency", "eur"}}, "currency"},
      {{{"budget", -5}}, "budget"},
      {{{"percent", 150}}, "percent"},
      {{{"percent", -1}}, "percent"},
      {{{"lead_agency_id", ge_agency_}}, "lead_agency_id"},
      {{{"partner_agencies", "nonexistent-agency"}}, "partner_agencies"},
      {{{"countries", "UZ,KZ"}}, "countries"},
      {{{"area", "alchemy"}}, "area"},
      {{{"priorities", "GOV1,<script>"}}, "priorities"},
      {{{"secured", 90000}}, "secured"},
      {{{"status", "completed"}, {"percent", 40}}, "percent"},
      {{{"sharing", "network"}}, "sharing"},
  };
  for (const auto& c : cases) {
    json body = {{"plan_id", plan}, {"title", "x"}, {"start_date", "2026-03-01"}, {"end_date", "2027-06-30"},
                 {"budget", 1000}, {"currency", "EUR"}};
    body.update(c.change);
    auto r = As("nfp.uz", "POST", "/api/v1/plan_actions", body.dump());
    EXPECT_EQ(r.status, 400) << c.change.dump() << " " << r.body;
    EXPECT_EQ(FieldOf(r), c.field) << c.change.dump();
  }
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/plan_actions?plan_id=" + plan))["total"], 0) << "nothing half-written";
  std::string action = NewAction(plan);
  auto outside = As("nfp.uz", "POST", "/api/v1/plan_milestones",
                    json{{"action_id", action}, {"title", "Late"}, {"due", "2028-01-01"}}.dump());
  EXPECT_EQ(FieldOf(outside), "due");
  auto indicator = As("nfp.uz", "POST", "/api/v1/plan_indicators",
                      json{{"action_id", action}, {"name", "Responders trained"}, {"unit", "people"}, {"target", "lots"}}.dump());
  EXPECT_EQ(FieldOf(indicator), "target");
  auto ok = As("nfp.uz", "POST", "/api/v1/plan_indicators",
               json{{"action_id", action}, {"name", "Responders trained"}, {"unit", "people"}, {"baseline", "0"},
                    {"target", "120"}}.dump());
  ASSERT_EQ(ok.status, 201) << ok.body;
  auto wrong_unit = As("nfp.uz", "POST", "/api/v1/indicator_values",
                       json{{"indicator_id", Json(ok)["id"]}, {"measured_on", "2026-05-01"}, {"value", "12"}, {"unit", "%"}}.dump());
  EXPECT_EQ(FieldOf(wrong_unit), "unit");
  auto nan = As("nfp.uz", "POST", "/api/v1/indicator_values",
                json{{"indicator_id", Json(ok)["id"]}, {"measured_on", "2026-05-01"}, {"value", "nan"}}.dump());
  EXPECT_EQ(FieldOf(nan), "value");
  // A plan of another country, or a link to another country's assessment.
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans", json{{"country", "GE"}, {"title", "x"}}.dump()).status, 403);
  EXPECT_EQ(FieldOf(As("nfp.uz", "POST", "/api/v1/action_plans", json{{"country", "UZ"}, {"region", "CA"}, {"title", "x"}}.dump())),
            "country");
  // Licensing officers do not write the country's plan.
  EXPECT_EQ(As("licensing.uz", "PATCH", "/api/v1/plan_actions/" + action, R"({"percent":20})").status, 403);
}

TEST_P(PlansApiTest, AdoptedVersionsAreKeptAndDiffedProgressGoesOn) {
  std::string plan = NewPlan();
  std::string action = NewAction(plan);
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/plan_milestones",
               json{{"action_id", action}, {"title", "Curriculum ready"}, {"due", "2026-06-30"}}.dump()).status, 201);
  // Only the focal point adopts.
  EXPECT_EQ(As("team.uz", "POST", "/api/v1/action_plans/" + plan + "/adopt", "{}").status, 403);
  auto adopted = As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/adopt", R"({"note":"approved by decree 12"})");
  ASSERT_EQ(adopted.status, 200) << adopted.body;
  EXPECT_EQ(Json(adopted)["status"], "adopted");
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/adopt", "{}").status, 409);
  // Adopted: the content is fixed, progress is not.
  auto edit = As("nfp.uz", "PATCH", "/api/v1/plan_actions/" + action, R"({"title":"Train all first responders"})");
  EXPECT_EQ(edit.status, 409) << edit.body;
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/plan_actions", json{{"plan_id", plan}, {"title", "Sneaked in"}}.dump()).status, 409);
  EXPECT_EQ(As("nfp.uz", "PATCH", "/api/v1/plan_actions/" + action, R"({"percent":35,"progress_note":"two courses held"})").status, 200);
  // Revise, change, adopt again: version 2.
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/revise", "{}").status, 200);
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/plan_actions/" + action,
               R"({"title":"Train all first responders","end_date":"2027-12-31"})").status, 200);
  std::string second = NewAction(plan, {{"title", "Equip two laboratories"}, {"area", "biological"}});
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/adopt", "{}").status, 200);
  json versions = Json(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/versions"));
  ASSERT_EQ(versions["versions"].size(), 2u);
  EXPECT_EQ(versions["versions"][1]["note"], "approved by decree 12");
  // Version 1 is exactly as adopted, whatever happened since.
  json v1 = Json(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/versions/1"));
  ASSERT_EQ(v1["snapshot"]["actions"].size(), 1u);
  EXPECT_EQ(v1["snapshot"]["actions"][0]["title"], "Train first responders");
  EXPECT_EQ(v1["snapshot"]["actions"][0]["end_date"], "2027-06-30");
  EXPECT_FALSE(v1["snapshot"]["actions"][0].contains("percent")) << "progress is not plan content";
  json diff = Json(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/diff?from=1&to=2"));
  ASSERT_EQ(diff["actions"].size(), 2u) << diff.dump();
  std::map<std::string, json> by_change;
  for (const auto& a : diff["actions"]) by_change[a["change"]] = a;
  EXPECT_EQ(by_change["added"]["id"], second);
  std::map<std::string, json> fields;
  for (const auto& f : by_change["changed"]["fields"]) fields[f["field"]] = f;
  EXPECT_EQ(fields["title"]["before"], "Train first responders");
  EXPECT_EQ(fields["title"]["after"], "Train all first responders");
  EXPECT_EQ(fields["end_date"]["after"], "2027-12-31");
  EXPECT_FALSE(fields.count("percent"));
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/versions/3").status, 404);
  // The diff page renders with labels.
  auto page = As("nfp.uz", "GET", "/plans/" + plan + "/diff?from=1&to=2");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Train all first responders"), std::string::npos);
}

TEST_P(PlansApiTest, TeamRecordsProgressOnWhatIsAssignedToThem) {
  std::string plan = NewPlan();
  std::string mine = NewAction(plan);
  std::string other = NewAction(plan, {{"title", "Review the CBRN law"}});
  auto ind = As("nfp.uz", "POST", "/api/v1/plan_indicators",
                json{{"action_id", mine}, {"name", "Responders trained"}, {"unit", "people"}, {"target", "120"}}.dump());
  ASSERT_EQ(ind.status, 201);
  std::string indicator = Json(ind)["id"];
  auto other_ind = As("nfp.uz", "POST", "/api/v1/plan_indicators",
                      json{{"action_id", other}, {"name", "Drafts"}, {"unit", "drafts"}}.dump());
  ASSERT_EQ(other_ind.status, 201);
  EXPECT_EQ(As("team.uz", "PATCH", "/api/v1/plan_actions/" + mine, R"({"percent":50})").status, 403);
  // Assigned to a person of another country: refused; to the team member: done.
  EXPECT_EQ(As("nfp.uz", "PATCH", "/api/v1/plan_actions/" + mine, json{{"assigned_to", user_ids_["team.ge"]}}.dump()).status, 400);
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/plan_actions/" + mine, json{{"assigned_to", user_ids_["team.uz"]}}.dump()).status, 200);
  EXPECT_EQ(As("team.uz", "PATCH", "/api/v1/plan_actions/" + mine, R"({"percent":50,"status":"on_track"})").status, 200);
  EXPECT_EQ(As("team.uz", "PATCH", "/api/v1/plan_actions/" + other, R"({"percent":50})").status, 403);
  // The indicator of the assigned action is the team member's to fill; the other's is not.
  auto value = As("team.uz", "POST", "/api/v1/indicator_values",
                  json{{"indicator_id", indicator}, {"measured_on", "2026-05-01"}, {"value", "40"}, {"unit", "people"}}.dump());
  EXPECT_EQ(value.status, 201) << value.body;
  EXPECT_EQ(As("team.uz", "POST", "/api/v1/indicator_values",
               json{{"indicator_id", Json(other_ind)["id"]}, {"measured_on", "2026-05-01"}, {"value", "1"}}.dump()).status, 403);
  // Nor may the team member adopt, share or reassign.
  EXPECT_EQ(As("team.uz", "PATCH", "/api/v1/action_plans/" + plan, R"({"sharing":"region"})").status, 403);
  json view = Json(As("team.uz", "GET", "/api/v1/action_plans/" + plan + "/view"));
  for (const auto& a : view["actions"]) {
    if (a["id"] == mine) {
      EXPECT_EQ(a["percent"], 50);
      EXPECT_EQ(a["indicators"][0]["latest"], "40");
    }
  }
}

TEST_P(PlansApiTest, DelayIsComputedFromDatesAndOverdueMilestonesCounted) {
  std::string plan = NewPlan();
  std::string late = NewAction(plan, {{"title", "Late one"}, {"start_date", "2026-01-01"}, {"end_date", "2026-02-01"},
                                      {"status", "on_track"}});
  NewAction(plan, {{"title", "Done one"}, {"start_date", "2026-01-01"}, {"end_date", "2026-02-01"},
                   {"status", "completed"}, {"percent", 100}});
  NewAction(plan, {{"title", "Future one"}, {"start_date", "2099-01-01"}, {"end_date", "2099-12-31"}});
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/plan_milestones",
               json{{"action_id", late}, {"title", "Missed"}, {"due", "2026-01-15"}}.dump()).status, 201);
  json view = Json(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/view"));
  std::map<std::string, std::string> effective;
  for (const auto& a : view["actions"]) effective[a["title"]] = a["effective_status"];
  EXPECT_EQ(effective["Late one"], "delayed") << "typed on_track, but its end date has passed";
  EXPECT_EQ(effective["Done one"], "completed");
  EXPECT_EQ(effective["Future one"], "on_track");
  EXPECT_EQ(view["by_status"]["delayed"], 1);
  EXPECT_EQ(view["overdue_milestones"], 1);
  EXPECT_EQ(view["budget"][0]["planned"], 3 * 48000);
  // The page draws the timeline with the delayed bar and today's line.
  auto page = As("nfp.uz", "GET", "/plans/" + plan);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<svg class=\"timeline\""), std::string::npos);
  EXPECT_NE(page.body.find("class=\"bar delayed\""), std::string::npos);
  EXPECT_NE(page.body.find("class=\"today\""), std::string::npos);
  EXPECT_EQ(page.body.find(">on_track<"), std::string::npos) << "states are shown as labels";
}

TEST_P(PlansApiTest, AsOfRebuildsThePlanFromItsHistory) {
  std::string plan = NewPlan();
  std::string action = NewAction(plan, {{"percent", 10}});
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/plan_actions/" + action, R"({"percent":60})").status, 200);
  std::string later = NewAction(plan, {{"title", "Added later"}});
  // A hand-built history: the plan and the first action were created in January, the first
  // action reached 60 % in March, the second action was added in May.
  auto txn = t_->db().Begin(storage::Access::kWrite);
  ASSERT_TRUE(txn.ok());
  auto at = [&](const std::string& id, const std::string& action_name, const std::string& when) {
    ASSERT_TRUE((*txn)->Exec("UPDATE audit_log SET at = ? WHERE entity_id = ? AND action = ?", {when, id, action_name}).ok());
  };
  at(plan, "create", "2026-01-10T09:00:00.000Z");
  at(action, "create", "2026-01-11T09:00:00.000Z");
  at(action, "update", "2026-03-05T09:00:00.000Z");
  at(later, "create", "2026-05-01T09:00:00.000Z");
  ASSERT_TRUE((*txn)->Commit().ok());
  auto view_at = [&](const std::string& date) { return Json(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/view?as_of=" + date)); };
  json feb = view_at("2026-02-01");
  ASSERT_EQ(feb["actions"].size(), 1u) << feb.dump();
  EXPECT_EQ(feb["actions"][0]["percent"], 10);
  json april = view_at("2026-04-01");
  ASSERT_EQ(april["actions"].size(), 1u);
  EXPECT_EQ(april["actions"][0]["percent"], 60);
  EXPECT_EQ(view_at("2026-03-05")["actions"][0]["percent"], 60) << "the whole day counts";
  EXPECT_EQ(view_at("2026-06-01")["actions"].size(), 2u);
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/view?as_of=2025-12-31").status, 404);
  EXPECT_EQ(FieldOf(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/view?as_of=yesterday")), "as_of");
}

TEST_P(PlansApiTest, SharingWithTheRegionReachesEveryActionAndTheRegionOverview) {
  std::string plan = NewPlan();
  std::string action = NewAction(plan);
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/action_plans/" + plan).status, 404);
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/plan_actions/" + action).status, 404);
  json before = Json(As("secretariat.ca", "GET", "/api/v1/regions/CA/plans"));
  for (const auto& c : before["countries"]) {
    if (c["country"] == "UZ") EXPECT_TRUE(c["plan"].is_null()) << "not counted before it is shared";
  }
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/action_plans/" + plan, R"({"sharing":"region"})").status, 200);
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/plan_actions/" + action).status, 200) << "the action follows its plan";
  EXPECT_EQ(As("secretariat.seee", "GET", "/api/v1/plan_actions/" + action).status, 404);
  EXPECT_EQ(As("programme", "GET", "/api/v1/plan_actions/" + action).status, 404);
  json after = Json(As("secretariat.ca", "GET", "/api/v1/regions/CA/plans"));
  bool counted = false;
  for (const auto& c : after["countries"]) {
    if (c["country"] != "UZ") continue;
    counted = true;
    EXPECT_EQ(c["plan"]["id"], plan);
    EXPECT_EQ(c["summary"]["actions"], 1);
    EXPECT_EQ(c["summary"]["budget"][0]["planned"], 48000);
  }
  EXPECT_TRUE(counted);
  // An action's sharing is its plan's: it cannot be set on its own.
  EXPECT_EQ(FieldOf(As("nfp.uz", "PATCH", "/api/v1/plan_actions/" + action, R"({"sharing":"published"})")), "sharing");
  auto page = As("secretariat.ca", "GET", "/regions/CA/plans");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("/plans/" + plan), std::string::npos);
}

TEST_P(PlansApiTest, PriorityBecomesAnActionAndGapsWithoutActionShrink) {
  json qs = Json(Get("/api/v1/questionnaires"));
  std::string qid;
  for (const auto& q : qs["items"]) {
    if (q["version"] == "2019") qid = q["id"];
  }
  auto started = As("nfp.uz", "POST", "/api/v1/assessments",
                    json{{"country", "UZ"}, {"questionnaire_id", qid}, {"title", "NAQ UZ"}}.dump());
  ASSERT_EQ(started.status, 201);
  std::string assessment = Json(started)["id"];
  ASSERT_EQ(As("team.uz", "PUT", "/api/v1/assessments/" + assessment + "/answers/GOV1", R"({"value":{"levels":[1]}})").status, 200);
  ASSERT_EQ(As("team.uz", "PUT", "/api/v1/assessments/" + assessment + "/answers/GOV2", R"({"value":{"value":"no"}})").status, 200);
  json results = Json(As("nfp.uz", "GET", "/api/v1/assessments/" + assessment + "/results"));
  ASSERT_GE(results["priorities"].size(), 2u);
  std::string first = results["priorities"][0]["question"];
  // One click from the results page: the country's plan is made and the action form prefilled.
  auto click = Call("POST", "/assessments/" + assessment + "/priorities/" + first + "/action", "title=Close+the+gap",
                    {{"Cookie", as_["nfp.uz"]["Cookie"]}, {"X-CSRF-Token", as_["nfp.uz"]["X-CSRF-Token"]},
                     {"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(click.status, 303) << click.body;
  std::string location = click.headers["location"];
  EXPECT_EQ(location.rfind("/forms/plan_actions?plan_id=", 0), 0u) << location;
  EXPECT_NE(location.find("priorities=" + first), std::string::npos);
  std::string plan = location.substr(28, 36);
  json plan_record = Json(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan));
  EXPECT_EQ(plan_record["assessment_id"], assessment);
  EXPECT_EQ(plan_record["status"], "draft");
  auto form = As("nfp.uz", "GET", location);
  EXPECT_EQ(form.status, 200);
  EXPECT_EQ(form.body.find("name=\"sharing\""), std::string::npos) << "an action is shared with its plan";
  json gaps = Json(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/gaps"));
  size_t before = gaps["gaps"].size();
  ASSERT_GE(before, 2u);
  NewAction(plan, {{"priorities", first}});
  gaps = Json(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/gaps"));
  EXPECT_EQ(gaps["gaps"].size(), before - 1);
  for (const auto& g : gaps["gaps"]) EXPECT_NE(g["question"], first);
  // The page shows progress by the capability the linked priority belongs to, as a label.
  auto plan_page = As("nfp.uz", "GET", "/plans/" + plan);
  EXPECT_NE(plan_page.body.find("id=\"by-capability\""), std::string::npos);
  EXPECT_EQ(plan_page.body.find(">capability."), std::string::npos);
  json capability = Json(As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/capabilities"));
  ASSERT_EQ(capability["by_function"].size(), 1u) << capability.dump();
  EXPECT_EQ(capability["by_function"][0]["actions"], 1);
  EXPECT_EQ(capability["by_function"][0]["percent"], 10.0);
  // A second click finds the same open plan.
  auto again = Json(As("nfp.uz", "POST", "/api/v1/assessments/" + assessment + "/plan", "{}"));
  EXPECT_EQ(again["plan"]["id"], plan);
  EXPECT_EQ(again["open"], true);
  // Once adopted, the plan is still the country's plan: the one click leads to it, to revise it.
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/adopt", "{}").status, 200);
  auto adopted = Json(As("nfp.uz", "POST", "/api/v1/assessments/" + assessment + "/plan", "{}"));
  EXPECT_EQ(adopted["plan"]["id"], plan);
  EXPECT_EQ(adopted["open"], false);
  auto to_plan = Call("POST", "/assessments/" + assessment + "/priorities/" + first + "/action", "title=x",
                      {{"Cookie", as_["nfp.uz"]["Cookie"]}, {"X-CSRF-Token", as_["nfp.uz"]["X-CSRF-Token"]},
                       {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(to_plan.headers["location"].rfind("/plans/" + plan + "?error=", 0), 0u) << to_plan.headers["location"];
  // The trace: question -> gap -> action.
  json trace = Json(As("nfp.uz", "GET", "/api/v1/assessments/" + assessment + "/trace/" + first));
  ASSERT_EQ(trace["actions"].size(), 1u) << trace.dump();
  EXPECT_EQ(trace["actions"][0]["plan"]["id"], plan);
  // Georgia's focal point can neither trace nor plan on UZ's assessment.
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/assessments/" + assessment + "/trace/" + first).status, 404);
  EXPECT_EQ(As("nfp.ge", "POST", "/api/v1/assessments/" + assessment + "/plan", "{}").status, 404);
}

TEST_P(PlansApiTest, ProjectsMoveThroughTheirWorkflowAndReachParticipants) {
  auto created = As("secretariat.ca", "POST", "/api/v1/projects",
                    json{{"region", "CA"}, {"title", "Regional biosafety laboratories"}, {"scope", "regional"},
                         {"theme", "biological"}, {"participants", "UZ,KZ"}, {"budget", 900000}, {"currency", "EUR"},
                         {"secured", 300000}, {"start_date", "2027-01-01"}, {"end_date", "2029-12-31"}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = Json(created)["id"];
  EXPECT_EQ(Json(created)["status"], "idea");
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/projects/" + id).status, 404) << "private to the secretariat for now";
  ASSERT_EQ(As("secretariat.ca", "PATCH", "/api/v1/projects/" + id, R"({"sharing":"region"})").status, 200);
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/projects/" + id).status, 200) << "a participating country";
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/projects/" + id).status, 404);
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/projects/" + id + "/transition", R"({"to":"proposal"})").status, 403);
  EXPECT_EQ(As("secretariat.ca", "POST", "/api/v1/projects/" + id + "/transition", R"({"to":"implementation"})").status, 409);
  for (const char* to : {"proposal", "approved", "implementation"}) {
    EXPECT_EQ(As("secretariat.ca", "POST", "/api/v1/projects/" + id + "/transition", json{{"to", to}}.dump()).status, 200) << to;
  }
  EXPECT_EQ(As("secretariat.ca", "POST", "/api/v1/projects/" + id + "/transition", R"({"to":"withdrawn"})").status, 409);
  EXPECT_EQ(FieldOf(As("secretariat.ca", "POST", "/api/v1/projects",
                       json{{"region", "CA"}, {"title", "x"}, {"scope", "regional"}, {"theme", "nuclear"},
                            {"participants", "UZ,ZZ"}}.dump())),
            "participants");
  auto national = As("nfp.uz", "POST", "/api/v1/projects",
                     json{{"country", "UZ"}, {"title", "Border detection equipment"}, {"scope", "national"},
                          {"theme", "nuclear"}, {"budget", 100000}, {"currency", "USD"}}.dump());
  ASSERT_EQ(national.status, 201) << national.body;
  json portfolio = Json(As("secretariat.ca", "GET", "/api/v1/portfolio?region=CA"));
  EXPECT_EQ(portfolio["count"], 1) << "UZ's national project is not shared";
  std::map<std::string, int> stages;
  for (const auto& s : portfolio["pipeline"]) stages[s["status"]] = s["count"];
  EXPECT_EQ(stages["implementation"], 1);
  EXPECT_EQ(portfolio["totals"][0]["planned"], 900000);
  EXPECT_EQ(portfolio["totals"][0]["secured"], 300000);
  json uz = Json(As("nfp.uz", "GET", "/api/v1/portfolio?country=UZ"));
  EXPECT_EQ(uz["count"], 2);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/portfolio?country=UZ&year=2026"))["count"], 1);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/portfolio?theme=nuclear"))["count"], 1);
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/portfolio?year=19").status, 400);
  auto page = As("secretariat.ca", "GET", "/projects?region=CA");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Regional biosafety laboratories"), std::string::npos);
}

// Writes `book` back to bytes, every cell as text (as a person typing into a spreadsheet would).
TEST_P(PlansApiTest, WorkbookRoundTripPreviewsThenAppliesAllOrNothing) {
  std::string plan = NewPlan();
  std::string first = NewAction(plan, {{"objective", "Keep  two spaces\nand a line"}});
  NewAction(plan, {{"title", "Second"}, {"status", "not_started"}, {"percent", 0}});
  auto download = As("nfp.uz", "GET", "/api/v1/action_plans/" + plan + "/workbook.xlsx");
  ASSERT_EQ(download.status, 200);
  ASSERT_EQ(download.body.compare(0, 2, "PK"), 0);
  // Untouched: nothing to change.
  auto same = As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook", download.body);
  ASSERT_EQ(same.status, 201) << same.body;
  EXPECT_EQ(Json(same)["changed"].size(), 0u) << same.body;
  EXPECT_EQ(Json(same)["added"].size(), 0u);
  EXPECT_EQ(Json(same)["errors"].size(), 0u) << same.body;
  EXPECT_EQ(Json(same)["unchanged"], 2);
  // Edited: progress on the first action, a new action, and two bad rows.
  xlsx::Book book = xlsx::Read(download.body).value();
  auto& rows = book.sheets["Actions"];
  int first_row = 0;
  for (auto& [r, cells] : rows) {
    if (cells[0] == first) first_row = r;
  }
  ASSERT_GT(first_row, 0);
  rows[first_row][15] = "55";                       // P: percent
  rows[20] = {{1, "New from the workbook"}, {8, "2026-04-01"}, {9, "2026-09-30"}, {10, "1000"}, {11, "EUR"},
              {14, "on track"}};
  rows[21] = {{1, "Bad status"}, {14, "maybe"}};
  rows[22] = {{1, "Bad dates"}, {8, "2026-09-01"}, {9, "2026-01-01"}};
  auto preview = As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook", WriteBook(book));
  ASSERT_EQ(preview.status, 201) << preview.body;
  json p = Json(preview);
  ASSERT_EQ(p["errors"].size(), 2u) << preview.body;
  std::string errors = p["errors"].dump();
  EXPECT_NE(errors.find("row 21, column O"), std::string::npos) << errors;
  EXPECT_NE(errors.find("\\\"maybe\\\" is not one of"), std::string::npos) << errors;
  EXPECT_NE(errors.find("row 22, column J"), std::string::npos) << errors;
  EXPECT_EQ(p["changed"].size(), 1u);
  EXPECT_EQ(p["changed"][0]["fields"][0]["field"], "percent");
  EXPECT_EQ(p["added"].size(), 1u);
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook/" + p["import_id"].get<std::string>() + "/apply").status, 409);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/plan_actions?plan_id=" + plan))["total"], 2) << "nothing written by a preview";
  // Corrected: applied, all of it.
  rows.erase(21);
  rows.erase(22);
  json good = Json(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook", WriteBook(book)));
  ASSERT_EQ(good["errors"].size(), 0u) << good.dump();
  std::string import_id = good["import_id"];
  auto applied = As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook/" + import_id + "/apply");
  ASSERT_EQ(applied.status, 200) << applied.body;
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/plan_actions?plan_id=" + plan))["total"], 3);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/plan_actions/" + first))["percent"], 55);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/plan_actions/" + first))["objective"], "Keep  two spaces\nand a line");
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook/" + import_id + "/apply").status, 409);
  // A preview goes stale when the plan changes before it is applied.
  rows[first_row][15] = "60";
  json stale = Json(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook", WriteBook(book)));
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/plan_actions/" + first, R"({"progress_note":"meanwhile"})").status, 200);
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook/" + stale["import_id"].get<std::string>() + "/apply").status, 409);
  // Not this plan's workbook, or not a workbook at all.
  std::string other = NewPlan("nfp.uz", {{"title", "Another plan"}});
  auto foreign = As("nfp.uz", "POST", "/api/v1/action_plans/" + other + "/workbook", download.body);
  EXPECT_EQ(foreign.status, 400);
  EXPECT_NE(foreign.body.find("another plan"), std::string::npos);
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook", "id,title\n1,x\n").status, 400);
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/action_plans/" + plan + "/workbook", download.body.substr(0, download.body.size() / 2)).status, 400);
  // Georgia cannot see the plan, so neither its workbook.
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/action_plans/" + plan + "/workbook.xlsx").status, 404);
  // The page: upload, preview, apply.
  auto page = Call("POST", "/plans/" + plan + "/workbook", download.body,
                   {{"Cookie", as_["nfp.uz"]["Cookie"]}, {"X-CSRF-Token", as_["nfp.uz"]["X-CSRF-Token"]},
                    {"Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}});
  EXPECT_EQ(page.status, 200) << page.body.substr(0, 300);
  EXPECT_NE(page.body.find("id=\"left-out\""), std::string::npos) << "the action added by the workbook is not in the old file";
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/portfolio.xlsx").status, 200);
}

INSTANTIATE_BACKENDS(PlansApiTest);

}  // namespace
}  // namespace cbrnhub::testing
