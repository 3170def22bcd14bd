"""RequestEditor: method, URL, Origin, credentials, browser, headers (each marked safelisted,
triggering a preflight or dropped, with the reason), body, and the live line "This request
needs a preflight because: …". The rules come from the core (app.editor)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
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
    from PySide6.QtGui import QContextMenuEvent, QKeyEvent, QShowEvent
    from PySide6.QtWidgets import QMenu

    from corsinspector import Request

__all__ = ["RequestEditor"]

_STATUS_TEXT = {
    "safelisted": "safelisted",
    "unsafe": "triggers preflight",
    "forbidden": "dropped by the browser",
    "dropped-no-cors": "dropped (no-cors)",
}
_FIELD_NAMES = {"url": "URL", "origin": "Origin", "method": "Method", "body": "Body"}


class UrlField(QLineEdit):
    """The URL bar: a paste of a cURL command, a "Copy as fetch" snippet, a console CORS
    error line or a URL without a scheme is offered to ``pasted`` whole (newlines kept)
    instead of being typed in; other text pastes as usual."""

    #: The pasted text (the editor decides what it fills).
    pasted = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_text(QGuiApplication.clipboard().text())
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.context_menu().exec(event.globalPos())

    def context_menu(self) -> QMenu:
        """Qt's own menu, its Paste going where Ctrl+V goes."""
        menu = self.createStandardContextMenu()
        for action in menu.actions():
            if action.objectName() == "edit-paste":
                action.triggered.disconnect()
                action.triggered.connect(
                    lambda: self.paste_text(QGuiApplication.clipboard().text())
                )
        return menu

    def paste_text(self, text: str) -> None:
        from corsinspector.app.paste import parse_paste

        if parse_paste(text) is not None:
            self.pasted.emit(text)
        else:
            self.insert(text)


