#include "schedule/hook_install.hpp"

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
using schedule::HookChange;
using schedule::InstallPaths;
using test_support::slurp;
using test_support::TempDir;

namespace {

void write(const fs::path& p, const std::string& text, fs::perms mode) {
  std::ofstream(p, std::ios::binary) << text;
  fs::permissions(p, mode);
}

// The real template from hooks/shim.sh in the source tree.
std::string shim_template() {
#ifdef AUTOLOOP_SOURCE_DIR
  const fs::path source_dir = AUTOLOOP_SOURCE_DIR;
#else
  const fs::path source_dir = fs::path(__FILE__).parent_path() / ".." / ".." / "..";
#endif
  const fs::path shim = source_dir / "hooks" / "shim.sh";
  if (!fs::exists(shim)) FAIL("hooks/shim.sh not found at " << shim);
  return slurp(shim);
}

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
  const InstallPaths paths{hooks, "/opt/autoloop/bin/autoloop-hook", "/opt/autoloop/bin/git-autoloop"};
  const std::string tmpl = shim_template();

  SECTION("into a missing directory: creates it and installs every shim 0755") {
    auto changes = schedule::install_hooks(paths, tmpl);
    REQUIRE(changes.size() == 4);
    for (const auto& c : changes) {
      CHECK(c.action == "installed");
      const fs::path hook = hooks / c.hook;
      CHECK(schedule::is_autoloop_shim(hook));
      CHECK(fs::status(hook).permissions() == static_cast<fs::perms>(0755));
      CHECK(slurp(hook) == schedule::render_shim(tmpl, c.hook, paths.hook_binary, paths.main_binary));
    }
    CHECK(snapshot(hooks).size() == 4); // no temporary files left
  }

  SECTION("a foreign hook is chained with its bytes and mode") {
    fs::create_directories(hooks);
    write(hooks / "post-commit", "#!/bin/sh\necho mine\n", static_cast<fs::perms>(0750));
    auto changes = actions(schedule::install_hooks(paths, tmpl));
    CHECK(changes["post-commit"] == "chained");
    CHECK(changes["pre-push"] == "installed");
    CHECK(slurp(hooks / "post-commit.autoloop-chained") == "#!/bin/sh\necho mine\n");
    CHECK(fs::status(hooks / "post-commit.autoloop-chained").permissions() == static_cast<fs::perms>(0750));
    CHECK(schedule::is_autoloop_shim(hooks / "post-commit"));
  }

  SECTION("a second install changes nothing") {
    fs::create_directories(hooks);
    write(hooks / "pre-push", "#!/bin/sh\nexit 0\n", static_cast<fs::perms>(0755));
    schedule::install_hooks(paths, tmpl);
    Snapshot before = snapshot(hooks);
    for (const auto& c : schedule::install_hooks(paths, tmpl)) CHECK(c.action == "unchanged");
    CHECK(snapshot(hooks) == before);
  }

  SECTION("a shim for other binaries, or made non-executable, is updated") {
    schedule::install_hooks(paths, tmpl);
    fs::permissions(hooks / "post-merge", static_cast<fs::perms>(0644));
    auto changes = actions(schedule::install_hooks({hooks, "/new/autoloop-hook", "/new/git-autoloop"}, tmpl));
    for (const auto& [hook, action] : changes) CHECK(action == "updated");
    CHECK(slurp(hooks / "post-merge").find("/new/autoloop-hook") != std::string::npos);
    CHECK(fs::status(hooks / "post-merge").permissions() == static_cast<fs::perms>(0755));
  }

