// Export control through the JSON API: list editions and their changes, screening with
// remembered decisions, country-scoped visibility, the control list and the licence workflow.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "assets/assets.h"
#include "http/http.h"
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
  // Headers to post an HTML form as `user`, and the CSRF token the form carries in its body.
  std::pair<Headers, std::string> FormAs(const std::string& user) {
    Headers form = as_[user];
    form["Content-Type"] = "application/x-www-form-urlencoded";
    std::string csrf = form["X-CSRF-Token"];
    form.erase("X-CSRF-Token");
    return {form, csrf};
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
  // Stored as a code, shown by its label (an open hit: the end user is listed).
  EXPECT_EQ(Json(submitted)["screening_status"], "hits_open");
  for (const std::string& page :
       std::vector<std::string>{"/licences/" + id + "?lang=fr", "/licences?lang=fr"}) {
    auto shown = As("licensing.uz", "GET", page);
    ASSERT_EQ(shown.status, 200) << page;
    EXPECT_NE(shown.body.find("à trancher"), std::string::npos) << page;
    EXPECT_EQ(shown.body.find("hits_open"), std::string::npos)
        << page << ": the code, not its label";
  }
  // The licence's own page and the list count the hits left (the end user's, on the UN list).
  for (const std::string& page : {"/licences/" + id + "?lang=fr", std::string("/licences?lang=fr")}) {
    EXPECT_NE(As("licensing.uz", "GET", page).body.find("1 correspondance à trancher"),
              std::string::npos)
        << page;
  }
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
  auto detail_fr = Json(As("licensing.uz", "GET", "/api/v1/licences/" + id + "/detail?lang=fr"));
  EXPECT_EQ(detail_fr["items"][0]["control_entry"]["title"], "Précurseurs d'armes chimiques");
  EXPECT_EQ(detail_fr["items"][0]["control_entry"]["lang"], "fr");
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
  auto [form, csrf] = FormAs("licensing.uz");
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

// Every entry of an edition can be browsed, searched and opened; a screening's candidates link
// to the entry as the edition they were screened against lists it.
TEST_P(ExportControlTest, ListEntriesBrowseSearchAndOpen) {
  auto imported = ImportUn("licensing.uz", ReadShared("un_consolidated.xml"));
  ASSERT_EQ(imported.status, 201);
  std::string ed = Json(imported)["edition"]["id"];
  std::string api = "/api/v1/sanctions/editions/" + ed + "/entries";
  auto all = Json(As("licensing.uz", "GET", api + "?limit=10"));
  EXPECT_EQ(all["total"], 1009);
  EXPECT_EQ(all["items"].size(), 10u);
  auto second = Json(As("licensing.uz", "GET", api + "?limit=10&offset=10"));
  EXPECT_NE(second["items"][0]["id"], all["items"][0]["id"]);
  auto found = Json(As("licensing.uz", "GET", api + "?q=zawahiri"));
  ASSERT_GE(found["total"].get<int>(), 1);
  std::set<std::string> ids;
  for (const auto& e : found["items"]) ids.insert(e["id"].get<std::string>());
  EXPECT_TRUE(ids.count("QDi.006"));
  // Every word must match; LIKE's wildcards are taken literally.
  EXPECT_EQ(Json(As("licensing.uz", "GET", api + "?q=zawahiri+nosuchword"))["total"], 0);
  EXPECT_EQ(Json(As("licensing.uz", "GET", api + "?q=%25"))["total"], 0);
  EXPECT_EQ(As("licensing.uz", "GET", api + "?limit=0").status, 400);
  EXPECT_EQ(As("licensing.uz", "GET", "/api/v1/sanctions/editions/no-such-edition/entries").status,
            404);
  EXPECT_EQ(As("nfp.uz", "GET", api).status, 403);

  auto entry = As("licensing.uz", "GET", api + "/QDi.006");
  ASSERT_EQ(entry.status, 200) << entry.body;
  json e = Json(entry);
  EXPECT_EQ(e["kind"], "individual");
  EXPECT_GT(e["names"].size(), 1u) << "aliases are part of the entry";
  EXPECT_FALSE(e["birth_dates"].empty());
  EXPECT_EQ(e["edition"]["id"], ed);
  EXPECT_EQ(As("licensing.uz", "GET", api + "/QDi.999999").status, 404);

  // The pages: browse with paging, search, one entry with its labels in the reader's language.
  auto browse = Call("GET", "/sanctions/editions/" + ed + "/entries", "", as_["licensing.uz"]);
  ASSERT_EQ(browse.status, 200);
  EXPECT_NE(browse.body.find("id=\"next-page\""), std::string::npos);
  EXPECT_NE(browse.body.find("1–50 / 1009"), std::string::npos);
  auto searched =
      Call("GET", "/sanctions/editions/" + ed + "/entries?q=Zawahiri", "", as_["licensing.uz"]);
  EXPECT_NE(searched.body.find("/entries/QDi.006\""), std::string::npos);
  EXPECT_EQ(searched.body.find("id=\"next-page\""), std::string::npos);
  auto page =
      Call("GET", "/sanctions/editions/" + ed + "/entries/QDi.006", "", as_["licensing.uz"]);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Individual"), std::string::npos);
  EXPECT_NE(page.body.find("entry-names"), std::string::npos);
  auto french = Call("GET", "/sanctions/editions/" + ed + "/entries/QDi.006?lang=fr", "",
                     as_["licensing.uz"]);
  EXPECT_NE(french.body.find("Personne physique"), std::string::npos) << french.status << french.body.substr(french.body.find("<main"), 1500);
  EXPECT_EQ(french.body.find(">individual<"), std::string::npos);
  EXPECT_EQ(
      Call("GET", "/sanctions/editions/" + ed + "/entries/nope", "", as_["licensing.uz"]).status,
      404);

  auto s = Json(
      As("licensing.uz", "POST", "/api/v1/screenings", json{{"name", "Ayman al-Zawahiri"}}.dump()));
  auto result = Call("GET", "/screening/" + s["id"].get<std::string>(), "", as_["licensing.uz"]);
  EXPECT_NE(result.body.find("/sanctions/editions/" + ed + "/entries/QDi.006"), std::string::npos);

  // Below the default threshold on purpose: every part only looks like the listed one, and the
  // page says why the score was capped, in the reader's language.
  auto alike = Json(As("licensing.uz", "POST", "/api/v1/screenings",
                       json{{"name", "Aymar al-Zawahiro"}, {"threshold", 0.7}}.dump()));
  ASSERT_FALSE(alike["results"].empty()) << alike.dump();
  EXPECT_EQ(alike["results"][0]["explanation"]["capped_reason"], "only_alike");
  std::string alike_page = "/screening/" + alike["id"].get<std::string>();
  EXPECT_NE(Call("GET", alike_page, "", as_["licensing.uz"]).body.find("only look alike"),
            std::string::npos);
  EXPECT_NE(Call("GET", alike_page + "?lang=ru", "", as_["licensing.uz"]).body.find("лишь похожи"),
            std::string::npos);
}

// Regression: the decision drop-down was pre-set to "False positive", so one click cleared
// even a 100 % match. Nothing is chosen now, and a decision without a choice is refused.
TEST_P(ExportControlTest, DecisionIsNeverPreselected) {
  ASSERT_EQ(ImportUn("licensing.uz", ReadShared("un_consolidated.xml")).status, 201);
  auto [form, csrf] = FormAs("licensing.uz");
  auto s = Json(
      As("licensing.uz", "POST", "/api/v1/screenings", json{{"name", "Ayman al-Zawahiri"}}.dump()));
  std::string where = "/screening/" + s["id"].get<std::string>();
  int open = s["open_count"];
  auto page = Call("GET", where, "", as_["licensing.uz"]);
  EXPECT_NE(page.body.find("<option value=\"\" selected>"), std::string::npos);
  EXPECT_EQ(page.body.find("value=\"false_positive\" selected"), std::string::npos);
  EXPECT_NE(page.body.find("<select name=\"decision\" required"), std::string::npos);

  auto unchosen =
      Call("POST", where + "/decide",
           "csrf_token=" + csrf + "&list=un&entity_id=QDi.006&decision=&reason=looked+at+it", form);
  EXPECT_EQ(unchosen.status, 400);
  EXPECT_NE(unchosen.body.find("Choose a decision for this candidate"), std::string::npos);
  EXPECT_NE(unchosen.body.find("value=\"looked at it\""), std::string::npos)
      << "the typed reason is kept";
  auto in_russian = Call("POST", where + "/decide?lang=ru",
                         "csrf_token=" + csrf + "&list=un&entity_id=QDi.006", form);
  EXPECT_EQ(in_russian.status, 400);
  EXPECT_NE(in_russian.body.find("Выберите решение по этому кандидату"), std::string::npos);
  auto no_reason = Call(
      "POST", where + "/decide",
      "csrf_token=" + csrf + "&list=un&entity_id=QDi.006&decision=false_positive&reason=", form);
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_NE(no_reason.body.find("Say why this is a false positive"), std::string::npos);
  EXPECT_EQ(Json(As("licensing.uz", "GET",
                    "/api/v1/screenings/" + s["id"].get<std::string>()))["open_count"],
            open)
      << "nothing was recorded";

  auto api =
      As("licensing.uz", "POST", "/api/v1/screenings/" + s["id"].get<std::string>() + "/decisions",
         json{{"list", "un"}, {"entity_id", "QDi.006"}}.dump());
  EXPECT_EQ(api.status, 400);
  EXPECT_EQ(Json(api)["field"], "decision");
}

// Grant, deny and withdraw take a confirmation step (a page: no JavaScript needed); the other
// steps do not.
TEST_P(ExportControlTest, FinalLicenceDecisionsAskForConfirmation) {
  // Submitting screens the parties, which needs a list in force.
  ASSERT_EQ(ImportUn("licensing.uz", ReadShared("un_consolidated.xml")).status, 201);
  json licence = {{"reference", "UZ-2026-077"},
                  {"country", "UZ"},
                  {"exporter", "Chirchiq Fertiliser Works"},
                  {"end_user", "Almaty Water Utility"},
                  {"end_user_country", "KZ"},
                  {"end_use", "water treatment"}};
  auto created = As("licensing.uz", "POST", "/api/v1/licences", licence.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = Json(created)["id"];
  json item = {{"licence_id", id},
               {"control_code", "1C350"},
               {"description", "thiodiglycol"},
               {"quantity", 200}};
  ASSERT_EQ(As("licensing.uz", "POST", "/api/v1/licence_items", item.dump()).status, 201);
  auto [form, csrf] = FormAs("licensing.uz");
  std::string action = "/licences/" + id + "/transition";
  auto status = [&] { return Json(As("licensing.uz", "GET", "/api/v1/licences/" + id))["status"]; };
  for (const char* step : {"submitted", "under_review"}) {
    auto moved = Call("POST", action, "csrf_token=" + csrf + "&to=" + step, form);
    EXPECT_EQ(moved.status, 303);
    EXPECT_EQ(moved.headers["location"].find("error="), std::string::npos) << moved.headers["location"];
  }
  EXPECT_EQ(status(), "under_review");

  auto ask =
      Call("POST", action, "csrf_token=" + csrf + "&to=denied&note=end+use+not+credible", form);
  ASSERT_EQ(ask.status, 200);
  EXPECT_NE(ask.body.find("Deny this licence?"), std::string::npos);
  EXPECT_NE(ask.body.find("name=\"confirmed\" value=\"yes\""), std::string::npos);
  EXPECT_NE(ask.body.find("value=\"end use not credible\""), std::string::npos);
  EXPECT_EQ(status(), "under_review") << "nothing happens before the confirmation";
  auto grant = Call("POST", action + "?lang=ar", "csrf_token=" + csrf + "&to=granted", form);
  EXPECT_NE(grant.body.find("هل تريد منح هذا الترخيص؟"), std::string::npos);
  EXPECT_EQ(status(), "under_review");

  auto confirmed =
      Call("POST", action,
           "csrf_token=" + csrf + "&to=denied&note=end+use+not+credible&confirmed=yes", form);
  EXPECT_EQ(confirmed.status, 303);
  EXPECT_EQ(status(), "denied");
  EXPECT_EQ(Json(As("licensing.uz", "GET", "/api/v1/licences/" + id))["decision_note"],
            "end use not credible");
}

TEST_P(ExportControlTest, ControlListInTheUsersLanguageWithEnglishBeyondTheTranslation) {
  auto get = [&](const std::string& target) { return Json(As("licensing.uz", "GET", target)); };
  auto search = [&](const std::string& q, const std::string& lang) {
    return get("/api/v1/control-list?q=" + http::PercentEncode(q) + "&lang=" + lang);
  };
  json fr = search("1C350", "fr")["items"][0];
  EXPECT_EQ(fr["title"], "Précurseurs d'armes chimiques");
  EXPECT_EQ(fr["category"], "1 Matériaux spéciaux et équipements connexes");
  EXPECT_NE(fr["parameters"].get<std::string>().find("tableau 2"), std::string::npos);
  EXPECT_EQ(fr["lang"], "fr");
  EXPECT_EQ(fr["regime"], "Australia Group; CWC");  // a name, not translated
  json ar = get("/api/v1/control-list/2B352?lang=ar");
  EXPECT_EQ(ar["title"], "المعدات البيولوجية");
  EXPECT_EQ(ar["lang"], "ar");
  EXPECT_EQ(get("/api/v1/control-list/2B352?lang=ru")["title"], "Биологическое оборудование");
  EXPECT_EQ(get("/api/v1/control-list/2B352")["lang"], "en");
  // Words of the user's language find entries (whatever their case), English words still do.
  EXPECT_EQ(search("ФЕРМЕНТЁРЫ", "ru")["items"][0]["code"], "2B352");
  json french_words = search("précurseurs d'armes", "fr");
  ASSERT_EQ(french_words["total"], 1);
  EXPECT_EQ(french_words["items"][0]["code"], "1C350");
  EXPECT_EQ(search("سلائف الأسلحة", "ar")["items"][0]["code"], "1C350");
  json english_word = search("fermenter", "fr");
  ASSERT_EQ(english_word["total"], 1);
  EXPECT_EQ(english_word["items"][0]["title"], "Équipements biologiques");
  EXPECT_EQ(search("précurseurs", "en")["total"], 0);
  // The page shows the same, marked with its language.
  auto page = As("licensing.uz", "GET", "/control-list?q=2B352&lang=ar");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("المعدات البيولوجية"), std::string::npos);
  EXPECT_NE(page.body.find("lang=\"ar\" dir=\"auto\""), std::string::npos);
  EXPECT_EQ(page.body.find("Equipment capable of use"), std::string::npos);

  // A list of the administrator's own that words 1C350 differently: the translation of the
  // shipped words would mislead, so that entry is English; the others stay translated.
  std::string csv = std::string(*assets::Find("data/exportctl/control_list.csv"));
  size_t at = csv.find("Chemical weapons precursors");
  ASSERT_NE(at, std::string::npos);
  csv.replace(at, 27, "Precursors of chemical weapons");
  ASSERT_EQ(Call("POST", "/api/v1/control-list", csv).status, 200);
  json own = get("/api/v1/control-list/1C350?lang=fr");
  EXPECT_EQ(own["title"], "Precursors of chemical weapons");
  EXPECT_EQ(own["lang"], "en");
  EXPECT_EQ(get("/api/v1/control-list/2B352?lang=fr")["lang"], "fr");
  // The French words of the shipped 1C350 no longer find the reworded entry.
  EXPECT_EQ(search("précurseurs d'armes", "fr")["total"], 0);
  EXPECT_EQ(search("precursors", "fr")["items"][0]["code"], "1C350");
}

INSTANTIATE_BACKENDS(ExportControlTest);

std::string EnglishList() {
  return "code,category,title,text,parameters,regime\n"
         "1C350,1 Materials,Precursors,Chemicals usable as precursors.,30 % by weight,AG\n"
         "2B352,2 Processing,Biological equipment,Fermenters.,,AG\n";
}

TEST(ControlTranslation, TheShippedFilesTranslateEveryEntry) {
  std::string_view english = *assets::Find("data/exportctl/control_list.csv");
  size_t entries = std::count(english.begin(), english.end(), '\n') - 1;
  ASSERT_GE(entries, 30u);
  for (const char* lang : {"fr", "ru", "ar"}) {
    std::string path = std::string("data/exportctl/control_list.") + lang + ".csv";
    auto file = assets::Find(path);
    ASSERT_TRUE(file) << path;
    auto parsed = exportctl::ParseControlTranslation(english, *file, path);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->size(), entries) << path;
    for (const auto& [code, entry] : *parsed) {
      // Copied English is not a translation (names such as "Tritium" may coincide).
      if (entry.english.text.size() > 20) {
        EXPECT_NE(entry.translated.text, entry.english.text) << path << " " << code;
      }
      if (std::string(lang) == "ar") {
        bool arabic = std::any_of(entry.translated.title.begin(), entry.translated.title.end(),
                                  [](unsigned char c) { return c >= 0xD8 && c <= 0xDB; });
        EXPECT_TRUE(arabic) << code;
      }
    }
  }
}

