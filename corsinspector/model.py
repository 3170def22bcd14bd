"""The one data model every part shares: scenarios, and what a real browser was seen to do.

Every type is a frozen dataclass; header lists are tuples of ``(name, value)`` pairs that keep
the order, the case and the repeats exactly as given (never a dict: two
``Access-Control-Allow-Origin`` lines must stay two lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from corsinspector.origins import normalize_url

__all__ = [
    "CREDENTIALS_MODES",
    "REQUEST_MODES",
    "BrowserResult",
    "ConsoleLine",
    "CorsErrorStatus",
    "Credentials",
    "Exchange",
    "Failure",
    "Fix",
    "Headers",
    "Mode",
    "NetworkError",
    "ReceivedRequest",
    "Request",
    "Response",
    "Route",
    "Scenario",
    "SentRequest",
    "Stage",
    "Timings",
    "Truth",
    "Verdict",
    "header_values",
]

Headers = tuple[tuple[str, str], ...]
Credentials = Literal["omit", "same-origin", "include"]
Mode = Literal["cors", "no-cors", "same-origin"]
CREDENTIALS_MODES: tuple[Credentials, ...] = ("omit", "same-origin", "include")
REQUEST_MODES: tuple[Mode, ...] = ("cors", "no-cors", "same-origin")

#: Statuses whose responses carry no body, so the player adds no Content-Length.
_BODYLESS_STATUSES = frozenset({204, 304})


def header_values(headers: Headers, name: str) -> list[str]:
    """Every value of ``name`` (case-insensitive), one per line, in order."""
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


@dataclass(frozen=True)
class Request:
    """The request a page's script makes with ``fetch()``."""

    url: str
    method: str = "GET"
    #: The page's serialized origin (``scheme://host[:port]``), or ``"null"`` when opaque.
    origin: str = "https://app.example.test"
    headers: Headers = ()
    credentials: Credentials = "same-origin"
    mode: Mode = "cors"
    body: str | None = None
    #: The origin as the user typed it, when the browser sends it differently (``origin``
    #: then holds the serialized one; the verdict notes the difference).
    typed_origin: str | None = None
    #: The user granted the page access to the local network (Local Network Access).
    local_network_access: bool = False
    #: What host names resolve to, where it matters: ``(name, IP address)`` pairs. A name
    #: not listed is public (``localhost`` is loopback).
    resolve: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Route:
    """One answer of the scenario's server: matched by method and URL, first match wins."""

    #: A method, matched case-sensitively, or ``"*"`` for any.
    method: str
    #: The URL it answers (path and query matter), or None for any URL.
    url: str | None
    status: int
    headers: Headers = ()
    body: str | None = None

    def matches(self, method: str, url: str) -> bool:
        """Does this route answer ``method`` on ``url`` (both already normalized)?"""
        return self.method in ("*", method) and (self.url is None or normalize_url(self.url) == url)

    def wire_headers(self, method: str) -> Headers:
        """The headers as the player sends them: as written, plus framing when none is given.

        A route that gives neither ``Content-Length`` nor ``Transfer-Encoding`` gets a
        ``Content-Length`` appended (a real server frames its responses too), except on
        204 and 304, which carry no body.
        """
        if self.status in _BODYLESS_STATUSES or self.status < 200:
            return self.headers
        framed = any(k.lower() in ("content-length", "transfer-encoding") for k, _ in self.headers)
        if framed:
            return self.headers
        return (*self.headers, ("Content-Length", str(len(self.body_bytes()))))

    def body_bytes(self) -> bytes:
        """The body as sent on the wire (UTF-8)."""
        return (self.body or "").encode("utf-8")


#: The answer to a request that no route matches.
NOT_FOUND = Route(method="*", url=None, status=404)


@dataclass(frozen=True)
class Scenario:
    """One cross-origin request plus the way the server answers it (``cors-scenario/1``)."""

    name: str
    request: Request
    server: tuple[Route, ...] = ()
    #: The browser profile judged (``engine.profiles``: chrome, chromium-140, firefox, safari,
    #: or an alias: ``chromium`` is Chrome, ``webkit`` Safari).
    browser: str = "chromium"
    description: str = ""

    def route_for(self, method: str, url: str) -> Route:
        """The first route answering ``method`` on ``url``, or the 404 fallback."""
        for route in self.server:
            if route.matches(method, url):
                return route
        return NOT_FOUND


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as a server received it: method, URL and headers in order as sent."""

    method: str
    url: str
    headers: Headers = ()

    @property
    def is_preflight(self) -> bool:
        """An OPTIONS request carrying ``Access-Control-Request-Method``."""
        return self.method == "OPTIONS" and bool(
            header_values(self.headers, "Access-Control-Request-Method")
        )


@dataclass(frozen=True)
class ConsoleLine:
    """One message a page's console showed: its level and its text."""

    level: str
    text: str


