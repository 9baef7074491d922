#!/bin/bash
# Hostile repositories: a repository cloned from a stranger is input, and nothing it holds may act outside
# the gates (README "Safety"; docs/ARCHITECTURE.md §7, invariant 8). Every case is one attack: the attacker publishes
# a repository, the user clones it, installs the hooks, does NOT trust it, makes one ordinary commit, lets
# the worker run, and uses the loop (status, queue, scan --all, drain, review --list). Then:
#   - no command of the attacker ran (every attacker command would touch a file in $MARKS);
#   - every command finished within HOSTILE_TIMEOUT seconds, did not crash, and peaked below
#     HOSTILE_MAX_RSS_KB (nothing read or ran without bound);
#   - a canary directory beside the repository and a canary $HOME are byte-identical (names, modes, sizes,
#     mtimes, content; *.lock files included): nothing outside the repository was written;
#   - the user's HEAD, index, work tree (content, modes), stashes, branches, tags, remote refs, .git/config
#     and hooks are byte-identical; only .git/autoloop/ and refs/heads/autoloop/* may have changed;
#   - the queue and the side branches pass tests/e2e/invariants.py.
# A case may add its own checks (e.g. that a rule file outside the repository was not loaded).
# FIGURES: attacks_tried, attacks_held (cases whose every assertion passed), commands_run, max_rss_kb, max_command_ms.
. "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"

# ============================================================================================================
# Attacks named in issue 10 ("Why"): config values as paths, repository rules, unbounded reads, globs.
# ============================================================================================================

# side_branch_prefix climbing out of .git/refs/heads: recover() deleted every *.lock below the parent dir.
test_prefix_climbs_out() {
  upstream
  printf 'side_branch_prefix: "../../../../"\n' >.autoloop.yml
  publish "prefix"
  clone_as_user
  attack
  held
}

# ============================================================================================================
# New attacks.
# ============================================================================================================

# side_branch_prefix that is an absolute path: std::filesystem's `/` replaces the base with it.
test_prefix_absolute_path() {
  upstream
  printf 'side_branch_prefix: "%s/"\n' "$OUTSIDE" >.autoloop.yml
  publish "prefix"
  clone_as_user
  attack
  held
}

# side_branch_prefix naming a namespace where the user has a branch whose tip carries a forged
# "Autoloop-Rule:" trailer (the only proof the loop asks for that a side branch is its own).
test_prefix_onto_forged_user_branch() {
  upstream
  publish "base"
  git checkout -q -b release/main
  printf 'release notes\n' >NOTES
  git add NOTES
  git commit -q --no-verify -m "release branch" -m "Autoloop-Rule: python/compare-to-none"
  git checkout -q main
  printf 'side_branch_prefix: "release/"\n' >.autoloop.yml
  publish "prefix"
  clone_as_user
  git branch -q --track release/main origin/release/main
  attack
  held
  assert_eq "$(git rev-parse origin/release/main)" "$(git rev-parse release/main)" "the user's release/main"
}


# A repository rule reusing a built-in id, marked safe, whose fix inserts code: no fix of it is committed
# before trust (and so `review --accept-all` cannot commit it as the user).
test_rule_shadows_builtin_id() {
  upstream
  mkdir -p .autoloop/rules/python
  cat >.autoloop/rules/python/compare-to-none.yml <<EOF2
id: python/compare-to-none
language: python
category: code_quality
severity: warning
safety: safe
message: "Comparison to None should use is"
query: "(if_statement condition: (comparison_operator) @op) @match"
fix:
  - replace: "@op"
    with: "__import__('os').system(\"$(attacker_cmd rule-fix)\")"
EOF2
  publish "a rule"
  clone_as_user
  attack
  held
  assert_not_contains "$(side_diff)" "__import__" "fix commits on the side branch"
}

# .autoloop.yml a symlink to /dev/zero: every command read without bound (4 GB, then bad_alloc).
test_config_symlink_dev_zero() {
  ulimit -v 3000000 # a break fails in seconds instead of taking the machine's memory
  upstream
  ln -s /dev/zero .autoloop.yml
  publish "config"
  clone_as_user
  attack
  held
}

