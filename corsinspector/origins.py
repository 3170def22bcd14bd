"""Origins and URLs as a browser serializes them: ``scheme://host[:port]``, default ports dropped.

The standard library's ``urllib.parse`` splits URLs well enough for the scenario URLs we
handle (absolute, ASCII hosts); what it does not do (lower-casing the scheme and host,
dropping default ports, the opaque ``null`` origin) is done here.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import SplitResult, urlsplit, urlunsplit

__all__ = [
    "DEFAULT_PORTS",
    "NULL_ORIGIN",
    "is_same_origin",
    "normalize_url",
    "origin_of",
    "parse_origin",
    "path_and_query",
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


def parse_origin(text: str) -> str:
    """Check that ``text`` is a serialized origin or ``null`` and return its canonical form.

    Raises ValueError naming what is wrong.
    """
    if text == NULL_ORIGIN:
        return text
    parts = urlsplit(text)
    if parts.scheme.lower() not in _TUPLE_SCHEMES or not parts.hostname:
        raise ValueError(f"not an origin (scheme://host[:port] or null): {text!r}")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port lazily
    except ValueError as exc:
        raise ValueError(f"bad port in origin {text!r}") from exc
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"an origin has no path, query, fragment or user: {text!r}")
    return origin_of(text)


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
