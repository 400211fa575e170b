// Activities, exercises, lessons learnt, round tables and the brief through the API and pages,
// on both backends: bad input refused naming its field with nothing written, Markdown minutes
// rendered harmless, follow-ups carried to the next round table and their closing audited,
// full-text search of lessons in English and Russian that never finds another country's
// unshared lesson, the iCalendar export, and the brief for the demo region as JSON, HTML and a
// PDF checked with poppler's pdftotext and pdfinfo.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "meetings/meetings.h"
#include "server_fixture.h"

namespace cbrnhub::testing {
namespace {

using Headers = std::map<std::string, std::string>;

class MeetingsApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* u : {"nfp.uz", "team.uz", "nfp.ge", "secretariat.ca", "secretariat.seee",
                          "programme", "observer"}) {
      auto [cookie, csrf] = SignIn(u);
      as_[u] = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
    }
  }
  HttpResponse As(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return Call(method, target, body, as_[user]);
  }
  std::string Create(const std::string& user, const std::string& kind, const json& body) {
    auto r = As(user, "POST", "/api/v1/" + kind, body.dump());
    EXPECT_EQ(r.status, 201) << kind << ": " << r.body;
    return Json(r).value("id", "");
  }
  std::string FieldOf(const HttpResponse& r) {
    json j = Json(r);
    return j.is_object() && j["field"].is_string() ? j["field"].get<std::string>()
                                                   : "(" + std::to_string(r.status) + ")";
  }
  // The demo installation's data: assessments, plans, projects, activities, round tables.
  void SeedDemo() {
    records::Caller seeder{access::Principal::System("seed"), ""};
    assessment::Service assessments(*store_);
    ASSERT_TRUE(assessments.SeedDemo(seeder).ok());
    plans::Service plans(*store_, assessments);
    ASSERT_TRUE(plans.SeedDemo(seeder).ok());
    meetings::Service meetings(*store_, assessments, plans);
    auto made = meetings.SeedDemo(seeder);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    ASSERT_EQ(*made, 3);
  }
  std::map<std::string, Headers> as_;
};

json Exercise() {
  return {{"country", "UZ"},
          {"title", "Chlorine release table-top"},
          {"type", "tabletop_exercise"},
          {"start_date", "2026-05-04"},
          {"end_date", "2026-05-05"},
          {"participants_women", 5}};
}

TEST_P(MeetingsApiTest, BadInputIsRefusedNamingItsFieldAndNothingIsWritten) {
  std::string exercise = Create("nfp.uz", "activities", Exercise());
  std::string training = Create("nfp.uz", "activities",
                                {{"country", "UZ"},
                                 {"title", "Training"},
                                 {"type", "training"},
                                 {"start_date", "2026-05-04"},
                                 {"end_date", "2026-05-04"}});
  struct Case {
    const char* kind;
    json body;
    const char* field;
  };
  json base = Exercise();
  auto with = [&](json change) {
    json b = base;
    b.update(change);
    return b;
  };
  const Case cases[] = {
      {"activities", with({{"end_date", "2026-05-01"}}), "end_date"},
      {"activities", with({{"participants_women", -1}}), "participants_women"},
      {"activities", with({{"participants_men", 20000}}), "participants_men"},
      {"activities", with({{"participants_women", 6000}, {"participants_men", 6000}}),
       "participants_women"},
      {"activities", with({{"place_country", "ZZ"}}), "place_country"},
      {"activities", with({{"countries", "UZ, QQ"}}), "countries"},
      {"activities", with({{"agencies", "no-such-agency"}}), "agencies"},
      {"activities", with({{"participants_by_agency", "no-such-agency=3"}}),
       "participants_by_agency"},
      {"activities", with({{"participants_by_agency", "x=-3"}}), "participants_by_agency"},
      {"activities", with({{"type", "party"}}), "type"},
      {"exercise_injects",
       {{"activity_id", exercise}, {"at_time", "2026-05-07 10:00"}, {"message", "late"}},
       "at_time"},
      {"exercise_injects",
       {{"activity_id", exercise}, {"at_time", "tomorrow"}, {"message", "when?"}},
       "at_time"},
      {"exercise_injects",
       {{"activity_id", training}, {"at_time", "2026-05-04 10:00"}, {"message", "m"}},
       "activity_id"},
      {"exercise_evaluations",
       {{"activity_id", exercise}, {"objective", "o"}, {"rating", "great"}},
       "rating"},
      {"round_tables",
       {{"region", "CA"}, {"title", "RT"}, {"meeting_date", "2026-06-01"}, {"invited", "UZ, GE"}},
       "invited"},
      {"round_tables",
       {{"region", "CA"},
        {"title", "RT"},
        {"meeting_date", "2026-06-01"},
        {"invited", "UZ"},
        {"present", "KZ"}},
       "present"},
  };
  for (const auto& c : cases) {
    std::string user = std::string(c.kind) == "round_tables" ? "secretariat.ca" : "nfp.uz";
    auto r = As(user, "POST", std::string("/api/v1/") + c.kind, c.body.dump());
    SCOPED_TRACE(c.body.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(FieldOf(r), c.field) << r.body;
  }
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/activities"))["total"], 2);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/exercise_injects"))["total"], 0);
  EXPECT_EQ(Json(As("secretariat.ca", "GET", "/api/v1/round_tables"))["total"], 0);
  // Inside the exercise's dates it is accepted.
  Create("nfp.uz", "exercise_injects",
         {{"activity_id", exercise}, {"at_time", "2026-05-05 16:30"}, {"message", "ok"}});
}

