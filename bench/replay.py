"""Replay speed: a 1,000-item collection through the runner against a loopback server, beside
raw asyncio preflight + request pairs at the same concurrency; and how long a 10,000-item
collection takes to load.

    python bench/replay.py [--items N] [--concurrency N]

Targets: at least 0.25 of the raw figure at concurrency 50; a 10,000-item collection loads in
under 1 s.
"""

from __future__ import annotations

import os
import sys

# bench/inspect.py is named like the standard library's ``inspect``: do not let this folder
# shadow it. Put the project root first instead.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from bench import inspect as _inspect_bench  # noqa: E402
from corsinspector.formats.collection import load_collection  # noqa: E402
from corsinspector.live.runner import run_collection  # noqa: E402

APP = "https://app.example.test"


def _collection(count: int) -> dict[str, object]:
    item = {
        "request": {"url": "{{base_url}}/items", "origin": APP, "headers": [["X-Trace", "1"]]},
        "expect": {"allowed": True},
    }
    folders = [
        {"name": f"folder {f}", "items": [{"name": f"item {f}-{i}", **item} for i in range(100)]}
        for f in range(count // 100)
    ]
    return {"format": "cors-collection/1", "name": "bench", "folders": folders}


async def _raw(base: str, concurrency: int, pairs: int) -> float:
    workers = [await _inspect_bench._raw_pair(base) for _ in range(concurrency)]
    remaining = pairs
    started = time.perf_counter()

    async def worker(pair: object) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await pair()  # type: ignore[operator]

    async with asyncio.TaskGroup() as group:
        for pair in workers:
            group.create_task(worker(pair))
    return pairs / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.json"
        big.write_text(json.dumps(_collection(10_000)))
        started = time.perf_counter()
        loaded = load_collection(big)
        load_seconds = time.perf_counter() - started
        assert len(loaded.items()) == 10_000
        small = Path(folder) / "small.json"
        small.write_text(json.dumps(_collection(args.items)))
        collection = load_collection(small)
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_inspect_bench._serve, args=(ports,), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=10)}"
        raw = asyncio.run(_raw(base, args.concurrency, args.items))
        started = time.perf_counter()
        results = asyncio.run(
            run_collection(collection, {"base_url": base}, concurrency=args.concurrency)
        )
        replay = len(results) / (time.perf_counter() - started)
        assert all(result.holds for result in results)
    finally:
        server.terminate()
        server.join()
    print(f"10,000-item collection loaded in {load_seconds * 1000:.0f} ms (target < 1,000 ms)")
    print(f"raw preflight + request pairs, concurrency {args.concurrency}: {raw:,.0f}/s")
    print(
        f"run, {args.items} items, concurrency {args.concurrency}: {replay:,.0f} items/s "
        f"(x{replay / raw:.2f} of raw; target 0.25)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
