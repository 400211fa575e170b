// The access rule, decided once: for every principal of the demo's kinds, every owner, sharing
// level, policy, workflow state and assignment, and every action, access::Decide must give the
// answer of the rule written out below in words (per owner, not per grant as the code is), and
// the SQL visibility filter must select exactly the rows CanRead accepts, on both backends.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>

#include "access/access.h"
#include "test_support.h"

namespace cbrnhub::testing {
namespace {

using access::Action;
using access::Policy;
using access::Principal;
using access::RecordScope;
using access::Role;
using access::Sharing;

struct Person {
  std::string name;
  Principal who;
};

Principal Make(const std::string& id, Role role, std::string country, std::string region,
               std::vector<std::string> related) {
  Principal p;
  p.user_id = id;
  p.role = role;
  p.country = std::move(country);
  p.region = std::move(region);
  p.related = std::move(related);
  return p;
}

// UZ and KZ are in Central Asia (CA), GE in South East and Eastern Europe (SEEE).
std::vector<Person> People() {
  return {{"admin", Make("u-admin", Role::kAdmin, "", "", {})},
          {"auditor", Make("u-aud", Role::kAuditor, "", "", {})},
          {"programme", Make("u-prog", Role::kProgramme, "", "", {})},
          {"observer", Make("u-obs", Role::kObserver, "", "", {})},
          {"secretariat.ca", Make("u-sca", Role::kSecretariat, "", "CA", {"UZ", "KZ"})},
          {"secretariat.seee", Make("u-sse", Role::kSecretariat, "", "SEEE", {"GE"})},
          {"nfp.uz", Make("u-nuz", Role::kNfp, "UZ", "", {"CA"})},
          {"team.uz", Make("u-tuz", Role::kTeam, "UZ", "", {"CA"})},
          {"licensing.uz", Make("u-luz", Role::kLicensingOfficer, "UZ", "", {"CA"})},
          {"reviewer.uz", Make("u-ruz", Role::kReviewingAgency, "UZ", "", {"CA"})},
          {"customs.uz", Make("u-cuz", Role::kCustoms, "UZ", "", {"CA"})},
          {"nfp.ge", Make("u-nge", Role::kNfp, "GE", "", {"SEEE"})},
          {"team.ge", Make("u-tge", Role::kTeam, "GE", "", {"SEEE"})},
          {"licensing.ge", Make("u-lge", Role::kLicensingOfficer, "GE", "", {"SEEE"})},
          {"nobody", Principal::Anonymous()}};
}

const std::map<std::string, std::string> kRegionOf = {{"UZ", "CA"}, {"KZ", "CA"}, {"GE", "SEEE"}};

std::pair<std::string, std::string> Split(const std::string& scope) {
  auto colon = scope.find(':');
  return colon == std::string::npos ? std::make_pair(scope, std::string())
                                    : std::make_pair(scope.substr(0, colon), scope.substr(colon + 1));
}

bool Is(const Principal& p, Role r) { return p.role == r; }
bool InCountry(const Principal& p, const std::string& iso) {
  return !p.country.empty() && p.country == iso && !Is(p, Role::kSecretariat);
}
bool ExportSide(const Principal& p) {
  return Is(p, Role::kLicensingOfficer) || Is(p, Role::kReviewingAgency) || Is(p, Role::kCustoms);
}

// The rule in words, owner by owner (docs/access.md says the same in a table).
bool ExpectedRead(const Principal& p, const RecordScope& r) {
  if (!p.authenticated()) return false;
  if (Is(p, Role::kAdmin) || Is(p, Role::kAuditor)) return true;
  auto [kind, id] = Split(r.owner_scope);
  if (kind == "exportctl") return ExportSide(p) && p.country == id;  // never shared, never published
  if (r.sharing == Sharing::kPublished) return true;
  // A project reaches its participating countries once shared beyond its owner.
  if (r.sharing >= Sharing::kRegion && InCountry(p, p.country) &&
      std::find(r.participants.begin(), r.participants.end(), p.country) != r.participants.end()) {
    return true;
  }
  bool to_region = r.sharing >= Sharing::kRegion, to_network = r.sharing >= Sharing::kNetwork;
  if (kind == "country") {
    if (InCountry(p, id)) return true;
    if (Is(p, Role::kSecretariat) && to_region && kRegionOf.at(id) == p.region) return true;
    return Is(p, Role::kProgramme) && to_network;
  }
  if (kind == "region") {
    if (Is(p, Role::kSecretariat)) return p.region == id;
    if (!p.country.empty() && to_region && kRegionOf.at(p.country) == id) return true;
    return Is(p, Role::kProgramme) && to_network;
  }
  if (kind == "network") return Is(p, Role::kProgramme);
  return false;
}

bool ExpectedDecision(const Principal& p, Action a, const RecordScope& r) {
  if (a == Action::kRead) return ExpectedRead(p, r);
  if (!p.authenticated() || Is(p, Role::kAuditor) || Is(p, Role::kObserver)) return false;
  bool admin = Is(p, Role::kAdmin);
  auto [kind, id] = Split(r.owner_scope);
  if (kind == "exportctl") {
    bool officer = admin || (Is(p, Role::kLicensingOfficer) && p.country == id);
    switch (a) {
      case Action::kReview: return officer || (Is(p, Role::kReviewingAgency) && p.country == id);
      case Action::kScreen: return officer || (Is(p, Role::kCustoms) && p.country == id);
      case Action::kShare: case Action::kAnswer: return false;
      default: return officer;
    }
  }
  if (r.policy == Policy::kAssessment) {
    bool nfp = admin || (Is(p, Role::kNfp) && p.country == id);
    bool open = r.state == "draft" || r.state == "returned";
    switch (a) {
      case Action::kCreate: case Action::kChange: case Action::kShare: case Action::kAssign: return nfp;
      case Action::kAnswer: return open && (nfp || (Is(p, Role::kTeam) && p.country == id));
      case Action::kSubmit: return open && nfp;
      case Action::kReview:
        return r.state == "submitted" && (admin || (Is(p, Role::kSecretariat) && kRegionOf.at(id) == p.region));
      default: return false;
    }
  }
  if (r.policy == Policy::kPlan) {
    bool decider = admin || (kind == "country" && Is(p, Role::kNfp) && p.country == id) ||
                   (kind == "region" && Is(p, Role::kSecretariat) && p.region == id);
    bool assigned = kind == "country" && InCountry(p, id) && !ExportSide(p) && !r.assigned_to.empty() &&
                    r.assigned_to == p.user_id;
    switch (a) {
      case Action::kCreate: case Action::kChange: return decider || assigned;
      case Action::kShare: case Action::kAssign: case Action::kSubmit: return decider;
      default: return false;
    }
  }
  // Ordinary records.
  bool owner_writer = admin || (kind == "country" && (Is(p, Role::kNfp) || Is(p, Role::kLicensingOfficer)) &&
                                p.country == id) ||
                      (kind == "region" && Is(p, Role::kSecretariat) && p.region == id) ||
                      (kind == "network" && Is(p, Role::kProgramme));
  bool decider = admin || (kind == "country" && Is(p, Role::kNfp) && p.country == id) ||
                 (kind == "region" && Is(p, Role::kSecretariat) && p.region == id) ||
                 (kind == "network" && Is(p, Role::kProgramme));
  switch (a) {
    case Action::kCreate: return owner_writer;
    case Action::kChange:
      return owner_writer || (kind == "country" && InCountry(p, id) && !r.assigned_to.empty() &&
                              r.assigned_to == p.user_id);
    case Action::kShare: case Action::kAssign: return decider;
    default: return false;
  }
}

std::vector<RecordScope> AllRecords() {
  std::vector<RecordScope> out;
  const Sharing levels[] = {Sharing::kPrivate, Sharing::kRegion, Sharing::kNetwork, Sharing::kPublished};
  for (std::string owner : {"network", "region:CA", "region:SEEE", "country:UZ", "country:KZ", "country:GE",
                            "exportctl:UZ", "exportctl:GE"}) {
    for (Sharing s : levels) {
      for (std::string assigned : {"", "u-tuz", "u-ruz"}) {
        bool exportctl = owner.rfind("exportctl:", 0) == 0;
        out.push_back({owner, s, assigned, exportctl ? Policy::kExportControl : Policy::kRecord, ""});
        if (owner.rfind("country:", 0) == 0) {
          for (std::string state : {"draft", "submitted", "returned", "validated"}) {
            out.push_back({owner, s, assigned, Policy::kAssessment, state});
          }
        }
        if (!exportctl && owner != "network") {
          out.push_back({owner, s, assigned, Policy::kPlan, "draft"});
          // A project with participating countries (one of another region).
          out.push_back({owner, s, assigned, Policy::kPlan, "idea", {"KZ", "GE"}});
        }
      }
    }
  }
  return out;
}

std::string Describe(const std::string& who, Action a, const RecordScope& r) {
  return who + " " + access::ActionName(a) + " " + r.owner_scope + "/" + access::SharingName(r.sharing) +
         (r.policy == Policy::kAssessment ? " assessment " + r.state : "") +
         (r.assigned_to.empty() ? "" : " assigned " + r.assigned_to);
}

TEST(AccessDecision, EveryPrincipalActionAndRecordFollowsTheRule) {
  int checked = 0, allowed = 0;
  for (const auto& person : People()) {
    for (const auto& record : AllRecords()) {
      for (Action action : access::AllActions()) {
        bool expected = ExpectedDecision(person.who, action, record);
        access::Verdict got = access::Decide(person.who, action, record);
        EXPECT_EQ(got.allowed, expected) << Describe(person.name, action, record) << ": " << got.reason;
        if (!got.allowed) EXPECT_FALSE(got.reason.empty()) << Describe(person.name, action, record);
        ++checked;
        allowed += got.allowed;
      }
    }
  }
  // The table is not vacuous: both answers occur often.
  EXPECT_GT(checked, 10000);
  EXPECT_GT(allowed, 1000);
  EXPECT_GT(checked - allowed, 1000);
}

TEST(AccessDecision, SharingFollowsTheAssessmentWorkflowAndNeverExportControl) {
  Principal nfp = Make("u-nuz", Role::kNfp, "UZ", "", {"CA"});
  Principal admin = Make("u-admin", Role::kAdmin, "", "", {});
  auto assessment = [](const std::string& state) {
    return RecordScope{"country:UZ", Sharing::kPrivate, "", Policy::kAssessment, state};
  };
  for (Sharing to : {Sharing::kRegion, Sharing::kNetwork, Sharing::kPublished}) {
    EXPECT_FALSE(access::DecideSharing(nfp, assessment("draft"), to)) << access::SharingName(to);
    EXPECT_FALSE(access::DecideSharing(admin, assessment("draft"), to)) << "not even an administrator";
  }
  EXPECT_TRUE(access::DecideSharing(nfp, assessment("returned"), Sharing::kRegion));
  EXPECT_FALSE(access::DecideSharing(nfp, assessment("returned"), Sharing::kNetwork));
  EXPECT_FALSE(access::DecideSharing(nfp, assessment("submitted"), Sharing::kPrivate));
  EXPECT_FALSE(access::DecideSharing(nfp, assessment("submitted"), Sharing::kNetwork));
  EXPECT_TRUE(access::DecideSharing(nfp, assessment("validated"), Sharing::kNetwork));
  EXPECT_TRUE(access::DecideSharing(nfp, assessment("validated"), Sharing::kPublished));
  EXPECT_FALSE(access::DecideSharing(Make("u-nge", Role::kNfp, "GE", "", {}), assessment("validated"),
                                     Sharing::kNetwork));
  RecordScope licence{"exportctl:UZ", Sharing::kPrivate, "", Policy::kExportControl, "draft"};
  for (Sharing to : {Sharing::kRegion, Sharing::kNetwork, Sharing::kPublished}) {
    EXPECT_FALSE(access::DecideSharing(admin, licence, to));
    EXPECT_FALSE(access::DecideSharing(Make("u-luz", Role::kLicensingOfficer, "UZ", "", {}), licence, to));
  }
  EXPECT_TRUE(access::SharingLevels(admin, licence).empty());
  // An ordinary record: any level, by its owner's decider.
  RecordScope person{"country:UZ", Sharing::kPrivate, "", Policy::kRecord, ""};
  EXPECT_EQ(access::SharingLevels(nfp, person).size(), 4u);
  EXPECT_TRUE(access::SharingLevels(Make("u-tuz", Role::kTeam, "UZ", "", {}), person).empty());
}

TEST(AccessDecision, AssignmentStaysWithinTheOwner) {
  Principal nfp = Make("u-nuz", Role::kNfp, "UZ", "", {"CA"});
  RecordScope person{"country:UZ", Sharing::kPrivate, "", Policy::kRecord, ""};
  EXPECT_TRUE(access::MayAssignTo(nfp, person, Make("u-tuz", Role::kTeam, "UZ", "", {})));
  EXPECT_FALSE(access::MayAssignTo(nfp, person, Make("u-tge", Role::kTeam, "GE", "", {})));
  EXPECT_FALSE(access::MayAssignTo(nfp, person, Make("u-sca", Role::kSecretariat, "", "CA", {"UZ"})));
  EXPECT_FALSE(access::MayAssignTo(nfp, person, Make("u-prog", Role::kProgramme, "", "", {})));
  RecordScope regional{"region:CA", Sharing::kPrivate, "", Policy::kRecord, ""};
  Principal sec = Make("u-sca", Role::kSecretariat, "", "CA", {"UZ"});
  EXPECT_TRUE(access::MayAssignTo(sec, regional, Make("u-sca2", Role::kSecretariat, "", "CA", {})));
  EXPECT_FALSE(access::MayAssignTo(sec, regional, Make("u-sse", Role::kSecretariat, "", "SEEE", {})));
  EXPECT_FALSE(access::MayAssignTo(sec, regional, Make("u-nuz", Role::kNfp, "UZ", "", {})));
}

// The SQL filter and CanRead come from the same grants; this checks they select the same rows
// in a real database of each backend, with and without a sharing column.
class AccessFilterTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    SKIP_UNLESS_BACKEND(GetParam());
    t_ = TestDatabase::Create(GetParam(), false);
    ASSERT_TRUE(t_);
  }
  std::unique_ptr<TestDatabase> t_;
};

