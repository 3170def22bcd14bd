"""DevTools events in, ``Watched`` rows out: a sans-I/O reducer (docs/watch.md, "Capturing").

The event shapes are Chromium's as recorded in tests/watch/events/ (tools/record_cdp_events.py):
a preflight is its own request (``initiator.type == "preflight"``, ``initiator.requestId`` the
actual's id) folded into its actual's row; a redirect is a further ``requestWillBeSent`` with
the same id and a ``redirectResponse``; the ``…ExtraInfo`` events (the headers as on the wire)
arrive before or after their main event, the k-th of an id belonging to its k-th hop; a CORS
block is ``loadingFailed.corsErrorStatus``, an ``Audits`` CorsIssue and a console line.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any, cast

from corsinspector.model import (
    Credentials,
    Headers,
    Mode,
    NetworkError,
    Request,
    Response,
    SentRequest,
    header_values,
)
from corsinspector.origins import NULL_ORIGIN, serialize_origin
from corsinspector.watch.capture import IN_FLIGHT, BrowserSays, Hop, Session, Watched
from corsinspector.watch.cdpdata import (
    ABORTED,
    explain_failure,
    header_pairs,
    response_of,
    script_headers,
)
from corsinspector.watch.instrument import BINDING, INSTRUMENT
from corsinspector.watch.reports import ReportBook, fragmentless, read_report

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
#: How far back a CORS console line looks for its request.
_LOOKBACK = 500
_API_RESOURCES = frozenset({"Fetch", "XHR"})


def _page_origin(document_url: str) -> str:
    try:
        return serialize_origin(document_url)
    except ValueError:
        return NULL_ORIGIN


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
        self._book = ReportBook(_SLACK)
        #: Each frame's origin (frameId -> serialized origin), as its document has it.
        self._frames: dict[str, str] = {}
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
        preflight = self._preflight_hop(track)
        return Watched(
            id=id,
            seq=track.seq,
            load=track.load,
            resource=track.resource,
            request=self._request(track, hops[0] if hops else preflight),
            preflight=preflight,
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
        """As the page asked for it; ``first`` the first hop on the wire (else the preflight)."""
        asked = track.first
        headers = header_pairs(asked.get("headers"))
        url = str(asked.get("url", ""))
        method = str(asked.get("method", "GET"))
        wire = first.request.headers if first is not None else ()
        # the initiator's origin as the browser sent it (a sandboxed frame's "null", a
        # srcdoc frame's parent's); without an Origin header, its frame's or document's
        sent = header_values(wire, "Origin")
        origin = sent[0] if sent else str(asked.get("frameOrigin") or "")
        origin = origin or _page_origin(str(asked.get("documentURL", url)))
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
            script_headers(headers),
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
            previous.response = response_of(redirected)
        slot = track.next_sent()
        body = asked.get("postData")
        slot.sent = SentRequest(
            str(asked.get("method", "GET")),
            str(asked.get("url", "")),
            header_pairs(asked.get("headers")),
            body if isinstance(body, str) else None,
        )
        if track.preflight or track.seq is not None:
            return [self._owner(id)]
        track.seq = self._seq
        self._seq += 1
        track.resource = str(params.get("type") or "Other")
        track.first = {
            **asked,
            "documentURL": params.get("documentURL", asked.get("url", "")),
            # a navigation's own origin is its URL's; a subresource's, its frame's now
            "frameOrigin": None
            if track.resource == "Document"
            else self._frames.get(str(params.get("frameId"))),
        }
        track.started = float(params.get("wallTime") or 0.0)
        track.load = max(len(self.session.loads) - 1, 0)
        track.report = self._book.claim(str(asked.get("url", "")), slot.sent.method)
        if track.report is None:
            self._book.wait(id, str(asked.get("url", "")), slot.sent.method)
        return [id]

    def _request_extra(self, params: dict[str, Any]) -> list[str]:
        id = str(params.get("requestId", ""))
        track = self._track(id)
        track.slot(track.extra_requests).wire_request = header_pairs(params.get("headers"))
        track.extra_requests += 1
        return [self._owner(id)]

    def _response_extra(self, params: dict[str, Any]) -> list[str]:
        id = str(params.get("requestId", ""))
        track = self._track(id)
        track.slot(track.extra_responses).wire_response = response_of(params, "statusCode")
        track.extra_responses += 1
        return [self._owner(id)]

    def _response_received(self, params: dict[str, Any]) -> list[str]:
        id = str(params.get("requestId", ""))
        track = self._track(id)
        if track.slots and isinstance(params.get("response"), dict):
            sent = [s for s in track.slots if s.sent is not None]
            (sent[-1] if sent else track.slots[-1]).response = response_of(params["response"])
        if track.seq is not None and track.browser.allowed is None:
            # handed to the page (a blocked answer never is): allowed, whether or not the
            # page goes on to read its body
            track.browser = BrowserSays(True, message=track.browser.message)
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
        track.error = NetworkError(text, explain_failure(text, params.get("blockedReason")))
        if track.seq is not None:
            track.browser = _failure_says(track.browser, text, params)
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
        url = fragmentless(found.group("first") or found.group("url"))
        for id, track in self._recent():
            if track.seq is None or track.browser.allowed:
                continue
            if fragmentless(str(track.first.get("url", ""))) != url:
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
        if not frame.get("url"):
            return []
        self._frame_origin(frame)
        if frame.get("parentId"):
            return []
        document = self._tracks.get(str(frame.get("loaderId", "")))
        started = document.started if document is not None else time.time()
        load = self.session.start_load(str(frame["url"]), started)
        if document is None or document.seq is None:
            return []
        document.load = load.index  # the navigation's own request belongs to its load
        return [str(frame["loaderId"])]

    def _frame_origin(self, frame: dict[str, Any]) -> None:
        """Keep a frame's origin: its URL's, or (``about:srcdoc``, ``about:blank``) its
        parent's, which it inherits."""
        url, parent = str(frame["url"]), self._frames.get(str(frame.get("parentId")))
        origin = parent if url.startswith("about:") and parent else _page_origin(url)
        self._frames[str(frame.get("id"))] = origin
        while len(self._frames) > _SLACK:
            del self._frames[next(iter(self._frames))]

    def _binding(self, params: dict[str, Any]) -> list[str]:
        report = read_report(str(params.get("payload", "")))
        if params.get("name") != BINDING or report is None:
            return []
        # the request may have started before its report arrived
        id = self._book.add(report, self._waits)
        if id is None:
            return []
        self._tracks[id].report = report
        return [id]

    def _waits(self, id: str) -> bool:
        track = self._tracks.get(id)
        return track is not None and track.seq is not None and track.report is None


def _failure_says(said: BrowserSays, text: str, failed: dict[str, Any]) -> BrowserSays:
    """What the browser says of a request once its load failed with ``text``."""
    status = failed.get("corsErrorStatus") or {}
    blocked = bool(status or failed.get("blockedReason"))
    if said.allowed and not blocked:
        # the answer had reached the page, which dropped it (or its body failed)
        return replace(said, net_error=text)
    if text == ABORTED and not blocked and said.kind is None:
        # the page aborted it before any answer: the browser reached no verdict
        return BrowserSays(None, message=said.message, net_error=text)
    return BrowserSays(
        False,
        status.get("corsError") or said.kind,
        str(status.get("failedParameter") or said.failed_parameter),
        said.message,
        text,
    )
