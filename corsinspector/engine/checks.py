"""The CORS check and the preflight check, in Chromium's order.

Each check returns None when it passes, or the :class:`Problem` Chromium reports: its
``CorsError`` kind, the failed parameter DevTools shows, and the culprit header.
Header values are read as Chromium reads them: each line trimmed of spaces and tabs, the
lines of one name joined with ``", "`` (two ``Access-Control-Allow-Origin`` lines are one
value with a comma in it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import ada_url

from corsinspector.engine.kinds import (
    ALLOW_ORIGIN_MISMATCH,
    HEADER_DISALLOWED,
    INVALID_ALLOW_CREDENTIALS,
    INVALID_ALLOW_HEADERS,
    INVALID_ALLOW_METHODS,
    INVALID_ALLOW_ORIGIN_VALUE,
    METHOD_DISALLOWED,
    MISSING_ALLOW_ORIGIN,
    MULTIPLE_ALLOW_ORIGIN_VALUES,
    PREFLIGHT,
    PREFLIGHT_DISALLOWED_REDIRECT,
    PREFLIGHT_INVALID_STATUS,
    WILDCARD_ORIGIN,
)
from corsinspector.engine.profiles import DEFAULT_PROFILE, Profile
from corsinspector.engine.vocabulary import SAFELISTED_METHODS, TOKEN
from corsinspector.model import Headers

__all__ = [
    "ACAC",
    "ACAH",
    "ACAM",
    "ACAO",
    "Problem",
    "check_access",
    "check_preflight",
    "devtools_text",
    "first_disallowed_header",
    "is_method_allowed",
    "is_ok_status",
    "is_redirect",
    "is_redirect_status",
    "joined_value",
    "parse_allow_list",
]

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_FORBIDDEN_HOST_CHARS = frozenset("#%/:<>?@[\\]^|")


def devtools_text(value: str) -> str:
    """A header value as the DevTools protocol reports it: the bytes read as UTF-8, so a lone
    Latin-1 byte such as a no-break space is lost."""
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value
    return raw.decode("utf-8", errors="ignore")


@dataclass(frozen=True)
class Problem:
    """A failed check: Chromium's kind, its failed parameter, and the culprit header."""

    kind: str
    failed_parameter: str = ""
    header: str | None = None
    #: The value the UI shows as offending (None when the header is missing).
    value: str | None = None


def joined_value(headers: Headers, name: str, *, skip_empty: bool = False) -> str | None:
    """All lines of ``name`` trimmed and joined with ``", "``; None when absent.
    ``skip_empty``: empty lines are left out of the join (Firefox's header merging)."""
    wanted = name.lower()
    values = [value.strip(" \t") for key, value in headers if key.lower() == wanted]
    if skip_empty and len(values) > 1:
        values = [value for value in values if value] or [""]
    return ", ".join(values) if values else None


def is_redirect_status(status: int) -> bool:
    """301, 302, 303, 307 or 308."""
    return status in _REDIRECT_STATUSES


def is_redirect(status: int, headers: Headers) -> bool:
    """A redirect as Chromium's network stack sees one: 301/302/303/307/308 with a
    non-empty ``Location``."""
    return status in _REDIRECT_STATUSES and bool(joined_value(headers, "Location"))


def is_ok_status(status: int) -> bool:
    return 200 <= status <= 299


def _parses_as_url(value: str) -> bool:
    """Roughly GURL's validity for an absolute URL with a host (or a non-special scheme)."""
    try:
        parts = urlsplit(value)
    except ValueError:  # brackets urlsplit cannot read (a backslash ends the host for GURL)
        return ada_url.check_url(value)
    scheme = parts.scheme.lower()
    if not scheme or not re.fullmatch(r"[a-z][a-z0-9+.\-]*", scheme):
        return False
    if scheme in ("http", "https", "ws", "wss", "ftp"):
        try:
            host, _ = parts.hostname, parts.port
        except ValueError:
            return False
        if not host or host.startswith("["):
            return bool(host)
        # The URL standard's forbidden host code points, and anything IDNA maps to them
        # (U+00A0 becomes a space): GURL refuses such a host.
        return not any(c.isspace() or ord(c) < 0x20 or c in _FORBIDDEN_HOST_CHARS for c in host)
    return True


