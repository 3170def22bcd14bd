#!/usr/bin/env python3
"""Regenerate README's layout map from the tree: each package and module with the first
sentence of its docstring.

    python tools/layout.py          rewrite the block between the layout markers in README.md
    python tools/layout.py --check  exit 1 when the README's block differs (the test runs this)
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- layout: start (python tools/layout.py) -->", "<!-- layout: end -->"
COLUMN = 30  # where descriptions start
WIDTH = 100
#: Folders without Python docstrings of their own, said in words.
FOLDERS = {
    "resources/": "the teaching gallery (scenarios with their expected verdicts), the desktop "
    "entry and its icon",
    "tests/": "mirrors the packages (tests/engine, tests/formats …), plus golden/ (the corpus, "
    "the truths recorded from Chromium, the differential test) and ui/ (the real window)",
    "docs/": "screenshots and measured figures (docs/transport.md)",
}


def summary(path: Path) -> str:
    """The first sentence of ``path``'s docstring ('' when it has none)."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    match = re.match(r"(.+?\.)(\s|$)", paragraph)
    return (match.group(1) if match else paragraph).rstrip(".")


def entry(name: str, depth: int, text: str) -> list[str]:
    label = "  " * depth + name
    wrapped = textwrap.wrap(text, WIDTH - COLUMN) or [""]
    first = label.ljust(COLUMN - 1) + " " + wrapped[0] if len(label) < COLUMN - 1 else label
    lines = [first.rstrip()]
    if len(label) >= COLUMN - 1:
        lines.append(" " * COLUMN + wrapped[0])
    lines += [" " * COLUMN + more for more in wrapped[1:]]
    return lines


def package(folder: Path, depth: int) -> list[str]:
    init = folder / "__init__.py"
    lines = entry(folder.name + "/", depth, summary(init) if init.exists() else "")
    for path in sorted(folder.iterdir()):
        if path.is_dir() and (path / "__init__.py").exists():
            lines += package(path, depth + 1)
        elif path.suffix == ".py" and path.name != "__init__.py":
            lines += entry(path.name, depth + 1, summary(path))
    return lines


def scripts(folder: str) -> list[str]:
    lines = entry(folder + "/", 0, "")
    for path in sorted((ROOT / folder).glob("*.py")):
        if path.name != "__init__.py":
            lines += entry(path.name, 1, summary(path))
    return lines


def layout() -> str:
    lines = ["```"]
    lines += entry("main.py", 0, summary(ROOT / "main.py"))
    lines += package(ROOT / "corsinspector", 0)
    lines += package(ROOT / "ui", 0)
    lines += scripts("tools") + scripts("bench")
    for name, text in FOLDERS.items():
        lines += entry(name, 0, text)
    lines.append("```")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    before, start, rest = text.partition(START)
    _old, end, after = rest.partition(END)
    if not start or not end:
        print(f"README.md: the markers {START!r} … {END!r} are missing", file=sys.stderr)
        return 2
    new = f"{before}{START}\n{layout()}\n{END}{after}"
    if args.check:
        if new != text:
            print("README.md's layout map is stale: run python tools/layout.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
