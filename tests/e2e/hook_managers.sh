#!/bin/bash
# A core.hooksPath inside the work tree belongs to a hook manager (husky 9's .husky/_) or to the project
# (a committed .githooks/): install adds one line calling `git autoloop hook <name>` to each script there,
# never a binary; the scripts' own commands (and pre-push's stdin) keep working; doctor notices when
# another tool rewrote a script without the line; uninstall takes the lines out again.
# The husky case uses real husky from npm: its tarball is fetched once (pinned, checked) into the build
# tree, and installed with npm into each test repository.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

k_husky_version=9.1.7
k_husky_sha256=720e354eba8b12afd32ac5844499753375916a721ee47ea7194e9b32ed44fe0c

# husky_tarball: the path of the pinned husky tarball, fetched into $AUTOLOOP_BIN_DIR/test-cache/npm the
# first time (npm pack). Fails the test, saying why, when npm cannot fetch it.
husky_tarball() {
  local cache="$AUTOLOOP_BIN_DIR/test-cache/npm" tgz
  tgz="$cache/husky-$k_husky_version.tgz"
  mkdir -p "$cache"
  (
    flock 9
    if [ ! -f "$tgz" ]; then
      command -v npm >/dev/null || fail "npm is needed to fetch husky@$k_husky_version (apt-get install npm)"
      local work
      work=$(mktemp -d "$cache/.fetch.XXXXXX")
      timeout 300 npm pack "husky@$k_husky_version" --silent --ignore-scripts --pack-destination "$work" >/dev/null 2>"$work/npm.err" ||
        fail "npm pack husky@$k_husky_version failed (is the npm registry reachable?): $(cat "$work/npm.err")"
      mv "$work/husky-$k_husky_version.tgz" "$tgz"
      rm -rf "$work"
    fi
  ) 9>"$cache/.lock"
  [ "$(sha256sum "$tgz" | cut -d' ' -f1)" = "$k_husky_sha256" ] || fail "$tgz: sha256 is not $k_husky_sha256"
  echo "$tgz"
}

# husky_repo: a repository with a package.json and husky installed from the cached tarball by npm, then
# husky run as `npm install`'s prepare script would (core.hooksPath=.husky/_).
husky_repo() {
  local tgz
  tgz=$(husky_tarball)
  new_repo
  printf '{ "name": "husky-e2e", "version": "1.0.0", "private": true, "scripts": { "prepare": "husky" } }\n' >package.json
  printf 'node_modules/\n' >.gitignore
  HOME=$E2E_TEST_DIR npm install --no-audit --no-fund --offline --ignore-scripts --cache "$E2E_TEST_DIR/npm-cache" "$tgz" \
    >"$E2E_TEST_DIR/npm.log" 2>&1 || fail "npm install husky: $(cat "$E2E_TEST_DIR/npm.log")"
  run_husky
  assert_eq ".husky/_" "$(git config core.hooksPath)" "core.hooksPath set by husky"
  commit_all "husky"
}

# run_husky: what `npm install` does in a husky project (its prepare script): rewrites .husky/_/.
run_husky() {
  HOME=$E2E_TEST_DIR node_modules/.bin/husky >"$E2E_TEST_DIR/husky.log" 2>&1 || fail "husky: $(cat "$E2E_TEST_DIR/husky.log")"
}

