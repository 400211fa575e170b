#include "app/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace cbrnhub::app {
namespace {

Result<long long> Number(const std::string& key, const std::string& value, long long min,
                         long long max) {
  if (value.empty() || value.size() > 15 ||
      value.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid(key, key + " must be a whole number, not '" + value + "'");
  }
  long long n = std::stoll(value);
  if (n < min || n > max) {
    return Status::Invalid(key, key + " must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
  }
  return n;
}

Result<bool> Boolean(const std::string& key, const std::string& value) {
  if (value == "true" || value == "on" || value == "yes" || value == "1") return true;
  if (value == "false" || value == "off" || value == "no" || value == "0") return false;
  return Status::Invalid(key, key + " must be true or false, not '" + value + "'");
}

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

const std::map<std::string, std::string>& ConfigKeys() {
  static const std::map<std::string, std::string> kKeys = {
      {"database", "sqlite:PATH (default sqlite:var/cbrnhub.db) or postgresql://user@host/db"},
      {"listen", "address to listen on (default 127.0.0.1)"},
      {"port", "TCP port (default 8080; 0 picks a free one)"},
      {"threads", "worker threads (default: four per core)"},
      {"db_pool", "database connections kept open per process (default 16)"},
      {"body_limit", "largest request body in bytes (default 1048576)"},
      {"upload_limit",
       "largest file upload (sanctions lists, party files) in bytes (default 67108864)"},
      {"header_limit", "largest request header block in bytes (default 16384)"},
      {"request_timeout", "seconds a client has to send a whole request (default 30)"},
      {"idle_timeout", "seconds an idle keep-alive connection stays open (default 60)"},
      {"shutdown_grace", "seconds in-flight requests get on SIGTERM (default 20)"},
      {"max_connections", "open connections beyond which new ones get 503 (default 4096)"},
      {"access_log", "log every request (true/false, default true)"},
      {"log_level", "debug, info, warn or error (default info)"},
      {"backup_dir", "folder of 'cbrnhub backup' without a file name (default var/backups)"},
      {"backup_keep", "backups kept in backup_dir; older ones are removed (default 14)"},
      {"hazard_population_grid",
       "ESRI ASCII grid of people per cell, read at start-up: hazard footprints count people per "
       "zone (default none)"},
      {"trusted_proxies",
       "reverse proxies whose X-Forwarded-For names the client, comma-separated (default none)"},
      {"metrics_allow",
       "addresses or networks that may read /metrics without signing in, comma-separated "
       "(default none: administrators only)"},
      {"session_idle_minutes", "sign-in ends after this long without a request (default 60)"},
      {"session_absolute_hours", "sign-in ends after this long in any case (default 12)"},
      {"max_failed_logins", "failed sign-ins before an account is locked (default 5)"},
      {"lockout_minutes", "how long a locked account stays locked (default 15)"},
      {"sso_issuer", "OpenID Connect provider's issuer URL (https://); single sign-on is off without it"},
      {"sso_provider_name", "the provider's name on the sign-in page (\"Sign in with NAME\")"},
      {"sso_client_id", "this installation's client id at the provider"},
      {"sso_client_secret", "this installation's client secret at the provider"},
      {"sso_redirect_uri", "https://HOST/login/sso/callback as browsers reach this installation"},
      {"sso_algorithm", "the ID tokens' signing algorithm, RS256 or ES256 (default RS256)"},
      {"sso_scopes", "scopes asked for (default: openid email profile)"},
      {"sso_domain_rules", "domain=role[:SCOPE]; ... accounts made at first sign-in for verified e-mail domains"},
      {"sso_clock_skew_seconds", "tolerated clock difference with the provider (default 60)"},
      {"smtp_url", "smtp://HOST:PORT or smtps://HOST:PORT of the mail relay; e-mail notifications are off without it"},
      {"smtp_from", "the sender address of notifications, e.g. cbrnhub@example.org"},
      {"smtp_username", "SMTP user name (empty: no authentication)"},
      {"smtp_password", "SMTP password"},
      {"smtp_starttls", "require STARTTLS on smtp:// (true/false, default true)"},
      {"smtp_ca_file", "CA certificates for the relay's certificate (default: the system's)"},
      {"smtp_base_url", "https://HOST of this installation, for the links in messages"},
      {"smtp_max_attempts", "attempts before a message is marked failed (default 8)"},
      {"smtp_retry_seconds", "first retry after this long, doubling each time up to 6 hours (default 60)"},
      {"smtp_poll_seconds", "how often the sender looks at the mail queue (default 15)"},
  };
  return kKeys;
}

Status ApplySetting(Config& c, const std::string& key, const std::string& value) {
  auto& s = c.server;
  if (key == "database") {
    if (value.empty()) return Status::Invalid(key, "database must not be empty");
    c.database = value;
  } else if (key == "listen") {
    s.address = value;
  } else if (key == "port") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 0, 65535));
    s.port = static_cast<unsigned short>(n);
  } else if (key == "threads") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 0, 256));
    s.threads = static_cast<int>(n);
  } else if (key == "db_pool") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 1000));
    c.db_pool = static_cast<int>(n);
  } else if (key == "body_limit") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1024, 1LL << 32));
    s.body_limit = static_cast<size_t>(n);
  } else if (key == "upload_limit") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1024, 1LL << 32));
    s.upload_limit = static_cast<size_t>(n);
  } else if (key == "header_limit") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1024, 1 << 20));
    s.header_limit = static_cast<size_t>(n);
  } else if (key == "request_timeout") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 3600));
    s.request_timeout = std::chrono::seconds(n);
  } else if (key == "idle_timeout") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 3600));
    s.idle_timeout = std::chrono::seconds(n);
  } else if (key == "shutdown_grace") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 0, 3600));
    s.shutdown_grace = std::chrono::seconds(n);
  } else if (key == "max_connections") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 1000000));
    s.max_connections = static_cast<size_t>(n);
  } else if (key == "access_log") {
    CBRN_ASSIGN_OR_RETURN(s.access_log, Boolean(key, value));
  } else if (key == "session_idle_minutes") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 7 * 24 * 60));
    c.identity.session_idle_minutes = static_cast<int>(n);
  } else if (key == "session_absolute_hours") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 24 * 30));
    c.identity.session_absolute_hours = static_cast<int>(n);
  } else if (key == "max_failed_logins") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 100));
    c.identity.max_failed_logins = static_cast<int>(n);
  } else if (key == "lockout_minutes") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 24 * 60));
    c.identity.lockout_minutes = static_cast<int>(n);
  } else if (key == "sso_issuer") {
    c.sso.issuer = value;
  } else if (key == "sso_provider_name") {
    c.sso.provider_name = value;
  } else if (key == "sso_client_id") {
    c.sso.client_id = value;
  } else if (key == "sso_client_secret") {
    c.sso.client_secret = value;
  } else if (key == "sso_redirect_uri") {
    c.sso.redirect_uri = value;
  } else if (key == "sso_algorithm") {
    if (value != "RS256" && value != "ES256") return Status::Invalid(key, "sso_algorithm must be RS256 or ES256");
    c.sso.algorithm = value;
  } else if (key == "sso_scopes") {
    if ((" " + value + " ").find(" openid ") == std::string::npos) {
      return Status::Invalid(key, "sso_scopes must include openid");
    }
    c.sso.scopes = value;
  } else if (key == "sso_domain_rules") {
    CBRN_ASSIGN_OR_RETURN(c.sso.domain_rules, sso::ParseDomainRules(value));
  } else if (key == "sso_clock_skew_seconds") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 0, 600));
    c.sso.clock_skew_seconds = static_cast<int>(n);
  } else if (key == "smtp_url") {
    c.smtp.url = value;
  } else if (key == "smtp_from") {
    c.smtp.from = value;
  } else if (key == "smtp_username") {
    c.smtp.username = value;
  } else if (key == "smtp_password") {
    c.smtp.password = value;
  } else if (key == "smtp_starttls") {
    CBRN_ASSIGN_OR_RETURN(c.smtp.starttls, Boolean(key, value));
  } else if (key == "smtp_ca_file") {
    c.smtp.ca_file = value;
  } else if (key == "smtp_base_url") {
    c.smtp.base_url = value;
    while (!c.smtp.base_url.empty() && c.smtp.base_url.back() == '/') c.smtp.base_url.pop_back();
  } else if (key == "smtp_max_attempts") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 100));
    c.smtp.max_attempts = static_cast<int>(n);
  } else if (key == "smtp_retry_seconds") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 86400));
    c.smtp.retry_base_seconds = static_cast<int>(n);
  } else if (key == "smtp_poll_seconds") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 3600));
    c.smtp.poll_seconds = static_cast<int>(n);
  } else if (key == "backup_dir") {
    if (value.empty()) return Status::Invalid(key, "backup_dir must not be empty");
    c.backup_dir = value;
  } else if (key == "backup_keep") {
    CBRN_ASSIGN_OR_RETURN(long long n, Number(key, value, 1, 10000));
    c.backup_keep = static_cast<int>(n);
  } else if (key == "hazard_population_grid") {
    c.hazard_population_grid = value;
  } else if (key == "trusted_proxies") {
    auto list = http::AddressList::Parse(value);
    if (!list.ok()) return Status::Invalid(key, "trusted_proxies: " + list.status().message());
    c.web.trusted_proxies = std::move(list).value();
  } else if (key == "metrics_allow") {
    auto list = http::AddressList::Parse(value);
    if (!list.ok()) return Status::Invalid(key, "metrics_allow: " + list.status().message());
    c.web.metrics_allow = std::move(list).value();
  } else if (key == "log_level") {
    if (value != "debug" && value != "info" && value != "warn" && value != "error") {
      return Status::Invalid(key, "log_level must be debug, info, warn or error");
    }
    c.log_level = value;
  } else {
    return Status::Invalid(key, "unknown setting '" + key + "'");
  }
  return Status::Ok();
}

Status LoadConfigText(Config& config, const std::string& text, const std::string& source) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto eq = t.find('=');
    std::string where = source + ":" + std::to_string(n);
    if (eq == std::string::npos) {
      return Status::Invalid("config", where + ": expected 'key = value', got '" + t + "'");
    }
    std::string key = Trim(t.substr(0, eq));
    std::string value = Trim(t.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    Status st = ApplySetting(config, key, value);
    if (!st.ok()) return Status::Invalid(key, where + ": " + st.message());
  }
  return Status::Ok();
}

Status LoadConfigFile(Config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Invalid("config", "cannot read config file " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return LoadConfigText(config, buf.str(), path);
}

Status LoadEnvironment(Config& config) {
  for (const auto& [key, description] : ConfigKeys()) {
    std::string name = "CBRNHUB_";
    for (char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const char* v = std::getenv(name.c_str())) {
      Status st = ApplySetting(config, key, v);
      if (!st.ok()) return Status::Invalid(key, "environment " + name + ": " + st.message());
    }
  }
  return Status::Ok();
}

}  // namespace cbrnhub::app
