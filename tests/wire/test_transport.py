"""WireTransport on real loopback sockets: what goes out, what comes back, and how it fails.

Every server here is an asyncio server in the test's own loop, reading and writing raw bytes,
so the tests see exactly what went over the wire.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import socket
import ssl
import struct
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pytest

from corsinspector.wire.transport import WireTransport

pytestmark = pytest.mark.integration

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def run(coro: Coroutine[Any, Any, None], seconds: float = 10.0) -> None:
    """Runs one test body in a fresh loop, never longer than ``seconds``."""

    async def bounded() -> None:
        async with asyncio.timeout(seconds):
            await coro

    asyncio.run(bounded())


class Server:
    """A loopback asyncio server running ``handler`` for each connection."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.connections = 0
        self.port = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:  # handlers waiting on their client see the end
            writer.transport.abort()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=0.2)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.append(writer)
        self.connections += 1
        try:
            await self.handler(reader, writer)
            writer.close()  # what is still buffered goes out first
            async with asyncio.timeout(2):
                await writer.wait_closed()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, TimeoutError):
            pass
        except asyncio.CancelledError:  # stopped by __aexit__: start_server logs a cancelled task
            pass
        finally:
            self._tasks.discard(task)
            writer.transport.abort()


async def answer_each(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, response: bytes = OK
) -> None:
    """Answers every request head with ``response`` until the client closes."""
    while True:
        try:
            await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return
        writer.write(response)
        await writer.drain()


