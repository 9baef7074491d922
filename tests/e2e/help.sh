#!/bin/bash
# Help like git's: `git autoloop` alone, `help [COMMAND]` with examples, "did you mean" for unknown commands
# and options, the manual page behind `git help autoloop` and `git autoloop --help`, the bash completion.
# The page and the completion are the ones the build generated (build/man, build/completion).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_overview_and_command_help() {
  new_repo
  expect_rc 0 git autoloop
  assert_contains "$OUT" "usage: git autoloop"
  for c in install status queue drain review report rules; do
    grep -q "^   $c " <<<"$OUT" || fail "the overview does not list $c:
$OUT"
  done
  assert_not_contains "$OUT" "merge-driver" "the overview (internal commands)"
  expect_rc 0 git autoloop help
  assert_contains "$OUT" "usage: git autoloop"
  expect_rc 0 git autoloop help drain
  assert_contains "$OUT" "--max"
  assert_contains "$OUT" "Examples:"
  assert_contains "$OUT" "git autoloop drain --now"
  expect_rc 0 git autoloop review -h
  assert_contains "$OUT" "git autoloop review --accept"
  expect_rc 2 git autoloop help draim
  assert_contains "$ERR" "did you mean 'drain'?"
}

test_did_you_mean() {
  new_repo
  expect_rc 2 git autoloop drian
  assert_contains "$ERR" "'drian' is not a git-autoloop command. See 'git autoloop help'."
  assert_contains "$ERR" "The most similar command is"
  assert_contains "$ERR" "drain"
  expect_rc 2 git autoloop xyzzy
  assert_contains "$ERR" "'xyzzy' is not a git-autoloop command"
  assert_not_contains "$ERR" "most similar"
  # A global option's value is not taken for a command.
  expect_rc 2 git autoloop -c scan.max_file_size=1 sacn
  assert_contains "$ERR" "'sacn' is not a git-autoloop command"
  assert_contains "$ERR" "scan"
  expect_rc 2 git autoloop queue --stauts open
  assert_contains "$ERR" "unknown option '--stauts' for 'git autoloop queue'; did you mean '--status'?"
  expect_rc 2 git autoloop review --acept 3
  assert_contains "$ERR" "did you mean '--accept'?"
}

test_did_you_mean_for_values() {
  new_repo
  printf 'x\n' >x.txt
  commit_all "base"
  # --format on the commands that report state.
  local c
  for c in queue scan review status doctor "ci --base HEAD"; do
    # shellcheck disable=SC2086 # "ci --base HEAD" is three words
    expect_rc 2 git autoloop $c --format jsno
    assert_contains "$ERR" "git-autoloop: error: unknown format 'jsno'" "$c --format jsno"
    assert_contains "$ERR" "(did you mean 'json'?)" "$c --format jsno"
  done
  # Values CLI11 checks: the same prefix, what is expected, the closest.
  expect_rc 2 git autoloop report --format htm
  assert_contains "$ERR" "git-autoloop: error: --format: unknown value 'htm' (expected text, json, html, prometheus) (did you mean 'html'?)"
  expect_rc 2 git autoloop rules --format jsno
  assert_contains "$ERR" "git-autoloop: error: --format: unknown value 'jsno' (expected text, json) (did you mean 'json'?)"
  expect_rc 2 git autoloop drain --by dirctory
  assert_contains "$ERR" "git-autoloop: error: --by: unknown value 'dirctory' (expected file, directory) (did you mean 'directory'?)"
  expect_rc 2 git autoloop notes exprt
  assert_contains "$ERR" "git-autoloop: error: action: unknown value 'exprt' (expected export, import) (did you mean 'export'?)"
  expect_rc 2 git autoloop --color=alwyas status
  assert_contains "$ERR" "git-autoloop: error: --color: unknown value 'alwyas' (expected auto, always, never) (did you mean 'always'?)"
  # A rule id.
  expect_rc 2 git autoloop drain --sweep python/compare-to-nnoe --foreground
  assert_contains "$ERR" "git-autoloop: error: --sweep python/compare-to-nnoe: no such rule (did you mean 'python/compare-to-none'?)"
  # An option typed before the command.
  expect_rc 2 git autoloop --no-pagr status
  assert_contains "$ERR" "git-autoloop: error: unknown option '--no-pagr' for 'git autoloop'; did you mean '--no-pager'?"
  # Known ones still work; a required option CLI11 misses gets the prefix too.
  expect_rc 0 git autoloop --no-pager --color=never status
  expect_rc 2 git autoloop ci
  assert_contains "$ERR" "git-autoloop: error: --base is required"
}

test_manual_page() {
  new_repo
  local page="$AUTOLOOP_BIN_DIR/man/man1/git-autoloop.1"
  assert_file "$page" "the generated manual page"
  command -v man >/dev/null || fail "man is not installed (install.sh installs man-db)"
  # git help runs man on `git-autoloop`; the page is found on MANPATH, as it is under the install prefix.
  run_cmd env MANPATH="$AUTOLOOP_BIN_DIR/man:" MANPAGER=cat PAGER=cat MANWIDTH=100 git help autoloop
  [ "$RC" = 0 ] || fail "git help autoloop exited $RC: $ERR"
  assert_contains "$OUT" "EXIT STATUS"
  assert_contains "$OUT" "git autoloop review --accept"
  assert_contains "$OUT" "Malformed configuration or rule"
  # Each visible command has its section.
  local c
  for c in $(git autoloop | awk '/^   [a-z]/ {print $1}'); do
    grep -q "^   $c\$" <<<"$OUT" || fail "the manual has no section for $c"
  done
  run_cmd env MANPATH="$AUTOLOOP_BIN_DIR/man:" MANPAGER=cat PAGER=cat git autoloop --help
  [ "$RC" = 0 ] || fail "git autoloop --help exited $RC: $ERR"
  assert_contains "$OUT" "EXIT STATUS"
}

