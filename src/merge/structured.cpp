#include "merge/structured.hpp"

#include "merge/match.hpp"
#include "merge/profile.hpp"
#include "merge/regions.hpp"
#include "merge/verify.hpp"
#include "scan/syntax_tree.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace merge {

namespace {

// A merged stretch of text: `text` as written (conflict markers included), `check` the same with each
// conflict replaced by our side (what verification parses), `clean` when there is no conflict.
struct Piece {
  std::string text;
  std::string check;
  bool clean = true;
  void append(const Piece& p) {
    text += p.text;
    check += p.check;
    clean = clean && p.clean;
  }
  // Appends a member: members are whole lines, so one that followed the last line of a file without a
  // final newline needs that newline now.
  void append_member(const Piece& p) {
    if (!text.empty() && text.back() != '\n' && !p.text.empty()) {
      text += '\n';
      check += '\n';
    }
    append(p);
  }
};

// The blank lines at the start of `text`, and the rest.
std::pair<std::string, std::string> split_gap(const std::string& text) {
  size_t cut = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') cut = i + 1;
    else if (c != ' ' && c != '\t' && c != '\r') break;
  }
  return {text.substr(0, cut), text.substr(cut)};
}

// One version of a region, its members known by the keys that say which members are the same in all
// three versions (Keys).
struct Side {
  std::string_view source;
  const Region* region;
  std::vector<std::string> keys;  // per member
  std::map<std::string, const Member*> by_key;

  Side(std::string_view s, const Region& r, std::vector<std::string> k) : source(s), region(&r), keys(std::move(k)) {
    for (size_t i = 0; i < r.members.size(); ++i) by_key[keys[i]] = &r.members[i];
  }
  const Member* find(const std::string& key) const {
    auto it = by_key.find(key);
    return it == by_key.end() ? nullptr : it->second;
  }
  const std::string& key(const Member& m) const { return keys[static_cast<size_t>(&m - region->members.data())]; }
  std::string text(const Member& m) const { return std::string(source.substr(m.begin, m.end - m.begin)); }
  std::string head() const { return std::string(source.substr(region->begin, region->members_begin - region->begin)); }
  std::string tail() const { return std::string(source.substr(region->members_end, region->end - region->members_end)); }
  // Keys of the members every side has, in this side's order.
  std::vector<std::string> common(const Side& a, const Side& b) const {
    std::vector<std::string> out;
    for (const auto& m : region->members)
      if (a.find(key(m)) && b.find(key(m))) out.push_back(key(m));
    return out;
  }
};

// Keys of the members of three versions of a region, equal where the members are the same (match.hpp):
// base's N-th member is "bN"; a side's member takes the key of the base member it is; an addition is
// "oN" or "tN", theirs taking ours' key when both sides added the same member. nullopt (and `why`) when
// the members cannot be matched with confidence.
struct Keys {
  std::vector<std::string> base, ours, theirs;
};

std::optional<Keys> keys_of(const MemberList& b, const MemberList& o, const MemberList& t, bool overloads,
                            std::string& why) {
  auto in_o = match_members(b, o, Pairing::versions, why);
  if (!in_o) return std::nullopt;
  auto in_t = match_members(b, t, Pairing::versions, why);
  if (!in_t) return std::nullopt;
  Keys k;
  for (size_t i = 0; i < b.members.size(); ++i) k.base.push_back("b" + std::to_string(i));
  // A side's keys, and the members it added (with their indices).
  auto side_keys = [&](const MemberList& side, const std::vector<int>& in_base, char tag, std::vector<std::string>& keys,
                       MemberList& added, std::vector<size_t>& at) {
    added.source = side.source;
    for (size_t j = 0; j < side.members.size(); ++j) {
      if (in_base[j] >= 0) {
        keys.push_back(k.base[static_cast<size_t>(in_base[j])]);
        continue;
      }
      keys.push_back(tag + std::to_string(j));
      added.members.push_back(side.members[j]);
      at.push_back(j);
    }
  };
  MemberList added_o, added_t;
  std::vector<size_t> at_o, at_t;
  side_keys(o, *in_o, 'o', k.ours, added_o, at_o);
  side_keys(t, *in_t, 't', k.theirs, added_t, at_t);
  auto same =
      match_members(added_o, added_t, overloads ? Pairing::additions_with_overloads : Pairing::additions, why);
  if (!same) return std::nullopt;
  for (size_t n = 0; n < same->size(); ++n)
    if ((*same)[n] >= 0) k.theirs[at_t[n]] = k.ours[at_o[static_cast<size_t>((*same)[n])]];
  return k;
}

