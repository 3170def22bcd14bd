"""The banner's words for a verdict (corsinspector.app.report.headline), judged offline."""

from __future__ import annotations

from dataclasses import replace

from corsinspector.app.gallery import GALLERY
from corsinspector.app.report import headline
from corsinspector.engine.judge import judge
from corsinspector.formats.scenario import load_scenario
from corsinspector.model import (
    Exchange,
    Failure,
    NetworkError,
    Request,
    Route,
    Scenario,
    SentRequest,
    Verdict,
)


def _judged(name: str) -> Verdict:
    return judge(load_scenario(GALLERY / f"{name}.json"))


def test_a_blocked_preflight_is_named_with_its_kind_plain_words_and_console_message() -> None:
    verdict = _judged("custom-header-not-allowed")
    words = headline(verdict)
    assert words.state == "blocked"
    assert words.title == "Blocked at the preflight: HeaderDisallowedByPreflightResponse"
    assert words.body.startswith("The preflight does not allow a request header.")
    assert verdict.error is not None
    assert words.console == verdict.error.message
    assert words.console in words.body


def test_firefox_names_its_reason_code_and_prints_its_own_console_message() -> None:
    scenario = load_scenario(GALLERY / "custom-header-not-allowed.json")
    words = headline(judge(replace(scenario, browser="firefox")))
    assert "Firefox's reason: CORSMissingAllowHeaderFromPreflight." in words.body
    assert words.console.startswith("Cross-Origin Request Blocked:")


def test_a_block_of_the_actual_request_says_so_in_words() -> None:
    assert headline(_judged("missing-allow-origin")).title == (
        "Blocked at the actual request: MissingAllowOriginHeader"
    )


def test_an_allowed_request_names_what_script_may_read() -> None:
    words = headline(_judged("simple-get-allowed"))
    assert words.state == "allowed"
    assert words.title.startswith("Allowed — script can read the response")
    assert words.console == ""


def test_no_answer_at_all_is_a_network_error_not_a_cors_block() -> None:
    verdict = _judged("simple-get-allowed")
    request = SentRequest("GET", "http://127.0.0.1:9/items", ())
    refused = NetworkError("net::ERR_CONNECTION_REFUSED", "Nothing is listening there.")
    failed = replace(
        verdict,
        allowed=False,
        error=Failure(
            "actual",
            "NetworkFailure",
            None,
            "net::ERR_CONNECTION_REFUSED",
            "TypeError: Failed to fetch",
        ),
        exchanges=(Exchange("actual", request, network_error=refused),),
    )
    words = headline(failed)
    assert words.state == "error"
    assert words.title == "No answer to the request: net::ERR_CONNECTION_REFUSED"
    assert "Nothing is listening there." in words.body
    assert "not a CORS block" in words.body
    assert words.console == "TypeError: Failed to fetch"


def _refusal(url: str, *routes: Route) -> Verdict:
    return judge(Scenario("refused", Request(url, origin="https://app.example.test"), routes))


def test_a_restricted_port_is_the_browser_s_refusal_not_a_cors_block() -> None:
    words = headline(_refusal("https://api.example.test:6667/items"))
    assert words.state == "error"
    assert words.title == "The browser refused the request: net::ERR_UNSAFE_PORT"
    assert "restricted ports" in words.body
    assert "not a CORS block" in words.body
    assert words.console == "TypeError: Failed to fetch"


def test_a_redirect_loop_is_the_browser_s_refusal_of_the_redirect() -> None:
    loop = Route("GET", None, 302, (("Access-Control-Allow-Origin", "*"), ("Location", "/a")))
    words = headline(_refusal("https://api.example.test/a", loop))
    assert (words.state, words.title) == (
        "error",
        "The browser refused the redirect: net::ERR_TOO_MANY_REDIRECTS",
    )


def test_fetch_throwing_on_a_url_with_credentials_is_not_a_cors_block() -> None:
    words = headline(_refusal("https://user:pw@api.example.test/items"))
    assert (words.state, words.title) == ("error", "Refused by the browser: FetchRejected")
    assert words.console.endswith(
        "Request cannot be constructed from a URL that includes credentials: "
        "https://user:pw@api.example.test/items"
    )
