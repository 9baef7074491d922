#!/usr/bin/env python3
"""Checks the repository's action.yml and runs its shell steps here, as the GitHub runner would.

  action_steps.py check ACTION_YML SCHEMA_JSON
      validates ACTION_YML against SCHEMA_JSON (JSON Schema draft-07), then what a schema cannot say:
      every ${{ inputs.X }} names a declared input, every ${{ steps.Y.outputs.Z }} an earlier step with id Y
      that writes Z to $GITHUB_OUTPUT, and no `run:` script contains ${{ }} (values reach the shell
      through env:, never spliced into code). Prints the problems; exit 1 when there are any.

  action_steps.py run ACTION_YML STEP_ID_OR_NAME CONTEXT_JSON
      runs that step's `run:` with `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`), its env:
      evaluated from CONTEXT_JSON: {"inputs": {...}, "github": {...}, "steps": {"ci": {"outputs": {...}}}}
      (inputs missing there take their defaults). Only plain ${{ a.b.c }} lookups are evaluated; anything
      else is an error, so the test cannot silently run a step differently from GitHub. Exits with the
      step's status.
"""
import json
import os
import re
import subprocess
import sys

import jsonschema
import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
LOOKUP = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$")


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def expressions(value):
    """Every ${{ }} body in a value (a string, or strings nested in lists and mappings)."""
    if isinstance(value, str):
        return EXPRESSION.findall(value)
    if isinstance(value, dict):
        return [e for v in value.values() for e in expressions(v)]
    if isinstance(value, list):
        return [e for v in value for e in expressions(v)]
    return []


def check(action_path, schema_path):
    action = load(action_path)
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    problems = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message)
                for e in jsonschema.Draft7Validator(schema).iter_errors(action)]
    if problems:
        return problems
    inputs = set(action.get("inputs", {}))
    written = {}  # step id -> outputs its script writes to $GITHUB_OUTPUT
    steps = action["runs"]["steps"]

    def check_references(where, value, known_steps):
        for body in expressions(value):
            for name in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", body):
                if name not in inputs:
                    problems.append("%s: ${{ inputs.%s }} is not a declared input" % (where, name))
            for step_id, output in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", body):
                if step_id not in known_steps:
                    problems.append("%s: steps.%s is not an earlier step's id" % (where, step_id))
                elif output not in known_steps[step_id]:
                    problems.append("%s: step %s writes no output %s" % (where, step_id, output))

    for index, step in enumerate(steps):
        where = "runs/steps/%d (%s)" % (index, step["name"])
        for key in ("if", "env", "with"):
            if key in step:
                check_references(where + "/" + key, step[key], written)
        if "run" in step and EXPRESSION.search(step["run"]):
            problems.append("%s/run: contains ${{ }}: pass the value through env: instead" % where)
        if "id" in step:
            written[step["id"]] = set(re.findall(r"^\s*echo \"([A-Za-z0-9_-]+)=", step.get("run", ""), re.M))
    check_references("outputs", action.get("outputs", {}), written)
    return problems


def evaluate(text, context):
    def lookup(match):
        body = match.group(1)
        if not LOOKUP.match(body):
            raise SystemExit("action_steps.py: cannot evaluate ${{ %s }} here (only plain lookups)" % body)
        value = context
        for part in body.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return "" if value is None else str(value)
    return EXPRESSION.sub(lookup, str(text))


def run(action_path, wanted, context_json):
    action = load(action_path)
    context = json.loads(context_json)
    github = context.setdefault("github", {})
    given = context.setdefault("inputs", {})
    for name, spec in action.get("inputs", {}).items():
        if name not in given:
            given[name] = evaluate(spec.get("default", ""), {"github": github})
    steps = [s for s in action["runs"]["steps"] if wanted in (s.get("id"), s["name"])]
    if len(steps) != 1 or "run" not in steps[0]:
        raise SystemExit("action_steps.py: no single shell step %r in %s" % (wanted, action_path))
    step = steps[0]
    if step["shell"] != "bash":
        raise SystemExit("action_steps.py: only shell: bash steps run here")
    env = dict(os.environ)
    for name, value in step.get("env", {}).items():
        env[name] = evaluate(value, context)
    return subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], env=env)


def main(argv):
    if len(argv) == 4 and argv[1] == "check":
        problems = check(argv[2], argv[3])
        for p in problems:
            print(p)
        return 1 if problems else 0
    if len(argv) == 5 and argv[1] == "run":
        return run(argv[2], argv[3], argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
