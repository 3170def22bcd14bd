"""WebKit's words for a blocked request (Safari's engine family): its console line.

The walk (with the safari profile's rules) decides whether WebKit blocks a request and which
requests it sends; this module says why as WebKit does. WebKit checks in its own order
(``CrossOriginAccessControl.cpp``): a preflight's status first (a redirected preflight is
"not successful" too), then the access check (``*`` without credentials passes; a value not
the origin is ``*`` with credentials, a list, or another origin; then
``Access-Control-Allow-Credentials``), then both allow lists parsed (the whole value shown
when invalid), the method, then the first header in the script's order that is not listed.
A redirect is checked before it is followed: the access check on the 3xx, then its target.

For the safari profile a :class:`~corsinspector.model.Failure` holds:

- ``message``: the first error line WebKit's console shows, word for word (it is followed by
  ``Fetch API cannot load URL due to access control checks.``), or the TypeError script sees
  when WebKit prints none (``TypeError: Load failed``, a refused method's own words).
- ``kind``: WebKit names no failure, so our family-neutral kind
  (:mod:`~corsinspector.engine.kinds`) for the problem WebKit's line names, and the culprit
  (``header``, ``value``) that kind blames: what the window highlights. ``reason`` is None
  and ``failed_parameter`` empty (WebKit reports neither).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urljoin, urlsplit, urlunsplit

from corsinspector.engine.checks import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    is_ok_status,
    is_redirect,
    joined_value,
)
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
    PREFLIGHT_INVALID_STATUS,
    REDIRECT_CONTAINS_CREDENTIALS,
    WILDCARD_ORIGIN,
)
from corsinspector.engine.vocabulary import (
    ASCII_UPPER,
    FORBIDDEN_METHODS,
    SAFELISTED_METHODS,
    TOKEN,
    is_safelisted_method,
)
from corsinspector.model import Exchange, Failure, Request, Verdict, header_values
from corsinspector.origins import normalize_url

__all__ = ["WEBKIT_SCRIPT_ERROR", "as_webkit"]

WEBKIT_SCRIPT_ERROR = "TypeError: Load failed"
#: WebKit's redirect limit.
_MAX_REDIRECTS = 20
#: Schemes a cross-origin CORS redirect may go to.
_CORS_SCHEMES = frozenset({"http", "https"})

#: (our kind, culprit header, offending value, console line).
_Finding = tuple[str, str | None, str | None, str]


def _access(exchange: Exchange, credentials: bool) -> _Finding | None:
    """WebKit's access check of one response (``passesAccessControlCheck``)."""
    assert exchange.response is not None
    response, pre = exchange.response, PREFLIGHT if exchange.kind == "preflight" else ""
    origin = (header_values(exchange.request.headers, "Origin") or [""])[0]
    allowed = joined_value(response.headers, ACAO)
    if allowed == "*" and not credentials:
        return None
    if allowed != origin:
        if allowed == "*":
            line = (
                "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
            )
            return pre + WILDCARD_ORIGIN, ACAO, allowed, line
        if allowed is not None and "," in allowed:
            line = "Access-Control-Allow-Origin cannot contain more than one origin."
            return pre + MULTIPLE_ALLOW_ORIGIN_VALUES, ACAO, allowed, line
        kind = MISSING_ALLOW_ORIGIN if allowed is None else ALLOW_ORIGIN_MISMATCH
        line = (
            f"Origin {origin} is not allowed by Access-Control-Allow-Origin. "
            f"Status code: {response.status}"
        )
        return pre + kind, ACAO, allowed, line
    if credentials and joined_value(response.headers, ACAC) != "true":
        line = 'Credentials flag is true, but Access-Control-Allow-Credentials is not "true".'
        return pre + INVALID_ALLOW_CREDENTIALS, ACAC, joined_value(response.headers, ACAC), line
    return None


def _invalid_list(value: str | None) -> bool:
    """Does an allow list fail WebKit's parse (an item that is not a token)?"""
    items = [item.strip(" \t") for item in (value or "").split(",")]
    return value is not None and not all(TOKEN.fullmatch(item) for item in items if item)


