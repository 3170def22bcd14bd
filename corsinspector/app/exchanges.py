"""What the exchange panes show besides the headers: the CORS pair that explains a block
(the request header that asked, the response header that answered), which request headers
are plumbing (muted), which response headers script may read and why, the body and timings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corsinspector.app.headernames import BROWSER_ADDED, CORS_REQUEST_HEADERS, MUTED, is_muted
from corsinspector.engine.exposure import SAFELISTED_RESPONSE_HEADERS, parse_expose_headers

if TYPE_CHECKING:
    from corsinspector.model import Exchange, Headers, Response, Timings, Verdict

__all__ = [
    "BODY_CAP",
    "BROWSER_ADDED",
    "CORS_REQUEST_HEADERS",
    "MUTED",
    "CorsPair",
    "Exposure",
    "body_text",
    "cors_pair",
    "exchange_shown",
    "exposure",
    "is_muted",
    "timing_text",
]

#: The most characters of a body the window shows.
BODY_CAP = 64 * 1024


def _values(headers: Headers, name: str) -> str | None:
    """Every line of ``name`` joined as the browser combines them; None when absent."""
    wanted = name.lower()
    found = [value for key, value in headers if key.lower() == wanted]
    return ", ".join(found) if found else None


@dataclass(frozen=True)
class CorsPair:
    """The request side that asked and the response side that answered, for one block."""

    stage: str
    #: The request header that asked (``Origin`` …), or a label for what is not a header
    #: (``credentials mode``, ``request``).
    asked_header: str
    asked: str
    #: The response header that answered (``Access-Control-Allow-Origin`` …, ``Location``,
    #: or ``status``).
    answered_header: str
    #: None: the server did not send it.
    answered: str | None
    #: Whether ``asked_header`` is a real header of the request (to highlight its row).
    asked_is_header: bool = True

    @property
    def text(self) -> str:
        """The pair with its headers' names: ``asked Origin: … ↔ Access-Control-…: …``."""
        answered = self.answered if self.answered is not None else "(missing)"
        return f"asked {self.asked_header}: {self.asked}   ↔   {self.answered_header}: {answered}"

    @property
    def short(self) -> str:
        """The pair in a few words, values first: ``asked: x-request-id  ↔  allowed:
        content-type`` (the names are on the highlighted rows below)."""
        answer = {"location": "redirected to", "status": "answered status"}.get(
            self.answered_header.lower(), "allowed"
        )
        answered = self.answered if self.answered is not None else "nothing (header missing)"
        return f"asked: {self.asked}   ↔   {answer}: {answered}"


_ASKED_BY = {
    "access-control-allow-origin": "Origin",
    "access-control-allow-methods": "Access-Control-Request-Method",
    "access-control-allow-headers": "Access-Control-Request-Headers",
}


def exchange_shown(verdict: Verdict, stage: str) -> Exchange | None:
    """The exchange of ``stage`` the panes show: the last of its kind."""
    exchanges = verdict.preflights if stage == "preflight" else verdict.actuals
    return exchanges[-1] if exchanges else None


def cors_pair(verdict: Verdict) -> CorsPair | None:
    """The pair of headers that explains the block, or None (allowed, or a block no response
    header decides: the request was never sent, the network failed)."""
    error = verdict.error
    if error is None or error.stage == "request":
        return None
    exchange = exchange_shown(verdict, error.stage)
    if exchange is None or exchange.response is None:
        return None
    request, response = exchange.request, exchange.response
    header = (error.header or "").lower()
    if header in _ASKED_BY:
        asked_header = _ASKED_BY[header]
        asked = _values(request.headers, asked_header)
        if asked is None and asked_header == "Access-Control-Request-Method":
            asked = request.method
        if asked is None:
            asked = "(not sent)"
        if header == "access-control-allow-origin" and exchange.credentials:
            asked += " (with credentials)"
        answered = _values(response.headers, error.header or "")
        return CorsPair(error.stage, asked_header, asked, error.header or "", answered)
    if header == "access-control-allow-credentials":
        answered = _values(response.headers, error.header or "")
        return CorsPair(
            error.stage, "credentials mode", "include", error.header or "", answered, False
        )
    if header == "location":
        answered = _values(response.headers, "Location")
        asked = f"{request.method} {request.url}"
        return CorsPair(error.stage, "request", asked, "Location", answered, False)
    if error.header is None and error.value is not None and error.value.isdigit():
        asked = f"{request.method} {request.url}"  # a preflight's status that is not 2xx
        return CorsPair(error.stage, "request", asked, "status", str(response.status), False)
    return None


@dataclass(frozen=True)
class Exposure:
    """Whether script may read one response header, and why."""

    name: str
    readable: bool
    why: str

    @property
    def label(self) -> str:
        return "readable by script" if self.readable else "hidden from script"


def exposure(verdict: Verdict, response: Response) -> tuple[Exposure, ...]:
    """For each header line of the actual ``response``: readable by script or hidden, and
    why (the verdict's ``exposed_headers`` decide; the reasons follow Fetch's rules)."""
    readable = frozenset(verdict.exposed_headers)
    listed = parse_expose_headers(response.headers) or frozenset()
    marks: list[Exposure] = []
    for name, _ in response.headers:
        lower = name.lower()
        if not verdict.allowed:
            why = "the request was blocked: script gets a TypeError, no headers"
        elif lower in ("set-cookie", "set-cookie2"):
            why = "Set-Cookie is never readable by script"
        elif verdict.response_type == "opaque":
            why = "an opaque (no-cors) response: script reads no headers"
        elif verdict.response_type != "cors":
            why = "a same-origin response: script reads every header"
        elif lower in SAFELISTED_RESPONSE_HEADERS:
            why = "a CORS-safelisted response header"
        elif lower in listed:
            why = "listed in Access-Control-Expose-Headers"
        elif "*" in listed and lower in readable:
            why = "Access-Control-Expose-Headers: * (a request without credentials)"
        elif "*" in listed:
            why = "Access-Control-Expose-Headers: * does not apply with credentials"
        else:
            why = "not CORS-safelisted and not listed in Access-Control-Expose-Headers"
        marks.append(Exposure(name, verdict.allowed and lower in readable, why))
    return tuple(marks)


def body_text(response: Response, cap: int = BODY_CAP) -> str:
    """The body as the window shows it: JSON pretty-printed, text as is, cut at ``cap``
    characters with a line saying so."""
    body = response.body
    if not body:
        return "(no body)" if response.body_error is None else "(the body failed)"
    content_type = (_values(response.headers, "Content-Type") or "").lower()
    text = body
    if "json" in content_type or body.lstrip()[:1] in ("{", "["):
        try:
            text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        except ValueError:
            text = body
    size = response.body_size if response.body_size is not None else len(body.encode())
    cut = len(text) > cap
    if cut:
        text = text[:cap]
    if cut or response.body_truncated:
        text += f"\n… (cut: {size:,} bytes in all)"
    return text


def timing_text(timings: Timings | None) -> str:
    """An exchange's timings in one line (connect, TLS, first byte, done), or ``""``."""
    if timings is None:
        return ""
    parts = [
        (label, value)
        for label, value in (
            ("connect", timings.connect),
            ("TLS", timings.tls),
            ("first byte", timings.first_byte),
            ("done", timings.done),
        )
        if value is not None
    ]
    return " · ".join(f"{label} {value:.1f} ms" for label, value in parts)
