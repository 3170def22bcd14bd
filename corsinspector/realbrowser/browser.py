"""Ask the real browser: run one ``fetch()`` in embedded Chromium (QtWebEngine).

Importing this module costs nothing: Qt lives in :mod:`corsinspector.realbrowser._qt`, which
the first :class:`RealBrowser` imports (and so starts QtWebEngine); the page is in ``page.py``.

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
import os
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from corsinspector.model import BrowserResult, Request

if TYPE_CHECKING:
    from corsinspector.realbrowser._qt import Run

__all__ = ["NATIVE_LOG", "RealBrowser", "chromium_version", "embedder", "start_qt"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: Names the process that chose the DevTools port (so that a child does not reuse it).
_PORT_OWNER = "CORSINSPECTOR_DEVTOOLS_PORT_OWNER"


def _prepare_environment() -> int | None:
    """Environment QtWebEngine reads once, at start: DevTools port, sandbox as root."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    # A port chosen by another process of ours (our parent, whose browser holds it) is not
    # ours to reuse: child processes inherit the variable. A user's own choice is kept.
    inherited = os.environ.get(_PORT_OWNER) not in (None, str(os.getpid()))
    if "QTWEBENGINE_REMOTE_DEBUGGING" not in os.environ or inherited:
        os.environ["QTWEBENGINE_REMOTE_DEBUGGING"] = f"127.0.0.1:{_free_port()}"
        os.environ[_PORT_OWNER] = str(os.getpid())
    value = os.environ["QTWEBENGINE_REMOTE_DEBUGGING"]
    try:
        return int(value.rsplit(":", 1)[-1])
    except ValueError:
        return None


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


def start_qt(*, quiet: bool = True) -> int | None:
    """Start Qt for the embedded Chromium, its DevTools port chosen first (QtWebEngine reads
    it once); returns that port. ``quiet``: Chromium's own diagnostics go to a log file."""
    if quiet:
        _divert_native_stderr()
    port = _prepare_environment()
    from corsinspector.realbrowser import _qt  # Qt starts here, not at import

    _qt.ensure_application()
    return port


def chromium_version() -> str:
    """The version of the embedded Chromium (``140.0.7339.264``)."""
    from corsinspector.realbrowser import _qt

    return _qt.chromium_version()


def embedder() -> str:
    """What embeds that Chromium (``QtWebEngine 6.11.3``)."""
    from corsinspector.realbrowser import _qt

    return _qt.embedder()


class RealBrowser:
    """Embedded Chromium, ready to run fetches. Create it on the Qt (main) thread."""

    def __init__(self, *, settle_ms: int = 250, quiet: bool = True) -> None:
        """``quiet``: Chromium's own diagnostics (GPU fallbacks, DevTools banners) go to a
        log file instead of the terminal; Python's ``sys.stderr`` still reaches it."""
        self._devtools_port = start_qt(quiet=quiet)
        from corsinspector.realbrowser import _qt

        self._qt = _qt
        self.settle_ms = settle_ms
        self.version = _qt.chromium_version()
        self.embedder = _qt.embedder()
        self._active: set[Run] = set()

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
            while not future.done():
                self._qt.process_events()
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
    ) -> Run:
        """Start ``request`` and call ``done`` with the result (on the Qt thread)."""
        run = self._qt.Run(
            request,
            done,
            url or request.url,
            page_origin or request.origin,
            time_limit,
            devtools_port=self._devtools_port,
            version=self.version,
            settle_ms=self.settle_ms,
            forget=self._active.discard,
        )
        self._active.add(run)  # owned here until it is done: never collected on another thread
        return run
