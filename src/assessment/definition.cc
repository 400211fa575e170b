// Questionnaire definitions and version mappings: YAML read with yaml-cpp, every problem
// reported with its line and path (docs/assessment.md has the format).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "assessment/assessment.h"

namespace cbrnhub::assessment {
namespace {

const char* kDomains[] = {"chemical", "biological", "radiological", "nuclear", "cross-cutting"};
const char* kFunctions[] = {"legal_framework", "governance", "prevention", "detection",
                            "preparedness", "response", "recovery"};

bool OneOf(const std::string& v, const char* const* begin, const char* const* end) {
  return std::any_of(begin, end, [&](const char* c) { return v == c; });
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 40) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string Sub(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

class Reader {
 public:
  explicit Reader(std::vector<DefinitionError>& errors) : errors_(errors) {}

  void Error(const YAML::Node& node, const std::string& path, const std::string& message) {
    int line = node.IsDefined() && node.Mark().line >= 0 ? node.Mark().line + 1 : last_line_;
    errors_.push_back({line, path, message});
  }

  // A scalar string; "" (with an error when required) otherwise.
  std::string String(const YAML::Node& parent, const char* key, const std::string& path, bool required) {
    YAML::Node n = parent[key];
    if (n.IsDefined()) last_line_ = n.Mark().line + 1;
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Error(parent, Sub(path, key), "is required");
      return "";
    }
    if (!n.IsScalar()) {
      Error(n, Sub(path, key), "must be a single value");
      return "";
    }
    return n.Scalar();
  }

  std::optional<double> Number(const YAML::Node& parent, const char* key, const std::string& path) {
    YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) return std::nullopt;
    if (!n.IsScalar()) {
      Error(n, Sub(path, key), "must be a number");
      return std::nullopt;
    }
    try {
      size_t used = 0;
      double v = std::stod(n.Scalar(), &used);
      if (used != n.Scalar().size()) throw std::invalid_argument("trailing");
      return v;
    } catch (const std::exception&) {
      Error(n, Sub(path, key), "'" + n.Scalar().substr(0, 40) + "' is not a number");
      return std::nullopt;
    }
  }

  // {en: ..., ru: ...} or a plain string (English).
  Text TextOf(const YAML::Node& parent, const char* key, const std::string& path, bool required) {
    Text t;
    YAML::Node n = parent[key];
    std::string p = Sub(path, key);
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Error(parent, p, "is required");
      return t;
    }
    if (n.IsScalar()) {
      t.by_lang["en"] = n.Scalar();
    } else if (n.IsMap()) {
      for (const auto& kv : n) {
        std::string lang = kv.first.as<std::string>("");
        if (lang.size() != 2 || !kv.second.IsScalar()) {
          Error(kv.first, p + "." + lang, "expected a two-letter language code with a text");
          continue;
        }
        t.by_lang[lang] = kv.second.Scalar();
      }
      if (!t.by_lang.count("en")) Error(n, p, "needs an English text (en)");
    } else {
      Error(n, p, "must be a text or {en: ..., ru: ...}");
    }
    for (const auto& [lang, text] : t.by_lang) {
      if (text.size() > 4000) Error(n, p + "." + lang, "is longer than 4000 bytes");
    }
    return t;
  }

 private:
  std::vector<DefinitionError>& errors_;
  int last_line_ = 1;
};

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

const std::string& Text::Get(const std::string& lang) const {
  auto it = by_lang.find(lang);
  if (it != by_lang.end() && !it->second.empty()) return it->second;
  static const std::string kEmpty;
  it = by_lang.find("en");
  return it == by_lang.end() ? kEmpty : it->second;
}

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

std::string DefinitionError::ToString(const std::string& source) const {
  return source + ":" + std::to_string(line) + (path.empty() ? "" : " " + path) + ": " + message;
}

namespace {
Result<Definition> ParseDefinitionUnguarded(std::string_view yaml, const std::string& source,
                                            std::vector<DefinitionError>* errors_out);
Result<Mapping> ParseMappingUnguarded(std::string_view yaml, const std::string& source, const Definition& from,
                                      const Definition& to);
}  // namespace

// yaml-cpp throws when a document has an unexpected shape (a subscript on a scalar, ...): each
// such case is one more error with its line, never a crash.
Result<Definition> ParseDefinition(std::string_view yaml, const std::string& source,
                                   std::vector<DefinitionError>* errors_out) {
  try {
    return ParseDefinitionUnguarded(yaml, source, errors_out);
  } catch (const YAML::Exception& e) {
    DefinitionError error{e.mark.line + 1, "", "unexpected structure: " + e.msg};
    if (errors_out) *errors_out = {error};
    return Status::Invalid(source, "1 error(s) in the definition:\n" + error.ToString(source));
  }
}

