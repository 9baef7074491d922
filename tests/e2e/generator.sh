#!/bin/bash
# Generators (issue 13, item 5): a finding no template can fix (here an untested function) is offered to the
# configured generator (generator.fixer) as a JSON request on stdin; its result goes through the gates of any
# fix, one finding per commit. A generator that deletes a function, touches another file or breaks the
# language's own check is refused, with the reason in `queue` and `review --list`. Generators get the scrubbed environment plus
# generator.pass_env, which only the user's own configuration may set. `improve` takes paths relative to the
# current directory, which must exist.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The fake generator: what it does is chosen by GEN_MODE, which reaches it only through generator.pass_env.
# It keeps the request it got (stdin, argv, environment) in $E2E_TEST_DIR.
write_generator() {
  cat >"$E2E_TEST_DIR/gen.py" <<EOF
import json, os, sys
raw = sys.stdin.read()
open("$E2E_TEST_DIR/request.json", "w").write(raw)
open("$E2E_TEST_DIR/argv", "w").write("\n".join(sys.argv[1:]) + "\n")
open("$E2E_TEST_DIR/env", "w").write("\n".join(sorted(os.environ)) + "\n")
req = json.loads(raw)
mode = os.environ.get("GEN_MODE", "missing")
path = req["path"]
test = "tests/test_generated.py"
body = "import sys\nsys.path.insert(0, '.')\nfrom pkg.util import parse_header\nassert parse_header('a:b') == ['a', 'b']\n"
if mode == "test":
    open(test, "w").write(body)
elif mode == "delete":
    # Drops every function but the first from the finding's file.
    src = open(path).read()
    open(path, "w").write(src[: src.index("\ndef ", 1) + 1])
    open(test, "w").write(body)
elif mode == "other":
    open(test, "w").write(body)
    open("pkg/other.py", "a").write("# touched\n")
elif mode == "native":
    # Parses for tree-sitter, refused by Python's compile(): a duplicate argument.
    open(test, "w").write(body + "def check(a, a):\n    return a\n")
else:
    sys.exit("GEN_MODE not passed: " + mode)
EOF
}

# The tests: every tests/test_*.py runs (and must pass) with the work tree on sys.path.
write_tests() {
  cat >"$E2E_TEST_DIR/run_tests.sh" <<EOF
#!/bin/sh
for f in tests/test_*.py; do "$PYTHON" "\$f" || exit 1; done
EOF
  chmod +x "$E2E_TEST_DIR/run_tests.sh"
}

# A repository whose pkg/util.py has one untested public function (python/untested-function, turned on), a test suite
# that passes, and the fake generator configured in the local (trusted) config. $1: the test command.
generator_repo() {
  write_generator
  write_tests
  new_repo
  printf '__pycache__/\n' >.gitignore
  mkdir -p pkg tests
  : >pkg/__init__.py
  printf 'def helper():\n    return 1\n' >pkg/other.py
  printf 'import sys\nsys.path.insert(0, ".")\nfrom pkg.other import helper\nassert helper() == 1\n' >tests/test_other.py
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains "safety_level: medium" "test_command: \"${1:-$E2E_TEST_DIR/run_tests.sh}\"
fixers:
  - {name: fake, command: ['$PYTHON', '$E2E_TEST_DIR/gen.py'], timeout: 30}
generator: {fixer: fake, pass_env: [GEN_MODE]}
rules: {enable: [python/untested-function]}"
  printf 'def parse_header(line):\n    return line.split(":", 1)\n\n\ndef _private(x):\n    return x\n' >pkg/util.py
  commit_all "untested code"
  wait_for_scan
  UNTESTED=$(db_query "SELECT id FROM opportunities WHERE rule_id = 'python/untested-function' AND status = 'open'")
  [ -n "$UNTESTED" ] || fail "no untested-function finding: $(queue_rows)"
}

