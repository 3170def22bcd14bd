"""Exports: an exchange's request as a cURL command (bash quoting); recorded exchanges as
HAR 1.2; and the redaction of secret values from either."""

from __future__ import annotations

import base64
import binascii
import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from corsinspector.model import Exchange, Headers, SentRequest, Verdict, header_values

__all__ = ["MIN_SECRET_LENGTH", "Redactor", "curl_command", "har_log"]

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


def _har_headers(headers: Headers) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def _har_entry(exchange: Exchange, started: str) -> dict[str, Any]:
    request = exchange.request
    parts = urlsplit(request.url)
    query = [{"name": k, "value": v} for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    har_request: dict[str, Any] = {
        "method": request.method,
        "url": request.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _har_headers(request.headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": len(request.body.encode()) if request.body is not None else 0,
    }
    if request.body is not None:
        types = header_values(request.headers, "Content-Type")
        har_request["postData"] = {"mimeType": types[0] if types else "", "text": request.body}
    response = exchange.response
    timings = response.timings if response is not None else None
    total = timings.done if timings is not None and timings.done is not None else 0.0
    har_response: dict[str, Any] = {
        "status": response.status if response is not None else 0,
        "statusText": (response.reason or "") if response is not None else "",
        "httpVersion": (response.http_version or "HTTP/1.1") if response is not None else "",
        "cookies": [],
        "headers": _har_headers(response.headers) if response is not None else [],
        "content": {
            "size": (response.body_size or 0) if response is not None else 0,
            "mimeType": next(iter(header_values(response.headers, "Content-Type")), "")
            if response is not None
            else "",
            "text": (response.body or "") if response is not None else "",
        },
        "redirectURL": next(iter(header_values(response.headers, "Location")), "")
        if response is not None
        else "",
        "headersSize": -1,
        "bodySize": (response.body_size or -1) if response is not None else -1,
    }
    if exchange.network_error is not None:
        har_response["_error"] = exchange.network_error.code
    return {
        "startedDateTime": started,
        "time": total,
        "request": har_request,
        "response": har_response,
        "cache": {},
        "timings": {"send": 0, "wait": total, "receive": 0},
        "serverIPAddress": (response.remote_address or "").rsplit(":", 1)[0]
        if response is not None
        else "",
    }


def har_log(
    recorded: list[tuple[str, Verdict]], *, creator_version: str = "0.1.0"
) -> dict[str, Any]:
    """HAR 1.2 of the recorded exchanges (opens in a browser's network panel): one page per
    item, every exchange an entry, preflights included."""
    started = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    pages = []
    entries = []
    for index, (name, verdict) in enumerate(recorded):
        page = f"page_{index + 1}"
        pages.append({"startedDateTime": started, "id": page, "title": name, "pageTimings": {}})
        for exchange in verdict.exchanges:
            entry = _har_entry(exchange, started)
            entry["pageref"] = page
            entries.append(entry)
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "CORS Inspector", "version": creator_version},
            "pages": pages,
            "entries": entries,
        }
    }


# --- redaction ----------------------------------------------------------------------------

#: Secrets shorter than this are redacted only where they stand alone (a whole value, a
#: parameter, a word): matched inside other text, a value like ``1`` would mangle it.
MIN_SECRET_LENGTH = 8
#: What may stand on either side of a short secret for it to count as standing alone.
_SEPARATORS = "\\s\"'=&;,:?"
#: Decoded base64 that may be shown as is inside any text (no quotes, brackets, controls).
_PLAIN = re.compile(r"[A-Za-z0-9 !#$%&()*+,./:;=?@^_`|~-]*")
_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}")
_LINE_SPACE = str.maketrans("\t\r\n", "   ")
#: The shortest base64 core searched for: shorter ones turn up by chance.
_MIN_CORE = 8
#: Base64 tokens (standard and URL-safe alphabets), padded or not.
_BASE64_TOKENS = (
    re.compile(r"[A-Za-z0-9+/]{4,}={0,2}"),
    re.compile(r"[A-Za-z0-9_-]{4,}={0,2}"),
)


def _percent_tolerant(value: str) -> str:
    """A pattern matching ``value`` with any of its characters percent-encoded (either hex
    case) and a space also as ``+``: every form a URL or form encoder gives it."""
    parts = []
    for char in value:
        encoded = "".join(
            "%" + "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in f"{byte:02X}")
            for byte in char.encode("utf-8")
        )
        extra = "|\\+" if char == " " else ""
        parts.append(f"(?:{re.escape(char)}|{encoded}{extra})")
    return "".join(parts)


