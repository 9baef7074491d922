#!/usr/bin/env python3
"""Drain benchmark: one cycle of 5 fixes, without tests and with a trivial test command; review --list.

Each trial builds a fresh repository with 8 fixable findings, scans it, then times
`git autoloop drain --now --foreground --max 5` (wall and peak RSS from wait4), then
`git autoloop review --list` on the 5 fixes it made. Prints median and p90 and writes JSON.
Usage: drain.py [--bin DIR] [--trials N] [--json OUT]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

PY = "".join(f"def f{i}(x):\n    if x == None:\n        return {i}\n    return 0\n\n" for i in range(4))
JS = "".join(f"function g{i}(x) {{\n  debugger;\n  return x + {i};\n}}\n" for i in range(2))
CPP = "int* a = NULL;\nint* b = NULL;\n"


def run(cmd, cwd, env=None):
    return subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True)


def timed(cmd, cwd, env):
    """(wall ms, peak RSS KB, stdout) of one process that must succeed."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err.decode()}")
    return elapsed, ru.ru_maxrss, out.decode()


def trial(bin_dir, test_command):
    with tempfile.TemporaryDirectory(prefix="autoloop-drain-bench.") as repo:
        env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=repo, AUTOLOOP="0")
        run(["git", "init", "-q", "-b", "main"], repo, env)
        run(["git", "config", "user.name", "Bench"], repo, env)
        run(["git", "config", "user.email", "bench@example.invalid"], repo, env)
        for name, text in (("a.py", PY), ("b.js", JS), ("c.cpp", CPP)):
            with open(os.path.join(repo, name), "w") as f:
                f.write(text)
        run(["git", "add", "-A"], repo, env)
        run(["git", "commit", "-q", "-m", "code"], repo, env)
        cli = os.path.join(bin_dir, "git-autoloop")
        env.pop("AUTOLOOP")
        run([cli, "scan"], repo, env)
        args = [cli, "-c", "autonomous_loop.debounce=0", "drain", "--now", "--foreground", "--max", "5"]
        if test_command:
            args[1:1] = ["-c", f"test_command={test_command}"]
        elapsed, rss, out = timed(args, repo, env)
        if "new fix" not in out: raise SystemExit("drain did not run: " + out)
        fixes = int(run(["git", "rev-list", "--count", "main..autoloop/main"], repo, env).stdout)
        assert fixes == 5, f"expected 5 fix commits, got {fixes}: {out}"
        review_ms, review_rss, listing = timed([cli, "review", "--list"], repo, env)
        if not listing.strip(): raise SystemExit("review --list printed nothing")
        return elapsed, rss, review_ms, review_rss


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bin", default=os.environ.get("AUTOLOOP_BENCH_BIN_DIR", os.path.join(here, "..", "..", "build")))
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--json")
    a = ap.parse_args()
    results = {}
    reviews, review_rss = [], []

    def p90(v):
        v = sorted(v)
        k = (len(v) - 1) * 0.9
        lo = int(k)
        return v[lo] + (v[min(lo + 1, len(v) - 1)] - v[lo]) * (k - lo)

    print(f"drain: a fresh repository with 8 fixable findings per trial, {a.trials} trials each")
    for label, cmd in (("no tests", ""), ("test_command=true", "true")):
        runs = [trial(a.bin, cmd) for _ in range(a.trials)]
        times = [r[0] for r in runs]
        reviews += [r[2] for r in runs]
        review_rss += [r[3] for r in runs]
        results[label] = {"median_ms": statistics.median(times), "p90_ms": p90(times), "trials": len(times),
                          "peak_rss_kb": max(r[1] for r in runs)}
        print(f"  drain of 5 fixes, {label:18s} median {statistics.median(times):7.1f} ms   p90 {p90(times):7.1f} ms"
              f"   peak RSS {max(r[1] for r in runs) / 1024:.1f} MB")
    results["review --list"] = {"median_ms": statistics.median(reviews), "p90_ms": p90(reviews), "trials": len(reviews),
                                "peak_rss_kb": max(review_rss)}
    print(f"  review --list (5 fixes)           median {statistics.median(reviews):7.1f} ms   p90 {p90(reviews):7.1f} ms"
          f"   peak RSS {max(review_rss) / 1024:.1f} MB")
    out = a.json or os.path.join(a.bin, "bench", "drain.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
