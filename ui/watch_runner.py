"""WatchRunner: one watch at a time for the Watch pane: the browser started (embedded Chromium,
the user's Chrome, or one already listening), pages opened in it, its rows handed on in
batches, and the browser closed when the watch ends (a new watch, Stop, the window closing)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from corsinspector.app.watching import WATCH_CAP
from corsinspector.errors import CorsInspectorError

if TYPE_CHECKING:
    from corsinspector.app.tasks import TaskSet
    from corsinspector.watch.capture import Session, Watched
    from corsinspector.watch.watcher import Watcher

__all__ = ["WatchRunner"]

_log = logging.getLogger(__name__)
#: Rows reach the list at most this often (they come in bursts: a page starts dozens at once).
FLUSH_MS = 100
#: How long the browser may take to start, and a page to load.
START_TIMEOUT = 30.0
OPEN_TIMEOUT = 30.0


def _product(version: str, browser: str) -> str:
    """``Chrome/156.0.1.2`` or ``140.0.7339.264`` as ``Chrome 156`` or ``Chromium 140``."""
    name, _, number = version.rpartition("/")
    name = name or ("Chromium" if browser == "embedded" else "The browser")
    major = number.split(".")[0]
    return f"{name} {major}" if major.isdigit() else name


class WatchRunner(QObject):
    #: A new watch began: its (empty) Session.
    session_started = Signal(object)
    #: Rows added or changed since the last batch (a list of Watched).
    rows_changed = Signal(object)
    #: What the watch is doing, in a line, and whether it is a problem.
    status = Signal(str, bool)
    #: The embedded page to show (a QWebEnginePage), or None when there is none any more.
    page_changed = Signal(object)
    #: True while a browser is being watched.
    running_changed = Signal(bool)

    def __init__(self, tasks: TaskSet, *, quiet: bool = True) -> None:
        """``quiet``: the embedded Chromium's native diagnostics go to a log file."""
        super().__init__()
        self._tasks = tasks
        self._quiet = quiet
        self._watcher: Watcher | None = None
        self._choice: tuple[str, str | None] | None = None
        self.session: Session | None = None
        #: The browser watched, as the verdict line names it (``Chromium 140``).
        self.browser_name = "The browser"
        self._pending: list[Watched] = []
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(FLUSH_MS)
        self._flush.timeout.connect(self.flush)

    @property
    def running(self) -> bool:
        return self._watcher is not None

    def watch(self, url: str, browser: str, profile: str | None) -> None:
        """Open ``url``: in the browser already watched when it is the same choice (its rows
        kept, the new page load grouped), else in a new watch (a new list)."""
        if self._watcher is not None and self._choice == (browser, profile):
            self._tasks.start(self._open(self._watcher, url), name="watch-open", group="watch-open")
            return
        self._tasks.start(
            self._run(url, browser, profile), name="watch", group="watch", exclusive=True
        )

    def stop(self) -> None:
        """End the watch: the browser closes, the rows stay until the next watch."""
        self._tasks.cancel("watch-open")
        self._tasks.cancel("watch")

    def _changed(self, rows: list[Watched]) -> None:
        """The watcher's callback (on the Qt thread): rows wait for the next batch."""
        self._pending.extend(rows)
        if not self._flush.isActive():
            self._flush.start()

    def flush(self) -> None:
        """The rows changed since the last batch, to the list now."""
        self._flush.stop()
        pending, self._pending = self._pending, []
        if pending:
            self.rows_changed.emit(pending)

    async def _run(self, url: str, browser: str, profile: str | None) -> None:
        from corsinspector.watch.capture import Session
        from corsinspector.watch.watcher import Watcher, parse_browser

        self.flush()
        session = Session(cap=WATCH_CAP)
        self.session = session
        self.session_started.emit(session)
        watcher: Watcher | None = None
        try:
            self.status.emit("Starting the browser…", False)
            watcher = Watcher(
                parse_browser(browser),
                session=session,
                on_change=self._changed,
                profile=profile,
                headless=False,
                quiet=self._quiet,
            )
            await watcher.start(START_TIMEOUT)
            self.browser_name = _product(watcher.version, browser)
            self._watcher, self._choice = watcher, (browser, profile)
            self.running_changed.emit(True)
            self.page_changed.emit(watcher.page)
            await self._open(watcher, url)
            while watcher.closed is None:
                await watcher.settle(seconds=3600.0)  # returns when the browser goes away
            self.status.emit(f"The browser went away: {watcher.closed}", True)
        except CorsInspectorError as exc:
            self.status.emit(str(exc), True)
        except Exception as exc:  # a watch must end in words, never in a traceback
            _log.exception("the watch failed")
            self.status.emit(f"The watch stopped: {exc}", True)
        finally:
            if self._watcher is watcher:
                self._watcher, self._choice = None, None
                self.page_changed.emit(None)  # out of its view before the page is closed
                self.running_changed.emit(False)
            if watcher is not None:
                await watcher.aclose()
            self.flush()

    async def _open(self, watcher: Watcher, url: str) -> None:
        self.status.emit(f"Loading {url}…", False)
        try:
            why = await watcher.open(url, OPEN_TIMEOUT)
        except CorsInspectorError as exc:
            why = str(exc)
        if why is None:
            self.status.emit(f"Watching {url}: its requests appear as it makes them.", False)
        else:
            self.status.emit(f"{url} did not load: {why}", True)
