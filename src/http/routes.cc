// Every route of the server, with its access policy, in one table.
#include "http/handlers.h"
#include "http/hazard_map.h"

namespace cbrnhub::http {

void RegisterRoutes(Ctx& ctx) {
  using A = Policy::Access;
  Router& r = ctx.router;
  auto add = [&](std::string method, std::string pattern, Policy policy,
                 std::function<Response(Ctx&, Request&)> fn, std::string summary) {
    bool cacheable = method == "GET" && policy.access == A::kRead;
    r.Add(Route{std::move(method), std::move(pattern), std::move(policy),
                [&ctx, fn = std::move(fn)](Request& req) { return fn(ctx, req); },
                std::move(summary), cacheable});
  };

  // Operations.
  add("GET", "/healthz", {A::kPublic, "system"}, Healthz, "liveness: the process answers");
  add("GET", "/readyz", {A::kPublic, "system"}, Readyz, "readiness: the database answers");
  add("GET", "/metrics", {A::kMetrics, "system"}, MetricsPage,
      "Prometheus metrics (administrators, or the addresses in metrics_allow)");
  add("GET", "/static/{file}", {A::kPublic, "static"}, StaticFile, "static asset");

  // JSON API.
  add("GET", "/api/v1", {A::kPublic, "system"}, ApiIndex, "API index");
  add("GET", "/api/v1/openapi.json", {A::kPublic, "system"}, ApiOpenApi, "OpenAPI document");
  add("GET", "/api/v1/network", {A::kRead, "network"}, ApiNetwork,
      "regions with secretariats and country counts");
  add("GET", "/api/v1/regions/{id}/overview", {A::kRead, "regions"}, ApiRegionOverview,
      "a region with its countries and secretariat staff");
  add("GET", "/api/v1/countries/{id}/overview", {A::kRead, "countries"}, ApiCountryOverview,
      "a country with its regions, focal points, team and agencies");
  for (const auto& kind : ctx.store.catalog().kinds()) {
    const std::string k = kind.name;
    const std::string base = "/api/v1/" + k;
    add("GET", base, {A::kRead, k}, [k](Ctx& c, Request& q) { return ApiList(c, q, k); },
        "list " + k + " (filters, q, limit, offset)");
    if (kind.writable) {
      add("POST", base, {A::kWrite, k}, [k](Ctx& c, Request& q) { return ApiCreate(c, q, k); },
          "create a " + k + " record");
    }
    add("GET", base + "/{id}", {A::kRead, k}, [k](Ctx& c, Request& q) { return ApiGet(c, q, k); },
        "get a " + k + " record by id or key");
    if (kind.writable) {
      add("PUT", base + "/{id}", {A::kWrite, k},
          [k](Ctx& c, Request& q) { return ApiUpdate(c, q, k, true); }, "replace a " + k + " record");
      add("PATCH", base + "/{id}", {A::kWrite, k},
          [k](Ctx& c, Request& q) { return ApiUpdate(c, q, k, false); },
          "change fields of a " + k + " record");
    }
    if (kind.deletable && kind.writable) {
      add("DELETE", base + "/{id}", {A::kWrite, k},
          [k](Ctx& c, Request& q) { return ApiDelete(c, q, k); },
          "delete (recoverably) a " + k + " record");
      add("POST", base + "/{id}/restore", {A::kWrite, k},
          [k](Ctx& c, Request& q) { return ApiRestore(c, q, k); },
          "restore a deleted " + k + " record");
    }
    add("GET", base + "/{id}/history", {A::kRead, k},
        [k](Ctx& c, Request& q) { return ApiHistory(c, q, k); },
        "the audit history of a " + k + " record");
  }

  // Signing in and out; the caller's own account.
  add("GET", "/login", {A::kPublic, "session"}, LoginPage, "sign-in page");
  add("POST", "/login", {A::kPublic, "session"}, LoginSubmit, "sign in");
  add("GET", "/login/sso", {A::kPublic, "session"}, SsoBegin, "sign in with the identity provider (single sign-on)");
  add("GET", "/login/sso/callback", {A::kPublic, "session"}, SsoCallback,
      "where the identity provider sends the browser back");
  add("GET", "/login/totp", {A::kSession, "session"}, SecondFactorPage, "second-factor page");
  add("POST", "/login/totp", {A::kSession, "session"}, SecondFactorSubmit, "give the second factor");
  add("POST", "/logout", {A::kSession, "session"}, LogoutSubmit, "sign out");
  add("GET", "/invite/{token}", {A::kPublic, "session"}, InvitePage, "accept an invitation");
  add("POST", "/invite/{token}", {A::kPublic, "session"}, InviteSubmit, "set the first password");
  add("GET", "/account", {A::kRead, "account"}, AccountPage, "my account");
  add("POST", "/account/password", {A::kRead, "account"}, AccountPasswordSubmit, "change my password");
  add("GET", "/account/totp", {A::kSession, "account"}, TotpEnrolPage, "enrol an authenticator");
  add("POST", "/account/totp", {A::kSession, "account"}, TotpEnrolSubmit, "confirm the authenticator");
  add("POST", "/account/tokens", {A::kRead, "account"}, TokenCreateSubmit, "create an API token");
  add("POST", "/account/language", {A::kRead, "account"}, AccountLanguageSubmit, "choose my language");
  add("POST", "/account/notifications", {A::kRead, "account"}, AccountNotificationsSubmit,
      "choose my e-mail notifications (immediate, daily digest, none)");
  add("GET", "/api/v1/account/notifications", {A::kRead, "account"}, ApiNotificationsGet,
      "my e-mail notifications ({mode}: immediate, digest or none)");
  add("PUT", "/api/v1/account/notifications", {A::kRead, "account"}, ApiNotificationsPut,
      "choose my e-mail notifications ({mode}: immediate, digest or none)");
  add("POST", "/api/v1/account/language", {A::kRead, "account"}, ApiLanguage,
      "choose my interface language ({\"language\": \"ru\"}, \"\" for the browser's)");
  add("POST", "/account/tokens/{id}/revoke", {A::kRead, "account"}, TokenRevokeSubmit, "revoke an API token");
  add("POST", "/api/v1/session", {A::kPublic, "session"}, ApiSessionCreate,
      "sign in (username, password); sets the session cookie, returns the CSRF token");
  add("GET", "/api/v1/session", {A::kSession, "session"}, ApiSessionGet, "who am I");
  add("DELETE", "/api/v1/session", {A::kSession, "session"}, ApiSessionDelete, "sign out");
  add("POST", "/api/v1/session/totp", {A::kSession, "session"}, ApiSessionTotp, "give the second factor");
  add("POST", "/api/v1/account/password", {A::kRead, "account"}, ApiPassword, "change my password");
  add("POST", "/api/v1/account/totp", {A::kSession, "account"}, ApiTotpBegin, "start TOTP enrolment");
  add("POST", "/api/v1/account/totp/confirm", {A::kSession, "account"}, ApiTotpConfirm, "confirm TOTP enrolment");
  add("GET", "/api/v1/tokens", {A::kRead, "account"}, ApiTokensList, "my API tokens");
  add("POST", "/api/v1/tokens", {A::kRead, "account"}, ApiTokensCreate, "create an API token (shown once)");
  add("DELETE", "/api/v1/tokens/{id}", {A::kRead, "account"}, ApiTokensRevoke, "revoke an API token");

  // Administration and audit.
  add("GET", "/admin/users", {A::kAdmin, "users"}, AdminUsersPage, "users");
  add("POST", "/admin/users", {A::kAdmin, "users"}, AdminUserCreateSubmit, "invite a user");
  add("GET", "/admin/users/{id}", {A::kAdmin, "users"}, AdminUserPage, "a user");
  add("POST", "/admin/users/{id}", {A::kAdmin, "users"}, AdminUserSubmit, "change a user");
  add("POST", "/admin/users/{id}/reset-totp", {A::kAdmin, "users"}, AdminUserResetTotpSubmit, "reset 2FA");
  add("POST", "/admin/users/{id}/invite", {A::kAdmin, "users"}, AdminUserInviteSubmit, "new invitation");
  add("GET", "/admin/roles", {A::kAdmin, "users"}, AdminRolesPage, "roles and 2FA");
  add("GET", "/admin/mail", {A::kAdmin, "users"}, AdminMailPage,
      "the mail queue: queued, sent, failed, dropped");
  add("GET", "/api/v1/admin/mail", {A::kAdmin, "users"}, ApiAdminMail,
      "the mail queue, newest first (?status=queued|sent|failed|dropped, ?limit=)");
  add("POST", "/admin/roles", {A::kAdmin, "users"}, AdminRolesSubmit, "require 2FA for roles");
  add("GET", "/audit", {A::kAudit, "audit"}, AuditPage, "the audit log");
  add("GET", "/api/v1/users", {A::kAdmin, "users"}, ApiUsersList, "list users");
  add("POST", "/api/v1/users", {A::kAdmin, "users"}, ApiUsersCreate, "create or invite a user");
  add("GET", "/api/v1/users/{id}", {A::kAdmin, "users"}, ApiUsersGet, "a user");
  add("PATCH", "/api/v1/users/{id}", {A::kAdmin, "users"}, ApiUsersUpdate, "change a user's role, scope or status");
  add("POST", "/api/v1/users/{id}/reset-totp", {A::kAdmin, "users"}, ApiUsersResetTotp, "reset a user's 2FA");
  add("POST", "/api/v1/users/{id}/invite", {A::kAdmin, "users"}, ApiUsersInvite, "new invitation link");
  add("GET", "/api/v1/roles", {A::kAdmin, "users"}, ApiRolesGet, "roles and their 2FA requirement");
  add("PUT", "/api/v1/roles/{role}", {A::kAdmin, "users"}, ApiRolesUpdate, "require 2FA for a role");
  add("GET", "/api/v1/audit", {A::kAudit, "audit"}, ApiAuditList, "audit entries (filters, paging)");
  add("GET", "/api/v1/audit/verify", {A::kAudit, "audit"}, ApiAuditVerify, "verify the audit chain");

  // Export control: sanctions lists, screening, control list, licence workflow.
  const Policy ec{A::kExportControl, "exportctl"};
  add("GET", "/api/v1/sanctions/editions", ec, ApiEditionsList, "sanctions-list editions (?list=)");
  add("POST", "/api/v1/sanctions/editions", ec, ApiEditionsImport,
      "import a list edition ({list_code, format, content, add, alt} or multipart files)");
  add("GET", "/api/v1/sanctions/editions/{id}/changes", ec, ApiEditionChanges,
      "entries added, removed and changed by an edition");
  add("GET", "/api/v1/sanctions/editions/{id}/entries", ec, ApiEditionEntries,
      "an edition's entries, searchable by name or identifier (?q=&limit=&offset=)");
  add("GET", "/api/v1/sanctions/editions/{id}/entries/{entity_id}", ec, ApiEditionEntry,
      "one entry as an edition lists it");
  add("GET", "/api/v1/sanctions/{list}/entities/{id}", ec, ApiListEntity,
      "one entry of a list in force");
  add("POST", "/api/v1/screenings", ec, ApiScreen,
      "screen a party ({name, country, birth_date, id_number, threshold})");
  add("POST", "/api/v1/screenings/batch", ec, ApiScreenBatch,
      "screen many parties ({parties: [...]} or a CSV body id,name,...)");
  add("POST", "/api/v1/screenings/rescreen", ec, ApiRescreen,
      "screen every party screened before against the lists in force");
  add("GET", "/api/v1/screenings", ec, ApiScreeningsList, "screenings (?status=open|hits|clear)");
  add("GET", "/api/v1/screenings/{id}", ec, ApiScreeningGet, "a screening with its candidates");
  add("POST", "/api/v1/screenings/{id}/decisions", ec, ApiScreeningDecide,
      "decide on a hit ({list, entity_id, decision, reason})");
  add("GET", "/api/v1/control-list", ec, ApiControlSearch, "search the dual-use control list (?q=)");
  add("GET", "/api/v1/control-list/{code}", ec, ApiControlGet, "a control-list entry");
  add("POST", "/api/v1/control-list", ec, ApiControlImport, "replace the control list (CSV body)");
  add("POST", "/api/v1/licences/{id}/transition", ec, ApiLicenceTransition,
      "move a licence on ({to, note})");
  add("POST", "/api/v1/licences/{id}/opinions", ec, ApiLicenceOpinion,
      "an agency's opinion on a licence under review");
  add("GET", "/api/v1/licences/{id}/detail", ec, ApiLicenceDetail,
      "a licence with items, opinions and screenings");
  add("GET", "/screening", ec, ScreeningPage, "screen a party; recent screenings");
  add("POST", "/screening", ec, ScreeningSubmit, "screen a party");
  add("POST", "/screening/batch", ec, ScreeningBatchSubmit, "screen a CSV file of parties");
  add("POST", "/screening/rescreen", ec, RescreenSubmit, "re-screen every party");
  add("GET", "/screening/{id}", ec, ScreeningResultPage, "a screening's candidates");
  add("POST", "/screening/{id}/decide", ec, ScreeningDecideSubmit, "decide on a hit");
  add("GET", "/sanctions", ec, SanctionsPage, "sanctions-list editions");
  add("POST", "/sanctions/import", ec, SanctionsImportSubmit, "import a list edition");
  add("GET", "/sanctions/editions/{id}", ec, EditionPage, "what an edition changed");
  add("GET", "/sanctions/editions/{id}/entries", ec, EditionEntriesPage,
      "browse and search an edition");
  add("GET", "/sanctions/editions/{id}/entries/{entity_id}", ec, EditionEntryPage,
      "one list entry");
  add("GET", "/control-list", ec, ControlListPage, "search the control list");
  add("GET", "/licences", ec, LicencesPage, "licence applications");
  add("GET", "/licences/{id}", ec, LicencePage, "a licence application");
  add("POST", "/licences/{id}/transition", ec, LicenceTransitionSubmit, "move a licence on");
  add("POST", "/licences/{id}/opinions", ec, LicenceOpinionSubmit, "give an opinion");

  // Needs assessment. What each caller sees is filtered by access:: like any record.
  add("POST", "/api/v1/questionnaires", {A::kAdmin, "questionnaires"}, ApiQuestionnaireLoad,
      "load and publish a questionnaire definition (YAML body)");
  add("GET", "/api/v1/questionnaires/{id}/definition", {A::kRead, "questionnaires"}, ApiQuestionnaireDefinition,
      "a questionnaire's sections and questions in the request's language");
  add("POST", "/api/v1/questionnaires/{id}/mappings/{to}", {A::kAdmin, "questionnaires"}, ApiQuestionnaireMapping,
      "load the mapping of answers from this version to another (YAML body)");
  add("GET", "/api/v1/assessments/{id}/answers", {A::kRead, "assessments"}, ApiAssessmentView,
      "an assessment with its questionnaire, answers and evidence");
  add("PUT", "/api/v1/assessments/{id}/answers/{question}", {A::kWrite, "assessments"}, ApiAnswerPut,
      "save one answer ({value, comment, revision}; value null clears)");
  add("POST", "/api/v1/assessments/{id}/transition", {A::kWrite, "assessments"}, ApiAssessmentTransition,
      "submit, validate or return an assessment ({to, comment})");
  add("GET", "/api/v1/assessments/{id}/results", {A::kRead, "assessments"}, ApiAssessmentResults,
      "scores, gaps, priorities and change since the previous assessment");
  add("POST", "/api/v1/assessments/{id}/carry", {A::kWrite, "assessments"}, ApiAssessmentCarry,
      "a new assessment of another version with the answers carried over ({questionnaire_id})");
  add("POST", "/api/v1/assessments/{id}/evidence", {A::kWrite, "assessments"}, ApiEvidenceUpload,
      "attach an evidence file (multipart: question, file)");
  add("GET", "/api/v1/evidence/{id}", {A::kRead, "assessments"}, EvidenceDownload, "download an evidence file");
  add("GET", "/api/v1/assessments/{id}/workbook.xlsx", {A::kRead, "assessments"}, WorkbookDownload,
      "the assessment as an XLSX workbook to fill offline");
  add("POST", "/api/v1/assessments/{id}/workbook", {A::kWrite, "assessments"}, ApiWorkbookPreview,
      "upload a filled workbook: every cell checked, the changes previewed, nothing applied");
  add("POST", "/api/v1/assessments/{id}/workbook/{import}/apply", {A::kWrite, "assessments"}, ApiWorkbookApply,
      "apply a previewed workbook");
  add("GET", "/api/v1/regions/{code}/assessments", {A::kRead, "assessments"}, ApiRegionAssessments,
      "heat map of the region's shared assessments and their shared priorities");
  // Action plans and projects: the records' own API is the generic one above; these are the
  // workflow, the views and the pages.
  add("POST", "/api/v1/action_plans/{id}/adopt", {A::kWrite, "action_plans"}, ApiPlanAdopt,
      "adopt a draft or revised plan: its content is kept as the next version ({note})");
  add("POST", "/api/v1/action_plans/{id}/revise", {A::kWrite, "action_plans"}, ApiPlanRevise,
      "open an adopted plan for changes ({note})");
  add("GET", "/api/v1/action_plans/{id}/view", {A::kRead, "action_plans"}, ApiPlanView,
      "the plan with actions, milestones, indicators, computed delays and totals (?as_of=YYYY-MM-DD)");
  add("GET", "/api/v1/action_plans/{id}/versions", {A::kRead, "action_plans"}, ApiPlanVersions,
      "the adopted versions of a plan");
  add("GET", "/api/v1/action_plans/{id}/versions/{version}", {A::kRead, "action_plans"}, ApiPlanVersion,
      "one adopted version exactly as adopted");
  add("GET", "/api/v1/action_plans/{id}/diff", {A::kRead, "action_plans"}, ApiPlanDiff,
      "what changed between two versions (?from=N&to=M, 0 = now), action by action and field by field");
  add("GET", "/api/v1/action_plans/{id}/gaps", {A::kRead, "action_plans"}, ApiPlanGaps,
      "priorities of the plan's assessment that no action answers");
  add("GET", "/api/v1/action_plans/{id}/capabilities", {A::kRead, "action_plans"}, ApiPlanCapabilities,
      "progress by the assessment's functions and domains the actions serve");
  add("GET", "/api/v1/assessments/{id}/trace/{question}", {A::kRead, "assessments"}, ApiPriorityTrace,
      "a priority's trace: question and gap -> actions -> projects");
  add("POST", "/api/v1/assessments/{id}/plan", {A::kWrite, "action_plans"}, ApiPlanForPriorities,
      "the country's open plan for this assessment's priorities (a new draft NAP when there is none)");
  add("GET", "/api/v1/regions/{code}/plans", {A::kRead, "action_plans"}, ApiRegionPlans,
      "each member country's plan as shared with the caller, and the region's plans");
  add("POST", "/api/v1/projects/{id}/transition", {A::kWrite, "projects"}, ApiProjectTransition,
      "move a project along its workflow ({to, note})");
  add("POST", "/api/v1/regions/{code}/project-ideas", {A::kWrite, "projects"}, ApiProjectIdea,
      "a project idea from a priority several countries of the region share ({question})");
  add("GET", "/api/v1/portfolio", {A::kRead, "projects"}, ApiPortfolio,
      "projects with totals and the pipeline (?region=&theme=&status=&country=&year=)");
  add("GET", "/api/v1/action_plans/{id}/workbook.xlsx", {A::kRead, "action_plans"}, PlanWorkbookDownload,
      "the plan as an XLSX workbook, one row per action, to edit offline");
  add("POST", "/api/v1/action_plans/{id}/workbook", {A::kWrite, "action_plans"}, ApiPlanImportPreview,
      "upload a plan workbook: every row checked, nothing written; returns the preview and its import id");
  add("POST", "/api/v1/action_plans/{id}/workbook/{import}/apply", {A::kWrite, "action_plans"}, ApiPlanImportApply,
      "apply a previewed plan workbook, all rows or none");
  add("GET", "/api/v1/portfolio.xlsx", {A::kRead, "projects"}, PortfolioWorkbookDownload,
      "the portfolio (same filters) as an XLSX workbook");
  // National risk assessment: registers and scenarios are records (the generic API above).
  add("POST", "/api/v1/risk_methods", {A::kAdmin, "risk_methods"}, ApiRiskMethodLoad,
      "load a risk method definition (YAML body; ?allow_incomplete=true)");
  add("POST", "/api/v1/risk_methods/check", {A::kRead, "risk_methods"}, ApiRiskMethodCheck,
      "check a risk method definition (YAML body): every error with its line, nothing loaded");
  add("GET", "/api/v1/risk_methods/{id}/view", {A::kRead, "risk_methods"}, ApiRiskMethodView,
      "a risk method's scales, criteria, bands and matrix in the request's language");
  add("GET", "/api/v1/risk_registers/{id}/view", {A::kRead, "risk_registers"}, ApiRiskRegisterView,
      "a register with rated scenarios, the matrix, previous positions and untreated risks (?hazard=&criterion=)");
  add("POST", "/api/v1/risk_registers/{id}/validate", {A::kWrite, "risk_registers"}, ApiRiskValidate,
      "validate the register's round: kept as it is ({note})");
  add("POST", "/api/v1/risk_registers/{id}/revise", {A::kWrite, "risk_registers"}, ApiRiskRevise,
      "open the next round of a validated register ({note})");
  add("GET", "/api/v1/risk_registers/{id}/rounds", {A::kRead, "risk_registers"}, ApiRiskRounds, "the validated rounds");
  add("GET", "/api/v1/risk_registers/{id}/rounds/{round}", {A::kRead, "risk_registers"}, ApiRiskRound,
      "one validated round as it was validated");
  add("GET", "/api/v1/risk_registers/{id}/movement", {A::kRead, "risk_registers"}, ApiRiskMovement,
      "each scenario's position in every round and now");
  add("GET", "/api/v1/risk_registers/{id}/workbook.xlsx", {A::kRead, "risk_registers"}, RiskWorkbookDownload,
      "the register as an XLSX workbook, one row per scenario, to edit offline");
  add("POST", "/api/v1/risk_registers/{id}/workbook", {A::kWrite, "risk_registers"}, ApiRiskImportPreview,
      "upload a register workbook: every row checked, nothing written; returns the preview and its import id");
  add("POST", "/api/v1/risk_registers/{id}/workbook/{import}/apply", {A::kWrite, "risk_registers"}, ApiRiskImportApply,
      "apply a previewed register workbook, all rows or none");
  add("PUT", "/api/v1/risk_scenarios/{id}/rating", {A::kWrite, "risk_scenarios"}, ApiRiskRating,
      "rate a scenario ({likelihood: {level|probability, confidence, justification}, impacts: {criterion: {level|value, ...}}})");
  add("POST", "/api/v1/risk_scenarios/{id}/evidence", {A::kWrite, "risk_scenarios"}, ApiRiskEvidenceUpload,
      "attach a source file to a scenario's rating (multipart, part \"file\")");
  add("GET", "/api/v1/risk_scenarios/{id}/evidence", {A::kRead, "risk_scenarios"}, ApiRiskEvidenceList,
      "the source files of a scenario");
  add("GET", "/api/v1/risk_evidence/{id}", {A::kRead, "risk_scenarios"}, RiskEvidenceDownload, "a source file");
  add("GET", "/api/v1/regions/{code}/risks", {A::kRead, "risk_registers"}, ApiRegionRisks,
      "the region's matrix over the registers its countries shared, and risks rated high in several countries");
  add("GET", "/api/v1/assessments/{id}/priorities-by-risk", {A::kRead, "risk_registers"}, ApiPrioritiesByRisk,
      "the assessment's priorities ranked by the risks they serve, with the reason");
  add("GET", "/risk", {A::kRead, "risk_registers"}, RiskRegistersPage, "risk registers and methods");
  add("POST", "/risk/methods", {A::kAdmin, "risk_methods"}, RiskMethodLoadSubmit, "load a risk method");
  add("GET", "/risk/{id}", {A::kRead, "risk_registers"}, RiskRegisterPage, "a register with its risk matrix");
  add("POST", "/risk/{id}/transition", {A::kWrite, "risk_registers"}, RiskTransitionSubmit, "validate or revise a register");
  add("GET", "/risk/{id}/movement", {A::kRead, "risk_registers"}, RiskMovementPage, "how scenarios moved between rounds");
  add("POST", "/risk/{id}/workbook", {A::kWrite, "risk_registers"}, RiskImportSubmit, "preview a register workbook");
  add("POST", "/risk/{id}/workbook/{import}/apply", {A::kWrite, "risk_registers"}, RiskImportApplySubmit,
      "apply a register workbook");
  add("GET", "/risk/scenarios/{id}", {A::kRead, "risk_scenarios"}, RiskScenarioPage, "a scenario and its rating");
  add("POST", "/risk/{id}/scenarios", {A::kWrite, "risk_scenarios"}, RiskScenarioCreateSubmit, "add a scenario to a register");
  add("POST", "/risk/scenarios/{id}", {A::kWrite, "risk_scenarios"}, RiskScenarioEditSubmit, "change a scenario");
  add("POST", "/risk/scenarios/{id}/rating", {A::kWrite, "risk_scenarios"}, RiskRatingSubmit, "rate a scenario");
  add("POST", "/risk/scenarios/{id}/evidence", {A::kWrite, "risk_scenarios"}, RiskEvidenceSubmit, "attach a source file");
  add("GET", "/regions/{code}/risks", {A::kRead, "risk_registers"}, RegionRisksPage, "the region's risk matrix");
  add("GET", "/assessments/{id}/priorities-by-risk", {A::kRead, "risk_registers"}, PrioritiesByRiskPage,
      "priorities ranked by the risks they serve");
  add("POST", "/plans/{id}/workbook", {A::kWrite, "action_plans"}, PlanImportSubmit, "preview a plan workbook");
  add("POST", "/plans/{id}/workbook/{import}/apply", {A::kWrite, "action_plans"}, PlanImportApplySubmit,
      "apply a plan workbook");
  add("GET", "/plans", {A::kRead, "action_plans"}, PlansPage, "action plans");
  add("GET", "/plans/{id}", {A::kRead, "action_plans"}, PlanPage, "a plan with its timeline");
  add("POST", "/plans/{id}/transition", {A::kWrite, "action_plans"}, PlanTransitionSubmit, "adopt or revise a plan");
  add("GET", "/plans/{id}/diff", {A::kRead, "action_plans"}, PlanDiffPage, "what changed between versions");
  add("POST", "/assessments/{id}/priorities/{question}/action", {A::kWrite, "action_plans"}, PriorityActionSubmit,
      "turn a priority into an action of the country's plan");
  add("GET", "/assessments/{id}/trace/{question}", {A::kRead, "assessments"}, TracePage, "a priority's trace");
  add("GET", "/regions/{code}/plans", {A::kRead, "action_plans"}, RegionPlansPage, "the region's plans");
  add("GET", "/projects", {A::kRead, "projects"}, PortfolioPage, "project portfolio and pipeline");
  add("POST", "/projects/{id}/transition", {A::kWrite, "projects"}, ProjectTransitionSubmit, "move a project on");
  add("POST", "/regions/{code}/project-ideas", {A::kWrite, "projects"}, ProjectIdeaSubmit,
      "a project idea from a shared priority");
  // Activities, exercises, lessons learnt, round tables, the calendar and the brief; the
  // records' own API is the generic one above.
  add("POST", "/api/v1/activities/{id}/documents", {A::kWrite, "activities"}, ApiActivityDocumentAdd,
      "attach a document to an activity (multipart: file; PDF, images, office documents, text; up to 10 MiB)");
  add("GET", "/api/v1/activities/{id}/documents", {A::kRead, "activities"}, ApiActivityDocuments,
      "an activity's documents (metadata)");
  add("GET", "/api/v1/activity-documents/{id}", {A::kRead, "activities"}, ActivityDocumentDownload,
      "download an activity's document");
  add("POST", "/activities/{id}/documents", {A::kWrite, "activities"}, ActivityDocumentSubmit, "attach a document");
  add("GET", "/api/v1/round_tables/{id}/view", {A::kRead, "round_tables"}, ApiRoundTableView,
      "a round table with its agenda, follow-ups and the open follow-ups carried from earlier ones");
  add("POST", "/api/v1/follow_ups/{id}/close", {A::kWrite, "follow_ups"}, ApiFollowUpClose,
      "close an open follow-up item ({note}); audited");
  add("GET", "/api/v1/lessons/search", {A::kRead, "lessons"}, ApiLessonSearch,
      "full-text search of lessons learnt (?q=&theme=&region=&activity_type=&country=&limit=)");
  add("POST", "/api/v1/exercise_evaluations/{id}/lesson", {A::kWrite, "lessons"}, ApiLessonFromEvaluation,
      "a lesson learnt made from an evaluation's observation");
  add("GET", "/api/v1/calendar", {A::kRead, "activities"}, ApiCalendar,
      "activities and round tables (?region= or ?country=, &from=&to=YYYY-MM-DD)");
  add("GET", "/api/v1/regions/{code}/calendar.ics", {A::kRead, "activities"}, RegionCalendarIcs,
      "the region's calendar as iCalendar (RFC 5545) to subscribe to");
  add("GET", "/api/v1/countries/{iso2}/calendar.ics", {A::kRead, "activities"}, CountryCalendarIcs,
      "a country's calendar as iCalendar (RFC 5545) to subscribe to");
  // Hazard planning estimates: computed from the request alone, nothing stored or read.
  add("POST", "/api/v1/hazard/footprint", {A::kRead, "hazard"}, ApiHazardFootprint,
      "threat zones of a release (body: release JSON; ?format=geojson|svg|csv&lang=)");
  add("GET", "/hazard/footprint.geojson", {A::kRead, "hazard"}, HazardFootprintGeoJson,
      "threat zones of the release described by the planning page's query, as GeoJSON");
  add("GET", "/hazard", {A::kRead, "hazard"}, HazardPage,
      "the hazard planning page: a release's zones on a map");
  add(
      "GET", "/api/v1/hazard_scenarios/{id}/footprint.geojson", {A::kRead, "hazard_scenarios"},
      [](Ctx& c, Request& q) { return HazardScenarioFootprint(c, q, "geojson"); },
      "an exercise's hazard scenario: its threat zones as GeoJSON");
  add(
      "GET", "/hazard_scenarios/{id}/map.svg", {A::kRead, "hazard_scenarios"},
      [](Ctx& c, Request& q) { return HazardScenarioFootprint(c, q, "svg"); },
      "an exercise's hazard scenario: its map (SVG) in the reader's language");
  add("POST", "/api/v1/activities/{id}/places", {A::kWrite, "activities"}, ApiPlacesImport,
      "add an exercise's places from CSV (body or multipart file: name,kind,lat,lon); all or none");
  add("POST", "/activities/{id}/places", {A::kWrite, "activities"}, PlacesImportSubmit,
      "import an exercise's places (CSV)");
  add("GET", "/api/v1/regions/{code}/brief", {A::kRead, "round_tables"}, ApiBrief,
      "the round table's brief (?date=YYYY-MM-DD&format=json|html|pdf&lang=)");
  add("GET", "/calendar", {A::kRead, "activities"}, CalendarPage, "activities and round tables by month");
  add("GET", "/activities/{id}", {A::kRead, "activities"}, ActivityPage, "an activity, its injects and evaluations");
  add("POST", "/exercise_evaluations/{id}/lesson", {A::kWrite, "lessons"}, LessonFromEvaluationSubmit,
      "make a lesson from an observation");
  add("GET", "/round-tables/{id}", {A::kRead, "round_tables"}, RoundTablePage, "a round table");
  add("POST", "/follow_ups/{id}/close", {A::kWrite, "follow_ups"}, FollowUpCloseSubmit, "close a follow-up");
  add("GET", "/lessons", {A::kRead, "lessons"}, LessonsPage, "lessons learnt library");
  add("GET", "/regions/{code}/brief", {A::kRead, "round_tables"}, BriefPage, "the brief, printable (?date=)");
  add("GET", "/regions/{code}/brief.pdf", {A::kRead, "round_tables"}, BriefPdf, "the brief as PDF (?date=)");
  add("GET", "/assessments", {A::kRead, "assessments"}, AssessmentsPage, "assessments");
  add("POST", "/assessments", {A::kWrite, "assessments"}, AssessmentStartSubmit, "start an assessment");
  add("POST", "/questionnaires", {A::kAdmin, "questionnaires"}, QuestionnaireLoadSubmit, "load a questionnaire");
  add("GET", "/assessments/{id}", {A::kRead, "assessments"}, AssessmentPage, "answer an assessment");
  add("POST", "/assessments/{id}/answers", {A::kWrite, "assessments"}, AnswersSubmit, "save answers");
  add("POST", "/assessments/{id}/transition", {A::kWrite, "assessments"}, AssessmentTransitionSubmit,
      "submit, validate or return");
  add("POST", "/assessments/{id}/share", {A::kWrite, "assessments"}, AssessmentShareSubmit, "share further");
  add("POST", "/assessments/{id}/evidence", {A::kWrite, "assessments"}, EvidenceSubmit, "attach evidence");
  add("POST", "/assessments/{id}/workbook", {A::kWrite, "assessments"}, WorkbookPreviewSubmit,
      "preview a filled workbook");
  add("POST", "/assessments/{id}/workbook/{import}/apply", {A::kWrite, "assessments"}, WorkbookApplySubmit,
      "apply a previewed workbook");
  add("POST", "/assessments/{id}/carry", {A::kWrite, "assessments"}, CarrySubmit, "carry over to another version");
  add("GET", "/assessments/{id}/results", {A::kRead, "assessments"}, ResultsPage, "results with charts");
  add("GET", "/regions/{code}/assessments", {A::kRead, "assessments"}, RegionAssessmentsPage,
      "the region's heat map and shared priorities");

  // HTML pages.
  add("GET", "/", {A::kRead, "network"}, HomePage, "home: the network");
  add("GET", "/regions/{code}", {A::kRead, "regions"}, RegionPage, "a region");
  add("GET", "/countries", {A::kRead, "countries"}, CountriesPage, "all countries");
  add("GET", "/countries/{iso2}", {A::kRead, "countries"}, CountryPage, "a country");
  add("GET", "/organisations", {A::kRead, "organisations"}, OrganisationsPage, "organisations");
  add("GET", "/organisations/{id}", {A::kRead, "organisations"}, OrganisationPage,
      "an organisation");
  add("GET", "/forms/{kind}", {A::kWrite, "records"}, FormNew, "form: new record");
  add("GET", "/forms/{kind}/{id}", {A::kWrite, "records"}, FormEdit, "form: edit record");
  add("POST", "/forms/{kind}", {A::kWrite, "records"}, FormCreate, "form: create record");
  add("POST", "/forms/{kind}/{id}", {A::kWrite, "records"}, FormUpdate, "form: update record");
  add("POST", "/forms/{kind}/{id}/delete", {A::kWrite, "records"}, FormDelete,
      "form: delete record");
}

}  // namespace cbrnhub::http
