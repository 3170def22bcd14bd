"""What ``fetch()`` does to a request before it leaves Chromium, and whether it needs a preflight.

The rules follow Chromium 140 as recorded in the golden corpus; where another browser differs
(Chrome 156, Firefox, WebKit), a field of its :class:`~corsinspector.engine.profiles.Profile`
says how. Chromium differs from the Fetch Standard in several places:

- **Duplicates are combined first.** Blink joins repeated names with ``", "`` before the network
  service judges the header, so the 128-byte limit and the value rules apply to the combined
  value (two ``Content-Type: text/plain`` become ``text/plain, text/plain``: not safelisted).
- **Extra safelisted names.** ``DPR``, ``Device-Memory``, ``Downlink`` (``1*DIGIT ["." 1*DIGIT]``),
  ``Width``, ``Viewport-Width``, ``RTT`` (``1*DIGIT``), ``ECT`` (``slow-2g``/``2g``/``3g``/``4g``),
  ``Save-Data`` (``on``) and ``Intervention`` need no preflight in Chromium.
- **Content-Type** is judged on the part before the first ``;`` only (``text/plain;x=1, a/b`` is
  safelisted); whitespace around the ``/`` is not allowed (``text / plain`` is not).
- **Range** accepts the unit in any case (``Bytes=0-1``) and leading zeros, but no whitespace,
  comma, suffix range or integer overflow. On the wire a simple GET range is rewritten by the HTTP
  cache to its canonical form (``bytes=00-01`` is sent as ``bytes=0-1``) and sent last.
- **User-Agent** is a forbidden name (the spec lets script set it).
- **The 1024-byte total** counts the ``Accept: */*`` that Chromium adds when script set none.
- **Order.** Blink keeps request headers in a hash map whose iteration order is the order on
  the wire and of the ``Access-Control-Allow-Headers`` check (see
  :mod:`~corsinspector.engine.blinkmap`).

Pure: no I/O. Everything costly is computed once per header name and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from corsinspector.engine.blinkmap import map_order
from corsinspector.engine.profiles import CHROMIUM_140, DEFAULT_PROFILE, Profile
from corsinspector.engine.ranges import cache_range, range_problem
from corsinspector.engine.vocabulary import (
    ASCII_LOWER,
    ASCII_UPPER,
    FORBIDDEN_METHODS,
    SPEC_FORBIDDEN_NAMES,
    TOKEN,
    is_safelisted_method,
    normalize_method,
)
from corsinspector.model import Headers, Mode, Request
from corsinspector.origins import normalize_url

__all__ = [
    "FORBIDDEN_NAMES",
    "HeaderCheck",
    "PreparedRequest",
    "classify_header",
    "prepare_request",
]

Status = Literal["safelisted", "unsafe", "forbidden", "dropped-no-cors"]

_HTTP_WHITESPACE = " \t\r\n"
_LWS = " \t"
_INVALID_VALUE = re.compile(r"[\x00\r\n]")
_NON_LATIN1 = re.compile(r"[^\x00-\xff]")
#: https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte
_UNSAFE_BYTE = re.compile(r'[\x00-\x08\x0a-\x1f"():<>?@\[\\\]{}\x7f]')
#: The same, plus the bytes 0x80-0xFF (Firefox reads them as negative chars, below 0x20).
_UNSAFE_OR_HIGH_BYTE = re.compile(r'[\x00-\x08\x0a-\x1f"():<>?@\[\\\]{}\x7f-\xff]')
_LANGUAGE_BAD = re.compile(r"[^0-9A-Za-z *,\-.;=]")
_DOUBLE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_INTEGER = re.compile(r"[0-9]+")
_ECT_VALUES = frozenset({"slow-2g", "2g", "3g", "4g"})
_SAFE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_PER_VALUE_LIMIT = 128
_TOTAL_LIMIT = 1024
_DEFAULT_ACCEPT = "*/*"
_DEFAULT_CONTENT_TYPE = "text/plain;charset=UTF-8"

#: Chromium's (``net::HttpUtil``) list: what the watch and the importer leave out.
FORBIDDEN_NAMES = SPEC_FORBIDDEN_NAMES | CHROMIUM_140.extra_forbidden_names
_METHOD_OVERRIDE_NAMES = frozenset({"x-http-method", "x-http-method-override", "x-method-override"})
_NO_CORS_NAMES = frozenset({"accept", "accept-language", "content-language", "content-type"})
#: Names the spec safelists; the rest of ``_SAFE_NAMES`` is Chromium's own addition.
_SPEC_NAMES = frozenset({*_NO_CORS_NAMES, "range"})
_SAFE_NAMES = frozenset(
    {
        *_SPEC_NAMES,
        "intervention",
        "device-memory",
        "dpr",
        "downlink",
        "width",
        "viewport-width",
        "rtt",
        "ect",
        "save-data",
    }
)

_FETCH_ERROR = "TypeError: Failed to execute 'fetch' on 'Window': "


@dataclass(frozen=True)
class HeaderCheck:
    """What Chromium does with one header the script wrote."""

    #: As the script wrote it.
    name: str
    value: str
    status: Status
    #: One plain sentence.
    reason: str


@dataclass(frozen=True)
class PreparedRequest:
    """A request after ``fetch()`` has normalized it, as Chromium sends and judges it."""

    #: After normalization (``put`` becomes ``PUT``; ``patch`` stays ``patch``).
    method: str
    #: The script's headers as sent on the actual request, in wire order.
    headers: Headers
    #: One per header the script wrote, in the script's order.
    checks: tuple[HeaderCheck, ...]
    #: Chromium's ``Access-Control-Request-Headers`` list: lower-case, sorted, unique.
    unsafe_names: tuple[str, ...]
    #: The order in which Chromium checks ``unsafe_names`` against the preflight's
    #: ``Access-Control-Allow-Headers`` (it reports the first one missing).
    acah_check_order: tuple[str, ...]
    #: Why a preflight is needed (cross-origin ``cors`` mode); empty when none is.
    reasons: tuple[str, ...]
    #: The TypeError script sees when ``fetch()`` rejects before sending, else None.
    error: str | None

    @property
    def needs_preflight(self) -> bool:
        """A cross-origin ``cors`` request needs one: unsafe method or unsafe headers.

        ``reasons`` is filled exactly when this holds (``cors`` mode, no error).
        """
        return bool(self.reasons)


# --- single headers ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Verdict:
    ok: bool
    #: A phrase that follows the header's name ("is not a CORS-safelisted header name").
    why: str
    #: What ``why`` is about: the name, the value (the preflight reason then reads
    #: ``header content-type: …``), or the 1024-byte total.
    about: Literal["name", "value", "total"] = "value"


def _lower(text: str) -> str:
    return text.translate(ASCII_LOWER)


def _normalize_value(value: str) -> str:
    return value.strip(_HTTP_WHITESPACE)


def _show_char(char: str) -> str:
    return f"{char!r} (0x{ord(char):02x})"


def _forbidden_why(lower: str, value: str, profile: Profile) -> str | None:
    """Why ``net::HttpUtil::IsSafeHeader`` refuses this header, or None when it does not."""
    if lower.startswith("proxy-"):
        return "starts with Proxy-, a forbidden prefix"
    if lower.startswith("sec-"):
        return "starts with Sec-, a forbidden prefix"
    if lower in SPEC_FORBIDDEN_NAMES or lower in profile.extra_forbidden_names:
        return "is a forbidden header name"
    if lower in _METHOD_OVERRIDE_NAMES:
        for item in value.split(","):
            method = item.strip(_LWS).translate(ASCII_UPPER)
            if method in FORBIDDEN_METHODS:
                return f"names the forbidden method {method}"
    return None


def _mime_essence(lower_value: str, profile: Profile) -> str | None:
    """``net::ExtractMimeTypeFromMediaType`` without commas: ``type/subtype`` or None
    (Firefox reads a comma-separated list, and the last type in it wins)."""
    if profile.content_type_last_of_list:
        lower_value = lower_value.rsplit(",", 1)[-1]
    head = lower_value.split(";", 1)[0]
    parts = head.split("/")
    if len(parts) != 2:
        return None
    kind = parts[0].lstrip(" \t\n\v\f\r")
    sub = parts[1].rstrip(" \t\n\v\f\r")
    if not TOKEN.fullmatch(kind) or not TOKEN.fullmatch(sub):
        return None
    return f"{kind}/{sub}"


def _judge_range(value: str, profile: Profile) -> _Verdict:
    lower_value = _lower(value)
    if not profile.range_unit_any_case and value[:6] != lower_value[:6]:
        return _Verdict(False, f"value {value!r} has its unit not in lower case (bytes)")
    problem = range_problem(value, lower_value)
    if problem is not None:
        return _Verdict(False, problem)
    return _Verdict(True, "is a simple range, CORS-safelisted", about="name")


@lru_cache(maxsize=4096)
def _judge(lower: str, value: str, profile: Profile) -> _Verdict:
    """``network::cors::IsCorsSafelistedHeader`` for a (combined, trimmed) value."""
    if lower not in (_SAFE_NAMES if profile.client_hints_safelisted else _SPEC_NAMES):
        return _Verdict(False, "is not a CORS-safelisted header name", about="name")
    size = len(value)  # Latin-1: one byte per character
    if size > _PER_VALUE_LIMIT:
        return _Verdict(False, f"value is {size} bytes, over the 128-byte limit")
    extra = "" if lower in _SPEC_NAMES else " in Chromium (the spec would preflight it)"
    ok = _Verdict(True, f"is CORS-safelisted{extra}", about="name")
    unsafe_byte = _UNSAFE_OR_HIGH_BYTE if profile.high_bytes_unsafe else _UNSAFE_BYTE
    if lower == "accept":
        bad = unsafe_byte.search(value)
        if bad:
            return _Verdict(False, f"value contains the CORS-unsafe byte {_show_char(bad[0])}")
        return ok
    if lower in ("accept-language", "content-language"):
        bad = _LANGUAGE_BAD.search(value)
        if bad:
            return _Verdict(
                False, f"value contains {_show_char(bad[0])}, not allowed in a language value"
            )
        return ok
    if lower == "content-type":
        lower_value = _lower(value)
        bad = unsafe_byte.search(lower_value)
        if bad:
            return _Verdict(False, f"value contains the CORS-unsafe byte {_show_char(bad[0])}")
        essence = _mime_essence(lower_value, profile)
        if essence is None:
            return _Verdict(False, f"value {value!r} is not a valid MIME type")
        if essence not in _SAFE_CONTENT_TYPES:
            return _Verdict(False, f"{essence} is not one of the three safelisted types")
        return ok
    if lower == "range":
        return _judge_range(value, profile)
    if lower in ("device-memory", "dpr", "downlink"):
        if not _DOUBLE.fullmatch(value):
            return _Verdict(False, f"value {value!r} is not a number like 1 or 1.5")
        return ok
    if lower in ("width", "viewport-width", "rtt"):
        if not _INTEGER.fullmatch(value):
            return _Verdict(False, f"value {value!r} is not a whole number")
        return ok
    if lower == "ect":
        if value not in _ECT_VALUES:
            return _Verdict(False, f"value {value!r} is not one of slow-2g, 2g, 3g, 4g")
        return ok
    if lower == "save-data":
        if _lower(value) != "on":
            return _Verdict(False, f"value {value!r} is not 'on'")
        return ok
    return ok  # intervention: any value up to 128 bytes


def _no_cors_ok(lower: str, value: str, profile: Profile) -> bool:
    return lower in _NO_CORS_NAMES and _judge(lower, value, profile).ok


def classify_header(
    name: str, value: str, mode: Mode = "cors", profile: Profile = DEFAULT_PROFILE
) -> HeaderCheck:
    """Judge one header on its own (no combining with repeats, no 1024-byte total)."""
    lower = _lower(name)
    normalized = _normalize_value(value)
    forbidden = _forbidden_why(lower, value, profile)
    if forbidden is not None:
        return HeaderCheck(
            name, value, "forbidden", f"{name} {forbidden}: the browser drops it silently"
        )
    if mode == "no-cors" and not _no_cors_ok(lower, normalized, profile):
        reason = _no_cors_reason(name, lower, normalized, profile)
        return HeaderCheck(name, value, "dropped-no-cors", reason)
    verdict = _judge(lower, normalized, profile)
    return HeaderCheck(
        name, value, "safelisted" if verdict.ok else "unsafe", f"{name} {verdict.why}"
    )


def _no_cors_reason(name: str, lower: str, value: str, profile: Profile) -> str:
    if lower not in _NO_CORS_NAMES:
        return f"{name} is not allowed in no-cors mode: the browser drops it silently"
    return f"{name} {_judge(lower, value, profile).why}, so no-cors mode drops it silently"


# --- whole requests ----------------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    """One name in the request's header list (repeats combined)."""

    name: str  # the first spelling the script used
    lower: str
    values: list[str]
    script_indices: list[int]

    @property
    def combined(self) -> str:
        return _normalize_value(", ".join(self.values))


