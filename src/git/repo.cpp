#include "git/repo.hpp"

#include "core/process.hpp"

#include <git2.h>
#include <sys/types.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <queue>
#include <unordered_set>

namespace git {

namespace {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p) F(p);
  }
};
using Object = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using Revwalk = std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;
using Reference = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using Odb = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;
using Reflog = std::unique_ptr<git_reflog, Deleter<git_reflog, git_reflog_free>>;

std::string hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

git_oid parse_oid(const std::string& id) {
  git_oid oid;
  check(git_oid_fromstrn(&oid, id.data(), id.size()), "parse object id");
  return oid;
}

Commit lookup_commit(git_repository* repo, const std::string& id) {
  git_oid oid = parse_oid(id);
  git_commit* c = nullptr;
  check(git_commit_lookup(&c, repo, &oid), "look up commit");
  return Commit(c);
}

Tree commit_tree(const git_commit* commit) {
  git_tree* t = nullptr;
  check(git_commit_tree(&t, commit), "read commit tree");
  return Tree(t);
}

Tree lookup_tree(git_repository* repo, const git_oid* oid) {
  git_tree* t = nullptr;
  check(git_tree_lookup(&t, repo, oid), "read tree");
  return Tree(t);
}

bool is_file_mode(git_filemode_t mode) {
  return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE || mode == GIT_FILEMODE_LINK;
}

void add_all(git_repository* repo, const git_tree* tree, const std::string& prefix, Change::Kind kind,
             std::vector<Change>& out);

// One side only: a file, or every file of a subtree, added or deleted as a whole.
void add_entry(git_repository* repo, const git_tree_entry* e, const std::string& prefix, Change::Kind kind,
               std::vector<Change>& out) {
  std::string path = prefix + git_tree_entry_name(e);
  git_filemode_t mode = git_tree_entry_filemode(e);
  if (mode == GIT_FILEMODE_TREE) {
    Tree sub = lookup_tree(repo, git_tree_entry_id(e));
    add_all(repo, sub.get(), path + "/", kind, out);
  } else if (is_file_mode(mode)) {
    Change c{kind, path, {}, {}, static_cast<unsigned>(mode)};
    (kind == Change::Kind::deleted ? c.old_blob : c.new_blob) = hex(git_tree_entry_id(e));
    out.push_back(std::move(c));
  }
}

void add_all(git_repository* repo, const git_tree* tree, const std::string& prefix, Change::Kind kind,
             std::vector<Change>& out) {
  size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) add_entry(repo, git_tree_entry_byindex(tree, i), prefix, kind, out);
}

// Walks two sorted trees in step; equal ids (files or whole subtrees) are skipped without reading.
void diff_trees(git_repository* repo, const git_tree* a, const git_tree* b, const std::string& prefix,
                std::vector<Change>& out) {
  size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
  size_t i = 0, j = 0;
  while (i < na || j < nb) {
    const git_tree_entry* ea = i < na ? git_tree_entry_byindex(a, i) : nullptr;
    const git_tree_entry* eb = j < nb ? git_tree_entry_byindex(b, j) : nullptr;
    int cmp;
    if (!ea) cmp = 1;
    else if (!eb) cmp = -1;
    else cmp = std::strcmp(git_tree_entry_name(ea), git_tree_entry_name(eb));
    // Tree order sorts "dir" as "dir/", so a name-equal file/dir pair still meets here: handle by kind.
    if (cmp == 0) {
      git_filemode_t ma = git_tree_entry_filemode(ea), mb = git_tree_entry_filemode(eb);
      bool ta = ma == GIT_FILEMODE_TREE, tb = mb == GIT_FILEMODE_TREE;
      std::string path = prefix + git_tree_entry_name(ea);
      if (git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) && ma == mb) {
        // unchanged file or subtree
      } else if (ta && tb) {
        Tree sa = lookup_tree(repo, git_tree_entry_id(ea)), sb = lookup_tree(repo, git_tree_entry_id(eb));
        diff_trees(repo, sa.get(), sb.get(), path + "/", out);
      } else if (!ta && !tb) {
        if (is_file_mode(mb))
          out.push_back({is_file_mode(ma) ? Change::Kind::modified : Change::Kind::added, path,
                         is_file_mode(ma) ? hex(git_tree_entry_id(ea)) : std::string(), hex(git_tree_entry_id(eb)),
                         static_cast<unsigned>(mb)});
        else if (is_file_mode(ma))
          out.push_back({Change::Kind::deleted, path, hex(git_tree_entry_id(ea)), {}, static_cast<unsigned>(ma)});
      } else {
        // a file became a directory or the other way round
        if (ta) {
          Tree sa = lookup_tree(repo, git_tree_entry_id(ea));
          add_all(repo, sa.get(), path + "/", Change::Kind::deleted, out);
          if (is_file_mode(mb)) out.push_back({Change::Kind::added, path, {}, hex(git_tree_entry_id(eb)), static_cast<unsigned>(mb)});
        } else {
          if (is_file_mode(ma)) out.push_back({Change::Kind::deleted, path, hex(git_tree_entry_id(ea)), {}, static_cast<unsigned>(ma)});
          Tree sb = lookup_tree(repo, git_tree_entry_id(eb));
          add_all(repo, sb.get(), path + "/", Change::Kind::added, out);
        }
      }
      ++i;
      ++j;
      continue;
    }
    // Compare with git's tree ordering (directories sort as if followed by '/').
    auto key = [](const git_tree_entry* e) {
      std::string k = git_tree_entry_name(e);
      if (git_tree_entry_filemode(e) == GIT_FILEMODE_TREE) k += '/';
      return k;
    };
    if (ea && eb) cmp = key(ea) < key(eb) ? -1 : 1;
    add_entry(repo, cmp < 0 ? ea : eb, prefix, cmp < 0 ? Change::Kind::deleted : Change::Kind::added, out);
    if (cmp < 0) ++i;
    else ++j;
  }
}

} // namespace