TEST(ControlTranslation, AFileThatDoesNotMatchTheListIsRefusedWithLineAndField) {
  const std::string header = "code,category,title,text,parameters\n";
  const std::string good_2b352 = "2B352,2 Traitement,Équipements biologiques,Fermenteurs.,\n";
  struct Case {
    std::string rows;
    std::string where, what;
  };
  const Case cases[] = {
      {"9Z999,x,y,z,\n", "fr.csv line 2 field code", "'9Z999' is not an entry of control_list.csv"},
      {"1C350,1 M,Précurseurs,Produits.,30 %\n1C350,1 M,P,T,30 %\n", "fr.csv line 3 field code",
       "appears twice"},
      {"1C350,1 M,,Produits.,30 %\n" + good_2b352, "fr.csv line 2 field title", "is empty"},
      {"1C350,1 M,Précurseurs,Produits.,\n" + good_2b352, "fr.csv line 2 field parameters",
       "is empty, and the English entry has parameters"},
      {"1C350,1 M,Précurseurs,Produits.,30 %\n2B352,2 T,Équipements,Fermenteurs.,20 l\n",
       "fr.csv line 3 field parameters", "the English entry has no parameters"},
      {"1C350,1 M,Précurseurs,Produits.,30 %\n", "fr.csv",
       "no translation of 2B352 (control_list.csv line 3)"},
  };
  for (const auto& c : cases) {
    auto parsed = exportctl::ParseControlTranslation(EnglishList(), header + c.rows, "fr.csv");
    ASSERT_FALSE(parsed.ok()) << c.rows;
    EXPECT_NE(parsed.status().ToString().find(c.where), std::string::npos)
        << parsed.status().ToString();
    EXPECT_NE(parsed.status().ToString().find(c.what), std::string::npos)
        << parsed.status().ToString();
  }
  // A column missing, or a row with one field too many: the CSV reader's own errors.
  EXPECT_FALSE(
      exportctl::ParseControlTranslation(EnglishList(), "code,category,title,text\n", "fr.csv")
          .ok());
  EXPECT_FALSE(
      exportctl::ParseControlTranslation(EnglishList(), header + "1C350,a,b,c,d,e\n", "fr.csv")
          .ok());
  auto good = exportctl::ParseControlTranslation(
      EnglishList(), header + "1C350,1 M,Précurseurs,Produits.,30 %\n" + good_2b352, "fr.csv");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->at("2B352").english.title, "Biological equipment");
  EXPECT_EQ(good->at("2B352").translated.title, "Équipements biologiques");
}

