#!/usr/bin/env python3
"""Generates (once) the history repository the hook benchmarks commit into, with git fast-import.

  gen_history.py [--files 5000] [--commits 10000] [--seed 1] [--short-after N]   -> prints the repository path

Content is real code (Debian's Python sources, libstdc++ headers as .hpp), each file given a
first line naming its path so every blob is distinct. The first 100 commits add the files, the
rest each edit 1-3 of them (70% from a hot set of 300 files, as real histories concentrate);
an edit appends one comment line. Cached under build/bench/history-<version>/ (`.complete`
marks a finished repository); a rerun with the same parameters only prints the path.
The repository is left without a checkout (the benchmarks clone it), and file contents are built
as they are streamed, not held. --short-after N: the files after the first N keep only the first
--short-bytes of their source (cut at a line end): 500,000 whole files are about 5 GB of text, hours
of zlib on a shared 2-core machine, while what grows with the repository (trees, objects, the index,
the pack index) is the same. The first N files are those of the smaller histories.
"""

import argparse
import os
import random
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

GENERATOR_VERSION = 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--commits", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-file-size", type=int, default=48 * 1024, help="source files larger than this are not used")
    ap.add_argument("--short-after", type=int, default=None, help="files after the first N are shortened")
    ap.add_argument("--short-bytes", type=int, default=1024)
    a = ap.parse_args()

    version = f"v{GENERATOR_VERSION}-f{a.files}-c{a.commits}-s{a.seed}-m{a.max_file_size}"
    if a.short_after is not None:
        version += f"-short{a.short_after}x{a.short_bytes}"
    repo = os.path.join(B.bench_dir(), f"history-{version}")
    if os.path.isfile(os.path.join(repo, ".git", "bench-complete")):
        print(repo)
        return 0

    t0 = time.monotonic()
    rng = random.Random(a.seed)
    pool = B.python_sources(a.max_file_size) + B.cxx_sources(a.max_file_size)
    pool = [p for p in pool if os.path.getsize(p[0]) >= 200]
    if not pool:
        raise SystemExit("gen_history: no Python or C++ sources found on this machine")
    # 5,000 paths across directories: the pool repeated under lib<k>/ until there are enough.
    paths = []
    k = 0
    while len(paths) < a.files:
        order = pool[:]
        rng.shuffle(order)
        for src, rel in order:
            paths.append((src, f"lib{k}/{rel}"))
            if len(paths) == a.files:
                break
        k += 1
    source_of = dict((path, src) for src, path in paths)
    shortened = set(path for _, path in paths[a.short_after:]) if a.short_after is not None else set()
    appended = {}  # path -> the comment lines its edits appended so far

    def content(path):
        with open(source_of[path], "rb") as f:
            body = f.read()
        if path in shortened and len(body) > a.short_bytes:
            body = body[:body.rfind(b"\n", 0, a.short_bytes) + 1]
        return B.comment_prefix(path) + b" bench: " + path.encode() + b"\n" + body + appended.get(path, b"")

    names = [p for _, p in paths]
    hot = rng.sample(names, min(300, len(names)))
    adds = 100
    per_add = (len(names) + adds - 1) // adds
    edits = a.commits - adds
    assert edits > 0

    def stream(out):
        when = 1_600_000_000
        n = 0
        for i in range(adds):
            batch = names[i * per_add:(i + 1) * per_add]
            n += 1
            B.fi_commit(out, "main", when + n * 60, f"add files {i * per_add}..{i * per_add + len(batch) - 1}",
                        [(p, content(p)) for p in batch])
        for i in range(edits):
            touched = set()
            for _ in range(rng.choice((1, 2, 2, 3))):
                touched.add(rng.choice(hot) if rng.random() < 0.7 else rng.choice(names))
            files = []
            for p in sorted(touched):
                appended[p] = appended.get(p, b"") + B.comment_prefix(p) + b" edit %d\n" % i
                files.append((p, content(p)))
            n += 1
            B.fi_commit(out, "main", when + n * 60, f"edit {i}: {', '.join(sorted(touched))}", files)

    B.log(f"bench: generating {repo} ({a.files} files, {a.commits} commits) with git fast-import")
    # Level 1 for the largest histories: zlib dominates writing gigabytes, and how the pack is
    # compressed is not what the benchmarks measure.
    B.fast_import(repo, stream, checkout=False, compression=1 if a.files > 100_000 else None)
    B.git(repo, "config", "gc.auto", "0")
    count = int(B.git(repo, "rev-list", "--count", "HEAD", capture=True))
    files = B.tree_file_count(repo)
    if count < a.commits or files < a.files:
        raise SystemExit(f"gen_history: got {count} commits and {files} files")
    open(os.path.join(repo, ".git", "bench-complete"), "w").write(version + "\n")
    B.log(f"bench: history ready in {time.monotonic() - t0:.1f} s ({count} commits, {files} files)")
    print(repo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
