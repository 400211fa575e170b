// Messages with arguments (ICU MessageFormat) and values written for people (ICU number and
// date formatters). ICU's formatters are costly to build and DateFormat/MessageFormat are not
// safe to share between threads, so each thread keeps its own, built on first use.
#include <unicode/datefmt.h>
#include <unicode/listformatter.h>
#include <unicode/messagepattern.h>
#include <unicode/msgfmt.h>
#include <unicode/numberformatter.h>
#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

#include "i18n/i18n.h"

namespace cbrnhub::i18n {
namespace {

// Arabic pages keep Western digits: the numbers sit beside codes and identifiers written in
// them, and the network's North African members write them so.
icu::Locale LocaleOf(const std::string& lang) {
  if (lang == "ar") return icu::Locale("ar@numbers=latn");
  return icu::Locale(lang.c_str());
}

std::string Utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long DaysFromCivil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// An ISO 8601 date or date-time as ICU's UDate (milliseconds since the epoch, UTC); false when
// `iso` is not one.
bool ParseIso(std::string_view iso, UDate& out, bool& has_time) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (!Digits(iso, 0, 4, y) || iso.size() < 10 || iso[4] != '-' || !Digits(iso, 5, 2, mo) ||
      iso[7] != '-' || !Digits(iso, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return false;
  }
  has_time = iso.size() > 10;
  double millis = 0;
  long offset_minutes = 0;
  if (has_time) {
    if ((iso[10] != 'T' && iso[10] != ' ') || !Digits(iso, 11, 2, h) || iso.size() < 16 ||
        iso[13] != ':' || !Digits(iso, 14, 2, mi)) {
      return false;
    }
    size_t pos = 16;
    if (pos < iso.size() && iso[pos] == ':') {
      if (!Digits(iso, pos + 1, 2, s)) return false;
      pos += 3;
      if (pos < iso.size() && iso[pos] == '.') {
        double scale = 100;
        for (++pos; pos < iso.size() && iso[pos] >= '0' && iso[pos] <= '9'; ++pos, scale /= 10) {
          millis += (iso[pos] - '0') * scale;
        }
      }
    }
    if (pos < iso.size() && (iso[pos] == '+' || iso[pos] == '-')) {
      int oh, om;
      if (!Digits(iso, pos + 1, 2, oh) || pos + 3 >= iso.size() || !Digits(iso, pos + 4, 2, om))
        return false;
      offset_minutes = (iso[pos] == '-' ? -1 : 1) * (oh * 60 + om);
      pos += 6;
    } else if (pos < iso.size() && iso[pos] == 'Z') {
      ++pos;
    }
    if (pos != iso.size()) return false;
  }
  double seconds =
      static_cast<double>(DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) *
          86400 +
      h * 3600 + mi * 60 + s - offset_minutes * 60;
  out = seconds * 1000 + std::floor(millis);
  return true;
}

icu::DateFormat& DateFormatter(const std::string& lang, bool with_time) {
  thread_local std::map<std::string, std::unique_ptr<icu::DateFormat>> cache;
  std::string key = lang + (with_time ? "+t" : "");
  auto& slot = cache[key];
  if (!slot) {
    UErrorCode status = U_ZERO_ERROR;
    if (with_time) {
      // j: the hour as the locale writes it (13:05, 1:05 PM); z: the zone, here UTC.
      slot.reset(icu::DateFormat::createInstanceForSkeleton(u"yMMMdjjmmz", LocaleOf(lang), status));
    }
    if (!slot || U_FAILURE(status)) {
      slot.reset(icu::DateFormat::createDateInstance(icu::DateFormat::kMedium, LocaleOf(lang)));
    }
    slot->adoptTimeZone(icu::TimeZone::createTimeZone(u"UTC"));
  }
  return *slot;
}

// Formats with this thread's formatter for `key`, made by `make` on first use.
std::string FormatWith(const std::string& key,
                       const std::function<icu::number::LocalizedNumberFormatter()>& make,
                       double value) {
  thread_local std::map<std::string, icu::number::LocalizedNumberFormatter> cache;
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make()).first;
  const icu::number::LocalizedNumberFormatter& f = it->second;
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = f.formatDouble(value, status).toString(status);
  return U_FAILURE(status) ? std::to_string(value) : Utf8(out);
}

}  // namespace

