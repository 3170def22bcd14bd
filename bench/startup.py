"""Window speed: start-up to a shown, populated window, and timer lateness under load.

    python bench/startup.py [--runs N] [--inspections N]

In one run, measured side by side:
- start-up: wall time from process start to the first paint of (a) the main window with the
  gallery listed and (b) a bare PySide6 window with a label, and each one's peak RSS
  (median of N runs each, offscreen);
- responsiveness: a 10 ms QTimer's lateness (p99, worst, share of ticks missed) while the
  window runs N inspections one after another against a loopback server in another process,
  and those inspections' throughput beside the same inspections without a window.
Targets: start-up and RSS at most 1.5x the bare window; p99 <= 16 ms, worst <= 33 ms, at most
10% of ticks missed; at least 0.6x the windowless throughput.
"""

from __future__ import annotations

import os
import sys

# bench/inspect.py is named like the standard library's ``inspect``: do not let this folder
# shadow it. Put the project root first instead.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = sys.path[0]
TICK_MS = 10.0

BARE = """
import resource, sys, time
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("CORS Inspector"); label.resize(1280, 800); label.show()
app.processEvents()
print(time.time() - float(sys.argv[1]), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
OURS = """
import resource, sys, time
sys.path.insert(0, sys.argv[2])
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
app = QApplication([])
from corsinspector.app.gallery import gallery_names
from ui.mainwindow import MainWindow
window = MainWindow(); window.resize(1280, 800)
window.list_gallery(gallery_names()); window.show()
app.processEvents()
print(time.time() - float(sys.argv[1]), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _start(script: str) -> tuple[float, int]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", script, repr(started), ROOT],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    return float(out[0]), int(out[1])


def _startup(runs: int) -> dict[str, tuple[float, float]]:
    # as installed: byte-compiled (scripts/setup does it; PySide6's wheel ships its .pyc)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "corsinspector", "ui"], cwd=ROOT, check=True
    )
    kinds = (("bare PySide6 window", BARE), ("CORS Inspector window", OURS))
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name, _ in kinds}
    for _ in range(runs):  # interleaved: a noisy moment falls on both alike
        for name, script in kinds:
            samples[name].append(_start(script))
    return {
        name: (
            statistics.median(s[0] for s in taken),
            statistics.median(s[1] for s in taken) / 1024,
        )
        for name, taken in samples.items()
    }


def _server_process(ports: multiprocessing.Queue[int]) -> None:
    sys.path.insert(0, ROOT)
    from corsinspector.model import Request, Route, Scenario
    from corsinspector.wire.server import ScenarioServer

    app = "https://app.example.test"
    scenario = Scenario(
        "bench",
        Request("https://api.example.test/items", origin=app, headers=(("X-Trace", "1"),)),
        (
            Route(
                "OPTIONS",
                None,
                204,
                (
                    ("Access-Control-Allow-Origin", app),
                    ("Access-Control-Allow-Headers", "x-trace"),
                    ("Access-Control-Max-Age", "0"),
                ),
            ),
            Route("GET", None, 200, (("Access-Control-Allow-Origin", app),), body="ok"),
        ),
    )

    async def main() -> None:
        async with ScenarioServer(scenario, keep_log=False) as server:
            ports.put(server.port)
            await asyncio.Event().wait()

    asyncio.run(main())


async def _windowless(url: str, count: int) -> float:
    from corsinspector.live.inspector import Inspector
    from corsinspector.model import Request

    request = Request(url, origin="https://app.example.test", headers=(("X-Trace", "1"),))
    async with Inspector() as inspector:
        started = time.perf_counter()
        for _ in range(count):
            await inspector.inspect(request)
        return count / (time.perf_counter() - started)


