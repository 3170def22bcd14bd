"""``localhost`` and ``*.localhost`` names are loopback, as in browsers (RFC 6761): one
definition (``origins.is_localhost_name``), dialled on loopback by our transport and by the
httpx path (``--http2``, ``--proxy``), which never sends them to a proxy (as Chromium)."""

from __future__ import annotations

import asyncio

import pytest

from corsinspector.live.inspector import InspectOptions, Inspector
from corsinspector.model import Headers, Request, Route, Scenario, Verdict
from corsinspector.origins import is_localhost_name
from corsinspector.wire.dial import dial_host
from corsinspector.wire.server import serve_in_thread

APP = "https://app.example.test"
_ACAO: Headers = (("Access-Control-Allow-Origin", "*"),)
# Nothing listens on the discard port: a request sent through this proxy fails.
_DEAD_PROXY = "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True),
        ("api.localhost", True),
        ("API.LocalHost", True),
        ("a.b.localhost.", True),
        ("localhost.", True),
        ("localhost.example", False),
        ("notlocalhost", False),
        ("127.0.0.1", False),
        ("", False),
    ],
)
def test_a_localhost_name_is_known_once_and_dialled_on_loopback(host: str, local: bool) -> None:
    assert is_localhost_name(host) is local
    assert dial_host(host) == ("localhost" if local else host)


def _inspect(url: str, options: InspectOptions) -> Verdict:
    async def main() -> Verdict:
        async with Inspector(options) as inspector:
            return await inspector.inspect(Request(url, origin=APP))

    return asyncio.run(main())


@pytest.mark.integration
@pytest.mark.parametrize(
    "options",
    [
        InspectOptions(timeout=10),
        InspectOptions(timeout=10, http2=True),
        InspectOptions(timeout=10, proxy=_DEAD_PROXY),
        InspectOptions(timeout=10, proxy=_DEAD_PROXY, http2=True),
    ],
    ids=["wire", "http2", "proxy", "proxy-http2"],
)
def test_a_dot_localhost_name_reaches_loopback_on_every_path(options: InspectOptions) -> None:
    scenario = Scenario("localhost", Request("http://api.example.test/ok"), (
        Route("*", None, 200, _ACAO, "ok"),
    ))  # fmt: skip
    with serve_in_thread(scenario) as server:
        verdict = _inspect(f"http://api.localhost:{server.port}/ok", options)
        assert verdict.allowed, verdict.error
        assert [dict(item.headers)["Host"] for item in server.log] == [
            f"api.localhost:{server.port}"
        ]
        if options.proxy is not None:  # other hosts still go through the (dead) proxy
            other = _inspect(f"http://127.0.0.1:{server.port}/ok", options)
            assert not other.allowed
            assert other.exchanges[-1].network_error is not None
            assert len(server.log) == 1
