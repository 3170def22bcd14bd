"""HistoryPanel: the sidebar's History tab — every inspection with its time, newest first, a
search box, a "Blocked only" filter and Clear (after a confirmation); a click opens one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from corsinspector import Request, Verdict
    from corsinspector.app.history import History, HistoryEntry

__all__ = ["HistoryPanel"]

#: How many entries the list shows (the database keeps more: search finds them).
SHOWN = 200


class HistoryPanel(QWidget):
    #: Open this entry: its request, its verdict when this session has it (else None), and
    #: the demo scenario it went to (else None).
    entry_opened = Signal(object, object, object)

    def __init__(self, store: History | None = None) -> None:
        """``store``: the database (None: one in memory, made at the first entry)."""
        super().__init__()
        self.setObjectName("history_panel")
        self.store = store
        self.entries: list[HistoryEntry] = []
        #: This session's verdicts, by entry id (older entries bring back the request only).
        self._verdicts: dict[int, Verdict] = {}
        hint = QLabel(
            "Every inspection you send, newest first, kept across sessions. "
            "Click one to load it again."
        )
        hint.setWordWrap(True)
        hint.setObjectName("history_hint")
        self.search = QLineEdit()
        self.search.setObjectName("history_search")
        self.search.setPlaceholderText("Search URL, method, origin, verdict…")
        self.search.setClearButtonEnabled(True)
        self.blocked_only = QCheckBox("Blocked only")
        self.blocked_only.setObjectName("history_blocked_only")
        self.clear_button = QPushButton("Clear…")
        self.clear_button.setObjectName("history_clear")
        self.clear_button.setToolTip("Forget every inspection in the history")
        self.list = QListWidget()
        self.list.setObjectName("history")
        self.list.setAlternatingRowColors(True)
        # a narrow sidebar: each line elided in the middle (the time and the path's end stay),
        # the whole entry as its tooltip; no sideways scrolling
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        filters = QHBoxLayout()
        filters.addWidget(self.blocked_only)
        filters.addStretch(1)
        filters.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.list, 1)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)  # search as the user types, not on every key
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.blocked_only.toggled.connect(self.refresh)
        self.clear_button.clicked.connect(self._on_clear_clicked)
        self._just_opened: int | None = None  # a click also makes its row current
        self.list.currentRowChanged.connect(self._on_current_row_changed)
        self.list.itemClicked.connect(lambda item: self._on_clicked(self.list.row(item)))
        if store is not None:
            self.refresh()

    def _store(self) -> History:
        if self.store is None:
            from corsinspector.app.history import History

            self.store = History.in_memory()
        return self.store

    def _filtered(self) -> bool:
        return bool(self.search.text()) or self.blocked_only.isChecked()

    def add(self, kept: list[tuple[Request, Verdict, str | None]]) -> None:
        """This session's inspections (oldest first), kept and listed at the top."""
        if not kept:
            return
        new = self._store().add_many(kept)  # one transaction
        for entry, (_, verdict, _) in zip(new, kept, strict=True):
            self._verdicts[entry.id] = verdict
        if len(self._verdicts) > SHOWN:
            for stale in sorted(self._verdicts)[: len(self._verdicts) - SHOWN]:
                del self._verdicts[stale]
        if self._filtered():
            self._search_timer.start()
            return
        from corsinspector.app.history import entry_text, entry_tooltip

        self.list.setUpdatesEnabled(False)
        self.list.blockSignals(True)
        for entry in new:  # oldest first: the newest ends on top
            self.entries.insert(0, entry)
            self.list.insertItem(0, entry_text(entry))
            self.list.item(0).setToolTip(entry_tooltip(entry))
        del self.entries[SHOWN:]
        while self.list.count() > SHOWN:
            self.list.takeItem(self.list.count() - 1)
        self.list.blockSignals(False)
        self.list.setUpdatesEnabled(True)

    def refresh(self) -> None:
        """List what the search box and the filter let through, newest first."""
        from corsinspector.app.history import entry_text, entry_tooltip

        if self.store is None:
            self.entries = []
        else:
            self.entries = self.store.search(
                self.search.text(), SHOWN, blocked_only=self.blocked_only.isChecked()
            )
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems([entry_text(entry) for entry in self.entries])
        for row, entry in enumerate(self.entries):
            self.list.item(row).setToolTip(entry_tooltip(entry))
        self.list.blockSignals(False)

    def _on_current_row_changed(self, row: int) -> None:
        self._just_opened = row
        self._open(row)

    def _on_clicked(self, row: int) -> None:
        """A single click opens an entry, the current one too (opened once, not twice)."""
        if row != self._just_opened:
            self._open(row)
        self._just_opened = None

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            entry = self.entries[row]
            self.entry_opened.emit(entry.request, self._verdicts.get(entry.id), entry.scenario)

    def _on_clear_clicked(self) -> None:
        answer = QMessageBox.question(
            self,
            "Clear the history",
            "Forget every inspection in the history? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.clear()

    def clear(self) -> None:
        """Forget every inspection (no question asked: Clear… asks first)."""
        if self.store is not None:
            self.store.clear()
        self._verdicts.clear()
        self.entries = []
        self.list.clear()