def _preflight(exchange: Exchange, request: Request, credentials: bool) -> _Finding | None:
    """WebKit's preflight checks (``validatePreflightResponse``), in its order."""
    assert exchange.response is not None
    response = exchange.response
    headers = response.headers
    if not is_ok_status(response.status):  # a redirect too: a preflight is never followed
        line = f"Preflight response is not successful. Status code: {response.status}"
        return PREFLIGHT_INVALID_STATUS, None, None, line
    finding = _access(exchange, credentials)
    if finding is not None:
        return finding
    for name, kind in ((ACAM, INVALID_ALLOW_METHODS), (ACAH, INVALID_ALLOW_HEADERS)):
        value = joined_value(headers, name)
        if _invalid_list(value):
            return kind, name, value, f"Header {name} has an invalid value: {value}"
    methods = [m.strip(" \t") for m in (joined_value(headers, ACAM) or "").split(",")]
    method = (header_values(exchange.request.headers, "Access-Control-Request-Method") or [""])[0]
    if not (
        method in SAFELISTED_METHODS or method in methods or ("*" in methods and not credentials)
    ):
        line = f"Method {method} is not allowed by Access-Control-Allow-Methods."
        return METHOD_DISALLOWED, ACAM, method, line
    listed = {h.strip(" \t").lower() for h in (joined_value(headers, ACAH) or "").split(",")}
    star = "*" in listed and not credentials
    asked = header_values(exchange.request.headers, "Access-Control-Request-Headers")
    unsafe = {n.strip() for n in asked[0].lower().split(",")} if asked else set()
    for name, _ in request.headers:
        lower = name.lower()
        if lower in unsafe and lower not in listed and not (star and lower != "authorization"):
            line = f"Request header field {name} is not allowed by Access-Control-Allow-Headers."
            return HEADER_DISALLOWED, ACAH, name, line
    return None


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _redirect(exchange: Exchange, cross: bool, credentials: bool) -> _Finding | None:
    """Why WebKit does not follow the redirect ``exchange`` answered with (None: it does)."""
    assert exchange.response is not None
    location = joined_value(exchange.response.headers, "Location") or ""
    target = urljoin(exchange.request.url, location)
    parts = urlsplit(target)
    if parts.scheme.lower() == "ftp":
        return NETWORK_FAILURE, "Location", location, "FTP URLs are disabled"
    denied = f"Cross-origin redirection to {_without_userinfo(target)} denied by Cross-Origin "
    denied += "Resource Sharing policy: "
    finding = _access(exchange, credentials) if cross else None
    if finding is not None:
        kind, header, value, line = finding
        return kind, header, value, denied + line
    try:
        valid = parts.scheme.lower() in _CORS_SCHEMES and bool(parts.hostname)
        parts.port  # noqa: B018 - urlsplit checks the port lazily
    except ValueError:
        valid = False
    if not valid:
        line = denied + "not allowed to follow a cross-origin CORS redirection with non CORS scheme"
        return NETWORK_FAILURE, "Location", location, line
    if parts.username is not None or parts.password is not None:
        line = denied + f"redirection URL {target} has credentials"
        return REDIRECT_CONTAINS_CREDENTIALS, "Location", location, line
    return None


def _on_exchange(verdict: Verdict, failure: Failure, request: Request) -> _Finding | None:
    """WebKit's finding on the last exchange of a request blocked after sending."""
    exchange = verdict.exchanges[-1]
    credentials = request.credentials == "include"
    response = exchange.response
    if response is None or failure.kind == MIXED_CONTENT:
        return None
    if exchange.kind == "preflight":
        return _preflight(exchange, request, credentials)
    cross = bool(header_values(exchange.request.headers, "Origin"))
    if is_redirect(response.status, response.headers):
        if sum(1 for e in verdict.exchanges if e.kind == "actual") > _MAX_REDIRECTS:
            return NETWORK_FAILURE, None, None, "Load cannot follow more than 20 redirections"
        if failure.kind == DISALLOWED_BY_MODE:
            location = joined_value(response.headers, "Location") or ""
            target = normalize_url(urljoin(exchange.request.url, location))
            line = (
                f"Unsafe attempt to load URL {target} from origin {request.origin}. "
                "Domains, protocols and ports must match.\n"
            )
            return DISALLOWED_BY_MODE, None, None, line
        return _redirect(exchange, cross, credentials)
    return _access(exchange, credentials) if cross else None


def _before_sending(failure: Failure, request: Request) -> _Finding | None:
    """WebKit's words for a request refused before anything was sent."""
    url = normalize_url(request.url)
    method = request.method
    if failure.kind == FETCH_REJECTED:
        if TOKEN.fullmatch(method) and method.translate(ASCII_UPPER) in FORBIDDEN_METHODS:
            return FETCH_REJECTED, None, None, "TypeError: Method is forbidden."
        if request.mode == "no-cors" and not is_safelisted_method(method):
            line = "TypeError: Method must be GET, POST or HEAD in no-cors mode."
            return FETCH_REJECTED, None, None, line
        return None
    if failure.kind == DISALLOWED_BY_MODE:
        return DISALLOWED_BY_MODE, None, None, f"Fetch API cannot load {url}."
    if failure.kind == CORS_DISABLED_SCHEME or urlsplit(url).scheme.lower() == "file":
        return (
            failure.kind,
            None,
            failure.value,
            "Cross origin requests are only supported for HTTP.",
        )
    return None


def _finding(verdict: Verdict, failure: Failure, request: Request) -> _Finding | None:
    if failure.kind == MIXED_CONTENT:  # after a warning: [blocked] The page at … insecure …
        return MIXED_CONTENT, None, failure.value, "Not allowed to request resource"
    if failure.stage == "request" or not verdict.exchanges:
        return _before_sending(failure, request)
    return _on_exchange(verdict, failure, request)


def as_webkit(verdict: Verdict, request: Request) -> Verdict:
    """``verdict`` with its failure said as WebKit says it (``request``: what the script
    asked for); see the module docstring for what each field then holds."""
    failure = verdict.error
    if failure is None:
        return verdict
    finding = _finding(verdict, failure, request)
    if finding is None:
        error = replace(failure, message=WEBKIT_SCRIPT_ERROR, reason=None, failed_parameter="")
        return replace(verdict, error=error)
    kind, header, value, line = finding
    if kind == NETWORK_FAILURE:  # no more precise than the walk's diagnosis: keep it
        kind, header, value = failure.kind, failure.header, failure.value
    elif _same_problem(kind, failure.kind):  # the walk's finer kind, this browser's culprit
        kind = failure.kind
    return replace(verdict, error=Failure(failure.stage, kind, header, value, line))


def _same_problem(webkit_kind: str, kind: str) -> bool:
    """Does the walk's ``kind`` name the problem WebKit found?"""
    if webkit_kind == kind:
        return True
    mismatch = {ALLOW_ORIGIN_MISMATCH, INVALID_ALLOW_ORIGIN_VALUE}
    return (
        webkit_kind.startswith(PREFLIGHT) == kind.startswith(PREFLIGHT)
        and {webkit_kind.removeprefix(PREFLIGHT), kind.removeprefix(PREFLIGHT)} <= mismatch
    )
