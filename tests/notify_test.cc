// E-mail notifications against a real SMTP server on loopback (tests/mail/smtp_sink.py, Debian's
// python3-aiosmtpd): who is told (never a reader who may not see the record: another region's
// secretariat, another country's team), in their language, immediately or in a daily digest,
// back-off and failure on a refusing server, one sender per message with several nodes.
#include "notify/notify.h"

#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ids.h"
#include "exportctl/exportctl.h"
#include "server_fixture.h"

namespace cbrnhub::testing {
namespace {

using Headers = std::map<std::string, std::string>;

unsigned short FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// tests/mail/smtp_sink.py on a free port, keeping messages as files in its folder. `options`
// are the script's own (--refuse, --cert/--key for STARTTLS, --user/--password for AUTH).
class SmtpSink {
 public:
  explicit SmtpSink(bool refuse)
      : SmtpSink(refuse ? std::vector<std::string>{"--refuse"} : std::vector<std::string>{}) {}
  explicit SmtpSink(std::vector<std::string> options)
      : dir_(TempDir() + "/smtp-" + NewUuid()), port_(FreePort()) {
    mkdir(dir_.c_str(), 0700);
    std::vector<std::string> args = {
        "python3", std::string(CBRNHUB_SOURCE_DIR) + "/tests/mail/smtp_sink.py",
        "--port",  std::to_string(port_),
        "--dir",   dir_};
    args.insert(args.end(), options.begin(), options.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      execv("/usr/bin/python3", argv.data());
      _exit(127);
    }
    for (int i = 0; i < 100 && !Exists(dir_ + "/ready"); ++i) usleep(100 * 1000);
  }
  ~SmtpSink() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const { return Exists(dir_ + "/ready"); }
  const std::string& dir() const { return dir_; }
  unsigned short port() const { return port_; }
  // The messages received so far, in order.
  std::vector<std::string> Messages() const {
    std::vector<std::string> names;
    if (DIR* d = opendir(dir_.c_str())) {
      while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 4 && n.substr(n.size() - 4) == ".eml") names.push_back(n);
      }
      closedir(d);
    }
    std::sort(names.begin(), names.end());
    std::vector<std::string> out;
    for (const auto& n : names) out.push_back(ReadFile(dir_ + "/" + n));
    return out;
  }

 private:
  static bool Exists(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
  }
  std::string dir_;
  unsigned short port_;
  pid_t pid_ = -1;
};

// The value of header `name` of a message, RFC 2047 base64 words decoded.
std::string HeaderOf(const std::string& message, const std::string& name) {
  auto at = message.find("\r\n" + name + ": ");
  if (at == std::string::npos) at = message.rfind(name + ": ", 0) == 0 ? 0 : std::string::npos;
  if (at == std::string::npos) return "";
  at = message.find(": ", at) + 2;
  std::string value = message.substr(at, message.find("\r\n", at) - at);
  if (value.rfind("=?UTF-8?B?", 0) == 0) {
    std::string decoded;
    Base64Decode(value.substr(10, value.size() - 12), &decoded);
    return decoded;
  }
  return value;
}

// The decoded text body of a message.
std::string BodyOf(const std::string& message) {
  std::string b64 = message.substr(message.find("\r\n\r\n") + 4), clean, body;
  for (char c : b64) {
    if (c != '\r' && c != '\n') clean += c;
  }
  Base64Decode(clean, &body);
  return body;
}

// A relay that requires STARTTLS with the certificate in `tls` and a login.
constexpr const char* kRelayUser = "cbrnhub-relay";
constexpr const char* kRelayPassword = "s3cret-Passphrase";
std::vector<std::string> RelayOptions(const std::string& tls) {
  return {"--cert", tls + "/cert.pem", "--key",      tls + "/key.pem",
          "--user", kRelayUser,        "--password", kRelayPassword};
}

class MailTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (::access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null") != 0) {
      GTEST_FAIL() << "python3-aiosmtpd is missing: scripts/install-deps --test installs it";
    }
    Exec("UPDATE users SET email = username || '@example.org'");
    // Languages of the people written to: the secretariat reads Russian, the focal point French.
    Exec("UPDATE users SET language = 'ru' WHERE username = 'secretariat.ca'");
    Exec("UPDATE users SET language = 'fr' WHERE username = 'nfp.uz'");
    for (const char* u :
         {"nfp.uz", "team.uz", "nfp.ge", "team.ge", "secretariat.ca", "secretariat.seee",
          "programme", "licensing.uz", "licensing.ge", "reviewer.uz", "customs.uz"}) {
      auto [cookie, csrf] = SignIn(u);
      as_[u] = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
    }
    auto list = Json(Get("/api/v1/questionnaires"));
    for (const auto& q : list["items"]) {
      if (q["version"] == "2019") questionnaire_ = q["id"];
    }
  }
  void Exec(const std::string& sql) {
    auto txn = t_->db().Begin(storage::Access::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->Exec(sql).ok()) << sql;
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  HttpResponse As(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return Call(method, target, body, as_[user]);
  }
  notify::SmtpSettings Smtp(const SmtpSink& sink) {
    notify::SmtpSettings s;
    s.url = "smtp://127.0.0.1:" + std::to_string(sink.port());
    s.starttls = false;  // the local sink speaks plain SMTP
    s.from = "cbrnhub@example.org";
    s.base_url = "https://cbrnhub.example.org";
    s.timeout_seconds = 10;
    s.max_attempts = 2;
    s.retry_base_seconds = 60;
    return s;
  }
  // Records' scopes as the server's sender reads them.
  notify::ScopeLookup Scopes() {
    return notify::StoredScopes(*store_, {{"screenings", exportctl::ScreeningScope}});
  }
  std::string UserId(const std::string& username) {
    json users = Json(Get("/api/v1/users"));
    for (const auto& u : users["items"]) {
      if (u["username"] == username) return u["id"];
    }
    ADD_FAILURE() << "no user " << username;
    return "";
  }
  HttpResponse ChangeUser(const std::string& username, const json& changes) {
    return Call("PATCH", "/api/v1/users/" + UserId(username), changes.dump());
  }
  // STARTTLS required, the relay's certificate trusted through `ca_file` ("" = the system's).
  notify::SmtpSettings RelaySettings(const SmtpSink& relay, const std::string& ca_file,
                                     const std::string& password) {
    notify::SmtpSettings s = Smtp(relay);
    s.starttls = true;
    s.ca_file = ca_file;
    s.username = kRelayUser;
    s.password = password;
    return s;
  }
  std::string Submit(const std::string& country, const std::string& title, const std::string& nfp) {
    auto r = As(nfp, "POST", "/api/v1/assessments",
                json{{"country", country}, {"questionnaire_id", questionnaire_}, {"title", title}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    std::string id = Json(r)["id"];
    auto s = As(nfp, "POST", "/api/v1/assessments/" + id + "/transition", R"({"to":"submitted"})");
    EXPECT_EQ(s.status, 200) << s.body;
    return id;
  }
  std::vector<notify::QueuedMessage> Queue(const std::string& status = "") {
    auto q = notify::ListQueue(t_->db(), {access::Principal::System("test"), ""}, status, 1000);
    EXPECT_TRUE(q.ok());
    return q.ok() ? *q : std::vector<notify::QueuedMessage>{};
  }
  std::string Dump() {
    std::string out;
    for (const auto& m : Queue()) out += m.event + " -> " + m.username + " (" + m.status + ") " + m.last_error + "\n";
    return out;
  }
  std::multiset<std::string> Recipients(const std::vector<notify::QueuedMessage>& queue) {
    std::multiset<std::string> out;
    for (const auto& m : queue) out.insert(m.username);
    return out;
  }
  // Every message's recipient may read the record it speaks of, checked through the API as
  // that recipient (the rule in action, not the code again).
  void ExpectEveryRecipientMayReadTheRecord() {
    for (const auto& m : Queue()) {
      std::string path = m.record_kind == "screenings" ? "/api/v1/screenings/" + m.record_id
                                                      : "/api/v1/" + m.record_kind + "/" + m.record_id;
      if (!as_.count(m.username)) continue;
      EXPECT_EQ(As(m.username, "GET", path).status, 200) << m.username << " was told of " << path;
    }
  }
  std::map<std::string, Headers> as_;
  std::string questionnaire_;
};

TEST_P(MailTest, AnAssessmentsStepsReachOnlyThoseWhoActOnItInTheirLanguage) {
  SmtpSink sink(false);
  ASSERT_TRUE(sink.ready());
  std::string uz = Submit("UZ", "NAQ Uzbekistan 2026", "nfp.uz");
  // Submitted: Central Asia's secretariat reviews it. Not Georgia's region's secretariat, not
  // Georgia's people, not the focal point who did it, not the programme (not shared with it).
  EXPECT_EQ(Recipients(Queue()), (std::multiset<std::string>{"secretariat.ca"}));
  notify::Sender sender(t_->db(), catalogs_, Smtp(sink), Scopes());
  auto report = sender.SendDue();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 1);
  auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("X-Rcpt: secretariat.ca@example.org"), std::string::npos);
  EXPECT_EQ(HeaderOf(messages[0], "Subject"),
            "Оценка потребностей подана на утверждение: NAQ Uzbekistan 2026");
  EXPECT_NE(BodyOf(messages[0]).find("https://cbrnhub.example.org/assessments/" + uz), std::string::npos);

  // Returned, then validated: the focal point hears, in French.
  ASSERT_EQ(As("secretariat.ca", "POST", "/api/v1/assessments/" + uz + "/transition",
               R"({"to":"returned","comment":"LEG5 needs the reference"})").status, 200);
  ASSERT_EQ(As("nfp.uz", "POST", "/api/v1/assessments/" + uz + "/transition", R"({"to":"submitted"})").status, 200);
  ASSERT_EQ(As("secretariat.ca", "POST", "/api/v1/assessments/" + uz + "/transition", R"({"to":"validated"})").status,
            200);
  ASSERT_TRUE(sender.SendDue().ok());
  messages = sink.Messages();
  ASSERT_EQ(messages.size(), 4u) << Dump();
  std::multiset<std::string> to_focal_point;
  for (const auto& m : messages) {
    if (m.find("X-Rcpt: nfp.uz@example.org") != std::string::npos) to_focal_point.insert(HeaderOf(m, "Subject"));
  }
  EXPECT_EQ(to_focal_point, (std::multiset<std::string>{"Évaluation des besoins renvoyée : NAQ Uzbekistan 2026",
                                                        "Évaluation des besoins validée : NAQ Uzbekistan 2026"}));
  for (const auto& m : Queue()) EXPECT_EQ(m.status, "sent") << m.username;
  ExpectEveryRecipientMayReadTheRecord();

  // Georgia's submission reaches its own region's secretariat only.
  Submit("GE", "NAQ Georgia 2026", "nfp.ge");
  EXPECT_EQ(Recipients(Queue("queued")), (std::multiset<std::string>{"secretariat.seee"}));
  ExpectEveryRecipientMayReadTheRecord();
}

