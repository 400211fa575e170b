// Every committed fuzz seed and every input that once crashed a target (fuzz/regressions/)
// runs through its target on each test run, so a fixed crash stays fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "targets.h"

namespace cbrnhub::fuzz {
namespace {

class FuzzRegression : public ::testing::TestWithParam<NamedTarget> {};

TEST_P(FuzzRegression, SeedsAndPastCrashesRunCleanly) {
  int inputs = 0;
  for (const char* folder : {"corpus", "regressions"}) {
    std::filesystem::path dir = std::filesystem::path(CBRNHUB_FUZZ_DIR) / folder / GetParam().name;
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream buf;
      buf << in.rdbuf();
      std::string bytes = buf.str();
      SCOPED_TRACE(entry.path().string());
      EXPECT_EQ(GetParam().run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
      ++inputs;
    }
  }
  EXPECT_GT(inputs, 0) << "no seed inputs for " << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegression, ::testing::ValuesIn(AllTargets()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cbrnhub::fuzz
