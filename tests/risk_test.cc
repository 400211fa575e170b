// Risk methods and ratings without a server: the sample method, every kind of bad method with
// its line, the rules that combine criteria into one impact and a band (against hand-computed
// cases), and the checks of a scenario's ratings.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "assets/assets.h"
#include "risk/risk.h"

namespace cbrnhub::risk {
namespace {

using nlohmann::json;

std::string Sample() { return std::string(*assets::Find("data/risk/eu-rmg-2010.yaml")); }

// A small valid method (3 x 3), lines numbered for the error tests below.
const char* kSmall = R"(code: t
version: '1'
title: {en: Test, ru: Тест}
likelihood:
- {level: 1, label: {en: Low, ru: Н}, probability: [0, 0.1]}
- {level: 2, label: {en: Mid, ru: С}, probability: [0.1, 0.5]}
- {level: 3, label: {en: High, ru: В}, probability: [0.5, 1]}
impact:
  combine: max
  levels: [{en: Small, ru: М}, {en: Medium, ru: С}, {en: Large, ru: Б}]
  criteria:
  - {id: deaths, group: human, label: {en: Deaths, ru: Погибшие}, thresholds: [10, 100]}
  - {id: cost, group: economic, label: {en: Cost, ru: Ущерб}, thresholds: [1, 10], weight: 3}
  - {id: mood, group: social, label: {en: Mood, ru: Настроение}, descriptors: [{en: a, ru: а}, {en: b, ru: б}, {en: c, ru: в}]}
confidence:
- {id: low, label: {en: Low, ru: Низкая}}
- {id: high, label: {en: High, ru: Высокая}}
bands:
- {id: low, label: {en: Low, ru: Низкий}, weight: 0}
- {id: high, label: {en: High, ru: Высокий}, weight: 1, treat: true}
matrix:
  3: [low, high, high]
  2: [low, low, high]
  1: [low, low, low]
)";

// kSmall with line `line` (1-based) replaced.
std::string WithLine(int line, const std::string& text) {
  std::string s = kSmall, out;
  int n = 1;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    std::string l = s.substr(start, end - start);
    out += (n == line ? text : l) + "\n";
    ++n;
    start = end + 1;
  }
  return out;
}

std::string ErrorsOf(const std::string& yaml) {
  auto m = ParseMethod(yaml, "m.yaml");
  return m.ok() ? "" : m.status().message();
}

TEST(RiskMethod, TheSampleMethodParsesCompleteInTheFourWorkingLanguages) {
  auto m = ParseMethod(Sample(), "eu-rmg-2010.yaml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->code, "eu-rmg");
  EXPECT_EQ(m->likelihood.size(), 5u);
  EXPECT_EQ(m->impact_levels.size(), 5u);
  EXPECT_EQ(m->criteria.size(), 7u);
  EXPECT_EQ(m->bands.size(), 4u);
  EXPECT_TRUE(m->untranslated.empty()) << m->untranslated.front().ToString("eu-rmg-2010.yaml");
  EXPECT_EQ(m->languages, (std::vector<std::string>{"en", "ar", "fr", "ru"}));
  // Fatalities: thresholds 1, 10, 50, 200 are the lowest values of levels 2..5.
  const Criterion* f = m->FindCriterion("fatalities");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->LevelOf(0), 1);
  EXPECT_EQ(f->LevelOf(1), 2);
  EXPECT_EQ(f->LevelOf(9.9), 2);
  EXPECT_EQ(f->LevelOf(10), 3);
  EXPECT_EQ(f->LevelOf(199), 4);
  EXPECT_EQ(f->LevelOf(200), 5);
  // A probability within 5 years gives its level; the top band includes 1.
  EXPECT_EQ(m->LikelihoodOf(0), 1);
  EXPECT_EQ(m->LikelihoodOf(0.005), 2);
  EXPECT_EQ(m->LikelihoodOf(0.3), 4);
  EXPECT_EQ(m->LikelihoodOf(1), 5);
  EXPECT_EQ(m->LikelihoodOf(1.5), 0);
  EXPECT_EQ(m->BandAt(3, 4).id, "high");
  EXPECT_EQ(m->BandAt(5, 5).id, "very_high");
  EXPECT_EQ(m->BandAt(1, 1).id, "low");
}

