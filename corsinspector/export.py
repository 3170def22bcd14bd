"""Exports: an exchange's request as a cURL command (bash quoting)."""

from __future__ import annotations

import shlex

from corsinspector.model import SentRequest

__all__ = ["curl_command"]

#: Headers curl writes itself from the command (or that describe the connection).
_CURL_OWN = frozenset({"host", "content-length", "connection"})


def curl_command(request: SentRequest) -> str:
    """``request`` as one ``curl`` command line a bash user can paste and run."""
    parts = ["curl"]
    if request.method == "HEAD":
        parts.append("--head")
    elif request.method != "GET" and not (request.method == "POST" and request.body is not None):
        parts += ["-X", shlex.quote(request.method)]
    parts.append(shlex.quote(request.url))
    for name, value in request.headers:
        if name.lower() not in _CURL_OWN:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body is not None:
        parts += ["--data-raw", shlex.quote(request.body)]
    return " ".join(parts)
