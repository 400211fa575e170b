// Questionnaires and assessments in the database: loading definitions, answering, the
// workflow, results, carry-over, the regional view, evidence files.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <unordered_map>

#include "assessment/answers.h"
#include "assessment/assessment.h"
#include "core/upload.h"
#include "assessment/workbook.h"
#include "assets/assets.h"
#include "audit/audit.h"
#include "core/ids.h"
#include "notify/notify.h"
#include "yamldoc/reader.h"

namespace cbrnhub::assessment {
namespace {

using storage::Access;
using storage::Param;
using storage::Rows;

Status Denied(const std::string& m) { return {StatusCode::kPermissionDenied, m}; }

records::FieldSpec Field(std::string name, records::FieldType type = records::FieldType::kText, bool required = false,
                         size_t max = 200) {
  records::FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.required = required;
  f.max_length = max;
  return f;
}

records::FieldSpec ReadOnly(std::string name, std::string value, bool filterable = false) {
  records::FieldSpec f = Field(std::move(name));
  f.read_only = true;
  f.default_value = std::move(value);
  f.filterable = filterable;
  return f;
}

// Who may answer is access::'s decision (the country's focal point and national team, while
// the assessment is a draft or was returned); a closed assessment is a conflict, not a refusal.
Status MayAnswer(const Caller& c, const records::KindSpec& kind, const Json& a) {
  std::string status = a["status"];
  if (status != "draft" && status != "returned") {
    return Status::Conflict("the assessment is " + status + ": answers can change only in a draft or a returned assessment").Says("conflict.answers_locked", {{"status@assessment.state.", status}});
  }
  return access::Require(c.who, access::Action::kAnswer, kind.ScopeOf(a));
}

bool IsAdministrator(const Caller& c) {
  return access::DecideRoute(c.who, access::Need::kAdmin) == access::Decision::kAllow;
}

// Every change of an answer is a change of its assessment: the revision keys cached scores
// (Service::RegionView), in this process and in any other reading the same database.
Status BumpRevision(storage::Transaction& txn, const std::string& assessment_id) {
  return txn.Exec("UPDATE assessments SET revision = revision + 1 WHERE id = ?", {assessment_id})
      .status();
}

// The definition's labels of its keys in `lang` ({"domains": {"cross-cutting": "Transversal"},
// "functions": {...}, "areas": {...}}), merged into `into` (a key labelled already keeps its
// label).
void AddLabels(const Definition& def, const std::string& lang, Json& into) {
  for (const auto& [group, labels] :
       {std::pair<const char*, const std::map<std::string, Text>*>{"domains", &def.labels.domains},
        {"functions", &def.labels.functions},
        {"areas", &def.labels.areas}}) {
    Json& out = into[group];
    if (!out.is_object()) out = Json::object();
    for (const auto& [key, text] : *labels) {
      if (!out.contains(key)) out[key] = text.Get(lang);
    }
  }
}

Json LabelsJson(const Definition& def, const std::string& lang) {
  Json labels = Json::object();
  AddLabels(def, lang, labels);
  return labels;
}

Result<std::map<std::string, Json>> LoadAnswers(storage::Transaction& txn, const std::string& id) {
  CBRN_ASSIGN_OR_RETURN(
      Rows rows,
      txn.Query("SELECT question_id, value_json FROM answers WHERE assessment_id = ?", {id}));
  std::map<std::string, Json> out;
  for (const auto& r : rows) out[r.Text(0)] = Json::parse(r.Text(1));
  return out;
}

Json AnswerJson(const storage::Row& r) {
  return {{"question", r.Text(0)}, {"value", Json::parse(r.Text(1))}, {"comment", r.Text(2)},
          {"revision", r.Int(3)},  {"updated_at", r.Text(4)},        {"updated_by", r.Text(5)}};
}

}  // namespace

void RegisterKinds(records::Catalog& catalog) {
  {
    records::KindSpec k;
    k.name = kQuestionnaires;
    k.table = "questionnaires";
    k.order_by = "code, version";
    k.deletable = false;
    k.writable = false;
    k.default_sharing = access::Sharing::kPublished;
    records::FieldSpec code = Field("code", records::FieldType::kText, true, 40);
    code.filterable = true;
    records::FieldSpec title = Field("title", records::FieldType::kText, true, 400);
    title.searchable = true;
    k.fields = {code, Field("version", records::FieldType::kText, true, 40), title,
                Field("question_count", records::FieldType::kInteger), Field("checksum", records::FieldType::kText, false, 64)};
    k.owner = [](storage::Transaction&, const Json&) -> Result<std::string> { return std::string("network"); };
    catalog.Add(std::move(k));
  }
  {
    records::KindSpec k;
    k.name = kAssessments;
    k.table = "assessments";
    k.policy = access::Policy::kAssessment;
    k.order_by = "created_at DESC";
    records::FieldSpec country = Field("country", records::FieldType::kCountryCode, true);
    country.filterable = true;
    records::FieldSpec q = Field("questionnaire_id", records::FieldType::kReference, true);
    q.references = kQuestionnaires;
    q.filterable = true;
    records::FieldSpec title = Field("title", records::FieldType::kText, true, 200);
    title.searchable = true;
    k.fields = {country, q, title, ReadOnly("status", "draft", true), ReadOnly("review_comment", ""),
                ReadOnly("carried_from", "")};
    k.owner = [](storage::Transaction&, const Json& f) -> Result<std::string> {
      return "country:" + f["country"].get<std::string>();
    };
    catalog.Add(std::move(k));
  }
}

struct Service::State {
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const Definition>> definitions;  // by questionnaire id
  // Scores of one assessment as of its revision (every answer written bumps it), so that a write
  // recomputes only its own country in the regional view. By "assessment id|lang".
  struct CachedScores {
    std::string revision;  // "revision|updated_at" of the assessment row
    std::shared_ptr<const Scores> scores;
  };
  std::unordered_map<std::string, CachedScores> scores;
};

Service::Service(records::Store& store) : store_(store), state_(std::make_unique<State>()) {}
Service::~Service() = default;

// --- Questionnaires ----------------------------------------------------------------------

Result<bool> RetranslateInPlace(storage::Transaction& txn, const Caller& caller, const std::string& table,
                                const std::string& id, std::string_view yaml, const std::string& source) {
  // `table` is one of two names of our own, never input.
  CBRN_ASSIGN_OR_RETURN(Rows stored,
                        txn.Query("SELECT definition, checksum FROM " + table + " WHERE id = ?", {id}));
  if (stored.empty() || !yamldoc::SameButForTranslations(stored[0].Text(0), yaml)) return false;
  // Translations added or corrected change no question, rating, answer or score: taken in place.
  std::string checksum = Sha256Hex(yaml);
  CBRN_RETURN_IF_ERROR(txn.Exec("UPDATE " + table + " SET definition = ?, checksum = ? WHERE id = ?",
                                {std::string(yaml), checksum, id})
                           .status());
  CBRN_RETURN_IF_ERROR(audit::Append(txn, caller.actor(),
                                     {"retranslate", table, id, "network",
                                      Json{{"checksum", stored[0].Text(1)}}.dump(),
                                      Json{{"checksum", checksum}, {"source", source}}.dump()}));
  return true;
}

Result<Json> Service::LoadQuestionnaire(const Caller& caller, std::string_view yaml,
                                        const std::string& source, bool allow_incomplete) {
  if (!IsAdministrator(caller)) return Denied("only administrators load questionnaires");
  CBRN_ASSIGN_OR_RETURN(Definition def, ParseDefinition(yaml, source));
  if (std::string missing = MissingTranslations(def, source);
      !missing.empty() && !allow_incomplete) {
    return Status::Invalid(
        source, missing + "\nTranslate them, or publish anyway with --allow-incomplete.");
  }
  std::string checksum = Sha256Hex(yaml);
  const records::KindSpec* kind = store_.catalog().Find(kQuestionnaires);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Rows existing, txn->Query("SELECT id, checksum FROM questionnaires WHERE code = ? AND version = ?",
                                                  {def.code, def.version}));
  if (!existing.empty()) {
    if (existing[0].Text(1) != checksum) {
      const std::string id = existing[0].Text(0);
      CBRN_ASSIGN_OR_RETURN(bool retranslated,
                            RetranslateInPlace(*txn, caller, "questionnaires", id, yaml, source));
      if (!retranslated) {
        return Status::Conflict(
            def.code + " " + def.version +
            " is already published with other content: publish the revision as a new version").Says("conflict.questionnaire_version_taken", {{"value", def.code + " " + def.version}});
      }
      CBRN_ASSIGN_OR_RETURN(Json q, store_.GetIn(*txn, caller, *kind, id));
      CBRN_RETURN_IF_ERROR(txn->Commit());
      std::lock_guard lock(state_->mu);
      state_->definitions.clear();
      state_->scores.clear();
      return Json{{"unchanged", false}, {"retranslated", true}, {"questionnaire", q}};
    }
    CBRN_ASSIGN_OR_RETURN(Json q, store_.GetIn(*txn, caller, *kind, existing[0].Text(0)));
    return Json{{"unchanged", true}, {"questionnaire", q}};
  }
  Json fields = {{"code", def.code}, {"version", def.version}, {"title", def.title.Get("en").substr(0, 400)},
                 {"question_count", static_cast<std::int64_t>(def.questions.size())}, {"checksum", checksum},
                 {"sharing", "published"}};
  CBRN_ASSIGN_OR_RETURN(Json created, store_.CreateIn(*txn, caller, *kind, fields));
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE questionnaires SET definition = ? WHERE id = ?",
                                 {std::string(yaml), created["id"].get<std::string>()})
                           .status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return Json{{"unchanged", false}, {"questionnaire", created}};
}

