// ruff-check.mjs: runs ruff's WebAssembly build (npm @astral-sh/ruff-wasm-nodejs) on Python files for
// git-autoloop's ruff provider (src/providers/ruff.cpp), and prints what it found as one JSON document.
//
//   node ruff-check.mjs --tool-dir DIR --root DIR < request.json
//
// --tool-dir holds node_modules/@astral-sh/ruff-wasm-nodejs (install.sh --provider ruff puts it there).
// --root is a private directory holding the files to check and the repository's ruff configuration
// files at their repository paths. The request names them, relative to the root:
//   {"files": ["pkg/a.py", ...], "configs": ["ruff.toml", "pkg/pyproject.toml", ...]}
// The answer, on stdout:
//   {"version": "0.17.4", "problems": ["..."], "files": [{"path": "pkg/a.py", "diagnostics": [
//     {"code": "B006", "message": "...", "start": {"row": 3, "column": 9}, "end": {...},
//      "fix": {"applicability": "unsafe", "message": "...",
//              "edits": [{"start": {...}, "end": {...}, "content": "None"}]} or null}]}]}
// Rows are 1-based; columns are 1-based and count UTF-8 bytes (the Workspace is asked for that
// position encoding). Anything unexpected ends the script with a message on stderr and exit status 2.
//
// Which settings a file gets, as ruff itself decides: the nearest directory, from the file's own up to
// the root, that holds `.ruff.toml`, `ruff.toml` or a `pyproject.toml` with a [tool.ruff] table (in
// that order of precedence) gives them. A file with no such configuration gets OUR_DEFAULTS. A
// configuration that cannot be read (TOML beyond what parseToml understands, or settings the Workspace
// refuses) is not replaced by our defaults, which could report rules the repository turned off: its
// files are left unchecked and `problems` says why.
//
// What the WebAssembly build cannot do, and what this script does instead:
// - it checks contents, not paths: `exclude` (ruff's default list when not set), `extend-exclude`,
//   `lint.exclude` and `per-file-ignores` (with `extend-`) are applied here, with globs matched against
//   the path relative to the configuration's directory (to the root without one);
// - it reports each fix's edits but not ruff's applicability (safe / unsafe / display-only): FIX_SAFETY
//   below says it per rule, from ruff's documentation; a rule not listed there counts as unsafe, so its
//   fixes are only committed after the tests pass; a "safe" fix whose edits remove a `#` is downgraded
//   to unsafe (it may drop a comment, which ruff itself marks unsafe in the rules that check);
// - syntax errors (diagnostics without a rule code) are not reported: they are no finding to fix.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import v8 from 'node:v8';

// Our rule selection for a repository without a ruff configuration: ruff's defaults (E4, E7, E9, F)
// and the families whose findings name real bugs or have fixes worth a commit: bugbear, pyupgrade,
// simplify, comprehensions, perflint, bandit. S101 (`assert`) is ignored: every pytest file uses it.
const OUR_DEFAULTS = {
  lint: {
    select: ['E4', 'E7', 'E9', 'F', 'B', 'UP', 'SIM', 'C4', 'PERF', 'S'],
    ignore: ['S101'],
  },
};

// Applicability of the fixes of rules whose fixes ruff marks safe or display-only in every case (ruff
// 0.17). Everything else with a fix is unsafe.
const FIX_SAFETY = {
  safe: ['E401', 'E713', 'E714', 'F401', 'F541', 'F632', 'B009', 'B010', 'B013', 'B014',
         'UP004', 'UP009', 'UP010', 'UP011', 'UP012', 'UP015', 'UP024', 'UP025', 'UP034', 'UP039'],
  'display-only': ['E731', 'ERA001', 'PT028'],
};

const CONFIG_NAMES = ['.ruff.toml', 'ruff.toml', 'pyproject.toml']; // ruff's precedence in one directory

