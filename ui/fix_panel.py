"""FixPanel: what the server must send, with Copy and "Try this fix" (re-judged offline)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

if TYPE_CHECKING:
    from corsinspector import Fix

    from .fix_highlighter import FixHighlighter

__all__ = ["FixPanel"]


class FixPanel(QGroupBox):
    #: The user asked to re-judge the exchange with the fix applied.
    try_requested = Signal()

    def __init__(self) -> None:
        super().__init__("Fix the server")
        self.setObjectName("fix_panel")
        self.heading = QLabel("")
        self.heading.setObjectName("fix_title")
        self.stack = QComboBox()
        self.stack.setObjectName("fix_stack")
        self.stack.setToolTip("Show the fix in your server's own configuration")
        self.stack.addItem("generic")
        self.stack.currentTextChanged.connect(self._on_stack_changed)
        self._fix: Fix | None = None
        self._kind = ""
        self.text = QPlainTextEdit()
        self.text.setObjectName("fix_text")
        self.text.setReadOnly(True)
        self.text.setMinimumHeight(44)
        # long lines wrap at the panel's edge: on a laptop the panel is narrower than a
        # snippet's longest line, and the end of a line is often the part that matters
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._highlighter: FixHighlighter | None = None
        self.copy = QPushButton("Copy")
        self.copy.setObjectName("copy_fix")
        self.try_fix = QPushButton("Try this fix")
        self.try_fix.setObjectName("try_fix")
        self.result = QLabel("")
        self.result.setObjectName("try_fix_result")
        self.copy.clicked.connect(lambda: QApplication.clipboard().setText(self.text.toPlainText()))
        self.try_fix.clicked.connect(self.try_requested)
        self.heading.setWordWrap(True)  # the panel sits beside the exchanges: narrow
        self.result.setWordWrap(True)
        top = QHBoxLayout()  # the heading, then one row of actions above the snippet
        top.addWidget(self.result, 1)
        top.addWidget(self.try_fix)
        top.addWidget(self.copy)
        top.addWidget(QLabel("Server:"))
        top.addWidget(self.stack)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        self._judged = False  # no verdict yet: nothing to say about a fix
        self._render()
        self.copy.setEnabled(False)
        self.try_fix.setEnabled(False)

    def show_fix(self, fix: Fix | None, kind: str = "") -> None:
        """Show ``fix`` (for a failure of ``kind``) in the chosen server stack."""
        self.result.setText("")
        self._judged = True
        self._fix, self._kind = fix, kind
        if fix is not None and self.stack.count() == 1:
            self._list_stacks()
        self._render()
        can_try = fix is not None and bool(fix.headers or fix.redirect is not None)
        self.copy.setEnabled(fix is not None)
        self.try_fix.setEnabled(can_try)

    def _list_stacks(self) -> None:
        """The stacks load with the first fix (not before the window's first paint)."""
        from corsinspector.app.stacks import STACKS

        remembered = QSettings().value("fix/stack", "generic")
        self.stack.blockSignals(True)
        self.stack.addItems(list(STACKS))
        self.stack.setCurrentText(str(remembered))
        self.stack.blockSignals(False)

    def show_stack(self, stack: str) -> bool:
        """Show the fix in ``stack`` without remembering the choice; False if unknown."""
        if self.stack.findText(stack) < 0:
            return False
        self.stack.blockSignals(True)
        self.stack.setCurrentText(stack)
        self.stack.blockSignals(False)
        self._render()
        return True

    def _on_stack_changed(self, stack: str) -> None:
        QSettings().setValue("fix/stack", stack)
        self._render()

    def _render(self) -> None:
        fix = self._fix
        if fix is None:
            self.heading.setText(
                "Allowed: nothing to fix." if self._judged else "The fix appears with a verdict."
            )
            self.text.setPlainText("")
            return
        stack = self.stack.currentText()
        if stack != "generic" and fix.server == "generic":
            from corsinspector.app.stacks import stack_fix

            fix = stack_fix(stack, fix, self._kind)
        self.heading.setText(fix.title)
        if self._highlighter is None:  # built with the first fix, not before the first paint
            from PySide6.QtGui import QFontDatabase

            from .fix_highlighter import FixHighlighter

            self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

            self._highlighter = FixHighlighter(self.text.document())
            # a switch of the system's light/dark scheme (the app follows it) recolours it
            QApplication.styleHints().colorSchemeChanged.connect(self._render)
        self.text.setPlainText(fix.snippet)
        self._highlighter.set_stack(fix.server)

    def show_try_result(self, allowed: bool, detail: str) -> None:
        from .palette import current  # the theme shown now (corsinspector.app.colors)

        colors = current()
        color = colors.passed if allowed else colors.failed
        self.result.setStyleSheet(f"color:{color}; font-weight:bold;")
        self.result.setText(detail)
