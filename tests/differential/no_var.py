#!/usr/bin/env python3
"""Differential test of javascript/no-var's fix: generated programs, run before and after.

  no_var.py --bin DIR [--count N] [--seed S] [--keep DIR]

Builds N small JavaScript programs by construction (random nestings of `var` declarations in
function bodies, blocks, loop heads, loop bodies, switch cases, try/finally; reads and writes before,
inside and after their blocks; closures made inside and outside loops; hoisted function declarations
called before and after; redeclarations; shadowing parameters and inner `let`s), commits them to a
throwaway repository, asks `git autoloop scan` for the rule's findings, and applies every finding
it marks `safe` (var -> let). Node then runs each program and its rewrite in a fresh context, and
the two must agree: the same output, or the same exception class. Findings marked `suggest` are
not applied (they are the ones the scope analysis could not prove); the test prints how many of
each there were, and fails when fewer than one program in ten got a rewrite (the generator reuses
three names on purpose, so most findings are rightly refused; seed 1 rewrites 115 of 300).

Exit 0 when every rewrite behaves like its original; 1 with the differing programs printed.
With --apply-all the suggestions are applied too, and the exit is 0 only when that breaks some
programs: the check that these programs can tell a wrong rewrite from a right one.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

NAMES = ["a", "b", "i"]


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.fn = 0

    def expr(self, depth=0):
        r = self.r
        c = r.randrange(6)
        if c == 0 or depth > 1:
            return str(r.randrange(10))
        if c == 1:
            return f"{r.choice(NAMES)} + {r.randrange(5)}"
        if c == 2:
            return f"typeof {r.choice(NAMES)}"
        if c == 3:
            return f"({self.expr(depth + 1)}) * 2"
        if c == 4:
            return f"g{r.randrange(max(self.fn, 1))}()" if self.fn else "7"
        return f"'{r.choice('xyz')}'"

    def stmt(self, depth, in_loop):
        r = self.r
        n = r.choice(NAMES)
        c = r.randrange(16 if depth < 3 else 7)
        if c == 0:
            return [f"var {n} = {self.expr()};"]
        if c == 1:
            m = r.choice(NAMES)
            return [f"var {n} = {self.expr()}, {m};" if m != n else f"var {n} = {self.expr()};"]
        if c == 2:
            return [f"out.push({n});"]
        if c == 3:
            return [f"{n} = {self.expr()};"]
        if c == 4:
            return [f"fns.push(function () {{ return {n}; }});"]
        if c == 5:
            return [f"fns.push(() => {n} + 1);"]
        if c == 6:
            return [f"out.push(typeof {n});"]
        if c == 7:
            return ["{"] + self.block(depth + 1, in_loop) + ["}"]
        if c == 8:
            return [f"if ({n} !== {r.randrange(3)}) {{"] + self.block(depth + 1, in_loop) + ["}"]
        if c == 9:
            v = r.choice(NAMES)
            # `steps` bounds every loop: the body may assign the loop's variable.
            return [f"for (var {v} = 0; {v} < 2 && steps++ < 50; {v}++) {{"] + self.block(depth + 1, True) + ["}"]
        if c == 10:
            return ["for (const k of [1, 2]) {"] + self.block(depth + 1, True) + ["}"]
        if c == 11:
            return [f"switch ({r.randrange(3)}) {{", "case 0:"] + self.block(depth + 1, in_loop) + \
                   ["  break;", "case 1:"] + self.block(depth + 1, in_loop) + ["}"]
        if c == 12:
            return ["try {"] + self.block(depth + 1, in_loop) + ["} finally {"] + self.block(depth + 1, in_loop) + ["}"]
        if c == 13:
            k = self.fn
            self.fn += 1
            return [f"function g{k}() {{", f"  return {n};", "}"]
        if c == 14:
            return [f"(function ({n}) {{"] + self.block(depth + 1, False) + [f"}})({self.expr()});"]
        return [f"{{ let {n} = {self.expr()}; out.push({n}); }}"]

    def block(self, depth, in_loop):
        lines = []
        for _ in range(self.r.randrange(1, 4)):
            lines += ["  " + s for s in self.stmt(depth, in_loop)]
        return lines

    def program(self):
        self.fn = 0
        body = self.block(0, False) + self.block(0, False)
        calls = [f"  out.push(g{k}());" for k in range(self.fn)]
        lines = ["function main(out, fns) {", "  let steps = 0;"] + body + calls + ["}", "module.exports = main;", ""]
        if self.r.randrange(4) == 0:  # top-level declarations of a CommonJS module
            lines = [f"var {self.r.choice(NAMES)} = {self.r.randrange(9)};"] + lines
        return "\n".join(lines)


RUNNER = r"""
const vm = require('vm');
const fs = require('fs');
const files = JSON.parse(fs.readFileSync(0, 'utf8'));
const results = {};
// Everything, the program's own calls included, runs inside the context under its time limit.
const before = 'const module = { exports: {} };\n(function (module, exports) {\n';
const after = '\n})(module, module.exports);\nconst out = [], fns = [];\nmodule.exports(out, fns);\n' +
              'for (const f of fns) out.push(f());\nJSON.stringify(out);\n';
