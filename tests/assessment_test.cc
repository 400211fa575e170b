// Questionnaire definitions (valid samples and a corpus of broken ones), scoring computed by
// hand on a small questionnaire, carry-over through a mapping that splits, merges and drops,
// and the XLSX workbook written and read back.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "assessment/answers.h"
#include "assessment/assessment.h"
#include "assessment/workbook.h"
#include "workbook_support.h"
#include "xlsx/xlsx.h"
#include "yamldoc/reader.h"

namespace cbrnhub::assessment {
namespace {

std::string ReadRepo(const std::string& path) {
  std::ifstream in(std::string(CBRNHUB_SOURCE_DIR) + "/" + path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kSmall = R"(code: t
version: "1"
title: {en: Test, ru: Тест}
target: 0.8
level_sets:
  l: [a, b, c, d, e]
sections:
  - id: A
    title: A
    domain: chemical
    function: prevention
    weight: 2
    questions:
      - {id: M1, type: maturity, text: m, levels: l}
      - {id: Y1, type: yes_partial_no, text: y, weight: 3}
      - {id: C1, type: number, text: n, min: 0, max: 100, target: 10, show_if: {question: Y1, in: [yes, partial]}}
  - id: B
    title: B
    domain: biological
    function: detection
    questions:
      - {id: P1, type: presence, text: p}
      - id: S1
        type: single_choice
        text: s
        options: [{value: a, label: A, score: 0}, {value: b, label: B, score: 1}]
)";

Json J(const char* text) { return Json::parse(text); }

TEST(Definition, SamplesParseWithSixtyQuestions) {
  for (const char* path : {"data/assessment/naq-2019.yaml", "data/assessment/naq-2024.yaml"}) {
    auto def = ParseDefinition(ReadRepo(path), path);
    ASSERT_TRUE(def.ok()) << def.status().message();
    EXPECT_GE(def->questions.size(), 60u);
    std::set<std::string> domains, functions;
    for (const auto& q : def->questions) {
      EXPECT_FALSE(q.text.by_lang.at("ru").empty()) << q.id;
      domains.insert(q.domain);
      functions.insert(q.function);
    }
    EXPECT_EQ(domains.size(), 5u);
    EXPECT_GE(functions.size(), 7u);
  }
  auto from = ParseDefinition(ReadRepo("data/assessment/naq-2019.yaml"), "a");
  auto to = ParseDefinition(ReadRepo("data/assessment/naq-2024.yaml"), "b");
  EXPECT_TRUE(ParseMapping(ReadRepo("data/assessment/naq-2019-to-2024.yaml"), "m", *from, *to).ok());
}

TEST(Definition, EveryErrorOfABrokenDefinitionIsListedWithLineAndPath) {
  struct Case {
    const char* yaml;
    std::vector<std::string> expected;  // "line path" fragments
  };
  const Case cases[] = {
      {"code: x\nversion: 1\ntitle: T\nsections: []\n", {"4 sections"}},
      {"code: x\nversion: 1\ntitle: T\nsections:\n  - id: s\n    title: S\n    domain: chem\n    function: cure\n"
       "    questions:\n      - {id: Q, type: maturity, text: q}\n      - {id: Q, type: choice, text: r}\n",
       {"7 sections[0].domain", "8 sections[0].function", "10 sections[0].questions[0].levels",
        "11 sections[0].questions[1].id", "11 sections[0].questions[1].type"}},
      {"code: x\nversion: 1\ntitle: T\nsections:\n  - id: s\n    title: S\n    domain: chemical\n    function: response\n"
       "    questions:\n      - {id: N, type: number, text: n, min: 9, max: 1, weight: -2}\n"
       "      - {id: O, type: single_choice, text: o, options: [{value: a, label: A, score: 2}]}\n"
       "      - {id: P, type: text, text: p, show_if: {question: Z, equals: yes}}\n",
       {"10 sections[0].questions[0].weight", "10 sections[0].questions[0].max", "11 sections[0].questions[1].options",
        "12 sections[0].questions[2].show_if.question"}},
      {"code: x\nversion: 1\n  title: [broken\n", {"not valid YAML"}},
      {"- just\n- a list\n", {"must be a mapping"}},
      {"code: x\nversion: 1\ntitle: {en: T, russian: Т}\nsections:\n  - id: s\n    title: S\n    domain: nuclear\n"
       "    function: recovery\n    questions:\n      - {id: Q, type: yes_partial_no, text: {ru: только}}\n",
       {"3 title.russian", "10 sections[0].questions[0].text"}},
  };
  for (const auto& c : cases) {
    std::vector<DefinitionError> errors;
    auto def = ParseDefinition(c.yaml, "bad.yaml", &errors);
    ASSERT_FALSE(def.ok()) << c.yaml;
    for (const auto& e : c.expected) {
      EXPECT_NE(def.status().message().find(e), std::string::npos)
          << "missing '" << e << "' in:\n" << def.status().message();
    }
  }
}

// A definition of one section whose questions are `questions` (YAML lines, indented by 6).
std::string OneSection(const std::string& questions,
                       const std::string& head = "title: {en: T, ru: Т}\n") {
  return "code: x\nversion: '1'\n" + head +
         "level_sets:\n  l: [a, b, c, d, e]\nsections:\n  - id: s\n    title: {en: S, ru: С}\n    "
         "domain: chemical\n"
         "    function: response\n    questions:\n" +
         questions;
}

// Each case: a definition and the "line path: problem" fragments its errors must hold.
void ExpectRefused(const std::string& yaml, const std::vector<std::string>& expected) {
  auto def = ParseDefinition(yaml, "bad.yaml");
  ASSERT_FALSE(def.ok()) << yaml;
  for (const auto& e : expected) {
    EXPECT_NE(def.status().message().find(e), std::string::npos) << "missing '" << e << "' in:\n"
                                                                 << def.status().message();
  }
}

TEST(Definition, UnknownAndRepeatedKeysAreRefusedAtEveryLevel) {
  // Line 12 is the first question.
  ExpectRefused(
      OneSection("      - {id: Y, type: yes_partial_no, text: y}\n"
                 "      - {id: P, type: text, text: p, showif: {question: Y, equals: yes}}\n"),
      {"bad.yaml:13 sections[0].questions[1].showif: unknown key 'showif' (did you mean "
       "show_if?)"});
  ExpectRefused(
      OneSection("      - {id: Y, type: yes_partial_no, text: y, weight: 2, weight: 3}\n"),
      {"bad.yaml:12 sections[0].questions[0].weight: is given twice in one mapping (first on line "
       "12)"});
  ExpectRefused("code: x\ncode: y\nversion: '1'\ntitle: T\nsections: []\n",
                {"bad.yaml:2 code: is given twice"});
  ExpectRefused("code: x\nversoin: '1'\ntitle: T\nsections: []\n",
                {"bad.yaml:2 versoin: unknown key"});
  ExpectRefused(
      OneSection(
          "      - {id: C, type: single_choice, text: c, options: [{value: a, label: A, scroe: 1},"
          " {value: b, label: B}]}\n"),
      {"12 sections[0].questions[0].options[0].scroe: unknown key"});
  ExpectRefused(
      OneSection("      - {id: Y, type: yes_partial_no, text: y}\n"
                 "      - {id: P, type: text, text: p, show_if: {question: Y, equal: yes}}\n"),
      {"13 sections[0].questions[1].show_if.equal: unknown key"});
  ExpectRefused(
      "code: x\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    titel: S\n    domain: chemical\n"
      "    function: response\n    questions: [{id: Y, type: yes_partial_no, text: y}]\n",
      {"6 sections[0].titel: unknown key 'titel' (did you mean title?)",
       "sections[0].title: is required"});
}

TEST(Definition, NumbersThatAreNotFiniteAndUnreachableTargetsAreRefused) {
  ExpectRefused(OneSection("      - {id: Y, type: yes_partial_no, text: y, weight: .nan}\n"
                           "      - {id: N, type: number, text: n, min: 0, max: .inf, target: 5}\n"
                           "      - {id: M, type: number, text: m, min: -.Inf, target: nan}\n"),
                {"12 sections[0].questions[0].weight: '.nan' is not a finite number",
                 "13 sections[0].questions[1].max: '.inf' is not a finite number",
                 "14 sections[0].questions[2].min: '-.Inf' is not a finite number",
                 "14 sections[0].questions[2].target: 'nan' is not a finite number"});
  ExpectRefused("code: x\nversion: '1'\ntitle: T\ntarget: .NaN\nsections: []\n",
                {"4 target: '.NaN' is not a finite number"});
  ExpectRefused(
      OneSection("      - {id: N, type: number, text: n, min: 0, max: 100, target: 150}\n"),
      {"12 sections[0].questions[0].target: is above max"});
  // A quoted ".nan" is a text, not a number.
  EXPECT_TRUE(
      ParseDefinition(
          OneSection("      - {id: Y, type: yes_partial_no, text: {en: '.nan', ru: '.nan'}}\n"),
          "ok")
          .ok());
}

TEST(Definition, ConditionsThatCanNeverHoldAreRefused) {
  const std::string parents =
      "      - {id: Y, type: yes_partial_no, text: y}\n"
      "      - {id: M, type: maturity, text: m, levels: l}\n"
      "      - {id: K, type: multiple_choice, text: k, options: [{value: a, label: A}, {value: b, "
      "label: B}]}\n"
      "      - {id: S, type: single_choice, text: s, options: [{value: a, label: A}, {value: b, "
      "label: B}]}\n"
      "      - {id: N, type: number, text: n, min: 0, max: 10}\n";
  struct Case {
    const char* condition;
    const char* expected;
  };
  const Case cases[] = {
      {"{question: Y, equals: maybe}",
       "'maybe' is not an answer of Y (yes, partial, no, not_applicable)"},
      {"{question: Y, in: [yes, perhaps]}", "'perhaps' is not an answer of Y"},
      {"{question: S, equals: c}", "'c' is not an answer of S (a, b)"},
      {"{question: M, equals: '3'}",
       "M is a maturity question: its answer is never equal to a value (use at_least)"},
      {"{question: K, in: [a]}", "K is a multiple_choice question"},
      {"{question: M, at_least: 6}", "a maturity level is at most 5"},
      {"{question: N, at_least: 11}", "N is at most 10"},
      {"{question: Y, at_least: 1}",
       "at_least compares a maturity level or a number, and Y is a yes_partial_no question"},
      {"{question: Y, in: []}", "'in' lists no value"},
  };
  for (const auto& c : cases) {
    ExpectRefused(
        OneSection(parents + "      - {id: X, type: text, text: x, show_if: " + c.condition +
                   "}\n"),
        {std::string("17 sections[0].questions[5].show_if: can never hold: ") + c.expected});
  }
  for (const char* fine : {"{question: Y, in: [yes, partial]}", "{question: M, at_least: 2}",
                           "{question: S, equals: b}", "{question: N, at_least: 10}"}) {
    auto def = ParseDefinition(
        OneSection(parents + "      - {id: X, type: text, text: x, show_if: " + fine + "}\n"),
        "ok");
    EXPECT_TRUE(def.ok()) << fine << ": " << def.status().message();
  }
}

TEST(Definition, TextThatIsNotUtf8IsRefusedWithItsLine) {
  std::string yaml = OneSection(
      "      - {id: Y, type: yes_partial_no, text: \"caf\xe9\"}\n"
      "      - {id: Z, type: yes_partial_no, text: \"ok \xd0\xb4\xd0\xb0\"}\n"
      "      - {id: W, type: yes_partial_no, text: \"\xc0\xaf overlong\"}\n");
  ExpectRefused(yaml, {"bad.yaml:12: the text is not valid UTF-8 (byte 0xE9",
                       "bad.yaml:14: the text is not valid UTF-8 (byte 0xC0"});
  auto def = ParseDefinition(yaml, "bad.yaml");
  EXPECT_EQ(def.status().message().find("bad.yaml:13"), std::string::npos) << "Cyrillic is UTF-8";
}

TEST(Definition, ParserFailuresSayWhatAndWhere) {
  // yaml-cpp itself says only "bad file" when brackets nest too deep.
  ExpectRefused("code: x\nversion: '1'\ntitle: " + std::string(3000, '[') + "\n",
                {"bad.yaml:3", "nest deeper"});
  ExpectRefused("code: x\nversion: '1'\ntitle: {en: T\nsections: []\n",
                {"not valid YAML", "(column"});
  // Nesting the parser allows but no definition needs.
  ExpectRefused("code: x\nversion: '1'\ntitle: T\nextra: " + std::string(40, '[') +
                    std::string(40, ']') + "\nsections: []\n",
                {"4 extra", "nests deeper than 32 levels"});
}

TEST(Definition, StoredVersionsStayReadableUnderTheRulesTheyWerePublishedWith) {
  std::string old = OneSection(
      "      - {id: Y, type: yes_partial_no, text: y, weight: 2, weight: 3, note: x}\n"
      "      - {id: N, type: number, text: n, min: 0, max: 10, target: 20}\n");
  EXPECT_FALSE(ParseDefinition(old, "new").ok());
  auto stored = ParseDefinition(old, "stored", nullptr, Strictness::kStored);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->Find("Y")->weight, 2);  // what yaml-cpp kept when it was published
  // The structure is still checked.
  EXPECT_FALSE(ParseDefinition(OneSection("      - {id: Y, type: choice, text: y}\n"), "s", nullptr,
                               Strictness::kStored)
                   .ok());
}

TEST(Definition, MissingTranslationsAreNamedAndCapped) {
  std::string questions;
  for (int i = 0; i < 25; ++i)
    questions += "      - {id: Q" + std::to_string(i) + ", type: yes_partial_no, text: q}\n";
  questions +=
      "      - {id: N, type: number, text: {en: n, ru: н}, unit: people, guidance: {en: g}}\n";
  questions +=
      "      - {id: M, type: maturity, text: {en: m, ru: м}, levels: [{en: a, ru: а}, b, c, d, "
      "e]}\n";
  auto def = ParseDefinition(OneSection(questions), "t.yaml");
  ASSERT_TRUE(def.ok()) << def.status().message();
  EXPECT_EQ(def->languages, (std::vector<std::string>{"en", "ru"}));
  // 25 texts, a unit, a guidance, four level descriptors of M and the five of the level set.
  EXPECT_EQ(def->untranslated.size(), 25u + 1 + 1 + 4 + 5);
  std::string message = MissingTranslations(*def, "t.yaml");
  EXPECT_NE(message.find("36 text(s) lack a translation into a declared language (ru)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("t.yaml:5 level_sets.l[0]: no ru text"), std::string::npos) << message;
  EXPECT_NE(message.find("... and 16 more"), std::string::npos) << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 21);
  // Declared explicitly: every text needs every language, the title too.
  auto declared = ParseDefinition(
      OneSection("      - {id: Y, type: yes_partial_no, text: {en: y, ru: д, kk: и}}\n",
                 "title: {en: T, ru: Т}\nlanguages: [en, ru, kk]\n"),
      "t.yaml");
  ASSERT_TRUE(declared.ok()) << declared.status().message();
  EXPECT_NE(MissingTranslations(*declared, "t.yaml").find("sections[0].title: no kk text"),
            std::string::npos);
  ExpectRefused(OneSection("      - {id: Y, type: yes_partial_no, text: y}\n",
                           "title: {en: T, fr: T}\nlanguages: [en, ru]\n"),
                {"title.fr: 'fr' is not a declared language"});
}

// Whether `s` holds at least one letter of the Arabic block (U+0600-U+06FF, lead byte D8-DB).
bool HasArabicLetter(const std::string& s) {
  for (unsigned char c : s) {
    if (c >= 0xD8 && c <= 0xDB) return true;
  }
  return false;
}

TEST(Definition, EveryTextOfTheShippedQuestionnairesIsInTheFourWorkingLanguages) {
  const std::vector<std::string> kFour = {"en", "ar", "fr", "ru"};
  for (const char* path : {"data/assessment/naq-2019.yaml", "data/assessment/naq-2024.yaml"}) {
    auto def = ParseDefinition(ReadRepo(path), path);
    ASSERT_TRUE(def.ok()) << def.status().message();
    EXPECT_EQ(def->languages, kFour) << path;
    EXPECT_EQ(MissingTranslations(*def, path), "") << path;
    auto expect_four = [&](const yamldoc::Text& t, const std::string& where) {
      for (const auto& lang : kFour) {
        auto it = t.by_lang.find(lang);
        ASSERT_TRUE(it != t.by_lang.end() && !it->second.empty())
            << path << " " << where << ": no " << lang;
      }
      EXPECT_TRUE(HasArabicLetter(t.by_lang.at("ar"))) << path << " " << where;
      // A French text copied from the English one is untranslated (short labels may coincide).
      if (t.by_lang.at("en").size() > 12) {
        EXPECT_NE(t.by_lang.at("fr"), t.by_lang.at("en")) << path << " " << where;
      }
    };
    expect_four(def->title, "title");
    for (const auto& s : def->sections) expect_four(s.title, s.id);
    for (const auto& q : def->questions) {
      expect_four(q.text, q.id);
      if (!q.guidance.by_lang.empty()) expect_four(q.guidance, q.id + ".guidance");
      if (!q.unit.by_lang.empty()) expect_four(q.unit, q.id + ".unit");
      for (size_t k = 0; k < q.levels.size(); ++k) expect_four(q.levels[k], q.id + ".levels");
      for (const auto& o : q.options) expect_four(o.label, q.id + "." + o.value);
    }
  }
  // The check is live: a sample without one French line is refused, naming the text.
  std::string yaml = ReadRepo("data/assessment/naq-2024.yaml");
  size_t fr = yaml.find("      fr: ", yaml.find("id: BIO10"));
  ASSERT_NE(fr, std::string::npos);
  yaml.erase(fr, yaml.find('\n', fr) + 1 - fr);
  auto gap = ParseDefinition(yaml, "naq-2024.yaml");
  ASSERT_TRUE(gap.ok()) << gap.status().message();
  EXPECT_NE(MissingTranslations(*gap, "naq-2024.yaml").find(".text: no fr text"), std::string::npos)
      << MissingTranslations(*gap, "naq-2024.yaml");
}

TEST(Definition, APublishedVersionMayChangeOnlyInItsTranslations) {
  const std::string base =
      "code: t\nversion: '1'\ntitle: {en: T, ru: Т}\nsections:\n- id: s\n  title: Section\n  "
      "weight: 1\n"
      "  questions:\n  - {id: Q, type: number, text: {en: q, ru: в}, unit: people, target: 5}\n";
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = base;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? s : s.replace(at, from.size(), to);
  };
  for (const std::string& same : {
           with("{en: T, ru: Т}", "{en: T, ru: Тест, fr: T, ar: ت}"),
           with("unit: people", "unit: {en: people, fr: personnes}"),
           with("title: Section", "title: {ar: قسم, en: Section}"),
           with("title: {en: T, ru: Т}\n",
                "title: {en: T, ru: Т}\nlanguages: [en, ru, fr]  # now three\n"),
       }) {
    EXPECT_TRUE(yamldoc::SameButForTranslations(base, same)) << same;
  }
  for (const std::string& other : {
           with("{en: q, ru: в}", "{en: q?, ru: в}"),
           with("unit: people", "unit: {fr: personnes}"),
           with("weight: 1", "weight: 2"),
           with("target: 5", "target: 6"),
           with("id: Q,", "id: R,"),
           with("version: '1'", "version: '2'"),
           base + "  - {id: P, type: text, text: p}\n",
           std::string("[unclosed"),
       }) {
    EXPECT_FALSE(yamldoc::SameButForTranslations(base, other)) << other;
  }
}

TEST(Definition, LabelsOfDomainsFunctionsAndAreasInTheDeclaredLanguages) {
  const std::string labels =
      "labels:\n"
      "  domains: {chemical: {en: Chemical, ru: Химическая}}\n"
      "  functions:\n"
      "    response: {en: Response, ru: Реагирование}\n"
      "  areas: {first_response: {en: First response}}\n";
  auto def = ParseDefinition(
      OneSection(
          "      - {id: Y, type: yes_partial_no, text: {en: y, ru: д}, area: first_response}\n",
          "title: {en: T, ru: Т}\n" + labels),
      "t.yaml");
  ASSERT_TRUE(def.ok()) << def.status().message();
  EXPECT_EQ(def->labels.domains.at("chemical").Get("ru"), "Химическая");
  EXPECT_EQ(def->labels.functions.at("response").Get("ru"), "Реагирование");
  // A label is a text people read: a missing language is named like any other.
  EXPECT_NE(MissingTranslations(*def, "t.yaml").find("labels.areas.first_response: no ru text"),
            std::string::npos)
      << MissingTranslations(*def, "t.yaml");
  // A label for a key the definition cannot use is a misspelt key: refused with its line.
  ExpectRefused(
      OneSection("      - {id: Y, type: yes_partial_no, text: y, area: first_response}\n",
                 "title: T\nlabels:\n  functions: {responce: Response}\n"
                 "  domains: {chemicals: Chemical}\n  areas: {first_responce: First response}\n"
                 "  sectors: {}\n"),
      {"bad.yaml:5 labels.functions.responce: 'responce' is not a function",
       "bad.yaml:6 labels.domains.chemicals: 'chemicals' is not a domain",
       "bad.yaml:7 labels.areas.first_responce: no question has the area 'first_responce'",
       "bad.yaml:8 labels.sectors: unknown key 'sectors'"});
  ExpectRefused(OneSection("      - {id: Y, type: yes_partial_no, text: y}\n",
                           "title: T\nlabels: [chemical]\n"),
                {"bad.yaml:4 labels: must map domains, functions and areas"});
  // Labels may be added to a published version in place: they change no answer or score.
  const std::string without = OneSection("      - {id: Y, type: yes_partial_no, text: y}\n");
  const std::string with =
      OneSection("      - {id: Y, type: yes_partial_no, text: y}\n",
                 "title: {en: T, ru: Т}\nlabels: {functions: {response: {en: Response}}}\n");
  EXPECT_TRUE(yamldoc::SameButForTranslations(without, with));
}

TEST(Definition, EveryKeyOfTheShippedQuestionnairesHasALabelInTheFourLanguages) {
  for (const char* path : {"data/assessment/naq-2019.yaml", "data/assessment/naq-2024.yaml"}) {
    auto def = ParseDefinition(ReadRepo(path), path);
    ASSERT_TRUE(def.ok()) << def.status().message();
    auto labelled = [&](const std::map<std::string, yamldoc::Text>& labels, const std::string& key,
                        const char* group) {
      auto it = labels.find(key);
      ASSERT_NE(it, labels.end()) << path << ": no label for the " << group << " " << key;
      for (const char* lang : {"en", "fr", "ru", "ar"}) {
        EXPECT_FALSE(it->second.by_lang.count(lang) == 0 || it->second.by_lang.at(lang).empty())
            << path << ": " << key << " in " << lang;
      }
      EXPECT_NE(it->second.Get("fr"), key) << path;
    };
    for (const auto& q : def->questions) {
      labelled(def->labels.domains, q.domain, "domain");
      labelled(def->labels.functions, q.function, "function");
      if (!q.area.empty()) labelled(def->labels.areas, q.area, "area");
    }
  }
}

TEST(Scoring, HandComputedWithWeightsAndConditions) {
  auto def = ParseDefinition(kSmall, "small");
  ASSERT_TRUE(def.ok()) << def.status().message();
  std::map<std::string, Json> answers = {
      {"M1", J(R"({"levels": [1, 2, 4]})")},           // level 2 (4 does not count without 3): 0.4
      {"Y1", J(R"({"value": "partial"})")},            // 0.5, and C1 is shown
      {"C1", J(R"({"value": 5})")},                    // 5 of a target of 10: 0.5
      {"P1", J(R"({"status": "in_place"})")},          // in place without a reference: 0.5
      {"S1", J(R"({"value": "b"})")}};                 // 1
  Scores s = Score(*def, answers, "en");
  // Section A (weight 2): (0.4*2 + 0.5*6 + 0.5*2) / 10 = 0.48; B: (0.5 + 1) / 2 = 0.75.
  EXPECT_NEAR(s.by_section["A"], 0.48, 1e-9);
  EXPECT_NEAR(s.by_section["B"], 0.75, 1e-9);
  EXPECT_NEAR(s.overall, 6.3 / 12, 1e-9);
  EXPECT_NEAR(s.by_domain["chemical"], 0.48, 1e-9);
  EXPECT_NEAR(s.by_function["detection"], 0.75, 1e-9);
  EXPECT_EQ(s.questions[0].level, 2);
  // Priorities by weighted gap to 0.8: Y1 0.3*6, M1 0.4*2, C1 0.3*2, P1 0.3*1; S1 has none.
  ASSERT_EQ(s.priorities.size(), 4u);
  EXPECT_EQ(s.priorities[0].question, "Y1");
  EXPECT_EQ(s.priorities[1].question, "M1");
  EXPECT_EQ(s.priorities[2].question, "C1");
  EXPECT_EQ(s.priorities[3].question, "P1");
  EXPECT_NE(s.priorities[0].reason.find("weight 6"), std::string::npos);
  // The reasons also come as message keys with values, for pages in every language.
  EXPECT_EQ(s.priorities[0].reason_key, "assessment.reason.answer");
  EXPECT_EQ(s.priorities[0].reason_args, J(R"({"value": "partial"})"));
  EXPECT_EQ(s.priorities[0].weight, 6);
  EXPECT_EQ(s.priorities[1].reason_key, "assessment.reason.level_not_yet");
  EXPECT_EQ(s.priorities[1].reason_args, J(R"({"level": 2, "next": "c"})"));
  EXPECT_EQ(s.priorities[2].reason_key, "assessment.reason.number");
  EXPECT_EQ(s.priorities[2].reason_args, J(R"({"value": 5.0, "unit": "", "target": 10.0})"));
  EXPECT_EQ(s.priorities[3].reason_key, "assessment.reason.no_reference");
  EXPECT_EQ(s.questions[4].reason_key, "assessment.reason.option");
  EXPECT_EQ(s.questions[4].reason_args, J(R"({"option": "B"})"));
  {
    auto unanswered = Score(*def, {}, "en");
    EXPECT_EQ(unanswered.questions[0].reason, "not answered yet");
    EXPECT_EQ(unanswered.questions[0].reason_key, "assessment.reason.not_answered");
  }
  // "no" hides C1: it leaves the score altogether.
  answers["Y1"] = J(R"({"value": "no"})");
  Scores hidden = Score(*def, answers, "en");
  EXPECT_FALSE(hidden.questions[2].visible);
  EXPECT_NEAR(hidden.by_section["A"], (0.4 * 2) / 8, 1e-9);
  // Not applicable leaves the score too; a reference makes in_place count fully.
  answers["Y1"] = J(R"({"value": "not_applicable"})");
  answers["P1"] = J(R"({"status": "in_place", "reference": "Law 12/2020 art. 4"})");
  Scores na = Score(*def, answers, "en");
  EXPECT_NEAR(na.by_section["A"], 0.4, 1e-9);
  EXPECT_NEAR(na.by_section["B"], 1.0, 1e-9);
}

TEST(Scoring, AnswersAreValidatedAgainstTheirQuestion) {
  auto def = ParseDefinition(kSmall, "small");
  EXPECT_FALSE(ValidateAnswer(*def->Find("M1"), J(R"({"levels": [6]})")).ok());
  EXPECT_FALSE(ValidateAnswer(*def->Find("Y1"), J(R"({"value": "maybe"})")).ok());
  EXPECT_FALSE(ValidateAnswer(*def->Find("C1"), J(R"({"value": 101})")).ok());
  EXPECT_FALSE(ValidateAnswer(*def->Find("C1"), J(R"({"value": "5"})")).ok());
  EXPECT_FALSE(ValidateAnswer(*def->Find("P1"), J(R"({"status": "yes"})")).ok());
  EXPECT_FALSE(ValidateAnswer(*def->Find("S1"), J(R"({"value": "c"})")).ok());
  EXPECT_TRUE(ValidateAnswer(*def->Find("S1"), J(R"({"value": "a"})")).ok());
}

// Found by the definition fuzz target: nlohmann's value() threw on a number (a 500 from the API).
TEST(Scoring, YesPartialNoAnswerGivenAsANumberIsRefusedNotThrown) {
  auto def = ParseDefinition(kSmall, "small");
  Status st = ValidateAnswer(*def->Find("Y1"), J(R"({"value": 5})"));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("Y1: value must be yes, partial, no or not_applicable"),
            std::string::npos);
  // A stored presence answer of another shape leaves a condition on it false.
  auto presence = ParseDefinition(
      OneSection(
          "      - {id: P, type: presence, text: p}\n"
          "      - {id: T, type: text, text: t, show_if: {question: P, equals: in_place}}\n"),
      "p");
  ASSERT_TRUE(presence.ok()) << presence.status().message();
  EXPECT_FALSE(Visible(*presence, *presence->Find("T"), {{"P", J(R"({"status": 1})")}}));
}

TEST(CarryOver, SplitMergeDropAndTypeChange) {
  auto from = ParseDefinition(kSmall, "v1");
  std::string v2 = kSmall;
  v2.replace(v2.find("version: \"1\""), 12, "version: \"2\"");
  // M1 split in M1a and M1b; P1 and S1 merged into P2; Y1 becomes a maturity question; C1 dropped.
  v2.replace(v2.find("      - {id: M1, type: maturity, text: m, levels: l}"), 52,
             "      - {id: M1a, type: maturity, text: m, levels: l}\n      - {id: M1b, type: maturity, text: m2, levels: l}");
  v2.replace(v2.find("      - {id: Y1, type: yes_partial_no, text: y, weight: 3}"), 58,
             "      - {id: Y1, type: maturity, text: y, levels: l}");
  v2.replace(v2.find("      - {id: C1"), v2.find("  - id: B") - v2.find("      - {id: C1"), "");
  v2.replace(v2.find("      - {id: P1, type: presence, text: p}"), 41, "      - {id: P2, type: presence, text: p}");
  v2.replace(v2.find("      - id: S1"), std::string::npos, "      - {id: N1, type: text, text: new}\n");
  auto to = ParseDefinition(v2, "v2");
  ASSERT_TRUE(to.ok()) << to.status().message();
  auto mapping = ParseMapping("from: '1'\nto: '2'\nmap:\n  - {from: M1, to: [M1a, M1b]}\n"
                              "  - {from: [P1], to: P2}\n  - {drop: C1}\n",
                              "map.yaml", *from, *to);
  ASSERT_TRUE(mapping.ok()) << mapping.status().message();
  std::map<std::string, Json> answers = {{"M1", J(R"({"levels": [1, 2, 3]})")}, {"Y1", J(R"({"value": "yes"})")},
                                         {"C1", J(R"({"value": 5})")}, {"P1", J(R"({"status": "unclear"})")}};
  CarryOver c = Carry(*from, *to, *mapping, answers);
  EXPECT_EQ(c.answers.size(), 3u);
  EXPECT_EQ(c.answers["M1a"], answers["M1"]);
  EXPECT_EQ(c.answers["M1b"], answers["M1"]);
  EXPECT_EQ(c.answers["P2"], answers["P1"]);
  std::map<std::string, CarryNote> left;
  for (const auto& note : c.to_answer) left[note.question] = note;
  EXPECT_TRUE(left.count("Y1"));  // yes/partial/no cannot become a maturity level
  EXPECT_EQ(left["Y1"].reason_key, "assessment.carry.not_carried");
  EXPECT_TRUE(left.count("N1"));
  EXPECT_EQ(left["N1"].reason, "new in 2");
  // The same note for pages: a message key and its values, worded by the catalogue.
  EXPECT_EQ(left["N1"].reason_key, "assessment.carry.new");
  EXPECT_EQ(left["N1"].reason_args, J(R"({"version": "2"})"));
  // A maturity answer stored before levels had to be cumulative carries as the level it scored.
  EXPECT_EQ(Carry(*from, *to, *mapping, {{"M1", J(R"({"levels": [1, 2, 4]})")}}).answers["M1a"],
            J(R"({"levels": [1, 2]})"));
  // A mapping naming unknown questions is refused with its line.
  auto bad = ParseMapping("from: '1'\nto: '2'\nmap:\n  - {from: X9, to: M1a}\n", "map.yaml", *from, *to);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("map.yaml:4 map[0].from"), std::string::npos);
  // Strictly read like definitions: unknown and repeated keys.
  auto typo = ParseMapping(
      "from: '1'\nto: '2'\nmap:\n  - {from: M1, to: M1a, combin: min}\n  - {drop: C1, drop: Y1}\n",
      "map.yaml", *from, *to);
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find(
                "map.yaml:4 map[0].combin: unknown key 'combin' (did you mean combine?)"),
            std::string::npos)
      << typo.status().message();
  EXPECT_NE(typo.status().message().find("map.yaml:5 map[1].drop: is given twice"),
            std::string::npos);
}

