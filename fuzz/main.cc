// libFuzzer entry point; CBRNHUB_FUZZ_TARGET names the function of targets.h to drive.
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return cbrnhub::fuzz::CBRNHUB_FUZZ_TARGET(data, size);
}
