// Administration (users, roles and their 2FA requirement) and the audit log.
#include <algorithm>
#include <set>

#include "audit/audit.h"
#include "http/handlers.h"

namespace cbrnhub::http {
namespace {

std::string InviteLink(const Request& req, const std::string& token) {
  std::string scheme = req.Header("x-forwarded-proto") == "https" ? "https" : "http";
  return scheme + "://" + req.Header("host") + "/invite/" + token;
}

Json RoleOptions(Ctx& ctx, const Request& req, const std::string& selected) {
  Json options = Json::array();
  for (auto role : access::AllRoles()) {
    std::string name = access::RoleName(role);
    options.push_back({{"value", name},
                       {"label", Translate(ctx, req, "role." + name)},
                       {"selected", name == selected}});
  }
  return options;
}

Response RenderUsers(Ctx& ctx, const Request& req, const Status& error, const Json& created) {
  auto users = ctx.identity.ListUsers(CallerOf(req));
  if (!users.ok()) return ErrorFor(ctx, req, users.status());
  Json list = Json::array();
  for (const auto& u : *users) {
    Json j = identity::ToJson(u);
    j["role_label"] = Translate(ctx, req, std::string("role.") + access::RoleName(u.role));
    list.push_back(std::move(j));
  }
  Json data = {{"users", list}, {"roles", RoleOptions(ctx, req, "team")}, {"created", created}};
  if (!error.ok()) data["error"] = MessageOf(ctx, req, error);
  return RenderPage(ctx, req, error.ok() ? 200 : HttpStatus(error.code()), "admin_users", data,
                    Translate(ctx, req, "admin.users_title"));
}

Response RenderUser(Ctx& ctx, const Request& req, const Status& error, const std::string& link) {
  auto user = ctx.identity.GetUser(CallerOf(req), req.Param("id"));
  if (!user.ok()) return ErrorFor(ctx, req, user.status());
  Json data = {{"account", identity::ToJson(*user)},
               {"roles", RoleOptions(ctx, req, access::RoleName(user->role))},
               {"invite_link", link}};
  if (!error.ok()) data["error"] = MessageOf(ctx, req, error);
  return RenderPage(ctx, req, error.ok() ? 200 : HttpStatus(error.code()), "admin_user", data,
                    user->display_name);
}

Result<identity::UserChanges> ChangesFromJson(const Json& body) {
  if (!body.is_object()) return Status::Invalid("", "send a JSON object");
  identity::UserChanges ch;
  for (const auto& [key, value] : body.items()) {
    if (key == "disabled") {
      if (!value.is_boolean()) return Status::Invalid(key, "disabled must be true or false");
      ch.disabled = value.get<bool>();
      continue;
    }
    if (!value.is_string()) return Status::Invalid(key, key + " must be a string");
    if (key == "display_name") ch.display_name = value;
    else if (key == "email") ch.email = value;
    else if (key == "role") ch.role = value;
    else if (key == "country") ch.country = value;
    else if (key == "region") ch.region = value;
    else return Status::Invalid(key, "unknown or read-only field " + key);
  }
  return ch;
}

Json EntryJson(const audit::Entry& e) {
  Json j = {{"seq", e.seq},           {"at", e.at},
            {"actor", e.actor},       {"remote_addr", e.remote_addr},
            {"action", e.action},     {"entity_kind", e.entity_kind},
            {"entity_id", e.entity_id}, {"owner_scope", e.owner_scope}};
  j["before"] = e.before_json ? Json::parse(*e.before_json, nullptr, false) : Json(nullptr);
  j["after"] = e.after_json ? Json::parse(*e.after_json, nullptr, false) : Json(nullptr);
  return j;
}

// The fields an audited change touched, each with its label and the value before and after
// (bookkeeping fields that change with every write left out).
Json ChangedFields(const i18n::Presenter& words, const Json& before, const Json& after) {
  static const std::set<std::string> kBookkeeping = {"revision",   "updated_at", "updated_by",
                                                     "id",         "created_at", "created_by",
                                                     "deleted_at", "deleted_by"};
  std::set<std::string> fields;
  for (const Json* side : {&before, &after}) {
    if (!side->is_object()) continue;
    for (const auto& [key, value] : side->items()) fields.insert(key);
  }
  Json out = Json::array();
  for (const auto& field : fields) {
    if (kBookkeeping.count(field)) continue;
    Json was = before.is_object() && before.contains(field) ? before[field] : Json();
    Json now = after.is_object() && after.contains(field) ? after[field] : Json();
    if (was == now) continue;
    out.push_back({{"label", words.Label("field.", field)},
                   {"before", ValueText(words, was)},
                   {"after", ValueText(words, now)}});
  }
  return out;
}

Result<audit::Query> AuditQuery(const Request& req) {
  audit::Query q;
  q.actor = req.Query("actor");
  q.entity_kind = req.Query("entity_kind");
  q.entity_id = req.Query("entity_id");
  q.action = req.Query("action");
  q.since = req.Query("since");
  q.until = req.Query("until");
  for (auto [name, target] : {std::pair{"limit", &q.limit}, std::pair{"offset", &q.offset}}) {
    std::string v = req.Query(name);
    if (v.empty()) continue;
    if (v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
      return Status::Invalid(name, std::string(name) + " must be a whole number");
    }
    *target = std::stoi(v);
  }
  return q;
}

}  // namespace

Response AdminUsersPage(Ctx& ctx, Request& req) { return RenderUsers(ctx, req, Status::Ok(), nullptr); }

Response AdminUserCreateSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  identity::NewUser u{FormField(form, "username"), FormField(form, "display_name"), FormField(form, "email"),
                      FormField(form, "role"),     FormField(form, "country"),      FormField(form, "region"),
                      ""};
  auto created = ctx.identity.CreateUser(CallerOf(req), u);
  if (!created.ok()) return RenderUsers(ctx, req, created.status(), nullptr);
  Json shown = {{"username", created->first.username},
                {"invite_link", InviteLink(req, created->second)}};
  return RenderUsers(ctx, req, Status::Ok(), shown);
}

