"""Reading and writing CORS Inspector's JSON formats.

- ``cors-scenario/1``: a request and the server's answers (``shared/spec/scenario.md``).
- ``cors-truth/1``: what real Chromium did with a scenario (written by the recorder).

Readers accept unknown keys and reject a wrong ``format``; every problem is an
:class:`InputError` whose one line names the file and the field. Writers produce pretty JSON
with a stable key order, so that files diff well.
"""

from __future__ import annotations

import glob
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from corsinspector.errors import InputError, StorageError
from corsinspector.model import (
    CREDENTIALS_MODES,
    REQUEST_MODES,
    BrowserResult,
    ConsoleLine,
    CorsErrorStatus,
    Credentials,
    Exchange,
    Fix,
    Headers,
    Mode,
    ReceivedRequest,
    Request,
    Response,
    Route,
    Scenario,
    Truth,
    Verdict,
)
from corsinspector.origins import serialize_origin

__all__ = [
    "SCENARIO_FORMAT",
    "TRUTH_FORMAT",
    "VERDICT_FORMAT",
    "build_request",
    "dump_json",
    "load_scenario",
    "load_truth",
    "name_of",
    "parse_json",
    "read_json_file",
    "request_from_dict",
    "request_to_dict",
    "scenario_from_dict",
    "scenario_to_dict",
    "truth_from_dict",
    "truth_to_dict",
    "verdict_to_dict",
    "write_json_atomic",
    "write_text_atomic",
]

SCENARIO_FORMAT = "cors-scenario/1"
TRUTH_FORMAT = "cors-truth/1"
VERDICT_FORMAT = "cors-verdict/1"

#: RFC 9110 token: header names and methods.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE_CHARS = re.compile(r"[\r\n\x00]")


class _Reader:
    """Typed access to a JSON object, raising InputError with the dotted field path."""

    def __init__(self, source: str, data: Any, path: str = "") -> None:
        self.source = source
        self.path = path
        if not isinstance(data, Mapping):
            raise self.error(f"must be an object, not {_json_type(data)}")
        self.data = cast(Mapping[str, Any], data)

    def error(self, message: str, key: str | None = None) -> InputError:
        where = ".".join(p for p in (self.path, key) if p)
        return InputError(f"{self.source}: {where}" if where else self.source, message)

    def child(self, key: str) -> _Reader:
        return _Reader(self.source, self.required(key, dict), self._sub(key))

    def _sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def required(self, key: str, kind: type) -> Any:
        if key not in self.data:
            raise self.error("is missing", key)
        return self._typed(key, kind)

    def optional(self, key: str, kind: type, default: Any = None) -> Any:
        if key not in self.data or self.data[key] is None:
            return default
        return self._typed(key, kind)

    def _typed(self, key: str, kind: type) -> Any:
        value = self.data[key]
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
            if not _TOKEN.match(name):
                raise self.error(
                    f"header name {name!r} has characters not allowed in a name", where
                )
            if _BAD_VALUE_CHARS.search(value):
                raise self.error(f"header {name} has a CR, LF or NUL in its value", where)
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


def _check_format(reader: _Reader, expected: str) -> None:
    fmt = reader.required("format", str)
    if fmt != expected:
        raise reader.error(f"must be {expected!r}, not {fmt!r}", "format")


#: Deeper than any file of ours nests: deeper JSON is refused before code recurses on it.
MAX_JSON_DEPTH = 100
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    _check_tree(data, source, _SURROGATE_ESCAPE.search(text) is not None)
    return data


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


def _load_json(path: Path) -> Any:
    return read_json_file(path)[0]


# --- scenarios -------------------------------------------------------------------------


