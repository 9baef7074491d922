#include "loop/review.hpp"

#include "core/fault.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "fix/coverage_gate.hpp"
#include "fix/derive.hpp"
#include "fix/generator.hpp"
#include "fix/sweep.hpp"
#include "fix/trailers.hpp"
#include "loop/accept_files.hpp"
#include "loop/accept_journal.hpp"
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

namespace fs = std::filesystem;

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
  // A merge, rebase, cherry-pick or revert stopped half-way remembers where HEAD was: moving it now
  // would be undone (or worse) by --abort and --continue. Asked first: a stopped rebase detaches HEAD.
  if (auto state = hookcore::detect_git_state(ctx.paths.git_dir); state != hookcore::GitState::normal) {
    r.message = "a " + hookcore::to_string(state) + " is in progress; finish or abort it first (nothing was changed)";
    return r;
  }
  auto branch = ctx.repo.current_branch();
  if (!branch) {
    r.message = "accept needs a checked-out branch";
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
  nlohmann::json journal = {{"id", o.id},         {"ids", ids},   {"bulk", r.bulk}, {"commit", commit}, {"branch", journal_name(*branch)},
                            {"head", head},       {"lines", fix->lines_changed}, {"risk", fix->risk},
                            {"work_tree", journal_name(top.string())}, {"git_dir", journal_name(git_dir.string())}, {"scratch", journal_name(scratch.string())},
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