TEST_P(MeetingsApiTest, MinutesInMarkdownAreRenderedHarmless) {
  std::string rt =
      Create("secretariat.ca", "round_tables",
             {{"region", "CA"},
              {"title", "Markdown round table"},
              {"meeting_date", "2026-06-01"},
              {"minutes",
               "## Opening\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) **bold**"},
              {"decisions", "<img src=x onerror=alert(3)>\n\n- agreed"}});
  auto page = As("nfp.uz", "GET", "/round-tables/" + rt);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("<h2>Opening</h2>"), std::string::npos);
  EXPECT_NE(page.body.find("<strong>bold</strong>"), std::string::npos);
  EXPECT_NE(page.body.find("<li>agreed</li>"), std::string::npos);
  EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.body.find("javascript:"), std::string::npos);
  EXPECT_EQ(page.body.find("onerror"), std::string::npos);
}

TEST_P(MeetingsApiTest, FollowUpsAreCarriedToTheNextRoundTableAndClosingIsAudited) {
  std::string first =
      Create("secretariat.ca", "round_tables",
             {{"region", "CA"}, {"title", "First"}, {"meeting_date", "2026-01-20"}});
  std::string item = Create("secretariat.ca", "follow_ups",
                            {{"round_table_id", first},
                             {"title", "Share the plan"},
                             {"responsible", "NFP UZ"},
                             {"country", "UZ"},
                             {"due", "2026-03-01"}});
  Create("secretariat.ca", "follow_ups",
         {{"round_table_id", first}, {"title", "Second item"}, {"responsible", "Secretariat"}});
  std::string next = Create("secretariat.ca", "round_tables",
                            {{"region", "CA"}, {"title", "Next"}, {"meeting_date", "2026-06-10"}});
  // A round table of another region does not carry CA's items.
  std::string other =
      Create("secretariat.seee", "round_tables",
             {{"region", "SEEE"}, {"title", "SEEE"}, {"meeting_date", "2026-07-01"}});
  EXPECT_TRUE(
      Json(As("secretariat.seee", "GET", "/api/v1/round_tables/" + other + "/view"))["carried"]
          .empty());
  json view = Json(As("nfp.uz", "GET", "/api/v1/round_tables/" + next + "/view"));
  ASSERT_EQ(view["carried"].size(), 2u) << view.dump();
  EXPECT_EQ(view["carried"][0]["meeting"]["title"], "First");
  EXPECT_TRUE(view["follow_ups"].empty());
  // The focal point of a member country reads the follow-ups but does not close them; another
  // region's people do not see them at all.
  EXPECT_EQ(
      As("nfp.uz", "POST", "/api/v1/follow_ups/" + item + "/close", R"({"note":"done"})").status,
      403);
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/round_tables/" + next + "/view").status, 404);
  EXPECT_EQ(
      As("nfp.ge", "POST", "/api/v1/follow_ups/" + item + "/close", R"({"note":"done"})").status,
      404);
  // A body cannot close it behind the workflow's back.
  auto patch =
      As("secretariat.ca", "PATCH", "/api/v1/follow_ups/" + item, R"({"status":"closed"})");
  EXPECT_EQ(Json(As("secretariat.ca", "GET", "/api/v1/follow_ups/" + item))["status"], "open")
      << patch.body;
  auto closed = As("secretariat.ca", "POST", "/api/v1/follow_ups/" + item + "/close",
                   R"({"note":"plan shared in May"})");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(Json(closed)["status"], "closed");
  EXPECT_EQ(Json(closed)["closing_note"], "plan shared in May");
  EXPECT_EQ(As("secretariat.ca", "POST", "/api/v1/follow_ups/" + item + "/close", "{}").status,
            409);
  view = Json(As("secretariat.ca", "GET", "/api/v1/round_tables/" + next + "/view"));
  ASSERT_EQ(view["carried"].size(), 1u);
  EXPECT_EQ(view["carried"][0]["title"], "Second item");
  json audit = Json(Get("/api/v1/audit?entity_id=" + item + "&action=close"));
  ASSERT_EQ(audit["items"].size(), 1u) << audit.dump();
  EXPECT_EQ(audit["items"][0]["actor"].get<std::string>().find("user:"), 0u);
  EXPECT_EQ(Json(Get("/api/v1/audit/verify"))["intact"], true);
  // The page closes through a form too, and shows the carried items.
  auto page = As("secretariat.ca", "GET", "/round-tables/" + next);
  EXPECT_NE(page.body.find("Second item"), std::string::npos);
  // Regression: closing a carried item from this page came back to the earlier round table.
  EXPECT_NE(page.body.find("name=\"return_to\" value=\"/round-tables/" + next + "\""),
            std::string::npos);
}

