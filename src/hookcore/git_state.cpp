#include "hookcore/git_state.hpp"

#include <system_error>

namespace hookcore {

namespace fs = std::filesystem;

namespace {

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

} // namespace

GitState detect_git_state(const fs::path& git_dir) {
  // A rebase replays commits through the sequencer and may stop on conflicts with CHERRY_PICK_HEAD or
  // MERGE_HEAD present too, so the rebase directories are checked first. REVERT_HEAD comes before
  // sequencer/ because a multi-commit revert uses the sequencer as well.
  if (present(git_dir / "rebase-merge") || present(git_dir / "rebase-apply")) return GitState::rebase;
  if (present(git_dir / "CHERRY_PICK_HEAD")) return GitState::cherry_pick;
  if (present(git_dir / "REVERT_HEAD")) return GitState::revert;
  if (present(git_dir / "sequencer")) return GitState::cherry_pick;
  if (present(git_dir / "MERGE_HEAD")) return GitState::merge;
  if (present(git_dir / "BISECT_LOG")) return GitState::bisect;
  return GitState::normal;
}

std::string to_string(GitState state) {
  switch (state) {
  case GitState::normal: return "normal";
  case GitState::rebase: return "rebase";
  case GitState::cherry_pick: return "cherry-pick";
  case GitState::revert: return "revert";
  case GitState::merge: return "merge";
  case GitState::bisect: return "bisect";
  }
  return "unknown";
}

} // namespace hookcore