def _base64_cores(value: str) -> list[str]:
    """The part of the base64 of ``value`` that is the same wherever the value sits in a
    longer encoded text (at each of the three byte alignments), in both alphabets."""
    raw = value.encode("utf-8")
    cores = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        end = len(encoded) - (4 if (offset + len(raw)) % 3 else 0)
        core = encoded[4 if offset else 0 : end]
        if len(core) >= _MIN_CORE:
            cores += [core, core.translate(str.maketrans("+/", "-_"))]
    return cores


def _base64_text(token: str) -> str | None:
    """``token`` decoded as base64 (either alphabet, padding optional) when that gives
    UTF-8 text without control characters (bar tab and line ends), else None: a word that
    merely looks like base64 decodes to bytes, not text."""
    bare = token.rstrip("=")
    if len(bare) % 4 == 1:
        return None
    padded = bare + "=" * (-len(bare) % 4)
    altchars = b"-_" if ("-" in bare or "_" in bare) else None
    try:
        text = base64.b64decode(padded, altchars=altchars, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return text if text.translate(_LINE_SPACE).isprintable() else None


def _base64_like(token: str, text: str) -> str:
    """``text`` encoded as ``token`` was: the same alphabet, padded only if it was."""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    if "-" in token or "_" in token:
        encoded = encoded.translate(str.maketrans("+/", "-_"))
    return encoded if token.endswith("=") else encoded.rstrip("=")


class Redactor:
    """Puts ``{{name}}`` in place of every occurrence of each secret value, in the forms a
    value takes in an exchange: as is, percent-encoded (any mix of ``%XX``, ``+`` for a
    space), JSON-escaped, and inside a base64 token (``Basic base64(user:secret)``, a JWT
    segment): shown decoded as ``{{base64:user:{{name}}}}`` when its text is plain, else
    encoded again with the placeholder inside.

    A secret of fewer than :data:`MIN_SECRET_LENGTH` characters is replaced only where it
    stands alone (between separators: whitespace, quotes, ``= & ; , : ?``) and where a
    collection template put it (``templated``: a whole value as sent -> the same value
    with its secrets as placeholders)."""

    def __init__(
        self, secrets: Mapping[str, str], templated: Mapping[str, str] | None = None
    ) -> None:
        named = sorted(
            ((n, v) for n, v in secrets.items() if v), key=lambda nv: (-len(nv[1]), nv[0])
        )
        #: The names of the secrets too short to be redacted inside other text.
        self.short = sorted(n for n, v in named if len(v) < MIN_SECRET_LENGTH)
        self._templated = dict(templated or {})
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        self._cores: list[tuple[str, list[str]]] = []
        for name, value in named:
            forms = {_percent_tolerant(value)}
            for ascii_only in (False, True):
                escaped = json.dumps(value, ensure_ascii=ascii_only)[1:-1]
                if escaped != value:
                    forms.add(re.escape(escaped))
            pattern = "|".join(sorted(forms, key=len, reverse=True))
            if len(value) < MIN_SECRET_LENGTH:
                pattern = f"(?<![^{_SEPARATORS}])(?:{pattern})(?![^{_SEPARATORS}])"
            else:
                self._cores.append((name, _base64_cores(value)))
            self._patterns.append((re.compile(pattern), "{{" + name + "}}"))

    def _plain(self, text: str) -> str:
        for pattern, placeholder in self._patterns:
            text = pattern.sub(placeholder, text)
        return text

    def _token(self, match: re.Match[str]) -> str:
        token = match.group(0)
        decoded = _base64_text(token)
        if decoded is not None:
            redacted = self._plain(decoded)
            if redacted != decoded:
                # Shown decoded when that cannot break the text around it (a JSON body);
                # else encoded again, the placeholder inside (a JWT stays a JWT).
                if _PLAIN.fullmatch(_PLACEHOLDER.sub("", redacted)):
                    return "{{base64:" + redacted + "}}"
                return _base64_like(token, redacted)
        for name, cores in self._cores:
            if any(core in token for core in cores):
                return "{{" + name + "}}"
        return token

    def text(self, text: str) -> str:
        """``text`` with every secret, in every form above, as its placeholder."""
        if not self._patterns:
            return text
        text = self._plain(self._templated.get(text, text))
        for tokens in _BASE64_TOKENS:
            text = tokens.sub(self._token, text)
        return text

    def data(self, value: Any) -> Any:
        """Every string inside ``value`` (JSON-like: dicts, lists) redacted; keys are kept."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value

    def request(self, request: SentRequest) -> SentRequest:
        """``request`` with its URL, header values and body redacted."""
        return replace(
            request,
            url=self.text(request.url),
            headers=tuple((name, self.text(value)) for name, value in request.headers),
            body=None if request.body is None else self.text(request.body),
        )
