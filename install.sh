#!/usr/bin/env bash
# git-autoloop setup, in one command (Debian 12).
#
#   ./install.sh REPO [--prefix DIR]   install packages, build, install the binaries, install the hooks in REPO
#   ./install.sh --deb [REPO]          build the Debian package (cpack), install it, then the hooks in REPO if given
#   ./install.sh --test                install packages, build, run every test (unit, rule data, end to end)
#   ./install.sh --demo                build, then run the whole loop on a throwaway repository
#   ./install.sh --provider NAME       install a provider's pinned analyzer (ruff, biome, clang-tidy); repeatable, with any mode
#
# One line per step; the details (apt, cmake, ninja) go to a log file it names, whose end is shown when a
# step fails. Idempotent: packages already present are not touched, an existing build is reused.
# Environment: BUILD_DIR (default ./build), JOBS (default 2), INSTALL_LOG (default BUILD_DIR/install.log),
#              AUTOLOOP_GRAMMAR_TARBALL_DIR (grammar tarballs for offline builds),
#              AUTOLOOP_SCHEMA_TARBALL_DIR (schema tarballs for offline test runs, tests/schemas/manifest.txt),
#              SANITIZE_TESTS=0 (--test: skip the ASan+UBSan run), FUZZ_TIME (--test: seconds per fuzz target, 0 skips),
#              AUTOLOOP_PROVIDER_DIR (where providers' tools go; default ~/.local/share/git-autoloop/providers).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build_dir=${BUILD_DIR:-$here/build}
jobs=${JOBS:-2}
prefix=/usr/local
mode=""
repo=""
providers=()
known_providers=(ruff biome clang-tidy)

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

# step WHAT COMMAND...: one line on the terminal, the command's output in the log; on failure the log's
# end and its path.
log=${INSTALL_LOG:-$build_dir/install.log}
step() {
  local what=$1 started=$SECONDS rc=0
  shift
  printf 'install.sh: %s ... ' "$what"
  {
    printf '\n=== %s: %s\n$' "$(date -u +%H:%M:%S)" "$what"
    printf ' %q' "$@"
    printf '\n'
  } >>"$log"
  "$@" >>"$log" 2>&1 </dev/null || rc=$?
  if [ "$rc" = 0 ]; then
    printf 'done (%ss)\n' $((SECONDS - started))
    return 0
  fi
  printf 'FAILED\n'
  printf -- '--- last lines of %s:\n' "$log" >&2
  tail -n 30 "$log" | sed 's/^/  /' >&2
  die "$what failed (exit status $rc); the whole log is $log"
}

while [ $# -gt 0 ]; do
  case $1 in
    --test) mode=test ;;
    --demo) mode=demo ;;
    --deb) mode=deb ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    --provider) [ $# -ge 2 ] || die "--provider needs a name (${known_providers[*]})"; providers+=("$2"); shift ;;
    --provider=*) providers+=("${1#--provider=}") ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$repo" ] || die "one repository at a time"; repo=$1; mode=${mode:-install} ;;
  esac
  shift
done
[ -n "$mode" ] || [ ${#providers[@]} = 0 ] || mode=providers
[ -n "$mode" ] || { usage; exit 2; }
for p in ${providers[@]+"${providers[@]}"}; do
  case " ${known_providers[*]} " in *" $p "*) ;; *) die "unknown provider $p (known: ${known_providers[*]})" ;; esac
done
case $mode in test | demo) [ -z "$repo" ] || die "--$mode takes no repository" ;; esac
{ mkdir -p "$(dirname "$log")" && : >"$log"; } 2>/dev/null || die "cannot write the log $log (set INSTALL_LOG)"
say "log: $log"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root for: $* (run as root or install sudo)"; fi
}