# no_binaries DIR: no file under DIR is an ELF binary.
no_binaries() {
  local f
  for f in "$1"/* "$1"/.[!.]*; do
    [ -f "$f" ] || continue
    [ "$(head -c 4 "$f" | tail -c 3)" != "ELF" ] || fail "$f is a binary"
  done
}

py_finding() { printf 'if %s == None:\n    pass\n' "${1%.py}" >"$1"; }

test_tracked_githooks() {
  new_repo
  mkdir .githooks
  printf '#!/bin/sh\necho "post-commit ran" >>"%s/marker"\n' "$E2E_TEST_DIR" >.githooks/post-commit
  # The project's pre-push reads git's stdin: the line before it must leave it there.
  printf '#!/bin/sh\ncat >"%s/pushed-refs"\n' "$E2E_TEST_DIR" >.githooks/pre-push
  chmod +x .githooks/post-commit .githooks/pre-push
  commit_all "project hooks"
  git config core.hooksPath .githooks
  local before_post before_push
  before_post=$(cat .githooks/post-commit)
  before_push=$(cat .githooks/pre-push)

  install_autoloop --no-config-file
  assert_contains "$OUT" "post-commit  line added"
  assert_contains "$OUT" "pre-push     line added"
  assert_contains "$OUT" "post-merge   created"
  assert_contains "$OUT" "each hook script calls \`git autoloop hook <name>\`"
  no_binaries .githooks
  assert_eq "1" "$(grep -c 'git autoloop hook post-commit "\$@"' .githooks/post-commit)" "the line in post-commit"
  assert_eq "#!/bin/sh" "$(head -1 .githooks/post-commit)" "the shebang stays first"
  assert_contains "$(cat .githooks/post-commit)" "$(tail -n +2 <<<"$before_post")" "the project's command"
  [ -x .githooks/post-merge ] || fail ".githooks/post-merge is not executable"
  # Twice is once.
  install_autoloop --no-config-file
  assert_contains "$OUT" "post-commit  unchanged"
  assert_eq "1" "$(grep -c 'git autoloop hook' .githooks/post-commit)" "lines after a second install"

  py_finding a.py
  git add a.py # not the hooks: their lines are this clone's
  git commit -q -m one
  wait_for_scan
  assert_eq "python/compare-to-none a.py:1 open new=true" "$(queue_rows)" "queue"
  assert_eq "post-commit ran" "$(cat "$E2E_TEST_DIR/marker")" "the project's post-commit"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "4/4 installed in"
  expect_rc 0 git autoloop doctor
  assert_contains "$OUT" "calls \`git autoloop hook pre-push\`"

  # pre-push: our check runs, and the project's hook still reads what git sent.
  git init -q --bare "$E2E_TEST_DIR/remote.git"
  git remote add origin "$E2E_TEST_DIR/remote.git"
  expect_rc 0 git push -q origin main
  assert_eq "refs/heads/main $(git rev-parse main) refs/heads/main 0000000000000000000000000000000000000000" \
    "$(cat "$E2E_TEST_DIR/pushed-refs")" "stdin of the project's pre-push"
  # ... and a side branch is still refused (the line's `exit 1`), before the project's hook runs.
  rm "$E2E_TEST_DIR/pushed-refs"
  git branch autoloop/main main
  expect_rc 1 git push -q origin autoloop/main
  assert_contains "$ERR" "push refused"
  assert_no_file "$E2E_TEST_DIR/pushed-refs" "the project's pre-push after a refusal"

  # Another tool rewrites post-commit without the line: doctor says so, and what to do.
  printf '#!/bin/sh\necho other tool\n' >.githooks/post-commit
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "post-commit: $PWD/.githooks/post-commit no longer calls \`git autoloop hook post-commit\`"
  assert_contains "$OUT" "run \`git autoloop install\` again"
  rm .githooks/post-merge
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "post-merge: $PWD/.githooks/post-merge is missing"
  git checkout -q .githooks/post-commit
  install_autoloop --no-config-file
  expect_rc 0 git autoloop doctor

  # Uninstall: the project's scripts as they were, the ones install created gone.
  expect_rc 0 git autoloop uninstall
  assert_contains "$OUT" "post-commit  line removed"
  assert_eq "$before_post" "$(cat .githooks/post-commit)" "post-commit after uninstall"
  assert_eq "$before_push" "$(cat .githooks/pre-push)" "pre-push after uninstall"
  assert_no_file .githooks/post-merge
  assert_no_file .githooks/post-rewrite
  assert_eq "" "$(git status --porcelain -- .githooks)" "the tracked hooks after uninstall"
}

test_hooks_path_binary_from_an_earlier_install() {
  # An earlier version copied its binary into the tracked directory (chaining the project's hook):
  # install turns that back into the project's script with the line.
  new_repo
  mkdir .githooks
  printf '#!/bin/sh\necho "post-commit ran" >>"%s/marker"\n' "$E2E_TEST_DIR" >.githooks/post-commit
  chmod +x .githooks/post-commit
  git config core.hooksPath .githooks
  # What the binary install did: here, in a directory outside the work tree, then moved into .githooks/.
  mkdir "$E2E_TEST_DIR/elsewhere"
  cp -p .githooks/post-commit "$E2E_TEST_DIR/elsewhere/post-commit"
  git config core.hooksPath "$E2E_TEST_DIR/elsewhere"
  install_autoloop --no-config-file
  assert_contains "$OUT" "post-commit  chained"
  cp -p "$E2E_TEST_DIR"/elsewhere/* .githooks/
  git config core.hooksPath .githooks
  [ "$(head -c 4 .githooks/post-commit | tail -c 3)" = "ELF" ] || fail "setup: no binary in .githooks"
  [ -f .githooks/post-commit.autoloop-chained ] || fail "setup: no chained hook in .githooks"

  install_autoloop --no-config-file
  assert_contains "$OUT" "post-commit  converted"
  no_binaries .githooks
  assert_no_file .githooks/post-commit.autoloop-chained
  assert_contains "$(cat .githooks/post-commit)" 'echo "post-commit ran"' "the chained script is the hook again"
  assert_contains "$(cat .githooks/post-commit)" "git autoloop hook post-commit"
  py_finding b.py
  commit_all one
  wait_for_scan
  assert_eq "python/compare-to-none b.py:1 open new=true" "$(queue_rows)" "queue"
  assert_eq "post-commit ran" "$(cat "$E2E_TEST_DIR/marker")" "the project's post-commit"
}

test_hook_line_without_git_autoloop_on_path() {
  # A teammate without git-autoloop: the line does nothing, and the commit and push go through.
  new_repo
  git config core.hooksPath .githooks
  install_autoloop --no-config-file
  py_finding c.py
  git add -A
  PATH=/usr/bin:/bin git commit -q -m "without git-autoloop" 2>"$E2E_TEST_DIR/err"
  assert_eq "" "$(cat "$E2E_TEST_DIR/err")" "stderr of the commit"
  git init -q --bare "$E2E_TEST_DIR/remote.git"
  PATH=/usr/bin:/bin expect_rc 0 git push -q "$E2E_TEST_DIR/remote.git" main
}

test_husky() {
  husky_repo
  # husky's scripts are generated, and ignored by git (.husky/_/.gitignore).
  assert_eq '#!/usr/bin/env sh
. "$(dirname "$0")/h"' "$(cat .husky/_/post-commit)" "husky's post-commit"
  install_autoloop --no-config-file
  assert_contains "$OUT" "post-commit  line added"
  assert_contains "$OUT" "husky regenerates"
  no_binaries .husky/_
  assert_eq "" "$(git status --porcelain --ignored=no)" "the work tree after install"
  # The line comes before husky's `. h`, which exits when .husky/post-commit does not exist.
  assert_eq "2" "$(grep -n 'git autoloop hook post-commit' .husky/_/post-commit | cut -d: -f1)" "line of the call"
  py_finding a.py
  commit_all one
  wait_for_scan
  assert_eq "python/compare-to-none a.py:1 open new=true" "$(queue_rows)" "queue"
  expect_rc 0 git autoloop doctor

  # `npm install` runs husky again: the scripts are rewritten, and doctor tells.
  run_husky
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "post-commit: $PWD/.husky/_/post-commit no longer calls \`git autoloop hook post-commit\`"
  assert_contains "$OUT" "add \`git autoloop hook post-commit \"\$@\"\` to .husky/post-commit"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "0/4 installed"

  # The README's husky snippet: the project's own .husky/<hook>, which survives `npm install`.
  local hook
  for hook in post-commit post-merge post-rewrite pre-push; do
    printf 'git autoloop hook %s "$@"\n' "$hook" >".husky/$hook"
  done
  run_husky
  expect_rc 0 git autoloop doctor
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "4/4 installed"
  py_finding b.py
  commit_all two
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none b.py:1 open new=true" "queue after the snippet"
}

run_test "a tracked .githooks/: a line in each script, never a binary; doctor sees it replaced; uninstall" test_tracked_githooks
run_test "a binary an earlier install put in .githooks/ becomes the project's script again, with the line" test_hooks_path_binary_from_an_earlier_install
run_test "the line does nothing where git-autoloop is not on PATH" test_hook_line_without_git_autoloop_on_path
run_test "husky 9 from npm: the line in .husky/_, doctor after husky rewrote it, the README snippet" test_husky
finish
