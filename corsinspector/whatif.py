"""What-if: re-judge recorded exchanges offline, with edited answers or the fix applied."""

from __future__ import annotations

from corsinspector.engine.fixes import apply_fix, is_server_fixable
from corsinspector.engine.judge import judge
from corsinspector.model import Request, Route, Scenario, Verdict

__all__ = ["scenario_of", "try_fix"]

_MAX_ROUNDS = 44  # a preflight and a request for each of 21 hops, and some room


def scenario_of(request: Request, verdict: Verdict, browser: str = "chromium") -> Scenario:
    """A scenario whose routes answer exactly as the recorded exchanges were answered."""
    routes = []
    for exchange in verdict.exchanges:
        response = exchange.response
        if response is None:
            continue
        method = "OPTIONS" if exchange.kind == "preflight" else exchange.request.method
        routes.append(
            Route(method, exchange.request.url, response.status, response.headers, response.body)
        )
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
