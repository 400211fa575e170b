// Sanctions-list importers on the real published files (and broken copies of them), and the
// matching engine on transliteration, word order, company forms and secondary facts.
#include "sanctions/sanctions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "sanctions/names.h"
#include "test_support.h"

namespace cbrnhub::sanctions {
namespace {

std::string Read(const std::string& name) {
  std::ifstream in(testing::SharedDataDir() + "/sanctions/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

TEST(UnXml, RealListCountsAgreeWithTheFile) {
  std::string xml = Read("un_consolidated.xml");
  ASSERT_FALSE(xml.empty()) << "shared data missing";
  auto list = ParseUnXml(xml, "un.xml");
  ASSERT_TRUE(list.ok()) << list.status().message();
  size_t individuals = Count(xml, "<INDIVIDUAL>"), entities = Count(xml, "<ENTITY>");
  EXPECT_EQ(list->entities.size(), individuals + entities);
  EXPECT_EQ(list->source_date, "2026-05-08");
  size_t aliases = 0, originals = 0;
  for (const auto& e : list->entities) {
    for (const auto& n : e.names) {
      aliases += n.type == "aka" || n.type == "weak";
      originals += n.type == "original";
    }
  }
  EXPECT_EQ(aliases, Count(xml, "<ALIAS_NAME>"));
  EXPECT_EQ(originals, Count(xml, "<NAME_ORIGINAL_SCRIPT>"));
  const Entity* anizi = nullptr;
  for (const auto& e : list->entities) {
    if (e.entity_id == "QDi.335") anizi = &e;
  }
  ASSERT_NE(anizi, nullptr);
  EXPECT_EQ(anizi->names[0].text, "‘ABD AL-RAHMAN KHALAF ‘UBAYD JUDAY’ AL-‘ANIZI");
  EXPECT_EQ(anizi->countries[0], "KW");
  EXPECT_FALSE(anizi->identifiers.empty());
}

TEST(UnXml, TruncatedCorruptAndForeignFilesAreRefusedWithALine) {
  std::string xml = Read("un_consolidated.xml");
  auto truncated = ParseUnXml(xml.substr(0, xml.size() / 2), "un.xml");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().field().find("un.xml"), std::string::npos);
  EXPECT_NE(truncated.status().message().find("line"), std::string::npos);
  std::string broken = xml;
  broken.replace(broken.find("<REFERENCE_NUMBER>QDi.335</REFERENCE_NUMBER>"), 44,
                 "<REFERENCE_NUMBER></REFERENCE_NUMBER>");
  auto no_ref = ParseUnXml(broken, "un.xml");
  ASSERT_FALSE(no_ref.ok());
  EXPECT_NE(no_ref.status().field().find("line"), std::string::npos);
  auto foreign = ParseUnXml("<?xml version=\"1.0\"?><sdnList></sdnList>", "x.xml");
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("CONSOLIDATED_LIST"), std::string::npos);
  EXPECT_FALSE(ParseUnXml("", "empty.xml").ok());
  // Latin-1 bytes in a file that says UTF-8: refused with the line, not stored broken.
  std::string latin1 = xml;
  latin1.replace(latin1.find("GEDO"), 1, "\xc9");
  auto wrong_encoding = ParseUnXml(latin1, "un.xml");
  ASSERT_FALSE(wrong_encoding.ok());
  EXPECT_NE(wrong_encoding.status().message().find("not valid UTF-8"), std::string::npos);
  EXPECT_FALSE(ParseUnXml(std::string("\xff\xfe<\x00", 4), "binary.xml").ok());
}

// Our own fixture in the published schema of the EU Financial Sanctions Database export (the
// fuzz seed too): one person with a Cyrillic and a weak alias, one enterprise named first in
// Arabic.
std::string EuFixture() {
  std::ifstream in(std::string(CBRNHUB_SOURCE_DIR) + "/fuzz/corpus/eu_xml/small.xml",
                   std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(EuXml, EntitiesNamesDatesDocumentsAndProgrammes) {
  std::string xml = EuFixture();
  ASSERT_FALSE(xml.empty());
  auto list = ParseEuXml(xml, "eu.xml");
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->format, "eu-xml");
  EXPECT_EQ(list->source_date, "2026-11-20");
  ASSERT_EQ(list->entities.size(), 2u);
  const Entity& person = list->entities[0];
  EXPECT_EQ(person.entity_id, "EU.1001.01");
  EXPECT_EQ(person.kind, EntityKind::kIndividual);
  ASSERT_EQ(person.names.size(), 3u);
  EXPECT_EQ(person.names[0].text, "Ivan Sergeyevich Petrov");
  EXPECT_EQ(person.names[1].type, "original");
  EXPECT_EQ(person.names[2].type, "weak");
  EXPECT_EQ(person.birth_dates, std::vector<std::string>{"1970-03-02"});
  EXPECT_EQ(person.countries, std::vector<std::string>{"RU"});
  EXPECT_EQ(person.identifiers,
            std::vector<std::string>{"National passport 7212345678 (RUSSIAN FEDERATION)"});
  EXPECT_EQ(person.programmes, std::vector<std::string>{"UKR"});
  const Entity& company = list->entities[1];
  EXPECT_EQ(company.kind, EntityKind::kOrganisation);
  EXPECT_EQ(company.names[0].text, "Al Noor Trading Company")
      << "the Latin name is the primary one";
  EXPECT_EQ(company.names[0].type, "primary");
  EXPECT_EQ(company.listed_on, "2012-01-24");
  Index index({{"eu", std::make_shared<ListFile>(std::move(*list))}});
  Party p;
  p.name = "Петров Иван";
  auto c = index.Screen(p);
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(index.entity(c[0]).entity_id, "EU.1001.01");
}

TEST(EuXml, BrokenAndForeignFilesAreRefusedWithALine) {
  std::string xml = EuFixture();
  auto truncated = ParseEuXml(xml.substr(0, xml.size() / 2), "eu.xml");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("line"), std::string::npos);
  std::string twice = xml;
  twice.replace(twice.find("EU.1002.02"), 10, "EU.1001.01");
  auto duplicate = ParseEuXml(twice, "eu.xml");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("appears twice"), std::string::npos);
  EXPECT_NE(duplicate.status().field().find("line"), std::string::npos);
  auto foreign = ParseEuXml("<?xml version=\"1.0\"?><CONSOLIDATED_LIST/>", "x.xml");
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("<export>"), std::string::npos);
  EXPECT_FALSE(ParseEuXml("<export/>", "empty.xml").ok());
  std::string latin1 = xml;
  latin1.replace(latin1.find("Ivan"), 1, "\xc9");
  EXPECT_FALSE(ParseEuXml(latin1, "eu.xml").ok());
}

