#include "loop/accept_journal.hpp"

#include "core/fs.hpp"
#include "core/process.hpp"
#include "loop/accept_files.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace loop {

namespace fs = std::filesystem;

namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

} // namespace

namespace {

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static const uint32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < k_min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

} // namespace

nlohmann::json journal_name(const std::string& name) {
  if (valid_utf8(name)) return name;
  static const char k_digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : name) {
    hex += k_digits[c >> 4];
    hex += k_digits[c & 0xF];
  }
  return {{"hex", hex}};
}

std::string journal_name_at(const nlohmann::json& j, const char* key, const std::string& fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_string()) return it->get<std::string>();
  if (!it->is_object() || !it->contains("hex") || !(*it)["hex"].is_string()) return fallback;
  const std::string hex = (*it)["hex"].get<std::string>();
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

nlohmann::json to_json(const AcceptFile& f) {
  return {{"path", journal_name(f.path)}, {"old", f.old_blob}, {"new", f.new_blob}, {"mode", f.index_mode},
          {"perms", f.perms}, {"tmp", journal_name(f.tmp)}};
}

namespace {

AcceptFile accept_file_from(const nlohmann::json& j) {
  AcceptFile f;
  f.path = journal_name_at(j, "path");
  f.old_blob = j.value("old", "");
  f.new_blob = j.value("new", "");
  f.index_mode = j.value("mode", 0100644u);
  f.perms = j.value("perms", 0u);
  f.tmp = journal_name_at(j, "tmp");
  return f;
}

} // namespace

// 16 random hex digits: names the temporary files of one accept.
std::string random_nonce() {
  std::random_device rd;
  char text[17];
  std::snprintf(text, sizeof text, "%08x%08x", static_cast<unsigned>(rd()), static_cast<unsigned>(rd()));
  return text;
}

// Creates `path` (which must not exist) holding `content` with permission bits `perms`, synced.
// Throws core::Error; nothing is left behind then.
void create_file(const fs::path& path, const std::string& content, unsigned perms) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw core::Error("cannot create " + path.string() + ": " + std::strerror(errno));
  std::string_view rest = content;
  int err = 0;
  while (!rest.empty() && !err) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) rest.remove_prefix(static_cast<size_t>(n));
  }
  if (!err && ::fchmod(fd, static_cast<mode_t>(perms & 07777)) != 0) err = errno;
  if (!err && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (err) {
    ::unlink(path.c_str());
    throw core::Error("cannot write " + path.string() + ": " + std::strerror(err));
  }
}

