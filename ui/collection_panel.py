"""CollectionPanel: open a collection, pick an environment, replay it with a results table
that fills in as answers arrive (batched, in collection order, pass or fail as an icon and a
word), open a result with one click, and save the current request into it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from corsinspector.app.results import COLUMNS, ResultRow, ResultSlots, pending_row, result_row

if TYPE_CHECKING:
    from corsinspector import Collection, ItemResult, Variable

__all__ = ["CollectionPanel", "ResultsModel"]

Index = QModelIndex | QPersistentModelIndex
_COLORED = (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ForegroundRole)


def _status_icon(color: str) -> QIcon:
    """A filled disc in the theme's pass or fail colour (the text says it too)."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 0))
    painter.setBrush(QColor(color))
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


class ResultsModel(QAbstractTableModel):
    """Replay results in collection order: a row per item from the start (its name), filled
    as its answer comes, in batches (one change per batch)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []
        self._rows: list[ResultRow] = []
        self._results: list[ItemResult | None] = []
        self._slots = ResultSlots([])
        self._icons: dict[str, QIcon] = {}

    @property
    def results(self) -> list[ItemResult]:
        """The answers so far, in collection order."""
        return [result for result in self._results if result is not None]

    def result_at(self, row: int) -> ItemResult | None:
        return self._results[row] if 0 <= row < len(self._results) else None

    def set_items(self, paths: list[str]) -> None:
        """The collection's items, each a row waiting for its answer."""
        self.beginResetModel()
        self.paths = list(paths)
        self._rows = [pending_row(path) for path in self.paths]
        self._results = [None] * len(self.paths)
        self._slots = ResultSlots(self.paths)
        self.endResetModel()

    def clear(self) -> None:
        """Every row waiting again (a new replay)."""
        self.set_items(self.paths)

    def append(self, batch: list[ItemResult]) -> None:
        """Answers, in whatever order they came: each fills its item's row."""
        changed: list[int] = []
        extra: list[ItemResult] = []
        for result in batch:
            row = self._slots.place(result.path)
            if row is None:  # not an item of the table's collection: a row at the end
                extra.append(result)
                continue
            self._results[row] = result
            self._rows[row] = result_row(result)
            changed.append(row)
        if changed:
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), last))
        if extra:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(extra) - 1)
            for result in extra:
                self.paths.append(result.path)
                self._results.append(result)
                self._rows.append(result_row(result))
            self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole row, however narrow the columns
            return row.tooltip
        if index.column() == 0 and row.status != "pending" and role in _COLORED:
            from .palette import current  # the theme shown now (pass and fail, 4.5:1 or more)

            colors = current()
            color = colors.passed if row.status == "pass" else colors.failed
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(color)
            if color not in self._icons:
                self._icons[color] = _status_icon(color)
            return self._icons[color]
        if role == Qt.ItemDataRole.FontRole and row.status == "fail" and index.column() == 0:
            font = QFont()
            font.setBold(True)
            return font
        return None


class CollectionPanel(QWidget):
    #: Replay the open collection with these variables.
    run_requested = Signal(object, object)  # Collection, dict[str, str]
    #: Stop the replay.
    cancel_requested = Signal()
    #: Open this result in the inspector.
    result_opened = Signal(object)  # ItemResult
    #: Save the inspector's current request into the open collection.
    save_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("collection_panel")
        self.collection: Collection | None = None
        self.path: Path | None = None
        self.environments: dict[str, dict[str, Variable]] = {}
        self.title = QLabel("No collection open")
        self.open_button = QPushButton("Open…")
        self.environment = QComboBox()
        self.environment.setObjectName("environment")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("run_collection")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.save_button = QPushButton("Save current request")
        self.save_button.setObjectName("save_request")
        self.save_button.clicked.connect(self.save_requested)
        self.progress = QProgressBar()
        self.progress.setObjectName("replay_progress")
        self.model = ResultsModel()
        self.table = QTableView()
        self.table.setObjectName("replay_results")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # both ends of a long name
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        # columns fit the first 30 rows' text (a screenful; 200 held a replay's frame 30 ms)
        header.setResizeContentsPrecision(30)
        self.summary = QLabel("")
        self.summary.setObjectName("replay_summary")
        buttons = QHBoxLayout()
        for widget in (self.open_button, self.environment, self.run_button, self.cancel_button):
            buttons.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.save_button)
        self.open_button.clicked.connect(self.choose)
        self.run_button.clicked.connect(self._run)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.table.clicked.connect(self._open)  # one click opens a result, as Enter does
        self.table.activated.connect(self._open)
        self.run_button.setEnabled(False)

    def choose(self) -> None:
        """Ask for a collection file and open it (a bad one is named, with why, below the
        table)."""
        name, _ = QFileDialog.getOpenFileName(self, "Open a collection", "", "Collections (*.json)")
        if not name:
            return
        from corsinspector.errors import CorsInspectorError

        try:
            self.open_path(Path(name))
        except CorsInspectorError as exc:  # a bad file: say why, keep what was open
            self.summary.setText(str(exc))

    def open_path(self, path: Path) -> None:
        """Load ``path`` (and ``NAME.env.json`` beside it); InputError when it is bad."""
        from corsinspector import load_collection, load_environments

        self.collection = load_collection(path)
        self.path = path
        envs = path.with_suffix(".env.json")
        self.environments = load_environments(envs) if envs.exists() else {}
        self.environment.clear()
        self.environment.addItems(sorted(self.environments) or ["(no environments)"])
        count = len(self.collection.items())
        self.title.setText(f"{self.collection.name}: {count} items ({path.name})")
        self.run_button.setEnabled(count > 0)
        self.model.set_items([item_path for item_path, _ in self.collection.items()])
        self._fit_columns()

    def _run(self) -> None:
        if self.collection is None:
            return
        variables = {
            name: variable.value
            for name, variable in self.environments.get(self.environment.currentText(), {}).items()
        }
        self.model.clear()
        self.progress.setRange(0, len(self.collection.items()))
        self.progress.setValue(0)
        self.summary.setText("")
        self.run_requested.emit(self.collection, variables)

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running and self.collection is not None)
        self.cancel_button.setEnabled(running)

    def _open(self, index: QModelIndex) -> None:
        result = self.model.result_at(index.row())
        if result is not None:
            self.result_opened.emit(result)

    def add_results(self, batch: list[ItemResult]) -> None:
        first = not self.model.results
        self.model.append(batch)
        self.progress.setValue(len(self.model.results))
        if first and batch:
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Every column as wide as its text (once per replay: it reads rows), the item's
        name at most half the table (elided in the middle, the whole row as a tooltip)."""
        for column in range(len(COLUMNS)):
            self.table.resizeColumnToContents(column)
        widest = max(120, self.table.viewport().width() // 2)
        if self.table.columnWidth(1) > widest:
            self.table.setColumnWidth(1, widest)

    def finish(self, message: str) -> None:
        self._fit_columns()
        held = sum(result.holds for result in self.model.results)
        total = len(self.model.results)
        self.summary.setText(f"{held} of {total} as expected. {message}".strip())
