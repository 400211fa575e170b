// The matching engine: an inverted index of name tokens for retrieval, token similarities for
// scoring, secondary facts for adjustment. The score is documented in docs/screening.md; change
// the two together, and re-run bench/screening to see what the change does to precision/recall.
#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <span>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "sanctions/names.h"
#include "sanctions/sanctions.h"

namespace cbrnhub::sanctions {
namespace {

// Token similarities below this do not pair two tokens.
constexpr double kPairFloor = 0.82;
// Share of an unmatched listed-name token's weight that counts against the score: lists give
// full names (four parts for many Arabic names); a party is often known by fewer.
constexpr double kMissingListedPart = 0.2;
// Weight of particles (al, bin, abu, ogli...) relative to an ordinary name part.
constexpr double kParticleWeight = 0.25;
// Weight of legal-form words (LLC, OOO, company...): added, dropped or reordered freely.
constexpr double kLegalFormWeight = 0.1;
// Tokens whose similar vocabulary an index remembers (about 2 KB each).
constexpr size_t kSimilarCacheSize = 12000;
// Words of queries each thread remembers as tokens (about 1 KB each).
constexpr size_t kQueryWordMemo = 20000;
// A name part found in more names than this only extends what rarer parts retrieved.
constexpr size_t kFrequentPart = 300;
// The masculine and feminine forms of a name (Petrov / Petrova) paired: weighed as a fact.
constexpr double kGenderDiffers = 0.2;
// Parts of a listed name whose scratch values scoring keeps on the stack (more: on the heap).
constexpr size_t kPartsOnStack = 16;
// Names retrieved per query before full scoring.
constexpr size_t kRetrieve = 40;
// Parts of a listed name, about: when the names found so far have fewer parts in all than a
// frequent part has postings, the names are read instead of the postings.
constexpr size_t kPartsPerNameEstimate = 4;

struct Pair {
  int q = -1, c = -1, c2 = -1;  // c2: a second listed token when two were written as one
  double sim = 0;
  const char* how = "";
};

struct TokenSim {
  double sim;
  const char* how;
};
// The two ways of pairing that only say the spellings look alike (the "only alike" cap of
// ScoreName tells them from the others by these very pointers).
constexpr char kVowelsDiffer[] = "vowels differ";
constexpr char kSimilarSpelling[] = "similar spelling";

// What the pair loop and the score bound of ScoreName read of a name part, in 6 bytes: kept
// per part of every listed name in a flat array, so that a name's parts are read together
// rather than from their tokens all over the vocabulary.
struct PartBrief {
  char first = 0;         // first letter of the skeleton
  bool direct = false;    // compared while scoring: retrieval does not find its pairs (ScoreName)
  bool abjad = false;     // read from Arabic script
  bool particle = false;  // al, bin, LLC, ...
  uint16_t length = 0;    // of the skeleton (names are at most 1,000 bytes)
};

PartBrief BriefOf(const Token& t) {
  PartBrief b;
  b.first = t.skeleton.empty() ? '\0' : t.skeleton[0];
  // Short words, particles and Arabic script: see ScoreName.
  b.direct = t.skeleton.size() <= 4 || t.particle || t.abjad;
  b.abjad = t.abjad;
  b.particle = t.particle;
  b.length = static_cast<uint16_t>(std::min<size_t>(t.skeleton.size(), UINT16_MAX));
  return b;
}

// Scratch values, one per part of a name: on the stack for the names of a few parts (nearly
// all), else on the heap. Scoring runs for every retrieved name.
template <typename T>
class PartScratch {
 public:
  PartScratch(size_t parts, T initial) : many_(parts > kPartsOnStack ? parts : 0, initial) {
    values_ = parts > kPartsOnStack ? many_.data() : few_.data();
    if (parts <= kPartsOnStack) std::fill_n(few_.data(), parts, initial);
  }
  PartScratch(const PartScratch&) = delete;
  PartScratch& operator=(const PartScratch&) = delete;
  T& operator[](size_t k) { return values_[k]; }

 private:
  std::array<T, kPartsOnStack> few_;
  std::vector<T> many_;
  T* values_;
};

// Edits a similar spelling of a word of this length may have: a typo, two in long words.
size_t SpellingEdits(size_t length) { return 1 + length / 7; }

inline bool IsVowelChar(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// Whether Jaro-Winkler of the skeletons of a and b can reach kPairFloor. It is at most
// 0.6 * jaro + 0.4 (four letters of common prefix), and jaro at most (m/|a| + m/|b| + 1) / 3
// with m the letters the two have in common (as multisets).
// `common` is CommonLetters(a, b).
bool CanReachFloor(const Token& a, const Token& b, size_t common) {
  static_assert(kPairFloor == 0.82, "the integer test below is of 0.2 (m/a + m/b) + 0.6 >= 0.82");
  // The bound is at least the floor when m/a + m/b >= 1.1, that is when 10m(a + b) >= 11ab:
  // decided in integers unless the two sides are equal (then as it always was, in doubles).
  size_t la = a.skeleton.size(), lb = b.skeleton.size();
  size_t left = 10 * common * (la + lb), right = 11 * la * lb;
  if (left != right) return left > right;
  double m = static_cast<double>(common);
  double jaro_bound = (m / static_cast<double>(la) + m / static_cast<double>(lb) + 1.0) / 3.0;
  return 0.6 * jaro_bound + 0.4 >= kPairFloor;
}
// CommonLetters() not counted yet.
constexpr uint32_t kCommonUnknown = UINT32_MAX;

// a == b for the short strings of name parts, without a call to memcmp.
inline bool SameShortString(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k] != b[k]) return false;
  }
  return true;
}

// `a` is the Arabic article written together with `b`: "alanizi" / "anizi".
inline bool JoinedArticle(const Token& a, const Token& b) {
  const std::string& s = a.skeleton;
  const std::string& rest = b.skeleton;
  if (s.size() != rest.size() + 2 || rest.size() < 3 || (s[0] != 'a' && s[0] != 'e') || s[1] != 'l')
    return false;
  for (size_t k = 0; k < rest.size(); ++k) {
    if (s[k + 2] != rest[k]) return false;
  }
  return true;
}

// `common` is CommonLetters(q, c) when the caller has counted them.
TokenSim Similarity(const Token& q, const Token& c, uint32_t common = kCommonUnknown) {
  if (SameShortString(q.text, c.text)) return {1.0, "exact"};
  if (SameShortString(q.skeleton, c.skeleton)) return {0.96, "transliteration variant"};
  // The Arabic article assimilates to the next sound: al-Zawahiri is written az-Zawahiri.
  if (q.article && c.article) return {0.95, "article variant"};
  // One side read from Arabic script: compare what an Arabic writer writes (consonants and long
  // vowels), with the letters Latin spells several ways folded.
  // A Latin v is ف in Arabic writing and و in Persian: the Latin side has a key for each.
  // The second keys are readings of Latin spelling or of ث: between two words in Arabic script
  // the letters themselves say (ثامر Thamer is not سامر Samer).
  size_t agreed = 0;
  if ((q.abjad || c.abjad) && !q.article && !c.article) {
    bool latin = q.abjad != c.abjad;
    if (AkeysAgree(q.akey, c.akey))
      agreed = q.akey.size();
    else if (latin && AkeysAgree(q.akey, c.akey_persian))
      agreed = q.akey.size();
    else if (latin && AkeysAgree(q.akey_persian, c.akey))
      agreed = c.akey.size();
  }
  if (agreed > 0) {
    if (agreed >= 3) return {0.9, "Arabic consonants agree"};
    // Two consonants say little: the name must also begin alike (with a vowel or not).
    bool vowel_start = IsVowelChar(q.text[0]) == IsVowelChar(c.text[0]);
    if (agreed == 2 && vowel_start) return {0.86, "Arabic consonants agree"};
    // One consonant: both begin with a vowel (Issa / عيسى) or with the same letter (Tai / طي).
    if (agreed == 1 && vowel_start && (IsVowelChar(q.text[0]) || q.text[0] == c.text[0])) {
      return {0.86, "Arabic consonants agree"};
    }
  }
  if ((q.abjad || c.abjad) && q.akey.size() >= 4 && c.akey.size() >= 4 && q.akey[0] == c.akey[0] &&
      !SameShortString(q.akey, c.akey) && EditDistanceAtMost(q.akey, c.akey, 1)) {
    return {0.85, "Arabic consonants nearly agree"};
  }
  if (q.text.size() == 1 || c.text.size() == 1) {
    // Arabic script has no initials: a Latin initial says nothing about an Arabic word.
    bool one_abjad = q.abjad != c.abjad;
    return q.text[0] == c.text[0] && !one_abjad ? TokenSim{0.86, "initial"} : TokenSim{0, ""};
  }
  if (q.article != c.article) return {0, ""};  // al is not Ali
  // Between Arabic script and Latin only the Arabic key above compares: spellings without short
  // vowels look alike to Jaro-Winkler when they are not (عثمان athman / Ayman).
  if (q.abjad != c.abjad) return {0, ""};
  // A short word and one more than two letters longer (most pairs scored with a particle or a
  // short name): only a shared Cyrillic sound could pair them (the rules below need a length
  // gap of at most two, or at most one edit for short words).
  size_t length_gap = q.skeleton.size() > c.skeleton.size() ? q.skeleton.size() - c.skeleton.size()
                                                            : c.skeleton.size() - q.skeleton.size();
  size_t shorter = std::min(q.skeleton.size(), c.skeleton.size());
  if (shorter <= 4 && length_gap > 2 && (q.sound_bits & c.sound_bits) == 0) return {0, ""};
  // A Cyrillic name romanised in two ways (Zhukov / Schukow / Joukov).
  if ((q.sound_bits & c.sound_bits) != 0) {
    for (const auto& a : q.sounds) {
      for (const auto& b : c.sounds) {
        if (SameShortString(a, b)) return {0.92, "romanisation variant"};
      }
    }
  }
  // The Arabic article written together with the name: "alanizi" / "al anizi".
  if (JoinedArticle(q, c) || JoinedArticle(c, q)) return {0.95, "article written together"};
  // Same consonants in the same order, and the same first sound (Armen is not Ramon).
  bool same_start =
      q.skeleton[0] == c.skeleton[0] || (IsVowelChar(q.skeleton[0]) && IsVowelChar(c.skeleton[0]));
  if (same_start && length_gap <= 2 && !q.consonants.empty() &&
      SameShortString(q.consonants, c.consonants)) {
    double jw = JaroWinkler(q.skeleton, c.skeleton);
    // Three consonants written at least on each side (Muammar / Moamer: m, m, r).
    if (q.consonant_letters >= 3 && c.consonant_letters >= 3 && jw >= 0.75)
      return {std::max(jw, 0.9), kVowelsDiffer};
    // Arabic or Persian written without short vowels ("mhmd", "ywsf"), same first letter.
    bool abjad = q.text.find_first_of("aeiou") == std::string::npos ||
                 c.text.find_first_of("aeiou") == std::string::npos;
    if (abjad && q.text[0] == c.text[0] && q.consonants.size() >= 2)
      return {0.88, "consonants agree"};
    if (abjad && q.consonants.size() >= 3) return {0.86, "consonants agree"};
  }
  // Jaro-Winkler is generous with short words: also require few edits for them.
  if (shorter <= 4 &&
      (q.skeleton[0] != c.skeleton[0] || !EditDistanceAtMost(q.skeleton, c.skeleton, 1))) {
    return {0, ""};
  }
  // Most pairs scored share few letters: skip Jaro-Winkler when it cannot reach the floor.
  if (!CanReachFloor(q, c, common == kCommonUnknown ? CommonLetters(q, c) : common)) return {0, ""};
  // Jaro-Winkler rewards a common beginning: Karim and Carrizales share one. A spelling that
  // differs from the other by more than a typo or two is another name. (Tested first: the
  // banded distance is cheaper, and fewer pairs pass it. Below the floor a similarity is never
  // used, so which test says no does not matter.)
  size_t longer = std::max(q.skeleton.size(), c.skeleton.size());
  if (!EditDistanceAtMost(q.skeleton, c.skeleton, SpellingEdits(longer))) return {0, ""};
  return {JaroWinkler(q.skeleton, c.skeleton), kSimilarSpelling};
}

