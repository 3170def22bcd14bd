"""Most-recent-first lists: the origins the window offers first."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DEFAULT_ORIGINS", "RECENT_LIMIT", "offered_origins", "remember"]

#: What the Origin field offers before anything was sent; ``null`` is always offered last.
DEFAULT_ORIGINS = ("https://app.example.test", "http://localhost:3000")
RECENT_LIMIT = 10
_NULL = "null"


def remember(recent: Iterable[str], item: str, limit: int = RECENT_LIMIT) -> list[str]:
    """``recent`` with ``item`` moved (or added) to the front, at most ``limit`` long."""
    item = item.strip()
    rest = [entry for entry in recent if entry and entry != item]
    return ([item] if item else []) + rest[: limit - 1 if item else limit]


def offered_origins(recent: Iterable[str]) -> list[str]:
    """What the Origin combo lists: the recent origins, then the defaults not among them,
    then ``null`` (the opaque origin of sandboxed frames and ``file:`` pages), once."""
    out: list[str] = []
    for origin in (*recent, *DEFAULT_ORIGINS):
        if origin and origin != _NULL and origin not in out:
            out.append(origin)
    return [*out, _NULL]
