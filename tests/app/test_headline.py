"""The banner's words for a verdict (corsinspector.app.report.headline), judged offline."""

from __future__ import annotations

from dataclasses import replace

import pytest

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
from tests.golden.corpus import scenario_paths


def _judged(name: str) -> Verdict:
    return judge(load_scenario(GALLERY / f"{name}.json"))


def test_a_blocked_preflight_is_named_with_its_kind_plain_words_and_console_message() -> None:
    verdict = _judged("custom-header-not-allowed")
    words = headline(verdict)
    assert words.state == "blocked"
    # the headline names the culprit in plain words; Chromium's kind stays, in the body
    assert words.title == (
        "Blocked: the server does not allow the request header `x-request-id` "
        "(its `Access-Control-Allow-Headers` allows `content-type`)"
    )
    assert words.kind == "Blocked at the preflight: HeaderDisallowedByPreflightResponse"
    assert words.body.startswith(
        "The preflight does not allow a request header. "
        "Blocked at the preflight: HeaderDisallowedByPreflightResponse."
    )
    assert verdict.error is not None
    assert words.console == verdict.error.message
    assert words.console in words.body


def test_firefox_names_its_reason_code_and_prints_its_own_console_message() -> None:
    scenario = load_scenario(GALLERY / "custom-header-not-allowed.json")
    words = headline(judge(replace(scenario, browser="firefox")))
    assert "Firefox's reason: CORSMissingAllowHeaderFromPreflight2." in words.body
    assert words.console.startswith("Cross-Origin Request Blocked:")


def test_a_block_of_the_actual_request_says_so_in_words() -> None:
    words = headline(_judged("missing-allow-origin"))
    assert words.title == (
        "Blocked: the response has no `Access-Control-Allow-Origin` for the origin "
        "`https://app.example.test`"
    )
    assert words.kind == "Blocked at the actual request: MissingAllowOriginHeader"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        (
            "wildcard-with-credentials",
            "Blocked: `Access-Control-Allow-Origin` is `*`, which a request with credentials "
            "cannot use",
        ),
        (
            "redirected-preflight",
            "Blocked: the preflight was redirected (301 → `Location: /items/`)",
        ),
        (
            "method-not-allowed",
            "Blocked: the server does not allow the method `DELETE` (its "
            "`Access-Control-Allow-Methods` allows `GET, POST`)",
        ),
        (
            "allow-origin-trailing-slash",
            "Blocked: `Access-Control-Allow-Origin` is `https://app.example.test/` — the trailing "
            "slash makes it differ from `https://app.example.test`",
        ),
        (
            "preflight-401-auth-first",
            "Blocked: the preflight got 401, with no `Access-Control-Allow-Origin` for "
            "`https://app.example.test`",
        ),
    ],
)
def test_the_headline_of_a_gallery_block_in_plain_words(name: str, title: str) -> None:
    assert headline(_judged(name)).title == title


def _blocked() -> list[tuple[str, Verdict]]:
    """Every blocked gallery scenario, and one golden scenario per kind, culprit and
    whether a value was sent."""
    out: list[tuple[str, Verdict]] = []
    seen: set[tuple[str, str | None, bool]] = set()
    for path in [*sorted(GALLERY.glob("*.json")), *scenario_paths()]:
        verdict = judge(load_scenario(path))
        error = verdict.error
        if error is None or headline(verdict).state != "blocked":
            continue
        key = (error.kind, error.header, error.value is None)
        if path.parent != GALLERY and key in seen:
            continue
        seen.add(key)
        out.append((path.name, verdict))
    return out


def test_every_blocked_headline_names_the_culprit_header_and_the_value_sent() -> None:
    blocked = _blocked()
    kinds = {verdict.error.kind for _, verdict in blocked if verdict.error is not None}
    assert len(kinds) >= 18  # nearly every CORS kind is in the corpus
    for name, verdict in blocked:
        error = verdict.error
        assert error is not None
        title = headline(verdict).title
        assert title.startswith("Blocked: "), name
        assert error.kind not in title, (name, title)  # plain words, not Chromium's name
        if error.header is not None:
            assert f"`{error.header}" in title, (name, title)
        if error.value:
            assert error.value in title, (name, title)
        elif error.header is not None and error.value == "":
            assert "empty" in title, (name, title)


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
