#include "hookcore/spool.hpp"

#include "../support/temp_repo.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using hookcore::SpoolEntry;
using test_support::slurp;
using test_support::TempDir;
using test_support::TempRepo;

namespace {

const std::string k_a(40, 'a'), k_b(40, 'b'), k_c(64, 'c');

SpoolEntry sample() {
  SpoolEntry e;
  e.event = "post-merge";
  e.commits = {k_a, k_c};
  e.ranges = {{k_a, k_b}};
  e.deferred = true;
  e.git_dir = "/repo with space/.git";
  e.hook_us = 812;
  return e;
}

} // namespace

TEST_CASE("spool_append") {
  TempDir tmp;
  const fs::path spool = tmp.path() / "autoloop" / "spool";

  SECTION("round trip through a file, creating the directory") {
    fs::path file = hookcore::spool_append(spool, sample());
    CHECK(fs::exists(file));
    CHECK(file.extension() == ".ev");
    auto entries = hookcore::spool_read(spool);
    REQUIRE(entries.size() == 1);
    const auto& e = entries.front();
    CHECK(e.event == "post-merge");
    CHECK(e.commits == std::vector<std::string>{k_a, k_c});
    REQUIRE(e.ranges.size() == 1);
    CHECK(e.ranges.front() == std::make_pair(k_a, k_b));
    CHECK(e.deferred);
    CHECK(e.git_dir == "/repo with space/.git");
    CHECK(e.hook_us == 812);
    CHECK(e.time_ns > 0);
    CHECK(e.file == file.string());
  }

  SECTION("escapes newlines and backslashes in git_dir") {
    SpoolEntry e = sample();
    e.git_dir = "/odd\npath\\x/.git";
    hookcore::spool_append(spool, e);
    auto entries = hookcore::spool_read(spool);
    REQUIRE(entries.size() == 1);
    CHECK(entries.front().git_dir == e.git_dir);
  }

  SECTION("leaves no temporary file behind") {
    hookcore::spool_append(spool, sample());
    hookcore::spool_append(spool, sample());
    int files = 0;
    for (const auto& f : fs::directory_iterator(spool)) {
      ++files;
      CHECK(f.path().extension() == ".ev");
    }
    CHECK(files == 2);
  }
}

TEST_CASE("spool_read") {
  TempDir tmp;
  const fs::path spool = tmp.path() / "spool";

  SECTION("a missing directory is an empty spool") {
    CHECK(hookcore::spool_read(spool).empty());
    CHECK(hookcore::spool_empty(spool));
  }

  SECTION("entries come back oldest first") {
    for (long long t : {300LL, 100LL, 200LL}) {
      SpoolEntry e = sample();
      e.time_ns = t;
      e.hook_us = t;
      hookcore::spool_append(spool, e);
    }
    auto entries = hookcore::spool_read(spool);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].time_ns == 100);
    CHECK(entries[1].time_ns == 200);
    CHECK(entries[2].time_ns == 300);
  }

  SECTION("partial temporary files are ignored") {
    hookcore::spool_append(spool, sample());
    std::ofstream(spool / ".00000000000000000001-1-0.tmp") << "autoloop-spool 1\nevent post-co";
    std::ofstream(spool / "00000000000000000001-1-0.ev.tmp.Ab12Cd") << "autoloop-spool 1\n";
    auto entries = hookcore::spool_read(spool);
    REQUIRE(entries.size() == 1);
    CHECK(entries.front().event == "post-merge");
  }

  SECTION("unparseable files are flagged corrupt with their file") {
    fs::create_directories(spool);
    std::ofstream(spool / "00000000000000000005-1-0.ev") << "garbage\n";
    // Truncated: a crash between rename and writeback can leave this.
    std::ofstream(spool / "00000000000000000006-1-1.ev") << "autoloop-spool 1\nevent post-commit\ncommit " + k_a + "\n";
    std::ofstream(spool / "00000000000000000007-1-2.ev") << "autoloop-spool 1\nevent post-commit\ncommit nothex\nend\n";
    std::ofstream(spool / "00000000000000000008-1-3.ev") << "";
    auto entries = hookcore::spool_read(spool);
    REQUIRE(entries.size() == 4);
    for (const auto& e : entries) {
      CHECK(e.event == "corrupt");
      CHECK(fs::exists(e.file));
    }
    CHECK(entries.front().time_ns == 5);
    hookcore::spool_remove(entries);
    CHECK(hookcore::spool_empty(spool));
  }

  SECTION("unknown keys are ignored for forward compatibility") {
    fs::create_directories(spool);
    std::ofstream(spool / "00000000000000000009-1-0.ev")
        << "autoloop-spool 1\nevent post-commit\nfuture thing\ncommit " + k_a + "\nend\n";
    auto entries = hookcore::spool_read(spool);
    REQUIRE(entries.size() == 1);
    CHECK(entries.front().event == "post-commit");
    CHECK(entries.front().commits == std::vector<std::string>{k_a});
  }
}

