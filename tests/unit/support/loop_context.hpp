#pragma once
// A loop::Context on a test repository, as the commands open one (configuration overrides as `-c`).

#include "temp_repo.hpp"

#include "loop/context.hpp"

#include <string>
#include <utility>
#include <vector>

namespace test_support {

inline loop::Context open_ctx(const TempRepo& repo, std::vector<std::string> overrides = {}) {
  loop::OpenOptions o;
  o.git_dir = repo.git_dir();
  o.overrides = std::move(overrides);
  return loop::Context::open(o);
}

} // namespace test_support
