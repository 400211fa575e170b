// The mail queue: who is told (access decides), the users' choices, the administrators' view.
#include "notify/notify.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "core/ids.h"
#include "identity/identity.h"
#include "notify/recipients.h"

namespace cbrnhub::notify {
namespace {

// Daily digests leave at this hour (UTC): early morning in every partner region.
constexpr int kDigestHourUtc = 6;

// The next digest time after now, as a NowUtc()-style timestamp.
std::string NextDigestTime() {
  long long now = UnixNow();
  long long day = now - now % 86400;
  long long at = day + kDigestHourUtc * 3600LL;
  if (at <= now) at += 86400;
  return UtcAfter(at - now);
}

}  // namespace

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kImmediate: return "immediate";
    case Mode::kDigest: return "digest";
    case Mode::kNone: return "none";
  }
  return "immediate";
}

std::optional<Mode> ParseMode(const std::string& name) {
  for (Mode m : {Mode::kImmediate, Mode::kDigest, Mode::kNone}) {
    if (name == ModeName(m)) return m;
  }
  return std::nullopt;
}

const std::vector<std::string>& Events() {
  static const std::vector<std::string> kEvents = {
      kAssessmentSubmitted, kAssessmentReturned, kAssessmentValidated, kFollowUpDue,
      kMilestoneOverdue,    kLicenceOpinionWanted, kScreeningHit};
  return kEvents;
}

const std::vector<std::string>& DropReasons() {
  static const std::vector<std::string> kReasons = {kDroppedDisabled, kDroppedBadAddress,
                                                    kDroppedChoseNone, kDroppedNoAccess,
                                                    kDroppedRecordGone};
  return kReasons;
}

Result<Recipients> Recipients::Read(storage::Transaction& txn) {
  Recipients out;
  CBRN_ASSIGN_OR_RETURN(out.users, identity::MailableUsers(txn));
  CBRN_ASSIGN_OR_RETURN(storage::Rows modes, txn.Query("SELECT user_id, mode FROM notification_settings"));
  for (const auto& r : modes)
    out.modes[r.Text(0)] = ParseMode(r.Text(1)).value_or(Mode::kImmediate);
  return out;
}

const identity::Mailable* Recipients::Find(const std::string& user_id) const {
  for (const auto& u : users) {
    if (u.user.id == user_id) return &u;
  }
  return nullptr;
}

Mode Recipients::ModeOf(const std::string& user_id) const {
  auto it = modes.find(user_id);
  return it == modes.end() ? Mode::kImmediate : it->second;
}

std::string WhyNotTold(const identity::Mailable& user, Mode mode, access::Action action,
                       const access::RecordScope& scope) {
  // An address that could end an SMTP command or a header is never written to.
  if (user.user.email.find_first_of("<>\r\n \t,;") != std::string::npos) return kDroppedBadAddress;
  if (mode == Mode::kNone) return kDroppedChoseNone;
  // The one decision: what they may do to the record, and that they may read it at all.
  // Administrators and auditors read everything but act on no country's work: not told.
  if (user.who.role == access::Role::kAdmin || user.who.role == access::Role::kAuditor)
    return kDroppedNoAccess;
  if (!access::Decide(user.who, action, scope) || !access::CanRead(user.who, scope))
    return kDroppedNoAccess;
  return "";
}

Result<int> Enqueue(storage::Transaction& txn, const Event& event) {
  CBRN_ASSIGN_OR_RETURN(Recipients recipients, Recipients::Read(txn));
  // Periodic events (a follow-up due, a milestone overdue) are told once per record and user.
  bool once = event.event == kFollowUpDue || event.event == kMilestoneOverdue;
  std::string now = NowUtc();
  int queued = 0;
  for (const auto& u : recipients.users) {
    if (u.user.id == event.actor_user_id) continue;
    Mode mode = recipients.ModeOf(u.user.id);
    if (!WhyNotTold(u, mode, event.action, event.scope).empty()) continue;
    if (once) {
      CBRN_ASSIGN_OR_RETURN(storage::Rows told,
                            txn.Query("SELECT count(*) FROM mail_queue WHERE record_id = ? AND event = ?"
                                      " AND user_id = ?",
                                      {event.record_id, event.event, u.user.id}));
      if (told[0].Int(0) > 0) continue;
    }
    bool digest = mode == Mode::kDigest;
    CBRN_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO mail_queue (id, user_id, address, language, event, record_kind, record_id,"
                 " title, link, digest, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {NewUuid(), u.user.id, u.user.email, u.user.language.empty() ? "en" : u.user.language,
                  event.event, event.record_kind, event.record_id, event.title.substr(0, 500), event.link,
                  static_cast<std::int64_t>(digest), digest ? NextDigestTime() : now, now})
            .status());
    ++queued;
  }
  return queued;
}

ScopeLookup StoredScopes(records::Store& store, std::map<std::string, ScopeLookup> others) {
  return
      [&store, others = std::move(others)](storage::Transaction& txn, const std::string& kind,
                                           const std::string& id) -> Result<access::RecordScope> {
        if (auto it = others.find(kind); it != others.end()) return it->second(txn, kind, id);
        const records::KindSpec* spec = store.catalog().Find(kind);
        if (!spec) return Status::Internal("no scope known for mail about " + kind);
        records::Caller system{access::Principal::System("notify"), ""};
        CBRN_ASSIGN_OR_RETURN(records::Json record, store.GetIn(txn, system, *spec, id));
        return spec->ScopeOf(record);
      };
}