class Merger {
public:
  Merger(std::string_view base, std::string_view ours, std::string_view theirs, const MergeProfile& profile,
         const Options& options)
      : m_base(base), m_ours(ours), m_theirs(theirs), m_profile(profile), m_options(options) {}

  // Three versions of a stretch of text: a side that did not change it takes the other's change;
  // both changed it → git's line merge of that stretch alone.
  Piece text(const std::string& b, const std::string& o, const std::string& t) const {
    if (o == b || o == t) return {t, t, true};
    if (t == b) return {o, o, true};
    git::MergeFileResult r = git::merge_file(b, o, t, m_options.line);
    if (r.clean) return {r.text, r.text, true};
    return {r.text, o, false};
  }

  // A member (or a region's head): the blank lines above it follow whichever side changed them (ours
  // when both did), so that a declaration moved on one side (and so preceded by other blank lines) still
  // merges with a change of its text on the other.
  Piece member(const std::string& b, const std::string& o, const std::string& t) const {
    auto [gb, rb] = split_gap(b);
    auto [go, ro] = split_gap(o);
    auto [gt, rt] = split_gap(t);
    std::string gap = go == gb ? gt : go;
    Piece out{gap, gap, true};
    out.append(text(rb, ro, rt));
    return out;
  }

  // Merges three versions of a region member by member; nullopt (and m_why) when it cannot be done safely.
  std::optional<Piece> region(const Region& rb, const Region& ro, const Region& rt) {
    std::string why;
    auto keys =
        keys_of(members_of(rb, m_base), members_of(ro, m_ours), members_of(rt, m_theirs), m_profile.overloads, why);
    if (!keys) return fail(why);
    Side b(m_base, rb, std::move(keys->base)), o(m_ours, ro, std::move(keys->ours)), t(m_theirs, rt, std::move(keys->theirs));
    // Whose order of the common members to keep: the side that reordered them, if only one did.
    std::vector<std::string> cb = b.common(o, t), co = o.common(b, t), ct = t.common(b, o);
    bool ours_primary = true;
    if (co == cb && ct != cb) ours_primary = false;
    else if (co != cb && ct != cb && co != ct) return fail("both sides reordered the same declarations");
    if ((co != cb || ct != cb) && !only_changed_in_place(b, co != cb ? t : o))
      return fail("one side moved declarations, the other added or deleted some next to them");
    if (!separate_statement_changes(b, o, t) || !separate_rewrites(b, o, t) || !one_copy_dropped(b, o, t) ||
        !one_side_deletes_each_name(b, o, t))
      return std::nullopt;

    const Side& p = ours_primary ? o : t;
    const Side& s = ours_primary ? t : o;
    std::vector<std::string> order;
    for (const auto& m : p.region->members) {
      const Member* in_b = b.find(p.key(m));
      const Member* in_s = s.find(p.key(m));
      if (in_b && !in_s) { // the secondary side deleted it
        if (p.text(m) != b.text(*in_b)) return fail("a declaration changed on one side was deleted on the other");
        continue;
      }
      order.push_back(p.key(m));
    }
    for (const auto& m : s.region->members) {
      const Member* in_b = b.find(s.key(m));
      if (in_b && !p.find(s.key(m)) && s.text(m) != b.text(*in_b))
        return fail("a declaration changed on one side was deleted on the other");
    }
    // The secondary side's additions go after the member they follow there (ours before theirs when
    // both sides add at the same place).
    std::set<std::string> in_order(order.begin(), order.end());
    const std::vector<Member>& sm = s.region->members;
    for (size_t i = 0; i < sm.size(); ++i) {
      const Member& m = sm[i];
      const std::string& key = s.key(m);
      if (b.find(key) || p.find(key)) continue;
      size_t at = 0;
      for (size_t k = i; k-- > 0;) {
        auto it = std::find(order.begin(), order.end(), s.key(sm[k]));
        if (it != order.end()) {
          at = static_cast<size_t>(it - order.begin()) + 1;
          break;
        }
      }
      auto is_set = [&](const std::string& key) {
        const Member* any = p.find(key) ? p.find(key) : s.find(key);
        return any && any->is_set;
      };
      if (m.is_set && (at > 0 ? is_set(order[at - 1]) : !order.empty() && is_set(order[0])))
        while (at < order.size() && is_set(order[at])) ++at; // an import joins the end of its import list
      else if (ours_primary) {
        size_t first = at;
        while (at < order.size() && !b.find(order[at]) && !s.find(order[at])) ++at; // past ours' additions
        if (at > first && follows_what_other_deleted(s, p, b, i))
          return fail("one side added a declaration where the other replaced one");
      }
      order.insert(order.begin() + static_cast<std::ptrdiff_t>(at), key);
    }
    if (!sections_kept(order, b, o, t)) return std::nullopt;

    Piece out = member(b.head(), o.head(), t.head());
    for (const auto& key : order) {
      const Member *mb = b.find(key), *mo = o.find(key), *mt = t.find(key);
      if (mb && mo && mt) {
        std::string tb = b.text(*mb), to = o.text(*mo), tt = t.text(*mt);
        if (to == tb || to == tt || tt == tb || !mb->region || !mo->region || !mt->region) {
          out.append_member(member(tb, to, tt));
          continue;
        }
        std::string saved = m_why;
        if (auto inner = region(*mb->region, *mo->region, *mt->region)) out.append_member(*inner);
        else {
          m_why = saved; // the container alone falls back to its line merge
          out.append_member(member(tb, to, tt));
        }
      } else if (mo && mt) {
        out.append_member(member("", o.text(*mo), t.text(*mt)));
      } else if (mo) {
        std::string to = o.text(*mo);
        out.append_member({to, to, true});
      } else if (mt) {
        std::string tt = t.text(*mt);
        out.append_member({tt, tt, true});
      }
    }
    out.append(text(b.tail(), o.tail(), t.tail()));
    return out;
  }

