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

TEST_CASE("hooks_dir_in_work_tree") {
  TempDir tmp;
  const fs::path top = tmp.path() / "repo";
  const fs::path git = top / ".git";
  fs::create_directories(top / ".husky" / "_");
  fs::create_directories(git / "hooks");
  CHECK(hookcore::hooks_dir_in_work_tree(top / ".husky" / "_", top, git));
  CHECK(hookcore::hooks_dir_in_work_tree(top / ".githooks", top, git)); // not created yet
  CHECK(hookcore::hooks_dir_in_work_tree(top, top, git));
  CHECK_FALSE(hookcore::hooks_dir_in_work_tree(git / "hooks", top, git)); // git's own
  CHECK_FALSE(hookcore::hooks_dir_in_work_tree(top / ".." / "elsewhere", top, git));
  CHECK_FALSE(hookcore::hooks_dir_in_work_tree(tmp.path() / "repo-hooks", top, git)); // a prefix of the name is not inside
  CHECK_FALSE(hookcore::hooks_dir_in_work_tree(git / ".." / ".." / "x", top, git));
}

TEST_CASE("has_hook_call") {
  SECTION("the lines install writes, for each hook and both spellings of the program") {
    for (std::string_view hook : hookcore::k_autoloop_hooks) {
      const std::string h(hook);
      CHECK(hookcore::has_hook_call("#!/bin/sh\n" + hookcore::hook_call_line(hook, "git autoloop") + "\n", hook));
      CHECK(hookcore::has_hook_call("#!/bin/sh\n" + hookcore::hook_call_line(hook, "/opt/it's/git-autoloop") + "\n", hook));
      CHECK_FALSE(hookcore::has_hook_call("#!/bin/sh\n" + hookcore::hook_call_line(hook, "git autoloop") + "\n",
                                          h == "pre-push" ? "post-commit" : "pre-push"));
    }
  }
  SECTION("the README's snippets, and what is not a call") {
    CHECK(hookcore::has_hook_call("git autoloop hook post-commit \"$@\"\n", "post-commit"));
    CHECK(hookcore::has_hook_call("#!/bin/sh\n  git-autoloop hook post-merge $1", "post-merge"));
    CHECK_FALSE(hookcore::has_hook_call("# git autoloop hook post-commit \"$@\"\n", "post-commit"));
    CHECK_FALSE(hookcore::has_hook_call("echo done # git autoloop hook post-commit\n", "post-commit"));
    CHECK_FALSE(hookcore::has_hook_call("git autoloop hook post-commit-extra\n", "post-commit"));
    CHECK_FALSE(hookcore::has_hook_call("git hook post-commit\n", "post-commit"));
  }
}

