"""Pasting into the URL bar (Ctrl+V) in the real window: the browsers' own DevTools copies
(tests/app/copies/, made by tools/devtools_copies.py) and a real console line fill the
request and say what they filled; a pasted request is then inspected live against a loopback
server."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from corsinspector.app.gallery import GALLERY
from corsinspector.formats.scenario import load_scenario
from corsinspector.wire.server import ScenarioServer
from tests.app.test_paste import read_copy
from tests.ui.conftest import next_emission
from ui.mainwindow import MainWindow


def _window(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def _paste(qtbot: QtBot, window: MainWindow, text: str) -> None:
    QApplication.clipboard().setText(text)
    window.editor.url.setFocus()
    qtbot.keyClick(window.editor.url, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def _header_names(window: MainWindow) -> list[str]:
    table = window.editor.headers
    return [table.item(row, 1).text().lower() for row in range(table.rowCount())]


def test_pasting_a_chrome_cmd_curl_fills_the_request_and_says_what_it_filled(
    qtbot: QtBot,
) -> None:
    text, _, request = read_copy("chromium-cmd")  # Chromium 156's own "Copy as cURL (cmd)"
    assert request is not None
    origin = next(value for name, value in request["headers"] if name == "Origin")
    window = _window(qtbot)
    _paste(qtbot, window, text)
    editor = window.editor
    assert editor.url.text() == request["url"]
    assert editor.method.currentText() == "PUT"
    assert editor.origin.currentText() == origin
    assert editor.credentials.currentText() == "include"
    assert editor.body.toPlainText() == request["body"]
    assert _header_names(window) == [
        "accept",
        "accept-language",
        "content-type",
        "x-request-id",
    ]
    line = "Filled from a cURL command: URL, method PUT, 4 headers, body"
    assert editor.note.text().startswith(line)
    assert editor.note.isVisible()
    assert window.statusBar().currentMessage().startswith(line)


def test_pasting_a_fetch_snippet_a_firefox_curl_and_a_console_line(qtbot: QtBot) -> None:
    window = _window(qtbot)
    editor = window.editor
    fetch, _, request = read_copy("chromium-fetch")
    assert request is not None
    _paste(qtbot, window, fetch)
    assert editor.credentials.currentText() == "include"
    assert editor.origin.currentText() == next(
        value for name, value in request["headers"] if name == "Origin"
    )
    assert "x-request-id" in _header_names(window)
    assert editor.note.text().startswith("Filled from a fetch snippet:")

    editor.url.clear()
    curl, _, request = read_copy("firefox-curl")
    assert request is not None
    _paste(qtbot, window, curl)
    assert editor.url.text() == request["url"]
    assert "user-agent" not in _header_names(window)

    editor.url.clear()
    editor.origin.setCurrentText("https://elsewhere.test")
    console, _, _ = read_copy("chromium-console-acah-missing")
    _paste(qtbot, window, console)
    assert editor.url.text() == "https://api.example.test/data"
    assert editor.origin.currentText() == "https://app.example.test"
    assert editor.method.currentText() == "PUT"  # what the console line does not name stays
    assert editor.note.text() == (
        "Filled from a console error: URL, Origin https://app.example.test"
    )


def test_plain_text_pastes_as_typed_and_a_bare_host_gets_its_scheme(qtbot: QtBot) -> None:
    window = _window(qtbot)
    editor = window.editor
    editor.url.clear()
    _paste(qtbot, window, "https://api.example.com/items")
    assert editor.url.text() == "https://api.example.com/items"
    assert not editor.note.isVisible()
    editor.url.clear()
    _paste(qtbot, window, "localhost:3000/api")
    assert editor.url.text() == "http://localhost:3000/api"
    editor.url.setText("127.0.0.1:9/items")  # typed: the scheme is added when it is sent
    assert editor.request().url == "http://127.0.0.1:9/items"


def test_a_pasted_curl_is_inspected_live(qtbot: QtBot, loop: asyncio.AbstractEventLoop) -> None:
    async def main() -> None:
        scenario = load_scenario(GALLERY / "custom-header-not-allowed.json")
        async with ScenarioServer(scenario) as server:
            window = _window(qtbot)
            request = server.wire_request()
            headers = "".join(f" -H '{name}: {value}'" for name, value in request.headers)
            command = (
                f"curl '{request.url}' -X '{request.method}'{headers}"
                f" -H 'origin: {request.origin}' -H 'sec-fetch-mode: cors'"
            )
            _paste(qtbot, window, command)
            assert window.editor.url.text() == request.url
            window.editor.send_requested.emit()
            (verdict,) = await next_emission(window.verdict_shown)
            assert not verdict.allowed
            assert verdict.error is not None
            assert verdict.error.kind == "HeaderDisallowedByPreflightResponse"
            await window.controller.aclose()

    loop.run_until_complete(main())


def test_the_url_bars_context_menu_paste_fills_the_request_too(qtbot: QtBot) -> None:
    window = _window(qtbot)
    console, _, _ = read_copy("chromium-console-acah-missing")
    QApplication.clipboard().setText(console)
    menu = window.editor.url.context_menu()
    (paste,) = [action for action in menu.actions() if action.objectName() == "edit-paste"]
    paste.trigger()
    assert window.editor.url.text() == "https://api.example.test/data"
    assert window.editor.origin.currentText() == "https://app.example.test"
    assert window.editor.note.text().startswith("Filled from a console error")
