"""The Watch pane in the real window, offscreen: the real embedded Chromium watches the test
app (tests/watchapp.py) and its requests stream into the list, judged beside the browser."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from corsinspector.app.watching import WATCH_CAP, scenario_file_name
from corsinspector.formats.collection import (
    Collection,
    Expectation,
    load_collection,
    save_collection,
)
from corsinspector.origins import serialize_origin
from corsinspector.watch.capture import Session, Watched
from tests.app.test_watching import FRONT, in_flight, watched
from tests.commandline import main_py
from tests.watchapp import WatchApp
from ui.controller import InspectorController
from ui.mainwindow import MainWindow
from ui.watch_pane import WatchPane


async def until(test: Callable[[], bool], seconds: float = 60.0) -> None:
    """Wait, with the Qt loop running, until ``test()`` holds."""
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def listed(pane: WatchPane) -> list[Watched]:
    """Every request row the list shows, in order, as the model gives them."""
    model = pane.model
    rows = []
    for group in range(model.rowCount()):
        parent = model.index(group, 0)
        for row in range(model.rowCount(parent)):
            watched = model.watched_at(model.index(row, 0, parent))
            assert watched is not None
            rows.append(watched)
    return rows


def cells(pane: WatchPane, watched: Watched) -> list[str]:
    model = pane.model
    index = model.index_of(watched.id)
    return [str(model.data(index.siblingAtColumn(c))) for c in range(model.columnCount())]


@pytest.mark.browser
@pytest.mark.integration
def test_a_watched_page_streams_its_requests_judged_beside_chromium(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def main() -> None:
        async with WatchApp() as app:
            window = MainWindow(InspectorController(quiet_browser=False))
            qtbot.addWidget(window)
            window.show()
            assert window._watch_pane is None  # not part of the first paint
            window.sidebar.setCurrentWidget(window._watch_page)
            pane = window.watch_pane
            await until(pane.isVisible, 5)
            try:
                await _watch_and_check(window, pane, app, tmp_path, monkeypatch)
            finally:
                pane.stop_watching()
                await window.controller.aclose()
            assert not pane.runner.running
            assert pane.model.rowCount() > 0  # the rows stay after Stop

    loop.run_until_complete(main())


async def _watch_and_check(
    window: MainWindow,
    pane: WatchPane,
    app: WatchApp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    front = serialize_origin(app.front_origin)
    cross = [e for e in app.expected if serialize_origin(e.url) != front]
    same = [e for e in app.expected if serialize_origin(e.url) == front]
    assert cross
    assert same
    pane.url.setText(app.page_url)
    pane.start.click()

    def shown() -> set[tuple[str, str]]:
        return {(w.request.method, w.request.url) for w in listed(pane) if w.done}

    # rows stream in, each with the browser's verdict: the cross-origin ones only
    await until(lambda: {(e.method, e.url) for e in cross} <= shown())
    await until(lambda: all("…" not in "".join(cells(pane, w)[4:]) for w in listed(pane)))
    assert pane.runner.running
    assert pane.page_window.isVisible()
    assert pane.page_window.view is not None
    assert all(w.cross_origin for w in listed(pane))
    assert not {(e.method, e.url) for e in same} & shown()
    group = pane.model.index(0, 0)
    assert str(pane.model.data(group)).startswith(f"Page load 1: {app.page_url}")
    for expected in cross:
        watched = next(w for w in listed(pane) if w.request.url == expected.url)
        row = cells(pane, watched)
        assert row[4].startswith("✓ allowed" if expected.allowed else "✗ ")
        if expected.kind is not None:
            assert row[4] == f"✗ {expected.kind}"
        elif not expected.allowed:
            assert row[4].startswith("✗ net::ERR_")
        assert row[5] == "agrees", row  # the engine agrees with Chromium
    assert "disagree" not in pane.count.text()

    # "All requests": the same-origin ones too
    pane.everything.setChecked(True)
    await until(lambda: {(e.method, e.url) for e in same} <= shown())
    pane.everything.setChecked(False)

    # a blocked row in the inspector: the culprit, our headline, Chromium's verdict beside
    strict = next(e for e in cross if e.kind == "HeaderDisallowedByPreflightResponse")
    watched = next(w for w in listed(pane) if w.request.url == strict.url)
    assert pane.select(watched.id)
    assert window.banner.state == "blocked"
    assert "`x-request-id`" in window.banner.title.text()
    assert window.banner.real.isVisible()
    real = window.banner.real.text()
    assert "HeaderDisallowedByPreflightResponse" in real
    assert "agrees with the engine" in real
    culprit = window.preflight_view.response_model.culprit_row()
    assert culprit is not None
    assert window.editor.url.text() == strict.url
    assert window.tabs.tabData(window.tabs.currentIndex()) == "watch"
    tabs = window.tabs.count()

    # Save as scenario: `simulate` reaches the same verdict from the file
    path = tmp_path / "strict.json"
    asked: list[str] = []

    def choose(_parent: object, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    pane.buttons["save_scenario"].click()
    assert asked == [scenario_file_name(watched)]
    assert pane.status.text().startswith(f"Saved {path}")
    assert json.loads(path.read_text("utf-8"))["format"] == "cors-scenario/1"
    done = await asyncio.to_thread(main_py, "simulate", str(path), "--json")
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["allowed"] is False
    assert verdict["error"]["kind"] == strict.kind

    # What-if works on it: the watched verdict judged again offline
    pane.buttons["what_if"].click()
    assert window.what_if.isChecked()
    assert window.banner.state.startswith("whatif")
    judged = window.tabs.judged()
    assert judged is not None
    assert judged[0].url == strict.url
    window.what_if.setChecked(False)
    assert window.banner.state == "blocked"

    # Save to collection: into the open collection's Watched folder, expecting Chromium's verdict
    collection = tmp_path / "api.json"
    save_collection(collection, Collection("api", ()))
    window.collection_panel.open_path(collection)
    window._watch_actions.save_to_collection(watched, "strict put")
    ((where, item),) = load_collection(collection).items()
    assert where == "Watched/strict put"
    assert item.expect == Expectation(False, strict.kind)
    assert "Saved 'strict put' into api.json" in pane.status.text()

    # Edit and re-send: a new request tab holding the request
    pane.buttons["edit_resend"].click()
    assert window.tabs.count() == tabs + 1
    assert window.tabs.tabData(window.tabs.currentIndex()) != "watch"
    request = window.editor.request()
    assert (request.method, request.url) == (strict.method, strict.url)
    assert request.origin == front
    assert ("X-Request-Id", "42") in request.headers

    # the filter finds rows (the list keeps streaming meanwhile)
    pane.filter.setText("MissingAllowOrigin")
    await until(lambda: pane.model.list.text == "MissingAllowOrigin")
    found = listed(pane)
    missing = {e.url for e in cross if e.kind == "MissingAllowOriginHeader"}
    assert {w.request.url for w in found} == missing
    pane.filter.setText("/xhr-ok")
    await until(lambda: [w.request.url for w in listed(pane)] == [f"{app.api_origin}/xhr-ok"])
    pane.filter.clear()
    await until(lambda: len(listed(pane)) >= len(cross))

    # the page navigates: the earlier rows stay, the new load is its own group
    pane.url.setText(app.allowed_page_url)
    pane.start.click()
    await until(lambda: pane.model.rowCount() == 2 and pane.model.rowCount(_group(pane, 1)) >= 3)
    assert str(pane.model.data(_group(pane, 1))).startswith(f"Page load 2: {app.allowed_page_url}")
    assert pane.model.rowCount(_group(pane, 0)) >= len(cross)


def _group(pane: WatchPane, index: int) -> QModelIndex:
    return pane.model.index(index, 0)


def _fed_pane(qtbot: QtBot, cap: int) -> tuple[WatchPane, Session]:
    """A real pane on a session the test feeds, as a watcher would (no browser)."""
    from corsinspector.app.tasks import TaskSet

    pane = WatchPane(TaskSet())
    qtbot.addWidget(pane)
    pane.resize(640, 600)
    pane.show()
    session = Session(cap=cap)
    session.start_load(FRONT + "/", 1e9)
    pane.runner.session_started.emit(session)
    return pane, session


def _feed(pane: WatchPane, session: Session, burst: int, size: int) -> float:
    """A burst of ``size`` new rows in flight, half of them finished, through the runner's
    own batching; how long the list took to take it."""
    rows = [in_flight(watched(burst * size + i, allow=i % 5 != 0)) for i in range(size)]
    finished = [watched(r.seq, allow=r.seq % 5 != 0) for r in rows[: size // 2]]
    for row in (*rows, *finished):
        session.put(row)
    started = time.perf_counter()
    pane.runner._changed([*rows, *finished])
    pane.runner.flush()
    return time.perf_counter() - started


def test_the_live_list_is_a_well_behaved_qt_model_through_bursts_filters_and_the_cap(
    qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    pane, session = _fed_pane(qtbot, cap=300)
    qtmodeltester.check(pane.model)  # Qt's tester checks every change from here on
    for burst in range(6):
        _feed(pane, session, burst, 100)
        if burst == 2:
            pane.everything.setChecked(True)
            pane.filter.setText("missing")
            qtbot.waitUntil(lambda: pane.model.list.text == "missing")
    assert session.dropped == 300
    assert len(pane.model.list) == len(session.find("missing", everything=True))
    pane.filter.clear()
    qtbot.waitUntil(lambda: len(pane.model.list) == 300)


def test_the_live_list_takes_10000_rows_in_bursts_and_stays_quick(qtbot: QtBot) -> None:
    """12,000 rows in bursts of 400 (half finishing in the same burst): the list capped at
    10,000, the oldest dropped first, each burst applied quickly, the filter too."""
    pane, session = _fed_pane(qtbot, cap=WATCH_CAP)
    slowest = max(_feed(pane, session, burst, 400) for burst in range(30))
    group = pane.model.index(0, 0)
    assert pane.model.rowCount(group) == WATCH_CAP
    assert session.dropped == 2000
    assert pane.count.text() == (
        "10,000 cross-origin requests shown of 10,000 kept; "
        "2,000 oldest dropped (the list keeps 10,000)"
    )
    first = pane.model.watched_at(pane.model.index(0, 0, group))
    assert first is not None
    assert first.seq == 2000  # the oldest went first
    assert slowest < 0.5, f"a burst took {slowest:.3f} s"  # ~10 ms here; 2 shared cores
    started = time.perf_counter()
    pane.filter.setText("MissingAllowOrigin")
    qtbot.waitUntil(lambda: pane.model.list.text == "MissingAllowOrigin")
    took = time.perf_counter() - started
    assert pane.model.rowCount(pane.model.index(0, 0)) == 1000  # the finished blocked ones
    assert took < 3.0, f"filtering 10,000 rows took {took:.3f} s"


def test_a_disagreement_is_flagged_loudly_in_the_list_and_beside_the_verdict(
    qtbot: QtBot,
) -> None:
    """A row the engine judges otherwise than the browser did (fed as a watcher would):
    bold in the culprit's colours, counted under the list, and said in the banner."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor

    from corsinspector.app.colors import theme
    from corsinspector.watch.capture import BrowserSays

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    pane = window.watch_pane
    session = Session()
    session.start_load(FRONT + "/", 1e9)
    pane.runner.session_started.emit(session)
    agreeing = watched(0, allow=False)
    wrong = watched(1, allow=False, says=BrowserSays(True))  # the browser let it through
    for row in (agreeing, wrong):
        session.put(row)
    pane.runner._changed([agreeing, wrong])
    pane.runner.flush()
    index = pane.model.index_of(wrong.id)
    colors = theme(False)  # the tests' palette is the light one
    assert pane.model.data(index, Qt.ItemDataRole.FontRole).bold()
    assert pane.model.data(index, Qt.ItemDataRole.BackgroundRole) == QColor(colors.culprit[0])
    assert not pane.model.data(pane.model.index_of(agreeing.id), Qt.ItemDataRole.FontRole)
    assert cells(pane, wrong)[5] == "≠ blocked: MissingAllowOriginHeader"
    assert pane.count.text().endswith("1 disagreement with the browser")
    assert pane.select(wrong.id)
    real = window.banner.real
    assert "DISAGREES: the engine says blocked: MissingAllowOriginHeader" in real.text()
    assert colors.failed in real.styleSheet()
    assert window.banner.state == "blocked"  # our verdict, with the browser's beside it


@pytest.mark.integration
def test_no_browser_at_the_address_given_is_said_in_a_line(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    """Attaching to a browser that is not listening: one clear line, the watch over."""
    import socket

    async def main() -> None:
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]  # bound, never listening: refused
            window = MainWindow()
            qtbot.addWidget(window)
            window.show()
            pane = window.watch_pane
            pane.browser.setCurrentIndex(pane.browser.findData("cdp"))
            assert pane.address.isVisibleTo(pane)
            pane.url.setText("http://127.0.0.1:9/")
            pane.start.click()
            assert "host:port" in pane.status.text()  # no address yet: said, nothing started
            pane.address.setText(f"127.0.0.1:{port}")
            pane.start.click()
            try:
                await until(lambda: f":{port}" in pane.status.text() and not _busy(pane), 30)
            finally:
                await window.controller.aclose()
            text = pane.status.text()
            assert "\n" not in text
            assert "Traceback" not in text
            assert "Internal error" not in window.banner.message.text()
            assert f"127.0.0.1:{port}" in text
            assert not pane.runner.running
            assert not pane.stop.isEnabled()

    loop.run_until_complete(main())


def _busy(pane: WatchPane) -> bool:
    return pane.status.text().startswith(("Starting", "Loading"))
