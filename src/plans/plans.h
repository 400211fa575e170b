// Action plans and projects: a country's National Action Plan (NAP) and a region's Regional
// Action Plan (RAP), their actions with milestones and indicators, progress over time, adopted
// versions kept as snapshots, and the portfolio of regional and national projects.
//
// Plans, actions, milestones, indicators, indicator values and projects are record kinds
// (records::Store gives them validated, audited CRUD and the API); an action, milestone,
// indicator or value belongs to its plan and shares its owner and sharing (KindSpec::parent_field).
// This module adds what is more than a record: the plan's workflow (draft -> adopted -> revised
// -> adopted ...), the snapshots and their differences, views "as of" a past date (rebuilt from
// the record history in the audit log), the computed "delayed", the gaps no action answers,
// the region's overview and the project pipeline. Every view shows only what the caller may read.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "assessment/assessment.h"
#include "records/records.h"

namespace cbrnhub::plans {

using records::Caller;
using records::Json;

inline constexpr const char* kPlans = "action_plans";
inline constexpr const char* kActions = "plan_actions";
inline constexpr const char* kMilestones = "plan_milestones";
inline constexpr const char* kIndicators = "plan_indicators";
inline constexpr const char* kIndicatorValues = "indicator_values";
inline constexpr const char* kProjects = "projects";

// Thematic areas of actions and projects, and the states of each workflow (stored values;
// pages show them through the message catalogue).
const std::vector<std::string>& ThematicAreas();
const std::vector<std::string>& ProjectStates();

// Adds the kinds above to `catalog` (after the network's and the assessment's, which they
// reference).
void RegisterKinds(records::Catalog& catalog);

// True for a three-letter ISO 4217 currency code in current use (ICU's list).
bool IsCurrencyCode(const std::string& code);

class Service {
 public:
  Service(records::Store& store, assessment::Service& assessments);
  ~Service();

  // Demo data for the demo installation: an adopted NAP of Uzbekistan (shared with its region)
  // answering the top priorities of its demo assessment, and a regional project idea of Central
  // Asia. Returns the number of plans made; 0 when plans exist already.
  Result<int> SeedDemo(const Caller& caller);

  // Queues "a milestone is overdue" for milestones due before `today` (YYYY-MM-DD) and not
  // reached, once per milestone and reader. Returns how many.
  Result<int> NotifyOverdueMilestones(const std::string& today);

  // The plan's workflow. Adopt: a draft or revised plan becomes adopted, and its content (plan,
  // actions, milestones, indicators) is kept as version N exactly as adopted. Revise: an adopted
  // plan opens for changes again. PermissionDenied unless the owner's focal point (secretariat,
  // for a RAP); Conflict from the wrong state.
  Result<Json> Adopt(const Caller& caller, const std::string& plan_id, const std::string& note);
  Result<Json> Revise(const Caller& caller, const std::string& plan_id, const std::string& note);
  // The adopted versions (number, when, by whom), newest first; one version's snapshot.
  Result<Json> Versions(const Caller& caller, const std::string& plan_id);
  Result<Json> Version(const Caller& caller, const std::string& plan_id, int version);
  // What changed between two adopted versions (0 = the plan as it is now), action by action
  // and field by field.
  Result<Json> Diff(const Caller& caller, const std::string& plan_id, int from, int to);

  // The plan with its actions, milestones, indicators and values, each action's effective
  // status ("delayed" when its end date has passed and it is not completed or cancelled),
  // overdue milestones, totals by status, area and currency. `as_of` (YYYY-MM-DD, or "" for
  // now) rebuilds every record as it was at the end of that day from its history; `today`
  // (YYYY-MM-DD) decides what is overdue.
  Result<Json> PlanView(const Caller& caller, const std::string& plan_id, const std::string& as_of,
                        const std::string& today);
  // Priorities of the plan's assessment (or the country's latest readable one) that no action
  // of the plan links to, best-ranked first.
  Result<Json> Gaps(const Caller& caller, const std::string& plan_id, const std::string& lang);
  // Progress by the capabilities the actions serve: for each function and each domain of the
  // plan's assessment, the live actions linked to its questions and their mean percent done.
  Result<Json> ProgressByCapability(const Caller& caller, const std::string& plan_id, const std::string& lang);
  // One priority's trace: the question and its answer's gap -> the actions that link to it ->
  // the projects that answer those actions or the priority.
  Result<Json> Trace(const Caller& caller, const std::string& assessment_id, const std::string& question,
                     const std::string& lang);
  // The country's plan a priority is turned into an action in: {"plan", "open"}. Its newest
  // draft or revised NAP (open); else its adopted one (not open: revise it to add actions);
  // else a new draft linked to the assessment, named `title`. NotFound when the caller may not
  // read the assessment; PermissionDenied when it may not write the plan.
  // `title` names a plan made here (the presentation layer's words).
  Result<Json> PlanForPriorities(const Caller& caller, const std::string& assessment_id, const std::string& title);

  // A region's plans as its secretariat (or anyone) may see them: per member country the
  // newest NAP it may read with its state, action counts by effective status, overdue
  // milestones and budget planned vs secured; and the region's RAPs. NotFound for an unknown
  // region.
  Result<Json> RegionOverview(const Caller& caller, const std::string& region, const std::string& today);

  // Moves a project along idea -> proposal -> approved -> implementation -> closed (or
  // rejected / withdrawn). Conflict for a step the workflow does not have.
  Result<Json> ProjectTransition(const Caller& caller, const std::string& project_id, const std::string& to,
                                 const std::string& note);
  // A project idea made from priorities several countries of a region share: those countries
  // participate, the priorities are linked. The region's secretariat's operation.
  Result<Json> ProjectFromSharedPriority(const Caller& caller, const std::string& region,
                                         const std::string& question, const std::string& lang);
  // Projects the caller may read, filtered (region, theme, status, country, year; empty =
  // any), with totals per currency and the pipeline (count and budget per state).
  struct PortfolioFilter {
    std::string region, theme, status, country;
    int year = 0;
  };
  Result<Json> Portfolio(const Caller& caller, const PortfolioFilter& filter);

  // The words of a workbook (headers, choice labels, instructions) in a language: the
  // presentation layer's catalogue, so that this module writes no sentence itself.
  using Translate = std::function<std::string(const std::string& lang, const std::string& key)>;
  // The plan as an XLSX workbook, one row per action, to edit offline and upload back (or a
  // template to fill for a new plan).
  Result<std::string> ExportPlan(const Caller& caller, const std::string& plan_id, const std::string& lang,
                                 const Translate& translate);
  // Reads an uploaded plan workbook and tries every row against the plan without writing
  // anything: new actions, changed fields, rows in error (row, column, the value, why), and the
  // plan's actions the workbook leaves out (they stay as they are). The preview is kept for
  // ApplyPlanImport. InvalidArgument when the file is not this plan's workbook.
  Result<Json> PreviewPlanImport(const Caller& caller, const std::string& plan_id, const std::string& xlsx,
                                 const Translate& translate);
  // Applies a kept preview: every row or none. Conflict when the preview had errors, was
  // applied already, or the plan changed since (upload the workbook again).
  Result<Json> ApplyPlanImport(const Caller& caller, const std::string& plan_id, const std::string& import_id);
  // The portfolio (as Portfolio filters it) as an XLSX workbook.
  Result<std::string> ExportPortfolio(const Caller& caller, const PortfolioFilter& filter, const std::string& lang,
                                      const Translate& translate);

 private:
  records::Store& store_;
  assessment::Service& assessments_;
};

}  // namespace cbrnhub::plans