test_bash_completion() {
  local script="$AUTOLOOP_BIN_DIR/completion/git-autoloop"
  assert_file "$script" "the generated completion"
  complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _git_autoloop; printf "%s\n" "${COMPREPLY[@]}"' \
      _ "$script" "$@"
  }
  assert_eq "drain" "$(complete_words git autoloop dr)" "git autoloop dr<TAB>"
  assert_eq "review" "$(complete_words git-autoloop rev)" "git-autoloop rev<TAB>"
  assert_eq "--status" "$(complete_words git autoloop queue --st)" "git autoloop queue --st<TAB>"
  assert_contains "$(complete_words git autoloop drain --)" "--foreground"
  assert_not_contains "$(complete_words git autoloop "")" "merge-driver" "the commands completed"
}

test_rules_tree() {
  new_repo
  printf 'def f(x):\n    if x:\n        return open(x)\n' >a.py
  expect_rc 0 git autoloop rules --tree a.py
  assert_contains "$OUT" "; a.py as python"
  assert_contains "$OUT" "    name: (identifier [0, 4] - [0, 5])"
  assert_contains "$OUT" "              function: (identifier [2, 15] - [2, 19])"
  # Only the nodes that span line 1: nothing of the if statement.
  expect_rc 0 git autoloop rules --tree a.py --line 1
  assert_contains "$OUT" "(function_definition [0, 0] - [2, 22]"
  assert_not_contains "$OUT" "if_statement"
  # A name the grammars do not know: said, with the way out.
  printf 'x\n' >notes.txt
  expect_rc 2 git autoloop rules --tree notes.txt
  assert_contains "$ERR" "not a supported language by its name (--language NAME: python"
  expect_rc 0 git autoloop rules --tree notes.txt --language python
  assert_contains "$OUT" "(module"
  expect_rc 2 git autoloop rules --tree a.py --language cobol
  assert_contains "$ERR" "no language 'cobol'"
  # Devices and FIFOs are not read.
  expect_rc 3 git autoloop rules --tree /dev/zero --language python
}

test_one_broken_rule() {
  new_repo
  mkdir -p .git/autoloop/rules
  printf 'id: python/bad-node\nlanguage: python\ncategory: code_quality\nmessage: "x"\nquery: |\n  (no_such_node) @match\n' \
    >.git/autoloop/rules/bad-node.yml
  printf 'id: python/bad-yaml\nlanguage: python\nmessage: [unclosed\n' >.git/autoloop/rules/bad-yaml.yml
  printf 'id: python/has-pass\nlanguage: python\ncategory: code_quality\nmessage: "a pass"\nquery: |\n  (pass_statement) @match\ntests:\n  invalid: ["pass\\n"]\n  valid: ["x = 1\\n"]\n' \
    >.git/autoloop/rules/has-pass.yml
  printf 'pass\n' >a.py
  git add a.py
  git commit -qm one
  expect_rc 0 git autoloop rules
  grep -q "^python/bad-node .* broken" <<<"$OUT" || fail "rules does not show python/bad-node as broken:
$OUT"
  assert_contains "$OUT" "unknown node type in query 'no_such_node' (python)"
  assert_contains "$OUT" "bad-node.yml:6:4"
  assert_contains "$OUT" "off: python/bad-yaml: malformed: "
  assert_contains "$OUT" "bad-yaml.yml:4:1: end of sequence flow not found"
  # The scan runs the good rule and warns about the others.
  expect_rc 0 git autoloop scan --all
  assert_contains "$OUT" "[python/has-pass] a pass"
  assert_contains "$ERR" "warning: rule python/bad-node is off:"
  # rules --test fails each broken rule once, not the rules beside it.
  expect_rc 1 git autoloop rules --test
  assert_eq 2 "$(grep -c '^FAIL' <<<"$OUT")" "failures of rules --test"
  assert_contains "$OUT" "FAIL python/bad-node"
  assert_contains "$OUT" "FAIL python/bad-yaml"
  # rules.enable does not turn a broken rule on.
  expect_rc 0 git autoloop -c 'rules.enable=[python/bad-node]' scan --all
  assert_contains "$ERR" "warning: rule python/bad-node is off:"
}

run_test "help: git autoloop alone, help, help COMMAND with examples" test_overview_and_command_help
run_test "help: did you mean, for commands and options" test_did_you_mean
run_test "help: did you mean, for every value typed on the command line" test_did_you_mean_for_values
run_test "help: the manual page behind git help autoloop and --help" test_manual_page
run_test "help: bash completion of commands and options" test_bash_completion
run_test "help: rules --tree shows what a query matches" test_rules_tree
run_test "rules: a malformed rule is off and says why, the others run" test_one_broken_rule
finish
