#!/usr/bin/env python3
"""Builds (once) the real-code corpus the throughput benchmarks scan, and a repository of it.

  corpus.py [--quick]   -> prints the corpus directory

The corpus: Debian's Python sources (/usr/lib/python3.11, /usr/lib/python3/dist-packages), the
libstdc++ 12 headers (renamed *.hpp: most have no extension and `.h` reads as C), and the JS/TS
files of pinned npm packages (benchlib.NPM_PACKAGES, fetched with `npm pack`). Written to
build/bench/corpus-<key>/:
  files/     the files, under python3.11/, python3-dist-packages/, libstdc++-12/, npm-<pkg>-<ver>/
  list.txt   their paths, one a line (the input of scan_throughput)
  repo/      a git repository with one commit of files/ (what `git autoloop scan --all` reads)
The key hashes the source list (names and sizes) and the pins, so another machine's packages or
new pins give a new directory. --quick takes /usr/lib/python3.11, libstdc++ and rxjs only.
"""

import argparse
import hashlib
import os
import shutil
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

CORPUS_VERSION = 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()

    sources = B.python_sources() + B.cxx_sources() + B.npm_sources()
    if a.quick:
        sources = [s for s in sources if not s[1].startswith(("python3-dist-packages/", "npm-typescript"))]
    if not sources:
        raise SystemExit("corpus: no sources found")
    h = hashlib.sha256(f"{CORPUS_VERSION} {B.NPM_PACKAGES}".encode())
    for src, rel in sources:
        h.update(f"{rel}\0{os.path.getsize(src)}\n".encode())
    key = h.hexdigest()[:12]
    base = os.path.join(B.bench_dir(), f"corpus-{'quick-' if a.quick else ''}{key}")
    if os.path.isfile(os.path.join(base, ".complete")):
        print(base)
        return 0

    t0 = time.monotonic()
    B.log(f"bench: building corpus {base} ({len(sources)} files)")
    shutil.rmtree(base, ignore_errors=True)
    files_dir = os.path.join(base, "files")
    listing = []
    for src, rel in sources:
        dest = os.path.join(files_dir, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(src, dest)
        listing.append(dest)
    with open(os.path.join(base, "list.txt"), "w") as f:
        f.write("\n".join(listing) + "\n")

    def stream(out):
        files = []
        for src, rel in sources:
            with open(os.path.join(files_dir, rel), "rb") as f:
                files.append((rel, f.read()))
        B.fi_commit(out, "main", 1_600_000_000, "corpus", files)

    B.fast_import(os.path.join(base, "repo"), stream)
    B.git(os.path.join(base, "repo"), "config", "gc.auto", "0")
    open(os.path.join(base, ".complete"), "w").close()
    B.log(f"bench: corpus ready in {time.monotonic() - t0:.1f} s")
    print(base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
