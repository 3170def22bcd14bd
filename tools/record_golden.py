"""Record the golden corpus: what a real browser does with each scenario.

    python tools/record_golden.py                     # embedded Chromium -> tests/golden/truths/
    python tools/record_golden.py --browser chromium  # Debian's Chromium -> truths-chromium/
    python tools/record_golden.py --browser firefox   # Firefox ESR -> truths-firefox/
    python tools/record_golden.py --browser webkit    # WebKitGTK -> truths-webkit/
    python tools/record_golden.py NAME ...            # only these (file stems)
    python tools/record_golden.py --summary           # then print the summary table
    python tools/record_golden.py --summary-only      # summarize the checked-in truths

A truth is written atomically next to its scenario's name. Runs offscreen with no display
(WebKitGTK brings its own private X server).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corsinspector.errors import CorsInspectorError  # noqa: E402
from corsinspector.formats.atomic import write_json_atomic  # noqa: E402
from corsinspector.formats.scenario import load_scenario, load_truth, truth_to_dict  # noqa: E402
from corsinspector.realbrowser.players import PLAYERS, open_player, truths_folder  # noqa: E402
from corsinspector.realbrowser.recorder import blocked_kind, summarize  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="scenario names (default: all)")
    parser.add_argument("--browser", default="embedded", choices=list(PLAYERS))
    parser.add_argument("--scenarios", type=Path, default=GOLDEN / "scenarios")
    parser.add_argument("--truths", type=Path, help="default: tests/golden/<the browser's>")
    parser.add_argument("--summary", action="store_true", help="print the summary table after")
    parser.add_argument(
        "--summary-only", action="store_true", help="only summarize the truths already recorded"
    )
    args = parser.parse_args()
    truths = args.truths or GOLDEN / truths_folder(args.browser)
    try:
        if not args.summary_only:
            _record(args.browser, args.scenarios, truths, args.names)
        if args.summary or args.summary_only:
            recorded = [load_truth(p) for p in sorted(truths.glob("*.json"))]
            print(summarize(recorded))
    except CorsInspectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # the browser and its servers are stopped on the way out
        print("interrupted: the truths written so far are kept", file=sys.stderr)
        return 130
    return 0


def _record(browser: str, scenarios_dir: Path, truths_dir: Path, names: list[str]) -> None:
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
    started = time.monotonic()
    version = ""

    async def record_all() -> None:
        nonlocal version
        player = await open_player(browser)
        version = f"{player.name} {player.version}"
        try:
            for index, scenario in enumerate(scenarios, 1):
                truth = await player.play(scenario)
                write_json_atomic(truths_dir / f"{scenario.name}.json", truth_to_dict(truth))
                print(
                    f"[{index:>3}/{len(scenarios)}] {scenario.name}: {blocked_kind(truth)}",
                    flush=True,
                )
        finally:
            await player.aclose()

    if browser == "embedded":  # QtWebEngine: the servers and the page share Qt's thread
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from corsinspector.realbrowser.browser import start_qt

        start_qt()
        import qasync
        from PySide6.QtWidgets import QApplication

        with qasync.QEventLoop(QApplication.instance()) as loop:
            loop.run_until_complete(record_all())
    else:
        asyncio.run(record_all())
    print(
        f"recorded {len(scenarios)} scenarios with {version} in {time.monotonic() - started:.1f} s",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
