"""Real Chromium, live: a sample of the corpus recorded again must match its checked-in truth,
so that a change of Chromium (or of the recorder) is noticed. Marked ``browser``: slower."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsinspector.formats.scenario import load_truth
from corsinspector.realbrowser.recorder import compare_truths
from tests.golden.corpus import TRUTHS, record_live, scenario_paths

pytestmark = pytest.mark.browser

SAMPLE_SIZE = 30


def sample_names() -> list[str]:
    """Every n-th scenario: a spread over the families (files sort by family prefix)."""
    names = [p.stem for p in scenario_paths()]
    step = max(1, len(names) // SAMPLE_SIZE)
    return names[::step][:SAMPLE_SIZE]


def test_a_sample_of_the_corpus_rerecorded_live_matches_its_truths(tmp_path: Path) -> None:
    names = sample_names()
    assert len(names) >= min(SAMPLE_SIZE, len(scenario_paths()))
    fresh = record_live(names, tmp_path)
    differences = []
    for name in names:
        differences += compare_truths(load_truth(TRUTHS / f"{name}.json"), fresh[name])
    assert differences == [], "\n".join(differences)


def test_each_run_has_a_fresh_profile_so_no_preflight_is_cached(tmp_path: Path) -> None:
    scenario = {
        "format": "cors-scenario/1",
        "description": "A PUT whose preflight allows caching for ten minutes.",
        "request": {"url": "https://api.example.test/cached", "method": "PUT"},
        "server": [
            {
                "method": "OPTIONS",
                "status": 204,
                "headers": [
                    ["Access-Control-Allow-Origin", "https://app.example.test"],
                    ["Access-Control-Allow-Methods", "PUT"],
                    ["Access-Control-Max-Age", "600"],
                ],
            },
            {
                "method": "PUT",
                "status": 200,
                "headers": [["Access-Control-Allow-Origin", "https://app.example.test"]],
            },
        ],
    }
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    for name in ("first", "second"):
        (scenarios / f"{name}.json").write_text(json.dumps(dict(scenario, name=name)))
    truths = record_live(["first", "second"], tmp_path / "truths", scenarios)
    for truth in truths.values():
        assert truth.allowed
        assert [r.method for r in truth.received] == ["OPTIONS", "PUT"]
