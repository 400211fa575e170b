// Signing in and out, invitations, the caller's own account (password, TOTP, API tokens).
#include "core/ids.h"
#include "http/handlers.h"
#include "http/views.h"

namespace cbrnhub::http {
namespace {

Json TokenJson(const identity::TokenInfo& t) {
  return {{"id", t.id},           {"name", t.name},
          {"prefix", t.prefix},   {"created_at", t.created_at},
          {"expires_at", t.expires_at}, {"last_used_at", t.last_used_at},
          {"revoked", t.revoked}};
}

Response NoContent() {
  Response r;
  r.status = 204;
  return r;
}

Response RenderLogin(Ctx& ctx, const Request& req, const std::string& next, const Status& error,
                     const std::string& username = "") {
  Json data = {{"next", next}, {"username", username}};
  if (ctx.sso) {
    data["sso"] = {{"provider", ctx.sso->settings().provider_name},
                   {"href", "/login/sso?next=" + PercentEncode(next)}};
  }
  if (!error.ok()) data["error"] = MessageOf(ctx, req, error);
  if (req.Query("notice") == "password_set") data["info"] = Translate(ctx, req, "login.password_set");
  return RenderPage(ctx, req, error.ok() ? 200 : HttpStatus(error.code()), "login", data,
                    Translate(ctx, req, "login.title"));
}

Response RenderAccount(Ctx& ctx, const Request& req, const Status& error,
                       const std::string& new_token = "") {
  auto caller = CallerOf(req);
  auto user = ctx.identity.GetUser(caller, req.who.user_id);
  if (!user.ok()) return ErrorFor(ctx, req, user.status());
  auto tokens = ctx.identity.ListTokens(caller);
  Json list = Json::array();
  if (tokens.ok()) {
    for (const auto& t : *tokens) list.push_back(TokenJson(t));
  }
  Json data = {{"account", identity::ToJson(*user)}, {"tokens", list}, {"new_token", new_token}};
  Json languages = Json::array({{{"code", ""}, {"label", Translate(ctx, req, "account.language_browser")},
                                 {"selected", user->language.empty()}}});
  for (const auto& code : ctx.catalogs.Languages()) {
    languages.push_back({{"code", code}, {"label", ctx.catalogs.Translate(code, "lang.name")},
                         {"selected", code == user->language}});
  }
  data["languages"] = languages;
  data["notification_modes"] = NotificationModes(ctx, req);
  data["account"]["role_label"] = Translate(ctx, req, std::string("role.") + access::RoleName(user->role));
  if (!error.ok()) {
    data["error"] = MessageOf(ctx, req, error);
    data["error_field"] = error.field();
  }
  return RenderPage(ctx, req, error.ok() ? 200 : HttpStatus(error.code()), "account", data,
                    Translate(ctx, req, "account.title"));
}

}  // namespace

namespace {

// Keeps the single sign-on state in the browser that began the sign-in, for the callback only.
std::string SsoStateCookie(const Request& req, const std::string& state) {
  std::string c = "cbrnhub_sso=" + state + "; Path=/login/sso; HttpOnly; SameSite=Lax; Max-Age=" +
                  (state.empty() ? "0" : "900");
  if (req.Header("x-forwarded-proto") == "https") c += "; Secure";
  return c;
}

// Where a signed-in browser goes next: the second factor, the enrolment the role requires, or
// the page it asked for.
std::string NextStep(const identity::Session& session, const std::string& next) {
  return session.mfa_pending          ? "/login/totp?next=" + PercentEncode(next)
         : session.enrolment_required ? "/account/totp"
                                      : next;
}

}  // namespace

Response LoginPage(Ctx& ctx, Request& req) {
  if (req.who.authenticated()) return Response::Redirect("/");
  return RenderLogin(ctx, req, LocalPathOr(req.Query("next", "/")), Status::Ok());
}

Response LoginSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  std::string next = LocalPathOr(FormField(form, "next"));
  auto login = ctx.identity.Login(FormField(form, "username"), FormField(form, "password"),
                                  req.remote_addr, req.Header("user-agent"));
  if (!login.ok()) return RenderLogin(ctx, req, next, login.status(), FormField(form, "username"));
  Response r = Response::Redirect(NextStep(login->session, next));
  r.headers.emplace_back("Set-Cookie", SessionCookie(req, login->session_token));
  return r;
}

