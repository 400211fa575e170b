// The route table: every route with its method, path pattern and access policy.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "http/http.h"

namespace cbrnhub::http {

// What a route needs from the caller. Every route declares one (there is no default); the
// access layer decides on it before the handler runs, and records are then filtered by
// access:: rules. kPublic is the only policy that lets an anonymous caller through.
struct Policy {
  enum class Access {
    kPublic,         // anyone, signed in or not (sign-in page, health, static files)
    kSession,        // a signed-in session, even one still waiting for its second factor
    kRead,           // anyone signed in; what they see is filtered by access::
    kWrite,          // signed in with a role that may change something
    kAdmin,          // administrators
    kAudit,          // administrators and auditors
    kExportControl,  // licensing officers, reviewing agencies, customs, administrators, auditors
    kMetrics,  // administrators, and monitoring servers at the configured addresses (/metrics)
  };
  Access access;
  std::string resource;  // record kind or area ("countries", "system", ...)
};

struct Route {
  std::string method;   // "GET", "POST", ...
  std::string pattern;  // "/api/v1/countries/{id}": {name} matches one path segment
  Policy policy;
  Handler handler;
  std::string summary;  // one line, shown in the OpenAPI document
  // A GET whose answer depends only on the target, the language and the stored data, so it may
  // be answered from the response cache until the data changes.
  bool cacheable = false;
};

class Router {
 public:
  void Add(Route route);
  // Finds the route for `req`, fills req.path_params. Returns nullptr with `*path_matched` true
  // when the path exists under another method (405), false when nothing matched (404).
  const Route* Match(Request& req, bool* path_matched, std::string* allowed) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // "{name}" marks a parameter
    size_t literals = 0;
  };
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;  // parallel to routes_
};

// The HTTP status for a Status code (the one place that decides it; see docs/api.md).
int HttpStatus(StatusCode code);
// {"code": "...", "message": "...", "field": "..."}
std::string ErrorJson(const Status& status);
Response ErrorResponse(const Status& status);

}  // namespace cbrnhub::http