Result<std::shared_ptr<const Definition>> Service::DefinitionOf(const std::string& id_or_code) {
  {
    std::lock_guard lock(state_->mu);
    if (auto it = state_->definitions.find(id_or_code); it != state_->definitions.end()) return it->second;
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  Rows rows;
  auto at = id_or_code.find('@');
  if (at != std::string::npos) {
    CBRN_ASSIGN_OR_RETURN(rows, txn->Query("SELECT id, definition FROM questionnaires WHERE code = ? AND version = ?",
                                           {id_or_code.substr(0, at), id_or_code.substr(at + 1)}));
  } else {
    CBRN_ASSIGN_OR_RETURN(rows, txn->Query("SELECT id, definition FROM questionnaires WHERE id = ?", {id_or_code}));
  }
  if (rows.empty()) return Status::NotFound("no questionnaire " + id_or_code);
  // A published definition changes only in its translations (LoadQuestionnaire then empties
  // this cache): the parse is kept.
  CBRN_ASSIGN_OR_RETURN(
      Definition def, ParseDefinition(rows[0].Text(1), "questionnaire " + rows[0].Text(0), nullptr,
                                      Strictness::kStored));
  auto shared = std::make_shared<const Definition>(std::move(def));
  std::lock_guard lock(state_->mu);
  state_->definitions[id_or_code] = shared;
  state_->definitions[rows[0].Text(0)] = shared;
  return shared;
}

Result<Json> Service::LoadMapping(const Caller& caller, const std::string& from_id, const std::string& to_id,
                                  std::string_view yaml, const std::string& source) {
  if (!IsAdministrator(caller)) return Denied("only administrators load mappings");
  CBRN_ASSIGN_OR_RETURN(auto from, DefinitionOf(from_id));
  CBRN_ASSIGN_OR_RETURN(auto to, DefinitionOf(to_id));
  CBRN_ASSIGN_OR_RETURN(Mapping m, ParseMapping(yaml, source, *from, *to));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Rows ids, txn->Query("SELECT (SELECT id FROM questionnaires WHERE code = ? AND version = ?),"
                                             " (SELECT id FROM questionnaires WHERE code = ? AND version = ?)",
                                             {from->code, from->version, to->code, to->version}));
  std::string fid = ids[0].Text(0), tid = ids[0].Text(1);
  CBRN_RETURN_IF_ERROR(txn->Exec("DELETE FROM questionnaire_mappings WHERE from_id = ? AND to_id = ?", {fid, tid}).status());
  std::string id = NewUuid();
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO questionnaire_mappings (id, from_id, to_id, mapping, created_at, created_by)"
                                 " VALUES (?, ?, ?, ?, ?, ?)",
                                 {id, fid, tid, std::string(yaml), NowUtc(), caller.who.audit_id()})
                           .status());
  Json summary = {{"from", from->code + "@" + from->version}, {"to", to->code + "@" + to->version},
                  {"rules", m.rules.size()}, {"dropped", m.dropped}};
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(), {"load", "questionnaire_mappings", id, "network", std::nullopt, summary.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  summary["id"] = id;
  return summary;
}

