// Needs assessment: versioned questionnaires (definitions in YAML), a country's assessment
// answering one version, scores, gaps and priorities, carry-over across revisions, the regional
// heat map and shared priorities, and the offline XLSX workbook.
//
// Definitions are installation-wide (owner "network", published). An assessment belongs to its
// country ("country:UZ"): private while the team works; submitting shares it with the region's
// secretariat for validation; the focal point may share it further.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>  // in full: scores carry their reasons' message arguments as values
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "records/records.h"
#include "yamldoc/text.h"

namespace cbrnhub::assessment {

using records::Caller;
using records::Json;

// --- Definitions ------------------------------------------------------------------------

using yamldoc::Text;

enum class QuestionType { kMaturity, kPresence, kYesPartialNo, kNumber, kSingleChoice, kMultipleChoice, kText };
const char* TypeName(QuestionType type);

struct Option {
  std::string value;
  Text label;
  double score = 0;  // 0..1
};

// Shows a question only when an earlier answer calls for it.
struct Condition {
  std::string question;
  std::string op;  // "equals", "in", "at_least" (maturity level or number)
  std::vector<std::string> values;
  double number = 0;
};

struct Question {
  std::string id;
  QuestionType type = QuestionType::kYesPartialNo;
  Text text, guidance;
  double weight = 1;
  std::vector<Text> levels;    // maturity: the descriptor of levels 1..5
  std::vector<Option> options; // single/multiple choice
  Text unit;                   // number
  std::optional<double> min, max, target;  // number: range, and the value that scores 1
  std::optional<Condition> show_if;
  std::string section, domain, function, area;  // area: thematic area (optional)
  int line = 0;  // in the definition file
  bool scored() const;
};

struct Section {
  std::string id;
  Text title;
  std::string domain, function;
  double weight = 1;
  std::vector<size_t> questions;  // indexes into Definition::questions
};

// A problem of a definition file: line, path ("sections[2].questions[4].levels") and what.
using DefinitionError = yamldoc::Error;

struct Definition {
  std::string code;     // questionnaire family, e.g. "naq"
  std::string version;  // e.g. "2019"
  Text title;
  double target = 0.8;  // the score (0..1) a country aims for; per question `target` overrides
  std::vector<Section> sections;
  std::vector<Question> questions;
  std::map<std::string, size_t> by_id;
  // Declared (`languages:`, else those of the title), "en" first.
  std::vector<std::string> languages;
  // Texts without a translation into a declared language ("no ru text"): a warning when checking,
  // refused on publish unless allowed (see MissingTranslations).
  std::vector<DefinitionError> untranslated;
  // What people read for the keys of the sections and questions (`labels:`): by domain
  // ("cross-cutting"), function ("legal_framework") and thematic area ("biosafety_biosecurity"),
  // each a text in the declared languages. Optional: a key without one is shown by the
  // interface's own label for it.
  struct Labels {
    std::map<std::string, Text> domains, functions, areas;
  } labels;
  const Question* Find(const std::string& id) const;
};

// How strictly a definition is read. kStrict (every new file): besides the structure, refuses
// keys the format does not define, keys given twice, numbers that are not finite, a number
// question's target outside its range, show_if conditions that can never hold, text that is not
// UTF-8. kStored re-reads a version published before those rules: structure only, so an
// assessment of an old version stays readable.
enum class Strictness { kStrict, kStored };

// Parses and checks a definition. On failure returns InvalidArgument whose message lists every
// error ("file:line path: problem", one per line) and fills `errors` when given.
Result<Definition> ParseDefinition(std::string_view yaml, const std::string& source,
                                   std::vector<DefinitionError>* errors = nullptr,
                                   Strictness strictness = Strictness::kStrict);

// "" when every text has every declared language; else one message naming the first 20 missing
// translations ("file:line path: no ru text") and how many more there are.
std::string MissingTranslations(const Definition& def, const std::string& source);

// For a published definition file (`table`: questionnaires or risk_methods, row `id`) and a new
// `yaml` of the same code and version: when the two differ only in their translations
// (yamldoc::SameButForTranslations), stores `yaml` and its checksum in place, audited as
// "retranslate", and returns true; false (nothing written) when they differ in anything else.
Result<bool> RetranslateInPlace(storage::Transaction& txn, const Caller& caller, const std::string& table,
                                const std::string& id, std::string_view yaml, const std::string& source);

// A mapping between two versions (YAML): which old questions feed which new ones.
struct MappingRule {
  std::vector<std::string> from, to;
  std::string combine = "max";  // several "from": max, min or first answered
};
struct Mapping {
  std::string from_version, to_version;
  std::vector<MappingRule> rules;
  std::vector<std::string> dropped;
};
// Strictness as for definitions (a mapping loaded before the strict rules is read kStored).
Result<Mapping> ParseMapping(std::string_view yaml, const std::string& source,
                             const Definition& from, const Definition& to,
                             Strictness strictness = Strictness::kStrict);

// --- Answers and scores -----------------------------------------------------------------

// Checks one answer against its question. InvalidArgument naming the question and the problem.
// Maturity levels must be cumulative (1..k in order: [1, 2, 4] is refused, as level 4 cannot
// be met without level 3); a text is not empty (null clears an answer).
Status ValidateAnswer(const Question& q, const Json& value);
// The stored form of a valid answer: only the members its type defines, a presence answer
// without an empty reference, numbers to 15 significant digits (what a spreadsheet keeps). Two
// answers that mean the same have the same canonical form; the workbook reads this form back.
Json CanonicalAnswer(const Question& q, const Json& value);
bool Visible(const Definition& def, const Question& q, const std::map<std::string, Json>& answers);

struct QuestionScore {
  std::string id;
  bool visible = true, answered = false, scored = false;
  double score = 0;   // 0..1
  int level = 0;      // maturity: highest level with every lower level met
  double target = 0;  // 0..1
  double gap = 0;     // max(0, target - score), when scored
  double weight = 1;  // question weight × section weight
  // Why the question scores what it does, as a message key of the interface's catalogues
  // ("assessment.reason.level_not_yet") and its arguments (texts already in the scoring
  // language); `reason` says the same in English for programs that read the API.
  std::string reason, reason_key;
  Json reason_args = Json::object();
};

struct Priority {
  int rank = 0;
  std::string question, text, section, domain, function;
  double score = 0, gap = 0, weighted_gap = 0;
  double weight = 1;   // question weight × section weight
  std::string reason;  // why it ranks where it does, in English (the API's)
  // The question's own reason as a message key and arguments (see QuestionScore).
  std::string reason_key;
  Json reason_args = Json::object();
};

struct Scores {
  std::vector<QuestionScore> questions;
  std::map<std::string, double> by_section, by_domain, by_function, by_area;  // 0..1
  double overall = 0;
  int answered = 0, visible = 0;
  std::vector<Priority> priorities;  // largest weighted gap first
};
Scores Score(const Definition& def, const std::map<std::string, Json>& answers, const std::string& lang);

// Carries answers of `from` to `to` through `mapping`: the carried answers and the questions of
// `to` left to answer (with why).
struct CarryNote {
  std::string question;
  std::string reason;                 // in English, for the API
  std::string reason_key;             // the same as a message key ("assessment.carry.new") ...
  Json reason_args = Json::object();  // ... and its arguments
};
struct CarryOver {
  std::map<std::string, Json> answers;
  std::vector<CarryNote> to_answer;
};
CarryOver Carry(const Definition& from, const Definition& to, const Mapping& mapping,
                const std::map<std::string, Json>& answers);

// SVG charts (rendered on the server, so they print): a radar of values by axis, and bars.

// --- Persisted assessments --------------------------------------------------------------

inline constexpr const char* kQuestionnaires = "questionnaires";
inline constexpr const char* kAssessments = "assessments";

// Adds questionnaires (loaded only from definition files) and assessments to `catalog`.
void RegisterKinds(records::Catalog& catalog);

class Service {
 public:
  explicit Service(records::Store& store);
  ~Service();

