"""FixHighlighter: colours a fix snippet by the spans of corsinspector.app.highlight."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from corsinspector.app.highlight import line_spans

from .palette import current

__all__ = ["FixHighlighter"]


class FixHighlighter(QSyntaxHighlighter):
    """Highlights ``document`` as a snippet of the server stack set by :meth:`set_stack`."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._stack = "generic"
        self._formats: dict[str, QTextCharFormat] = {}

    def set_stack(self, stack: str) -> None:
        self._stack = stack
        self._formats = {}
        for kind, (color, bold) in current().syntax.items():  # corsinspector.app.colors
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(color))
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
