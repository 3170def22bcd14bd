"""DevTools events in, ``Watched`` rows out: a sans-I/O reducer (docs/watch.md, "Capturing").

The event shapes are Chromium's as recorded in tests/watch/events/ (tools/record_cdp_events.py):
a preflight is its own request (``initiator.type == "preflight"``, ``initiator.requestId`` the
actual's id) folded into its actual's row; a redirect is a further ``requestWillBeSent`` with
the same id and a ``redirectResponse``; the ``…ExtraInfo`` events (the headers as on the wire)
arrive before or after their main event, the k-th of an id belonging to its k-th hop; a CORS
block is ``loadingFailed.corsErrorStatus``, an ``Audits`` CorsIssue and a console line.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any, cast

from corsinspector.app.headernames import BROWSER_ADDED
from corsinspector.engine.safelist import FORBIDDEN_NAMES
from corsinspector.model import (
    CREDENTIALS_MODES,
    REQUEST_MODES,
    Credentials,
    Headers,
    Mode,
    NetworkError,
    Request,
    Response,
    SentRequest,
    header_values,
)
from corsinspector.origins import NULL_ORIGIN, normalize_url, serialize_origin
from corsinspector.watch.capture import IN_FLIGHT, BrowserSays, Hop, Session, Watched
from corsinspector.watch.instrument import BINDING, INSTRUMENT

__all__ = ["COMMANDS", "CdpReducer"]

#: What to send once attached to a page target, in order (the binding and script before
#: ``Runtime.enable``, so the first document already has them).
COMMANDS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Network.enable", {}),
    ("Audits.enable", {}),
    ("Log.enable", {}),
    ("Page.enable", {}),
    ("Runtime.addBinding", {"name": BINDING}),
    ("Page.addScriptToEvaluateOnNewDocument", {"source": INSTRUMENT}),
    ("Runtime.enable", {}),
)

#: The console line of a CORS block names the request's first URL.
_CORS_LINE = re.compile(
    r"^Access to (?:fetch|XMLHttpRequest|script|font|image|resource) at '(?P<url>[^']*)'"
    r"(?: \(redirected from '(?P<first>[^']*)'\))? from origin '[^']*' has been blocked"
)
#: Ids whose events are kept while their request is unknown or recent, beyond the rows.
_SLACK = 1000
#: How far back a late instrumentation report or console line looks for its request.
_LOOKBACK = 500
_API_RESOURCES = frozenset({"Fetch", "XHR"})


def _pairs(headers: Any) -> Headers:
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


def _response(data: dict[str, Any], status_key: str = "status") -> Response:
    """A response from ``responseReceived.response``/``redirectResponse`` or from
    ``responseReceivedExtraInfo`` (which has ``headersText`` on HTTP/1: order and repeats)."""
    status = int(data.get(status_key) or data.get("statusCode") or 0)
    head = _from_text(data["headersText"]) if isinstance(data.get("headersText"), str) else None
    if head is None:
        head = (data.get("protocol"), data.get("statusText"), _pairs(data.get("headers")))
    version, reason, headers = head
    address, port = data.get("remoteIPAddress"), data.get("remotePort")
    remote = f"{address}:{port}" if address and port else None
    return Response(
        status, headers, reason=reason or None, http_version=version, remote_address=remote
    )


def _script_headers(headers: Headers) -> Headers:
    """The headers script set: those the browser adds itself (or script may not set) removed."""
    return tuple(
        (name, value)
        for name, value in headers
        if (low := name.lower()) not in BROWSER_ADDED
        and low not in FORBIDDEN_NAMES
        and not low.startswith(("sec-", "proxy-"))
    )


def _page_origin(document_url: str) -> str:
    try:
        return serialize_origin(document_url)
    except ValueError:
        return NULL_ORIGIN


def _fragmentless(url: str) -> str:
    return normalize_url(url.partition("#")[0])


@dataclass
class _Slot:
    """One hop as its events arrive: the request event, the wire headers, the answer."""

    sent: SentRequest | None = None
    wire_request: Headers | None = None
    response: Response | None = None
    wire_response: Response | None = None

    @property
    def unsent(self) -> bool:
        """Announced by ``requestWillBeSent`` but never on the wire (no wire headers, no
        answer)."""
        return self.wire_request is None and self.response is None and self.wire_response is None

    def hop(self, error: NetworkError | None) -> Hop | None:
        if self.sent is None:
            return None
        request = self.sent
        if self.wire_request is not None:
            request = SentRequest(request.method, request.url, self.wire_request, request.body)
        response, told = self.wire_response or self.response, self.response
        if self.wire_response is not None and told is not None:  # with the peer it names
            response = replace(self.wire_response, remote_address=told.remote_address)
        return Hop(request, response, error if response is None else None)


@dataclass
class _Track:
    """Everything heard about one requestId."""

    slots: list[_Slot] = field(default_factory=list)
    extra_requests: int = 0
    extra_responses: int = 0
    #: For a row: its start, as the page asked for it.
    seq: int | None = None
    load: int = 0
    resource: str = "Other"
    first: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0
    report: dict[str, str] | None = None
    #: For a preflight: its actual request's id; for an actual request: its preflight's.
    preflight: str | None = None
    preflight_id: str | None = None
    browser: BrowserSays = IN_FLIGHT
    error: NetworkError | None = None
    done: bool = False

    def slot(self, index: int) -> _Slot:
        while len(self.slots) <= index:
            self.slots.append(_Slot())
        return self.slots[index]

    def next_sent(self) -> _Slot:
        return self.slot(sum(1 for s in self.slots if s.sent is not None))


class CdpReducer:
    """Feed it every event of a page's session; it keeps ``session``'s rows up to date."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._tracks: dict[str, _Track] = {}
        self._reports: list[dict[str, str]] = []
        self._seq = 0
        self._handlers = {
            "Network.requestWillBeSent": self._will_be_sent,
            "Network.requestWillBeSentExtraInfo": self._request_extra,
            "Network.responseReceivedExtraInfo": self._response_extra,
            "Network.responseReceived": self._response_received,
            "Network.loadingFinished": self._finished,
            "Network.loadingFailed": self._failed,
            "Audits.issueAdded": self._issue,
            "Log.entryAdded": self._log,
            "Runtime.consoleAPICalled": self._console_api,
            "Page.frameNavigated": self._navigated,
            "Runtime.bindingCalled": self._binding,
        }

    def feed(self, method: str, params: dict[str, Any]) -> list[Watched]:
        """Take one event; the rows it added or changed (most events change one or none)."""
        handler = self._handlers.get(method)
        if handler is None or not isinstance(params, dict):
            return []
        ids = handler(params)
        changed = []
        for id in dict.fromkeys(ids):
            row = self._row(id)
            if row is not None and self.session.get(id) != row:
                self.session.put(row)
                changed.append(row)
        return changed

    # --- bookkeeping ----------------------------------------------------------------------

    def _track(self, id: str) -> _Track:
        track = self._tracks.get(id)
        if track is None:
            track = self._tracks[id] = _Track()
            while len(self._tracks) > self.session.cap + _SLACK:
                del self._tracks[next(iter(self._tracks))]
        return track

    def _owner(self, id: str) -> str:
        """The row an id's events change: a preflight's actual request, else itself."""
        track = self._tracks.get(id)
        return track.preflight if track is not None and track.preflight else id

    def _row(self, id: str) -> Watched | None:
        track = self._tracks.get(id)
        if track is None or track.seq is None:
            return None
        slots = track.slots
        if track.done and track.preflight_id and slots and slots[0].unsent:
            slots = []  # announced, then stopped by its preflight: it never went out
        hops = [hop for slot in slots if (hop := slot.hop(None)) is not None]
        if hops and track.error is not None and hops[-1].response is None:
            hops[-1] = Hop(hops[-1].request, None, track.error)
        return Watched(
            id=id,
            seq=track.seq,
            load=track.load,
            resource=track.resource,
            request=self._request(track, hops[0] if hops else None),
            preflight=self._preflight_hop(track),
            hops=tuple(hops),
            browser=track.browser,
            started=track.started,
            done=track.done,
        )

    def _preflight_hop(self, track: _Track) -> Hop | None:
        preflight = self._tracks.get(track.preflight_id) if track.preflight_id else None
        if preflight is None or not preflight.slots:
            return None
        return preflight.slots[0].hop(preflight.error)

    def _recent(self) -> Iterator[tuple[str, _Track]]:
        """The latest rows first, as far back as a late report or console line may go."""
        for id in islice(reversed(self._tracks), _LOOKBACK):
            yield id, self._tracks[id]

    def _request(self, track: _Track, first: Hop | None) -> Request:
        asked = track.first
        headers = _pairs(asked.get("headers"))
        url = str(asked.get("url", ""))
        method = str(asked.get("method", "GET"))
        origin = _page_origin(str(track.first.get("documentURL", url)))
        wire = first.request.headers if first is not None else ()
        if header_values(wire, "Origin") == [NULL_ORIGIN]:
            origin = NULL_ORIGIN  # an opaque page (a sandboxed frame) names itself "null"
        credentials: Credentials = "include" if header_values(wire, "Cookie") else "same-origin"
        mode: Mode = "cors"
        if track.report is not None:
            credentials = cast(Credentials, track.report["credentials"])
            mode = cast(Mode, track.report["mode"])
        elif track.resource not in _API_RESOURCES and not header_values(wire, "Origin"):
            mode = "no-cors"  # an image, script or document loaded without CORS
        body = asked.get("postData")
        if track.resource not in _API_RESOURCES:
            headers = ()  # only fetch() and XMLHttpRequest carry headers script set
        return Request(
            url,
            method,
            origin,
            _script_headers(headers),
            credentials,
            mode,
            body if isinstance(body, str) else None,
        )

    # --- the network ----------------------------------------------------------------------

    def _will_be_sent(self, params: dict[str, Any]) -> list[str]:
        id = str(params.get("requestId", ""))
        asked = params.get("request") or {}
        initiator = params.get("initiator") or {}
        track = self._track(id)
        if initiator.get("type") == "preflight" and initiator.get("requestId"):
            track.preflight = str(initiator["requestId"])
            actual = self._track(track.preflight)
            actual.preflight_id = actual.preflight_id or id  # a redirect's second one is not kept
        redirected = params.get("redirectResponse")
        if isinstance(redirected, dict):
            previous = track.slot(sum(1 for s in track.slots if s.sent is not None) - 1)
            previous.response = _response(redirected)
        slot = track.next_sent()
        body = asked.get("postData")
        slot.sent = SentRequest(
            str(asked.get("method", "GET")),
            str(asked.get("url", "")),
            _pairs(asked.get("headers")),
            body if isinstance(body, str) else None,
        )
        if track.preflight or track.seq is not None:
            return [self._owner(id)]
        track.seq = self._seq
        self._seq += 1
        track.first = {**asked, "documentURL": params.get("documentURL", asked.get("url", ""))}
        track.resource = str(params.get("type") or "Other")
        track.started = float(params.get("wallTime") or 0.0)
        track.load = max(len(self.session.loads) - 1, 0)
        track.report = self._take_report(str(asked.get("url", "")), slot.sent.method)
        return [id]

    def _request_extra(self, params: dict[str, Any]) -> list[str]:
        id = str(params.get("requestId", ""))
        track = self._track(id)
        track.slot(track.extra_requests).wire_request = _pairs(params.get("headers"))
        track.extra_requests += 1
        return [self._owner(id)]

    def _response_extra(self, params: dict[str, Any]) -> list[str]:
        id = str(params.get("requestId", ""))
        track = self._track(id)
        track.slot(track.extra_responses).wire_response = _response(params, "statusCode")
        track.extra_responses += 1
        return [self._owner(id)]

    def _response_received(self, params: dict[str, Any]) -> list[str]:
        id = str(params.get("requestId", ""))
        track = self._track(id)
        if track.slots and isinstance(params.get("response"), dict):
            sent = [s for s in track.slots if s.sent is not None]
            (sent[-1] if sent else track.slots[-1]).response = _response(params["response"])
        return [self._owner(id)]

    def _finished(self, params: dict[str, Any]) -> list[str]:
        id = str(params.get("requestId", ""))
        track = self._track(id)
        track.done = True
        if track.seq is not None:
            track.browser = BrowserSays(True)
        return [self._owner(id)]

    def _failed(self, params: dict[str, Any]) -> list[str]:
        id = str(params.get("requestId", ""))
        track = self._track(id)
        track.done = True
        text = str(params.get("errorText") or "net::ERR_FAILED")
        track.error = NetworkError(text, _explain(text, params.get("blockedReason")))
        if track.seq is not None:
            status = params.get("corsErrorStatus") or {}
            said = track.browser
            track.browser = BrowserSays(
                False,
                status.get("corsError") or said.kind,
                str(status.get("failedParameter") or said.failed_parameter),
                said.message,
                text,
            )
        return [self._owner(id)]

    # --- what the browser said --------------------------------------------------------------

    def _issue(self, params: dict[str, Any]) -> list[str]:
        issue = params.get("issue") or {}
        details = (issue.get("details") or {}).get("corsIssueDetails")
        if issue.get("code") != "CorsIssue" or not isinstance(details, dict):
            return []
        id = str((details.get("request") or {}).get("requestId", ""))
        track = self._tracks.get(id)
        status = details.get("corsErrorStatus") or {}
        if track is None or track.seq is None or details.get("isWarning") or not status:
            return []
        said = track.browser
        track.browser = BrowserSays(
            False,
            str(status.get("corsError")),
            str(status.get("failedParameter") or ""),
            said.message,
            said.net_error,
        )
        return [id]

    def _log(self, params: dict[str, Any]) -> list[str]:
        entry = params.get("entry") or {}
        if entry.get("level") != "error":
            return []
        return self._console_line(str(entry.get("text", "")), entry.get("networkRequestId"))

    def _console_api(self, params: dict[str, Any]) -> list[str]:
        args = params.get("args") or [{}]
        return self._console_line(str(args[0].get("value", "")), None)

    def _console_line(self, text: str, request_id: Any) -> list[str]:
        """A CORS line names its request's first URL: the latest row with that URL still
        without one. A network line (``Failed to load resource``) names its request's id
        and only fills an empty message."""
        found = _CORS_LINE.match(text)
        if found is None:
            track = self._tracks.get(str(request_id)) if request_id else None
            if track is None or track.seq is None or track.browser.message is not None:
                return []
            track.browser = replace(track.browser, message=text)
            return [str(request_id)]
        url = _fragmentless(found.group("first") or found.group("url"))
        for id, track in self._recent():
            if track.seq is None or track.browser.allowed:
                continue
            if _fragmentless(str(track.first.get("url", ""))) != url:
                continue
            said = track.browser
            if said.message is not None and _CORS_LINE.match(said.message):
                continue
            track.browser = replace(said, message=text)
            return [id]
        return []

    # --- the page -----------------------------------------------------------------------------

    def _navigated(self, params: dict[str, Any]) -> list[str]:
        frame = params.get("frame") or {}
        if frame.get("parentId") or not frame.get("url"):
            return []
        document = self._tracks.get(str(frame.get("loaderId", "")))
        started = document.started if document is not None else time.time()
        load = self.session.start_load(str(frame["url"]), started)
        if document is None or document.seq is None:
            return []
        document.load = load.index  # the navigation's own request belongs to its load
        return [str(frame["loaderId"])]

    def _binding(self, params: dict[str, Any]) -> list[str]:
        if params.get("name") != BINDING:
            return []
        try:
            report = json.loads(str(params.get("payload", "")))
        except ValueError:
            return []
        if not isinstance(report, dict) or report.get("credentials") not in CREDENTIALS_MODES:
            return []
        if report.get("mode") not in REQUEST_MODES:
            return []
        tidy = {
            "url": _fragmentless(str(report.get("url", ""))),
            "method": _method(str(report.get("method", "GET"))),
            "credentials": str(report["credentials"]),
            "mode": str(report["mode"]),
        }
        # the request may have started before its report arrived
        for id, track in self._recent():
            if track.seq is not None and track.report is None and _asks(track.first, tidy):
                track.report = tidy
                return [id]
        self._reports.append(tidy)
        del self._reports[:-_SLACK]
        return []

    def _take_report(self, url: str, method: str) -> dict[str, str] | None:
        wanted = {"url": _fragmentless(url), "method": method}
        for index, report in enumerate(self._reports):
            if _asks(wanted, report):
                return self._reports.pop(index)
        return None


def _asks(asked: dict[str, Any], report: dict[str, str]) -> bool:
    url = _fragmentless(str(asked.get("url", "")))
    return url == report["url"] and _method(str(asked.get("method", ""))) == report["method"]


def _method(method: str) -> str:
    """As fetch() normalizes it: the six standard methods upper-cased."""
    upper = method.upper()
    return upper if upper in ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT") else method


_EXPLAINED = {
    "net::ERR_CONNECTION_REFUSED": "Nothing is listening at that address and port.",
    "net::ERR_ABORTED": "The page cancelled the request.",
}


def _explain(code: str, blocked: Any) -> str:
    if blocked:
        return f"The browser blocked the request ({blocked})."
    return _EXPLAINED.get(code, f"The browser reported {code}.")
