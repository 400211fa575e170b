#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "assets/assets.h"
#include "http/server.h"
#include "http/templates.h"
#include "http/web.h"
#include "i18n/i18n.h"
#include "identity/identity.h"
#include "network/network.h"
#include "server_fixture.h"
#include "test_support.h"

namespace cbrnhub::http {
namespace {

using cbrnhub::testing::HttpRequest;
using cbrnhub::testing::HttpResponse;
using cbrnhub::testing::RawExchange;
using cbrnhub::testing::TestDatabase;
using nlohmann::json;

using HttpTest = cbrnhub::testing::ServerTest;

TEST_P(HttpTest, HomePageListsTheRegions) {
  auto r = Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.headers["content-type"].find("text/html"), std::string::npos);
  for (const char* code : {"AAF", "CA", "ECA", "GCC", "ME", "NAS", "SEA", "SEEE"}) {
    EXPECT_NE(r.body.find(std::string("href=\"/regions/") + code + "\""), std::string::npos) << code;
  }
  EXPECT_NE(r.body.find("id=\"stat-countries\">59<"), std::string::npos);
  // Security headers on every response.
  EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
  EXPECT_NE(r.headers["content-security-policy"].find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.headers["referrer-policy"], "same-origin");
}

TEST_P(HttpTest, PagesSpeakRussianWhenAsked) {
  auto r = Get("/regions/CA?lang=ru");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<html lang=\"ru\""), std::string::npos);
  EXPECT_NE(r.body.find("Центральная Азия"), std::string::npos);
  EXPECT_NE(r.body.find("Узбекистан"), std::string::npos);
  EXPECT_NE(r.headers["set-cookie"].find("lang=ru"), std::string::npos);
  // The cookie then keeps the choice; Accept-Language works without one.
  EXPECT_NE(Get("/countries/KZ", {{"Cookie", "lang=ru; " + cookie_}}).body.find("Казахстан"),
            std::string::npos);
  EXPECT_NE(Get("/", {{"Accept-Language", "fr;q=0.9, ru-RU;q=0.95"}}).body.find("lang=\"ru\""),
            std::string::npos);
  EXPECT_NE(Get("/", {{"Accept-Language", "de"}}).body.find("lang=\"en\""), std::string::npos);
}

TEST_P(HttpTest, PagesSpeakFrenchAndArabicRightToLeft) {
  auto ar =
      Get("/regions/CA", {{"Cookie", cookie_}, {"Accept-Language", "ar-SA,ar;q=0.9,en;q=0.5"}});
  ASSERT_EQ(ar.status, 200);
  EXPECT_NE(ar.body.find("<html lang=\"ar\" dir=\"rtl\">"), std::string::npos);
  EXPECT_NE(ar.body.find("آسيا الوسطى"), std::string::npos);        // region.CA.name
  EXPECT_NE(ar.body.find("الأمانة الإقليمية"), std::string::npos);  // region.secretariat
  EXPECT_NE(ar.body.find("أوزبكستان"), std::string::npos);          // ICU
  auto fr = Get("/regions/CA?lang=fr");
  ASSERT_EQ(fr.status, 200);
  EXPECT_NE(fr.body.find("<html lang=\"fr\" dir=\"ltr\">"), std::string::npos);
  EXPECT_NE(fr.body.find("Asie centrale"), std::string::npos);
  EXPECT_NE(fr.body.find("Secrétariat régional"), std::string::npos);
  EXPECT_NE(fr.body.find("Ouzbékistan"), std::string::npos);
  EXPECT_NE(fr.headers["set-cookie"].find("lang=fr"), std::string::npos);
  EXPECT_NE(Get("/", {{"Cookie", cookie_}, {"Accept-Language", "fr-FR"}})
                .body.find("atténuation des risques NRBC"),
            std::string::npos);
  // The switcher offers the four working languages, each in its own name, in this order.
  auto en = Get("/").body;
  size_t at_en = en.find("<strong>English</strong>"), at_fr = en.find("lang=\"fr\">Français</a>"),
         at_ru = en.find("lang=\"ru\">Русский</a>"), at_ar = en.find("lang=\"ar\">العربية</a>");
  ASSERT_NE(at_en, std::string::npos);
  ASSERT_NE(at_fr, std::string::npos);
  ASSERT_NE(at_ru, std::string::npos);
  ASSERT_NE(at_ar, std::string::npos);
  EXPECT_LT(at_en, at_fr);
  EXPECT_LT(at_fr, at_ru);
  EXPECT_LT(at_ru, at_ar);
}

