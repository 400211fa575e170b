#include "i18n/i18n.h"

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "assets/assets.h"

namespace cbrnhub::i18n {

Status Catalogs::Load() {
  const std::string prefix = "web/i18n/";
  for (std::string_view path : assets::List(prefix)) {
    std::string name(path.substr(prefix.size()));
    if (name.size() < 6 || name.substr(name.size() - 5) != ".json") continue;
    std::string lang = name.substr(0, name.size() - 5);
    // A key given twice (easily made when two branches add it at different places) would
    // silently keep the last: refused, naming the key.
    std::set<std::string> keys;
    std::string twice;
    auto parsed = nlohmann::json::parse(
        *assets::Find(path),
        [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed_key) {
          if (depth == 1 && event == nlohmann::json::parse_event_t::key &&
              !keys.insert(parsed_key.get<std::string>()).second && twice.empty()) {
            twice = parsed_key.get<std::string>();
          }
          return true;
        },
        false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      return Status::Invalid(std::string(path), std::string(path) + " is not a JSON object");
    }
    if (!twice.empty()) {
      return Status::Invalid(std::string(path),
                             std::string(path) + ": message " + twice + " is given twice");
    }
    auto& table = messages_[lang];
    for (const auto& [key, value] : parsed.items()) {
      if (!value.is_string()) {
        return Status::Invalid(std::string(path),
                               std::string(path) + ": message " + key + " is not a string");
      }
      table[key] = value.get<std::string>();
      // Braces make a message an ICU pattern: one ICU would refuse is a mistake in the file.
      if (table[key].find('{') != std::string::npos) {
        auto arguments = MessageArguments(table[key]);
        if (!arguments.ok()) {
          return Status::Invalid(std::string(path), std::string(path) + ": message " + key +
                                                        " is " + arguments.status().message());
        }
      }
    }
  }
  if (!Supports(kDefaultLanguage)) return Status::Internal("no English message catalogue");
  return Status::Ok();
}

const std::string& Catalogs::Translate(const std::string& lang, const std::string& key) const {
  for (const std::string& l : {lang, std::string(kDefaultLanguage)}) {
    auto t = messages_.find(l);
    if (t == messages_.end()) continue;
    auto m = t->second.find(key);
    if (m != t->second.end()) return m->second;
  }
  return key;
}

bool Catalogs::Has(const std::string& key) const {
  auto t = messages_.find(kDefaultLanguage);
  return t != messages_.end() && t->second.count(key) > 0;
}

std::vector<std::string> Catalogs::Languages() const {
  // The network's working languages in the order its documents list them; a catalogue added
  // later follows them alphabetically.
  static const char* const kWorking[] = {"en", "fr", "ru", "ar"};
  std::vector<std::string> out;
  for (const char* lang : kWorking) {
    if (Supports(lang)) out.push_back(lang);
  }
  for (const auto& [lang, table] : messages_) {
    if (std::find(out.begin(), out.end(), lang) == out.end()) out.push_back(lang);
  }
  return out;
}

std::vector<std::string> Catalogs::Keys() const {
  std::vector<std::string> out;
  for (const auto& [key, value] : messages_.at(kDefaultLanguage)) out.push_back(key);
  return out;
}

std::vector<std::string> Catalogs::MissingKeys(const std::string& lang) const {
  std::vector<std::string> out;
  auto t = messages_.find(lang);
  for (const auto& [key, value] : messages_.at(kDefaultLanguage)) {
    if (t == messages_.end() || !t->second.count(key)) out.push_back(key);
  }
  return out;
}

std::string Catalogs::Negotiate(const std::string& explicit_choice, const std::string& cookie,
                                const std::string& accept_language) const {
  if (Supports(explicit_choice)) return explicit_choice;
  if (Supports(cookie)) return cookie;
  // Accept-Language: "ru-RU,ru;q=0.9,en;q=0.8". Take entries by descending q.
  std::vector<std::pair<double, std::string>> wanted;
  size_t pos = 0;
  int order = 0;
  while (pos < accept_language.size()) {
    size_t end = accept_language.find(',', pos);
    if (end == std::string::npos) end = accept_language.size();
    std::string part = accept_language.substr(pos, end - pos);
    pos = end + 1;
    double q = 1.0;
    auto semi = part.find(';');
    if (semi != std::string::npos) {
      auto qpos = part.find("q=", semi);
      if (qpos != std::string::npos) q = std::atof(part.c_str() + qpos + 2);
      part = part.substr(0, semi);
    }
    part.erase(0, part.find_first_not_of(' '));
    part = part.substr(0, part.find_first_of("-_ "));
    std::transform(part.begin(), part.end(), part.begin(), ::tolower);
    // Earlier entries win ties: subtract a tiny amount per position.
    wanted.emplace_back(q - 1e-6 * order++, part);
  }
  std::stable_sort(wanted.begin(), wanted.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [q, lang] : wanted) {
    if (q > 0 && Supports(lang)) return lang;
  }
  return kDefaultLanguage;
}

bool RightToLeft(const std::string& lang) { return lang == "ar" || lang == "fa" || lang == "he" || lang == "ur"; }

const char* Direction(const std::string& lang) { return RightToLeft(lang) ? "rtl" : "ltr"; }

std::string CountryName(const std::string& iso2, const std::string& lang,
                        const std::string& fallback) {
  static std::mutex mu;
  static std::map<std::string, std::string> cache;
  std::string key = lang + ":" + iso2;
  {
    std::lock_guard lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second.empty() ? fallback : it->second;
  }
  icu::UnicodeString name;
  icu::Locale("und", iso2.c_str()).getDisplayCountry(icu::Locale(lang.c_str()), name);
  std::string out;
  name.toUTF8String(out);
  // ICU echoes the code back when it has no name for it.
  if (out == iso2) out.clear();
  std::lock_guard lock(mu);
  cache[key] = out;
  return out.empty() ? fallback : out;
}

std::vector<size_t> CollationOrder(const std::string& lang, const std::vector<std::string>& texts) {
  std::vector<size_t> order(texts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Collator> collator(
      icu::Collator::createInstance(icu::Locale(lang.c_str()), status));
  if (U_FAILURE(status) || !collator) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return texts[a] < texts[b]; });
    return order;
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    UErrorCode s = U_ZERO_ERROR;
    return collator->compareUTF8(texts[a], texts[b], s) == UCOL_LESS;
  });
  return order;
}

const std::vector<std::pair<std::string, std::string>>& CountriesByName(const std::string& lang) {
  static std::mutex mu;
  static std::map<std::string, std::vector<std::pair<std::string, std::string>>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(lang);
  if (it != cache.end()) return it->second;
  std::vector<std::string> codes, names;
  for (const char* const* c = icu::Locale::getISOCountries(); *c; ++c) {
    icu::UnicodeString name;
    icu::Locale("und", *c).getDisplayCountry(icu::Locale(lang.c_str()), name);
    std::string utf8;
    name.toUTF8String(utf8);
    codes.emplace_back(*c);
    names.push_back(utf8.empty() ? *c : utf8);
  }
  std::vector<std::pair<std::string, std::string>> sorted;
  for (size_t i : CollationOrder(lang, names)) sorted.emplace_back(codes[i], names[i]);
  return cache[lang] = std::move(sorted);
}

}  // namespace cbrnhub::i18n
