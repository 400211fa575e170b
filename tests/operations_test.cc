// What an operator relies on: /metrics (who may read it, what it counts, and that Prometheus's
// own checker, promtool, accepts a real scrape of a running server), the address lists of the
// configuration, and the OpenAPI document covering every API route.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "app/config.h"
#include "backup/backup.h"
#include "metrics/metrics.h"
#include "notify/notify.h"
#include "server_fixture.h"

namespace cbrnhub::testing {
namespace {

// Runs `promtool check metrics` on `exposition`; returns its exit status and output.
std::pair<int, std::string> Promtool(const std::string& exposition) {
  auto dir =
      std::filesystem::temp_directory_path() / ("cbrnhub-metrics-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "scrape.txt") << exposition;
  std::string command = "promtool check metrics < " + (dir / "scrape.txt").string() + " 2>&1";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {-1, "cannot run promtool"};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  int status = pclose(pipe);
  std::filesystem::remove_all(dir);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// The value of the sample `series` (name with its labels, exactly as exported), or -1.
double Sample(const std::string& exposition, const std::string& series) {
  size_t at = 0;
  while ((at = exposition.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || exposition[at - 1] == '\n')
      return std::stod(exposition.substr(at + series.size() + 1));
    at += series.size();
  }
  return -1;
}

class MetricsTest : public ServerTest {
 protected:
  std::string AdminToken() {
    auto created = Call("POST", "/api/v1/tokens", R"({"name":"prometheus","days":1})");
    EXPECT_EQ(created.status, 201) << created.body;
    return Json(created).value("token", "");
  }
  HttpResponse Scrape(const std::string& token) {
    return HttpRequest(port_, "GET", "/metrics", "", {{"Authorization", "Bearer " + token}});
  }
};

TEST_P(MetricsTest, ARealScrapePassesPromtool) {
  std::string token = AdminToken();
  // Some traffic first: pages, the API, a miss, an error, a write.
  ASSERT_EQ(Get("/api/v1/countries/UZ").status, 200);
  ASSERT_EQ(Get("/countries/UZ").status, 200);
  EXPECT_EQ(Get("/no/such/page").status, 404);
  auto scrape = Scrape(token);
  ASSERT_EQ(scrape.status, 200) << scrape.body;
  EXPECT_EQ(scrape.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  auto [rc, output] = Promtool(scrape.body);
  ASSERT_NE(rc, 127)
      << "promtool is missing: run scripts/install-deps --test (Debian package prometheus)";
  EXPECT_EQ(rc, 0) << output << "\n--- scrape ---\n" << scrape.body.substr(0, 4000);
  for (const char* family :
       {"cbrnhub_build_info{version=\"test\"", "cbrnhub_http_requests_total{",
        "cbrnhub_http_request_duration_seconds_bucket{", "cbrnhub_db_connections_in_use ",
        "cbrnhub_db_connections_opened_total ", "cbrnhub_db_write_lock_waits_total ",
        "cbrnhub_response_cache_hits_total ", "cbrnhub_audit_appends_total ",
        "cbrnhub_screenings_total ", "cbrnhub_screening_match_seconds_bucket{",
        "cbrnhub_http_connections_open ", "process_resident_memory_bytes ", "process_open_fds "}) {
    EXPECT_NE(scrape.body.find(family), std::string::npos) << family;
  }
  // Route templates, never the paths as requested.
  EXPECT_GE(Sample(scrape.body,
                   "cbrnhub_http_requests_total{method=\"GET\",route=\"/api/v1/countries/"
                   "{id}\",status=\"200\"}"),
            1);
  EXPECT_GE(Sample(scrape.body,
                   "cbrnhub_http_requests_total{method=\"\",route=\"(no route)\",status=\"404\"}"),
            1);
}

// With a mail relay configured the scrape also carries the mail queue's length, read from the
// database at each scrape; promtool accepts it. The relay here does not answer (nothing listens
// on port 1), so a queued message stays queued.
class MailMetricsTest : public MetricsTest {
 protected:
  notify::SmtpSettings MailSettings() override {
    notify::SmtpSettings smtp;
    smtp.url = "smtp://127.0.0.1:1";
    smtp.starttls = false;
    smtp.from = "cbrnhub@example.org";
    smtp.base_url = "https://cbrnhub.example.org";
    smtp.timeout_seconds = 2;
    return smtp;
  }
};

TEST_P(MailMetricsTest, TheMailQueueLengthIsScrapedAndPassesPromtool) {
  std::string token = AdminToken();
  auto before = Scrape(token);
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(Sample(before.body, "cbrnhub_mail_queue_length"), 0) << before.body.substr(0, 2000);
  // Uzbekistan's focal point submits an assessment: its region's secretariat is to be told.
  auto [cookie, csrf] = SignIn("nfp.uz");
  std::map<std::string, std::string> nfp = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
  std::string questionnaire = Json(Get("/api/v1/questionnaires"))["items"][0]["id"];
  auto created = Call(
      "POST", "/api/v1/assessments",
      json{{"country", "UZ"}, {"questionnaire_id", questionnaire}, {"title", "NAQ metrics"}}.dump(),
      nfp);
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_EQ(
      Call("POST", "/api/v1/assessments/" + Json(created)["id"].get<std::string>() + "/transition",
           R"({"to":"submitted"})", nfp)
          .status,
      200);
  auto queued = notify::QueueLength(t_->db());
  ASSERT_TRUE(queued.ok());
  ASSERT_GE(*queued, 1);
  auto scrape = Scrape(token);
  ASSERT_EQ(scrape.status, 200);
  EXPECT_NE(scrape.body.find("# TYPE cbrnhub_mail_queue_length gauge"), std::string::npos);
  EXPECT_EQ(Sample(scrape.body, "cbrnhub_mail_queue_length"), static_cast<double>(*queued));
  auto [rc, output] = Promtool(scrape.body);
  ASSERT_NE(rc, 127)
      << "promtool is missing: run scripts/install-deps --test (Debian package prometheus)";
  EXPECT_EQ(rc, 0) << output;
}

INSTANTIATE_BACKENDS(MailMetricsTest);

TEST_P(MetricsTest, NoLabelCarriesACountryAUserOrARecordId) {
  std::string token = AdminToken();
  auto person = Json(Get("/api/v1/people?limit=1"))["items"][0];
  std::string person_id = person["id"];
  ASSERT_EQ(Get("/api/v1/people/" + person_id).status, 200);
  ASSERT_EQ(Get("/api/v1/countries/UZ/overview").status, 200);
  ASSERT_EQ(Get("/countries/KZ").status, 200);
  std::string admin_id = Json(Get("/api/v1/session"))["user"].value("id", "");
  std::string body = Scrape(token).body;
  std::regex sample_labels(R"(\{[^}]*\})");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), sample_labels);
       it != std::sregex_iterator(); ++it) {
    std::string labels = it->str();
    EXPECT_EQ(labels.find(person_id), std::string::npos) << labels;
    EXPECT_EQ(labels.find("UZ"), std::string::npos) << labels;
    EXPECT_EQ(labels.find("KZ"), std::string::npos) << labels;
    if (!admin_id.empty()) EXPECT_EQ(labels.find(admin_id), std::string::npos) << labels;
  }
}

TEST_P(MetricsTest, CountsFollowWhatHappens) {
  std::string token = AdminToken();
  std::string before = Scrape(token).body;
  // The same cacheable page again: a repeat is a cache hit. A write just before (the token's,
  // the session's use) may still be announced by PostgreSQL's notification after the first
  // request, which makes that entry stale: the page is asked until a hit (a few times at most).
  double hits_before = Sample(before, "cbrnhub_response_cache_hits_total");
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Get("/api/v1/network").status, 200);
    if (i > 0 && Sample(Scrape(token).body, "cbrnhub_response_cache_hits_total") > hits_before)
      break;
  }
  // A write appends one entry to the audit log.
  double appends = Sample(Scrape(token).body, "cbrnhub_audit_appends_total");
  auto created = Call("POST", "/api/v1/organisations",
                      R"({"name":"Metrics Test Org","short_name":"MTO","kind":"other"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Sample(Scrape(token).body, "cbrnhub_audit_appends_total") - appends, 1);
  // A licensing officer screens a party against a small national list.
  auto [cookie, csrf] = SignIn("licensing.uz");
  std::map<std::string, std::string> officer = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
  std::string list = "id,name,kind\nM-1,Ivan Metricsov,individual\n";
  json upload = {
      {"list_code", "national"}, {"format", "csv"}, {"source_name", "n.csv"}, {"content", list}};
  auto imported = Call("POST", "/api/v1/sanctions/editions", upload.dump(), officer);
  ASSERT_TRUE(imported.status == 201 || imported.status == 200) << imported.body;
  auto screened =
      Call("POST", "/api/v1/screenings", R"({"name":"Ivan Metricsov","country":"UZ"})", officer);
  ASSERT_EQ(screened.status, 201) << screened.body;
  std::string after = Scrape(token).body;
  EXPECT_GE(Sample(after, "cbrnhub_response_cache_hits_total") -
                Sample(before, "cbrnhub_response_cache_hits_total"),
            1);
  EXPECT_EQ(Sample(after, "cbrnhub_screenings_total") - Sample(before, "cbrnhub_screenings_total"),
            1);
  EXPECT_EQ(Sample(after, "cbrnhub_screenings_with_candidates_total") -
                Sample(before, "cbrnhub_screenings_with_candidates_total"),
            1);
  EXPECT_EQ(Sample(after, "cbrnhub_screening_match_seconds_count") -
                Sample(before, "cbrnhub_screening_match_seconds_count"),
            1);
  // Between requests no transaction holds a connection.
  EXPECT_EQ(Sample(after, "cbrnhub_db_connections_in_use"), 0);
}

TEST_P(MetricsTest, OnlyAdministratorsOrTheConfiguredAddresses) {
  auto anonymous = HttpRequest(port_, "GET", "/metrics");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_NE(anonymous.body.find("\"code\":\"unauthenticated\""), std::string::npos)
      << anonymous.body;
  auto [cookie, csrf] = SignIn("nfp.uz");
  auto nfp = HttpRequest(port_, "GET", "/metrics", "", {{"Cookie", cookie}});
  EXPECT_EQ(nfp.status, 403);
  EXPECT_EQ(Get("/metrics").status, 200);  // an administrator's session

  // A second application over the same data, with monitoring addresses configured.
  auto serve = [&](const std::string& allow, const std::string& proxies = "",
                   std::map<std::string, std::string> headers = {}) {
    http::WebOptions options;
    auto list = http::AddressList::Parse(allow);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    options.metrics_allow = *list;
    options.trusted_proxies = *http::AddressList::Parse(proxies);
    auto app = WebApp::Create(t_->db(), *store_, *identity_, catalogs_, "test", options);
    EXPECT_TRUE(app.ok());
    ServerOptions server_options;
    server_options.port = 0;
    server_options.threads = 1;
    server_options.access_log = false;
    auto web = std::move(app).value();
    Server server(server_options, [&web](Request& r) { return web->Handle(r); });
    EXPECT_TRUE(server.Listen().ok());
    std::thread runner([&] { server.Run(false); });
    auto metrics = HttpRequest(server.port(), "GET", "/metrics", "", headers);
    // The monitoring address reads only the metrics: everything else still needs a sign-in.
    auto other = HttpRequest(server.port(), "GET", "/api/v1/users");
    server.Stop();
    runner.join();
    return std::make_pair(metrics.status, other.status);
  };
  EXPECT_EQ(serve("10.0.0.0/8, 127.0.0.1"), std::make_pair(200, 401));
  EXPECT_EQ(serve("127.0.0.0/8"), std::make_pair(200, 401));
  EXPECT_EQ(serve("10.0.0.0/8, ::1"), std::make_pair(401, 401));
  // Behind a trusted proxy the client is the last address of X-Forwarded-For; from anyone else
  // the header means nothing.
  EXPECT_EQ(serve("10.1.2.3", "127.0.0.1", {{"X-Forwarded-For", "10.1.2.3"}}).first, 200);
  EXPECT_EQ(serve("10.1.2.3", "127.0.0.1", {{"X-Forwarded-For", "10.1.2.3, 192.0.2.1"}}).first,
            401);
  EXPECT_EQ(serve("10.1.2.3", "", {{"X-Forwarded-For", "10.1.2.3"}}).first, 401);
  EXPECT_EQ(serve("10.1.2.3", "192.0.2.0/24", {{"X-Forwarded-For", "10.1.2.3"}}).first, 401);
}

using OpenApiTest = ServerTest;

// The API's changes that read no request body: a step named by the path alone (besides each
// record kind's POST .../{id}/restore, whose handler ApiRestore reads none).
const std::set<std::string> kWritesWithoutBody = {
    "POST /api/v1/account/totp",
    "POST /api/v1/users/{id}/reset-totp",
    "POST /api/v1/users/{id}/invite",
    "POST /api/v1/screenings/rescreen",
    "POST /api/v1/assessments/{id}/workbook/{import}/apply",
    "POST /api/v1/action_plans/{id}/workbook/{import}/apply",
    "POST /api/v1/risk_registers/{id}/workbook/{import}/apply",
    "POST /api/v1/exercise_evaluations/{id}/lesson",
};

TEST_P(OpenApiTest, EveryApiRouteIsDocumented) {
  auto doc = Json(HttpRequest(port_, "GET", "/api/v1/openapi.json"));
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["servers"][0]["url"], "http://127.0.0.1:" + std::to_string(port_));
  std::set<std::string> operation_ids;
  for (const auto& route : app_->router().routes()) {
    if (route.pattern.rfind("/api/", 0) != 0) continue;
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    SCOPED_TRACE(route.method + " " + route.pattern);
    ASSERT_TRUE(doc["paths"].contains(route.pattern) &&
                doc["paths"][route.pattern].contains(method));
    const json& op = doc["paths"][route.pattern][method];
    EXPECT_TRUE(operation_ids.insert(op.value("operationId", "")).second)
        << "operationId missing or repeated";
    bool success = false, client_error = false;
    for (const auto& [status, response] : op["responses"].items()) {
      success = success || status[0] == '2';
      client_error = client_error || status[0] == '4';
    }
    EXPECT_TRUE(success && client_error);
    // Every path parameter is described.
    for (size_t at = route.pattern.find('{'); at != std::string::npos;
         at = route.pattern.find('{', at + 1)) {
      std::string name = route.pattern.substr(at + 1, route.pattern.find('}', at) - at - 1);
      bool found = false;
      for (const auto& p : op.value("parameters", json::array()))
        found = found || (p["in"] == "path" && p["name"] == name);
      EXPECT_TRUE(found) << name;
    }
    // Public routes need no credentials; the others name them (globally).
    EXPECT_EQ(op.contains("security") && op["security"].empty(),
              route.policy.access == http::Policy::Access::kPublic);
    // A change reads a body, documented with its media type, unless it is one of the few
    // that take none (the route table cannot say which: they are listed here, and each one's
    // handler reads no body).
    if (route.method == "POST" || route.method == "PUT" || route.method == "PATCH") {
      bool restore =
          route.pattern.size() > 8 && route.pattern.substr(route.pattern.size() - 8) == "/restore";
      bool bodyless = restore || kWritesWithoutBody.count(route.method + " " + route.pattern) > 0;
      EXPECT_EQ(op.contains("requestBody"), !bodyless)
          << (bodyless ? "listed as taking no body" : "a change without a documented requestBody");
      if (op.contains("requestBody")) EXPECT_FALSE(op["requestBody"]["content"].empty());
    }
  }
  // The list names routes that exist.
  for (const auto& key : kWritesWithoutBody) {
    bool found = false;
    for (const auto& route : app_->router().routes())
      found = found || route.method + " " + route.pattern == key;
    EXPECT_TRUE(found) << key << " is not a route";
  }
  // What is documented is what the server does: a record created answers 201 with the record.
  const json& create = doc["paths"]["/api/v1/organisations"]["post"];
  EXPECT_TRUE(create["responses"].contains("201"));
  EXPECT_EQ(create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/organisations");
  EXPECT_EQ(Call("POST", "/api/v1/organisations", R"({"name":"OpenAPI Check Org","kind":"other"})")
                .status,
            201);
  EXPECT_TRUE(doc["paths"]["/api/v1/organisations/{id}"]["delete"]["responses"].contains("204"));
  const json& list = doc["paths"]["/api/v1/people"]["get"];
  std::set<std::string> query;
  for (const auto& p : list["parameters"]) query.insert(p["name"]);
  for (const char* name : {"limit", "offset", "q", "include_deleted", "country_id"})
    EXPECT_TRUE(query.count(name)) << name;
}

using BackupRotationTest = ServerTest;

// The nightly timer's `cbrnhub backup` without a file: a new file in the folder, the oldest of
// its own files beyond `keep` removed, nothing else touched.
TEST_P(BackupRotationTest, KeepsTheNewestAndLeavesOtherFilesAlone) {
  auto dir = std::filesystem::temp_directory_path() /
             ("cbrnhub-rotation-" + std::to_string(getpid()) + GetParam());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "before-upgrade-from-0.0.9.jsonl") << "kept\n";
  std::ofstream(dir / "notes.txt") << "kept\n";
  std::vector<std::string> written;
  for (int i = 0; i < 3; ++i) {
    auto rotation = backup::BackupInto(t_->db(), dir.string(), 2);
    ASSERT_TRUE(rotation.ok()) << rotation.status().ToString();
    EXPECT_GT(rotation->summary.rows.at("countries"), 0);
    written.push_back(rotation->path);
    EXPECT_EQ(rotation->removed.size(), i < 2 ? 0u : 1u);
  }
  EXPECT_FALSE(std::filesystem::exists(written[0]));  // the oldest went
  EXPECT_TRUE(std::filesystem::exists(written[1]));
  EXPECT_TRUE(std::filesystem::exists(written[2]));
  EXPECT_TRUE(std::filesystem::exists(dir / "before-upgrade-from-0.0.9.jsonl"));
  EXPECT_TRUE(std::filesystem::exists(dir / "notes.txt"));
  // The newest restores.
  auto restored = backup::Restore(t_->db(), written[2]);
  EXPECT_TRUE(restored.ok()) << restored.status().ToString();
  auto refused = backup::BackupInto(t_->db(), dir.string(), 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().field(), "backup_keep");
  // A folder that cannot be made is named in the error.
  auto blocked = backup::BackupInto(t_->db(), (dir / "notes.txt" / "sub").string(), 2);
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.status().message().find("notes.txt"), std::string::npos)
      << blocked.status().message();
  std::filesystem::remove_all(dir);
}

