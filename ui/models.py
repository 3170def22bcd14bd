"""Qt item models over the core's data: no CORS logic here, only presentation."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

if TYPE_CHECKING:
    from corsinspector import Headers

__all__ = ["HeaderRow", "HeadersModel", "Roles"]

Index = QModelIndex | QPersistentModelIndex
# The culprit, what-if and muted colours come from the one table (corsinspector.app.colors),
# for the theme shown now: _colour("culprit", 0) is the culprit row's background.
#: What marks a what-if edit in its cell, besides bold and the violet background.
EDIT_MARK = "✎ "


class Roles(IntEnum):
    """Custom data roles, read by tests and delegates."""

    Culprit = Qt.ItemDataRole.UserRole + 1
    Missing = Qt.ItemDataRole.UserRole + 2
    BrowserAdded = Qt.ItemDataRole.UserRole + 3
    #: The cell differs from what the server sent (a what-if edit, or a row added).
    Edited = Qt.ItemDataRole.UserRole + 4


class HeaderRow:
    __slots__ = ("browser_added", "culprit", "missing", "name", "sent", "value")

    def __init__(
        self,
        name: str,
        value: str,
        *,
        culprit: bool = False,
        missing: bool = False,
        browser_added: bool = False,
    ) -> None:
        self.name = name
        self.value = value
        self.culprit = culprit
        self.missing = missing
        self.browser_added = browser_added
        #: The line as received (None: the user added it, or it is a missing placeholder).
        self.sent: tuple[str, str] | None = None if missing else (name, value)

    def edited(self, column: int) -> bool:
        """Does this cell differ from what was received (what-if)?"""
        if self.sent is None:
            return not self.missing
        return (self.name, self.value)[column] != self.sent[column]


class HeadersModel(QAbstractTableModel):
    """The header lines of one request or response; the culprit row highlighted, a missing
    culprit shown as a placeholder row."""

    #: The user changed a header line (what-if mode).
    headers_edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[HeaderRow] = []
        self.editable = False
        #: Browser-added headers shown muted (lower case); the CORS ones are not in it.
        self.muted_names: frozenset[str] = frozenset()
        #: A culprit row's tooltip (None: "this header decided the block").
        self.culprit_tip: str | None = None
        #: Received lines removed by the user (what-if), until the next set_headers.
        self.removed = 0

    def headers(self) -> Headers:
        """The header lines shown, without the placeholder of a missing one."""
        return tuple((row.name, row.value) for row in self._rows if not row.missing)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if self.editable and index.isValid():
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not (self.editable and index.isValid() and role == Qt.ItemDataRole.EditRole):
            return False
        row = self._rows[index.row()]
        text = str(value)
        if index.column() == 0:
            row.name = text
        else:
            row.value = "" if row.missing and text == "(missing)" else text
        row.missing = False
        self.dataChanged.emit(index, index)
        self.headers_edited.emit()
        return True

    def add_row(self, name: str = "X-New", value: str = "") -> None:
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        added = HeaderRow(name, value)
        added.sent = None  # the user's own line, not the server's
        self._rows.append(added)
        self.endInsertRows()
        self.headers_edited.emit()

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            if self._rows[row].sent is not None:
                self.removed += 1
            del self._rows[row]
            self.endRemoveRows()
            self.headers_edited.emit()

    def set_headers(
        self,
        headers: Headers,
        *,
        culprit: str | None = None,
        culprit_missing: bool = False,
        browser_added: frozenset[str] = frozenset(),
    ) -> None:
        self.beginResetModel()
        self.removed = 0
        wanted = culprit.lower() if culprit else None
        self._rows = [
            HeaderRow(
                name,
                value,
                culprit=wanted is not None and name.lower() == wanted,
                browser_added=name.lower() in browser_added,
            )
            for name, value in headers
        ]
        if culprit and culprit_missing and not any(r.culprit for r in self._rows):
            self._rows.append(HeaderRow(culprit, "(missing)", culprit=True, missing=True))
        self.endResetModel()

    def clear(self) -> None:
        self.set_headers(())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Header", "Value")[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.EditRole:
            return row.name if index.column() == 0 else row.value
        if row.sent != (row.name, row.value) and row.edited(index.column()):
            edited = self._edited_data(row, index.column(), role)
            if edited is not None:
                return edited
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = row.name if index.column() == 0 else row.value
            if role == Qt.ItemDataRole.ToolTipRole and row.culprit:
                return (
                    f"{text} — {self.culprit_tip or 'this header decided the block'}"
                    if not row.missing
                    else (f"{row.name} is missing: this is why the browser blocked the request")
                )
            return text
        if role == Roles.Culprit:
            return row.culprit
        if role == Roles.Missing:
            return row.missing
        if role == Roles.BrowserAdded:
            return row.browser_added
        if role == Roles.Edited:
            return False
        if role == Qt.ItemDataRole.BackgroundRole and row.culprit:
            return QBrush(_colour("culprit", 0))
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.culprit:
                return QBrush(_colour("culprit", 1))
            if row.browser_added and row.name.lower() in self.muted_names:
                return QBrush(_muted_text())
        if role == Qt.ItemDataRole.FontRole and (row.culprit or row.missing):
            from PySide6.QtGui import QFont  # first needed when a verdict is shown

            font = QFont()
            font.setBold(row.culprit)
            font.setItalic(row.missing)
            return font
        return None

    def _edited_data(self, row: HeaderRow, column: int, role: int) -> object:
        """A what-if edit's look: the mark, bold on violet, the received line as tooltip."""
        if role == Qt.ItemDataRole.DisplayRole:
            return EDIT_MARK + (row.name, row.value)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            from corsinspector.app.whatif import edit_note

            return edit_note(row.sent)
        if role == Roles.Edited:
            return True
        if role == Qt.ItemDataRole.BackgroundRole and not row.culprit:
            return QBrush(_colour("edited", 0))
        if role == Qt.ItemDataRole.ForegroundRole and not row.culprit:
            return QBrush(_colour("edited", 1))
        if role == Qt.ItemDataRole.FontRole:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    def edit_count(self) -> int:
        """How many lines differ from what was received: edited, added or removed."""
        edited = sum(1 for row in self._rows if row.edited(0) or row.edited(1))
        return edited + self.removed

    def mark_culprit(self, culprit: str | None) -> None:
        """Highlight another culprit without resetting the rows (the user may be editing)."""
        wanted = culprit.lower() if culprit else None
        for row in self._rows:
            row.culprit = wanted is not None and row.name.lower() == wanted
        if self._rows:
            top, bottom = self.index(0, 0), self.index(len(self._rows) - 1, 1)
            self.dataChanged.emit(top, bottom)

    def culprit_row(self) -> int | None:
        return next((i for i, row in enumerate(self._rows) if row.culprit), None)


def _muted_text() -> QColor:
    """The muted text colour (browser plumbing: Host, Connection …) of the theme shown now."""
    from .palette import current

    return QColor(current().muted)


def _colour(name: str, which: int) -> QColor:
    """``culprit`` or ``edited``: its background (0) or text (1) in the theme shown now."""
    from .palette import current

    colors = current()
    pair = colors.culprit if name == "culprit" else colors.edited
    return QColor(pair[which])
