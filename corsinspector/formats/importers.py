"""Importing requests from other tools: cURL commands, HAR 1.2 captures, Postman v2.1.

Every importer turns its input into collection :class:`~corsinspector.formats.collection.Item`\\ s
whose ``request`` is in the scenario format's request shape. Bad input of any kind raises
:class:`InputError` naming the source and the place (``x.har: log.entries[3].request.url:
missing``); nothing else escapes.

- cURL: "Copy as cURL" from Chrome (bash, with ``$'…'`` strings, or cmd, with ``^"``
  quoting) and Firefox, and hand-written commands; several commands separated by ``;``,
  ``&`` or newlines.
- HAR 1.2: cross-origin requests only (an ``Origin`` different from the URL's origin);
  preflights are folded into the request they precede, as notes.
- Postman v2.1: folders become folders, collection variables are substituted where known.

The page's origin comes from the ``Origin`` header, else from the ``Referer``'s origin,
else it is left as the variable ``{{origin}}`` for an environment to fill.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from corsinspector.engine.safelist import FORBIDDEN_NAMES
from corsinspector.errors import InputError
from corsinspector.formats.collection import Folder, Item, load_collection
from corsinspector.formats.scenario import name_of, parse_json, scenario_from_dict, scenario_to_dict
from corsinspector.origins import origin_of, serialize_origin

__all__ = [
    "detect_format",
    "import_curl",
    "import_file",
    "import_har",
    "import_postman",
]

#: RFC 9110 token: header names and methods.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
#: The variable the user fills when the page's origin is unknown.
_ORIGIN_VARIABLE = "{{origin}}"
#: Headers that the browser sets itself (a page's script cannot): dropped on import. The
#: forbidden names (User-Agent aside: kept when a user typed it), and HTTP/2's priority.
_BROWSER_HEADERS = (FORBIDDEN_NAMES - {"user-agent"}) | {"priority"}


# --- shared -----------------------------------------------------------------------------


def _safe_origin(url: str) -> str | None:
    """The origin of ``url``, or None when it has none (relative, opaque, malformed)."""
    try:
        origin = origin_of(url)
    except ValueError:
        return None
    return None if origin == "null" else origin


def _check_header(name: str, value: str, where: str) -> None:
    if not _TOKEN.match(name):
        raise InputError(where, f"header name {name!r} has characters not allowed in a name")
    if _BAD_VALUE.search(value):
        raise InputError(where, f"header {name} has a CR, LF or NUL in its value")


def _is_browser_header(name: str, *, user_agent: bool) -> bool:
    lower = name.lower()
    return (
        lower in _BROWSER_HEADERS
        or lower.startswith((":", "sec-", "proxy-"))
        or (user_agent and lower == "user-agent")
    )


def _page_origin(headers: list[tuple[str, str]], where: str) -> str:
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
            origin = _safe_origin(value.strip())
            if origin is not None:
                return origin
    return _ORIGIN_VARIABLE


def _item_name(method: str, url: str) -> str:
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    return f"{method} {path or '/'}"


def _request(
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


def _check_method(method: str, where: str) -> str:
    if not _TOKEN.match(method):
        raise InputError(where, f"method {method!r} is not a valid HTTP method token")
    return method


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class _Json:
    """A JSON value with the path that led to it, for errors naming the place."""

    def __init__(self, source: str, value: Any, path: str) -> None:
        self.source = source
        self.value = value
        self.path = path

    def error(self, message: str) -> InputError:
        return InputError(f"{self.source}: {self.path}" if self.path else self.source, message)

    def _sub(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> _Json | None:
        """The member ``key`` (None when absent or null); this must be an object."""
        if not isinstance(self.value, dict):
            raise self.error(f"must be an object, not {_describe(self.value)}")
        if self.value.get(key) is None:
            return None
        return _Json(self.source, self.value[key], self._sub(key))

    def need(self, key: str) -> _Json:
        member = self.get(key)
        if member is None:
            raise _Json(self.source, None, self._sub(key)).error("missing")
        return member

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise self.error(f"must be a string, not {_describe(self.value)}")
        return self.value

    def number(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise self.error(f"must be a number, not {_describe(self.value)}")
        if isinstance(self.value, float) and not self.value.is_integer():
            raise self.error(f"must be a whole number, not {self.value}")
        return int(self.value)

    def items(self) -> Iterator[_Json]:
        if not isinstance(self.value, list):
            raise self.error(f"must be an array, not {_describe(self.value)}")
        for index, value in enumerate(self.value):
            yield _Json(self.source, value, self._sub(index))

    def opt_str(self, key: str, default: str = "") -> str:
        member = self.get(key)
        return default if member is None else member.text()


# --- cURL -------------------------------------------------------------------------------

_ANSI_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_HEX = "0123456789abcdefABCDEF"


def _ansi_c(text: str, start: int, where: str) -> tuple[str, int]:
    """Decode a ``$'…'`` string whose body starts at ``start``; returns it and the index
    after the closing quote."""
    out: list[str] = []
    i = start
    n = len(text)
    while i < n:
        char = text[i]
        if char == "'":
            return "".join(out), i + 1
        if char != "\\" or i + 1 >= n:
            out.append(char)
            i += 1
            continue
        esc = text[i + 1]
        i += 2
        if esc in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[esc])
        elif esc in "xuU":
            limit = {"x": 2, "u": 4, "U": 8}[esc]
            digits = ""
            while len(digits) < limit and i < n and text[i] in _HEX:
                digits += text[i]
                i += 1
            if not digits:
                out.append("\\" + esc)
            else:
                code = int(digits, 16)
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise InputError(where, f"\\{esc}{digits} is not a character")
                out.append(chr(code))
        elif esc in "01234567":
            digits = esc
            while len(digits) < 3 and i < n and text[i] in "01234567":
                digits += text[i]
                i += 1
            out.append(chr(int(digits, 8) & 0xFF))
        elif esc == "c" and i < n:
            out.append(chr(ord(text[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + esc)
    raise InputError(where, "a $'…' string is not closed")


def _bash_commands(text: str, source: str) -> list[list[str]]:
    """Split bash text into commands (``;``, ``&&``-free newlines) of words."""
    commands: list[list[str]] = []
    words: list[str] = []
    word: list[str] = []
    in_word = False
    i = 0
    n = len(text)
    line = 1

    def where() -> str:
        return f"{source}:{line}"

    def end_word() -> None:
        nonlocal word, in_word
        if in_word:
            words.append("".join(word))
        word = []
        in_word = False

    def end_command() -> None:
        nonlocal words
        end_word()
        if words:
            commands.append(words)
        words = []

    while i < n:
        char = text[i]
        if char == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                line += 1
                i += 2
            elif text.startswith("\r\n", i + 1):
                line += 1
                i += 3
            elif i + 1 < n:
                word.append(text[i + 1])
                in_word = True
                i += 2
            else:
                i += 1
        elif char in " \t\r":
            end_word()
            i += 1
        elif char in "\n;":
            if char == "\n":
                line += 1
            end_command()
            i += 1
        elif char == "'":
            close = text.find("'", i + 1)
            if close < 0:
                raise InputError(where(), "a '…' string is not closed")
            chunk = text[i + 1 : close]
            line += chunk.count("\n")
            word.append(chunk)
            in_word = True
            i = close + 1
        elif char == "$" and i + 1 < n and text[i + 1] == "'":
            value, i = _ansi_c(text, i + 2, where())
            word.append(value)
            in_word = True
        elif char == '"':
            i += 1
            while True:
                if i >= n:
                    raise InputError(where(), 'a "…" string is not closed')
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
                    if text[i + 1] != "\n":
                        word.append(text[i + 1])
                    else:
                        line += 1
                    i += 2
                    continue
                if c == "\n":
                    line += 1
                word.append(c)
                i += 1
            in_word = True
        elif char == "#" and not in_word:
            while i < n and text[i] != "\n":
                i += 1
        elif char in "|&<>()`":
            raise InputError(
                where(), f"shell operator {char!r} is not supported: paste curl commands only"
            )
        else:
            word.append(char)
            in_word = True
            i += 1
    end_command()
    return commands


def _cmd_commands(text: str, source: str) -> list[list[str]]:
    """Split Windows cmd text (as Chrome's "Copy as cURL (cmd)" writes it) into commands.

    First cmd.exe's pass: ``^`` escapes the next character (``^`` + newline + newline is
    a newline; ``^`` at a line's end continues it), unescaped ``"`` toggles cmd's quoting,
    an unescaped ``&`` at a line's end or a newline ends a command. Then each command line
    is split into arguments as the Microsoft C runtime does."""
    lines: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "^" and not quoted:
            if i + 1 >= n:
                i += 1
            elif text[i + 1] in "\r\n":
                i += 3 if text.startswith("\r\n", i + 1) else 2
                if i < n and text[i] in "\r\n":
                    current.append("\n")
                    i += 2 if text.startswith("\r\n", i) else 1
            else:
                # An escaped quote does not toggle cmd's quoting; mark it for the runtime.
                current.append("\x00" if text[i + 1] == '"' else text[i + 1])
                i += 2
        elif char == '"':
            quoted = not quoted
            current.append(char)
            i += 1
        elif char in "\r\n":
            quoted = False
            lines.append("".join(current))
            current = []
            i += 1
        elif char == "&" and not quoted and text[i + 1 :].split("\n", 1)[0].strip() in ("", "&"):
            lines.append("".join(current))
            current = []
            i += 1
        else:
            current.append(char)
            i += 1
    lines.append("".join(current))
    commands = []
    for index, line in enumerate(lines):
        words = _msvcrt_split(line.replace("\x00", '"'), f"{source}: command {index + 1}")
        if words:
            commands.append(words)
    return commands


def _msvcrt_split(line: str, where: str) -> list[str]:
    words: list[str] = []
    word: list[str] = []
    in_word = False
    quoted = False
    i = 0
    n = len(line)
    while i < n:
        char = line[i]
        if char == "\\":
            run = 0
            while i < n and line[i] == "\\":
                run += 1
                i += 1
            if i < n and line[i] == '"':
                word.append("\\" * (run // 2))
                if run % 2:
                    word.append('"')
                    i += 1
            else:
                word.append("\\" * run)
            in_word = True
        elif char == '"':
            if quoted and i + 1 < n and line[i + 1] == '"':
                word.append('"')
                i += 2
            else:
                quoted = not quoted
                i += 1
            in_word = True
        elif char in " \t" and not quoted:
            if in_word:
                words.append("".join(word))
            word = []
            in_word = False
            i += 1
        else:
            word.append(char)
            in_word = True
            i += 1
    if quoted:
        raise InputError(where, 'a "…" string is not closed')
    if in_word:
        words.append("".join(word))
    return words


def _looks_like_cmd(text: str) -> bool:
    return '^"' in text or bool(re.search(r" \^\r?\n", text))


#: Options that take a value (long and short names -> canonical name).
_VALUE_OPTIONS = {
    "-X": "request",
    "--request": "request",
    "-H": "header",
    "--header": "header",
    "-d": "data",
    "--data": "data",
    "--data-raw": "data",
    "--data-binary": "data",
    "--data-ascii": "data",
    "--data-urlencode": "data",
    "--json": "json",
    "-F": "form",
    "--form": "form",
    "--form-string": "form",
    "-b": "cookie",
    "--cookie": "cookie",
    "--url": "url",
    "-u": "user",
    "--user": "user",
    "-A": "user-agent",
    "--user-agent": "user-agent",
    "-e": "referer",
    "--referer": "referer",
    "--oauth2-bearer": "bearer",
    "-T": "upload",
    "--upload-file": "upload",
    # Values consumed and ignored.
    "-o": "",
    "--output": "",
    "-x": "",
    "--proxy": "",
    "-U": "",
    "--proxy-user": "",
    "--cert": "",
    "-E": "",
    "--key": "",
    "--cacert": "",
    "--capath": "",
    "-m": "",
    "--max-time": "",
    "--connect-timeout": "",
    "-w": "",
    "--write-out": "",
    "-c": "",
    "--cookie-jar": "",
    "--resolve": "",
    "--connect-to": "",
    "--retry": "",
    "--max-redirs": "",
    "-r": "",
    "--range": "",
    "-z": "",
    "--time-cond": "",
    "-K": "",
    "--config": "",
    "--interface": "",
    "--limit-rate": "",
    "-Y": "",
    "-y": "",
    "-C": "",
    "--continue-at": "",
    "-D": "",
    "--dump-header": "",
    "--trace": "",
    "--trace-ascii": "",
    "--stderr": "",
}
#: Options without a value that matter.
_FLAG_OPTIONS = {"-G": "get", "--get": "get", "-I": "head", "--head": "head"}


def _curl_options(words: list[str], where: str) -> Iterator[tuple[str, str]]:
    """(canonical option, value) pairs; the URL comes as ("url", …)."""
    i = 1
    options_done = False
    while i < len(words):
        word = words[i]
        i += 1
        if options_done or not word.startswith("-") or word == "-":
            yield "url", word
        elif word == "--":
            options_done = True
        elif word.startswith("--"):
            if word in _VALUE_OPTIONS:
                if i >= len(words):
                    raise InputError(where, f"option {word} needs a value")
                yield _VALUE_OPTIONS[word], words[i]
                i += 1
            elif word in _FLAG_OPTIONS:
                yield _FLAG_OPTIONS[word], ""
        else:
            # A cluster of short options: -sSL, -XPUT, -H'x: y'.
            for index in range(1, len(word)):
                short = "-" + word[index]
                if short in _VALUE_OPTIONS:
                    value = word[index + 1 :]
                    if not value:
                        if i >= len(words):
                            raise InputError(where, f"option {short} needs a value")
                        value = words[i]
                        i += 1
                    yield _VALUE_OPTIONS[short], value
                    break
                if short in _FLAG_OPTIONS:
                    yield _FLAG_OPTIONS[short], ""


def _curl_item(words: list[str], where: str) -> Item:
    if not words or not re.fullmatch(r"(?:.*[/\\])?curl(?:\.exe)?", words[0], re.IGNORECASE):
        first = words[0] if words else ""
        raise InputError(where, f"expected a curl command, not {first[:40]!r}")
    method: str | None = None
    urls: list[str] = []
    headers: list[tuple[str, str]] = []
    data: list[str] = []
    notes: list[str] = []
    cookies = False
    get = head = form = False
    upload = False
    for option, value in _curl_options(words, where):
        if option == "url":
            urls.append(value)
        elif option == "request":
            method = _check_method(value, f"{where}: -X")
        elif option == "header":
            at = f"{where}: -H {value[:40]!r}"
            if ":" in value:
                name, _, rest = value.partition(":")
                rest = rest.strip()
                if not rest:
                    continue  # curl's "name:" removes the header
            elif value.rstrip().endswith(";"):
                name, rest = value.rstrip()[:-1], ""
            else:
                raise InputError(at, "a header must be 'name: value'")
            name = name.strip()
            _check_header(name, rest, at)
            headers.append((name, rest))
        elif option in ("data", "json"):
            data.append(value)
            if value.startswith("@"):
                notes.append(f"the body is read from a file ({value}): not imported")
            if option == "json":
                headers.append(("Content-Type", "application/json"))
        elif option == "form":
            form = True
            notes.append(f"form field not imported: {value}")
        elif option == "cookie":
            cookies = True
            if "=" in value:
                _check_header("Cookie", value, f"{where}: -b")
                headers.append(("Cookie", value))
        elif option == "user":
            user = value if ":" in value else value + ":"
            token = base64.b64encode(user.encode("utf-8")).decode("ascii")
            headers.append(("Authorization", f"Basic {token}"))
        elif option == "bearer":
            _check_header("Authorization", value, f"{where}: --oauth2-bearer")
            headers.append(("Authorization", f"Bearer {value}"))
        elif option == "user-agent":
            _check_header("User-Agent", value, f"{where}: -A")
            headers.append(("User-Agent", value))
        elif option == "referer":
            _check_header("Referer", value, f"{where}: -e")
            headers.append(("Referer", value))
        elif option == "upload":
            upload = True
        elif option == "get":
            get = True
        elif option == "head":
            head = True
    if not urls:
        raise InputError(where, "no URL")
    # Chrome escapes curl's globbing characters: \[ \] \{ \} mean the characters.
    url = re.sub(r"\\([\[\]{}])", r"\1", urls[0])
    if len(urls) > 1:
        notes.append(f"only the first URL was imported ({len(urls)} given)")
    if "://" not in url:
        url = "http://" + url
    if _safe_origin(url) is None:
        raise InputError(f"{where}: URL", f"is not an http(s) URL: {url[:80]!r}")
    body: str | None = "&".join(data) if data else None
    if get and body is not None:
        url += ("&" if "?" in url else "?") + body
        body = None
    if method is None:
        if head:
            method = "HEAD"
        elif upload:
            method = "PUT"
        elif body is not None or form:
            method = "POST"
        else:
            method = "GET"
    origin = _page_origin(headers, where)
    credentials = "include" if cookies or any(n.lower() == "cookie" for n, _ in headers) else None
    if any(n.lower() == "cookie" for n, _ in headers):
        notes.append("cookies were sent (credentials: include)")
    # A browser's copy carries headers that the browser sets itself: drop them.
    from_browser = any(n.lower().startswith("sec-") for n, _ in headers)
    kept = [(n, v) for n, v in headers if not _is_browser_header(n, user_agent=from_browser)]
    request = _request(url, method, origin, kept, credentials or "same-origin", body)
    return Item(_item_name(method, url), request, notes="; ".join(notes))


def import_curl(text: str, source: str = "<curl>") -> list[Item]:
    """Items from one or more curl commands (bash or Windows cmd quoting)."""
    text = _strip_bom(text)
    if _looks_like_cmd(text):
        commands = _cmd_commands(text, source)
    else:
        commands = _bash_commands(text, source)
    if not commands:
        raise InputError(source, "no curl command")
    return [
        _curl_item(words, f"{source}: command {index + 1}") for index, words in enumerate(commands)
    ]


# --- HAR --------------------------------------------------------------------------------


def _har_headers(entry: _Json, key: str) -> list[tuple[str, str]]:
    member = entry.get(key)
    if member is None:
        return []
    pairs = []
    for header in member.items():
        name = header.need("name").text()
        value = header.opt_str("value")
        if not name.startswith(":"):
            _check_header(name, value, f"{header.source}: {header.path}")
        pairs.append((name, value))
    return pairs


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _har_response_line(response: _Json | None, label: str) -> str:
    if response is None:
        return f"{label}: none"
    status_json = response.get("status")
    status = status_json.number() if status_json is not None else 0
    parts = [f"{label}: {status}" + (" (blocked or failed)" if status == 0 else "")]
    for name, value in _har_headers(response, "headers"):
        if name.lower().startswith("access-control-"):
            parts.append(f"{name}: {value}")
    return "; ".join(parts)


def _har_body(request: _Json) -> str | None:
    post = request.get("postData")
    if post is None:
        return None
    text = post.get("text")
    if text is not None:
        return text.text()
    params = post.get("params")
    if params is None:
        return None
    fields = []
    for param in params.items():
        fields.append(
            quote_plus(param.need("name").text()) + "=" + quote_plus(param.opt_str("value"))
        )
    return "&".join(fields)


def import_har(text: str, source: str = "<har>") -> list[Item]:
    """The cross-origin requests of a HAR 1.2 capture, preflights folded in as notes."""
    root = _Json(source, parse_json(text, source), "")
    entries = list(root.need("log").need("entries").items())
    pending: list[tuple[str, str, str]] = []  # (url, method, note) of unclaimed preflights
    items: list[Item] = []
    for entry in entries:
        request = entry.need("request")
        where = f"{source}: {request.path}"
        method = _check_method(request.need("method").text(), f"{where}.method")
        url = request.need("url").text()
        url_origin = _safe_origin(url)
        if url_origin is None:
            continue  # data:, blob:, chrome-extension: …
        headers = _har_headers(request, "headers")
        response = entry.get("response")
        acrm = _header(headers, "access-control-request-method")
        if method == "OPTIONS" and acrm is not None:
            pending.append((url, acrm.strip(), _har_response_line(response, "recorded preflight")))
            continue
        origin_header = _header(headers, "origin")
        if origin_header is None or origin_header.strip() == url_origin:
            continue
        origin = _page_origin(headers, where)
        if origin == url_origin:
            continue
        notes = []
        for index, (p_url, p_method, note) in enumerate(pending):
            if p_url == url and p_method.upper() == method.upper():
                notes.append(note)
                del pending[index]
                break
        notes.append(_har_response_line(response, "recorded response"))
        cookies = request.get("cookies")
        sent_cookies = _header(headers, "cookie") is not None or (
            cookies is not None and bool(list(cookies.items()))
        )
        if sent_cookies:
            notes.append("cookies were sent (credentials: include)")
        kept = [(n, v) for n, v in headers if not _is_browser_header(n, user_agent=True)]
        body = _har_body(request)
        item_request = _request(
            url, method, origin, kept, "include" if sent_cookies else "same-origin", body
        )
        items.append(Item(_item_name(method, url), item_request, notes="; ".join(notes)))
    return items


# --- Postman ----------------------------------------------------------------------------

_POSTMAN_VARIABLE = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
_LANGUAGE_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
}
_BOUNDARY = "----CorsInspectorFormBoundary"


def _variables(node: _Json, inherited: dict[str, str]) -> dict[str, str]:
    member = node.get("variable")
    if member is None:
        return inherited
    variables = dict(inherited)
    for variable in member.items():
        if not isinstance(variable.value, dict) or variable.value.get("disabled") is True:
            continue
        key = variable.get("key") or variable.get("id")
        if key is None:
            continue
        value = variable.get("value")
        if value is None:
            variables[key.text()] = ""
        elif isinstance(value.value, str | int | float | bool):
            text = value.value
            variables[key.text()] = (
                ("true" if text else "false") if isinstance(text, bool) else str(text)
            )
    return variables


def _substitute(text: str, variables: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        return variables.get(match.group(1), match.group(0))

    return _POSTMAN_VARIABLE.sub(one, text)


def _postman_url(url: _Json) -> str:
    if isinstance(url.value, str):
        return url.value
    raw = url.get("raw")
    if raw is not None:
        return raw.text()
    protocol = url.opt_str("protocol", "https")
    host_json = url.get("host")
    host = ""
    if host_json is not None:
        host = (
            host_json.text()
            if isinstance(host_json.value, str)
            else ".".join(part.text() for part in host_json.items())
        )
    if not host:
        raise url.error("has neither raw nor host")
    port = url.get("port")
    path_json = url.get("path")
    path = ""
    if path_json is not None:
        path = (
            path_json.text()
            if isinstance(path_json.value, str)
            else "/".join(
                part.text() if isinstance(part.value, str) else part.opt_str("value")
                for part in path_json.items()
            )
        )
    result = f"{protocol}://{host}"
    if port is not None:
        result += f":{port.value}"
    if path:
        result += "/" + path.lstrip("/")
    query = url.get("query")
    if query is not None:
        pairs = []
        for param in query.items():
            if isinstance(param.value, dict) and param.value.get("disabled") is True:
                continue
            pairs.append(f"{param.opt_str('key')}={param.opt_str('value')}")
        if pairs:
            result += "?" + "&".join(pairs)
    return result


def _postman_headers(request: _Json) -> list[tuple[str, str]]:
    member = request.get("header")
    if member is None:
        return []
    pairs: list[tuple[str, str]] = []
    if isinstance(member.value, str):
        for line in member.value.splitlines():
            if line.strip():
                name, _, value = line.partition(":")
                pairs.append((name.strip(), value.strip()))
        return pairs
    for header in member.items():
        if not isinstance(header.value, dict):
            raise header.error(f"must be an object, not {_describe(header.value)}")
        if header.value.get("disabled") is True:
            continue
        pairs.append((header.need("key").text().strip(), header.opt_str("value")))
    return pairs


def _postman_auth(
    auth: _Json | None, inherited: list[tuple[str, str]], variables: dict[str, str]
) -> list[tuple[str, str]]:
    """What an auth block adds: a header (bearer, basic, apikey), or for an apikey sent in
    the query, a parameter, its name marked by a leading ``?`` (no header name has one)."""
    if auth is None:
        return inherited
    kind = auth.opt_str("type")
    if kind == "inherit":
        return inherited
    attributes: dict[str, str] = {}
    member = auth.get(kind) if kind else None
    if member is not None and isinstance(member.value, list):
        for attribute in member.items():
            key = attribute.get("key")
            value = attribute.get("value")
            if key is not None and value is not None and isinstance(value.value, str):
                attributes[key.text()] = value.value
    elif member is not None and isinstance(member.value, dict):  # v2.0: a plain object
        attributes = {k: v for k, v in member.value.items() if isinstance(v, str)}
    if kind == "bearer":
        return [("Authorization", f"Bearer {attributes.get('token', '')}")]
    if kind == "basic":
        user = f"{attributes.get('username', '')}:{attributes.get('password', '')}"
        user = _substitute(user, variables)  # encoded with its values, as Postman sends it
        if "{{" in user:
            return [("Authorization", f"Basic {{{{base64:{user}}}}}")]
        return [("Authorization", "Basic " + base64.b64encode(user.encode()).decode("ascii"))]
    if kind == "apikey":
        mark = "?" if attributes.get("in") == "query" else ""
        return [(mark + attributes.get("key", "X-API-Key"), attributes.get("value", ""))]
    return []


def _postman_body(request: _Json, headers: list[tuple[str, str]]) -> str | None:
    body = request.get("body")
    if body is None or not isinstance(body.value, dict) or body.value.get("disabled") is True:
        return None
    mode = body.opt_str("mode")
    has_type = _header(headers, "content-type") is not None
    if mode == "raw":
        language = ""
        options = body.get("options")
        if options is not None and isinstance(options.value, dict):
            raw_options = options.get("raw")
            if raw_options is not None and isinstance(raw_options.value, dict):
                language = raw_options.opt_str("language")
        if not has_type and language in _LANGUAGE_TYPES:
            headers.append(("Content-Type", _LANGUAGE_TYPES[language]))
        return body.opt_str("raw")
    if mode == "urlencoded":
        fields = []
        for field in body.need("urlencoded").items():
            if isinstance(field.value, dict) and field.value.get("disabled") is True:
                continue
            fields.append(
                quote_plus(field.opt_str("key")) + "=" + quote_plus(field.opt_str("value"))
            )
        if not has_type:
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        return "&".join(fields)
    if mode == "formdata":
        parts = []
        for field in body.need("formdata").items():
            if isinstance(field.value, dict) and field.value.get("disabled") is True:
                continue
            if field.opt_str("type", "text") != "text":
                continue
            parts.append(
                f"--{_BOUNDARY}\r\nContent-Disposition: form-data; "
                f'name="{field.opt_str("key")}"\r\n\r\n{field.opt_str("value")}\r\n'
            )
        if not has_type:
            headers.append(("Content-Type", f"multipart/form-data; boundary={_BOUNDARY}"))
        return "".join(parts) + f"--{_BOUNDARY}--\r\n"
    if mode == "graphql":
        graphql = body.get("graphql")
        if graphql is None:
            return None
        if not has_type:
            headers.append(("Content-Type", "application/json"))
        query = graphql.opt_str("query")
        return json.dumps({"query": query})
    return None


def _postman_item(
    node: _Json, name: str, variables: dict[str, str], auth: list[tuple[str, str]]
) -> Item:
    request = node.need("request")
    where = f"{request.source}: {request.path}"
    if isinstance(request.value, str):
        url_text, method, headers, body = request.value, "GET", [], None
        notes: list[str] = []
    else:
        url_text = _postman_url(request.need("url"))
        method = request.opt_str("method", "GET").upper()
        headers = _postman_headers(request)
        auth = _postman_auth(request.get("auth"), auth, variables)
        query = [(n[1:], v) for n, v in auth if n.startswith("?")]
        if query:
            url_text += ("&" if "?" in url_text else "?") + "&".join(
                quote(_substitute(f"{n}={v}", variables), safe="={}") for n, v in query
            )
        auth = [(n, v) for n, v in auth if not n.startswith("?")]
        if _header(headers, "authorization") is None:
            headers = headers + auth
        body = _postman_body(request, headers)
        notes = []
    events = node.get("event")
    if events is not None and list(events.items()):
        notes.append("scripts not run (kept in Postman only)")
    url = _substitute(url_text, variables).strip()
    if url and "://" not in url and not url.startswith("{{"):
        url = "http://" + url  # as Postman sends it
    method = _check_method(_substitute(method, variables), f"{where}.method")
    headers = [(_substitute(n, variables), _substitute(v, variables)) for n, v in headers]
    for index, (header_name, value) in enumerate(headers):
        _check_header(header_name, value, f"{where}.header[{index}]")
    if body is not None:
        body = _substitute(body, variables)
    origin = _page_origin(headers, where)
    cookies = _header(headers, "cookie") is not None
    if cookies:
        notes.append("cookies were sent (credentials: include)")
    kept = [
        (n, v)
        for n, v in headers
        if n.lower() not in ("origin", "cookie", "host", "content-length")
    ]
    item_request = _request(
        url, method, origin, kept, "include" if cookies else "same-origin", body
    )
    return Item(name or _item_name(method, url), item_request, notes="; ".join(notes))


def import_postman(text: str, source: str = "<postman>") -> list[Folder]:
    """Folders of items from a Postman v2.1 (or v2.0) collection; requests at the top
    level go into a folder named after the collection, nested folders are named by their
    path (``outer/inner``)."""
    root = _Json(source, parse_json(text, source), "")
    info = root.need("info")
    schema = info.opt_str("schema")
    if "v2.1" not in schema and "v2.0" not in schema:
        raise InputError(f"{source}: info.schema", f"must be Postman v2.1.0, not {schema!r}")
    collection_name = info.opt_str("name", name_of(source)) or "Postman"
    variables = _variables(root, {})
    auth = _postman_auth(root.get("auth"), [], variables)
    folders: list[tuple[str, list[Item]]] = [(collection_name, [])]

    # An explicit stack rather than recursion: a deep tree cannot overflow.
    stack: list[tuple[_Json, str, dict[str, str], list[tuple[str, str]], list[Item]]] = []
    top_items = folders[0][1]
    for node in reversed(list(root.need("item").items())):
        stack.append((node, "", variables, auth, top_items))
    while stack:
        node, prefix, scope, node_auth, into = stack.pop()
        name = node.opt_str("name")
        if node.get("item") is not None:
            path = f"{prefix}/{name}" if prefix else name
            scope = _variables(node, scope)
            folder_auth = _postman_auth(node.get("auth"), node_auth, scope)
            own: list[Item] = []
            folders.append((path or "(unnamed)", own))
            for child in reversed(list(node.need("item").items())):
                stack.append((child, path, scope, folder_auth, own))
        else:
            into.append(_postman_item(node, name, _variables(node, scope), node_auth))
    return [Folder(name, tuple(items)) for name, items in folders if items]


# --- detection and files ----------------------------------------------------------------


def detect_format(text: str) -> str:
    """``"curl"``, ``"har"``, ``"postman"``, ``"scenario"`` or ``"collection"``;
    InputError when the text is none of these."""
    stripped = _strip_bom(text).lstrip()
    if stripped.startswith(("{", "[")):
        data = parse_json(stripped, "<input>")
        if isinstance(data, dict):
            fmt = data.get("format")
            if fmt == "cors-scenario/1":
                return "scenario"
            if fmt == "cors-collection/1":
                return "collection"
            log = data.get("log")
            if isinstance(log, dict) and "entries" in log:
                return "har"
            info = data.get("info")
            if isinstance(info, dict) and (
                "postman" in str(info.get("schema", "")) or isinstance(data.get("item"), list)
            ):
                return "postman"
        raise InputError("<input>", "JSON of an unknown kind (not HAR, Postman or ours)")
    for line in stripped.splitlines():
        words = line.strip().split()
        if not words or words[0].startswith("#"):
            continue
        if re.fullmatch(r"(?:.*[/\\])?curl(?:\.exe)?", words[0], re.IGNORECASE):
            return "curl"
        break
    raise InputError("<input>", "not a curl command, HAR, Postman collection or our JSON")


def import_file(path: str | os.PathLike[str]) -> list[Folder]:
    """Read ``path``, detect its format and import it: curl and HAR give one folder named
    after the file, Postman its folders, a scenario one item, a collection its folders."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except OSError as exc:
        raise InputError(source, exc.strerror or str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(source, "is not UTF-8 text") from None
    try:
        kind = detect_format(text)
    except InputError as exc:  # where: "<input>", with the line or field when JSON
        raise InputError(exc.where.replace("<input>", source, 1), exc.message) from None
    if kind == "curl":
        return [Folder(name_of(path), tuple(import_curl(text, source)))]
    if kind == "har":
        return [Folder(name_of(path), tuple(import_har(text, source)))]
    if kind == "postman":
        return import_postman(text, source)
    if kind == "collection":
        return list(load_collection(path).folders)
    scenario = scenario_from_dict(parse_json(text, source), source)
    request = scenario_to_dict(scenario)["request"]
    return [Folder(name_of(path), (Item(scenario.name, request),))]
