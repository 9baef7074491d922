#!/usr/bin/env python3
"""The automatic fixes on real code nobody on the team wrote: valid, and no bigger than they say.

  real_fixes.py --bin DIR [--corpus DIR...] [--projects a,b] [--languages python,go]
                [--limit N] [--max-files N] [--seed S] [--keep DIR] [--json OUT] [--show N]

The corpus: the precision benchmark's projects (tests/bench/precision.py PROJECTS: Debian packages
fetched with `apt-get download` and unpacked, never installed; pinned npm packages fetched with `npm
pack`; the standard library), plus EXTRA_PROJECTS below (Go's standard library as Debian installs it),
or, with --corpus, the given directories (each a project; languages by file extension). Each project
is committed into a throwaway repository and scanned with `git autoloop scan --all --format json`, the
rules that are off by default turned on. Every queued finding whose safety is `safe` or `unsafe` (the
ones a drain may fix; `suggest` is never fixed) is then fixed by the tool's own derivation: `git
autoloop drain --preview ID...` derives it at HEAD exactly as the drain's chain does (fix::derive_fix:
the rule's fix template or named fix, then the gates: size, re-parse, declarations kept, the finding
gone, the language's native check), prints the fixed file, and commits nothing. Each fix is applied
alone to its file, and the fixed file is checked here, independently of the tool's gates:

  1. valid: the language's own front end accepts the fixed file wherever it accepted the original:
       python      compile() (SyntaxError; a SyntaxWarning the original had not counts too)
       javascript  node's compiler as `node --check` uses it (the CommonJS wrapper for a script, a
                   SourceTextModule for a module), in one node process; the mode is the one the original
                   passes (`.mjs` module, `.cjs` script, else script first); every file found broken is
                   confirmed with `node --check` itself
       go          gofmt -e
       c, cpp      clang -fsyntax-only (-std=c11 / -std=c++17, -I the file's directory and the project's
                   include roots); a file whose original does not compile standalone is skipped, counted
       java        javac -proc:none: the fixed file may not add an error the original did not have
     A file of another language (TypeScript) is not checked, counted.
  2. in scope: every line the fix changes lies within the finding's lines, or is an import (`import`,
     `from .. import`, `#include`, Go's import block) the fix adds, or a line a rule's fix is documented
     to add elsewhere (SCOPE_EXTRA: the guard mutable-default-argument puts at the top of the body).
  3. Python: the syntax trees differ only under the finding's lines (and in added imports), and, for
     the rules of AST_SHAPES, in the expected way (`==` -> `is`, `d.keys()` -> `d`, ...).

A fix the tool's gates refuse is checked too (it is what the rule's fix made), and shown as caught by
the gate: every breakage, caught or not, is a bug of the rule. Prints per rule: findings, fixes tried,
fixes made, refused by a gate, no fix, checked, skipped (original fails), broken, out of scope, wrong
AST; then the first --show breakages in full. Exit 0 when nothing is broken, out of scope or wrong; 1
otherwise; 2 when the test cannot run.

--limit N: at most N findings per rule (a fixed-seed sample) are fixed; --max-files N: at most N files
per project (fixed-seed sample) are committed and scanned. The CTest slice (`differential/real_fixes`)
runs a few projects of each language with small limits; `tests/bench/run --only real_fixes` runs the
whole corpus with --limit 400 (a fix is derived by scanning its whole file again: no-var's 2,470 findings
in lodash.js alone would take hours).
"""

import argparse
import ast
import collections
import difflib
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "bench"))
import benchlib as B  # noqa: E402
import precision as P  # noqa: E402  (its corpus: PROJECTS, project_files, and the fetching)


def go_root():
    found = sorted(glob.glob("/usr/lib/go-*/src"))
    return found[-1] if found else None