TEST_P(HttpTest, CountryPageShowsFocalPointTeamAndAgencies) {
  auto r = Get("/countries/UZ");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Aziz Demo-Karimov"), std::string::npos);
  EXPECT_NE(r.body.find("Dilnoza Example"), std::string::npos);
  EXPECT_NE(r.body.find("Demo Ministry of Emergency Situations"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/regions/CA\""), std::string::npos);
  auto missing = Get("/countries/ZZ");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("<html"), std::string::npos);
}

TEST_P(HttpTest, HtmlEscapesStoredText) {
  auto p = Call("POST", "/api/v1/people",
                       R"({"full_name":"<script>alert(1)</script>","network_role":"team_member","country_id":"UZ"})");
  ASSERT_EQ(p.status, 201) << p.body;
  auto page = Get("/countries/UZ");
  EXPECT_EQ(page.body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST_P(HttpTest, ApiCrudLifecycle) {
  auto list = Get("/api/v1/countries?limit=500");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Json(list)["total"], 65);
  auto uz = Get("/api/v1/countries/UZ");
  ASSERT_EQ(uz.status, 200);
  EXPECT_EQ(Json(uz)["iso3"], "UZB");

  auto created = Call("POST", "/api/v1/people",
                             R"({"full_name":"Api Person","network_role":"expert","country_id":"KZ","email":"api@example.org"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = Json(created)["id"];
  EXPECT_EQ(created.headers["location"], "/api/v1/people/" + id);
  EXPECT_EQ(Json(created)["owner"], "country:KZ");

  auto patched = Call("PATCH", "/api/v1/people/" + id,
                             R"({"position":"Chief","revision":1})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Json(patched)["revision"], 2);
  auto stale = Call("PATCH", "/api/v1/people/" + id, R"({"position":"X"})",
                           {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(Json(stale)["field"], "revision");

  EXPECT_EQ(Call("DELETE", "/api/v1/people/" + id).status, 204);
  EXPECT_EQ(Get("/api/v1/people/" + id).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/people/" + id + "/restore").status, 200);
  auto history = Get("/api/v1/people/" + id + "/history");
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(Json(history)["items"].size(), 4u);
  EXPECT_EQ(Json(Get("/api/v1/people?country_id=KZ&q=api"))["total"], 1);
}

TEST_P(HttpTest, BadInputGetsClearErrorsNever500) {
  struct Case {
    std::string method, target, body;
    int status;
    std::string code, field, message_part;
  } cases[] = {
      {"POST", "/api/v1/people", "{\"full_name\": \"x\",\n \"network_role\": }", 400,
       "invalid_argument", "", "line 2"},
      {"POST", "/api/v1/people", R"({"full_name":"x","network_role":"boss"})", 400,
       "invalid_argument", "network_role", "must be one of"},
      {"POST", "/api/v1/people", R"({"full_name":"x","network_role":"nfp","country_id":"ZZ"})",
       400, "invalid_argument", "country_id", "ZZ"},
      {"POST", "/api/v1/people", "[1,2]", 400, "invalid_argument", "", "JSON object"},
      {"POST", "/api/v1/people", std::string(200, '[') , 400, "invalid_argument", "", "nested"},
      {"POST", "/api/v1/people", R"({"full_name":"x","network_role":"nfp","n":2e420})", 400,
       "invalid_argument", "", "unusable JSON"},  // found by fuzzing: was a 500
      {"GET", "/api/v1/people?limit=-1", "", 400, "invalid_argument", "limit", "whole number"},
      {"GET", "/api/v1/people?salary=3", "", 400, "invalid_argument", "salary", "filter"},
      {"GET", "/api/v1/people/00000000-0000-4000-8000-000000000000", "", 404, "not_found", "", ""},
      {"GET", "/api/v1/unicorns", "", 404, "not_found", "", ""},
      {"DELETE", "/api/v1/countries/UZ", "", 405, "invalid_argument", "", "not allowed"},
      {"PATCH", "/api/v1/countries/UZ", R"({"iso2":"uz"})", 400, "invalid_argument", "iso2", "ISO"},
      {"PATCH", "/api/v1/countries/UZ", R"({"iso3":"KAZ"})", 409, "conflict", "iso3", ""},
  };
  for (const auto& c : cases) {
    auto r = Call(c.method, c.target, c.body);
    SCOPED_TRACE(c.method + " " + c.target + " " + c.body.substr(0, 40));
    EXPECT_EQ(r.status, c.status) << r.body;
    json j = Json(r);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j["code"], c.code);
    if (!c.field.empty()) {
      EXPECT_EQ(j.value("field", ""), c.field);
    }
    EXPECT_NE(j["message"].get<std::string>().find(c.message_part), std::string::npos)
        << j["message"];
  }
  auto wrong_type = Call("POST", "/api/v1/people", "full_name=x",
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(wrong_type.status, 400);
}

TEST_P(HttpTest, LimitsOnBodyHeadersAndRequestLine) {
  auto big = Call("POST", "/api/v1/people", std::string(100 * 1024, ' '));
  EXPECT_EQ(big.status, 413);
  auto huge_header = Get("/", {{"X-Filler", std::string(20 * 1024, 'a')}});
  EXPECT_EQ(huge_header.status, 431);
  std::string garbage = RawExchange(port_, "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  // After all that, the server still answers.
  EXPECT_EQ(Get("/healthz").status, 200);
}

TEST_P(HttpTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string two =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/regions/CA HTTP/1.1\r\nHost: x\r\nCookie: " + cookie_ +
      "\r\nConnection: close\r\n\r\n";
  std::string out = RawExchange(port_, two);
  EXPECT_EQ(out.rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_NE(out.find("HTTP/1.1 200", 10), std::string::npos);
  EXPECT_NE(out.find("Tashkent"), std::string::npos);
}

TEST_P(HttpTest, SlowClientIsCutOffWhileOthersAreServed) {
  std::thread slow([this] {
    // Sends half a request and stalls: the server must close it after the request timeout.
    auto start = std::chrono::steady_clock::now();
    std::string out = RawExchange(port_, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", 8000);
    auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_LT(waited, std::chrono::seconds(6));
  });
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Get("/healthz").status, 200);
  slow.join();
}

int OpenFds() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST_P(HttpTest, ManyIdleConnectionsDoNotStarveOthersAndAreFreed) {
  int before = OpenFds();
  std::vector<int> idle;
  for (int i = 0; i < 300; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    idle.push_back(fd);
  }
  // Idle and half-sent requests hold no worker: others are answered at once.
  (void)send(idle[0], "GET / HTTP/1.1\r\nHo", 19, MSG_NOSIGNAL);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  for (int fd : idle) close(fd);
  // The server lets go of the closed connections (its sockets are in this process too).
  int after = 0;
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = OpenFds();
    if (after <= before + 10) break;
  }
  EXPECT_LE(after, before + 10) << "sockets not released";
}

TEST_P(HttpTest, HeadAndStaticAssets) {
  auto css = Get("/static/app.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_NE(css.headers["content-type"].find("text/css"), std::string::npos);
  auto again = Get("/static/app.css", {{"If-None-Match", css.headers["etag"]}});
  EXPECT_EQ(again.status, 304);
  auto head = Call("HEAD", "/api/v1/countries/UZ");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_NE(head.headers["content-length"], "0");
  EXPECT_EQ(Get("/static/..%2F..%2Fetc%2Fpasswd").status, 404);
}

std::string Gunzip(const std::string& packed) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "";
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
  z.avail_in = static_cast<uInt>(packed.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

// Pages, API answers and stylesheets over 1 KB travel gzip-compressed to a client that accepts
// it, and unchanged to one that does not; files compressed already are sent as they are.
TEST_P(HttpTest, LargeResponsesTravelGzipCompressed) {
  auto plain = Get("/countries?lang=ru");
  ASSERT_EQ(plain.status, 200);
  ASSERT_GT(plain.body.size(), http::kGzipMinBytes);
  EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
  EXPECT_NE(plain.headers["vary"].find("Accept-Encoding"), std::string::npos)
      << plain.headers["vary"];
  auto packed = Get("/countries?lang=ru", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.headers["content-encoding"], "gzip");
  EXPECT_NE(packed.headers["vary"].find("Accept-Encoding"), std::string::npos);
  EXPECT_NE(packed.headers["vary"].find("Cookie"), std::string::npos)
      << "the page's own Vary is kept";
  EXPECT_LT(packed.body.size() * 3, plain.body.size())
      << packed.body.size() << " of " << plain.body.size();
  EXPECT_EQ(Gunzip(packed.body), plain.body);
  // Refused by q=0; accepted through "*".
  EXPECT_EQ(Get("/countries", {{"Accept-Encoding", "gzip;q=0, identity"}})
                .headers.count("content-encoding"),
            0u);
  EXPECT_EQ(Get("/countries", {{"Accept-Encoding", "*"}}).headers["content-encoding"], "gzip");
  // JSON too; small answers are not worth it.
  auto api = Get("/api/v1/countries?limit=100", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(api.headers["content-encoding"], "gzip");
  EXPECT_TRUE(json::parse(Gunzip(api.body), nullptr, false).is_object());
  EXPECT_EQ(Get("/healthz", {{"Accept-Encoding", "gzip"}}).headers.count("content-encoding"), 0u);
  // A workbook is a ZIP already.
  auto xlsx = Get("/api/v1/portfolio.xlsx", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.headers.count("content-encoding"), 0u);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  // The compressed stylesheet has its own ETag, and revalidates with either.
  auto css = Get("/static/app.css", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(css.headers["content-encoding"], "gzip");
  std::string tag = css.headers["etag"];
  EXPECT_NE(tag.find("-gzip\""), std::string::npos) << tag;
  EXPECT_NE(tag, Get("/static/app.css").headers["etag"]);
  auto again = Get("/static/app.css", {{"Accept-Encoding", "gzip"}, {"If-None-Match", tag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.headers["etag"], tag);
  EXPECT_EQ(Get("/static/app.css", {{"If-None-Match", tag}}).status, 304);
  EXPECT_EQ(Get("/static/app.css", {{"If-None-Match", "\"other\""}}).status, 200);
  // HEAD: the length of what a GET would send.
  auto head = Call("HEAD", "/countries", "", {{"Accept-Encoding", "gzip"}, {"Cookie", cookie_}});
  EXPECT_EQ(head.headers["content-length"],
            std::to_string(Get("/countries", {{"Accept-Encoding", "gzip"}}).body.size()));
}

TEST_P(HttpTest, HealthReadinessAndOpenApi) {
  EXPECT_EQ(Json(Get("/healthz"))["status"], "ok");
  auto ready = Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(Json(ready)["schema_version"], storage::LatestSchemaVersion());
  auto doc = Json(Get("/api/v1/openapi.json"));
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_TRUE(doc["paths"].contains("/api/v1/people/{id}"));
  EXPECT_TRUE(doc["paths"]["/api/v1/people/{id}"].contains("patch"));
  EXPECT_EQ(doc["components"]["schemas"]["people"]["properties"]["email"]["format"], "email");
}

TEST_P(HttpTest, FormsCreateEditAndRejectWithFieldErrors) {
  auto uz = Json(Get("/api/v1/countries/UZ"));
  std::string host = "127.0.0.1:" + std::to_string(port_);
  std::map<std::string, std::string> form = {
      {"Content-Type", "application/x-www-form-urlencoded"}, {"Origin", "http://" + host},
      {"Cookie", cookie_}, {"X-CSRF-Token", csrf_}};
  auto page = Get("/forms/people?country_id=" + uz["id"].get<std::string>() + "&return_to=/countries/UZ");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("name=\"full_name\""), std::string::npos);
  auto ok = Call("POST", "/forms/people",
                        "full_name=Form+Person&network_role=team_member&country_id=" +
                            uz["id"].get<std::string>() + "&return_to=%2Fcountries%2FUZ",
                        form);
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(ok.headers["location"], "/countries/UZ?notice=saved");
  EXPECT_NE(Get("/countries/UZ").body.find("Form Person"), std::string::npos);

  auto bad = Call("POST", "/forms/people",
                         "full_name=Bad&network_role=team_member&email=nope&return_to=%2F", form);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("class=\"field-error\""), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"Bad\""), std::string::npos);  // what was typed is kept

  auto evil = Call("POST", "/forms/people", "full_name=X&network_role=other",
                   {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"Origin", "https://evil.example"}});
  EXPECT_EQ(evil.status, 403);
  // Without the session's CSRF token a cookie-authenticated post is refused.
  auto no_token = Call("POST", "/forms/people", "full_name=X&network_role=other",
                       {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie_}});
  EXPECT_EQ(no_token.status, 403);
  auto with_token_in_form = Call("POST", "/forms/people",
                                 "full_name=Token+In+Form&network_role=other&csrf_token=" + csrf_,
                                 {{"Content-Type", "application/x-www-form-urlencoded"},
                                  {"Cookie", cookie_}});
  EXPECT_EQ(with_token_in_form.status, 303) << with_token_in_form.body;
  auto redirect = Call("POST", "/forms/people",
                              "full_name=Y&network_role=other&return_to=%2F%2Fevil.example", form);
  EXPECT_EQ(redirect.headers["location"], "/?notice=saved");
}

TEST_P(HttpTest, StopClosesIdleConnectionsAndReturnsPromptly) {
  std::thread idle([this] { RawExchange(port_, "", 4000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  thread_.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  idle.join();
  server_.reset();
}

TEST_P(HttpTest, CachedAnswersFollowEveryChange) {
  EXPECT_EQ(Json(Get("/api/v1/countries/UZ"))["notes"], "");
  EXPECT_EQ(Json(Get("/api/v1/countries/UZ"))["notes"], "");  // now from the cache
  // A change through this server is visible at once (read your own writes).
  ASSERT_EQ(Call("PATCH", "/api/v1/countries/UZ", R"({"notes":"one"})").status, 200);
  EXPECT_EQ(Json(Get("/api/v1/countries/UZ"))["notes"], "one");
  EXPECT_NE(Get("/countries/UZ").body.find("one"), std::string::npos);
  // A change by another process (here: another handle on the same database).
  auto other_db = t_->OpenAnother();
  records::Store other(*other_db, catalog_);
  records::Caller other_caller{access::Principal::System("other"), ""};
  ASSERT_TRUE(other.Update(other_caller, "countries", "UZ", json{{"notes", "two"}}, false).ok());
  // SQLite sees it at once; another PostgreSQL client's change arrives by notification,
  // normally within milliseconds.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(GetParam() == "sqlite" ? 0 : 3);
  std::string notes;
  do {
    notes = Json(Get("/api/v1/countries/UZ"))["notes"];
    if (notes == "two") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(notes, "two");
}

INSTANTIATE_BACKENDS(HttpTest);

// Every working language has every English key, none empty, and keeps the English text's
// markup (<b>, &nbsp;) exactly and its ICU arguments ({count, plural, ...}, {name}) by name: a
// lost one would break the page. Plural forms differ by language, so only names are compared.
TEST(Catalogs, EveryLanguageIsCompleteAndKeepsPlaceholders) {
  i18n::Catalogs catalogs;
  ASSERT_TRUE(catalogs.Load().ok());
  std::regex markup(R"(<[^>]*>|&[#a-zA-Z0-9]+;)");
  auto tokens = [&](const std::string& text) {
    std::multiset<std::string> out;
    for (std::sregex_iterator it(text.begin(), text.end(), markup), end; it != end; ++it)
      out.insert(it->str());
    return out;
  };
  auto arguments = [](const std::string& text) {
    if (text.find('{') == std::string::npos) return std::vector<std::string>{};
    auto names = i18n::MessageArguments(text);
    EXPECT_TRUE(names.ok()) << text;
    return names.ok() ? *names : std::vector<std::string>{};
  };
  for (const char* lang : {"fr", "ru", "ar"}) {
    ASSERT_TRUE(catalogs.Supports(lang)) << lang;
    EXPECT_EQ(catalogs.MissingKeys(lang), std::vector<std::string>{}) << lang;
    for (const auto& key : catalogs.Keys()) {
      const std::string& text = catalogs.Translate(lang, key);
      EXPECT_FALSE(text.empty()) << lang << " " << key;
      EXPECT_EQ(tokens(text), tokens(catalogs.Translate("en", key))) << lang << " " << key;
      EXPECT_EQ(arguments(text), arguments(catalogs.Translate("en", key))) << lang << " " << key;
    }
  }
  // Arabic is written in Arabic script (a value copied from English would not be).
  for (const auto& key : catalogs.Keys()) {
    std::string text = catalogs.Translate("ar", key);
    EXPECT_NE(text.find_first_of("\xd8\xd9"), std::string::npos) << "ar " << key << ": " << text;
  }
  EXPECT_EQ(catalogs.Languages(), (std::vector<std::string>{"en", "fr", "ru", "ar"}));
}

// The stylesheet mirrors by itself under dir="rtl" only if it never says left or right.
TEST(Catalogs, StylesheetsUseLogicalDirections) {
  std::regex physical(
      R"((margin|padding|border)-(left|right)|text-align:\s*(left|right)|float:\s*(left|right)|[{;\s](left|right)\s*:)");
  for (const char* path : {"web/static/app.css", "web/static/brief.css"}) {
    auto css = assets::Find(path);
    ASSERT_TRUE(css) << path;
    std::string text(*css);
    std::smatch m;
    EXPECT_FALSE(std::regex_search(text, m, physical)) << path << ": " << m.str();
  }
}

TEST(Catalogs, EveryTemplateKeyExists) {
  i18n::Catalogs catalogs;
  ASSERT_TRUE(catalogs.Load().ok());
  auto keys = catalogs.Keys();
  std::set<std::string> known(keys.begin(), keys.end());
  // {{_ key}} and {{_ key n=path}}; {{_ prefix.$path}} names keys by stored values, which the
  // all-pages test (tests/pages_test.cc) checks on real data.
  std::regex tag(R"(\{\{_ ([a-zA-Z0-9_.]+)(\$[a-zA-Z0-9_.]+)?((?: [a-z_]+=[a-zA-Z0-9_.]+)*)\}\})");
  for (auto path : assets::List("web/templates/")) {
    std::string text(*assets::Find(path));
    for (std::sregex_iterator it(text.begin(), text.end(), tag), end; it != end; ++it) {
      if ((*it)[2].matched) continue;
      EXPECT_TRUE(known.count((*it)[1])) << path << " uses unknown message " << (*it)[1];
      if ((*it)[3].length() > 0 && known.count((*it)[1])) {
        auto names = i18n::MessageArguments(catalogs.Translate("en", (*it)[1]));
        ASSERT_TRUE(names.ok()) << (*it)[1];
        std::string given = (*it)[3];
        for (const auto& name : *names) {
          EXPECT_NE(given.find(" " + name + "="), std::string::npos)
              << path << ": " << (*it)[1] << " needs " << name;
        }
      }
    }
  }
}

TEST(Catalogs, CountryNamesComeFromIcu) {
  EXPECT_EQ(i18n::CountryName("UZ", "ru", "?"), "Узбекистан");
  EXPECT_EQ(i18n::CountryName("GE", "fr", "?"), "Géorgie");
  EXPECT_EQ(i18n::CountryName("QQ", "ru", "fallback"), "fallback");
  EXPECT_STREQ(i18n::Direction("ar"), "rtl");
  EXPECT_STREQ(i18n::Direction("fr"), "ltr");
  EXPECT_EQ(i18n::CountryName("UZ", "ar", "?"), "أوزبكستان");
  EXPECT_EQ(i18n::CountryName("UZ", "fr", "?"), "Ouzbékistan");
}

TEST(Templates, EscapingSectionsPartialsAndErrors) {
  i18n::Catalogs catalogs;
  ASSERT_TRUE(catalogs.Load().ok());
  i18n::Presenter en(catalogs, "en");
  Templates t;
  ASSERT_TRUE(t.Add("item", "<li>{{name}}</li>").ok());
  ASSERT_TRUE(t.Add("page",
                    "{{#items}}{{> item}}{{/items}}{{^items}}none{{/items}}|{{{raw}}}|"
                    "{{_ nav.network}}|{{a.b}}|{{list.1}}")
                  .ok());
  json data = {{"items", {{{"name", "<b>&"}}, {{"name", "x"}}}},
               {"raw", "<i>"},
               {"a", {{"b", "deep"}}},
               {"list", {"zero", "one"}}};
  auto out = t.Render("page", data, en);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "<li>&lt;b&gt;&amp;</li><li>x</li>|<i>|Network|deep|one");
  auto empty = t.Render("page", json{{"items", json::array()}}, en);
  EXPECT_EQ(empty->substr(0, 5), "none|");
  Status unclosed = t.Add("bad", "line1\n{{#open}}\nline3");
  EXPECT_NE(unclosed.message().find("bad:2"), std::string::npos) << unclosed.message();
  Status mismatched = t.Add("bad2", "{{#a}}{{/b}}");
  EXPECT_FALSE(mismatched.ok());
  Status unterminated = t.Add("bad3", "x {{name");
  EXPECT_FALSE(unterminated.ok());
  EXPECT_EQ(t.Render("missing", json::object(), en).status().code(), StatusCode::kNotFound);
  Status bad_argument = t.Add("bad4", "line1\n{{_ audit.entries total}}");
  EXPECT_NE(bad_argument.message().find("bad4:2"), std::string::npos) << bad_argument.message();
  EXPECT_FALSE(t.Add("bad5", "{{%weekday at}}").ok());
}

// Plural arguments, labels of stored values and formatted values, in the page's language.
TEST(Templates, MessagesWithArgumentsLabelsAndFormats) {
  i18n::Catalogs catalogs;
  ASSERT_TRUE(catalogs.Load().ok());
  Templates t;
  ASSERT_TRUE(t.Add("p",
                    "{{_ audit.entries count=n}}|{{_ role.$role}}|{{_ role.$none}}|{{%date day}}|"
                    "{{%percent pct}}|{{%money amount currency}}|{{%number n}}")
                  .ok());
  json data = {{"n", 21},   {"role", "nfp"},   {"day", "2026-03-01"},
               {"pct", 40}, {"amount", 48000}, {"currency", "USD"}};
  auto ru = t.Render("p", data, i18n::Presenter(catalogs, "ru"));
  ASSERT_TRUE(ru.ok()) << ru.status().ToString();
  EXPECT_EQ(*ru, "21 запись|" + catalogs.Translate("ru", "role.nfp") + "||" +
                     i18n::FormatDate("ru", "2026-03-01") + "|" + i18n::FormatPercent("ru", 40) +
                     "|" + i18n::FormatMoney("ru", 48000, "USD") + "|21")
      << *ru;
  auto en = t.Render("p", data, i18n::Presenter(catalogs, "en"));
  EXPECT_EQ(*en,
            "21 entries|" + catalogs.Translate("en", "role.nfp") + "||Mar 1, 2026|40%|$48,000|21")
      << *en;
}

}  // namespace
}  // namespace cbrnhub::http
