#!/bin/bash
# Validation on real-shaped projects (issue 11): the drain runs a project's own test suite in a validation
# worktree outside the repository and outside any dot-directory, prepared by test_setup (npm ci) or by linking
# the user's node_modules, after a run on the unchanged base; a fix that breaks the suite is refused alone, a
# suite that fails or hangs on the base blames no fix, a flaky failure is recorded as such.
#
# The projects are written here (small, but shaped like the ones that failed: express, click, cxxopts):
#   node:   npm scripts.test runs a test runner that only exists in node_modules/.bin after `npm ci` (local
#           file: packages, so no network), and the tests serve a static file by its absolute path through a
#           server that refuses any dot-directory component (what `send` does with dotfiles ignored);
#   python: a package tested with Debian's pytest;
#   cmake:  a C++ library and a test executable registered with ctest, built with Ninja.
# Every test command goes through run-tests.sh (outside the repository), which logs one line per run:
# "<HEAD> <exit status> <directory>".
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian's interpreter has python3-pytest (install.sh --test); another python3 on PATH may not.
PYTEST_PYTHON=/usr/bin/python3

# --- Helpers ----------------------------------------------------------------------------------------------

# SUITE_ONLY=REGEX runs only the tests whose function name matches it (as in tests/e2e/helpers.sh).
if [ -n "${SUITE_ONLY:-}" ]; then
  eval "$(declare -f run_test | sed '1s/^run_test/e2e_run_test/')"
  run_test() { [[ $2 =~ $SUITE_ONLY ]] || return 0; e2e_run_test "$@"; }
fi

# write_runner: $E2E_TEST_DIR/run-tests.sh CMD...: runs CMD, logs "<HEAD> <status> <pwd>" to test-runs.log.
write_runner() {
  cat >"$E2E_TEST_DIR/run-tests.sh" <<EOF
#!/bin/sh
"\$@"
status=\$?
printf '%s %s %s\n' "\$(git rev-parse HEAD 2>/dev/null || echo none)" "\$status" "\$(pwd -P)" >>"$E2E_TEST_DIR/test-runs.log"
exit \$status
EOF
  chmod +x "$E2E_TEST_DIR/run-tests.sh"
  : >"$E2E_TEST_DIR/test-runs.log"
}

# runs: the number of test runs logged so far.
runs() { grep -c . "$E2E_TEST_DIR/test-runs.log" || true; }

# run_line N: the Nth logged run.
run_line() { sed -n "${1}p" "$E2E_TEST_DIR/test-runs.log"; }

# assert_validation_dir DIR: DIR is the validation worktree the plan names: under
# $XDG_CACHE_HOME/git-autoloop/worktrees/<repo>-<hash>/tree, not under .git, no dot-directory in it.
assert_validation_dir() {
  local dir=$1
  case $dir in
  "$XDG_CACHE_HOME/git-autoloop/worktrees/repo-"*/tree) ;;
  *) fail "tests ran in $dir, not in \$XDG_CACHE_HOME/git-autoloop/worktrees/repo-<hash>/tree" ;;
  esac
  case /$dir/ in
  */.*) fail "the validation worktree $dir has a dot-directory in its path" ;;
  esac
}

# project_repo LOOP_KEYS YAML: a repository with hooks installed and drains by hand, on a first commit holding
# only a README; the caller then writes its project and commits it.
project_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "readme"
  install_autoloop --no-config-file
  manual_drains "$@"
}

# drain_timed: `drain --now --foreground` through run_cmd; ELAPSED_MS is its wall time.
drain_timed() {
  local t0
  t0=$(date +%s%N)
  run_cmd git autoloop drain --now --foreground
  ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
  echo "drain: exit $RC in $ELAPSED_MS ms; stdout: $OUT; stderr: $ERR"
}

# summary_runs: T from the drain summary's "; tests: T runs in S s", or "" when the line has none.
summary_runs() { printf '%s\n%s\n' "$OUT" "$ERR" | sed -n 's/.*; tests: \([0-9]*\) runs\{0,1\} in .*/\1/p' | head -1; }

# id_of PATH: the id of the only opportunity on PATH.
id_of() { db_query "SELECT id FROM opportunities WHERE path = '$1'"; }

# outcomes ID: the outcomes of the attempts on opportunity ID, comma separated, oldest first.
outcomes() { db_query "SELECT group_concat(outcome) FROM (SELECT outcome FROM attempts WHERE opportunity_id = $1 ORDER BY id)"; }