TEST_P(MeetingsApiTest, LessonsAreFoundInEnglishAndRussianAndAnotherCountrysUnsharedOnesNever) {
  std::string uz_private = Create("nfp.uz", "lessons",
                                  {{"country", "UZ"},
                                   {"title", "Decontamination corridor was too narrow"},
                                   {"what_happened", "Casualties queued outside"},
                                   {"theme", "chemical"}});
  std::string uz_shared = Create("nfp.uz", "lessons",
                                 {{"country", "UZ"},
                                  {"title", "Дезактивация пострадавших на месте"},
                                  {"to_keep", "Палатки для дезактивации"},
                                  {"theme", "chemical"},
                                  {"sharing", "region"}});
  std::string ge_private = Create(
      "nfp.ge", "lessons",
      {{"country", "GE"}, {"title", "Decontamination tents arrived late"}, {"theme", "chemical"}});
  auto ids = [&](const std::string& user, const std::string& query) {
    json r = Json(As(user, "GET", "/api/v1/lessons/search?" + query));
    std::set<std::string> out;
    for (const auto& l : r["items"]) out.insert(l["id"]);
    EXPECT_EQ(r["total"], out.size()) << r.dump();
    return out;
  };
  EXPECT_EQ(ids("nfp.uz", "q=decontam"), (std::set<std::string>{uz_private}));
  EXPECT_EQ(ids("nfp.uz", "q=CORRIDOR%20narrow"), (std::set<std::string>{uz_private}));
  EXPECT_EQ(ids("nfp.uz", "q=queued"), (std::set<std::string>{uz_private}));
  EXPECT_EQ(ids("nfp.ge", "q=decontamination"), (std::set<std::string>{ge_private}));
  // Russian, by prefix and in any case.
  EXPECT_EQ(ids("nfp.uz", "q=%D0%B4%D0%B5%D0%B7%D0%B0%D0%BA%D1%82%D0%B8%D0%B2%D0%B0%D1%86"),
            (std::set<std::string>{uz_shared}));
  EXPECT_EQ(ids("secretariat.ca",
                "q=%D0%94%D0%95%D0%97%D0%90%D0%9A%D0%A2%D0%98%D0%92%D0%90%D0%A6%D0%98%D0%AF"),
            (std::set<std::string>{uz_shared}));
  EXPECT_EQ(ids("secretariat.ca", "q=%D0%BF%D0%B0%D0%BB%D0%B0%D1%82%D0%BA%D0%B8"),
            (std::set<std::string>{uz_shared}));
  // Unshared lessons of another country: not found, not counted, whatever the filter.
  EXPECT_TRUE(ids("secretariat.ca", "q=decontamination").empty());
  EXPECT_TRUE(ids("nfp.ge", "q=corridor").empty());
  EXPECT_TRUE(ids("nfp.uz", "q=tents").empty());
  EXPECT_TRUE(ids("secretariat.seee", "q=decontamination&theme=chemical").empty());
  EXPECT_EQ(ids("secretariat.ca", "region=CA&theme=chemical"), (std::set<std::string>{uz_shared}));
  EXPECT_TRUE(ids("observer", "theme=chemical").empty());
  // Filters and odd input.
  EXPECT_TRUE(ids("nfp.uz", "q=decontam&theme=biological").empty());
  EXPECT_EQ(ids("nfp.uz", "q=%22%2A%28%29%3A%26").size(), 2u);  // punctuation only: no text filter
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/lessons/search?region=XX").status, 404);
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/lessons/search?limit=0").status, 400);
  // The best match first: a lesson about radio channels, then one that mentions radio in passing
  // (written later, so newest-first would put it first).
  std::string about = Create("nfp.uz", "lessons",
                             {{"country", "UZ"}, {"title", "Radio channels of police and rescuers"},
                              {"what_happened", "Radio failed; the radio relay was out of range of every radio."}});
  std::string passing = Create(
      "nfp.uz", "lessons",
      {{"country", "UZ"}, {"title", "Evacuation of the school took an hour"},
       {"what_happened", "Buses came late, the list of pupils was out of date, parents arrived before the police and"
                         " the teachers had no radio, no maps and no instructions for the assembly point."}});
  json ranked = Json(As("nfp.uz", "GET", "/api/v1/lessons/search?q=radio"));
  ASSERT_EQ(ranked["items"].size(), 2u) << ranked.dump();
  EXPECT_EQ(ranked["items"][0]["id"], about);
  EXPECT_EQ(ranked["items"][1]["id"], passing);
  auto page = As("nfp.uz", "GET", "/lessons?q=decontam");
  EXPECT_NE(page.body.find("Decontamination corridor"), std::string::npos);
  EXPECT_EQ(page.body.find("tents arrived"), std::string::npos);
}

