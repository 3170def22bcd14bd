"""What the importers (cURL, HAR, Postman) share: each turns its input into collection
:class:`~corsinspector.formats.collection.Item`\\ s whose ``request`` is in the scenario
format's request shape, the page's origin taken from the ``Origin`` header, else from the
``Referer``'s origin, else left as the variable ``{{origin}}`` for an environment to fill."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from corsinspector.engine.safelist import FORBIDDEN_NAMES
from corsinspector.errors import InputError
from corsinspector.formats.json import check_header
from corsinspector.origins import origin_of, serialize_origin

__all__ = [
    "BROWSER_HEADERS",
    "ORIGIN_VARIABLE",
    "check_header_at",
    "first_header",
    "is_browser_header",
    "item_name",
    "page_origin",
    "request_shape",
    "safe_origin",
]

#: The variable the user fills when the page's origin is unknown.
ORIGIN_VARIABLE = "{{origin}}"
#: Headers that the browser sets itself (a page's script cannot): dropped on import. The
#: forbidden names (User-Agent aside: kept when a user typed it), and HTTP/2's priority.
BROWSER_HEADERS = (FORBIDDEN_NAMES - {"user-agent"}) | {"priority"}


def safe_origin(url: str) -> str | None:
    """The origin of ``url``, or None when it has none (relative, opaque, malformed)."""
    try:
        origin = origin_of(url)
    except ValueError:
        return None
    return None if origin == "null" else origin


def check_header_at(name: str, value: str, where: str) -> None:
    """InputError naming ``where`` when a script could not send this header."""
    problem = check_header(name, value)
    if problem is not None:
        raise InputError(where, problem)


def is_browser_header(name: str, *, user_agent: bool) -> bool:
    lower = name.lower()
    return (
        lower in BROWSER_HEADERS
        or lower.startswith((":", "sec-", "proxy-"))
        or (user_agent and lower == "user-agent")
    )


def page_origin(headers: list[tuple[str, str]], where: str) -> str:
    """The page's origin: the Origin header's, else the Referer's, else ``{{origin}}``."""
    for name, value in headers:
        if name.lower() == "origin":
            if "{{" in value:
                return value
            try:
                return serialize_origin(value.strip())
            except ValueError as exc:
                raise InputError(where, f"Origin header: {exc}") from None
    for name, value in headers:
        if name.lower() == "referer":
            origin = safe_origin(value.strip())
            if origin is not None:
                return origin
    return ORIGIN_VARIABLE


def item_name(method: str, url: str) -> str:
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    return f"{method} {path or '/'}"


def request_shape(
    url: str,
    method: str,
    origin: str,
    headers: list[tuple[str, str]],
    credentials: str,
    body: str | None,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "url": url,
        "method": method,
        "origin": origin,
        "headers": [[name, value] for name, value in headers],
        "credentials": credentials,
        "mode": "cors",
    }
    if body is not None:
        request["body"] = body
    return request


def first_header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None