void check(int rc, const char* what) {
  if (rc >= 0) return;
  const git_error* e = git_error_last();
  std::string message = std::string(what) + ": " + (e && e->message ? e->message : "libgit2 error " + std::to_string(rc));
  throw Error(rc, message);
}

// Memory stays bounded whatever the repository's size (issue 18 §5). libgit2 maps pack files in windows of
// 1 GiB, up to 8 GiB in all, and every page a read touches stays resident while its window is mapped: reading
// every blob (`scan --all`, a commit adding a tree) would hold the whole pack. Small windows, few mapped at a
// time (least recently used unmapped first), and a smaller cache of parsed trees and commits.
constexpr size_t k_pack_window_bytes = 4u << 20;
constexpr size_t k_pack_windows_mapped_bytes = 16u << 20;
constexpr ssize_t k_object_cache_bytes = 16 << 20;

// libgit2 caches no tree over 4 KiB: a directory of ~100 files was inflated again for each path looked
// up in it (the conftest.py lookups of a scan, the tree diff). Trees up to this size are cached, within
// k_object_cache_bytes in all.
constexpr size_t k_cached_tree_bytes = 256u << 10;

// libgit2 hashes every object it reads again to check it against its id (SHA-1 with collision detection: a
// sixth of a no-op rescan). git itself does not on reads; ids are checked where objects come in (index-pack
// on fetch, fsck) and computed where they are written. What a hostile repository could make us read with a
// mismatching id it could as well commit, and every read is bounded by size caps: off.

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, k_pack_window_bytes);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, k_pack_windows_mapped_bytes);
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, k_object_cache_bytes);
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, k_cached_tree_bytes);
  });
}

void Repository::Free::operator()(git_repository* r) const { git_repository_free(r); }

Repository::~Repository() = default;

Repository Repository::open(const std::filesystem::path& path) {
  init_library();
  git_repository* repo = nullptr;
  check(git_repository_open_ext(&repo, path.c_str(), 0, nullptr), "open repository");
  return Repository(repo);
}

std::filesystem::path Repository::git_dir() const { return git_repository_path(m_repo.get()); }
std::filesystem::path Repository::common_dir() const { return git_repository_commondir(m_repo.get()); }
std::optional<std::filesystem::path> Repository::work_tree() const {
  const char* w = git_repository_workdir(m_repo.get());
  if (!w) return std::nullopt;
  return std::filesystem::path(w);
}
bool Repository::is_bare() const { return git_repository_is_bare(m_repo.get()) == 1; }

std::optional<std::string> Repository::resolve_commit(const std::string& rev) const {
  git_object* obj = nullptr;
  int rc = git_revparse_single(&obj, m_repo.get(), rev.c_str());
  if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS || rc == GIT_EINVALIDSPEC) return std::nullopt;
  check(rc, "resolve revision");
  Object o(obj);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, o.get(), GIT_OBJECT_COMMIT) < 0) return std::nullopt;
  Object p(peeled);
  return hex(git_object_id(p.get()));
}

std::optional<std::string> Repository::current_branch() const {
  git_reference* ref = nullptr;
  int rc = git_repository_head(&ref, m_repo.get());
  if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) return std::nullopt;
  check(rc, "read HEAD");
  Reference r(ref);
  if (!git_reference_is_branch(r.get())) return std::nullopt;
  return std::string(git_reference_shorthand(r.get()));
}

