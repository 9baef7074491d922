#!/usr/bin/env python3
"""`git autoloop scan --all` end to end on the real-code corpus: wall time, MB/s, peak RSS.

  scan_all.py --corpus DIR [--threads 2] [--no-commit-scan] [--json OUT]

The corpus repository (corpus.py) has one commit holding every corpus file. Runs, each timed
from outside (wall, CPU and peak RSS of the process, from wait4) and from inside (the runs table):
  cold      .git/autoloop removed first: every blob read from git, parsed, matched, written to SQLite
  warm      again: results come from the blob cache (what a second scan --all costs)
  commit    .git/autoloop removed, `scan --commit HEAD`: the worker's code path (kind 'scan') on a
            commit that adds every file, the worst case of a worker's memory
Output is discarded (it is a table of every finding; formatting it is part of the wall time).
"""

import argparse
import os
import shutil
import sqlite3
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402


def last_run(git_dir, kind):
    c = sqlite3.connect(f"file:{os.path.join(git_dir, 'autoloop', 'queue.db')}?mode=ro", uri=True)
    row = c.execute("select duration_ms, peak_rss_kb, files, detail, error from runs where kind = ? order by id desc limit 1",
                    (kind,)).fetchone()
    c.close()
    if not row:
        return {}
    detail = dict(kv.split("=", 1) for kv in (row[3] or "").split() if "=" in kv)
    return {"duration_ms": row[0], "peak_rss_kb": row[1], "files": row[2], "detail": detail, "error": row[4]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-commit-scan", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    binary = B.binary("git-autoloop")
    repo = os.path.join(a.corpus, "repo")
    git_dir = os.path.join(repo, ".git")
    data = os.path.join(git_dir, "autoloop")
    base = [binary, "-c", f"scan.threads={a.threads}"]

    runs = {}
    plan = [("cold", True, ["scan", "--all"], "scan-all"), ("warm", False, ["scan", "--all"], "scan-all")]
    if not a.no_commit_scan:
        plan.append(("commit", True, ["scan", "--commit", "HEAD"], "scan"))
    for name, fresh, args, kind in plan:
        if fresh:
            shutil.rmtree(data, ignore_errors=True)
        B.log(f"bench: scan: {name} ({' '.join(args)})")
        wall, cpu, rss, status = B.measure(base + args, repo)
        if status != 0:
            raise SystemExit(f"scan_all: {' '.join(args)} exited with {status}")
        inside = last_run(git_dir, kind)
        nbytes = int(inside.get("detail", {}).get("bytes", 0))
        files = inside.get("files", 0)
        runs[name] = {"wall_s": wall, "cpu_s": cpu, "peak_rss_kb": rss, "files": files, "bytes": nbytes,
                      "mb_per_s": nbytes / 1e6 / wall if nbytes else None, "files_per_s": files / wall,
                      "inside": inside}
    # scan --commit records no byte count: the corpus is the same files as --all.
    if "commit" in runs and not runs["commit"]["bytes"]:
        runs["commit"]["bytes"] = runs["cold"]["bytes"]
        runs["commit"]["mb_per_s"] = runs["cold"]["bytes"] / 1e6 / runs["commit"]["wall_s"]

    print(f"scan --all end to end: {runs['cold']['files']} files, {runs['cold']['bytes'] / 1e6:.2f} MB, "
          f"scan.threads={a.threads}")
    print(f"  {'run':30} {'wall s':>8} {'MB/s':>7} {'files/s':>8} {'CPU s':>7} {'in-run ms':>10} {'peak RSS MB':>12}")
    labels = {"cold": "scan --all (cold)", "warm": "scan --all (warm blob cache)", "commit": "scan --commit (worker path)"}
    for name, r in runs.items():
        mbs = f"{r['mb_per_s']:7.2f}" if r["mb_per_s"] else "      -"
        print(f"  {labels[name]:30} {r['wall_s']:8.2f} {mbs} {r['files_per_s']:8.0f} {r['cpu_s']:7.2f} "
              f"{r['inside'].get('duration_ms', 0):10.0f} {r['peak_rss_kb'] / 1024:12.1f}")
    parse_ms = float(runs["cold"]["inside"].get("detail", {}).get("parse_ms", 0) or 0)
    if parse_ms:
        print(f"  cold run: {parse_ms / 1000:.2f} s of {runs['cold']['wall_s']:.2f} s inside the engine (parallel part)")
    if a.json:
        B.write_json(a.json, {"threads": a.threads, "runs": runs, "engine_s": parse_ms / 1000})
    return 0


if __name__ == "__main__":
    sys.exit(main())
