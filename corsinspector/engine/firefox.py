"""Firefox's words for a blocked request: its console category and its console line.

The walk (with the firefox profile's rules) decides whether Firefox blocks a request and
which requests it sends; this module says why as Firefox does. Firefox checks a response in
its own order (``nsCORSListenerProxy``: several exact-case ``Access-Control-Allow-Origin``
lines, a missing one, ``*`` with credentials, a value not the origin, then
``Access-Control-Allow-Credentials``; a preflight then: a redirect, its status, the methods
as listed (an invalid token, the method), the headers (an invalid token, the first missing
name in sorted order)), so the failure is found again on the last exchange in that order.

For the firefox profile a :class:`~corsinspector.model.Failure` holds:

- ``reason``: Firefox's console category, as its truths record it (``CORSMissingAllowOrigin2``,
  ``CORSPreflightDidNotSucceed3`` …: MDN's reason code with Firefox's version digit). This is
  what the differential test compares with the truth's first ``cors_errors`` kind. None when
  Firefox prints no CORS line (a rejected ``fetch()``, mixed content, a Security Error).
- ``kind``: our family-neutral kind (:mod:`~corsinspector.engine.kinds`) for the problem
  Firefox names, so the culprit (``header``, ``value``), the fixes and the report follow
  Firefox's order; ``failed_parameter`` is empty (Firefox reports none).
- ``message``: the first error line Firefox's console shows, word for word (a failed
  preflight is followed by ``CORSDidNotSucceed2`` for the actual request: not kept), or the
  TypeError script sees when Firefox prints none.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from corsinspector.engine.checks import ACAC, ACAH, ACAM, ACAO, is_ok_status, is_redirect
from corsinspector.engine.kinds import (
    ALLOW_ORIGIN_MISMATCH,
    CORS_DISABLED_SCHEME,
    DISALLOWED_BY_MODE,
    FETCH_REJECTED,
    HEADER_DISALLOWED,
    INVALID_ALLOW_CREDENTIALS,
    INVALID_ALLOW_HEADERS,
    INVALID_ALLOW_METHODS,
    INVALID_ALLOW_ORIGIN_VALUE,
    METHOD_DISALLOWED,
    MISSING_ALLOW_ORIGIN,
    MIXED_CONTENT,
    MULTIPLE_ALLOW_ORIGIN_VALUES,
    NETWORK_FAILURE,
    PREFLIGHT,
    PREFLIGHT_DISALLOWED_REDIRECT,
    PREFLIGHT_INVALID_STATUS,
    WILDCARD_ORIGIN,
)
from corsinspector.engine.vocabulary import (
    ASCII_UPPER,
    FORBIDDEN_METHODS,
    TOKEN,
    is_safelisted_method,
)
from corsinspector.model import Exchange, Failure, Request, Verdict, header_values
from corsinspector.origins import normalize_url

__all__ = ["FIREFOX_PREFIX", "FIREFOX_SCRIPT_ERROR", "as_firefox"]

FIREFOX_PREFIX = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
)
FIREFOX_SCRIPT_ERROR = "TypeError: NetworkError when attempting to fetch resource."
#: Firefox's redirect limit (``network.http.redirection-limit``).
_MAX_REDIRECTS = 20
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ALWAYS_ALLOWED_METHODS = frozenset({"GET", "HEAD", "POST"})
#: Redirect targets Firefox opens a channel for that is not HTTP ("CORS request not http").
_NOT_HTTP_SCHEMES = frozenset({"ftp"})

# Firefox's console categories (security.properties keys).
NOT_HTTP = "CORSRequestNotHttp"
DID_NOT_SUCCEED = "CORSDidNotSucceed2"
MISSING_ORIGIN = "CORSMissingAllowOrigin2"
MULTIPLE_ORIGIN = "CORSMultipleAllowOriginNotAllowed"
NOT_MATCHING = "CORSAllowOriginNotMatchingOrigin"
NO_CREDENTIALS_WITH_STAR = "CORSNotSupportingCredentials"
MISSING_CREDENTIALS = "CORSMissingAllowCredentials"
PREFLIGHT_NOT_OK = "CORSPreflightDidNotSucceed3"
EXTERNAL_REDIRECT = "CORSExternalRedirectNotAllowed"
INVALID_METHOD = "CORSInvalidAllowMethod"
METHOD_NOT_FOUND = "CORSMethodNotFound"
INVALID_HEADER = "CORSInvalidAllowHeader"
MISSING_HEADER = "CORSMissingAllowHeaderFromPreflight2"

#: (category, our kind, culprit header, offending value, console line); category None: a
#: line that is not a CORS reason.
_Finding = tuple[str | None, str, str | None, str | None, str]


def _shown(value: str) -> str:
    """A header value as Firefox prints it: its bytes (Latin-1 on the wire) read as UTF-8."""
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


def _merged(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    """Every line of ``name`` trimmed and joined with ``", "`` as Firefox merges them (an
    empty repeat adds nothing); None when absent."""
    values = [v.strip(" \t") for v in header_values(headers, name)]
    if not values:
        return None
    return ", ".join(v for v in values if v)


def _blocked(url: str, reason: str) -> str:
    return f"{FIREFOX_PREFIX}{url}. (Reason: {reason})."


def _access(exchange: Exchange, credentials: bool) -> _Finding | None:
    """Firefox's CORS check of one response (``CheckRequestApproved``), in its order."""
    assert exchange.response is not None
    url, response = exchange.request.url, exchange.response
    headers, pre = response.headers, PREFLIGHT if exchange.kind == "preflight" else ""
    origin = (header_values(exchange.request.headers, "Origin") or [""])[0]
    if sum(1 for name, _ in headers if name == ACAO) > 1:  # counted case-sensitively
        reason = f"Multiple CORS header ‘{ACAO}’ not allowed"
        return (
            MULTIPLE_ORIGIN,
            pre + MULTIPLE_ALLOW_ORIGIN_VALUES,
            ACAO,
            _merged(headers, ACAO),
            _blocked(url, reason),
        )
    allowed = _merged(headers, ACAO)
    if allowed is None:
        line = _blocked(url, f"CORS header ‘{ACAO}’ missing") + f" Status code: {response.status}."
        return MISSING_ORIGIN, pre + MISSING_ALLOW_ORIGIN, ACAO, None, line
    if credentials and allowed == "*":
        reason = f"Credential is not supported if the CORS header ‘{ACAO}’ is ‘*’"
        line = f"{FIREFOX_PREFIX}‘{url}’. (Reason: {reason})."
        return NO_CREDENTIALS_WITH_STAR, pre + WILDCARD_ORIGIN, ACAO, allowed, line
    if (credentials or allowed != "*") and allowed != origin:
        reason = f"CORS header ‘{ACAO}’ does not match ‘{_shown(allowed)}’"
        return NOT_MATCHING, pre + ALLOW_ORIGIN_MISMATCH, ACAO, allowed, _blocked(url, reason)
    if credentials and _merged(headers, ACAC) != "true":
        reason = f"expected ‘true’ in CORS header ‘{ACAC}’"
        value = _merged(headers, ACAC)
        return (
            MISSING_CREDENTIALS,
            pre + INVALID_ALLOW_CREDENTIALS,
            ACAC,
            value,
            _blocked(url, reason),
        )
    return None