std::vector<std::string> Repository::parents(const std::string& commit) const {
  Commit c = lookup_commit(m_repo.get(), commit);
  std::vector<std::string> out;
  for (unsigned i = 0; i < git_commit_parentcount(c.get()); ++i) out.push_back(hex(git_commit_parent_id(c.get(), i)));
  return out;
}

namespace {

// libgit2 1.5 knows nothing of shallow clones: a walk that reaches the boundary fails ("object not
// found", after which it ends early and leaks) so every range came back empty there. In a shallow
// repository git lists the range itself: `git rev-list --topo-order --reverse ARGS`, at most `limit`.
std::vector<std::string> shallow_rev_list(git_repository* repo, std::vector<std::string> args, size_t limit) {
  std::vector<std::string> argv{"--git-dir=" + std::string(git_repository_path(repo)), "rev-list", "--topo-order",
                                "--reverse"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto out = core::git_output(git_repository_path(repo), argv);
  if (!out) throw Error(GIT_ERROR, "git rev-list " + args.front() + " failed in a shallow repository");
  std::vector<std::string> ids;
  for (size_t at = 0; at < out->size() && ids.size() < limit;) {
    size_t end = std::min(out->find('\n', at), out->size());
    if (end > at) ids.push_back(out->substr(at, end - at));
    at = end + 1;
  }
  return ids;
}

} // namespace

std::vector<std::string> Repository::commit_range(const std::string& from, const std::string& to, size_t limit) const {
  if (git_repository_is_shallow(m_repo.get()) == 1) {
    std::vector<std::string> args{to};
    if (!from.empty() && has_object(from)) args.push_back("^" + from);
    return shallow_rev_list(m_repo.get(), args, limit);
  }
  git_revwalk* w = nullptr;
  check(git_revwalk_new(&w, m_repo.get()), "start revision walk");
  Revwalk walk(w);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  git_oid to_oid = parse_oid(to);
  check(git_revwalk_push(walk.get(), &to_oid), "walk from commit");
  if (!from.empty()) {
    git_oid from_oid = parse_oid(from);
    if (git_revwalk_hide(walk.get(), &from_oid) < 0) git_error_clear();
  }
  std::vector<std::string> out;
  git_oid oid;
  while (out.size() < limit && git_revwalk_next(&oid, walk.get()) == 0) out.push_back(hex(&oid));
  return out;
}

std::vector<std::string> Repository::commits_not_on_remotes(const std::string& to, size_t limit) const {
  if (git_repository_is_shallow(m_repo.get()) == 1) return shallow_rev_list(m_repo.get(), {to, "--not", "--remotes"}, limit);
  git_revwalk* w = nullptr;
  check(git_revwalk_new(&w, m_repo.get()), "start revision walk");
  Revwalk walk(w);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  git_oid to_oid = parse_oid(to);
  check(git_revwalk_push(walk.get(), &to_oid), "walk from commit");
  if (git_revwalk_hide_glob(walk.get(), "refs/remotes/*") < 0) git_error_clear();
  std::vector<std::string> out;
  git_oid oid;
  while (out.size() < limit && git_revwalk_next(&oid, walk.get()) == 0) out.push_back(hex(&oid));
  return out;
}

bool Repository::is_reachable(const std::string& commit) const {
  git_oid target = parse_oid(commit);
  std::vector<std::string> tips = list_refs("refs/heads/");
  std::vector<git_oid> oids;
  if (auto head = resolve_commit("HEAD")) oids.push_back(parse_oid(*head));
  for (const auto& name : tips)
    if (auto id = read_ref(name)) oids.push_back(parse_oid(*id));
  for (const auto& tip : oids) {
    if (git_oid_equal(&tip, &target)) return true;
    int rc = git_graph_descendant_of(m_repo.get(), &tip, &target);
    if (rc == 1) return true;
    if (rc < 0) git_error_clear();
  }
  return false;
}

namespace {

// A commit's date; nullopt when it cannot be read (a shallow clone's boundary).
std::optional<int64_t> commit_time(git_repository* repo, const git_oid& oid) {
  git_commit* c = nullptr;
  if (git_commit_lookup(&c, repo, &oid) < 0) {
    git_error_clear();
    return std::nullopt;
  }
  Commit commit(c);
  return static_cast<int64_t>(git_commit_time(c));
}

// Commits from one or more starting points, newest first by commit date, a child before its parents on
// equal dates, streaming: unlike a sorted git_revwalk it does not pass over the whole history first. A
// commit that cannot be read ends its line.
class DateWalk {
public:
  struct Item {
    int64_t time;
    uint64_t order;
    git_oid oid;
  };

