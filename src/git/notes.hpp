#pragma once
// Notes refs (refs/notes/...) read and written the way git lays them out, without `git notes`: a note is a
// blob in the notes commit's tree, named by the annotated object's id, possibly split into 2-character
// directories (git's fanout, at any depth). Writing makes one commit on the ref (compare-and-swap) and
// touches no other ref, nor the index, the work tree or HEAD.

#include "git/repo.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace git {

// One notes ref as of one commit.
class Notes {
public:
  // The notes at `ref`'s tip; nullopt when the ref does not exist. Throws git::Error when the ref does
  // not point at a commit.
  static std::optional<Notes> open(const Repository& repo, const std::string& ref);

  const std::string& ref() const { return m_ref; }
  const std::string& commit() const { return m_commit; }

  // The note blob's id on `object` (40 hex digits), or nullopt (no note, or not an object id). Throws
  // git::Error on repository errors.
  std::optional<std::string> find(const std::string& object) const;
  // Where that note sits in the tree ("ab/cdef..."), or nullopt.
  std::optional<std::string> path_of(const std::string& object) const;

  // Calls visit(object, note blob) for each note, in tree order, until it returns false. Entries that are
  // not notes (other names or types) are passed over. Throws git::Error on repository errors.
  void for_each(const std::function<bool(const std::string& object, const std::string& note_blob)>& visit) const;

private:
  Notes(const Repository& repo, std::string ref, std::string commit, std::string tree)
      : m_repo(&repo), m_ref(std::move(ref)), m_commit(std::move(commit)), m_tree(std::move(tree)) {}
  const Repository* m_repo;
  std::string m_ref, m_commit, m_tree;
};

// A note to set: the annotated object and the note's blob (written already, Repository::write_blob).
struct NoteUpdate {
  std::string object;
  std::string blob;
};

// Sets `notes` on `ref` in one commit whose parent is `base`'s commit (a root commit when `base` is null),
// then moves `ref` there only if it still points at `base`'s commit (does not exist, when null). A note
// already present keeps its place in the tree; a new one goes under its 2-character fanout directory.
// Returns false when someone moved the ref meanwhile (nothing changed). Throws git::Error.
bool write_notes(const Repository& repo, const std::string& ref, const Notes* base,
                 const std::vector<NoteUpdate>& notes, const Signature& who, const std::string& message);

} // namespace git