TEST(OfacCsv, RealTripleCountsAgreeWithTheFiles) {
  std::string sdn = Read("ofac_sdn.csv"), add = Read("ofac_add.csv"), alt = Read("ofac_alt.csv");
  auto list = ParseOfacCsv(sdn, add, alt, "ofac");
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->entities.size(), 14965u);  // lines of sdn.csv, less the Ctrl-Z line
  size_t aliases = 0;
  for (const auto& e : list->entities) aliases += e.names.size() - 1;
  EXPECT_EQ(aliases,
            17533u);  // alt rows whose ent_num is in this sdn.csv (counted with Python's csv)
  const Entity* zawahiri = nullptr;
  for (const auto& e : list->entities) {
    if (e.entity_id == "2676") zawahiri = &e;
  }
  ASSERT_NE(zawahiri, nullptr);
  EXPECT_EQ(zawahiri->kind, EntityKind::kIndividual);
  EXPECT_EQ(zawahiri->birth_dates[0], "1951-06-19");
  EXPECT_NE(std::find(zawahiri->identifiers.begin(), zawahiri->identifiers.end(),
                      "Passport 1084010 (Egypt)"),
            zawahiri->identifiers.end());
  // Re-parsing is deterministic: the same fingerprints.
  auto again = ParseOfacCsv(sdn, add, alt, "ofac");
  EXPECT_EQ(again->entities[100].Fingerprint(), list->entities[100].Fingerprint());
}

TEST(OfacCsv, BrokenRowsNameTheFileAndLine) {
  std::string sdn = Read("ofac_sdn.csv");
  std::string bad = sdn;
  bad.insert(bad.find('\n', 1000) + 1,
             "x12,\"SOMEONE\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n");
  auto r = ParseOfacCsv(bad, "", "", "sdn.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().field().find("line"), std::string::npos);
  EXPECT_NE(r.status().message().find("not a number"), std::string::npos);
  auto short_row = ParseOfacCsv("36,\"AEROCARIBBEAN AIRLINES\",-0- \n", "", "", "sdn.csv");
  ASSERT_FALSE(short_row.ok());
  EXPECT_NE(short_row.status().message().find("expected 12 fields"), std::string::npos);
  auto quote = ParseOfacCsv("36,\"AEROCARIBBEAN AIRLINES,-0- ,-0- \n", "", "", "sdn.csv");
  EXPECT_FALSE(quote.ok());
  auto dup = ParseOfacCsv(sdn.substr(0, sdn.find('\n') + 1) + sdn.substr(0, sdn.find('\n') + 1), "",
                          "", "sdn.csv");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("twice"), std::string::npos);
}