// The real workflow through the API: a licence put under review waits for the opinion of its
// country's reviewing agency; a party screened by customs with a hit waits for the decision of
// its country's licensing officer. Never Georgia's officer, never anyone outside export control,
// and no message carries Georgia's licence or screening.
TEST_P(MailTest, ALicenceUnderReviewAndAScreeningHitReachTheirCountrysExportControlOnly) {
  SmtpSink sink(false);
  ASSERT_TRUE(sink.ready());
  Exec("UPDATE users SET language = 'ar' WHERE username = 'reviewer.uz'");
  Exec("UPDATE users SET language = 'ru' WHERE username = 'licensing.uz'");
  std::ifstream un(SharedDataDir() + "/sanctions/un_consolidated.xml", std::ios::binary);
  std::string xml((std::istreambuf_iterator<char>(un)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(xml.empty());
  auto edition = As(
      "licensing.uz", "POST", "/api/v1/sanctions/editions",
      json{{"list_code", "un"}, {"format", "un-xml"}, {"source_name", "un.xml"}, {"content", xml}}
          .dump());
  ASSERT_EQ(edition.status, 201) << edition.body.substr(0, 300);
  // A licence from draft to under review, as its country's licensing officer does it.
  auto under_review = [&](const std::string& officer, const std::string& country,
                          const std::string& reference, const std::string& end_user) {
    auto created = As(officer, "POST", "/api/v1/licences",
                      json{{"reference", reference},
                           {"country", country},
                           {"exporter", "Chemical Works " + country},
                           {"end_user", end_user},
                           {"end_use", "water treatment"}}
                          .dump());
    EXPECT_EQ(created.status, 201) << created.body;
    std::string id = Json(created)["id"];
    EXPECT_EQ(As(officer, "POST", "/api/v1/licence_items",
                 json{{"licence_id", id},
                      {"control_code", "1C350"},
                      {"description", "thiodiglycol"},
                      {"quantity", 200}}
                     .dump())
                  .status,
              201);
    for (const char* to : {"submitted", "under_review"}) {
      auto moved =
          As(officer, "POST", "/api/v1/licences/" + id + "/transition", json{{"to", to}}.dump());
      EXPECT_EQ(moved.status, 200) << to << ": " << moved.body;
    }
    return id;
  };
  under_review("licensing.ge", "GE", "GE-2026-017", "Rustavi Fertiliser Plant");
  auto ge_screening = As("licensing.ge", "POST", "/api/v1/screenings",
                         R"({"name":"Ayman al-Zawahiri","id":"GE-P1"})");
  ASSERT_EQ(ge_screening.status, 201) << ge_screening.body.substr(0, 300);
  EXPECT_TRUE(Queue().empty()) << "Georgia has no one else in export control to tell:\n" << Dump();

  std::string licence = under_review("licensing.uz", "UZ", "UZ-2026-001", "Aral Water Works");
  auto screened = As("customs.uz", "POST", "/api/v1/screenings",
                     R"({"name":"Ayman al-Zawahiri","id":"UZ-P1"})");
  ASSERT_EQ(screened.status, 201) << screened.body.substr(0, 300);
  ASSERT_GE(Json(screened)["open_count"].get<int>(), 1);
  std::string screening = Json(screened)["id"];
  // The licence: its reviewing agency (the officer moved it). The hit: the licensing officer
  // (customs screened it and may not decide).
  std::map<std::string, std::string> told;
  for (const auto& m : Queue()) told[m.event + " " + m.record_id] += m.username + " ";
  EXPECT_EQ(told, (std::map<std::string, std::string>{
                      {"licence_opinion_wanted " + licence, "reviewer.uz "},
                      {"screening_hit " + screening, "licensing.uz "}}))
      << Dump();
  ExpectEveryRecipientMayReadTheRecord();

  notify::Sender sender(t_->db(), catalogs_, Smtp(sink), Scopes());
  auto report = sender.SendDue();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 2);
  auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 2u);
  std::map<std::string, std::string> subject_to;
  for (const auto& m : messages) {
    std::string rcpt = m.substr(8, m.find("\r\n") - 8);
    subject_to[rcpt] = HeaderOf(m, "Subject");
    std::string text = HeaderOf(m, "Subject") + BodyOf(m);
    for (const char* other : {"GE-2026-017", "Rustavi", "Chemical Works GE", "GE-P1"}) {
      EXPECT_EQ(text.find(other), std::string::npos) << rcpt << " reads Georgia's " << other;
    }
  }
  EXPECT_EQ(subject_to, (std::map<std::string, std::string>{
                            {"reviewer.uz@example.org", "طلب ترخيص ينتظر رأيك: UZ-2026-001"},
                            {"licensing.uz@example.org",
                             "Совпадение при проверке ждёт решения: Ayman al-Zawahiri"}}));
  for (const auto& m : messages) {
    if (m.find("X-Rcpt: licensing.uz@") == 0) {
      EXPECT_NE(BodyOf(m).find("https://cbrnhub.example.org/screening/" + screening),
                std::string::npos);
    }
  }
}

