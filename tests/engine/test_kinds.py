"""The failure-kind table (corsinspector.engine.kinds) covers every failure the engine makes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from corsinspector.engine.judge import judge
from corsinspector.engine.kinds import (
    CLIENT_SIDE_KINDS,
    KIND_IN_PLAIN_WORDS,
    KINDS,
    NON_CORS_KINDS,
    outcome_label,
    verdict_label,
)
from corsinspector.formats.scenario import load_scenario
from tests.golden.corpus import scenario_paths

GALLERY = Path(__file__).resolve().parents[2] / "resources" / "gallery"


def test_every_failure_the_engine_makes_is_in_the_table_at_one_of_its_stages() -> None:
    seen: set[str] = set()
    for path in [*scenario_paths(), *sorted(GALLERY.glob("*.json"))]:
        scenario = load_scenario(path)
        for browser in ("chromium", "firefox"):
            error = judge(replace(scenario, browser=browser)).error
            if error is None:
                continue
            kind = KINDS[error.kind]
            seen.add(kind.name)
            assert error.stage in kind.stages, (path.name, error)
            if browser == "firefox" and error.reason is not None:
                codes = {k.firefox for k in KINDS.values()}
                # Firefox's console category: MDN's code with a version digit (…Origin2)
                assert error.reason.rstrip("0123456789") in codes, (path.name, error.reason)
    assert len(seen) >= 20  # the corpus exercises nearly every kind


def test_the_derived_views_agree_with_the_table() -> None:
    assert frozenset({"FetchRejected", "NetworkFailure", "MixedContent"}) == NON_CORS_KINDS
    assert set(KIND_IN_PLAIN_WORDS) == set(KINDS)
    assert set(CLIENT_SIDE_KINDS) == {
        "FetchRejected",
        "CorsDisabledScheme",
        "DisallowedByMode",
        "MixedContent",
        "LocalNetworkAccessPermissionDenied",
    }
    assert all(not KINDS[name].server_fixable for name in CLIENT_SIDE_KINDS)


def test_outcome_labels() -> None:
    assert outcome_label(True, None) == "allowed"
    assert outcome_label(False, "MissingAllowOriginHeader") == "blocked: MissingAllowOriginHeader"
    blocked = judge(load_scenario(GALLERY / "missing-allow-origin.json"))
    assert verdict_label(blocked) == "blocked: MissingAllowOriginHeader"