def _prefetch_error(request: Request, method: str) -> str | None:
    """The TypeError ``fetch()`` throws before sending, in Blink's order."""
    for name, value in request.headers:
        if _NON_LATIN1.search(name) or _NON_LATIN1.search(value):
            return (
                f"{_FETCH_ERROR}Failed to read the 'headers' property from 'RequestInit': "
                "String contains non ISO-8859-1 code point."
            )
    url = urlsplit(request.url) if "@" in request.url else None  # urlsplit costs, "@" is rare
    if url is not None and (url.username or url.password):
        return (
            f"{_FETCH_ERROR}Request cannot be constructed from a URL that includes "
            f"credentials: {normalize_url(request.url)}"
        )
    if not TOKEN.fullmatch(request.method):
        return f"{_FETCH_ERROR}'{request.method}' is not a valid HTTP method."
    if request.method.translate(ASCII_UPPER) in FORBIDDEN_METHODS:
        return f"{_FETCH_ERROR}'{request.method}' HTTP method is unsupported."
    if request.mode == "no-cors" and not is_safelisted_method(method):
        return f"{_FETCH_ERROR}'{method}' is unsupported in no-cors mode."
    for name, value in request.headers:
        if not TOKEN.fullmatch(name):
            return f"{_FETCH_ERROR}Invalid name"
        if _INVALID_VALUE.search(_normalize_value(value)):
            return f"{_FETCH_ERROR}Invalid value"
    if request.body is not None and method in ("GET", "HEAD"):
        return f"{_FETCH_ERROR}Request with GET/HEAD method cannot have body."
    return None