Result<int> Service::SeedSamples(const Caller& caller) {
  int added = 0;
  for (const char* name : {"naq-2019.yaml", "naq-2024.yaml"}) {
    auto yaml = assets::Find(std::string("data/assessment/") + name);
    if (!yaml) return Status::Internal(std::string("the sample questionnaire ") + name + " is not compiled in");
    // An installation that published an earlier translation of a sample takes the new one in
    // place (LoadQuestionnaire).
    CBRN_ASSIGN_OR_RETURN(Json r,
                          LoadQuestionnaire(caller, *yaml, name, /*allow_incomplete=*/false));
    added += !r["unchanged"].get<bool>() && !r.contains("retranslated");
  }
  if (added > 0) {
    auto mapping = assets::Find("data/assessment/naq-2019-to-2024.yaml");
    if (!mapping) return Status::Internal("the sample mapping is not compiled in");
    CBRN_RETURN_IF_ERROR(LoadMapping(caller, "naq@2019", "naq@2024", *mapping, "naq-2019-to-2024.yaml").status());
  }
  return added;
}

Result<Json> Service::QuestionnaireView(const Caller& caller, const std::string& id, const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(Json record, store_.Get(caller, kQuestionnaires, id));
  CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf(record["id"]));
  Json sections = Json::array();
  for (const auto& s : def->sections) {
    Json qs = Json::array();
    for (size_t i : s.questions) {
      const Question& q = def->questions[i];
      Json j = {{"id", q.id}, {"type", TypeName(q.type)}, {"text", q.text.Get(lang)}, {"guidance", q.guidance.Get(lang)},
                {"weight", q.weight}, {"domain", q.domain}, {"function", q.function}, {"area", q.area}};
      if (!q.levels.empty()) {
        Json levels = Json::array();
        for (size_t l = 0; l < q.levels.size(); ++l) levels.push_back({{"level", l + 1}, {"text", q.levels[l].Get(lang)}});
        j["levels"] = levels;
      }
      if (!q.options.empty()) {
        Json opts = Json::array();
        for (const auto& o : q.options) opts.push_back({{"value", o.value}, {"label", o.label.Get(lang)}, {"score", o.score}});
        j["options"] = opts;
      }
      if (q.type == QuestionType::kNumber) {
        j["unit"] = q.unit.Get(lang);
        if (q.min) j["min"] = *q.min;
        if (q.max) j["max"] = *q.max;
        if (q.target) j["target"] = *q.target;
      }
      if (q.show_if) {
        j["show_if"] = {{"question", q.show_if->question}, {"op", q.show_if->op}, {"values", q.show_if->values},
                        {"number", q.show_if->number}};
      }
      qs.push_back(j);
    }
    sections.push_back({{"id", s.id}, {"title", s.title.Get(lang)}, {"domain", s.domain}, {"function", s.function},
                        {"weight", s.weight}, {"questions", qs}});
  }
  record["title_text"] = def->title.Get(lang);
  record["labels"] = LabelsJson(*def, lang);
  record["target"] = def->target;
  record["sections"] = sections;
  return record;
}

Result<int> Service::SeedDemo(const Caller& caller) {
  {
    CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
    CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT count(*) FROM assessments"));
    if (rows[0].Int(0) > 0) return 0;
  }
  CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf("naq@2019"));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows qid, txn->Query("SELECT id FROM questionnaires WHERE code = 'naq' AND version = '2019'"));
  txn.reset();
  int made = 0;
  for (const auto& [country, strength] : {std::pair<std::string, int>{"UZ", 3}, {"KZ", 2}}) {
    CBRN_ASSIGN_OR_RETURN(Json a, store_.Create(caller, kAssessments,
                                                Json{{"country", country}, {"questionnaire_id", qid[0].Text(0)},
                                                     {"title", "Demo NAQ 2019 " + country}}));
    std::string id = a["id"];
    // Deterministic, varied answers: a country is stronger in some areas than others.
    unsigned seed = static_cast<unsigned>(country[0] * 31 + country[1]);
    for (const auto& q : def->questions) {
      seed = seed * 1103515245u + 12345u;
      int level = std::clamp(strength + static_cast<int>((seed >> 16) % 3) - 1, 0, 5);
      Json v;
      switch (q.type) {
        case QuestionType::kMaturity: {
          Json levels = Json::array();
          for (int l = 1; l <= level; ++l) levels.push_back(l);
          v = {{"levels", levels}};
          break;
        }
        case QuestionType::kPresence:
          v = {{"status", level >= 3 ? "in_place" : level == 2 ? "unclear" : "not_in_place"},
               {"reference", level >= 3 ? "Demo act No. " + std::to_string(10 + level) : ""}};
          break;
        case QuestionType::kYesPartialNo: v = {{"value", level >= 4 ? "yes" : level >= 2 ? "partial" : "no"}}; break;
        case QuestionType::kNumber: v = {{"value", q.target.value_or(10) * level / 5.0}}; break;
        case QuestionType::kSingleChoice: v = {{"value", q.options[std::min<size_t>(level / 2, q.options.size() - 1)].value}}; break;
        case QuestionType::kMultipleChoice: v = {{"values", Json::array({q.options[0].value})}}; break;
        case QuestionType::kText: v = {{"value", "Demo answer."}}; break;
      }
      CBRN_RETURN_IF_ERROR(SaveAnswer(caller, id, q.id, v, "", std::nullopt).status());
    }
    CBRN_RETURN_IF_ERROR(Transition(caller, id, "submitted", "").status());
    if (country == "UZ") CBRN_RETURN_IF_ERROR(Transition(caller, id, "validated", "Demo validation").status());
    ++made;
  }
  return made;
}

// --- Assessments -------------------------------------------------------------------------