TEST(ListCsv, OurFormatWithErrorsByLineAndField) {
  auto ok = ParseListCsv(
      "id,name,kind,aliases,birth_dates,countries,identifiers\n"
      "N-1,Ivan Petrov,individual,Иван Петров|I. Petrov,1970-03-02,RU|Kazakhstan,Passport 123456\n"
      "N-2,Tashkent Precursor Trading LLC,organisation,,,UZ,\n",
      "national.csv");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->entities.size(), 2u);
  EXPECT_EQ(ok->entities[0].names.size(), 3u);
  EXPECT_EQ(ok->entities[0].countries, (std::vector<std::string>{"RU", "KZ"}));
  auto missing = ParseListCsv("id,full_name\n1,x\n", "n.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("name"), std::string::npos);
  auto bad_date = ParseListCsv("id,name,birth_dates\n1,A B,1970\n2,C D,03/02/1970\n", "n.csv");
  ASSERT_FALSE(bad_date.ok());
  EXPECT_EQ(bad_date.status().field(), "n.csv line 3 field birth_dates");
  auto bad_country = ParseListCsv("id,name,countries\n1,A B,Atlantis\n", "n.csv");
  ASSERT_FALSE(bad_country.ok());
  EXPECT_EQ(bad_country.status().field(), "n.csv line 2 field countries");
  EXPECT_FALSE(ParseListCsv("id,name\n1,A\n1,B\n", "n.csv").ok());  // duplicate id
  EXPECT_FALSE(ParseListCsv("id,name\n1," + std::string(2000, 'a') + "\n", "n.csv").ok());
  // Windows-1252 bytes are read, not refused.
  auto cp1252 = ParseListCsv("id,name\n1,Jos\xe9 M\xfcller\n", "n.csv");
  ASSERT_TRUE(cp1252.ok());
  EXPECT_EQ(cp1252->entities[0].names[0].text, "José Müller");
}

// A small list for the matching cases.
class Matching : public ::testing::Test {
 protected:
  void SetUp() override {
    auto list = ParseListCsv(
        "id,name,kind,aliases,birth_dates,countries,identifiers\n"
        "P-1,Sergey Viktorovich Shchukin,individual,,1968-05-14,RU,Passport 7212345678\n"
        "P-2,Abdurakhmon Qodirov,individual,,1979,UZ,\n"
        "P-3,Nursultan Abishuly,individual,,1985,KZ,\n"
        "P-4,Abd al-Rahman Khalaf al-Anizi,individual,,1976,KW,\n"
        "P-5,Tashkent Precursor Trading LLC,organisation,,,UZ,\n"
        "P-6,Yevgeniy Kuznetsov,individual,,1960,RU,\n"
        "P-7,Mohammed Yousef Haidari,individual,,,AF,\n"
        "P-8,Ivan Petrov,individual,,1970-03-02,RU,\n"
        "P-9,Usama bin Muhammad bin Awad bin Ladin,individual,,1957,SA,\n"
        "P-10,Abdul Ghafar Shinwari,individual,,,AF,\n"
        "P-11,Georgiy Konstantinovich Zhukov,individual,,,RU,\n"
        "P-12,Ramon Carrizales,individual,,,MX,\n",
        "test.csv");
    ASSERT_TRUE(list.ok()) << list.status().message();
    index_ = std::make_unique<Index>(
        std::vector<Index::Source>{{"test", std::make_shared<ListFile>(std::move(*list))}});
  }
  // The id of the best candidate for `name` at the default threshold, or "".
  std::string Best(const std::string& name, const std::string& birth = "",
                   const std::string& country = "") {
    Party p;
    p.name = name;
    p.birth_date = birth;
    p.country = country;
    auto c = index_->Screen(p);
    return c.empty() ? "" : index_->entity(c[0]).entity_id;
  }
  std::unique_ptr<Index> index_;
};

TEST_F(Matching, RussianCyrillicAndOtherTransliterations) {
  EXPECT_EQ(Best("Сергей Викторович Щукин"), "P-1");
  EXPECT_EQ(Best("Sergei Shchukin"), "P-1");  // no patronymic
  EXPECT_EQ(Best("SCHUKIN, Sergej"), "P-1");  // German-style, reordered
  EXPECT_EQ(Best("Евгений Кузнецов"), "P-6");
  EXPECT_EQ(Best("Evgenii Kuznetsov"), "P-6");                  // passport-style transliteration
  EXPECT_EQ(Best("Georgi Konstantinowitsch Schukow"), "P-11");  // German-style
  EXPECT_EQ(Best("Gueorgui Joukov"), "P-11");                   // French-style
}

// Russian writes a foreign h as г (Гасан, Ибрагим, Могамед), which its romanisations give back
// as g. Latin gh is another sound (غ): Ghassan is not Hassan.
TEST_F(Matching, RussianWritesAForeignHAsG) {
  auto how_of = [&](const std::string& party, const std::string& listed, const std::string& part) {
    Party p;
    p.name = party;
    Json why = index_->ScoreAgainst(p, listed).explanation();
    for (const auto& pairing : why["parts"]) {
      if (pairing["party"] == part) return pairing["how"].get<std::string>();
    }
    return std::string("unpaired");
  };
  Party p;
  p.name = "Ибрагим Могамед";
  EXPECT_GE(index_->ScoreAgainst(p, "Ibrahim Mohamed").score, DefaultThreshold());
  EXPECT_EQ(how_of("Ибрагим Могамед", "Ibrahim Mohamed", "mogamed"), "romanisation variant");
  EXPECT_EQ(how_of("Гасан Агмад", "Hasan Ahmad", "agmad"), "romanisation variant");
  EXPECT_NE(how_of("Ghassan Haddad", "Hassan Haddad", "ghassan"), "romanisation variant");
}

