"""One server stack as one record (:class:`Stack`), and what its renderer reads from a fix
(:class:`Spec`) with the literal helpers the renderers share.

A stack's record holds everything the fix panel says about it: its title, how its comments
start, the snippet renderer and its pitfalls; the registry is :mod:`corsinspector.fixes.stacks`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from corsinspector.engine.checks import ACAO
from corsinspector.model import Fix, Headers, header_values

__all__ = [
    "DUPLICATE_DEFAULT",
    "Spec",
    "Stack",
    "js_list",
    "opt_lines",
    "q",
    "q_args",
    "spec_of",
]

#: The duplicated Allow-Origin pitfall of a stack that is not itself a proxy.
DUPLICATE_DEFAULT = (
    "the proxy and the app both add Access-Control-Allow-Origin: keep one (remove the CORS "
    "headers from the proxy/CDN, or do not use this config behind one that adds them)."
)


@dataclass(frozen=True)
class Spec:
    """What a fix allows, read back from its per-stage headers."""

    origin: str
    methods: tuple[str, ...]
    headers: tuple[str, ...]
    credentials: bool
    max_age: int | None
    expose: tuple[str, ...]
    path: str
    host: str
    method: str
    preflight: Headers
    actual: Headers


@dataclass(frozen=True)
class Stack:
    """One server stack: how its snippet is written and the pitfalls the fix names."""

    #: The name on the command line (``--stack``) and in the fix panel's list.
    name: str
    title: str
    #: The fix's headers as this stack's configuration.
    render: Callable[[Spec], str]
    #: Authentication answering OPTIONS before CORS (a preflight's 401 or missing header).
    auth_first: str
    #: Reflecting any origin with credentials (said whenever credentials are involved).
    reflect: str
    #: How a line comment starts in the snippet.
    comment: str = "#"
    #: A JSON document: no room for comment lines, so no pitfalls in the snippet.
    json: bool = False
    #: Two Allow-Origin values: the proxy and the app both add one.
    duplicate: str = DUPLICATE_DEFAULT
    #: Error responses that lack the headers (said for a missing Allow-Origin).
    on_errors: str = ""
    #: Say ``on_errors`` for every failure (nginx: ``always`` is easy to forget).
    on_errors_always: bool = False
    #: A preflight the stack answers itself, seen live: (the kind it shows as, the pitfall).
    own_preflight: tuple[str, str] | None = None
    #: Pitfalls that depend on what the fix allows (a default method list, CSRF …).
    spec_pitfalls: Callable[[Spec], tuple[str, ...]] = lambda spec: ()


def _split(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item and item not in out:
                out.append(item)
    return tuple(out)


def spec_of(fix: Fix) -> Spec:
    """What ``fix`` allows, read back from its per-stage headers and its snippet."""
    stages = dict(fix.headers)
    preflight = stages.get("preflight", ())
    actual = stages.get("actual", ())
    every = preflight + actual
    origins = header_values(actual, ACAO) or header_values(preflight, ACAO)
    match = re.search(r"On the response to (\S+) (\S+):", fix.snippet)
    method, url = (match.group(1), match.group(2)) if match else ("GET", "")
    parts = urlsplit(url)
    methods = _split([method, *header_values(preflight, "Access-Control-Allow-Methods")])
    max_age = header_values(preflight, "Access-Control-Max-Age")
    return Spec(
        origin=origins[0].strip() if origins else "null",
        methods=methods,
        headers=_split(header_values(preflight, "Access-Control-Allow-Headers")),
        credentials=any(
            v.strip() == "true" for v in header_values(every, "Access-Control-Allow-Credentials")
        ),
        max_age=int(max_age[0]) if max_age and max_age[0].strip().isdigit() else None,
        expose=_split(header_values(every, "Access-Control-Expose-Headers")),
        path=parts.path or "/",
        host=parts.hostname or "api.example.test",
        method=method,
        preflight=preflight,
        actual=actual,
    )


def q(value: str) -> str:
    """A double-quoted string literal (valid in JS, Python, Java, C#, Go, Ruby, JSON)."""
    return json.dumps(value)


def js_list(values: tuple[str, ...]) -> str:
    """``["a", "b"]`` (JS, Python, Ruby and JSON read it alike)."""
    return "[" + ", ".join(q(v) for v in values) + "]"


def q_args(values: tuple[str, ...]) -> str:
    """``"a", "b"``: quoted call arguments."""
    return ", ".join(q(v) for v in values)


def opt_lines(pairs: list[tuple[str, str]], indent: str, sep: str, end: str) -> str:
    """One ``key<sep>value<end>`` line per option."""
    return "\n".join(f"{indent}{key}{sep}{value}{end}" for key, value in pairs)