Response SsoBegin(Ctx& ctx, Request& req) {
  if (!ctx.sso) return ErrorFor(ctx, req, Status::NotFound("single sign-on is not configured"));
  std::string next = LocalPathOr(req.Query("next", "/"));
  auto started = ctx.sso->Begin(next, req.Query("invite"));
  if (!started.ok()) return RenderLogin(ctx, req, next, started.status());
  // Not Response::Redirect: this one leaves the site, for the provider configured.
  Response r;
  r.status = 303;
  r.headers.emplace_back("Location", started->url);
  r.headers.emplace_back("Set-Cookie", SsoStateCookie(req, started->state));
  return r;
}

Response SsoCallback(Ctx& ctx, Request& req) {
  if (!ctx.sso) return ErrorFor(ctx, req, Status::NotFound("single sign-on is not configured"));
  std::string state = req.Query("state");
  Result<sso::Client::Completed> done =
      Status(StatusCode::kUnauthenticated, "this sign-in was begun in another browser or has expired: sign in again")
          .Says("login.sso_other_browser");
  if (!state.empty() && req.Cookie("cbrnhub_sso") == state) {
    done = ctx.sso->Complete(state, req.Query("code"), req.Query("error"), req.remote_addr, req.Header("user-agent"));
  }
  if (!done.ok()) {
    Response r = RenderLogin(ctx, req, "/", done.status());
    r.headers.emplace_back("Set-Cookie", SsoStateCookie(req, ""));
    return r;
  }
  Response r = Response::Redirect(NextStep(done->login.session, LocalPathOr(done->next)));
  r.headers.emplace_back("Set-Cookie", SessionCookie(req, done->login.session_token));
  r.headers.emplace_back("Set-Cookie", SsoStateCookie(req, ""));
  return r;
}

Response SecondFactorPage(Ctx& ctx, Request& req) {
  if (req.session_token.empty()) return Response::Redirect("/login");
  Json data = {{"next", LocalPathOr(req.Query("next", "/"))}};
  return RenderPage(ctx, req, 200, "login_totp", data, Translate(ctx, req, "login.totp_title"));
}

Response SecondFactorSubmit(Ctx& ctx, Request& req) {
  if (req.session_token.empty()) return Response::Redirect("/login");
  Form form = FormOf(req);
  std::string next = LocalPathOr(FormField(form, "next"));
  Status st = ctx.identity.VerifySecondFactor(req.session_token, FormField(form, "code"), req.remote_addr);
  if (!st.ok()) {
    Json data = {{"next", next}, {"error", MessageOf(ctx, req, st)}};
    return RenderPage(ctx, req, HttpStatus(st.code()), "login_totp", data,
                      Translate(ctx, req, "login.totp_title"));
  }
  return Response::Redirect(next);
}

Response LogoutSubmit(Ctx& ctx, Request& req) {
  if (!req.session_token.empty()) (void)ctx.identity.Logout(req.session_token, req.remote_addr);
  Response r = Response::Redirect("/login");
  r.headers.emplace_back("Set-Cookie", SessionCookie(req, "", true));
  return r;
}

Response InvitePage(Ctx& ctx, Request& req) {
  auto user = ctx.identity.InvitedUser(req.Param("token"));
  if (!user.ok()) return ErrorFor(ctx, req, user.status());
  Json data = {{"username", user->username}, {"display_name", user->display_name}};
  if (ctx.sso) {
    // Linking the invited account to the provider's user instead of setting a password.
    data["sso"] = {{"provider", ctx.sso->settings().provider_name},
                   {"href", "/login/sso?invite=" + PercentEncode(req.Param("token"))}};
  }
  return RenderPage(ctx, req, 200, "invite", data, Translate(ctx, req, "invite.title"));
}

Response InviteSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  auto user = ctx.identity.InvitedUser(req.Param("token"));
  if (!user.ok()) return ErrorFor(ctx, req, user.status());
  Status st = FormField(form, "password") != FormField(form, "password2")
                  ? Status::Invalid("password2", Translate(ctx, req, "account.passwords_differ"))
                  : ctx.identity.AcceptInvite(req.Param("token"), FormField(form, "password"),
                                              req.remote_addr);
  if (!st.ok()) {
    Json data = {{"username", user->username}, {"display_name", user->display_name},
                 {"error", MessageOf(ctx, req, st)}};
    return RenderPage(ctx, req, HttpStatus(st.code()), "invite", data,
                      Translate(ctx, req, "invite.title"));
  }
  return Response::Redirect("/login?notice=password_set");
}

Response AccountPage(Ctx& ctx, Request& req) { return RenderAccount(ctx, req, Status::Ok()); }

