"""The menu bar (File, Edit, Request, View, Help) and its QActions, owned here, made from the
action table in ``corsinspector.app.actions``; the header tables' copy menu; full screen and
presentation mode."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QTableView, QWidget

from corsinspector.app.actions import ACTIONS, MENUS, keys_text

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Menus", "install_copy_menu", "row_texts"]

#: Presentation mode's text, beside the normal size.
PRESENTATION_SCALE = 1.5


class Menus:
    """Builds the window's menu bar once; ``actions`` holds every QAction by its id.

    ``slots`` maps an action's id to what it runs (a checkable action's slot gets the new
    state); full screen and Help are its own. An id without a slot gives a disabled action
    (a part of the window not built yet, such as the request tabs)."""

    def __init__(self, window: QMainWindow, slots: dict[str, Callable[..., object]]) -> None:
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.dialog: QMessageBox | None = None
        #: In presentation mode: the widgets scaled one by one, with their normal size.
        self._scaled_by_hand: list[tuple[QWidget, float]] | None = None
        own: dict[str, Callable[..., object]] = {
            "full_screen": self.set_full_screen,
            "keys": self.show_keys,
            "about": self.show_about,
        }
        slots = {**own, **slots}
        bar = window.menuBar()
        menus = {name: bar.addMenu(f"&{name}") for name in MENUS}
        for entry in ACTIONS:
            menu = menus[entry.menu]
            if entry.separated:
                menu.addSeparator()
            qaction = QAction(entry.label, window)
            qaction.setObjectName(f"action_{entry.id}")
            qaction.setShortcuts([QKeySequence(keys) for keys in entry.keys])
            qaction.setToolTip(entry.tip)
            qaction.setStatusTip(entry.tip)
            qaction.setCheckable(entry.checkable)
            slot = slots.get(entry.id)
            if slot is None:
                qaction.setEnabled(False)
            elif entry.checkable:
                qaction.toggled.connect(slot)
            else:
                qaction.triggered.connect(lambda _checked=False, run=slot: run())
            menu.addAction(qaction)
            window.addAction(qaction)  # its keys work with the menu bar hidden (full screen)
            self.actions[entry.id] = qaction

    def add_menu_after(self, action_id: str, menu: QMenu) -> None:
        """``menu`` as a submenu just after the action ``action_id``, in that action's menu."""
        action = self.actions[action_id]
        for owner in action.associatedObjects():
            if isinstance(owner, QMenu):
                listed = owner.actions()
                after = listed.index(action) + 1
                if after < len(listed):
                    owner.insertMenu(listed[after], menu)
                else:
                    owner.addMenu(menu)
                return

    def show_keys(self) -> None:
        """Help → Keyboard shortcuts: every action and its keys (not modal to the app)."""
        self._message("Keyboard shortcuts", keys_text(), fixed=True)

    def show_about(self) -> None:
        self._message(
            "About CORS Inspector",
            "CORS Inspector shows why a browser blocks a cross-origin request, and how to fix "
            "the server. Its verdicts are measured against real Chromium.",
        )

    def _message(self, title: str, text: str, *, fixed: bool = False) -> None:
        box = QMessageBox(self.window)
        box.setObjectName("help_dialog")
        box.setWindowTitle(title)
        if fixed:
            box.setTextFormat(Qt.TextFormat.RichText)
            text = "<pre>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</pre>"
        box.setText(text)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = box
        box.open()

    def set_full_screen(self, on: bool) -> None:
        """F11: the window fills the screen, and back."""
        window = self.window
        state = window.windowState()
        if on:
            window.setWindowState(state | Qt.WindowState.WindowFullScreen)
        else:
            window.setWindowState(state & ~Qt.WindowState.WindowFullScreen)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: the whole window's text larger. The window's font reaches every
        widget that inherits it; a widget under a style sheet (which stops the inheritance)
        or with its own font (the fix's monospace) is scaled by itself, and put back after."""
        window = self.window
        if on == (self._scaled_by_hand is not None):
            return
        if on:
            widgets = window.findChildren(QWidget)
            before = [(widget, widget.font().pointSizeF()) for widget in widgets]
            font = window.font()
            font.setPointSizeF(QGuiApplication.font().pointSizeF() * PRESENTATION_SCALE)
            window.setFont(font)
            self._scaled_by_hand = []
            for widget, size in before:
                if size > 0 and widget.font().pointSizeF() == size:
                    own = widget.font()
                    own.setPointSizeF(size * PRESENTATION_SCALE)
                    widget.setFont(own)
                    self._scaled_by_hand.append((widget, size))
            return
        scaled, self._scaled_by_hand = self._scaled_by_hand or [], None
        window.setFont(QGuiApplication.font())
        for widget, size in scaled:
            with contextlib.suppress(RuntimeError):  # a widget deleted meanwhile
                own = widget.font()
                own.setPointSizeF(size)
                widget.setFont(own)


def row_texts(view: QTableView, row: int) -> tuple[str, str]:
    """The name and the value of a header table's row, as shown."""
    model = view.model()
    name = model.data(model.index(row, 0))
    value = model.data(model.index(row, 1))
    return ("" if name is None else str(name), "" if value is None else str(value))


def install_copy_menu(view: QTableView) -> None:
    """Right-click a header row: copy its name, its value, or the row as ``Name: value``."""
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def show(point: QPoint) -> None:
        index = view.indexAt(point)
        if not index.isValid():
            return
        menu = copy_menu(view, index.row())
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(view.viewport().mapToGlobal(point))

    view.customContextMenuRequested.connect(show)


def copy_menu(view: QTableView, row: int) -> QMenu:
    """The copy menu of ``row``: Copy name, Copy value, Copy row."""
    name, value = row_texts(view, row)
    menu = QMenu(view)
    menu.setObjectName("header_menu")
    clipboard = QGuiApplication.clipboard()
    for label, text in (
        ("Copy &name", name),
        ("Copy &value", value),
        ("Copy the &row", f"{name}: {value}"),
    ):
        menu.addAction(label).triggered.connect(
            lambda _checked=False, copied=text: clipboard.setText(copied)
        )
    return menu