  // `hide` (an id) is never queued, nor what lies only behind it.
  explicit DateWalk(git_repository* repo, std::string hide = "") : m_repo(repo), m_hide(std::move(hide)) {}

  // Queues `oid` unless it was queued before.
  void push(const git_oid& oid) {
    std::string id = hex(&oid);
    if (id == m_hide || !m_seen.insert(std::move(id)).second) return;
    if (auto when = commit_time(m_repo, oid)) m_queue.push({*when, m_order++, oid});
  }
  bool empty() const { return m_queue.empty(); }
  // The newest commit queued; the caller decides whether to go on, then calls push_parents.
  Item pop() {
    Item item = m_queue.top();
    m_queue.pop();
    return item;
  }
  void push_parents(const Item& item) {
    git_commit* c = nullptr;
    if (git_commit_lookup(&c, m_repo, &item.oid) < 0) {
      git_error_clear();
      return;
    }
    Commit commit(c);
    for (unsigned i = 0, n = git_commit_parentcount(c); i < n; ++i) push(*git_commit_parent_id(c, i));
  }

private:
  struct LaterFirst {
    bool operator()(const Item& a, const Item& b) const { return a.time != b.time ? a.time < b.time : a.order > b.order; }
  };
  git_repository* m_repo;
  std::string m_hide;
  std::priority_queue<Item, std::vector<Item>, LaterFirst> m_queue;
  std::unordered_set<std::string> m_seen;
  uint64_t m_order = 0;
};

} // namespace

std::vector<std::string> Repository::ancestors_among(const std::string& tip, const std::vector<std::string>& targets,
                                                     size_t stop_after) const {
  std::vector<std::string> out;
  git_repository* repo = m_repo.get();
  // The targets that can be met at all, and the date past which the walk is pointless.
  std::unordered_set<std::string> wanted;
  int64_t oldest = INT64_MAX;
  for (const auto& t : targets) {
    git_oid oid;
    if (t.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, t.c_str()) < 0) continue;
    auto when = commit_time(repo, oid);
    if (!when) continue;
    if (wanted.insert(t).second) oldest = std::min(oldest, *when);
  }
  git_oid start;
  if (wanted.empty() || stop_after == 0 || tip.size() != GIT_OID_HEXSZ || git_oid_fromstr(&start, tip.c_str()) < 0)
    return out;
  constexpr int64_t k_clock_skew = 86400;
  DateWalk walk(repo);
  walk.push(start);
  while (!walk.empty()) {
    DateWalk::Item item = walk.pop();
    if (item.time < oldest - k_clock_skew) break;
    if (wanted.erase(hex(&item.oid))) {
      out.push_back(hex(&item.oid));
      if (out.size() >= stop_after || wanted.empty()) break;
    }
    walk.push_parents(item);
  }
  return out;
}

Repository::CommitWalk Repository::commits_since(const std::string& tip, const std::string& hide, int64_t since,
                                                 const std::function<bool(const std::string&)>& skip, size_t limit,
                                                 size_t max_visit) const {
  CommitWalk result;
  DateWalk walk(m_repo.get(), hide);
  walk.push(parse_oid(tip));
  size_t visited = 0;
  while (!walk.empty()) {
    DateWalk::Item item = walk.pop();
    if (item.time < since) break; // everything still queued is older
    if (visited++ >= max_visit) {
      result.complete = false;
      break;
    }
    std::string id = hex(&item.oid);
    if (!(skip && skip(id))) {
      if (result.commits.size() >= limit) {
        result.complete = false;
        break;
      }
      result.commits.push_back(std::move(id));
    }
    walk.push_parents(item);
  }
  return result;
}

bool Repository::has_object(const std::string& id) const {
  git_odb* o = nullptr;
  check(git_repository_odb(&o, m_repo.get()), "open object database");
  Odb odb(o);
  git_oid oid;
  if (git_oid_fromstrn(&oid, id.data(), id.size()) < 0) return false;
  return git_odb_exists(odb.get(), &oid) == 1;
}

std::vector<Change> Repository::diff_commits(const std::string& from, const std::string& to) const {
  Commit to_commit = lookup_commit(m_repo.get(), to);
  Tree to_tree = commit_tree(to_commit.get());
  Tree from_tree;
  if (!from.empty()) {
    Commit from_commit = lookup_commit(m_repo.get(), from);
    from_tree = commit_tree(from_commit.get());
  }
  std::vector<Change> out;
  diff_trees(m_repo.get(), from_tree.get(), to_tree.get(), "", out);
  return out;
}

