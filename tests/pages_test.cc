// Every page in every language. Each GET route of the route table that answers with HTML is
// rendered with real ids from the demo data (assessments, plans, risk registers, meetings, a
// list edition, a screening and a licence), for every demo role, in English, French, Russian and
// Arabic, and its visible text (text, title, aria-label, placeholder, alt) must hold:
//   - no catalogue key shown instead of its message ("assessment.overall");
//   - no stored enumeration value shown as text: the values are the record kinds' choices and the
//     questionnaires' fixed answers, gathered from the code (so the list cannot go stale); on
//     English pages only those with an underscore, as English labels may read like their codes;
//   - no raw ISO date or time, no "user:<uuid>";
//   - on French, Russian and Arabic pages no English word: a word of the English catalogue that
//     is neither in the page language's catalogue nor in the stored data the pages show (names,
//     titles and texts people typed are shown as they typed them), nor a name in kAllowed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "assets/assets.h"
#include "http/http.h"
#include "server_fixture.h"
#include "workbook_support.h"

namespace cbrnhub::testing {
namespace {

using Headers = std::map<std::string, std::string>;

// Demo roles: a user of each, in two countries of two regions.
const std::vector<std::string> kUsers = {"admin",          "auditor", "programme", "observer",
                                         "secretariat.ca", "nfp.uz",  "team.uz",   "licensing.uz",
                                         "reviewer.uz",    "nfp.ge"};

// Latin-script words that are names, not English: formats, standards, the product, units, and
// English as the language switcher names it in its own language.
const std::set<std::string> kAllowed = {
    "english", "cbrnhub", "xlsx",  "pdf",    "csv",  "svg",       "api", "json", "yaml", "iso",
    "totp",    "utc",     "gmt",   "sha256", "ical", "icalendar", "ics", "url",  "naq",  "usd",
    "eur",     "http",    "https", "www",    "mfa",  "2fa",       "otp", "xml"};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string DecodeEntities(std::string s) {
  static const std::pair<const char*, const char*> kEntities[] = {{"&amp;", "&"}, {"&lt;", "<"},
                                                                  {"&gt;", ">"},  {"&quot;", "\""},
                                                                  {"&#39;", "'"}, {"&nbsp;", " "}};
  for (const auto& [from, to] : kEntities) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += std::strlen(to)) {
      s.replace(pos, std::strlen(from), to);
    }
  }
  return s;
}

// What a reader sees or hears: text outside tags (not in script, style, code, pre or textarea,
// which hold programs, codes and what people typed) and the texts of a few attributes.
std::vector<std::string> VisibleText(const std::string& html) {
  std::vector<std::string> out;
  static const std::regex attribute(R"re(\b(title|aria-label|placeholder|alt)="([^"]*)")re");
  static const std::set<std::string> kSkipped = {"script", "style", "code", "pre", "textarea"};
  size_t pos = 0;
  std::string skipping;
  while (pos < html.size()) {
    size_t open = html.find('<', pos);
    if (skipping.empty()) {
      std::string text =
          html.substr(pos, open == std::string::npos ? std::string::npos : open - pos);
      if (text.find_first_not_of(" \t\r\n") != std::string::npos)
        out.push_back(DecodeEntities(text));
    }
    if (open == std::string::npos) break;
    size_t close = html.find('>', open);
    if (close == std::string::npos) break;
    std::string tag = html.substr(open + 1, close - open - 1);
    std::string name = tag.substr(0, tag.find_first_of(" \t\r\n/>"));
    if (!tag.empty() && tag[0] == '/') {
      if (tag.substr(1) == skipping) skipping.clear();
    } else if (skipping.empty()) {
      if (kSkipped.count(Lower(name))) skipping = Lower(name);
      for (std::sregex_iterator it(tag.begin(), tag.end(), attribute), end; it != end; ++it) {
        out.push_back(DecodeEntities((*it)[2]));
      }
    }
    pos = close + 1;
  }
  return out;
}

// Lower-case words of Latin letters, at least three long.
std::vector<std::string> LatinWords(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ' ';
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      continue;
    }
    // A word glued to a non-Latin letter or a digit is part of a name or code ("ХБРЯ-2", "1C350").
    if (word.size() >= 3 && !(static_cast<unsigned char>(c) >= 0x80) &&
        !std::isdigit(static_cast<unsigned char>(c))) {
      out.push_back(word);
    }
    word.clear();
    // Skip the rest of a token that continues with digits or non-Latin letters.
    if (static_cast<unsigned char>(c) >= 0x80 || std::isdigit(static_cast<unsigned char>(c))) {
      while (i + 1 < text.size() && !std::isspace(static_cast<unsigned char>(text[i + 1]))) ++i;
    }
  }
  return out;
}

