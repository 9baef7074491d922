#!/usr/bin/env python3
"""The merge driver against git's line merge, on the merge-case corpus (tests/merge).

  merge.py [--rounds 15] [--corpus DIR] [--json OUT]
  merge.py --add-to RESULTS.json --from MERGE.json     (adds the figures to the table of tests/bench/run)

Every case (the corpus and tests/merge/failing/) is run `--rounds` times with each of, in a shuffled
order per round so that drift hits all alike:
  driver    the driver `git autoloop install` registers (merge.autoloop.driver: autoloop-merge), as git
            runs it (%O %A %B %L %P); the benchmark installs into a scratch repository and refuses to
            run unless that command is the binary it measures
  compat    `git-autoloop merge-driver`, the same merge through the main binary (older installs)
  line      the driver with AUTOLOOP_MERGE=0 (forced to git's plain line merge)
  git       git merge-file -p with the case's labels, style and marker size
  start     autoloop-merge --version, the cost of starting the driver binary at all
  mainstart git-autoloop --version, the same for the main binary
  true      /bin/true, the cost of starting any process from here
Each run is timed alone (time.perf_counter_ns around subprocess.run; copying the inputs is outside).
Per-file time: median and p99 over all runs of all cases; the target (issue 14): the driver's median
per file ≤ 2× git merge-file's, both from the same run. "Exact": the result (bytes and exit status)
equals the case's Expected; "resolved": exact and without conflict markers, counted over the cases
whose Expected is clean but git's line merge conflicts (what only a syntax-aware merge can do).
"""

import argparse
import importlib.machinery
import importlib.util
import json
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

GROUP = "(e) merge driver"
VARIANTS = ("driver", "compat", "line", "git", "start", "mainstart", "true")
TARGET_RATIO = 2.0  # driver per file ÷ git merge-file per file, medians of one run


