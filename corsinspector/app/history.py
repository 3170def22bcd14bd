"""History: every inspection kept in a local SQLite database, capped and searchable.

The database lives in the user's data directory (platformdirs) unless a path is given
(``":memory:"``: this session only). An entry made against the demo keeps its scenario's name,
so that it can be sent again when the demo's ports have changed (``rebased``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from platformdirs import user_data_path

from corsinspector.engine.kinds import verdict_label
from corsinspector.formats.scenario import request_from_dict, request_to_dict, verdict_to_dict
from corsinspector.model import Request, Verdict

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DEFAULT_CAP",
    "History",
    "HistoryEntry",
    "default_history_path",
    "demo_scenario",
    "entry_text",
    "entry_tooltip",
    "rebased",
    "when",
]

DEFAULT_CAP = 5000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    origin TEXT NOT NULL,
    outcome TEXT NOT NULL,
    request TEXT NOT NULL,
    verdict TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_at ON entries (at);
"""
_BLOCKED = "blocked%"


def default_history_path() -> Path:
    return user_data_path("CORS Inspector", appauthor=False) / "history.sqlite3"


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: float
    request: Request
    outcome: str
    #: The verdict as ``cors-verdict/1`` JSON.
    verdict: dict[str, object]
    #: The demo scenario it was sent to, if any.
    scenario: str | None = None

    @property
    def blocked(self) -> bool:
        return self.outcome.startswith("blocked")


class History:
    """A capped, searchable log of inspections. Use as a context manager, or close()."""

    def __init__(
        self, path: Path | None = None, cap: int = DEFAULT_CAP, *, verdicts: bool = True
    ) -> None:
        """``verdicts``: keep each verdict as ``cors-verdict/1`` JSON (False: the caller holds
        the verdicts; their entries' ``verdict`` is empty, and each add costs a tenth)."""
        self.path = path or default_history_path()
        self.keeps_verdicts = verdicts
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.cap = cap
        self._db = sqlite3.connect(self.path)
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(entries)")}
        if "scenario" not in columns:  # a database from before scenarios were kept
            with self._db:
                self._db.execute("ALTER TABLE entries ADD COLUMN scenario TEXT")

    @classmethod
    def in_memory(cls, cap: int = DEFAULT_CAP) -> History:
        """A history for this session only (nothing written to disk), whose caller holds the
        verdicts (the window does)."""
        return cls(Path(":memory:"), cap, verdicts=False)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def add(
        self,
        request: Request,
        verdict: Verdict,
        scenario: str | None = None,
        at: float | None = None,
    ) -> int:
        """Keep an inspection (``scenario``: the demo scenario it went to); its id."""
        return self.add_many([(request, verdict, scenario)], at)[0].id

    def add_many(
        self, kept: list[tuple[Request, Verdict, str | None]], at: float | None = None
    ) -> list[HistoryEntry]:
        """Keep inspections (oldest first) in one transaction; their entries, oldest first."""
        stamp = time.time() if at is None else at
        entries: list[HistoryEntry] = []
        with self._db:
            for request, verdict, scenario in kept:
                outcome = verdict_label(verdict)
                as_dict = verdict_to_dict(verdict) if self.keeps_verdicts else {}
                cursor = self._db.execute(
                    "INSERT INTO entries (at, method, url, origin, outcome, request, verdict, "
                    "scenario) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        stamp,
                        request.method,
                        request.url,
                        request.origin,
                        outcome,
                        json.dumps(request_to_dict(request)),
                        json.dumps(as_dict),
                        scenario,
                    ),
                )
                entry_id = int(cursor.lastrowid or 0)
                entries.append(HistoryEntry(entry_id, stamp, request, outcome, as_dict, scenario))
            if entries:  # ids only grow: the newest ``cap`` have ids above this one
                self._db.execute("DELETE FROM entries WHERE id <= ?", (entries[-1].id - self.cap,))
        return entries

    def search(
        self, text: str = "", limit: int = 100, *, blocked_only: bool = False
    ) -> list[HistoryEntry]:
        """Newest first; ``text`` matches the URL, method, origin, outcome or scenario (any
        case); ``blocked_only``: only the inspections that ended blocked."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._db.execute(
            "SELECT id, at, request, outcome, verdict, scenario FROM entries WHERE "
            "(url LIKE ?1 ESCAPE '\\' OR method LIKE ?1 ESCAPE '\\' OR origin LIKE ?1 "
            "ESCAPE '\\' OR outcome LIKE ?1 ESCAPE '\\' OR IFNULL(scenario, '') LIKE ?1 "
            "ESCAPE '\\') AND (?2 = 0 OR outcome LIKE ?3) ORDER BY id DESC LIMIT ?4",
            (pattern, int(blocked_only), _BLOCKED, limit),
        ).fetchall()
        return [
            HistoryEntry(
                row[0],
                row[1],
                request_from_dict(json.loads(row[2])),
                row[3],
                json.loads(row[4]),
                row[5],
            )
            for row in rows
        ]

    def clear(self) -> None:
        """Forget every inspection."""
        with self._db:
            self._db.execute("DELETE FROM entries")

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])


def when(at: float, now: float | None = None) -> str:
    """An entry's time as a list shows it: the time of day today, the date before."""
    stamp, today = time.localtime(at), time.localtime(time.time() if now is None else now)
    if stamp[:3] == today[:3]:
        return time.strftime("%H:%M:%S", stamp)
    if stamp.tm_year == today.tm_year:
        return time.strftime("%d %b %H:%M", stamp)
    return time.strftime("%Y-%m-%d %H:%M", stamp)


def entry_text(entry: HistoryEntry, now: float | None = None) -> str:
    """Two lines: the time, method and URL; the outcome."""
    request = entry.request
    return f"{when(entry.at, now)}  {request.method} {request.url}\n{entry.outcome}"


def entry_tooltip(entry: HistoryEntry, now: float | None = None) -> str:
    """The entry in full: its lines, the origin, and the demo scenario it went to."""
    lines = [entry_text(entry, now), f"Origin: {entry.request.origin}"]
    if entry.scenario:
        lines.append(f"Demo scenario: {entry.scenario} (sent to its server as it runs now)")
    return "\n".join(lines)


def _authority(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def demo_scenario(url: str, demo_urls: Mapping[str, str]) -> str | None:
    """The demo scenario whose server ``url`` goes to (``demo_urls``: each scenario's URL)."""
    authority = _authority(url)
    return next((name for name, its in demo_urls.items() if _authority(its) == authority), None)


def rebased(request: Request, demo_url: str) -> Request:
    """``request`` sent to the demo server now at ``demo_url`` (same path and query): an
    entry from an earlier run, whose demo port is gone."""
    old, new = urlsplit(request.url), urlsplit(demo_url)
    if (old.scheme, old.netloc) == (new.scheme, new.netloc):
        return request
    url = urlunsplit((new.scheme, new.netloc, old.path, old.query, old.fragment))
    return replace(request, url=url)
