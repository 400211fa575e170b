// Configuration: built-in defaults, then a config file, then CBRNHUB_* environment variables,
// then command-line flags (each overrides the one before). See README.md "Configuration".
#pragma once

#include <map>
#include <string>

#include "core/status.h"
#include "http/http.h"
#include "identity/identity.h"
#include "notify/notify.h"
#include "sso/sso.h"

namespace cbrnhub::app {

struct Config {
  std::string database = "sqlite:var/cbrnhub.db";
  http::ServerOptions server;
  http::WebOptions web;
  int db_pool = 16;
  identity::Settings identity;
  sso::Settings sso;  // single sign-on (OpenID Connect); off without sso_issuer
  notify::SmtpSettings smtp;  // e-mail notifications; off without smtp_url
  std::string log_level = "info";
  // `cbrnhub backup` without a file: where backups go and how many are kept (the nightly timer).
  std::string backup_dir = "var/backups";
  int backup_keep = 14;
  // An ESRI ASCII grid of people per cell (docs/hazard.md) that hazard footprints count people
  // with; read when the server starts (a bad file stops it, naming the line). "" = none.
  std::string hazard_population_grid;
};

// The settings a config file or the environment may set, with a one-line description each.
const std::map<std::string, std::string>& ConfigKeys();

// Applies `key = value` to `config`. InvalidArgument naming the key for unknown keys or bad
// values.
Status ApplySetting(Config& config, const std::string& key, const std::string& value);

// Reads a config file of `key = value` lines ('#' starts a comment). Errors name file and line.
Status LoadConfigFile(Config& config, const std::string& path);
Status LoadConfigText(Config& config, const std::string& text, const std::string& source);

// Applies CBRNHUB_<KEY> environment variables (key upper-cased, '-' and '.' as '_').
Status LoadEnvironment(Config& config);

}  // namespace cbrnhub::app
