#!/usr/bin/env python3
"""Validation benchmark (issue 11): one drain of 5 fixes on a node project with its real test suite.

The project is shaped like the ones the test gate must handle: `npm test` runs a test runner that only
exists in node_modules/.bin after `npm ci` (local file: packages: no network), `test_setup` is that `npm ci`,
and the suite (12 files, 300 tests) does real work: it serves static files over HTTP by their absolute path
(refusing dot-directories, as express's `send` does), hashes and sorts data, round-trips JSON. Five
findings are queued (four javascript/eqeqeq-typeof, one of mine/port-compare, a rule of the user's own in
.git/autoloop/rules/ that makes `port == 80` strict: the built-in javascript/eqeqeq only suggests that where
the code does not show both types), and one
`git autoloop drain --now --foreground` is timed, in two variants:

  5 good       every fix passes the suite
  1 breaking   the port-compare fix compares a port read from a query string (a string) with `=== 80`: the suite
               fails with it, and the drain must find it: by testing each fix alone (what it chooses when five
               runs are cheap against test_budget), and by halving the batch (test_budget set to ~10 runs of
               the base, measured in the first variant, so that testing each alone no longer fits)

Each test run goes through a wrapper that logs the commit it tested and its duration, so the figures do not
depend on what the drain prints: wall time of the drain, test runs, test seconds, npm ci runs, and which
fixes each run contained (the drain's strategy). The drain's own `; tests: T runs in S s` is shown when it
prints one. A fresh repository per trial; the validation worktree goes under the trial's XDG_CACHE_HOME.

Usage: validation.py [--bin DIR] [--trials N] [--tests-per-file N] [--json OUT]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

FILES = 12

MINITEST = r"""#!/usr/bin/env node
'use strict';
// A small test runner: loads test/*.test.js, runs the registered tests one after the other, exits 1 on a failure.
const fs = require('fs');
const path = require('path');
const tests = [];
global.test = (name, fn) => tests.push({ name, fn });
const dir = path.resolve(process.argv[2] || 'test');
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) require(path.join(dir, f));
(async () => {
  let failed = 0;
  for (const t of tests) {
    try {
      await t.fn();
    } catch (e) {
      failed++;
      console.log('FAIL ' + t.name + ': ' + (e && e.message));
    }
  }
  console.log(`${tests.length - failed}/${tests.length} passed`);
  process.exit(failed ? 1 : 0);
})();
"""

TINYSERVE = r"""'use strict';
// Serves a file by its absolute path; like `send` with dotfiles ignored, any dot-directory component is a 404.
const fs = require('fs');
const http = require('http');
const path = require('path');

function sendFile(res, file) {
  if (file.split(path.sep).some((c) => c.length > 1 && c.startsWith('.'))) {
    res.statusCode = 404;
    return res.end('Not Found');
  }
  fs.readFile(file, (err, data) => {
    res.statusCode = err ? 404 : 200;
    res.end(err ? 'Not Found' : data);
  });
}

module.exports = { sendFile, createServer: (handler) => http.createServer(handler) };
"""

APP = r"""'use strict';
const path = require('path');
const { sendFile, createServer } = require('tinyserve');
const libs = [0, 1, 2, 3].map((i) => require('./lib' + i));
const { portLabel } = require('./ports');

function app() {
  return createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/port') return res.end(portLabel(url.searchParams.get('p')));
    const name = url.pathname.slice(1);
    const i = name.length % libs.length;
    sendFile(res, path.resolve(libs[i].assetPath(name)));
  });
}

module.exports = { app, libs };
"""

# lib<i>.js: one javascript/eqeqeq-typeof finding each (a safe fix).
LIB = r"""'use strict';
const path = require('path');

const PUBLIC = path.join(__dirname, '..', 'public');

function assetPath(name) {
  if (typeof name != 'string') throw new TypeError('name');
  return path.join(PUBLIC, name);
}

module.exports = { assetPath };
"""

# ports.js: one mine/port-compare finding. Good: the port is a number when compared. Breaking: it is
# the query string's text, so `=== 80` never holds.
PORTS_GOOD = r"""'use strict';