// Tokens that could be stored codes: letters, digits, '_', '-' and ':'; a trailing ':' dropped.
std::vector<std::string> CodeTokens(const std::string& text) {
  std::vector<std::string> out;
  std::string token;
  for (size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ' ';
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':') {
      token += c;
      continue;
    }
    while (!token.empty() && (token.back() == ':' || token.back() == '-')) token.pop_back();
    if (!token.empty()) out.push_back(token);
    token.clear();
  }
  return out;
}

void CollectStrings(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_string()) {
    out.push_back(j.get<std::string>());
  } else if (j.is_array() || j.is_object()) {
    for (const auto& v : j) CollectStrings(v, out);
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class PagesTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    records::Caller seeder{access::Principal::System("seed"), ""};
    assessment::Service assessments(*store_);
    ASSERT_TRUE(assessments.SeedDemo(seeder).ok());
    plans::Service plans(*store_, assessments);
    ASSERT_TRUE(plans.SeedDemo(seeder).ok());
    risk::Service risks(*store_, assessments);
    ASSERT_TRUE(risks.SeedSamples(seeder).ok());
    ASSERT_TRUE(risks.SeedDemo(seeder).ok());
    ASSERT_TRUE(meetings::Service(*store_, assessments, plans).SeedDemo(seeder).ok());
    for (const auto& u : kUsers) {
      auto [cookie, csrf] = SignIn(u);
      as_[u] = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
    }
    as_[""] = {{"Anonymous", "1"}};
    // Export control: a list edition, a screening with candidates and a licence.
    std::string xml = ReadFile(SharedDataDir() + "/sanctions/un_consolidated.xml");
    ASSERT_FALSE(xml.empty());
    // Imported in process: a thousand entries through HTTP can outlast the test client's wait
    // on a busy machine.
    exportctl::ListUpload upload{"un", "un-xml", "un.xml", xml, "", ""};
    auto edition = exportctl::Service(*store_).ImportList(seeder, upload);
    ASSERT_TRUE(edition.ok()) << edition.status().ToString();
    ids_["sanctions/editions"] = (*edition)["edition"]["id"];
    auto screening =
        Call("POST", "/api/v1/screenings",
             json{{"name", "Ayman al-Zawahiri"}, {"id", "CONS-1"}}.dump(), as_["licensing.uz"]);
    ASSERT_EQ(screening.status, 201) << screening.body.substr(0, 300);
    ids_["screening"] = Json(screening)["id"];
    json licence = {{"reference", "UZ-2026-001"},   {"country", "UZ"},
                    {"exporter", "Navoiyazot JSC"}, {"end_user", "Ayman al-Zawahiri"},
                    {"end_user_country", "EG"},     {"end_use", "water treatment"}};
    auto created = Call("POST", "/api/v1/licences", licence.dump(), as_["licensing.uz"]);
    ASSERT_EQ(created.status, 201) << created.body;
    ids_["licences"] = Json(created)["id"];
    ASSERT_EQ(Call("POST", "/api/v1/licence_items",
                   json{{"licence_id", ids_["licences"]},
                        {"control_code", "1C350"},
                        {"description", "thiodiglycol"},
                        {"quantity", 200}}
                       .dump(),
                   as_["licensing.uz"])
                  .status,
              201);
    auto first = [&](const std::string& kind) {
      json list = Json(Get("/api/v1/" + kind + "?limit=1"));
      return list["items"].empty() ? std::string() : list["items"][0]["id"].get<std::string>();
    };
    ids_["organisations"] = first("organisations");
    ids_["plans"] = first("action_plans");
    ids_["risk"] = first("risk_registers");
    ids_["risk/scenarios"] = first("risk_scenarios");
    ids_["activities"] = first("activities");
    ids_["round-tables"] = first("round_tables");
    ids_["people"] = first("people");
    json all = Json(Get("/api/v1/assessments?country=UZ"));
    ASSERT_FALSE(all["items"].empty());
    ids_["assessments"] = all["items"][0]["id"];
    json results = Json(Get("/api/v1/assessments/" + ids_["assessments"] + "/results"));
    for (const auto& p : results["priorities"]) {
      ids_["question"] = p["question"];
      break;
    }
    json users = Json(Get("/api/v1/users"));
    for (const auto& u : users["items"]) {
      if (u["username"] == "team.uz") ids_["admin/users"] = u["id"];
    }
    for (const auto& [key, id] : ids_) ASSERT_FALSE(id.empty()) << "no demo record for " << key;

    // The stored enumerations: every record kind's choices and read-only states, and the keys
    // of the questionnaires' domains, functions and thematic areas (legal_framework,
    // cross-cutting, biosafety_biosecurity, ...), which pages show by their labels.
    {
      const auto definitions = Json(Get("/api/v1/questionnaires"));
      for (const auto& q : definitions["items"]) {
        const auto view =
            Json(Get("/api/v1/questionnaires/" + q["id"].get<std::string>() + "/definition"));
        for (const auto& section : view["sections"]) {
          for (const char* key : {"domain", "function"})
            enumerations_.insert(section[key].get<std::string>());
          for (const auto& question : section["questions"]) {
            for (const char* key : {"domain", "function", "area"}) {
              std::string value = question[key].get<std::string>();
              if (!value.empty()) enumerations_.insert(value);
            }
          }
        }
      }
      ASSERT_TRUE(enumerations_.count("legal_framework") && enumerations_.count("cross-cutting") &&
                  enumerations_.count("biosafety_biosecurity"))
          << "the questionnaires' keys were not gathered";
    }
    for (const auto& kind : catalog_.kinds()) {
      for (const auto& field : kind.fields) {
        for (const auto& choice : field.choices) {
          // Levels 1..5 are numbers, shown as numbers.
          if (choice.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos)
            enumerations_.insert(choice);
        }
      }
    }
    // Answers store their choices as codes (in_place, not_applicable, ...): those of the demo
    // assessments, as stored.
    json every_assessment = Json(Get("/api/v1/assessments"));
    for (const auto& a : every_assessment["items"]) {
      json answers = Json(Get("/api/v1/assessments/" + a["id"].get<std::string>() + "/answers"));
      answers_.push_back(answers);
      std::vector<std::string> values;
      for (const auto& answer : answers["answers"]) {
        for (const char* key : {"status", "value"}) {
          if (answer.contains("value") && answer["value"].is_object() &&
              answer["value"].contains(key)) {
            CollectStrings(answer["value"][key], values);
          }
        }
      }
      for (const auto& v : values) {
        if (std::regex_match(v, std::regex("[a-z]+(_[a-z]+)*"))) enumerations_.insert(v);
      }
    }
    for (const auto& kind : catalog_.kinds()) {
      for (const auto& field : kind.fields) {
        if (field.read_only &&
            field.default_value.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos) {
          enumerations_.insert(field.default_value);
        }
      }
    }
    std::vector<std::string> stored;
    auto collect = [&](const std::string& target) {
      auto r = Get(target);
      EXPECT_EQ(r.status, 200) << target << ": " << r.body.substr(0, 200);
      CollectStrings(Json(r), stored);
    };
    for (const auto& kind : catalog_.kinds()) collect("/api/v1/" + kind.name + "?limit=500");
    for (const char* more : {"/api/v1/users", "/api/v1/questionnaires", "/api/v1/risk_methods",
                             "/api/v1/control-list?limit=200", "/api/v1/sanctions/editions"}) {
      collect(more);
    }
    CollectStrings(Json(screening), stored);
    for (const auto& answers : answers_) CollectStrings(answers, stored);
    // Named, not looped over directly: a range-for over a temporary's member reads freed memory.
    // The questionnaires in every language: their texts are stored data (a French question may
    // use a word that is also English, or one spelled like a stored code), their keys are not.
    const auto questionnaires = Json(Get("/api/v1/questionnaires"));
    for (const auto& q : questionnaires["items"]) {
      for (const char* lang : {"en", "fr", "ru", "ar"}) {
        collect("/api/v1/questionnaires/" + q["id"].get<std::string>() +
                "/definition?lang=" + lang);
      }
    }
    const auto methods = Json(Get("/api/v1/risk_methods"));
    for (const auto& m : methods["items"]) {
      collect("/api/v1/risk_methods/" + m["id"].get<std::string>() + "/view");
    }
    // The shipped risk method is stored data in every language.
    for (const char* file : {"data/risk/eu-rmg-2010.yaml"}) {
      auto content = assets::Find(file);
      ASSERT_TRUE(content) << file;
      stored.emplace_back(*content);
    }
    for (const auto& text : stored) {
      if (enumerations_.count(text)) continue;  // a stored code, not a text people typed
      for (const auto& w : LatinWords(text)) data_words_.insert(w);
      for (const auto& t : CodeTokens(text)) data_tokens_.insert(t);
    }
    ASSERT_TRUE(catalogs_.Load().ok());
    for (const auto& lang : catalogs_.Languages()) {
      for (const auto& key : catalogs_.Keys()) {
        for (const auto& w : LatinWords(catalogs_.Translate(lang, key)))
          catalogue_words_[lang].insert(w);
        key_namespaces_.insert(key.substr(0, key.find('.')));
      }
    }
  }

  // The GET routes that answer with a page, each with a concrete target.
  std::vector<std::string> Targets() {
    std::vector<std::string> out;
    for (const auto& route : app_->router().routes()) {
      const std::string& p = route.pattern;
      if (route.method != "GET" || p.rfind("/api/", 0) == 0 || p.rfind("/static/", 0) == 0 ||
          p == "/healthz" || p == "/readyz" || p.find(".pdf") != std::string::npos ||
          p.find(".geojson") != std::string::npos) {
        continue;
      }
      std::string target = p;
      auto fill = [&](const std::string& param, const std::string& value) {
        auto pos = target.find("{" + param + "}");
        if (pos != std::string::npos) target.replace(pos, param.size() + 2, value);
      };
      fill("code", "CA");
      fill("iso2", "UZ");
      fill("token", "not-a-real-invitation");
      fill("question", ids_["question"]);
      if (p == "/forms/{kind}") {
        for (const auto& kind : catalog_.kinds()) out.push_back("/forms/" + kind.name);
        continue;
      }
      fill("kind", "people");
      for (const char* prefix : {"risk/scenarios", "sanctions/editions", "admin/users",
                                 "organisations", "assessments", "plans", "risk", "activities",
                                 "round-tables", "screening", "licences", "forms/people"}) {
        if (target.rfind(std::string("/") + prefix + "/", 0) == 0) {
          fill("id", ids_[std::string(prefix) == "forms/people" ? "people" : prefix]);
          break;
        }
      }
      out.push_back(target);
    }
    return out;
  }

  // The problems of one page's text, each as "what: the text" (so that one leak on many pages
  // is reported once).
  std::set<std::string> Problems(const std::string& html, const std::string& lang) {
    std::set<std::string> out;
    static const std::regex key_like(R"(\b([a-z][a-z0-9_]*)\.[a-z0-9_]+(\.[a-z0-9_]+)*\b)");
    static const std::regex iso_date(R"(\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?)");
    static const std::regex user_id(R"(user:[0-9a-f]{8}-)");
    for (const std::string& text : VisibleText(html)) {
      std::string shown = text.substr(0, 120);
      for (std::sregex_iterator it(text.begin(), text.end(), key_like), end; it != end; ++it) {
        static const std::regex file_name(R"(.*\.(csv|xlsx|pdf|json|yaml|xml)$)");
        if (std::regex_match(it->str(), file_name)) continue;  // a file's name, not a key
        if (key_namespaces_.count((*it)[1]))
          out.insert("untranslated key " + it->str() + ": " + shown);
      }
      std::smatch m;
      if (std::regex_search(text, m, iso_date)) out.insert("ISO date " + m.str() + ": " + shown);
      if (std::regex_search(text, m, user_id)) out.insert("user id: " + shown);
      for (const auto& token : CodeTokens(text)) {
        if (!enumerations_.count(token)) continue;
        bool code_like =
            token.find('_') != std::string::npos || token.find(':') != std::string::npos;
        if (code_like || (lang != "en" && !data_tokens_.count(token) &&
                          !catalogue_words_[lang].count(Lower(token)))) {
          out.insert("stored value " + token + ": " + shown);
        }
      }
      if (lang == "en") continue;
      for (const auto& w : LatinWords(text)) {
        if (catalogue_words_["en"].count(w) && !catalogue_words_[lang].count(w) &&
            !data_words_.count(w) && !kAllowed.count(w)) {
          out.insert("English word '" + w + "': " + shown);
        }
      }
    }
    return out;
  }

  void CheckEveryPageIn(const std::string& lang) {
    std::map<std::string, std::string> problems;  // problem -> first page and user showing it
    int pages = 0;
    for (const auto& target : Targets()) {
      for (const auto& user : kUsers) {
        if (target.rfind("/forms/", 0) == 0 && user != "admin" && user != "nfp.uz") continue;
        auto r = Call("GET",
                      target + (target.find('?') == std::string::npos ? "?" : "&") + "lang=" + lang,
                      "", as_[user]);
        SCOPED_TRACE(target + " as " + user + " in " + lang);
        EXPECT_LT(r.status, 500) << r.body.substr(0, 300);
        if (r.headers["content-type"].rfind("text/html", 0) != 0) continue;
        ++pages;
        for (const auto& p : Problems(r.body, lang)) problems.emplace(p, target + " as " + user);
      }
    }
    EXPECT_GT(pages, 300) << "the pages were not rendered";
    std::string report;
    for (const auto& [problem, where] : problems) report += "  " + where + ": " + problem + "\n";
    EXPECT_TRUE(problems.empty()) << problems.size() << " problems on " << lang << " pages:\n"
                                  << report;
  }

  // A value of `f`'s type that its check refuses ("" when the type has no check beyond length).
  static std::string RefusedValue(const records::FieldSpec& f) {
    switch (f.type) {
      case records::FieldType::kEmail: return "no-at-sign";
      case records::FieldType::kUrl: return "ftp://example.org";
      case records::FieldType::kChoice: return "not_a_choice";
      case records::FieldType::kReference: return "0x0x0x0";
      case records::FieldType::kCountryCode: return "Uzbekistan";
      case records::FieldType::kCode: return "lower case";
      case records::FieldType::kDate: return "31.12.2026";
      case records::FieldType::kInteger: return "twelve";
      default: return std::string(f.max_length + 1, 'x');
    }
  }

  // Every record kind's form sent empty, then with a refused value in each of its fields: the
  // refusal comes back as the form with its error, and the page holds what every page holds in
  // `lang` (no English, no codes, no keys).
  void CheckRefusedFormsIn(const std::string& lang) {
    std::map<std::string, std::string> problems;
    int refused = 0;
    for (const auto& kind : catalog_.kinds()) {
      std::vector<std::string> bodies = {"return_to=/"};
      for (const auto& f : kind.fields) {
        if (f.in_forms) bodies.push_back("return_to=/&" + f.name + "=" + http::PercentEncode(RefusedValue(f)));
      }
      for (const auto& body : bodies) {
        auto r = Call("POST", "/forms/" + kind.name + "?lang=" + lang, body, as_["nfp.uz"]);
        SCOPED_TRACE(kind.name + " " + body.substr(0, 80) + " in " + lang);
        EXPECT_LT(r.status, 500) << r.body.substr(0, 300);
        if (r.status != 400) continue;  // a kind nfp.uz may not add, or a body some check let by
        ++refused;
        EXPECT_NE(r.body.find("error"), std::string::npos) << "a refusal without its error";
        for (const auto& p : Problems(r.body, lang)) problems.emplace(p, "/forms/" + kind.name + " " + body.substr(0, 60));
      }
    }
    EXPECT_GT(refused, 100) << "the forms were not refused";
    std::string report;
    for (const auto& [problem, where] : problems) report += "  " + where + ": " + problem + "\n";
    EXPECT_TRUE(problems.empty()) << problems.size() << " problems on refused forms in " << lang
                                  << ":\n" << report;
  }

  std::map<std::string, Headers> as_;
  std::map<std::string, std::string> ids_;
  std::set<std::string> enumerations_, data_words_, key_namespaces_;
  std::vector<json> answers_;
  std::set<std::string> data_tokens_;
  std::map<std::string, std::set<std::string>> catalogue_words_;
};

