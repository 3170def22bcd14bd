"""Browser profiles: the headers a browser adds to what the engine decides, in its order.

The engine decides the CORS-relevant headers (``Origin``, ``Access-Control-Request-*``, the
script's own); a profile adds the rest as the browser sends them (``User-Agent``, client
hints, ``Sec-Fetch-*``, ``Referer``, ``Accept-Encoding`` …). The Chromium profile is the
embedded Chromium 140 (QtWebEngine 6.11) that every verdict is checked against: its headers,
values and order as its requests reached a loopback server (tests/wire/test_wire_headers.py
compares them byte for byte). It sends no ``Accept-Language``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from corsinspector.engine.blinkmap import blink_wire_order
from corsinspector.engine.ranges import range_sent_last
from corsinspector.model import Exchange, Headers, header_values
from corsinspector.origins import NULL_ORIGIN, origin_of

__all__ = [
    "CHROMIUM",
    "FIREFOX",
    "PROFILES",
    "BrowserProfile",
    "chain_fetch_site",
    "fetch_site",
    "wire_headers",
]


@dataclass(frozen=True)
class BrowserProfile:
    name: str
    version: str
    user_agent: str
    #: User-agent client hints (Chromium only), sent on the actual request.
    client_hints: Headers
    accept_encoding: str
    #: None: the browser sends no Accept-Language (the embedded Chromium has none set).
    accept_language: str | None
    #: Whose header order: Blink's header map (Chromium) or Gecko's fixed list (Firefox).
    engine: Literal["blink", "gecko"]


CHROMIUM = BrowserProfile(
    "chromium",
    "140",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "QtWebEngine/6.11.3 Chrome/140.0.0.0 Safari/537.36",
    (
        ("sec-ch-ua", '"Not=A?Brand";v="24", "Chromium";v="140"'),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Linux"'),
    ),
    "gzip, deflate, br, zstd",
    None,
    "blink",
)
FIREFOX = BrowserProfile(
    "firefox",
    "140",
    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    (),
    "gzip, deflate, br, zstd",
    "en-US,en;q=0.5",
    "gecko",
)
#: Conditional request headers: with one, Chromium revalidates (``Cache-Control: max-age=0``).
_CONDITIONAL = frozenset(
    {"if-modified-since", "if-none-match", "if-unmodified-since", "if-match", "if-range"}
)
#: Sec-Fetch-Site values, least cross first.
_SITE_RANK = ("same-origin", "same-site", "cross-site")
PROFILES = {profile.name: profile for profile in (CHROMIUM, FIREFOX)}


def _site(host: str) -> str:
    """The registrable part of a host, roughly (the last two labels; an IP stays whole)."""
    if host.replace(".", "").isdigit() or ":" in host:
        return host
    return ".".join(host.split(".")[-2:])


def fetch_site(page: str, url: str) -> str:
    """``Sec-Fetch-Site``: same-origin, same-site or cross-site."""
    if page == NULL_ORIGIN:
        return "cross-site"
    if origin_of(url) == page:
        return "same-origin"
    target, source = urlsplit(url), urlsplit(page)
    same_site = target.scheme == source.scheme and _site(target.hostname or "") == _site(
        source.hostname or ""
    )
    return "same-site" if same_site else "cross-site"


def chain_fetch_site(page: str, url: str, chain: tuple[str, ...] = ()) -> str:
    """``Sec-Fetch-Site`` after redirects: the most cross-site of every URL in the chain."""
    return max((fetch_site(page, u) for u in (*chain, url)), key=_SITE_RANK.index)


def _referer(page: str, url: str) -> str | None:
    """strict-origin-when-cross-origin, for a page whose URL is its origin plus ``/``."""
    if page == NULL_ORIGIN:
        return None
    if page.startswith("https:") and url.startswith("http:"):
        return None  # a downgrade sends no referrer
    return page + "/"


def wire_headers(
    profile: BrowserProfile, exchange: Exchange, page: str, cookie: str | None = None
) -> Headers:
    """Every header of ``exchange`` as ``profile`` sends it, in its order (``Host`` is the
    HTTP client's, and so is the body's ``Content-Length`` for Firefox)."""
    request = exchange.request
    referer = _referer(page, request.url)
    site = chain_fetch_site(page, request.url, exchange.chain)
    cors = dict((name.lower(), (name, value)) for name, value in request.headers)
    script = [(k, v) for k, v in request.headers if k.lower() != "origin"]
    blink = profile.engine == "blink"
    out: list[tuple[str, str]] = [("Connection", "keep-alive")]
    if blink and request.body is not None and exchange.kind == "actual":
        out.append(("Content-Length", str(len(request.body.encode("utf-8")))))
    if blink and _revalidates(exchange):
        out.append(("Cache-Control", "max-age=0"))
    range_last: tuple[str, str] | None = None
    if exchange.kind == "preflight":
        out.append(cors["accept"])
        out.append(cors["access-control-request-method"])
        if "access-control-request-headers" in cors:
            out.append(cors["access-control-request-headers"])
        out += [cors["origin"], ("User-Agent", profile.user_agent), cors["sec-fetch-mode"]]
        out += [("Sec-Fetch-Site", site), ("Sec-Fetch-Dest", "empty")]
    else:
        if blink:
            mapped, range_last = _blink_map(profile, request.method, script)
            out += mapped
        else:
            out.append(("User-Agent", profile.user_agent))
            out += script
        if not any(k.lower() == "accept" for k, _ in script):
            out.append(("Accept", "*/*"))
        origin = header_values(request.headers, "Origin")
        if origin:
            out.append(("Origin", origin[0]))
        out += [("Sec-Fetch-Site", site), ("Sec-Fetch-Mode", exchange.mode)]
        out.append(("Sec-Fetch-Dest", "empty"))
        if blink and exchange.credentials and fetch_site(page, request.url) == "cross-site":
            # third-party cookies are allowed in the embedded Chromium: storage access is active
            out.append(("Sec-Fetch-Storage-Access", "active"))
    if referer is not None:
        out.append(("Referer", referer))
    has_range = any(k.lower() == "range" for k, _ in script)
    # Chromium asks for no compression on any request with a Range
    out.append(("Accept-Encoding", "identity" if blink and has_range else profile.accept_encoding))
    if profile.accept_language is not None:
        out.append(("Accept-Language", profile.accept_language))
    if cookie and exchange.kind == "actual":
        out.append(("Cookie", cookie))
    if range_last is not None:
        out.append(range_last)  # the HTTP cache re-adds a plain GET range after everything
    return tuple(out)


def _revalidates(exchange: Exchange) -> bool:
    """A script's conditional header makes Chromium revalidate: its preflight too."""
    headers = exchange.request.headers
    if exchange.kind == "preflight":
        listed = ",".join(header_values(headers, "Access-Control-Request-Headers"))
        names = {name.strip() for name in listed.split(",")}
    else:
        names = {name.lower() for name, _ in headers}
    return not _CONDITIONAL.isdisjoint(names)


def _blink_map(
    profile: BrowserProfile, method: str, script: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
    """The script's headers among Chromium's own (client hints, User-Agent) in Blink's
    header-map order, and the Range header when the HTTP cache sends it last instead."""
    own = {name.lower(): (name, value) for name, value in profile.client_hints}
    own["user-agent"] = ("User-Agent", profile.user_agent)
    by_name = {name.lower(): (name, value) for name, value in script}
    range_last = by_name.get("range") if range_sent_last(method, tuple(script)) else None
    out = []
    for name in blink_wire_order(tuple(sorted(by_name))):
        if name in by_name:
            if not (range_last is not None and name == "range"):
                out.append(by_name[name])
        elif name in own:
            out.append(own[name])
    return out, range_last
