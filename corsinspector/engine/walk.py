"""The walk: one ``fetch()`` as a browser carries it out, hop by hop, without any I/O.

:func:`walk` is a generator (mitmproxy's sans-I/O idea): it yields each request the browser
would send next, as an :class:`~corsinspector.model.Exchange` without an answer, and is sent
back the same exchange answered (a response, or a network error). When the fetch is decided
it returns the :class:`~corsinspector.model.Verdict`. The offline judge answers from the
scenario's routes; the live inspector answers from the network. The rules and their order
follow what the golden truths recorded from Chromium 140 show; where another browser differs,
its :class:`~corsinspector.engine.profiles.Profile` says how.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from corsinspector.engine.checks import (
    Problem,
    check_access,
    check_preflight,
    devtools_text,
    is_redirect,
    is_redirect_status,
    joined_value,
)
from corsinspector.engine.exposure import exposed_headers
from corsinspector.engine.kinds import (
    CORS_DISABLED_SCHEME,
    DISALLOWED_BY_MODE,
    FETCH_REJECTED,
    LOCAL_NETWORK_ACCESS_DENIED,
    MIXED_CONTENT,
    NETWORK_FAILURE,
    REDIRECT_CONTAINS_CREDENTIALS,
)
from corsinspector.engine.localnetwork import space_needing_permission, unplaced_page_note
from corsinspector.engine.messages import cors_message, local_resource_message
from corsinspector.engine.profiles import DEFAULT_PROFILE, Profile
from corsinspector.engine.safelist import PreparedRequest, prepare_request
from corsinspector.model import (
    Exchange,
    Failure,
    Headers,
    Request,
    Response,
    SentRequest,
    Stage,
    Verdict,
)
from corsinspector.origins import (
    NULL_ORIGIN,
    is_loopback_host,
    normalize_url,
    origin_note,
    origin_of,
)

__all__ = [
    "FAILED_TO_FETCH",
    "MAX_REDIRECTS",
    "UNSAFE_PORT",
    "UNSAFE_PORTS",
    "Walk",
    "first_requests",
    "walk",
]

#: Chromium follows 20 redirects; the 21st fails with net::ERR_TOO_MANY_REDIRECTS.
MAX_REDIRECTS = 20
#: What script sees when a fetch fails without a CORS message on the console.
FAILED_TO_FETCH = "TypeError: Failed to fetch"
_HTTP = ("http", "https")
#: Headers dropped with the body when a redirect turns the request into a GET.
_BODY_HEADERS = frozenset(
    {"content-encoding", "content-language", "content-location", "content-type"}
)
#: Chromium 140's restricted ports (net/base/port_util.cc kRestrictedPorts): a URL on one
#: fails with net::ERR_UNSAFE_PORT before anything is sent (checked in embedded Chromium).
UNSAFE_PORTS = frozenset(
    {0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95}
    | {101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161}
    | {179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563}
    | {587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 5060, 5061}
    | {6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080}
)
UNSAFE_PORT = "net::ERR_UNSAFE_PORT"
#: Schemes Chromium's network stack knows but never redirects to (ERR_UNSAFE_REDIRECT);
#: any other non-http(s) Location is ERR_UNKNOWN_URL_SCHEME (ftp:, ws:, javascript: …).
_UNSAFE_REDIRECT_SCHEMES = frozenset({"data", "file", "about", "blob"})

#: The generator type: yields exchanges to carry out, is sent them answered.
Walk = Generator[Exchange, Exchange, Verdict]


@dataclass
class _State:
    """What one fetch has seen so far."""

    page: str
    first_url: str
    credentials: bool
    preflight_required: bool
    preflight_reasons: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]
    send_anyway: bool
    profile: Profile
    exchanges: list[Exchange] = field(default_factory=list)
    #: Successful preflights still fresh: (origin header, url, method, unsafe names).
    cache: set[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=set)
    #: What the verdict tells the user besides (the origin sent differs from the one typed).
    notes: tuple[str, ...] = ()

    def verdict(
        self,
        error: Failure | None,
        exposed: tuple[str, ...] = (),
        response_type: str | None = None,
    ) -> Verdict:
        return Verdict(
            allowed=error is None,
            preflight_required=self.preflight_required,
            preflight_reasons=self.preflight_reasons,
            exchanges=tuple(self.exchanges),
            error=error,
            exposed_headers=exposed,
            dropped_headers=self.dropped,
            response_type=response_type if error is None else None,
            notes=self.notes,
        )

    def failure(self, stage: Stage, problem: Problem, url: str) -> Failure:
        message = cors_message(
            problem.kind,
            problem.failed_parameter,
            url=url,
            first_url=self.first_url,
            origin=self.page,
        )
        parameter = devtools_text(problem.failed_parameter)
        return Failure(stage, problem.kind, problem.header, problem.value, message, parameter)


def _is_cross_origin(page: str, url: str) -> bool:
    return page == NULL_ORIGIN or origin_of(url) != page


def _network_failure(stage: Stage, value: str | None = None, header: str | None = None) -> Failure:
    return Failure(stage, NETWORK_FAILURE, header, value, FAILED_TO_FETCH)


def _is_mixed_content(page: str, url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return page.startswith("https:") and parts.scheme == "http" and not is_loopback_host(host)


@lru_cache(maxsize=4096)
def _unsafe_port(url: str) -> bool:
    """Is ``url`` on a port Chromium refuses to connect to (its scheme's default is fine)?"""
    try:
        port = urlsplit(url).port
    except ValueError:
        return False
    return port is not None and port in UNSAFE_PORTS


def _preflight_headers(
    method: str, unsafe: tuple[str, ...], origin: str, profile: Profile
) -> Headers:
    """The CORS headers of a preflight, in the order ``profile``'s browser sends them."""
    values = {
        "Accept": "*/*",
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": ",".join(unsafe),
        "Origin": origin,
        "Sec-Fetch-Mode": "cors",
    }
    return tuple((name, values[name]) for name in profile.preflight_headers if values[name])


def _redirected_request(prepared: PreparedRequest, status: int, request: Request) -> Request:
    """The request after a redirect: 301/302 turn POST into GET, 303 anything but GET/HEAD;
    then the body and its headers are dropped."""
    method = prepared.method
    to_get = (status in (301, 302) and method == "POST") or (
        status == 303 and method not in ("GET", "HEAD")
    )
    if not to_get:
        return replace(request, method=method, headers=prepared.headers, body=request.body)
    headers = tuple((k, v) for k, v in prepared.headers if k.lower() not in _BODY_HEADERS)
    return replace(request, method="GET", headers=headers, body=None)


def walk(
    request: Request, *, send_anyway: bool = False, profile: Profile = DEFAULT_PROFILE
) -> Walk:
    """Carry out ``request`` as ``profile``'s browser would; see the module docstring.

    ``send_anyway``: when the preflight fails, still send the actual request once, marked
    ``browser_sends=False`` (no browser would); the verdict stays the preflight's.
    """
    prepared = prepare_request(request, profile)
    first_url = normalize_url(request.url)
    required = (
        request.mode == "cors"
        and _is_cross_origin(request.origin, first_url)
        and prepared.needs_preflight
    )
    state = _State(
        request.origin,
        first_url,
        request.credentials == "include",
        required,
        prepared.reasons if required else (),
        tuple(
            (check.name, check.reason)
            for check in prepared.checks
            if check.status in ("forbidden", "dropped-no-cors")
        ),
        send_anyway,
        profile,
    )
    if request.typed_origin is not None:
        note = origin_note(request.typed_origin, request.origin)
        state.notes = (note,) if note else ()
    if prepared.error is not None:
        return state.verdict(Failure("request", FETCH_REJECTED, None, None, prepared.error))
    scheme = urlsplit(first_url).scheme.lower()
    if scheme == "data":
        return state.verdict(None, profile.data_url_headers, "basic")
    if scheme not in _HTTP:
        if scheme == "file":
            failure = _network_failure("request")
            if profile.says_local_resource:
                failure = replace(failure, message=local_resource_message(first_url))
            return state.verdict(failure)
        message = f'Fetch API cannot load {first_url}. URL scheme "{scheme}" is not supported.'
        return state.verdict(
            Failure("request", CORS_DISABLED_SCHEME, None, scheme, message, scheme)
        )
    if request.mode == "same-origin" and _is_cross_origin(state.page, first_url):
        message = (
            f'Fetch API cannot load {first_url}. Request mode is "same-origin" but the URL\'s '
            f"origin is not same as the request origin {state.page}."
        )
        return state.verdict(Failure("request", DISALLOWED_BY_MODE, None, None, message))
    return (yield from _hops(state, request, prepared))


def _space_needing_permission(state: _State, request: Request, url: str) -> str | None:
    """The address space the page needs the user's permission for (Local Network Access).
    Chrome asks only for a public page's requests (a local page reaches loopback freely)."""
    if not state.profile.local_network_access:
        return None
    guarded = state.profile.family != "chromium"
    return space_needing_permission(state.page, url, request, local_page_guarded=guarded)


def _sends_credentials(request: Request, cross: bool) -> bool:
    return request.credentials == "include" or (request.credentials == "same-origin" and not cross)


def _hops(state: _State, request: Request, prepared: PreparedRequest) -> Walk:
    """Preflight, request and CORS check at each hop, following redirects."""
    url = state.first_url
    tainted = False
    redirects = 0
    #: The URLs before this hop since the browser (re)started the request.
    chain: tuple[str, ...] = ()
    while True:
        cross = tainted or _is_cross_origin(state.page, url)
        if _is_mixed_content(state.page, url):
            message = (
                f"Mixed Content: The page at '{state.page}/' was loaded over HTTPS, but requested "
                f"an insecure resource '{url}'. This request has been blocked; the content must "
                "be served over HTTPS."
            )
            return state.verdict(Failure("actual", MIXED_CONTENT, None, url, message))
        if _unsafe_port(url):
            if not redirects:
                return state.verdict(_network_failure("request", UNSAFE_PORT))
            return state.verdict(_network_failure("actual", UNSAFE_PORT, "Location"))
        space = _space_needing_permission(state, request, url)
        if state.profile.local_network_access and not redirects:
            unplaced = unplaced_page_note(state.page, url, request)
            if unplaced is not None:
                state.notes = (*state.notes, unplaced)
        if space is not None:
            denied = Problem(LOCAL_NETWORK_ACCESS_DENIED, space)  # the space names its words
            refusal = state.failure("actual" if redirects else "request", denied, url)
            # Chrome 156 names no failed parameter (corsErrorStatus.failedParameter "")
            return state.verdict(replace(refusal, failed_parameter=""))
        cors = request.mode == "cors" and cross
        if cors and prepared.needs_preflight:
            chain = ()  # a redirect needing a preflight restarts the request: a new URL chain
        origin = NULL_ORIGIN if tainted else state.page
        # Firefox's preflight keeps the page's origin after a redirect made it opaque
        asks = state.page if state.profile.preflight_keeps_page_origin else origin
        headers: list[tuple[str, str]] = []
        if cors or prepared.method not in ("GET", "HEAD"):
            headers.append(("Origin", origin))
        headers += prepared.headers
        actual = Exchange(
            "actual",
            SentRequest(prepared.method, url, tuple(headers), request.body),
            credentials=_sends_credentials(request, cross),
            chain=chain,
            mode=request.mode,
        )
        if cors and prepared.needs_preflight:
            key = (asks, url, prepared.method, prepared.unsafe_names)
            if key not in state.cache:
                failure, cacheable = yield from _preflight(state, url, asks, prepared, chain)
                if failure is not None:
                    if state.send_anyway and failure.kind != NETWORK_FAILURE:
                        state.exchanges.append((yield replace(actual, browser_sends=False)))
                    return state.verdict(failure)
                if cacheable:
                    state.cache.add(key)
        answered = yield actual
        state.exchanges.append(answered)
        if answered.network_error is not None or answered.response is None:
            code = answered.network_error.code if answered.network_error else None
            return state.verdict(_network_failure("actual", code))
        response = answered.response
        redirect = is_redirect(response.status, response.headers)
        lines = _location_lines(response)
        if redirect and lines > 1 and not state.profile.joins_location_lines:
            # net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION, before any CORS check
            code = "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION"
            return state.verdict(_network_failure("actual", code, "Location"))
        if lines and not redirect and is_redirect_status(response.status):
            # an empty Location: Chromium reads the response, Firefox follows it, WebKit fails
            if state.profile.empty_location == "refused":
                return state.verdict(_network_failure("actual", None, "Location"))
            redirect = state.profile.empty_location == "followed"
        if cors:
            problem = check_access(response.headers, origin, state.credentials, state.profile)
            if problem is not None:
                return state.verdict(state.failure("actual", problem, url))
        if not redirect:
            if request.mode == "no-cors" and cross:
                return state.verdict(None, (), "opaque")
            response_type = "cors" if cors else "basic"
            exposed = exposed_headers(response.headers, response_type, state.credentials)
            return state.verdict(None, exposed, response_type)
        # --- a redirect -----------------------------------------------------------------
        redirects += 1
        if redirects > MAX_REDIRECTS:
            return state.verdict(_network_failure("actual", "net::ERR_TOO_MANY_REDIRECTS"))
        location = joined_value(response.headers, "Location") or ""
        next_url = urljoin(url, location).replace(" ", "%20")
        parts = urlsplit(next_url)
        if parts.scheme.lower() not in _HTTP:
            known = parts.scheme.lower() in _UNSAFE_REDIRECT_SCHEMES
            if not known and request.mode == "cors" and state.profile.cors_disabled_redirect:
                problem = Problem(CORS_DISABLED_SCHEME, "", "Location", location)
                return state.verdict(state.failure("actual", problem, next_url))
            code = "net::ERR_UNSAFE_REDIRECT" if known else "net::ERR_UNKNOWN_URL_SCHEME"
            return state.verdict(_network_failure("actual", code, "Location"))
        if not _has_valid_host(parts):
            code = "net::ERR_INVALID_REDIRECT"
            return state.verdict(_network_failure("actual", code, "Location"))
        next_url = normalize_url(next_url)
        if parts.username is not None or parts.password is not None:
            if request.mode == "cors" and (cors or _is_cross_origin(origin_of(url), next_url)):
                problem = Problem(REDIRECT_CONTAINS_CREDENTIALS, "", "Location", location)
                return state.verdict(state.failure("actual", problem, url))
            if not state.profile.follows_userinfo_redirect:
                return state.verdict(_network_failure("actual", None, "Location"))
            next_url = _without_userinfo(next_url)
        if request.mode == "same-origin" and _is_cross_origin(state.page, next_url):
            message = (
                f"Unsafe attempt to load URL {next_url} from frame with URL {state.page}/. "
                "Domains, protocols and ports must match.\n"
            )
            return state.verdict(Failure("actual", DISALLOWED_BY_MODE, None, None, message))
        if origin_of(next_url) != origin_of(url) and origin_of(url) != state.page:
            tainted = True
        request, prepared = _after_redirect(prepared, response.status, request, state.profile)
        chain = (*chain, url)
        url = next_url


def _after_redirect(
    prepared: PreparedRequest, status: int, request: Request, profile: Profile
) -> tuple[Request, PreparedRequest]:
    """The request to send after a redirect, and what the browser makes of it."""
    redirected = _redirected_request(prepared, status, request)
    after = prepare_request(redirected, profile)
    if profile.preflight_names_dropped_headers and redirected.method != prepared.method:
        # WebKit still asks for the body's headers it no longer sends
        kept = prepare_request(replace(redirected, headers=prepared.headers), profile)
        after = replace(
            after,
            unsafe_names=kept.unsafe_names,
            acah_check_order=kept.acah_check_order,
            reasons=kept.reasons,
        )
    return redirected, after


def _preflight(
    state: _State, url: str, origin: str, prepared: PreparedRequest, chain: tuple[str, ...]
) -> Generator[Exchange, Exchange, tuple[Failure | None, bool]]:
    """Send the preflight and check its answer: (the failure or None, whether the result
    may be cached: Chromium keeps it for Max-Age seconds, 5 by default, none at 0 or less)."""
    headers = _preflight_headers(prepared.method, prepared.unsafe_names, origin, state.profile)
    sent = SentRequest("OPTIONS", url, headers)
    answered = yield Exchange("preflight", sent, chain=chain)
    state.exchanges.append(answered)
    if answered.network_error is not None or answered.response is None:
        code = answered.network_error.code if answered.network_error else None
        return _network_failure("preflight", code), False
    response = answered.response
    problem = check_preflight(
        response.status,
        response.headers,
        state.profile,
        origin=origin,
        credentials=state.credentials,
        method=prepared.method,
        header_names=prepared.acah_check_order,
    )
    if problem is not None:
        return state.failure("preflight", problem, url), False
    return None, _max_age(response.headers) > 0


def _max_age(headers: Headers) -> int:
    value = joined_value(headers, "Access-Control-Max-Age")
    if value is None:
        return 5
    try:
        return min(int(value), 7200)
    except ValueError:
        return 5


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _location_lines(response: Response) -> int:
    return sum(1 for name, _ in response.headers if name.lower() == "location")


def _has_valid_host(parts: SplitResult) -> bool:
    try:
        parts.port  # noqa: B018 - urlsplit checks the port lazily
    except ValueError:
        return False
    return bool(parts.hostname)


def first_requests(request: Request, profile: Profile = DEFAULT_PROFILE) -> list[SentRequest]:
    """What the browser sends first for ``request``: the preflight (when it needs one) and
    the request itself, with their CORS headers, as an export shows them."""
    prepared = prepare_request(request, profile)
    url = normalize_url(request.url)
    cross = _is_cross_origin(request.origin, url)
    sent: list[SentRequest] = []
    if prepared.error is not None:
        return sent
    if request.mode == "cors" and cross and prepared.needs_preflight:
        headers = _preflight_headers(
            prepared.method, prepared.unsafe_names, request.origin, profile
        )
        sent.append(SentRequest("OPTIONS", url, headers))
    headers_out: list[tuple[str, str]] = []
    if (request.mode == "cors" and cross) or prepared.method not in ("GET", "HEAD"):
        headers_out.append(("Origin", request.origin))
    headers_out += prepared.headers
    sent.append(SentRequest(prepared.method, url, tuple(headers_out), request.body))
    return sent
