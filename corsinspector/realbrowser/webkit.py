"""WebKitGTK 2.50 (Safari's engine family) as a
:class:`~corsinspector.realbrowser.players.Player`, embedded in a child process.

WebKit's WebDriver runs a private session in which WebKit prints no console lines, so the
library is embedded instead: :mod:`~corsinspector.realbrowser.webkit_child` runs on Debian's
``/usr/bin/python3`` with PyGObject (WebKit2GTK 4.1) and talks JSON lines over its stdin and
stdout. It needs a display: a private ``Xvfb`` (a free display number, ``-nolisten tcp``).

Each scenario is played as written, on its real names and ports: the Xvfb and the child run
inside a :class:`~corsinspector.wire.hostmap.HostNamespace` (a private network namespace and
``/etc/hosts``; the names map to a public-range address: with loopback alone, the IPv4
lookups WebKit makes, ``AI_ADDRCONFIG``, find nothing), the scenario's servers answer there
(https with a throw-away certificate that WebKit is told to accept), and the page is loaded
from its own origin (an opaque origin: page.py's sandboxed iframe, its page loaded from
:data:`~corsinspector.realbrowser.page.NULL_ORIGIN_HOST_PAGE`). Each scenario gets a fresh
WebContext and website data folder: no cache, cookies or preflight cache carried over.

What is recorded: the fetch's outcome as the page saw it; WebKit's own console lines about
the request, word for word, with their level (``error``, ``warning``, ``log``…; WebKit's
source word, e.g. ``SECURITY``, is not kept); every request the servers received, headers
in order. ``cors_errors`` stay empty: WebKit gives a CORS failure no name of its own (no
error kind like Chromium's ``corsError`` or Firefox's message category), and it has no
DevTools protocol here (``devtools`` is false).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from corsinspector.errors import CorsInspectorError
from corsinspector.model import (
    BrowserResult,
    ConsoleLine,
    ReceivedRequest,
    Request,
    Scenario,
    Truth,
)
from corsinspector.origins import NULL_ORIGIN
from corsinspector.realbrowser.page import (
    MARKER,
    NULL_ORIGIN_HOST_PAGE,
    fetch_spec,
    page_html,
    page_result,
)
from corsinspector.wire.hostmap import (
    PUBLIC_ADDRESS,
    HostNamespace,
    HostRoutedServers,
    NamespaceError,
    scenario_hosts,
)
from corsinspector.wire.loopback import placement_reason

__all__ = ["CHILD", "PYTHON", "WebKitError", "WebKitPlayer", "ask", "open_player"]

#: Debian's Python, which has PyGObject and WebKit2GTK's bindings (the venv has neither).
PYTHON = "/usr/bin/python3"
CHILD = Path(__file__).with_name("webkit_child.py")
#: Beyond the fetch's own time limit: the page's load and the context's disposal.
_SPARE_SECONDS = 15.0
_START_SECONDS = 30.0
_PACKAGES = "python3-gi, gir1.2-webkit2-4.1"
_RECORDED_WITH = {"embedder": "WebKit2GTK 4.1 (PyGObject, /usr/bin/python3)"}


class WebKitError(CorsInspectorError):
    """WebKitGTK could not be started or stopped answering."""


def _kill_group(process: asyncio.subprocess.Process) -> None:
    """SIGKILL the process's own session (it was started as a session leader)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


