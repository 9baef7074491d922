#!/bin/bash
# The GitHub Action (action.yml at the top of the repository): its metadata checked against a JSON schema of
# the subset a composite action uses (tests/action/action.schema.json) and for dangling references; its
# shell steps run here as the runner would, on a scratch pull request: the Debian package (cpack, from this
# build) installed from a path and from a URL, `git autoloop ci` writing SARIF, the job summary and the
# outputs, the pull-request comment posted then updated through a stand-in for GitHub's API, the verdict.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ACTION=$AUTOLOOP_SOURCE_DIR/action.yml
STEPS=$AUTOLOOP_SOURCE_DIR/tests/action/action_steps.py
SCHEMA=$AUTOLOOP_SOURCE_DIR/tests/action/action.schema.json

# step NAME CONTEXT_JSON: runs one shell step of action.yml; its status in RC, output in OUT/ERR.
step() { run_cmd "$PYTHON" "$STEPS" run "$ACTION" "$1" "$2"; }

# The package of this build, made once per suite run (cpack -G DEB; the build is complete under ctest).
deb_of_this_build() {
  local dir="$E2E_ROOT/package"
  if [ ! -f "$dir/done" ]; then
    mkdir -p "$dir"
    cpack -G DEB --config "$AUTOLOOP_BIN_DIR/CPackConfig.cmake" -B "$dir" >"$dir/cpack.log" 2>&1 ||
      fail "cpack failed: $(tail -20 "$dir/cpack.log")"
    touch "$dir/done"
  fi
  ls "$dir"/git-autoloop_*.deb
}

# stand_in_apt: `apt-get` (and `sudo`) first on PATH, so the install step puts the package under
# $E2E_TEST_DIR/root (dpkg-deb -x) rather than into this machine's /usr; it logs every call.
stand_in_apt() {
  mkdir -p "$E2E_TEST_DIR/fakebin" "$E2E_TEST_DIR/root"
  cat >"$E2E_TEST_DIR/fakebin/apt-get" <<EOF
#!/bin/bash
echo "apt-get \$*" >>"$E2E_TEST_DIR/apt.log"
for a in "\$@"; do case \$a in *.deb) dpkg-deb -x "\$a" "$E2E_TEST_DIR/root" ;; esac; done
EOF
  printf '#!/bin/sh\nexec "$@"\n' >"$E2E_TEST_DIR/fakebin/sudo"
  chmod +x "$E2E_TEST_DIR/fakebin/apt-get" "$E2E_TEST_DIR/fakebin/sudo"
  # The package's own binaries, not the build's (lib.sh put those first on PATH).
  PATH="$E2E_TEST_DIR/fakebin:$E2E_TEST_DIR/root/usr/bin:${PATH#"$AUTOLOOP_BIN_DIR:"}"
  export RUNNER_TEMP="$E2E_TEST_DIR/runner-temp"
  mkdir -p "$RUNNER_TEMP"
}

# pull_request: an "upstream" repository, and its clone (the checkout) with a branch adding a security
# finding (subprocess with shell=True, ci.block_on's default [security]) and a quality one.
pull_request() {
  new_repo upstream
  printf 'def ok():\n    return 1\n' >app.py
  commit_all base
  cd ..
  git clone -q upstream checkout
  cd checkout
  git config user.name "E2E User" && git config user.email "user@e2e.invalid"
  git checkout -q -b feature
  printf 'import subprocess\n\n\ndef ok():\n    return 1\n\n\ndef copy(target):\n    subprocess.run("cp a " + target, shell=True)\n    if target == None:\n        return 0\n' >app.py
  commit_all "feature"
  export GITHUB_WORKSPACE=$PWD GITHUB_BASE_REF=main GITHUB_REPOSITORY=octo/demo
  export GITHUB_OUTPUT="$E2E_TEST_DIR/github-output" GITHUB_STEP_SUMMARY="$E2E_TEST_DIR/step-summary"
  : >"$GITHUB_OUTPUT"
  : >"$GITHUB_STEP_SUMMARY"
}

# output NAME: what the steps wrote to $GITHUB_OUTPUT for NAME (the last value).
output() { sed -n "s/^$1=//p" "$GITHUB_OUTPUT" | tail -1; }

