"""What-if: re-judge recorded exchanges offline, with edited answers or the fix applied."""

from __future__ import annotations

from collections.abc import Mapping

from corsinspector.engine.judge import judge
from corsinspector.fixes.generic import apply_fix, is_server_fixable
from corsinspector.model import Headers, Request, Route, Scenario, Verdict, header_values

__all__ = [
    "WHAT_IF_LABEL",
    "edit_note",
    "not_sent_note",
    "scenario_of",
    "status_note",
    "try_fix",
    "what_if_state",
]

#: The banner's label while the verdict shown is a what-if, never a live answer.
WHAT_IF_LABEL = "What-if, judged offline — nothing sent"

_MAX_ROUNDS = 44  # a preflight and a request for each of 21 hops, and some room


def scenario_of(
    request: Request,
    verdict: Verdict,
    browser: str = "chromium",
    response_headers: Mapping[str, Headers] | None = None,
    statuses: Mapping[str, int] | None = None,
) -> Scenario:
    """A scenario whose routes answer exactly as the recorded exchanges were answered.

    ``response_headers`` replaces the headers of the last preflight's and the last actual
    request's answers (keys ``preflight`` and ``actual``): the what-if mode's edits;
    ``statuses`` their status codes. When the request itself was never sent, the edits of
    ``actual`` (headers, status) are the answer the server is assumed to give it.
    """
    edits = dict(response_headers or {})
    codes = dict(statuses or {})
    last = {
        kind: exchanges[-1]
        for kind, exchanges in (("preflight", verdict.preflights), ("actual", verdict.actuals))
        if exchanges
    }
    routes: list[Route] = []
    for exchange in verdict.exchanges:
        response = exchange.response
        if response is None:
            continue
        headers, status = response.headers, response.status
        edited = last.get(exchange.kind) is exchange and (
            exchange.kind in edits or exchange.kind in codes
        )
        if edited:
            headers = edits.get(exchange.kind, headers)
            status = codes.get(exchange.kind, status)
        method = "OPTIONS" if exchange.kind == "preflight" else exchange.request.method
        route = Route(method, exchange.request.url, status, headers, response.body)
        if edited:
            routes.insert(0, route)  # the edited answer wins over earlier ones for that URL
        else:
            routes.append(route)
    if not verdict.actuals and verdict.preflights:
        # The request itself was never sent: assume the server would answer it as the
        # (edited) preflight allows, with the same Allow-Origin and Allow-Credentials.
        preflight = edits.get("preflight")
        if preflight is None and verdict.preflights[-1].response is not None:
            preflight = verdict.preflights[-1].response.headers
        kept = tuple(
            (name, value)
            for name, value in preflight or ()
            if name.lower() in ("access-control-allow-origin", "access-control-allow-credentials")
        )
        sent = verdict.preflights[-1].request
        methods = header_values(sent.headers, "Access-Control-Request-Method")
        answer = edits.get("actual", kept)
        method = methods[0] if methods else request.method
        routes.append(Route(method, sent.url, codes.get("actual", 200), answer, ""))
    return Scenario("what-if", request, tuple(routes), browser=browser)


def what_if_state(verdict: Verdict) -> str:
    """The banner's state for a what-if verdict: never the live ``allowed``/``blocked``."""
    return "whatif-allowed" if verdict.allowed else "whatif-blocked"


def edit_note(sent: tuple[str, str] | None) -> str:
    """The tooltip of an edited header line: what the server really sent (``sent``), or
    that the line is the user's own (None: added, or filled in where a header was missing)."""
    if sent is None:
        return "What-if: the server did not send this header; you added it"
    name, value = sent
    return f"What-if edit. The server sent: {name}: {value}"


def status_note(sent: int | None, now: int) -> str:
    """The tooltip of a what-if status code: the status the server really answered."""
    if sent is None:
        return f"What-if: the request was never answered; judged as if it got {now}"
    if sent == now:
        return f"The status the server answered: {sent}"
    return f"What-if edit: the server answered {sent}; judged as if it were {now}"


def not_sent_note(verdict: Verdict) -> str:
    """The Actual pane's line in what-if mode: whether the request would now be sent."""
    if verdict.actuals:
        return "What-if: it would be sent"
    return "Not sent, even in this what-if"


def try_fix(scenario: Scenario) -> tuple[Verdict, int]:
    """``scenario`` judged again and again with each verdict's fix applied, until it passes
    or no server change can help: (the last verdict, how many fixes were applied)."""
    verdict = judge(scenario)
    rounds = 0
    while not verdict.allowed and verdict.fixes and rounds < _MAX_ROUNDS:
        error = verdict.error
        if error is None or not is_server_fixable(error):
            break
        scenario = apply_fix(scenario, verdict, verdict.fixes[0])
        verdict = judge(scenario)
        rounds += 1
    return verdict, rounds