class WebKitPlayer:
    """A private namespace, Xvfb and WebKit child, started once; :meth:`play` one scenario
    after another. The child is restarted after a run that did not end cleanly."""

    name = "webkit"

    def __init__(self) -> None:
        self.version = ""
        self._namespace: HostNamespace | None = None
        self._xvfb: asyncio.subprocess.Process | None = None
        self._display = ""
        self._child: asyncio.subprocess.Process | None = None
        #: The child's website data folders (WebKit's network process may write after a job).
        self.data_folder = tempfile.mkdtemp(prefix="corsinspector-webkit-")

    @property
    def pids(self) -> list[int]:
        """The processes started here that are still running (Xvfb, the child)."""
        found = [p.pid for p in (self._xvfb, self._child) if p is not None]
        return [pid for pid in found if Path(f"/proc/{pid}").exists()]

    async def start(self) -> None:
        try:
            self._namespace = HostNamespace()
            await self._namespace.start()
            await self._start_xvfb()
            await self._start_child()
        except BaseException:
            await self.aclose()
            raise

    async def _start_xvfb(self) -> None:
        assert self._namespace is not None
        read_end, write_end = os.pipe()
        try:
            argv = ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp"]
            argv += ["-screen", "0", "1280x800x24"]
            self._xvfb = await asyncio.create_subprocess_exec(
                *self._namespace.command(argv),
                pass_fds=(write_end,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            os.close(read_end)
            raise WebKitError(f"Xvfb could not start: {exc}") from None
        finally:
            os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:  # Xvfb writes the display it chose, then "\n"
            try:
                line = await asyncio.wait_for(asyncio.to_thread(pipe.readline), _START_SECONDS)
            except TimeoutError:
                _kill_group(self._xvfb)  # the reading thread then sees the pipe close
                raise WebKitError("Xvfb did not start in time") from None
        if not line.strip().isdigit():
            raise WebKitError("Xvfb did not start (no display number)")
        self._display = ":" + line.decode().strip()

    async def _start_child(self) -> None:
        assert self._namespace is not None
        env = dict(os.environ, DISPLAY=self._display, LANG="C.UTF-8", NO_AT_BRIDGE="1")
        env.pop("WAYLAND_DISPLAY", None)
        try:
            self._child = await asyncio.create_subprocess_exec(
                *self._namespace.command([PYTHON, str(CHILD), self.data_folder]),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=env,
                start_new_session=True,
                limit=16 * 1024 * 1024,
            )
        except OSError as exc:
            raise WebKitError(f"the WebKit child could not start: {exc}") from None
        try:
            hello = await self._receive(_START_SECONDS)
        except WebKitError as exc:
            raise WebKitError(
                f"{exc} (needs {PYTHON} with {_PACKAGES}: scripts/setup-browsers)"
            ) from None
        if not hello.get("ready"):
            raise WebKitError(f"WebKitGTK did not start: {hello.get('failure')}")
        self.version = str(hello["version"])

    async def _send(self, message: dict[str, Any]) -> None:
        child = self._child
        if child is None or child.stdin is None:
            raise WebKitError("the WebKit child is not running")
        child.stdin.write(json.dumps(message).encode() + b"\n")
        await child.stdin.drain()

    async def _receive(self, seconds: float) -> dict[str, Any]:
        child = self._child
        if child is None or child.stdout is None:
            raise WebKitError("the WebKit child is not running")
        try:
            line = await asyncio.wait_for(child.stdout.readline(), seconds)
        except TimeoutError:
            raise WebKitError(f"WebKit did not answer within {seconds:.0f} s") from None
        if not line:
            raise WebKitError("the WebKit child ended unexpectedly")
        message: dict[str, Any] = json.loads(line)
        return message

    async def play(self, scenario: Scenario, *, time_limit: float = 20.0) -> Truth:
        namespace = self._namespace
        if namespace is None:
            raise WebKitError("the WebKit player is closed")
        placed = placement_reason(scenario)
        if placed is not None:
            return self._unreproducible(scenario, placed)
        page = scenario.request.origin
        base = NULL_ORIGIN_HOST_PAGE if page == NULL_ORIGIN else page
        if not base.startswith(("http://", "https://")):
            return self._unreproducible(scenario, f"a page on {page} cannot be served")
        html = page_html(fetch_spec(scenario.request), "corsinspector", page == NULL_ORIGIN)
        await namespace.map_hosts(scenario_hosts(scenario, base), PUBLIC_ADDRESS)
        servers = HostRoutedServers(namespace, scenario, page_origin=base, page_html=html)
        try:
            await servers.start()
        except NamespaceError as exc:
            return self._unreproducible(scenario, str(exc))
        try:
            if self._child is None:
                await self._start_child()
            answer = await self._run(servers, base + "/", time_limit)
        except BaseException:
            await self._stop_child(wait=0)  # mid-run: its next answer would belong to this run
            raise
        finally:
            await servers.close()
        if answer.get("failure"):
            return self._unreproducible(scenario, str(answer["failure"]))
        received = tuple(
            ReceivedRequest(item.method, item.url or item.target, item.headers)
            for item in servers.log
        )
        result = self._result(answer)
        return Truth(scenario.name, self.name, self.version, None, result, received, _RECORDED_WITH)

    async def _run(self, servers: HostRoutedServers, url: str, time_limit: float) -> dict[str, Any]:
        job = {"url": url, "marker": MARKER, "time_limit": time_limit, "settle_ms": 250}
        await self._send(job)
        answer = await self._receive(time_limit + _SPARE_SECONDS)
        if answer.get("loaded"):
            servers.begin()
            await self._send({"go": True})
            answer = await self._receive(time_limit + _SPARE_SECONDS)
        return answer

    def _result(self, answer: dict[str, Any]) -> BrowserResult:
        return page_result(
            answer.get("outcome"),
            browser=self.name,
            version=self.version,
            console=tuple(ConsoleLine(level, text) for level, text in answer["console"]),
            devtools=False,
        )

    def _unreproducible(self, scenario: Scenario, reason: str) -> Truth:
        return Truth(scenario.name, self.name, self.version, reason, None, (), _RECORDED_WITH)

    async def _stop_child(self, wait: float = 3.0) -> None:
        """Close the child's input (it quits), and after ``wait`` seconds kill its group."""
        child, self._child = self._child, None
        if child is None:
            return
        if child.returncode is None and child.stdin is not None:
            child.stdin.close()
            if wait:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(child.wait(), wait)
        _kill_group(child)  # the child and the WebKit processes it started
        if child.returncode is None:
            await child.wait()

    async def aclose(self) -> None:
        """Stop the child, Xvfb and the namespace (which kills whatever is left inside)."""
        try:
            await self._stop_child()
        finally:
            xvfb, self._xvfb = self._xvfb, None
            if xvfb is not None:
                _kill_group(xvfb)
                await xvfb.wait()
            namespace, self._namespace = self._namespace, None
            if namespace is not None:
                await namespace.close()
            shutil.rmtree(self.data_folder, ignore_errors=True)


async def open_player() -> WebKitPlayer:
    player = WebKitPlayer()
    await player.start()
    return player


async def ask(request: Request, *, time_limit: float = 20.0) -> BrowserResult:
    """A live request in a fresh WebKitGTK on the machine's own network (no namespace): the
    page given its exact origin by ``load_alternate_html``, the URL as written."""
    from corsinspector.realbrowser.firefox import MachineNetwork

    player = WebKitPlayer()
    player._namespace = MachineNetwork()
    opaque = request.origin == NULL_ORIGIN
    url = (NULL_ORIGIN_HOST_PAGE if opaque else request.origin) + "/"
    html = page_html(fetch_spec(request), "corsinspector", opaque)
    job = {"url": url, "html": html, "marker": MARKER, "time_limit": time_limit, "settle_ms": 250}
    try:
        async with asyncio.timeout(time_limit + _SPARE_SECONDS + 2 * _START_SECONDS):
            await player._start_xvfb()
            await player._start_child()
            await player._send(job)
            answer = await player._receive(time_limit + _SPARE_SECONDS)
            if answer.get("loaded"):
                await player._send({"go": True})
                answer = await player._receive(time_limit + _SPARE_SECONDS)
    except TimeoutError:
        raise WebKitError("WebKit did not finish in time") from None
    finally:
        await asyncio.shield(player.aclose())
    if answer.get("failure"):
        raise WebKitError(f"WebKit could not run the page: {answer['failure']}")
    return player._result(answer)
