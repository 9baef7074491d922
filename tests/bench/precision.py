#!/usr/bin/env python3
"""Precision of git-autoloop's rules on real code, with the field's own tools as oracles.

  precision.py [--json OUT] [--projects a,b] [--max-tidy-files N] [--write-unlabelled [--context N]]

The corpus: real projects' sources from Debian packages (`apt-get download` + `dpkg-deb -x`, never
installed; Python packages already on the machine are read where they are) and pinned npm packages
(`npm pack`, integrity checked): PROJECTS below, >= 20 projects in Python, JavaScript, TypeScript, C,
C++, Go and Java. Nothing of it is committed; everything is cached under build/bench/ (debs/, npm/,
precision/), so a second run fetches nothing and reuses the peers' results (keyed by the project's
git tree and the peer's version and rule selection).

Each project becomes a git repository of its own (one commit, made with git fast-import) and is
scanned with `git autoloop scan --all --format json` under the default configuration: what a user
who installs the loop in that project would be shown (vendored/generated files skipped, context
rules applied). Rules that are off by default (`enabled: false`) are turned on for the scan with
`-c rules.enable=[...]` and shown with the verdict `off`: their figures are why they are off; the
overall figure and the count of rules at their target are over the rules that are on.

Oracles, on the same files (installed at bench time only, by peers.py):
  ruff        @astral-sh/ruff-wasm-nodejs, via precision/ruff_check.js, only the equivalent codes selected
  ESLint      eslint + typescript-eslint (parser and the no-explicit-any rule), a flat config written by
              this script with only the equivalent rules on; --no-inline-config (the project's
              `eslint-disable` comments are its choices, not the rule's semantics)
  clang-tidy  Debian's clang-tidy (14 on Debian 12), `-checks=-*,<equivalents>`, each file its own
              translation unit (`-x c -std=c11` or `-x c++ -std=c++17`, -I every include directory of
              the project); at most --max-tidy-files files per project (files with our findings of a
              mapped rule first, then a seeded sample), as clang-tidy takes seconds per file
Our rule ids map to peer rules through the rule YAML's `equivalents:` field when it has one, else
through FALLBACK_EQUIVALENTS here (same shape: {ruff: [..], eslint: [..], clang-tidy: [..]}).

Matching: one of our findings and a peer diagnostic agree when they are in the same file and the
peer's line lies within our finding's lines (line..end_line), or (for a finding of one line) on
that line. precision vs peer = our findings with an agreeing peer diagnostic / our findings on the
files the peer checked; recall = peer diagnostics with an agreeing finding of ours / peer
diagnostics. Peer diagnostics in files our scan skipped (vendored, generated, context) count as
misses: the recall is what a user of both would see. Files the peer could not check (parse errors,
clang-tidy timeouts) or compiled only with errors (a header that does not compile alone, a source that
needs its generated config.h) are left out of the comparison: the peer's silence there is no evidence.
Which projects lose how many files is printed. Our findings there are still shown to users, so they
are judged by labels instead (below).

Adjudication: the peer is an oracle, not the truth. A finding of ours it does not report may be read
and labelled `true` in precision/labels.tsv (same columns as the samples below; the reason says why
the peer misses it, e.g. ESLint's no-new-func only knows the global `Function`, clang-tidy does not
look into uninstantiated templates) and is then counted right. The verdict uses that adjudicated
precision; the raw agreement is printed next to it whenever they differ, and differences.md lists each.

Every finding shown is judged. Rules without a peer, and a peer rule's findings in files the peer did
not check: a sample of up to 30 findings per rule (those with the smallest seeded hash of
rule, project, path and line text, so the same corpus gives the same sample and a finding more or less
changes it by one) is looked up in precision/labels.tsv (rule, project, path, line, hash of the matched line's
text, label true|false|debatable, reason), labelled by reading the code. labelled precision =
true / labelled (debatable counts against). Sampled findings with no label (or whose line changed:
the hash differs) are counted as unlabelled and written to build/bench/precision/unlabelled.tsv
with their code, so drift is visible; --write-unlabelled prints them. A peer rule's precision is
(peer-confirmed + adjudicated + labelled true of the unchecked) / (compared + labelled of the unchecked).

Verdicts: PASS/MISS against the target (0.95 with a peer, 0.9 labelled); `incomplete` when a sampled
finding has no label (the figure may still move); `UNJUDGED` when findings are shown and none is judged;
`n/a` when the rule shows nothing in the corpus; `off` for rules off by default. Only PASS counts as at
the target: "N of M rules" is over every rule on by default with a finding shown.

Our findings a peer does not report are written to build/bench/precision/unmatched.tsv (with the
line's text) for review, the peer's diagnostics we do not report to peer_only.tsv; the reasons found
are in precision/differences.md.
"""

import argparse
import concurrent.futures
import glob
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import peers as P  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = os.path.join(HERE, "precision", "labels.tsv")
RUFF_SCRIPT = os.path.join(HERE, "precision", "ruff_check.js")
SAMPLE_SIZE = 30
SAMPLE_SEED = 12
TIDY_TIMEOUT_S = 90  # a file clang-tidy takes longer on is left out (googletest's template-heavy tests take minutes)
CORPUS_VERSION = 1

