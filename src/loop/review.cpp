#include "loop/review.hpp"

#include "core/fault.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "loop/derive.hpp"
#include "loop/drain.hpp"
#include "merge/merge.hpp"
#include "schedule/git_state.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

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

// The accept journal (state key): what an accept is about to do, written before the branch moves.
const char* const k_accept_journal = "accepting";

// Writes one file of an accept into the work tree and the index.
void write_accepted_file(Context& ctx, const std::string& path, const std::string& content, const std::string& blob,
                         unsigned mode) {
  char mode_text[16];
  std::snprintf(mode_text, sizeof mode_text, "%o", mode);
  core::write_file_atomic(*ctx.paths.work_tree / path, content, std::filesystem::perms(mode == 0100755 ? 0755 : 0644));
  core::git_output(*ctx.paths.work_tree, {"update-index", "--cacheinfo", std::string(mode_text) + "," + blob + "," + path});
}

// The temporary file an atomic write of `target` leaves when killed half-way (`<name>.tmp.XXXXXX`, see
// core::AtomicFile): only an accept's own, so only removed while finishing that accept.
void remove_write_leftovers(const std::filesystem::path& target) {
  std::error_code ec;
  const std::string prefix = target.filename().string() + ".tmp.";
  for (const auto& e : std::filesystem::directory_iterator(target.parent_path(), ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() == prefix.size() + 6 && name.compare(0, prefix.size(), prefix) == 0 && e.is_regular_file(ec) &&
        !e.is_symlink(ec))
      std::filesystem::remove(e.path(), ec);
  }
}

// Records the verdict of an accept (status, verdict, attempt), once.
void record_accept(Context& ctx, int64_t id, const std::string& commit, const std::string& branch, int lines, double risk) {
  auto txn = ctx.store().begin();
  auto o = ctx.store().opportunity(id);
  if (o && o->status != "accepted") {
    ctx.store().set_status(id, "accepted");
    ctx.store().record_verdict(id, "accepted", "", commit);
    ctx.store().record_attempt({0, id, 0, commit, "accepted", "", branch, lines, 0, risk, 0});
  }
  txn.commit();
}

} // namespace

std::optional<std::string> finish_interrupted_accept(Context& ctx, bool write_files) {
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
    ctx.store().erase_state(k_accept_journal); // the branch never moved: nothing happened
    return std::nullopt;
  }
  record_accept(ctx, id, commit, branch, j.value("lines", 0), j.value("risk", 0.0));
  std::string done = "finished the interrupted accept of #" + std::to_string(id) + " (" + commit.substr(0, 12) + ")";
  if (!write_files) return done; // the journal stays for the files
  if (ctx.paths.work_tree && ctx.paths.work_tree->string() == j.value("work_tree", "") &&
      ctx.repo.current_branch() == std::optional<std::string>(branch)) {
    for (const auto& f : j.value("files", nlohmann::json::array())) {
      const std::string path = f.value("path", ""), old_blob = f.value("old", ""), new_blob = f.value("new", "");
      if (path.empty() || core::crosses_symlink(*ctx.paths.work_tree, path)) continue;
      remove_write_leftovers(*ctx.paths.work_tree / path);
      auto on_disk = core::read_file(*ctx.paths.work_tree / path);
      if (!on_disk || !ctx.repo.has_object(new_blob)) continue;
      if (*on_disk == ctx.repo.read_blob(old_blob)) {
        write_accepted_file(ctx, path, ctx.repo.read_blob(new_blob), new_blob, f.value("mode", 0100644u));
        done += "; wrote " + path;
      } else if (*on_disk != ctx.repo.read_blob(new_blob)) {
        ctx.log.warn("interrupted accept of #{}: {} changed since; left as it is", id, path);
      }
    }
  }
  ctx.store().erase_state(k_accept_journal);
  return done;
}

