#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "core/ids.h"
#include "assessment/assessment.h"
#include "plans/plans.h"
#include "exportctl/exportctl.h"
#include "network/network.h"
#include "records/records.h"
#include "test_support.h"

namespace cbrnhub::records {
namespace {

using cbrnhub::testing::TestDatabase;

class RecordsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    SKIP_UNLESS_BACKEND(GetParam());
    t_ = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t_);
    network::RegisterKinds(catalog_);
    exportctl::RegisterKinds(catalog_);
    assessment::RegisterKinds(catalog_);
    plans::RegisterKinds(catalog_);
    store_ = std::make_unique<Store>(t_->db(), catalog_);
    auto seeded = network::SeedReference(*store_, actor_);
    ASSERT_TRUE(seeded.ok()) << seeded.status().ToString();
  }
  Json Person(const std::string& name) {
    return {{"full_name", name}, {"network_role", "team_member"}, {"country_id", "UZ"}};
  }
  std::int64_t AuditCount() {
    auto txn = t_->db().Begin(storage::Access::kRead);
    return (*(*txn)->Query("SELECT count(*) FROM audit_log"))[0].Int(0);
  }

  std::unique_ptr<TestDatabase> t_;
  Catalog catalog_;
  std::unique_ptr<Store> store_;
  Caller actor_{access::Principal::System("tester"), "127.0.0.1"};
};