INSTANTIATE_BACKENDS(MetricsTest);
INSTANTIATE_BACKENDS(BackupRotationTest);
INSTANTIATE_BACKENDS(OpenApiTest);

TEST(AddressList, NetworksAndMappedAddresses) {
  auto list = http::AddressList::Parse(" 10.1.0.0/16, 192.168.1.7 ,fd00::/8");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->Contains("10.1.255.3"));
  EXPECT_FALSE(list->Contains("10.2.0.1"));
  EXPECT_TRUE(list->Contains("192.168.1.7"));
  EXPECT_FALSE(list->Contains("192.168.1.8"));
  EXPECT_TRUE(list->Contains("::ffff:10.1.2.3"));  // an IPv4 client on an IPv6 socket
  EXPECT_TRUE(list->Contains("fd12::1"));
  EXPECT_FALSE(list->Contains("fe80::1"));
  EXPECT_FALSE(list->Contains("not an address"));
  EXPECT_TRUE(http::AddressList::Parse("")->empty());
  EXPECT_FALSE(http::AddressList::Parse("")->Contains("127.0.0.1"));
  auto odd = http::AddressList::Parse("10.0.0.0/12, 10.16.0.0/12");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->Contains("10.15.255.255"));
  EXPECT_TRUE(odd->Contains("10.31.0.1"));
  EXPECT_FALSE(odd->Contains("10.32.0.1"));
}

