#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/backends.h"
#include "storage/storage.h"
#include "test_support.h"

namespace cbrnhub::storage {
namespace {

using cbrnhub::testing::TestDatabase;

class StorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    SKIP_UNLESS_BACKEND(GetParam());
    t_ = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t_);
    auto txn = t_->db().Begin(Access::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->Exec("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT, n BIGINT)").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  Database& db() { return t_->db(); }
  std::unique_ptr<TestDatabase> t_;
};

TEST_P(StorageTest, MigrationsReachLatestAndAreIdempotent) {
  auto v = SchemaVersion(db());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, LatestSchemaVersion());
  auto again = Migrate(db());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, LatestSchemaVersion());
}

TEST_P(StorageTest, ParametersRoundTripIncludingNullAndUnicode) {
  auto txn = db().Begin(Access::kWrite);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->Exec("INSERT INTO kv (k, v, n) VALUES (?, ?, ?)",
                           {std::string("a"), std::monostate{}, std::int64_t{42}})
                  .ok());
  ASSERT_TRUE((*txn)->Exec("INSERT INTO kv (k, v, n) VALUES (?, ?, ?)",
                           {std::string("b"), std::string("Ташкент — طشقند 'q?'"), std::int64_t{-7}})
                  .ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  auto read = db().Begin(Access::kRead);
  auto rows = (*read)->Query("SELECT k, v, n FROM kv WHERE k IN (?, ?) ORDER BY k",
                             {std::string("a"), std::string("b")});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_TRUE((*rows)[0].IsNull(1));
  EXPECT_EQ((*rows)[0].Int(2), 42);
  EXPECT_EQ((*rows)[1].Text(1), "Ташкент — طشقند 'q?'");
  EXPECT_EQ((*rows)[1].Int(2), -7);
}

TEST_P(StorageTest, UncommittedTransactionRollsBack) {
  {
    auto txn = db().Begin(Access::kWrite);
    ASSERT_TRUE((*txn)->Exec("INSERT INTO kv (k) VALUES (?)", {std::string("gone")}).ok());
    // destroyed without Commit
  }
  auto read = db().Begin(Access::kRead);
  auto rows = (*read)->Query("SELECT count(*) FROM kv");
  EXPECT_EQ((*rows)[0].Int(0), 0);
}

TEST_P(StorageTest, DuplicateKeyIsConflictAndLeavesNothing) {
  auto txn = db().Begin(Access::kWrite);
  ASSERT_TRUE((*txn)->Exec("INSERT INTO kv (k) VALUES (?)", {std::string("x")}).ok());
  auto dup = (*txn)->Exec("INSERT INTO kv (k) VALUES (?)", {std::string("x")});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kConflict);
  txn->reset();
  auto read = db().Begin(Access::kRead);
  EXPECT_EQ((*(*read)->Query("SELECT count(*) FROM kv"))[0].Int(0), 0);
}

TEST_P(StorageTest, ExecCountsChangedRows) {
  auto txn = db().Begin(Access::kWrite);
  for (const char* k : {"a", "b", "c"}) {
    ASSERT_TRUE((*txn)->Exec("INSERT INTO kv (k, n) VALUES (?, 1)", {std::string(k)}).ok());
  }
  auto changed = (*txn)->Exec("UPDATE kv SET n = n + 1 WHERE k <> ?", {std::string("a")});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 2);
}

TEST_P(StorageTest, ConcurrentWritersFromTwoHandlesAllLand) {
  // Two handles stand for two processes (or two cbrnhub instances on one PostgreSQL).
  auto other = t_->OpenAnother();
  ASSERT_TRUE(other);
  std::atomic<int> failures{0};
  auto writer = [&](Database& d, const std::string& prefix) {
    for (int i = 0; i < 50; ++i) {
      auto txn = d.Begin(Access::kWrite);
      if (!txn.ok() ||
          !(*txn)->Exec("INSERT INTO kv (k) VALUES (?)", {prefix + std::to_string(i)}).ok() ||
          !(*txn)->Commit().ok()) {
        ++failures;
      }
    }
  };
  std::thread a(writer, std::ref(db()), "a");
  std::thread b(writer, std::ref(*other), "b");
  a.join();
  b.join();
  EXPECT_EQ(failures, 0);
  auto read = db().Begin(Access::kRead);
  EXPECT_EQ((*(*read)->Query("SELECT count(*) FROM kv"))[0].Int(0), 100);
}

TEST_P(StorageTest, IntegrityCheckPasses) {
  auto check = db().IntegrityCheck();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(*check, "ok");
}

INSTANTIATE_BACKENDS(StorageTest);

TEST(Placeholders, RewrittenOutsideQuotesOnly) {
  EXPECT_EQ(ToPostgresPlaceholders("SELECT ? , '?' , \"a?\" WHERE x = ?"),
            "SELECT $1 , '?' , \"a?\" WHERE x = $2");
}

TEST(Open, BadPathsFailWithUnavailable) {
  auto db = Open("sqlite:/nonexistent-dir/x/y.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kUnavailable);
  auto pg = Open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace cbrnhub::storage
