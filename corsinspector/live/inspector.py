"""Live inspection: send what a browser would send, for real, and judge what comes back.

The engine's walk (:mod:`corsinspector.engine.walk`) decides every request — whether a
preflight goes first, which CORS headers, where redirects lead — and the inspector carries
each one out on the network with httpx, completing it with the browser's own headers
(:mod:`corsinspector.wire.profiles`). Every exchange is recorded as it went on the wire. A network
failure is data on the exchange (a ``net::ERR_…`` code and a plain explanation), never an
exception; the verdict says what script would have seen.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from types import TracebackType
from typing import Any

import httpx

from corsinspector.engine.judge import finish_verdict
from corsinspector.engine.profiles import get_profile
from corsinspector.engine.walk import walk
from corsinspector.model import (
    Exchange,
    Headers,
    NetworkError,
    Request,
    Response,
    Scenario,
    SentRequest,
    Timings,
    Verdict,
)
from corsinspector.wire.dial import LOCALHOST_PATTERN, localhost_transport
from corsinspector.wire.profiles import PROFILES, wire_headers
from corsinspector.wire.transport import WireTransport

__all__ = [
    "DEFAULT_BODY_CAP",
    "INSECURE_NOTE",
    "SENT_ANYWAY_NOTE",
    "InspectOptions",
    "Inspector",
    "body_error_for",
    "network_error_for",
]

DEFAULT_BODY_CAP = 16 * 1024 * 1024
INSECURE_NOTE = (
    "INSECURE: TLS certificates were not verified; a browser would refuse an invalid one, so "
    "this verdict may be better than what users get."
)
SENT_ANYWAY_NOTE = (
    "The actual request was sent although its preflight failed, on request: no browser would "
    "send it. Its answer is shown for information; the verdict is the preflight's."
)


@dataclass(frozen=True)
class InspectOptions:
    """How a session sends."""

    #: When the preflight fails, still send the actual request (no browser would).
    send_anyway: bool = False
    #: Bytes of each response body kept; the rest is read and counted, marked truncated.
    body_cap: int = DEFAULT_BODY_CAP
    #: Seconds allowed for each exchange as a whole (connect, headers and body).
    timeout: float = 30.0
    #: True: verify TLS against the system's CAs; a path: against that CA bundle;
    #: False: do not verify (insecure: the verdict says so).
    verify: bool | str = True
    #: An explicit proxy URL; None: proxies from the environment (HTTP_PROXY …).
    proxy: str | None = None
    http2: bool = False
    browser: str = "chromium"


def _cause(exc: BaseException) -> BaseException | None:
    seen = exc.__cause__ or exc.__context__
    while seen is not None:
        if isinstance(seen, ssl.SSLError | OSError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def network_error_for(exc: httpx.TransportError) -> NetworkError:
    """Chromium's ``net::ERR_…`` code for an httpx failure, and what it means, plainly."""
    cause = _cause(exc)
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return NetworkError(
            "net::ERR_CONNECTION_TIMED_OUT", "The server did not accept the connection in time."
        )
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(
            "net::ERR_TIMED_OUT", "The server stopped answering: no data arrived in time."
        )
    if isinstance(exc, httpx.ProxyError):
        return NetworkError("net::ERR_PROXY_CONNECTION_FAILED", f"The proxy failed: {text}")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return NetworkError(
            "net::ERR_UNKNOWN_URL_SCHEME", f"The URL's scheme is not supported: {text}"
        )
    if isinstance(cause, ssl.SSLCertVerificationError):
        reason = cause.verify_message or text
        if "hostname" in reason.lower() or "ip address mismatch" in reason.lower():
            code = "net::ERR_CERT_COMMON_NAME_INVALID"
        elif "expired" in reason.lower() or "not yet valid" in reason.lower():
            code = "net::ERR_CERT_DATE_INVALID"
        else:
            code = "net::ERR_CERT_AUTHORITY_INVALID"
        return NetworkError(code, f"The server's TLS certificate was refused: {reason}.")
    if isinstance(cause, ssl.SSLError):
        return NetworkError(
            "net::ERR_SSL_PROTOCOL_ERROR", f"The TLS handshake failed: {cause.reason or text}."
        )
    if isinstance(exc, httpx.ConnectError):
        if isinstance(cause, socket.gaierror):
            return NetworkError(
                "net::ERR_NAME_NOT_RESOLVED", "The host name could not be resolved (DNS)."
            )
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(cause).lower():
            return NetworkError(
                "net::ERR_CONNECTION_REFUSED", "Nothing is listening at that address and port."
            )
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return NetworkError("net::ERR_ADDRESS_UNREACHABLE", "The address cannot be reached.")
        return NetworkError("net::ERR_CONNECTION_FAILED", f"The connection failed: {text}")
    if isinstance(exc, httpx.RemoteProtocolError):
        if "too big" in text.lower() or "too large" in text.lower():
            return NetworkError(
                "net::ERR_RESPONSE_HEADERS_TOO_BIG",
                "The response headers are larger than a browser accepts (256 KB).",
            )
        if isinstance(cause, ConnectionResetError):
            return NetworkError(
                "net::ERR_CONNECTION_RESET",
                "The server reset the connection in the middle of its answer.",
            )
        if "without sending" in text.lower() or "empty" in text.lower():
            return NetworkError(
                "net::ERR_EMPTY_RESPONSE", "The server closed the connection without answering."
            )
        return NetworkError(
            "net::ERR_INVALID_HTTP_RESPONSE", f"The answer is not valid HTTP: {text}"
        )
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        if isinstance(cause, ConnectionResetError) or "reset" in text.lower():
            return NetworkError("net::ERR_CONNECTION_RESET", "The server reset the connection.")
        return NetworkError(
            "net::ERR_CONNECTION_CLOSED", f"The connection closed unexpectedly: {text}"
        )
    return NetworkError("net::ERR_FAILED", f"The request failed: {text}")


