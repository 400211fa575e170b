// Private to http: the context handlers share and the handler functions behind the routes.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "assessment/assessment.h"
#include "meetings/meetings.h"
#include "plans/plans.h"
#include "risk/risk.h"
#include "exportctl/exportctl.h"
#include "http/router.h"
#include "identity/identity.h"
#include "notify/notify.h"
#include "sso/sso.h"
#include "http/templates.h"
#include "http/web.h"
#include "metrics/metrics.h"

namespace cbrnhub::http {

using Json = nlohmann::json;

// Rendered responses of cacheable routes, valid while the database's DataVersion() is unchanged.
// Bounded: when full it starts over (entries are cheap to recompute; no LRU bookkeeping on the
// hot path).
class ResponseCache {
 public:
  std::optional<Response> Find(const std::string& key, std::uint64_t version);
  void Store(const std::string& key, std::uint64_t version, const Response& response);

 private:
  // Shards keep worker threads from queueing behind one lock.
  static constexpr size_t kShards = 16;
  static constexpr size_t kMaxEntries = 256;   // per shard
  static constexpr size_t kMaxBytes = 1 << 20;  // per shard: 16 MiB in all
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, std::pair<std::uint64_t, Response>> entries;
    size_t bytes = 0;
  };
  Shard& For(const std::string& key) { return shards_[std::hash<std::string>{}(key) % kShards]; }
  Shard shards_[kShards];
};

// Requests by route template, method and status, and their latency, for /metrics. One slot per
// route (by its index in the route table) plus one for requests no route matched; updated with
// relaxed atomics only, so recording costs a few additions per request.
class RouteMetrics {
 public:
  static constexpr size_t kNoRoute = static_cast<size_t>(-1);
  // Sizes the table for `routes` routes; called once, before serving.
  void Reset(size_t routes);
  void Record(size_t route, int status, std::chrono::nanoseconds elapsed);
  // The families cbrnhub_http_requests_total and cbrnhub_http_request_duration_seconds, for the
  // routes that have answered at least once.
  void Write(std::string& out, const Router& router) const;

 private:
  // The statuses this server answers with; anything else is counted as "other".
  static constexpr int kStatuses[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404,
                                      405, 409, 410, 413, 415, 422, 429, 431, 500, 503};
  static constexpr size_t kStatusSlots = std::size(kStatuses) + 1;
  struct Slot {
    std::array<metrics::Counter, kStatusSlots> by_status;
    metrics::Histogram latency;
  };
  std::unique_ptr<Slot[]> slots_;  // routes + 1; the last is kNoRoute
  size_t routes_ = 0;
};

struct WebApp::Context {
  storage::Database& db;
  records::Store& store;
  identity::Service& identity;
  const i18n::Catalogs& catalogs;
  Templates templates;
  std::string version;
  Router router;
  ResponseCache cache;
  std::unique_ptr<exportctl::Service> exportctl;
  std::unique_ptr<assessment::Service> assessment;
  std::unique_ptr<plans::Service> plans;
  std::unique_ptr<risk::Service> risk;
  std::unique_ptr<meetings::Service> meetings;
  WebOptions options;
  RouteMetrics route_metrics;
  std::unique_ptr<metrics::ScrapedGauge> mail_queue_gauge;  // while e-mail is on
  std::unique_ptr<sso::Client> sso;  // null when single sign-on is off
  // Last member: destroyed (its thread stopped) before the services its checks use.
  std::unique_ptr<notify::Sender> mail;  // null when e-mail is off
};
using Ctx = WebApp::Context;

// The route table (routes.cc): the one place listing every route and its policy.
void RegisterRoutes(Ctx& ctx);

