// Name normalisation: transliteration (ICU), tokens, folded spellings, similarity measures.
#include "sanctions/names.h"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_set>

namespace cbrnhub::sanctions {
namespace {

// Tajik ҷ is the sound Russian writes дж; ICU has no Tajik table, and no other of its tables
// reads ҷ (it was dropped: Ҷӯраев read as "urayev"). Registered with ICU once per process.
// Whether it could be registered (else ҷ is left to ICU, which drops it, rather than the
// transform failing and the whole name with it).
const char kTajikJ[] = "Any-TajikJ";
bool RegisterTajikJ() {
  static const bool registered = [] {
    UErrorCode status = U_ZERO_ERROR;
    UParseError where{};
    std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createFromRules(
        kTajikJ, icu::UnicodeString::fromUTF8("\\u04B7 > \\u0434\\u0436; \\u04B6 > \\u0414\\u0436;"),
        UTRANS_FORWARD, where, status));
    if (U_FAILURE(status) || !t) return false;
    icu::Transliterator::registerInstance(t.release());  // ICU owns it from here
    return true;
  }();
  return registered;
}

// Which ICU transform turns this text into Latin. Cyrillic letters unique to one language pick
// that language's BGN/PCGN table, so "Қодиров" reads as Uzbek and "Әбішұлы" as Kazakh.
std::string TransformFor(const icu::UnicodeString& s) {
  bool cyrillic = false, arabic = false, persian = false, tajik_j = false;
  bool kazakh = false, uzbek = false, kyrgyz = false, ukrainian = false;
  for (int32_t i = 0; i < s.length();) {
    UChar32 c = s.char32At(i);
    i += U16_LENGTH(c);
    if (c >= 0x0400 && c <= 0x04FF) {
      cyrillic = true;
      switch (c) {
        case 0x04D9:
        case 0x04D8:
        case 0x04B1:
        case 0x04B0:
        case 0x0456:
        case 0x0406:
        case 0x04BB:
        case 0x04BA:  // ә ұ і һ
          kazakh = true;
          break;
        case 0x045E:
        case 0x040E:
        case 0x04B3:
        case 0x04B2:  // ў ҳ
          uzbek = true;
          break;
        case 0x04A3:
        case 0x04A2:
        case 0x04E9:
        case 0x04E8:
        case 0x04AF:
        case 0x04AE:  // ң ө ү
          kyrgyz = true;
          break;
        case 0x0457:
        case 0x0407:
        case 0x0454:
        case 0x0404:
        case 0x0491:
        case 0x0490:  // ї є ґ
          ukrainian = true;
          break;
        case 0x04B7:
        case 0x04B6:  // ҷ
          tajik_j = true;
          break;
        default:
          break;
      }
    } else if (c >= 0x0600 && c <= 0x06FF) {
      arabic = true;
      if (c == 0x067E || c == 0x0686 || c == 0x0698 || c == 0x06AF || c == 0x06A9 || c == 0x06CC) {
        persian = true;
      }
    }
  }
  std::string id;
  if (tajik_j && RegisterTajikJ()) id = std::string(kTajikJ) + "; ";
  if (cyrillic) {
    if (kazakh)
      id += "Kazakh-Latin/BGN; ";
    else if (uzbek)
      id += "Uzbek-Latin/BGN; ";
    else if (kyrgyz)
      id += "Kirghiz-Latin/BGN; ";
    else if (ukrainian)
      id += "Ukrainian-Latin/BGN; ";
    else
      id += "Russian-Latin/BGN; ";
  }
  if (arabic) id += persian ? "Persian-Latin/BGN; " : "Arabic-Latin/BGN; ";
  return id + "Any-Latin; Latin-ASCII; Lower";
}

// ICU transliterators are not safe to share between threads: each thread keeps its own.
// Creating one parses its rules (about 50 ms for the Cyrillic ones); a clone shares the parsed
// rules. So each transform is created once per process and cloned per thread: a new thread (a
// batch's worker, the index build's helper) starts screening at once.
icu::Transliterator* TransliteratorFor(const std::string& id) {
  thread_local std::map<std::string, std::unique_ptr<icu::Transliterator>> cache;
  auto it = cache.find(id);
  if (it != cache.end()) return it->second.get();
  static std::mutex prototypes_mutex;
  static std::map<std::string, std::unique_ptr<icu::Transliterator>> prototypes;
  std::unique_ptr<icu::Transliterator> t;
  {
    std::lock_guard<std::mutex> lock(prototypes_mutex);
    auto& prototype = prototypes[id];
    if (!prototype) {
      UErrorCode status = U_ZERO_ERROR;
      prototype.reset(icu::Transliterator::createInstance(icu::UnicodeString::fromUTF8(id),
                                                          UTRANS_FORWARD, status));
      if (U_FAILURE(status)) prototype.reset();
    }
    if (prototype) t.reset(prototype->clone());
  }
  return cache.emplace(id, std::move(t)).first->second.get();
}

// (Not "m" for Monsieur: it is more often an initial, Mustafa Mohammed M.)
const std::unordered_set<std::string>& Honorifics() {
  static const std::unordered_set<std::string> kWords = {
      "mr",       "mrs",     "ms",     "miss",       "dr",      "prof",     "professor", "sir",
      "sheikh",   "shaykh",  "sheik",  "shaikh",     "haji",    "hajji",    "hadji",     "mullah",
      "mulla",    "maulana", "maulvi", "mawlawi",    "general", "gen",      "colonel",   "col",
      "captain",  "capt",    "major",  "lieutenant", "lt",      "gospodin", "gospozha",  "madame",
      "monsieur", "mme",     "herr",   "frau",       "sayyid",
      // The same titles as Russian, Central Asian, German and French clerks write them
      // (хаджи, ҳожи, Scheich, Cheikh, мулло, доктор, полковник), romanised.
      "khadzhi",  "khadzhy", "khazhi", "khazhy",     "hadzhi",  "hoji",     "chadschi",  "hadschi",
      "scheich",  "cheikh",  "hodji",  "sheykh",     "shejkh",  "mullo",    "mavlavi",   "mawlavi",
      "maulavi",  "maulawi", "molvi",  "moulvi",     "moulavi", "doktor",   "polkovnik"};
  return kWords;
}

// Titles as RomaniseArabicScript writes them (شيخ, حاج, حاجي, ملا, مولوي, مولانا, دكتور): the
// Latin ones would take Arabic-script words for titles (لت "lt", م "m", در "dr").
const std::unordered_set<std::string>& ArabicScriptTitles() {
  static const std::unordered_set<std::string> kWords = {"shikh", "haj",    "haji", "mla",
                                                         "mului", "mulana", "dktur"};
  return kWords;
}

// Legal-form words, in the languages of the partner countries and of the lists.
const std::unordered_set<std::string>& CompanyForms() {
  static const std::unordered_set<std::string> kWords = {"llc",          "ltd",
                                                         "limited",      "inc",
                                                         "incorporated", "corp",
                                                         "corporation",  "co",
                                                         "company",      "plc",
                                                         "gmbh",         "ag",
                                                         "sa",           "sarl",
                                                         "srl",          "spa",
                                                         "bv",           "nv",
                                                         "jsc",          "ojsc",
                                                         "cjsc",         "pjsc",
                                                         "oao",          "zao",
                                                         "pao",          "ooo",
                                                         "too",          "ao",
                                                         "tov",          "mchj",
                                                         "xk",           "qk",
                                                         "aj",           "osoo",
                                                         "zhshs",        "ak",
                                                         "aq",           "llp",
                                                         "lp",           "fze",
                                                         "fzco",         "fzc",
                                                         "fzllc",        "pte",
                                                         "pvt",          "bhd",
                                                         "sdn",          "jv",
                                                         "kft",          "sro",
                                                         "ooo",          "ip",
                                                         "chp",          "gp",
                                                         "kg",           "ug",
                                                         "ab",           "oy",
                                                         "as",           "pty",
                                                         "est",          "establishment",
                                                         "sharikat",     "sherkat",
                                                         "shirkat"};
  return kWords;
}

// Word sequences that together are a legal form ("limited liability company").
const std::vector<std::vector<std::string>>& CompanyPhrases() {
  static const std::vector<std::vector<std::string>> kPhrases = {
      {"limited", "liability", "company"},
      {"limited", "liability", "partnership"},
      {"public", "joint", "stock", "company"},
      {"open", "joint", "stock", "company"},
      {"closed", "joint", "stock", "company"},
      {"joint", "stock", "company"},
      {"obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"},
      {"aktsionernoye", "obshchestvo"},
      {"publichnoye", "aktsionernoye", "obshchestvo"},
      {"zakrytoye", "aktsionernoye", "obshchestvo"},
      {"otkrytoye", "aktsionernoye", "obshchestvo"},
      {"tovarishchestvo", "s", "ogranichennoy", "otvetstvennostyu"},
      {"mas", "uliyati", "cheklangan", "jamiyati"},
      {"masuliyati", "cheklangan", "jamiyati"},
      {"aksiyadorlik", "jamiyati"},
      {"societe", "anonyme"},
      {"private", "limited"},
      {"sdn", "bhd"},
  };
  return kPhrases;
}

// The skeletons of legal-form words and of the words of legal-form phrases.
const std::unordered_set<std::string>& CompanyFormSkeletons() {
  static const std::unordered_set<std::string> kSkeletons = [] {
    std::unordered_set<std::string> out;
    for (const auto& w : CompanyForms()) out.insert(Skeleton(w));
    for (const auto& phrase : CompanyPhrases()) {
      for (const auto& w : phrase) {
        if (w.size() > 2) out.insert(Skeleton(w));
      }
    }
    return out;
  }();
  return kSkeletons;
}

const std::unordered_set<std::string>& Particles() {
  static const std::unordered_set<std::string> kWords = {
      "al",   "el",   "ul",    "ad",   "ed",   "as",   "ash", "ar",  "az",   "bin",  "ben",
      "ibn",  "bint", "binti", "abu",  "abou", "umm",  "de",  "da",  "del",  "der",  "di",
      "du",   "la",   "le",    "van",  "von",  "den",  "y",   "e",   "ould", "ogli", "ugli",
      "oglu", "uly",  "uli",   "kyzy", "kizi", "qizi", "the", "and", "of"};
  return kWords;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

bool IsArabicLetter(UChar32 c) {
  return (c >= 0x0620 && c <= 0x064A) || (c >= 0x0671 && c <= 0x06D3) || c == 0x06D5 ||
         (c >= 0x06EE && c <= 0x06EF) || (c >= 0x06FA && c <= 0x06FF);
}
// Harakat, the dagger alif and the tatweel: written rarely, and never in lists' names.
bool IsArabicMark(UChar32 c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 || (c >= 0x06D6 && c <= 0x06ED);
}

// One Arabic-script letter as a writer of the Latin name would have heard it. Short vowels are
// not written in Arabic, so none are added; long vowels (alif, waw, ya) are.
std::string ArabicLetterLatin(UChar32 c, bool initial, bool final) {
  switch (c) {
    case 0x0627:
    case 0x0623:
    case 0x0622:
    case 0x0671:
    case 0x0672:
      return "a";  // ا أ آ
    case 0x0625:
    case 0x0673:
      return "i";  // إ
    case 0x0621:
      return "";  // ء
    case 0x0624:
      return "u";  // ؤ
    case 0x0626:
      return "i";  // ئ
    case 0x0628:
      return "b";
    case 0x067E:
      return "p";  // پ
    case 0x062A:
    case 0x0637:
    case 0x0679:
      return "t";  // ت ط ٹ
    case 0x062B:
      return "th";  // ث
    case 0x062C:
      return "j";
    case 0x0686:
      return "ch";  // چ
    case 0x062D:
    case 0x0647:
    case 0x06C1:
    case 0x06BE:
    case 0x06D5:
    case 0x06C0:
      return "h";
    case 0x062E:
      return "kh";
    case 0x062F:
    case 0x0636:
    case 0x0688:
      return "d";  // د ض ڈ
    case 0x0630:
      return "dh";  // ذ
    case 0x0631:
    case 0x0691:
      return "r";
    case 0x0632:
    case 0x0638:
      return "z";  // ز ظ
    case 0x0698:
      return "zh";  // ژ
    case 0x0633:
    case 0x0635:
      return "s";  // س ص
    case 0x0634:
      return "sh";
    case 0x0639:
      return initial ? "a" : "";  // ع
    case 0x063A:
      return "gh";
    case 0x0641:
    case 0x06A4:
      return c == 0x06A4 ? "v" : "f";
    case 0x0642:
      return "q";
    case 0x0643:
    case 0x06A9:
    case 0x06AA:
      return "k";
    case 0x06AF:
      return "g";
    case 0x0644:
      return "l";
    case 0x0645:
      return "m";
    case 0x0646:
    case 0x06BA:
      return "n";
    case 0x0648:
      return initial ? "w" : "u";  // و
    case 0x0649:
      return final ? "a" : "i";  // ى
    case 0x064A:
    case 0x06CC:
    case 0x06D0:
    case 0x06CD:
      return initial ? "y" : "i";  // ي ی
    case 0x06D2:
    case 0x06D3:
      return "e";  // ے
    case 0x0629:
    case 0x06C3:
      return "a";  // ة
    default:
      return "";
  }
}

// Particles written as words of their own, in the spelling the lists use.
std::string ArabicParticle(const std::string& romanised) {
  static const std::map<std::string, std::string> kWords = {
      {"bn", "bin"},  {"abn", "ibn"}, {"ibn", "ibn"},  {"bnt", "bint"},
      {"abu", "abu"}, {"ab", "abu"},  {"wld", "ould"}, {"am", "umm"}};
  auto it = kWords.find(romanised);
  return it == kWords.end() ? romanised : it->second;
}

// Whether what is written so far ends a word. When a word's first letters wrote nothing, its
// next letter is read as inside the word, as the figures in docs/screening.md were measured
// (`back()` of the empty string was read before: undefined behaviour, clang's UBSan saw it).
bool AfterSpace(const std::string& written) { return !written.empty() && written.back() == ' '; }

}  // namespace

std::string RomaniseArabicScript(std::string_view utf8, bool tha_as_s) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  // Presentation forms (ﺁ) to letters.
  if (const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status); U_SUCCESS(status)) {
    u = nfkc->normalize(u, status);
  }
  std::string out;
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    if (!IsArabicLetter(c)) {
      icu::UnicodeString one(c);
      one.toUTF8String(out);
      i += U16_LENGTH(c);
      continue;
    }
    // One word: its letters without marks.
    std::vector<UChar32> letters;
    while (i < u.length()) {
      UChar32 d = u.char32At(i);
      if (IsArabicLetter(d))
        letters.push_back(d);
      else if (!IsArabicMark(d))
        break;
      i += U16_LENGTH(d);
    }
    std::string word;
    for (size_t k = 0; k < letters.size(); ++k) {
      // Abd and the article are written together with the next word (عبدالله, الحوثي).
      if (k == 3 && letters.size() > 4 && letters[0] == 0x0639 && letters[1] == 0x0628 &&
          letters[2] == 0x062F) {
        word = "abd ";
      }
      bool starts_article = k + 3 < letters.size() &&
                            (letters[k] == 0x0627 || letters[k] == 0x0671) &&
                            letters[k + 1] == 0x0644 && (k == 0 || AfterSpace(word));
      // Allah is not the article and a name (عبدالله: abd allah).
      if (starts_article && k + 4 == letters.size() && letters[k + 2] == 0x0644 &&
          (letters[k + 3] == 0x0647 || letters[k + 3] == 0x06C1)) {
        word += "allah";
        break;
      }
      if (starts_article) {
        word += "al ";
        ++k;
        continue;
      }
      bool initial = k == 0 || AfterSpace(word);
      word += tha_as_s && letters[k] == 0x062B
                  ? "s"
                  : ArabicLetterLatin(letters[k], initial, k + 1 == letters.size());
    }
    // Particles as the lists spell them (بن bin, ولد ould).
    size_t space = word.rfind(' ');
    if (space == std::string::npos) word = ArabicParticle(word);
    out += word;
  }
  return out;
}

