// Importers for the public sanctions-list formats and our own CSV, and the Entity record.
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <unordered_map>

#include "core/csv.h"
#include "core/ids.h"
#include "core/problem.h"
#include "sanctions/sanctions.h"

namespace cbrnhub::sanctions {
namespace {

constexpr size_t kMaxFileBytes = 64u << 20;  // the UN list is 2 MB, OFAC sdn.csv 4 MB
constexpr size_t kMaxNameBytes = 1000;

// A date cut to YYYY-MM-DD, without cutting a character in two: a file may hold anything in
// a date's place, and half a character is not UTF-8 (the entry could not be stored as JSON).
std::string DatePart(std::string_view s) {
  size_t n = std::min<size_t>(s.size(), 10);
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

std::string Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

std::string Collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : Trim(s)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// `message` about `field` (the place as the API has always named it), said on a page as the
// catalogue's "sanctions.invalid.<key>" with `args`, at `line` (when known) of `file`, in `column`.
Status Refused(const std::string& field, const std::string& message, const std::string& key,
               Status::MessageArgs args = {}, const std::string& file = "", int line = 0,
               const std::string& column = "") {
  Status why = Status::Invalid(field, message).Says("sanctions.invalid." + key, std::move(args));
  return line > 0 ? Placed(FilePlace::Line(file, line, column), std::move(why)) : why;
}

Status TooLarge(const std::string& source, size_t size) {
  return Refused(source, "file is " + std::to_string(size) + " bytes; the limit is " + std::to_string(kMaxFileBytes),
                 "too_large", {{"#limit", std::to_string(kMaxFileBytes)}});
}

// The list has no entries (a file of another kind, or an empty export).
Status NoEntries(const std::string& source, const std::string& message) {
  return Refused(source, message, "no_entries");
}

// The root element is not the one this format has.
Status WrongRoot(const std::string& source, const std::string& message, const pugi::xml_document& doc,
                 const char* expected) {
  return Refused(source, message, "wrong_root", {{"root", doc.first_child().name()}, {"expected", expected}});
}

// --- UN consolidated list ---------------------------------------------------------------

int LineAt(std::string_view text, ptrdiff_t offset) {
  if (offset < 0) return 0;
  size_t end = std::min(static_cast<size_t>(offset), text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(end), '\n'));
}

// `xml` into `doc`, or InvalidArgument naming the line: over the size limit, not UTF-8 (the
// files say UTF-8; anything else would reach the database broken), not well-formed.
Status LoadXml(std::string_view xml, const std::string& source, pugi::xml_document& doc) {
  if (xml.size() > kMaxFileBytes) return TooLarge(source, xml.size());
  if (size_t bad = InvalidUtf8At(xml); bad != std::string_view::npos) {
    const int line = LineAt(xml, static_cast<ptrdiff_t>(bad));
    return Refused(source, "line " + std::to_string(line) + ": not valid UTF-8 (byte " + std::to_string(bad) + ")",
                   "not_utf8", {}, source, line);
  }
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    const int line = LineAt(xml, parsed.offset);
    return Refused(source, "line " + std::to_string(line) + ": not well-formed XML (" + parsed.description() + ")",
                   "not_xml", {}, source, line);
  }
  return Status::Ok();
}

std::string ChildText(const pugi::xml_node& node, const char* name) {
  return Collapse(node.child(name).text().as_string());
}

std::string UnDate(const pugi::xml_node& dob) {
  std::string type = ChildText(dob, "TYPE_OF_DATE");
  std::string date = ChildText(dob, "DATE");
  std::string year = ChildText(dob, "YEAR");
  std::string from = ChildText(dob, "FROM_YEAR"), to = ChildText(dob, "TO_YEAR");
  if (!from.empty() && !to.empty()) return from + ".." + to;
  if (!date.empty()) return DatePart(date);
  return year;
}

}  // namespace

const char* EntityKindName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kIndividual:
      return "individual";
    case EntityKind::kOrganisation:
      return "organisation";
    case EntityKind::kVessel:
      return "vessel";
    case EntityKind::kAircraft:
      return "aircraft";
  }
  return "organisation";
}

size_t ListFile::name_count() const {
  size_t n = 0;
  for (const auto& e : entities) n += e.names.size();
  return n;
}

