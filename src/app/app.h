// Wiring: configuration, start-up, the command line. main() only calls Main().
#pragma once

namespace cbrnhub::app {

// Runs the cbrnhub command line; returns the process exit code
// (0 ok, 1 operation failed, 2 usage or configuration error).
int Main(int argc, char** argv);

}  // namespace cbrnhub::app
