// Messages with ICU plural and select forms, and values formatted for each language, on the
// catalogues as shipped (src/web/i18n/*.json).
#include "i18n/i18n.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cbrnhub::i18n {
namespace {

using nlohmann::json;

class Messages : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(catalogs_.Load().ok()); }
  std::string Entries(const std::string& lang, double count) {
    return catalogs_.Format(lang, "audit.entries", json{{"count", count}});
  }
  std::string Entries(const std::string& lang, int count) {
    return catalogs_.Format(lang, "audit.entries", json{{"count", count}});
  }
  Catalogs catalogs_;
};

// Russian: one (1, 21, 101), few (2-4, 22), many (0, 5-20, 100), other (fractions).
TEST_F(Messages, RussianPluralCategories) {
  EXPECT_EQ(Entries("ru", 1), "1 запись");
  EXPECT_EQ(Entries("ru", 2), "2 записи");
  EXPECT_EQ(Entries("ru", 4), "4 записи");
  EXPECT_EQ(Entries("ru", 5), "5 записей");
  EXPECT_EQ(Entries("ru", 11), "11 записей");
  EXPECT_EQ(Entries("ru", 12), "12 записей");
  EXPECT_EQ(Entries("ru", 21), "21 запись");
  EXPECT_EQ(Entries("ru", 22), "22 записи");
  EXPECT_EQ(Entries("ru", 0), "0 записей");
  EXPECT_EQ(Entries("ru", 100), "100 записей");
  EXPECT_EQ(Entries("ru", 101), "101 запись");
  EXPECT_EQ(Entries("ru", 102), "102 записи");
  EXPECT_EQ(Entries("ru", 111), "111 записей");
  EXPECT_EQ(Entries("ru", 1.5), "1,5 записи");
  EXPECT_EQ(catalogs_.Format("ru", "home.regions", json{{"count", 8}}), "регионов");
  EXPECT_EQ(catalogs_.Format("ru", "home.partner_countries", json{{"count", 64}}),
            "страны-партнёра");
  EXPECT_EQ(catalogs_.Format("ru", "home.partner_countries", json{{"count", 59}}),
            "стран-партнёров");
}

// Arabic: zero, one, two, few (3-10, 103-110), many (11-99, 111-199), other (100-102).
TEST_F(Messages, ArabicPluralCategories) {
  EXPECT_EQ(Entries("ar", 0), "لا قيود");
  EXPECT_EQ(Entries("ar", 1), "قيد واحد");
  EXPECT_EQ(Entries("ar", 2), "قيدان");
  EXPECT_EQ(Entries("ar", 3), "3 قيود");
  EXPECT_EQ(Entries("ar", 10), "10 قيود");
  EXPECT_EQ(Entries("ar", 11), "11 قيدًا");
  EXPECT_EQ(Entries("ar", 21), "21 قيدًا");
  EXPECT_EQ(Entries("ar", 99), "99 قيدًا");
  EXPECT_EQ(Entries("ar", 100), "100 قيد");
  EXPECT_EQ(Entries("ar", 102), "102 قيد");
  EXPECT_EQ(Entries("ar", 105), "105 قيود");
  EXPECT_EQ(Entries("ar", 111), "111 قيدًا");
}

// English and French: French counts 0 and 1 as singular.
TEST_F(Messages, EnglishAndFrenchPlurals) {
  EXPECT_EQ(Entries("en", 1), "1 entry");
  EXPECT_EQ(Entries("en", 0), "0 entries");
  EXPECT_EQ(Entries("en", 1234), "1,234 entries");
  EXPECT_EQ(Entries("fr", 0), "0 entrée");
  EXPECT_EQ(Entries("fr", 1), "1 entrée");
  EXPECT_EQ(Entries("fr", 2), "2 entrées");
}

