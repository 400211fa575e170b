// The licence workflow: draft -> submitted -> under_review -> granted / denied, or withdrawn.
// Submitting screens the exporter, consignee and end user; every new list edition screens the
// parties of open licences again.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "audit/audit.h"
#include "notify/notify.h"
#include "core/ids.h"
#include "exportctl/exportctl.h"

namespace cbrnhub::exportctl {
namespace {

using storage::Access;
using storage::Rows;

struct Step {
  const char* from;
  const char* to;
};
constexpr Step kSteps[] = {
    {"draft", "submitted"},          {"submitted", "under_review"}, {"under_review", "granted"},
    {"under_review", "denied"},      {"draft", "withdrawn"},        {"submitted", "withdrawn"},
    {"under_review", "withdrawn"},
};

bool Allowed(const std::string& from, const std::string& to) {
  return std::any_of(std::begin(kSteps), std::end(kSteps),
                     [&](const Step& s) { return from == s.from && to == s.to; });
}

bool IsOpen(const std::string& status) { return status == "submitted" || status == "under_review"; }

}  // namespace

std::string Service::ScreeningState(std::int64_t open, std::int64_t hits) {
  return open > 0 ? "hits_open" : hits > 0 ? "hits_decided" : "clear";
}

Result<std::string> Service::ScreenLicenceParties(storage::Transaction& txn, const Caller& caller,
                                                  const sanctions::Index& index, const Json& licence) {
  std::int64_t open = 0, hits = 0;
  for (const char* role : {"exporter", "consignee", "end_user"}) {
    const Json& name = licence[role];
    if (!name.is_string() || name.get<std::string>().empty()) continue;
    ScreenRequest req;
    req.party.id = role;
    req.party.name = name;
    const Json& country = licence[std::string(role) + "_country"];
    if (country.is_string()) req.party.country = country;
    req.licence_id = licence["id"];
    req.source = "licence";
    CBRN_ASSIGN_OR_RETURN(Json s, ScreenIn(txn, caller, index, req));
    open += s["open_count"].get<std::int64_t>();
    hits += s["hit_count"].get<std::int64_t>();
  }
  return ScreeningState(open, hits);
}

Status Service::RescreenOpenLicences(const Caller& caller) {
  CBRN_ASSIGN_OR_RETURN(auto index, ActiveIndex());
  if (index->sources().empty()) return Status::Ok();
  const records::KindSpec* kind = store_.catalog().Find(kLicences);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Rows rows, txn->Query("SELECT id FROM licences WHERE status IN ('submitted', 'under_review')"
                                              " AND deleted_at IS NULL"));
  records::Caller system{access::Principal::System("rescreen"), caller.remote_addr};
  for (const auto& r : rows) {
    CBRN_ASSIGN_OR_RETURN(Json licence, store_.GetIn(*txn, system, *kind, r.Text(0)));
    CBRN_ASSIGN_OR_RETURN(std::string status, ScreenLicenceParties(*txn, system, *index, licence));
    CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE licences SET screening_status = ? WHERE id = ?", {status, r.Text(0)}).status());
  }
  return txn->Commit();
}

