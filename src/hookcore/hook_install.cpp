#include "hookcore/hook_install.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"

#include <cstring>
#include <fstream>
#include <functional>
#include <system_error>

#include <elf.h>
#include <unistd.h>

namespace hookcore {

namespace fs = std::filesystem;

namespace {

constexpr fs::perms k_hook_mode = static_cast<fs::perms>(0755);
// A shim's marker sits in its first lines.
constexpr size_t k_marker_window = 4096;

// Present in any form, including a dangling symlink (fs::exists follows links and would say no).
bool present(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() != fs::file_type::not_found && !ec;
}

bool contains_marker_line(std::string_view text) {
  if (text.rfind(k_legacy_shim_marker, 0) == 0) return true;
  return text.find("\n" + std::string(k_legacy_shim_marker)) != std::string_view::npos;
}

bool owner_executable(const fs::path& p) {
  std::error_code ec;
  return (fs::status(p, ec).permissions() & fs::perms::owner_exec) != fs::perms::none && !ec;
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw core::Error("cannot rename " + from.string() + " to " + to.string() + ": " + ec.message());
}

fs::path chained_path(const fs::path& hooks_dir, std::string_view hook) {
  return hooks_dir / (std::string(hook) + std::string(k_chained_suffix));
}

// Reads `size` bytes at `offset` of some file or buffer; nullopt when they are not all there.
using ReadAt = std::function<std::optional<std::string>(uint64_t offset, size_t size)>;

// Offset of the configuration block in an ELF64 file: the `.autoloop_hook` section, at least
// k_hook_config_size long and starting with the magic. nullopt for anything else, however malformed.
std::optional<uint64_t> config_block_offset(const ReadAt& read) {
  auto header = read(0, sizeof(Elf64_Ehdr));
  if (!header || std::memcmp(header->data(), ELFMAG, SELFMAG) != 0 || (*header)[EI_CLASS] != ELFCLASS64) return std::nullopt;
  Elf64_Ehdr eh;
  std::memcpy(&eh, header->data(), sizeof eh);
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff == 0 || eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum)
    return std::nullopt;
  auto table = read(eh.e_shoff, size_t{eh.e_shnum} * sizeof(Elf64_Shdr));
  if (!table) return std::nullopt;
  auto section = [&](size_t i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, table->data() + i * sizeof sh, sizeof sh);
    return sh;
  };
  const Elf64_Shdr names = section(eh.e_shstrndx);
  if (names.sh_size > (1u << 20)) return std::nullopt;
  auto strtab = read(names.sh_offset, static_cast<size_t>(names.sh_size));
  if (!strtab) return std::nullopt;
  const std::string_view wanted = k_hook_section;
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    const Elf64_Shdr sh = section(i);
    if (sh.sh_type != SHT_PROGBITS || sh.sh_name >= strtab->size() || sh.sh_size < k_hook_config_size) continue;
    const std::string_view name(strtab->c_str() + sh.sh_name);
    if (name != wanted) continue;
    auto magic = read(sh.sh_offset, k_hook_magic.size());
    if (magic && *magic == k_hook_magic) return sh.sh_offset;
  }
  return std::nullopt;
}

ReadAt read_from(std::string_view bytes) {
  return [bytes](uint64_t offset, size_t size) -> std::optional<std::string> {
    if (offset > bytes.size() || size > bytes.size() - offset) return std::nullopt;
    return std::string(bytes.substr(static_cast<size_t>(offset), size));
  };
}

std::optional<std::string> main_in_block(const ReadAt& read, uint64_t offset) {
  auto block = read(offset, k_hook_config_size);
  if (!block) return std::nullopt;
  std::string_view path = std::string_view(*block).substr(k_hook_magic.size());
  return std::string(path.substr(0, path.find('\0')));
}

} // namespace

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  out += "'";
  return out;
}

std::string configured_hook(std::string_view hook_binary, const fs::path& main_binary) {
  auto offset = config_block_offset(read_from(hook_binary));
  if (!offset) throw core::Error("not an autoloop-hook binary (no " + std::string(k_hook_section) + " section)");
  const std::string path = main_binary.string();
  if (!main_binary.is_absolute()) throw core::Error("the main binary's path must be absolute: " + path);
  if (path.find('\0') != std::string::npos || k_hook_magic.size() + path.size() + 1 > k_hook_config_size)
    throw core::Error("the main binary's path is too long for a hook (" + std::to_string(path.size()) + " bytes): " + path);
  std::string out(hook_binary);
  char* block = out.data() + *offset + k_hook_magic.size();
  std::memset(block, 0, k_hook_config_size - k_hook_magic.size());
  std::memcpy(block, path.data(), path.size());
  return out;
}

std::optional<std::string> configured_main(std::string_view bytes) {
  const ReadAt read = read_from(bytes);
  auto offset = config_block_offset(read);
  if (!offset) return std::nullopt;
  return main_in_block(read, *offset);
}