def _tokens(value: str | None) -> list[str]:
    return [t for t in (raw.strip(" \t") for raw in (value or "").split(",")) if t]


def _preflight(exchange: Exchange, credentials: bool) -> _Finding | None:
    """Firefox's preflight checks after the CORS check (``CheckPreflightRequestApproved``)."""
    assert exchange.response is not None
    url, response = exchange.request.url, exchange.response
    headers = response.headers
    if is_redirect(response.status, headers):
        line = _blocked(url, "CORS request external redirect not allowed")
        return EXTERNAL_REDIRECT, PREFLIGHT_DISALLOWED_REDIRECT, "Location", None, line
    if not is_ok_status(response.status):
        line = _blocked(url, "CORS preflight response did not succeed")
        line += f" Status code: {response.status}."
        return PREFLIGHT_NOT_OK, PREFLIGHT_INVALID_STATUS, None, None, line
    method = (header_values(exchange.request.headers, "Access-Control-Request-Method") or [""])[0]
    found = method in _ALWAYS_ALLOWED_METHODS
    for token in _tokens(_merged(headers, ACAM)):
        if not TOKEN.fullmatch(token):
            reason = f"invalid token ‘{_shown(token)}’ in CORS header ‘{ACAM}’"
            return INVALID_METHOD, INVALID_ALLOW_METHODS, ACAM, token, _blocked(url, reason)
        found = found or token == method or (token == "*" and not credentials)
    if not found:
        reason = f"Did not find method in CORS header ‘{ACAM}’"
        return METHOD_NOT_FOUND, METHOD_DISALLOWED, ACAM, method, _blocked(url, reason)
    listed: set[str] = set()
    star = False
    for token in _tokens(_merged(headers, ACAH)):
        if not TOKEN.fullmatch(token):
            reason = f"invalid token ‘{_shown(token)}’ in CORS header ‘{ACAH}’"
            return INVALID_HEADER, INVALID_ALLOW_HEADERS, ACAH, token, _blocked(url, reason)
        star = star or (token == "*" and not credentials)
        listed.add(token.lower())
    asked = header_values(exchange.request.headers, "Access-Control-Request-Headers")
    for name in sorted(_tokens(asked[0].lower() if asked else "")):
        if name not in listed and not (star and name != "authorization"):
            reason = (
                f"header ‘{name}’ is not allowed according to header ‘{ACAH}’ from CORS "
                "preflight response"
            )
            return MISSING_HEADER, HEADER_DISALLOWED, ACAH, name, _blocked(url, reason)
    return None


