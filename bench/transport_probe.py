"""Transport speed: OPTIONS+GET pairs per second against a loopback server in another process.

    python bench/transport_probe.py [--seconds N] [--rounds N] [--only VARIANT...] [--tasks N...]

Variants, each sequentially (1 task) and with 50 concurrent tasks:

- raw:      asyncio streams, one keep-alive connection per task, preformatted request bytes,
            reading until the end of each response (the ceiling);
- httpx:    a bare ``httpx.AsyncClient()`` (httpcore underneath);
- wire:     ``httpx.AsyncClient(transport=WireTransport())``;
- direct:   ``WireTransport.handle_async_request`` with prebuilt ``httpx.Request`` objects,
            body read and response closed (what the transport costs without the client);
- null:     ``httpx.AsyncClient`` over a transport that answers from memory, no I/O at all
            (httpx's own per-request cost: the ceiling of any transport behind the client).

The server answers every request ``204`` with a few headers (an asyncio Protocol in a separate
process, so it does not share the client's core). The variants are measured in interleaved
rounds, each ratio against the ``raw`` figure of its own round, and the medians are printed
(with the spread of the ratios): this machine's neighbours make single figures vary by 2x.
The target for ``wire`` is 0.25 of ``raw``.
"""

from __future__ import annotations

import os
import sys

# A module in bench/ named like a standard one (bench/inspect.py) must not shadow it: drop the
# script's own folder from the import path before anything imports ``inspect``.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import argparse
import asyncio
import contextlib
import importlib.util
import multiprocessing
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from corsinspector.wire.transport import WireTransport  # noqa: E402

TARGET = 0.25
ORIGIN = "https://app.example.test"
RESPONSE = (
    b"HTTP/1.1 204 No Content\r\n"
    b"Access-Control-Allow-Origin: https://app.example.test\r\n"
    b"Access-Control-Allow-Methods: GET, PUT, OPTIONS\r\n"
    b"Access-Control-Allow-Headers: content-type\r\n"
    b"Vary: Origin\r\n"
    b"\r\n"
)