# (name, language, source, roots): source is ("deb", package), ("dir", absolute path) or ("npm", spec,
# integrity); roots are the directories of the source (relative to it) whose files make the project,
# each copied under its last component (or the whole tree when None).
PY_DIST = "/usr/lib/python3/dist-packages"
PROJECTS = [
    # Python: Debian python3-* packages (on the machine, or downloaded) and the standard library.
    ("click", "python", ("deb", "python3-click"), ["usr/lib/python3/dist-packages/click"]),
    ("boltons", "python", ("deb", "python3-boltons"), ["usr/lib/python3/dist-packages/boltons"]),
    ("requests", "python", ("deb", "python3-requests"), ["usr/lib/python3/dist-packages/requests"]),
    ("flask", "python", ("deb", "python3-flask"), ["usr/lib/python3/dist-packages/flask"]),
    ("jinja2", "python", ("deb", "python3-jinja2"), ["usr/lib/python3/dist-packages/jinja2"]),
    ("pygments", "python", ("dir", PY_DIST), ["pygments"]),
    ("pytest", "python", ("dir", PY_DIST), ["_pytest", "pytest"]),
    ("coverage", "python", ("deb", "python3-coverage"), ["usr/lib/python3/dist-packages/coverage"]),
    ("babel", "python", ("deb", "python3-babel"), ["usr/lib/python3/dist-packages/babel"]),
    ("bs4", "python", ("deb", "python3-bs4"), ["usr/lib/python3/dist-packages/bs4"]),
    ("setuptools", "python", ("dir", PY_DIST), ["setuptools", "pkg_resources"]),
    ("cpython-stdlib", "python", ("dir", "/usr/lib/python3.11"),
     ["asyncio", "email", "http", "json", "logging", "unittest", "xml", "urllib", "concurrent", "importlib",
      "multiprocessing", "tomllib", "sqlite3", "wsgiref", "xmlrpc"]),
    # JavaScript / TypeScript: npm packages, pinned with the registry's integrity.
    ("express", "javascript", ("npm", "express@4.19.2",
     "sha512-5T6nhjsT+EOMzuck8JjBHARTHfMht0POzlA60WV2pMD3gyXw2LZnZ+ueGdNxG+0calOJcWKbpFcuzLZ91YWq9Q=="), None),
    ("lodash", "javascript", ("npm", "lodash@4.17.21",
     "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="), None),
    ("chalk", "javascript", ("npm", "chalk@5.3.0",
     "sha512-dLitG79d+GV1Nb/VYcCDFivJeK1hiukt9QjRNVOsUtTy1rR1YJsmpGGTZ3qJos+uw7WmWF4wUwBd9jxjocFC2w=="), None),
    ("commander", "javascript", ("npm", "commander@12.1.0",
     "sha512-Vw8qHK3bZM9y/P10u3Vib8o/DdkvA2OtPtZvD871QKjy74Wj1WSKFILMPRPSdUSx5RFK1arlJzEtA4PkFgnbuA=="), None),
    ("axios", "javascript", ("npm", "axios@1.7.2",
     "sha512-2A8QhOMrbomlDuiLeK9XibIBzuHeRcqqNOHp0Cyp5EoJ1IFDh+XZH3A6BkXtv0K4gFGCI0Y4BM7B1wOEi0Rmgw=="), None),
    ("moment", "javascript", ("npm", "moment@2.30.1",
     "sha512-uEmtNhbDOrWPFS+hdjFCBfy9f2YoyzRpwcl+DqpC6taX21FzsTLQVbMV/W7PzNSX6x/bhC1zA3c2UQ5NzH6how=="), None),
    ("yargs", "javascript", ("npm", "yargs@17.7.2",
     "sha512-7dSzzRQ++CKnNI/krKnYRV7JKKPUXMEh61soaHKg9mrWEhzFWhFnxPxGl+69cD1Ou63C13NUPCnmIcrvqCuM6w=="), None),
    ("ws", "javascript", ("npm", "ws@8.17.1",
     "sha512-6XQFvXTkbfUOZOKKILFG1PDK2NDQs4azKQl26T0YS5CxqWLgXajbPZ+h4gZekJyRqFU8pvnbAbbs/3TgRPy+GQ=="), None),
    ("debug", "javascript", ("npm", "debug@4.3.5",
     "sha512-pt0bNEmneDIvdL1Xsd9oDQ/wrQRkXDT4AUWlNZNPKvW5x/jyO9VFXkJUP07vQ2upmw5PlaITaPKc31jK13V+jg=="), None),
    ("rxjs", "typescript", ("npm", "rxjs@7.8.1",
     "sha512-AA3TVj+0A2iuIoQkWEK/tqFjBq2j+6PO6Y0zJcvzLAFhEFIO3HL0vls9hWLncZbAAbK0mar7oZ4V079I/qPMxg=="), ["src"]),
    ("zod", "typescript", ("npm", "zod@3.23.8",
     "sha512-XBx9AXhXktjUqnepgTiE5flcKIYWi/rme0Eaj+5Y0lftuGBq+jyRu/md4WnuxqgP1ubdpNCsYEYPxrzVHD8d6g=="), None),
    # C: headers of -dev packages and the sources some Debian packages ship.
    ("cjson", "c", ("deb", "libcjson-dev"), ["usr/include"]),
    ("libyaml", "c", ("deb", "libyaml-dev"), ["usr/include"]),
    ("libuv", "c", ("deb", "libuv1-dev"), ["usr/include"]),
    ("libmicrohttpd", "c", ("deb", "libmicrohttpd-dev"), ["usr/include"]),
    ("libxcrypt", "c", ("deb", "libxcrypt-source"), ["usr/src"]),
    ("v4l2loopback", "c", ("deb", "v4l2loopback-source"), ["usr/src"]),
    # C++: header libraries from -dev packages, googletest's shipped sources, libstdc++.
    ("catch2", "cpp", ("deb", "catch2"), ["usr/include"]),
    ("yaml-cpp", "cpp", ("deb", "libyaml-cpp-dev"), ["usr/include"]),
    ("spdlog", "cpp", ("deb", "libspdlog-dev"), ["usr/include"]),
    ("nlohmann-json", "cpp", ("deb", "nlohmann-json3-dev"), ["usr/include"]),
    ("fmt", "cpp", ("deb", "libfmt-dev"), ["usr/include"]),
    ("cxxopts", "cpp", ("deb", "libcxxopts-dev"), ["usr/include"]),
    ("googletest", "cpp", ("deb", "googletest"), ["usr/src"]),
    ("pugixml", "cpp", ("deb", "libpugixml-dev"), ["usr/include"]),
    ("cli11", "cpp", ("deb", "libcli11-dev"), ["usr/include"]),
    ("tinyxml2", "cpp", ("deb", "libtinyxml2-dev"), ["usr/include"]),
    # Go: golang-*-dev packages ship the module sources (tests included) under /usr/share/gocode.
    ("cobra", "go", ("deb", "golang-github-spf13-cobra-dev"), ["usr/share/gocode/src"]),
    ("logrus", "go", ("deb", "golang-github-sirupsen-logrus-dev"), ["usr/share/gocode/src"]),
    ("pkg-errors", "go", ("deb", "golang-github-pkg-errors-dev"), ["usr/share/gocode/src"]),
    ("gorilla-mux", "go", ("deb", "golang-github-gorilla-mux-dev"), ["usr/share/gocode/src"]),
    ("testify", "go", ("deb", "golang-github-stretchr-testify-dev"), ["usr/share/gocode/src"]),
    ("yaml-v3", "go", ("deb", "golang-gopkg-yaml.v3-dev"), ["usr/share/gocode/src"]),
    ("urfave-cli", "go", ("deb", "golang-github-urfave-cli-dev"), ["usr/share/gocode/src"]),
    # Java: the only Debian binary packages with .java sources of a manageable size (the lib*-java packages
    # ship jars only; openjdk-17-source is 47 MB): OpenJFX's src.zip and BeanShell's source tarball.
    ("openjfx", "java", ("deb", "openjfx-source"), ["usr/share/openjfx/lib/src.zip"]),
    ("beanshell", "java", ("deb", "bsh-src"), ["usr/src/bsh-src/bsh.tar.gz"]),
]