def reset(writer: asyncio.StreamWriter) -> None:
    """Closes with a TCP RST instead of a FIN."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


# -- what goes out


def test_headers_go_out_exactly_in_order_and_case() -> None:
    received: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        received.append(head + await reader.readexactly(5))
        writer.write(OK)

    async def main() -> None:
        async with Server(handler) as server, WireTransport() as transport:
            request = httpx.Request(
                "PUT",
                server.url + "items/1?x=1",
                headers=[
                    ("ORIGIN", "https://app.example.test"),
                    ("x-lower", "a"),
                    ("X-Dup", "1"),
                    ("x-dup", "2"),
                    ("Content-Type", "application/json"),
                ],
                content=b"hello",
            )
            response = await transport.handle_async_request(request)
            await response.aread()
            await response.aclose()
            sent = (
                f"PUT /items/1?x=1 HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                "ORIGIN: https://app.example.test\r\nx-lower: a\r\nX-Dup: 1\r\nx-dup: 2\r\n"
                "Content-Type: application/json\r\nContent-Length: 5\r\n\r\nhello"
            ).encode()
            assert received == [sent]
            assert response.extensions["sent_headers"] == request.headers.raw
            assert response.extensions["sent_headers"][1] == (
                b"ORIGIN",
                b"https://app.example.test",
            )

    run(main())


def test_the_client_api_keeps_its_headers_in_order() -> None:
    received: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(OK)

    async def main() -> None:
        async with Server(handler) as server:
            transport = WireTransport()
            async with httpx.AsyncClient(transport=transport, headers={"X-Client": "1"}) as client:
                response = await client.options(
                    server.url,
                    headers={"Origin": "https://a.test", "access-control-REQUEST-method": "PUT"},
                )
        assert response.status_code == 200
        assert response.text == "ok"
        lines = received[0].split(b"\r\n")
        assert lines[0] == b"OPTIONS / HTTP/1.1"
        names = [line.split(b":")[0] for line in lines[1:-2]]
        assert names == [
            b"Host",
            b"Accept",
            b"Accept-Encoding",
            b"Connection",
            b"User-Agent",
            b"X-Client",
            b"Origin",
            b"access-control-REQUEST-method",
        ]
        assert [name for name, _ in response.extensions["sent_headers"]] == names

    run(main())


def test_a_streamed_request_body_goes_out_chunked() -> None:
    received: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        received.append(head + await reader.readuntil(b"0\r\n\r\n"))
        writer.write(OK)

    async def body() -> AsyncIterator[bytes]:
        yield b"abc"
        yield b""
        yield b"defgh"

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            response = await client.post(server.url, content=body())
        assert response.status_code == 200
        assert b"Transfer-Encoding: chunked\r\n" in received[0]
        assert received[0].endswith(b"\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n")

    run(main())


def test_a_request_that_cannot_go_out_faithfully_is_refused() -> None:
    async def main() -> None:
        async with Server(answer_each) as server, WireTransport() as transport:
            injected = httpx.Request("GET", server.url, headers={"X-Evil": "a\r\nX-Injected: 1"})
            with pytest.raises(httpx.LocalProtocolError, match="CR, LF or NUL") as caught:
                await transport.handle_async_request(injected)
            assert caught.value.request is injected

            async def short() -> AsyncIterator[bytes]:
                yield b"abc"

            lying = httpx.Request(
                "POST", server.url, headers={"Content-Length": "10"}, content=short()
            )
            with pytest.raises(httpx.LocalProtocolError, match="3 bytes"):
                await transport.handle_async_request(lying)
            # The transport still works afterwards.
            response = await transport.handle_async_request(httpx.Request("GET", server.url))
            assert await response.aread() == b"ok"
            await response.aclose()

    run(main())


# -- what comes back


def test_response_headers_keep_order_case_repeats_reason_and_version() -> None:
    head = (
        b"HTTP/1.1 299 Quite Odd\r\n"
        b"access-control-allow-origin: https://a.test\r\n"
        b"Access-Control-Allow-Origin: *\r\n"
        b"X-CaSe: Value\r\n"
        b"Set-Cookie: a=1\r\n"
        b"set-cookie: b=2\r\n"
        b"Content-Length: 4\r\n"
        b"\r\n"
        b"body"
    )

    async def main() -> None:
        async with (
            Server(lambda r, w: answer_each(r, w, head)) as server,
            httpx.AsyncClient(transport=WireTransport()) as client,
        ):
            response = await client.get(server.url)
        assert response.headers.raw == [
            (b"access-control-allow-origin", b"https://a.test"),
            (b"Access-Control-Allow-Origin", b"*"),
            (b"X-CaSe", b"Value"),
            (b"Set-Cookie", b"a=1"),
            (b"set-cookie", b"b=2"),
            (b"Content-Length", b"4"),
        ]
        assert response.headers.get_list("access-control-allow-origin") == ["https://a.test", "*"]
        assert response.status_code == 299
        assert response.reason_phrase == "Quite Odd"
        assert response.extensions["reason_phrase"] == b"Quite Odd"
        assert response.http_version == "HTTP/1.1"
        assert response.extensions["http_version"] == b"HTTP/1.1"
        assert response.extensions["remote_address"] == ("127.0.0.1", server.port)
        assert response.content == b"body"

    run(main())


def test_an_http_10_response_is_read_until_close() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.0 200 Fine\r\nX-Old: yes\r\n\r\nall of it")
        await writer.drain()

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            response = await client.get(server.url)
            again = await client.get(server.url)
        assert (response.http_version, response.content) == ("HTTP/1.0", b"all of it")
        assert again.extensions["connection_reused"] is False
        assert server.connections == 2

    run(main())


def test_head_and_interim_responses() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if head.startswith(b"HEAD "):
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            else:
                writer.write(
                    b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                )

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            head = await client.head(server.url)
            get = await client.get(server.url)
        assert (head.status_code, head.headers["content-length"], head.content) == (
            200,
            "100",
            b"",
        )
        assert (get.status_code, get.headers.raw, get.content) == (
            200,
            [(b"Content-Length", b"2")],
            b"ok",
        )
        assert get.extensions["connection_reused"] is True

    run(main())


def test_a_chunked_response() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for piece in (b"hello ", b"chunked ", b"world"):
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
            await asyncio.sleep(0.01)
        writer.write(b"0\r\n\r\n")
        await answer_each(reader, writer)

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            async with client.stream("GET", server.url) as response:
                chunks = [chunk async for chunk in response.aiter_raw()]
            again = await client.get(server.url)
        assert b"".join(chunks) == b"hello chunked world"
        assert len(chunks) >= 2  # delivered as they came
        assert response.headers.raw == [(b"Transfer-Encoding", b"chunked")]
        assert again.extensions["connection_reused"] is True

    run(main())


def test_a_large_body_streams_without_being_buffered() -> None:
    size = 50 * 1024 * 1024
    piece = bytes(range(256)) * 256  # 64 KiB
    finished = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        for _ in range(size // len(piece)):
            writer.write(piece)
            await writer.drain()
        finished.set()

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
            client.stream("GET", server.url) as response,
        ):
            total = biggest = 0
            unfinished_at: int | None = None
            async for chunk in response.aiter_raw():
                total += len(chunk)
                biggest = max(biggest, len(chunk))
                if total >= size // 2 and unfinished_at is None:
                    unfinished_at = total if not finished.is_set() else -1
        assert total == size
        # Half the body was in hand while the server was still writing the rest, and no
        # chunk was larger than one read.
        assert unfinished_at is not None
        assert unfinished_at > 0
        assert biggest <= 256 * 1024

    run(main(), seconds=30)


# -- connections


def test_keep_alive_reuses_the_connection() -> None:
    async def main() -> None:
        async with (
            Server(answer_each) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            first = await client.get(server.url)
            second = await client.options(server.url)
            third = await client.get(server.url)
        assert [r.extensions["connection_reused"] for r in (first, second, third)] == [
            False,
            True,
            True,
        ]
        assert first.extensions["remote_address"] == third.extensions["remote_address"]
        assert server.connections == 1

    run(main())


def test_connection_close_and_early_close_are_not_reused() -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n" + b"x" * 5_000_000
    accepted = itertools.count(1)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await answer_each(reader, writer, closing if next(accepted) == 1 else big)

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            first = await client.get(server.url)
            async with client.stream("GET", server.url) as streamed:
                await streamed.aiter_raw().__anext__()  # one chunk, then close
            third = await client.get(server.url)
        assert first.text == "ok"
        assert [r.extensions["connection_reused"] for r in (first, streamed, third)] == [
            False,
            False,
            False,
        ]
        assert len(third.content) == 5_000_000
        assert server.connections == 3

    run(main())


def test_a_pooled_connection_closed_by_the_server_is_retried_once() -> None:
    accepted = itertools.count(1)
    requests = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal requests
        if next(accepted) == 1:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(OK)
            await reader.readuntil(b"\r\n\r\n")  # the second request: close without a word
            requests += 1
            return
        await answer_each(reader, writer)

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            first = await client.get(server.url)
            second = await client.get(server.url)
        assert (first.text, second.text) == ("ok", "ok")
        assert second.extensions["connection_reused"] is False
        assert (server.connections, requests) == (2, 1)

    run(main())


def test_aclose_closes_idle_connections() -> None:
    saw_eof = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await answer_each(reader, writer)
        saw_eof.set()

    async def main() -> None:
        async with Server(handler) as server:
            transport = WireTransport()
            response = await transport.handle_async_request(httpx.Request("GET", server.url))
            await response.aread()
            await response.aclose()
            await asyncio.sleep(0.05)
            assert not saw_eof.is_set()
            await transport.aclose()
            async with asyncio.timeout(1):
                await saw_eof.wait()
        assert {*asyncio.all_tasks()} == {asyncio.current_task()}

    run(main())


def test_cancelling_an_in_flight_request_closes_its_socket_at_once() -> None:
    got_request = asyncio.Event()
    saw_eof = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        got_request.set()
        if await reader.read(1) == b"":  # nothing is ever answered
            saw_eof.set()

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            async with asyncio.TaskGroup() as group:
                task = group.create_task(client.get(server.url))
                await got_request.wait()
                started = time.monotonic()
                task.cancel()
            async with asyncio.timeout(1):
                await saw_eof.wait()
            assert time.monotonic() - started < 0.5
            assert task.cancelled()
        assert {*asyncio.all_tasks()} == {asyncio.current_task()}

    run(main())


def test_cancelling_while_the_body_streams_closes_the_socket() -> None:
    saw_eof = asyncio.Event()
    sent_head = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
        await writer.drain()
        sent_head.set()
        if await reader.read(1) == b"":
            saw_eof.set()

    async def read_all(client: httpx.AsyncClient, url: str) -> None:
        async with client.stream("GET", url) as response:
            await response.aread()

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            async with asyncio.TaskGroup() as group:
                task = group.create_task(read_all(client, server.url))
                await sent_head.wait()
                await asyncio.sleep(0.05)
                task.cancel()
            async with asyncio.timeout(1):
                await saw_eof.wait()

    run(main())


# -- failures


def test_a_refused_port_is_a_connect_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def main() -> None:
        async with WireTransport() as transport:
            request = httpx.Request("GET", f"http://127.0.0.1:{port}/")
            with pytest.raises(httpx.ConnectError) as caught:
                await transport.handle_async_request(request)
        assert caught.value.request is request
        assert isinstance(caught.value.__cause__, ConnectionRefusedError)
        assert str(port) in str(caught.value)

    run(main())


def test_a_silent_server_is_a_read_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await reader.read(1)  # never answers

    async def main() -> None:
        async with Server(handler) as server, WireTransport(read_timeout=0.3) as transport:
            request = httpx.Request("GET", server.url)
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout) as caught:
                await transport.handle_async_request(request)
            elapsed = time.monotonic() - started
        assert 0.3 <= elapsed < 1.5
        assert caught.value.request is request
        assert isinstance(caught.value.__cause__, TimeoutError)

    run(main())


def test_a_server_stalling_mid_body_is_a_read_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        await reader.read(1)

    async def main() -> None:
        async with (
            Server(handler) as server,
            httpx.AsyncClient(transport=WireTransport(read_timeout=0.2)) as client,
        ):
            with pytest.raises(httpx.ReadTimeout):
                await client.get(server.url)

    run(main())


def test_the_read_timeout_is_per_read_not_per_response() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(0.15)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n")
        for piece in (b"ab", b"cd", b"ef", b"gh"):
            await asyncio.sleep(0.15)
            writer.write(piece)
        await answer_each(reader, writer)

    async def main() -> None:
        async with (
            Server(handler) as server,
            httpx.AsyncClient(transport=WireTransport(read_timeout=0.4)) as client,
        ):
            started = time.monotonic()
            response = await client.get(server.url)
            assert time.monotonic() - started > 0.6  # longer than the timeout in all
            assert response.content == b"abcdefgh"
            assert (await client.get(server.url)).extensions["connection_reused"] is True

    run(main())


def test_a_server_that_reads_nothing_is_a_write_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)  # never reads

    async def main() -> None:
        async with Server(handler) as server, WireTransport(write_timeout=0.3) as transport:
            request = httpx.Request("POST", server.url, content=b"x" * (32 * 1024 * 1024))
            started = time.monotonic()
            with pytest.raises(httpx.WriteTimeout) as caught:
                await transport.handle_async_request(request)
            assert time.monotonic() - started < 2
            assert caught.value.request is request

    run(main())


def test_garbage_instead_of_http_is_a_remote_protocol_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\nthis is not HTTP\r\n\r\n")
        await writer.drain()

    async def main() -> None:
        async with Server(handler) as server, WireTransport() as transport:
            request = httpx.Request("GET", server.url)
            with pytest.raises(httpx.RemoteProtocolError) as caught:
                await transport.handle_async_request(request)
        assert caught.value.request is request
        assert caught.value.__cause__ is not None

    run(main())


LENIENT = (
    b"HTTP/1.1 200 OK\r\nX-Spaced : a\r\nno colon here\r\nX Bad: 1\r\nX-Folded: b\r\n c\n"
    b"Content-Length: 2\r\n\r\nok"
)
LENIENT_HEADERS = [(b"X-Spaced", b"a"), (b"X-Folded", b"b c"), (b"Content-Length", b"2")]


def test_a_head_h11_refuses_is_read_as_chromium_reads_it_and_kept_alive() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await answer_each(reader, writer, LENIENT)

    async def main() -> None:
        async with (
            Server(handler) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            first = await client.get(server.url)
            second = await client.get(server.url)
        for response in (first, second):
            assert response.headers.raw == LENIENT_HEADERS
            assert (response.status_code, response.content) == (200, b"ok")
        assert second.extensions["connection_reused"]
        assert server.connections == 1

    run(main())


def test_a_lenient_head_arriving_byte_by_byte_after_an_interim_response() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        for byte in b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + LENIENT:
            writer.write(bytes((byte,)))
            await writer.drain()
            await asyncio.sleep(0.001)  # one read each

    async def main() -> None:
        async with Server(handler) as server, WireTransport() as transport:
            response = await transport.handle_async_request(httpx.Request("GET", server.url))
            body = b"".join([chunk async for chunk in response.aiter_raw()])
        assert (response.status_code, response.headers.raw, body) == (200, LENIENT_HEADERS, b"ok")

    run(main())


def test_a_head_chromium_refuses_too_stays_a_protocol_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await answer_each(
            reader, writer, b"HTTP/1.1 200 OK\r\nX : a\0b\r\nContent-Length: 0\r\n\r\n"
        )

    async def main() -> None:
        async with Server(handler) as server, WireTransport() as transport:
            with pytest.raises(httpx.RemoteProtocolError, match="illegal header line"):
                await transport.handle_async_request(httpx.Request("GET", server.url))

    run(main())


def test_ten_thousand_response_headers_are_too_big() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\n")
        writer.write(b"".join(b"X-Header-%05d: %s\r\n" % (i, b"v" * 24) for i in range(10_000)))
        writer.write(b"Content-Length: 0\r\n\r\n")
        await writer.drain()
        await reader.read(1)

    async def main() -> None:
        async with Server(handler) as server, WireTransport() as transport:
            started = time.monotonic()
            with pytest.raises(httpx.RemoteProtocolError, match="response headers too big"):
                await transport.handle_async_request(httpx.Request("GET", server.url))
            assert time.monotonic() - started < 1.0

    run(main())


def test_a_head_over_the_limit_is_too_big_even_when_it_arrives_whole() -> None:
    head = b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 3000 + b"\r\nContent-Length: 0\r\n\r\n"

    async def main() -> None:
        async with Server(lambda r, w: answer_each(r, w, head)) as server:
            async with WireTransport(max_header_bytes=2000) as small:
                with pytest.raises(httpx.RemoteProtocolError, match="too big"):
                    await small.handle_async_request(httpx.Request("GET", server.url))
            async with WireTransport(max_header_bytes=4000) as large:
                response = await large.handle_async_request(httpx.Request("GET", server.url))
                assert len(response.headers["x-long"]) == 3000
                await response.aclose()

    run(main())


def test_a_reset_mid_headers_is_a_protocol_or_read_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nX-Half: ")
        await writer.drain()
        await asyncio.sleep(0.05)
        reset(writer)

    async def main() -> None:
        async with Server(handler) as server, WireTransport() as transport:
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)) as caught:
                await transport.handle_async_request(httpx.Request("GET", server.url))
        assert caught.value.__cause__ is not None

    run(main())


@pytest.mark.parametrize("sent", [b"HTTP/1.1 200 OK\r\nX-Half: ", b""], ids=["mid-headers", "mute"])
def test_eof_mid_headers_or_before_any_byte_is_a_remote_protocol_error(sent: bytes) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if sent:
            writer.write(sent)
            await writer.drain()

    async def main() -> None:
        async with Server(handler) as server, WireTransport() as transport:
            with pytest.raises(httpx.RemoteProtocolError):
                await transport.handle_async_request(httpx.Request("GET", server.url))

    run(main())


# -- traces


def test_trace_events_arrive_in_order() -> None:
    events: list[str] = []

    async def trace(name: str, info: dict[str, Any]) -> None:
        events.append(name)

    def sync_trace(name: str, info: dict[str, Any]) -> None:
        events.append(name)

    exchange = [
        "http11.send_request_headers.started",
        "http11.send_request_headers.complete",
        "http11.send_request_body.started",
        "http11.send_request_body.complete",
        "http11.receive_response_headers.started",
        "http11.receive_response_headers.complete",
        "http11.receive_response_body.started",
        "http11.receive_response_body.complete",
        "http11.response_closed.started",
        "http11.response_closed.complete",
    ]

    async def main() -> None:
        async with (
            Server(answer_each) as server,
            WireTransport() as transport,
            httpx.AsyncClient(transport=transport) as client,
        ):
            await client.get(server.url, extensions={"trace": trace})
            assert events == [
                "connection.connect_tcp.started",
                "connection.connect_tcp.complete",
                *exchange,
            ]
            events.clear()
            await client.post(server.url, content=b"x", extensions={"trace": sync_trace})
            assert events == exchange  # reused: no connect

    run(main())


def test_a_failed_connect_is_traced() -> None:
    events: list[str] = []

    async def trace(name: str, info: dict[str, Any]) -> None:
        events.append(name)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def main() -> None:
        async with httpx.AsyncClient(transport=WireTransport()) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{port}/", extensions={"trace": trace})
        assert events == ["connection.connect_tcp.started", "connection.connect_tcp.failed"]

    run(main())


# -- TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, made by the openssl CLI."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "k.pem", folder / "c.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return key, cert


def _server_tls(certificate: tuple[Path, Path], seen: dict[str, Any]) -> ssl.SSLContext:
    key, cert = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["h2", "http/1.1"])

    def sni(sock: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        seen["sni"] = name

    context.sni_callback = sni
    return context


def test_tls_self_signed_fails_verification_with_the_reason(
    certificate: tuple[Path, Path],
) -> None:
    async def main() -> None:
        seen: dict[str, Any] = {}
        async with (
            Server(answer_each, tls=_server_tls(certificate, seen)) as server,
            WireTransport() as transport,
        ):
            request = httpx.Request("GET", server.url)
            with pytest.raises(httpx.ConnectError) as caught:
                await transport.handle_async_request(request)
            async with WireTransport(verify=str(certificate[0].parent / "none.pem")) as missing:
                with pytest.raises(httpx.ConnectError, match=r"none\.pem") as no_bundle:
                    await missing.handle_async_request(httpx.Request("GET", server.url))
        assert "certificate verify failed: self-signed certificate" in str(caught.value)
        assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
        assert caught.value.request is request
        assert isinstance(no_bundle.value.__cause__, OSError)

    run(main())


@pytest.mark.parametrize("bundle", [True, False], ids=["bundle", "unverified"])
def test_tls_with_the_bundle_or_without_verification_succeeds(
    certificate: tuple[Path, Path], bundle: bool
) -> None:
    verify: str | bool = str(certificate[1]) if bundle else False
    events: list[str] = []

    async def trace(name: str, info: dict[str, Any]) -> None:
        events.append(name)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen["alpn"] = writer.get_extra_info("ssl_object").selected_alpn_protocol()
        await answer_each(reader, writer)

    seen: dict[str, Any] = {}

    async def main() -> None:
        async with Server(handler, tls=_server_tls(certificate, seen)) as server:
            url = f"https://localhost:{server.port}/"
            async with httpx.AsyncClient(transport=WireTransport(verify=verify)) as client:
                response = await client.get(url, extensions={"trace": trace})
            assert response.text == "ok"
            assert response.extensions["remote_address"] == ("127.0.0.1", server.port)
            assert seen == {"sni": "localhost", "alpn": "http/1.1"}
        assert events[2:4] == ["connection.start_tls.started", "connection.start_tls.complete"]

    run(main())
