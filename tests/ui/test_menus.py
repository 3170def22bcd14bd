"""The menu bar, its keys, the header tables' copy menu, full screen and presentation mode:
the real window, offscreen."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from corsinspector.app.actions import ACTIONS, MENUS, keys_text
from tests.ui.test_mainwindow import inspected
from ui.mainwindow import MainWindow
from ui.menus import copy_menu


def _window(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.waitUntil(lambda: window.shortcuts_installed)  # just after the first frame
    return window


def test_the_menu_bar_holds_every_action_with_its_keys_shown(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    window = _window(qtbot)
    assert window.menus is not None
    bar = window.menuBar()
    titles = [action.text().replace("&", "") for action in bar.actions()]
    assert titles == list(MENUS)
    shown: dict[str, list[str]] = {}
    for menu_action in bar.actions():
        menu = menu_action.menu()
        assert isinstance(menu, QMenu)
        shown[menu_action.text().replace("&", "")] = [
            a.objectName() for a in menu.actions() if not a.isSeparator()
        ]
    for entry in ACTIONS:
        assert f"action_{entry.id}" in shown[entry.menu]
        qaction = window.menus.actions[entry.id]
        if entry.keys:  # the menu shows the first key beside the words
            assert qaction.shortcut() == QKeySequence(entry.keys[0])
    # every key is listed in Help, and the key everyone uses to close a tab is not what-if
    text = keys_text()
    for entry in ACTIONS:
        for keys in entry.keys:
            assert keys in text
    assert re.search(r"\n  Ctrl\+W +Close tab\n", text)
    assert re.search(r"\n  Ctrl\+Shift\+E +What-if: edit the server's answers\n", text)


def test_the_keys_reach_their_actions(qtbot: QtBot, loop: asyncio.AbstractEventLoop) -> None:
    window = _window(qtbot)
    focus = window.editor.url
    focus.setFocus()
    qtbot.keyClick(focus, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.exchange_tabs.currentIndex() == 1
    qtbot.keyClick(focus, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.exchange_tabs.currentIndex() == 0
    qtbot.keyClick(
        focus, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.what_if.isChecked()
    assert window.menus is not None
    assert window.menus.actions["what_if"].isChecked()  # the menu's check mark follows
    window.what_if.setChecked(False)
    assert not window.menus.actions["what_if"].isChecked()
    window.fix_panel.setFocus()
    qtbot.keyClick(window.fix_panel, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.url.hasFocus()
    qtbot.keyClick(focus, Qt.Key.Key_F1)
    dialog = window.menus.dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert "Ctrl+Shift+P" in dialog.text()
    dialog.close()


def test_the_tab_keys_are_disabled_until_the_window_has_tabs(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    window = _window(qtbot)
    assert window.menus is not None
    for tab_action in ("new_tab", "close_tab"):
        qaction = window.menus.actions[tab_action]
        assert qaction.isEnabled() == callable(getattr(window, tab_action, None))
    qaction = window.menus.actions["close_tab"]
    assert qaction.shortcut() == QKeySequence("Ctrl+W")


def test_f11_toggles_full_screen(qtbot: QtBot, loop: asyncio.AbstractEventLoop) -> None:
    window = _window(qtbot)
    focus = window.editor.url
    focus.setFocus()
    assert not window.isFullScreen()
    qtbot.keyClick(focus, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    qtbot.keyClick(focus, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not window.presentation.isChecked()  # F11 no longer ticks the sequence's box


def test_presentation_mode_enlarges_the_whole_windows_text(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    window = _window(qtbot)
    before = {
        name: widget.fontInfo().pointSizeF()
        for name, widget in (
            ("url", window.editor.url),
            ("gallery", window.gallery),
            ("fix", window.fix_panel.heading),
            ("banner", window.banner.message),
        )
    }
    focus = window.editor.url
    focus.setFocus()
    qtbot.keyClick(
        focus, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.presentation.isChecked()  # the sequence diagram grows with it
    after = {
        name: widget.fontInfo().pointSizeF()
        for name, widget in (
            ("url", window.editor.url),
            ("gallery", window.gallery),
            ("fix", window.fix_panel.heading),
            ("banner", window.banner.message),
        )
    }
    for name, size in before.items():
        assert after[name] >= size * 1.4, name
    # the verdict's title stays the biggest text (its style sheet follows the new size)
    title = window.banner.title.fontInfo().pointSizeF()
    assert title >= after["url"] * 1.3
    assert window.menus is not None
    window.menus.actions["presentation"].trigger()
    for name, widget in (
        ("url", window.editor.url),
        ("gallery", window.gallery),
        ("banner", window.banner.message),
    ):
        assert widget.fontInfo().pointSizeF() == before[name]


@pytest.mark.qt_log_ignore("This plugin does not support")  # a popup, offscreen
def test_right_click_on_a_header_row_copies_its_name_value_or_the_row(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "custom-header-not-allowed") as (window, _):
            qtbot.waitUntil(lambda: window.shortcuts_installed)
            table = window.preflight_view.response_table
            assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
            model = window.preflight_view.response_model
            row = model.culprit_row()
            assert row is not None
            menu = copy_menu(table, row)
            labels = [a.text().replace("&", "") for a in menu.actions()]
            assert labels == ["Copy name", "Copy value", "Copy the row"]
            clipboard = QApplication.clipboard()
            value = str(model.data(model.index(row, 1)))
            menu.actions()[0].trigger()
            assert clipboard.text() == "Access-Control-Allow-Headers"
            menu.actions()[1].trigger()
            assert clipboard.text() == value
            menu.actions()[2].trigger()
            assert clipboard.text() == f"Access-Control-Allow-Headers: {value}"
            # the request side too, and a right-click opens the same menu
            request_table = window.preflight_view.request_table
            assert request_table.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
            shown = request_table.indexAt(QPoint(4, 4))  # the first row in view
            assert shown.isValid()
            point = request_table.visualRect(shown).center()
            request_table.customContextMenuRequested.emit(point)
            popup = next(
                w
                for w in QApplication.topLevelWidgets()
                if w.objectName() == "header_menu" and w.parent() is request_table
            )
            assert isinstance(popup, QMenu)
            popup.actions()[0].trigger()
            assert clipboard.text() == str(shown.siblingAtColumn(0).data())
            popup.close()

    loop.run_until_complete(main())


def test_every_menu_action_triggers_what_it_names(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "cors-collection/1", "name": "api", "items": []}', "utf-8")
    collection = tmp_path / "api.json"
    item = {"name": "one", "request": {"url": "http://127.0.0.1:9/items"}}
    collection.write_text(
        json.dumps(
            {
                "format": "cors-collection/1",
                "name": "api",
                "folders": [{"name": "f", "items": [item]}],
            }
        ),
        "utf-8",
    )
    chosen = [bad, collection]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(chosen.pop(0)), ""))
    asked: list[str] = []
    monkeypatch.setattr(
        QInputDialog, "getText", lambda *_a, **_k: asked.append("name") or ("", False)
    )
    window = MainWindow()
    qtbot.addWidget(window)
    calls: list[str] = []
    controller = window.controller  # before the menus bind to it (50 ms after the first paint)
    monkeypatch.setattr(controller, "send", lambda *_a: calls.append("send"))
    monkeypatch.setattr(controller, "cancel", lambda: calls.append("cancel"))
    monkeypatch.setattr(controller, "ask_real_browser", lambda *_a: calls.append("ask"))
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.waitUntil(lambda: window.shortcuts_installed)
    assert window.menus is not None
    actions = window.menus.actions
    tried: set[str] = set()

    def trigger(action_id: str) -> None:
        assert actions[action_id].isEnabled(), action_id
        actions[action_id].trigger()
        tried.add(action_id)

    window.editor.url.setText("http://127.0.0.1:9/items")
    trigger("send")
    trigger("cancel")
    trigger("ask_browser")
    assert calls == ["send", "cancel", "ask"]
    trigger("open_collection")  # a bad file: named with why, nothing raised
    assert window.collection_panel.path is None
    assert "bad.json" in window.collection_panel.summary.text()
    trigger("open_collection")
    assert window.collection_panel.path == collection
    assert window.sidebar.currentWidget() is window._collection_page
    trigger("save_request")
    assert asked == ["name"]  # the name is asked for
    window.fix_panel.setFocus()
    trigger("focus_url")
    qtbot.waitUntil(window.editor.url.hasFocus)
    for button, action_id in (
        (window.banner.copy, "copy_message"),
        (window.fix_panel.try_fix, "try_fix"),
    ):
        button.setEnabled(True)  # as after a verdict
        with qtbot.waitSignal(button.clicked):
            trigger(action_id)
    trigger("what_if")
    assert window.what_if.isChecked()
    trigger("what_if")
    assert not window.what_if.isChecked()
    trigger("watch")
    assert window.sidebar.currentWidget() is window._watch_page
    pane = window.watch_pane
    qtbot.waitUntil(pane.url.hasFocus)
    trigger("find_watched")
    qtbot.waitUntil(pane.filter.hasFocus)
    trigger("all_requests")
    assert pane.everything.isChecked()
    trigger("all_requests")
    assert not pane.everything.isChecked()
    for action_id in ("edit_resend", "save_watched", "save_scenario"):  # no row selected
        pane.status.clear()
        trigger(action_id)
        assert pane.status.text() == "Select a request in the list first."
    trigger("show_page")
    assert pane.page_window.isVisible()
    pane.page_window.close()
    trigger("stop_watch")
    assert pane.status.text().startswith("Stopped")
    trigger("sequence")
    assert window.exchange_tabs.currentIndex() == 1
    trigger("side_by_side")
    assert window.exchange_tabs.currentIndex() == 0
    trigger("full_screen")
    qtbot.waitUntil(window.isFullScreen)
    trigger("full_screen")
    qtbot.waitUntil(lambda: not window.isFullScreen())
    size = window.editor.url.fontInfo().pointSizeF()
    trigger("presentation")
    assert window.editor.url.fontInfo().pointSizeF() > size
    trigger("presentation")
    assert window.editor.url.fontInfo().pointSizeF() == size
    for action_id, title in (("keys", "Keyboard shortcuts"), ("about", "About CORS Inspector")):
        trigger(action_id)
        dialog = window.menus.dialog
        assert dialog is not None
        assert dialog.isVisible()
        assert dialog.windowTitle() == title
        dialog.close()
    if callable(getattr(window, "new_tab", None)):
        before = window.tabs.count()
        trigger("new_tab")
        assert window.tabs.count() == before + 1
        trigger("close_tab")
        assert window.tabs.count() == before
    else:  # the request tabs not built yet: their actions wait, disabled
        assert not actions["new_tab"].isEnabled()
        tried |= {"new_tab", "close_tab"}
    trigger("quit")
    qtbot.waitUntil(lambda: not window.isVisible())
    assert tried == {entry.id for entry in ACTIONS}