// Whether two spellings could write the same Arabic consonants, with ق as q, k or g (Qadhafi,
// Gaddafi): their consonants differ as romanisations of one Arabic name do, not as a typo does.
bool ArabicConsonantsAlike(const Token& a, const Token& b) {
  auto loose = [](std::string key) {
    std::replace(key.begin(), key.end(), 'g', 'k');
    return key;
  };
  for (const std::string* x : {&a.akey, &a.akey_persian}) {
    for (const std::string* y : {&b.akey, &b.akey_persian}) {
      if (!x->empty() && !y->empty() && loose(*x) == loose(*y)) return true;
    }
  }
  return false;
}

// What the Slavic endings of a name's parts say: `sign` +1 masculine (-ov, -ev, -skiy, -ovich),
// -1 feminine (-ova, -eva, -skaya, -ovna), 0 nothing or disagreeing; `token` is the first part
// with such an ending (-1: none).
struct NameGenderOf {
  int sign = 0;
  int token = -1;
};

template <typename Tokens>
NameGenderOf NameGender(const Tokens& tokens) {
  auto text = [](const auto& t) -> const std::string& {
    if constexpr (std::is_pointer_v<std::decay_t<decltype(t)>>)
      return t->text;
    else
      return t.text;
  };
  auto ends = [](const std::string& s, std::string_view e, size_t min) {
    return s.size() >= min && s.size() > e.size() &&
           s.compare(s.size() - e.size(), e.size(), e) == 0;
  };
  int male = 0, female = 0, which = -1, i = 0;
  for (const auto& t : tokens) {
    const std::string& s = text(t);
    ++i;
    bool m = ends(s, "ov", 5) || ends(s, "ev", 5) || ends(s, "skiy", 6) || ends(s, "skii", 6) ||
             ends(s, "vich", 6) || ends(s, "vitch", 6) || ends(s, "in", 6);
    bool f = ends(s, "ova", 6) || ends(s, "eva", 6) || ends(s, "skaya", 7) || ends(s, "vna", 6) ||
             ends(s, "ina", 6);
    if (m) ++male;
    if (f) ++female;
    if ((m || f) && which < 0) which = i - 1;
  }
  if (male > 0 && female == 0) return {1, which};
  if (female > 0 && male == 0) return {-1, which};
  return {0, which};
}

// `whole` is `first` (`middle`) `last` written as one word, by their Arabic consonant keys.
// The middle token is a particle (the article) that may or may not have been written.
// The article may be written as it is pronounced before a sun letter (Abdur Rahman, Abdul
// Rahman, Abdurrahman all stand for عبد الرحمن).
bool JoinedKeysAgree(const Token& whole, const Token* first, const Token* middle,
                     const Token& last) {
  if (whole.akey.size() < 3 || first->akey.empty() || last.akey.empty()) return false;
  if (whole.akey.compare(0, first->akey.size(), first->akey) != 0) return false;
  auto agrees = [&](const std::string& mid, const std::string& end) {
    std::string joined = first->akey + mid + end;
    joined.erase(std::unique(joined.begin(), joined.end()), joined.end());
    return joined == whole.akey;
  };
  if (last.article) {
    // "Abdur" for abd + ar: the whole ends in one letter more than the first part.
    return whole.akey.size() == first->akey.size() + 1 && !middle;
  }
  if (agrees("", last.akey)) return true;
  // A foreign name that begins with al (Aleksei: ال + يكسي) reads its next letter as a glide.
  if (first->article && (last.akey[0] == 'y' || last.akey[0] == 'w') &&
      agrees("", last.akey.substr(1)))
    return true;
  if (!middle) return false;
  if (agrees(middle->akey, last.akey)) return true;
  return middle->article && (agrees("l", last.akey) || agrees(last.akey.substr(0, 1), last.akey));
}

double DateYearFrom(const std::string& d) { return std::atof(d.substr(0, 4).c_str()); }

}  // namespace

Status Validate(const Party& party) {
  // Each refusal names the form's field by its label on a page ("screening.<field>").
  auto refuse = [](const char* field, const std::string& message, const std::string& key, Status::MessageArgs args = {}) {
    args.push_back({"field@screening.", std::string(field) == "id" ? "reference" : field});
    return Status::Invalid(field, message).Says(key, std::move(args));
  };
  if (party.name.find_first_not_of(" \t\r\n") == std::string::npos) {
    return refuse("name", "is required", "invalid.required");
  }
  if (party.name.size() > 1000) return refuse("name", "longer than 1000 bytes", "invalid.too_long_bytes", {{"#max", "1000"}});
  for (const auto& [field, value] :
       {std::pair<const char*, const std::string*>{"name", &party.name},
        {"id", &party.id},
        {"id_number", &party.id_number}}) {
    if (InvalidUtf8At(*value) != std::string_view::npos)
      return refuse(field, "is not valid UTF-8", "invalid.not_utf8");
  }
  if (party.id.size() > 200) return refuse("id", "longer than 200 bytes", "invalid.too_long_bytes", {{"#max", "200"}});
  if (!party.country.empty() &&
      (party.country.size() != 2 || !std::isupper(static_cast<unsigned char>(party.country[0])) ||
       !std::isupper(static_cast<unsigned char>(party.country[1])))) {
    return refuse("country", "must be an ISO 3166 alpha-2 code such as UZ", "invalid.country_code");
  }
  const std::string& d = party.birth_date;
  auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i) {
      if (i >= d.size() || !std::isdigit(static_cast<unsigned char>(d[i]))) return false;
    }
    return true;
  };
  if (!d.empty() && !(d.size() == 4 && digits(0, 4)) &&
      !(d.size() == 10 && digits(0, 4) && d[4] == '-' && digits(5, 2) && d[7] == '-' &&
        digits(8, 2))) {
    return refuse("birth_date", "must be YYYY or YYYY-MM-DD", "invalid.birth_date");
  }
  if (party.id_number.size() > 100) {
    return refuse("id_number", "longer than 100 bytes", "invalid.too_long_bytes", {{"#max", "100"}});
  }
  return Status::Ok();
}

double DefaultThreshold() { return 0.84; }

// The explanation of a candidate (docs/screening.md) as ScoreName and Screen find it. The JSON
// is made only when asked for: its objects are a map node per field.
struct Explanation {
  struct Part {
    std::string party, listed;
    const char* how;
    double similarity;
  };
  std::vector<Part> parts;
  std::vector<std::string> party_parts_unmatched, listed_parts_unmatched;
  // Why the name score was capped at 0.75: only one name part in common, or the parts only
  // look alike (ScoreName).
  enum class Cap { kNone, kOnePart, kOnlyAlike } capped = Cap::kNone;
  // Screen's: the listed name that matched (ScoreAgainst compares names alone).
  bool screened = false;
  std::string matched_name, name_type;
  double name_score = 0;
  Json facts;  // null: none compared
  double score = 0;
  std::vector<std::string> party_words_ignored;
};

Json Candidate::explanation() const {
  Json out = Json::object();
  if (!detail) return out;
  const Explanation& why = *detail;
  auto round3 = [](double v) { return std::round(v * 1000) / 1000; };
  Json parts = Json::array();
  for (const auto& p : why.parts) {
    parts.push_back({{"party", p.party},
                     {"listed", p.listed},
                     {"how", p.how},
                     {"similarity", round3(p.similarity)}});
  }
  out["parts"] = std::move(parts);
  out["party_parts_unmatched"] = why.party_parts_unmatched;
  out["listed_parts_unmatched"] = why.listed_parts_unmatched;
  // `capped` in English for the API; `capped_reason` for pages (screening.capped, _alike).
  if (why.capped == Explanation::Cap::kOnePart) {
    out["capped"] = "only one name part in common";
    out["capped_reason"] = "one_part";
  } else if (why.capped == Explanation::Cap::kOnlyAlike) {
    out["capped"] = "the name parts only look alike, none is the same name";
    out["capped_reason"] = "only_alike";
  }
  if (why.screened) {
    out["matched_name"] = why.matched_name;
    out["name_type"] = why.name_type;
    out["name_score"] = round3(why.name_score);
  }
  if (!why.facts.is_null()) out["facts"] = why.facts;
  out["score"] = why.screened ? round3(why.score) : why.score;
  if (!why.party_words_ignored.empty()) out["party_words_ignored"] = why.party_words_ignored;
  return out;
}

