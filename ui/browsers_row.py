"""BrowsersRow: under the verdict, one line per browser the engine models (Chrome, Chromium
140, Firefox, Safari): allowed or blocked as a mark and a word, that browser's own message
(elided, whole in the tooltip, Copy beside it) and, once asked, the real browser's answer.
Folded by default into one line with a mark per browser (a laptop's height has no room for
four more lines); built with the first verdict, never before the first paint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from PySide6.QtCore import QSize
    from PySide6.QtGui import QPaintEvent

    from corsinspector import Verdict

__all__ = ["BrowsersRow", "ElidedLabel", "verdict_words"]


def verdict_words(verdict: Verdict) -> tuple[str, str]:
    """(allowed or blocked with the browser's own error name, its message word for word)."""
    error = verdict.error
    if verdict.allowed or error is None:
        return "allowed", ""
    return f"blocked: {error.reason or error.kind}", error.message


class ElidedLabel(QLabel):
    """One line of text, cut with … at the label's width; the whole text in its tooltip."""

    def __init__(self, name: str) -> None:
        super().__init__("")
        self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full = ""

    def set_full_text(self, text: str) -> None:
        self.full = text
        self.setToolTip(text)
        self.setText(text)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance("…") * 4)
        return hint

    def paintEvent(self, event: QPaintEvent) -> None:
        from PySide6.QtGui import QPainter

        painter = QPainter(self)
        shown = self.fontMetrics().elidedText(
            self.full, Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )
        painter.setPen(self.palette().color(self.foregroundRole()))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self.contentsRect(), int(align), shown)
        painter.end()

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.full) > self.contentsRect().width()


class _Line:
    """One browser's line: mark, name, word, message, the real browser's answer, Copy."""

    def __init__(self, profile: str, label: str, grid: QGridLayout, row: int) -> None:
        self.mark = QLabel("")
        self.mark.setObjectName(f"browser_mark_{profile}")
        self.name = QLabel(label)
        self.name.setObjectName(f"browser_name_{profile}")
        #: The label without its parenthesis ("Safari (WebKit)" -> "Safari"), for the summary.
        self.short = label.split(" (")[0]
        self.word = QLabel("")
        self.word.setObjectName(f"browser_word_{profile}")
        self.message = ElidedLabel(f"browser_message_{profile}")
        self.answer = ElidedLabel(f"browser_answer_{profile}")
        self.answer.setVisible(False)
        self.copy = QToolButton()
        self.copy.setObjectName(f"browser_copy_{profile}")
        self.copy.setText("Copy")
        self.copy.setToolTip(f"Copy {label}'s message, word for word")
        self.copy.setAutoRaise(True)
        self.copy.clicked.connect(lambda: QApplication.clipboard().setText(self.message.full))
        for column, widget in enumerate(
            (self.mark, self.name, self.word, self.message, self.answer, self.copy)
        ):
            grid.addWidget(widget, row, column)


class BrowsersRow(QWidget):
    """The verdict in every browser; ``lines`` by profile name, the default first."""

    def __init__(self) -> None:
        super().__init__()
        from corsinspector.app.ask import profile_labels

        self.setObjectName("browsers_row")
        self.toggle = QToolButton()
        self.toggle.setObjectName("browsers_toggle")
        self.toggle.setText("In each browser")
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolTip("Show or hide the verdict of each browser (judged offline)")
        self.summary = QLabel("")
        self.summary.setObjectName("browsers_summary")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.toggle)
        top.addWidget(self.summary, 1)
        self.body = QWidget()
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(0)
        grid.setColumnStretch(3, 3)
        grid.setColumnStretch(4, 2)
        self.lines = {
            name: _Line(name, label, grid, row)
            for row, (name, label) in enumerate(profile_labels().items())
        }
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.body)
        self.toggle.toggled.connect(self._set_open)
        self._set_open(False)  # one line: the marks say which browsers block
        self.verdicts: dict[str, Verdict] = {}

    def _set_open(self, open_: bool) -> None:
        self.body.setVisible(open_)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)

    def show_verdicts(
        self, verdicts: Mapping[str, Verdict], unsent: Mapping[str, str], sent_as: str
    ) -> None:
        """Each browser's verdict of the request on screen; earlier answers go. ``unsent``:
        per browser, a request it would send that the inspection (as ``sent_as``) never
        did: its answer is assumed (a 404 without CORS headers), and the line says so."""
        from .palette import current

        colors = current()
        self.verdicts = dict(verdicts)
        self.setEnabled(True)
        self.setVisible(True)
        for name, line in self.lines.items():
            verdict = verdicts.get(name)
            line.answer.set_full_text("")
            line.answer.setVisible(False)
            if verdict is None:
                line.mark.setText("")
                line.word.setText("not judged")
                line.message.set_full_text("")
                line.copy.setEnabled(False)
                continue
            word, message = verdict_words(verdict)
            line.mark.setText("✓" if verdict.allowed else "✗")
            color = colors.passed if verdict.allowed else colors.failed
            line.mark.setStyleSheet(f"color:{color}; font-weight:bold;")
            missing = unsent.get(name)
            line.word.setText(f"{word} (assumed)" if missing else word)
            line.word.setToolTip(
                f"{line.name.text()} would send {missing}, which the inspection as {sent_as} "
                f"did not: its answer is assumed. Choose {line.name.text()} and Send to know."
                if missing
                else f"Judged by {line.name.text()}'s rules from the exchanges sent."
            )
            line.message.set_full_text(message)
            line.copy.setEnabled(bool(message))
        allowed = sum(verdict.allowed for verdict in verdicts.values())
        count = len(verdicts)
        if allowed in (0, count):
            said = "allowed" if allowed else "blocked"
            self.summary.setText(f"{said} in all {count}" if count > 1 else said)
        else:  # folded, the marks still say which browsers block
            marks = "   ".join(
                f"{'✓' if verdict.allowed else '✗'} {self.lines[name].short}"
                for name, verdict in verdicts.items()
                if name in self.lines
            )
            self.summary.setText(f"{marks}   (allowed in {allowed} of {count})")

    def show_answer(self, profile: str, text: str, agrees: bool | None) -> None:
        """A real browser's answer in the line of its profile (agrees: green; else red)."""
        line = self.lines.get(profile)
        if line is None:
            return
        from .palette import current

        colors = current()
        color = "" if agrees is None else colors.passed if agrees else colors.failed
        line.answer.setStyleSheet(f"color:{color}; font-weight:bold;" if color else "")
        line.answer.set_full_text(text)
        line.answer.setVisible(bool(text))
