"""The generic fix: the exact response headers a server must send for a request to pass.

Derived from the request that was blocked, never a blanket ``*`` when credentials are
included: the exact origin (as the browser sends it at that hop), the method and the
request-header names this request needs, credentials when it includes them, ``Vary: Origin``
so that caches keep answers for different origins apart, and a preflight cache of ten
minutes. Some failures no server change can fix (a request the browser refuses to send);
their fix says so and says what to change in the page.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from urllib.parse import urljoin, urlsplit, urlunsplit

from corsinspector.engine.checks import ACAC, ACAH, ACAM, ACAO
from corsinspector.engine.kinds import (
    ALLOW_ORIGIN_MISMATCH,
    CLIENT_SIDE_KINDS,
    FETCH_REJECTED,
    NETWORK_FAILURE,
    PREFLIGHT_ALLOW_ORIGIN_MISMATCH,
    PREFLIGHT_DISALLOWED_REDIRECT,
    REDIRECT_CONTAINS_CREDENTIALS,
)
from corsinspector.engine.vocabulary import SAFELISTED_METHODS
from corsinspector.model import (
    Exchange,
    Failure,
    Fix,
    Headers,
    Route,
    Scenario,
    Verdict,
    header_values,
)
from corsinspector.origins import NULL_ORIGIN, serialize_origin, spelling_differences

__all__ = [
    "CAUSE_WIDTH",
    "MAX_AGE",
    "apply_fix",
    "cause_of",
    "generic_fix",
    "is_server_fixable",
    "misspelt_origin",
    "origin_spelling_mistake",
]

#: The width the cause a fix names first is wrapped at (the fix panel shows it whole).
CAUSE_WIDTH = 76
#: Preflight cache lifetime the fix suggests (Chromium caps Max-Age at 7200 s).
MAX_AGE = "600"
_CORS_RESPONSE_HEADERS = frozenset(
    name.lower()
    for name in (ACAO, ACAC, ACAM, ACAH, "Access-Control-Max-Age", "Access-Control-Expose-Headers")
)


def is_server_fixable(error: Failure) -> bool:
    """Can a change to the server's responses make the request pass?"""
    if error.kind in CLIENT_SIDE_KINDS:
        return False
    # A network failure on a redirect (bad or repeated Location, too many hops) is the
    # server's; one before anything was sent is not.
    return error.stage != "request"


def _origin_sent(exchange: Exchange) -> str | None:
    values = header_values(exchange.request.headers, "Origin")
    return values[0] if values else None


#: Each way an Allow-Origin value can spell the right origin wrongly, and its undoing.
_SPELLINGS = {
    "trailing slash": ("the trailing slash", "remove it"),
    "path": ("the path", "remove it"),
    "query": ("the query or fragment", "remove it"),
    "case": ("the letter case", "write it in lower case"),
    "default port": ("the default port", "remove it"),
    "host": ("the way the host is written", "write it as the browser does"),
}


def misspelt_origin(verdict: Verdict) -> tuple[str, str, str] | None:
    """(the Allow-Origin value, the origin sent, what differs) when the failing value names
    the very origin sent, only spelt differently (a trailing slash, letter case …)."""
    error = verdict.error
    if (
        error is None
        or error.kind not in (ALLOW_ORIGIN_MISMATCH, PREFLIGHT_ALLOW_ORIGIN_MISMATCH)
        or not error.value
    ):
        return None
    origin = _origin_sent(verdict.exchanges[-1]) if verdict.exchanges else None
    if origin is None or origin == NULL_ORIGIN:
        return None
    try:
        if serialize_origin(error.value) != origin:
            return None
    except ValueError:
        return None
    ways = spelling_differences(error.value, origin)
    return error.value, origin, " and ".join(_SPELLINGS[way][0] for way in ways)


def origin_spelling_mistake(verdict: Verdict) -> str | None:
    """When the failing Access-Control-Allow-Origin names the very origin sent, only spelt
    differently (a trailing slash, letter case, a default port …), that mistake in words."""
    misspelt = misspelt_origin(verdict)
    if misspelt is None:
        return None
    value, origin, what = misspelt
    ways = spelling_differences(value, origin)
    undo = _SPELLINGS[ways[0]][1] if len(ways) == 1 else f"send exactly `{origin}`"
    verb = "makes" if len(ways) == 1 else "make"
    return (
        f"Access-Control-Allow-Origin is `{value}` — {what} {verb} it differ from the "
        f"origin `{origin}`; {undo}: browsers compare the two character for character"
    )


