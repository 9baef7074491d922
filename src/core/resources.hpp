#pragma once
// Files compiled into the binary (cmake/Embed.cmake): the default config and the built-in rules,
// each named by its path in the source tree ("config/autoloop.yml").

#include <optional>
#include <string_view>
#include <vector>

namespace core {

struct Resource {
  std::string_view name;
  std::string_view content;
};

// Every embedded file, in the order CMake listed them.
const std::vector<Resource>& resources();

// The embedded file called `name`, or nullopt.
inline std::optional<std::string_view> resource(std::string_view name) {
  for (const auto& r : resources())
    if (r.name == name) return r.content;
  return std::nullopt;
}

} // namespace core