TEST_P(MeetingsApiTest, AnObservationBecomesALessonInOneStep) {
  std::string exercise = Create("nfp.uz", "activities", Exercise());
  std::string ev = Create("nfp.uz", "exercise_evaluations",
                          {{"activity_id", exercise},
                           {"objective", "Evacuate the station"},
                           {"rating", "partly_met"},
                           {"observations", "Radio channels were not shared"}});
  std::string empty =
      Create("nfp.uz", "exercise_evaluations",
             {{"activity_id", exercise}, {"objective", "Alert"}, {"rating", "met"}});
  EXPECT_EQ(FieldOf(As("nfp.uz", "POST", "/api/v1/exercise_evaluations/" + empty + "/lesson")),
            "observations");
  EXPECT_EQ(As("team.uz", "POST", "/api/v1/exercise_evaluations/" + ev + "/lesson").status, 403);
  auto r = As("nfp.uz", "POST", "/api/v1/exercise_evaluations/" + ev + "/lesson");
  ASSERT_EQ(r.status, 201) << r.body;
  json lesson = Json(r);
  EXPECT_EQ(lesson["country"], "UZ");
  EXPECT_EQ(lesson["sharing"], "private");
  EXPECT_EQ(lesson["activity_type"], "tabletop_exercise");
  EXPECT_EQ(lesson["what_happened"], "Radio channels were not shared");
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/lessons/search?q=radio"))["total"], 1);
  EXPECT_EQ(Json(As("secretariat.ca", "GET", "/api/v1/lessons/search?q=radio"))["total"], 0);
}

