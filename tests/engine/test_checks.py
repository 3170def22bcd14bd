"""The CORS check and the preflight check, rule by rule, in Chromium's order."""

from __future__ import annotations

import pytest

from corsinspector.engine.checks import (
    check_access,
    check_preflight,
    is_redirect,
    joined_value,
    parse_allow_list,
)

APP = "https://app.example.test"


def kind(
    headers: list[tuple[str, str]], credentials: bool = False, origin: str = APP
) -> str | None:
    problem = check_access(tuple(headers), origin, credentials)
    return None if problem is None else problem.kind


def test_allow_origin_equal_to_the_origin_passes() -> None:
    assert kind([("Access-Control-Allow-Origin", APP)]) is None


def test_a_missing_allow_origin_is_its_own_kind() -> None:
    assert kind([]) == "MissingAllowOriginHeader"


def test_the_wildcard_passes_without_credentials_only() -> None:
    assert kind([("Access-Control-Allow-Origin", "*")]) is None
    assert (
        kind([("Access-Control-Allow-Origin", "*")], credentials=True) == "WildcardOriginNotAllowed"
    )


def test_the_wildcard_with_credentials_wins_over_allow_credentials() -> None:
    headers = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")]
    assert kind(headers, credentials=True) == "WildcardOriginNotAllowed"


@pytest.mark.parametrize(
    "value", [f"{APP}/", "https://App.example.test", f"{APP}:443", "null", "https://*.example.test"]
)
def test_any_other_well_formed_origin_is_a_mismatch(value: str) -> None:
    assert kind([("Access-Control-Allow-Origin", value)]) == "AllowOriginMismatch"


@pytest.mark.parametrize("value", ["foo", ""])
def test_a_value_that_is_not_a_url_is_invalid(value: str) -> None:
    assert kind([("Access-Control-Allow-Origin", value)]) == "InvalidAllowOriginValue"


def test_two_lines_are_joined_and_are_multiple_values_even_when_identical() -> None:
    headers = [("Access-Control-Allow-Origin", APP), ("access-control-allow-origin", APP)]
    problem = check_access(tuple(headers), APP, False)
    assert problem is not None
    assert (problem.kind, problem.failed_parameter) == (
        "MultipleAllowOriginValues",
        f"{APP}, {APP}",
    )


def test_a_space_separated_list_is_multiple_values() -> None:
    assert kind([("Access-Control-Allow-Origin", f"{APP} https://b.test")]) == (
        "MultipleAllowOriginValues"
    )


def test_surrounding_spaces_are_trimmed() -> None:
    assert kind([("Access-Control-Allow-Origin", f"  {APP}\t")]) is None


def test_null_matches_an_opaque_origin() -> None:
    assert kind([("Access-Control-Allow-Origin", "null")], origin="null") is None


@pytest.mark.parametrize(("value", "passes"), [("true", True), ("True", False), (None, False)])
def test_credentials_need_allow_credentials_exactly_true(value: str | None, passes: bool) -> None:
    headers = [("Access-Control-Allow-Origin", APP)]
    if value is not None:
        headers.append(("Access-Control-Allow-Credentials", value))
    problem = check_access(tuple(headers), APP, True)
    assert (problem is None) == passes
    if problem is not None:
        assert (problem.kind, problem.failed_parameter) == ("InvalidAllowCredentials", value or "")


def test_allow_credentials_is_ignored_without_credentials() -> None:
    headers = [("Access-Control-Allow-Origin", APP), ("Access-Control-Allow-Credentials", "no")]
    assert kind(headers) is None


def test_lists_skip_empty_items_and_refuse_non_tokens() -> None:
    assert parse_allow_list("PUT, , DELETE,") == ["PUT", "DELETE"]
    assert parse_allow_list(None) == []
    assert parse_allow_list("GET PUT") is None
    assert parse_allow_list("PUT;") is None


def test_a_redirect_needs_a_redirect_status_and_a_location() -> None:
    assert is_redirect(302, (("Location", "/x"),))
    assert not is_redirect(302, ())
    assert not is_redirect(300, (("Location", "/x"),))
    assert not is_redirect(301, (("Location", "  "),))


def test_joined_value_trims_and_joins_lines() -> None:
    assert joined_value((("A", " 1 "), ("a", "2")), "a") == "1, 2"
    assert joined_value((), "a") is None


def preflight(
    status: int = 204,
    headers: list[tuple[str, str]] | None = None,
    *,
    method: str = "PUT",
    names: tuple[str, ...] = (),
    credentials: bool = False,
) -> str | None:
    base = [("Access-Control-Allow-Origin", APP)] if headers is None else headers
    problem = check_preflight(
        status, tuple(base), origin=APP, credentials=credentials, method=method, header_names=names
    )
    return None if problem is None else problem.kind


def test_a_redirected_preflight_fails_before_anything_else() -> None:
    assert preflight(301, [("Location", "/elsewhere")]) == "PreflightDisallowedRedirect"


def test_allow_origin_is_checked_before_the_status() -> None:
    assert preflight(404, []) == "PreflightMissingAllowOriginHeader"
    assert preflight(404) == "PreflightInvalidStatus"


def test_a_3xx_without_location_is_a_bad_status_not_a_redirect() -> None:
    assert preflight(301) == "PreflightInvalidStatus"


def test_the_method_must_be_listed_case_sensitively() -> None:
    allow = [("Access-Control-Allow-Origin", APP), ("Access-Control-Allow-Methods", "put")]
    assert preflight(headers=allow) == "MethodDisallowedByPreflightResponse"
    assert preflight(headers=allow, method="put") is None


def test_safelisted_methods_need_no_listing() -> None:
    assert preflight(method="POST", names=()) is None


def test_the_method_wildcard_works_without_credentials_only() -> None:
    allow = [
        ("Access-Control-Allow-Origin", APP),
        ("Access-Control-Allow-Methods", "*"),
        ("Access-Control-Allow-Credentials", "true"),
    ]
    assert preflight(headers=allow) is None
    assert preflight(headers=allow, credentials=True) == "MethodDisallowedByPreflightResponse"


def test_a_malformed_allow_headers_is_reported_before_a_disallowed_method() -> None:
    allow = [("Access-Control-Allow-Origin", APP), ("Access-Control-Allow-Headers", "x trace")]
    assert preflight(headers=allow) == "InvalidAllowHeadersPreflightResponse"


def test_headers_are_compared_case_insensitively_and_the_first_missing_is_named() -> None:
    allow = [
        ("Access-Control-Allow-Origin", APP),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "X-Trace"),
    ]
    assert preflight(headers=allow, names=("x-trace",)) is None
    problem = check_preflight(
        204,
        tuple(allow),
        origin=APP,
        credentials=False,
        method="PUT",
        header_names=("x-b", "x-trace", "x-a"),
    )
    assert problem is not None
    assert (problem.kind, problem.failed_parameter) == (
        "HeaderDisallowedByPreflightResponse",
        "x-b",
    )
