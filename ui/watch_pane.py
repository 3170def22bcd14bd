"""WatchPane: the Watch tab. Type the app's URL and watch it in a real browser: every request
the page makes streams into a live list grouped by page load (cross-origin ones unless "All
requests"; a filter finds rows), each with Chromium's verdict beside ours. A selected row opens
in the inspector (ui/watch_actions.py: the window's side); the page shows in its own window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from corsinspector.app.watching import BROWSERS, PROFILES, browser_choice, count_line, kept_profile
from corsinspector.errors import InputError

from .watch_model import WatchModel
from .watch_runner import WatchRunner

if TYPE_CHECKING:
    from corsinspector.app.tasks import TaskSet
    from corsinspector.watch.capture import Session, Watched

    from .watch_page import PageWindow

__all__ = ["WatchPane"]

#: The filter applies once typing pauses this long.
_FILTER_MS = 150
#: The list's columns' widths at first (method, URL, initiator, preflight, the browser's
#: verdict, ours); the URL and the browser's verdict share what is left.
_WIDTHS = (64, 0, 92, 66, 0, 60)
_STRETCHED = (1, 4)


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


class WatchPane(QWidget):
    #: A request row was selected (its Watched), or a selected row changed.
    row_selected = Signal(object)
    #: The pane's buttons: edit and re-send, what-if, save to collection, save as scenario.
    action_requested = Signal(str, object)  # action id, Watched

    def __init__(self, tasks: TaskSet, *, quiet: bool = True) -> None:
        """``tasks``: where the watch runs; ``quiet``: the embedded Chromium's native
        diagnostics go to a log file."""
        super().__init__()
        self.setObjectName("watch_pane")
        self.runner = WatchRunner(tasks, quiet=quiet)
        self._page_window: PageWindow | None = None
        self.url = QLineEdit()
        self.url.setObjectName("watch_url")
        self.url.setPlaceholderText("Your app's URL, e.g. http://localhost:3000/")
        self.url.setClearButtonEnabled(True)
        self.start = _button("Watch", "watch_start", "Load the page and watch its requests")
        self.stop = _button("Stop", "watch_stop", "Close the browser (the rows stay)")
        self.stop.setEnabled(False)
        self.browser = QComboBox()
        self.browser.setObjectName("watch_browser")
        for label, key in BROWSERS:
            self.browser.addItem(label, key)
        self.browser.setToolTip("The browser the page loads in; every one is watched over DevTools")
        self.address = QLineEdit()
        self.address.setObjectName("watch_address")
        self.address.setPlaceholderText("127.0.0.1:9222")
        self.address.setToolTip("Where the browser's DevTools listen (--remote-debugging-port)")
        self.address.setVisible(False)
        self.profile = QComboBox()
        self.profile.setObjectName("watch_profile")
        for label, _kept in PROFILES:
            self.profile.addItem(label)
        self.profile.setToolTip(
            f"The embedded page's profile; a kept one lives in {kept_profile()}"
        )
        self.show_page = _button("Page", "watch_show_page", "Show the watched page's window")
        self.status = QLabel("Type your app's URL and press Watch.")
        self.status.setObjectName("watch_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.filter = QLineEdit()
        self.filter.setObjectName("watch_filter")
        self.filter.setPlaceholderText("Find: method, URL, origin or error kind")
        self.filter.setClearButtonEnabled(True)
        self.everything = QCheckBox("All requests")
        self.everything.setObjectName("watch_everything")
        self.everything.setToolTip("Same-origin requests too (cross-origin ones only when off)")
        self.model = WatchModel(self._empty_session())
        self.list = QTreeView()
        self.list.setObjectName("watch_list")
        self.list.setModel(self.model)
        self.list.setUniformRowHeights(True)  # 10,000 rows scroll without measuring each
        self.list.setRootIsDecorated(True)
        self.list.setIndentation(10)  # the method column keeps its width for the words
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a URL keeps its path's end
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(36)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(_WIDTHS):
            if column in _STRETCHED:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                header.resizeSection(column, width)
        self.count = QLabel("")
        self.count.setObjectName("watch_count")
        self.count.setWordWrap(True)
        self.buttons = {
            "edit_resend": _button(
                "Edit and re-send", "watch_edit_resend", "Open it as a request tab (Ctrl+Shift+R)"
            ),
            "what_if": _button("What-if", "watch_what_if", "Edit the server's answers offline"),
            "save_watched": _button(
                "Save to collection",
                "watch_save_collection",
                "Add it to the open collection with the verdict it reached (Ctrl+Alt+S)",
            ),
            "save_scenario": _button(
                "Save as scenario…",
                "watch_save_scenario",
                "Write a cors-scenario/1 file: the request and the answers as captured",
            ),
        }
        self._layout()
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(_FILTER_MS)
        self._connect()
        self._set_selected(None)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.url, 1)
        top.addWidget(self.start)
        top.addWidget(self.stop)
        choice = QHBoxLayout()
        choice.addWidget(self.browser, 1)
        choice.addWidget(self.address, 1)
        choice.addWidget(self.profile, 1)
        choice.addWidget(self.show_page)
        find = QHBoxLayout()
        find.addWidget(self.filter, 1)
        find.addWidget(self.everything)
        actions = QHBoxLayout()
        for button in self.buttons.values():
            actions.addWidget(button)
        actions.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for row in (top, choice):
            layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addLayout(find)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count)
        layout.addLayout(actions)

    def _connect(self) -> None:
        self.url.returnPressed.connect(self.watch)
        self.start.clicked.connect(self.watch)
        self.stop.clicked.connect(self.stop_watching)
        self.browser.currentIndexChanged.connect(self._on_browser_changed)
        self.show_page.clicked.connect(self.show_page_window)
        self.filter.textChanged.connect(lambda _text: self._filter_timer.start())
        self._filter_timer.timeout.connect(self._refilter)
        self.everything.toggled.connect(lambda _on: self._refilter())
        self.list.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(self._span_groups)
        self.model.rowsInserted.connect(self._on_rows_inserted)
        runner = self.runner
        runner.session_started.connect(self._on_session_started)
        runner.rows_changed.connect(self._on_rows_changed)
        runner.status.connect(self.say)
        runner.page_changed.connect(self._on_page_changed)
        runner.running_changed.connect(self._on_running_changed)
        for action_id, button in self.buttons.items():
            button.clicked.connect(lambda _c=False, a=action_id: self.request_action(a))

    @staticmethod
    def _empty_session() -> Session:
        from corsinspector.watch.capture import Session

        return Session()

    # --- watching ---

    def watch(self) -> None:
        """Watch the URL typed, in the browser chosen."""
        url = self.url.text().strip()
        if not url:
            self.say("Type your app's URL first.", True)
            self.url.setFocus()
            return
        if "://" not in url:
            from corsinspector.app.paste import with_scheme

            url = with_scheme(url)
            self.url.setText(url)
        try:
            choice = browser_choice(str(self.browser.currentData()), self.address.text())
        except InputError as exc:
            self.say(str(exc), True)
            self.address.setFocus()
            return
        kept = PROFILES[self.profile.currentIndex()][1]
        self.runner.watch(url, choice, kept_profile() if kept else None)

    def stop_watching(self) -> None:
        self.runner.stop()
        self.say("Stopped: the rows stay until the next watch.", False)

    def _on_browser_changed(self, _index: int) -> None:
        key = self.browser.currentData()
        self.address.setVisible(key == "cdp")
        self.profile.setEnabled(key == "embedded")  # the others have their own profiles

    def _on_running_changed(self, running: bool) -> None:
        self.stop.setEnabled(running)
        self.browser.setEnabled(not running)
        self.address.setEnabled(not running)
        self.profile.setEnabled(not running and self.browser.currentData() == "embedded")

    def say(self, text: str, problem: bool = False) -> None:
        """A line on what the watch does, or what went wrong (in the fail colour)."""
        from .palette import current

        self.status.setStyleSheet(f"color:{current().failed};" if problem else "")
        self.status.setText(text)

    def _on_session_started(self, session: Session) -> None:
        """A new watch: a new list (the old rows go, nothing stale stays)."""
        self.model.set_session(session)
        self._expand_all()
        self._set_selected(None)
        self._count()

    def _on_rows_changed(self, rows: list[Watched]) -> None:
        """A batch of rows: applied in one go, the new page loads expanded; the selected row
        shown again when it changed."""
        groups = self.model.rowCount()
        self.model.apply(rows)
        for group in range(groups, self.model.rowCount()):
            self.list.expand(self.model.index(group, 0))
        selected = self.selected()
        if selected is not None and any(row.id == selected.id for row in rows):
            self._set_selected(selected)
        self._count()

    def _refilter(self) -> None:
        selected = self.selected()
        self.model.set_filter(self.filter.text(), self.everything.isChecked())
        self._expand_all()
        if selected is not None:
            index = self.model.index_of(selected.id)
            if index.isValid():
                self.list.setCurrentIndex(index)
        self._set_selected(self.selected())
        self._count()

    def _expand_all(self) -> None:
        self.list.expandAll()

    def _on_rows_inserted(self, parent: QModelIndex, _first: int, _last: int) -> None:
        if not parent.isValid():  # page loads
            self._span_groups()

    def _span_groups(self) -> None:
        """Each page load's line spans the row (its URL is longer than the first column)."""
        for group in range(self.model.rowCount()):
            self.list.setFirstColumnSpanned(group, QModelIndex(), True)

    def _count(self) -> None:
        rows = self.model.list
        session = rows.session
        self.count.setText(
            count_line(
                len(rows), len(session), session.dropped, rows.disagreements(), rows.everything
            )
        )

    # --- the selected row ---

    def selected(self) -> Watched | None:
        """The request row selected now (its latest version), if any."""
        watched = self.model.watched_at(self.list.currentIndex())
        return None if watched is None else self.model.list.session.get(watched.id)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._set_selected(self.model.watched_at(current))

    def _set_selected(self, watched: Watched | None) -> None:
        for button in self.buttons.values():
            button.setEnabled(watched is not None and watched.done)
        if watched is not None:
            self.row_selected.emit(watched)

    def request_action(self, action_id: str) -> None:
        """One of the pane's actions on the selected row (the window carries it out)."""
        watched = self.selected()
        if watched is None:
            self.say("Select a request in the list first.", True)
            return
        if not watched.done:
            self.say("That request is still in flight: wait for its verdict.", True)
            return
        self.action_requested.emit(action_id, watched)

    def select(self, request_id: str) -> bool:
        """Select the row of the request with ``request_id`` (False when it is not shown)."""
        index = self.model.index_of(request_id)
        if index.isValid():
            self.list.setCurrentIndex(index)
            self.list.scrollTo(index)
        return index.isValid()

    # --- the page's window ---

    def _on_page_changed(self, page: object) -> None:
        """The embedded page arrived (its window shows, for the user to work in), or is about
        to close (out of its view first)."""
        if page is None:
            if self._page_window is not None:
                self._page_window.set_page(None)
                self._page_window.close()  # no page left to show
            return
        self.page_window.set_page(page)  # type: ignore[arg-type]
        self.show_page_window()

    @property
    def page_window(self) -> PageWindow:
        """The watched page's own window, made when first needed."""
        if self._page_window is None:
            from .watch_page import PageWindow

            self._page_window = PageWindow()
        return self._page_window

    def show_page_window(self) -> None:
        window = self.page_window
        window.show()
        window.activateWindow()