# 1. Packages: only what is missing, so a second run does nothing. The tests need a few more
#    (a headless browser for the HTML report, a JSON-schema validator, GNU time for peak memory, clang
#    and its sanitizer and libFuzzer runtimes for tests/fuzz/, pytest for the Python project that
#    tests/e2e/validation.sh validates, strace for the files tests/e2e/startup.sh sees opened, Go's gofmt for
#    the native check of the Go rules' fixed cases in rules/fix_validity, and what --demo installs, since
#    tests/e2e/demo.sh runs `install.sh --demo` and asserts it installs nothing).
test_packages=(python3-jsonschema chromium clang libclang-rt-14-dev time python3-pytest strace golang-go python3-yaml)
ensure_packages() {
  local want=(libgit2-dev libtree-sitter-dev libyaml-cpp-dev libsqlite3-dev libspdlog-dev catch2 libcli11-dev
              nlohmann-json3-dev libpcre2-dev pkg-config ninja-build cmake g++ git ccache python3 man-db)
  [ "$mode" != test ] || want+=("${test_packages[@]}")
  [ "$mode" != deb ] || want+=(dpkg-dev file)        # cpack's dpkg-shlibdeps
  [ "$mode" != demo ] || want+=(python3-yaml)       # the demo's Python tests import yaml
  local missing=()
  for p in "${want[@]}"; do
    have_package "$p" || missing+=("$p")
  done
  # npm fetches the pinned grammars (and for the tests a JSON schema); a Node.js from elsewhere is fine too.
  command -v npm >/dev/null || { [ -n "${AUTOLOOP_GRAMMAR_TARBALL_DIR:-}" ] &&
    { [ "$mode" != test ] || [ -n "${AUTOLOOP_SCHEMA_TARBALL_DIR:-}" ]; }; } || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get update" as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    step "installing ${missing[*]}" \
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    say "packages present"
  fi
}

# Whether the Debian package $1 is installed.
have_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# 2. Configure (fetches and checks the grammars) and build, 2 jobs.
build() {
  local args=(-S "$here" -B "$build_dir" -G Ninja)
  [ -f "$build_dir/CMakeCache.txt" ] || args+=(-DCMAKE_BUILD_TYPE=Release)
  [ -z "${AUTOLOOP_GRAMMAR_TARBALL_DIR:-}" ] || args+=("-DAUTOLOOP_GRAMMAR_TARBALL_DIR=$AUTOLOOP_GRAMMAR_TARBALL_DIR")
  step "configuring $build_dir (grammars fetched and checked)" cmake "${args[@]}"
  step "building ${*:-everything} ($jobs jobs)" cmake --build "$build_dir" -j "$jobs" ${1:+--target} "$@"
}

# 3. Providers: each one's pinned tool in its own directory under the tool directory, only when asked
#    for (--provider NAME; --test installs them all, its tests run the real tools). An npm package is
#    fetched with `npm pack`, installed only if its tarball's sha512 is the one written here, and not
#    fetched again while the directory holds that version. src/providers/<name>.cpp expects the same version.
provider_root=${AUTOLOOP_PROVIDER_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/git-autoloop/providers}
ruff_package=@astral-sh/ruff-wasm-nodejs
ruff_version=0.17.4
ruff_integrity=sha512-pEaJDh/ZUyfWK4w0NzIkF74brXtZyNN9/NCPluSj3Z9GYmjQxG4SqkVCiLUvxZ0baOAPaShR6nUUWubjexzEfA==
# Biome: only its native binary's package (@biomejs/biome is a node wrapper that picks it; we run it directly).
biome_package=@biomejs/cli-linux-x64
biome_version=2.6.9
biome_integrity=sha512-uVrqS0HDjRzFlx88ZpfmlZvJ+xIwTU+110vunzrYvZQ5OqXl/1ugMTNvAs61hejH7jh7iequKJwagRVarrYcSQ==

