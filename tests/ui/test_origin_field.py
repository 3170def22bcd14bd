"""The window's Origin field takes an origin as people type it and sends it as browsers do:
the real window, offscreen, against a real loopback server."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from corsinspector.model import Request, Route, Scenario, header_values
from corsinspector.wire.server import ScenarioServer
from tests.ui.conftest import next_emission
from ui.mainwindow import MainWindow

VITE = "http://localhost:5173"


def _scenario(allow_origin: str) -> Scenario:
    cors = (("Access-Control-Allow-Origin", allow_origin), ("Vary", "Origin"))
    return Scenario(
        "vite", Request("http://api.example.test/items"), (Route("*", None, 200, cors),)
    )


async def _send_typed(qtbot: QtBot, server: ScenarioServer, typed: str) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    editor = window.editor
    editor.url.setText(f"{server.base_url}/items")
    editor.origin.setCurrentText("")
    qtbot.keyClicks(editor.origin.lineEdit(), typed)
    window.editor.send_requested.emit()
    await next_emission(window.verdict_shown)
    await window.controller.aclose()
    return window


def test_typing_a_trailing_slash_sends_the_serialized_origin_and_says_so(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with ScenarioServer(_scenario(VITE)) as server:
            window = await _send_typed(qtbot, server, f"{VITE}/")
            received = [header_values(item.headers, "Origin") for item in server.log]
        note = (
            f"Origin sent as `{VITE}` (you typed `{VITE}/`): browsers never send a path or a "
            "trailing slash."
        )
        assert received == [[VITE]]
        assert window.banner.state == "allowed"
        assert note in window.banner.message.text()
        hint = window.editor.origin_hint
        assert hint.isVisibleTo(window)
        assert hint.text() == note
        # the exchange as shown: the Origin that went on the wire
        model = window.actual_view.request_model
        shown = {
            model.data(model.index(r, 0)): model.data(model.index(r, 1))
            for r in range(model.rowCount())
        }
        assert shown["Origin"] == VITE
        window.editor.origin.setCurrentText(VITE)  # typed as sent: no hint
        assert not window.editor.origin_hint.isVisibleTo(window)

    loop.run_until_complete(main())


def test_the_trailing_slash_mistake_is_named_in_the_banner_and_the_fix(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with ScenarioServer(_scenario(f"{VITE}/")) as server:
            window = await _send_typed(qtbot, server, VITE)
        mistake = (
            f"Access-Control-Allow-Origin is `{VITE}/` — the trailing slash makes it differ "
            f"from the origin `{VITE}`; remove it"
        )
        assert window.banner.state == "blocked"
        assert window.banner.message.text().startswith(mistake)
        assert mistake in window.fix_panel.text.toPlainText()
        assert f"Access-Control-Allow-Origin: {VITE}\n" in window.fix_panel.text.toPlainText()
        assert not window.editor.origin_hint.isVisibleTo(window)

    loop.run_until_complete(main())
