// /metrics: the process's metrics and the requests by route, in the Prometheus text format.
#include "http/handlers.h"
#include "storage/storage.h"

namespace cbrnhub::http {

void RouteMetrics::Reset(size_t routes) {
  routes_ = routes;
  slots_ = std::make_unique<Slot[]>(routes + 1);
}

void RouteMetrics::Record(size_t route, int status, std::chrono::nanoseconds elapsed) {
  if (!slots_) return;
  Slot& slot = slots_[route < routes_ ? route : routes_];
  size_t i = 0;
  while (i < std::size(kStatuses) && kStatuses[i] != status) ++i;
  slot.by_status[i].Add();
  slot.latency.Observe(elapsed);
}

void RouteMetrics::Write(std::string& out, const Router& router) const {
  // Labels: the route's method and template (never the path as requested, which would carry
  // ids and codes), and the status.
  auto labels = [&](size_t r) {
    if (r == routes_) return std::string("method=\"\",route=\"(no route)\"");
    const Route& route = router.routes()[r];
    return "method=\"" + metrics::EscapeLabel(route.method) + "\",route=\"" +
           metrics::EscapeLabel(route.pattern) + "\"";
  };
  const std::string requests = "cbrnhub_http_requests_total";
  out += "# HELP " + requests + " requests answered, by route template and status\n";
  out += "# TYPE " + requests + " counter\n";
  for (size_t r = 0; slots_ && r <= routes_; ++r) {
    if (slots_[r].latency.count() == 0) continue;
    for (size_t i = 0; i < kStatusSlots; ++i) {
      std::uint64_t n = slots_[r].by_status[i].value();
      if (n == 0) continue;
      std::string status = i < std::size(kStatuses) ? std::to_string(kStatuses[i]) : "other";
      out += requests + "{" + labels(r) + ",status=\"" + status + "\"} " + std::to_string(n) + "\n";
    }
  }
  const std::string duration = "cbrnhub_http_request_duration_seconds";
  metrics::WriteHistogramHeader(out, duration,
                                "time from a parsed request to its response, by route template");
  for (size_t r = 0; slots_ && r <= routes_; ++r) {
    if (slots_[r].latency.count() == 0) continue;
    metrics::WriteHistogramSamples(out, duration, labels(r), slots_[r].latency);
  }
}

Response MetricsPage(Ctx& ctx, Request&) {
  std::string body = metrics::Exposition(ctx.version, storage::LatestSchemaVersion());
  ctx.route_metrics.Write(body, ctx.router);
  Response res;
  res.status = 200;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = std::move(body);
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

}  // namespace cbrnhub::http