// The presentation layer's catalogue as the workbook sees it: the labels of stored answer
// values ("not applicable" for not_applicable; Russian ones marked), other keys as they are.
std::string TestWords(const std::string& lang, const std::string& key) {
  if (key.rfind("choice.", 0) != 0) return key;
  std::string label = key.substr(7);
  std::replace(label.begin(), label.end(), '_', ' ');
  return lang == "ru" ? "ru " + label : label;
}

TEST(Workbook, WrittenFilledAndReadBackWithBadCellsListed) {
  auto def = ParseDefinition(kSmall, "small");
  Json assessment = {{"id", "a-1"}, {"title", "Test"}};
  std::map<std::string, Json> answers = {{"M1", {{"value", J(R"({"levels": [1]})")}, {"comment", "c"}}}};
  auto xlsx = WriteWorkbook(*def, assessment, answers, "en", TestWords);
  ASSERT_TRUE(xlsx.ok()) << xlsx.status().message();
  auto read = ReadWorkbook(*def, *xlsx, TestWords);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->assessment_id, "a-1");
  ASSERT_EQ(read->answers.size(), 5u);
  EXPECT_EQ(read->answers[0].value, J(R"({"levels": [1]})"));
  EXPECT_EQ(read->answers[0].comment, "c");
  EXPECT_TRUE(read->answers[1].value.is_null());
  // Truncated, foreign and non-zip files are refused.
  EXPECT_FALSE(ReadWorkbook(*def, xlsx->substr(0, xlsx->size() / 2), TestWords).ok());
  EXPECT_FALSE(ReadWorkbook(*def, "id,name\n1,x\n", TestWords).ok());
  std::string other = kSmall;
  other.replace(other.find("version: \"1\""), 12, "version: \"7\"");
  auto other_def = ParseDefinition(other, "other");
  auto foreign = ReadWorkbook(*other_def, *xlsx, TestWords);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("t@1"), std::string::npos);
}

