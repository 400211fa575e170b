// Hazard planning estimates through the JSON API and the page, on both backends: a release in,
// GeoJSON / SVG / CSV out with the planning notice; bad releases refused naming their field;
// signed-out callers refused; the page in all four languages.
#include <gtest/gtest.h>

#include "server_fixture.h"

namespace cbrnhub::testing {
namespace {

class HazardApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* u : {"nfp.uz", "nfp.ge"}) {
      auto [cookie, csrf] = SignIn(u);
      as_[u] = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
    }
  }
  HttpResponse As(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return Call(method, target, body, as_[user]);
  }
  std::map<std::string, std::map<std::string, std::string>> as_;
};

const char* kChlorine = R"({"substance": "chlorine",
  "source": {"kind": "continuous", "rate_kg_s": 10, "duration_s": 600},
  "location": {"lat": 41.31, "lon": 69.28},
  "met": {"wind_speed_m_s": 3, "wind_from_deg": 270, "class": "D"}})";

TEST_P(HazardApiTest, ReleaseGivesGeoJsonZonesWithThePlanningNotice) {
  auto r = Call("POST", "/api/v1/hazard/footprint", kChlorine);
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = Json(r);
  EXPECT_EQ(doc["type"], "FeatureCollection");
  EXPECT_EQ(doc["properties"]["planning_estimate"], true);
  int zones = 0;
  for (const auto& f : doc["features"]) zones += f["properties"]["kind"] == "zone";
  EXPECT_EQ(zones, 3);
  auto svg = Call("POST", "/api/v1/hazard/footprint?format=svg&lang=ru", kChlorine);
  ASSERT_EQ(svg.status, 200);
  EXPECT_NE(svg.body.find("<svg"), std::string::npos);
  EXPECT_NE(svg.body.find("Оценка для планирования, а не указание для реагирования"),
            std::string::npos);
  EXPECT_NE(svg.body.find("Хлор"), std::string::npos);
  auto csv = Call("POST", "/api/v1/hazard/footprint?format=csv", kChlorine);
  EXPECT_EQ(csv.body.substr(0, 6), "level,");
}

TEST_P(HazardApiTest, BadReleasesAreRefusedNamingTheField) {
  auto field_of = [&](const std::string& body) {
    auto r = Call("POST", "/api/v1/hazard/footprint", body);
    EXPECT_EQ(r.status, 400) << r.body;
    return Json(r).value("field", "?");
  };
  std::string good = kChlorine;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_EQ(field_of(replace("\"wind_speed_m_s\": 3", "\"wind_speed_m_s\": 0")),
            "met.wind_speed_m_s");
  EXPECT_EQ(field_of(replace("\"wind_speed_m_s\": 3", "\"wind_speed_m_s\": -1")),
            "met.wind_speed_m_s");
  EXPECT_EQ(field_of(replace("chlorine", "mustard")), "substance");
  EXPECT_EQ(field_of(replace("\"lat\": 41.31", "\"lat\": 91")), "latitude");
  EXPECT_EQ(field_of(replace("\"lon\": 69.28", "\"lon\": 181")), "longitude");
  EXPECT_EQ(field_of(replace("\"duration_s\": 600", "\"duration_s\": 0")), "release.duration_s");
  EXPECT_EQ(field_of(replace("\"class\": \"D\"}", "\"class\": \"D\"}, \"averaging_time_s\": 0")),
            "averaging_time_s");
  EXPECT_EQ(Call("POST", "/api/v1/hazard/footprint", "{not json").status, 400);
  auto r = Call("POST", "/api/v1/hazard/footprint?format=pdf", kChlorine);
  EXPECT_EQ(r.status, 400);
}

TEST_P(HazardApiTest, SignedOutCallersAreRefused) {
  auto r = Call("POST", "/api/v1/hazard/footprint", kChlorine, {{"Anonymous", "1"}});
  EXPECT_EQ(r.status, 401);
}