TEST_CASE("spool_remove") {
  TempDir tmp;
  const fs::path spool = tmp.path() / "spool";

  SECTION("removes the given entries only, and tolerates already-removed files") {
    hookcore::spool_append(spool, sample());
    hookcore::spool_append(spool, sample());
    auto entries = hookcore::spool_read(spool);
    REQUIRE(entries.size() == 2);
    fs::remove(entries[0].file);
    hookcore::spool_remove({entries[0]});
    CHECK(hookcore::spool_read(spool).size() == 1);
    CHECK_FALSE(hookcore::spool_empty(spool));
    hookcore::spool_remove(entries);
    CHECK(hookcore::spool_empty(spool));
  }
}

TEST_CASE("parse_spool_entry") {
  SECTION("format and parse are inverse") {
    SpoolEntry e = sample();
    e.time_ns = 1732575600123456789LL;
    auto back = hookcore::parse_spool_entry(hookcore::format_spool_entry(e));
    REQUIRE(back);
    CHECK(back->event == e.event);
    CHECK(back->commits == e.commits);
    CHECK(back->ranges == e.ranges);
    CHECK(back->time_ns == e.time_ns);
  }

  SECTION("the documented example parses") {
    auto e = hookcore::parse_spool_entry("autoloop-spool 1\nevent post-commit\ncommit " + k_a + "\nrange " + k_a + " " +
                                         k_b + "\ndeferred 1\nhook_us 812\ngit_dir /abs\nend\n");
    REQUIRE(e);
    CHECK(e->deferred);
    CHECK(e->git_dir == "/abs");
  }

  SECTION("a missing header, end or event is rejected") {
    CHECK_FALSE(hookcore::parse_spool_entry("event post-commit\nend\n"));
    CHECK_FALSE(hookcore::parse_spool_entry("autoloop-spool 1\nevent post-commit\n"));
    CHECK_FALSE(hookcore::parse_spool_entry("autoloop-spool 1\ncommit " + k_a + "\nend\n"));
    CHECK_FALSE(hookcore::parse_spool_entry("autoloop-spool 1\nevent x\ntime_ns 12x\nend\n"));
  }
}