std::vector<std::string> NameTokens(std::string_view name) {
  std::vector<std::string> out;
  for (const auto& t : Normalise(name).tokens) out.push_back(t.text);
  return out;
}

struct Index::Impl {
  struct IndexedName {
    uint32_t list = 0, entity = 0, name = 0;
    uint32_t entity_slot = 0;  // the entity's number among all of the index's entities
    uint32_t first_part = 0;   // where its parts begin in `parts`, `part_ids`, ...
    uint32_t part_count = 0;
    double weight = 0;        // sum of the tokens' effective weights
    NameGenderOf gender;      // what the endings of its parts say
    uint32_t join_class = 0;  // JoinClass() of its tokens
  };
  std::vector<Token> vocab;
  std::vector<double> weight;                   // per vocabulary id: from the IDF
  std::vector<double> effective_weight;         // per vocabulary id: WeightOf() of the token
  std::vector<std::vector<uint32_t>> postings;  // vocabulary id -> names
  std::unordered_map<std::string, uint32_t> by_text;  // by TokenKey()
  std::unordered_map<std::string, std::vector<uint32_t>> by_skeleton, by_consonants;
  // Arabic consonant keys: of every token (for queries read from Arabic script), and of the
  // tokens read from Arabic script (for Latin queries).
  std::unordered_map<std::string, std::vector<uint32_t>> by_akey, by_akey_abjad;
  std::unordered_map<std::string, std::vector<uint32_t>> by_sound;  // Cyrillic readings
  // Trigram -> the vocabulary tokens with it, ordered by the length of their skeleton (then by
  // id), with those lengths: a spelling within the allowed edits is within as many letters of
  // the length, so a query reads only that range.
  struct TrigramPostings {
    std::vector<uint32_t> ids;
    std::vector<uint16_t> lengths;
  };
  std::unordered_map<uint32_t, TrigramPostings> by_trigram;
  std::vector<IndexedName> names;
  // The parts of each name in turn, in flat arrays: its tokens (TokensOf), their vocabulary ids
  // (IdsOf) and what scoring reads first of them (BriefsOf).
  std::vector<const Token*> parts;
  std::vector<uint32_t> part_ids;
  std::vector<PartBrief> part_briefs;
  size_t entities = 0;