std::vector<std::string> CyrillicSounds(std::string_view t) {
  using Rules = std::vector<std::pair<std::string_view, std::string_view>>;
  // Upper-case letters are sounds: S ш, Z ж, Q ч, X х, C ц, W щ; s is с and з (German writes
  // both s).
  static const Rules kEnglish = {
      {"shch", "W"}, {"dzh", "dZ"}, {"tch", "Q"}, {"sch", "S"}, {"zh", "Z"}, {"kh", "X"},
      {"ts", "C"},   {"tz", "C"},   {"ch", "Q"},  {"sh", "S"},  {"ph", "f"}, {"th", "t"},
      {"ck", "k"},   {"ou", "u"},   {"j", "dZ"},  {"w", "v"},   {"h", "X"},  {"c", "k"},
      {"q", "k"},    {"x", "ks"},   {"z", "s"}};
  // German writes ш and ж both sch: its readings are made with S and again with Z.
  static const Rules kGerman = {
      {"schtsch", "W"}, {"tsch", "Q"}, {"dsch", "dZ"}, {"sch", "S"}, {"ch", "X"}, {"tz", "C"},
      {"z", "C"},       {"ss", "s"},   {"j", "y"},     {"w", "v"},   {"h", "X"},  {"ph", "f"},
      {"th", "t"},      {"ck", "k"},   {"c", "k"},     {"q", "k"},   {"x", "ks"}};
  static const Rules kFrench = {
      {"chtch", "W"}, {"tch", "Q"}, {"dj", "dZ"}, {"ch", "S"}, {"j", "Z"},  {"kh", "X"},
      {"ou", "u"},    {"gu", "g"},  {"ss", "s"},  {"z", "s"},  {"ts", "C"}, {"w", "v"},
      {"h", "X"},     {"ph", "f"},  {"th", "t"},  {"c", "k"},  {"q", "k"},  {"x", "ks"}};
  // Russian writes a foreign h as г as often as х (Гасан, Ибрагим, Магомед, Гернандо), which
  // Russian romanisations give back as g: the English reading again with h as g.
  static const Rules kRussianH = [] {
    Rules r = kEnglish;
    for (auto& rule : r) {
      if (rule.first == "h") rule.second = "g";
    }
    r.push_back({"gh", "gX"});  // Ghassan is not Hassan
    return r;
  }();
  // The rules that can start at each letter, longest first (this runs for every name token).
  using ByFirst = std::array<Rules, 128>;
  static const std::array<ByFirst, 4> kByFirst = [] {
    std::array<ByFirst, 4> out;
    const Rules* all[] = {&kEnglish, &kGerman, &kFrench, &kRussianH};
    for (size_t r = 0; r < 4; ++r) {
      for (const auto& rule : *all[r])
        out[r][static_cast<unsigned char>(rule.first[0]) & 0x7F].push_back(rule);
      for (auto& rules : out[r]) {
        std::stable_sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
          return a.first.size() > b.first.size();
        });
      }
    }
    return out;
  }();
  std::vector<std::string> out;
  bool has_h = t.find('h') != std::string_view::npos;
  for (const ByFirst& by_first : kByFirst) {
    if (&by_first == &kByFirst[3] && !has_h) break;
    std::string r;
    for (size_t i = 0; i < t.size();) {
      bool done = false;
      for (const auto& [from, to] : by_first[static_cast<unsigned char>(t[i]) & 0x7F]) {
        if (t.compare(i, from.size(), from) == 0) {
          r += to;
          i += from.size();
          done = true;
          break;
        }
      }
      if (!done) r += t[i++];
    }
    // Glides before a vowel vanish (Yakovlev, Iakovlev, Jakowlew), y is i, doubled letters one;
    // i and y together are one glide (Yurievna, German Jurijewna). ё is yo in most Latin
    // spellings and e in BGN/PCGN and passports (Fyodor, Fedor; Hyon, Хён khen): yo is e, and
    // so is io at the start, where passports write й and и before o (Iosif, Yosif, Jossif).
    std::string folded;
    auto glide = [](char c) { return c == 'y' || c == 'i'; };
    for (size_t i = 0; i < r.size(); ++i) {
      char c = r[i];
      if ((c == 'y' || (c == 'i' && i == 0)) && i + 1 < r.size() && r[i + 1] == 'o') c = 'e', ++i;
      if (glide(c) && i + 1 < r.size() && (glide(r[i + 1]) || std::strchr("aeou", r[i + 1])))
        continue;
      if (c == 'y') c = 'i';
      if (folded.empty() || folded.back() != c) folded += c;
    }
    if (std::find(out.begin(), out.end(), folded) == out.end()) out.push_back(folded);
    if (&by_first == &kByFirst[1] && folded.find('S') != std::string::npos) {
      std::replace(folded.begin(), folded.end(), 'S', 'Z');
      if (std::find(out.begin(), out.end(), folded) == out.end()) out.push_back(std::move(folded));
    }
  }
  return out;
}

