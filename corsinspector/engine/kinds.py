"""Every failure kind, once: Chromium's ``CorsError`` kinds we model plus the browser's own
refusals, each with its stages, plain words, fixability and Firefox's reason code.

A :class:`~corsinspector.model.Failure`'s ``kind`` is one of these names; code compares it
with the constants below, never with a string literal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corsinspector.model import Verdict

__all__ = [
    "ALLOW_ORIGIN_MISMATCH",
    "CLIENT_SIDE_KINDS",
    "CORS_DISABLED_SCHEME",
    "DISALLOWED_BY_MODE",
    "FETCH_REJECTED",
    "HEADER_DISALLOWED",
    "INVALID_ALLOW_CREDENTIALS",
    "INVALID_ALLOW_HEADERS",
    "INVALID_ALLOW_METHODS",
    "INVALID_ALLOW_ORIGIN_VALUE",
    "KINDS",
    "KIND_IN_PLAIN_WORDS",
    "LOCAL_NETWORK_ACCESS_DENIED",
    "METHOD_DISALLOWED",
    "MISSING_ALLOW_ORIGIN",
    "MIXED_CONTENT",
    "MULTIPLE_ALLOW_ORIGIN_VALUES",
    "NETWORK_FAILURE",
    "NON_CORS_KINDS",
    "PREFLIGHT",
    "PREFLIGHT_ALLOW_ORIGIN_MISMATCH",
    "PREFLIGHT_DISALLOWED_REDIRECT",
    "PREFLIGHT_INVALID_ALLOW_CREDENTIALS",
    "PREFLIGHT_INVALID_ALLOW_ORIGIN_VALUE",
    "PREFLIGHT_INVALID_STATUS",
    "PREFLIGHT_MISSING_ALLOW_ORIGIN",
    "PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES",
    "PREFLIGHT_WILDCARD_ORIGIN",
    "REDIRECT_CONTAINS_CREDENTIALS",
    "WILDCARD_ORIGIN",
    "Kind",
    "outcome_label",
    "verdict_label",
]

#: Chromium prefixes the kinds of a failed preflight's Allow-Origin checks with this.
PREFLIGHT = "Preflight"

MISSING_ALLOW_ORIGIN = "MissingAllowOriginHeader"
ALLOW_ORIGIN_MISMATCH = "AllowOriginMismatch"
INVALID_ALLOW_ORIGIN_VALUE = "InvalidAllowOriginValue"
MULTIPLE_ALLOW_ORIGIN_VALUES = "MultipleAllowOriginValues"
WILDCARD_ORIGIN = "WildcardOriginNotAllowed"
INVALID_ALLOW_CREDENTIALS = "InvalidAllowCredentials"
PREFLIGHT_MISSING_ALLOW_ORIGIN = PREFLIGHT + MISSING_ALLOW_ORIGIN
PREFLIGHT_ALLOW_ORIGIN_MISMATCH = PREFLIGHT + ALLOW_ORIGIN_MISMATCH
PREFLIGHT_INVALID_ALLOW_ORIGIN_VALUE = PREFLIGHT + INVALID_ALLOW_ORIGIN_VALUE
PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES = PREFLIGHT + MULTIPLE_ALLOW_ORIGIN_VALUES
PREFLIGHT_WILDCARD_ORIGIN = PREFLIGHT + WILDCARD_ORIGIN
PREFLIGHT_INVALID_ALLOW_CREDENTIALS = PREFLIGHT + INVALID_ALLOW_CREDENTIALS
PREFLIGHT_INVALID_STATUS = "PreflightInvalidStatus"
PREFLIGHT_DISALLOWED_REDIRECT = "PreflightDisallowedRedirect"
INVALID_ALLOW_METHODS = "InvalidAllowMethodsPreflightResponse"
INVALID_ALLOW_HEADERS = "InvalidAllowHeadersPreflightResponse"
METHOD_DISALLOWED = "MethodDisallowedByPreflightResponse"
HEADER_DISALLOWED = "HeaderDisallowedByPreflightResponse"
REDIRECT_CONTAINS_CREDENTIALS = "RedirectContainsCredentials"
CORS_DISABLED_SCHEME = "CorsDisabledScheme"
LOCAL_NETWORK_ACCESS_DENIED = "LocalNetworkAccessPermissionDenied"
DISALLOWED_BY_MODE = "DisallowedByMode"
FETCH_REJECTED = "FetchRejected"
NETWORK_FAILURE = "NetworkFailure"
MIXED_CONTENT = "MixedContent"


@dataclass(frozen=True)
class Kind:
    """One failure kind and what every part says or decides about it."""

    name: str
    #: The stages it can happen at (``request``, ``preflight``, ``actual``).
    stages: tuple[str, ...]
    #: What it means, for people (the report and the window's banner).
    plain: str
    #: Firefox's ``CORS…`` reason code (MDN's page names), when Firefox has one.
    firefox: str | None = None
    #: False for the browser's own refusals (not a CORS error; exit 3).
    cors: bool = True
    #: What to change in the page, for a kind no server change can fix (else empty).
    page_fix: str = ""

    @property
    def server_fixable(self) -> bool:
        """Can a change to the server's responses fix it (a network failure before anything
        was sent cannot: see :func:`~corsinspector.fixes.generic.is_server_fixable`)?"""
        return not self.page_fix


_A, _P, _R = ("actual",), ("preflight",), ("request",)
_NO_ACAO = "CORSMissingAllowOrigin"
_MISMATCH = "CORSAllowOriginNotMatchingOrigin"
_MULTIPLE = "CORSMultipleAllowOriginNotAllowed"
_WILDCARD = "CORSNotSupportingCredentials"
_ACAC = "CORSMissingAllowCredentials"
_FAILED = "CORSDidNotSucceed"  # Firefox names no cause (a cross-origin request failed)

#: Every kind, in the order the report has always listed them.
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            MISSING_ALLOW_ORIGIN,
            _A,
            "the response has no Access-Control-Allow-Origin header",
            _NO_ACAO,
        ),
        Kind(
            ALLOW_ORIGIN_MISMATCH, _A, "Access-Control-Allow-Origin names another origin", _MISMATCH
        ),
        Kind(
            INVALID_ALLOW_ORIGIN_VALUE,
            _A,
            "Access-Control-Allow-Origin is not a valid origin",
            _MISMATCH,
        ),
        Kind(
            MULTIPLE_ALLOW_ORIGIN_VALUES,
            _A,
            "Access-Control-Allow-Origin holds more than one value",
            _MULTIPLE,
        ),
        Kind(
            WILDCARD_ORIGIN,
            _A,
            "Access-Control-Allow-Origin is '*' but credentials are included",
            _WILDCARD,
        ),
        Kind(
            INVALID_ALLOW_CREDENTIALS,
            _A,
            "Access-Control-Allow-Credentials is not exactly 'true'",
            _ACAC,
        ),
        Kind(
            PREFLIGHT_MISSING_ALLOW_ORIGIN,
            _P,
            "the preflight response has no Access-Control-Allow-Origin header",
            _NO_ACAO,
        ),
        Kind(
            PREFLIGHT_ALLOW_ORIGIN_MISMATCH,
            _P,
            "the preflight's Access-Control-Allow-Origin names another origin",
            _MISMATCH,
        ),
        Kind(
            PREFLIGHT_INVALID_ALLOW_ORIGIN_VALUE,
            _P,
            "the preflight's Access-Control-Allow-Origin is not a valid origin",
            _MISMATCH,
        ),
        Kind(
            PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES,
            _P,
            "the preflight's Access-Control-Allow-Origin holds more than one value",
            _MULTIPLE,
        ),
        Kind(
            PREFLIGHT_WILDCARD_ORIGIN,
            _P,
            "the preflight's Access-Control-Allow-Origin is '*' but credentials are included",
            _WILDCARD,
        ),
        Kind(
            PREFLIGHT_INVALID_ALLOW_CREDENTIALS,
            _P,
            "the preflight's Access-Control-Allow-Credentials is not exactly 'true'",
            _ACAC,
        ),
        Kind(
            PREFLIGHT_INVALID_STATUS,
            _P,
            "the preflight was answered with a status outside 200-299",
            "CORSPreflightDidNotSucceed",
        ),
        Kind(
            PREFLIGHT_DISALLOWED_REDIRECT,
            _P,
            "the preflight was answered with a redirect",
            "CORSExternalRedirectNotAllowed",
        ),
        Kind(
            INVALID_ALLOW_METHODS,
            _P,
            "Access-Control-Allow-Methods cannot be parsed",
            "CORSInvalidAllowMethod",
        ),
        Kind(
            INVALID_ALLOW_HEADERS,
            _P,
            "Access-Control-Allow-Headers cannot be parsed",
            "CORSInvalidAllowHeader",
        ),
        Kind(
            METHOD_DISALLOWED, _P, "the preflight does not allow the method", "CORSMethodNotFound"
        ),
        Kind(
            HEADER_DISALLOWED,
            _P,
            "the preflight does not allow a request header",
            "CORSMissingAllowHeaderFromPreflight",
        ),
        Kind(
            REDIRECT_CONTAINS_CREDENTIALS,
            _A,
            "a redirect points at a URL with a username or password",
            _FAILED,
        ),
        Kind(
            CORS_DISABLED_SCHEME,
            ("request", "actual"),  # actual: Chrome's and Firefox's redirect to such a scheme
            "the URL's scheme does not support CORS",
            "CORSRequestNotHttp",
            page_fix="fetch() cannot use this URL scheme with CORS: serve the resource over "
            "http or https.",
        ),
        Kind(
            LOCAL_NETWORK_ACCESS_DENIED,
            ("request", "actual"),
            "a page reaches a more private address (local network or loopback) without the "
            "user's permission",
            page_fix="the page reaches a local network or loopback address: the user must "
            "allow this site to access the local network (or serve the page from that "
            "network).",
        ),
        Kind(
            DISALLOWED_BY_MODE,
            ("request", "actual"),
            "the request mode forbids a cross-origin URL",
            page_fix="the request mode is 'same-origin' but the URL is cross-origin: use "
            "mode 'cors' in the page, or a same-origin URL.",
        ),
        Kind(
            FETCH_REJECTED,
            _R,
            "fetch() refused the request before sending it",
            cors=False,
            page_fix="fetch() refuses this request before sending it: change the method or "
            "mode in the page (no-cors allows only GET, HEAD and POST; TRACE, TRACK and "
            "CONNECT are never allowed).",
        ),
        Kind(
            NETWORK_FAILURE,
            ("request", "preflight", "actual"),
            "the network stack refused the response",
            _FAILED,
            cors=False,
        ),
        Kind(
            MIXED_CONTENT,
            _A,
            "an https page may not call a plain-http URL",
            cors=False,
            page_fix="an https page may not call a plain-http URL: serve the API over https.",
        ),
    )
}

#: Failure kinds that are not CORS errors: the browser refused or the network failed.
NON_CORS_KINDS = frozenset(k.name for k in KINDS.values() if not k.cors)
#: Each failure kind in plain words, for people.
KIND_IN_PLAIN_WORDS = {k.name: k.plain for k in KINDS.values()}
#: Failures that only the page can fix, with what to change there.
CLIENT_SIDE_KINDS = {k.name: k.page_fix for k in KINDS.values() if k.page_fix}


def outcome_label(allowed: bool, kind: str | None) -> str:
    """An outcome in two words, as lists and reports show it: ``allowed`` or ``blocked: KIND``."""
    return "allowed" if allowed else f"blocked: {kind}"


def verdict_label(verdict: Verdict) -> str:
    """:func:`outcome_label` of a verdict."""
    error = verdict.error
    return outcome_label(error is None, None if error is None else error.kind)