  // Trigrams of "^word$" packed in an integer each.
  static std::vector<uint32_t> Trigrams(const std::string& s) {
    std::vector<uint32_t> out;
    out.reserve(s.size());
    auto at = [&](size_t i) -> uint32_t {
      return i == 0 ? '^' : i > s.size() ? '$' : static_cast<unsigned char>(s[i - 1]);
    };
    for (size_t i = 0; i + 3 <= s.size() + 2; ++i)
      out.push_back(at(i) << 16 | at(i + 1) << 8 | at(i + 2));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  uint32_t Intern(const Token& t) {
    auto [it, added] = by_text.emplace(TokenKey(t), static_cast<uint32_t>(vocab.size()));
    if (added) {
      vocab.push_back(t);
      postings.emplace_back();
      by_skeleton[t.skeleton].push_back(it->second);
      if (t.consonant_letters >= 3) by_consonants[t.consonants].push_back(it->second);
      for (const auto& sound : t.sounds) by_sound[sound].push_back(it->second);
      if (!t.akey.empty() && !t.article) {
        by_akey[t.akey].push_back(it->second);
        if (!t.akey_persian.empty()) by_akey[t.akey_persian].push_back(it->second);
        if (t.abjad) {
          by_akey_abjad[t.akey].push_back(it->second);
          if (!t.akey_persian.empty()) by_akey_abjad[t.akey_persian].push_back(it->second);
        }
      }
      if (t.skeleton.size() >= 4) {
        for (const auto& g : Trigrams(t.skeleton)) by_trigram[g].ids.push_back(it->second);
      }
    }
    return it->second;
  }

  double WeightOf(const Token& t) const {
    if (t.legal_form) return kLegalFormWeight;
    if (t.particle) return kParticleWeight;
    auto it = by_text.find(TokenKey(t));
    double w = it == by_text.end() ? 1.0 : weight[it->second];
    return t.text.size() == 1 ? w * 0.5 : w;  // an initial says less than a whole name
  }

  // Vocabulary tokens that may pair with `q`, with their similarity.
  using SimilarList = std::vector<std::pair<uint32_t, TokenSim>>;
  SimilarList Similar(const Token& q) const {
    // Per-thread scratch sized to the vocabulary: no allocation per query on the hot path.
    // Per id, side by side (one read): whether it was compared for this query (`seen` equal to
    // `stamp`), the query's trigrams it has and the first of them.
    struct Seen {
      uint32_t seen = 0;
      uint16_t shared = 0, first = 0;
    };
    thread_local std::vector<Seen> seen_of;
    thread_local uint32_t stamp = 0;
    thread_local const Impl* owner = nullptr;
    if (owner != this || seen_of.size() != vocab.size()) {
      seen_of.assign(vocab.size(), Seen{});
      owner = this;
      stamp = 0;
    }
    if (++stamp == 0) {
      for (Seen& s : seen_of) s.seen = 0;
      stamp = 1;
    }
    std::vector<std::pair<uint32_t, TokenSim>> found;
    auto consider = [&](uint32_t id, uint32_t common = kCommonUnknown) {
      if (seen_of[id].seen == stamp) return;
      seen_of[id].seen = stamp;
      TokenSim s = Similarity(q, vocab[id], common);
      if (s.sim >= kPairFloor) found.emplace_back(id, s);
    };
    if (auto it = by_text.find(TokenKey(q)); it != by_text.end()) consider(it->second);
    if (auto it = by_skeleton.find(q.skeleton); it != by_skeleton.end()) {
      for (uint32_t id : it->second) consider(id);
    }
    if (q.consonant_letters >= 3) {
      if (auto it = by_consonants.find(q.consonants); it != by_consonants.end()) {
        for (uint32_t id : it->second) consider(id);
      }
    }
    for (const auto& sound : q.sounds) {
      if (auto it = by_sound.find(sound); it != by_sound.end()) {
        for (uint32_t id : it->second) consider(id);
      }
    }
    if (!q.akey.empty() && !q.article) {
      const auto& keys = q.abjad ? by_akey : by_akey_abjad;
      // An initial V meets w and f, and they meet V.
      std::string variants[4] = {q.akey, q.akey, q.akey, q.akey_persian};
      size_t n_variants = 1;
      if (q.akey[0] == 'V') variants[1][0] = 'w', variants[2][0] = 'f', n_variants = 3;
      if (q.akey[0] == 'w' || q.akey[0] == 'f') variants[1][0] = 'V', n_variants = 2;
      if (!q.akey_persian.empty()) variants[n_variants++] = q.akey_persian;
      for (size_t v = 0; v < n_variants; ++v) {
        if (auto it = keys.find(variants[v]); it != keys.end()) {
          for (uint32_t id : it->second) consider(id);
        }
      }
    }
    // "alanizi" finds "anizi", and "anizi" finds "alanizi".
    if (q.skeleton.size() >= 5 &&
        (q.skeleton.rfind("al", 0) == 0 || q.skeleton.rfind("el", 0) == 0)) {
      if (auto it = by_skeleton.find(q.skeleton.substr(2)); it != by_skeleton.end()) {
        for (uint32_t id : it->second) consider(id);
      }
    }
    for (const char* article : {"al", "el"}) {
      if (auto it = by_skeleton.find(article + q.skeleton); it != by_skeleton.end()) {
        for (uint32_t id : it->second) consider(id);
      }
    }
    // Last, spellings alike: every other rule has found its tokens above, so a token that
    // shares too few letters to reach the floor by Jaro-Winkler is skipped unscored.
    // (A part of 65,535 letters or more has no similar spellings: its trigrams are not counted.)
    if (q.skeleton.size() >= 4 && q.skeleton.size() < UINT16_MAX - 2) {
      const std::vector<uint32_t> grams = Trigrams(q.skeleton);
      struct Accepted {
        uint32_t id, common;
      };
      thread_local std::vector<uint32_t> touched;
      thread_local std::vector<Accepted> accepted, ordered;
      touched.clear();
      accepted.clear();
      // Each edit changes the length by one at most. Arabic script is compared by its keys,
      // whatever the length.
      size_t edits = SpellingEdits(q.skeleton.size() + 2);
      size_t shortest = q.abjad || q.skeleton.size() < edits ? 0 : q.skeleton.size() - edits;
      size_t longest = q.abjad ? SIZE_MAX : q.skeleton.size() + edits;
      for (uint32_t g = 0; g < grams.size(); ++g) {
        auto it = by_trigram.find(grams[g]);
        if (it == by_trigram.end()) continue;
        const TrigramPostings& p = it->second;
        auto from = std::lower_bound(p.lengths.begin(), p.lengths.end(), shortest);
        auto to = std::upper_bound(from, p.lengths.end(), longest);
        for (auto k = from - p.lengths.begin(); k < to - p.lengths.begin(); ++k) {
          Seen& count = seen_of[p.ids[k]];
          if (count.shared++ == 0) {
            touched.push_back(p.ids[k]);
            count.first = static_cast<uint16_t>(g);
          }
        }
      }
      // An edit touches at most three trigrams; a similar spelling has at most SpellingEdits().
      uint32_t n_grams = static_cast<uint32_t>(grams.size());
      uint32_t lost = 3 * static_cast<uint32_t>(edits);
      uint32_t need = n_grams > lost + 1 ? n_grams - lost : 1;
      // Between two Latin spellings that no key above has found, Similarity() has only the
      // similar spelling left (two consonants without vowels aside): within SpellingEdits()
      // edits, and an edit distance is at least the letters of the longer not in the other.
      bool spelling_only = !q.abjad && q.consonants.size() != 2;
      for (uint32_t id : touched) {
        if (seen_of[id].shared >= need && seen_of[id].seen != stamp) {
          const Token& c = vocab[id];
          if (q.abjad) {
            // Arabic script against Latin: only the Arabic keys can pair them (Similarity), and
            // only keys of the same length or one letter apart.
            size_t qa = q.akey.size(), ca = c.akey.size();
            if (c.abjad || (qa + 1 >= ca && ca + 1 >= qa) ||
                (!c.akey_persian.empty() && c.akey_persian.size() == qa)) {
              accepted.push_back({id, kCommonUnknown});
            }
          } else if (size_t common = CommonLetters(q, c); CanReachFloor(q, c, common)) {
            size_t longer = std::max(q.skeleton.size(), c.skeleton.size());
            if (!(spelling_only && !c.abjad && longer - common > SpellingEdits(longer))) {
              accepted.push_back({id, static_cast<uint32_t>(common)});
            }
          }
        }
        seen_of[id].shared = 0;
      }
      // In the order of the trigram that found them, then of the vocabulary: what is found is
      // then summed in the same order whatever the layout of the postings. Put in place by
      // trigram in one pass, then each trigram's few sorted by id.
      thread_local std::vector<uint32_t> gram_end;
      gram_end.assign(n_grams + 1, 0);
      for (const Accepted& a : accepted) ++gram_end[seen_of[a.id].first + 1];
      for (uint32_t g = 0; g < n_grams; ++g) gram_end[g + 1] += gram_end[g];
      ordered.resize(accepted.size());
      for (const Accepted& a : accepted) ordered[gram_end[seen_of[a.id].first]++] = a;
      for (uint32_t g = 0, begin = 0; g < n_grams; begin = gram_end[g++]) {
        std::sort(ordered.begin() + begin, ordered.begin() + gram_end[g],
                  [](const Accepted& a, const Accepted& b) { return a.id < b.id; });
      }
      for (const Accepted& a : ordered) consider(a.id, a.common);
    }
    return found;
  }

  // Similar() per token, remembered by the index for all threads: the parts of names in a
  // batch repeat (given names, company words), and retrieval is much of the cost of a screen;
  // threads screening one batch share what each found. A query keeps the lists it uses in
  // `held` (the cache starts again when full, and another thread may empty it meanwhile).
  using HeldLists = std::vector<std::shared_ptr<const SimilarList>>;
  const SimilarList& SimilarCached(const Token& q, HeldLists& held) const {
    std::string key = TokenKey(q);
    {
      std::shared_lock lock(similar_mutex);
      if (auto it = similar_cache.find(key); it != similar_cache.end()) {
        held.push_back(it->second);
        return *held.back();
      }
    }
    auto list = std::make_shared<const SimilarList>(Similar(q));
    // A full map starts again; the old one is freed after the lock (12,000 lists take a few
    // milliseconds to free, which the other threads need not wait for).
    decltype(similar_cache) full;
    {
      std::unique_lock lock(similar_mutex);
      if (similar_cache.size() >= kSimilarCacheSize) {
        full.swap(similar_cache);
        similar_cache.reserve(kSimilarCacheSize);
      }
      similar_cache.emplace(std::move(key), list);  // or another thread's equal list stays
    }
    held.push_back(std::move(list));
    return *held.back();
  }
  mutable std::shared_mutex similar_mutex;
  mutable std::unordered_map<std::string, std::shared_ptr<const SimilarList>> similar_cache;

  // Similarities of one query's tokens to vocabulary tokens: those retrieval found, and those
  // computed while scoring (sim < 0: not known yet). Reused by each thread across queries.
  struct SimTable {
    // Per vocabulary id: the query it was last set for and its row; one read says both.
    struct Slot {
      uint32_t stamp = 0, row = 0;
    };
    std::vector<Slot> slot_of;
    uint32_t stamp = 0;
    size_t nq = 0;
    size_t used = 0;             // of `sims`: rows * nq; the rest is room to grow into
    std::vector<TokenSim> sims;  // row * nq + query token
    void Reset(size_t vocab_size, size_t query_tokens) {
      if (slot_of.size() != vocab_size) slot_of.assign(vocab_size, Slot{});
      if (++stamp == 0) {
        std::fill(slot_of.begin(), slot_of.end(), Slot{});
        stamp = 1;
      }
      nq = query_tokens;
      used = 0;
    }
    void Set(uint32_t id, size_t i, TokenSim s) {
      Slot& slot = slot_of[id];
      if (slot.stamp != stamp) AddRow(slot);
      sims[slot.row * nq + i] = s;
    }
    // Apart from Set, which is then small enough to be inlined where it runs most.
    void AddRow(Slot& slot) {
      slot.stamp = stamp;
      slot.row = static_cast<uint32_t>(used / nq);
      if (used + nq > sims.size()) sims.resize(std::max(2 * sims.size(), used + nq));
      std::fill_n(sims.begin() + static_cast<long>(used), nq, TokenSim{-1, ""});
      used += nq;
    }
    TokenSim Get(uint32_t id, size_t i) const {
      const Slot& slot = slot_of[id];
      return slot.stamp == stamp ? sims[slot.row * nq + i] : TokenSim{-1, ""};
    }
    // Where Get(id, i) reads for every i (or -1: nothing set for id), for a loop over i.
    int64_t RowStart(uint32_t id) const {
      const Slot& slot = slot_of[id];
      return slot.stamp == stamp ? static_cast<int64_t>(slot.row) * nq : -1;
    }
  };

  // Name similarity of query tokens to listed tokens, with the explanation of each pairing.
  // `ids` (the vocabulary ids of `c`) and `table` are optional.
  // What the caller knows already of the query and the listed name (Screen: per query, and
  // from the index build); ScoreName works out what is not given.
  struct Known {
    const uint32_t* ids = nullptr;  // vocabulary ids of the listed name's tokens
    SimTable* table = nullptr;      // with `ids`: similarities found so far
    const NameGenderOf* q_gender = nullptr;
    const NameGenderOf* c_gender = nullptr;
    const std::vector<double>* q_weights = nullptr;  // WeightOf() of each query token
    // When > 0: a name whose score cannot reach this is not scored further (ScoreName returns
    // kBelowCutoff), decided by ScoreBelow() once the similarities are known.
    double cutoff = 0;
    // With `cutoff`: JoinClass() of the query and of the listed name.
    uint32_t q_join_class = 0, c_join_class = 0;
    // BriefOf() each query token and each listed token (required with `cutoff`).
    const PartBrief* q_briefs = nullptr;
    const PartBrief* c_briefs = nullptr;
  };
  static constexpr double kBelowCutoff = -1;

  // What the "written together / apart" rules need of a name's parts to be possible at all
  // (MayJoin): a bit per first letter of the parts' skeletons (bit 26 for any other first
  // character), and bit 31 when a part is read from Arabic script. Two names whose classes
  // share no first letter and have no Arabic script cannot join parts.
  template <typename Tokens>
  static uint32_t JoinClass(const Tokens& tokens) {
    uint32_t out = 0;
    for (const auto& t : tokens) {
      const Token& token = [&]() -> const Token& {
        if constexpr (std::is_pointer_v<std::decay_t<decltype(t)>>)
          return *t;
        else
          return t;
      }();
      char first = token.skeleton[0];
      out |= first >= 'a' && first <= 'z' ? 1u << (first - 'a') : 1u << 26;
      if (token.abjad) out |= 1u << 31;
    }
    return out;
  }
  static bool MayJoinAny(uint32_t q_class, uint32_t c_class) {
    return ((q_class | c_class) & (1u << 31)) != 0 || (q_class & c_class) != 0;
  }

  // Whether `whole` may be `first` and `last` written as one word: what the "written together /
  // apart" rules of ScoreName test first (a cheap necessary condition of each).
  // The tokens themselves are read only for Arabic script.
  static bool MayJoin(const PartBrief& whole_brief, const PartBrief& first_brief,
                      const PartBrief& last_brief, const Token& whole, const Token& first,
                      const Token& last) {
    size_t joined_length = size_t{first_brief.length} + last_brief.length;
    if (whole_brief.first == first_brief.first && size_t{whole_brief.length} + 3 >= joined_length &&
        whole_brief.length <= joined_length + 4) {
      return true;
    }
    return (whole_brief.abjad || first_brief.abjad) && whole.akey.size() >= 3 &&
           !first.akey.empty() && !last.akey.empty() &&
           whole.akey.compare(0, first.akey.size(), first.akey) == 0;
  }

  // Whether the score ScoreName computes is below `cutoff`, from an upper bound: `all` (every
  // pair of parts at or above the floor) and the joins MayJoin allows, each part paired at its
  // best similarity, each part a join could take paired at 1, every other part missing. Pairing
  // one more part never lowers the score: a query part moves its weight from the missing to the
  // matched (half of it), a listed part adds half its weight times a similarity >= 0.82 above
  // and 0.3 of it below, and the score is at most 1. A particle vanished between two joined
  // parts (no weight either side) is counted as paired at 1, which raises the bound too.
  static bool ScoreBelow(double cutoff, bool may_join, const std::vector<Token>& q,
                         std::span<const Token* const> c, const PartBrief* qb, const PartBrief* cb,
                         const std::vector<Pair>& all, const std::vector<double>& qw,
                         const std::vector<double>& cw) {
    PartScratch<double> best_q(q.size(), 0.0), best_c(c.size(), 0.0);
    for (const Pair& p : all) {
      best_q[p.q] = std::max(best_q[p.q], p.sim);
      best_c[p.c] = std::max(best_c[p.c], p.sim);
    }
    auto bound = [&] {
      double matched = 0, denom = 0;
      for (size_t i = 0; i < q.size(); ++i) {
        matched += best_q[i] > 0 ? qw[i] * best_q[i] / 2 : 0;
        denom += best_q[i] > 0 ? qw[i] / 2 : qw[i];
      }
      for (size_t j = 0; j < c.size(); ++j) {
        matched += best_c[j] > 0 ? cw[j] * best_c[j] / 2 : 0;
        denom += best_c[j] > 0 ? cw[j] / 2 : kMissingListedPart * cw[j];
      }
      return denom > 0 ? matched / denom : 0;
    };
    // Joins only raise the bound: without them it may already reach the cutoff.
    if (bound() >= cutoff) return false;
    if (!may_join) return true;
    // Query part i written together for listed parts j and k, or listed part j written apart
    // as query parts i and i + 1 (or i + 2 after a particle): either way MayJoin needs parts i
    // and j to begin alike or one of them read from Arabic script. No join: the bound above.
    bool joined = false;
    for (size_t i = 0; i < q.size(); ++i) {
      for (size_t j = 0; j < c.size(); ++j) {
        if (qb[i].first != cb[j].first && !qb[i].abjad && !cb[j].abjad) continue;
        for (size_t k = j + 1; k < c.size() && k <= j + 2; ++k) {
          if (k == j + 2 && !cb[j + 1].particle) continue;
          if (MayJoin(qb[i], cb[j], cb[k], q[i], *c[j], *c[k])) {
            best_q[i] = best_c[j] = best_c[k] = 1.0;
            if (k == j + 2) best_c[j + 1] = 1.0;
            joined = true;
          }
        }
        if (i + 1 < q.size() && MayJoin(cb[j], qb[i], qb[i + 1], *c[j], q[i], q[i + 1]))
          best_c[j] = best_q[i] = best_q[i + 1] = 1.0, joined = true;
        if (i + 2 < q.size() && qb[i + 1].particle &&
            MayJoin(cb[j], qb[i], qb[i + 2], *c[j], q[i], q[i + 2]))
          best_c[j] = best_q[i] = best_q[i + 1] = best_q[i + 2] = 1.0, joined = true;
      }
    }
    return !joined || bound() < cutoff;
  }
  double ScoreName(const std::vector<Token>& q, std::span<const Token* const> c,
                   Explanation* why, std::string* gender = nullptr) const {
    return ScoreName(q, c, why, gender, Known{});
  }
  double ScoreName(const std::vector<Token>& q, std::span<const Token* const> c,
                   Explanation* why, std::string* gender, const Known& known) const {
    const uint32_t* ids = known.ids;
    SimTable* table = known.table;
    const NameGenderOf* q_gender = known.q_gender;
    const NameGenderOf* c_gender = known.c_gender;
    // Scratch space reused by each thread: this runs for every retrieved name.
    thread_local std::vector<Pair> all, chosen;
    thread_local std::vector<double> qw, cw;
    thread_local std::vector<char> q_used, c_used;
    all.clear();
    chosen.clear();
    // Retrieval finds every pair of longer words at or above the floor (see Similar): a pair it
    // did not find is below it. Short words, particles and Arabic script are compared here.
    auto direct = [](const Token& t) { return t.skeleton.size() <= 4 || t.particle || t.abjad; };
    // What the loop below reads of each listed part, once per part rather than once per pair.
    PartScratch<int64_t> c_row(c.size(), 0);
    PartScratch<char> c_direct(c.size(), 0);
    const bool tabled = table && ids;
    if (tabled) {
      for (size_t j = 0; j < c.size(); ++j) {
        c_row[j] = table->RowStart(ids[j]);
        c_direct[j] = known.c_briefs ? known.c_briefs[j].direct : direct(*c[j]);
      }
    }
    for (size_t i = 0; i < q.size(); ++i) {
      const bool q_direct = known.q_briefs ? known.q_briefs[i].direct : direct(q[i]);
      for (size_t j = 0; j < c.size(); ++j) {
        TokenSim s{-1, ""};
        if (tabled) {
          if (c_row[j] >= 0) s = table->sims[c_row[j] + i];
          if (s.sim < 0 && !q_direct && !c_direct[j]) s = {0, ""};
        }
        if (s.sim < 0) {
          s = Similarity(q[i], *c[j]);
          if (tabled) {
            table->Set(ids[j], i, s);
            c_row[j] = table->RowStart(ids[j]);
          }
        }
        if (s.sim >= kPairFloor)
          all.push_back({static_cast<int>(i), static_cast<int>(j), -1, s.sim, s.how});
      }
    }
    // Weights: the query's looked up once, the listed name's by vocabulary id when known.
    qw.resize(q.size());
    cw.resize(c.size());
    for (size_t i = 0; i < q.size(); ++i)
      qw[i] = known.q_weights ? (*known.q_weights)[i] : WeightOf(q[i]);
    for (size_t j = 0; j < c.size(); ++j) cw[j] = ids ? effective_weight[ids[j]] : WeightOf(*c[j]);
    if (known.cutoff > 0 &&
        ScoreBelow(known.cutoff, MayJoinAny(known.q_join_class, known.c_join_class), q, c,
                   known.q_briefs, known.c_briefs, all, qw, cw)) {
      return kBelowCutoff;
    }
    // Best similarity first, ties in the order found. A few pairs: insertion sort, which (unlike
    // std::stable_sort) needs no buffer from the heap.
    for (size_t k = 1; k < all.size(); ++k) {
      Pair p = all[k];
      size_t m = k;
      for (; m > 0 && all[m - 1].sim < p.sim; --m) all[m] = all[m - 1];
      all[m] = p;
    }
    q_used.assign(q.size(), 0);
    c_used.assign(c.size(), 0);
    // Particles paired with particles after the joins below: the al of Abd al-Qadir al-Baghdadi
    // is taken by Abdulqader before it pairs with the al of al-Baghdadi.
    auto particles = [&](const Pair& p) { return q[p.q].particle && c[p.c]->particle; };
    for (const auto& p : all) {
      if (q_used[p.q] || c_used[p.c] || particles(p)) continue;
      q_used[p.q] = c_used[p.c] = true;
      chosen.push_back(p);
    }
    // Two listed parts written as one by the party ("Abdurrahman" / "Abdur Rahman"), or the
    // other way round.
    // A particle between them may vanish too ("Abdurrahman" / "Abd al-Rahman").
    for (size_t i = 0; i < q.size(); ++i) {
      if (q_used[i]) continue;
      for (size_t j = 0; j + 1 < c.size() && !q_used[i]; ++j) {
        for (size_t k = j + 1; k < c.size() && k <= j + 2; ++k) {
          if (c_used[j] || c_used[k] || (k == j + 2 && !c[j + 1]->particle)) continue;
          if ((q[i].abjad || c[j]->abjad) &&
              JoinedKeysAgree(q[i], c[j], k == j + 2 ? c[j + 1] : nullptr, *c[k])) {
            q_used[i] = c_used[j] = c_used[k] = true;
            if (k == j + 2) c_used[j + 1] = true;
            chosen.push_back({static_cast<int>(i), static_cast<int>(j), static_cast<int>(k), 0.9,
                              "written together"});
            break;
          }
          // Cheap checks first: the joined word starts like the first part and is about as long.
          size_t joined_length = c[j]->skeleton.size() + c[k]->skeleton.size();
          if (q[i].skeleton[0] != c[j]->skeleton[0] || q[i].skeleton.size() + 3 < joined_length ||
              q[i].skeleton.size() > joined_length + 4) {
            continue;
          }
          std::string joined = c[j]->skeleton + c[k]->skeleton;
          double s = JaroWinkler(q[i].skeleton, joined);
          if (k == j + 2)
            s = std::max(s, JaroWinkler(q[i].skeleton,
                                        c[j]->skeleton + c[j + 1]->skeleton + c[k]->skeleton));
          if (s >= 0.9) {
            q_used[i] = c_used[j] = c_used[k] = true;
            if (k == j + 2 && !c_used[j + 1]) c_used[j + 1] = true;
            chosen.push_back({static_cast<int>(i), static_cast<int>(j), static_cast<int>(k), s,
                              "written together"});
            break;
          }
        }
      }
    }
    for (size_t j = 0; j < c.size(); ++j) {
      if (c_used[j]) continue;
      for (size_t i = 0; i + 1 < q.size(); ++i) {
        if (q_used[i] || q_used[i + 1]) continue;
        // Three parts before two: farid al din is fariduddin, not farid al + din.
        if (i + 2 < q.size() && q[i + 1].particle && !q_used[i + 2] &&
            (q[i].abjad || c[j]->abjad) && JoinedKeysAgree(*c[j], &q[i], &q[i + 1], q[i + 2])) {
          q_used[i] = q_used[i + 1] = q_used[i + 2] = c_used[j] = true;
          chosen.push_back({static_cast<int>(i), static_cast<int>(j), -3, 0.9, "written apart"});
          break;
        }
        if ((q[i].abjad || c[j]->abjad) && JoinedKeysAgree(*c[j], &q[i], nullptr, q[i + 1])) {
          q_used[i] = q_used[i + 1] = c_used[j] = true;
          chosen.push_back({static_cast<int>(i), static_cast<int>(j), -2, 0.9, "written apart"});
          break;
        }
        if (q[i].skeleton[0] != c[j]->skeleton[0]) continue;
        size_t joined_length = q[i].skeleton.size() + q[i + 1].skeleton.size();
        if (c[j]->skeleton.size() + 3 < joined_length || c[j]->skeleton.size() > joined_length + 4)
          continue;
        std::string joined = q[i].skeleton + q[i + 1].skeleton;
        double s = JaroWinkler(joined, c[j]->skeleton);
        if (s >= 0.9) {
          q_used[i] = q_used[i + 1] = c_used[j] = true;
          chosen.push_back({static_cast<int>(i), static_cast<int>(j), -2, s, "written apart"});
          break;
        }
      }
    }
    for (const auto& p : all) {
      if (q_used[p.q] || c_used[p.c] || !particles(p)) continue;
      q_used[p.q] = c_used[p.c] = true;
      chosen.push_back(p);
    }
    // Masculine and feminine forms paired (Petrov / Petrova): a fact about the name, weighed
    // with the other facts by the caller.
    if (gender) {
      gender->clear();
      for (const auto& p : chosen) {
        if (p.c2 == -1 && GenderedPair(q[p.q].text, c[p.c]->text)) {
          *gender = q[p.q].text + " / " + c[p.c]->text;
          break;
        }
      }
      // Or the endings of the whole names disagree (Olga Tokarev / Olga Bokareva).
      if (gender->empty() && !chosen.empty()) {
        NameGenderOf gq = q_gender ? *q_gender : NameGender(q);
        NameGenderOf gc = c_gender ? *c_gender : NameGender(c);
        if (gq.sign != 0 && gc.sign != 0 && gq.sign != gc.sign) {
          *gender = q[gq.token].text + " / " + c[gc.token]->text;
        }
      }
    }
    double matched = 0, matched_weight = 0, missing_q = 0, missing_c = 0;
    int strong_q = 0, strong_matched = 0, strong_c = 0;
    // Name parts (not particles, not initials) paired as the same word or a known variant of it
    // (exact, transliteration, Arabic consonants, ...), and those that only look alike.
    int agreeing = 0, alike = 0, misspelt = 0;
    for (const auto& p : chosen) {
      double wq = qw[p.q], wc = cw[p.c];
      if (p.c2 == -2) wq += qw[p.q + 1];
      if (p.c2 == -3) wq += qw[p.q + 1] + qw[p.q + 2];
      if (p.c2 >= 0) wc = wc + cw[p.c2];
      double w = (wq + wc) / 2;
      matched += w * p.sim;
      matched_weight += w;
      if (!q[p.q].particle && q[p.q].text.size() > 1) {
        ++strong_matched;
        bool spelling = p.how == kSimilarSpelling;
        if (spelling || p.how == kVowelsDiffer) {
          ++alike;
          // Usama / Osama and Qadhafi / Gaddafi are spellings of one name; Mary / Mani is not.
          misspelt += spelling && q[p.q].consonants != c[p.c]->consonants &&
                      !ArabicConsonantsAlike(q[p.q], *c[p.c]);
        } else if (c[p.c]->text.size() > 1) {
          ++agreeing;
        }
      }
      if (why) {
        std::string listed = c[p.c]->text;
        if (p.c2 >= 0) listed += " " + c[p.c2]->text;
        std::string given = q[p.q].text;
        if (p.c2 <= -2) given += " " + q[p.q + 1].text;
        if (p.c2 == -3) given += " " + q[p.q + 2].text;
        why->parts.push_back({std::move(given), std::move(listed), p.how, p.sim});
      }
    }
    for (size_t i = 0; i < q.size(); ++i) {
      bool strong = !q[i].particle && q[i].text.size() > 1;
      strong_q += strong;
      if (!q_used[i]) {
        missing_q += qw[i];
        if (why) why->party_parts_unmatched.push_back(q[i].text);
      }
    }
    for (size_t j = 0; j < c.size(); ++j) {
      strong_c += !c[j]->particle && c[j]->text.size() > 1;
      if (!c_used[j]) {
        missing_c += cw[j];
        if (why) why->listed_parts_unmatched.push_back(c[j]->text);
      }
    }
    double denom = matched_weight + missing_q + kMissingListedPart * missing_c;
    double score = denom > 0 ? matched / denom : 0;
    // One name part in common is not a match when both sides have more to say.
    bool single = strong_matched < 2 && strong_q >= 1 && strong_c >= 2 && score > 0.75;
    // Nor are two names whose parts only look alike, none the same word, and one at least a
    // consonant or two apart (Mary Safari / Mani Jafari, Karim Ahad / Ahmad Karimi): a typo in
    // every part, or another person. One typo in a name is not capped (another part agrees), nor
    // are vowels that differ alone (Mohamed Ahmad / Muhammad Ahmed, Usama / Osama).
    bool only_alike = !single && agreeing == 0 && alike >= 2 && misspelt >= 1 && score > 0.75;
    if (single || only_alike) score = 0.75;
    using Cap = Explanation::Cap;
    if (why) why->capped = single ? Cap::kOnePart : only_alike ? Cap::kOnlyAlike : Cap::kNone;
    return score;
  }

  // The tokens of a listed name, made once at the index build (`parts`).
  std::span<const Token* const> TokensOf(const IndexedName& n) const {
    return {parts.data() + n.first_part, n.part_count};
  }
  std::span<const uint32_t> IdsOf(const IndexedName& n) const {
    return {part_ids.data() + n.first_part, n.part_count};
  }
  const PartBrief* BriefsOf(const IndexedName& n) const {
    return part_briefs.data() + n.first_part;
  }
};

Index::Index(std::vector<Source> sources)
    : sources_(std::move(sources)), impl_(std::make_unique<Impl>()) {
  Impl& x = *impl_;
  // Every listed name, in order; normalised by several threads (ICU and the keys are most of
  // the build), then interned in that order, so that the index is the same whatever the threads.
  struct ListedName {
    uint32_t list, entity, name, entity_slot;
    const std::string* text;
  };
  std::vector<ListedName> listed;
  for (uint32_t l = 0; l < sources_.size(); ++l) {
    const auto& entities = sources_[l].file->entities;
    for (uint32_t e = 0; e < entities.size(); ++e) {
      for (uint32_t n = 0; n < entities[e].names.size(); ++n) {
        listed.push_back(
            {l, e, n, static_cast<uint32_t>(x.entities + e), &entities[e].names[n].text});
      }
    }
    x.entities += entities.size();
  }
  // Each thread normalises a contiguous share of the names into its own tokens (a word is made
  // into a token once per thread) and the names as lists of its token numbers.
  struct Share {
    size_t from = 0, to = 0;
    TokenMemo memo;
    std::vector<const Token*> tokens;  // in the order first met
    std::unordered_map<const Token*, uint32_t> number_of;
    std::vector<std::vector<uint32_t>> names;  // per name of the share: token numbers
    std::vector<NameGenderOf> genders;         // per name of the share (texts only)
  };
  constexpr size_t kNamesPerThread = 4000;  // below this a thread costs more than it saves
  size_t threads =
      std::clamp<size_t>(listed.size() / kNamesPerThread, 1,
                         std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4));
  std::vector<Share> shares(threads);
  auto normalise_share = [&](Share& share) {
    for (size_t i = share.from; i < share.to; ++i) {
      NormalisedName norm = Normalise(*listed[i].text, &share.memo);
      std::vector<uint32_t> numbers;
      for (const auto& t : norm.tokens) {
        const Token* kept = &share.memo.at(TokenKey(t));
        auto [it, added] =
            share.number_of.emplace(kept, static_cast<uint32_t>(share.tokens.size()));
        if (added) share.tokens.push_back(kept);
        numbers.push_back(it->second);
      }
      share.names.push_back(std::move(numbers));
      share.genders.push_back(NameGender(norm.tokens));
    }
  };
  {
    // A helper's exception (bad_alloc) comes back to this thread as if it had been one thread,
    // and every started helper is joined, also when starting the next one fails: a joinable
    // thread destroyed by unwinding would end the process.
    std::vector<std::exception_ptr> failed(threads);
    std::vector<std::thread> helpers;
    struct JoinAll {
      std::vector<std::thread>& threads;
      ~JoinAll() {
        for (auto& t : threads) {
          if (t.joinable()) t.join();
        }
      }
    } join_all{helpers};
    auto run_share = [&](size_t k) {
      try {
        normalise_share(shares[k]);
      } catch (...) {
        failed[k] = std::current_exception();
      }
    };
    for (size_t k = 0; k < threads; ++k) {
      shares[k].from = listed.size() * k / threads;
      shares[k].to = listed.size() * (k + 1) / threads;
      if (k > 0) helpers.emplace_back(run_share, k);
    }
    run_share(0);
    for (auto& h : helpers) h.join();
    for (const auto& failure : failed) {
      if (failure) std::rethrow_exception(failure);
    }
  }
  // Sized once: grown by doubling, the flat arrays left holes in the heap (peak memory).
  size_t part_count = 0, name_count = 0;
  for (const Share& share : shares) {
    for (const auto& numbers : share.names) part_count += numbers.size(), ++name_count;
  }
  x.part_ids.reserve(part_count);
  x.names.reserve(name_count);
  for (const Share& share : shares) {
    // A share's tokens in the order it first met them: the order a single thread interns them.
    std::vector<uint32_t> vocabulary_id(share.tokens.size());
    for (size_t k = 0; k < share.tokens.size(); ++k) vocabulary_id[k] = x.Intern(*share.tokens[k]);
    for (size_t i = share.from; i < share.to; ++i) {
      const auto& numbers = share.names[i - share.from];
      if (numbers.empty()) continue;
      const ListedName& ln = listed[i];
      Impl::IndexedName in;
      in.list = ln.list, in.entity = ln.entity, in.name = ln.name;
      in.entity_slot = ln.entity_slot;
      in.first_part = static_cast<uint32_t>(x.part_ids.size());
      in.part_count = static_cast<uint32_t>(numbers.size());
      in.gender = share.genders[i - share.from];
      for (uint32_t k : numbers) x.part_ids.push_back(vocabulary_id[k]);
      x.names.push_back(in);
    }
  }
  // Each trigram's tokens by the length of their skeleton, then by id (the order they were
  // added in): sorted as integers (length, id), the lengths read once per token, not per
  // comparison from all over the vocabulary.
  std::vector<uint32_t> skeleton_length(x.vocab.size());
  for (size_t t = 0; t < x.vocab.size(); ++t) {
    skeleton_length[t] =
        static_cast<uint32_t>(std::min<size_t>(x.vocab[t].skeleton.size(), UINT32_MAX));
  }
  std::vector<uint64_t> by_length;
  for (auto& [gram, p] : x.by_trigram) {
    by_length.clear();
    for (uint32_t id : p.ids) by_length.push_back(uint64_t{skeleton_length[id]} << 32 | id);
    std::sort(by_length.begin(), by_length.end());
    p.lengths.reserve(p.ids.size());
    for (size_t k = 0; k < by_length.size(); ++k) {
      p.ids[k] = static_cast<uint32_t>(by_length[k]);
      p.lengths.push_back(
          static_cast<uint16_t>(std::min<uint64_t>(by_length[k] >> 32, UINT16_MAX)));
    }
  }
  for (uint32_t i = 0; i < x.names.size(); ++i) {
    auto ids = x.IdsOf(x.names[i]);
    std::vector<uint32_t> distinct(ids.begin(), ids.end());
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (uint32_t t : distinct) x.postings[t].push_back(i);
  }
  // Rare name parts say more than common ones: weight = 0.5 + 0.5 * normalised IDF.
  double n = std::max<double>(2, x.names.size());
  x.weight.resize(x.vocab.size());
  for (size_t t = 0; t < x.vocab.size(); ++t) {
    double idf = std::log(n / std::max<size_t>(1, x.postings[t].size())) / std::log(n);
    x.weight[t] = 0.5 + 0.5 * std::clamp(idf, 0.0, 1.0);
  }
  x.effective_weight.resize(x.vocab.size());
  for (size_t t = 0; t < x.vocab.size(); ++t) x.effective_weight[t] = x.WeightOf(x.vocab[t]);
  x.parts.reserve(x.part_ids.size());
  x.part_briefs.reserve(x.part_ids.size());
  for (uint32_t t : x.part_ids) {
    x.parts.push_back(&x.vocab[t]);
    x.part_briefs.push_back(BriefOf(x.vocab[t]));
  }
  for (auto& n : x.names) {
    n.join_class = Impl::JoinClass(x.TokensOf(n));
    for (uint32_t t : x.IdsOf(n)) n.weight += x.effective_weight[t];
  }
  // Room for what retrieval will remember: the map is not rehashed while the first batch fills it.
  x.similar_cache.reserve(kSimilarCacheSize);
}

