"""The Qt side of Ask the real browser, imported only when the first RealBrowser starts: the
application, the versions, and a fetch run as QObjects (a page, DevTools over a WebSocket)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, QUrl
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    qWebEngineChromiumVersion,
    qWebEngineVersion,
)
from PySide6.QtWebSockets import QWebSocket
from PySide6.QtWidgets import QApplication

from corsinspector.model import BrowserResult, ConsoleLine, CorsErrorStatus, Request
from corsinspector.origins import NULL_ORIGIN
from corsinspector.realbrowser.page import (
    MARKER,
    NULL_ORIGIN_HOST_PAGE,
    fetch_spec,
    page_html,
    page_result,
)

__all__ = ["Run", "chromium_version", "embedder", "ensure_application", "process_events"]


def ensure_application() -> None:
    """A QApplication (offscreen without a display), shared OpenGL contexts as WebEngine needs."""
    if QCoreApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        QApplication([os.environ.get("CORSINSPECTOR_APP_NAME", "corsinspector")])


def process_events() -> None:
    QCoreApplication.processEvents()


def chromium_version() -> str:
    """The version of the embedded Chromium (``140.0.7339.264``)."""
    return str(qWebEngineChromiumVersion())


def embedder() -> str:
    """What embeds that Chromium (``QtWebEngine 6.11.3``)."""
    version: object = qWebEngineVersion()
    text = version.decode() if isinstance(version, bytes) else str(version)
    return f"QtWebEngine {text}"


_LEVELS = {
    QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel: "info",
    QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel: "warning",
    QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel: "error",
}


class Page(QWebEnginePage):
    """A page whose console messages go to ``sink`` (level, text)."""

    def __init__(self, profile: QWebEngineProfile, sink: Callable[[str, str], None]) -> None:
        super().__init__(profile)
        self._sink = sink

    def javaScriptConsoleMessage(  # noqa: N802 - Qt's name
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        self._sink(_LEVELS.get(level, "info"), message)


class Run(QObject):
    """One fetch in a fresh off-the-record profile, attached to over DevTools; calls ``done``
    with the result, and ``forget`` with itself once its Qt objects are deleted."""

    def __init__(
        self,
        request: Request,
        done: Callable[[BrowserResult], None],
        url: str,
        page_origin: str,
        time_limit: float,
        *,
        devtools_port: int | None,
        version: str,
        settle_ms: int,
        forget: Callable[[Run], None],
    ) -> None:
        super().__init__()
        self._devtools_port = devtools_port
        self._version = version
        self._settle_ms = settle_ms
        self._forget = forget
        self._done = done
        self._finished = False
        self._fetch_started = False
        self._devtools_attached = False
        self._console: list[ConsoleLine] = []
        self._cors_errors: list[CorsErrorStatus] = []
        self._net_errors: list[str] = []
        #: Requests DevTools saw start and not yet finish: the result waits for them.
        self._loading: set[str] = set()
        self._outcome: dict[str, Any] | None = None
        self._title = f"corsinspector-{uuid.uuid4().hex}"
        self._next_id = 0
        self._pending: set[int] = set()
        opaque = page_origin == NULL_ORIGIN
        base = NULL_ORIGIN_HOST_PAGE if opaque else page_origin
        spec = fetch_spec(request, url)
        self._profile = QWebEngineProfile(self)
        self._profile.settings().setAttribute(
            QWebEngineSettings.WebAttribute.AutoLoadIconsForPage, False
        )
        self._page = Page(self._profile, self._on_console)
        self._socket = QWebSocket(parent=self)
        self._socket.textMessageReceived.connect(self._on_devtools_message)
        self._socket.connected.connect(self._on_devtools_connected)
        self._network = QNetworkAccessManager(self)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._on_timeout)
        self._timer.start(int(time_limit * 1000))
        self._attach_timer = QTimer(self, singleShot=True)
        self._attach_timer.timeout.connect(self._start_fetch)
        self._page.loadFinished.connect(self._on_loaded)
        self._page.setHtml(page_html(spec, self._title, opaque), QUrl(base + "/"))

    # --- DevTools ------------------------------------------------------------------

    def _on_loaded(self, ok: bool) -> None:
        port = self._devtools_port
        if port is None:
            self._start_fetch()
            return
        self._attach_timer.start(5000)  # go on without DevTools if it does not answer
        reply = self._network.get(QNetworkRequest(QUrl(f"http://127.0.0.1:{port}/json/list")))
        reply.finished.connect(lambda: self._on_targets(reply))

    def _on_targets(self, reply: QNetworkReply) -> None:
        reply.deleteLater()
        try:
            targets = json.loads(bytes(reply.readAll().data()).decode())
        except ValueError:
            targets = []
        for target in targets:
            if target.get("title") == self._title and "webSocketDebuggerUrl" in target:
                self._socket.open(QUrl(target["webSocketDebuggerUrl"]))
                return
        self._start_fetch()

    def _send(self, method: str) -> None:
        self._next_id += 1
        self._pending.add(self._next_id)
        self._socket.sendTextMessage(json.dumps({"id": self._next_id, "method": method}))

    def _on_devtools_connected(self) -> None:
        self._send("Network.enable")
        self._send("Audits.enable")

    def _on_devtools_message(self, text: str) -> None:
        message = json.loads(text)
        if "id" in message:
            self._pending.discard(message["id"])
            if not self._pending:
                self._devtools_attached = True
                self._start_fetch()
            return
        params = message.get("params", {})
        status = None
        method = message.get("method")
        if method == "Network.requestWillBeSent":
            self._loading.add(params.get("requestId", ""))
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            self._loading.discard(params.get("requestId", ""))
        if method == "Network.loadingFailed":
            status = params.get("corsErrorStatus")
            text = params.get("errorText", "")
            if text and text not in self._net_errors:
                self._net_errors.append(text)
        elif message.get("method") == "Audits.issueAdded":
            issue = params.get("issue", {})
            if issue.get("code") == "CorsIssue":
                status = issue.get("details", {}).get("corsIssueDetails", {}).get("corsErrorStatus")
        if status and status.get("corsError"):
            error = CorsErrorStatus(status["corsError"], status.get("failedParameter", ""))
            if error not in self._cors_errors:
                self._cors_errors.append(error)

    # --- the fetch -----------------------------------------------------------------

    def _start_fetch(self) -> None:
        if self._fetch_started or self._finished:
            return
        self._fetch_started = True
        self._attach_timer.stop()
        self._page.runJavaScript("window.corsInspectorStart()")

    def _on_console(self, level: str, message: str) -> None:
        if message.startswith(MARKER):
            self._outcome = json.loads(message[len(MARKER) :])
            QTimer.singleShot(self._settle_ms, self._settle)
        else:
            self._console.append(ConsoleLine(level, message))

    def _settle(self, waited_ms: int = 0) -> None:
        """Finish once DevTools had time to name the error: up to a second more while a
        rejected fetch has no ``corsErrorStatus`` yet (some never get one) or a request the
        page made has not finished (its net error would come with its end)."""
        rejected = self._outcome is not None and self._outcome["outcome"] == "rejected"
        unnamed = rejected and not self._cors_errors
        # A loaded machine delivers DevTools events late: also wait for every request to end
        if self._devtools_attached and (unnamed or self._loading) and waited_ms < 1000:
            QTimer.singleShot(50, lambda: self._settle(waited_ms + 50))
            return
        self._finish()

    def _on_timeout(self) -> None:
        self._outcome = {"outcome": "timeout"}
        self._finish()

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._timer.stop()
        result = page_result(
            self._outcome,
            browser="chromium",
            version=self._version,
            console=tuple(self._console),
            cors_errors=tuple(self._cors_errors),
            devtools=self._devtools_attached,
            net_errors=tuple(self._net_errors),
        )
        self._socket.close()
        # Deleted now, on this thread, page before profile: left to Python's collector,
        # they could be freed on another thread, which Chromium refuses fatally.
        shiboken6.delete(self._page)
        shiboken6.delete(self._profile)
        self._forget(self)
        self.deleteLater()
        self._done(result)
