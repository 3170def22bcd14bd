"""Where the golden corpus lives, and how to run the recorder on part of it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from corsinspector.formats.scenario import load_truth
from corsinspector.model import Truth

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
SCENARIOS = GOLDEN / "scenarios"
TRUTHS = GOLDEN / "truths"
RECORDER = ROOT / "tools" / "record_golden.py"


def scenario_paths() -> list[Path]:
    return sorted(SCENARIOS.glob("*.json"))


def truth_paths() -> list[Path]:
    return sorted(TRUTHS.glob("*.json"))


def record_live(names: list[str], out: Path, scenarios: Path = SCENARIOS) -> dict[str, Truth]:
    """Record ``names`` with real Chromium in a subprocess; return the fresh truths."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [
            sys.executable,
            str(RECORDER),
            "--scenarios",
            str(scenarios),
            "--truths",
            str(out),
            *names,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60 + 10 * len(names),
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return {name: load_truth(out / f"{name}.json") for name in names}