Result<Json> Service::Transition(const Caller& caller, const std::string& licence_id, const std::string& to,
                                 const std::string& note) {
  const records::KindSpec* kind = store_.catalog().Find(kLicences);
  if (note.size() > 4000) return Status::Invalid("note", "longer than 4000 bytes");
  CBRN_ASSIGN_OR_RETURN(auto index, ActiveIndex());
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json before, store_.GetIn(*txn, caller, *kind, licence_id));
  CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kSubmit, kind->ScopeOf(before)));
  std::string from = before["status"];
  if (!Allowed(from, to)) {
    return Status::Invalid("to", "a licence that is " + from + " cannot become " + to).Says("invalid.licence_transition", {{"from@licences.state.", from}, {"to@licences.state.", to}});
  }
  std::string id = before["id"];
  if (to == "submitted") {
    CBRN_ASSIGN_OR_RETURN(Rows items, txn->Query("SELECT control_code, quantity, description FROM licence_items"
                                                 " WHERE licence_id = ? AND deleted_at IS NULL",
                                                 {id}));
    if (items.empty()) return Status::Invalid("items", "add at least one item before submitting").Says("invalid.licence_needs_item");
    for (const auto& it : items) {
      if (it.Int(1) <= 0) return Status::Invalid("items", "item '" + it.Text(2) + "' needs a quantity above zero").Says("invalid.item_quantity", {{"value", it.Text(2)}});
      if (it.Text(0).empty()) continue;
      CBRN_ASSIGN_OR_RETURN(Rows c, txn->Query("SELECT count(*) FROM control_items WHERE code = ?", {it.Text(0)}));
      if (c[0].Int(0) == 0) {
        return Status::Invalid("items", "item '" + it.Text(2) + "': " + it.Text(0) + " is not on the control list").Says("invalid.item_not_controlled", {{"value", it.Text(2)}, {"code", it.Text(0)}});
      }
    }
    if (index->sources().empty()) {
      return Status::Unavailable("no sanctions list is loaded: the parties cannot be screened");
    }
  }
  std::string screening_status = before["screening_status"];
  if (to == "submitted") {
    CBRN_ASSIGN_OR_RETURN(screening_status, ScreenLicenceParties(*txn, caller, *index, before));
  }
  if (to == "granted") {
    // A licence is not granted while a party's hit is undecided or confirmed.
    CBRN_ASSIGN_OR_RETURN(Rows s, txn->Query("SELECT results_json FROM screenings s WHERE licence_id = ?"
                                             " AND created_at = (SELECT max(created_at) FROM screenings t"
                                             " WHERE t.licence_id = s.licence_id AND t.party_key = s.party_key)",
                                             {id}));
    for (const auto& r : s) {
      for (const auto& hit : Json::parse(r.Text(0))) {
        if (!hit.contains("decision")) {
          return Status::Conflict("a screening hit (" + hit["list"].get<std::string>() + " " +
                                  hit["entity_id"].get<std::string>() + ") is not decided yet").Says("conflict.licence_hit_open", {{"value", hit["list"].get<std::string>() + " " + hit["entity_id"].get<std::string>()}});
        }
        std::string d = hit["decision"]["decision"];
        if (d != "false_positive") {
          return Status::Conflict("a party matches " + hit["list"].get<std::string>() + " " +
                                  hit["entity_id"].get<std::string>() + " (" + d + "): the licence cannot be granted").Says("conflict.licence_party_listed", {{"value", hit["list"].get<std::string>() + " " + hit["entity_id"].get<std::string>()}, {"decision@decision.", d}});
        }
      }
    }
  }
  std::string now = NowUtc();
  CBRN_RETURN_IF_ERROR(txn->Exec("UPDATE licences SET status = ?, screening_status = ?, decision_note = ?,"
                                 " revision = revision + 1, updated_at = ?, updated_by = ? WHERE id = ?",
                                 {to, screening_status, note.empty() ? before["decision_note"].get<std::string>() : note,
                                  now, caller.who.audit_id(), id})
                           .status());
  records::Caller reader = caller;
  CBRN_ASSIGN_OR_RETURN(Json after, store_.GetIn(*txn, reader, *kind, id));
  CBRN_RETURN_IF_ERROR(audit::Append(*txn, caller.actor(),
                                     {"transition:" + to, kLicences, id, after["owner"], before.dump(), after.dump()}));
  if (to == "under_review") {
    // Waiting for opinions: the country's reviewing agencies hear of it (access decides who).
    notify::Event event{notify::kLicenceOpinionWanted, kLicences, id, kind->ScopeOf(after), access::Action::kReview,
                        after["reference"].get<std::string>(), "/licences/" + id, caller.who.user_id};
    CBRN_RETURN_IF_ERROR(notify::Enqueue(*txn, event).status());
  }
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return after;
}

Result<Json> Service::AddOpinion(const Caller& caller, const std::string& licence_id, const Json& body) {
  const records::KindSpec* kind = store_.catalog().Find(kLicences);
  const records::KindSpec* opinions = store_.catalog().Find(kLicenceOpinions);
  if (!body.is_object()) return Status::Invalid("", "the request body must be a JSON object");
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kWrite));
  CBRN_ASSIGN_OR_RETURN(Json licence, store_.GetIn(*txn, caller, *kind, licence_id));
  CBRN_RETURN_IF_ERROR(access::Require(caller.who, access::Action::kReview, kind->ScopeOf(licence)));
  if (licence["status"] != "under_review") {
    return Status::Invalid("status", "opinions are given while the licence is under review (it is " +
                                         licence["status"].get<std::string>() + ")");
  }
  Json fields = body;
  fields["licence_id"] = licence["id"];
  // Granted above as a review of the licence (a reviewing agency creates no other records).
  CBRN_ASSIGN_OR_RETURN(Json created, store_.CreateGrantedIn(*txn, caller, *opinions, fields));
  CBRN_RETURN_IF_ERROR(txn->Commit());
  return created;
}

