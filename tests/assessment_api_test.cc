// Needs assessment through the JSON API on both backends: a country's draft stays private, the
// team answers, the focal point submits, the secretariat validates, the region sees the heat
// map; the offline workbook round trip; carry-over to the revision; evidence files.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "assessment/assessment.h"
#include "assessment/workbook.h"
#include "assets/assets.h"
#include "server_fixture.h"

namespace cbrnhub::testing {
namespace {

using Headers = std::map<std::string, std::string>;

class AssessmentApiTest : public ServerTest {
 protected:
  // The server's own catalogue, as the workbook download uses it.
  assessment::Words Words() {
    return [this](const std::string& lang, const std::string& key) { return catalogs_.Translate(lang, key); };
  }
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* u : {"nfp.uz", "team.uz", "nfp.ge", "secretariat.ca", "secretariat.seee", "programme"}) {
      auto [cookie, csrf] = SignIn(u);
      as_[u] = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
    }
    auto list = Json(Get("/api/v1/questionnaires"));
    for (const auto& q : list["items"]) ids_[q["version"].get<std::string>()] = q["id"];
    ASSERT_EQ(ids_.size(), 2u);
  }
  HttpResponse As(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return Call(method, target, body, as_[user]);
  }
  std::string Start(const std::string& user, const std::string& country, const std::string& version) {
    auto r = As(user, "POST", "/api/v1/assessments",
                json{{"country", country}, {"questionnaire_id", ids_[version]}, {"title", "NAQ " + country}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r)["id"];
  }
  HttpResponse Answer(const std::string& user, const std::string& id, const std::string& q, const json& value) {
    return As(user, "PUT", "/api/v1/assessments/" + id + "/answers/" + q, json{{"value", value}}.dump());
  }
  // The sample definition the seeded questionnaire 2019 was published from.
  static Result<assessment::Definition> Naq2019() {
    std::ifstream in(std::string(CBRNHUB_SOURCE_DIR) + "/data/assessment/naq-2019.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    return assessment::ParseDefinition(ss.str(), "naq");
  }
  std::map<std::string, Headers> as_;
  std::map<std::string, std::string> ids_;
};

TEST_P(AssessmentApiTest, DraftSubmitValidateAndTheRegionalView) {
  std::string uz = Start("nfp.uz", "UZ", "2019");
  EXPECT_EQ(As("nfp.ge", "POST", "/api/v1/assessments",
               json{{"country", "UZ"}, {"questionnaire_id", ids_["2019"]}, {"title", "x"}}.dump()).status, 403);
  // The team answers (autosave, one question at a time); bad answers are refused by question.
  EXPECT_EQ(Answer("team.uz", uz, "GOV1", {{"levels", {1, 2, 3}}}).status, 200);
  EXPECT_EQ(Answer("team.uz", uz, "LEG1", {{"status", "in_place"}, {"reference", "Law 2002-12"}}).status, 200);
  auto bad = Answer("team.uz", uz, "GOV2", {{"value", "maybe"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("GOV2"), std::string::npos);
  EXPECT_EQ(Answer("team.uz", uz, "NOPE", {{"value", "yes"}}).status, 404);
  auto stale = As("nfp.uz", "PUT", "/api/v1/assessments/" + uz + "/answers/GOV1",
                  json{{"value", {{"levels", {1}}}}, {"revision", 0}}.dump());
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(Answer("nfp.ge", uz, "GOV1", {{"levels", {1}}}).status, 404);
  // A draft is the country's alone.
  for (const char* other : {"nfp.ge", "secretariat.ca", "programme"}) {
    EXPECT_EQ(As(other, "GET", "/api/v1/assessments/" + uz + "/answers").status, 404) << other;
    EXPECT_EQ(As(other, "GET", "/api/v1/assessments/" + uz + "/results").status, 404) << other;
  }
  auto results = Json(As("team.uz", "GET", "/api/v1/assessments/" + uz + "/results"));
  EXPECT_EQ(results["answered"], 2);
  EXPECT_GT(results["overall"].get<double>(), 0.0);
  EXPECT_FALSE(results["priorities"].empty());
  EXPECT_FALSE(results.contains("radar_svg")) << "the API returns values; the page draws them";
  EXPECT_NE(As("nfp.uz", "GET", "/assessments/" + uz + "/results").body.find("<svg"), std::string::npos);
  // Submitting: only the focal point; the secretariat of the region then sees and validates.
  EXPECT_EQ(As("team.uz", "POST", "/api/v1/assessments/" + uz + "/transition", R"({"to":"submitted"})").status, 403);
  auto submitted = As("nfp.uz", "POST", "/api/v1/assessments/" + uz + "/transition", R"({"to":"submitted"})");
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(Json(submitted)["sharing"], "region");
  EXPECT_EQ(Answer("team.uz", uz, "GOV2", {{"value", "yes"}}).status, 409);
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/assessments/" + uz + "/answers").status, 200);
  EXPECT_EQ(As("secretariat.seee", "GET", "/api/v1/assessments/" + uz + "/answers").status, 404);
  EXPECT_EQ(As("secretariat.ca", "POST", "/api/v1/assessments/" + uz + "/transition", R"({"to":"returned"})").status, 400);
  auto returned = As("secretariat.ca", "POST", "/api/v1/assessments/" + uz + "/transition",
                     R"({"to":"returned","comment":"LEG5 needs the reference"})");
  ASSERT_EQ(returned.status, 200);
  EXPECT_EQ(Answer("team.uz", uz, "GOV2", {{"value", "yes"}}).status, 200);
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/assessments/" + uz + "/transition", R"({"to":"submitted"})").status, 200);
  ASSERT_EQ(As("secretariat.ca", "POST", "/api/v1/assessments/" + uz + "/transition", R"({"to":"validated"})").status, 200);
  // A second country of the region, submitted; the heat map has both and their shared gaps.
  std::string kz = Start("admin", "KZ", "2019");
  EXPECT_EQ(Answer("admin", kz, "GOV1", {{"levels", {1}}}).status, 200);
  EXPECT_EQ(Answer("admin", kz, "GOV2", {{"value", "no"}}).status, 200);
  ASSERT_EQ(As("admin", "POST", "/api/v1/assessments/" + kz + "/transition", R"({"to":"submitted"})").status, 200);
  auto region = Json(As("secretariat.ca", "GET", "/api/v1/regions/CA/assessments"));
  ASSERT_EQ(region["rows"].size(), 2u) << region.dump();
  bool gov1_shared = false;
  for (const auto& p : region["shared_priorities"]) gov1_shared |= p["question"] == "GOV1";
  EXPECT_TRUE(gov1_shared);
  // Programme staff see only what was shared with the network.
  EXPECT_EQ(Json(As("programme", "GET", "/api/v1/regions/CA/assessments"))["rows"].size(), 0u);
  ASSERT_EQ(As("nfp.uz", "PATCH", "/api/v1/assessments/" + uz, R"({"sharing":"network"})").status, 200);
  EXPECT_EQ(Json(As("programme", "GET", "/api/v1/regions/CA/assessments"))["rows"].size(), 1u);
  EXPECT_EQ(As("secretariat.ca", "GET", "/regions/CA/assessments").status, 200);
}

TEST_P(AssessmentApiTest, WorkbookRoundTripPreviewsAndAppliesOnlyWhenConfirmed) {
  std::string uz = Start("nfp.uz", "UZ", "2019");
  ASSERT_EQ(Answer("team.uz", uz, "GOV2", {{"value", "no"}}).status, 200);
  auto download = As("team.uz", "GET", "/api/v1/assessments/" + uz + "/workbook.xlsx");
  ASSERT_EQ(download.status, 200);
  ASSERT_EQ(download.body.compare(0, 2, "PK"), 0);
  // The team fills the workbook offline (here: the same workbook with other answers).
  auto view = Json(As("team.uz", "GET", "/api/v1/assessments/" + uz + "/answers"));
  std::map<std::string, json> filled = {{"GOV2", {{"value", {{"value", "yes"}}}, {"comment", "decree 45"}}},
                                        {"GOV1", {{"value", {{"levels", {1, 2}}}}, {"comment", ""}}}};
  auto naq = Naq2019();
  ASSERT_TRUE(naq.ok());
  auto xlsx = assessment::WriteWorkbook(*naq, view["assessment"], filled, "en", Words());
  ASSERT_TRUE(xlsx.ok());
  Headers h = as_["team.uz"];
  h["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  auto preview = Call("POST", "/api/v1/assessments/" + uz + "/workbook", *xlsx, h);
  ASSERT_EQ(preview.status, 201) << preview.body;
  auto changes = Json(preview)["changes"];
  EXPECT_EQ(changes.size(), 2u);
  // Nothing applied yet.
  EXPECT_EQ(Json(As("team.uz", "GET", "/api/v1/assessments/" + uz + "/answers"))["answers"]["GOV2"]["value"]["value"], "no");
  std::string import_id = Json(preview)["import_id"];
  auto applied = As("team.uz", "POST", "/api/v1/assessments/" + uz + "/workbook/" + import_id + "/apply", "{}");
  ASSERT_EQ(applied.status, 200) << applied.body;
  auto after = Json(As("team.uz", "GET", "/api/v1/assessments/" + uz + "/answers"))["answers"];
  EXPECT_EQ(after["GOV2"]["value"]["value"], "yes");
  EXPECT_EQ(after["GOV2"]["comment"], "decree 45");
  EXPECT_EQ(As("team.uz", "POST", "/api/v1/assessments/" + uz + "/workbook/" + import_id + "/apply", "{}").status, 409);
  // A broken or foreign workbook changes nothing.
  auto corrupt = Call("POST", "/api/v1/assessments/" + uz + "/workbook", xlsx->substr(0, 3000), h);
  EXPECT_EQ(corrupt.status, 400);
  std::string other = Start("nfp.uz", "UZ", "2019");
  auto foreign = Call("POST", "/api/v1/assessments/" + other + "/workbook", *xlsx, h);
  EXPECT_EQ(foreign.status, 400);
  EXPECT_NE(foreign.body.find("another assessment"), std::string::npos);
}

// Issue 11: an untouched workbook previews no change, whatever the answers; a deleted row is
// named, its answer kept; the API refuses what the workbook could not carry.
TEST_P(AssessmentApiTest, UntouchedWorkbookPreviewsNoChangeAndDeletedRowsAreNamed) {
  std::string uz = Start("nfp.uz", "UZ", "2019");
  auto gap = Answer("team.uz", uz, "GOV1", {{"levels", {1, 2, 4}}});
  EXPECT_EQ(gap.status, 400);
  EXPECT_NE(gap.body.find("GOV1: the levels met must run from 1 without a gap"), std::string::npos)
      << gap.body;
  EXPECT_EQ(Answer("team.uz", uz, "GOV8", {{"value", ""}}).status,
            400);  // no empty text: null clears
  auto put = [&](const std::string& q, const json& value, const std::string& comment) {
    auto r = As("team.uz", "PUT", "/api/v1/assessments/" + uz + "/answers/" + q,
                json{{"value", value}, {"comment", comment}}.dump());
    EXPECT_EQ(r.status, 200) << q << ": " << r.body;
  };
  put("GOV1", {{"levels", json::array()}}, "none yet ");
  put("GOV2", {{"value", "not_applicable"}}, "");
  put("GOV3", {{"value", "yearly"}}, "");
  put("LEG1", {{"status", "in_place"}, {"reference", ""}}, "");  // as the page sends it
  put("GOV6", {{"value", 0.1 + 0.2}}, "");
  put("GOV7", {{"values", json::array()}}, "\r\nfrom the form\r\n");
  put("GOV8", {{"value", " slow,\r\nthen faster "}}, "");
  auto download = As("team.uz", "GET", "/api/v1/assessments/" + uz + "/workbook.xlsx");
  ASSERT_EQ(download.status, 200);
  Headers h = as_["team.uz"];
  h["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  auto preview = Call("POST", "/api/v1/assessments/" + uz + "/workbook", download.body, h);
  ASSERT_EQ(preview.status, 201) << preview.body;
  EXPECT_EQ(Json(preview)["changes"], json::array()) << preview.body;
  EXPECT_EQ(Json(preview)["missing"], json::array());
  // The row of GOV8 deleted from the workbook: named, and its answer stays.
  auto naq = Naq2019();
  ASSERT_TRUE(naq.ok());
  auto view = Json(As("team.uz", "GET", "/api/v1/assessments/" + uz + "/answers"));
  std::map<std::string, json> answers;
  for (const auto& [q, a] : view["answers"].items()) answers[q] = a;
  assessment::Definition without = *naq;
  auto& first = without.sections[0].questions;
  first.erase(std::find(first.begin(), first.end(), naq->by_id.at("GOV8")));
  auto xlsx = assessment::WriteWorkbook(without, view["assessment"], answers, "en", Words());
  ASSERT_TRUE(xlsx.ok());
  auto deleted = Call("POST", "/api/v1/assessments/" + uz + "/workbook", *xlsx, h);
  ASSERT_EQ(deleted.status, 201) << deleted.body;
  EXPECT_EQ(Json(deleted)["changes"], json::array());
  EXPECT_EQ(Json(deleted)["missing"], json::array({{{"question", "GOV8"}, {"answered", true}}}));
  // The page says so too.
  Headers page = as_["team.uz"];
  std::string boundary = "wb0undary";
  page["Content-Type"] = "multipart/form-data; boundary=" + boundary;
  auto shown =
      Call("POST", "/assessments/" + uz + "/workbook",
           "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" +
               page["X-CSRF-Token"] + "\r\n--" + boundary +
               "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"w.xlsx\"\r\n\r\n" +
               *xlsx + "\r\n--" + boundary + "--\r\n",
           page);
  ASSERT_EQ(shown.status, 200) << shown.body.substr(0, 500);
  EXPECT_NE(shown.body.find(
                "<ul id=\"missing-rows\"><li><strong>GOV8</strong>: has an answer, kept</li></ul>"),
            std::string::npos)
      << shown.body;
  // Saving the same answer again writes nothing (the page sends "\r\n" where the answer has "\n").
  auto same = As("team.uz", "PUT", "/api/v1/assessments/" + uz + "/answers/GOV8",
                 json{{"value", {{"value", " slow,\r\nthen faster "}}}, {"comment", ""}}.dump());
  ASSERT_EQ(same.status, 200);
  EXPECT_EQ(Json(same)["revision"], 1);
  std::string import_id = Json(deleted)["import_id"];
  ASSERT_EQ(
      As("team.uz", "POST", "/api/v1/assessments/" + uz + "/workbook/" + import_id + "/apply", "{}")
          .status,
      200);
  auto after = Json(As("team.uz", "GET", "/api/v1/assessments/" + uz + "/answers"))["answers"];
  EXPECT_EQ(after["GOV8"]["value"]["value"], " slow,\nthen faster ");
}

// 1,000 questions in 20 sections of 50, with texts, guidance and level descriptors of the
// length real questionnaires have, in two languages.
std::string ThousandQuestions() {
  std::string words =
      "capacity of the national authorities to prevent, detect and respond to incidents ";
  std::string text = words + words, guidance = words + words + words;
  std::string y = "code: big\nversion: '1'\ntitle: {en: Big, ru: Большая}\nlevel_sets:\n  l:\n";
  for (int l = 1; l <= 5; ++l)
    y += "  - {en: 'Level " + std::to_string(l) + ": " + words + "', ru: 'Уровень'}\n";
  y += "sections:\n";
  for (int s = 0; s < 20; ++s) {
    y += "- id: S" + std::to_string(s) + "\n  title: {en: Section " + std::to_string(s) +
         ", ru: Раздел " + std::to_string(s) +
         "}\n  domain: chemical\n  function: prevention\n  questions:\n";
    for (int i = 0; i < 50; ++i) {
      std::string id = "Q" + std::to_string(s * 50 + i);
      const char* types[] = {"maturity, levels: l", "yes_partial_no", "presence", "text"};
      // The last question depends on one of the first section.
      std::string type =
          id == "Q999" ? "text, show_if: {question: Q1, equals: 'yes'}" : types[i % 4];
      y += "  - {id: " + id + ", type: " + type + ", text: {en: '" + id + " " + text + "', ru: '" +
           id + " вопрос'}, guidance: {en: '" + guidance + "', ru: 'пояснение'}}\n";
    }
  }
  return y;
}

// Issue 11: the answering page of 1,000 questions was 790 KB; one section at a time, with the
// section index and progress, works without JavaScript; results grouped by section and folded.
TEST_P(AssessmentApiTest, ThousandQuestionsArePagedBySectionAndResultsFolded) {
  auto loaded = As("admin", "POST", "/api/v1/questionnaires", ThousandQuestions());
  ASSERT_EQ(loaded.status, 201) << loaded.body;
  std::string qid = Json(loaded)["questionnaire"]["id"];
  auto started = As("nfp.uz", "POST", "/api/v1/assessments",
                    json{{"country", "UZ"}, {"questionnaire_id", qid}, {"title", "Big"}}.dump());
  ASSERT_EQ(started.status, 201) << started.body;
  std::string id = Json(started)["id"];
  for (const char* q : {"Q1", "Q5", "Q9", "Q151"})
    ASSERT_EQ(Answer("team.uz", id, q, {{"value", "no"}}).status, 200);
  auto first = As("team.uz", "GET", "/assessments/" + id);
  ASSERT_EQ(first.status, 200);
  EXPECT_LT(first.body.size(), 150u << 10);
  auto count = [](const std::string& body, const std::string& what) {
    size_t n = 0;
    for (size_t at = body.find(what); at != std::string::npos; at = body.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(first.body, "class=\"question\""), 50u);
  EXPECT_NE(first.body.find("<strong id=\"progress\">4 / 1000</strong>"), std::string::npos);
  EXPECT_NE(
      first.body.find("<strong aria-current=\"page\">Section 0</strong> <small>3 / 50</small>"),
      std::string::npos);
  EXPECT_NE(first.body.find("<a href=\"?section=S3\">Section 3</a> <small>1 / 50</small>"),
            std::string::npos);
  EXPECT_NE(first.body.find("id=\"next-section\""), std::string::npos);
  EXPECT_EQ(first.body.find("id=\"prev-section\""), std::string::npos);
  auto third = As("team.uz", "GET", "/assessments/" + id + "?section=S3");
  EXPECT_NE(third.body.find("id=\"q-Q151\""), std::string::npos);
  EXPECT_EQ(third.body.find("id=\"q-Q1\""), std::string::npos);
  EXPECT_NE(third.body.find("<a href=\"?section=S2\" rel=\"prev\""), std::string::npos);
  EXPECT_NE(third.body.find("name=\"section\" value=\"S3\""), std::string::npos);
  // A condition on a question of another section is decided on the server (no JavaScript needed).
  auto fieldset = [&](const std::string& section, const std::string& q) {
    std::string body = As("team.uz", "GET", "/assessments/" + id + "?section=" + section).body;
    size_t at = body.find("id=\"q-" + q + "\"");
    return at == std::string::npos ? std::string() : body.substr(at, body.find('>', at) - at + 1);
  };
  EXPECT_NE(fieldset("S19", "Q999").find(" hidden>"), std::string::npos) << fieldset("S19", "Q999");
  ASSERT_EQ(Answer("team.uz", id, "Q1", {{"value", "yes"}}).status, 200);
  EXPECT_EQ(fieldset("S19", "Q999").find(" hidden>"), std::string::npos) << fieldset("S19", "Q999");
  EXPECT_EQ(fieldset("S19", "Q998").find(" hidden"), std::string::npos);
  // Saving without JavaScript comes back to the same section.
  Headers form = as_["team.uz"];
  form["Content-Type"] = "application/x-www-form-urlencoded";
  std::string csrf = form["X-CSRF-Token"];
  form.erase("X-CSRF-Token");
  auto saved =
      Call("POST", "/assessments/" + id + "/answers",
           "csrf_token=" + csrf + "&section=S3&a.Q155.shown=1&a.Q155.value=partial&c.Q155=", form);
  ASSERT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(saved.headers["location"], "/assessments/" + id + "?section=S3&notice=saved");
  auto results = As("team.uz", "GET", "/assessments/" + id + "/results");
  ASSERT_EQ(results.status, 200);
  EXPECT_LT(results.body.size(), 150u << 10);
  EXPECT_EQ(count(results.body, "<details class=\"result-section\""), 20u);
  EXPECT_EQ(count(results.body, "<summary>"), 20u);
  const size_t s3 = results.body.find("<strong>Section 3</strong>");
  ASSERT_NE(s3, std::string::npos);
  EXPECT_EQ(results.body.find(" 25% · 2 / 50", s3), results.body.find("</small>", s3) + 8)
      << results.body.substr(results.body.find("id=\"s-S3\""), 300);
}

// The regional view caches each country's scores by its assessment's revision: a change made
// through another instance of the service (another server on the same database) shows at once.
TEST_P(AssessmentApiTest, RegionalViewSeesEveryChangeOfACountryAssessment) {
  std::map<std::string, std::string> ids;
  for (const char* country : {"UZ", "KZ"}) {
    ids[country] = Start("admin", country, "2019");
    ASSERT_EQ(Answer("admin", ids[country], "GOV2", {{"value", "no"}}).status, 200);
    ASSERT_EQ(As("admin", "POST", "/api/v1/assessments/" + ids[country] + "/transition",
                 R"({"to":"submitted"})")
                  .status,
              200);
  }
  auto overall = [&](const json& view) {
    std::map<std::string, double> out;
    for (const auto& r : view["rows"]) out[r["country"]] = r["overall"];
    return out;
  };
  auto before = overall(Json(As("secretariat.ca", "GET", "/api/v1/regions/CA/assessments")));
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before["UZ"], 0.0);
  assessment::Service other(*store_);
  records::Caller system{access::Principal::System("other instance"), ""};
  ASSERT_TRUE(other.Transition(system, ids["UZ"], "returned", "GOV2?").ok());
  ASSERT_TRUE(
      other.SaveAnswer(system, ids["UZ"], "GOV2", {{"value", "yes"}}, "", std::nullopt).ok());
  ASSERT_TRUE(other.Transition(system, ids["UZ"], "submitted", "").ok());
  auto after = overall(Json(As("secretariat.ca", "GET", "/api/v1/regions/CA/assessments")));
  EXPECT_EQ(after["UZ"], 1.0);
  EXPECT_EQ(after["KZ"], before["KZ"]);
}

TEST_P(AssessmentApiTest, CarryOverToTheRevisionAndEvidence) {
  std::string uz = Start("nfp.uz", "UZ", "2019");
  ASSERT_EQ(Answer("nfp.uz", uz, "GOV1", {{"levels", {1, 2}}}).status, 200);
  ASSERT_EQ(Answer("nfp.uz", uz, "CHE1", {{"levels", {1}}}).status, 200);
  ASSERT_EQ(Answer("nfp.uz", uz, "CHE3", {{"value", "yes"}}).status, 200);
  ASSERT_EQ(Answer("nfp.uz", uz, "BIO5", {{"value", "yes"}}).status, 200);
  ASSERT_EQ(Answer("nfp.uz", uz, "GOV8", {{"value", "slow"}}).status, 200);
  auto carried = As("nfp.uz", "POST", "/api/v1/assessments/" + uz + "/carry", json{{"questionnaire_id", ids_["2024"]}}.dump());
  ASSERT_EQ(carried.status, 201) << carried.body;
  json c = Json(carried);
  std::string next = c["assessment"]["id"];
  auto answers = Json(As("nfp.uz", "GET", "/api/v1/assessments/" + next + "/answers"))["answers"];
  EXPECT_EQ(answers["GOV1a"]["value"]["levels"], json({1, 2}));  // split
  EXPECT_EQ(answers["GOV1b"]["value"]["levels"], json({1, 2}));
  EXPECT_EQ(answers["CHE1"]["value"]["levels"], json({1}));        // merged with CHE3 (another type)
  EXPECT_FALSE(answers.contains("BIO5"));                           // type changed: to answer again
  std::set<std::string> to_answer;
  for (const auto& t : c["to_answer"]) to_answer.insert(t["question"]);
  EXPECT_TRUE(to_answer.count("BIO5"));
  EXPECT_TRUE(to_answer.count("BIO10"));
  for (const auto& t : c["to_answer"]) {
    if (t["question"] == "BIO5") {
      EXPECT_EQ(t["reason_key"], "assessment.carry.changed");
    }
  }
  // No English note is written into the carried answers' comments.
  EXPECT_EQ(answers["GOV1a"]["comment"], "");
  // The new draft's page lists what is left to answer, each with why, in the page's language.
  auto page = As("nfp.uz", "GET", "/assessments/" + next + "?lang=fr");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"to-answer\""), std::string::npos);
  EXPECT_NE(page.body.find("La question a changé (type ou choix de réponse)"), std::string::npos);
  EXPECT_NE(page.body.find("#q-BIO5\""), std::string::npos);
  EXPECT_EQ(page.body.find("the question changed"), std::string::npos);
  ASSERT_EQ(Answer("nfp.uz", next, "BIO5", {{"levels", {1}}}).status, 200);
  EXPECT_EQ(As("nfp.uz", "GET", "/assessments/" + next).body.find("#q-BIO5\""), std::string::npos)
      << "an answered question is no longer listed";
  auto results = Json(As("nfp.uz", "GET", "/api/v1/assessments/" + next + "/results"));
  EXPECT_EQ(results["previous"]["id"], uz);

  // Evidence: type and size checked, checksum kept, download gives the same bytes.
  std::string boundary = "b0undary";
  auto multipart = [&](const std::string& name, const std::string& data) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\nGOV1\r\n--" + boundary +
           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
           "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "\r\n--" + boundary + "--\r\n";
  };
  Headers h = as_["nfp.uz"];
  h["Content-Type"] = "multipart/form-data; boundary=" + boundary;
  std::string pdf = "%PDF-1.4\n% a tiny test file\n%%EOF\n";
  auto up = Call("POST", "/api/v1/assessments/" + uz + "/evidence", multipart("decree.pdf", pdf), h);
  ASSERT_EQ(up.status, 201) << up.body;
  auto down = As("nfp.uz", "GET", "/api/v1/evidence/" + Json(up)["id"].get<std::string>());
  EXPECT_EQ(down.status, 200);
  EXPECT_EQ(down.body, pdf);
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/evidence/" + Json(up)["id"].get<std::string>()).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/assessments/" + uz + "/evidence", multipart("virus.exe", "MZ"), h).status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/assessments/" + uz + "/evidence", multipart("fake.pdf", "MZ not a pdf"), h).status, 400);
}

// The pages: maturity as one choice (the highest level met), evidence attached from the
// question, a draft's results marked provisional with the radar's values as a table, and the
// region's heat map in colour bands with the countries that shared nothing named.
TEST_P(AssessmentApiTest, AnsweringResultsAndHeatMapPages) {
  std::string uz = Start("nfp.uz", "UZ", "2019");
  ASSERT_EQ(Answer("team.uz", uz, "GOV1", {{"levels", {1, 2}}}).status, 200);
  // Three functions (governance, legal framework, prevention): enough axes for the radar.
  ASSERT_EQ(Answer("team.uz", uz, "LEG1", {{"status", "in_place"}, {"reference", "Law 2002-12"}}).status, 200);
  ASSERT_EQ(Answer("team.uz", uz, "CHE1", {{"levels", {1}}}).status, 200);
  auto page = As("team.uz", "GET", "/assessments/" + uz);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("type=\"radio\" name=\"a.GOV1.level\" value=\"2\" checked"),
            std::string::npos);
  EXPECT_EQ(page.body.find("type=\"radio\" name=\"a.GOV1.level\" value=\"1\" checked"),
            std::string::npos);
  EXPECT_EQ(page.body.find("type=\"checkbox\" name=\"a.GOV1.level\""), std::string::npos);
  EXPECT_NE(page.body.find("form=\"evidence-GOV1\""), std::string::npos);
  EXPECT_EQ(page.body.find("name=\"question\" placeholder"), std::string::npos)
      << "no typing a question id";
  EXPECT_NE(page.body.find("Provisional results"), std::string::npos);

  // The form's one choice stands for every level up to it; "none yet" for none.
  Headers form = as_["team.uz"];
  form["Content-Type"] = "application/x-www-form-urlencoded";
  std::string csrf = form["X-CSRF-Token"];
  form.erase("X-CSRF-Token");
  auto levels = [&] {
    return Json(As("team.uz", "GET",
                   "/api/v1/assessments/" + uz + "/answers"))["answers"]["GOV1"]["value"]["levels"];
  };
  EXPECT_EQ(Call("POST", "/assessments/" + uz + "/answers",
                 "csrf_token=" + csrf + "&a.GOV1.shown=1&a.GOV1.level=4", form)
                .status,
            303);
  EXPECT_EQ(levels(), json({1, 2, 3, 4}));
  EXPECT_EQ(Call("POST", "/assessments/" + uz + "/answers",
                 "csrf_token=" + csrf + "&a.GOV1.shown=1&a.GOV1.level=0", form)
                .status,
            303);
  EXPECT_EQ(levels(), json::array());
  ASSERT_EQ(Answer("team.uz", uz, "GOV1", {{"levels", {1, 2}}}).status, 200);

  // Evidence from the question goes back to it.
  std::string boundary = "b0undary", body;
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"csrf_token", csrf}, {"question", "GOV1"}, {"section", "gov"}}) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  }
  body += "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"decree.pdf\"\r\n"
          "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--" +
          boundary + "--\r\n";
  Headers multipart = as_["team.uz"];
  multipart.erase("X-CSRF-Token");
  multipart["Content-Type"] = "multipart/form-data; boundary=" + boundary;
  auto attached = Call("POST", "/assessments/" + uz + "/evidence", body, multipart);
  ASSERT_EQ(attached.status, 303) << attached.body;
  EXPECT_NE(attached.headers["location"].find("section=gov"), std::string::npos);
  EXPECT_NE(attached.headers["location"].find("#q-GOV1"), std::string::npos);

  auto results = As("nfp.uz", "GET", "/assessments/" + uz + "/results");
  ASSERT_EQ(results.status, 200);
  EXPECT_NE(results.body.find("id=\"provisional\""), std::string::npos);
  EXPECT_NE(results.body.find("id=\"score-table\""), std::string::npos);
  EXPECT_NE(results.body.find("class=\"target\""), std::string::npos) << "the target is drawn";
  EXPECT_EQ(results.body.find(">preparedness<"), std::string::npos);
  EXPECT_NE(results.body.find("against a target of"), std::string::npos);
  auto in_french = As("nfp.uz", "GET", "/assessments/" + uz + "/results?lang=fr");
  EXPECT_NE(in_french.body.find("Résultats provisoires"), std::string::npos);
  EXPECT_NE(in_french.body.find("pour une cible de"), std::string::npos) << "the priority's reason, translated";
  EXPECT_EQ(in_french.body.find("against a target"), std::string::npos);
  // The question's own reason in a sentence of the page's language (GOV1 at level 2 of 5), and
  // the questionnaire's labels of its keys on the radar, in the table and under each section.
  EXPECT_NE(in_french.body.find("Niveau 2 sur 5 : pas encore « Développé"), std::string::npos)
      << in_french.body.substr(in_french.body.find("id=\"priorities\""), 600);
  EXPECT_NE(in_french.body.find(">Cadre juridique<"), std::string::npos);
  EXPECT_NE(in_french.body.find("<small>Transversal · Gouvernance</small>"), std::string::npos);
  EXPECT_NE(in_french.body.find(">Domaine thématique<"), std::string::npos)
      << "the thematic areas' scores in the table";
  EXPECT_EQ(in_french.body.find("legal_framework"), std::string::npos);
  auto answering_ru = As("team.uz", "GET", "/assessments/" + uz + "?lang=ru");
  EXPECT_NE(answering_ru.body.find("<small>Сквозная · Управление</small>"), std::string::npos)
      << "the section's domain and function by their labels";

  ASSERT_EQ(
      As("nfp.uz", "POST", "/api/v1/assessments/" + uz + "/transition", R"({"to":"submitted"})")
          .status,
      200);
  auto heat = As("secretariat.ca", "GET", "/regions/CA/assessments");
  ASSERT_EQ(heat.status, 200);
  EXPECT_NE(heat.body.find("Central Asia"), std::string::npos) << "the region's name, not its code";
  EXPECT_NE(heat.body.find("id=\"heat-legend\""), std::string::npos);
  EXPECT_NE(heat.body.find("<td class=\"h"), std::string::npos);
  EXPECT_NE(heat.body.find("not shared with the region"), std::string::npos);
  EXPECT_NE(heat.body.find("Kazakhstan"), std::string::npos)
      << "a country that shared nothing is named";
  EXPECT_NE(heat.body.find("class=\"table-box\""), std::string::npos);
  auto heat_ar = As("secretariat.ca", "GET", "/regions/CA/assessments?lang=ar");
  EXPECT_NE(heat_ar.body.find("غير مُشارَك مع المنطقة"), std::string::npos);
}