// What ruff leaves out unless a configuration's `exclude` says otherwise (ruff's documented default).
const DEFAULT_EXCLUDE = ['.bzr', '.direnv', '.eggs', '.git', '.git-rewrite', '.hg', '.ipynb_checkpoints',
  '.mypy_cache', '.nox', '.pants.d', '.pyenv', '.pytest_cache', '.pytype', '.ruff_cache', '.svn', '.tox',
  '.venv', '.vscode', '__pypackages__', '_build', 'buck-out', 'build', 'dist', 'node_modules',
  'site-packages', 'venv'];

function fail(message) {
  process.stderr.write(`ruff-check: ${message}\n`);
  process.exit(2);
}

function parseArguments(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] !== '--tool-dir' && argv[i] !== '--root') fail(`unknown argument ${argv[i]}`);
    if (i + 1 >= argv.length) fail(`${argv[i]} needs a directory`);
    options[argv[i].slice(2)] = argv[i + 1];
  }
  if (!options['tool-dir'] || !options.root) fail('usage: ruff-check.mjs --tool-dir DIR --root DIR');
  return options;
}

// A request path, confined to the root: relative, no `..`, no empty or `.` parts.
function confined(relative) {
  if (typeof relative !== 'string' || relative === '' || relative.startsWith('/') ||
      relative.split('/').some((part) => part === '' || part === '.' || part === '..'))
    fail(`refused path ${JSON.stringify(relative)}`);
  return relative;
}

// ---- TOML (the subset configuration files use: tables, dotted and quoted keys, strings of the four
// kinds, numbers, booleans, arrays, inline tables; dates are kept as text). Throws with a line number.