EXTS = {
    "python": (".py",),
    "javascript": B.JS_EXTS,
    "typescript": B.JS_EXTS,
    "c": (".c", ".h"),
    "cpp": (".h", ".hh", ".hpp", ".hxx", ".h++", ".ipp", ".tpp", ".inl", ".cc", ".cpp", ".cxx", ".c"),
    "go": (".go",),
    "java": (".java",),
    "rust": (".rs",),  # for tests/merge/differential's Rust crates
}

# Our rule -> the peers' equivalent rules, used for rules whose YAML has no `equivalents:` field yet.
# For clang-tidy, an entry "check:word" keeps only that check's diagnostics whose message names `word`
# (one clang-analyzer check covers sprintf, memcpy, ...).
FALLBACK_EQUIVALENTS = {
    "python/bare-except": {"ruff": ["E722"]},
    "python/compare-to-bool": {"ruff": ["E712"]},
    "python/compare-to-none": {"ruff": ["E711"]},
    "python/mutable-default-argument": {"ruff": ["B006"]},
    "python/type-comparison": {"ruff": ["E721"]},
    "python/eval-exec": {"ruff": ["S307", "S102"]},
    "python/pickle-load": {"ruff": ["S301"]},
    "python/yaml-load-unsafe": {"ruff": ["S506"]},
    "python/requests-verify-false": {"ruff": ["S501"]},
    "python/subprocess-shell-true": {"ruff": ["S602"]},
    "python/weak-hash": {"ruff": ["S324"]},
    "python/assert-for-validation": {"ruff": ["S101"]},
    "python/open-without-context": {"ruff": ["SIM115"]},
    "python/dict-keys-iteration": {"ruff": ["SIM118"]},
    "javascript/console-log": {"eslint": ["no-console"]},
    "javascript/eqeqeq": {"eslint": ["eqeqeq"]},
    "javascript/eqeqeq-typeof": {"eslint": ["eqeqeq"]},
    "javascript/new-function": {"eslint": ["no-new-func"]},
    "javascript/no-debugger": {"eslint": ["no-debugger"]},
    "javascript/no-eval": {"eslint": ["no-eval"]},
    "javascript/no-var": {"eslint": ["no-var"]},
    "javascript/settimeout-string": {"eslint": ["no-implied-eval"]},
    "typescript/no-explicit-any": {"eslint": ["@typescript-eslint/no-explicit-any"]},
    "c/gets": {"clang-tidy": ["clang-analyzer-security.insecureAPI.gets"]},
    "c/sprintf": {"clang-tidy": ["clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling:sprintf"]},
    "c/strcpy": {"clang-tidy": ["clang-analyzer-security.insecureAPI.strcpy"]},
    "cpp/c-style-cast": {"clang-tidy": ["google-readability-casting"]},
    "cpp/catch-by-value": {"clang-tidy": ["misc-throw-by-value-catch-by-reference"]},
    "cpp/null-to-nullptr": {"clang-tidy": ["modernize-use-nullptr"]},
    "cpp/pass-by-value-string-vector": {"clang-tidy": ["performance-unnecessary-value-param"]},
    "cpp/size-zero-to-empty": {"clang-tidy": ["readability-container-size-empty"]},
    "cpp/size-nonzero-to-not-empty": {"clang-tidy": ["readability-container-size-empty"]},
    "cpp/typedef-to-using": {"clang-tidy": ["modernize-use-using"]},
}
PEERS = ("ruff", "eslint", "clang-tidy")


# ---------------------------------------------------------------------------------------------- rules


def load_rules():
    """{rule id: {"equivalents": {...}, "source": "yaml"|"bench"|None}} of the built-in rules."""
    import yaml  # Debian's python3-yaml; only the bench reads the rule files this way

    rules = {}
    for path in sorted(glob.glob(os.path.join(B.SOURCE_DIR, "config", "rules", "*", "*.yml"))):
        with open(path) as f:
            doc = yaml.safe_load(f)
        rid = doc.get("id")
        eq = doc.get("equivalents")
        enabled = doc.get("enabled", True) is not False
        if isinstance(eq, dict) and any(eq.get(p) for p in PEERS):
            mapped = {p: [str(x) for x in (eq.get(p) or [])] for p in PEERS}
            # The bench's narrowing of a broad clang-analyzer check to the diagnostics naming our function
            # ("check:word") is kept when the YAML lists the check itself.
            narrow = {e.split(":")[0]: e for e in FALLBACK_EQUIVALENTS.get(rid, {}).get("clang-tidy", []) if ":" in e}
            mapped["clang-tidy"] = [narrow.get(e, e) for e in mapped["clang-tidy"]]
            rules[rid] = {"equivalents": mapped, "source": "yaml"}
        elif rid in FALLBACK_EQUIVALENTS:
            rules[rid] = {"equivalents": {p: FALLBACK_EQUIVALENTS[rid].get(p, []) for p in PEERS}, "source": "bench"}
        else:
            rules[rid] = {"equivalents": {p: [] for p in PEERS}, "source": None}
        rules[rid]["enabled"] = enabled
    return rules


def available_peer_rules(tools):
    """{peer: set of rule ids the installed peer has}, or None for a peer whose list is not known (then
    nothing is filtered). An equivalent the installed peer lacks (clang-tidy 17's performance-avoid-endl on
    Debian 12's clang-tidy 14, an ESLint plugin that is not installed, a typescript-eslint rule that needs
    type information) is dropped; a rule left with none is judged by its labelled sample instead."""
    out = {"ruff": None}
    if tools.get("clang-tidy"):
        r = subprocess.run([tools["clang-tidy"], "-list-checks", "-checks=*"], stdout=subprocess.PIPE)
        out["clang-tidy"] = {line.strip() for line in r.stdout.decode().splitlines() if line.startswith("    ")}
    if tools.get("eslint"):
        script = ("const p = process.argv[1];"
                  "const {builtinRules} = require(require.resolve('eslint/use-at-your-own-risk', {paths: [p]}));"
                  "const ts = require(require.resolve('typescript-eslint', {paths: [p]}));"
                  "const names = [...builtinRules.keys()];"
                  "for (const [k, r] of Object.entries(ts.plugin.rules))"
                  "  if (!(r.meta && r.meta.docs && r.meta.docs.requiresTypeChecking)) names.push('@typescript-eslint/' + k);"
                  "console.log(JSON.stringify(names));")
        r = subprocess.run(["node", "-e", script, P.npm_prefix()], stdout=subprocess.PIPE)
        out["eslint"] = set(json.loads(r.stdout)) if r.returncode == 0 else None
    return out


