// Risk method definitions (YAML, docs/risk.md) and the rating rules: how a scenario's ratings
// are checked against its method and combine into one impact and a band of the matrix.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "risk/risk.h"
#include "yamldoc/reader.h"

namespace cbrnhub::risk {
namespace {

using yamldoc::Reader;
using yamldoc::Sub;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

bool OneOf(const std::string& v, const std::vector<std::string>& values) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// A whole number in [lo, hi] at `key`, or nullopt (with an error when present but wrong).
std::optional<int> Whole(Reader& r, const YAML::Node& parent, const char* key, const std::string& path, int lo, int hi) {
  auto v = r.Number(parent, key, path);
  if (!v) return std::nullopt;
  if (*v != std::floor(*v) || *v < lo || *v > hi) {
    r.Error(parent[key], Sub(path, key), "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

void ReadLikelihood(Reader& r, const YAML::Node& root, Method& m) {
  YAML::Node list = root["likelihood"];
  if (!list.IsDefined() || !list.IsSequence() || list.size() < 2 || list.size() > 10) {
    r.Error(list.IsDefined() ? list : root, "likelihood", "must list 2 to 10 likelihood levels, lowest first");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node& n = list[i];
    std::string p = Index("likelihood", i);
    LikelihoodLevel l;
    l.level = static_cast<int>(i) + 1;
    if (!n.IsMap()) {
      r.Error(n, p, "must be a mapping with level, label, probability and descriptor");
      m.likelihood.push_back(l);
      continue;
    }
    r.Keys(n, p, {"level", "label", "probability", "descriptor"});
    auto level = Whole(r, n, "level", p, 1, 10);
    if (!n["level"].IsDefined()) {
      r.Error(n, Sub(p, "level"), "is required");
    } else if (level && *level != l.level) {
      r.Error(n["level"], Sub(p, "level"),
              "is " + std::to_string(*level) + "; levels are numbered 1, 2, ... lowest first, so this one is " +
                  std::to_string(l.level));
    }
    l.label = r.TextOf(n, "label", p, true);
    l.descriptor = r.TextOf(n, "descriptor", p, false);
    YAML::Node prob = n["probability"];
    std::string pp = Sub(p, "probability");
    if (!prob.IsDefined() || !prob.IsSequence() || prob.size() != 2) {
      r.Error(prob.IsDefined() ? prob : n, pp, "must be [from, to]: the chance within period_years, from 0 to 1");
    } else {
      auto from = r.NumberAt(prob[0], pp + "[0]"), to = r.NumberAt(prob[1], pp + "[1]");
      if (from && to) {
        if (*from < 0 || *to > 1) {
          r.Error(prob, pp, "a probability is from 0 to 1");
        } else if (*from >= *to) {
          r.Error(prob, pp, "from (" + Num(*from) + ") must be below to (" + Num(*to) + ")");
        } else if (!m.likelihood.empty() && m.likelihood.back().to > 0) {
          double prev = m.likelihood.back().to;
          if (*from < prev) {
            r.Error(prob, pp, "overlaps level " + std::to_string(l.level - 1) + " (which reaches " + Num(prev) +
                                  "): probability bands must not overlap");
          } else if (*from > prev) {
            r.Error(prob, pp, "leaves the probabilities from " + Num(prev) + " to " + Num(*from) +
                                  " without a level: each band starts where the one below ends");
          }
        }
        l.from = *from;
        l.to = *to;
      }
    }
    m.likelihood.push_back(l);
  }
}

void ReadImpact(Reader& r, const YAML::Node& root, Method& m) {
  YAML::Node impact = root["impact"];
  if (!impact.IsDefined() || !impact.IsMap()) {
    r.Error(impact.IsDefined() ? impact : root, "impact", "must be a mapping with combine, levels and criteria");
    return;
  }
  r.Keys(impact, "impact", {"combine", "levels", "criteria"});
  m.combine = r.String(impact, "combine", "impact", true);
  if (!m.combine.empty() && m.combine != "max" && m.combine != "weighted_mean") {
    r.Error(impact["combine"], "impact.combine", "must be max or weighted_mean");
  }
  YAML::Node levels = impact["levels"];
  if (!levels.IsDefined() || !levels.IsSequence() || levels.size() < 2 || levels.size() > 10) {
    r.Error(levels.IsDefined() ? levels : impact, "impact.levels", "must list the labels of 2 to 10 impact levels, lowest first");
  } else {
    for (size_t i = 0; i < levels.size(); ++i) m.impact_levels.push_back(r.TextAt(levels[i], Index("impact.levels", i)));
  }
  size_t n_levels = m.impact_levels.size();
  YAML::Node criteria = impact["criteria"];
  if (!criteria.IsDefined() || !criteria.IsSequence() || criteria.size() == 0) {
    r.Error(criteria.IsDefined() ? criteria : impact, "impact.criteria", "must list at least one impact criterion");
    return;
  }
  std::map<std::string, int> seen;
  for (size_t i = 0; i < criteria.size(); ++i) {
    const YAML::Node& n = criteria[i];
    std::string p = Index("impact.criteria", i);
    if (!n.IsMap()) {
      r.Error(n, p, "must be a mapping with id, group, label and thresholds or descriptors");
      continue;
    }
    r.Keys(n, p, {"id", "group", "label", "unit", "weight", "thresholds", "descriptors"});
    Criterion c;
    c.id = r.String(n, "id", p, true);
    if (!c.id.empty() && !yamldoc::ValidId(c.id)) r.Error(n["id"], Sub(p, "id"), "use letters, digits, '-', '_' or '.'");
    if (c.id == "likelihood") r.Error(n["id"], Sub(p, "id"), "'likelihood' names the likelihood rating; choose another id");
    if (!c.id.empty()) {
      auto [it, fresh] = seen.emplace(c.id, yamldoc::LineOf(n.Mark()));
      if (!fresh) r.Error(n["id"], Sub(p, "id"), "'" + c.id + "' is defined twice (first on line " + std::to_string(it->second) + ")");
    }
    c.group = r.String(n, "group", p, true);
    c.label = r.TextOf(n, "label", p, true);
    c.unit = r.TextOf(n, "unit", p, false);
    if (auto w = r.Number(n, "weight", p)) {
      if (*w <= 0 || *w > 100) r.Error(n["weight"], Sub(p, "weight"), "must be above 0 and at most 100");
      c.weight = *w;
    }
    YAML::Node th = n["thresholds"], ds = n["descriptors"];
    if (!th.IsDefined() && !ds.IsDefined()) {
      r.Error(n, p, "needs thresholds (a quantity's lower bound of levels 2.." + std::to_string(n_levels) +
                        ") or descriptors (one per level)");
    }
    if (th.IsDefined()) {
      std::string tp = Sub(p, "thresholds");
      if (!th.IsSequence() || (n_levels > 0 && th.size() != n_levels - 1)) {
        r.Error(th, tp, "must list " + std::to_string(n_levels > 0 ? n_levels - 1 : 0) +
                            " numbers: the lowest value of levels 2.." + std::to_string(n_levels));
      } else {
        for (size_t k = 0; k < th.size(); ++k) {
          auto v = r.NumberAt(th[k], Index(tp, k));
          if (!v) continue;
          if (*v < 0) r.Error(th[k], Index(tp, k), "must not be negative");
          if (!c.thresholds.empty() && *v <= c.thresholds.back()) {
            r.Error(th[k], Index(tp, k),
                    Num(*v) + " does not increase on " + Num(c.thresholds.back()) + ": thresholds must increase strictly");
          }
          c.thresholds.push_back(*v);
        }
      }
    }
    if (ds.IsDefined()) {
      std::string dp = Sub(p, "descriptors");
      if (!ds.IsSequence() || (n_levels > 0 && ds.size() != n_levels)) {
        r.Error(ds, dp, "must give one descriptor per impact level (" + std::to_string(n_levels) + ")");
      } else {
        for (size_t k = 0; k < ds.size(); ++k) c.descriptors.push_back(r.TextAt(ds[k], Index(dp, k)));
      }
    }
    m.criteria.push_back(std::move(c));
  }
}

void ReadBandsAndMatrix(Reader& r, const YAML::Node& root, Method& m) {
  YAML::Node conf = root["confidence"];
  if (!conf.IsDefined() || !conf.IsSequence() || conf.size() == 0) {
    r.Error(conf.IsDefined() ? conf : root, "confidence", "must list the confidence levels, lowest first");
  } else {
    for (size_t i = 0; i < conf.size(); ++i) {
      std::string p = Index("confidence", i);
      r.Keys(conf[i], p, {"id", "label", "descriptor"});
      if (!conf[i].IsMap()) {
        r.Error(conf[i], p, "must be a mapping with id and label");
        continue;
      }
      std::string id = r.String(conf[i], "id", p, true);
      if (!id.empty() && m.HasConfidence(id)) r.Error(conf[i]["id"], Sub(p, "id"), "'" + id + "' is defined twice");
      Text label = r.TextOf(conf[i], "label", p, true);
      r.TextOf(conf[i], "descriptor", p, false);
      if (!id.empty()) m.confidence.emplace_back(id, label);
    }
  }
  YAML::Node bands = root["bands"];
  if (!bands.IsDefined() || !bands.IsSequence() || bands.size() < 2) {
    r.Error(bands.IsDefined() ? bands : root, "bands", "must list at least two risk bands, lowest first");
    return;
  }
  for (size_t i = 0; i < bands.size(); ++i) {
    std::string p = Index("bands", i);
    if (!bands[i].IsMap()) {
      r.Error(bands[i], p, "must be a mapping with id, label and weight");
      continue;
    }
    r.Keys(bands[i], p, {"id", "label", "weight", "treat"});
    Band b;
    b.id = r.String(bands[i], "id", p, true);
    if (!b.id.empty() && m.FindBand(b.id)) r.Error(bands[i]["id"], Sub(p, "id"), "'" + b.id + "' is defined twice");
    b.label = r.TextOf(bands[i], "label", p, true);
    if (auto w = r.Number(bands[i], "weight", p)) {
      if (*w < 0 || *w > 10) r.Error(bands[i]["weight"], Sub(p, "weight"), "must be from 0 to 10");
      b.weight = *w;
    }
    std::string treat = r.String(bands[i], "treat", p, false);
    if (!treat.empty() && treat != "true" && treat != "false") r.Error(bands[i]["treat"], Sub(p, "treat"), "must be true or false");
    b.treat = treat == "true";
    b.rank = static_cast<int>(m.bands.size());
    if (!b.id.empty()) m.bands.push_back(std::move(b));
  }
  YAML::Node matrix = root["matrix"];
  size_t rows = m.likelihood.size(), cols = m.impact_levels.size();
  if (!matrix.IsDefined() || !matrix.IsMap()) {
    r.Error(matrix.IsDefined() ? matrix : root, "matrix",
            "must give one row per likelihood level (1.." + std::to_string(rows) + "), each a list of " +
                std::to_string(cols) + " band ids");
    return;
  }
  m.matrix.assign(rows, std::vector<int>(cols, -1));
  for (const auto& kv : matrix) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    std::string p = Sub("matrix", key);
    int level = 0;
    if (key.size() <= 2 && key.find_first_not_of("0123456789") == std::string::npos) level = std::stoi(key);
    if (level < 1 || level > static_cast<int>(rows)) {
      r.Error(kv.first, p, "'" + key.substr(0, 20) + "' is not a likelihood level (1.." + std::to_string(rows) + ")");
      continue;
    }
    if (!kv.second.IsSequence() || kv.second.size() != cols) {
      r.Error(kv.second, p, "must list " + std::to_string(cols) + " band ids, one per impact level");
      continue;
    }
    for (size_t i = 0; i < cols; ++i) {
      std::string id = kv.second[i].IsScalar() ? kv.second[i].Scalar() : "";
      const Band* b = m.FindBand(id);
      if (!b) {
        r.Error(kv.second[i], Index(p, i), "'" + id.substr(0, 40) + "' is not a band defined under bands");
        continue;
      }
      m.matrix[level - 1][i] = b->rank;
    }
  }
  for (size_t l = 0; l < rows; ++l) {
    for (size_t i = 0; i < cols; ++i) {
      if (m.matrix[l][i] >= 0) continue;
      r.Error(matrix, "matrix", "leaves the cell likelihood " + std::to_string(l + 1) + " x impact " + std::to_string(i + 1) +
                                    " without a band: every cell needs one");
      return;
    }
  }
  // A riskier cell never falls into a lower band (the matrix is read as "more is worse").
  for (size_t l = 0; l < rows; ++l) {
    for (size_t i = 0; i < cols; ++i) {
      bool up = l + 1 < rows && m.matrix[l + 1][i] < m.matrix[l][i];
      bool right = i + 1 < cols && m.matrix[l][i + 1] < m.matrix[l][i];
      if (up || right) {
        r.Error(matrix, "matrix",
                "the band falls from likelihood " + std::to_string(l + 1) + " x impact " + std::to_string(i + 1) + " to " +
                    (up ? "likelihood " + std::to_string(l + 2) + " x impact " + std::to_string(i + 1)
                        : "likelihood " + std::to_string(l + 1) + " x impact " + std::to_string(i + 2)) +
                    ": risk must not decrease as likelihood or impact rises");
        return;
      }
    }
  }
}

void ReadScenarioTypes(Reader& r, const YAML::Node& root, Method& m) {
  YAML::Node types = root["scenario_types"];
  if (!types.IsDefined()) return;
  if (!types.IsSequence()) {
    r.Error(types, "scenario_types", "must list scenario types (id, hazard, label)");
    return;
  }
  for (size_t i = 0; i < types.size(); ++i) {
    std::string p = Index("scenario_types", i);
    if (!types[i].IsMap()) {
      r.Error(types[i], p, "must be a mapping with id, hazard and label");
      continue;
    }
    r.Keys(types[i], p, {"id", "hazard", "label"});
    ScenarioType t;
    t.id = r.String(types[i], "id", p, true);
    if (!t.id.empty() && !yamldoc::ValidId(t.id)) r.Error(types[i]["id"], Sub(p, "id"), "use letters, digits, '-', '_' or '.'");
    if (!t.id.empty() && m.FindType(t.id)) r.Error(types[i]["id"], Sub(p, "id"), "'" + t.id + "' is defined twice");
    t.hazard = r.String(types[i], "hazard", p, true);
    if (!t.hazard.empty() && !OneOf(t.hazard, Hazards())) {
      r.Error(types[i]["hazard"], Sub(p, "hazard"), "must be chemical, biological, radiological or nuclear");
    }
    t.label = r.TextOf(types[i], "label", p, true);
    m.scenario_types.push_back(std::move(t));
  }
}

Result<Method> ParseUnguarded(std::string_view yaml, const std::string& source) {
  std::vector<yamldoc::Error> errors;
  yamldoc::CheckUtf8(yaml, errors);
  if (!errors.empty()) return yamldoc::ErrorsStatus(errors, source, "risk method");
  auto loaded = yamldoc::LoadRoot(yaml, "code, version, title, likelihood, impact, confidence, bands and matrix", errors);
  if (!loaded) return yamldoc::ErrorsStatus(errors, source, "risk method");
  YAML::Node root = *loaded;
  Reader r(errors, true);
  yamldoc::CheckTree(root, "", 0, errors);
  r.Keys(root, "", {"code", "version", "title", "languages", "period_years", "likelihood", "impact", "confidence", "bands",
                    "matrix", "scenario_types"});
  Method m;
  m.code = r.String(root, "code", "", true);
  if (!m.code.empty() && !yamldoc::ValidId(m.code)) r.Error(root["code"], "code", "use letters, digits, '-', '_' or '.'");
  m.version = r.String(root, "version", "", true);
  if (!m.version.empty() && !yamldoc::ValidId(m.version)) r.Error(root["version"], "version", "use letters, digits, '-', '_' or '.'");
  m.title = r.TextOf(root, "title", "", true, false);
  std::set<std::string> declared;
  if (YAML::Node langs = root["languages"]; langs.IsDefined()) {
    for (size_t i = 0; langs.IsSequence() && i < langs.size(); ++i) {
      std::string lang = langs[i].IsScalar() ? langs[i].Scalar() : "";
      if (lang.size() != 2) r.Error(langs[i], Index("languages", i), "must be a two-letter language code");
      else declared.insert(lang);
    }
    if (!langs.IsSequence()) r.Error(langs, "languages", "must list two-letter language codes, e.g. [en, ru]");
  }
  for (const auto& [lang, text] : m.title.by_lang) declared.insert(lang);
  m.languages.push_back("en");
  for (const auto& lang : declared) {
    if (lang != "en") m.languages.push_back(lang);
  }
  r.DeclareLanguages(m.languages, &m.untranslated);
  if (auto years = Whole(r, root, "period_years", "", 1, 100)) m.period_years = *years;
  ReadLikelihood(r, root, m);
  ReadImpact(r, root, m);
  ReadBandsAndMatrix(r, root, m);
  ReadScenarioTypes(r, root, m);
  if (!errors.empty()) return yamldoc::ErrorsStatus(errors, source, "risk method");
  return m;
}

Status Invalid(const std::string& field, const std::string& message) { return Status::Invalid(field, field + ": " + message); }

}  // namespace

const std::vector<std::string>& Hazards() {
  static const std::vector<std::string> kHazards = {"chemical", "biological", "radiological", "nuclear"};
  return kHazards;
}

const std::vector<std::string>& Origins() {
  static const std::vector<std::string> kOrigins = {"accidental", "natural", "intentional"};
  return kOrigins;
}

int Criterion::LevelOf(double value) const {
  int level = 1;
  for (double t : thresholds) level += value >= t;
  return level;
}

const Criterion* Method::FindCriterion(const std::string& id) const {
  for (const auto& c : criteria) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const Band* Method::FindBand(const std::string& id) const {
  for (const auto& b : bands) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

bool Method::HasConfidence(const std::string& id) const {
  return std::any_of(confidence.begin(), confidence.end(), [&](const auto& c) { return c.first == id; });
}

const ScenarioType* Method::FindType(const std::string& id) const {
  for (const auto& t : scenario_types) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

int Method::LikelihoodOf(double probability) const {
  if (probability < 0 || probability > 1) return 0;
  for (const auto& l : likelihood) {
    if (probability >= l.from && (probability < l.to || (l.level == static_cast<int>(likelihood.size()) && probability <= l.to)))
      return l.level;
  }
  return 0;
}

const Band& Method::BandAt(int likelihood_level, int impact) const {
  return bands[matrix[likelihood_level - 1][impact - 1]];
}

// yaml-cpp throws on some shapes (a subscript on a scalar, ...): one more error with its line.
Result<Method> ParseMethod(std::string_view yaml, const std::string& source) {
  try {
    return ParseUnguarded(yaml, source);
  } catch (const YAML::Exception& e) {
    yamldoc::Error error{yamldoc::LineOf(e.mark), "", "unexpected structure: " + e.msg};
    return Status::Invalid(source, "1 error(s) in the risk method:\n" + error.ToString(source));
  }
}

namespace {

// Checks one rating object ({level, value, confidence, justification}) at `field`; returns its
// stored form. `scale` is the number of levels; `level_of` turns a value into a level (null: the
// rating takes no value).
Result<Json> CheckOne(const Method& m, const Json& in, const std::string& field, int scale,
                      const std::function<int(double)>& level_of, const char* value_name) {
  if (!in.is_object()) return Invalid(field, "must be an object with level, confidence and justification");
  Json out = Json::object();
  for (const auto& [key, v] : in.items()) {
    if (key != "level" && key != "confidence" && key != "justification" && key != value_name) {
      return Invalid(field + "." + key, std::string("is not part of a rating (level, ") + (level_of ? std::string(value_name) + ", " : "") +
                                            "confidence, justification)");
    }
  }
  int level = 0;
  if (in.contains("level") && !in["level"].is_null()) {
    const Json& l = in["level"];
    if (!l.is_number_integer() || l.get<std::int64_t>() < 1 || l.get<std::int64_t>() > scale) {
      return Invalid(field + ".level", "must be a whole number from 1 to " + std::to_string(scale) + " (the method's scale)");
    }
    level = l.get<int>();
  }
  if (in.contains(value_name) && !in[value_name].is_null()) {
    const Json& v = in[value_name];
    if (!level_of) return Invalid(field + "." + value_name, "this criterion has no quantity: give a level");
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0) {
      return Invalid(field + "." + value_name, "must be a number of at least 0");
    }
    int derived = level_of(v.get<double>());
    if (derived == 0) return Invalid(field + "." + value_name, "is outside every level of the method's scale");
    if (level != 0 && level != derived) {
      return Invalid(field + ".level", "is " + std::to_string(level) + " but the " + value_name + " " + Num(v.get<double>()) +
                                           " is level " + std::to_string(derived) + " by the method's thresholds");
    }
    level = derived;
    out[value_name] = v;
  }
  if (level == 0) return Invalid(field, "give a level (1 to " + std::to_string(scale) + ")" + (level_of ? std::string(" or a ") + value_name : ""));
  out["level"] = level;
  if (in.contains("confidence") && !in["confidence"].is_null()) {
    if (!in["confidence"].is_string() || !m.HasConfidence(in["confidence"])) {
      std::string ids;
      for (const auto& c : m.confidence) ids += (ids.empty() ? "" : ", ") + c.first;
      return Invalid(field + ".confidence", "must be one of the method's confidence levels: " + ids);
    }
    out["confidence"] = in["confidence"];
  }
  if (in.contains("justification") && !in["justification"].is_null()) {
    if (!in["justification"].is_string()) return Invalid(field + ".justification", "must be text");
    if (in["justification"].get<std::string>().size() > 4000) return Invalid(field + ".justification", "is longer than 4000 bytes");
    if (!in["justification"].get<std::string>().empty()) out["justification"] = in["justification"];
  }
  return out;
}

}  // namespace

Result<Json> CheckRatings(const Method& m, const Json& likelihood, const Json& impacts) {
  Json out = {{"likelihood", nullptr}, {"impacts", Json::object()}};
  if (!likelihood.is_null()) {
    CBRN_ASSIGN_OR_RETURN(out["likelihood"],
                          CheckOne(m, likelihood, "likelihood", static_cast<int>(m.likelihood.size()),
                                   [&](double p) { return m.LikelihoodOf(p); }, "probability"));
  }
  if (impacts.is_null()) return out;
  if (!impacts.is_object()) return Invalid("impacts", "must be an object: criterion id -> rating");
  for (const auto& [id, rating] : impacts.items()) {
    const Criterion* c = m.FindCriterion(id);
    if (!c) {
      std::string ids;
      for (const auto& k : m.criteria) ids += (ids.empty() ? "" : ", ") + k.id;
      return Invalid("impacts." + id.substr(0, 40), "the method " + m.code + " " + m.version + " has no such criterion (it has " + ids + ")");
    }
    if (rating.is_null()) continue;  // not rated
    std::function<int(double)> level_of;
    if (!c->thresholds.empty()) level_of = [c](double v) { return c->LevelOf(v); };
    CBRN_ASSIGN_OR_RETURN(out["impacts"][id],
                          CheckOne(m, rating, "impacts." + id, static_cast<int>(m.impact_levels.size()), level_of, "value"));
  }
  return out;
}

Rating Rate(const Method& m, const Json& likelihood, const Json& impacts, const std::string& criterion) {
  Rating r;
  auto level = [](const Json& j) {
    return j.is_object() && j.contains("level") && j["level"].is_number_integer() ? j["level"].get<int>() : 0;
  };
  r.likelihood = level(likelihood);
  if (r.likelihood > static_cast<int>(m.likelihood.size())) r.likelihood = 0;
  int scale = static_cast<int>(m.impact_levels.size());
  double weighted = 0, weights = 0;
  std::string rated;
  for (const auto& c : m.criteria) {
    int l = impacts.is_object() && impacts.contains(c.id) ? level(impacts[c.id]) : 0;
    if (l < 1 || l > scale) continue;
    r.impact[c.id] = l;
    if (!criterion.empty() && c.id != criterion) continue;
    if (m.combine == "weighted_mean") {
      weighted += c.weight * l;
      weights += c.weight;
    } else if (l > r.combined_impact) {
      r.combined_impact = l;
      rated = c.id;
    }
  }
  if (m.combine == "weighted_mean" && weights > 0) {
    // Rounded half up: a mean of 2.5 is level 3 (a worst case leans to the worse level).
    r.combined_impact = std::clamp(static_cast<int>(std::floor(weighted / weights + 0.5)), 1, scale);
    r.reason = "weighted mean of the rated criteria " + Num(weighted / weights) + " -> level " + std::to_string(r.combined_impact);
    r.reason_key = "risk.reason.weighted_mean";
    r.reason_args = {{"mean", weighted / weights}, {"level", r.combined_impact}};
  } else if (r.combined_impact > 0) {
    r.reason = "highest rated criterion: " + rated + " at level " + std::to_string(r.combined_impact);
    r.reason_key = "risk.reason.highest";
    r.reason_args = {{"criterion", rated}, {"level", r.combined_impact}};
  }
  if (r.likelihood > 0 && r.combined_impact > 0) r.band = m.matrix[r.likelihood - 1][r.combined_impact - 1];
  return r;
}

}  // namespace cbrnhub::risk
