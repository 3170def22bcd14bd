"""Firefox's reason codes and console messages for a blocked request.

The judging itself follows Chromium (the recorded truths); this module restates Chromium's
failure as Firefox reports it: its ``CORS…`` reason code (MDN's page names) and its console
message, from Firefox's ``security.properties``. Where Firefox orders its checks differently
(a method not found before a malformed Allow-Headers; several Allow-Origin lines before
anything else; the first missing header in sorted order) the reason follows Firefox.
"""

from __future__ import annotations

from dataclasses import replace

from corsinspector.engine.checks import (
    ACAH,
    ACAM,
    ACAO,
    first_disallowed_header,
    is_method_allowed,
    joined_value,
    parse_allow_list,
)
from corsinspector.engine.kinds import (
    ALLOW_ORIGIN_MISMATCH,
    CORS_DISABLED_SCHEME,
    HEADER_DISALLOWED,
    INVALID_ALLOW_CREDENTIALS,
    INVALID_ALLOW_HEADERS,
    INVALID_ALLOW_METHODS,
    INVALID_ALLOW_ORIGIN_VALUE,
    KINDS,
    METHOD_DISALLOWED,
    MISSING_ALLOW_ORIGIN,
    MULTIPLE_ALLOW_ORIGIN_VALUES,
    PREFLIGHT,
    PREFLIGHT_DISALLOWED_REDIRECT,
    PREFLIGHT_INVALID_STATUS,
    WILDCARD_ORIGIN,
)
from corsinspector.model import Exchange, Failure, Verdict, header_values

__all__ = ["FIREFOX_PREFIX", "FIREFOX_SCRIPT_ERROR", "as_firefox"]

FIREFOX_PREFIX = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
)
FIREFOX_SCRIPT_ERROR = "TypeError: NetworkError when attempting to fetch resource."


#: Two preflight kinds by the name left once "Preflight" is taken off (as for the others).
_INVALID_STATUS = PREFLIGHT_INVALID_STATUS.removeprefix(PREFLIGHT)
_DISALLOWED_REDIRECT = PREFLIGHT_DISALLOWED_REDIRECT.removeprefix(PREFLIGHT)


def _code(kind: str) -> str:
    """Firefox's reason code for ``kind`` (the table's, also for the Preflight variants)."""
    code = KINDS[kind if kind in KINDS else PREFLIGHT + kind].firefox
    assert code is not None
    return code


def _first_bad_token(value: str | None) -> str:
    for raw in (value or "").split(","):
        item = raw.strip(" \t")
        if item and parse_allow_list(item) is None:
            return item
    return ""


def _method_allowed(exchange: Exchange, credentials: bool) -> bool:
    method = header_values(exchange.request.headers, "Access-Control-Request-Method")[0]
    response = exchange.response
    methods = parse_allow_list(joined_value(response.headers, ACAM) if response else None) or []
    return is_method_allowed(method, methods, credentials)


def _first_missing_sorted(exchange: Exchange, credentials: bool) -> str:
    names = header_values(exchange.request.headers, "Access-Control-Request-Headers")
    response = exchange.response
    allowed = parse_allow_list(joined_value(response.headers, ACAH) if response else None) or []
    ordered = sorted(names[0].split(",") if names else [])  # Firefox checks in sorted order
    return first_disallowed_header(ordered, allowed, credentials) or ""


def _reason(
    failure: Failure, exchange: Exchange | None, first_url: str, credentials: bool
) -> tuple[str, str] | None:
    """Firefox's (reason code, text after the prefix) for a Chromium failure, or None."""
    if exchange is None or exchange.response is None:
        if failure.kind == CORS_DISABLED_SCHEME:
            return _code(CORS_DISABLED_SCHEME), f"{first_url}. (Reason: CORS request not http)."
        return None
    url, status = exchange.request.url, exchange.response.status
    headers = exchange.response.headers
    kind = failure.kind.removeprefix(PREFLIGHT)
    acao_lines = [v for k, v in headers if k.lower() == ACAO.lower()]
    if kind in (MULTIPLE_ALLOW_ORIGIN_VALUES, ALLOW_ORIGIN_MISMATCH, INVALID_ALLOW_ORIGIN_VALUE):
        if len(acao_lines) > 1:
            return _code(MULTIPLE_ALLOW_ORIGIN_VALUES), (
                f"{url}. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed)."
            )
        value = acao_lines[0].strip(" \t") if acao_lines else ""
        return _code(ALLOW_ORIGIN_MISMATCH), (
            f"{url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’)."
        )
    texts = {
        MISSING_ALLOW_ORIGIN: (
            _code(MISSING_ALLOW_ORIGIN),
            f"{url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). "
            f"Status code: {status}.",
        ),
        WILDCARD_ORIGIN: (
            _code(WILDCARD_ORIGIN),
            f"‘{url}’. (Reason: Credential is not supported if the CORS header "
            "‘Access-Control-Allow-Origin’ is ‘*’).",
        ),
        INVALID_ALLOW_CREDENTIALS: (
            _code(INVALID_ALLOW_CREDENTIALS),
            f"{url}. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).",
        ),
        _INVALID_STATUS: (
            _code(_INVALID_STATUS),
            f"{url}. (Reason: CORS preflight response did not succeed). Status code: {status}.",
        ),
        _DISALLOWED_REDIRECT: (
            _code(_DISALLOWED_REDIRECT),
            f"{url}. (Reason: CORS request external redirect not allowed).",
        ),
        INVALID_ALLOW_METHODS: (
            _code(INVALID_ALLOW_METHODS),
            f"{url}. (Reason: invalid token ‘{_first_bad_token(joined_value(headers, ACAM))}’ in "
            "CORS header ‘Access-Control-Allow-Methods’).",
        ),
        METHOD_DISALLOWED: (
            _code(METHOD_DISALLOWED),
            f"{url}. (Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).",
        ),
        INVALID_ALLOW_HEADERS: (
            _code(INVALID_ALLOW_HEADERS),
            f"{url}. (Reason: invalid token ‘{_first_bad_token(joined_value(headers, ACAH))}’ in "
            "CORS header ‘Access-Control-Allow-Headers’).",
        ),
        HEADER_DISALLOWED: (
            _code(HEADER_DISALLOWED),
            f"{url}. (Reason: header ‘{_first_missing_sorted(exchange, credentials)}’ is not "
            "allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight "
            "response).",
        ),
    }
    if kind == INVALID_ALLOW_HEADERS and not _method_allowed(exchange, credentials):
        kind = METHOD_DISALLOWED  # Firefox checks the method first
    if kind == _DISALLOWED_REDIRECT and not acao_lines:
        kind = MISSING_ALLOW_ORIGIN  # Firefox's CORS listener sees the 3xx first
    return texts.get(kind)


def as_firefox(verdict: Verdict, first_url: str, credentials: bool) -> Verdict:
    """``verdict`` with its failure restated as Firefox reports it (``first_url``: the URL
    fetched; ``credentials``: the request includes credentials)."""
    failure = verdict.error
    if failure is None:
        return verdict
    exchange = verdict.exchanges[-1] if verdict.exchanges else None
    reason = _reason(failure, exchange, first_url, credentials)
    if reason is None:
        message = FIREFOX_SCRIPT_ERROR
        return replace(verdict, error=replace(failure, message=message, reason=None))
    code, text = reason
    return replace(verdict, error=replace(failure, message=FIREFOX_PREFIX + text, reason=code))
