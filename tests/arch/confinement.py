#!/usr/bin/env python3
"""Each library's header is included in one folder of src/ only (issue 15): SQLite in src/queue/db.cpp
(everything else in queue/ goes through queue/db.hpp), libgit2 in src/git/, tree-sitter in src/scan/.
A component that needs more of one calls the folder that owns it.

usage: confinement.py SRC_DIR
Prints each include outside its place as file:line and exits 1 when there is one.
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')

# header (or header folder) → where it may be included, relative to SRC_DIR: a folder or a file.
PLACES = {
    "sqlite3.h": ("queue/db.cpp",),
    "git2.h": ("git",),
    "git2/": ("git",),
    "tree_sitter/": ("scan",),
}


def owner(header):
    for key, places in PLACES.items():
        if header == key or (key.endswith("/") and header.startswith(key)):
            return key, places
    return None, None


def allowed(relative, places):
    return any(relative == p or relative.startswith(p + "/") for p in places)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src = pathlib.Path(sys.argv[1])
    files = [p for p in sorted(src.rglob("*")) if p.is_file() and p.suffix in (".cpp", ".hpp", ".h", ".c")]
    if not files:
        sys.exit(f"{src}: no sources found")
    bad = 0
    for path in files:
        relative = path.relative_to(src).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            key, places = owner(match.group(1))
            if key and not allowed(relative, places):
                print(f"{path}:{number}: includes <{match.group(1)}>, which only {' or '.join(places)} may include")
                bad += 1
    if bad:
        return 1
    print(f"{src}: every library header is included where it belongs ({', '.join(PLACES)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
