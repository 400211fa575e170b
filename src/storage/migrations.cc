// Versioned schema migrations. A migration is never edited once released: a change to the
// schema is a new entry at the end of kMigrations.
#include <string>
#include <vector>

#include "core/ids.h"
#include "storage/storage.h"

namespace cbrnhub::storage {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;  // portable SQL, statements separated by ";\n"
  // Where the two backends need different SQL (SQLite cannot drop a constraint): PostgreSQL's.
  const char* postgres_sql = nullptr;
};

// Columns every record carries (see docs/architecture.md: "Every record").
#define CBRN_RECORD_COLUMNS                                                          \
  "id TEXT PRIMARY KEY, owner_scope TEXT NOT NULL, revision BIGINT NOT NULL DEFAULT 1," \
  " created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT NOT NULL,"      \
  " updated_by TEXT NOT NULL, deleted_at TEXT"


// Version 11: a toxic-release scenario of an exercise, the same on both backends.
#define CBRN_HAZARD_TABLES                                                                              \
  "CREATE TABLE hazard_scenarios (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"     \
  " assigned_to TEXT, activity_id TEXT NOT NULL REFERENCES activities(id),"                              \
  " inject_id TEXT REFERENCES exercise_injects(id), title TEXT NOT NULL, release_json TEXT NOT NULL);\n"     \
  "CREATE INDEX hazard_scenarios_activity ON hazard_scenarios(activity_id)"

// Version 10's tables (activities, exercises, lessons, round tables), the same on both backends.
#define CBRN_MEETINGS_TABLES                                                                            \
  "CREATE TABLE activities (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"          \
  " assigned_to TEXT, country TEXT, region TEXT, title TEXT NOT NULL, type TEXT NOT NULL, status TEXT,"  \
  " start_date TEXT NOT NULL, end_date TEXT NOT NULL, city TEXT, place_country TEXT, organisers TEXT,"   \
  " countries TEXT, agencies TEXT, participants_women BIGINT, participants_men BIGINT,"                  \
  " participants_other BIGINT, participants_by_agency TEXT, plan_actions TEXT, projects TEXT,"           \
  " scenario TEXT, objectives TEXT, summary TEXT);\n"                                                    \
  "CREATE INDEX activities_owner ON activities(owner_scope, start_date);\n"                              \
  "CREATE TABLE activity_documents (id TEXT PRIMARY KEY, activity_id TEXT NOT NULL REFERENCES activities(id)," \
  " filename TEXT NOT NULL, content_type TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL,"     \
  " content_base64 TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, deleted_at TEXT);\n" \
  "CREATE INDEX activity_documents_activity ON activity_documents(activity_id);\n"                      \
  "CREATE TABLE exercise_injects (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"    \
  " assigned_to TEXT, activity_id TEXT NOT NULL REFERENCES activities(id), at_time TEXT NOT NULL,"       \
  " sender TEXT, recipient TEXT, message TEXT NOT NULL, expected_action TEXT);\n"                        \
  "CREATE INDEX exercise_injects_activity ON exercise_injects(activity_id);\n"                           \
  "CREATE TABLE exercise_evaluations (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"\
  " assigned_to TEXT, activity_id TEXT NOT NULL REFERENCES activities(id), objective TEXT NOT NULL,"     \
  " rating TEXT NOT NULL, observations TEXT);\n"                                                         \
  "CREATE INDEX exercise_evaluations_activity ON exercise_evaluations(activity_id);\n"                   \
  "CREATE TABLE lessons (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"             \
  " assigned_to TEXT, country TEXT, region TEXT, title TEXT NOT NULL, what_happened TEXT, to_keep TEXT,"  \
  " to_change TEXT, theme TEXT, activity_type TEXT, activity_id TEXT REFERENCES activities(id),"         \
  " evaluation_id TEXT);\n"                                                                              \
  "CREATE INDEX lessons_owner ON lessons(owner_scope);\n"                                                \
  "CREATE TABLE round_tables (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'region',"         \
  " assigned_to TEXT, region TEXT NOT NULL, title TEXT NOT NULL, number BIGINT, meeting_date TEXT NOT NULL,"\
  " city TEXT, status TEXT, invited TEXT, present TEXT, minutes TEXT, decisions TEXT);\n"                \
  "CREATE INDEX round_tables_region ON round_tables(region, meeting_date);\n"                            \
  "CREATE TABLE agenda_items (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"        \
  " assigned_to TEXT, round_table_id TEXT NOT NULL REFERENCES round_tables(id), position BIGINT,"        \
  " title TEXT NOT NULL, topic TEXT, reference TEXT, presenter TEXT, notes TEXT);\n"                     \
  "CREATE INDEX agenda_items_round_table ON agenda_items(round_table_id);\n"                             \
  "CREATE TABLE follow_ups (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"          \
  " assigned_to TEXT, round_table_id TEXT NOT NULL REFERENCES round_tables(id), title TEXT NOT NULL,"    \
  " responsible TEXT NOT NULL, country TEXT, due TEXT, status TEXT NOT NULL DEFAULT 'open',"              \
  " closed_on TEXT, closing_note TEXT);\n"                                                               \
  "CREATE INDEX follow_ups_round_table ON follow_ups(round_table_id);\n"