std::vector<Entry> Repository::list_files(const std::string& commit) const {
  std::vector<Change> all;
  Commit c = lookup_commit(m_repo.get(), commit);
  Tree t = commit_tree(c.get());
  add_all(m_repo.get(), t.get(), "", Change::Kind::added, all);
  std::vector<Entry> out;
  out.reserve(all.size());
  for (auto& ch : all) out.push_back({std::move(ch.path), std::move(ch.new_blob), ch.mode});
  return out;
}

std::optional<Entry> Repository::entry_at(const std::string& commit, const std::string& path) const {
  Commit c = lookup_commit(m_repo.get(), commit);
  Tree t = commit_tree(c.get());
  git_tree_entry* e = nullptr;
  int rc = git_tree_entry_bypath(&e, t.get(), path.c_str());
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  check(rc, "look up path");
  std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>> entry(e);
  if (!is_file_mode(git_tree_entry_filemode(entry.get()))) return std::nullopt;
  return Entry{path, hex(git_tree_entry_id(entry.get())), static_cast<unsigned>(git_tree_entry_filemode(entry.get()))};
}

std::string Repository::read_blob(const std::string& blob) const {
  git_oid oid = parse_oid(blob);
  git_blob* b = nullptr;
  check(git_blob_lookup(&b, m_repo.get(), &oid), "read blob");
  Blob owned(b);
  return std::string(static_cast<const char*>(git_blob_rawcontent(owned.get())),
                     static_cast<size_t>(git_blob_rawsize(owned.get())));
}

size_t Repository::blob_size(const std::string& blob) const {
  git_odb* o = nullptr;
  check(git_repository_odb(&o, m_repo.get()), "open object database");
  Odb odb(o);
  git_oid oid = parse_oid(blob);
  size_t size = 0;
  git_object_t type;
  check(git_odb_read_header(&size, &type, odb.get(), &oid), "read object header");
  return size;
}

std::string Repository::write_blob(const std::string& content) const {
  git_oid oid;
  check(git_blob_create_from_buffer(&oid, m_repo.get(), content.data(), content.size()), "write blob");
  return hex(&oid);
}

std::string Repository::tree_with_file(const std::string& commit, const std::string& path, const std::string& blob,
                                       unsigned mode) const {
  Commit c = lookup_commit(m_repo.get(), commit);
  Tree base = commit_tree(c.get());
  git_tree_update update{};
  update.action = GIT_TREE_UPDATE_UPSERT;
  update.id = parse_oid(blob);
  update.filemode = static_cast<git_filemode_t>(mode);
  update.path = path.c_str();
  git_oid out;
  check(git_tree_create_updated(&out, m_repo.get(), base.get(), 1, &update), "build tree");
  return hex(&out);
}

std::string Repository::tree_with_files(const std::string& commit, const std::vector<Entry>& files) const {
  Commit c = lookup_commit(m_repo.get(), commit);
  Tree base = commit_tree(c.get());
  std::vector<git_tree_update> updates(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    updates[i].action = GIT_TREE_UPDATE_UPSERT;
    updates[i].id = parse_oid(files[i].blob);
    updates[i].filemode = static_cast<git_filemode_t>(files[i].mode);
    updates[i].path = files[i].path.c_str();
  }
  git_oid out;
  check(git_tree_create_updated(&out, m_repo.get(), base.get(), updates.size(), updates.data()), "build tree");
  return hex(&out);
}

std::string Repository::create_commit(const std::string& tree, const std::vector<std::string>& parents,
                                      const Signature& author, const Signature& committer,
                                      const std::string& message) const {
  // libgit2 refuses angle brackets in a signature but writes a line break as it is: a name from a
  // tracked .autoloop.yml (identity.name) would add header lines of its choosing (a second parent,
  // a committer) to every fix commit. Control characters never belong in a name or an address.
  for (const Signature* who : {&author, &committer})
    for (const std::string* field : {&who->name, &who->email})
      for (unsigned char ch : *field)
        if (ch < 0x20 || ch == 0x7f)
          throw Error(GIT_EINVALIDSPEC, std::string("invalid commit identity: the ") +
                                            (field == &who->name ? "name" : "email") +
                                            " holds a control character (a line break, ...)");
  using SignaturePtr = std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
  git_signature* a = nullptr;
  git_signature* c = nullptr;
  check(git_signature_now(&a, author.name.c_str(), author.email.c_str()), "author signature");
  SignaturePtr author_sig(a);
  check(git_signature_now(&c, committer.name.c_str(), committer.email.c_str()), "committer signature");
  SignaturePtr committer_sig(c);
  git_oid tree_oid = parse_oid(tree);
  git_tree* t = nullptr;
  check(git_tree_lookup(&t, m_repo.get(), &tree_oid), "read tree");
  Tree tree_obj(t);
  std::vector<Commit> parent_objs;
  std::vector<const git_commit*> parent_ptrs;
  for (const auto& p : parents) {
    parent_objs.push_back(lookup_commit(m_repo.get(), p));
    parent_ptrs.push_back(parent_objs.back().get());
  }
  git_oid out;
  check(git_commit_create(&out, m_repo.get(), nullptr, author_sig.get(), committer_sig.get(), "UTF-8", message.c_str(),
                          tree_obj.get(), parent_ptrs.size(), parent_ptrs.data()),
        "create commit");
  return hex(&out);
}

