// Export control: sanctions-list editions, screening of parties with remembered decisions, the
// dual-use control list, and licence applications with their workflow.
//
// Everything here is owned by "exportctl:<ISO2>" (see access/access.h): only that country's
// licensing officers, reviewing agencies and customs see it. Sanctions lists themselves are
// public data shared by the installation.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "records/records.h"
#include "sanctions/sanctions.h"

namespace cbrnhub::exportctl {

using records::Caller;
using records::Json;

inline constexpr const char* kLicences = "licences";
inline constexpr const char* kLicenceItems = "licence_items";
inline constexpr const char* kLicenceOpinions = "licence_opinions";

// Adds licences, licence items and opinions to `catalog`.
void RegisterKinds(records::Catalog& catalog);

// A stored screening's scope (its country's export control, never shared), by which the mail
// sender decides again who hears of its hits (a notify::ScopeLookup for "screenings").
// NotFound when there is no such screening.
Result<access::RecordScope> ScreeningScope(storage::Transaction& txn, const std::string& kind,
                                           const std::string& id);

// The files of one list import. For OFAC, `main` is sdn.csv and add/alt its companions.
struct ListUpload {
  std::string list_code;  // "un", "ofac", or a national list such as "national-uz"
  std::string format;     // "un-xml", "eu-xml", "ofac-csv", "csv"
  std::string source_name;
  std::string main, add, alt;
};

// Parses a party file: header with id,name and optional country,birth_date,id_number.
// InvalidArgument naming the file, line and field of the first bad row.
Result<std::vector<sanctions::Party>> ParsePartiesCsv(std::string_view text, const std::string& source);

// The descriptions of one control-list entry.
struct ControlTexts {
  std::string category, title, text, parameters;
  bool operator==(const ControlTexts&) const = default;
};

// One language's rendering of the shipped control list (data/exportctl/control_list.<lang>.csv,
// columns code,category,title,text,parameters), by code, with the English each entry translates.
struct ControlTranslation {
  ControlTexts english, translated;
};
using ControlTranslations = std::map<std::string, ControlTranslation>;

// Checks a translation file against the English list it translates: every entry exactly once,
// no code the English lacks, no empty category, title or text, parameters exactly where the
// English has them. InvalidArgument naming the file, line and field of the first problem.
Result<ControlTranslations> ParseControlTranslation(std::string_view english_csv,
                                                    std::string_view translated_csv,
                                                    const std::string& source);

class Service {
 public:
  explicit Service(records::Store& store);
  ~Service();

  // --- Sanctions lists ---
  // Parses and stores a new edition in one transaction; the previous edition of the list stays
  // in force on any error. Re-importing identical content changes nothing ("unchanged": true).
  // After a new edition, open licences are re-screened. Admins and licensing officers.
  Result<Json> ImportList(const Caller& caller, const ListUpload& upload);
  // Editions, newest first (list_code "" for all).
  Result<Json> Editions(const Caller& caller, const std::string& list_code);
  // What an edition added, removed and changed against the one before it.
  Result<Json> EditionChanges(const Caller& caller, const std::string& edition_id, int limit, int offset);
  // The index over the editions in force (rebuilt when an import anywhere changes them).
  Result<std::shared_ptr<const sanctions::Index>> ActiveIndex();
  Result<Json> Entity(const Caller& caller, const std::string& list_code, const std::string& entity_id);
  // The entries of one edition, by primary name, whose names, identifiers or id contain every
  // word of `query` (all entries when it is empty): {"edition", "items", "total"}. Each item
  // has id, kind, primary_name, names, programmes. InvalidArgument on a bad limit/offset.
  Result<Json> EditionEntries(const Caller& caller, const std::string& edition_id,
                              const std::string& query, int limit, int offset);
  // One entry as `edition_id` listed it: every name, date, country, identifier and programme,
  // with the edition it belongs to ("edition"). NotFound when the edition does not list it.
  Result<Json> EditionEntry(const Caller& caller, const std::string& edition_id,
                            const std::string& entity_id);