def body_error_for(
    exc: httpx.TransportError, received: int, headers: httpx.Headers, *, preflight: bool = False
) -> NetworkError:
    """Chromium's code for a body that failed after complete headers, and what it means (seen
    in Chromium 140): fetch() resolves at the headers, script reading the body gets the error;
    a preflight's body is never read (the request goes on)."""
    if preflight:
        reading = "the browser reads only a preflight's headers, so this changes nothing."
    else:
        reading = (
            "fetch() resolved at the headers (CORS is judged on them), but script reading the "
            "body (response.text()) gets TypeError: Failed to fetch."
        )
    cause = _cause(exc)
    if isinstance(cause, ConnectionResetError) or "reset" in str(exc).lower():
        return NetworkError(
            "net::ERR_CONNECTION_RESET",
            f"The server reset the connection after {received} bytes of the body: {reading}",
        )
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return NetworkError(
            "net::ERR_INCOMPLETE_CHUNKED_ENCODING",
            f"The chunked body ended after {received} bytes, before its last chunk: {reading}",
        )
    length = headers.get("content-length")
    if length is not None:
        return NetworkError(
            "net::ERR_CONTENT_LENGTH_MISMATCH",
            f"The body ended after {received} of {length} bytes (its Content-Length): {reading}",
        )
    error = network_error_for(exc)
    return NetworkError(error.code, f"{error.explanation} After complete headers: {reading}")


def _deadline_error(trace: _Trace, timeout: float) -> NetworkError:
    """The exchange outlived its timeout: before a connection, or after it (whatever the
    server was doing: silent, trickling its headers, or its body)."""
    if not trace.marks:
        return NetworkError(
            "net::ERR_CONNECTION_TIMED_OUT",
            f"The server did not accept the connection within {timeout:g} s.",
        )
    return NetworkError(
        "net::ERR_TIMED_OUT",
        f"The server did not complete its answer within {timeout:g} s (the timeout of each "
        "exchange: connect, headers and body).",
    )


_TRACE_PHASES = {
    "connection.connect_tcp.complete": "connect",
    "connection.start_tls.complete": "tls",
    "http11.send_request_body.complete": "request_sent",
    "http2.send_request_body.complete": "request_sent",
    "http11.receive_response_headers.complete": "first_byte",
    "http2.receive_response_headers.complete": "first_byte",
}