function parseToml(text) {
  const root = {};
  let at = 0;
  let line = 1;
  let table = root;
  const error = (what) => { throw new Error(`line ${line}: ${what}`); };
  const peek = () => text[at];
  const next = () => { const c = text[at++]; if (c === '\n') line++; return c; };
  const skipSpaces = () => { while (peek() === ' ' || peek() === '\t') next(); };
  const skipComment = () => { if (peek() === '#') while (at < text.length && peek() !== '\n') next(); };
  // Blank lines, comments and newlines (inside arrays).
  const skipAll = () => {
    for (;;) {
      skipSpaces();
      skipComment();
      if (peek() === '\n' || peek() === '\r') next();
      else return;
    }
  };
  const endOfLine = () => {
    skipSpaces();
    skipComment();
    if (peek() === '\r') next();
    if (at < text.length && next() !== '\n') error('expected the end of the line');
  };
  const escapes = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
  const basicString = (multiline) => {
    let out = '';
    if (multiline && peek() === '\n') next();
    else if (multiline && text.startsWith('\r\n', at)) { next(); next(); }
    for (;;) {
      if (at >= text.length) error('unterminated string');
      if (multiline ? text.startsWith('"""', at) && text[at + 3] !== '"' : peek() === '"') {
        at += multiline ? 3 : 1;
        return out;
      }
      const c = next();
      if (c === '\n' && !multiline) error('newline in a string');
      if (c !== '\\') { out += c; continue; }
      const e = next();
      if (e in escapes) out += escapes[e];
      else if (e === 'u' || e === 'U') {
        const digits = text.substr(at, e === 'u' ? 4 : 8);
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== (e === 'u' ? 4 : 8)) error('bad \\u escape');
        at += digits.length;
        out += String.fromCodePoint(parseInt(digits, 16));
      } else if (multiline && /[ \t\r\n]/.test(e)) {
        while (/[ \t\r\n]/.test(peek() ?? '')) next(); // a line-ending backslash trims what follows
      } else error(`bad escape \\${e}`);
    }
  };
  const literalString = (multiline) => {
    if (multiline && peek() === '\n') next();
    else if (multiline && text.startsWith('\r\n', at)) { next(); next(); }
    const close = multiline ? "'''" : "'";
    const end = text.indexOf(close, at);
    if (end < 0) error('unterminated string');
    const out = text.slice(at, end);
    if (!multiline && out.includes('\n')) error('newline in a string');
    while (at < end + close.length) next();
    return out;
  };
  const string = () => {
    if (text.startsWith('"""', at)) { at += 3; return basicString(true); }
    if (text.startsWith("'''", at)) { at += 3; return literalString(true); }
    if (next() === '"') return basicString(false);
    return literalString(false);
  };
  const key = () => {
    const parts = [];
    for (;;) {
      skipSpaces();
      if (peek() === '"' || peek() === "'") parts.push(string());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(at, at + 256));
        if (!m) error('expected a key');
        parts.push(m[0]);
        at += m[0].length;
      }
      skipSpaces();
      if (peek() !== '.') return parts;
      next();
    }
  };
  const value = () => {
    skipSpaces();
    const c = peek();
    if (c === '"' || c === "'") return string();
    if (c === '[') {
      next();
      const items = [];
      for (;;) {
        skipAll();
        if (peek() === ']') { next(); return items; }
        items.push(value());
        skipAll();
        if (peek() === ',') next();
        else if (peek() !== ']') error("expected ',' or ']'");
      }
    }
    if (c === '{') {
      next();
      const inline = {};
      skipSpaces();
      if (peek() === '}') { next(); return inline; }
      for (;;) {
        const k = key();
        if (next() !== '=') error("expected '='");
        assign(inline, k, value());
        skipSpaces();
        const d = next();
        if (d === '}') return inline;
        if (d !== ',') error("expected ',' or '}'");
      }
    }
    const m = /^[^\s,\]}#]+/.exec(text.slice(at, at + 256));
    if (!m) error('expected a value');
    at += m[0].length;
    const word = m[0];
    if (word === 'true') return true;
    if (word === 'false') return false;
    const digits = word.replace(/_/g, '');
    if (/^[+-]?\d+$/.test(digits)) return parseInt(digits, 10);
    if (/^0x[0-9a-fA-F]+$/.test(digits)) return parseInt(digits.slice(2), 16);
    if (/^0o[0-7]+$/.test(digits)) return parseInt(digits.slice(2), 8);
    if (/^0b[01]+$/.test(digits)) return parseInt(digits.slice(2), 2);
    if (/^[+-]?(\d+(\.\d+)?([eE][+-]?\d+)?|inf|nan)$/.test(digits)) return Number(digits);
    if (/^\d{4}-\d{2}-\d{2}/.test(word) || /^\d{2}:\d{2}/.test(word)) return word; // a date or a time
    error(`cannot read the value ${word}`);
  };
  const descend = (from, parts, arrayOfTables) => {
    let t = from;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (last && arrayOfTables) {
        if (!(part in t)) t[part] = [];
        if (!Array.isArray(t[part])) error(`${part} is not an array of tables`);
        t[part].push({});
        t = t[part][t[part].length - 1];
        return;
      }
      if (!(part in t)) t[part] = {};
      t = t[part];
      if (Array.isArray(t)) t = t[t.length - 1];
      if (typeof t !== 'object' || t === null) error(`${part} is not a table`);
    });
    return t;
  };
  function assign(into, parts, v) {
    const t = descend(into, parts.slice(0, -1), false);
    const last = parts[parts.length - 1];
    if (last in t) error(`${parts.join('.')} is defined twice`);
    t[last] = v;
  }
  for (;;) {
    skipAll();
    if (at >= text.length) return root;
    if (peek() === '[') {
      next();
      const arrayOfTables = peek() === '[';
      if (arrayOfTables) next();
      const parts = key();
      if (next() !== ']' || (arrayOfTables && next() !== ']')) error("expected ']'");
      table = descend(root, parts, arrayOfTables);
      endOfLine();
      continue;
    }
    const k = key();
    if (next() !== '=') error("expected '='");
    assign(table, k, value());
    endOfLine();
  }
}

// ---- Globs (exclude, per-file-ignores): `**` any directories, `*` and `?` within one path part,
// `[...]` a class. A pattern without `/` matches a file's name or any directory on its path, as ruff's do.