// Helpers shared by handlers.
using Form = std::multimap<std::string, std::string>;
// The fields of an application/x-www-form-urlencoded body.
Form FormOf(const Request& req);
// The first value of a form field, or "".
std::string FormField(const Form& form, const std::string& name);
Response JsonOk(int status, const Json& body);
Result<Json> ParseJsonBody(const Request& req);
records::Caller CallerOf(const Request& req);
// The session cookie (Secure when the request came over TLS through the proxy).
std::string SessionCookie(const Request& req, const std::string& token, bool clear = false);
std::string Translate(const Ctx& ctx, const Request& req, const std::string& key);
// Messages and formatting (dates, numbers, amounts) in the request's language.
i18n::Presenter PresenterOf(const Ctx& ctx, const Request& req);
// A failure's message for a page: its catalogue message in the request's language (field names
// and choices by their labels) when the status carries one, else its English message.
std::string MessageOf(const Ctx& ctx, const Request& req, const Status& status);
// The same, naming the field first ("title: ...") when the English message does not.
std::string FieldMessageOf(const Ctx& ctx, const Request& req, const Status& status);
// Renders `name` inside the layout; `data["page"]` gets language, title and navigation.
Response RenderPage(const Ctx& ctx, const Request& req, int status, const std::string& name,
                    Json data, const std::string& title);
// An uploaded file: the part named "file" of a multipart form, or the whole body; "" when a
// multipart form has no such part.
std::string UploadedFile(const Request& req);
// A definition file (questionnaire, risk method) uploaded through a page's form: the part "file"
// (its name, else "upload.yaml") and the "allow_incomplete" box.
struct DefinitionUpload {
  std::string yaml, name = "upload.yaml";
  bool allow_incomplete = false;
};
DefinitionUpload DefinitionUploadOf(const Request& req);
// The words of the interface in any language, for a module that lays out a document.
plans::Service::Translate Words(const Ctx& ctx);
// Workbook bytes as an .xlsx attachment named `filename`.
Response XlsxDownload(std::string bytes, const std::string& filename);
// A stored file as a download: its content type, name (quotes and backslashes replaced) and
// SHA-256 from `meta` ({filename, content_type, sha256}).
Response Download(const Json& meta, std::string bytes);
// A service's result as the API answers it: the JSON with `status`, or the error.
Response JsonResult(const Ctx& ctx, const Request& req, const Result<Json>& r, int status = 200);
// A failed form post: back to the page with the message when the user can act on it there
// (the status is `shown`), else the error page.
Response BackWithError(const Ctx& ctx, const Request& req, const Status& status, const std::string& back,
                       StatusCode shown);
// The score bands' legend (band class, range) with "not shared" last (assessment.cc).
Json ScoreLegend(const Ctx& ctx, const Request& req);
// A map of the countries of `regions`, each coloured by its latest shared assessment's overall
// score (or `function`'s), hatched when it shared nothing, linked to its page (assessment.cc).
std::string ScoreMap(Ctx& ctx, const Request& req, const std::vector<std::string>& regions, const std::string& function,
                     const std::string& title);
// What a page shows for a questionnaire's domain, function or thematic-area key (`group`:
// "domains", "functions" or "areas"): the definition's label (`labels`, as the assessment module
// gives them in the page's language), else the catalogue's "capability.<key>", else the key as
// written (assessment.cc).
std::string KeyLabel(const i18n::Presenter& words, const Json& labels, const char* group,
                     const std::string& key);
// A stored value as a person reads it: a state or choice by its label, a date in the page's
// language, a list item by item, a structure by its values (web.cc).
std::string ValueText(const i18n::Presenter& words, const Json& v);
// An error as HTML (pages) or JSON (API), by the request path.
Response ErrorFor(const Ctx& ctx, const Request& req, const Status& status);

