"""HTTP's and Fetch's small shared vocabulary, defined once: the RFC 9110 token, the methods
``fetch()`` refuses, safelists and normalizes, the header names it forbids, and ASCII-only
case mapping."""

from __future__ import annotations

import re

__all__ = [
    "ASCII_LOWER",
    "ASCII_UPPER",
    "FORBIDDEN_METHODS",
    "SAFELISTED_METHODS",
    "SPEC_FORBIDDEN_NAMES",
    "TOKEN",
    "TOKEN_PATTERN",
    "is_safelisted_method",
    "normalize_method",
]

#: An RFC 9110 token (a method, a header name): one or more tchars.
TOKEN_PATTERN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
#: :data:`TOKEN_PATTERN` compiled; use ``fullmatch``.
TOKEN = re.compile(TOKEN_PATTERN)

#: Methods ``fetch()`` refuses outright (byte-case-insensitive).
FORBIDDEN_METHODS: frozenset[str] = frozenset({"CONNECT", "TRACE", "TRACK"})
#: CORS-safelisted methods: no preflight needed for these.
SAFELISTED_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "POST"})
#: The spec's forbidden request-header names: every browser drops them silently when script
#: sets them (a browser profile's ``extra_forbidden_names`` adds its own).
SPEC_FORBIDDEN_NAMES = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
#: Methods ``fetch()`` upper-cases; every other method keeps the script's case.
_NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})

#: ``str.translate`` tables that change the case of ASCII letters only (as Chromium does).
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def normalize_method(method: str) -> str:
    """``fetch()``'s normalization: DELETE, GET, HEAD, OPTIONS, POST, PUT upper-cased."""
    upper = method.translate(ASCII_UPPER)
    return upper if upper in _NORMALIZED_METHODS else method


def is_safelisted_method(method: str) -> bool:
    """GET, HEAD or POST (Chromium compares after ASCII upper-casing)."""
    return method.translate(ASCII_UPPER) in SAFELISTED_METHODS