Response AccountPasswordSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  if (FormField(form, "new_password") != FormField(form, "new_password2")) {
    return RenderAccount(ctx, req,
                         Status::Invalid("new_password2", Translate(ctx, req, "account.passwords_differ")));
  }
  Status st = ctx.identity.ChangePassword(CallerOf(req), req.session_token,
                                          FormField(form, "current_password"),
                                          FormField(form, "new_password"));
  if (!st.ok()) return RenderAccount(ctx, req, st);
  return Response::Redirect("/account?notice=saved");
}

Response TotpEnrolPage(Ctx& ctx, Request& req) {
  if (req.who.user_id.empty()) return Response::Redirect("/login");
  auto enrolment = ctx.identity.BeginTotp(CallerOf(req));
  if (!enrolment.ok()) return ErrorFor(ctx, req, enrolment.status());
  Json data = {{"secret", enrolment->secret_base32},
               {"uri", enrolment->otpauth_uri},
               {"qr_svg", QrSvg(identity::QrCode(enrolment->otpauth_uri), Translate(ctx, req, "totp.qr"))}};
  return RenderPage(ctx, req, 200, "totp_enrol", data, Translate(ctx, req, "totp.title"));
}

Response TotpEnrolSubmit(Ctx& ctx, Request& req) {
  if (req.who.user_id.empty()) return Response::Redirect("/login");
  Form form = FormOf(req);
  Status st = ctx.identity.ConfirmTotp(CallerOf(req), FormField(form, "code"));
  if (!st.ok()) {
    // Show the same secret again: the user's app already has it.
    std::string secret = FormField(form, "secret");
    std::string uri = "otpauth://totp/cbrnhub?secret=" + secret;
    Json data = {{"secret", secret}, {"error", MessageOf(ctx, req, st)}, {"qr_svg", QrSvg(identity::QrCode(uri), Translate(ctx, req, "totp.qr"))}};
    return RenderPage(ctx, req, HttpStatus(st.code()), "totp_enrol", data,
                      Translate(ctx, req, "totp.title"));
  }
  return Response::Redirect("/account?notice=saved");
}

Response AccountLanguageSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  std::string language = FormField(form, "language");
  Status st = ctx.identity.SetLanguage(CallerOf(req), language);
  if (!st.ok()) return RenderAccount(ctx, req, st);
  Response r = Response::Redirect("/account?notice=saved");
  // The choice now lives with the account: drop a browser cookie that would override it.
  r.headers.emplace_back("Set-Cookie", "lang=; Path=/; Max-Age=0; SameSite=Lax");
  return r;
}

Response AccountNotificationsSubmit(Ctx& ctx, Request& req) {
  auto mode = NotificationModeOf(FormField(FormOf(req), "mode"));
  Status st = mode.ok() ? notify::SetMode(ctx.db, CallerOf(req), *mode) : mode.status();
  if (!st.ok()) return RenderAccount(ctx, req, st);
  return Response::Redirect("/account?notice=saved");
}

Response ApiLanguage(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string language = body->is_object() && (*body)["language"].is_string()
                             ? (*body)["language"].get<std::string>() : "";
  if (!language.empty() && !ctx.catalogs.Supports(language)) {
    return ErrorResponse(Status::Invalid("language", "no user interface in " + language));
  }
  Status st = ctx.identity.SetLanguage(CallerOf(req), language);
  return st.ok() ? JsonOk(200, {{"language", language}}) : ErrorResponse(st);
}

Response TokenCreateSubmit(Ctx& ctx, Request& req) {
  Form form = FormOf(req);
  std::string days = FormField(form, "days");
  int n = days.empty() || days.size() > 4 || days.find_first_not_of("0123456789") != std::string::npos
              ? -1
              : std::stoi(days);
  if (n < 0) return RenderAccount(ctx, req, Status::Invalid("days", "days must be a whole number"));
  auto created = ctx.identity.CreateToken(CallerOf(req), FormField(form, "name"), n);
  if (!created.ok()) return RenderAccount(ctx, req, created.status());
  return RenderAccount(ctx, req, Status::Ok(), created->second);
}

Response TokenRevokeSubmit(Ctx& ctx, Request& req) {
  Status st = ctx.identity.RevokeToken(CallerOf(req), req.Param("id"));
  if (!st.ok()) return RenderAccount(ctx, req, st);
  return Response::Redirect("/account?notice=saved");
}

