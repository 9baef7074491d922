#!/bin/bash
# What every git-autoloop process pays before it does anything: the built-in rules come from a cache
# written by the first process (yaml-cpp is slow), and libgit2 does not parse the system's CA bundle
# (src/git/static_link.cpp in a static build, src/git/skip_ca_bundle.cpp in a dynamic one). Both must be
# invisible in behaviour.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cache_file() { echo "$(autoloop_dir)/cache/builtin-rules"; }

test_rules_cache_is_written_used_and_replaced() {
  new_repo
  install_autoloop --no-config-file
  rm -f "$(cache_file)"
  # Cold: parsed from the embedded YAML, and the cache written.
  expect_rc 0 git autoloop rules --format json
  local cold=$OUT
  assert_file "$(cache_file)" "the built-in rules cache"
  assert_contains "$cold" '"python/compare-to-none"' "rules, cold"
  # Warm: the same rules, from the cache (which is left as it was).
  local before
  before=$(stat -c '%Y %i %s' "$(cache_file)")
  sleep 1.1
  expect_rc 0 git autoloop rules --format json
  assert_eq "$cold" "$OUT" "rules from the cache"
  assert_eq "$before" "$(stat -c '%Y %i %s' "$(cache_file)")" "the cache, untouched by a warm start"
  # Damaged: ignored, parsed again, replaced; nothing changes for the user.
  printf 'garbage\n' >"$(cache_file)"
  expect_rc 0 git autoloop rules --format json
  assert_eq "$cold" "$OUT" "rules with a damaged cache"
  assert_eq "" "$ERR" "stderr with a damaged cache"
  assert_ne "garbage" "$(head -c 7 "$(cache_file)")" "the damaged cache, replaced"
  # Truncated mid-way (a crash while another process wrote it cannot do this: writes are atomic).
  head -c 5000 "$(cache_file)" >"$(cache_file).cut" && mv "$(cache_file).cut" "$(cache_file)"
  expect_rc 0 git autoloop rules --format json
  assert_eq "$cold" "$OUT" "rules with a truncated cache"
  # A scan sees the built-in rules through the cache as well.
  printf 'if a == None:\n    pass\n' >a.py
  commit_all "first"
  wait_for_scan
  assert_eq "python/compare-to-none a.py:1 open new=true" "$(queue_rows)" "queue after a scan with the cache"
  # A directory where the cache should be: still works, says nothing.
  rm -f "$(cache_file)" && mkdir "$(cache_file)"
  expect_rc 0 git autoloop scan --commit HEAD
  assert_contains "$OUT" "1 finding"
  assert_eq "" "$ERR" "stderr with an unwritable cache"
}

# The system's CA bundle, as libgit2 (built with mbedTLS) would load it at init.
ca_bundle_opened() {
  grep -E 'open(at)?\(.*"/etc/ssl/certs' "$1" | grep -v ENOENT || true
}

test_libgit2_does_not_parse_the_ca_bundle() {
  new_repo
  echo base >README
  commit_all "base"
  local bin
  bin=$(command -v git-autoloop)
  # Any link: strace sees every file the process opens; libgit2 may look at the bundle, never read it.
  local trace="$E2E_TEST_DIR/trace"
  # LeakSanitizer cannot run under ptrace (it reports a fatal error); the sanitizer build traces without it.
  local ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  export ASAN_OPTIONS
  if command -v strace >/dev/null && strace -f -e trace=open,openat -o "$trace" git autoloop status >/dev/null 2>&1; then
    assert_eq "" "$(ca_bundle_opened "$trace")" "CA bundle files opened by git autoloop status"
    # The merge driver too (the same init, the same link).
    strace -f -e trace=open,openat -o "$trace.merge" "$AUTOLOOP_BIN_DIR/autoloop-merge" README README README 7 README \
      >/dev/null 2>&1 || true
    assert_file "$trace.merge" "the merge driver's trace"
    assert_eq "" "$(ca_bundle_opened "$trace.merge")" "CA bundle files opened by the merge driver"
    return 0
  fi
  # Without strace (or ptrace): how the link binds the loaders.
  if ! ldd "$bin" >/dev/null 2>&1; then
    # Static (CMakeLists.txt autoloop_link_mode): the link wraps libgit2's TLS set-up (src/git/static_link.cpp).
    nm "$bin" | grep -q ' T __wrap_git_mbedtls_stream_global_init$' || fail "the static binary does not wrap libgit2's TLS set-up"
    return 0
  fi
  # Dynamic: the dynamic linker binds libgit2's certificate loading to the executable's definitions.
  local log="$E2E_TEST_DIR/ld"
  LD_DEBUG=bindings LD_DEBUG_OUTPUT="$log" git autoloop status >/dev/null 2>&1 || true
  local bindings
  bindings=$(cat "$log".* 2>/dev/null | grep -E "libgit2[^ ]* \[0\] to .*: normal symbol .mbedtls_x509_crt_parse_(file|path)" || true)
  if [ -z "$bindings" ]; then
    # A libgit2 built without mbedTLS (OpenSSL, say) makes no such call: nothing to check then.
    ldd "$bin" | grep -q libmbedx509 || return 0
    fail "libgit2 never bound mbedtls_x509_crt_parse_file/path"
  fi
  if grep -v "/git-autoloop \[0\]" <<<"$bindings" | grep -q .; then
    fail "libgit2 bound the CA parsing to mbedTLS itself: $bindings"
  fi
}

run_test "the built-in rules cache: written once, read back, replaced when damaged, never needed" test_rules_cache_is_written_used_and_replaced
run_test "libgit2 does not parse the system CA bundle at start-up" test_libgit2_does_not_parse_the_ca_bundle
finish
