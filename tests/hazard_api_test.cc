// Hazard planning estimates through the JSON API and the page, on both backends: a release in,
// GeoJSON / SVG / CSV out with the planning notice; bad releases refused naming their field;
// signed-out callers refused; the page in all four languages.
#include <gtest/gtest.h>

#include <memory>

#include "hazard/hazard.h"
#include "server_fixture.h"

namespace cbrnhub::testing {
namespace {

class HazardApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* u : {"nfp.uz", "nfp.ge", "team.uz", "secretariat.ca"}) {
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
  // Why, in the reader's language.
  for (const std::string lang : {"en", "fr", "ru", "ar"}) {
    auto why = Get("/hazard?substance=ammonia&rate_kg_s=5&duration_s=900&lat=41.3&lon=69.2&wind_speed_m_s=60&"
                   "class=D&lang=" + lang);
    std::string reason = catalogs_.Translate(lang, "hazard.invalid.wind_max");
    EXPECT_NE(why.body.find(reason.substr(0, reason.find('/') - 4)), std::string::npos) << lang << ": " << reason;
  }
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

class HazardPlacesTest : public HazardApiTest {
 protected:
  std::string Exercise(const std::string& sharing = "private") {
    auto r = As("nfp.uz", "POST", "/api/v1/activities",
                json{{"country", "UZ"},
                     {"title", "Chlorine at the Tashkent rail yard"},
                     {"type", "field_exercise"},
                     {"start_date", "2026-11-20"},
                     {"end_date", "2026-11-21"},
                     {"sharing", sharing}}
                    .dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r).value("id", "");
  }
  std::string Scenario(const std::string& activity) {
    auto r =
        As("nfp.uz", "POST", "/api/v1/hazard_scenarios",
           json{{"activity_id", activity}, {"title", "Tank car leak"}, {"release_json", kChlorine}}
               .dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r).value("id", "");
  }
  HttpResponse ImportCsv(const std::string& user, const std::string& activity,
                         const std::string& csv) {
    auto h = as_[user];
    h["Content-Type"] = "text/csv";
    return Call("POST", "/api/v1/activities/" + activity + "/places", csv, h);
  }
  size_t PlaceCount(const std::string& activity) {
    return Json(As("nfp.uz", "GET", "/api/v1/exercise_places?activity_id=" + activity))["items"]
        .size();
  }
};

// The release of kChlorine is at 41.31 N 69.28 E with the wind from the west: the cloud goes
// east. 0.0072 degrees of longitude there is about 600 m.
const char* kPlacesCsv =
    "name,kind,lat,lon\n"
    "School No. 110,school,41.31,69.2872\n"
    "\"Hospital \"\"Shifo\"\", east wing\",hospital,41.31,69.40\n"
    "Upwind kindergarten,kindergarten,41.31,69.2728\n"
    "Border post Gisht-Kuprik,border_post,41.00,69.35\n";

TEST_P(HazardPlacesTest, PlacesFromCsvAreListedPerZoneWithDistanceAndArrival) {
  std::string activity = Exercise();
  std::string scenario = Scenario(activity);
  auto r = ImportCsv("nfp.uz", activity, kPlacesCsv);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r)["created"], 4);
  EXPECT_EQ(PlaceCount(activity), 4u);
  // The footprint's GeoJSON places each one: the school 600 m downwind is red, reached after
  // 200 s at 3 m/s; the kindergarten upwind is outside and never reached.
  auto geo = As("nfp.uz", "GET", "/api/v1/hazard_scenarios/" + scenario + "/footprint.geojson");
  ASSERT_EQ(geo.status, 200) << geo.body;
  std::map<std::string, json> places;
  json doc = Json(geo);  // named: a loop over a temporary's member would read freed memory
  for (const auto& f : doc["features"])
    if (f["properties"]["kind"] == "place") places[f["properties"]["name"]] = f["properties"];
  ASSERT_EQ(places.size(), 4u);
  EXPECT_EQ(places["School No. 110"]["level"], 3);
  EXPECT_NEAR(places["School No. 110"]["distance_m"].get<double>(), 601, 3);
  EXPECT_NEAR(places["School No. 110"]["arrival_s"].get<double>(), 200, 1);
  EXPECT_EQ(places["Upwind kindergarten"]["level"], 0);
  EXPECT_TRUE(places["Upwind kindergarten"]["arrival_s"].is_null());
  EXPECT_EQ(places["Border post Gisht-Kuprik"]["level"], 0);
  EXPECT_GE(places["Hospital \"Shifo\", east wing"]["level"], 1);
  // The exercise's page lists them under the scenario by zone, kinds by their label, in Russian.
  auto page = As("nfp.uz", "GET", "/activities/" + activity + "?lang=ru");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("class=\"place-zone-3\"><td>Красная зона</td><td>School No. 110</td>"
                           "<td>школа</td><td><bdi>601 м</bdi></td><td><bdi>3 мин</bdi></td>"),
            std::string::npos)
      << page.body.substr(page.body.find("hazard-places"), 1500);
  EXPECT_NE(page.body.find("<td>Вне зон</td><td>Upwind kindergarten</td><td>детский сад</td>"),
            std::string::npos);
  EXPECT_NE(page.body.find("id=\"place-list\""), std::string::npos);
  EXPECT_EQ(page.body.find("choice."), std::string::npos) << "an untranslated place kind";
  // The scenario's probability map, linked from its section: bands and the places' marks.
  EXPECT_NE(page.body.find("/hazard_scenarios/" + scenario + "/map.svg?members=500"),
            std::string::npos);
  auto bands = As("nfp.uz", "GET", "/hazard_scenarios/" + scenario + "/map.svg?members=100");
  ASSERT_EQ(bands.status, 200);
  EXPECT_NE(bands.body.find("class=\"probability-"), std::string::npos);
  EXPECT_NE(bands.body.find("class=\"place\""), std::string::npos);
  // One place entered through the generic record API; coordinates checked.
  json one = {{"activity_id", activity},
              {"name", "Fire station 3"},
              {"place_kind", "fire_station"},
              {"latitude", "41.3"},
              {"longitude", "69.29"}};
  EXPECT_EQ(As("nfp.uz", "POST", "/api/v1/exercise_places", one.dump()).status, 201);
  one["latitude"] = "91";
  auto bad = As("nfp.uz", "POST", "/api/v1/exercise_places", one.dump());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json(bad)["field"], "latitude");
  one["latitude"] = "nan";
  EXPECT_EQ(Json(As("nfp.uz", "POST", "/api/v1/exercise_places", one.dump()))["field"], "latitude");
  EXPECT_EQ(PlaceCount(activity), 5u);
}