TEST_P(MailTest, ADigestReaderGetsOneMessageADayAndNoneMeansNone) {
  SmtpSink sink(false);
  ASSERT_TRUE(sink.ready());
  ASSERT_EQ(As("secretariat.ca", "PUT", "/api/v1/account/notifications", R"({"mode":"digest"})").status, 200);
  EXPECT_EQ(Json(As("secretariat.ca", "GET", "/api/v1/account/notifications"))["mode"], "digest");
  EXPECT_EQ(As("secretariat.ca", "PUT", "/api/v1/account/notifications", R"({"mode":"weekly"})").status, 400);
  Submit("UZ", "NAQ Uzbekistan A", "nfp.uz");
  Submit("UZ", "NAQ Uzbekistan B", "nfp.uz");
  notify::Sender sender(t_->db(), catalogs_, Smtp(sink), Scopes());
  ASSERT_TRUE(sender.SendDue().ok());
  EXPECT_TRUE(sink.Messages().empty()) << "a digest waits for its hour";
  ASSERT_EQ(Queue("queued").size(), 2u);
  for (const auto& m : Queue("queued")) EXPECT_TRUE(m.digest);
  // The digest hour comes.
  Exec("UPDATE mail_queue SET next_attempt_at = '2000-01-01T00:00:00Z'");
  auto report = sender.SendDue();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->sent, 1);
  auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(HeaderOf(messages[0], "Subject"), "cbrnhub: ваша ежедневная сводка");
  std::string body = BodyOf(messages[0]);
  EXPECT_NE(body.find("NAQ Uzbekistan A"), std::string::npos) << body;
  EXPECT_NE(body.find("NAQ Uzbekistan B"), std::string::npos) << body;
  // None: nothing is queued for them any more.
  ASSERT_EQ(As("secretariat.ca", "PUT", "/api/v1/account/notifications", R"({"mode":"none"})").status, 200);
  Submit("UZ", "NAQ Uzbekistan C", "nfp.uz");
  EXPECT_TRUE(Queue("queued").empty());
  // The account page offers the three choices, labelled in the reader's language.
  auto page = As("secretariat.ca", "GET", "/account?lang=fr");
  EXPECT_NE(page.body.find("un récapitulatif quotidien"), std::string::npos);
  auto saved = As("secretariat.ca", "POST", "/account/notifications?lang=en", "mode=immediate");
  EXPECT_EQ(saved.status, 303) << saved.body;
}