Result<int> EnqueueRecords(storage::Transaction& txn, records::Store& store, const std::string& event,
                           const std::string& kind, const std::vector<RecordLink>& items, access::Action action) {
  const records::KindSpec* spec = store.catalog().Find(kind);
  if (!spec) return Status::Internal("no record kind " + kind);
  records::Caller system{access::Principal::System("notify"), ""};
  int queued = 0;
  for (const auto& item : items) {
    CBRN_ASSIGN_OR_RETURN(records::Json record, store.GetIn(txn, system, *spec, item.id));
    Event e{event, kind, item.id, spec->ScopeOf(record), action, record.value("title", ""), item.link, ""};
    CBRN_ASSIGN_OR_RETURN(int n, Enqueue(txn, e));
    queued += n;
  }
  return queued;
}

Result<Mode> GetMode(storage::Database& db, const records::Caller& caller) {
  if (caller.who.user_id.empty()) return Status(StatusCode::kUnauthenticated, "not signed in");
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn->Query("SELECT mode FROM notification_settings WHERE user_id = ?",
                                                       {caller.who.user_id}));
  if (rows.empty()) return Mode::kImmediate;
  return ParseMode(rows[0].Text(0)).value_or(Mode::kImmediate);
}

Status SetMode(storage::Database& db, const records::Caller& caller, Mode mode) {
  if (caller.who.user_id.empty()) return Status(StatusCode::kUnauthenticated, "not signed in");
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::Access::kWrite));
  std::string now = NowUtc();
  CBRN_ASSIGN_OR_RETURN(std::int64_t changed,
                        txn->Exec("UPDATE notification_settings SET mode = ?, updated_at = ? WHERE user_id = ?",
                                  {std::string(ModeName(mode)), now, caller.who.user_id}));
  if (changed == 0) {
    CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO notification_settings (user_id, mode, updated_at) VALUES (?, ?, ?)",
                                   {caller.who.user_id, std::string(ModeName(mode)), now})
                             .status());
  }
  // Messages waiting for a digest go out with the next pass once the user wants them at once,
  // and are dropped if the user wants none.
  if (mode == Mode::kNone) {
    CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE mail_queue SET status = 'dropped', last_error = ?"
                                   " WHERE user_id = ? AND status = 'queued'",
                                   {std::string(kDroppedChoseNone), caller.who.user_id})
                             .status());
  } else if (mode == Mode::kImmediate) {
    CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE mail_queue SET digest = 0, next_attempt_at = ? WHERE user_id = ?"
                                   " AND status = 'queued' AND digest = 1",
                                   {now, caller.who.user_id})
                             .status());
  }
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"notifications", "users", caller.who.user_id, "network", std::nullopt,
                                      nlohmann::json{{"mode", ModeName(mode)}}.dump()}));
  return txn->Commit();
}

Result<std::int64_t> QueueLength(storage::Database& db) {
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(storage::Rows rows, txn->Query("SELECT count(*) FROM mail_queue WHERE status = 'queued'"));
  return rows[0].Int(0);
}

Result<std::vector<QueuedMessage>> ListQueue(storage::Database& db, const records::Caller& caller,
                                             const std::string& status, int limit) {
  if (!caller.who.system && caller.who.role != access::Role::kAdmin) {
    return Status(StatusCode::kPermissionDenied, "only administrators see the mail queue");
  }
  if (!status.empty() && status != "queued" && status != "sent" && status != "failed" &&
      status != "dropped") {
    return Status::Invalid("status", "status must be queued, sent, failed or dropped");
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::Access::kRead));
  CBRN_ASSIGN_OR_RETURN(
      storage::Rows rows,
      txn->Query("SELECT q.id, q.user_id, u.username, q.address, q.language, q.event, q.record_kind, q.record_id,"
                 " q.title, q.status, q.last_error, q.created_at, q.next_attempt_at, q.sent_at, q.attempts, q.digest"
                 " FROM mail_queue q JOIN users u ON u.id = q.user_id WHERE (? = '' OR q.status = ?)"
                 " ORDER BY q.created_at DESC, q.id LIMIT ?",
                 {status, status, static_cast<std::int64_t>(std::clamp(limit, 1, 1000))}));
  std::vector<QueuedMessage> out;
  for (const auto& r : rows) {
    QueuedMessage m;
    m.id = r.Text(0);
    m.user_id = r.Text(1);
    m.username = r.Text(2);
    m.address = r.Text(3);
    m.language = r.Text(4);
    m.event = r.Text(5);
    m.record_kind = r.Text(6);
    m.record_id = r.Text(7);
    m.title = r.Text(8);
    m.status = r.Text(9);
    m.last_error = r.Text(10);
    m.created_at = r.Text(11);
    m.next_attempt_at = r.Text(12);
    m.sent_at = r.Text(13);
    m.attempts = r.Int(14);
    m.digest = r.Int(15) != 0;
    out.push_back(std::move(m));
  }
  return out;
}

std::pair<std::string, std::string> Render(const i18n::Catalogs& catalogs, const std::string& lang,
                                           const std::string& event, const std::string& title,
                                           const std::string& link) {
  auto fill = [&](std::string text) {
    for (const auto& [name, value] : {std::pair<std::string, std::string>{"{title}", title}, {"{link}", link}}) {
      for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + value.size())) {
        text.replace(at, name.size(), value);
      }
    }
    return text;
  };
  return {fill(catalogs.Translate(lang, "mail." + event + ".subject")),
          fill(catalogs.Translate(lang, "mail." + event + ".body"))};
}

}  // namespace cbrnhub::notify