TEST_P(HazardPlacesTest, ABadRowNamesItsLineAndFieldAndNothingIsWritten) {
  std::string activity = Exercise();
  auto refused = [&](const std::string& csv) {
    auto r = ImportCsv("nfp.uz", activity, csv);
    EXPECT_EQ(r.status, 400) << r.body;
    return std::pair<std::string, std::string>{Json(r).value("field", ""),
                                               Json(r).value("message", "")};
  };
  auto [field, message] =
      refused("name,kind,lat,lon\nSchool,school,41.3,69.2\nClinic,hospital,95,69.2\n");
  EXPECT_EQ(field, "lat");
  EXPECT_EQ(message.substr(0, 21), "places.csv:3: lat: la") << message;
  std::tie(field, message) =
      refused("name,kind,lat,lon\nSchool,school,41.3,69.2\nDepot,warehouse,41.3,69.2\n");
  EXPECT_EQ(field, "kind");
  EXPECT_NE(message.find("places.csv:3: kind:"), std::string::npos) << message;
  std::tie(field, message) = refused("name,kind,lat,lon\n,school,41.3,69.2\n");
  EXPECT_EQ(field, "name");
  EXPECT_NE(message.find("places.csv:2: name:"), std::string::npos) << message;
  std::tie(field, message) = refused("name,kind,latitude,lon\nSchool,school,41.3,69.2\n");
  EXPECT_EQ(field, "file");
  EXPECT_NE(message.find("no column 'lat'"), std::string::npos) << message;
  std::tie(field, message) = refused("name,kind,lat,lon\nSchool,school,41.3\n");
  EXPECT_EQ(field, "file");
  EXPECT_NE(message.find("places.csv:2"), std::string::npos) << message;
  EXPECT_EQ(refused("name,kind,lat,lon\n").first, "file");
  EXPECT_EQ(refused("").first, "file");
  EXPECT_EQ(PlaceCount(activity), 0u) << "a refused file writes nothing";
  // The page's form shows the error on the exercise's page and writes nothing either.
  const std::string boundary = "pl4ceb0undary";
  auto h = as_["nfp.uz"];
  h["Content-Type"] = "multipart/form-data; boundary=" + boundary;
  auto form = [&](const std::string& csv) {
    return Call("POST", "/activities/" + activity + "/places",
                "--" + boundary +
                    "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"places.csv\""
                    "\r\nContent-Type: text/csv\r\n\r\n" +
                    csv + "\r\n--" + boundary + "--\r\n",
                h);
  };
  auto back = form("name,kind,lat,lon\nSchool,school,41.3,190\n");
  ASSERT_EQ(back.status, 303) << back.body;
  EXPECT_NE(back.headers["location"].find("error="), std::string::npos);
  EXPECT_EQ(PlaceCount(activity), 0u);
  auto ok = form("name,kind,lat,lon\nSchool,school,41.3,69.3\n");
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(ok.headers["location"], "/activities/" + activity + "#places");
  EXPECT_EQ(PlaceCount(activity), 1u);
}