Response AdminUserPage(Ctx& ctx, Request& req) { return RenderUser(ctx, req, Status::Ok(), ""); }

Response AdminUserSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  identity::UserChanges ch;
  ch.display_name = FormField(form, "display_name");
  ch.email = FormField(form, "email");
  ch.role = FormField(form, "role");
  ch.country = FormField(form, "country");
  ch.region = FormField(form, "region");
  ch.disabled = FormField(form, "disabled") == "on";
  auto updated = ctx.identity.UpdateUser(CallerOf(req), req.Param("id"), ch);
  if (!updated.ok()) return RenderUser(ctx, req, updated.status(), "");
  return Response::Redirect("/admin/users/" + req.Param("id") + "?notice=saved");
}

Response AdminUserResetTotpSubmit(Ctx& ctx, Request& req) {
  Status st = ctx.identity.ResetTotp(CallerOf(req), req.Param("id"));
  if (!st.ok()) return RenderUser(ctx, req, st, "");
  return Response::Redirect("/admin/users/" + req.Param("id") + "?notice=saved");
}

Response AdminUserInviteSubmit(Ctx& ctx, Request& req) {
  auto token = ctx.identity.Reinvite(CallerOf(req), req.Param("id"));
  if (!token.ok()) return RenderUser(ctx, req, token.status(), "");
  return RenderUser(ctx, req, Status::Ok(), InviteLink(req, *token));
}

Response AdminRolesPage(Ctx& ctx, Request& req) {
  auto roles = ctx.identity.RolesRequiring2fa();
  if (!roles.ok()) return ErrorFor(ctx, req, roles.status());
  Json list = Json::array();
  for (const auto& [role, required] : *roles) {
    std::string name = access::RoleName(role);
    list.push_back({{"name", name}, {"label", Translate(ctx, req, "role." + name)},
                    {"required", required}});
  }
  return RenderPage(ctx, req, 200, "admin_roles", Json{{"roles", list}},
                    Translate(ctx, req, "admin.roles_title"));
}

Response AdminRolesSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  for (auto role : access::AllRoles()) {
    std::string name = access::RoleName(role);
    Status st = ctx.identity.SetRoleRequires2fa(CallerOf(req), role, FormField(form, "require_" + name) == "on");
    if (!st.ok()) return ErrorFor(ctx, req, st);
  }
  return Response::Redirect("/admin/roles?notice=saved");
}

Response AuditPage(Ctx& ctx, Request& req) {
  auto q = AuditQuery(req);
  if (!q.ok()) return ErrorFor(ctx, req, q.status());
  q->limit = std::min(q->limit, 200);
  auto page = audit::List(ctx.db, *q);
  if (!page.ok()) return ErrorFor(ctx, req, page.status());
  i18n::Presenter words = PresenterOf(ctx, req);
  Json entries = Json::array();
  for (const auto& e : page->first) {
    Json j = EntryJson(e);
    j["action_label"] = words.Label("audit.action.", e.action);
    j["kind_label"] = words.Label("kind.", e.entity_kind);
    j["changes"] = ChangedFields(words, j["before"], j["after"]);
    entries.push_back(std::move(j));
  }
  Json data = {{"entries", entries},
               {"total", page->second},
               {"filter", {{"actor", q->actor}, {"entity_kind", q->entity_kind},
                           {"entity_id", q->entity_id}, {"action", q->action},
                           {"since", q->since}, {"until", q->until}}}};
  std::string base = "/audit?actor=" + PercentEncode(q->actor) + "&entity_kind=" +
                     PercentEncode(q->entity_kind) + "&entity_id=" + PercentEncode(q->entity_id) +
                     "&action=" + PercentEncode(q->action) + "&since=" + PercentEncode(q->since) +
                     "&until=" + PercentEncode(q->until) + "&limit=" + std::to_string(q->limit);
  if (q->offset > 0) data["newer"] = base + "&offset=" + std::to_string(std::max(0, q->offset - q->limit));
  if (q->offset + q->limit < page->second) data["older"] = base + "&offset=" + std::to_string(q->offset + q->limit);
  if (req.Query("verify") == "1") {
    auto chain = audit::Verify(ctx.db);
    if (!chain.ok()) return ErrorFor(ctx, req, chain.status());
    data["verify"] = {{"ok", chain->empty()}, {"problem", *chain}};
  }
  return RenderPage(ctx, req, 200, "audit", data, Translate(ctx, req, "audit.title"));
}