bool AkeysAgree(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  auto v_like = [](char c) { return c == 'V' || c == 'w' || c == 'f'; };
  bool first = a[0] == b[0] || (a[0] == 'V' && v_like(b[0])) || (b[0] == 'V' && v_like(a[0]));
  return first && a.substr(1) == b.substr(1);
}

std::string ArabicKey(std::string_view t) {
  std::string out;
  auto at = [&](size_t i) { return i < t.size() ? t[i] : '\0'; };
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i], n = at(i + 1);
    char k = 0;
    switch (c) {
      // kh is خ, which Arabic writes apart from ح and ه (Khalid is not Hilda).
      case 'k':
        k = 'h' == n ? (++i, 'K') : 'k';
        break;
      // ق is g in the Gulf, Egypt and the Maghreb (Gaddafi, Ghedeir), ج is g in Egypt (Ragab).
      case 'g':
        if (n == 'h') ++i;
        k = 'g';
        break;
      case 's':
        if (n == 'h')
          k = (++i, 'x');
        else if (n == 'c' && at(i + 2) == 'h')
          k = (i += 2, 'x');
        else
          k = 's';
        break;
      case 'c':
        k = n == 'h' ? (++i, 'x') : n == 'k' ? (++i, 'k') : 'k';
        break;
      case 't':
        if (n == 'h')
          k = (++i, 't');
        else if (n == 'c' && at(i + 2) == 'h')
          k = (i += 2, 'x');
        else
          k = 't';
        break;
      case 'd':
        if (n == 'h')
          k = (++i, 'd');
        else if (n == 'j')
          k = (++i, 'g');
        else if (n == 'z' && at(i + 2) == 'h')
          k = (i += 2, 'g');
        else
          k = 'd';
        break;
      case 'z':
        k = n == 'h' ? (++i, 'g') : 'd';
        break;
      case 'p':
        k = n == 'h' ? (++i, 'f') : 'b';
        break;
      case 'j':
        k = 'g';
        break;
      case 'q':
        k = 'k';
        break;
      case 'x':
        out += 'k';
        k = 's';
        break;
      // v is ف in Arabic writing of foreign names (Viktor, -ov) and و in Persian (Vali): V at
      // the start stands for both (see AkeysAgree), f elsewhere.
      case 'v':
        k = i == 0 ? 'V' : 'f';
        break;
      case 'w':
        k = i == 0 ? 'w' : 0;
        break;
      case 'y':
        k = i == 0 ? 'y' : 0;
        break;
      case 'a':
      case 'e':
      case 'i':
      case 'o':
      case 'u':
        k = 0;
        break;
      default:
        k = c;
        break;
    }
    if (k && (out.empty() || out.back() != k)) out += k;
  }
  // A final h is a ta marbuta or silent (Hamza / Hamzah, Abdullah / Abdulla).
  if (out.size() > 1 && out.back() == 'h') out.pop_back();
  return out;
}

