"""The Watcher: a real browser (the embedded Chromium, the user's Chrome started for the
watch, or one already listening), one page target in it, and every event of that page (and
of its frames and workers) fed to the capture's reducer (docs/watch.md, "Driving browsers").
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from corsinspector.errors import InputError, WatchError
from corsinspector.watch.capture import Session, Watched
from corsinspector.watch.cdp import CdpConnection, browser_endpoint, connect
from corsinspector.watch.chrome import VERSION_TIMEOUT, Chrome, find_chrome, launch_chrome
from corsinspector.watch.events import COMMANDS, CdpReducer

if TYPE_CHECKING:
    from corsinspector.realbrowser.watchpage import EmbeddedPage, WatchPage

__all__ = ["IDLE_AFTER", "IDLE_LIMIT", "BrowserChoice", "Watcher", "parse_browser"]

#: A page is idle once no request has been in flight for this many seconds.
IDLE_AFTER = 1.0
#: ``settle(until_idle=True)`` without ``seconds`` waits at most this long.
IDLE_LIMIT = 30.0

_BROWSER_FORMS = "embedded, chrome, chrome=PATH or cdp=HOST:PORT"


@dataclass(frozen=True)
class BrowserChoice:
    """Which browser to watch in: ``embedded``, ``chrome`` (``path`` None: found), or
    ``cdp`` (one already listening at ``address``, ``HOST:PORT``)."""

    kind: Literal["embedded", "chrome", "cdp"]
    path: str | None = None
    address: str | None = None

    def __str__(self) -> str:
        if self.kind == "chrome" and self.path:
            return f"chrome={self.path}"
        return f"cdp={self.address}" if self.kind == "cdp" else self.kind


def parse_browser(text: str) -> BrowserChoice:
    """``--browser``'s value as a choice; :class:`InputError` naming ``--browser``."""
    name, sep, value = text.strip().partition("=")
    if name == "embedded" and not sep:
        return BrowserChoice("embedded")
    if name == "chrome":
        if sep and not value:
            raise InputError("--browser", "chrome= needs the path of the browser to start")
        return BrowserChoice("chrome", path=value or None)
    if name == "cdp":
        host, colon, port = value.rpartition(":")
        if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise InputError("--browser", f"cdp= needs HOST:PORT, not {value!r}")
        return BrowserChoice("cdp", address=value)
    raise InputError("--browser", f"expected {_BROWSER_FORMS}, not {text!r}")


