// Strict YAML reading shared by the definitions an administrator loads (see reader.h).
#include "yamldoc/reader.h"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace cbrnhub::yamldoc {
namespace {
bool OneOf(const std::string& v, const char* const* begin, const char* const* end) {
  return std::any_of(begin, end, [&](const char* c) { return v == c; });
}
// The line where [ and { (outside quotes) first nest deeper than any definition would.
std::optional<int> DeepBracketLine(std::string_view yaml) {
  constexpr int kDeep = 100;
  int depth = 0, line = 1;
  char quote = 0;
  for (char c : yaml) {
    if (c == '\n') ++line;
    if (quote) {
      if (c == quote || c == '\n') quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > kDeep) return line;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 40) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string Sub(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

int LineOf(const YAML::Mark& mark) { return mark.is_null() || mark.line < 0 ? 1 : mark.line + 1; }

// YAML's spellings of infinity and not-a-number (a plain scalar with one of these is a float).
bool NonFiniteLiteral(const std::string& s) {
  static const char* kForms[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf", "+.INF",
                                 "-.inf", "-.Inf", "-.INF", ".nan",  ".NaN",  ".NAN"};
  return OneOf(s, std::begin(kForms), std::end(kForms));
}

// "showif", "Show-If" and "shwo_if" are "show_if" misspelt: equal without case, '_' and '-',
// or two edits away.
bool LooksLike(const std::string& key, const std::string& known) {
  auto fold = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c != '_' && c != '-')
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  };
  std::string a = fold(key), b = fold(known);
  if (a == b) return true;
  if (a.size() > 40) return false;
  // Optimal string alignment distance: a swap of two neighbours counts as one edit.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()] <= (b.size() > 4 ? 2u : 1u);
}


void Reader::Error(const YAML::Node& node, const std::string& path, const std::string& message) {
  int line = node.IsDefined() && node.Mark().line >= 0 ? node.Mark().line + 1 : last_line_;
  errors_.push_back({line, path, message});
}
void Reader::Strict(const YAML::Node& node, const std::string& path, const std::string& message) {
  if (strict_) Error(node, path, message);
}

void Reader::Keys(const YAML::Node& node, const std::string& path,
          std::initializer_list<const char*> allowed) {
  if (!strict_ || !node.IsMap()) return;
  for (const auto& kv : node) {
    std::string key = kv.first.Scalar();
    if (std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
      continue;
    std::string known, guess;
    for (const char* a : allowed) {
      known += (known.empty() ? "" : ", ") + std::string(a);
      if (guess.empty() && LooksLike(key, a)) guess = a;
    }
    Error(kv.first, Sub(path, key),
          "unknown key '" + key.substr(0, 40) + "'" +
              (guess.empty() ? "" : " (did you mean " + guess + "?)") +
              "; here the format defines " + known);
  }
}

void Reader::DeclareLanguages(std::vector<std::string> languages,
                      std::vector<yamldoc::Error>* untranslated) {
  languages_ = std::move(languages);
  untranslated_ = untranslated;
}

std::string Reader::String(const YAML::Node& parent, const char* key, const std::string& path, bool required) {
  YAML::Node n = parent[key];
  if (n.IsDefined()) last_line_ = n.Mark().line + 1;
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(parent, Sub(path, key), "is required");
    return "";
  }
  if (!n.IsScalar()) {
    Error(n, Sub(path, key), "must be a single value");
    return "";
  }
  return n.Scalar();
}

std::optional<double> Reader::Number(const YAML::Node& parent, const char* key, const std::string& path) {
  YAML::Node n = parent[key];
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  return NumberAt(n, Sub(path, key));
}

std::optional<double> Reader::NumberAt(const YAML::Node& n, const std::string& p) {
  if (!n.IsScalar()) {
    Error(n, p, "must be a number");
    return std::nullopt;
  }
  if (NonFiniteLiteral(n.Scalar())) {
    // CheckTree reports these everywhere when strict.
    if (!strict_) Error(n, p, "is not a finite number");
    return std::nullopt;
  }
  try {
    size_t used = 0;
    double v = std::stod(n.Scalar(), &used);
    if (used != n.Scalar().size()) throw std::invalid_argument("trailing");
    // stod takes "nan" and "inf": a NaN weight would make every score 0.
    if (!std::isfinite(v)) {
      Error(n, p, "'" + n.Scalar().substr(0, 40) + "' is not a finite number");
      return std::nullopt;
    }
    return v;
  } catch (const std::exception&) {
    Error(n, p, "'" + n.Scalar().substr(0, 40) + "' is not a number");
    return std::nullopt;
  }
}

// {en: ..., ru: ...} or a plain string (English).
Text Reader::TextOf(const YAML::Node& parent, const char* key, const std::string& path, bool required,
            bool translate) {
  YAML::Node n = parent[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(parent, Sub(path, key), "is required");
    return {};
  }
  return TextAt(n, Sub(path, key), translate);
}

Text Reader::TextAt(const YAML::Node& n, const std::string& p, bool translate) {
  Text t;
  if (n.IsNull()) {
    Error(n, p, "is required");
    return t;
  }
  if (n.IsScalar()) {
    t.by_lang["en"] = n.Scalar();
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      std::string lang = kv.first.as<std::string>("");
      if (lang.size() != 2 || !kv.second.IsScalar()) {
        Error(kv.first, p + "." + lang, "expected a two-letter language code with a text");
        continue;
      }
      t.by_lang[lang] = kv.second.Scalar();
    }
    if (!t.by_lang.count("en")) Error(n, p, "needs an English text (en)");
  } else {
    Error(n, p, "must be a text or {en: ..., ru: ...}");
  }
  for (const auto& [lang, text] : t.by_lang) {
    if (text.size() > 4000) Error(n, p + "." + lang, "is longer than 4000 bytes");
  }
  if (translate && untranslated_ && t.by_lang.count("en")) {
    for (const auto& lang : languages_) {
      auto it = t.by_lang.find(lang);
      if (it == t.by_lang.end() || it->second.empty())
        untranslated_->push_back({LineOf(n.Mark()), p, "no " + lang + " text"});
    }
  }
  return t;
}

