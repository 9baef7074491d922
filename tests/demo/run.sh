#!/usr/bin/env bash
# The whole loop on a throwaway repository, each command shown as it runs: a commit the hooks scan in the
# background, the queue it filled, a drain that commits validated fixes (the demo's Python tests run on
# each) on the side branch, the fix commits there, `review --list`, one `review --accept`.
#
#   tests/demo/run.sh BIN_DIR      BIN_DIR holds git-autoloop and autoloop-hook (a build directory)
#
# `./install.sh --demo` builds, then runs this; tests/e2e/demo.sh runs it on the build under test.
# The repository is kept (its path is printed last). Environment: TMPDIR (where it goes).
set -euo pipefail

[ $# = 1 ] || { echo "usage: $0 BIN_DIR" >&2; exit 2; }
bin_dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
for b in git-autoloop autoloop-hook; do
  [ -x "$bin_dir/$b" ] || { echo "demo: $bin_dir/$b is missing: build it first" >&2; exit 1; }
done
# The commands below say `git autoloop`, as a user would type them: git finds git-autoloop on PATH.
export PATH="$bin_dir:$PATH"

say() { printf '\n== %s\n' "$*"; }
# shown COMMAND...: prints the command as typed, then runs it (its output indented).
shown() {
  local typed="" word
  for word in "$@"; do
    case $word in
      '' | *[!A-Za-z0-9_./:=@%+,-]*) word="'${word//\'/\'\\\'\'}'" ;; # single-quoted, as a user would type it
    esac
    typed+=" $word"
  done
  printf '$%s\n' "$typed"
  "$@" 2>&1 | sed 's/^/    /'
  return "${PIPESTATUS[0]}"
}
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

# Waits until the background scan took every hook event and finished.
wait_for_scan() {
  local d=.git/autoloop
  for _ in $(seq 1 300); do
    if [ -z "$(ls -A "$d/spool" 2>/dev/null)" ] && flock -n "$d/scan.lock" true 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "the background scan did not finish in 30 s (see $PWD/$d/log/)"
}

started=$SECONDS
demo=$(mktemp -d "${TMPDIR:-/tmp}/autoloop-demo.XXXXXX")
cd "$demo"

say "a repository with some Python, JavaScript and C++ ($demo)"
cp -R "$here/before/." .
git init -q -b main .
git config user.name "Demo" && git config user.email demo@example.invalid
git add -A && git commit -q -m "Before git-autoloop"
printf '$ git autoloop install --no-config-file\n'
git autoloop install --no-config-file >/dev/null
echo "    (hooks and merge driver installed; \`git autoloop doctor\` checks them)"
# This machine's settings, outside the tracked tree (no `trust` needed): the tests each fix must pass, and
# no drain of the worker's own while the demo drains by hand.
cat >.git/autoloop/config.yml <<'YAML'
test_command: python3 -m tests.test_inventory
autonomous_loop: {scan_interval: 1000000, debounce: 0}
YAML
shown cat .git/autoloop/config.yml
# One cycle that adds nothing, so that scan_interval counts from it and the worker leaves drains to us.
git autoloop drain --now --foreground --max 0 >/dev/null

say "a commit: the hooks return at once, the scan runs in the background"
cp -R "$here/after/." .
git add -A
commit_started=$(date +%s%N)
shown git commit -q -m "Add features in Python, JavaScript and C++"
echo "    (the commit took $((($(date +%s%N) - commit_started) / 1000000)) ms with the hooks installed)"
wait_for_scan
shown git autoloop status
shown git autoloop queue

say "a drain: the best findings become fix commits, each validated by the tests, on a side branch"
shown git autoloop drain --now --foreground
shown git log --format='%h %s' main..autoloop/main
[ -n "$(git rev-list main..autoloop/main)" ] || die "the drain made no fix commit"

say "review: nothing lands on main until you accept it"
shown git autoloop review --list
id=$(git autoloop review --list --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
shown git autoloop review --accept "$id"
shown git log --format='%h %an: %s' -3 main

say "done in $((SECONDS - started)) s; the demo repository is kept at $demo"
echo "To look around:  cd $demo && export PATH=\"$bin_dir:\$PATH\"   (then: git autoloop review, git autoloop report)"