// Removes `path` when it is a regular file (never follows a symlink).
void remove_regular(const fs::path& path) {
  struct stat st {};
  if (!path.empty() && ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::unlink(path.c_str());
}

// Why `rel` cannot be reached below `root` by its name: a component longer than the file system's
// NAME_MAX, or the whole path at least PATH_MAX (both asked of the file system with pathconf). A tree
// from a clone may hold such names: refused before anything moves instead of failing half-way.
std::optional<std::string> name_beyond_limits(const fs::path& root, const std::string& rel) {
  fs::path at = root;
  long name_max = ::pathconf(root.c_str(), _PC_NAME_MAX);
  for (size_t from = 0;;) {
    size_t slash = rel.find('/', from);
    std::string part = rel.substr(from, slash == std::string::npos ? std::string::npos : slash - from);
    if (name_max > 0 && part.size() > static_cast<size_t>(name_max))
      return "a name in " + rel.substr(0, 60) + "... is " + std::to_string(part.size()) +
             " bytes long, more than the file system allows (" + std::to_string(name_max) + ")";
    at /= part;
    if (slash == std::string::npos) break;
    if (long m = ::pathconf(at.c_str(), _PC_NAME_MAX); m > 0) name_max = m;
    from = slash + 1;
  }
  long path_max = ::pathconf(root.c_str(), _PC_PATH_MAX);
  if (path_max > 0 && at.native().size() >= static_cast<size_t>(path_max))
    return rel.substr(0, 60) + "... is longer than the file system's path limit (" + std::to_string(path_max) + ")";
  return std::nullopt;
}

// --- git's index, changed the way git changes it ---
//
// git owns the index by creating `<git dir>/index.lock` exclusively and gives it up by renaming that file
// over `index`. An accept builds its new index in a scratch copy (changed by `git update-index`, so every
// extension git knows survives), then takes the lock with link(), which fails when the lock exists: the
// lock is born with its final content, so a journal that recorded that content can tell its own lock from
// another process's after a kill. The index must still be the copied one once the lock is held.

namespace {

fs::path index_file(const fs::path& git_dir) { return git_dir / "index"; }
fs::path index_lock_file(const fs::path& git_dir) { return git_dir / "index.lock"; }

} // namespace


// `git <args>` in the work tree on the index file `index` (GIT_INDEX_FILE); throws core::Error when git fails.
std::string git_on_index(Context& ctx, const fs::path& index, std::vector<std::string> args,
                         std::optional<std::string> input) {
  core::ProcessOptions o;
  o.cwd = *ctx.paths.work_tree;
  core::unset_git_environment(o);
  o.env["GIT_INDEX_FILE"] = index.string();
  o.input = std::move(input);
  o.timeout = std::chrono::seconds(120);
  args.insert(args.begin(), {"git", "--literal-pathspecs"});
  core::ProcessResult r = core::run_process(args, o);
  if (!r.ok()) throw core::Error("git " + args[2] + " failed: " + first_line(r.err));
  return r.out;
}

// The entries of `paths` in the index file `index`, every stage.
std::map<std::string, std::vector<IndexEntry>> index_entries(Context& ctx, const fs::path& index,
                                                              const std::vector<std::string>& paths) {
  std::vector<std::string> args{"ls-files", "-s", "-z", "--"};
  args.insert(args.end(), paths.begin(), paths.end());
  std::string out = git_on_index(ctx, index, args);
  std::map<std::string, std::vector<IndexEntry>> entries;
  for (size_t at = 0; at < out.size();) {
    size_t end = out.find('\0', at);
    if (end == std::string::npos) end = out.size();
    std::string rec = out.substr(at, end - at); // "<mode> <blob> <stage>\t<path>"
    at = end + 1;
    size_t tab = rec.find('\t'), sp1 = rec.find(' '), sp2 = rec.find(' ', sp1 + 1);
    if (tab == std::string::npos || sp2 == std::string::npos || sp2 > tab) continue;
    IndexEntry e;
    e.mode = static_cast<unsigned>(std::stoul(rec.substr(0, sp1), nullptr, 8));
    e.blob = rec.substr(sp1 + 1, sp2 - sp1 - 1);
    e.stage = std::atoi(rec.c_str() + sp2 + 1);
    entries[rec.substr(tab + 1)].push_back(e);
  }
  return entries;
}

// The index file's bytes; nullopt when there is none.
std::optional<std::string> read_index(const fs::path& git_dir) { return core::read_file(index_file(git_dir)); }

namespace {

// Whether `lock` holds the content a journal recorded (`sum`: its blob id): the lock is this accept's.
bool is_our_lock(const fs::path& lock, const std::string& sum) {
  if (sum.empty()) return false;
  struct stat st {};
  if (::lstat(lock.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  auto content = core::read_file(lock);
  return content && git::hash_blob(*content) == sum;
}

} // namespace


// Takes git's index lock as a file holding `updated` (written to `scratch` first), and checks that the
// index is still `original`. On failure nothing of ours is left (the scratch copy and the lock removed).
IndexLockResult lock_index(const fs::path& git_dir, const fs::path& scratch, const std::string& original,
                           const std::string& sum) {
  IndexLockResult r;
  const fs::path lock = index_lock_file(git_dir);
  if (::link(scratch.c_str(), lock.c_str()) != 0) {
    int err = errno;
    remove_regular(scratch);
    r.why = err == EEXIST ? "another git process holds " + lock.string() +
                                " (if no git command is running, a crashed one left it: remove it)"
                          : "cannot create " + lock.string() + ": " + std::strerror(err);
    return r;
  }
  remove_regular(scratch);
  std::optional<std::string> now;
  try {
    now = read_index(git_dir);
  } catch (const core::Error&) {
  }
  if (!now || *now != original) {
    if (is_our_lock(lock, sum)) ::unlink(lock.c_str());
    r.why = "the index changed while accepting; try again";
    return r;
  }
  r.held = true;
  return r;
}

// Installs the held lock as the index (git's commit of a lock file). Throws core::Error.
void commit_index_lock(const fs::path& git_dir) {
  if (::rename(index_lock_file(git_dir).c_str(), index_file(git_dir).c_str()) != 0)
    throw core::Error("cannot install the new index: " + std::string(std::strerror(errno)));
}

// Puts `content` at `target` keeping `perms`: the prepared `tmp` renamed over it when there is one on the same
// file system, else a new temporary file beside it (a short name: the target's may be at NAME_MAX).
void install_file(const fs::path& target, const std::string& tmp, const std::string& content, unsigned perms) {
  if (!tmp.empty() && ::rename(tmp.c_str(), target.c_str()) == 0) return;
  remove_regular(tmp);
  fs::path beside = target.parent_path() / (".autoloop-" + random_nonce());
  create_file(beside, content, perms);
  if (::rename(beside.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(beside.c_str());
    throw core::Error("cannot replace " + target.string() + ": " + std::strerror(err));
  }
}

// The permission bits of the regular file `path`, or nullopt when it is not one.
std::optional<unsigned> regular_file_perms(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<unsigned>(st.st_mode & 07777);
}

// Where the accept's temporary copy of `target` goes: the loop's own directory when it is on the same
// file system as `target` (nothing appears in the work tree before the branch moves), else beside it.
std::string temp_path_for(Context& ctx, const fs::path& target, const std::string& nonce, size_t index) {
  const fs::path dir = ctx.paths.layout().accept_dir();
  std::error_code ec;
  fs::create_directories(dir, ec);
  struct stat a {}, b {};
  std::string name = nonce + "-" + std::to_string(index);
  if (!ec && ::stat(dir.c_str(), &a) == 0 && ::stat(target.parent_path().c_str(), &b) == 0 && a.st_dev == b.st_dev)
    return (dir / name).string();
  return (target.parent_path() / (".autoloop-" + name)).string();
}

// Records the verdict of an accept (status, verdict, attempt) for each of the findings `ids` whose fixes
// `commit` holds (several for a sweep), once each.
void record_accept(Context& ctx, const std::vector<int64_t>& ids, const std::string& commit, const std::string& branch,
                   int lines, double risk, bool bulk) {
  auto txn = ctx.store().begin();
  for (int64_t id : ids) {
    auto o = ctx.store().opportunity(id);
    if (!o || o->status == core::Status::accepted) continue;
    ctx.store().set_status(id, core::Status::accepted);
    ctx.store().record_verdict(id, "accepted", "", commit, bulk);
    ctx.store().record_attempt({0, id, 0, commit, core::Outcome::accepted, "", branch, lines, 0, risk, 0});
  }
  txn.commit();
}

namespace {

// The findings of a journal's accept: "ids" (a sweep's), or its one "id" (journals written before sweeps).
std::vector<int64_t> journal_ids(const nlohmann::json& j) {
  std::vector<int64_t> ids;
  for (const auto& id : j.value("ids", nlohmann::json::array()))
    if (id.is_number_integer()) ids.push_back(id.get<int64_t>());
  if (ids.empty()) ids.push_back(j.value("id", int64_t{0}));
  return ids;
}

} // namespace

// Removes what an accept that never moved the branch left: its temporary files, its scratch index and
// (only when it is its own) git's index lock.
void discard_accept(const nlohmann::json& j) {
  for (const auto& f : j.value("files", nlohmann::json::array())) remove_regular(journal_name_at(f, "tmp"));
  const std::string scratch = journal_name_at(j, "scratch");
  if (!scratch.empty()) {
    remove_regular(scratch);
    remove_regular(scratch + ".lock"); // git update-index's own lock on the scratch copy
  }
  const fs::path git_dir = journal_name_at(j, "git_dir");
  if (!git_dir.empty() && is_our_lock(index_lock_file(git_dir), j.value("lock_sum", "")))
    ::unlink(index_lock_file(git_dir).c_str());
}

namespace {

// Brings the index up to a landed accept when its own lock is gone (installed, or removed by hand): each
// entry still at the old blob gets the new one, with its mode. False (and `why`) when git's lock is held.
bool update_index_after(Context& ctx, const fs::path& git_dir, const std::vector<AcceptFile>& files, std::string& why) {
  auto original = read_index(git_dir);
  if (!original) return true;
  const fs::path scratch = git_dir / ("index.autoloop-" + random_nonce());
  create_file(scratch, *original, 0644);
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.path);
  std::string info;
  try {
    auto entries = index_entries(ctx, scratch, paths);
    for (const auto& f : files) {
      auto e = entries.find(f.path);
      const bool added = f.old_blob.empty() && e == entries.end(); // a generator's new file, not in the index yet
      if (!added && (e == entries.end() || e->second.size() != 1 || e->second[0].stage != 0 || e->second[0].blob != f.old_blob))
        continue;
      char mode[16];
      std::snprintf(mode, sizeof mode, "%o", added ? f.index_mode : e->second[0].mode);
      info += std::string(mode) + " " + f.new_blob + "\t" + f.path + '\0';
    }
    if (!info.empty()) git_on_index(ctx, scratch, {"update-index", "-z", "--index-info"}, info);
  } catch (...) {
    remove_regular(scratch);
    throw;
  }
  if (info.empty()) {
    remove_regular(scratch);
    return true;
  }
  auto updated = core::read_file(scratch);
  IndexLockResult lock = lock_index(git_dir, scratch, *original, git::hash_blob(updated.value_or("")));
  if (!lock.held) {
    why = lock.why;
    return false;
  }
  commit_index_lock(git_dir);
  return true;
}

} // namespace

// finish_interrupted_accept with the accept lock held.
std::optional<std::string> finish_accept_locked(Context& ctx, bool write_files) {
  auto text = ctx.store().state(k_accept_journal);
  if (!text) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("commit")) {
    ctx.store().erase_state(k_accept_journal);
    return std::nullopt;
  }
  const std::string commit = j.value("commit", ""), branch = journal_name_at(j, "branch");
  const int64_t id = j.value("id", int64_t{0});
  // Landed: the branch is at the commit, or went on from it.
  auto tip = ctx.repo.resolve_commit("refs/heads/" + branch);
  bool landed = tip && *tip == commit;
  if (tip && !landed && ctx.repo.has_object(commit)) {
    auto since = ctx.repo.commit_range(j.value("head", ""), *tip, 10000);
    landed = std::find(since.begin(), since.end(), commit) != since.end();
  }
  if (!landed) {
    // The branch never moved: the work tree and the index were not touched either; only our
    // temporary files (and our index lock) may be left.
    discard_accept(j);
    ctx.store().erase_state(k_accept_journal);
    return std::nullopt;
  }
  record_accept(ctx, journal_ids(j), commit, branch, j.value("lines", 0), j.value("risk", 0.0), j.value("bulk", false));
  std::string done = "finished the interrupted accept of #" + std::to_string(id) + " (" + commit.substr(0, 12) + ")";
  if (!write_files) return done; // the journal stays for the files and the index
  if (!ctx.paths.work_tree || ctx.paths.work_tree->string() != journal_name_at(j, "work_tree"))
    return done + "; its files wait for a review in " + journal_name_at(j, "work_tree", "its work tree");
  const fs::path git_dir = journal_name_at(j, "git_dir", ctx.paths.git_dir.string());
  std::vector<AcceptFile> files;
  for (const auto& f : j.value("files", nlohmann::json::array())) files.push_back(accept_file_from(f));
  const bool ours_locked = is_our_lock(index_lock_file(git_dir), j.value("lock_sum", ""));
  if (ctx.repo.current_branch() == std::optional<std::string>(branch)) {
    for (const auto& f : files) {
      if (f.path.empty() || core::crosses_symlink(*ctx.paths.work_tree, f.path) || !ctx.repo.has_object(f.new_blob))
        continue;
      const fs::path target = *ctx.paths.work_tree / f.path;
      try {
        auto on_disk = core::read_file(target);
        if (f.old_blob.empty()) {
          // A generator's new file: written unless something took its place meanwhile.
          if (!on_disk && !fs::is_symlink(target)) {
            fs::create_directories(target.parent_path());
            install_file(target, f.tmp, ctx.repo.read_blob(f.new_blob), f.perms ? f.perms : 0644);
            done += "; wrote " + f.path;
          }
          continue;
        }
        auto perms = regular_file_perms(target);
        if (!on_disk || !perms) continue;
        if (*on_disk == ctx.repo.read_blob(f.old_blob)) {
          install_file(target, f.tmp, ctx.repo.read_blob(f.new_blob), *perms);
          done += "; wrote " + f.path;
        } else if (*on_disk != ctx.repo.read_blob(f.new_blob)) {
          ctx.log.warn("interrupted accept of #{}: {} changed since; left as it is", id, f.path);
        }
      } catch (const core::Error& e) {
        done += "; could not write " + f.path + " (" + e.what() + "): it keeps its old content";
      }
    }
  }
  for (const auto& f : files) remove_regular(f.tmp);
  try {
    if (ours_locked) {
      commit_index_lock(git_dir);
    } else {
      std::string why;
      if (ctx.repo.current_branch() == std::optional<std::string>(branch) && !update_index_after(ctx, git_dir, files, why))
        return done + "; the index is not updated yet: " + why + " (the next review finishes it)";
    }
  } catch (const core::Error& e) {
    return done + "; the index is not updated yet: " + e.what() + " (the next review finishes it)";
  }
  ctx.store().erase_state(k_accept_journal);
  return done;
}

// One accept (or its finishing) at a time, in every work tree of the repository: they share the journal.
std::optional<hookcore::FileLock> accept_lock(Context& ctx, std::chrono::milliseconds wait) {
  std::error_code ec;
  fs::create_directories(ctx.paths.data_dir, ec);
  return hookcore::FileLock::acquire(ctx.paths.layout().accept_lock(), wait);
}

std::optional<std::string> finish_interrupted_accept(Context& ctx, bool write_files) {
  if (!ctx.store().state(k_accept_journal)) return std::nullopt;
  // An accept running right now holds the lock: its journal is not a leftover.
  auto lock = accept_lock(ctx, std::chrono::milliseconds(write_files ? 10000 : 0));
  if (!lock) return std::nullopt;
  return finish_accept_locked(ctx, write_files);
}

} // namespace loop
