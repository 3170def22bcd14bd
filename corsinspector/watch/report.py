"""A watched page as files: ``cors-watch/1`` JSON, JUnit XML and HAR 1.2 (docs/watch.md,
"Front ends"). Each cross-origin request's verdict is our engine's, beside the browser's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from corsinspector.app.report import headline
from corsinspector.engine.kinds import outcome_label
from corsinspector.formats.collection import Expectation
from corsinspector.formats.har import WATCH_FIELD, WatchHop, har_entry, watch_field
from corsinspector.formats.scenario import verdict_to_dict
from corsinspector.model import Exchange, Verdict
from corsinspector.watch.capture import Session, Watched
from corsinspector.watch.judge import agrees, page_aborted

__all__ = [
    "WATCH_FORMAT",
    "browser_label",
    "cross_origin_rows",
    "engine_label",
    "har",
    "junit_xml",
    "watch_json",
]

WATCH_FORMAT = "cors-watch/1"


def cross_origin_rows(session: Session) -> list[Watched]:
    """The page's cross-origin requests, in the order it started them."""
    return sorted(session.find(), key=lambda row: row.seq)


def browser_label(row: Watched) -> str:
    """What the browser did, in the words of ``outcome_label`` (its net error when it named
    no CORS error)."""
    says = row.browser
    if says.allowed is None:
        return "aborted by the page" if page_aborted(row) else "in flight"
    return outcome_label(says.allowed, says.kind or says.net_error or "(no CORS error named)")


def watch_json(session: Session, page: str) -> dict[str, Any]:
    """``cors-watch/1``: each cross-origin request with our verdict and the browser's."""
    requests = []
    for row in cross_origin_rows(session):
        says = row.browser
        requests.append(
            {
                "method": row.request.method,
                "url": row.request.url,
                "origin": row.request.origin,
                "verdict": verdict_to_dict(session.verdict(row)),
                "browser": {"allowed": says.allowed, "kind": says.kind, "message": says.message},
            }
        )
    return {"format": WATCH_FORMAT, "page": page, "requests": requests}


def _failure_text(row: Watched, verdict: Verdict) -> str:
    words = headline(verdict)
    lines = [words.title]
    if row.browser.message:
        lines.append(row.browser.message.rstrip())
    elif words.console:
        lines.append(words.console)
    if not agrees(row, verdict):
        lines.append(
            f"!! the engine and the browser disagree: engine {engine_label(verdict)}, "
            f"browser {browser_label(row)}"
        )
    return "\n".join(lines)


def engine_label(verdict: Verdict) -> str:
    """Our verdict in the words of ``outcome_label``."""
    return outcome_label(verdict.allowed, None if verdict.error is None else verdict.error.kind)


def junit_xml(session: Session, page: str) -> str:
    """JUnit XML: a testcase per cross-origin request; a failure for each one the browser or
    the engine blocked (the headline and the console message), skipped while in flight."""
    rows = cross_origin_rows(session)
    suite = ElementTree.Element("testsuite", name=page, tests=str(len(rows)))
    failures = skipped = 0
    for row in rows:
        verdict = session.verdict(row)
        case = ElementTree.SubElement(
            suite, "testcase", classname=row.request.origin, name=_case_name(row)
        )
        if row.browser.allowed is None:
            skipped += 1
            why = "aborted by the page before any answer" if page_aborted(row) else None
            ElementTree.SubElement(
                case, "skipped", message=why or "still in flight when watching ended"
            )
        elif not (row.browser.allowed and verdict.allowed):
            failures += 1
            failure = ElementTree.SubElement(
                case, "failure", message=headline(verdict).title, type=_failure_type(row, verdict)
            )
            failure.text = _failure_text(row, verdict)
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    ElementTree.indent(suite)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _case_name(row: Watched) -> str:
    return f"#{row.seq} {row.request.method} {row.request.url}"


def _failure_type(row: Watched, verdict: Verdict) -> str:
    if verdict.error is not None:
        return verdict.error.kind
    return row.browser.kind or row.browser.net_error or "blocked"


def _iso(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _exchanges(row: Watched) -> list[tuple[WatchHop, Exchange]]:
    """Every hop the browser made for ``row``: its preflight, then the request and each
    redirect target."""
    hops: list[tuple[WatchHop, Exchange]] = []
    if row.preflight is not None:
        hop = row.preflight
        hops.append(
            ("preflight", Exchange("preflight", hop.request, hop.response, hop.network_error))
        )
    for index, hop in enumerate(row.hops):
        exchange = Exchange("actual", hop.request, hop.response, hop.network_error)
        hops.append(("redirect" if index else "request", exchange))
    return hops  # fmt: skip


def _expectation(session: Session, row: Watched) -> Expectation | None:
    """What a replay of ``row`` should find: our verdict where the browser agreed with it,
    else the browser's; nothing for a request in flight or aborted by the page."""
    if row.browser.allowed is None:
        return None
    verdict = session.verdict(row)
    if agrees(row, verdict):
        return Expectation(verdict.allowed, None if verdict.error is None else verdict.error.kind)
    return Expectation(row.browser.allowed, row.browser.kind)


def har(session: Session) -> dict[str, Any]:
    """HAR 1.2 of every request the page made: a page per page load, an entry per hop (each
    preflight its own entry before its request, each redirect target its own), each marked
    with the request it belongs to (``_corsinspector``: ``import`` reads it back as one item
    per request, with the request's credentials and mode and the verdict the watch gave)."""
    pages = [
        {"startedDateTime": _iso(load.started), "id": f"page_{load.index + 1}",
         "title": load.url, "pageTimings": {}}
        for load in session.loads
    ]  # fmt: skip
    entries = []
    for row in sorted(session.find(everything=True), key=lambda r: r.seq):
        expect = _expectation(session, row) if row.cross_origin else None
        for index, (hop, exchange) in enumerate(_exchanges(row)):
            entry = har_entry(exchange, _iso(row.started))
            if session.loads:
                entry["pageref"] = f"page_{row.load + 1}"
            entry["_resourceType"] = row.resource.lower()
            first = index == 0
            entry[WATCH_FIELD] = watch_field(
                row.id, hop, row.request if first else None, expect if first else None
            )
            entries.append(entry)
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "CORS Inspector", "version": "0.1.0"},
            "pages": pages,
            "entries": entries,
        }
    }