# --- The node project -------------------------------------------------------------------------------------

# write_node_project: package.json, its lockfile (npm, offline: only file: packages), two vendored packages
# (a test runner with a bin, a static file server), the app and its tests. No finding yet.
write_node_project() {
  mkdir -p vendor/minitest/bin vendor/tinyserve src test public
  printf 'node_modules\n' >.gitignore
  cat >vendor/minitest/package.json <<'EOF'
{"name": "minitest", "version": "1.0.0", "bin": {"minitest": "bin/minitest.js"}}
EOF
  cat >vendor/minitest/bin/minitest.js <<'EOF'
#!/usr/bin/env node
'use strict';
// A small test runner: loads test/*.test.js, runs the registered tests one after the other, exits 1 on a failure
// (and exits at all: a server left listening would keep node alive).
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
EOF
  chmod +x vendor/minitest/bin/minitest.js
  cat >vendor/tinyserve/package.json <<'EOF'
{"name": "tinyserve", "version": "1.0.0", "main": "index.js"}
EOF
  cat >vendor/tinyserve/index.js <<'EOF'
'use strict';
// Serves a file by its absolute path. Like `send` (res.sendFile) with dotfiles ignored, a path with a
// dot-file or dot-directory component anywhere is answered 404 without being read.
const fs = require('fs');
const http = require('http');
const path = require('path');

function sendFile(res, file) {
  if (!path.isAbsolute(file)) {
    res.statusCode = 500;
    return res.end('path must be absolute');
  }
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
EOF
  cat >package.json <<'EOF'
{
  "name": "webapp",
  "version": "1.0.0",
  "private": true,
  "scripts": {"test": "minitest test"},
  "devDependencies": {"minitest": "file:vendor/minitest", "tinyserve": "file:vendor/tinyserve"}
}
EOF
  # What `npm install --package-lock-only --offline` writes for it (written here: npm takes a second).
  cat >package-lock.json <<'EOF'
{
  "name": "webapp",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "webapp",
      "version": "1.0.0",
      "devDependencies": {
        "minitest": "file:vendor/minitest",
        "tinyserve": "file:vendor/tinyserve"
      }
    },
    "node_modules/minitest": {
      "resolved": "vendor/minitest",
      "link": true
    },
    "node_modules/tinyserve": {
      "resolved": "vendor/tinyserve",
      "link": true
    },
    "vendor/minitest": {
      "version": "1.0.0",
      "dev": true,
      "bin": {
        "minitest": "bin/minitest.js"
      }
    },
    "vendor/tinyserve": {
      "version": "1.0.0",
      "dev": true
    }
  }
}
EOF
  printf 'hello\n' >public/hello.txt
  cat >src/app.js <<'EOF'
'use strict';
const path = require('path');
const { sendFile, createServer } = require('tinyserve');
const { assetPath } = require('./assets');
const { portLabel } = require('./ports');

function app() {
  return createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/port') return res.end(portLabel(url.searchParams.get('p')));
    const file = assetPath(url.pathname.slice(1));
    if (file === null) {
      res.statusCode = 400;
      return res.end('bad name');
    }
    sendFile(res, path.resolve(file));
  });
}

module.exports = { app };
EOF
  cat >src/assets.js <<'EOF'
'use strict';
const path = require('path');

const PUBLIC = path.join(__dirname, '..', 'public');

function assetPath(name) {
  if (name.length === 0) return null;
  return path.join(PUBLIC, name);
}

module.exports = { assetPath };
EOF
  cat >src/ports.js <<'EOF'
'use strict';

function portLabel(port) {
  return port === '80' ? 'default' : 'custom';
}

module.exports = { portLabel };
EOF
  cat >test/static.test.js <<'EOF'
'use strict';
const assert = require('assert');
const http = require('http');
const path = require('path');
const { once } = require('events');
const { app } = require('../src/app');

async function get(p) {
  const server = app().listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.address().port, path: p }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      }).on('error', reject);
    });
  } finally {
    server.close();
  }
}

test('the project is not under a dot-directory', () => {
  assert.deepStrictEqual(path.resolve(__dirname).split(path.sep).filter((c) => c.startsWith('.')), []);
});
test('serves a static file by its absolute path', async () => {
  assert.deepStrictEqual(await get('/hello.txt'), { status: 200, body: 'hello\n' });
});
test('a missing file is 404', async () => {
  assert.strictEqual((await get('/nope.txt')).status, 404);
});
test('the port from the query string is a string: 80 is the default', async () => {
  assert.strictEqual((await get('/port?p=80')).body, 'default');
  assert.strictEqual((await get('/port?p=8080')).body, 'custom');
});
EOF
}

