"""The sequence of a verdict, step by step, for the window's sequence diagram."""

from __future__ import annotations

from dataclasses import dataclass

from corsinspector.model import Verdict, header_values
from corsinspector.origins import path_and_query

__all__ = ["Step", "sequence_steps"]


@dataclass(frozen=True)
class Step:
    """One arrow: ``to_server`` (a request) or back (an answer), its label, and whether the
    browser stopped there."""

    to_server: bool
    label: str
    detail: str = ""
    failed: bool = False
    #: A request no browser would send (sent anyway on request).
    not_by_browsers: bool = False


def sequence_steps(verdict: Verdict) -> list[Step]:
    """Every request and answer in order; the blocking answer marked, with the culprit."""
    steps: list[Step] = []
    error = verdict.error
    last = len(verdict.exchanges) - 1
    for index, exchange in enumerate(verdict.exchanges):
        request = exchange.request
        detail = ""
        if exchange.kind == "preflight":
            method = header_values(request.headers, "Access-Control-Request-Method")
            names = header_values(request.headers, "Access-Control-Request-Headers")
            detail = f"asks: may I {method[0] if method else '?'}"
            detail += f" with {names[0]}?" if names else "?"
        else:
            origin = header_values(request.headers, "Origin")
            detail = f"Origin: {origin[0]}" if origin else "no Origin (same origin)"
        prefix = "preflight " if exchange.kind == "preflight" else ""
        label = f"{prefix}{request.method} {path_and_query(request.url)}"
        steps.append(Step(True, label, detail, not_by_browsers=not exchange.browser_sends))
        failed = error is not None and index == last and error.stage != "request"
        response = exchange.response
        if response is None:
            code = exchange.network_error.code if exchange.network_error else "no answer"
            steps.append(Step(False, code, "no HTTP answer", failed=True))
            continue
        answer = f"{response.status} {response.reason or ''}".strip()
        note = ""
        if failed and error is not None:
            culprit = error.header or "the status"
            shown = "missing" if error.value is None else error.value
            note = f"blocked: {error.kind} ({culprit}: {shown})"
        steps.append(Step(False, answer, note, failed=failed))
    if error is not None and error.stage == "request":
        steps.append(Step(True, "nothing sent", f"blocked before sending: {error.kind}", True))
    return steps