TEST_CASE("hook_entry") {
  TempRepo repo;
  const std::string head = repo.commit("first");
  auto loc = hookcore::locate_repo(repo.path(), {});
  REQUIRE(loc);

  SECTION("post-commit records HEAD") {
    auto e = hookcore::hook_entry("post-commit", {}, "", *loc);
    REQUIRE(e);
    CHECK(e->event == "post-commit");
    CHECK(e->commits == std::vector<std::string>{head});
    CHECK(e->ranges.empty());
    CHECK(e->git_dir == repo.git_dir().string());
  }

  SECTION("post-merge records ORIG_HEAD..HEAD and HEAD") {
    repo.git({"checkout", "-q", "-b", "topic"});
    repo.commit("t1");
    const std::string merged = repo.commit("t2");
    repo.git({"checkout", "-q", "main"});
    repo.git({"merge", "-q", "--ff-only", "topic"});
    auto e = hookcore::hook_entry("post-merge", {"0"}, "", *loc);
    REQUIRE(e);
    CHECK(e->commits == std::vector<std::string>{merged});
    REQUIRE(e->ranges.size() == 1);
    CHECK(e->ranges.front() == std::make_pair(head, merged));
  }

  SECTION("post-merge without a moved ORIG_HEAD records no range") {
    std::ofstream(repo.git_dir() / "ORIG_HEAD") << head << "\n";
    auto e = hookcore::hook_entry("post-merge", {"0"}, "", *loc);
    REQUIRE(e);
    CHECK(e->ranges.empty());
  }

  SECTION("post-rewrite records every new id, once") {
    std::string input = k_a + " " + k_b + "\n" + k_b + " " + k_c + " extra info\n" + "garbage\n" + k_a + " " + k_b + "\n";
    auto e = hookcore::hook_entry("post-rewrite", {"rebase"}, input, *loc);
    REQUIRE(e);
    CHECK(e->commits == std::vector<std::string>{k_b, k_c});
  }

  SECTION("post-commit on an unborn branch throws") {
    TempRepo fresh("fresh");
    auto fresh_loc = hookcore::locate_repo(fresh.path(), {});
    REQUIRE(fresh_loc);
    CHECK_THROWS(hookcore::hook_entry("post-commit", {}, "", *fresh_loc));
  }

  SECTION("pre-push records nothing") {
    CHECK_FALSE(hookcore::hook_entry("pre-push", {"origin", "url"}, "", *loc));
  }
}

TEST_CASE("hook_should_defer") {
  TempDir tmp;
  hookcore::RepoLocation loc;
  loc.git_dir = loc.common_dir = tmp.path();

  SECTION("normal state: no deferral") {
    CHECK_FALSE(hookcore::hook_should_defer("post-commit", {}, loc));
  }

  SECTION("inside a rebase: commits defer, the closing post-rewrite does not") {
    fs::create_directory(tmp.path() / "rebase-merge");
    CHECK(hookcore::hook_should_defer("post-commit", {}, loc));
    CHECK(hookcore::hook_should_defer("post-rewrite", {"amend"}, loc));
    CHECK_FALSE(hookcore::hook_should_defer("post-rewrite", {"rebase"}, loc));
  }

  SECTION("inside a bisect: defer") {
    std::ofstream(tmp.path() / "BISECT_LOG") << "x";
    CHECK(hookcore::hook_should_defer("post-merge", {"0"}, loc));
  }
}

TEST_CASE("record_hook_error") {
  TempDir tmp;
  const fs::path log_dir = tmp.path() / "autoloop" / "log";

  SECTION("each distinct message is shown once, every occurrence is logged") {
    CHECK(hookcore::record_hook_error(log_dir, "post-commit", "disk full"));
    CHECK_FALSE(hookcore::record_hook_error(log_dir, "post-commit", "disk full"));
    CHECK(hookcore::record_hook_error(log_dir, "post-merge", "other\nproblem"));
    CHECK_FALSE(hookcore::record_hook_error(log_dir, "post-merge", "other\nproblem"));
    std::string log = slurp(log_dir / "hook-errors.log");
    size_t lines = static_cast<size_t>(std::count(log.begin(), log.end(), '\n'));
    CHECK(lines == 4);
    CHECK(log.find("post-commit") != std::string::npos);
    CHECK(log.find("other problem") != std::string::npos);
  }

  SECTION("when nothing can be recorded, the message is shown") {
    std::ofstream(tmp.path() / "file") << "x";
    CHECK(hookcore::record_hook_error(tmp.path() / "file" / "log", "post-commit", "x"));
    CHECK(hookcore::record_hook_error(tmp.path() / "file" / "log", "post-commit", "x"));
  }
}