def scenario_from_dict(data: Any, source: str = "<scenario>") -> Scenario:
    """Build a Scenario from parsed JSON; ``source`` names the file in errors."""
    top = _Reader(source, data)
    _check_format(top, SCENARIO_FORMAT)
    req = top.child("request")
    method = req.optional("method", str, "GET")
    if not _TOKEN.match(method):
        raise req.error(f"method {method!r} is not a valid HTTP method token", "method")
    typed = req.optional("origin", str, "https://app.example.test")
    try:
        # the one place an origin as typed becomes the one browsers send
        origin = serialize_origin(typed)
    except ValueError as exc:
        raise req.error(str(exc), "origin") from None
    request = Request(
        url=cast(str, req.url("url")),
        method=method,
        origin=origin,
        typed_origin=typed if typed != origin else None,
        headers=req.headers("headers"),
        credentials=cast(Credentials, req.choice("credentials", CREDENTIALS_MODES, "same-origin")),
        mode=cast(Mode, req.choice("mode", REQUEST_MODES, "cors")),
        body=req.optional("body", str),
    )
    routes_raw = top.optional("server", list, [])
    routes = []
    for index, item in enumerate(routes_raw):
        route = _Reader(source, item, f"server[{index}]")
        status = route.required("status", int)
        if not 100 <= status <= 599:
            raise route.error(f"must be an HTTP status from 100 to 599, not {status}", "status")
        route_method = route.optional("method", str, "*")
        if route_method != "*" and not _TOKEN.match(route_method):
            raise route.error(f"{route_method!r} is not a method or '*'", "method")
        routes.append(
            Route(
                method=route_method,
                url=route.url("url", required=False),
                status=status,
                headers=route.headers("headers"),
                body=route.optional("body", str),
            )
        )
    return Scenario(
        name=top.optional("name", str, name_of(source)),
        request=request,
        server=tuple(routes),
        browser=top.choice("browser", ("chromium", "firefox", "webkit"), "chromium"),
        description=top.optional("description", str, ""),
    )


def request_to_dict(request: Request) -> dict[str, Any]:
    """A request alone, in the scenario format's ``request`` shape."""
    return scenario_to_dict(Scenario("request", request))["request"]  # type: ignore[no-any-return]


def request_from_dict(data: Any, source: str = "<request>") -> Request:
    """A request from its ``request`` shape (InputError naming the field when bad)."""
    return scenario_from_dict({"format": SCENARIO_FORMAT, "request": data}, source).request


def build_request(
    fields: Mapping[str, Any],
    *,
    names: Mapping[str, str],
    header_name: Callable[[int], str],
) -> Request:
    """A request from loose fields (the command line's flags, the window's inputs), checked
    as a scenario's request is. The InputError names the caller's own field: ``names`` maps
    ``url``, ``origin``, ``method`` … to it, ``header_name(i)`` names the i-th header."""
    data = {key: value for key, value in fields.items() if value is not None}
    try:
        return request_from_dict(data, "")
    except InputError as exc:
        where = exc.where.removeprefix(": ").removeprefix("request.")
        if where.startswith("headers["):
            where = header_name(int(where.split("[")[1].split("]")[0]))
        raise InputError(names.get(where, where), exc.message) from None


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a ``cors-scenario/1`` file."""
    path = Path(path)
    return scenario_from_dict(_load_json(path), str(path))


def _pairs(headers: Headers) -> list[list[str]]:
    return [[name, value] for name, value in headers]


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The JSON form of a scenario, keys in the spec's order."""
    request = scenario.request
    req: dict[str, Any] = {
        "url": request.url,
        "method": request.method,
        "origin": request.origin,
        "headers": _pairs(request.headers),
        "credentials": request.credentials,
        "mode": request.mode,
    }
    if request.body is not None:
        req["body"] = request.body
    routes = []
    for route in scenario.server:
        item: dict[str, Any] = {"method": route.method}
        if route.url is not None:
            item["url"] = route.url
        item["status"] = route.status
        item["headers"] = _pairs(route.headers)
        if route.body is not None:
            item["body"] = route.body
        routes.append(item)
    out: dict[str, Any] = {"format": SCENARIO_FORMAT, "name": scenario.name}
    if scenario.description:
        out["description"] = scenario.description
    out.update(browser=scenario.browser, request=req, server=routes)
    return out


# --- truths ----------------------------------------------------------------------------


