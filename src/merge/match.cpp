#include "merge/match.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace merge {

namespace {

// Similarity a pairing by content needs, and by how much it must beat every other pairing of either member.
constexpr double k_min_similarity = 0.5;
constexpr double k_min_margin = 0.2;

std::vector<std::string_view> content_lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(at, end - at);
    size_t b = line.find_first_not_of(" \t\r");
    if (b != std::string_view::npos) out.push_back(line.substr(b, line.find_last_not_of(" \t\r") - b + 1));
    at = end + 1;
  }
  return out;
}

// The members of one identity in both lists, and which of them are paired so far.
class Group {
public:
  Group(const MemberList& from, const MemberList& to, std::vector<size_t> f, std::vector<size_t> t)
      : m_from(from), m_to(to), m_f(std::move(f)), m_t(std::move(t)), m_pair(m_t.size(), -1),
        m_taken(m_f.size(), false) {}

  // Pairs what can be paired with confidence; false when members are left on both sides that should
  // have been paired.
  bool pair(Pairing pairing) {
    bool is_set = from(0).is_set, named = from(0).named;
    pair_equal_text();
    if (pairing != Pairing::versions && (is_set || (named && pairing == Pairing::additions_with_overloads))) {
      if (!is_set) pair_equal_detail();
      return true; // the rest are different additions
    }
    pair_equal_detail();
    pair_last_ones();
    while (pair_most_similar()) {
    }
    bool from_left = std::find(m_taken.begin(), m_taken.end(), false) != m_taken.end();
    bool to_left = std::find(m_pair.begin(), m_pair.end(), -1) != m_pair.end();
    return !(from_left && to_left);
  }

  // Writes the pairs into `out` (indexed by `to`'s member, holding `from`'s index).
  void write(std::vector<int>& out) const {
    for (size_t j = 0; j < m_t.size(); ++j)
      if (m_pair[j] >= 0) out[m_t[j]] = static_cast<int>(m_f[static_cast<size_t>(m_pair[j])]);
  }

private:
  const Member& from(size_t i) const { return *m_from.members[m_f[i]]; }
  const Member& to(size_t j) const { return *m_to.members[m_t[j]]; }
  void take(size_t i, size_t j) {
    m_taken[i] = true;
    m_pair[j] = static_cast<int>(i);
  }

  // 1. The same text (blank lines and indentation aside) is the same member; copies pair in order.
  void pair_equal_text() {
    for (size_t j = 0; j < m_t.size(); ++j) {
      std::string tj = normalise_space(m_to.text(to(j)));
      for (size_t i = 0; i < m_f.size(); ++i)
        if (!m_taken[i] && normalise_space(m_from.text(from(i))) == tj) {
          take(i, j);
          break;
        }
    }
  }

  // 2. A detail (parameters, decorators) that one unpaired member has on each side.
  void pair_equal_detail() {
    for (size_t j = 0; j < m_t.size(); ++j) {
      if (m_pair[j] >= 0) continue;
      const std::string& d = to(j).detail;
      int in_from = 0, in_to = 0;
      size_t at = 0;
      for (size_t i = 0; i < m_f.size(); ++i)
        if (!m_taken[i] && from(i).detail == d) ++in_from, at = i;
      for (size_t k = 0; k < m_t.size(); ++k)
        if (m_pair[k] < 0 && to(k).detail == d) ++in_to;
      if (in_from == 1 && in_to == 1) take(at, j);
    }
  }

  // 3. One unpaired member on each side: the same one, changed.
  void pair_last_ones() {
    if (std::count(m_taken.begin(), m_taken.end(), false) != 1 || std::count(m_pair.begin(), m_pair.end(), -1) != 1)
      return;
    size_t i = static_cast<size_t>(std::find(m_taken.begin(), m_taken.end(), false) - m_taken.begin());
    size_t j = static_cast<size_t>(std::find(m_pair.begin(), m_pair.end(), -1) - m_pair.begin());
    take(i, j);
  }

  // 4. The pairs alike enough and clearly more alike than any other pairing of either member.
  bool pair_most_similar() {
    std::vector<size_t> fi, tj;
    for (size_t i = 0; i < m_f.size(); ++i)
      if (!m_taken[i]) fi.push_back(i);
    for (size_t j = 0; j < m_t.size(); ++j)
      if (m_pair[j] < 0) tj.push_back(j);
    if (fi.empty() || tj.empty()) return false;
    std::vector<std::vector<double>> sim(fi.size(), std::vector<double>(tj.size()));
    for (size_t a = 0; a < fi.size(); ++a)
      for (size_t b = 0; b < tj.size(); ++b) sim[a][b] = similarity(m_from.text(from(fi[a])), m_to.text(to(tj[b])));
    bool any = false;
    for (size_t a = 0; a < fi.size(); ++a) {
      size_t best = 0;
      for (size_t b = 1; b < tj.size(); ++b)
        if (sim[a][b] > sim[a][best]) best = b;
      double s = sim[a][best];
      if (s < k_min_similarity) continue;
      bool clear = true;
      for (size_t b = 0; b < tj.size() && clear; ++b)
        if (b != best && sim[a][b] > s - k_min_margin) clear = false;
      for (size_t c = 0; c < fi.size() && clear; ++c)
        if (c != a && sim[c][best] > s - k_min_margin) clear = false;
      if (clear) {
        take(fi[a], tj[best]);
        any = true;
        break; // the matrix is stale now
      }
    }
    return any;
  }

  const MemberList& m_from;
  const MemberList& m_to;
  std::vector<size_t> m_f, m_t;   // indices into the lists
  std::vector<int> m_pair;        // per m_t entry: index into m_f, or -1
  std::vector<bool> m_taken;      // per m_f entry
};

} // namespace

MemberList members_of(const Region& region, std::string_view source) {
  MemberList out{source, {}};
  for (const auto& m : region.members) out.members.push_back(&m);
  return out;
}

std::optional<std::vector<int>> match_members(const MemberList& from, const MemberList& to, Pairing pairing,
                                              std::string& why) {
  std::vector<int> out(to.members.size(), -1);
  // Identity → (indices in from, indices in to), in order of first appearance.
  std::map<std::string_view, std::pair<std::vector<size_t>, std::vector<size_t>>> groups;
  for (size_t i = 0; i < from.members.size(); ++i) groups[from.members[i]->identity].first.push_back(i);
  for (size_t j = 0; j < to.members.size(); ++j) groups[to.members[j]->identity].second.push_back(j);
  for (auto& entry : groups) {
    auto& [f, t] = entry.second;
    if (f.empty() || t.empty()) continue;
    Group group(from, to, f, t);
    if (!group.pair(pairing)) {
      why = "members of one identity (" + std::string(entry.first.substr(0, 60)) + ") cannot be told apart";
      return std::nullopt;
    }
    group.write(out);
  }
  return out;
}

double similarity(std::string_view a, std::string_view b) {
  std::vector<std::string_view> la = content_lines(a), lb = content_lines(b);
  if (la.empty() && lb.empty()) return 1.0;
  std::unordered_map<std::string_view, long> count;
  for (auto l : la) ++count[l];
  long common = 0;
  for (auto l : lb)
    if (auto it = count.find(l); it != count.end() && it->second > 0) {
      --it->second;
      ++common;
    }
  return 2.0 * static_cast<double>(common) / static_cast<double>(la.size() + lb.size());
}

} // namespace merge
