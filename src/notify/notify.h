// E-mail notifications: events queued in the database in the transaction of the change that
// caused them (table mail_queue), sent over SMTP by a background sender with retries and
// back-off. Recipients are chosen by the access module: only accounts allowed to act on (and so
// to read) the record, so a message never carries another country's data its reader may not see.
// Each user chooses immediate messages, a daily digest or none; messages are in their language.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "access/access.h"
#include "core/status.h"
#include "i18n/i18n.h"
#include "records/records.h"
#include "storage/storage.h"

namespace cbrnhub::notify {

enum class Mode { kImmediate, kDigest, kNone };
const char* ModeName(Mode mode);
std::optional<Mode> ParseMode(const std::string& name);

// The events people hear about; each names its messages "mail.<event>.subject" and
// "mail.<event>.body" in the catalogues.
inline constexpr const char* kAssessmentSubmitted = "assessment_submitted";
inline constexpr const char* kAssessmentReturned = "assessment_returned";
inline constexpr const char* kAssessmentValidated = "assessment_validated";
inline constexpr const char* kFollowUpDue = "follow_up_due";
inline constexpr const char* kMilestoneOverdue = "milestone_overdue";
inline constexpr const char* kLicenceOpinionWanted = "licence_opinion_wanted";
inline constexpr const char* kScreeningHit = "screening_hit";
const std::vector<std::string>& Events();

// Why a queued message was dropped instead of sent (its last_error; labelled on the admin page
// as "mail.dropped.<reason>"): the recipient was disabled or lost their address, has an address
// no message may be written to, chose "none", may no longer read the record or is no longer
// one to be told (role, country or region changed), or the record is gone.
inline constexpr const char* kDroppedDisabled = "recipient_disabled";
inline constexpr const char* kDroppedBadAddress = "address_unusable";
inline constexpr const char* kDroppedChoseNone = "chose_none";
inline constexpr const char* kDroppedNoAccess = "no_access";
inline constexpr const char* kDroppedRecordGone = "record_gone";
const std::vector<std::string>& DropReasons();

struct Event {
  std::string event;        // one of Events()
  std::string record_kind;  // the record's kind (e.g. "assessments")
  std::string record_id;
  access::RecordScope scope;  // the record's: recipients are decided on it
  // What a recipient must be allowed to do to the record to hear of it (reading comes with it):
  // kReview for a submitted assessment reaches its region's secretariat, kChange for a returned
  // one its focal point, kDecide for a screening hit the country's licensing officers.
  access::Action action = access::Action::kRead;
  std::string title;  // the record's own name, as stored (shown in the message)
  std::string link;   // the path of its page, e.g. /assessments/ID
  std::string actor_user_id;  // not told of their own doing ("" for none)
};

// Queues the event's messages in `txn`, the transaction of the change: one per account that is
// enabled, has an e-mail address, has not chosen "none" and that access::Decide allows
// `event.action` and reading on the record. A digest reader's message waits for their next
// digest. The same event of the same record is queued once per user. Returns how many.
Result<int> Enqueue(storage::Transaction& txn, const Event& event);

// Enqueue for stored records of `kind` (periodic checks: a follow-up due, a milestone overdue):
// each item's scope and title ("title" field) are read from the record. Returns how many
// messages were queued.
struct RecordLink {
  std::string id, link;
};
Result<int> EnqueueRecords(storage::Transaction& txn, records::Store& store, const std::string& event,
                           const std::string& kind, const std::vector<RecordLink>& items, access::Action action);

// The caller's own choice (immediate when never chosen).
Result<Mode> GetMode(storage::Database& db, const records::Caller& caller);
Status SetMode(storage::Database& db, const records::Caller& caller, Mode mode);

// Messages not yet sent (queued, including those waiting for a retry or a digest): the mail
// queue length metric.
Result<std::int64_t> QueueLength(storage::Database& db);

struct QueuedMessage {
  std::string id, user_id, username, address, language, event, record_kind, record_id, title, status,
      last_error, created_at, next_attempt_at, sent_at;
  std::int64_t attempts = 0;
  bool digest = false;
};
// The queue for administrators, newest first; `status` "" for all, else queued, sent, failed or
// dropped (last_error then holds the reason, one of DropReasons()). PermissionDenied for anyone
// else.
Result<std::vector<QueuedMessage>> ListQueue(storage::Database& db, const records::Caller& caller,
                                             const std::string& status, int limit);

struct SmtpSettings {
  std::string url;   // smtp://host:port (STARTTLS per `starttls`) or smtps://host:port; "" = off
  std::string from;  // the sender address, e.g. cbrnhub@example.org
  std::string username, password;  // "" = no authentication
  bool starttls = true;            // require STARTTLS on smtp:// (off only for a local relay)
  std::string ca_file;             // CA bundle for the server's certificate ("" = the system's)
  std::string base_url;            // https://host of the installation, for links in messages
  int timeout_seconds = 20;
  int max_attempts = 8;            // then the message is failed
  int retry_base_seconds = 60;     // back-off: base * 2^(attempts-1), at most 6 hours
  int lease_seconds = 300;         // a claimed message is another sender's again after this
  int digest_hour_utc = 6;         // when daily digests go out
  int poll_seconds = 15;           // how often the sender looks at the queue

  bool enabled() const { return !url.empty(); }
};
// InvalidArgument naming the setting (smtp_url, smtp_from, ...) that is wrong.
Status CheckSmtpSettings(const SmtpSettings& settings);

// The current scope of a stored record of `kind`, so that a queued message is decided again
// when it is sent; NotFound when the record is gone.
using ScopeLookup = std::function<Result<access::RecordScope>(
    storage::Transaction& txn, const std::string& kind, const std::string& id)>;
// Records of `store`'s catalogue by their stored owner and sharing; kinds kept elsewhere (a
// screening) through `others`, by kind. Internal for a kind neither knows.
ScopeLookup StoredScopes(records::Store& store, std::map<std::string, ScopeLookup> others = {});

// Sends what is due. Several senders (nodes) may share one database: each message is claimed
// with a lease before it is sent, so it has one sender.
class Sender {
 public:
  // `scopes` gives each queued message's record scope at send time.
  Sender(storage::Database& db, const i18n::Catalogs& catalogs, SmtpSettings settings,
         ScopeLookup scopes);
  ~Sender();  // stops the background thread

  struct Report {
    int sent = 0, retried = 0, failed = 0, dropped = 0;
  };
  // One pass: claims due messages (a digest reader's due ones become one message), sends them,
  // records sent / retry at a later time / failed with the server's error. Each message's
  // recipient is decided again first, by Enqueue's rule on the account and the record as they
  // are now, except that reading the record suffices (its state may have moved on since the
  // step the message tells of); it goes to the current address in the current language, and a
  // message they are no longer to get is dropped with its reason.
  Result<Report> SendDue();
  // Called on every background pass before sending (periodic checks such as due follow-ups).
  void AddPeriodicCheck(std::function<void()> check);
  // Starts / stops the background sender thread.
  void Start();
  void Stop();

 private:
  storage::Database& db_;
  const i18n::Catalogs& catalogs_;
  SmtpSettings settings_;
  ScopeLookup scopes_;
  std::string node_id_;
  std::vector<std::function<void()>> checks_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// The subject and body of `event` about `title` in `lang` ("{title}" and "{link}" filled in).
std::pair<std::string, std::string> Render(const i18n::Catalogs& catalogs, const std::string& lang,
                                           const std::string& event, const std::string& title,
                                           const std::string& link);

}  // namespace cbrnhub::notify