# metrics.coverage_report naming /dev/zero.
test_coverage_report_dev_zero() {
  ulimit -v 3000000
  upstream
  printf 'metrics: {coverage_report: /dev/zero}\n' >.autoloop.yml
  publish "coverage"
  clone_as_user
  attack
  held
}

# A rule's query file a symlink to /dev/zero.
test_rule_query_dev_zero() {
  ulimit -v 3000000
  upstream
  mkdir -p .autoloop/rules/python
  printf 'id: repo/zero\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "z"\n' \
    >.autoloop/rules/python/zero.yml
  ln -s /dev/zero .autoloop/rules/python/zero.scm
  publish "rule"
  clone_as_user
  attack
  held
}

# scan.exclude with twelve `**/` segments (exponential backtracking in the glob matcher) against a deep path.
test_exclude_glob_blowup() {
  upstream
  printf 'scan: {exclude: ["**/**/**/**/**/**/**/**/**/**/**/**/x"]}\n' >.autoloop.yml
  local deep
  deep=$(printf 'd/%.0s' $(seq 40))
  mkdir -p "$deep"
  py "${deep}deep.py"
  publish "exclude"
  clone_as_user
  attack
  held
}

# ---------------------------------------------------------------------------------------------------------
# Ref names

# prefix_attack SPELLING [SIDE_REFS]: a tracked side_branch_prefix of SPELLING (a YAML double-quoted string).
prefix_attack() {
  upstream
  printf 'side_branch_prefix: "%s"\n' "${1//@OUTSIDE@/$OUTSIDE}" >.autoloop.yml
  publish "prefix"
  clone_as_user
  [ -z "${2:-}" ] || SIDE_REFS=$2
  attack
  held
}

# ../tags/: the side branch refs/heads/../tags/main; lock files of another git process under refs/tags.
test_prefix_into_tags() {
  upstream
  printf 'side_branch_prefix: "../tags/"\n' >.autoloop.yml
  publish "prefix"
  git tag -a -m v1 v1
  clone_as_user
  mkdir -p .git/refs/tags
  printf 'held\n' >.git/refs/tags/v2.lock # another git process is writing tag v2
  attack
  held
  assert_file .git/refs/tags/v2.lock "another git process's ref lock"
}

# A prefix that is a git option: a side branch name passed to git's command line would be read as one.
test_prefix_git_option() { prefix_attack "--output=@OUTSIDE@/pwned-" '^refs/heads/--output='; }
# Names git's ref rules refuse.
test_prefix_dot_lock() { prefix_attack "x.lock/"; }
test_prefix_dotdot() { prefix_attack "x..y/"; }
test_prefix_reflog_syntax() { prefix_attack "@{-1}/"; }
test_prefix_newline() { prefix_attack 'a\nb/'; }

# The upstream's default branch is named like a git option (clone checks it out): the side branch and
# anything built from the branch name.
test_branch_named_like_an_option() {
  upstream
  publish "base"
  git update-ref "refs/heads/--output=$OUTSIDE/pwned" HEAD
  git symbolic-ref HEAD "refs/heads/--output=$OUTSIDE/pwned"
  clone_as_user
  attack
  held
}

# A side_branch_prefix of 300 characters: every side ref name is longer than a file name may be.
test_prefix_too_long() { prefix_attack "$(printf 'p%.0s' $(seq 300))/" '^refs/heads/p{300}/'; }

# A forged side branch on the remote: refs/remotes/origin/autoloop/main with Autoloop-* trailers.
forged_side_branch() {
  upstream
  publish "base"
  git checkout -q -b autoloop/main
  printf 'import os\nos.system("%s")\n' "$(attacker_cmd forged)" >payload.py
  git add payload.py
  git commit -q --no-verify -m "autoloop(python/compare-to-none): Comparison to None" -m "Autoloop-Rule: python/compare-to-none
Autoloop-Opportunity: 1
Autoloop-Fingerprint: 0123456789abcdef
Autoloop-Validated: tests"
  git checkout -q main
}

