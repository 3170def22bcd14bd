"""The biggest text in the window names the culprit: for every blocked gallery scenario,
inspected live at laptop size, the visible label with the largest font is the headline, and it
names the culprit header (``Location`` for a redirect) and the value that was sent."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from corsinspector.app.gallery import GALLERY, expected_of, gallery_names
from tests.ui.test_mainwindow import inspected
from ui.mainwindow import MainWindow

BLOCKED = [
    name
    for name in gallery_names()
    if (expected_of(GALLERY / f"{name}.json") or "").startswith("blocked")
]


def _largest_labels(window: MainWindow) -> tuple[int, list[QLabel]]:
    """The largest pixel size among the window's visible, non-empty labels, and those labels."""
    sized: list[tuple[int, QLabel]] = []
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text().strip():
            continue
        label.ensurePolished()
        sized.append((QFontInfo(label.font()).pixelSize(), label))
    top = max(size for size, _ in sized)
    return top, [label for size, label in sized if size == top]


def test_the_gallery_has_blocked_scenarios() -> None:
    assert len(BLOCKED) >= 8


@pytest.mark.parametrize("name", BLOCKED)
def test_the_largest_visible_text_names_the_culprit(
    name: str, qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, name) as (window, _):
            window.resize(1366, 728)
            QApplication.processEvents()
            verdict = window.controller.last_verdict
            assert verdict is not None
            error = verdict.error
            assert error is not None
            assert error.header is not None or error.value
            size, labels = _largest_labels(window)
            assert [label.objectName() for label in labels] == ["verdict_title"], name
            text = labels[0].text()
            assert text.startswith("Blocked: "), text
            if error.header is not None:
                assert error.header in text, (name, text)
            if error.value:
                assert error.value in text, (name, text)
            assert error.kind not in text  # Chromium's name: smaller, in the message
            assert error.kind in window.banner.message.text()
            body = QFontInfo(window.banner.message.font()).pixelSize()
            assert size >= body * 1.3, (size, body)

    loop.run_until_complete(main())
