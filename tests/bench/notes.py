#!/usr/bin/env python3
"""`ci --base` on a range of commits, cold and with the scan results of another machine's notes.

  notes.py --history REPO [--commits 100] [--trials 5] [--json OUT]

REPO is a gen_history.py repository. Two clones of it stand for two machines (build/bench/work-notes-*):
  A (CI)     runs `ci --base HEAD~N --export-notes` once, writing the results it parsed to refs/notes/autoloop;
  B (a PR)   fetches that ref (`git fetch A refs/notes/autoloop:refs/notes/autoloop`), as a teammate would.
Then, interleaved so that drift hits both alike, in B:
  cold       `git autoloop -c ci.import_notes=false ci --base HEAD~N`: every changed version parsed
  notes      `git autoloop ci --base HEAD~N`: results read from the notes; the run says how many it parsed
Each: wall time (median of the trials). Printed: both, their ratio, the versions parsed and reused, and
whether both runs report the same findings (they must).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

STATS = re.compile(r"refs/notes/\S+: (\d+) file versions? reused, (\d+) parsed")


def clone(history, name):
    path = os.path.join(B.bench_dir(), f"work-notes-{name}")
    shutil.rmtree(path, ignore_errors=True)
    B.run(["git", "clone", "-q", "--no-hardlinks", history, path])
    return path


def ci(repo, base, *extra, config=()):
    """(wall ms, stdout, stderr) of one `ci` run; raises unless it exits 0 or 1 (1: blocking findings)."""
    cmd = [B.binary("git-autoloop"), *[x for c in config for x in ("-c", c)], "ci", "--base", base, "--format", "json", *extra]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=repo, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    wall = (time.perf_counter() - t0) * 1000
    if p.returncode not in (0, 1):
        raise SystemExit(f"notes: {' '.join(cmd)} failed in {repo} ({p.returncode}): {p.stderr}")
    return wall, p.stdout, p.stderr


def stats(stderr):
    m = STATS.search(stderr)
    return (int(m.group(1)), int(m.group(2))) if m else (0, None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--history", required=True)
    ap.add_argument("--commits", type=int, default=100)
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--json")
    a = ap.parse_args()

    base = f"HEAD~{a.commits}"
    machine_a, machine_b = clone(a.history, "a"), clone(a.history, "b")
    _, _, err = ci(machine_a, base, "--export-notes")
    exported = re.search(r"(\d+) notes? written", err)
    exported = exported.group(0) if exported else "nothing written"
    B.run(["git", "-C", machine_b, "fetch", "-q", machine_a, "refs/notes/autoloop:refs/notes/autoloop"])
    notes = len(B.git(machine_b, "notes", "--ref=autoloop", "list", capture=True).splitlines())

    cold_ms, warm_ms = [], []
    cold_out = warm_out = None
    reused = parsed = None
    for _ in range(a.trials):
        wall, cold_out, _ = ci(machine_b, base, config=["ci.import_notes=false"])
        cold_ms.append(wall)
        wall, warm_out, err = ci(machine_b, base)
        warm_ms.append(wall)
        reused, parsed = stats(err)
    _, cold_parsed = stats(ci(machine_b, base, "--notes-ref", "refs/notes/none", "--export-notes")[2])
    B.git(machine_b, "update-ref", "-d", "refs/notes/none")

    cold, warm = B.summary(cold_ms), B.summary(warm_ms)
    ratio = cold["median"] / warm["median"] if warm["median"] else None
    same = cold_out == warm_out
    print(f"ci --base on {a.commits} commits (the other clone's export: {exported}; {notes} notes fetched)")
    print(f"  cold (no notes)       median {cold['median']:8.1f} ms   p90 {cold['p90']:8.1f} ms   "
          f"{cold_parsed} versions parsed")
    print(f"  with imported notes   median {warm['median']:8.1f} ms   p90 {warm['p90']:8.1f} ms   "
          f"{parsed} parsed, {reused} reused")
    print(f"  ratio cold / notes    {ratio:.2f}x   same findings: {'yes' if same else 'NO'}")
    if a.json:
        B.write_json(a.json, {"commits": a.commits, "trials": a.trials, "notes": notes, "cold_ms": cold,
                              "notes_ms": warm, "ratio": ratio, "cold_parsed": cold_parsed, "notes_parsed": parsed,
                              "notes_reused": reused, "same_findings": same})
    return 0 if same and parsed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
