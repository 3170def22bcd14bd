"""tools/browser_table.py: README.md's table of where the browsers differ is the truths'."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from corsinspector.formats.scenario import load_truth
from tools.browser_table import GOLDEN, family, load_folders, pair_rows, replaced, table

ROOT = Path(__file__).resolve().parents[2]


def test_readme_holds_the_table_the_truths_give() -> None:
    done = subprocess.run(
        [sys.executable, "tools/browser_table.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "matches the truths" in done.stdout


def test_check_fails_on_a_table_that_is_not_the_truths(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    wrong = tmp_path / "README.md"
    wrong.write_text(replaced(readme, table().replace("| 26 |", "| 25 |")), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "tools/browser_table.py", "--check", "--readme", str(wrong)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "out of date" in done.stdout


def test_a_pair_counts_the_scenarios_one_allows_and_the_other_blocks() -> None:
    folders = load_folders(GOLDEN)
    assert list(folders) == [
        "Chromium 140 (embedded)",
        "Chromium 156",
        "Firefox 153",
        "WebKitGTK 2.50",
    ]
    row = next(line for line in pair_rows(folders) if line.startswith("| Chromium 156 / Firefox"))
    differ = [
        name
        for name, truth in folders["Chromium 156"].items()
        if name in folders["Firefox 153"]
        and truth.reproducible
        and folders["Firefox 153"][name].reproducible
        and truth.allowed != folders["Firefox 153"][name].allowed
    ]
    assert f"| {len(differ)} |" in row
    assert "safelist-hint (" in row
    assert family("safelist-hint-dpr") == "safelist-hint"
    dpr = load_truth(GOLDEN / "truths-firefox" / "safelist-hint-dpr.json")
    assert "safelist-hint-dpr" in differ
    assert not dpr.allowed
    assert family("forbidden-header-cookie") == "forbidden"
