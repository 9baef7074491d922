#include "hookcore/hook_install.hpp"

#include "../support/temp_repo.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <sys/wait.h>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;
using hookcore::HookChange;
using hookcore::InstallPaths;
using test_support::slurp;
using test_support::TempDir;

namespace {

void write(const fs::path& p, const std::string& text, fs::perms mode) {
  std::ofstream(p, std::ios::binary) << text;
  fs::permissions(p, mode);
}

// This build's autoloop-hook, copied to `dir` (install reads the binary it is given, never runs it).
fs::path hook_binary_in(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path built = fs::path(AUTOLOOP_BINARY_DIR) / "autoloop-hook";
  if (!fs::exists(built)) FAIL("autoloop-hook not built at " << built);
  fs::copy_file(built, dir / "autoloop-hook", fs::copy_options::overwrite_existing);
  return dir / "autoloop-hook";
}

// A /bin/sh shim as earlier builds installed it (recognised by its marker line).
const std::string k_legacy_shim = "#!/bin/sh\n# git-autoloop hook shim (post-commit): written by `git autoloop install`\n"
                                  "exec '/old/autoloop-hook' --main '/old/git-autoloop' --hooks-dir \"${0%/*}\" post-commit \"$@\"\n";

// What a directory holds, precisely enough to say "byte for byte the same": type, mode, bytes or link target.
using Snapshot = std::map<std::string, std::tuple<int, unsigned, std::string>>;
Snapshot snapshot(const fs::path& dir) {
  Snapshot out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto st = fs::symlink_status(entry.path());
    std::string data = fs::is_symlink(st) ? fs::read_symlink(entry.path()).string() : slurp(entry.path());
    out[entry.path().filename().string()] = {static_cast<int>(st.type()), static_cast<unsigned>(st.permissions()), data};
  }
  return out;
}

std::map<std::string, std::string> actions(const std::vector<HookChange>& changes) {
  std::map<std::string, std::string> out;
  for (const auto& c : changes) out[c.hook] = c.action;
  return out;
}

