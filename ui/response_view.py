"""The response side of an exchange: its headers (on the actual response, each marked
readable by script or hidden from script, with why) and its body (pretty JSON or text,
capped), one tab each; tables that size to their rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPlainTextEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .models import HeadersModel

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from corsinspector.app.exchanges import Exposure

    from .models import Index

__all__ = ["FitTable", "ResponseHeadersModel", "ResponseView"]

_ROW = 22
#: Rows a table keeps however small the window: the culprit is scrolled into them.
_MIN_ROWS = 1


class FitTable(QTableView):
    """A header table whose preferred height is its rows (no two-row table hiding the
    culprit when there is room), and whose minimum is a couple of rows; ``keep_visible``
    (the culprit's row) stays in view as it is resized."""

    keep_visible: int | None = None

    def __init__(self, model: HeadersModel, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setModel(model)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(_ROW)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        # values are elided (whole in the tooltip): a scroll bar would cover the last row
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        model.modelReset.connect(self._fit_columns)
        model.rowsInserted.connect(self.updateGeometry)
        model.rowsRemoved.connect(self.updateGeometry)

    def _fit_columns(self) -> None:
        """Name to its contents, the value takes the rest, a third column (Script) to its
        contents."""
        header = self.horizontalHeader()
        columns = header.count()
        header.setStretchLastSection(columns == 2)
        if columns > 2:
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        row = self.keep_visible
        model = self.model()
        if row is not None and model is not None and row < model.rowCount():
            self.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)

    def _height_for(self, rows: int) -> int:
        frame = 2 * self.frameWidth()
        return self.horizontalHeader().sizeHint().height() + rows * _ROW + frame

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        model = self.model()
        rows = model.rowCount() if model is not None else 0
        shown = sum(1 for row in range(rows) if not self.isRowHidden(row))
        return QSize(hint.width(), self._height_for(max(shown, 1)))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), self._height_for(_MIN_ROWS))

    def rows(self) -> int:
        model = self.model()
        return model.rowCount() if model is not None else 0


class ResponseHeadersModel(HeadersModel):
    """Response headers; on the actual response a third column, *Script*: readable by
    script or hidden from script (the reason as its tooltip)."""

    def __init__(self) -> None:
        super().__init__()
        self._exposure: dict[str, Exposure] = {}

    def set_exposure(self, marks: tuple[Exposure, ...]) -> None:
        """The marks of the response's header lines (by name: a what-if edit keeps them);
        () hides the column."""
        self.beginResetModel()
        self._exposure = {mark.name.lower(): mark for mark in marks}
        self.endResetModel()

    def exposure_of(self, row: int) -> Exposure | None:
        index = self.index(row, 0)
        name = super().data(index, Qt.ItemDataRole.EditRole) if index.isValid() else None
        return self._exposure.get(str(name).lower()) if name is not None else None

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return 3 if self._exposure else 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if section == 2 and orientation == Qt.Orientation.Horizontal:
            return "Script" if role == Qt.ItemDataRole.DisplayRole else None
        return super().headerData(section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if index.isValid() and index.column() == 2:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return super().flags(index)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.column() != 2:
            return super().data(index, role)
        mark = self.exposure_of(index.row())
        if mark is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return ("✓ " if mark.readable else "✗ ") + mark.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{mark.name}: {mark.label} — {mark.why}"
        return None


class ResponseView(QWidget):
    """The response's headers, and its body in their place while "Body" is pressed (no tab
    bar: the height goes to the rows)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(f"{name}_response")
        self.model = ResponseHeadersModel()
        self.table = FitTable(self.model, f"{name}_response_headers")
        self.body = QPlainTextEdit()
        self.body.setObjectName(f"{name}_response_body")
        self.body.setReadOnly(True)
        self.body.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.body.setVisible(False)
        self.body_button = QToolButton()
        self.body_button.setObjectName(f"{name}_show_body")
        self.body_button.setText("Body")
        self.body_button.setCheckable(True)
        self.body_button.setEnabled(False)
        self.body_button.setToolTip("Show the response body in place of its headers")
        self.body_button.toggled.connect(self._show_body_or_headers)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.table)
        layout.addWidget(self.body)

    def _show_body_or_headers(self, body: bool) -> None:
        self.body.setVisible(body)
        self.table.setVisible(not body)

    def show_body(self, text: str, size: str) -> None:
        self.body.setPlainText(text)
        self.body_button.setText(f"Body ({size})" if size else "Body")
        self.body_button.setEnabled(True)
        self.body_button.setChecked(False)

    def clear(self) -> None:
        self.model.clear()
        self.body.clear()
        self.body_button.setText("Body")
        self.body_button.setChecked(False)
        self.body_button.setEnabled(False)
