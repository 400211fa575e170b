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

bool MatchPattern(const std::string& pattern, const std::string& path,
                  std::map<std::string, std::string>* params) {
  auto want = Segments(pattern);
  auto got = Segments(path);
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      if (got[i].empty()) return false;
      found[w.substr(1, w.size() - 2)] = got[i];
    } else if (w != got[i]) {
      return false;
    }
  }
  if (params) *params = std::move(found);
  return true;
}

}  // namespace

void Router::Add(Route route) { routes_.push_back(std::move(route)); }

const Route* Router::Match(Request& req, bool* path_matched, std::string* allowed) const {
  *path_matched = false;
  std::string method = req.method == "HEAD" ? "GET" : req.method;
  // Literal segments win over {params}: try routes without params for this path first.
  const Route* best = nullptr;
  size_t best_literals = 0;
  std::map<std::string, std::string> best_params;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!MatchPattern(r.pattern, req.path, &params)) continue;
    *path_matched = true;
    if (allowed) {
      if (allowed->find(r.method) == std::string::npos) {
        *allowed += (allowed->empty() ? "" : ", ") + r.method;
      }
    }
    if (r.method != method) continue;
    size_t literals = Segments(r.pattern).size() - params.size();
    if (!best || literals > best_literals) {
      best = &r;
      best_literals = literals;
      best_params = std::move(params);
    }
  }
  if (best) req.path_params = std::move(best_params);
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
