#!/bin/bash
# The syntax-aware merge driver (README "Merge driver") through real git: `git merge`, `git rebase` and
# `git cherry-pick` with the driver installed resolve structured cases and leave real conflicts;
# `git autoloop resolve` redoes merges made without the driver; install/uninstall round-trip the driver's
# config and attributes; `--attributes` touches .gitattributes and nothing else.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# driver_repo: a repository with the hooks and the driver installed, the loop stopped (the hooks' background
# scans play no part here), and one base commit of shop.py and app.js.
driver_repo() {
  new_repo
  install_autoloop --no-config-file
  expect_rc 0 git autoloop stop
  cat >shop.py <<'PY'
import os


class Cart:
    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)


def main():
    return Cart()
PY
  cat >app.js <<'JS'
import { a } from "./a.js";

export function run() {
  return a();
}
JS
  commit_all "base"
}

# Adds a different method at the end of class Cart on `topic` and on main; leaves main checked out.
diverge_cart() {
  git checkout -q -b topic
  "$PYTHON" - <<'PY'
s = open("shop.py").read()
s = s.replace("        self.items.append(item)\n", "        self.items.append(item)\n\n    def total(self):\n        return sum(i.price for i in self.items)\n")
open("shop.py", "w").write(s)
PY
  commit_all "topic: Cart.total"
  git checkout -q main
  "$PYTHON" - <<'PY'
s = open("shop.py").read()
s = s.replace("        self.items.append(item)\n", "        self.items.append(item)\n\n    def clear(self):\n        self.items = []\n")
open("shop.py", "w").write(s)
PY
  commit_all "main: Cart.clear"
}

# assert_both_methods: shop.py has clear() then total() inside Cart, and no conflict markers.
assert_both_methods() {
  local text
  text=$(cat shop.py)
  assert_not_contains "$text" "<<<<<<<" "shop.py"
  assert_contains "$text" "    def clear(self):
        self.items = []

    def total(self):
        return sum(i.price for i in self.items)


def main():" "shop.py"
}

test_merge_structured() {
  driver_repo
  diverge_cart
  echo "scratch" >notes.txt
  echo "# local" >>app.js
  local before
  before=$(sha1sum notes.txt app.js)
  expect_rc 0 git merge -q --no-edit topic
  assert_both_methods
  assert_eq "" "$(git ls-files -u)" "unmerged entries"
  assert_eq "2" "$(git rev-list --parents -n1 HEAD | wc -w | awk '{print $1 - 1}')" "parents of the merge commit"
  assert_eq "$before" "$(sha1sum notes.txt app.js)" "the user's other files"
  # Without the driver, git itself conflicts on the same histories.
  git reset -q --hard HEAD^
  echo "# local" >>app.js
  expect_rc 1 git -c merge.autoloop.driver=false merge -q --no-edit topic
}

test_rebase_imports() {
  driver_repo
  git checkout -q -b topic
  printf 'import { a } from "./a.js";\nimport { b } from "./b.js";\n\nexport function run() {\n  return a() + b();\n}\n' >app.js
  commit_all "topic: use b"
  git checkout -q main
  printf 'import { a } from "./a.js";\nimport { c } from "./c.js";\n\nexport function run() {\n  return a();\n}\n\nexport function check() {\n  return c();\n}\n' >app.js
  commit_all "main: add check"
  git checkout -q topic
  expect_rc 0 git rebase -q main
  assert_eq 'import { a } from "./a.js";
import { c } from "./c.js";
import { b } from "./b.js";

export function run() {
  return a() + b();
}

export function check() {
  return c();
}' "$(cat app.js)" "app.js after the rebase"
  assert_eq "$(git rev-parse main)" "$(git rev-parse HEAD^)" "topic rebased onto main"
}

test_cherry_pick() {
  driver_repo
  diverge_cart
  expect_rc 0 git cherry-pick topic
  assert_both_methods
  assert_eq "topic: Cart.total" "$(git log -1 --format=%s)" "the picked commit"
}