Result<Json> Service::Get(const Caller& caller, const std::string& id, const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(Json a, store_.Get(caller, kAssessments, id));
  CBRN_ASSIGN_OR_RETURN(Json q, QuestionnaireView(caller, a["questionnaire_id"], lang));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT question_id, value_json, comment, revision, updated_at, updated_by"
                                              " FROM answers WHERE assessment_id = ? ORDER BY question_id",
                                              {a["id"].get<std::string>()}));
  Json answers = Json::object();
  for (const auto& r : rows) answers[r.Text(0)] = AnswerJson(r);
  // Whether each question's condition holds now, so that a page showing one section hides a
  // question whose condition is on another section (and works without JavaScript).
  {
    CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf(a["questionnaire_id"]));
    std::map<std::string, Json> values;
    for (const auto& [id, answer] : answers.items()) values[id] = answer["value"];
    for (auto& sec : q["sections"]) {
      for (auto& question : sec["questions"]) {
        const Question* dq = def->Find(question["id"].get<std::string>());
        question["visible"] = dq == nullptr || Visible(*def, *dq, values);
      }
    }
  }
  CBRN_ASSIGN_OR_RETURN(Rows ev, txn->Query("SELECT id, question_id, filename, content_type, size, sha256, created_at,"
                                            " created_by FROM evidence WHERE assessment_id = ? AND deleted_at IS NULL"
                                            " ORDER BY created_at",
                                            {a["id"].get<std::string>()}));
  Json evidence = Json::array();
  for (const auto& r : ev) {
    evidence.push_back({{"id", r.Text(0)}, {"question", r.Text(1)}, {"filename", r.Text(2)}, {"content_type", r.Text(3)},
                        {"size", r.Int(4)}, {"sha256", r.Text(5)}, {"created_at", r.Text(6)}, {"created_by", r.Text(7)}});
  }
  // After a carry-over, the questions still to answer, each with why its answer was not
  // carried (worked out again from the assessment it came from, when the caller may read that).
  Json to_answer = Json::array();
  if (std::string from_id = a.value("carried_from", ""); !from_id.empty()) {
    auto from = store_.GetIn(*txn, caller, *store_.catalog().Find(kAssessments), from_id);
    if (from.ok()) {
      auto from_def = DefinitionOf((*from)["questionnaire_id"]);
      CBRN_ASSIGN_OR_RETURN(auto to_def, DefinitionOf(a["questionnaire_id"]));
      CBRN_ASSIGN_OR_RETURN(
          Rows maps, txn->Query("SELECT mapping FROM questionnaire_mappings WHERE from_id = ? AND"
                                " to_id = ?",
                                {(*from)["questionnaire_id"].get<std::string>(),
                                 a["questionnaire_id"].get<std::string>()}));
      Mapping mapping;
      bool mapped = maps.empty();
      if (from_def.ok() && !maps.empty()) {
        auto parsed =
            ParseMapping(maps[0].Text(0), "mapping", **from_def, *to_def, Strictness::kStored);
        if (parsed.ok()) {
          mapping = std::move(*parsed);
          mapped = true;
        }
      }
      if (from_def.ok() && mapped) {
        CBRN_ASSIGN_OR_RETURN(auto earlier, LoadAnswers(*txn, from_id));
        for (const auto& note : Carry(**from_def, *to_def, mapping, earlier).to_answer) {
          const Question* q = to_def->Find(note.question);
          if (answers.contains(note.question) || !q) continue;
          to_answer.push_back({{"question", note.question},
                               {"section", q->section},
                               {"reason", note.reason},
                               {"reason_key", note.reason_key},
                               {"reason_args", note.reason_args}});
        }
      }
    }
  }
  // What the caller may do, from access:: (the page shows exactly these).
  const access::RecordScope scope = store_.catalog().Find(kAssessments)->ScopeOf(a);
  Json levels = Json::array();
  for (access::Sharing s : access::SharingLevels(caller.who, scope)) levels.push_back(access::SharingName(s));
  Json may = {{"answer", access::Allows(caller.who, access::Action::kAnswer, scope)},
              {"submit", access::Allows(caller.who, access::Action::kSubmit, scope)},
              {"review", access::Allows(caller.who, access::Action::kReview, scope)},
              {"carry", access::Allows(caller.who, access::Action::kCreate, scope)},
              {"share", levels.size() > 1 || (levels.size() == 1 && levels[0] != a["sharing"])},
              {"sharing_levels", levels}};
  return Json{{"assessment", a},
              {"questionnaire", q},
              {"answers", answers},
              {"evidence", evidence},
              {"to_answer", to_answer},
              {"may_answer", may["answer"]},
              {"may", may}};
}

Result<Json> Service::SaveAnswerIn(storage::Transaction& txn, const Caller& caller, const Json& a,
                                   const Definition& def, const std::string& question,
                                   const Json& raw_value, const std::string& raw_comment,
                                   std::optional<std::int64_t> revision) {
  CBRN_RETURN_IF_ERROR(MayAnswer(caller, *store_.catalog().Find(kAssessments), a));
  const Question* q = def.Find(question);
  if (!q) return Status::NotFound("no question " + question + " in " + def.code + " " + def.version);
  if (!raw_value.is_null()) CBRN_RETURN_IF_ERROR(ValidateAnswer(*q, raw_value));
  if (raw_comment.size() > 4000) return Status::Invalid("comment", "longer than 4000 bytes");
  if (ControlCharacter(raw_comment) >= 0)
    return Status::Invalid("comment", question + ": the comment contains a control character");
  // Stored canonical, so that what the workbook or the page gives back unchanged compares equal.
  const Json value = raw_value.is_null() ? raw_value : CanonicalAnswer(*q, raw_value);
  const std::string comment = NormalizeNewlines(raw_comment);
  std::string id = a["id"];
  CBRN_ASSIGN_OR_RETURN(Rows old, txn.Query("SELECT question_id, value_json, comment, revision, updated_at, updated_by"
                                            " FROM answers WHERE assessment_id = ? AND question_id = ?",
                                            {id, question}));
  std::int64_t current = old.empty() ? 0 : old[0].Int(3);
  if (revision && *revision != current) {
    return Status::Conflict("answer " + question + " was changed meanwhile (revision " + std::to_string(current) +
                            ", you had " + std::to_string(*revision) + "): reload it").Says("conflict.answer_changed", {{"value", question}});
  }
  // The same answer again (a page saved whole, a browser's "\r\n" for "\n") writes nothing: no
  // revision, no audit entry, the cached scores stay.
  if (!old.empty() && !value.is_null() && Json::parse(old[0].Text(1)) == value &&
      old[0].Text(2) == comment) {
    return AnswerJson(old[0]);
  }
  std::string now = NowUtc(), who = caller.who.audit_id();
  std::optional<std::string> before = old.empty() ? std::nullopt : std::optional<std::string>(AnswerJson(old[0]).dump());
  if (value.is_null()) {
    if (old.empty()) return Json{{"question", question}, {"value", nullptr}, {"revision", 0}};
    CBRN_RETURN_IF_ERROR(txn.Exec("DELETE FROM answers WHERE assessment_id = ? AND question_id = ?", {id, question}).status());
    CBRN_RETURN_IF_ERROR(BumpRevision(txn, id));
    CBRN_RETURN_IF_ERROR(audit::Append(txn, caller.actor(), {"clear", "answers", id + "/" + question, a["owner"], before, std::nullopt}));
    return Json{{"question", question}, {"value", nullptr}, {"revision", 0}};
  }
  if (old.empty()) {
    CBRN_RETURN_IF_ERROR(txn.Exec("INSERT INTO answers (assessment_id, question_id, value_json, comment, revision,"
                                  " updated_at, updated_by) VALUES (?, ?, ?, ?, 1, ?, ?)",
                                  {id, question, value.dump(), comment, now, who})
                             .status());
  } else {
    CBRN_RETURN_IF_ERROR(txn.Exec("UPDATE answers SET value_json = ?, comment = ?, revision = revision + 1, updated_at = ?,"
                                  " updated_by = ? WHERE assessment_id = ? AND question_id = ?",
                                  {value.dump(), comment, now, who, id, question})
                             .status());
  }
  CBRN_RETURN_IF_ERROR(BumpRevision(txn, id));
  Json after = {{"question", question}, {"value", value}, {"comment", comment}, {"revision", current + 1},
                {"updated_at", now}, {"updated_by", who}};
  CBRN_RETURN_IF_ERROR(audit::Append(txn, caller.actor(), {"answer", "answers", id + "/" + question, a["owner"], before, after.dump()}));
  return after;
}