def _redirect(exchange: Exchange) -> _Finding:
    """Why Firefox does not follow the redirect ``exchange`` answered with, if it does not."""
    assert exchange.response is not None
    url = exchange.request.url
    location = ", ".join(header_values(exchange.response.headers, "Location"))
    target = urljoin(url, location)
    parts = urlsplit(target)
    scheme = parts.scheme.lower()
    if scheme == "file":
        line = f"Security Error: Content at {url} may not load or link to {target}."
        return DID_NOT_SUCCEED, NETWORK_FAILURE, "Location", location, line
    if scheme in _NOT_HTTP_SCHEMES:
        line = _blocked(target, "CORS request not http")
        return NOT_HTTP, NETWORK_FAILURE, "Location", location, line
    return _did_not_succeed(url, "Location", location)


def _did_not_succeed(url: str, header: str | None = None, value: str | None = None) -> _Finding:
    line = _blocked(url, "CORS request did not succeed") + " Status code: (null)."
    return DID_NOT_SUCCEED, NETWORK_FAILURE, header, value, line


def _on_exchange(verdict: Verdict, failure: Failure, credentials: bool) -> _Finding | None:
    """Firefox's finding on the last exchange of a request blocked after sending."""
    exchange = verdict.exchanges[-1]
    cross = bool(header_values(exchange.request.headers, "Origin"))
    if exchange.response is None:
        return _did_not_succeed(exchange.request.url) if cross else None
    if failure.kind == MIXED_CONTENT:
        return None
    if failure.kind == DISALLOWED_BY_MODE:
        return _mode_error(exchange, failure)
    if exchange.kind == "preflight":
        return _access(exchange, credentials) or _preflight(exchange, credentials)
    if cross:
        finding = _access(exchange, credentials)
        if finding is not None:
            return finding
    response = exchange.response
    if response.status in _REDIRECT_STATUSES and header_values(response.headers, "Location"):
        redirects = sum(1 for e in verdict.exchanges if e.kind == "actual") - 1
        if redirects >= _MAX_REDIRECTS:
            return _did_not_succeed(exchange.request.url)
        return _redirect(exchange)  # an empty Location too: Firefox goes back to the URL
    return None


