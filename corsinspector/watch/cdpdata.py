"""DevTools' shapes as the model's values: header objects as pairs, a response event (or a
raw response head) as a ``Response``, the headers script set, a failed load explained."""

from __future__ import annotations

from typing import Any

from corsinspector.app.headernames import BROWSER_ADDED
from corsinspector.engine.safelist import FORBIDDEN_NAMES
from corsinspector.model import Headers, Response

__all__ = ["ABORTED", "explain_failure", "header_pairs", "response_of", "script_headers"]

#: ``Network.loadingFailed``'s ``errorText`` for a load the page (or a navigation) cancelled.
ABORTED = "net::ERR_ABORTED"

_EXPLAINED = {
    "net::ERR_CONNECTION_REFUSED": "Nothing is listening at that address and port.",
    ABORTED: "The page cancelled the request.",
}


def header_pairs(headers: Any) -> Headers:
    """CDP's header object as pairs; repeated headers arrive joined by newlines."""
    if not isinstance(headers, dict):
        return ()
    return tuple(
        (str(name), line) for name, value in headers.items() for line in str(value).split("\n")
    )


def _from_text(text: str) -> tuple[str | None, str | None, Headers] | None:
    """The HTTP version, reason and headers of a raw response head (``headersText``)."""
    lines = text.split("\r\n")
    status = lines[0].split(" ", 2)
    if len(status) < 2 or not status[0].startswith("HTTP/"):
        return None
    pairs = (line.partition(":") for line in lines[1:] if ":" in line)
    headers = tuple((name, value.strip(" \t")) for name, _, value in pairs)
    return status[0][5:], status[2] if len(status) > 2 else None, headers


def response_of(data: dict[str, Any], status_key: str = "status") -> Response:
    """A response from ``responseReceived.response``/``redirectResponse`` or from
    ``responseReceivedExtraInfo`` (which has ``headersText`` on HTTP/1: order and repeats)."""
    status = int(data.get(status_key) or data.get("statusCode") or 0)
    head = _from_text(data["headersText"]) if isinstance(data.get("headersText"), str) else None
    if head is None:
        head = (data.get("protocol"), data.get("statusText"), header_pairs(data.get("headers")))
    version, reason, headers = head
    address, port = data.get("remoteIPAddress"), data.get("remotePort")
    remote = f"{address}:{port}" if address and port else None
    return Response(
        status, headers, reason=reason or None, http_version=version, remote_address=remote
    )


def script_headers(headers: Headers) -> Headers:
    """The headers script set: those the browser adds itself (or script may not set) removed."""
    return tuple(
        (name, value)
        for name, value in headers
        if (low := name.lower()) not in BROWSER_ADDED
        and low not in FORBIDDEN_NAMES
        and not low.startswith(("sec-", "proxy-"))
    )


def explain_failure(code: str, blocked: Any) -> str:
    """A failed load's ``errorText`` (and ``blockedReason``) in a sentence."""
    if blocked:
        return f"The browser blocked the request ({blocked})."
    return _EXPLAINED.get(code, f"The browser reported {code}.")