// Every question type, two of them shown only under a condition.
const std::string kAllTypes = OneSection(R"(      - {id: M, type: maturity, text: m, levels: l}
      - {id: P, type: presence, text: p}
      - {id: Y, type: yes_partial_no, text: y}
      - {id: N, type: number, text: n, unit: people, min: -1000, max: 1000000, target: 500}
      - {id: F, type: number, text: f}
      - {id: S, type: single_choice, text: s, options: [{value: low, label: L}, {value: high, label: H, score: 1}]}
      - {id: K, type: multiple_choice, text: k, options: [{value: a, label: A, score: 0.5}, {value: b-2, label: B},
                                                          {value: c.3, label: C, score: 0.5}]}
      - {id: T, type: text, text: t}
      - {id: HY, type: yes_partial_no, text: hidden unless Y is yes, show_if: {question: Y, equals: yes}}
      - {id: HT, type: text, text: hidden unless M is 3, show_if: {question: M, at_least: 3}}
)",
                                         "title: Property\n");

// Text as people type it: spaces at either end, line breaks of both kinds, tabs, Cyrillic,
// emoji, XML specials, things a spreadsheet could take for a number, a formula or an escape.
std::string RandomText(std::mt19937& rng, bool may_be_empty) {
  static const char* kPieces[] = {" ",           "  ",  "\t",       "\n",   "\r\n", "a",
                                  "Law 12/2020", "д",   "ё",        "😀",    "<b>",  "&amp;",
                                  "\"",          "'",   "=SUM(A1)", "007",  "1e5",  "-0",
                                  "_x0041_",     "]]>", "é",        "TRUE", "#N/A", "x;y"};
  std::string out;
  int n = static_cast<int>(rng() % 7);
  for (int i = 0; i < n; ++i) out += kPieces[rng() % std::size(kPieces)];
  if (out.empty() && !may_be_empty) out = kPieces[rng() % std::size(kPieces)];
  return out;
}