// The text a lesson is found by (meetings' search uses the same expression).
#define CBRN_LESSON_TEXT(p)                                                                              \
  "coalesce(" p "title, '') || ' ' || coalesce(" p "what_happened, '') || ' ' || coalesce(" p "to_keep, '')" \
  " || ' ' || coalesce(" p "to_change, '')"

const Migration kMigrations[] = {
    {1, "partner network and audit log",
     "CREATE TABLE regions (" CBRN_RECORD_COLUMNS
     ", code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, secretariat_city TEXT NOT NULL,"
     " secretariat_country TEXT NOT NULL, description TEXT NOT NULL DEFAULT '');\n"
     "CREATE TABLE countries (" CBRN_RECORD_COLUMNS
     ", iso2 TEXT NOT NULL UNIQUE, iso3 TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
     " notes TEXT NOT NULL DEFAULT '');\n"
     "CREATE TABLE memberships (" CBRN_RECORD_COLUMNS
     ", country_id TEXT NOT NULL REFERENCES countries(id),"
     " region_id TEXT NOT NULL REFERENCES regions(id), status TEXT NOT NULL,"
     " since TEXT NOT NULL DEFAULT '', UNIQUE (country_id, region_id));\n"
     "CREATE TABLE organisations (" CBRN_RECORD_COLUMNS
     ", name TEXT NOT NULL UNIQUE, short_name TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL,"
     " country_iso2 TEXT NOT NULL DEFAULT '', website TEXT NOT NULL DEFAULT '',"
     " description TEXT NOT NULL DEFAULT '');\n"
     "CREATE TABLE agencies (" CBRN_RECORD_COLUMNS
     ", country_id TEXT NOT NULL REFERENCES countries(id), name TEXT NOT NULL,"
     " short_name TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL,"
     " areas TEXT NOT NULL DEFAULT '', website TEXT NOT NULL DEFAULT '',"
     " UNIQUE (country_id, name));\n"
     "CREATE TABLE people (" CBRN_RECORD_COLUMNS
     ", full_name TEXT NOT NULL, network_role TEXT NOT NULL, position TEXT NOT NULL DEFAULT '',"
     " email TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '',"
     " country_id TEXT REFERENCES countries(id), region_id TEXT REFERENCES regions(id),"
     " agency_id TEXT REFERENCES agencies(id),"
     " organisation_id TEXT REFERENCES organisations(id));\n"
     "CREATE INDEX memberships_region ON memberships(region_id);\n"
     "CREATE INDEX agencies_country ON agencies(country_id);\n"
     "CREATE INDEX people_country ON people(country_id);\n"
     "CREATE INDEX people_region ON people(region_id);\n"
     // Append-only change log; every write adds one entry in the same transaction.
     // hash = SHA-256(prev_hash | entry fields), so an altered or removed entry breaks the chain.
     "CREATE TABLE audit_log (seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, at TEXT NOT NULL,"
     " actor TEXT NOT NULL, remote_addr TEXT NOT NULL DEFAULT '', action TEXT NOT NULL,"
     " entity_kind TEXT NOT NULL, entity_id TEXT NOT NULL, owner_scope TEXT NOT NULL,"
     " before_json TEXT, after_json TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);\n"
     "CREATE INDEX audit_entity ON audit_log(entity_id)"},
    {2, "sharing, assignment, users, sessions, API tokens",
     // Who beyond the owner may read a record (see access/access.h), and which user a
     // record is assigned to (national team members edit what is assigned to them).
     "ALTER TABLE regions ADD COLUMN sharing TEXT NOT NULL DEFAULT 'published';\n"
     "ALTER TABLE countries ADD COLUMN sharing TEXT NOT NULL DEFAULT 'published';\n"
     "ALTER TABLE memberships ADD COLUMN sharing TEXT NOT NULL DEFAULT 'published';\n"
     "ALTER TABLE organisations ADD COLUMN sharing TEXT NOT NULL DEFAULT 'published';\n"
     "ALTER TABLE agencies ADD COLUMN sharing TEXT NOT NULL DEFAULT 'region';\n"
     "ALTER TABLE people ADD COLUMN sharing TEXT NOT NULL DEFAULT 'region';\n"
     "ALTER TABLE regions ADD COLUMN assigned_to TEXT;\n"
     "ALTER TABLE countries ADD COLUMN assigned_to TEXT;\n"
     "ALTER TABLE memberships ADD COLUMN assigned_to TEXT;\n"
     "ALTER TABLE organisations ADD COLUMN assigned_to TEXT;\n"
     "ALTER TABLE agencies ADD COLUMN assigned_to TEXT;\n"
     "ALTER TABLE people ADD COLUMN assigned_to TEXT;\n"
     "CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
     " display_name TEXT NOT NULL, email TEXT NOT NULL DEFAULT '', role TEXT NOT NULL,"
     " country_iso2 TEXT NOT NULL DEFAULT '', region_code TEXT NOT NULL DEFAULT '',"
     " password_hash TEXT NOT NULL DEFAULT '', disabled BIGINT NOT NULL DEFAULT 0,"
     " totp_secret TEXT NOT NULL DEFAULT '', totp_enabled BIGINT NOT NULL DEFAULT 0,"
     " totp_last_step BIGINT NOT NULL DEFAULT 0, failed_logins BIGINT NOT NULL DEFAULT 0,"
     " locked_until TEXT NOT NULL DEFAULT '', invite_hash TEXT, invite_expires TEXT,"
     " password_changed_at TEXT NOT NULL DEFAULT '', last_login_at TEXT NOT NULL DEFAULT '',"
     " revision BIGINT NOT NULL DEFAULT 1, created_at TEXT NOT NULL, created_by TEXT NOT NULL,"
     " updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);\n"
     "CREATE TABLE role_settings (role TEXT PRIMARY KEY, require_2fa BIGINT NOT NULL DEFAULT 0,"
     " updated_at TEXT NOT NULL, updated_by TEXT NOT NULL);\n"
     "CREATE TABLE api_tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),"
     " name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,"
     " created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT,"
     " last_used_at TEXT NOT NULL DEFAULT '');\n"
     "CREATE TABLE sessions (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,"
     " user_id TEXT NOT NULL REFERENCES users(id), csrf_token TEXT NOT NULL,"
     " mfa_done BIGINT NOT NULL DEFAULT 0, created_at TEXT NOT NULL,"
     " last_seen_at TEXT NOT NULL, expires_at TEXT NOT NULL, ended_at TEXT,"
     " remote_addr TEXT NOT NULL DEFAULT '', user_agent TEXT NOT NULL DEFAULT '');\n"
     "CREATE TABLE login_failures (key TEXT NOT NULL, at TEXT NOT NULL);\n"
     "CREATE INDEX login_failures_key ON login_failures(key, at);\n"
     "CREATE INDEX sessions_user ON sessions(user_id);\n"
     "CREATE INDEX api_tokens_user ON api_tokens(user_id)"},
    {3, "preferred language of each user",
     "ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT ''"},
    {4, "export control: sanctions-list editions, screenings, control list, licences",
     // One row per imported edition; entities are stored per edition so that any edition can
     // be compared with the one before it, and a screening names the editions it used.
     "CREATE TABLE sanction_editions (id TEXT PRIMARY KEY, list_code TEXT NOT NULL,"
     " format TEXT NOT NULL, source_name TEXT NOT NULL, source_date TEXT NOT NULL DEFAULT '',"
     " checksum TEXT NOT NULL, imported_at TEXT NOT NULL, imported_by TEXT NOT NULL,"
     " entity_count BIGINT NOT NULL, name_count BIGINT NOT NULL, added BIGINT NOT NULL,"
     " removed BIGINT NOT NULL, changed BIGINT NOT NULL, previous_id TEXT,"
     " active BIGINT NOT NULL DEFAULT 1);\n"
     "CREATE INDEX sanction_editions_list ON sanction_editions(list_code, imported_at);\n"
     "CREATE TABLE sanction_entities (edition_id TEXT NOT NULL REFERENCES sanction_editions(id),"
     " entity_id TEXT NOT NULL, kind TEXT NOT NULL, primary_name TEXT NOT NULL,"
     " fingerprint TEXT NOT NULL, change TEXT NOT NULL DEFAULT '', data_json TEXT NOT NULL,"
     " PRIMARY KEY (edition_id, entity_id));\n"
     "CREATE TABLE sanction_removals (edition_id TEXT NOT NULL REFERENCES sanction_editions(id),"
     " entity_id TEXT NOT NULL, primary_name TEXT NOT NULL, PRIMARY KEY (edition_id, entity_id));\n"
     "CREATE TABLE screenings (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, party_key TEXT NOT NULL, party_id TEXT NOT NULL DEFAULT '',"
     " party_name TEXT NOT NULL, party_json TEXT NOT NULL, editions TEXT NOT NULL,"
     " threshold DOUBLE PRECISION NOT NULL, hit_count BIGINT NOT NULL, open_count BIGINT NOT NULL,"
     " results_json TEXT NOT NULL, source TEXT NOT NULL, licence_id TEXT);\n"
     "CREATE INDEX screenings_scope ON screenings(owner_scope, created_at);\n"
     "CREATE INDEX screenings_party ON screenings(owner_scope, party_key);\n"
     "CREATE INDEX screenings_licence ON screenings(licence_id);\n"
     "CREATE TABLE screening_decisions (id TEXT PRIMARY KEY, owner_scope TEXT NOT NULL,"
     " party_key TEXT NOT NULL, list_code TEXT NOT NULL, entity_id TEXT NOT NULL,"
     " entity_fingerprint TEXT NOT NULL, decision TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',"
     " screening_id TEXT NOT NULL REFERENCES screenings(id), decided_at TEXT NOT NULL,"
     " decided_by TEXT NOT NULL);\n"
     "CREATE INDEX screening_decisions_key ON screening_decisions(owner_scope, party_key, list_code, entity_id);\n"
     "CREATE TABLE control_items (code TEXT PRIMARY KEY, category TEXT NOT NULL,"
     " title TEXT NOT NULL, text TEXT NOT NULL, parameters TEXT NOT NULL DEFAULT '',"
     " regime TEXT NOT NULL DEFAULT '', search_text TEXT NOT NULL);\n"
     "CREATE TABLE licences (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, reference TEXT NOT NULL UNIQUE, country TEXT NOT NULL,"
     " exporter TEXT NOT NULL, exporter_country TEXT NOT NULL DEFAULT '',"
     " consignee TEXT NOT NULL DEFAULT '', consignee_country TEXT NOT NULL DEFAULT '',"
     " end_user TEXT NOT NULL, end_user_country TEXT NOT NULL DEFAULT '',"
     " end_use TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'draft',"
     " screening_status TEXT NOT NULL DEFAULT '', decision_note TEXT NOT NULL DEFAULT '');\n"
     "CREATE TABLE licence_items (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, licence_id TEXT NOT NULL REFERENCES licences(id),"
     " control_code TEXT NOT NULL DEFAULT '', description TEXT NOT NULL,"
     " quantity BIGINT NOT NULL, unit TEXT NOT NULL DEFAULT '', value BIGINT,"
     " currency TEXT NOT NULL DEFAULT '');\n"
     "CREATE TABLE licence_opinions (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, licence_id TEXT NOT NULL REFERENCES licences(id), agency TEXT NOT NULL,"
     " opinion TEXT NOT NULL, text TEXT NOT NULL DEFAULT '');\n"
     "CREATE INDEX licence_items_licence ON licence_items(licence_id);\n"
     "CREATE INDEX licence_opinions_licence ON licence_opinions(licence_id)"},
    {5, "needs assessment: questionnaires, assessments, answers, evidence, workbook imports",
     "CREATE TABLE questionnaires (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'published',"
     " assigned_to TEXT, code TEXT NOT NULL, version TEXT NOT NULL, title TEXT NOT NULL,"
     " question_count BIGINT NOT NULL DEFAULT 0, definition TEXT NOT NULL DEFAULT '',"
     " checksum TEXT NOT NULL DEFAULT '', UNIQUE (code, version));\n"
     "CREATE TABLE questionnaire_mappings (id TEXT PRIMARY KEY,"
     " from_id TEXT NOT NULL REFERENCES questionnaires(id),"
     " to_id TEXT NOT NULL REFERENCES questionnaires(id), mapping TEXT NOT NULL,"
     " created_at TEXT NOT NULL, created_by TEXT NOT NULL, UNIQUE (from_id, to_id));\n"
     "CREATE TABLE assessments (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, country TEXT NOT NULL, questionnaire_id TEXT NOT NULL REFERENCES questionnaires(id),"
     " title TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'draft', review_comment TEXT NOT NULL DEFAULT '',"
     " carried_from TEXT NOT NULL DEFAULT '');\n"
     "CREATE INDEX assessments_country ON assessments(country);\n"
     // One row per answered question; the audit log keeps every earlier value.
     "CREATE TABLE answers (assessment_id TEXT NOT NULL REFERENCES assessments(id),"
     " question_id TEXT NOT NULL, value_json TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '',"
     " revision BIGINT NOT NULL DEFAULT 1, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL,"
     " PRIMARY KEY (assessment_id, question_id));\n"
     "CREATE TABLE evidence (id TEXT PRIMARY KEY, assessment_id TEXT NOT NULL REFERENCES assessments(id),"
     " question_id TEXT NOT NULL, filename TEXT NOT NULL, content_type TEXT NOT NULL,"
     " size BIGINT NOT NULL, sha256 TEXT NOT NULL, content_base64 TEXT NOT NULL,"
     " created_at TEXT NOT NULL, created_by TEXT NOT NULL, deleted_at TEXT);\n"
     "CREATE INDEX evidence_assessment ON evidence(assessment_id);\n"
     "CREATE TABLE workbook_imports (id TEXT PRIMARY KEY, assessment_id TEXT NOT NULL REFERENCES assessments(id),"
     " changes_json TEXT NOT NULL, base_revision BIGINT NOT NULL, created_at TEXT NOT NULL,"
     " created_by TEXT NOT NULL, applied_at TEXT)"},
    // A licence reference is unique within its country's export control, not across
    // countries: a global constraint told one country that another used a reference.
    // SQLite rebuilds the table; the copy goes back in after the drop so that the deferred
    // foreign keys of licence items and opinions find their licences again before commit.
    {6, "licence references unique per owner",
     "PRAGMA defer_foreign_keys = ON;\n"
     "CREATE TABLE licences_v6_copy AS SELECT * FROM licences;\n"
     "DROP TABLE licences;\n"
     "CREATE TABLE licences (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, reference TEXT NOT NULL, country TEXT NOT NULL,"
     " exporter TEXT NOT NULL, exporter_country TEXT NOT NULL DEFAULT '',"
     " consignee TEXT NOT NULL DEFAULT '', consignee_country TEXT NOT NULL DEFAULT '',"
     " end_user TEXT NOT NULL, end_user_country TEXT NOT NULL DEFAULT '',"
     " end_use TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'draft',"
     " screening_status TEXT NOT NULL DEFAULT '', decision_note TEXT NOT NULL DEFAULT '',"
     " UNIQUE (owner_scope, reference));\n"
     "INSERT INTO licences SELECT * FROM licences_v6_copy;\n"
     "DROP TABLE licences_v6_copy",
     "ALTER TABLE licences DROP CONSTRAINT IF EXISTS licences_reference_key;\n"
     "ALTER TABLE licences ADD CONSTRAINT licences_owner_reference_key UNIQUE (owner_scope, reference)"},
    // Sharing now follows the assessment workflow and export control is never shared; records
    // shared beyond that before the rule was enforced go back to what their state allows.
    {7, "sharing within what each record's rule allows",
     "UPDATE assessments SET sharing = 'private' WHERE status = 'draft' AND sharing <> 'private';\n"
     "UPDATE assessments SET sharing = 'region' WHERE status IN ('submitted', 'returned')"
     " AND sharing IN ('network', 'published');\n"
     "UPDATE licences SET sharing = 'private' WHERE sharing <> 'private';\n"
     "UPDATE licence_items SET sharing = 'private' WHERE sharing <> 'private';\n"
     "UPDATE licence_opinions SET sharing = 'private' WHERE sharing <> 'private'"},
    {8, "action plans, their actions, milestones, indicators and versions; projects",
     "CREATE TABLE action_plans (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, country TEXT, region TEXT, title TEXT NOT NULL, period_start TEXT, period_end TEXT,"
     " assessment_id TEXT REFERENCES assessments(id), notes TEXT, status TEXT NOT NULL DEFAULT 'draft');\n"
     "CREATE INDEX action_plans_owner ON action_plans(owner_scope);\n"
     "CREATE TABLE plan_actions (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, plan_id TEXT NOT NULL REFERENCES action_plans(id), title TEXT NOT NULL,"
     " objective TEXT, priorities TEXT, area TEXT, lead_agency_id TEXT REFERENCES agencies(id),"
     " partner_agencies TEXT, countries TEXT, start_date TEXT, end_date TEXT, budget BIGINT, currency TEXT,"
     " funding TEXT, secured BIGINT, status TEXT, percent BIGINT, progress_note TEXT);\n"
     "CREATE INDEX plan_actions_plan ON plan_actions(plan_id);\n"
     "CREATE TABLE plan_milestones (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, action_id TEXT NOT NULL REFERENCES plan_actions(id), title TEXT NOT NULL,"
     " due TEXT NOT NULL, reached_on TEXT);\n"
     "CREATE INDEX plan_milestones_action ON plan_milestones(action_id);\n"
     "CREATE TABLE plan_indicators (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, action_id TEXT NOT NULL REFERENCES plan_actions(id), name TEXT NOT NULL,"
     " unit TEXT NOT NULL, baseline TEXT, target TEXT);\n"
     "CREATE INDEX plan_indicators_action ON plan_indicators(action_id);\n"
     "CREATE TABLE indicator_values (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, indicator_id TEXT NOT NULL REFERENCES plan_indicators(id), measured_on TEXT NOT NULL,"
     " value TEXT NOT NULL, unit TEXT, note TEXT);\n"
     "CREATE INDEX indicator_values_indicator ON indicator_values(indicator_id);\n"
     // Each adopted version exactly as adopted; never changed.
     "CREATE TABLE plan_versions (id TEXT PRIMARY KEY, plan_id TEXT NOT NULL REFERENCES action_plans(id),"
     " version BIGINT NOT NULL, adopted_at TEXT NOT NULL, adopted_by TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',"
     " snapshot_json TEXT NOT NULL, UNIQUE (plan_id, version));\n"
     "CREATE TABLE projects (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, country TEXT, region TEXT, title TEXT NOT NULL, summary TEXT, scope TEXT, theme TEXT,"
     " participants TEXT, partners TEXT, budget BIGINT, currency TEXT, funding TEXT, secured BIGINT,"
     " start_date TEXT, end_date TEXT, actions TEXT, priorities TEXT, status TEXT NOT NULL DEFAULT 'idea');\n"
     "CREATE INDEX projects_owner ON projects(owner_scope);\n"
     // A record's state on a date (plan views "as of") is its latest entry up to then.
     "CREATE INDEX audit_entity_at ON audit_log(entity_id, at, seq);\n"
     // A plan workbook read and previewed, waiting to be applied.
     "CREATE TABLE plan_imports (id TEXT PRIMARY KEY, plan_id TEXT NOT NULL REFERENCES action_plans(id),"
     " rows_json TEXT NOT NULL, base_state TEXT NOT NULL, error_count BIGINT NOT NULL, created_at TEXT NOT NULL,"
     " created_by TEXT NOT NULL, applied_at TEXT)"},
    {9, "national risk assessment: methods, registers, scenarios, validated rounds, evidence, imports",
     "CREATE TABLE risk_methods (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'published',"
     " assigned_to TEXT, code TEXT NOT NULL, version TEXT NOT NULL, title TEXT NOT NULL,"
     " definition TEXT NOT NULL, checksum TEXT NOT NULL, UNIQUE (code, version));\n"
     "CREATE TABLE risk_registers (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, country TEXT NOT NULL, title TEXT NOT NULL,"
     " method_id TEXT NOT NULL REFERENCES risk_methods(id), assessment_id TEXT REFERENCES assessments(id),"
     " assessed_on TEXT, notes TEXT, round BIGINT NOT NULL DEFAULT 1, status TEXT NOT NULL DEFAULT 'draft');\n"
     "CREATE INDEX risk_registers_country ON risk_registers(country);\n"
     "CREATE TABLE risk_scenarios (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, register_id TEXT NOT NULL REFERENCES risk_registers(id), title TEXT NOT NULL,"
     " hazard TEXT NOT NULL, origin TEXT NOT NULL, scenario_type TEXT, worst_case TEXT, affected_area TEXT,"
     " likelihood TEXT, impacts TEXT, capabilities TEXT, actions TEXT, sources TEXT);\n"
     "CREATE INDEX risk_scenarios_register ON risk_scenarios(register_id);\n"
     // Each validated round exactly as validated; never changed.
     "CREATE TABLE risk_rounds (id TEXT PRIMARY KEY, register_id TEXT NOT NULL REFERENCES risk_registers(id),"
     " round BIGINT NOT NULL, validated_at TEXT NOT NULL, validated_by TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',"
     " snapshot_json TEXT NOT NULL, UNIQUE (register_id, round));\n"
     "CREATE TABLE risk_evidence (id TEXT PRIMARY KEY, scenario_id TEXT NOT NULL REFERENCES risk_scenarios(id),"
     " filename TEXT NOT NULL, content_type TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL,"
     " content_base64 TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, deleted_at TEXT);\n"
     "CREATE INDEX risk_evidence_scenario ON risk_evidence(scenario_id);\n"
     // A register workbook read and previewed, waiting to be applied.
     "CREATE TABLE risk_imports (id TEXT PRIMARY KEY, register_id TEXT NOT NULL REFERENCES risk_registers(id),"
     " rows_json TEXT NOT NULL, base_state TEXT NOT NULL, error_count BIGINT NOT NULL, created_at TEXT NOT NULL,"
     " created_by TEXT NOT NULL, applied_at TEXT)"},
    {10, "activities, exercises, lessons learnt, round tables and follow-ups",
     CBRN_MEETINGS_TABLES
     // SQLite: an FTS5 index of the lessons' text, kept by triggers (so restores and every write
     // path keep it); unicode61 folds case in every script (Cyrillic included).
     "CREATE VIRTUAL TABLE lessons_fts USING fts5(id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');\n"
     "CREATE TRIGGER lessons_fts_insert AFTER INSERT ON lessons BEGIN"
     " INSERT INTO lessons_fts (id, body) VALUES (new.id, " CBRN_LESSON_TEXT("new.") "); END;\n"
     "CREATE TRIGGER lessons_fts_update AFTER UPDATE ON lessons BEGIN"
     " DELETE FROM lessons_fts WHERE id = old.id;"
     " INSERT INTO lessons_fts (id, body) VALUES (new.id, " CBRN_LESSON_TEXT("new.") "); END;\n"
     "CREATE TRIGGER lessons_fts_delete AFTER DELETE ON lessons BEGIN"
     " DELETE FROM lessons_fts WHERE id = old.id; END",
     // PostgreSQL: a GIN index over the same text's tsvector ('simple': no stemming, so English
     // and Russian words are found alike, by prefix).
     CBRN_MEETINGS_TABLES
     "CREATE INDEX lessons_text ON lessons USING GIN (to_tsvector('simple', " CBRN_LESSON_TEXT("") "))"},
    {11, "hazard scenarios of exercises",
     // The release is the JSON of docs/hazard.md, checked by hazard::Model on every write.
     CBRN_HAZARD_TABLES},
    {12, "single sign-on (OpenID Connect) and e-mail notifications",
     // A provider's user (issuer + subject) linked to one account; several links per account.
     "CREATE TABLE external_identities (issuer TEXT NOT NULL, subject TEXT NOT NULL,"
     " user_id TEXT NOT NULL REFERENCES users(id), email TEXT NOT NULL DEFAULT '',"
     " linked_at TEXT NOT NULL, last_login_at TEXT NOT NULL DEFAULT '', PRIMARY KEY (issuer, subject));\n"
     "CREATE INDEX external_identities_user ON external_identities(user_id);\n"
     // Sign-ins on their way through the provider: single use (deleted when the provider sends
     // the browser back) and short-lived; in the database so any node can finish what another began.
     "CREATE TABLE sso_logins (state_hash TEXT PRIMARY KEY, nonce TEXT NOT NULL,"
     " code_verifier TEXT NOT NULL, next_path TEXT NOT NULL, invite_token TEXT,"
     " created_at TEXT NOT NULL, expires_at TEXT NOT NULL);\n"
     // How each user wants to hear about events: immediate, digest (daily) or none.
     "CREATE TABLE notification_settings (user_id TEXT PRIMARY KEY REFERENCES users(id),"
     " mode TEXT NOT NULL, updated_at TEXT NOT NULL);\n"
     // Messages to send, written in the transaction of the event; a sender claims a row with a
     // lease (leased_until) so that, with several nodes, each message has one sender.
     "CREATE TABLE mail_queue (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),"
     " address TEXT NOT NULL, language TEXT NOT NULL, event TEXT NOT NULL, record_kind TEXT NOT NULL,"
     " record_id TEXT NOT NULL, title TEXT NOT NULL, link TEXT NOT NULL, digest BIGINT NOT NULL DEFAULT 0,"
     " status TEXT NOT NULL DEFAULT 'queued', attempts BIGINT NOT NULL DEFAULT 0,"
     " next_attempt_at TEXT NOT NULL, leased_until TEXT NOT NULL DEFAULT '', leased_by TEXT NOT NULL DEFAULT '',"
     " last_error TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, sent_at TEXT NOT NULL DEFAULT '');\n"
     "CREATE INDEX mail_queue_due ON mail_queue(status, next_attempt_at);\n"
     "CREATE INDEX mail_queue_user ON mail_queue(user_id, status);\n"
     "CREATE INDEX mail_queue_record ON mail_queue(record_id, event)"},
    {13, "places of exercises (schools, hospitals, border posts) for hazard footprints",
     // Coordinates are decimal-degree text, checked by meetings' place check on every write.
     "CREATE TABLE exercise_places (" CBRN_RECORD_COLUMNS ", sharing TEXT NOT NULL DEFAULT 'private',"
     " assigned_to TEXT, activity_id TEXT NOT NULL REFERENCES activities(id), name TEXT NOT NULL,"
     " place_kind TEXT NOT NULL, latitude TEXT NOT NULL, longitude TEXT NOT NULL);\n"
     "CREATE INDEX exercise_places_activity ON exercise_places(activity_id)"},
    {14, "licences' screening state as a code, not English text",
     // Versions before 2026-11-30 wrote "not screened", "clear", "hits decided" and "N hits to
     // decide"; the open licences were re-screened since, the closed ones kept the text.
     "UPDATE licences SET screening_status = CASE"
     " WHEN screening_status = 'not screened' THEN 'not_screened'"
     " WHEN screening_status = 'hits decided' THEN 'hits_decided'"
     " WHEN screening_status LIKE '% hits to decide' THEN 'hits_open'"
     " ELSE screening_status END"},
};

