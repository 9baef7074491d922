#include "loop/pre_push.hpp"

#include "../support/loop_context.hpp"
#include "../support/temp_repo.hpp"

#include "core/fs.hpp"

#include <sstream>
#include <string>
#include <vector>

using loop::Context;
using loop::PushedRef;
using test_support::EnvGuard;
using test_support::open_ctx;
using test_support::TempRepo;

namespace {

const std::string k_zero(40, '0');

PushedRef pushed(const std::string& local_ref, const std::string& local_sha, const std::string& remote_ref,
                 const std::string& remote_sha = k_zero) {
  return PushedRef{local_ref, local_sha, remote_ref, remote_sha};
}

} // namespace

TEST_CASE("parse_pushed_refs") {
  SECTION("one ref per line of four fields; shorter lines are skipped") {
    std::istringstream in("refs/heads/main 1111 refs/heads/main 2222\n"
                          "refs/heads/only three fields\n"
                          "\n"
                          "(delete) 0000 refs/heads/old 3333\n");
    const auto refs = loop::parse_pushed_refs(in);
    REQUIRE(refs.size() == 2);
    CHECK(refs[0].local_ref == "refs/heads/main");
    CHECK(refs[0].local_sha == "1111");
    CHECK(refs[0].remote_ref == "refs/heads/main");
    CHECK(refs[0].remote_sha == "2222");
    CHECK(refs[1].local_sha == "0000");
    CHECK(refs[1].remote_ref == "refs/heads/old");
  }

  SECTION("nothing on stdin: no refs") {
    std::istringstream in("");
    CHECK(loop::parse_pushed_refs(in).empty());
  }
}

TEST_CASE("side_branches_written") {
  const std::string sha(40, 'a');

  SECTION("a side branch pushed by name, or with --all, is written") {
    const auto names = loop::side_branches_written(
        {pushed("refs/heads/main", sha, "refs/heads/main"), pushed("refs/heads/autoloop/main", sha, "refs/heads/autoloop/main")},
        "autoloop/");
    CHECK(names == std::vector<std::string>{"refs/heads/autoloop/main"});
  }

  SECTION("another branch pushed onto a side branch's name: named as on the remote") {
    CHECK(loop::side_branches_written({pushed("refs/heads/topic", sha, "refs/heads/autoloop/topic")}, "autoloop/") ==
          std::vector<std::string>{"refs/heads/autoloop/topic"});
  }

  SECTION("a side branch pushed under another name: named as it is here") {
    CHECK(loop::side_branches_written({pushed("refs/heads/autoloop/main", sha, "refs/heads/shared")}, "autoloop/") ==
          std::vector<std::string>{"refs/heads/autoloop/main"});
  }

  SECTION("deleting a side branch, or pushing ordinary branches, writes none") {
    CHECK(loop::side_branches_written({pushed("(delete)", k_zero, "refs/heads/autoloop/main", sha)}, "autoloop/").empty());
    CHECK(loop::side_branches_written({pushed("refs/heads/autoloopish", sha, "refs/heads/autoloopish")}, "autoloop/")
              .empty());
  }

  SECTION("the configured prefix is the one looked for") {
    const std::vector<PushedRef> refs{pushed("refs/heads/bot/fixes/main", sha, "refs/heads/bot/fixes/main")};
    CHECK(loop::side_branches_written(refs, "autoloop/").empty());
    CHECK(loop::side_branches_written(refs, "bot/fixes/").size() == 1);
  }
}

TEST_CASE("blocking_categories") {
  const std::map<std::string, int> found{{"code_quality", 2}, {"security_fixes", 1}};

  SECTION("the categories of block_push_on that have new findings, in block_push_on's order") {
    CHECK(loop::blocking_categories(found, {"security_fixes", "performance", "code_quality"}) ==
          std::vector<std::string>{"security_fixes", "code_quality"});
  }

  SECTION("nothing blocks without block_push_on, or without new findings") {
    CHECK(loop::blocking_categories(found, {}).empty());
    CHECK(loop::blocking_categories({}, {"security_fixes"}).empty());
  }
}

TEST_CASE("check_push") {
  TempRepo repo("pre-push");
  EnvGuard no_switch("AUTOLOOP", std::nullopt);
  repo.write("a.py", "value = 1\n");
  const std::string base = repo.commit("clean");
  repo.write("a.py", "value = eval(user_input)\n");
  const std::string head = repo.commit("a finding");
  Context ctx = open_ctx(repo);
  const std::vector<PushedRef> push_main{pushed("refs/heads/main", head, "refs/heads/main", base)};

  SECTION("the pushed commits are scanned and their new findings counted by category") {
    const loop::PushCheck check = loop::check_push(ctx, push_main);
    CHECK(check.side_branches.empty());
    CHECK(check.pushed_commits == 1); // base is on the remote already
    CHECK(ctx.store().is_commit_scanned(head));
    CHECK(check.new_findings >= 1);
    CHECK(check.new_by_category.count("security_fixes"));
    CHECK(check.blocking.empty());
    CHECK_FALSE(check.refused());
  }

  SECTION("block_push_on naming a category with new findings refuses the push") {
    ctx.config.block_push_on = {"performance", "security_fixes"};
    const loop::PushCheck check = loop::check_push(ctx, push_main);
    CHECK(check.blocking == std::vector<std::string>{"security_fixes"});
    CHECK(check.refused());
  }

  SECTION("a push writing a side branch is refused before anything is scanned") {
    std::vector<PushedRef> refs = push_main;
    refs.push_back(pushed("refs/heads/autoloop/main", head, "refs/heads/autoloop/main"));
    const loop::PushCheck check = loop::check_push(ctx, refs);
    CHECK(check.side_branches == std::vector<std::string>{"refs/heads/autoloop/main"});
    CHECK(check.refused());
    CHECK_FALSE(ctx.store().is_commit_scanned(head));

    SECTION("unless push_side_branches shares them") {
      ctx.config.push_side_branches = true;
      const loop::PushCheck shared = loop::check_push(ctx, refs);
      CHECK(shared.side_branches.empty());
      CHECK(ctx.store().is_commit_scanned(head));
    }
  }

  SECTION("a stopped loop checks the side branches only") {
    core::write_file_atomic(ctx.paths.stop_file(), "");
    ctx.config.block_push_on = {"security_fixes"};
    const loop::PushCheck check = loop::check_push(ctx, push_main);
    CHECK_FALSE(check.refused());
    CHECK(check.pushed_commits == 0);
    CHECK_FALSE(ctx.store().is_commit_scanned(head));
  }

  SECTION("a deletion pushes no commits") {
    const loop::PushCheck check = loop::check_push(ctx, {pushed("(delete)", k_zero, "refs/heads/old", head)});
    CHECK(check.pushed_commits == 0);
    CHECK(check.new_findings == 0);
  }
}
