"""The differential test: each browser profile against every reproducible truth recorded in
its own browser, field by field (chromium-140 on truths/, chrome on truths-chromium/, firefox
on truths-firefox/, safari on truths-webkit/).

A disagreement is an engine bug: fix the engine, never the truth.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from corsinspector.engine.judge import judge
from corsinspector.engine.profiles import PROFILES, Profile, get_profile
from corsinspector.formats.scenario import load_scenario, load_truth
from corsinspector.model import Headers, Truth, Verdict
from tests.golden.corpus import GOLDEN, SCENARIOS

#: Failure kinds of ours, for rejections that are not CORS errors (no corsErrorStatus).
NON_CORS_KINDS = {"FetchRejected", "NetworkFailure", "MixedContent", "DisallowedByMode"}

#: The header each kind blames: what the window highlights (present, or missing).
CULPRIT = {
    "MissingAllowOriginHeader": "Access-Control-Allow-Origin",
    "AllowOriginMismatch": "Access-Control-Allow-Origin",
    "InvalidAllowOriginValue": "Access-Control-Allow-Origin",
    "MultipleAllowOriginValues": "Access-Control-Allow-Origin",
    "WildcardOriginNotAllowed": "Access-Control-Allow-Origin",
    "InvalidAllowCredentials": "Access-Control-Allow-Credentials",
    "InvalidStatus": None,
    "DisallowedRedirect": "Location",
    "InvalidAllowMethodsPreflightResponse": "Access-Control-Allow-Methods",
    "MethodDisallowedByPreflightResponse": "Access-Control-Allow-Methods",
    "InvalidAllowHeadersPreflightResponse": "Access-Control-Allow-Headers",
    "HeaderDisallowedByPreflightResponse": "Access-Control-Allow-Headers",
    "RedirectContainsCredentials": "Location",
    "CorsDisabledScheme": "Location",  # Chrome's, on a redirect to a scheme CORS refuses
    # Firefox's console categories (its truths' kinds)
    "CORSMissingAllowOrigin2": "Access-Control-Allow-Origin",
    "CORSAllowOriginNotMatchingOrigin": "Access-Control-Allow-Origin",
    "CORSMultipleAllowOriginNotAllowed": "Access-Control-Allow-Origin",
    "CORSNotSupportingCredentials": "Access-Control-Allow-Origin",
    "CORSMissingAllowCredentials": "Access-Control-Allow-Credentials",
    "CORSPreflightDidNotSucceed3": None,
    "CORSExternalRedirectNotAllowed": "Location",
    "CORSRequestNotHttp": "Location",  # on a redirect (a URL fetched as typed blames none)
    "CORSInvalidAllowMethod": "Access-Control-Allow-Methods",
    "CORSMethodNotFound": "Access-Control-Allow-Methods",
    "CORSInvalidAllowHeader": "Access-Control-Allow-Headers",
    "CORSMissingAllowHeaderFromPreflight2": "Access-Control-Allow-Headers",
    "CORSAllowHeaderFromPreflightDeprecation": "Access-Control-Allow-Headers",
}
#: Firefox's category for a request that failed on the network: it blames no header.
NETWORK_CATEGORY = "CORSDidNotSucceed2"


def _reproducible() -> list[tuple[Profile, Path]]:
    return [
        (profile, path)
        for profile in PROFILES.values()
        for path in sorted((GOLDEN / profile.truths).glob("*.json"))
        if load_truth(path).reproducible
    ]


def _pair(profile: Profile, path: Path) -> tuple[Verdict, Truth]:
    truth = load_truth(path)
    scenario = replace(load_scenario(SCENARIOS / path.name), browser=profile.name)
    return judge(scenario), truth


def _is_subsequence(wanted: Headers, received: Headers) -> bool:
    """``wanted`` appears in ``received`` in the same relative order, values equal."""
    position = 0
    for name, value in wanted:
        while position < len(received) and (
            received[position][0].lower(),
            received[position][1],
        ) != (
            name.lower(),
            value,
        ):
            position += 1
        if position == len(received):
            return False
        position += 1
    return True


@pytest.fixture(params=_reproducible(), ids=lambda case: f"{case[0].name}:{case[1].stem}")
def pair(request: pytest.FixtureRequest) -> tuple[Verdict, Truth]:
    return _pair(*request.param)


def test_allowed(pair: tuple[Verdict, Truth]) -> None:
    verdict, truth = pair
    assert verdict.allowed == truth.allowed


def test_every_request_sent_in_order(pair: tuple[Verdict, Truth]) -> None:
    verdict, truth = pair
    engine = [(e.request.method, e.request.url) for e in verdict.exchanges]
    chromium = [(r.method, r.url) for r in truth.received]
    assert engine == chromium


def test_preflight_sent_and_its_headers(pair: tuple[Verdict, Truth]) -> None:
    verdict, truth = pair
    assert len(verdict.preflights) == len(truth.preflights)
    for ours, theirs in zip(verdict.preflights, truth.preflights, strict=True):
        assert _is_subsequence(ours.request.headers, theirs.headers), (
            f"{ours.request.headers} not in order in {theirs.headers}"
        )


def test_actual_sent(pair: tuple[Verdict, Truth]) -> None:
    verdict, truth = pair
    assert bool(verdict.actuals) == bool(truth.actual_requests)


def test_error_kind_and_failed_parameter(pair: tuple[Verdict, Truth]) -> None:
    verdict, truth = pair
    if truth.allowed:
        assert verdict.error is None
        return
    assert verdict.error is not None
    expected = truth.cors_error
    if get_profile(truth.browser).family != "chromium":
        # Firefox's console category (WebKit names none) is the failure's reason
        kind = None if expected is None else expected.kind
        assert verdict.error.reason == kind
        return
    if expected is None:
        assert verdict.error.kind in NON_CORS_KINDS
    else:
        assert (verdict.error.kind, verdict.error.failed_parameter) == (
            expected.kind,
            expected.failed_parameter,
        )


def test_message_word_for_word(pair: tuple[Verdict, Truth]) -> None:
    verdict, truth = pair
    if truth.allowed:
        return
    assert verdict.error is not None
    assert truth.result is not None
    assert verdict.error.message == (truth.cors_message or truth.result.error)


def test_readable_headers_and_response_type(pair: tuple[Verdict, Truth]) -> None:
    verdict, truth = pair
    if not truth.allowed:
        return
    assert truth.result is not None
    assert list(verdict.exposed_headers) == list(truth.result.readable_headers)
    assert verdict.response_type == truth.result.response_type


def test_the_culprit_is_the_header_the_kind_blames(pair: tuple[Verdict, Truth]) -> None:
    verdict, truth = pair
    error, expected = verdict.error, truth.cors_error
    if error is None or expected is None or error.stage == "request":
        return
    if expected.kind == NETWORK_CATEGORY:
        return
    assert error.header == CULPRIT[expected.kind.removeprefix("Preflight")]
    response = verdict.exchanges[-1].response
    assert response is not None
    present = [v for k, v in response.headers if error.header and k.lower() == error.header.lower()]
    if error.header in ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"):
        # the value the window highlights is the one received (None: the header is missing)
        assert (error.value is None) == (not present)
