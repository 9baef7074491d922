#include "merge/merge.hpp"
#include "../support/temp_repo.hpp"

#include "core/process.hpp"

#include <string>

using test_support::EnvGuard;
using test_support::TempDir;

namespace {

const scan::LanguageProfile* python() { return scan::language_by_name("python"); }

const std::string k_base = "def a():\n    return 1\n";
const std::string k_ours = "def a():\n    return 1\n\n\ndef b():\n    return 2\n";
const std::string k_theirs = "def a():\n    return 1\n\n\ndef c():\n    return 3\n";
const std::string k_both = "def a():\n    return 1\n\n\ndef b():\n    return 2\n\n\ndef c():\n    return 3\n";

// What `git merge-file -p` prints for the same inputs and options.
std::string git_merge_file(const std::string& base, const std::string& ours, const std::string& theirs,
                           const std::string& style, int marker_size) {
  TempDir dir("merge-file");
  dir.write("base", base);
  dir.write("ours", ours);
  dir.write("theirs", theirs);
  std::vector<std::string> argv{"git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L", "theirs"};
  if (style != "merge") argv.push_back("--" + style);
  argv.push_back("--marker-size=" + std::to_string(marker_size));
  argv.insert(argv.end(), {"ours", "base", "theirs"});
  core::ProcessOptions o = test_support::git_options(dir.path());
  return core::run_process(argv, o).out;
}

} // namespace

TEST_CASE("three_way") {
  merge::Options options;

  SECTION("a clean line merge is the result as it is") {
    auto r = merge::three_way("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n", python(), options);
    CHECK(r.clean);
    CHECK(r.method == merge::Method::line);
    CHECK(r.text == "A\nb\nC\n");
  }

  SECTION("both sides adding at the same place is merged structurally") {
    auto r = merge::three_way(k_base, k_ours, k_theirs, python(), options);
    CHECK(r.clean);
    CHECK(r.method == merge::Method::structured);
    CHECK(r.text == k_both);
  }

  SECTION("a real same-line conflict is git's output, byte for byte, in every style and marker size") {
    std::string base = "x = 1\ny = 2\n", ours = "x = 10\ny = 2\n", theirs = "x = 11\ny = 2\n";
    for (const auto& [style, name] : {std::pair{git::ConflictStyle::merge, "merge"},
                                      std::pair{git::ConflictStyle::diff3, "diff3"},
                                      std::pair{git::ConflictStyle::zdiff3, "zdiff3"}}) {
      for (int size : {7, 10}) {
        INFO(name << " " << size);
        options.line.style = style;
        options.line.marker_size = size;
        auto r = merge::three_way(base, ours, theirs, python(), options);
        CHECK_FALSE(r.clean);
        CHECK(r.method == merge::Method::fallback);
        CHECK(r.text == git_merge_file(base, ours, theirs, name, size));
      }
    }
  }

  SECTION("labels name the sides in the markers") {
    options.line.our_label = "HEAD";
    options.line.their_label = "topic";
    auto r = merge::three_way("a\n", "b\n", "c\n", nullptr, options);
    CHECK(r.text == "<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> topic\n");
  }

  SECTION("structured merging turned off gives git's conflict") {
    options.structured = false;
    auto r = merge::three_way(k_base, k_ours, k_theirs, python(), options);
    CHECK_FALSE(r.clean);
    CHECK(r.method == merge::Method::fallback);
    CHECK(r.text == git_merge_file(k_base, k_ours, k_theirs, "merge", 7));
  }

  SECTION("files over the size limit go straight to git's conflict") {
    options.max_size = 16;
    auto r = merge::three_way(k_base, k_ours, k_theirs, python(), options);
    CHECK(r.method == merge::Method::fallback);
    CHECK_THAT(r.note, Catch::Contains("larger than 16"));
  }

  SECTION("binary and invalid UTF-8 input go straight to git's conflict") {
    auto nul = merge::three_way(k_base, k_ours + std::string(1, '\0'), k_theirs, python(), options);
    CHECK(nul.method == merge::Method::fallback);
    CHECK_THAT(nul.note, Catch::Contains("NUL"));
    auto latin1 = merge::three_way(k_base, k_ours + "# caf\xe9\n", k_theirs, python(), options);
    CHECK(latin1.method == merge::Method::fallback);
    CHECK_THAT(latin1.note, Catch::Contains("UTF-8"));
  }

  SECTION("an unsupported language is merged by lines only") {
    auto r = merge::three_way(k_base, k_ours, k_theirs, nullptr, options);
    CHECK(r.method == merge::Method::fallback);
    CHECK_FALSE(r.clean);
  }
}

TEST_CASE("unsuitable") {
  SECTION("plain text, LF or CRLF throughout, is suitable") {
    CHECK(merge::unsuitable("a\nb\n", 100) == "");
    CHECK(merge::unsuitable("a\r\nb\r\n", 100) == "");
    CHECK(merge::unsuitable("caf\xc3\xa9\n", 100) == "");
  }

  SECTION("mixed line endings, NUL bytes, bad UTF-8 and size are named") {
    CHECK_THAT(merge::unsuitable("a\r\nb\n", 100), Catch::Contains("mixed line endings"));
    CHECK_THAT(merge::unsuitable(std::string("a\0b", 3), 100), Catch::Contains("NUL"));
    CHECK_THAT(merge::unsuitable("\xc0\xaf", 100), Catch::Contains("UTF-8"));   // overlong '/'
    CHECK_THAT(merge::unsuitable("\xed\xa0\x80", 100), Catch::Contains("UTF-8")); // a surrogate
    CHECK_THAT(merge::unsuitable("abc", 2), Catch::Contains("larger"));
  }
}

TEST_CASE("structured_disabled_by_environment") {
  SECTION("AUTOLOOP_MERGE=0 turns the structured step off") {
    EnvGuard env("AUTOLOOP_MERGE", std::string("0"));
    CHECK(merge::structured_disabled_by_environment());
  }

  SECTION("unset or 1 leaves it on") {
    {
      EnvGuard env("AUTOLOOP_MERGE", std::nullopt);
      CHECK_FALSE(merge::structured_disabled_by_environment());
    }
    EnvGuard env("AUTOLOOP_MERGE", std::string("1"));
    CHECK_FALSE(merge::structured_disabled_by_environment());
  }
}

TEST_CASE("conflict_size") {
  SECTION("counts hunks and the non-blank lines between their markers, for the given marker size") {
    std::string text = "a\n<<<<<<< ours\nb\n\n=======\nc\n>>>>>>> theirs\nd\n<<<<<<< ours\ne\n||||||| base\n=======\n"
                       ">>>>>>> theirs\n";
    auto s = merge::conflict_size(text, 7);
    CHECK(s.hunks == 2);
    CHECK(s.lines == 3);
    CHECK(merge::conflict_size(text, 9).hunks == 0);
  }
}