function globToRegExp(glob) {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) { out += '\\['; continue; }
      out += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
      i = end;
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function globMatches(glob, relative) {
  const pattern = glob.replace(/^\.\//, '').replace(/\/$/, '');
  const re = globToRegExp(pattern);
  if (pattern.includes('/')) {
    const parts = relative.split('/');
    // A directory pattern also excludes what is under it.
    return parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')));
  }
  return relative.split('/').some((part) => re.test(part));
}

// ---- Configurations.

// The settings in a configuration file's text: an options object for the Workspace, with what this
// script applies itself taken out. Null for a pyproject.toml without [tool.ruff].
function readConfiguration(name, text) {
  const document = parseToml(text);
  let options = document;
  if (name === 'pyproject.toml') {
    options = document.tool?.ruff;
    if (!options || typeof options !== 'object') return null;
    const requires = document.project?.['requires-python'];
    const minor = typeof requires === 'string' && /^\s*(?:>=|~=|==)\s*3\.(\d+)/.exec(requires);
    if (minor && !('target-version' in options)) options['target-version'] = `py3${minor[1]}`;
  }
  const lint = options.lint && typeof options.lint === 'object' ? options.lint : {};
  const take = (from, name) => { const v = from[name]; delete from[name]; return v; };
  const exclude = [...(take(options, 'exclude') ?? DEFAULT_EXCLUDE), ...(take(options, 'extend-exclude') ?? []),
                   ...(take(lint, 'exclude') ?? [])];
  const perFileIgnores = Object.assign({},
    take(options, 'per-file-ignores'), take(options, 'extend-per-file-ignores'),
    take(lint, 'per-file-ignores'), take(lint, 'extend-per-file-ignores'));
  // Path settings the Workspace cannot use: where to find other files.
  for (const k of ['extend', 'include', 'extend-include', 'cache-dir', 'src', 'namespace-packages',
                   'force-exclude', 'respect-gitignore', 'output-format', 'show-fixes', 'fix',
                   'unsafe-fixes', 'required-version'])
    delete options[k];
  return { options, exclude, perFileIgnores };
}

// ---- Fixes.

const SAFE = new Set(FIX_SAFETY.safe);
const DISPLAY_ONLY = new Set(FIX_SAFETY['display-only']);

function applicability(code, fix, relative, removedText) {
  if (DISPLAY_ONLY.has(code)) return 'display-only';
  if (!SAFE.has(code)) return 'unsafe';
  if (code === 'F401' && path.basename(relative) === '__init__.py') return 'unsafe'; // re-exports
  return removedText.some((t) => t.includes('#')) ? 'unsafe' : 'safe';
}

// The text [start, end) of `lines` (the file split after each '\n', as UTF-8 buffers), rows 1-based
// and columns 1-based UTF-8 bytes.
function slice(lines, start, end) {
  const offset = (p) => {
    let total = 0;
    for (let r = 0; r < p.row - 1 && r < lines.length; r++) total += lines[r].length;
    return total + p.column - 1;
  };
  return Buffer.concat(lines).subarray(offset(start), offset(end)).toString('utf8');
}

function splitLines(bytes) {
  const lines = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++)
    if (bytes[i] === 0x0a) { lines.push(bytes.subarray(from, i + 1)); from = i + 1; }
  lines.push(bytes.subarray(from));
  return lines;
}

function position(p) { return { row: p.row, column: p.column }; }

function convert(diagnostic, relative, lines) {
  let fix = null;
  if (diagnostic.fix) {
    const edits = diagnostic.fix.edits.map((e) => ({
      start: position(e.location), end: position(e.end_location), content: e.content ?? '',
    }));
    const removed = edits.map((e) => slice(lines, e.start, e.end));
    fix = {
      applicability: applicability(diagnostic.code, diagnostic.fix, relative, removed),
      message: diagnostic.fix.message ?? '',
      edits,
    };
  }
  return {
    code: diagnostic.code,
    message: diagnostic.message,
    start: position(diagnostic.start_location),
    end: position(diagnostic.end_location),
    fix,
  };
}