test_real_conflict() {
  driver_repo
  git checkout -q -b topic
  sed -i 's/self.items = \[\]$/self.items = list()/' shop.py
  commit_all "topic: list()"
  git checkout -q main
  sed -i 's/self.items = \[\]$/self.items = [None]/' shop.py
  commit_all "main: [None]"
  expect_rc 1 git merge -q --no-edit topic
  local text
  text=$(cat shop.py)
  assert_contains "$text" "<<<<<<< ours
        self.items = [None]
=======
        self.items = list()
>>>>>>> theirs" "shop.py"
  assert_eq "3" "$(git ls-files -u -- shop.py | wc -l | tr -d ' ')" "unmerged stages of shop.py"
  # Exactly git's own line merge of the three stages.
  git show :1:shop.py >base.tmp
  git show :2:shop.py >ours.tmp
  git show :3:shop.py >theirs.tmp
  assert_eq "$(git merge-file -p -L ours -L base -L theirs ours.tmp base.tmp theirs.tmp || true)" "$text" "the conflict vs git merge-file"
  rm -f base.tmp ours.tmp theirs.tmp
  # diff3 from merge.conflictStyle
  git merge --abort
  expect_rc 1 git -c merge.conflictStyle=diff3 merge -q --no-edit topic
  assert_contains "$(cat shop.py)" "||||||| base" "shop.py in diff3 style"
  # From a file the repository's config includes (the driver reads the files itself) ...
  git merge --abort
  printf '[merge]\n\tconflictStyle = diff3\n' >.git/styles.inc
  git config include.path styles.inc
  expect_rc 1 git merge -q --no-edit topic
  assert_contains "$(cat shop.py)" "||||||| base" "shop.py in diff3 style (include.path)"
  # ... and through an includeIf, which it leaves to `git config`.
  git merge --abort
  git config --unset include.path
  expect_rc 1 git merge -q --no-edit topic
  assert_not_contains "$(cat shop.py)" "||||||| base" "shop.py in merge style (no include)"
  git merge --abort
  git config includeIf.gitdir:/.path styles.inc
  expect_rc 1 git merge -q --no-edit topic
  assert_contains "$(cat shop.py)" "||||||| base" "shop.py in diff3 style (includeIf)"
}

test_resolve_after_driverless_merge() {
  driver_repo
  diverge_cart
  # A merge tool that ignores merge drivers: here the driver disabled on the command line.
  expect_rc 1 git -c merge.autoloop.driver=false merge -q --no-edit topic
  assert_eq "3" "$(git ls-files -u -- shop.py | wc -l | tr -d ' ')" "unmerged stages before resolve"
  expect_rc 0 git autoloop resolve
  assert_contains "$OUT" "resolved   shop.py (structured merge)"
  assert_both_methods
  assert_eq "" "$(git ls-files -u)" "unmerged entries after resolve"
  assert_eq "$(git hash-object shop.py)" "$(git rev-parse :shop.py)" "staged shop.py vs the work tree"
  expect_rc 0 git commit -q --no-edit
  assert_eq "" "$(git status --porcelain --untracked-files=no)" "status after the commit"
}

test_resolve_with_markers_left_by_git() {
  driver_repo
  diverge_cart
  AUTOLOOP_MERGE=0 run_cmd git merge -q --no-edit topic
  assert_eq 1 "$RC" "merge with AUTOLOOP_MERGE=0"
  assert_contains "$(cat shop.py)" "<<<<<<< ours" "shop.py after the line merge"
  expect_rc 0 git autoloop resolve shop.py
  assert_both_methods
  assert_eq "" "$(git ls-files -u)" "unmerged entries after resolve"
}

test_resolve_leaves_true_conflict() {
  driver_repo
  git checkout -q -b topic
  sed -i 's/return Cart()/return Cart() or 1/' shop.py
  commit_all "topic"
  git checkout -q main
  sed -i 's/return Cart()/return Cart() or 2/' shop.py
  commit_all "main"
  expect_rc 1 git -c merge.autoloop.driver=false merge -q --no-edit topic
  expect_rc 1 git autoloop resolve
  assert_contains "$OUT" "conflict   shop.py"
  assert_contains "$(cat shop.py)" "<<<<<<< ours
    return Cart() or 2
=======
    return Cart() or 1
>>>>>>> theirs" "shop.py"
  assert_eq "3" "$(git ls-files -u -- shop.py | wc -l | tr -d ' ')" "shop.py stays unmerged"
}

