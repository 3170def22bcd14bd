"""Every stack has a fix for every blockable verdict kind, checked by a parser where one
exists; the stacks that cannot run here are pinned by golden files.

The kinds come from the golden corpus (every CorsError kind real Chromium 140 produced,
plus the requests it refuses to send). The live proofs of the stacks that run here are
in tests/fixes/test_stack_proof.py.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import pytest

from corsinspector.engine.judge import judge
from corsinspector.fixes.stacks import JSON_STACKS, STACKS, stack_fix
from corsinspector.formats.scenario import load_scenario
from corsinspector.model import Verdict, header_values
from tests.fixes.snippet_parsers import PARSED, syntax_errors
from tests.golden.corpus import scenario_paths

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("stack_golden", ROOT / "tools" / "stack_golden.py")
assert _spec is not None
assert _spec.loader is not None
stack_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stack_golden)


@cache
def one_scenario_per_kind() -> dict[str, Verdict]:
    kinds: dict[str, Verdict] = {}
    for path in scenario_paths():
        verdict = judge(load_scenario(path))
        if verdict.error is not None:
            kinds.setdefault(verdict.error.kind, verdict)
    return kinds


KINDS = sorted(one_scenario_per_kind())


def test_the_corpus_has_every_kind_chromium_reported() -> None:
    assert len(KINDS) >= 20
    assert {"FetchRejected", "PreflightInvalidStatus", "WildcardOriginNotAllowed"} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_stack_has_a_fix_for_the_kind_that_parses(kind: str) -> None:
    verdict = one_scenario_per_kind()[kind]
    assert verdict.fixes, f"no fix for {kind}"
    fix = verdict.fixes[0]
    configurable = bool(fix.headers) and fix.redirect is None
    origins = header_values(dict(fix.headers).get("actual", ()), "Access-Control-Allow-Origin")
    for stack in STACKS:
        snippet = stack_fix(stack, fix, kind).snippet
        assert snippet.strip(), (stack, kind)
        if not configurable:
            assert "No server change" in snippet or "change the redirect" in snippet, (
                stack,
                kind,
            )
            continue
        if origins:
            assert origins[0] in snippet, (stack, kind)
        config = snippet.split("Pitfalls")[0]
        assert '"*"' not in config, (stack, kind)  # never a blanket wildcard
        if stack in PARSED and (stack not in JSON_STACKS or configurable):
            assert syntax_errors(stack, snippet) == [], (stack, kind, snippet)


def test_the_parsers_catch_a_broken_snippet() -> None:
    assert syntax_errors("rails", "allow do\n  origins [1, 2\nend") != []
    assert syntax_errors("go-rs-cors", "c := cors.New(cors.Options{") != []
    assert syntax_errors("spring", "public class A { void f( }") != []
    assert syntax_errors("laravel", "<?php return [1,;") != []
    assert syntax_errors("aspnet", 'app.UseCors("Api"') != []
    assert syntax_errors("nextjs", "export async function OPTIONS( {") != []


GOLDEN_CASES = [
    (stack, name) for stack in stack_golden.GOLDEN_STACKS for name in stack_golden.blocked_gallery()
]


def test_the_golden_stacks_are_the_ones_that_cannot_run_here() -> None:
    assert set(stack_golden.GOLDEN_STACKS) | set(stack_golden.LIVE) == set(STACKS)
    assert len(GOLDEN_CASES) >= 9 * 8


@pytest.mark.parametrize(("stack", "name"), GOLDEN_CASES)
def test_snippet_matches_its_golden_file(stack: str, name: str) -> None:
    path = stack_golden.GOLDEN / stack / f"{name}.txt"
    assert path.exists(), f"{path} is missing: run python tools/stack_golden.py"
    assert stack_golden.golden_text(stack, name) == path.read_text(), (
        f"{stack} snippet for {name} changed: if deliberate, run python tools/stack_golden.py "
        "and review the diff"
    )
