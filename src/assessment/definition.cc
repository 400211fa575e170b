// Questionnaire definitions and version mappings: YAML read with yaml-cpp, every problem
// reported with its line and path (docs/assessment.md has the format).
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "assessment/assessment.h"
#include "yamldoc/reader.h"

namespace cbrnhub::assessment {
namespace {

using yamldoc::CheckTree;
using yamldoc::CheckUtf8;
using yamldoc::ErrorsStatus;
using yamldoc::LineOf;
using yamldoc::LoadRoot;
using yamldoc::Reader;
using yamldoc::Sub;
using yamldoc::ValidId;

const char* kDomains[] = {"chemical", "biological", "radiological", "nuclear", "cross-cutting"};
const char* kFunctions[] = {"legal_framework", "governance", "prevention", "detection",
                            "preparedness", "response", "recovery"};

bool OneOf(const std::string& v, const char* const* begin, const char* const* end) {
  return std::any_of(begin, end, [&](const char* c) { return v == c; });
}

QuestionType ParseType(const std::string& s, bool* ok) {
  *ok = true;
  if (s == "maturity") return QuestionType::kMaturity;
  if (s == "presence") return QuestionType::kPresence;
  if (s == "yes_partial_no") return QuestionType::kYesPartialNo;
  if (s == "number") return QuestionType::kNumber;
  if (s == "single_choice") return QuestionType::kSingleChoice;
  if (s == "multiple_choice") return QuestionType::kMultipleChoice;
  if (s == "text") return QuestionType::kText;
  *ok = false;
  return QuestionType::kText;
}

}  // namespace

const char* TypeName(QuestionType type) {
  switch (type) {
    case QuestionType::kMaturity: return "maturity";
    case QuestionType::kPresence: return "presence";
    case QuestionType::kYesPartialNo: return "yes_partial_no";
    case QuestionType::kNumber: return "number";
    case QuestionType::kSingleChoice: return "single_choice";
    case QuestionType::kMultipleChoice: return "multiple_choice";
    case QuestionType::kText: return "text";
  }
  return "text";
}

bool Question::scored() const {
  if (type == QuestionType::kText) return false;
  if (type == QuestionType::kNumber) return target.has_value();
  return true;
}

const Question* Definition::Find(const std::string& id) const {
  auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : &questions[it->second];
}

std::string MissingTranslations(const Definition& def, const std::string& source) {
  // Enough to start translating; the count says how much is left.
  constexpr size_t kListed = 20;
  if (def.untranslated.empty()) return "";
  std::string out = std::to_string(def.untranslated.size()) +
                    " text(s) lack a translation into a declared language (";
  for (size_t i = 1; i < def.languages.size(); ++i) out += (i > 1 ? ", " : "") + def.languages[i];
  out += "):";
  for (size_t i = 0; i < def.untranslated.size() && i < kListed; ++i)
    out += "\n" + def.untranslated[i].ToString(source);
  if (def.untranslated.size() > kListed)
    out += "\n... and " + std::to_string(def.untranslated.size() - kListed) + " more";
  return out;
}

namespace {
Result<Definition> ParseDefinitionUnguarded(std::string_view yaml, const std::string& source,
                                            std::vector<DefinitionError>* errors_out,
                                            Strictness strictness);
Result<Mapping> ParseMappingUnguarded(std::string_view yaml, const std::string& source,
                                      const Definition& from, const Definition& to,
                                      Strictness strictness);
}  // namespace

// yaml-cpp throws when a document has an unexpected shape (a subscript on a scalar, ...): each
// such case is one more error with its line, never a crash.
Result<Definition> ParseDefinition(std::string_view yaml, const std::string& source,
                                   std::vector<DefinitionError>* errors_out,
                                   Strictness strictness) {
  try {
    return ParseDefinitionUnguarded(yaml, source, errors_out, strictness);
  } catch (const YAML::Exception& e) {
    DefinitionError error{LineOf(e.mark), "", "unexpected structure: " + e.msg};
    if (errors_out) *errors_out = {error};
    return Status::Invalid(source, "1 error(s) in the definition:\n" + error.ToString(source));
  }
}

Result<Mapping> ParseMapping(std::string_view yaml, const std::string& source,
                             const Definition& from, const Definition& to, Strictness strictness) {
  try {
    return ParseMappingUnguarded(yaml, source, from, to, strictness);
  } catch (const YAML::Exception& e) {
    DefinitionError error{LineOf(e.mark), "", "unexpected structure: " + e.msg};
    return Status::Invalid(source, "1 error(s) in the mapping:\n" + error.ToString(source));
  }
}

namespace {

// Why condition `c` on `parent` can never hold ("" when it can): it compares with a value the
// parent's answers never take (see Visible in scoring.cc).
std::string NeverHolds(const Condition& c, const Question& parent) {
  std::vector<std::string> values;
  switch (parent.type) {
    case QuestionType::kPresence:
      values = {"in_place", "unclear", "not_in_place", "not_applicable"};
      break;
    case QuestionType::kYesPartialNo:
      values = {"yes", "partial", "no", "not_applicable"};
      break;
    case QuestionType::kSingleChoice:
      for (const auto& o : parent.options) values.push_back(o.value);
      break;
    default:
      break;
  }
  std::string type = TypeName(parent.type);
  if (c.op == "equals" || c.op == "in") {
    if (parent.type == QuestionType::kText) return "";
    if (values.empty()) {
      return parent.id + " is a " + type + " question: its answer is never equal to a value" +
             (parent.type == QuestionType::kMultipleChoice ? "" : " (use at_least)");
    }
    if (c.values.empty()) return "'in' lists no value";
    std::string list;
    for (const auto& v : values) list += (list.empty() ? "" : ", ") + v;
    for (const auto& v : c.values) {
      if (std::find(values.begin(), values.end(), v) == values.end()) {
        return "'" + v.substr(0, 40) + "' is not an answer of " + parent.id + " (" + list + ")";
      }
    }
    return "";
  }
  if (c.op == "at_least") {
    if (parent.type == QuestionType::kMaturity) {
      return c.number > 5 ? "a maturity level is at most 5" : "";
    }
    if (parent.type == QuestionType::kNumber) {
      if (parent.max && c.number > *parent.max)
        return parent.id + " is at most " + std::to_string(*parent.max);
      return "";
    }
    return "at_least compares a maturity level or a number, and " + parent.id + " is a " + type +
           " question";
  }
  return "";
}

Result<Definition> ParseDefinitionUnguarded(std::string_view yaml, const std::string& source,
                                            std::vector<DefinitionError>* errors_out,
                                            Strictness strictness) {
  std::vector<DefinitionError> errors;
  auto fail = [&]() -> Status {
    if (errors_out) *errors_out = errors;
    return ErrorsStatus(errors, source, "definition");
  };
  if (strictness == Strictness::kStrict) {
    CheckUtf8(yaml, errors);
    if (!errors.empty()) return fail();
  }
  std::optional<YAML::Node> loaded = LoadRoot(yaml, "code, version, title and sections", errors);
  if (!loaded) return fail();
  YAML::Node root = *loaded;
  Reader r(errors, strictness == Strictness::kStrict);
  if (r.strict()) CheckTree(root, "", 0, errors);
  r.Keys(root, "",
         {"code", "version", "title", "languages", "target", "level_sets", "labels", "sections"});
  Definition def;
  def.code = r.String(root, "code", "", true);
  if (!def.code.empty() && !ValidId(def.code)) r.Error(root["code"], "code", "use letters, digits, '-', '_' or '.'");
  def.version = r.String(root, "version", "", true);
  if (!def.version.empty() && !ValidId(def.version)) r.Error(root["version"], "version", "use letters, digits, '-', '_' or '.'");
  def.title = r.TextOf(root, "title", "", true, false);
  // The languages every text needs: as declared, else those the title has.
  std::set<std::string> declared;
  if (YAML::Node langs = root["languages"]; langs.IsDefined()) {
    if (!langs.IsSequence())
      r.Error(langs, "languages", "must list two-letter language codes, e.g. [en, ru]");
    for (size_t i = 0; langs.IsSequence() && i < langs.size(); ++i) {
      std::string lang = langs[i].IsScalar() ? langs[i].Scalar() : "";
      if (lang.size() != 2)
        r.Error(langs[i], "languages[" + std::to_string(i) + "]",
                "must be a two-letter language code");
      else
        declared.insert(lang);
    }
    if (langs.IsSequence() && !declared.count("en")) r.Error(langs, "languages", "must include en");
    for (const auto& [lang, text] : def.title.by_lang) {
      if (!declared.count(lang))
        r.Error(root["title"], "title." + lang, "'" + lang + "' is not a declared language");
    }
  } else {
    for (const auto& [lang, text] : def.title.by_lang) declared.insert(lang);
  }
  def.languages.push_back("en");
  for (const auto& lang : declared) {
    if (lang != "en") def.languages.push_back(lang);
  }
  r.DeclareLanguages(def.languages, &def.untranslated);
  if (auto t = r.Number(root, "target", "")) {
    if (*t <= 0 || *t > 1) r.Error(root["target"], "target", "must be in (0, 1]");
    else def.target = *t;
  }
  // Named sets of level descriptors that maturity questions may share.
  std::map<std::string, std::vector<Text>> level_sets;
  if (YAML::Node sets = root["level_sets"]; sets.IsDefined()) {
    if (!sets.IsMap()) r.Error(sets, "level_sets", "must map a name to five level descriptors");
    else {
      for (const auto& kv : sets) {
        std::string name = kv.first.as<std::string>("");
        std::string p = "level_sets." + name;
        if (!kv.second.IsSequence() || kv.second.size() != 5) {
          r.Error(kv.second, p, "must list exactly five level descriptors (levels 1 to 5)");
          continue;
        }
        std::vector<Text> levels;
        for (size_t i = 0; i < 5; ++i) {
          levels.push_back(r.TextAt(kv.second[i], p + "[" + std::to_string(i) + "]"));
        }
        level_sets[name] = levels;
      }
    }
  }
  // Labels of the keys; whether each labels a key the definition uses is checked after the
  // sections are read.
  struct LabelNode {
    std::string group, key;
    YAML::Node node;
  };
  std::vector<LabelNode> label_nodes;
  if (YAML::Node labels = root["labels"]; labels.IsDefined() && !labels.IsNull()) {
    if (!labels.IsMap()) {
      r.Error(labels, "labels",
              "must map domains, functions and areas to the labels of their keys");
    } else {
      r.Keys(labels, "labels", {"domains", "functions", "areas"});
      auto read = [&](const char* group, std::map<std::string, Text>& into) {
        YAML::Node g = labels[group];
        if (!g.IsDefined() || g.IsNull()) return;
        std::string gp = std::string("labels.") + group;
        if (!g.IsMap()) {
          r.Error(g, gp, "must map each key to its label, e.g. {en: ..., fr: ...}");
          return;
        }
        for (const auto& kv : g) {
          std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
          into[key] = r.TextAt(kv.second, gp + "." + key.substr(0, 40));
          label_nodes.push_back({group, key, kv.first});
        }
      };
      read("domains", def.labels.domains);
      read("functions", def.labels.functions);
      read("areas", def.labels.areas);
    }
  }
  YAML::Node sections = root["sections"];
  if (!sections.IsDefined() || !sections.IsSequence() || sections.size() == 0) {
    r.Error(sections.IsDefined() ? sections : root, "sections", "must list at least one section");
    return fail();
  }
  std::set<std::string> section_ids;
  for (size_t s = 0; s < sections.size(); ++s) {
    YAML::Node sn = sections[s];
    std::string sp = "sections[" + std::to_string(s) + "]";
    if (!sn.IsMap()) {
      r.Error(sn, sp, "must be a mapping");
      continue;
    }
    r.Keys(sn, sp, {"id", "title", "domain", "function", "weight", "questions"});
    Section sec;
    sec.id = r.String(sn, "id", sp, true);
    if (!sec.id.empty() && !ValidId(sec.id)) r.Error(sn["id"], sp + ".id", "use letters, digits, '-', '_' or '.'");
    if (!sec.id.empty() && !section_ids.insert(sec.id).second) r.Error(sn["id"], sp + ".id", "'" + sec.id + "' is used twice");
    sec.title = r.TextOf(sn, "title", sp, true);
    sec.domain = r.String(sn, "domain", sp, true);
    if (!sec.domain.empty() && !OneOf(sec.domain, std::begin(kDomains), std::end(kDomains))) {
      r.Error(sn["domain"], sp + ".domain", "must be chemical, biological, radiological, nuclear or cross-cutting");
    }
    sec.function = r.String(sn, "function", sp, true);
    if (!sec.function.empty() && !OneOf(sec.function, std::begin(kFunctions), std::end(kFunctions))) {
      r.Error(sn["function"], sp + ".function",
              "must be legal_framework, governance, prevention, detection, preparedness, response or recovery");
    }
    if (auto w = r.Number(sn, "weight", sp)) {
      if (*w <= 0 || *w > 100) r.Error(sn["weight"], sp + ".weight", "must be in (0, 100]");
      else sec.weight = *w;
    }
    YAML::Node qs = sn["questions"];
    if (!qs.IsDefined() || !qs.IsSequence() || qs.size() == 0) {
      r.Error(qs.IsDefined() ? qs : sn, sp + ".questions", "must list at least one question");
      def.sections.push_back(sec);
      continue;
    }
    for (size_t i = 0; i < qs.size(); ++i) {
      YAML::Node qn = qs[i];
      std::string qp = sp + ".questions[" + std::to_string(i) + "]";
      if (!qn.IsMap()) {
        r.Error(qn, qp, "must be a mapping");
        continue;
      }
      r.Keys(qn, qp,
             {"id", "type", "text", "guidance", "weight", "domain", "function", "area", "levels",
              "options", "unit", "min", "max", "target", "show_if"});
      Question q;
      q.line = qn.Mark().line + 1;
      q.id = r.String(qn, "id", qp, true);
      if (!q.id.empty() && !ValidId(q.id)) r.Error(qn["id"], qp + ".id", "use letters, digits, '-', '_' or '.'");
      if (!q.id.empty() && def.by_id.count(q.id)) r.Error(qn["id"], qp + ".id", "'" + q.id + "' is used twice");
      std::string type = r.String(qn, "type", qp, true);
      bool type_ok = true;
      q.type = ParseType(type, &type_ok);
      if (!type.empty() && !type_ok) {
        r.Error(qn["type"], qp + ".type",
                "'" + type + "' is not maturity, presence, yes_partial_no, number, single_choice, multiple_choice or text");
      }
      q.text = r.TextOf(qn, "text", qp, true);
      q.guidance = r.TextOf(qn, "guidance", qp, false);
      if (auto w = r.Number(qn, "weight", qp)) {
        if (*w <= 0 || *w > 100) r.Error(qn["weight"], qp + ".weight", "must be in (0, 100]");
        else q.weight = *w;
      }
      q.section = sec.id;
      q.domain = qn["domain"].IsDefined() ? r.String(qn, "domain", qp, false) : sec.domain;
      if (!OneOf(q.domain, std::begin(kDomains), std::end(kDomains)) && qn["domain"].IsDefined()) {
        r.Error(qn["domain"], qp + ".domain", "must be chemical, biological, radiological, nuclear or cross-cutting");
      }
      q.function = qn["function"].IsDefined() ? r.String(qn, "function", qp, false) : sec.function;
      if (!OneOf(q.function, std::begin(kFunctions), std::end(kFunctions)) && qn["function"].IsDefined()) {
        r.Error(qn["function"], qp + ".function", "is not one of the functions");
      }
      q.area = r.String(qn, "area", qp, false);
      if (type_ok && q.type == QuestionType::kMaturity) {
        YAML::Node lv = qn["levels"];
        if (lv.IsScalar()) {
          auto it = level_sets.find(lv.Scalar());
          if (it == level_sets.end()) r.Error(lv, qp + ".levels", "no level set named '" + lv.Scalar() + "'");
          else q.levels = it->second;
        } else if (lv.IsSequence() && lv.size() == 5) {
          for (size_t k = 0; k < 5; ++k) {
            q.levels.push_back(r.TextAt(lv[k], qp + ".levels[" + std::to_string(k) + "]"));
          }
        } else {
          r.Error(lv.IsDefined() ? lv : qn, qp + ".levels",
                  "a maturity question needs five level descriptors (or the name of a level set)");
        }
      }
      if (type_ok && (q.type == QuestionType::kSingleChoice || q.type == QuestionType::kMultipleChoice)) {
        YAML::Node opts = qn["options"];
        if (!opts.IsSequence() || opts.size() < 2) {
          r.Error(opts.IsDefined() ? opts : qn, qp + ".options", "a choice question needs at least two options");
        } else {
          std::set<std::string> values;
          for (size_t k = 0; k < opts.size(); ++k) {
            std::string op = qp + ".options[" + std::to_string(k) + "]";
            if (!opts[k].IsMap()) {
              r.Error(opts[k], op, "must be {value, label, score}");
              continue;
            }
            r.Keys(opts[k], op, {"value", "label", "score"});
            Option o;
            o.value = r.String(opts[k], "value", op, true);
            // The workbook lists several choices separated by ';' and trims what people type.
            if (!o.value.empty() && (o.value.find(';') != std::string::npos ||
                                     o.value.front() == ' ' || o.value.back() == ' ')) {
              r.Strict(opts[k]["value"], op + ".value",
                       "'" + o.value.substr(0, 40) +
                           "' may not contain ';' or start or end with a space");
            }
            if (!o.value.empty() && !values.insert(o.value).second) r.Error(opts[k]["value"], op + ".value", "'" + o.value + "' is used twice");
            o.label = r.TextOf(opts[k], "label", op, true);
            if (auto sc = r.Number(opts[k], "score", op)) {
              if (*sc < 0 || *sc > 1) r.Error(opts[k]["score"], op + ".score", "must be between 0 and 1");
              else o.score = *sc;
            }
            q.options.push_back(o);
          }
        }
      }
      if (type_ok && q.type == QuestionType::kNumber) {
        q.unit = r.TextOf(qn, "unit", qp, false);
        q.min = r.Number(qn, "min", qp);
        q.max = r.Number(qn, "max", qp);
        q.target = r.Number(qn, "target", qp);
        if (q.min && q.max && *q.min > *q.max) r.Error(qn["max"], qp + ".max", "is below min");
        if (q.target && q.min && *q.target <= *q.min) r.Error(qn["target"], qp + ".target", "must be above min");
        if (q.target && q.max && *q.target > *q.max) {
          r.Strict(qn["target"], qp + ".target", "is above max: no answer could reach it");
        }
      }
      if (YAML::Node cond = qn["show_if"]; cond.IsDefined()) {
        std::string cp = qp + ".show_if";
        r.Keys(cond, cp, {"question", "equals", "in", "at_least"});
        Condition c;
        c.question = r.String(cond, "question", cp, true);
        if (!c.question.empty() && !def.by_id.count(c.question)) {
          r.Error(cond["question"], cp + ".question", "'" + c.question + "' is not an earlier question");
        }
        if (cond["equals"].IsDefined()) {
          c.op = "equals";
          c.values.push_back(r.String(cond, "equals", cp, true));
        } else if (cond["in"].IsDefined() && cond["in"].IsSequence()) {
          c.op = "in";
          for (const auto& v : cond["in"]) c.values.push_back(v.as<std::string>(""));
        } else if (auto n = r.Number(cond, "at_least", cp)) {
          c.op = "at_least";
          c.number = *n;
        } else {
          r.Error(cond, cp, "needs equals, in (a list) or at_least");
        }
        if (const Question* parent = def.Find(c.question); parent && r.strict()) {
          if (std::string never = NeverHolds(c, *parent); !never.empty())
            r.Error(cond, cp, "can never hold: " + never);
        }
        q.show_if = c;
      }
      if (!q.id.empty()) def.by_id[q.id] = def.questions.size();
      sec.questions.push_back(def.questions.size());
      def.questions.push_back(std::move(q));
    }
    def.sections.push_back(std::move(sec));
  }
  // A label for a key nothing uses is most likely a misspelt key, which would stay unlabelled.
  std::set<std::string> areas;
  for (const auto& q : def.questions) areas.insert(q.area);
  for (const auto& l : label_nodes) {
    std::string p = "labels." + l.group + "." + l.key.substr(0, 40);
    if (l.group == "domains" && !OneOf(l.key, std::begin(kDomains), std::end(kDomains))) {
      r.Strict(
          l.node, p,
          "'" + l.key.substr(0, 40) +
              "' is not a domain (chemical, biological, radiological, nuclear or cross-cutting)");
    } else if (l.group == "functions" &&
               !OneOf(l.key, std::begin(kFunctions), std::end(kFunctions))) {
      r.Strict(l.node, p,
               "'" + l.key.substr(0, 40) +
                   "' is not a function (legal_framework, governance, prevention, detection, "
                   "preparedness, response or recovery)");
    } else if (l.group == "areas" && !areas.count(l.key)) {
      r.Strict(l.node, p, "no question has the area '" + l.key.substr(0, 40) + "'");
    }
  }
  if (!errors.empty()) return fail();
  return def;
}

Result<Mapping> ParseMappingUnguarded(std::string_view yaml, const std::string& source,
                                      const Definition& from, const Definition& to,
                                      Strictness strictness) {
  std::vector<DefinitionError> errors;
  auto fail = [&]() -> Status { return ErrorsStatus(errors, source, "mapping"); };
  if (strictness == Strictness::kStrict) {
    CheckUtf8(yaml, errors);
    if (!errors.empty()) return fail();
  }
  std::optional<YAML::Node> loaded = LoadRoot(yaml, "from, to and map", errors);
  if (!loaded) return fail();
  YAML::Node root = *loaded;
  Reader r(errors, strictness == Strictness::kStrict);
  if (r.strict()) CheckTree(root, "", 0, errors);
  r.Keys(root, "", {"from", "to", "map"});
  Mapping m;
  m.from_version = r.String(root, "from", "", true);
  m.to_version = r.String(root, "to", "", true);
  if (!m.from_version.empty() && m.from_version != from.version) {
    r.Error(root["from"], "from", "says " + m.from_version + " but the assessment answers " + from.version);
  }
  if (!m.to_version.empty() && m.to_version != to.version) {
    r.Error(root["to"], "to", "says " + m.to_version + " but the target version is " + to.version);
  }
  auto ids = [&](const YAML::Node& n, const std::string& p, const Definition& d) {
    std::vector<std::string> out;
    if (n.IsScalar()) out.push_back(n.Scalar());
    else if (n.IsSequence()) {
      for (const auto& v : n) out.push_back(v.as<std::string>(""));
    } else {
      r.Error(n, p, "must be a question id or a list of them");
    }
    for (const auto& id : out) {
      if (!d.Find(id)) r.Error(n, p, "no question '" + id + "' in version " + d.version);
    }
    return out;
  };
  YAML::Node rules = root["map"];
  if (rules.IsDefined() && !rules.IsSequence()) r.Error(rules, "map", "must be a list");
  for (size_t i = 0; rules.IsSequence() && i < rules.size(); ++i) {
    std::string p = "map[" + std::to_string(i) + "]";
    YAML::Node n = rules[i];
    if (!n.IsMap()) {
      r.Error(n, p, "must be {from, to} or {drop}");
      continue;
    }
    r.Keys(n, p,
           n["drop"].IsDefined() ? std::initializer_list<const char*>{"drop"}
                                 : std::initializer_list<const char*>{"from", "to", "combine"});
    if (n["drop"].IsDefined()) {
      for (const auto& id : ids(n["drop"], p + ".drop", from)) m.dropped.push_back(id);
      continue;
    }
    MappingRule rule;
    rule.from = ids(n["from"], p + ".from", from);
    rule.to = ids(n["to"], p + ".to", to);
    if (n["combine"].IsDefined()) {
      rule.combine = r.String(n, "combine", p, false);
      if (rule.combine != "max" && rule.combine != "min" && rule.combine != "first") {
        r.Error(n["combine"], p + ".combine", "must be max, min or first");
      }
    }
    m.rules.push_back(rule);
  }
  if (!errors.empty()) return fail();
  return m;
}

}  // namespace
}  // namespace cbrnhub::assessment
