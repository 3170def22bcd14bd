"""Our verdict on each recorded request, reached from its hops as captured, agrees with the
browser's (allowed and kind), names the culprit header of a block, and survives the trip
through a cors-scenario/1 file and ``simulate``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from corsinspector.formats.json import dump_json
from corsinspector.formats.scenario import scenario_to_dict
from corsinspector.watch.capture import BrowserSays, Watched
from corsinspector.watch.judge import (
    CACHED_PREFLIGHT,
    NOT_CAPTURED,
    agrees,
    judge_watched,
    watched_scenario,
)
from tests.commandline import main_py
from tests.watch.test_events import MAIN, RECORDINGS, api_rows, load, reduce

#: The header a block's culprit is, by Chromium's kind (what the window highlights).
CULPRITS = {
    "MissingAllowOriginHeader": "Access-Control-Allow-Origin",
    "WildcardOriginNotAllowed": "Access-Control-Allow-Origin",
    "HeaderDisallowedByPreflightResponse": "Access-Control-Allow-Headers",
}


def rows_of(name: str) -> list[Watched]:
    return api_rows(reduce(load(name)[1]))


@pytest.mark.parametrize("name", RECORDINGS)
def test_our_verdict_agrees_with_the_browser_on_every_recorded_request(name: str) -> None:
    disagreements = []
    for row in rows_of(name):
        verdict = judge_watched(row)
        ours = verdict.error.kind if verdict.error else None
        if not agrees(row, verdict):
            disagreements.append((row.request.url, row.browser.kind, ours))
        assert verdict.allowed is row.browser.allowed
        if row.browser.kind is not None:
            assert ours == row.browser.kind
    assert disagreements == []


@pytest.mark.parametrize("name", MAIN)
def test_a_block_names_its_culprit(name: str) -> None:
    for row in rows_of(name):
        verdict = judge_watched(row)
        if verdict.error is None or verdict.error.kind not in CULPRITS:
            continue
        assert verdict.error.header == CULPRITS[verdict.error.kind], row.request.url
        if verdict.error.kind == "HeaderDisallowedByPreflightResponse":
            assert verdict.error.value == "x-request-id"
            assert row.browser.failed_parameter == "x-request-id"
        assert verdict.error.message == row.browser.message  # word for word


@pytest.mark.parametrize("name", MAIN)
def test_every_blocked_xhr_carries_the_browsers_console_line(name: str) -> None:
    """Chromium names the API in its line (``Access to XMLHttpRequest at …``): ours too, for
    every XHR row the browser blocked with a CORS error; a fetch() row keeps ``fetch``."""
    seen = {"XHR": 0, "Fetch": 0}
    for row in rows_of(name):
        if row.browser.kind is None:
            continue
        message = judge_watched(row).error
        assert message is not None
        assert message.message == row.browser.message, row.request.url
        seen[row.resource] += 1
    assert seen["XHR"] >= 1
    assert seen["Fetch"] >= 1


def test_the_verdict_uses_the_exchanges_as_captured() -> None:
    rows = {row.request.url.rsplit("/", 1)[-1]: row for row in rows_of(MAIN[0])}
    moved = judge_watched(rows["moved"])
    assert [e.request.url for e in moved.exchanges] == [h.request.url for h in rows["moved"].hops]
    assert moved.exchanges[0].response == rows["moved"].hops[0].response
    refused = judge_watched(rows["refused"])
    assert refused.exchanges[0].network_error == rows["refused"].hops[0].network_error


def test_a_preflight_the_cache_answered_is_taken_as_passed() -> None:
    put = next(row for row in rows_of(MAIN[0]) if row.request.url.endswith("/items/1"))
    verdict = judge_watched(replace(put, preflight=None))
    assert verdict.allowed
    assert CACHED_PREFLIGHT in verdict.notes
    assert [e.kind for e in verdict.exchanges] == ["actual"]


def test_an_exchange_the_browser_did_not_make_disagrees_loudly() -> None:
    simple = next(row for row in rows_of(MAIN[0]) if row.request.url.endswith("/simple"))
    verdict = judge_watched(replace(simple, hops=()))
    assert not verdict.allowed
    assert verdict.exchanges[0].network_error == NOT_CAPTURED
    assert not agrees(simple, verdict)


def test_agrees_compares_as_live_compare_does() -> None:
    row = next(row for row in rows_of(MAIN[0]) if row.request.url.endswith("/no-cors"))
    verdict = judge_watched(row)
    assert agrees(row, verdict)
    other_kind = replace(row, browser=replace(row.browser, kind="InvalidResponse"))
    assert not agrees(other_kind, verdict)
    assert not agrees(replace(row, browser=BrowserSays(True)), verdict)
    assert agrees(replace(row, browser=BrowserSays(None)), verdict)  # still in flight
    # a failure the browser named no CORS kind for: ours is not a CORS error either
    refused = next(row for row in rows_of(MAIN[0]) if row.request.url.endswith("/refused"))
    assert agrees(refused, judge_watched(refused))


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_watched_scenario_gives_the_same_verdict_through_simulate(tmp_path: Path) -> None:
    """One row of each outcome (a network error has no route: the scenario cannot say it)."""
    seen: set[tuple[bool, str | None]] = set()
    for row in rows_of(MAIN[0]):
        verdict = judge_watched(row)
        outcome = (verdict.allowed, verdict.error.kind if verdict.error else None)
        if outcome in seen or row.browser.net_error not in (None, "net::ERR_FAILED"):
            continue
        seen.add(outcome)
        path = tmp_path / f"{len(seen)}.json"
        path.write_text(dump_json(scenario_to_dict(watched_scenario(row))), "utf-8")
        done = main_py("simulate", str(path), "--json")
        assert done.returncode == 0, done.stderr
        simulated = json.loads(done.stdout)
        assert simulated["allowed"] is verdict.allowed, row.request.url
        kind = (simulated.get("error") or {}).get("kind")
        assert kind == outcome[1], row.request.url
    assert len(seen) >= 5
