"""Debian's Chromium (``/usr/bin/chromium``) as a
:class:`~corsinspector.realbrowser.players.Player`, over the DevTools protocol.

Each scenario is played as written: Chromium's ``--host-resolver-rules`` send every symbolic
``host:port`` to a loopback front door of its own (``MAP api.example.test:443
127.0.0.1:PORT``, then ``MAP * ~NOTFOUND``), so the page, the URL fetched, the ``Origin``
header, ``Location`` targets and the console keep the scenario's names; ``https`` origins
speak TLS with a throw-away certificate (``--ignore-certificate-errors``; the page is still a
secure context). The page is served by its own origin's server (the scenario's routes plus
the page at ``/``); an opaque origin is ``page.py``'s sandboxed iframe, its page served from
:data:`~corsinspector.realbrowser.page.NULL_ORIGIN_HOST_PAGE`.

One browser serves the run; each scenario gets a fresh browser context (no cache, cookies or
preflight cache shared) and its own :class:`~corsinspector.wire.server.ScenarioServer`, which
the fronts (fixed ports: the rules are fixed at launch) relay to. A scenario bringing an
origin not yet mapped restarts the browser with more rules (the corpus has nine origins: a
full run launches nine times). Measured here (2 cores, busy): a launch until DevTools answers takes
0.25 s and its end 0.06 s, plus its first renderer; a fresh context and page 0.1 s.

A scenario that places hosts (``request.resolve``: ``nas.example.test`` at ``192.168.1.20``)
is played where it places them: the browser runs inside a private network namespace
(:mod:`~corsinspector.realbrowser.chromenamespace`) whose loopback holds those addresses, each
placed name's front listens on its address there (the rule maps the name to it), every other
name's on the namespace's ``127.0.0.1``. Chromium takes a page's or a server's address space
from the address it connected to, so Local Network Access judges the scenario's placement;
its permission is granted or denied as the scenario says (:mod:`chromerun`). The fronts relay
to the scenario's server in this process's own network. A scenario without placements is
played outside any namespace, as before (a change of placement restarts the browser).

Nothing is unreproducible for a reason of loopback: every host is a name, so mixed content
(an ``http`` name from an ``https`` page) is Chromium's own call. Only a page origin that is
neither ``http(s)`` nor ``null`` cannot be served, a host placed at an address that is not
IPv4, and an http and an https origin on one host and port cannot both be mapped.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import ssl
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from corsinspector.errors import CorsInspectorError, WatchError
from corsinspector.model import BrowserResult, ReceivedRequest, Request, Route, Scenario, Truth
from corsinspector.origins import NULL_ORIGIN, is_loopback_host, normalize_url
from corsinspector.realbrowser.chromenamespace import connect_inside, launch_chrome_inside
from corsinspector.realbrowser.chromerun import ChromeRun
from corsinspector.realbrowser.originfronts import OriginFront, host_and_port, resolver_rule
from corsinspector.realbrowser.page import NULL_ORIGIN_HOST_PAGE, fetch_spec, page_html
from corsinspector.realbrowser.tlscert import throwaway_server_context
from corsinspector.watch.cdp import CdpConnection, connect
from corsinspector.watch.chrome import Chrome, launch_chrome
from corsinspector.wire.hostmap import HostNamespace
from corsinspector.wire.loopback import LOOPBACK_HOST, LoopbackMap, scenario_origins
from corsinspector.wire.server import LoggedRequest, ScenarioServer

__all__ = ["BINARY", "ChromiumPlayer", "ask", "open_player"]

BINARY = "/usr/bin/chromium"
#: Where the page is served when the scenario's own routes use the origin's ``/``.
_SPARE_PAGE_PATH = "/__corsinspector__/page"
#: The page's head gets an empty icon: no favicon request reaches the servers.
_NO_ICON = '<link rel="icon" href="data:,">'
#: An ``http`` page stays http: HTTPS-Upgrades would try the page on https first.
_FLAGS = ("--ignore-certificate-errors", "--disable-features=HttpsUpgrades")
#: Beyond the fetch's own time limit: the page's load, the context's disposal.
_SPARE_SECONDS = 15.0


def _page_base(scenario: Scenario) -> str:
    origin = scenario.request.origin
    return NULL_ORIGIN_HOST_PAGE if origin == NULL_ORIGIN else origin


def _page_path(scenario: Scenario, base: str) -> str:
    """``/``, unless the scenario itself asks for or answers the page origin's ``/``."""
    root = normalize_url(base + "/")
    urls = [scenario.request.url] + [r.url for r in scenario.server if r.url]
    return _SPARE_PAGE_PATH if any(normalize_url(u) == root for u in urls) else "/"


