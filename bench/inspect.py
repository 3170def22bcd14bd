"""Live inspection speed: preflight + actual pairs per second against a loopback server.

    python bench/inspect.py [--seconds N]

In one run, against the same loopback scenario server (in its own process, so that it does
not share this process's core), measured side by side at concurrency 1 and 50:

- raw: the same OPTIONS + GET pairs over raw asyncio sockets (keep-alive, prebuilt bytes):
  the loopback limit;
- bare httpx: the pairs through a default ``httpx.AsyncClient()``;
- inspector: whole inspections (the engine decides, the preflight and the request go out
  with the browser's headers, both are judged and recorded) through ``Inspector``.

Target: the inspector at least 0.25 of raw at both concurrencies.
"""

from __future__ import annotations

import os
import sys

# This file is named like the standard library's ``inspect``: run as a script, its folder
# would come first on sys.path and shadow it. Put the project root there instead.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import multiprocessing  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402

import httpx  # noqa: E402

from corsinspector.live.inspector import Inspector  # noqa: E402
from corsinspector.model import Request, Route, Scenario  # noqa: E402
from corsinspector.wire.server import ScenarioServer  # noqa: E402

APP = "https://app.example.test"
TARGET = 0.25
SCENARIO = Scenario(
    "bench",
    Request("https://api.example.test/items", origin=APP, headers=(("X-Trace", "1"),)),
    (
        Route(
            "OPTIONS",
            None,
            204,
            (
                ("Access-Control-Allow-Origin", APP),
                ("Access-Control-Allow-Headers", "x-trace"),
                ("Access-Control-Max-Age", "0"),
            ),
        ),
        Route("GET", None, 200, (("Access-Control-Allow-Origin", APP),), body="ok"),
    ),
)


def _serve(port_queue: multiprocessing.Queue[int]) -> None:
    async def main() -> None:
        async with ScenarioServer(SCENARIO, keep_log=False) as server:
            port_queue.put(server.port)
            await asyncio.Event().wait()

    asyncio.run(main())


async def _raw_pair(base: str) -> Callable[[], Awaitable[None]]:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = f"Host: {host}:{port}\r\nOrigin: {APP}\r\n"
    options = (
        f"OPTIONS /items HTTP/1.1\r\n{head}Access-Control-Request-Method: GET\r\n"
        "Access-Control-Request-Headers: x-trace\r\n\r\n"
    ).encode()
    get = f"GET /items HTTP/1.1\r\n{head}X-Trace: 1\r\n\r\n".encode()

    async def read_response() -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await reader.readexactly(length)

    async def pair() -> None:
        writer.write(options)
        await read_response()
        writer.write(get)
        await read_response()

    return pair


async def _rate(
    make: Callable[[], Awaitable[Callable[[], Awaitable[None]]]], workers: int, seconds: float
) -> float:
    pairs = [await make() for _ in range(workers)]
    done = 0
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()

    async def worker(pair: Callable[[], Awaitable[None]]) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await pair()
            done += 1

    async with asyncio.TaskGroup() as group:
        for pair in pairs:
            group.create_task(worker(pair))
    return done / (time.perf_counter() - started)


async def _round(base: str, seconds: float) -> dict[str, dict[int, float]]:
    """One round: every variant at both concurrencies, back to back."""
    figures: dict[str, dict[int, float]] = {"raw": {}, "bare httpx": {}, "inspector": {}}
    request = Request(f"{base}/items", origin=APP, headers=(("X-Trace", "1"),))
    for workers in (1, 50):
        figures["raw"][workers] = await _rate(lambda: _raw_pair(base), workers, seconds)
        async with httpx.AsyncClient() as client:

            async def bare() -> Callable[[], Awaitable[None]]:
                async def pair() -> None:
                    await client.options(
                        f"{base}/items",
                        headers={"Origin": APP, "Access-Control-Request-Method": "GET"},
                    )
                    await client.get(f"{base}/items", headers={"Origin": APP, "X-Trace": "1"})

                return pair

            figures["bare httpx"][workers] = await _rate(bare, workers, seconds)
        async with Inspector() as inspector:

            async def inspect() -> Callable[[], Awaitable[None]]:
                async def pair() -> None:
                    verdict = await inspector.inspect(request)
                    assert verdict.allowed
                    assert len(verdict.exchanges) == 2

                return pair

            figures["inspector"][workers] = await _rate(inspect, workers, seconds)
    return figures


async def _measure(base: str, seconds: float, rounds: int) -> list[dict[str, dict[int, float]]]:
    return [await _round(base, seconds) for _ in range(rounds)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per figure per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=10)}"
        rounds = asyncio.run(_measure(base, args.seconds, args.rounds))
    finally:
        server.terminate()
        server.join()
    print(
        f"{args.rounds} interleaved rounds of {args.seconds:g} s per figure; medians, and each "
        "ratio against raw of its own round (this machine's neighbours move single figures)"
    )
    print(f"{'pairs per second (OPTIONS + GET)':<34}{'concurrency 1':>22}{'concurrency 50':>22}")
    ratios: dict[int, float] = {}
    for name in rounds[0]:
        cells = ""
        for workers in (1, 50):
            rate = statistics.median(r[name][workers] for r in rounds)
            ratio = statistics.median(r[name][workers] / r["raw"][workers] for r in rounds)
            if name == "inspector":
                ratios[workers] = ratio
            cells += f"{rate:>12,.0f} (x{ratio:.2f})".rjust(22)
        print(f"{name:<34}{cells}")
    met = all(ratio >= TARGET for ratio in ratios.values())
    verdict = "met" if met else "NOT met"
    print(f"\ntarget: inspector >= {TARGET} x raw at both concurrencies: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