for (const file of files) {
  const code = fs.readFileSync(file, 'utf8');
  let result;
  try {
    result = vm.runInNewContext(before + code + after, {}, { timeout: 2000 });
  } catch (e) {
    result = 'throws ' + (e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' ? 'timeout' : e && e.constructor ? e.constructor.name : String(e));
  }
  results[file] = result;
}
process.stdout.write(JSON.stringify(results));
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="directory holding git-autoloop")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="write the programs here and keep them")
    ap.add_argument("--apply-all", action="store_true",
                    help="apply the suggestions too: the test's own check, which must find programs that differ")
    a = ap.parse_args()
    tool = os.path.join(os.path.abspath(a.bin), "git-autoloop")
    if not shutil.which("node"):
        print("no_var: node is missing (it comes with the grammars' npm)", file=sys.stderr)
        return 2

    work = a.keep or tempfile.mkdtemp(prefix="autoloop-diff-novar.")
    os.makedirs(work, exist_ok=True)
    repo = os.path.join(work, "repo")
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    rng = random.Random(a.seed)
    gen = Gen(rng)
    names = []
    for k in range(a.count):
        name = f"p{k:05d}.js"
        with open(os.path.join(repo, name), "w") as f:
            f.write(gen.program())
        names.append(name)
    env = dict(os.environ, GIT_AUTHOR_NAME="d", GIT_AUTHOR_EMAIL="d@d.invalid", GIT_COMMITTER_NAME="d",
               GIT_COMMITTER_EMAIL="d@d.invalid", GIT_CONFIG_NOSYSTEM="1", HOME=work)
    run = lambda *cmd: subprocess.run(cmd, cwd=repo, env=env, check=True, capture_output=True, text=True)
    run("git", "init", "-q")
    run("git", "add", "-A")
    run("git", "commit", "-q", "-m", "programs")
    scan = run(tool, "scan", "--all", "--format", "json")
    findings = [f for f in json.loads(scan.stdout) if f["rule"] == "javascript/no-var"]

    by_file = {}
    for f in findings:
        by_file.setdefault(f["path"], []).append(f)
    safe = sum(1 for f in findings if f["safety"] == "safe")
    fixed_dir = os.path.join(work, "fixed")
    shutil.rmtree(fixed_dir, ignore_errors=True)
    os.makedirs(fixed_dir)
    pairs = []
    for path, fs in sorted(by_file.items()):
        lines = open(os.path.join(repo, path)).read().split("\n")
        changed = False
        for f in fs:
            if f["safety"] != "safe" and not a.apply_all:
                continue
            line = lines[f["line"] - 1]
            at = line.find(f["snippet"])
            if at < 0 or not f["snippet"].startswith("var") or line.count(f["snippet"]) != 1:
                print(f"no_var: cannot place the finding {path}:{f['line']} {f['snippet']!r}", file=sys.stderr)
                return 2
            lines[f["line"] - 1] = line[:at] + "let" + line[at + 3:]
            changed = True
        if changed:
            out = os.path.join(fixed_dir, path)
            with open(out, "w") as o:
                o.write("\n".join(lines))
            pairs.append((os.path.join(repo, path), out))

    files = [p for pair in pairs for p in pair]
    proc = subprocess.run(["node", "-e", RUNNER], input=json.dumps(files), capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 2
    results = json.loads(proc.stdout)
    differing = [(o, n) for o, n in pairs if results[o] != results[n]]
    print(f"no_var: {a.count} programs (seed {a.seed}), {len(findings)} findings: {safe} safe (applied), "
          f"{len(findings) - safe} suggestions; {len(pairs)} programs rewritten, {len(differing)} behave differently")
    for o, n in ([] if a.apply_all else differing[:10]):
        print(f"--- {o}: {results[o]}\n{open(o).read()}\n+++ rewritten: {results[n]}\n{open(n).read()}")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    if a.apply_all:
        # Applying what the analysis refused must break some programs, or the programs test nothing.
        print(f"no_var: with the suggestions applied too, {len(differing)} programs behave differently (expected: some)")
        return 0 if differing else 1
    if differing:
        return 1
    if len(pairs) * 10 < a.count:
        print("no_var: fewer than one program in ten was rewritten: the analysis refuses what it should prove, "
              "and this test proves little")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
