"""SequenceView: Browser and Server lanes, one arrow per request and answer, drawn step by
step; the blocked step in red with its culprit. A presentation toggle enlarges everything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from corsinspector import Verdict
    from corsinspector.app.sequence import Step

__all__ = ["SequenceView", "step_colours"]


def step_colours() -> tuple[QColor, QColor]:
    """(the blocked step's red, a step no browser sends in grey) of the theme shown now, from
    the one table of colours (corsinspector.app.colors): both are text, AA on the window."""
    from .palette import current

    colors = current()
    return QColor(colors.failed), QColor(colors.muted)


class SequenceView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("sequence_view")
        self.steps: list[Step] = []
        self.shown = 0
        self.presentation = False
        self._timer = QTimer(self)
        self._timer.setInterval(450)
        self._timer.timeout.connect(self._reveal_next)
        self.setMinimumHeight(160)

    def show_verdict(self, verdict: Verdict, animate: bool = True) -> None:
        from corsinspector.app.sequence import sequence_steps

        self.steps = sequence_steps(verdict)
        self.shown = 0 if animate else len(self.steps)
        if animate:
            self._timer.start()
        self.update()

    def set_presentation(self, on: bool) -> None:
        self.presentation = on
        self.update()

    def _reveal_next(self) -> None:
        self.shown += 1
        if self.shown >= len(self.steps):
            self._timer.stop()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale = 1.8 if self.presentation else 1.0
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * scale)
        painter.setFont(font)
        text = self.palette().windowText().color()
        red, grey = step_colours()
        width, height = self.width(), self.height()
        left, right = width * 0.15, width * 0.85
        top = 30 * scale
        painter.setPen(QPen(text, 2))
        for x, name in ((left, "Browser"), (right, "Server")):
            painter.drawText(QRectF(x - 100, 4, 200, top - 4), Qt.AlignmentFlag.AlignCenter, name)
            painter.setPen(QPen(grey, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, top), QPointF(x, height - 4))
            painter.setPen(QPen(text, 2))
        if not self.steps:
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "Send a request to see its sequence"
            )
            return
        gap = max(28 * scale, (height - top - 10) / max(len(self.steps), 1))
        for index, step in enumerate(self.steps[: self.shown]):
            y = top + gap * (index + 0.6)
            color = red if step.failed else (grey if step.not_by_browsers else text)
            painter.setPen(QPen(color, 2.5 if step.failed else 1.6))
            start, end = (left, right) if step.to_server else (right, left)
            painter.drawLine(QPointF(start, y), QPointF(end, y))
            direction = 1 if step.to_server else -1
            head = QPolygonF(
                [
                    QPointF(end, y),
                    QPointF(end - direction * 10 * scale, y - 5 * scale),
                    QPointF(end - direction * 10 * scale, y + 5 * scale),
                ]
            )
            painter.setBrush(color)
            painter.drawPolygon(head)
            label = step.label + (f" — {step.detail}" if step.detail else "")
            # above its arrow, wrapped onto more lines when large type does not fit
            box = QRectF(left + 8, y - gap * 0.85, right - left - 16, gap * 0.85 - 4)
            flags = (
                Qt.AlignmentFlag.AlignHCenter.value
                | Qt.AlignmentFlag.AlignBottom.value
                | Qt.TextFlag.TextWordWrap.value
            )
            painter.drawText(box, flags, label)
        painter.end()
