#!/usr/bin/env python3
"""Incremental scan cost against repository size, and a no-op rescan.

  incremental.py --small REPO --large REPO [--huge REPO] [--trials 20] [--sizes 1,10] [--json OUT]

REPO are gen_history.py repositories (5,000, 50,000 and 500,000 files, same seed: the first 5,000
paths are the same in each). Each gets a kept clone (build/bench/work-inc-<files>) with the hooks
installed (no drains); a 500,000-file clone checks out only the directories of the 5,000-file
repository's paths (a sparse checkout: 5 GB of work tree is not what is measured, and nothing of
ours may read the work tree or the index). Then, interleaved between the repositories so drift hits
all alike, for each commit size:
  commit    the same edit (one comment line appended to the same paths) committed with the hook
            off (AUTOLOOP=0), then `git autoloop scan --commit HEAD` timed: the worker's code path
  rescan    the same command again on the already-scanned HEAD: every blob comes from the results
            cache (target <= 10 ms)
  queued    another edit committed with the hook on: from `git commit` returning until the commit
            is in scanned_commits (hook, worker start, scan, polled every ~1 ms)
and `git rev-parse HEAD` as the process floor of this machine in this run (the rescan's baseline).
Each run: wall time and peak RSS (wait4). Targets: the no-op rescan <= 10 ms; no growth with
repository size (500,000 / 5,000 files <= 1.2 for commit -> queued and the no-op rescan).
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


# Above this many files a clone checks out only the directories the edits touch.
SPARSE_ABOVE = 100_000


def prepare(history, binary, sparse_dirs=()):
    """A work clone of `history` at its head with an empty queue and the hooks installed: a kept clone
    (checking out 50,000 files takes a minute) is reset to the head, a missing one cloned."""
    files = B.tree_file_count(history)
    head = B.git(history, "rev-parse", "HEAD", capture=True).strip()
    work = os.path.join(B.bench_dir(), f"work-inc-{files}")
    marker = os.path.join(work, ".git", "bench-origin")
    kept = os.path.isfile(marker) and open(marker).read() == history + "\n"
    if kept:
        B.git(work, "reset", "-q", "--hard", head)
        shutil.rmtree(os.path.join(work, ".git", "autoloop"), ignore_errors=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
        if files > SPARSE_ABOVE:
            B.run(["git", "clone", "-q", "--sparse", history, work])
            B.git(work, "sparse-checkout", "set", *sparse_dirs)
        else:
            B.run(["git", "clone", "-q", history, work])
        with open(marker, "w") as f:
            f.write(history + "\n")
    for k, v in (("user.name", "Bench"), ("user.email", "bench@example.com"), ("gc.auto", "0"),
                 ("maintenance.auto", "false"), ("commit.gpgsign", "false")):
        B.git(work, "config", k, v)
    B.run([binary, "install"], cwd=work, stdout=subprocess.DEVNULL)
    # The scan is measured, not drains (as hook_latency.py): a worker never waits for one.
    with open(os.path.join(B.common_git_dir(work), "autoloop", "config.yml"), "w") as f:
        f.write("autonomous_loop:\n  max_improvements_per_cycle: 0\n  debounce: 0\n  max_load_per_cpu: 0\n")
    B.run([binary, "scan"], cwd=work, stdout=subprocess.DEVNULL)  # creates the queue, scans HEAD
    return work, files


def head(work):
    return B.git(work, "rev-parse", "HEAD", capture=True).strip()


def wait_queued(db, work, commit, since, timeout=120.0):
    """ms from `since` (perf_counter) until `commit` is in scanned_commits (polled every ~1 ms)."""
    while db.execute("select 1 from scanned_commits where commit_id = ?", (commit,)).fetchone() is None:
        if time.perf_counter() - since > timeout:
            raise SystemExit(f"incremental: {commit} was not scanned within {timeout:.0f} s in {work}")
        time.sleep(0.001)
    return (time.perf_counter() - since) * 1000


def edit(work, paths, n, message, hook):
    """Appends one comment line to each path and commits, the hook on or off; returns when it returned."""
    for p in paths:
        with open(os.path.join(work, p), "ab") as f:
            f.write(B.comment_prefix(p) + b" incremental edit %d\n" % n)
    B.git(work, "add", "--", *paths)
    env = dict(os.environ)
    if not hook:
        env["AUTOLOOP"] = "0"
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=work, env=env, check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return time.perf_counter()


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", required=True)
    ap.add_argument("--large", required=True)
    ap.add_argument("--huge", help="the 500,000-file repository")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--sizes", default="1,10")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json")
    a = ap.parse_args()
    binary = B.binary("git-autoloop")
    sizes = [int(s) for s in a.sizes.split(",")]
    t0 = time.monotonic()
    repos = [prepare(a.small, binary)]
    # Paths every repository has: the small one's Python and C++ files (the first 5,000 paths of each).
    small_paths = [p for p in B.git(repos[0][0], "ls-files", "-z", capture=True).split("\0") if p]
    dirs = sorted({p.split("/")[0] for p in small_paths if "/" in p})
    repos.append(prepare(a.large, binary))
    if a.huge:
        repos.append(prepare(a.huge, binary, dirs))
    common = sorted(p for p in small_paths if p.endswith((".py", ".hpp")) and
                    all(os.path.isfile(os.path.join(w, p)) for w, _ in repos[1:]))
    B.log(f"bench: incremental: clones ready in {time.monotonic() - t0:.1f} s; {len(common)} paths in all")
    dbs = {files: B.open_queue(B.common_git_dir(work)) for work, files in repos}
    rng = random.Random(a.seed)
    kinds = ("commit", "rescan", "queued")
    runs = {(k, s, files): {"ms": [], "rss": []} for k in kinds for s in sizes for _, files in repos}
    floor = []
    n = 0
    for trial in range(a.trials):
        for s in sizes:
            paths = rng.sample(common, s)
            n += 1
            order = repos[:]
            rng.shuffle(order)
            for work, files in order:
                B.wait_idle(B.common_git_dir(work))
                edit(work, paths, 2 * n, f"incremental {trial} {s}", hook=False)
                for kind in ("commit", "rescan"):
                    ms, rss = timed([binary, "scan", "--commit", "HEAD"], work)
                    runs[(kind, s, files)]["ms"].append(ms)
                    runs[(kind, s, files)]["rss"].append(rss)
                floor.append(timed(["git", "rev-parse", "HEAD"], work)[0])
                returned = edit(work, paths, 2 * n + 1, f"incremental {trial} {s} hooked", hook=True)
                runs[("queued", s, files)]["ms"].append(wait_queued(dbs[files], work, head(work), returned))
                runs[("queued", s, files)]["rss"].append(0)
    for db in dbs.values():
        db.close()

    base = repos[0][1]
    others = [files for _, files in repos[1:]]
    names = {repos[1][1]: "large"}
    if a.huge:
        names[repos[2][1]] = "huge"
    res = {"trials": a.trials, "sizes": sizes,
           "repos": {"small": base, "large": repos[1][1], **({"huge": repos[2][1]} if a.huge else {})},
           "floor_ms": B.summary(floor), "figures": {}}
    print(f"incremental scan: {', '.join(f'{f:,}' for _, f in repos)}-file repositories, {a.trials} trials per size")
    print(f"  {'(ms)':62} {'median':>8} {'p90':>8} {'RSS MB':>7}   {'vs ' + format(base, ',') + ' files':>14}")
    labels = {"commit": "scan --commit HEAD, new commit", "rescan": "no-op rescan (HEAD scanned)",
              "queued": "commit -> queued (hook, worker, scan)"}
    for kind in kinds:
        for s in sizes:
            key = f"{kind}_{s}"
            fig = res["figures"][key] = {}
            sm = B.summary(runs[(kind, s, base)]["ms"])
            fig["small"] = sm
            fig["peak_rss_kb"] = {"small": max(runs[(kind, s, base)]["rss"])}
            print(f"  {labels[kind] + ', ' + str(s) + ' file(s), ' + format(base, ',') + ' files':62} "
                  f"{sm['median']:8.1f} {sm['p90']:8.1f} {fig['peak_rss_kb']['small'] / 1024:7.1f}")
            for files in others:
                x = B.summary(runs[(kind, s, files)]["ms"])
                which = names[files]
                fig[which] = x
                fig["peak_rss_kb"][which] = max(runs[(kind, s, files)]["rss"])
                fig["ratio" if which == "large" else "ratio_huge"] = x["median"] / sm["median"]
                print(f"  {labels[kind] + ', ' + str(s) + ' file(s), ' + format(files, ',') + ' files':62} "
                      f"{x['median']:8.1f} {x['p90']:8.1f} {fig['peak_rss_kb'][which] / 1024:7.1f}   "
                      f"{x['median'] / sm['median']:13.2f}x")
    # 3. The targets, each against a baseline measured in this run.
    fl = res["floor_ms"]["median"]
    print(f"  targets (baseline: `git rev-parse HEAD`, the process floor here, median {fl:.1f} ms)")
    res["targets"] = []
    for s in sizes:
        x = res["figures"][f"rescan_{s}"]["small"]["median"]
        res["targets"].append({"name": f"no-op rescan, {s} file(s)", "value_ms": x, "target_ms": 10,
                               "baseline_ms": fl, "ratio": x / fl, "met": x <= 10})
        print(f"    no-op rescan <= 10 ms, {s} file(s), {base:,} files: {x:.1f} ms = {x / fl:.2f}x the floor: "
              f"{verdict(x <= 10)}")
    if a.huge:
        huge = repos[2][1]
        for kind in ("queued", "rescan"):
            for s in sizes:
                f = res["figures"][f"{kind}_{s}"]
                r = f["ratio_huge"]
                res["targets"].append({"name": f"{labels[kind]}, {s} file(s), {huge:,} vs {base:,} files",
                                       "ratio": r, "target_ratio": 1.2, "met": r <= 1.2})
                print(f"    {labels[kind]}, {s} file(s): {huge:,} files {f['huge']['median']:.1f} ms vs {base:,} files "
                      f"{f['small']['median']:.1f} ms = {r:.2f}x (<= 1.2x): {verdict(r <= 1.2)}")
    if a.json:
        B.write_json(a.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