  const std::string& why() const { return m_why; }

private:
  std::nullopt_t fail(const std::string& why) {
    refuse(why);
    return std::nullopt;
  }
  // fail() for the checks that answer whether the merge may go on.
  bool refuse(const std::string& why) {
    if (m_why.empty()) m_why = why;
    return false;
  }

  // Statements (members keyed by their text) changed by both sides at the same place cannot be told
  // apart from one statement changed two ways: git's conflict is the honest answer then.
  bool separate_statement_changes(const Side& b, const Side& o, const Side& t) {
    auto places = [&](const Side& side) {
      std::set<std::string> out;
      std::string anchor = "^";
      for (const auto& m : side.region->members) {
        const std::string& key = side.key(m);
        bool common = b.find(key) && o.find(key) && t.find(key);
        if (common) anchor = key;
        else if (!m.named && !m.is_set && !b.find(key)) out.insert(anchor); // added
      }
      anchor = "^";
      for (const auto& m : b.region->members) {
        const std::string& key = b.key(m);
        bool common = o.find(key) && t.find(key);
        if (common) anchor = key;
        else if (!m.named && !m.is_set && !side.find(key)) out.insert(anchor); // deleted
      }
      return out;
    };
    std::set<std::string> po = places(o), pt = places(t);
    for (const auto& a : po)
      if (pt.count(a)) return refuse("both sides changed statements at the same place");
    return true;
  }

