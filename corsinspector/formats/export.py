"""Exports: an exchange's request as a cURL command (bash quoting); recorded exchanges as
HAR 1.2 (their secrets are redacted by :mod:`corsinspector.formats.secrets`)."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from corsinspector.model import Exchange, Headers, SentRequest, Verdict, header_values

__all__ = ["curl_command", "har_log"]

#: Headers curl writes itself from the command (or that describe the connection).
_CURL_OWN = frozenset({"host", "content-length", "connection"})


def curl_command(request: SentRequest) -> str:
    """``request`` as one ``curl`` command line a bash user can paste and run."""
    parts = ["curl"]
    if request.method == "HEAD":
        parts.append("--head")
    elif request.method != "GET" and not (request.method == "POST" and request.body is not None):
        parts += ["-X", shlex.quote(request.method)]
    parts.append(shlex.quote(request.url))
    for name, value in request.headers:
        if name.lower() not in _CURL_OWN:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body is not None:
        parts += ["--data-raw", shlex.quote(request.body)]
    return " ".join(parts)


def _har_headers(headers: Headers) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def _har_entry(exchange: Exchange, started: str) -> dict[str, Any]:
    request = exchange.request
    parts = urlsplit(request.url)
    query = [{"name": k, "value": v} for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    har_request: dict[str, Any] = {
        "method": request.method,
        "url": request.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _har_headers(request.headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": len(request.body.encode()) if request.body is not None else 0,
    }
    if request.body is not None:
        types = header_values(request.headers, "Content-Type")
        har_request["postData"] = {"mimeType": types[0] if types else "", "text": request.body}
    response = exchange.response
    timings = response.timings if response is not None else None
    total = timings.done if timings is not None and timings.done is not None else 0.0
    har_response: dict[str, Any] = {
        "status": response.status if response is not None else 0,
        "statusText": (response.reason or "") if response is not None else "",
        "httpVersion": (response.http_version or "HTTP/1.1") if response is not None else "",
        "cookies": [],
        "headers": _har_headers(response.headers) if response is not None else [],
        "content": {
            "size": (response.body_size or 0) if response is not None else 0,
            "mimeType": next(iter(header_values(response.headers, "Content-Type")), "")
            if response is not None
            else "",
            "text": (response.body or "") if response is not None else "",
        },
        "redirectURL": next(iter(header_values(response.headers, "Location")), "")
        if response is not None
        else "",
        "headersSize": -1,
        "bodySize": (response.body_size or -1) if response is not None else -1,
    }
    if exchange.network_error is not None:
        har_response["_error"] = exchange.network_error.code
    return {
        "startedDateTime": started,
        "time": total,
        "request": har_request,
        "response": har_response,
        "cache": {},
        "timings": {"send": 0, "wait": total, "receive": 0},
        "serverIPAddress": (response.remote_address or "").rsplit(":", 1)[0]
        if response is not None
        else "",
    }


def har_log(
    recorded: list[tuple[str, Verdict]], *, creator_version: str = "0.1.0"
) -> dict[str, Any]:
    """HAR 1.2 of the recorded exchanges (opens in a browser's network panel): one page per
    item, every exchange an entry, preflights included."""
    started = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    pages = []
    entries = []
    for index, (name, verdict) in enumerate(recorded):
        page = f"page_{index + 1}"
        pages.append({"startedDateTime": started, "id": page, "title": name, "pageTimings": {}})
        for exchange in verdict.exchanges:
            entry = _har_entry(exchange, started)
            entry["pageref"] = page
            entries.append(entry)
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "CORS Inspector", "version": creator_version},
            "pages": pages,
            "entries": entries,
        }
    }