def restrict_to_available(rules, available):
    """Drops the equivalents the installed peers do not have; returns {rule: [dropped]}."""
    dropped = {}
    for rid, r in rules.items():
        for p in PEERS:
            have = available.get(p)
            if have is None:
                continue
            keep = [e for e in r["equivalents"][p] if e.split(":")[0] in have]
            if len(keep) != len(r["equivalents"][p]):
                dropped.setdefault(rid, []).extend(e for e in r["equivalents"][p] if e not in keep)
            r["equivalents"][p] = keep
    return dropped


def peer_of(rule):
    for p in PEERS:
        if rule["equivalents"][p]:
            return p
    return None


# ---------------------------------------------------------------------------------------------- corpus


def project_files(name, lang, source, roots):
    """[(absolute path, path in the project's repository)] and a string naming the source's version."""
    kind = source[0]
    if kind == "deb":
        base, version = B.deb_fetch(source[1])
    elif kind == "npm":
        base, version = B.npm_fetch(source[1], source[2]), source[1]
    else:
        base, version = source[1], "machine:" + source[1]
    exts = EXTS[lang]
    out = []
    for root in roots or [""]:
        top = os.path.join(base, root)
        prefix = os.path.basename(root.rstrip("/")) if root else ""
        if root.endswith((".zip", ".tar.gz")):
            out.extend(archive_files(name, top, exts))
            continue
        if os.path.isfile(top):
            out.append((top, os.path.basename(top)))
            continue
        for d, dirs, files in os.walk(top):
            dirs[:] = sorted(x for x in dirs if x != "__pycache__" and not x.startswith("."))
            for f in sorted(files):
                p = os.path.join(d, f)
                if f.endswith(exts) and os.path.isfile(p) and not os.path.islink(p):
                    out.append((p, os.path.join(prefix, os.path.relpath(p, top)) if prefix else os.path.relpath(p, top)))
    return out, version


def archive_files(name, path, exts):
    """An archive's (zip or tar.gz) matching members, extracted once next to the bench's other caches."""
    dest = os.path.join(B.bench_dir(), "precision", "unpacked", name)
    if not os.path.isfile(os.path.join(dest, ".complete")):
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        if path.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                for m in z.infolist():
                    if m.filename.endswith(exts) and not m.is_dir() and ".." not in m.filename.split("/"):
                        z.extract(m, dest)
        else:
            with tarfile.open(path) as t:
                members = [m for m in t.getmembers() if m.isfile() and m.name.endswith(exts)]
                t.extractall(dest, members=members, filter="data")
        open(os.path.join(dest, ".complete"), "w").close()
    out = []
    for d, dirs, files in os.walk(dest):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(exts):
                p = os.path.join(d, f)
                out.append((p, os.path.relpath(p, dest)))
    return out


def build_repo(name, files, version):
    """A one-commit repository of the project under build/bench/precision/repos/, rebuilt when its
    file list or the source version changes."""
    h = hashlib.sha256(f"{CORPUS_VERSION} {version}".encode())
    for src, rel in files:
        h.update(f"{rel}\0{os.path.getsize(src)}\n".encode())
    key = h.hexdigest()[:12]
    repo = os.path.join(B.bench_dir(), "precision", "repos", name)
    stamp = os.path.join(repo, ".git", "bench-key")
    if os.path.isfile(stamp) and open(stamp).read().strip() == key:
        return repo

    def stream(out):
        blobs = []
        for src, rel in files:
            with open(src, "rb") as f:
                blobs.append((rel, f.read()))
        B.fi_commit(out, "main", 1_600_000_000, f"{name} ({version})", blobs)

    B.fast_import(repo, stream)
    B.git(repo, "config", "gc.auto", "0")
    with open(stamp, "w") as f:
        f.write(key + "\n")
    return repo


def tree_id(repo):
    return B.git(repo, "rev-parse", "HEAD^{tree}", capture=True).strip()


# ---------------------------------------------------------------------------------------------- our scan


def our_findings(repo, enable=()):
    """Our findings (scan --all --format json) and the summary line of a second, text-mode scan (warm: its
    results come from the blob cache), which says how many files were skipped as vendored or generated."""
    shutil.rmtree(os.path.join(repo, ".git", "autoloop"), ignore_errors=True)
    found = []
    for fmt in ("json", "text"):
        extra = ["-c", f"rules.enable=[{','.join(enable)}]"] if enable else []
        r = subprocess.run([B.binary("git-autoloop"), *extra, "scan", "--all", "--format", fmt], cwd=repo,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise RuntimeError(f"scan --all in {repo} exited with {r.returncode}: {r.stderr.decode()[-500:]}")
        found.append(r.stdout)
    summary = [line for line in (found[1] + b"\n" + r.stderr).decode(errors="replace").splitlines() if "files scanned" in line]
    skipped = re.search(r"(\d+) skipped", summary[-1]) if summary else None
    # Findings the scan lists as skipped (a rule's not_in context: tests, examples, ...) are not shown
    # to the user as findings: they are not the rule's output, so they are not judged.
    shown = [f for f in json.loads(found[0] or b"[]") if f.get("status") != "skipped"]
    return shown, int(skipped.group(1)) if skipped else 0, summary[-1] if summary else ""


# ---------------------------------------------------------------------------------------------- peers


def cache_path(peer, repo, extra, per_tree=True):
    """per_tree: the entry is for this version of the project's files (else the caller checks each file)."""
    h = hashlib.sha256(f"{peer} {tree_id(repo) if per_tree else ''} {extra}".encode()).hexdigest()[:16]
    d = os.path.join(B.bench_dir(), "precision", "peer-cache")
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, f"{peer}-{os.path.basename(repo)}-{h}.json")


def cached(path, compute):
    if os.path.isfile(path):
        with open(path) as f:
            return json.load(f)
    data = compute()
    B.write_json(path, data)
    return data