def rest_of(root, skip):
    """The top-level packages and modules of a Python directory that no other project takes."""
    taken = {r for name, _, source, roots in P.PROJECTS if source == ("dir", root) for r in roots or []}
    if not os.path.isdir(root):
        return []
    return sorted(n for n in os.listdir(root)
                  if n not in taken and n not in skip and not n.startswith((".", "_")) and "-" not in n
                  and (n.endswith(".py") or os.path.isdir(os.path.join(root, n))))


# Projects beyond the precision benchmark's, in the same shape: (name, language, source, roots). The
# rest of the standard library and of the Python packages this machine has (what it has varies; they
# show the rules that the benchmark's projects give no finding, such as eval-exec or subprocess-shell-true).
EXTRA_PROJECTS = [
    ("python3.11-rest", "python", ("dir", "/usr/lib/python3.11"),
     rest_of("/usr/lib/python3.11", {"test", "site-packages", "dist-packages", "idlelib", "lib2to3", "turtledemo"})),
    ("dist-packages-rest", "python", ("dir", P.PY_DIST), rest_of(P.PY_DIST, set())),
    ("go-stdlib", "go", ("dir", go_root() or "/nonexistent"),
     ["net/http", "encoding", "fmt", "strings", "strconv", "os", "text", "go", "crypto/tls", "database", "flag",
      "log", "archive", "compress", "image", "mime", "html", "path", "sort", "bufio"]),
]
LANGUAGE_OF_EXT = {".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
                   ".jsx": "javascript", ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
                   ".tsx": "typescript", ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp",
                   ".hpp": "cpp", ".hh": "cpp", ".hxx": "cpp", ".go": "go", ".java": "java"}
TOOL_TIMEOUT_S = 60
# The gates' outcomes that say the fixed file is not valid code.
BROKEN_OUTCOMES = ("check_failed", "reparse_error")

# Where a rule's fix is documented to reach past the finding's lines: (finding's first line, lines of the
# file) -> the last line it may change. open-without-context makes a `with` block of the statements after
# the `open` down to the first `<name>.close()` of the block.
def _through_close(first, lines):
    m = re.match(r"\s*(\w+)\s*=", lines[first - 1])
    if m:
        close = re.compile(r"\s*" + re.escape(m.group(1)) + r"\.close\(\)\s*(#.*)?$")
        for k in range(first, len(lines)):
            if close.match(lines[k]):
                return k + 1
    return first


SCOPE_SPAN = {"python/open-without-context": _through_close}

# Lines a rule's fix is documented to add outside the finding's lines (besides imports).
SCOPE_EXTRA = {
    # `if param is None:` / `param = <value>` after the docstring (the finding is the parameter).
    "python/mutable-default-argument": re.compile(r"^\s*(if \w+ is None:|\w+ = .+)$"),
}


# ---------------------------------------------------------------------------------------------- corpus


def projects(args):
    """[(name, language or None, [(absolute path, path in the repository)])]."""
    out = []
    if args.corpus:
        for d in args.corpus:
            d = os.path.abspath(d)
            files = []
            for root, dirs, names in os.walk(d):
                dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x not in ("__pycache__", "node_modules"))
                for n in sorted(names):
                    p = os.path.join(root, n)
                    if os.path.splitext(n)[1] in LANGUAGE_OF_EXT and os.path.isfile(p) and not os.path.islink(p):
                        files.append((p, os.path.relpath(p, d)))
            out.append((os.path.basename(d.rstrip("/")) or "corpus", None, files))
        return out
    for name, lang, source, roots in P.PROJECTS + EXTRA_PROJECTS:
        if args.projects and name not in args.projects:
            continue
        if args.languages and lang not in args.languages:
            continue
        if source[0] == "dir" and not os.path.isdir(source[1]):
            B.log(f"real_fixes: {name}: {source[1]} is not on this machine; skipped")
            continue
        try:
            files, _ = P.project_files(name, lang, source, roots)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            B.log(f"real_fixes: {name}: cannot fetch ({e}); skipped")
            continue
        out.append((name, lang, files))
    return out


