"""A deliberately misbehaving HTTP/1.1 server on 127.0.0.1, for testing clients against faults.

The request path picks the behaviour (the query string is ignored, except ``ms`` on
``/slow-ok``). Every HTTP response carries ``Access-Control-Allow-Origin: *``, so that CORS
itself would pass and only the network misbehaviour is left to judge:

==================== ===========================================================================
``/ok``              200, ``Content-Length``, body ``ok``; keep-alive works
``/reset-mid-header`` writes ``HTTP/1.1 200 OK\\r\\nX-Partial: `` then aborts with a TCP RST
``/hang``            reads the request, never answers; holds the connection until either side
                     goes away
``/garbage``         ``this is not http\\r\\n\\r\\n`` then closes
``/many-headers``    200 with 10,000 ``X-H-<n>: <n>`` header lines, empty body, in one write
``/huge-body``       200, ``Content-Length: 1073741824``, zeros in 64 KiB chunks with backpressure;
                     stops quietly when the client goes away
``/redirect-loop``   302 to itself, forever
``/trickle``         a status line, then one byte of a header line per second, never finishing
``/preflight-ok``    OPTIONS: 204 allowing ``PUT, DELETE, PATCH`` and any header; else 200 ``ok``
``/slow-ok?ms=N``    like ``/ok`` after N milliseconds (default 1000)
``/silent-preflight`` OPTIONS: never answered, the connection held open; else 200 ``ok``
``/slow-body``       200, ``Content-Length: 1000``, then one body byte per second
``/short-body``      200, ``Content-Length: 10``, body ``ok``, then closes (FIN)
``/short-chunked``   200, chunked, half of a chunk, then closes
``/reset-mid-body``  200, ``Content-Length: 100``, ``partial``, then a TCP RST
``/short-preflight`` OPTIONS: 200 allowing ``PUT``, ``Content-Length: 10``, ``ok``, closes;
                     else 200 ``ok``
``/lenient/NAME``    a malformed response head Chromium accepts or refuses, one of
                     :data:`LENIENT_SHAPES` (each also exposes every header, then closes)
anything else        404
==================== ===========================================================================

Use it on an asyncio loop::

    async with FaultServer() as server:
        ...  # server.base_url, server.open_connections, server.requests_seen

or, from synchronous code, ``with fault_server_in_thread() as server: ...``.

``close()`` closes the listener, cancels every connection's handler and aborts its socket, so
nothing is left running. A handler that fails for a reason other than the network (a bug in
this module) does not vanish into the loop's log: ``close()`` raises it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import struct
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qs

HOST = "127.0.0.1"

HUGE_BODY_SIZE = 1 << 30  # 1 GiB, announced in Content-Length and streamed, never allocated
HUGE_BODY_CHUNK = 64 * 1024
MANY_HEADERS = 10_000
TRICKLE_INTERVAL = 1.0  # seconds between two bytes of /trickle
SLOW_OK_DEFAULT_MS = 1000

_MAX_HEAD = 64 * 1024  # a request head larger than this gets a 400
_READ_SIZE = 64 * 1024
_CLOSE_GRACE = 5.0  # seconds a finished connection may take to flush before it is aborted
_ZEROS = bytes(HUGE_BODY_CHUNK)
_ACAO = b"Access-Control-Allow-Origin: *\r\n"
_RST_LINGER = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST, not FIN


#: Malformed response heads (status line and header lines, up to the end of the head's own
#: lines): what Chromium 140 does with each is found by the tests through --real-browser.
LENIENT_SHAPES: dict[str, bytes] = {
    "space-before-colon": (
        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin : *\r\nX-Spaced\t : yes\r\n"
    ),
    "no-colon": b"HTTP/1.1 200 OK\r\n" + _ACAO + b"a line without a colon\r\nX-After: yes\r\n",
    "bad-names": b"HTTP/1.1 200 OK\r\n" + _ACAO + b"X Bad Name: 1\r\n: no name\r\nX-After: yes\r\n",
    "allow-origin-without-colon": b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin *\r\n",
    "bare-lf": b"HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\nX-After: yes\n",
    "cr-line-breaks": b"HTTP/1.1 200 OK\rAccess-Control-Allow-Origin: *\rX-After: yes\r\n",
    "obs-fold": b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin:\r\n *\r\nX-Folded: a\r\n\tb\r\n",
    "leading-whitespace": b"HTTP/1.1 200 OK\r\n X-Dropped: yes\r\n" + _ACAO,
    "no-reason": b"HTTP/1.1 200\r\n" + _ACAO,
    "status-spaces": b"HTTP/1.1  200  OK \r\n" + _ACAO,
    "lower-case-version": b"http/1.1 200 OK\r\n" + _ACAO,
    "http-1.0": b"HTTP/1.0 200 OK\r\n" + _ACAO,
    "nul-in-header": b"HTTP/1.1 200 OK\r\n" + _ACAO + b"X-Nul: a\0b\r\n",
    "blank-line-first": b"\r\nHTTP/1.1 200 OK\r\n" + _ACAO,
    "junk-before-status": b"ab HTTP/1.1 200 OK\r\n" + _ACAO,
    "status-line-too-far": b"\r\n\r\n\r\nHTTP/1.1 200 OK\r\n" + _ACAO,
}


def _lenient_response(shape: bytes) -> bytes:
    """The shape, then every header exposed, the framing and ``ok``, with the shape's own
    line ending (LF alone for a head written with LF alone)."""
    end = b"\r\n" if b"\r\n" in shape else b"\n"
    tail = [b"Access-Control-Expose-Headers: *", b"Content-Length: 2", b"Connection: close", b""]
    return shape + end.join(tail) + end + b"ok"


class _BadRequestError(Exception):
    """The request could not be parsed; the connection gets a 400 and is closed."""


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    query: str
    version: str
    headers: dict[str, str]  # lower-cased names; a repeated name keeps its last value

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in self.headers.get("connection", "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


_Handler = Callable[[_Request, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


class FaultServer:
    """One asyncio server on 127.0.0.1:0 whose behaviour is chosen by the request path."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._closing = False
        # Every live connection: its handler task and its writer. A task is added the moment
        # the connection is made (not when it first runs), so close() can never miss one.
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._errors: list[BaseException] = []
        self._seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()  # requests_seen may be read from another thread
        self._routes: dict[str, _Handler] = {
            "/ok": self._ok,
            "/reset-mid-header": self._reset_mid_header,
            "/hang": self._hang,
            "/garbage": self._garbage,
            "/many-headers": self._many_headers,
            "/huge-body": self._huge_body,
            "/redirect-loop": self._redirect_loop,
            "/trickle": self._trickle,
            "/preflight-ok": self._preflight_ok,
            "/slow-ok": self._slow_ok,
            "/silent-preflight": self._silent_preflight,
            "/slow-body": self._slow_body,
            "/short-body": self._short_body,
            "/short-chunked": self._short_chunked,
            "/reset-mid-body": self._reset_mid_body,
            "/short-preflight": self._short_preflight,
        }

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        if self._server is not None or self._closing:
            raise RuntimeError("a FaultServer starts once")
        self._server = await asyncio.start_server(
            self._connection_made, HOST, 0, limit=_MAX_HEAD, reuse_address=True
        )
        self._port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Closes the listener and every connection; returns when nothing is left running."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        # A connection accepted just before the listener closed may reach _connection_made a
        # few loop turns later (it is refused there); keep turning until no handler remains.
        for _ in range(5):
            while self._connections:
                tasks = list(self._connections)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(0)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        if self._errors:
            error, self._errors = self._errors[0], []
            raise RuntimeError("a FaultServer handler failed") from error

    async def __aenter__(self) -> FaultServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- what tests look at -----------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the FaultServer is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        return f"http://{HOST}:{self.port}"

    @property
    def open_connections(self) -> int:
        """Connections currently open (a client that released its own brings this to 0)."""
        return len(self._connections)

    @property
    def requests_seen(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request whose head was fully received, in order.

        The path is without its query string. A copy; safe to read from any thread.
        """
        with self._lock:
            return list(self._seen)

    # --- connections ------------------------------------------------------------------------

    def _connection_made(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A plain function, not a coroutine: asyncio would wrap a coroutine in a task of its
        # own that we could only see once it first ran. Here the task is ours from the start.
        if self._closing:
            writer.transport.abort()
            return
        task = asyncio.get_running_loop().create_task(
            self._handle(reader, writer), name=f"fault-server-{writer.get_extra_info('peername')}"
        )
        self._connections[task] = writer
        task.add_done_callback(self._connection_done)

    def _connection_done(self, task: asyncio.Task[None]) -> None:
        writer = self._connections.pop(task)
        # A task cancelled before its first step never ran _handle's cleanup.
        writer.transport.abort()
        if not task.cancelled() and (error := task.exception()) is not None:
            self._errors.append(error)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        graceful = False
        try:
            graceful = await self._serve(reader, writer)
        except (OSError, asyncio.IncompleteReadError):
            pass  # the client went away (reset, broken pipe, closed mid-request)
        except asyncio.CancelledError:
            pass  # close() ends handlers this way; the finally below closes the socket
        finally:
            await _finish(writer, graceful)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answers requests until one ends the connection. True: close it politely."""
        while True:
            try:
                request = await _read_request(reader)
            except _BadRequestError:
                writer.write(_response(400, b"bad request", keep_alive=False))
                await writer.drain()
                return True
            if request is None:
                return True
            with self._lock:
                self._seen.append((request.method, request.path))
            handler = self._routes.get(request.path, self._not_found)
            if request.path.startswith("/lenient/"):
                handler = self._lenient
            if not await handler(request, reader, writer) or not request.keep_alive:
                return not writer.transport.is_closing()

    # --- behaviours: each returns True to keep the connection for another request -------------

    async def _ok(self, req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        return await _reply(w, req, 200, b"ok")

    async def _not_found(
        self, req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        return await _reply(w, req, 404, b"not found")

    async def _slow_ok(
        self, req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        ms = SLOW_OK_DEFAULT_MS
        with contextlib.suppress(KeyError, ValueError):
            ms = max(0, int(parse_qs(req.query)["ms"][-1]))
        await asyncio.sleep(ms / 1000)
        return await _reply(w, req, 200, b"ok")

    async def _preflight_ok(
        self, req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        if req.method != "OPTIONS":
            return await _reply(w, req, 200, b"ok")
        extra = (
            b"Access-Control-Allow-Methods: PUT, DELETE, PATCH\r\n"
            b"Access-Control-Allow-Headers: *\r\n"
        )
        return await _reply(w, req, 204, b"", extra)

    async def _redirect_loop(
        self, req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        return await _reply(w, req, 302, b"", b"Location: /redirect-loop\r\n")

    async def _many_headers(
        self, req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        return await _reply(w, req, 200, b"", _many_header_lines())

    async def _garbage(
        self, _req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        w.write(b"this is not http\r\n\r\n")
        await w.drain()
        return False

    async def _reset_mid_header(
        self, _req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\nX-Partial: ")
        await _flush(w)
        sock = w.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RST_LINGER)
        w.transport.abort()  # closes the socket at once: with that linger, a RST
        return False

    async def _hang(
        self, _req: _Request, r: asyncio.StreamReader, _w: asyncio.StreamWriter
    ) -> bool:
        while await r.read(_READ_SIZE):
            pass  # whatever else the client sends is ignored; b"" is the client going away
        return False

    async def _trickle(
        self, _req: _Request, r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\n" + _ACAO)
        for byte in itertools.chain(b"X-Slow: ", itertools.repeat(ord("a"))):
            w.write(bytes((byte,)))
            await w.drain()
            if await _peer_gone_within(r, TRICKLE_INTERVAL):
                return False
        return False  # unreachable: the header line never ends

    async def _silent_preflight(
        self, req: _Request, r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        if req.method == "OPTIONS":
            return await self._hang(req, r, w)
        return await _reply(w, req, 200, b"ok")

    async def _slow_body(
        self, _req: _Request, r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\n" + _ACAO + b"Content-Length: 1000\r\n\r\n")
        for _ in range(1000):
            w.write(b"a")
            await w.drain()
            if await _peer_gone_within(r, TRICKLE_INTERVAL):
                return False
        return False

    async def _short_body(
        self, _req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\n" + _ACAO + b"Content-Length: 10\r\n\r\nok")
        await w.drain()
        return False  # FIN after 2 of the 10 bytes announced

    async def _short_chunked(
        self, _req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\n" + _ACAO + b"Transfer-Encoding: chunked\r\n\r\na\r\nhalf")
        await w.drain()
        return False

    async def _reset_mid_body(
        self, _req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\n" + _ACAO + b"Content-Length: 100\r\n\r\npartial")
        await _flush(w)
        await asyncio.sleep(0.1)  # the head and the start of the body arrive before the RST
        sock = w.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RST_LINGER)
        w.transport.abort()
        return False

    async def _short_preflight(
        self, req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        if req.method != "OPTIONS":
            return await _reply(w, req, 200, b"ok")
        w.write(
            b"HTTP/1.1 200 OK\r\n" + _ACAO + b"Access-Control-Allow-Methods: PUT\r\n"
            b"Content-Length: 10\r\n\r\nok"
        )
        await w.drain()
        return False

    async def _lenient(
        self, req: _Request, _r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        shape = LENIENT_SHAPES.get(req.path.removeprefix("/lenient/"))
        if shape is None:
            return await self._not_found(req, _r, w)
        w.write(_lenient_response(shape))
        await w.drain()
        return False

    async def _huge_body(
        self, req: _Request, r: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> bool:
        head = b"HTTP/1.1 200 OK\r\n" + _ACAO + b"Content-Type: application/octet-stream\r\n"
        head += b"Content-Length: %d\r\n" % HUGE_BODY_SIZE
        w.write(head + _connection_header(req) + b"\r\n")
        if req.method == "HEAD":
            await w.drain()
            return True
        remaining = HUGE_BODY_SIZE
        while remaining:
            if w.transport.is_closing() or r.at_eof():
                return False
            size = min(remaining, HUGE_BODY_CHUNK)
            w.write(_ZEROS if size == HUGE_BODY_CHUNK else _ZEROS[:size])
            await w.drain()  # backpressure: waits while the client is not reading
            remaining -= size
        return True


# --- helpers ------------------------------------------------------------------------------


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """The next request on the connection (its body read and dropped), or None at a clean end."""
    head = b""
    while not head:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial.strip():
                raise  # the client went away mid-request
            return None
        except asyncio.LimitOverrunError:
            raise _BadRequestError from None
        head = head.lstrip(b"\r\n")  # RFC 9112 2.2: ignore empty lines before a request
    lines = head[:-4].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequestError
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise _BadRequestError
        headers[name.lower()] = value.strip(" \t")
    path, _, query = target.partition("?")
    request = _Request(method, path, query, version, headers)
    try:
        await _drop_body(reader, request)
    except asyncio.LimitOverrunError:
        raise _BadRequestError from None
    return request


async def _drop_body(reader: asyncio.StreamReader, request: _Request) -> None:
    """Reads the request's body, if any, without keeping it."""
    if "chunked" in request.headers.get("transfer-encoding", "").lower():
        while True:
            size_line = await reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _BadRequestError from None
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailer fields
                return
            await _skip(reader, size + 2)  # the chunk and its CRLF
    length = request.headers.get("content-length")
    if length is None:
        return
    if not length.isdigit():
        raise _BadRequestError
    await _skip(reader, int(length))


async def _skip(reader: asyncio.StreamReader, size: int) -> None:
    while size:
        size -= len(await reader.readexactly(min(size, _READ_SIZE)))


def _connection_header(req: _Request) -> bytes:
    return b"" if req.keep_alive else b"Connection: close\r\n"


def _response(status: int, body: bytes, extra: bytes = b"", *, keep_alive: bool) -> bytes:
    phrase = HTTPStatus(status).phrase.encode("latin-1")
    head = b"HTTP/1.1 %d %s\r\n" % (status, phrase) + _ACAO + extra
    if status != 204:  # RFC 9110 8.6: no Content-Length on a 204
        head += b"Content-Type: text/plain\r\n" if body else b""
        head += b"Content-Length: %d\r\n" % len(body)
    if not keep_alive:
        head += b"Connection: close\r\n"
    return head + b"\r\n" + body


async def _reply(
    writer: asyncio.StreamWriter, req: _Request, status: int, body: bytes, extra: bytes = b""
) -> bool:
    response = _response(status, body, extra, keep_alive=req.keep_alive)
    if req.method == "HEAD":
        response = response[: len(response) - len(body)]
    writer.write(response)
    await writer.drain()
    return True


_MANY_HEADER_LINES: bytes | None = None


def _many_header_lines() -> bytes:
    global _MANY_HEADER_LINES  # built once: about 160 KB
    if _MANY_HEADER_LINES is None:
        _MANY_HEADER_LINES = b"".join(b"X-H-%d: %d\r\n" % (n, n) for n in range(MANY_HEADERS))
    return _MANY_HEADER_LINES


async def _flush(writer: asyncio.StreamWriter) -> None:
    """Waits until everything written has left for the kernel (not just below the watermark)."""
    transport = writer.transport
    transport.set_write_buffer_limits(high=0)
    await writer.drain()


async def _peer_gone_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Waits ``seconds``, dropping what the client sends. True if it went away meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        try:
            async with asyncio.timeout(remaining):
                data = await reader.read(_READ_SIZE)
        except TimeoutError:
            return False
        if not data:
            return True
    return False


async def _finish(writer: asyncio.StreamWriter, graceful: bool) -> None:
    """Closes the connection: politely (FIN after what was written) or at once (abort)."""
    transport = writer.transport
    if graceful and not transport.is_closing():
        writer.close()
        try:
            async with asyncio.timeout(_CLOSE_GRACE):
                await writer.wait_closed()
            return
        except (TimeoutError, OSError):
            pass  # the client does not read what is left: drop it
    transport.abort()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


def refused_url() -> str:
    """An ``http://127.0.0.1:PORT/`` URL where nothing listens: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    return f"http://{HOST}:{port}/"


@contextlib.contextmanager
def fault_server_in_thread() -> Iterator[FaultServer]:
    """A started FaultServer on its own loop in a daemon thread, closed when the block ends.

    Its properties are safe to read from the calling thread. An error from start() or close()
    is raised here.
    """
    server = FaultServer()
    ready = threading.Event()
    loop: asyncio.AbstractEventLoop | None = None
    stop: asyncio.Event | None = None
    errors: list[BaseException] = []

    async def main() -> None:
        nonlocal loop, stop
        try:
            await server.start()
        except BaseException as exc:
            errors.append(exc)
            ready.set()
            return
        loop, stop = asyncio.get_running_loop(), asyncio.Event()
        ready.set()
        try:
            await stop.wait()
        finally:
            await server.close()

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:
            errors.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=run, name="fault-server", daemon=True)
    thread.start()
    ready.wait()
    try:
        if errors:
            raise errors[0]
        yield server
    finally:
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
    if thread.is_alive():
        raise RuntimeError("the fault server's thread did not stop")
    if errors:
        raise errors[0]