ensure_node() {
  local missing=()
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -gt 0 ] || return 0
  step "apt-get update" as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  step "installing ${missing[*]}" \
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# fetch_checked PACKAGE@VERSION INTEGRITY DIR: the package's tarball into DIR (its path in DIR/checked),
# refused unless its sha512, in npm's notation, is INTEGRITY.
fetch_checked() {
  local tarball got
  tarball=$(cd "$3" && npm pack "$1" --silent --ignore-scripts) || return 1
  got=sha512-$(printf '%b' "$(sha512sum "$3/$tarball" | cut -c1-128 | sed 's/../\\x&/g')" | base64 -w0)
  if [ "$got" != "$2" ]; then
    printf '%s: the tarball has integrity %s, not the pinned %s\n' "$1" "$got" "$2"
    return 1
  fi
  printf '%s\n' "$3/$tarball" >"$3/checked"
}

# install_npm_provider NAME PACKAGE VERSION INTEGRITY
install_npm_provider() {
  local dir=$provider_root/$1 pin="$2@$3 $4" tmp
  if [ "$(cat "$dir/.autoloop-pin" 2>/dev/null)" = "$pin" ] && [ -f "$dir/node_modules/$2/package.json" ]; then
    say "provider $1: $2@$3 present in $dir"
    return 0
  fi
  ensure_node
  tmp=$provider_root/.fetching-$1 # removed here, or by the next run after a failure
  rm -rf "$tmp" && mkdir -p "$tmp"
  step "provider $1: fetching $2@$3, checking its sha512" fetch_checked "$2@$3" "$4" "$tmp"
  mkdir -p "$dir"
  step "provider $1: installing $2@$3 into $dir" \
    npm install --prefix "$dir" --no-save --ignore-scripts --no-audit --no-fund "$(cat "$tmp/checked")"
  rm -rf "$tmp"
  printf '%s\n' "$pin" >"$dir/.autoloop-pin"
}

# clang-tidy is Debian's package (clang-tidy 14 on Debian 12), found on PATH by the provider.
install_clang_tidy() {
  if ! have_package clang-tidy; then
    step "apt-get update" as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    step "installing clang-tidy (provider clang-tidy)" \
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang-tidy
  fi
  say "provider clang-tidy: clang-tidy $(clang-tidy --version | grep -o "version [0-9.]*" | head -n 1 | cut -d" " -f2) (Debian package clang-tidy)"
}

install_providers() {
  local p
  for p in "${providers[@]}"; do
    case $p in
      ruff) install_npm_provider ruff "$ruff_package" "$ruff_version" "$ruff_integrity" ;;
      biome) install_npm_provider biome "$biome_package" "$biome_version" "$biome_integrity" ;;
      clang-tidy) install_clang_tidy ;;
    esac
  done
}

# What to tell the user to run: `git autoloop` only when that finds the binary just installed.
how_to_run() { # bin_dir
  if [ "$(command -v git-autoloop 2>/dev/null)" = "$1/git-autoloop" ]; then
    say "run \`git autoloop status\` in the repository; \`git help autoloop\` for the manual"
  else
    say "$1 is not on PATH: run \`$1/git-autoloop status\`, or add it with: export PATH=\"$1:\$PATH\""
  fi
}

# The Debian package: configure, build what it holds, cpack. Prints nothing else; sets $deb.
build_deb() {
  build git-autoloop autoloop-hook autoloop-merge autoloop_docs
  rm -f "$build_dir"/git-autoloop_*.deb
  # The cpack of CMake 3.25 builds the `preinstall` target, hence `all`, first: the tests too, unless
  # they are already built. CMAKE_SKIP_INSTALL_ALL_DEPENDENCY would change `ninja install` for everyone.
  step "packaging (cpack -G DEB)" cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$build_dir"
  deb=$(ls "$build_dir"/git-autoloop_*.deb)
  say "package: $deb"
}

