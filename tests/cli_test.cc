// The cbrnhub binary as administrators use it: subcommands, exit codes, config precedence,
// backup and restore while a server runs, graceful shutdown on SIGTERM.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/config.h"
#include "test_support.h"

namespace cbrnhub::app {
namespace {

using cbrnhub::testing::HttpRequest;
using cbrnhub::testing::ServerProcess;
using cbrnhub::testing::TempDir;
using cbrnhub::testing::TestDatabase;
using nlohmann::json;

struct CliRun {
  int code = -1;
  std::string out;  // stdout and stderr together
};

CliRun RunCli(const std::string& args, const std::string& env = "") {
  std::string cmd = env + " " CBRNHUB_BINARY " " + args + " 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(Cli, HelpListsTheSubcommandsAndVersionPrints) {
  CliRun help = RunCli("--help");
  EXPECT_EQ(help.code, 0);
  for (const char* sub : {"serve", "migrate", "seed", "backup", "restore", "version", "check",
                          "records"}) {
    EXPECT_NE(help.out.find(sub), std::string::npos) << sub;
  }
  CliRun serve_help = RunCli("serve --help");
  EXPECT_NE(serve_help.out.find("body_limit"), std::string::npos);
  EXPECT_NE(serve_help.out.find("CBRNHUB_"), std::string::npos);
  CliRun version = RunCli("version");
  EXPECT_EQ(version.code, 0);
  EXPECT_EQ(version.out.rfind("cbrnhub ", 0), 0u);
  EXPECT_NE(RunCli("frobnicate").code, 0);
}

TEST(Cli, BadConfigurationIsAClearErrorWithExitCode2) {
  std::string dir = TempDir();
  std::ofstream(dir + "/bad.conf") << "# comment\nport = 80x\n";
  CliRun r = RunCli("--config " + dir + "/bad.conf serve");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("bad.conf:2"), std::string::npos) << r.out;
  CliRun env = RunCli("migrate", "CBRNHUB_DATABASE=sqlite:" + dir + "/x.db CBRNHUB_THREADS=many");
  EXPECT_EQ(env.code, 2);
  EXPECT_NE(env.out.find("CBRNHUB_THREADS"), std::string::npos) << env.out;
  CliRun unreachable = RunCli("-d postgresql://nobody@127.0.0.1:1/x?connect_timeout=2 migrate");
  EXPECT_EQ(unreachable.code, 1);
  EXPECT_NE(unreachable.out.find("error:"), std::string::npos);
}

// An author checks a definition anywhere: no database, nothing written (issue 11: it needed a
// migrated database and created var/).
TEST(Cli, QuestionnaireCheckNeedsNoDatabase) {
  std::string dir = TempDir();
  std::string env = "cd " + dir + " && CBRNHUB_DATABASE=sqlite:/nonexistent/cbrnhub/x.db";
  CliRun ok = RunCli(
      "questionnaire load " CBRNHUB_SOURCE_DIR "/data/assessment/naq-2019.yaml --check", env);
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_NE(ok.out.find("naq 2019, 9 sections, 67 questions: no errors"), std::string::npos)
      << ok.out;
  // The sample has every text in its four languages; a missing translation is a warning when
  // checking.
  EXPECT_EQ(ok.out.find("warning:"), std::string::npos) << ok.out;
  std::ofstream(dir + "/partial.yaml")
      << "code: x\nversion: '1'\ntitle: {en: T, ru: Т}\nsections:\n  - id: s\n    title: {en: S, ru: С}\n"
         "    domain: chemical\n    function: response\n    questions:\n"
         "      - {id: Y, type: yes_partial_no, text: y}\n";
  CliRun partial = RunCli("questionnaire load partial.yaml --check", env);
  EXPECT_EQ(partial.code, 0) << partial.out;
  EXPECT_NE(partial.out.find("warning: 1 text(s) lack a translation"), std::string::npos)
      << partial.out;
  std::ofstream(dir + "/bad.yaml")
      << "code: x\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n"
         "    domain: chemical\n    function: response\n    questions:\n"
         "      - {id: Y, type: yes_partial_no, text: y, showif: {question: Y, equals: yes}}\n";
  CliRun bad = RunCli("questionnaire load bad.yaml --check", env);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("bad.yaml:10 sections[0].questions[0].showif: unknown key"),
            std::string::npos)
      << bad.out;
  EXPECT_FALSE(std::filesystem::exists(dir + "/var"));
}

