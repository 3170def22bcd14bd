"""One pooled HTTP/1.1 connection (an asyncio stream and its h11 state) and a response body
streamed from it; the trace events and the httpx errors they share with the transport."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any, Final, Protocol

import h11
import httpx

__all__ = [
    "Connection",
    "Origin",
    "Pool",
    "ResponseStream",
    "StaleConnectionError",
    "Trace",
    "describe",
    "emit",
    "map_h11",
    "silent_peer",
]

_READ_SIZE: Final = 256 * 1024
_NEED_DATA: Final = h11.NEED_DATA
_PAUSED: Final = h11.PAUSED

Origin = tuple[str, str, int]
Trace = Callable[[str, dict[str, Any]], Any]


async def emit(trace: Trace, name: str, info: dict[str, Any]) -> None:
    result = trace(name, info)
    if inspect.isawaitable(result):
        await result


class StaleConnectionError(Exception):
    """A reused connection turned out closed before any byte of the response."""


class Connection:
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


class Pool(Protocol):
    """What a response stream needs from its transport: the connection back when done."""

    _read_timeout: float | None

    def _release(self, conn: Connection) -> None: ...

    def _discard(self, conn: Connection) -> None: ...


class ResponseStream(httpx.AsyncByteStream):
    """The body as it arrives: one chunk per read, never the whole body in memory.

    ``pending`` holds the body bytes that came in the same read as the head (often the whole
    body); ``conn`` is None when the body is already complete and its connection released.
    """

    __slots__ = ("_conn", "_pending", "_request", "_state", "_trace", "_transport")

    def __init__(
        self,
        transport: Pool,
        conn: Connection | None,
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
            await emit(trace, "http11.receive_response_body.started", {"request": request})
        pending = self._pending
        conn = self._conn
        if conn is None:  # the whole body is here
            for chunk in pending:
                yield chunk
            if trace is not None:
                await emit(trace, "http11.receive_response_body.complete", {"return_value": None})
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
                        raise silent_peer(timeout, request) from exc
                    except OSError as exc:
                        raise httpx.ReadError(describe(exc), request=request) from exc
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
            mapped = map_h11(exc, request)
            if trace is not None:
                await emit(
                    trace, "http11.receive_response_body.failed", {"exception": mapped or exc}
                )
            if mapped is not None:
                raise mapped from exc
            raise
        self._conn = None
        transport._release(conn)
        if trace is not None:
            await emit(trace, "http11.receive_response_body.complete", {"return_value": None})

    async def aclose(self) -> None:
        trace = self._trace
        if trace is not None:
            await emit(trace, "http11.response_closed.started", {})
        self._state = 2
        conn = self._conn
        if conn is not None:  # closed before its body was read: the connection goes too
            self._conn = None
            self._transport._discard(conn)
        if trace is not None:
            await emit(trace, "http11.response_closed.complete", {"return_value": None})


def silent_peer(timeout: float | None, request: httpx.Request) -> httpx.ReadTimeout:
    """The error for a peer that sent nothing for a whole read timeout."""
    return httpx.ReadTimeout(f"the server sent nothing for {timeout} s", request=request)


def describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def map_h11(exc: BaseException, request: httpx.Request) -> httpx.HTTPError | None:
    if isinstance(exc, h11.RemoteProtocolError):
        if exc.error_status_hint == 431:
            return httpx.RemoteProtocolError("response headers too big", request=request)
        return httpx.RemoteProtocolError(describe(exc), request=request)
    if isinstance(exc, h11.LocalProtocolError):
        return httpx.LocalProtocolError(describe(exc), request=request)
    return None