  SECTION("a foreign hook plus an existing chained hook: throws, changes nothing") {
    schedule::install_hooks(paths, tmpl);
    write(hooks / "post-commit.autoloop-chained", "old chained\n", static_cast<fs::perms>(0755));
    write(hooks / "post-commit", "#!/bin/sh\n# lefthook\n", static_cast<fs::perms>(0755));
    fs::remove(hooks / "post-merge"); // would be "installed" if anything were applied
    Snapshot before = snapshot(hooks);
    try {
      schedule::install_hooks(paths, tmpl);
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
  const InstallPaths paths{hooks, "/opt/autoloop-hook", "/opt/git-autoloop"};
  const std::string tmpl = shim_template();
  fs::create_directories(hooks);

  SECTION("restores the directory byte for byte: content and mode") {
    write(hooks / "post-commit", "#!/bin/sh\necho one\n", static_cast<fs::perms>(0700));
    write(hooks / "pre-push", "#!/bin/bash\nexit 1\n", static_cast<fs::perms>(0755));
    write(hooks / "pre-commit.sample", "sample\n", static_cast<fs::perms>(0644));
    Snapshot before = snapshot(hooks);
    schedule::install_hooks(paths, tmpl);
    REQUIRE(snapshot(hooks) != before);
    auto changes = actions(schedule::uninstall_hooks(hooks));
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
    auto installed = actions(schedule::install_hooks(paths, tmpl));
    CHECK(installed["post-merge"] == "chained");
    CHECK(installed["post-rewrite"] == "chained");
    CHECK(fs::is_symlink(hooks / "post-merge.autoloop-chained"));
    schedule::uninstall_hooks(hooks);
    CHECK(fs::is_symlink(hooks / "post-merge"));
    CHECK(fs::read_symlink(hooks / "post-merge") == "../shared-hook");
    CHECK(fs::read_symlink(hooks / "post-rewrite") == "/nonexistent/dangling");
    CHECK(snapshot(hooks) == before);
  }

  SECTION("a foreign hook that replaced the shim is left alone") {
    schedule::install_hooks(paths, tmpl);
    write(hooks / "post-commit", "#!/bin/sh\n# someone else\n", static_cast<fs::perms>(0755));
    auto changes = actions(schedule::uninstall_hooks(hooks));
    CHECK(changes["post-commit"] == "skipped");
    CHECK(slurp(hooks / "post-commit") == "#!/bin/sh\n# someone else\n");
  }

  SECTION("nothing installed: nothing changes") {
    for (const auto& c : schedule::uninstall_hooks(hooks)) CHECK(c.action == "unchanged");
    CHECK(snapshot(hooks).empty());
  }
}

TEST_CASE("is_autoloop_shim") {
  TempDir tmp;

  SECTION("recognises a rendered shim, not other files or symlinks to a shim") {
    const fs::path shim = tmp.path() / "post-commit";
    write(shim, schedule::render_shim(shim_template(), "post-commit", "/a", "/b"), static_cast<fs::perms>(0755));
    CHECK(schedule::is_autoloop_shim(shim));
    fs::create_symlink(shim, tmp.path() / "link");
    CHECK_FALSE(schedule::is_autoloop_shim(tmp.path() / "link"));
    write(tmp.path() / "other", "#!/bin/sh\n", static_cast<fs::perms>(0755));
    CHECK_FALSE(schedule::is_autoloop_shim(tmp.path() / "other"));
    CHECK_FALSE(schedule::is_autoloop_shim(tmp.path() / "missing"));
    CHECK_FALSE(schedule::is_autoloop_shim(tmp.path()));
  }
}

TEST_CASE("render_shim") {
  TempDir tmp;
  const std::string tmpl = shim_template();
  const fs::path hooks = tmp.path() / "hooks";
  fs::create_directories(hooks);
  const fs::path odd_dir = tmp.path() / "dir with space" / "it's";
  fs::create_directories(odd_dir);

  SECTION("quotes paths with spaces and single quotes") {
    std::string text = schedule::render_shim(tmpl, "post-commit", odd_dir / "autoloop-hook", "/usr/bin/git-autoloop");
    CHECK(text.find("@HOOK") == std::string::npos);
    CHECK(text.find("@MAIN_BIN@") == std::string::npos);
    CHECK(text.find(schedule::shell_quote((odd_dir / "autoloop-hook").string())) != std::string::npos);
    CHECK(schedule::shell_quote("it's") == "'it'\\''s'");
    CHECK(run_sh("/bin/sh -n -c " + schedule::shell_quote(text)) == 0);
  }

  SECTION("rejects hook names that are not plain") {
    CHECK_THROWS_AS(schedule::render_shim(tmpl, "post-commit; rm -rf /", "/a", "/b"), core::Error);
    CHECK_THROWS_AS(schedule::render_shim(tmpl, "", "/a", "/b"), core::Error);
  }

  SECTION("rejects a template without the marker line") {
    CHECK_THROWS_AS(schedule::render_shim("#!/bin/sh\nexec @HOOK_BIN@\n", "post-commit", "/a", "/b"), core::Error);
  }

  SECTION("the shim execs the hook binary with --main, --hooks-dir, the hook and its arguments") {
    const fs::path fake = odd_dir / "autoloop-hook";
    const fs::path out = tmp.path() / "args";
    write(fake, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + schedule::shell_quote(out.string()) + "\n",
          static_cast<fs::perms>(0755));
    write(hooks / "post-commit", schedule::render_shim(tmpl, "post-commit", fake, odd_dir / "git-autoloop"),
          static_cast<fs::perms>(0755));
    CHECK(run_sh("cd " + schedule::shell_quote(tmp.path().string()) + " && hooks/post-commit a 'b c'") == 0);
    CHECK(slurp(out) == "--main\n" + (odd_dir / "git-autoloop").string() + "\n--hooks-dir\nhooks\npost-commit\na\nb c\n");
  }

  SECTION("with the hook binary missing: warns, runs the chained hook, exits 0") {
    const fs::path out = tmp.path() / "chained-ran";
    write(hooks / "post-commit", schedule::render_shim(tmpl, "post-commit", odd_dir / "missing-hook", "/bin/true"),
          static_cast<fs::perms>(0755));
    write(hooks / "post-commit.autoloop-chained",
          "#!/bin/sh\necho \"$# $1 $2\" > " + schedule::shell_quote(out.string()) + "\nexit 0\n", static_cast<fs::perms>(0755));
    const fs::path err = tmp.path() / "stderr";
    CHECK(run_sh("cd " + schedule::shell_quote(tmp.path().string()) + " && /bin/sh hooks/post-commit x 'y z' 2>" +
                 schedule::shell_quote(err.string())) == 0);
    CHECK(slurp(out) == "2 x y z\n");
    std::string warning = slurp(err);
    CHECK(std::count(warning.begin(), warning.end(), '\n') == 1);
    CHECK(warning.find("missing-hook") != std::string::npos);
  }

  SECTION("with the hook binary missing and no chained hook: exits 0") {
    write(hooks / "post-merge", schedule::render_shim(tmpl, "post-merge", odd_dir / "missing-hook", "/bin/true"),
          static_cast<fs::perms>(0755));
    CHECK(run_sh("/bin/sh " + schedule::shell_quote((hooks / "post-merge").string()) + " 0 2>/dev/null") == 0);
  }

  SECTION("with the hook binary missing, a failing chained pre-push still blocks") {
    write(hooks / "pre-push", schedule::render_shim(tmpl, "pre-push", odd_dir / "missing-hook", "/bin/true"),
          static_cast<fs::perms>(0755));
    write(hooks / "pre-push.autoloop-chained", "#!/bin/sh\ncat >/dev/null\nexit 1\n", static_cast<fs::perms>(0755));
    CHECK(run_sh("echo 'refs/heads/a 1 refs/heads/a 2' | " + schedule::shell_quote((hooks / "pre-push").string()) +
                 " origin url 2>/dev/null") == 1);
  }
}
