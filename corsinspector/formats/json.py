"""The one JSON reader of every input file, the field reader that names the failing field,
and the JSON writer.

:func:`parse_json` turns bytes or text into data (or an :class:`InputError` naming the line);
:class:`Field` walks the data, each problem an InputError naming the file and the dotted
field path (``x.har: log.entries[3].request.url: is missing``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from corsinspector.engine.vocabulary import TOKEN
from corsinspector.errors import InputError
from corsinspector.model import Headers

__all__ = [
    "MAX_JSON_DEPTH",
    "Field",
    "check_header",
    "check_method",
    "dump_json",
    "is_token",
    "name_of",
    "parse_json",
    "read_json_file",
]

#: Deeper than any file of ours nests: deeper JSON is refused before code recurses on it.
MAX_JSON_DEPTH = 100
#: Anchored as it always was here: ``$`` also matches before a final newline.
_BAD_VALUE_CHARS = re.compile(r"[\r\n\x00]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


# --- reading ---------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise InputError("", f"{name} is not a JSON value")


def _crumbs(trail: Any) -> str:
    """The dotted path of a ``(parent_trail, key)`` chain: ``log.entries[3].url``."""
    keys: list[str | int] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else key)
    return path


def _check_text(text: str, source: str, trail: Any) -> None:
    found = _SURROGATE.search(text)
    if found is not None:
        where = f"{source}: {_crumbs(trail)}" if trail is not None else source
        code = f"\\u{ord(found.group()):04x}"
        raise InputError(where, f"holds a lone surrogate ({code}), which is not text")


def _check_tree(data: Any, source: str, surrogates: bool) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and, when ``surrogates``, strings holding a
    lone surrogate (no file or wire can carry one), naming the field."""
    stack: list[tuple[Any, int, Any]] = [(data, 1, None)]
    while stack:
        value, depth, trail = stack.pop()
        if isinstance(value, str):
            _check_text(value, source, trail)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise InputError(
                f"{source}: {_crumbs(trail)}", f"nested more than {MAX_JSON_DEPTH} deep"
            )
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in pairs:
            if surrogates and isinstance(key, str):
                _check_text(key, source, (trail, key))
            if isinstance(child, dict | list) or (surrogates and isinstance(child, str)):
                stack.append((child, depth + 1, (trail, key)))


def parse_json(raw: bytes | str, source: str) -> Any:
    """The one JSON reader of every input file: UTF-8 (a BOM allowed). Anything else is an
    InputError naming ``source`` and the line or field: bad UTF-8 or JSON, NaN, an integer
    longer than Python converts, nesting deeper than MAX_JSON_DEPTH, a lone surrogate."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(source, f"is not UTF-8 text (byte {exc.start})") from None
    else:
        text = raw.removeprefix("\ufeff")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}", f"not valid JSON: {exc.msg}") from None
    except InputError as exc:
        raise InputError(source, f"not valid JSON: {exc.message}") from None
    except RecursionError:
        raise InputError(source, f"nested more than {MAX_JSON_DEPTH} deep") from None
    except ValueError:  # Python's limit on integer digits
        limit = sys.get_int_max_str_digits()
        raise InputError(source, f"holds an integer of more than {limit} digits") from None
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    if surrogates or _too_deep(data):  # the full walk names the field, and costs more
        _check_tree(data, source, surrogates)
    return data


def _too_deep(data: Any) -> bool:
    """Is any container nested deeper than MAX_JSON_DEPTH? (a lean walk, containers only)"""
    stack: list[tuple[Any, int]] = [(data, 1)] if type(data) in (dict, list) else []
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        for child in value.values() if type(value) is dict else value:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
    return False


def name_of(path: str | os.PathLike[str]) -> str:
    """A file's stem as a name to store: bytes the file system could not decode become U+FFFD
    (a name with a lone surrogate cannot be written as UTF-8)."""
    stem = Path(path).stem
    return stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_json_file(path: Path) -> tuple[Any, bytes]:
    """A JSON file parsed by :func:`parse_json`, with its bytes (to fingerprint it)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    return parse_json(raw, str(path)), raw


# --- the field reader ------------------------------------------------------------------


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _kind_name(kind: type) -> str:
    return {dict: "an object", list: "a list", str: "a string", int: "a number"}.get(
        kind, kind.__name__
    )


def is_token(text: str) -> bool:
    """Whether ``text`` is an RFC 9110 token (a method, a header name)."""
    return TOKEN.fullmatch(text) is not None


def check_header(name: str, value: str) -> str | None:
    """What is wrong with a header a script would send (None: nothing)."""
    if not is_token(name):
        return f"header name {name!r} has characters not allowed in a name"
    if _BAD_VALUE_CHARS.search(value):
        return f"header {name} has a CR, LF or NUL in its value"
    return None


def check_method(method: str, where: str) -> str:
    """``method`` when it is an RFC 9110 token; InputError naming ``where`` otherwise."""
    if not is_token(method):
        raise InputError(where, f"method {method!r} is not a valid HTTP method token")
    return method