namespace {

// The value of the trailer `key` in a commit message, or "". Only the last paragraph counts: a rule's
// message or description in the body cannot pass for a trailer.
std::string trailer(const std::string& message, const std::string& key) {
  size_t end = message.find_last_not_of('\n');
  size_t paragraph = message.rfind("\n\n", end == std::string::npos ? 0 : end);
  if (paragraph == std::string::npos) return "";
  const std::string needle = "\n" + key + ": ";
  size_t at = message.find(needle, paragraph + 1);
  if (at == std::string::npos) return "";
  at += needle.size();
  return message.substr(at, message.find('\n', at) - at);
}

// Why a fix made by `rule_id` (commit message `message`) may not be accepted now, or "". Rules are code:
// a repository rule's fix is taken only while `trust` covers the rule's directory as it is now.
std::string refusal(const std::vector<scan::Rule>* rules, const std::string& rules_error, const std::string& rule_id,
                    const std::string& message) {
  if (rule_id.rfind("improve/", 0) == 0) return "";
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
  if (trailer(message, "Autoloop-Rule-Source").empty() && find(scan::k_repository_prefix + rule_id))
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
    auto o = ctx.store().opportunity(attempt->opportunity_id);
    if (!o || o->status != "applied") continue;
    PendingFix f;
    f.opportunity = *o;
    f.commit = commit;
    auto info = ctx.repo.commit_info(commit);
    f.subject = first_line(info.message);
    f.lines_changed = attempt->lines_changed;
    f.risk = attempt->risk;
    f.rule_source = trailer(info.message, "Autoloop-Rule-Source");
    if (f.rule_source.empty()) f.rule_source = o->rule_id.rfind("improve/", 0) == 0 ? "fixer" : "unrecorded";
    f.refused = refusal(rules_error.empty() ? &rules : nullptr, rules_error, o->rule_id, info.message);
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

VerdictResult accept_fix(Context& ctx, int64_t id) {
  VerdictResult r;
  if (auto finished = finish_interrupted_accept(ctx, true)) ctx.log.info("{}", *finished);
  auto branch = ctx.repo.current_branch();
  if (!branch || !ctx.paths.work_tree) {
    r.message = "accept needs a checked-out branch";
    return r;
  }
  // A merge, rebase, cherry-pick or revert stopped half-way remembers where HEAD was: moving it now
  // would be undone (or worse) by --abort and --continue.
  if (auto state = schedule::detect_git_state(ctx.paths.git_dir); state != schedule::GitState::normal) {
    r.message = "a " + schedule::to_string(state) + " is in progress; finish or abort it first (nothing was changed)";
    return r;
  }
  auto fixes = pending_fixes(ctx);
  auto fix = std::find_if(fixes.begin(), fixes.end(), [&](const PendingFix& f) { return f.opportunity.id == id; });
  if (fix == fixes.end()) {
    r.message = "#" + std::to_string(id) + " is not a pending fix on " + side_branch_name(ctx.config, *branch);
    return r;
  }
  if (!fix->refused.empty()) {
    r.message = "#" + std::to_string(id) + " is not accepted: " + fix->refused + " (nothing was changed)";
    return r;
  }
  const queue::Opportunity& o = fix->opportunity;
  std::string head = *ctx.repo.resolve_commit("HEAD");
  auto info = ctx.repo.commit_info(fix->commit);
  const bool external = o.rule_id.rfind("improve/", 0) == 0;
  // 1. The fixed content of each file for the branch as it is now: the fix itself where the file did
  // not move, else (template fixes) the fix re-derived from its rule on the current content.
  struct Update {
    std::string path, content, head_blob;
    unsigned mode;
  };
  std::vector<Update> updates;
  for (const auto& ch : ctx.repo.diff_commits(info.parents.at(0), fix->commit)) {
    auto head_entry = ctx.repo.entry_at(head, ch.path);
    if (ch.kind != git::Change::Kind::modified || !head_entry) {
      ctx.store().set_status(o.id, "stale");
      r.message = ch.path + " is gone from the branch; the fix is stale";
      return r;
    }
    if (head_entry->blob == ch.old_blob) {
      updates.push_back({ch.path, ctx.repo.read_blob(ch.new_blob), head_entry->blob, ch.mode});
      continue;
    }
    // The file differs (other fixes before it on the side branch, or the branch moved): replay the
    // fix's own change with a three-way merge, the syntax-aware one (line merge first) unless turned off.
    merge::Options merge_options;
    merge_options.structured = !merge::structured_disabled_by_environment();
    merge::Result merged = merge::three_way(ctx.repo.read_blob(ch.old_blob), ctx.repo.read_blob(head_entry->blob),
                                            ctx.repo.read_blob(ch.new_blob), scan::language_for_path(ch.path),
                                            merge_options);
    if (merged.clean) {
      updates.push_back({ch.path, merged.text, head_entry->blob, head_entry->mode});
      continue;
    }
    if (external) {
      ctx.store().set_status(o.id, "stale");
      r.message = ch.path + " changed since the fixer ran; the fix is stale (ask again with `git autoloop improve`)";
      rebuild_side_branch(ctx);
      return r;
    }
    Derived d = derive_fix(ctx.engine(), ctx.repo, ctx.config, head, o);
    if (d.status != Derived::Status::ok) {
      ctx.store().set_status(o.id, d.status == Derived::Status::gone ? "resolved" : "stale");
      r.message = "the branch moved and the fix no longer applies (" + d.detail + "); marked " +
                  (d.status == Derived::Status::gone ? "resolved" : "stale");
      rebuild_side_branch(ctx);
      return r;
    }
    updates.push_back({ch.path, d.after, head_entry->blob, head_entry->mode});
  }
  // 2. Only clean files may be touched: work tree and index must both equal HEAD's version, and the file
  // must be reached without a symlink (a directory replaced by a link would take the write elsewhere).
  for (const auto& u : updates) {
    if (core::crosses_symlink(*ctx.paths.work_tree, u.path)) {
      r.message = u.path + " is reached through a symlink in the work tree (or lies outside it); nothing was changed";
      return r;
    }
    auto on_disk = core::read_file(*ctx.paths.work_tree / u.path);
    auto staged = core::git_output(*ctx.paths.work_tree, {"ls-files", "-s", "--", u.path});
    bool index_clean = staged && staged->find(u.head_blob) != std::string::npos;
    if (!on_disk || *on_disk != ctx.repo.read_blob(u.head_blob) || !index_clean) {
      r.message = u.path + " has uncommitted changes; commit or stash them first (nothing was changed)";
      return r;
    }
  }
  // 3. The commit, on the branch with a compare-and-swap; then those files in index and work tree.
  git::Signature committer = ctx.repo.default_signature();
  std::vector<git::Entry> entries;
  for (const auto& u : updates) entries.push_back({u.path, ctx.repo.write_blob(u.content), u.mode});
  std::string tree = ctx.repo.tree_with_files(head, entries);
  std::string commit = ctx.repo.create_commit(tree, {head}, info.author, committer, info.message);
  // The journal first: killed after the branch moved, the next review (or drain) finishes the rest.
  nlohmann::json journal = {{"id", o.id},         {"commit", commit},           {"branch", *branch},
                            {"head", head},       {"lines", fix->lines_changed}, {"risk", fix->risk},
                            {"work_tree", ctx.paths.work_tree->string()},       {"files", nlohmann::json::array()}};
  for (size_t i = 0; i < updates.size(); ++i)
    journal["files"].push_back(
        {{"path", updates[i].path}, {"old", updates[i].head_blob}, {"new", entries[i].blob}, {"mode", updates[i].mode}});
  ctx.store().set_state(k_accept_journal, journal.dump());
  if (!ctx.repo.update_ref("refs/heads/" + *branch, commit, head, "autoloop: accept #" + std::to_string(id))) {
    ctx.store().erase_state(k_accept_journal);
    r.message = *branch + " moved while accepting; try again";
    return r;
  }
  core::fault_point("accept-after-ref");
  for (size_t i = 0; i < updates.size(); ++i)
    write_accepted_file(ctx, updates[i].path, updates[i].content, entries[i].blob, updates[i].mode);
  core::fault_point("accept-after-files");
  record_accept(ctx, o.id, commit, *branch, fix->lines_changed, fix->risk);
  ctx.store().erase_state(k_accept_journal);
  r.ok = true;
  r.commit = commit;
  r.message = "accepted #" + std::to_string(id) + " as " + commit.substr(0, 12) + " on " + *branch;
  return r;
}

VerdictResult reject_fix(Context& ctx, int64_t id, const std::string& reason) {
  VerdictResult r;
  auto o = ctx.store().opportunity(id);
  if (!o) {
    r.message = "no opportunity #" + std::to_string(id);
    return r;
  }
  if (o->status == "accepted") {
    r.message = "#" + std::to_string(id) + " was already accepted";
    return r;
  }
  auto txn = ctx.store().begin();
  ctx.store().set_status(id, "rejected");
  ctx.store().record_verdict(id, "rejected", reason, "");
  ctx.store().record_attempt({0, id, 0, "", "rejected", reason, ctx.repo.current_branch().value_or(""), 0, 0, 0, 0});
  txn.commit();
  r.ok = true;
  r.message = "rejected #" + std::to_string(id) + (reason.empty() ? "" : " (" + reason + ")") + "; it will not be proposed again";
  return r;
}

} // namespace loop