def _fill_headers(
    request: Request, profile: Profile
) -> tuple[dict[str, _Entry], list[HeaderCheck | None]]:
    """``Headers`` filled as the Request constructor does: forbidden names dropped, the
    no-cors guard applied append by append, repeats kept under the first spelling."""
    entries: dict[str, _Entry] = {}
    checks: list[HeaderCheck | None] = []
    no_cors = request.mode == "no-cors"
    for index, (name, value) in enumerate(request.headers):
        lower = _lower(name)
        normalized = _normalize_value(value)
        forbidden = _forbidden_why(lower, value, profile)
        if forbidden is not None:
            reason = f"{name} {forbidden}: the browser drops it silently"
            checks.append(HeaderCheck(name, value, "forbidden", reason))
            continue
        entry = entries.get(lower)
        if no_cors:
            temporary = normalized if entry is None else f"{', '.join(entry.values)}, {normalized}"
            if not _no_cors_ok(lower, temporary, profile):
                reason = _no_cors_reason(name, lower, temporary, profile)
                if entry is not None and lower in _NO_CORS_NAMES:
                    reason = (
                        f"{name} would make the combined value {temporary!r} unsafe, "
                        "so no-cors mode drops it silently"
                    )
                checks.append(HeaderCheck(name, value, "dropped-no-cors", reason))
                continue
        if entry is None:
            entries[lower] = _Entry(name, lower, [normalized], [index])
        else:
            entry.values.append(normalized)
            entry.script_indices.append(index)
        checks.append(None)  # judged once the whole list is known
    return entries, checks