# local_rule NAME LANGUAGE QUERY FIX: a rule of the user's own (.git/autoloop/rules/, trusted as theirs), id
# mine/NAME, safe, whose fix replaces @match with FIX. The built-in rules that would make the same change
# only suggest it where the types are not shown (issue 11): a user's rule is how a wrong fix reaches the tests.
local_rule() {
  mkdir -p "$(autoloop_dir)/rules"
  cat >"$(autoloop_dir)/rules/$1.yml" <<EOF
id: mine/$1
language: $2
category: code_quality
severity: warning
safety: safe
message: "the user's own rewrite ($1)"
description: "a rule of the user's that is wrong for this code"
query: |
$(sed 's/^/  /' <<<"$3")
fix:
  - replace: "@match"
    with: "$4"
EOF
}

# id_of_rule PATH RULE: the opportunity of RULE in PATH.
id_of_rule() { db_query "SELECT id FROM opportunities WHERE path = '$1' AND rule_id = '$2'"; }

# node_findings: a good fix (javascript/eqeqeq-typeof, safe) in src/assets.js and a breaking one
# (the user's rule mine/strict-port: the port is a string, `port === 80` never holds) in src/ports.js.
node_findings() {

  sed -i "s/  if (name.length === 0) return null;/  if (typeof name != 'string' || name.length === 0) return null;/" src/assets.js
  sed -i "s/  return port === '80' ? 'default' : 'custom';/  return port == 80 ? 'default' : 'custom';/" src/ports.js
}

NPM_CI='npm ci --offline --no-audit --no-fund --cache'