test_forged_remote_side_branch() {
  forged_side_branch
  clone_as_user
  attack
  held
  assert_not_contains "$(git autoloop review --list 2>&1)" "payload" "review --list"
}

# The user looked at the forged branch (`git checkout autoloop/main` makes a local branch of it) and went
# back: accepting the loop's fixes must never commit the attacker's.
test_forged_local_side_branch_accept_all() {
  forged_side_branch
  clone_as_user
  git checkout -q autoloop/main
  git checkout -q main
  # The user made this autoloop/main (from the forged remote branch): it is theirs, so it is part of
  # the snapshot, and the side-branch invariants (which hold for the loop's branches) do not apply.
  SIDE_REFS='^refs/heads/no-side-branches-here/'
  attack
  held --prefix no-side-branches-here/
  assert_eq "$(git rev-parse origin/autoloop/main)" "$(git rev-parse autoloop/main)" "the user's autoloop/main"
  bounded "review --accept-all" git autoloop review --accept-all
  assert_no_file payload.py "the forged fix's file in the work tree"
  assert_eq "" "$(git log --format=%H -- payload.py)" "the forged fix in the user's history"
}

# ---------------------------------------------------------------------------------------------------------
# Config values naming identities and paths

# identity.* with a newline: a commit header of the attacker's choosing in every fix commit.
test_identity_name_header_injection() {
  upstream
  printf 'identity: {name: "Bot\\nparent 1111111111111111111111111111111111111111\\nx", email: bot@x}\n' >.autoloop.yml
  publish "identity"
  clone_as_user
  attack
  held --fsck
  local c
  for c in $(git rev-list --all --not main origin/main); do
    assert_eq "" "$(git cat-file commit "$c" | sed '/^$/q' | grep -Ev '^(tree|parent|author|committer) ' || true)" "extra header lines in $c"
  done
}

test_identity_email_header_injection() {
  upstream
  printf 'identity: {name: Bot, email: "bot@x> 0 +0000\\ncommitter Forged <f@x"}\n' >.autoloop.yml
  publish "identity"
  clone_as_user
  attack
  held --fsck
  local c
  for c in $(git rev-list --all --not main origin/main); do
    assert_eq "1" "$(git cat-file commit "$c" | sed '/^$/q' | grep -c '^committer ')" "committer lines in $c"
  done
}

# rules.directory naming a directory outside the repository: its rules are not loaded.
rules_dir_attack() {
  upstream
  printf 'rules: {directory: "%s"}\n' "${1//@OUTSIDE@/$OUTSIDE}" >.autoloop.yml
  publish "rules directory"
  clone_as_user
  attack
  held
  assert_not_contains "$(queue_rules)" "outside/" "rules in the queue"
}
test_rules_directory_absolute() { rules_dir_attack "@OUTSIDE@/rules"; }
test_rules_directory_relative_escape() { rules_dir_attack "../outside/rules"; }

# The default rules directory committed as a symlink out of the work tree.
test_rules_directory_symlink() {
  upstream
  mkdir -p .autoloop
  ln -s ../../outside/rules .autoloop/rules
  publish "rules symlink"
  clone_as_user
  attack
  held
  assert_not_contains "$(queue_rules)" "outside/" "rules in the queue"
}

# metrics.coverage_report outside the work tree (absolute, or a committed symlink): not read.
test_coverage_report_absolute() {
  upstream
  printf 'metrics: {coverage_report: "%s"}\n' "$OUTSIDE/cov.info" >.autoloop.yml
  publish "coverage"
  clone_as_user
  attack
  held
  assert_eq "0" "$(db_query "SELECT count(*) FROM commit_coverage")" "coverage recorded from a file outside"
}

test_coverage_report_symlink() {
  upstream
  printf 'metrics: {coverage_report: cov.info}\n' >.autoloop.yml
  ln -s ../outside/cov.info cov.info
  publish "coverage"
  clone_as_user
  attack
  held
  assert_eq "0" "$(db_query "SELECT count(*) FROM commit_coverage")" "coverage recorded from a file outside"
}

