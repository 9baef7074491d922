// The Catch2 main, alone in its translation unit: it takes ~30 s to compile and never changes.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
