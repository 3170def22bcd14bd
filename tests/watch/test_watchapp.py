"""The test app (tests/watchapp.py) against real Chromium: headless /usr/bin/chromium loads
its pages over the DevTools protocol (plain websockets) and every expected entry, in order,
matches the browser's own Network events: the request sent, then loadingFinished (allowed) or
loadingFailed with its corsErrorStatus (blocked) or its net error (refused)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.watchapp import DONE_TITLE, Expected, WatchApp

CHROMIUM = "/usr/bin/chromium"
_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--disable-field-trial-config",
    "--disable-quic", "--remote-debugging-port=0",
]  # fmt: skip

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="scripts/setup-browsers installs it"),
]


@dataclass
class _Seen:
    """One request the page made, as Chromium's Network events tell it."""

    method: str
    url: str
    finished: bool = False
    failed: dict[str, Any] | None = None


@dataclass
class _Cdp:
    """Just enough of the DevTools protocol: commands on one page session, its events."""

    ws: Any
    session: str = ""
    next_id: int = 0
    replies: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    seen: dict[str, _Seen] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        future = asyncio.get_running_loop().create_future()
        self.replies[self.next_id] = future
        await self.ws.send(json.dumps(message))
        reply = await asyncio.wait_for(future, 10)
        assert "error" not in reply, reply
        result: dict[str, Any] = reply.get("result", {})
        return result

    async def pump(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if "id" in message:
                self.replies.pop(message["id"]).set_result(message)
            else:
                self.event(message["method"], message.get("params", {}))

    def event(self, method: str, params: dict[str, Any]) -> None:
        rid = params.get("requestId", "")
        preflight = params.get("initiator", {}).get("type") == "preflight"
        if method == "Network.requestWillBeSent" and not preflight:
            if rid not in self.seen:  # a redirect comes again under the same id
                request = params["request"]
                self.seen[rid] = _Seen(request["method"], request["url"])
                self.order.append(rid)
        elif method == "Network.loadingFinished" and rid in self.seen:
            self.seen[rid].finished = True
        elif method == "Network.loadingFailed" and rid in self.seen:
            self.seen[rid].failed = params


@contextlib.asynccontextmanager
async def _chromium() -> AsyncIterator[_Cdp]:
    """Headless Chromium with a throw-away profile, attached to a blank page; killed after."""
    profile = tempfile.mkdtemp(prefix="watchapp-chromium-")
    process = _start_chromium(profile)
    try:
        ws_url = await _devtools_url(profile, deadline=time.monotonic() + 30)
        async with websockets.connect(ws_url, max_size=None) as ws:
            cdp = _Cdp(ws)
            async with asyncio.TaskGroup() as tasks:
                pump = tasks.create_task(cdp.pump())
                target = await cdp.send("Target.createTarget", {"url": "about:blank"})
                attached = await cdp.send(
                    "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
                )
                cdp.session = attached["sessionId"]
                await cdp.send("Network.enable")
                await cdp.send("Page.enable")
                try:
                    yield cdp
                finally:
                    pump.cancel()
    finally:
        process.kill()
        process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def _start_chromium(profile: str) -> subprocess.Popen[bytes]:
    """Chromium's stderr goes to a file in its profile: a pipe nobody drains would stall it."""
    with open(os.path.join(profile, "stderr.log"), "wb") as log:
        return subprocess.Popen(
            [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


async def _devtools_url(profile: str, *, deadline: float) -> str:
    """The browser's DevTools address, as it prints it on stderr."""
    while time.monotonic() < deadline:
        text = await asyncio.to_thread(Path(profile, "stderr.log").read_bytes)
        found = re.search(rb"DevTools listening on (ws://\S+)", text)
        if found:
            return found.group(1).decode()
        await asyncio.sleep(0.05)
    raise AssertionError("chromium printed no DevTools address within 30 s")


async def _load(cdp: _Cdp, url: str) -> None:
    """Navigate and wait (30 s at most) for the page's series to end."""
    await cdp.send("Page.navigate", {"url": url})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        title = await cdp.send("Runtime.evaluate", {"expression": "document.title"})
        if title["result"].get("value") == DONE_TITLE:
            await asyncio.sleep(0.3)  # the last events arrive
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not finish its requests within 30 s")


def _check(cdp: _Cdp, page_url: str, expected: list[Expected]) -> None:
    made = [cdp.seen[rid] for rid in cdp.order if cdp.seen[rid].url != page_url]
    assert [(s.method, s.url) for s in made] == [(e.method, e.url) for e in expected]
    for seen, want in zip(made, expected, strict=True):
        cors = (seen.failed or {}).get("corsErrorStatus")
        got = (seen.finished and seen.failed is None, cors["corsError"] if cors else None)
        assert got == (want.allowed, want.kind), (want, seen)
        if not want.allowed and want.kind is None:
            assert seen.failed is not None
            assert seen.failed["errorText"] == "net::ERR_CONNECTION_REFUSED", seen


@pytest.mark.timeout(90)
def test_every_expected_verdict_is_what_chromium_decides() -> None:
    asyncio.run(_every_expected_verdict_is_what_chromium_decides())


async def _every_expected_verdict_is_what_chromium_decides() -> None:
    async with WatchApp() as app, _chromium() as cdp:
        assert len(app.expected) >= 12
        assert {e.allowed for e in app.expected} == {True, False}
        await _load(cdp, app.page_url)
        _check(cdp, app.page_url, app.expected)


@pytest.mark.timeout(90)
def test_the_allowed_page_makes_only_allowed_requests() -> None:
    asyncio.run(_the_allowed_page_makes_only_allowed_requests())


async def _the_allowed_page_makes_only_allowed_requests() -> None:
    async with WatchApp() as app, _chromium() as cdp:
        assert all(e.allowed for e in app.expected_allowed)
        await _load(cdp, app.allowed_page_url)
        _check(cdp, app.allowed_page_url, app.expected_allowed)


@pytest.mark.timeout(90)
def test_the_busy_page_keeps_requesting() -> None:
    asyncio.run(_the_busy_page_keeps_requesting())


async def _the_busy_page_keeps_requesting() -> None:
    async with WatchApp() as app, _chromium() as cdp:
        await _load(cdp, app.busy_page_url)
        await asyncio.sleep(1.5)
        ticks = [s for s in cdp.seen.values() if s.url == app.api_origin + "/tick"]
        assert len(ticks) >= 3
        assert all(s.finished and s.failed is None for s in ticks[:-1])  # the last: in flight