namespace {

// {en: ..., fr: ...}: two-letter keys with texts, English among them.
bool IsTextMap(const YAML::Node& n) {
  if (!n.IsMap()) return false;
  bool english = false;
  for (const auto& kv : n) {
    if (!kv.first.IsScalar() || kv.first.Scalar().size() != 2 || !kv.second.IsScalar())
      return false;
    english = english || kv.first.Scalar() == "en";
  }
  return english;
}

// `n` with each text reduced to its English (and the root's languages list and labels left
// out).
YAML::Node EnglishOnly(const YAML::Node& n, int depth) {
  // CheckTree refuses deeper documents; this only keeps a hostile one from exhausting the stack.
  constexpr int kMaxDepth = 64;
  if (depth > kMaxDepth) return YAML::Node(YAML::NodeType::Null);
  if (IsTextMap(n)) {
    for (const auto& kv : n) {
      if (kv.first.Scalar() == "en") return YAML::Node(kv.second.Scalar());
    }
  }
  if (n.IsScalar()) return YAML::Node(n.Scalar());
  YAML::Node out(n.IsSequence() ? YAML::NodeType::Sequence : YAML::NodeType::Map);
  if (n.IsSequence()) {
    for (const auto& item : n) out.push_back(EnglishOnly(item, depth + 1));
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      // The languages list, and the labels of keys (presentation only: no answer or score
      // depends on them), may change in a published document.
      if (depth == 0 && kv.first.IsScalar() &&
          (kv.first.Scalar() == "languages" || kv.first.Scalar() == "labels"))
        continue;
      out.force_insert(EnglishOnly(kv.first, depth + 1), EnglishOnly(kv.second, depth + 1));
    }
  } else {
    return YAML::Node(YAML::NodeType::Null);
  }
  return out;
}

}  // namespace

bool SameButForTranslations(std::string_view a, std::string_view b) {
  try {
    YAML::Emitter ea, eb;
    ea << EnglishOnly(YAML::Load(std::string(a)), 0);
    eb << EnglishOnly(YAML::Load(std::string(b)), 0);
    return ea.good() && eb.good() && std::string_view(ea.c_str()) == std::string_view(eb.c_str());
  } catch (const YAML::Exception&) {
    return false;
  }
}

