"""Which request headers the browser adds itself, and which of them say nothing about CORS.
Light on purpose (no imports): the window's exchange view reads them before its first paint."""

from __future__ import annotations

__all__ = ["BROWSER_ADDED", "CORS_REQUEST_HEADERS", "MUTED", "is_muted"]

#: Request headers the browser adds that say nothing about CORS: shown muted. The CORS
#: ones (``Origin``, ``Access-Control-Request-*``) are the point and are never muted.
MUTED = frozenset(
    {
        "host",
        "connection",
        "user-agent",
        "accept-encoding",
        "accept-language",
        "referer",
        "sec-fetch-site",
        "sec-fetch-mode",
        "sec-fetch-dest",
        "sec-fetch-storage-access",
        "sec-ch-ua",
        "sec-ch-ua-mobile",
        "sec-ch-ua-platform",
        "content-length",
        "cache-control",
        "pragma",
        "priority",
    }
)

#: The CORS request headers the browser adds: what asked, never muted.
CORS_REQUEST_HEADERS = frozenset(
    {"origin", "access-control-request-method", "access-control-request-headers"}
)
#: Every request header the browser adds itself (the script set none of these).
BROWSER_ADDED = MUTED | CORS_REQUEST_HEADERS


def is_muted(name: str) -> bool:
    """Whether a request header is plumbing the browser adds (Host, Connection …)."""
    return name.lower() in MUTED