class _Trace:
    """Collects httpx's trace events into milliseconds since the exchange started."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.marks: dict[str, float] = {}

    async def __call__(self, name: str, info: dict[str, Any]) -> None:
        phase = _TRACE_PHASES.get(name)
        if phase is not None:
            self.marks[phase] = (time.perf_counter() - self.started) * 1000

    def timings(self) -> Timings:
        done = (time.perf_counter() - self.started) * 1000
        marks = self.marks
        return Timings(
            marks.get("connect"),
            marks.get("tls"),
            marks.get("request_sent"),
            marks.get("first_byte"),
            done,
        )


@lru_cache(maxsize=1024)
def _url(text: str) -> httpx.URL:
    """httpx's parsed URL, once per URL (parsing costs more than sending on loopback)."""
    return httpx.URL(text)


def _environment_proxies() -> bool:
    """Is a proxy configured in the environment (which httpx would honour)?"""
    return any(scheme != "no" for scheme in urllib.request.getproxies_environment())


def _text(raw: bytes) -> str:
    return raw.decode("latin-1")


def _decode_headers(raw: list[tuple[bytes, bytes]]) -> Headers:
    return tuple([(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw])


class Inspector:
    """One inspection session: one HTTP client and one cookie jar. Use ``async with``."""

    def __init__(
        self,
        options: InspectOptions | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.options = options or InspectOptions()
        # the engine's profile walks; the wire's (its family's, Chromium's for WebKit) adds headers
        self.engine_profile = get_profile(self.options.browser)
        family = "firefox" if self.engine_profile.family == "firefox" else "chromium"
        self.profile = PROFILES.get(self.options.browser, PROFILES[family])
        self.cookies = httpx.Cookies()
        mounts: dict[str, httpx.AsyncBaseTransport] | None = None
        if transport is None:
            if not self.options.http2 and self.options.proxy is None:
                transport = WireTransport(
                    verify=self.options.verify,
                    connect_timeout=self.options.timeout,
                    read_timeout=self.options.timeout,
                    write_timeout=self.options.timeout,
                )
            # *.localhost is loopback and never proxied, as in browsers (wire/dial.py).
            local = transport or localhost_transport(
                verify=self.options.verify, http2=self.options.http2
            )
            mounts = {LOCALHOST_PATTERN: local}
        self._client = httpx.AsyncClient(
            transport=transport,
            mounts=mounts,
            verify=self.options.verify,
            http2=self.options.http2,
            proxy=self.options.proxy,
            timeout=self.options.timeout,
            follow_redirects=False,
        )
        self._client.headers.clear()
        self._timeouts = self._client.timeout.as_dict()
        # With our own transport and no proxy to honour, go to the transport directly: the
        # client's per-request work (cookie extraction through http.cookiejar, hooks) costs
        # more than the whole exchange on loopback. Proxies and HTTP/2 go through the client.
        self._direct: httpx.AsyncBaseTransport | None = None
        if isinstance(transport, WireTransport) and not _environment_proxies():
            self._direct = transport

    async def __aenter__(self) -> Inspector:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def inspect(
        self,
        request: Request,
        *,
        on_exchange: Callable[[Exchange], Awaitable[None] | None] | None = None,
    ) -> Verdict:
        """Carry ``request`` out as the browser would and return the verdict, with every
        exchange as it went on the wire. ``on_exchange`` hears each exchange as it ends."""
        steps = walk(request, send_anyway=self.options.send_anyway, profile=self.engine_profile)
        try:
            exchange = next(steps)
            while True:
                answered = await self._carry_out(exchange, request.origin)
                if on_exchange is not None:
                    result = on_exchange(answered)
                    if result is not None:
                        await result
                exchange = steps.send(answered)
        except StopIteration as done:
            verdict: Verdict = done.value
        scenario = Scenario("live", request, browser=self.options.browser)
        verdict = finish_verdict(scenario, verdict)
        if self.options.verify is False:
            verdict = replace(verdict, notes=(*verdict.notes, INSECURE_NOTE))
        if any(not e.browser_sends for e in verdict.exchanges):
            verdict = replace(verdict, notes=(*verdict.notes, SENT_ANYWAY_NOTE))
        body_notes = tuple(
            f"The {e.kind} response's body failed ({e.response.body_error.code}): "
            f"{e.response.body_error.explanation}"
            for e in verdict.exchanges
            if e.response is not None and e.response.body_error is not None
        )
        if body_notes:
            verdict = replace(verdict, notes=(*verdict.notes, *body_notes))
        return verdict

    async def _carry_out(self, exchange: Exchange, page: str) -> Exchange:
        sent = exchange.request
        actual = exchange.kind == "actual"
        cookie = None
        if actual and exchange.credentials:
            cookie = self._cookie_header(sent.url)
        headers = wire_headers(self.profile, exchange, page, cookie)
        body = sent.body.encode("utf-8") if sent.body is not None and actual else None
        trace = _Trace()
        http_request = httpx.Request(
            sent.method,
            _url(sent.url),
            headers=[(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers],
            content=body,
            extensions={"trace": trace, "timeout": self._timeouts},
        )
        try:
            # The timeout bounds the exchange as a whole (connect, headers, body), as a
            # browser's does: a server trickling bytes never resets it.
            async with asyncio.timeout(self.options.timeout):
                if self._direct is not None:
                    response = await self._direct.handle_async_request(http_request)
                    response.request = http_request  # what the client would have set
                else:
                    response = await self._client.send(http_request, stream=True)
                try:
                    kept, size, truncated, body_error = await self._read_body(
                        response, sent.method, preflight=not actual
                    )
                finally:
                    await response.aclose()
        except (httpx.TransportError, TimeoutError) as exc:
            as_sent = SentRequest(
                sent.method, sent.url, _decode_headers(http_request.headers.raw), sent.body
            )
            if isinstance(exc, httpx.TransportError):
                error = network_error_for(exc)
            else:
                error = _deadline_error(trace, self.options.timeout)
            return exchange.answered(None, error, as_sent)
        extensions = response.extensions
        raw_sent = extensions.get("sent_headers") or http_request.headers.raw
        as_sent = SentRequest(sent.method, sent.url, _decode_headers(raw_sent), sent.body)
        if exchange.credentials:
            self.cookies.extract_cookies(response)
        remote = extensions.get("remote_address")
        answer = Response(
            status=response.status_code,
            headers=_decode_headers(response.headers.raw),
            body=kept.decode("utf-8", errors="replace"),
            reason=_text(extensions.get("reason_phrase", b"")),
            http_version=_text(extensions.get("http_version", b"HTTP/1.1")),
            remote_address=f"{remote[0]}:{remote[1]}" if remote else None,
            body_truncated=truncated,
            body_size=size,
            timings=trace.timings(),
            body_error=body_error,
        )
        return exchange.answered(answer, None, as_sent)

    async def _read_body(
        self, response: httpx.Response, method: str, *, preflight: bool
    ) -> tuple[bytes, int | None, bool, NetworkError | None]:
        """Keep the body up to the cap; past it, stop reading and drop the connection (the
        verdict never depends on the body). Returns (kept, size or None if unknown,
        truncated, the body's failure after complete headers); a timeout still raises."""
        if method == "HEAD":
            return b"", 0, False, None
        cap = self.options.body_cap
        kept = bytearray()
        received = 0
        try:
            async for chunk in response.aiter_raw():
                received += len(chunk)
                room = cap - len(kept)
                if len(chunk) > room:
                    kept += memoryview(chunk)[:room]
                    return bytes(kept), None, True, None
                kept += chunk
        except httpx.TimeoutException:
            raise
        except httpx.TransportError as exc:
            error = body_error_for(exc, received, response.headers, preflight=preflight)
            return bytes(kept), None, False, error
        return bytes(kept), len(kept), False, None

    def _cookie_header(self, url: str) -> str | None:
        probe = httpx.Request("GET", url)
        self.cookies.set_cookie_header(probe)
        value: str | None = probe.headers.get("Cookie")
        return value
