#pragma once
// Installing the hooks without clobbering anything: a hook that was there before is kept, byte for
// byte, as `<hook>.autoloop-chained` (our hook runs it first), and uninstall puts it back. The hooks dir
// is the one git uses (`git rev-parse --git-path hooks`, which honours core.hooksPath); resolving it is
// the caller's job.
//
// Each installed hook is a copy of the autoloop-hook binary itself (the four hooks share one file by
// hard links where the filesystem allows), with the path of the main git-autoloop binary written into
// its configuration block: its own ELF section, `.autoloop_hook`. git then starts our code directly,
// with no shell in between (a /bin/sh shim cost as much again as the hook's own work), and a hook keeps
// working, and keeps running the chained hook, even when the installed autoloop-hook is removed later.
// Earlier builds installed a /bin/sh shim instead; it is still recognised as ours, and replaced.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The hook binary's configuration block starts with this; the main binary's path follows, NUL-ended.
#define AUTOLOOP_HOOK_MAGIC "git-autoloop hook 1\n"

namespace hookcore {

// The hooks autoloop installs, in install order.
inline constexpr std::string_view k_autoloop_hooks[] = {"post-commit", "post-merge", "post-rewrite", "pre-push"};

// Suffix of a pre-existing hook moved aside by install_hooks.
inline constexpr std::string_view k_chained_suffix = ".autoloop-chained";

// The ELF section holding the configuration block, its size, and its first bytes.
inline constexpr const char* k_hook_section = ".autoloop_hook";
inline constexpr size_t k_hook_config_size = 4096;
inline constexpr std::string_view k_hook_magic = AUTOLOOP_HOOK_MAGIC;

// The line that marked the /bin/sh shims of earlier versions.
inline constexpr std::string_view k_legacy_shim_marker = "# git-autoloop hook shim";

struct InstallPaths {
  std::filesystem::path hooks_dir;
  std::filesystem::path hook_binary;  // absolute path of autoloop-hook (the build to copy)
  std::filesystem::path main_binary;  // absolute path of git-autoloop (what the hooks run)
};

struct HookChange {
  std::string hook;
  std::string action; // installed, updated, unchanged, chained, restored, removed, skipped
};

// `hook_binary` (the bytes of an autoloop-hook build) with `main_binary` written into its configuration
// block: the content of an installed hook. Throws core::Error when the bytes are not a hook binary, or
// the path is relative, contains a NUL, or does not fit the block.
std::string configured_hook(std::string_view hook_binary, const std::filesystem::path& main_binary);

// `text` as one single-quoted POSIX shell word ('it'\''s'). Never throws.
std::string shell_quote(std::string_view text);

// The main binary a hook binary's configuration block names ("" when it was never configured), or
// nullopt when `bytes` are not a hook binary. Never throws.
std::optional<std::string> configured_main(std::string_view bytes);

// True when `path` is one of our hooks: a regular file (not a symlink) that is a hook binary, or a
// shim of an earlier version. Reads only the ELF headers and the block. Never throws.
bool is_autoloop_hook(const std::filesystem::path& path);

// The same for a file's content (a hook binary, or a shim). Never throws.
bool is_autoloop_hook_content(std::string_view bytes);

// Installs every hook in k_autoloop_hooks, creating hooks_dir if needed:
//  - no hook → "installed";
//  - ours (also an earlier version's shim) → rewritten only when its bytes or executable bit differ
//    from what this build installs ("updated"), else "unchanged";
//  - a foreign hook (file, symlink, anything) → renamed to <hook>.autoloop-chained, keeping bytes, mode
//    and symlink-ness, then ours is written ("chained").
// Hooks are written atomically, mode 0755. Throws core::Error, before changing anything, when a
// foreign hook and a <hook>.autoloop-chained both exist (another tool replaced our hook): the message
// says how to resolve it; also when paths.hook_binary cannot be read or is not a hook binary. Throws
// core::Error on I/O failure.
std::vector<HookChange> install_hooks(const InstallPaths& paths);

// Undoes install_hooks: our hook is removed ("removed"), and <hook>.autoloop-chained renamed back
// ("restored"), so the directory is as it was before install. A foreign hook in place of ours is left
// alone ("skipped"); nothing to do is "unchanged". Throws core::Error on I/O failure.
std::vector<HookChange> uninstall_hooks(const std::filesystem::path& hooks_dir);

} // namespace hookcore
