#!/usr/bin/env python3
"""Commit -> queued with the providers on (ruff, Biome, clang-tidy), against the built-in rules alone.

  providers.py [--rounds 5] [--sizes 1,10,100] [--per-language 120] [--budget 30m] [--json OUT]

The providers' tools are installed first through `install.sh --provider ruff --provider biome
--provider clang-tidy` (idempotent: a pinned tool already present is left as it is).

A repository written here (build/bench/work-providers, new each run): `--per-language` Python files
that ruff's default rules find things in (unused imports, `== None`, bare `except`, type comparison),
as many JavaScript and TypeScript files (half each) for Biome's recommended rules (`var`, `==`,
`let` never reassigned, `any`), and as many C++ sources including <string> and <vector>, listed in a
compile_commands.json, for clang-tidy (typedef, NULL, a missing override, a string passed by value).
Each file is about 100 lines. `git autoloop install`, then, interleaved in a shuffled order per round
and size, two variants of .git/autoloop/config.yml:
  builtin     the built-in rules only (no `providers`)
  providers   `providers: [ruff, biome, clang-tidy]` and `provider_budget: BUDGET`, large enough that the
              worker runs every tool itself (a run deferred to the drain is counted and printed)
Each commit changes N files (a comment line appended), spread evenly over the three languages (a
1-file commit takes the languages in turn, round after round). Before each commit the loop is idle.
Commit -> queued is measured from `git commit` returning until
  builtin     the commit is in scanned_commits (as hook_latency.py measures it), and
  providers   the worker's `providers` run is recorded: it is written after the last tool's findings
              were committed to the queue (src/loop/worker.cpp run_providers).
Memory, from the runs table: the worker's own peak RSS (getrusage RUSAGE_SELF, at the end of its scan
or of its providers' run) and the largest tool process's (RUSAGE_CHILDREN in the worker, the detail's
`children_peak_rss_kb`): the tools are separate processes (node for ruff's WebAssembly build, Biome's
native binary, clang-tidy), so they are reported apart; their memory is not the worker's. Each tool's
own time is read from the `providers.last` state ("ran on 34 files in 6.2 s").
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

PROVIDERS = ["ruff", "biome", "clang-tidy"]
LANGUAGES = ["python", "js", "cpp"]  # js: JavaScript and TypeScript (Biome)
VARIANTS = ["builtin", "providers"]

BASE_CONFIG = "autonomous_loop:\n  max_improvements_per_cycle: 0\n  debounce: 0\n  max_load_per_cpu: 0\n"


# ---------------------------------------------------------------------------------------------- the fixture


def python_file(i):
    """About 110 lines of Python with findings of ruff's default rules (F401, E711, E721, E722)."""
    out = [f'"""Records of shelf {i}: loading, matching and totals."""', "import json", "import os", "import sys", ""]
    for k in range(4):
        n = i * 10 + k
        out += [
            "",
            f"class Record{n}:",
            "    def __init__(self, name, tags=None):",
            "        self.name = name",
            "        self.tags = tags or []",
            "",
            "    def matches(self, other):",
            "        if other == None:",
            "            return False",
            "        return self.name == other.name",
            "",
            "",
            f"def load_{n}(path):",
            "    try:",
            "        with open(path) as f:",
            "            return json.load(f)",
            "    except:",
            "        return None",
            "",
            "",
            f"def total_{n}(values):",
            f"    result = {k}",
            "    for v in values:",
            "        if type(v) == int:",
            "            result += v",
            "    return result",
        ]
    return ("\n".join(out) + "\n").encode()


def js_file(i, typescript):
    """About 110 lines of JavaScript or TypeScript with findings of Biome's recommended rules."""
    any_ = ": any" if typescript else ""
    out = [f"// Counters of panel {i}.", f"var registry{i} = [];", ""]
    for k in range(7):
        n = i * 10 + k
        out += [
            f"export function add{n}(a{any_}, b{any_}) {{",
            f"  let label = \"item-{n}\";",
            "  if (a == null) {",
            "    return b;",
            "  }",
            "  var sum = a + b;",
            f"  registry{i}.push(label);",
            "  return sum;",
            "}",
            "",
            f"export function describe{n}(x{any_}) {{",
            f"  let prefix = \"panel-{i}\";",
            f"  return prefix + \":\" + add{n}(x, {k});",
            "}",
            "",
        ]
    return ("\n".join(out) + "\n").encode()


