"""Engine speed: evaluations per second over the golden corpus, on one core.

    python bench/engine.py [--seconds N]

Prints the figure, and beside it, measured in the same run, the cost of only reading the
scenarios back from JSON (the floor every caller pays anyway), so the ratio says how much the
judging itself costs. Target: at least 20,000 evaluations per second.
"""

from __future__ import annotations

import os
import sys

# bench/inspect.py is named like the standard library's ``inspect``: with this folder first
# on sys.path it would shadow it. Put the project root there instead.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

from corsinspector.engine.judge import judge  # noqa: E402
from corsinspector.formats.scenario import load_scenario, scenario_from_dict  # noqa: E402

TARGET = 20_000


def _rate(work: object, items: list[object], seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for item in items:
            work(item)  # type: ignore[operator]
        done += len(items)
    return done / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    paths = sorted((ROOT / "tests" / "golden" / "scenarios").glob("*.json"))
    scenarios = [load_scenario(p) for p in paths]
    raw = [json.loads(p.read_text()) for p in paths]
    for scenario in scenarios:  # warm caches once
        judge(scenario)
    judged = _rate(judge, scenarios, args.seconds)  # type: ignore[arg-type]
    parsed = _rate(scenario_from_dict, raw, args.seconds)
    print(f"scenarios in the corpus:       {len(scenarios)}")
    print(
        f"engine evaluations per second: {judged:,.0f}  (target {TARGET:,}: "
        f"{'met' if judged >= TARGET else 'NOT met'}, x{judged / TARGET:.2f})"
    )
    print(f"scenario parses per second:    {parsed:,.0f}  (a judge costs x{parsed / judged:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