TEST(Cli, HazardWritesGeoJsonSvgAndCsvWithoutADatabase) {
  const std::string dir = TempDir();
  std::string env = "cd " + dir + " && CBRNHUB_DATABASE=sqlite:/nonexistent/cbrnhub/x.db";
  std::string release =
      "hazard --substance chlorine --rate 10 --duration 600 --wind 3@270 --class D";
  // Chlorine at 10 kg/s is a dense gas: the warning goes to standard error, the map to the file.
  CliRun geojson = RunCli(release + " --format geojson --output zones.geojson", env);
  ASSERT_EQ(geojson.code, 0) << geojson.out;
  EXPECT_NE(geojson.out.find("warning: a dense (heavier-than-air) release"), std::string::npos)
      << geojson.out;
  std::ifstream zones(dir + "/zones.geojson");
  auto doc = json::parse(zones, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["properties"]["planning_estimate"], true);
  EXPECT_EQ(doc["properties"]["dense_gas"]["dense"], true);
  CliRun svg = RunCli(release + " --format svg --lang fr", env);
  ASSERT_EQ(svg.code, 0) << svg.out;
  EXPECT_NE(svg.out.find("Estimation pour la planification, pas une consigne d’intervention"),
            std::string::npos);
  CliRun csv = RunCli(release + " --format csv", env);
  EXPECT_NE(csv.out.find("3,AEGL,60,20,"), std::string::npos) << csv.out;
  CliRun calm =
      RunCli("hazard --substance chlorine --rate 10 --duration 600 --wind 0@270 --class D", env);
  EXPECT_EQ(calm.code, 2);
  EXPECT_NE(calm.out.find("[met.wind_speed_m_s]"), std::string::npos) << calm.out;
  CliRun unknown = RunCli("hazard --substance mustard --rate 1 --duration 60 --wind 3@90", env);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.out.find("[substance]"), std::string::npos) << unknown.out;
  CliRun bad_wind = RunCli("hazard --substance chlorine --rate 1 --duration 60 --wind west", env);
  EXPECT_EQ(bad_wind.code, 2);
  EXPECT_NE(bad_wind.out.find("[wind]"), std::string::npos) << bad_wind.out;
  // People per zone from a population grid: 0.002-degree cells of 100 people around the release
  // at 0 N 0 E; a bad grid is refused with its file and line.
  {
    std::ofstream grid(dir + "/people.asc");
    grid << "ncols 200\nnrows 200\nxllcorner -0.2\nyllcorner -0.2\ncellsize 0.002\n";
    for (int row = 0; row < 200; ++row) {
      for (int column = 0; column < 200; ++column) grid << "100 ";
      grid << "\n";
    }
  }
  CliRun people = RunCli(release + " --format csv --population people.asc", env);
  ASSERT_EQ(people.code, 0) << people.out;
  EXPECT_NE(people.out.find("max_half_width_m,people\n3,AEGL,60,20,"), std::string::npos)
      << people.out;
  EXPECT_NE(people.out.find("people per zone"), std::string::npos) << people.out;
  EXPECT_NE(people.out.find("(the grid does not cover every zone)"), std::string::npos);
  std::ofstream(dir + "/bad.asc") << "ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\n"
                                     "cellsize 1\n5 lots\n";
  CliRun bad_grid = RunCli(release + " --format csv --population bad.asc", env);
  EXPECT_EQ(bad_grid.code, 2);
  EXPECT_NE(bad_grid.out.find("bad.asc: line 6: \"lots\" is not a number [population]"),
            std::string::npos)
      << bad_grid.out;
}

TEST(Config, FileThenEnvironmentThenFlags) {
  Config c;
  ASSERT_TRUE(LoadConfigText(c, "port = 9000\nthreads = 3\ndatabase = \"sqlite:/tmp/a.db\"\n",
                             "test.conf")
                  .ok());
  EXPECT_EQ(c.server.port, 9000);
  setenv("CBRNHUB_PORT", "9100", 1);
  ASSERT_TRUE(LoadEnvironment(c).ok());
  unsetenv("CBRNHUB_PORT");
  EXPECT_EQ(c.server.port, 9100);
  EXPECT_EQ(c.server.threads, 3);
  ASSERT_TRUE(ApplySetting(c, "port", "9200").ok());
  EXPECT_EQ(c.server.port, 9200);
  Status unknown = LoadConfigText(c, "\n\nprot = 1\n", "test.conf");
  EXPECT_NE(unknown.message().find("test.conf:3"), std::string::npos);
  EXPECT_NE(unknown.message().find("unknown setting 'prot'"), std::string::npos);
  EXPECT_FALSE(LoadConfigText(c, "just words\n", "t").ok());
  EXPECT_FALSE(ApplySetting(c, "access_log", "maybe").ok());
}