// ё is yo in most Latin spellings and e in BGN/PCGN and passports; Tajik ҷ is Russian дж (ICU
// has no table that reads it: it was dropped).
TEST_F(Matching, CyrillicAsClerksWriteIt) {
  auto score = [&](const std::string& party, const std::string& listed) {
    Party p;
    p.name = party;
    return index_->ScoreAgainst(p, listed).score;
  };
  EXPECT_GE(score("Фёдор Семёнов", "Fyodor Semyonov"), DefaultThreshold());
  EXPECT_GE(score("Фёдор Семёнов", "Fedor Semenov"), DefaultThreshold());
  EXPECT_GE(score("Fyodor Semyonov", "Fedor Semenov"), DefaultThreshold());
  EXPECT_GE(score("Сим Хён Соп", "SIM, Hyon Sop"), DefaultThreshold());  // Korean names
  EXPECT_GE(score("Ёсеф Аяд", "Yosef Ayad"), DefaultThreshold());
  EXPECT_EQ(TransliterateToAscii("Ҷӯраев"), "dzhurayev");
  // German ije for ие / ье, and honorifics as clerks write them in Cyrillic and German.
  EXPECT_GE(score("Kusnezowa Anna Jurijewna", "KUZNETSOVA, Anna Yurievna"), DefaultThreshold());
  EXPECT_GE(score("Ализаи Хаджи Азизуллах", "ALIZAI, Haji Azizullah"), DefaultThreshold());
  EXPECT_GE(score("Scheich Muhammad Naeem", "SHEIKH, Muhammad Naeem"), DefaultThreshold());
  // After a particle a title is a family name, kept on both sides.
  Party ould;
  ould.name = "Saleck Ould Cheikh";
  Json why = index_->ScoreAgainst(ould, "MOHAMEDOU, Saleck Ould Cheikh").explanation();
  bool paired = false;
  for (const auto& part : why["parts"])
    paired |= part["party"] == "cheikh" && part["listed"] == "cheikh";
  EXPECT_TRUE(paired) << why.dump();
  // Passports write й and и before o as i (Iosif), German as j (Jossif).
  EXPECT_GE(score("Jossif Kobson", "Iosif Kobzon"), DefaultThreshold());
  EXPECT_GE(score("Ҷамшед Раҳимов", "Jamshed Rakhimov"), DefaultThreshold());
}

// Regression: the vocabulary was keyed by the romanised text alone, so when an Arabic-script
// name (محمد خان, read "khan") came first, every Latin Khan of the index compared as Arabic
// script (by its Arabic key only) and German-style "Chan" no longer met it.
TEST(Vocabulary, ArabicScriptAndLatinWordsOfOneSpellingAreApart) {
  auto list = ParseListCsv("id,name\nP-0,محمد خان\nP-1,\"KHAN, Abid Ali\"\n", "test.csv");
  ASSERT_TRUE(list.ok()) << list.status().message();
  Index index({{"test", std::make_shared<ListFile>(std::move(*list))}});
  for (const char* party : {"Chan Abid Ali", "Khan Abid Ali"}) {
    Party p;
    p.name = party;
    auto c = index.Screen(p);
    ASSERT_FALSE(c.empty()) << party;
    EXPECT_EQ(index.entity(c[0]).entity_id, "P-1") << party;
  }
  Party arabic;
  arabic.name = "محمد خان";
  auto c = index.Screen(arabic);
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(index.entity(c[0]).entity_id, "P-0");
}

TEST_F(Matching, UzbekAndKazakhCyrillic) {
  EXPECT_EQ(Best("Абдурахмон Қодиров"), "P-2");
  EXPECT_EQ(Best("Kodirov Abdurahmon"), "P-2");
  EXPECT_EQ(Best("Нұрсұлтан Әбішұлы"), "P-3");
}

TEST_F(Matching, ArabicScriptArticlesAndJoinedNames) {
  EXPECT_EQ(Best("Abdurrahman al Anizi Khalaf"), "P-4");
  EXPECT_EQ(Best("ABD AL RAHMAN KHALAF ALANIZI"), "P-4");
  EXPECT_EQ(Best("Muhammad Yusuf Haydari"), "P-7");
  EXPECT_EQ(Best("محمد يوسف حيدري"), "P-7");
}

