"""The judge: walks a scenario as Chromium would, hop by hop, and returns the verdict.

Pure and deterministic: the scenario's routes stand for the server. The order of the rules
follows what the golden truths recorded from Chromium 140 show.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import SplitResult, urljoin, urlsplit

from corsinspector.engine.checks import (
    Problem,
    check_access,
    check_preflight,
    devtools_text,
    is_redirect,
    joined_value,
)
from corsinspector.engine.exposure import exposed_headers
from corsinspector.engine.firefox import as_firefox
from corsinspector.engine.fixes import generic_fix
from corsinspector.engine.messages import cors_message
from corsinspector.engine.safelist import PreparedRequest, prepare_request
from corsinspector.model import (
    Exchange,
    Failure,
    Headers,
    Request,
    Response,
    Route,
    Scenario,
    SentRequest,
    Stage,
    Verdict,
)
from corsinspector.origins import NULL_ORIGIN, normalize_url, origin_of

__all__ = ["MAX_REDIRECTS", "judge"]

#: Chromium follows 20 redirects; the 21st fails with net::ERR_TOO_MANY_REDIRECTS.
MAX_REDIRECTS = 20
_FAILED_TO_FETCH = "TypeError: Failed to fetch"
_HTTP = ("http", "https")
#: Headers dropped with the body when a redirect turns the request into a GET.
_BODY_HEADERS = frozenset(
    {"content-encoding", "content-language", "content-location", "content-type"}
)
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


@dataclass
class _Walk:
    """The state of one fetch as it goes from hop to hop."""

    scenario: Scenario
    page: str
    first_url: str
    credentials: bool
    preflight_required: bool
    preflight_reasons: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]
    exchanges: list[Exchange] = field(default_factory=list)
    #: Successful preflights still fresh: (origin header, url, method, unsafe names).
    cache: set[tuple[str, str, str, tuple[str, ...]]] = field(default_factory=set)

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
        )


def _is_cross_origin(page: str, url: str) -> bool:
    return page == NULL_ORIGIN or origin_of(url) != page


def _response_for(scenario: Scenario, method: str, url: str) -> Route:
    return scenario.route_for(method, url)


def _respond(route: Route, method: str) -> Response:
    return Response(route.status, route.wire_headers(method), route.body)


def _failure(walk: _Walk, stage: Stage, problem: Problem, url: str) -> Failure:
    message = cors_message(
        problem.kind, problem.failed_parameter, url=url, first_url=walk.first_url, origin=walk.page
    )
    parameter = devtools_text(problem.failed_parameter)
    return Failure(stage, problem.kind, problem.header, problem.value, message, parameter)


def _network_failure(
    stage: Stage, message: str = _FAILED_TO_FETCH, header: str | None = None
) -> Failure:
    return Failure(stage, "NetworkFailure", header, None, message)


def _is_mixed_content(page: str, url: str) -> bool:
    parts = urlsplit(url)
    return (
        page.startswith("https:")
        and parts.scheme == "http"
        and (parts.hostname or "") not in _LOOPBACK_HOSTS
    )


def _preflight_headers(method: str, unsafe: tuple[str, ...], origin: str) -> Headers:
    headers: list[tuple[str, str]] = [("Accept", "*/*"), ("Access-Control-Request-Method", method)]
    if unsafe:
        headers.append(("Access-Control-Request-Headers", ",".join(unsafe)))
    headers += [("Origin", origin), ("Sec-Fetch-Mode", "cors")]
    return tuple(headers)


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


def judge(scenario: Scenario) -> Verdict:
    """The verdict Chromium reaches on ``scenario``, with the generic fix when blocked."""
    verdict = _judge(scenario)
    if scenario.browser == "firefox":
        request = scenario.request
        verdict = as_firefox(verdict, normalize_url(request.url), request.credentials == "include")
    fix = generic_fix(scenario, verdict)
    return verdict if fix is None else replace(verdict, fixes=(fix,))


def _judge(scenario: Scenario) -> Verdict:
    request = scenario.request
    prepared = prepare_request(request)
    first_url = normalize_url(request.url)
    required = (
        request.mode == "cors"
        and _is_cross_origin(request.origin, first_url)
        and prepared.needs_preflight
    )
    walk = _Walk(
        scenario,
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
    )
    verdict = walk.verdict
    if prepared.error is not None:
        return verdict(Failure("request", "FetchRejected", None, None, prepared.error))
    scheme = urlsplit(first_url).scheme.lower()
    if scheme == "data":
        return verdict(None, ("content-type",), "basic")
    if scheme not in _HTTP:
        if scheme == "file":
            return verdict(_network_failure("request"))
        message = f'Fetch API cannot load {first_url}. URL scheme "{scheme}" is not supported.'
        return verdict(Failure("request", "CorsDisabledScheme", None, scheme, message, scheme))
    if request.mode == "same-origin" and _is_cross_origin(walk.page, first_url):
        message = (
            f'Fetch API cannot load {first_url}. Request mode is "same-origin" but the URL\'s '
            f"origin is not same as the request origin {walk.page}."
        )
        return verdict(Failure("request", "DisallowedByMode", None, None, message))
    return _walk(walk, request, prepared)


def _walk(walk: _Walk, request: Request, prepared: PreparedRequest) -> Verdict:
    """Preflight, request and CORS check at each hop, following redirects."""
    verdict = walk.verdict
    url = walk.first_url
    tainted = False
    redirects = 0
    while True:
        cross = tainted or _is_cross_origin(walk.page, url)
        if _is_mixed_content(walk.page, url):
            message = (
                f"Mixed Content: The page at '{walk.page}/' was loaded over HTTPS, but requested "
                f"an insecure resource '{url}'. This request has been blocked; the content must "
                "be served over HTTPS."
            )
            return verdict(Failure("actual", "MixedContent", None, url, message))
        cors = request.mode == "cors" and cross
        origin = NULL_ORIGIN if tainted else walk.page
        if cors and prepared.needs_preflight:
            key = (origin, url, prepared.method, prepared.unsafe_names)
            if key not in walk.cache:
                problem = _preflight(walk, url, origin, prepared)
                if problem is not None:
                    return verdict(_failure(walk, "preflight", problem, url))
        route = _response_for(walk.scenario, prepared.method, url)
        response = _respond(route, prepared.method)
        headers: list[tuple[str, str]] = []
        if cors or prepared.method not in ("GET", "HEAD"):
            headers.append(("Origin", origin))
        headers += prepared.headers
        walk.exchanges.append(
            Exchange("actual", SentRequest(prepared.method, url, tuple(headers)), response)
        )
        if is_redirect(response.status, response.headers) and _location_lines(response) > 1:
            # net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION, before any CORS check
            return verdict(_network_failure("actual", header="Location"))
        if cors:
            problem = check_access(response.headers, origin, walk.credentials)
            if problem is not None:
                return verdict(_failure(walk, "actual", problem, url))
        if not is_redirect(response.status, response.headers):
            if request.mode == "no-cors" and cross:
                return verdict(None, (), "opaque")
            response_type = "cors" if cors else "basic"
            exposed = exposed_headers(response.headers, response_type, walk.credentials)
            return verdict(None, exposed, response_type)
        # --- a redirect -----------------------------------------------------------------
        redirects += 1
        if redirects > MAX_REDIRECTS:
            return verdict(_network_failure("actual"))
        location = joined_value(response.headers, "Location") or ""
        next_url = urljoin(url, location)
        parts = urlsplit(next_url)
        if parts.scheme.lower() not in _HTTP:
            return verdict(_network_failure("actual", header="Location"))
        if not _has_valid_host(parts):
            return verdict(_network_failure("actual", header="Location"))
        next_url = normalize_url(next_url)
        if parts.username is not None or parts.password is not None:
            if request.mode == "cors" and (cors or _is_cross_origin(origin_of(url), next_url)):
                problem = Problem("RedirectContainsCredentials", "", "Location", location)
                return verdict(_failure(walk, "actual", problem, url))
            return verdict(_network_failure("actual", header="Location"))
        if request.mode == "same-origin" and _is_cross_origin(walk.page, next_url):
            message = (
                f"Unsafe attempt to load URL {next_url} from frame with URL {walk.page}/. "
                "Domains, protocols and ports must match.\n"
            )
            return verdict(Failure("actual", "DisallowedByMode", None, None, message))
        if origin_of(next_url) != origin_of(url) and origin_of(url) != walk.page:
            tainted = True
        request = _redirected_request(prepared, response.status, request)
        prepared = prepare_request(request)
        url = next_url


def _preflight(walk: _Walk, url: str, origin: str, prepared: PreparedRequest) -> Problem | None:
    route = _response_for(walk.scenario, "OPTIONS", url)
    response = _respond(route, "OPTIONS")
    sent = SentRequest(
        "OPTIONS", url, _preflight_headers(prepared.method, prepared.unsafe_names, origin)
    )
    walk.exchanges.append(Exchange("preflight", sent, response))
    problem = check_preflight(
        response.status,
        response.headers,
        origin=origin,
        credentials=walk.credentials,
        method=prepared.method,
        header_names=prepared.acah_check_order,
    )
    if problem is None and _max_age(response.headers) > 0:
        walk.cache.add((origin, url, prepared.method, prepared.unsafe_names))
    return problem


def _max_age(headers: Headers) -> int:
    value = joined_value(headers, "Access-Control-Max-Age")
    if value is None:
        return 5
    try:
        return min(int(value), 7200)
    except ValueError:
        return 5


def _location_lines(response: Response) -> int:
    return sum(1 for name, _ in response.headers if name.lower() == "location")


def _has_valid_host(parts: SplitResult) -> bool:
    try:
        parts.port  # noqa: B018 - urlsplit checks the port lazily
    except ValueError:
        return False
    return bool(parts.hostname)