// A message without the arguments it names, or a key nobody wrote, never vanishes.
TEST_F(Messages, MissingArgumentsAndKeysStayVisible) {
  EXPECT_FALSE(catalogs_.Format("ru", "audit.entries", json::object()).empty());
  EXPECT_EQ(catalogs_.Format("ru", "no.such.key", json{{"count", 1}}), "no.such.key");
  EXPECT_EQ(MessageArguments("{count, plural, one {# x} other {# y}} {who}").value(),
            (std::vector<std::string>{"count", "who"}));
  EXPECT_FALSE(MessageArguments("{count, plural, one {# x}").ok());
  EXPECT_FALSE(MessageArguments("{count, plural, one {# x}}").ok()) << "a plural without other";
  // Parses, but ICU cannot format it: a number skeleton it does not know.
  EXPECT_FALSE(MessageArguments("{mean, number, ::precision-fraction-/2}").ok());
  EXPECT_TRUE(MessageArguments("{mean, number, ::.##}").ok());
}

// Why a priority ranks where it does: one sentence per language, the gap counted in points with
// each language's plural forms, the percentages and the weight in the language's own format.
TEST_F(Messages, PriorityReasonInEachLanguage) {
  auto reason = [&](const std::string& lang, int gap) {
    Presenter present(catalogs_, lang);
    return present.Text("assessment.priority_reason",
                        json{{"score", present.Percent(40)}, {"target", present.Percent(80)},
                             {"gap", gap}, {"weight", present.Number(1.5, 2)}});
  };
  EXPECT_EQ(reason("en", 40), "Score 40% against a target of 80%: a gap of 40 points, weighted 1.5.");
  EXPECT_EQ(reason("en", 1), "Score 40% against a target of 80%: a gap of 1 point, weighted 1.5.");
  EXPECT_NE(reason("fr", 40).find("1,5"), std::string::npos) << reason("fr", 40);
  EXPECT_NE(reason("ru", 21).find("21 пункт,"), std::string::npos) << reason("ru", 21);
  EXPECT_NE(reason("ru", 3).find("3 пункта"), std::string::npos) << reason("ru", 3);
  EXPECT_NE(reason("ru", 40).find("40 пунктов"), std::string::npos) << reason("ru", 40);
  EXPECT_NE(reason("ar", 2).find("نقطتان"), std::string::npos) << reason("ar", 2);
  for (const char* lang : {"en", "fr", "ru", "ar"}) {
    EXPECT_EQ(reason(lang, 5).find('{'), std::string::npos) << lang << ": " << reason(lang, 5);
  }
}

// A question's own reason, as the scoring gives it (a message key and values): worded by each
// language, the stored answer codes by their labels, counts with the language's plurals.
TEST_F(Messages, QuestionReasonsInEachLanguage) {
  auto text = [&](const std::string& lang, const std::string& key, const json& args) {
    return Presenter(catalogs_, lang).Text("assessment.reason." + key, args);
  };
  EXPECT_EQ(text("en", "level_not_yet", {{"level", 2}, {"next", "Developed"}}),
            "Level 2 of 5: not yet “Developed”.");
  EXPECT_EQ(text("fr", "presence", {{"status", "not_in_place"}}), "Réponse « pas en place ».");
  EXPECT_EQ(text("ru", "answer", {{"value", "partial"}}), "Ответ: «частично».");
  EXPECT_EQ(text("ar", "answer", {{"value", "not_applicable"}}), "الإجابة: «لا ينطبق».");
  EXPECT_EQ(text("ru", "selected", {{"count", 3}}), "Выбрано 3 варианта.");
  EXPECT_EQ(text("ru", "selected", {{"count", 5}}), "Выбрано 5 вариантов.");
  EXPECT_NE(text("fr", "number", {{"value", 48000}, {"unit", "personnes"}, {"target", 100000}})
                .find("personnes pour une cible de 100"),
            std::string::npos);
  for (const char* lang : {"en", "fr", "ru", "ar"}) {
    for (const char* key : {"not_answered", "does_not_fit", "no_reference"}) {
      std::string t = text(lang, key, json::object());
      EXPECT_TRUE(t.find('{') == std::string::npos && t.find("assessment.") == std::string::npos)
          << lang << ": " << t;
    }
  }
}

