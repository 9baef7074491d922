#pragma once
// Deriving a fix: find an opportunity's finding (by fingerprint) in the file as it is at a given
// commit and apply its rule's fix template, then run the cheap gates. Used by the drain (building
// and rebuilding the side branch) and by review (accepting onto a branch that moved).

#include "core/config.hpp"
#include "fix/native_check.hpp"
#include "git/repo.hpp"
#include "queue/store.hpp"
#include "scan/engine.hpp"

#include <optional>
#include <string>
#include <vector>

namespace fix {

struct Derived {
  enum class Status { ok, gone, no_fix, rejected_by_gate };
  Status status = Status::ok;
  core::Outcome outcome = core::Outcome::no_fix; // when not ok (too_large, destructive, reparse_error, ...)
  std::string detail;
  std::string before, after;    // file content
  unsigned mode = 0100644;
  int lines_changed = 0;
  std::string rule_id;
  int line = 0;
  std::vector<std::string> gates; // gates beyond the cycle's own that this fix passed ("native-check(python)")
  std::string unchecked;          // why the native check did not run, when it did not
  std::string provider;           // a provider's fix: the tool and its version ("ruff 0.x.y"), for Autoloop-Provider
};

// Derives `opportunity`'s fix on `path` at `commit`. The gates, cheapest first: size, range, line
// endings (fix/validate.hpp); re-parse; declarations kept (fix/destructive.hpp); the finding gone;
// then, with a `checker`, the language's own check (fix/native_check.hpp: outcome check_failed). A
// finding of origin provider is derived by running its provider again (fix/provider_fix.hpp).
Derived derive_fix(const scan::Engine& engine, const git::Repository& repo, const core::Config& config,
                   const std::string& commit, const queue::Opportunity& opportunity,
                   NativeChecker* checker = nullptr);

// The last gate of every fix, the language's own check of `d` (before -> after) at `path`: the failure's
// detail, or nullopt when it passed (listed in d.gates) or did not run (d.unchecked says why).
std::optional<std::string> native_check_failure(NativeChecker& checker, const std::string& language,
                                                const git::Repository& repo, const std::string& commit,
                                                const std::string& path, Derived& d);

// A reader of repository files at `commit` for the native check (package.json), at most 1 MiB each.
NativeChecker::RepoFileReader repo_file_reader(const git::Repository& repo, const std::string& commit);

} // namespace fix