  // Loads and publishes a definition (administrators). The same code and version again:
  // unchanged when identical, Conflict otherwise (a published version never changes).
  // A declared language missing for some text is refused (InvalidArgument naming them) unless
  // `allow_incomplete`.
  Result<Json> LoadQuestionnaire(const Caller& caller, std::string_view yaml,
                                 const std::string& source, bool allow_incomplete = false);
  // Loads the mapping from one published version to another (administrators).
  Result<Json> LoadMapping(const Caller& caller, const std::string& from_id, const std::string& to_id,
                           std::string_view yaml, const std::string& source);
  // Publishes the sample questionnaires compiled into the binary (NAQ 2019 and its 2024
  // revision, with their mapping); returns how many versions were new. Idempotent.
  Result<int> SeedSamples(const Caller& caller);
  // Fictitious demo assessments (Uzbekistan validated, Kazakhstan submitted) when none exist, so
  // the results and the regional view have something to show. Returns how many were made.
  Result<int> SeedDemo(const Caller& caller);
  // The parsed definition of a questionnaire (id or "code@version"), cached.
  Result<std::shared_ptr<const Definition>> DefinitionOf(const std::string& questionnaire_id);
  Result<Json> QuestionnaireView(const Caller& caller, const std::string& id, const std::string& lang);