class Field:
    """A JSON value with the file and the dotted path that led to it, read with types
    checked: each problem is an InputError naming the file and the field."""

    def __init__(self, source: str, value: Any, path: str = "") -> None:
        self.source = source
        self.value = value
        self.path = path

    def _sub(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def error(self, message: str, key: str | None = None) -> InputError:
        """An InputError about this field (or its member ``key``)."""
        where = self.path if key is None else self._sub(key)
        return InputError(f"{self.source}: {where}" if where else self.source, message)

    @property
    def data(self) -> Mapping[str, Any]:
        """The value as an object (InputError when it is not one)."""
        value = self.value
        if type(value) is dict:  # the usual case, without an ABC check's cost
            return value
        if not isinstance(value, Mapping):
            raise self.error(f"must be an object, not {_json_type(value)}")
        return cast(Mapping[str, Any], value)

    def object(self) -> Field:
        """This field, checked to be an object."""
        self.data  # noqa: B018 - raises when not an object
        return self

    # by key, null as absent (the importers' loose reading)

    def get(self, key: str) -> Field | None:
        """The member ``key`` (None when absent or null)."""
        if self.data.get(key) is None:
            return None
        return Field(self.source, self.data[key], self._sub(key))

    def need(self, key: str) -> Field:
        member = self.get(key)
        if member is None:
            raise self.error("is missing", key)
        return member

    def opt_str(self, key: str, default: str = "") -> str:
        member = self.get(key)
        return default if member is None else member.text()

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise self.error(f"must be a string, not {_json_type(self.value)}")
        return self.value

    def number(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise self.error(f"must be a number, not {_json_type(self.value)}")
        if isinstance(self.value, float) and not self.value.is_integer():
            raise self.error(f"must be a whole number, not {self.value}")
        return int(self.value)

    def items(self) -> Iterator[Field]:
        if not isinstance(self.value, list):
            raise self.error(f"must be a list, not {_json_type(self.value)}")
        for index, value in enumerate(self.value):
            yield Field(self.source, value, self._sub(index))

    # by key and type (our own formats' strict reading)

    def child(self, key: str) -> Field:
        return Field(self.source, self.required(key, dict), self._sub(key))

    def required(self, key: str, kind: type) -> Any:
        data = self.data
        if key not in data:
            raise self.error("is missing", key)
        return self._typed(key, data[key], kind)

    def optional(self, key: str, kind: type, default: Any = None) -> Any:
        value = self.data.get(key)
        if value is None:
            return default
        return self._typed(key, value, kind)

    def _typed(self, key: str, value: Any, kind: type) -> Any:
        if kind is int and isinstance(value, bool):
            raise self.error("must be a number, not a boolean", key)
        if not isinstance(value, kind):
            raise self.error(f"must be {_kind_name(kind)}, not {_json_type(value)}", key)
        if isinstance(value, str) and _SURROGATE.search(value):  # a flag's undecodable bytes
            raise self.error("is not UTF-8 text", key)
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value: str = self.optional(key, str, default)
        if value not in choices:
            raise self.error(f"must be one of {', '.join(choices)}, not {value!r}", key)
        return value

    def headers(self, key: str) -> Headers:
        """A list of ``[name, value]`` pairs, each a header a script may send."""
        raw = self.optional(key, list, [])
        pairs: list[tuple[str, str]] = []
        for index, item in enumerate(raw):
            where = f"{key}[{index}]"
            if (
                not isinstance(item, list)
                or len(item) != 2
                or not all(isinstance(x, str) for x in item)
            ):
                raise self.error("must be a [name, value] pair of strings", where)
            name, value = item
            problem = check_header(name, value)
            if problem is not None:
                raise self.error(problem, where)
            if _SURROGATE.search(value):
                raise self.error(f"header {name}'s value is not UTF-8 text", where)
            pairs.append((name, value))
        return tuple(pairs)

    def url(self, key: str, *, required: bool = True) -> str | None:
        value: str | None = self.required(key, str) if required else self.optional(key, str)
        if value is None:
            return None
        try:
            parts = urlsplit(value)
        except ValueError as exc:  # e.g. an unclosed IPv6 bracket
            raise self.error(f"is not a URL ({exc}): {value!r}", key) from None
        if not parts.scheme or (parts.scheme.lower() in ("http", "https") and not parts.hostname):
            raise self.error(f"is not an absolute URL: {value!r}", key)
        try:
            parts.port  # noqa: B018 - urlsplit checks the port lazily
        except ValueError:
            raise self.error(f"has a bad port: {value!r}", key) from None
        return value


# --- writing ---------------------------------------------------------------------------


_PAIR = re.compile(r'\[\n\s+("(?:[^"\\]|\\.)*"),\n\s+("(?:[^"\\]|\\.)*")\n\s+\]')


def dump_json(data: Any) -> str:
    """Pretty JSON with a trailing newline, each ``[name, value]`` pair on one line; key
    order is the caller's (kept stable), so files diff well."""
    return _PAIR.sub(r"[\1, \2]", json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