test_metadata() {
  expect_rc 0 "$PYTHON" "$STEPS" check "$ACTION" "$SCHEMA"
  # The check can fail: a step without a shell, an undeclared input, a value spliced into a script.
  sed 's/^      shell: bash$/      shell: fish/' "$ACTION" >bad-shell.yml
  expect_rc 1 "$PYTHON" "$STEPS" check bad-shell.yml "$SCHEMA"
  assert_contains "$OUT" "shell"
  sed 's/\${{ inputs.deb-url }}/${{ inputs.deb-link }}/' "$ACTION" >bad-input.yml
  expect_rc 1 "$PYTHON" "$STEPS" check bad-input.yml "$SCHEMA"
  assert_contains "$OUT" "inputs.deb-link }} is not a declared input"
  sed 's/git autoloop ci --base "\$BASE"/git autoloop ci --base "${{ inputs.base }}"/' "$ACTION" >bad-run.yml
  expect_rc 1 "$PYTHON" "$STEPS" check bad-run.yml "$SCHEMA"
  assert_contains "$OUT" "contains \${{ }}"
  sed 's/steps.ci.outputs.sarif }}$/steps.ci.outputs.sarif-file }}/' "$ACTION" >bad-output.yml
  expect_rc 1 "$PYTHON" "$STEPS" check bad-output.yml "$SCHEMA"
  assert_contains "$OUT" "writes no output sarif-file"
  # The README's workflow uses this action, from a package, and no install.sh of this repository.
  local readme_workflow
  readme_workflow=$(sed -n '/^A GitHub Actions workflow/,/^```$/p' "$AUTOLOOP_SOURCE_DIR/README.md" | sed -n '/^```yaml$/,$p')
  assert_contains "$readme_workflow" "runs-on:"
  assert_contains "$readme_workflow" "uses: "
  assert_contains "$readme_workflow" "deb-url:"
  assert_not_contains "$readme_workflow" "install.sh"
}