class _Answer204(asyncio.Protocol):
    """Answers each request head (no request bodies here) with RESPONSE."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        count = buffer.count(b"\r\n\r\n")
        if count and self._transport is not None:
            self._transport.write(RESPONSE * count)
            buffer = buffer[buffer.rfind(b"\r\n\r\n") + 4 :]
        self._buffer = buffer


def _serve(pipe: Connection) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Answer204, "127.0.0.1", 0, backlog=512)
        pipe.send(server.sockets[0].getsockname()[1])
        async with server:
            await loop.run_in_executor(None, pipe.recv)  # any message (or EOF) stops it

    with contextlib.suppress(EOFError):  # the parent went away
        asyncio.run(main())


def _requests(port: int) -> tuple[bytes, bytes]:
    options = (
        f"OPTIONS /items/1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: */*\r\n"
        f"Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
        f"User-Agent: python-httpx/0.28.1\r\nOrigin: {ORIGIN}\r\n"
        f"Access-Control-Request-Method: PUT\r\n"
        f"Access-Control-Request-Headers: content-type\r\n\r\n"
    ).encode()
    get = (
        f"GET /items/1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: */*\r\n"
        f"Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
        f"User-Agent: python-httpx/0.28.1\r\nOrigin: {ORIGIN}\r\n\r\n"
    ).encode()
    return options, get


Worker = Callable[[float], Awaitable[int]]

PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "content-type",
}
SIMPLE = {"Origin": ORIGIN}


async def _run(make_worker: Callable[[], Awaitable[Worker]], tasks: int, seconds: float) -> float:
    workers = [await make_worker() for _ in range(tasks)]
    await asyncio.gather(*(worker(time.perf_counter() + 0.2) for worker in workers))  # warm-up
    started = time.perf_counter()
    deadline = started + seconds
    counts = await asyncio.gather(*(worker(deadline) for worker in workers))
    return sum(counts) / (time.perf_counter() - started)


async def _measure_raw(port: int, tasks: int, seconds: float) -> float:
    options, get = _requests(port)
    writers: list[asyncio.StreamWriter] = []

    async def make() -> Worker:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writers.append(writer)

        async def work(deadline: float) -> int:
            pairs = 0
            while time.perf_counter() < deadline:
                writer.write(options)
                await writer.drain()
                await reader.readuntil(b"\r\n\r\n")
                writer.write(get)
                await writer.drain()
                await reader.readuntil(b"\r\n\r\n")
                pairs += 1
            return pairs

        return work

    try:
        return await _run(make, tasks, seconds)
    finally:
        for writer in writers:
            writer.close()
            await writer.wait_closed()


class _NullStream(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        empty: tuple[bytes, ...] = ()  # no body
        for chunk in empty:
            yield chunk


class _NullTransport(httpx.AsyncBaseTransport):
    """Answers like the server, from memory."""

    HEADERS: ClassVar = [
        (b"Access-Control-Allow-Origin", b"https://app.example.test"),
        (b"Access-Control-Allow-Methods", b"GET, PUT, OPTIONS"),
        (b"Access-Control-Allow-Headers", b"content-type"),
        (b"Vary", b"Origin"),
    ]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            204,
            headers=self.HEADERS,
            stream=_NullStream(),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": b"No Content"},
        )


async def _measure_client(
    port: int, tasks: int, seconds: float, transport: httpx.AsyncBaseTransport | None
) -> float:
    url = f"http://127.0.0.1:{port}/items/1"
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(transport=transport, limits=limits) as client:

        async def make() -> Worker:
            async def work(deadline: float) -> int:
                pairs = 0
                while time.perf_counter() < deadline:
                    await client.options(url, headers=PREFLIGHT)
                    await client.get(url, headers=SIMPLE)
                    pairs += 1
                return pairs

            return work

        return await _run(make, tasks, seconds)


async def _measure_direct(port: int, tasks: int, seconds: float) -> float:
    url = f"http://127.0.0.1:{port}/items/1"
    async with WireTransport() as transport:

        async def make() -> Worker:
            options = httpx.Request("OPTIONS", url, headers=PREFLIGHT)
            get = httpx.Request("GET", url, headers=SIMPLE)

            async def work(deadline: float) -> int:
                pairs = 0
                while time.perf_counter() < deadline:
                    for request in (options, get):
                        response = await transport.handle_async_request(request)
                        await response.aread()
                        await response.aclose()
                    pairs += 1
                return pairs

            return work

        return await _run(make, tasks, seconds)


VARIANTS = ["raw", "httpx", "wire", "direct", "null"]


async def _measure(name: str, port: int, tasks: int, seconds: float) -> float:
    if name == "raw":
        return await _measure_raw(port, tasks, seconds)
    if name == "httpx":
        return await _measure_client(port, tasks, seconds, None)
    if name == "wire":
        return await _measure_client(port, tasks, seconds, WireTransport())
    if name == "null":
        return await _measure_client(port, tasks, seconds, _NullTransport())
    return await _measure_direct(port, tasks, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per figure (default 2)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of every variant, interleaved (default 3)"
    )
    parser.add_argument("--only", nargs="*", default=VARIANTS, choices=VARIANTS)
    parser.add_argument("--tasks", nargs="*", type=int, default=[1, 50])
    args = parser.parse_args()
    names = ["raw", *(name for name in args.only if name != "raw")]

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    try:
        port = ours.recv()
        sniffio = importlib.util.find_spec("sniffio") is not None
        print(
            f"python {sys.version.split()[0]}, httpx {httpx.__version__}, "
            f"sniffio {'installed' if sniffio else 'NOT installed'}; "
            f"{args.rounds} interleaved rounds of {args.seconds:g} s per figure"
        )
        verdicts = []
        for tasks in args.tasks:
            rates: dict[str, list[float]] = {name: [] for name in names}
            ratios: dict[str, list[float]] = {name: [] for name in names}
            for _ in range(args.rounds):  # interleaved: a noisy neighbour hits every variant
                for name in names:
                    rates[name].append(asyncio.run(_measure(name, port, tasks, args.seconds)))
                    ratios[name].append(rates[name][-1] / rates["raw"][-1])
            for name in names:
                rate, ratio = statistics.median(rates[name]), statistics.median(ratios[name])
                spread = f"{min(ratios[name]):.3f}..{max(ratios[name]):.3f}"
                shown = f"  x{ratio:.3f} of raw ({spread})" if name != "raw" else ""
                print(f"{name:>7} c={tasks:<3} {rate:>9,.0f} pairs/s{shown}", flush=True)
            if "wire" in ratios:
                ratio = statistics.median(ratios["wire"])
                verdict = "met" if ratio >= TARGET else "NOT met"
                verdicts.append(f"c={tasks}: wire/raw = {ratio:.3f} (target {TARGET}: {verdict})")
        print("\n".join(verdicts))
    finally:
        ours.send("stop")
        server.join(5)
        if server.is_alive():
            server.terminate()
            server.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
