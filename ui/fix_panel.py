"""FixPanel: what the server must send, with Copy and "Try this fix" (re-judged offline)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

if TYPE_CHECKING:
    from corsinspector.model import Fix

__all__ = ["FixPanel"]


class FixPanel(QGroupBox):
    #: The user asked to re-judge the exchange with the fix applied.
    try_requested = Signal()

    def __init__(self) -> None:
        super().__init__("Fix the server")
        self.setObjectName("fix_panel")
        self.title = QLabel("No fix needed yet.")
        self.title.setObjectName("fix_title")
        self.text = QPlainTextEdit()
        self.text.setObjectName("fix_text")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setMaximumHeight(96)
        self.copy = QPushButton("Copy")
        self.copy.setObjectName("copy_fix")
        self.try_fix = QPushButton("Try this fix")
        self.try_fix.setObjectName("try_fix")
        self.result = QLabel("")
        self.result.setObjectName("try_fix_result")
        self.copy.clicked.connect(lambda: QApplication.clipboard().setText(self.text.toPlainText()))
        self.try_fix.clicked.connect(self.try_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy)
        buttons.addWidget(self.try_fix)
        buttons.addWidget(self.result, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.show_fix(None)

    def show_fix(self, fix: Fix | None) -> None:
        self.result.setText("")
        if fix is None:
            self.title.setText("Allowed: nothing to fix.")
            self.text.setPlainText("")
        else:
            self.title.setText(fix.title)
            self.text.setPlainText(fix.snippet)
        can_try = fix is not None and bool(fix.headers or fix.redirect is not None)
        self.copy.setEnabled(fix is not None)
        self.try_fix.setEnabled(can_try)

    def show_try_result(self, allowed: bool, detail: str) -> None:
        color = "#155724" if allowed else "#721c24"
        self.result.setStyleSheet(f"color:{color}; font-weight:bold;")
        self.result.setText(detail)