class ChromiumPlayer:
    """Debian's Chromium, started once; :meth:`play` one scenario after another."""

    name = "chromium"

    def __init__(self, binary: str = BINARY, *, tls: ssl.SSLContext | None = None) -> None:
        self.binary = binary
        self.version = ""
        self._tls = tls or throwaway_server_context()
        self._fronts: dict[str, OriginFront] = {}
        self._chrome: Chrome | None = None
        self._cdp: CdpConnection | None = None
        self._run: ChromeRun | None = None
        self._lock = asyncio.Lock()
        #: Where the running browser's rules place hosts (none: outside any namespace).
        self._placed: dict[str, str] = {}
        self._namespace: HostNamespace | None = None

    @property
    def pid(self) -> int | None:
        """The browser's process id while it runs (its group holds its children)."""
        return self._chrome.pid if self._chrome is not None else None

    @property
    def namespace_pid(self) -> int | None:
        """The process holding the private namespace, once a placed scenario made it."""
        return self._namespace.pid if self._namespace is not None else None

    @property
    def front_ports(self) -> dict[str, int]:
        """The loopback port of each mapped origin's front door."""
        return {origin: front.port for origin, front in self._fronts.items()}

    async def start(
        self, origins: list[str] | None = None, placement: dict[str, str] | None = None
    ) -> None:
        """Launch the browser, with a front door (and a resolver rule) per origin; with a
        ``placement`` (host -> IPv4 address), inside the namespace, each placed host's front
        on its address."""
        placement = placement or {}
        if placement != self._placed:  # every front moves: into, out of, or in the namespace
            await self._close_fronts()
            self._placed = dict(placement)
        if placement and self._namespace is None:
            namespace = HostNamespace()
            await namespace.start()
            self._namespace = namespace
        for origin in origins or []:
            if origin not in self._fronts:
                # one rule per host and port: an origin there with the other scheme makes way
                for other in [o for o in self._fronts if host_and_port(o) == host_and_port(origin)]:
                    await self._fronts.pop(other).aclose()
                self._fronts[origin] = await self._front(origin)
        await self._stop_browser()
        rules = [resolver_rule(o, f.port, f.address) for o, f in self._fronts.items()]
        flags = (f"--host-resolver-rules={', '.join([*rules, 'MAP * ~NOTFOUND'])}", *_FLAGS)
        if self._placed and self._namespace is not None:
            self._chrome = await launch_chrome_inside(
                self._namespace, self.binary, extra_flags=flags
            )
        else:
            self._chrome = await launch_chrome(self.binary, extra_flags=flags)
        try:
            if self._placed and self._namespace is not None:
                self._cdp = await connect_inside(
                    self._namespace, self._chrome, on_event=self._on_event
                )
            else:
                self._cdp = await connect(self._chrome.ws_url, on_event=self._on_event)
            self.version = self._chrome.version.rpartition("/")[2]
        except BaseException:
            await self._stop_browser()
            raise

    async def _front(self, origin: str) -> OriginFront:
        """``origin``'s front door: on loopback, or inside the namespace at its placement."""
        if not self._placed or self._namespace is None:
            front = OriginFront(origin, self._tls)
            await front.start()
            return front
        address = self._placed.get((urlsplit(origin).hostname or "").lower(), LOOPBACK_HOST)
        await self._namespace.map_hosts([], address)  # the address joins its loopback
        front = OriginFront(origin, self._tls, address)
        sock = await self._namespace.listen(address, 0)
        try:
            await front.start(sock)
        except BaseException:
            sock.close()
            raise
        return front

    async def play(self, scenario: Scenario, *, time_limit: float = 20.0) -> Truth:
        async with self._lock:
            try:
                return await asyncio.wait_for(
                    self._play(scenario, time_limit), time_limit + _SPARE_SECONDS
                )
            except TimeoutError:
                raise WatchError(
                    f"{scenario.name}: Chromium did not finish in {time_limit + _SPARE_SECONDS:g} s"
                ) from None

    async def _play(self, scenario: Scenario, time_limit: float) -> Truth:
        page = scenario.request.origin
        recorded_with = {"binary": self.binary}
        placement = _placement(scenario)
        if isinstance(placement, str):
            return Truth(scenario.name, self.name, self.version, placement, None, (), recorded_with)
        if page != NULL_ORIGIN and urlsplit(page).scheme.lower() not in ("http", "https"):
            reason = f"the page's origin {page} is not http(s): no server can serve the page"
            return Truth(scenario.name, self.name, self.version, reason, None, (), recorded_with)
        base = _page_base(scenario)
        origins = scenario_origins(scenario)
        if base not in origins:
            origins.append(base)
        shared = _shared_host_and_port(origins)
        if shared is not None:
            reason = (
                f"an http and an https origin share {shared}: Chromium's resolver rules map a "
                "host and port, not a scheme, so one loopback server would have to play both"
            )
            return Truth(scenario.name, self.name, self.version, reason, None, (), recorded_with)
        stale = self._cdp is None or self._cdp.closed is not None or placement != self._placed
        if stale or set(origins) - set(self._fronts):
            await self.start(origins, placement)
        path = _page_path(scenario, base)
        html = page_html(fetch_spec(scenario.request), scenario.name, page == NULL_ORIGIN)
        html = html.replace("<head>", "<head>" + _NO_ICON, 1)
        served = replace(scenario, server=(_page_route(base + path, html), *scenario.server))
        server = ScenarioServer(served, origins=origins)
        try:
            await server.start()
            ports = {o: int(url.rpartition(":")[2]) for o, url in server.map.wire.items()}
            server.map = LoopbackMap()  # the browser speaks the scenario's names: nothing to map
            for origin, front in self._fronts.items():
                front.target = ports.get(origin)
            result = await self._fetch(base + path, time_limit, scenario.request)
        finally:
            for front in self._fronts.values():
                front.target = None
                await front.drop_connections()
            await server.close()
        received = tuple(
            ReceivedRequest(item.method, item.url or item.target, item.headers)
            for item in server.log
            if not _is_page_load(item, base, path)
        )
        return Truth(scenario.name, self.name, self.version, None, result, received, recorded_with)

    async def _fetch(self, page_url: str, time_limit: float, request: Request) -> Any:
        assert self._cdp is not None
        lna = request.local_network_access
        run = ChromeRun(self._cdp, self.name, self.version, local_network_access=lna)
        self._run = run
        try:
            return await run.run(page_url, time_limit)
        finally:
            self._run = None
            await asyncio.shield(run.aclose())

    def _on_event(self, method: str, params: dict[str, Any], session: str | None) -> None:
        if self._run is not None:
            self._run.on_event(method, params, session)

    async def _stop_browser(self) -> None:
        cdp, chrome = self._cdp, self._chrome
        self._cdp = self._chrome = None
        try:
            if cdp is not None:
                await cdp.aclose()
        finally:
            if chrome is not None:
                chrome.kill_now()  # at once: nothing to save in a throw-away profile
                await asyncio.shield(chrome.aclose(grace=0))
                await _group_gone(chrome.pid)
            if self._namespace is not None:
                self._namespace.kill_inside()  # a child that left the browser's group

    async def _close_fronts(self) -> None:
        fronts = list(self._fronts.values())
        self._fronts.clear()
        for front in fronts:
            with contextlib.suppress(OSError):
                await front.aclose()

    async def aclose(self) -> None:
        """Stop the browser, the front doors and the namespace (idempotent)."""
        try:
            await self._stop_browser()
        finally:
            try:
                await self._close_fronts()
            finally:
                namespace, self._namespace = self._namespace, None
                self._placed = {}
                if namespace is not None:
                    await asyncio.shield(namespace.close())