TEST_P(AccessFilterTest, SqlFilterSelectsExactlyWhatCanReadAccepts) {
  std::vector<RecordScope> rows;
  for (const auto& r : AllRecords()) {
    if (r.assigned_to.empty() && (r.state.empty() || r.policy == Policy::kPlan)) rows.push_back(r);
  }
  {
    auto txn = t_->db().Begin(storage::Access::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->Exec("CREATE TABLE t (id BIGINT PRIMARY KEY, owner_scope TEXT NOT NULL, sharing TEXT NOT NULL, participants TEXT)").ok());
    for (size_t i = 0; i < rows.size(); ++i) {
      std::string participants;
      for (const auto& c : rows[i].participants) participants += (participants.empty() ? "" : ",") + c;
      ASSERT_TRUE((*txn)->Exec("INSERT INTO t VALUES (?, ?, ?, ?)",
                               {static_cast<std::int64_t>(i), rows[i].owner_scope,
                                std::string(access::SharingName(rows[i].sharing)), participants})
                      .ok());
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto txn = t_->db().Begin(storage::Access::kRead);
  ASSERT_TRUE(txn.ok());
  for (const auto& person : People()) {
    for (bool with_sharing : {true, false}) {
      access::SqlFilter f = access::VisibilityFilter(person.who, with_sharing ? "sharing" : nullptr, "participants");
      storage::Params params(f.params.begin(), f.params.end());
      auto got = (*txn)->Query("SELECT id FROM t WHERE " + f.sql + " ORDER BY id", params);
      ASSERT_TRUE(got.ok()) << got.status().message() << " in " << f.sql;
      std::set<std::int64_t> selected;
      for (const auto& r : *got) selected.insert(r.Int(0));
      for (size_t i = 0; i < rows.size(); ++i) {
        RecordScope r = rows[i];
        if (!with_sharing) r.sharing = Sharing::kPrivate;  // a table without sharing: all private
        bool expected = access::CanRead(person.who, r);
        EXPECT_EQ(selected.count(static_cast<std::int64_t>(i)) > 0, expected)
            << person.name << (with_sharing ? "" : " (no sharing column)") << " " << r.owner_scope << "/"
            << access::SharingName(rows[i].sharing);
        EXPECT_EQ(expected, ExpectedRead(person.who, r)) << person.name << " " << r.owner_scope;
      }
    }
  }
}

INSTANTIATE_BACKENDS(AccessFilterTest);

// docs/access.md's decision table, row by row, against the code: the page a focal point reads
// is the rule that runs.
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  size_t pos = 1;
  while (pos < line.size()) {
    size_t bar = line.find('|', pos);
    if (bar == std::string::npos) break;
    std::string cell = line.substr(pos, bar - pos);
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    cells.push_back(cell);
    pos = bar + 1;
  }
  return cells;
}

TEST(AccessDecision, DocumentedTableMatchesTheCode) {
  std::string doc = ReadFile(std::string(CBRNHUB_SOURCE_DIR) + "/docs/access.md");
  ASSERT_FALSE(doc.empty());
  auto people = People();
  int rows = 0;
  std::istringstream in(doc.substr(doc.find("## Decision table")));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| ", 0) != 0 || line.find('`') == std::string::npos) continue;
    auto cells = Cells(line);
    ASSERT_EQ(cells.size(), 4u) << line;
    // `[assessment] OWNER SHARING [STATE] [assigned:USER]`
    std::istringstream spec(cells[1].substr(1, cells[1].size() - 2));
    RecordScope r;
    std::string word;
    spec >> word;
    if (word == "assessment" || word == "plan") {
      r.policy = word == "plan" ? Policy::kPlan : Policy::kAssessment;
      spec >> word;
    }
    r.owner_scope = word;
    if (word.rfind("exportctl:", 0) == 0) r.policy = Policy::kExportControl;
    spec >> word;
    auto sharing = access::ParseSharing(word);
    ASSERT_TRUE(sharing) << line;
    r.sharing = *sharing;
    while (spec >> word) {
      if (word.rfind("participants:", 0) == 0) {
        std::istringstream list(word.substr(13));
        for (std::string c; std::getline(list, c, ',');) r.participants.push_back(c);
      } else if (word.rfind("assigned:", 0) == 0) {
        for (const auto& p : people) {
          if (p.name == word.substr(9)) r.assigned_to = p.who.user_id;
        }
        ASSERT_FALSE(r.assigned_to.empty()) << line;
      } else {
        r.state = word;
      }
    }
    std::optional<Action> action;
    for (Action a : access::AllActions()) {
      if (cells[2] == access::ActionName(a)) action = a;
    }
    ASSERT_TRUE(action) << line;
    std::set<std::string> documented, decided;
    std::istringstream who(cells[3]);
    for (std::string name; std::getline(who, name, ',');) {
      name.erase(0, name.find_first_not_of(' '));
      if (!name.empty()) documented.insert(name);
    }
    for (const auto& p : people) {
      if (access::Allows(p.who, *action, r)) decided.insert(p.name);
    }
    EXPECT_EQ(documented, decided) << "docs/access.md: " << line;
    ++rows;
  }
  EXPECT_GE(rows, 20);
}

}  // namespace
}  // namespace cbrnhub::testing
