"""The DevTools reducer on real event streams (tests/watch/events/, recorded by
tools/record_cdp_events.py from Debian's Chromium 156 and the embedded QtWebEngine's Chromium
140 on tests/watchapp.py's page): each row is what the page did, whatever order the
ExtraInfo events and the instrumentation's reports arrive in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from corsinspector.model import header_values
from corsinspector.watch.capture import Session, Watched
from corsinspector.watch.events import COMMANDS, CdpReducer
from corsinspector.watch.instrument import BINDING

EVENTS = Path(__file__).parent / "events"
MAIN = ["chromium156_main.jsonl", "qtwebengine_main.jsonl"]
RECORDINGS = [*MAIN, "chromium156_allowed.jsonl"]
ROOT = Path(__file__).resolve().parents[2]

Event = tuple[str, dict[str, Any]]


def load(name: str | Path) -> tuple[dict[str, Any], list[Event]]:
    lines = [json.loads(line) for line in Path(EVENTS, name).read_text().splitlines()]
    return lines[0]["meta"], [(line["method"], line["params"]) for line in lines[1:]]


def reduce(events: list[Event], cap: int = 5000) -> Session:
    session = Session(cap=cap)
    reducer = CdpReducer(session)
    for method, params in events:
        reducer.feed(method, params)
    return session


def api_rows(session: Session) -> list[Watched]:
    return [row for row in session.requests() if row.resource in ("Fetch", "XHR")]


def _request_id(event: Event) -> str | None:
    return event[1].get("requestId")


def extra_info_late(events: list[Event]) -> list[Event]:
    """Every ExtraInfo event moved after its request's last event."""
    extra = [e for e in events if e[0].endswith("ExtraInfo")]
    out = [e for e in events if not e[0].endswith("ExtraInfo")]
    for event in extra:
        last = max(i for i, e in enumerate(out) if _request_id(e) == _request_id(event))
        out.insert(last + 1, event)
    return out


def extra_info_early(events: list[Event]) -> list[Event]:
    """Every ExtraInfo event moved before its request's first event (in their order)."""
    extra = [e for e in events if e[0].endswith("ExtraInfo")]
    out = [e for e in events if not e[0].endswith("ExtraInfo")]
    for event in reversed(extra):
        first = min(
            (i for i, e in enumerate(out) if _request_id(e) == _request_id(event)), default=0
        )
        out.insert(first, event)
    return out


def reports_late(events: list[Event]) -> list[Event]:
    """Each instrumentation report moved after the request it reports on has started."""
    out = list(events)
    for index in range(len(out) - 1, -1, -1):
        if out[index][0] == "Runtime.bindingCalled":
            event = out.pop(index)
            out.insert(index + 1, event)
    return out


@pytest.mark.parametrize("name", RECORDINGS)
def test_each_row_is_what_the_page_did(name: str) -> None:
    meta, events = load(name)
    session = reduce(events)
    rows = api_rows(session)
    expected = meta["expected"]
    assert [(r.request.method, r.request.url) for r in rows] == [
        (e["method"], e["url"]) for e in expected
    ]
    for row, want in zip(rows, expected, strict=True):
        assert row.done, row.request.url
        assert row.browser.allowed is want["allowed"], row.request.url
        assert row.browser.kind == want["kind"], row.request.url
        assert row.request.origin == meta["front"]
        assert row.load == 0
        assert row.hops or row.preflight is not None, row.request.url  # sent, or preflighted
        if not want["allowed"] and want["kind"] is not None:
            assert row.browser.net_error == "net::ERR_FAILED"
            assert row.browser.message is not None
            assert row.browser.message.startswith("Access to ")
            assert "has been blocked by CORS policy" in row.browser.message
    seqs = [row.seq for row in session.requests()]
    assert seqs == sorted(seqs) == list(range(len(seqs)))
    document = session.requests()[0]
    assert document.resource == "Document"
    assert document.request.url == meta["page"]
    assert not document.cross_origin
    assert [load.url for load in session.loads] == [meta["page"]]