# The finding's last attempt: "<outcome> <detail>".
last_attempt() { db_query "SELECT outcome || ' ' || coalesce(detail, '') FROM attempts WHERE opportunity_id = $UNTESTED ORDER BY id DESC LIMIT 1"; }

test_untested_function_gets_a_test_file() {
  generator_repo
  SECRET_TOKEN=hunter2 GEN_MODE=test expect_rc 0 git autoloop drain --now --foreground
  # One commit for the one finding: a new test file, through the gates and the tests.
  assert_eq "1" "$(side_commits | grep -c .)" "fix commits"
  local c
  c=$(side_commits)
  assert_eq "A	tests/test_generated.py" "$(git show --format= --name-status "$c")" "what the commit changes"
  assert_contains "$(git log -1 --format=%B "$c")" "Autoloop-Generator: fake" "the commit's trailers"
  assert_contains "$(git log -1 --format=%B "$c")" "Autoloop-Opportunity: $UNTESTED" "the commit's trailers"
  assert_contains "$(git log -1 --format=%B "$c")" "tests" "Autoloop-Validated"
  # The native check ran on the new file (python3 runs the fake generator, so it is there): named as for
  # a template fix, after the re-parse.
  assert_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c")" \
    "reparse, native-check(python), line-endings" "Autoloop-Validated names the native check"
  assert_eq "applied" "$(opportunity_status "$UNTESTED")" "the finding's status"
  # The request: structured, on stdin; the path as the one argument; the environment scrubbed but for pass_env.
  local req="$E2E_TEST_DIR/request.json"
  assert_eq "finding python/untested-function pkg/util.py 1" \
    "$(pyjson '" ".join([d["kind"], d["rule"], d["path"], str(d["range"]["start_line"])])' <"$req")" "request"
  assert_contains "$(pyjson 'd["code"]["text"]' <"$req")" "def parse_header(line):" "the request's code"
  assert_contains "$(pyjson 'd["explanation"]' <"$req")" "Add a test" "the request's explanation"
  assert_eq "$E2E_TEST_DIR/run_tests.sh" "$(pyjson 'd["test_command"]' <"$req")" "the request's test command"
  assert_eq '["pkg/util.py"]' "$(pyjson 'd["may_modify"]' <"$req")" "what it may change"
  assert_eq "pkg/util.py" "$(cat "$E2E_TEST_DIR/argv")" "its arguments"
  assert_contains "$(cat "$E2E_TEST_DIR/env")" "GEN_MODE" "its environment"
  assert_not_contains "$(cat "$E2E_TEST_DIR/env")" "SECRET_TOKEN" "its environment"
  # The fix is reviewable and accepted like any other: the test file lands on the branch.
  expect_rc 0 git autoloop review --accept "$UNTESTED"
  assert_file tests/test_generated.py "the accepted test file"
  assert_eq "" "$(git status --porcelain)" "the work tree after the accept"
}

test_generator_deleting_a_function_is_refused() {
  generator_repo
  GEN_MODE=delete expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(side_commits)" "fix commits"
  assert_eq "failed" "$(opportunity_status "$UNTESTED")" "the finding's status"
  assert_contains "$(last_attempt)" "destructive" "the attempt"
  assert_contains "$(git autoloop queue --status failed)" "removes the function \`_private\`" "queue"
  assert_contains "$(git autoloop review --list)" "removes the function \`_private\`" "review --list"
}

test_generator_touching_another_file_is_refused() {
  generator_repo
  GEN_MODE=other expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(side_commits)" "fix commits"
  assert_eq "failed" "$(opportunity_status "$UNTESTED")" "the finding's status"
  assert_contains "$(git autoloop queue --status failed)" "pkg/other.py, a file it was not given" "queue"
  assert_contains "$(git autoloop review --list)" "pkg/other.py, a file it was not given" "review --list"
}