class CliBackendTest : public ::testing::TestWithParam<std::string> {};

// Signs in as a demo account; the headers for later requests (cookie and CSRF token).
std::map<std::string, std::string> SignIn(unsigned short port, const std::string& username) {
  auto r = HttpRequest(port, "POST", "/api/v1/session",
                       json{{"username", username}, {"password", "cbrnhub-demo"}}.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  std::string cookie = r.headers["set-cookie"];
  return {{"Cookie", cookie.substr(0, cookie.find(';'))},
          {"X-CSRF-Token", json::parse(r.body, nullptr, false).value("csrf_token", "")}};
}

TEST_P(CliBackendTest, BackupAndRestoreWhileTheServerRuns) {
  SKIP_UNLESS_BACKEND(GetParam());
  auto t = TestDatabase::Create(GetParam(), /*migrate=*/false);
  ASSERT_TRUE(t);
  std::string db = "'" + t->url() + "'";
  CliRun seeded = RunCli("-d " + db + " seed --demo");
  ASSERT_EQ(seeded.code, 0) << seeded.out;
  EXPECT_NE(seeded.out.find("140 added"), std::string::npos) << seeded.out;

  ServerProcess server(CBRNHUB_BINARY, t->url());
  ASSERT_NE(server.port(), 0) << "server did not start";
  auto admin = SignIn(server.port(), "admin");
  auto created = HttpRequest(server.port(), "POST", "/api/v1/people",
                             R"({"full_name":"Before Backup","network_role":"expert"})", admin);
  ASSERT_EQ(created.status, 201) << created.body;

  std::string dir = TempDir();
  CliRun backup = RunCli("-d " + db + " backup " + dir + "/b.jsonl");
  ASSERT_EQ(backup.code, 0) << backup.out;

  auto later = HttpRequest(server.port(), "POST", "/api/v1/people",
                           R"({"full_name":"After Backup","network_role":"expert"})", admin);
  ASSERT_EQ(later.status, 201);
  CliRun restore = RunCli("-d " + db + " restore " + dir + "/b.jsonl");
  ASSERT_EQ(restore.code, 0) << restore.out;
  EXPECT_NE(restore.out.find("before-restore"), std::string::npos);

  // A restore ends every session: the old cookie no longer works.
  EXPECT_EQ(HttpRequest(server.port(), "GET", "/api/v1/people", "", admin).status, 401);
  admin = SignIn(server.port(), "admin");
  // The running server sees the restored data at once: it keeps no state of its own.
  auto people = json::parse(HttpRequest(server.port(), "GET", "/api/v1/people?q=backup", "", admin).body);
  ASSERT_EQ(people["total"], 1) << people.dump();
  EXPECT_EQ(people["items"][0]["full_name"], "Before Backup");
  CliRun check = RunCli("-d " + db + " check");
  EXPECT_EQ(check.code, 0) << check.out;
  EXPECT_NE(check.out.find("audit chain: intact"), std::string::npos);

  // A truncated backup is refused and changes nothing.
  std::string text = cbrnhub::testing::ReadFile(dir + "/b.jsonl");
  std::ofstream(dir + "/cut.jsonl") << text.substr(0, text.size() / 2);
  CliRun cut = RunCli("-d " + db + " restore " + dir + "/cut.jsonl");
  EXPECT_NE(cut.code, 0);
  EXPECT_NE(cut.out.find("nothing was changed"), std::string::npos) << cut.out;
  EXPECT_EQ(json::parse(HttpRequest(server.port(), "GET", "/api/v1/people?q=backup", "", admin).body)["total"], 1);

  EXPECT_EQ(server.Terminate(), 0);
}

TEST_P(CliBackendTest, RecordsCommandsValidateLikeTheApi) {
  SKIP_UNLESS_BACKEND(GetParam());
  auto t = TestDatabase::Create(GetParam(), /*migrate=*/false);
  ASSERT_TRUE(t);
  std::string db = "'" + t->url() + "'";
  ASSERT_EQ(RunCli("-d " + db + " seed").code, 0);
  CliRun list = RunCli("-d " + db + " records list memberships -f region_id=CA");
  ASSERT_EQ(list.code, 0) << list.out;
  EXPECT_EQ(json::parse(list.out)["total"], 7);
  CliRun bad = RunCli("-d " + db + " records create people '{\"full_name\":\"X\",\"network_role\":\"czar\"}'");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("network_role"), std::string::npos) << bad.out;
  CliRun good = RunCli("-d " + db + " records create people '{\"full_name\":\"Cli Person\",\"network_role\":\"expert\",\"country_id\":\"GE\"}'");
  ASSERT_EQ(good.code, 0) << good.out;
  EXPECT_EQ(json::parse(good.out)["owner"], "country:GE");
  CliRun get = RunCli("-d " + db + " records get countries ge");
  EXPECT_EQ(json::parse(get.out)["name"], "Georgia");
}

