"""cURL: commands in ("Copy as cURL" from Chrome, bash or cmd quoting, and Firefox, and
hand-written ones; several separated by ``;``, ``&`` or newlines), a request out as one
command line a bash user can paste."""

from __future__ import annotations

import base64
import re
import shlex
from collections.abc import Iterator

from corsinspector.errors import InputError
from corsinspector.formats.collection import Item
from corsinspector.formats.importing import (
    check_header_at,
    is_browser_header,
    item_name,
    page_origin,
    request_shape,
    safe_origin,
)
from corsinspector.formats.json import check_method
from corsinspector.formats.shell import bash_commands, cmd_commands, looks_like_cmd
from corsinspector.model import SentRequest

__all__ = ["curl_command", "import_curl"]

# --- in --------------------------------------------------------------------------------

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
            method = check_method(value, f"{where}: -X")
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
            check_header_at(name, rest, at)
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
                check_header_at("Cookie", value, f"{where}: -b")
                headers.append(("Cookie", value))
        elif option == "user":
            user = value if ":" in value else value + ":"
            token = base64.b64encode(user.encode("utf-8")).decode("ascii")
            headers.append(("Authorization", f"Basic {token}"))
        elif option == "bearer":
            check_header_at("Authorization", value, f"{where}: --oauth2-bearer")
            headers.append(("Authorization", f"Bearer {value}"))
        elif option == "user-agent":
            check_header_at("User-Agent", value, f"{where}: -A")
            headers.append(("User-Agent", value))
        elif option == "referer":
            check_header_at("Referer", value, f"{where}: -e")
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
    if safe_origin(url) is None:
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
    origin = page_origin(headers, where)
    credentials = "include" if cookies or any(n.lower() == "cookie" for n, _ in headers) else None
    if any(n.lower() == "cookie" for n, _ in headers):
        notes.append("cookies were sent (credentials: include)")
    # A browser's copy carries headers that the browser sets itself: drop them.
    from_browser = any(n.lower().startswith("sec-") for n, _ in headers)
    kept = [(n, v) for n, v in headers if not is_browser_header(n, user_agent=from_browser)]
    request = request_shape(url, method, origin, kept, credentials or "same-origin", body)
    return Item(item_name(method, url), request, notes="; ".join(notes))


def import_curl(text: str, source: str = "<curl>") -> list[Item]:
    """Items from one or more curl commands (bash or Windows cmd quoting)."""
    text = text.removeprefix("\ufeff")
    split = cmd_commands if looks_like_cmd(text) else bash_commands
    commands = split(text, source)
    if not commands:
        raise InputError(source, "no curl command")
    return [
        _curl_item(words, f"{source}: command {index + 1}") for index, words in enumerate(commands)
    ]


# --- out -------------------------------------------------------------------------------

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