Response ApiSessionCreate(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object() || !(*body)["username"].is_string() || !(*body)["password"].is_string()) {
    return ErrorResponse(Status::Invalid("username", "send {\"username\": ..., \"password\": ...}"));
  }
  auto login = ctx.identity.Login((*body)["username"], (*body)["password"], req.remote_addr,
                                  req.Header("user-agent"));
  if (!login.ok()) return ErrorResponse(login.status());
  Json out = {{"csrf_token", login->session.csrf_token},
              {"second_factor_required", login->session.mfa_pending},
              {"enrolment_required", login->session.enrolment_required}};
  Response r = JsonOk(201, out);
  r.headers.emplace_back("Set-Cookie", SessionCookie(req, login->session_token));
  return r;
}

Response ApiSessionGet(Ctx& ctx, Request& req) {
  Json out = {{"signed_in", req.who.authenticated()}};
  if (!req.session_token.empty()) {
    auto s = ctx.identity.Authenticate(req.session_token);
    if (s.ok()) {
      out["second_factor_required"] = s->mfa_pending;
      out["enrolment_required"] = s->enrolment_required;
      out["csrf_token"] = s->csrf_token;
    }
  }
  if (!req.who.user_id.empty()) {
    out["user"] = {{"id", req.who.user_id},
                   {"display_name", req.who.display_name},
                   {"role", access::RoleName(req.who.role)},
                   {"country", req.who.country},
                   {"region", req.who.region}};
  }
  return JsonOk(200, out);
}

Response ApiSessionDelete(Ctx& ctx, Request& req) {
  if (!req.session_token.empty()) (void)ctx.identity.Logout(req.session_token, req.remote_addr);
  Response r = NoContent();
  r.headers.emplace_back("Set-Cookie", SessionCookie(req, "", true));
  return r;
}

Response ApiSessionTotp(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  if (req.session_token.empty()) return ErrorResponse({StatusCode::kUnauthenticated, "sign in first"});
  std::string code = body->is_object() && (*body)["code"].is_string() ? (*body)["code"].get<std::string>() : "";
  Status st = ctx.identity.VerifySecondFactor(req.session_token, code, req.remote_addr);
  return st.ok() ? NoContent() : ErrorResponse(st);
}

Response ApiPassword(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  auto text = [&](const char* k) {
    return body->is_object() && (*body)[k].is_string() ? (*body)[k].get<std::string>() : "";
  };
  Status st = ctx.identity.ChangePassword(CallerOf(req), req.session_token, text("current_password"),
                                          text("new_password"));
  return st.ok() ? NoContent() : ErrorResponse(st);
}

Response ApiTotpBegin(Ctx& ctx, Request& req) {
  auto e = ctx.identity.BeginTotp(CallerOf(req));
  if (!e.ok()) return ErrorResponse(e.status());
  return JsonOk(200, {{"secret", e->secret_base32}, {"otpauth_uri", e->otpauth_uri}});
}

Response ApiTotpConfirm(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string code = body->is_object() && (*body)["code"].is_string() ? (*body)["code"].get<std::string>() : "";
  Status st = ctx.identity.ConfirmTotp(CallerOf(req), code);
  return st.ok() ? NoContent() : ErrorResponse(st);
}

Response ApiTokensList(Ctx& ctx, Request& req) {
  auto tokens = ctx.identity.ListTokens(CallerOf(req));
  if (!tokens.ok()) return ErrorResponse(tokens.status());
  Json items = Json::array();
  for (const auto& t : *tokens) items.push_back(TokenJson(t));
  return JsonOk(200, {{"items", items}});
}

Response ApiTokensCreate(Ctx& ctx, Request& req) {
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(Status::Invalid("", "send a JSON object"));
  std::string name = (*body)["name"].is_string() ? (*body)["name"].get<std::string>() : "";
  int days = 0;
  if (body->contains("days")) {
    if (!(*body)["days"].is_number_integer()) {
      return ErrorResponse(Status::Invalid("days", "days must be a whole number"));
    }
    days = static_cast<int>(std::clamp<std::int64_t>((*body)["days"].get<std::int64_t>(), -1, 100000));
    if (days == 0) days = -1;
  }
  auto created = ctx.identity.CreateToken(CallerOf(req), name, days);
  if (!created.ok()) return ErrorResponse(created.status());
  Json out = TokenJson(created->first);
  out["token"] = created->second;
  return JsonOk(201, out);
}

Response ApiTokensRevoke(Ctx& ctx, Request& req) {
  Status st = ctx.identity.RevokeToken(CallerOf(req), req.Param("id"));
  return st.ok() ? NoContent() : ErrorResponse(st);
}

}  // namespace cbrnhub::http