TEST_P(MailTest, ARefusingServerMeansRetryWithBackOffThenFailedVisibleToAdministrators) {
  SmtpSink refusing(true);
  ASSERT_TRUE(refusing.ready());
  Submit("UZ", "NAQ Uzbekistan 2026", "nfp.uz");
  notify::Sender sender(t_->db(), catalogs_, Smtp(refusing), Scopes());
  auto report = sender.SendDue();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->retried, 1);
  auto queued = Queue("queued");
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].attempts, 1);
  EXPECT_NE(queued[0].last_error.find("451"), std::string::npos) << queued[0].last_error;
  EXPECT_GT(queued[0].next_attempt_at, UtcAfter(50)) << "the retry waits (back-off)";
  // Not due yet: nothing is tried.
  report = sender.SendDue();
  EXPECT_EQ(report->retried + report->failed + report->sent, 0);
  EXPECT_EQ(*notify::QueueLength(t_->db()), 1);
  Exec("UPDATE mail_queue SET next_attempt_at = '2000-01-01T00:00:00Z'");
  report = sender.SendDue();
  EXPECT_EQ(report->failed, 1);
  EXPECT_EQ(*notify::QueueLength(t_->db()), 0);
  // The administrators see it, with the server's answer; nobody else does.
  auto failed = Json(Get("/api/v1/admin/mail?status=failed"));
  ASSERT_EQ(failed["items"].size(), 1u) << failed.dump();
  EXPECT_EQ(failed["items"][0]["username"], "secretariat.ca");
  EXPECT_NE(failed["items"][0]["last_error"].get<std::string>().find("451"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/admin/mail?status=lost").status, 400);
  EXPECT_EQ(As("secretariat.ca", "GET", "/api/v1/admin/mail").status, 403);
  auto page = Get("/admin/mail?status=failed");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("secretariat.ca@example.org"), std::string::npos);
}

// A self-signed certificate for 127.0.0.1 made by openssl for this test: the SMTP server's, and
// the CA file the sender trusts it by. Returns its folder (cert.pem, key.pem), "" on failure.
std::string MakeLoopbackCertificate() {
  std::string dir = TempDir() + "/tls-" + NewUuid();
  mkdir(dir.c_str(), 0700);
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
      " -addext subjectAltName=IP:127.0.0.1 -keyout " +
      dir + "/key.pem -out " + dir + "/cert.pem 2>/dev/null";
  return system(command.c_str()) == 0 ? dir : "";
}

