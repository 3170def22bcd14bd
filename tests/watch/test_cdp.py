"""The DevTools connection (watch/cdp.py) against real Chromium: commands and their errors,
flat sessions on one socket, events with their session, a drop seen; and every wait bounded
against loopback servers that accept and never answer."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from corsinspector.errors import WatchError
from corsinspector.watch.cdp import browser_endpoint, connect
from corsinspector.watch.chrome import launch_chrome
from tests.watch.test_chrome import CHROMIUM, needs_chromium, running_with


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A loopback port that accepts connections and never says a word."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.mark.integration
@pytest.mark.browser
@needs_chromium
def test_commands_events_and_flat_sessions_on_one_socket() -> None:
    events: list[tuple[str, dict[str, Any], str | None]] = []

    async def main() -> None:
        chrome = await launch_chrome(CHROMIUM, timeout=30)
        try:
            address = chrome.ws_url.split("/")[2]
            ws_url, product = await browser_endpoint(address, timeout=5)
            assert ws_url == chrome.ws_url
            assert product == chrome.version
            conn = await connect(ws_url, 5, on_event=lambda *event: events.append(event))
            version = await conn.send("Browser.getVersion")
            assert version["product"] == product
            with pytest.raises(WatchError, match=r"^Nope\.nothing failed: .*wasn't found"):
                await conn.send("Nope.nothing")
            target = (await conn.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
            attached = await conn.send(
                "Target.attachToTarget", {"targetId": target, "flatten": True}
            )
            session = attached["sessionId"]
            await conn.send("Runtime.enable", session_id=session)
            result = await conn.send(
                "Runtime.evaluate", {"expression": "6 * 7"}, session_id=session
            )
            assert result["result"]["value"] == 42
            assert conn.closed is None
            await conn.aclose()
            assert conn.closed == "closed by CORS Inspector"
        finally:
            await chrome.aclose()

    asyncio.run(main())
    created = [
        params for method, params, _ in events if method == "Runtime.executionContextCreated"
    ]
    assert created  # the page's events came, with its session
    assert all(sid for method, _, sid in events if method.startswith("Runtime."))


@pytest.mark.integration
@pytest.mark.browser
@needs_chromium
def test_a_killed_browser_drops_the_socket_and_fails_what_waits() -> None:
    async def main() -> tuple[str | None, list[str], str]:
        chrome = await launch_chrome(CHROMIUM, timeout=30)
        drops: list[str] = []
        try:
            conn = await connect(chrome.ws_url, 5)
            conn.on_close = drops.append
            target = (await conn.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
            session = (
                await conn.send("Target.attachToTarget", {"targetId": target, "flatten": True})
            )["sessionId"]
            pending = conn.send(  # a promise that never settles: waits until the drop
                "Runtime.evaluate",
                {"expression": "new Promise(() => {})", "awaitPromise": True},
                session_id=session,
                timeout=10,
            )
            waiting = asyncio.get_running_loop().create_task(pending)
            await asyncio.sleep(0.3)
            chrome.kill_now()
            with pytest.raises(WatchError) as caught:
                await waiting
            await asyncio.wait_for(conn.wait_closed(), 5)
            await conn.aclose()
            return conn.closed, drops, str(caught.value)
        finally:
            await chrome.aclose()
            assert not running_with(str(chrome.profile))

    closed, drops, error = asyncio.run(main())
    assert closed is not None
    assert drops == [closed]  # on_close heard it once
    assert error.startswith("Runtime.evaluate: the browser closed")


def test_every_wait_has_a_deadline() -> None:
    async def main() -> None:
        async with silent_server() as port:
            started = time.monotonic()
            with pytest.raises(WatchError, match=rf"^no DevTools endpoint at 127\.0\.0\.1:{port}"):
                await browser_endpoint(f"127.0.0.1:{port}", timeout=0.5)
            with pytest.raises(WatchError, match=r"^could not open DevTools at ws://"):
                await connect(f"ws://127.0.0.1:{port}/devtools/browser/x", 0.5)
            assert time.monotonic() - started < 3

    asyncio.run(main())


def test_a_refused_port_is_one_line() -> None:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with pytest.raises(WatchError) as caught:
            asyncio.run(browser_endpoint(f"127.0.0.1:{port}", timeout=5))
    assert str(caught.value).startswith(f"no DevTools endpoint at 127.0.0.1:{port}: ")
    assert "\n" not in str(caught.value)


@pytest.mark.integration
@pytest.mark.browser
@needs_chromium
def test_a_command_without_an_answer_times_out() -> None:
    async def main() -> float:
        chrome = await launch_chrome(CHROMIUM, timeout=30)
        try:
            conn = await connect(chrome.ws_url, 5)
            target = (await conn.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
            session = (
                await conn.send("Target.attachToTarget", {"targetId": target, "flatten": True})
            )["sessionId"]
            started = time.monotonic()
            with pytest.raises(WatchError, match=r"^Runtime\.evaluate: DevTools did not answer"):
                await conn.send(  # a promise that never settles: no answer ever comes
                    "Runtime.evaluate",
                    {"expression": "new Promise(() => {})", "awaitPromise": True},
                    session_id=session,
                    timeout=0.5,
                )
            waited = time.monotonic() - started
            assert conn.closed is None  # the connection is still good
            assert (await conn.send("Browser.getVersion"))["product"] == chrome.version
            await conn.aclose()
            return waited
        finally:
            await chrome.aclose()

    assert 0.5 <= asyncio.run(main()) < 2
