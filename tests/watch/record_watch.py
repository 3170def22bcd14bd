"""Record every DevTools event a Watcher hears on one of tests/watchapp.py's pages, its
frames' and workers' sessions included (tools/record_cdp_events.py records the page's own
session only), for tests/watch/test_events_dropped.py and test_events_origins.py.

    python -m tests.watch.record_watch --page forget|origins [--browser embedded|chrome=PATH]
                                       --out FILE

The file: ``{"meta": {...}}`` (the browser, the page, the app's origins, what
the page's requests should come to: ``WatchApp.expected_forget`` or ``expected_origins``), then one
``{"method", "params", "session"}`` per event, as received.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from corsinspector.watch.watcher import Watcher, parse_browser
from tests.watchapp import DONE_TITLE, WatchApp


class RecordingWatcher(Watcher):
    """A Watcher that also keeps every event it hears, with the session it came on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heard: list[dict[str, Any]] = []

    def _on_event(self, method: str, params: dict[str, Any], session_id: str | None) -> None:
        if session_id is not None:
            self.heard.append({"method": method, "params": params, "session": session_id})
        super()._on_event(method, params, session_id)


async def record(page: str, browser: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    async with WatchApp() as app:
        url = {"forget": app.forget_page_url, "origins": app.origins_page_url}[page]
        watcher = RecordingWatcher(parse_browser(browser), quiet=True)
        try:
            await watcher.start(timeout=60)
            why = await watcher.open(url, timeout=30)
            if why is not None:
                raise RuntimeError(why)
            await _until_done(watcher)
            # the dropped responses' bodies go when their Response objects are collected
            await _collect_garbage(watcher)
            await watcher.settle(seconds=1.0)
        finally:
            await watcher.aclose()
        meta = {
            "browser": watcher.version,
            "page": url,
            "front": app.front_origin,
            "api": app.api_origin,
            "silent": app.silent_origin,
            "expected": app.expected_forget if page == "forget" else app.expected_origins,
        }
        return meta, watcher.heard


async def _until_done(watcher: Watcher, seconds: float = 30.0) -> None:
    conn, session = watcher._conn, watcher._session_id
    assert conn is not None
    for _ in range(int(seconds / 0.2)):
        answer = await conn.send(
            "Runtime.evaluate", {"expression": "document.title"}, session_id=session
        )
        if answer.get("result", {}).get("value") == DONE_TITLE:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the page did not finish within {seconds:g} s")


async def _collect_garbage(watcher: Watcher) -> None:
    conn, session = watcher._conn, watcher._session_id
    assert conn is not None
    await conn.send("HeapProfiler.enable", session_id=session)
    await conn.send("HeapProfiler.collectGarbage", session_id=session)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--page", choices=("forget", "origins"), required=True)
    parser.add_argument("--browser", default="embedded")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    meta, heard = asyncio.run(record(args.page, args.browser))
    lines = [{"meta": meta}, *heard]
    Path(args.out).write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    sys.stdout.write(f"{args.out}: {len(heard)} events from {meta['browser']}\n")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