Index::~Index() = default;

size_t Index::entity_count() const { return impl_->entities; }
size_t Index::name_count() const { return impl_->names.size(); }
size_t Index::token_count() const { return impl_->vocab.size(); }
void Index::ForgetRetrieved() const {
  std::unique_lock lock(impl_->similar_mutex);
  impl_->similar_cache.clear();
}

namespace {

struct Facts {
  double effect = 0;
  Json json = Json::array();
};

std::string Alnum(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// One fact of an explanation (docs/screening.md), its fields emplaced: a JSON initializer list
// copies each value several times, and every hit has its facts.
Json FactJson(const char* fact, const char* outcome, double effect, std::string detail,
              const char* reason, Json values) {
  Json out(Json::value_t::object);
  auto& fields = *out.get_ptr<Json::object_t*>();
  fields.emplace("fact", fact);
  fields.emplace("outcome", outcome);
  fields.emplace("effect", effect);
  fields.emplace("detail", std::move(detail));
  fields.emplace("reason", reason);
  fields.emplace("values", std::move(values));
  return out;
}

// The masculine and feminine forms of a name differ: two people (father and daughter, brother
// and sister) unless the date of birth or the document agrees, which then outweighs the forms
// (a clerk may have written the wrong form).
void AddGenderFact(const std::string& forms, Facts& f) {
  bool outweighed = false;
  for (const auto& fact : f.json) {
    if (fact["outcome"] == "agrees" &&
        (fact["fact"] == "id_number" ||
         (fact["fact"] == "birth_date" && fact["effect"].get<double>() >= 0.06))) {
      outweighed = true;
    }
  }
  double effect = outweighed ? 0.0 : -kGenderDiffers;
  f.effect += effect;
  f.json.push_back(FactJson("gender", outweighed ? "outweighed" : "disagrees", effect,
                            "masculine and feminine forms: " + forms, "gender_forms",
                            {{"forms", forms}}));
}

Facts CompareFacts(const Party& p, const Entity& e) {
  Facts f;
  // `detail` in English for the API and logs; `reason` and `values` for pages, which word it in
  // the reader's language (message screening.fact.<reason>).
  auto add = [&](const char* fact, const char* outcome, double effect, const std::string& detail,
                 const char* reason, Json values) {
    f.effect += effect;
    f.json.push_back(FactJson(fact, outcome, effect, detail, reason, std::move(values)));
  };
  if (!p.birth_date.empty() && !e.birth_dates.empty()) {
    double year = DateYearFrom(p.birth_date);
    bool same_day = false, same_year = false;
    std::string listed;
    for (const auto& d : e.birth_dates) {
      listed += (listed.empty() ? "" : ", ") + d;
      if (d == p.birth_date) same_day = true;
      double from = DateYearFrom(d);
      double to =
          d.find("..") != std::string::npos ? DateYearFrom(d.substr(d.find("..") + 2)) : from;
      if (year >= from - 1 && year <= to + 1) same_year = true;
    }
    if (same_day) {
      add("birth_date", "agrees", 0.06, "same date of birth: " + p.birth_date, "same_birth_date",
          {{"date", p.birth_date}});
    } else if (same_year) {
      add("birth_date", "agrees", 0.03, "birth year agrees with " + listed, "birth_year_agrees",
          {{"listed", listed}});
    } else {
      add("birth_date", "disagrees", -0.15, "born " + p.birth_date + ", listed " + listed,
          "birth_date_differs", {{"date", p.birth_date}, {"listed", listed}});
    }
  }
  if (!p.country.empty()) {
    bool any_code = false, agree = false;
    for (const auto& c : e.countries) {
      if (c.size() == 2) any_code = true;
      if (c == p.country) agree = true;
    }
    if (agree) {
      add("country", "agrees", 0.03, p.country + " is among the listed countries", "country_listed",
          {{"country", p.country}});
    } else if (any_code) {
      std::string listed;
      for (const auto& c : e.countries) listed += (listed.empty() ? "" : ", ") + c;
      add("country", "disagrees", -0.04, "listed countries: " + listed, "country_not_listed",
          {{"listed", listed}});
    }
  }
  std::string wanted = Alnum(p.id_number);
  if (wanted.size() >= 5 && !e.identifiers.empty()) {
    bool found = false;
    for (const auto& id : e.identifiers) {
      // Compare with each run of letters and digits of the listed identifier.
      std::string run;
      for (size_t i = 0; i <= id.size() && !found; ++i) {
        char c = i < id.size() ? id[i] : ' ';
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '/') {
          if (c != '-' && c != '/')
            run += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        } else {
          if (run == wanted) found = true;
          run.clear();
        }
      }
      if (found) {
        add("id_number", "agrees", 0.2, "listed: " + id, "id_listed", {{"id", id}});
        break;
      }
    }
    if (!found) {
      add("id_number", "unknown", 0.0, "not among the listed documents (a person may hold several)",
          "id_not_listed", Json::object());
    }
  }
  return f;
}

}  // namespace