  // A declaration or import one side replaced by another (deleted one and added one at the same place:
  // renamed it, rewrote an import entry) where the other side replaced or deleted one too: one thing
  // changed two ways, which only a person can settle. (Statements: separate_statement_changes.)
  bool separate_rewrites(const Side& b, const Side& o, const Side& t) {
    auto places = [&](const Side& side, std::set<std::string>& deleted, std::set<std::string>& rewritten) {
      std::set<std::string> added;
      std::string anchor = "^";
      for (const auto& m : side.region->members) {
        const std::string& key = side.key(m);
        if (b.find(key) && o.find(key) && t.find(key)) anchor = key;
        else if ((m.named || m.is_set) && !b.find(key)) added.insert(anchor);
      }
      anchor = "^";
      for (const auto& m : b.region->members) {
        const std::string& key = b.key(m);
        if (o.find(key) && t.find(key)) anchor = key;
        else if ((m.named || m.is_set) && !side.find(key)) deleted.insert(anchor);
      }
      for (const auto& a : deleted)
        if (added.count(a)) rewritten.insert(a);
    };
    std::set<std::string> deleted_o, rewritten_o, deleted_t, rewritten_t;
    places(o, deleted_o, rewritten_o);
    places(t, deleted_t, rewritten_t);
    for (const auto& a : rewritten_o)
      if (deleted_t.count(a)) return refuse("both sides replaced the same declaration or import");
    for (const auto& a : rewritten_t)
      if (deleted_o.count(a)) return refuse("both sides replaced the same declaration or import");
    return true;
  }

  // Whether the first base member after member `i` of `side` is one `other` deleted. Then what `other`
  // added at that place may be what replaced it (a rename), and `side`'s addition above it would go
  // before the replacement; or an unrelated addition, and it would go after: the text cannot tell.
  bool follows_what_other_deleted(const Side& side, const Side& other, const Side& b, size_t i) const {
    const std::vector<Member>& members = side.region->members;
    for (size_t k = i + 1; k < members.size(); ++k) {
      const std::string& key = side.key(members[k]);
      if (b.find(key)) return !other.find(key);
    }
    return false;
  }

  // Whether `side` kept every member of base and added none: where the other side moved declarations,
  // which comments and blank lines go with which declaration is no longer sure enough to place more.
  bool only_changed_in_place(const Side& b, const Side& side) const {
    if (b.region->members.size() != side.region->members.size()) return false;
    for (const auto& m : side.region->members)
      if (!b.find(side.key(m))) return false;
    return true;
  }

  // Members of one name (a getter and its setter, overloads) that each side deleted a different one of:
  // together they are one thing, which the sides changed in two ways (git conflicts there too).
  bool one_side_deletes_each_name(const Side& b, const Side& o, const Side& t) {
    std::set<std::string_view> by_ours, by_theirs;
    for (const auto& m : b.region->members) {
      if (!m.named) continue;
      bool in_o = o.find(b.key(m)) != nullptr, in_t = t.find(b.key(m)) != nullptr;
      if (!in_o && in_t) by_ours.insert(m.identity);
      if (in_o && !in_t) by_theirs.insert(m.identity);
    }
    for (auto identity : by_ours)
      if (by_theirs.count(identity)) return refuse("each side deleted a different member of one name");
    return true;
  }