Response ApiUsersList(Ctx& ctx, Request& req) {
  auto users = ctx.identity.ListUsers(CallerOf(req));
  if (!users.ok()) return ErrorResponse(users.status());
  Json items = Json::array();
  for (const auto& u : *users) items.push_back(identity::ToJson(u));
  return JsonOk(200, {{"items", items}, {"total", items.size()}});
}

Response ApiUsersCreate(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(Status::Invalid("", "send a JSON object"));
  auto text = [&](const char* k) {
    return (*body)[k].is_string() ? (*body)[k].get<std::string>() : std::string();
  };
  for (const auto& [key, value] : body->items()) {
    static const std::set<std::string> kKnown = {"username", "display_name", "email", "role",
                                                 "country",  "region",       "password"};
    if (!kKnown.count(key)) return ErrorResponse(Status::Invalid(key, "unknown field " + key));
    if (!value.is_string()) return ErrorResponse(Status::Invalid(key, key + " must be a string"));
  }
  identity::NewUser u{text("username"), text("display_name"), text("email"), text("role"),
                      text("country"),  text("region"),       text("password")};
  auto created = ctx.identity.CreateUser(CallerOf(req), u);
  if (!created.ok()) return ErrorResponse(created.status());
  Json out = identity::ToJson(created->first);
  if (!created->second.empty()) out["invite_link"] = InviteLink(req, created->second);
  Response r = JsonOk(201, out);
  r.headers.emplace_back("Location", "/api/v1/users/" + created->first.id);
  return r;
}

Response ApiUsersGet(Ctx& ctx, Request& req) {
  auto user = ctx.identity.GetUser(CallerOf(req), req.Param("id"));
  if (!user.ok()) return ErrorResponse(user.status());
  return JsonOk(200, identity::ToJson(*user));
}

Response ApiUsersUpdate(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  auto changes = ChangesFromJson(*body);
  if (!changes.ok()) return ErrorResponse(changes.status());
  auto updated = ctx.identity.UpdateUser(CallerOf(req), req.Param("id"), *changes);
  if (!updated.ok()) return ErrorResponse(updated.status());
  return JsonOk(200, identity::ToJson(*updated));
}

Response ApiUsersResetTotp(Ctx& ctx, Request& req) {
  Status st = ctx.identity.ResetTotp(CallerOf(req), req.Param("id"));
  if (!st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

Response ApiUsersInvite(Ctx& ctx, Request& req) {
  auto token = ctx.identity.Reinvite(CallerOf(req), req.Param("id"));
  if (!token.ok()) return ErrorResponse(token.status());
  return JsonOk(200, {{"invite_link", InviteLink(req, *token)}});
}

Response ApiRolesGet(Ctx& ctx, Request& req) {
  auto roles = ctx.identity.RolesRequiring2fa();
  if (!roles.ok()) return ErrorResponse(roles.status());
  Json items = Json::array();
  for (const auto& [role, required] : *roles) {
    items.push_back({{"role", access::RoleName(role)}, {"require_2fa", required}});
  }
  return JsonOk(200, {{"items", items}});
}

Response ApiRolesUpdate(Ctx& ctx, Request& req) {
  auto role = access::ParseRole(req.Param("role"));
  if (!role) return ErrorResponse(Status::NotFound("no role " + req.Param("role")));
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object() || !(*body)["require_2fa"].is_boolean()) {
    return ErrorResponse(Status::Invalid("require_2fa", "send {\"require_2fa\": true|false}"));
  }
  Status st = ctx.identity.SetRoleRequires2fa(CallerOf(req), *role, (*body)["require_2fa"].get<bool>());
  if (!st.ok()) return ErrorResponse(st);
  return JsonOk(200, {{"role", req.Param("role")}, {"require_2fa", (*body)["require_2fa"]}});
}

Response ApiAuditList(Ctx& ctx, Request& req) {
  auto q = AuditQuery(req);
  if (!q.ok()) return ErrorResponse(q.status());
  auto page = audit::List(ctx.db, *q);
  if (!page.ok()) return ErrorResponse(page.status());
  Json items = Json::array();
  for (const auto& e : page->first) items.push_back(EntryJson(e));
  return JsonOk(200, {{"items", items}, {"total", page->second}, {"limit", q->limit},
                      {"offset", q->offset}});
}

Response ApiAuditVerify(Ctx& ctx, Request& req) {
  auto chain = audit::Verify(ctx.db);
  if (!chain.ok()) return ErrorResponse(chain.status());
  return JsonOk(200, {{"intact", chain->empty()}, {"problem", *chain}});
}

}  // namespace cbrnhub::http