Signature Repository::default_signature() const {
  // As git: GIT_COMMITTER_NAME/EMAIL win over user.name/user.email.
  const char* env_name = std::getenv("GIT_COMMITTER_NAME");
  const char* env_email = std::getenv("GIT_COMMITTER_EMAIL");
  Signature out;
  if (!env_name || !env_email) {
    git_signature* sig = nullptr;
    check(git_signature_default(&sig, m_repo.get()), "read user.name/user.email");
    out = {sig->name ? sig->name : "", sig->email ? sig->email : ""};
    git_signature_free(sig);
  }
  if (env_name) out.name = env_name;
  if (env_email) out.email = env_email;
  return out;
}

CommitInfo Repository::commit_info(const std::string& commit) const {
  Commit c = lookup_commit(m_repo.get(), commit);
  CommitInfo info;
  info.id = hex(git_commit_id(c.get()));
  info.tree = hex(git_commit_tree_id(c.get()));
  for (unsigned i = 0; i < git_commit_parentcount(c.get()); ++i) info.parents.push_back(hex(git_commit_parent_id(c.get(), i)));
  const char* msg = git_commit_message(c.get());
  info.message = msg ? msg : "";
  const git_signature* a = git_commit_author(c.get());
  if (a) info.author = {a->name ? a->name : "", a->email ? a->email : ""};
  info.time = static_cast<int64_t>(git_commit_time(c.get()));
  return info;
}

std::optional<std::string> Repository::read_ref(const std::string& name) const {
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, m_repo.get(), name.c_str());
  if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC) {
    git_error_clear();
    return std::nullopt;
  }
  check(rc, "read ref");
  return hex(&oid);
}

bool Repository::update_ref(const std::string& name, const std::string& id, const std::string& expected,
                            const std::string& log_message) const {
  git_oid new_oid = parse_oid(id);
  git_reference* ref = nullptr;
  int rc;
  if (expected.empty()) {
    rc = git_reference_create(&ref, m_repo.get(), name.c_str(), &new_oid, 0, log_message.c_str());
    if (rc == GIT_EEXISTS) {
      git_error_clear();
      return false;
    }
  } else {
    git_oid old_oid = parse_oid(expected);
    rc = git_reference_create_matching(&ref, m_repo.get(), name.c_str(), &new_oid, 1, &old_oid, log_message.c_str());
    if (rc == GIT_EMODIFIED || rc == GIT_ENOTFOUND) {
      git_error_clear();
      return false;
    }
  }
  check(rc, "update ref");
  git_reference_free(ref);
  return true;
}

std::optional<std::string> Repository::first_reflog_message(const std::string& name) const {
  git_reflog* raw = nullptr;
  check(git_reflog_read(&raw, m_repo.get(), name.c_str()), "read reflog");
  Reflog log(raw);
  // A missing reflog reads as an empty one; entry 0 is the newest.
  size_t count = git_reflog_entrycount(log.get());
  if (count == 0) return std::nullopt;
  const char* message = git_reflog_entry_message(git_reflog_entry_byindex(log.get(), count - 1));
  return std::string(message ? message : "");
}

bool Repository::delete_ref(const std::string& name, const std::string& expected) const {
  git_reference* ref = nullptr;
  int rc = git_reference_lookup(&ref, m_repo.get(), name.c_str());
  if (rc == GIT_ENOTFOUND) {
    git_error_clear();
    return true;
  }
  check(rc, "look up ref");
  Reference owned(ref);
  const git_oid* target = git_reference_target(owned.get());
  if (!expected.empty() && (!target || hex(target) != expected)) return false;
  check(git_reference_delete(owned.get()), "delete ref");
  return true;
}

std::vector<std::string> Repository::list_refs(const std::string& prefix) const {
  git_reference_iterator* it = nullptr;
  std::string glob = prefix + "*";
  check(git_reference_iterator_glob_new(&it, m_repo.get(), glob.c_str()), "list refs");
  std::unique_ptr<git_reference_iterator, Deleter<git_reference_iterator, git_reference_iterator_free>> owned(it);
  std::vector<std::string> out;
  const char* name = nullptr;
  while (git_reference_next_name(&name, owned.get()) == 0) out.emplace_back(name);
  return out;
}

