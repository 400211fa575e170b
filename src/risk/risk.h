// National CBRN risk assessment: a method (likelihood scale, impact criteria, how they combine,
// confidence scale, risk matrix; YAML, versioned, strictly checked), a country's risk register
// of reasonable worst-case scenarios rated against it, the validated rounds kept as they were,
// the risk matrix, and the links from each risk to the capabilities it depends on (questionnaire
// functions and questions) and to the plan actions that treat it.
//
// Methods are installation-wide (owner "network", published). A register belongs to its country
// and follows the plan rule (access::Policy::kPlan): the focal point writes, validates and shares
// it, a team member changes what is assigned to them; a scenario belongs to its register. A
// register is invisible outside its country until shared, and never counted in a region's figures
// before. A register goes draft -> validated (round N kept as a snapshot) -> revised -> validated
// (round N+1) ...; a validated register does not change (Conflict).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assessment/assessment.h"
#include "records/records.h"
#include "yamldoc/text.h"

namespace cbrnhub::risk {

using records::Caller;
using records::Json;
using yamldoc::Text;

// --- Methods ----------------------------------------------------------------------------

struct LikelihoodLevel {
  int level = 0;
  Text label, descriptor;
  double from = 0, to = 0;  // probability within Method::period_years: [from, to)
};

struct Criterion {
  std::string id, group;  // group: human, economic, environmental, infrastructure, social, ...
  Text label, unit;
  double weight = 1;
  // Quantitative: lower bounds of levels 2..N, strictly increasing (a value below the first is
  // level 1). Qualitative: one descriptor per level. At least one of the two.
  std::vector<double> thresholds;
  std::vector<Text> descriptors;
  // The level of an estimated quantity (quantitative criteria).
  int LevelOf(double value) const;
};

struct Band {
  std::string id;
  Text label;
  double weight = 0;   // how much a risk in this band raises the capabilities it depends on
  bool treat = false;  // a risk in this band needs a treating action
  int rank = 0;        // 0 = lowest
};

struct ScenarioType {
  std::string id, hazard;
  Text label;
};

struct Method {
  std::string code, version;
  Text title;
  std::vector<std::string> languages;  // "en" first
  int period_years = 5;
  std::vector<LikelihoodLevel> likelihood;  // level 1..n in order
  std::vector<Text> impact_levels;          // labels of impact levels 1..m
  std::string combine = "max";              // "max" or "weighted_mean"
  std::vector<Criterion> criteria;
  std::vector<std::pair<std::string, Text>> confidence;  // id, label (lowest first)
  std::vector<Band> bands;                               // lowest first
  // matrix[l - 1][i - 1]: index into `bands` of likelihood l, impact i.
  std::vector<std::vector<int>> matrix;
  std::vector<ScenarioType> scenario_types;
  std::vector<yamldoc::Error> untranslated;

  const Criterion* FindCriterion(const std::string& id) const;
  const Band* FindBand(const std::string& id) const;
  bool HasConfidence(const std::string& id) const;
  const ScenarioType* FindType(const std::string& id) const;
  // The likelihood level of a probability within period_years (0 when outside [0, 1]).
  int LikelihoodOf(double probability) const;
  const Band& BandAt(int likelihood, int impact) const;
};

// Parses and checks a method. InvalidArgument listing every error ("file:line path: problem"):
// unknown keys, likelihood levels out of order or with overlapping or gapped probability bands,
// thresholds not increasing, a criterion twice, bands that leave matrix cells uncovered or name
// no band, a matrix whose risk falls as likelihood or impact rises.
Result<Method> ParseMethod(std::string_view yaml, const std::string& source);

// --- Ratings ----------------------------------------------------------------------------

// One scenario's rating, as stored in its record: likelihood (level, or a probability that gives
// it) and per criterion a level (or an estimated value that gives it), each with a justification
// and a confidence.
struct Rating {
  int likelihood = 0;                       // 0 = not rated
  std::map<std::string, int> impact;        // criterion -> level
  int combined_impact = 0;                  // 0 = no criterion rated
  int band = -1;                            // index into Method::bands; -1 = not on the matrix
  std::string reason;                       // how the impact combined (English, for the API)
  std::string reason_key;                   // the same as a catalogue message ("risk.reason.*")
  Json reason_args = Json::object();        // its arguments: mean, level, criterion (an id)
};

// Checks a scenario's `likelihood` and `impacts` members against the method and returns them in
// their stored form (levels derived from values). InvalidArgument naming the field: a level
// outside the scale, a criterion the method does not define, an unknown confidence, a value and
// a level that disagree.
Result<Json> CheckRatings(const Method& method, const Json& likelihood, const Json& impacts);
// The rating of a scenario's stored members. `criterion` (optional) rates by that one criterion
// instead of the combination.
Rating Rate(const Method& method, const Json& likelihood, const Json& impacts, const std::string& criterion = "");

// --- Persisted registers ----------------------------------------------------------------

inline constexpr const char* kMethods = "risk_methods";
inline constexpr const char* kRegisters = "risk_registers";
inline constexpr const char* kScenarios = "risk_scenarios";

const std::vector<std::string>& Hazards();  // chemical, biological, radiological, nuclear
const std::vector<std::string>& Origins();  // accidental, natural, intentional

// Adds the kinds above to `catalog` (after the assessment's and the plans', which they reference).
void RegisterKinds(records::Catalog& catalog);

class Service {
 public:
  Service(records::Store& store, assessment::Service& assessments);
  ~Service();

