#include "git/notes.hpp"

#include <git2.h>

#include <memory>

namespace git {

namespace {

template <class T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const {
    if (p) F(p);
  }
};
using Tree = std::unique_ptr<git_tree, Free<git_tree, git_tree_free>>;
using Commit = std::unique_ptr<git_commit, Free<git_commit, git_commit_free>>;
using TreeBuilder = std::unique_ptr<git_treebuilder, Free<git_treebuilder, git_treebuilder_free>>;

constexpr size_t k_hex_size = GIT_OID_HEXSZ;

std::string hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

git_oid parse(const std::string& id) {
  git_oid oid;
  check(git_oid_fromstrn(&oid, id.data(), id.size()), "parse object id");
  return oid;
}

// Lower-case hex digits only: the names git gives notes (and their fanout directories).
bool is_hex(const std::string& s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Tree lookup_tree(git_repository* repo, const git_oid* oid) {
  git_tree* t = nullptr;
  check(git_tree_lookup(&t, repo, oid), "read notes tree");
  return Tree(t);
}

// The path of `rest` (the object id less the directories walked so far) below `tree`, or nullopt. Each
// level consumes two digits, so a hostile tree cannot make this recurse more than 20 deep.
std::optional<std::string> find_in(git_repository* repo, const git_tree* tree, const std::string& rest,
                                   const std::string& prefix) {
  if (const git_tree_entry* e = git_tree_entry_byname(tree, rest.c_str());
      e && git_tree_entry_type(e) == GIT_OBJECT_BLOB)
    return prefix + rest;
  if (rest.size() <= 2) return std::nullopt;
  const std::string dir = rest.substr(0, 2);
  const git_tree_entry* d = git_tree_entry_byname(tree, dir.c_str());
  if (!d || git_tree_entry_type(d) != GIT_OBJECT_TREE) return std::nullopt;
  Tree sub = lookup_tree(repo, git_tree_entry_id(d));
  return find_in(repo, sub.get(), rest.substr(2), prefix + dir + "/");
}

// Visits the notes below `tree`, whose directories so far spell `digits`; false once `visit` said stop.
bool walk(git_repository* repo, const git_tree* tree, const std::string& digits,
          const std::function<bool(const std::string&, const std::string&)>& visit) {
  const size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    const std::string name = git_tree_entry_name(e);
    if (!is_hex(name)) continue;
    const std::string id = digits + name;
    if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && id.size() == k_hex_size) {
      if (!visit(id, hex(git_tree_entry_id(e)))) return false;
    } else if (git_tree_entry_type(e) == GIT_OBJECT_TREE && name.size() == 2 && id.size() < k_hex_size) {
      Tree sub = lookup_tree(repo, git_tree_entry_id(e));
      if (!walk(repo, sub.get(), id, visit)) return false;
    }
  }
  return true;
}

// The id of the empty tree, written if needed (the base of a new notes ref).
git_oid empty_tree(git_repository* repo) {
  git_treebuilder* b = nullptr;
  check(git_treebuilder_new(&b, repo, nullptr), "start tree");
  TreeBuilder builder(b);
  git_oid out;
  check(git_treebuilder_write(&out, builder.get()), "write empty tree");
  return out;
}

} // namespace

std::optional<Notes> Notes::open(const Repository& repo, const std::string& ref) {
  auto tip = repo.read_ref(ref);
  if (!tip) return std::nullopt;
  git_oid oid = parse(*tip);
  git_commit* c = nullptr;
  check(git_commit_lookup(&c, repo.raw(), &oid), ("read " + ref + " (not a notes commit?)").c_str());
  Commit commit(c);
  return Notes(repo, ref, *tip, hex(git_commit_tree_id(commit.get())));
}

std::optional<std::string> Notes::path_of(const std::string& object) const {
  if (object.size() != k_hex_size || !is_hex(object)) return std::nullopt;
  git_oid oid = parse(m_tree);
  Tree root = lookup_tree(m_repo->raw(), &oid);
  return find_in(m_repo->raw(), root.get(), object, "");
}

std::optional<std::string> Notes::find(const std::string& object) const {
  auto path = path_of(object);
  if (!path) return std::nullopt;
  git_oid oid = parse(m_tree);
  Tree root = lookup_tree(m_repo->raw(), &oid);
  git_tree_entry* e = nullptr;
  check(git_tree_entry_bypath(&e, root.get(), path->c_str()), "read note");
  std::unique_ptr<git_tree_entry, Free<git_tree_entry, git_tree_entry_free>> entry(e);
  return hex(git_tree_entry_id(entry.get()));
}

void Notes::for_each(const std::function<bool(const std::string&, const std::string&)>& visit) const {
  git_oid oid = parse(m_tree);
  Tree root = lookup_tree(m_repo->raw(), &oid);
  walk(m_repo->raw(), root.get(), "", visit);
}

bool write_notes(const Repository& repo, const std::string& ref, const Notes* base,
                 const std::vector<NoteUpdate>& notes, const Signature& who, const std::string& message) {
  git_repository* raw = repo.raw();
  git_oid base_tree_id;
  if (base) {
    git_oid commit_id = parse(base->commit());
    git_commit* c = nullptr;
    check(git_commit_lookup(&c, raw, &commit_id), "read notes commit");
    Commit commit(c);
    base_tree_id = *git_commit_tree_id(commit.get());
  } else {
    base_tree_id = empty_tree(raw);
  }
  Tree base_tree = lookup_tree(raw, &base_tree_id);

  std::vector<std::string> paths;
  paths.reserve(notes.size());
  for (const auto& n : notes) {
    if (n.object.size() != k_hex_size || !is_hex(n.object))
      throw Error(GIT_EINVALID, "a note must annotate an object id, not '" + n.object + "'");
    std::optional<std::string> at = base ? base->path_of(n.object) : std::nullopt;
    paths.push_back(at ? *at : n.object.substr(0, 2) + "/" + n.object.substr(2));
  }
  std::vector<git_tree_update> updates(notes.size());
  for (size_t i = 0; i < notes.size(); ++i) {
    updates[i].action = GIT_TREE_UPDATE_UPSERT;
    updates[i].id = parse(notes[i].blob);
    updates[i].filemode = GIT_FILEMODE_BLOB;
    updates[i].path = paths[i].c_str();
  }
  git_oid tree;
  check(git_tree_create_updated(&tree, raw, base_tree.get(), updates.size(), updates.data()), "build notes tree");

  std::vector<std::string> parents;
  if (base) parents.push_back(base->commit());
  const std::string commit = repo.create_commit(hex(&tree), parents, who, who, message);
  return repo.update_ref(ref, commit, base ? base->commit() : std::string(), message);
}

} // namespace git
