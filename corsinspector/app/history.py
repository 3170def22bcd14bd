"""History: every inspection kept in a local SQLite database, capped and searchable.

The database lives in the user's data directory (platformdirs) unless a path is given.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from corsinspector.engine.kinds import verdict_label
from corsinspector.formats.scenario import request_from_dict, request_to_dict, verdict_to_dict
from corsinspector.model import Request, Verdict

__all__ = ["DEFAULT_CAP", "History", "HistoryEntry", "default_history_path"]

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


class History:
    """A capped, searchable log of inspections. Use as a context manager, or close()."""

    def __init__(self, path: Path | None = None, cap: int = DEFAULT_CAP) -> None:
        self.path = path or default_history_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.cap = cap
        self._db = sqlite3.connect(self.path)
        self._db.executescript(_SCHEMA)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def add(self, request: Request, verdict: Verdict) -> int:
        outcome = verdict_label(verdict)
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO entries (at, method, url, origin, outcome, request, verdict) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    request.method,
                    request.url,
                    request.origin,
                    outcome,
                    json.dumps(request_to_dict(request)),
                    json.dumps(verdict_to_dict(verdict)),
                ),
            )
            self._db.execute(
                "DELETE FROM entries WHERE id NOT IN "
                "(SELECT id FROM entries ORDER BY id DESC LIMIT ?)",
                (self.cap,),
            )
        return int(cursor.lastrowid or 0)

    def search(self, text: str = "", limit: int = 100) -> list[HistoryEntry]:
        """Newest first; ``text`` matches the URL, method, origin or outcome."""
        pattern = f"%{text}%"
        rows = self._db.execute(
            "SELECT id, at, request, outcome, verdict FROM entries WHERE url LIKE ? OR "
            "method LIKE ? OR origin LIKE ? OR outcome LIKE ? ORDER BY id DESC LIMIT ?",
            (pattern, pattern, pattern, pattern, limit),
        ).fetchall()
        return [
            HistoryEntry(
                row[0], row[1], request_from_dict(json.loads(row[2])), row[3], json.loads(row[4])
            )
            for row in rows
        ]

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])
