"""Asking each installed real browser about a live request (corsinspector.realbrowser.ask):
real browsers, a real loopback server. A page on a loopback dev server sends ``DPR: 2``:
Chromium safelists the client hint, Firefox and WebKit preflight it (and nobody answers OPTIONS);
each real browser's verdict matches its recorded truth of ``safelist-hint-dpr`` and the
engine's verdict for that browser's profile; nothing is left running, even when cancelled."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from dataclasses import replace
from pathlib import Path

import pytest

from corsinspector.formats.scenario import load_truth
from corsinspector.live.compare import REAL_BROWSER_PROFILES, compare_with_browser
from corsinspector.live.inspector import InspectOptions, Inspector
from corsinspector.model import Request, Route, Scenario
from corsinspector.realbrowser.ask import ASKABLE, ask, installed_browsers
from corsinspector.realbrowser.players import truths_folder
from corsinspector.wire.server import ScenarioServer, serve_in_thread
from tests.commandline import main_py

pytestmark = [pytest.mark.browser, pytest.mark.integration]

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
PAGE = "http://localhost:5173"
API = "http://api.example.test/data"


def _dpr() -> Scenario:
    allow = (("Access-Control-Allow-Origin", PAGE),)
    request = Request(API, origin=PAGE, headers=(("DPR", "2"),))
    return Scenario("dpr", request, (Route("GET", API, 200, allow, "ok"),))


def _truth_allows(browser: str) -> bool:
    truth = load_truth(GOLDEN / truths_folder(browser) / "safelist-hint-dpr.json")
    assert truth.reproducible
    return truth.allowed


def _children() -> list[int]:
    """Our live child processes (browsers are started in their own sessions, still ours)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def test_the_browsers_installed_here_can_be_asked() -> None:
    found = installed_browsers()
    assert set(found) <= set(ASKABLE)
    assert found == list(ASKABLE)  # every one is installed on this machine


@pytest.mark.parametrize("browser", ["chromium", "firefox", "webkit"])
def test_each_real_browser_agrees_with_its_truth_and_its_engine_profile(browser: str) -> None:
    async def go() -> tuple[bool, bool, list[tuple[str, str]]]:
        server = ScenarioServer(_dpr())
        await server.start()
        try:
            request = replace(_dpr().request, url=server.map.to_wire_url(API))
            result = await ask(browser, request, time_limit=15)
            sent = [(item.method, item.target) for item in server.log]
            options = InspectOptions(browser=REAL_BROWSER_PROFILES[browser])
            async with Inspector(options) as inspector:
                engine = await inspector.inspect(request)
        finally:
            await server.close()
        comparison = compare_with_browser(result)
        assert result.browser == browser
        assert result.version
        return comparison.allowed, comparison.agrees_with(engine), sent

    allowed, agrees, sent = asyncio.run(go())
    assert allowed == _truth_allows(browser)
    assert agrees
    # Chromium sends the GET alone; Firefox and WebKit the preflight, never answered
    assert sent == ([("GET", "/data")] if allowed else [("OPTIONS", "/data")])
    assert allowed == (browser == "chromium")
    assert _children() == []


@pytest.mark.parametrize("browser", ["chromium", "firefox", "webkit"])
def test_a_cancelled_ask_leaves_nothing_running(browser: str) -> None:
    async def go() -> None:
        # a listener that never answers: the fetch is still waiting when cancelled
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(16)
            url = f"http://127.0.0.1:{silent.getsockname()[1]}/never"
            task = asyncio.get_running_loop().create_task(
                ask(browser, Request(url, origin=PAGE), time_limit=30)
            )
            await asyncio.sleep(4)
            assert not task.done()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(go())
    assert _children() == []


def test_check_all_asks_every_installed_browser_beside_its_engine_profile() -> None:
    with serve_in_thread(_dpr()) as server:
        url = server.map.to_wire_url(API)
        args = ("check", url, "--origin", PAGE, "-H", "DPR: 2", "--browser", "all")
        result = main_py(*args, "--real-browser", "--json", timeout=240)
        text = main_py(*args, "--real-browser", timeout=240)
    assert result.returncode == 1, result.stderr  # blocked in Firefox and Safari
    data = json.loads(result.stdout)
    real = data["real_browsers"]
    assert list(real) == installed_browsers()
    for browser, item in real.items():
        assert "error" not in item, item
        assert item["allowed"] == _truth_allows(browser), browser
        assert item["allowed"] == data["browsers"][item["profile"]]["allowed"], browser
        assert item["agrees"] is True, (browser, item)
    assert "disagree" not in result.stderr
    assert text.returncode == 1
    assert "Ask the real browsers" in text.stdout
    assert text.stdout.count("[agree]") == len(real)
