"""Record the golden corpus: what real Chromium (QtWebEngine) does with each scenario.

    python tools/record_golden.py                 # every scenario -> tests/golden/truths/
    python tools/record_golden.py NAME ...        # only these (file stems)
    python tools/record_golden.py --summary       # then print the summary table
    python tools/record_golden.py --summary-only  # summarize the checked-in truths

A truth is written atomically next to its scenario's name. Runs offscreen with no display.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corsinspector.errors import CorsInspectorError  # noqa: E402
from corsinspector.formats.atomic import write_json_atomic  # noqa: E402
from corsinspector.formats.scenario import load_scenario, load_truth, truth_to_dict  # noqa: E402
from corsinspector.realbrowser.recorder import blocked_kind, record, summarize  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="scenario names (default: all)")
    parser.add_argument("--scenarios", type=Path, default=GOLDEN / "scenarios")
    parser.add_argument("--truths", type=Path, default=GOLDEN / "truths")
    parser.add_argument("--summary", action="store_true", help="print the summary table after")
    parser.add_argument(
        "--summary-only", action="store_true", help="only summarize the truths already recorded"
    )
    args = parser.parse_args()
    try:
        if not args.summary_only:
            _record(args.scenarios, args.truths, args.names)
        if args.summary or args.summary_only:
            truths = [load_truth(p) for p in sorted(args.truths.glob("*.json"))]
            print(summarize(truths))
    except CorsInspectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _record(scenarios_dir: Path, truths_dir: Path, names: list[str]) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from corsinspector.realbrowser.browser import RealBrowser

    paths = sorted(scenarios_dir.glob("*.json"))
    if names:
        wanted = set(names)
        paths = [p for p in paths if p.stem in wanted]
        missing = wanted - {p.stem for p in paths}
        if missing:
            raise CorsInspectorError(
                f"no such scenario in {scenarios_dir}: {', '.join(sorted(missing))}"
            )
    scenarios = [load_scenario(p) for p in paths]  # all parse before anything is recorded
    browser = RealBrowser()  # starts Qt: the server and the page share its thread
    import qasync
    from PySide6.QtWidgets import QApplication

    started = time.monotonic()

    async def record_all() -> None:
        for index, scenario in enumerate(scenarios, 1):
            truth = await record(scenario, browser)
            write_json_atomic(truths_dir / f"{scenario.name}.json", truth_to_dict(truth))
            print(
                f"[{index:>3}/{len(scenarios)}] {scenario.name}: {blocked_kind(truth)}", flush=True
            )

    loop = qasync.QEventLoop(QApplication.instance())
    with loop:
        loop.run_until_complete(record_all())
    print(
        f"recorded {len(scenarios)} scenarios with {browser.embedder} (Chromium {browser.version}) "
        f"in {time.monotonic() - started:.1f} s",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