# .autoloop.yml a symlink to a regular file outside (which sets side_branch_prefix: leaked/).
test_config_symlink_outside() {
  upstream
  ln -s ../outside/config.yml .autoloop.yml
  publish "config"
  clone_as_user
  attack
  held
  assert_eq "" "$(git for-each-ref refs/heads/leaked/)" "side branches named by a config outside"
}

# Paths of the wrong kind: .autoloop.yml a directory, rules.directory a file, coverage_report a directory.
test_paths_of_the_wrong_kind() {
  upstream
  mkdir -p .autoloop.yml
  printf 'test_command: "%s"\n' "$(attacker_cmd nested)" >.autoloop.yml/config.yml
  publish "odd kinds"
  clone_as_user
  attack
  held
  cd "$E2E_TEST_DIR/upstream"
  git rm -rq .autoloop.yml
  printf 'rules: {directory: README}\nmetrics: {coverage_report: .autoloop}\n' >.autoloop.yml
  mkdir -p .autoloop
  printf 'x\n' >.autoloop/keep
  publish "more odd kinds"
  cd "$E2E_TEST_DIR/repo"
  git -c pull.rebase=false pull -q --no-edit origin main
  CANARY_BEFORE=$(canary_state)
  USER_BEFORE=$(user_state)
  loop_commands
  held
}

# ---------------------------------------------------------------------------------------------------------
# Sizes and shapes of data

# An 8 MB .autoloop.yml (a regular file): read with a cap, not whole by every command.
test_config_huge() {
  upstream
  { printf 'scan: {threads: 1}\n'; head -c 8388608 /dev/zero | tr '\0' '#'; printf '\n'; } >.autoloop.yml
  publish "config"
  clone_as_user
  attack
  held
}

# YAML "billion laughs": nine levels of aliases, each ten of the one below.
test_config_billion_laughs() {
  upstream
  # rules.disable is a list of strings: its elements here are ten-fold nested aliases (10^10 leaves).
  local i
  {
    printf 'rules:\n  disable:\n    - &a0 [x, x, x, x, x, x, x, x, x, x]\n'
    for i in 1 2 3 4 5 6 7 8 9; do
      printf '    - &a%d [' "$i"
      printf '*a%d, ' $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1)) $((i - 1))
      printf '*a%d]\n' $((i - 1))
    done
  } >.autoloop.yml
  publish "laughs"
  clone_as_user
  attack
  held
}

# 100,000 nested flow sequences in .autoloop.yml (a recursive parser's stack).
test_config_deep_nesting() {
  upstream
  { printf 'languages: '; head -c 100000 /dev/zero | tr '\0' '['; } >.autoloop.yml
  publish "deep"
  clone_as_user
  attack
  held
}

# The same in a repository rule file.
test_rule_file_deep_nesting() {
  upstream
  mkdir -p .autoloop/rules/python
  { printf 'id: repo/deep\nlanguage: python\nmessage: '; head -c 100000 /dev/zero | tr '\0' '{'; } >.autoloop/rules/python/deep.yml
  publish "deep rule"
  clone_as_user
  attack
  held
}

# A query nested 50,000 parentheses deep (tree-sitter's query parser recurses).
test_rule_query_deep_nesting() {
  upstream
  mkdir -p .autoloop/rules/python
  printf 'id: repo/deepq\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "q"\n' \
    >.autoloop/rules/python/deepq.yml
  { head -c 50000 /dev/zero | tr '\0' '('; printf 'identifier'; head -c 50000 /dev/zero | tr '\0' ')'; printf ' @match\n'; } \
    >.autoloop/rules/python/deepq.scm
  publish "deep query"
  clone_as_user
  attack
  held
}

