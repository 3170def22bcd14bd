"""Debian's Firefox ESR as a :class:`~corsinspector.realbrowser.players.Player`, over its
built-in WebDriver BiDi agent (no geckodriver).

Firefox has no host resolver rules, so it runs in a private network namespace
(:mod:`corsinspector.wire.hostmap`): each scenario is played on its real names and ports,
the page served by its own origin's server. One Firefox and one throw-away profile serve a
whole run; each scenario gets a fresh user context (``browser.createUserContext``: its own
cache, cookies, connections and preflight cache; tests/golden/test_rerecord_firefox.py
checks that a preflight is not carried over).

Firefox's own words are the console service's ``nsIScriptError`` messages, read by a
chrome-scope script (``--remote-allow-system-access``): exact text, level and category. For
a CORS line the category is Firefox's name for the failure (``CORSMissingAllowOrigin2``,
MDN's "Reason:" code with a version digit): each such category is a ``cors_errors`` entry
(kind = category, failed_parameter = ""), in order, repeats dropped. A failed preflight is
followed by a ``CORSDidNotSucceed2`` line for the actual request: both are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corsinspector.errors import CorsInspectorError
from corsinspector.model import (
    BrowserResult,
    ConsoleLine,
    CorsErrorStatus,
    ReceivedRequest,
    Request,
    Scenario,
    Truth,
)
from corsinspector.origins import NULL_ORIGIN
from corsinspector.realbrowser.bidi import BidiClient, BidiError
from corsinspector.realbrowser.page import (
    MARKER,
    NULL_ORIGIN_HOST_PAGE,
    fetch_spec,
    page_html,
    page_result,
)
from corsinspector.wire.hostmap import (
    HostNamespace,
    HostRoutedServers,
    NamespaceError,
    scenario_hosts,
)
from corsinspector.wire.loopback import placement_reason

__all__ = ["BINARY", "PREFS", "FirefoxPlayer", "MachineNetwork", "ask", "open_player"]

BINARY = "/usr/bin/firefox-esr"
#: The debugging port, inside the private namespace (no scenario uses it).
_PORT = 9229
_LEVELS = {0: "error", 1: "warning", 8: "info"}

#: The profile's user.js: nothing but the page's own requests goes out, and http stays http.
PREFS: dict[str, object] = {
    "dom.security.https_first": False,
    "dom.security.https_first_pbm": False,
    "dom.security.https_first_schemeless": False,
    "dom.security.https_only_mode": False,
    "network.trr.mode": 5,
    "network.proxy.type": 0,
    "network.manage-offline-status": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.prefetch-next": False,
    "network.dns.disablePrefetch": True,
    "network.predictor.enabled": False,
    "network.http.speculative-parallel-limit": 0,
    "browser.chrome.site_icons": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "app.update.enabled": False,
    "extensions.update.enabled": False,
}

#: Chrome scope: the console service's script errors since the last reset, as JSON.
_READ_CONSOLE = """JSON.stringify(Services.console.getMessageArray().flatMap(m => {
  if (!(m instanceof Ci.nsIScriptError) || m.isFromChromeContext) return [];
  return [{text: m.errorMessage, flags: m.flags, category: m.category}];
}))"""


class FirefoxPlayer:
    """Firefox ESR in a private namespace, playing one scenario after another."""

    name = "firefox"

    def __init__(self, binary: str = BINARY) -> None:
        self.binary = binary
        self.version = ""
        self.namespace = HostNamespace()
        self._profile = Path(tempfile.mkdtemp(prefix="corsinspector-firefox-"))
        self._process: subprocess.Popen[bytes] | None = None
        self._bidi: BidiClient | None = None
        self._chrome = ""
        self.port = _PORT

    # --- the browser --------------------------------------------------------------------

    async def start(self, *, wait: float = 30.0) -> None:
        try:
            await self.namespace.start()
            await self._start_firefox(wait)
        except BaseException:
            await self.aclose()
            raise

    async def _start_firefox(self, wait: float) -> None:
        self._profile.joinpath("user.js").write_text(
            "".join(f'user_pref("{k}", {json.dumps(v)});\n' for k, v in PREFS.items())
        )
        argv = [self.binary, "--headless", "--no-remote", "--profile", str(self._profile)]
        argv += ["--remote-debugging-port", str(self.port), "--remote-allow-system-access"]
        self._process = self._spawn(argv)
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            try:
                sock = await self.namespace.connect("127.0.0.1", self.port)
                break
            except OSError:
                if self._process.poll() is not None:
                    raise CorsInspectorError(f"{self.binary} exited at start") from None
                if asyncio.get_running_loop().time() > deadline:
                    raise CorsInspectorError(
                        f"{self.binary}: no BiDi agent in {wait:g} s"
                    ) from None
                await asyncio.sleep(0.1)
        self._bidi = await BidiClient.open(f"ws://127.0.0.1:{self.port}/session", sock)
        capabilities = {"alwaysMatch": {"acceptInsecureCerts": True}}
        session = await self._bidi.send("session.new", {"capabilities": capabilities})
        self.version = str(session["capabilities"]["browserVersion"])
        await self._bidi.send("session.subscribe", {"events": ["log.entryAdded"]})
        tree = await self._bidi.send("browsingContext.getTree", {"moz:scope": "chrome"})
        self._chrome = tree["contexts"][0]["context"]

    def _alive(self) -> bool:
        return self._bidi is not None and not self._bidi.closed

    async def _restart(self) -> None:
        await self._stop_firefox()
        self._profile = Path(tempfile.mkdtemp(prefix="corsinspector-firefox-"))
        await self._start_firefox(30.0)

    def _spawn(self, argv: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.namespace.command(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    async def aclose(self) -> None:
        """Stop Firefox (its whole process group), the namespace and everything in it."""
        try:
            await self._stop_firefox()
        finally:
            await self.namespace.close()

    async def _stop_firefox(self) -> None:
        """Killed first, before any wait (a cancelled close still kills); then reaped."""
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        self.namespace.kill_inside()  # any child that left Firefox's process group
        bidi, self._bidi = self._bidi, None
        if bidi is not None:
            await bidi.aclose()
        if process is not None:
            await asyncio.to_thread(process.wait, 10)
        shutil.rmtree(self._profile, ignore_errors=True)

    # --- a scenario ---------------------------------------------------------------------

    async def play(self, scenario: Scenario, *, time_limit: float = 20.0) -> Truth:
        recorded_with = {"binary": self.binary}
        placed = placement_reason(scenario)
        if placed is not None:
            return Truth(scenario.name, self.name, self.version, placed, None, (), recorded_with)
        page = scenario.request.origin
        page_origin = NULL_ORIGIN_HOST_PAGE if page == NULL_ORIGIN else page
        await self.namespace.map_hosts(scenario_hosts(scenario, page_origin))
        servers = HostRoutedServers(
            self.namespace,
            scenario,
            page_origin=page_origin,
            page_html=page_html(fetch_spec(scenario.request), "corsinspector", page == NULL_ORIGIN),
        )
        try:
            await servers.start()
        except (NamespaceError, OSError) as exc:
            return Truth(
                scenario.name,
                self.name,
                self.version,
                unreproducible=f"cannot be served here: {exc}",
                recorded_with=recorded_with,
            )
        try:
            try:
                result = await self._fetch(servers, page_origin, time_limit)
            except BidiError:
                if self._process is not None and self._process.poll() is None and self._alive():
                    raise
                await self._restart()  # Firefox died: once more with a new one
                await servers.close()
                await servers.start()
                result = await self._fetch(servers, page_origin, time_limit)
            log = servers.log
        finally:
            await servers.close()
        received = tuple(ReceivedRequest(r.method, r.url or r.target, r.headers) for r in log)
        return Truth(
            scenario.name,
            self.name,
            self.version,
            result=result,
            received=received,
            recorded_with=recorded_with,
        )

    async def _fetch(
        self, servers: HostRoutedServers, page_origin: str, time_limit: float
    ) -> BrowserResult:
        bidi = self._bidi
        if bidi is None:
            raise BidiError("Firefox is not started")
        user_context = (await bidi.send("browser.createUserContext", {}))["userContext"]
        try:
            tab = await bidi.send(
                "browsingContext.create", {"type": "tab", "userContext": user_context}
            )
            navigate = {"context": tab["context"], "url": page_origin + "/", "wait": "complete"}
            await bidi.send("browsingContext.navigate", navigate, wait=time_limit)
            servers.begin()
            await self._chrome_eval("Services.console.reset()")
            bidi.events.clear()
            start = {
                "expression": "window.corsInspectorStart()",
                "target": {"context": tab["context"]},
                "awaitPromise": False,
            }
            await bidi.send("script.evaluate", start)
            outcome = await self._outcome(bidi, time_limit)
            lines = await self._settled_console()
        finally:
            with contextlib.suppress(BidiError):
                await bidi.send("browser.removeUserContext", {"userContext": user_context})
        return _result(outcome, lines, self.version)

    async def _outcome(self, bidi: BidiClient, time_limit: float) -> dict[str, Any]:
        """The page's outcome line, or a timeout."""
        deadline = asyncio.get_running_loop().time() + time_limit
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            for event in bidi.events:
                text = event.get("params", {}).get("text") or ""
                if event.get("method") == "log.entryAdded" and text.startswith(MARKER):
                    outcome: dict[str, Any] = json.loads(text[len(MARKER) :])
                    return outcome
            if bidi.closed:
                raise BidiError("the browser closed the connection")
            await bidi.wait_event(min(left, 0.5))
        return {"outcome": "timeout"}

    async def _settled_console(self, *, quiet: float = 0.3, most: float = 2.0) -> list[Any]:
        """The console's script errors once no new one came for ``quiet`` seconds (a failed
        preflight's CORSDidNotSucceed line comes after the rejection)."""
        loop = asyncio.get_running_loop()
        started = changed = loop.time()
        lines: list[Any] = json.loads(await self._chrome_eval(_READ_CONSOLE))
        while loop.time() - changed < quiet and loop.time() - started < most:
            await asyncio.sleep(0.05)
            now = json.loads(await self._chrome_eval(_READ_CONSOLE))
            if now != lines:
                lines, changed = now, loop.time()
        return lines

    async def _chrome_eval(self, expression: str) -> str:
        if self._bidi is None:
            raise BidiError("Firefox is not started")
        target = {"context": self._chrome}
        params = {"expression": expression, "target": target, "awaitPromise": False}
        answer = await self._bidi.send("script.evaluate", params)
        if answer.get("type") != "success":
            raise BidiError(f"chrome script failed: {answer.get('exceptionDetails')}")
        return str(answer["result"].get("value", ""))