int run_sh(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

TEST_CASE("install_hooks") {
  TempDir tmp;
  const fs::path hooks = tmp.path() / "hooks";
  const InstallPaths paths{hooks, hook_binary_in(tmp.path() / "opt"), "/opt/autoloop/bin/git-autoloop"};

  SECTION("into a missing directory: creates it and installs every hook 0755, one file hard-linked four times") {
    auto changes = hookcore::install_hooks(paths);
    REQUIRE(changes.size() == 4);
    const std::string expected = hookcore::configured_hook(slurp(paths.hook_binary), paths.main_binary);
    for (const auto& c : changes) {
      CHECK(c.action == "installed");
      const fs::path hook = hooks / c.hook;
      CHECK(hookcore::is_autoloop_hook(hook));
      CHECK(fs::status(hook).permissions() == static_cast<fs::perms>(0755));
      CHECK(slurp(hook) == expected);
      CHECK(fs::hard_link_count(hook) == 4);
      CHECK(hookcore::configured_main(slurp(hook)) == paths.main_binary.string());
    }
    CHECK(snapshot(hooks).size() == 4); // no temporary files left
    // The binary it was copied from is left as it was: unconfigured.
    CHECK(hookcore::configured_main(slurp(paths.hook_binary)) == "");
  }

  SECTION("a foreign hook is chained with its bytes and mode") {
    fs::create_directories(hooks);
    write(hooks / "post-commit", "#!/bin/sh\necho mine\n", static_cast<fs::perms>(0750));
    auto changes = actions(hookcore::install_hooks(paths));
    CHECK(changes["post-commit"] == "chained");
    CHECK(changes["pre-push"] == "installed");
    CHECK(slurp(hooks / "post-commit.autoloop-chained") == "#!/bin/sh\necho mine\n");
    CHECK(fs::status(hooks / "post-commit.autoloop-chained").permissions() == static_cast<fs::perms>(0750));
    CHECK(hookcore::is_autoloop_hook(hooks / "post-commit"));
  }

  SECTION("a second install changes nothing") {
    fs::create_directories(hooks);
    write(hooks / "pre-push", "#!/bin/sh\nexit 0\n", static_cast<fs::perms>(0755));
    hookcore::install_hooks(paths);
    Snapshot before = snapshot(hooks);
    for (const auto& c : hookcore::install_hooks(paths)) CHECK(c.action == "unchanged");
    CHECK(snapshot(hooks) == before);
  }

  SECTION("a hook for another main binary, or made non-executable, is updated") {
    hookcore::install_hooks(paths);
    fs::permissions(hooks / "post-merge", static_cast<fs::perms>(0644));
    auto changes = actions(hookcore::install_hooks({hooks, paths.hook_binary, "/new/git-autoloop"}));
    for (const auto& [hook, action] : changes) CHECK(action == "updated");
    CHECK(hookcore::configured_main(slurp(hooks / "post-merge")) == "/new/git-autoloop");
    CHECK(fs::status(hooks / "post-merge").permissions() == static_cast<fs::perms>(0755));
    CHECK(snapshot(hooks).size() == 4);
  }

  SECTION("an earlier build's shell shim is ours: replaced, not chained") {
    fs::create_directories(hooks);
    write(hooks / "post-commit", k_legacy_shim, static_cast<fs::perms>(0755));
    CHECK(hookcore::is_autoloop_hook(hooks / "post-commit"));
    auto changes = actions(hookcore::install_hooks(paths));
    CHECK(changes["post-commit"] == "updated");
    CHECK_FALSE(fs::exists(hooks / "post-commit.autoloop-chained"));
    CHECK(hookcore::configured_main(slurp(hooks / "post-commit")) == paths.main_binary.string());
  }

  SECTION("a hook binary that is not one, or a relative main path: throws, changes nothing") {
    fs::create_directories(hooks);
    write(tmp.path() / "not-a-hook", "#!/bin/sh\n", static_cast<fs::perms>(0755));
    CHECK_THROWS_AS(hookcore::install_hooks({hooks, tmp.path() / "not-a-hook", "/x/git-autoloop"}), core::Error);
    CHECK_THROWS_AS(hookcore::install_hooks({hooks, tmp.path() / "missing", "/x/git-autoloop"}), core::Error);
    CHECK_THROWS_AS(hookcore::install_hooks({hooks, paths.hook_binary, "relative/git-autoloop"}), core::Error);
    CHECK_THROWS_AS(hookcore::install_hooks({hooks, paths.hook_binary, "/" + std::string(5000, 'x')}), core::Error);
    CHECK(snapshot(hooks).empty());
  }

  SECTION("a foreign hook plus an existing chained hook: throws, changes nothing") {
    hookcore::install_hooks(paths);
    write(hooks / "post-commit.autoloop-chained", "old chained\n", static_cast<fs::perms>(0755));
    write(hooks / "post-commit", "#!/bin/sh\n# lefthook\n", static_cast<fs::perms>(0755));
    fs::remove(hooks / "post-merge"); // would be "installed" if anything were applied
    Snapshot before = snapshot(hooks);
    try {
      hookcore::install_hooks(paths);
      FAIL("expected core::Error");
    } catch (const core::Error& e) {
      std::string what = e.what();
      CHECK(what.find("post-commit") != std::string::npos);
      CHECK(what.find("post-commit.autoloop-chained") != std::string::npos);
      CHECK(what.find("git autoloop install") != std::string::npos);
    }
    CHECK(snapshot(hooks) == before);
  }
}

TEST_CASE("uninstall_hooks") {
  TempDir tmp;
  const fs::path hooks = tmp.path() / "hooks";
  const InstallPaths paths{hooks, hook_binary_in(tmp.path() / "opt"), "/opt/git-autoloop"};
  fs::create_directories(hooks);

  SECTION("restores the directory byte for byte: content and mode") {
    write(hooks / "post-commit", "#!/bin/sh\necho one\n", static_cast<fs::perms>(0700));
    write(hooks / "pre-push", "#!/bin/bash\nexit 1\n", static_cast<fs::perms>(0755));
    write(hooks / "pre-commit.sample", "sample\n", static_cast<fs::perms>(0644));
    Snapshot before = snapshot(hooks);
    hookcore::install_hooks(paths);
    REQUIRE(snapshot(hooks) != before);
    auto changes = actions(hookcore::uninstall_hooks(hooks));
    CHECK(changes["post-commit"] == "restored");
    CHECK(changes["pre-push"] == "restored");
    CHECK(changes["post-merge"] == "removed");
    CHECK(changes["post-rewrite"] == "removed");
    CHECK(snapshot(hooks) == before);
  }

  SECTION("a symlinked hook comes back as the same symlink") {
    write(tmp.path() / "shared-hook", "#!/bin/sh\n", static_cast<fs::perms>(0755));
    fs::create_symlink("../shared-hook", hooks / "post-merge");
    fs::create_symlink("/nonexistent/dangling", hooks / "post-rewrite");
    Snapshot before = snapshot(hooks);
    auto installed = actions(hookcore::install_hooks(paths));
    CHECK(installed["post-merge"] == "chained");
    CHECK(installed["post-rewrite"] == "chained");
    CHECK(fs::is_symlink(hooks / "post-merge.autoloop-chained"));
    hookcore::uninstall_hooks(hooks);
    CHECK(fs::is_symlink(hooks / "post-merge"));
    CHECK(fs::read_symlink(hooks / "post-merge") == "../shared-hook");
    CHECK(fs::read_symlink(hooks / "post-rewrite") == "/nonexistent/dangling");
    CHECK(snapshot(hooks) == before);
  }

  SECTION("a foreign hook that replaced ours is left alone; an earlier build's shim is removed") {
    hookcore::install_hooks(paths);
    write(hooks / "post-commit", "#!/bin/sh\n# someone else\n", static_cast<fs::perms>(0755));
    auto changes = actions(hookcore::uninstall_hooks(hooks));
    CHECK(changes["post-commit"] == "skipped");
    CHECK(slurp(hooks / "post-commit") == "#!/bin/sh\n# someone else\n");
    write(hooks / "post-merge", k_legacy_shim, static_cast<fs::perms>(0755));
    CHECK(actions(hookcore::uninstall_hooks(hooks))["post-merge"] == "removed");
    CHECK_FALSE(fs::exists(hooks / "post-merge"));
  }

  SECTION("nothing installed: nothing changes") {
    for (const auto& c : hookcore::uninstall_hooks(hooks)) CHECK(c.action == "unchanged");
    CHECK(snapshot(hooks).empty());
  }
}

TEST_CASE("is_autoloop_hook and configured_main") {
  TempDir tmp;
  const std::string binary = slurp(hook_binary_in(tmp.path() / "bin"));

  SECTION("a configured copy and an earlier shim are ours; other files, symlinks and damaged binaries are not") {
    const fs::path hook = tmp.path() / "post-commit";
    write(hook, hookcore::configured_hook(binary, "/a/git-autoloop"), static_cast<fs::perms>(0755));
    CHECK(hookcore::is_autoloop_hook(hook));
    write(tmp.path() / "shim", k_legacy_shim, static_cast<fs::perms>(0755));
    CHECK(hookcore::is_autoloop_hook(tmp.path() / "shim"));
    fs::create_symlink(hook, tmp.path() / "link");
    CHECK_FALSE(hookcore::is_autoloop_hook(tmp.path() / "link"));
    write(tmp.path() / "other", "#!/bin/sh\n", static_cast<fs::perms>(0755));
    CHECK_FALSE(hookcore::is_autoloop_hook(tmp.path() / "other"));
    fs::copy_file("/bin/true", tmp.path() / "elf");
    CHECK_FALSE(hookcore::is_autoloop_hook(tmp.path() / "elf"));
    CHECK_FALSE(hookcore::is_autoloop_hook(tmp.path() / "missing"));
    CHECK_FALSE(hookcore::is_autoloop_hook(tmp.path()));
    // Cut short (the section table is at the end of the file), or the magic overwritten.
    write(tmp.path() / "cut", binary.substr(0, binary.size() / 2), static_cast<fs::perms>(0755));
    CHECK_FALSE(hookcore::is_autoloop_hook(tmp.path() / "cut"));
    CHECK_FALSE(hookcore::configured_main(binary.substr(0, binary.size() / 2)));
    std::string no_magic = hookcore::configured_hook(binary, "/a/git-autoloop");
    const size_t at = no_magic.find(std::string(hookcore::k_hook_magic) + "/a/git-autoloop");
    REQUIRE(at != std::string::npos);
    no_magic[at] = 'G';
    CHECK_FALSE(hookcore::is_autoloop_hook_content(no_magic));
    CHECK_FALSE(hookcore::configured_main(no_magic));
  }

  SECTION("configured_main reads what configured_hook wrote, and nothing from other bytes") {
    CHECK(hookcore::configured_main(binary) == "");
    const std::string odd = "/dir with space/it's/ünï/git-autoloop";
    CHECK(hookcore::configured_main(hookcore::configured_hook(binary, odd)) == odd);
    // Reconfiguring overwrites a longer path completely.
    const std::string twice = hookcore::configured_hook(hookcore::configured_hook(binary, "/" + std::string(300, 'x')), "/b");
    CHECK(hookcore::configured_main(twice) == "/b");
    CHECK(twice.size() == binary.size());
    CHECK_FALSE(hookcore::configured_main(""));
    CHECK_FALSE(hookcore::configured_main("\x7f" "ELF garbage"));
    CHECK_FALSE(hookcore::configured_main(k_legacy_shim));
    CHECK_THROWS_AS(hookcore::configured_hook("#!/bin/sh\n", "/a"), core::Error);
  }
}

TEST_CASE("an installed hook runs as git runs it") {
  TempDir tmp;
  const fs::path hooks = tmp.path() / "hooks";
  const fs::path main = tmp.path() / "dir with space" / "git-autoloop";
  fs::create_directories(main.parent_path());
  hookcore::install_hooks({hooks, hook_binary_in(tmp.path() / "bin"), main});
  // Outside any repository the hook does nothing of its own, but the chained hook always runs first,
  // with the hook's arguments and stdin, and its status decides a pre-push.
  const fs::path out = tmp.path() / "chained-args";
  write(hooks / "post-commit.autoloop-chained",
        "#!/bin/sh\nfor a in \"$0\" \"$@\"; do printf '%s\\n' \"$a\"; done > " + hookcore::shell_quote(out.string()) + "\n",
        static_cast<fs::perms>(0755));
  const std::string cd = "cd " + hookcore::shell_quote(tmp.path().string()) + " && env -u GIT_DIR GIT_CEILING_DIRECTORIES=" +
                         hookcore::shell_quote(tmp.path().string()) + " ";

  SECTION("by a relative path: the hook name and directory come from it") {
    CHECK(run_sh(cd + "hooks/post-commit a 'b c'") == 0);
    CHECK(slurp(out) == "hooks/post-commit.autoloop-chained\na\nb c\n");
  }

  SECTION("by an absolute path") {
    CHECK(run_sh(cd + hookcore::shell_quote((hooks / "post-commit").string()) + " x") == 0);
    CHECK(slurp(out) == (hooks / "post-commit.autoloop-chained").string() + "\nx\n");
  }

  SECTION("a failing chained pre-push still blocks; a passing one does not") {
    write(hooks / "pre-push.autoloop-chained", "#!/bin/sh\ncat >/dev/null\nexit 1\n", static_cast<fs::perms>(0755));
    CHECK(run_sh(cd + "echo 'refs/heads/a 1 refs/heads/a 2' | hooks/pre-push origin url 2>/dev/null") == 1);
    write(hooks / "pre-push.autoloop-chained", "#!/bin/sh\ncat >/dev/null\nexit 0\n", static_cast<fs::perms>(0755));
    CHECK(run_sh(cd + "echo 'refs/heads/a 1 refs/heads/a 2' | hooks/pre-push origin url 2>/dev/null") == 0);
  }

  SECTION("a copy under a name that is not a hook says so and exits 0") {
    fs::copy_file(hooks / "post-commit", hooks / "pre-commit");
    const fs::path err = tmp.path() / "err";
    CHECK(run_sh(cd + "hooks/pre-commit 2>" + hookcore::shell_quote(err.string())) == 0);
    CHECK(slurp(err).find("not a hook git-autoloop handles") != std::string::npos);
  }
}
