// Export control through the JSON API: list editions and their changes, screening with
// remembered decisions, country-scoped visibility, the control list and the licence workflow.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "server_fixture.h"

namespace cbrnhub::testing {
namespace {

using Headers = std::map<std::string, std::string>;

std::string ReadShared(const std::string& name) {
  std::ifstream in(SharedDataDir() + "/sanctions/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ExportControlTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* u : {"licensing.uz", "licensing.ge", "reviewer.uz", "customs.uz", "nfp.uz", "auditor"}) {
      auto [cookie, csrf] = SignIn(u);
      as_[u] = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
    }
  }
  HttpResponse As(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return Call(method, target, body, as_[user]);
  }
  HttpResponse ImportUn(const std::string& user, const std::string& xml) {
    return As(user, "POST", "/api/v1/sanctions/editions",
              json{{"list_code", "un"}, {"format", "un-xml"}, {"source_name", "un.xml"}, {"content", xml}}.dump());
  }
  std::map<std::string, Headers> as_;
};

TEST_P(ExportControlTest, EditionsScreeningDecisionsAndVisibility) {
  std::string xml = ReadShared("un_consolidated.xml");
  ASSERT_FALSE(xml.empty());
  // Only licensing officers (and admins) load lists; reviewing agencies and NFPs may not.
  EXPECT_EQ(ImportUn("reviewer.uz", xml).status, 403);
  EXPECT_EQ(ImportUn("nfp.uz", xml).status, 403);
  auto first = ImportUn("licensing.uz", xml);
  ASSERT_EQ(first.status, 201) << first.body.substr(0, 300);
  EXPECT_EQ(Json(first)["edition"]["entity_count"], 1009);
  // The same file again changes nothing.
  auto again = ImportUn("licensing.uz", xml);
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(Json(again)["unchanged"].get<bool>());
  // A broken file is refused with its line; the edition in force stays.
  auto broken = ImportUn("licensing.uz", xml.substr(0, 100000));
  EXPECT_EQ(broken.status, 400);
  EXPECT_NE(broken.body.find("line"), std::string::npos);
  auto editions = Json(As("licensing.uz", "GET", "/api/v1/sanctions/editions?list=un"));
  ASSERT_EQ(editions["items"].size(), 1u);
  EXPECT_TRUE(editions["items"][0]["active"].get<bool>());

  // Screen, decide, screen again: the decision is remembered.
  json party = {{"name", "Ayman al-Zawahiri"}, {"id", "CONS-1"}};
  auto s1 = As("licensing.uz", "POST", "/api/v1/screenings", party.dump());
  ASSERT_EQ(s1.status, 201) << s1.body.substr(0, 300);
  json screening = Json(s1);
  ASSERT_GE(screening["hit_count"].get<int>(), 1);
  EXPECT_EQ(screening["results"][0]["entity_id"], "QDi.006");
  EXPECT_FALSE(screening["results"][0]["explanation"]["parts"].empty());
  std::string sid = screening["id"];
  json decide = {{"list", "un"}, {"entity_id", "QDi.006"}, {"decision", "false_positive"}};
  auto no_reason = As("licensing.uz", "POST", "/api/v1/screenings/" + sid + "/decisions", decide.dump());
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(Json(no_reason)["field"], "reason");
  EXPECT_EQ(As("reviewer.uz", "POST", "/api/v1/screenings/" + sid + "/decisions", decide.dump()).status, 403);
  decide["reason"] = "consignee's director, born 1990, passport checked";
  auto decided = As("licensing.uz", "POST", "/api/v1/screenings/" + sid + "/decisions", decide.dump());
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(Json(decided)["open_count"], screening["open_count"].get<int>() - 1);
  auto s2 = Json(As("licensing.uz", "POST", "/api/v1/screenings", party.dump()));
  EXPECT_TRUE(s2["results"][0]["decision"]["remembered"].get<bool>());
  EXPECT_EQ(s2["open_count"], screening["open_count"].get<int>() - 1);

  // Country scope: the other country's officer, the NFP and the secretariat see nothing.
  EXPECT_EQ(As("licensing.ge", "GET", "/api/v1/screenings/" + sid).status, 404);
  EXPECT_EQ(Json(As("licensing.ge", "GET", "/api/v1/screenings"))["total"], 0);
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/screenings/" + sid).status, 403);
  EXPECT_EQ(As("reviewer.uz", "GET", "/api/v1/screenings/" + sid).status, 200);
  EXPECT_EQ(As("reviewer.uz", "POST", "/api/v1/screenings", party.dump()).status, 403);
  EXPECT_EQ(As("customs.uz", "POST", "/api/v1/screenings", party.dump()).status, 201);
  EXPECT_EQ(As("auditor", "GET", "/api/v1/screenings/" + sid).status, 200);

  // A new edition: one entry removed, one changed. The diff says so, and the changed entry's
  // old decision no longer counts.
  std::string next = xml;
  size_t a = next.find("<REFERENCE_NUMBER>SDi.007</REFERENCE_NUMBER>");
  size_t start = next.rfind("<INDIVIDUAL>", a), end = next.find("</INDIVIDUAL>", a) + 13;
  next.erase(start, end - start);
  size_t z = next.find("<REFERENCE_NUMBER>QDi.006</REFERENCE_NUMBER>");
  next.insert(z, "<COMMENTS1>amended</COMMENTS1>");
  next.replace(next.find("<COMMENTS1>", z + 60), 11, "<COMMENTS1>Amended. ");
  auto second = ImportUn("licensing.uz", next);
  ASSERT_EQ(second.status, 201) << second.body.substr(0, 300);
  json ed = Json(second)["edition"];
  EXPECT_EQ(ed["removed"], 1);
  EXPECT_EQ(ed["changed"], 1);
  EXPECT_EQ(ed["added"], 0);
  auto changes = Json(As("licensing.uz", "GET", "/api/v1/sanctions/editions/" + ed["id"].get<std::string>() + "/changes"));
  ASSERT_EQ(changes["total"], 2);
  std::set<std::string> seen;
  for (const auto& c : changes["items"]) seen.insert(c["change"].get<std::string>() + " " + c["entity_id"].get<std::string>());
  EXPECT_EQ(seen, (std::set<std::string>{"changed QDi.006", "removed SDi.007"}));
  auto rescreen = As("licensing.uz", "POST", "/api/v1/screenings/rescreen", "{}");
  ASSERT_EQ(rescreen.status, 200) << rescreen.body;
  EXPECT_EQ(Json(rescreen)["parties"], 1);
  auto s3 = Json(As("licensing.uz", "POST", "/api/v1/screenings", party.dump()));
  EXPECT_FALSE(s3["results"][0].contains("decision"));
  EXPECT_TRUE(s3["results"][0]["earlier_decision"]["entry_changed_since"].get<bool>());

  // Batch as CSV, with a bad row refused by line.
  Headers csv = as_["licensing.uz"];
  csv["Content-Type"] = "text/csv";
  auto batch = Call("POST", "/api/v1/screenings/batch", "id,name\nb1,Ayman al-Zawahiri\nb2,Jane Doe\n", csv);
  ASSERT_EQ(batch.status, 201) << batch.body;
  EXPECT_EQ(Json(batch)["parties"], 2);
  auto bad_batch = Call("POST", "/api/v1/screenings/batch", "id,name,birth_date\nb1,X Y,1.2.1970\n", csv);
  EXPECT_EQ(bad_batch.status, 400);
  EXPECT_NE(bad_batch.body.find("line 2"), std::string::npos);
  EXPECT_EQ(As("licensing.uz", "POST", "/api/v1/screenings", R"({"name": 5})").status, 400);
  EXPECT_EQ(As("licensing.uz", "POST", "/api/v1/screenings", R"({"name": "x", "threshold": 7})").status, 400);
}

// The EU list through the same editions as the others: our fixture in the published schema,
// then an edition with one entry removed and one changed.
TEST_P(ExportControlTest, EuListEditionsAndTheirChanges) {
  std::ifstream in(std::string(CBRNHUB_SOURCE_DIR) + "/fuzz/corpus/eu_xml/small.xml", std::ios::binary);
  std::stringstream read;
  read << in.rdbuf();
  std::string xml = read.str();
  ASSERT_FALSE(xml.empty());
  auto import = [&](const std::string& content) {
    return As("licensing.uz", "POST", "/api/v1/sanctions/editions",
              json{{"list_code", "eu"}, {"format", "eu-xml"}, {"source_name", "eu.xml"}, {"content", content}}.dump());
  };
  auto first = import(xml);
  ASSERT_EQ(first.status, 201) << first.body.substr(0, 300);
  EXPECT_EQ(Json(first)["edition"]["entity_count"], 2);
  auto hit = Json(As("licensing.uz", "POST", "/api/v1/screenings", R"({"name": "Петров Иван Сергеевич"})"));
  ASSERT_FALSE(hit["results"].empty()) << hit.dump();
  EXPECT_EQ(hit["results"][0]["entity_id"], "EU.1001.01");
  EXPECT_EQ(import(xml.substr(0, xml.size() / 2)).status, 400);
  std::string next = xml;
  next.replace(next.find("not a real listing"), 18, "amended");
  size_t second = next.rfind("<sanctionEntity", next.find("EU.1002.02"));
  next.erase(second, next.find("</sanctionEntity>", second) + 17 - second);
  auto again = import(next);
  ASSERT_EQ(again.status, 201) << again.body.substr(0, 300);
  json ed = Json(again)["edition"];
  EXPECT_EQ(ed["removed"], 1);
  EXPECT_EQ(ed["changed"], 1);
}

TEST_P(ExportControlTest, LicenceWorkflowScreensItsParties) {
  ASSERT_EQ(ImportUn("licensing.uz", ReadShared("un_consolidated.xml")).status, 201);
  // The sample control list is there after seeding, and searchable.
  auto search = Json(As("licensing.uz", "GET", "/api/v1/control-list?q=fermenter"));
  ASSERT_GE(search["total"].get<int>(), 1);
  EXPECT_EQ(search["items"][0]["code"], "2B352");
  EXPECT_EQ(Json(As("licensing.uz", "GET", "/api/v1/control-list?q=1C350"))["items"][0]["code"], "1C350");

  json licence = {{"reference", "UZ-2026-001"}, {"country", "UZ"}, {"exporter", "Navoiyazot JSC"},
                  {"end_user", "Ayman al-Zawahiri"}, {"end_user_country", "EG"}, {"end_use", "water treatment"},
                  {"status", "granted"}};
  auto created = As("licensing.uz", "POST", "/api/v1/licences", licence.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  json l = Json(created);
  EXPECT_EQ(l["status"], "draft") << "status is the workflow's, not the body's";
  std::string id = l["id"];
  EXPECT_EQ(As("licensing.uz", "POST", "/api/v1/licences", json{{"reference", "GE-1"}, {"country", "GE"},
                {"exporter", "x"}, {"end_user", "y"}}.dump()).status, 403);
  // Another country, the NFP: not found.
  EXPECT_EQ(As("licensing.ge", "GET", "/api/v1/licences/" + id).status, 404);
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/licences/" + id).status, 404);
  auto submit = [&](const std::string& to) {
    return As("licensing.uz", "POST", "/api/v1/licences/" + id + "/transition", json{{"to", to}}.dump());
  };
  EXPECT_EQ(submit("submitted").status, 400);  // no items yet
  EXPECT_EQ(submit("granted").status, 400);    // not from draft
  json item = {{"licence_id", id}, {"control_code", "9Z999"}, {"description", "thiodiglycol"}, {"quantity", 200}};
  ASSERT_EQ(As("licensing.uz", "POST", "/api/v1/licence_items", item.dump()).status, 201);
  auto unknown_code = submit("submitted");
  EXPECT_EQ(unknown_code.status, 400);
  EXPECT_NE(unknown_code.body.find("not on the control list"), std::string::npos);
  auto items = Json(As("licensing.uz", "GET", "/api/v1/licence_items?licence_id=" + id));
  ASSERT_EQ(As("licensing.uz", "PATCH", "/api/v1/licence_items/" + items["items"][0]["id"].get<std::string>(),
               R"({"control_code": "1C350"})").status, 200);
  auto submitted = submit("submitted");
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(Json(submitted)["screening_status"].get<std::string>().find("to decide") != std::string::npos, true);
  ASSERT_EQ(submit("under_review").status, 200);
  auto opinion = As("reviewer.uz", "POST", "/api/v1/licences/" + id + "/opinions",
                    json{{"agency", "State Committee for Industrial Safety"}, {"opinion", "object"}}.dump());
  EXPECT_EQ(opinion.status, 201) << opinion.body;
  EXPECT_EQ(As("licensing.ge", "POST", "/api/v1/licences/" + id + "/opinions",
               json{{"agency", "x"}, {"opinion", "object"}}.dump()).status, 404);
  auto grant = submit("granted");
  EXPECT_EQ(grant.status, 409) << grant.body;  // the end user's hit is undecided
  auto detail = Json(As("licensing.uz", "GET", "/api/v1/licences/" + id + "/detail"));
  ASSERT_FALSE(detail["screenings"].empty());
  EXPECT_EQ(detail["items"][0]["control_entry"]["title"], "Chemical weapons precursors");
  EXPECT_EQ(detail["opinions"].size(), 1u);
  std::string end_user_screening;
  for (const auto& s : detail["screenings"]) {
    if (s["party_id"] == "end_user") end_user_screening = s["id"];
  }
  ASSERT_FALSE(end_user_screening.empty());
  ASSERT_EQ(As("licensing.uz", "POST", "/api/v1/screenings/" + end_user_screening + "/decisions",
               json{{"list", "un"}, {"entity_id", "QDi.006"}, {"decision", "true_match"}}.dump()).status, 200);
  EXPECT_EQ(submit("granted").status, 409);  // a confirmed match is never granted
  auto denied = As("licensing.uz", "POST", "/api/v1/licences/" + id + "/transition",
                   json{{"to", "denied"}, {"note", "end user is listed (UN QDi.006)"}}.dump());
  ASSERT_EQ(denied.status, 200);
  EXPECT_EQ(Json(denied)["status"], "denied");
  EXPECT_EQ(submit("withdrawn").status, 400);
  auto history = Json(As("licensing.uz", "GET", "/api/v1/licences/" + id + "/history"));
  EXPECT_GE(history["items"].size(), 4u);
}

TEST_P(ExportControlTest, PagesScreenAndDecide) {
  ASSERT_EQ(ImportUn("licensing.uz", ReadShared("un_consolidated.xml")).status, 201);
  Headers form = as_["licensing.uz"];
  form["Content-Type"] = "application/x-www-form-urlencoded";
  std::string csrf = form["X-CSRF-Token"];
  form.erase("X-CSRF-Token");
  auto posted = Call("POST", "/screening", "csrf_token=" + csrf + "&name=Ayman+al-Zawahiri", form);
  ASSERT_EQ(posted.status, 303) << posted.body;
  std::string where = posted.headers["location"];
  auto page = Call("GET", where, "", as_["licensing.uz"]);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("QDi.006"), std::string::npos);
  auto blank = Call("POST", "/screening", "csrf_token=" + csrf + "&name=", form);
  EXPECT_EQ(blank.status, 400);
  EXPECT_NE(blank.body.find("form-error"), std::string::npos);
  auto d = Call("POST", where + "/decide",
                "csrf_token=" + csrf + "&list=un&entity_id=QDi.006&decision=escalated&reason=", form);
  EXPECT_EQ(d.status, 303);
  // The decision shows by its label, not its stored code.
  std::string decided_page = Call("GET", where, "", as_["licensing.uz"]).body;
  EXPECT_NE(decided_page.find("id=\"decision-QDi.006\"><strong>" +
                              catalogs_.Translate("en", "decision.escalated")),
            std::string::npos);
  EXPECT_EQ(decided_page.find(">escalated<"), std::string::npos);
  // The import form takes multipart files.
  std::string boundary = "cbrnhubTestBoundary";
  std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + csrf +
                     "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"list_code\"\r\n\r\nnational-uz\r\n--" +
                     boundary + "\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\ncsv\r\n--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"uz.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                     "id,name\nUZ-1,Tashkent Precursor Trading\n\r\n--" + boundary + "--\r\n";
  Headers mp = as_["licensing.uz"];
  mp.erase("X-CSRF-Token");
  mp["Content-Type"] = "multipart/form-data; boundary=" + boundary;
  auto imported = Call("POST", "/sanctions/import", body, mp);
  ASSERT_EQ(imported.status, 303) << imported.body;
  EXPECT_NE(imported.headers["location"].find("/sanctions/editions/"), std::string::npos);
  EXPECT_EQ(Call("GET", "/sanctions", "", as_["licensing.uz"]).body.find("national-uz") != std::string::npos, true);
  EXPECT_EQ(Call("GET", "/screening", "", as_["nfp.uz"]).status, 403);
}

INSTANTIATE_BACKENDS(ExportControlTest);

}  // namespace
}  // namespace cbrnhub::testing
