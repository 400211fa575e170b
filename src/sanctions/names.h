// Private to sanctions: how a name becomes the tokens the matcher compares.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cbrnhub::sanctions {

// Laid out for the comparisons of a screen, which read tokens from all over the vocabulary:
// what nearly every comparison reads (skeleton, text, the kinds of word, the sounds' bits) in
// the first of its four cache lines, the Arabic keys and the sounds themselves last.
struct Token {
  std::string skeleton;     // transliteration variants folded (kh/h, y/i, sh/sch/shch, ...)
  std::string text;         // transliterated, lower-case ASCII letters and digits
  bool particle = false;    // al, bin, ibn, abu, ogli, van, ...: weak evidence
  bool legal_form = false;  // LLC, OOO, JSC, company, ...: weaker still
  bool article = false;     // al and its assimilated forms (ad, an, ar, as, ash, at, az, el, ...)
  bool abjad = false;       // read from Arabic script: short vowels were not written
  bool letters_counted = false;  // see `letters`
  // Consonant letters of the skeleton: Muammar has 3, its key `consonants` "mr" 2.
  uint8_t consonant_letters = 0;
  // A bit per sound (by a hash of it): tokens without a bit in common share no sound.
  uint64_t sound_bits = 0;
  std::string consonants;  // skeleton without vowels ("mhmd")
  // How often each letter and digit occurs in the skeleton (a-z, then 0-9), for the bounds of
  // CommonLetters(); `letters_counted` is false when the skeleton has another character or is
  // too long for a byte per count.
  std::array<uint8_t, 48> letters{};
  std::string akey;          // Arabic consonant key: what an Arabic writer keeps of the sounds
  // The key read another way: v as و (Persian) and ce/ci as s in Latin words, ث as s in
  // Arabic-script words; "" when the same.
  std::string akey_persian;
  std::vector<std::string> sounds;  // Cyrillic sounds (CyrillicSounds)
};

struct NormalisedName {
  std::vector<Token> tokens;
  std::vector<std::string> dropped;  // honorifics and company forms that were removed
};

// Any script to lower-case ASCII: Cyrillic by the BGN/PCGN tables of its language (Russian,
// Kazakh, Uzbek, Kyrgyz, Ukrainian), Arabic and Persian by BGN/PCGN, Han by pinyin, Latin
// diacritics folded. Thread-safe (ICU transliterators are per thread).
// Each word is transformed alone and remembered per thread (see names.cc).
std::string TransliterateToAscii(std::string_view utf8);
// The same, the whole text transformed at once: what TransliterateToAscii must equal (tests).
std::string TransliterateToAsciiWhole(std::string_view utf8);
NormalisedName Normalise(std::string_view name);
// Tokens already made, by TokenKey(): list names repeat their parts (the index build).
using TokenMemo = std::unordered_map<std::string, Token>;
// What tells tokens apart: the word, and for a word read from Arabic script that mark and its
// second Arabic key (ث read as s): خان read "khan" is not the Latin Khan.
std::string TokenKey(const Token& t);
NormalisedName Normalise(std::string_view name, TokenMemo* memo);
std::string Skeleton(std::string_view ascii_token);
std::string Consonants(std::string_view skeleton);
// The consonants an Arabic writer would write for a romanised token, folded where Arabic
// letters have several Latin spellings (gh/g/j, dh/z/d, th/t, sh/ch, q/k/c, p/b, v/f) and
// without vowels, w and y inside the word (long vowels). "Muhammad" and "mhmd" give "mhmd".
std::string ArabicKey(std::string_view ascii_token);
// Whether two Arabic keys agree: equal, an initial V (Latin v) standing for w or f.
bool AkeysAgree(std::string_view a, std::string_view b);
// The Cyrillic sounds a romanised token stands for when read as an English (BGN/PCGN, ICAO),
// a German and a French romanisation, and as English with h as г (Russian Гасан for Hasan):
// "Schukow", "Joukov" and "Zhukov" share one. Distinct readings only; folded where the
// romanisations disagree (з/с, ж/ш, glides before vowels, i and y as one glide, yo as e for ё).
std::vector<std::string> CyrillicSounds(std::string_view ascii_token);
// Arabic-script words romanised letter by letter as they are written (long vowels a/i/u, no
// short vowels), "abd" and the article "al" split off; other characters are kept.
// `tha_as_s`: ث as s, as Persian, Turkish and Urdu names have it (عثمان Osman), not th.
std::string RomaniseArabicScript(std::string_view utf8, bool tha_as_s = false);
// Whether two name parts are the masculine and feminine forms of one name: Petrov / Petrova,
// Dostoevskiy / Dostoevskaya, Ivanovich / Ivanovna, Ivan / Ivana, Yevgeniy / Yevgeniya,
// Jean / Jeanne, Daniel / Danielle. Lower-case ASCII tokens.
bool GenderedPair(std::string_view a, std::string_view b);
// CommonLetters() for tokens whose letters are not counted.
size_t CommonLettersOfSkeletons(const Token& a, const Token& b);
// How many letters the skeletons of a and b have in common, counted as multisets: bounds both
// Jaro-Winkler (matches) and the edit distance (at least max(|a|, |b|) minus this). Inline:
// retrieval asks it of every spelling a new name part's trigrams reach.
inline size_t CommonLetters(const Token& a, const Token& b) {
  if (!a.letters_counted || !b.letters_counted) return CommonLettersOfSkeletons(a, b);
#if defined(__SSE2__)
  // Per letter the smaller count, summed: three times 16 bytes.
  __m128i sum = _mm_setzero_si128();
  for (size_t k = 0; k < a.letters.size(); k += 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a.letters.data() + k));
    __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.letters.data() + k));
    sum = _mm_add_epi64(sum, _mm_sad_epu8(_mm_min_epu8(x, y), _mm_setzero_si128()));
  }
  return static_cast<size_t>(_mm_cvtsi128_si64(sum) +
                             _mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum)));
#else
  size_t m = 0;
  for (size_t k = 0; k < a.letters.size(); ++k) m += std::min(a.letters[k], b.letters[k]);
  return m;
#endif
}
// Counts the letters of t.skeleton into t.letters (see Token).
void CountLetters(Token& t);
// Optimal string alignment distance: Levenshtein with a transposition as one edit.
size_t EditDistance(std::string_view a, std::string_view b);
// EditDistance(a, b) <= k, faster (the cells within k of the diagonal, stopping when over k).
bool EditDistanceAtMost(std::string_view a, std::string_view b, size_t k);
// Jaro-Winkler similarity in [0,1] (prefix scale 0.1, up to 4 characters).
double JaroWinkler(std::string_view a, std::string_view b);

}  // namespace cbrnhub::sanctions
