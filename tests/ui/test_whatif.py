"""What-if in the real window, against real loopback servers: visibly a what-if (its own
banner state, colour and label), edited cells marked with the received value as tooltip,
status codes and header lines edited, Reset; nothing is ever sent."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from corsinspector.app.whatif import WHAT_IF_LABEL
from tests.ui.conftest import next_emission
from tests.ui.test_mainwindow import inspected
from ui.mainwindow import MainWindow
from ui.models import EDIT_MARK, Roles


def _banner_background(window: MainWindow) -> QColor:
    window.banner.repaint()
    image = window.banner.grab().toImage()
    return image.pixelColor(image.width() // 2, image.height() - 4)


def test_the_what_if_banner_differs_from_live_allowed_and_blocked(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "simple-get-allowed") as (window, _):
            assert window.banner.state == "allowed"
            live_allowed = _banner_background(window)
            live_allowed_title = window.banner.title.text()
        async with inspected(qtbot, "custom-header-not-allowed", window) as (_, server):
            assert window.banner.state == "blocked"
            live_blocked = _banner_background(window)
            sent = len(server.log)
            qtbot.mouseClick(window.what_if, Qt.MouseButton.LeftButton)
            label = window.banner.findChild(type(window.banner.title), "what_if_label")
            assert label is not None
            assert label.isVisible()
            assert label.text() == WHAT_IF_LABEL == "What-if, judged offline — nothing sent"
            assert window.banner.state == "whatif-blocked"  # the same verdict, as a what-if
            what_if_blocked = _banner_background(window)
            model = window.preflight_view.response_model
            row = model.culprit_row()
            assert row is not None
            assert model.setData(model.index(row, 1), "content-type, x-request-id")
            assert window.banner.state == "whatif-allowed"
            assert window.banner.title.text().startswith("Allowed")
            what_if_allowed = _banner_background(window)
            assert len(server.log) == sent  # nothing was sent
            # the colour is what-if's own, whatever the verdict
            assert what_if_allowed == what_if_blocked
            assert what_if_allowed not in (live_allowed, live_blocked)
            assert live_allowed != live_blocked
            assert window.banner.title.text() != live_allowed_title or label.isVisible()
            # the Actual pane no longer says "Not sent": the request would now go
            assert window.actual_view.request_line.text().startswith("What-if: it would be sent")
            assert not window.preflight_view.pair_line.isVisible()  # no pair explains a pass
            assert window.preflight_view.request_model.culprit_row() is None
            # the answer assumed for the request never sent, edited in its turn
            window.what_if_bar.target.setCurrentIndex(1)
            answer = window.actual_view.response_model
            assert window.actual_view.isEnabled()
            names = [answer.data(answer.index(r, 0)) for r in range(answer.rowCount())]
            origin = names.index("Access-Control-Allow-Origin")
            window.actual_view.response_table.setCurrentIndex(answer.index(origin, 0))
            qtbot.mouseClick(window.what_if_bar.remove_header, Qt.MouseButton.LeftButton)
            assert window.banner.state == "whatif-blocked"
            assert "MissingAllowOriginHeader" in (
                window.banner.title.text() + window.banner.message.text()
            )
            assert len(server.log) == sent
            qtbot.mouseClick(window.what_if, Qt.MouseButton.LeftButton)  # off: the live verdict
            assert window.banner.state == "blocked"
            assert not label.isVisible()
            assert window.actual_view.request_line.text().startswith("Not sent")

    loop.run_until_complete(main())


def test_edited_cells_are_marked_and_reset_brings_the_servers_answer_back(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "custom-header-not-allowed") as (window, server):
            sent = len(server.log)
            window.what_if.setChecked(True)
            bar = window.what_if_bar
            assert bar.tools.isVisible()
            model = window.preflight_view.response_model
            row = model.culprit_row()
            assert row is not None
            value = model.index(row, 1)
            name = model.index(row, 0)
            assert model.data(value, Roles.Edited) is False
            assert model.setData(value, "content-type, x-request-id")
            assert model.data(value, Roles.Edited) is True
            assert model.data(name, Roles.Edited) is False  # only the cell changed
            assert model.data(value) == f"{EDIT_MARK}content-type, x-request-id"
            assert model.data(value, Qt.ItemDataRole.EditRole) == "content-type, x-request-id"
            assert model.data(value, Qt.ItemDataRole.FontRole).bold()
            assert model.data(value, Qt.ItemDataRole.ToolTipRole) == (
                "What-if edit. The server sent: Access-Control-Allow-Headers: content-type"
            )
            assert bar.changes.text() == "1 change(s) from the server's answers"
            # a row added to the preflight's answer, then removed
            before = model.rowCount()
            bar.target.setCurrentIndex(0)
            qtbot.mouseClick(bar.add_header, Qt.MouseButton.LeftButton)
            assert model.rowCount() == before + 1
            added = model.index(before, 0)
            assert model.data(added, Roles.Edited) is True
            assert "did not send this header" in model.data(added, Qt.ItemDataRole.ToolTipRole)
            window.preflight_view.response_table.setCurrentIndex(added)
            qtbot.mouseClick(bar.remove_header, Qt.MouseButton.LeftButton)
            assert model.rowCount() == before
            # a received line removed: the origin is no longer allowed
            origin_row = next(
                r
                for r in range(model.rowCount())
                if model.data(model.index(r, 0)).lower() == "access-control-allow-origin"
            )
            window.preflight_view.response_table.setCurrentIndex(model.index(origin_row, 0))
            qtbot.mouseClick(bar.remove_header, Qt.MouseButton.LeftButton)
            assert window.banner.state == "whatif-blocked"
            assert "PreflightMissingAllowOriginHeader" in window.banner.title.text() + (
                window.banner.message.text()
            )
            assert bar.changes.text() == "2 change(s) from the server's answers"
            qtbot.mouseClick(bar.reset, Qt.MouseButton.LeftButton)
            assert window.what_if.isChecked()  # still a what-if, of the server's own answers
            assert window.banner.state == "whatif-blocked"
            assert model.edit_count() == 0
            assert bar.changes.text() == ""
            row = model.culprit_row()
            assert row is not None
            assert model.data(model.index(row, 1)) == "content-type"
            assert len(server.log) == sent

    loop.run_until_complete(main())


def test_the_status_code_is_editable_and_judged(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "preflight-put-json") as (window, server):
            assert window.banner.state == "allowed"
            sent = len(server.log)
            window.what_if.setChecked(True)
            bar = window.what_if_bar
            assert window.banner.state == "whatif-allowed"
            live_status = bar.preflight_status.value()
            assert 200 <= live_status < 300
            bar.preflight_status.setValue(401)  # as an authentication layer answers
            assert window.banner.state == "whatif-blocked"
            assert "PreflightInvalidStatus" in window.banner.title.text() + (
                window.banner.message.text()
            )
            assert bar.preflight_status.toolTip() == (
                f"What-if edit: the server answered {live_status}; judged as if it were 401"
            )
            assert bar.changes.text() == "1 change(s) from the server's answers"
            bar.actual_status.setValue(204)
            qtbot.mouseClick(bar.reset, Qt.MouseButton.LeftButton)
            assert bar.preflight_status.value() == live_status
            assert window.banner.state == "whatif-allowed"
            assert len(server.log) == sent
            # Send again: a live verdict ends the what-if
            window.editor.send_requested.emit()
            await next_emission(window.verdict_shown)
            assert not window.what_if.isChecked()
            assert window.banner.state == "allowed"
            assert not bar.tools.isVisible()

    loop.run_until_complete(main())