TEST_F(Matching, ArabicScriptPartiesAgainstLatinOnlyEntries) {
  // Long vowels written, short ones not; bin written بن; the article and abd joined or apart.
  EXPECT_EQ(Best("أسامة بن محمد بن عوض بن لادن"), "P-9");
  EXPECT_EQ(Best("عبدالغفار شینواری"), "P-10");  // Persian letters, abd al- written together
  EXPECT_EQ(Best("عبد الغفار شينواري"), "P-10");
  Party p;
  p.name = "عبد الغفار شينواري";
  auto c = index_->Screen(p);
  ASSERT_FALSE(c.empty());
  EXPECT_NE(c[0].explanation().dump().find("Arabic consonants agree"), std::string::npos);
  auto score = [&](const std::string& party, const std::string& listed) {
    Party q;
    q.name = party;
    return index_->ScoreAgainst(q, listed).score;
  };
  // ث is th in Arabic names and s in Persian, Turkish and Urdu ones; only ث (not ت + ح, فتحي
  // Fathi), and only against Latin (ثامر Thamer is not سامر Samer).
  for (const char* latin : {"Osman Ahmed", "Usman Ahmed", "Uthman Ahmed"})
    EXPECT_GE(score("عثمان أحمد", latin), DefaultThreshold()) << latin;
  EXPECT_GE(score("فتحي أحمد", "Fathi Ahmed"), DefaultThreshold());
  EXPECT_LT(score("فتحي أحمد", "Fasi Ahmed"), DefaultThreshold());
  EXPECT_LT(score("ثامر أحمد", "سامر أحمد"), DefaultThreshold());
  // The al of abd al-Qadir is written with Abdulqader, not paired with the al of al-Baghdadi.
  EXPECT_GE(score("عبد القادر محمد البغدادي", "ABDULQADER MOHAMMED AL-BAGHDADI"),
            DefaultThreshold());
}

TEST_F(Matching, MasculineAndFeminineFormsAreToldApartUnlessFactsAgree) {
  EXPECT_EQ(Best("Ivan Petrov"), "P-8");
  EXPECT_EQ(Best("Ivana Petrova"), "") << "another person: the feminine forms of both names";
  EXPECT_EQ(Best("Иван Петров"), "P-8");
  Party p;
  p.name = "Ivana Petrova";
  p.birth_date = "1970-03-02";
  auto c = index_->Screen(p);
  ASSERT_FALSE(c.empty()) << "the same date of birth outweighs the form of the name";
  bool outweighed = false;
  Json why = c[0].explanation();
  for (const auto& f : why["facts"])
    outweighed |= f["fact"] == "gender" && f["outcome"] == "outweighed";
  EXPECT_TRUE(outweighed) << why.dump();
  EXPECT_LT(index_->ScoreAgainst(p, "Jeanne Dupont").score, DefaultThreshold()) << "Jean / Jeanne";
}

// Regression: Jaro-Winkler rewarded the common beginning of Karim and Carrizales, and Armen and
// Ramon have the same consonants.
TEST_F(Matching, ACommonBeginningOrTheSameConsonantsAreNotEnough) {
  EXPECT_EQ(Best("Armen Karim"), "");
  Party p;
  p.name = "Jean Dupont";
  EXPECT_LT(index_->ScoreAgainst(p, "Jeanne Dupont").score, DefaultThreshold());
}

// Two names whose parts only look alike, one a consonant or two apart, are two typos or another
// person; one typo, or vowels that differ, still match.
TEST_F(Matching, NamesWhosePartsOnlyLookAlikeAreCapped) {
  auto score_of = [&](const std::string& party, const std::string& listed) {
    Party p;
    p.name = party;
    return index_->ScoreAgainst(p, listed);
  };
  for (const auto& [party, listed] : std::vector<std::pair<std::string, std::string>>{
           {"Mary Safari", "Mani Jafari"}, {"Karim Ahad", "Ahmad Karimi"},
           {"Sarah al-Ajouri", "Salah al-Aruri"}}) {
    Candidate c = score_of(party, listed);
    EXPECT_LE(c.score, 0.75) << party;
    EXPECT_EQ(c.explanation().value("capped_reason", ""), "only_alike") << party;
  }
  for (const auto& [party, listed] : std::vector<std::pair<std::string, std::string>>{
           {"Mohammad Safrai", "Mohammad Safari"},   // one typo
           {"Mohamed Ahmad", "Muhammad Ahmed"},      // vowels alone
           {"Usama bin Ladin", "Osama bin Laden"},   // vowels, and a particle
           {"Moammar Gaddafi", "Muammar Qadhafi"},   // ق written g or q, ذ dh or d
           {"Moamer Kadhafi", "QADHAFI, Muammar"}})  // m, m, r: three consonants written
  {
    Candidate c = score_of(party, listed);
    EXPECT_GE(c.score, DefaultThreshold()) << party;
    EXPECT_FALSE(c.explanation().contains("capped")) << party;
  }
}

TEST_F(Matching, CompanyFormsInSeveralLanguagesAreIgnored) {
  EXPECT_EQ(Best("ООО «Ташкент Прекурсор Трейдинг»"), "P-5");
  EXPECT_EQ(Best("Tashkent Precursor Trading MChJ"), "P-5");
  Party p;
  p.name = "TOO Tashkent Precursor Trading";
  auto c = index_->Screen(p);
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0].explanation()["party_words_ignored"][0], "too");
}

TEST_F(Matching, UnrelatedNamesAndSingleSharedPartsDoNotMatch) {
  EXPECT_EQ(Best("John Smith"), "");
  EXPECT_EQ(Best("Sergey Ivanov"), "");  // shares only the first name
  EXPECT_EQ(Best("Tashkent Textile Company"), "");
  EXPECT_EQ(Best("Mohammed"), "");
}

