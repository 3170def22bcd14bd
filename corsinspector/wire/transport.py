"""A fast HTTP/1.1 transport for httpx that records every exchange exactly as it went on the wire.

Why it is hand-written
----------------------
CORS Inspector sends requests the way a browser does and shows each exchange byte for byte.
httpx's default transport (httpcore) is in the way on both counts:

- **Speed.** On this project's 2-core machine, for OPTIONS+GET pairs against a loopback
  server, a bare ``httpx.AsyncClient()`` reaches 0.07-0.12 of what raw asyncio sockets reach
  sequentially and under 0.01 with 50 concurrent tasks: on every request httpcore's pool
  re-checks every pooled connection with system calls (``getpeername``, a readability poll)
  and tries to import ``sniffio``, which is not installed. Through this transport the same
  client reaches about 0.16-0.31 sequentially and 0.12-0.15 at 50 tasks. What is left is
  mostly httpx's own client (about 75 us a request: a transport answering from memory stays
  under 0.4 of raw at 50 tasks) and h11's parsing (about 25 us). ``bench/transport_probe.py``
  measures all of it again.
- **Wire fidelity.** httpcore formats requests through h11, which refuses header values it
  considers illegal, and nothing records the bytes that went out. Here they are formatted in
  one place and handed back as they were written.

``WireTransport`` keeps httpx's public API for callers (it is an ``httpx.AsyncBaseTransport``)
and does the rest with as little Python per request as it can: the request bytes are formatted
here in one pass, **exactly** in the order and case of ``request.headers.raw`` (nothing added,
dropped, reordered or lower-cased); connections are plain ``asyncio.open_connection`` streams
(TLS with SNI and ALPN ``http/1.1`` through ``StreamWriter.start_tls``), pooled per
(scheme, host, port) in a list with no locks, no background tasks and no per-request task.

What h11 does for it
--------------------
h11 parses every response: the status line, the headers (their received case, order and
repeats come out of ``Headers.raw_items()``), the body framing (Content-Length, chunked,
read-until-close, no body for HEAD/204/304, skipping 1xx interim responses) and whether the
connection can carry another request. h11 never sees the real request bytes: it is told a
*shadow* request that carries only what its state machine needs (the method, and the
``Connection`` and ``Upgrade`` headers), and the bytes it formats for that are thrown away.
Its ``max_incomplete_event_size`` is set to ``max_header_bytes`` (256 KiB by default, as in
Chromium), and the size of a head that arrived whole in one read is checked here too.

What h11 normalizes in the recorded response headers: surrounding whitespace of values is
trimmed, a ``Transfer-Encoding`` value is lower-cased, and repeated identical
``Content-Length`` headers are folded into one.

As lenient as Chromium
----------------------
h11 refuses response heads that Chromium takes (a space before a header's colon, a line
without a colon, lines broken by CR alone, ``http/1.1``, a status line with extra spaces,
bytes before the status line …). Only when h11 refuses a head, the head is read again as
Chromium reads it (:func:`_chromium_head`) and h11 is fed that head rewritten in its
canonical form, so the recorded headers are the ones Chromium sees; the fast path is untouched.

Errors
------
Every failure is an httpx exception carrying the request, with the cause chained:

- refused, unreachable, DNS failure: ``httpx.ConnectError``; connect (or TLS handshake)
  slower than ``connect_timeout``: ``httpx.ConnectTimeout``;
- TLS failure: ``httpx.ConnectError`` whose message names the SSL reason
  (``certificate verify failed: self-signed certificate``), caused by the ``ssl.SSLError``;
- a peer silent for longer than ``read_timeout`` on one read: ``httpx.ReadTimeout``; a write
  blocked longer than ``write_timeout``: ``httpx.WriteTimeout``;
- the peer **closing** the connection (EOF) before or in the middle of a response:
  ``httpx.RemoteProtocolError``; the connection **reset** (``ECONNRESET``, or any other socket
  error while reading): ``httpx.ReadError``; a socket error while writing: ``httpx.WriteError``;
- HTTP that Chromium refuses too, or response headers larger than ``max_header_bytes``:
  ``httpx.RemoteProtocolError`` (``response headers too big`` for the latter);
- a request that cannot be put on the wire faithfully (CR, LF or NUL in the request line or a
  header, a body without Content-Length or ``Transfer-Encoding: chunked``, a body whose length
  differs from its Content-Length): ``httpx.LocalProtocolError``.

A request that finds a pooled connection already closed by the server (EOF or reset before a
single response byte) is sent once more on a new connection, as browsers do, when its body can
be replayed.

Timeouts come from the constructor; httpx's per-request ``timeout`` extension is not read.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import re
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any, Final

import h11
import httpx

__all__ = ["WireTransport"]

_READ_SIZE: Final = 256 * 1024
# StreamReader pauses the socket when 2 x limit bytes are buffered and unread.
_STREAM_LIMIT: Final = 256 * 1024
# A body at most this long goes out in the same write as the head.
_COALESCE: Final = 64 * 1024
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_VERSIONS: Final = {b"1.1": b"HTTP/1.1", b"1.0": b"HTTP/1.0"}
_END: Final = h11.EndOfMessage()
_NEED_DATA: Final = h11.NEED_DATA
_PAUSED: Final = h11.PAUSED
_DONE: Final = h11.DONE
_SHADOW_HOST: Final = (b"Host", b"_")
# Shadow requests by method, Connection and Upgrade values (h11 events are immutable).
_SHADOWS: dict[tuple[bytes, tuple[bytes, ...], tuple[bytes, ...]], h11.Request] = {}
_MAX_SHADOWS: Final = 64

Origin = tuple[str, str, int]
Trace = Callable[[str, dict[str, Any]], Any]


async def _emit(trace: Trace, name: str, info: dict[str, Any]) -> None:
    result = trace(name, info)
    if inspect.isawaitable(result):
        await result


def _shadow_request(method: bytes, connection: list[bytes], upgrade: list[bytes]) -> h11.Request:
    """The request h11 is told about: the method and what decides keep-alive and upgrades."""
    key = (method, tuple(connection), tuple(upgrade))
    shadow = _SHADOWS.get(key)
    if shadow is None:
        headers = [_SHADOW_HOST]
        headers += [(b"Connection", value) for value in connection]
        headers += [(b"Upgrade", value) for value in upgrade]
        shadow = h11.Request(method=method, target=b"/", headers=headers)
        if len(_SHADOWS) < _MAX_SHADOWS:
            _SHADOWS[key] = shadow
    return shadow


class _Head:
    """A request head formatted for the wire, with what the body framing needs to know."""

    __slots__ = ("chunked", "connection", "content_length", "data", "upgrade")

    def __init__(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        request: httpx.Request,
    ) -> None:
        lines = [b"%s %s HTTP/1.1\r\n" % (method, target)]
        append = lines.append
        content_length: int | None = None
        chunked = False
        connection: list[bytes] = []
        upgrade: list[bytes] = []
        for name, value in headers:
            append(b"%s: %s\r\n" % (name, value))
            # Only four names matter to the framing: look at names of their lengths alone.
            size = len(name)
            if size == 14 or size == 17 or size == 10 or size == 7:
                lower = name.lower()
                if lower == b"content-length":
                    try:
                        content_length = int(value)
                    except ValueError:
                        content_length = -1
                    if content_length < 0:
                        raise httpx.LocalProtocolError(
                            f"bad Content-Length {value!r}", request=request
                        )
                elif lower == b"transfer-encoding":  # chunked when it is the last coding
                    chunked = value.rsplit(b",", 1)[-1].strip().lower() == b"chunked"
                elif lower == b"connection":
                    connection.append(value)
                elif lower == b"upgrade":
                    upgrade.append(value)
        append(b"\r\n")
        data = b"".join(lines)
        lines_count = len(headers) + 2
        if data.count(b"\n") != lines_count or data.count(b"\r") != lines_count or b"\0" in data:
            raise httpx.LocalProtocolError(
                "CR, LF or NUL in the request line or a header", request=request
            )
        self.data = data
        self.content_length = content_length
        self.chunked = chunked
        self.connection = connection
        self.upgrade = upgrade


class _StaleConnectionError(Exception):
    """A reused connection turned out closed before any byte of the response."""


class _Connection:
    """One socket, its h11 state, and a lazy watchdog for the read timeout.

    ``asyncio.timeout`` around every read schedules and cancels a timer each time, a few
    microseconds that showed in the benchmark. Instead, one timer per connection fires at
    most once per ``read_timeout``: it cancels the reading task only if the read it finds
    has been waiting that long, and otherwise re-arms itself for that read's deadline (or
    stays off while the connection is idle). Reads just note the task and the time.
    """

    __slots__ = (
        "_loop",
        "_read_since",
        "_read_timeout",
        "_reader_task",
        "_timed_out",
        "_timer",
        "h11",
        "origin",
        "reader",
        "remote_address",
        "writer",
    )

    def __init__(
        self,
        origin: Origin,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        max_header_bytes: int,
        read_timeout: float | None,
    ) -> None:
        self.origin = origin
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=max_header_bytes)
        peer = writer.get_extra_info("peername")
        self.remote_address: tuple[str, int] = (
            (str(peer[0]), int(peer[1])) if peer else (origin[1], origin[2])
        )
        self._loop = asyncio.get_running_loop()
        self._read_timeout = read_timeout
        self._read_since = 0.0
        self._reader_task: asyncio.Task[Any] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timed_out = False

    def usable(self) -> bool:
        """Still open, with nothing unexpected from the server since its last response."""
        reader = self.reader
        return not (self.writer.transport.is_closing() or reader.at_eof() or reader.exception())

    async def read(self) -> bytes:
        """One read of at most ``read_timeout``; raises TimeoutError or OSError as they come."""
        timeout = self._read_timeout
        if timeout is None:
            return await self.reader.read(_READ_SIZE)
        loop = self._loop
        task = asyncio.current_task(loop)
        assert task is not None
        cancelling = task.cancelling()
        self._reader_task = task
        self._read_since = since = loop.time()
        if self._timer is None:
            self._timer = loop.call_at(since + timeout, self._watch)
        try:
            return await self.reader.read(_READ_SIZE)
        except asyncio.CancelledError:
            if self._timed_out:
                self._timed_out = False
                if task.uncancel() <= cancelling:  # our cancel alone: a timeout
                    raise TimeoutError from None
            raise
        finally:
            self._reader_task = None

    def _watch(self) -> None:
        self._timer = None
        task = self._reader_task
        if task is None:  # idle: the next read arms the watchdog again
            return
        assert self._read_timeout is not None
        due = self._read_since + self._read_timeout
        if self._loop.time() >= due:
            self._timed_out = True
            task.cancel()
        else:
            self._timer = self._loop.call_at(due, self._watch)

    async def drain(self, seconds: float | None) -> None:
        """Waits (at most ``seconds``) for the socket to take what was written, if needed."""
        writer = self.writer
        if not writer.transport.get_write_buffer_size():
            return
        if seconds is None:
            await writer.drain()
            return
        async with asyncio.timeout(seconds):
            await writer.drain()

    def abort(self) -> None:
        self._stop_watch()
        self.writer.transport.abort()

    def close(self) -> None:
        self._stop_watch()
        self.writer.transport.close()

    def _stop_watch(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class _ResponseStream(httpx.AsyncByteStream):
    """The body as it arrives: one chunk per read, never the whole body in memory.

    ``pending`` holds the body bytes that came in the same read as the head (often the whole
    body); ``conn`` is None when the body is already complete and its connection released.
    """

    __slots__ = ("_conn", "_pending", "_request", "_state", "_trace", "_transport")

    def __init__(
        self,
        transport: WireTransport,
        conn: _Connection | None,
        pending: list[bytes],
        request: httpx.Request,
        trace: Trace | None,
    ) -> None:
        self._transport = transport
        self._conn = conn
        self._pending = pending
        self._request = request
        self._trace = trace
        self._state = 0  # 0: unread, 1: being read or read, 2: closed

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._state:
            raise httpx.StreamConsumed() if self._state == 1 else httpx.StreamClosed()
        self._state = 1
        trace = self._trace
        request = self._request
        if trace is not None:
            await _emit(trace, "http11.receive_response_body.started", {"request": request})
        pending = self._pending
        conn = self._conn
        if conn is None:  # the whole body is here
            for chunk in pending:
                yield chunk
            if trace is not None:
                await _emit(trace, "http11.receive_response_body.complete", {"return_value": None})
            return
        transport = self._transport
        timeout = transport._read_timeout
        h = conn.h11
        try:
            for chunk in pending:
                yield chunk
            pending.clear()
            while True:
                event = h.next_event()
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif event is _NEED_DATA:
                    try:
                        data = await conn.read()
                    except TimeoutError as exc:
                        raise _silent_peer(timeout, request) from exc
                    except OSError as exc:
                        raise httpx.ReadError(_describe(exc), request=request) from exc
                    h.receive_data(data)
                elif isinstance(event, h11.EndOfMessage) or event is _PAUSED:
                    break
                else:
                    raise httpx.RemoteProtocolError(
                        f"unexpected {type(event).__name__} in the response body",
                        request=request,
                    )
        except GeneratorExit:
            self._conn = None
            transport._discard(conn)
            raise
        except BaseException as exc:
            self._conn = None
            transport._discard(conn)
            mapped = _map_h11(exc, request)
            if trace is not None:
                await _emit(
                    trace, "http11.receive_response_body.failed", {"exception": mapped or exc}
                )
            if mapped is not None:
                raise mapped from exc
            raise
        self._conn = None
        transport._release(conn)
        if trace is not None:
            await _emit(trace, "http11.receive_response_body.complete", {"return_value": None})

    async def aclose(self) -> None:
        trace = self._trace
        if trace is not None:
            await _emit(trace, "http11.response_closed.started", {})
        self._state = 2
        conn = self._conn
        if conn is not None:  # closed before its body was read: the connection goes too
            self._conn = None
            self._transport._discard(conn)
        if trace is not None:
            await _emit(trace, "http11.response_closed.complete", {"return_value": None})


def _silent_peer(timeout: float | None, request: httpx.Request) -> httpx.ReadTimeout:
    """The error for a peer that sent nothing for a whole read timeout."""
    return httpx.ReadTimeout(f"the server sent nothing for {timeout} s", request=request)


def _dial_host(host: str) -> str:
    """Where to connect for ``host``: browsers resolve ``*.localhost`` to loopback themselves
    (RFC 6761), whatever the system resolver says; the URL and Host header stay as typed."""
    lower = host.lower().rstrip(".")
    return "localhost" if lower.endswith(".localhost") else host


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _map_h11(exc: BaseException, request: httpx.Request) -> httpx.HTTPError | None:
    if isinstance(exc, h11.RemoteProtocolError):
        if exc.error_status_hint == 431:
            return httpx.RemoteProtocolError("response headers too big", request=request)
        return httpx.RemoteProtocolError(_describe(exc), request=request)
    if isinstance(exc, h11.LocalProtocolError):
        return httpx.LocalProtocolError(_describe(exc), request=request)
    return None


_HEAD_END = re.compile(rb"\n\r?\n")
_LINE_BREAKS = re.compile(rb"[\r\n]+")
_VERSION = re.compile(rb"(?i)HTTP/(\d)\.(\d)")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CODE = re.compile(rb" *(\d*) *")
_LWS = b" \t"


def _chromium_head(data: bytes) -> tuple[bytes, int] | None:
    """A response head h11 refused, read as Chromium reads it, rewritten in the canonical
    form h11 takes, with where the body starts in ``data``.

    As ``HttpUtil::AssembleRawHeaders``, ``HeadersIterator`` and ``ParseStatusLine`` do (and
    the embedded Chromium 140 showed): "HTTP" in any case; a status line without a reason,
    or with several spaces; lines broken by CR or LF alone; a line starting with whitespace
    continues a header line (else it is dropped); a line without a colon, or whose name is
    not a token, is skipped; whitespace around the name is trimmed. Refused: NUL in the head,
    "HTTP" further than 4 bytes in. Raises ValueError for a head Chromium refuses; None:
    the head is not complete yet.
    """
    start = 0
    while True:  # 1xx interim heads are skipped, as h11 and Chromium do
        if len(data) - start < 9:  # "HTTP/1.1" and a line break, at least
            return None
        # Chromium looks for the status line in the first bytes, whatever precedes it.
        offset = data[start : start + 8].lower().find(b"http")
        if offset < 0:
            raise ValueError("no status line")
        start += offset
        end_match = _HEAD_END.search(data, start)
        if end_match is None:
            return None
        if b"\0" in data[start : end_match.start()]:
            raise ValueError("NUL in the head")
        lines = _LINE_BREAKS.split(data[start : end_match.start()])
        version = _VERSION.match(lines[0])
        if version is None:
            raise ValueError("no HTTP version")
        space = lines[0].find(b" ")
        code, reason = b"", b""
        if space >= 0:
            after = _CODE.match(lines[0], space)
            assert after is not None  # the pattern matches any text
            code, reason = after.group(1), lines[0][after.end() :].rstrip(b" ")
        if not code:
            code = b"200"  # Chromium's default for a status line without a code
        elif len(code) != 3 or code[0] == 0x30:  # h11 frames only 100-999 (Chromium any)
            raise ValueError("a status outside 100-999")
        start = end_match.end()
        if code[0] == 0x31 and code != b"101":
            continue
        # The raw lines joined as AssembleRawHeaders joins them: a continuation goes on
        # the line before when that line has a colon after a non-empty name.
        assembled: list[bytes] = []
        continuable = False
        for line in lines[1:]:
            if not line:
                continue
            if continuable and line[0] in _LWS:
                assembled[-1] += b" " + line.lstrip(_LWS)
                continue
            assembled.append(line)
            colon = line.find(b":")
            continuable = colon > 0 and line[0] not in _LWS
        out = [
            b"HTTP/%s %s %s\r\n"
            % (b"1.1" if version.groups() >= (b"1", b"1") else b"1.0", code, reason)
        ]
        for line in assembled:
            name, colon, value = line.partition(b":")
            if colon and name and name[0] not in _LWS:
                name = name.strip(_LWS)
                if _TOKEN.fullmatch(name) is not None:
                    out.append(b"%s: %s\r\n" % (name, value.strip(_LWS)))
        out.append(b"\r\n")
        return b"".join(out), start


def _lenient_h11(
    conn: _Connection, data: bytes, shadow: h11.Request, error: h11.RemoteProtocolError, limit: int
) -> Any:
    """Gives ``conn`` a new h11 state fed the head as Chromium reads it, then the rest of
    ``data``, and returns its first event (NEED_DATA while the head is incomplete); raises
    ``error`` when Chromium refuses the head too."""
    try:
        lenient = _chromium_head(data)
    except ValueError:
        raise error from None
    if lenient is None:
        return _NEED_DATA
    head, body_start = lenient
    h = conn.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=limit)
    h.send(shadow)
    h.send(_END)
    h.receive_data(head + data[body_start:])
    try:
        return h.next_event()
    except h11.RemoteProtocolError:  # a head Chromium takes but h11 cannot, even rewritten
        raise error from None


def _ssl_reason(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message}"
    return _describe(exc)


def _ssl_context(verify: bool | str | ssl.SSLContext) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, str):  # a CA bundle file, or a folder of hashed certificates
        if os.path.isdir(verify):
            context = ssl.create_default_context(capath=verify)
        else:
            context = ssl.create_default_context(cafile=verify)
    else:
        context = ssl.create_default_context()
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["http/1.1"])
    return context


class WireTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 for ``httpx.AsyncClient(transport=WireTransport())``; see the module docstring.

    Each response carries in ``response.extensions``: ``http_version`` (``b"HTTP/1.1"``),
    ``reason_phrase`` (bytes), ``sent_headers`` (the request headers exactly as written),
    ``remote_address`` (the peer socket's ``(host, port)``) and ``connection_reused``.
    Its headers are the received ``(name, value)`` byte pairs, in order, repeats kept.
    """

    def __init__(
        self,
        *,
        verify: bool | str | ssl.SSLContext = True,
        connect_timeout: float | None = 10.0,
        read_timeout: float | None = 30.0,
        write_timeout: float | None = 30.0,
        max_header_bytes: int = 256 * 1024,
        max_idle_per_origin: int = 64,
        local_address: str | None = None,
    ) -> None:
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None  # made on the first https request
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._max_header_bytes = max_header_bytes
        self._max_idle = max_idle_per_origin
        self._local_address = local_address
        self._idle: dict[Origin, list[_Connection]] = {}
        self._active: set[_Connection] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        default_port = _DEFAULT_PORTS.get(scheme)
        if default_port is None:
            raise httpx.UnsupportedProtocol(
                f"{scheme!r} is not http or https: {url}", request=request
            )
        origin: Origin = (scheme, url.raw_host.decode("ascii"), url.port or default_port)
        method = request.method.encode("ascii")
        sent_headers = request.headers.raw
        head = _Head(method, url.raw_path, sent_headers, request)
        try:
            shadow = _shadow_request(method, head.connection, head.upgrade)
        except h11.LocalProtocolError as exc:  # a Connection or Upgrade value h11 refuses
            raise httpx.LocalProtocolError(_describe(exc), request=request) from exc
        stream = request.stream
        body: bytes | None = request.content if isinstance(stream, httpx.ByteStream) else None
        if body is None and not isinstance(stream, httpx.AsyncByteStream):
            raise TypeError("WireTransport needs an async request stream")
        trace: Trace | None = request.extensions.get("trace")

        while True:
            conn = self._take_idle(origin)
            reused = conn is not None
            if conn is None:
                conn = await self._connect(origin, request, trace)
            self._active.add(conn)
            try:
                h = conn.h11
                h.send(shadow)
                h.send(_END)
                write_error = await self._send(conn, head, body, stream, request, trace)
                event = await self._receive_head(conn, request, trace, reused, write_error, shadow)
                h = conn.h11  # a new one when the head needed Chromium's leniency
                # Parse what came in the same read: often the whole body.
                pending: list[bytes] = []
                conn_left: _Connection | None = conn
                while True:
                    next_event = h.next_event()
                    if isinstance(next_event, h11.Data):
                        pending.append(bytes(next_event.data))
                    elif next_event is _NEED_DATA:
                        break
                    elif isinstance(next_event, h11.EndOfMessage) or next_event is _PAUSED:
                        self._release(conn)
                        conn_left = None
                        break
                    else:
                        raise httpx.RemoteProtocolError(
                            f"unexpected {type(next_event).__name__} in the response body",
                            request=request,
                        )
            except _StaleConnectionError as exc:
                self._discard(conn)
                if body is not None:  # the body can be sent again: try a new connection
                    continue
                raise httpx.RemoteProtocolError(
                    "the server closed a kept-alive connection", request=request
                ) from exc.__cause__
            except BaseException as exc:
                self._discard(conn)
                mapped = _map_h11(exc, request)
                if mapped is not None:
                    raise mapped from exc
                raise
            break

        return httpx.Response(
            event.status_code,
            headers=event.headers.raw_items(),
            stream=_ResponseStream(self, conn_left, pending, request, trace),
            extensions={
                "http_version": _VERSIONS.get(event.http_version) or b"HTTP/" + event.http_version,
                "reason_phrase": event.reason,
                "sent_headers": sent_headers,
                "remote_address": conn.remote_address,
                "connection_reused": reused,
            },
        )

    async def aclose(self) -> None:
        """Closes every connection, idle or carrying a response, and waits for the sockets."""
        connections = [conn for idle in self._idle.values() for conn in idle]
        connections += self._active
        self._idle.clear()
        self._active.clear()
        for conn in connections:
            conn.abort()
        for conn in connections:
            with contextlib.suppress(OSError):  # how it was lost earlier does not matter now
                await conn.writer.wait_closed()

    # -- the pool

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
            conn.abort()
        return None

    def _release(self, conn: _Connection) -> None:
        """The response was read to its end: keep the connection if HTTP allows it."""
        self._active.discard(conn)
        h = conn.h11
        if h.our_state is _DONE and h.their_state is _DONE and not h.trailing_data[0]:
            idle = self._idle.get(conn.origin)
            if idle is None:
                idle = self._idle[conn.origin] = []
            if len(idle) < self._max_idle and conn.usable():
                h.start_next_cycle()
                idle.append(conn)
                return
        conn.close()

    def _discard(self, conn: _Connection) -> None:
        """A failed, cancelled or abandoned exchange: the connection closes at once."""
        self._active.discard(conn)
        conn.abort()

    # -- one exchange

    async def _connect(
        self, origin: Origin, request: httpx.Request, trace: Trace | None
    ) -> _Connection:
        scheme, host, port = origin
        timeout = self._connect_timeout
        local = None if self._local_address is None else (self._local_address, 0)
        if trace is not None:
            await _emit(
                trace,
                "connection.connect_tcp.started",
                {"host": host, "port": port, "local_address": self._local_address,
                 "timeout": timeout},
            )  # fmt: skip
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    _dial_host(host), port, limit=_STREAM_LIMIT, local_addr=local
                )
        except (TimeoutError, OSError) as exc:
            error: httpx.HTTPError
            if isinstance(exc, TimeoutError):
                error = httpx.ConnectTimeout(
                    f"no connection to {host}:{port} within {timeout} s", request=request
                )
            else:
                error = httpx.ConnectError(
                    f"cannot connect to {host}:{port}: {_describe(exc)}", request=request
                )
            if trace is not None:
                await _emit(trace, "connection.connect_tcp.failed", {"exception": error})
            raise error from exc
        if trace is not None:
            await _emit(trace, "connection.connect_tcp.complete", {"return_value": None})
        if scheme == "https":
            await self._start_tls(writer, host, port, request, trace)
        return _Connection(origin, reader, writer, self._max_header_bytes, self._read_timeout)

    async def _start_tls(
        self,
        writer: asyncio.StreamWriter,
        host: str,
        port: int,
        request: httpx.Request,
        trace: Trace | None,
    ) -> None:
        context = self._ssl
        if context is None:
            try:
                context = self._ssl = _ssl_context(self._verify)
            except OSError as exc:  # ssl.SSLError too: a missing or unreadable CA bundle
                writer.transport.abort()
                raise httpx.ConnectError(
                    f"cannot use the CA certificates {self._verify!r}: {_describe(exc)}",
                    request=request,
                ) from exc
        timeout = self._connect_timeout
        if trace is not None:
            await _emit(
                trace,
                "connection.start_tls.started",
                {"ssl_context": context, "server_hostname": host, "timeout": timeout},
            )
        error: httpx.HTTPError | None = None
        cause: BaseException | None = None
        try:
            async with asyncio.timeout(timeout):
                await writer.start_tls(context, server_hostname=host)
        except ssl.SSLError as exc:
            error = httpx.ConnectError(
                f"TLS handshake with {host}:{port} failed: {_ssl_reason(exc)}", request=request
            )
            cause = exc
        except TimeoutError as exc:
            error = httpx.ConnectTimeout(
                f"no TLS handshake with {host}:{port} within {timeout} s", request=request
            )
            cause = exc
        except OSError as exc:
            error = httpx.ConnectError(
                f"TLS handshake with {host}:{port} failed: {_describe(exc)}", request=request
            )
            cause = exc
        except BaseException:
            writer.transport.abort()
            raise
        if error is not None:
            writer.transport.abort()
            if trace is not None:
                await _emit(trace, "connection.start_tls.failed", {"exception": error})
            raise error from cause
        if trace is not None:
            await _emit(trace, "connection.start_tls.complete", {"return_value": None})

    async def _send(
        self,
        conn: _Connection,
        head: _Head,
        body: bytes | None,
        stream: Any,
        request: httpx.Request,
        trace: Trace | None,
    ) -> OSError | None:
        """Writes the request; returns a socket error instead of raising it, so that the
        server's answer (sent before it closed) can still be read."""
        writer = conn.writer
        timeout = self._write_timeout
        if trace is not None:
            await _emit(trace, "http11.send_request_headers.started", {"request": request})
        try:
            if body is not None:
                if head.chunked and body:
                    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
                elif head.chunked:
                    body = b"0\r\n\r\n"
                elif body and (head.content_length is None or head.content_length != len(body)):
                    raise httpx.LocalProtocolError(
                        f"a body of {len(body)} bytes with Content-Length {head.content_length}",
                        request=request,
                    )
                if len(body) <= _COALESCE:
                    writer.write(head.data + body if body else head.data)
                else:
                    writer.write(head.data)
                    writer.write(body)
                if trace is not None:
                    await _emit(trace, "http11.send_request_headers.complete", {})
                    await _emit(trace, "http11.send_request_body.started", {"request": request})
                await conn.drain(timeout)
            else:
                writer.write(head.data)
                await conn.drain(timeout)
                if trace is not None:
                    await _emit(trace, "http11.send_request_headers.complete", {})
                    await _emit(trace, "http11.send_request_body.started", {"request": request})
                await self._send_stream(conn, head, stream, request)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(
                f"the server took nothing for {timeout} s", request=request
            ) from exc
        except OSError as exc:
            return exc
        if trace is not None:
            await _emit(trace, "http11.send_request_body.complete", {})
        return None

    async def _send_stream(
        self, conn: _Connection, head: _Head, stream: Any, request: httpx.Request
    ) -> None:
        writer = conn.writer
        timeout = self._write_timeout
        chunked = head.chunked
        expected = head.content_length
        sent = 0
        async for chunk in stream:
            if not chunk:
                continue
            sent += len(chunk)
            if chunked:
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            elif expected is None or sent > expected:
                raise httpx.LocalProtocolError(
                    "the request body is longer than its Content-Length"
                    if expected is not None
                    else "a request body needs Content-Length or Transfer-Encoding: chunked",
                    request=request,
                )
            else:
                writer.write(chunk)
            await conn.drain(timeout)
        if chunked:
            writer.write(b"0\r\n\r\n")
            await conn.drain(timeout)
        elif expected is not None and sent != expected:
            raise httpx.LocalProtocolError(
                f"the request body has {sent} bytes, its Content-Length says {expected}",
                request=request,
            )

    async def _receive_head(
        self,
        conn: _Connection,
        request: httpx.Request,
        trace: Trace | None,
        reused: bool,
        write_error: OSError | None,
        shadow: h11.Request,
    ) -> h11.Response | h11.InformationalResponse:
        if trace is not None:
            await _emit(trace, "http11.receive_response_headers.started", {"request": request})
        h = conn.h11
        timeout = self._read_timeout
        received = 0
        chunks: list[bytes] = []  # the raw head, for a second reading if h11 refuses it
        refused: h11.RemoteProtocolError | None = None
        event: h11.Response | h11.InformationalResponse
        try:
            while True:  # a cycle starts with h11's buffer empty: read first
                try:
                    data = await conn.read()
                except TimeoutError as exc:
                    raise _silent_peer(timeout, request) from exc
                except OSError as exc:
                    if not received and reused:
                        raise _StaleConnectionError() from exc
                    if write_error is not None:
                        raise httpx.WriteError(
                            _describe(write_error), request=request
                        ) from write_error
                    raise httpx.ReadError(_describe(exc), request=request) from exc
                if not data and not received:
                    if reused:
                        raise _StaleConnectionError() from write_error
                    if write_error is not None:
                        raise httpx.WriteError(
                            _describe(write_error), request=request
                        ) from write_error
                    raise httpx.RemoteProtocolError(
                        "the server closed the connection without sending a response",
                        request=request,
                    )
                received += len(data)
                chunks.append(data)
                if refused is None:
                    h.receive_data(data)
                    try:
                        next_event = h.next_event()
                        # 1xx interim responses (100 Continue, 103 Early Hints) are skipped;
                        # a 101 to an Upgrade is the final answer.
                        while (
                            isinstance(next_event, h11.InformationalResponse)
                            and next_event.status_code != 101
                        ):
                            next_event = h.next_event()
                    except h11.RemoteProtocolError as exc:
                        if exc.error_status_hint == 431:
                            raise
                        refused = exc
                if refused is not None:  # read as Chromium reads it, once it is complete
                    if not data or received > self._max_header_bytes:
                        raise refused
                    joined = b"".join(chunks)
                    next_event = _lenient_h11(conn, joined, shadow, refused, self._max_header_bytes)
                    h = conn.h11
                if isinstance(next_event, h11.Response | h11.InformationalResponse):
                    event = next_event
                    break
                if next_event is not _NEED_DATA:
                    raise httpx.RemoteProtocolError(
                        f"unexpected {type(next_event).__name__} before the response",
                        request=request,
                    )
            # A head whose end came in the same read as its limit-crossing part was not
            # measured by h11: measure it here (rare, so the copy in trailing_data is fine).
            limit = self._max_header_bytes
            if received > limit and received - len(h.trailing_data[0]) > limit:
                raise httpx.RemoteProtocolError("response headers too big", request=request)
        except _StaleConnectionError:
            raise
        except BaseException as exc:
            if trace is not None:
                mapped = _map_h11(exc, request)
                await _emit(
                    trace,
                    "http11.receive_response_headers.failed",
                    {"exception": mapped or exc},
                )
            raise
        if trace is not None:
            await _emit(
                trace,
                "http11.receive_response_headers.complete",
                {
                    "return_value": (
                        event.http_version,
                        event.status_code,
                        event.reason,
                        event.headers.raw_items(),
                    )
                },
            )
        return event