TEST_P(HazardPlacesTest, PlacesShareTheExercisesOwnerAndSharing) {
  std::string activity = Exercise();
  ASSERT_EQ(ImportCsv("nfp.uz", activity, kPlacesCsv).status, 201);
  // Another country sees neither the places nor the exercise, and cannot add to it.
  EXPECT_EQ(
      Json(As("nfp.ge", "GET", "/api/v1/exercise_places?activity_id=" + activity))["items"].size(),
      0u);
  EXPECT_EQ(Json(As("nfp.ge", "GET", "/api/v1/exercise_places"))["total"], 0);
  EXPECT_EQ(ImportCsv("nfp.ge", activity, kPlacesCsv).status, 404);
  EXPECT_EQ(ImportCsv("team.uz", activity, kPlacesCsv).status, 403);
  // Sharing the exercise with the region shares its places with the secretariat.
  ASSERT_EQ(
      As("nfp.uz", "PATCH", "/api/v1/activities/" + activity, R"({"sharing":"region"})").status,
      200);
  EXPECT_EQ(
      Json(As("secretariat.ca", "GET", "/api/v1/exercise_places?activity_id=" + activity))["items"]
          .size(),
      4u);
  EXPECT_EQ(Json(As("nfp.ge", "GET", "/api/v1/exercise_places"))["total"], 0);
}

TEST_P(HazardPlacesTest, TheBriefShowsTheFootprintOfAnExerciseInIt) {
  std::string shared = Exercise("region"), hidden = Exercise("private");
  Scenario(shared);
  ASSERT_EQ(ImportCsv("nfp.uz", shared, kPlacesCsv).status, 201);
  Scenario(hidden);
  auto r = As("secretariat.ca", "GET", "/api/v1/regions/CA/brief?date=2026-12-10");
  ASSERT_EQ(r.status, 200) << r.body;
  json brief = Json(r);
  ASSERT_EQ(brief["hazard_scenarios"].size(), 1u) << "the private exercise's scenario stays out";
  EXPECT_EQ(brief["hazard_scenarios"][0]["title"], "Tank car leak");
  EXPECT_EQ(brief["hazard_scenarios"][0]["places"].size(), 4u);
  auto html = As("secretariat.ca", "GET", "/regions/CA/brief?date=2026-12-10&lang=fr");
  ASSERT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("Scénarios de danger des exercices"), std::string::npos);
  EXPECT_NE(html.body.find("Tank car leak"), std::string::npos);
  EXPECT_NE(html.body.find("class=\"zone-3\""), std::string::npos) << "the map";
  EXPECT_NE(html.body.find("School No. 110 (3"), std::string::npos) << "a place in its zone";
  EXPECT_NE(html.body.find("Gaz lourd"), std::string::npos) << "chlorine is dense";
  auto pdf = As("secretariat.ca", "GET", "/regions/CA/brief.pdf?date=2026-12-10");
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
}

TEST_P(HazardApiTest, DenseReleasesAreFlaggedOnThePageMapAndApi) {
  auto geo = Call("POST", "/api/v1/hazard/footprint", kChlorine);
  EXPECT_EQ(Json(geo)["properties"]["dense_gas"]["dense"], true);
  EXPECT_GT(Json(geo)["properties"]["dense_gas"]["criterion"].get<double>(), 0.15);
  auto svg = Call("POST", "/api/v1/hazard/footprint?format=svg&lang=fr", kChlorine);
  EXPECT_NE(svg.body.find("class=\"dense-gas\""), std::string::npos);
  auto page =
      Get("/hazard?substance=chlorine&kind=continuous&rate_kg_s=10&duration_s=600&lat=41.3&lon=69.2"
          "&wind_speed_m_s=3&wind_from_deg=270&class=D&lang=ar");
  EXPECT_NE(page.body.find("إطلاق أثقل من الهواء"), std::string::npos);
  // Ammonia vapour is lighter than air: no warning.
  auto light =
      Get("/hazard?substance=ammonia&kind=continuous&rate_kg_s=5&duration_s=900&lat=41.3&lon=69.2"
          "&wind_speed_m_s=2&wind_from_deg=90&class=E");
  EXPECT_EQ(light.body.find("dense-gas"), std::string::npos);
}

