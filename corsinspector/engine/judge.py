"""The offline judge: the walk answered by the scenario's own routes.

Pure and deterministic: the scenario's routes stand for the server.
"""

from __future__ import annotations

from dataclasses import replace

from corsinspector.engine.firefox import as_firefox
from corsinspector.engine.profiles import Profile, get_profile
from corsinspector.engine.walk import walk
from corsinspector.engine.webkit import as_webkit
from corsinspector.fixes.generic import generic_fix
from corsinspector.model import Exchange, Response, Scenario, Verdict

__all__ = ["answer_from_routes", "finish_verdict", "judge"]


def answer_from_routes(scenario: Scenario, exchange: Exchange) -> Exchange:
    """``exchange`` answered by the first matching route (or the 404 fallback)."""
    method = exchange.request.method
    route = scenario.route_for(method, exchange.request.url)
    response = Response(route.status, route.wire_headers(method), route.body)
    return exchange.answered(response)


def _in_family_words(profile: Profile, scenario: Scenario, verdict: Verdict) -> Verdict:
    """The verdict in the kinds and console words of ``profile``'s engine family."""
    if profile.family == "firefox":
        return as_firefox(verdict, scenario.request)
    if profile.family == "webkit":
        return as_webkit(verdict, scenario.request)
    return verdict


def finish_verdict(scenario: Scenario, verdict: Verdict) -> Verdict:
    """The verdict in the modelled browser's words, with the generic fix when blocked."""
    verdict = _in_family_words(get_profile(scenario.browser), scenario, verdict)
    fix = generic_fix(scenario, verdict)
    return verdict if fix is None else replace(verdict, fixes=(fix,))


def judge(scenario: Scenario) -> Verdict:
    """The verdict ``scenario``'s browser reaches, with the generic fix when blocked."""
    steps = walk(scenario.request, profile=get_profile(scenario.browser))
    try:
        exchange = next(steps)
        while True:
            exchange = steps.send(answer_from_routes(scenario, exchange))
    except StopIteration as done:
        verdict: Verdict = done.value
    return finish_verdict(scenario, verdict)