function portLabel(text) {
  const port = Number(text);
  return port == 80 ? 'default' : 'custom';
}

module.exports = { portLabel };
"""
PORTS_BREAKING = r"""'use strict';

function portLabel(port) {
  return port == 80 ? 'default' : 'custom';
}

module.exports = { portLabel };
"""

TEST_HEAD = r"""'use strict';
const assert = require('assert');
const crypto = require('crypto');
const http = require('http');
const path = require('path');
const { once } = require('events');
const { app, libs } = require('../src/app');

async function withServer(fn) {
  const server = app().listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await fn((p) => new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.address().port, path: p }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      }).on('error', reject);
    }));
  } finally {
    server.close();
  }
}
"""

# Kinds of tests, in turn: static files over HTTP, hashing, sorting, JSON, path logic, the port label.
TEST_KINDS = [
    r"""test('F%(f)d T%(t)d serves a static file by its absolute path', () => withServer(async (get) => {
  const r = await get('/asset%(a)d.txt');
  assert.strictEqual(r.status, 200);
  assert.strictEqual(r.body, 'asset %(a)d\n'.repeat(50));
}));
""",
    r"""test('F%(f)d T%(t)d hashes a megabyte', () => {
  const buf = Buffer.alloc(1 << 20, %(t)d);
  const a = crypto.createHash('sha256').update(buf).digest('hex');
  const b = crypto.createHash('sha256').update(Buffer.from(buf)).digest('hex');
  assert.strictEqual(a, b);
});
""",
    r"""test('F%(f)d T%(t)d sorts fifty thousand numbers', () => {
  let x = %(t)d + 1;
  const v = Array.from({ length: 50000 }, () => (x = (x * 1103515245 + 12345) %% 2147483648));
  v.sort((p, q) => p - q);
  for (let i = 1; i < v.length; i++) assert.ok(v[i - 1] <= v[i]);
});
""",
    r"""test('F%(f)d T%(t)d round-trips JSON', () => {
  const o = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: 'n' + i, tags: ['a', 'b', String(i %% 7)] }));
  assert.deepStrictEqual(JSON.parse(JSON.stringify(o)), o);
});
""",
    r"""test('F%(f)d T%(t)d resolves assets under public/', () => {
  for (const lib of libs) assert.strictEqual(path.basename(path.dirname(lib.assetPath('x%(t)d'))), 'public');
  assert.throws(() => libs[%(t)d %% libs.length].assetPath(%(t)d), TypeError);
});
""",
    r"""test('F%(f)d T%(t)d the port of the query string: 80 is the default', () => withServer(async (get) => {
  assert.strictEqual((await get('/port?p=80')).body, 'default');
  assert.strictEqual((await get('/port?p=%(p)d')).body, 'custom');
}));
""",
]


def sh(cmd, cwd, env, check=True):
    return subprocess.run(cmd, cwd=cwd, env=env, check=check, capture_output=True, text=True)


def write(root, rel, text, mode=None):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)
    if mode:
        os.chmod(p, mode)


def make_project(repo, tests_per_file, breaking, env, npm_cache):
    write(repo, ".gitignore", "node_modules\n")
    write(repo, "vendor/minitest/package.json", '{"name": "minitest", "version": "1.0.0", "bin": {"minitest": "bin/minitest.js"}}\n')
    write(repo, "vendor/minitest/bin/minitest.js", MINITEST, 0o755)
    write(repo, "vendor/tinyserve/package.json", '{"name": "tinyserve", "version": "1.0.0", "main": "index.js"}\n')
    write(repo, "vendor/tinyserve/index.js", TINYSERVE)
    write(repo, "package.json", json.dumps({
        "name": "webapp", "version": "1.0.0", "private": True, "scripts": {"test": "minitest test"},
        "devDependencies": {"minitest": "file:vendor/minitest", "tinyserve": "file:vendor/tinyserve"}}, indent=2) + "\n")
    sh(["npm", "install", "--package-lock-only", "--offline", "--no-audit", "--no-fund", "--cache", npm_cache], repo, env)
    for a in range(20):
        write(repo, f"public/asset{a}.txt", f"asset {a}\n" * 50)
    write(repo, "src/app.js", APP)
    for i in range(4):
        write(repo, f"src/lib{i}.js", LIB)
    write(repo, "src/ports.js", PORTS_BREAKING if breaking else PORTS_GOOD)
    for f in range(FILES):
        body = [TEST_HEAD]
        for t in range(tests_per_file):
            body.append(TEST_KINDS[(f + t) % len(TEST_KINDS)] % {"f": f, "t": t, "a": (f * 7 + t) % 20, "p": 8000 + t})
        write(repo, f"test/t{f:02d}.test.js", "\n".join(body))


def fixes_in(repo, base, sha, env):
    """The opportunity ids of the fix commits between base and sha (what one test run contained)."""
    if sha == base:
        return []
    r = sh(["git", "log", "--format=%(trailers:key=Autoloop-Opportunity,valueonly)", f"{base}..{sha}"], repo, env, check=False)
    return sorted(int(x) for x in r.stdout.split() if x.isdigit())


def trial(bin_dir, tests_per_file, breaking, test_budget=3600):
    root = tempfile.mkdtemp(prefix="autoloop-validation-bench.")
    try:
        repo = os.path.join(root, "webapp")
        os.makedirs(repo)
        cache = os.path.join(root, "cache")
        npm_cache = os.path.join(root, "npm-cache")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "AUTOLOOP"))}
        env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.path.join(root, "gitconfig"), XDG_CACHE_HOME=cache,
                   AUTOLOOP_AUTONOMOUS_LOOP__MAX_LOAD_PER_CPU="0")
        open(env["GIT_CONFIG_GLOBAL"], "w").close()
        sh(["git", "init", "-q", "-b", "main"], repo, env)
        sh(["git", "config", "user.name", "Bench"], repo, env)
        sh(["git", "config", "user.email", "bench@example.invalid"], repo, env)
        make_project(repo, tests_per_file, breaking, env, npm_cache)
        sh(["git", "add", "-A"], repo, env)
        sh(["git", "commit", "-q", "-m", "webapp"], repo, env)
        base = sh(["git", "rev-parse", "HEAD"], repo, env).stdout.strip()

        log = os.path.join(root, "test-runs.log")
        setup_log = os.path.join(root, "setup-runs.log")
        write(root, "run-tests.sh", f"""#!/bin/sh
