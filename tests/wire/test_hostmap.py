"""The host-mapping namespace: a scenario's origins served on their real names and ports in a
private network namespace, reached by name from a process inside; nothing left after."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from corsinspector.model import Request, Route, Scenario
from corsinspector.wire.hostmap import (
    PUBLIC_ADDRESS,
    HostNamespace,
    HostRoutedServers,
    scenario_hosts,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not hasattr(os, "geteuid")
        or os.geteuid() != 0
        or shutil.which("unshare") is None
        or shutil.which("nsenter") is None,
        reason="a private network namespace needs root, unshare and nsenter",
    ),
]

ACAO = ("Access-Control-Allow-Origin", "https://app.example.test")
SCENARIO = Scenario(
    "hostmap",
    Request(url="https://api.example.test/data", origin="https://app.example.test"),
    (
        Route("GET", "https://api.example.test/data", 200, (ACAO, ("X-Odd", " kept ")), "api"),
        Route("GET", "https://other.example.test:8443/x", 201, (), "other"),
        Route("GET", "http://cdn.example.test/plain", 202, (), "cdn"),
    ),
)

#: Run inside the namespace: GET each URL by name (no verification: a throw-away
#: certificate), print "status body" per line, or the error.
_CLIENT = """
import ssl, sys, urllib.request
context = ssl._create_unverified_context()
for url in sys.argv[1:]:
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as r:
            print(r.status, r.read().decode(), r.headers.get("X-Odd"))
    except Exception as e:
        print("error", type(e).__name__, getattr(e, "code", ""))
"""


async def _fetch_inside(namespace: HostNamespace, urls: Sequence[str]) -> list[str]:
    process = await asyncio.create_subprocess_exec(
        *namespace.command([sys.executable, "-c", _CLIENT, *urls]),
        stdout=asyncio.subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", ""), "NO_PROXY": "*"},
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return out.decode().splitlines()


def test_servers_are_reached_by_name_and_port_inside_the_namespace() -> None:
    async def main() -> tuple[list[str], list[str], list[str], list[int]]:
        async with HostNamespace() as namespace:
            await namespace.map_hosts(scenario_hosts(SCENARIO, SCENARIO.request.origin))
            async with HostRoutedServers(
                namespace, SCENARIO, page_origin="https://app.example.test", page_html="<p>pg"
            ) as servers:
                page = await _fetch_inside(namespace, ["https://app.example.test/"])
                servers.begin()
                answers = await _fetch_inside(
                    namespace,
                    [
                        "https://api.example.test/data",
                        "https://other.example.test:8443/x",
                        "http://cdn.example.test/plain",
                        "https://app.example.test/",
                    ],
                )
                logged = [f"{item.method} {item.url} {item.status}" for item in servers.log]
                hosts = [v for item in servers.log for n, v in item.headers if n == "Host"]
            inside = namespace.processes_inside()
        return page, answers, logged + hosts, inside

    page, answers, logged, inside = asyncio.run(main())
    assert page == ["200 <p>pg None"]  # the page until begin(), not logged
    assert answers == [
        "200 api kept ",  # the trailing space kept as the scenario writes it
        "201 other None",
        "202 cdn None",
        "error HTTPError 404",  # the page origin has no route for / in this scenario
    ]
    assert logged == [
        "GET https://api.example.test/data 200",
        "GET https://other.example.test:8443/x 201",
        "GET http://cdn.example.test/plain 202",
        "GET https://app.example.test/ 404",
        "api.example.test",
        "other.example.test:8443",
        "cdn.example.test",
        "app.example.test",
    ]
    assert len(inside) == 1  # only the holder was left while it was open


def test_a_public_address_is_added_to_the_namespaces_loopback() -> None:
    async def main() -> list[str]:
        async with HostNamespace() as namespace:
            await namespace.map_hosts(["api.example.test"], PUBLIC_ADDRESS)
            await namespace.map_hosts(["app.example.test"])
            assert namespace.address_of("api.example.test") == PUBLIC_ADDRESS
            assert f"{PUBLIC_ADDRESS} api.example.test" in namespace.hosts_file.read_text()
            async with HostRoutedServers(namespace, SCENARIO) as servers:
                servers.begin()
                return await _fetch_inside(namespace, ["https://api.example.test/data"])

    assert asyncio.run(main()) == ["200 api kept "]


def test_the_real_hosts_file_and_network_are_untouched() -> None:
    before = Path("/etc/hosts").read_text(encoding="utf-8")

    async def main() -> None:
        async with HostNamespace() as namespace:
            await namespace.map_hosts(["api.example.test"])
            async with HostRoutedServers(namespace, SCENARIO):
                pass

    asyncio.run(main())
    assert Path("/etc/hosts").read_text(encoding="utf-8") == before


def test_everything_started_inside_is_stopped_with_it_even_when_cancelled() -> None:
    async def main() -> list[int]:
        started: list[asyncio.subprocess.Process] = []
        inside: list[int] = []

        async def hang() -> None:
            async with HostNamespace() as namespace:
                started.append(
                    await asyncio.create_subprocess_exec(
                        *namespace.command(["sleep", "300"]), start_new_session=True
                    )
                )
                for _ in range(200):  # until nsenter has exec'd the sleep inside
                    if len(namespace.processes_inside()) >= 2:
                        break
                    await asyncio.sleep(0.05)
                inside.extend(namespace.processes_inside())
                await asyncio.sleep(300)

        task = asyncio.get_running_loop().create_task(hang())
        for _ in range(400):
            if inside or task.done():
                break
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(started[0].wait(), 10)
        return inside

    inside = asyncio.run(main())
    alive = [pid for pid in inside if Path(f"/proc/{pid}").exists()]
    assert len(inside) == 2  # the holder and the sleep
    assert alive == []
