"""Pasting into the URL bar: a "Copy as cURL" command (bash or cmd), a DevTools "Copy as
fetch" snippet, a Chromium console CORS error line, or a URL without a scheme becomes the
request's fields, with a line saying what was filled.

Every reader here is pure: text in, :class:`Pasted` (or None for text that is none of these,
which pastes as typed) out. The fields are the request editor's: ``url``, ``method``,
``origin``, ``headers`` (name/value pairs), ``credentials``, ``mode``, ``body``; only the
ones the text names are present.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from corsinspector.errors import InputError

__all__ = ["STALE_LINE", "Pasted", "parse_paste", "with_scheme"]

#: What the banner and the status bar say once the request changed after its verdict.
STALE_LINE = "Request changed — Send again (Ctrl+Enter)"

_HEADERS_FROM_BROWSER = ("cookie",)


@dataclass(frozen=True)
class Pasted:
    """The request fields a pasted text gives, and where they came from."""

    #: "a cURL command", "a fetch snippet", "a console error", "a URL".
    source: str
    fields: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the status bar: what was filled, from what."""
        f = self.fields
        parts = []
        if "url" in f:
            parts.append("URL")
        if "method" in f:
            parts.append(f"method {f['method']}")
        if "headers" in f:
            count = len(f["headers"])
            parts.append(f"{count} header{'s' if count != 1 else ''}")
        if f.get("body"):
            parts.append("body")
        if "credentials" in f:
            parts.append(f"credentials {f['credentials']}")
        if "mode" in f:
            parts.append(f"mode {f['mode']}")
        if "origin" in f:
            parts.append(f"Origin {f['origin']}")
        return f"Filled from {self.source}: {', '.join(parts)}"


# --- URLs -------------------------------------------------------------------------------

_LOCAL_NAMES = ("localhost",)
_BARE_URL = re.compile(r"^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?(?:[/?#]\S*)?$")


def _is_local(host: str) -> bool:
    host = host.strip("[]").lower().rstrip(".")
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "0.0.0.0"


def with_scheme(url: str) -> str:
    """``url`` with ``http://`` when it has no scheme and names localhost or a loopback
    address, ``https://`` when it names another host (as API clients do); unchanged
    otherwise."""
    text = url.strip()
    if "://" in text or not _BARE_URL.match(text):
        return text
    host = urlsplit("//" + text).hostname or ""
    if not (_is_local(host) or "." in host):
        return text  # a word, not a host
    return ("http://" if _is_local(host) else "https://") + text


def _bare_url(text: str) -> Pasted | None:
    url = with_scheme(text)
    return None if url == text else Pasted("a URL", {"url": url})


# --- cURL -------------------------------------------------------------------------------


def _curl(text: str) -> Pasted | None:
    if not re.match(r"^\s*curl(?:\.exe)?\s", text, re.IGNORECASE):
        return None
    from corsinspector.formats.curl import import_curl

    try:
        items = import_curl(text, "pasted cURL")
    except InputError:
        return None
    request = items[0].request
    fields: dict[str, Any] = {
        "url": request["url"],
        "method": request.get("method", "GET"),
        "headers": [
            [name, value]
            for name, value in request.get("headers", [])
            if name.lower() not in _HEADERS_FROM_BROWSER
        ],
        "body": request.get("body"),
    }
    if "credentials" in request:
        fields["credentials"] = request["credentials"]
    origin = request.get("origin")
    if isinstance(origin, str) and "{{" not in origin:
        fields["origin"] = origin
    return Pasted("a cURL command", fields)


# --- Copy as fetch ----------------------------------------------------------------------

_FETCH = re.compile(
    r'^\s*(?:await\s+)?fetch\(\s*("(?:[^"\\]|\\.)*")\s*(?:,\s*(\{.*\}))?\s*\)\s*;?\s*$',
    re.DOTALL,
)


def _origin_of_page(url: str) -> str | None:
    from corsinspector.formats.importing import safe_origin

    return safe_origin(url)


def _fetch(text: str) -> Pasted | None:
    match = _FETCH.match(text)
    if match is None:
        return None
    try:
        url = json.loads(match.group(1))
        init = json.loads(match.group(2)) if match.group(2) else {}
    except ValueError:
        return None
    if not isinstance(url, str) or not isinstance(init, dict):
        return None
    from corsinspector.formats.importing import is_browser_header

    headers = init.get("headers") or {}
    if not isinstance(headers, dict):
        return None
    fields: dict[str, Any] = {
        "url": url,
        "method": str(init.get("method") or "GET").upper(),
        "headers": [
            [str(name), str(value)]
            for name, value in headers.items()
            if not is_browser_header(str(name), user_agent=True)
        ],
        "body": init["body"] if isinstance(init.get("body"), str) else None,
    }
    for key in ("credentials", "mode"):
        if isinstance(init.get(key), str):
            fields[key] = init[key]
    # Chrome's "Copy as fetch (Node.js)" has no credentials or referrer: it copies the
    # browser's Cookie and Referer headers instead.
    sent = {str(name).lower(): value for name, value in headers.items()}
    if "credentials" not in fields and "cookie" in sent:
        fields["credentials"] = "include"
    referrer = init.get("referrer", sent.get("referer"))
    if isinstance(referrer, str):
        origin = _origin_of_page(referrer)
        if origin is not None:
            fields["origin"] = origin
    return Pasted("a fetch snippet", fields)


# --- the console line -------------------------------------------------------------------

_CONSOLE = re.compile(
    r"Access to (?:fetch|XMLHttpRequest|script|font|image) at '([^']+)'"
    r"(?: \(redirected from '([^']+)'\))? from origin '([^']+)' has been blocked by CORS policy"
)
_METHOD = re.compile(r"Method (\S+) is not allowed by Access-Control-Allow-Methods")


def _console(text: str) -> Pasted | None:
    match = _CONSOLE.search(text)
    if match is None:
        return None
    at, redirected_from, origin = match.groups()
    fields: dict[str, Any] = {"url": redirected_from or at, "origin": origin}
    method = _METHOD.search(text)
    if method is not None:
        fields["method"] = method.group(1).upper()
    if "the request's credentials mode is 'include'" in text:
        fields["credentials"] = "include"
    return Pasted("a console error", fields)


def parse_paste(text: str) -> Pasted | None:
    """The request fields ``text`` gives, or None when it is plain text (paste it as is)."""
    text = text.removeprefix("\ufeff").strip()
    if not text:
        return None
    for reader in (_curl, _fetch, _console, _bare_url):
        pasted = reader(text)
        if pasted is not None:
            return pasted
    return None
