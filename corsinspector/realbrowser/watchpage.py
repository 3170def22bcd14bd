"""The embedded page for watching (issue 14): a QtWebEngine page in its own profile, and
where DevTools finds it (the embedded browser's remote-debugging port).

Importing this module starts no Qt; the first :class:`WatchPage` does. The page starts on a
blank page whose URL and title carry a unique token, so that its DevTools target is found
before it navigates anywhere. The window shows ``page`` in a ``QWebEngineView``
(``view.setPage(page)``), and must take it out of the view before :meth:`WatchPage.aclose`.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corsinspector.errors import WatchError
from corsinspector.realbrowser.browser import (
    _divert_native_stderr,
    _loop_runs_qt,
    _prepare_environment,
)

if TYPE_CHECKING:
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile

    #: The page's type, for the core's annotations (which may not name Qt themselves).
    EmbeddedPage = QWebEnginePage

__all__ = ["WatchPage"]


class WatchPage:
    """One embedded page to watch. Create it, and close it, on the Qt (main) thread."""

    def __init__(self, *, profile: str | Path | None = None, quiet: bool = True) -> None:
        """``profile`` None: off the record (nothing kept); a path: the profile lives
        there, so a login survives to the next watch. ``quiet``: Chromium's own
        diagnostics go to a log file, not the terminal."""
        if quiet:
            _divert_native_stderr()
        port = _prepare_environment()
        if port is None:
            raise WatchError("QTWEBENGINE_REMOTE_DEBUGGING names no port to watch the page on")
        from corsinspector.realbrowser import _qt, _watchqt  # Qt starts here, not at import

        _qt.ensure_application()
        self._qt = _qt
        self.address = f"127.0.0.1:{port}"
        self.version = _qt.chromium_version()
        self.token = f"corsinspector-watch-{uuid.uuid4().hex}"
        start = f"data:text/html,<title>{self.token}</title>"
        storage = None if profile is None else Path(profile)
        self._profile: QWebEngineProfile | None
        self._profile, self._page = _watchqt.make_page(storage, start)
        self._pump: asyncio.Task[None] | None = None

    @property
    def page(self) -> QWebEnginePage:
        """The ``QWebEnginePage`` (for a ``QWebEngineView``)."""
        return self._page

    def is_target(self, info: dict[str, Any]) -> bool:
        """Is this DevTools ``TargetInfo`` this page (its URL or title carries the token)?"""
        return info.get("type") == "page" and (
            self.token in str(info.get("url", "")) or info.get("title") == self.token
        )

    def keep_qt_running(self) -> None:
        """On a plain asyncio loop, pump Qt's events until :meth:`aclose` (DevTools and the
        page run on Qt's thread); on a qasync loop Qt runs by itself."""
        loop = asyncio.get_running_loop()
        if self._pump is None and not _loop_runs_qt(loop):
            # the reference kept in self._pump owns the task until aclose
            self._pump = loop.create_task(self._pump_qt(), name="watchpage-qt-events")

    async def _pump_qt(self) -> None:
        while True:
            self._qt.process_events()
            await asyncio.sleep(0.005)

    async def aclose(self) -> None:
        """Stop pumping and delete the page and its profile (idempotent)."""
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        if self._profile is not None:
            from corsinspector.realbrowser import _watchqt

            _watchqt.release(self._profile, self._page)
            self._profile = None
