// Languages of the user interface: message catalogues (web/i18n/<lang>.json, compiled into the
// binary), language negotiation, and names of countries from ICU's locale data.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cbrnhub::i18n {

// The language every catalogue falls back to.
inline constexpr const char* kDefaultLanguage = "en";

class Catalogs {
 public:
  // Loads every web/i18n/*.json asset. InvalidArgument naming the file (and key) when one is not
  // a flat JSON object of strings, or a message with braces is not a valid ICU pattern.
  Status Load();
  // The message for `key` in `lang`, else in English, else the key itself (so a missing
  // message shows up in the page rather than as a blank).
  const std::string& Translate(const std::string& lang, const std::string& key) const;
  // The message for `key` (found as Translate does) read as an ICU MessageFormat pattern with
  // named arguments from the JSON object `args` (numbers stay numbers, so that
  // "{count, plural, one {# entry} other {# entries}}" picks the language's plural category:
  // Russian one/few/many, Arabic zero/one/two/few/many). A pattern ICU rejects comes back as
  // written, so the gap shows on the page instead of a blank.
  std::string Format(const std::string& lang, const std::string& key,
                     const nlohmann::json& args) const;
  bool Supports(const std::string& lang) const { return messages_.count(lang) > 0; }
  // Whether English has a message `key` (stored values are shown by label only when one exists).
  bool Has(const std::string& key) const;
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

// The argument names of an ICU MessageFormat pattern ("{count, plural, one {# entry} other
// {# entries}}" -> {"count"}), sorted, each once. InvalidArgument with the offset when ICU
// cannot parse the pattern.
Result<std::vector<std::string>> MessageArguments(const std::string& pattern);

// "ltr", or "rtl" for Arabic, Persian, Hebrew and Urdu.
const char* Direction(const std::string& lang);
// Whether `lang` is written right to left (Direction is "rtl").
bool RightToLeft(const std::string& lang);

// The name of the country with ISO 3166-1 alpha-2 code `iso2` in `lang` (ICU), or `fallback`
// when ICU does not know the code. Thread-safe; results are cached.
std::string CountryName(const std::string& iso2, const std::string& lang,
                        const std::string& fallback);

// The order in which people of `lang` sort `texts` (ICU's collator for the language: in French
// "Égypte" comes before "Érythrée" and after "Djibouti", not after "Zambie" as bytes would put
// it): indexes into `texts`. Equal texts keep their order.
std::vector<size_t> CollationOrder(const std::string& lang, const std::vector<std::string>& texts);

// The world's countries and territories (ICU's ISO 3166-1 alpha-2 list) as (code, name in
// `lang`), sorted by name in `lang` (CollationOrder). Thread-safe; built once per language.
const std::vector<std::pair<std::string, std::string>>& CountriesByName(const std::string& lang);

// Values written for people in `lang`, by ICU's locale data. Arabic keeps Western digits
// (docs/decisions.md): codes, tables and the North African members' usage agree with them.
// Stored dates are ISO 8601 ("2026-03-01", "2026-03-01T09:30:00.123Z"); a text that is not one
// comes back unchanged. Times are shown in UTC, marked as such. All functions are thread-safe.
std::string FormatDate(const std::string& lang, std::string_view iso);
std::string FormatDateTime(const std::string& lang, std::string_view iso);
// Grouped, with at most `max_fraction` decimals ("48 000,5" in French).
std::string FormatNumber(const std::string& lang, double value, int max_fraction = 1);
// `points` percentage points (40 -> "40 %", "40 %" with a narrow space in French, "40%" in
// English).
std::string FormatPercent(const std::string& lang, double points, int max_fraction = 0);
// Alternatives as the language lists them ("a, b or c", "a, b ou c", "a، b أو c").
std::string FormatAlternatives(const std::string& lang, const std::vector<std::string>& items);
// An amount in the ISO 4217 currency `currency` ("$48,000", "48 000 $US"); cents only when
// there are any. An unknown or empty currency gives the grouped number followed by the code.
std::string FormatMoney(const std::string& lang, double amount, const std::string& currency);

// The catalogue and formatting for one language: what templates and handlers use to write a page.
class Presenter {
 public:
  Presenter(const Catalogs& catalogs, std::string lang)
      : catalogs_(catalogs), lang_(std::move(lang)) {}
  const std::string& lang() const { return lang_; }
  const std::string& Text(const std::string& key) const { return catalogs_.Translate(lang_, key); }
  // The label of a stored value: the message `prefix + value` when the catalogue has one, else
  // the value as stored (a name or a code that is a name, such as a control-list entry).
  std::string Label(const std::string& prefix, const std::string& value) const {
    return catalogs_.Has(prefix + value) ? Text(prefix + value) : value;
  }
  std::string Text(const std::string& key, const nlohmann::json& args) const {
    return catalogs_.Format(lang_, key, args);
  }
  std::string Date(std::string_view iso) const { return FormatDate(lang_, iso); }
  std::string DateTime(std::string_view iso) const { return FormatDateTime(lang_, iso); }
  std::string Number(double value, int max_fraction = 1) const {
    return FormatNumber(lang_, value, max_fraction);
  }
  std::string Percent(double points, int max_fraction = 0) const {
    return FormatPercent(lang_, points, max_fraction);
  }
  std::string Money(double amount, const std::string& currency) const {
    return FormatMoney(lang_, amount, currency);
  }
  std::string Alternatives(const std::vector<std::string>& items) const {
    return FormatAlternatives(lang_, items);
  }
  std::string Country(const std::string& iso2, const std::string& fallback) const {
    return CountryName(iso2, lang_, fallback);
  }

 private:
  const Catalogs& catalogs_;
  std::string lang_;
};

}  // namespace cbrnhub::i18n
