#include "http/router.h"

#include <nlohmann/json.hpp>

namespace cbrnhub::http {
namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(Route route) {
  Compiled c;
  c.segments = Segments(route.pattern);
  for (const auto& seg : c.segments) c.literals += IsParam(seg) ? 0 : 1;
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(c));
}

const Route* Router::Match(Request& req, bool* path_matched, std::string* allowed) const {
  *path_matched = false;
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  const std::vector<std::string> got = Segments(req.path);
  // Literal segments win over {params}: /api/v1/regions/{id}/overview beats a {kind} route.
  const Route* best = nullptr;
  const Compiled* best_compiled = nullptr;
  for (size_t r = 0; r < routes_.size(); ++r) {
    const Compiled& c = compiled_[r];
    if (c.segments.size() != got.size()) continue;
    bool match = true;
    for (size_t i = 0; i < got.size() && match; ++i) {
      match = IsParam(c.segments[i]) ? !got[i].empty() : c.segments[i] == got[i];
    }
    if (!match) continue;
    *path_matched = true;
    const Route& route = routes_[r];
    if (allowed && allowed->find(route.method) == std::string::npos) {
      *allowed += (allowed->empty() ? "" : ", ") + route.method;
    }
    if (route.method != method) continue;
    if (!best || c.literals > best_compiled->literals) {
      best = &route;
      best_compiled = &c;
    }
  }
  if (best) {
    req.path_params.clear();
    for (size_t i = 0; i < got.size(); ++i) {
      const std::string& seg = best_compiled->segments[i];
      if (IsParam(seg)) req.path_params[seg.substr(1, seg.size() - 2)] = got[i];
    }
  }
  return best;
}

int HttpStatus(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kConflict: return 409;
    case StatusCode::kTooLarge: return 413;
    case StatusCode::kTooManyRequests: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

std::string ErrorJson(const Status& status) {
  nlohmann::json j = {{"code", StatusCodeName(status.code())}, {"message", status.message()}};
  if (!status.field().empty()) j["field"] = status.field();
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response ErrorResponse(const Status& status) {
  return Response::Json(HttpStatus(status.code()), ErrorJson(status));
}

}  // namespace cbrnhub::http