namespace {

Result<std::int64_t> OpenHitsIn(storage::Transaction& txn, const std::string& licence_id) {
  CBRN_ASSIGN_OR_RETURN(Rows s, txn.Query("SELECT party_id, open_count FROM screenings WHERE licence_id = ?"
                                          " ORDER BY created_at DESC",
                                          {licence_id}));
  std::set<std::string> parties;
  std::int64_t open = 0;
  for (const auto& r : s) {
    if (parties.insert(r.Text(0)).second) open += r.Int(1);
  }
  return open;
}

}  // namespace

Result<std::int64_t> Service::OpenHits(const Caller& caller, const std::string& licence_id) {
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json licence, store_.GetIn(*txn, caller, *store_.catalog().Find(kLicences), licence_id));
  return OpenHitsIn(*txn, licence["id"].get<std::string>());
}

Result<Json> Service::LicenceDetail(const Caller& caller, const std::string& licence_id,
                                    const std::string& lang) {
  const records::KindSpec* kind = store_.catalog().Find(kLicences);
  CBRN_ASSIGN_OR_RETURN(auto txn, store_.database().Begin(Access::kRead));
  CBRN_ASSIGN_OR_RETURN(Json licence, store_.GetIn(*txn, caller, *kind, licence_id));
  std::string id = licence["id"];
  records::ListQuery q;
  q.filters["licence_id"] = id;
  q.limit = 500;
  CBRN_ASSIGN_OR_RETURN(records::Page items, store_.ListIn(*txn, caller, *store_.catalog().Find(kLicenceItems), q));
  for (auto& item : items.items) {
    std::string code = item["control_code"].is_string() ? item["control_code"].get<std::string>() : "";
    if (code.empty()) continue;
    CBRN_ASSIGN_OR_RETURN(
        Rows c,
        txn->Query("SELECT category, title, text, parameters FROM control_items WHERE code = ?",
                   {code}));
    if (c.empty()) {
      item["control_entry"] = nullptr;
      continue;
    }
    Json entry = {{"code", code},
                  {"category", c[0].Text(0)},
                  {"title", c[0].Text(1)},
                  {"text", c[0].Text(2)},
                  {"parameters", c[0].Text(3)}};
    LocalizeControlEntry(entry, lang);
    item["control_entry"] = {
        {"title", entry["title"]}, {"category", entry["category"]}, {"lang", entry["lang"]}};
  }
  CBRN_ASSIGN_OR_RETURN(records::Page opinions, store_.ListIn(*txn, caller, *store_.catalog().Find(kLicenceOpinions), q));
  CBRN_ASSIGN_OR_RETURN(Rows s, txn->Query("SELECT id, party_id, party_name, hit_count, open_count, created_at FROM screenings"
                                           " WHERE licence_id = ? ORDER BY created_at DESC LIMIT 30",
                                           {id}));
  Json screenings = Json::array();
  for (const auto& r : s) {
    screenings.push_back({{"id", r.Text(0)}, {"party_id", r.Text(1)}, {"party_name", r.Text(2)},
                          {"hit_count", r.Int(3)}, {"open_count", r.Int(4)}, {"created_at", r.Text(5)}});
  }
  // The workflow steps and the opinion form are offered to those access:: lets take them.
  const access::RecordScope scope = kind->ScopeOf(licence);
  Json next = Json::array();
  if (access::Allows(caller.who, access::Action::kSubmit, scope)) {
    for (const auto& st : kSteps) {
      if (licence["status"] == st.from) next.push_back(st.to);
    }
  }
  CBRN_ASSIGN_OR_RETURN(std::int64_t open_hits, OpenHitsIn(*txn, id));
  return Json{{"licence", licence}, {"items", items.items}, {"opinions", opinions.items},
              {"screenings", screenings}, {"open_hits", open_hits}, {"next", next}, {"open", IsOpen(licence["status"])},
              {"may_review", access::Allows(caller.who, access::Action::kReview, scope)}};
}

}  // namespace cbrnhub::exportctl