TEST_P(HazardApiTest, PageDrawsTheMapInEachLanguageAndNamesABadField) {
  std::string query =
      "/hazard?substance=ammonia&kind=continuous&rate_kg_s=5&duration_s=900&lat=41.3&lon=69.2"
      "&wind_speed_m_s=2&wind_from_deg=90&class=E&terrain=urban&exposure_min=30";
  for (const auto& [lang, notice] : std::map<std::string, std::string>{
           {"en", "Planning estimate, not response advice"},
           {"fr", "Estimation pour la planification, pas une consigne d’intervention"},
           {"ru", "Оценка для планирования, а не указание для реагирования"},
           {"ar", "تقدير لأغراض التخطيط، وليس توجيهًا للاستجابة"}}) {
    auto r = Get(query + "&lang=" + lang);
    ASSERT_EQ(r.status, 200) << lang;
    EXPECT_NE(r.body.find("id=\"hazard-map\""), std::string::npos) << lang;
    EXPECT_NE(r.body.find("class=\"zone-3\""), std::string::npos) << lang;
    EXPECT_NE(r.body.find(notice), std::string::npos) << lang;
    EXPECT_EQ(r.body.find("hazard."), std::string::npos) << lang << ": an untranslated key";
  }
  auto bad =
      Get("/hazard?substance=ammonia&rate_kg_s=5&duration_s=900&lat=41.3&lon=69.2&wind_speed_m_s=0&"
          "class=D");
  ASSERT_EQ(bad.status, 200);
  EXPECT_NE(bad.body.find("id=\"hazard-error\""), std::string::npos);
  EXPECT_NE(bad.body.find("Wind speed at 10 m"), std::string::npos);
  auto geo =
      Get("/hazard/footprint.geojson?substance=ammonia&rate_kg_s=5&duration_s=900&lat=41.3&lon=69.2"
          "&wind_speed_m_s=2&wind_from_deg=90&class=E");
  ASSERT_EQ(geo.status, 200);
  EXPECT_EQ(Json(geo)["type"], "FeatureCollection");
}

TEST_P(HazardApiTest, ExerciseScenarioIsCheckedStoredTiedToAnInjectAndShownOnlyInItsScope) {
  auto exercise = As("nfp.uz", "POST", "/api/v1/activities",
                     json{{"country", "UZ"},
                          {"title", "Chlorine at the rail yard"},
                          {"type", "tabletop_exercise"},
                          {"start_date", "2026-05-04"},
                          {"end_date", "2026-05-05"}}
                         .dump());
  ASSERT_EQ(exercise.status, 201) << exercise.body;
  std::string activity = Json(exercise)["id"];
  auto inject = As(
      "nfp.uz", "POST", "/api/v1/exercise_injects",
      json{{"activity_id", activity}, {"at_time", "2026-05-04 14:00"}, {"message", "Tank leaking"}}
          .dump());
  ASSERT_EQ(inject.status, 201) << inject.body;
  json scenario = {{"activity_id", activity},
                   {"title", "Tank car leak"},
                   {"inject_id", Json(inject)["id"]},
                   {"release_json", kChlorine}};
  // A release the model refuses is refused naming it, and nothing is written.
  json calm = scenario;
  calm["release_json"] = std::string(kChlorine).replace(
      std::string(kChlorine).find("\"wind_speed_m_s\": 3"), 19, "\"wind_speed_m_s\": 0");
  auto refused = As("nfp.uz", "POST", "/api/v1/hazard_scenarios", calm.dump());
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(Json(refused)["field"], "release_json");
  EXPECT_NE(Json(refused).value("message", "").find("met.wind_speed_m_s"), std::string::npos)
      << refused.body;
  EXPECT_EQ(
      Json(As("nfp.uz", "GET", "/api/v1/hazard_scenarios?activity_id=" + activity))["items"].size(),
      0u);

  auto made = As("nfp.uz", "POST", "/api/v1/hazard_scenarios", scenario.dump());
  ASSERT_EQ(made.status, 201) << made.body;
  std::string id = Json(made)["id"];
  auto geo = As("nfp.uz", "GET", "/api/v1/hazard_scenarios/" + id + "/footprint.geojson");
  ASSERT_EQ(geo.status, 200) << geo.body;
  EXPECT_EQ(Json(geo)["properties"]["planning_estimate"], true);
  auto page = As("nfp.uz", "GET", "/activities/" + activity + "?lang=ar");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"hazard-" + id + "\""), std::string::npos);
  EXPECT_NE(page.body.find("class=\"zone-3\""), std::string::npos);
  EXPECT_NE(page.body.find("href=\"#hazard-" + id + "\""), std::string::npos)
      << "the inject links its scenario";
  EXPECT_NE(page.body.find("تقدير لأغراض التخطيط، وليس توجيهًا للاستجابة"), std::string::npos);
  // Another country's focal point does not see the private exercise's scenario at all.
  EXPECT_EQ(As("nfp.ge", "GET", "/api/v1/hazard_scenarios/" + id + "/footprint.geojson").status,
            404);
  EXPECT_EQ(As("nfp.ge", "GET", "/hazard_scenarios/" + id + "/map.svg").status, 404);
}

INSTANTIATE_BACKENDS(HazardApiTest);

}  // namespace
}  // namespace cbrnhub::testing
