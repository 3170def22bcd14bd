"""RequestTabs: several requests open at once, as tabs above the request editor (Ctrl+T new,
Ctrl+W close); each keeps its fields and its verdict, kept across restarts in the settings;
an edit after a verdict marks the verdict stale."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import QGraphicsOpacityEffect, QMenuBar, QTabBar

from corsinspector.errors import CorsInspectorError

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from corsinspector import Request, Verdict

    from .mainwindow import MainWindow

__all__ = ["RequestTabs"]

_KEY = "tabs/open"
_SAVE_AFTER_MS = 400
_MAX_WIDTH = 640
_ids = itertools.count(1)


class _Tab:
    """One open request: its fields as typed, its verdict, whether an edit made it stale.
    A plain class: a dataclass would load the dataclasses module before the first paint."""

    __slots__ = ("fields", "id", "request", "stale", "verdict")

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields
        self.verdict: Verdict | None = None
        #: The request that verdict judged (what-if and Try this fix start from both).
        self.request: Request | None = None
        self.stale = False
        self.id = next(_ids)


class RequestTabs(QTabBar):
    """The open requests; the window's editor and verdict panes show the current one's."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.setObjectName("request_tabs")
        self.setTabsClosable(True)
        self.setExpanding(False)
        self.setDocumentMode(True)
        self.setUsesScrollButtons(True)
        self.setElideMode(Qt.TextElideMode.ElideMiddle)
        self._window = window
        self._tabs: list[_Tab] = []
        self._shown = -1
        self._sender: int | None = None
        self._dim = QGraphicsOpacityEffect(window.banner)
        self._dim.setOpacity(0.45)
        self._dim.setEnabled(False)
        window.banner.setGraphicsEffect(self._dim)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(_SAVE_AFTER_MS)
        self._save_timer.timeout.connect(self.save)
        self.currentChanged.connect(self._on_current_changed)
        self.tabCloseRequested.connect(self.close_tab)
        window.editor.edited.connect(self._on_edited)
        # another request loaded (the gallery, the history): the verdict on screen is not its
        # own until one is shown for it
        window.editor.loaded.connect(self._on_loaded)
        self._switching = False
        # the title follows the URL and method, typed or loaded (the gallery, the history)
        window.editor.url.textChanged.connect(self._retitle)
        window.editor.method.currentTextChanged.connect(self._retitle)
        window.editor.filled.connect(lambda line: window.statusBar().showMessage(line))

    def minimumSizeHint(self) -> QSize:
        """As wide as its tabs, up to a cap: in the menu bar's corner a tab bar gets only
        its minimum, and a tab squeezed behind scroll arrows names nothing."""
        hint = super().sizeHint()
        return QSize(min(hint.width(), _MAX_WIDTH), hint.height())

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def tabInserted(self, index: int) -> None:
        super().tabInserted(index)
        self._fit()

    def tabRemoved(self, index: int) -> None:
        super().tabRemoved(index)
        self._fit()

    def _fit(self) -> None:
        """The menu bar lays its corner out again (it does not on a size hint's change)."""
        self.updateGeometry()
        bar = self.parentWidget()
        if isinstance(bar, QMenuBar):
            bar.setCornerWidget(self, Qt.Corner.TopLeftCorner)

    # --- the tabs -------------------------------------------------------------------------

    @property
    def stale(self) -> bool:
        """Has the current tab's request changed since its verdict?"""
        return 0 <= self._shown < len(self._tabs) and self._tabs[self._shown].stale

    def fields(self) -> list[dict[str, Any]]:
        """Every tab's fields (the current one's as the editor holds them now)."""
        self._keep_current()
        return [tab.fields for tab in self._tabs]

    def new_tab(self, fields: dict[str, Any] | None = None) -> int:
        """Open a tab (empty, or on ``fields``) and make it current."""
        self._keep_current()
        tab = _Tab(fields if fields is not None else {"url": "", "headers": []})
        self._tabs.append(tab)
        index = self.addTab(self._title(tab))
        self.setCurrentIndex(index)
        self._save_soon()
        return index

    def close_tab(self, index: int) -> None:
        """Close tab ``index``; the last tab is emptied instead (there is always one)."""
        if not 0 <= index < len(self._tabs):
            return
        if len(self._tabs) == 1:
            self._tabs[0] = _Tab({"url": "", "headers": []})
            self._shown = -1
            self._on_current_changed(0)
            self._save_soon()
            return
        self._keep_current()
        self._tabs.pop(index)
        self._shown = -1  # the one shown may be the one gone: load whichever is current
        self.blockSignals(True)
        self.removeTab(index)
        self.blockSignals(False)
        self._on_current_changed(self.currentIndex())
        self._save_soon()

    def close_current(self) -> None:
        self.close_tab(self.currentIndex())

    def _title(self, tab: _Tab) -> str:
        from corsinspector.app.tabstate import tab_title

        return tab_title(tab.fields)

    def _retitle(self, *_: object) -> None:
        from corsinspector.app.tabstate import tab_title

        if 0 <= self._shown < len(self._tabs):
            editor = self._window.editor
            fields = {"method": editor.method.currentText(), "url": editor.url.text()}
            self.setTabText(self._shown, tab_title(fields))
            self._fit()

    def _keep_current(self) -> None:
        if 0 <= self._shown < len(self._tabs):
            self._tabs[self._shown].fields = self._window.editor.fields()

    def _on_current_changed(self, index: int) -> None:
        if index == self._shown or not 0 <= index < len(self._tabs):
            return
        self._keep_current()
        self._shown = index
        tab = self._tabs[index]
        window = self._window
        self._load(tab.fields)
        if tab.verdict is not None:
            stale = tab.stale
            window.show_verdict(tab.verdict)  # its hook marks the verdict fresh …
            tab.stale = stale  # … but the tab's own state holds
        else:
            self._show_no_verdict()
        self._mark(tab.stale)
        self._save_soon()

    def _show_no_verdict(self) -> None:
        window = self._window
        banner = window.banner
        banner.title.setText("Press Send (Ctrl+Enter) to inspect the request")
        banner.message.setText("")
        banner.copy.setEnabled(False)
        banner._set_state("idle")
        window.preflight_view.show_exchange(None, None, "Not sent yet.")
        window.actual_view.show_exchange(None, None, "Not sent yet.")
        panel = window.fix_panel
        panel.show_fix(None, "")
        panel._judged = False  # not "nothing to fix": there is no verdict yet
        panel._render()

    # --- verdicts ---------------------------------------------------------------------------

    def sent(self) -> None:
        """The current tab's request went out: its verdict comes back to it."""
        if 0 <= self._shown < len(self._tabs):
            self._sender = self._tabs[self._shown].id

    def verdict_arrived(self, verdict: Verdict) -> bool:
        """Keep ``verdict`` with the tab that sent it; True when that tab is the current one
        (the window shows it), False when the user has moved to another tab meanwhile."""
        for index, tab in enumerate(self._tabs):
            if tab.id == self._sender:
                tab.verdict, tab.stale = verdict, False
                tab.request = self._window.controller.last_request
                return index == self._shown
        return True

    def shown(self, verdict: Verdict) -> None:
        """A verdict is on screen for the current tab's request (sent, or loaded from the
        history or a collection): it is this tab's, and fresh."""
        if 0 <= self._shown < len(self._tabs):
            tab = self._tabs[self._shown]
            if verdict is not tab.verdict:
                tab.request = self._request_for(verdict)
            tab.verdict, tab.stale = verdict, False
        self._mark(False)
        self._save_soon()

    def _request_for(self, verdict: Verdict) -> Request | None:
        """The request ``verdict`` judged: the last one sent, or the one in the editor (a
        verdict opened from the history or a collection loads its request there first)."""
        controller = self._window.controller
        if verdict is controller.last_verdict:
            return controller.last_request
        try:
            return self._window.editor.request()
        except CorsInspectorError:
            return None

    def judged(self) -> tuple[Request, Verdict] | None:
        """The current tab's verdict and the request it judged: what-if and Try this fix
        work on what is on screen, not on the last request sent from any tab."""
        if not 0 <= self._shown < len(self._tabs):
            return None
        tab = self._tabs[self._shown]
        if tab.request is None or tab.verdict is None:
            return None
        return tab.request, tab.verdict

    def _load(self, fields: dict[str, Any]) -> None:
        self._switching = True
        try:
            self._window.editor.load_fields(fields)
        finally:
            self._switching = False

    def _on_loaded(self) -> None:
        if not self._switching:
            self._on_edited()

    def _on_edited(self) -> None:
        if not 0 <= self._shown < len(self._tabs):
            return
        tab = self._tabs[self._shown]
        tab.fields = self._window.editor.fields()
        if tab.verdict is not None and not tab.stale:
            tab.stale = True
            self._mark(True)
        self._save_soon()

    def _mark(self, stale: bool) -> None:
        """Dim the banner and say so (under the URL and in the status bar), or undo it."""
        from corsinspector.app.paste import STALE_LINE

        self._dim.setEnabled(stale)
        editor = self._window.editor
        if stale:
            editor.show_note(STALE_LINE)
            self._window.statusBar().showMessage(STALE_LINE)
        elif editor.note.text() == STALE_LINE:
            editor.show_note("")

    # --- across restarts --------------------------------------------------------------------

    def _save_soon(self) -> None:
        self._save_timer.start()

    def save(self) -> None:
        from corsinspector.app.tabstate import tabs_json

        self._save_timer.stop()
        self._window.settings.setValue(_KEY, tabs_json(self.fields(), max(self._shown, 0)))

    def restore(self, settings: QSettings) -> bool:
        """The tabs open at the last close, or a tab on the last request sent; False (one
        empty tab) when there were none."""
        from corsinspector.app.tabstate import tabs_from_json

        kept = settings.value(_KEY)
        tabs, current = tabs_from_json(kept) if isinstance(kept, str) else ([], 0)
        if not tabs:
            tabs = self._last_request(settings)
        self.blockSignals(True)
        for fields in tabs or [{"url": "", "headers": []}]:
            tab = _Tab(fields)
            self._tabs.append(tab)
            self.addTab(self._title(tab))
        self.setCurrentIndex(current)
        self.blockSignals(False)
        self._load(self._tabs[current].fields)
        self._shown = current
        return bool(tabs)

    @staticmethod
    def _last_request(settings: QSettings) -> list[dict[str, Any]]:
        import contextlib

        from corsinspector.errors import InputError

        last = settings.value("request/last")
        if not isinstance(last, str):
            return []
        from corsinspector.app.workspace import request_from_json

        with contextlib.suppress(ValueError, InputError):  # stale or damaged: start empty
            request = request_from_json(last)
            return [
                {
                    "method": request.method,
                    "url": request.url,
                    "origin": request.origin,
                    "credentials": request.credentials,
                    "mode": request.mode,
                    "body": request.body,
                    "headers": [[n, v, True] for n, v in request.headers],
                }
            ]
        return []