Result<Json> Service::SaveAnswer(const Caller& caller, const std::string& id, const std::string& question,
                                 const Json& value, const std::string& comment, std::optional<std::int64_t> revision) {
  const records::KindSpec* kind = store_.catalog().Find(kAssessments);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json a, store_.GetIn(*txn, caller, *kind, id));
  CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf(a["questionnaire_id"]));
  CBRN_ASSIGN_OR_RETURN(Json saved, SaveAnswerIn(*txn, caller, a, *def, question, value, comment, revision));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return saved;
}

Result<Json> Service::Transition(const Caller& caller, const std::string& id, const std::string& to,
                                 const std::string& comment) {
  const records::KindSpec* kind = store_.catalog().Find(kAssessments);
  if (comment.size() > 4000) return Status::Invalid("comment", "longer than 4000 bytes");
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json before, store_.GetIn(*txn, caller, *kind, id));
  std::string from = before["status"], country = before["country"];
  std::string sharing = before["sharing"];
  const access::RecordScope scope = kind->ScopeOf(before);
  if (to == "submitted") {
    if (from != "draft" && from != "returned") return Status::Invalid("to", "only a draft or a returned assessment is submitted").Says("invalid.submit_from");
    CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kSubmit, scope));
    // The secretariat validates what it can see: submitting shares with the region at least.
    if (sharing == "private") sharing = "region";
  } else if (to == "validated" || to == "returned") {
    if (from != "submitted") return Status::Invalid("to", "only a submitted assessment is validated or returned").Says("invalid.review_from");
    CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kReview, scope));
    if (to == "returned" && comment.find_first_not_of(" \t\r\n") == std::string::npos) {
      return Status::Invalid("comment", "say what needs changing").Says("invalid.return_comment", {{"field", "comment"}});
    }
  } else {
    return Status::Invalid("to", "must be submitted, validated or returned").Says("invalid.assessment_step");
  }
  std::string now = NowUtc();
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE assessments SET status = ?, sharing = ?, review_comment = ?, revision = revision + 1,"
                                 " updated_at = ?, updated_by = ? WHERE id = ?",
                                 {to, sharing, to == "submitted" ? before["review_comment"].get<std::string>() : comment,
                                  now, caller.who.audit_id(), before["id"].get<std::string>()})
                           .status());
  CBRN_ASSIGN_OR_RETURN(Json after, store_.GetIn(*txn, caller, *kind, before["id"]));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(), {"transition:" + to, kAssessments, after["id"], after["owner"],
                                                            before.dump(), after.dump()}));
  // Submitted: the region's secretariat, who reviews it; returned or validated: the focal point,
  // who manages it. Queued in this transaction, so no message without the change or vice versa.
  notify::Event event{to == "submitted"  ? notify::kAssessmentSubmitted
                      : to == "returned" ? notify::kAssessmentReturned
                                         : notify::kAssessmentValidated,
                      kAssessments, after["id"].get<std::string>(), kind->ScopeOf(after),
                      to == "submitted" ? access::Action::kReview : access::Action::kChange,
                      after["title"].get<std::string>(), "/assessments/" + after["id"].get<std::string>(),
                      caller.who.user_id};
  CBRN_RETURN_IF_ERROR(notify::Enqueue(*txn, event).status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return after;
}

