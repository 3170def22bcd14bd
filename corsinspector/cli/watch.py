"""``watch``: load a page in a real browser and judge every cross-origin request it makes,
beside the browser's own verdict (docs/watch.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from urllib.parse import urlsplit

from corsinspector.app.report import headline
from corsinspector.cli.exits import Exit
from corsinspector.cli.parser import check_seconds
from corsinspector.errors import InputError, WatchError
from corsinspector.formats.atomic import write_text_atomic
from corsinspector.formats.json import dump_json
from corsinspector.watch.capture import Session, Watched
from corsinspector.watch.judge import agrees, page_aborted
from corsinspector.watch.report import (
    browser_label,
    cross_origin_rows,
    engine_label,
    har,
    junit_xml,
    watch_json,
)

__all__ = ["DEFAULT_IDLE_LIMIT", "run"]

#: How long the browser may take to start, and the page to load.
_START_SECONDS = 60.0
_OPEN_SECONDS = 30.0
#: Without --seconds: until the page goes idle, at most this long.
DEFAULT_IDLE_LIMIT = 30.0
#: --until-idle: until the page goes idle, at most this long (a deadline for every wait).
_UNTIL_IDLE_LIMIT = 600.0


def _page_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https", "file") or (
        parts.scheme.lower() != "file" and not parts.hostname
    ):
        raise InputError("URL", f"must be an http(s) or file URL, not {text!r}")
    return text


async def _watch(args: argparse.Namespace, session: Session) -> str | None:
    """Watch the page into ``session``; why it could not be watched, or None."""
    from corsinspector.watch.watcher import Watcher, parse_browser

    choice = parse_browser(args.browser)
    watcher = Watcher(choice, session=session)
    try:
        await watcher.start(_START_SECONDS)
        why = await watcher.open(args.url, _OPEN_SECONDS)
        if why is not None:
            return why  # the page did not load, and why
        if args.seconds is not None:
            await watcher.settle(seconds=args.seconds)
        else:
            limit = _UNTIL_IDLE_LIMIT if args.until_idle else DEFAULT_IDLE_LIMIT
            await watcher.settle(seconds=limit, until_idle=True)
        if watcher.closed is not None:
            return f"the browser went away: {watcher.closed}"
        return None
    finally:
        await watcher.aclose()


def _state(session: Session, row: Watched) -> str:
    """ALLOWED, BLOCKED (by CORS, as the browser or the engine says), FAILED (no answer, or
    the browser refused it itself: not a CORS block), ABORTED (by the page, before any
    answer: no verdict) or PENDING (still in flight)."""
    says = row.browser
    verdict = session.verdict(row)
    if page_aborted(row):
        return "ABORTED"
    if says.allowed is None:
        return "PENDING"
    if says.allowed and verdict.allowed:
        return "ALLOWED"
    if headline(verdict).state == "error" and says.kind is None:
        return "FAILED"
    return "BLOCKED"


def _lines(session: Session, row: Watched, state: str) -> list[str]:
    """A request's line; for one not allowed, the headline, the console message and the
    fix; a disagreement between the browser and the engine, loudly."""
    request = row.request
    verdict = session.verdict(row)
    words = headline(verdict)
    lines = [f"{state:8}{request.method} {request.url} (from {request.origin})"]
    if state == "ABORTED":
        lines.append("        the page aborted it before any answer")
    elif not verdict.allowed:
        lines.append(f"        {words.title}")
        message = row.browser.message or words.console
        if message:
            lines.append(f"        console: {message.rstrip()}")
        if verdict.fixes:
            lines.append(f"        fix: {verdict.fixes[0].title}")
    if not agrees(row, verdict):
        lines.append(
            f"  !! DISAGREEMENT: the browser says {browser_label(row)}, the engine says "
            f"{engine_label(verdict)} (an engine bug: please report it)"
        )
    return lines


def _summary(session: Session, page: str, states: list[str]) -> str:
    rows = len(states)
    others = len(session.find(everything=True)) - rows
    summary = (
        f"{rows} cross-origin requests on {page}: {states.count('ALLOWED')} allowed, "
        f"{states.count('BLOCKED')} blocked, {states.count('FAILED')} failed without a "
        "CORS error"
    )
    if "ABORTED" in states:
        summary += f", {states.count('ABORTED')} aborted by the page"
    if "PENDING" in states:
        summary += f", {states.count('PENDING')} still in flight"
    summary += f" ({others} same-origin not shown)"
    if session.dropped:
        summary += f"; the oldest {session.dropped} were dropped (cap {session.cap})"
    return summary + "."


def run(args: argparse.Namespace) -> int:
    """OK nothing blocked, BLOCKED something blocked by CORS, NETWORK the page did not load
    or the browser failed."""
    from corsinspector.watch.watcher import parse_browser

    if args.seconds is not None:
        check_seconds("--seconds", args.seconds)
    page = _page_url(args.url)
    parse_browser(args.browser)  # bad input before anything starts
    session = Session()
    try:
        why = asyncio.run(_watch(args, session))
    except WatchError as exc:
        why = str(exc)
    if why is not None:
        print(f"error: {why}", file=sys.stderr)
        return Exit.NETWORK
    rows = cross_origin_rows(session)
    states = [_state(session, row) for row in rows]
    if args.json:
        print(dump_json(watch_json(session, page)), end="")
    else:
        for row, state in zip(rows, states, strict=True):
            print("\n".join(_lines(session, row, state)))
        print(_summary(session, page, states))
    disagreements = sum(not agrees(row, session.verdict(row)) for row in rows)
    if disagreements:
        print(
            f"!! the engine and the browser disagree on {disagreements} request(s): please report",
            file=sys.stderr,
        )
    if args.junit:
        write_text_atomic(args.junit, junit_xml(session, page))
    if args.har:
        write_text_atomic(args.har, dump_json(har(session)))
    return Exit.BLOCKED if "BLOCKED" in states else Exit.OK
