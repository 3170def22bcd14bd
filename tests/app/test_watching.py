"""The Watch pane's logic without Qt (corsinspector/app/watching.py and watchlist.py): the live
list grouped by page load, kept up to date by changes a model applies one by one; each row's
words with the browser's verdict beside ours; the browser choice; a watched request saved as a
scenario and as a collection item, both read back by the real readers."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from corsinspector import judge, load_scenario
from corsinspector.app.watching import (
    browser_choice,
    comparison_line,
    count_line,
    save_scenario,
    save_to_collection,
    scenario_file_name,
    watch_row,
)
from corsinspector.app.watchlist import Change, WatchList
from corsinspector.errors import InputError
from corsinspector.formats.collection import Collection, load_collection, save_collection
from corsinspector.model import Request, Response, SentRequest
from corsinspector.watch.capture import BrowserSays, Hop, Session, Watched

FRONT = "http://127.0.0.1:8001"
API = "http://127.0.0.1:8002"
ALLOW = (("Access-Control-Allow-Origin", FRONT),)
MISSING = "MissingAllowOriginHeader"


def watched(
    seq: int,
    *,
    load: int = 0,
    path: str = "/items",
    allow: bool = True,
    says: BrowserSays | None = None,
    same_origin: bool = False,
) -> Watched:
    """A GET the page at FRONT made, as a capture holds it: its hop, its answer (with or
    without Access-Control-Allow-Origin), and the browser's own verdict on it."""
    url = (FRONT if same_origin else API) + path
    request = Request(url, "GET", FRONT, credentials="same-origin")
    sent = SentRequest("GET", url, (("Host", url.split("/")[2]), ("Origin", FRONT)))
    hop = Hop(sent, Response(200, ALLOW if allow else ()))
    if says is None:
        says = BrowserSays(True) if allow or same_origin else BrowserSays(False, MISSING)
    return Watched(f"r{seq}", seq, load, "Fetch", request, None, (hop,), says, 1e9 + seq, True)


def in_flight(row: Watched) -> Watched:
    return replace(row, hops=(), browser=BrowserSays(None), done=False)


def apply(rows: WatchList, changed: list[Watched]) -> list[Change]:
    """Apply every change, in turn, checking each names rows that exist when announced (what
    a Qt model's begin/end calls need)."""
    applied = []
    for change in rows.changes(changed):
        if change.kind == "groups":
            assert change.first == len(rows.groups)
        elif change.group < 0:  # page load lines changed
            assert 0 <= change.first <= change.last < len(rows.groups)
        else:
            size = len(rows.groups[change.group].ids)
            if change.kind == "insert":
                assert 0 <= change.first <= size
            else:
                assert 0 <= change.first <= change.last < size
        change.apply()
        if change.kind == "insert":
            ids = rows.groups[change.group].ids[change.first : change.last + 1]
            assert all(rows.session.get(i) is not None for i in ids)
        applied.append(change)
    return applied


def shown(rows: WatchList) -> list[list[str]]:
    return [list(group.ids) for group in rows.groups]


def rebuilt(rows: WatchList) -> list[list[str]]:
    fresh = WatchList(rows.session)
    fresh.rebuild(rows.text, rows.everything)
    return shown(fresh)


def test_a_burst_of_rows_is_one_insert_and_the_list_matches_a_rebuild() -> None:
    session = Session()
    rows = WatchList(session)
    rows.rebuild()
    session.start_load(FRONT + "/", 1e9)
    burst = [watched(seq, allow=seq % 3 != 0) for seq in range(40)]
    burst.append(watched(40, same_origin=True))  # not shown: cross-origin only
    for row in burst:
        session.put(row)
    changes = apply(rows, burst)
    assert [(c.kind, c.first, c.last) for c in changes] == [("groups", 0, 0), ("insert", 0, 39)]
    assert shown(rows) == rebuilt(rows)
    assert "r40" not in shown(rows)[0]
    rows.rebuild(everything=True)
    assert shown(rows)[0][-1] == "r40"


def test_rows_changing_updating_arriving_late_and_a_new_page_load_keep_the_list_exact() -> None:
    session = Session()
    rows = WatchList(session)
    session.start_load(FRONT + "/", 1e9)
    first = [in_flight(watched(seq, allow=seq % 2 == 0)) for seq in range(0, 20, 2)]
    for row in first:
        session.put(row)
    apply(rows, first)
    done = [watched(row.seq, allow=row.seq % 4 == 0) for row in first[:5]]
    late = [watched(seq) for seq in (1, 3, 5)]  # started earlier than rows shown: in between
    session.start_load(FRONT + "/next", 2e9)
    later = [watched(seq, load=1) for seq in range(100, 105)]
    for row in [*done, *late, *later]:
        session.put(row)
    changes = apply(rows, [*done, *late, *later])
    kinds = [c.kind for c in changes]
    assert kinds.count("update") == 1  # the five finished rows: one change
    assert "groups" in kinds
    assert shown(rows) == rebuilt(rows)
    assert shown(rows)[0][:4] == ["r0", "r1", "r2", "r3"]
    assert rows.group_label(1).startswith(f"Page load 2: {FRONT}/next (")
    assert rows.group_label(1).endswith(", 5 requests)")


