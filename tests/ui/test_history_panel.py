"""The History tab: timestamps, search, "Blocked only", Clear, a click opens an entry, and an
entry from an earlier demo run is sent to its scenario's server as it runs now."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from corsinspector.app.gallery import GALLERY, DemoServers
from corsinspector.app.history import History
from corsinspector.formats.scenario import load_scenario
from corsinspector.wire.server import ScenarioServer
from tests.ui.conftest import next_emission
from tests.ui.test_mainwindow import inspected
from ui.mainwindow import MainWindow


def _click(qtbot: QtBot, window: MainWindow, row: int) -> None:
    history = window.history_panel.list
    rect = history.visualItemRect(history.item(row))
    qtbot.mouseClick(history.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_entries_have_times_a_search_a_blocked_filter_and_clear(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def main() -> None:
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        window.sidebar.setCurrentIndex(window.sidebar.indexOf(window._history_page))
        async with inspected(qtbot, "simple-get-allowed", window):
            pass
        async with inspected(qtbot, "missing-allow-origin", window) as (_, server):
            blocked_url = f"{server.base_url}/items"
        panel = window.history_panel
        texts = [panel.list.item(row).text() for row in range(panel.list.count())]
        assert len(texts) == 2
        assert re.match(r"\d\d:\d\d:\d\d  GET http://127\.0\.0\.1:\d+/", texts[0])
        assert texts[0].endswith("blocked: MissingAllowOriginHeader")  # newest first
        assert texts[1].splitlines()[1] == "allowed"
        qtbot.mouseClick(panel.blocked_only, Qt.MouseButton.LeftButton)
        assert [e.outcome for e in panel.entries] == ["blocked: MissingAllowOriginHeader"]
        assert panel.list.count() == 1
        qtbot.mouseClick(panel.blocked_only, Qt.MouseButton.LeftButton)
        assert panel.list.count() == 2
        qtbot.keyClicks(panel.search, "MISSINGallow")  # searched as typed, any case
        qtbot.waitUntil(lambda: panel.list.count() == 1)
        assert panel.entries[0].request.url == blocked_url
        panel.search.clear()
        qtbot.waitUntil(lambda: panel.list.count() == 2)
        _click(qtbot, window, 1)  # one click opens the allowed one, with its verdict
        assert window.banner.state == "allowed"
        _click(qtbot, window, 0)
        assert window.editor.url.text() == blocked_url
        assert window.banner.state == "blocked"
        # Clear asks first: Cancel keeps everything, Yes forgets it
        answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
        monkeypatch.setattr(QMessageBox, "question", lambda *_args: answers.pop(0))
        qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
        assert panel.list.count() == 2
        qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
        assert panel.list.count() == 0
        assert panel.store is not None
        assert len(panel.store) == 0
        await window.controller.aclose()

    loop.run_until_complete(main())


def test_an_entry_from_an_earlier_demo_run_is_sent_to_its_scenario_again(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    database = tmp_path / "history.sqlite3"
    scenario = load_scenario(GALLERY / "method-not-allowed.json")

    async def main() -> None:
        async with ScenarioServer(scenario) as gone:  # an earlier run's demo server
            old = gone.wire_request()
        with History(database) as history:
            from corsinspector import judge

            history.add(old, judge(scenario), "method-not-allowed", at=time.time() - 86400 * 3)
        demo = DemoServers()
        await demo.start()
        try:
            with History(database) as history:
                window = MainWindow(history=history)
                qtbot.addWidget(window)
                window.show()
                window.set_demo(demo)
                panel = window.history_panel
                assert panel.list.count() == 1
                text = panel.list.item(0).text()
                # another day: the date (and the year, early in January)
                assert re.match(r"(\d\d \w{3}|\d{4}-\d\d-\d\d) \d\d:\d\d  DELETE ", text)
                assert text.endswith("blocked: MethodDisallowedByPreflightResponse")
                tip = panel.list.item(0).toolTip()
                assert "Demo scenario: method-not-allowed" in tip
                _click(qtbot, window, 0)
                item = demo.find("method-not-allowed")
                assert item is not None
                assert window.editor.url.text() == item.request.url  # today's port
                assert window.editor.url.text() != old.url
                assert window.editor.method.currentText() == "DELETE"
                window.editor.send_requested.emit()
                (verdict,) = await next_emission(window.verdict_shown)
                assert verdict.error is not None
                assert verdict.error.kind == "MethodDisallowedByPreflightResponse"
                assert panel.entries[0].scenario == "method-not-allowed"  # kept again
                await window.controller.aclose()
        finally:
            await demo.close()

    loop.run_until_complete(main())