function isIgnored(code, relative, configuration) {
  for (const [glob, codes] of Object.entries(configuration.perFileIgnores))
    if (globMatches(glob, relative) && codes.some((prefix) => prefix === 'ALL' || code.startsWith(prefix)))
      return true;
  return false;
}

// ---- Main.

function main() {
  const options = parseArguments(process.argv.slice(2));
  const root = path.resolve(options.root);
  const request = JSON.parse(fs.readFileSync(0, 'utf8'));
  if (!Array.isArray(request.files)) fail('the request has no "files"');
  // V8 compiles the 10 MB WebAssembly module with its baseline compiler (Liftoff) only. With the
  // optimising tier as well, it recompiles the whole module in the background whatever the input: on
  // one file that took 5.2 s of wall time (4.2 s CPU) and 445 MB of peak RSS, against 0.8 s and 108 MB
  // Liftoff-only, with the same output; on 300 files of Python's standard library (6.4 MB), 8.4 s and
  // 514 MB against 2.4 s and 120 MB (node 20, a 2-core VM). Set before the module is compiled, as the
  // require below does; a V8 without the flag ignores it.
  v8.setFlagsFromString('--liftoff-only');
  const require = createRequire(import.meta.url);
  const ruff = require(path.resolve(options['tool-dir'], 'node_modules', '@astral-sh', 'ruff-wasm-nodejs'));
  const version = ruff.Workspace.version();

  const problems = [];
  // Configuration by directory ('' is the root): {relative dir, settings, workspace} or null.
  const configured = new Map();
  const configNames = new Set((request.configs ?? []).map(confined));
  const configurationOf = (directory) => {
    if (configured.has(directory)) return configured.get(directory);
    let found = null;
    for (const name of CONFIG_NAMES) {
      const relative = directory ? `${directory}/${name}` : name;
      if (!configNames.has(relative)) continue;
      try {
        const settings = readConfiguration(name, fs.readFileSync(path.join(root, relative), 'utf8'));
        if (!settings) continue;
        found = { directory, relative, settings, workspace: new ruff.Workspace(settings.options, ruff.PositionEncoding.Utf8) };
      } catch (e) {
        problems.push(`${relative}: ${String(e?.message ?? e).split('\n')[0].replace(/^Error: /, '')} (its files were not checked)`);
        found = { directory, relative, unreadable: true };
      }
      break;
    }
    if (!found && directory) {
      const parent = directory.includes('/') ? directory.slice(0, directory.lastIndexOf('/')) : '';
      found = configurationOf(parent);
    }
    configured.set(directory, found);
    return found;
  };
  let defaultWorkspace = null;

  const files = [];
  for (const relative of request.files.map(confined)) {
    const directory = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : '';
    const configuration = configurationOf(directory);
    if (configuration?.unreadable) continue;
    const underConfig = configuration && configuration.directory
      ? relative.slice(configuration.directory.length + 1) : relative;
    const exclude = configuration ? configuration.settings.exclude : DEFAULT_EXCLUDE;
    if (exclude.some((glob) => globMatches(glob, underConfig))) continue;
    let workspace = configuration?.workspace;
    if (!workspace) workspace = defaultWorkspace ??= new ruff.Workspace(OUR_DEFAULTS, ruff.PositionEncoding.Utf8);
    const bytes = fs.readFileSync(path.join(root, relative));
    const lines = splitLines(bytes);
    const diagnostics = workspace.check(bytes.toString('utf8'))
      .filter((d) => d.code && !(configuration && isIgnored(d.code, underConfig, configuration.settings)))
      .map((d) => convert(d, relative, lines));
    if (diagnostics.length) files.push({ path: relative, diagnostics });
  }
  process.stdout.write(JSON.stringify({ version, problems, files }) + '\n');
}

try {
  main();
} catch (e) {
  fail(String(e?.stack ?? e).split('\n').slice(0, 3).join(' | '));
}