@pytest.mark.parametrize("name", MAIN)
def test_the_rows_carry_the_exchanges_as_sent(name: str) -> None:
    meta, events = load(name)
    rows = {urlsplit(row.request.url).path[1:]: row for row in api_rows(reduce(events))}
    put = rows["items/1"]
    # the preflight is folded into its request's row, with its wire headers
    assert put.preflight is not None
    assert put.preflight.request.method == "OPTIONS"
    assert header_values(put.preflight.request.headers, "Access-Control-Request-Headers") == [
        "content-type,x-request-id"
    ]
    assert put.preflight.response is not None
    assert put.preflight.response.status == 204
    # the script's headers, the browser's removed; the body as sent
    assert dict(put.request.headers) == {"X-Request-Id": "42", "Content-Type": "application/json"}
    assert put.request.body == '{"name": "watch"}'
    # the wire's headers (Host, Origin) on the hop, the response's in the server's order
    assert header_values(put.hops[0].request.headers, "Origin") == [meta["front"]]
    assert header_values(put.hops[0].request.headers, "Host")
    response = put.hops[0].response
    assert response is not None
    assert [name for name, _ in response.headers][:2] == ["Access-Control-Allow-Origin", "Vary"]
    assert response.reason == "OK"
    assert response.http_version == "1.1"
    # a redirect: two hops, the second tainted (Origin null), the first answered by the 302
    moved = rows["moved"]
    assert [hop.request.url.rsplit("/", 1)[-1] for hop in moved.hops] == ["moved", "landing"]
    assert moved.hops[0].response is not None
    assert moved.hops[0].response.status == 302
    assert header_values(moved.hops[1].request.headers, "Origin") == ["null"]
    # credentials as the script asked for them (the instrumentation's report)
    assert rows["login"].request.credentials == "include"
    assert rows["simple"].request.credentials == "same-origin"
    assert rows["xhr-ok"].request.credentials == "same-origin"
    # a connection refused: a hop with no answer but the network error
    refused = rows["refused"]
    assert refused.hops[0].response is None
    assert refused.hops[0].network_error is not None
    assert refused.hops[0].network_error.code == "net::ERR_CONNECTION_REFUSED"
    assert refused.browser.net_error == "net::ERR_CONNECTION_REFUSED"
    # stopped by its preflight: the actual request never went out
    strict = rows["strict/1"]
    assert strict.preflight is not None
    assert strict.hops == ()
    # a preflight redirected: its 302 kept, not a network error
    moved_put = rows["moved-put"]
    assert moved_put.preflight is not None
    assert moved_put.preflight.response is not None
    assert moved_put.preflight.response.status == 302
    assert moved_put.preflight.network_error is None


@pytest.mark.parametrize("name", RECORDINGS)
@pytest.mark.parametrize("reorder", [extra_info_late, extra_info_early, reports_late])
def test_the_order_events_arrive_in_does_not_matter(name: str, reorder: Any) -> None:
    _, events = load(name)
    shuffled = reorder(events)
    assert shuffled != events
    assert sorted(map(json.dumps, shuffled)) == sorted(map(json.dumps, events))
    assert reduce(shuffled).requests() == reduce(events).requests()


@pytest.mark.parametrize("name", MAIN)
def test_without_the_instrumentation_a_cookie_means_credentials(name: str) -> None:
    _, events = load(name)
    bare = [e for e in events if e[0] != "Runtime.bindingCalled"]
    rows = {row.request.url.rsplit("/", 1)[-1]: row for row in api_rows(reduce(bare))}
    # /login sets the cookie; /me and /wildcard carry it
    assert rows["login"].request.credentials == "same-origin"
    assert rows["me"].request.credentials == "include"
    assert rows["wildcard"].request.credentials == "include"
    assert rows["simple"].request.credentials == "same-origin"


def test_feed_returns_the_rows_it_changed() -> None:
    _, events = load("chromium156_main.jsonl")
    session = Session()
    reducer = CdpReducer(session)
    changed_ids: list[str] = []
    for method, params in events:
        changed = reducer.feed(method, params)
        assert all(session.get(row.id) is row for row in changed)
        changed_ids += [row.id for row in changed]
    assert set(changed_ids) == {row.id for row in session.requests()}
    assert reducer.feed("Network.dataReceived", {"requestId": "x"}) == []
    assert reducer.feed("Some.unknownEvent", {}) == []
    assert reducer.feed("Runtime.bindingCalled", {"name": BINDING, "payload": "not json"}) == []


def test_a_new_page_load_keeps_the_earlier_rows() -> None:
    first_meta, first = load("chromium156_main.jsonl")
    second_meta, second = load("chromium156_allowed.jsonl")
    session = reduce(first + second)
    assert [load.url for load in session.loads] == [first_meta["page"], second_meta["page"]]
    rows = session.requests()
    assert len(api_rows(session)) == len(first_meta["expected"]) + len(second_meta["expected"])
    assert {row.load for row in rows if row.request.url.startswith(first_meta["front"])} >= {0}
    later = [row for row in rows if row.seq > len(first_meta["expected"])]
    assert later[0].resource == "Document"
    assert {row.load for row in later} == {1}


def test_the_cap_holds_on_a_real_stream() -> None:
    _, events = load("chromium156_main.jsonl")
    session = reduce(events, cap=5)
    assert len(session) == 5
    assert session.dropped == len(reduce(events).requests()) - 5
    assert [row.request.url.rsplit("/", 1)[-1] for row in session.requests()][-1] == "same.json"


def test_the_commands_install_the_binding_before_the_page_runs() -> None:
    methods = [method for method, _ in COMMANDS]
    assert methods.index("Runtime.addBinding") < methods.index("Runtime.enable")
    assert "Network.enable" in methods
    assert "Audits.enable" in methods
    script = dict(COMMANDS)["Page.addScriptToEvaluateOnNewDocument"]["source"]
    assert BINDING in script


@pytest.mark.browser
@pytest.mark.integration
@pytest.mark.timeout(120)
def test_a_fresh_recording_from_chromium_matches_the_page(tmp_path: Path) -> None:
    """The recorder against the installed Chromium now: the stored recordings still hold."""
    out = tmp_path / "fresh.jsonl"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "record_cdp_events.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    meta, events = load(out)
    rows = api_rows(reduce(events))
    assert [(r.request.url, r.browser.allowed, r.browser.kind) for r in rows] == [
        (e["url"], e["allowed"], e["kind"]) for e in meta["expected"]
    ]