TEST(RiskMethod, EveryMistakeIsReportedWithItsLineAndPath) {
  ASSERT_EQ(ErrorsOf(kSmall), "");
  struct Case {
    int line;
    std::string text, expected;
  };
  const Case cases[] = {
      {6, "- {level: 2, label: {en: Mid, ru: С}, probability: [0.05, 0.5]}", "m.yaml:6 likelihood[1].probability: overlaps level 1"},
      {6, "- {level: 2, label: {en: Mid, ru: С}, probability: [0.2, 0.5]}", "m.yaml:6 likelihood[1].probability: leaves the probabilities from 0.1 to 0.2"},
      {6, "- {level: 2, label: {en: Mid, ru: С}, probability: [0.5, 0.1]}", "from (0.5) must be below to (0.1)"},
      {6, "- {level: 3, label: {en: Mid, ru: С}, probability: [0.1, 0.5]}", "m.yaml:6 likelihood[1].level: is 3; levels are numbered"},
      {12, "  - {id: deaths, group: human, label: {en: Deaths, ru: Погибшие}, thresholds: [100, 10]}",
       "m.yaml:12 impact.criteria[0].thresholds[1]: 10 does not increase on 100"},
      {12, "  - {id: deaths, group: human, label: {en: Deaths, ru: Погибшие}, thresholds: [10]}",
       "m.yaml:12 impact.criteria[0].thresholds: must list 2 numbers"},
      {13, "  - {id: deaths, group: economic, label: {en: Cost, ru: Ущерб}, thresholds: [1, 10]}",
       "m.yaml:13 impact.criteria[1].id: 'deaths' is defined twice (first on line 12)"},
      {12, "  - {id: deaths, group: human, label: {en: Deaths, ru: Погибшие}}", "needs thresholds"},
      {9, "  combine: average", "m.yaml:9 impact.combine: must be max or weighted_mean"},
      {22, "  3: [low, high]", "m.yaml:22 matrix.3: must list 3 band ids"},
      {22, "  3: [low, high, extreme]", "m.yaml:22 matrix.3[2]: 'extreme' is not a band defined under bands"},
      {24, "  4: [low, low, low]", "m.yaml:24 matrix.4: '4' is not a likelihood level"},
      {23, "  2: [high, low, high]", "risk must not decrease as likelihood or impact rises"},
      {10, "  levls: [{en: Small}]", "m.yaml:10 impact.levls: unknown key 'levls' (did you mean levels?)"},
      {19, "- {id: low, label: {en: Low, ru: Низкий}, weight: .nan}", "m.yaml:19 bands[0].weight: '.nan' is not a finite number"},
  };
  for (const auto& c : cases) {
    std::string errors = ErrorsOf(WithLine(c.line, c.text));
    EXPECT_NE(errors.find(c.expected), std::string::npos) << "line " << c.line << ": " << c.text << "\n" << errors;
  }
  // A matrix row left out leaves its cells without a band.
  std::string no_row = WithLine(24, "");
  EXPECT_NE(ErrorsOf(no_row).find("leaves the cell likelihood 1 x impact 1 without a band"), std::string::npos) << ErrorsOf(no_row);
  // Not UTF-8, and not YAML at all.
  EXPECT_NE(ErrorsOf(WithLine(3, "title: {en: \xff\xfe}")).find("m.yaml:3: the text is not valid UTF-8"), std::string::npos);
  EXPECT_NE(ErrorsOf("code: [unclosed").find("not valid YAML"), std::string::npos);
  EXPECT_NE(ErrorsOf("- a list").find("the document must be a mapping"), std::string::npos);
  // A missing translation is a warning the loader acts on, not a parse error.
  auto m = ParseMethod(WithLine(3, "title: {en: Test, ru: Тест}\nlanguages: [en, ru, fr]"), "m.yaml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_FALSE(m->untranslated.empty());
}

TEST(RiskRating, CriteriaCombineByMaximumOrWeightedMeanRoundedHalfUp) {
  auto m = ParseMethod(kSmall, "m.yaml");
  ASSERT_TRUE(m.ok());
  json likelihood = {{"level", 3}};
  // Maximum: deaths 1, cost 3 -> impact 3; likelihood 3 x impact 3 -> high.
  Rating r = Rate(*m, likelihood, json{{"deaths", {{"level", 1}}}, {"cost", {{"level", 3}}}});
  EXPECT_EQ(r.combined_impact, 3);
  EXPECT_EQ(m->bands[r.band].id, "high");
  // One criterion alone (the matrix filtered by criterion).
  r = Rate(*m, likelihood, json{{"deaths", {{"level", 1}}}, {"cost", {{"level", 3}}}}, "deaths");
  EXPECT_EQ(r.combined_impact, 1);
  EXPECT_EQ(m->bands[r.band].id, "low");
  // Weighted mean (cost weighs 3): (1*1 + 3*2) / 4 = 1.75 -> 2; (1*1 + 3*3 + 1*2) / 5 = 2.4 -> 2;
  // deaths 2, mood 3 (weights 1, 1): 2.5 -> 3 (half up).
  auto wm = ParseMethod(std::string(kSmall).replace(std::string(kSmall).find("combine: max"), 12, "combine: weighted_mean"), "m.yaml");
  ASSERT_TRUE(wm.ok()) << wm.status().message();
  EXPECT_EQ(Rate(*wm, likelihood, json{{"deaths", {{"level", 1}}}, {"cost", {{"level", 2}}}}).combined_impact, 2);
  EXPECT_EQ(Rate(*wm, likelihood, json{{"deaths", {{"level", 1}}}, {"cost", {{"level", 3}}}, {"mood", {{"level", 2}}}}).combined_impact, 2);
  EXPECT_EQ(Rate(*wm, likelihood, json{{"deaths", {{"level", 2}}}, {"mood", {{"level", 3}}}}).combined_impact, 3);
  // Not on the matrix until the likelihood and one criterion are rated.
  EXPECT_EQ(Rate(*m, nullptr, json{{"deaths", {{"level", 2}}}}).band, -1);
  EXPECT_EQ(Rate(*m, likelihood, json::object()).band, -1);
  EXPECT_EQ(Rate(*m, likelihood, nullptr).band, -1);
}

TEST(RiskRating, RatingsAreCheckedAgainstTheMethodNamingTheField) {
  auto m = ParseMethod(kSmall, "m.yaml");
  ASSERT_TRUE(m.ok());
  // Quantities give their levels; a probability gives the likelihood.
  auto ok = CheckRatings(*m, json{{"probability", 0.3}, {"confidence", "high"}, {"justification", "two events in ten years"}},
                         json{{"deaths", {{"value", 150}}}, {"mood", {{"level", 2}, {"justification", ""}}}});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ((*ok)["likelihood"]["level"], 2);
  EXPECT_EQ((*ok)["impacts"]["deaths"]["level"], 3);
  EXPECT_FALSE((*ok)["impacts"]["mood"].contains("justification"));  // an empty text is no text
  struct Case {
    json likelihood, impacts;
    const char* field;
  };
  const Case cases[] = {
      {{{"level", 4}}, nullptr, "likelihood.level"},
      {{{"level", 0}}, nullptr, "likelihood.level"},
      {{{"level", "2"}}, nullptr, "likelihood.level"},
      {{{"probability", 1.5}}, nullptr, "likelihood.probability"},
      {{{"level", 1}, {"probability", 0.7}}, nullptr, "likelihood.level"},
      {{{"level", 1}, {"confidence", "certain"}}, nullptr, "likelihood.confidence"},
      {{{"level", 1}, {"colour", "red"}}, nullptr, "likelihood.colour"},
      {json::object(), nullptr, "likelihood"},
      {nullptr, {{"tsunami", {{"level", 1}}}}, "impacts.tsunami"},
      {nullptr, {{"deaths", {{"level", 9}}}}, "impacts.deaths.level"},
      {nullptr, {{"deaths", {{"value", -3}}}}, "impacts.deaths.value"},
      {nullptr, {{"deaths", {{"value", 5}, {"level", 3}}}}, "impacts.deaths.level"},
      {nullptr, {{"mood", {{"value", 5}}}}, "impacts.mood.value"},
      {nullptr, {{"deaths", {{"level", 1}, {"justification", 7}}}}, "impacts.deaths.justification"},
      {nullptr, json::array(), "impacts"},
  };
  for (const auto& c : cases) {
    auto r = CheckRatings(*m, c.likelihood, c.impacts);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.status().field(), c.field) << r.status().message();
  }
}

}  // namespace
}  // namespace cbrnhub::risk
