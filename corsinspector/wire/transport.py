"""A fast HTTP/1.1 transport for httpx that records every exchange exactly as it went on the wire.

httpx's default transport (httpcore) is slow on loopback and neither sends every header value
nor records the bytes that went out. :class:`WireTransport` keeps httpx's API: requests go
out byte for byte as given (:mod:`~corsinspector.wire.head`), over pooled asyncio streams
(:mod:`~corsinspector.wire.connection`), parsed back by h11 or, when h11 refuses a head, as
leniently as Chromium. Every failure is an httpx exception with its cause chained. Why and
how fast: docs/transport.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any, Final

import h11
import httpx

from corsinspector.origins import DEFAULT_PORTS
from corsinspector.wire.connection import (
    Connection,
    Origin,
    ResponseStream,
    StaleConnectionError,
    Trace,
    describe,
    emit,
    map_h11,
    silent_peer,
)
from corsinspector.wire.dial import dial_host
from corsinspector.wire.head import RequestHead, lenient_h11, shadow_request
from corsinspector.wire.tls import ssl_context, ssl_reason

__all__ = ["WireTransport"]

# StreamReader pauses the socket when 2 x limit bytes are buffered and unread.
_STREAM_LIMIT: Final = 256 * 1024
# A body at most this long goes out in the same write as the head.
_COALESCE: Final = 64 * 1024
_DEFAULT_PORTS: Final = {scheme: DEFAULT_PORTS[scheme] for scheme in ("http", "https")}
_VERSIONS: Final = {b"1.1": b"HTTP/1.1", b"1.0": b"HTTP/1.0"}
_END: Final = h11.EndOfMessage()
_NEED_DATA: Final = h11.NEED_DATA
_PAUSED: Final = h11.PAUSED
_DONE: Final = h11.DONE


class WireTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 for ``httpx.AsyncClient(transport=WireTransport())``; see docs/transport.md.

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
        self._idle: dict[Origin, list[Connection]] = {}
        self._active: set[Connection] = set()

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
        head = RequestHead(method, url.raw_path, sent_headers, request)
        try:
            shadow = shadow_request(method, head.connection, head.upgrade)
        except h11.LocalProtocolError as exc:  # a Connection or Upgrade value h11 refuses
            raise httpx.LocalProtocolError(describe(exc), request=request) from exc
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
                conn_left: Connection | None = conn
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
            except StaleConnectionError as exc:
                self._discard(conn)
                if body is not None:  # the body can be sent again: try a new connection
                    continue
                raise httpx.RemoteProtocolError(
                    "the server closed a kept-alive connection", request=request
                ) from exc.__cause__
            except BaseException as exc:
                self._discard(conn)
                mapped = map_h11(exc, request)
                if mapped is not None:
                    raise mapped from exc
                raise
            break

        return httpx.Response(
            event.status_code,
            headers=event.headers.raw_items(),
            stream=ResponseStream(self, conn_left, pending, request, trace),
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

    def _take_idle(self, origin: Origin) -> Connection | None:
        idle = self._idle.get(origin)
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
            conn.abort()
        return None

    def _release(self, conn: Connection) -> None:
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

    def _discard(self, conn: Connection) -> None:
        """A failed, cancelled or abandoned exchange: the connection closes at once."""
        self._active.discard(conn)
        conn.abort()

    # -- one exchange

    async def _connect(
        self, origin: Origin, request: httpx.Request, trace: Trace | None
    ) -> Connection:
        scheme, host, port = origin
        timeout = self._connect_timeout
        local = None if self._local_address is None else (self._local_address, 0)
        if trace is not None:
            await emit(
                trace,
                "connection.connect_tcp.started",
                {"host": host, "port": port, "local_address": self._local_address,
                 "timeout": timeout},
            )  # fmt: skip
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    dial_host(host), port, limit=_STREAM_LIMIT, local_addr=local
                )
        except (TimeoutError, OSError) as exc:
            error: httpx.HTTPError
            if isinstance(exc, TimeoutError):
                error = httpx.ConnectTimeout(
                    f"no connection to {host}:{port} within {timeout} s", request=request
                )
            else:
                error = httpx.ConnectError(
                    f"cannot connect to {host}:{port}: {describe(exc)}", request=request
                )
            if trace is not None:
                await emit(trace, "connection.connect_tcp.failed", {"exception": error})
            raise error from exc
        if trace is not None:
            await emit(trace, "connection.connect_tcp.complete", {"return_value": None})
        if scheme == "https":
            await self._start_tls(writer, host, port, request, trace)
        return Connection(origin, reader, writer, self._max_header_bytes, self._read_timeout)

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
                context = self._ssl = ssl_context(self._verify)
            except OSError as exc:  # ssl.SSLError too: a missing or unreadable CA bundle
                writer.transport.abort()
                raise httpx.ConnectError(
                    f"cannot use the CA certificates {self._verify!r}: {describe(exc)}",
                    request=request,
                ) from exc
        timeout = self._connect_timeout
        if trace is not None:
            await emit(
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
                f"TLS handshake with {host}:{port} failed: {ssl_reason(exc)}", request=request
            )
            cause = exc
        except TimeoutError as exc:
            error = httpx.ConnectTimeout(
                f"no TLS handshake with {host}:{port} within {timeout} s", request=request
            )
            cause = exc
        except OSError as exc:
            error = httpx.ConnectError(
                f"TLS handshake with {host}:{port} failed: {describe(exc)}", request=request
            )
            cause = exc
        except BaseException:
            writer.transport.abort()
            raise
        if error is not None:
            writer.transport.abort()
            if trace is not None:
                await emit(trace, "connection.start_tls.failed", {"exception": error})
            raise error from cause
        if trace is not None:
            await emit(trace, "connection.start_tls.complete", {"return_value": None})

    async def _send(
        self,
        conn: Connection,
        head: RequestHead,
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
            await emit(trace, "http11.send_request_headers.started", {"request": request})
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
                    await emit(trace, "http11.send_request_headers.complete", {})
                    await emit(trace, "http11.send_request_body.started", {"request": request})
                await conn.drain(timeout)
            else:
                writer.write(head.data)
                await conn.drain(timeout)
                if trace is not None:
                    await emit(trace, "http11.send_request_headers.complete", {})
                    await emit(trace, "http11.send_request_body.started", {"request": request})
                await self._send_stream(conn, head, stream, request)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(
                f"the server took nothing for {timeout} s", request=request
            ) from exc
        except OSError as exc:
            return exc
        if trace is not None:
            await emit(trace, "http11.send_request_body.complete", {})
        return None

    async def _send_stream(
        self, conn: Connection, head: RequestHead, stream: Any, request: httpx.Request
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
        conn: Connection,
        request: httpx.Request,
        trace: Trace | None,
        reused: bool,
        write_error: OSError | None,
        shadow: h11.Request,
    ) -> h11.Response | h11.InformationalResponse:
        if trace is not None:
            await emit(trace, "http11.receive_response_headers.started", {"request": request})
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
                    raise silent_peer(timeout, request) from exc
                except OSError as exc:
                    if not received and reused:
                        raise StaleConnectionError() from exc
                    if write_error is not None:
                        raise httpx.WriteError(
                            describe(write_error), request=request
                        ) from write_error
                    raise httpx.ReadError(describe(exc), request=request) from exc
                if not data and not received:
                    if reused:
                        raise StaleConnectionError() from write_error
                    if write_error is not None:
                        raise httpx.WriteError(
                            describe(write_error), request=request
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
                    next_event = lenient_h11(conn, joined, shadow, refused, self._max_header_bytes)
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
        except StaleConnectionError:
            raise
        except BaseException as exc:
            if trace is not None:
                mapped = map_h11(exc, request)
                await emit(
                    trace,
                    "http11.receive_response_headers.failed",
                    {"exception": mapped or exc},
                )
            raise
        if trace is not None:
            await emit(
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
