// Runs ruff (its WebAssembly build, @astral-sh/ruff-wasm-nodejs) on Python files with a given rule
// selection and prints one JSON object per diagnostic: {"path", "code", "line", "end_line"}.
//
//   node ruff_check.js MODULE_DIR CODE[,CODE...] < paths (one a line)
//
// MODULE_DIR is the installed package (build/bench/npm/node_modules/@astral-sh/ruff-wasm-nodejs).
// The wasm build checks a string, not a path, so no per-file configuration applies: exactly the
// selected rules run on every file. A file ruff cannot read or check is reported as
// {"path", "error"} so that the benchmark leaves it out of the comparison instead of counting it as clean.
"use strict";
const fs = require("fs");
const [moduleDir, codes] = process.argv.slice(2);
const ruff = require(moduleDir);
const workspace = new ruff.Workspace({ lint: { select: codes.split(",") } }, ruff.PositionEncoding.Utf8);
const paths = fs.readFileSync(0, "utf8").split("\n").filter((p) => p.length > 0);
for (const path of paths) {
  let diagnostics;
  try {
    diagnostics = workspace.check(fs.readFileSync(path, "utf8"));
  } catch (e) {
    process.stdout.write(JSON.stringify({ path, error: String(e).slice(0, 200) }) + "\n");
    continue;
  }
  for (const d of diagnostics) {
    if (!d.code) continue; // syntax errors carry no code
    process.stdout.write(JSON.stringify({ path, code: d.code, line: d.start_location.row, end_line: d.end_location.row }) + "\n");
  }
}
