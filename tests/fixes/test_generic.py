"""The generic fix makes every blocked scenario pass, or says that no server change can."""

from __future__ import annotations

from pathlib import Path

import pytest

from corsinspector.engine.judge import judge
from corsinspector.fixes.generic import CAUSE_WIDTH, apply_fix, generic_fix, is_server_fixable
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


GALLERY = Path(__file__).resolve().parents[2] / "resources" / "gallery"


@pytest.mark.parametrize(
    ("path", "first"),
    [
        (
            GALLERY / "redirected-preflight.json",
            "Answer the preflight where it is asked, no redirect (the trailing slash: /items vs "
            "/items/)",
        ),
        (GALLERY / "preflight-401-auth-first.json", "Let OPTIONS through before authentication"),
        (
            Path(__file__).resolve().parents[1]
            / "golden"
            / "scenarios"
            / "pf-combo-status-500-bad-acam.json",
            "The error path must send the CORS headers too",
        ),
    ],
    ids=["redirect", "401", "500"],
)
def test_the_fix_says_the_cause_first_in_its_title_and_every_stack(path: Path, first: str) -> None:
    from corsinspector.fixes.stacks import REGISTRY, stack_fix

    scenario = load_scenario(path)
    verdict = judge(scenario)
    assert verdict.error is not None
    fix = generic_fix(scenario, verdict)
    assert fix is not None
    assert fix.cause is not None
    assert fix.title.startswith(first.split(" (")[0])
    assert fix.cause.startswith(first)
    # wrapped, so that the panel shows it without scrolling sideways
    assert " ".join(fix.snippet.split()).startswith(first)
    assert max(len(line) for line in fix.snippet.splitlines()[:3]) <= CAUSE_WIDTH
    for name, record in REGISTRY.items():
        stacked = stack_fix(name, fix, verdict.error.kind)
        assert first.split(" (")[0] in stacked.title, name
        if not record.json:  # a JSON document has no comment line: its title says it
            lines = stacked.snippet.splitlines()
            assert lines[0].startswith(f"{record.comment} First: "), name
            said = " ".join(
                line.removeprefix(record.comment)
                for line in lines
                if line.startswith(record.comment)
            )
            assert " ".join(said.split()).startswith(f"First: {first}"), name


def test_a_fix_that_only_needs_headers_names_no_cause() -> None:
    for name in ("custom-header-not-allowed", "missing-allow-origin", "wildcard-with-credentials"):
        scenario = load_scenario(GALLERY / f"{name}.json")
        fix = generic_fix(scenario, judge(scenario))
        assert fix is not None, name
        assert fix.cause is None, name
        assert fix.title.startswith("Allow"), name


def test_an_error_response_without_the_headers_is_fixed_on_the_error_path() -> None:
    from corsinspector.model import Request, Route

    scenario = Scenario(
        "error-path",
        Request("https://api.example.test/items", origin="https://app.example.test"),
        (Route("GET", None, 503, (("Content-Type", "text/plain"),)),),
    )
    verdict = judge(scenario)
    assert verdict.error is not None
    assert verdict.error.kind == "MissingAllowOriginHeader"
    fix = generic_fix(scenario, verdict)
    assert fix is not None
    assert fix.title.startswith("The error path must send the CORS headers too; then allow")
    assert fix.cause is not None
    assert "GET https://api.example.test/items was answered 503" in fix.cause
    assert "on error responses as well" in fix.cause
    assert judge(apply_fix(scenario, verdict, fix)).allowed
