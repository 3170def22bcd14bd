"""Firefox's console categories and console lines, held to every truth Firefox recorded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from corsinspector.engine.firefox import FIREFOX_PREFIX, FIREFOX_SCRIPT_ERROR
from corsinspector.engine.judge import judge
from corsinspector.formats.scenario import load_scenario, load_truth
from corsinspector.model import Failure, Request, Route, Scenario
from tests.golden.corpus import GOLDEN, SCENARIOS

API = "https://api.example.test/data"
APP = "https://app.example.test"
ACAO = "Access-Control-Allow-Origin"


def firefox(request: Request, *routes: Route) -> Failure:
    verdict = judge(Scenario("f", request, routes, browser="firefox"))
    assert verdict.error is not None
    return verdict.error


def test_a_missing_allow_origin_names_the_status() -> None:
    error = firefox(Request(API), Route("GET", API, 500))
    assert (error.reason, error.kind, error.header, error.value) == (
        "CORSMissingAllowOrigin2",
        "MissingAllowOriginHeader",
        ACAO,
        None,
    )
    assert error.message == (
        f"{FIREFOX_PREFIX}{API}. (Reason: CORS header ‘{ACAO}’ missing). Status code: 500."  # noqa: RUF001
    )
    assert error.failed_parameter == ""


def test_two_exact_lines_are_multiple_but_other_spellings_merge_into_a_mismatch() -> None:
    one_line = Route("GET", API, 200, ((ACAO, f"{APP}, https://b.test"),))
    two_lines = Route("GET", API, 200, ((ACAO, APP), (ACAO, APP)))
    two_spellings = Route("GET", API, 200, ((ACAO, APP), (ACAO.lower(), APP)))
    assert firefox(Request(API), one_line).reason == "CORSAllowOriginNotMatchingOrigin"
    assert firefox(Request(API), two_lines).reason == "CORSMultipleAllowOriginNotAllowed"
    merged = firefox(Request(API), two_spellings)
    assert merged.reason == "CORSAllowOriginNotMatchingOrigin"
    assert merged.message.endswith(f"does not match ‘{APP}, {APP}’).")  # noqa: RUF001


def test_a_value_s_bytes_are_read_as_utf8() -> None:
    error = firefox(Request(API), Route("GET", API, 200, ((ACAO, f"{APP}\u00a0"),)))
    assert error.message.endswith(f"does not match ‘{APP}\ufffd’).")  # noqa: RUF001


def test_the_wildcard_with_credentials_quotes_the_url() -> None:
    route = Route("GET", API, 200, ((ACAO, "*"),))
    error = firefox(Request(API, credentials="include"), route)
    assert error.reason == "CORSNotSupportingCredentials"
    assert error.message.startswith(f"{FIREFOX_PREFIX}‘{API}’.")  # noqa: RUF001


def test_a_preflight_without_allow_origin_is_named_before_its_status_or_redirect() -> None:
    for status, extra in ((404, ()), (301, (("Location", "https://api.example.test/x"),))):
        preflight = Route("OPTIONS", API, status, extra)
        error = firefox(Request(API, method="PUT"), preflight)
        assert (error.reason, error.kind) == (
            "CORSMissingAllowOrigin2",
            "PreflightMissingAllowOriginHeader",
        )
        assert error.message.endswith(f"Status code: {status}.")


def test_a_preflight_not_ok_then_a_redirected_one() -> None:
    failed = firefox(Request(API, method="PUT"), Route("OPTIONS", API, 500, ((ACAO, APP),)))
    assert (failed.reason, failed.kind) == ("CORSPreflightDidNotSucceed3", "PreflightInvalidStatus")
    redirected = Route("OPTIONS", API, 307, ((ACAO, APP), ("Location", "/x")))
    error = firefox(Request(API, method="PUT"), redirected)
    assert (error.reason, error.kind, error.header) == (
        "CORSExternalRedirectNotAllowed",
        "PreflightDisallowedRedirect",
        "Location",
    )


@pytest.mark.parametrize("allow_headers", ["x trace", "x-other"])
def test_firefox_looks_for_the_method_before_parsing_allow_headers(allow_headers: str) -> None:
    headers = ((ACAO, APP), ("Access-Control-Allow-Headers", allow_headers))
    request = Request(API, method="PUT", headers=(("X-Trace", "1"),))
    error = firefox(request, Route("OPTIONS", API, 204, headers))
    assert (error.reason, error.kind) == (
        "CORSMethodNotFound",
        "MethodDisallowedByPreflightResponse",
    )


def test_the_first_invalid_token_is_named() -> None:
    headers = ((ACAO, APP), ("Access-Control-Allow-Methods", "PUT, GET POST"))
    error = firefox(Request(API, method="PUT"), Route("OPTIONS", API, 204, headers))
    assert error.reason == "CORSInvalidAllowMethod"
    assert "invalid token ‘GET POST’ in CORS header" in error.message  # noqa: RUF001


def test_the_first_missing_header_is_the_first_in_sorted_order() -> None:
    preflight = Route("OPTIONS", API, 204, ((ACAO, APP),))
    request = Request(API, headers=(("X-Zeta", "1"), ("X-Alpha", "1")))
    error = firefox(request, preflight)
    assert error.reason == "CORSMissingAllowHeaderFromPreflight2"
    assert (error.header, error.value) == ("Access-Control-Allow-Headers", "x-alpha")
    assert "header ‘x-alpha’ is not allowed" in error.message  # noqa: RUF001


def test_a_refused_redirect_did_not_succeed_at_the_url_that_redirected() -> None:
    """Firefox names no cause: the walk's diagnosis stays (a Location with credentials)."""
    route = Route("GET", API, 302, (("Location", "https://u:p@other.example.test/x"), (ACAO, "*")))
    error = firefox(Request(API), route)
    assert (error.reason, error.kind, error.header) == (
        "CORSDidNotSucceed2",
        "RedirectContainsCredentials",
        "Location",
    )
    assert error.message == (
        f"{FIREFOX_PREFIX}{API}. (Reason: CORS request did not succeed). Status code: (null)."
    )