// Licences written before the screening state became a code kept English text ("2 hits to
// decide"); migration 14 turns it into the codes the pages label, and leaves codes alone.
TEST_P(ExportControlTest, MigrationTurnsOldScreeningTextsIntoCodes) {
  std::vector<std::string> ids;
  for (const char* reference : {"UZ-OLD-1", "UZ-OLD-2", "UZ-OLD-3", "UZ-OLD-4", "UZ-OLD-5"}) {
    auto created = As("licensing.uz", "POST", "/api/v1/licences",
                      json{{"reference", reference}, {"country", "UZ"}, {"exporter", "Navoiyazot JSC"},
                           {"end_user", "Tashkent Water Works"}, {"end_user_country", "UZ"},
                           {"end_use", "water treatment"}}.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    ids.push_back(Json(created)["id"]);
  }
  const std::vector<std::pair<std::string, std::string>> old_and_new = {
      {"not screened", "not_screened"}, {"clear", "clear"}, {"hits decided", "hits_decided"},
      {"2 hits to decide", "hits_open"}, {"hits_open", "hits_open"}};
  {
    auto txn = t_->db().Begin(storage::Access::kWrite);
    ASSERT_TRUE(txn.ok());
    for (size_t i = 0; i < ids.size(); ++i) {
      ASSERT_TRUE((*txn)->Exec("UPDATE licences SET screening_status = ? WHERE id = ?",
                               {old_and_new[i].first, ids[i]}).ok());
    }
    ASSERT_TRUE((*txn)->Exec("DELETE FROM schema_migrations WHERE version = 14").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto migrated = storage::Migrate(t_->db());
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  for (size_t i = 0; i < ids.size(); ++i) {
    auto read = t_->db().Begin(storage::Access::kRead);
    auto rows = (*read)->Query("SELECT screening_status FROM licences WHERE id = ?", {ids[i]});
    ASSERT_TRUE(rows.ok() && rows->size() == 1u);
    EXPECT_EQ((*rows)[0].Text(0), old_and_new[i].second) << old_and_new[i].first;
  }
}

}  // namespace
}  // namespace cbrnhub::testing
