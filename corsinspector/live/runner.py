"""Replaying a collection: every item inspected live, with bounded concurrency, one cookie
jar for the whole run, results in collection order; JUnit and JSON reports."""

from __future__ import annotations

import asyncio
import json
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from corsinspector.engine.kinds import NON_CORS_KINDS, outcome_label
from corsinspector.errors import InputError
from corsinspector.formats.collection import Collection, Expectation
from corsinspector.formats.scenario import verdict_to_dict
from corsinspector.live.inspector import InspectOptions, Inspector
from corsinspector.model import Request, Verdict, header_values

__all__ = ["ItemResult", "captured_value", "json_report", "junit_report", "run_collection"]


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
        """Failed without a CORS error: no answer, or the browser refused it (as ``check``)."""
        error = self.verdict.error
        return error is not None and error.kind in NON_CORS_KINDS


def captured_value(verdict: Verdict, source: str) -> str | None:
    """A value taken from the final response: ``header:Name`` or ``json:field.sub``."""
    actuals = verdict.actuals
    response = actuals[-1].response if actuals else None
    if response is None:
        return None
    kind, _, what = source.partition(":")
    if kind == "header":
        values = header_values(response.headers, what)
        return values[0] if values else None
    try:
        value: Any = json.loads(response.body or "")
        for key in what.split("."):
            value = value[int(key)] if isinstance(value, list) else value[key]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return value if isinstance(value, str) else json.dumps(value)


async def run_collection(
    collection: Collection,
    variables: dict[str, str],
    *,
    concurrency: int = 1,
    options: InspectOptions | None = None,
    on_result: Callable[[ItemResult], None] | None = None,
) -> list[ItemResult]:
    """Inspect every item and return the results in collection order; ``on_result`` hears
    each as it ends. Variables are filled in first (a bad item fails before anything is
    sent), except those captured from an earlier item's response: an item using one waits
    for that item, whatever the concurrency."""
    entries = collection.items()
    producers: dict[str, int] = {}
    for index, (_, item) in enumerate(entries):
        for name, _source in item.capture:
            producers.setdefault(name, index)
    waits: list[set[int]] = []
    for index, (path, item) in enumerate(entries):
        used = item.variables_used()
        waits.append({producers[n] for n in used if n in producers and producers[n] < index})
        unknown = used - set(variables) - {n for n in producers if producers[n] < index}
        if unknown:
            item.resolve(variables, path)  # raises InputError naming the variable
    captured = dict(variables)
    done = [asyncio.Event() for _ in entries]
    results: list[ItemResult | None] = [None] * len(entries)
    limit = asyncio.Semaphore(max(1, concurrency))
    async with Inspector(options) as inspector:

        async def one(index: int) -> None:
            path, item = entries[index]
            try:
                for producer in sorted(waits[index]):
                    await done[producer].wait()
                request = item.resolve(captured, path)
                async with limit:
                    started = time.perf_counter()
                    verdict = await inspector.inspect(request)
                    seconds = time.perf_counter() - started
                for name, source in item.capture:
                    value = captured_value(verdict, source)
                    if value is not None:
                        captured[name] = value
                result = ItemResult(path, request, verdict, item.expect, seconds)
                results[index] = result
                if on_result is not None:
                    on_result(result)
            finally:
                done[index].set()

        try:
            async with asyncio.TaskGroup() as group:
                for index in range(len(entries)):
                    group.create_task(one(index))
        except ExceptionGroup as failed:  # a captured variable that never came: bad input
            bad = [e for e in failed.exceptions if isinstance(e, InputError)]
            if bad:
                raise bad[0] from None
            raise
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
            got = outcome_label(result.verdict.allowed, result.kind)
            expect = result.expect
            want = "-" if expect is None else outcome_label(expect.allowed, expect.kind or "any")
            failure = ElementTree.SubElement(case, "failure", message=f"expected {want}, got {got}")
            error = result.verdict.error
            failure.text = error.message if error is not None else "allowed"
    ElementTree.indent(suite)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