TEST_P(RecordsTest, CreateStampsEveryRecordAndAudits) {
  std::int64_t before = AuditCount();
  auto p = store_->Create(actor_, "people", Person("Test Person"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(IsUuid((*p)["id"].get<std::string>()));
  EXPECT_EQ((*p)["owner"], "country:UZ");
  EXPECT_EQ((*p)["revision"], 1);
  EXPECT_EQ((*p)["created_by"], "tester");
  // The reference by ISO code was stored as the country's id.
  EXPECT_TRUE(IsUuid((*p)["country_id"].get<std::string>()));
  EXPECT_EQ(AuditCount(), before + 1);
}

TEST_P(RecordsTest, ValidationNamesTheField) {
  struct Case {
    Json body;
    std::string field;
  } cases[] = {
      {{{"network_role", "nfp"}}, "full_name"},
      {{{"full_name", "  "}, {"network_role", "nfp"}}, "full_name"},
      {{{"full_name", "A"}, {"network_role", "king"}}, "network_role"},
      {{{"full_name", "A"}, {"network_role", "nfp"}, {"email", "no-at-sign"}}, "email"},
      {{{"full_name", "A"}, {"network_role", "nfp"}, {"country_id", "ZZ"}}, "country_id"},
      {{{"full_name", 12}, {"network_role", "nfp"}}, "full_name"},
      {{{"full_name", std::string(201, 'x')}, {"network_role", "nfp"}}, "full_name"},
      {{{"full_name", "A\x01"}, {"network_role", "nfp"}}, "full_name"},
      {{{"full_name", "A"}, {"network_role", "nfp"}, {"salary", 1}}, "salary"},
  };
  std::int64_t before = AuditCount();
  for (const auto& c : cases) {
    auto r = store_->Create(actor_, "people", c.body);
    ASSERT_FALSE(r.ok()) << c.body.dump();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.body.dump();
    EXPECT_EQ(r.status().field(), c.field) << c.body.dump() << " " << r.status().message();
  }
  EXPECT_EQ(AuditCount(), before);
}

TEST_P(RecordsTest, InvalidUtf8IsRefused) {
  auto r = store_->Create(actor_, "people", Json{{"full_name", "A"}, {"network_role", "nfp"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Utf8Length("\xC3\x28"), -1);
  EXPECT_EQ(Utf8Length("Ташкент"), 7);
}

TEST_P(RecordsTest, StaleRevisionIsConflictAndChangesNothing) {
  auto p = store_->Create(actor_, "people", Person("Rev Test"));
  ASSERT_TRUE(p.ok());
  std::string id = (*p)["id"];
  auto u1 = store_->Update(actor_, "people", id, Json{{"position", "Chief"}, {"revision", 1}}, false);
  ASSERT_TRUE(u1.ok()) << u1.status().ToString();
  EXPECT_EQ((*u1)["revision"], 2);
  EXPECT_EQ((*u1)["full_name"], "Rev Test");  // PATCH keeps absent fields
  auto stale = store_->Update(actor_, "people", id, Json{{"position", "Other"}, {"revision", 1}}, false);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ((*store_->Get(actor_, "people", id))["position"], "Chief");
}

TEST_P(RecordsTest, PutReplacesAndRequiresRequiredFields) {
  auto p = store_->Create(actor_, "people", Person("Put Test"));
  std::string id = (*p)["id"];
  auto missing = store_->Update(actor_, "people", id, Json{{"position", "X"}}, true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().field(), "full_name");
  auto ok = store_->Update(actor_, "people", id, Json{{"full_name", "New"}, {"network_role", "expert"}},
                           true);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE((*ok)["country_id"].is_null());
  EXPECT_EQ((*ok)["owner"], "network");  // ownership follows the record's fields
}

TEST_P(RecordsTest, UniqueClashNamesTheField) {
  auto a = store_->Create(actor_, "organisations", Json{{"name", "Org A"}, {"kind", "other"}});
  ASSERT_TRUE(a.ok());
  auto b = store_->Create(actor_, "organisations", Json{{"name", "Org A"}, {"kind", "other"}});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kConflict);
  EXPECT_EQ(b.status().field(), "name");
}

TEST_P(RecordsTest, DeleteIsRecoverableAndRefusedWhileReferenced) {
  auto agency = store_->Create(actor_, 
      "agencies", Json{{"country_id", "KZ"}, {"name", "Agency K"}, {"kind", "customs"}});
  ASSERT_TRUE(agency.ok()) << agency.status().ToString();
  Json person = Person("Ref Holder");
  person["country_id"] = "KZ";
  person["agency_id"] = (*agency)["id"];
  auto p = store_->Create(actor_, "people", person);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Status refused = store_->Delete(actor_, "agencies", (*agency)["id"], std::nullopt);
  EXPECT_EQ(refused.code(), StatusCode::kConflict);
  ASSERT_TRUE(store_->Delete(actor_, "people", (*p)["id"], std::nullopt).ok());
  ASSERT_TRUE(store_->Delete(actor_, "agencies", (*agency)["id"], std::nullopt).ok());
  EXPECT_EQ(store_->Get(actor_, "agencies", (*agency)["id"]).status().code(), StatusCode::kNotFound);
  // Restoring the person first is refused: its agency is deleted.
  auto early = store_->Restore(actor_, "people", (*p)["id"]);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().field(), "agency_id");
  ASSERT_TRUE(store_->Restore(actor_, "agencies", (*agency)["id"]).ok());
  auto back = store_->Restore(actor_, "people", (*p)["id"]);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto history = store_->History(actor_, "people", (*p)["id"]);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[1]["action"], "delete");
  EXPECT_EQ((*history)[1]["before"]["full_name"], "Ref Holder");
  EXPECT_EQ((*history)[2]["action"], "restore");
}

TEST_P(RecordsTest, ListFiltersSearchesAndPages) {
  ListQuery q;
  q.filters["region_id"] = "CA";
  auto ca = store_->List(actor_, "memberships", q);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  EXPECT_EQ(ca->total, 7);
  ListQuery search;
  search.text = "stan";
  search.limit = 3;
  auto stans = store_->List(actor_, "countries", search);
  ASSERT_TRUE(stans.ok());
  EXPECT_EQ(stans->total, 6);  // Afghanistan, Kazakhstan, Kyrgyzstan, Pakistan, Tajikistan, Uzbekistan
  EXPECT_EQ(stans->items.size(), 3u);
  ListQuery bad;
  bad.filters["salary"] = "1";
  EXPECT_EQ(store_->List(actor_, "countries", bad).status().field(), "salary");
  ListQuery huge;
  huge.limit = 100000;
  EXPECT_EQ(store_->List(actor_, "countries", huge).status().field(), "limit");
}

TEST_P(RecordsTest, AuditChainVerifiesAndNamesATamperedEntry) {
  ASSERT_TRUE(store_->Create(actor_, "people", Person("Audit One")).ok());
  ASSERT_TRUE(store_->Create(actor_, "people", Person("Audit Two")).ok());
  auto intact = audit::Verify(t_->db());
  ASSERT_TRUE(intact.ok());
  EXPECT_EQ(*intact, "");
  {
    auto txn = t_->db().Begin(storage::Access::kWrite);
    ASSERT_TRUE((*txn)->Exec("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 5").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto tampered = audit::Verify(t_->db());
  ASSERT_TRUE(tampered.ok());
  EXPECT_NE(tampered->find("entry 5 was altered"), std::string::npos) << *tampered;
  {
    auto txn = t_->db().Begin(storage::Access::kWrite);
    ASSERT_TRUE((*txn)->Exec("DELETE FROM audit_log WHERE seq = 3").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto removed = audit::Verify(t_->db());
  EXPECT_NE(removed->find("entry 3 is missing"), std::string::npos) << *removed;
}

INSTANTIATE_BACKENDS(RecordsTest);

}  // namespace
}  // namespace cbrnhub::records