  // The assessment with its questionnaire, answers and evidence list.
  Result<Json> Get(const Caller& caller, const std::string& id, const std::string& lang);
  // Saves one answer (autosave). `revision` (optional) must equal the stored answer's revision.
  Result<Json> SaveAnswer(const Caller& caller, const std::string& id, const std::string& question,
                          const Json& value, const std::string& comment, std::optional<std::int64_t> revision);
  // submit (focal point), validate / return (the region's secretariat), reopen (focal point,
  // from returned). Submitting shares the assessment with the region at least.
  Result<Json> Transition(const Caller& caller, const std::string& id, const std::string& to,
                          const std::string& comment);
  Result<Json> Results(const Caller& caller, const std::string& id, const std::string& lang);
  // A new assessment of `to_questionnaire` with the answers carried over; lists what to answer.
  Result<Json> CarryOver(const Caller& caller, const std::string& id, const std::string& to_questionnaire);
  // The region's heat map (countries x functions and domains) and shared priorities, over the
  // latest assessment of each country that the caller may read and that was shared.
  Result<Json> RegionView(const Caller& caller, const std::string& region, const std::string& lang);

  // Evidence files: at most 10 MiB, PDF, images, office documents, text.
  Result<Json> AddEvidence(const Caller& caller, const std::string& id, const std::string& question,
                           const std::string& filename, const std::string& content_type, const std::string& data);
  // (metadata, bytes)
  Result<std::pair<Json, std::string>> Evidence(const Caller& caller, const std::string& evidence_id);

  // The offline workbook (XLSX) and its re-import: Preview validates every cell and stores the
  // changes it would make; Apply makes them, in one transaction, if nothing changed meanwhile.
  // `words`: the presentation layer's catalogue (headers, instructions, choice labels), so that
  // the workbook speaks its reader's language and this module writes no sentence itself.
  using Words = std::function<std::string(const std::string& lang, const std::string& key)>;
  Result<std::string> ExportWorkbook(const Caller& caller, const std::string& id, const std::string& lang,
                                     const Words& words);
  Result<Json> PreviewWorkbook(const Caller& caller, const std::string& id, const std::string& xlsx,
                               const Words& words);
  Result<Json> ApplyWorkbook(const Caller& caller, const std::string& id, const std::string& import_id);

 private:
  struct State;
  Result<Json> SaveAnswerIn(storage::Transaction& txn, const Caller& caller, const Json& assessment,
                            const Definition& def, const std::string& question, const Json& value,
                            const std::string& comment, std::optional<std::int64_t> revision);
  records::Store& store_;
  std::unique_ptr<State> state_;
};

}  // namespace cbrnhub::assessment