// What an installation with a real relay sets: STARTTLS with the relay's certificate checked
// against smtp_ca_file, and a login. The server requires both; the message arrives over TLS,
// authenticated. A certificate not trusted is refused (the message waits, the error shown).
TEST_P(MailTest, StartTlsAndAuthenticationAsConfigured) {
  std::string tls = MakeLoopbackCertificate();
  ASSERT_FALSE(tls.empty()) << "openssl could not make a certificate";
  SmtpSink relay(RelayOptions(tls));
  ASSERT_TRUE(relay.ready());
  Submit("UZ", "NAQ over TLS", "nfp.uz");
  notify::SmtpSettings settings = RelaySettings(relay, "", kRelayPassword);
  // The relay's certificate is not in the system's bundle: refused, retried later.
  {
    notify::Sender untrusting(t_->db(), catalogs_, settings, Scopes());
    auto report = untrusting.SendDue();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->retried, 1);
    EXPECT_TRUE(relay.Messages().empty());
    ASSERT_EQ(Queue("queued").size(), 1u);
    EXPECT_FALSE(Queue("queued")[0].last_error.empty());
    Exec("UPDATE mail_queue SET next_attempt_at = '2000-01-01T00:00:00Z'");
  }
  settings.ca_file = tls + "/cert.pem";
  notify::Sender sender(t_->db(), catalogs_, settings, Scopes());
  auto report = sender.SendDue();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 1) << Dump();
  auto messages = relay.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find(std::string("X-Auth-User: ") + kRelayUser + "\r\n"), std::string::npos)
      << messages[0].substr(0, 200);
  EXPECT_NE(messages[0].find("X-Tls: yes\r\n"), std::string::npos);
  EXPECT_NE(HeaderOf(messages[0], "Subject").find("NAQ over TLS"), std::string::npos);
}

// A wrong password: the relay refuses the login; the message stays queued with the relay's
// answer for administrators and is tried again later (back-off), then goes once it is right.
TEST_P(MailTest, AWrongSmtpPasswordKeepsTheMessageQueuedWithTheError) {
  std::string tls = MakeLoopbackCertificate();
  ASSERT_FALSE(tls.empty()) << "openssl could not make a certificate";
  SmtpSink relay(RelayOptions(tls));
  ASSERT_TRUE(relay.ready());
  Submit("UZ", "NAQ wrong password", "nfp.uz");
  notify::SmtpSettings settings = RelaySettings(relay, tls + "/cert.pem", "not-the-password");
  settings.max_attempts = 5;
  {
    notify::Sender sender(t_->db(), catalogs_, settings, Scopes());
    auto report = sender.SendDue();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->retried, 1);
    EXPECT_EQ(report->sent, 0);
    auto queued = Queue("queued");
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(queued[0].attempts, 1);
    EXPECT_GT(queued[0].next_attempt_at, UtcAfter(50)) << "the retry waits (back-off)";
    auto listed = Json(Get("/api/v1/admin/mail?status=queued"));
    ASSERT_EQ(listed["items"].size(), 1u);
    std::string error = listed["items"][0]["last_error"];
    EXPECT_NE(error.find("535"), std::string::npos)
        << error;  // the relay's "authentication failed"
    EXPECT_EQ(error.find("not-the-password"), std::string::npos) << "the password is never shown";
    EXPECT_NE(Get("/admin/mail?status=queued").body.find("535"), std::string::npos);
    // Not due yet: not tried again.
    report = sender.SendDue();
    EXPECT_EQ(report->retried + report->sent + report->failed, 0);
    // Second failure waits twice as long.
    Exec("UPDATE mail_queue SET next_attempt_at = '2000-01-01T00:00:00Z'");
    ASSERT_EQ(sender.SendDue()->retried, 1);
    EXPECT_EQ(Queue("queued")[0].attempts, 2);
    EXPECT_GT(Queue("queued")[0].next_attempt_at, UtcAfter(110));
  }
  settings.password = kRelayPassword;
  Exec("UPDATE mail_queue SET next_attempt_at = '2000-01-01T00:00:00Z'");
  notify::Sender fixed(t_->db(), catalogs_, settings, Scopes());
  EXPECT_EQ(fixed.SendDue()->sent, 1);
  ASSERT_EQ(relay.Messages().size(), 1u);
  EXPECT_EQ(Queue("sent").size(), 1u);
}

