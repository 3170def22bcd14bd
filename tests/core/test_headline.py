"""The banner's words for a verdict (corsinspector.report.headline), judged offline."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from corsinspector.engine.judge import judge
from corsinspector.formats import load_scenario
from corsinspector.model import Exchange, Failure, NetworkError, SentRequest, Verdict
from corsinspector.report import headline

GALLERY = Path(__file__).resolve().parents[2] / "resources" / "gallery"


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
