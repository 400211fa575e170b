#include "metrics/metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

namespace cbrnhub::metrics {
namespace {

std::string Number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

void Header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

const std::time_t kStartTime = std::time(nullptr);

struct ScrapedRegistry {
  std::mutex mu;
  std::uint64_t next_id = 1;
  struct Entry {
    std::string name, help;
    std::function<double()> read;
  };
  std::map<std::uint64_t, Entry> entries;
};
ScrapedRegistry& Scraped() {
  static ScrapedRegistry registry;
  return registry;
}

// The process's own figures, read from /proc (Linux), named as Prometheus client libraries name
// them so that standard dashboards find them.
void WriteProcess(std::string& out) {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may contain spaces) are space-separated; field 3 is
  // the state. utime, stime: 14, 15; starttime: 22; rss (pages): 24.
  auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream in(stat.substr(close + 2));
    std::string field;
    std::vector<std::string> f;
    while (in >> field) f.push_back(field);
    if (f.size() > 21) {
      double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
      double cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;
      Header(out, "process_cpu_seconds_total", "user and system CPU time spent, in seconds",
             "counter");
      out.append("process_cpu_seconds_total ").append(Number(cpu)).append("\n");
      double rss = std::stod(f[21]) * static_cast<double>(sysconf(_SC_PAGESIZE));
      WriteGauge(out, "process_resident_memory_bytes", "resident memory size in bytes", rss);
    }
  }
  // Taken when the process loads this library rather than from /proc/uptime, which the service's
  // sandbox (ProcSubset=pid) hides.
  WriteGauge(out, "process_start_time_seconds",
             "start time of the process since the Unix epoch, in seconds",
             static_cast<double>(kStartTime));
  if (DIR* dir = opendir("/proc/self/fd")) {
    long open = 0;
    while (dirent* e = readdir(dir)) {
      if (e->d_name[0] != '.') ++open;
    }
    closedir(dir);
    WriteGauge(out, "process_open_fds", "open file descriptors",
               static_cast<double>(open - 1));  // not opendir's own
  }
}

}  // namespace

void Histogram::Observe(std::chrono::nanoseconds elapsed) {
  double seconds = std::chrono::duration<double>(elapsed).count();
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(elapsed.count() > 0 ? elapsed.count() : 0),
                    std::memory_order_relaxed);
}

std::uint64_t Histogram::CumulativeCount(size_t i) const {
  std::uint64_t n = 0;
  for (size_t b = 0; b <= i && b < buckets_.size(); ++b)
    n += buckets_[b].load(std::memory_order_relaxed);
  return n;
}

Standard& Get() {
  static Standard standard;
  return standard;
}

std::string EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void WriteCounter(std::string& out, std::string_view name, std::string_view help,
                  std::uint64_t value) {
  Header(out, name, help, "counter");
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

void WriteGauge(std::string& out, std::string_view name, std::string_view help, double value) {
  Header(out, name, help, "gauge");
  out.append(name).append(" ").append(Number(value)).append("\n");
}

void WriteHistogramHeader(std::string& out, std::string_view name, std::string_view help) {
  Header(out, name, help, "histogram");
}

void WriteHistogramSamples(std::string& out, std::string_view name, std::string_view labels,
                           const Histogram& h) {
  // Read the buckets once, then derive count from them, so that +Inf equals _count even while
  // other threads observe.
  std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  std::uint64_t total = 0;
  for (size_t i = 0; i <= Histogram::kBounds.size(); ++i) {
    total = h.CumulativeCount(i);
    std::string le = i < Histogram::kBounds.size() ? Number(Histogram::kBounds[i]) : "+Inf";
    out.append(name).append("_bucket{").append(prefix).append("le=\"").append(le).append("\"} ");
    out.append(std::to_string(total)).append("\n");
  }
  std::string braces = labels.empty() ? std::string() : "{" + std::string(labels) + "}";
  out.append(name)
      .append("_sum")
      .append(braces)
      .append(" ")
      .append(Number(h.sum_seconds()))
      .append("\n");
  out.append(name)
      .append("_count")
      .append(braces)
      .append(" ")
      .append(std::to_string(total))
      .append("\n");
}

ScrapedGauge::~ScrapedGauge() {
  auto& registry = Scraped();
  std::lock_guard lock(registry.mu);
  registry.entries.erase(id_);
}

std::unique_ptr<ScrapedGauge> RegisterScrapedGauge(std::string name, std::string help,
                                                   std::function<double()> read) {
  auto handle = std::unique_ptr<ScrapedGauge>(new ScrapedGauge());
  auto& registry = Scraped();
  std::lock_guard lock(registry.mu);
  handle->id_ = registry.next_id++;
  registry.entries[handle->id_] = {std::move(name), std::move(help), std::move(read)};
  return handle;
}

std::string Exposition(std::string_view version, int schema_version) {
  Standard& s = Get();
  std::string out;
  out.reserve(8192);
  Header(out, "cbrnhub_build_info", "the running build: version and database schema version",
         "gauge");
  out.append("cbrnhub_build_info{version=\"").append(EscapeLabel(version)).append("\",schema=\"");
  out.append(std::to_string(schema_version)).append("\"} 1\n");

  WriteGauge(out, "cbrnhub_db_connections_in_use",
             "database connections held by an open transaction",
             static_cast<double>(s.db_connections_in_use.value()));
  WriteCounter(out, "cbrnhub_db_connections_opened_total",
               "database connections opened because the pool had no idle one",
               s.db_connections_opened.value());
  WriteCounter(out, "cbrnhub_db_write_lock_waits_total",
               "write transactions that waited for another writer of this process (SQLite)",
               s.db_write_lock_waits.value());
  WriteHistogramHeader(out, "cbrnhub_db_write_lock_wait_seconds",
                       "time write transactions waited for the write lock (SQLite)");
  WriteHistogramSamples(out, "cbrnhub_db_write_lock_wait_seconds", "", s.db_write_lock_wait);
  WriteCounter(out, "cbrnhub_response_cache_hits_total",
               "cacheable requests answered from the response cache", s.cache_hits.value());
  WriteCounter(out, "cbrnhub_response_cache_misses_total",
               "cacheable requests that had to be computed", s.cache_misses.value());
  WriteCounter(
      out, "cbrnhub_audit_appends_total",
      "audit entries appended (inside their transaction, so a rolled-back change counts too)",
      s.audit_appends.value());
  WriteCounter(out, "cbrnhub_screenings_total", "parties screened against the sanctions lists",
               s.screenings.value());
  WriteCounter(out, "cbrnhub_screenings_with_candidates_total",
               "screened parties with at least one candidate", s.screenings_with_hits.value());
  WriteHistogramHeader(out, "cbrnhub_screening_match_seconds",
                       "time spent matching one party against the lists");
  WriteHistogramSamples(out, "cbrnhub_screening_match_seconds", "", s.screening_match);
  WriteGauge(out, "cbrnhub_http_connections_open", "open HTTP connections",
             static_cast<double>(s.http_connections_open.value()));
  {
    auto& registry = Scraped();
    std::lock_guard lock(registry.mu);
    for (const auto& [id, entry] : registry.entries) {
      double v = entry.read();
      if (v >= 0) WriteGauge(out, entry.name, entry.help, v);
    }
  }
  WriteProcess(out);
  return out;
}

}  // namespace cbrnhub::metrics