// Countries in drop-downs: in the order of the reader's language, not of the bytes.
TEST(Collation, CountriesAreSortedByTheirNamesInEachLanguage) {
  EXPECT_EQ(CollationOrder("fr", {"Zambie", "Égypte", "Djibouti", "Érythrée"}),
            (std::vector<size_t>{2, 1, 3, 0}));
  EXPECT_EQ(CollationOrder("en", {"b", "A", "a"}), (std::vector<size_t>{2, 1, 0}));
  for (const char* lang : {"en", "fr", "ru", "ar"}) {
    const auto& countries = CountriesByName(lang);
    ASSERT_GT(countries.size(), 200u) << lang;
    std::vector<std::string> names;
    std::map<std::string, std::string> by_code;
    for (const auto& [code, name] : countries) {
      names.push_back(name);
      by_code[code] = name;
    }
    // Already in the language's order: sorting again changes nothing.
    auto order = CollationOrder(lang, names);
    for (size_t i = 0; i < order.size(); ++i) ASSERT_EQ(order[i], i) << lang << " at " << i;
    EXPECT_EQ(by_code["UZ"], CountryName("UZ", lang, "UZ")) << lang;
  }
  // French: Egypt (Égypte) before Eritrea (Érythrée), both before Spain (Espagne).
  std::vector<std::string> fr;
  for (const auto& [code, name] : CountriesByName("fr")) {
    if (code == "EG" || code == "ER" || code == "ES") fr.push_back(code);
  }
  EXPECT_EQ(fr, (std::vector<std::string>{"EG", "ER", "ES"}));
  // Russian: by the Cyrillic names (Узбекистан after Таджикистан), not by the codes.
  std::vector<std::string> ru;
  for (const auto& [code, name] : CountriesByName("ru")) {
    if (code == "UZ" || code == "TJ" || code == "AF") ru.push_back(code);
  }
  EXPECT_EQ(ru, (std::vector<std::string>{"AF", "TJ", "UZ"}));
}

TEST(Formatting, DatesInEachLanguageWithoutRawIso) {
  EXPECT_EQ(FormatDate("en", "2026-03-01"), "Mar 1, 2026");
  EXPECT_EQ(FormatDate("fr", "2026-03-01"), "1 mars 2026");
  EXPECT_EQ(FormatDate("en", "2026-03-01T23:30:00.123Z"), "Mar 1, 2026");
  // Times are shown in UTC whatever offset they were stored with.
  EXPECT_EQ(FormatDateTime("en", "2026-03-01T23:30:00.123+02:00"),
            FormatDateTime("en", "2026-03-01T21:30:00Z"));
  std::string ru = FormatDateTime("ru", "2026-03-01T09:05:07.123Z");
  EXPECT_NE(ru.find("2026"), std::string::npos) << ru;
  EXPECT_NE(ru.find("09:05"), std::string::npos) << ru;
  EXPECT_EQ(ru.find(".123"), std::string::npos) << ru;
  EXPECT_EQ(ru.find("T09"), std::string::npos) << ru;
  std::string ar = FormatDate("ar", "2026-03-01");
  EXPECT_NE(ar.find("2026"), std::string::npos) << "Western digits in Arabic: " << ar;
  // Not a date: left as it is.
  EXPECT_EQ(FormatDate("en", "soon"), "soon");
  EXPECT_EQ(FormatDate("en", "2026-13-01"), "2026-13-01");
  EXPECT_EQ(FormatDateTime("en", "2026-03-01T25"), "2026-03-01T25");
  EXPECT_EQ(FormatDate("en", ""), "");
}

TEST(Formatting, NumbersPercentagesAndAmounts) {
  EXPECT_EQ(FormatNumber("en", 48000), "48,000");
  EXPECT_EQ(FormatNumber("en", 2.25, 1), "2.2");
  EXPECT_EQ(FormatPercent("en", 40), "40%");
  EXPECT_EQ(FormatMoney("en", 48000, "USD"), "$48,000");
  EXPECT_EQ(FormatMoney("en", 1234.5, "EUR"), "€1,234.50");
  EXPECT_EQ(FormatMoney("fr", 48000, "USD"), "48\u202f000\u00a0$US");
  EXPECT_EQ(FormatNumber("fr", 48000.5), "48\u202f000,5");
  EXPECT_EQ(FormatNumber("ru", 48000), "48\u00a0000");
  EXPECT_EQ(FormatNumber("ar", 48000), "48,000");
  // Not an ISO 4217 code: the number and what was written.
  EXPECT_EQ(FormatMoney("en", 48000, "dollars"), "48,000 dollars");
  EXPECT_EQ(FormatMoney("en", 48000, ""), "48,000");
}

}  // namespace
}  // namespace cbrnhub::i18n