TEST_F(Matching, SecondaryFactsAgreeOrDisagree) {
  Party p;
  p.name = "Sergei Shchukin";
  double plain = index_->Screen(p)[0].score;
  p.birth_date = "1968-05-14";
  p.country = "RU";
  auto agree = index_->Screen(p);
  ASSERT_FALSE(agree.empty());
  EXPECT_GT(agree[0].score, plain);
  p.birth_date = "1995";
  p.country = "FR";
  EXPECT_EQ(index_->Screen(p).size(), 0u)
      << "born 27 years later, another country: not the listed person";
  p.birth_date = "";
  p.country = "";
  p.id_number = "72 1234 5678";
  auto id = index_->Screen(p);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(id[0].explanation()["facts"][0]["outcome"], "agrees");
  EXPECT_GT(id[0].score, plain);
}

TEST_F(Matching, ExplanationNamesEachPairing) {
  Party p;
  p.name = "Щукин Сергей";
  auto c = index_->Screen(p);
  ASSERT_FALSE(c.empty());
  auto why = c[0].explanation();
  ASSERT_EQ(why["parts"].size(), 2u);
  EXPECT_EQ(why["listed_parts_unmatched"][0], "viktorovich");
  EXPECT_GE(c[0].score, 0.0);
  EXPECT_LE(c[0].score, 1.0);
}

// Retrieval scores only the names it finds; ScreenOptions::exhaustive scores every listed name.
// On the real lists retrieval must never report a hit that exhaustive scoring does not, and may
// miss few. Known misses (docs/screening.md, "Retrieval against exhaustive scoring"): hits of
// the "written together / apart" rule and of names made of initials that share no other part
// with the party (Petro SA / Petropars Ltd, K. M. A.), and more hits than the 40 names scored
// (Global Inc.). Lower kMaxMissed as retrieval improves; 0 is the goal.
// Every 307th listed entity gives the queries; a sanitizer build scores about ten times slower,
// so it samples a fifth as many (the bound on differing screens is a rate, not a count).
#if defined(__SANITIZE_ADDRESS__)  // g++
#define CBRNHUB_ADDRESS_SANITIZER 1
#elif defined(__has_feature)  // clang, which scripts/test's sanitizer tree is built with
#if __has_feature(address_sanitizer)
#define CBRNHUB_ADDRESS_SANITIZER 1
#endif
#endif
#if defined(CBRNHUB_ADDRESS_SANITIZER)
constexpr size_t kEntityStride = 307 * 5;
#else
constexpr size_t kEntityStride = 307;
#endif

// The UN and OFAC lists of the shared data, indexed; null when they are missing or broken.
std::unique_ptr<Index> IndexOfTheRealLists() {
  std::string un_xml = Read("un_consolidated.xml");
  auto un = ParseUnXml(un_xml, "un.xml");
  auto ofac =
      ParseOfacCsv(Read("ofac_sdn.csv"), Read("ofac_add.csv"), Read("ofac_alt.csv"), "ofac");
  if (un_xml.empty() || !un.ok() || !ofac.ok()) return nullptr;
  return std::make_unique<Index>(
      std::vector<Index::Source>{{"un", std::make_shared<ListFile>(std::move(*un))},
                                 {"ofac", std::make_shared<ListFile>(std::move(*ofac))}});
}

TEST(Retrieval, FindsWhatScoringEveryListedNameFindsOnTheRealLists) {
  std::unique_ptr<Index> lists = IndexOfTheRealLists();
  ASSERT_TRUE(lists) << "shared data missing or unreadable";
  const Index& index = *lists;
  std::vector<std::string> queries;
  for (const auto& source : index.sources()) {
    const auto& entities = source.file->entities;
    for (size_t e = 0; e < entities.size(); e += kEntityStride) {
      for (const auto& name : entities[e].names) {
        std::vector<std::string> words;
        std::stringstream in(name.text);
        for (std::string w; in >> w;) words.push_back(w);
        if (words.empty()) continue;
        queries.push_back(name.text);
        // Word order, a part dropped, a typo (two letters swapped) in the longest word.
        std::string reordered;
        for (size_t i = 1; i <= words.size(); ++i) reordered += words[i % words.size()] + " ";
        queries.push_back(reordered);
        if (words.size() >= 3) queries.push_back(words.front() + " " + words.back());
        auto longest =
            std::max_element(words.begin(), words.end(),
                             [](const auto& a, const auto& b) { return a.size() < b.size(); });
        if (longest->size() >= 6) std::swap((*longest)[2], (*longest)[3]);
        std::string typo;
        for (const auto& w : words) typo += w + " ";
        queries.push_back(typo);
        break;  // the primary name
      }
    }
  }
  ASSERT_GT(queries.size(), 150u * 307 / kEntityStride);
  size_t differ = 0;
  for (const auto& query : queries) {
    Party party;
    party.name = query;
    ScreenOptions retrieved{0, 1000}, exhaustive{0, 1000};
    exhaustive.exhaustive = true;
    std::set<std::pair<size_t, size_t>> found, all;
    for (const auto& c : index.Screen(party, retrieved)) found.insert({c.list, c.entity});
    for (const auto& c : index.Screen(party, exhaustive)) all.insert({c.list, c.entity});
    for (const auto& hit : found)
      EXPECT_TRUE(all.count(hit)) << query << ": a hit exhaustive scoring does not report";
    if (found != all) {
      ++differ;
      std::cout << "retrieval missed a hit of exhaustive scoring: " << query << "\n";
    }
  }
  constexpr double kMaxMissed = 0.07;  // measured 2026-11-30: 9 screens of the sample differ
  EXPECT_LE(differ, static_cast<size_t>(kMaxMissed * queries.size()))
      << "of " << queries.size() << " screens";
}