namespace {

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// ICU's transform of `utf8` by the transform `id`, as UTF-8.
std::string IcuTransliterate(std::string_view utf8, const std::string& id) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  if (icu::Transliterator* t = TransliteratorFor(id)) t->transliterate(u);
  std::string out;
  u.toUTF8String(out);
  return out;
}

// What ICU's "Latin-ASCII; Lower" makes of a character, for the Latin letters with diacritics
// and the marks (ʹ ʺ ʻ ·) that the BGN/PCGN tables and Any-Latin write: that last step is most
// of the cost of a transform (its rules cover every script's Latin), and these characters fold
// alike wherever they stand. Asked of ICU itself, once per process; a character whose fold
// depends on what stands beside it, or is not ASCII, is left out (ICU folds it).
const std::unordered_map<UChar32, std::string>& AsciiFolds() {
  static const auto folds = [] {
    std::unordered_map<UChar32, std::string> out;
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> ascii(
        icu::Transliterator::createInstance("Latin-ASCII; Lower", UTRANS_FORWARD, status));
    if (U_FAILURE(status) || !ascii) return out;
    auto fold = [&](const icu::UnicodeString& text) {
      icu::UnicodeString u(text);
      ascii->transliterate(u);
      std::string utf8;
      u.toUTF8String(utf8);
      return utf8;
    };
    std::vector<UChar32> candidates = {0x00B7, 0x02B9, 0x02BA, 0x02BB, 0x02BC};
    for (UChar32 c = 0x00C0; c <= 0x024F; ++c) candidates.push_back(c);
    for (UChar32 c : candidates) {
      const icu::UnicodeString alone(c);
      const std::string folded = fold(alone);
      if (!IsAscii(folded)) continue;
      bool context_free = fold(alone + alone) == folded + folded;
      for (const char* beside : {"a", "Z", " "}) {
        icu::UnicodeString b(beside);
        std::string lower(beside);
        lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
        context_free = context_free && fold(b + alone + b) == lower + folded + lower &&
                       fold(b + alone) == lower + folded && fold(alone + b) == folded + lower;
      }
      if (context_free) out.emplace(c, folded);
    }
    return out;
  }();
  return folds;
}