@dataclass(frozen=True)
class CorsErrorStatus:
    """Chromium's own name for a CORS failure, as the DevTools protocol reports it."""

    kind: str
    failed_parameter: str = ""


@dataclass(frozen=True)
class BrowserResult:
    """What a real browser did with one ``fetch()``, seen from the page."""

    #: ``"resolved"``, ``"rejected"`` or ``"timeout"``.
    outcome: str
    browser: str
    version: str
    #: The rejection, as script sees it (``TypeError: Failed to fetch``).
    error: str | None = None
    status: int | None = None
    #: ``Response.type``: ``basic``, ``cors``, ``opaque`` …
    response_type: str | None = None
    response_url: str | None = None
    redirected: bool = False
    #: The response header names script could read, as ``Headers`` iterates them.
    readable_headers: tuple[str, ...] = ()
    body: str | None = None
    console: tuple[ConsoleLine, ...] = ()
    cors_errors: tuple[CorsErrorStatus, ...] = ()
    #: Whether the DevTools protocol was attached (else ``cors_errors`` could not be heard).
    devtools: bool = True
    #: The ``net::ERR_…`` codes DevTools reported for failed loads (not kept in truths).
    net_errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Truth:
    """A recorded truth (``cors-truth/1``): what real Chromium did with one scenario."""

    scenario: str
    browser: str
    version: str
    #: Why the recorder could not reproduce the scenario, or None when it did.
    unreproducible: str | None = None
    result: BrowserResult | None = None
    #: Every request the scenario's servers received, in order, mapped back to its URLs.
    received: tuple[ReceivedRequest, ...] = ()
    #: The embedder and anything else about how it was recorded.
    recorded_with: dict[str, str] = field(default_factory=dict)

    @property
    def reproducible(self) -> bool:
        return self.unreproducible is None

    @property
    def preflights(self) -> tuple[ReceivedRequest, ...]:
        return tuple(r for r in self.received if r.is_preflight)

    @property
    def actual_requests(self) -> tuple[ReceivedRequest, ...]:
        return tuple(r for r in self.received if not r.is_preflight)

    @property
    def allowed(self) -> bool:
        return self.result is not None and self.result.outcome == "resolved"

    @property
    def cors_error(self) -> CorsErrorStatus | None:
        """The first CORS error Chromium named, if any."""
        if self.result is None or not self.result.cors_errors:
            return None
        return self.result.cors_errors[0]

    @property
    def cors_message(self) -> str | None:
        """The console line that explains the block (``Access to fetch at …``)."""
        if self.result is None:
            return None
        for line in self.result.console:
            if line.level == "error":
                return line.text
        return None


# --- verdicts ---------------------------------------------------------------------------

Stage = Literal["request", "preflight", "actual"]


@dataclass(frozen=True)
class SentRequest:
    """A request as it goes on the wire: the engine's CORS-relevant headers, or, from a live
    inspection, every header as sent, in order."""

    method: str
    url: str
    headers: Headers = ()
    body: str | None = None


@dataclass(frozen=True)
class Timings:
    """Milliseconds from the start of an exchange (None: that phase did not happen)."""

    connect: float | None = None
    tls: float | None = None
    request_sent: float | None = None
    first_byte: float | None = None
    done: float | None = None


@dataclass(frozen=True)
class Response:
    """A response as the browser received it."""

    status: int
    headers: Headers = ()
    body: str | None = None
    #: What a live inspection saw besides: reason phrase, HTTP version, peer, timings.
    reason: str | None = None
    http_version: str | None = None
    remote_address: str | None = None
    #: The body was longer than the inspector keeps; ``body`` holds its start.
    body_truncated: bool = False
    body_size: int | None = None
    timings: Timings | None = None
    #: The body failed after complete headers (ended before its Content-Length, reset):
    #: fetch() resolved, script reading the body gets a TypeError. ``body_size`` is unknown.
    body_error: NetworkError | None = None


