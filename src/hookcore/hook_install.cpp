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

// Uninstalls our binary for one hook, putting back the hook it chained.
HookChange uninstall_binary(const fs::path& hooks_dir, std::string_view hook) {
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
  return {std::string(hook), action};
}

// What install_hook_calls writes where there was no hook, before the line.
constexpr char k_created_script_head[] = "#!/bin/sh\n";

// The file a hook path names, through a symlink (husky's and lefthook's are plain files; a user's may not be).
fs::path real_path(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_symlink(p, ec)) return p;
  fs::path real = fs::canonical(p, ec);
  return ec ? p : real;
}

// A hook's content when it is a script (`#!` first) in a regular file, directly or through a symlink.
std::optional<std::string> read_script(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  auto text = core::read_file(p);
  if (!text || text->rfind("#!", 0) != 0) return std::nullopt;
  return text;
}

// `p` is a script calling `hook`. husky's own scripts (.husky/<hook>) have no `#!` line: husky runs them with sh.
bool script_has_call(const fs::path& p, std::string_view hook, bool needs_shebang = true) {
  try {
    std::error_code ec;
    auto script = needs_shebang ? read_script(p) : fs::is_regular_file(p, ec) ? core::read_file(p) : std::nullopt;
    return script && has_hook_call(*script, hook);
  } catch (const std::exception&) {
    return false;
  }
}

// A line that runs git-autoloop's `hook <hook>`: "autoloop", then "hook <hook>" as whole words, outside
// a comment.
bool is_hook_call_line(std::string_view line, std::string_view hook) {
  const size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos || line[first] == '#') return false;
  const size_t comment = line.find(" #");
  const std::string_view code = line.substr(0, comment);
  const size_t name = code.find("autoloop");
  if (name == std::string_view::npos) return false;
  const std::string wanted = "hook " + std::string(hook);
  for (size_t at = code.find(wanted, name); at != std::string_view::npos; at = code.find(wanted, at + 1)) {
    const size_t after = at + wanted.size();
    const bool word_end = after == code.size() || std::string_view(" \t;|&\"'\r\n").find(code[after]) != std::string_view::npos;
    const bool word_start = at > 0 && (code[at - 1] == ' ' || code[at - 1] == '\'' || code[at - 1] == '"');
    if (word_start && word_end) return true;
  }
  return false;
}

// Inserts `line` after the `#!` line of the script at `p` (through a symlink), keeping its mode.
void add_line(const fs::path& p, const std::string& line) {
  const fs::path real = real_path(p);
  std::string text = core::read_file(real).value_or("");
  size_t nl = text.find('\n');
  if (nl == std::string::npos) {
    text += '\n';
    nl = text.size() - 1;
  }
  text.insert(nl + 1, line);
  core::write_file_atomic(real, text, fs::status(real).permissions());
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
  for (std::string_view hook : k_autoloop_hooks) changes.push_back(uninstall_binary(hooks_dir, hook));
  return changes;
}

bool hooks_dir_in_work_tree(const fs::path& hooks_dir, const fs::path& work_tree, const fs::path& common_dir) {
  std::error_code ec;
  auto normal = [&ec](const fs::path& p) { return fs::weakly_canonical(fs::absolute(p, ec), ec); };
  auto below = [](const fs::path& p, const fs::path& top) {
    const fs::path relative = p.lexically_relative(top);
    return !relative.empty() && *relative.begin() != "..";
  };
  const fs::path dir = normal(hooks_dir), top = normal(work_tree), git = normal(common_dir);
  if (ec) return false;
  return below(dir, top) && !below(dir, git);
}

std::string hook_call_line(std::string_view hook, const std::string& program) {
  const bool via_git = program == "git autoloop";
  const std::string run = via_git ? program : shell_quote(program);
  const std::string there = via_git ? "command -v git-autoloop >/dev/null 2>&1" : "[ -x " + shell_quote(program) + " ]";
  const std::string call = run + " hook " + std::string(hook) + " \"$@\"";
  const std::string marker = "  " + std::string(k_hook_call_marker);
  if (hook == "pre-push")
    return "if " + there + "; then t=$(mktemp) && cat >\"$t\" && { " + call +
           " <\"$t\" && s=0 || s=$?; exec <\"$t\"; rm -f \"$t\"; [ \"$s\" != 1 ] || exit 1; }; fi" + marker;
  if (hook == "post-rewrite")
    return "if " + there + "; then t=$(mktemp) && cat >\"$t\" && { " + call +
           " <\"$t\" || :; exec <\"$t\"; rm -f \"$t\"; }; fi" + marker;
  return there + " && " + call + " || :" + marker;
}

bool has_hook_call(std::string_view script, std::string_view hook) {
  for (size_t at = 0; at < script.size();) {
    size_t nl = script.find('\n', at);
    if (nl == std::string_view::npos) nl = script.size();
    if (is_hook_call_line(script.substr(at, nl - at), hook)) return true;
    at = nl + 1;
  }
  return false;
}

