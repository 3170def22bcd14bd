"""The ``Range`` request header as Chromium reads it (``net::HttpUtil::ParseRangeHeader``):
safelisted when it is one simple range; a single valid range is re-sent by the HTTP cache in
canonical form."""

from __future__ import annotations

import re
from collections.abc import Iterable

from corsinspector.engine.vocabulary import ASCII_LOWER
from corsinspector.model import Headers

__all__ = ["cache_range", "canonical_range", "parse_ranges", "range_problem", "range_sent_last"]

_LWS = " \t"
_INT64 = re.compile(r"[+-]?[0-9]+")
_INT64_MAX = 2**63 - 1
#: Conditional headers: with any of them the HTTP cache leaves a Range header alone.
_CONDITIONAL_NAMES = frozenset(
    {"if-modified-since", "if-none-match", "if-unmodified-since", "if-match", "if-range"}
)


def _parse_int64(text: str) -> int | None:
    if not _INT64.fullmatch(text):
        return None
    number = int(text)
    return number if -_INT64_MAX - 1 <= number <= _INT64_MAX else None


def parse_ranges(value: str) -> list[tuple[int, int]] | None:
    """``net::HttpUtil::ParseRangeHeader``: (first, last) pairs, -1 for "not given"; first -1
    with last N is a suffix range of N bytes. None when the value does not parse. ``value``
    is already ASCII-lower-cased (the unit is case-insensitive; nothing else holds letters)."""
    unit, equals, spec = value.partition("=")
    if not equals or unit.strip(_LWS) != "bytes":
        return None
    ranges: list[tuple[int, int]] = []
    for raw in spec.split(","):
        item = raw.strip(_LWS)
        if not item:
            continue
        first_text, minus, last_text = item.partition("-")
        if not minus:
            return None
        first_text = first_text.strip(_LWS)
        last_text = last_text.strip(_LWS)
        first = last = -1
        if first_text:
            parsed = _parse_int64(first_text)
            if parsed is None:
                return None
            first = parsed
        if last_text:
            parsed = _parse_int64(last_text)
            if parsed is None:
                return None
            last = parsed
        elif first_text == "":
            return None
        if first_text == "":  # a suffix range: valid when its length is positive
            if last <= 0:
                return None
        elif first < 0 or (last != -1 and last < first):
            return None
        ranges.append((first, last))
    return ranges or None


def canonical_range(value: str) -> str | None:
    """The value the HTTP cache sends for a single valid range, or None (left untouched)."""
    ranges = parse_ranges(value)
    if ranges is None or len(ranges) != 1:
        return None
    first, last = ranges[0]
    if first == -1:
        return f"bytes=-{last}"
    return f"bytes={first}-" if last == -1 else f"bytes={first}-{last}"


def range_problem(value: str, lower_value: str) -> str | None:
    """Why a ``Range`` value is not CORS-safelisted, or None when it is one simple range."""
    if any(c in lower_value for c in " \t,"):
        return f"value {value!r} contains whitespace or a comma"
    ranges = parse_ranges(lower_value)
    if ranges is None:
        return f"value {value!r} is not a valid byte range"
    if len(ranges) != 1:
        return f"value {value!r} holds more than one range"
    if ranges[0][0] == -1:
        return f"value {value!r} is a suffix range, which is not safelisted"
    return None


def cache_range(method: str, lower_names: Iterable[str], value: str) -> str | None:
    """The canonical range the HTTP cache re-sends for a GET without conditional headers."""
    if method != "GET" or not _CONDITIONAL_NAMES.isdisjoint(lower_names):
        return None
    return canonical_range(value.translate(ASCII_LOWER))


def range_sent_last(method: str, headers: Headers) -> bool:
    """Does the HTTP cache send this request's ``Range`` last, after every other header?"""
    values = [value for name, value in headers if name.translate(ASCII_LOWER) == "range"]
    names = [name.translate(ASCII_LOWER) for name, _ in headers]
    return bool(values) and cache_range(method, names, ", ".join(values)) is not None
