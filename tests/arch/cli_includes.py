#!/usr/bin/env python3
"""The command line only parses, calls the loop and prints (issue 15): no file under src/cli/ includes
a header of src/queue/ (the SQL) or src/git/ (libgit2). What a command needs from them, src/loop/ (or
the component concerned) offers as a function.

usage: cli_includes.py SRC_DIR
Prints each offending include as file:line and exits 1 when there is one.
"""
import pathlib
import re
import sys

FORBIDDEN = ("queue", "git")
INCLUDE = re.compile(r'^\s*#\s*include\s*["<]([^">]+)[">]')


def offending_includes(cli_dir):
    for path in sorted(cli_dir.rglob("*")):
        if not path.is_file() or path.suffix not in (".cpp", ".hpp", ".h"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if match and match.group(1).split("/")[0] in FORBIDDEN and "/" in match.group(1):
                yield path, number, match.group(1)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cli_dir = pathlib.Path(sys.argv[1]) / "cli"
    if not any(cli_dir.glob("*.cpp")):
        sys.exit(f"{cli_dir}: no sources found")
    found = list(offending_includes(cli_dir))
    for path, number, header in found:
        print(f'{path}:{number}: includes "{header}": src/cli/ may not include {" or ".join(f + "/" for f in FORBIDDEN)}'
              " headers; call a function of src/loop/ instead")
    if found:
        return 1
    print(f"{cli_dir}: no file includes {' or '.join(f + '/' for f in FORBIDDEN)} headers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
