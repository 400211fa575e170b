// Answers, scores, gaps, priorities and the carry-over of answers across a revision.
// The rules are in docs/assessment.md; tests/assessment_test.cc checks them by hand.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "assessment/answers.h"
#include "assessment/assessment.h"

namespace cbrnhub::assessment {
namespace {


bool IsString(const Json& v, const char* key) { return v.is_object() && v.contains(key) && v[key].is_string(); }

// "U+0007": how a control character is named to people.
std::string CodePoint(int c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", c);
  return buf;
}

double Round15(double x) { return std::strtod(Number15(x).c_str(), nullptr); }

// "" when `s` is text a workbook can carry, else why not.
std::string TextProblem(const std::string& s, const char* what) {
  int c = ControlCharacter(s);
  if (c < 0) return "";
  return std::string(what) + " contains a control character (" + CodePoint(c) + ")";
}

Status ControlCharacterProblem(Status st, const std::string& text) {
  return std::move(st).Says("invalid.answer_control_character", {{"character", CodePoint(ControlCharacter(text))}});
}

// `saving`: the rules for an answer being saved, besides its shape (cumulative maturity levels,
// no empty text, no control character). An answer stored before those rules still scores.
Status CheckAnswer(const Question& q, const Json& v, bool saving);

}  // namespace

Status ValidateAnswer(const Question& q, const Json& v) { return CheckAnswer(q, v, true); }

std::string Number15(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", x);
  return buf;
}

namespace {

Status CheckAnswer(const Question& q, const Json& v, bool saving) {
  auto bad = [&](const std::string& m) { return Status::Invalid(q.id, q.id + ": " + m); };
  if (!v.is_object()) return bad("an answer is a JSON object");
  switch (q.type) {
    case QuestionType::kMaturity: {
      if (!Member(v, "levels").is_array()) return bad("give the levels met, e.g. {\"levels\": [1, 2]}");
      int expected = 1;
      for (const auto& l : Member(v, "levels")) {
        if (!l.is_number_integer() || l.get<int>() < 1 || l.get<int>() > 5)
          return bad("levels are 1 to 5").Says("invalid.answer_levels");
        // Level L is met only with every level below it (docs/assessment.md): a gap would be
        // stored but never counted, and the workbook (one level per question) could not carry it.
        if (saving && l.get<int>() != expected) {
          return bad("the levels met must run from 1 without a gap (" + Member(v, "levels").dump() +
                     " is not; tick levels 1 to " +
                     std::to_string(expected - 1 > 0 ? expected - 1 : 0) +
                     (expected > 1 ? " for level " + std::to_string(expected - 1) + ")"
                                   : ", i.e. none, for level 0)"))
              .Says("invalid.answer_levels_gap");
        }
        ++expected;
      }
      return Status::Ok();
    }
    case QuestionType::kPresence: {
      static const char* kStatus[] = {"in_place", "unclear", "not_in_place", "not_applicable"};
      if (!IsString(v, "status") ||
          std::none_of(std::begin(kStatus), std::end(kStatus), [&](const char* s) { return Member(v, "status") == s; })) {
        return bad("status must be in_place, unclear, not_in_place or not_applicable").Says("invalid.answer_not_option");
      }
      if (v.contains("reference") && !Member(v, "reference").is_string()) return bad("reference must be text");
      if (v.value("reference", "").size() > 2000)
        return bad("reference is longer than 2000 bytes").Says("invalid.answer_too_long", {{"#max", "2000"}});
      if (auto p = TextProblem(v.value("reference", ""), "the reference"); saving && !p.empty())
        return ControlCharacterProblem(bad(p), v.value("reference", ""));
      return Status::Ok();
    }
    case QuestionType::kYesPartialNo: {
      // value() would throw on a number: the fuzzer found it (a 500 from the API).
      std::string s = IsString(v, "value") ? Member(v, "value").get<std::string>() : "";
      if (s != "yes" && s != "partial" && s != "no" && s != "not_applicable") {
        return bad("value must be yes, partial, no or not_applicable").Says("invalid.answer_not_option");
      }
      return Status::Ok();
    }
    case QuestionType::kNumber: {
      if (!Member(v, "value").is_number()) return bad("value must be a number");
      double x = Member(v, "value").get<double>();
      if (!std::isfinite(x)) return bad("value must be a finite number");
      if (q.min && x < *q.min)
        return bad("value is below the minimum " + Number15(*q.min)).Says("invalid.answer_below_minimum", {{"#min", Number15(*q.min)}});
      if (q.max && x > *q.max)
        return bad("value is above the maximum " + Number15(*q.max)).Says("invalid.answer_above_maximum", {{"#max", Number15(*q.max)}});
      return Status::Ok();
    }
    case QuestionType::kSingleChoice: {
      if (!IsString(v, "value")) return bad("value must be one of the options");
      for (const auto& o : q.options) {
        if (Member(v, "value") == o.value) return Status::Ok();
      }
      return bad("'" + Member(v, "value").get<std::string>() + "' is not an option").Says("invalid.answer_not_option");
    }
    case QuestionType::kMultipleChoice: {
      if (!Member(v, "values").is_array()) return bad("values must be a list of options");
      for (const auto& x : Member(v, "values")) {
        if (!x.is_string() || std::none_of(q.options.begin(), q.options.end(),
                                           [&](const Option& o) { return x == o.value; })) {
          return bad("values must be options of the question").Says("invalid.answer_not_option");
        }
      }
      return Status::Ok();
    }
    case QuestionType::kText: {
      if (!IsString(v, "value")) return bad("value must be text");
      const std::string& text = Member(v, "value").get_ref<const std::string&>();
      if (saving && text.empty()) return bad("the text is empty (send null to clear the answer)").Says("invalid.answer_empty_text");
      if (text.size() > 20000) return bad("the text is longer than 20000 bytes").Says("invalid.answer_too_long", {{"#max", "20000"}});
      if (auto p = TextProblem(text, "the text"); saving && !p.empty()) return ControlCharacterProblem(bad(p), text);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace

Json CanonicalAnswer(const Question& q, const Json& v) {
  switch (q.type) {
    case QuestionType::kMaturity:
      return {{"levels", Member(v, "levels")}};
    case QuestionType::kPresence: {
      Json out = {{"status", Member(v, "status")}};
      std::string reference = NormalizeNewlines(v.value("reference", ""));
      if (!reference.empty()) out["reference"] = reference;
      return out;
    }
    case QuestionType::kNumber: {
      const Json& x = Member(v, "value");
      return {{"value", x.is_number() ? Json(Round15(x.get<double>())) : x}};
    }
    case QuestionType::kMultipleChoice:
      return {{"values", Member(v, "values")}};
    case QuestionType::kText:
      return {{"value", Member(v, "value").is_string() ? Json(NormalizeNewlines(Member(v, "value")))
                                                       : Member(v, "value")}};
    case QuestionType::kYesPartialNo:
    case QuestionType::kSingleChoice:
      return {{"value", Member(v, "value")}};
  }
  return v;
}

bool Visible(const Definition& def, const Question& q, const std::map<std::string, Json>& answers) {
  if (!q.show_if) return true;
  const Condition& c = *q.show_if;
  const Question* parent = def.Find(c.question);
  if (!parent || !Visible(def, *parent, answers)) return false;
  auto it = answers.find(c.question);
  if (it == answers.end()) return false;
  const Json& v = it->second;
  std::string value;
  if (parent->type == QuestionType::kPresence) {
    if (Member(v, "status").is_string()) value = Member(v, "status").get<std::string>();
  } else if (v.contains("value") && Member(v, "value").is_string())
    value = Member(v, "value");
  if (c.op == "equals") return value == c.values[0];
  if (c.op == "in") return std::find(c.values.begin(), c.values.end(), value) != c.values.end();
  if (c.op == "at_least") {
    if (parent->type == QuestionType::kMaturity) return MaturityLevel(v) >= c.number;
    return Member(v, "value").is_number() && Member(v, "value").get<double>() >= c.number;
  }
  return true;
}

Scores Score(const Definition& def, const std::map<std::string, Json>& answers, const std::string& lang) {
  Scores out;
  struct Sum {
    double weighted = 0, weight = 0;
  };
  std::map<std::string, Sum> sections, domains, functions, areas;
  Sum overall;
  std::vector<std::pair<double, size_t>> ranked;
  for (const auto& sec : def.sections) {
    for (size_t qi : sec.questions) {
      const Question& q = def.questions[qi];
      QuestionScore s;
      s.id = q.id;
      s.visible = Visible(def, q, answers);
      s.weight = q.weight * sec.weight;
      s.target = def.target;
      auto it = answers.find(q.id);
      s.answered = it != answers.end();
      if (!s.visible) {
        out.questions.push_back(s);
        continue;
      }
      ++out.visible;
      if (s.answered) ++out.answered;
      if (!q.scored() || !s.answered) {
        if (q.scored()) {
          s.reason = "not answered yet";
          s.reason_key = "assessment.reason.not_answered";
        }
        out.questions.push_back(s);
        continue;
      }
      const Json& v = it->second;
      // Stored answers were checked when saved; one that no longer fits is not scored.
      if (!CheckAnswer(q, v, false).ok()) {
        s.reason = "the answer does not fit the question";
        s.reason_key = "assessment.reason.does_not_fit";
        out.questions.push_back(s);
        continue;
      }
      s.scored = true;
      switch (q.type) {
        case QuestionType::kMaturity:
          s.level = MaturityLevel(v);
          s.score = s.level / 5.0;
          s.reason = "level " + std::to_string(s.level) + " of 5";
          s.reason_key = "assessment.reason.level";
          s.reason_args = {{"level", s.level}};
          if (s.level > 0 && s.level < 5) {
            s.reason += ": not yet \"" + q.levels[s.level].Get(lang) + "\"";
            s.reason_key = "assessment.reason.level_not_yet";
            s.reason_args["next"] = q.levels[s.level].Get(lang);
          }
          break;
        case QuestionType::kPresence: {
          std::string st = v.value("status", "");
          if (st == "not_applicable") s.scored = false;
          // In place counts fully only with the legal or executive reference that shows it.
          s.score = st == "in_place" ? (v.value("reference", "").empty() ? 0.5 : 1.0) : 0.0;
          bool unreferenced = st == "in_place" && v.value("reference", "").empty();
          s.reason = unreferenced ? "in place, but no reference given" : st;
          s.reason_key =
              unreferenced ? "assessment.reason.no_reference" : "assessment.reason.presence";
          if (!unreferenced) s.reason_args = {{"status", st}};
          break;
        }
        case QuestionType::kYesPartialNo: {
          std::string x = v.value("value", "");
          if (x == "not_applicable") s.scored = false;
          s.score = x == "yes" ? 1.0 : x == "partial" ? 0.5 : 0.0;
          s.reason = x;
          s.reason_key = "assessment.reason.answer";
          s.reason_args = {{"value", x}};
          break;
        }
        case QuestionType::kNumber: {
          double x = Member(v, "value").get<double>(), lo = q.min.value_or(0);
          s.score = std::clamp((x - lo) / (*q.target - lo), 0.0, 1.0);
          char buf[96];
          std::snprintf(buf, sizeof buf, "%g %s of a target of %g", x, q.unit.Get(lang).c_str(),
                        *q.target);
          s.reason = buf;
          s.reason_key = "assessment.reason.number";
          s.reason_args = {{"value", x}, {"unit", q.unit.Get(lang)}, {"target", *q.target}};
          break;
        }
        case QuestionType::kSingleChoice:
          for (const auto& o : q.options) {
            if (Member(v, "value") == o.value) {
              s.score = o.score;
              s.reason = o.label.Get(lang);
              s.reason_key = "assessment.reason.option";
              s.reason_args = {{"option", o.label.Get(lang)}};
            }
          }
          break;
        case QuestionType::kMultipleChoice: {
          double sum = 0;
          for (const auto& o : q.options) {
            for (const auto& x : Member(v, "values")) {
              if (x == o.value) sum += o.score;
            }
          }
          s.score = std::min(1.0, sum);
          s.reason = std::to_string(Member(v, "values").size()) + " selected";
          s.reason_key = "assessment.reason.selected";
          s.reason_args = {{"count", Member(v, "values").size()}};
          break;
        }
        case QuestionType::kText:
          s.scored = false;
          break;
      }
      if (s.scored) {
        s.gap = std::max(0.0, s.target - s.score);
        for (Sum* sum : {&sections[sec.id], &domains[q.domain], &functions[q.function], &overall}) {
          sum->weighted += s.score * s.weight;
          sum->weight += s.weight;
        }
        if (!q.area.empty()) {
          areas[q.area].weighted += s.score * s.weight;
          areas[q.area].weight += s.weight;
        }
        if (s.gap > 0) ranked.emplace_back(s.gap * s.weight, out.questions.size());
      }
      out.questions.push_back(s);
    }
  }
  auto fill = [](const std::map<std::string, Sum>& in, std::map<std::string, double>& to) {
    for (const auto& [k, s] : in) to[k] = s.weight > 0 ? s.weighted / s.weight : 0;
  };
  fill(sections, out.by_section);
  fill(domains, out.by_domain);
  fill(functions, out.by_function);
  fill(areas, out.by_area);
  out.overall = overall.weight > 0 ? overall.weighted / overall.weight : 0;
  // Priorities: the largest weighted gaps first; ties by question order.
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  int rank = 0;
  for (const auto& [weighted, idx] : ranked) {
    const QuestionScore& s = out.questions[idx];
    const Question& q = *def.Find(s.id);
    char because[160];
    std::snprintf(because, sizeof because, "score %.0f %% against a target of %.0f %% (gap %.0f points) x weight %g",
                  s.score * 100, s.target * 100, s.gap * 100, s.weight);
    out.priorities.push_back({++rank, s.id, q.text.Get(lang), q.section, q.domain, q.function,
                              s.score, s.gap, weighted, s.weight,
                              std::string(because) + "; " + s.reason, s.reason_key, s.reason_args});
  }
  return out;
}

CarryOver Carry(const Definition& from, const Definition& to, const Mapping& mapping,
                const std::map<std::string, Json>& stored) {
  // A maturity answer stored before levels had to run from 1 without a gap carries as the level
  // it scored ([1, 2, 4] as [1, 2]), instead of being refused by the new version.
  std::map<std::string, Json> answers = stored;
  for (auto& [id, v] : answers) {
    const Question* q = from.Find(id);
    if (!q || q->type != QuestionType::kMaturity || !Member(v, "levels").is_array()) continue;
    Json levels = Json::array();
    for (int l = 1, top = MaturityLevel(v); l <= top; ++l) levels.push_back(l);
    v = {{"levels", levels}};
  }
  CarryOver out;
  std::set<std::string> mapped;
  for (const auto& rule : mapping.rules) {
    for (const auto& t : rule.to) mapped.insert(t);
    for (const auto& t : rule.to) {
      const Question* tq = to.Find(t);
      // The earlier answers that can feed this question: answered, and of the same type.
      std::vector<const Json*> given;
      bool answered_other_type = false;
      for (const auto& f : rule.from) {
        auto it = answers.find(f);
        if (it == answers.end()) continue;
        const Question* fq = from.Find(f);
        if (fq && fq->type == tq->type && ValidateAnswer(*tq, it->second).ok()) given.push_back(&it->second);
        else answered_other_type = true;
      }
      if (given.empty()) {
        if (answered_other_type) {
          out.to_answer.push_back({t, "the question changed (type or choices): answer it again",
                                   "assessment.carry.changed"});
        } else {
          out.to_answer.push_back({t,
                                   "not answered in " + from.version,
                                   "assessment.carry.not_answered",
                                   {{"version", from.version}}});
        }
        continue;
      }
      // Several feed one question (a merge): keep the highest, the lowest or the first.
      const Json* chosen = given[0];
      if (tq->type == QuestionType::kMaturity && rule.combine != "first") {
        for (const Json* g : given) {
          int a = MaturityLevel(*g), b = MaturityLevel(*chosen);
          if ((rule.combine == "max" && a > b) || (rule.combine == "min" && a < b)) chosen = g;
        }
      }
      out.answers[t] = *chosen;
    }
  }
  for (const auto& q : to.questions) {
    if (mapped.count(q.id)) continue;
    // Same id in both versions and not mentioned by the mapping: carried as is when it fits.
    const Question* fq = from.Find(q.id);
    auto it = answers.find(q.id);
    if (fq && it != answers.end() && fq->type == q.type && ValidateAnswer(q, it->second).ok() &&
        std::find(mapping.dropped.begin(), mapping.dropped.end(), q.id) == mapping.dropped.end()) {
      out.answers[q.id] = it->second;
    } else {
      if (fq) {
        out.to_answer.push_back({q.id, "not carried over", "assessment.carry.not_carried"});
      } else {
        out.to_answer.push_back(
            {q.id, "new in " + to.version, "assessment.carry.new", {{"version", to.version}}});
      }
    }
  }
  return out;
}

}  // namespace cbrnhub::assessment