def run_ruff(repo, files, codes, tools):
    """{"diags": [{path, code, line, end_line}], "failed": [paths]}"""
    module = os.path.join(P.npm_prefix(), "node_modules", "@astral-sh", "ruff-wasm-nodejs")

    def compute():
        r = subprocess.run(["node", RUFF_SCRIPT, module, ",".join(codes)], input="\n".join(files).encode(),
                           cwd=repo, stdout=subprocess.PIPE, check=True)
        diags, failed = [], []
        for line in r.stdout.decode().splitlines():
            d = json.loads(line)
            (failed.append(d["path"]) if "error" in d else diags.append(d))
        return {"diags": diags, "failed": failed}

    return cached(cache_path("ruff", repo, f"{tools['versions'].get('ruff')} {codes}"), compute)


ESLINT_CONFIG = """// Written by tests/bench/precision.py: only the rules equivalent to git-autoloop's are on.
import tseslint from {tseslint};
const rules = {rules};
const ts = {{ parser: tseslint.parser }};
export default [
  {{ files: ["**/*.js", "**/*.jsx"], languageOptions: {{ ecmaVersion: "latest", sourceType: {js_type},
     parserOptions: {{ ecmaFeatures: {{ jsx: true }} }} }}, rules }},
  {{ files: {module_files}, languageOptions: {{ ecmaVersion: "latest", sourceType: "module",
     parserOptions: {{ ecmaFeatures: {{ jsx: true }} }} }}, rules }},
  {{ files: ["**/*.cjs"], languageOptions: {{ ecmaVersion: "latest", sourceType: "commonjs" }}, rules }},
  {{ files: ["**/*.mjs"], languageOptions: {{ ecmaVersion: "latest", sourceType: "module" }}, rules }},
  {{ files: ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.cts"], languageOptions: ts,
     plugins: {{ "@typescript-eslint": tseslint.plugin }}, rules: {{ ...rules, ...{ts_rules} }} }},
];
"""


MODULE_SYNTAX = re.compile(rb"^(import[\s{*\"']|export\s)", re.M)