def _preflight_headers(exchange: Exchange, credentials: bool) -> Headers:
    request = exchange.request.headers
    origin = _origin_sent(exchange) or "null"
    method = header_values(request, "Access-Control-Request-Method")
    names = header_values(request, "Access-Control-Request-Headers")
    headers: list[tuple[str, str]] = [(ACAO, origin)]
    if method and method[0] not in SAFELISTED_METHODS:
        headers.append((ACAM, method[0]))
    if names:
        headers.append((ACAH, ", ".join(names[0].split(","))))
    if credentials:
        headers.append((ACAC, "true"))
    headers += [("Access-Control-Max-Age", MAX_AGE), ("Vary", "Origin")]
    return tuple(headers)


def _actual_headers(exchange: Exchange, credentials: bool) -> Headers:
    origin = _origin_sent(exchange) or "null"
    headers: list[tuple[str, str]] = [(ACAO, origin)]
    if credentials:
        headers.append((ACAC, "true"))
    headers.append(("Vary", "Origin"))
    return tuple(headers)


def _actual_method(exchange: Exchange) -> str:
    """The method of the actual request an exchange stands for (a preflight names it)."""
    if exchange.kind == "preflight":
        return header_values(exchange.request.headers, "Access-Control-Request-Method")[0]
    return exchange.request.method


def _strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _redirect_fix(last: Exchange, credentials: bool) -> Fix:
    """A redirect the browser refused: fix the Location, or answer without redirecting."""
    response = last.response
    locations = header_values(response.headers if response else (), "Location")
    location = locations[0].strip() if len(locations) == 1 else ""
    stages = (("actual", _actual_headers(last, credentials)),) if _origin_sent(last) else ()
    target = f"{last.request.method} {last.request.url}"
    parts = urlsplit(location)
    if location and parts.scheme in ("http", "https") and "@" in parts.netloc:
        clean = _strip_userinfo(location)
        snippet = f"On the redirect answering {target}, send:\n  Location: {clean}"
        title = "Remove the user name and password from the redirect"
        return Fix("generic", title, snippet, stages, redirect=clean)
    snippet = (
        f"Answer {target} itself (200) instead of redirecting: the browser refuses this "
        "redirect (a Location that is not one http(s) URL, or more than 20 redirects)."
    )
    for _, headers in stages:
        snippet += "\n" + "\n".join(f"  {name}: {value}" for name, value in headers)
    return Fix("generic", "Answer without this redirect", snippet, stages, redirect="")


def cause_of(error: Failure, last: Exchange) -> tuple[str, str] | None:
    """What caused a block that CORS headers alone do not address, as (a title, the first
    sentence of the fix): a redirected preflight, authentication answering the preflight,
    an error response without the headers, a preflight answered without a 2xx status."""
    response = last.response
    if response is None:
        return None
    status = f"{response.status} {response.reason or ''}".strip()
    url = last.request.url
    if error.kind == PREFLIGHT_DISALLOWED_REDIRECT:
        locations = header_values(response.headers, "Location")
        location = locations[0].strip() if locations else ""
        asked = urlsplit(url).path or "/"
        target = urlsplit(urljoin(url, location)).path or "/"
        slash = ""
        if asked != target and asked.rstrip("/") == target.rstrip("/"):
            slash = f" (the trailing slash: {asked} vs {target})"
        return (
            "Answer the preflight where it is asked, no redirect",
            f"Answer the preflight where it is asked, no redirect{slash}: OPTIONS {url} was "
            f"redirected ({status} → {location or 'no Location'}), and browsers never follow "
            "a redirect of a preflight. Answer it at this URL, or call the final URL from the "
            "page.",
        )
    if last.kind == "preflight" and response.status in (401, 403):
        return (
            "Let OPTIONS through before authentication",
            f"Let OPTIONS through before authentication: the preflight was answered {status} "
            "because authentication ran first, and a preflight never carries credentials (no "
            "Authorization, no cookies). Run CORS before authentication so that it answers "
            "OPTIONS itself.",
        )
    if response.status >= 500:
        return (
            "The error path must send the CORS headers too",
            f"The error path must send the CORS headers too: {last.request.method} {url} was "
            f"answered {status}, "
            + (
                "and a preflight passes only with a 2xx status and the headers below: keep "
                "OPTIONS away from the failing code."
                if last.kind == "preflight"
                else "and the browser hides an error without them from script. Fix the "
                "error, and send the headers below on error responses as well."
            ),
        )
    if last.kind == "preflight" and not 200 <= response.status < 300:
        return (
            "Answer the preflight with a 2xx status",
            f"Answer the preflight with a 2xx status: OPTIONS {url} was answered {status}, and "
            "a preflight passes only with 200-299 (route OPTIONS to the CORS handler).",
        )
    return None


