#!/usr/bin/env python3
"""The invariants every torture, fault and security case checks after it ran (docs/ARCHITECTURE.md §7).

Run inside a work tree (or with --git-dir for a bare repository):

    invariants.py [--settled] [--fsck] [--prefix autoloop/]

Prints one line per problem and exits 1, or prints nothing and exits 0. Checked:

  queue     SQLite integrity_check and foreign_key_check are clean; every status, outcome and cycle state
            is one the product defines; attempts and verdicts reference existing opportunities and cycles;
            no opportunity path is absolute or climbs out of the repository.
  side      every side branch <prefix><b> has its branch <b>; it is based on <b> (an ancestor of <b> or a
            former tip in <b>'s reflog: the branch may have moved since the last drain); every commit on
            <b>..<prefix><b> has one parent, changes exactly one file at a path inside the repository,
            carries the four Autoloop-* trailers, and names an opportunity that exists and has an attempt
            recording that very commit as applied or kept (or planned: a drain killed after publishing).
  settled   (--settled: after a drain finished) no cycle is left unfinished and no attempt 'planned'; the
            opportunities with status 'applied' are exactly those on the side branches, each once; each
            side branch sits on its branch's tip.
  fsck      (--fsck) git fsck finds nothing wrong.

With --serve, reads one set of arguments per line from stdin and answers each with its problems and a line
"END" (a kill loop checks hundreds of times; one interpreter start-up is enough).
"""

import argparse
import os
import shlex
import sqlite3
import subprocess
import sys

STATUSES = {"open", "applied", "accepted", "rejected", "resolved", "stale", "failed", "suppressed"}
CYCLE_STATES = {"done", "planned", "running", "publishing", "recording", "started"}
TRAILERS = ("Autoloop-Rule", "Autoloop-Opportunity", "Autoloop-Fingerprint", "Autoloop-Validated")


