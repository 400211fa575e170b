// Where the tests find data outside the repository. Its own file: the source directory is a
// compile definition, which the test support library's precompiled header must not depend on.
#include "test_support.h"

namespace cbrnhub::testing {

std::string SharedDataDir() {
#ifdef CBRNHUB_SOURCE_DIR
  return std::string(CBRNHUB_SOURCE_DIR) + "/../shared/data";
#else
  return "../shared/data";
#endif
}

}  // namespace cbrnhub::testing
