"""The exchanges' response side in the real window, against real loopback servers: each
actual response header readable by script or hidden, with why; the body; the timings; the
CORS pair's request side not greyed, plumbing muted."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from pytestqt.qtbot import QtBot

from tests.ui.test_mainwindow import inspected
from ui.models import Roles


def test_the_actual_response_says_which_headers_script_may_read_and_why(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "expose-headers") as (window, _):
            view = window.actual_view
            model = view.response_model
            assert model.columnCount() == 3
            assert model.headerData(2, Qt.Orientation.Horizontal) == "Script"
            marks = {
                model.data(model.index(row, 0)): (
                    model.data(model.index(row, 2)),
                    model.data(model.index(row, 2), Qt.ItemDataRole.ToolTipRole),
                )
                for row in range(model.rowCount())
            }
            assert marks["X-Total-Count"] == (
                "✓ readable by script",
                "X-Total-Count: readable by script — listed in Access-Control-Expose-Headers",
            )
            shown, why = marks["X-Internal"]
            assert shown == "✗ hidden from script"
            assert "not listed in Access-Control-Expose-Headers" in why
            assert marks["Content-Type"][1].endswith("a CORS-safelisted response header")
            # the status line carries the timings; the body is one click away
            assert view.status_line.text().startswith("HTTP/1.1 200")
            assert " ms" in view.status_line.text()
            button = view.response.body_button
            assert button.isEnabled()
            assert button.text() == "Body (2 B)"
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            assert view.response.body.isVisible()
            assert not view.response_table.isVisible()
            assert view.response.body.toPlainText() == "[]"
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            assert view.response_table.isVisible()
            # no preflight: one line, no tables
            assert window.preflight_view.collapsed
            assert not window.preflight_view.request_table.isVisible()
            assert window.preflight_view.request_line.text() == "No preflight: a simple request."

    loop.run_until_complete(main())


def test_the_browsers_cors_headers_are_not_greyed_and_plumbing_is_muted(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "method-not-allowed") as (window, _):
            view = window.preflight_view
            model = view.request_model
            rows = {model.data(model.index(r, 0)): r for r in range(model.rowCount())}
            for name in ("Origin", "Access-Control-Request-Method"):
                foreground = model.data(model.index(rows[name], 0), Qt.ItemDataRole.ForegroundRole)
                culprit = model.data(model.index(rows[name], 0), Roles.Culprit)
                # the asked side is highlighted as the culprit; Origin is plain text
                assert culprit is (name == "Access-Control-Request-Method")
                if not culprit:
                    assert foreground is None, name
            muted = model.data(model.index(rows["Host"], 0), Qt.ItemDataRole.ForegroundRole)
            assert isinstance(muted, QBrush)
            assert view.pair_line.full_text() == "asked: DELETE   ↔   allowed: GET, POST"
            assert view.pair_line.toolTip() == (
                "asked Access-Control-Request-Method: DELETE   ↔   "
                "Access-Control-Allow-Methods: GET, POST"
            )
            tip = model.data(
                model.index(rows["Access-Control-Request-Method"], 0), Qt.ItemDataRole.ToolTipRole
            )
            assert "the request asked this" in tip
            # the preflight's response has no Script column: script never reads it
            assert view.response_model.columnCount() == 2

    loop.run_until_complete(main())


def test_the_browsers_plumbing_folds_away_and_comes_back_on_demand(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "custom-header-not-allowed") as (window, _):
            view = window.preflight_view
            model, table = view.request_model, view.request_table
            names = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
            hidden = [names[r] for r in range(len(names)) if table.isRowHidden(r)]
            assert "Host" in hidden
            assert "Connection" in hidden
            for name in (
                "Origin",
                "Access-Control-Request-Headers",
                "Access-Control-Request-Method",
            ):
                assert name not in hidden, name
            assert view.show_all.isVisible()
            assert view.show_all.text() == f"+{len(hidden)}"
            qtbot.mouseClick(view.show_all, Qt.MouseButton.LeftButton)
            assert not any(table.isRowHidden(r) for r in range(len(names)))
            assert view.show_all.text() == "fold"
            qtbot.mouseClick(view.show_all, Qt.MouseButton.LeftButton)
            assert [names[r] for r in range(len(names)) if table.isRowHidden(r)] == hidden

    loop.run_until_complete(main())
