"""FixHighlighter: colours a fix snippet by the spans of corsinspector.app.highlight."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QApplication

from corsinspector.app.highlight import line_spans

__all__ = ["FixHighlighter"]

#: kind -> (light theme colour, dark theme colour, bold)
_STYLES = {
    "comment": ("#5f6368", "#9aa0a6", False),
    "string": ("#0b7a0b", "#81c995", False),
    "number": ("#a142f4", "#d7aefb", False),
    "keyword": ("#1a4fb4", "#8ab4f8", True),
    "header": ("#b3261e", "#f28b82", True),
    "pitfall": ("#8a5300", "#fdd663", False),
}


def _is_dark() -> bool:
    return QApplication.palette().base().color().lightness() < 128


class FixHighlighter(QSyntaxHighlighter):
    """Highlights ``document`` as a snippet of the server stack set by :meth:`set_stack`."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._stack = "generic"
        self._formats: dict[str, QTextCharFormat] = {}

    def set_stack(self, stack: str) -> None:
        self._stack = stack
        dark = _is_dark()
        self._formats = {}
        for kind, (light_color, dark_color, bold) in _STYLES.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(dark_color if dark else light_color))
            if bold:
                fmt.setFontWeight(QFont.Weight.Bold)
            self._formats[kind] = fmt
        self.rehighlight()

    def format_of(self, kind: str) -> QTextCharFormat:
        return self._formats[kind]

    def highlightBlock(self, text: str) -> None:
        if not self._formats:
            return
        spans, in_pitfalls = line_spans(self._stack, text, self.previousBlockState() == 1)
        for start, length, kind in spans:
            self.setFormat(start, length, self._formats[kind])
        self.setCurrentBlockState(1 if in_pitfalls else 0)
