"""Symbolic origins played on loopback ports, and everything mapped back."""

from __future__ import annotations

from corsinspector.model import Request, Route, Scenario
from corsinspector.wire.loopback import LoopbackMap, scenario_origins, unreproducible_reason

API = "https://api.example.test"
OTHER = "https://other.example.test"
APP = "https://app.example.test"


def _redirecting() -> Scenario:
    return Scenario(
        "r",
        Request(f"{API}/start", origin=APP),
        (
            Route("GET", f"{API}/start", 302, (("Location", f"{OTHER}/next"),)),
            Route("GET", f"{OTHER}/next", 307, (("Location", "/last"),)),
            Route("GET", f"{OTHER}/last", 302, (("Location", f"{APP}/back"),)),
        ),
    )


def test_every_origin_a_browser_may_reach_is_found_in_order() -> None:
    assert scenario_origins(_redirecting()) == [API, OTHER, APP]


def test_non_http_targets_need_no_listener() -> None:
    scenario = Scenario("f", Request("ftp://api.example.test/x", origin=APP))
    assert scenario_origins(scenario) == []


def test_an_https_page_calling_plain_http_is_unreproducible() -> None:
    scenario = Scenario("m", Request("http://api.example.test/x", origin=APP))
    reason = unreproducible_reason(scenario)
    assert reason is not None
    assert "mixed content" in reason
    assert unreproducible_reason(Scenario("l", Request("http://127.0.0.1:9/", origin=APP))) is None
    assert unreproducible_reason(_redirecting()) is None


def _map() -> LoopbackMap:
    return LoopbackMap(
        wire={
            API: "http://127.0.0.1:4001",
            OTHER: "http://127.0.0.1:4002",
            APP: "http://127.0.0.1:4003",
        },
        page_origin=APP,
    )


def test_locations_and_urls_go_to_the_wire_with_userinfo_kept() -> None:
    wire = _map()
    assert wire.to_wire_url(f"{API}/a?b=1") == "http://127.0.0.1:4001/a?b=1"
    assert wire.to_wire_url("https://u:p@other.example.test/x") == "http://u:p@127.0.0.1:4002/x"
    assert wire.to_wire_url("https://elsewhere.test/x") == "https://elsewhere.test/x"
    headers = wire.rewrite_response_headers(
        (("location", f" {OTHER}/next"), ("Location", "/relative"), ("X-Other", API))
    )
    assert headers == (
        ("location", " http://127.0.0.1:4002/next"),
        ("Location", "/relative"),
        ("X-Other", API),
    )


def test_allow_origin_naming_a_played_page_is_rewritten_token_by_token() -> None:
    headers = _map().rewrite_response_headers(
        (
            ("Access-Control-Allow-Origin", APP),
            ("Access-Control-Allow-Origin", f"{APP}, {API}"),
            ("Access-Control-Allow-Origin", f"{APP}/"),
            ("Access-Control-Allow-Origin", "*"),
        )
    )
    assert [value for _, value in headers] == [
        "http://127.0.0.1:4003",
        f"http://127.0.0.1:4003, {API}",
        f"{APP}/",
        "*",
    ]


def test_allow_origin_is_left_alone_when_the_page_keeps_its_origin() -> None:
    wire = LoopbackMap(wire={API: "http://127.0.0.1:4001"})
    assert wire.rewrite_response_headers((("Access-Control-Allow-Origin", APP),)) == (
        ("Access-Control-Allow-Origin", APP),
    )


def test_console_text_and_request_headers_map_back() -> None:
    wire = _map()
    text = (
        "Access to fetch at 'http://127.0.0.1:4002/next' (redirected from "
        "'http://127.0.0.1:4001/start') from origin 'http://127.0.0.1:4003' has been blocked"
    )
    assert wire.to_symbolic_text(text) == (
        f"Access to fetch at '{OTHER}/next' (redirected from '{API}/start') from origin "
        f"'{APP}' has been blocked"
    )
    assert wire.to_symbolic_text("http://127.0.0.1:4999/x") == "http://127.0.0.1:4999/x"
    assert wire.to_symbolic_headers(
        (
            ("Host", "127.0.0.1:4001"),
            ("Origin", "http://127.0.0.1:4003"),
            ("Referer", "http://127.0.0.1:4003/"),
            ("Origin", "null"),
        )
    ) == (("Host", "api.example.test"), ("Origin", APP), ("Referer", f"{APP}/"), ("Origin", "null"))


def test_a_scheme_relative_location_keeps_the_scenario_scheme() -> None:
    headers = _map().rewrite_response_headers(
        (("Location", "//other.example.test/final"),), base=f"{API}/data"
    )
    assert headers == (("Location", "http://127.0.0.1:4002/final"),)
