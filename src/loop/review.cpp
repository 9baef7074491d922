#include "loop/review.hpp"

#include "core/fault.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "fix/coverage_gate.hpp"
#include "fix/derive.hpp"
#include "fix/generator.hpp"
#include "fix/sweep.hpp"
#include "fix/trailers.hpp"
#include "loop/drain.hpp"
#include "merge/merge.hpp"
#include "scan/repo_language.hpp"
#include "hookcore/git_state.hpp"
#include "hookcore/lock.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace loop {

namespace {

std::optional<std::string> side_tip(Context& ctx, std::string* branch_out = nullptr, std::string* base_out = nullptr) {
  auto branch = ctx.repo.current_branch();
  if (!branch) return std::nullopt;
  auto tip = ctx.repo.read_ref("refs/heads/" + side_branch_name(ctx.config, *branch));
  if (!tip) return std::nullopt;
  if (branch_out) *branch_out = *branch;
  if (base_out) *base_out = ctx.repo.resolve_commit("refs/heads/" + *branch).value_or("");
  return tip;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The accept journal (state key): what an accept is about to do, written before it creates anything
// (temporary files, git's index lock) and before the branch moves, so that whatever a kill leaves
// behind is named in it and is either finished or removed by the next review.
const char* const k_accept_journal = "accepting";

namespace fs = std::filesystem;

// One file of an accept: its versions, the mode its index entry keeps, the permission bits its work-tree
// copy keeps, and the temporary file that holds the new content until the branch has moved.
struct AcceptFile {
  std::string path, old_blob, new_blob;
  unsigned index_mode = 0100644;
  unsigned perms = 0644;
  std::string tmp;
};

nlohmann::json to_json(const AcceptFile& f) {
  return {{"path", f.path}, {"old", f.old_blob}, {"new", f.new_blob}, {"mode", f.index_mode}, {"perms", f.perms},
          {"tmp", f.tmp}};
}

AcceptFile accept_file_from(const nlohmann::json& j) {
  AcceptFile f;
  f.path = j.value("path", "");
  f.old_blob = j.value("old", "");
  f.new_blob = j.value("new", "");
  f.index_mode = j.value("mode", 0100644u);
  f.perms = j.value("perms", 0u);
  f.tmp = j.value("tmp", "");
  return f;
}

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

fs::path index_file(const fs::path& git_dir) { return git_dir / "index"; }
fs::path index_lock_file(const fs::path& git_dir) { return git_dir / "index.lock"; }

struct IndexEntry {
  std::string blob;
  unsigned mode = 0;
  int stage = 0;
};

// `git <args>` in the work tree on the index file `index` (GIT_INDEX_FILE); throws core::Error when git fails.
std::string git_on_index(Context& ctx, const fs::path& index, std::vector<std::string> args,
                         std::optional<std::string> input = std::nullopt) {
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

// Whether `lock` holds the content a journal recorded (`sum`: its blob id): the lock is this accept's.
bool is_our_lock(const fs::path& lock, const std::string& sum) {
  if (sum.empty()) return false;
  struct stat st {};
  if (::lstat(lock.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  auto content = core::read_file(lock);
  return content && git::hash_blob(*content) == sum;
}

// The outcome of taking the index lock: held (with the index it will install), or why not.
struct IndexLockResult {
  bool held = false;
  std::string why;
};

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

// The findings of a journal's accept: "ids" (a sweep's), or its one "id" (journals written before sweeps).
std::vector<int64_t> journal_ids(const nlohmann::json& j) {
  std::vector<int64_t> ids;
  for (const auto& id : j.value("ids", nlohmann::json::array()))
    if (id.is_number_integer()) ids.push_back(id.get<int64_t>());
  if (ids.empty()) ids.push_back(j.value("id", int64_t{0}));
  return ids;
}

// Removes what an accept that never moved the branch left: its temporary files, its scratch index and
// (only when it is its own) git's index lock.
void discard_accept(const nlohmann::json& j) {
  for (const auto& f : j.value("files", nlohmann::json::array())) remove_regular(f.value("tmp", ""));
  const std::string scratch = j.value("scratch", "");
  if (!scratch.empty()) {
    remove_regular(scratch);
    remove_regular(scratch + ".lock"); // git update-index's own lock on the scratch copy
  }
  const fs::path git_dir = j.value("git_dir", "");
  if (!git_dir.empty() && is_our_lock(index_lock_file(git_dir), j.value("lock_sum", "")))
    ::unlink(index_lock_file(git_dir).c_str());
}

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

// finish_interrupted_accept with the accept lock held.
std::optional<std::string> finish_accept_locked(Context& ctx, bool write_files) {
  auto text = ctx.store().state(k_accept_journal);
  if (!text) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("commit")) {
    ctx.store().erase_state(k_accept_journal);
    return std::nullopt;
  }
  const std::string commit = j.value("commit", ""), branch = j.value("branch", "");
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
  if (!ctx.paths.work_tree || ctx.paths.work_tree->string() != j.value("work_tree", ""))
    return done + "; its files wait for a review in " + j.value("work_tree", "its work tree");
  const fs::path git_dir = j.value("git_dir", ctx.paths.git_dir.string());
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

// Why the fix of `o` (commit message `message`) may not be accepted now, or "". Rules are code: a
// repository rule's fix is taken only while `trust` covers the rule's directory as it is now.
std::string refusal(const std::vector<scan::Rule>* rules, const std::string& rules_error, const queue::Opportunity& o,
                    const std::string& message) {
  if (fix::is_improve_request(o)) return "";
  const std::string& rule_id = o.rule_id;
  const bool repository = rule_id.rfind(scan::k_repository_prefix, 0) == 0;
  if (!rules) return repository ? "the repository's rules cannot be read (" + rules_error + "); fix them or reject the fix" : "";
  auto find = [&](const std::string& id) {
    auto it = std::find_if(rules->begin(), rules->end(), [&](const scan::Rule& r) { return r.id == id; });
    return it == rules->end() ? nullptr : &*it;
  };
  const scan::Rule* rule = find(rule_id);
  if (rule && !rule->trusted)
    return "it comes from the repository rule " + rule->id + " (" + rule->file + "), which `git autoloop trust` does "
           "not cover (it changed since, or was never trusted): read it and run `git autoloop trust`, or reject the fix";
  if (!rule && repository) return "its repository rule " + rule_id + " is gone: reject the fix";
  // Made before fixes named their rule's source, when a repository rule could take a built-in's id.
  if (fix::read_trailers(message).rule_source.empty() && find(scan::k_repository_prefix + rule_id))
    return "it was made before fix commits named their rule's source, and the repository has a rule of the same id "
           "(" + std::string(scan::k_repository_prefix) + rule_id + "): it may be the repository's; reject it (the "
           "next drain proposes the built-in's fix again if it applies)";
  return "";
}

} // namespace

std::optional<std::string> finish_interrupted_accept(Context& ctx, bool write_files) {
  if (!ctx.store().state(k_accept_journal)) return std::nullopt;
  // An accept running right now holds the lock: its journal is not a leftover.
  auto lock = accept_lock(ctx, std::chrono::milliseconds(write_files ? 10000 : 0));
  if (!lock) return std::nullopt;
  return finish_accept_locked(ctx, write_files);
}

std::vector<PendingFix> pending_fixes(Context& ctx) {
  std::vector<PendingFix> out;
  std::string branch, base;
  auto tip = side_tip(ctx, &branch, &base);
  if (!tip) return out;
  std::vector<scan::Rule> rules;
  std::string rules_error;
  try {
    rules = ctx.rules();
  } catch (const std::exception& e) {
    rules_error = e.what();
  }
  for (const auto& commit : ctx.repo.commit_range(base, *tip, 1000)) {
    auto attempt = ctx.store().attempt_by_commit(commit);
    if (!attempt) continue;
    // A sweep holds several findings' fixes (fix/sweep.hpp): the first leads, as in its trailers.
    const auto ids = fix::findings_of_commit(ctx.store(), commit, core::Status::applied);
    auto o = ctx.store().opportunity(ids.empty() ? attempt->opportunity_id : ids.front());
    if (!o || o->status != core::Status::applied) continue;
    PendingFix f;
    f.opportunity = *o;
    f.commit = commit;
    for (int64_t id : ids) {
      if (id == o->id) continue;
      if (auto other = ctx.store().opportunity(id)) f.swept.push_back(std::move(*other));
    }
    auto info = ctx.repo.commit_info(commit);
    f.subject = first_line(info.message);
    f.lines_changed = attempt->lines_changed;
    f.risk = attempt->risk;
    const fix::Trailers trailers = fix::read_trailers(info.message);
    f.rule_source = trailers.rule_source;
    if (f.rule_source.empty()) f.rule_source = fix::is_improve_request(*o) ? "fixer" : "unrecorded";
    f.refused = refusal(rules_error.empty() ? &rules : nullptr, rules_error, *o, info.message);
    f.validated = trailers.validated;
    f.tests_caveat = fix::tests_caveat(f.validated);
    for (const auto& ch : ctx.repo.diff_commits(info.parents.empty() ? "" : info.parents[0], commit))
      f.diff += git::unified_diff(ch.path, ch.old_blob.empty() ? "" : ctx.repo.read_blob(ch.old_blob),
                                  ch.new_blob.empty() ? "" : ctx.repo.read_blob(ch.new_blob));
    out.push_back(std::move(f));
  }
  return out;
}

void rebuild_side_branch(Context& ctx) {
  DrainOptions options;
  options.max = 0;
  options.trigger = "review";
  drain(ctx, options);
}

VerdictResult accept_fix(Context& ctx, int64_t id, bool bulk) {
  VerdictResult r;
  if (!ctx.paths.work_tree) {
    r.message = "accept needs a checked-out branch";
    return r;
  }
  auto held = accept_lock(ctx, std::chrono::milliseconds(10000));
  if (!held) {
    r.message = "another review is accepting a fix right now; try again (nothing was changed)";
    return r;
  }
  if (auto finished = finish_accept_locked(ctx, true)) ctx.log.info("{}", *finished);
  if (auto left = ctx.store().state(k_accept_journal)) {
    r.message = "an interrupted accept is not finished yet (run `git autoloop review --list` in its work tree); nothing was changed";
    return r;
  }
  auto branch = ctx.repo.current_branch();
  if (!branch) {
    r.message = "accept needs a checked-out branch";
    return r;
  }
  // A merge, rebase, cherry-pick or revert stopped half-way remembers where HEAD was: moving it now
  // would be undone (or worse) by --abort and --continue.
  if (auto state = hookcore::detect_git_state(ctx.paths.git_dir); state != hookcore::GitState::normal) {
    r.message = "a " + hookcore::to_string(state) + " is in progress; finish or abort it first (nothing was changed)";
    return r;
  }
  auto fixes = pending_fixes(ctx);
  auto fix = std::find_if(fixes.begin(), fixes.end(), [&](const PendingFix& f) {
    return f.opportunity.id == id ||
           std::any_of(f.swept.begin(), f.swept.end(), [&](const queue::Opportunity& o) { return o.id == id; });
  });
  if (fix == fixes.end()) {
    r.message = "#" + std::to_string(id) + " is not a pending fix on " + side_branch_name(ctx.config, *branch);
    return r;
  }
  if (!fix->refused.empty()) {
    r.message = "#" + std::to_string(id) + " is not accepted: " + fix->refused + " (nothing was changed)";
    return r;
  }
  const queue::Opportunity& o = fix->opportunity;
  std::vector<int64_t> ids{o.id};
  for (const auto& s : fix->swept) ids.push_back(s.id);
  r.rule = o.rule_id;
  r.fixes = static_cast<int>(ids.size());
  r.bulk = bulk || ids.size() > 1; // a sweep is many fixes of one rule accepted by one action
  std::string head = *ctx.repo.resolve_commit("HEAD");
  auto info = ctx.repo.commit_info(fix->commit);
  // A generator's change (improve, or a finding offered to one) cannot be derived again from a rule.
  const bool external = fix::is_improve_request(o) || !fix::read_trailers(info.message).generator.empty();
  const fs::path& top = *ctx.paths.work_tree;
  // 1. The fixed content of each file for the branch as it is now: the fix itself where the file did
  // not move, else (template fixes) the fix re-derived from its rule on the current content. The mode is
  // always the branch's: a mode the user committed after the fix was made is theirs.
  struct Update {
    std::string path, content, head_blob;
    unsigned mode;
  };
  std::vector<Update> updates;
  for (const auto& ch : ctx.repo.diff_commits(info.parents.at(0), fix->commit)) {
    auto head_entry = ctx.repo.entry_at(head, ch.path);
    if (ch.kind == git::Change::Kind::added && !head_entry) {
      // A new file from a generator (a test for an untested function): added as it is.
      updates.push_back({ch.path, ctx.repo.read_blob(ch.new_blob), "", ch.mode == 0100755 ? 0100755u : 0100644u});
      continue;
    }
    if (ch.kind != git::Change::Kind::modified || !head_entry) {
      ctx.store().set_status(o.id, core::Status::stale);
      r.message = ch.path + " is gone from the branch; the fix is stale";
      return r;
    }
    if (head_entry->blob == ch.old_blob) {
      updates.push_back({ch.path, ctx.repo.read_blob(ch.new_blob), head_entry->blob, head_entry->mode});
      continue;
    }
    // The file differs (other fixes before it on the side branch, or the branch moved): replay the
    // fix's own change with a three-way merge, the syntax-aware one (line merge first) unless turned off.
    merge::Options merge_options;
    merge_options.structured = !merge::structured_disabled_by_environment();
    merge::Result merged = merge::three_way(ctx.repo.read_blob(ch.old_blob), ctx.repo.read_blob(head_entry->blob),
                                            ctx.repo.read_blob(ch.new_blob),
                                            scan::language_at(ctx.repo, head, ch.path, ctx.repo.read_blob(head_entry->blob)),
                                            merge_options);
    if (merged.clean) {
      updates.push_back({ch.path, merged.text, head_entry->blob, head_entry->mode});
      continue;
    }
    if (external) {
      ctx.store().set_status(o.id, core::Status::stale);
      r.message = ch.path + " changed since the fixer ran; the fix is stale (ask again with `git autoloop improve`)";
      rebuild_side_branch(ctx);
      return r;
    }
    if (ids.size() > 1) {
      // A sweep is not derived again here: its findings go back to the queue for the next sweep.
      for (int64_t swept : ids) ctx.store().set_status(swept, core::Status::open);
      r.message = ch.path + " changed since the sweep was made and it does not merge; its " + std::to_string(ids.size()) +
                  " findings are back in the queue for the next drain";
      rebuild_side_branch(ctx);
      return r;
    }
    fix::Derived d = fix::derive_fix(ctx.engine(), ctx.repo, ctx.config, head, o, &ctx.native_checker());
    if (d.status != fix::Derived::Status::ok) {
      const core::Status now = d.status == fix::Derived::Status::gone ? core::Status::resolved : core::Status::stale;
      ctx.store().set_status(o.id, now);
      r.message = "the branch moved and the fix no longer applies (" + d.detail + "); marked " +
                  std::string(core::to_string(now));
      rebuild_side_branch(ctx);
      return r;
    }
    updates.push_back({ch.path, d.after, head_entry->blob, head_entry->mode});
  }
  // 2. Only clean files may be touched, reached by names the file system takes and without a symlink (a
  // directory replaced by a link would take the write elsewhere): the work-tree content must equal HEAD's.
  // Its permission bits are the user's (an uncommitted chmod, a 0600 file) and are kept as they are.
  std::vector<AcceptFile> files;
  for (const auto& u : updates) {
    if (auto why = name_beyond_limits(top, u.path)) {
      r.message = *why + "; nothing was changed";
      return r;
    }
    if (core::crosses_symlink(top, u.path)) {
      r.message = u.path + " is reached through a symlink in the work tree (or lies outside it); nothing was changed";
      return r;
    }
    if (u.head_blob.empty()) {
      std::error_code ec;
      if (fs::exists(fs::symlink_status(top / u.path, ec))) {
        r.message = u.path + " exists in the work tree (untracked); move it away first (nothing was changed)";
        return r;
      }
      AcceptFile f;
      f.path = u.path;
      f.index_mode = u.mode;
      f.perms = u.mode == 0100755 ? 0755 : 0644;
      files.push_back(std::move(f));
      continue;
    }
    std::optional<std::string> on_disk;
    try {
      on_disk = core::read_file(top / u.path);
    } catch (const core::Error& e) {
      r.message = std::string(e.what()) + "; nothing was changed";
      return r;
    }
    auto perms = regular_file_perms(top / u.path);
    if (!on_disk || !perms || *on_disk != ctx.repo.read_blob(u.head_blob)) {
      r.message = u.path + " has uncommitted changes; commit or stash them first (nothing was changed)";
      return r;
    }
    AcceptFile f;
    f.path = u.path;
    f.old_blob = u.head_blob;
    f.perms = *perms;
    files.push_back(std::move(f));
  }
  // 3. The commit (objects only, nothing moves yet).
  git::Signature committer = ctx.repo.default_signature();
  std::vector<git::Entry> entries;
  for (size_t i = 0; i < updates.size(); ++i) {
    entries.push_back({updates[i].path, ctx.repo.write_blob(updates[i].content), updates[i].mode});
    files[i].new_blob = entries[i].blob;
  }
  std::string tree = ctx.repo.tree_with_files(head, entries);
  std::string commit = ctx.repo.create_commit(tree, {head}, info.author, committer, info.message);
  // 4. Everything that can fail, before the branch moves; the journal first, so a kill leaves nothing
  // it does not name: the new content in temporary files, the new index in git's index lock.
  const std::string nonce = random_nonce();
  const fs::path git_dir = ctx.paths.git_dir;
  const fs::path scratch = git_dir / ("index.autoloop-" + nonce);
  for (size_t i = 0; i < files.size(); ++i) files[i].tmp = temp_path_for(ctx, top / files[i].path, nonce, i);
  nlohmann::json journal = {{"id", o.id},         {"ids", ids},   {"bulk", r.bulk}, {"commit", commit}, {"branch", *branch},
                            {"head", head},       {"lines", fix->lines_changed}, {"risk", fix->risk},
                            {"work_tree", top.string()}, {"git_dir", git_dir.string()}, {"scratch", scratch.string()},
                            {"files", nlohmann::json::array()}};
  auto write_journal = [&] {
    journal["files"] = nlohmann::json::array();
    for (const auto& f : files) journal["files"].push_back(to_json(f));
    ctx.store().set_state(k_accept_journal, journal.dump());
  };
  write_journal();
  bool branch_moved = false;
  // Whatever stops the accept before the branch moves takes back all it made.
  struct Undo {
    nlohmann::json& journal;
    Context& ctx;
    bool& moved;
    ~Undo() {
      if (moved) return;
      discard_accept(journal);
      try {
        ctx.store().erase_state(k_accept_journal);
      } catch (const std::exception&) {
      }
    }
  } undo{journal, ctx, branch_moved};
  auto refuse = [&](const std::string& why) {
    r.message = why + " (nothing was changed)";
    return r;
  };
  try {
    for (size_t i = 0; i < files.size(); ++i) {
      if (files[i].old_blob.empty()) fs::create_directories((top / files[i].path).parent_path());
      create_file(files[i].tmp, updates[i].content, files[i].perms);
    }
  } catch (const core::Error& e) {
    return refuse(e.what());
  }
  // The index: its entries for these files must be HEAD's (a staged change refuses); a staged mode change
  // is the user's and stays (the entry keeps its mode, only the blob changes).
  std::optional<std::string> original;
  std::string updated;
  try {
    original = read_index(git_dir);
    if (!original) return refuse("there is no index in " + git_dir.string());
    create_file(scratch, *original, 0644);
    std::vector<std::string> paths;
    for (const auto& f : files) paths.push_back(f.path);
    auto staged = index_entries(ctx, scratch, paths);
    std::string index_info;
    for (auto& f : files) {
      auto e = staged.find(f.path);
      if (f.old_blob.empty() && e != staged.end()) return refuse(f.path + " is staged already; commit or unstage it first");
      if (!f.old_blob.empty() &&
          (e == staged.end() || e->second.size() != 1 || e->second[0].stage != 0 || e->second[0].blob != f.old_blob))
        return refuse(f.path + " has uncommitted changes; commit or stash them first");
      if (!f.old_blob.empty()) f.index_mode = e->second[0].mode;
      char mode[16];
      std::snprintf(mode, sizeof mode, "%o", f.index_mode);
      index_info += std::string(mode) + " " + f.new_blob + "\t" + f.path + '\0';
    }
    git_on_index(ctx, scratch, {"update-index", "-z", "--index-info"}, index_info);
    updated = core::read_file(scratch).value_or("");
  } catch (const core::Error& e) {
    return refuse(std::string("cannot prepare the index: ") + e.what());
  }
  const std::string lock_sum = git::hash_blob(updated);
  journal["lock_sum"] = lock_sum;
  write_journal();
  IndexLockResult lock = lock_index(git_dir, scratch, *original, lock_sum);
  if (!lock.held) return refuse(lock.why);
  core::fault_point("accept-after-lock");
  // 5. The branch, with a compare-and-swap; then only renames are left, and the journal finishes them
  // when killed (while git's index lock keeps a commit of the user's from taking the old index).
  if (!ctx.repo.update_ref("refs/heads/" + *branch, commit, head, "autoloop: accept #" + std::to_string(id)))
    return refuse(*branch + " moved while accepting; try again");
  branch_moved = true;
  core::fault_point("accept-after-ref");
  std::string note;
  bool all_written = true;
  for (size_t i = 0; i < files.size(); ++i) {
    const fs::path target = top / files[i].path;
    try {
      // Edited in the last moment (an editor saving)? Theirs wins; the index holds the fix.
      auto on_disk = core::read_file(target);
      const bool as_before = files[i].old_blob.empty() ? !on_disk && !fs::is_symlink(target)
                                                       : on_disk && *on_disk == ctx.repo.read_blob(files[i].old_blob);
      if (!as_before) {
        remove_regular(files[i].tmp);
        note += "; " + files[i].path + " changed meanwhile and was left as it is";
        continue;
      }
      install_file(target, files[i].tmp, updates[i].content, files[i].perms);
    } catch (const core::Error& e) {
      note += "; could not write " + files[i].path + " (" + e.what() + "): the next review writes it";
      all_written = false;
    }
  }
  commit_index_lock(git_dir);
  core::fault_point("accept-after-files");
  record_accept(ctx, ids, commit, *branch, fix->lines_changed, fix->risk, r.bulk);
  if (all_written) ctx.store().erase_state(k_accept_journal);
  r.ok = true;
  r.commit = commit;
  const std::string what = ids.size() > 1 ? "the sweep #" + std::to_string(o.id) + " (" + std::to_string(ids.size()) +
                                                " fixes of " + o.rule_id + ")"
                                          : "#" + std::to_string(id);
  r.message = "accepted " + what + " as " + commit.substr(0, 12) + " on " + *branch + note;
  return r;
}

VerdictResult reject_fix(Context& ctx, int64_t id, const std::string& reason) {
  VerdictResult r;
  auto o = ctx.store().opportunity(id);
  if (!o) {
    r.message = "no opportunity #" + std::to_string(id);
    return r;
  }
  if (o->status == core::Status::accepted) {
    r.message = "#" + std::to_string(id) + " was already accepted";
    return r;
  }
  // A pending sweep is one unit: every finding whose fix its commit holds is rejected with it.
  std::vector<int64_t> ids{id};
  if (o->status == core::Status::applied) {
    auto attempts = ctx.store().attempts_of(id);
    auto last = std::find_if(attempts.rbegin(), attempts.rend(), [](const queue::Attempt& a) { return a.outcome == core::Outcome::applied; });
    if (last != attempts.rend() && !last->side_commit.empty())
      for (int64_t other : fix::findings_of_commit(ctx.store(), last->side_commit, core::Status::applied))
        if (other != id) ids.push_back(other);
  }
  auto txn = ctx.store().begin();
  for (int64_t each : ids) {
    ctx.store().set_status(each, core::Status::rejected);
    ctx.store().record_verdict(each, "rejected", reason, "");
    ctx.store().record_attempt({0, each, 0, "", core::Outcome::rejected, reason, ctx.repo.current_branch().value_or(""), 0, 0, 0, 0});
  }
  txn.commit();
  r.ok = true;
  r.rule = o->rule_id;
  r.fixes = static_cast<int>(ids.size());
  const std::string what = ids.size() > 1 ? "the sweep #" + std::to_string(id) + " (" + std::to_string(ids.size()) +
                                                " fixes of " + o->rule_id + ")"
                                          : "#" + std::to_string(id);
  r.message = "rejected " + what + (reason.empty() ? "" : " (" + reason + ")") + "; " +
              (ids.size() > 1 ? "they" : "it") + " will not be proposed again";
  return r;
}

} // namespace loop