// JSON API (api.cc).
Response ApiIndex(Ctx& ctx, Request& req);
Response ApiOpenApi(Ctx& ctx, Request& req);
Response ApiList(Ctx& ctx, Request& req, const std::string& kind);
Response ApiGet(Ctx& ctx, Request& req, const std::string& kind);
Response ApiCreate(Ctx& ctx, Request& req, const std::string& kind);
Response ApiUpdate(Ctx& ctx, Request& req, const std::string& kind, bool replace);
Response ApiDelete(Ctx& ctx, Request& req, const std::string& kind);
Response ApiRestore(Ctx& ctx, Request& req, const std::string& kind);
Response ApiHistory(Ctx& ctx, Request& req, const std::string& kind);
Response ApiNetwork(Ctx& ctx, Request& req);
Response ApiRegionOverview(Ctx& ctx, Request& req);
Response ApiCountryOverview(Ctx& ctx, Request& req);
Response Healthz(Ctx& ctx, Request& req);
// Prometheus text format (metrics.cc).
Response MetricsPage(Ctx& ctx, Request& req);
Response Readyz(Ctx& ctx, Request& req);

// Signing in, accounts, administration, audit (auth.cc, admin.cc).
Response LoginPage(Ctx& ctx, Request& req);
Response LoginSubmit(Ctx& ctx, Request& req);
Response SsoBegin(Ctx& ctx, Request& req);
Response SsoCallback(Ctx& ctx, Request& req);
Response SecondFactorPage(Ctx& ctx, Request& req);
Response SecondFactorSubmit(Ctx& ctx, Request& req);
Response LogoutSubmit(Ctx& ctx, Request& req);
Response InvitePage(Ctx& ctx, Request& req);
Response InviteSubmit(Ctx& ctx, Request& req);
Response AccountPage(Ctx& ctx, Request& req);
Response AccountPasswordSubmit(Ctx& ctx, Request& req);
Response TotpEnrolPage(Ctx& ctx, Request& req);
Response TotpEnrolSubmit(Ctx& ctx, Request& req);
Response TokenCreateSubmit(Ctx& ctx, Request& req);
Response AccountLanguageSubmit(Ctx& ctx, Request& req);
Response ApiLanguage(Ctx& ctx, Request& req);
Response TokenRevokeSubmit(Ctx& ctx, Request& req);
// E-mail notifications (mail.cc): the caller's choice, the administrators' queue.
Json NotificationModes(const Ctx& ctx, const Request& req);
Result<notify::Mode> NotificationModeOf(const std::string& text);
Response AccountNotificationsSubmit(Ctx& ctx, Request& req);
Response ApiNotificationsGet(Ctx& ctx, Request& req);
Response ApiNotificationsPut(Ctx& ctx, Request& req);
Response AdminMailPage(Ctx& ctx, Request& req);
Response ApiAdminMail(Ctx& ctx, Request& req);
Response AdminUsersPage(Ctx& ctx, Request& req);
Response AdminUserCreateSubmit(Ctx& ctx, Request& req);
Response AdminUserPage(Ctx& ctx, Request& req);
Response AdminUserSubmit(Ctx& ctx, Request& req);
Response AdminUserResetTotpSubmit(Ctx& ctx, Request& req);
Response AdminUserInviteSubmit(Ctx& ctx, Request& req);
Response AdminRolesPage(Ctx& ctx, Request& req);
Response AdminRolesSubmit(Ctx& ctx, Request& req);
Response AuditPage(Ctx& ctx, Request& req);
Response ApiSessionCreate(Ctx& ctx, Request& req);
Response ApiSessionGet(Ctx& ctx, Request& req);
Response ApiSessionDelete(Ctx& ctx, Request& req);
Response ApiSessionTotp(Ctx& ctx, Request& req);
Response ApiPassword(Ctx& ctx, Request& req);
Response ApiTotpBegin(Ctx& ctx, Request& req);
Response ApiTotpConfirm(Ctx& ctx, Request& req);
Response ApiTokensList(Ctx& ctx, Request& req);
Response ApiTokensCreate(Ctx& ctx, Request& req);
Response ApiTokensRevoke(Ctx& ctx, Request& req);
Response ApiUsersList(Ctx& ctx, Request& req);
Response ApiUsersCreate(Ctx& ctx, Request& req);
Response ApiUsersGet(Ctx& ctx, Request& req);
Response ApiUsersUpdate(Ctx& ctx, Request& req);
Response ApiUsersResetTotp(Ctx& ctx, Request& req);
Response ApiUsersInvite(Ctx& ctx, Request& req);
Response ApiRolesGet(Ctx& ctx, Request& req);
Response ApiRolesUpdate(Ctx& ctx, Request& req);
Response ApiAuditList(Ctx& ctx, Request& req);
Response ApiAuditVerify(Ctx& ctx, Request& req);

