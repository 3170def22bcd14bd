"""Parsers for the snippets of the stacks that cannot run here (tree-sitter grammars).

``syntax_errors(stack, snippet)`` returns the snippet's lines that hold a syntax error,
empty when it parses: Java (Spring), C# (ASP.NET Core), Go (rs/cors; the statements are
wrapped in a function body), Ruby (Rails), PHP (Laravel) and JavaScript (Express, Fastify,
Cloudflare Workers, Next.js), Python by ``compile``, S3 and API Gateway by ``json``. The
web servers' configurations (nginx, Apache, Caddy) have no parser here: their proof is
live (tests/fixes/test_stack_proof.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

_GRAMMARS: dict[str, tuple[str, str]] = {
    "spring": ("tree_sitter_java", "language"),
    "aspnet": ("tree_sitter_c_sharp", "language"),
    "go-rs-cors": ("tree_sitter_go", "language"),
    "rails": ("tree_sitter_ruby", "language"),
    "laravel": ("tree_sitter_php", "language_php"),
    "express": ("tree_sitter_javascript", "language"),
    "fastify": ("tree_sitter_javascript", "language"),
    "cloudflare-workers": ("tree_sitter_javascript", "language"),
    "nextjs": ("tree_sitter_javascript", "language"),
}
_WRAP = {"go-rs-cors": ("package main\n\nfunc main() {\n", "\n}\n")}
PARSED = frozenset(_GRAMMARS) | {"fastapi", "flask", "django", "s3", "api-gateway"}


@cache
def _parser(module: str, function: str) -> Any:
    import importlib

    from tree_sitter import Language, Parser

    return Parser(Language(getattr(importlib.import_module(module), function)()))


def _tree_errors(stack: str, snippet: str) -> list[str]:
    before, after = _WRAP.get(stack, ("", ""))
    source = before + snippet + after
    tree = _parser(*_GRAMMARS[stack]).parse(source.encode())
    if not tree.root_node.has_error:
        return []
    lines = source.splitlines()
    bad: list[str] = []
    stack_nodes = [tree.root_node]
    while stack_nodes:
        node = stack_nodes.pop()
        if node.is_error or node.is_missing:
            bad.append(lines[min(node.start_point[0], len(lines) - 1)])
        stack_nodes.extend(node.children)
    return bad or ["(error)"]


def _python_errors(stack: str, snippet: str) -> list[str]:
    try:
        compile(snippet, f"<{stack}>", "exec")
    except SyntaxError as error:
        return [f"{error.lineno}: {error.text}"]
    return []


def _json_errors(stack: str, snippet: str) -> list[str]:
    try:
        json.loads(snippet)
    except json.JSONDecodeError as error:
        return [str(error)]
    return []


def syntax_errors(stack: str, snippet: str) -> list[str]:
    """The lines of ``snippet`` (in ``stack``'s language) that do not parse."""
    check: Callable[[str, str], list[str]]
    if stack in _GRAMMARS:
        check = _tree_errors
    elif stack in {"fastapi", "flask", "django"}:
        check = _python_errors
    elif stack in {"s3", "api-gateway"}:
        check = _json_errors
    else:
        raise ValueError(f"no parser for {stack}")
    return check(stack, snippet)