class RequestEditor(QWidget):
    #: Send was asked for (Ctrl+Enter or the button).
    send_requested = Signal()
    #: Cancel was asked for.
    cancel_requested = Signal()
    #: The user changed the request (typing, a paste, a header row); not emitted by load().
    edited = Signal()
    #: load() or load_fields() put another request in the fields.
    loaded = Signal()
    #: A paste filled the request: the line saying what it filled.
    filled = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.method = QComboBox()
        self.method.setObjectName("method")
        self.method.setEditable(True)
        self.method.addItems(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
        self.url = UrlField()
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
        # the engine's profiles (engine/profiles.py), the default first; named in the tooltip
        self.browser.addItems(["chrome", "chromium-140", "firefox", "safari"])
        self.browser.setToolTip(
            "The browser whose rules judge the request: Chrome, Chromium 140 (embedded), "
            "Firefox or Safari (WebKit); every one is shown under the verdict"
        )
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
        self.headers.setMinimumHeight(48)
        self.headers.setMaximumHeight(48)  # then as tall as its rows (_fit_headers)
        for signal in (self.headers.model().rowsInserted, self.headers.model().rowsRemoved):
            signal.connect(self._fit_headers)
        self.headers.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.preflight_line = QLabel("")
        self.preflight_line.setObjectName("preflight_reasons")
        self.preflight_line.setWordWrap(True)
        self.problem = QLabel("")
        self.problem.setObjectName("request_problem")
        self.problem.setWordWrap(True)
        # what the browser sends instead of the Origin as typed (hidden when they agree)
        self.origin_hint = QLabel("")
        self.origin_hint.setObjectName("origin_hint")
        self.origin_hint.setWordWrap(True)
        self.origin_hint.setVisible(False)
        # what a paste filled, or that the request changed since its verdict
        self.note = QLabel("")
        self.note.setObjectName("request_note")
        self.note.setWordWrap(True)
        self.note.setVisible(False)

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
        layout.addWidget(self.note)
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
        self._loading = False
        #: Fields loaded before the window first showed: explained just after its first paint
        #: (the explanation loads the engine, which start-up need not wait for).
        self._explain_when_shown = False
        self.url.pasted.connect(self.fill_from_paste)
        self.headers.itemChanged.connect(self._on_edited)
        for combo in (self.method, self.origin, self.credentials, self.mode, self.browser):
            combo.currentTextChanged.connect(self._on_edited)
        self.url.textChanged.connect(self._on_edited)
        self.body.textChanged.connect(self._on_edited)
        self.add_header.clicked.connect(self._on_edited)
        self.remove_header.clicked.connect(self._on_edited)

    def _on_edited(self, *_: object) -> None:
        if not self._loading:
            self.edited.emit()

    def show_note(self, text: str) -> None:
        """The line under the URL bar (hidden when empty)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def fill_from_paste(self, text: str) -> bool:
        """Fill the fields a pasted cURL command, fetch snippet, console line or bare URL
        names; say what was filled (``filled`` and the line under the URL)."""
        from corsinspector.app.paste import parse_paste

        pasted = parse_paste(text)
        if pasted is None:
            return False
        fields = dict(pasted.fields)
        if "headers" not in fields and "url" in fields and len(fields) > 1:
            fields["headers"] = self.fields()["headers"]
        self.load_fields({**self.fields(), **fields})
        summary = pasted.summary()
        self.show_note(summary)
        self.edited.emit()
        self.filled.emit(summary)
        return True

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
        self.load_fields(
            {
                "method": request.method,
                "url": request.url,
                "origin": request.origin,
                "credentials": request.credentials,
                "mode": request.mode,
                "body": request.body,
                "headers": [[name, value] for name, value in request.headers],
            }
        )

    def fields(self) -> dict[str, object]:
        """The fields as typed (a request not yet valid included), for a tab to keep."""
        rows = []
        for row in range(self.headers.rowCount()):
            check, name, value = (self.headers.item(row, c) for c in range(3))
            on = check is not None and check.checkState() == Qt.CheckState.Checked
            rows.append([name.text() if name else "", value.text() if value else "", on])
        return {
            "method": self.method.currentText(),
            "url": self.url.text(),
            "origin": self.origin.currentText(),
            "credentials": self.credentials.currentText(),
            "mode": self.mode.currentText(),
            "body": self.body.toPlainText() or None,
            "headers": rows,
        }

    def load_fields(self, fields: dict[str, object]) -> None:
        """Show ``fields`` (as :meth:`fields` gives them; missing ones keep their defaults)."""
        self._loading = True
        self._refreshing = True
        try:
            self.method.setCurrentText(str(fields.get("method") or "GET"))
            self.url.setText(str(fields.get("url") or ""))
            origin = fields.get("origin")
            if isinstance(origin, str) and origin:
                self.origin.setCurrentText(origin)
            self.credentials.setCurrentText(str(fields.get("credentials") or "same-origin"))
            self.mode.setCurrentText(str(fields.get("mode") or "cors"))
            body = fields.get("body")
            self.body.setPlainText(body if isinstance(body, str) else "")
            self.headers.setRowCount(0)
            self._refreshing = False
            headers = fields.get("headers")
            for row in headers if isinstance(headers, list) else []:
                if isinstance(row, list | tuple) and len(row) >= 2:
                    on = bool(row[2]) if len(row) > 2 else True
                    self.add_header_row(str(row[0]), str(row[1]), on)
            self.show_note("")
        finally:
            self._refreshing = False
            self._loading = False
        if self.isVisible():
            self.refresh()
        else:
            self._explain_when_shown = True
        self.loaded.emit()

    def _fit_headers(self) -> None:
        """The headers table as tall as its rows, up to three: the space below goes to the
        exchanges and the verdict (an empty table's rows took 50 px of a laptop's 728)."""
        table = self.headers
        rows = min(max(table.rowCount(), 1), 3)
        frame = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        row = table.verticalHeader().defaultSectionSize()
        table.setMaximumHeight(max(48, frame + rows * row))
        # never less than one whole row: squeezed, the buttons below were drawn over it
        table.setMinimumHeight(max(48, frame + row))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._explain_when_shown:
            self._explain_when_shown = False
            QTimer.singleShot(50, self.refresh)

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
        from corsinspector.app.paste import with_scheme

        fields = {
            "url": with_scheme(self.url.text()),
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
            from .palette import current  # the theme shown now (corsinspector.app.colors)

            self.problem.setStyleSheet(f"color:{current().failed};")
            self.problem.setText(str(exc))
            self.problem.setVisible(True)
            self.preflight_line.setText("")
            self._show_origin_hint(None)
            return
        from corsinspector.app.editor import origin_hint, preflight_line

        self.problem.setText("")
        self.problem.setVisible(False)  # no empty line's height when all is well
        self._show_origin_hint(origin_hint(request))
        self.preflight_line.setText(preflight_line(request))

    def _show_origin_hint(self, note: str | None) -> None:
        self.origin_hint.setText(note or "")
        self.origin_hint.setVisible(note is not None)

    def set_busy(self, busy: bool) -> None:
        self.send.setEnabled(not busy)
        self.cancel.setEnabled(busy)
