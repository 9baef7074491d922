#!/usr/bin/env python3
"""The README's rule table says what `git autoloop rules --format json` says.

  readme_rules.py --bin PATH/git-autoloop README.md

Checks, under "## Rules": the sentence "N of M have a fix (P%), and K of the S security rules", and each
row of the safety table ("| safe (n) | `id`, ... |", "| unsafe (n...) | ... |", "| suggestion only (n) |
... |", an id marked " (off)" when it is off by default) against the rules' fix, safety, category and
enabled fields. Exit 1 with each difference printed.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("readme")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as repo:
        subprocess.run(["git", "init", "-q", repo], check=True)
        out = subprocess.run([os.path.abspath(a.bin), "rules", "--format", "json"], cwd=repo, check=True, stdout=subprocess.PIPE)
    rules = {r["id"]: r for r in json.loads(out.stdout) if r.get("source") == "builtin"}
    text = open(a.readme, encoding="utf-8").read()
    section = text[text.index("\n## Rules\n"):]
    section = section[:section.index("\n## ", 10)]
    problems = []

    fixable = [r for r in rules.values() if r["fix"]]
    security = [r for r in rules.values() if r["category"] == "security_fixes"]
    m = re.search(r"(\d+) of (\d+) have a fix \((\d+)%\), and (\d+) of the (\d+) security rules", section)
    if not m:
        problems.append("no sentence 'N of M have a fix (P%), and K of the S security rules'")
    else:
        said = tuple(int(x) for x in m.groups())
        real = (len(fixable), len(rules), len(fixable) * 100 // len(rules),
                sum(1 for r in security if r["fix"]), len(security))
        if said != real:
            problems.append(f"the fix sentence says {said}, the rules say {real}")

    rows = {"safe": "safe", "unsafe": "unsafe", "suggestion only": "suggest"}
    seen = set()
    for label, count, cells in re.findall(r"^\| (safe|unsafe|suggestion only) \((\d+)[^)]*\) \| (.*) \|$", section, re.M):
        ids = re.findall(r"`([^`]+)`", cells)
        if int(count) != len(ids):
            problems.append(f"row '{label}' says {count} and lists {len(ids)}")
        for item in ids:
            rid, off = (item[:-6], True) if item.endswith(" (off)") else (item, False)
            seen.add(rid)
            r = rules.get(rid)
            if not r:
                problems.append(f"row '{label}' lists {rid}, which is not a built-in rule")
                continue
            safety = r["safety"] if r["fix"] else "suggest"
            if safety != rows[label]:
                problems.append(f"{rid} is listed as '{label}' but its safety is {safety} (fix: {r['fix']})")
            if off == r["enabled"]:
                problems.append(f"{rid} is {'marked' if off else 'not marked'} (off) but enabled is {r['enabled']}")
    for rid in sorted(set(rules) - seen):
        problems.append(f"{rid} is in no row of the table")
    for p in problems:
        print(f"README: {p}")
    print(f"{len(rules)} rules, {len(fixable)} with a fix; {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