// HTML pages (pages.cc).
Response HomePage(Ctx& ctx, Request& req);
Response RegionPage(Ctx& ctx, Request& req);
Response CountriesPage(Ctx& ctx, Request& req);
Response CountryPage(Ctx& ctx, Request& req);
Response OrganisationsPage(Ctx& ctx, Request& req);
Response OrganisationPage(Ctx& ctx, Request& req);
Response StaticFile(Ctx& ctx, Request& req);

// Export control (exportctl.cc).
Response ApiEditionsList(Ctx& ctx, Request& req);
Response ApiEditionsImport(Ctx& ctx, Request& req);
Response ApiEditionChanges(Ctx& ctx, Request& req);
Response ApiEditionEntries(Ctx& ctx, Request& req);
Response ApiEditionEntry(Ctx& ctx, Request& req);
Response ApiListEntity(Ctx& ctx, Request& req);
Response ApiScreen(Ctx& ctx, Request& req);
Response ApiScreenBatch(Ctx& ctx, Request& req);
Response ApiRescreen(Ctx& ctx, Request& req);
Response ApiScreeningsList(Ctx& ctx, Request& req);
Response ApiScreeningGet(Ctx& ctx, Request& req);
Response ApiScreeningDecide(Ctx& ctx, Request& req);
Response ApiControlSearch(Ctx& ctx, Request& req);
Response ApiControlGet(Ctx& ctx, Request& req);
Response ApiControlImport(Ctx& ctx, Request& req);
Response ApiLicenceTransition(Ctx& ctx, Request& req);
Response ApiLicenceOpinion(Ctx& ctx, Request& req);
Response ApiLicenceDetail(Ctx& ctx, Request& req);
Response ScreeningPage(Ctx& ctx, Request& req);
Response ScreeningSubmit(Ctx& ctx, Request& req);
Response ScreeningBatchSubmit(Ctx& ctx, Request& req);
Response ScreeningResultPage(Ctx& ctx, Request& req);
Response ScreeningDecideSubmit(Ctx& ctx, Request& req);
Response RescreenSubmit(Ctx& ctx, Request& req);
Response SanctionsPage(Ctx& ctx, Request& req);
Response SanctionsImportSubmit(Ctx& ctx, Request& req);
Response EditionPage(Ctx& ctx, Request& req);
Response EditionEntriesPage(Ctx& ctx, Request& req);
Response EditionEntryPage(Ctx& ctx, Request& req);
Response ControlListPage(Ctx& ctx, Request& req);
Response LicencesPage(Ctx& ctx, Request& req);
Response LicencePage(Ctx& ctx, Request& req);
Response LicenceTransitionSubmit(Ctx& ctx, Request& req);
Response LicenceOpinionSubmit(Ctx& ctx, Request& req);

