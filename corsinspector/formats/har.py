"""HAR 1.2: the cross-origin requests of a capture in (an ``Origin`` different from the
URL's origin; preflights folded into the request they precede, as notes), and recorded
exchanges out (opens in a browser's network panel).

A HAR our watch wrote (``main.py watch --har``) marks each entry with ``_corsinspector``
(``watch_field``): the request it is a hop of, and on that request's first entry the request
as the page asked for it (credentials and mode, which HAR cannot say) and the verdict the
watch gave. Such a request imports as one item, whatever its hops: preflight, redirects, or
none answered (a refused connection)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, quote_plus, urlsplit

from corsinspector.formats.collection import Expectation, Item
from corsinspector.formats.importing import (
    check_header_at,
    first_header,
    is_browser_header,
    item_name,
    page_origin,
    request_shape,
    safe_origin,
)
from corsinspector.formats.json import Field, check_method, parse_json
from corsinspector.formats.scenario import request_from_dict, request_to_dict
from corsinspector.model import Exchange, Headers, Request, Verdict, header_values

__all__ = ["WATCH_FIELD", "WatchHop", "har_entry", "har_log", "import_har", "watch_field"]

#: The entry field our watch writes (HAR 1.2 allows custom fields starting with ``_``).
WATCH_FIELD = "_corsinspector"
#: Which hop of a watched request an entry is: its preflight, the request, a redirect target.
WatchHop = Literal["preflight", "request", "redirect"]
#: The note each hop gets on import.
_HOP_LABELS: dict[str, str] = {
    "preflight": "recorded preflight",
    "request": "recorded response",
    "redirect": "recorded redirect target",
}


def watch_field(
    request_id: str,
    hop: WatchHop,
    request: Request | None = None,
    expect: Expectation | None = None,
) -> dict[str, Any]:
    """The ``_corsinspector`` field of an entry: the watched request ``request_id`` it is a
    hop of; its first entry also carries the request as the page asked for it and the
    verdict expected of it (none where the watch has none: in flight, aborted, same-origin)."""
    data: dict[str, Any] = {"id": request_id, "hop": hop}
    if request is not None:
        data["request"] = request_to_dict(request)
    if expect is not None:
        data["expect"] = {"allowed": expect.allowed}
        if expect.kind is not None:
            data["expect"]["kind"] = expect.kind
    return data


# --- in --------------------------------------------------------------------------------


def _har_headers(entry: Field, key: str) -> list[tuple[str, str]]:
    member = entry.get(key)
    if member is None:
        return []
    pairs = []
    for header in member.items():
        name = header.need("name").text()
        value = header.opt_str("value")
        if not name.startswith(":"):
            check_header_at(name, value, f"{header.source}: {header.path}")
        pairs.append((name, value))
    return pairs


def _har_response_line(response: Field | None, label: str, *, error: bool = False) -> str:
    """The status and CORS headers of ``response`` (``error``: and its ``_error``)."""
    if response is None:
        return f"{label}: none"
    status_json = response.get("status")
    status = status_json.number() if status_json is not None else 0
    failure = response.get("_error") if error else None
    why = f" (failed: {failure.text()})" if failure is not None else " (blocked or failed)"
    parts = [f"{label}: {status}" + (why if status == 0 else "")]
    for name, value in _har_headers(response, "headers"):
        if name.lower().startswith("access-control-"):
            parts.append(f"{name}: {value}")
    return "; ".join(parts)


def _har_body(request: Field) -> str | None:
    post = request.get("postData")
    if post is None:
        return None
    text = post.get("text")
    if text is not None:
        return text.text()
    params = post.get("params")
    if params is None:
        return None
    fields = []
    for param in params.items():
        fields.append(
            quote_plus(param.need("name").text()) + "=" + quote_plus(param.opt_str("value"))
        )
    return "&".join(fields)


@dataclass
class _Draft:
    """An item being read: a watched request's later hops add their notes to it."""

    name: str
    request: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    expect: Expectation | None = None