TEST_P(CliBackendTest, BriefWritesTheDemoRegionsBriefAsPdfAndHtml) {
  SKIP_UNLESS_BACKEND(GetParam());
  auto demo = TestDatabase::Create(GetParam(), /*migrate=*/false);
  ASSERT_TRUE(demo);
  const std::string db = "'" + demo->url() + "'", dir = TempDir();
  CliRun seed = RunCli("-d " + db + " seed --demo");
  ASSERT_EQ(seed.code, 0) << seed.out;
  EXPECT_NE(seed.out.find("demo activities"), std::string::npos) << seed.out;
  CliRun pdf = RunCli("-d " + db + " brief --region CA --date 2026-12-10 --format pdf --lang ru --output " + dir + "/b.pdf");
  ASSERT_EQ(pdf.code, 0) << pdf.out;
  std::string bytes = cbrnhub::testing::ReadFile(dir + "/b.pdf");
  EXPECT_EQ(bytes.rfind("%PDF-", 0), 0u);
  // The Russian text as poppler reads it (when poppler-utils is installed).
  std::string text;
  if (FILE* p = popen(("pdftotext " + dir + "/b.pdf - 2>/dev/null").c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    pclose(p);
  }
  if (!text.empty()) EXPECT_NE(text.find("Справка к круглому столу"), std::string::npos) << text.substr(0, 500);
  CliRun html = RunCli("-d " + db + " brief --region CA --date 2026-12-10 --format html --output " + dir + "/b.html");
  ASSERT_EQ(html.code, 0) << html.out;
  EXPECT_NE(cbrnhub::testing::ReadFile(dir + "/b.html").find("Round table brief"), std::string::npos);
  EXPECT_EQ(RunCli("-d " + db + " brief --region CA --date 10.12.2026 --output " + dir + "/x.pdf").code, 2);
  CliRun unknown = RunCli("-d " + db + " brief --region XX --date 2026-12-10 --output " + dir + "/x.pdf");
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.out.find("no region XX"), std::string::npos) << unknown.out;
}

TEST_P(CliBackendTest, QuestionnairePublishRefusesMissingTranslationsUnlessAllowed) {
  SKIP_UNLESS_BACKEND(GetParam());
  auto t = TestDatabase::Create(GetParam(), /*migrate=*/false);
  ASSERT_TRUE(t);
  std::string db = "'" + t->url() + "'";
  ASSERT_EQ(RunCli("-d " + db + " migrate").code, 0);
  std::string dir = TempDir();
  std::ofstream(dir + "/half.yaml")
      << "code: half\nversion: '1'\ntitle: {en: Half, ru: Половина}\nsections:\n"
         "  - id: s\n    title: {en: S, ru: С}\n    domain: chemical\n    function: response\n"
         "    questions:\n      - {id: Y, type: yes_partial_no, text: only English}\n";
  CliRun refused = RunCli("-d " + db + " questionnaire load " + dir + "/half.yaml");
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.out.find("half.yaml:10 sections[0].questions[0].text: no ru text"),
            std::string::npos)
      << refused.out;
  EXPECT_NE(refused.out.find("--allow-incomplete"), std::string::npos) << refused.out;
  CliRun allowed =
      RunCli("-d " + db + " questionnaire load " + dir + "/half.yaml --allow-incomplete");
  EXPECT_EQ(allowed.code, 0) << allowed.out;
  EXPECT_NE(allowed.out.find("half 1: published"), std::string::npos) << allowed.out;
}

INSTANTIATE_BACKENDS(CliBackendTest);

}  // namespace
}  // namespace cbrnhub::app