  // --- Screening ---
  struct ScreenRequest {
    sanctions::Party party;
    double threshold = 0;  // 0: the default
    std::string licence_id;
    std::string source = "single";  // single, batch, rescreen, licence
  };
  // Screens and records the screening with its candidates; a candidate whose entry has an
  // earlier decision for the same party and an unchanged entry carries that decision.
  Result<Json> Screen(const Caller& caller, const ScreenRequest& request);
  // Screens many parties in one transaction (all recorded, or none).
  Result<Json> ScreenBatch(const Caller& caller, const std::vector<sanctions::Party>& parties, double threshold);
  // Re-screens the latest screening of every party the caller's country screened before.
  Result<Json> Rescreen(const Caller& caller);
  Result<Json> GetScreening(const Caller& caller, const std::string& id);
  Result<Json> ListScreenings(const Caller& caller, const std::string& status, int limit, int offset);
  // decision: true_match, false_positive (reason required), escalated.
  Result<Json> Decide(const Caller& caller, const std::string& screening_id, const std::string& list_code,
                      const std::string& entity_id, const std::string& decision, const std::string& reason);

  // --- Control list ---
  // CSV: code,category,title,text[,parameters,regime]. Replaces the list in one transaction.
  Result<Json> ImportControlList(const Caller& caller, std::string_view csv, const std::string& source);
  // Entries in `lang` where the shipped list's translation covers them (the entry's stored
  // English is the one translated), else in English; each item's "lang" says which. The query
  // matches the English texts and those in `lang`.
  Result<Json> SearchControlList(const Caller& caller, const std::string& query, int limit,
                                 const std::string& lang = "en");
  Result<Json> ControlItem(const Caller& caller, const std::string& code,
                           const std::string& lang = "en");
  // Loads the sample control list compiled into the binary when the table is empty.
  Result<int> SeedControlList(const Caller& caller);

  // --- Licences ---
  // to: submitted, under_review, granted, denied, withdrawn (see docs/screening.md).
  Result<Json> Transition(const Caller& caller, const std::string& licence_id, const std::string& to,
                          const std::string& note);
  Result<Json> AddOpinion(const Caller& caller, const std::string& licence_id, const Json& body);
  // A licence with its items (their control-list entries in `lang`, as SearchControlList),
  // opinions, screenings and `open_hits` (as OpenHits).
  Result<Json> LicenceDetail(const Caller& caller, const std::string& licence_id,
                             const std::string& lang = "en");
  // Hits left to decide on a licence the caller may read: those of each party's latest
  // screening.
  Result<std::int64_t> OpenHits(const Caller& caller, const std::string& licence_id);

 private:
  struct State;
  Result<Json> ScreenIn(storage::Transaction& txn, const Caller& caller, const sanctions::Index& index,
                        const ScreenRequest& request);
  Status RescreenOpenLicences(const Caller& caller);
  // Screens a licence's exporter, consignee and end user; returns its screening state.
  Result<std::string> ScreenLicenceParties(storage::Transaction& txn, const Caller& caller,
                                           const sanctions::Index& index, const Json& licence);
  // A licence's screening state as stored, a code pages show by its label: "clear" (no party
  // listed), "hits_open" (hits left to decide), "hits_decided"; "not_screened" before the first
  // screening. (Versions before these codes stored English: "clear", "hits decided", "<n> hits
  // to decide", "not screened"; pages read both.)
  static std::string ScreeningState(std::int64_t open, std::int64_t hits);
  // The entry `item` (code, category, title, text, parameters) in `lang` where the shipped
  // translation covers it; sets item["lang"].
  void LocalizeControlEntry(Json& item, const std::string& lang);
  // The shipped translations into `lang` (nullptr when none), loaded once.
  const ControlTranslations* ShippedTranslation(const std::string& lang);
  records::Store& store_;
  std::unique_ptr<State> state_;
};

}  // namespace cbrnhub::exportctl
