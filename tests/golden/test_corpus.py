"""The golden corpus is complete and well-formed: every scenario has its recorded truth."""

from __future__ import annotations

import pytest

from corsinspector.formats.scenario import load_scenario, load_truth
from corsinspector.wire.loopback import unreproducible_reason
from tests.golden.corpus import SCENARIOS, TRUTHS, scenario_paths, truth_paths

MINIMUM_SCENARIOS = 250


def test_the_corpus_is_large_enough() -> None:
    assert len(scenario_paths()) >= MINIMUM_SCENARIOS


def test_every_scenario_parses_and_is_named_after_its_file() -> None:
    names = []
    for path in scenario_paths():
        scenario = load_scenario(path)
        assert scenario.name == path.stem
        assert scenario.description, f"{path.name}: say what the scenario tests"
        names.append(scenario.name)
    assert len(names) == len(set(names))


def test_every_scenario_has_a_truth_and_every_truth_a_scenario() -> None:
    scenarios = {p.stem for p in scenario_paths()}
    truths = {p.stem for p in truth_paths()}
    assert scenarios - truths == set(), "record them: python tools/record_golden.py NAME…"
    assert truths - scenarios == set(), "truths without a scenario"


@pytest.mark.parametrize("path", truth_paths(), ids=lambda p: p.stem)
def test_each_truth_is_a_complete_recording(path: object) -> None:
    truth = load_truth(TRUTHS / f"{path.stem}.json")  # type: ignore[attr-defined]
    scenario = load_scenario(SCENARIOS / f"{truth.scenario}.json")
    assert truth.scenario == scenario.name
    assert truth.browser == "chromium"
    assert truth.recorded_with.get("embedder", "").startswith("QtWebEngine ")
    assert truth.unreproducible == unreproducible_reason(scenario)
    if truth.reproducible:
        assert truth.result is not None
        assert truth.result.outcome in ("resolved", "rejected"), "a timeout is no truth"
        assert truth.result.devtools, "recorded without DevTools: error kinds unheard"
        if truth.result.outcome == "rejected" and truth.cors_error is not None:
            assert truth.cors_message is not None
        assert all(r.url.startswith(("http://", "https://")) for r in truth.received)
        assert not any("127.0.0.1" in r.url for r in truth.received), "unmapped URL"
    else:
        assert truth.result is None


def test_the_corpus_covers_both_outcomes_and_many_error_kinds() -> None:
    truths = [load_truth(p) for p in truth_paths()]
    kinds = {t.cors_error.kind for t in truths if t.cors_error is not None}
    assert sum(t.allowed for t in truths) >= 50
    assert sum(not t.allowed and t.reproducible for t in truths) >= 100
    for kind in (
        "MissingAllowOriginHeader",
        "AllowOriginMismatch",
        "MultipleAllowOriginValues",
        "InvalidAllowOriginValue",
        "WildcardOriginNotAllowed",
        "InvalidAllowCredentials",
        "PreflightMissingAllowOriginHeader",
        "PreflightInvalidStatus",
        "PreflightDisallowedRedirect",
        "MethodDisallowedByPreflightResponse",
        "HeaderDisallowedByPreflightResponse",
        "InvalidAllowMethodsPreflightResponse",
        "InvalidAllowHeadersPreflightResponse",
        "RedirectContainsCredentials",
    ):
        assert kind in kinds, f"no scenario in the corpus ends in {kind}"