// ICU's transform `id` of one word. When `id` ends in Latin-ASCII and Lower, the steps before
// are ICU's, and the last two AsciiFolds() when it knows every character left (else ICU's).
std::string TransliterateWord(std::string_view word, const std::string& id) {
  static const std::string kFoldSteps = "; Latin-ASCII; Lower";
  if (id.size() <= kFoldSteps.size() || !id.ends_with(kFoldSteps))
    return IcuTransliterate(word, id);
  icu::Transliterator* first_steps = TransliteratorFor(id.substr(0, id.size() - kFoldSteps.size()));
  if (!first_steps) return IcuTransliterate(word, id);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(word.data(), static_cast<int32_t>(word.size())));
  first_steps->transliterate(u);
  const auto& folds = AsciiFolds();
  std::string out;
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    i += U16_LENGTH(c);
    if (c < 0x80) {
      out += static_cast<char>(std::tolower(static_cast<int>(c)));
      continue;
    }
    auto it = folds.find(c);
    if (it == folds.end()) {
      out.clear();
      if (icu::Transliterator* fold_steps = TransliteratorFor(kFoldSteps.substr(2)))
        fold_steps->transliterate(u);
      u.toUTF8String(out);
      return out;
    }
    out += it->second;
  }
  return out;
}

// Lower-case letters and digits; apostrophes and other marks vanish without splitting
// ("Ja'far" is "jafar"), everything else separates words.
std::string AsciiWords(std::string_view out) {
  std::string clean;
  clean.reserve(out.size());
  for (char ch : out) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z')
      clean += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      clean += static_cast<char>(c);
    else if (c == '\'' || c == '`' || c >= 0x80)
      continue;  // marks left over (ʿ, ˌ, ...)
    else
      clean += ' ';
  }
  return clean;
}

// Words of queries each thread remembers transliterated (ICU's transforms were a tenth of the
// instructions of a screen; the words of a batch's names repeat).
// 8,192 words of about 100 bytes each: under 1 MB per thread.
constexpr size_t kTransliteratedWordMemo = 8192;

}  // namespace

std::string TransliterateToAsciiWhole(std::string_view utf8) {
  if (IsAscii(utf8)) return AsciiWords(utf8);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  return AsciiWords(IcuTransliterate(utf8, TransformFor(u)));
}

