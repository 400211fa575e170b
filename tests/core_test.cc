#include <gtest/gtest.h>

#include <set>

#include "core/csv.h"
#include "core/ids.h"
#include "core/status.h"

namespace cbrnhub {
namespace {

TEST(Uuid, IsVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuid();
    ASSERT_TRUE(IsUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(std::string("89ab").find(id[19]) != std::string::npos);
    EXPECT_TRUE(seen.insert(id).second);
  }
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("123e4567-e89b-12d3-a456-42661417400g"));
}

TEST(NowUtc, SortsLikeTime) {
  std::string a = NowUtc();
  std::string b = NowUtc();
  EXPECT_EQ(a.size(), 24u);
  EXPECT_LE(a, b);
  EXPECT_EQ(a.back(), 'Z');
}

TEST(Status, CarriesFieldAndName) {
  Status st = Status::Invalid("email", "bad address");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.field(), "email");
  EXPECT_STREQ(StatusCodeName(st.code()), "invalid_argument");
  EXPECT_EQ(st.ToString(), "invalid_argument (email): bad address");
}

TEST(Csv, QuotesCommasNewlinesAndBom) {
  auto rows = ParseCsv("\xEF\xBB\xBFid,name\r\n1,\"Doe, \"\"Jo\"\"\"\n2,\"two\nlines\"\n\n3,x", "t.csv");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[1].fields[1], "Doe, \"Jo\"");
  EXPECT_EQ((*rows)[2].fields[1], "two\nlines");
  EXPECT_EQ((*rows)[3].line, 6);
  EXPECT_EQ((*rows)[3].fields[0], "3");
}

TEST(Csv, UnterminatedQuoteNamesTheLine) {
  auto rows = ParseCsv("a,b\n1,\"open\n2,3\n", "parties.csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("parties.csv:2"), std::string::npos)
      << rows.status().message();
}

TEST(Csv, TableChecksHeaderAndWidth) {
  auto missing = CsvTable::Parse("id,nom\n1,x\n", "p.csv", {"id", "name"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no column 'name'"), std::string::npos);
  auto ragged = CsvTable::Parse("id,name\n1,x\n2\n", "p.csv", {"id"});
  ASSERT_FALSE(ragged.ok());
  EXPECT_NE(ragged.status().message().find("p.csv:3"), std::string::npos);
  auto ok = CsvTable::Parse("id, name\n1,x\n", "p.csv", {"id", "name"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->Get(0, "name"), "x");
  EXPECT_EQ(ok->Get(0, "absent"), "");
}

TEST(Csv, StrayCharacterAfterQuoteIsAnError) {
  auto rows = ParseCsv("a\n\"x\"y\n", "s.csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("s.csv:2"), std::string::npos);
}

TEST(Base64, RoundTripsBinaryAndRefusesWhatIsNotBase64) {
  std::string bytes("%PDF\0\xff\x01 \xd0\x94", 10);
  std::string text = Base64Encode(bytes), back;
  EXPECT_EQ(text, "JVBERgD/ASDQlA==");
  ASSERT_TRUE(Base64Decode(text, &back));
  EXPECT_EQ(back, bytes);
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_FALSE(Base64Decode("not base64!", &back));
}

}  // namespace
}  // namespace cbrnhub