TEST_P(MeetingsApiTest, DocumentsAreCheckedLikeEvidenceAndFollowTheActivitysVisibility) {
  std::string activity = Create("nfp.uz", "activities", Exercise());
  const std::string boundary = "d0cb0undary";
  auto upload = [&](const std::string& user, const std::string& name, const std::string& data) {
    Headers h = as_[user];
    h["Content-Type"] = "multipart/form-data; boundary=" + boundary;
    return Call("POST", "/api/v1/activities/" + activity + "/documents",
                "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
                    name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data +
                    "\r\n--" + boundary + "--\r\n",
                h);
  };
  EXPECT_EQ(FieldOf(upload("nfp.uz", "report.pdf", "MZ not a pdf")), "file");
  EXPECT_EQ(FieldOf(upload("nfp.uz", "run.exe", "MZ")), "file");
  EXPECT_EQ(FieldOf(upload("nfp.uz", "../report.pdf", "%PDF-1.4")), "file");
  EXPECT_EQ(FieldOf(upload("nfp.uz", "empty.txt", "")), "file");
  EXPECT_EQ(upload("team.uz", "report.pdf", "%PDF-1.4 x").status, 403);
  EXPECT_EQ(upload("nfp.ge", "report.pdf", "%PDF-1.4 x").status, 404);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/activities/" + activity + "/documents")).size(), 0u);
  auto ok = upload("nfp.uz", "agenda.pdf", "%PDF-1.4 agenda");
  ASSERT_EQ(ok.status, 201) << ok.body;
  std::string doc = Json(ok)["id"];
  auto down = As("team.uz", "GET", "/api/v1/activity-documents/" + doc);
  EXPECT_EQ(down.status, 200);
  EXPECT_EQ(down.body, "%PDF-1.4 agenda");
  EXPECT_EQ(down.headers["content-type"], "application/pdf");
  // Another country sees neither the list nor the file, until the activity is shared.
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/activity-documents/" + doc).status, 404);
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/activity-documents/" + doc).status, 404);
  ASSERT_EQ(
      As("nfp.uz", "PATCH", "/api/v1/activities/" + activity, R"({"sharing":"region"})").status,
      200);
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/activity-documents/" + doc).status, 200);
  EXPECT_NE(As("secretariat.ca", "GET", "/activities/" + activity).body.find("agenda.pdf"),
            std::string::npos);
  EXPECT_EQ(Json(Get("/api/v1/audit?entity_id=" + doc + "&action=attach"))["items"].size(), 1u);
  // Larger than 10 MiB: refused before anything is read into the database (the service's own
  // check; the server's body limit would stop it earlier still).
  records::Caller nfp{access::Principal::System("test"), ""};
  assessment::Service assessments(*store_);
  plans::Service plans(*store_, assessments);
  meetings::Service service(*store_, assessments, plans);
  auto big = service.AddDocument(nfp, activity, "big.pdf", "%PDF" + std::string(10u << 20, 'x'));
  EXPECT_EQ(big.status().field(), "file");
  EXPECT_NE(big.status().message().find("10 MiB"), std::string::npos);
  EXPECT_EQ(Json(As("nfp.uz", "GET", "/api/v1/activities/" + activity + "/documents")).size(), 1u);
}

