"""Firefox ESR, live: a sample of the corpus recorded again matches tests/golden/truths-firefox,
each scenario gets a fresh preflight cache, and no Firefox (or anything in its namespace)
is left behind, even when a recording is cancelled."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from corsinspector.formats.scenario import load_scenario, load_truth
from corsinspector.model import Request, Route, Scenario, Truth
from corsinspector.realbrowser.firefox import BINARY, FirefoxPlayer, open_player
from corsinspector.realbrowser.recorder import compare_truths
from tests.golden.corpus import GOLDEN, scenario_paths

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.skipif(
        not Path(BINARY).exists()
        or not hasattr(os, "geteuid")
        or os.geteuid() != 0
        or shutil.which("unshare") is None,
        reason="needs firefox-esr, root and unshare (a private network namespace)",
    ),
]

TRUTHS = GOLDEN / "truths-firefox"
SAMPLE_SIZE = 25
T = TypeVar("T")


def _with_player(work: Callable[[FirefoxPlayer], Awaitable[T]]) -> T:
    async def main() -> T:
        player = await open_player()
        try:
            return await work(player)
        finally:
            await player.aclose()

    return asyncio.run(main())


def _ours() -> set[str]:
    """Every running Firefox on one of our profiles and every namespace holder ("pid args")."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True)
    marks = ("corsinspector-firefox-", "corsinspector-ns-")
    return {line.strip() for line in out.stdout.splitlines() if any(m in line for m in marks)}


@pytest.fixture
def leftovers() -> Callable[[], set[str]]:
    """What the test started and left running (another recording may run meanwhile)."""
    before = _ours()
    return lambda: _ours() - before


def sample_names() -> list[str]:
    """Every n-th scenario: a spread over the families (files sort by family prefix)."""
    names = [p.stem for p in scenario_paths()]
    step = max(1, len(names) // SAMPLE_SIZE)
    return names[::step][:SAMPLE_SIZE]


def test_a_sample_of_the_corpus_rerecorded_live_matches_its_truths(
    leftovers: Callable[[], set[str]],
) -> None:
    names = sample_names()
    assert len(names) == SAMPLE_SIZE
    scenarios = [load_scenario(GOLDEN / "scenarios" / f"{name}.json") for name in names]

    async def work(player: FirefoxPlayer) -> list[Truth]:
        return [await player.play(scenario) for scenario in scenarios]

    differences = []
    for fresh in _with_player(work):
        differences += compare_truths(load_truth(TRUTHS / f"{fresh.scenario}.json"), fresh)
    assert differences == [], "\n".join(differences)
    assert leftovers() == set()


ACAO = ("Access-Control-Allow-Origin", "https://app.example.test")
CACHED = Scenario(
    "cached",
    Request(url="https://api.example.test/cached", method="PUT", origin="https://app.example.test"),
    (
        Route(
            "OPTIONS",
            None,
            204,
            (ACAO, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "600")),
        ),
        Route("PUT", None, 200, (ACAO,), "ok"),
    ),
)


def test_each_scenario_has_its_own_preflight_cache() -> None:
    async def work(player: FirefoxPlayer) -> list[Truth]:
        return [await player.play(CACHED) for _ in range(3)]

    truths = _with_player(work)
    for truth in truths:
        assert truth.allowed
        assert [r.method for r in truth.received] == ["OPTIONS", "PUT"]  # no cache carried over
        assert truth.browser == "firefox"
        assert truth.version.startswith("153.")


def test_the_cors_category_and_the_words_are_firefoxs_own() -> None:
    blocked = Scenario(
        "blocked",
        Request(url="https://api.example.test/data", origin="https://app.example.test"),
        (Route("GET", None, 200, (), "secret"),),
    )
    truth = _with_player(lambda player: player.play(blocked))
    assert truth.result is not None
    assert truth.result.error == "TypeError: NetworkError when attempting to fetch resource."
    assert [e.kind for e in truth.result.cors_errors] == ["CORSMissingAllowOrigin2"]
    assert [(c.level, c.text) for c in truth.result.console] == [
        (
            "error",
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
            "resource at https://api.example.test/data. (Reason: CORS header "
            "\N{LEFT SINGLE QUOTATION MARK}Access-Control-Allow-Origin"
            "\N{RIGHT SINGLE QUOTATION MARK} missing). Status code: 200.",
        )
    ]
    assert [(r.method, r.url) for r in truth.received] == [("GET", "https://api.example.test/data")]
    assert ("Origin", "https://app.example.test") in truth.received[0].headers


def test_nothing_is_left_when_a_recording_is_cancelled(leftovers: Callable[[], set[str]]) -> None:
    async def main() -> tuple[list[int], list[int]]:
        player = await open_player()
        inside = player.namespace.processes_inside()
        task = asyncio.get_running_loop().create_task(player.play(CACHED))
        await asyncio.sleep(0.3)  # mid-play: the page loading or the fetch running
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await player.aclose()
        return inside, player.namespace.processes_inside()

    inside, after = asyncio.run(main())
    assert len(inside) > 2  # the holder, Firefox and its content processes
    assert after == []
    assert leftovers() == set()


def test_nothing_is_left_when_starting_is_cancelled(leftovers: Callable[[], set[str]]) -> None:
    async def main() -> None:
        task = asyncio.get_running_loop().create_task(open_player())
        await asyncio.sleep(1.0)  # Firefox started, its BiDi agent not yet up
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert leftovers() == set()
