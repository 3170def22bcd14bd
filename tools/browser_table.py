"""Where the recorded browsers differ on the golden corpus, as a Markdown table for README.md.

Reads every truths folder (tests/golden/truths*/): per pair of browsers, how many scenarios
one allows and the other blocks, and in which rule families (a scenario name's prefix); then
each browser's own error names and how often it gave each.

    python tools/browser_table.py            # print the tables
    python tools/browser_table.py --write    # put them in README.md
    python tools/browser_table.py --check    # fail when README.md's tables are not these
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corsinspector.formats.scenario import load_truth  # noqa: E402
from corsinspector.model import Truth  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
README = ROOT / "README.md"
START = "<!-- browser-table:start (tools/browser_table.py --write) -->"
END = "<!-- browser-table:end -->"
#: Families named by their first two words (one word would lump 109 safelist rules together).
_TWO_WORDS = frozenset({"safelist"})
_NAMES = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKitGTK"}


def family(scenario: str) -> str:
    """The rule family of a scenario's name: ``safelist-hint``, ``forbidden``, ``redirect``."""
    words = scenario.split("-")
    return "-".join(words[:2]) if words[0] in _TWO_WORDS else words[0]


def load_folders(golden: Path = GOLDEN) -> dict[str, dict[str, Truth]]:
    """Each truths folder's truths by scenario name, by the browser's name and major version
    (``Chromium 140``); the embedded Chromium's folder first."""
    folders: dict[str, dict[str, Truth]] = {}
    for folder in sorted(golden.glob("truths*"), key=lambda path: (path.name != "truths", path)):
        truths = {truth.scenario: truth for truth in map(load_truth, folder.glob("*.json"))}
        if not truths:
            continue
        first = next(iter(truths.values()))
        parts = 2 if first.browser == "webkit" else 1  # WebKitGTK 2.50, Firefox 153
        version = ".".join(first.version.split(".")[:parts])
        name = f"{_NAMES.get(first.browser, first.browser)} {version}"
        if folder.name == "truths":
            name += " (embedded)"
        folders[name] = truths
    return folders


def _allowed(truth: Truth) -> bool | None:
    """Allowed or blocked; None when the browser could not reproduce the scenario."""
    return truth.allowed if truth.reproducible else None


def pair_rows(folders: dict[str, dict[str, Truth]]) -> list[str]:
    lines = [
        "| Browsers | Scenarios that differ (allowed/blocked) | Rule families (scenarios) |",
        "|---|---:|---|",
    ]
    for (one, mine), (other, theirs) in itertools.combinations(folders.items(), 2):
        differ = sorted(
            name
            for name in mine.keys() & theirs.keys()
            if None not in (_allowed(mine[name]), _allowed(theirs[name]))
            and _allowed(mine[name]) != _allowed(theirs[name])
        )
        families = Counter(family(name) for name in differ)
        words = ", ".join(f"{name} ({count})" for name, count in sorted(families.items()))
        lines.append(f"| {one} / {other} | {len(differ)} | {words or '—'} |")
    return lines


def error_rows(folders: dict[str, dict[str, Truth]]) -> list[str]:
    """Each error name a browser gave (its first per scenario), and how often, per browser."""
    counts = {
        name: Counter(
            truth.cors_error.kind for truth in truths.values() if truth.cors_error is not None
        )
        for name, truths in folders.items()
    }
    lines = ["| Browser | Its own error names (scenarios) |", "|---|---|"]
    for name, counted in counts.items():
        words = ", ".join(f"{kind} ({n})" for kind, n in sorted(counted.items()))
        lines.append(f"| {name} | {words or 'none: it names no error (the console only)'} |")
    return lines


def table(golden: Path = GOLDEN) -> str:
    folders = load_folders(golden)
    sizes = ", ".join(f"{name}: {len(truths)}" for name, truths in folders.items())
    return "\n".join(
        [
            START,
            f"Truths per browser: {sizes}; unreproducible scenarios are left out of a pair.",
            "",
            *pair_rows(folders),
            "",
            *error_rows(folders),
            END,
        ]
    )


def replaced(readme: str, block: str) -> str:
    """``readme`` with its table replaced by ``block`` (ValueError when it has none)."""
    start, end = readme.index(START), readme.index(END) + len(END)
    return readme[:start] + block + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="README.md's table is current")
    action.add_argument("--write", action="store_true", help="write the table into README.md")
    parser.add_argument("--readme", type=Path, default=README, help="the README to check")
    args = parser.parse_args(argv)
    block = table()
    if not (args.check or args.write):
        print(block)
        return 0
    readme = args.readme.read_text(encoding="utf-8")
    try:
        wanted = replaced(readme, block)
    except ValueError:
        print(f"README.md has no browser table ({START} … {END})", file=sys.stderr)
        return 1
    if args.write:
        args.readme.write_text(wanted, encoding="utf-8")
        return 0
    if wanted != readme:
        print("README.md's browser table is out of date: python tools/browser_table.py --write")
        return 1
    print("README.md's browser table matches the truths.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