case $mode in
  test)
    ensure_packages
    build
    providers=("${known_providers[@]}") # every provider: their unit tests run the real tools
    install_providers
    # Each test runs once, to keep CI within its hour. The sanitizer stage (one clang tree,
    # build-check/, compiled once with ASan + UBSan + libFuzzer's coverage, which then runs every
    # fuzz target for a short time) takes the unit tests, the rule data, the merge corpus and most e2e
    # suites; the plain build runs the unit tests and rule data too (cheap, and it is what users run)
    # and what ASan leaves out: the reliability and security suites (their kill and timing windows assume the plain build's
    # speed) and the e2e suites that spend their time waiting on git, npm, pytest or timers in code the
    # unit tests and the other e2e suites already run under ASan (validation: the worktree and test
    # gate; learning, report: the store and the report writer; rebase, pre_push, schedule, stop,
    # drain_kill: the worker and the drain; hook_managers: npm and husky; action: cpack; demo: its
    # one-minute bound assumes the plain build; first_contact, conventions, keeps_going, notify,
    # honest_report: pseudo-terminals, scan locks held and hook timings), and merge/differential/seed1-3 (6,000 merges of the driver
    # whose code merge/corpus runs under ASan). `tests/sanitize/run` with no arguments runs them all.
    asan_skip='^e2e/(concurrency|faults|hostile.*|security|torture_paths|torture_states|validation|learning|report|rebase|pre_push|schedule|stop|drain_kill|hook_managers|action|demo|first_contact|conventions|keeps_going|notify|honest_report)$|^merge/differential/'
    say "running the tests"
    if [ "${SANITIZE_TESTS:-1}" != 0 ]; then
      ctest --test-dir "$build_dir" -j "$jobs" --output-on-failure -R "$asan_skip|^unit/|^rules/"
    else
      ctest --test-dir "$build_dir" -j "$jobs" --output-on-failure
    fi
    check_dir=$here/build-check
    if [ "${SANITIZE_TESTS:-1}" != 0 ]; then
      say "running the tests under ASan + UBSan"
      JOBS=$jobs WITH_FUZZ=1 BUILD_ASAN_DIR=$check_dir "$here/tests/sanitize/run" -E "$asan_skip"
    fi
    if [ "${FUZZ_TIME:-20}" != 0 ]; then
      say "fuzzing"
      fuzz_dir=$here/build-fuzz
      [ "${SANITIZE_TESTS:-1}" = 0 ] || fuzz_dir=$check_dir
      JOBS=$jobs FUZZ_TIME=${FUZZ_TIME:-20} BUILD_FUZZ_DIR=$fuzz_dir "$here/tests/fuzz/run"
    fi
    ;;
  install)
    [ -d "$repo" ] || die "$repo: no such directory"
    git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || die "$repo is not a git repository"
    ensure_packages
    build git-autoloop autoloop-hook autoloop-merge autoloop_docs
    if [ -w "$prefix" ] || { mkdir -p "$prefix" 2>/dev/null && [ -w "$prefix" ]; }; then
      step "installing into $prefix" cmake --install "$build_dir" --prefix "$prefix"
    else
      step "installing into $prefix (as root)" as_root cmake --install "$build_dir" --prefix "$prefix"
    fi
    say "installed $prefix/bin/git-autoloop and $prefix/libexec/git-autoloop/{autoloop-hook,autoloop-merge}"
    (cd "$repo" && "$prefix/bin/git-autoloop" install)
    install_providers
    how_to_run "$prefix/bin"
    ;;
  deb)
    if [ -n "$repo" ]; then
      [ -d "$repo" ] || die "$repo: no such directory"
      git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || die "$repo is not a git repository"
    fi
    ensure_packages
    build_deb
    step "installing the package" as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall "$deb"
    if [ -n "$repo" ]; then (cd "$repo" && /usr/bin/git-autoloop install); fi
    install_providers
    how_to_run /usr/bin
    ;;
  demo)
    ensure_packages
    build git-autoloop autoloop-hook autoloop-merge
    install_providers
    # The loop itself, shown command by command (tests/e2e/demo.sh runs the same script).
    exec "$here/tests/demo/run.sh" "$build_dir"
    ;;
  providers)
    install_providers
    ;;
esac
