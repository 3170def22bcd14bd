"""The headers each browser profile adds, judged offline through the walk (the live
comparison with embedded Chromium is tests/wire/test_wire_headers.py)."""

from __future__ import annotations

from corsinspector.engine.judge import judge
from corsinspector.model import Exchange, Request, Route, Scenario
from corsinspector.wire.profiles import CHROMIUM, FIREFOX, chain_fetch_site, wire_headers

PAGE = "http://127.0.0.1:5173"
_ACAO = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "x-trace"))


def _chain(headers: tuple[tuple[str, str], ...] = ()) -> list[Exchange]:
    """127.0.0.1 (same-site) → localhost (cross-site) → back to 127.0.0.1."""
    routes = (
        Route("OPTIONS", None, 204, _ACAO),
        Route(
            "GET", "http://127.0.0.1:8000/a", 302, (*_ACAO, ("Location", "http://localhost:8000/b"))
        ),
        Route(
            "GET", "http://localhost:8000/b", 302, (*_ACAO, ("Location", "http://127.0.0.1:8000/c"))
        ),
        Route("GET", "http://127.0.0.1:8000/c", 200, _ACAO),
    )
    request = Request("http://127.0.0.1:8000/a", origin=PAGE, headers=headers)
    verdict = judge(Scenario("chain", request, routes))
    assert verdict.allowed, verdict.error
    return list(verdict.exchanges)


def _site(exchange: Exchange) -> str:
    return dict(wire_headers(CHROMIUM, exchange, PAGE))["Sec-Fetch-Site"]


def test_sec_fetch_site_stays_cross_site_for_the_rest_of_a_chain() -> None:
    assert [_site(e) for e in _chain()] == ["same-site", "cross-site", "cross-site"]


def test_a_redirect_needing_a_preflight_restarts_the_chain() -> None:
    exchanges = _chain((("X-Trace", "1"),))
    assert [e.kind for e in exchanges] == ["preflight", "actual"] * 3
    assert [_site(e) for e in exchanges] == ["same-site"] * 2 + ["cross-site"] * 2 + [
        "same-site"
    ] * 2


def test_the_most_cross_site_url_of_the_chain_wins() -> None:
    assert chain_fetch_site(PAGE, f"{PAGE}/x") == "same-origin"
    assert chain_fetch_site(PAGE, f"{PAGE}/x", ("http://127.0.0.1:1/",)) == "same-site"
    assert chain_fetch_site(PAGE, f"{PAGE}/x", ("http://a.test/", PAGE)) == "cross-site"


def test_the_firefox_profile_keeps_its_own_order_and_language() -> None:
    request = Request(
        "https://api.example.test/x",
        method="POST",
        origin="https://app.example.test",
        headers=(("Range", "bytes=0-1"),),
        body="x",
    )
    (exchange,) = judge(Scenario("ff", request, (Route("*", None, 200, _ACAO),))).exchanges
    names = [name for name, _ in wire_headers(FIREFOX, exchange, request.origin)]
    assert names[:2] == ["Connection", "User-Agent"]
    assert "Content-Length" not in names  # the HTTP client adds it, last
    assert names[-2:] == ["Accept-Encoding", "Accept-Language"]
    chromium = wire_headers(CHROMIUM, exchange, request.origin)
    assert chromium[1] == ("Content-Length", "1")
    assert ("Accept-Encoding", "identity") in chromium