namespace {

Json PrioritiesJson(const std::vector<Priority>& priorities) {
  Json out = Json::array();
  for (const auto& p : priorities) {
    out.push_back({{"rank", p.rank},
                   {"question", p.question},
                   {"text", p.text},
                   {"section", p.section},
                   {"domain", p.domain},
                   {"function", p.function},
                   {"score", p.score},
                   {"gap", p.gap},
                   {"weighted_gap", p.weighted_gap},
                   {"weight", p.weight},
                   {"reason", p.reason},
                   {"reason_key", p.reason_key},
                   {"reason_args", p.reason_args}});
  }
  return out;
}

Json ScoreMap(const std::map<std::string, double>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

}  // namespace

Result<Json> Service::Results(const Caller& caller, const std::string& id, const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(Json a, store_.Get(caller, kAssessments, id));
  CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf(a["questionnaire_id"]));
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(auto answers, LoadAnswers(*txn, a["id"]));
  Scores s = Score(*def, answers, lang);
  Json sections = Json::array();
  for (const auto& sec : def->sections) {
    sections.push_back({{"id", sec.id}, {"title", sec.title.Get(lang)}, {"domain", sec.domain}, {"function", sec.function},
                        {"score", s.by_section.count(sec.id) ? Json(s.by_section[sec.id]) : Json(nullptr)}});
  }
  Json questions = Json::array();
  for (const auto& q : s.questions) {
    const Question& dq = *def->Find(q.id);
    questions.push_back({{"id", q.id},
                         {"text", dq.text.Get(lang)},
                         {"section", dq.section},
                         {"visible", q.visible},
                         {"answered", q.answered},
                         {"scored", q.scored},
                         {"score", q.score},
                         {"level", q.level},
                         {"target", q.target},
                         {"gap", q.gap},
                         {"weight", q.weight},
                         {"reason", q.reason},
                         {"reason_key", q.reason_key},
                         {"reason_args", q.reason_args}});
  }
  Json out = {{"assessment", a},
              {"overall", s.overall},
              {"answered", s.answered},
              {"visible", s.visible},
              {"target", def->target},
              {"labels", LabelsJson(*def, lang)},
              {"sections", sections},
              {"by_domain", ScoreMap(s.by_domain)},
              {"by_function", ScoreMap(s.by_function)},
              {"by_area", ScoreMap(s.by_area)},
              {"questions", questions},
              {"priorities", PrioritiesJson(s.priorities)}};
  // Change since the previous assessment of the same country and questionnaire family.
  std::string previous_id = a["carried_from"];
  if (previous_id.empty()) {
    CBRN_ASSIGN_OR_RETURN(Rows prev, txn->Query("SELECT a.id FROM assessments a JOIN questionnaires q ON q.id = a.questionnaire_id"
                                                " WHERE a.country = ? AND q.code = ? AND a.created_at < ? AND a.deleted_at IS NULL"
                                                " ORDER BY a.created_at DESC LIMIT 1",
                                                {a["country"].get<std::string>(), def->code, a["created_at"].get<std::string>()}));
    if (!prev.empty()) previous_id = prev[0].Text(0);
  }
  if (!previous_id.empty()) {
    auto prev = store_.GetIn(*txn, caller, *store_.catalog().Find(kAssessments), previous_id);
    if (prev.ok()) {
      auto prev_def = DefinitionOf((*prev)["questionnaire_id"]);
      CBRN_ASSIGN_OR_RETURN(auto prev_answers, LoadAnswers(*txn, previous_id));
      if (prev_def.ok()) {
        Scores p = Score(**prev_def, prev_answers, lang);
        Json by_function = Json::object();
        for (const auto& [k, v] : s.by_function) {
          if (p.by_function.count(k)) by_function[k] = v - p.by_function[k];
        }
        Json by_domain = Json::object();
        for (const auto& [k, v] : s.by_domain) {
          if (p.by_domain.count(k)) by_domain[k] = v - p.by_domain[k];
        }
        out["previous"] = {{"id", previous_id}, {"title", (*prev)["title"]}, {"version", (*prev_def)->version},
                           {"overall", p.overall}, {"change", s.overall - p.overall},
                           {"by_function", by_function}, {"by_domain", by_domain}};
      }
    }
  }
  return out;
}

Result<Json> Service::CarryOver(const Caller& caller, const std::string& id, const std::string& to_questionnaire) {
  const records::KindSpec* kind = store_.catalog().Find(kAssessments);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json old, store_.GetIn(*txn, caller, *kind, id));
  CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kCreate, kind->ScopeOf(old)));
  CBRN_ASSIGN_OR_RETURN(auto from, DefinitionOf(old["questionnaire_id"]));
  CBRN_ASSIGN_OR_RETURN(auto to, DefinitionOf(to_questionnaire));
  CBRN_ASSIGN_OR_RETURN(Rows ids, txn->Query("SELECT id FROM questionnaires WHERE code = ? AND version = ?",
                                             {to->code, to->version}));
  std::string to_id = ids[0].Text(0);
  CBRN_ASSIGN_OR_RETURN(Rows maps, txn->Query("SELECT mapping FROM questionnaire_mappings WHERE from_id = ? AND to_id = ?",
                                              {old["questionnaire_id"].get<std::string>(), to_id}));
  Mapping mapping;
  if (!maps.empty()) {
    CBRN_ASSIGN_OR_RETURN(
        mapping, ParseMapping(maps[0].Text(0), "mapping", *from, *to, Strictness::kStored));
  } else if (from->code != to->code) {
    return Status::Invalid("questionnaire_id", "no mapping from " + from->code + " " + from->version + " to " + to->code +
                                                   " " + to->version + " is loaded");
  }
  CBRN_ASSIGN_OR_RETURN(auto answers, LoadAnswers(*txn, old["id"]));
  struct CarryOver carried = Carry(*from, *to, mapping, answers);
  Json fields = {{"country", old["country"]}, {"questionnaire_id", to_id},
                 {"title", (old["title"].get<std::string>() + " (" + to->version + ")").substr(0, 200)}};
  CBRN_ASSIGN_OR_RETURN(Json created, store_.CreateIn(*txn, caller, *kind, fields));
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE assessments SET carried_from = ? WHERE id = ?",
                                 {old["id"].get<std::string>(), created["id"].get<std::string>()})
                           .status());
  created["carried_from"] = old["id"];
  for (const auto& [q, v] : carried.answers) {
    // The assessment names where its answers came from (carried_from): no English note is
    // written into the answers' comments.
    CBRN_RETURN_IF_ERROR(SaveAnswerIn(*txn, caller, created, *to, q, v, "", std::nullopt).status());
  }
  Json to_answer = Json::array();
  for (const auto& note : carried.to_answer) {
    to_answer.push_back({{"question", note.question},
                         {"reason", note.reason},
                         {"reason_key", note.reason_key},
                         {"reason_args", note.reason_args}});
  }
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return Json{{"assessment", created}, {"carried", carried.answers.size()}, {"to_answer", to_answer}};
}