Candidate Index::ScoreAgainst(const Party& party, const std::string& listed_name) const {
  NormalisedName q = Normalise(party.name);
  NormalisedName c = Normalise(listed_name);
  std::vector<const Token*> ct;
  for (const auto& t : c.tokens) ct.push_back(&t);
  auto why = std::make_shared<Explanation>();
  Candidate cand;
  std::string gender;
  cand.name_score = cand.score = impl_->ScoreName(q.tokens, ct, why.get(), &gender);
  if (!gender.empty()) {
    Facts f;
    AddGenderFact(gender, f);
    cand.score = std::clamp(cand.score + f.effect, 0.0, 1.0);
    why->facts = std::move(f.json);
  }
  why->score = cand.score;
  cand.detail = why;
  return cand;
}

std::vector<Candidate> Index::Screen(const Party& party, const ScreenOptions& options) const {
  const Impl& x = *impl_;
  double threshold = options.threshold > 0 ? options.threshold : DefaultThreshold();
  // The words of a batch's names repeat (given names, company words): each thread makes a
  // word into a token once.
  thread_local TokenMemo query_words;
  if (query_words.size() >= kQueryWordMemo) query_words.clear();
  NormalisedName q = Normalise(party.name, &query_words);
  if (q.tokens.empty()) return {};
  NameGenderOf q_gender = NameGender(q.tokens);
  uint32_t q_join_class = Impl::JoinClass(q.tokens);
  // Scratch space of each thread, reused by its queries.
  thread_local std::vector<double> q_weights;
  thread_local std::vector<uint32_t> touched;
  thread_local std::vector<std::pair<size_t, size_t>> order;  // (names reached, query token)
  thread_local std::vector<const Impl::SimilarList*> similar;
  thread_local std::vector<std::pair<double, uint32_t>> ranked;
  thread_local Impl::HeldLists held_lists;
  held_lists.clear();
  q_weights.clear();
  touched.clear();
  order.clear();
  similar.assign(q.tokens.size(), nullptr);
  ranked.clear();
  for (const auto& t : q.tokens) q_weights.push_back(x.WeightOf(t));
  thread_local std::vector<PartBrief> q_briefs;
  q_briefs.clear();
  for (const auto& t : q.tokens) q_briefs.push_back(BriefOf(t));
  // Retrieval: names sharing a similar token, ranked by the weight of what they share.
  thread_local std::vector<double> acc;
  thread_local const Impl* owner = nullptr;
  if (owner != &x || acc.size() != x.names.size()) {
    acc.assign(x.names.size(), 0.0);
    owner = &x;
  }
  bool all_particles =
      std::all_of(q.tokens.begin(), q.tokens.end(), [](const Token& t) { return t.particle; });
  thread_local Impl::SimTable table;
  table.Reset(x.vocab.size(), q.tokens.size());
  // Rare parts first. A part found in very many names (Muhammad, Ali, company) only adds to the
  // names the rarer parts found: sharing that part alone cannot reach a threshold when the
  // party has other parts (the score is capped at 0.75 for one part in common).
  for (size_t i = 0; i < q.tokens.size(); ++i) {
    const Token& t = q.tokens[i];
    if (t.particle && !all_particles) continue;
    similar[i] = &x.SimilarCached(t, held_lists);
    size_t reach = 0;
    for (const auto& [id, sim] : *similar[i]) reach += x.postings[id].size();
    order.emplace_back(reach, i);
  }
  std::sort(order.begin(), order.end());
  // An initial finds only the names that list the initial: it extends too.
  bool rare_anchor = std::any_of(order.begin(), order.end(), [&](const auto& o) {
    return o.first <= kFrequentPart && q.tokens[o.second].text.size() > 1;
  });
  std::stable_partition(order.begin(), order.end(),
                        [&](const auto& o) { return q.tokens[o.second].text.size() > 1; });
  // A frequent part only extends the names rarer parts found: when those are few, their parts
  // are looked up in the part's similar list (set in the table) instead of reading the postings
  // of every similar part. The shares are added in the order of the similar list, as reading
  // the postings adds them: the same sums, to the last bit.
  thread_local std::vector<uint32_t> list_position;
  thread_local std::vector<std::pair<uint32_t, double>> shares;
  auto extend_touched = [&](const Impl::SimilarList& list, size_t i, double w) {
    if (list_position.size() != x.vocab.size()) list_position.assign(x.vocab.size(), 0);
    for (uint32_t p = 0; p < list.size(); ++p) list_position[list[p].first] = p;
    for (uint32_t name : touched) {
      shares.clear();
      for (uint32_t id : x.IdsOf(x.names[name])) {
        TokenSim s = table.Get(id, i);
        if (s.sim < 0) continue;
        uint32_t p = list_position[id];
        if (std::none_of(shares.begin(), shares.end(),
                         [&](const auto& sh) { return sh.first == p; }))
          shares.emplace_back(p, w * s.sim);
      }
      std::sort(shares.begin(), shares.end());
      for (const auto& share : shares) acc[name] += share.second;
    }
  };
  for (size_t k = 0; k < order.size(); ++k) {
    const Token& t = q.tokens[order[k].second];
    const Impl::SimilarList& similar_to_t = *similar[order[k].second];
    for (const auto& [id, sim] : similar_to_t) table.Set(id, order[k].second, sim);
    bool extend_only =
        rare_anchor && !t.particle && (order[k].first > kFrequentPart || t.text.size() == 1);
    double w = q_weights[order[k].second];
    if (extend_only && touched.size() * kPartsPerNameEstimate < order[k].first) {
      extend_touched(similar_to_t, order[k].second, w);
      continue;
    }
    for (const auto& [id, sim] : similar_to_t) {
      for (uint32_t name : x.postings[id]) {
        if (acc[name] == 0.0) {
          if (extend_only) continue;
          touched.push_back(name);
        }
        acc[name] += w * sim.sim;
      }
    }
  }
  if (options.exhaustive) {
    for (uint32_t name : touched) acc[name] = 0.0;
    touched.resize(x.names.size());
    for (uint32_t i = 0; i < touched.size(); ++i) touched[i] = i;
  }

  // Ranked by an estimate of the name score: what the name shares, over the query's weight and a
  // fifth of the name's (the score's denominator when every shared part pairs).
  double query_weight = 0;
  for (double w : q_weights) query_weight += w;
  for (uint32_t name : touched) {
    ranked.emplace_back(acc[name] / (query_weight + kMissingListedPart * x.names[name].weight),
                        name);
    acc[name] = 0.0;
  }
  size_t keep = options.exhaustive ? ranked.size() : std::min(kRetrieve, ranked.size());
  // Best first, ties by name: a total order, so selecting the best and sorting them gives what
  // sorting them all would.
  auto better = [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  auto kept_end = ranked.begin() + static_cast<long>(keep);
  if (kept_end != ranked.end()) std::nth_element(ranked.begin(), kept_end, ranked.end(), better);
  std::sort(ranked.begin(), kept_end, better);
  ranked.resize(keep);

  // Scoring: the best name of each entity, then the entity's facts.
  struct Best {
    double name_score = -1;
    uint32_t name = 0;
    std::string gender;  // the masculine and feminine forms paired, or ""
  };
  // Per entity (a slot per entity of the index, stamped per query: no hashing, no clearing).
  thread_local std::vector<Best> best;
  thread_local std::vector<uint32_t> best_of_entity, best_stamp_of_entity;
  thread_local uint32_t best_stamp = 0;
  if (best_stamp_of_entity.size() != x.entities || ++best_stamp == 0) {
    best_of_entity.assign(x.entities, 0);
    best_stamp_of_entity.assign(x.entities, 0);
    best_stamp = 1;
  }
  best.clear();
  // The most the facts can add (the gender of the name only takes away): names that cannot
  // reach the threshold with them are not looked at further.
  double facts_bound = 0;
  if (!party.birth_date.empty()) facts_bound += 0.06;
  if (!party.country.empty()) facts_bound += 0.03;
  if (!party.id_number.empty()) facts_bound += 0.2;
  // A name whose score bound (ScoreBelow) cannot reach the threshold with the facts is not
  // scored in full. Its entity is then reported only through another name, and the choice of
  // that name is the same as with every name scored unless the entity has names of both kinds:
  // those are scored in full (the best of an entity is compared with the gender fact applied).
  struct Scored {
    double name_score;  // kBelowCutoff: not scored in full
    std::string gender;
  };
  thread_local std::vector<Scored> scored;
  thread_local std::vector<uint32_t> scored_stamp_of_entity;
  if (scored_stamp_of_entity.size() != x.entities) scored_stamp_of_entity.assign(x.entities, 0);
  if (best_stamp == 1) std::fill(scored_stamp_of_entity.begin(), scored_stamp_of_entity.end(), 0);
  scored.resize(ranked.size());
  auto score_name = [&](uint32_t id, double cutoff, Scored& out) {
    const auto& n = x.names[id];
    auto tokens = x.TokensOf(n);
    out.name_score =
        options.exhaustive
            ? x.ScoreName(q.tokens, tokens, nullptr, &out.gender)
            : x.ScoreName(q.tokens, tokens, nullptr, &out.gender,
                          {x.IdsOf(n).data(), &table, &q_gender, &n.gender, &q_weights, cutoff,
                           q_join_class, n.join_class, q_briefs.data(), x.BriefsOf(n)});
    if (out.name_score != Impl::kBelowCutoff) scored_stamp_of_entity[n.entity_slot] = best_stamp;
  };
  double cutoff = options.exhaustive || options.full_scoring ? 0 : threshold - facts_bound - 1e-6;
  for (size_t k = 0; k < ranked.size(); ++k) score_name(ranked[k].second, cutoff, scored[k]);
  for (size_t k = 0; k < ranked.size(); ++k) {
    const auto& n = x.names[ranked[k].second];
    if (scored[k].name_score == Impl::kBelowCutoff &&
        scored_stamp_of_entity[n.entity_slot] == best_stamp) {
      score_name(ranked[k].second, 0, scored[k]);
    }
  }
  for (size_t k = 0; k < ranked.size(); ++k) {
    if (scored[k].name_score == Impl::kBelowCutoff) continue;
    uint32_t id = ranked[k].second;
    const auto& n = x.names[id];
    double s = scored[k].name_score;
    const std::string& gender = scored[k].gender;
    if (best_stamp_of_entity[n.entity_slot] != best_stamp) {
      best_stamp_of_entity[n.entity_slot] = best_stamp;
      best_of_entity[n.entity_slot] = static_cast<uint32_t>(best.size());
      best.emplace_back();
    }
    Best& b = best[best_of_entity[n.entity_slot]];
    // Compared with the gender fact applied: Ivana Petrova is nearer to an alias "Ivana
    // Petrova" than to the primary name "Ivan Petrov".
    double effective = gender.empty() ? s : s - kGenderDiffers;
    double best_effective = !b.gender.empty() ? b.name_score - kGenderDiffers : b.name_score;
    if (effective > best_effective) {
      b.name_score = s;
      b.name = id;
      b.gender = gender;
    }
  }
  // The candidates in order, then the explanations of those kept (after `limit`).
  struct Found {
    Candidate candidate;
    uint32_t name;
    Facts facts;
  };
  std::vector<Found> found;
  for (const Best& b : best) {
    if (b.name_score + facts_bound < threshold - 1e-9) continue;
    const auto& n = x.names[b.name];
    const Entity& e = sources_[n.list].file->entities[n.entity];
    Facts facts = CompareFacts(party, e);
    if (!b.gender.empty()) AddGenderFact(b.gender, facts);
    double score = std::clamp(b.name_score + facts.effect, 0.0, 1.0);
    if (score < threshold) continue;
    Candidate c;
    c.list = n.list;
    c.entity = n.entity;
    c.name = n.name;
    c.name_score = b.name_score;
    c.score = score;
    found.push_back({std::move(c), b.name, std::move(facts)});
  }
  std::sort(found.begin(), found.end(), [&](const Found& fa, const Found& fb) {
    const Candidate& a = fa.candidate;
    const Candidate& b = fb.candidate;
    if (a.score != b.score) return a.score > b.score;
    const Entity& ea = entity(a);
    const Entity& eb = entity(b);
    return std::tie(a.list, ea.entity_id) < std::tie(b.list, eb.entity_id);
  });
  if (options.limit > 0 && found.size() > static_cast<size_t>(options.limit))
    found.resize(options.limit);
  std::vector<Candidate> out;
  out.reserve(found.size());
  for (Found& f : found) {
    const auto& n = x.names[f.name];
    const Entity& e = sources_[n.list].file->entities[n.entity];
    auto why = std::make_shared<Explanation>();
    // With what the query's scoring found: the pairs explained are those scored (exhaustive
    // scoring did not use retrieval's table, so neither does its explanation).
    if (options.exhaustive) {
      x.ScoreName(q.tokens, x.TokensOf(n), why.get(), nullptr);
    } else {
      x.ScoreName(q.tokens, x.TokensOf(n), why.get(), nullptr,
                  {x.IdsOf(n).data(), &table, &q_gender, &n.gender, &q_weights});
    }
    why->screened = true;
    why->matched_name = e.names[n.name].text;
    why->name_type = e.names[n.name].type;
    why->name_score = f.candidate.name_score;
    why->facts = std::move(f.facts.json);
    why->score = f.candidate.score;
    why->party_words_ignored = q.dropped;
    f.candidate.detail = std::move(why);
    out.push_back(std::move(f.candidate));
  }
  return out;
}

}  // namespace cbrnhub::sanctions
