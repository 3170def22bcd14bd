"""The generic fix makes every blocked scenario pass, or says that no server change can."""

from __future__ import annotations

from pathlib import Path

import pytest

from corsinspector.engine.judge import judge
from corsinspector.fixes.generic import apply_fix, generic_fix, is_server_fixable
from corsinspector.formats.scenario import load_scenario
from corsinspector.model import Scenario
from tests.golden.corpus import scenario_paths

MAX_ROUNDS = 25  # one round per redirect hop at most


def _blocked() -> list[Path]:
    return [p for p in scenario_paths() if not judge(load_scenario(p)).allowed]


def _fixed(scenario: Scenario) -> tuple[Scenario, int]:
    for rounds in range(MAX_ROUNDS):
        verdict = judge(scenario)
        if verdict.allowed:
            return scenario, rounds
        assert verdict.error is not None
        fix = generic_fix(scenario, verdict)
        assert fix is not None
        if not is_server_fixable(verdict.error):
            return scenario, rounds
        scenario = apply_fix(scenario, verdict, fix)
    raise AssertionError("the fix did not converge")


@pytest.mark.parametrize("path", _blocked(), ids=lambda p: p.stem)
def test_applying_the_fix_makes_a_blocked_scenario_pass(path: Path) -> None:
    original = load_scenario(path)
    verdict = judge(original)
    assert verdict.error is not None
    fix = generic_fix(original, verdict)
    assert fix is not None
    if not is_server_fixable(verdict.error):
        assert fix.title.startswith("No server change can fix this")
        assert fix.headers == ()
        return
    if original.request.credentials == "include":
        for _, headers in fix.headers:
            assert ("Access-Control-Allow-Origin", "*") not in headers
    fixed, rounds = _fixed(original)
    assert judge(fixed).allowed, judge(fixed).error
    assert rounds >= 1


def test_an_allowed_scenario_needs_no_fix() -> None:
    path = next(p for p in scenario_paths() if judge(load_scenario(p)).allowed)
    scenario = load_scenario(path)
    assert generic_fix(scenario, judge(scenario)) is None
