// How people write a Latin list name in another script, and how a Cyrillic name comes back into
// Latin under the romanisations in use. The evaluation's own rules, written from the
// conventions (BGN/PCGN, ICAO Doc 9303, French and German usage, Arabic orthography), not from
// the matcher's tables: sharing code with src/sanctions would make the measurement circular.
#pragma once

#include <random>
#include <string>

namespace cbrnhub::bench {

// A Latin name written in Arabic script as an Arabic (or, with `persian`, Afghan/Pakistani)
// writer would: common names in their usual spelling, otherwise long vowels written and short
// ones not, al-/el- and the sun letters written ال, Abd al-/Abdul/Abdel one or two words,
// bin/ibn/bint, ta marbuta, hamza and alif forms, alif maqsura, the letter chosen among the
// ones Latin spells alike (h ح/ه, s س/ص, t ت/ط, d د/ض, z ز/ظ/ذ) at random. "" if nothing to write.
std::string ToArabicScript(const std::string& latin, bool persian, std::mt19937& rng);

// The Cyrillic languages a clerk may write in.
enum class CyrLang { kRussian, kUkrainian, kKazakh, kUzbek, kKyrgyz, kTajik };
const char* CyrLangName(CyrLang lang);
// A Latin name written in Cyrillic by a clerk of that language.
std::string ToCyrillic(const std::string& latin, CyrLang lang);

// Cyrillic back to Latin.
enum class Romanisation { kBgnPcgn, kIcao9303, kFrench, kGerman };
const char* RomanisationName(Romanisation r);
std::string RomaniseCyrillic(const std::string& cyrillic, Romanisation r);

// A made-up name: syllables of the regions' languages, no listed name intended.
std::string MadeUpName(std::mt19937& rng);

}  // namespace cbrnhub::bench
