// The background sender: claims due messages with a lease, sends them over SMTP with libcurl,
// records the outcome; retries with exponential back-off.
#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <tuple>

#include "core/ids.h"
#include "notify/notify.h"
#include "notify/recipients.h"

namespace cbrnhub::notify {
namespace {

constexpr int kBatch = 50;                    // messages claimed per pass
constexpr long long kMaxBackoffSeconds = 6 * 3600;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Payload {
  std::string data;
  size_t sent = 0;
};

size_t Feed(char* out, size_t size, size_t n, void* user) {
  auto* p = static_cast<Payload*>(user);
  size_t len = std::min(size * n, p->data.size() - p->sent);
  std::copy_n(p->data.data() + p->sent, len, out);
  p->sent += len;
  return len;
}

// A header value in UTF-8 that any mail reader shows (RFC 2047), with no way to end the header.
std::string EncodedWord(const std::string& text) { return "=?UTF-8?B?" + Base64Encode(text) + "?="; }

std::string RfcDate() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// The whole message: plain text in UTF-8, base64 so that every script travels intact.
std::string Compose(const std::string& from, const std::string& to, const std::string& subject,
                    const std::string& body) {
  std::string b64 = Base64Encode(body), wrapped;
  for (size_t i = 0; i < b64.size(); i += 76) wrapped += b64.substr(i, 76) + "\r\n";
  std::string domain = from.substr(from.find('@') + 1);
  return "Date: " + RfcDate() + "\r\nFrom: " + from + "\r\nTo: " + to + "\r\nSubject: " + EncodedWord(subject) +
         "\r\nMessage-ID: <" + NewUuid() + "@" + domain + ">\r\nMIME-Version: 1.0\r\n" +
         "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n" +
         "Auto-Submitted: auto-generated\r\n\r\n" + wrapped;
}

// Sends one message; the server's or libcurl's error otherwise.
Status Send(const SmtpSettings& s, const std::string& to, const std::string& subject, const std::string& body) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Status::Internal("libcurl could not start");
  Payload payload{Compose(s.from, to, subject, body)};
  std::unique_ptr<curl_slist, ListDeleter> rcpt(curl_slist_append(nullptr, ("<" + to + ">").c_str()));
  std::string from = "<" + s.from + ">";
  curl_easy_setopt(curl.get(), CURLOPT_URL, s.url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(s.timeout_seconds));
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, Feed);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &payload);
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  if (s.url.rfind("smtp://", 0) == 0) {
    curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, s.starttls ? static_cast<long>(CURLUSESSL_ALL)
                                                             : static_cast<long>(CURLUSESSL_NONE));
  }
  if (!s.ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, s.ca_file.c_str());
  if (!s.username.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, s.username.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, s.password.c_str());
  }
  char detail[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, detail);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc == CURLE_OK) return Status::Ok();
  if (detail[0]) return Status::Unavailable(detail);  // e.g. "RCPT failed: 451"
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  return Status::Unavailable(std::string(curl_easy_strerror(rc)) + (code ? " (SMTP " + std::to_string(code) + ")" : ""));
}

struct Claimed {
  std::string id, user_id, address, language, event, title, link;
  std::int64_t attempts = 0;
  bool digest = false;
};

std::string NodeId() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + NewUuid().substr(0, 8);
}

}  // namespace

Status CheckSmtpSettings(const SmtpSettings& s) {
  if (!s.enabled()) return Status::Ok();
  if (s.url.rfind("smtp://", 0) != 0 && s.url.rfind("smtps://", 0) != 0) {
    return Status::Invalid("smtp_url", "smtp_url must start with smtp:// or smtps://");
  }
  if (s.from.find('@') == std::string::npos || s.from.find_first_of("<>\r\n \t") != std::string::npos) {
    return Status::Invalid("smtp_from", "smtp_from must be an e-mail address such as cbrnhub@example.org");
  }
  if (s.base_url.rfind("https://", 0) != 0 && s.base_url.rfind("http://", 0) != 0) {
    return Status::Invalid("smtp_base_url", "smtp_base_url must be the installation's address, e.g. https://cbrnhub.example.org");
  }
  return Status::Ok();
}

Sender::Sender(storage::Database& db, const i18n::Catalogs& catalogs, SmtpSettings settings,
               ScopeLookup scopes)
    : db_(db),
      catalogs_(catalogs),
      settings_(std::move(settings)),
      scopes_(std::move(scopes)),
      node_id_(NodeId()) {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)init;
}

Sender::~Sender() { Stop(); }

void Sender::AddPeriodicCheck(std::function<void()> check) { checks_.push_back(std::move(check)); }