// Rules that hold anywhere in the document, whatever the key: no key twice in one mapping
// (yaml-cpp would keep the first silently), no infinite or NaN number, no absurd nesting.
void CheckTree(const YAML::Node& node, const std::string& path, int depth,
               std::vector<yamldoc::Error>& errors) {
  // A definition nests about ten levels (sections, questions, options, a label's languages).
  constexpr int kMaxDepth = 32;
  if (depth > kMaxDepth) {
    errors.push_back({LineOf(node.Mark()), path,
                      "nests deeper than " + std::to_string(kMaxDepth) +
                          " levels: a definition needs about ten (check the brackets)"});
    return;
  }
  if (node.IsScalar()) {
    if (node.Tag() == "?" && NonFiniteLiteral(node.Scalar())) {
      errors.push_back(
          {LineOf(node.Mark()), path, "'" + node.Scalar() + "' is not a finite number"});
    }
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i)
      CheckTree(node[i], path + "[" + std::to_string(i) + "]", depth + 1, errors);
  } else if (node.IsMap()) {
    std::map<std::string, int> first_line;
    for (const auto& kv : node) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      std::string p = Sub(path, key.substr(0, 40));
      auto [it, fresh] = first_line.emplace(key, LineOf(kv.first.Mark()));
      if (!fresh) {
        errors.push_back({LineOf(kv.first.Mark()), p,
                          "is given twice in one mapping (first on line " +
                              std::to_string(it->second) + "); YAML would keep only the first"});
      }
      CheckTree(kv.second, p, depth + 1, errors);
    }
  }
}

// One error per line holding bytes that are not UTF-8 (at most 20 lines listed).
void CheckUtf8(std::string_view text, std::vector<yamldoc::Error>& errors) {
  int line = 1, listed = 0, bad_lines = 0, last_bad = 0;
  size_t i = 0, line_start = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && len > 1) {
      // Overlong forms, surrogates and code points above U+10FFFF are not UTF-8 either.
      unsigned cp = c & (0xFF >> (len + 1));
      for (size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
      static const unsigned kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (!ok) {
      if (last_bad != line) {
        last_bad = line;
        ++bad_lines;
        if (listed < 20) {
          ++listed;
          char byte[8];
          std::snprintf(byte, sizeof byte, "0x%02X", c);
          errors.push_back({line, "",
                            "the text is not valid UTF-8 (byte " + std::string(byte) +
                                " at column " + std::to_string(i - line_start + 1) +
                                "): save the file as UTF-8"});
        }
      }
      ++i;
      continue;
    }
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    }
    i += len;
  }
  if (bad_lines > listed) {
    errors.push_back(
        {last_bad, "", std::to_string(bad_lines - listed) + " more line(s) are not valid UTF-8"});
  }
}


// Every error of a document as one InvalidArgument: "N error(s) in the WHAT:" and a line each.
Status ErrorsStatus(std::vector<yamldoc::Error> errors, const std::string& source,
                    const char* what) {
  // In the order of the file, whichever check found them.
  std::stable_sort(errors.begin(), errors.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  std::string message;
  for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e.ToString(source);
  return Status::Invalid(source, std::to_string(errors.size()) + " error(s) in the " + what + ":\n" + message);
}


// The document's root mapping, or an error (not YAML, too large, not a mapping) in `errors`.
std::optional<YAML::Node> LoadRoot(std::string_view yaml, const char* expected,
                                   std::vector<yamldoc::Error>& errors) {
  if (yaml.size() > (4u << 20)) {
    errors.push_back({1, "", "the file is larger than 4 MiB"});
    return std::nullopt;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp says only "bad file" here, with a mark where its scanner stopped reading.
    errors.push_back(
        {DeepBracketLine(yaml).value_or(LineOf(e.mark)), "",
         "not valid YAML: brackets or indentation nest deeper than the parser allows (" +
             std::to_string(e.depth()) + " levels)"});
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    std::string where =
        e.mark.is_null() ? "" : " (column " + std::to_string(e.mark.column + 1) + ")";
    errors.push_back({LineOf(e.mark), "", "not valid YAML: " + e.msg + where});
    return std::nullopt;
  }
  if (!root.IsMap()) {
    errors.push_back({1, "", std::string("the document must be a mapping with ") + expected});
    return std::nullopt;
  }
  return root;
}


const std::string& Text::Get(const std::string& lang) const {
  auto it = by_lang.find(lang);
  if (it != by_lang.end() && !it->second.empty()) return it->second;
  static const std::string kEmpty;
  it = by_lang.find("en");
  return it == by_lang.end() ? kEmpty : it->second;
}


std::string Error::ToString(const std::string& source) const {
  return source + ":" + std::to_string(line) + (path.empty() ? "" : " " + path) + ": " + message;
}


}  // namespace cbrnhub::yamldoc
