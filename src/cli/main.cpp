#include "cli/cli.hpp"

#include <malloc.h>

int main(int argc, char** argv) {
  // glibc raises its mmap threshold to the largest block freed so far (up to 32 MB), after which the
  // parse trees and file contents of a big scan come from per-thread heaps that keep their freed memory:
  // a cold `scan --all` of 46 MB peaked at 117 MB resident. A fixed trim threshold keeps the default
  // threshold (big blocks mmapped, returned on free) and trims heaps above 4 MB: 95 MB, same CPU time.
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
  return cli::main(argc, argv);
}
