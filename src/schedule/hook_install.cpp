#include "schedule/hook_install.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"

#include <algorithm>
#include <fstream>
#include <system_error>

namespace schedule {

namespace fs = std::filesystem;

namespace {

constexpr fs::perms k_shim_mode = static_cast<fs::perms>(0755);
// The marker sits in the first lines; a large foreign hook (a binary) need not be read whole.
constexpr std::streamsize k_marker_window = 4096;

// Present in any form, including a dangling symlink (fs::exists follows links and would say no).
bool present(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() != fs::file_type::not_found && !ec;
}

bool contains_marker_line(std::string_view text) {
  if (text.rfind(k_shim_marker, 0) == 0) return true;
  return text.find("\n" + std::string(k_shim_marker)) != std::string_view::npos;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
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

std::string render_shim(std::string_view shim_template, std::string_view hook, const fs::path& hook_binary,
                        const fs::path& main_binary) {
  // The name is pasted unquoted into the shim (and into file names): only git's own hook names qualify.
  if (hook.empty() || !std::all_of(hook.begin(), hook.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; }))
    throw core::Error("not a hook name: '" + std::string(hook) + "'");
  std::string text(shim_template);
  replace_all(text, "@HOOK_BIN@", shell_quote(hook_binary.string()));
  replace_all(text, "@MAIN_BIN@", shell_quote(main_binary.string()));
  replace_all(text, "@HOOK@", hook);
  // Without the marker a second install would take our own shim for a foreign hook and chain it.
  if (!contains_marker_line(text))
    throw core::Error("the hook shim template lacks the line '" + std::string(k_shim_marker) + "'");
  return text;
}

bool is_autoloop_shim(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec)) || ec) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string head(static_cast<size_t>(k_marker_window), '\0');
  in.read(head.data(), k_marker_window);
  head.resize(static_cast<size_t>(in.gcount()));
  return contains_marker_line(head);
}

std::vector<HookChange> install_hooks(const InstallPaths& paths, std::string_view shim_template) {
  std::error_code ec;
  fs::create_directories(paths.hooks_dir, ec);
  if (ec) throw core::Error("cannot create " + paths.hooks_dir.string() + ": " + ec.message());

  // 1. Plan every hook first, so a conflict on one leaves all of them untouched.
  struct Step {
    std::string hook;
    std::string action;
    std::string text;
  };
  std::vector<Step> plan;
  std::vector<std::string> conflicts;
  for (std::string_view hook : k_autoloop_hooks) {
    fs::path target = paths.hooks_dir / hook;
    Step step{std::string(hook), "", render_shim(shim_template, hook, paths.hook_binary, paths.main_binary)};
    if (!present(target)) {
      step.action = "installed";
    } else if (is_autoloop_shim(target)) {
      auto current = core::read_file(target);
      step.action = current == step.text && owner_executable(target) ? "unchanged" : "updated";
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
        " replaced the git-autoloop shim (another tool rewrote it) while the hook it chained is still kept as " +
        first + std::string(k_chained_suffix) + ". Merge the two into one script (for example append the commands of " +
        first + " to " + first + std::string(k_chained_suffix) + " and delete " + first +
        "), or delete whichever is obsolete, then run `git autoloop install` again. Nothing was changed.");
  }

  // 2. Apply: move foreign hooks aside (rename keeps bytes, mode and symlinks), then write the shims.
  std::vector<HookChange> changes;
  for (const auto& step : plan) {
    fs::path target = paths.hooks_dir / step.hook;
    if (step.action == "chained") rename_or_throw(target, chained_path(paths.hooks_dir, step.hook));
    if (step.action != "unchanged") core::write_file_atomic(target, step.text, k_shim_mode);
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
    if (is_autoloop_shim(target) || !present(target)) {
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
      action = "skipped"; // someone else's hook took the shim's place; it is theirs now
    }
    changes.push_back({std::string(hook), action});
  }
  return changes;
}

} // namespace schedule
