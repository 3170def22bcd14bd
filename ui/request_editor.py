"""RequestEditor: method, URL, Origin, credentials, browser, headers (each marked safelisted,
triggering a preflight or dropped, with the reason), body, and the live line "This request
needs a preflight because: …". The rules come from the core (app.editor)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from corsinspector.errors import InputError

if TYPE_CHECKING:
    from corsinspector import Request

__all__ = ["RequestEditor"]

_STATUS_TEXT = {
    "safelisted": "safelisted",
    "unsafe": "triggers preflight",
    "forbidden": "dropped by the browser",
    "dropped-no-cors": "dropped (no-cors)",
}
_FIELD_NAMES = {"url": "URL", "origin": "Origin", "method": "Method", "body": "Body"}


class RequestEditor(QWidget):
    #: Send was asked for (Ctrl+Enter or the button).
    send_requested = Signal()
    #: Cancel was asked for.
    cancel_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.method = QComboBox()
        self.method.setObjectName("method")
        self.method.setEditable(True)
        self.method.addItems(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
        self.url = QLineEdit()
        self.url.setObjectName("url")
        self.url.setPlaceholderText("https://api.example.com/items")
        self.send = QPushButton("Send")
        self.send.setObjectName("send")
        self.send.setToolTip("Send the request as the browser would (Ctrl+Enter)")
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancel")
        self.cancel.setEnabled(False)
        self.origin = QComboBox()
        self.origin.setObjectName("origin")
        self.origin.setEditable(True)
        self.origin.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.origin.setMinimumContentsLength(16)  # long origins scroll: the row stays narrow
        self.origin.setToolTip(
            "The page's origin: the origins you used recently, or null (a sandboxed frame or a "
            "file: page)"
        )
        self.set_recent_origins([])
        self.credentials = QComboBox()
        self.credentials.setObjectName("credentials")
        self.credentials.addItems(["same-origin", "include", "omit"])
        self.mode = QComboBox()
        self.mode.setObjectName("mode")
        self.mode.addItems(["cors", "no-cors", "same-origin"])
        self.browser = QComboBox()
        self.browser.setObjectName("browser")
        self.browser.addItems(["chromium", "firefox"])
        self.headers = QTableWidget(0, 4)
        self.headers.setObjectName("request_headers")
        self.headers.setHorizontalHeaderLabels(["On", "Name", "Value", "Browser's view"])
        self.headers.verticalHeader().setVisible(False)
        header = self.headers.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.headers.setWordWrap(False)
        self.add_header = QPushButton("Add header")
        self.add_header.setObjectName("add_header")
        self.remove_header = QPushButton("Remove")
        self.remove_header.setObjectName("remove_header")
        self.body = QPlainTextEdit()
        self.body.setObjectName("body")
        self.body.setPlaceholderText("Request body (none when empty)")
        self.body.setMaximumHeight(40)
        self.body.setTabChangesFocus(True)  # Tab moves on, as in a form
        self.headers.setMaximumHeight(96)
        self.headers.setMinimumHeight(48)
        self.headers.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.preflight_line = QLabel("")
        self.preflight_line.setObjectName("preflight_reasons")
        self.preflight_line.setWordWrap(True)
        self.problem = QLabel("")
        self.problem.setObjectName("request_problem")
        self.problem.setStyleSheet("color:#b00020;")
        self.problem.setWordWrap(True)
        # what the browser sends instead of the Origin as typed (hidden when they agree)
        self.origin_hint = QLabel("")
        self.origin_hint.setObjectName("origin_hint")
        self.origin_hint.setWordWrap(True)
        self.origin_hint.setVisible(False)

        bar = QHBoxLayout()
        bar.addWidget(self.method)
        bar.addWidget(self.url, 1)
        bar.addWidget(self.send)
        bar.addWidget(self.cancel)
        row = QHBoxLayout()  # the Origin and the browser's settings share one row
        row.addWidget(QLabel("Origin"))
        row.addWidget(self.origin, 1)
        for label, widget in (
            ("Credentials", self.credentials),
            ("Mode", self.mode),
            ("Browser", self.browser),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_header)
        buttons.addWidget(self.remove_header)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.problem)
        layout.addLayout(row)
        layout.addWidget(self.origin_hint)
        layout.addWidget(self.headers, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.body)
        layout.addWidget(self.preflight_line)

        self.send.clicked.connect(self.send_requested)
        self.cancel.clicked.connect(self.cancel_requested)
        self.url.returnPressed.connect(self.send_requested)
        self.add_header.clicked.connect(lambda: self.add_header_row("", ""))
        self.remove_header.clicked.connect(self._remove_current)
        self.headers.itemChanged.connect(lambda _item: self.refresh())
        for combo in (self.method, self.origin, self.credentials, self.mode):
            combo.currentTextChanged.connect(lambda _text: self.refresh())
        self.url.textChanged.connect(lambda _text: self.refresh())
        self.body.textChanged.connect(self.refresh)
        self._refreshing = False

    # --- contents ---------------------------------------------------------------------

    def add_header_row(self, name: str, value: str, enabled: bool = True) -> int:
        self._refreshing = True
        row = self.headers.rowCount()
        self.headers.insertRow(row)
        check = QTableWidgetItem()
        check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        check.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
        self.headers.setItem(row, 0, check)
        self.headers.setItem(row, 1, QTableWidgetItem(name))
        self.headers.setItem(row, 2, QTableWidgetItem(value))
        status = QTableWidgetItem("")
        status.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.headers.setItem(row, 3, status)
        self._refreshing = False
        self.refresh()
        return row

    def set_recent_origins(self, recent: list[str]) -> None:
        """Offer ``recent`` first in the Origin field, then the defaults and ``null``; what
        is typed in it stays."""
        from corsinspector.app.recent import offered_origins

        typed = self.origin.currentText()
        self.origin.blockSignals(True)
        self.origin.clear()
        self.origin.addItems(offered_origins(recent))
        self.origin.setCurrentText(typed or self.origin.itemText(0))
        self.origin.blockSignals(False)

    def _remove_current(self) -> None:
        row = self.headers.currentRow()
        if row >= 0:
            self.headers.removeRow(row)
            self.refresh()

    def load(self, request: Request) -> None:
        """Show ``request`` in the fields."""
        self._refreshing = True
        self.method.setCurrentText(request.method)
        self.url.setText(request.url)
        self.origin.setCurrentText(request.origin)
        self.credentials.setCurrentText(request.credentials)
        self.mode.setCurrentText(request.mode)
        self.body.setPlainText(request.body or "")
        self.headers.setRowCount(0)
        self._refreshing = False
        for name, value in request.headers:
            self.add_header_row(name, value)
        self.refresh()

    def _header_pairs(self) -> list[list[str]]:
        pairs = []
        for row in range(self.headers.rowCount()):
            check, name, value = (self.headers.item(row, c) for c in range(3))
            if check is None or name is None or check.checkState() != Qt.CheckState.Checked:
                continue
            if name.text().strip():
                pairs.append([name.text().strip(), value.text() if value else ""])
        return pairs

    def request(self) -> Request:
        """The request in the fields; InputError naming the field when something is wrong."""
        from corsinspector.app.editor import build_request

        headers = self._header_pairs()
        fields = {
            "url": self.url.text().strip(),
            "method": self.method.currentText().strip(),
            "origin": self.origin.currentText().strip(),
            "headers": headers,
            "credentials": self.credentials.currentText(),
            "mode": self.mode.currentText(),
            "body": self.body.toPlainText() or None,
        }
        return build_request(
            fields, names=_FIELD_NAMES, header_name=lambda i: f"header {headers[i][0]!r}"
        )

    # --- the live explanation ---------------------------------------------------------

    def refresh(self) -> None:
        """Mark each header and say why a preflight is needed, as the user types."""
        if self._refreshing:
            return
        from corsinspector.app.editor import header_check

        self._refreshing = True
        try:
            mode = self.mode.currentText()
            for row in range(self.headers.rowCount()):
                name = self.headers.item(row, 1)
                value = self.headers.item(row, 2)
                status = self.headers.item(row, 3)
                if name is None or value is None or status is None or not name.text().strip():
                    continue
                check = header_check(name.text().strip(), value.text(), mode)
                status.setText(_STATUS_TEXT[check.status])
                status.setToolTip(check.reason)
                name.setToolTip(check.reason)
            self._explain()
        finally:
            self._refreshing = False

    def _explain(self) -> None:
        try:
            request = self.request()
        except InputError as exc:
            self.problem.setText(str(exc))
            self.preflight_line.setText("")
            self._show_origin_hint(None)
            return
        from corsinspector.app.editor import origin_hint, preflight_line

        self.problem.setText("")
        self._show_origin_hint(origin_hint(request))
        self.preflight_line.setText(preflight_line(request))

    def _show_origin_hint(self, note: str | None) -> None:
        self.origin_hint.setText(note or "")
        self.origin_hint.setVisible(note is not None)

    def set_busy(self, busy: bool) -> None:
        self.send.setEnabled(not busy)
        self.cancel.setEnabled(busy)