#undef CBRN_LESSON_TEXT
#undef CBRN_MEETINGS_TABLES
#undef CBRN_HAZARD_TABLES
#undef CBRN_RECORD_COLUMNS

std::vector<std::string> SplitStatements(const char* sql) {
  std::vector<std::string> out;
  std::string s(sql);
  size_t start = 0;
  for (;;) {
    size_t end = s.find(";\n", start);
    std::string stmt = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (stmt.find_first_not_of(" \n\t") != std::string::npos) out.push_back(stmt);
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

// An arbitrary constant naming cbrnhub's migration lock among PostgreSQL advisory locks.
constexpr std::int64_t kMigrationLockKey = 0x6362726e68756231;  // "cbrnhub1"

Status EnsureMigrationTable(Transaction& txn) {
  return txn
      .Exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY,"
          " name TEXT NOT NULL, applied_at TEXT NOT NULL)")
      .status();
}

}  // namespace

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

const std::vector<std::string>& DataTables() {
  static const std::vector<std::string> kTables = {
      "regions", "countries",     "memberships", "organisations", "agencies",
      "people",  "users",         "role_settings", "api_tokens",  "audit_log",
      "sanction_editions", "sanction_entities", "sanction_removals", "screenings",
      "screening_decisions", "control_items", "licences", "licence_items", "licence_opinions",
      "questionnaires", "questionnaire_mappings", "assessments", "answers", "evidence",
      "workbook_imports", "action_plans", "plan_actions", "plan_milestones", "plan_indicators",
      "indicator_values", "plan_versions", "projects", "plan_imports", "risk_methods", "risk_registers",
      "risk_scenarios", "risk_rounds", "risk_evidence", "risk_imports",
      "activities", "activity_documents", "exercise_injects",
      "exercise_evaluations", "lessons", "round_tables", "agenda_items", "follow_ups",
      "external_identities", "notification_settings", "hazard_scenarios", "exercise_places"};
  return kTables;
}