test_node_project() {
  write_runner
  # safety_level medium: the unsafe javascript/eqeqeq fix is tried because tests run.
  project_repo "safety_level: medium" "test_command: '$E2E_TEST_DIR/run-tests.sh npm test'
test_setup: 'echo setup >>$E2E_TEST_DIR/setup-runs.log && $NPM_CI $E2E_TEST_DIR/npm-cache'
test_timeout: 60"
  write_node_project
  local_rule strict-port javascript '(binary_expression left: (identifier) @l operator: "==" right: (number) @n) @match' '{{l}} === {{n}}'
  commit_all "webapp"
  # The suite passes here, after npm ci (and fails without node_modules: the runner is only there).
  run_cmd npm test
  assert_ne 0 "$RC" "npm test without node_modules"
  node_findings
  commit_all "two findings"
  wait_for_scan
  local base good bad
  base=$(git rev-parse HEAD)
  good=$(id_of src/assets.js)
  bad=$(id_of_rule src/ports.js mine/strict-port)
  [ -n "$good" ] && [ -n "$bad" ] || fail "findings: $(queue_rows)"

  drain_timed
  assert_eq 0 "$RC" "drain exit status"
  # The first run is on the base, in the validation worktree, and passes there.
  local first dir
  first=$(run_line 1)
  assert_eq "$base 0" "${first% *}" "first test run (HEAD, exit status)"
  dir=${first##* }
  assert_validation_dir "$dir"
  # The good fix is applied, the breaking one refused alone.
  assert_eq "applied" "$(outcomes "$good")" "attempts of the eqeqeq-typeof fix"
  assert_eq "tests_failed" "$(outcomes "$bad")" "attempts of the strict-port fix"
  assert_eq "$good" "$(side_opportunities)" "fixes on the side branch"
  assert_contains "$(git show autoloop/main:src/assets.js)" "typeof name !== 'string'"
  local t
  t=$(summary_runs)
  [ -z "$t" ] && fail "the drain summary has no '; tests: T runs in S s': $OUT"
  assert_eq "$(runs)" "$t" "test runs in the summary vs runs logged"
  # Every run in that one worktree; npm ci ran once.
  assert_eq "$dir" "$(cut -d' ' -f3 "$E2E_TEST_DIR/test-runs.log" | sort -u)" "directories the tests ran in"
  assert_eq "1" "$(grep -c . "$E2E_TEST_DIR/setup-runs.log")" "npm ci runs"

  # A second cycle on a new finding: same worktree, no second npm ci (the lockfile did not change).
  local before
  before=$(runs)
  printf "'use strict';\nfunction kind(v) {\n  return typeof v == 'number' ? 'n' : 'x';\n}\nmodule.exports = { kind };\n" >src/kind.js
  commit_all "a third finding"
  wait_for_scan
  drain_timed
  assert_eq 0 "$RC" "second drain exit status"
  assert_eq "applied" "$(outcomes "$(id_of src/kind.js)")" "attempts of the second cycle's fix"
  [ "$(runs)" -gt "$before" ] || fail "the second cycle ran no test"
  assert_eq "$dir" "$(cut -d' ' -f3 "$E2E_TEST_DIR/test-runs.log" | sort -u)" "directories after two cycles"
  assert_eq "1" "$(grep -c . "$E2E_TEST_DIR/setup-runs.log")" "npm ci runs after two cycles"
  assert_file "$dir/node_modules/.bin/minitest" "npm ci's runner, kept between cycles"
  # The user's work tree has no node_modules: nothing was installed there.
  assert_no_file node_modules
}

test_node_link_dirs() {
  write_runner
  project_repo "" "test_command: '$E2E_TEST_DIR/run-tests.sh npm test'
test_timeout: 60"
  write_node_project
  commit_all "webapp"
  # The user's own node_modules, as they made it.
  $NPM_CI "$E2E_TEST_DIR/npm-cache" >/dev/null 2>&1 || fail "npm ci in the user's worktree"
  expect_rc 0 npm test
  sed -i "s/  if (name.length === 0) return null;/  if (typeof name != 'string' || name.length === 0) return null;/" src/assets.js
  commit_all "a finding"
  wait_for_scan
  local base good
  base=$(git rev-parse HEAD)
  good=$(id_of src/assets.js)
  drain_timed
  assert_eq 0 "$RC" "drain exit status"
  local first dir
  first=$(run_line 1)
  assert_eq "$base 0" "${first% *}" "first test run (HEAD, exit status)"
  dir=${first##* }
  assert_validation_dir "$dir"
  [ -L "$dir/node_modules" ] || fail "$dir/node_modules is not a link to the user's node_modules"
  assert_eq "$(pwd -P)/node_modules" "$(readlink -f "$dir/node_modules")" "where node_modules points"
  assert_eq "applied" "$(outcomes "$good")" "attempts of the fix"

  # The lockfile in the user's worktree no longer matches the branch (a dependency being added, not committed
  # yet): the user's node_modules is not linked; the suite cannot run on the base, and no fix is blamed.
  "$PYTHON" - <<'PY'
import json
p = json.load(open("package.json"))
p["devDependencies"]["leftpad"] = "file:vendor/leftpad"
json.dump(p, open("package.json", "w"), indent=2)
PY
  mkdir -p vendor/leftpad
  printf '{"name": "leftpad", "version": "1.0.0", "main": "index.js"}\n' >vendor/leftpad/package.json
  printf 'module.exports = (s, n) => String(s).padStart(n);\n' >vendor/leftpad/index.js
  npm install --package-lock-only --offline --no-audit --no-fund --cache "$E2E_TEST_DIR/npm-cache" >/dev/null 2>&1
  [ -n "$(git diff --name-only -- package-lock.json)" ] || fail "the lockfile did not change"
  printf "'use strict';\nfunction kind(v) {\n  return typeof v == 'number' ? 'n' : 'x';\n}\nmodule.exports = { kind };\n" >src/kind.js
  git add src/kind.js
  git commit -q -m "another finding"
  wait_for_scan
  local kind
  kind=$(id_of src/kind.js)
  base=$(git rev-parse HEAD)
  drain_timed
  assert_eq 6 "$RC" "drain exit status when the suite cannot run on the base"
  assert_no_file "$dir/node_modules" "node_modules in the validation worktree once the lockfiles differ"
  assert_contains "$OUT$ERR" "tests fail on the base ${base:0:12}"
  assert_eq "open" "$(opportunity_status "$kind")" "status of the new fix"
  assert_eq "0" "$(db_query "SELECT count(*) FROM attempts WHERE outcome = 'tests_failed'")" "tests_failed attempts"
  # Unlinking removed the link, not the user's directory it pointed to.
  assert_file node_modules/.bin/minitest "the user's node_modules after the link was removed"
}

# --- The python project -----------------------------------------------------------------------------------

write_python_project() {
  mkdir -p inventory tests
  printf '__pycache__/\n.pytest_cache/\n' >.gitignore
  : >inventory/__init__.py
  cat >inventory/values.py <<'EOF'
class Missing:
    """A null object that compares equal to None (like a database NULL sentinel)."""

    def __eq__(self, other):
        return other is None or isinstance(other, Missing)

    def __hash__(self):
        return 0


MISSING = Missing()


def describe(value):
    if value == None:
        return "missing"
    return "value %r" % (value,)
EOF
  cat >inventory/text.py <<'EOF'
def clean(name):
    if name is None:
        return ""
    return " ".join(name.split())
EOF
  cat >tests/test_values.py <<'EOF'
from inventory.values import MISSING, describe


def test_none_is_missing():
    assert describe(None) == "missing"


def test_the_sentinel_is_missing():
    assert describe(MISSING) == "missing"


def test_a_value():
    assert describe(3) == "value 3"
EOF
  cat >tests/test_text.py <<'EOF'
import pytest

from inventory.text import clean


@pytest.mark.parametrize("raw,want", [(None, ""), ("  a  b ", "a b"), ("x", "x")])
def test_clean(raw, want):
    assert clean(raw) == want
EOF
}

PYTEST_CMD="$PYTEST_PYTHON -m pytest -q -p no:cacheprovider"

test_python_project() {
  write_runner
  project_repo "" "test_command: '$E2E_TEST_DIR/run-tests.sh $PYTEST_CMD'
test_timeout: 60"
  write_python_project
  commit_all "inventory"
  # Both python/compare-to-none; the one in values.py (there from the start) breaks the sentinel, whose __eq__
  # says it is None.
  sed -i 's/if name is None:/if name == None:/' inventory/text.py
  commit_all "a second finding"
  expect_rc 0 $PYTEST_CMD
  wait_for_scan
  local base good bad
  base=$(git rev-parse HEAD)
  good=$(id_of inventory/text.py)
  bad=$(id_of inventory/values.py)
  [ -n "$good" ] && [ -n "$bad" ] || fail "findings: $(queue_rows)"
  drain_timed
  assert_eq 0 "$RC" "drain exit status"
  local first
  first=$(run_line 1)
  assert_eq "$base 0" "${first% *}" "first test run (HEAD, exit status)"
  assert_validation_dir "${first##* }"
  assert_eq "applied" "$(outcomes "$good")" "attempts of the good fix"
  assert_eq "tests_failed" "$(outcomes "$bad")" "attempts of the breaking fix"
  assert_eq "$good" "$(side_opportunities)" "fixes on the side branch"
  assert_eq "failed" "$(opportunity_status "$bad")" "status of the breaking fix"
}

# --- The cmake project ------------------------------------------------------------------------------------

write_cmake_project() {
  mkdir -p include src tests
  printf 'build/\n' >.gitignore
  cat >CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(store CXX)
set(CMAKE_CXX_STANDARD 17)
add_library(store src/registry.cpp src/bucket.cpp)
target_include_directories(store PUBLIC include)
enable_testing()
add_executable(store_test tests/store_test.cpp)
target_link_libraries(store_test store)
add_test(NAME store_test COMMAND store_test)
EOF
  cat >include/store.hpp <<'EOF'
#pragma once
#include <cstddef>
#include <vector>

const char* lookup(const char* key);

// A bucket you can pour out: empty() is a verb here, not a question.
class Bucket {
public:
  void add(int v) { m_items.push_back(v); }
  std::size_t size() const { return m_items.size(); }
  void empty() { m_items.clear(); }
  int pour_into(Bucket& other);

private:
  std::vector<int> m_items;
};
EOF
  cat >src/registry.cpp <<'EOF'
#include "store.hpp"

#include <cstddef>
#include <cstring>

const char* lookup(const char* key) {
  static const char* const names[] = {"alpha", "beta"};
  const char* found = nullptr;
  for (const char* n : names)
    if (std::strcmp(n, key) == 0) found = n;
  return found;
}
EOF
  cat >src/bucket.cpp <<'EOF'
#include "store.hpp"

int Bucket::pour_into(Bucket& other) {
  if (other.size() >= 1) return -1;
  int n = static_cast<int>(size());
  for (int v : m_items) other.add(v);
  empty();
  return n;
}
EOF
  cat >tests/store_test.cpp <<'EOF'
#include "store.hpp"

#include <cstdio>
#include <cstring>

int main() {
  int failed = 0;
  if (lookup("beta") == nullptr || std::strcmp(lookup("beta"), "beta") != 0) { std::puts("lookup beta"); ++failed; }
  if (lookup("gamma") != nullptr) { std::puts("lookup gamma"); ++failed; }
  Bucket a, b;
  a.add(1);
  a.add(2);
  if (a.pour_into(b) != 2 || a.size() >= 1 || b.size() != 2) { std::puts("pour"); ++failed; }
  a.add(3);
  if (a.pour_into(b) != -1) { std::puts("pour into a full bucket"); ++failed; }
  return failed ? 1 : 0;
}
EOF
}

test_cmake_project() {
  write_runner
  local cmd="cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null && cmake --build build >/dev/null && ctest --test-dir build --output-on-failure"
  printf '#!/bin/sh\n%s\n' "$cmd" >"$E2E_TEST_DIR/cmake-tests.sh"
  chmod +x "$E2E_TEST_DIR/cmake-tests.sh"
  project_repo "" "test_command: '$E2E_TEST_DIR/run-tests.sh $E2E_TEST_DIR/cmake-tests.sh'
test_timeout: 60"
  write_cmake_project
  # The rule exists before any commit: a worker still scanning an earlier commit keeps the rules it loaded.
  local_rule size-to-empty cpp '(binary_expression left: (call_expression function: (field_expression argument: (identifier) @obj field: (field_identifier) @fn) arguments: (argument_list)) operator: "==" right: (number_literal) @zero (#eq? @fn "size") (#eq? @zero "0")) @match' '{{obj}}.empty()'
  commit_all "store"
  # cpp/null-to-nullptr is good; cpp/size-zero-to-empty turns `other.size() == 0` into `other.empty()`, which
  # here pours the bucket out and returns void: the build fails.
  sed -i 's/const char\* found = nullptr;/const char* found = NULL;/' src/registry.cpp
  sed -i 's/  if (other.size() >= 1) return -1;/  if (!(other.size() == 0)) return -1;/' src/bucket.cpp
  commit_all "two findings"
  wait_for_scan
  local base good bad
  base=$(git rev-parse HEAD)
  good=$(id_of src/registry.cpp)
  bad=$(id_of_rule src/bucket.cpp mine/size-to-empty)
  [ -n "$good" ] && [ -n "$bad" ] || fail "findings: $(queue_rows)"
  drain_timed
  assert_eq 0 "$RC" "drain exit status"
  local first
  first=$(run_line 1)
  assert_eq "$base 0" "${first% *}" "first test run (HEAD, exit status)"
  assert_validation_dir "${first##* }"
  assert_eq "applied" "$(outcomes "$good")" "attempts of the null-to-nullptr fix"
  assert_eq "tests_failed" "$(outcomes "$bad")" "attempts of the size-to-empty fix"
  assert_eq "$good" "$(side_opportunities)" "fixes on the side branch"
  assert_no_file build "a build directory in the user's work tree"
}

# --- The base, hangs and flakes ---------------------------------------------------------------------------

test_base_fails() {
  write_runner
  project_repo "" "test_command: '$E2E_TEST_DIR/run-tests.sh $PYTEST_CMD'
test_timeout: 60"
  write_python_project
  # A test that fails whatever the fixes do.
  printf '\n\ndef test_broken_on_the_base():\n    assert describe(1) == "value one"\n' >>tests/test_values.py
  sed -i 's/if name is None:/if name == None:/' inventory/text.py
  printf 'def first(x):\n    if x == None:\n        return 1\n    return 2\n' >inventory/more.py
  commit_all "a suite that fails, three findings"
  wait_for_scan
  local base
  base=$(git rev-parse HEAD)
  assert_eq "3" "$(db_query "SELECT count(*) FROM opportunities WHERE status = 'open' AND rule_id = 'python/compare-to-none'")" "open findings"
  drain_timed
  assert_eq 6 "$RC" "drain exit status"
  assert_contains "$OUT$ERR" "stopped: tests fail on the base ${base:0:12} (exit 1); no fix was blamed"
  assert_eq "$base 1
$base 1" "$(cut -d' ' -f1,2 "$E2E_TEST_DIR/test-runs.log")" "test runs (the base, twice)"
  assert_eq "0" "$(db_query "SELECT count(*) FROM attempts WHERE outcome = 'tests_failed'")" "tests_failed attempts"
  assert_eq "open
open
open" "$(db_query "SELECT status FROM opportunities WHERE rule_id = 'python/compare-to-none' ORDER BY id")" "opportunities"
  assert_eq "0" "$(db_query "SELECT count(*) FROM opportunities WHERE status != 'open'")" "opportunities no longer open"
  assert_eq "" "$(side_ref)" "side branch"
  local tests_line
  tests_line=$(git autoloop status | grep '^tests: ' || true)
  assert_contains "$tests_line" "fail on the base ${base:0:12} (exit 1)" "status's tests: line"
  assert_contains "$tests_line" "fixes stay open" "status's tests: line"
}

test_hanging_suite() {
  write_runner
  # A suite that never ends (a server left listening); the marker finds its processes afterwards.
  cat >"$E2E_TEST_DIR/hang.sh" <<EOF
#!/bin/sh
echo "\$(git rev-parse HEAD) started \$(pwd -P)" >>"$E2E_TEST_DIR/test-runs.log"
node -e 'require("http").createServer().listen(0)' "$E2E_TEST_DIR/hang-marker" &
wait
EOF
  chmod +x "$E2E_TEST_DIR/hang.sh"
  project_repo "" "test_command: '$E2E_TEST_DIR/hang.sh'
test_timeout: 3"
  printf 'def first(x):\n    if x == None:\n        return 1\n    return 2\n' >a.py
  printf 'def second(x):\n    if x != None:\n        return 1\n    return 2\n' >b.py
  commit_all "two findings"
  wait_for_scan
  local base
  base=$(git rev-parse HEAD)
  drain_timed
  local left
  left=$(pgrep -f -- "$E2E_TEST_DIR/hang-marker" || true)
  if [ -n "$left" ]; then
    kill $left 2>/dev/null || true
    fail "processes of the hanging suite left behind: $left"
  fi
  assert_eq 6 "$RC" "drain exit status"
  assert_contains "$OUT$ERR" "stopped: tests time out on the base ${base:0:12}"
  assert_eq "1" "$(runs)" "test runs in the first drain (one timeout)"
  [ "$ELAPSED_MS" -lt $((2 * 3000 + 4000)) ] || fail "the drain took $ELAPSED_MS ms with test_timeout 3 s"
  assert_eq "0" "$(db_query "SELECT count(*) FROM attempts WHERE outcome IN ('tests_failed', 'timed_out')")" "attempts blamed"
  assert_eq "open
open" "$(db_query "SELECT status FROM opportunities WHERE rule_id = 'python/compare-to-none' ORDER BY id")" "opportunities"
  local tests_line
  tests_line=$(git autoloop status | grep '^tests: ' || true)
  assert_contains "$tests_line" "time out on the base ${base:0:12} (after 3 s)" "status's tests: line"
  assert_contains "$tests_line" "fixes stay open" "status's tests: line"
  # Same base, same commands: the result is cached, no test runs.
  drain_timed
  assert_eq 6 "$RC" "second drain exit status"
  assert_contains "$OUT$ERR" "stopped: tests time out on the base ${base:0:12}"
  assert_eq "1" "$(runs)" "test runs after the second drain"
  [ "$ELAPSED_MS" -lt 3000 ] || fail "the second drain took $ELAPSED_MS ms: no faster than a timeout"
}

test_flaky_fix() {
  write_runner
  # Fails the first time it runs on a tree, passes after (state outside the repository; the tree, not the
  # commit, so that a fix commit made again with another date is the same test subject).
  mkdir -p "$E2E_TEST_DIR/seen"
  cat >"$E2E_TEST_DIR/flaky.sh" <<EOF
#!/bin/sh
c=\$(git rev-parse HEAD^{tree})
[ -e "$E2E_TEST_DIR/seen/\$c" ] && exit 0
touch "$E2E_TEST_DIR/seen/\$c"
exit 1
EOF
  chmod +x "$E2E_TEST_DIR/flaky.sh"
  project_repo "" "test_command: '$E2E_TEST_DIR/run-tests.sh $E2E_TEST_DIR/flaky.sh'
test_timeout: 60"
  printf 'def first(x):\n    if x == None:\n        return 1\n    return 2\n' >a.py
  commit_all "one finding"
  wait_for_scan
  local id base
  id=$(id_of a.py)
  base=$(git rev-parse HEAD)
  # The base is steady: only the fix's tree is flaky.
  touch "$E2E_TEST_DIR/seen/$(git rev-parse "$base^{tree}")"
  drain_timed
  assert_eq 0 "$RC" "drain exit status"
  assert_eq "$id" "$(side_opportunities)" "fixes on the side branch"
  assert_eq "applied" "$(outcomes "$id")" "attempts of the flaky fix"
  local detail
  detail=$(db_query "SELECT coalesce(detail, '') FROM attempts WHERE opportunity_id = $id")
  case $detail in
  flaky:*) ;;
  *) fail "attempt detail '$detail' does not start with 'flaky:'" ;;
  esac
  # Base once, the fix's commit twice (failed, then passed).
  assert_eq "$base 0" "$(run_line 1 | cut -d' ' -f1,2)" "the run on the base"
  assert_eq "1 0" "$(sed -n '2,3p' "$E2E_TEST_DIR/test-runs.log" | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')" "the fix's runs"
}

