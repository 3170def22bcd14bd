"""The Watch pane's words, list and files, without Qt: each watched request's row (method, URL,
initiator, preflight, Chromium's verdict beside ours, a disagreement flagged), the rows grouped
by page load as changes a list model applies one by one, the browser's verdict as a line beside
ours, the browser choice, and a watched request saved as a scenario or a collection item."""

from __future__ import annotations

import re
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corsinspector.engine.kinds import outcome_label
from corsinspector.errors import InputError

if TYPE_CHECKING:
    import os

    from corsinspector.formats.collection import Collection, Expectation
    from corsinspector.model import Scenario, Verdict
    from corsinspector.watch.capture import BrowserSays, PageLoad, Session, Watched

__all__ = [
    "BROWSERS",
    "COLUMNS",
    "PROFILES",
    "WATCHED_FOLDER",
    "WATCH_CAP",
    "Change",
    "Group",
    "WatchList",
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


# --- the live list, grouped by page load ----------------------------------------------------


@dataclass
class Group:
    """One page load's rows, in the order the page started them."""

    load: PageLoad
    ids: list[str] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    """One change to the list, for a model to announce: ``groups`` (groups ``first`` to
    ``last`` added), ``insert``, ``remove`` or ``update`` (rows ``first`` to ``last`` of
    group ``group``). A model announces it, calls ``apply`` and announces it done."""

    kind: str
    group: int
    first: int
    last: int
    apply: Callable[[], None]


def _nothing() -> None:
    """An update changes what rows show, not the list."""


class WatchList:
    """The rows the list shows, grouped by page load: cross-origin requests (every request
    with ``everything``) matching ``text`` as ``Session.find`` matches it. Rows arrive and
    change in bursts: ``changes`` turns a burst into a few changes a model applies in turn."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.text = ""
        self.everything = False
        self.groups: list[Group] = []
        self._rows: dict[str, WatchRow] = {}
        self._group_of: dict[str, int] = {}
        #: The session's drop count when the list last looked for dropped rows.
        self._dropped = session.dropped
        #: The ids of the requests whose verdicts disagree with the browser's.
        self._disagreeing: set[str] = set()

    # --- reading ---

    def __len__(self) -> int:
        return len(self._group_of)

    def watched(self, group: int, row: int) -> Watched | None:
        """The request at ``row`` of ``group`` (None when it is gone)."""
        ids = self.groups[group].ids
        return self.session.get(ids[row]) if 0 <= row < len(ids) else None

    def row(self, group: int, row: int) -> WatchRow:
        """The cells of ``row`` of ``group``, made when first shown and after each change."""
        request_id = self.groups[group].ids[row]
        cached = self._rows.get(request_id)
        if cached is None:
            watched = self.session.get(request_id)
            if watched is None:
                return WatchRow(("", "(dropped)", "", "", "", ""), "", "pending")
            cached = watch_row(watched, self.session.verdict(watched) if watched.done else None)
            self._rows[request_id] = cached
        return cached

    def position(self, request_id: str) -> tuple[int, int] | None:
        """Where the request with ``request_id`` is shown (group, row), if it is."""
        group = self._group_of.get(request_id)
        watched = self.session.get(request_id)
        if group is None or watched is None:
            return None
        seqs = self.groups[group].seqs
        return group, bisect_left(seqs, watched.seq)

    def disagreements(self) -> int:
        """How many requests kept disagree with the browser (whatever the filter shows)."""
        return len(self._disagreeing)

    def _judge(self, rows: list[Watched]) -> None:
        """Each finished row judged as it comes (cached by the session), so that every
        disagreement is counted, not only those drawn."""
        from corsinspector.watch.judge import agrees

        for watched in rows:
            if watched.done and watched.browser.allowed is not None:
                if agrees(watched, self.session.verdict(watched)):
                    self._disagreeing.discard(watched.id)
                else:
                    self._disagreeing.add(watched.id)

    def group_label(self, group: int) -> str:
        return load_label(self.groups[group].load, len(self.groups[group].ids))

    # --- changing ---

    def _shown_ids(self) -> set[str] | None:
        """The ids the filter lets through, or None when it lets every one through (no text:
        only cross-origin-ness, read row by row)."""
        if not self.text:
            return None
        return {w.id for w in self.session.find(self.text, everything=self.everything)}

    def _lets_through(self, watched: Watched, shown: set[str] | None) -> bool:
        if shown is not None:
            return watched.id in shown
        return self.everything or watched.cross_origin

    def rebuild(self, text: str | None = None, everything: bool | None = None) -> None:
        """Every row again (a new filter or session): for a model's reset."""
        if text is not None:
            self.text = text.strip()
        if everything is not None:
            self.everything = everything
        self.groups = [Group(load) for load in self.session.loads]
        self._rows.clear()
        self._group_of.clear()
        self._dropped = self.session.dropped
        found = self.session.find(self.text, everything=self.everything)
        for watched in sorted(found, key=lambda w: w.seq):  # as the page started them
            group = self._group_for(watched)
            self.groups[group].ids.append(watched.id)
            self.groups[group].seqs.append(watched.seq)
            self._group_of[watched.id] = group

    def _group_for(self, watched: Watched) -> int:
        if not self.groups:
            self._add_orphans()
        return min(watched.load, len(self.groups) - 1)

    def _add_orphans(self) -> None:
        """A group for rows heard of before their page load (index -1 until it is)."""
        from corsinspector.watch.capture import PageLoad

        self.groups.append(Group(PageLoad(-1, "(the page is loading)", time.time())))

    def _name_orphans(self) -> None:
        self.groups[0].load = self.session.loads[0]

    def changes(self, changed: Iterable[Watched]) -> Iterator[Change]:
        """The changes that bring the list up to date with the session after ``changed``
        rows were added or replaced; each change's positions hold once the one before it is
        applied, so apply each before taking the next."""
        yield from self._drops()
        loads = self.session.loads
        if self.groups and self.groups[0].load.index < 0 and loads:
            yield Change("update", -1, 0, 0, self._name_orphans)
        if len(loads) > len(self.groups):
            first = len(self.groups)
            yield Change("groups", -1, first, len(loads) - 1, lambda: self._add_groups(first))
        if not self.groups:
            yield Change("groups", -1, 0, 0, self._add_orphans)
        latest = [w for w in {w.id: w for w in changed}.values() if self.session.get(w.id) is w]
        self._judge(latest)
        shown = self._shown_ids()
        kept: list[Watched] = []
        added: dict[int, list[Watched]] = {}
        for watched in latest:  # removals first: the updates' rows are read after them
            self._rows.pop(watched.id, None)
            where = self.position(watched.id)
            wanted = self._lets_through(watched, shown)
            if where is not None and not wanted:
                yield Change("remove", where[0], where[1], where[1], self._remover(watched.id))
            elif where is not None:
                kept.append(watched)
            elif wanted:
                added.setdefault(self._group_for(watched), []).append(watched)
        updated: dict[int, list[int]] = {}
        for watched in kept:
            where = self.position(watched.id)
            if where is not None:
                updated.setdefault(where[0], []).append(where[1])
        for group, rows in updated.items():
            yield Change("update", group, min(rows), max(rows), _nothing)
        for group, rows_added in added.items():
            yield from self._inserts(group, sorted(rows_added, key=lambda w: w.seq))

    def _drops(self) -> Iterator[Change]:
        """The rows the session's cap dropped (the oldest: mostly a run at the top), a
        change per run, the last run first so that the others' rows still hold."""
        if self.session.dropped == self._dropped:
            return
        self._dropped = self.session.dropped
        self._disagreeing = {i for i in self._disagreeing if self.session.get(i) is not None}
        for index, group in enumerate(self.groups):
            gone = [row for row, i in enumerate(group.ids) if self.session.get(i) is None]
            runs: list[tuple[int, int]] = []
            for row in gone:
                if runs and runs[-1][1] == row - 1:
                    runs[-1] = (runs[-1][0], row)
                else:
                    runs.append((row, row))
            for first, last in reversed(runs):
                yield Change("remove", index, first, last, self._dropper(index, first, last))

    def _dropper(self, index: int, first: int, last: int) -> Callable[[], None]:
        def drop() -> None:
            group = self.groups[index]
            for request_id in group.ids[first : last + 1]:
                self._group_of.pop(request_id, None)
                self._rows.pop(request_id, None)
            del group.ids[first : last + 1], group.seqs[first : last + 1]

        return drop

    def _remover(self, request_id: str) -> Callable[[], None]:
        def remove() -> None:
            where = self.position(request_id)
            if where is not None:
                del self.groups[where[0]].ids[where[1]], self.groups[where[0]].seqs[where[1]]
            self._group_of.pop(request_id, None)

        return remove

    def _add_groups(self, first: int) -> None:
        self.groups.extend(Group(load) for load in self.session.loads[first:])

    def _inserts(self, index: int, rows: list[Watched]) -> Iterator[Change]:
        """``rows`` (in order) into group ``index``: each run that lands at one place is one
        change (a burst at the end of the newest page load is one insert)."""
        group = self.groups[index]
        start = 0
        while start < len(rows):
            at = bisect_left(group.seqs, rows[start].seq)
            end = start + 1
            while end < len(rows) and (at == len(group.seqs) or rows[end].seq < group.seqs[at]):
                end += 1
            run = rows[start:end]
            yield Change("insert", index, at, at + len(run) - 1, self._inserter(index, at, run))
            start = end

    def _inserter(self, index: int, at: int, run: list[Watched]) -> Callable[[], None]:
        def insert() -> None:
            group = self.groups[index]
            group.ids[at:at] = [w.id for w in run]
            group.seqs[at:at] = [w.seq for w in run]
            for watched in run:
                self._group_of[watched.id] = index

        return insert