def run_eslint(repo, files, rules, tools, package_type):
    """ESLint with a flat config of only `rules` (the TS-only ones on .ts files only). A .js file is parsed
    as the package's type says, or as a module when it has import/export statements (moment's src/)."""
    module_files = []
    for rel in files:
        if rel.endswith((".js", ".jsx")):
            with open(os.path.join(repo, rel), "rb") as fh:
                if MODULE_SYNTAX.search(fh.read()):
                    module_files.append(rel)
    prefix = P.npm_prefix()
    plain = {r: "error" for r in rules if not r.startswith("@typescript-eslint/")}
    ts_only = {r: "error" for r in rules if r.startswith("@typescript-eslint/")}
    cfg = ESLINT_CONFIG.format(tseslint=json.dumps(os.path.join(prefix, "node_modules", "typescript-eslint", "dist", "index.js")),
                               rules=json.dumps(plain), ts_rules=json.dumps(ts_only),
                               js_type=json.dumps("module" if package_type == "module" else "commonjs"),
                               module_files=json.dumps(module_files or ["-none-"]))

    def compute():
        cfg_path = os.path.join(B.bench_dir(), "precision", f"eslint-{os.path.basename(repo)}.config.mjs")
        with open(cfg_path, "w") as f:
            f.write(cfg)
        r = subprocess.run([os.path.join(prefix, "node_modules", ".bin", "eslint"), "--config", cfg_path, "--format",
                            "json", "--no-inline-config", "--no-warn-ignored", "--no-error-on-unmatched-pattern",
                            *files], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode not in (0, 1):
            raise RuntimeError(f"eslint failed in {repo}: {r.stderr.decode()[-800:]}")
        diags, failed = [], []
        for res in json.loads(r.stdout):
            path = os.path.relpath(res["filePath"], repo)
            for m in res["messages"]:
                if m.get("fatal") or not m.get("ruleId"):
                    failed.append(path)
                    continue
                diags.append({"path": path, "code": m["ruleId"], "line": m["line"], "end_line": m.get("endLine") or m["line"]})
        return {"diags": diags, "failed": sorted(set(failed))}

    return cached(cache_path("eslint", repo, f"{tools['versions'].get('eslint')} {cfg}"), compute)


TIDY_LINE = re.compile(r"^(.+?):(\d+):(\d+): (warning|error): (.*?)(?: \[([\w.,-]+)\])?$")


def run_clang_tidy(repo, files, checks, lang, tools):
    """clang-tidy on each file as its own translation unit; diagnostics in that file only."""
    tidy = tools.get("clang-tidy")
    names = sorted({c.split(":")[0] for c in checks})
    incs = sorted({os.path.join(repo, os.path.relpath(d, repo)) for d, dirs, _ in os.walk(repo)
                   if os.path.basename(d) == "include" and ".git" not in d})
    flags = (["-x", "c", "-std=c11"] if lang == "c" else ["-x", "c++", "-std=c++17"])
    flags += [f"-I{d}" for d in incs] + [f"-I{repo}", "-Wno-everything", "-Wno-pragma-once-outside-header"]

    def one(rel):
        try:
            r = subprocess.run([tidy, f"-checks=-*,{','.join(names)}", "--quiet", rel, "--", *flags,
                                f"-I{os.path.dirname(os.path.join(repo, rel))}"],
                               cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=TIDY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return rel, [], -1  # left out of the comparison, as a file the peer could not check
        diags, errors = [], 0
        for line in r.stdout.decode(errors="replace").splitlines():
            m = TIDY_LINE.match(line)
            if not m:
                continue
            if m.group(4) == "error":
                errors += 1
                continue
            if os.path.realpath(os.path.join(repo, m.group(1))) != os.path.realpath(os.path.join(repo, rel)):
                continue
            for code in (m.group(6) or "").split(","):
                diags.append({"path": rel, "code": code, "line": int(m.group(2)), "end_line": int(m.group(2)),
                              "message": m.group(5)})
        return rel, diags, errors

    # Cached per file (by its content), so that another selection of files reuses what was run.
    cpath = cache_path("clang-tidy", repo, f"{tools['versions'].get('clang-tidy')} {names} {flags}", per_tree=False)
    cache = {}
    if os.path.isfile(cpath):
        with open(cpath) as f:
            cache = json.load(f)

    def digest(rel):
        with open(os.path.join(repo, rel), "rb") as f:
            return hashlib.sha1(f.read()).hexdigest()

    todo = [rel for rel in files if cache.get(rel, {}).get("sha") != digest(rel)]
    if todo:
        B.log(f"precision: clang-tidy on {len(todo)} files of {os.path.basename(repo)}")
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            for rel, diags, errors in ex.map(one, todo):
                cache[rel] = {"sha": digest(rel), "diags": diags, "errors": errors}
        B.write_json(cpath, cache)
    out = {"diags": [], "failed": [], "compile_errors": []}
    for rel in files:
        out["diags"] += cache[rel]["diags"]
        if cache[rel]["errors"] < 0:
            out["failed"].append(rel)
        elif cache[rel]["errors"]:
            out["compile_errors"].append(rel)
    return out


def peer_code_matches(peer_entry, diag):
    """Whether a peer diagnostic is one of the equivalents listed as `peer_entry` ("code" or "code:word")."""
    code, _, word = peer_entry.partition(":")
    if diag["code"] != code:
        return False
    return not word or re.search(r"\b" + re.escape(word) + r"\b", diag.get("message", "")) is not None


# ---------------------------------------------------------------------------------------------- comparison


def agrees(f, d):
    return f["path"] == d["path"] and f["line"] <= d["line"] <= max(f["end_line"], f["line"])


def line_text(repo, path, line):
    try:
        with open(os.path.join(repo, path), encoding="utf-8", errors="replace") as fh:
            for i, text in enumerate(fh, 1):
                if i == line:
                    return text.rstrip("\n")
    except OSError:
        pass
    return ""


def line_hash(text):
    return hashlib.sha1(text.strip().encode()).hexdigest()[:10]


def load_labels():
    labels = {}
    if not os.path.isfile(LABELS):
        return labels
    with open(LABELS) as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 7 or parts[5] not in ("true", "false", "debatable"):
                B.log(f"precision: {LABELS}:{n}: expected rule, project, path, line, hash, true|false|debatable, reason")
                continue
            entry = {"hash": parts[4], "label": parts[5], "reason": parts[6]}
            labels[(parts[0], parts[1], parts[2], int(parts[3]))] = entry
            labels.setdefault((parts[0], parts[1], parts[2], parts[4]), entry)  # by the line's text, if it moved
    return labels


def run_peers(name, lang, source, repo, rels, findings, by_peer, tools, max_tidy_files):
    """The peers' results for one project: {peer: {"diags": [...], "failed": [...], ...}}."""
    results = {}
    if lang == "python" and tools.get("ruff") and "ruff" in by_peer:
        codes = sorted({c for v in by_peer["ruff"].values() for c in v})
        results["ruff"] = run_ruff(repo, rels, codes, tools)
    if lang in ("javascript", "typescript") and tools.get("eslint") and "eslint" in by_peer:
        codes = sorted({c for v in by_peer["eslint"].values() for c in v})
        ptype = None
        if source[0] == "npm":
            try:
                with open(os.path.join(B.npm_fetch(source[1], source[2]), "package.json")) as fh:
                    ptype = json.load(fh).get("type")
            except (OSError, ValueError):
                pass
        results["eslint"] = run_eslint(repo, rels, codes, tools, ptype)
    if lang in ("c", "cpp") and tools.get("clang-tidy") and "clang-tidy" in by_peer:
        checks = sorted({c for v in by_peer["clang-tidy"].values() for c in v})
        mapped = {rid for rid in by_peer["clang-tidy"]}
        first = sorted({f["path"] for f in findings if f["rule"] in mapped})
        rest = sorted(set(rels) - set(first))
        random.Random(f"{SAMPLE_SEED} {name}").shuffle(rest)
        chosen = sorted((first + rest)[: max(max_tidy_files, 0)])
        results["clang-tidy"] = run_clang_tidy(repo, chosen, checks, lang, tools)
        results["clang-tidy"]["checked"] = chosen

    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--projects", help="comma-separated subset of the projects (default: all)")
    ap.add_argument("--max-tidy-files", type=int, default=40)
    ap.add_argument("--write-unlabelled", action="store_true", help="print the unlabelled sampled findings")
    ap.add_argument("--context", type=int, default=4, help="lines of code around each with --write-unlabelled")
    a = ap.parse_args()
    t0 = time.monotonic()
    tools = P.peers(precision=True)
    rules = load_rules()
    unavailable = restrict_to_available(rules, available_peer_rules(tools))
    wanted = set(a.projects.split(",")) if a.projects else None
    # Rules that are off by default are measured too (turned on for the scan), and shown as off: their
    # figures say why they are off.
    off_by_default = sorted(rid for rid, r in rules.items() if not r["enabled"])
    projects = [p for p in PROJECTS if not wanted or p[0] in wanted]

    per_rule = {rid: {"findings": 0, "peer": peer_of(r), "eq_source": r["source"], "compared": 0, "agreed": 0,
                      "peer_diags": 0, "peer_covered": 0, "projects": set()} for rid, r in rules.items()}
    all_findings = []  # (project, repo, finding)
    unmatched = []
    peer_only = []  # the peers' diagnostics no finding of ours agrees with (the recall's misses)
    compared_ids = set()  # id() of our findings a peer checked (the rest of a peer rule's are labelled)
    tidy_errors = {}  # project -> how many files the peer saw only in part (compile errors) or not at all
    corpus = {"projects": 0, "files": 0, "bytes": 0, "languages": set(), "skipped": 0}
    for name, lang, source, roots in projects:
        try:
            files, version = project_files(name, lang, source, roots)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
            B.log(f"precision: {name}: cannot fetch ({e}); left out")
            continue
        if not files:
            B.log(f"precision: {name}: no source files; left out")
            continue
        repo = build_repo(name, files, version)
        findings, skipped, summary = our_findings(repo, off_by_default)
        corpus["projects"] += 1
        corpus["files"] += len(files)
        corpus["bytes"] += sum(os.path.getsize(s) for s, _ in files)
        corpus["languages"].add(lang)
        corpus["skipped"] += skipped
        B.log(f"precision: {name}: {len(files)} files: {summary}")
        for f in findings:
            all_findings.append((name, repo, f))
            if f["rule"] in per_rule:
                per_rule[f["rule"]]["findings"] += 1
                per_rule[f["rule"]]["projects"].add(name)

        rels = [rel for _, rel in files]
        by_peer = {}
        for rid, r in rules.items():
            p = peer_of(r)
            if p:
                by_peer.setdefault(p, {})[rid] = r["equivalents"][p]
        if skipped >= len(files):
            B.log(f"precision: {name}: our scan skipped every file (vendored or generated); no peer is run")
            continue
        try:
            results = run_peers(name, lang, source, repo, rels, findings, by_peer, tools, a.max_tidy_files)
        except (RuntimeError, OSError, ValueError, subprocess.CalledProcessError) as e:
            B.log(f"precision: {name}: a peer failed ({e}); the project's findings are not compared")
            results = {}
        for peer, res in results.items():
            # A file the peer could not check, or compiled only with errors (a header that needs a prior
            # include or a generated config.h): its silence is no evidence, so the file is left out.
            checked = set(res.get("checked", rels)) - set(res.get("failed", [])) - set(res.get("compile_errors", []))
            for rid, eqs in by_peer.get(peer, {}).items():
                mine = [f for f in findings if f["rule"] == rid and f["path"] in checked]
                theirs = [d for d in res["diags"] if d["path"] in checked and any(peer_code_matches(e, d) for e in eqs)]
                s = per_rule[rid]
                s["compared"] += len(mine)
                compared_ids.update(id(f) for f in mine)
                s["peer_diags"] += len(theirs)
                for f in mine:
                    if any(agrees(f, d) for d in theirs):
                        s["agreed"] += 1
                    else:
                        unmatched.append((rid, name, f["path"], f["line"], line_text(repo, f["path"], f["line"])))
                for d in theirs:
                    if any(agrees(f, d) for f in mine):
                        s["peer_covered"] += 1
                    else:
                        peer_only.append((rid, name, d["path"], d["line"], d["code"], line_text(repo, d["path"], d["line"])))
            if res.get("compile_errors") or res.get("failed"):
                tidy_errors[name] = f"{len(res.get('compile_errors', []))} with errors, {len(res.get('failed', []))} left out"

    # Adjudication: a finding of ours the peer does not report that was read and labelled `true` in
    # precision/labels.tsv (the peer is wrong there; the reason is in the label and in differences.md)
    # counts as right in the adjudicated precision. The raw agreement is printed next to it.
    labels = load_labels()

    def label_of(rid, proj, path, line, text):
        lab = labels.get((rid, proj, path, line)) or labels.get((rid, proj, path, line_hash(text)))
        return lab, bool(lab) and lab["hash"] == line_hash(text)

    for rid, proj, path, line, text in unmatched:
        lab, current = label_of(rid, proj, path, line, text)
        if current and lab["label"] == "true":
            per_rule[rid]["adjudicated"] = per_rule[rid].get("adjudicated", 0) + 1

    # Every finding the user is shown is judged: by the peer where it checked the file, else by a label.
    # A rule without a peer is judged by its labelled sample; a peer rule's findings in files the peer did
    # not check (clang-tidy cannot compile a source without its generated config.h, a file beyond
    # --max-tidy-files, a project whose peer failed) are sampled and looked up in labels.tsv the same way.
    unlabelled = []

    def judge_by_labels(rid, s, items):
        """items: [(project, path, line, repo, text)]; the SAMPLE_SIZE with the smallest seeded hash of rule,
        project, path and line text. A finding that appears or disappears changes the sample by at most
        that one finding, so labels survive rule and corpus changes; a moved line keeps its label."""
        def rank(x):
            return hashlib.sha1(f"{SAMPLE_SEED}\0{rid}\0{x[0]}\0{x[1]}\0{x[4].strip()}\0{x[2]}".encode()).hexdigest()
        sample = sorted(items, key=rank)[:SAMPLE_SIZE]
        s.update({"sampled": len(sample), "true": 0, "false": 0, "debatable": 0, "unlabelled": 0, "changed": 0})
        for proj, path, line, repo, text in sorted(sample):
            lab, current = label_of(rid, proj, path, line, text)
            if current:
                s[lab["label"]] += 1
                continue
            s["unlabelled"] += 1
            if lab:
                s["changed"] += 1
            unlabelled.append((rid, proj, path, line, line_hash(text), text.strip()[:160], repo))

    for rid, s in per_rule.items():
        mine = [(p, f["path"], f["line"], repo, line_text(repo, f["path"], f["line"]))
                for p, repo, f in all_findings if f["rule"] == rid and (not s["peer"] or id(f) not in compared_ids)]
        s["unchecked"] = len(mine) if s["peer"] else 0
        judge_by_labels(rid, s, mine)

    out_dir = os.path.join(B.bench_dir(), "precision")
    with open(os.path.join(out_dir, "unmatched.tsv"), "w") as f:
        f.write("# rule\tproject\tpath\tline\ttext (our findings the peer does not report)\n")
        for row in sorted(unmatched):
            f.write("\t".join(str(x) for x in row[:4]) + "\t" + row[4].strip()[:200] + "\n")
    with open(os.path.join(out_dir, "peer_only.tsv"), "w") as f:
        f.write("# rule\tproject\tpath\tline\tpeer rule\ttext (the peer's diagnostics none of ours agrees with)\n")
        for row in sorted(peer_only):
            f.write("\t".join(str(x) for x in row[:5]) + "\t" + row[5].strip()[:200] + "\n")
    with open(os.path.join(out_dir, "unlabelled.tsv"), "w") as f:
        f.write("# rule\tproject\tpath\tline\thash\t(label)\t(reason)\ttext\n")
        for row in sorted(unlabelled):
            f.write("\t".join(str(x) for x in row[:5]) + "\t\t\t" + row[5] + "\n")

    # The table.
    rows = []
    for rid in sorted(per_rule):
        s = per_rule[rid]
        row = {"rule": rid, "findings": s["findings"], "projects": len(s["projects"]), "peer": s["peer"],
               "equivalents_from": s["eq_source"], "enabled": rules[rid]["enabled"]}
        row.update({k: s[k] for k in ("sampled", "true", "false", "debatable", "unlabelled", "changed")})
        labelled = s["true"] + s["false"] + s["debatable"]
        if s["peer"]:
            adjudicated = s.get("adjudicated", 0)
            # Judged: compared with the peer, plus the labelled ones of the findings it did not check.
            judged = s["compared"] + labelled
            row.update({"compared": s["compared"], "agreed": s["agreed"], "peer_diags": s["peer_diags"],
                        "peer_covered": s["peer_covered"], "adjudicated": adjudicated, "unchecked": s["unchecked"],
                        "labelled": labelled, "judged": judged,
                        "agreement": s["agreed"] / s["compared"] if s["compared"] else None,
                        "precision": (s["agreed"] + adjudicated + s["true"]) / judged if judged else None,
                        "recall": s["peer_covered"] / s["peer_diags"] if s["peer_diags"] else None,
                        "target": 0.95})
        else:
            row.update(precision=s["true"] / labelled if labelled else None, labelled=labelled, judged=labelled,
                       target=0.9)
        # n/a: nothing shown to judge. UNJUDGED: findings shown and none judged (it misses its target: no
        # figure is no evidence). incomplete: some sampled findings have no label, so the figure may move.
        if row["findings"] == 0:
            row["verdict"] = "n/a"
        elif row["precision"] is None:
            row["verdict"] = "UNJUDGED"
        elif row["unlabelled"]:
            row["verdict"] = "incomplete"
        else:
            row["verdict"] = "PASS" if row["precision"] >= row["target"] else "MISS"
        if not row["enabled"]:
            row["verdict"] = "off"  # off by default: not held to the target, its description says why
        rows.append(row)

    on = [r for r in rows if r["enabled"]]
    judged = sum(r["judged"] for r in on)
    good = sum(r.get("agreed", 0) + r.get("adjudicated", 0) + r.get("true", 0) for r in on)
    measured = [r for r in on if r["precision"] is not None]
    shown = [r for r in on if r["findings"]]  # every rule on by default with a finding shown is held to its target
    overall = {"micro": good / judged if judged else None, "judged": judged,
               "macro": sum(r["precision"] for r in measured) / len(measured) if measured else None,
               "rules_measured": len(measured), "rules_with_findings": len(shown),
               "rules_passing": sum(r["verdict"] == "PASS" for r in shown),
               "rules_unjudged": [r["rule"] for r in shown if r["verdict"] == "UNJUDGED"],
               "rules_incomplete": [r["rule"] for r in shown if r["verdict"] == "incomplete"],
               "rules_missing": [r["rule"] for r in shown if r["verdict"] == "MISS"],
               "rules_without_findings": sum(1 for r in rows if r["findings"] == 0)}

    print(f"precision on real code: {corpus['projects']} projects, {corpus['files']} files "
          f"({corpus['bytes'] / 1e6:.1f} MB), languages {', '.join(sorted(corpus['languages']))}; "
          f"{corpus['skipped']} files skipped by our scan (vendored/generated)")
    print(f"peers: ruff {tools['versions'].get('ruff')}, eslint {tools['versions'].get('eslint')}, "
          f"clang-tidy {tools['versions'].get('clang-tidy')}")
    print("  precision: adjudicated (peer-confirmed, plus findings read and labelled right where the peer disagrees "
          "or did not check the file) over the judged findings (n); agreement: the raw share the peer confirms "
          "of those it checked (compared)")
    w = max(len(r["rule"]) for r in rows) + 2
    print(f"  {'rule':{w}} {'findings':>8}  {'oracle':17} {'precision':>9} {'(n)':>5} {'agreement':>9} {'(compared)':>10} "
          f"{'recall':>7} {'(peer)':>7}  verdict")
    for r in rows:
        prec = "-" if r["precision"] is None else f"{r['precision']:.3f}"
        notes = []
        if r["peer"]:
            agr = "-" if r["agreement"] is None else f"{r['agreement']:.3f}"
            rec = "-" if r["recall"] is None else f"{r['recall']:.3f}"
            if r["adjudicated"]:
                notes.append(f"{r['adjudicated']} the peer does not report, read and labelled right")
            if r["unchecked"]:
                notes.append(f"{r['unchecked']} in files the peer did not check: {r['labelled']} of "
                             f"{r['sampled']} sampled labelled, {r['true']} true")
            cols = f"{agr:>9} {r['compared']:10d} {rec:>7} {r['peer_diags']:7d}"
        else:
            cols = f"{'':>9} {'':>10} {'':>7} {'':>7}"
        if r["debatable"]:
            notes.append(f"{r['debatable']} debatable")
        if r["unlabelled"]:
            notes.append(f"{r['unlabelled']} sampled without a label" + (f" ({r['changed']} whose line changed)"
                                                                         if r["changed"] else ""))
        oracle = r["peer"] + "+labels" if r["peer"] and r["labelled"] else (r["peer"] or "labels")
        print(f"  {r['rule']:{w}} {r['findings']:8d}  {oracle:17} {prec:>9} {r['judged']:5d} {cols}  {r['verdict']}"
              + (f"  ({'; '.join(notes)})" if notes else ""))
    if unavailable:
        print("  equivalents the installed peers do not have (left out; a rule left with none is labelled instead): "
              + "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(unavailable.items())))
    if tidy_errors:
        print("  files left out of the comparison: the peer compiled them only with errors (its checks then see a partial "
              "AST, and clang-analyzer does not run) or could not check them (parse error, timeout): "
              + ", ".join(f"{k} {v}" for k, v in sorted(tidy_errors.items())))
    micro = "-" if overall["micro"] is None else f"{overall['micro']:.3f}"
    macro = "-" if overall["macro"] is None else f"{overall['macro']:.3f}"
    print(f"  overall (rules on by default): {micro} of {judged} judged findings (peer-confirmed or labelled true); "
          f"mean over {len(measured)} rules {macro}; {overall['rules_passing']} of {len(shown)} rules with findings "
          f"shown at their target" + "".join(f"; {k}: {', '.join(v)}" for k, v in (
              ("UNJUDGED", overall["rules_unjudged"]), ("incomplete", overall["rules_incomplete"]),
              ("MISS", overall["rules_missing"])) if v)
          + f"; off by default (measured with rules.enable, verdict 'off'): {', '.join(off_by_default) or 'none'}")
    print(f"FIGURES precision projects={corpus['projects']} files={corpus['files']} languages={len(corpus['languages'])} "
          f"overall={micro} macro={macro} rules_passing={overall['rules_passing']}/{len(shown)} "
          f"unjudged={len(overall['rules_unjudged'])} incomplete={len(overall['rules_incomplete'])} "
          f"unlabelled={sum(r['unlabelled'] for r in rows)} seconds={time.monotonic() - t0:.0f}")
    print(f"  written: {os.path.join(out_dir, 'unmatched.tsv')} ({len(unmatched)} findings the peer does not report), "
          f"{os.path.join(out_dir, 'unlabelled.tsv')} ({len(unlabelled)} sampled findings without a label)")
    if a.write_unlabelled:
        # For the labeller: each unlabelled finding as a ready labels.tsv line (label and reason to fill in),
        # then the code around it.
        for row in sorted(unlabelled):
            print("\n" + "\t".join(str(x) for x in row[:5]) + "\t?\t?")
            repo, path, line = row[6], row[2], row[3]
            for n in range(max(1, line - a.context), line + a.context + 1):
                t = line_text(repo, path, n)
                print(f"  {'>' if n == line else ' '}{n:5d} {t[:200]}")
    if a.json:
        corpus["languages"] = sorted(corpus["languages"])
        B.write_json(a.json, {"corpus": corpus, "rules": rows, "overall": overall, "peers": tools.get("versions"),
                              "clang_tidy_compile_errors": tidy_errors, "max_tidy_files": a.max_tidy_files,
                              "unavailable_equivalents": unavailable})
    return 0


if __name__ == "__main__":
    sys.exit(main())
