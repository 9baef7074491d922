#!/bin/sh
# git-autoloop hook shim (@HOOK@): written by `git autoloop install`, removed by `git autoloop uninstall`.
# No subprocess before the exec: every fork here would be paid on each commit.
hook_bin=@HOOK_BIN@
case $0 in */*) hooks_dir=${0%/*} ;; *) hooks_dir=. ;; esac
if [ -x "$hook_bin" ]; then
  exec "$hook_bin" --main @MAIN_BIN@ --hooks-dir "$hooks_dir" @HOOK@ "$@"
fi
# The binary is gone (moved, uninstalled): never block git, still run the hook we displaced. Said once per
# repository (only this broken path pays for the git call).
if data=$(git rev-parse --git-common-dir 2>/dev/null) && [ -n "$data" ] && [ -d "$data" ]; then
  warned=$data/autoloop/log/warned
  if ! grep -qsxF "missing $hook_bin" "$warned"; then
    printf '%s\n' "git-autoloop: $hook_bin is missing; run 'git autoloop install' again" >&2
    mkdir -p "$data/autoloop/log" 2>/dev/null && printf 'missing %s\n' "$hook_bin" >>"$warned" 2>/dev/null
  fi
else
  printf '%s\n' "git-autoloop: $hook_bin is missing; run 'git autoloop install' again" >&2
fi
chained=$hooks_dir/@HOOK@.autoloop-chained
if [ -x "$chained" ]; then
  "$chained" "$@"
  exit $?
fi
exit 0