std::string Catalogs::Format(const std::string& lang, const std::string& key,
                             const nlohmann::json& args) const {
  const std::string& pattern = Translate(lang, key);
  thread_local std::map<std::string, std::unique_ptr<icu::MessageFormat>> cache;
  auto& format = cache[lang + '\x1f' + pattern];
  if (!format) {
    UErrorCode status = U_ZERO_ERROR;
    auto made = std::make_unique<icu::MessageFormat>(icu::UnicodeString::fromUTF8(pattern),
                                                     LocaleOf(lang), status);
    if (U_FAILURE(status)) return pattern;
    format = std::move(made);
  }
  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  if (args.is_object()) {
    for (const auto& [name, value] : args.items()) {
      names.push_back(icu::UnicodeString::fromUTF8(name));
      if (value.is_number_integer()) {
        values.emplace_back(static_cast<int64_t>(value.get<std::int64_t>()));
      } else if (value.is_number()) {
        values.emplace_back(value.get<double>());
      } else if (value.is_string()) {
        values.emplace_back(icu::UnicodeString::fromUTF8(value.get_ref<const std::string&>()));
      } else {
        values.emplace_back(icu::UnicodeString::fromUTF8(value.is_null() ? "" : value.dump()));
      }
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out;
  format->format(names.data(), values.data(), static_cast<int32_t>(values.size()), out, status);
  return U_FAILURE(status) ? pattern : Utf8(out);
}

Result<std::vector<std::string>> MessageArguments(const std::string& pattern) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError where{};
  icu::MessagePattern parsed(icu::UnicodeString::fromUTF8(pattern), &where, status);
  if (U_FAILURE(status)) {
    return Status::Invalid("", "not an ICU message pattern (" + std::string(u_errorName(status)) +
                                   " at character " + std::to_string(where.offset) + ")");
  }
  // A pattern can parse and still not format (a number skeleton ICU does not know): build it.
  icu::MessageFormat format(icu::UnicodeString::fromUTF8(pattern), icu::Locale::getRoot(), status);
  if (U_FAILURE(status)) {
    return Status::Invalid("", "not a message ICU can format (" + std::string(u_errorName(status)) + ")");
  }
  std::vector<std::string> names;
  for (int32_t i = 0; i < parsed.countParts(); ++i) {
    const icu::MessagePattern::Part& part = parsed.getPart(i);
    if (part.getType() == UMSGPAT_PART_TYPE_ARG_NAME)
      names.push_back(Utf8(parsed.getSubstring(part)));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

namespace {
std::string FormatIso(const std::string& lang, std::string_view iso, bool with_time) {
  UDate when;
  bool has_time;
  if (!ParseIso(iso, when, has_time)) return std::string(iso);
  icu::UnicodeString out;
  DateFormatter(lang, with_time && has_time).format(when, out);
  return Utf8(out);
}
}  // namespace

std::string FormatDate(const std::string& lang, std::string_view iso) {
  return FormatIso(lang, iso, false);
}

std::string FormatDateTime(const std::string& lang, std::string_view iso) {
  return FormatIso(lang, iso, true);
}

std::string FormatNumber(const std::string& lang, double value, int max_fraction) {
  return FormatWith(
      lang + " n" + std::to_string(max_fraction),
      [&] {
        return icu::number::NumberFormatter::withLocale(LocaleOf(lang))
            .precision(icu::number::Precision::maxFraction(max_fraction));
      },
      value);
}

std::string FormatPercent(const std::string& lang, double points, int max_fraction) {
  return FormatWith(
      lang + " %" + std::to_string(max_fraction),
      [&] {
        return icu::number::NumberFormatter::withLocale(LocaleOf(lang))
            .unit(icu::NoUnit::percent())
            .precision(icu::number::Precision::maxFraction(max_fraction));
      },
      points);
}

std::string FormatAlternatives(const std::string& lang, const std::vector<std::string>& items) {
  // One formatter per language and thread, like the number and date formatters.
  thread_local std::map<std::string, std::unique_ptr<icu::ListFormatter>> formatters;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::ListFormatter>& list = formatters[lang];
  if (!list) list.reset(icu::ListFormatter::createInstance(LocaleOf(lang), ULISTFMT_TYPE_OR, ULISTFMT_WIDTH_WIDE, status));
  std::vector<icu::UnicodeString> texts;
  for (const auto& item : items) texts.push_back(icu::UnicodeString::fromUTF8(item));
  icu::UnicodeString out;
  if (list && U_SUCCESS(status)) list->format(texts.data(), static_cast<int32_t>(texts.size()), out, status);
  if (!list || U_FAILURE(status)) {
    std::string joined;
    for (const auto& item : items) joined += (joined.empty() ? "" : ", ") + item;
    return joined;
  }
  std::string utf8;
  return out.toUTF8String(utf8);
}

std::string FormatMoney(const std::string& lang, double amount, const std::string& currency) {
  bool iso_code = currency.size() == 3 && std::all_of(currency.begin(), currency.end(),
                                                      [](char c) { return c >= 'A' && c <= 'Z'; });
  UErrorCode status = U_ZERO_ERROR;
  icu::CurrencyUnit unit(icu::UnicodeString::fromUTF8(currency).getTerminatedBuffer(), status);
  if (!iso_code || U_FAILURE(status)) {
    std::string number = FormatNumber(lang, amount, 2);
    return currency.empty() ? number : number + " " + currency;
  }
  return FormatWith(
      lang + " " + currency,
      [&] {
        return icu::number::NumberFormatter::withLocale(LocaleOf(lang))
            .unit(unit)
            .precision(icu::number::Precision::currency(UCURR_USAGE_STANDARD)
                           .trailingZeroDisplay(UNUM_TRAILING_ZERO_HIDE_IF_WHOLE));
      },
      amount);
}

}  // namespace cbrnhub::i18n