TEST(AddressList, BadEntriesAreNamed) {
  for (const char* bad : {"10.0.0.0/33", "example.org", "10.0.0.0/", "1.2.3.4/x", "::1/129"}) {
    auto list = http::AddressList::Parse(std::string("127.0.0.1, ") + bad);
    ASSERT_FALSE(list.ok()) << bad;
    EXPECT_NE(list.status().message().find(bad), std::string::npos) << list.status().message();
  }
  // In the config file, the error names the file, the line and the key.
  app::Config config;
  Status st =
      app::LoadConfigText(config, "port = 8080\nmetrics_allow = 10.0.0.0/40\n", "cbrnhub.conf");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cbrnhub.conf:2"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("metrics_allow"), std::string::npos) << st.message();
  EXPECT_TRUE(
      app::LoadConfigText(config, "metrics_allow = 127.0.0.1, 10.0.0.0/8\n", "cbrnhub.conf").ok());
  EXPECT_TRUE(config.web.metrics_allow.Contains("10.9.8.7"));
}

TEST(Histogram, BucketsAreCumulativeAndCountMatches) {
  metrics::Histogram h;
  h.Observe(std::chrono::microseconds(100));  // <= 0.0005
  h.Observe(std::chrono::milliseconds(3));    // <= 0.005
  h.Observe(std::chrono::seconds(20));        // +Inf
  std::string out;
  metrics::WriteHistogramSamples(out, "x_seconds", "route=\"/a\"", h);
  EXPECT_NE(out.find("x_seconds_bucket{route=\"/a\",le=\"0.0005\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{route=\"/a\",le=\"0.005\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{route=\"/a\",le=\"10\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_seconds_count{route=\"/a\"} 3\n"), std::string::npos) << out;
  EXPECT_EQ(metrics::EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(ScrapedGauge, ReadAtScrapeAndGoneWhenReleased) {
  double length = 7;
  auto handle = metrics::RegisterScrapedGauge("cbrnhub_test_queue_length", "a test queue",
                                              [&] { return length; });
  EXPECT_NE(metrics::Exposition("t", 1).find("cbrnhub_test_queue_length 7\n"), std::string::npos);
  length = -1;  // unknown right now: left out
  EXPECT_EQ(metrics::Exposition("t", 1).find("cbrnhub_test_queue_length"), std::string::npos);
  length = 3;
  handle.reset();
  EXPECT_EQ(metrics::Exposition("t", 1).find("cbrnhub_test_queue_length"), std::string::npos);
}

}  // namespace
}  // namespace cbrnhub::testing