class Watcher:
    """Watches one page in a real browser. ``start``, then ``open`` a URL and ``settle``;
    ``session`` holds every request seen; ``aclose`` always (it stops what it started)."""

    def __init__(
        self,
        choice: BrowserChoice,
        *,
        session: Session | None = None,
        on_change: Callable[[list[Watched]], None] | None = None,
        profile: str | Path | None = None,
        headless: bool = True,
        quiet: bool = True,
    ) -> None:
        """``profile``: where the embedded page keeps its profile (None: off the record).
        ``headless``: a Chrome we start shows no window. ``quiet``: the embedded Chromium's
        diagnostics go to a log file, not the terminal."""
        self.choice = choice
        self.session = Session() if session is None else session
        self.on_change = on_change
        self.profile = profile
        self.headless = headless
        self.quiet = quiet
        #: Why the browser went away mid-session (``the browser closed: …``), if it did.
        self.closed: str | None = None
        #: The browser's product and version (``Chrome/156.0…``, ``140.0.7339.264``).
        self.version = ""
        self._reducer = CdpReducer(self.session)
        self._chrome: Chrome | None = None
        self._embedded: WatchPage | None = None
        self._conn: CdpConnection | None = None
        self._session_id: str | None = None
        self._created_target: str | None = None  # ours to close in a browser we attached to
        self._children: set[str] = set()  # sessions of the page's frames and workers
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[str] = set()
        self._last_activity = time.monotonic()
        self._main_loader: str | None = None  # the main frame's current document
        self._loaded = False  # its DOMContentLoaded (or load) has fired
        self._failed: dict[str, str] = {}  # document requests that failed: id -> errorText
        self._changed = asyncio.Event()

    @property
    def page(self) -> EmbeddedPage | None:
        """The embedded page (show it in a ``QWebEngineView``), else None."""
        return None if self._embedded is None else self._embedded.page

    # --- starting ---------------------------------------------------------------------

    async def start(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109 - docs/watch.md
        """Start (or reach) the browser and attach to its page; :class:`WatchError` on any
        failure, with everything started so far stopped."""
        deadline = time.monotonic() + timeout
        try:
            ws_url = await self._browser(timeout)
            self._conn = await connect(ws_url, _left(deadline), on_event=self._on_event)
            self._conn.on_close = self._on_close
            target = await self._target(deadline)
            attached = await self._conn.send(
                "Target.attachToTarget",
                {"targetId": target, "flatten": True},
                timeout=_left(deadline),
            )
            self._session_id = str(attached["sessionId"])
            await self._prepare(self._session_id, deadline)
        except BaseException:
            await self.aclose()
            raise

    async def _browser(self, timeout: float) -> str:  # noqa: ASYNC109 - a plain number
        """The browser's DevTools websocket URL, the browser started if it is ours to start."""
        if self.choice.kind == "embedded":
            from corsinspector.realbrowser.watchpage import WatchPage

            self._embedded = WatchPage(profile=self.profile, quiet=self.quiet)
            self._embedded.keep_qt_running()
            self.version = self._embedded.version
            ws_url, _ = await browser_endpoint(self._embedded.address, timeout)
            return ws_url
        if self.choice.kind == "chrome":
            # PATH --version may take seconds: off the loop, within the start's deadline
            deadline = time.monotonic() + timeout
            path = await asyncio.to_thread(
                find_chrome, self.choice.path, timeout=min(timeout, VERSION_TIMEOUT)
            )
            self._chrome = await launch_chrome(
                path, headless=self.headless, timeout=_left(deadline)
            )
            self.version = self._chrome.version
            return self._chrome.ws_url
        ws_url, self.version = await browser_endpoint(str(self.choice.address), timeout)
        return ws_url

    async def _target(self, deadline: float) -> str:
        """The page target to watch: the embedded page, a started browser's first tab, or a
        new tab in a browser we attached to (closed again by ``aclose``)."""
        conn = self._connection()
        if self.choice.kind == "cdp":
            created = await conn.send("Target.createTarget", {"url": "about:blank"})
            self._created_target = str(created["targetId"])
            return self._created_target
        while True:
            infos = (await conn.send("Target.getTargets", timeout=_left(deadline)))["targetInfos"]
            for info in infos:
                embedded = self._embedded
                if embedded.is_target(info) if embedded else info.get("type") == "page":
                    return str(info["targetId"])
            if time.monotonic() >= deadline:
                raise WatchError("the page to watch did not appear among the browser's targets")
            await asyncio.sleep(0.1)

    async def _prepare(self, session_id: str, deadline: float | None = None) -> None:
        """Send the reducer's commands to a session, and auto-attach to its frames and
        workers (paused until prepared, so that none of their requests is missed)."""
        conn = self._connection()
        child = session_id != self._session_id
        try:
            for method, params in COMMANDS:
                try:
                    await conn.send(method, params, session_id=session_id, timeout=_left(deadline))
                except WatchError:
                    if not child or conn.closed:  # a worker has no Page domain: that is fine
                        raise
            await conn.send(
                "Target.setAutoAttach",
                {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True},
                session_id=session_id,
                timeout=_left(deadline),
            )
        finally:
            if child and not conn.closed:
                with contextlib.suppress(WatchError):
                    await conn.send("Runtime.runIfWaitingForDebugger", session_id=session_id)

    # --- events -------------------------------------------------------------------------

    def _connection(self) -> CdpConnection:
        if self._conn is None:
            raise WatchError("the watcher has not started")
        return self._conn

    def _on_event(self, method: str, params: dict[str, Any], session_id: str | None) -> None:
        if session_id is None:
            self._on_browser_event(method, params)
            return
        if session_id != self._session_id and session_id not in self._children:
            return
        if method == "Target.attachedToTarget":
            child = str(params["sessionId"])
            self._children.add(child)
            self._spawn(self._prepare(child))
            return
        if method == "Target.detachedFromTarget":
            self._children.discard(str(params.get("sessionId")))
            return
        if method == "Inspector.targetCrashed" and session_id == self._session_id:
            self._set_closed("the page crashed")
            return
        rows = self._reducer.feed(method, params)
        self._track(method, params, main=session_id == self._session_id)
        if rows and self.on_change is not None:
            self.on_change(rows)

    def _on_browser_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Target.detachedFromTarget" and params.get("sessionId") == self._session_id:
            self._set_closed("the page was closed")

    def _track(self, method: str, params: dict[str, Any], *, main: bool) -> None:
        """What ``open`` and ``settle`` wait for: requests in flight, the main document."""
        request_id = str(params.get("requestId", ""))
        if method == "Network.requestWillBeSent" and params.get("type") != "Preflight":
            self._in_flight.add(request_id)  # a preflight lives within its request's time
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            self._in_flight.discard(request_id)
            if method == "Network.loadingFailed" and params.get("type") == "Document" and main:
                self._failed[request_id] = str(params.get("errorText") or "it failed")
        elif main and method == "Page.frameNavigated":
            frame = params.get("frame", {})
            if not frame.get("parentId"):
                self._main_loader, self._loaded = frame.get("loaderId"), False
        elif main and method in ("Page.domContentEventFired", "Page.loadEventFired"):
            self._loaded = True
        else:
            return
        self._last_activity = time.monotonic()
        self._changed.set()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        # held in self._tasks until done; aclose cancels what is left
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_close(self, reason: str) -> None:
        exited = self._chrome.exit_reason() if self._chrome is not None else None
        self._set_closed(exited or reason)

    async def _explain_close(self) -> None:
        """A started browser's socket drops a moment before its process is seen to end:
        wait up to a second for that, the better reason (``ended by SIGKILL``)."""
        chrome = self._chrome
        if chrome is None or self.closed is None or "its process" in self.closed:
            return
        for _ in range(20):
            exited = chrome.exit_reason()
            if exited is not None:
                self.closed = f"the browser closed: {exited}"
                return
            await asyncio.sleep(0.05)

    def _set_closed(self, reason: str) -> None:
        if self.closed is None:
            self.closed = f"the browser closed: {reason}"
        self._changed.set()

    def _gone(self) -> bool:
        return self.closed is not None

    def _raise_bug(self) -> None:
        """An exception the event handler raised (a bug) surfaces here, not lost."""
        if self._conn is not None and self._conn.callback_error is not None:
            raise self._conn.callback_error

    # --- watching -----------------------------------------------------------------------

    async def open(self, url: str, timeout: float = 30.0) -> str | None:  # noqa: ASYNC109
        """Navigate the page to ``url``: None once its document has loaded, else why not."""
        if self.closed is not None:
            return self.closed
        conn = self._connection()
        self._failed.clear()
        try:
            navigated = await conn.send(
                "Page.navigate", {"url": url}, session_id=self._session_id, timeout=timeout
            )
        except WatchError as error:
            return self.closed or str(error)
        if navigated.get("errorText"):
            return f"{url} did not load: {navigated['errorText']}"
        loader = navigated.get("loaderId")
        if not loader:
            return None  # a same-document navigation (a fragment): nothing to load
        deadline = time.monotonic() + timeout
        while not self._gone():  # (a method: events change it while this awaits)
            self._raise_bug()
            if loader in self._failed:
                return f"{url} did not load: {self._failed[loader]}"
            if self._main_loader == loader and self._loaded:
                return None
            if not await self._wait_change(deadline):
                return f"{url} did not load within {timeout:g} s"
        await self._explain_close()
        return self.closed

    async def settle(self, *, seconds: float | None = None, until_idle: bool = False) -> None:
        """Wait ``seconds``; or, ``until_idle``, until no request has been in flight for
        :data:`IDLE_AFTER` s (at most ``seconds``, else :data:`IDLE_LIMIT`). Returns at once
        when the browser goes away (the rows stay in ``session``)."""
        limit = seconds if seconds is not None else (IDLE_LIMIT if until_idle else 0.0)
        deadline = time.monotonic() + limit
        while not self._gone():
            self._raise_bug()
            if until_idle and self.idle():
                return
            step = time.monotonic() + 0.1 if until_idle else deadline
            if not await self._wait_change(min(step, deadline)) and time.monotonic() >= deadline:
                return
        self._raise_bug()
        await self._explain_close()

    def idle(self) -> bool:
        """No request in flight, and none for :data:`IDLE_AFTER` seconds."""
        return not self._in_flight and time.monotonic() - self._last_activity >= IDLE_AFTER

    async def _wait_change(self, deadline: float) -> bool:
        """Until an event that matters (True) or the deadline (False)."""
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), max(deadline - time.monotonic(), 0))
            return True
        return time.monotonic() < deadline

    async def aclose(self) -> None:
        """Stop watching: close what we opened in a browser we attached to, stop the browser
        we started (never left running), release the embedded page. Idempotent."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        conn, chrome, embedded = self._conn, self._chrome, self._embedded
        self._conn = self._chrome = self._embedded = None
        try:
            if conn is not None:
                if self._created_target and conn.closed is None:
                    with contextlib.suppress(WatchError):
                        await conn.send(
                            "Target.closeTarget", {"targetId": self._created_target}, timeout=2
                        )
                await conn.aclose()
        finally:
            try:
                if chrome is not None:
                    await chrome.aclose()
            finally:
                if embedded is not None:
                    await embedded.aclose()


def _left(deadline: float | None) -> float:
    """Seconds left until ``deadline`` (10 when there is none), at least a little."""
    return 10.0 if deadline is None else max(deadline - time.monotonic(), 0.1)
