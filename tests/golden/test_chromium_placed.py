"""Debian's Chromium playing scenarios that place hosts at addresses (``request.resolve``):
the Local Network Access scenarios recorded again live match their truths (the page and the
servers where resolve puts them, the permission as each says), and the browser, its fronts
and the private namespace end with the player, even when a placed scenario is cancelled."""

from __future__ import annotations

import asyncio
import os

import pytest

from corsinspector.formats.scenario import load_scenario, load_truth, scenario_from_dict
from corsinspector.model import Truth
from corsinspector.realbrowser.chromium import BINARY, ChromiumPlayer, open_player
from corsinspector.realbrowser.recorder import compare_truths
from tests.golden.corpus import GOLDEN, SCENARIOS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.skipif(not os.access(BINARY, os.X_OK), reason=f"no {BINARY}"),
    pytest.mark.skipif(os.geteuid() != 0, reason="a private network namespace needs root"),
]

LNA = sorted(path.stem for path in SCENARIOS.glob("lna-*.json"))


def _alive(pid: int) -> bool:
    """``pid`` runs (a zombie waiting for a reaper that is not ours does not count)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _in_namespace_of(holder: int) -> set[int]:
    """Processes sharing ``holder``'s network namespace (read while the holder lives)."""
    inode = os.stat(f"/proc/{holder}/ns/net").st_ino
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}/ns/net").st_ino == inode:
                    found.add(int(entry))
            except OSError:
                continue
    return found


@pytest.mark.timeout(300)
def test_the_lna_scenarios_played_where_resolve_places_them_match_their_truths() -> None:
    async def play_all() -> tuple[list[Truth], int, int, int]:
        player = await open_player()
        try:
            truths = []
            holder = inside = browser = 0
            for name in LNA:
                truths.append(await player.play(load_scenario(SCENARIOS / f"{name}.json")))
                if name == "lna-public-to-local":  # placed: in the namespace
                    holder, browser = player.namespace_pid or 0, player.pid or 0
                    inside = len(_in_namespace_of(holder))
            return truths, holder, browser, inside
        finally:
            await player.aclose()

    truths, holder, browser, inside = asyncio.run(play_all())
    assert len(LNA) == 10
    differences = []
    for truth in truths:
        assert truth.reproducible, truth.unreproducible
        expected = load_truth(GOLDEN / "truths-chromium" / f"{truth.scenario}.json")
        differences += compare_truths(expected, truth)
    assert differences == [], "\n".join(differences)
    assert holder
    assert browser
    assert inside > 2  # the holder, the browser and its children
    assert not _alive(holder), "the namespace outlived the player"
    assert not _alive(browser), "Chromium outlived the player"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("after", [0.05, 1.5])
def test_a_cancelled_placed_scenario_leaves_no_browser_and_no_namespace(after: float) -> None:
    # the body is promised 1000 bytes and gets one: the page waits for the rest forever
    never = scenario_from_dict(
        {
            "format": "cors-scenario/1",
            "name": "cancelled-placed",
            "request": {
                "url": "https://nas.example.test/slow",
                "local_network_access": "granted",
                "resolve": {"app.example.test": "203.0.113.5", "nas.example.test": "192.168.1.20"},
            },
            "server": [
                {
                    "method": "GET",
                    "status": 200,
                    "headers": [["Access-Control-Allow-Origin", "*"], ["Content-Length", "1000"]],
                    "body": "x",
                }
            ],
        }
    )

    async def cancel_mid_play() -> tuple[int, int, set[int]]:
        player = ChromiumPlayer()
        try:
            placement = {"app.example.test": "203.0.113.5", "nas.example.test": "192.168.1.20"}
            origins = ["https://nas.example.test", "https://app.example.test"]
            await player.start(origins, placement)
            pid, holder = player.pid, player.namespace_pid
            assert pid is not None
            assert holder is not None
            inside = _in_namespace_of(holder)
            assert pid in inside
            play = asyncio.get_running_loop().create_task(player.play(never))
            await asyncio.sleep(after)  # the context being made; the body being waited for
            assert not play.done()
            play.cancel()
            with pytest.raises(asyncio.CancelledError):
                await play
            return pid, holder, inside | _in_namespace_of(holder)
        finally:
            await player.aclose()

    pid, holder, inside = asyncio.run(cancel_mid_play())
    left = {p for p in inside if _alive(p)}
    assert left == set(), f"processes of the namespace outlived the player: {left}"
    assert not _alive(pid)
    assert not _alive(holder)


def test_a_host_placed_at_an_ipv6_address_is_unreproducible_in_one_line() -> None:
    placed = scenario_from_dict(
        {
            "format": "cors-scenario/1",
            "name": "ipv6-placed",
            "request": {
                "url": "http://nas.example.test/",
                "resolve": {"nas.example.test": "fd00::7"},
            },
            "server": [{"method": "GET", "status": 200}],
        }
    )
    truth = asyncio.run(ChromiumPlayer().play(placed))  # decided before any browser starts
    assert truth.unreproducible == (
        "the scenario serves nas.example.test from fd00::7: only IPv4 addresses are played"
    )
