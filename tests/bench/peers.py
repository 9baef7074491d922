#!/usr/bin/env python3
"""Installs (once) the peer tools the benchmark compares git-autoloop with, at bench time only.

  peers.py [--check]   -> prints JSON: {"lefthook": PATH, "husky": PATH, "ast-grep": PATH, "pre-commit": PATH, ...}
  peers.py --precision -> the precision benchmark's oracles: {"ruff": ..., "eslint": ..., "clang-tidy": ...}

npm peers are pinned and installed with `npm install --prefix build/bench/npm` (never globally); the
Debian peer (pre-commit) comes from BENCH_APT_PACKAGES with apt-get, only when the benchmark runs
(the tests never install it). A peer that cannot be installed is reported as null: the benchmark
then prints its rows as missing instead of failing. --check only reports what is there.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

# Pinned: a peer's new release must not move the figures silently.
NPM_PEERS = {"lefthook": "2.2.2", "husky": "9.1.7", "@ast-grep/cli": "0.51.1"}
# The oracles of the precision benchmark (precision.py): ruff's WebAssembly build, ESLint and
# typescript-eslint (its parser for .ts files and no-explicit-any), with the typescript it needs.
NPM_PRECISION_PEERS = {"@astral-sh/ruff-wasm-nodejs": "0.17.4", "eslint": "9.39.4", "typescript-eslint": "8.74.0",
                       "typescript": "5.4.5"}
# The bench-only Debian package list: installed by tests/bench/run, not by install.sh nor the tests.
BENCH_APT_PACKAGES = ["pre-commit"]
BENCH_APT_PRECISION_PACKAGES = ["clang-tidy"]


def npm_prefix():
    return os.path.join(B.bench_dir(), "npm")


def npm_bin(name):
    return os.path.join(npm_prefix(), "node_modules", ".bin", name)


def installed_npm_version(pkg):
    try:
        with open(os.path.join(npm_prefix(), "node_modules", pkg, "package.json")) as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return None


def ensure_npm(check, wanted=None):
    missing = [f"{p}@{v}" for p, v in (wanted or NPM_PEERS).items() if installed_npm_version(p) != v]
    if missing and not check and shutil.which("npm"):
        B.log(f"bench: npm install --prefix {npm_prefix()} {' '.join(missing)}")
        os.makedirs(npm_prefix(), exist_ok=True)
        # Run from an empty directory outside any repository: lefthook's postinstall runs `lefthook install`
        # in the directory npm was started from (INIT_CWD), which would hook whatever repository encloses it
        # (this one). Scripts must run: @ast-grep/cli's postinstall puts its native binary in place.
        outside = tempfile.mkdtemp(prefix="autoloop-npm-")
        env = dict(os.environ, INIT_CWD=outside, CI="true")
        r = subprocess.run(["npm", "install", "--prefix", os.path.abspath(npm_prefix()), "--no-audit", "--no-fund",
                            "--save-exact", "--loglevel=error", *missing], stdout=subprocess.DEVNULL, cwd=outside,
                           env=env)
        shutil.rmtree(outside, ignore_errors=True)
        if r.returncode != 0:
            B.log("bench: npm install of the peers failed; their rows will be missing")


def ensure_apt(check, wanted=None):
    missing = [p for p in (wanted or BENCH_APT_PACKAGES) if not shutil.which(p)]
    if not missing or check or not shutil.which("apt-get"):
        return
    B.log(f"bench: apt-get install {' '.join(missing)} (bench-only packages)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    r = subprocess.run(sudo + ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env,
                       stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        subprocess.run(sudo + ["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env,
                       stdout=subprocess.DEVNULL)


def version_of(cmd):
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
        return r.stdout.decode().strip().splitlines()[0] if r.returncode == 0 and r.stdout else None
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return None


def peers(check=False, precision=False):
    """precision: the precision benchmark's oracles instead of the hook and ast-grep peers."""
    if precision:
        return precision_peers(check)
    ensure_npm(check)
    ensure_apt(check)
    out = {}
    for name, exe in (("lefthook", npm_bin("lefthook")), ("husky", npm_bin("husky")), ("ast-grep", npm_bin("ast-grep"))):
        out[name] = exe if os.access(exe, os.X_OK) else None
    out["pre-commit"] = shutil.which("pre-commit")
    out["versions"] = {
        "lefthook": installed_npm_version("lefthook"),
        "husky": installed_npm_version("husky"),
        "ast-grep": installed_npm_version("@ast-grep/cli"),
        "pre-commit": version_of(["pre-commit", "--version"]) if out["pre-commit"] else None,
    }
    return out


def precision_peers(check=False):
    ensure_npm(check, NPM_PRECISION_PEERS)
    ensure_apt(check, BENCH_APT_PRECISION_PACKAGES)
    ruff = os.path.join(npm_prefix(), "node_modules", "@astral-sh", "ruff-wasm-nodejs", "package.json")
    out = {
        "ruff": ruff if os.path.isfile(ruff) and shutil.which("node") else None,
        "eslint": npm_bin("eslint") if os.access(npm_bin("eslint"), os.X_OK)
        and installed_npm_version("typescript-eslint") else None,
        "clang-tidy": shutil.which("clang-tidy"),
    }
    tidy = version_of(["clang-tidy", "--version"]) if out["clang-tidy"] else None
    out["versions"] = {
        "ruff": installed_npm_version("@astral-sh/ruff-wasm-nodejs"),
        "eslint": f"{installed_npm_version('eslint')} typescript-eslint {installed_npm_version('typescript-eslint')}",
        "clang-tidy": tidy.split("version")[-1].strip() if tidy and "version" in tidy else tidy,
    }
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--precision", action="store_true", help="the precision benchmark's oracles")
    a = ap.parse_args()
    print(json.dumps(peers(a.check, a.precision)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