def cpp_file(i):
    """About 100 lines of C++ with findings of our default clang-tidy checks."""
    out = ["#include <cstddef>", "#include <string>", "#include <vector>", "", f"namespace bench{i} {{", "",
           "typedef std::vector<int> Numbers;", ""]
    for k in range(6):
        n = i * 10 + k
        out += [
            f"struct Base{n} {{",
            f"  virtual ~Base{n}() = default;",
            "  virtual int size() const { return 0; }",
            "};",
            "",
            f"struct Box{n} : Base{n} {{",
            f"  virtual int size() const {{ return {k + 1}; }}",
            "};",
            "",
            f"int count{n}(std::string text, const Numbers& numbers) {{",
            "  int* none = NULL;",
            "  if (none != NULL) return 0;",
            "  return static_cast<int>(text.size() + numbers.size());",
            "}",
            "",
        ]
    out += [f"}} // namespace bench{i}", ""]
    return "\n".join(out).encode()


def fixture(per_language, repo):
    """{language: [paths]} and the files (path, bytes), compile_commands.json included."""
    paths = {lang: [] for lang in LANGUAGES}
    files = []
    for i in range(per_language):
        p = f"app/records_{i:03}.py"
        files.append((p, python_file(i)))
        paths["python"].append(p)
        ts = i % 2 == 1
        p = f"web/panel_{i:03}.{'ts' if ts else 'js'}"
        files.append((p, js_file(i, ts)))
        paths["js"].append(p)
        p = f"native/box_{i:03}.cpp"
        files.append((p, cpp_file(i)))
        paths["cpp"].append(p)
    database = [{"directory": repo, "file": p, "command": f"c++ -std=c++17 -c {p}"} for p in paths["cpp"]]
    files.append(("compile_commands.json", (json.dumps(database, indent=1) + "\n").encode()))
    files.append(("README", b"The providers benchmark's repository (tests/bench/providers.py).\n"))
    return paths, files


def make_repo(repo, per_language):
    paths, files = fixture(per_language, repo)
    B.fast_import(repo, lambda out: B.fi_commit(out, "main", 1700000000, "fixture", files))
    return paths


# ---------------------------------------------------------------------------------------------- the loop


def install_providers():
    """The pinned tools through install.sh (idempotent); its summary lines for the record."""
    r = subprocess.run([os.path.join(B.SOURCE_DIR, "install.sh"), *sum((["--provider", p] for p in PROVIDERS), [])],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"install.sh --provider failed:\n{r.stdout}")
    return [line.strip() for line in r.stdout.splitlines() if "provider " in line]


