#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <thread>

#include "audit/audit.h"
#include "backup/backup.h"
#include "assessment/assessment.h"
#include "plans/plans.h"
#include "exportctl/exportctl.h"
#include "network/network.h"
#include "test_support.h"

namespace cbrnhub::backup {
namespace {

using cbrnhub::testing::TestDatabase;
using records::Json;

class BackupTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    SKIP_UNLESS_BACKEND(GetParam());
    t_ = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t_);
    network::RegisterKinds(catalog_);
    exportctl::RegisterKinds(catalog_);
    assessment::RegisterKinds(catalog_);
    plans::RegisterKinds(catalog_);
    store_ = std::make_unique<records::Store>(t_->db(), catalog_);
    ASSERT_TRUE(network::SeedReference(*store_, actor_).ok());
    ASSERT_TRUE(network::SeedDemo(*store_, actor_).ok());
    dir_ = cbrnhub::testing::TempDir();
  }
  std::int64_t Count(storage::Database& db, const std::string& table) {
    auto txn = db.Begin(storage::Access::kRead);
    return (*(*txn)->Query("SELECT count(*) FROM " + table))[0].Int(0);
  }
  std::unique_ptr<TestDatabase> t_;
  records::Catalog catalog_;
  std::unique_ptr<records::Store> store_;
  records::Caller actor_{access::Principal::System("seed"), ""};
  std::string dir_;
};

TEST_P(BackupTest, RoundTripRestoresEveryRowAndTheAuditChain) {
  std::string file = dir_ + "/b.jsonl";
  auto made = Backup(t_->db(), file);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->rows["countries"], 65);
  // Change things after the backup; the restore must undo them.
  ASSERT_TRUE(store_->Create(actor_, "people", Json{{"full_name", "After Backup"}, {"network_role", "other"}})
                  .ok());
  ASSERT_TRUE(store_->Update(actor_, "countries", "UZ", Json{{"notes", "changed"}}, false).ok());
  auto restored = Restore(t_->db(), file);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->rows, made->rows);
  for (const auto& [table, n] : made->rows) EXPECT_EQ(Count(t_->db(), table), n) << table;
  EXPECT_EQ((*store_->Get(actor_, "countries", "UZ"))["notes"], "");
  auto chain = audit::Verify(t_->db());
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(*chain, "");
  EXPECT_EQ(*t_->db().IntegrityCheck(), "ok");
}

TEST_P(BackupTest, TruncatedOrAlteredBackupChangesNothing) {
  std::string file = dir_ + "/b.jsonl";
  ASSERT_TRUE(Backup(t_->db(), file).ok());
  std::string text = cbrnhub::testing::ReadFile(file);
  std::int64_t people = Count(t_->db(), "people");
  struct Case {
    std::string name, content, expect;
  } cases[] = {
      {"truncated", text.substr(0, text.size() * 2 / 3), "bad.jsonl:"},
      {"not json", "hello\n", "not a cbrnhub backup"},
      {"empty", "", "not a cbrnhub backup"},
      // Found by fuzzing: header fields of the wrong type threw instead of being refused.
      {"wrong header types", "{\"format\":\"cbrnhub-backup\",\"format_version\":\"1\"}\n",
       "format version"},
      {"format not a string", "{\"format\":2}\n", "not a cbrnhub backup"},
      {"garbled row", text.substr(0, text.find("\n[") + 1) + "[\"x\n" + text.substr(text.find("\n[") + 1),
       "not valid JSON"},
  };
  for (const auto& c : cases) {
    std::string bad = dir_ + "/bad.jsonl";
    std::ofstream(bad, std::ios::binary) << c.content;
    auto r = Restore(t_->db(), bad);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.name << ": " << r.status().message();
    EXPECT_NE(r.status().message().find("bad.jsonl"), std::string::npos) << c.name;
    EXPECT_EQ(Count(t_->db(), "people"), people) << c.name;
  }
  EXPECT_FALSE(Restore(t_->db(), dir_ + "/missing.jsonl").ok());
}

TEST_P(BackupTest, BackupDuringWritesIsConsistent) {
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      (void)store_->Create(actor_, "people",
                           Json{{"full_name", "Writer " + std::to_string(i)},
                                {"network_role", "other"}});
    }
  });
  std::string file = dir_ + "/live.jsonl";
  auto made = Backup(t_->db(), file);
  stop = true;
  writer.join();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  // Restore into a fresh database: the snapshot must be self-consistent (audit chain included).
  auto fresh = TestDatabase::Create(GetParam());
  auto restored = Restore(fresh->db(), file);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  auto chain = audit::Verify(fresh->db());
  EXPECT_EQ(*chain, "");
  EXPECT_EQ(*fresh->db().IntegrityCheck(), "ok");
  EXPECT_EQ(Count(fresh->db(), "audit_log"), made->rows["audit_log"]);
}

TEST_P(BackupTest, BackupMovesBetweenBackends) {
  std::string file = dir_ + "/x.jsonl";
  ASSERT_TRUE(Backup(t_->db(), file).ok());
  for (const auto& other : cbrnhub::testing::AvailableBackends()) {
    auto target = TestDatabase::Create(other);
    ASSERT_TRUE(target);
    auto r = Restore(target->db(), file);
    ASSERT_TRUE(r.ok()) << GetParam() << " -> " << other << ": " << r.status().ToString();
    EXPECT_EQ(Count(target->db(), "countries"), 65);
  }
}

INSTANTIATE_BACKENDS(BackupTest);

}  // namespace
}  // namespace cbrnhub::backup