TEST_P(AssessmentApiTest, APublishedVersionTakesNewTranslationsInPlaceAndNothingElse) {
  const std::string current(*assets::Find("data/assessment/naq-2024.yaml"));
  // The version as an installation published it before French and Arabic, and before the
  // definitions had labels for their keys.
  std::string before;
  std::istringstream lines(current);
  bool in_labels = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("labels:", 0) == 0) in_labels = true;
    if (line.rfind("sections:", 0) == 0) in_labels = false;
    if (!in_labels && line.find(" fr: ") == std::string::npos &&
        line.find(" ar: ") == std::string::npos && line.rfind("languages:", 0) != 0)
      before += line + "\n";
  }
  ASSERT_EQ(before.find("labels:"), std::string::npos);
  auto function_label = [&](const std::string& lang) {
    return Json(Get("/api/v1/questionnaires/" + ids_["2024"] +
                    "/definition?lang=" + lang))["labels"]["functions"]
        .value("legal_framework", "");
  };
  auto section_title = [&](const std::string& lang) {
    return Json(Get("/api/v1/questionnaires/" + ids_["2024"] +
                    "/definition?lang=" + lang))["sections"][0]["title"];
  };
  auto older = Call("POST", "/api/v1/questionnaires", before);
  ASSERT_EQ(older.status, 200) << older.body.substr(0, 300);
  EXPECT_TRUE(Json(older)["retranslated"].get<bool>());
  EXPECT_EQ(section_title("fr"), "National coordination and governance");  // English stands in
  EXPECT_EQ(function_label("fr"), "");  // no labels yet: pages use the catalogue's
  // The seeded sample again: its translations are taken, the version and its answers stay.
  std::string uz = Start("nfp.uz", "UZ", "2024");
  ASSERT_EQ(Answer("nfp.uz", uz, "GOV2", {{"value", "yes"}}).status, 200);
  auto newer = Call("POST", "/api/v1/questionnaires", current);
  ASSERT_EQ(newer.status, 200) << newer.body.substr(0, 300);
  EXPECT_EQ(Json(newer)["questionnaire"]["id"], ids_["2024"]);
  EXPECT_EQ(section_title("fr"), "Coordination nationale et gouvernance");
  EXPECT_EQ(section_title("ar"), "التنسيق الوطني والحوكمة");
  // The labels of the keys came with it, in place (yamldoc::SameButForTranslations).
  EXPECT_EQ(function_label("fr"), "Cadre juridique");
  EXPECT_EQ(function_label("ru"), "Правовая база");
  EXPECT_EQ(Json(Call("POST", "/api/v1/questionnaires", current))["unchanged"], true);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/assessments/" + uz + "/answers"))["answers"].size(),
            1u);
  // Anything beyond translations is a new version: a changed English text, a changed weight.
  std::string english = current;
  english.replace(english.find("en: National coordination and governance"), 40,
                  "en: National coordination and oversight");
  EXPECT_EQ(Call("POST", "/api/v1/questionnaires", english).status, 409);
  std::string weight = current;
  weight.replace(weight.find("weight: 1.5"), 11, "weight: 2.5");
  EXPECT_EQ(Call("POST", "/api/v1/questionnaires", weight).status, 409);
  EXPECT_EQ(section_title("en"), "National coordination and governance");
}

INSTANTIATE_BACKENDS(AssessmentApiTest);

}  // namespace
}  // namespace cbrnhub::testing