namespace {
using Index = std::unique_ptr<git_index, Deleter<git_index, git_index_free>>;

Index open_index(git_repository* repo) {
  git_index* i = nullptr;
  check(git_repository_index(&i, repo), "open index");
  Index index(i);
  check(git_index_read(index.get(), 0), "read index");
  return index;
}

std::optional<Entry> side(const git_index_entry* e) {
  if (!e) return std::nullopt;
  return Entry{e->path, hex(&e->id), e->mode};
}
} // namespace

std::vector<ConflictEntry> Repository::index_conflicts() const {
  Index index = open_index(m_repo.get());
  std::vector<ConflictEntry> out;
  if (!git_index_has_conflicts(index.get())) return out;
  git_index_conflict_iterator* it = nullptr;
  check(git_index_conflict_iterator_new(&it, index.get()), "list conflicts");
  std::unique_ptr<git_index_conflict_iterator, Deleter<git_index_conflict_iterator, git_index_conflict_iterator_free>>
      owned(it);
  const git_index_entry *a = nullptr, *o = nullptr, *t = nullptr;
  int rc;
  while ((rc = git_index_conflict_next(&a, &o, &t, owned.get())) == 0) {
    const git_index_entry* any = o ? o : t ? t : a;
    out.push_back({any->path, side(a), side(o), side(t)});
  }
  if (rc != GIT_ITEROVER) check(rc, "list conflicts");
  std::sort(out.begin(), out.end(), [](const ConflictEntry& x, const ConflictEntry& y) { return x.path < y.path; });
  return out;
}

void Repository::stage_resolved(const std::string& path, const std::string& blob, unsigned mode) const {
  Index index = open_index(m_repo.get());
  int rc = git_index_conflict_remove(index.get(), path.c_str());
  if (rc == GIT_ENOTFOUND) git_error_clear();
  else check(rc, "resolve conflict");
  git_index_entry entry{};
  entry.path = path.c_str();
  entry.mode = mode;
  entry.id = parse_oid(blob);
  check(git_index_add(index.get(), &entry), "stage file");
  check(git_index_write(index.get()), "write index");
}

std::vector<std::pair<int, int>> changed_line_ranges(const std::string& old_text, const std::string& new_text) {
  init_library();
  std::vector<std::pair<int, int>> out;
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.context_lines = 0;
  auto hunk_cb = [](const git_diff_delta*, const git_diff_hunk* hunk, void* payload) -> int {
    auto* ranges = static_cast<std::vector<std::pair<int, int>>*>(payload);
    if (hunk->new_lines > 0) ranges->emplace_back(hunk->new_start, hunk->new_start + hunk->new_lines - 1);
    return 0;
  };
  check(git_diff_buffers(old_text.data(), old_text.size(), nullptr, new_text.data(), new_text.size(), nullptr, &opts,
                         nullptr, nullptr, hunk_cb, nullptr, &out),
        "diff buffers");
  return out;
}

std::vector<LineHunk> line_hunks(const std::string& old_text, const std::string& new_text) {
  init_library();
  std::vector<LineHunk> out;
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.context_lines = 0;
  opts.flags |= GIT_DIFF_FORCE_TEXT;
  auto hunk_cb = [](const git_diff_delta*, const git_diff_hunk* hunk, void* payload) -> int {
    static_cast<std::vector<LineHunk>*>(payload)->push_back({hunk->old_start, hunk->old_lines, hunk->new_start, hunk->new_lines});
    return 0;
  };
  check(git_diff_buffers(old_text.data(), old_text.size(), nullptr, new_text.data(), new_text.size(), nullptr, &opts,
                         nullptr, nullptr, hunk_cb, nullptr, &out),
        "diff buffers");
  return out;
}

} // namespace git