async def _group_gone(pid: int, seconds: float = 5.0) -> None:
    """Until the browser's killed process group has no process left (its renderers take a
    moment to go), or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        await asyncio.sleep(0.02)


def _placement(scenario: Scenario) -> dict[str, str] | str:
    """Where ``request.resolve`` places hosts off loopback (host -> IPv4 address), or why
    that cannot be played (an address that is not IPv4)."""
    placed: dict[str, str] = {}
    for host, address in scenario.request.resolve:
        bare = address.strip("[]")
        if is_loopback_host(bare):
            continue
        try:
            ipaddress.IPv4Address(bare)
        except ValueError:
            return f"the scenario serves {host} from {address}: only IPv4 addresses are played"
        placed[host.lower()] = bare
    return placed


def _shared_host_and_port(origins: list[str]) -> str | None:
    """A host and port that two of ``origins`` share (``http`` and ``https``), if any."""
    seen: set[str] = set()
    for origin in origins:
        key = host_and_port(origin)
        if key in seen:
            return key
        seen.add(key)
    return None


def _page_route(url: str, html: str) -> Route:
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"))
    return Route("GET", url, 200, headers, html)


def _is_page_load(item: LoggedRequest, base: str, path: str) -> bool:
    return item.listener == base and item.method == "GET" and item.target == path


async def open_player() -> ChromiumPlayer:
    """Debian's Chromium, started (its version known), no origin mapped yet."""
    player = ChromiumPlayer()
    try:
        await player.start()
    except BaseException:
        await player.aclose()
        raise
    if not player.version:
        await player.aclose()
        raise CorsInspectorError(f"{BINARY} did not say its version")
    return player


