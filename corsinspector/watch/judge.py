"""Our verdict on a watched request: the engine's own walk, each exchange it asks for answered
by the hop the browser really made (docs/watch.md, "Judging")."""

from __future__ import annotations

from dataclasses import replace

from corsinspector.engine.judge import finish_verdict
from corsinspector.engine.walk import walk
from corsinspector.live.compare import Comparison
from corsinspector.model import (
    BrowserResult,
    CorsErrorStatus,
    Exchange,
    NetworkError,
    Response,
    Route,
    Scenario,
    Verdict,
)
from corsinspector.origins import normalize_url
from corsinspector.watch.cdpdata import ABORTED
from corsinspector.watch.rows import Hop, Watched

__all__ = [
    "CACHED_PREFLIGHT",
    "NOT_CAPTURED",
    "agrees",
    "judge_watched",
    "page_aborted",
    "watched_scenario",
]

#: The answer to an exchange the engine asks for and the browser did not make.
NOT_CAPTURED = NetworkError(
    "not captured", "the browser did not make this request, the engine expected it"
)
#: The note on a verdict whose preflight the browser answered from its preflight cache.
CACHED_PREFLIGHT = (
    "The browser sent no preflight: an earlier one was still in its preflight cache, so the "
    "preflight is taken as passed."
)


def _passing_preflight(exchange: Exchange) -> Response:
    """A preflight answer that passes, for a preflight the browser's cache answered."""
    sent = exchange.request.headers
    origin = next((v for k, v in sent if k.lower() == "origin"), "null")
    headers = [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", exchange.request.method),
    ]
    for name, value in sent:
        if name.lower() == "access-control-request-method":
            headers[2] = ("Access-Control-Allow-Methods", value)
        elif name.lower() == "access-control-request-headers":
            headers.append(("Access-Control-Allow-Headers", value))
    return Response(204, tuple(headers))


def _answer(hop: Hop | None, exchange: Exchange) -> Exchange:
    if hop is None or normalize_url(hop.request.url) != exchange.request.url:
        return exchange.answered(None, NOT_CAPTURED)
    return exchange.answered(hop.response, hop.network_error, hop.request)


def _walk(watched: Watched) -> Verdict:
    steps = walk(watched.request)
    hops = list(watched.hops)
    preflight = watched.preflight
    cached = False
    try:
        exchange = next(steps)
        while True:
            if exchange.kind == "preflight":
                if preflight is None and hops and not cached:
                    # the actual request went out without a preflight: the cache answered
                    cached = True
                    answer = exchange.answered(_passing_preflight(exchange))
                else:
                    answer = _answer(preflight, exchange)
                    preflight = None
            else:
                answer = _answer(hops.pop(0) if hops else None, exchange)
            exchange = steps.send(answer)
    except StopIteration as done:
        verdict: Verdict = done.value
    if cached:  # the made-up preflight is not an exchange the browser made
        exchanges = list(verdict.exchanges)
        del exchanges[next(i for i, e in enumerate(exchanges) if e.kind == "preflight")]
        verdict = replace(
            verdict, exchanges=tuple(exchanges), notes=(*verdict.notes, CACHED_PREFLIGHT)
        )
    return verdict


#: Chromium's console line names the API: the engine words fetch()'s, XMLHttpRequest's
#: differs in that name only (``Access to XMLHttpRequest at …``).
_API_NAMES = {"XHR": "XMLHttpRequest"}
_FETCH_WORDS = "Access to fetch at "


def _in_its_api_words(watched: Watched, verdict: Verdict) -> Verdict:
    """``verdict`` with its console message naming the API the page used, as Chromium's does."""
    name = _API_NAMES.get(watched.resource)
    error = verdict.error
    if name is None or error is None or not error.message.startswith(_FETCH_WORDS):
        return verdict
    message = f"Access to {name} at " + error.message.removeprefix(_FETCH_WORDS)
    return replace(verdict, error=replace(error, message=message))


def judge_watched(watched: Watched) -> Verdict:
    """Our engine's verdict on ``watched`` from its hops as captured, with the generic fix
    when blocked; its console message worded as the browser words it for that API."""
    return _in_its_api_words(watched, finish_verdict(watched_scenario(watched), _walk(watched)))


def page_aborted(watched: Watched) -> bool:
    """The page aborted the request before any answer: the browser reached no verdict."""
    says = watched.browser
    return watched.done and says.allowed is None and says.net_error == ABORTED


def agrees(watched: Watched, verdict: Verdict) -> bool:
    """Whether ``verdict`` agrees with the browser (allowed, and the kind), as
    ``corsinspector.live.compare`` compares; a request still in flight, or aborted by the page
    before any answer (:func:`page_aborted`), disagrees with nothing."""
    says = watched.browser
    if says.allowed is None:
        return True
    errors = () if says.kind is None else (CorsErrorStatus(says.kind, says.failed_parameter),)
    result = BrowserResult(
        "resolved" if says.allowed else "rejected", "chromium", "", cors_errors=errors
    )
    return Comparison(result, says.kind, says.message).agrees_with(verdict)


def _route(hop: Hop) -> Route | None:
    if hop.response is None:
        return None
    response = hop.response
    return Route(
        hop.request.method, hop.request.url, response.status, response.headers, response.body
    )


def watched_scenario(watched: Watched) -> Scenario:
    """The request plus the server's answers as captured (``cors-scenario/1``); a hop with no
    answer (a network error) has no route, so the scenario's server answers it 404."""
    hops = (watched.preflight, *watched.hops) if watched.preflight else watched.hops
    routes = tuple(route for route in map(_route, hops) if route is not None)
    request = watched.request
    return Scenario(
        name=f"{request.method} {request.url}",
        request=request,
        server=routes,
        description=f"Captured from a real page ({request.origin}) by watching it.",
    )