size_t InvalidUtf8At(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > bytes.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) return i;
    }
    // Overlong forms and surrogates are not UTF-8 either.
    unsigned char c1 = static_cast<unsigned char>(len > 1 ? bytes[i + 1] : 0);
    if ((len == 2 && c < 0xC2) || (len == 3 && c == 0xE0 && c1 < 0xA0) ||
        (len == 3 && c == 0xED && c1 >= 0xA0) || (len == 4 && c == 0xF0 && c1 < 0x90) ||
        (len == 4 && (c > 0xF4 || (c == 0xF4 && c1 >= 0x90)))) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string ToUtf8(std::string_view bytes) {
  if (InvalidUtf8At(bytes) == std::string_view::npos) return std::string(bytes);
  // Windows-1252: Latin-1 plus printable characters in 0x80-0x9F.
  static const char16_t k80[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                   0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                                   0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                   0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  icu::UnicodeString u;
  for (unsigned char c : bytes) {
    u.append(static_cast<char16_t>(c >= 0x80 && c < 0xA0 ? k80[c - 0x80] : c));
  }
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string CountryCode(std::string_view english_name) {
  static std::once_flag once;
  static std::unordered_map<std::string, std::string> by_name;
  auto key = [](std::string_view s) {
    std::string k;
    for (char c : s) {
      if (std::isalnum(static_cast<unsigned char>(c)))
        k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return k;
  };
  std::call_once(once, [&] {
    for (const char* const* c = icu::Locale::getISOCountries(); *c; ++c) {
      icu::UnicodeString name;
      icu::Locale("", *c).getDisplayCountry(icu::Locale::getEnglish(), name);
      std::string utf8;
      name.toUTF8String(utf8);
      by_name[key(utf8)] = *c;
      by_name[key(*c)] = *c;
    }
    // How the UN and OFAC lists write some countries.
    static const std::pair<const char*, const char*> kAliases[] = {
        {"Russian Federation", "RU"},
        {"Russia", "RU"},
        {"Iran (Islamic Republic of)", "IR"},
        {"Iran", "IR"},
        {"Syrian Arab Republic", "SY"},
        {"Syria", "SY"},
        {"Democratic People's Republic of Korea", "KP"},
        {"Korea, North", "KP"},
        {"North Korea", "KP"},
        {"Republic of Korea", "KR"},
        {"Korea, South", "KR"},
        {"Democratic Republic of the Congo", "CD"},
        {"Congo, Democratic Republic of the", "CD"},
        {"Republic of the Congo", "CG"},
        {"United Republic of Tanzania", "TZ"},
        {"Viet Nam", "VN"},
        {"Lao People's Democratic Republic", "LA"},
        {"Burma", "MM"},
        {"Bolivia (Plurinational State of)", "BO"},
        {"Venezuela (Bolivarian Republic of)", "VE"},
        {"Republic of Moldova", "MD"},
        {"Turkey", "TR"},
        {"Turkiye", "TR"},
        {"United Kingdom of Great Britain and Northern Ireland", "GB"},
        {"United States of America", "US"},
        {"United States", "US"},
        {"Palestine", "PS"},
        {"State of Palestine", "PS"},
        {"West Bank", "PS"},
        {"Gaza", "PS"},
        {"Cote d'Ivoire", "CI"},
        {"Ivory Coast", "CI"},
        {"Kyrgyzstan", "KG"},
        {"Libyan Arab Jamahiriya", "LY"},
        {"Brunei Darussalam", "BN"},
        {"Cabo Verde", "CV"},
        {"Eswatini", "SZ"},
        {"North Macedonia", "MK"},
        {"The Gambia", "GM"},
        {"Gambia", "GM"},
        {"Bahamas, The", "BS"},
        {"Czech Republic", "CZ"}};
    for (const auto& [name, code] : kAliases) by_name[key(name)] = code;
  });
  auto it = by_name.find(key(english_name));
  return it == by_name.end() ? std::string() : it->second;
}

Json Entity::ToJson() const {
  Json names_json = Json::array();
  for (const auto& n : names) names_json.push_back({{"text", n.text}, {"type", n.type}});
  return {{"id", entity_id},          {"kind", EntityKindName(kind)},
          {"names", names_json},      {"birth_dates", birth_dates},
          {"countries", countries},   {"identifiers", identifiers},
          {"programmes", programmes}, {"listed_on", listed_on},
          {"remarks", remarks}};
}

Result<Entity> Entity::FromJson(const Json& j) {
  try {
    Entity e;
    e.entity_id = j.at("id").get<std::string>();
    std::string kind = j.at("kind").get<std::string>();
    e.kind = kind == "individual" ? EntityKind::kIndividual
             : kind == "vessel"   ? EntityKind::kVessel
             : kind == "aircraft" ? EntityKind::kAircraft
                                  : EntityKind::kOrganisation;
    for (const auto& n : j.at("names")) {
      e.names.push_back({n.at("text").get<std::string>(), n.at("type").get<std::string>()});
    }
    e.birth_dates = j.value("birth_dates", std::vector<std::string>{});
    e.countries = j.value("countries", std::vector<std::string>{});
    e.identifiers = j.value("identifiers", std::vector<std::string>{});
    e.programmes = j.value("programmes", std::vector<std::string>{});
    e.listed_on = j.value("listed_on", "");
    e.remarks = j.value("remarks", "");
    if (e.entity_id.empty() || e.names.empty()) {
      return Status::Invalid("entity", "an entity needs an id and a name");
    }
    return e;
  } catch (const Json::exception& ex) {
    return Status::Invalid("entity", std::string("stored entity is unreadable: ") + ex.what());
  }
}

std::string Entity::Fingerprint() const { return Sha256Hex(ToJson().dump()); }

Result<ListFile> ParseUnXml(std::string_view xml, const std::string& source) {
  pugi::xml_document doc;
  CBRN_RETURN_IF_ERROR(LoadXml(xml, source, doc));
  pugi::xml_node root = doc.child("CONSOLIDATED_LIST");
  if (!root) {
    return WrongRoot(source,
                     "not a UN consolidated list: the root element is <" + std::string(doc.first_child().name()) +
                         ">, expected <CONSOLIDATED_LIST>",
                     doc, "CONSOLIDATED_LIST");
  }
  ListFile file;
  file.format = "un-xml";
  file.source_date = DatePart(root.attribute("dateGenerated").as_string());
  std::set<std::string> seen;
  auto where = [&](const pugi::xml_node& n) {
    return source + " line " + std::to_string(LineAt(xml, n.offset_debug())) + " <" + n.name() +
           ">";
  };
  auto refuse = [&](const pugi::xml_node& n, const std::string& message, const std::string& key,
                    Status::MessageArgs args = {}) {
    return Refused(where(n), message, key, std::move(args), source, LineAt(xml, n.offset_debug()));
  };
  auto read = [&](const pugi::xml_node& node, bool individual) -> Status {
    Entity e;
    e.kind = individual ? EntityKind::kIndividual : EntityKind::kOrganisation;
    e.entity_id = ChildText(node, "REFERENCE_NUMBER");
    if (e.entity_id.empty()) return refuse(node, "no REFERENCE_NUMBER", "no_id", {{"element", "REFERENCE_NUMBER"}});
    if (!seen.insert(e.entity_id).second) {
      return refuse(node, "reference number " + e.entity_id + " appears twice", "id_twice", {{"id", e.entity_id}});
    }
    std::string primary;
    for (const char* part : {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"}) {
      std::string p = ChildText(node, part);
      if (!p.empty()) primary += (primary.empty() ? "" : " ") + p;
    }
    if (primary.empty()) return refuse(node, e.entity_id + " has no name", "no_name", {{"id", e.entity_id}});
    e.names.push_back({primary, "primary"});
    std::string original = ChildText(node, "NAME_ORIGINAL_SCRIPT");
    if (!original.empty()) e.names.push_back({original, "original"});
    for (auto alias : node.children(individual ? "INDIVIDUAL_ALIAS" : "ENTITY_ALIAS")) {
      std::string name = ChildText(alias, "ALIAS_NAME");
      if (name.empty()) continue;
      e.names.push_back({name, ChildText(alias, "QUALITY") == "Low" ? "weak" : "aka"});
    }
    for (const auto& n : e.names) {
      if (n.text.size() > kMaxNameBytes) {
        return refuse(node, "a name of " + e.entity_id + " is longer than " + std::to_string(kMaxNameBytes) + " bytes",
                      "name_too_long", {{"id", e.entity_id}, {"#max", std::to_string(kMaxNameBytes)}});
      }
    }
    for (auto dob : node.children("INDIVIDUAL_DATE_OF_BIRTH"))
      AddUnique(e.birth_dates, UnDate(dob));
    for (auto v : node.child("NATIONALITY").children("VALUE")) {
      std::string c = Collapse(v.text().as_string());
      std::string code = CountryCode(c);
      AddUnique(e.countries, code.empty() ? c : code);
    }
    for (const char* part : {"INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS", "INDIVIDUAL_PLACE_OF_BIRTH"}) {
      for (auto a : node.children(part)) {
        std::string c = ChildText(a, "COUNTRY");
        std::string code = CountryCode(c);
        AddUnique(e.countries, code.empty() ? c : code);
      }
    }
    for (auto d : node.children("INDIVIDUAL_DOCUMENT")) {
      std::string number = ChildText(d, "NUMBER");
      if (number.empty()) continue;
      std::string text = ChildText(d, "TYPE_OF_DOCUMENT");
      text += (text.empty() ? "" : " ") + number;
      std::string issuer = ChildText(d, "ISSUING_COUNTRY");
      if (!issuer.empty()) text += " (" + issuer + ")";
      AddUnique(e.identifiers, text);
    }
    AddUnique(e.programmes, ChildText(node, "UN_LIST_TYPE"));
    e.listed_on = ChildText(node, "LISTED_ON");
    e.remarks = Trim(node.child("COMMENTS1").text().as_string());
    file.entities.push_back(std::move(e));
    return Status::Ok();
  };
  for (auto n : root.child("INDIVIDUALS").children("INDIVIDUAL"))
    CBRN_RETURN_IF_ERROR(read(n, true));
  for (auto n : root.child("ENTITIES").children("ENTITY")) CBRN_RETURN_IF_ERROR(read(n, false));
  if (file.entities.empty()) {
    return NoEntries(source, "the list has no <INDIVIDUAL> or <ENTITY> records");
  }
  return file;
}

// --- EU consolidated financial sanctions list (FSD XML export) ---------------------------

namespace {

std::string Attr(const pugi::xml_node& node, const char* name) {
  return Collapse(node.attribute(name).as_string());
}

// Whether a name is written in Latin letters (with or without diacritics).
bool LatinScript(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    // Lead bytes of U+0370 and above: Greek, Cyrillic, Arabic, CJK, ...
    if (c >= 0xCD) return false;
  }
  return true;
}

}  // namespace

Result<ListFile> ParseEuXml(std::string_view xml, const std::string& source) {
  pugi::xml_document doc;
  CBRN_RETURN_IF_ERROR(LoadXml(xml, source, doc));
  pugi::xml_node root = doc.child("export");
  if (!root) {
    return WrongRoot(source,
                     "not an EU financial sanctions file: the root element is <" +
                         std::string(doc.first_child().name()) + ">, expected <export>",
                     doc, "export");
  }
  ListFile file;
  file.format = "eu-xml";
  file.source_date = DatePart(Attr(root, "generationDate"));
  std::set<std::string> seen;
  auto where = [&](const pugi::xml_node& n) {
    return source + " line " + std::to_string(LineAt(xml, n.offset_debug())) + " <" + n.name() +
           ">";
  };
  auto refuse = [&](const pugi::xml_node& n, const std::string& message, const std::string& key,
                    Status::MessageArgs args = {}) {
    return Refused(where(n), message, key, std::move(args), source, LineAt(xml, n.offset_debug()));
  };
  for (auto node : root.children("sanctionEntity")) {
    Entity e;
    // The EU reference number (EU.27.28) where given, else the file's logical id.
    e.entity_id = Attr(node, "euReferenceNumber");
    if (e.entity_id.empty()) e.entity_id = Attr(node, "logicalId");
    if (e.entity_id.empty())
      return refuse(node, "no euReferenceNumber or logicalId", "no_id", {{"element", "euReferenceNumber"}});
    if (!seen.insert(e.entity_id).second) {
      return refuse(node, "entity " + e.entity_id + " appears twice", "id_twice", {{"id", e.entity_id}});
    }
    std::string subject = Attr(node.child("subjectType"), "code");
    std::string code = Attr(node.child("subjectType"), "classificationCode");
    e.kind =
        subject == "person" || code == "P" ? EntityKind::kIndividual : EntityKind::kOrganisation;
    for (auto alias : node.children("nameAlias")) {
      std::string name = Attr(alias, "wholeName");
      if (name.empty()) {
        for (const char* part : {"firstName", "middleName", "lastName"}) {
          std::string p = Attr(alias, part);
          if (!p.empty()) name += (name.empty() ? "" : " ") + p;
        }
      }
      if (name.empty()) continue;
      if (name.size() > kMaxNameBytes) {
        return refuse(alias, "a name of " + e.entity_id + " is longer than " + std::to_string(kMaxNameBytes) + " bytes",
                      "name_too_long", {{"id", e.entity_id}, {"#max", std::to_string(kMaxNameBytes)}});
      }
      // The first Latin name is the primary one; names in other scripts are originals; the
      // file marks aliases of low quality strong="false".
      std::string type = !LatinScript(name)                 ? "original"
                         : Attr(alias, "strong") == "false" ? "weak"
                                                            : "aka";
      e.names.push_back({name, type});
    }
    auto primary =
        std::find_if(e.names.begin(), e.names.end(), [](const Name& n) { return n.type == "aka"; });
    if (primary == e.names.end()) {
      primary = std::find_if(e.names.begin(), e.names.end(),
                             [](const Name& n) { return n.type != "original"; });
    }
    if (primary == e.names.end()) primary = e.names.begin();
    if (primary == e.names.end())
      return refuse(node, e.entity_id + " has no nameAlias with a name", "no_name", {{"id", e.entity_id}});
    std::rotate(e.names.begin(), primary, primary + 1);
    e.names[0].type = "primary";
    for (auto b : node.children("birthdate")) {
      std::string date = Attr(b, "birthdate");
      std::string year = Attr(b, "year");
      std::string from = Attr(b, "yearRangeFrom"), to = Attr(b, "yearRangeTo");
      if (!from.empty() && !to.empty())
        AddUnique(e.birth_dates, from + ".." + to);
      else
        AddUnique(e.birth_dates, !date.empty() ? DatePart(date) : year);
      AddUnique(e.countries, Attr(b, "countryIso2Code"));
    }
    for (auto c : node.children("citizenship")) AddUnique(e.countries, Attr(c, "countryIso2Code"));
    for (auto a : node.children("address")) AddUnique(e.countries, Attr(a, "countryIso2Code"));
    // "00" is the file's code for an unknown country.
    e.countries.erase(std::remove(e.countries.begin(), e.countries.end(), "00"), e.countries.end());
    for (auto d : node.children("identification")) {
      std::string number = Attr(d, "number");
      if (number.empty()) continue;
      std::string text = Attr(d, "identificationTypeDescription");
      if (text.empty()) text = Attr(d, "identificationTypeCode");
      text += (text.empty() ? "" : " ") + number;
      std::string issuer = Attr(d, "countryDescription");
      if (!issuer.empty() && issuer != "UNKNOWN") text += " (" + issuer + ")";
      AddUnique(e.identifiers, text);
    }
    for (auto r : node.children("regulation")) {
      AddUnique(e.programmes, Attr(r, "programme"));
      std::string published = Attr(r, "publicationDate");
      if (!published.empty() && (e.listed_on.empty() || published < e.listed_on))
        e.listed_on = published;
    }
    e.remarks = Trim(node.child("remark").text().as_string());
    file.entities.push_back(std::move(e));
  }
  if (file.entities.empty())
    return NoEntries(source, "the list has no <sanctionEntity> records");
  return file;
}

// --- OFAC SDN CSV -----------------------------------------------------------------------

namespace {

// OFAC writes "-0-" (with or without spaces) for an empty field.
std::string OfacField(const std::string& raw) {
  std::string v = Trim(raw);
  return v == "-0-" ? std::string() : v;
}

Result<std::vector<CsvRecord>> OfacRows(std::string_view bytes, const std::string& source,
                                        size_t min_fields) {
  if (bytes.size() > kMaxFileBytes) return TooLarge(source, bytes.size());
  std::string text = ToUtf8(bytes);
  // The files end with a Ctrl-Z line (an MS-DOS end-of-file marker).
  while (!text.empty() && (text.back() == '\x1a' || text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  CBRN_ASSIGN_OR_RETURN(std::vector<CsvRecord> rows, ParseCsv(text, source));
  std::vector<CsvRecord> out;
  for (auto& r : rows) {
    if (r.fields.size() == 1 && Trim(r.fields[0]).empty()) continue;
    if (r.fields.size() < min_fields) {
      return Refused(source + " line " + std::to_string(r.line),
                     "expected " + std::to_string(min_fields) + " fields, found " + std::to_string(r.fields.size()),
                     "field_count", {{"#expected", std::to_string(min_fields)}, {"#found", std::to_string(r.fields.size())}},
                     source, r.line);
    }
    out.push_back(std::move(r));
  }
  return out;
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int MonthNumber(const std::string& m) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  if (m.size() < 3) return 0;
  std::string l;
  for (int i = 0; i < 3; ++i)
    l += static_cast<char>(std::tolower(static_cast<unsigned char>(m[i])));
  for (int i = 0; i < 12; ++i) {
    if (l == kMonths[i]) return i + 1;
  }
  return 0;
}

// "10 Dec 1948" -> 1948-12-10; "1948" -> 1948; "circa 1960" -> 1960; "1960 to 1962" -> 1960..1962
std::string OfacDate(const std::string& text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) words.push_back(text.substr(i, j - i));
    i = j;
  }
  std::vector<std::string> years;
  for (const auto& w : words) {
    if (w.size() == 4 && AllDigits(w)) years.push_back(w);
  }
  if (years.empty()) return "";
  if (years.size() >= 2) return years.front() + ".." + years.back();
  if (words.size() >= 3 && AllDigits(words[0]) && words[0].size() <= 2 && MonthNumber(words[1]) &&
      words[2] == years[0]) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s-%02d-%02d", years[0].c_str(), MonthNumber(words[1]),
                  std::atoi(words[0].c_str()));
    return buf;
  }
  return years[0];
}

// Facts OFAC keeps in the remarks: "DOB 19 Jun 1951; POB Giza, Egypt; Passport 1084010 (Egypt)".
void ReadOfacRemarks(const std::string& remarks, Entity& e) {
  static const char* kIdPrefixes[] = {"Passport",
                                      "National ID No.",
                                      "Tax ID No.",
                                      "Registration ID",
                                      "Registration Number",
                                      "Identification Number",
                                      "Cedula No.",
                                      "D.N.I.",
                                      "NIT #",
                                      "SSN",
                                      "Company Number",
                                      "Business Registration Number",
                                      "Business Registration Document #",
                                      "Vessel Registration Identification",
                                      "Unified Social Credit Code (USCC)",
                                      "Personal ID Card",
                                      "Residency Number",
                                      "Birth Certificate Number",
                                      "Driver's License No.",
                                      "Commercial Registry Number",
                                      "Public Registration Number",
                                      "Kenyan ID No.",
                                      "Legal Entity Number",
                                      "Pasaporte",
                                      "C.U.R.P.",
                                      "R.F.C.",
                                      "RUC #",
                                      "MMSI",
                                      "IMO"};
  size_t start = 0;
  while (start < remarks.size()) {
    size_t end = remarks.find(';', start);
    if (end == std::string::npos) end = remarks.size();
    std::string part = Trim(std::string_view(remarks).substr(start, end - start));
    start = end + 1;
    if (part.rfind("alt. ", 0) == 0) part = part.substr(5);
    if (part.rfind("DOB ", 0) == 0) {
      AddUnique(e.birth_dates, OfacDate(part.substr(4)));
    } else if (part.rfind("nationality ", 0) == 0 || part.rfind("citizen ", 0) == 0) {
      std::string c = Trim(part.substr(part.find(' ') + 1));
      std::string code = CountryCode(c);
      AddUnique(e.countries, code.empty() ? c : code);
    } else {
      for (const char* prefix : kIdPrefixes) {
        size_t n = std::strlen(prefix);
        if (part.size() > n + 1 && part.compare(0, n, prefix) == 0 && part[n] == ' ') {
          AddUnique(e.identifiers, part);
          break;
        }
      }
    }
  }
}

}  // namespace

Result<ListFile> ParseOfacCsv(std::string_view sdn, std::string_view add, std::string_view alt,
                              const std::string& source) {
  ListFile file;
  file.format = "ofac-csv";
  CBRN_ASSIGN_OR_RETURN(auto rows, OfacRows(sdn, source + " (sdn)", 12));
  if (rows.empty()) return NoEntries(source, "the sdn file has no entries");
  std::unordered_map<std::string, size_t> by_id;
  for (const auto& r : rows) {
    std::string where = source + " (sdn) line " + std::to_string(r.line);
    auto refuse = [&](const std::string& message, const std::string& key, Status::MessageArgs args,
                      const std::string& column = "") {
      return Refused(where, message, key, std::move(args), source + " (sdn)", r.line, column);
    };
    Entity e;
    e.entity_id = Trim(r.fields[0]);
    if (!AllDigits(e.entity_id)) {
      return refuse("ent_num '" + e.entity_id.substr(0, 40) + "' is not a number", "not_a_number",
                    {{"value", e.entity_id.substr(0, 40)}}, "ent_num");
    }
    std::string name = Collapse(r.fields[1]);
    if (name.empty()) return refuse("entity " + e.entity_id + " has no name", "no_name", {{"id", e.entity_id}});
    if (name.size() > kMaxNameBytes) {
      return refuse("name longer than 1000 bytes", "name_too_long",
                    {{"id", e.entity_id}, {"#max", std::to_string(kMaxNameBytes)}});
    }
    e.names.push_back({name, "primary"});
    std::string type = OfacField(r.fields[2]);
    e.kind = type == "individual" ? EntityKind::kIndividual
             : type == "vessel"   ? EntityKind::kVessel
             : type == "aircraft" ? EntityKind::kAircraft
                                  : EntityKind::kOrganisation;
    std::string programmes = OfacField(r.fields[3]);
    size_t p = 0;
    while (p < programmes.size()) {
      size_t q = programmes.find("] [", p);
      if (q == std::string::npos) q = programmes.size();
      AddUnique(e.programmes, Trim(programmes.substr(p, q - p)));
      p = q + 3;
    }
    e.remarks = OfacField(r.fields[11]);
    ReadOfacRemarks(e.remarks, e);
    std::string flag = OfacField(r.fields[9]);
    if (!flag.empty()) {
      std::string code = CountryCode(flag);
      AddUnique(e.countries, code.empty() ? flag : code);
    }
    if (!by_id.emplace(e.entity_id, file.entities.size()).second) {
      return refuse("ent_num " + e.entity_id + " appears twice", "id_twice", {{"id", e.entity_id}}, "ent_num");
    }
    file.entities.push_back(std::move(e));
  }
  size_t orphans = 0;
  if (!alt.empty()) {
    CBRN_ASSIGN_OR_RETURN(auto alt_rows, OfacRows(alt, source + " (alt)", 4));
    for (const auto& r : alt_rows) {
      std::string id = Trim(r.fields[0]);
      if (!AllDigits(id)) {
        return Refused(source + " (alt) line " + std::to_string(r.line), "ent_num '" + id.substr(0, 40) + "' is not a number",
                       "not_a_number", {{"value", id.substr(0, 40)}}, source + " (alt)", r.line, "ent_num");
      }
      auto it = by_id.find(id);
      std::string name = Collapse(r.fields[3]);
      if (it == by_id.end()) {
        ++orphans;
        continue;
      }
      if (name.empty() || name.size() > kMaxNameBytes) continue;
      std::string type = OfacField(r.fields[2]);
      file.entities[it->second].names.push_back({name, type.empty() ? "aka" : type});
    }
  }
  if (!add.empty()) {
    CBRN_ASSIGN_OR_RETURN(auto add_rows, OfacRows(add, source + " (add)", 5));
    for (const auto& r : add_rows) {
      auto it = by_id.find(Trim(r.fields[0]));
      if (it == by_id.end()) continue;
      std::string c = OfacField(r.fields[4]);
      std::string code = CountryCode(c);
      AddUnique(file.entities[it->second].countries, code.empty() ? c : code);
    }
  }
  (void)orphans;  // aliases of later designations: expected when mirrors mix dates
  return file;
}

// --- Our CSV ---------------------------------------------------------------------------

Result<ListFile> ParseListCsv(std::string_view csv, const std::string& source) {
  if (csv.size() > kMaxFileBytes) return TooLarge(source, csv.size());
  std::string text = ToUtf8(csv);
  CBRN_ASSIGN_OR_RETURN(CsvTable table, CsvTable::Parse(text, source, {"id", "name"}));
  ListFile file;
  file.format = "csv";
  std::set<std::string> seen;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    size_t p = 0;
    while (p <= s.size()) {
      size_t q = s.find('|', p);
      if (q == std::string::npos) q = s.size();
      std::string v = Collapse(s.substr(p, q - p));
      if (!v.empty()) out.push_back(v);
      p = q + 1;
    }
    return out;
  };
  for (size_t i = 0; i < table.size(); ++i) {
    std::string where = source + " line " + std::to_string(table.line(i));
    // The field as the API has always named it ("n.csv line 3 field id"), the place for a page.
    auto refuse = [&](const std::string& column, const std::string& message, const std::string& key,
                      Status::MessageArgs args = {}) {
      return Refused(where + " field " + column, message, key, std::move(args), source, table.line(i), column);
    };
    Entity e;
    e.entity_id = Trim(table.Get(i, "id"));
    std::string name = Collapse(table.Get(i, "name"));
    if (e.entity_id.empty()) return refuse("id", "is empty", "empty");
    if (e.entity_id.size() > 100) return refuse("id", "longer than 100 bytes", "too_long", {{"#max", "100"}});
    if (name.empty()) return refuse("name", "is empty", "empty");
    if (name.size() > kMaxNameBytes) {
      return refuse("name", "longer than 1000 bytes", "too_long", {{"#max", std::to_string(kMaxNameBytes)}});
    }
    if (!seen.insert(e.entity_id).second) {
      return refuse("id", "'" + e.entity_id + "' appears twice", "id_twice", {{"id", e.entity_id}});
    }
    e.names.push_back({name, "primary"});
    for (const auto& a : split(table.Get(i, "aliases"))) {
      if (a.size() > kMaxNameBytes)
        return refuse("aliases", "an alias is longer than 1000 bytes", "too_long", {{"#max", std::to_string(kMaxNameBytes)}});
      e.names.push_back({a, "aka"});
    }
    std::string kind = Trim(table.Get(i, "kind"));
    if (kind.empty() || kind == "individual")
      e.kind = EntityKind::kIndividual;
    else if (kind == "organisation" || kind == "entity")
      e.kind = EntityKind::kOrganisation;
    else if (kind == "vessel")
      e.kind = EntityKind::kVessel;
    else if (kind == "aircraft")
      e.kind = EntityKind::kAircraft;
    else
      return refuse("kind", "'" + kind.substr(0, 40) + "' is not individual, organisation, vessel or aircraft",
                    "kind", {{"value", kind.substr(0, 40)}, {"values", "individual\norganisation\nvessel\naircraft"}});
    for (const auto& d : split(table.Get(i, "birth_dates"))) {
      bool ok = (d.size() == 4 && AllDigits(d)) ||
                (d.size() == 10 && AllDigits(d.substr(0, 4)) && d[4] == '-' && d[7] == '-') ||
                (d.size() == 10 && d.substr(4, 2) == ".." && AllDigits(d.substr(0, 4)) &&
                 AllDigits(d.substr(6)));
      if (!ok)
        return refuse("birth_dates", "'" + d.substr(0, 40) + "' is not YYYY, YYYY-MM-DD or YYYY..YYYY", "birth_date",
                      {{"value", d.substr(0, 40)}});
      AddUnique(e.birth_dates, d);
    }
    for (const auto& c : split(table.Get(i, "countries"))) {
      std::string code = c.size() == 2 ? c : CountryCode(c);
      if (code.empty())
        return refuse("countries", "'" + c.substr(0, 60) + "' is not a known country", "country", {{"value", c.substr(0, 60)}});
      AddUnique(e.countries, code);
    }
    e.identifiers = split(table.Get(i, "identifiers"));
    e.programmes = split(table.Get(i, "programmes"));
    e.listed_on = Trim(table.Get(i, "listed_on"));
    e.remarks = Trim(table.Get(i, "remarks"));
    file.entities.push_back(std::move(e));
  }
  if (file.entities.empty()) return NoEntries(source, "the list has no entries");
  return file;
}

}  // namespace cbrnhub::sanctions
