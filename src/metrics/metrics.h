// Process metrics in the Prometheus text format: counters, gauges and latency histograms that
// the hot path updates with relaxed atomics (no lock, no allocation), read when /metrics is
// scraped.
//
// Every metric of the process is declared once, in Standard() (metrics.cc), so that the names,
// help texts and units are in one table and every family is exported from start-up (at 0).
// Labels never carry a country, a user or a record id: only route templates, methods, statuses
// and small fixed sets of words.
//
// Thread-safety: everything here may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace cbrnhub::metrics {

// A count that only goes up.
class Counter {
 public:
  void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (connections in use).
class Gauge {
 public:
  void Add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void Set(std::int64_t n) { value_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// A latency histogram with fixed bucket bounds (kBounds, in seconds). Observing is a handful of
// relaxed atomic additions.
class Histogram {
 public:
  // From half a millisecond (a cached page) to ten seconds (a large import): the range of
  // request latencies worth telling apart; what is slower lands in +Inf.
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  void Observe(std::chrono::nanoseconds elapsed);
  // Cumulative count of observations <= kBounds[i]; i == kBounds.size() is +Inf (all).
  std::uint64_t CumulativeCount(size_t i) const;
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum_seconds() const { return sum_ns_.load(std::memory_order_relaxed) / 1e9; }

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};  // not cumulative
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

// Measures from construction to destruction into a histogram.
class Timer {
 public:
  explicit Timer(Histogram& into) : into_(into), start_(std::chrono::steady_clock::now()) {}
  ~Timer() { into_.Observe(std::chrono::steady_clock::now() - start_); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

 private:
  Histogram& into_;
  std::chrono::steady_clock::time_point start_;
};

// The process's metrics below the HTTP layer (the HTTP server's per-route figures live with its
// route table, see http::WebApp).
struct Standard {
  // Database (storage::): transactions holding a connection now, connections opened because no
  // idle one was left in the pool, and SQLite writers that queued for the write lock.
  Gauge db_connections_in_use;
  Counter db_connections_opened;
  Counter db_write_lock_waits;
  Histogram db_write_lock_wait;
  // Response cache (http::): lookups answered from the cache and lookups that had to render.
  Counter cache_hits;
  Counter cache_misses;
  // Audit log (audit::): entries appended (inside their transaction).
  Counter audit_appends;
  // Screening (exportctl::): parties screened, how many had candidates, time spent matching.
  Counter screenings;
  Counter screenings_with_hits;
  Histogram screening_match;
  // HTTP server: open connections.
  Gauge http_connections_open;
};
Standard& Get();

// Writes one family in the text format to `out` (HELP and TYPE lines first).
void WriteCounter(std::string& out, std::string_view name, std::string_view help,
                  std::uint64_t value);
void WriteGauge(std::string& out, std::string_view name, std::string_view help, double value);
void WriteHistogramHeader(std::string& out, std::string_view name, std::string_view help);
// One histogram's samples; `labels` is "" or `key="value",...` (already escaped).
void WriteHistogramSamples(std::string& out, std::string_view name, std::string_view labels,
                           const Histogram& histogram);
// A label value escaped for the text format (backslash, double quote, newline).
std::string EscapeLabel(std::string_view value);

// A gauge whose value is read when the metrics are scraped, for figures kept elsewhere (the
// e-mail queue's length lives in the database). Unregistered when the returned handle is
// destroyed. `read` returns a negative value when the figure is unknown right now (the family
// is then left out of that scrape).
class ScrapedGauge {
 public:
  ~ScrapedGauge();
  ScrapedGauge(const ScrapedGauge&) = delete;
  ScrapedGauge& operator=(const ScrapedGauge&) = delete;

 private:
  friend std::unique_ptr<ScrapedGauge> RegisterScrapedGauge(std::string, std::string,
                                                            std::function<double()>);
  ScrapedGauge() = default;
  std::uint64_t id_ = 0;
};
[[nodiscard]] std::unique_ptr<ScrapedGauge> RegisterScrapedGauge(std::string name, std::string help,
                                                                 std::function<double()> read);

// Every family of Standard(), the registered scraped gauges, build information
// (cbrnhub_build_info{version,schema}) and the process's own figures (resident memory, open
// files, start time, CPU seconds), in the Prometheus text format 0.0.4.
std::string Exposition(std::string_view version, int schema_version);

}  // namespace cbrnhub::metrics
