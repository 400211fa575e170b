// E-mail notifications: the caller's choice (immediate, daily digest, none) and, for
// administrators, the mail queue with what was sent, what waits and what failed.
#include "http/handlers.h"
#include "notify/notify.h"

namespace cbrnhub::http {
namespace {

Json MessageJson(const notify::QueuedMessage& m) {
  return {{"id", m.id},         {"user_id", m.user_id},       {"username", m.username},
          {"address", m.address}, {"language", m.language},   {"event", m.event},
          {"record_kind", m.record_kind}, {"record_id", m.record_id}, {"title", m.title},
          {"status", m.status}, {"attempts", m.attempts},     {"last_error", m.last_error},
          {"created_at", m.created_at}, {"next_attempt_at", m.next_attempt_at},
          {"sent_at", m.sent_at}, {"digest", m.digest}};
}

}  // namespace

Result<notify::Mode> NotificationModeOf(const std::string& text) {
  auto mode = notify::ParseMode(text);
  if (!mode) return Status::Invalid("mode", "mode must be immediate, digest or none");
  return *mode;
}

Json NotificationModes(const Ctx& ctx, const Request& req) {
  auto mode = notify::GetMode(ctx.db, CallerOf(req));
  Json modes = Json::array();
  for (notify::Mode m : {notify::Mode::kImmediate, notify::Mode::kDigest, notify::Mode::kNone}) {
    std::string code = notify::ModeName(m);
    modes.push_back({{"code", code},
                     {"label", Translate(ctx, req, "notify.mode." + code)},
                     {"selected", mode.ok() && *mode == m}});
  }
  return modes;
}

Response ApiNotificationsGet(Ctx& ctx, Request& req) {
  auto mode = notify::GetMode(ctx.db, CallerOf(req));
  if (!mode.ok()) return ErrorResponse(mode.status());
  return JsonOk(200, {{"mode", notify::ModeName(*mode)}});
}

Response ApiNotificationsPut(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string text = body->is_object() && (*body)["mode"].is_string() ? (*body)["mode"].get<std::string>() : "";
  auto mode = NotificationModeOf(text);
  if (!mode.ok()) return ErrorResponse(mode.status());
  Status st = notify::SetMode(ctx.db, CallerOf(req), *mode);
  return st.ok() ? JsonOk(200, {{"mode", notify::ModeName(*mode)}}) : ErrorResponse(st);
}

Response AdminMailPage(Ctx& ctx, Request& req) {
  std::string status = req.Query("status");
  auto list = notify::ListQueue(ctx.db, CallerOf(req), status, 200);
  if (!list.ok()) return ErrorFor(ctx, req, list.status());
  Json messages = Json::array();
  for (const auto& m : *list) {
    Json j = MessageJson(m);
    j["event_label"] = Translate(ctx, req, "mail." + m.event + ".label");
    j["status_label"] = Translate(ctx, req, "mail.status." + m.status);
    // A dropped message's last_error is the reason's code: shown by its label.
    if (m.status == "dropped")
      j["last_error"] = Translate(ctx, req, "mail.dropped." + m.last_error);
    messages.push_back(j);
  }
  Json statuses = Json::array({{{"code", ""}, {"label", Translate(ctx, req, "mail.status.all")}, {"selected", status.empty()}}});
  for (const char* s : {"queued", "sent", "failed", "dropped"}) {
    statuses.push_back({{"code", s}, {"label", Translate(ctx, req, std::string("mail.status.") + s)}, {"selected", status == s}});
  }
  auto queued = notify::QueueLength(ctx.db);
  Json data = {{"messages", messages}, {"statuses", statuses}, {"queued", queued.ok() ? *queued : 0},
               {"sending", ctx.mail != nullptr}};
  return RenderPage(ctx, req, 200, "admin_mail", data, Translate(ctx, req, "mail.queue_title"));
}

Response ApiAdminMail(Ctx& ctx, Request& req) {
  std::string limit = req.Query("limit", "100");
  int n = limit.empty() || limit.size() > 4 || limit.find_first_not_of("0123456789") != std::string::npos
              ? -1 : std::stoi(limit);
  if (n < 1) return ErrorResponse(Status::Invalid("limit", "limit must be a whole number from 1 to 1000"));
  auto list = notify::ListQueue(ctx.db, CallerOf(req), req.Query("status"), n);
  if (!list.ok()) return ErrorResponse(list.status());
  Json items = Json::array();
  for (const auto& m : *list) items.push_back(MessageJson(m));
  auto queued = notify::QueueLength(ctx.db);
  if (!queued.ok()) return ErrorResponse(queued.status());
  return JsonOk(200, {{"items", items}, {"queued", *queued}, {"sending", ctx.mail != nullptr}});
}

}  // namespace cbrnhub::http