Result<Json> Service::RegionView(const Caller& caller, const std::string& region, const std::string& lang) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows countries, txn->Query("SELECT c.iso2, c.name FROM memberships m JOIN regions r ON r.id = m.region_id"
                                                   " JOIN countries c ON c.id = m.country_id WHERE r.code = ?"
                                                   " AND m.deleted_at IS NULL ORDER BY c.name",
                                                   {region}));
  if (countries.empty()) return Status::NotFound("no region " + region);
  // The latest shared, submitted or validated assessment of each country the caller may read.
  access::SqlFilter f = access::VisibilityFilter(caller.who);
  storage::Params params;
  for (const auto& p : f.params) params.push_back(p);
  std::string in;
  for (const auto& c : countries) {
    in += in.empty() ? "?" : ", ?";
    params.push_back(c.Text(0));
  }
  CBRN_ASSIGN_OR_RETURN(
      Rows rows,
      txn->Query("SELECT id, country, questionnaire_id, status, created_at, revision, updated_at"
                 " FROM assessments WHERE " +
                     f.sql +
                     " AND deleted_at IS NULL AND sharing <> 'private'"
                     " AND status IN ('submitted', 'validated') AND country IN (" +
                     in +
                     ")"
                     " ORDER BY country, created_at DESC",
                 params));
  Json heat = Json::array();
  // Each question's gaps across countries. The views point into `held` and `rows`, which
  // outlive them; a question's text is looked up only if it is shown.
  struct Gaps {
    std::vector<std::pair<std::string_view, double>> countries;
    const Definition* def = nullptr;  // the first version seen asking the question
  };
  std::unordered_map<std::string_view, Gaps> gaps;
  std::vector<std::pair<std::shared_ptr<const Definition>, std::shared_ptr<const Scores>>> held;
  std::set<std::string> functions, domains, seen;
  Json labels = Json::object();  // of every version shown (the first to label a key keeps it)
  for (const auto& r : rows) {
    std::string country = r.Text(1);
    if (!seen.insert(country).second) continue;  // older assessments of the same country
    CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf(r.Text(2)));
    std::shared_ptr<const Scores> scores;
    std::string key = r.Text(0) + "|" + lang, revision = std::to_string(r.Int(5)) + "|" + r.Text(6);
    {
      std::lock_guard lock(state_->mu);
      auto it = state_->scores.find(key);
      if (it != state_->scores.end() && it->second.revision == revision) scores = it->second.scores;
    }
    if (!scores) {
      // Read in this transaction: the answers are those of `revision`.
      CBRN_ASSIGN_OR_RETURN(auto answers, LoadAnswers(*txn, r.Text(0)));
      scores = std::make_shared<const Scores>(Score(*def, answers, lang));
      std::lock_guard lock(state_->mu);
      state_->scores[key] = {revision, scores};
    }
    Json row = {{"country", country},
                {"assessment_id", r.Text(0)},
                {"status", r.Text(3)},
                {"version", def->code + " " + def->version},
                {"questionnaire_title", def->title.Get(lang)},
                {"overall", scores->overall},
                {"by_function", ScoreMap(scores->by_function)},
                {"by_domain", ScoreMap(scores->by_domain)}};
    for (const auto& [k, v] : scores->by_function) functions.insert(k);
    for (const auto& [k, v] : scores->by_domain) domains.insert(k);
    heat.push_back(row);
    AddLabels(*def, lang, labels);
    held.emplace_back(def, scores);
    for (const auto& q : scores->questions) {
      if (!q.scored || q.gap <= 0) continue;
      Gaps& g = gaps[q.id];
      if (!g.def) g.def = def.get();
      g.countries.emplace_back(r.Text(1), q.gap);
    }
  }
  // Priorities several countries share: candidates for regional projects. Ranked as plain
  // values and turned into JSON only for those shown (a 1,000-question view has ~1,000).
  struct Shared {
    std::string_view question;
    const Gaps* gaps;
    double mean_gap;
  };
  std::vector<Shared> ranked;
  for (const auto& [q, g] : gaps) {
    if (g.countries.size() < 2) continue;
    double sum = 0;
    for (const auto& c : g.countries) sum += c.second;
    ranked.push_back({q, &g, sum / static_cast<double>(g.countries.size())});
  }
  constexpr size_t kShown = 50;
  auto shown = ranked.begin() + static_cast<std::ptrdiff_t>(std::min(kShown, ranked.size()));
  std::partial_sort(ranked.begin(), shown, ranked.end(), [](const Shared& a, const Shared& b) {
    if (a.gaps->countries.size() != b.gaps->countries.size())
      return a.gaps->countries.size() > b.gaps->countries.size();
    if (a.mean_gap != b.mean_gap) return a.mean_gap > b.mean_gap;
    return a.question < b.question;
  });
  Json shared = Json::array();
  for (auto it = ranked.begin(); it != shown; ++it) {
    Json cs = Json::array();
    for (const auto& c : it->gaps->countries) cs.push_back(c.first);
    std::string q(it->question);
    shared.push_back({{"question", q},
                      {"text", it->gaps->def->Find(q)->text.Get(lang)},
                      {"countries", cs},
                      {"country_count", it->gaps->countries.size()},
                      {"mean_gap", it->mean_gap}});
  }
  Json all_countries = Json::array();
  for (const auto& c : countries) all_countries.push_back({{"iso2", c.Text(0)}, {"name", c.Text(1)}});
  return Json{{"region", region},           {"countries", all_countries}, {"rows", heat},
              {"functions", functions},     {"domains", domains},         {"labels", labels},
              {"shared_priorities", shared}};
}

// --- Evidence ----------------------------------------------------------------------------

Result<Json> Service::AddEvidence(const Caller& caller, const std::string& id, const std::string& question,
                                  const std::string& filename, const std::string& content_type, const std::string& data) {
  std::string type;
  if (std::string problem = UploadProblem(filename, data, &type); !problem.empty()) {
    return Status::Invalid("file", problem);
  }
  (void)content_type;
  const records::KindSpec* kind = store_.catalog().Find(kAssessments);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json a, store_.GetIn(*txn, caller, *kind, id));
  CBRN_RETURN_IF_ERROR(MayAnswer(caller, *store_.catalog().Find(kAssessments), a));
  CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf(a["questionnaire_id"]));
  if (!def->Find(question)) return Status::Invalid("question", "no question " + question);
  std::string b64 = Base64Encode(data);
  std::string eid = NewUuid(), now = NowUtc(), sha = Sha256Hex(data);
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO evidence (id, assessment_id, question_id, filename, content_type, size, sha256,"
                                 " content_base64, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 {eid, a["id"].get<std::string>(), question, filename, type,
                                  static_cast<std::int64_t>(data.size()), sha, b64, now, caller.who.audit_id()})
                           .status());
  Json meta = {{"id", eid}, {"question", question}, {"filename", filename}, {"content_type", type},
               {"size", data.size()}, {"sha256", sha}, {"created_at", now}, {"created_by", caller.who.audit_id()}};
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(), {"attach", "evidence", eid, a["owner"], std::nullopt, meta.dump()}));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return meta;
}