def _windowed(url: str, count: int, replay_collection: bool = False) -> dict[str, float]:
    """Timer lateness while the window runs ``count`` inspections one after another, or,
    with ``replay_collection``, replays a ``count``-item collection from its Collection tab
    (concurrency 8); and the inspections' rate."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from corsinspector.model import Request
    from ui.asyncbridge import run_on_qt
    from ui.mainwindow import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    app.setQuitOnLastWindowClosed(False)
    from PySide6.QtCore import QSettings

    # throw-away settings: a benchmark never touches the user's tabs or last request
    kept = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=kept)
    window.resize(1280, 800)
    window.show()
    request = Request(url, origin="https://app.example.test", headers=(("X-Trace", "1"),))
    late: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(int(TICK_MS))

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        late.append(now - tick.last - TICK_MS)  # type: ignore[attr-defined]
        tick.last = now  # type: ignore[attr-defined]

    timer.timeout.connect(tick)

    async def replay_tab() -> float:
        folder = tempfile.mkdtemp()
        path = Path(folder) / "bench.json"
        item = {
            "request": {
                "url": url,
                "origin": "https://app.example.test",
                "headers": [["X-Trace", "1"]],
            },
            "expect": {"allowed": True},
        }
        items = [{"name": f"item {n}", **item} for n in range(count)]
        path.write_text(
            json.dumps(
                {"format": "cors-collection/1", "folders": [{"name": "bench", "items": items}]}
            )
        )
        window.collection_panel.open_path(path)
        finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def finish(_message: str) -> None:
            if not finished.done():
                finished.set_result(None)

        window.controller.replay_finished.connect(finish)
        clock.start()
        tick.last = 0.0  # type: ignore[attr-defined]
        timer.start()
        started = time.perf_counter()
        window.collection_panel.run_button.click()
        await finished
        elapsed = time.perf_counter() - started
        timer.stop()
        assert len(window.collection_panel.model.results) == count
        await window.controller.aclose()
        return count / elapsed

    async def replay() -> float:
        done = 0
        finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def next_one(_verdict: object = None) -> None:
            nonlocal done
            if _verdict is not None:
                done += 1
            if done == count:
                if not finished.done():
                    finished.set_result(None)
                return
            window.controller.send(request)

        window.controller.verdict_ready.connect(next_one)
        clock.start()
        tick.last = 0.0  # type: ignore[attr-defined]
        timer.start()
        started = time.perf_counter()
        next_one()
        await finished
        elapsed = time.perf_counter() - started
        timer.stop()
        await window.controller.aclose()
        return count / elapsed

    rate = run_on_qt(app, replay_tab() if replay_collection else replay())
    ticks = late[1:]
    return {
        "rate": rate,
        "p99": statistics.quantiles(ticks, n=100)[98] if len(ticks) > 100 else max(ticks),
        "worst": max(ticks),
        "missed": sum(1 for t in ticks if t > TICK_MS) / len(ticks),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--inspections", type=int, default=1000)
    args = parser.parse_args()
    startup = _startup(args.runs)
    bare_time, bare_rss = startup["bare PySide6 window"]
    print(f"start-up to first paint (median of {args.runs}, offscreen)   time        peak RSS")
    for name, (seconds, rss) in startup.items():
        print(
            f"  {name:<42}{seconds * 1000:>7.0f} ms (x{seconds / bare_time:.2f})"
            f"{rss:>7.0f} MB (x{rss / bare_rss:.2f})"
        )
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_server_process, args=(ports,), daemon=True)
    server.start()
    try:
        url = f"http://127.0.0.1:{ports.get(timeout=10)}/items"
        alone = asyncio.run(_windowless(url, args.inspections))
        shown = _windowed(url, args.inspections)
        tab = _windowed(url, args.inspections, replay_collection=True)
    finally:
        server.terminate()
        server.join()
    print(f"\n{args.inspections} inspections (preflight + request) against a loopback server")
    print(f"  without a window: {alone:,.0f} inspections/s")
    print(
        f"  with the window:  {shown['rate']:,.0f} inspections/s (x{shown['rate'] / alone:.2f}); "
        f"10 ms timer lateness p99 {shown['p99']:.1f} ms, worst {shown['worst']:.1f} ms, "
        f"{shown['missed']:.0%} of ticks missed"
    )
    print(
        f"  a {args.inspections}-item collection replayed from the Collection tab: "
        f"{tab['rate']:,.0f} items/s; timer lateness p99 {tab['p99']:.1f} ms, "
        f"worst {tab['worst']:.1f} ms, {tab['missed']:.0%} of ticks missed"
    )
    print(json.dumps({"startup": startup, "windowless": alone, "windowed": shown, "tab": tab}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
