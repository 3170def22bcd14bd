"""History: a capped, searchable SQLite log of inspections, on real files."""

from __future__ import annotations

from pathlib import Path

from corsinspector.app.gallery import GALLERY
from corsinspector.app.history import History
from corsinspector.engine.judge import judge
from corsinspector.formats.scenario import load_scenario


def test_inspections_are_kept_newest_first_searchable_and_capped(tmp_path: Path) -> None:
    paths = sorted(GALLERY.glob("*.json"))[:5]
    with History(tmp_path / "history.sqlite3", cap=3) as history:
        for path in paths:
            scenario = load_scenario(path)
            history.add(scenario.request, judge(scenario))
        assert len(history) == 3
        entries = history.search()
        assert [e.request for e in entries] == [
            load_scenario(p).request for p in reversed(paths[2:])
        ]
        blocked = history.search("MissingAllowOriginHeader")
        assert all("MissingAllowOriginHeader" in e.outcome for e in blocked)
        assert entries[0].verdict["format"] == "cors-verdict/1"
    with History(tmp_path / "history.sqlite3", cap=3) as again:  # survives a restart
        assert len(again) == 3


def test_search_filters_blocked_only_and_clear(tmp_path: Path) -> None:
    allowed = load_scenario(GALLERY / "simple-get-allowed.json")
    blocked = load_scenario(GALLERY / "missing-allow-origin.json")
    with History(tmp_path / "history.sqlite3") as history:
        history.add(allowed.request, judge(allowed))
        history.add(blocked.request, judge(blocked), scenario="missing-allow-origin")
        assert [e.outcome for e in history.search(blocked_only=True)] == [
            "blocked: MissingAllowOriginHeader"
        ]
        assert len(history.search()) == 2
        assert [e.scenario for e in history.search("missing-allow")] == ["missing-allow-origin"]
        assert len(history.search("missingallow")) == 1  # any case
        assert history.search("%") == []  # LIKE's wildcards are literal
        assert history.search(blocked_only=True)[0].blocked
        history.clear()
        assert len(history) == 0
        assert history.search() == []


def test_a_database_from_before_scenarios_gains_the_column(tmp_path: Path) -> None:
    import sqlite3

    database = tmp_path / "old.sqlite3"
    old = sqlite3.connect(database)
    old.executescript(
        "CREATE TABLE entries (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, "
        "method TEXT NOT NULL, url TEXT NOT NULL, origin TEXT NOT NULL, outcome TEXT NOT NULL, "
        "request TEXT NOT NULL, verdict TEXT NOT NULL);"
    )
    old.close()
    scenario = load_scenario(GALLERY / "missing-allow-origin.json")
    with History(database) as history:
        history.add(scenario.request, judge(scenario), scenario="missing-allow-origin")
        assert history.search()[0].scenario == "missing-allow-origin"


def test_an_entry_reads_with_its_time_and_goes_back_to_its_demo_scenario() -> None:
    import time

    from corsinspector.app.history import (
        HistoryEntry,
        demo_scenario,
        entry_text,
        entry_tooltip,
        rebased,
        when,
    )
    from corsinspector.model import Request

    now = time.mktime((2026, 12, 6, 15, 0, 0, 0, 0, -1))
    assert when(now - 60, now) == "14:59:00"
    assert when(time.mktime((2026, 3, 1, 9, 5, 0, 0, 0, -1)), now) == "01 Mar 09:05"
    assert when(time.mktime((2025, 3, 1, 9, 5, 0, 0, 0, -1)), now) == "2025-03-01 09:05"
    request = Request("http://127.0.0.1:40001/items?x=1", "PUT")
    entry = HistoryEntry(1, now - 60, request, "blocked: Kind", {}, "put-not-allowed")
    assert entry_text(entry, now) == "14:59:00  PUT http://127.0.0.1:40001/items?x=1\nblocked: Kind"
    assert entry_tooltip(entry, now).splitlines()[2:] == [
        "Origin: https://app.example.test",
        "Demo scenario: put-not-allowed (sent to its server as it runs now)",
    ]
    demo = {"a": "http://127.0.0.1:5000/items", "put-not-allowed": "http://127.0.0.1:40001/"}
    assert demo_scenario(request.url, demo) == "put-not-allowed"
    assert demo_scenario("http://127.0.0.1:9/items", demo) is None
    moved = rebased(request, "http://127.0.0.1:50002/items")
    assert moved.url == "http://127.0.0.1:50002/items?x=1"
    assert moved.method == "PUT"
    assert rebased(request, "http://127.0.0.1:40001/other") is request


def test_add_many_keeps_a_flush_in_one_go_and_the_cap_holds(tmp_path: Path) -> None:
    scenario = load_scenario(GALLERY / "missing-allow-origin.json")
    verdict = judge(scenario)
    with History(tmp_path / "history.sqlite3", cap=4) as history:
        entries = history.add_many([(scenario.request, verdict, None)] * 3)
        assert [e.id for e in entries] == sorted(e.id for e in entries)
        assert entries[0].verdict["format"] == "cors-verdict/1"
        history.add_many([(scenario.request, verdict, "missing-allow-origin")] * 3)
        assert len(history) == 4
        assert [e.scenario for e in history.search()][:3] == ["missing-allow-origin"] * 3
    session = History.in_memory()
    (entry,) = session.add_many([(scenario.request, verdict, None)])
    assert entry.verdict == {}  # the window holds this session's verdicts
    assert session.search()[0].outcome == "blocked: MissingAllowOriginHeader"
    session.close()