// A message waits (a digest up to a day, a retry hours): the sender decides its recipient again
// on the account and the record as they are when it is sent, and drops, with the reason shown
// to administrators, what they are no longer to get.
TEST_P(MailTest, AQueuedMessageIsDroppedWhenItsRecipientIsNoLongerToGetIt) {
  SmtpSink sink(false);
  ASSERT_TRUE(sink.ready());
  notify::Sender sender(t_->db(), catalogs_, Smtp(sink), Scopes());
  auto send = [&] {
    auto report = sender.SendDue();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : notify::Sender::Report{};
  };
  auto reason_of = [&](const std::string& title) {
    for (const auto& m : Queue()) {
      if (m.title == title) return m.status + ": " + m.last_error;
    }
    return std::string("not queued");
  };
  // Disabled after the message was queued.
  Submit("UZ", "NAQ disabled", "nfp.uz");
  ASSERT_EQ(ChangeUser("secretariat.ca", {{"disabled", true}}).status, 200);
  EXPECT_EQ(send().dropped, 1);
  EXPECT_EQ(reason_of("NAQ disabled"), "dropped: recipient_disabled");
  ASSERT_EQ(ChangeUser("secretariat.ca", {{"disabled", false}}).status, 200);

  // Moved to another region's secretariat: no longer Central Asia's assessments.
  Submit("UZ", "NAQ moved", "nfp.uz");
  ASSERT_EQ(ChangeUser("secretariat.ca", {{"region", "SEEE"}}).status, 200);
  EXPECT_EQ(send().dropped, 1);
  EXPECT_EQ(reason_of("NAQ moved"), "dropped: no_access");
  ASSERT_EQ(ChangeUser("secretariat.ca", {{"region", "CA"}}).status, 200);

  // A new role that reads everything but acts on nothing (an observer of the network).
  Submit("UZ", "NAQ demoted", "nfp.uz");
  ASSERT_EQ(ChangeUser("secretariat.ca", {{"role", "observer"}, {"region", ""}}).status, 200);
  EXPECT_EQ(send().dropped, 1);
  EXPECT_EQ(reason_of("NAQ demoted"), "dropped: no_access");
  ASSERT_EQ(ChangeUser("secretariat.ca", {{"role", "secretariat"}, {"region", "CA"}}).status, 200);

  // "None" chosen on another node after the message was queued (this node's settings page
  // drops the waiting messages at once; the sender does not rely on it).
  Submit("UZ", "NAQ none", "nfp.uz");
  Exec("INSERT INTO notification_settings (user_id, mode, updated_at) VALUES ('" +
       UserId("secretariat.ca") + "', 'none', '2026-01-01T00:00:00Z')");
  EXPECT_EQ(send().dropped, 1);
  EXPECT_EQ(reason_of("NAQ none"), "dropped: chose_none");
  Exec("DELETE FROM notification_settings");
  // The address changed meanwhile: the message goes to the current one.
  Submit("UZ", "NAQ still theirs", "nfp.uz");
  Exec("UPDATE users SET email = 'ca.secretariat@example.org' WHERE username = 'secretariat.ca'");
  auto report = send();
  EXPECT_EQ(report.sent, 1);
  EXPECT_EQ(report.dropped, 0);
  auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u) << Dump();
  EXPECT_NE(messages[0].find("X-Rcpt: ca.secretariat@example.org"), std::string::npos);
  EXPECT_NE(HeaderOf(messages[0], "Subject").find("NAQ still theirs"), std::string::npos);
  EXPECT_EQ(*notify::QueueLength(t_->db()), 0);

  // Administrators see each dropped message with its reason: codes on the API, labels on the page.
  auto dropped = Json(Get("/api/v1/admin/mail?status=dropped"));
  ASSERT_EQ(dropped["items"].size(), 4u) << dropped.dump();
  std::multiset<std::string> reasons;
  for (const auto& m : dropped["items"]) reasons.insert(m["last_error"]);
  EXPECT_EQ(reasons, (std::multiset<std::string>{"recipient_disabled", "no_access", "no_access",
                                                 "chose_none"}));
  auto page = Get("/admin/mail?status=dropped&lang=fr");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("le compte du destinataire est désactivé"), std::string::npos);
  EXPECT_NE(page.body.find("le destinataire a désactivé les notifications"), std::string::npos);
  EXPECT_EQ(page.body.find("recipient_disabled"), std::string::npos) << "the code, not its label";
}