bool is_autoloop_hook_content(std::string_view bytes) {
  if (bytes.rfind("#!", 0) == 0) return contains_marker_line(bytes.substr(0, k_marker_window));
  return config_block_offset(read_from(bytes)).has_value();
}

bool is_autoloop_hook(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec)) || ec) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  const ReadAt read = [&in](uint64_t offset, size_t size) -> std::optional<std::string> {
    if (size > (64u << 20)) return std::nullopt;
    std::string out(size, '\0');
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(out.data(), static_cast<std::streamsize>(size));
    if (static_cast<size_t>(in.gcount()) != size) return std::nullopt;
    return out;
  };
  auto head = read(0, 2);
  if (head && *head == "#!") {
    in.clear();
    in.seekg(0);
    std::string text(k_marker_window, '\0');
    in.read(text.data(), static_cast<std::streamsize>(k_marker_window));
    text.resize(static_cast<size_t>(in.gcount()));
    return contains_marker_line(text);
  }
  return config_block_offset(read).has_value();
}

std::vector<HookChange> install_hooks(const InstallPaths& paths) {
  std::error_code ec;
  fs::create_directories(paths.hooks_dir, ec);
  if (ec) throw core::Error("cannot create " + paths.hooks_dir.string() + ": " + ec.message());

  auto binary = core::read_file(paths.hook_binary);
  if (!binary) throw core::Error("cannot read the hook binary " + paths.hook_binary.string() + ": no such file");
  std::string content;
  try {
    content = configured_hook(*binary, paths.main_binary);
  } catch (const core::Error& e) {
    throw core::Error(paths.hook_binary.string() + ": " + e.what());
  }

  // 1. Plan every hook first, so a conflict on one leaves all of them untouched.
  struct Step {
    std::string hook;
    std::string action;
  };
  std::vector<Step> plan;
  std::vector<std::string> conflicts;
  for (std::string_view hook : k_autoloop_hooks) {
    fs::path target = paths.hooks_dir / hook;
    Step step{std::string(hook), ""};
    if (!present(target)) {
      step.action = "installed";
    } else if (is_autoloop_hook(target)) {
      auto current = core::read_file(target);
      step.action = current == content && owner_executable(target) ? "unchanged" : "updated";
    } else if (present(chained_path(paths.hooks_dir, hook))) {
      conflicts.push_back(step.hook);
    } else {
      step.action = "chained";
    }
    plan.push_back(std::move(step));
  }
  if (!conflicts.empty()) {
    std::string list;
    for (const auto& hook : conflicts) list += (list.empty() ? "" : ", ") + hook;
    const std::string& first = conflicts.front();
    throw core::Error(
        "cannot install hooks in " + paths.hooks_dir.string() + ": " + list +
        " replaced the git-autoloop hook (another tool rewrote it) while the hook it chained is still kept as " +
        first + std::string(k_chained_suffix) + ". Merge the two into one script (for example append the commands of " +
        first + " to " + first + std::string(k_chained_suffix) + " and delete " + first +
        "), or delete whichever is obsolete, then run `git autoloop install` again. Nothing was changed.");
  }

  // 2. Apply: move foreign hooks aside (rename keeps bytes, mode and symlinks), then write ours: the
  //    first one written, the others hard links to it (a copy where links are refused).
  std::vector<HookChange> changes;
  std::optional<fs::path> written;
  for (const auto& step : plan) {
    fs::path target = paths.hooks_dir / step.hook;
    if (step.action == "chained") rename_or_throw(target, chained_path(paths.hooks_dir, step.hook));
    if (step.action != "unchanged") {
      bool linked = false;
      if (written) {
        const fs::path temp = paths.hooks_dir / ("." + step.hook + ".autoloop-" + std::to_string(::getpid()));
        std::error_code ec;
        fs::remove(temp, ec);
        fs::create_hard_link(*written, temp, ec);
        if (!ec) {
          fs::rename(temp, target, ec);
          linked = !ec;
          fs::remove(temp, ec); // left behind by a failed rename, or by one between two links to one file
        }
      }
      if (!linked) {
        core::write_file_atomic(target, content, k_hook_mode);
        written = target;
      }
    }
    changes.push_back({step.hook, step.action});
  }
  return changes;
}

std::vector<HookChange> uninstall_hooks(const fs::path& hooks_dir) {
  std::vector<HookChange> changes;
  for (std::string_view hook : k_autoloop_hooks) {
    fs::path target = hooks_dir / hook;
    fs::path chained = chained_path(hooks_dir, hook);
    std::string action;
    if (is_autoloop_hook(target) || !present(target)) {
      if (present(target)) {
        std::error_code ec;
        fs::remove(target, ec);
        if (ec) throw core::Error("cannot remove " + target.string() + ": " + ec.message());
        action = "removed";
      } else {
        action = "unchanged";
      }
      if (present(chained)) {
        rename_or_throw(chained, target);
        action = "restored";
      }
    } else {
      action = "skipped"; // someone else's hook took our place; it is theirs now
    }
    changes.push_back({std::string(hook), action});
  }
  return changes;
}

} // namespace hookcore
