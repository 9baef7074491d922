"""Shared helpers of the benchmark programs in tests/bench (python3 standard library only).

Real code a fresh Debian 12 machine has: the Python sources of Debian's python3 packages, the
libstdc++ headers, and pinned npm packages fetched with `npm pack` (the registry the build
already uses for grammars). Generated repositories are cached under build/bench/, keyed by a
version string, so that a rerun skips the generation.
"""

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))

PYTHON_ROOTS = ["/usr/lib/python3.11", "/usr/lib/python3/dist-packages"]
CXX_ROOT = "/usr/include/c++/12"
# Pinned: the JS/TS part of the corpus must not move under the figures.
NPM_PACKAGES = ["typescript@5.4.5", "rxjs@7.8.1"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def build_dir():
    return os.environ.get("AUTOLOOP_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))


def binary(name):
    """A product binary: from the snapshot the driver takes (AUTOLOOP_BENCH_BIN_DIR), so that a
    rebuild of the shared build tree during a run cannot swap it mid-measurement."""
    return os.path.join(os.environ.get("AUTOLOOP_BENCH_BIN_DIR", build_dir()), name)


def bench_dir():
    d = os.path.join(build_dir(), "bench")
    os.makedirs(d, exist_ok=True)
    return d


def run(cmd, cwd=None, check=True, **kw):
    return subprocess.run(cmd, cwd=cwd, check=check, **kw)


def measure(cmd, cwd):
    """(wall s, user+sys s, peak RSS KB, exit status) of one process, its output discarded."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(status)


def git(repo, *args, capture=False, check=True):
    r = subprocess.run(["git", "-C", repo, *args], check=check, stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    return r.stdout.decode() if capture else None


# ---------------------------------------------------------------------------------------------- sources


def python_sources(max_size=None):
    """(absolute path, relative name) of Debian's Python sources, sorted."""
    out = []
    for root in PYTHON_ROOTS:
        if not os.path.isdir(root):
            continue
        tag = os.path.basename(root.rstrip("/"))
        if tag == "dist-packages":
            tag = "python3-dist-packages"
        for d, dirs, files in os.walk(root):
            dirs[:] = sorted(x for x in dirs if x != "__pycache__" and not x.startswith("."))
            for f in sorted(files):
                if not f.endswith(".py"):
                    continue
                p = os.path.join(d, f)
                if os.path.islink(p):
                    continue
                if max_size is not None and os.path.getsize(p) > max_size:
                    continue
                out.append((p, os.path.join(tag, os.path.relpath(p, root))))
    return out


def cxx_sources(max_size=None):
    """libstdc++ headers, renamed to end in .hpp (most have no extension; `.h` would be read as C)."""
    out = []
    if not os.path.isdir(CXX_ROOT):
        return out
    for d, dirs, files in os.walk(CXX_ROOT):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(d, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            if max_size is not None and os.path.getsize(p) > max_size:
                continue
            rel = os.path.relpath(p, CXX_ROOT)
            if not rel.endswith(".hpp"):
                rel += ".hpp"
            out.append((p, os.path.join("libstdc++-12", rel)))
    return out


JS_EXTS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")


def npm_fetch(spec, integrity=None):
    """The unpacked `package/` directory of an npm package (`name@version`), fetched once with `npm pack`
    into build/bench/npm/<name>-<version>/. With `integrity` (the registry's sha512 SRI string), a tarball
    whose integrity differs is refused: a re-published or tampered package must not move the figures."""
    base = os.path.join(bench_dir(), "npm")
    os.makedirs(base, exist_ok=True)
    name, version = spec.rsplit("@", 1)
    dest = os.path.join(base, f"{name.replace('/', '__')}-{version}")
    if not os.path.isfile(os.path.join(dest, ".complete")):
        log(f"bench: npm pack {spec}")
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        out = run(["npm", "pack", spec, "--json", "--ignore-scripts", "--pack-destination", dest],
                  stdout=subprocess.PIPE).stdout
        got = (json.loads(out) or [{}])[0].get("integrity")
        if integrity and got != integrity:
            shutil.rmtree(dest, ignore_errors=True)
            raise RuntimeError(f"npm pack {spec}: integrity {got} is not the pinned {integrity}")
        tgz = [f for f in os.listdir(dest) if f.endswith(".tgz")][0]
        with tarfile.open(os.path.join(dest, tgz)) as t:
            t.extractall(dest, filter="data") if sys.version_info >= (3, 11, 4) else t.extractall(dest)
        open(os.path.join(dest, ".complete"), "w").close()
    return os.path.join(dest, "package")


def deb_fetch(package):
    """The unpacked tree of a Debian binary package, fetched once with `apt-get download` into
    build/bench/debs/ and extracted with `dpkg-deb -x` (never installed): (directory, .deb file name).
    The .deb file name carries the version, so a caller can key its cache by it."""
    base = os.path.join(bench_dir(), "debs")
    os.makedirs(base, exist_ok=True)
    def have():
        return sorted(f for f in os.listdir(base) if f.startswith(package + "_") and f.endswith(".deb"))
    if not have():
        log(f"bench: apt-get download {package}")
        run(["apt-get", "download", "-q", package], cwd=base, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    debs = have()
    if not debs:
        raise RuntimeError(f"apt-get download {package} gave no .deb")
    deb = debs[-1]
    dest = os.path.join(base, deb[:-4])
    if not os.path.isfile(os.path.join(dest, ".complete")):
        shutil.rmtree(dest, ignore_errors=True)
        run(["dpkg-deb", "-x", os.path.join(base, deb), dest])
        open(os.path.join(dest, ".complete"), "w").close()
    return dest, deb


def npm_sources():
    """Files of the pinned npm packages (fetched once into build/bench/npm)."""
    out = []
    for spec in NPM_PACKAGES:
        name, version = spec.rsplit("@", 1)
        root = npm_fetch(spec)
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(JS_EXTS):
                    p = os.path.join(d, f)
                    out.append((p, os.path.join(f"npm-{name}-{version}", os.path.relpath(p, root))))
    return out


# ---------------------------------------------------------------------------------------------- fast-import


def fast_import(repo, write_stream, checkout=True, compression=None):
    """Creates `repo` (non-bare, branch main) and feeds it the stream that `write_stream(out)` writes;
    checks main out unless `checkout` is false (HEAD then names main, and there is no index).
    `compression`: zlib level of the pack (1 is several times faster than git's default for GBs)."""
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    level = [] if compression is None else ["-c", f"pack.compression={compression}", "-c", f"core.compression={compression}"]
    p = subprocess.Popen(["git", "-C", repo, *level, "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE)
    out = p.stdin
    write_stream(out)
    out.write(b"done\n")
    out.close()
    if p.wait() != 0:
        raise RuntimeError("git fast-import failed")
    if checkout:
        git(repo, "reset", "-q", "--hard", "main")


def tree_file_count(repo, rev="HEAD"):
    """Files in `rev`'s tree (not the index: a generated history may have no checkout). Counted as
    the listing streams by: holding 500,000 paths would grow this process, and a child forked from
    it starts with its peak RSS (the figures' RSS would be ours)."""
    p = subprocess.Popen(["git", "-C", repo, "ls-tree", "-r", "-z", "--name-only", rev], stdout=subprocess.PIPE)
    n = 0
    for chunk in iter(lambda: p.stdout.read(1 << 16), b""):
        n += chunk.count(b"\0")
    if p.wait() != 0:
        raise RuntimeError(f"git ls-tree failed in {repo}")
    return n


def fi_commit(out, branch, when, message, files, first=False, mark=None):
    """One commit: `files` is a list of (path, bytes) (bytes None = delete)."""
    out.write(f"commit refs/heads/{branch}\n".encode())
    if mark:
        out.write(f"mark :{mark}\n".encode())
    out.write(f"author Bench <bench@example.com> {when} +0000\n".encode())
    out.write(f"committer Bench <bench@example.com> {when} +0000\n".encode())
    m = message.encode()
    out.write(b"data %d\n" % len(m) + m + b"\n")
    for path, data in files:
        if data is None:
            out.write(f"D {path}\n".encode())
        else:
            out.write(f"M 100644 inline {path}\n".encode())
            out.write(b"data %d\n" % len(data))
            out.write(data)
            out.write(b"\n")
    out.write(b"\n")


def comment_prefix(path):
    return b"#" if path.endswith(".py") else b"//"


# ---------------------------------------------------------------------------------------------- statistics


def percentile(values, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    v = sorted(values)
    if not v:
        return None
    k = (len(v) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def summary(values):
    return {
        "n": len(values),
        "median": percentile(values, 50),
        "p90": percentile(values, 90),
        "min": min(values) if values else None,
        "max": max(values) if values else None,
    }


def bootstrap_diff_median(a, b, iters=2000, seed=1):
    """95% interval of median(a) - median(b), by resampling each (the runs are independent)."""
    if not a or not b:
        return None, None
    rng = random.Random(seed)
    diffs = []
    for _ in range(iters):
        ra = [a[rng.randrange(len(a))] for _ in a]
        rb = [b[rng.randrange(len(b))] for _ in b]
        diffs.append(percentile(ra, 50) - percentile(rb, 50))
    return percentile(diffs, 2.5), percentile(diffs, 97.5)


def write_json(path, data):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)


# ---------------------------------------------------------------------------------------------- the loop's state


def common_git_dir(repo):
    return os.path.abspath(os.path.join(repo, git(repo, "rev-parse", "--git-common-dir", capture=True).strip()))


def worker_pids(git_dir):
    """Pids of `git-autoloop worker` processes for this repository."""
    needle = git_dir.encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if len(argv) > 1 and argv[0].endswith(b"git-autoloop") and b"worker" in argv and any(
            a.rstrip(b"/") == needle.rstrip(b"/") for a in argv
        ):
            pids.append(int(entry))
    return pids


def lock_held(path):
    """Whether a flock is held on `path`, read from /proc/locks (taking the lock ourselves would
    make a worker starting at that moment give up)."""
    try:
        ino = os.stat(path).st_ino
    except FileNotFoundError:
        return False
    pat = re.compile(r":%d\s" % ino)
    with open("/proc/locks") as f:
        return any(pat.search(line) for line in f)


def spool_entries(git_dir):
    d = os.path.join(git_dir, "autoloop", "spool")
    try:
        return [f for f in os.listdir(d) if not f.startswith(".")]
    except FileNotFoundError:
        return []


def idle(git_dir):
    lock = os.path.join(git_dir, "autoloop", "scan.lock")
    return not spool_entries(git_dir) and not worker_pids(git_dir) and not lock_held(lock)


def wait_idle(git_dir, timeout=120.0):
    """Until the spool is empty, no worker runs for the repository and scan.lock is free."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if idle(git_dir):
            return
        time.sleep(0.002)
    raise RuntimeError(f"the loop did not go idle within {timeout:.0f} s")


def open_queue(git_dir, timeout=10.0):
    """A read-only connection to queue.db (never creates it)."""
    path = os.path.join(git_dir, "autoloop", "queue.db")
    deadline = time.monotonic() + timeout
    while True:
        try:
            c = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
            c.execute("select 1 from scanned_commits limit 1").fetchall()
            return c
        except sqlite3.Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