@dataclass(frozen=True)
class NetworkError:
    """A request that got no HTTP answer: Chromium's ``net::ERR_…`` code and why, plainly."""

    code: str
    explanation: str


@dataclass(frozen=True)
class Exchange:
    """One request the browser sent and the answer it got."""

    kind: Literal["preflight", "actual"]
    request: SentRequest
    response: Response | None = None
    #: No HTTP answer at all (refused, reset, timeout …).
    network_error: NetworkError | None = None
    #: False for a request no browser would send (the inspector's "send it anyway").
    browser_sends: bool = True
    #: Whether the request carried credentials (cookies) as the browser would send them.
    credentials: bool = False
    #: The URLs this request was redirected through before this one, since the browser last
    #: (re)started it: fetch metadata (``Sec-Fetch-Site``) is the most-cross of the chain.
    chain: tuple[str, ...] = ()
    #: The request's mode, sent as ``Sec-Fetch-Mode``.
    mode: Mode = "cors"

    def answered(
        self,
        response: Response | None,
        network_error: NetworkError | None = None,
        request: SentRequest | None = None,
    ) -> Exchange:
        """This exchange with its answer (and the request as it really went out, if given);
        built directly: ``dataclasses.replace`` costs the engine a tenth of its speed."""
        return Exchange(
            self.kind,
            self.request if request is None else request,
            response,
            network_error,
            self.browser_sends,
            self.credentials,
            self.chain,
            self.mode,
        )


@dataclass(frozen=True)
class Failure:
    """Why the browser blocked the request: Chromium's own kind, the culprit, the message.

    ``kind`` is a member of Chromium's ``CorsError`` enumeration as DevTools names it, or,
    for a failure that is not a CORS error, one of ``FetchRejected`` (fetch() threw before
    sending), ``NetworkFailure`` (the network stack refused, e.g. too many redirects) and
    ``MixedContent``.
    """

    stage: Stage
    kind: str
    #: The header whose presence, absence or value caused the block (what the UI highlights).
    header: str | None
    #: The offending value (the disallowed header name, the mismatched origin …) or None.
    value: str | None
    #: The console message, word for word; the TypeError script sees when none is printed.
    message: str
    #: Chromium's ``failedParameter`` for the error, as DevTools reports it.
    failed_parameter: str = ""
    #: The modelled browser's own reason code, where it has one besides Chromium's kind
    #: (Firefox: ``CORSMissingAllowOrigin`` …).
    reason: str | None = None


@dataclass(frozen=True)
class Fix:
    """A server change that makes the request pass."""

    server: str
    title: str
    snippet: str
    #: The exact response headers the server must send, per stage (``preflight``/``actual``).
    headers: tuple[tuple[str, Headers], ...] = ()
    #: For a redirect the browser refused: the Location to send instead, or ``""`` to
    #: answer the request directly (no redirect); None when the redirect is not the problem.
    redirect: str | None = None
    #: The server's mistake in words, when the fix undoes a named one (an Allow-Origin with
    #: a trailing slash …); every stack's fix repeats it.
    mistake: str | None = None
    #: What caused the block when CORS headers alone do not address it (a redirected
    #: preflight, authentication answering OPTIONS, an error path): the fix's first line,
    #: and every stack's snippet says it first.
    cause: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The judgement of one scenario (``cors-verdict/1``)."""

    allowed: bool
    preflight_required: bool
    preflight_reasons: tuple[str, ...]
    #: Every request the browser sent, in order, with its answer.
    exchanges: tuple[Exchange, ...]
    error: Failure | None = None
    exposed_headers: tuple[str, ...] = ()
    fixes: tuple[Fix, ...] = ()
    #: Headers the browser dropped from the script's request, with the reason.
    dropped_headers: tuple[tuple[str, str], ...] = ()
    #: ``Response.type`` script would see when allowed (``basic``, ``cors``, ``opaque``).
    response_type: str | None = None
    #: Things the user must know about how this verdict was reached (e.g. TLS not verified).
    notes: tuple[str, ...] = ()

    @property
    def preflights(self) -> tuple[Exchange, ...]:
        return tuple(e for e in self.exchanges if e.kind == "preflight")

    @property
    def actuals(self) -> tuple[Exchange, ...]:
        return tuple(e for e in self.exchanges if e.kind == "actual")
