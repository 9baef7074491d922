#include "merge/install.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/limits.hpp"
#include "core/process.hpp"
#include "scan/language.hpp"
#include "hookcore/hook_install.hpp"

#include <vector>

namespace merge {

namespace {

constexpr std::string_view k_begin = "# >>> git-autoloop merge driver (`git autoloop uninstall` removes this block)";
constexpr std::string_view k_end = "# <<< git-autoloop merge driver";

// [begin, end) of our block in `text` (end past its last newline), or npos.
std::pair<size_t, size_t> find_block(const std::string& text) {
  size_t b = text.find(k_begin);
  while (b != std::string::npos && b != 0 && text[b - 1] != '\n') b = text.find(k_begin, b + 1);
  if (b == std::string::npos) return {std::string::npos, std::string::npos};
  size_t e = text.find(k_end, b);
  if (e == std::string::npos) return {std::string::npos, std::string::npos};
  e = text.find('\n', e);
  return {b, e == std::string::npos ? text.size() : e + 1};
}

std::optional<std::string> git_config(const std::filesystem::path& file, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"config", "--file", file.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return core::git_output(file.parent_path(), argv);
}

} // namespace

std::string attribute_block() {
  std::string out = std::string(k_begin) + "\n";
  for (const auto& lang : scan::languages())
    for (auto ext : lang.extensions) out += "*" + std::string(ext) + " merge=" + std::string(k_driver_name) + "\n";
  return out + std::string(k_end) + "\n";
}

bool has_attribute_block(const std::string& text) { return find_block(text).first != std::string::npos; }

std::string with_attribute_block(const std::string& text) {
  auto [b, e] = find_block(text);
  if (b != std::string::npos) return text.substr(0, b) + attribute_block() + text.substr(e);
  std::string out = text;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + attribute_block();
}

std::string without_attribute_block(const std::string& text) {
  auto [b, e] = find_block(text);
  if (b == std::string::npos) return text;
  return text.substr(0, b) + text.substr(e);
}

std::string driver_command(const std::filesystem::path& binary) {
  const bool lean = binary.filename() == k_driver_binary;
  return hookcore::shell_quote(binary.string()) + (lean ? "" : " merge-driver") + " %O %A %B %L %P";
}

namespace {

// An attributes file as untrusted data: a tracked .gitattributes comes with the repository (it must stay
// inside the work tree); either must be a regular file of a sane size.
std::optional<std::string> read_attributes(const std::filesystem::path& file) {
  const bool tracked = file.filename() == ".gitattributes";
  return core::read_untrusted_file(file, core::k_max_config_bytes, tracked ? file.parent_path() : std::filesystem::path(),
                                   "attributes files");
}

DriverChange write_block(const std::filesystem::path& file, const std::string& what) {
  auto old = read_attributes(file);
  std::string updated = with_attribute_block(old.value_or(""));
  if (old && *old == updated) return {what, "unchanged"};
  std::filesystem::create_directories(file.parent_path());
  core::write_file_atomic(file, updated);
  return {what, old && has_attribute_block(*old) ? "updated" : "added"};
}

} // namespace

std::vector<DriverChange> install_driver(const std::filesystem::path& config_file,
                                         const std::filesystem::path& attributes_file,
                                         const std::filesystem::path& binary) {
  std::vector<DriverChange> out;
  std::string command = driver_command(binary);
  auto old = git_config(config_file, {"--get", "merge.autoloop.driver"});
  if (old && *old == command) {
    out.push_back({"merge.autoloop.driver", "unchanged"});
  } else {
    if (!git_config(config_file, {"merge.autoloop.name", "git-autoloop syntax-aware merge"}) ||
        !git_config(config_file, {"merge.autoloop.driver", command}))
      throw core::Error("cannot write the merge driver into " + config_file.string());
    out.push_back({"merge.autoloop.driver", old ? "updated" : "added"});
  }
  out.push_back(write_block(attributes_file, "info/attributes"));
  return out;
}

DriverChange install_tracked_attributes(const std::filesystem::path& gitattributes) {
  return write_block(gitattributes, ".gitattributes");
}

std::vector<DriverChange> uninstall_driver(const std::filesystem::path& config_file,
                                           const std::vector<std::filesystem::path>& attributes_files) {
  std::vector<DriverChange> out;
  bool had = false;
  for (const char* key : {"merge.autoloop.driver", "merge.autoloop.name"})
    if (git_config(config_file, {"--get", key})) {
      had = true;
      if (!git_config(config_file, {"--unset-all", key}))
        throw core::Error(std::string("cannot remove ") + key + " from " + config_file.string());
    }
  // An empty [merge "autoloop"] header stays behind after --unset: remove it when nothing else is in it.
  if (had && !git_config(config_file, {"--get-regexp", "^merge\\.autoloop\\."}))
    git_config(config_file, {"--remove-section", "merge.autoloop"});
  out.push_back({"merge.autoloop.driver", had ? "removed" : "absent"});
  for (const auto& file : attributes_files) {
    std::string what = file.filename() == ".gitattributes" ? ".gitattributes" : "info/attributes";
    auto text = read_attributes(file);
    if (!text || !has_attribute_block(*text)) {
      out.push_back({what, "absent"});
      continue;
    }
    std::string rest = without_attribute_block(*text);
    if (rest.empty()) std::filesystem::remove(file);
    else core::write_file_atomic(file, rest);
    out.push_back({what, "removed"});
  }
  return out;
}

} // namespace merge