TEST_P(MeetingsApiTest, CalendarExportsICalendarAndHidesUnsharedActivities) {
  Create("nfp.uz", "activities",
         {{"country", "UZ"},
          {"title", "Private national workshop"},
          {"type", "workshop"},
          {"start_date", "2026-09-01"},
          {"end_date", "2026-09-02"}});
  Create("nfp.uz", "activities",
         {{"country", "UZ"},
          {"title", "Shared study visit; with commas, and a very long title that needs folding ok"},
          {"type", "study_visit"},
          {"start_date", "2026-10-30"},
          {"end_date", "2026-10-31"},
          {"city", "Ташкент"},
          {"place_country", "UZ"},
          {"sharing", "region"}});
  Create("secretariat.ca", "round_tables",
         {{"region", "CA"}, {"title", "Autumn round table"}, {"meeting_date", "2026-11-05"}});
  auto ics = As("secretariat.ca", "GET", "/api/v1/regions/CA/calendar.ics");
  ASSERT_EQ(ics.status, 200);
  EXPECT_EQ(ics.headers["content-type"].rfind("text/calendar", 0), 0u);
  EXPECT_EQ(ics.body.rfind("BEGIN:VCALENDAR\r\n", 0), 0u);
  EXPECT_NE(ics.body.find("DTSTART;VALUE=DATE:20261030\r\nDTEND;VALUE=DATE:20261101\r\n"),
            std::string::npos)
      << ics.body;
  EXPECT_NE(ics.body.find("SUMMARY:Shared study visit\\; with commas\\, and"), std::string::npos);
  EXPECT_NE(ics.body.find("SUMMARY:Autumn round table"), std::string::npos);
  EXPECT_EQ(ics.body.find("Private national workshop"), std::string::npos);
  for (size_t pos = 0, end; (end = ics.body.find("\r\n", pos)) != std::string::npos;
       pos = end + 2) {
    EXPECT_LE(end - pos, 75u) << ics.body.substr(pos, end - pos);
  }
  EXPECT_NE(As("nfp.uz", "GET", "/api/v1/countries/UZ/calendar.ics")
                .body.find("Private national workshop"),
            std::string::npos);
  EXPECT_EQ(As("nfp.uz", "GET", "/api/v1/regions/XX/calendar.ics").status, 404);
  // A calendar program subscribes with the feed's address alone: the API token in ?token=,
  // accepted on the iCalendar feeds only.
  auto token = As("nfp.uz", "POST", "/api/v1/tokens", R"({"name":"calendar","days":30})");
  ASSERT_EQ(token.status, 201) << token.body;
  std::string secret = Json(token)["token"];
  auto feed = Call("GET", "/api/v1/countries/UZ/calendar.ics?token=" + secret, "", {{"Anonymous", "1"}});
  EXPECT_EQ(feed.status, 200) << feed.body;
  EXPECT_NE(feed.body.find("Private national workshop"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ/calendar.ics?token=not-a-token", "", {{"Anonymous", "1"}}).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/countries/UZ?token=" + secret, "", {{"Anonymous", "1"}}).status, 401)
      << "a token in the address is taken by the calendar feeds only";
  json cal =
      Json(As("secretariat.ca", "GET", "/api/v1/calendar?region=CA&from=2026-10-01&to=2026-10-31"));
  ASSERT_EQ(cal["items"].size(), 1u) << cal.dump();
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/calendar?region=CA&from=31.10.2026").status, 400);
  // Every new kind has its form, with translated labels.
  for (const char* kind : {"activities", "exercise_injects", "exercise_evaluations", "lessons", "round_tables",
                           "agenda_items", "follow_ups"}) {
    auto form = As("secretariat.ca", "GET", std::string("/forms/") + kind + "?lang=ru");
    EXPECT_EQ(form.status, 200) << kind;
    EXPECT_EQ(form.body.find("field."), std::string::npos) << kind;
    EXPECT_EQ(form.body.find("choice."), std::string::npos) << kind;
  }
  auto page = As("secretariat.ca", "GET", "/calendar?region=CA&month=2026-10");
  EXPECT_NE(page.body.find("Shared study visit"), std::string::npos);
}

TEST(ICalendar, FoldsAt75OctetsWithoutSplittingCharactersAndEscapesText) {
  std::string title;
  for (int i = 0; i < 40; ++i) title += "Учения; ";
  std::vector<meetings::Event> events = {{"id-1", "activity", "training", title, "2026-12-31",
                                          "2026-12-31", "Алматы, KZ", "cancelled",
                                          "2026-11-01T10:00:00.000Z"}};
  std::string ics = meetings::ICalendar(events, "CA", "2026-11-30T06:00:00.000Z");
  EXPECT_NE(ics.find("DTEND;VALUE=DATE:20270101\r\n"), std::string::npos);
  EXPECT_NE(ics.find("STATUS:CANCELLED\r\n"), std::string::npos);
  EXPECT_NE(ics.find("LOCATION:Алматы\\, KZ\r\n"), std::string::npos);
  std::string unfolded;
  for (size_t pos = 0, end; (end = ics.find("\r\n", pos)) != std::string::npos; pos = end + 2) {
    std::string line = ics.substr(pos, end - pos);
    EXPECT_LE(line.size(), 75u);
    // A continuation never starts inside a UTF-8 sequence.
    if (line[0] == ' ') EXPECT_NE(static_cast<unsigned char>(line[1]) & 0xc0, 0x80);
    unfolded += line[0] == ' ' ? line.substr(1) : "\n" + line;
  }
  EXPECT_NE(unfolded.find("SUMMARY:Учения\\; Учения\\;"), std::string::npos);
  EXPECT_EQ(meetings::ICalEscape("a\\b;c,d\ne\x01"), "a\\\\b\\;c\\,d\\ne");
}