test_install_uninstall_round_trip() {
  new_repo
  printf '*.md text\n' >.git/info/attributes
  git config merge.other.driver cat
  echo "readme" >README.md
  commit_all "base"
  local config_before attributes_before
  config_before=$(cat .git/config)
  attributes_before=$(cat .git/info/attributes)
  install_autoloop --no-config-file
  assert_contains "$OUT" "merge.autoloop.driver  added"
  assert_eq "'$AUTOLOOP_BIN_DIR/autoloop-merge' %O %A %B %L %P" "$(git config merge.autoloop.driver)" "driver"
  assert_eq "src/x.tsx: merge: autoloop" "$(git check-attr merge -- src/x.tsx)" "attribute of a .tsx file"
  assert_eq "README.md: merge: unspecified" "$(git check-attr merge -- README.md)" "attribute of README.md"
  assert_contains "$(cat .git/info/attributes)" "*.md text" "info/attributes keeps the user's line"
  assert_no_file .gitattributes
  expect_rc 0 git autoloop doctor
  assert_contains "$OUT" "ok    merge.autoloop.driver runs $AUTOLOOP_BIN_DIR/autoloop-merge"
  # A second install changes nothing.
  local attributes_installed
  attributes_installed=$(cat .git/info/attributes)
  install_autoloop --no-config-file
  assert_contains "$OUT" "info/attributes        unchanged"
  assert_eq "$attributes_installed" "$(cat .git/info/attributes)" "info/attributes after a second install"
  expect_rc 0 git autoloop uninstall
  assert_eq "$config_before" "$(cat .git/config)" ".git/config after uninstall"
  assert_eq "$attributes_before" "$(cat .git/info/attributes)" "info/attributes after uninstall"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "merge.autoloop.driver is not set"
}

test_attributes_flag() {
  new_repo
  printf '*.png binary\n' >.gitattributes
  echo "x = 1" >a.py
  commit_all "base"
  echo "untracked" >notes.txt
  echo "y = 2" >>a.py
  local before
  before=$(snapshot | grep -v -e '\.gitattributes' -e '^index-file' -e '^unstaged' -e '^HEAD')
  install_autoloop --no-config-file --attributes
  assert_contains "$OUT" ".gitattributes         added"
  assert_eq " M .gitattributes
 M a.py
?? notes.txt" "$(git status --porcelain)" "status after install --attributes"
  assert_contains "$(cat .gitattributes)" "*.png binary
# >>> git-autoloop merge driver" ".gitattributes"
  assert_eq "$before" "$(snapshot | grep -v -e '\.gitattributes' -e '^index-file' -e '^unstaged' -e '^HEAD')" "everything but .gitattributes"
  expect_rc 0 git autoloop uninstall
  assert_eq "*.png binary" "$(cat .gitattributes)" ".gitattributes after uninstall"
}

run_test "git merge resolves both sides adding a method at the end of one class" test_merge_structured
run_test "git rebase keeps both sides' imports" test_rebase_imports
run_test "git cherry-pick resolves with the driver" test_cherry_pick
run_test "a real same-line conflict is left as git would (styles from merge.conflictStyle)" test_real_conflict
run_test "resolve merges a conflict left by a merge without the driver and stages it" test_resolve_after_driverless_merge
run_test "resolve merges a file git left with markers (AUTOLOOP_MERGE=0)" test_resolve_with_markers_left_by_git
run_test "resolve leaves a true conflict with markers and unmerged" test_resolve_leaves_true_conflict
run_test "install and uninstall of the driver round-trip config and attributes" test_install_uninstall_round_trip
run_test "install --attributes changes .gitattributes and nothing else" test_attributes_flag
finish