def check_access(
    headers: Headers,
    origin: str,
    credentials: bool,
    profile: Profile = DEFAULT_PROFILE,
    *,
    preflight: bool = False,
) -> Problem | None:
    """The CORS check of a response against the request's serialized ``origin``, as
    ``profile``'s browser makes it.

    ``credentials``: the request's credentials mode is ``include``. On a preflight the kinds
    carry the ``Preflight`` prefix.
    """
    prefix = PREFLIGHT if preflight else ""
    allow_origin = joined_value(headers, ACAO)
    if allow_origin == "*":
        if credentials:
            return Problem(prefix + WILDCARD_ORIGIN, "", ACAO, "*")
    elif allow_origin is None:
        return Problem(prefix + MISSING_ALLOW_ORIGIN, "", ACAO, None)
    elif allow_origin != origin:
        if " " in allow_origin or "," in allow_origin:
            kind = MULTIPLE_ALLOW_ORIGIN_VALUES
        elif allow_origin != "null" and not _parses_as_url(allow_origin):
            kind = INVALID_ALLOW_ORIGIN_VALUE
        else:
            kind = ALLOW_ORIGIN_MISMATCH
        return Problem(prefix + kind, allow_origin, ACAO, allow_origin)
    if credentials:
        allow_credentials = joined_value(headers, ACAC, skip_empty=profile.merge_skips_empty)
        if allow_credentials != "true":
            value = allow_credentials or ""
            return Problem(prefix + INVALID_ALLOW_CREDENTIALS, value, ACAC, allow_credentials)
    return None


def parse_allow_list(value: str | None) -> list[str] | None:
    """An ``Access-Control-Allow-Methods``/``-Headers`` list as Chromium parses it: split on
    commas, items trimmed, empty items skipped; None when an item is not a token."""
    if value is None:
        return []
    items = []
    for raw in value.split(","):
        item = raw.strip(" \t")
        if not item:
            continue
        if not TOKEN.fullmatch(item):
            return None
        items.append(item)
    return items


def is_method_allowed(method: str, allowed: list[str], credentials: bool) -> bool:
    """A safelisted method, one listed (case-sensitively), or ``*`` without credentials."""
    return method in SAFELISTED_METHODS or method in allowed or ("*" in allowed and not credentials)


def first_disallowed_header(
    names: Iterable[str], allowed: list[str], credentials: bool
) -> str | None:
    """The first of ``names`` (lower case) that ``allowed`` does not cover, or None."""
    allowed_lower = {item.lower() for item in allowed}
    wildcard = "*" in allowed_lower and not credentials
    for name in names:
        if not wildcard and name not in allowed_lower:
            return name
    return None


def check_preflight(
    status: int,
    headers: Headers,
    profile: Profile = DEFAULT_PROFILE,
    *,
    origin: str,
    credentials: bool,
    method: str,
    header_names: Iterable[str],
) -> Problem | None:
    """The preflight response's checks, in Chromium's order.

    ``method`` is the actual request's method as sent, ``header_names`` its CORS-unsafe
    header names (lower case) in the order Chromium checks them.
    """
    if is_redirect(status, headers):
        return Problem(
            PREFLIGHT_DISALLOWED_REDIRECT, "", "Location", joined_value(headers, "Location")
        )
    problem = check_access(headers, origin, credentials, profile, preflight=True)
    if problem is not None:
        return problem
    if not is_ok_status(status):
        return Problem(PREFLIGHT_INVALID_STATUS, "", None, str(status))
    methods = parse_allow_list(joined_value(headers, ACAM))
    if methods is None:
        return Problem(INVALID_ALLOW_METHODS, "", ACAM, joined_value(headers, ACAM))
    allowed_headers = parse_allow_list(joined_value(headers, ACAH))
    if allowed_headers is None:
        return Problem(INVALID_ALLOW_HEADERS, "", ACAH, joined_value(headers, ACAH))
    if not is_method_allowed(method, methods, credentials):
        return Problem(METHOD_DISALLOWED, method, ACAM, method)
    missing = first_disallowed_header(header_names, allowed_headers, credentials)
    if missing is not None:
        return Problem(HEADER_DISALLOWED, missing, ACAH, missing)
    return None