Result<std::pair<Json, std::string>> Service::Evidence(const Caller& caller, const std::string& evidence_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT assessment_id, filename, content_type, size, sha256, content_base64"
                                              " FROM evidence WHERE id = ? AND deleted_at IS NULL",
                                              {evidence_id}));
  if (rows.empty()) return Status::NotFound("no evidence " + evidence_id);
  // Readable when its assessment is.
  CBRN_RETURN_IF_ERROR(store_.GetIn(*txn, caller, *store_.catalog().Find(kAssessments), rows[0].Text(0)).status());
  std::string bin;
  if (!Base64Decode(rows[0].Text(5), &bin)) return Status::Internal("stored evidence " + evidence_id + " is unreadable");
  if (Sha256Hex(bin) != rows[0].Text(4)) return Status::Internal("stored evidence " + evidence_id + " fails its checksum");
  return std::make_pair(Json{{"filename", rows[0].Text(1)}, {"content_type", rows[0].Text(2)}, {"size", rows[0].Int(3)},
                             {"sha256", rows[0].Text(4)}},
                        bin);
}

// --- Workbook ----------------------------------------------------------------------------

Result<std::string> Service::ExportWorkbook(const Caller& caller, const std::string& id, const std::string& lang,
                                            const Words& words) {
  CBRN_ASSIGN_OR_RETURN(Json view, Get(caller, id, lang));
  CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf(view["assessment"]["questionnaire_id"]));
  std::map<std::string, Json> answers;
  for (const auto& [q, a] : view["answers"].items()) answers[q] = a;
  return WriteWorkbook(*def, view["assessment"], answers, lang, words);
}

Result<Json> Service::PreviewWorkbook(const Caller& caller, const std::string& id, const std::string& xlsx,
                                      const Words& words) {
  const records::KindSpec* kind = store_.catalog().Find(kAssessments);
  CBRN_ASSIGN_OR_RETURN(Json a, store_.Get(caller, kAssessments, id));
  CBRN_RETURN_IF_ERROR(MayAnswer(caller, *store_.catalog().Find(kAssessments), a));
  CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf(a["questionnaire_id"]));
  CBRN_ASSIGN_OR_RETURN(WorkbookContent content, ReadWorkbook(*def, xlsx, words));
  if (content.assessment_id != a["id"]) {
    return Status::Invalid("workbook", "this workbook belongs to another assessment (" + content.assessment_id.substr(0, 40) + ")");
  }
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(auto current, LoadAnswers(*txn, a["id"]));
  CBRN_ASSIGN_OR_RETURN(Rows comments, txn->Query("SELECT question_id, comment FROM answers WHERE assessment_id = ?", {a["id"].get<std::string>()}));
  std::map<std::string, std::string> current_comments;
  for (const auto& r : comments) current_comments[r.Text(0)] = r.Text(1);
  Json changes = Json::array();
  for (const auto& cell : content.answers) {
    auto it = current.find(cell.question);
    Json before = it == current.end() ? Json(nullptr) : it->second;
    std::string before_comment = current_comments.count(cell.question) ? current_comments[cell.question] : "";
    // Answers stored before they were kept canonical compare by what they mean.
    const Question& q = *def->Find(cell.question);
    Json before_canonical = before.is_null() ? before : CanonicalAnswer(q, before);
    if (before_canonical == cell.value && NormalizeNewlines(before_comment) == cell.comment)
      continue;
    changes.push_back({{"question", cell.question}, {"row", cell.row}, {"before", before}, {"after", cell.value},
                       {"comment_before", before_comment}, {"comment", cell.comment}});
  }
  std::string import_id = NewUuid();
  CBRN_RETURN_IF_ERROR(txn->Exec("INSERT INTO workbook_imports (id, assessment_id, changes_json, base_revision, created_at,"
                                 " created_by) VALUES (?, ?, ?, ?, ?, ?)",
                                 {import_id, a["id"].get<std::string>(), changes.dump(), a["revision"].get<std::int64_t>(),
                                  NowUtc(), caller.who.audit_id()})
                           .status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  (void)kind;
  // Rows deleted from the workbook change nothing: say so, question by question.
  Json missing = Json::array();
  for (const auto& q : content.missing)
    missing.push_back({{"question", q}, {"answered", current.count(q) > 0}});
  return Json{{"import_id", import_id},
              {"changes", changes},
              {"unchanged", content.answers.size() - changes.size()},
              {"missing", missing}};
}

Result<Json> Service::ApplyWorkbook(const Caller& caller, const std::string& id, const std::string& import_id) {
  const records::KindSpec* kind = store_.catalog().Find(kAssessments);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json a, store_.GetIn(*txn, caller, *kind, id));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT changes_json, created_by, applied_at FROM workbook_imports"
                                              " WHERE id = ? AND assessment_id = ?",
                                              {import_id, a["id"].get<std::string>()}));
  if (rows.empty()) return Status::NotFound("no workbook import " + import_id);
  if (!rows[0].IsNull(2)) return Status::Conflict("this workbook import was applied already").Says("conflict.workbook_applied");
  if (rows[0].Text(1) != caller.who.audit_id()) return Status{StatusCode::kPermissionDenied, "apply your own preview"};
  CBRN_ASSIGN_OR_RETURN(auto def, DefinitionOf(a["questionnaire_id"]));
  Json changes = Json::parse(rows[0].Text(0));
  CBRN_ASSIGN_OR_RETURN(auto current, LoadAnswers(*txn, a["id"]));
  for (const auto& c : changes) {
    std::string q = c["question"];
    // Someone changed the answer after the preview: refuse the whole import.
    auto it = current.find(q);
    Json now = it == current.end() ? Json(nullptr) : it->second;
    if (now != c["before"]) {
      return Status::Conflict("answer " + q + " changed after the preview: upload the workbook again").Says("conflict.workbook_answer_changed", {{"value", q}});
    }
    CBRN_RETURN_IF_ERROR(SaveAnswerIn(*txn, caller, a, *def, q, c["after"], c["comment"], std::nullopt).status());
  }
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE workbook_imports SET applied_at = ? WHERE id = ?", {NowUtc(), import_id}).status());
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return Json{{"applied", changes.size()}};
}

}  // namespace cbrnhub::assessment
