"""WatchModel: the Watch pane's live list as a Qt model, a tree of page loads and the requests
each made (corsinspector.app.watching.WatchList holds the rows; this only announces its
changes). Bursts of rows are applied together: one insert for a run of new rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from corsinspector.app.watching import COLUMNS
from corsinspector.app.watchlist import WatchList

if TYPE_CHECKING:
    from collections.abc import Iterable

    from corsinspector.watch.capture import Session, Watched

__all__ = ["WatchModel"]

Index = QModelIndex | QPersistentModelIndex
#: The verdict columns, coloured by the verdict.
_VERDICT_COLUMNS = (4, 5)
#: A request row's internal id is its group's index plus one; a group row's is 0.
_GROUP = 0


class WatchModel(QAbstractItemModel):
    """Page loads (top level, their line spanning the row) and their requests (children)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.list = WatchList(session)
        self.list.rebuild()
        self._bold = QFont()
        self._bold.setBold(True)

    # --- changes ---

    def set_session(self, session: Session) -> None:
        """A new watch: its rows only, through the same filter."""
        self.beginResetModel()
        text, everything = self.list.text, self.list.everything
        self.list = WatchList(session)
        self.list.rebuild(text, everything)
        self.endResetModel()

    def set_filter(self, text: str, everything: bool) -> None:
        """Rows whose method, URL, origin or verdict kind holds ``text``; cross-origin ones
        only unless ``everything``."""
        self.beginResetModel()
        self.list.rebuild(text, everything)
        self.endResetModel()

    def apply(self, changed: Iterable[Watched]) -> None:
        """Rows added or changed in the session (a burst): the list follows, a change at a
        time, each announced to the views."""
        touched: set[int] = set()
        for change in self.list.changes(changed):
            parent = QModelIndex() if change.group < 0 else self.index(change.group, 0)
            if change.kind in ("groups", "insert"):
                self.beginInsertRows(parent, change.first, change.last)
                change.apply()
                self.endInsertRows()
            elif change.kind == "remove":
                self.beginRemoveRows(parent, change.first, change.last)
                change.apply()
                self.endRemoveRows()
            else:
                change.apply()
                last = len(COLUMNS) - 1
                self.dataChanged.emit(
                    self.index(change.first, 0, parent), self.index(change.last, last, parent)
                )
            if change.group >= 0:
                touched.add(change.group)
        for group in touched:  # their lines count their rows
            self.dataChanged.emit(self.index(group, 0), self.index(group, 0))

    # --- reading ---

    def watched_at(self, index: Index) -> Watched | None:
        """The request of a request row (None on a page load's row)."""
        group = int(index.internalId()) - 1 if index.isValid() else -1
        return None if group < 0 else self.list.watched(group, index.row())

    def index_of(self, request_id: str) -> QModelIndex:
        """The row of the request with ``request_id`` (invalid when it is not shown)."""
        where = self.list.position(request_id)
        if where is None:
            return QModelIndex()
        return self.index(where[1], 0, self.index(where[0], 0))

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or int(index.internalId()) == _GROUP:
            return QModelIndex()
        return self.createIndex(int(index.internalId()) - 1, 0, _GROUP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.list.groups)
        if int(parent.internalId()) != _GROUP or parent.column() != 0:
            return 0
        return len(self.list.groups[parent.row()].ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if int(index.internalId()) == _GROUP:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        group = int(index.internalId()) - 1
        if group < 0:
            return self._group_data(index, role)
        row = self.list.row(group, index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip
        if role == Qt.ItemDataRole.FontRole and row.state == "disagree":
            return self._bold
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            return self._colour(row.state, index.column(), role)
        return None

    def _group_data(self, index: Index, role: int) -> object:
        if index.column() != 0 or index.row() >= len(self.list.groups):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.list.group_label(index.row())
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        return None

    @staticmethod
    def _colour(state: str, column: int, role: int) -> QColor | None:
        """A disagreement in the culprit's colours across the row; a verdict's columns in
        the pass or fail colour; a request in flight muted (all 4.5:1 or more)."""
        from .palette import current

        colors = current()
        background = role == Qt.ItemDataRole.BackgroundRole
        if state == "disagree":
            return QColor(colors.culprit[0] if background else colors.culprit[1])
        if background:
            return None
        if state == "pending":
            return QColor(colors.muted)
        if column in _VERDICT_COLUMNS:
            return QColor(colors.passed if state == "allowed" else colors.failed)
        return None