# Needs the native-check gate (issue 13 item 2): the tests here (`true`) would pass the broken file.
test_generator_breaking_the_native_check_is_refused() {
  generator_repo true
  GEN_MODE=native expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(side_commits)" "fix commits"
  assert_eq "failed" "$(opportunity_status "$UNTESTED")" "the finding's status"
  assert_contains "$(last_attempt)" "check_failed" "the attempt"
  assert_contains "$(git autoloop queue --status failed)" "duplicate argument" "queue"
  assert_contains "$(git autoloop review --list)" "duplicate argument" "review --list"
}

test_pass_env_and_the_generator_are_the_users_choice() {
  generator_repo
  # Without pass_env the generator does not see GEN_MODE (and fails, saying so).
  printf 'autonomous_loop: {scan_interval: 1000000, debounce: 0, safety_level: medium}\ntest_command: "%s"\nfixers: [{name: fake, command: ["%s", "%s"]}]\ngenerator: {fixer: fake}\nrules: {enable: [python/untested-function]}\n' \
    "$E2E_TEST_DIR/run_tests.sh" "$PYTHON" "$E2E_TEST_DIR/gen.py" >"$(autoloop_dir)/config.yml"
  GEN_MODE=test expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$(last_attempt)" "GEN_MODE not passed" "the attempt without pass_env"
  # A tracked .autoloop.yml may not widen the environment.
  printf 'generator: {pass_env: [AWS_SECRET_ACCESS_KEY]}\n' >.autoloop.yml
  expect_rc 3 git autoloop config
  assert_contains "$ERR" "generator.pass_env may not be set in the repository's .autoloop.yml" "config error"
  # Nor make its generator run before `trust`.
  printf 'fixers: [{name: fake2, command: ["%s", "%s"]}]\ngenerator: {fixer: fake2}\n' "$PYTHON" "$E2E_TEST_DIR/gen.py" >.autoloop.yml
  rm -f "$E2E_TEST_DIR/request.json"
  expect_rc 0 git autoloop resume
  expect_rc 0 git autoloop retry "$UNTESTED"
  printf 'autonomous_loop: {scan_interval: 1000000, debounce: 0, safety_level: medium}\ntest_command: "%s"\nrules: {enable: [python/untested-function]}\n' \
    "$E2E_TEST_DIR/run_tests.sh" >"$(autoloop_dir)/config.yml"
  expect_rc 0 git autoloop drain --now --foreground
  assert_no_file "$E2E_TEST_DIR/request.json" "a request to the untrusted generator"
  assert_eq "open" "$(opportunity_status "$UNTESTED")" "the finding, waiting"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "generator:  1 finding for the generator wait: fixers in .autoloop.yml is not trusted" "status"
}

test_improve_paths_are_relative_to_the_current_directory() {
  generator_repo
  cd pkg
  expect_rc 0 git autoloop improve "tidy it" util.py --fixer fake
  assert_eq "pkg/util.py" "$(db_query "SELECT snippet FROM opportunities WHERE rule_id = 'improve/fake'" | grep .)" "the request's path"
  expect_rc 2 git autoloop improve "tidy it" missing.py --fixer fake
  assert_contains "$ERR" "missing.py: no such file or directory (paths are taken relative to the current directory" "missing path"
  expect_rc 2 git autoloop improve "tidy it" ../../ --fixer fake
  assert_contains "$ERR" "is outside the repository's work tree" "path outside"
}

run_test "an untested function gets a test file from the generator, through the gates" test_untested_function_gets_a_test_file
run_test "a generator that deletes a function is refused (reason in queue and review)" test_generator_deleting_a_function_is_refused
run_test "a generator that touches another file is refused (reason in queue and review)" test_generator_touching_another_file_is_refused
run_test "a generator that breaks the native check is refused (reason in queue and review)" test_generator_breaking_the_native_check_is_refused
run_test "pass_env and the generator come from the user's configuration only" test_pass_env_and_the_generator_are_the_users_choice
run_test "improve takes paths relative to the current directory, which must exist" test_improve_paths_are_relative_to_the_current_directory
finish