TEST_P(PagesTest, EveryPageInEnglish) { CheckEveryPageIn("en"); }
TEST_P(PagesTest, EveryPageInFrench) { CheckEveryPageIn("fr"); }
TEST_P(PagesTest, EveryPageInRussian) { CheckEveryPageIn("ru"); }
TEST_P(PagesTest, EveryPageInArabic) { CheckEveryPageIn("ar"); }
// The rules of a kind beyond its fields' types, and a conflict, refused in the reader's words.
TEST_P(PagesTest, RecordRulesRefuseInTheReadersLanguage) {
  struct Case {
    std::string target, body, lang, expected, user = "nfp.uz";
  };
  const std::vector<Case> cases = {
      {"/forms/action_plans", "country=UZ&title=Plan&period_start=2027-01-01&period_end=2026-01-01",
       "ru", "раньше"},
      {"/forms/action_plans", "country=UZ&title=Plan&period_start=2027-01-01&period_end=2026-01-01",
       "ar", "تسبق"},
      {"/forms/action_plans", "country=UZ&region=CA&title=Plan", "fr", "soit un pays, soit une région"},
      {"/forms/people/" + ids_["people"], "full_name=Someone&revision=99999", "fr",
       "modifié cet enregistrement entre-temps", "admin"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target + " " + c.body + " in " + c.lang);
    auto r = Call("POST", c.target + "?lang=" + c.lang, "return_to=/&" + c.body, as_[c.user]);
    EXPECT_TRUE(r.status == 400 || r.status == 409) << r.status << " " << r.body.substr(0, 300);
    EXPECT_NE(r.body.find(c.expected), std::string::npos) << r.body.substr(0, 3000);
    EXPECT_TRUE(Problems(r.body, c.lang).empty());
  }
}
// Charts whose direction carries meaning (bars, the plan's timeline) run right to left on an
// Arabic page: drawn mirrored, every x of the English drawing becomes width - x.
TEST_P(PagesTest, ChartsMirrorOnRightToLeftPages) {
  auto first_svg = [&](const std::string& target, const std::string& lang, const std::string& cls) {
    auto r = Call("GET", target + "?lang=" + lang, "", as_["admin"]);
    EXPECT_EQ(r.status, 200) << target;
    size_t at = r.body.find("class=\"" + cls);
    if (at == std::string::npos) return std::string();
    size_t start = r.body.rfind("<svg", at);
    return r.body.substr(start, r.body.find("</svg>", at) - start);
  };
  auto xs = [](const std::string& svg) {
    std::vector<double> out;
    static const std::regex x(R"re(<(?:text|line) [^>]*?\bx1?="([0-9.]+)")re");
    for (std::sregex_iterator it(svg.begin(), svg.end(), x), end; it != end; ++it)
      out.push_back(std::stod((*it)[1]));
    return out;
  };
  struct Chart {
    std::string target, cls;
    double width;
  };
  for (const Chart& chart : {Chart{"/assessments/" + ids_["assessments"] + "/results", "chart bars", 480},
                             Chart{"/plans/" + ids_["plans"], "timeline", 910}}) {
    SCOPED_TRACE(chart.target);
    std::string en = first_svg(chart.target, "en", chart.cls);
    std::string ar = first_svg(chart.target, "ar", chart.cls);
    ASSERT_FALSE(en.empty());
    ASSERT_FALSE(ar.empty());
    EXPECT_EQ(en.find("mirrored"), std::string::npos);
    EXPECT_NE(ar.find(chart.cls + " mirrored"), std::string::npos);
    std::vector<double> ltr = xs(en), rtl = xs(ar);
    ASSERT_EQ(ltr.size(), rtl.size());
    ASSERT_GE(ltr.size(), 3u);
    for (size_t i = 0; i < ltr.size(); ++i) EXPECT_NEAR(rtl[i], chart.width - ltr[i], 0.11) << i;
  }
}
// A workbook or a CSV file refused on upload says where and why in the reader's language: the
// row and column, the cell's value and the rule, for the plan, risk register and assessment
// workbooks and the places file.
TEST_P(PagesTest, RefusedUploadsSayWhereInTheReadersLanguage) {
  struct Words {
    std::string row, line, alternative;  // "Ligne 21", "ligne 1", the list's last "or"
  };
  const std::map<std::string, Words> words = {{"fr", {"Ligne 21", "ligne 1", " ou "}},
                                              {"ru", {"Строка 21", "строка 1", " или "}},
                                              {"ar", {"الصف 21", "السطر 1", " أو "}}};
  Headers xlsx_upload = {{"Cookie", as_["admin"]["Cookie"]},
                         {"X-CSRF-Token", as_["admin"]["X-CSRF-Token"]},
                         {"Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}};
  auto download = [&](const std::string& target) {
    auto r = Call("GET", target, "", as_["admin"]);
    EXPECT_EQ(r.status, 200) << target << " " << r.body.substr(0, 300);
    return xlsx::Read(r.body).value();
  };
  // A draft: the demo's assessments are submitted or validated, their answers locked.
  json validated = Json(Get("/api/v1/assessments?country=UZ"))["items"][0];
  auto started = Call("POST", "/api/v1/assessments",
                      json{{"country", "UZ"}, {"questionnaire_id", validated["questionnaire_id"]}, {"title", "Upload"}}.dump(),
                      as_["nfp.uz"]);
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string draft = Json(started)["id"];
  for (const std::string lang : {"fr", "ru", "ar"}) {
    SCOPED_TRACE(lang);
    // Each workbook in the reader's language, row 21 with cells no reader accepts.
    xlsx::Book plan = download("/api/v1/action_plans/" + ids_["plans"] + "/workbook.xlsx?lang=" + lang);
    plan.sheets["Actions"][21] = {{1, "Zzz"}, {8, "31.12.2026"}, {10, "douze"}, {14, "qqq"}};
    xlsx::Book risk = download("/api/v1/risk_registers/" + ids_["risk"] + "/workbook.xlsx?lang=" + lang);
    risk.sheets["Scenarios"][21] = {{1, "Zzz"}, {2, "qqq"}};
    xlsx::Book assessment = download("/api/v1/assessments/" + draft + "/workbook.xlsx?lang=" + lang);
    std::string first_question;
    for (const auto& [row, cells] : assessment.sheets["Assessment"]) {
      if (row >= 5 && row < 21 && cells.count(0) && first_question.empty()) first_question = cells.at(0);
    }
    ASSERT_FALSE(first_question.empty());
    // Its headers, kinds of answer and choices in the reader's language: a yes/partly/no row
    // refused lists the labels its drop-down offers.
    EXPECT_EQ(assessment.sheets["Assessment"][4][4], catalogs_.Translate(lang, "assessment.wb.answer"));
    int choice_row = 0;
    for (const auto& [row, cells] : assessment.sheets["Assessment"]) {
      if (row >= 5 && row < 21 && !choice_row && cells.count(3) &&
          cells.at(3) == catalogs_.Translate(lang, "question_type.yes_partial_no"))
        choice_row = row;
    }
    ASSERT_NE(choice_row, 0);
    assessment.sheets["Assessment"][choice_row][4] = "maybe";
    assessment.sheets["Assessment"][21] = {{0, "NOPE9"}, {4, "qqq"}};
    assessment.sheets["Assessment"][22] = {{0, first_question}};
    std::vector<std::pair<std::string, std::string>> pages;  // what, page
    auto r = Call("POST", "/plans/" + ids_["plans"] + "/workbook?lang=" + lang, WriteBook(plan), xlsx_upload);
    EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
    pages.emplace_back("plan workbook", r.body);
    r = Call("POST", "/risk/" + ids_["risk"] + "/workbook?lang=" + lang, WriteBook(risk), xlsx_upload);
    EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);
    pages.emplace_back("risk workbook", r.body);
    const std::string boundary = "upl0adb0undary";
    Headers form = as_["admin"];
    form["Content-Type"] = "multipart/form-data; boundary=" + boundary;
    auto multipart = [&](const std::string& filename, const std::string& bytes, Headers& as) {
      return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + as["X-CSRF-Token"] +
             "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n\r\n" +
             bytes + "\r\n--" + boundary + "--\r\n";
    };
    Headers team_form = as_["nfp.uz"];
    team_form["Content-Type"] = form["Content-Type"];
    r = Call("POST", "/assessments/" + draft + "/workbook?lang=" + lang,
             multipart("w.xlsx", WriteBook(assessment), team_form), team_form);
    EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);
    pages.emplace_back("assessment workbook", r.body);
    r = Call("POST", "/activities/" + ids_["activities"] + "/places?lang=" + lang,
             multipart("places.csv", "name,kind,latitude,lon\nSchool,school,41.3,69.2\n", form), form);
    ASSERT_EQ(r.status, 303) << r.body.substr(0, 300);
    std::string back = r.headers["location"];
    r = Call("GET", back + (back.find('?') == std::string::npos ? "?" : "&") + "lang=" + lang, "", as_["admin"]);
    pages.emplace_back("places file", r.body);
    const Words& w = words.at(lang);
    for (const auto& [what, html] : pages) {
      SCOPED_TRACE(what);
      EXPECT_NE(html.find(what == "places file" ? w.line : w.row), std::string::npos) << html.substr(0, 6000);
      for (const auto& p : Problems(html, lang)) ADD_FAILURE() << p;
    }
    // The plan's cells each named (the date, the number, the choice), the choice's alternatives
    // listed as the language lists them, the column's header translated.
    for (const char* value : {"31.12.2026", "douze", "qqq", w.alternative.c_str()}) {
      EXPECT_NE(pages[0].second.find(value), std::string::npos) << value;
    }
    EXPECT_NE(pages[0].second.find("(" + catalogs_.Translate(lang, "field.status") + ")"), std::string::npos);
    EXPECT_NE(pages[1].second.find(w.alternative), std::string::npos);
    EXPECT_NE(pages[2].second.find("NOPE9"), std::string::npos);
    EXPECT_NE(pages[2].second.find(catalogs_.Translate(lang, "choice.partial")), std::string::npos);
    EXPECT_NE(pages[2].second.find("maybe"), std::string::npos);
  }
}
// Signing in and changing a password are refused in the reader's language, not in English.
TEST_P(PagesTest, SignInAndPasswordRefusalsInTheReadersLanguage) {
  for (const std::string lang : {"fr", "ru", "ar"}) {
    SCOPED_TRACE(lang);
    auto login = Call("POST", "/login?lang=" + lang, "username=nobody.here&password=not-the-password&next=%2F",
                      {{"Anonymous", "1"}, {"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_NE(login.body.find(catalogs_.Translate(lang, "identity.wrong_credentials")), std::string::npos)
        << login.body.substr(0, 3000);
    for (const auto& p : Problems(login.body, lang)) ADD_FAILURE() << p;
    Headers form = as_["nfp.uz"];
    form["Content-Type"] = "application/x-www-form-urlencoded";
    auto weak = Call("POST", "/account/password?lang=" + lang,
                     "current_password=cbrnhub-demo&new_password=short&new_password2=short", form);
    EXPECT_NE(weak.body.find(catalogs_.Format(lang, "identity.password_too_short", {{"min", 10}})), std::string::npos)
        << weak.body.substr(0, 3000);
    for (const auto& p : Problems(weak.body, lang)) ADD_FAILURE() << p;
  }
}
// A party refused on the screening form and a broken list file refused on the lists page, in
// the reader's language, the file's line named.
TEST_P(PagesTest, ScreeningAndListRefusalsInTheReadersLanguage) {
  for (const std::string lang : {"fr", "ru", "ar"}) {
    SCOPED_TRACE(lang);
    Headers form = as_["licensing.uz"];
    form["Content-Type"] = "application/x-www-form-urlencoded";
    auto party = Call("POST", "/screening?lang=" + lang, "name=Demo+Trading&birth_date=1970-13", form);
    EXPECT_EQ(party.status, 400);
    std::string why = catalogs_.Format(lang, "invalid.birth_date", {{"field", catalogs_.Translate(lang, "screening.birth_date")}});
    EXPECT_NE(party.body.find(why), std::string::npos) << why << "\n" << party.body.substr(0, 3000);
    for (const auto& p : Problems(party.body, lang)) ADD_FAILURE() << p;
    const std::string boundary = "l1stb0undary";
    Headers upload = as_["licensing.uz"];
    upload["Content-Type"] = "multipart/form-data; boundary=" + boundary;
    auto part = [&](const std::string& name, const std::string& value, const std::string& filename = "") {
      return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"" +
             (filename.empty() ? "" : "; filename=\"" + filename + "\"") + "\r\n\r\n" + value + "\r\n";
    };
    std::string body = part("csrf_token", upload["X-CSRF-Token"]) + part("list_code", "national-uz") +
                       part("format", "un-xml") +
                       part("file", "<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL>", "un.xml") +
                       "--" + boundary + "--\r\n";
    auto refused = Call("POST", "/sanctions/import?lang=" + lang, body, upload);
    ASSERT_EQ(refused.status, 303) << refused.body.substr(0, 300);
    std::string back = refused.headers["location"];
    auto page = Call("GET", back + "&lang=" + lang, "", as_["licensing.uz"]);
    std::string said = catalogs_.Translate(lang, "sanctions.invalid.not_xml");
    EXPECT_NE(page.body.find(said.substr(0, 30)), std::string::npos) << said << "\n" << page.body.substr(0, 3000);
    EXPECT_NE(page.body.find("un.xml"), std::string::npos);
    for (const auto& p : Problems(page.body, lang)) ADD_FAILURE() << p;
  }
}
TEST_P(PagesTest, RefusedFormsInFrench) { CheckRefusedFormsIn("fr"); }
TEST_P(PagesTest, RefusedFormsInRussian) { CheckRefusedFormsIn("ru"); }
TEST_P(PagesTest, RefusedFormsInArabic) { CheckRefusedFormsIn("ar"); }

INSTANTIATE_BACKENDS(PagesTest);

}  // namespace
}  // namespace cbrnhub::testing
