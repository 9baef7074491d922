#include "scan/lineage.hpp"

#include <algorithm>
#include <set>

namespace scan {

Lineage::Lineage(const git::Repository& repo, const queue::Store& store, std::string side_branch_prefix)
    : m_repo(repo), m_store(store), m_side_refs("refs/heads/" + std::move(side_branch_prefix)) {}

bool Lineage::alive_at(int64_t id, const std::string& tip) const {
  auto sightings = m_store.sightings(id);
  if (sightings.empty()) return true;
  std::vector<std::string> commits;
  for (const auto& s : sightings) commits.push_back(s.commit_id);
  auto met = m_repo.ancestors_among(tip, commits, 1);
  if (met.empty()) return false;
  return std::any_of(sightings.begin(), sightings.end(),
                     [&](const queue::Sighting& s) { return s.commit_id == met.front() && s.present; });
}

std::vector<queue::Opportunity> Lineage::alive_at(std::vector<queue::Opportunity> all, const std::string& tip) const {
  std::map<int64_t, std::vector<queue::Sighting>> by_id;
  std::set<std::string> commits;
  for (const auto& o : all) {
    auto& s = by_id[o.id];
    s = m_store.sightings(o.id);
    for (const auto& x : s) commits.insert(x.commit_id);
  }
  // Where each commit comes in the walk back from the tip; absent: not in its history.
  std::map<std::string, size_t> rank;
  for (const auto& c : m_repo.ancestors_among(tip, {commits.begin(), commits.end()})) rank.emplace(c, rank.size());
  auto alive = [&](const queue::Opportunity& o) {
    const auto& sightings = by_id[o.id];
    if (sightings.empty()) return true;
    const queue::Sighting* newest = nullptr;
    size_t best = SIZE_MAX;
    for (const auto& s : sightings) {
      auto r = rank.find(s.commit_id);
      if (r != rank.end() && r->second < best) {
        best = r->second;
        newest = &s;
      }
    }
    return newest && newest->present;
  };
  all.erase(std::remove_if(all.begin(), all.end(), [&](const queue::Opportunity& o) { return !alive(o); }), all.end());
  return all;
}

bool Lineage::alive_on_a_branch(int64_t id) const {
  for (const auto& tip : tips())
    if (alive_at(id, tip)) return true;
  return false;
}

std::vector<queue::Opportunity> Lineage::alive_on_no_branch(std::vector<queue::Opportunity> all) const {
  for (const auto& tip : tips()) {
    if (all.empty()) break;
    std::set<int64_t> here;
    for (const auto& o : alive_at(all, tip)) here.insert(o.id);
    all.erase(std::remove_if(all.begin(), all.end(), [&](const queue::Opportunity& o) { return here.count(o.id) > 0; }),
              all.end());
  }
  return all;
}

const std::vector<std::string>& Lineage::tips() const {
  if (m_tips) return *m_tips;
  std::set<std::string> tips;
  for (const auto& ref : m_repo.list_refs("refs/heads/")) {
    if (ref.rfind(m_side_refs, 0) == 0) continue;
    if (auto id = m_repo.read_ref(ref)) tips.insert(*id);
  }
  if (!m_repo.current_branch())
    if (auto head = m_repo.resolve_commit("HEAD")) tips.insert(*head);
  m_tips.emplace(tips.begin(), tips.end());
  return *m_tips;
}

} // namespace scan