Result<Mapping> ParseMapping(std::string_view yaml, const std::string& source, const Definition& from,
                             const Definition& to) {
  try {
    return ParseMappingUnguarded(yaml, source, from, to);
  } catch (const YAML::Exception& e) {
    DefinitionError error{e.mark.line + 1, "", "unexpected structure: " + e.msg};
    return Status::Invalid(source, "1 error(s) in the mapping:\n" + error.ToString(source));
  }
}

namespace {

// Every error of a document as one InvalidArgument: "N error(s) in the WHAT:" and a line each.
Status ErrorsStatus(const std::vector<DefinitionError>& errors, const std::string& source, const char* what) {
  std::string message;
  for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e.ToString(source);
  return Status::Invalid(source, std::to_string(errors.size()) + " error(s) in the " + what + ":\n" + message);
}

// The document's root mapping, or an error (not YAML, too large, not a mapping) in `errors`.
std::optional<YAML::Node> LoadRoot(std::string_view yaml, const char* expected,
                                   std::vector<DefinitionError>& errors) {
  if (yaml.size() > (4u << 20)) {
    errors.push_back({1, "", "the file is larger than 4 MiB"});
    return std::nullopt;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    errors.push_back({e.mark.line + 1, "", "not valid YAML: " + e.msg});
    return std::nullopt;
  }
  if (!root.IsMap()) {
    errors.push_back({1, "", std::string("the document must be a mapping with ") + expected});
    return std::nullopt;
  }
  return root;
}

Result<Definition> ParseDefinitionUnguarded(std::string_view yaml, const std::string& source,
                                            std::vector<DefinitionError>* errors_out) {
  std::vector<DefinitionError> errors;
  auto fail = [&]() -> Status {
    if (errors_out) *errors_out = errors;
    return ErrorsStatus(errors, source, "definition");
  };
  std::optional<YAML::Node> loaded = LoadRoot(yaml, "code, version, title and sections", errors);
  if (!loaded) return fail();
  YAML::Node root = *loaded;
  Reader r(errors);
  Definition def;
  def.code = r.String(root, "code", "", true);
  if (!def.code.empty() && !ValidId(def.code)) r.Error(root["code"], "code", "use letters, digits, '-', '_' or '.'");
  def.version = r.String(root, "version", "", true);
  if (!def.version.empty() && !ValidId(def.version)) r.Error(root["version"], "version", "use letters, digits, '-', '_' or '.'");
  def.title = r.TextOf(root, "title", "", true);
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
          YAML::Node holder;
          holder["t"] = kv.second[i];
          levels.push_back(r.TextOf(holder, "t", p + "[" + std::to_string(i) + "]", true));
        }
        level_sets[name] = levels;
      }
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
            YAML::Node holder;
            holder["t"] = lv[k];
            q.levels.push_back(r.TextOf(holder, "t", qp + ".levels[" + std::to_string(k) + "]", true));
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
            Option o;
            o.value = r.String(opts[k], "value", op, true);
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
        q.unit = r.String(qn, "unit", qp, false);
        q.min = r.Number(qn, "min", qp);
        q.max = r.Number(qn, "max", qp);
        q.target = r.Number(qn, "target", qp);
        if (q.min && q.max && *q.min > *q.max) r.Error(qn["max"], qp + ".max", "is below min");
        if (q.target && q.min && *q.target <= *q.min) r.Error(qn["target"], qp + ".target", "must be above min");
      }
      if (YAML::Node cond = qn["show_if"]; cond.IsDefined()) {
        std::string cp = qp + ".show_if";
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
        q.show_if = c;
      }
      if (!q.id.empty()) def.by_id[q.id] = def.questions.size();
      sec.questions.push_back(def.questions.size());
      def.questions.push_back(std::move(q));
    }
    def.sections.push_back(std::move(sec));
  }
  if (!errors.empty()) return fail();
  return def;
}

Result<Mapping> ParseMappingUnguarded(std::string_view yaml, const std::string& source, const Definition& from,
                                      const Definition& to) {
  std::vector<DefinitionError> errors;
  auto fail = [&]() -> Status { return ErrorsStatus(errors, source, "mapping"); };
  std::optional<YAML::Node> loaded = LoadRoot(yaml, "from, to and map", errors);
  if (!loaded) return fail();
  YAML::Node root = *loaded;
  Reader r(errors);
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