// An answer the page or the API accepts for `q`, or null (not answered).
Json RandomAnswer(const Question& q, std::mt19937& rng) {
  if (rng() % 4 == 0) return nullptr;
  switch (q.type) {
    case QuestionType::kMaturity: {
      Json levels = Json::array();
      for (int l = 1, top = static_cast<int>(rng() % 6); l <= top; ++l) levels.push_back(l);
      return {{"levels", levels}};
    }
    case QuestionType::kPresence: {
      static const char* kStatus[] = {"in_place", "unclear", "not_in_place", "not_applicable"};
      Json v = {{"status", kStatus[rng() % 4]}};
      // The page always sends a reference, empty or not.
      if (rng() % 3) v["reference"] = RandomText(rng, true);
      return v;
    }
    case QuestionType::kYesPartialNo: {
      static const char* kValues[] = {"yes", "partial", "no", "not_applicable"};
      return {{"value", kValues[rng() % 4]}};
    }
    case QuestionType::kNumber: {
      double lo = q.min.value_or(-1e9), hi = q.max.value_or(1e9);
      switch (rng() % 4) {
        case 0:
          return {{"value", static_cast<int>(rng() % 1000)}};
        case 1:
          return {{"value", 0.1 + 0.2}};  // needs 17 digits
        case 2:
          return {{"value", lo + (hi - lo) * std::uniform_real_distribution<double>(0, 1)(rng)}};
        default:
          return {{"value", rng() % 2 ? lo : hi}};
      }
    }
    case QuestionType::kSingleChoice:
      return {{"value", q.options[rng() % q.options.size()].value}};
    case QuestionType::kMultipleChoice: {
      Json values = Json::array();  // none of them is an answer too
      for (const auto& o : q.options) {
        if (rng() % 2) values.push_back(o.value);
      }
      return {{"values", values}};
    }
    case QuestionType::kText:
      return {{"value", RandomText(rng, false)}};
  }
  return nullptr;
}

