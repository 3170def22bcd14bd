"""Space goes to content: at laptop and desktop sizes the culprit's row is in plain sight,
and the window's minimum size with a verdict shown fits 1280x720 (the real window,
offscreen, against the gallery's real loopback servers)."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QTableView, QWidget
from pytestqt.qtbot import QtBot

from corsinspector.app.gallery import GALLERY, expected_of
from tests.ui.test_mainwindow import inspected
from ui.mainwindow import MainWindow

BLOCKED = sorted(
    path.stem for path in GALLERY.glob("*.json") if (expected_of(path) or "").startswith("blocked")
)
SIZES = ((1366, 728), (1920, 1040))


async def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()
        await asyncio.sleep(0.02)


def _inside_window(window: MainWindow, view: QTableView) -> bool:
    top_left = view.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, view.size()))


def _culprit_in_sight(window: MainWindow, view: QTableView) -> None:
    model = view.model()
    row = model.culprit_row()  # type: ignore[attr-defined]
    assert row is not None, view.objectName()
    cell = view.visualRect(model.index(row, 0))
    assert view.isVisible(), view.objectName()
    assert _inside_window(window, view), view.objectName()
    assert view.viewport().rect().contains(cell), (view.objectName(), cell)


def test_the_blocked_gallery_is_most_of_the_gallery() -> None:
    assert len(BLOCKED) >= 8
    assert "custom-header-not-allowed" in BLOCKED
    assert "simple-get-allowed" not in BLOCKED


@pytest.mark.parametrize("name", BLOCKED)
def test_the_culprit_row_and_its_pair_are_in_sight_at_laptop_and_desktop_sizes(
    name: str, qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, name) as (window, _):
            (verdict,) = [window.controller.last_verdict]
            assert verdict is not None
            error = verdict.error
            assert error is not None
            stage_view = window.preflight_view if error.stage == "preflight" else window.actual_view
            other = (
                window.actual_view if stage_view is window.preflight_view else window.preflight_view
            )
            for width, height in SIZES:
                window.resize(width, height)
                await _settle()
                assert (window.width(), window.height()) == (width, height)
                _culprit_in_sight(window, stage_view.response_table)
                pair = stage_view.pair
                assert pair is not None
                assert stage_view.pair_line.isVisible()
                if pair.asked_is_header:  # the request side of the pair, highlighted too
                    _culprit_in_sight(window, stage_view.request_table)
                    model = stage_view.request_table.model()
                    row = model.culprit_row()  # type: ignore[attr-defined]
                    assert model.data(model.index(row, 0)) == pair.asked_header
                assert stage_view.pair_line.full_text() == pair.short
                assert stage_view.pair_line.toolTip() == pair.text
                if other.collapsed:  # never sent: one line, the other takes the width
                    assert other.isVisible()
                    assert other.parent() is not window.exchanges_pane.splitter
                    assert other.height() < 3 * other.fontMetrics().height() + 12
                    assert not other.request_table.isVisible()
                    assert stage_view.width() > window.exchanges_pane.width() * 0.9
            minimum = window.minimumSizeHint()
            assert minimum.width() <= 1280, minimum
            assert minimum.height() <= 720, minimum

    loop.run_until_complete(main())


def _overlaps(root: QWidget) -> list[tuple[str, str]]:
    """Visible siblings laid out by the same layout whose rectangles intersect."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        layout = widget.layout()
        if not widget.isVisible() or layout is None:
            continue
        children = [
            child
            for i in range(layout.count())
            if (child := layout.itemAt(i).widget()) is not None and child.isVisible()
        ]
        for first, second in itertools.combinations(children, 2):
            if first.geometry().intersects(second.geometry()):
                found.append((first.objectName() or type(first).__name__, second.objectName()))
    return found


@pytest.mark.parametrize("name", ["custom-header-not-allowed", "json-post-preflight"])
def test_nothing_overlaps_from_1280x720_to_2560x1440(
    name: str, qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, name) as (window, _):
            for width, height in ((1280, 720), *SIZES, (2560, 1440)):
                window.resize(width, height)
                await _settle()
                assert (window.width(), window.height()) == (width, height)
                assert _overlaps(window) == [], (width, height)
                for view in (window.preflight_view, window.actual_view):
                    assert _inside_window(window, view)

    loop.run_until_complete(main())
