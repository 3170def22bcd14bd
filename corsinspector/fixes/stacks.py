"""The generic fix restated in each server stack's own configuration.

``stack_fix`` turns the exact response headers of a generic :class:`~corsinspector.model.Fix`
into the option names of one server stack (Express ``cors``, FastAPI ``CORSMiddleware``,
nginx ``add_header`` …), with exactly the fix's origin, methods, request headers,
credentials, max-age and exposed headers, followed by the stack's pitfalls that apply to
the failure as short comment lines. Never a blanket ``*`` origin: the fix's exact origin is
always restated. The S3 and API Gateway snippets are pure JSON (their pitfalls are only
available from :func:`stack_pitfalls`); the Python snippets compile.

Each stack is one :class:`~corsinspector.fixes.stack.Stack` record in a family module;
:data:`REGISTRY` lists them in the order the fix panel shows them.
"""

from __future__ import annotations

import textwrap

from corsinspector.engine.kinds import (
    ALLOW_ORIGIN_MISMATCH,
    CLIENT_SIDE_KINDS,
    INVALID_ALLOW_CREDENTIALS,
    MISSING_ALLOW_ORIGIN,
    MULTIPLE_ALLOW_ORIGIN_VALUES,
    PREFLIGHT_ALLOW_ORIGIN_MISMATCH,
    PREFLIGHT_INVALID_ALLOW_CREDENTIALS,
    PREFLIGHT_INVALID_STATUS,
    PREFLIGHT_MISSING_ALLOW_ORIGIN,
    PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES,
    PREFLIGHT_WILDCARD_ORIGIN,
    WILDCARD_ORIGIN,
)
from corsinspector.fixes.generic import CAUSE_WIDTH
from corsinspector.fixes.stack import Stack, spec_of
from corsinspector.fixes.stacks_cloud import API_GATEWAY, S3
from corsinspector.fixes.stacks_node import EXPRESS, FASTIFY, NEXTJS, WORKERS
from corsinspector.fixes.stacks_other import ASPNET, GO_RS_CORS, LARAVEL, RAILS, SPRING
from corsinspector.fixes.stacks_python import DJANGO, FASTAPI, FLASK
from corsinspector.fixes.stacks_servers import APACHE, CADDY, NGINX
from corsinspector.model import Fix

__all__ = [
    "JSON_STACKS",
    "REGISTRY",
    "STACKS",
    "comment_mark",
    "stack_fix",
    "stack_fixes",
    "stack_pitfalls",
]

#: Every stack by name, in the fix panel's order; adding a stack is adding its record here.
REGISTRY: dict[str, Stack] = {
    stack.name: stack
    for stack in (
        EXPRESS,
        FASTIFY,
        FASTAPI,
        FLASK,
        DJANGO,
        NGINX,
        APACHE,
        CADDY,
        SPRING,
        ASPNET,
        GO_RS_CORS,
        RAILS,
        LARAVEL,
        S3,
        API_GATEWAY,
        WORKERS,
        NEXTJS,
    )
}
STACKS: tuple[str, ...] = tuple(REGISTRY)
#: Stacks whose snippet is a JSON document (no room for comment lines).
JSON_STACKS = frozenset(name for name, stack in REGISTRY.items() if stack.json)

# Which failures bring up which pitfall.
_AUTH_FIRST_KINDS = frozenset({PREFLIGHT_INVALID_STATUS, PREFLIGHT_MISSING_ALLOW_ORIGIN})
_MULTIPLE_KINDS = frozenset({MULTIPLE_ALLOW_ORIGIN_VALUES, PREFLIGHT_MULTIPLE_ALLOW_ORIGIN_VALUES})
_MISSING_KINDS = frozenset({MISSING_ALLOW_ORIGIN, PREFLIGHT_MISSING_ALLOW_ORIGIN})
_WILDCARD_KINDS = frozenset(
    {
        WILDCARD_ORIGIN,
        PREFLIGHT_WILDCARD_ORIGIN,
        INVALID_ALLOW_CREDENTIALS,
        PREFLIGHT_INVALID_ALLOW_CREDENTIALS,
        ALLOW_ORIGIN_MISMATCH,
        PREFLIGHT_ALLOW_ORIGIN_MISMATCH,
    }
)


def comment_mark(stack: str) -> str:
    """How a line comment starts in ``stack``'s snippets (``//`` or ``#``)."""
    return REGISTRY[stack].comment


def stack_pitfalls(stack: str, fix: Fix, error_kind: str) -> tuple[str, ...]:
    """The pitfalls of ``stack`` that apply to ``error_kind`` (and to this fix), as sentences."""
    record = REGISTRY[stack]
    spec = spec_of(fix) if fix.headers else None
    out: list[str] = []
    if fix.mistake is not None:
        # the server spelt the right origin wrongly: say so, and how it must be listed
        out.append(
            f"{fix.mistake}. List the origin exactly as above: no trailing slash or path, "
            "lower case, no default port."
        )
    if error_kind in _AUTH_FIRST_KINDS:
        out.append(record.auth_first)
    if error_kind in _MULTIPLE_KINDS:
        out.append(record.duplicate)
    if record.on_errors and (
        record.on_errors_always or error_kind in _MISSING_KINDS | _AUTH_FIRST_KINDS
    ):
        out.append(record.on_errors)
    if (spec is not None and spec.credentials) or error_kind in _WILDCARD_KINDS:
        out.append(record.reflect)
    if record.own_preflight is not None and error_kind == record.own_preflight[0]:
        out.append(record.own_preflight[1])
    if spec is not None:
        out += record.spec_pitfalls(spec)
    return tuple(out)


def _commented(stack: Stack, lines: list[str]) -> str:
    return "\n".join(f"{stack.comment} {line}".rstrip() for line in lines)


def stack_fix(stack: str, fix: Fix, error_kind: str) -> Fix:
    """The generic ``fix`` restated in ``stack``'s own configuration (see the module doc)."""
    record = REGISTRY.get(stack)
    if record is None:
        raise ValueError(f"unknown server stack {stack!r}; known: {', '.join(STACKS)}")
    name = record.title
    if not fix.headers or fix.redirect is not None:
        lines = fix.snippet.splitlines()
        client_side = error_kind in CLIENT_SIDE_KINDS or (not fix.headers and fix.redirect is None)
        if client_side:
            lines.append(f"No server change in {name} can help: change the page or network.")
        else:
            lines.append(f"In {name}: change the redirect as above, then add the CORS headers.")
        lines += stack_pitfalls(stack, fix, error_kind)
        return Fix(
            stack, f"{name}: {fix.title}", _commented(record, lines), fix.headers, fix.redirect
        )
    snippet = record.render(spec_of(fix))
    if fix.cause is not None and not record.json:
        # the cause first: CORS options alone do not undo a redirect, an auth-first or an error
        first = textwrap.wrap(f"First: {fix.cause}", CAUSE_WIDTH, subsequent_indent="  ")
        snippet = _commented(record, first) + "\n" + snippet
    if not record.json:
        pitfalls = stack_pitfalls(stack, fix, error_kind)
        if pitfalls:
            snippet += "\n" + _commented(record, ["Pitfalls:", *pitfalls])
    return Fix(stack, f"{name}: {fix.title}", snippet, fix.headers, fix.redirect)


def stack_fixes(fix: Fix, error_kind: str) -> tuple[Fix, ...]:
    """``fix`` restated for every stack, in :data:`STACKS` order."""
    return tuple(stack_fix(stack, fix, error_kind) for stack in STACKS)
