"""The recorder: asks real Chromium what it does with a scenario, and writes it down.

Each distinct origin of the scenario is played on its own loopback port (so same-origin
relations hold and redirects keep their shape); the page keeps its own origin unless it
fetches itself, in which case it is played on a loopback port too. What Chromium printed
and what the servers received is mapped back to the scenario's symbolic URLs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from corsinspector.formats.scenario import truth_to_dict
from corsinspector.model import BrowserResult, CorsErrorStatus, ReceivedRequest, Scenario, Truth
from corsinspector.wire.loopback import LoopbackMap, scenario_origins, unreproducible_reason
from corsinspector.wire.server import ScenarioServer

if TYPE_CHECKING:
    from corsinspector.realbrowser.browser import RealBrowser

__all__ = ["blocked_kind", "compare_truths", "record", "summarize"]


def _map_result(result: BrowserResult, wire: LoopbackMap) -> BrowserResult:
    text = wire.to_symbolic_text
    return replace(
        result,
        error=text(result.error) if result.error is not None else None,
        response_url=wire.to_symbolic_url(result.response_url) if result.response_url else None,
        console=tuple(replace(line, text=text(line.text)) for line in result.console),
        cors_errors=tuple(
            CorsErrorStatus(e.kind, text(e.failed_parameter)) for e in result.cors_errors
        ),
    )


async def record(scenario: Scenario, browser: RealBrowser, *, time_limit: float = 20.0) -> Truth:
    """Play ``scenario`` to real Chromium and return what it did (on a qasync loop)."""
    recorded_with = {"embedder": browser.embedder}
    reason = unreproducible_reason(scenario)
    if reason is not None:
        return Truth(
            scenario.name,
            "chromium",
            browser.version,
            unreproducible=reason,
            recorded_with=recorded_with,
        )
    origins = scenario_origins(scenario)
    page = scenario.request.origin
    page_on_wire = page in origins
    server = ScenarioServer(scenario, origins=origins, page_origin_on_wire=page_on_wire)
    async with server:
        wire = server.map
        result = await browser.fetch(
            scenario.request,
            url=wire.to_wire_url(scenario.request.url),
            page_origin=wire.to_wire_origin(page) if page_on_wire else page,
            time_limit=time_limit,
        )
        log = server.log
    received = tuple(
        ReceivedRequest(
            item.method, item.url or item.target, wire.to_symbolic_headers(item.headers)
        )
        for item in log
    )
    return Truth(
        scenario.name,
        "chromium",
        browser.version,
        result=_map_result(result, wire),
        received=received,
        recorded_with=recorded_with,
    )


def blocked_kind(truth: Truth) -> str:
    """A short label for the truth's outcome: ``allowed``, a CorsError kind, or why else."""
    if not truth.reproducible:
        return "unreproducible"
    if truth.result is None or truth.result.outcome == "timeout":
        return "timeout"
    if truth.allowed:
        return "allowed"
    error = truth.cors_error
    if error is not None:
        return error.kind
    return f"rejected without a CORS error ({truth.result.error})"


def compare_truths(expected: Truth, actual: Truth) -> list[str]:
    """Every field where two recordings of one scenario differ, one line each."""
    want, got = truth_to_dict(expected), truth_to_dict(actual)
    differences = []
    for key in sorted(set(want) | set(got)):
        if want.get(key) != got.get(key):
            differences.append(f"{expected.scenario}: {key}: {want.get(key)!r} != {got.get(key)!r}")
    return differences


def summarize(truths: Iterable[Truth]) -> str:
    """The ``--summary`` table: counts, outcomes, error kinds, unreproducible ones."""
    truths = list(truths)
    kinds = Counter(blocked_kind(t) for t in truths)
    allowed = kinds.pop("allowed", 0)
    unreproducible = [t for t in truths if not t.reproducible]
    kinds.pop("unreproducible", None)
    blocked = sum(kinds.values())
    versions = sorted({f"{t.browser} {t.version}" for t in truths})
    lines = [
        f"scenarios: {len(truths)}  ({', '.join(versions)})",
        f"allowed:   {allowed}",
        f"blocked:   {blocked}",
        f"unreproducible: {len(unreproducible)}",
        "",
        "outcome / error kind                                  count",
    ]
    lines += [f"  {kind:<52}{count:>5}" for kind, count in sorted(kinds.items())]
    if unreproducible:
        lines += ["", "unreproducible:"]
        lines += [f"  {t.scenario}: {t.unreproducible}" for t in unreproducible]
    return "\n".join(lines)