def _refusal_fix(error: Failure, url: str) -> Fix | None:
    """What to change for a request the browser refuses to send: a restricted port, or a URL
    that carries a user name or password."""
    if error.kind == NETWORK_FAILURE and error.value == "net::ERR_UNSAFE_PORT":
        return Fix(
            "generic",
            "Serve the API on a port browsers connect to",
            f"Browsers never connect to the port of {url} (net::ERR_UNSAFE_PORT: it belongs "
            "to another protocol): serve the API on another port, such as 443 or 8080.",
        )
    if error.kind == FETCH_REJECTED and "includes credentials" in error.message:
        return Fix(
            "generic",
            "Take user:password@ out of the URL",
            "fetch() refuses a URL with credentials in it: remove user:password@ from the URL "
            "and send them in an Authorization header instead (it needs a preflight).",
        )
    return None


def generic_fix(scenario: Scenario, verdict: Verdict) -> Fix | None:
    """The response headers that make the blocked exchange pass, per stage; None if allowed."""
    error = verdict.error
    if error is None:
        return None
    if not is_server_fixable(error):
        refused = _refusal_fix(error, scenario.request.url)
        if refused is not None:
            return refused
        return Fix(
            "generic",
            "No server change can fix this: change the page",
            CLIENT_SIDE_KINDS.get(
                error.kind, "the browser refuses this request before sending it."
            ),
        )
    credentials = scenario.request.credentials == "include"
    last = verdict.exchanges[-1]
    if last.network_error is not None:
        problem = last.network_error
        return Fix(
            "generic",
            "Make the server answer",
            f"{last.request.method} {last.request.url} got no HTTP answer ({problem.code}): "
            f"{problem.explanation.rstrip('.')}. CORS headers cannot help until the server "
            "answers.",
        )
    if error.kind in (NETWORK_FAILURE, REDIRECT_CONTAINS_CREDENTIALS):
        return _redirect_fix(last, credentials)
    stages: list[tuple[str, Headers]] = []
    if last.kind == "preflight":
        stages.append(("preflight", _preflight_headers(last, credentials)))
    stages.append(("actual", _actual_headers(last, credentials)))
    method = _actual_method(last)
    lines = []
    for stage, headers in stages:
        if stage == "preflight":
            lines.append(f"On the preflight (OPTIONS {last.request.url}), answer 204 with:")
        else:
            lines.append(f"On the response to {method} {last.request.url}:")
        lines += [f"  {name}: {value}" for name, value in headers]
    title = "Allow this origin, method and headers" if len(stages) == 2 else "Allow this origin"
    mistake = origin_spelling_mistake(verdict)
    misspelt = misspelt_origin(verdict)
    if mistake is not None and misspelt is not None:
        title = f"Allow exactly {misspelt[1]}: {misspelt[2]} made the allowed origin differ"
        lines.insert(0, f"{mistake}.")
    cause = cause_of(error, last)
    if cause is not None:
        title = f"{cause[0]}; then {title[0].lower()}{title[1:]}"
        lines[:0] = textwrap.wrap(cause[1], CAUSE_WIDTH)  # read without scrolling sideways
    return Fix(
        "generic",
        title,
        "\n".join(lines),
        tuple(stages),
        mistake=mistake,
        cause=None if cause is None else cause[1],
    )


def _with_cors_headers(route: Route, headers: Headers) -> Route:
    kept = tuple((k, v) for k, v in route.headers if k.lower() not in _CORS_RESPONSE_HEADERS)
    return replace(route, headers=kept + headers)


def _without_redirect(route: Route, location: str) -> Route:
    headers = tuple((k, v) for k, v in route.headers if k.lower() != "location")
    if location:
        return replace(route, headers=(*headers, ("Location", location)))
    return replace(route, status=200, headers=headers)


def apply_fix(scenario: Scenario, verdict: Verdict, fix: Fix) -> Scenario:
    """The scenario with ``fix`` applied to the routes that answered the failing exchange."""
    last = verdict.exchanges[-1]
    stages = dict(fix.headers)
    routes = list(scenario.server)
    url = last.request.url
    if "preflight" in stages:
        routes.insert(0, Route("OPTIONS", url, 204, stages["preflight"]))
    if "actual" in stages or fix.redirect is not None:
        method = _actual_method(last)
        route = scenario.route_for(method, url)
        if "actual" in stages:
            route = _with_cors_headers(route, stages["actual"])
        if fix.redirect is not None:
            route = _without_redirect(route, fix.redirect)
        routes.insert(0, replace(route, method=method, url=url))
    return replace(scenario, server=tuple(routes))
