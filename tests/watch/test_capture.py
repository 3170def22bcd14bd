"""The capture model: a session keeps rows in start order, replaces by id, caps them (the
oldest dropped and counted, memory bounded), filters them, and caches our verdict per row
version."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corsinspector.model import Request, Response, SentRequest
from corsinspector.watch.capture import BrowserSays, Hop, Session, Watched

PAGE = "http://localhost:8000"
API = "http://127.0.0.1:9000"


def _row(
    seq: int,
    url: str = f"{API}/data",
    *,
    method: str = "GET",
    acao: str | None = PAGE,
    origin: str = PAGE,
) -> Watched:
    headers = (("Access-Control-Allow-Origin", acao),) if acao else ()
    hop = Hop(SentRequest(method, url, (("Origin", origin),)), Response(200, headers))
    allowed = acao is not None or not url.startswith(API)
    browser = BrowserSays(allowed, None if allowed else "MissingAllowOriginHeader")
    return Watched(
        id=f"r{seq}",
        seq=seq,
        load=0,
        resource="Fetch",
        request=Request(url, method, origin),
        preflight=None,
        hops=(hop,),
        browser=browser,
        started=1000.0 + seq,
        done=True,
    )


def test_rows_stay_in_start_order_and_a_put_replaces_by_id() -> None:
    session = Session()
    for seq in range(3):
        session.put(_row(seq))
    later = replace(_row(1), done=False)
    session.put(later)
    assert [w.id for w in session.requests()] == ["r0", "r1", "r2"]
    assert session.get("r1") is later
    assert session.get("nope") is None
    assert len(session) == 3


def test_the_cap_drops_the_oldest_and_counts_them() -> None:
    session = Session(cap=5000)
    for seq in range(10_000):
        session.put(_row(seq))
    rows = session.requests()
    assert len(rows) == 5000
    assert session.dropped == 5000
    assert rows[0].seq == 5000
    assert rows[-1].seq == 9999
    assert session.get("r4999") is None
    # the verdict cache is bounded by the rows too
    for row in rows[:10]:
        session.verdict(row)
    session.put(_row(10_000))
    assert len(session._verdicts) <= len(session)


def test_a_cap_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Session(cap=0)


def test_page_loads_are_numbered() -> None:
    session = Session()
    first = session.start_load(f"{PAGE}/", 1.0)
    second = session.start_load(f"{PAGE}/other", 2.0)
    assert (first.index, second.index) == (0, 1)
    assert session.loads == [first, second]


def test_cross_origin_compares_serialized_origins() -> None:
    assert _row(0).cross_origin
    assert not _row(0, f"{PAGE}/same").cross_origin
    # the same origin spelled differently (default port, case) is the same origin
    assert not _row(0, "HTTP://LOCALHOST:8000/x", origin="http://localhost:8000").cross_origin
    assert _row(0, f"{PAGE}/x", origin="null").cross_origin
    assert not _row(0, "data:text/plain,hi").cross_origin


def test_find_filters_cross_origin_rows_by_text() -> None:
    session = Session()
    session.put(_row(0))
    session.put(_row(1, f"{PAGE}/same"))
    session.put(_row(2, f"{API}/blocked", acao=None, method="POST"))
    assert [w.id for w in session.find()] == ["r0", "r2"]
    assert [w.id for w in session.find(everything=True)] == ["r0", "r1", "r2"]
    assert [w.id for w in session.find("post")] == ["r2"]
    assert [w.id for w in session.find("BLOCKED")] == ["r2"]
    assert [w.id for w in session.find("localhost:8000")] == ["r0", "r2"]
    assert [w.id for w in session.find("missingallow")] == ["r2"]
    assert session.find("same") == []
    assert [w.id for w in session.find("same", everything=True)] == ["r1"]


def test_find_matches_our_verdict_kind_when_the_browser_named_none() -> None:
    session = Session()
    row = replace(_row(0, f"{API}/x", acao=None), browser=BrowserSays(None))
    session.put(row)
    assert session.find("MissingAllowOriginHeader") == [row]


def test_the_verdict_is_the_engines_and_is_cached_per_row_version() -> None:
    session = Session()
    row = _row(0, acao=None)
    session.put(row)
    first = session.verdict(row)
    assert not first.allowed
    assert first.error is not None
    assert first.error.kind == "MissingAllowOriginHeader"
    assert session.verdict(row) is first
    fixed = replace(
        row,
        hops=(
            replace(row.hops[0], response=Response(200, (("Access-Control-Allow-Origin", "*"),))),
        ),
    )
    session.put(fixed)
    again = session.verdict(fixed)
    assert again is not first
    assert again.allowed
    assert session.verdict(fixed) is again
