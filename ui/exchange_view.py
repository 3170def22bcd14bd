"""ExchangeView: one exchange (preflight or actual) — request and response headers, status,
timings; the culprit row highlighted; a request the browser would not send greyed out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

if TYPE_CHECKING:
    from corsinspector import Exchange, Failure, SentRequest
from .models import HeadersModel

__all__ = ["ExchangeView"]

_BROWSER_HEADERS = frozenset(
    {
        "host",
        "connection",
        "user-agent",
        "origin",
        "accept-encoding",
        "accept-language",
        "referer",
        "sec-fetch-site",
        "sec-fetch-mode",
        "sec-fetch-dest",
        "sec-ch-ua",
        "sec-ch-ua-mobile",
        "sec-ch-ua-platform",
        "access-control-request-method",
        "access-control-request-headers",
        "content-length",
    }
)


def _table(model: HeadersModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(22)
    view.setAlternatingRowColors(True)
    view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
    view.setMinimumHeight(44)  # two rows: the window must fit a small laptop screen
    return view


class ExchangeView(QGroupBox):
    def __init__(self, title: str, name: str) -> None:
        super().__init__(title)
        self.setObjectName(name)
        self._title = title
        self.request_model = HeadersModel()
        self.response_model = HeadersModel()
        self.request_line = QLabel("—")
        self.request_line.setObjectName(f"{name}_request_line")
        self.status_line = QLabel("")
        self.status_line.setObjectName(f"{name}_status_line")
        self.request_table = _table(self.request_model, f"{name}_request_headers")
        self.copy_curl = QPushButton("Copy as cURL")
        self.copy_curl.setObjectName(f"{name}_copy_curl")
        self.copy_curl.setEnabled(False)
        self.copy_curl.clicked.connect(self._copy_curl)
        self._sent: SentRequest | None = None
        self.response_table = _table(self.response_model, f"{name}_response_headers")
        layout = QVBoxLayout(self)
        line = QHBoxLayout()
        line.addWidget(self.request_line, 1)
        line.addWidget(self.copy_curl)
        layout.addLayout(line)
        layout.addWidget(self.request_table, 1)
        layout.addWidget(self.status_line)
        layout.addWidget(self.response_table, 1)

    def show_exchange(
        self, exchange: Exchange | None, error: Failure | None, why_not: str = ""
    ) -> None:
        """Show ``exchange``; when None, say why it was not sent (greyed)."""
        self.setEnabled(exchange is not None)
        self._sent = exchange.request if exchange is not None else None
        self.copy_curl.setEnabled(exchange is not None)
        if exchange is None:
            self.request_line.setText(why_not or "Not sent")
            self.status_line.setText("")
            self.request_model.clear()
            self.response_model.clear()
            return
        request = exchange.request
        note = "" if exchange.browser_sends else "   (sent anyway: no browser would send this)"
        self.request_line.setText(f"{request.method} {request.url}{note}")
        self.request_model.set_headers(request.headers, browser_added=_BROWSER_HEADERS)
        culprit = error.header if error is not None else None
        response = exchange.response
        if response is None:
            problem = exchange.network_error
            self.status_line.setText(
                f"No answer: {problem.code} — {problem.explanation}" if problem else "No answer"
            )
            self.response_model.clear()
            return
        status = f"{response.http_version or 'HTTP/1.1'} {response.status} {response.reason or ''}"
        timings = response.timings
        if timings is not None and timings.done is not None:
            status += f"   ({timings.done:.1f} ms"
            if timings.first_byte is not None:
                status += f", first byte {timings.first_byte:.1f} ms"
            status += ")"
        if response.body_error is not None:  # headers judged; the body failed after them
            status += f"   — body failed: {response.body_error.code}"
        self.status_line.setText(status.strip())
        self.response_model.set_headers(
            response.headers,
            culprit=culprit,
            culprit_missing=error is not None and error.value is None,
        )
        row = self.response_model.culprit_row()
        if row is not None:  # once laid out, bring the culprit into view
            index = self.response_model.index(row, 0)
            hint = QAbstractItemView.ScrollHint.PositionAtCenter
            QTimer.singleShot(0, lambda: self.response_table.scrollTo(index, hint))

    def _copy_curl(self) -> None:
        from corsinspector.app.workspace import curl_command

        if self._sent is not None:
            QApplication.clipboard().setText(curl_command(self._sent))
