"""Playing a scenario's symbolic origins on loopback ports, and mapping back.

A scenario speaks of ``https://api.example.test``; the player serves it on
``http://127.0.0.1:PORT``. A :class:`LoopbackMap` holds that correspondence and rewrites in
both directions: scenario URLs to the wire (``Location`` headers, the URL to fetch) and what
the browser printed or sent back to the scenario's own URLs (console messages, ``Host``,
``Origin``, ``Referer``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from corsinspector.model import Headers, Scenario
from corsinspector.origins import NULL_ORIGIN, is_loopback_host, origin_of

__all__ = [
    "LOOPBACK_HOST",
    "LoopbackMap",
    "placement_reason",
    "scenario_origins",
    "unreproducible_reason",
]

LOOPBACK_HOST = "127.0.0.1"
_HTTP_SCHEMES = ("http", "https")
_LOOPBACK_BASE = re.compile(r"http://127\.0\.0\.1:(\d+)")


def _location_targets(scenario: Scenario) -> Iterable[str]:
    """Absolute URLs that the scenario's redirects point to."""
    for route in scenario.server:
        base = route.url or scenario.request.url
        for name, value in route.headers:
            if name.lower() == "location" and value.strip():
                yield urljoin(base, value.strip())


def scenario_origins(scenario: Scenario) -> list[str]:
    """Every http(s) origin the scenario's browser may talk to, first seen first."""
    urls = [scenario.request.url]
    urls += [route.url for route in scenario.server if route.url]
    urls += list(_location_targets(scenario))
    seen: dict[str, None] = {}
    for url in urls:
        if urlsplit(url).scheme.lower() in _HTTP_SCHEMES:
            origin = origin_of(url)
            if origin != NULL_ORIGIN:
                seen.setdefault(origin, None)
    return list(seen)


def placement_reason(scenario: Scenario) -> str | None:
    """Why a player that serves every name from an address of its own (loopback, or one
    public test address: the embedded, Firefox and WebKit players) cannot play ``scenario``
    as written: it serves a host from an address that is not loopback (``request.resolve``,
    for Local Network Access). Debian's Chromium player plays such placements (it does not
    ask this); the words stay those of the truths recorded with them."""
    for host, address in scenario.request.resolve:
        if not is_loopback_host(address.strip("[]")):
            return (
                f"the scenario serves {host} from {address}; the recorders serve every name "
                "from an address of their own, so where a page or a server stands cannot be "
                "played"
            )
    return None


def unreproducible_reason(scenario: Scenario) -> str | None:
    """Why the scenario cannot be played faithfully on loopback, or None when it can."""
    placed = placement_reason(scenario)
    if placed is not None:
        return placed
    page = scenario.request.origin
    if page.startswith("https:"):
        for origin in scenario_origins(scenario):
            host = urlsplit(origin).hostname or ""
            if origin.startswith("http:") and not is_loopback_host(host):
                return (
                    f"mixed content: the https page {page} fetches the http origin {origin}; "
                    "on loopback every origin is potentially trustworthy, so Chromium's "
                    "mixed-content block cannot be reproduced"
                )
    return None


def _replace_origin(url: str, mapping: dict[str, str]) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in _HTTP_SCHEMES:
        return url
    target = mapping.get(origin_of(url))
    if target is None:
        return url
    new = urlsplit(target)
    netloc = new.netloc
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((new.scheme, netloc, parts.path, parts.query, parts.fragment))


def _replace_tokens(value: str, mapping: dict[str, str]) -> str:
    """Replace whole comma- or space-separated tokens equal to a mapped origin."""
    return re.sub(r"[^,\s]+", lambda m: mapping.get(m.group(0), m.group(0)), value)


@dataclass
class LoopbackMap:
    """Symbolic origins and the loopback base URLs (``http://127.0.0.1:PORT``) that play them."""

    #: symbolic origin -> loopback base URL.
    wire: dict[str, str] = field(default_factory=dict)
    #: The page's symbolic origin, when the page itself is played on a loopback origin
    #: (a scenario that fetches its own origin); then Access-Control-Allow-Origin values
    #: naming it are rewritten too.
    page_origin: str | None = None

    @property
    def symbolic(self) -> dict[str, str]:
        """loopback base URL -> symbolic origin (the first origin played there)."""
        back: dict[str, str] = {}
        for origin, base in self.wire.items():
            back.setdefault(base, origin)
        return back

    # --- scenario -> wire -------------------------------------------------------------

    def to_wire_url(self, url: str) -> str:
        return _replace_origin(url, self.wire)

    def to_wire_origin(self, origin: str) -> str:
        return self.wire.get(origin, origin)

    def rewrite_response_headers(self, headers: Headers, base: str | None = None) -> Headers:
        """``Location`` pointed at the loopback origins; ``Access-Control-Allow-Origin``
        naming the page's origin pointed at the page's loopback origin.

        ``base`` is the symbolic URL answered: a scheme-relative ``Location``
        (``//host/path``) is resolved against it first, since on the wire it would take
        the loopback's ``http`` scheme."""
        acao_map = {}
        if self.page_origin is not None and self.page_origin in self.wire:
            acao_map = {self.page_origin: self.wire[self.page_origin]}
        out = []
        for name, value in headers:
            lower = name.lower()
            if lower == "location":
                stripped = value.strip()
                absolute = (
                    urljoin(base, stripped) if base and stripped.startswith("//") else stripped
                )
                mapped = self.to_wire_url(absolute) if stripped else stripped
                value = value.replace(stripped, mapped) if stripped else value
            elif lower == "access-control-allow-origin" and acao_map:
                value = _replace_tokens(value, acao_map)
            out.append((name, value))
        return tuple(out)

    # --- wire -> scenario -------------------------------------------------------------

    def to_symbolic_url(self, url: str) -> str:
        return _replace_origin(url, self.symbolic)

    def to_symbolic_text(self, text: str) -> str:
        """Every loopback base URL in ``text`` (a console message) named symbolically."""
        back = self.symbolic
        return _LOOPBACK_BASE.sub(lambda m: back.get(m.group(0), m.group(0)), text)

    def to_symbolic_headers(self, headers: Headers) -> Headers:
        """Request headers as the scenario would have them: Host, Origin and Referer mapped."""
        back = self.symbolic
        out = []
        for name, value in headers:
            lower = name.lower()
            if lower == "host":
                origin = back.get(f"http://{value}")
                if origin is not None:
                    value = urlsplit(origin).netloc
            elif lower == "origin":
                value = back.get(value, value)
            elif lower == "referer":
                value = self.to_symbolic_url(value)
            out.append((name, value))
        return tuple(out)