  // Loads and publishes a method (administrators). The same code and version again: unchanged
  // when identical, Conflict otherwise. A declared language missing for some text is refused
  // unless `allow_incomplete`.
  Result<Json> LoadMethod(const Caller& caller, std::string_view yaml, const std::string& source,
                          bool allow_incomplete = false);
  // Publishes the sample method compiled into the binary; returns 1 when new. Idempotent.
  Result<int> SeedSamples(const Caller& caller);
  // A demo register for Uzbekistan (validated round 1, revised, shared with its region) linked to
  // its demo assessment and plan. Returns the number of registers made; 0 when some exist.
  Result<int> SeedDemo(const Caller& caller);
  // The parsed method (id or "code@version"), cached.
  Result<std::shared_ptr<const Method>> MethodOf(const std::string& method_id);
  // The method as JSON for pages and the API (labels in `lang`).
  Result<Json> MethodView(const Caller& caller, const std::string& method_id, const std::string& lang);

  // Rates a scenario: `likelihood` and `impacts` as CheckRatings takes them (null: not rated).
  // Returns the scenario with its position. Conflict when the register is validated.
  Result<Json> SaveRating(const Caller& caller, const std::string& scenario_id, const Json& likelihood, const Json& impacts);

  // The register with its scenarios, each rated (likelihood, impact per criterion, combined
  // impact, band), the previous validated round's position, the treating actions, and the risks
  // that need treatment and have none. Filters: hazard ("" = all), criterion ("" = combined).
  struct MatrixFilter {
    std::string hazard, criterion;
  };
  Result<Json> RegisterView(const Caller& caller, const std::string& register_id, const MatrixFilter& filter,
                            const std::string& lang);
  // draft/revised -> validated (kept as round N), validated -> revised (round N+1 opens).
  // PermissionDenied unless the country's focal point; Conflict from the wrong state.
  Result<Json> Validate(const Caller& caller, const std::string& register_id, const std::string& note);
  Result<Json> Revise(const Caller& caller, const std::string& register_id, const std::string& note);
  // The validated rounds (number, when, by whom), newest first; one round's snapshot.
  Result<Json> Rounds(const Caller& caller, const std::string& register_id);
  Result<Json> Round(const Caller& caller, const std::string& register_id, int round);
  // How each scenario moved between rounds: its position in each validated round and now.
  Result<Json> Movement(const Caller& caller, const std::string& register_id, const std::string& lang);
  // The region's matrix over the latest validated round of each member country's register that
  // was shared (never a private one, even for its own country): counts per cell, per hazard and
  // band, and the scenario types rated high or above in several countries.
  Result<Json> RegionView(const Caller& caller, const std::string& region, const std::string& lang);
  // The assessment's priorities ranked by the risks they serve: each priority's weighted gap is
  // multiplied by 1 + the sum of the band weights of the country's rated risks that depend on it
  // (on its question, or on its function for a risk of its domain or a cross-cutting question),
  // with the reason. Uses the country's latest readable register.
  Result<Json> PrioritiesByRisk(const Caller& caller, const std::string& assessment_id, const std::string& lang);

  // Evidence files for a scenario's rating (checked as the assessment's evidence files).
  Result<Json> AddEvidence(const Caller& caller, const std::string& scenario_id, const std::string& filename,
                           const std::string& data);
  Result<Json> EvidenceList(const Caller& caller, const std::string& scenario_id);
  Result<std::pair<Json, std::string>> Evidence(const Caller& caller, const std::string& evidence_id);

  // The register as an XLSX workbook (scenarios and one row per rating) and its checked
  // re-import: Preview checks every cell and stores the changes; Apply makes them in one
  // transaction if the register did not change meanwhile.
  using Translate = std::function<std::string(const std::string& lang, const std::string& key)>;
  Result<std::string> ExportRegister(const Caller& caller, const std::string& register_id, const std::string& lang,
                                     const Translate& words);
  Result<Json> PreviewImport(const Caller& caller, const std::string& register_id, const std::string& xlsx,
                             const Translate& words);
  Result<Json> ApplyImport(const Caller& caller, const std::string& register_id, const std::string& import_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cbrnhub::risk
