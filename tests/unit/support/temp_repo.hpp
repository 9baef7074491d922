#pragma once
// Test support shared by the unit tests: a temp dir per test, removed when the test passes and kept
// (its path printed on stderr) when it fails, and a throwaway git repository driven by real git.
//
// Include this before any other include of <catch2/catch.hpp> in a test file: the failure listener
// needs Catch's external interfaces, which only the first include of the single header can enable.

#if defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED) && !defined(CATCH_CONFIG_EXTERNAL_INTERFACES)
#error "include support/temp_repo.hpp before <catch2/catch.hpp>"
#endif
#ifndef CATCH_CONFIG_EXTERNAL_INTERFACES
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#endif
#include <catch2/catch.hpp>

#include "core/process.hpp"

#include <stdlib.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace test_support {

namespace fs = std::filesystem;

// Counts failed assertions across the whole run, so that a TempDir can tell whether the test that
// made it failed. One registration per process (an inline variable), whichever files include this.
struct FailureTracker : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (!stats.assertionResult.isOk()) ++failures();
    return true;
  }
  static int& failures() {
    static int count = 0;
    return count;
  }
};
inline const Catch::ListenerRegistrar<FailureTracker> k_failure_tracker_registrar;

// A fresh directory; removed on destruction unless an assertion failed (or an exception is in
// flight) since it was made, in which case it is kept and its path printed.
class TempDir {
public:
  explicit TempDir(const std::string& tag = "unit") : m_failures_before(FailureTracker::failures()) {
    std::string pattern = (fs::temp_directory_path() / ("autoloop-test-" + tag + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    m_path = fs::canonical(pattern);
  }
  ~TempDir() {
    if (std::uncaught_exceptions() > 0 || FailureTracker::failures() != m_failures_before) {
      std::cerr << "test dir kept: " << m_path.string() << "\n";
      return;
    }
    std::error_code ignored;
    fs::permissions(m_path, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return m_path; }
  fs::path operator/(const fs::path& p) const { return m_path / p; }

  // Writes `text` (bytes as given) to `name` inside the directory, creating parents; returns its path.
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path file = m_path / name;
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return file;
  }

private:
  int m_failures_before;
  fs::path m_path;
};

// The whole content of a file ("" when it cannot be read).
inline std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Options for every git the tests run: no user or system config, no inherited repository
// variables (a test run from a hook must not touch the outer repository), a fixed identity.
inline core::ProcessOptions git_options(const fs::path& cwd) {
  core::ProcessOptions o;
  o.cwd = cwd;
  for (const char* v : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR",
                        "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES"})
    o.env[v] = std::nullopt;
  o.env["GIT_CONFIG_NOSYSTEM"] = "1";
  o.env["GIT_CONFIG_GLOBAL"] = "/dev/null";
  o.env["GIT_AUTHOR_NAME"] = o.env["GIT_COMMITTER_NAME"] = "Test";
  o.env["GIT_AUTHOR_EMAIL"] = o.env["GIT_COMMITTER_EMAIL"] = "test@example.com";
  o.timeout = std::chrono::seconds(60);
  return o;
}

// Runs git in `cwd`; returns stdout without trailing newlines. Throws std::runtime_error (with
// git's stderr) when git fails, which fails the test and keeps its directory.
inline std::string run_git(const fs::path& cwd, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false",
                                "-c", "core.autocrlf=false"};
  argv.insert(argv.end(), args.begin(), args.end());
  core::ProcessResult r = core::run_process(argv, git_options(cwd));
  if (!r.ok()) {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    throw std::runtime_error("git" + cmd + " failed in " + cwd.string() + " (exit " + std::to_string(r.exit_code) +
                             "): " + r.err);
  }
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r.out;
}

// A throwaway repository with a work tree (branch "main") in its own TempDir.
class TempRepo {
public:
  explicit TempRepo(const std::string& tag = "repo") : m_dir(tag) { git({"init", "-q", "-b", "main", "."}); }

  const fs::path& path() const { return m_dir.path(); }
  fs::path git_dir() const { return m_dir.path() / ".git"; }
  const TempDir& dir() const { return m_dir; }

  std::string git(const std::vector<std::string>& args) const { return run_git(path(), args); }

  // Writes a file of the work tree (not staged).
  fs::path write(const std::string& name, const std::string& text) const { return m_dir.write(name, text); }
  void remove(const std::string& name) const { fs::remove_all(path() / name); }

  // Stages everything (additions, changes, deletions) and commits; returns the new commit id.
  std::string commit(const std::string& message = "change") const {
    git({"add", "-A"});
    git({"commit", "-q", "--allow-empty", "--no-verify", "-m", message});
    return head();
  }

  std::string head() const { return git({"rev-parse", "HEAD"}); }
  std::string rev(const std::string& r) const { return git({"rev-parse", r}); }

private:
  TempDir m_dir;
};

// Sets (or unsets) an environment variable for the lifetime of the guard, then restores it.
class EnvGuard {
public:
  EnvGuard(std::string name, const std::optional<std::string>& value) : m_name(std::move(name)) {
    if (const char* old = ::getenv(m_name.c_str())) m_old = old;
    if (value) ::setenv(m_name.c_str(), value->c_str(), 1);
    else ::unsetenv(m_name.c_str());
  }
  ~EnvGuard() {
    if (m_old) ::setenv(m_name.c_str(), m_old->c_str(), 1);
    else ::unsetenv(m_name.c_str());
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

private:
  std::string m_name;
  std::optional<std::string> m_old;
};

} // namespace test_support
