"""The Collection tab's results: rows in collection order whatever order the answers come in,
names readable, pass/fail as an icon and a word, a single click opens a result — a real replay
against a real loopback server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon
from pytestqt.qtbot import QtBot

from tests.faultserver import FaultServer
from tests.ui.conftest import next_emission
from ui.mainwindow import MainWindow
from ui.palette import current


def _collection(folder: Path, base_url: str) -> Path:
    """Three items; the first answers last (slowest), the last first."""
    items = [
        {
            "name": f"item-{ms}-ms-with-a-rather-long-descriptive-name",
            "request": {"url": f"{base_url}/slow-ok?ms={ms}", "origin": "https://app.example"},
            "expect": {"allowed": allowed},
        }
        for ms, allowed in ((600, True), (300, False), (0, True))
    ]
    path = folder / "order.json"
    path.write_text(
        json.dumps(
            {
                "format": "cors-collection/1",
                "name": "order",
                "folders": [{"name": "a-folder-with-a-long-name", "items": items}],
            }
        )
    )
    return path


def test_results_come_in_collection_order_with_icon_and_text_and_one_click_opens(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    async def main() -> None:
        async with FaultServer() as server:
            window = MainWindow()
            qtbot.addWidget(window)
            window.resize(1366, 728)
            window.show()
            window.sidebar.setCurrentWidget(window._collection_page)
            panel = window.collection_panel
            panel.open_path(_collection(tmp_path, server.base_url))
            model = panel.model
            names = [f"item-{ms}-ms-with-a-rather-long-descriptive-name" for ms in (600, 300, 0)]
            # the rows are there before any answer: the items' names, waiting
            assert [model.data(model.index(row, 1)) for row in range(3)] == names
            assert model.data(model.index(0, 0)) == "…"
            arrived: list[str] = []
            window.controller.replay_result.connect(lambda result: arrived.append(result.path))
            qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
            (message,) = await next_emission(window.controller.replay_finished)
            assert message == "Done."
            folder = "a-folder-with-a-long-name"
            assert arrived == [f"{folder}/{name}" for name in reversed(names)]  # fastest first
            assert [r.path for r in model.results] == [f"{folder}/{name}" for name in names]
            assert [model.data(model.index(row, 1)) for row in range(3)] == names
            assert [model.data(model.index(row, 0)) for row in range(3)] == [
                "pass",
                "FAIL",
                "pass",
            ]
            icons = [
                model.data(model.index(row, 0), Qt.ItemDataRole.DecorationRole) for row in range(3)
            ]
            assert all(isinstance(icon, QIcon) and not icon.isNull() for icon in icons)
            assert icons[0] is icons[2]
            assert icons[1] is not icons[0]  # fail has its own icon, not only a colour
            # the word in the theme's pass or fail colour (4.5:1 or more: tests/ui/test_contrast)
            colors = current()
            foreground = [
                model.data(model.index(row, 0), Qt.ItemDataRole.ForegroundRole) for row in (0, 1)
            ]
            assert foreground == [QColor(colors.passed), QColor(colors.failed)]
            assert model.data(model.index(1, 1), Qt.ItemDataRole.ForegroundRole) is None
            assert model.data(model.index(0, 6)) == folder
            tip = model.data(model.index(1, 1), Qt.ItemDataRole.ToolTipRole)
            assert tip == f"{folder}/{names[1]}: expected blocked, got allowed (NOT as expected)"
            # the name is readable: its column is as wide as the name, up to half the table
            table = panel.table
            text_width = table.fontMetrics().horizontalAdvance(names[0])
            assert table.columnWidth(1) >= min(text_width, table.viewport().width() // 2)
            assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
            # one click opens a result in the inspector
            opened: list[object] = []
            panel.result_opened.connect(opened.append)
            rect = table.visualRect(model.index(1, 1))
            qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            assert opened == [model.results[1]]
            assert window.editor.url.text() == f"{server.base_url}/slow-ok?ms=300"
            assert panel.summary.text() == "2 of 3 as expected. Done."
            await window.controller.aclose()

    loop.run_until_complete(main())