def language_of(project_lang, rule, path):
    ext = os.path.splitext(path)[1]
    lang = LANGUAGE_OF_EXT.get(ext)
    if lang == "c" and (project_lang == "cpp" or rule.startswith("cpp/")):
        return "cpp"  # a `.h` of a C++ project, as the scan reads it
    return lang


def build_repo(work, name, files):
    repo = os.path.join(work, "repos", name)

    def stream(out):
        blobs = []
        for src, rel in files:
            with open(src, "rb") as f:
                blobs.append((rel, f.read()))
        B.fi_commit(out, "main", 1_600_000_000, name, blobs)

    B.fast_import(repo, stream)
    return repo


# ---------------------------------------------------------------------------------------------- the tool


def tool_env(work):
    return dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=work, XDG_CONFIG_HOME=os.path.join(work, ".config"),
                GIT_AUTHOR_NAME="d", GIT_AUTHOR_EMAIL="d@d.invalid", GIT_COMMITTER_NAME="d",
                GIT_COMMITTER_EMAIL="d@d.invalid")


def off_rules(tool, env):
    r = subprocess.run([tool, "rules", "--format", "json"], env=env, stdout=subprocess.PIPE, check=True)
    return [x["id"] for x in json.loads(r.stdout) if not x.get("enabled", True)]


