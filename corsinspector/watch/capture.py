"""What watching a page captured: each request the page made (``Watched``), its hops as the
browser sent them, the browser's own verdict, and the session that keeps them in the order the
page started them, capped (docs/watch.md, "Data model")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corsinspector.watch.judge import judge_watched
from corsinspector.watch.rows import IN_FLIGHT, BrowserSays, Hop, PageLoad, Watched

if TYPE_CHECKING:
    from corsinspector.model import Verdict

__all__ = ["DEFAULT_CAP", "IN_FLIGHT", "BrowserSays", "Hop", "PageLoad", "Session", "Watched"]

#: How many requests a session keeps before dropping the oldest.
DEFAULT_CAP = 5000


@dataclass
class Session:
    """Every request seen, in the order the page started them; capped, oldest dropped."""

    cap: int = DEFAULT_CAP
    loads: list[PageLoad] = field(default_factory=list)
    #: How many rows the cap dropped.
    dropped: int = 0
    _rows: dict[str, Watched] = field(default_factory=dict, repr=False)
    #: Our verdict per id, with the row version it was reached for.
    _verdicts: dict[str, tuple[Watched, Verdict]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.cap < 1:
            raise ValueError(f"a session keeps at least one request, not {self.cap}")

    def requests(self) -> list[Watched]:
        return list(self._rows.values())

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, id: str) -> Watched | None:
        return self._rows.get(id)

    def put(self, watched: Watched) -> None:
        """Insert ``watched`` (after every other row) or replace the row with its id."""
        if watched.id not in self._rows and len(self._rows) >= self.cap:
            oldest = next(iter(self._rows))
            del self._rows[oldest]
            self._verdicts.pop(oldest, None)
            self.dropped += 1
        self._rows[watched.id] = watched

    def start_load(self, url: str, started: float) -> PageLoad:
        load = PageLoad(len(self.loads), url, started)
        self.loads.append(load)
        return load

    def verdict(self, watched: Watched) -> Verdict:
        """Our engine's verdict on ``watched``, reached once per row version."""
        cached = self._verdicts.get(watched.id)
        if cached is not None and cached[0] is watched:
            return cached[1]
        verdict = judge_watched(watched)
        if watched.id in self._rows:
            self._verdicts[watched.id] = (watched, verdict)
        return verdict

    def find(self, text: str = "", *, everything: bool = False) -> list[Watched]:
        """The cross-origin rows (every row with ``everything``) whose method, URL, origin or
        verdict kind (ours or the browser's) contains ``text``, case-insensitively."""
        wanted = text.casefold()
        found = []
        for row in self._rows.values():
            if not everything and not row.cross_origin:
                continue
            if wanted and not self._matches(row, wanted):
                continue
            found.append(row)
        return found

    def _matches(self, row: Watched, wanted: str) -> bool:
        request = row.request
        fields = [request.method, request.url, request.origin, row.browser.kind or ""]
        if any(wanted in value.casefold() for value in fields):
            return True
        error = self.verdict(row).error
        return error is not None and wanted in error.kind.casefold()