// The index is built on several threads, and the screening threads share its cache of similar
// vocabulary: two threads screening the same names at once on a fresh index (so that both fill
// the cache, not only read it) find what one thread finds alone on another index, with the same
// scores and explanations.
TEST(Retrieval, TwoThreadsAtOnceFindWhatOneThreadFinds) {
  std::unique_ptr<Index> lists = IndexOfTheRealLists();
  std::unique_ptr<Index> fresh = IndexOfTheRealLists();
  ASSERT_TRUE(lists && fresh) << "shared data missing or unreadable";
  std::vector<std::string> queries;
  for (const auto& source : lists->sources()) {
    for (size_t e = 0; e < source.file->entities.size(); e += kEntityStride / 3) {
      for (const auto& name : source.file->entities[e].names) queries.push_back(name.text);
    }
  }
  queries.push_back("Мухаммад Юсуф");
  queries.push_back("محمد عبدالرحمن");
  auto screen_all = [&](const Index& index, size_t from, size_t step) {
    std::vector<std::string> out(queries.size());
    for (size_t i = from; i < queries.size(); i += step) {
      Party party;
      party.name = queries[i];
      for (const auto& c : index.Screen(party)) out[i] += c.explanation().dump() + "\n";
    }
    return out;
  };
  std::vector<std::string> alone = screen_all(*lists, 0, 1);
  std::vector<std::string> even, odd;
  std::thread first([&] { even = screen_all(*fresh, 0, 2); });
  std::thread second([&] { odd = screen_all(*fresh, 1, 2); });
  first.join();
  second.join();
  size_t hits = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    EXPECT_EQ(alone[i], i % 2 == 0 ? even[i] : odd[i]) << queries[i];
    hits += !alone[i].empty();
  }
  EXPECT_GT(hits, queries.size() / 2);
}

// Names whose score bound cannot reach the threshold (with the most the party's facts can add)
// are not scored in full: the candidates, their scores and explanations are those of scoring
// every retrieved name, at several thresholds, with facts that raise and lower scores, and for
// names that differ only in gender (an entity whose names are scored in part would choose
// another name).
TEST(Retrieval, ScoreBoundLeavesTheCandidatesAsTheyAre) {
  std::unique_ptr<Index> lists = IndexOfTheRealLists();
  ASSERT_TRUE(lists) << "shared data missing or unreadable";
  std::vector<Party> parties;
  for (const auto& source : lists->sources()) {
    const auto& entities = source.file->entities;
    for (size_t e = 0; e < entities.size(); e += kEntityStride / 3) {
      const Entity& entity = entities[e];
      std::string name = entity.names.front().text;
      Party plain;
      plain.name = name;
      parties.push_back(plain);
      // Petrov -> Petrova: the gender fact, and names of one entity on both sides of the bound.
      Party other_gender = plain;
      other_gender.name = name + "a";
      parties.push_back(other_gender);
      // Facts: the listed date of birth and country raise the score, another date lowers it.
      Party with_facts = plain;
      if (!entity.birth_dates.empty() && entity.birth_dates.front().size() >= 4)
        with_facts.birth_date = entity.birth_dates.front().substr(0, 4);
      if (!entity.countries.empty() && entity.countries.front().size() == 2)
        with_facts.country = entity.countries.front();
      with_facts.id_number = "AB1234567";
      parties.push_back(with_facts);
      Party born_later = other_gender;
      born_later.birth_date = "2001";
      parties.push_back(born_later);
      // The first part dropped: fewer parts to pair, more names near the threshold.
      if (size_t space = name.find(' '); space != std::string::npos) {
        Party shorter = plain;
        shorter.name = name.substr(space + 1);
        parties.push_back(shorter);
      }
    }
  }
  parties.push_back({"", "Мухаммад Юсуф", "", "", ""});
  parties.push_back({"", "محمد عبدالرحمن", "", "1960", ""});
  ASSERT_GT(parties.size(), 100u);
  auto describe = [&](const std::vector<Candidate>& found) {
    std::string out;
    for (const auto& c : found) {
      char scores[64];
      std::snprintf(scores, sizeof scores, " %.12f %.12f ", c.score, c.name_score);
      out += lists->entity(c).entity_id + scores + std::to_string(c.name) + " " +
             c.explanation().dump() + "\n";
    }
    return out;
  };
  size_t candidates = 0;
  for (double threshold : {0.7, 0.84, 0.95}) {
    for (const Party& party : parties) {
      ScreenOptions bounded{threshold, 1000}, full{threshold, 1000};
      full.full_scoring = true;
      std::vector<Candidate> found = lists->Screen(party, bounded);
      EXPECT_EQ(describe(found), describe(lists->Screen(party, full)))
          << party.name << " at " << threshold;
      candidates += found.size();
    }
  }
  EXPECT_GT(candidates, parties.size());  // mostly hits: the comparison is not of empty lists
}

