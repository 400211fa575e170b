// E-mail notifications against a real SMTP server on loopback (tests/mail/smtp_sink.py, Debian's
// python3-aiosmtpd): who is told (never a reader who may not see the record: another region's
// secretariat, another country's team), in their language, immediately or in a daily digest,
// back-off and failure on a refusing server, one sender per message with several nodes.
#include <nlohmann/json.hpp>

#include <dirent.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "core/ids.h"
#include "notify/notify.h"
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

// tests/mail/smtp_sink.py on a free port, keeping messages as files in its folder.
class SmtpSink {
 public:
  explicit SmtpSink(bool refuse) : dir_(TempDir() + "/smtp-" + NewUuid()), port_(FreePort()) {
    mkdir(dir_.c_str(), 0700);
    std::string script = std::string(CBRNHUB_SOURCE_DIR) + "/tests/mail/smtp_sink.py";
    std::string port = std::to_string(port_);
    pid_ = fork();
    if (pid_ == 0) {
      if (refuse) {
        execl("/usr/bin/python3", "python3", script.c_str(), "--port", port.c_str(), "--dir", dir_.c_str(),
              "--refuse", nullptr);
      } else {
        execl("/usr/bin/python3", "python3", script.c_str(), "--port", port.c_str(), "--dir", dir_.c_str(), nullptr);
      }
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
    for (const char* u : {"nfp.uz", "team.uz", "nfp.ge", "team.ge", "secretariat.ca", "secretariat.seee",
                          "programme", "licensing.uz", "licensing.ge", "reviewer.uz"}) {
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
  notify::Sender sender(t_->db(), catalogs_, Smtp(sink));
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

TEST_P(MailTest, ExportControlEventsStayInTheirCountry) {
  // A licence waiting for opinions and a screening hit of Uzbekistan: its reviewing agency and
  // its licensing officer; never Georgia's licensing officer, never anyone outside export control.
  auto txn = t_->db().Begin(storage::Access::kWrite);
  ASSERT_TRUE(txn.ok());
  access::RecordScope licence{"exportctl:UZ", access::Sharing::kPrivate, "", access::Policy::kExportControl, "under_review", {}};
  ASSERT_TRUE(notify::Enqueue(**txn, {notify::kLicenceOpinionWanted, "licences", NewUuid(), licence,
                                      access::Action::kReview, "UZ-2026-001", "/licences/x", ""})
                  .ok());
  access::RecordScope screening{"exportctl:UZ", access::Sharing::kPrivate, "", access::Policy::kExportControl, "", {}};
  ASSERT_TRUE(notify::Enqueue(**txn, {notify::kScreeningHit, "screenings", NewUuid(), screening,
                                      access::Action::kDecide, "ACME Trading", "/screening/x", ""})
                  .ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  auto queue = Queue();
  std::multiset<std::string> told = Recipients(queue);
  EXPECT_EQ(told.count("licensing.ge"), 0u);
  EXPECT_EQ(told.count("secretariat.ca"), 0u);
  EXPECT_EQ(told.count("nfp.uz"), 0u);
  EXPECT_EQ(told.count("reviewer.uz"), 1u);
  for (const auto& m : queue) {
    if (m.event == notify::kScreeningHit) {
      EXPECT_EQ(m.username, "licensing.uz");
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
  notify::Sender sender(t_->db(), catalogs_, Smtp(sink));
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
  notify::Sender sender(t_->db(), catalogs_, Smtp(refusing));
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

TEST_P(MailTest, TwoNodesSendEachMessageOnce) {
  SmtpSink sink(false);
  ASSERT_TRUE(sink.ready());
  for (const char* title : {"A", "B", "C", "D", "E", "F"}) Submit("UZ", title, "nfp.uz");
  auto other = t_->OpenAnother();
  notify::Sender one(t_->db(), catalogs_, Smtp(sink));
  notify::Sender two(*other, catalogs_, Smtp(sink));
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
