"""History: a capped, searchable SQLite log of inspections, on real files."""

from __future__ import annotations

from pathlib import Path

from corsinspector.app.gallery import GALLERY
from corsinspector.app.history import History
from corsinspector.engine.judge import judge
from corsinspector.formats.scenario import load_scenario


def test_inspections_are_kept_newest_first_searchable_and_capped(tmp_path: Path) -> None:
    paths = sorted(GALLERY.glob("*.json"))[:5]
    with History(tmp_path / "history.sqlite3", cap=3) as history:
        for path in paths:
            scenario = load_scenario(path)
            history.add(scenario.request, judge(scenario))
        assert len(history) == 3
        entries = history.search()
        assert [e.request for e in entries] == [
            load_scenario(p).request for p in reversed(paths[2:])
        ]
        blocked = history.search("MissingAllowOriginHeader")
        assert all("MissingAllowOriginHeader" in e.outcome for e in blocked)
        assert entries[0].verdict["format"] == "cors-verdict/1"
    with History(tmp_path / "history.sqlite3", cap=3) as again:  # survives a restart
        assert len(again) == 3