std::string TransliterateToAscii(std::string_view utf8) {
  if (IsAscii(utf8)) return AsciiWords(utf8);
  // The transform is chosen by the whole name (a letter of one word says the name is Kazakh);
  // each word is then transformed alone and remembered. The transforms' rules look at letters
  // within a word only, so this gives what transforming the whole name gives (a test compares
  // the two on every listed name).
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  const std::string id = TransformFor(u);
  // Per transform (a handful), per word.
  thread_local std::unordered_map<std::string, std::unordered_map<std::string, std::string>> memo;
  thread_local size_t remembered = 0;
  if (remembered >= kTransliteratedWordMemo) memo.clear(), remembered = 0;
  auto& words = memo[id];
  std::string joined, key;
  joined.reserve(utf8.size());
  for (size_t i = 0; i <= utf8.size();) {
    size_t space = std::min(utf8.find(' ', i), utf8.size());
    std::string_view word = utf8.substr(i, space - i);
    if (IsAscii(word)) {
      joined += word;
    } else {
      key.assign(word);
      auto it = words.find(key);
      if (it == words.end()) {
        it = words.emplace(key, TransliterateWord(word, id)).first;
        ++remembered;
      }
      joined += it->second;
    }
    if (space < utf8.size()) joined += ' ';
    i = space + 1;
  }
  return AsciiWords(joined);
}

