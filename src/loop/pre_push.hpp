#pragma once
// The pre-push policy (`git autoloop hook pre-push`, which the hook binary calls): every pushed commit is
// scanned, and the push is refused when it would write a side branch (unless push_side_branches), or
// when block_push_on names a category with new findings in the pushed commits. Our own failure never
// blocks a push, but a side branch is still refused then (side_branches_written with the default prefix).

#include "loop/context.hpp"

#include <cstddef>
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace loop {

// One line of what git feeds pre-push on stdin: "<local ref> <local sha> <remote ref> <remote sha>".
struct PushedRef {
  std::string local_ref, local_sha, remote_ref, remote_sha;
};

// The refs of a push, one per line of `in`; lines of fewer than four fields are skipped.
std::vector<PushedRef> parse_pushed_refs(std::istream& in);

// The side branches (refs/heads/<prefix>...) the push would write, by their name on the remote when that
// is one, else by the local one: `git push --all`, `--mirror`, a refspec naming one, or another branch
// pushed onto such a name. They hold fixes nobody reviewed yet. Deleting one (a zero local sha) passes.
std::vector<std::string> side_branches_written(const std::vector<PushedRef>& refs, const std::string& prefix);

// The categories of `block_push_on` that have new findings, in block_push_on's order.
std::vector<std::string> blocking_categories(const std::map<std::string, int>& new_by_category,
                                             const std::vector<std::string>& block_push_on);

// What check_push found.
struct PushCheck {
  std::vector<std::string> side_branches; // written by the push, refused (then nothing was scanned)
  size_t pushed_commits = 0;              // commits the push sends that the remote lacks, scanned
  std::map<std::string, int> new_by_category; // open findings new in those commits, by category name
  int new_findings = 0;
  std::vector<std::string> blocking;      // categories of block_push_on among new_by_category
  bool refused() const { return !side_branches.empty() || !blocking.empty(); }
};

// Checks a push: 1. the side branches it would write (unless push_side_branches); 2. nothing more when
// the loop is stopped; 3. the commits it sends that the remote lacks (all that no remote-tracking ref
// has, when the remote's tip is unknown here), scanned under the scan lock, waiting up to a minute for a
// running worker rather than scanning them twice; 4. the new open findings in them;
// 5. a `push_blocked` notification when block_push_on matches. Throws for
// repository or queue failures.
PushCheck check_push(Context& ctx, const std::vector<PushedRef>& refs);

} // namespace loop
