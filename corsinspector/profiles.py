"""Browser profiles: the headers a browser adds to what the engine decides, in its order.

The engine decides the CORS-relevant headers (``Origin``, ``Access-Control-Request-*``, the
script's own); a profile adds the rest as the browser sends them (``User-Agent``, client
hints, ``Sec-Fetch-*``, ``Referer``, ``Accept-Encoding`` …). The Chromium order is the one
the recorder saw on the wire from Chromium 140 (see the golden truths); the values are those
of desktop Chrome 140 on Linux.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from corsinspector.model import Exchange, Headers, header_values
from corsinspector.origins import NULL_ORIGIN, origin_of

__all__ = ["CHROMIUM", "FIREFOX", "PROFILES", "BrowserProfile", "fetch_site", "wire_headers"]


@dataclass(frozen=True)
class BrowserProfile:
    name: str
    version: str
    user_agent: str
    #: User-agent client hints (Chromium only), sent on the actual request.
    client_hints: Headers
    accept_encoding: str
    accept_language: str


CHROMIUM = BrowserProfile(
    "chromium",
    "140",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36",
    (
        ("sec-ch-ua", '"Chromium";v="140", "Not=A?Brand";v="24", "Google Chrome";v="140"'),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Linux"'),
    ),
    "gzip, deflate, br, zstd",
    "en-US,en;q=0.9",
)
FIREFOX = BrowserProfile(
    "firefox",
    "140",
    "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    (),
    "gzip, deflate, br, zstd",
    "en-US,en;q=0.5",
)
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
    """Every header of ``exchange`` as ``profile`` sends it, in its order (``Host`` and the
    body's ``Content-Length`` are the HTTP client's)."""
    request = exchange.request
    referer = _referer(page, request.url)
    site = fetch_site(page, request.url)
    cors = dict((name.lower(), (name, value)) for name, value in request.headers)
    out: list[tuple[str, str]] = [("Connection", "keep-alive")]
    if exchange.kind == "preflight":
        out.append(cors["accept"])
        out.append(cors["access-control-request-method"])
        if "access-control-request-headers" in cors:
            out.append(cors["access-control-request-headers"])
        out += [cors["origin"], ("User-Agent", profile.user_agent), cors["sec-fetch-mode"]]
        out += [("Sec-Fetch-Site", site), ("Sec-Fetch-Dest", "empty")]
    else:
        hints = dict(profile.client_hints)
        if "sec-ch-ua-platform" in hints:
            out.append(("sec-ch-ua-platform", hints["sec-ch-ua-platform"]))
        out.append(("User-Agent", profile.user_agent))
        out += [(k, v) for k, v in profile.client_hints if k != "sec-ch-ua-platform"]
        script = [(k, v) for k, v in request.headers if k.lower() != "origin"]
        out += script
        if not any(k.lower() == "accept" for k, _ in script):
            out.append(("Accept", "*/*"))
        origin = header_values(request.headers, "Origin")
        if origin:
            out.append(("Origin", origin[0]))
        out += [("Sec-Fetch-Site", site), ("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")]
    if referer is not None:
        out.append(("Referer", referer))
    out += [("Accept-Encoding", profile.accept_encoding)]
    out += [("Accept-Language", profile.accept_language)]
    if cookie and exchange.kind == "actual":
        out.append(("Cookie", cookie))
    return tuple(out)