std::string Skeleton(std::string_view t) {
  // Spellings one letter of Cyrillic or Arabic gets in different transliterations fold to one
  // form: ш sh/sch/s, щ shch/sch, ч ch/tch/c, ж zh/j/dj, х kh/h, ц ts/tz/c, й/ы y/i/j, ю yu/iu,
  // я ya/ia, у ou/oo/u, and q/k, w/v, ph/f, c/k.
  static const std::pair<const char*, const char*> kRules[] = {
      {"shch", "2"}, {"tsch", "1"}, {"iou", "u"}, {"sch", "2"}, {"tch", "1"}, {"dzh", "j"},
      {"sh", "2"},   {"ch", "1"},   {"zh", "j"},  {"dj", "j"},  {"kh", "h"},  {"gh", "g"},
      {"ph", "f"},   {"th", "t"},   {"ts", "3"},  {"tz", "3"},  {"ck", "k"},  {"iu", "u"},
      {"ia", "a"},   {"ie", "e"},   {"ou", "u"},  {"oo", "u"},  {"ee", "i"},  {"q", "k"},
      {"x", "ks"},   {"w", "v"},    {"c", "k"},
  };
  // y and i are one letter for this purpose (Yusuf / Iusuf, Sergey / Sergei).
  std::string y_folded(t);
  std::replace(y_folded.begin(), y_folded.end(), 'y', 'i');
  t = y_folded;
  // The rules that can start at each letter, longest first (this runs for every name token).
  struct Rule {
    std::string_view from, to;
  };
  static const auto kByFirst = [] {
    std::array<std::vector<Rule>, 256> by_first;
    for (const auto& [from, to] : kRules) {
      by_first[static_cast<unsigned char>(from[0])].push_back({from, to});
    }
    return by_first;
  }();
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size();) {
    bool replaced = false;
    for (const Rule& r : kByFirst[static_cast<unsigned char>(t[i])]) {
      if (t.size() - i >= r.from.size() && t.substr(i, r.from.size()) == r.from) {
        out += r.to;
        i += r.from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += t[i++];
  }
  // A final h is silent in most transliterations of Arabic names (Abdullah / Abdulla).
  if (out.size() > 3 && out.back() == 'h') out.pop_back();
  // Doubled letters are a matter of style (Mohammed / Mohamed).
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string Consonants(std::string_view skeleton) {
  // Vowels, and v (from w: a vowel in Arabic transliteration) disappear entirely, so that a
  // transliteration of a script without short vowels (mhmd, ywsf) meets the full spelling.
  std::string out;
  for (char c : skeleton) {
    if (!IsVowel(c) && c != 'v') out += c;
  }
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// Everything a token is follows from its word and whether it was read from Arabic script
// (`tha_as_s`: the word as RomaniseArabicScript writes it with ث as s).
Token MakeToken(const std::string& w, bool abjad, const std::string& tha_as_s = "") {
  Token t;
  t.text = w;
  t.skeleton = Skeleton(w);
  t.consonants = Consonants(t.skeleton);
  size_t consonant_letters = std::count_if(t.skeleton.begin(), t.skeleton.end(),
                                           [](char c) { return !IsVowel(c) && c != 'v'; });
  t.consonant_letters = static_cast<uint8_t>(std::min<size_t>(consonant_letters, 255));
  t.akey = ArabicKey(w);
  // The other reading of letters Latin uses two ways: v written و (Persian), c before e/i
  // as s (French and Spanish: Lounici لونيسي).
  if (!abjad && (w.find('v', 1) != std::string::npos || w.find('c') != std::string::npos)) {
    std::string other = w;
    std::replace(other.begin() + 1, other.end(), 'v', 'w');
    for (size_t k = 0; k + 1 < other.size(); ++k) {
      if (other[k] == 'c' && (other[k + 1] == 'e' || other[k + 1] == 'i' || other[k + 1] == 'y'))
        other[k] = 's';
    }
    if (std::string k = ArabicKey(other); k != t.akey) t.akey_persian = k;
  }
  // ث is th in Arabic and s in Persian, Turkish and Urdu names (عثمان Uthman, Osman, Usman).
  if (abjad && !tha_as_s.empty() && tha_as_s != w) {
    if (std::string k = ArabicKey(tha_as_s); k != t.akey) t.akey_persian = k;
  }
  t.abjad = abjad;
  if (!abjad && w.size() >= 3) t.sounds = CyrillicSounds(w);
  for (const auto& sound : t.sounds)
    t.sound_bits |= uint64_t{1} << (std::hash<std::string>{}(sound) % 64);
  // Legal-form words stay, with little weight: a reordered or misspelled form ("stock
  // company joint", "kompany") then costs little instead of counting as a missing name part.
  t.legal_form = CompanyFormSkeletons().count(t.skeleton) > 0;
  t.particle = Particles().count(w) > 0 || t.legal_form;
  static const std::unordered_set<std::string> kArticles = {
      "al", "el", "ul", "ad", "an", "ar", "as", "ash", "at", "az", "ath", "adh",
      "ed", "en", "er", "es", "et", "ez", "ud", "un",  "ur", "us", "ut",  "uz"};
  t.article = kArticles.count(w) > 0;
  CountLetters(t);
  return t;
}

}  // namespace

namespace {
// TokenKey() of a token of this word, script and second Arabic key, before it is made.
std::string KeyOf(const std::string& text, bool abjad, const std::string& akey_second) {
  return abjad ? text + '\1' + akey_second : text;
}
}  // namespace

std::string TokenKey(const Token& t) { return KeyOf(t.text, t.abjad, t.akey_persian); }

NormalisedName Normalise(std::string_view name) { return Normalise(name, nullptr); }

NormalisedName Normalise(std::string_view name, TokenMemo* memo) {
  NormalisedName result;
  // Arabic script is romanised here, not by ICU: ICU's Arabic-Latin/BGN joins the article to
  // the name ("lrhmn") and leaves letters of Urdu and presentation forms unread.
  bool abjad = false;
  for (size_t i = 0; i + 1 < name.size() && !abjad; ++i) {
    unsigned char b = static_cast<unsigned char>(name[i]);
    abjad = b >= 0xD8 && b <= 0xDB;  // lead bytes of U+0600..U+06FF
  }
  if (!abjad && name.find("\xEF\xBA") != std::string_view::npos)
    abjad = true;  // presentation forms
  if (!abjad && name.find("\xEF\xBB") != std::string_view::npos) abjad = true;
  std::string romanised = abjad ? RomaniseArabicScript(name) : std::string();
  auto words_of = [](const std::string& ascii) {
    std::vector<std::string> words;
    for (size_t i = 0; i < ascii.size();) {
      while (i < ascii.size() && ascii[i] == ' ') ++i;
      size_t j = i;
      while (j < ascii.size() && ascii[j] != ' ') ++j;
      if (j > i) words.emplace_back(ascii.substr(i, j - i));
      i = j;
    }
    return words;
  };
  std::vector<std::string> words =
      words_of(TransliterateToAscii(abjad ? std::string_view(romanised) : name));
  // The words again with ث as s, word for word (ث writes one letter either way); a name
  // without ث has no "th" in its romanisation and needs no second one.
  std::vector<std::string> tha_as_s;
  if (abjad && romanised.find("th") != std::string::npos) {
    std::string other = RomaniseArabicScript(name, true);
    if (other != romanised) tha_as_s = words_of(TransliterateToAscii(other));
    if (tha_as_s.size() != words.size()) tha_as_s.clear();
  }
  std::string memo_key;
  result.tokens.reserve(words.size());  // a Token is large: no moves while growing
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    // Only when something else remains: "Mr" alone is a name; after the article or another
    // particle it is a family name (Al Sheikh, Ould Cheikh, bin Haji).
    auto title = [&] { return abjad ? ArabicScriptTitles().count(w) : Honorifics().count(w); };
    auto after_particle = [&] { return i > 0 && Particles().count(words[i - 1]) > 0; };
    if (words.size() > 1 && title() && !after_particle()) {
      result.dropped.push_back(w);
      continue;
    }
    const std::string& s_reading = tha_as_s.empty() ? w : tha_as_s[i];
    if (s_reading != w) {
      // Rare (a word with ث): made each time, kept under its own key (TokenKey).
      result.tokens.push_back(MakeToken(w, abjad, s_reading));
      if (memo) memo->try_emplace(TokenKey(result.tokens.back()), result.tokens.back());
    } else if (memo) {
      memo_key = KeyOf(w, abjad, "");
      auto it = memo->find(memo_key);
      if (it == memo->end()) it = memo->emplace(memo_key, MakeToken(w, abjad)).first;
      result.tokens.push_back(it->second);
    } else {
      result.tokens.push_back(MakeToken(w, abjad));
    }
    if (result.tokens.back().legal_form && words.size() > 1) result.dropped.push_back(w);
  }
  return result;
}

void CountLetters(Token& t) {
  t.letters.fill(0);
  t.letters_counted = t.skeleton.size() < 256;
  for (char c : t.skeleton) {
    if (!t.letters_counted) break;
    if (c >= 'a' && c <= 'z')
      ++t.letters[c - 'a'];
    else if (c >= '0' && c <= '9')
      ++t.letters[26 + c - '0'];
    else
      t.letters_counted = false;
  }
}

size_t CommonLettersOfSkeletons(const Token& a, const Token& b) {
  unsigned count[256] = {};
  for (char ch : a.skeleton) ++count[static_cast<unsigned char>(ch)];
  size_t m = 0;
  for (char ch : b.skeleton) {
    unsigned& n = count[static_cast<unsigned char>(ch)];
    if (n > 0) --n, ++m;
  }
  return m;
}

double JaroWinkler(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.empty() && b.empty() ? 1.0 : 0.0;
  if (a == b) return 1.0;
  const size_t la = a.size(), lb = b.size();
  const size_t window = std::max<size_t>(std::max(la, lb) / 2, 1) - 1;
  // Names are short: fixed buffers keep this allocation-free on the hot path.
  bool ma[64] = {}, mb[64] = {};
  if (la > 64 || lb > 64) return a == b ? 1.0 : 0.0;
  size_t matches = 0;
  for (size_t i = 0; i < la; ++i) {
    size_t lo = i > window ? i - window : 0;
    size_t hi = std::min(lb, i + window + 1);
    for (size_t j = lo; j < hi; ++j) {
      if (!mb[j] && a[i] == b[j]) {
        ma[i] = mb[j] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  size_t k = 0, half_transpositions = 0;
  for (size_t i = 0; i < la; ++i) {
    if (!ma[i]) continue;
    while (!mb[k]) ++k;
    if (a[i] != b[k]) ++half_transpositions;
    ++k;
  }
  double m = static_cast<double>(matches);
  double jaro = (m / la + m / lb + (m - half_transpositions / 2.0) / m) / 3.0;
  size_t prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix]) ++prefix;
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

size_t EditDistance(std::string_view a, std::string_view b) {
  // Three rows: the transposition looks two back. Names are short; longer strings fall back to
  // a bound (the length difference is a lower bound, the longer length an upper one).
  constexpr size_t kMax = 64;
  if (a.size() >= kMax || b.size() >= kMax) return std::max(a.size(), b.size());
  size_t prev2[kMax + 1], prev[kMax + 1], row[kMax + 1];
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], prev2[j - 2] + 1);
      }
    }
    std::copy(prev, prev + b.size() + 1, prev2);
    std::copy(row, row + b.size() + 1, prev);
  }
  return prev[b.size()];
}