namespace git {

std::optional<std::string> merge_texts(const std::string& base, const std::string& ours, const std::string& theirs) {
  init_library();
  git_merge_file_input b = GIT_MERGE_FILE_INPUT_INIT, o = GIT_MERGE_FILE_INPUT_INIT, t = GIT_MERGE_FILE_INPUT_INIT;
  b.ptr = base.data();
  b.size = base.size();
  o.ptr = ours.data();
  o.size = ours.size();
  t.ptr = theirs.data();
  t.size = theirs.size();
  git_merge_file_result result{};
  check(git_merge_file(&result, &b, &o, &t, nullptr), "merge file");
  std::optional<std::string> out;
  if (result.automergeable) out = std::string(result.ptr, result.len);
  git_merge_file_result_free(&result);
  return out;
}

MergeFileResult merge_file(const std::string& base, const std::string& ours, const std::string& theirs,
                           const MergeFileOptions& options) {
  init_library();
  git_merge_file_input b = GIT_MERGE_FILE_INPUT_INIT, o = GIT_MERGE_FILE_INPUT_INIT, t = GIT_MERGE_FILE_INPUT_INIT;
  b.ptr = base.data();
  b.size = base.size();
  o.ptr = ours.data();
  o.size = ours.size();
  t.ptr = theirs.data();
  t.size = theirs.size();
  git_merge_file_options opts = GIT_MERGE_FILE_OPTIONS_INIT;
  opts.ancestor_label = options.base_label.c_str();
  opts.our_label = options.our_label.c_str();
  opts.their_label = options.their_label.c_str();
  opts.marker_size = static_cast<unsigned short>(options.marker_size);
  switch (options.style) {
  case ConflictStyle::merge: opts.flags = GIT_MERGE_FILE_STYLE_MERGE; break;
  case ConflictStyle::diff3: opts.flags = GIT_MERGE_FILE_STYLE_DIFF3; break;
  case ConflictStyle::zdiff3: opts.flags = GIT_MERGE_FILE_STYLE_ZDIFF3; break;
  }
  git_merge_file_result result{};
  check(git_merge_file(&result, &b, &o, &t, &opts), "merge file");
  MergeFileResult out{result.automergeable != 0, std::string(result.ptr ? result.ptr : "", result.len)};
  git_merge_file_result_free(&result);
  return out;
}

std::string hash_blob(const std::string& content) {
  init_library();
  git_oid oid;
  check(git_odb_hash(&oid, content.data(), content.size(), GIT_OBJECT_BLOB), "hash content");
  return hex(&oid);
}

std::optional<std::string> normalize_ref_name(const std::string& name) {
  init_library();
  if (name.find('\0') != std::string::npos) return std::nullopt;
  // Ref names are file names under refs/: a name longer than a path can be is refused outright.
  char out[1024];
  if (name.size() >= sizeof out) return std::nullopt;
  if (git_reference_normalize_name(out, sizeof out, name.c_str(), GIT_REFERENCE_FORMAT_NORMAL) < 0) return std::nullopt;
  return std::string(out);
}

LineStats line_stats(const std::string& old_text, const std::string& new_text) {
  init_library();
  LineStats stats;
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.context_lines = 0;
  opts.flags |= GIT_DIFF_FORCE_TEXT;
  auto line_cb = [](const git_diff_delta*, const git_diff_hunk*, const git_diff_line* line, void* payload) -> int {
    auto* s = static_cast<LineStats*>(payload);
    if (line->origin == GIT_DIFF_LINE_ADDITION) ++s->added;
    else if (line->origin == GIT_DIFF_LINE_DELETION) ++s->deleted;
    return 0;
  };
  check(git_diff_buffers(old_text.data(), old_text.size(), nullptr, new_text.data(), new_text.size(), nullptr, &opts,
                         nullptr, nullptr, nullptr, line_cb, &stats),
        "diff buffers");
  return stats;
}

std::string unified_diff(const std::string& path, const std::string& old_text, const std::string& new_text) {
  init_library();
  std::string out = "--- a/" + path + "\n+++ b/" + path + "\n";
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.context_lines = 3;
  opts.flags |= GIT_DIFF_FORCE_TEXT;
  auto hunk_cb = [](const git_diff_delta*, const git_diff_hunk* hunk, void* payload) -> int {
    static_cast<std::string*>(payload)->append(hunk->header, hunk->header_len);
    return 0;
  };
  auto line_cb = [](const git_diff_delta*, const git_diff_hunk*, const git_diff_line* line, void* payload) -> int {
    auto* o = static_cast<std::string*>(payload);
    if (line->origin == GIT_DIFF_LINE_ADDITION || line->origin == GIT_DIFF_LINE_DELETION ||
        line->origin == GIT_DIFF_LINE_CONTEXT) {
      o->push_back(line->origin);
      o->append(line->content, line->content_len);
      if (line->content_len == 0 || line->content[line->content_len - 1] != '\n') o->append("\n\\ No newline at end of file\n");
    }
    return 0;
  };
  check(git_diff_buffers(old_text.data(), old_text.size(), nullptr, new_text.data(), new_text.size(), nullptr, &opts,
                         nullptr, nullptr, hunk_cb, line_cb, &out),
        "diff buffers");
  return out;
}

} // namespace git