def _received_to_dict(item: ReceivedRequest) -> dict[str, Any]:
    return {"method": item.method, "url": item.url, "headers": _pairs(item.headers)}


def truth_to_dict(truth: Truth) -> dict[str, Any]:
    """The JSON form of a recorded truth."""
    out: dict[str, Any] = {
        "format": TRUTH_FORMAT,
        "scenario": truth.scenario,
        "browser": {"name": truth.browser, "version": truth.version, **truth.recorded_with},
        "unreproducible": truth.unreproducible,
    }
    result = truth.result
    if result is not None:
        out["result"] = {
            "outcome": result.outcome,
            "error": result.error,
            "status": result.status,
            "type": result.response_type,
            "url": result.response_url,
            "redirected": result.redirected,
            "readable_headers": list(result.readable_headers),
            "body": result.body,
        }
        out["devtools"] = result.devtools
        out["cors_errors"] = [
            {"kind": e.kind, "failed_parameter": e.failed_parameter} for e in result.cors_errors
        ]
        out["console"] = [{"level": c.level, "text": c.text} for c in result.console]
    out["received"] = [_received_to_dict(r) for r in truth.received]
    return out


def truth_from_dict(data: Any, source: str = "<truth>") -> Truth:
    """Build a Truth from parsed JSON."""
    top = _Reader(source, data)
    _check_format(top, TRUTH_FORMAT)
    browser = top.child("browser")
    extra = {k: str(v) for k, v in browser.data.items() if k not in ("name", "version")}
    result = None
    if top.optional("result", dict) is not None:
        res = top.child("result")
        errors = []
        for index, item in enumerate(top.optional("cors_errors", list, [])):
            err = _Reader(source, item, f"cors_errors[{index}]")
            errors.append(
                CorsErrorStatus(
                    err.required("kind", str), err.optional("failed_parameter", str, "")
                )
            )
        console = []
        for index, item in enumerate(top.optional("console", list, [])):
            line = _Reader(source, item, f"console[{index}]")
            console.append(ConsoleLine(line.required("level", str), line.required("text", str)))
        result = BrowserResult(
            outcome=res.required("outcome", str),
            browser=browser.required("name", str),
            version=browser.required("version", str),
            error=res.optional("error", str),
            status=res.optional("status", int),
            response_type=res.optional("type", str),
            response_url=res.optional("url", str),
            redirected=res.optional("redirected", bool, False),
            readable_headers=tuple(res.optional("readable_headers", list, [])),
            body=res.optional("body", str),
            console=tuple(console),
            cors_errors=tuple(errors),
            devtools=top.optional("devtools", bool, True),
        )
    received = []
    for index, item in enumerate(top.optional("received", list, [])):
        rec = _Reader(source, item, f"received[{index}]")
        received.append(
            ReceivedRequest(
                rec.required("method", str), rec.required("url", str), rec.headers("headers")
            )
        )
    return Truth(
        scenario=top.required("scenario", str),
        browser=browser.required("name", str),
        version=browser.required("version", str),
        unreproducible=top.optional("unreproducible", str),
        result=result,
        received=tuple(received),
        recorded_with=extra,
    )


def load_truth(path: str | os.PathLike[str]) -> Truth:
    """Read a ``cors-truth/1`` file."""
    path = Path(path)
    return truth_from_dict(_load_json(path), str(path))


# --- verdicts --------------------------------------------------------------------------


def _response_dict(response: Response) -> dict[str, Any]:
    out: dict[str, Any] = {"status": response.status, "headers": _pairs(response.headers)}
    if response.reason is not None:  # a live exchange: what went on the wire
        out["reason"] = response.reason
        out["http_version"] = response.http_version
        out["remote_address"] = response.remote_address
        out["body"] = response.body
        out["body_size"] = response.body_size
        out["body_truncated"] = response.body_truncated
        if response.body_error is not None:
            out["body_error"] = response.body_error.code
            out["body_error_explanation"] = response.body_error.explanation
        if response.timings is not None:
            out["timings_ms"] = asdict(response.timings)
    return out


