"""Replaying a collection: every item inspected live, with bounded concurrency, one cookie
jar for the whole run, results in collection order; JUnit and JSON reports."""

from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from corsinspector.collection import Collection, Expectation
from corsinspector.formats import verdict_to_dict
from corsinspector.inspector import InspectOptions, Inspector
from corsinspector.model import Request, Verdict

__all__ = ["ItemResult", "json_report", "junit_report", "run_collection"]


@dataclass(frozen=True)
class ItemResult:
    """One item's outcome."""

    path: str
    request: Request
    verdict: Verdict
    expect: Expectation | None
    seconds: float

    @property
    def kind(self) -> str | None:
        return None if self.verdict.error is None else self.verdict.error.kind

    @property
    def holds(self) -> bool:
        """The expectation holds (an item without one holds when allowed)."""
        if self.expect is None:
            return self.verdict.allowed
        return self.expect.holds(self.verdict.allowed, self.kind)

    @property
    def network_failed(self) -> bool:
        return any(e.network_error is not None for e in self.verdict.exchanges)


async def run_collection(
    collection: Collection,
    variables: dict[str, str],
    *,
    concurrency: int = 1,
    options: InspectOptions | None = None,
    on_result: Callable[[ItemResult], None] | None = None,
) -> list[ItemResult]:
    """Inspect every item (variables filled in first: a bad item fails before anything is
    sent) and return the results in collection order; ``on_result`` hears each as it ends."""
    requests = [(path, item, item.resolve(variables, path)) for path, item in collection.items()]
    results: list[ItemResult | None] = [None] * len(requests)
    limit = asyncio.Semaphore(max(1, concurrency))
    async with Inspector(options) as inspector:

        async def one(index: int) -> None:
            path, item, request = requests[index]
            async with limit:
                started = time.perf_counter()
                verdict = await inspector.inspect(request)
                result = ItemResult(
                    path, request, verdict, item.expect, time.perf_counter() - started
                )
            results[index] = result
            if on_result is not None:
                on_result(result)

        async with asyncio.TaskGroup() as group:
            for index in range(len(requests)):
                group.create_task(one(index))
    return [result for result in results if result is not None]


def json_report(results: list[ItemResult]) -> list[dict[str, Any]]:
    """A list in collection order of ``{"item": name, "verdict": <cors-verdict/1>}``."""
    return [{"item": r.path, "verdict": verdict_to_dict(r.verdict)} for r in results]


def junit_report(name: str, results: list[ItemResult]) -> str:
    """JUnit XML: one testcase per item, the console message as the failure text."""
    failures = sum(not r.holds for r in results)
    suite = ElementTree.Element(
        "testsuite",
        name=name,
        tests=str(len(results)),
        failures=str(failures),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for result in results:
        folder, _, item = result.path.partition("/")
        case = ElementTree.SubElement(
            suite, "testcase", classname=folder, name=item, time=f"{result.seconds:.3f}"
        )
        if not result.holds:
            got = "allowed" if result.verdict.allowed else f"blocked: {result.kind}"
            want = (
                "-"
                if result.expect is None
                else (
                    "allowed"
                    if result.expect.allowed
                    else f"blocked: {result.expect.kind or 'any'}"
                )
            )
            failure = ElementTree.SubElement(case, "failure", message=f"expected {want}, got {got}")
            error = result.verdict.error
            failure.text = error.message if error is not None else "allowed"
    ElementTree.indent(suite)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
