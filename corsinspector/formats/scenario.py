"""Reading and writing CORS Inspector's JSON formats.

- ``cors-scenario/1``: a request and the server's answers (``shared/spec/scenario.md``).
- ``cors-truth/1``: what real Chromium did with a scenario (written by the recorder).
- ``cors-verdict/1``: the engine's verdict, as ``check --json`` prints it.

Readers accept unknown keys and reject a wrong ``format``; every problem is an
:class:`InputError` whose one line names the file and the field. Writers produce pretty JSON
with a stable key order, so that files diff well.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

from corsinspector.engine.profiles import BROWSER_NAMES, get_profile
from corsinspector.errors import InputError
from corsinspector.formats.json import Field, is_token, name_of, read_json_file
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
    "load_scenario",
    "load_truth",
    "request_from_dict",
    "request_to_dict",
    "scenario_from_dict",
    "scenario_to_dict",
    "truth_from_dict",
    "truth_to_dict",
    "verdict_to_dict",
]

SCENARIO_FORMAT = "cors-scenario/1"
TRUTH_FORMAT = "cors-truth/1"
VERDICT_FORMAT = "cors-verdict/1"


def _check_format(reader: Field, expected: str) -> None:
    fmt = reader.required("format", str)
    if fmt != expected:
        raise reader.error(f"must be {expected!r}, not {fmt!r}", "format")


def _load_json(path: Path) -> Any:
    return read_json_file(path)[0]


# --- scenarios -------------------------------------------------------------------------


#: ``request.local_network_access``: whether the user let the page reach the local network.
_PERMISSIONS = ("granted", "denied")


def _resolve(req: Field) -> tuple[tuple[str, str], ...]:
    """``request.resolve``: host names and the IP address each resolves to."""
    pairs = []
    for name, address in req.optional("resolve", dict, {}).items():
        try:
            ipaddress.ip_address(address if isinstance(address, str) else "")
        except ValueError:
            message = f"{name!r} must resolve to an IP address, not {address!r}"
            raise req.error(message, "resolve") from None
        pairs.append((name.lower(), address))
    return tuple(pairs)


def scenario_from_dict(data: Any, source: str = "<scenario>") -> Scenario:
    """Build a Scenario from parsed JSON; ``source`` names the file in errors."""
    top = Field(source, data).object()
    _check_format(top, SCENARIO_FORMAT)
    req = top.child("request")
    method = req.optional("method", str, "GET")
    if not is_token(method):
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
        local_network_access=req.choice("local_network_access", _PERMISSIONS, "denied")
        == "granted",
        resolve=_resolve(req),
    )
    routes_raw = top.optional("server", list, [])
    routes = []
    for index, item in enumerate(routes_raw):
        route = Field(source, item, f"server[{index}]").object()
        status = route.required("status", int)
        if not 100 <= status <= 599:
            raise route.error(f"must be an HTTP status from 100 to 599, not {status}", "status")
        route_method = route.optional("method", str, "*")
        if route_method != "*" and not is_token(route_method):
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
        browser=top.choice("browser", BROWSER_NAMES, "chromium"),
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
    if request.local_network_access:
        req["local_network_access"] = "granted"
    if request.resolve:
        req["resolve"] = dict(request.resolve)
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
    top = Field(source, data).object()
    _check_format(top, TRUTH_FORMAT)
    browser = top.child("browser")
    extra = {k: str(v) for k, v in browser.data.items() if k not in ("name", "version")}
    result = None
    if top.optional("result", dict) is not None:
        res = top.child("result")
        errors = []
        for index, item in enumerate(top.optional("cors_errors", list, [])):
            err = Field(source, item, f"cors_errors[{index}]").object()
            errors.append(
                CorsErrorStatus(
                    err.required("kind", str), err.optional("failed_parameter", str, "")
                )
            )
        console = []
        for index, item in enumerate(top.optional("console", list, [])):
            line = Field(source, item, f"console[{index}]").object()
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
        rec = Field(source, item, f"received[{index}]").object()
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


def verdict_to_dict(
    verdict: Verdict, browsers: Mapping[str, Verdict] | None = None
) -> dict[str, Any]:
    """The ``cors-verdict/1`` JSON of a verdict, keys in the spec's order.

    ``preflight`` and ``actual`` describe the last preflight and the last actual request
    sent (the ones that decided); ``exchanges`` lists every request in order (redirects).
    ``browsers``: every profile's verdict of the same request (``--browser all``), added as
    ``"browsers": {name: {"allowed", "kind", "message", "label"}}``.
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
    if browsers is not None:
        out["browsers"] = {
            name: {
                "allowed": each.allowed,
                "kind": None if each.error is None else each.error.kind,
                "message": None if each.error is None else each.error.message,
                "label": get_profile(name).label,
            }
            for name, each in browsers.items()
        }
    return out
