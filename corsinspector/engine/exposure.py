"""Which response headers script may read (``Response.headers``), by response type."""

from __future__ import annotations

from corsinspector.engine.checks import parse_allow_list
from corsinspector.model import Headers

__all__ = ["SAFELISTED_RESPONSE_HEADERS", "exposed_headers", "parse_expose_headers"]

SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
_FORBIDDEN_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})


def parse_expose_headers(headers: Headers) -> frozenset[str] | None:
    """The names ``Access-Control-Expose-Headers`` lists (lower case), Blink's lenient way:
    every line, empty items and spaces skipped; None when an item is not a token (then the
    header exposes nothing)."""
    names: set[str] = set()
    for key, value in headers:
        if key.lower() != "access-control-expose-headers":
            continue
        items = parse_allow_list(value)
        if items is None:
            return None
        names.update(item.lower() for item in items)
    return frozenset(names)


def exposed_headers(headers: Headers, response_type: str, credentials: bool) -> tuple[str, ...]:
    """The header names script can read, lower case and sorted, as ``Headers`` iterates them."""
    if response_type == "opaque":
        return ()
    present = {name.lower() for name, _ in headers} - _FORBIDDEN_RESPONSE_HEADERS
    if response_type != "cors":
        return tuple(sorted(present))
    listed = parse_expose_headers(headers) or frozenset()
    if "*" in listed and not credentials:
        return tuple(sorted(present))
    return tuple(
        sorted(name for name in present if name in SAFELISTED_RESPONSE_HEADERS or name in listed)
    )