t0=$(date +%s%N)
npm test >/dev/null 2>&1
s=$?
echo "$(git rev-parse HEAD) $s $(( ($(date +%s%N) - t0) / 1000000 ))" >>{log}
exit $s
""", 0o755)
        os.makedirs(os.path.join(repo, ".git", "autoloop"), exist_ok=True)
        write(repo, ".git/autoloop/config.yml", f"""autonomous_loop: {{debounce: 0, safety_level: medium}}
test_command: '{root}/run-tests.sh'
test_setup: 'echo setup >>{setup_log} && npm ci --offline --no-audit --no-fund --cache {npm_cache} >/dev/null'
test_timeout: 120
test_budget: {test_budget}
safety_settings: {{rollback_threshold: 0}}
""")
        write(repo, ".git/autoloop/rules/port-compare.yml", """id: mine/port-compare
language: javascript
category: code_quality
severity: warning
safety: safe
message: "compare the port strictly"
description: "the user's own rule"
query: |
  (binary_expression left: (identifier) @l operator: "==" right: (number) @n (#eq? @l "port")) @match
fix:
  - replace: "@match"
    with: "{{l}} === {{n}}"
""")
        cli = os.path.join(bin_dir, "git-autoloop")
        sh([cli, "scan"], repo, env)
        q = json.loads(sh([cli, "queue", "--format", "json", "--status", "open"], repo, env).stdout)
        fixable = sorted((r["rule"], r["path"]) for r in q if r["rule"] in ("mine/port-compare", "javascript/eqeqeq-typeof"))
        if len(fixable) != 5:
            raise SystemExit(f"expected 5 fixable findings, got {fixable}")
        t0 = time.perf_counter()
        d = subprocess.run([cli, "drain", "--now", "--foreground"], cwd=repo, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        out = (d.stdout + d.stderr).strip()
        runs = []
        if os.path.exists(log):
            for line in open(log):
                sha, status, ms = line.split()
                runs.append({"fixes": fixes_in(repo, base, sha, env) if sha != base else "base", "exit": int(status),
                             "ms": int(ms)})
        applied = int(sh(["git", "rev-list", "--count", "main..autoloop/main"], repo, env, check=False).stdout.strip() or 0)
        m = re.search(r"; tests: (\d+) runs? in ([0-9.]+) s", out)
        strategy = ""
        log_dir = os.path.join(repo, ".git", "autoloop", "log")
        for name in sorted(os.listdir(log_dir)) if os.path.isdir(log_dir) else []:
            for line in open(os.path.join(log_dir, name), errors="replace"):
                s = re.search(r"fails its tests: (.*)$", line)
                if s:
                    strategy = s.group(1).strip()
        return {"wall_s": wall, "exit": d.returncode, "drain_output": out, "runs": runs, "test_runs": len(runs),
                "test_s": sum(r["ms"] for r in runs) / 1000, "setup_runs": sum(1 for _ in open(setup_log)) if os.path.exists(setup_log) else 0,
                "applied": applied, "strategy": strategy, "summary_runs": int(m.group(1)) if m else None,
                "summary_test_s": float(m.group(2)) if m else None}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bin", default=os.environ.get("AUTOLOOP_BENCH_BIN_DIR", os.path.join(here, "..", "..", "build")))
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--tests-per-file", type=int, default=25)
    ap.add_argument("--json")
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    results = {}
    print(f"validation: a node project, {FILES * a.tests_per_file} tests (npm test after npm ci), 5 fixes queued, "
          f"one drain per trial, {a.trials} trials each")
    base_s = None
    for label, breaking in (("5 good", False), ("1 breaking of 5", True), ("1 breaking of 5, halving", True)):
        budget = 3600
        if label.endswith("halving"):
            # The drain tests each fix alone when 5 runs fit in half of what is left of test_budget (and in
            # 120 s); a budget of ~10 base runs leaves less than that after the base and the batch, but enough
            # for the halving (the batch in two, the failing half in two, ..., a confirmation, the survivors).
            budget = max(1, round(10.5 * base_s))
        trials = [trial(a.bin, a.tests_per_file, breaking, budget) for _ in range(a.trials)]
        if base_s is None:
            base_s = statistics.median(r["ms"] for t in trials for r in t["runs"] if r["fixes"] == "base") / 1000
        walls = [t["wall_s"] for t in trials]
        med = sorted(trials, key=lambda t: t["wall_s"])[len(trials) // 2]
        results[label] = {"median_s": statistics.median(walls), "max_s": max(walls), "trials": len(trials),
                          "test_budget": budget, "strategy": med["strategy"],
                          "test_runs": med["test_runs"], "test_s": med["test_s"], "setup_runs": med["setup_runs"],
                          "applied": med["applied"], "exit": med["exit"], "summary_runs": med["summary_runs"],
                          "summary_test_s": med["summary_test_s"], "runs": med["runs"], "drain_output": med["drain_output"]}
        suite = [r["ms"] for r in med["runs"] if r["exit"] == 0]
        print(f"  {label:16s} drain median {statistics.median(walls):6.2f} s (max {max(walls):.2f});"
              f" {med['test_runs']} test runs, {med['test_s']:.2f} s of tests"
              f" (one passing run ~{statistics.median(suite) / 1000 if suite else 0:.2f} s), npm ci x{med['setup_runs']},"
              f" {med['applied']} fixes applied, exit {med['exit']}" + (f", test_budget {budget} s" if budget != 3600 else ""))
        print(f"  {'':16s} runs ({med['strategy'] or 'the batch passed'}): " + ", ".join(
            (f"base" if r["fixes"] == "base" else "{" + ",".join(map(str, r["fixes"])) + "}") + ("" if r["exit"] == 0 else " FAIL")
            for r in med["runs"]))
        print(f"  {'':16s} drain: {med['drain_output'].splitlines()[-1] if med['drain_output'] else ''}")
    out = a.json or os.path.join(a.bin, "bench", "validation.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