# A #match? predicate with catastrophic backtracking, against 3,000 identifiers that make it backtrack.
test_rule_regex_backtracking() {
  upstream
  mkdir -p .autoloop/rules/python
  cat >.autoloop/rules/python/redos.yml <<'EOF2'
id: repo/redos
language: python
category: code_quality
severity: info
safety: suggest
message: "r"
query: |
  ((identifier) @match (#match? @match "^(a|aa)*$"))
EOF2
  local i
  for i in $(seq 3000); do printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab = %d\n' "$i"; done >redos.py
  publish "redos"
  clone_as_user
  attack
  held
}

# 1,000 rule files in the repository's rules directory.
test_rule_directory_many_files() {
  upstream
  mkdir -p .autoloop/rules/python
  local i
  for i in $(seq 1000); do
    printf 'id: repo/r%d\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "m"\nquery: "((identifier) @match (#eq? @match \\"zz%d\\"))"\n' "$i" "$i" \
      >.autoloop/rules/python/r$i.yml
  done
  publish "many rules"
  clone_as_user
  attack
  held
}

# Source nested 100,000 parentheses deep (a recursive walk over the syntax tree).
test_source_deep_nesting() {
  upstream
  { printf 'x = '; head -c 100000 /dev/zero | tr '\0' '('; printf '1'; head -c 100000 /dev/zero | tr '\0' ')'; printf '\n'; } >deep.py
  { printf 'var x = '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; printf ';\n'; } >deep.js
  publish "deep code"
  clone_as_user
  attack
  held
}

# scan.max_file_size raised by the repository to its maximum, and a 24 MB source file.
test_max_file_size_raised() {
  upstream
  printf 'scan: {max_file_size: 9223372036854775807}\n' >.autoloop.yml
  { local i; for i in $(seq 6); do head -c 4194304 /dev/zero | tr '\0' 'a' | fold -w 80 | sed 's/^/x_/;s/$/ = None == x/'; done; } >big.py
  publish "big"
  clone_as_user
  attack
  held
}

# A fix template repeating its capture 20,000 times on a match of the whole module (a 64 KB file).
test_fix_template_explosion() {
  upstream
  mkdir -p .autoloop/rules/python
  {
    printf 'id: repo/boom\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: safe\nmessage: "b"\n'
    printf 'query: "(module) @match"\nfix:\n  - replace: "@match"\n    with: "'
    local i
    for i in $(seq 20000); do printf '@match'; done
    printf '"\n'
  } >.autoloop/rules/python/boom.yml
  { for i in $(seq 2000); do printf 'value_%d = None\n' "$i"; done; } >boom.py
  publish "boom"
  clone_as_user
  attack
  held
}

# scan.exclude with 20,000 patterns.
test_exclude_glob_count() {
  upstream
  { printf 'scan:\n  exclude:\n'; seq -f '    - "**/n%g/**/*.py"' 20000; } >.autoloop.yml
  publish "globs"
  clone_as_user
  attack
  held
}

# Files that are not text: NUL bytes, invalid UTF-8, UTF-16 with a BOM, each with a finding-shaped line.
test_binary_and_encodings() {
  upstream
  printf 'def f(x):\n    if x == None:\n        return "\0\0\0"\n' >nul.py
  printf 'def f(x):\n    if x == None:\n        return "\xff\xfe\xc3\x28"\n' >latin.py
  printf 'def f(x):\n    if x == None:\n        return 1\n' | iconv -f UTF-8 -t UTF-16 >utf16.py
  publish "encodings"
  clone_as_user
  attack
  held
  # A fix may touch such a file only where the finding is: every other byte stays as it was.
  local f
  for f in $(side_files); do
    case $f in nul.py | latin.py | utf16.py)
      assert_eq "$(sed 's/x == None/x is None/' "$f" | od -An -tx1)" "$(git show "autoloop/main:$f" | od -An -tx1)" "bytes of $f after its fix" ;;
    esac
  done
}

# ---------------------------------------------------------------------------------------------------------
# Trees git would never write

# A tree entry named .git (fsck: hasDotgit) holding a file with a finding.
test_tree_entry_dot_git() {
  upstream
  publish "base"
  local blob
  blob=$(printf 'def f(x):\n    if x == None:\n        return 1\n' | git hash-object -w --stdin)
  crafted_commit .git/evil.py 100644 "$blob" "crafted"
  clone_as_user
  attack
  held
  assert_not_contains "$(db_query "SELECT path FROM opportunities")" ".git/" "queued paths"
  assert_no_file .git/evil.py "a file written into the git directory"
}

# A gitlink named like a source file, pointing to a commit that does not exist.
test_gitlink_named_like_source() {
  upstream
  publish "base"
  crafted_commit evil.py 160000 1234567812345678123456781234567812345678 "gitlink"
  clone_as_user
  attack
  held
}

# A committed symlink (link.py -> a file with findings outside the repository): not read, not written.
test_symlink_to_outside_source() {
  upstream
  ln -s ../outside/target.py link.py
  publish "link"
  clone_as_user
  attack
  held
  assert_not_contains "$(db_query "SELECT path FROM opportunities")" "link.py" "queued paths"
}

# A fix waits on the side branch; upstream then turns its file into a symlink to a file outside, and the user
# pulls. Accepting the fix must not write through the link.
test_accept_through_committed_symlink() {
  upstream
  publish "base"
  clone_as_user
  attack bait2.py
  held
  local id
  id=$(db_query "SELECT id FROM opportunities WHERE path = 'bait.py' AND status = 'applied'")
  [ -n "$id" ] || fail "setup: no fix for bait.py on the side branch: $(queue_rows)"
  cd "$E2E_TEST_DIR/upstream"
  rm bait.py
  ln -s ../outside/target.py bait.py
  publish "bait.py becomes a link"
  cd "$E2E_TEST_DIR/repo"
  git -c pull.rebase=false pull -q --no-edit origin main
  [ -L bait.py ] || fail "setup: bait.py is not a symlink after the pull"
  CANARY_BEFORE=$(canary_state)
  USER_BEFORE=$(user_state)
  bounded "review --accept" git autoloop review --accept "$id"
  held
}

# .gitattributes sending every file through the loop's merge driver (`* merge=autoloop`; the install
# names only source files): a binary file and a 1 MB one-line source file changed on both sides.
test_gitattributes_merge_everything() {
  upstream
  printf '* merge=autoloop\n' >.gitattributes
  printf 'head\0\0\nline two\nend\0\n' >data.bin
  "$PYTHON" -c 'print("x = [" + "1, " * 350000 + "0]")' >big.py
  publish "base"
  git checkout -q -b feature
  printf 'head\0\0\nfeature two\nend\0\n' >data.bin
  sed -i 's/^x = \[/x = [2, /' big.py
  publish "feature"
  git checkout -q main
  printf 'head\0\0\nmain two\nend\0\n' >data.bin
  sed -i 's/0\]$/0, 3]/' big.py
  publish "main"
  clone_as_user
  attack
  held
  bounded "git merge (driver on every file)" git merge -q --no-edit origin/feature
  assert_eq "1" "$RC" "git merge exit status (data.bin conflicts on its second line)"
  assert_contains "$(git ls-files -u)" "data.bin" "conflicted files"
  assert_eq "" "$(ls -A "$MARKS")" "attacker commands that ran"
}

# ---------------------------------------------------------------------------------------------------------
# Text shown to the user

# Terminal escape sequences in a rule's message and a file's name: never printed raw (OSC 52 writes the
# clipboard, others retitle or rewrite the screen).
test_terminal_escapes() {
  upstream
  mkdir -p .autoloop/rules/python
  printf 'id: repo/esc\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "ok\\e]52;c;cHduZWQ=\\a\\e[2J"\nquery: "(call) @match"\n' \
    >.autoloop/rules/python/esc.yml
  printf 'print(1)\n' >"$(printf 'esc\033[2Jname.py')"
  publish "escapes"
  clone_as_user
  attack
  held
  local cmd out
  for cmd in "queue --status all" "status" "review --list" "report"; do
    out=$(git autoloop $cmd 2>&1 || true)
    if grep -q "$(printf '\033')" <<<"$out"; then fail "git autoloop $cmd printed a raw escape sequence"; fi
  done
}

# A rule id climbing out of every directory it might be joined to.
test_rule_id_traversal() {
  upstream
  mkdir -p .autoloop/rules/python
  printf 'id: "../../../../../outside/pwned"\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "t"\nquery: "(call) @match"\n' \
    >.autoloop/rules/python/trav.yml
  printf 'print(1)\n' >calls.py
  publish "rule id"
  clone_as_user
  attack
  held
  bounded "report" git autoloop report
  bounded "report --format html" git autoloop report --format html
  held
}

t "issue: side_branch_prefix ../../../../ deletes no lock file outside" test_prefix_climbs_out
t "issue: a repo rule with a built-in id and a safe fix is not committed untrusted" test_rule_shadows_builtin_id
t "issue: .autoloop.yml -> /dev/zero is not read without bound" test_config_symlink_dev_zero
t "issue: metrics.coverage_report: /dev/zero is not read without bound" test_coverage_report_dev_zero
t "issue: a rule's .scm -> /dev/zero is not read without bound" test_rule_query_dev_zero
t "issue: scan.exclude with twelve **/ matches in bounded time" test_exclude_glob_blowup
t "side_branch_prefix as an absolute path deletes no lock file there" test_prefix_absolute_path
t "side_branch_prefix onto a user branch with a forged Autoloop-Rule trailer" test_prefix_onto_forged_user_branch
t "side_branch_prefix ../tags/ touches no tag lock" test_prefix_into_tags
t "side_branch_prefix shaped like a git option" test_prefix_git_option
t "side_branch_prefix with a .lock component" test_prefix_dot_lock
t "side_branch_prefix with .." test_prefix_dotdot
t "side_branch_prefix with @{" test_prefix_reflog_syntax
t "side_branch_prefix with a newline" test_prefix_newline
t "side_branch_prefix of 300 characters" test_prefix_too_long
t "a default branch named like a git option" test_branch_named_like_an_option
t "a forged remote side branch is not the loop's" test_forged_remote_side_branch
t "a forged side branch checked out locally: accept-all commits none of it" test_forged_local_side_branch_accept_all
t "identity.name with a newline injects no commit header" test_identity_name_header_injection
t "identity.email with '>' and a newline injects no commit header" test_identity_email_header_injection
t "rules.directory absolute outside: not loaded" test_rules_directory_absolute
t "rules.directory ../ outside: not loaded" test_rules_directory_relative_escape
t "rules directory committed as a symlink outside: not loaded" test_rules_directory_symlink
t "metrics.coverage_report absolute outside: not read" test_coverage_report_absolute
t "metrics.coverage_report a committed symlink outside: not read" test_coverage_report_symlink
t ".autoloop.yml a symlink to a regular file outside: not read" test_config_symlink_outside
t ".autoloop.yml a directory, rules.directory a file, coverage_report a directory" test_paths_of_the_wrong_kind
t "an 8 MB .autoloop.yml is bounded" test_config_huge
t "YAML billion laughs in .autoloop.yml is bounded" test_config_billion_laughs
t "100,000-deep YAML in .autoloop.yml does not crash" test_config_deep_nesting
t "100,000-deep YAML in a rule file does not crash" test_rule_file_deep_nesting
t "50,000-deep query in a rule's .scm does not crash" test_rule_query_deep_nesting
t "a backtracking #match? regex is bounded" test_rule_regex_backtracking
t "1,000 repository rule files are bounded" test_rule_directory_many_files
t "100,000-deep source nesting does not crash the scanner" test_source_deep_nesting
t "scan.max_file_size raised by the repository and a 24 MB file" test_max_file_size_raised
t "a fix template repeating its capture 20,000 times is bounded" test_fix_template_explosion
t "20,000 exclude globs are bounded" test_exclude_glob_count
t "NUL bytes, invalid UTF-8, UTF-16: no crash; a fix changes only its bytes" test_binary_and_encodings
t "a tree entry named .git: nothing queued or written there" test_tree_entry_dot_git
t "a gitlink named evil.py" test_gitlink_named_like_source
t "a committed symlink to a source file outside: not read" test_symlink_to_outside_source
t "review --accept does not write through a file that became a symlink" test_accept_through_committed_symlink
t ".gitattributes '* merge=autoloop': binary and 1 MB files merge bounded, the binary conflicts" test_gitattributes_merge_everything
t "terminal escapes in rule messages and file names are not printed raw" test_terminal_escapes
t "a rule id with ../ writes nothing anywhere" test_rule_id_traversal
print_figures
finish
