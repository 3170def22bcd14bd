"""Debian's Chromium, live: a sample of the corpus recorded again matches its checked-in truths
(tests/golden/truths-chromium/), each scenario in a fresh browser context, and no browser
process outlives the player, whether it ends normally or is cancelled mid-fetch."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from corsinspector.formats.scenario import load_truth, scenario_from_dict
from corsinspector.realbrowser.chromium import BINARY, ChromiumPlayer, open_player
from corsinspector.realbrowser.recorder import compare_truths
from tests.golden.corpus import GOLDEN, RECORDER

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.skipif(not os.access(BINARY, os.X_OK), reason=f"no {BINARY}"),
]

TRUTHS = GOLDEN / "truths-chromium"
SAMPLE_SIZE = 30


def sample_names() -> list[str]:
    """Every n-th recorded scenario: a spread over the families (files sort by family)."""
    names = [p.stem for p in sorted(TRUTHS.glob("*.json"))]
    step = max(1, len(names) // SAMPLE_SIZE)
    return names[::step][:SAMPLE_SIZE]


def recorder_browsers() -> set[int]:
    """Process ids of running Chromiums started by this recorder (they carry its rules)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(part.startswith(b"--host-resolver-rules=MAP") for part in command):
            found.add(int(entry.name))
    return found


def group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.timeout(600)
def test_a_sample_of_the_corpus_rerecorded_live_matches_its_truths(tmp_path: Path) -> None:
    names = sample_names()
    assert len(names) == SAMPLE_SIZE
    before = recorder_browsers()
    result = subprocess.run(
        [sys.executable, str(RECORDER), "--browser", "chromium", "--truths", str(tmp_path), *names],
        capture_output=True,
        text=True,
        timeout=60 + 10 * len(names),
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    differences = []
    for name in names:
        fresh = load_truth(tmp_path / f"{name}.json")
        assert fresh.version.startswith("156."), fresh.version
        differences += compare_truths(load_truth(TRUTHS / f"{name}.json"), fresh)
    assert differences == [], "\n".join(differences)
    assert recorder_browsers() - before == set(), "a Chromium outlived the recorder"


def _cached_preflight(name: str) -> dict[str, object]:
    allow = ["Access-Control-Allow-Origin", "https://app.example.test"]
    return {
        "format": "cors-scenario/1",
        "name": name,
        "request": {"url": "https://api.example.test/cached", "method": "PUT"},
        "server": [
            {
                "method": "OPTIONS",
                "status": 204,
                "headers": [
                    allow,
                    ["Access-Control-Allow-Methods", "PUT"],
                    ["Access-Control-Max-Age", "600"],
                ],
            },
            {"method": "PUT", "status": 200, "headers": [allow]},
        ],
    }


@pytest.mark.timeout(120)
def test_each_scenario_gets_a_fresh_context_so_no_preflight_is_cached() -> None:
    async def play_twice() -> list[list[str]]:
        player = await open_player()
        try:
            methods = []
            for name in ("first", "second"):
                truth = await player.play(scenario_from_dict(_cached_preflight(name)))
                assert truth.allowed, truth
                methods.append([r.method for r in truth.received])
            return methods
        finally:
            await player.aclose()

    # one browser for both: the second would reuse a cached preflight in a shared context
    assert asyncio.run(play_twice()) == [["OPTIONS", "PUT"], ["OPTIONS", "PUT"]]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("after", [0.05, 1.5])
def test_the_browser_and_its_fronts_end_with_the_player_even_when_cancelled(after: float) -> None:
    # the body is promised 1000 bytes and gets one: the page waits for the rest forever
    never = scenario_from_dict(
        {
            "format": "cors-scenario/1",
            "name": "cancelled",
            "request": {"url": "https://api.example.test/slow"},
            "server": [
                {
                    "method": "GET",
                    "status": 200,
                    "headers": [
                        ["Access-Control-Allow-Origin", "*"],
                        ["Content-Length", "1000"],
                    ],
                    "body": "x",
                }
            ],
        }
    )

    async def cancel_mid_play() -> tuple[int, list[int]]:
        player = ChromiumPlayer()
        await player.start(["https://api.example.test", "https://app.example.test"])
        pid = player.pid
        assert pid is not None
        assert group_alive(pid)
        ports = list(player.front_ports.values())
        assert len(ports) == 2
        play = asyncio.get_running_loop().create_task(player.play(never))
        await asyncio.sleep(after)  # the context being made; the body being waited for
        assert not play.done()
        play.cancel()
        with pytest.raises(asyncio.CancelledError):
            await play
        await player.aclose()
        return pid, ports

    pid, ports = asyncio.run(cancel_mid_play())
    assert not group_alive(pid), "Chromium's process group outlived the player"
    for port in ports:  # the front doors are closed
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.mark.timeout(120)
def test_an_http_and_an_https_origin_on_one_host_and_port_are_unreproducible() -> None:
    both = scenario_from_dict(
        {
            "format": "cors-scenario/1",
            "name": "both-schemes",
            "request": {
                "url": "https://app.example.test:8443/data",
                "origin": "http://app.example.test:8443",
            },
            "server": [{"method": "GET", "status": 200}],
        }
    )

    async def play() -> str | None:
        player = await open_player()
        try:
            return (await player.play(both)).unreproducible
        finally:
            await player.aclose()

    reason = asyncio.run(play())
    assert reason is not None
    assert "share app.example.test:8443" in reason
