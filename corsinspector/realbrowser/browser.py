"""Ask the real browser: run one ``fetch()`` in embedded Chromium (QtWebEngine).

The one core module that may import Qt, and it does so lazily: importing this module costs
nothing; the first :class:`RealBrowser` starts QtWebEngine.

How a run goes:

1. A fresh off-the-record profile (no preflight cache, no cookies shared between runs) and
   a page given HTML with ``setHtml(html, QUrl(origin + "/"))``: the page then has exactly
   that origin. An opaque (``null``) origin runs the fetch in a sandboxed iframe.
2. The page is attached to over the DevTools protocol (``QTWEBENGINE_REMOTE_DEBUGGING``),
   with ``Network`` and ``Audits`` enabled, so that Chromium's own name for a CORS failure
   (``corsErrorStatus``) is heard.
3. The fetch runs; the page reports the outcome on its console; the console messages,
   the readable response headers and the DevTools errors make the :class:`BrowserResult`.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import socket
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corsinspector.model import BrowserResult, ConsoleLine, CorsErrorStatus, Request
from corsinspector.origins import NULL_ORIGIN

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

__all__ = ["NATIVE_LOG", "RealBrowser", "chromium_version", "embedder"]

_MARKER = "__corsinspector_result__"
#: The page that plays an opaque origin is itself served from here (its iframe is sandboxed).
_NULL_ORIGIN_HOST_PAGE = "https://opaque-host.example.test"

_SCRIPT = """
async function corsInspectorRun(spec) {
  const init = {method: spec.method, headers: spec.headers, credentials: spec.credentials,
                mode: spec.mode};
  if (spec.body !== null) init.body = spec.body;
  let result;
  try {
    const response = await fetch(spec.url, init);
    const names = [];
    for (const [name] of response.headers) names.push(name);
    let body = null;
    try { body = (await response.text()).slice(0, 1000); } catch (e) { body = null; }
    result = {outcome: 'resolved', status: response.status, type: response.type,
              url: response.url, redirected: response.redirected, headers: names, body: body};
  } catch (e) {
    result = {outcome: 'rejected', error: String(e)};
  }
  console.log('%(marker)s' + JSON.stringify(result));
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare_environment() -> int | None:
    """Environment QtWebEngine reads once, at start: DevTools port, sandbox as root."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    if "QTWEBENGINE_REMOTE_DEBUGGING" not in os.environ:
        os.environ["QTWEBENGINE_REMOTE_DEBUGGING"] = f"127.0.0.1:{_free_port()}"
    value = os.environ["QTWEBENGINE_REMOTE_DEBUGGING"]
    try:
        return int(value.rsplit(":", 1)[-1])
    except ValueError:
        return None


def _ensure_application() -> None:
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    if QCoreApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        QApplication([os.environ.get("CORSINSPECTOR_APP_NAME", "corsinspector")])


#: Where Chromium's native diagnostics go once diverted.
NATIVE_LOG = Path(tempfile.gettempdir()) / "corsinspector-chromium.log"
_diverted = False


def _divert_native_stderr() -> None:
    """Point file descriptor 2 (where Chromium and Qt write) at :data:`NATIVE_LOG`, and keep
    Python's own ``sys.stderr`` on the original terminal."""
    global _diverted
    if _diverted:
        return
    _diverted = True
    try:
        sys.stderr.flush()
        terminal = os.dup(2)
        log = os.open(NATIVE_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        return
    os.dup2(log, 2)
    os.close(log)
    sys.stderr = os.fdopen(terminal, "w", buffering=1, encoding="utf-8", errors="replace")


def _loop_runs_qt(loop: asyncio.AbstractEventLoop) -> bool:
    """Is this asyncio loop driven by Qt's event loop (qasync)?"""
    return type(loop).__module__.split(".")[0] == "qasync"


def chromium_version() -> str:
    """The version of the embedded Chromium (``140.0.7339.264``)."""
    from PySide6.QtWebEngineCore import qWebEngineChromiumVersion

    return str(qWebEngineChromiumVersion())


def embedder() -> str:
    """What embeds that Chromium (``QtWebEngine 6.11.3``)."""
    from PySide6.QtWebEngineCore import qWebEngineVersion

    version: object = qWebEngineVersion()
    text = version.decode() if isinstance(version, bytes) else str(version)
    return f"QtWebEngine {text}"


def _page_html(spec: dict[str, Any], title: str, opaque: bool) -> str:
    script = _SCRIPT % {"marker": _MARKER}
    spec_json = json.dumps(spec).replace("</", "<\\/")
    if not opaque:
        return (
            f"<!doctype html><html><head><title>{title}</title><script>{script}\n"
            f"window.corsInspectorStart = () => corsInspectorRun({spec_json});"
            "</script></head><body></body></html>"
        )
    inner = (
        f"<!doctype html><script>{script}\n"
        "window.addEventListener('message', (e) => corsInspectorRun(e.data));</script>"
    )
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f'<iframe id="opaque" sandbox="allow-scripts" srcdoc="{html.escape(inner)}"></iframe>'
        "<script>window.corsInspectorStart = () => document.getElementById('opaque')"
        f".contentWindow.postMessage({spec_json}, '*');</script></body></html>"
    )


class RealBrowser:
    """Embedded Chromium, ready to run fetches. Create it on the Qt (main) thread."""

    def __init__(self, *, settle_ms: int = 250, quiet: bool = True) -> None:
        """``quiet``: Chromium's own diagnostics (GPU fallbacks, DevTools banners) go to a
        log file instead of the terminal; Python's ``sys.stderr`` still reaches it."""
        if quiet:
            _divert_native_stderr()
        self._devtools_port = _prepare_environment()
        _ensure_application()
        self.settle_ms = settle_ms
        self.version = chromium_version()
        self.embedder = embedder()
        self._active: set[QObject] = set()

    async def fetch(
        self,
        request: Request,
        *,
        url: str | None = None,
        page_origin: str | None = None,
        time_limit: float = 20.0,
    ) -> BrowserResult:
        """Run ``request`` and return what Chromium did.

        Runs on the Qt thread: on a qasync loop Qt's events flow by themselves; on a plain
        asyncio loop this coroutine pumps them while it waits. ``url`` is the URL actually fetched
        (default ``request.url``) and ``page_origin`` the origin the page actually has
        (default ``request.origin``): the recorder plays symbolic origins on loopback ports
        and passes the loopback ones here. Cancelling the coroutine abandons the run.
        """
        future: asyncio.Future[BrowserResult] = asyncio.get_running_loop().create_future()

        def finish(result: BrowserResult) -> None:
            if not future.done():
                future.set_result(result)

        run = self.start(request, finish, url=url, page_origin=page_origin, time_limit=time_limit)
        try:
            if _loop_runs_qt(asyncio.get_running_loop()):
                return await future
            # A plain asyncio loop (the command line): keep Qt's events flowing meanwhile.
            from PySide6.QtCore import QCoreApplication

            while not future.done():
                QCoreApplication.processEvents()
                await asyncio.sleep(0.005)
            return future.result()
        finally:
            self._active.discard(run)

    def start(
        self,
        request: Request,
        done: Callable[[BrowserResult], None],
        *,
        url: str | None = None,
        page_origin: str | None = None,
        time_limit: float = 20.0,
    ) -> QObject:
        """Start ``request`` and call ``done`` with the result (on the Qt thread)."""
        run_class = _run_class()
        run: QObject = run_class(
            self, request, done, url or request.url, page_origin or request.origin, time_limit
        )
        self._active.add(run)  # owned here until it is done: never collected on another thread
        return run


_RUN_CLASS: Any = None


def _run_class() -> Any:
    global _RUN_CLASS  # the Qt subclasses are built once, on first use
    if _RUN_CLASS is not None:
        return _RUN_CLASS

    import shiboken6
    from PySide6.QtCore import QObject, QTimer, QUrl
    from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
    from PySide6.QtWebSockets import QWebSocket

    levels = {
        QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel: "info",
        QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel: "warning",
        QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel: "error",
    }

    class Page(QWebEnginePage):
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
            self._sink(levels.get(level, "info"), message)

    class Run(QObject):
        def __init__(
            self,
            browser: RealBrowser,
            request: Request,
            done: Callable[[BrowserResult], None],
            url: str,
            page_origin: str,
            time_limit: float,
        ) -> None:
            super().__init__()
            self._browser = browser
            self._done = done
            self._finished = False
            self._fetch_started = False
            self._devtools_attached = False
            self._console: list[ConsoleLine] = []
            self._cors_errors: list[CorsErrorStatus] = []
            self._net_errors: list[str] = []
            self._outcome: dict[str, Any] | None = None
            self._title = f"corsinspector-{uuid.uuid4().hex}"
            self._next_id = 0
            self._pending: set[int] = set()
            opaque = page_origin == NULL_ORIGIN
            base = _NULL_ORIGIN_HOST_PAGE if opaque else page_origin
            spec = {
                "url": url,
                "method": request.method,
                "headers": [list(pair) for pair in request.headers],
                "credentials": request.credentials,
                "mode": request.mode,
                "body": request.body,
            }
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
            self._page.setHtml(_page_html(spec, self._title, opaque), QUrl(base + "/"))

        # --- DevTools ------------------------------------------------------------------

        def _on_loaded(self, ok: bool) -> None:
            port = self._browser._devtools_port
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
            if message.get("method") == "Network.loadingFailed":
                status = params.get("corsErrorStatus")
                text = params.get("errorText", "")
                if text and text not in self._net_errors:
                    self._net_errors.append(text)
            elif message.get("method") == "Audits.issueAdded":
                issue = params.get("issue", {})
                if issue.get("code") == "CorsIssue":
                    status = (
                        issue.get("details", {}).get("corsIssueDetails", {}).get("corsErrorStatus")
                    )
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
            if message.startswith(_MARKER):
                self._outcome = json.loads(message[len(_MARKER) :])
                QTimer.singleShot(self._browser.settle_ms, self._settle)
            else:
                self._console.append(ConsoleLine(level, message))

        def _settle(self, waited_ms: int = 0) -> None:
            """Finish once DevTools had time to name the error: a rejected fetch waits up
            to a second more for its ``corsErrorStatus`` (some rejections have none)."""
            rejected = self._outcome is not None and self._outcome["outcome"] == "rejected"
            if rejected and self._devtools_attached and not self._cors_errors and waited_ms < 1000:
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
            out = self._outcome or {"outcome": "timeout"}
            result = BrowserResult(
                outcome=out["outcome"],
                browser="chromium",
                version=self._browser.version,
                error=out.get("error"),
                status=out.get("status"),
                response_type=out.get("type"),
                response_url=out.get("url"),
                redirected=bool(out.get("redirected", False)),
                readable_headers=tuple(out.get("headers", ())),
                body=out.get("body"),
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
            self._browser._active.discard(self)
            self.deleteLater()
            self._done(result)

    _RUN_CLASS = Run
    return Run
