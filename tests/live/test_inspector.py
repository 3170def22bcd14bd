"""The live inspector against real loopback servers: the scenario server and a fault server.

Each fault gives the right verdict within its timeout, with no leaked connection or task.
"""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from corsinspector.app.gallery import GALLERY, expected_of
from corsinspector.engine.kinds import outcome_label
from corsinspector.formats.scenario import load_scenario, scenario_from_dict
from corsinspector.live.inspector import (
    INSECURE_NOTE,
    InspectOptions,
    Inspector,
    network_error_for,
)
from corsinspector.model import Request, Scenario, Verdict
from corsinspector.wire.server import ScenarioServer
from tests.faultserver import FaultServer, refused_url

pytestmark = pytest.mark.integration

APP = "https://app.example.test"
T = TypeVar("T")


def run(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main`` on a fresh loop and require that it leaves no task behind."""

    async def guarded() -> T:
        result = await main()
        await asyncio.sleep(0)
        leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert leftover == [], leftover
        return result

    return asyncio.run(guarded())


async def inspect_on(
    scenario: Scenario, options: InspectOptions | None = None, **server: object
) -> tuple[Verdict, ScenarioServer]:
    async with ScenarioServer(scenario, **server) as live:  # type: ignore[arg-type]
        request = live.wire_request()
        async with Inspector(options) as inspector:
            verdict = await inspector.inspect(request)
    return verdict, live


@pytest.mark.parametrize("path", sorted(GALLERY.glob("*.json")), ids=lambda p: p.stem)
def test_each_gallery_scenario_gives_its_expected_verdict_live(path: Path) -> None:
    verdict, _ = run(lambda: inspect_on(load_scenario(path)))
    error = verdict.error
    assert outcome_label(verdict.allowed, None if error is None else error.kind) == expected_of(
        path
    )
    for exchange in verdict.exchanges:
        assert exchange.response is not None
        assert exchange.response.timings is not None
        assert exchange.response.timings.done is not None
        assert exchange.response.http_version == "HTTP/1.1"
        assert exchange.response.remote_address is not None


def _scenario(**request: object) -> Scenario:
    data = {
        "format": "cors-scenario/1",
        "name": "t",
        "request": {"url": "https://api.example.test/items", "origin": APP, **request},
        "server": [
            {
                "method": "OPTIONS",
                "url": "https://api.example.test/items",
                "status": 204,
                "headers": [
                    ["Access-Control-Allow-Origin", APP],
                    ["Access-Control-Allow-Methods", "PUT"],
                    ["Access-Control-Allow-Headers", "x-trace, content-type"],
                    ["Access-Control-Allow-Credentials", "true"],
                ],
            },
            {
                "method": "*",
                "url": "https://api.example.test/items",
                "status": 200,
                "headers": [
                    ["Access-Control-Allow-Origin", APP],
                    ["Access-Control-Allow-Credentials", "true"],
                    ["Set-Cookie", "sid=42; Path=/"],
                ],
                "body": "ok",
            },
        ],
    }
    return scenario_from_dict(json.loads(json.dumps(data)))


def test_the_preflight_goes_out_as_chromium_sends_it() -> None:
    scenario = _scenario(
        method="PUT", headers=[["X-Trace", "1"], ["Content-Type", "application/json"]]
    )
    verdict, server = run(lambda: inspect_on(scenario))
    assert verdict.allowed
    preflight, actual = server.log
    assert [name for name, _ in preflight.headers] == [
        "Host",
        "Connection",
        "Accept",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Origin",
        "User-Agent",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Site",
        "Sec-Fetch-Dest",
        "Accept-Encoding",
    ]
    sent = dict(preflight.headers)
    assert sent["Access-Control-Request-Headers"] == "content-type,x-trace"
    assert sent["Accept"] == "*/*"
    assert "Cookie" not in sent
    assert (actual.method, dict(actual.headers)["Origin"]) == ("PUT", APP)
    # what the verdict records is what went on the wire
    assert verdict.exchanges[0].request.headers == preflight.headers


def test_a_failed_preflight_stops_the_request_unless_sent_anyway() -> None:
    scenario = _scenario(method="DELETE")
    verdict, server = run(lambda: inspect_on(scenario))
    assert verdict.error is not None
    assert verdict.error.kind == "MethodDisallowedByPreflightResponse"
    assert [item.method for item in server.log] == ["OPTIONS"]
    anyway, server = run(lambda: inspect_on(scenario, InspectOptions(send_anyway=True)))
    assert anyway.error is not None
    assert anyway.error.kind == "MethodDisallowedByPreflightResponse"
    assert [item.method for item in server.log] == ["OPTIONS", "DELETE"]
    assert anyway.exchanges[-1].browser_sends is False
    assert any("no browser would send it" in note for note in anyway.notes)


def test_cookies_are_kept_and_sent_only_where_credentials_are_included() -> None:
    async def main() -> list[str | None]:
        scenario = _scenario(credentials="include")
        async with ScenarioServer(scenario) as live:
            url = live.map.to_wire_url(scenario.request.url)
            seen = []
            async with Inspector() as inspector:
                for credentials in ("include", "include", "omit", "same-origin"):
                    request = Request(url, origin=APP, credentials=credentials)  # type: ignore[arg-type]
                    await inspector.inspect(request)
                    seen.append(dict(live.log[-1].headers).get("Cookie"))
            return seen

    assert run(main) == [None, "sid=42", None, None]


def test_redirects_are_followed_hop_by_hop_and_the_origin_becomes_null() -> None:
    data = {
        "format": "cors-scenario/1",
        "request": {"url": "https://api.example.test/start", "origin": APP},
        "server": [
            {
                "method": "GET",
                "url": "https://api.example.test/start",
                "status": 302,
                "headers": [
                    ["Location", "https://other.example.test/end"],
                    ["Access-Control-Allow-Origin", "*"],
                ],
            },
            {
                "method": "GET",
                "url": "https://other.example.test/end",
                "status": 200,
                "headers": [["Access-Control-Allow-Origin", "null"]],
                "body": "end",
            },
        ],
    }
    scenario = scenario_from_dict(data)
    origins = ["https://api.example.test", "https://other.example.test"]
    verdict, server = run(lambda: inspect_on(scenario, origins=origins))
    assert verdict.allowed
    assert [dict(item.headers)["Origin"] for item in server.log] == [APP, "null"]
    assert [e.response.status for e in verdict.exchanges if e.response] == [302, 200]


def test_a_body_past_the_cap_is_marked_truncated() -> None:
    scenario = _scenario()
    verdict, _ = run(lambda: inspect_on(scenario, InspectOptions(body_cap=1)))
    response = verdict.exchanges[-1].response
    assert response is not None
    assert (response.body, response.body_truncated) == ("o", True)


def test_insecure_mode_is_flagged_in_the_verdict() -> None:
    verdict, _ = run(lambda: inspect_on(_scenario(), InspectOptions(verify=False)))
    assert INSECURE_NOTE in verdict.notes


# --- faults --------------------------------------------------------------------------


async def inspect_fault(
    path: str, seconds: float = 2.0, method: str = "GET", **options: object
) -> tuple[Verdict, FaultServer, float]:
    async with FaultServer() as server:
        request = Request(server.base_url + path, method=method, origin=APP)
        started = asyncio.get_running_loop().time()
        async with Inspector(InspectOptions(timeout=seconds, **options)) as inspector:  # type: ignore[arg-type]
            verdict = await inspector.inspect(request)
        elapsed = asyncio.get_running_loop().time() - started
        for _ in range(100):
            if server.open_connections == 0:
                break
            await asyncio.sleep(0.01)
        assert server.open_connections == 0, "a connection was left open"
    return verdict, server, elapsed


def _network_code(verdict: Verdict) -> str | None:
    assert verdict.error is not None
    assert verdict.error.kind == "NetworkFailure"
    assert verdict.error.message == "TypeError: Failed to fetch"
    return verdict.error.value


def test_a_refused_connection_is_a_verdict() -> None:
    async def main() -> Verdict:
        async with Inspector() as inspector:
            return await inspector.inspect(Request(refused_url(), origin=APP))

    verdict = run(main)
    assert _network_code(verdict) == "net::ERR_CONNECTION_REFUSED"
    assert verdict.exchanges[0].network_error is not None
    assert "Nothing is listening" in verdict.exchanges[0].network_error.explanation


@pytest.mark.parametrize(
    ("path", "codes"),
    [
        ("/reset-mid-header", {"net::ERR_CONNECTION_RESET", "net::ERR_EMPTY_RESPONSE"}),
        ("/garbage", {"net::ERR_INVALID_HTTP_RESPONSE"}),
        ("/hang", {"net::ERR_TIMED_OUT"}),
        ("/trickle", {"net::ERR_TIMED_OUT"}),
    ],
)
def test_a_misbehaving_server_is_a_network_failure_within_the_timeout(
    path: str, codes: set[str]
) -> None:
    verdict, _, elapsed = run(lambda: inspect_fault(path, seconds=1.0))
    assert _network_code(verdict) in codes
    assert elapsed < 3.0


def test_a_preflight_that_fails_on_the_network_is_a_preflight_failure() -> None:
    async def main() -> Verdict:
        async with Inspector() as inspector:
            return await inspector.inspect(Request(refused_url(), method="PUT", origin=APP))

    verdict = run(main)
    assert verdict.error is not None
    assert (verdict.error.stage, verdict.error.value) == (
        "preflight",
        "net::ERR_CONNECTION_REFUSED",
    )


def test_ten_thousand_headers_are_read_and_judged() -> None:
    verdict, _, _ = run(lambda: inspect_fault("/many-headers"))
    assert verdict.allowed
    response = verdict.exchanges[-1].response
    assert response is not None
    assert len(response.headers) > 10_000


def test_a_redirect_loop_stops_after_twenty_redirects() -> None:
    verdict, server, _ = run(lambda: inspect_fault("/redirect-loop"))
    assert _network_code(verdict) == "net::ERR_TOO_MANY_REDIRECTS"
    assert len(server.requests_seen) == 21


def test_a_huge_body_is_capped_and_memory_stays_bounded() -> None:
    cap = 4 * 1024 * 1024

    async def main() -> tuple[Verdict, int, int]:
        async with FaultServer() as server, Inspector(InspectOptions(body_cap=cap)) as inspector:
            request = Request(server.base_url + "/huge-body", origin=APP)
            tracemalloc.start()
            try:
                verdict = await inspector.inspect(request)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            for _ in range(100):
                if server.open_connections == 0:
                    break
                await asyncio.sleep(0.01)
            return verdict, peak, server.open_connections

    verdict, peak, still_open = run(main)
    assert verdict.allowed
    response = verdict.exchanges[-1].response
    assert response is not None
    assert response.body_truncated
    assert (response.body_size, len(response.body or "")) == (None, cap)
    assert peak < 2 * cap + 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a 1 GiB body"
    assert still_open == 0


def test_cancelling_an_inspection_releases_its_connection_at_once() -> None:
    async def main() -> int:
        async with FaultServer() as server, Inspector() as inspector:
            task = asyncio.get_running_loop().create_task(
                inspector.inspect(Request(server.base_url + "/hang", origin=APP))
            )
            for _ in range(200):
                if server.open_connections:
                    break
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            for _ in range(50):
                if server.open_connections == 0:
                    break
                await asyncio.sleep(0.01)
            return server.open_connections

    assert run(main) == 0


def test_every_httpx_transport_error_maps_to_a_chromium_code() -> None:
    def subclasses(cls: type) -> set[type]:
        return {cls} | {s for c in cls.__subclasses__() for s in subclasses(c)}

    request = httpx.Request("GET", "http://127.0.0.1/")
    for error_class in subclasses(httpx.TransportError):
        error = network_error_for(error_class("boom", request=request))
        assert error.code.startswith("net::ERR_"), error_class
        assert error.explanation


def test_without_a_proxy_the_inspector_goes_to_its_transport_directly() -> None:
    from corsinspector.wire.transport import WireTransport

    async def main() -> bool:
        async with Inspector() as inspector:
            return isinstance(inspector._direct, WireTransport)

    assert run(main)
