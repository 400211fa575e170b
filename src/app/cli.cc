// The command line: serve, migrate, seed, backup, restore, check, audit, records, version, hazard.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>
#include <malloc.h>
#include <termios.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>
#include <chrono>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app/app.h"
#include "app/config.h"
#include "app/hazard_cli.h"
#include "audit/audit.h"
#include "backup/backup.h"
#include "core/ids.h"
#include "assessment/assessment.h"
#include "meetings/meetings.h"
#include "plans/plans.h"
#include "risk/risk.h"
#include "exportctl/exportctl.h"
#include "http/server.h"
#include "http/web.h"
#include "i18n/i18n.h"
#include "identity/identity.h"
#include "network/network.h"
#include "records/records.h"
#include "storage/storage.h"

#ifndef CBRNHUB_VERSION
#define CBRNHUB_VERSION "0.0.0-dev"
#endif

namespace cbrnhub::app {
namespace {

using nlohmann::json;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int Fail(const Status& st) {
  std::cerr << "error: " << st.message() << (st.field().empty() ? "" : " [" + st.field() + "]")
            << "\n";
  return st.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
}

// Everything a command needs once the configuration is known.
struct Services {
  std::unique_ptr<storage::Database> db;
  records::Catalog catalog;
  std::unique_ptr<records::Store> store;
  std::unique_ptr<identity::Service> identity;
  std::unique_ptr<exportctl::Service> exportctl;
  std::unique_ptr<assessment::Service> assessment;
  std::unique_ptr<plans::Service> plans;
  std::unique_ptr<risk::Service> risk;
  std::unique_ptr<meetings::Service> meetings;
};

Result<std::unique_ptr<Services>> OpenServices(const Config& config, bool migrate) {
  auto s = std::make_unique<Services>();
  if (config.database.rfind("sqlite:", 0) == 0 || config.database.find("://") == std::string::npos) {
    // Create the folder of an embedded database on first use.
    std::string path = config.database.rfind("sqlite:", 0) == 0 ? config.database.substr(7)
                                                                 : config.database;
    auto dir = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  }
  CBRN_ASSIGN_OR_RETURN(s->db, storage::Open(config.database, config.db_pool));
  if (migrate) {
    CBRN_ASSIGN_OR_RETURN(int version, storage::Migrate(*s->db));
    spdlog::debug("database {} at schema version {}", s->db->Describe(), version);
  } else {
    CBRN_ASSIGN_OR_RETURN(int version, storage::SchemaVersion(*s->db));
    if (version != storage::LatestSchemaVersion()) {
      return Status::Unavailable("database schema is at version " + std::to_string(version) +
                                 ", this release needs " +
                                 std::to_string(storage::LatestSchemaVersion()) +
                                 ": run 'cbrnhub migrate'");
    }
  }
  network::RegisterKinds(s->catalog);
  exportctl::RegisterKinds(s->catalog);
  assessment::RegisterKinds(s->catalog);
  plans::RegisterKinds(s->catalog);
  risk::RegisterKinds(s->catalog);
  meetings::RegisterKinds(s->catalog);
  s->store = std::make_unique<records::Store>(*s->db, s->catalog);
  s->exportctl = std::make_unique<exportctl::Service>(*s->store);
  s->assessment = std::make_unique<assessment::Service>(*s->store);
  s->plans = std::make_unique<plans::Service>(*s->store, *s->assessment);
  s->risk = std::make_unique<risk::Service>(*s->store, *s->assessment);
  s->meetings = std::make_unique<meetings::Service>(*s->store, *s->assessment, *s->plans);
  s->identity = std::make_unique<identity::Service>(*s->db, config.identity);
  return s;
}

// The command line acts with full rights: whoever runs it can read the database anyway.
// The audit log records it as "cli:<login name>".
records::Caller CliCaller() {
  const char* user = std::getenv("USER");
  return records::Caller{access::Principal::System(std::string("cli:") + (user ? user : "unknown")),
                         "local"};
}

// Reads a password from standard input: without echo at a terminal, one line otherwise.
std::string ReadPassword(const std::string& prompt) {
  bool tty = isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void PrintJson(const json& j) {
  std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

// Writes the document a command made to `path` and says how large it is.
int WriteDocument(const Result<std::string>& bytes, const std::string& path) {
  if (!bytes.ok()) return Fail(bytes.status());
  std::ofstream out(path, std::ios::binary);
  out << *bytes;
  if (!out) return Fail(Status::Internal("cannot write " + path));
  std::cout << path << ": " << bytes->size() << " bytes\n";
  return 0;
}

// A checked workbook: its preview printed, or (`apply`) applied and what was applied printed.
int PreviewOrApply(const Result<json>& preview, bool apply,
                   const std::function<Result<json>(const std::string& import_id)>& apply_import) {
  if (!preview.ok()) return Fail(preview.status());
  const Result<json> shown = apply ? apply_import((*preview)["import_id"]) : preview;
  if (!shown.ok()) return Fail(shown.status());
  PrintJson(*shown);
  return 0;
}

// The workbooks' words: the interface's catalogue.
std::function<std::string(const std::string&, const std::string&)> WordsOf(const i18n::Catalogs& catalogs) {
  return [&catalogs](const std::string& lang, const std::string& key) { return catalogs.Translate(lang, key); };
}

Result<json> ReadJsonArgument(const std::string& text_or_file) {
  std::string text = text_or_file;
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1));
    if (!in) return Status::Invalid("json", "cannot read " + text.substr(1));
    std::stringstream buf;
    buf << in.rdbuf();
    text = buf.str();
  }
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::Invalid("json", "not valid JSON: " + text_or_file);
  return j;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid(path, "cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// `questionnaire load FILE --check`: every error (exit 2), or a summary with the translations
// still missing as warnings (exit 0; publishing refuses them unless --allow-incomplete).
int CheckQuestionnaireFile(const std::string& file) {
  auto text = ReadFile(file);
  if (!text.ok()) return Fail(text.status());
  std::string name = std::filesystem::path(file).filename().string();
  auto def = assessment::ParseDefinition(*text, name);
  if (!def.ok()) return Fail(def.status());
  std::cout << name << ": " << def->code << " " << def->version << ", " << def->sections.size()
            << " sections, " << def->questions.size() << " questions: no errors\n";
  if (std::string missing = assessment::MissingTranslations(*def, name); !missing.empty()) {
    std::cerr << "warning: " << missing << "\n";
  }
  return 0;
}

// `risk method check FILE`: every error with its line (exit 2), or a summary with the
// translations still missing as warnings.
int CheckRiskMethodFile(const std::string& file) {
  auto text = ReadFile(file);
  if (!text.ok()) return Fail(text.status());
  std::string name = std::filesystem::path(file).filename().string();
  auto m = risk::ParseMethod(*text, name);
  if (!m.ok()) return Fail(m.status());
  std::cout << name << ": " << m->code << " " << m->version << ", " << m->likelihood.size() << " likelihood levels, "
            << m->criteria.size() << " impact criteria, " << m->bands.size() << " bands: no errors\n";
  for (size_t i = 0; i < m->untranslated.size() && i < 20; ++i) std::cerr << "warning: " << m->untranslated[i].ToString(name) << "\n";
  return 0;
}

// OFAC publishes sdn.csv with add.csv and alt.csv beside it; mirrors prefix them alike
// (ofac_sdn.csv, ofac_add.csv, ofac_alt.csv).
std::string Companion(const std::string& sdn_path, const std::string& kind) {
  std::filesystem::path p(sdn_path);
  std::string name = p.filename().string();
  auto at = name.rfind("sdn");
  if (at == std::string::npos) return "";
  name.replace(at, 3, kind);
  auto candidate = p.parent_path() / name;
  return std::filesystem::exists(candidate) ? candidate.string() : "";
}

// Writes matches.csv rows: party_id,list,entity_id,matched_name,score (best first per party).
std::string CsvField(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The syslog priority of a log line as the journal reads it from the start of a line.
class JournalPriority : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    int priority = 6;  // info
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        priority = 7;
        break;
      case spdlog::level::warn:
        priority = 4;
        break;
      case spdlog::level::err:
        priority = 3;
        break;
      case spdlog::level::critical:
        priority = 2;
        break;
      default:
        break;
    }
    const char text[] = {'<', static_cast<char>('0' + priority), '>'};
    dest.append(text, text + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriority>();
  }
};

// "N rows (table n, ...)" for the backup and restore reports.
std::string HumanCount(const std::map<std::string, std::int64_t>& rows) {
  std::string out;
  std::int64_t total = 0;
  for (const auto& [table, n] : rows) {
    out += (out.empty() ? "" : ", ") + table + " " + std::to_string(n);
    total += n;
  }
  return std::to_string(total) + " rows (" + out + ")";
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App cli{"cbrnhub: information system of a CBRN risk-mitigation network"};
  cli.require_subcommand(1);
  std::string config_file, database;
  cli.add_option("-c,--config", config_file, "config file of 'key = value' lines")
      ->envname("CBRNHUB_CONFIG");
  cli.add_option("-d,--database", database,
                 "sqlite:PATH or postgresql://... (overrides config and CBRNHUB_DATABASE)");

  auto* serve = cli.add_subcommand("serve", "serve the web UI and JSON API");
  std::string listen;
  int port = -1, threads = -1;
  std::string access_log;
  serve->add_option("--listen", listen, "address to listen on (default 127.0.0.1)");
  serve->add_option("-p,--port", port, "TCP port (default 8080; 0 picks a free one)");
  serve->add_option("--threads", threads, "worker threads (default: four per core)");
  serve->add_option("--access-log", access_log, "true or false");
  std::string port_file;
  serve->add_option("--port-file", port_file, "write the bound port to this file once listening");
  std::string settings_help = "\nSettings (config file key, or CBRNHUB_<KEY> in the environment):\n";
  for (const auto& [key, description] : ConfigKeys()) {
    settings_help += "  " + key + std::string(key.size() < 16 ? 16 - key.size() : 1, ' ') +
                     description + "\n";
  }
  serve->footer(settings_help);

  auto* migrate = cli.add_subcommand("migrate", "apply pending database migrations");
  auto* seed = cli.add_subcommand("seed", "load the network's reference data (idempotent)");
  bool demo = false;
  seed->add_flag("--demo", demo, "also load fictitious demo organisations, agencies and people");
  auto* backup_cmd = cli.add_subcommand(
      "backup",
      "write all data to FILE, or into backup_dir keeping backup_keep (safe while serving)");
  std::string backup_file;
  backup_cmd->add_option(
      "FILE", backup_file,
      "backup file to write (default: a new file in backup_dir, the oldest beyond "
      "backup_keep removed)");
  auto* restore_cmd = cli.add_subcommand("restore", "replace all data with the backup in FILE");
  std::string restore_file, safety_file;
  restore_cmd->add_option("FILE", restore_file, "backup file to read")->required();
  restore_cmd->add_option("--safety-backup", safety_file,
                          "where to save the current data first (default: FILE.before-restore-TIME)");
  auto* version_cmd = cli.add_subcommand("version", "print the version");
  auto* check_cmd = cli.add_subcommand("check", "check database integrity and the audit chain");
  auto* audit_cmd = cli.add_subcommand("audit", "the audit log");
  audit_cmd->require_subcommand(1);
  auto* audit_verify = audit_cmd->add_subcommand("verify", "verify the audit log's hash chain");

  auto* user_cmd = cli.add_subcommand("user", "user accounts");
  user_cmd->require_subcommand(1);
  std::string username, display_name, role_name, scope_country, scope_region;
  bool make_admin = false;
  auto* user_add = user_cmd->add_subcommand(
      "add", "add a user; the password is read from standard input (prompted at a terminal)");
  user_add->add_option("--username", username, "sign-in name")->required();
  user_add->add_flag("--admin", make_admin, "an administrator (how a new installation starts)");
  user_add->add_option("--name", display_name, "full name (default: the username)");
  user_add->add_option("--role", role_name, "role, when not --admin");
  user_add->add_option("--country", scope_country, "ISO code, for country roles");
  user_add->add_option("--region", scope_region, "region code, for the secretariat");
  auto* user_list = user_cmd->add_subcommand("list", "list users");
  auto* user_password = user_cmd->add_subcommand("set-password", "set a password (standard input)");
  user_password->add_option("USERNAME", username)->required();
  auto* user_disable = user_cmd->add_subcommand("disable", "disable a user (ends their sessions)");
  user_disable->add_option("USERNAME", username)->required();
  auto* user_enable = user_cmd->add_subcommand("enable", "enable a user again");
  user_enable->add_option("USERNAME", username)->required();
  auto* user_reset_totp = user_cmd->add_subcommand("reset-2fa", "turn a user's TOTP off");
  user_reset_totp->add_option("USERNAME", username)->required();

  auto* mail_cmd = cli.add_subcommand("mail", "e-mail notifications");
  mail_cmd->require_subcommand(1);
  std::string mail_status;
  int mail_limit = 50;
  auto* mail_queue = mail_cmd->add_subcommand("queue", "the mail queue, newest first");
  mail_queue->add_option("--status", mail_status, "queued, sent, failed or dropped (default: all)");
  mail_queue->add_option("--limit", mail_limit, "how many (1-1000, default 50)");
  mail_cmd->add_subcommand("send", "send the messages due now (smtp_* settings)");

  auto* rec = cli.add_subcommand("records", "list, show and change records of any kind");
  rec->require_subcommand(1);
  std::string kind, id, body_arg;
  std::vector<std::string> filters;
  std::string text_query;
  int limit = 100, offset = 0;
  auto* rec_list = rec->add_subcommand("list", "list records of KIND");
  rec_list->add_option("KIND", kind, "regions, countries, memberships, organisations, agencies, people")
      ->required();
  rec_list->add_option("-f,--filter", filters, "FIELD=VALUE (repeatable)");
  rec_list->add_option("-q,--query", text_query, "text search");
  rec_list->add_option("--limit", limit, "page size (1-500)");
  rec_list->add_option("--offset", offset, "records to skip");
  auto* rec_get = rec->add_subcommand("get", "show one record");
  rec_get->add_option("KIND", kind)->required();
  rec_get->add_option("ID", id, "id or natural key (e.g. UZ, CA)")->required();
  auto* rec_create = rec->add_subcommand("create", "create a record from JSON (or @file.json)");
  rec_create->add_option("KIND", kind)->required();
  rec_create->add_option("JSON", body_arg)->required();
  auto* rec_update = rec->add_subcommand("update", "change fields of a record from JSON");
  rec_update->add_option("KIND", kind)->required();
  rec_update->add_option("ID", id)->required();
  rec_update->add_option("JSON", body_arg)->required();
  auto* rec_delete = rec->add_subcommand("delete", "delete a record (recoverably)");
  rec_delete->add_option("KIND", kind)->required();
  rec_delete->add_option("ID", id)->required();
  auto* rec_restore = rec->add_subcommand("restore", "restore a deleted record");
  rec_restore->add_option("KIND", kind)->required();
  rec_restore->add_option("ID", id)->required();
  auto* rec_history = rec->add_subcommand("history", "the audit history of a record");
  rec_history->add_option("KIND", kind)->required();
  rec_history->add_option("ID", id)->required();

  auto* quest_cmd = cli.add_subcommand("questionnaire", "needs-assessment questionnaires");
  quest_cmd->require_subcommand(1);
  std::string quest_file, quest_from, quest_to;
  auto* quest_load = quest_cmd->add_subcommand("load", "check and publish a definition (YAML); errors listed with lines");
  quest_load->add_option("FILE", quest_file)->required();
  bool quest_check_only = false;
  quest_load->add_flag("--check", quest_check_only,
                       "only check the file (no database needed); publish nothing");
  bool quest_allow_incomplete = false;
  quest_load->add_flag("--allow-incomplete", quest_allow_incomplete,
                       "publish even if a declared language lacks some translations");
  auto* quest_map = quest_cmd->add_subcommand("map", "load the mapping of answers between two versions");
  quest_map->add_option("FROM", quest_from, "code@version, e.g. naq@2019")->required();
  quest_map->add_option("TO", quest_to, "code@version, e.g. naq@2024")->required();
  quest_map->add_option("FILE", quest_file)->required();
  auto* assess_cmd = cli.add_subcommand("assessment", "needs assessments");
  assess_cmd->require_subcommand(1);
  std::string assess_id, assess_output, assess_lang = "en";
  auto* assess_results = assess_cmd->add_subcommand("results", "scores, gaps and priorities of an assessment (JSON)");
  assess_results->add_option("ID", assess_id)->required();
  assess_results->add_option("--lang", assess_lang, "en, fr, ru or ar");
  auto* assess_export = assess_cmd->add_subcommand("workbook", "write the assessment's XLSX workbook");
  assess_export->add_option("ID", assess_id)->required();
  assess_export->add_option("--output", assess_output, "the .xlsx file to write")->required();
  assess_export->add_option("--lang", assess_lang, "en, fr, ru or ar");
  std::string assess_file;
  bool assess_apply = false;
  auto* assess_import = assess_cmd->add_subcommand("import", "check a filled assessment workbook (and apply it with --apply)");
  assess_import->add_option("ID", assess_id)->required();
  assess_import->add_option("FILE", assess_file)->required();
  assess_import->add_flag("--apply", assess_apply, "apply when every cell is valid (all answers or none)");

  auto* brief_cmd = cli.add_subcommand("brief", "write a round table's brief (HTML or PDF)");
  std::string brief_region, brief_date, brief_format = "pdf", brief_lang = "en", brief_output;
  brief_cmd->add_option("--region", brief_region, "region code, e.g. CA")->required();
  brief_cmd->add_option("--date", brief_date, "the meeting date, YYYY-MM-DD")->required();
  brief_cmd->add_option("--format", brief_format, "pdf or html")->check(CLI::IsMember({"pdf", "html"}));
  brief_cmd->add_option("--lang", brief_lang, "en, fr, ru or ar");
  brief_cmd->add_option("--output", brief_output, "the file to write")->required();

  auto* plan_cmd = cli.add_subcommand("plan", "action plans");
  plan_cmd->require_subcommand(1);
  std::string plan_id, plan_as_of, plan_note;
  int plan_from = 1, plan_to = 0;
  auto* plan_show = plan_cmd->add_subcommand("show", "a plan with its actions, delays and totals (JSON)");
  plan_show->add_option("ID", plan_id)->required();
  plan_show->add_option("--as-of", plan_as_of, "YYYY-MM-DD: the plan as it was at the end of that day");
  auto* plan_adopt = plan_cmd->add_subcommand("adopt", "adopt a draft or revised plan (keeps it as the next version)");
  plan_adopt->add_option("ID", plan_id)->required();
  plan_adopt->add_option("--note", plan_note);
  auto* plan_revise = plan_cmd->add_subcommand("revise", "open an adopted plan for changes");
  plan_revise->add_option("ID", plan_id)->required();
  plan_revise->add_option("--note", plan_note);
  std::string plan_output, plan_file, plan_lang = "en";
  bool plan_apply = false;
  auto* plan_export = plan_cmd->add_subcommand("export", "write the plan's XLSX workbook (one row per action)");
  plan_export->add_option("ID", plan_id)->required();
  plan_export->add_option("--output", plan_output, "the .xlsx file to write")->required();
  plan_export->add_option("--lang", plan_lang,
                          "language of the headers and choices (en, fr, ru, ar)");
  auto* plan_import = plan_cmd->add_subcommand("import", "check a filled plan workbook (and apply it with --apply)");
  plan_import->add_option("ID", plan_id)->required();
  plan_import->add_option("FILE", plan_file)->required();
  plan_import->add_flag("--apply", plan_apply, "apply when every row is valid (all rows or none)");
  auto* plan_diff = plan_cmd->add_subcommand("diff", "what changed between two versions (JSON; 0 = now)");
  plan_diff->add_option("ID", plan_id)->required();
  plan_diff->add_option("FROM", plan_from)->required();
  plan_diff->add_option("TO", plan_to);

  auto* risk_cmd = cli.add_subcommand("risk", "national risk assessment: methods and registers");
  risk_cmd->require_subcommand(1);
  auto* risk_method = risk_cmd->add_subcommand("method", "risk method definitions (YAML)");
  risk_method->require_subcommand(1);
  std::string risk_file, risk_id, risk_output, risk_lang = "en", risk_note;
  bool risk_allow_incomplete = false;
  auto* risk_method_check = risk_method->add_subcommand("check", "check a method file; errors listed with lines");
  risk_method_check->add_option("FILE", risk_file)->required();
  auto* risk_method_load = risk_method->add_subcommand("load", "check and load a method file (administrators)");
  risk_method_load->add_option("FILE", risk_file)->required();
  risk_method_load->add_flag("--allow-incomplete", risk_allow_incomplete, "load although some texts lack a declared language");
  auto* risk_export = risk_cmd->add_subcommand("export", "write a register's XLSX workbook");
  risk_export->add_option("ID", risk_id)->required();
  risk_export->add_option("--output", risk_output, "the .xlsx file to write")->required();
  risk_export->add_option("--lang", risk_lang,
                          "language of the headers and labels (en, fr, ru, ar)");
  auto* risk_show = risk_cmd->add_subcommand("show", "a register with its rated scenarios and matrix (JSON)");
  risk_show->add_option("ID", risk_id)->required();
  auto* risk_validate = risk_cmd->add_subcommand("validate", "validate a register's round (keeps it as it is)");
  risk_validate->add_option("ID", risk_id)->required();
  risk_validate->add_option("--note", risk_note);

  HazardCommand hazard_options;
  AddHazardCommand(cli, hazard_options);
  auto* lists_cmd = cli.add_subcommand("lists", "sanctions lists");
  lists_cmd->require_subcommand(1);
  std::string list_file, list_format, list_code;
  auto* lists_import = lists_cmd->add_subcommand(
      "import", "load FILE as a new edition (OFAC: the sdn file; add/alt are found beside it)");
  lists_import->add_option("FILE", list_file)->required();
  lists_import->add_option("--format", list_format, "un-xml, eu-xml, ofac-csv or csv")
      ->required()->check(CLI::IsMember({"un-xml", "eu-xml", "ofac-csv", "csv"}));
  lists_import->add_option("--list", list_code, "list code (default: un, ofac, or the file name)");
  auto* lists_show = lists_cmd->add_subcommand("show", "the editions loaded, newest first");
  auto* control_cmd = cli.add_subcommand("control-list", "the dual-use control list");
  control_cmd->require_subcommand(1);
  std::string control_file, control_query, control_lang = "en";
  auto* control_import = control_cmd->add_subcommand("import", "replace the control list with FILE (CSV)");
  control_import->add_option("FILE", control_file)->required();
  auto* control_search = control_cmd->add_subcommand("search", "search the control list");
  control_search->add_option("QUERY", control_query)->required();
  control_search->add_option("--lang", control_lang,
                             "language of the descriptions (en, fr, ru, ar)");
  auto* screen_cmd = cli.add_subcommand("screen", "screen parties against the sanctions lists in force");
  std::string screen_input, screen_output, screen_name;
  double screen_threshold = 0;
  screen_cmd->add_option("--input", screen_input, "CSV with header id,name[,country,birth_date,id_number]");
  screen_cmd->add_option("--output", screen_output, "CSV: party_id,list,entity_id,matched_name,score ('-' = stdout)");
  screen_cmd->add_option("--name", screen_name, "screen one name and print the candidates with explanations");
  screen_cmd->add_option("--threshold", screen_threshold, "report candidates at or above this score (default: the engine's)")
      ->check(CLI::Range(0.0, 1.0));
  bool no_progress = false;
  screen_cmd->add_flag("--no-progress", no_progress, "no progress bar on standard error");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  if (*version_cmd) {
    std::cout << "cbrnhub " << CBRNHUB_VERSION << " (schema " << storage::LatestSchemaVersion()
              << ")\n";
    return 0;
  }

  // Checking a definition needs no database: an author checks a file anywhere.
  if (*quest_load && quest_check_only) return CheckQuestionnaireFile(quest_file);
  if (*risk_method_check) return CheckRiskMethodFile(risk_file);
  if (*hazard_options.command) return RunHazard(hazard_options);

  Config config;
  if (!config_file.empty()) {
    Status st = LoadConfigFile(config, config_file);
    if (!st.ok()) return Fail(st);
  }
  if (Status st = LoadEnvironment(config); !st.ok()) return Fail(st);
  if (!database.empty()) config.database = database;
  if (*serve) {
    std::vector<std::pair<std::string, std::string>> flags;
    if (!listen.empty()) flags.emplace_back("listen", listen);
    if (port >= 0) flags.emplace_back("port", std::to_string(port));
    if (threads >= 0) flags.emplace_back("threads", std::to_string(threads));
    if (!access_log.empty()) flags.emplace_back("access_log", access_log);
    for (const auto& [k, v] : flags) {
      if (Status st = ApplySetting(config, k, v); !st.ok()) return Fail(st);
    }
  }
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  if (std::getenv("JOURNAL_STREAM")) {
    // Under systemd the output goes to the journal, which stamps the time itself and reads the
    // priority from a "<N>" prefix (sd-daemon(3)), so `journalctl -p warning` finds warnings.
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JournalPriority>('*').set_pattern("%*%l %v");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }

  // Commands that change the schema or serve apply migrations first; the others refuse to run
  // against a database of another schema version.
  bool migrates = *serve || *migrate || *seed || *restore_cmd;
  auto services = OpenServices(config, migrates);
  if (!services.ok()) return Fail(services.status());
  Services& s = **services;

  if (*migrate) {
    std::cout << "database " << s.db->Describe() << " is at schema version "
              << storage::LatestSchemaVersion() << "\n";
    return 0;
  }
  if (*seed) {
    records::Caller seeder{access::Principal::System("seed"), "local"};
    auto ref = network::SeedReference(*s.store, seeder);
    if (!ref.ok()) return Fail(ref.status());
    std::cout << "reference data: " << ref->added << " added, " << ref->unchanged
              << " already present\n";
    auto control = s.exportctl->SeedControlList(seeder);
    if (!control.ok()) return Fail(control.status());
    if (*control > 0) std::cout << "control list: " << *control << " sample entries\n";
    auto samples = s.assessment->SeedSamples(seeder);
    if (!samples.ok()) return Fail(samples.status());
    if (*samples > 0) std::cout << "questionnaires: " << *samples << " sample versions published\n";
    auto method = s.risk->SeedSamples(seeder);
    if (!method.ok()) return Fail(method.status());
    if (*method > 0) std::cout << "risk method: the sample method eu-rmg 2010 loaded\n";
    if (demo) {
      auto d = network::SeedDemo(*s.store, seeder);
      if (!d.ok()) return Fail(d.status());
      std::cout << "demo data: " << d->added << " added, " << d->unchanged
                << " already present\n";
      auto demo_assessments = s.assessment->SeedDemo(seeder);
      if (!demo_assessments.ok()) return Fail(demo_assessments.status());
      if (*demo_assessments > 0) std::cout << "demo assessments: " << *demo_assessments << " (UZ validated, KZ submitted)\n";
      auto demo_plans = s.plans->SeedDemo(seeder);
      if (!demo_plans.ok()) return Fail(demo_plans.status());
      if (*demo_plans > 0) std::cout << "demo plans: an adopted National Action Plan of UZ shared with CA, a CA project idea\n";
      auto demo_risk = s.risk->SeedDemo(seeder);
      if (!demo_risk.ok()) return Fail(demo_risk.status());
      if (*demo_risk > 0) std::cout << "demo risk registers: UZ (round 2 in work) and KZ, shared with CA\n";
      auto demo_meetings = s.meetings->SeedDemo(seeder);
      if (!demo_meetings.ok()) return Fail(demo_meetings.status());
      if (*demo_meetings > 0) std::cout << "demo activities: " << *demo_meetings << " in Central Asia, two CA round tables, lessons\n";
      auto accounts = s.identity->SeedDemoUsers(seeder);
      if (!accounts.ok()) return Fail(accounts.status());
      std::cout << "\ndemo accounts (password for all: " << accounts->front().password << "):\n";
      for (const auto& a : *accounts) {
        std::cout << "  " << a.username << std::string(a.username.size() < 18 ? 18 - a.username.size() : 1, ' ')
                  << a.role << " (" << a.scope << ")\n";
      }
    }
    return 0;
  }
  if (*quest_cmd) {
    auto caller = CliCaller();
    auto text = ReadFile(quest_file);
    if (!text.ok()) return Fail(text.status());
    std::string name = std::filesystem::path(quest_file).filename().string();
    if (*quest_load) {
      auto r = s.assessment->LoadQuestionnaire(caller, *text, name, quest_allow_incomplete);
      if (!r.ok()) return Fail(r.status());
      const json& q = (*r)["questionnaire"];
      std::cout << q["code"].get<std::string>() << " " << q["version"].get<std::string>() << ": "
                << ((*r)["unchanged"].get<bool>() ? "already published, unchanged" : "published") << " ("
                << q["question_count"] << " questions, id " << q["id"].get<std::string>() << ")\n";
      return 0;
    }
    auto r = s.assessment->LoadMapping(caller, quest_from, quest_to, *text, name);
    if (!r.ok()) return Fail(r.status());
    std::cout << "mapping " << quest_from << " -> " << quest_to << ": " << (*r)["rules"] << " rules\n";
    return 0;
  }
  if (*assess_cmd) {
    auto caller = CliCaller();
    if (*assess_results) {
      auto r = s.assessment->Results(caller, assess_id, assess_lang);
      if (!r.ok()) return Fail(r.status());
      PrintJson(*r);
      return 0;
    }
    i18n::Catalogs catalogs;
    if (auto st = catalogs.Load(); !st.ok()) return Fail(st);
    const auto words = WordsOf(catalogs);
    if (*assess_import) {
      auto bytes = ReadFile(assess_file);
      if (!bytes.ok()) return Fail(bytes.status());
      return PreviewOrApply(s.assessment->PreviewWorkbook(caller, assess_id, *bytes, words), assess_apply,
                            [&](const std::string& import_id) { return s.assessment->ApplyWorkbook(caller, assess_id, import_id); });
    }
    if (!catalogs.Supports(assess_lang)) return Fail(Status::Invalid("lang", "no interface language " + assess_lang));
    return WriteDocument(s.assessment->ExportWorkbook(caller, assess_id, assess_lang, words), assess_output);
  }
  if (*brief_cmd) {
    i18n::Catalogs catalogs;
    if (auto st = catalogs.Load(); !st.ok()) return Fail(st);
    if (!catalogs.Supports(brief_lang)) return Fail(Status::Invalid("lang", "no interface language " + brief_lang));
    // The server's population grid, when configured: the exercises' footprints count people.
    std::shared_ptr<const hazard::PopulationGrid> population;
    if (!config.hazard_population_grid.empty()) {
      auto grid = LoadPopulationGrid(config.hazard_population_grid);
      if (!grid.ok()) return Fail(grid.status());
      population = std::move(grid).value();
    }
    return WriteDocument(http::RenderBrief(*s.meetings, catalogs, CliCaller(), brief_region, brief_date, brief_lang,
                                           brief_format, population.get()),
                         brief_output);
  }
  if (*plan_cmd) {
    auto caller = CliCaller();
    i18n::Catalogs catalogs;
    if (auto st = catalogs.Load(); !st.ok()) return Fail(st);
    const auto words = WordsOf(catalogs);
    if (*plan_export) {
      if (!catalogs.Supports(plan_lang)) return Fail(Status::Invalid("lang", "no interface language " + plan_lang));
      return WriteDocument(s.plans->ExportPlan(caller, plan_id, plan_lang, words), plan_output);
    }
    if (*plan_import) {
      auto bytes = ReadFile(plan_file);
      if (!bytes.ok()) return Fail(bytes.status());
      auto preview = s.plans->PreviewPlanImport(caller, plan_id, *bytes, words);
      if (!preview.ok()) return Fail(preview.status());
      if (!(*preview)["errors"].empty()) {
        for (const auto& e : (*preview)["errors"]) std::cerr << plan_file << ": " << e["message"].get<std::string>() << "\n";
        return 1;
      }
      return PreviewOrApply(preview, plan_apply,
                            [&](const std::string& import_id) { return s.plans->ApplyPlanImport(caller, plan_id, import_id); });
    }
    Result<records::Json> r = *plan_show    ? s.plans->PlanView(caller, plan_id, plan_as_of, NowUtc().substr(0, 10))
                     : *plan_adopt  ? s.plans->Adopt(caller, plan_id, plan_note)
                     : *plan_revise ? s.plans->Revise(caller, plan_id, plan_note)
                                    : s.plans->Diff(caller, plan_id, plan_from, plan_to);
    if (!r.ok()) return Fail(r.status());
    PrintJson(*r);
    return 0;
  }
  if (*risk_cmd) {
    auto caller = CliCaller();
    if (*risk_method_load) {
      auto text = ReadFile(risk_file);
      if (!text.ok()) return Fail(text.status());
      auto r = s.risk->LoadMethod(caller, *text, std::filesystem::path(risk_file).filename().string(), risk_allow_incomplete);
      if (!r.ok()) return Fail(r.status());
      const json& m = (*r)["method"];
      std::cout << m["code"].get<std::string>() << " " << m["version"].get<std::string>() << ": "
                << ((*r)["unchanged"].get<bool>() ? "already loaded, unchanged" : "loaded") << " (id " << m["id"].get<std::string>()
                << ")\n";
      return 0;
    }
    if (*risk_export) {
      i18n::Catalogs catalogs;
      if (auto st = catalogs.Load(); !st.ok()) return Fail(st);
      if (!catalogs.Supports(risk_lang)) return Fail(Status::Invalid("lang", "no interface language " + risk_lang));
      return WriteDocument(s.risk->ExportRegister(caller, risk_id, risk_lang, WordsOf(catalogs)), risk_output);
    }
    auto r = *risk_show ? s.risk->RegisterView(caller, risk_id, {}, "en") : s.risk->Validate(caller, risk_id, risk_note);
    if (!r.ok()) return Fail(r.status());
    PrintJson(*r);
    return 0;
  }
  if (*lists_cmd) {
    auto caller = CliCaller();
    if (*lists_show) {
      auto eds = s.exportctl->Editions(caller, "");
      if (!eds.ok()) return Fail(eds.status());
      PrintJson(*eds);
      return 0;
    }
    exportctl::ListUpload up;
    up.format = list_format;
    auto main_file = ReadFile(list_file);
    if (!main_file.ok()) return Fail(main_file.status());
    up.main = std::move(*main_file);
    up.source_name = std::filesystem::path(list_file).filename().string();
    if (list_format == "ofac-csv") {
      for (const char* kind : {"add", "alt"}) {
        std::string path = Companion(list_file, kind);
        if (path.empty()) {
          std::cerr << "note: no " << kind << " file beside " << list_file << "\n";
          continue;
        }
        auto text = ReadFile(path);
        if (!text.ok()) return Fail(text.status());
        (std::string(kind) == "add" ? up.add : up.alt) = std::move(*text);
      }
    }
    up.list_code = !list_code.empty() ? list_code
                   : list_format == "un-xml" ? "un"
                   : list_format == "eu-xml" ? "eu"
                   : list_format == "ofac-csv" ? "ofac"
                                               : std::filesystem::path(list_file).stem().string();
    for (auto& c : up.list_code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto r = s.exportctl->ImportList(caller, up);
    if (!r.ok()) return Fail(r.status());
    const json& e = (*r)["edition"];
    if ((*r)["unchanged"].get<bool>()) {
      std::cout << "list " << e["list_code"].get<std::string>() << ": unchanged (edition " << e["id"].get<std::string>() << ")\n";
    } else {
      std::cout << "list " << e["list_code"].get<std::string>() << ": edition " << e["id"].get<std::string>() << " with "
                << e["entity_count"] << " entities, " << e["name_count"] << " names; since the previous edition +"
                << e["added"] << " -" << e["removed"] << " ~" << e["changed"] << "\n";
    }
    return 0;
  }
  if (*control_cmd) {
    auto caller = CliCaller();
    if (*control_import) {
      auto text = ReadFile(control_file);
      if (!text.ok()) return Fail(text.status());
      auto r = s.exportctl->ImportControlList(caller, *text, std::filesystem::path(control_file).filename().string());
      if (!r.ok()) return Fail(r.status());
      std::cout << "control list: " << (*r)["entries"] << " entries\n";
      return 0;
    }
    auto r = s.exportctl->SearchControlList(caller, control_query, 50, control_lang);
    if (!r.ok()) return Fail(r.status());
    for (const auto& item : (*r)["items"]) {
      std::cout << item["code"].get<std::string>() << "  " << item["title"].get<std::string>() << "\n";
    }
    return 0;
  }
  if (*screen_cmd) {
    auto index = s.exportctl->ActiveIndex();
    if (!index.ok()) return Fail(index.status());
    if ((*index)->sources().empty()) {
      return Fail(Status::Unavailable("no sanctions list is loaded: run 'cbrnhub lists import' first"));
    }
    sanctions::ScreenOptions options{screen_threshold, 20};
    if (!screen_name.empty()) {
      sanctions::Party party;
      party.name = screen_name;
      if (Status st = sanctions::Validate(party); !st.ok()) return Fail(st);
      json out = json::array();
      for (const auto& c : (*index)->Screen(party, options)) {
        const auto& e = (*index)->entity(c);
        out.push_back({{"list", (*index)->sources()[c.list].list_code}, {"entity_id", e.entity_id},
                       {"matched_name", e.names[c.name].text}, {"score", c.score}, {"explanation", c.explanation()}});
      }
      PrintJson(out);
      return 0;
    }
    if (screen_input.empty() || screen_output.empty()) {
      return Fail(Status::Invalid("input", "give --input and --output, or --name"));
    }
    auto text = ReadFile(screen_input);
    if (!text.ok()) return Fail(text.status());
    auto parties = exportctl::ParsePartiesCsv(*text, std::filesystem::path(screen_input).filename().string());
    if (!parties.ok()) return Fail(parties.status());
    // Written to a temporary file and renamed: a failed run leaves no half-written output.
    std::string tmp = screen_output == "-" ? "" : screen_output + ".partial";
    std::ofstream file;
    if (!tmp.empty()) {
      file.open(tmp, std::ios::binary | std::ios::trunc);
      if (!file) return Fail(Status::Invalid("output", "cannot write " + screen_output));
    }
    std::ostream& out = tmp.empty() ? std::cout : file;
    out << "party_id,list,entity_id,matched_name,score\n";
    bool bar = !no_progress && isatty(STDERR_FILENO);
    size_t n = parties->size(), rows = 0, with_hits = 0;
    auto started = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n; ++i) {
      const auto& p = (*parties)[i];
      auto found = (*index)->Screen(p, options);
      with_hits += !found.empty();
      for (const auto& c : found) {
        const auto& e = (*index)->entity(c);
        char score[16];
        std::snprintf(score, sizeof score, "%.3f", c.score);
        out << CsvField(p.id) << ',' << CsvField((*index)->sources()[c.list].list_code) << ','
            << CsvField(e.entity_id) << ',' << CsvField(e.names[c.name].text) << ',' << score << '\n';
        ++rows;
      }
      if (bar && (i % 50 == 0 || i + 1 == n)) {
        int width = 40;
        int filled = static_cast<int>(width * (i + 1) / n);
        std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] " << (i + 1) << "/" << n
                  << std::flush;
      }
    }
    if (bar) std::cerr << "\n";
    if (!tmp.empty()) {
      file.close();
      if (!file) return Fail(Status::Internal("writing " + tmp + " failed"));
      std::filesystem::rename(tmp, screen_output);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << n << " parties screened in " << std::fixed << std::setprecision(2) << secs << " s; " << with_hits
              << " with candidates, " << rows << " rows written\n";
    return 0;
  }
  if (*mail_cmd) {
    if (*mail_queue) {
      auto queue = notify::ListQueue(*s.db, CliCaller(), mail_status, mail_limit);
      if (!queue.ok()) return Fail(queue.status());
      for (const auto& m : *queue) {
        std::cout << m.created_at << "\t" << m.status << "\t" << m.address << "\t" << m.event << "\t" << m.title
                  << "\t" << m.attempts << (m.last_error.empty() ? "" : "\t" + m.last_error) << "\n";
      }
      return 0;
    }
    if (!config.smtp.enabled()) return Fail(Status::Invalid("smtp_url", "set smtp_url (and smtp_from, smtp_base_url) first"));
    if (Status st = notify::CheckSmtpSettings(config.smtp); !st.ok()) return Fail(st);
    i18n::Catalogs mail_catalogs;
    if (Status st = mail_catalogs.Load(); !st.ok()) return Fail(st);
    notify::Sender sender(
        *s.db, mail_catalogs, config.smtp,
        notify::StoredScopes(*s.store, {{"screenings", exportctl::ScreeningScope}}));
    auto report = sender.SendDue();
    if (!report.ok()) return Fail(report.status());
    std::cout << report->sent << " sent, " << report->retried << " to retry, " << report->failed
              << " failed, " << report->dropped << " dropped\n";
    return report->failed > 0 ? 1 : 0;
  }
  if (*user_cmd) {
    auto caller = CliCaller();
    if (*user_add) {
      std::string password = ReadPassword("password for " + username + ": ");
      if (make_admin) {
        auto admin = s.identity->CreateAdmin(username, password, /*force=*/true);
        if (!admin.ok()) return Fail(admin.status());
        std::cout << "administrator " << admin->username << " created\n";
        return 0;
      }
      if (role_name.empty()) return Fail(Status::Invalid("role", "give --role or --admin"));
      auto created = s.identity->CreateUser(
          caller, {username, display_name.empty() ? username : display_name, "", role_name,
                   scope_country, scope_region, password});
      if (!created.ok()) return Fail(created.status());
      std::cout << "user " << created->first.username << " created\n";
      return 0;
    }
    if (*user_list) {
      auto users = s.identity->ListUsers(caller);
      if (!users.ok()) return Fail(users.status());
      for (const auto& u : *users) {
        std::cout << u.username << "\t" << access::RoleName(u.role) << "\t"
                  << (u.country.empty() ? u.region : u.country) << "\t"
                  << (u.disabled ? "disabled" : "active") << (u.totp_enabled ? "\t2fa" : "") << "\n";
      }
      return 0;
    }
    if (*user_password) {
      Status st = s.identity->SetPassword(caller, username, ReadPassword("new password: "));
      if (!st.ok()) return Fail(st);
      std::cout << "password set; the user's sessions were ended\n";
      return 0;
    }
    auto user = s.identity->GetUser(caller, username);
    if (!user.ok()) return Fail(user.status());
    if (*user_reset_totp) {
      Status st = s.identity->ResetTotp(caller, user->id);
      if (!st.ok()) return Fail(st);
      std::cout << "two-factor sign-in of " << username << " turned off\n";
      return 0;
    }
    identity::UserChanges ch;
    ch.disabled = static_cast<bool>(*user_disable);
    auto updated = s.identity->UpdateUser(caller, user->id, ch);
    if (!updated.ok()) return Fail(updated.status());
    std::cout << username << (updated->disabled ? " disabled\n" : " enabled\n");
    return 0;
  }
  if (*backup_cmd && backup_file.empty()) {
    auto rotation = backup::BackupInto(*s.db, config.backup_dir, config.backup_keep);
    if (!rotation.ok()) return Fail(rotation.status());
    std::cout << "backup written to " << rotation->path << ": "
              << HumanCount(rotation->summary.rows) << "\n";
    for (const auto& old : rotation->removed)
      std::cout << "removed " << old << " (backup_keep " << config.backup_keep << ")\n";
    return 0;
  }
  if (*backup_cmd) {
    auto summary = backup::Backup(*s.db, backup_file);
    if (!summary.ok()) return Fail(summary.status());
    std::cout << "backup written to " << backup_file << ": " << HumanCount(summary->rows) << "\n";
    return 0;
  }
  if (*restore_cmd) {
    if (safety_file.empty()) {
      std::string stamp = NowUtc();
      for (auto& c : stamp) {
        if (c == ':') c = '-';
      }
      safety_file = restore_file + ".before-restore-" + stamp;
    }
    // Nothing is ever lost: keep what is about to be replaced.
    auto saved = backup::Backup(*s.db, safety_file);
    if (!saved.ok()) return Fail(saved.status());
    auto summary = backup::Restore(*s.db, restore_file);
    if (!summary.ok()) {
      std::cerr << "nothing was changed; the data as it was is also saved in " << safety_file << "\n";
      return Fail(summary.status());
    }
    std::cout << "restored " << HumanCount(summary->rows) << " from " << restore_file
              << "\nthe data as it was before is saved in " << safety_file << "\n";
    return 0;
  }
  if (*check_cmd || *audit_verify) {
    int rc = 0;
    if (*check_cmd) {
      auto integrity = s.db->IntegrityCheck();
      if (!integrity.ok()) return Fail(integrity.status());
      std::cout << "database integrity: " << *integrity << "\n";
      if (*integrity != "ok") rc = kExitFailed;
    }
    auto chain = audit::Verify(*s.db);
    if (!chain.ok()) return Fail(chain.status());
    std::cout << "audit chain: " << (chain->empty() ? "intact" : *chain) << "\n";
    if (!chain->empty()) rc = kExitFailed;
    return rc;
  }
  if (*rec) {
    auto caller = CliCaller();
    if (*rec_list) {
      records::ListQuery q;
      q.limit = limit;
      q.offset = offset;
      q.text = text_query;
      for (const auto& f : filters) {
        auto eq = f.find('=');
        if (eq == std::string::npos) return Fail(Status::Invalid("filter", "use FIELD=VALUE: " + f));
        q.filters[f.substr(0, eq)] = f.substr(eq + 1);
      }
      auto page = s.store->List(caller, kind, q);
      if (!page.ok()) return Fail(page.status());
      PrintJson({{"items", page->items}, {"total", page->total}});
      return 0;
    }
    Result<json> out = Status::Internal("no command");
    if (*rec_get) out = s.store->Get(caller, kind, id);
    if (*rec_create || *rec_update) {
      auto body = ReadJsonArgument(body_arg);
      if (!body.ok()) return Fail(body.status());
      out = *rec_create ? s.store->Create(caller, kind, *body)
                        : s.store->Update(caller, kind, id, *body, false);
    }
    if (*rec_delete) {
      Status st = s.store->Delete(caller, kind, id, std::nullopt);
      if (!st.ok()) return Fail(st);
      std::cout << "deleted " << kind << " " << id << " (restore with 'cbrnhub records restore')\n";
      return 0;
    }
    if (*rec_restore) out = s.store->Restore(caller, kind, id);
    if (*rec_history) {
      auto h = s.store->History(caller, kind, id);
      if (!h.ok()) return Fail(h.status());
      out = json(*h);
    }
    if (!out.ok()) return Fail(out.status());
    PrintJson(*out);
    return 0;
  }

  // serve
  i18n::Catalogs catalogs;
  if (Status st = catalogs.Load(); !st.ok()) return Fail(st);
  if (!config.hazard_population_grid.empty()) {
    auto grid = LoadPopulationGrid(config.hazard_population_grid);
    if (!grid.ok()) return Fail(grid.status());
    spdlog::info("population grid {}: {} x {} cells, {:.0f} people", config.hazard_population_grid,
                 (*grid)->columns, (*grid)->rows, (*grid)->total);
    config.web.population = std::move(grid).value();
  }
  auto web = http::WebApp::Create(*s.db, *s.store, *s.identity, catalogs, CBRNHUB_VERSION,
                                  config.web, config.sso, config.smtp);
  if (!web.ok()) return Fail(web.status());
  http::WebApp& app = **web;
  http::Server server(config.server, [&app](http::Request& req) { return app.Handle(req); });
  if (Status st = server.Listen(); !st.ok()) return Fail(st);
  spdlog::info("cbrnhub {} serving http://{}:{}/ with database {}", CBRNHUB_VERSION,
               config.server.address, server.port(), s.db->Describe());
  if (auto users = s.identity->ListUsers(CliCaller()); users.ok() && users->empty()) {
    spdlog::warn("no user accounts yet: create the first administrator with "
                 "'cbrnhub user add --admin --username NAME' (or 'cbrnhub seed --demo' for a demo)");
  }
  if (!port_file.empty()) {
    std::ofstream(port_file) << server.port() << "\n";
  }
  // Hand memory freed by finished requests back to the system now and then: glibc keeps freed
  // chunks inside its heap, so without this the resident size drifts upwards under load while
  // the live heap stays flat (measured by bench/soak).
  std::mutex trim_mu;
  std::condition_variable trim_cv;
  bool stopped = false;
  std::thread trimmer([&] {
    std::unique_lock lock(trim_mu);
    while (!trim_cv.wait_for(lock, std::chrono::seconds(10), [&] { return stopped; })) {
      malloc_trim(0);
    }
  });
  server.Run(/*handle_signals=*/true);
  {
    std::lock_guard lock(trim_mu);
    stopped = true;
  }
  trim_cv.notify_all();
  trimmer.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace cbrnhub::app