# --- What the tests execute (coverage) ---------------------------------------------------------------------

# keys_module: two functions with a python/dict-keys-iteration finding each (an unsafe fix, its dict shown
# by the code): f's loop is line 3, g's line 9.
keys_module() {
  cat >keys.py <<'PY'
def f():
    d = {"a": 1}
    for k in d.keys():
        print(k)


def g():
    d = {"b": 2}
    for k in d.keys():
        print(k)
PY
}

test_coverage_decides_unsafe_fixes() {
  # The "tests" write an lcov report the way a coverage tool does: f's lines ran, g's never did.
  project_repo "safety_level: medium" "test_command: 'printf \"SF:keys.py\\nDA:2,1\\nDA:3,1\\nDA:4,1\\nDA:8,0\\nDA:9,0\\nDA:10,0\\nend_of_record\\n\" >cov.info'
metrics: {coverage_report: cov.info}"
  keys_module
  commit_all "keys"
  wait_for_scan
  local f g c
  f=$(db_query "SELECT id FROM opportunities WHERE path = 'keys.py' AND start_line = 3")
  g=$(db_query "SELECT id FROM opportunities WHERE path = 'keys.py' AND start_line = 9")
  [ -n "$f" ] && [ -n "$g" ] || fail "findings: $(queue_rows)"
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "applied" "$(outcomes "$f")" "the fix the tests execute"
  assert_eq "not_executed" "$(outcomes "$g")" "the fix the tests never execute"
  assert_contains "$(db_query "SELECT detail FROM attempts WHERE opportunity_id = $g")" "never execute the changed lines"
  c=$(side_commits)
  assert_eq "1" "$(grep -c . <<<"$c")" "fix commits"
  assert_eq "size<=100, no-destruction, reparse, native-check(python), line-endings, tests (executed: 1 changed line)" \
    "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c" | grep .)" "Autoloop-Validated"
  assert_not_contains "$(git autoloop review --list)" "caution:" "review of an executed fix"
  run_cmd git autoloop queue --status failed
  assert_contains "$OUT" "not_executed" "queue --status failed"
}

