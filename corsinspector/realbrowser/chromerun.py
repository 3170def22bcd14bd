"""One fetch in a Chrome over the DevTools protocol: a fresh browser context (its own cache,
cookies and preflight cache), the page loaded from its origin's server, the fetch started,
and what Chrome said about it collected from its events.

Heard: the page's outcome (the console marker of ``page.py``), the console lines
(``Log.entryAdded`` but the ``network`` source's ``Failed to load resource`` restatements,
which the embedded recorder does not hear either; ``Runtime.consoleAPICalled`` but the
marker), ``corsErrorStatus`` from ``Network.loadingFailed`` and ``Audits.issueAdded``, and
``net::ERR_…`` codes. Out-of-process frames (a sandboxed iframe may get its own process) are
attached to automatically and heard the same way.

Local Network Access is answered before the page loads, never left to a prompt (which
automation cannot answer): every context has the permission granted or denied, for every
origin, under both names Chromium 156 consults (:data:`LNA_PERMISSIONS`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import Coroutine
from typing import Any

from corsinspector.errors import WatchError
from corsinspector.model import BrowserResult, ConsoleLine, CorsErrorStatus
from corsinspector.realbrowser.page import MARKER, page_result
from corsinspector.watch.cdp import CdpConnection

__all__ = ["LNA_PERMISSIONS", "ChromeRun"]

#: The Local Network Access permissions Chromium 156 consults (``Browser.setPermission``):
#: one for local, one for loopback addresses. It also takes ``local-network-access`` (the
#: first release's name) but consults it for neither (tried: granting it alone is refused).
LNA_PERMISSIONS = ("local-network", "loopback-network")

_DOMAINS = ("Network.enable", "Audits.enable", "Log.enable", "Runtime.enable")
#: How long after the outcome events may still come in, and at most how much longer a
#: rejection waits for its corsErrorStatus or an unfinished request for its end.
_SETTLE = 0.25
_MORE = 1.0
_CONSOLE_LEVELS = {"log": "info", "info": "info", "debug": "verbose", "warning": "warning"}


class ChromeRun:
    """Play one page in a fresh context of ``cdp``'s browser. Feed it every event
    (:meth:`on_event`); :meth:`run` returns what the fetch did."""

    def __init__(
        self,
        cdp: CdpConnection,
        browser: str,
        version: str,
        *,
        page_html: str | None = None,
        local_network_access: bool = False,
    ) -> None:
        """``page_html``: the page, given to the browser at the page's URL (``Fetch``
        interception) instead of loaded from a server: a live request's page (ask.py).
        ``local_network_access``: the user granted the permission (else it is denied)."""
        self._cdp = cdp
        self._lna = "granted" if local_network_access else "denied"
        self._page_html = page_html
        self._page_url = ""
        self._browser = browser
        self._version = version
        self._sessions: set[str] = set()
        self._context: str | None = None
        self._console: list[ConsoleLine] = []
        self._cors_errors: list[CorsErrorStatus] = []
        self._net_errors: list[str] = []
        self._loading: set[str] = set()
        self._outcome: dict[str, Any] | None = None
        self._marked = asyncio.Event()
        self._loaded = asyncio.Event()
        self._page_session: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._started = False

    async def run(self, page_url: str, time_limit: float) -> BrowserResult:
        """Open ``page_url`` in a fresh context, start its fetch, and return the outcome
        (``timeout`` when none came within ``time_limit`` seconds of the page's start)."""
        deadline = time.monotonic() + time_limit
        self._page_url = page_url
        created = await self._cdp.send("Target.createBrowserContext", {"disposeOnDetach": True})
        self._context = str(created["browserContextId"])
        for name in LNA_PERMISSIONS:
            await self._cdp.send(
                "Browser.setPermission",
                {
                    "permission": {"name": name},
                    "setting": self._lna,
                    "browserContextId": self._context,
                },
            )
        target = await self._cdp.send(
            "Target.createTarget", {"url": "about:blank", "browserContextId": self._context}
        )
        attached = await self._cdp.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        session = str(attached["sessionId"])
        self._page_session = session
        self._sessions.add(session)
        await self._prepare(session, page=True)
        navigated = await self._send("Page.navigate", {"url": page_url}, session)
        if navigated.get("errorText"):
            raise WatchError(f"the page {page_url} did not load: {navigated['errorText']}")
        await self._wait(self._loaded, deadline, f"the page {page_url} did not load")
        self._started = True
        await self._send("Runtime.evaluate", {"expression": "window.corsInspectorStart()"}, session)
        if await self._within(self._marked, deadline):
            await self._settle()
        else:
            self._outcome = {"outcome": "timeout"}
        return self._result()

    async def aclose(self) -> None:
        """Dispose of the context (its pages, cache and connections) and what was started."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._context is not None and self._cdp.closed is None:
            with contextlib.suppress(WatchError):
                await self._cdp.send(
                    "Target.disposeBrowserContext", {"browserContextId": self._context}
                )
        self._context = None

    # --- events ---------------------------------------------------------------------

    def on_event(self, method: str, params: dict[str, Any], session: str | None) -> None:
        if session is None or session not in self._sessions:
            return
        if method == "Target.attachedToTarget":
            child = str(params.get("sessionId", ""))
            self._sessions.add(child)
            self._later(self._prepare(child, page=False))
        elif method == "Fetch.requestPaused":
            self._later(self._serve_page(str(params.get("requestId")), session))
        elif method == "Page.loadEventFired" and session == self._page_session:
            self._loaded.set()
        elif method == "Runtime.consoleAPICalled":
            self._on_console_call(params)
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if self._started and entry.get("source") != "network":
                self._console.append(ConsoleLine(str(entry.get("level")), str(entry.get("text"))))
        elif self._started:
            self._on_network(method, params)

    def _on_console_call(self, params: dict[str, Any]) -> None:
        args = params.get("args") or [{}]
        first = args[0].get("value")
        if isinstance(first, str) and first.startswith(MARKER):
            if self._outcome is None:
                self._outcome = json.loads(first[len(MARKER) :])
                self._marked.set()
            return
        if self._started:
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in args)
            level = _CONSOLE_LEVELS.get(str(params.get("type")), str(params.get("type")))
            self._console.append(ConsoleLine(level, text))

    def _on_network(self, method: str, params: dict[str, Any]) -> None:
        status = None
        if method == "Network.requestWillBeSent":
            self._loading.add(str(params.get("requestId")))
        elif method == "Network.loadingFinished":
            self._loading.discard(str(params.get("requestId")))
        elif method == "Network.loadingFailed":
            self._loading.discard(str(params.get("requestId")))
            status = params.get("corsErrorStatus")
            text = params.get("errorText", "")
            if text and text not in self._net_errors:
                self._net_errors.append(text)
        elif method == "Audits.issueAdded":
            issue = params.get("issue", {})
            if issue.get("code") == "CorsIssue":
                status = issue.get("details", {}).get("corsIssueDetails", {}).get("corsErrorStatus")
        if isinstance(status, dict) and status.get("corsError"):
            error = CorsErrorStatus(
                str(status["corsError"]), str(status.get("failedParameter", ""))
            )
            if error not in self._cors_errors:
                self._cors_errors.append(error)

    def _later(self, step: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(step)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve_page(self, request_id: str, session: str) -> None:
        """The page's own load (the only URL intercepted), answered with ``page_html``."""
        body = base64.b64encode((self._page_html or "").encode()).decode()
        headers = [{"name": "Content-Type", "value": "text/html; charset=utf-8"}]
        answer = {"requestId": request_id, "responseCode": 200, "responseHeaders": headers}
        with contextlib.suppress(WatchError):
            await self._send("Fetch.fulfillRequest", {**answer, "body": body}, session)

    # --- steps ----------------------------------------------------------------------

    async def _send(self, method: str, params: dict[str, Any], session: str) -> dict[str, Any]:
        return await self._cdp.send(method, params, session_id=session)

    async def _prepare(self, session: str, *, page: bool) -> None:
        """Enable what is heard on a target, auto-attach its frames, and let it run."""
        try:
            for method in _DOMAINS if not page else (*_DOMAINS, "Page.enable"):
                await self._send(method, {}, session)
            if page and self._page_html is not None:
                pattern = {"urlPattern": self._page_url, "requestStage": "Request"}
                await self._send("Fetch.enable", {"patterns": [pattern]}, session)
            await self._send(
                "Target.setAutoAttach",
                {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True},
                session,
            )
            if not page:
                await self._send("Runtime.runIfWaitingForDebugger", {}, session)
        except WatchError:
            if page:
                raise  # a frame that went away is no loss; the page is

    async def _settle(self) -> None:
        await asyncio.sleep(_SETTLE)
        more = time.monotonic() + _MORE
        while time.monotonic() < more:
            rejected = self._outcome is not None and self._outcome["outcome"] == "rejected"
            if not (self._loading or (rejected and not self._cors_errors)):
                return
            await asyncio.sleep(0.05)

    async def _within(self, event: asyncio.Event, deadline: float) -> bool:
        if self._cdp.closed is not None:
            raise WatchError(f"the browser closed: {self._cdp.closed}")
        try:
            await asyncio.wait_for(event.wait(), max(deadline - time.monotonic(), 0.0))
        except TimeoutError:
            return False
        return True

    async def _wait(self, event: asyncio.Event, deadline: float, what: str) -> None:
        if not await self._within(event, deadline):
            raise WatchError(f"{what} in time")

    def _result(self) -> BrowserResult:
        out = self._outcome or {"outcome": "timeout"}
        return page_result(
            {**out, "url": out.get("url") or None},  # an opaque response's "": none, as embedded
            browser=self._browser,
            version=self._version,
            console=tuple(self._console),
            cors_errors=tuple(self._cors_errors),
            devtools=True,
            net_errors=tuple(self._net_errors),
        )
