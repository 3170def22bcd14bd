"""ExchangeView: one exchange (preflight or actual) — the CORS pair that explains a block,
request and response headers, status and timings, the response body; the culprit rows
highlighted on both sides; a request the browser never sent collapsed to one line
(ExchangesPane gives its width to the other)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from corsinspector.app.headernames import BROWSER_ADDED, MUTED

from .models import HeadersModel
from .response_view import FitTable, ResponseView

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from corsinspector import Exchange, Failure, SentRequest, Verdict
    from corsinspector.app.exchanges import CorsPair

__all__ = ["ExchangeView", "ExchangesPane"]


def _pair_style() -> str:
    """The pair strip in the culprit row's colours, of the theme shown now."""
    from .palette import current

    background, text = current().culprit
    return (
        f"QLabel {{ background:{background}; color:{text}; border:1px solid {text};"
        " padding:2px 6px; font-weight:bold; }"
    )


def _size(count: int | None) -> str:
    if count is None:
        return ""
    return f"{count} B" if count < 1024 else f"{count / 1024:.1f} KB"


def _scroll_into_view(table: FitTable, row: int | None) -> None:
    table.keep_visible = row
    if row is not None:
        table.scrollTo(table.model().index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)


class ExchangeView(QGroupBox):
    #: Shown again: one line (never sent, True) or in full (False).
    collapsed_changed = Signal(bool)

    def __init__(self, title: str, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._title = title
        # in the request's row, not a title row; short ("Preflight"): the method follows
        self.title_label = QLabel(f"<b>{title.split(' (')[0]}</b>")
        self.title_label.setToolTip(title)
        self.title_label.setObjectName(f"{name}_title")
        self.collapsed = False
        self.request_model = HeadersModel()
        self.request_line = QLabel("—")
        self.request_line.setObjectName(f"{name}_request_line")
        # a long URL is cut, not a reason for a wider window (the whole line as its tooltip)
        self.request_line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.request_line.setMinimumWidth(0)
        self.pair_line = _ElidedLabel()
        self.pair_line.setObjectName(f"{name}_cors_pair")
        self.pair_line.setVisible(False)
        self.pair: CorsPair | None = None
        self.status_line = QLabel("")
        self.status_line.setObjectName(f"{name}_status_line")
        self.status_line.setWordWrap(True)
        self.request_table = FitTable(self.request_model, f"{name}_request_headers")
        self.request_model.muted_names = MUTED
        self.copy_curl = QToolButton()  # a tool button: a row as short as its text
        self.copy_curl.setText("Copy as cURL")
        self.copy_curl.setObjectName(f"{name}_copy_curl")
        self.copy_curl.setEnabled(False)
        self.copy_curl.clicked.connect(self._copy_curl)
        # the browser's plumbing (Host, Connection …) folded away until asked for
        self.show_all = QToolButton()
        self.show_all.setObjectName(f"{name}_show_all")
        self.show_all.setCheckable(True)
        self.show_all.toggled.connect(self._fold)
        self.show_all.setVisible(False)  # until there is something to fold
        self._sent: SentRequest | None = None
        self.response = ResponseView(name)
        self.response_model = self.response.model
        self.response_table: FitTable = self.response.table
        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        line = QHBoxLayout()
        line.addWidget(self.title_label)
        line.addWidget(self.request_line, 1)
        line.addWidget(self.show_all)
        line.addWidget(self.copy_curl)
        layout.addLayout(line)
        layout.addWidget(self.pair_line)
        layout.addWidget(self.request_table, 1)
        status = QHBoxLayout()
        status.addWidget(self.status_line, 1)
        status.addWidget(self.response.body_button)
        layout.addLayout(status)
        layout.addWidget(self.response, 1)
        self._body_widgets: tuple[QWidget, ...] = (
            self.show_all,
            self.request_table,
            self.status_line,
            self.response,
            self.response.body_button,
        )

    def _set_collapsed(self, collapsed: bool) -> None:
        for widget in self._body_widgets:
            widget.setVisible(not collapsed)
        if collapsed:
            self.pair_line.setVisible(False)
        self.collapsed = collapsed
        self.collapsed_changed.emit(collapsed)

    def show_exchange(
        self,
        exchange: Exchange | None,
        error: Failure | None,
        why_not: str = "",
        verdict: Verdict | None = None,
    ) -> None:
        """Show ``exchange``; when None, collapse to one line that says why it was not sent.
        With the ``verdict``: the CORS pair on both sides, and on the actual response which
        headers script may read."""
        from corsinspector.app.exchanges import cors_pair

        self.setEnabled(exchange is not None)
        self._sent = exchange.request if exchange is not None else None
        self.copy_curl.setEnabled(exchange is not None)
        if exchange is None:
            self.request_line.setText(why_not or "Not sent")
            self.status_line.setText("")
            self.request_model.clear()
            self.response.clear()
            self.pair = None
            self._set_collapsed(True)
            return
        self._set_collapsed(False)
        request = exchange.request
        note = "" if exchange.browser_sends else "   (sent anyway: no browser would send this)"
        self.request_line.setText(f"{request.method} {request.url}{note}")
        self.request_line.setToolTip(self.request_line.text())
        pair = cors_pair(verdict) if verdict is not None else None
        if pair is not None and pair.stage != exchange.kind:
            pair = None
        self.pair = pair
        self.pair_line.setVisible(pair is not None)
        if pair is not None:
            self.pair_line.setStyleSheet(_pair_style())  # the theme may have changed
        self.pair_line.set_full_text(pair.short if pair is not None else "")
        self.pair_line.setToolTip(pair.text if pair is not None else "")
        asked = pair.asked_header if pair is not None and pair.asked_is_header else None
        self.request_model.culprit_tip = "the request asked this; the answer beside it blocked"
        self.request_model.set_headers(request.headers, culprit=asked, browser_added=BROWSER_ADDED)
        self._fold(self.show_all.isChecked())
        _scroll_into_view(self.request_table, self.request_model.culprit_row())
        culprit = error.header if error is not None else None
        response = exchange.response
        if response is None:
            problem = exchange.network_error
            self.status_line.setText(
                f"No answer: {problem.code} — {problem.explanation}" if problem else "No answer"
            )
            self.response.clear()
            return
        self.status_line.setText(self._status(exchange))
        self.response_model.set_headers(
            response.headers,
            culprit=culprit,
            culprit_missing=error is not None and error.value is None,
        )
        self._show_response_extras(exchange, verdict)
        # the height goes to the tables by their rows: the longer one gets more
        self._layout.setStretchFactor(self.request_table, max(1, self.request_model.rowCount()))
        # (the response's rows count double: the answer is what decides)
        self._layout.setStretchFactor(self.response, 2 * max(1, self.response_model.rowCount()))
        _scroll_into_view(self.response_table, self.response_model.culprit_row())

    def _show_response_extras(self, exchange: Exchange, verdict: Verdict | None) -> None:
        from corsinspector.app.exchanges import body_text, exposure

        response = exchange.response
        assert response is not None
        marks = exposure(verdict, response) if verdict is not None else ()
        self.response_model.set_exposure(marks if exchange.kind == "actual" else ())
        size = response.body_size if response.body_size is not None else None
        if size is None and response.body is not None:
            size = len(response.body.encode())
        self.response.show_body(body_text(response), _size(size))

    @staticmethod
    def _status(exchange: Exchange) -> str:
        from corsinspector.app.exchanges import timing_text

        response = exchange.response
        assert response is not None
        status = f"{response.http_version or 'HTTP/1.1'} {response.status} {response.reason or ''}"
        timings = timing_text(response.timings)
        if timings:
            status = f"{status.strip()}   ({timings})"
        if response.body_error is not None:  # headers judged; the body failed after them
            status += f"   — body failed: {response.body_error.code}"
        return status.strip()

    def _fold(self, show_all: bool) -> None:
        """Hide the request's plumbing rows (never the culprit), or show every row."""
        from corsinspector.app.exchanges import is_muted

        model, table = self.request_model, self.request_table
        culprit = model.culprit_row()
        folded = [
            row
            for row in range(model.rowCount())
            if row != culprit
            and is_muted(str(model.data(model.index(row, 0), Qt.ItemDataRole.EditRole)))
        ]
        for row in range(model.rowCount()):
            table.setRowHidden(row, not show_all and row in folded)
        self.show_all.setText("fold" if show_all else f"+{len(folded)}")
        self.show_all.setVisible(bool(folded) and not self.collapsed)
        self.show_all.setToolTip(
            "Fold the headers the browser adds that do not decide CORS"
            if show_all
            else f"Show the {len(folded)} headers the browser adds that do not decide CORS"
            " (Host, Connection, User-Agent …)"
        )
        table.updateGeometry()

    def _copy_curl(self) -> None:
        from corsinspector.app.workspace import curl_command

        if self._sent is not None:
            QApplication.clipboard().setText(curl_command(self._sent))


class _ElidedLabel(QLabel):
    """One line, cut with an ellipsis when narrow (the whole text as its tooltip)."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""
        self.setMinimumWidth(40)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width() - 2 * self.margin() - 14  # the style's padding
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room))


class ExchangesPane(QWidget):
    """The preflight and the actual request side by side; one the browser never sent
    becomes one line above the other, which takes the whole width."""

    def __init__(self, *views: ExchangeView) -> None:
        super().__init__()
        self.setObjectName("exchanges_pane")
        self.views = views
        self.splitter = QSplitter()
        self.splitter.setObjectName("exchanges_splitter")
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self._layout = layout
        for view in views:
            self.splitter.addWidget(view)
            view.collapsed_changed.connect(self._arrange)
        layout.addWidget(self.splitter, 1)

    def _arrange(self) -> None:
        for position, view in enumerate(self.views):
            in_splitter = view.parent() is self.splitter
            if view.collapsed and in_splitter:
                self._layout.insertWidget(min(position, self._layout.count() - 1), view)
                view.show()
            elif not view.collapsed and not in_splitter:
                self.splitter.insertWidget(min(position, self.splitter.count()), view)
                view.show()
