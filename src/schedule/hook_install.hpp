#pragma once
// Installing the hook shims without clobbering anything: a hook that was there before is kept, byte for
// byte, as `<hook>.autoloop-chained` (the shim runs it), and uninstall puts it back. The hooks dir is the
// one git uses (`git rev-parse --git-path hooks`, which honours core.hooksPath); resolving it is the
// caller's job.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace schedule {

// The hooks autoloop installs, in install order.
inline constexpr std::string_view k_autoloop_hooks[] = {"post-commit", "post-merge", "post-rewrite", "pre-push"};

// Suffix of a pre-existing hook moved aside by install_hooks.
inline constexpr std::string_view k_chained_suffix = ".autoloop-chained";

// The line that marks a file as our shim; hooks/shim.sh contains it.
inline constexpr std::string_view k_shim_marker = "# git-autoloop hook shim";

struct InstallPaths {
  std::filesystem::path hooks_dir;
  std::filesystem::path hook_binary;  // absolute path of autoloop-hook
  std::filesystem::path main_binary;  // absolute path of git-autoloop
};

struct HookChange {
  std::string hook;
  std::string action; // installed, updated, unchanged, chained, restored, removed, skipped
};

// Fills the shim template (hooks/shim.sh): @HOOK_BIN@ and @MAIN_BIN@ become single-quoted shell words,
// @HOOK@ the hook name. Throws core::Error when the hook name is not a plain [a-z-] name.
std::string render_shim(std::string_view shim_template, std::string_view hook,
                        const std::filesystem::path& hook_binary, const std::filesystem::path& main_binary);

// `text` as one single-quoted POSIX shell word ('it'\''s'). Never throws.
std::string shell_quote(std::string_view text);

// True when `path` is a regular file (not a symlink) carrying the shim marker line. Never throws.
bool is_autoloop_shim(const std::filesystem::path& path);

// Installs the shim for every hook in k_autoloop_hooks, creating hooks_dir if needed:
//  - no hook → "installed";
//  - our shim → rewritten only when its text or executable bit differs ("updated"), else "unchanged";
//  - a foreign hook (file, symlink, anything) → renamed to <hook>.autoloop-chained, keeping bytes, mode and
//    symlink-ness, then the shim is written ("chained").
// Shims are written atomically, mode 0755. Throws core::Error, before changing anything, when a foreign
// hook and a <hook>.autoloop-chained both exist (another tool replaced our shim): the message says how to
// resolve it. Throws core::Error on I/O failure.
std::vector<HookChange> install_hooks(const InstallPaths& paths, std::string_view shim_template);

// Undoes install_hooks: our shim is removed ("removed"), and <hook>.autoloop-chained renamed back
// ("restored"), so the directory is as it was before install. A foreign hook in place of the shim is left
// alone ("skipped"); nothing to do is "unchanged". Throws core::Error on I/O failure.
std::vector<HookChange> uninstall_hooks(const std::filesystem::path& hooks_dir);

} // namespace schedule
