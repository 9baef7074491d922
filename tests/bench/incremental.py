#!/usr/bin/env python3
"""Incremental scan cost against repository size, and a no-op rescan.

  incremental.py --small REPO --large REPO [--trials 20] [--sizes 1,10] [--json OUT]

REPO are gen_history.py repositories (5,000 and 50,000 files, same seed: the first 5,000 paths and
their contents are the same in both). Each gets a fresh clone (build/bench/work-inc-<files>); no hooks.
Then, interleaved between the two repositories so drift hits both alike, for each commit size:
  commit    the same edit (one comment line appended to the same paths) committed in each repository,
            then `git autoloop scan --commit HEAD` timed: the worker's code path on a new commit
  rescan    the same command again on the already-scanned HEAD: every blob comes from the results
            cache (target <= 20 ms)
Each run: wall time and peak RSS (wait4). Target: no growth with repository size (large/small ~ 1).
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402


def timed(cmd, cwd):
    """(wall ms, peak RSS KB) of one process; raises when it fails."""
    wall, _, rss, status = B.measure(cmd, cwd)
    if status != 0:
        raise SystemExit(f"incremental: {' '.join(cmd)} failed in {cwd}")
    return wall * 1000, rss


def prepare(history, binary):
    """A work clone of `history` at its head with an empty queue: a kept clone (checking out 50,000
    files takes a minute) is reset to the head, a missing one cloned."""
    files = len(B.git(history, "ls-files", "-z", capture=True).split("\0")) - 1
    head = B.git(history, "rev-parse", "HEAD", capture=True).strip()
    work = os.path.join(B.bench_dir(), f"work-inc-{files}")
    marker = os.path.join(work, ".git", "bench-origin")
    kept = os.path.isfile(marker) and open(marker).read() == history + "\n"
    if kept:
        B.git(work, "reset", "-q", "--hard", head)
        shutil.rmtree(os.path.join(work, ".git", "autoloop"), ignore_errors=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
        B.run(["git", "clone", "-q", history, work])
        with open(marker, "w") as f:
            f.write(history + "\n")
    for k, v in (("user.name", "Bench"), ("user.email", "bench@example.com"), ("gc.auto", "0"),
                 ("maintenance.auto", "false"), ("commit.gpgsign", "false")):
        B.git(work, "config", k, v)
    B.run([binary, "scan"], cwd=work, stdout=subprocess.DEVNULL)  # creates the queue, scans HEAD
    return work, files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", required=True)
    ap.add_argument("--large", required=True)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--sizes", default="1,10")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json")
    a = ap.parse_args()
    binary = B.binary("git-autoloop")
    sizes = [int(s) for s in a.sizes.split(",")]
    t0 = time.monotonic()
    repos = [prepare(a.small, binary), prepare(a.large, binary)]
    # Paths both repositories have with the same content: the small one's Python and C++ files.
    small_paths = set(B.git(repos[0][0], "ls-files", "-z", capture=True).split("\0"))
    common = sorted(p for p in small_paths if p.endswith((".py", ".hpp")) and
                    os.path.isfile(os.path.join(repos[1][0], p)))
    B.log(f"bench: incremental: clones ready in {time.monotonic() - t0:.1f} s; {len(common)} paths in both")
    rng = random.Random(a.seed)
    kinds = ("commit", "rescan")
    runs = {(k, s, files): {"ms": [], "rss": []} for k in kinds for s in sizes for _, files in repos}
    edit = 0
    for trial in range(a.trials):
        for s in sizes:
            paths = rng.sample(common, s)
            edit += 1
            order = repos[:]
            rng.shuffle(order)
            for work, files in order:
                for p in paths:
                    with open(os.path.join(work, p), "ab") as f:
                        f.write(B.comment_prefix(p) + b" incremental edit %d\n" % edit)
                B.git(work, "add", "--", *paths)
                B.git(work, "commit", "-q", "--no-verify", "-m", f"incremental {trial} {s}")
                for kind, cmd in (("commit", [binary, "scan", "--commit", "HEAD"]),
                                  ("rescan", [binary, "scan", "--commit", "HEAD"])):
                    ms, rss = timed(cmd, work)
                    runs[(kind, s, files)]["ms"].append(ms)
                    runs[(kind, s, files)]["rss"].append(rss)

    small, large = repos[0][1], repos[1][1]
    res = {"trials": a.trials, "sizes": sizes, "repos": {"small": small, "large": large}, "figures": {}}
    print(f"incremental scan: {small:,}-file vs {large:,}-file repository, {a.trials} trials per size")
    print(f"  {'(ms)':58} {'median':>8} {'p90':>8} {'RSS MB':>7}   {'large/small':>11}")
    labels = {"commit": "scan --commit HEAD, new commit", "rescan": "no-op rescan (HEAD scanned)"}
    for kind in kinds:
        for s in sizes:
            sm, lg = B.summary(runs[(kind, s, small)]["ms"]), B.summary(runs[(kind, s, large)]["ms"])
            rs, rl = max(runs[(kind, s, small)]["rss"]), max(runs[(kind, s, large)]["rss"])
            key = f"{kind}_{s}"
            res["figures"][key] = {"small": sm, "large": lg, "ratio": lg["median"] / sm["median"],
                                   "peak_rss_kb": {"small": rs, "large": rl}}
            for label, x, r in ((f"{small:,} files", sm, rs), (f"{large:,} files", lg, rl)):
                print(f"  {labels[kind] + ', ' + str(s) + ' file(s), ' + label:58} {x['median']:8.1f} {x['p90']:8.1f} "
                      f"{r / 1024:7.1f}" + (f"   {lg['median'] / sm['median']:10.2f}x" if label.startswith(f"{large:,}") else ""))
    if a.json:
        B.write_json(a.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
