"""Origins and URLs as a browser serializes them: ``scheme://host[:port]``, default ports dropped.

The standard library's ``urllib.parse`` splits URLs well enough for the scenario URLs we
handle (absolute, ASCII hosts); what it does not do (lower-casing the scheme and host,
dropping default ports, the opaque ``null`` origin) is done here. What a person types as an
origin is read by ada (the WHATWG URL standard's parser, as browsers read a page's URL).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit, urlunsplit

import ada_url

__all__ = [
    "DEFAULT_PORTS",
    "NULL_ORIGIN",
    "is_localhost_name",
    "is_loopback_host",
    "is_same_origin",
    "normalize_url",
    "origin_note",
    "origin_of",
    "path_and_query",
    "serialize_origin",
    "spelling_differences",
]

NULL_ORIGIN = "null"
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
#: Schemes whose URLs have a tuple origin (others, like data: and file:, are opaque).
_TUPLE_SCHEMES = frozenset(DEFAULT_PORTS)


def _host_port(parts: SplitResult) -> tuple[str, int | None]:
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is not None and DEFAULT_PORTS.get(parts.scheme.lower()) == port:
        port = None
    return host, port


def _authority(parts: SplitResult) -> str:
    host, port = _host_port(parts)
    return host if port is None else f"{host}:{port}"


def is_localhost_name(host: str) -> bool:
    """``localhost`` or a ``*.localhost`` name, which browsers resolve to loopback themselves
    (RFC 6761; Chromium's ``IsLocalHostname``: any case, a trailing dot ignored)."""
    name = host.lower().removesuffix(".")
    return name == "localhost" or name.endswith(".localhost")


#: Loopback hosts, as ``urlsplit`` gives them (``::1``) and as written in a URL (``[::1]``).
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


def is_loopback_host(host: str) -> bool:
    """A loopback host, potentially trustworthy to browsers (no mixed-content block):
    ``localhost``, ``127.0.0.1``, ``::1`` or a ``*.localhost`` name."""
    return host in _LOOPBACK_HOSTS or is_localhost_name(host)


@lru_cache(maxsize=4096)
def origin_of(url: str) -> str:
    """The serialized origin of ``url``; ``"null"`` for schemes without a tuple origin.

    >>> origin_of("HTTPS://API.example.test:443/x?y")
    'https://api.example.test'
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _TUPLE_SCHEMES or not parts.hostname:
        return NULL_ORIGIN
    return f"{scheme}://{_authority(parts)}"


@lru_cache(maxsize=1024)
def serialize_origin(text: str) -> str:
    """The origin a browser sends for what a person typed: an origin or a page's URL
    (``HTTP://LOCALHOST:5173/app/?x#y`` -> ``http://localhost:5173``), read by the URL
    standard's parser (international hosts in punycode, IPv6 compressed, default port
    dropped); ``null`` stays ``null``. Raises ValueError naming what is wrong.
    """
    if text == NULL_ORIGIN:
        return text
    try:
        url = ada_url.URL(text)
    except ValueError:
        try:
            urlsplit(text).port  # noqa: B018 - urlsplit checks the port lazily
        except ValueError:
            raise ValueError(f"bad port in origin {text!r}") from None
        raise ValueError(f"not an origin (scheme://host[:port] or null): {text!r}") from None
    if url.protocol[:-1] not in _TUPLE_SCHEMES or not url.hostname:
        raise ValueError(f"not an origin (scheme://host[:port] or null): {text!r}")
    if url.username or url.password:
        raise ValueError(f"an origin has no user name or password: {text!r}")
    return str(url.origin)


_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")


def spelling_differences(text: str, origin: str) -> list[str]:
    """How ``text`` (an origin or URL as written) differs from the serialized ``origin`` it
    names: some of ``path``, ``trailing slash``, ``query``, ``case``, ``default port``,
    ``host`` (punycode, IPv6 or other host spellings); empty when it is ``origin`` itself."""
    if text == origin:
        return []
    # read as the URL standard does: outer spaces and controls trimmed, tabs and newlines
    # dropped, a backslash a slash
    spelt = _TAB_OR_NEWLINE.sub("", text.strip(_C0_OR_SPACE)).replace("\\", "/")
    try:
        parts = urlsplit(spelt)
    except ValueError:  # brackets urlsplit cannot read
        return ["host"]
    text = spelt
    found = []
    if parts.path not in ("", "/"):
        found.append("path")
    elif parts.path == "/" and not (parts.query or parts.fragment):
        found.append("trailing slash")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        found.append("query")
    host = parts.netloc.rpartition("@")[2]
    if text.partition(":")[0] != parts.scheme or host != host.lower():  # urlsplit lowers it
        found.append("case")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and DEFAULT_PORTS.get(parts.scheme.lower()) == port:
        found.append("default port")
    if not found or (parts.hostname or "") != (urlsplit(origin).hostname or ""):
        found.append("host")
    return found


#: What browsers do, for each way a typed origin differs from the one they send.
_WHY = {
    "path": "never send a path or a trailing slash (a page's origin is its scheme, host and port)",
    "trailing slash": "never send a path or a trailing slash",
    "query": "never send a query or fragment",
    "case": "send the scheme and host in lower case",
    "default port": "drop the default port ({port} for {scheme})",
    "host": "write the host as the URL standard does (punycode for an international name, "
    "IPv6 compressed)",
}


def origin_note(typed: str, sent: str) -> str | None:
    """The note for a typed origin the browser sends differently, or None when it is the same:
    "Origin sent as `http://localhost:5173` (you typed `http://localhost:5173/`): …"."""
    scheme = sent.partition(":")[0]
    reasons = [
        _WHY[d].format(port=DEFAULT_PORTS.get(scheme), scheme=scheme)
        for d in spelling_differences(typed, sent)
    ]
    if not reasons:
        return None
    said = reasons[0] if len(reasons) == 1 else f"{', '.join(reasons[:-1])} and {reasons[-1]}"
    return f"Origin sent as `{sent}` (you typed `{typed}`): browsers {said}."


@lru_cache(maxsize=4096)
def normalize_url(url: str) -> str:
    """``url`` with the scheme and host lower-cased, the default port dropped, ``/`` for an
    empty path, and no fragment: the form a browser shows in its messages."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _TUPLE_SCHEMES or not parts.hostname:
        return url
    netloc = _authority(parts)
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def path_and_query(url: str) -> str:
    """The request target of ``url``: its path (``/`` when empty) and query."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def is_same_origin(a: str, b: str) -> bool:
    """Same origin: equal tuple origins (an opaque origin is same-origin with nothing here)."""
    origin_a, origin_b = origin_of(a), origin_of(b)
    return origin_a != NULL_ORIGIN and origin_a == origin_b