bool hook_reaches_autoloop(const fs::path& hooks_dir, std::string_view hook) {
  const fs::path target = hooks_dir / hook;
  if (is_autoloop_hook(target)) return true;
  if (script_has_call(target, hook)) return true;
  // husky 9: `.husky/_/<hook>` sources `.husky/_/h`, which runs the project's `.husky/<hook>`.
  return hooks_dir.filename() == "_" && present(hooks_dir / "h") && script_has_call(hooks_dir.parent_path() / hook, hook, false);
}

std::vector<HookChange> install_hook_calls(const fs::path& hooks_dir, const std::string& program) {
  std::error_code ec;
  fs::create_directories(hooks_dir, ec);
  if (ec) throw core::Error("cannot create " + hooks_dir.string() + ": " + ec.message());

  // 1. Plan every hook first: a hook we cannot add a line to leaves all of them untouched.
  std::vector<HookChange> plan;
  std::vector<std::string> refusals;
  for (std::string_view hook : k_autoloop_hooks) {
    const fs::path target = hooks_dir / hook;
    HookChange step{std::string(hook), ""};
    if (!present(target)) {
      step.action = "created";
    } else if (is_autoloop_hook(target)) {
      const fs::path chained = chained_path(hooks_dir, hook);
      if (present(chained) && !read_script(chained))
        refusals.push_back(chained.string() + " is not a shell script");
      step.action = "converted";
    } else if (auto script = read_script(target)) {
      step.action = has_hook_call(*script, hook) ? "unchanged" : "line added";
    } else {
      refusals.push_back(target.string() + " is not a shell script");
    }
    plan.push_back(std::move(step));
  }
  if (!refusals.empty()) {
    std::string list;
    for (const auto& r : refusals) list += (list.empty() ? "" : "; ") + r;
    throw core::Error("cannot add the git-autoloop line to the hooks in " + hooks_dir.string() + ": " + list +
                      ". Call `git autoloop hook <name> \"$@\"` from that hook yourself (README: Hook managers). "
                      "Nothing was changed.");
  }

  // 2. Apply.
  for (const auto& step : plan) {
    const fs::path target = hooks_dir / step.hook;
    const std::string line = hook_call_line(step.hook, program) + "\n";
    if (step.action == "created") {
      core::write_file_atomic(target, k_created_script_head + line, k_hook_mode);
    } else if (step.action == "converted") {
      const fs::path chained = chained_path(hooks_dir, step.hook);
      if (present(chained)) {
        rename_or_throw(chained, target); // the script our binary ran first is the hook again
        add_line(target, line);
      } else {
        core::write_file_atomic(target, k_created_script_head + line, k_hook_mode);
      }
    } else if (step.action == "line added") {
      add_line(target, line);
    }
  }
  return plan;
}

std::vector<HookChange> uninstall_hook_calls(const fs::path& hooks_dir) {
  std::vector<HookChange> changes;
  for (std::string_view hook : k_autoloop_hooks) {
    const fs::path target = hooks_dir / hook;
    if (is_autoloop_hook(target)) {
      changes.push_back(uninstall_binary(hooks_dir, hook));
      continue;
    }
    HookChange change{std::string(hook), "unchanged"};
    auto script = read_script(target);
    if (script && has_hook_call(*script, hook)) {
      std::string kept;
      for (size_t at = 0; at < script->size();) {
        size_t nl = script->find('\n', at);
        const size_t end = nl == std::string::npos ? script->size() : nl + 1;
        const std::string_view line = std::string_view(*script).substr(at, end - at);
        if (!is_hook_call_line(line, hook)) kept += line;
        at = end;
      }
      const fs::path real = real_path(target);
      if (kept == k_created_script_head) {
        std::error_code ec;
        fs::remove(target, ec);
        if (ec) throw core::Error("cannot remove " + target.string() + ": " + ec.message());
        change.action = "removed";
      } else {
        core::write_file_atomic(real, kept, fs::status(real).permissions());
        change.action = "line removed";
      }
    }
    changes.push_back(change);
  }
  return changes;
}

std::optional<fs::path> find_on_path(std::string_view name) {
  const char* path = std::getenv("PATH");
  if (!path) return std::nullopt;
  const std::string_view dirs(path);
  for (size_t at = 0; at <= dirs.size();) {
    size_t colon = dirs.find(':', at);
    if (colon == std::string_view::npos) colon = dirs.size();
    const fs::path dir = colon == at ? fs::path(".") : fs::path(std::string(dirs.substr(at, colon - at)));
    const fs::path candidate = dir / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return dir;
    at = colon + 1;
  }
  return std::nullopt;
}

} // namespace hookcore