test_no_coverage_is_said() {
  project_repo "safety_level: medium" "test_command: 'true'"
  keys_module
  commit_all "keys"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "2 new fixes" "the drain"
  local c
  for c in $(side_commits); do
    assert_eq "size<=100, no-destruction, reparse, native-check(python), line-endings, tests (coverage unknown)" \
      "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c" | grep .)" "Autoloop-Validated of $c"
  done
  assert_contains "$(git autoloop review --list)" "caution: tests ran, but coverage is unknown" "review"
}

run_test "node: npm ci in the validation worktree, static files served, a good fix applied and a breaking one refused, one worktree and one npm ci for two cycles" test_node_project
run_test "node: the user's node_modules linked when the lockfile matches, not linked when it differs (no fix blamed)" test_node_link_dirs
run_test "python: pytest passes on the base, a good fix applied, a breaking one refused" test_python_project
run_test "cmake: ctest passes on the base, a good fix applied, a breaking one refused" test_cmake_project
run_test "a suite that fails on the base blames no fix and stops the cycle" test_base_fails
run_test "a hanging suite costs one timeout, then nothing while the base is the same" test_hanging_suite
run_test "a fix whose tests fail once then pass is applied as flaky" test_flaky_fix
run_test "coverage: an unsafe fix the tests execute is applied and says so, one they never execute is refused" test_coverage_decides_unsafe_fixes
run_test "no coverage report: every tested fix says 'coverage unknown', and review shows it" test_no_coverage_is_said
finish