def _mode_error(exchange: Exchange, failure: Failure) -> _Finding | None:
    assert exchange.response is not None
    location = ", ".join(header_values(exchange.response.headers, "Location"))
    target = normalize_url(urljoin(exchange.request.url, location))
    page = f"{_page_of(exchange)}/"
    line = f"Security Error: Content at {page} may not load data from {target}."
    return None, failure.kind, None, None, line


def _page_of(exchange: Exchange) -> str:
    """The page's origin a request went out from (its ``Origin``, else its URL's origin)."""
    origin = header_values(exchange.request.headers, "Origin")
    if origin:
        return origin[0]
    parts = urlsplit(exchange.request.url)
    return f"{parts.scheme}://{parts.netloc}"


def _before_sending(failure: Failure, request: Request) -> _Finding | None:
    """Firefox's words for a request refused before anything was sent."""
    url = normalize_url(request.url)
    if failure.kind == FETCH_REJECTED:
        if not _method_refused(request):
            return None
        line = f"TypeError: Window.fetch: Invalid request method {request.method}."
        return None, FETCH_REJECTED, None, None, line
    if failure.kind == CORS_DISABLED_SCHEME:
        return (
            NOT_HTTP,
            CORS_DISABLED_SCHEME,
            None,
            failure.value,
            _blocked(url, "CORS request not http"),
        )
    page = f"{request.origin}/"
    if failure.kind == DISALLOWED_BY_MODE:
        line = f"Security Error: Content at {page} may not load data from {url}."
        return None, DISALLOWED_BY_MODE, None, None, line
    if urlsplit(url).scheme.lower() == "file":
        line = f"Security Error: Content at {page} may not load or link to {url}."
        return None, failure.kind, None, None, line
    return None


def _method_refused(request: Request) -> bool:
    """Does ``fetch()`` refuse the method (not a token, forbidden, or not GET, HEAD or POST in
    no-cors mode)? Firefox says ``Invalid request method`` for each."""
    method = request.method
    if not TOKEN.fullmatch(method) or method.translate(ASCII_UPPER) in FORBIDDEN_METHODS:
        return True
    return request.mode == "no-cors" and not is_safelisted_method(method)


def _finding(verdict: Verdict, failure: Failure, request: Request) -> _Finding | None:
    credentials = request.credentials == "include"
    if failure.kind == MIXED_CONTENT:
        return (
            None,
            MIXED_CONTENT,
            None,
            failure.value,
            (f"Blocked loading mixed active content “{failure.value}”"),
        )
    if failure.stage == "request" or not verdict.exchanges:
        return _before_sending(failure, request)
    return _on_exchange(verdict, failure, credentials)


def as_firefox(verdict: Verdict, request: Request) -> Verdict:
    """``verdict`` with its failure said as Firefox says it (``request``: what the script
    asked for); see the module docstring for what each field then holds."""
    failure = verdict.error
    if failure is None:
        return verdict
    finding = _finding(verdict, failure, request)
    if finding is None:
        error = replace(failure, message=FIREFOX_SCRIPT_ERROR, reason=None, failed_parameter="")
        return replace(verdict, error=error)
    category, kind, header, value, line = finding
    if kind == NETWORK_FAILURE:  # no more precise than the walk's diagnosis: keep it
        kind, header, value = failure.kind, failure.header, failure.value
    elif _same_problem(kind, failure.kind):  # the walk's finer kind, this browser's culprit
        kind = failure.kind
    error = Failure(failure.stage, kind, header, value, line, "", category)
    return replace(verdict, error=error)


def _same_problem(firefox_kind: str, kind: str) -> bool:
    """Does the walk's ``kind`` name the problem Firefox found?"""
    if firefox_kind == kind:
        return True
    bare = {firefox_kind.removeprefix(PREFLIGHT), kind.removeprefix(PREFLIGHT)}
    return bare == {ALLOW_ORIGIN_MISMATCH, INVALID_ALLOW_ORIGIN_VALUE} and (
        firefox_kind.startswith(PREFLIGHT) == kind.startswith(PREFLIGHT)
    )