test_package() {
  local deb
  deb=$(deb_of_this_build)
  dpkg-deb -c "$deb" | awk '{print $6}' | sort >contents
  local f
  for f in ./usr/bin/git-autoloop ./usr/libexec/git-autoloop/autoloop-hook ./usr/libexec/git-autoloop/autoloop-merge \
    ./usr/share/man/man1/git-autoloop.1 ./usr/share/bash-completion/completions/git-autoloop \
    ./usr/share/doc/git-autoloop/README.md; do
    grep -qx "$f" contents || fail "$f is not in the package: $(cat contents)"
  done
  local depends
  depends=$(dpkg-deb -f "$deb" Depends)
  assert_contains "$depends" "git"
  # Depends names what the binaries load: libgit2's package when they link it dynamically; nothing of
  # the kind when they are static (AUTOLOOP_STATIC, the default), which must then need no shared library.
  dpkg-deb -x "$deb" unpacked
  local needed
  needed=$(readelf -d unpacked/usr/bin/git-autoloop | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  if printf '%s\n' "$needed" | grep -q '^libgit2'; then
    assert_contains "$depends" "libgit2" "Depends (from dpkg-shlibdeps)"
  else
    assert_eq "" "$(printf '%s' "$needed" | grep -v '^libc\.so\|^ld-linux' || true)" "shared libraries a static git-autoloop needs"
    expect_rc 0 unpacked/usr/bin/git-autoloop --version
  fi
}

test_action_from_a_package_path() {
  local deb
  deb=$(deb_of_this_build)
  stand_in_apt
  pull_request
  step "Install git-autoloop" "{\"inputs\": {\"deb-path\": \"$deb\"}}"
  [ "$RC" = 0 ] || fail "install step: $RC
$OUT
$ERR"
  assert_contains "$(cat "$E2E_TEST_DIR/apt.log")" "install -y -q --no-install-recommends $deb"
  assert_contains "$OUT" "git-autoloop 0."
  [ -x "$E2E_TEST_DIR/root/usr/bin/git-autoloop" ] || fail "the package was not unpacked"
  assert_eq "$E2E_TEST_DIR/root/usr/bin/git-autoloop" "$(command -v git-autoloop)" "git-autoloop the steps run"

  # The base defaults to origin/<the pull request's base branch>; a security finding: blocking, reported first.
  step ci '{"inputs": {}}'
  [ "$RC" = 0 ] || fail "ci step: $RC
$OUT
$ERR"
  assert_eq "true" "$(output blocking)" "output blocking"
  local sarif markdown
  sarif=$(output sarif)
  markdown=$(output markdown)
  assert_eq "$RUNNER_TEMP/git-autoloop.sarif" "$sarif" "output sarif"
  "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["runs"][0]["results"]; assert {x["ruleId"] for x in r} >= {"python/subprocess-shell-true", "python/compare-to-none"}, r' "$sarif" ||
    fail "SARIF results: $(cat "$sarif")"
  assert_contains "$(cat "$GITHUB_STEP_SUMMARY")" "subprocess-shell-true" "job summary"
  assert_eq "$(cat "$markdown")" "$(cat "$GITHUB_STEP_SUMMARY")" "job summary is the Markdown file"

  # The comment, through a stand-in for GitHub's REST API: posted, then updated on the next push.
  local port api_log="$E2E_TEST_DIR/api.log"
  "$PYTHON" "$AUTOLOOP_SOURCE_DIR/tests/action/fake_github_api.py" "$api_log" >"$E2E_TEST_DIR/port" 2>"$E2E_TEST_DIR/api.err" &
  local server=$!
  for _ in $(seq 50); do [ -s "$E2E_TEST_DIR/port" ] && break; sleep 0.1; done
  port=$(cat "$E2E_TEST_DIR/port")
  [ -n "$port" ] || fail "the stand-in API did not start: $(cat "$E2E_TEST_DIR/api.err")"
  local context="{\"inputs\": {}, \"github\": {\"token\": \"t0ken\", \"event\": {\"pull_request\": {\"number\": 7}}},
                  \"steps\": {\"ci\": {\"outputs\": {\"markdown\": \"$markdown\"}}}}"
  GITHUB_API_URL="http://127.0.0.1:$port" step "Comment the summary on the pull request" "$context"
  [ "$RC" = 0 ] || fail "comment step: $RC
$OUT
$ERR"
  assert_contains "$OUT" "commented on pull request #7"
  GITHUB_API_URL="http://127.0.0.1:$port" step "Comment the summary on the pull request" "$context"
  assert_contains "$OUT" "updated comment 1"
  kill "$server"
  "$PYTHON" - "$api_log" "$markdown" <<'PY' || fail "API calls: $(cat "$api_log")"
import json, sys
calls = [json.loads(line) for line in open(sys.argv[1])]
markdown = open(sys.argv[2]).read()
assert [(c["method"], c["path"]) for c in calls] == [
    ("GET", "/repos/octo/demo/issues/7/comments?per_page=100"), ("POST", "/repos/octo/demo/issues/7/comments"),
    ("GET", "/repos/octo/demo/issues/7/comments?per_page=100"), ("PATCH", "/repos/octo/demo/issues/comments/1")], calls
assert all(c["authorization"] == "Bearer t0ken" for c in calls), calls
for c in calls[1::2]:
    assert c["body"]["body"] == "<!-- git-autoloop ci -->\n" + markdown, c["body"]
PY

  # The verdict comes last, and fails the job.
  step Verdict '{}'
  assert_eq "1" "$RC" "status of the verdict step"
  assert_contains "$OUT" "::error::git-autoloop: this pull request introduces findings listed in ci.block_on"
}

test_action_from_a_url() {
  local deb
  deb=$(deb_of_this_build)
  stand_in_apt
  pull_request
  # A release asset, served here.
  mkdir -p "$E2E_TEST_DIR/www"
  cp "$deb" "$E2E_TEST_DIR/www/git-autoloop_amd64.deb"
  "$PYTHON" -m http.server 0 --bind 127.0.0.1 --directory "$E2E_TEST_DIR/www" >"$E2E_TEST_DIR/http.log" 2>&1 &
  local server=$! port=""
  for _ in $(seq 50); do
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$E2E_TEST_DIR/http.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "http.server did not start: $(cat "$E2E_TEST_DIR/http.log")"
  step "Install git-autoloop" "{\"inputs\": {\"deb-url\": \"http://127.0.0.1:$port/git-autoloop_amd64.deb\"}}"
  kill "$server"
  [ "$RC" = 0 ] || fail "install step: $RC
$OUT
$ERR"
  [ -x "$E2E_TEST_DIR/root/usr/bin/git-autoloop" ] || fail "the downloaded package was not unpacked"
  cmp -s "$deb" "$RUNNER_TEMP/git-autoloop.deb" || fail "the downloaded package differs from the served one"

  # An explicit base with nothing blocking: the step passes, the verdict does not run.
  git commit -q --allow-empty -m "nothing new"
  step ci "{\"inputs\": {\"base\": \"feature~1\"}}"
  [ "$RC" = 0 ] || fail "ci step: $RC
$OUT
$ERR"
  assert_eq "false" "$(output blocking)" "output blocking"
  # Neither a path nor a URL nor an installed git-autoloop: the step says what to set.
  PATH="$E2E_TEST_DIR/fakebin:/usr/bin:/bin" step "Install git-autoloop" '{"inputs": {}}'
  assert_eq "1" "$RC" "install step without a package"
  assert_contains "$OUT" "set the deb-url input"
}

run_test "action.yml: schema and references (and the check catches mistakes); the README uses it" test_metadata
run_test "the Debian package: binaries, man page, completion, docs, shared-library dependencies" test_package
run_test "action steps on a pull request: install from a path, ci, summary, comment posted then updated, verdict" test_action_from_a_package_path
run_test "action steps: install from a URL; an explicit base without blocking findings; no package at all" test_action_from_a_url
finish
