#include <malloc.h>

#include "app/app.h"

int main(int argc, char** argv) {
  // glibc gives each thread its own heap arena and keeps what is freed there; with many worker
  // threads the resident size then creeps up long after the live heap stopped growing (seen in
  // the soak: 10 MB live heap, RSS climbing past 60 MB). Two arenas keep RSS flat.
  mallopt(M_ARENA_MAX, 2);
  return cbrnhub::app::Main(argc, argv);
}
