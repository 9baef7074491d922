#!/usr/bin/env python3
"""docs/ARCHITECTURE.md and the README agree with the tree (issue 15): the README's diagram is the one of
ARCHITECTURE.md §1, every folder of src/ is described in both folder tables, no table names a folder that
is gone, and no comment in src/ or tests/ cites a document that is not in the repository.

usage: architecture.py SOURCE_DIR
"""
import pathlib
import re
import sys


def first_code_block(text, after):
    start = text.index("```\n", text.index(after))
    end = text.index("```\n", start + 4)
    return text[start:end + 4]


def table_folders(text, heading):
    section = text[text.index(heading):]
    section = section[: section.find("\n## ", 1) if "\n## " in section[1:] else len(section)]
    return set(re.findall(r"`src/([a-z_]+)/`", section))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = pathlib.Path(sys.argv[1])
    readme = (root / "README.md").read_text(encoding="utf-8")
    arch = (root / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    problems = []
    if first_code_block(readme, "## Architecture") != first_code_block(arch, "## 1."):
        problems.append("README's architecture diagram differs from docs/ARCHITECTURE.md §1")
    folders = {p.name for p in (root / "src").iterdir() if p.is_dir()}
    for name, text, heading in (("README.md", readme, "## Architecture"), ("docs/ARCHITECTURE.md", arch, "## 2.")):
        described = table_folders(text, heading)
        for f in sorted(folders - described):
            problems.append(f"{name}: src/{f}/ is not described")
        for f in sorted(described - folders):
            problems.append(f"{name}: src/{f}/ is described but does not exist")
    cited = re.compile(r"\b(DESIGN|STYLE|BUILD-NOTES)\.md\b")
    for path in sorted(list((root / "src").rglob("*")) + list((root / "tests").rglob("*"))):
        if path.is_file() and path.suffix in (".cpp", ".hpp", ".h", ".sh", ".py") and path.name != "architecture.py":
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if cited.search(line):
                    problems.append(f"{path.relative_to(root)}:{number}: cites a document not in the repository")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"architecture docs: {len(folders)} folders described in both tables; the diagrams agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