class Bench:
    def __init__(self, work, paths, budget):
        self.work = work
        self.paths = paths
        self.git_dir = B.common_git_dir(work)
        self.config = os.path.join(self.git_dir, "autoloop", "config.yml")
        self.budget = budget
        self.edits = 0
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "AUTOLOOP"}

    def set_variant(self, variant):
        text = BASE_CONFIG
        if variant == "providers":
            text += f"providers: [{', '.join(PROVIDERS)}]\nprovider_budget: {self.budget}\n"
        with open(self.config, "w") as f:
            f.write(text)

    def pick(self, rng, size, turn):
        """`size` files spread over the languages; the remainder goes to the languages from `turn` on."""
        per = {lang: size // len(LANGUAGES) for lang in LANGUAGES}
        for k in range(size % len(LANGUAGES)):
            per[LANGUAGES[(turn + k) % len(LANGUAGES)]] += 1
        return [p for lang in LANGUAGES for p in rng.sample(self.paths[lang], per[lang])]

    def edit(self, files):
        for p in files:
            self.edits += 1
            with open(os.path.join(self.work, p), "ab") as f:
                f.write(B.comment_prefix(p) + b" bench commit edit %d\n" % self.edits)
        subprocess.run(["git", "add", "--", *files], cwd=self.work, check=True, env=self.env)

    def commit(self, message):
        t0 = time.perf_counter_ns()
        r = subprocess.run(["git", "commit", "-q", "-m", message], cwd=self.work, env=self.env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t1 = time.perf_counter_ns()
        if r.returncode != 0:
            raise RuntimeError("git commit failed")
        return t0, t1

    def head(self):
        return B.git(self.work, "rev-parse", "HEAD", capture=True).strip()


def wait_for(db, git_dir, query, args, timeout):
    """(perf_counter_ns, row) when `query` first returns a row; (None, None) when the loop went idle
    without one (see .git/autoloop/log/)."""
    deadline = time.monotonic() + timeout
    polls = 0
    while True:
        row = db.execute(query, args).fetchone()
        if row:
            return time.perf_counter_ns(), row
        polls += 1
        if polls % 50 == 0 and B.idle(git_dir):
            row = db.execute(query, args).fetchone()
            return (time.perf_counter_ns(), row) if row else (None, None)
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing queued within {timeout:.0f} s")
        time.sleep(0.001)


def detail_value(detail, key):
    m = re.search(r"\b%s=(\d+)" % re.escape(key), detail or "")
    return int(m.group(1)) if m else None


def tool_seconds(db, commit):
    """{provider: seconds} of each tool's run on `commit`, from the providers.last state (a provider
    with no file in the commit keeps its entry of an earlier commit there: left out)."""
    row = db.execute("select value from state where key = 'providers.last'").fetchone()
    out = {}
    for name, run in (json.loads(row[0]) if row else {}).items():
        m = re.search(r"in ([0-9.]+) s", run.get("detail", ""))
        if run.get("state") == "ran" and run.get("commit") == commit and m:
            out[name] = float(m.group(1))
    return out


def ms(ns):
    return ns / 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sizes", default="1,10,100")
    ap.add_argument("--per-language", type=int, default=120)
    ap.add_argument("--budget", default="30m", help="provider_budget of the providers variant")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--json")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    rng = random.Random(a.seed)
    binary = B.binary("git-autoloop")
    load_before = open("/proc/loadavg").read().split()[:3]

    # 1. The tools, the repository, the hooks.
    t0 = time.monotonic()
    installed = install_providers()
    for line in installed:
        B.log(f"bench: providers: {line}")
    work = os.path.join(B.bench_dir(), "work-providers")
    paths = make_repo(work, a.per_language)
    for k, v in (("user.name", "Bench"), ("user.email", "bench@example.com"), ("gc.auto", "0"),
                 ("maintenance.auto", "false"), ("commit.gpgsign", "false")):
        B.git(work, "config", k, v)
    B.run([binary, "install"], cwd=work, stdout=subprocess.DEVNULL)
    bench = Bench(work, paths, a.budget)
    B.log(f"bench: providers: repository of {3 * a.per_language} files + compile_commands.json, installed in "
          f"{time.monotonic() - t0:.1f} s")

    # 2. Warm-up (page cache, node's and clang-tidy's files), not recorded.
    for v in VARIANTS:
        B.wait_idle(bench.git_dir, timeout=1800)
        bench.set_variant(v)
        bench.edit(bench.pick(rng, len(LANGUAGES), 0))
        bench.commit(f"warm-up {v}")
    B.wait_idle(bench.git_dir, timeout=1800)
    db = B.open_queue(bench.git_dir)

    # 3. Interleaved commits.
    samples = {(v, s): [] for v in VARIANTS for s in sizes}
    lost = 0
    t_phase = time.monotonic()
    for r in range(a.rounds):
        for s in sizes:
            order = list(VARIANTS)
            rng.shuffle(order)
            for v in order:
                B.wait_idle(bench.git_dir, timeout=1800)
                bench.set_variant(v)
                files = bench.pick(rng, s, r)
                bench.edit(files)
                last_run = db.execute("select coalesce(max(id), 0) from runs").fetchone()[0]
                c0, c1 = bench.commit(f"bench {v} {s} files round {r}")
                head = bench.head()
                t_scan, _ = wait_for(db, bench.git_dir, "select 1 from scanned_commits where commit_id = ?", (head,), 600)
                sample = {"language": LANGUAGES[r % len(LANGUAGES)] if s == 1 else "mixed"}
                if t_scan is None:
                    lost += 1
                    continue
                sample["builtin_queued_ms"] = ms(t_scan - c1)
                if v == "providers":
                    t_prov, row = wait_for(db, bench.git_dir, "select duration_ms, peak_rss_kb, detail, error from runs "
                                           "where kind = 'providers' and id > ?", (last_run,), 1800)
                    if t_prov is None:
                        lost += 1
                        continue
                    sample.update({"queued_ms": ms(t_prov - c1), "providers_ms": row[0], "worker_rss_kb": row[1],
                                   "tools_rss_kb": detail_value(row[2], "children_peak_rss_kb"),
                                   "deferred": detail_value(row[2], "deferred") or 0,
                                   "problems": detail_value(row[2], "problems") or 0,
                                   "findings": detail_value(row[2], "findings") or 0, "error": row[3] or ""})
                    B.wait_idle(bench.git_dir, timeout=1800)
                    sample["tool_s"] = tool_seconds(db, head)
                else:
                    sample["queued_ms"] = sample["builtin_queued_ms"]
                B.wait_idle(bench.git_dir, timeout=1800)
                scan = db.execute("select peak_rss_kb, duration_ms from runs where kind = 'scan' and id > ? "
                                  "order by id limit 1", (last_run,)).fetchone()
                sample["scan_rss_kb"], sample["scan_ms"] = (scan or (None, None))
                samples[(v, s)].append(sample)
            B.log(f"bench: providers: round {r + 1}/{a.rounds}, {s} file(s) done at {time.monotonic() - t_phase:.0f} s")
    db.close()
    load_after = open("/proc/loadavg").read().split()[:3]

    # 4. Figures.
    res = {"rounds": a.rounds, "sizes": sizes, "files_per_language": a.per_language, "budget": a.budget,
           "tools": installed, "load_before": " ".join(load_before), "load_after": " ".join(load_after),
           "lost_commits": lost, "figures": {}}
    print(f"providers: {3 * a.per_language} files (Python, JavaScript/TypeScript, C++), {a.rounds} commits per "
          f"variant and size, provider_budget {a.budget}; load average {' '.join(load_before)} before, "
          f"{' '.join(load_after)} after")
    for line in installed:
        print(f"  {line}")
    print(f"  {'commit returned -> queued (ms)':44} {'median':>9} {'p90':>9} {'min':>9} {'max':>9}")
    for s in sizes:
        b, p = samples[("builtin", s)], samples[("providers", s)]
        if not b or not p:
            continue
        fig = {
            "builtin_ms": B.summary([x["queued_ms"] for x in b]),
            "providers_ms": B.summary([x["queued_ms"] for x in p]),
            "builtin_with_providers_on_ms": B.summary([x["builtin_queued_ms"] for x in p]),
            "providers_run_ms": B.summary([x["providers_ms"] for x in p]),
            "worker_rss_kb": B.summary([x["worker_rss_kb"] for x in p]),
            "builtin_worker_rss_kb": B.summary([x["scan_rss_kb"] for x in b if x["scan_rss_kb"]]),
            "tools_rss_kb": B.summary([x["tools_rss_kb"] for x in p if x["tools_rss_kb"] is not None]),
            "tool_s": {t: B.summary([x["tool_s"][t] for x in p if t in x["tool_s"]]) for t in PROVIDERS},
            "findings": B.summary([x["findings"] for x in p]),
            "deferred": sum(x["deferred"] for x in p),
            "problems": sum(x["problems"] for x in p),
            "errors": [x["error"] for x in p if x["error"]],
        }
        if s == 1:
            fig["by_language_ms"] = {lang: B.summary([x["queued_ms"] for x in p if x["language"] == lang])
                                     for lang in LANGUAGES}
        fig["ratio"] = fig["providers_ms"]["median"] / fig["builtin_ms"]["median"]
        res["figures"][str(s)] = fig
        rows = [("built-in rules only", fig["builtin_ms"]),
                ("providers on: all findings queued", fig["providers_ms"]),
                ("providers on: built-in findings queued", fig["builtin_with_providers_on_ms"]),
                ("providers on: the providers' run (runs table)", fig["providers_run_ms"])]
        for label, x in rows:
            print(f"  {label + ', ' + str(s) + ' file(s)':44} {x['median']:9.0f} {x['p90']:9.0f} {x['min']:9.0f} {x['max']:9.0f}")
        if s == 1:
            langs = ", ".join(f"{lang} {fig['by_language_ms'][lang]['median']:.0f}" for lang in LANGUAGES
                              if fig["by_language_ms"][lang]["n"])
            print(f"    1 file by language (median ms): {langs}")
        tools = ", ".join(f"{t} {x['median']:.2f} s" for t, x in fig["tool_s"].items() if x["n"])
        print(f"    {fig['ratio']:.1f}x the built-in figure; tools' own time (median): {tools}; findings per commit "
              f"{fig['findings']['median']:.0f}")
        print(f"    peak RSS (MB, median / max): worker {fig['worker_rss_kb']['median'] / 1024:.1f} / "
              f"{fig['worker_rss_kb']['max'] / 1024:.1f} (built-in only {fig['builtin_worker_rss_kb']['median'] / 1024:.1f}), "
              f"largest tool process {fig['tools_rss_kb']['median'] / 1024:.1f} / {fig['tools_rss_kb']['max'] / 1024:.1f}")
        if fig["deferred"] or fig["problems"] or fig["errors"]:
            print(f"    WARNING: {fig['deferred']} runs deferred to the drain, {fig['problems']} with a problem, "
                  f"errors {fig['errors'][:3]} (see {bench.git_dir}/autoloop/log/)")
    if lost:
        print(f"  WARNING: {lost} commits never queued (see {bench.git_dir}/autoloop/log/)")
    if a.json:
        B.write_json(a.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