def import_har(text: str, source: str = "<har>") -> list[Item]:
    """The cross-origin requests of a HAR 1.2 capture, preflights folded in as notes (a
    watched request's redirect targets too)."""
    root = Field(source, parse_json(text, source), "")
    entries = list(root.need("log").need("entries").items())
    pending: list[tuple[str, str, str]] = []  # (url, method, note) of unclaimed preflights
    watched: dict[str, _Draft | None] = {}  # by request id; None: same-origin, not imported
    drafts: list[_Draft] = []
    for entry in entries:
        ours = entry.get(WATCH_FIELD)
        if ours is not None:
            draft = _watched_entry(entry, ours, watched)
        else:
            draft = _browser_entry(entry, source, pending)
        if draft is not None:
            drafts.append(draft)
    return [Item(d.name, d.request, d.expect, "; ".join(d.notes)) for d in drafts]


def _watched_entry(entry: Field, ours: Field, watched: dict[str, _Draft | None]) -> _Draft | None:
    """A new item for a watched request's first entry (when cross-origin); a later hop's
    note added to its item."""
    request_id = ours.need("id").text()
    hop = ours.need("hop").text()
    if hop not in _HOP_LABELS:
        raise ours.error(f"must be one of {', '.join(_HOP_LABELS)}, not {hop!r}", "hop")
    note = _har_response_line(entry.get("response"), _HOP_LABELS[hop], error=True)
    if request_id in watched:
        known = watched[request_id]
        if known is not None:
            known.notes.append(note)
        return None
    asked = ours.need("request")
    request = request_from_dict(asked.value, f"{asked.source}: {ours.path}")
    target = safe_origin(request.url)
    if target is None or safe_origin(request.origin) == target:
        watched[request_id] = None
        return None
    draft = _Draft(item_name(request.method, request.url), request_to_dict(request), [note])
    expect = ours.get("expect")
    if expect is not None:
        draft.expect = Expectation(expect.required("allowed", bool), expect.optional("kind", str))
    watched[request_id] = draft
    return draft


def _browser_entry(entry: Field, source: str, pending: list[tuple[str, str, str]]) -> _Draft | None:
    """The item of an entry a browser exported, when cross-origin (a preflight waits in
    ``pending`` for its request)."""
    request = entry.need("request")
    where = f"{source}: {request.path}"
    method = check_method(request.need("method").text(), f"{where}.method")
    url = request.need("url").text()
    url_origin = safe_origin(url)
    if url_origin is None:
        return None  # data:, blob:, chrome-extension: …
    headers = _har_headers(request, "headers")
    response = entry.get("response")
    acrm = first_header(headers, "access-control-request-method")
    if method == "OPTIONS" and acrm is not None:
        pending.append((url, acrm.strip(), _har_response_line(response, "recorded preflight")))
        return None
    origin_header = first_header(headers, "origin")
    if origin_header is None or origin_header.strip() == url_origin:
        return None
    origin = page_origin(headers, where)
    if origin == url_origin:
        return None
    notes = []
    for index, (p_url, p_method, note) in enumerate(pending):
        if p_url == url and p_method.upper() == method.upper():
            notes.append(note)
            del pending[index]
            break
    notes.append(_har_response_line(response, "recorded response"))
    cookies = request.get("cookies")
    sent_cookies = first_header(headers, "cookie") is not None or (
        cookies is not None and bool(list(cookies.items()))
    )
    if sent_cookies:
        notes.append("cookies were sent (credentials: include)")
    kept = [(n, v) for n, v in headers if not is_browser_header(n, user_agent=True)]
    body = _har_body(request)
    item_request = request_shape(
        url, method, origin, kept, "include" if sent_cookies else "same-origin", body
    )
    return _Draft(item_name(method, url), item_request, notes)


# --- out -------------------------------------------------------------------------------


def _har_header_list(headers: Headers) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def har_entry(exchange: Exchange, started: str) -> dict[str, Any]:
    """One HAR 1.2 entry: the exchange's request and response, started at ``started``."""
    request = exchange.request
    parts = urlsplit(request.url)
    query = [{"name": k, "value": v} for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    har_request: dict[str, Any] = {
        "method": request.method,
        "url": request.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _har_header_list(request.headers),
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
        "headers": _har_header_list(response.headers) if response is not None else [],
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
            entry = har_entry(exchange, started)
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
