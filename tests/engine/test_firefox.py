"""Firefox's reason codes and messages for the failures the engine finds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corsinspector.engine.firefox import FIREFOX_PREFIX, FIREFOX_SCRIPT_ERROR
from corsinspector.engine.judge import judge
from corsinspector.model import Request, Route, Scenario

API = "https://api.example.test/data"
APP = "https://app.example.test"


def firefox(request: Request, *routes: Route) -> tuple[str | None, str]:
    verdict = judge(Scenario("f", request, routes, browser="firefox"))
    assert verdict.error is not None
    return verdict.error.reason, verdict.error.message


def test_a_missing_allow_origin_names_the_status() -> None:
    reason, message = firefox(Request(API), Route("GET", API, 500))
    assert reason == "CORSMissingAllowOrigin"
    assert message == (
        f"{FIREFOX_PREFIX}{API}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). "  # noqa: RUF001
        "Status code: 500."
    )


def test_one_line_with_two_origins_is_a_mismatch_but_two_lines_are_multiple() -> None:
    one_line = Route("GET", API, 200, (("Access-Control-Allow-Origin", f"{APP}, https://b.test"),))
    two_lines = Route(
        "GET",
        API,
        200,
        (("Access-Control-Allow-Origin", APP), ("Access-Control-Allow-Origin", APP)),
    )
    assert firefox(Request(API), one_line)[0] == "CORSAllowOriginNotMatchingOrigin"
    assert firefox(Request(API), two_lines)[0] == "CORSMultipleAllowOriginNotAllowed"


def test_the_wildcard_with_credentials_quotes_the_url() -> None:
    route = Route("GET", API, 200, (("Access-Control-Allow-Origin", "*"),))
    reason, message = firefox(Request(API, credentials="include"), route)
    assert reason == "CORSNotSupportingCredentials"
    assert message.startswith(f"{FIREFOX_PREFIX}‘{API}’.")  # noqa: RUF001


@pytest.mark.parametrize(
    ("allow_headers", "reason"),
    [("x trace", "CORSMethodNotFound"), ("x-other", "CORSMethodNotFound")],
)
def test_firefox_looks_for_the_method_before_parsing_allow_headers(
    allow_headers: str, reason: str
) -> None:
    preflight = Route(
        "OPTIONS",
        API,
        204,
        (("Access-Control-Allow-Origin", APP), ("Access-Control-Allow-Headers", allow_headers)),
    )
    request = Request(API, method="PUT", headers=(("X-Trace", "1"),))
    assert firefox(request, preflight)[0] == reason


def test_the_first_missing_header_is_the_first_in_sorted_order() -> None:
    preflight = Route("OPTIONS", API, 204, (("Access-Control-Allow-Origin", APP),))
    request = Request(API, headers=(("X-Zeta", "1"), ("X-Alpha", "1")))
    reason, message = firefox(request, preflight)
    assert reason == "CORSMissingAllowHeaderFromPreflight"
    assert "header ‘x-alpha’ is not allowed" in message  # noqa: RUF001


def test_a_kind_firefox_has_no_reason_for_shows_the_script_error() -> None:
    route = Route(
        "GET",
        API,
        302,
        (("Location", "https://u:p@other.example.test/x"), ("Access-Control-Allow-Origin", "*")),
    )
    reason, message = firefox(Request(API), route)
    assert (reason, message) == (None, FIREFOX_SCRIPT_ERROR)


def test_chromium_keeps_its_own_kind_and_message() -> None:
    scenario = Scenario("c", Request(API), (Route("GET", API, 200),), browser="firefox")
    chromium = judge(replace(scenario, browser="chromium"))
    assert chromium.error is not None
    assert chromium.error.reason is None
    assert judge(scenario).error.kind == chromium.error.kind  # type: ignore[union-attr]