// The workbook carries every answer the page and the API accept: downloaded and uploaded
// untouched, it reads back exactly what is stored (the preview shows no change), for every type
// and state (unanswered, not applicable, with or without comments, hidden by a condition).
TEST(Workbook, RoundTripOfGeneratedAnswersChangesNothing) {
  auto def = ParseDefinition(kAllTypes, "all");
  ASSERT_TRUE(def.ok()) << def.status().message();
  std::mt19937 rng(20261130);
  Json assessment = {{"id", "a-prop"}, {"title", "Property"}};
  int compared = 0;
  for (int round = 0; round < 150; ++round) {
    std::map<std::string, Json> stored;  // as the service stores them
    for (const auto& q : def->questions) {
      Json raw = RandomAnswer(q, rng);
      if (raw.is_null()) continue;
      ASSERT_TRUE(ValidateAnswer(q, raw).ok())
          << q.id << " " << raw.dump() << ": " << ValidateAnswer(q, raw).message();
      stored[q.id] = {{"value", CanonicalAnswer(q, raw)},
                      {"comment", NormalizeNewlines(RandomText(rng, true))}};
    }
    auto xlsx = WriteWorkbook(*def, assessment, stored, round % 2 ? "ru" : "en", TestWords);
    ASSERT_TRUE(xlsx.ok()) << xlsx.status().message();
    auto read = ReadWorkbook(*def, *xlsx, TestWords);
    ASSERT_TRUE(read.ok()) << "round " << round << ": " << read.status().message();
    EXPECT_TRUE(read->missing.empty());
    ASSERT_EQ(read->answers.size(), def->questions.size());
    for (const auto& cell : read->answers) {
      auto it = stored.find(cell.question);
      Json value = it == stored.end() ? Json(nullptr) : it->second["value"];
      std::string comment = it == stored.end() ? "" : it->second["comment"].get<std::string>();
      EXPECT_EQ(cell.value, value) << "round " << round << " " << cell.question;
      EXPECT_EQ(cell.comment, comment) << "round " << round << " " << cell.question;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 150 * 10);
}

// Regressions from the issue: each came back changed from an untouched workbook.
TEST(Workbook, TrailingSpaceEmptyReferenceAndNoChoiceSurviveTheRoundTrip) {
  auto def = ParseDefinition(kAllTypes, "all");
  std::map<std::string, Json> stored = {
      {"T", {{"value", J(R"({"value": "in force since 2019 "})")}, {"comment", " see annex "}}},
      {"P",
       {{"value", CanonicalAnswer(*def->Find("P"), J(R"({"status": "unclear", "reference": ""})"))},
        {"comment", ""}}},
      {"K", {{"value", J(R"({"values": []})")}, {"comment", ""}}},
      {"M", {{"value", J(R"({"levels": []})")}, {"comment", "none yet"}}}};
  auto read =
      ReadWorkbook(*def, WriteWorkbook(*def, {{"id", "a"}, {"title", "t"}}, stored, "en", TestWords).value(), TestWords);
  ASSERT_TRUE(read.ok()) << read.status().message();
  std::map<std::string, WorkbookCell> by_id;
  for (const auto& c : read->answers) by_id[c.question] = c;
  EXPECT_EQ(by_id["T"].value, J(R"({"value": "in force since 2019 "})"));
  EXPECT_EQ(by_id["T"].comment, " see annex ");
  EXPECT_EQ(by_id["P"].value, J(R"({"status": "unclear"})"));
  EXPECT_EQ(by_id["K"].value, J(R"({"values": []})"));
  EXPECT_EQ(by_id["M"].value, J(R"({"levels": []})"));
  EXPECT_TRUE(by_id["Y"].value.is_null());
}

// The workbook holds one level per maturity question: the answer model holds no more.
TEST(Scoring, MaturityLevelsMustBeCumulative) {
  auto def = ParseDefinition(kSmall, "small");
  const Question& m = *def->Find("M1");
  Status gap = ValidateAnswer(m, J(R"({"levels": [1, 2, 4]})"));
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.message().find("M1: the levels met must run from 1 without a gap ([1,2,4] is not; "
                               "tick levels 1 to 2 for level 2)"),
            std::string::npos)
      << gap.message();
  EXPECT_EQ(gap.message_key(), "invalid.answer_levels_gap");  // what a page shows, translated
  EXPECT_FALSE(ValidateAnswer(m, J(R"({"levels": [2, 1]})")).ok());
  EXPECT_FALSE(ValidateAnswer(m, J(R"({"levels": [1, 1]})")).ok());
  EXPECT_FALSE(ValidateAnswer(m, J(R"({"levels": [2]})")).ok());
  EXPECT_TRUE(ValidateAnswer(m, J(R"({"levels": [1, 2, 3]})")).ok());
  EXPECT_TRUE(ValidateAnswer(m, J(R"({"levels": []})")).ok());
  // One stored before the rule still scores, as level 2.
  Scores s = Score(*def, {{"M1", J(R"({"levels": [1, 2, 4]})")}}, "en");
  EXPECT_EQ(s.questions[0].level, 2);
}