bool EditDistanceAtMost(std::string_view a, std::string_view b, size_t k) {
  // The whole distance, a column of the table at a time in the bits of a word (Hyyrö's
  // bit-vector form of the optimal string alignment distance): for words, fewer steps than
  // even the cells within k of the diagonal. Long strings: the bound of EditDistance().
  constexpr size_t kMax = 64;
  if (a.size() >= kMax || b.size() >= kMax) return std::max(a.size(), b.size()) <= k;
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > k) return false;
  if (a.empty()) return b.size() <= k;
  // Per byte, the positions of `a` where it occurs; set for a's bytes, cleared again after.
  thread_local std::array<uint64_t, 256> positions{};
  for (size_t i = 0; i < a.size(); ++i)
    positions[static_cast<unsigned char>(a[i])] |= uint64_t{1} << i;
  // Bit i of the vertical deltas: +1 (up) or -1 (down) from row i to row i + 1 of the column;
  // only the low a.size() bits mean anything (carries and shifts only move upwards).
  const uint64_t last_row = uint64_t{1} << (a.size() - 1);
  uint64_t up = ~uint64_t{0}, down = 0, diagonal_zero = 0, previous_match = 0;
  size_t distance = a.size();
  for (char ch : b) {
    const uint64_t match = positions[static_cast<unsigned char>(ch)];
    // A transposition: this letter matches a[i - 1] and the last one matched a[i].
    const uint64_t transposed = (((~diagonal_zero) & match) << 1) & previous_match;
    diagonal_zero = (((match & up) + up) ^ up) | match | down | transposed;
    uint64_t horizontal_up = down | ~(diagonal_zero | up);
    uint64_t horizontal_down = diagonal_zero & up;
    if (horizontal_up & last_row)
      ++distance;
    else if (horizontal_down & last_row)
      --distance;
    // The first row grows by one per letter of b (the global distance).
    horizontal_up = (horizontal_up << 1) | 1;
    horizontal_down <<= 1;
    up = horizontal_down | ~(diagonal_zero | horizontal_up);
    down = horizontal_up & diagonal_zero;
    previous_match = match;
  }
  for (char ch : a) positions[static_cast<unsigned char>(ch)] = 0;
  return distance <= k;
}

bool GenderedPair(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);  // a: the shorter, usually the masculine form
  if (a.size() < 3 || a == b) return false;
  // Every form below shares its stem (at least the first letter) and adds at most two letters.
  if (a[0] != b[0] || b.size() > a.size() + 2) return false;
  // and one of the two (the feminine form) ends in a or e.
  auto feminine_end = [](char c) { return c == 'a' || c == 'e'; };
  if (!feminine_end(a.back()) && !feminine_end(b.back())) return false;
  auto ends = [](std::string_view s, std::string_view e) {
    return s.size() > e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
  };
  auto stem_is = [&](std::string_view s, size_t cut, std::string_view stem) {
    return s.size() > cut && s.substr(0, s.size() - cut) == stem;
  };
  // Patronymics: -ovich / -ovna, -evich / -evna, -ich / -ichna.
  for (auto [m, f] : {std::pair<std::string_view, std::string_view>{"vich", "vna"},
                      {"vitch", "vna"},
                      {"vych", "vna"},
                      {"ich", "ichna"}}) {
    if (ends(a, m) && ends(b, f) &&
        a.substr(0, a.size() - m.size()) == b.substr(0, b.size() - f.size()))
      return true;
    if (ends(b, m) && ends(a, f) &&
        b.substr(0, b.size() - m.size()) == a.substr(0, a.size() - f.size()))
      return true;
  }
  bool consonant_end = !IsVowel(a.back()) && a.back() != 'y';
  // Petrov / Petrova, Ivan / Ivana, Aleksandr / Aleksandra.
  if (consonant_end && b.size() == a.size() + 1 && b.back() == 'a' && b.substr(0, a.size()) == a)
    return true;
  // Dostoevskiy / Dostoevskaya, Tolstoy / Tolstaya, Yevgeniy / Yevgeniya.
  for (std::string_view m : {"iy", "yy", "ii", "ij", "oy", "y", "i"}) {
    if (!ends(a, m)) continue;
    std::string_view stem = a.substr(0, a.size() - m.size());
    for (std::string_view f : {"aya", "aia", "aja", "ya", "ia", "a"}) {
      if (ends(b, f) && stem_is(b, f.size(), stem) && !(m == "i" && f == "a") && stem.size() >= 2)
        return true;
    }
  }
  // Jean / Jeanne, Daniel / Danielle, Louis / Louise, Pascal / Pascale.
  if (consonant_end && b.size() == a.size() + 2 && b.substr(0, a.size()) == a &&
      b[a.size()] == a.back() && b.back() == 'e') {
    return true;
  }
  if (consonant_end && b.size() == a.size() + 1 && b.back() == 'e' && b.substr(0, a.size()) == a &&
      (a.back() == 's' || a.back() == 'l')) {
    return true;
  }
  return false;
}

}  // namespace cbrnhub::sanctions