  // Copies of one statement in base that both sides dropped some of: which copy each side dropped
  // cannot be known from the text, so neither can the result.
  bool one_copy_dropped(const Side& b, const Side& o, const Side& t) {
    auto counts = [](const Side& side) {
      std::map<std::string_view, int> out;
      for (const auto& m : side.region->members)
        if (!m.named) ++out[m.is_set ? m.detail : m.identity];  // by text
      return out;
    };
    std::map<std::string_view, int> cb = counts(b), co = counts(o), ct = counts(t);
    for (const auto& entry : cb)
      if (entry.second > 1 && co[entry.first] < entry.second && ct[entry.first] < entry.second)
        return refuse("both sides dropped copies of a repeated statement");
    return true;
  }

  // Every member of the merged `order` stands under the section label (C++ `public:`) it has on the side
  // that changed it (or added it): a label one side moved must not carry the other side's members along.
  bool sections_kept(const std::vector<std::string>& order, const Side& b, const Side& o, const Side& t) {
    std::string current;
    for (const auto& key : order) {
      const Member *mb = b.find(key), *mo = o.find(key), *mt = t.find(key);
      const Member* any = mo ? mo : mt;
      if (any->is_label) {
        current = any->section;
        continue;
      }
      std::optional<std::string> expected;
      if (mo && mt) {
        const std::string &so = mo->section, &st = mt->section;
        if (so == st || (mb && st == mb->section)) expected = so;
        else if (mb && so == mb->section) expected = st;
      } else {
        expected = any->section;
      }
      if (!expected) return refuse("both sides moved a member to different sections");
      if (*expected != current) return refuse("a member would change its section (public:/private:)");
    }
    return true;
  }

  std::string_view m_base, m_ours, m_theirs;
  const MergeProfile& m_profile;
  const Options& m_options;
  std::string m_why;
};

} // namespace

std::optional<StructuredResult> structured_merge(const std::string& base, const std::string& ours,
                                                 const std::string& theirs, const scan::LanguageProfile& language,
                                                 const Options& options, std::string& why) {
  const MergeProfile* profile = merge_profile(language.name);
  if (!profile) {
    why = "no merge profile for " + std::string(language.name);
    return std::nullopt;
  }
  try {
    scan::ParseOptions parse;
    parse.timeout_ms = options.parse_timeout_ms;
    // Regions keep byte offsets only: each tree is dropped once cut (three big trees at once cost memory).
    std::optional<Region> regions[3];
    int errors[3] = {0, 0, 0};
    const std::string* texts[3] = {&base, &ours, &theirs};
    for (int i = 0; i < 3; ++i) {
      auto tree = scan::parse_syntax_tree(language, *texts[i], parse);
      if (!tree) {
        why = "parse timed out";
        return std::nullopt;
      }
      errors[i] = tree->error_count();
      // A side that breaks the syntax may have moved what the trees say is where: only lines are sure.
      if (i > 0 && errors[i] > errors[0]) {
        why = "a side has syntax errors that base has not";
        return std::nullopt;
      }
      regions[i] = decompose(*tree, *texts[i], *profile, why);
      if (!regions[i]) return std::nullopt;
    }
    Merger merger(base, ours, theirs, *profile, options);
    auto piece = merger.region(*regions[0], *regions[1], *regions[2]);
    if (!piece) {
      why = merger.why();
      return std::nullopt;
    }
    // 3. Verify what will be written (conflicts read as our side).
    auto facts = [&](int i) { return facts_of_region(language.name, *profile, *regions[i], errors[i]); };
    auto merged = facts_of(language, *profile, piece->check, options.parse_timeout_ms);
    if (!merged) {
      why = "the result could not be re-read";
      return std::nullopt;
    }
    why = verify(*merged, facts(0), facts(1), facts(2));
    if (why.empty() && piece->clean) why = verify_lines(base, ours, theirs, piece->text);
    if (why.empty() && piece->clean) why = verify_order(base, ours, theirs, piece->text);
    if (!why.empty()) return std::nullopt;
    return StructuredResult{piece->clean, std::move(piece->text)};
  } catch (const std::exception& e) {
    why = std::string("structured merge failed: ") + e.what();
    return std::nullopt;
  }
}

} // namespace merge
