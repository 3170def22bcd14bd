"""The reducer on streams recorded with every session of the page (frames and workers too:
tests/watch/record_watch.py) from Debian's Chromium 156 and the embedded Chromium 140:

- tests/watchapp.py's forget page: an answer the page drops (never reads, aborts after it
  came, cancels its body) is allowed, as Chromium decided when it handed it over; a request
  the page aborts before any answer is no verdict at all (allowed None, ``net::ERR_ABORTED``),
  which the judge does not call a disagreement; a CORS block stays a block;
- its origins page: each request's origin is its initiator's as the browser sends it (a
  cross-site frame, a worker, a sandboxed frame's ``null``, a srcdoc frame's parent's).

And live: the Watcher on both pages in both browsers says the same."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from corsinspector.model import header_values
from corsinspector.watch.capture import Session, Watched
from corsinspector.watch.cdpdata import ABORTED
from corsinspector.watch.events import CdpReducer
from corsinspector.watch.judge import agrees, judge_watched, page_aborted
from corsinspector.watch.report import browser_label
from corsinspector.watch.watcher import Watcher, parse_browser
from tests.commandline import main_py
from tests.watch.test_events import MAIN, RECORDINGS, api_rows, load, reduce
from tests.watch.test_watcher import BROWSERS
from tests.watchapp import DONE_TITLE, WatchApp, watch_app_in_thread

FORGET = ["chromium156_forget.jsonl", "qtwebengine_forget.jsonl"]
ORIGINS = ["chromium156_origins.jsonl", "qtwebengine_origins.jsonl"]


def _by_url(rows: list[Watched]) -> dict[str, Watched]:
    return {row.request.url: row for row in rows}


def check_forget(rows: dict[str, Watched], expected: dict[str, str]) -> None:
    """Each of the forget page's requests says what Chromium did, and our verdict agrees."""
    assert set(expected) <= set(rows)
    for url, want in expected.items():
        row, ours = rows[url], judge_watched(rows[url])
        assert agrees(row, ours), url
        if want == "allowed":
            assert row.browser.allowed is True, url
            assert ours.allowed, url
        elif want == "aborted":
            assert row.done, url
            assert (row.browser.allowed, row.browser.net_error) == (None, ABORTED), url
            assert row.browser.kind is None
            assert not any(hop.response for hop in row.hops), url  # no answer came
        else:
            assert (row.browser.allowed, row.browser.kind) == (False, want), url
            assert ours.error is not None
            assert ours.error.kind == want, url


@pytest.mark.parametrize("name", FORGET)
def test_dropped_answers_are_allowed_and_early_aborts_no_verdict(name: str) -> None:
    meta, events = load(name)
    rows = _by_url(api_rows(reduce(events)))
    check_forget(rows, meta["expected"])
    api = meta["api"]
    # the recording has the case: the answer, then net::ERR_ABORTED, for the same request
    for path in ("/forget/late", "/forget/cancel"):
        said = [m for m, p in events if p.get("requestId") == rows[api + path].id]
        assert said.index("Network.responseReceived") < said.index("Network.loadingFailed")
        assert rows[api + path].browser.net_error == ABORTED
    put = rows[meta["silent"] + "/forget/hang-put"]
    assert put.preflight is not None
    assert put.preflight.response is None
    assert put.hops == ()  # stopped at its preflight, which never had an answer


@pytest.mark.parametrize("name", [*RECORDINGS, *FORGET, *ORIGINS])
def test_a_row_the_browser_allowed_is_never_blocked_later(name: str) -> None:
    """Allowed from the moment the answer reaches the page, whatever follows."""
    session = Session()
    reducer = CdpReducer(session)
    said: dict[str, list[bool | None]] = {}
    for method, params in load(name)[1]:
        for row in reducer.feed(method, params):
            said.setdefault(row.id, []).append(row.browser.allowed)
    for id, seen in said.items():
        if True in seen:
            assert False not in seen[seen.index(True) :], session.get(id)


