"""Which headers script can read, and the console messages word for word."""

from __future__ import annotations

from corsinspector.engine.exposure import exposed_headers, parse_expose_headers
from corsinspector.engine.messages import cors_message

HEADERS = (
    ("Content-Type", "text/plain"),
    ("X-Total", "3"),
    ("Set-Cookie", "a=1"),
    ("ETag", '"x"'),
    ("Access-Control-Expose-Headers", "X-Total"),
)


def test_a_cors_response_exposes_the_safelisted_and_the_listed_names() -> None:
    assert exposed_headers(HEADERS, "cors", credentials=False) == ("content-type", "x-total")


def test_the_expose_wildcard_exposes_all_but_set_cookie_without_credentials_only() -> None:
    star = (*HEADERS[:4], ("Access-Control-Expose-Headers", "*"))
    assert exposed_headers(star, "cors", credentials=False) == (
        "access-control-expose-headers",
        "content-type",
        "etag",
        "x-total",
    )
    assert exposed_headers(star, "cors", credentials=True) == ("content-type",)


def test_a_bad_token_in_expose_headers_exposes_nothing_from_it() -> None:
    assert parse_expose_headers((("Access-Control-Expose-Headers", "X-Total, bad token"),)) is None
    bad = (*HEADERS[:4], ("Access-Control-Expose-Headers", "X-Total, bad token"))
    assert exposed_headers(bad, "cors", credentials=False) == ("content-type",)


def test_a_same_origin_response_shows_all_but_set_cookie_and_an_opaque_one_nothing() -> None:
    assert "set-cookie" not in exposed_headers(HEADERS, "basic", credentials=False)
    assert "etag" in exposed_headers(HEADERS, "basic", credentials=False)
    assert exposed_headers(HEADERS, "opaque", credentials=False) == ()


def test_a_preflight_message_has_the_infix_and_a_redirect_names_the_first_url() -> None:
    message = cors_message(
        "PreflightMissingAllowOriginHeader",
        "",
        url="https://b.test/x",
        first_url="https://a.test/x",
        origin="https://app.test",
    )
    assert message == (
        "Access to fetch at 'https://b.test/x' (redirected from 'https://a.test/x') from origin "
        "'https://app.test' has been blocked by CORS policy: Response to preflight request "
        "doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present "
        "on the requested resource."
    )


def test_method_and_header_kinds_have_no_infix() -> None:
    message = cors_message(
        "MethodDisallowedByPreflightResponse",
        "patch",
        url="https://a.test/",
        first_url="https://a.test/",
        origin="null",
    )
    assert message.endswith(
        "blocked by CORS policy: Method patch is not allowed by Access-Control-Allow-Methods in "
        "preflight response."
    )


def test_bytes_outside_printable_ascii_are_escaped_in_messages() -> None:
    message = cors_message(
        "InvalidAllowOriginValue",
        "https://app.test\xa0",
        url="https://a.test/",
        first_url="https://a.test/",
        origin="https://app.test",
    )
    assert "the invalid value 'https://app.test\\u00A0'." in message