def load_runner():
    """tests/merge/run as a module: the corpus, the staging and the two command lines in one place."""
    path = os.path.join(B.SOURCE_DIR, "tests", "merge", "run")
    loader = importlib.machinery.SourceFileLoader("merge_corpus_runner", path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def ms(ns):
    return ns / 1e6


def stats(values):
    s = B.summary(values)
    s["p99"] = B.percentile(values, 99)
    return s


def installed_driver(binary, home, env):
    """Installs git-autoloop into a scratch repository and returns the driver binary its
    merge.autoloop.driver runs; exits unless that command is `<autoloop-merge beside binary> %O %A %B %L %P`."""
    repo = os.path.join(home, "install-check")
    os.makedirs(repo)
    quiet = dict(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    B.run(["git", "init", "-q", repo], **quiet)
    B.run([binary, "install", "--no-config-file"], cwd=repo, **quiet)
    command = B.run(["git", "config", "--get", "merge.autoloop.driver"], cwd=repo, env=env,
                    stdout=subprocess.PIPE).stdout.decode().strip()
    words = shlex.split(command)
    want = os.path.join(os.path.dirname(binary), "autoloop-merge")
    if not words or words[1:] != ["%O", "%A", "%B", "%L", "%P"] or os.path.realpath(words[0]) != os.path.realpath(want):
        sys.exit(f"merge.py: install registered `{command}`, not the driver this benchmark measures ({want})")
    return words[0]


def measure(a):
    R = load_runner()
    cases = R.find_cases(os.path.abspath(a.corpus))
    rng = random.Random(a.seed)
    home = tempfile.mkdtemp(prefix="autoloop-merge-bench-home.")
    work = tempfile.mkdtemp(prefix="autoloop-merge-bench.")
    # A private copy: a rebuild of the shared tree cannot swap it midway. From the build tree it is
    # taken under the build lock; tests/bench/run's snapshot (AUTOLOOP_BENCH_BIN_DIR) needs none.
    binary = os.path.join(work, "git-autoloop")
    lock = [] if os.environ.get("AUTOLOOP_BENCH_BIN_DIR") else ["flock", "/tmp/autoloop-build.lock"]
    B.run([*lock, "cp", B.binary("git-autoloop"), B.binary("autoloop-hook"), B.binary("autoloop-merge"), work])
    env = R.clean_env(home)
    driver = installed_driver(binary, home, env)
    env_line = dict(env, AUTOLOOP_MERGE="0")
    times = {v: [] for v in VARIANTS}
    by_lang = {}
    exact = {"driver": 0, "compat": 0, "line": 0, "git": 0}
    resolved = {"driver": 0, "compat": 0, "line": 0, "git": 0}
    structural = 0
    conflicted = 0
    errors = []
    try:
        for n, case in enumerate(cases):
            expected = case.read("Expected")
            want = 1 if case.has_markers(expected) else 0
            tmp = os.path.join(work, str(n))
            os.makedirs(tmp)
            base, ours, theirs = R.stage(case, tmp)
            left = case.read("Left")
            cmds = {
                "driver": (R.driver_command(driver, case, base, ours, theirs), env),
                "compat": (R.driver_command(binary, case, base, ours, theirs), env),
                "line": (R.driver_command(driver, case, base, ours, theirs), env_line),
                "git": (R.git_command(case, base, ours, theirs), env),
                "start": ([driver, "--version"], env),
                "mainstart": ([binary, "--version"], env),
                "true": (["/bin/true"], env),
            }
            outcome = {}
            for r in range(a.warmup + a.rounds):
                order = list(VARIANTS)
                rng.shuffle(order)
                for v in order:
                    with open(ours, "wb") as f:
                        f.write(left)
                    cmd, e = cmds[v]
                    t0 = time.perf_counter_ns()
                    p = subprocess.run(cmd, cwd=tmp, env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE)
                    t1 = time.perf_counter_ns()
                    if r >= a.warmup:
                        times[v].append(ms(t1 - t0))
                        by_lang.setdefault((case.lang, v), []).append(ms(t1 - t0))
                    if r == 0 and v not in ("start", "mainstart", "true"):
                        if v == "git":
                            out, status = p.stdout, (1 if 0 < p.returncode < 128 else p.returncode)
                        else:
                            with open(ours, "rb") as f:
                                out = f.read()
                            status = p.returncode
                        if status > 1 or status < 0:
                            errors.append(f"{case.id} {v}: exit {status}: {p.stderr.decode(errors='replace').strip()}")
                        outcome[v] = (status, out)
            for v in exact:
                if outcome[v] == (want, expected):
                    exact[v] += 1
            git_status = outcome["git"][0]
            if want == 0 and git_status == 1:
                structural += 1
                for v in resolved:
                    if outcome[v] == (0, expected):
                        resolved[v] += 1
            if want == 1:
                conflicted += 1
            B.log(f"bench: merge: {n + 1}/{len(cases)} {case.id}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)

    langs = sorted({c.lang for c in cases})
    medians = {v: B.percentile(times[v], 50) for v in ("driver", "git")}
    return {
        "installed_driver": os.path.basename(driver),
        "ratio_driver_to_git": medians["driver"] / medians["git"] if medians["git"] else None,
        "cases": len(cases),
        "failing_dir": sum(1 for c in cases if c.failing),
        "rounds": a.rounds,
        "structural_cases": structural,
        "conflict_cases": conflicted,
        "exact": exact,
        "resolved_structural": resolved,
        "ms": {v: stats(times[v]) for v in VARIANTS},
        "by_language_median_ms": {l: {v: B.percentile(by_lang.get((l, v), []), 50) for v in VARIANTS} for l in langs},
        "errors": errors,
    }


def figures(m):
    """The rows this benchmark adds to the figures table (report.py's format)."""
    rows = []

    def row(name, median=None, p90=None, unit="", note=""):
        rows.append({"group": GROUP, "figure": name, "median": median, "p90": p90, "unit": unit, "target": "",
                     "verdict": "info", "note": note})

    n = m["cases"]
    for v, label in LABELS:
        if v not in m["ms"]:
            continue
        x = m["ms"][v]
        row(label, x["median"], x["p99"], "ms", note=f"p90 column: p99; {x['n']} runs" if v == "driver" else "p90 column: p99")
    ratio = m.get("ratio_driver_to_git")
    if ratio is not None:
        rows.append({"group": GROUP, "figure": "driver per file / git merge-file per file (medians, same run)",
                     "median": ratio, "p90": None, "unit": "x", "target": f"<= {TARGET_RATIO:g} x",
                     "verdict": "PASS" if ratio <= TARGET_RATIO else "MISS", "note": ""})
    e, r = m["exact"], m["resolved_structural"]
    row(f"cases merged exactly as Expected, of {n}: driver", e["driver"], None, "cases",
        note=f"git merge-file {e['git']}, line-merge mode {e['line']}")
    row(f"cases only a syntax-aware merge can resolve, of {m['structural_cases']}: driver", r["driver"], None, "cases",
        note=f"git merge-file {r['git']}")
    if m.get("errors"):
        row("driver or git errors (exit > 1)", len(m["errors"]), None, "runs")
    return rows


LABELS = (("driver", "merge driver as installed (autoloop-merge), per file"),
          ("compat", "  same through git-autoloop merge-driver"),
          ("line", "  driver with AUTOLOOP_MERGE=0 (line merge only)"),
          ("git", "git merge-file, per file"),
          ("start", "autoloop-merge --version (driver start-up)"),
          ("mainstart", "git-autoloop --version (main binary start-up)"),
          ("true", "spawn floor (/bin/true from the benchmark)"))


def print_table(m):
    print(f"merge: {m['cases']} cases of tests/merge ({m['failing_dir']} in failing/), {m['rounds']} timed runs each;"
          f" installed driver: {m.get('installed_driver', '?')}")
    print(f"  {'per file (ms)':52} {'median':>8} {'p90':>8} {'p99':>8} {'max':>8}")
    for v, label in LABELS:
        x = m["ms"][v]
        print(f"  {label:52} {x['median']:8.2f} {x['p90']:8.2f} {x['p99']:8.2f} {x['max']:8.2f}")
    ratio = m.get("ratio_driver_to_git")
    if ratio is not None:
        print(f"  driver / git merge-file (medians, this run): {ratio:.2f}x, target <= {TARGET_RATIO:g}x: "
              f"{'PASS' if ratio <= TARGET_RATIO else 'MISS'}")
    print(f"  {'median per language (ms)':20} {'driver':>8} {'compat':>8} {'line':>8} {'git':>8}")
    for lang, x in m["by_language_median_ms"].items():
        print(f"  {lang:20} {x['driver']:8.2f} {x['compat']:8.2f} {x['line']:8.2f} {x['git']:8.2f}")
    e, r = m["exact"], m["resolved_structural"]
    print(f"  exact (= Expected, bytes and exit status), of {m['cases']}: driver {e['driver']}, "
          f"git-autoloop merge-driver {e['compat']}, line-merge mode {e['line']}, git merge-file {e['git']}")
    print(f"  clean Expected where git's line merge conflicts, of {m['structural_cases']}: driver resolves "
          f"{r['driver']}, git {r['git']}; cases that must stay conflicted: {m['conflict_cases']}")
    for err in m.get("errors", []):
        print(f"  ERROR {err}")


def add_to(results_path, merge_path):
    """Adds this benchmark's rows (replacing earlier ones) and raw figures to results.json; prints them."""
    m = load_json(merge_path)
    res = load_json(results_path) or {"machine": {}, "figures": [], "raw": {}}
    rows = figures(m)
    res["figures"] = [f for f in res.get("figures", []) if f.get("group") != GROUP] + rows
    res.setdefault("raw", {})["merge"] = m
    B.write_json(results_path, res)
    w = max(len(f["figure"]) for f in rows) + 2
    print(GROUP)
    for f in rows:
        med = "" if f["median"] is None else (f"{f['median']:.2f}" if f["unit"] in ("ms", "x") else f"{f['median']:.0f}")
        p = "" if f["p90"] is None else f"{f['p90']:.2f}"
        print(f"  {f['figure']:{w - 2}} {med:>9} {p:>9} {f['unit']:8} {'':14} {f['verdict']}"
              f"{'  (' + f['note'] + ')' if f['note'] else ''}")


def load_json(path):
    if not path or not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(B.SOURCE_DIR, "tests", "merge"))
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json")
    ap.add_argument("--add-to", help="results.json to add the figures of --from to")
    ap.add_argument("--from", dest="src", help="merge.json written by an earlier run")
    a = ap.parse_args()
    if a.add_to:
        if not a.src or not os.path.isfile(a.src):
            print("merge.py: --add-to needs --from MERGE.json", file=sys.stderr)
            return 2
        add_to(a.add_to, a.src)
        return 0
    for name in ("git-autoloop", "autoloop-hook", "autoloop-merge"):
        if not os.access(B.binary(name), os.X_OK):
            print(f"merge.py: no binary at {B.binary(name)}", file=sys.stderr)
            return 2
    t0 = time.monotonic()
    m = measure(a)
    m["wall_s"] = time.monotonic() - t0
    print_table(m)
    if a.json:
        B.write_json(a.json, m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