// Needs assessment (assessment.cc).
Response ApiQuestionnaireLoad(Ctx& ctx, Request& req);
Response ApiQuestionnaireDefinition(Ctx& ctx, Request& req);
Response ApiQuestionnaireMapping(Ctx& ctx, Request& req);
Response ApiAssessmentView(Ctx& ctx, Request& req);
Response ApiAnswerPut(Ctx& ctx, Request& req);
Response ApiAssessmentTransition(Ctx& ctx, Request& req);
Response ApiAssessmentResults(Ctx& ctx, Request& req);
Response ApiAssessmentCarry(Ctx& ctx, Request& req);
Response ApiEvidenceUpload(Ctx& ctx, Request& req);
Response EvidenceDownload(Ctx& ctx, Request& req);
Response WorkbookDownload(Ctx& ctx, Request& req);
Response ApiWorkbookPreview(Ctx& ctx, Request& req);
Response ApiWorkbookApply(Ctx& ctx, Request& req);
Response ApiRegionAssessments(Ctx& ctx, Request& req);
Response AssessmentsPage(Ctx& ctx, Request& req);
Response AssessmentStartSubmit(Ctx& ctx, Request& req);
Response QuestionnaireLoadSubmit(Ctx& ctx, Request& req);
Response AssessmentPage(Ctx& ctx, Request& req);
Response AnswersSubmit(Ctx& ctx, Request& req);
Response AssessmentTransitionSubmit(Ctx& ctx, Request& req);
Response AssessmentShareSubmit(Ctx& ctx, Request& req);
Response EvidenceSubmit(Ctx& ctx, Request& req);
Response WorkbookPreviewSubmit(Ctx& ctx, Request& req);
Response WorkbookApplySubmit(Ctx& ctx, Request& req);
Response CarrySubmit(Ctx& ctx, Request& req);
Response ResultsPage(Ctx& ctx, Request& req);
Response RegionAssessmentsPage(Ctx& ctx, Request& req);

// Action plans and projects (plans.cc).
Response ApiPlanAdopt(Ctx& ctx, Request& req);
Response ApiPlanRevise(Ctx& ctx, Request& req);
Response ApiPlanView(Ctx& ctx, Request& req);
Response ApiPlanVersions(Ctx& ctx, Request& req);
Response ApiPlanVersion(Ctx& ctx, Request& req);
Response ApiPlanDiff(Ctx& ctx, Request& req);
Response ApiPlanGaps(Ctx& ctx, Request& req);
Response ApiPriorityTrace(Ctx& ctx, Request& req);
Response ApiPlanCapabilities(Ctx& ctx, Request& req);
Response ApiPlanForPriorities(Ctx& ctx, Request& req);
Response ApiRegionPlans(Ctx& ctx, Request& req);
Response ApiProjectTransition(Ctx& ctx, Request& req);
Response ApiProjectIdea(Ctx& ctx, Request& req);
Response ApiPortfolio(Ctx& ctx, Request& req);
Response PlanWorkbookDownload(Ctx& ctx, Request& req);
Response PortfolioWorkbookDownload(Ctx& ctx, Request& req);
Response ApiPlanImportPreview(Ctx& ctx, Request& req);
Response ApiPlanImportApply(Ctx& ctx, Request& req);
Response PlanImportSubmit(Ctx& ctx, Request& req);
Response PlanImportApplySubmit(Ctx& ctx, Request& req);
Response PlansPage(Ctx& ctx, Request& req);
Response PlanPage(Ctx& ctx, Request& req);
Response PlanTransitionSubmit(Ctx& ctx, Request& req);
Response PlanDiffPage(Ctx& ctx, Request& req);
Response PriorityActionSubmit(Ctx& ctx, Request& req);
Response TracePage(Ctx& ctx, Request& req);
Response RegionPlansPage(Ctx& ctx, Request& req);
Response PortfolioPage(Ctx& ctx, Request& req);
Response ProjectTransitionSubmit(Ctx& ctx, Request& req);
Response ProjectIdeaSubmit(Ctx& ctx, Request& req);

