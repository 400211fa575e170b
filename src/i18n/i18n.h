// Languages of the user interface: message catalogues (web/i18n/<lang>.json, compiled into the
// binary), language negotiation, and names of countries from ICU's locale data.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace cbrnhub::i18n {

// The language every catalogue falls back to.
inline constexpr const char* kDefaultLanguage = "en";

class Catalogs {
 public:
  // Loads every web/i18n/*.json asset. InvalidArgument naming the file when one is not a flat
  // JSON object of strings.
  Status Load();
  // The message for `key` in `lang`, else in English, else the key itself (so a missing
  // message shows up in the page rather than as a blank).
  const std::string& Translate(const std::string& lang, const std::string& key) const;
  bool Supports(const std::string& lang) const { return messages_.count(lang) > 0; }
  // Codes of the loaded catalogues: en, fr, ru, ar first (the order of the language switcher),
  // then any other alphabetically.
  std::vector<std::string> Languages() const;
  // Keys present in English but missing in `lang`.
  std::vector<std::string> MissingKeys(const std::string& lang) const;
  // Every English key.
  std::vector<std::string> Keys() const;

  // Picks the language for a request: an explicit choice (?lang=), then the cookie, then the
  // first supported entry of Accept-Language, then English.
  std::string Negotiate(const std::string& explicit_choice, const std::string& cookie,
                        const std::string& accept_language) const;

 private:
  std::map<std::string, std::map<std::string, std::string>> messages_;
};

// "ltr", or "rtl" for Arabic, Persian, Hebrew and Urdu.
const char* Direction(const std::string& lang);

// The name of the country with ISO 3166-1 alpha-2 code `iso2` in `lang` (ICU), or `fallback`
// when ICU does not know the code. Thread-safe; results are cached.
std::string CountryName(const std::string& iso2, const std::string& lang,
                        const std::string& fallback);

}  // namespace cbrnhub::i18n
