#!/bin/bash
# fetch.sh NAME [DIR]: makes the pinned schema NAME (tests/schemas/manifest.txt) available as DIR/NAME.json
# and prints that path. DIR defaults to $AUTOLOOP_BIN_DIR/schemas (the build tree).
#
# The schema is kept between runs (checked against its sha256 each time); otherwise its package is
# fetched with `npm pack` (or copied from $AUTOLOOP_SCHEMA_TARBALL_DIR, a directory of tarballs named as
# npm pack names them, for offline runs and CI caches), the tarball checked against its sha256, and the
# one file extracted. Exits non-zero with a message on stderr when the schema cannot be had.
set -euo pipefail

name=${1:?usage: fetch.sh NAME [DIR]}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${2:-${AUTOLOOP_BIN_DIR:-$here/../../build}/schemas}
manifest=$here/manifest.txt

read -r _ package version tarball_sha path file_sha < <(awk -v n="$name" '$1 == n' "$manifest") || {
  echo "fetch.sh: no schema '$name' in $manifest" >&2
  exit 2
}
mkdir -p "$dir"
dest=$dir/$name.json
sha() { sha256sum "$1" | cut -d' ' -f1; }

# One fetch at a time (suites may run in parallel).
exec 9>"$dir/.lock"
flock 9

if [ -f "$dest" ] && [ "$(sha "$dest")" = "$file_sha" ]; then
  echo "$dest"
  exit 0
fi

work=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
tgz_name=$(printf '%s-%s.tgz' "${package#@}" "$version" | tr / -)
if [ -n "${AUTOLOOP_SCHEMA_TARBALL_DIR:-}" ]; then
  if [ ! -f "$AUTOLOOP_SCHEMA_TARBALL_DIR/$tgz_name" ]; then
    echo "fetch.sh: $AUTOLOOP_SCHEMA_TARBALL_DIR/$tgz_name not found (AUTOLOOP_SCHEMA_TARBALL_DIR)" >&2
    exit 1
  fi
  cp "$AUTOLOOP_SCHEMA_TARBALL_DIR/$tgz_name" "$work/"
else
  if ! command -v npm >/dev/null; then
    echo "fetch.sh: npm is needed to fetch $package@$version (apt-get install npm), or set AUTOLOOP_SCHEMA_TARBALL_DIR" >&2
    exit 1
  fi
  if ! timeout 600 npm pack "$package@$version" --silent --ignore-scripts --pack-destination "$work" >/dev/null 2>"$work/npm.err"; then
    echo "fetch.sh: npm pack $package@$version failed: $(cat "$work/npm.err")" >&2
    exit 1
  fi
fi
if [ ! -f "$work/$tgz_name" ] || [ "$(sha "$work/$tgz_name")" != "$tarball_sha" ]; then
  echo "fetch.sh: $package@$version: the tarball is missing or its sha256 is not $tarball_sha" >&2
  exit 1
fi
tar -xzf "$work/$tgz_name" -C "$work" "$path"
if [ "$(sha "$work/$path")" != "$file_sha" ]; then
  echo "fetch.sh: $path in $package@$version: sha256 is not $file_sha" >&2
  exit 1
fi
mv "$work/$path" "$dest"
echo "$dest"