// A screening deleted or a record gone: nothing to tell of.
TEST_P(MailTest, AMessageAboutARecordThatIsGoneIsDropped) {
  SmtpSink sink(false);
  ASSERT_TRUE(sink.ready());
  std::string id = Submit("UZ", "NAQ gone", "nfp.uz");
  Exec("UPDATE mail_queue SET record_id = '" + NewUuid() + "'");
  notify::Sender sender(t_->db(), catalogs_, Smtp(sink), Scopes());
  auto report = sender.SendDue();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->dropped, 1);
  EXPECT_TRUE(sink.Messages().empty());
  ASSERT_EQ(Queue("dropped").size(), 1u);
  EXPECT_EQ(Queue("dropped")[0].last_error, "record_gone");
}

TEST_P(MailTest, TwoNodesSendEachMessageOnce) {
  SmtpSink sink(false);
  ASSERT_TRUE(sink.ready());
  for (const char* title : {"A", "B", "C", "D", "E", "F"}) Submit("UZ", title, "nfp.uz");
  auto other = t_->OpenAnother();
  notify::Sender one(t_->db(), catalogs_, Smtp(sink), Scopes());
  notify::Sender two(*other, catalogs_, Smtp(sink), Scopes());
  std::thread a([&] { (void)one.SendDue(); });
  std::thread b([&] { (void)two.SendDue(); });
  a.join();
  b.join();
  EXPECT_EQ(sink.Messages().size(), 6u);
  EXPECT_EQ(Queue("sent").size(), 6u);
}

TEST_P(MailTest, DueFollowUpsAndOverdueMilestonesAreToldOnceToThoseWhoMayChangeThem) {
  records::Caller seeder{access::Principal::System("seed"), ""};
  assessment::Service assessments(*store_);
  plans::Service plans(*store_, assessments);
  meetings::Service meetings(*store_, assessments, plans);
  ASSERT_TRUE(meetings.SeedDemo(seeder).ok());  // Central Asia's round tables, a follow-up open
  // Uzbekistan's plan with a milestone not reached.
  auto plan = As("nfp.uz", "POST", "/api/v1/action_plans", R"({"country":"UZ","title":"NAP Uzbekistan"})");
  ASSERT_EQ(plan.status, 201) << plan.body;
  auto action = As("nfp.uz", "POST", "/api/v1/plan_actions",
                   json{{"plan_id", Json(plan)["id"]}, {"title", "Train the first responders"}}.dump());
  ASSERT_EQ(action.status, 201) << action.body;
  auto milestone = As("nfp.uz", "POST", "/api/v1/plan_milestones",
                      json{{"action_id", Json(action)["id"]}, {"title", "Course held"}, {"due", "2026-01-15"}}.dump());
  ASSERT_EQ(milestone.status, 201) << milestone.body;
  auto due = meetings.NotifyDueFollowUps("2999-12-31");
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  auto overdue = plans.NotifyOverdueMilestones("2999-12-31");
  ASSERT_TRUE(overdue.ok()) << overdue.status().ToString();
  EXPECT_GT(*due, 0) << Dump();
  EXPECT_EQ(*overdue, 1) << Dump();  // the focal point (who made it is told too: a date passing is nobody's doing)
  // Once: the next check adds nothing.
  EXPECT_EQ(*meetings.NotifyDueFollowUps("2999-12-31"), 0);
  EXPECT_EQ(*plans.NotifyOverdueMilestones("2999-12-31"), 0);
  std::multiset<std::string> told = Recipients(Queue());
  EXPECT_EQ(told.count("secretariat.seee"), 0u) << "Central Asia's work is not Georgia's region's";
  EXPECT_EQ(told.count("nfp.ge") + told.count("team.ge"), 0u);
  ExpectEveryRecipientMayReadTheRecord();
}

INSTANTIATE_BACKENDS(MailTest);

}  // namespace
}  // namespace cbrnhub::testing
