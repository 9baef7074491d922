#pragma once
// Which lines of history a finding belongs to. One queue row stands for a finding wherever it is (its
// fingerprint), and each scan records the commits where it was seen and where it was found gone
// (queue::Sighting). A finding is alive at a commit when the newest of those commits in that commit's
// history (walking back by commit date) saw it. So a drain on `main` leaves alone what only `feat` has, and a
// commit that removes a finding on one branch resolves it only when no other branch still has it.

#include "git/repo.hpp"
#include "queue/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scan {

class Lineage {
public:
  // `side_branch_prefix`: the loop's own branches (refs/heads/<prefix>...) are not lines of their own.
  Lineage(const git::Repository& repo, const queue::Store& store, std::string side_branch_prefix);

  // Whether the finding is alive at `tip`. A finding with no recorded sighting (asked for with `improve`)
  // belongs everywhere. Throws queue::Error or git::Error.
  bool alive_at(int64_t id, const std::string& tip) const;

  // The opportunities of `all` alive at `tip`, in their order: one walk for all of them.
  std::vector<queue::Opportunity> alive_at(std::vector<queue::Opportunity> all, const std::string& tip) const;

  // Whether some local branch (side branches excluded) or a detached HEAD still has the finding.
  bool alive_on_a_branch(int64_t id) const;

  // The opportunities of `all` that no local branch or detached HEAD has: the commits they were seen in
  // were rewritten away or their branch was deleted unmerged. One walk per branch.
  std::vector<queue::Opportunity> alive_on_no_branch(std::vector<queue::Opportunity> all) const;

private:
  const std::vector<std::string>& tips() const;

  const git::Repository& m_repo;
  const queue::Store& m_store;
  std::string m_side_refs;
  mutable std::optional<std::vector<std::string>> m_tips;
};

} // namespace scan
