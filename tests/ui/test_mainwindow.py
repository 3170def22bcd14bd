"""The real window, offscreen, against real loopback servers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from corsinspector.app.gallery import GALLERY
from corsinspector.formats.scenario import load_scenario
from corsinspector.wire.server import ScenarioServer
from tests.faultserver import FaultServer
from tests.ui.conftest import next_emission
from ui.app import apply_theme
from ui.fix_panel import FixPanel
from ui.mainwindow import MainWindow
from ui.models import Roles

APP = "https://app.example.test"


def _window(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


@contextlib.asynccontextmanager
async def inspected(
    qtbot: QtBot, name: str, window: MainWindow | None = None
) -> AsyncIterator[tuple[MainWindow, ScenarioServer]]:
    """A window that has inspected gallery scenario ``name`` live; closed after."""
    scenario = load_scenario(GALLERY / f"{name}.json")
    async with ScenarioServer(scenario) as server:
        if window is None:
            window = _window(qtbot)
        window.editor.load(server.wire_request())
        window.editor.send_requested.emit()
        await next_emission(window.verdict_shown)
        try:
            yield window, server
        finally:
            await window.controller.aclose()


def test_typing_a_request_and_ctrl_enter_shows_the_blocked_preflight_and_its_culprit(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        scenario = load_scenario(GALLERY / "custom-header-not-allowed.json")
        async with ScenarioServer(scenario) as server:
            window = _window(qtbot)
            editor = window.editor
            editor.url.clear()
            qtbot.keyClicks(editor.url, f"{server.base_url}/items")
            editor.origin.setCurrentText(APP)
            qtbot.mouseClick(editor.add_header, Qt.MouseButton.LeftButton)
            editor.headers.item(0, 1).setText("X-Request-Id")
            editor.headers.item(0, 2).setText("42")
            assert editor.headers.item(0, 3).text() == "triggers preflight"
            assert "X-Request-Id is not a CORS-safelisted header name" in (
                editor.headers.item(0, 3).toolTip()
            )
            assert editor.preflight_line.text().startswith("This request needs a preflight because")
            qtbot.keyClick(editor.url, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            (verdict,) = await next_emission(window.verdict_shown)
            assert not verdict.allowed
            assert window.banner.state == "blocked"
            # the headline names the culprit; Chromium's kind stays, smaller, in the message
            assert "`x-request-id`" in window.banner.title.text()
            assert "HeaderDisallowedByPreflightResponse" in window.banner.message.text()
            assert (
                "Request header field x-request-id is not allowed" in window.banner.message.text()
            )
            model = window.preflight_view.response_model
            row = model.culprit_row()
            assert row is not None
            assert model.data(model.index(row, 0)) == "Access-Control-Allow-Headers"
            assert model.data(model.index(row, 0), Roles.Culprit) is True
            assert not window.actual_view.isEnabled()
            assert (
                "Access-Control-Allow-Headers: x-request-id" in window.fix_panel.text.toPlainText()
            )
            qtbot.mouseClick(window.fix_panel.try_fix, Qt.MouseButton.LeftButton)
            assert window.fix_panel.result.text().startswith("Allowed with this fix")
            await window.controller.aclose()

    loop.run_until_complete(main())


def test_a_missing_header_is_a_highlighted_placeholder_row(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "missing-allow-origin") as (window, _):
            model = window.actual_view.response_model
            row = model.culprit_row()
            assert row is not None
            index = model.index(row, 0)
            assert model.data(index) == "Access-Control-Allow-Origin"
            assert model.data(index, Roles.Missing) is True
            assert model.data(model.index(row, 1)) == "(missing)"

    loop.run_until_complete(main())


def test_a_bad_url_is_shown_inline_not_sent(qtbot: QtBot, loop: asyncio.AbstractEventLoop) -> None:
    window = _window(qtbot)
    assert window.fix_panel.heading.text() == "The fix appears with a verdict."  # not "allowed"
    window.editor.url.setText("not a url")
    assert window.editor.problem.text().startswith("URL: is not an absolute URL")
    window.editor.send_requested.emit()
    assert window.banner.state == "error"
    assert window.controller.tasks.running() == 0


def test_cancel_stops_a_hanging_request(qtbot: QtBot, loop: asyncio.AbstractEventLoop) -> None:
    async def main() -> None:
        async with FaultServer() as server:
            window = _window(qtbot)
            window.editor.url.setText(f"{server.base_url}/hang")
            window.editor.send_requested.emit()
            await next_emission(window.controller.busy_changed)
            await asyncio.sleep(0.3)  # the busy look comes after 150 ms (no flicker)
            assert window.editor.cancel.isEnabled()
            assert window.progress.isVisible()
            qtbot.mouseClick(window.editor.cancel, Qt.MouseButton.LeftButton)
            (message,) = await next_emission(window.controller.inspection_failed)
            assert message == "Cancelled."
            await asyncio.sleep(0.05)
            assert window.controller.tasks.running() == 0
            assert server.open_connections == 0
            await window.controller.aclose()

    loop.run_until_complete(main())


def test_closing_with_a_request_in_flight_leaves_no_task(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with FaultServer() as server:
            window = _window(qtbot)
            window.closed = asyncio.get_running_loop().create_future()
            window.editor.url.setText(f"{server.base_url}/hang")
            window.editor.send_requested.emit()
            await next_emission(window.controller.busy_changed)
            window.close()
            await asyncio.wait_for(window.closed, 10)
            assert not window.isVisible()
            assert window.controller.tasks.running() == 0

    loop.run_until_complete(main())


@pytest.mark.parametrize(("theme", "stack"), [("light", "generic"), ("dark", "nginx")])
def test_the_screenshot_command_writes_a_png(theme: str, stack: str, tmp_path: object) -> None:
    import subprocess
    import sys
    from pathlib import Path

    out = Path(str(tmp_path)) / f"window-{theme}.png"
    root = Path(__file__).resolve().parents[2]
    argv = [sys.executable, str(root / "main.py"), "--screenshot", str(out), "--theme", theme]
    result = subprocess.run(
        [*argv, "--stack", stack],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == f"wrote {out}"
    assert "propagateSizeHints" not in result.stderr  # offscreen noise stays out of the way
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 20_000
    if stack == "nginx":  # an unknown stack is one line and exit 2, no PNG
        bad = subprocess.run(
            [*argv, "--stack", "cobol"], capture_output=True, text=True, timeout=120, check=False
        )
        assert bad.returncode == 2
        assert "error: --stack cobol: no such server stack" in bad.stderr.splitlines()


def test_what_if_rejudges_as_the_server_answer_is_edited(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "custom-header-not-allowed") as (window, server):
            assert window.banner.state == "blocked"
            sent_before = len(server.log)
            window.what_if.setChecked(True)
            model = window.preflight_view.response_model
            row = model.culprit_row()
            assert row is not None
            assert model.setData(model.index(row, 1), "content-type, x-request-id")
            # judged again, offline: a what-if verdict, never shown as a live one (issue 13)
            assert window.banner.state == "whatif-allowed"
            assert model.culprit_row() is None
            assert len(server.log) == sent_before  # nothing was sent
            assert model.setData(model.index(row, 1), "content-type")
            assert window.banner.state == "whatif-blocked"
            window.what_if.setChecked(False)
            assert window.banner.state == "blocked"

    loop.run_until_complete(main())


@pytest.mark.browser
def test_ask_the_real_browser_shows_chromiums_verdict_beside_ours(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    from ui.controller import InspectorController

    async def main() -> None:
        window = MainWindow(InspectorController(quiet_browser=False))
        qtbot.addWidget(window)
        window.show()
        async with inspected(qtbot, "wildcard-with-credentials", window):
            qtbot.mouseClick(window.banner.ask, Qt.MouseButton.LeftButton)
            (comparison,) = await next_emission(window.controller.real_browser_ready, 60)
            assert comparison.kind == "WildcardOriginNotAllowed"
            text = window.banner.real.text()
            assert text.startswith("Chromium 140.")
            assert "agrees with the engine" in text

    loop.run_until_complete(main())


def test_the_sequence_history_curl_and_last_request_follow_an_inspection(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    from PySide6.QtWidgets import QApplication

    async def main() -> None:
        async with inspected(qtbot, "preflight-401-auth-first") as (window, server):
            steps = window.sequence.steps
            assert [s.to_server for s in steps] == [True, False]
            assert steps[0].label == "preflight OPTIONS /items"
            assert steps[1].failed
            assert "PreflightMissingAllowOriginHeader" in steps[1].detail
            assert window.history.count() == 1
            assert "blocked: PreflightMissingAllowOriginHeader" in window.history.item(0).text()
            qtbot.mouseClick(window.preflight_view.copy_curl, Qt.MouseButton.LeftButton)
            curl = QApplication.clipboard().text()
            assert curl.startswith(f"curl -X OPTIONS {server.base_url}/items")
            assert "-H 'Access-Control-Request-Method: POST'" in curl
            again = _window(qtbot)  # the next start shows the last request
            assert again.editor.url.text() == f"{server.base_url}/items"
            assert again.editor.method.currentText() == "POST"
            await again.controller.aclose()

    loop.run_until_complete(main())


def test_keyboard_shortcuts_reach_the_main_actions(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    window = _window(qtbot)
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.waitUntil(lambda: window.shortcuts_installed)  # just after the first frame
    focus = window.editor.url
    focus.setFocus()
    qtbot.keyClick(focus, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.exchange_tabs.currentIndex() == 1
    qtbot.keyClick(focus, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.exchange_tabs.currentIndex() == 0
    qtbot.keyClick(
        focus, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.what_if.isChecked()  # Ctrl+W closes a tab now (issue 13)
    qtbot.keyClick(focus, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)  # F11 is full screen now (issue 13)


def test_inspections_are_kept_in_the_history_database_across_restarts(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: object
) -> None:
    from pathlib import Path

    from corsinspector.app.history import History

    database = Path(str(tmp_path)) / "history.sqlite3"

    async def main() -> None:
        with History(database) as history:
            window = MainWindow(history=history)
            qtbot.addWidget(window)
            async with inspected(qtbot, "missing-allow-origin", window):
                pass
        with History(database) as history:
            again = MainWindow(history=history)
            qtbot.addWidget(again)
            assert again.history.count() == 1
            assert "blocked: MissingAllowOriginHeader" in again.history.item(0).text()
            again.history.setCurrentRow(0)
            assert again.editor.url.text().endswith("/items")

    loop.run_until_complete(main())


def test_a_collection_replays_in_the_window_and_a_saved_request_survives_a_restart(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: object
) -> None:
    import json
    from pathlib import Path

    folder = Path(str(tmp_path))
    scenario = load_scenario(GALLERY / "missing-allow-origin.json")

    async def main() -> None:
        async with ScenarioServer(scenario) as server:
            collection = folder / "api.json"
            item = {"request": {"url": "{{base_url}}/items", "origin": "https://app.example.test"}}
            collection.write_text(
                json.dumps(
                    {
                        "format": "cors-collection/1",
                        "name": "api",
                        "folders": [
                            {
                                "name": "f",
                                "items": [
                                    {**item, "name": "expected", "expect": {"allowed": False}},
                                    {**item, "name": "wrong", "expect": {"allowed": True}},
                                ],
                            }
                        ],
                    }
                )
            )
            (folder / "api.env.json").write_text(
                json.dumps(
                    {
                        "format": "cors-environments/1",
                        "environments": {"dev": {"base_url": server.base_url}},
                    }
                )
            )
            window = _window(qtbot)
            panel = window.collection_panel
            panel.open_path(collection)
            assert panel.environment.currentText() == "dev"
            qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
            (message,) = await next_emission(window.controller.replay_finished)
            assert message == "Done."
            assert [r.path for r in panel.model.results] == ["f/expected", "f/wrong"]
            model = panel.model
            # issue 13: a Result column first (pass/fail), the item's name, its folder last
            assert model.data(model.index(0, 0)) == "pass"
            assert model.data(model.index(0, 1)) == "expected"
            assert model.data(model.index(0, 2)) == "blocked"
            assert model.data(model.index(0, 3)) == "MissingAllowOriginHeader"
            assert model.data(model.index(0, 4)) == "Access-Control-Allow-Origin"
            tip = model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole)
            assert (
                tip == "f/wrong: expected allowed, got MissingAllowOriginHeader (NOT as expected)"
            )
            assert panel.summary.text() == "1 of 2 as expected. Done."
            assert panel.progress.value() == 2
            panel.result_opened.emit(panel.model.results[1])  # a failed item opens
            assert window.banner.state == "blocked"
            window.save_request_to_collection("from the window")
            await window.controller.aclose()
        again = _window(qtbot)  # a restart: the saved request is in the file
        again.collection_panel.open_path(collection)
        names = [path for path, _ in again.collection_panel.collection.items()]  # type: ignore[union-attr]
        assert names == ["f/expected", "f/wrong", "Saved/from the window"]
        assert (folder / "api.json.bak").exists()
        await again.controller.aclose()

    loop.run_until_complete(main())


def test_the_fix_panel_shows_the_chosen_stack_and_remembers_it(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "preflight-401-auth-first") as (window, _):
            panel = window.fix_panel
            assert panel.stack.findText("nginx") >= 0
            panel.stack.setCurrentText("nginx")
            text = panel.text.toPlainText()
            assert "always;" in text
            assert "authentication" in text  # the pitfall that applies to this verdict
            # syntax highlighting: the header names and the pitfall notes stand out
            assert _format_at(panel, "Access-Control-Allow-Origin") == panel_format(panel, "header")
            assert _format_at(panel, "authentication") == panel_format(panel, "pitfall")
            assert _format_at(panel, '"https://app.example.test"') == panel_format(panel, "string")
            light = _format_at(panel, "Access-Control-Allow-Origin")
            # the desktop switches to dark: the palette follows, and so do the snippet's colours
            app = QApplication.instance()
            assert isinstance(app, QApplication)
            try:
                apply_theme(app, "dark")
                app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
                dark = _format_at(panel, "Access-Control-Allow-Origin")
                assert dark != light
                assert QColor(dark).lightness() > QColor(light).lightness()
            finally:
                apply_theme(app, "light")
                app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
            assert _format_at(panel, "Access-Control-Allow-Origin") == light
        again = _window(qtbot)
        async with inspected(qtbot, "custom-header-not-allowed", again):
            assert again.fix_panel.stack.currentText() == "nginx"  # remembered

    loop.run_until_complete(main())


def panel_format(panel: FixPanel, kind: str) -> str:
    assert panel._highlighter is not None
    return panel._highlighter.format_of(kind).foreground().color().name()


def _format_at(panel: FixPanel, needle: str) -> str:
    """The foreground colour the highlighter gave the first occurrence of ``needle``."""
    document = panel.text.document()
    block = document.begin()
    while block.isValid():
        column = block.text().find(needle)
        if column >= 0:
            for fmt_range in block.layout().formats():
                if fmt_range.start <= column < fmt_range.start + fmt_range.length:
                    return fmt_range.format.foreground().color().name()
            return "(none)"
        block = block.next()
    raise AssertionError(f"{needle!r} not in the fix text")


def test_recent_origins_come_first_with_null_and_survive_a_restart(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        window = _window(qtbot)
        assert window.editor.origin.findText("null") >= 0  # offered from the start
        async with inspected(qtbot, "simple-get-allowed", window):
            pass
        window.editor.origin.setCurrentText("https://new.example.test")
        window.editor.send_requested.emit()
        await next_emission(window.verdict_shown)
        await window.controller.aclose()
        combo = window.editor.origin
        items = [combo.itemText(i) for i in range(combo.count())]
        assert items[0] == "https://new.example.test"
        assert items[-1] == "null"
        assert items.count("https://app.example.test") == 1
        again = _window(qtbot)
        assert again.editor.origin.itemText(0) == "https://new.example.test"

    loop.run_until_complete(main())


def test_a_cookie_set_by_script_is_flagged_and_the_browsers_own_headers_are_marked(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        window = _window(qtbot)
        async with inspected(qtbot, "custom-header-not-allowed", window):
            editor = window.editor
            row = editor.add_header_row("Cookie", "session=1")
            assert editor.headers.item(row, 3).text() == "dropped by the browser"
            assert "forbidden header name" in editor.headers.item(row, 1).toolTip()
            model = window.preflight_view.request_model
            marks = {
                model.data(model.index(r, 0)): model.data(model.index(r, 0), Roles.BrowserAdded)
                for r in range(model.rowCount())
            }
            for name in ("Origin", "Access-Control-Request-Method", "Sec-Fetch-Mode"):
                assert marks[name] is True, name
            origin_row = next(
                r for r in range(model.rowCount()) if model.data(model.index(r, 0)) == "Origin"
            )
            flags = model.flags(model.index(origin_row, 1))
            assert not flags & Qt.ItemFlag.ItemIsEditable  # the browser's, read-only

    loop.run_until_complete(main())


def test_a_bad_header_name_is_shown_inline_and_nothing_is_sent(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    window = _window(qtbot)
    window.editor.url.setText("http://127.0.0.1:9/items")
    window.editor.add_header_row("Bad Header", "1")
    assert "header 'Bad Header'" in window.editor.problem.text()
    assert "characters not allowed in a name" in window.editor.problem.text()
    window.editor.send_requested.emit()
    assert window.banner.state == "error"
    assert window.controller.tasks.running() == 0


def test_a_refused_connection_is_a_network_error_in_the_banner(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    import socket

    async def main() -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]  # closed again: nothing listens there
        window = _window(qtbot)
        window.editor.url.setText(f"http://127.0.0.1:{port}/items")
        window.editor.send_requested.emit()
        await next_emission(window.verdict_shown)
        await window.controller.aclose()
        assert window.banner.state == "error"
        assert window.banner.title.text() == (
            "No answer to the request: net::ERR_CONNECTION_REFUSED"
        )
        assert "not a CORS block" in window.banner.message.text()
        assert "Traceback" not in window.banner.message.text()
        assert window.statusBar().currentMessage() == "Ready"

    loop.run_until_complete(main())


def test_copy_message_and_copy_fix_put_exactly_that_text_on_the_clipboard(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "custom-header-not-allowed") as (window, _):
            clipboard = QApplication.clipboard()
            qtbot.mouseClick(window.banner.copy, Qt.MouseButton.LeftButton)
            assert clipboard.text().startswith("Access to fetch at '")
            assert clipboard.text().endswith("in preflight response.")
            qtbot.mouseClick(window.fix_panel.copy, Qt.MouseButton.LeftButton)
            assert clipboard.text() == window.fix_panel.text.toPlainText()
            assert "Access-Control-Allow-Headers: x-request-id" in clipboard.text()

    loop.run_until_complete(main())


def test_the_window_fits_a_small_screen_and_its_geometry_comes_back_at_the_next_start(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        window = _window(qtbot)
        minimum = window.minimumSizeHint()
        assert minimum.height() <= 700  # a 1366x768 laptop, less a panel and a title bar
        assert minimum.width() <= 960
        screen = window.screen().availableGeometry()  # offscreen: 800x800
        assert window.height() <= screen.height()  # a first start never passes the edges
        window.move(40, 30)
        window.resize(minimum.width() + 20, 700)  # not the first-start height (720 here)
        window.closed = asyncio.get_running_loop().create_future()
        window.close()
        await asyncio.wait_for(window.closed, 10)
        again = _window(qtbot)
        # the height comes back exactly; the width is clamped by Qt to the 800-pixel-wide
        # offscreen screen, then widened to the window's minimum
        assert again.height() == 700
        assert again.width() >= minimum.width()

    loop.run_until_complete(main())


def test_the_firefox_profile_sends_firefoxs_headers_and_gets_firefoxs_words(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        window = _window(qtbot)
        window.editor.browser.setCurrentText("firefox")
        async with inspected(qtbot, "custom-header-not-allowed", window) as (_, server):
            sent = server.log[0].headers
            agent = next(value for name, value in sent if name.lower() == "user-agent")
            assert "Firefox/" in agent
            assert "Firefox's reason: CORSMissingAllowHeaderFromPreflight2." in (
                window.banner.message.text()
            )
            assert "from CORS preflight response)." in window.banner.message.text()

    loop.run_until_complete(main())


def test_tab_goes_through_the_request_the_verdict_and_the_fix_in_reading_order(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "custom-header-not-allowed") as (window, _):
            with qtbot.waitActive(window):
                window.activateWindow()
            window.editor.method.setFocus()
            seen = []
            for _ in range(24):
                focused = QApplication.focusWidget()
                while focused is not None and not focused.objectName():
                    focused = focused.parentWidget()  # an editable combo's line edit
                name = focused.objectName() if focused is not None else ""
                if not seen or seen[-1] != name:
                    seen.append(name)
                qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            expected = ["method", "url", "send", "origin", "credentials", "mode", "browser"]
            expected += ["request_headers", "add_header", "remove_header", "body"]
            assert seen[: len(expected)] == expected
            rest = seen[len(expected) :]
            order = ["ask_real_browser", "copy_message", "what_if", "preflight_view_copy_curl"]
            order += ["try_fix", "copy_fix", "fix_stack", "gallery"]
            positions = [rest.index(name) for name in order]
            assert positions == sorted(positions), rest

    loop.run_until_complete(main())


def test_a_body_cut_short_is_allowed_and_its_failure_shown_beside_the_status(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with FaultServer() as server:
            window = _window(qtbot)
            window.editor.url.setText(server.base_url + "/short-body")
            window.editor.send_requested.emit()
            await next_emission(window.verdict_shown)
            await window.controller.aclose()
        assert window.banner.state == "allowed"
        assert "net::ERR_CONTENT_LENGTH_MISMATCH" in window.banner.message.text()
        status = window.actual_view.status_line.text()
        assert status.startswith("HTTP/1.1 200")
        assert status.endswith("— body failed: net::ERR_CONTENT_LENGTH_MISMATCH")

    loop.run_until_complete(main())


def test_a_restricted_port_is_the_browsers_refusal_not_a_cors_block(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        window = _window(qtbot)
        window.editor.url.setText("http://127.0.0.1:6000/items")
        window.editor.send_requested.emit()
        await next_emission(window.verdict_shown)
        await window.controller.aclose()
        assert window.banner.state == "error"
        assert "net::ERR_UNSAFE_PORT" in window.banner.title.text()
        assert "not a CORS block" in window.banner.message.text()
        assert window.actual_view.request_line.text().startswith("Not sent: the browser refuses")

    loop.run_until_complete(main())