async def ask(request: Request, *, time_limit: float = 20.0) -> BrowserResult:
    """A live request in a fresh Chromium: the page given its exact origin by interception
    (no server, no resolver rules), the URL as written, on the machine's own network."""
    scenario = Scenario("ask", request)
    base = _page_base(scenario)
    html = page_html(fetch_spec(scenario.request), "corsinspector", request.origin == NULL_ORIGIN)
    html = html.replace("<head>", "<head>" + _NO_ICON, 1)
    # a page on a loopback host is served from loopback, as the user's own dev server would
    # be (an intercepted page has no address: Local Network Access takes it for public)
    page_server: ScenarioServer | None = None
    flags: tuple[str, ...] = _FLAGS
    html_given: str | None = html
    host = urlsplit(base).hostname or ""
    if is_loopback_host(host):
        page = Scenario("page", request, (_page_route(base + "/", html),))
        page_server = ScenarioServer(page, origins=[base])
        await page_server.start()
        port = int(page_server.map.wire[base].rpartition(":")[2])
        flags = (*flags, f"--host-resolver-rules={resolver_rule(base, port)}")
        html_given = None
    try:
        chrome = await launch_chrome(BINARY, extra_flags=flags)
    except BaseException:
        if page_server is not None:
            await page_server.close()
        raise
    cdp: CdpConnection | None = None
    run: ChromeRun | None = None
    try:
        version = chrome.version.rpartition("/")[2]

        def hear(method: str, params: dict[str, Any], session: str | None) -> None:
            if run is not None:
                run.on_event(method, params, session)

        cdp = await connect(chrome.ws_url, on_event=hear)
        lna = request.local_network_access
        run = ChromeRun(cdp, "chromium", version, page_html=html_given, local_network_access=lna)
        async with asyncio.timeout(time_limit + _SPARE_SECONDS):
            return await run.run(base + "/", time_limit)
    except TimeoutError:
        raise WatchError(f"Chromium did not finish in {time_limit + _SPARE_SECONDS:g} s") from None
    finally:
        try:
            if run is not None:
                await asyncio.shield(run.aclose())
            if cdp is not None:
                await asyncio.shield(cdp.aclose())
        finally:
            chrome.kill_now()
            try:
                await asyncio.shield(chrome.aclose(grace=0))
                await _group_gone(chrome.pid)
            finally:
                if page_server is not None:
                    await asyncio.shield(page_server.close())