def _range_rewrite(method: str, entries: dict[str, _Entry]) -> str | None:
    """The HTTP cache re-sends a single valid GET range last, in canonical form."""
    entry = entries.get("range")
    return None if entry is None else cache_range(method, entries.keys(), entry.combined)


def prepare_request(request: Request, profile: Profile = DEFAULT_PROFILE) -> PreparedRequest:
    """Normalize ``request`` as ``fetch()`` and Chromium do, and say what the CORS check sees."""
    method = normalize_method(request.method)
    error = _prefetch_error(request, method)
    if error is not None:
        checks = tuple(classify_header(n, v, request.mode, profile) for n, v in request.headers)
        return PreparedRequest(method, (), checks, (), (), (), error)

    entries, pending = _fill_headers(request, profile)
    if request.body is not None and "content-type" not in entries:
        entries["content-type"] = _Entry(
            "Content-Type", "content-type", [_DEFAULT_CONTENT_TYPE], []
        )

    # Blink's FetchHeaderList is sorted by name; its entries fill the hash map in that order.
    ordered = sorted(entries.values(), key=lambda e: e.lower)
    wire = [ordered[i] for i in map_order(tuple(e.lower for e in ordered))]
    values = {e.lower: e.combined for e in wire}

    # The network service's view: the map's entries (each value on its own where the browser
    # judges them so), then Accept: */* if script set none (where the browser counts it).
    if profile.combines_repeats:
        net = [(e.lower, values[e.lower]) for e in wire]
    else:
        net = [(e.lower, value) for e in wire for value in e.values]
    if "accept" not in values and profile.counts_default_accept:
        net.append(("accept", _DEFAULT_ACCEPT))
    unsafe: list[str] = []
    safe: list[str] = []
    total = 0
    verdicts: dict[str, _Verdict] = {}
    for lower, value in net:
        verdict = _judge(lower, value, profile)
        if lower not in verdicts or verdicts[lower].ok:  # a name keeps its first unsafe one
            verdicts[lower] = verdict
        if verdict.ok:
            safe.append(lower)
            total += len(value)
        else:
            unsafe.append(lower)
    over = total > _TOTAL_LIMIT
    if over:
        total_why = (
            f"is safelisted, but the safelisted values total {total} bytes, "
            "over the 1024-byte limit"
        )
        for lower in safe:
            verdicts[lower] = _Verdict(False, total_why, about="total")
        unsafe.extend(safe)
    check_order = tuple(unsafe)
    unsafe_names = tuple(sorted(check_order))

    checks = tuple(
        check if check is not None else _combined_check(request, index, entries, verdicts)
        for index, check in enumerate(pending)
    )

    canonical = _range_rewrite(method, entries)
    sent = [(e.name, values[e.lower]) for e in wire if canonical is None or e.lower != "range"]
    if canonical is not None:
        sent.append((entries["range"].name, canonical))

    reasons: tuple[str, ...] = ()
    if request.mode == "cors":
        found: list[str] = []
        if not is_safelisted_method(method):
            found.append(f"method {method} is not CORS-safelisted")
        for lower in dict.fromkeys(unsafe_names):
            verdict = verdicts[lower]
            if verdict.about == "value":
                found.append(f"header {lower}: {verdict.why}")
            elif verdict.about == "name":
                found.append(f"header {lower} is not CORS-safelisted")
            else:
                found.append(f"header {lower} {verdict.why}")
        reasons = tuple(found)

    return PreparedRequest(method, tuple(sent), checks, unsafe_names, check_order, reasons, None)


def _combined_check(
    request: Request, index: int, entries: dict[str, _Entry], verdicts: dict[str, _Verdict]
) -> HeaderCheck:
    name, value = request.headers[index]
    entry = entries[_lower(name)]
    verdict = verdicts[entry.lower]
    status: Status = "safelisted" if verdict.ok else "unsafe"
    if len(entry.values) > 1 and verdict.about == "value":
        reason = (
            f"{name} values are sent combined as {entry.combined!r}, "
            f"and then {entry.name} {verdict.why}"
        )
    else:
        reason = f"{name} {verdict.why}"
    return HeaderCheck(name, value, status, reason)