def _sent_origin(row: Watched) -> str | None:
    first = row.hops[0] if row.hops else row.preflight
    values = header_values(first.request.headers, "Origin") if first else []
    return values[0] if values else None


@pytest.mark.parametrize("name", ORIGINS)
def test_each_request_has_its_initiators_origin_as_sent(name: str) -> None:
    meta, events = load(name)
    rows = _by_url(api_rows(reduce(events)))
    for url, origin in meta["expected"].items():
        row = rows[url]
        assert row.request.origin == origin, url
        if url != meta["front"] + "/same.json":  # a same-origin GET carries none
            assert _sent_origin(row) == origin, url
        assert row.browser.allowed is True, url
        ours = judge_watched(row)
        assert ours.allowed, url
        assert agrees(row, ours), url
    assert not rows[meta["front"] + "/same.json"].cross_origin


@pytest.mark.parametrize("name", MAIN)
def test_the_main_pages_origins_are_as_sent(name: str) -> None:
    """After a cross-origin redirect Origin turns "null": the request's is its first hop's."""
    meta, events = load(name)
    for row in api_rows(reduce(events)):
        assert row.request.origin == meta["front"]
        assert _sent_origin(row) in (meta["front"], None)


async def _watch(browser: str, url: str) -> Session:
    watcher = Watcher(parse_browser(browser), quiet=False)
    try:
        await watcher.start(timeout=60)
        assert await watcher.open(url, timeout=30) is None
        conn, page = watcher._conn, watcher._session_id
        assert conn is not None
        for _ in range(150):
            title = await conn.send(
                "Runtime.evaluate", {"expression": "document.title"}, session_id=page
            )
            if title.get("result", {}).get("value") == DONE_TITLE:
                break
            await asyncio.sleep(0.2)
        await watcher.settle(seconds=1.0)
        return watcher.session
    finally:
        await watcher.aclose()


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(240)
@pytest.mark.parametrize("browser", BROWSERS)
def test_watching_the_forget_and_origins_pages(browser: str) -> None:
    async def main() -> None:
        async with WatchApp() as app:
            forget = await _watch(browser, app.forget_page_url)
            check_forget(_by_url(api_rows(forget)), app.expected_forget)
            origins = _by_url(api_rows(await _watch(browser, app.origins_page_url)))
            for url, origin in app.expected_origins.items():
                assert origins[url].request.origin == origin, url
                assert agrees(origins[url], judge_watched(origins[url])), url

    asyncio.run(main())


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(200)
def test_the_watch_command_names_aborts_and_flags_no_disagreement() -> None:
    """``main.py watch`` on the forget page: dropped answers ALLOWED, the page's early aborts
    ABORTED (neither PENDING nor a disagreement), the CORS block BLOCKED; the JUnit file
    skips the aborted ones, saying why."""
    with watch_app_in_thread() as app, tempfile.TemporaryDirectory() as folder:
        junit = Path(folder, "watch.xml")
        out = main_py(
            "watch", app.forget_page_url, "--seconds", "6", "--junit", str(junit), timeout=150
        )
        expected = app.expected_forget
        skipped = junit.read_text("utf-8").count("aborted by the page before any answer")
    assert out.returncode == 1, out.stderr  # the blocked one
    assert "DISAGREE" not in out.stdout + out.stderr
    states = {
        line.split()[2]: line.split()[0] for line in out.stdout.splitlines() if " (from " in line
    }
    named = {"allowed": "ALLOWED", "aborted": "ABORTED"}
    assert states == {url: named.get(want, "BLOCKED") for url, want in expected.items()}
    assert "2 aborted by the page" in out.stdout
    assert skipped == 2
    assert browser_label(next(_aborted_rows())) == "aborted by the page"


def _aborted_rows() -> Iterator[Watched]:
    for row in api_rows(reduce(load(FORGET[0])[1])):
        if page_aborted(row):
            yield row
