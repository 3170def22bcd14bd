"""Request tabs (Ctrl+T new, Ctrl+W close) kept across restarts, each with its own verdict;
an edit after a verdict marks it stale; the restored request is not replaced by the demo; a
screenshot run leaves the user's settings and history alone."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from corsinspector.app.gallery import GALLERY, DemoServers
from corsinspector.app.paste import STALE_LINE
from corsinspector.formats.scenario import load_scenario
from corsinspector.wire.server import ScenarioServer
from tests.ui.conftest import next_emission
from ui.app import start_scenario
from ui.mainwindow import MainWindow


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _window(qtbot: QtBot, settings: QSettings) -> MainWindow:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    return window


def _keys(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.waitUntil(lambda: window.shortcuts_installed)  # just after the first frame
    window.editor.url.setFocus()


def test_three_tabs_come_back_after_a_restart_with_their_contents(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    window = _window(qtbot, settings)
    _keys(qtbot, window)
    editor = window.editor
    assert window.tabs.count() == 1
    editor.url.setText("http://127.0.0.1:8001/a")
    editor.method.setCurrentText("PUT")
    editor.add_header_row("X-Request-Id", "42")
    qtbot.keyClick(editor.url, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 2
    assert editor.url.text() == ""  # a new tab is empty …
    assert editor.headers.rowCount() == 0
    assert editor.url.hasFocus()  # … and ready for a URL or a paste
    editor.url.setText("https://api.example.test/b")
    editor.credentials.setCurrentText("include")
    qtbot.keyClick(editor.url, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    editor.url.setText("http://localhost:3000/c")
    editor.body.setPlainText("hello")
    qtbot.keyClick(editor.url, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 4
    qtbot.keyClick(editor.url, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 3  # Ctrl+W closed the fourth, empty one
    assert editor.url.text() == "http://localhost:3000/c"
    window.tabs.setCurrentIndex(1)
    assert window.tabs.tabText(0) == "PUT 127.0.0.1:8001/a"
    window.close()

    again = _window(qtbot, _settings(tmp_path))
    tabs, editor = again.tabs, again.editor
    assert tabs.count() == 3
    assert tabs.currentIndex() == 1  # the tab that was current
    assert editor.url.text() == "https://api.example.test/b"
    assert editor.credentials.currentText() == "include"
    tabs.setCurrentIndex(0)
    assert editor.url.text() == "http://127.0.0.1:8001/a"
    assert editor.method.currentText() == "PUT"
    assert (editor.headers.item(0, 1).text(), editor.headers.item(0, 2).text()) == (
        "X-Request-Id",
        "42",
    )
    tabs.setCurrentIndex(2)
    assert editor.url.text() == "http://localhost:3000/c"
    assert editor.body.toPlainText() == "hello"
    again.close_tab()
    again.close_tab()
    again.close_tab()  # the last tab is emptied, never gone
    assert tabs.count() == 1
    assert editor.url.text() == ""


def test_each_tab_shows_its_own_verdict_and_an_edit_makes_it_stale(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    async def main() -> None:
        scenario = load_scenario(GALLERY / "custom-header-not-allowed.json")
        async with ScenarioServer(scenario) as server:
            window = _window(qtbot, _settings(tmp_path))
            window.editor.load(server.wire_request())
            window.editor.send_requested.emit()
            (verdict,) = await next_emission(window.verdict_shown)
            assert not verdict.allowed
            assert window.banner.state == "blocked"
            blocked_title = window.banner.title.text()
            assert not window.tabs.stale

            window.new_tab()
            assert window.banner.state == "idle"  # the new tab has no verdict yet
            assert window.fix_panel.heading.text() == "The fix appears with a verdict."
            assert window.editor.url.text() == ""
            window.tabs.setCurrentIndex(0)
            assert window.banner.state == "blocked"  # the first tab's verdict is its own
            assert window.banner.title.text() == blocked_title

            window.editor.url.setText(window.editor.url.text() + "?changed=1")
            assert window.tabs.stale
            assert window.editor.note.text() == STALE_LINE
            assert window.editor.note.isVisible()
            assert window.statusBar().currentMessage() == STALE_LINE
            effect = window.banner.graphicsEffect()
            assert effect is not None
            assert effect.isEnabled()  # dimmed

            window.tabs.setCurrentIndex(1)
            assert not window.tabs.stale
            window.tabs.setCurrentIndex(0)
            assert window.tabs.stale  # still stale when you come back

            window.editor.send_requested.emit()
            await next_emission(window.verdict_shown)
            assert not window.tabs.stale
            assert not effect.isEnabled()
            assert not window.editor.note.isVisible()

            window.editor.load(scenario.request)  # another request (the gallery, a history
            assert window.tabs.stale  # entry without its verdict): the verdict is not its own
            await window.controller.aclose()

    loop.run_until_complete(main())


def test_the_restored_request_is_not_replaced_by_the_demo_at_start(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    first = _window(qtbot, settings)
    first.editor.url.setText("https://api.mine.test/work")
    first.close()

    async def main() -> None:
        demo = DemoServers()
        await demo.start()
        try:
            window = _window(qtbot, _settings(tmp_path))
            window.set_demo(demo)
            assert window.restored
            assert start_scenario(window, "custom-header-not-allowed", forced=False) is None
            assert window.editor.url.text() == "https://api.mine.test/work"
            # named on the command line (or a screenshot): the scenario is loaded
            assert start_scenario(window, "custom-header-not-allowed", forced=True) is True
            assert window.editor.url.text().startswith("http://127.0.0.1:")

            fresh = _window(qtbot, _settings(tmp_path / "fresh"))
            fresh.set_demo(demo)
            assert not fresh.restored
            assert start_scenario(fresh, "custom-header-not-allowed", forced=False) is True
        finally:
            await demo.close()

    (tmp_path / "fresh").mkdir()
    loop.run_until_complete(main())


def test_a_screenshot_run_leaves_the_users_settings_and_history_untouched(
    tmp_path: Path,
) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    settings_file = config / "CORS Inspector" / "CORS Inspector.conf"
    database = data / "CORS Inspector" / "history.sqlite3"
    settings_file.parent.mkdir(parents=True)
    database.parent.mkdir(parents=True)
    settings_file.write_text(
        '[request]\nlast="{\\"url\\": \\"https://api.mine.test/x\\"}"\n', encoding="utf-8"
    )
    from corsinspector.app.history import History

    with History(database):
        pass
    before = {path: path.read_bytes() for path in (settings_file, database)}
    listing = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out = tmp_path / "shot.png"
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(config),
        "XDG_DATA_HOME": str(data),
        "QT_QPA_PLATFORM": "offscreen",
    }
    done = subprocess.run(
        [sys.executable, str(root / "main.py"), "--screenshot", str(out)],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0
    out.unlink()
    assert {path: path.read_bytes() for path in before} == before
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == listing


def test_what_if_and_try_this_fix_work_on_the_current_tabs_verdict(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    """Tab 1 blocked, tab 2 allowed and sent last: back on tab 1, what-if and Try this fix
    judge tab 1's request and answers, not the last ones sent."""

    async def main() -> None:
        blocked = load_scenario(GALLERY / "custom-header-not-allowed.json")
        allowed = load_scenario(GALLERY / "simple-get-allowed.json")
        async with ScenarioServer(blocked) as first, ScenarioServer(allowed) as second:
            window = _window(qtbot, _settings(tmp_path))
            window.editor.load(first.wire_request())
            window.editor.send_requested.emit()
            (verdict,) = await next_emission(window.verdict_shown)
            assert verdict.error is not None
            window.new_tab()
            window.editor.load(second.wire_request())
            window.editor.send_requested.emit()
            (last,) = await next_emission(window.verdict_shown)
            assert last.allowed
            assert window.controller.last_verdict is last

            window.tabs.setCurrentIndex(0)
            window.what_if.setChecked(True)
            assert window.banner.state == "whatif-blocked"  # tab 1's answers, judged again
            assert "x-request-id" in window.banner.title.text().lower()
            window.what_if.setChecked(False)
            window.fix_panel.try_fix.click()
            assert window.fix_panel.result.text().startswith("Allowed with this fix")
            await window.controller.aclose()

    loop.run_until_complete(main())
