"""CollectionPanel: open a collection, pick an environment, replay it with a results table
that fills in as answers arrive (batched), and save the current request into it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from corsinspector import Collection, ItemResult, Variable

__all__ = ["CollectionPanel", "ResultsModel"]

Index = QModelIndex | QPersistentModelIndex
_COLUMNS = ("Item", "Expected", "Got", "Culprit", "Time")


class ResultsModel(QAbstractTableModel):
    """Replay results, appended in batches (one insert per batch)."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[ItemResult] = []

    def clear(self) -> None:
        self.beginResetModel()
        self.results = []
        self.endResetModel()

    def append(self, batch: list[ItemResult]) -> None:
        if not batch:
            return
        start = len(self.results)
        self.beginInsertRows(QModelIndex(), start, start + len(batch) - 1)
        self.results.extend(batch)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.results)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.results):
            return None
        result = self.results[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            expect = result.expect
            expected = (
                "-"
                if expect is None
                else ("allowed" if expect.allowed else (expect.kind or "blocked"))
            )
            got = "allowed" if result.verdict.allowed else result.kind
            error = result.verdict.error
            culprit = "" if error is None or error.header is None else error.header
            values = (result.path, expected, got, culprit, f"{result.seconds * 1000:.0f} ms")
            if role == Qt.ItemDataRole.ToolTipRole:  # the whole row, however narrow the columns
                held = "as expected" if result.holds else "NOT as expected"
                return f"{result.path}: expected {expected}, got {got} ({held})"
            return values[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and not result.holds:
            return QBrush(QColor("#b00020"))
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
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setResizeContentsPrecision(200)  # columns fit the first rows' text
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
        self.table.doubleClicked.connect(
            lambda index: self.result_opened.emit(self.model.results[index.row()])
        )
        self.run_button.setEnabled(False)

    def choose(self) -> None:
        """Ask for a collection file and open it."""
        name, _ = QFileDialog.getOpenFileName(self, "Open a collection", "", "Collections (*.json)")
        if name:
            self.open_path(Path(name))

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
        self.model.clear()

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

    def add_results(self, batch: list[ItemResult]) -> None:
        first = not self.model.results
        self.model.append(batch)
        self.progress.setValue(len(self.model.results))
        if first and batch:
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Expected, Got, Culprit and Time as wide as their text (once per replay: it reads
        rows); the item's name takes the rest."""
        for column in range(1, len(_COLUMNS)):
            self.table.resizeColumnToContents(column)

    def finish(self, message: str) -> None:
        self._fit_columns()
        held = sum(result.holds for result in self.model.results)
        total = len(self.model.results)
        self.summary.setText(f"{held} of {total} as expected. {message}".strip())
