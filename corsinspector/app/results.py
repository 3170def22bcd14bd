"""A collection replay's results table in words: rows in collection order whatever order the
answers come in (``ResultSlots``), and each row's cells, pass or fail and its tooltip
(``result_row``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corsinspector import ItemResult

__all__ = ["COLUMNS", "ResultRow", "ResultSlots", "pending_row", "result_row"]

#: The table's columns, left to right.
COLUMNS = ("Result", "Item", "Expected", "Got", "Culprit", "Time", "Folder")


@dataclass(frozen=True)
class ResultRow:
    #: "pass", "fail" or "pending" (the icon's name).
    status: str
    #: One cell per column of COLUMNS.
    cells: tuple[str, ...]
    #: The whole row in one sentence, however narrow the columns.
    tooltip: str


def _split(path: str) -> tuple[str, str]:
    """(folder, item name) of an item's path ``folder/sub/name``."""
    folder, _, name = path.rpartition("/")
    return folder, name


def pending_row(path: str) -> ResultRow:
    """An item not answered yet: its name, and dashes."""
    folder, name = _split(path)
    return ResultRow(
        "pending", ("…", name, "", "", "", "", folder), f"{path}: waiting for its answer"
    )


def result_row(result: ItemResult) -> ResultRow:
    folder, name = _split(result.path)
    expect = result.expect
    expected = (
        "-" if expect is None else ("allowed" if expect.allowed else (expect.kind or "blocked"))
    )
    got = "allowed" if result.verdict.allowed else (result.kind or "blocked")
    error = result.verdict.error
    culprit = "" if error is None or error.header is None else error.header
    held = result.holds
    cells = (
        "pass" if held else "FAIL",
        name,
        expected,
        got,
        culprit,
        f"{result.seconds * 1000:.0f} ms",
        folder,
    )
    verdict = "as expected" if held else "NOT as expected"
    tip = f"{result.path}: expected {expected}, got {got} ({verdict})"
    return ResultRow("pass" if held else "fail", cells, tip)


class ResultSlots:
    """Where each answer goes: the row of its item in the collection (two items may share a
    path: they take their rows in order)."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = list(paths)
        self._free: dict[str, list[int]] = {}
        for row, path in enumerate(self.paths):
            self._free.setdefault(path, []).append(row)
        for rows in self._free.values():
            rows.reverse()

    def place(self, path: str) -> int | None:
        """The row for the next answer of ``path`` (None: not an item of the collection, or
        answered already as often as it occurs)."""
        rows = self._free.get(path)
        return rows.pop() if rows else None