def test_what_is_refused_before_sending() -> None:
    method = firefox(Request(API, method="TRACE"))
    assert (method.kind, method.reason, method.message) == (
        "FetchRejected",
        None,
        "TypeError: Window.fetch: Invalid request method TRACE.",
    )
    ftp = firefox(Request("ftp://api.example.test/x"))
    assert ftp.reason == "CORSRequestNotHttp"
    mode = firefox(Request(API, mode="same-origin"))
    assert mode.message == f"Security Error: Content at {APP}/ may not load data from {API}."
    non_method = firefox(Request(API, headers=(("X Y", "1"),)))
    assert (non_method.reason, non_method.message) == (None, FIREFOX_SCRIPT_ERROR)


def test_chromium_keeps_its_own_kind_and_message() -> None:
    scenario = Scenario("c", Request(API), (Route("GET", API, 200),), browser="firefox")
    chromium = judge(replace(scenario, browser="chromium"))
    assert chromium.error is not None
    assert chromium.error.reason is None
    assert chromium.error.message.startswith("Access to fetch at ")
    assert judge(scenario).error.kind == chromium.error.kind  # type: ignore[union-attr]


def _blocked_truths() -> list[Path]:
    paths = sorted((GOLDEN / "truths-firefox").glob("*.json"))
    return [p for p in paths if load_truth(p).reproducible and not load_truth(p).allowed]


@pytest.mark.parametrize("path", _blocked_truths(), ids=lambda p: p.stem)
def test_every_recorded_block_in_firefox_s_words(path: Path) -> None:
    """The category Firefox named first and its first error line, where the engine blocks
    too (whether it blocks is the differential test's)."""
    truth = load_truth(path)
    verdict = judge(replace(load_scenario(SCENARIOS / path.name), browser="firefox"))
    if verdict.error is None:
        pytest.skip("the engine allows it: tests/golden/test_engine_agrees.py says so")
    assert truth.result is not None
    expected = truth.cors_error
    assert verdict.error.reason == (None if expected is None else expected.kind)
    assert verdict.error.message == (truth.cors_message or truth.result.error)
    assert verdict.error.failed_parameter == ""