def _exchange_parts(exchange: Exchange | None) -> tuple[Any, Any]:
    if exchange is None:
        return None, None
    request = {
        "method": exchange.request.method,
        "url": exchange.request.url,
        "headers": _pairs(exchange.request.headers),
    }
    response: dict[str, Any] | None = None
    if exchange.response is not None:
        response = _response_dict(exchange.response)
    elif exchange.network_error is not None:
        response = {
            "network_error": exchange.network_error.code,
            "explanation": exchange.network_error.explanation,
        }
    return request, response


def _all_fixes(verdict: Verdict) -> list[Fix]:
    """The generic fix and, after it, the same fix for every supported server stack."""
    from corsinspector.fixes.stacks import stack_fixes

    fixes = list(verdict.fixes)
    if verdict.error is not None and fixes and fixes[0].server == "generic":
        fixes += stack_fixes(fixes[0], verdict.error.kind)
    return fixes


def verdict_to_dict(verdict: Verdict) -> dict[str, Any]:
    """The ``cors-verdict/1`` JSON of a verdict, keys in the spec's order.

    ``preflight`` and ``actual`` describe the last preflight and the last actual request
    sent (the ones that decided); ``exchanges`` lists every request in order (redirects).
    """
    preflights, actuals = verdict.preflights, verdict.actuals
    pf_request, pf_response = _exchange_parts(preflights[-1] if preflights else None)
    act_request, act_response = _exchange_parts(actuals[-1] if actuals else None)
    error = verdict.error
    out: dict[str, Any] = {
        "format": VERDICT_FORMAT,
        "allowed": verdict.allowed,
        "preflight": {
            "required": verdict.preflight_required,
            "reasons": list(verdict.preflight_reasons),
            "request": pf_request,
            "response": pf_response,
        },
        "actual": {"sent": bool(actuals), "request": act_request, "response": act_response},
        "error": None
        if error is None
        else {
            "stage": error.stage,
            "kind": error.kind,
            "header": error.header,
            "value": error.value,
            "message": error.message,
            "failed_parameter": error.failed_parameter,
            "reason": error.reason,
        },
        "exposed_headers": list(verdict.exposed_headers),
        "fixes": [
            {
                "server": fix.server,
                "title": fix.title,
                "snippet": fix.snippet,
                "headers": {stage: _pairs(headers) for stage, headers in fix.headers},
            }
            for fix in _all_fixes(verdict)
        ],
        "response_type": verdict.response_type,
        "dropped_headers": [[name, reason] for name, reason in verdict.dropped_headers],
        "notes": list(verdict.notes),
        "exchanges": [],
    }
    for exchange in verdict.exchanges:
        request, response = _exchange_parts(exchange)
        item = {"kind": exchange.kind, "request": request, "response": response}
        if not exchange.browser_sends:
            item["browser_sends"] = False  # sent on request; no browser would send it
        out["exchanges"].append(item)
    return out


# --- writing ---------------------------------------------------------------------------


_PAIR = re.compile(r'\[\n\s+("(?:[^"\\]|\\.)*"),\n\s+("(?:[^"\\]|\\.)*")\n\s+\]')


def dump_json(data: Any) -> str:
    """Pretty JSON with a trailing newline, each ``[name, value]`` pair on one line; key
    order is the caller's (kept stable), so files diff well."""
    return _PAIR.sub(r"[\1, \2]", json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, dump_json(data))


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # os.kill would end the process on Windows: assume its writer lives
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _sweep_stale(path: Path) -> None:
    """Remove the temporary files of earlier writes of ``path`` whose process is gone
    (killed before its rename); a live writer's file is left alone."""
    ours = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.[^.]+\.tmp")
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        match = ours.fullmatch(stale.name)
        if match is not None and not _pid_alive(int(match.group(1))):
            stale.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file beside it named with our pid,
    fsync, rename. A kill mid-write leaves the old file whole; the next write removes the
    dead writer's temporary file (an exception removes it at once). StorageError on failure."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep_stale(path)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageError(f"{path}: could not write: {exc.strerror or exc}") from None
