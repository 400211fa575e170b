// The evaluation's renderings of names in other scripts (see renderings.h and README.md).
#include "renderings.h"

#include <cctype>
#include <cstring>
#include <map>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace cbrnhub::bench {
namespace {

std::vector<std::string> LowerWords(const std::string& s, bool keep_apostrophe) {
  std::vector<std::string> out;
  std::string w;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalpha(c)) w += static_cast<char>(std::tolower(c));
    else if (keep_apostrophe && (ch == '\'' || ch == '`') && !w.empty()) w += '\'';
    else if (!w.empty()) {
      out.push_back(w);
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(w);
  return out;
}

bool Vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
bool StartsWith(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }
bool EndsWith(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// Names an Arabic writer knows and writes in their usual spelling, whatever the Latin.
const std::map<std::string, std::string>& KnownArabicNames() {
  static const std::map<std::string, std::string> kNames = {
      {"muhammad", "محمد"}, {"mohammed", "محمد"}, {"mohamed", "محمد"}, {"mohammad", "محمد"},
      {"muhammed", "محمد"}, {"mohamad", "محمد"}, {"mohd", "محمد"}, {"muhamad", "محمد"},
      {"ahmad", "أحمد"}, {"ahmed", "أحمد"}, {"ali", "علي"}, {"hassan", "حسن"}, {"hasan", "حسن"},
      {"hussein", "حسين"}, {"husayn", "حسين"}, {"hussain", "حسين"}, {"husain", "حسين"},
      {"hossein", "حسين"}, {"omar", "عمر"}, {"umar", "عمر"}, {"omer", "عمر"},
      {"osman", "عثمان"}, {"uthman", "عثمان"}, {"othman", "عثمان"}, {"usman", "عثمان"},
      {"ibrahim", "إبراهيم"}, {"ebrahim", "إبراهيم"}, {"ismail", "إسماعيل"}, {"ismael", "إسماعيل"},
      {"yusuf", "يوسف"}, {"youssef", "يوسف"}, {"yousef", "يوسف"}, {"yousif", "يوسف"},
      {"yusif", "يوسف"}, {"khalid", "خالد"}, {"khaled", "خالد"}, {"mustafa", "مصطفى"},
      {"moustafa", "مصطفى"}, {"mostafa", "مصطفى"}, {"mahmoud", "محمود"}, {"mahmud", "محمود"},
      {"said", "سعيد"}, {"saeed", "سعيد"}, {"saleh", "صالح"}, {"salih", "صالح"}, {"salah", "صلاح"},
      {"jamal", "جمال"}, {"gamal", "جمال"}, {"nasser", "ناصر"}, {"nasir", "ناصر"}, {"naser", "ناصر"},
      {"karim", "كريم"}, {"kareem", "كريم"}, {"aziz", "عزيز"}, {"hamid", "حامد"}, {"hamed", "حامد"},
      {"rashid", "رشيد"}, {"rachid", "رشيد"}, {"yahya", "يحيى"}, {"musa", "موسى"}, {"moussa", "موسى"},
      {"isa", "عيسى"}, {"issa", "عيسى"}, {"abbas", "عباس"}, {"jafar", "جعفر"}, {"jaafar", "جعفر"},
      {"hamza", "حمزة"}, {"hamzah", "حمزة"}, {"osama", "أسامة"}, {"usama", "أسامة"},
      {"faisal", "فيصل"}, {"faysal", "فيصل"}, {"tariq", "طارق"}, {"tarek", "طارق"}, {"tareq", "طارق"},
      {"zaid", "زيد"}, {"zayd", "زيد"}, {"anwar", "أنور"}, {"adel", "عادل"}, {"adil", "عادل"},
      {"amin", "أمين"}, {"ameen", "أمين"}, {"ayman", "أيمن"}, {"bakr", "بكر"}, {"sayyid", "سيد"},
      {"sayed", "سيد"}, {"syed", "سيد"}, {"khan", "خان"}, {"shah", "شاه"}, {"jan", "جان"},
      {"wali", "ولي"}, {"nur", "نور"}, {"noor", "نور"}, {"habib", "حبيب"}, {"latif", "لطيف"},
      {"majid", "مجيد"}, {"ghani", "غني"}, {"qadir", "قادر"}, {"qader", "قادر"}, {"kader", "قادر"},
      {"rahim", "رحيم"}, {"hakim", "حكيم"}, {"malik", "مالك"}, {"malek", "مالك"}, {"fatima", "فاطمة"},
      {"aisha", "عائشة"}, {"khadija", "خديجة"}, {"maryam", "مريم"}, {"mariam", "مريم"},
      {"abdullah", "عبد الله"}, {"abdallah", "عبد الله"}, {"abdulla", "عبد الله"},
      {"abdellah", "عبد الله"}, {"haji", "حاجي"}, {"mullah", "ملا"}, {"mulla", "ملا"}};
  return kNames;
}

// The Latin letters for one Arabic letter, with its choices (h is ح or ه, and so on).
struct ArabicWriter {
  bool persian;
  std::mt19937& rng;
  bool Coin(int percent) { return static_cast<int>(rng() % 100) < percent; }
  const char* Pick(std::initializer_list<const char*> xs) {
    return xs.begin()[rng() % xs.size()];
  }

  std::string Letters(const std::string& w) {
    if (auto it = KnownArabicNames().find(w); it != KnownArabicNames().end()) {
      std::string s = it->second;
      if (persian) s = Persianise(s);
      return s;
    }
    std::string out;
    for (size_t i = 0; i < w.size();) {
      char c = w[i];
      auto rest = [&](std::string_view p) { return w.compare(i, p.size(), p) == 0; };
      bool initial = i == 0, last = i + 1 == w.size();
      if (c == '\'') {
        out += Coin(60) ? "ع" : "ء";
        ++i;
        continue;
      }
      if (Vowel(c) || (c == 'y' && i > 0 && i + 1 == w.size())) {
        // A long vowel written as ا و ي; short ones not written.
        size_t n = 1;
        while (i + n < w.size() && Vowel(w[i + n])) ++n;
        std::string v = w.substr(i, n);
        bool final = i + n == w.size();
        if (initial) {
          if (c == 'a') out += Pick({"ا", "أ", "ع"});
          else if (c == 'e' || c == 'i') out += Pick({"ا", "إ", "ع"});
          else out += Pick({"أ", "ع", "ا"});
          if (n > 1) out += v[1] == 'a' ? "ا" : (v[1] == 'o' || v[1] == 'u') ? "و" : "ي";
        } else if (final) {
          if (c == 'a' && n == 1) out += Pick({"ة", "ا", "ى"});
          else if (c == 'e' && n == 1) out += persian ? "ه" : "ي";
          else if (c == 'o' || c == 'u' || v == "ou") out += "و";
          else out += "ي";
        } else if (n > 1) {
          if (v == "aa") out += "ا";
          else if (v == "ou" || v == "oo" || v == "uu" || v == "au") out += "و";
          else if (v == "ia" || v == "ie") out += "يا";
          else out += "ي";  // ee ii ei ai ea
        } else {
          if (c == 'a' && Coin(35)) out += "ا";
          else if ((c == 'i' || c == 'e') && Coin(35)) out += "ي";
          else if ((c == 'o' || c == 'u') && Coin(45)) out += "و";
        }
        i += n;
        continue;
      }
      // Doubled consonants are one letter (the shadda is not written).
      if (i > 0 && w[i - 1] == c) {
        ++i;
        continue;
      }
      size_t used = 2;
      if (rest("kh")) out += "خ";
      else if (rest("gh")) out += "غ";
      else if (rest("sh")) out += "ش";
      else if (rest("ch")) out += persian ? "چ" : "ش";
      else if (rest("th")) out += Pick({"ث", "ت"});
      else if (rest("dh")) out += Pick({"ذ", "د", "ض", "ظ"});
      else if (rest("zh")) out += persian ? "ژ" : "ج";
      else if (rest("ph")) out += "ف";
      else if (rest("ck")) out += "ك";
      else {
        used = 1;
        switch (c) {
          case 'b': out += "ب"; break;
          case 'p': out += persian ? "پ" : "ب"; break;
          case 't': out += Coin(25) ? "ط" : "ت"; break;
          case 'd': out += Coin(15) ? "ض" : "د"; break;
          case 's': out += Coin(25) ? "ص" : "س"; break;
          case 'z': out += Coin(15) ? "ظ" : (Coin(15) ? "ذ" : "ز"); break;
          case 'h': out += last ? (Coin(50) ? "ه" : "ح") : (Coin(50) ? "ح" : "ه"); break;
          case 'k': out += "ك"; break;
          case 'c': out += "ك"; break;
          case 'q': out += "ق"; break;
          case 'g': out += persian ? "گ" : Pick({"ج", "غ", "ق"}); break;
          case 'j': out += "ج"; break;
          case 'f': out += "ف"; break;
          case 'v': out += persian ? "و" : "ف"; break;
          case 'w': out += "و"; break;
          case 'y': out += "ي"; break;
          case 'l': out += "ل"; break;
          case 'm': out += "م"; break;
          case 'n': out += "ن"; break;
          case 'r': out += "ر"; break;
          case 'x': out += "كس"; break;
          default: break;
        }
      }
      i += used;
    }
    return persian ? Persianise(out) : out;
  }

  // Afghan and Pakistani writing: ی and ک, final ه for ة.
  static std::string Persianise(std::string s) {
    auto swap = [&](const std::string& from, const std::string& to) {
      for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
    };
    swap("ي", "ی");
    swap("ى", "ی");
    swap("ك", "ک");
    swap("ة", "ه");
    return s;
  }
};

const std::set<std::string>& Articles() {
  static const std::set<std::string> kWords = {"al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an",
                                              "ed", "er", "es", "et", "ez", "en", "ud", "ur", "us", "uz"};
  return kWords;
}

}  // namespace

std::string ToArabicScript(const std::string& latin, bool persian, std::mt19937& rng) {
  ArabicWriter writer{persian, rng};
  auto words = LowerWords(latin, true);
  std::vector<std::string> out;
  bool article = false;  // the next word carries ال
  for (size_t i = 0; i < words.size(); ++i) {
    std::string w = words[i];
    bool more = i + 1 < words.size();
    if (Articles().count(w) && more) {
      article = true;
      continue;
    }
    std::string prefix = article ? "ال" : "";
    article = false;
    if (w == "bin" || w == "ben") out.push_back("بن");
    else if (w == "ibn") out.push_back("ابن");
    else if (w == "bint") out.push_back("بنت");
    else if (w == "abu" || w == "abou" || w == "abo") out.push_back("ابو");
    else if (w == "ould" || w == "wuld") out.push_back("ولد");
    else if (StartsWith(w, "abd") && !KnownArabicNames().count(w)) {
      // Abd al-X, Abdul X, Abdel X, Abdur-Rahman, Abdulaziz: عبد ال... in one word or two.
      static const char* kForms[] = {"abdul", "abdel", "abdal", "abdoul", "abdol", "abdur", "abdar",
                                    "abdus", "abdes", "abdou", "abdu", "abd"};
      std::string rest = w.substr(3);
      for (const char* f : kForms) {
        if (StartsWith(w, f)) {
          rest = w.substr(std::strlen(f));
          // Assimilated article: abdur-rahman keeps the r of the name.
          if (EndsWith(f, "r") || EndsWith(f, "s")) rest = std::string(1, f[std::strlen(f) - 1]) + rest;
          break;
        }
      }
      std::string sep = writer.Coin(50) ? " " : "";
      if (rest.empty() && more) {
        // The name follows as its own word ("Abdul Aziz").
        std::string next = words[++i];
        if (Articles().count(next) && i + 1 < words.size()) next = words[++i];
        out.push_back("عبد" + sep + "ال" + writer.Letters(next));
      } else if (rest == "llah" || rest == "lah" || rest == "la" || rest == "lla" || rest == "allah") {
        out.push_back("عبد" + sep + "الله");
      } else {
        out.push_back("عبد" + sep + "ال" + writer.Letters(rest));
      }
    } else if (w.size() > 5 && (EndsWith(w, "ullah") || EndsWith(w, "ollah") || EndsWith(w, "allah"))) {
      out.push_back(prefix + writer.Letters(w.substr(0, w.size() - 5)) + " الله");  // Hamdullah
    } else if (w.size() > 6 && (EndsWith(w, "uddin") || EndsWith(w, "eddine") || EndsWith(w, "uddeen"))) {
      size_t cut = EndsWith(w, "eddine") ? 6 : 5;
      out.push_back(prefix + writer.Letters(w.substr(0, w.size() - cut)) + " الدين");
    } else {
      out.push_back(prefix + writer.Letters(w));
    }
  }
  std::string s;
  for (const auto& w : out) {
    if (w.empty()) continue;
    s += (s.empty() ? "" : " ") + w;
  }
  return s;
}

const char* CyrLangName(CyrLang lang) {
  switch (lang) {
    case CyrLang::kRussian: return "Russian";
    case CyrLang::kUkrainian: return "Ukrainian";
    case CyrLang::kKazakh: return "Kazakh";
    case CyrLang::kUzbek: return "Uzbek";
    case CyrLang::kKyrgyz: return "Kyrgyz";
    case CyrLang::kTajik: return "Tajik";
  }
  return "";
}

std::string ToCyrillic(const std::string& latin, CyrLang lang) {
  // Longest match first; the language's own letters before the shared ones.
  using Rules = std::vector<std::pair<const char*, const char*>>;
  static const Rules kShared = {
      {"shch", "щ"}, {"dzh", "дж"}, {"tch", "ч"}, {"sch", "ш"}, {"kh", "х"}, {"zh", "ж"},
      {"ts", "ц"},   {"tz", "ц"},   {"ch", "ч"},  {"sh", "ш"},  {"ph", "ф"}, {"th", "т"},
      {"ck", "к"},   {"ya", "я"},   {"yu", "ю"},  {"yo", "ё"},  {"ye", "е"}, {"ia", "я"},
      {"iu", "ю"},   {"ou", "у"},   {"a", "а"},   {"b", "б"},   {"c", "к"},  {"d", "д"},
      {"e", "е"},    {"f", "ф"},    {"g", "г"},   {"h", "х"},   {"i", "и"},  {"j", "дж"},
      {"k", "к"},    {"l", "л"},    {"m", "м"},   {"n", "н"},   {"o", "о"},  {"p", "п"},
      {"q", "к"},    {"r", "р"},    {"s", "с"},   {"t", "т"},   {"u", "у"},  {"v", "в"},
      {"w", "в"},    {"x", "кс"},   {"z", "з"},   {"'", "ь"}};
  static const std::map<CyrLang, Rules> kOwn = {
      {CyrLang::kRussian, {}},
      {CyrLang::kUkrainian, {{"yi", "ї"}, {"ye", "є"}, {"ie", "є"}, {"kh", "х"}, {"h", "г"}, {"g", "ґ"}, {"i", "і"}}},
      {CyrLang::kKazakh, {{"uly", "ұлы"}, {"kyzy", "қызы"}, {"gh", "ғ"}, {"q", "қ"}, {"ng", "ң"}, {"j", "ж"}}},
      {CyrLang::kUzbek, {{"o'", "ў"}, {"g'", "ғ"}, {"ugli", "ўғли"}, {"ogli", "ўғли"}, {"q", "қ"}, {"h", "ҳ"},
                         {"x", "х"}, {"j", "ж"}}},
      {CyrLang::kKyrgyz, {{"uulu", "уулу"}, {"ng", "ң"}, {"oe", "ө"}, {"ue", "ү"}, {"j", "ж"}}},
      {CyrLang::kTajik, {{"zoda", "зода"}, {"zade", "зода"}, {"gh", "ғ"}, {"q", "қ"}, {"j", "ҷ"}, {"h", "ҳ"}}}};
  std::string out;
  for (const std::string& w : LowerWords(latin, lang == CyrLang::kUzbek)) {
    if (!out.empty()) out += ' ';
    for (size_t i = 0; i < w.size();) {
      char c = w[i];
      bool prev_consonant = i > 0 && !Vowel(w[i - 1]) && w[i - 1] != 'y';
      // y: ы between consonants (Russian and its neighbours), и in Ukrainian; й after a vowel;
      // the adjective ending -iy/-yy/-y is ий or ый.
      if (c == 'y' && !(i + 1 < w.size() && Vowel(w[i + 1]))) {
        bool end = i + 1 == w.size();
        if (lang == CyrLang::kUkrainian) out += prev_consonant ? (end ? "ий" : "и") : "й";
        else if (!prev_consonant) out += "й";
        else if (end) out += std::strchr("kgh", w[i - 1]) ? "ий" : "ый";
        else out += "ы";
        ++i;
        continue;
      }
      if (c == 'e' && i == 0 && lang == CyrLang::kRussian) {
        out += "э";
        ++i;
        continue;
      }
      bool done = false;
      for (const Rules* rules : {&kOwn.at(lang), &kShared}) {
        for (const auto& [from, to] : *rules) {
          size_t n = std::strlen(from);
          if (w.compare(i, n, from) == 0) {
            out += to;
            i += n;
            done = true;
            break;
          }
        }
        if (done) break;
      }
      if (!done) ++i;
    }
  }
  return out;
}

const char* RomanisationName(Romanisation r) {
  switch (r) {
    case Romanisation::kBgnPcgn: return "BGN/PCGN";
    case Romanisation::kIcao9303: return "ICAO 9303";
    case Romanisation::kFrench: return "French";
    case Romanisation::kGerman: return "German";
  }
  return "";
}

std::string RomaniseCyrillic(const std::string& cyrillic, Romanisation r) {
  // Decode to code points.
  std::vector<char32_t> cps;
  for (size_t i = 0; i < cyrillic.size();) {
    unsigned char c = static_cast<unsigned char>(cyrillic[i]);
    char32_t cp = c;
    size_t n = 1;
    if (c >= 0xF0) cp = c & 0x07, n = 4;
    else if (c >= 0xE0) cp = c & 0x0F, n = 3;
    else if (c >= 0xC0) cp = c & 0x1F, n = 2;
    for (size_t k = 1; k < n && i + k < cyrillic.size(); ++k) cp = (cp << 6) | (cyrillic[i + k] & 0x3F);
    cps.push_back(cp);
    i += n;
  }
  // Lower-case Cyrillic: the clerk's renderings above are lower case already.
  auto vowel = [](char32_t c) { return std::u32string_view(U"аеёиоуыэюяіїєәөұүӯ").find(c) != std::u32string_view::npos; };
  std::string out;
  for (size_t i = 0; i < cps.size(); ++i) {
    char32_t c = cps[i];
    bool start = i == 0 || cps[i - 1] == U' ';
    bool after_vowel = !start && (vowel(cps[i - 1]) || cps[i - 1] == U'ь' || cps[i - 1] == U'ъ');
    bool iotated_pos = start || after_vowel;
    bool between_vowels = !start && i + 1 < cps.size() && vowel(cps[i - 1]) && vowel(cps[i + 1]);
    bool end = i + 1 == cps.size() || cps[i + 1] == U' ';
    // -ий / -ый endings.
    if ((c == U'и' || c == U'ы') && i + 1 < cps.size() && cps[i + 1] == U'й' &&
        (i + 2 == cps.size() || cps[i + 2] == U' ')) {
      switch (r) {
        case Romanisation::kBgnPcgn: out += c == U'и' ? "iy" : "yy"; break;
        case Romanisation::kIcao9303: out += c == U'и' ? "ii" : "yi"; break;
        case Romanisation::kFrench: out += c == U'и' ? "i" : "y"; break;
        case Romanisation::kGerman: out += c == U'и' ? "i" : "y"; break;
      }
      ++i;
      continue;
    }
    const char* s = nullptr;
    switch (r) {
      case Romanisation::kBgnPcgn:
        switch (c) {
          case U'е': s = iotated_pos ? "ye" : "e"; break;
          case U'ё': s = iotated_pos ? "yo" : "e"; break;
          case U'ж': s = "zh"; break;
          case U'й': s = "y"; break;
          case U'х': s = "kh"; break;
          case U'ц': s = "ts"; break;
          case U'ч': s = "ch"; break;
          case U'ш': s = "sh"; break;
          case U'щ': s = "shch"; break;
          case U'ы': s = "y"; break;
          case U'э': s = "e"; break;
          case U'ю': s = "yu"; break;
          case U'я': s = "ya"; break;
          default: break;
        }
        break;
      case Romanisation::kIcao9303:
        switch (c) {
          case U'е': case U'ё': case U'э': s = "e"; break;
          case U'ж': s = "zh"; break;
          case U'й': s = "i"; break;
          case U'х': s = "kh"; break;
          case U'ц': s = "ts"; break;
          case U'ч': s = "ch"; break;
          case U'ш': s = "sh"; break;
          case U'щ': s = "shch"; break;
          case U'ъ': s = "ie"; break;
          case U'ы': s = "y"; break;
          case U'ю': s = "iu"; break;
          case U'я': s = "ia"; break;
          case U'є': s = "ie"; break;
          case U'ї': s = "i"; break;
          default: break;
        }
        break;
      case Romanisation::kFrench:
        switch (c) {
          case U'г': s = i + 1 < cps.size() && (cps[i + 1] == U'е' || cps[i + 1] == U'и') ? "gu" : "g"; break;
          case U'е': s = iotated_pos && !start ? "ie" : "e"; break;
          case U'ё': s = "io"; break;
          case U'ж': s = "j"; break;
          case U'й': s = "i"; break;
          case U'с': s = between_vowels ? "ss" : "s"; break;
          case U'у': s = "ou"; break;
          case U'х': s = "kh"; break;
          case U'ц': s = "ts"; break;
          case U'ч': s = "tch"; break;
          case U'ш': s = "ch"; break;
          case U'щ': s = "chtch"; break;
          case U'ы': s = "y"; break;
          case U'э': s = "e"; break;
          case U'ю': s = "iou"; break;
          case U'я': s = "ia"; break;
          default: break;
        }
        break;
      case Romanisation::kGerman:
        switch (c) {
          case U'в': s = end ? "w" : "w"; break;
          case U'е': s = iotated_pos && !start ? "je" : "e"; break;
          case U'ё': s = "jo"; break;
          case U'ж': s = "sch"; break;
          case U'з': s = "s"; break;
          case U'й': s = "j"; break;
          case U'с': s = between_vowels ? "ss" : "s"; break;
          case U'х': s = "ch"; break;
          case U'ц': s = "z"; break;
          case U'ч': s = "tsch"; break;
          case U'ш': s = "sch"; break;
          case U'щ': s = "schtsch"; break;
          case U'ы': s = "y"; break;
          case U'э': s = "e"; break;
          case U'ю': s = "ju"; break;
          case U'я': s = "ja"; break;
          default: break;
        }
        break;
    }
    if (!s) {
      switch (c) {
        case U'а': s = "a"; break;
        case U'б': s = "b"; break;
        case U'в': s = "v"; break;
        case U'г': s = "g"; break;
        case U'ґ': s = "g"; break;
        case U'д': s = "d"; break;
        case U'е': s = "e"; break;
        case U'з': s = "z"; break;
        case U'и': s = "i"; break;
        case U'і': s = "i"; break;
        case U'ї': s = "yi"; break;
        case U'є': s = "ye"; break;
        case U'к': s = "k"; break;
        case U'қ': s = "q"; break;
        case U'л': s = "l"; break;
        case U'м': s = "m"; break;
        case U'н': s = "n"; break;
        case U'ң': s = "ng"; break;
        case U'о': s = "o"; break;
        case U'ө': s = "o"; break;
        case U'п': s = "p"; break;
        case U'р': s = "r"; break;
        case U'с': s = "s"; break;
        case U'т': s = "t"; break;
        case U'у': s = "u"; break;
        case U'ұ': case U'ү': case U'ӯ': s = "u"; break;
        case U'ў': s = "o"; break;
        case U'ф': s = "f"; break;
        case U'ғ': s = "gh"; break;
        case U'ҳ': case U'һ': s = "h"; break;
        case U'ҷ': s = "j"; break;
        case U'ә': s = "a"; break;
        case U'ӣ': s = "i"; break;
        case U'ь': case U'ъ': s = ""; break;
        case U' ': s = " "; break;
        default: s = ""; break;
      }
    }
    out += s;
  }
  return out;
}

std::string MadeUpName(std::mt19937& rng) {
  static const char* kOnsets[] = {"b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t",
                                  "v", "z", "sh", "kh", "ch", "zh", "ts", "br", "dr", "gr", "st", "tr"};
  static const char* kVowels[] = {"a", "e", "i", "o", "u", "a", "i", "o", "ou", "ia", "ai"};
  static const char* kCodas[] = {"", "", "", "n", "r", "l", "m", "s", "k", "t", "v", "d"};
  std::string out;
  size_t words = 2 + rng() % 2;
  for (size_t w = 0; w < words; ++w) {
    std::string word;
    size_t syllables = 2 + rng() % 2;
    for (size_t s = 0; s < syllables; ++s) {
      word += kOnsets[rng() % std::size(kOnsets)];
      word += kVowels[rng() % std::size(kVowels)];
      if (s + 1 == syllables) word += kCodas[rng() % std::size(kCodas)];
    }
    word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

}  // namespace cbrnhub::bench