TEST(Workbook, BadCellsQuoteTheValueAndDeletedRowsAreNamed) {
  auto def = ParseDefinition(kAllTypes, "all");
  auto xlsx = WriteWorkbook(*def, {{"id", "a"}, {"title", "t"}}, {}, "en", TestWords).value();
  // Edit the sheet's XML as a spreadsheet would: answers typed into column E, row of F deleted.
  auto edit = [&](const std::map<std::string, std::string>& answers, const std::string& drop) {
    std::string dir = ::testing::TempDir() + "/wb-edit-" + std::to_string(::getpid());
    std::string cmd = "rm -rf " + dir + " && mkdir -p " + dir;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    std::ofstream(dir + "/in.xlsx", std::ios::binary) << xlsx;
    EXPECT_EQ(std::system(("cd " + dir + " && unzip -q in.xlsx -d x").c_str()), 0);
    std::ifstream in(dir + "/x/xl/worksheets/sheet1.xml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string sheet = ss.str();
    for (const auto& [ref, text] : answers) {
      size_t at = sheet.find("<c r=\"" + ref + "\"");
      EXPECT_NE(at, std::string::npos) << ref;
      size_t close = sheet.find('>', at);  // an empty cell is <c .../>
      size_t end = sheet[close - 1] == '/' ? close + 1 : sheet.find("</c>", at) + 4;
      sheet.replace(at, end - at,
                    "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + text + "</t></is></c>");
    }
    if (!drop.empty()) {
      size_t at = sheet.find("<row r=\"" + drop + "\"");
      sheet.erase(at, sheet.find("</row>", at) + 6 - at);
    }
    std::ofstream(dir + "/x/xl/worksheets/sheet1.xml") << sheet;
    EXPECT_EQ(std::system(("cd " + dir + "/x && zip -q -r ../out.xlsx .").c_str()), 0);
    std::ifstream out(dir + "/out.xlsx", std::ios::binary);
    std::stringstream bytes;
    bytes << out.rdbuf();
    return bytes.str();
  };
  // Rows: M 5, P 6, Y 7, N 8, F 9, S 10, K 11, T 12.
  auto bad = ReadWorkbook(
      *def, edit({{"E7", "maybe"}, {"E8", "2000000"}, {"E11", "a;z"}, {"E5", "4.5"}}, ""), TestWords);
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.status().message();
  // A refused choice lists the labels the cell takes.
  EXPECT_NE(m.find("row 7, column E: \"maybe\" is not one of yes, partial, no, not applicable"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("row 8, column E: \"2000000\" is above the maximum 1000000"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("row 11, column E: \"z\" is not one of A, B, C"), std::string::npos) << m;
  // A cell takes the label (as the drop-down offers it) or the stored value (as older workbooks
  // hold it), one or several of each.
  auto labelled = ReadWorkbook(
      *def, edit({{"E6", "not in place"}, {"E7", "partial"}, {"E10", "H"}, {"E11", "A; c.3 ;B"}}, ""), TestWords);
  ASSERT_TRUE(labelled.ok()) << labelled.status().message();
  std::map<std::string, Json> read;
  for (const auto& c : labelled->answers) read[c.question] = c.value;
  EXPECT_EQ(read["P"], J(R"({"status": "not_in_place"})"));
  EXPECT_EQ(read["Y"], J(R"({"value": "partial"})"));
  EXPECT_EQ(read["S"], J(R"({"value": "high"})"));
  EXPECT_EQ(read["K"], J(R"({"values": ["a", "c.3", "b-2"]})"));
  EXPECT_NE(m.find("row 5, column E: \"4.5\" is not a level 0 to 5"), std::string::npos) << m;
  auto deleted = ReadWorkbook(*def, edit({{"E7", "yes"}}, "9"), TestWords);
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  EXPECT_EQ(deleted->missing, std::vector<std::string>{"F"});
}

// The answer cells show labels in the workbook's language; labels that could not name one
// value (the same twice, or holding the separator of several) give way to the stored values.
TEST(Workbook, CellsShowLabelsAndLabelsThatCannotNameOneValueGiveWayToTheValues) {
  auto def = ParseDefinition(
      OneSection(R"(      - {id: P, type: presence, text: p}
      - {id: S, type: single_choice, text: s, options: [{value: low, label: Same}, {value: high, label: Same, score: 1}]}
      - {id: K, type: multiple_choice, text: k, options: [{value: a, label: "A;B"}, {value: b, label: B, score: 1}]}
)"),
      "labels");
  ASSERT_TRUE(def.ok()) << def.status().message();
  std::map<std::string, Json> stored = {{"P", {{"value", J(R"({"status": "not_applicable"})")}}},
                                        {"S", {{"value", J(R"({"value": "high"})")}}},
                                        {"K", {{"value", J(R"({"values": ["a", "b"]})")}}}};
  auto xlsx = WriteWorkbook(*def, {{"id", "a"}, {"title", "t"}}, stored, "ru", TestWords);
  ASSERT_TRUE(xlsx.ok()) << xlsx.status().message();
  auto book = xlsx::Read(*xlsx);
  ASSERT_TRUE(book.ok());
  auto& sheet = book->sheets["Assessment"];
  EXPECT_EQ(sheet[5][4], "ru not applicable");
  EXPECT_EQ(sheet[6][4], "high");
  EXPECT_EQ(sheet[7][4], "a; b");
  EXPECT_EQ(sheet[4][4], "assessment.wb.answer");  // the headers are the catalogue's
  EXPECT_NE(sheet[7][7].find("a: A;B\nb: B\n"), std::string::npos) << sheet[7][7];  // values, with their meaning
  EXPECT_NE(sheet[6][7].find("low: Same\nhigh: Same"), std::string::npos) << sheet[6][7];  // what each value means
  auto read = ReadWorkbook(*def, *xlsx, TestWords);
  ASSERT_TRUE(read.ok()) << read.status().message();
  for (const auto& cell : read->answers) EXPECT_EQ(cell.value, stored[cell.question]["value"]) << cell.question;
  // A label that is another option's stored value would read that value as this option: the
  // cells take the values. The Arabic semicolon separates several choices as ";" does.
  auto swapped = ParseDefinition(
      OneSection(R"(      - {id: S, type: single_choice, text: s, options: [{value: low, label: high}, {value: high, label: Low, score: 1}]}
      - {id: K, type: multiple_choice, text: k, options: [{value: a, label: A}, {value: b, label: B, score: 1}]}
)"),
      "swapped");
  ASSERT_TRUE(swapped.ok()) << swapped.status().message();
  std::map<std::string, Json> answers = {{"S", {{"value", J(R"({"value": "high"})")}}},
                                         {"K", {{"value", J(R"({"values": ["a", "b"]})")}}}};
  auto written = WriteWorkbook(*swapped, {{"id", "a"}, {"title", "t"}}, answers, "ar", TestWords);
  ASSERT_TRUE(written.ok());
  auto cells = xlsx::Read(*written);
  ASSERT_TRUE(cells.ok());
  EXPECT_EQ(cells->sheets["Assessment"][5][4], "high");
  EXPECT_EQ(cells->sheets["Assessment"][6][4], "A; B");
  auto again = ReadWorkbook(*swapped, *written, TestWords);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->answers[0].value, J(R"({"value": "high"})"));
}

TEST(Workbook, TheArabicSemicolonSeparatesChoices) {
  auto def = ParseDefinition(
      OneSection("      - {id: K, type: multiple_choice, text: k, options: [{value: a, label: A}, {value: b, label: B, score: 1}]}\n"),
      "k");
  ASSERT_TRUE(def.ok());
  auto xlsx = WriteWorkbook(*def, {{"id", "a"}, {"title", "t"}}, {}, "ar", TestWords).value();
  xlsx::Book book = xlsx::Read(xlsx).value();
  book.sheets["Assessment"][5][4] = "A\u061B B";
  auto read = ReadWorkbook(*def, cbrnhub::testing::WriteBook(book), TestWords);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->answers[0].value, J(R"({"values": ["a", "b"]})"));
}

// A zip bomb spreads over many parts, each under the per-part limit: the declared total is
// refused before anything is inflated.
TEST(Workbook, ArchiveExpandingBeyondTheTotalLimitIsRefusedBeforeReading) {
  auto def = ParseDefinition(kAllTypes, "all");
  std::string dir = ::testing::TempDir() + "/wb-bomb-" + std::to_string(::getpid());
  std::string cmd = "rm -rf " + dir + " && mkdir -p " + dir + "/x/xl && cd " + dir +
                    "/x && for i in 1 2 3 4 5; do head -c 15000000 /dev/zero > xl/part$i.bin; done"
                    " && zip -q -r ../bomb.xlsx . && rm -rf " +
                    dir + "/x";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dir + "/bomb.xlsx", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  ASSERT_LT(bytes.str().size(), 1u << 20);
  auto r = ReadWorkbook(*def, bytes.str(), TestWords);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unpacks to more than 64 MiB"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace cbrnhub::assessment
