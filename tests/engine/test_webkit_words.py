"""WebKit's console lines (Safari's engine family), held to every truth WebKit recorded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from corsinspector.engine.judge import judge
from corsinspector.engine.webkit import WEBKIT_SCRIPT_ERROR
from corsinspector.formats.scenario import load_scenario, load_truth
from corsinspector.model import Failure, Request, Route, Scenario
from tests.golden.corpus import GOLDEN, SCENARIOS

API = "https://api.example.test/data"
APP = "https://app.example.test"
ACAO = "Access-Control-Allow-Origin"


def safari(request: Request, *routes: Route) -> Failure:
    verdict = judge(Scenario("s", request, routes, browser="safari"))
    assert verdict.error is not None
    return verdict.error


def test_an_origin_not_allowed_names_the_origin_and_the_status() -> None:
    error = safari(Request(API), Route("GET", API, 404))
    assert error.message == (
        f"Origin {APP} is not allowed by Access-Control-Allow-Origin. Status code: 404"
    )
    assert (error.kind, error.header, error.value, error.reason, error.failed_parameter) == (
        "MissingAllowOriginHeader",
        ACAO,
        None,
        None,
        "",
    )


def test_two_lines_make_a_list_and_a_list_is_more_than_one_origin() -> None:
    two_lines = Route("GET", API, 200, ((ACAO, APP), (ACAO.lower(), APP)))
    error = safari(Request(API), two_lines)
    assert error.message == "Access-Control-Allow-Origin cannot contain more than one origin."
    assert error.kind == "MultipleAllowOriginValues"


def test_credentials_against_a_wildcard_then_allow_credentials() -> None:
    star = safari(Request(API, credentials="include"), Route("GET", API, 200, ((ACAO, "*"),)))
    assert star.message == (
        "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
    )
    exact = safari(Request(API, credentials="include"), Route("GET", API, 200, ((ACAO, APP),)))
    assert exact.message == (
        'Credentials flag is true, but Access-Control-Allow-Credentials is not "true".'
    )


def test_a_preflight_s_status_comes_first_even_without_allow_origin() -> None:
    error = safari(Request(API, method="PUT"), Route("OPTIONS", API, 404))
    assert error.message == "Preflight response is not successful. Status code: 404"
    assert (error.kind, error.header) == ("PreflightInvalidStatus", None)


def test_both_lists_are_parsed_before_the_method_is_looked_for() -> None:
    headers = (
        (ACAO, APP),
        ("Access-Control-Allow-Methods", "DELETE"),
        ("Access-Control-Allow-Headers", "x trace"),
    )
    request = Request(API, method="PUT", headers=(("X-Trace", "1"),))
    error = safari(request, Route("OPTIONS", API, 204, headers))
    assert error.message == "Header Access-Control-Allow-Headers has an invalid value: x trace"
    assert error.kind == "InvalidAllowHeadersPreflightResponse"


def test_the_method_then_the_first_header_in_the_script_s_order_and_spelling() -> None:
    preflight = Route("OPTIONS", API, 204, ((ACAO, APP),))
    method = safari(Request(API, method="Patch"), preflight)
    assert method.message == "Method Patch is not allowed by Access-Control-Allow-Methods."
    request = Request(API, headers=(("X-Zeta", "1"), ("X-Alpha", "1")))
    header = safari(request, preflight)
    assert header.message == (
        "Request header field X-Zeta is not allowed by Access-Control-Allow-Headers."
    )
    assert (header.header, header.value) == ("Access-Control-Allow-Headers", "X-Zeta")


def test_a_redirect_is_denied_with_its_target_named() -> None:
    target = "https://user:pass@other.example.test/final"
    route = Route("GET", API, 302, (("Location", target), (ACAO, APP)))
    error = safari(Request(API), route)
    assert error.message == (
        "Cross-origin redirection to https://other.example.test/final denied by Cross-Origin "
        f"Resource Sharing policy: redirection URL {target} has credentials"
    )
    assert error.kind == "RedirectContainsCredentials"
    no_acao = safari(Request(API), Route("GET", API, 302, (("Location", "https://b.test/x"),)))
    assert no_acao.message.startswith("Cross-origin redirection to https://b.test/x denied by ")
    assert no_acao.message.endswith(f"Origin {APP} is not allowed by {ACAO}. Status code: 302")


def test_what_is_refused_before_sending() -> None:
    assert safari(Request(API, method="TRACE")).message == "TypeError: Method is forbidden."
    assert safari(Request(API, method="PUT", mode="no-cors")).message == (
        "TypeError: Method must be GET, POST or HEAD in no-cors mode."
    )
    assert safari(Request("ftp://api.example.test/x")).message == (
        "Cross origin requests are only supported for HTTP."
    )
    assert safari(Request(API, mode="same-origin")).message == f"Fetch API cannot load {API}."
    assert safari(Request(API, headers=(("X Y", "1"),))).message == WEBKIT_SCRIPT_ERROR


def _blocked_truths() -> list[Path]:
    paths = sorted((GOLDEN / "truths-webkit").glob("*.json"))
    return [p for p in paths if load_truth(p).reproducible and not load_truth(p).allowed]


@pytest.mark.parametrize("path", _blocked_truths(), ids=lambda p: p.stem)
def test_every_recorded_block_in_webkit_s_words(path: Path) -> None:
    """WebKit's first error line (or the TypeError when it prints none), where the engine
    blocks too and sends what WebKit sent (those are the differential test's)."""
    truth = load_truth(path)
    verdict = judge(replace(load_scenario(SCENARIOS / path.name), browser="safari"))
    sent = [(e.request.method, e.request.url) for e in verdict.exchanges]
    if verdict.error is None or sent != [(r.method, r.url) for r in truth.received]:
        pytest.skip("the engine allows it or sends otherwise: tests/golden/test_engine_agrees.py")
    assert truth.result is not None
    assert verdict.error.message == (truth.cors_message or truth.result.error)
    assert (verdict.error.reason, verdict.error.failed_parameter) == (None, "")
