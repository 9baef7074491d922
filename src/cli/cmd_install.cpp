// git autoloop install [--no-config-file] [--attributes] | uninstall [--purge]: the hooks and the merge driver
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/resources.hpp"
#include "loop/context.hpp"
#include "merge/install.hpp"
#include "safety/validation.hpp"
#include "hookcore/hook_install.hpp"

#include <cstdio>

namespace cli {

namespace {

loop::Context open_plain(const Global& g) {
  return loop::Context::open(open_options(g, false)); // install must work before (and despite) any config
}

void print_changes(const std::vector<hookcore::HookChange>& changes, const std::filesystem::path& dir) {
  for (const auto& c : changes) std::printf("  %-12s %s\n", c.hook.c_str(), c.action.c_str());
  std::printf("hooks directory: %s\n", dir.c_str());
}

void print_driver_changes(const std::vector<merge::DriverChange>& changes) {
  for (const auto& c : changes) std::printf("  %-22s %s\n", c.what.c_str(), c.action.c_str());
}

// What the line in a hook script runs: `git autoloop` when git finds this very binary, else its path.
std::string hook_program(const std::filesystem::path& main_binary) {
  std::error_code ec;
  if (auto dir = hookcore::find_on_path("git-autoloop"))
    if (std::filesystem::equivalent(*dir / "git-autoloop", main_binary, ec)) return "git autoloop";
  return main_binary.string();
}

// A hooks directory inside the work tree belongs to a hook manager (husky's .husky/_) or to the project
// (a committed .githooks/): a line in each script, never a binary (schedule/hook_install.hpp).
void install_hook_lines(const std::filesystem::path& dir, const std::filesystem::path& main_binary) {
  const std::string program = hook_program(main_binary);
  auto changes = hookcore::install_hook_calls(dir, program);
  print_changes(changes, dir);
  std::printf("the hooks directory is inside the work tree (core.hooksPath): each hook script calls `%s hook <name>`\n",
              program == "git autoloop" ? "git autoloop" : hookcore::shell_quote(program).c_str());
  if (program != "git autoloop")
    std::printf("note: `git-autoloop` on PATH is not %s; put %s on PATH to let the scripts say `git autoloop`\n",
                main_binary.c_str(), main_binary.parent_path().c_str());
  if (dir.filename() == "_" && std::filesystem::exists(dir / "h"))
    std::printf("husky regenerates %s on `npm install`: add the line to .husky/<name> to keep it "
                "(README: Hook managers); `git autoloop doctor` tells when it is gone\n",
                dir.c_str());
}

} // namespace

Runner define_install(CLI::App& sub) {
  auto no_config = std::make_shared<bool>(false);
  sub.add_flag("--no-config-file", *no_config, "Do not write a starter .autoloop.yml (commented examples)");
  auto attributes = std::make_shared<bool>(false);
  sub.add_flag("--attributes", *attributes,
               "Also route supported files to the merge driver in the tracked .gitattributes (shared with everyone)");
  return [no_config, attributes](const Global& g) {
    loop::Context ctx = open_plain(g);
    if (!ctx.paths.work_tree) throw core::Error("this is a bare repository: git-autoloop needs a work tree (hooks would do nothing)");
    loop::Binaries bin = loop::locate_binaries();
    if (!bin.hook) throw core::Error("autoloop-hook not found beside " + bin.main.string() + " or in ../libexec/git-autoloop/");
    std::filesystem::path dir = ctx.hooks_dir();
    std::printf("git-autoloop installed in %s\n", ctx.paths.work_tree->c_str());
    if (hookcore::hooks_dir_in_work_tree(dir, *ctx.paths.work_tree, ctx.paths.common_dir)) {
      install_hook_lines(dir, bin.main);
    } else {
      hookcore::InstallPaths paths{dir, *bin.hook, bin.main};
      print_changes(hookcore::install_hooks(paths), dir);
    }
    std::printf("merge driver\n");
    auto driver = merge::install_driver(ctx.paths.common_dir / "config", ctx.paths.common_dir / "info" / "attributes",
                                        bin.merge.value_or(bin.main));
    if (*attributes) driver.push_back(merge::install_tracked_attributes(*ctx.paths.work_tree / ".gitattributes"));
    print_driver_changes(driver);
    std::filesystem::create_directories(ctx.paths.data_dir);
    ctx.store(); // create the queue now, so a broken sqlite shows up here rather than in a hook
    auto config_path = *ctx.paths.repo_config();
    // A short file of commented-out examples: it sets nothing, so the defaults stay the binary's (a later
    // version's better default reaches the user) and `config --show-origin` shows only what they set.
    if (!*no_config && !std::filesystem::exists(config_path)) {
      auto text = core::resource("config/starter.yml");
      if (text) {
        core::write_file_atomic(config_path, *text);
        std::printf("wrote %s (commented examples, the defaults are built in; commit it to share settings)\n",
                    config_path.c_str());
      }
    }
    std::printf("Commit as usual: changed files are scanned in the background. See `git autoloop status`.\n");
    return k_exit_ok;
  };
}

Runner define_uninstall(CLI::App& sub) {
  auto purge = std::make_shared<bool>(false);
  sub.add_flag("--purge", *purge, "Also delete the queue, logs and spool in the git dir");
  return [purge](const Global& g) {
    loop::Context ctx = open_plain(g);
    std::filesystem::path dir = ctx.hooks_dir();
    auto changes = ctx.paths.work_tree && hookcore::hooks_dir_in_work_tree(dir, *ctx.paths.work_tree, ctx.paths.common_dir)
                       ? hookcore::uninstall_hook_calls(dir)
                       : hookcore::uninstall_hooks(dir);
    std::printf("git-autoloop hooks removed\n");
    print_changes(changes, dir);
    std::vector<std::filesystem::path> attributes{ctx.paths.common_dir / "info" / "attributes"};
    if (ctx.paths.work_tree) attributes.push_back(*ctx.paths.work_tree / ".gitattributes");
    std::printf("merge driver\n");
    print_driver_changes(merge::uninstall_driver(ctx.paths.common_dir / "config", attributes));
    if (ctx.paths.work_tree) {
      // The validation worktree is registered with this repository: it goes with the loop.
      const auto root = safety::worktree_root(ctx.config, core::environment_snapshot());
      if (safety::remove_validation_tree(root, *ctx.paths.work_tree, ctx.paths.common_dir))
        std::printf("removed the validation worktree under %s\n", root.c_str());
    }
    if (*purge) {
      std::error_code ec;
      std::filesystem::remove_all(ctx.paths.data_dir, ec);
      if (ec) throw core::Error("cannot remove " + ctx.paths.data_dir.string() + ": " + ec.message());
      std::printf("removed %s\n", ctx.paths.data_dir.c_str());
    } else {
      std::printf("kept %s (queue and logs) and .autoloop.yml; `uninstall --purge` removes the former\n",
                  ctx.paths.data_dir.c_str());
    }
    return k_exit_ok;
  };
}

} // namespace cli
