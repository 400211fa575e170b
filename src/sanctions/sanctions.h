// Sanctions lists and the name-matching engine that screens parties against them.
//
// Pure functions over text and memory: no database, no network. The persisted side (list
// editions, screenings, decisions, licences) lives in exportctl/.
//
//   parse    the UN Security Council consolidated list (XML), the EU consolidated financial
//            sanctions list (XML), the US OFAC SDN list (the CSV triple sdn/add/alt) and our own
//            CSV for national lists (docs/screening.md)
//   match    Index: names normalised and transliterated with ICU, candidates retrieved through an
//            inverted index of name tokens, scored with token similarities and secondary facts
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cbrnhub::sanctions {

using Json = nlohmann::json;

enum class EntityKind { kIndividual, kOrganisation, kVessel, kAircraft };
const char* EntityKindName(EntityKind kind);

struct Name {
  std::string text;
  // "primary", "aka", "fka", "nka", "weak" (a low-quality alias), "original" (original script)
  std::string type = "primary";
};

// One listed person, organisation, vessel or aircraft.
struct Entity {
  std::string entity_id;  // the list's own identifier: UN "QDi.335", OFAC "2676"
  EntityKind kind = EntityKind::kIndividual;
  std::vector<Name> names;               // names[0] is the primary name
  std::vector<std::string> birth_dates;  // "1951-06-19", "1951", "1960..1962"
  std::vector<std::string> countries;    // ISO 3166 alpha-2 where the list's name is known
  std::vector<std::string> identifiers;  // "Passport 1084010 (Egypt)"
  std::vector<std::string> programmes;   // "Al-Qaida", "SDGT"
  std::string listed_on;
  std::string remarks;

  Json ToJson() const;
  static Result<Entity> FromJson(const Json& j);
  // SHA-256 of the canonical JSON: equal fingerprints mean an unchanged entry.
  std::string Fingerprint() const;
};

struct ListFile {
  std::string format;       // "un-xml", "eu-xml", "ofac-csv", "csv"
  std::string source_date;  // the publication date given in the file, or ""
  std::vector<Entity> entities;
  size_t name_count() const;
};

// Importers. Each refuses the whole file with InvalidArgument naming `source` and the line (or
// element) of the first problem; nothing partial is returned. Entity ids must be unique.
Result<ListFile> ParseUnXml(std::string_view xml, const std::string& source);
// The EU consolidated financial sanctions list, XML export of the Financial Sanctions Database
// (root <export>; sanctionEntity with nameAlias, birthdate, citizenship, identification,
// regulation). Entity id = euReferenceNumber, else logicalId.
Result<ListFile> ParseEuXml(std::string_view xml, const std::string& source);
// `sdn` is required; `add` and `alt` may be empty (no addresses / no aliases). Latin-1 or UTF-8;
// "-0-" means empty; a trailing Ctrl-Z is ignored. Aliases of entities absent from `sdn` are
// skipped (the files are published together; mirrors may mix dates).
Result<ListFile> ParseOfacCsv(std::string_view sdn, std::string_view add, std::string_view alt,
                              const std::string& source);
// Our CSV for national lists: header with id,name and optional kind, aliases (separated by
// '|'), birth_dates, countries, identifiers, programmes, listed_on, remarks.
Result<ListFile> ParseListCsv(std::string_view csv, const std::string& source);

// The offset of the first byte that is not valid UTF-8, or std::string_view::npos.
size_t InvalidUtf8At(std::string_view bytes);

// Bytes as UTF-8: valid UTF-8 is kept; anything else is read as Windows-1252 (which the OFAC
// files and spreadsheets exported on Windows use).
std::string ToUtf8(std::string_view bytes);

// ISO 3166 alpha-2 code for an English country name as lists write it ("Russian Federation",
// "Iran (Islamic Republic of)", "Korea, North"), or "" when unknown.
std::string CountryCode(std::string_view english_name);

// --- Matching ---------------------------------------------------------------------------

// A party to screen. Only `name` is required.
struct Party {
  std::string id;
  std::string name;
  std::string country;     // ISO 3166 alpha-2
  std::string birth_date;  // YYYY-MM-DD or YYYY
  std::string id_number;   // passport, national id, registration number
};
// InvalidArgument (with the field) for an empty or oversized name or malformed facts.
Status Validate(const Party& party);

// Why a candidate was found, as data (matcher.cc); explanation() words it as JSON.
struct Explanation;

// A list entity found for a party.
struct Candidate {
  size_t list = 0;           // index into the lists the Index was built from
  size_t entity = 0;         // index into that list's entities
  size_t name = 0;           // which of the entity's names matched best
  double score = 0;          // in [0,1]: name similarity adjusted by secondary facts
  double name_score = 0;     // name similarity alone
  Json explanation() const;  // see docs/screening.md
  // Kept as data until explanation() is asked for: a batch screens thousands of names and most
  // explanations are never read.
  std::shared_ptr<const Explanation> detail;
};

struct ScreenOptions {
  double threshold = 0.0;  // 0 = DefaultThreshold()
  int limit = 10;          // best candidates kept
  // Score every listed name instead of the names retrieval finds: for tests and evaluation of
  // retrieval (much slower).
  bool exhaustive = false;
  // Score every retrieved name in full, also those whose score bound cannot reach the
  // threshold: for tests that the bound leaves the candidates as they are.
  bool full_scoring = false;
};

// The threshold at which a candidate is reported (measured by bench/screening).
double DefaultThreshold();

class Index {
 public:
  struct Source {
    std::string list_code;  // "un", "ofac", "national-uz"
    std::shared_ptr<const ListFile> file;
  };
  explicit Index(std::vector<Source> sources);
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Candidates at or above the threshold, best first. Thread-safe.
  std::vector<Candidate> Screen(const Party& party, const ScreenOptions& options = {}) const;
  // The score of one party against one given name (no retrieval): for evaluation and tests.
  Candidate ScoreAgainst(const Party& party, const std::string& listed_name) const;

  const std::vector<Source>& sources() const { return sources_; }
  const Entity& entity(const Candidate& c) const {
    return sources_[c.list].file->entities[c.entity];
  }
  size_t entity_count() const;
  size_t name_count() const;
  size_t token_count() const;
  // Retrieval remembers the similar name parts it found, for all threads (docs/screening.md):
  // this forgets them, so that a benchmark can measure a batch with nothing remembered.
  void ForgetRetrieved() const;

 private:
  struct Impl;
  std::vector<Source> sources_;
  std::unique_ptr<Impl> impl_;
};

// Name normalisation as the matcher sees it: transliterated to lower-case ASCII, punctuation
// removed, honorifics and company forms dropped. For explanations and tests.
std::vector<std::string> NameTokens(std::string_view name);

}  // namespace cbrnhub::sanctions