def scan(tool, env, repo, enable):
    extra = ["-c", f"rules.enable=[{','.join(enable)}]"] if enable else []
    r = subprocess.run([tool, *extra, "scan", "--all", "--format", "json"], cwd=repo, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError(f"scan --all in {repo} exited with {r.returncode}: {r.stderr.decode()[-500:]}")
    return json.loads(r.stdout or b"[]")


def previews(tool, env, repo, enable, ids):
    """Yields the preview objects of `ids`, read as the tool prints them."""
    extra = ["-c", f"rules.enable=[{','.join(enable)}]"] if enable else []
    for k in range(0, len(ids), 1000):
        chunk = ids[k:k + 1000]
        p = subprocess.Popen([tool, *extra, "drain", "--preview", *map(str, chunk)], cwd=repo, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in p.stdout:
            yield json.loads(line)
        err = p.stderr.read()
        if p.wait() != 0:
            raise RuntimeError(f"drain --preview in {repo} exited with {p.returncode}: {err[-500:]}")


# ---------------------------------------------------------------------------------------------- checks


def python_diagnostics(text, path):
    """compile()'s verdict: [] when clean; SyntaxError and SyntaxWarning messages otherwise."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            compile(text, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            return [f"{type(e).__name__}: {getattr(e, 'msg', str(e))}"]
    return sorted(f"SyntaxWarning: {w.message}" for w in caught if issubclass(w.category, SyntaxWarning))


NODE_CHECKER = r"""
const vm = require('vm');
const rl = require('readline').createInterface({ input: process.stdin });
const params = ['exports', 'require', 'module', '__filename', '__dirname'];
rl.on('line', (line) => {
  const { code, mode } = JSON.parse(line);
  let error = null;
  try {
    if (mode === 'script') vm.compileFunction(code, params, { filename: 'file.js' });
    else new vm.SourceTextModule(code, { identifier: 'file.mjs' });
  } catch (e) {
    error = (e && e.constructor ? e.constructor.name : 'Error') + ': ' + (e && e.message);
  }
  process.stdout.write(JSON.stringify(error) + '\n');
});
"""


class NodeChecker:
    """node's compiler in one process (what `node --check` runs), one text a line."""

    def __init__(self):
        self.proc = None

    def check(self, code, mode):
        if self.proc is None:
            self.proc = subprocess.Popen(["node", "--experimental-vm-modules", "--no-warnings", "-e", NODE_CHECKER],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.proc.stdin.write(json.dumps({"code": code, "mode": mode}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        if self.proc:
            self.proc.stdin.close()
            self.proc.wait()


def node_check_file(code, mode, tmp):
    """`node --check` itself on the text, as a .cjs (script) or .mjs (module): the message, or None."""
    path = os.path.join(tmp, "check." + ("mjs" if mode == "module" else "cjs"))
    with open(path, "w") as f:
        f.write(code)
    r = subprocess.run(["node", "--check", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=TOOL_TIMEOUT_S)
    return None if r.returncode == 0 else (r.stderr.strip().splitlines() or ["error"])[-1]


POSITION = re.compile(r"^[^\s:]*:\d+(:\d+)?:\s*")


def run_tool(cmd, text, tmp, name, cwd=None):
    """Writes `text` to tmp/name and runs cmd + [file]: (exit code, normalised error lines)."""
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    try:
        r = subprocess.run([*cmd, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                           timeout=TOOL_TIMEOUT_S, cwd=cwd or tmp)
    except subprocess.TimeoutExpired:
        return None, ["timeout"]
    lines = [POSITION.sub("", x.replace(path, "FILE")) for x in r.stderr.splitlines()]
    return r.returncode, sorted(x for x in lines if "error" in x.lower())


class Checker:
    """The language's own verdict on an original and on its fixes (originals cached by path)."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.node = NodeChecker()
        self.originals = {}

    def verdict(self, lang, key, before, after, path, include_dirs):
        """("ok"|"broken"|"skipped"|"unchecked", detail)."""
        if lang == "python":
            b = self.cached(key, lambda: python_diagnostics(before, path))
            if any(x.startswith(("SyntaxError", "ValueError")) for x in b):
                return "skipped", "the original does not compile: " + b[0]
            a = python_diagnostics(after, path)
            added = list((collections.Counter(a) - collections.Counter(b)).elements())
            return ("broken", "; ".join(added)) if added else ("ok", "")
        if lang == "javascript":
            ext = os.path.splitext(path)[1]
            modes = ["module"] if ext == ".mjs" else ["script"] if ext == ".cjs" else ["script", "module"]

            def original_mode():
                for m in modes:
                    if self.node.check(before, m) is None:
                        return m
                return None
            mode = self.cached(key, original_mode)
            if mode is None:
                return "skipped", "the original passes node --check in no mode"
            err = self.node.check(after, mode)
            if err is None:
                return "ok", ""
            confirmed = node_check_file(after, mode, self.tmp)
            if confirmed is None:
                return "ok", f"(vm said {err}, node --check passes it)"
            return "broken", f"node --check ({mode}): {confirmed}"
        if lang == "go":
            b = self.cached(key, lambda: run_tool(["gofmt", "-e", "-l"], before, self.tmp, "file.go"))
            if b[0] != 0:
                return "skipped", "gofmt -e refuses the original"
            a = run_tool(["gofmt", "-e", "-l"], after, self.tmp, "file.go")
            return ("broken", "gofmt -e: " + "; ".join(a[1][:3])) if a[0] != 0 else ("ok", "")
        if lang in ("c", "cpp"):
            if not shutil.which("clang"):
                return "unchecked", "no clang"
            flags = ["-x", "c", "-std=c11"] if lang == "c" else ["-x", "c++", "-std=c++17"]
            cmd = ["clang", "-fsyntax-only", "-w", "-ferror-limit=0", *flags,
                   "-I", os.path.dirname(path), *[f"-I{d}" for d in include_dirs]]
            ext = os.path.splitext(path)[1]
            b = self.cached(key, lambda: run_tool(cmd, before, self.tmp, "file" + ext))
            if b[0] != 0:
                return "skipped", "the original does not compile standalone"
            a = run_tool(cmd, after, self.tmp, "file" + ext)
            return ("broken", "clang: " + "; ".join(a[1][:3])) if a[0] != 0 else ("ok", "")
        if lang == "java":
            if not shutil.which("javac"):
                return "unchecked", "no javac"
            out = os.path.join(self.tmp, "classes")
            os.makedirs(out, exist_ok=True)
            cmd = ["javac", "-proc:none", "-nowarn", "-implicit:none", "-d", out]
            name = os.path.basename(path)
            b = self.cached(key, lambda: run_tool(cmd, before, self.tmp, name))
            a = run_tool(cmd, after, self.tmp, name)
            added = list((collections.Counter(a[1]) - collections.Counter(b[1])).elements())
            return ("broken", "javac: " + "; ".join(added[:3])) if added else ("ok", "")
        return "unchecked", f"no native check for {lang}"

    def cached(self, key, compute):
        if key not in self.originals:
            self.originals[key] = compute()
        return self.originals[key]

    def close(self):
        self.node.close()


IMPORT_LINE = re.compile(r'^\s*(import\b|from\s+\S+\s+import\b|#\s*include\b|"[\w./-]+"$|\w+ "[\w./-]+"$|\)$|'
                         r'(const|let|var)\s+\w+\s*=\s*require\()')


def out_of_scope(before, after, first, last, rule):
    """The changed lines outside the finding's lines first..last (1-based), imports and the rule's
    documented extra lines excepted: [(line in the original, text)]."""
    a, b = before.split("\n"), after.split("\n")
    extra = SCOPE_EXTRA.get(rule)
    bad = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 < i2 and first - 1 <= i1 and i2 <= last:
            continue  # replaced or deleted lines, all of them the finding's
        if i1 == i2 and first - 1 <= i1 <= last:
            continue  # lines inserted among (or right after) the finding's
        for k in range(j1, j2):
            if IMPORT_LINE.match(b[k]) or (extra and extra.match(b[k])):
                continue
            bad.append((i1 + 1, "+ " + b[k]))
        for k in range(i1, i2):
            if not (first - 1 <= k < last):
                bad.append((k + 1, "- " + a[k]))
    return bad


# ---------------------------------------------------------------------------------------------- Python's AST


class Slice:
    """Statements (or other list items) of the original replaced by others: `old` may be empty (an
    insertion after line `at` of the original)."""

    def __init__(self, old, new, at):
        self.old, self.new, self.at = old, new, at
        self.lineno = old[0].lineno if old and hasattr(old[0], "lineno") else at
        self.end_lineno = old[-1].end_lineno if old and hasattr(old[-1], "end_lineno") else at


def node_differences(x, y):
    """The outermost pairs of differing nodes of two trees (fields compared, positions ignored); a list
    whose length changed gives a Slice of the items that differ."""
    if type(x) is not type(y):
        return [(x, y)]
    if isinstance(x, ast.AST):
        out = []
        for field in x._fields:
            vx, vy = getattr(x, field, None), getattr(y, field, None)
            if isinstance(vx, list) and isinstance(vy, list):
                if len(vx) == len(vy):
                    for p, q in zip(vx, vy):
                        out += node_differences(p, q)
                    continue
                same = lambda p, q: ast.dump(p) == ast.dump(q) if isinstance(p, ast.AST) else p == q  # noqa: E731
                head = 0
                while head < min(len(vx), len(vy)) and same(vx[head], vy[head]):
                    head += 1
                tail = 0
                while tail < min(len(vx), len(vy)) - head and same(vx[-1 - tail], vy[-1 - tail]):
                    tail += 1
                at = getattr(vx[head - 1], "end_lineno", 0) if head else getattr(x, "lineno", 0)
                out.append((Slice(vx[head:len(vx) - tail], vy[head:len(vy) - tail], at), None))
            elif isinstance(vx, ast.AST) or isinstance(vy, ast.AST):
                out += node_differences(vx, vy)
            elif vx != vy:
                return [(x, y)]
        return out
    return [] if x == y else [(x, y)]


def allowed_insertion(piece, rule):
    """Statements a fix may add outside the finding's lines: imports, and the rule's documented ones."""
    if not piece.old and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in piece.new):
        return True
    if rule == "python/mutable-default-argument" and not piece.old:
        return all(isinstance(s, ast.If) and isinstance(s.test, ast.Compare)
                   and isinstance(s.test.ops[0], ast.Is) for s in piece.new)
    return False


def ast_problem(before, after, first, last, rule):
    """Why the fixed tree is not the original changed under the finding's lines as the rule says; or None."""
    try:
        x, y = ast.parse(before), ast.parse(after)
    except (SyntaxError, ValueError):
        return None  # the native check says it
    diffs = node_differences(x, y)
    if not diffs:
        return "the syntax tree did not change"
    for a, b in diffs:
        if isinstance(a, Slice) and allowed_insertion(a, rule):
            continue
        lo, hi = getattr(a, "lineno", None), getattr(a, "end_lineno", None)
        if lo is None:
            continue  # an operator or context: its parent's lines were the finding's
        if hi < first or lo > last:
            return f"the tree changed at lines {lo}-{hi}, outside the finding's {first}-{last}: {dump(a, 120)}"
    shape = AST_SHAPES.get(rule)
    if shape:
        for a, b in diffs:
            if not isinstance(a, Slice) and not shape(a, b):
                return f"not the rule's rewrite: {dump(a)} -> {dump(b)}"
    return None


def dump(n, width=160):
    if isinstance(n, Slice):
        return f"statements at lines {n.lineno}-{n.end_lineno} -> " + "; ".join(ast.unparse(s) for s in n.new)[:width]
    return (ast.dump(n) if isinstance(n, ast.AST) else repr(n))[:width]


def _name(n):
    return ast.unparse(n) if isinstance(n, ast.AST) else None


def _compare_ops(a, b):
    pairs = {ast.Eq: (ast.Is,), ast.NotEq: (ast.IsNot,)}
    if isinstance(a, ast.cmpop) and isinstance(b, ast.cmpop):
        return type(b) in pairs.get(type(a), ())
    return False


def _keys_dropped(a, b):
    # `d.keys()` -> `d`
    return (isinstance(a, ast.Call) and isinstance(a.func, ast.Attribute) and a.func.attr == "keys"
            and not a.args and _name(a.func.value) == _name(b))


def _bare_except(a, b):
    # `except:` -> `except Exception:` (the handler's type was None; its body is compared as the rest)
    return a is None and _name(b) in ("Exception", "BaseException")


def _compare_to_bool(a, b):
    # `x == True` -> `x` / `x is True`; `x == False` -> `not x` / `x is False` (any such form)
    return isinstance(a, (ast.Compare, ast.cmpop))


def _attribute_renamed(names):
    def check(a, b):
        return (isinstance(a, ast.Attribute) and isinstance(b, ast.Attribute) and _name(a.value) == _name(b.value)
                and b.attr in names) or (isinstance(a, ast.Call) and isinstance(b, ast.Call))
    return check


AST_SHAPES = {
    "python/compare-to-none": _compare_ops,
    "python/dict-keys-iteration": _keys_dropped,
    "python/bare-except": _bare_except,
    "python/compare-to-bool": _compare_to_bool,
    "python/yaml-load-unsafe": _attribute_renamed({"safe_load", "safe_load_all"}),
    "python/weak-hash": lambda a, b: isinstance(a, (ast.Attribute, ast.Call, ast.Constant)),
}


# ---------------------------------------------------------------------------------------------- main


class Tally:
    FIELDS = ("findings", "tried", "made", "refused", "no_fix", "gone", "checked", "skipped", "unchecked",
              "broken", "caught", "out_of_scope", "wrong_ast")

    def __init__(self):
        self.rules = collections.defaultdict(lambda: dict.fromkeys(self.FIELDS, 0))
        self.refusals = collections.defaultdict(collections.Counter)
        self.skips = collections.Counter()
        self.failures = []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="directory holding git-autoloop")
    ap.add_argument("--corpus", nargs="+", help="directories to use instead of the benchmark's projects")
    ap.add_argument("--projects", help="comma-separated project names (of precision.py PROJECTS and EXTRA_PROJECTS)")
    ap.add_argument("--languages", help="comma-separated languages of the projects")
    ap.add_argument("--limit", type=int, default=0, help="at most N findings per rule (0: all)")
    ap.add_argument("--max-files", type=int, default=0, help="at most N files per project (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="work here and keep the repositories")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--show", type=int, default=10, help="breakages to print in full")
    args = ap.parse_args()
    args.projects = set(args.projects.split(",")) if args.projects else None
    args.languages = set(args.languages.split(",")) if args.languages else None
    tool = os.path.join(os.path.abspath(args.bin), "git-autoloop")
    if not os.access(tool, os.X_OK):
        print(f"real_fixes: no git-autoloop in {args.bin}", file=sys.stderr)
        return 2
    for needed in ("node", "gofmt"):
        if not shutil.which(needed):
            print(f"real_fixes: {needed} is missing", file=sys.stderr)
            return 2
    started = time.monotonic()
    work = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="autoloop-real-fixes.")
    os.makedirs(work, exist_ok=True)
    env = tool_env(work)
    enable = off_rules(tool, env)
    rng = random.Random(args.seed)
    tally = Tally()
    checker = Checker(tempfile.mkdtemp(prefix="check.", dir=work))
    try:
        # 1. Every project committed and scanned; the fixable findings.
        scanned = []
        files_total = 0
        for name, lang, files in projects(args):
            if not files:
                continue
            if args.max_files and len(files) > args.max_files:
                files = random.Random(f"{args.seed} {name}").sample(sorted(files), args.max_files)
            repo = build_repo(work, name, files)
            found = scan(tool, env, repo, enable)
            files_total += len(files)
            fixable = [f for f in found if f.get("safety") in ("safe", "unsafe") and f.get("id")
                       and f.get("status") != "skipped"]
            for f in fixable:
                tally.rules[f["rule"]]["findings"] += 1
            includes = sorted({os.path.join(repo, os.path.dirname(rel).split("/")[0]) for _, rel in files
                               if "include" in rel.split("/")[:2]} | {repo})
            scanned.append((name, lang, repo, fixable, includes))
        B.log(f"real_fixes: {len(scanned)} projects, {files_total} files scanned in {time.monotonic() - started:.0f} s")

        # 2. The sample: at most --limit findings per rule, over all projects.
        by_rule = collections.defaultdict(list)
        for k, (_, _, _, fixable, _) in enumerate(scanned):
            for f in fixable:
                by_rule[f["rule"]].append((k, f))
        chosen = collections.defaultdict(list)
        for rule in sorted(by_rule):
            picked = by_rule[rule]
            if args.limit and len(picked) > args.limit:
                picked = rng.sample(picked, args.limit)
            for k, f in picked:
                chosen[k].append(f)

        # 3. Each fix derived by the tool, applied alone, checked here.
        for k, (name, lang, repo, _, includes) in enumerate(scanned):
            mine = {f["id"]: f for f in chosen.get(k, [])}
            if not mine:
                continue
            originals = {}
            for p in previews(tool, env, repo, enable, sorted(mine)):
                f = mine[p["id"]]
                t = tally.rules[f["rule"]]
                t["tried"] += 1
                if p["status"] in ("no_fix", "gone", "unknown"):
                    t["no_fix" if p["status"] != "gone" else "gone"] += 1
                    if p["status"] == "no_fix":
                        tally.refusals[f["rule"]][p["detail"][:80]] += 1
                    continue
                if p["status"] == "ok":
                    t["made"] += 1
                else:
                    t["refused"] += 1
                    tally.refusals[f["rule"]][f"{p['outcome']}"] += 1
                path = f["path"]
                if path not in originals:
                    # As the tool reads it: line endings kept, bytes that are not UTF-8 replaced (its JSON does so).
                    with open(os.path.join(repo, path), encoding="utf-8", errors="replace", newline="") as fh:
                        originals[path] = fh.read()
                before, after = originals[path], p["after"]
                first, last = f["line"], max(f.get("end_line") or f["line"], f["line"])
                if f["rule"] in SCOPE_SPAN:
                    last = max(last, SCOPE_SPAN[f["rule"]](first, before.split("\n")))
                flang = language_of(lang, f["rule"], path)
                problems = []
                verdict, detail = checker.verdict(flang, (name, path), before, after, os.path.join(repo, path), includes)
                if verdict == "ok":
                    t["checked"] += 1
                elif verdict == "skipped":
                    t["skipped"] += 1
                    tally.skips[f"{flang}: {detail}"] += 1
                elif verdict == "unchecked":
                    t["unchecked"] += 1
                else:
                    t["checked"] += 1
                    t["broken"] += 1
                    if p["status"] != "ok":
                        t["caught"] += 1
                    problems.append(f"broken ({'caught by the gate: ' + p['outcome'] if p['status'] != 'ok' else 'not caught'}): {detail}")
                if verdict != "broken" and p["status"] == "refused" and p["outcome"] in BROKEN_OUTCOMES:
                    # What the tool's own re-parse or native check refused is broken too (caught): the
                    # check here skipped the file or its tool differs (g++ there, clang here).
                    t["broken"] += 1
                    t["caught"] += 1
                    problems.append(f"broken (caught by the gate: {p['outcome']}): {p['detail'][:300]}")
                scope = out_of_scope(before, after, first, last, f["rule"])
                if scope:
                    t["out_of_scope"] += 1
                    problems.append("out of scope: " + "; ".join(f"line {n}: {s.strip()[:80]}" for n, s in scope[:4]))
                if flang == "python" and verdict != "skipped":
                    why = ast_problem(before, after, first, last, f["rule"])
                    if why:
                        t["wrong_ast"] += 1
                        problems.append("syntax tree: " + why)
                if problems:
                    diff = "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                                        f"a/{path}", f"b/{path}", n=2))
                    tally.failures.append((f["rule"], f"{name}:{path}:{f['line']}", problems, diff))
    finally:
        checker.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    # 4. The figures.
    cols = ("findings", "tried", "made", "refused", "no_fix", "checked", "skipped", "unchecked", "broken", "caught",
            "out_of_scope", "wrong_ast")
    heads = ("findings", "tried", "made", "refused", "no fix", "checked", "skipped", "unchecked", "broken", "(caught)",
             "scope", "ast")
    print(f"{'rule':38}" + "".join(f"{h:>10}" for h in heads))
    total = dict.fromkeys(Tally.FIELDS, 0)
    for rule in sorted(tally.rules):
        t = tally.rules[rule]
        for c in Tally.FIELDS:
            total[c] += t[c]
        print(f"{rule:38}" + "".join(f"{t[c]:>10}" for c in cols))
    print(f"{'total':38}" + "".join(f"{total[c]:>10}" for c in cols))
    for rule in sorted(tally.refusals):
        print(f"  {rule}: " + ", ".join(f"{n} {why}" for why, n in tally.refusals[rule].most_common(4)))
    for why, n in tally.skips.most_common():
        print(f"  not checked: {n} fixes, {why}")
    for rule, where, problems, diff in tally.failures[:args.show]:
        print(f"\n--- {rule} at {where}\n  " + "\n  ".join(problems) + "\n" + diff[:3000])
    bad = total["broken"] + total["out_of_scope"] + total["wrong_ast"]
    print(f"\nreal_fixes: {total['tried']} fixes tried (seed {args.seed}, limit {args.limit or 'none'}), "
          f"{total['made']} made, {total['refused']} refused by a gate; {total['checked']} checked natively, "
          f"{total['skipped']} skipped (the original does not pass), {total['unchecked']} unchecked; "
          f"{total['broken']} broken ({total['caught']} caught by a gate), {total['out_of_scope']} out of scope, "
          f"{total['wrong_ast']} with a wrong syntax tree; {time.monotonic() - started:.0f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rules": tally.rules, "total": total, "seed": args.seed, "limit": args.limit,
                       "failures": [{"rule": r, "where": w, "problems": p} for r, w, p, _ in tally.failures]},
                      fh, indent=1)
    if total["tried"] == 0:
        print("real_fixes: no fix was tried: the corpus proves nothing")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