def test_a_filter_follows_rows_whose_verdict_changes_and_the_cap_drops_the_oldest() -> None:
    session = Session(cap=30)
    rows = WatchList(session)
    session.start_load(FRONT + "/", 1e9)
    rows.rebuild(text="missing")
    randomly = random.Random(14)
    for burst in range(8):
        batch = [in_flight(watched(burst * 10 + i)) for i in range(10)]
        for row in batch:
            session.put(row)
        flying = [r for r in session.requests() if not r.done]
        finished = [  # some finish: blocked ones now match "missing", allowed ones never
            watched(row.seq, allow=randomly.random() < 0.5)
            for row in randomly.sample(flying, min(5, len(flying)))
        ]
        for row in finished:
            session.put(row)
        apply(rows, [*batch, *finished])
        assert shown(rows) == rebuilt(rows)
    assert session.dropped == 50
    assert len(rows) == sum(1 for r in session.find("missing"))
    assert all(session.get(i) is not None for group in shown(rows) for i in group)
    # a row the cap dropped that changes again comes back (the session puts it last): the
    # list keeps it in the order the page started it, and drops what the cap drops now
    again = watched(0, allow=False)
    session.put(again)
    apply(rows, [again])
    assert shown(rows) == rebuilt(rows)
    assert shown(rows)[0][0] == "r0"


def test_each_row_says_the_browsers_verdict_beside_ours_and_a_disagreement_loudly() -> None:
    session = Session()
    blocked = watched(0, allow=False)
    row = watch_row(blocked, session.verdict(blocked))
    assert row.cells == (
        "GET",
        f"{API}/items",
        FRONT,
        "—",
        f"✗ {MISSING}",
        "agrees",
    )
    assert f"The engine: blocked: {MISSING}" in row.tooltip
    assert row.state == "blocked"
    line, agrees = comparison_line(blocked, session.verdict(blocked), "Chromium 140")
    assert line == f"Chromium 140 (watched): blocked: {MISSING} — agrees with the engine"
    assert agrees is True

    wrong = watched(1, allow=False, says=BrowserSays(True))  # the browser let it through
    row = watch_row(wrong, session.verdict(wrong))
    assert row.state == "disagree"
    assert row.cells[4:] == ("✓ allowed", f"≠ blocked: {MISSING}")
    assert "disagree" in row.tooltip
    line, agrees = comparison_line(wrong, session.verdict(wrong))
    assert "DISAGREES" in line
    assert agrees is False

    flying = in_flight(watched(2))
    row = watch_row(flying, None)
    assert (row.state, row.cells[4], row.cells[5]) == ("pending", "in flight…", "…")
    aborted = replace(watched(4), browser=BrowserSays(None, net_error="net::ERR_ABORTED"))
    row = watch_row(aborted, session.verdict(aborted))
    assert (row.state, row.cells[4], row.cells[5]) == (
        "pending",
        "no verdict: net::ERR_ABORTED",
        "—",
    )
    assert comparison_line(aborted, session.verdict(aborted))[1] is None
    refused = watched(3, says=BrowserSays(False, net_error="net::ERR_CONNECTION_REFUSED"))
    assert watch_row(refused, None).cells[4] == "✗ net::ERR_CONNECTION_REFUSED"
    assert "The browser: failed: net::ERR_CONNECTION_REFUSED" in watch_row(refused, None).tooltip
    assert count_line(12, 40, 0, 1, False) == (
        "12 cross-origin requests shown of 40 kept; 1 disagreement with the browser"
    )
    assert count_line(3, 10_000, 250, 0, True) == (
        "3 requests shown of 10,000 kept; 250 oldest dropped (the list keeps 10,000)"
    )


def test_the_browser_choice_is_what_the_watcher_reads() -> None:
    from corsinspector.watch.watcher import parse_browser

    assert browser_choice("embedded") == "embedded"
    assert browser_choice("chrome", "ignored") == "chrome"
    assert str(parse_browser(browser_choice("cdp", " 127.0.0.1:9222 "))) == "cdp=127.0.0.1:9222"
    with pytest.raises(InputError, match="host:port"):
        browser_choice("cdp", "localhost")


def test_a_watched_request_saved_as_a_scenario_and_into_a_collection_reads_back(
    tmp_path: Path,
) -> None:
    session = Session()
    blocked = watched(0, allow=False)
    session.put(blocked)
    path = tmp_path / scenario_file_name(blocked)
    assert path.name == "get-127-0-0-1-8002-items.json"
    save_scenario(blocked, path)
    verdict = judge(load_scenario(path))
    assert not verdict.allowed
    assert verdict.error is not None
    assert verdict.error.kind == MISSING == session.verdict(blocked).error.kind  # type: ignore[union-attr]

    collection_path = tmp_path / "api.json"
    save_collection(collection_path, Collection("api", ()))
    saved = save_to_collection(
        load_collection(collection_path), collection_path, "no cors", blocked, verdict
    )
    assert saved == load_collection(collection_path)
    ((where, item),) = load_collection(collection_path).items()
    assert where == "Watched/no cors"
    assert item.expect is not None
    assert (item.expect.allowed, item.expect.kind) == (False, MISSING)
    assert item.request["url"] == f"{API}/items"
    assert item.request["origin"] == FRONT


def test_rows_heard_of_before_their_page_load_are_named_by_it_once_it_comes() -> None:
    session = Session()
    rows = WatchList(session)
    early = [watched(0), watched(1)]
    for row in early:
        session.put(row)
    apply(rows, early)
    assert rows.group_label(0).startswith("Page load 1: (the page is loading) (")
    session.start_load(FRONT + "/", 1e9)
    later = watched(2)
    session.put(later)
    changes = apply(rows, [later])
    assert ("update", -1) in [(c.kind, c.group) for c in changes]
    assert rows.group_label(0).startswith(f"Page load 1: {FRONT}/ (")
    assert shown(rows) == [["r0", "r1", "r2"]] == rebuilt(rows)