TEST(Names, WordByWordTransliterationEqualsTheWholeNamesOnTheRealLists) {
  std::unique_ptr<Index> lists = IndexOfTheRealLists();
  ASSERT_TRUE(lists) << "shared data missing or unreadable";
  // Words where the transforms' rules depend on what precedes a letter (е, ё, ю, я, є, ї at the
  // start of a word and after a vowel), in every script the lists and the parties use.
  std::vector<std::string> names = {"Пётр Ефимович Еремеев",
                                    "Юлия Яковлева",
                                    "Алексей Ёлкин",
                                    "Әлия Ерланқызы",
                                    "Ўлмас Ёқубов",
                                    "Үмүт Эркинбеков",
                                    "Євген Їжакевич Юрченко",
                                    "Ян Ещенко-Ященко",
                                    "Ахмед  Ибрагимов ",
                                    "王小明 李",
                                    "Κωνσταντίνος Παππάς",
                                    "Ümit Öztürk Çelik",
                                    "José María Ñúñez",
                                    "محمد علي",
                                    "Hồ Chí Minh"};
  // Capitals, and the signs ь ъ, which the BGN/PCGN tables write as marks that are folded
  // apart from ICU (AsciiFolds).
  for (const char* name : {"ОБЪЕДКОВ ЁЛКИН Юрьевна ЮРЬЕВНА Объедков",
                           "ӘЛИЯ ҚОДИРОВ ЎЛМАС ҒАЙРАТ ҲАСАН ЄВГЕН ЇЖАК Ґонта",
                           "ÜMİT ÖZTÜRK ÇELİK Ærø Œuvre Straße", "Ҷамшед Ҷӯраев Раҳимов"}) {
    names.push_back(name);
  }
  size_t non_ascii = 0;
  for (const auto& source : lists->sources()) {
    for (const auto& entity : source.file->entities) {
      for (const auto& name : entity.names) {
        if (std::any_of(name.text.begin(), name.text.end(),
                        [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
          names.push_back(name.text);
        }
      }
    }
  }
  for (const auto& name : names) {
    non_ascii += 1;
    // Twice: the second time from what the thread remembers.
    ASSERT_EQ(TransliterateToAscii(name), TransliterateToAsciiWhole(name)) << name;
    ASSERT_EQ(TransliterateToAscii(name), TransliterateToAsciiWhole(name)) << name;
  }
  EXPECT_GT(non_ascii, 500u);  // the lists' original-script names were compared
}

TEST(Names, EditDistanceAtMostAgreesWithTheDistance) {
  std::mt19937 rng(15);
  const std::string letters = "abcdeh";
  for (int n = 0; n < 20000; ++n) {
    std::string a, b;
    for (size_t i = rng() % 12; i > 0; --i) a += letters[rng() % letters.size()];
    b = a;
    // A few edits of every kind, so that distances 0 to 4 all occur.
    for (size_t e = rng() % 5; e > 0; --e) {
      size_t at = b.empty() ? 0 : rng() % b.size();
      switch (rng() % 4) {
        case 0:
          b.insert(b.begin() + at, letters[rng() % letters.size()]);
          break;
        case 1:
          if (!b.empty()) b.erase(b.begin() + at);
          break;
        case 2:
          if (!b.empty()) b[at] = letters[rng() % letters.size()];
          break;
        default:
          if (at + 1 < b.size()) std::swap(b[at], b[at + 1]);
          break;
      }
    }
    size_t d = EditDistance(a, b);
    for (size_t k = 0; k <= 4; ++k)
      ASSERT_EQ(EditDistanceAtMost(a, b, k), d <= k) << a << " " << b << " " << k;
  }
  EXPECT_TRUE(EditDistanceAtMost("mohammed", "muhammad", 2));
  EXPECT_FALSE(EditDistanceAtMost("mohammed", "muhammad", 1));
  EXPECT_TRUE(EditDistanceAtMost("abdulah", "abdluah", 1));  // a transposition is one edit
}

TEST(PartyValidation, BadFactsAreRefusedByField) {
  Party p;
  EXPECT_EQ(Validate(p).field(), "name");
  p.name = "A";
  p.country = "uzb";
  EXPECT_EQ(Validate(p).field(), "country");
  p.country = "UZ";
  p.birth_date = "30.04.1975";
  EXPECT_EQ(Validate(p).field(), "birth_date");
  p.birth_date = "1975-04-30";
  EXPECT_TRUE(Validate(p).ok());
  p.name = "Jos\xe9";
  EXPECT_EQ(Validate(p).field(), "name");
}

}  // namespace
}  // namespace cbrnhub::sanctions