def _result(out: dict[str, Any], lines: list[Any], version: str) -> BrowserResult:
    console = tuple(
        ConsoleLine(_LEVELS.get(line["flags"] & 9, "error"), line["text"]) for line in lines
    )
    errors: list[CorsErrorStatus] = []
    for line in lines:
        error = CorsErrorStatus(line["category"], "")
        if line["category"].startswith("CORS") and error not in errors:
            errors.append(error)
    return page_result(
        out,
        browser="firefox",
        version=version,
        console=console,
        cors_errors=tuple(errors),
        devtools=True,
    )


async def open_player() -> FirefoxPlayer:
    player = FirefoxPlayer()
    await player.start()
    return player


class MachineNetwork(HostNamespace):
    """No namespace: the machine's own network, for a live request to the user's server."""

    async def start(self) -> None:
        return None

    def command(self, argv: Sequence[str]) -> list[str]:
        return list(argv)

    def kill_inside(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def connect(self, address: str, port: int, *, wait: float = 1.0) -> socket.socket:
        return await asyncio.to_thread(socket.create_connection, (address, port), wait)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def ask(request: Request, *, time_limit: float = 20.0) -> BrowserResult:
    """A live request in a fresh Firefox on the machine's own network: the page given its
    exact origin by BiDi interception (``network.addIntercept`` on the page's URL answered
    by ``network.provideResponse``), the URL as written."""
    player = FirefoxPlayer()
    player.namespace = MachineNetwork()
    player.port = _free_port()
    try:
        async with asyncio.timeout(time_limit + 45):
            await player.start()
            return await _ask(player, request, time_limit)
    except TimeoutError:
        raise CorsInspectorError(f"Firefox did not finish in {time_limit + 45:g} s") from None
    finally:
        await asyncio.shield(player.aclose())


async def _ask(player: FirefoxPlayer, request: Request, time_limit: float) -> BrowserResult:
    bidi = player._bidi
    if bidi is None:
        raise BidiError("Firefox is not started")
    opaque = request.origin == NULL_ORIGIN
    page_url = (NULL_ORIGIN_HOST_PAGE if opaque else request.origin) + "/"
    html = page_html(fetch_spec(request), "corsinspector", opaque)
    await bidi.send("session.subscribe", {"events": ["network.beforeRequestSent"]})
    tab = (await bidi.send("browsingContext.create", {"type": "tab"}))["context"]
    pattern = {"type": "string", "pattern": page_url}
    intercept = {"phases": ["beforeRequestSent"], "urlPatterns": [pattern], "contexts": [tab]}
    await bidi.send("network.addIntercept", intercept)
    navigate = {"context": tab, "url": page_url, "wait": "complete"}
    loading = asyncio.get_running_loop().create_task(
        bidi.send("browsingContext.navigate", navigate, wait=time_limit)
    )
    try:
        served: set[str] = set()
        while not loading.done():
            for event in list(bidi.events):
                params = event.get("params", {})
                wanted = event.get("method") == "network.beforeRequestSent" and params.get(
                    "isBlocked"
                )
                request_id = str(params.get("request", {}).get("request", ""))
                if wanted and request_id not in served:
                    served.add(request_id)
                    await bidi.send("network.provideResponse", _page_answer(request_id, html))
            await bidi.wait_event(0.1)
        await loading
    finally:
        loading.cancel()
        await asyncio.gather(loading, return_exceptions=True)
    await player._chrome_eval("Services.console.reset()")
    bidi.events.clear()
    start = {"expression": "window.corsInspectorStart()", "target": {"context": tab}}
    await bidi.send("script.evaluate", {**start, "awaitPromise": False})
    outcome = await player._outcome(bidi, time_limit)
    lines = await player._settled_console()
    return _result(outcome, lines, player.version)


def _page_answer(request_id: str, html: str) -> dict[str, Any]:
    header = {"name": "Content-Type", "value": {"type": "string", "value": "text/html"}}
    return {
        "request": request_id,
        "statusCode": 200,
        "reasonPhrase": "OK",
        "headers": [header],
        "body": {"type": "string", "value": html},
    }