TEST_P(HazardApiTest, TheEnsembleProbabilityIsDrawnInBandsAndGivenAsGeoJson) {
  std::string query =
      "substance=chlorine&kind=continuous&rate_kg_s=10&duration_s=600&lat=41.3&lon=69.2"
      "&wind_speed_m_s=3&wind_from_deg=270&class=D&members=200&level=2";
  auto page = Get("/hazard?" + query + "&lang=ru");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("class=\"probability-"), std::string::npos);
  EXPECT_NE(page.body.find("Оранжевая зона: вероятность превышения её порога по 200 возмущённым"),
            std::string::npos);
  auto geo = Get("/hazard/footprint.geojson?" + query);
  ASSERT_EQ(geo.status, 200);
  int bands = 0;
  json doc = Json(geo);  // named: a loop over a temporary's member would read freed memory
  for (const auto& f : doc["features"])
    if (f["properties"]["kind"] == "probability") {
      ++bands;
      EXPECT_EQ(f["properties"]["level"], 2);
      EXPECT_EQ(f["properties"]["members"], 200);
    }
  EXPECT_GE(bands, 2);
  auto api = Call("POST", "/api/v1/hazard/footprint?members=50&level=3", kChlorine);
  ASSERT_EQ(api.status, 200);
  EXPECT_NE(api.body.find("\"probability\""), std::string::npos);
  // More members than a request may ask for, or a level that is not a zone: refused, named.
  auto many = Call("POST", "/api/v1/hazard/footprint?members=1001", kChlorine);
  EXPECT_EQ(many.status, 400);
  EXPECT_EQ(Json(many)["field"], "members");
  EXPECT_EQ(Json(Call("POST", "/api/v1/hazard/footprint?members=10&level=4", kChlorine))["field"],
            "level");
  auto bad = Get("/hazard?" + query.substr(0, query.find("&members")) + "&members=-5");
  EXPECT_NE(bad.body.find("id=\"hazard-error\""), std::string::npos);
  EXPECT_NE(bad.body.find("Ensemble members"), std::string::npos);
}

// A population grid loaded at start-up: people per zone on the page and in the GeoJSON.
class HazardPopulationTest : public HazardPlacesTest {
 protected:
  WebOptions WebSettings() override {
    // 0.002-degree cells around 41.31 N 69.28 E: 100 people in each, NODATA far north-west.
    std::string text =
        "ncols 300\nnrows 300\nxllcorner 68.98\nyllcorner 41.01\n"
        "cellsize 0.002\nNODATA_value -9999\n";
    for (int row = 0; row < 300; ++row) {
      for (int column = 0; column < 300; ++column) text += row == 0 ? "-9999 " : "100 ";
      text += "\n";
    }
    auto grid = hazard::ParsePopulationGrid(text);
    EXPECT_TRUE(grid.ok()) << grid.status().ToString();
    WebOptions options;
    options.population = std::make_shared<const hazard::PopulationGrid>(std::move(grid).value());
    return options;
  }
};

TEST_P(HazardPopulationTest, PeoplePerZoneComeFromTheLoadedGrid) {
  auto geo = Call("POST", "/api/v1/hazard/footprint", kChlorine);
  ASSERT_EQ(geo.status, 200);
  json population = Json(geo)["properties"]["population"];
  ASSERT_EQ(population["zones"].size(), 3u) << geo.body.substr(0, 400);
  EXPECT_EQ(population["zones"][0]["level"], 3);
  std::int64_t red = population["zones"][0]["people"];
  EXPECT_GT(red, 0);
  EXPECT_EQ(red % 100, 0) << "whole cells of 100 people";
  // Chlorine's yellow zone runs far beyond this 0.6-degree grid.
  EXPECT_EQ(population["complete"], false);
  auto page =
      Get("/hazard?substance=chlorine&kind=continuous&rate_kg_s=10&duration_s=600&lat=41.31"
          "&lon=69.28&wind_speed_m_s=3&wind_from_deg=270&class=D&lang=fr");
  EXPECT_NE(page.body.find("Personnes (grille de population)"), std::string::npos);
  EXPECT_NE(page.body.find("son décompte est un minimum"), std::string::npos);
  // The brief of an exercise's scenario counts them too.
  Scenario(Exercise("region"));
  auto brief = As("secretariat.ca", "GET", "/regions/CA/brief?date=2026-12-10&lang=fr");
  ASSERT_EQ(brief.status, 200);
  EXPECT_NE(brief.body.find("Personnes (grille de population)"), std::string::npos);
}

INSTANTIATE_BACKENDS(HazardApiTest);
INSTANTIATE_BACKENDS(HazardPlacesTest);
INSTANTIATE_BACKENDS(HazardPopulationTest);

}  // namespace
}  // namespace cbrnhub::testing
