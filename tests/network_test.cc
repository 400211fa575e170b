#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/csv.h"
#include "network/network.h"
#include "test_support.h"

namespace cbrnhub::network {
namespace {

using cbrnhub::testing::TestDatabase;
using records::Json;

class NetworkTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    SKIP_UNLESS_BACKEND(GetParam());
    t_ = TestDatabase::Create(GetParam());
    ASSERT_TRUE(t_);
    RegisterKinds(catalog_);
    store_ = std::make_unique<records::Store>(t_->db(), catalog_);
  }
  std::unique_ptr<TestDatabase> t_;
  records::Catalog catalog_;
  std::unique_ptr<records::Store> store_;
  records::Caller actor_{access::Principal::System("seed"), ""};
};

TEST_P(NetworkTest, ReferenceDataMatchesTheSharedFacts) {
  auto report = SeedReference(*store_, actor_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // Counted from the shared reference files themselves, not from our copy.
  std::string shared = cbrnhub::testing::SharedDataDir() + "/../reference/";
  auto regions = CsvTable::Parse(cbrnhub::testing::ReadFile(shared + "regions.csv"), "regions.csv",
                                 {"region_code"});
  auto countries = CsvTable::Parse(cbrnhub::testing::ReadFile(shared + "countries.csv"),
                                   "countries.csv", {"iso2", "region_code", "confirmed"});
  ASSERT_TRUE(regions.ok() && countries.ok()) << "shared reference files not readable";
  std::set<std::string> distinct;
  int confirmed = 0;
  for (size_t i = 0; i < countries->size(); ++i) {
    distinct.insert(countries->Get(i, "iso2"));
    confirmed += countries->Get(i, "confirmed") == "yes";
  }
  records::ListQuery all;
  all.limit = 500;
  EXPECT_EQ(store_->List(actor_, kRegions, all)->total, static_cast<std::int64_t>(regions->size()));
  EXPECT_EQ(store_->List(actor_, kCountries, all)->total, static_cast<std::int64_t>(distinct.size()));
  EXPECT_EQ(store_->List(actor_, kMemberships, all)->total, static_cast<std::int64_t>(countries->size()));
  records::ListQuery partners = all;
  partners.filters["status"] = "partner";
  EXPECT_EQ(store_->List(actor_, kMemberships, partners)->total, confirmed);
}

TEST_P(NetworkTest, SeedingTwiceKeepsEditsAndAddsNothing) {
  ASSERT_TRUE(SeedReference(*store_, actor_).ok());
  auto edited = store_->Update(actor_, kRegions, "CA", Json{{"description", "edited by an admin"}}, false);
  ASSERT_TRUE(edited.ok());
  auto again = SeedReference(*store_, actor_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ((*store_->Get(actor_, kRegions, "CA"))["description"], "edited by an admin");
  ASSERT_TRUE(SeedDemo(*store_, actor_).ok());
  auto demo_again = SeedDemo(*store_, actor_);
  ASSERT_TRUE(demo_again.ok());
  EXPECT_EQ(demo_again->added, 0);
}

TEST_P(NetworkTest, CountryOverviewShowsFocalPointTeamAndAgencies) {
  ASSERT_TRUE(SeedReference(*store_, actor_).ok());
  ASSERT_TRUE(SeedDemo(*store_, actor_).ok());
  auto uz = CountryOverview(*store_, actor_, "UZ");
  ASSERT_TRUE(uz.ok()) << uz.status().ToString();
  EXPECT_EQ((*uz)["country"]["name"], "Uzbekistan");
  ASSERT_EQ((*uz)["regions"].size(), 1u);
  EXPECT_EQ((*uz)["regions"][0]["code"], "CA");
  ASSERT_EQ((*uz)["focal_points"].size(), 1u);
  EXPECT_EQ((*uz)["focal_points"][0]["full_name"], "Aziz Demo-Karimov");
  EXPECT_EQ((*uz)["focal_points"][0]["agency_name"], "Demo Ministry of Emergency Situations");
  EXPECT_EQ((*uz)["team"].size(), 2u);
  EXPECT_EQ((*uz)["agencies"].size(), 3u);
  auto morocco = CountryOverview(*store_, actor_, "ma");
  ASSERT_TRUE(morocco.ok());
  EXPECT_EQ((*morocco)["regions"].size(), 2u);  // AAF and NAS
  EXPECT_EQ(CountryOverview(*store_, actor_, "ZZ").status().code(), StatusCode::kNotFound);
}

TEST_P(NetworkTest, RegionOverviewListsCountriesWithStatusAndStaff) {
  ASSERT_TRUE(SeedReference(*store_, actor_).ok());
  ASSERT_TRUE(SeedDemo(*store_, actor_).ok());
  auto gcc = RegionOverview(*store_, actor_, "GCC");
  ASSERT_TRUE(gcc.ok());
  EXPECT_EQ((*gcc)["region"]["secretariat_city"], "Abu Dhabi");
  ASSERT_EQ((*gcc)["countries"].size(), 6u);
  int unconfirmed = 0;
  for (const auto& c : (*gcc)["countries"]) unconfirmed += c["membership_status"] == "unconfirmed";
  EXPECT_EQ(unconfirmed, 2);  // Kuwait and Bahrain
  auto ca = RegionOverview(*store_, actor_, "CA");
  EXPECT_EQ((*ca)["secretariat_staff"].size(), 2u);
  auto overview = NetworkOverview(*store_, actor_);
  ASSERT_TRUE(overview.ok());
  EXPECT_EQ((*overview)["regions"].size(), 8u);
  EXPECT_EQ((*overview)["partner_country_count"], 59);
}

INSTANTIATE_BACKENDS(NetworkTest);

}  // namespace
}  // namespace cbrnhub::network