TEST_CASE("install_hook_calls and uninstall_hook_calls") {
  TempDir tmp;
  const fs::path hooks = tmp.path() / ".githooks";
  fs::create_directories(hooks);
  const std::string husky = "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"";

  SECTION("missing hooks are created; scripts get the line after `#!`; twice is once; uninstall restores") {
    write(hooks / "post-commit", husky, static_cast<fs::perms>(0750));
    write(hooks / "pre-push", "#!/bin/sh\nset -e\nnpm test\n", static_cast<fs::perms>(0755));
    const Snapshot before = snapshot(hooks);
    auto changes = actions(hookcore::install_hook_calls(hooks, "git autoloop"));
    CHECK(changes["post-commit"] == "line added");
    CHECK(changes["pre-push"] == "line added");
    CHECK(changes["post-merge"] == "created");
    CHECK(changes["post-rewrite"] == "created");
    CHECK(slurp(hooks / "post-commit") ==
          "#!/usr/bin/env sh\n" + hookcore::hook_call_line("post-commit", "git autoloop") + "\n. \"$(dirname \"$0\")/h\"");
    CHECK(fs::status(hooks / "post-commit").permissions() == static_cast<fs::perms>(0750));
    CHECK(slurp(hooks / "post-merge") == "#!/bin/sh\n" + hookcore::hook_call_line("post-merge", "git autoloop") + "\n");
    CHECK(fs::status(hooks / "post-merge").permissions() == static_cast<fs::perms>(0755));
    for (std::string_view hook : hookcore::k_autoloop_hooks) {
      CHECK(hookcore::hook_reaches_autoloop(hooks, hook));
      CHECK_FALSE(hookcore::is_autoloop_hook(hooks / hook)); // a script, not our binary
    }

    const Snapshot installed = snapshot(hooks);
    for (const auto& c : hookcore::install_hook_calls(hooks, "git autoloop")) CHECK(c.action == "unchanged");
    CHECK(snapshot(hooks) == installed);

    auto removed = actions(hookcore::uninstall_hook_calls(hooks));
    CHECK(removed["post-commit"] == "line removed");
    CHECK(removed["post-merge"] == "removed");
    CHECK(snapshot(hooks) == before);
  }

  SECTION("our binary of an earlier install: the script it chained comes back, with the line") {
    const InstallPaths paths{hooks, hook_binary_in(tmp.path() / "opt"), "/opt/autoloop/bin/git-autoloop"};
    write(hooks / "post-commit", "#!/bin/sh\necho mine\n", static_cast<fs::perms>(0755));
    hookcore::install_hooks(paths);
    auto changes = actions(hookcore::install_hook_calls(hooks, "/opt/autoloop/bin/git-autoloop"));
    CHECK(changes["post-commit"] == "converted");
    CHECK(changes["pre-push"] == "converted");
    CHECK_FALSE(fs::exists(hooks / "post-commit.autoloop-chained"));
    CHECK(slurp(hooks / "post-commit") ==
          "#!/bin/sh\n" + hookcore::hook_call_line("post-commit", "/opt/autoloop/bin/git-autoloop") + "\necho mine\n");
    CHECK(slurp(hooks / "pre-push").rfind("#!/bin/sh\n", 0) == 0);
    for (const auto& entry : fs::directory_iterator(hooks)) CHECK_FALSE(hookcore::is_autoloop_hook(entry.path()));
  }

  SECTION("a hook that is not a script: throws, naming it, and changes nothing") {
    write(hooks / "post-merge", std::string("\x7f" "ELF not ours", 12), static_cast<fs::perms>(0755));
    const Snapshot before = snapshot(hooks);
    try {
      hookcore::install_hook_calls(hooks, "git autoloop");
      FAIL("expected core::Error");
    } catch (const core::Error& e) {
      CHECK(std::string(e.what()).find((hooks / "post-merge").string() + " is not a shell script") != std::string::npos);
    }
    CHECK(snapshot(hooks) == before);
  }

  SECTION("husky: a call in the project's .husky/<hook> reaches us through husky's generated script") {
    const fs::path underscore = tmp.path() / ".husky" / "_";
    fs::create_directories(underscore);
    write(underscore / "h", "#!/usr/bin/env sh\n", static_cast<fs::perms>(0755));
    write(underscore / "post-commit", husky, static_cast<fs::perms>(0755));
    CHECK_FALSE(hookcore::hook_reaches_autoloop(underscore, "post-commit"));
    write(tmp.path() / ".husky" / "post-commit", "git autoloop hook post-commit \"$@\"\n", static_cast<fs::perms>(0644));
    CHECK(hookcore::hook_reaches_autoloop(underscore, "post-commit"));
    CHECK_FALSE(hookcore::hook_reaches_autoloop(underscore, "pre-push"));
  }
}

TEST_CASE("hook_call_line runs as a shell line") {
  TempDir tmp;
  // A stand-in for git-autoloop that records its arguments and stdin, and exits with $STATUS.
  const fs::path fake = tmp.path() / "bin" / "git-autoloop";
  fs::create_directories(fake.parent_path());
  const std::string record = hookcore::shell_quote((tmp.path() / "record").string());
  write(fake, "#!/bin/sh\necho \"$*\" >" + record + "\ncat >>" + record + "\nexit ${STATUS:-0}\n", static_cast<fs::perms>(0755));
  const fs::path script = tmp.path() / "pre-push";
  const std::string rest = hookcore::shell_quote((tmp.path() / "rest").string());
  write(script, "#!/bin/sh\n" + hookcore::hook_call_line("pre-push", fake.string()) + "\ncat >" + rest + "\n",
        static_cast<fs::perms>(0755));
  const std::string run = "cd " + hookcore::shell_quote(tmp.path().string()) + " && printf 'refs x\\n' | ";

  SECTION("stdin reaches both git-autoloop and the rest of the script") {
    CHECK(run_sh(run + "./pre-push origin url") == 0);
    CHECK(slurp(tmp.path() / "record") == "hook pre-push origin url\nrefs x\n");
    CHECK(slurp(tmp.path() / "rest") == "refs x\n");
  }
  SECTION("a block (status 1) ends the script with 1; another failure does not block") {
    CHECK(run_sh(run + "STATUS=1 ./pre-push origin url") == 1);
    CHECK_FALSE(fs::exists(tmp.path() / "rest"));
    CHECK(run_sh(run + "STATUS=70 ./pre-push origin url") == 0);
    CHECK(slurp(tmp.path() / "rest") == "refs x\n");
  }
  SECTION("without the program, nothing runs and nothing fails") {
    fs::remove(fake);
    CHECK(run_sh(run + "./pre-push origin url") == 0);
    CHECK(slurp(tmp.path() / "rest") == "refs x\n");
  }
}
