#!/usr/bin/env python3
"""Drain benchmark: one cycle of 5 fixes, without tests and with a trivial test command.

Each trial builds a fresh repository with 8 fixable findings, scans it, then times
`git autoloop drain --now --foreground --max 5`. Prints median and p90 of the wall time and writes
build/bench/drain.json. Usage: drain.py [--bin DIR] [--trials N]
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
        start = time.perf_counter()
        out = run(args, repo, env).stdout
        elapsed = (time.perf_counter() - start) * 1000
        if "new fix" not in out: raise SystemExit("drain did not run: " + out)
        fixes = int(run(["git", "rev-list", "--count", "main..autoloop/main"], repo, env).stdout)
        assert fixes == 5, f"expected 5 fix commits, got {fixes}: {out}"
        return elapsed


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bin", default=os.path.join(here, "..", "..", "build"))
    ap.add_argument("--trials", type=int, default=10)
    a = ap.parse_args()
    results = {}
    for label, cmd in (("no tests", ""), ("test_command=true", "true")):
        times = sorted(trial(a.bin, cmd) for _ in range(a.trials))
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        results[label] = {"median_ms": statistics.median(times), "p90_ms": p90, "trials": len(times)}
        print(f"drain of 5 fixes, {label:18s} median {statistics.median(times):7.1f} ms   p90 {p90:7.1f} ms")
    out_dir = os.path.join(a.bin, "bench")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "drain.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
