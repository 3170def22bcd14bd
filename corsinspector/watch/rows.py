"""One request a watched page made, as captured: its hops as the browser sent them and the
browser's own verdict (docs/watch.md, "Data model"; ``capture`` re-exports these beside the
session, and the judge reads them without the session)."""

from __future__ import annotations

from dataclasses import dataclass

from corsinspector.model import NetworkError, Request, Response, SentRequest
from corsinspector.origins import serialize_origin

__all__ = ["IN_FLIGHT", "BrowserSays", "Hop", "PageLoad", "Watched"]


@dataclass(frozen=True)
class Hop:
    """One request the browser sent and its answer (headers as on the wire when DevTools
    gave them); no answer yet, or a network error instead of one."""

    request: SentRequest
    response: Response | None
    network_error: NetworkError | None = None


@dataclass(frozen=True)
class BrowserSays:
    """The browser's own verdict: ``allowed`` None while in flight; ``kind`` Chromium's
    ``corsError`` (None when not a CORS error); ``message`` the console line, word for word;
    ``net_error`` the ``errorText`` of ``Network.loadingFailed``."""

    allowed: bool | None
    kind: str | None = None
    failed_parameter: str = ""
    message: str | None = None
    net_error: str | None = None


#: A request in flight: nothing said yet.
IN_FLIGHT = BrowserSays(None)


def _origin_or_none(text: str) -> str | None:
    try:
        return serialize_origin(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Watched:
    """One request the page made: as the page asked for it, its preflight if one went out,
    the hops (the request, then each redirect target), and what the browser said."""

    #: The browser's requestId of the actual request.
    id: str
    #: The order the page started it in, over the session.
    seq: int
    #: Its page load's index in ``Session.loads``.
    load: int
    #: CDP's resource type: ``Fetch``, ``XHR``, ``Document``, ``Script`` …
    resource: str
    request: Request
    preflight: Hop | None
    hops: tuple[Hop, ...]
    browser: BrowserSays
    #: Wall-clock seconds.
    started: float
    done: bool

    @property
    def cross_origin(self) -> bool:
        """The page's origin differs from the URL's (a URL with no origin of its own, such
        as ``data:``, is not a cross-origin request)."""
        target = _origin_or_none(self.request.url)
        if target is None:
            return False
        return self.request.origin == "null" or _origin_or_none(self.request.origin) != target


@dataclass(frozen=True)
class PageLoad:
    """A main-frame navigation: rows after it belong to it."""

    index: int
    url: str
    started: float
