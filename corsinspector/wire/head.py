"""The request head as it goes on the wire, and a response head read as leniently as Chromium.

The request bytes are formatted here in one pass, exactly in the order and case of the
request's headers; h11 is told only a *shadow* request (method, ``Connection``, ``Upgrade``),
which is all its state machine needs. A response head h11 refuses is read again as Chromium
reads it and handed to h11 rewritten in its canonical form.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

import h11
import httpx

from corsinspector.engine.vocabulary import TOKEN_PATTERN

if TYPE_CHECKING:
    from corsinspector.wire.connection import Connection

__all__ = ["RequestHead", "chromium_head", "lenient_h11", "shadow_request"]

_END: Final = h11.EndOfMessage()
_NEED_DATA: Final = h11.NEED_DATA
_SHADOW_HOST: Final = (b"Host", b"_")
# Shadow requests by method, Connection and Upgrade values (h11 events are immutable).
_SHADOWS: dict[tuple[bytes, tuple[bytes, ...], tuple[bytes, ...]], h11.Request] = {}
_MAX_SHADOWS: Final = 64


def shadow_request(method: bytes, connection: list[bytes], upgrade: list[bytes]) -> h11.Request:
    """The request h11 is told about: the method and what decides keep-alive and upgrades."""
    key = (method, tuple(connection), tuple(upgrade))
    shadow = _SHADOWS.get(key)
    if shadow is None:
        headers = [_SHADOW_HOST]
        headers += [(b"Connection", value) for value in connection]
        headers += [(b"Upgrade", value) for value in upgrade]
        shadow = h11.Request(method=method, target=b"/", headers=headers)
        if len(_SHADOWS) < _MAX_SHADOWS:
            _SHADOWS[key] = shadow
    return shadow


class RequestHead:
    """A request head formatted for the wire, with what the body framing needs to know."""

    __slots__ = ("chunked", "connection", "content_length", "data", "upgrade")

    def __init__(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        request: httpx.Request,
    ) -> None:
        lines = [b"%s %s HTTP/1.1\r\n" % (method, target)]
        append = lines.append
        content_length: int | None = None
        chunked = False
        connection: list[bytes] = []
        upgrade: list[bytes] = []
        for name, value in headers:
            append(b"%s: %s\r\n" % (name, value))
            # Only four names matter to the framing: look at names of their lengths alone.
            size = len(name)
            if size == 14 or size == 17 or size == 10 or size == 7:
                lower = name.lower()
                if lower == b"content-length":
                    try:
                        content_length = int(value)
                    except ValueError:
                        content_length = -1
                    if content_length < 0:
                        raise httpx.LocalProtocolError(
                            f"bad Content-Length {value!r}", request=request
                        )
                elif lower == b"transfer-encoding":  # chunked when it is the last coding
                    chunked = value.rsplit(b",", 1)[-1].strip().lower() == b"chunked"
                elif lower == b"connection":
                    connection.append(value)
                elif lower == b"upgrade":
                    upgrade.append(value)
        append(b"\r\n")
        data = b"".join(lines)
        lines_count = len(headers) + 2
        if data.count(b"\n") != lines_count or data.count(b"\r") != lines_count or b"\0" in data:
            raise httpx.LocalProtocolError(
                "CR, LF or NUL in the request line or a header", request=request
            )
        self.data = data
        self.content_length = content_length
        self.chunked = chunked
        self.connection = connection
        self.upgrade = upgrade


_HEAD_END = re.compile(rb"\n\r?\n")
_LINE_BREAKS = re.compile(rb"[\r\n]+")
_VERSION = re.compile(rb"(?i)HTTP/(\d)\.(\d)")
_TOKEN = re.compile(TOKEN_PATTERN.encode("ascii"))  # header names are bytes here
_CODE = re.compile(rb" *(\d*) *")
_LWS = b" \t"


def chromium_head(data: bytes) -> tuple[bytes, int] | None:
    """A response head h11 refused, read as Chromium reads it, rewritten in the canonical
    form h11 takes, with where the body starts in ``data``.

    As ``HttpUtil::AssembleRawHeaders``, ``HeadersIterator`` and ``ParseStatusLine`` do (and
    the embedded Chromium 140 showed): "HTTP" in any case; a status line without a reason,
    or with several spaces; lines broken by CR or LF alone; a line starting with whitespace
    continues a header line (else it is dropped); a line without a colon, or whose name is
    not a token, is skipped; whitespace around the name is trimmed. Refused: NUL in the head,
    "HTTP" further than 4 bytes in. Raises ValueError for a head Chromium refuses; None:
    the head is not complete yet.
    """
    start = 0
    while True:  # 1xx interim heads are skipped, as h11 and Chromium do
        if len(data) - start < 9:  # "HTTP/1.1" and a line break, at least
            return None
        # Chromium looks for the status line in the first bytes, whatever precedes it.
        offset = data[start : start + 8].lower().find(b"http")
        if offset < 0:
            raise ValueError("no status line")
        start += offset
        end_match = _HEAD_END.search(data, start)
        if end_match is None:
            return None
        if b"\0" in data[start : end_match.start()]:
            raise ValueError("NUL in the head")
        lines = _LINE_BREAKS.split(data[start : end_match.start()])
        version = _VERSION.match(lines[0])
        if version is None:
            raise ValueError("no HTTP version")
        space = lines[0].find(b" ")
        code, reason = b"", b""
        if space >= 0:
            after = _CODE.match(lines[0], space)
            assert after is not None  # the pattern matches any text
            code, reason = after.group(1), lines[0][after.end() :].rstrip(b" ")
        if not code:
            code = b"200"  # Chromium's default for a status line without a code
        elif len(code) != 3 or code[0] == 0x30:  # h11 frames only 100-999 (Chromium any)
            raise ValueError("a status outside 100-999")
        start = end_match.end()
        if code[0] == 0x31 and code != b"101":
            continue
        # The raw lines joined as AssembleRawHeaders joins them: a continuation goes on
        # the line before when that line has a colon after a non-empty name.
        assembled: list[bytes] = []
        continuable = False
        for line in lines[1:]:
            if not line:
                continue
            if continuable and line[0] in _LWS:
                assembled[-1] += b" " + line.lstrip(_LWS)
                continue
            assembled.append(line)
            colon = line.find(b":")
            continuable = colon > 0 and line[0] not in _LWS
        out = [
            b"HTTP/%s %s %s\r\n"
            % (b"1.1" if version.groups() >= (b"1", b"1") else b"1.0", code, reason)
        ]
        for line in assembled:
            name, colon, value = line.partition(b":")
            if colon and name and name[0] not in _LWS:
                name = name.strip(_LWS)
                if _TOKEN.fullmatch(name) is not None:
                    out.append(b"%s: %s\r\n" % (name, value.strip(_LWS)))
        out.append(b"\r\n")
        return b"".join(out), start


def lenient_h11(
    conn: Connection, data: bytes, shadow: h11.Request, error: h11.RemoteProtocolError, limit: int
) -> Any:
    """Gives ``conn`` a new h11 state fed the head as Chromium reads it, then the rest of
    ``data``, and returns its first event (NEED_DATA while the head is incomplete); raises
    ``error`` when Chromium refuses the head too."""
    try:
        lenient = chromium_head(data)
    except ValueError:
        raise error from None
    if lenient is None:
        return _NEED_DATA
    head, body_start = lenient
    h = conn.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=limit)
    h.send(shadow)
    h.send(_END)
    h.receive_data(head + data[body_start:])
    try:
        return h.next_event()
    except h11.RemoteProtocolError:  # a head Chromium takes but h11 cannot, even rewritten
        raise error from None