Result<Sender::Report> Sender::SendDue() {
  Report report;
  std::string now = NowUtc();
  std::vector<Claimed> claimed;
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
    CBRN_ASSIGN_OR_RETURN(
        storage::Rows due,
        txn->Query("SELECT id, user_id, event, record_kind, record_id, title, link, attempts, "
                   "digest FROM mail_queue"
                   " WHERE status = 'queued' AND next_attempt_at <= ? AND leased_until < ?"
                   " ORDER BY next_attempt_at, id LIMIT ?",
                   {now, now, static_cast<std::int64_t>(kBatch)}));
    if (due.empty()) return report;
    // A message may wait a day for a digest or hours for a retry: who is told is decided again
    // on the account and the record as they are now.
    CBRN_ASSIGN_OR_RETURN(Recipients recipients, Recipients::Read(*txn));
    std::string lease = UtcAfter(settings_.lease_seconds);
    for (const auto& r : due) {
      const identity::Mailable* user = recipients.Find(r.Text(1));
      std::string dropped = user ? "" : kDroppedDisabled;
      if (user) {
        Result<access::RecordScope> scope = scopes_(*txn, r.Text(3), r.Text(4));
        // Only a database out of reach stops the pass; a row whose record cannot be read (gone,
        // or of a kind no longer known) is dropped alone, so it never holds up the queue.
        if (!scope.ok() && scope.status().code() == StatusCode::kUnavailable) return scope.status();
        // Reading, not the event's action: the record's state moves on (a submitted assessment
        // validated before a digest leaves), and the news of a step taken stays true.
        dropped = scope.ok() ? WhyNotTold(*user, recipients.ModeOf(user->user.id),
                                          access::Action::kRead, *scope)
                             : kDroppedRecordGone;
      }
      // The condition repeats the selection: of two senders, the second finds the row leased.
      const char* claim =
          dropped.empty()
              ? "UPDATE mail_queue SET leased_until = ?, leased_by = ?, address = ?, language = ?"
                " WHERE id = ? AND status = 'queued' AND leased_until < ?"
              : "UPDATE mail_queue SET status = 'dropped', leased_by = ?, last_error = ?,"
                " leased_until = '' WHERE id = ? AND status = 'queued' AND leased_until < ?";
      std::string language = user && !user->user.language.empty() ? user->user.language : "en";
      CBRN_ASSIGN_OR_RETURN(
          std::int64_t won,
          dropped.empty()
              ? txn->Exec(claim, {lease, node_id_, user->user.email, language, r.Text(0), now})
              : txn->Exec(claim, {node_id_, dropped, r.Text(0), now}));
      if (won != 1) continue;
      if (!dropped.empty()) {
        ++report.dropped;
        continue;
      }
      claimed.push_back({r.Text(0), r.Text(1), user->user.email, language, r.Text(2), r.Text(5),
                         r.Text(6), r.Int(7), r.Int(8) != 0});
    }
    CBRN_RETURN_IF_ERROR(txn->Commit());
  }
  // A digest reader's due messages travel as one; the others one by one.
  std::vector<std::vector<const Claimed*>> messages;
  std::map<std::string, size_t> digest_of;
  for (const auto& c : claimed) {
    if (!c.digest) {
      messages.push_back({&c});
      continue;
    }
    auto [it, fresh] = digest_of.emplace(c.user_id, messages.size());
    if (fresh) messages.emplace_back();
    messages[it->second].push_back(&c);
  }
  for (const auto& group : messages) {
    const Claimed& first = *group.front();
    std::string subject, body;
    if (first.digest) {
      subject = catalogs_.Translate(first.language, "mail.digest.subject");
      body = catalogs_.Translate(first.language, "mail.digest.body") + "\n";
      for (const Claimed* c : group) {
        std::string line = Render(catalogs_, c->language, c->event, c->title, settings_.base_url + c->link).first;
        body += "\n* " + line + "\n  " + settings_.base_url + c->link + "\n";
      }
    } else {
      std::tie(subject, body) = Render(catalogs_, first.language, first.event, first.title,
                                       settings_.base_url + first.link);
    }
    body += "\n-- \n" + catalogs_.Translate(first.language, "mail.footer") + " " + settings_.base_url + "/account\n";
    Status sent = Send(settings_, first.address, subject, body);
    CBRN_ASSIGN_OR_RETURN(auto txn, db_.Begin(storage::Access::kWrite));
    std::string at = NowUtc();
    for (const Claimed* c : group) {
      if (sent.ok()) {
        CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE mail_queue SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                                       " leased_until = '', last_error = '' WHERE id = ? AND leased_by = ?",
                                       {at, c->id, node_id_})
                                 .status());
        continue;
      }
      std::int64_t attempts = c->attempts + 1;
      bool give_up = attempts >= settings_.max_attempts;
      long long wait = std::min<long long>(kMaxBackoffSeconds,
                                           static_cast<long long>(settings_.retry_base_seconds) << std::min<std::int64_t>(attempts - 1, 20));
      CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE mail_queue SET status = ?, attempts = ?, next_attempt_at = ?,"
                                     " leased_until = '', last_error = ? WHERE id = ? AND leased_by = ?",
                                     {std::string(give_up ? "failed" : "queued"), attempts, UtcAfter(wait),
                                      sent.message().substr(0, 500), c->id, node_id_})
                               .status());
    }
    CBRN_RETURN_IF_ERROR(txn->Commit());
    if (sent.ok()) {
      ++report.sent;
    } else if (group.front()->attempts + 1 >= settings_.max_attempts) {
      ++report.failed;
      spdlog::warn("mail to {} failed for good: {}", first.address, sent.message());
    } else {
      ++report.retried;
      spdlog::info("mail to {} will be retried: {}", first.address, sent.message());
    }
  }
  return report;
}

void Sender::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      for (const auto& check : checks_) check();
      if (auto r = SendDue(); !r.ok()) spdlog::warn("mail sender: {}", r.status().message());
      lock.lock();
      cv_.wait_for(lock, std::chrono::seconds(settings_.poll_seconds), [this] { return stopping_; });
    }
  });
}

void Sender::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace cbrnhub::notify