// Activities, exercises, lessons, round tables, calendar and the brief (meetings.cc).
Response ApiRoundTableView(Ctx& ctx, Request& req);
Response ApiActivityDocumentAdd(Ctx& ctx, Request& req);
Response ApiActivityDocuments(Ctx& ctx, Request& req);
Response ActivityDocumentDownload(Ctx& ctx, Request& req);
Response ActivityDocumentSubmit(Ctx& ctx, Request& req);
Response ApiFollowUpClose(Ctx& ctx, Request& req);
Response ApiLessonSearch(Ctx& ctx, Request& req);
Response ApiLessonFromEvaluation(Ctx& ctx, Request& req);
Response ApiCalendar(Ctx& ctx, Request& req);
Response RegionCalendarIcs(Ctx& ctx, Request& req);
Response CountryCalendarIcs(Ctx& ctx, Request& req);
Response ApiBrief(Ctx& ctx, Request& req);
Response BriefPage(Ctx& ctx, Request& req);
Response BriefPdf(Ctx& ctx, Request& req);
Response CalendarPage(Ctx& ctx, Request& req);
Response ActivityPage(Ctx& ctx, Request& req);
Response LessonFromEvaluationSubmit(Ctx& ctx, Request& req);
Response RoundTablePage(Ctx& ctx, Request& req);
Response FollowUpCloseSubmit(Ctx& ctx, Request& req);
Response LessonsPage(Ctx& ctx, Request& req);

// Record forms (forms.cc).
Response FormNew(Ctx& ctx, Request& req);
Response FormEdit(Ctx& ctx, Request& req);
Response FormCreate(Ctx& ctx, Request& req);
Response FormUpdate(Ctx& ctx, Request& req);
Response FormDelete(Ctx& ctx, Request& req);

// National risk assessment (risk.cc).
Response ApiRiskMethodLoad(Ctx& ctx, Request& req);
Response ApiRiskMethodCheck(Ctx& ctx, Request& req);
Response ApiRiskMethodView(Ctx& ctx, Request& req);
Response ApiRiskRegisterView(Ctx& ctx, Request& req);
Response ApiRiskValidate(Ctx& ctx, Request& req);
Response ApiRiskRevise(Ctx& ctx, Request& req);
Response ApiRiskRounds(Ctx& ctx, Request& req);
Response ApiRiskRound(Ctx& ctx, Request& req);
Response ApiRiskMovement(Ctx& ctx, Request& req);
Response ApiRiskRating(Ctx& ctx, Request& req);
Response ApiRiskEvidenceUpload(Ctx& ctx, Request& req);
Response ApiRiskEvidenceList(Ctx& ctx, Request& req);
Response RiskEvidenceDownload(Ctx& ctx, Request& req);
Response ApiRegionRisks(Ctx& ctx, Request& req);
Response ApiPrioritiesByRisk(Ctx& ctx, Request& req);
Response RiskWorkbookDownload(Ctx& ctx, Request& req);
Response ApiRiskImportPreview(Ctx& ctx, Request& req);
Response ApiRiskImportApply(Ctx& ctx, Request& req);
Response RiskRegistersPage(Ctx& ctx, Request& req);
Response RiskMethodLoadSubmit(Ctx& ctx, Request& req);
Response RiskRegisterPage(Ctx& ctx, Request& req);
Response RiskTransitionSubmit(Ctx& ctx, Request& req);
Response RiskMovementPage(Ctx& ctx, Request& req);
Response RiskScenarioPage(Ctx& ctx, Request& req);
Response RiskRatingSubmit(Ctx& ctx, Request& req);
Response RiskEvidenceSubmit(Ctx& ctx, Request& req);
Response RiskImportSubmit(Ctx& ctx, Request& req);
Response RiskImportApplySubmit(Ctx& ctx, Request& req);
Response RiskScenarioCreateSubmit(Ctx& ctx, Request& req);
Response RiskScenarioEditSubmit(Ctx& ctx, Request& req);
Response RegionRisksPage(Ctx& ctx, Request& req);
Response PrioritiesByRiskPage(Ctx& ctx, Request& req);

}  // namespace cbrnhub::http