def git(args, git_dir=None, check=True):
    cmd = ["git"] + (["--git-dir=" + git_dir] if git_dir else []) + args
    r = subprocess.run(cmd, capture_output=True)
    if check and r.returncode != 0:
        raise RuntimeError("git %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr.decode(errors="replace").strip()))
    return r


def out(args, git_dir=None, check=True):
    return git(args, git_dir, check).stdout.decode("utf-8", errors="surrogateescape").strip()


def safe_path(p):
    if not p or p.startswith("/"):
        return False
    return all(part not in ("", ".", "..", ".git") for part in p.split("/"))


def check(opts):
    problems = []
    gd = opts.git_dir
    common = out(["rev-parse", "--path-format=absolute", "--git-common-dir"], gd)
    db_path = os.path.join(common, "autoloop", "queue.db")
    prefix = opts.prefix

    # --- the queue -------------------------------------------------------------------------------------
    applied_ids = []
    attempts_by_commit = {}
    opp_ids = set()
    if os.path.exists(db_path):
        db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=30)
        # Paths are the repository's bytes, which need not be UTF-8.
        db.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
        try:
            ic = [r[0] for r in db.execute("PRAGMA integrity_check")]
            if ic != ["ok"]:
                problems.append("queue.db integrity_check: %s" % "; ".join(ic[:5]))
            fk = db.execute("PRAGMA foreign_key_check").fetchall()
            if fk:
                problems.append("queue.db foreign_key_check: %s" % fk[:5])
            for oid, status, path, rule in db.execute("SELECT id, status, path, rule_id FROM opportunities"):
                opp_ids.add(oid)
                if status not in STATUSES:
                    problems.append("opportunity #%d has status %r" % (oid, status))
                # An `improve` request may name no single file (its paths are in the snippet).
                if not safe_path(path) and not (rule.startswith("improve/") and path == ""):
                    problems.append("opportunity #%d has a path outside the repository: %r" % (oid, path))
                if status == "applied":
                    applied_ids.append(oid)
            cycles = {}
            for cid, state in db.execute("SELECT id, state FROM cycles"):
                cycles[cid] = state
                if state not in CYCLE_STATES:
                    problems.append("cycle %d has state %r" % (cid, state))
            for aid, opp, cyc, side_commit, outcome in db.execute(
                    "SELECT id, opportunity_id, cycle_id, side_commit, outcome FROM attempts"):
                if opp not in opp_ids:
                    problems.append("attempt %d references missing opportunity %s" % (aid, opp))
                if cyc is not None and cyc != 0 and cyc not in cycles:
                    problems.append("attempt %d references missing cycle %s" % (aid, cyc))
                if not outcome:
                    problems.append("attempt %d has no outcome" % aid)
                if side_commit:
                    attempts_by_commit.setdefault(side_commit, []).append((opp, outcome))
            for vid, opp in db.execute("SELECT id, opportunity_id FROM verdicts"):
                if opp not in opp_ids:
                    problems.append("verdict %d references missing opportunity %s" % (vid, opp))
            if opts.settled:
                unfinished = [(c, s) for c, s in cycles.items() if s != "done"]
                if unfinished:
                    problems.append("cycles not done after a drain: %s" % unfinished)
                planned = db.execute("SELECT count(*) FROM attempts WHERE outcome = 'planned'").fetchone()[0]
                if planned:
                    problems.append("%d attempts still 'planned' after a drain" % planned)
        finally:
            db.close()

    # --- the side branches -----------------------------------------------------------------------------
    refs = out(["for-each-ref", "--format=%(refname)", "refs/heads/" + prefix], gd).splitlines()
    on_side = []
    for ref in refs:
        branch = ref[len("refs/heads/" + prefix):]
        tip = out(["rev-parse", "-q", "--verify", "refs/heads/" + branch], gd, check=False)
        side = out(["rev-parse", ref], gd)
        if not tip:
            problems.append("%s exists but its branch %s does not" % (ref, branch))
            continue
        # The chain: first parents down from the side tip while they are fix commits. (tip..side is not it:
        # when the branch was rewritten, its old commits are below the chain too.) Not out(): str.strip()
        # counts \x1e and \x1f as white space.
        log = git(["log", "--first-parent", "--format=%x1e%H%x1f%P%x1f%(trailers:only,unfold)%x1f", "--name-only",
                   tip + ".." + side], gd).stdout.decode("utf-8", errors="surrogateescape")
        records = []
        for record in log.split("\x1e")[1:]:
            if "Autoloop-Rule: " not in record.split("\x1f")[2]:
                break
            records.append(record)
        commits = []
        for record in records:
            commit, parents, trailers, names = record.split("\x1f")
            commits.append((commit, parents))
            files = [n for n in names.split("\n") if n]
            if len(parents.split()) != 1:
                problems.append("%s: fix commit %s has parents %r" % (ref, commit, parents))
            if len(files) != 1:
                problems.append("%s: fix commit %s changes %d files: %s" % (ref, commit, len(files), files))
            for f in files:
                if not safe_path(f):
                    problems.append("%s: fix commit %s writes outside the repository: %r" % (ref, commit, f))
            keys = {}
            for line in trailers.splitlines():
                k, _, v = line.partition(": ")
                keys[k] = v
            for k in TRAILERS:
                if not keys.get(k):
                    problems.append("%s: fix commit %s has no %s trailer" % (ref, commit, k))
            opp = keys.get("Autoloop-Opportunity", "")
            if opp.isdigit():
                opp = int(opp)
                on_side.append(opp)
                if os.path.exists(db_path):
                    if opp not in opp_ids:
                        problems.append("%s: fix commit %s names missing opportunity #%d" % (ref, commit, opp))
                    # A drain killed after publishing leaves its attempts 'planned' (the recorded plan); the
                    # next drain finishes the record, so once settled only applied or kept count.
                    outcomes = ("applied", "kept") if opts.settled else ("applied", "kept", "planned")
                    recorded = [o for o, outcome in attempts_by_commit.get(commit, [])
                                if o == opp and outcome in outcomes]
                    if not recorded:
                        problems.append("%s: fix commit %s (#%d) has no applied attempt recording it" % (ref, commit, opp))
        # The base of the chain: the parent of its oldest commit, or the side tip itself when it holds no fix.
        base = commits[-1][1].split()[0] if commits else side
        if base != tip and git(["merge-base", "--is-ancestor", base, tip], gd, check=False).returncode != 0:
            former = out(["reflog", "show", "--format=%H", "refs/heads/" + branch], gd, check=False).split()
            if base not in former:
                problems.append("%s is based on %s, which is neither on %s nor a former tip of it" % (ref, base, branch))
        if opts.settled and base != tip:
            problems.append("%s is based on %s, not on %s's tip %s after a drain" % (ref, base[:12], branch, tip[:12]))
    if opts.settled and os.path.exists(db_path):
        if sorted(on_side) != sorted(applied_ids):
            problems.append("applied opportunities %s but the side branches hold %s" % (sorted(applied_ids), sorted(on_side)))
    if len(on_side) != len(set(on_side)):
        problems.append("an opportunity is on the side branches twice: %s" % sorted(on_side))

    if opts.fsck:
        r = git(["fsck", "--no-dangling", "--no-progress"], gd, check=False)
        if r.returncode != 0 or r.stdout.strip() or r.stderr.strip():
            problems.append("git fsck: exit %d %s%s" % (r.returncode, r.stdout.decode(errors="replace"),
                                                      r.stderr.decode(errors="replace")))
    return problems


def parser():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--settled", action="store_true", help="a drain just finished")
    p.add_argument("--fsck", action="store_true", help="also run git fsck")
    p.add_argument("--prefix", default="autoloop/", help="side_branch_prefix")
    p.add_argument("--git-dir", dest="git_dir", default=None, help="for a bare repository")
    p.add_argument("--serve", action="store_true", help="answer argument lines from stdin")
    return p


def run(opts):
    try:
        return check(opts)
    except Exception as e:  # report, never die: a kill loop reads until END
        return ["checker error: %r" % e]


def main():
    opts = parser().parse_args()
    if opts.serve:
        for line in sys.stdin:
            for problem in run(parser().parse_args(shlex.split(line))):
                print(problem)
            print("END", flush=True)
        return 0
    problems = run(opts)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
