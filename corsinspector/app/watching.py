"""The Watch pane's words and files, without Qt: each watched request's row (method, URL,
initiator, preflight, Chromium's verdict beside ours, a disagreement flagged), the browser's
verdict as a line beside ours, the browser choice, and a watched request saved as a scenario or
a collection item (the live list itself: ``watchlist``)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corsinspector.engine.kinds import outcome_label
from corsinspector.errors import InputError

if TYPE_CHECKING:
    import os

    from corsinspector.formats.collection import Collection, Expectation
    from corsinspector.model import Scenario, Verdict
    from corsinspector.watch.capture import BrowserSays, PageLoad, Watched

__all__ = [
    "BROWSERS",
    "COLUMNS",
    "PROFILES",
    "WATCHED_FOLDER",
    "WATCH_CAP",
    "WatchRow",
    "browser_choice",
    "browser_label",
    "comparison_line",
    "count_line",
    "expectation",
    "kept_profile",
    "load_label",
    "save_scenario",
    "save_to_collection",
    "scenario_file_name",
    "watch_row",
]

#: The live list's columns.
COLUMNS = ("Method", "URL", "Initiator", "Preflight", "Browser", "Engine")
#: How many requests the window keeps (the oldest dropped first): 10,000 rows stay responsive.
WATCH_CAP = 10_000
#: The collection folder watched requests are saved into.
WATCHED_FOLDER = "Watched"
#: The pane's browser choices: its words, and what ``corsinspector.watch`` reads.
BROWSERS = (
    ("Embedded Chromium", "embedded"),
    ("Chrome on this machine", "chrome"),
    ("A browser listening at host:port", "cdp"),
)

#: The pane's profiles for the embedded page: its words, and whether it is kept on disk.
PROFILES = (("Off the record: nothing kept", False), ("Kept: a login survives", True))


def kept_profile() -> str:
    """Where the kept profile lives (the user's data directory): a login made in the watched
    page is still there at the next watch."""
    from platformdirs import user_data_path

    return str(user_data_path("CORS Inspector", appauthor=False) / "watch-profile")


@dataclass(frozen=True)
class WatchRow:
    """One watched request as the list shows it: its cells, its tooltip, and its state:
    ``pending`` (in flight), ``allowed``, ``blocked``, ``failed`` (no answer: not CORS) or
    ``disagree`` (the engine and the browser disagree: an engine bug, shown loudly)."""

    cells: tuple[str, ...]
    tooltip: str
    state: str


def browser_label(says: BrowserSays) -> str:
    """The browser's own verdict in a few words."""
    if says.allowed is None:  # in flight, or aborted by the page before any answer
        return f"no verdict: {says.net_error}" if says.net_error else "in flight…"
    if says.allowed:
        return "allowed"
    if says.kind is None and says.net_error:
        return f"failed: {says.net_error}"
    return outcome_label(False, says.kind or "no CORS error named")


def _browser_cell(says: BrowserSays) -> str:
    """The browser's verdict in the list, short: a mark and Chromium's kind (the words stay
    in the tooltip, the colour says it too)."""
    if says.allowed is None:
        return browser_label(says)
    if says.allowed:
        return "✓ allowed"
    return f"✗ {says.kind or says.net_error or 'no CORS error named'}"


def _engine_label(verdict: Verdict) -> str:
    error = verdict.error
    return outcome_label(error is None, None if error is None else error.kind)


def _preflight_cell(watched: Watched) -> str:
    hop = watched.preflight
    if hop is None:
        return "—"
    if hop.response is not None:
        return f"yes ({hop.response.status})"
    if hop.network_error is not None:
        return f"yes ({hop.network_error.code})"
    return "yes (no answer yet)"


def watch_row(watched: Watched, verdict: Verdict | None) -> WatchRow:
    """The row of ``watched``; ``verdict`` is ours, None while the request is in flight."""
    from corsinspector.watch.judge import agrees

    says = watched.browser
    request = watched.request
    ours = "agrees"  # the browser's verdict, said once: the list stays readable on a laptop
    if verdict is None or says.allowed is None:  # nothing to set ours beside (yet)
        state, ours = "pending", "—" if watched.done else "…"
    elif not agrees(watched, verdict):
        state, ours = "disagree", f"≠ {_engine_label(verdict)}"
    elif says.allowed:
        state = "allowed"
    else:
        state = "blocked" if says.kind is not None else "failed"
    cells = (
        request.method,
        request.url,
        request.origin,
        _preflight_cell(watched),
        _browser_cell(says),
        ours,
    )
    lines = [
        f"{request.method} {request.url}",
        f"Request {watched.seq + 1} of the page at {request.origin}",
    ]
    lines.append(f"{watched.resource}, credentials {request.credentials}, mode {request.mode}")
    lines.append(f"The browser: {browser_label(says)}")
    if verdict is not None:
        lines.append(f"The engine: {_engine_label(verdict)}")
    if says.message:
        lines.append(says.message)
    if state == "disagree":
        lines.append("The engine and the browser disagree: an engine bug, please report it.")
    return WatchRow(cells, "\n".join(lines), state)


def comparison_line(
    watched: Watched, verdict: Verdict, browser: str = "Chromium"
) -> tuple[str, bool | None]:
    """The browser's verdict as a line beside ours (the banner's), and whether they agree
    (None while the request is in flight)."""
    from corsinspector.watch.judge import agrees

    says = watched.browser
    theirs = f"{browser} (watched): {browser_label(says)}"
    if says.allowed is None:
        return theirs, None
    if agrees(watched, verdict):
        return f"{theirs} — agrees with the engine", True
    return (
        f"{theirs} — DISAGREES: the engine says {_engine_label(verdict)}. Please report it.",
        False,
    )


def load_label(load: PageLoad, shown: int) -> str:
    """A page load's group line: its number, URL, time and how many rows it shows."""
    clock = time.strftime("%H:%M:%S", time.localtime(load.started))
    rows = "1 request" if shown == 1 else f"{shown} requests"
    return f"Page load {max(load.index, 0) + 1}: {load.url} ({clock}, {rows})"


def count_line(shown: int, kept: int, dropped: int, disagreements: int, everything: bool) -> str:
    """The line under the list: what it shows out of what is kept, what the cap dropped."""
    which = "requests" if everything else "cross-origin requests"
    parts = [f"{shown:,} {which} shown of {kept:,} kept"]
    if dropped:
        parts.append(f"{dropped:,} oldest dropped (the list keeps {WATCH_CAP:,})")
    if disagreements:
        parts.append(
            "1 disagreement with the browser"
            if disagreements == 1
            else f"{disagreements} disagreements with the browser"
        )
    return "; ".join(parts)


def browser_choice(key: str, address: str = "") -> str:
    """What ``corsinspector.watch.watcher.parse_browser`` reads for the pane's choice ``key``
    (one of BROWSERS' keys); ``address`` the ``host:port`` of a browser already listening."""
    if key != "cdp":
        return key
    address = address.strip()
    if not re.fullmatch(r"[^\s:]+:\d{1,5}", address):
        raise InputError(
            "DevTools address",
            "give it as host:port (a Chrome started with --remote-debugging-port=9222 "
            "listens at 127.0.0.1:9222)",
        )
    return f"cdp={address}"


# --- files ---------------------------------------------------------------------------------


def scenario_file_name(watched: Watched) -> str:
    """A file name for ``watched`` saved as a scenario: method, host and path, as a slug."""
    words = re.sub(r"^[a-z]+://", "", watched.request.url.lower()).split("?")[0]
    slug = re.sub(r"[^a-z0-9]+", "-", f"{watched.request.method.lower()}-{words}").strip("-")
    return f"{slug[:80] or 'watched'}.json"


def save_scenario(watched: Watched, path: str | os.PathLike[str]) -> Scenario:
    """``watched`` as a ``cors-scenario/1`` file (the request and the server's answers as
    captured), written safely; StorageError when it cannot be written."""
    from corsinspector.formats.atomic import write_json_atomic
    from corsinspector.formats.scenario import scenario_to_dict
    from corsinspector.watch.judge import watched_scenario

    scenario = watched_scenario(watched)
    write_json_atomic(path, scenario_to_dict(scenario))
    return scenario


def expectation(watched: Watched, verdict: Verdict) -> Expectation:
    """The verdict a saved watched request is expected to reach: the browser's own (what
    really happened), ours while the browser has not said."""
    from corsinspector.formats.collection import Expectation

    says = watched.browser
    if says.allowed is not None:
        return Expectation(says.allowed, None if says.allowed else says.kind)
    error = verdict.error
    return Expectation(error is None, None if error is None else error.kind)


def save_to_collection(
    collection: Collection,
    path: str | os.PathLike[str],
    name: str,
    watched: Watched,
    verdict: Verdict,
) -> Collection:
    """``watched`` added as ``name`` to the collection's "Watched" folder with its expected
    verdict, written safely; the collection as saved (InputError or StorageError otherwise)."""
    from corsinspector.formats.collection import (
        Folder,
        item_from_request,
        merge_folders,
        save_collection,
    )

    item = item_from_request(name, watched.request, expectation(watched, verdict))
    return save_collection(path, merge_folders(collection, [Folder(WATCHED_FOLDER, (item,))]))