// pdftotext / pdfinfo output for a PDF, or "" when poppler-utils is not installed.
std::string Poppler(const std::string& tool, const std::string& pdf_bytes) {
  std::string path = TempDir() + "/brief-" + std::to_string(::getpid()) + ".pdf";
  std::ofstream(path, std::ios::binary) << pdf_bytes;
  std::string cmd = tool + " " + path + (tool.rfind("pdftotext", 0) == 0 ? " -" : "") + " 2>/dev/null";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  std::remove(path.c_str());
  return out;
}

TEST_P(MeetingsApiTest, TheBriefOfTheDemoRegionAsJsonHtmlAndPdf) {
  SeedDemo();
  if (HasFatalFailure()) return;
  // A GE lesson and a UZ private activity never reach the CA brief.
  Create("nfp.uz", "activities",
         {{"country", "UZ"},
          {"title", "Unshared national drill"},
          {"type", "field_exercise"},
          {"start_date", "2026-11-01"},
          {"end_date", "2026-11-02"}});
  auto r = As("secretariat.ca", "GET", "/api/v1/regions/CA/brief?date=2026-12-10");
  ASSERT_EQ(r.status, 200) << r.body;
  json brief = Json(r);
  EXPECT_EQ(brief["round_table"]["title"], "Demo: 2nd round table of Central Asia");
  EXPECT_EQ(brief["previous_round_table"]["meeting_date"], "2026-06-30");
  ASSERT_EQ(brief["follow_ups"].size(), 1u);
  EXPECT_EQ(brief["follow_ups"][0]["title"], "Demo: share the updated national action plan");
  std::set<std::string> countries;
  for (const auto& c : brief["countries"]) countries.insert(c["country"]);
  EXPECT_TRUE(countries.count("UZ") && countries.count("KZ"));
  bool uz_plan = false;
  for (const auto& p : brief["plans"])
    uz_plan = uz_plan || (p["country"] == "UZ" && !p["plan"].is_null());
  EXPECT_TRUE(uz_plan);
  EXPECT_GE(brief["assessments"].size(), 1u);
  EXPECT_GE(brief["activities_since"].size(), 2u);
  EXPECT_EQ(brief["activities_coming"].size(), 1u);
  EXPECT_EQ(r.body.find("Unshared national drill"), std::string::npos);
  EXPECT_EQ(brief["lessons"].size(), 2u) << brief["lessons"].dump();
  // Not the region's: as if there were no such region.
  for (const char* user : {"nfp.ge", "secretariat.seee", "observer"}) {
    EXPECT_EQ(As(user, "GET", "/api/v1/regions/CA/brief?date=2026-12-10").status, 404) << user;
    EXPECT_EQ(As(user, "GET", "/regions/CA/brief.pdf?date=2026-12-10").status, 404) << user;
  }
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/regions/CA/brief?date=10.12.2026").status, 400);
  EXPECT_EQ(
      As("secretariat.ca", "GET", "/api/v1/regions/CA/brief?date=2026-12-10&format=doc").status,
      400);
  auto html = As("secretariat.ca", "GET", "/regions/CA/brief?date=2026-12-10");
  ASSERT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("@media print"), std::string::npos);
  // The page's security policy allows no inline style attribute: colours and bars come from
  // classes and SVG.
  EXPECT_EQ(html.body.find("style=\""), std::string::npos);
  EXPECT_NE(html.body.find("<svg"), std::string::npos);
  EXPECT_EQ(As("secretariat.ca", "GET", "/static/brief.css").status, 200);
  EXPECT_NE(html.body.find("Status of the needs assessments"), std::string::npos);
  EXPECT_NE(html.body.find("Uzbekistan"), std::string::npos);
  // The region's map, each member country linked to its page.
  EXPECT_NE(html.body.find("<figure class=\"map\">"), std::string::npos);
  EXPECT_NE(html.body.find("href=\"/countries/KZ\""), std::string::npos);
  auto pdf = As("secretariat.ca", "GET", "/regions/CA/brief.pdf?date=2026-12-10");
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.headers["content-type"], "application/pdf");
  ASSERT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  std::string text = Poppler("pdftotext", pdf.body);
  if (text.empty()) GTEST_SKIP() << "poppler-utils not installed: PDF text not checked";
  for (const char* heading :
       {"Round table brief", "Contents", "Status of the needs assessments", "Action-plan progress",
        "Project pipeline", "Open follow-up items", "Lessons learnt since the last meeting",
        "Demo: share the updated", "Uzbekistan", "Page 2 /"}) {
    EXPECT_NE(text.find(heading), std::string::npos) << heading;
  }
  EXPECT_NE(text.find("\u20ac"),
            std::string::npos);  // the UZ plan's budget, as ICU writes euros in English
  std::string info = Poppler("pdfinfo", pdf.body);
  auto pages = info.find("Pages:");
  ASSERT_NE(pages, std::string::npos);
  const int page_count = std::stoi(info.substr(pages + 6));
  EXPECT_GE(page_count, 7);  // contents + 7 sections, each from a new page
  // The region's map is in the PDF too: its title and legend, and countries filled in the score
  // bands' colours (ColorBrewer YlGnBu, as on the pages), found in the rendered pages' pixels.
  EXPECT_NE(text.find("Map of the region: overall score"), std::string::npos);
  EXPECT_NE(text.find("not shared"), std::string::npos);  // the legend (its words may wrap)
  const unsigned char kBands[][3] = {{0xff, 0xff, 0xcc},
                                     {0xc7, 0xe9, 0xb4},
                                     {0x7f, 0xcd, 0xbb},
                                     {0x41, 0xb6, 0xc4},
                                     {0x22, 0x5e, 0xa8}};
  int band_pixels = 0;
  for (int page = 2; page <= page_count && page <= 5; ++page) {
    std::string ppm = Poppler(
        "pdftoppm -r 30 -f " + std::to_string(page) + " -l " + std::to_string(page), pdf.body);
    // P6 header: magic, width, height, maximum, each followed by one whitespace byte.
    size_t at = 0;
    for (int field = 0; field < 4 && at != std::string::npos; ++field)
      at = ppm.find_first_of(" \n", ppm.find_first_not_of(" \n", at));
    if (at == std::string::npos) continue;
    for (size_t i = at + 1; i + 2 < ppm.size(); i += 3) {
      // Within 2 of each channel: the colour goes through the PDF as fractions of 1.
      auto near = [&](size_t at, unsigned char want) {
        return std::abs(static_cast<int>(static_cast<unsigned char>(ppm[at])) - want) <= 2;
      };
      for (const auto& band : kBands) {
        if (near(i, band[0]) && near(i + 1, band[1]) && near(i + 2, band[2])) ++band_pixels;
      }
    }
  }
  EXPECT_GT(band_pixels, 150) << "no country filled in a score band's colour";
  std::string ru =
      Poppler("pdftotext",
              As("secretariat.ca", "GET", "/regions/CA/brief.pdf?date=2026-12-10&lang=ru").body);
  for (const char* heading :
       {"Справка к круглому столу", "Содержание", "Состояние оценок потребностей", "Узбекистан",
        "Демо: обмен", "Страница 2 /"}) {
    EXPECT_NE(ru.find(heading), std::string::npos) << heading;
  }
  // The Arabic brief reads from the right: the words of its title page sit on the page's right
  // half, the English one's on the left; every line starts at its margin.
  auto middle = [&](const std::string& lang) {
    std::string words = Poppler("pdftotext -bbox -f 1 -l 1",
                                As("secretariat.ca", "GET", "/regions/CA/brief.pdf?date=2026-12-10&lang=" + lang).body);
    double sum = 0, right = 0;
    int n = 0;
    for (size_t at = words.find("<word xMin=\""); at != std::string::npos; at = words.find("<word xMin=\"", at + 1)) {
      double x_min = 0, y_min = 0, x_max = 0;
      if (std::sscanf(words.c_str() + at, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\"", &x_min, &y_min, &x_max) != 3) continue;
      sum += (x_min + x_max) / 2;
      right = std::max(right, x_max);
      ++n;
    }
    return std::make_pair(n ? sum / n : 0.0, right);
  };
  auto [ar_middle, ar_right] = middle("ar");
  auto [en_middle, en_right] = middle("en");
  EXPECT_GT(ar_middle, 595.28 / 2);
  EXPECT_LT(en_middle, 595.28 / 2);
  EXPECT_NEAR(ar_right, 595.28 - 42, 3);
}

INSTANTIATE_BACKENDS(MeetingsApiTest);

}  // namespace
}  // namespace cbrnhub::testing
