"""What-if: re-judge recorded exchanges offline, with edited answers or the fix applied."""

from __future__ import annotations

from collections.abc import Mapping

from corsinspector.engine.judge import judge
from corsinspector.fixes.generic import apply_fix, is_server_fixable
from corsinspector.model import Headers, Request, Route, Scenario, Verdict, header_values

__all__ = ["scenario_of", "try_fix"]

_MAX_ROUNDS = 44  # a preflight and a request for each of 21 hops, and some room


def scenario_of(
    request: Request,
    verdict: Verdict,
    browser: str = "chromium",
    response_headers: Mapping[str, Headers] | None = None,
) -> Scenario:
    """A scenario whose routes answer exactly as the recorded exchanges were answered.

    ``response_headers`` replaces the headers of the last preflight's and the last actual
    request's answers (keys ``preflight`` and ``actual``): the what-if mode's edits.
    """
    edits = dict(response_headers or {})
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
        headers = response.headers
        if exchange.kind in edits and last.get(exchange.kind) is exchange:
            headers = edits[exchange.kind]
        method = "OPTIONS" if exchange.kind == "preflight" else exchange.request.method
        route = Route(method, exchange.request.url, response.status, headers, response.body)
        if exchange.kind in edits and last.get(exchange.kind) is exchange:
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
        routes.append(Route(methods[0] if methods else request.method, sent.url, 200, kept, ""))
    return Scenario("what-if", request, tuple(routes), browser=browser)


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
