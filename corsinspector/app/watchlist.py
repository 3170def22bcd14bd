"""The Watch pane's live list without Qt: the rows shown, grouped by page load in the order the
page started them, filtered as ``Session.find`` filters, and kept up to date by changes a list
model applies one by one (a burst of new rows is one insert)."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corsinspector.app.watching import WatchRow, load_label, watch_row

if TYPE_CHECKING:
    from corsinspector.watch.capture import PageLoad, Session, Watched

__all__ = ["Change", "Group", "WatchList"]


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
