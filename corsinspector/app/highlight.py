"""Syntax spans of a fix snippet, for the fix panel's highlighter (no Qt here).

``spans(stack, line)`` splits one line of a snippet in ``stack``'s language into
``(start, length, kind)`` spans, kind one of ``comment``, ``string``, ``number``,
``keyword``, ``header`` (a CORS header or option name, the part a reader looks for) and
``pitfall`` (the comment lines after "Pitfalls:", which the stack's snippet ends with).
A small regular-expression lexer, not a parser: snippets are short and single-language,
and a grammar library per language (tree-sitter, Pygments) would cost start-up time and
dependencies for colouring alone.
"""

from __future__ import annotations

import re
from functools import cache

from corsinspector.fixes.stacks import comment_mark

__all__ = ["KINDS", "line_spans", "spans"]

KINDS = ("comment", "string", "number", "keyword", "header", "pitfall")

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "js": ("const", "require", "async", "await", "function", "return", "export", "default",
           "new", "if", "null", "true", "false"),
    "python": ("from", "import", "True", "False", "None"),
    "java": ("public", "class", "implements", "void", "return", "new", "true", "false"),
    "go": ("func", "return", "true", "false"),
    "ruby": ("do", "end", "true", "false"),
    "php": ("return", "true", "false"),
    "conf": ("location", "if", "return", "always", "add_header", "proxy_pass", "Header",
             "set", "merge", "RewriteEngine", "RewriteCond", "RewriteRule", "handle",
             "header", "respond", "reverse_proxy", "method"),
}  # fmt: skip
_LANGUAGE = {
    "express": "js", "fastify": "js", "cloudflare-workers": "js", "nextjs": "js",
    "fastapi": "python", "flask": "python", "django": "python",
    "spring": "java", "aspnet": "java", "go-rs-cors": "go", "rails": "ruby",
    "laravel": "php", "nginx": "conf", "apache": "conf", "caddy": "conf",
}  # fmt: skip
_HEADER = (
    r"Access-Control-[A-Za-z-]+|\bVary\b|\b(?:CORS_[A-Z_]+|allow_\w+|expose_\w+|max_age|origin|"
    r"supports_credentials|origins|allowed\w*|exposed\w*|maxAge|credentials|methods|"
    r"Allow\w+|Expose\w+|MaxAge\w*|With\w+|SetPreflightMaxAge|AllowCredentials)\b"
)


@cache
def _lexer(stack: str) -> re.Pattern[str]:
    mark = re.escape(comment_mark(stack))
    keywords = _KEYWORDS.get(_LANGUAGE.get(stack, ""), ())
    keyword = r"\b(?:" + "|".join(keywords) + r")\b" if keywords else r"(?!x)x"
    return re.compile(
        rf"(?P<comment>{mark}.*$)"
        r'|(?P<string>"(?:[^"\\]|\\.)*"?'
        r"|'(?:[^'\\]|\\.)*'?)"
        rf"|(?P<header>{_HEADER})"
        r"|(?P<number>\b\d+\b)"
        rf"|(?P<keyword>{keyword})"
    )


def spans(stack: str, line: str) -> list[tuple[int, int, str]]:
    """The highlighted spans of one snippet ``line`` in ``stack``'s language."""
    if stack in {"s3", "api-gateway"}:
        lexer = _lexer("json")
    elif stack == "generic":
        return _generic(line)
    else:
        lexer = _lexer(stack)
    out: list[tuple[int, int, str]] = []
    for match in lexer.finditer(line):
        kind = match.lastgroup
        if kind is not None:
            out.append((match.start(), match.end() - match.start(), kind))
    return out


def _generic(line: str) -> list[tuple[int, int, str]]:
    """The generic fix is prose with ``Name: value`` header lines."""
    match = re.match(r"^(\s+)([A-Za-z][A-Za-z0-9-]*):", line)
    if match:
        return [(match.start(2), len(match.group(2)), "header")]
    return []


def line_spans(stack: str, line: str, in_pitfalls: bool) -> tuple[list[tuple[int, int, str]], bool]:
    """``spans`` of ``line``, with the comment lines after "Pitfalls:" marked ``pitfall``, and
    and so is the cause a fix names first (the comment lines from "First: …"): notes to read.

    ``in_pitfalls`` says whether an earlier line opened the pitfalls; the second value
    returned says it for the next line.
    """
    stripped = line.strip()
    comment = stack != "generic" and stripped.startswith(comment_mark(stack))
    if comment and (in_pitfalls or stripped.endswith("Pitfalls:")):
        return [(0, len(line), "pitfall")], True
    if comment and stripped[len(comment_mark(stack)) :].lstrip().startswith("First: "):
        return [(0, len(line), "pitfall")], True  # and its wrapped lines after it
    return spans(stack, line), False
