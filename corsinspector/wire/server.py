"""The scenario server: plays a scenario's routes on loopback, byte for byte.

Responses go out exactly as the scenario writes them (order, case, repeats, odd spacing,
empty values), which is why the response writer is ours: HTTP libraries normalize or refuse
such headers, and those malformed answers are what the scenarios are about. Requests are
read with a small HTTP/1.1 reader that keeps each header line as received.

Two ways to listen:

- one listener playing every origin of the scenario (``serve``): routes match by method and
  by path and query;
- one listener per symbolic origin, each on its own port (the recorder): routes match by
  method and full URL, so same-origin relations are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from types import TracebackType

from corsinspector.model import NOT_FOUND, Headers, Request, Route, Scenario, header_values
from corsinspector.origins import normalize_url, path_and_query
from corsinspector.wire.loopback import LOOPBACK_HOST, LoopbackMap, scenario_origins

__all__ = [
    "LoggedRequest",
    "ScenarioServer",
    "ServerThread",
    "format_logged_request",
    "read_request",
    "response_bytes",
    "serve_in_thread",
    "wants_close",
]

_MAX_HEAD = 64 * 1024
_MAX_BODY = 16 * 1024 * 1024


@dataclass(frozen=True)
class LoggedRequest:
    """A request the server received, as received."""

    #: The symbolic origin of the listener that got it (None: a listener playing all).
    listener: str | None
    port: int
    method: str
    #: The request target: path and query.
    target: str
    version: str
    headers: Headers
    body: bytes
    #: The status it was answered with.
    status: int

    @property
    def url(self) -> str | None:
        """The symbolic URL requested, when the listener plays one origin."""
        return None if self.listener is None else self.listener + self.target


def format_logged_request(item: LoggedRequest) -> str:
    """Several lines: the request line with its answer, then each header as received."""
    lines = [f"{item.method} {item.target} {item.version} -> {item.status}"]
    lines += [f"  {name}: {value}" for name, value in item.headers]
    return "\n".join(lines)


class _BadRequestError(Exception):
    pass


class ScenarioServer:
    """Serves one scenario on loopback until closed. Use from one asyncio loop."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        host: str = LOOPBACK_HOST,
        port: int = 0,
        origins: Sequence[str] | None = None,
        page_origin_on_wire: bool = False,
        on_request: Callable[[LoggedRequest], None] | None = None,
        keep_log: bool = True,
    ) -> None:
        """``origins`` None: one listener on ``port`` plays every origin; a list: one
        listener per symbolic origin, each on a free port. ``page_origin_on_wire``: the page
        itself is played on its loopback origin (its Access-Control-Allow-Origin values are
        rewritten to match). ``keep_log`` False keeps no request log (a long benchmark)."""
        self.scenario = scenario
        self.host = host
        self._port = port
        self._origins = list(origins) if origins is not None else None
        self._page_on_wire = page_origin_on_wire
        self._on_request = on_request
        self._keep_log = keep_log
        self._servers: list[asyncio.Server] = []
        self._log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._connections: set[asyncio.Task[None]] = set()
        self.map = LoopbackMap()

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        listeners: list[str | None] = [None] if self._origins is None else list(self._origins)
        for listener in listeners:
            port = self._port if listener is None else 0
            server = await asyncio.start_server(
                lambda r, w, _l=listener: self._serve_connection(r, w, _l),  # type: ignore[misc]
                self.host,
                port,
                limit=_MAX_HEAD,
            )
            self._servers.append(server)
            bound = server.sockets[0].getsockname()[1]
            base = f"http://{self._host_for_url()}:{bound}"
            if listener is None:
                self.base_url = base
                for origin in scenario_origins(self.scenario):
                    self.map.wire[origin] = base
            else:
                self.map.wire[listener] = base
        if self._origins is not None:
            self.base_url = self.map.wire[self._origins[0]] if self._origins else ""
        if self._page_on_wire:
            self.map.page_origin = self.scenario.request.origin

    def _host_for_url(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def port(self) -> int:
        """The port of the first listener."""
        return int(self._servers[0].sockets[0].getsockname()[1])

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()

    async def __aenter__(self) -> ScenarioServer:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def log(self) -> list[LoggedRequest]:
        """Every request received so far, in order (a copy; safe from any thread)."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # --- serving ------------------------------------------------------------------------

    def route_for(self, listener: str | None, method: str, target: str) -> Route:
        """The scenario's answer to ``method`` on ``target`` at this listener: by full URL
        where the listener plays one origin, by path and query where it plays them all."""
        if listener is not None:
            return self.scenario.route_for(method, normalize_url(listener + target))
        for route in self.scenario.server:
            if route.method in ("*", method) and (
                route.url is None or path_and_query(route.url) == target
            ):
                return route
        return NOT_FOUND

    def wire_request(self) -> Request:
        """The scenario's request pointed at this server (its URL on loopback)."""
        request = self.scenario.request
        return replace(request, url=self.map.to_wire_url(request.url))

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, listener: str | None
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        port = writer.get_extra_info("sockname")[1]
        try:
            while True:
                try:
                    request = await read_request(reader)
                except _BadRequestError:
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    break
                if request is None:
                    break
                method, target, version, headers, body = request
                route = self.route_for(listener, method, target)
                logged = LoggedRequest(
                    listener, port, method, target, version, headers, body, route.status
                )
                if self._keep_log:
                    with self._lock:
                        self._log.append(logged)
                if self._on_request is not None:
                    self._on_request(logged)
                base = None if listener is None else listener + target
                writer.write(self._response_bytes(route, method, base))
                await writer.drain()
                if wants_close(headers, version):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # close() cancels idle keep-alive connections; end quietly
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    def _response_bytes(self, route: Route, method: str, base: str | None) -> bytes:
        headers = self.map.rewrite_response_headers(route.wire_headers(method), base)
        return response_bytes(route, method, headers)


def response_bytes(route: Route, method: str, headers: Headers) -> bytes:
    """``route``'s answer to ``method`` with ``headers`` (as they go on the wire): the status
    line, the headers in order, then the body (none for HEAD, 204 and 304)."""
    try:
        reason = HTTPStatus(route.status).phrase
    except ValueError:
        reason = "Status"
    head = [f"HTTP/1.1 {route.status} {reason}".encode("latin-1")]
    head += [_encode(name) + b": " + _encode(value) for name, value in headers]
    body = b"" if method == "HEAD" or route.status in (204, 304) else route.body_bytes()
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def _encode(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def wants_close(headers: Headers, version: str) -> bool:
    """Does the client ask to close the connection after this request?"""
    tokens = {
        v.strip().lower()
        for value in header_values(headers, "connection")
        for v in value.split(",")
    }
    return "close" in tokens or (version == "HTTP/1.0" and "keep-alive" not in tokens)


async def read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, str, Headers, bytes] | None:
    """One request from the connection, or None when the peer closed it cleanly."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise _BadRequestError from None
        return None
    except asyncio.LimitOverrunError:
        raise _BadRequestError from None
    lines = head[:-4].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise _BadRequestError
    method, target, version = parts
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise _BadRequestError
        headers.append((name, value.strip(" \t")))
    body = await _read_body(reader, tuple(headers))
    return method, target, version, tuple(headers), body


async def _read_body(reader: asyncio.StreamReader, headers: Headers) -> bytes:
    if any("chunked" in v.lower() for v in header_values(headers, "transfer-encoding")):
        chunks: list[bytes] = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    lengths = header_values(headers, "content-length")
    if not lengths:
        return b""
    try:
        length = int(lengths[0])
    except ValueError:
        raise _BadRequestError from None
    if not 0 <= length <= _MAX_BODY:
        raise _BadRequestError
    return await reader.readexactly(length)


class ServerThread:
    """Runs a ScenarioServer on its own asyncio loop in a background thread.

    For callers that are not on an asyncio loop (the recorder drives Qt's loop instead)::

        with ServerThread(ScenarioServer(scenario)) as server:
            ...  # server.base_url, server.log
    """

    def __init__(self, server: ScenarioServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="scenario-server", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stop: asyncio.Event | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self.server.close()

    def __enter__(self) -> ScenarioServer:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self.server

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        stop = self._stop
        if stop is not None:
            self._loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout=10)


@contextlib.contextmanager
def serve_in_thread(scenario: Scenario, **options: object) -> Iterator[ScenarioServer]:
    """A ScenarioServer for ``scenario`` in a background thread, for the ``with`` block."""
    with ServerThread(ScenarioServer(scenario, **options)) as server:  # type: ignore[arg-type]
        yield server