const std::vector<std::string>& TransientTables() {
  static const std::vector<std::string> kTables = {"sessions", "login_failures", "sso_logins",
                                                    "mail_queue"};
  return kTables;
}

Result<int> SchemaVersion(Database& db) {
  CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(Access::kRead));
  // Reading the catalog keeps this a pure read (no CREATE on a read-only transaction).
  const char* exists_sql = db.backend() == Backend::kSqlite
                               ? "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                 "name='schema_migrations'"
                               : "SELECT count(*) FROM information_schema.tables WHERE "
                                 "table_name='schema_migrations' AND table_schema=current_schema()";
  CBRN_ASSIGN_OR_RETURN(Rows exists, txn->Query(exists_sql));
  if (exists.empty() || exists[0].Int(0) == 0) return 0;
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return static_cast<int>(rows.empty() ? 0 : rows[0].Int(0));
}

Result<int> Migrate(Database& db) {
  int reached = 0;
  for (const Migration& m : kMigrations) {
    CBRN_ASSIGN_OR_RETURN(auto txn, db.Begin(Access::kWrite));
    if (db.backend() == Backend::kPostgres) {
      // Several instances may start at once against one database: take turns.
      CBRN_RETURN_IF_ERROR(
          txn->Query("SELECT pg_advisory_xact_lock(?)", {kMigrationLockKey}).status());
    }
    CBRN_RETURN_IF_ERROR(EnsureMigrationTable(*txn));
    CBRN_ASSIGN_OR_RETURN(
        Rows done, txn->Query("SELECT count(*) FROM schema_migrations WHERE version = ?",
                              {static_cast<std::int64_t>(m.version)}));
    if (done[0].Int(0) == 0) {
      const char* sql = db.backend() == Backend::kPostgres && m.postgres_sql ? m.postgres_sql : m.sql;
      for (const auto& stmt : SplitStatements(sql)) {
        Status st = txn->Exec(stmt).status();
        if (!st.ok()) {
          return Status::Internal("migration " + std::to_string(m.version) + " (" + m.name +
                                  ") failed: " + st.message());
        }
      }
      CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO schema_migrations (version, name, applied_at) "
                                     "VALUES (?, ?, ?)",
                                     {static_cast<std::int64_t>(m.version), std::string(m.name),
                                      NowUtc()})
                               .status());
    }
    CBRN_RETURN_IF_ERROR(txn->Commit());
    reached = m.version;
  }
  return reached;
}

}  // namespace cbrnhub::storage
