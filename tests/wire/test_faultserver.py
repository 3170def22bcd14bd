"""The fault server itself, watched from a raw client: each misbehaviour is what it says."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from tests.faultserver import (
    HUGE_BODY_SIZE,
    FaultServer,
    fault_server_in_thread,
    refused_url,
)

pytestmark = pytest.mark.integration

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def _run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Runs ``test`` on a fresh loop; whatever the loop would have logged is a failure."""
    problems: list[dict[str, Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: problems.append(ctx))
        async with asyncio.timeout(5):
            await test()

    asyncio.run(main())
    gc.collect()  # "Task was destroyed but it is pending" shows up on collection
    assert problems == []


async def _connect(server: FaultServer, limit: int = 1 << 16) -> Streams:
    return await asyncio.open_connection("127.0.0.1", server.port, limit=limit)


async def _request(server: FaultServer, head: bytes) -> Streams:
    reader, writer = await _connect(server)
    writer.write(head)
    await writer.drain()
    return reader, writer


def _get(path: str, method: str = "GET", extra: str = "") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n".encode()


async def _response(
    reader: asyncio.StreamReader, *, to_head: bool = False
) -> tuple[str, dict[str, str], bytes]:
    """One whole response with a Content-Length (or none): status line, headers, body."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status, *lines = head[:-4].split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (x.partition(":") for x in lines)}
    if to_head:
        return status, headers, b""
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):  # the server reset it
        await writer.wait_closed()


async def _read_to_end(reader: asyncio.StreamReader) -> bytes:
    """Everything until the server closes the connection, whether with a FIN or a reset."""
    data = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := await reader.read(1 << 20):
            data += chunk
    return data


async def _eventually(check: Callable[[], bool], within: float = 1.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        assert loop.time() < deadline, "not within time"
        await asyncio.sleep(0.01)


def _no_other_task() -> bool:
    return asyncio.all_tasks() == {asyncio.current_task()}


# --- well-behaved paths ---------------------------------------------------------------------


def test_ok_keeps_the_connection_alive() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            assert server.base_url == f"http://127.0.0.1:{server.port}"
            reader, writer = await _request(server, _get("/ok?x=1"))
            first = await _response(reader)
            writer.write(_get("/ok", "POST", "Content-Length: 5\r\n") + b"hello")
            second = await _response(reader)
            writer.write(
                _get("/ok", "PUT", "Transfer-Encoding: chunked\r\n") + b"3\r\nabc\r\n0\r\n\r\n"
            )
            third = await _response(reader)
            writer.write(_get("/ok", "HEAD"))
            head_only = await _response(reader, to_head=True)
            writer.write(_get("/ok"))
            fourth = await _response(reader)
            assert server.open_connections == 1
            await _close(writer)
            await _eventually(lambda: server.open_connections == 0)
            assert server.requests_seen == [
                ("GET", "/ok"),
                ("POST", "/ok"),
                ("PUT", "/ok"),
                ("HEAD", "/ok"),
                ("GET", "/ok"),
            ]
        for status, headers, body in (first, second, third, fourth):
            assert (status, headers["access-control-allow-origin"], body) == (
                "HTTP/1.1 200 OK",
                "*",
                b"ok",
            )
            assert headers["content-length"] == "2"
        assert (head_only[0], head_only[1]["content-length"]) == ("HTTP/1.1 200 OK", "2")

    _run(test)


def test_connection_close_is_honoured() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            reader, writer = await _request(server, _get("/ok", extra="Connection: close\r\n"))
            _status, headers, body = await _response(reader)
            assert (headers["connection"], body, await reader.read()) == ("close", b"ok", b"")
            await _close(writer)

    _run(test)


def test_preflight_ok() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            reader, writer = await _request(server, _get("/preflight-ok", "OPTIONS"))
            status, headers, body = await _response(reader)
            assert (status, body) == ("HTTP/1.1 204 No Content", b"")
            assert "content-length" not in headers
            assert headers["access-control-allow-origin"] == "*"
            assert headers["access-control-allow-methods"] == "PUT, DELETE, PATCH"
            assert headers["access-control-allow-headers"] == "*"
            writer.write(_get("/preflight-ok", "PUT", "Content-Length: 2\r\n") + b"{}")
            status, headers, body = await _response(reader)
            assert (status, headers["access-control-allow-origin"], body) == (
                "HTTP/1.1 200 OK",
                "*",
                b"ok",
            )
            await _close(writer)

    _run(test)


def test_slow_ok_waits_the_given_milliseconds() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            started = time.monotonic()
            reader, writer = await _request(server, _get("/slow-ok?ms=300"))
            status, _headers, body = await _response(reader)
            elapsed = time.monotonic() - started
            assert (status, body) == ("HTTP/1.1 200 OK", b"ok")
            assert 0.3 <= elapsed < 1.0
            assert server.requests_seen == [("GET", "/slow-ok")]
            await _close(writer)

    _run(test)


def test_unknown_path_is_404_and_bad_request_is_400() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            reader, writer = await _request(server, _get("/nowhere"))
            status, headers, _body = await _response(reader)
            assert (status, headers["access-control-allow-origin"]) == (
                "HTTP/1.1 404 Not Found",
                "*",
            )
            writer.write(b"NONSENSE\r\n\r\n")
            status, headers, _body = await _response(reader)
            assert (status, headers["connection"]) == ("HTTP/1.1 400 Bad Request", "close")
            assert await reader.read() == b""
            await _close(writer)

    _run(test)


def test_redirect_loop_points_at_itself_forever() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            reader, writer = await _connect(server)
            for _ in range(5):
                writer.write(_get("/redirect-loop"))
                status, headers, _body = await _response(reader)
                assert (status, headers["location"], headers["access-control-allow-origin"]) == (
                    "HTTP/1.1 302 Found",
                    "/redirect-loop",
                    "*",
                )
            assert server.requests_seen == [("GET", "/redirect-loop")] * 5
            await _close(writer)

    _run(test)


# --- faults ---------------------------------------------------------------------------------


def test_reset_mid_header_resets() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            reader, writer = await _request(server, _get("/reset-mid-header"))
            received = b""
            with pytest.raises(ConnectionResetError):  # noqa: PT012 - partial bytes may come first
                while chunk := await reader.read(100):
                    received += chunk
            # The partial head may be seen before the reset, or lost with it.
            assert b"HTTP/1.1 200 OK\r\nX-Partial: ".startswith(received)
            await _close(writer)
            await _eventually(lambda: server.open_connections == 0)

    _run(test)


def test_hang_sends_nothing_until_the_client_leaves() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            reader, writer = await _request(server, _get("/hang"))
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.5):
                    await reader.read(1)
            assert server.requests_seen == [("GET", "/hang")]
            assert server.open_connections == 1
            await _close(writer)
            await _eventually(lambda: server.open_connections == 0)

    _run(test)


def test_garbage_is_not_http() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            reader, writer = await _request(server, _get("/garbage"))
            assert await reader.read() == b"this is not http\r\n\r\n"
            await _close(writer)

    _run(test)


def test_many_headers() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            reader, writer = await _connect(server, limit=1 << 20)  # the head is ~160 KB
            writer.write(_get("/many-headers"))
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            assert lines[0] == b"HTTP/1.1 200 OK"
            assert sum(line.startswith(b"X-H-") for line in lines) >= 10_000
            assert b"X-H-9999: 9999" in lines
            assert b"Content-Length: 0" in lines
            assert b"Access-Control-Allow-Origin: *" in lines
            writer.write(_get("/ok"))  # the connection is still good
            assert (await _response(reader))[2] == b"ok"
            await _close(writer)

    _run(test)


def test_huge_body_streams_with_backpressure_and_stops_when_the_client_leaves() -> None:
    async def test() -> None:
        tracemalloc.start()
        try:
            async with FaultServer() as server:
                reader, writer = await _request(server, _get("/huge-body"))
                head = await reader.readuntil(b"\r\n\r\n")
                assert b"\r\nContent-Length: %d\r\n" % HUGE_BODY_SIZE in head
                assert b"\r\nAccess-Control-Allow-Origin: *\r\n" in head
                received = 0
                while received < 10_000_000:
                    chunk = await reader.read(1 << 16)
                    assert chunk
                    assert not chunk.strip(b"\0")
                    received += len(chunk)
                _current, peak = tracemalloc.get_traced_memory()
                await _close(writer)
                await _eventually(lambda: server.open_connections == 0)
        finally:
            tracemalloc.stop()
        assert peak < 4_000_000  # both ends together; the body is never built

    _run(test)


def test_trickle_sends_a_byte_a_second() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            reader, writer = await _request(server, _get("/trickle"))
            head = await reader.readuntil(b"Access-Control-Allow-Origin: *\r\n")
            assert head.startswith(b"HTTP/1.1 200 OK\r\n")
            assert await reader.readexactly(1) == b"X"  # at once
            started = time.monotonic()
            assert await reader.readexactly(1) == b"-"
            assert 0.8 <= time.monotonic() - started < 1.5
            with pytest.raises(TimeoutError):  # and not faster
                async with asyncio.timeout(0.5):
                    await reader.read(1)
            await _close(writer)
            await _eventually(lambda: server.open_connections == 0)

    _run(test)


def test_refused_url_refuses() -> None:
    url = refused_url()
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/")
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


# --- lifecycle ------------------------------------------------------------------------------


def test_close_ends_every_connection_and_task() -> None:
    async def test() -> None:
        server = FaultServer()
        await server.start()
        streams = [
            await _request(server, _get("/hang")),
            await _request(server, _get("/trickle")),
            await _request(server, _get("/huge-body")),  # never read: the server is blocked
            await _request(server, _get("/slow-ok?ms=5000")),
            await _request(server, b"GET /ok HTTP/1.1\r\nHost: hal"),  # head never finished
            await _connect(server),  # idle
        ]
        idle_reader, idle_writer = await _request(server, _get("/ok"))
        await _response(idle_reader)  # then idle on keep-alive
        streams.append((idle_reader, idle_writer))
        await _eventually(lambda: len(server.requests_seen) == 5)
        assert server.open_connections == 7
        await server.close()
        assert server.open_connections == 0
        assert _no_other_task()
        for reader, writer in streams:
            await _read_to_end(reader)  # ends: the server let go of every connection
            await _close(writer)
        with pytest.raises(OSError, match=r"[Cc]onnect"):
            await _connect(server)
        assert {path for _method, path in server.requests_seen} == {
            "/hang",
            "/trickle",
            "/huge-body",
            "/slow-ok",
            "/ok",
        }

    _run(test)


def test_early_disconnects_are_quiet() -> None:
    async def test() -> None:
        async with FaultServer() as server:
            for path in ("/slow-ok?ms=50", "/huge-body", "/many-headers", "/ok", "/trickle"):
                _reader, writer = await _request(server, _get(path))
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
                writer.transport.abort()  # RST at once
            _reader, writer = await _request(
                server, b"POST /ok HTTP/1.1\r\nContent-Length: 9\r\n\r\nab"
            )
            await _close(writer)  # gone mid-body
            await _eventually(lambda: server.open_connections == 0, within=2.0)
        assert _no_other_task()

    _run(test)


def test_in_a_thread_from_sync_code() -> None:
    with fault_server_in_thread() as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
            sock.sendall(_get("/ok", extra="Connection: close\r\n"))
            data = b""
            while chunk := sock.recv(4096):
                data += chunk
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert data.endswith(b"\r\n\r\nok")
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
            sock.sendall(_get("/reset-mid-header"))
            received = b""
            with pytest.raises(ConnectionResetError):  # noqa: PT012 - partial bytes come first
                while chunk := sock.recv(4096):
                    received += chunk
        assert received == b"HTTP/1.1 200 OK\r\nX-Partial: "
        hanging = socket.create_connection(("127.0.0.1", server.port), timeout=2)
        hanging.sendall(_get("/hang"))
        deadline = time.monotonic() + 1
        while len(server.requests_seen) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert server.open_connections == 1
        assert server.requests_seen == [
            ("GET", "/ok"),
            ("GET", "/reset-mid-header"),
            ("GET", "/hang"),
        ]
    # Left open by the client: the server closed it on the way out.
    assert hanging.recv(1) == b""
    hanging.close()
    assert server.open_connections == 0
    assert not [t for t in threading.enumerate() if t.name == "fault-server"]


def test_a_handler_bug_is_raised_by_close_not_lost() -> None:
    class Broken(FaultServer):
        async def _ok(self, *_args: object) -> bool:
            raise ValueError("bug")

    async def test() -> None:
        server = Broken()
        await server.start()
        reader, writer = await _request(server, _get("/ok"))
        assert await _read_to_end(reader) == b""
        await _close(writer)
        with pytest.raises(RuntimeError, match="handler failed") as failure:
            await server.close()
        assert isinstance(failure.value.__cause__, ValueError)
        assert _no_other_task()

    _run(test)
