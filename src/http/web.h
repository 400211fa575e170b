// The web application: the route table over the domain modules, serving the JSON API under
// /api/v1 and the server-rendered HTML pages. Its Handle() is the HTTP server's handler.
#pragma once

#include <memory>
#include <string>

#include "http/http.h"
#include "http/router.h"
#include "i18n/i18n.h"
#include "identity/identity.h"
#include "meetings/meetings.h"
#include "records/records.h"
#include "notify/notify.h"
#include "sso/sso.h"

namespace cbrnhub::http {

class WebApp {
 public:
  // Compiles the templates compiled into the binary and builds the route table; single sign-on
  // is offered when `sso` is enabled; with `smtp` enabled a background sender mails the
  // notification queue (stopped when the app is destroyed).
  static Result<std::unique_ptr<WebApp>> Create(storage::Database& db, records::Store& store,
                                                identity::Service& identity,
                                                const i18n::Catalogs& catalogs, std::string version,
                                                WebOptions options = {},
                                                const sso::Settings& sso = {},
                                                const notify::SmtpSettings& smtp = {});
  ~WebApp();

  // Answers one request. Never throws.
  Response Handle(Request& req);
  const Router& router() const;

  // Defined in handlers.h, private to the http module.
  struct Context;

 private:
  explicit WebApp(std::unique_ptr<Context> ctx);
  std::unique_ptr<Context> ctx_;
};

// The round table's brief for `region` on `date` as "html" (a printable page) or "pdf", in
// `lang`, made from what `caller` may read (for `cbrnhub brief`; the server's routes use the
// same). With `population`, the exercises' hazard footprints count people per zone.
// Errors as meetings::Service::Brief; InvalidArgument for another format.
Result<std::string> RenderBrief(meetings::Service& service, const i18n::Catalogs& catalogs,
                                const records::Caller& caller, const std::string& region,
                                const std::string& date, const std::string& lang,
                                const std::string& format,
                                const hazard::PopulationGrid* population = nullptr);

}  // namespace cbrnhub::http
