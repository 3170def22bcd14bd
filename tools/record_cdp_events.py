"""Record the DevTools events a real page produces, for tests/watch/test_events.py.

    python tools/record_cdp_events.py [--chromium PATH] [--embedded] [--page main|allowed]
                                      [--out FILE]

Serves tests/watchapp.py's front end and API servers on loopback, opens its page in headless
Chromium (Debian's /usr/bin/chromium by default; ``--embedded``: QtWebEngine, in a child
process) attached over CDP with events.py's ``COMMANDS``, and writes every event of the page's
session to a JSON Lines file: first ``{"meta": {...}}`` (the browser, the page, what the page
asks for and Chromium's verdicts), then one ``{"method", "params"}`` per event, as received.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

from corsinspector.app.tasks import TaskSet  # noqa: E402
from corsinspector.watch.events import COMMANDS  # noqa: E402
from tests.watchapp import DONE_TITLE, WatchApp  # noqa: E402

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-field-trial-config",
    "--disable-quic",
    "--remote-debugging-port=0",
)
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


class _Cdp:
    """Just enough of the protocol: commands with a deadline, events into a list."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[tuple[str, dict[str, Any], str | None]] = []
        self.tasks = TaskSet()
        self.reader = self.tasks.start(self._read(), name="cdp reader")

    async def _read(self) -> None:
        async for text in self.socket:
            message = json.loads(text)
            if "id" in message and message["id"] in self.pending:
                self.pending.pop(message["id"]).set_result(message)
            elif "method" in message:
                self.events.append((message["method"], message["params"], message.get("sessionId")))

    async def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.socket.send(json.dumps(message))
        answer = await asyncio.wait_for(future, 10)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result", {})  # type: ignore[no-any-return]


def _version(answer: dict[str, Any]) -> str:
    """``Chrome/156…``; QtWebEngine names its application instead, its user agent says more."""
    product = str(answer.get("product", ""))
    if product.startswith(("Chrome/", "HeadlessChrome/")):
        return product
    agent = str(answer.get("userAgent", ""))
    found = re.search(r"(QtWebEngine/\S+ )?Chrome/\S+", agent)
    return found.group(0) if found else str(answer.get("product", "unknown"))


async def _browser_ws(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    while True:
        line = (await asyncio.wait_for(process.stderr.readline(), 20)).decode()
        if not line:
            raise RuntimeError("chromium ended before DevTools listened")
        found = _LISTENING.search(line)
        if found:
            return found.group(1)


async def _record(cdp: _Cdp, session: str | None, url: str, seconds: float) -> None:
    """Send COMMANDS, open ``url``, wait for the page's series to end, then a little more."""
    for method, params in COMMANDS:
        await cdp.send(method, params, session)
    await cdp.send("Page.navigate", {"url": url}, session)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        title = await cdp.send("Runtime.evaluate", {"expression": "document.title"}, session)
        if title.get("result", {}).get("value") == DONE_TITLE:
            break
        await asyncio.sleep(0.2)
    else:
        raise RuntimeError(f"the page did not finish within {seconds} s")
    await asyncio.sleep(1.0)


async def _record_chromium(path: str, url: str) -> tuple[list[Any], str]:
    with tempfile.TemporaryDirectory() as profile:
        process = await asyncio.create_subprocess_exec(
            path, *_FLAGS, f"--user-data-dir={profile}", "about:blank",
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            ws = await _browser_ws(process)
            async with websockets.connect(ws, max_size=None) as socket:
                cdp = _Cdp(socket)
                version = _version(await cdp.send("Browser.getVersion"))
                target = await cdp.send("Target.createTarget", {"url": "about:blank"})
                attached = await cdp.send(
                    "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
                )
                session = attached["sessionId"]
                await _record(cdp, session, url, 30)
                events = [(m, p) for m, p, s in cdp.events if s == session]
                with contextlib.suppress(Exception):  # let Chromium end its own children
                    await cdp.send("Browser.close")
                    await asyncio.wait_for(process.wait(), 5)
                cdp.reader.cancel()
                return events, version
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def _main(args: argparse.Namespace) -> tuple[dict[str, Any], list[Any], str]:
    async with WatchApp() as app:
        url = app.page_url if args.page == "main" else app.allowed_page_url
        expected = app.expected if args.page == "main" else app.expected_allowed
        if args.embedded:
            events, version = await _record_embedded(url)
        else:
            events, version = await _record_chromium(args.chromium, url)
        meta = {
            "browser": version,
            "page": url,
            "front": app.front_origin,
            "expected": [e._asdict() for e in expected],
        }
    return meta, events, version


_EMBEDDED_CHILD = """
import asyncio, json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
port = sys.argv[1]
os.environ["QTWEBENGINE_REMOTE_DEBUGGING"] = "127.0.0.1:" + port
from PySide6.QtCore import Qt, QCoreApplication, QUrl, QTimer
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
from PySide6.QtWidgets import QApplication
app = QApplication([])
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEnginePage
profile = QWebEngineProfile()
page = QWebEnginePage(profile)
page.setUrl(QUrl("about:blank#record-cdp-events"))
print("ready", flush=True)
QTimer.singleShot(120_000, app.quit)
sys.stdin.readline and __import__("threading").Thread(
    target=lambda: (sys.stdin.readline(), app.quit()), daemon=True).start()
app.exec()
"""


async def _record_embedded(url: str) -> tuple[list[Any], str]:
    """QtWebEngine's Chromium in a child process; its page found among the targets by URL."""
    import socket as sockets

    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    python = str(ROOT / ".venv" / "bin" / "python")
    process = await asyncio.create_subprocess_exec(
        python, "-c", _EMBEDDED_CHILD, str(port),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readline(), 30)
        ws = await _embedded_target(port)
        async with websockets.connect(ws, max_size=None) as socket:
            cdp = _Cdp(socket)
            version = _version(await cdp.send("Browser.getVersion"))
            await _record(cdp, None, url, 30)
            cdp.reader.cancel()
            return [(m, p) for m, p, _ in cdp.events], version
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


async def _embedded_target(port: int) -> str:
    import urllib.request

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            listing = await asyncio.to_thread(
                lambda: urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/json/list", timeout=5
                ).read()
            )
            for target in json.loads(listing):
                if "record-cdp-events" in target.get("url", ""):
                    return str(target["webSocketDebuggerUrl"])
        await asyncio.sleep(0.3)
    raise RuntimeError("the embedded page never appeared among the DevTools targets")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--embedded", action="store_true")
    parser.add_argument("--page", choices=("main", "allowed"), default="main")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    meta, events, version = asyncio.run(_main(args))
    lines = [{"meta": meta}, *({"method": m, "params": p} for m, p in events)]
    Path(args.out).write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    print(f"{args.out}: {len(events)} events from {version}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
