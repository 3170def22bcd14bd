"""One scenario in every browser (corsinspector.app.across): a verdict per profile, the
headline when they disagree, and a fix checked to make every browser pass."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from corsinspector.app.across import browser_name, disagreement, fix_for_all, verdicts_across
from corsinspector.engine.judge import judge
from corsinspector.engine.profiles import DEFAULT_PROFILE, PROFILES
from corsinspector.formats.scenario import load_scenario, load_truth
from corsinspector.model import Request, Route, Scenario, Verdict

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
#: The folder of each profile's recorded truths.
_TRUTHS = {name: profile.truths for name, profile in PROFILES.items()}


def _truths_differ() -> list[str]:
    """Every corpus scenario that the real browsers' recorded truths allow in one browser
    and block in another."""
    names = []
    for path in sorted((GOLDEN / "scenarios").glob("*.json")):
        allowed = set()
        for folder in _TRUTHS.values():
            if not (GOLDEN / folder / path.name).exists():
                continue  # a scenario new to the corpus, not yet recorded in that browser
            truth = load_truth(GOLDEN / folder / path.name)
            if truth.reproducible:
                allowed.add(truth.allowed)
        if len(allowed) > 1:
            names.append(path.stem)
    return names


DIFFER = _truths_differ()


def _scenario(name: str) -> Scenario:
    return load_scenario(GOLDEN / "scenarios" / f"{name}.json")


def test_the_corpus_has_scenarios_the_browsers_disagree_on() -> None:
    assert "safelist-hint-dpr" in DIFFER
    assert len(DIFFER) >= 10


def test_one_verdict_per_profile_the_default_first_each_the_profiles_own() -> None:
    scenario = _scenario("acah-dpr-not-listed")
    verdicts = verdicts_across(scenario)
    assert list(verdicts) == list(PROFILES)
    assert next(iter(verdicts)) == DEFAULT_PROFILE.name
    for name, verdict in verdicts.items():
        alone = judge(replace(scenario, browser=name))
        assert (verdict.allowed, verdict.error) == (alone.allowed, alone.error)


def test_a_client_hint_chrome_safelists_is_blocked_in_firefox_and_safari_in_their_words() -> None:
    verdicts = verdicts_across(_scenario("safelist-hint-dpr"))
    assert [name for name, v in verdicts.items() if v.allowed] == ["chrome", "chromium-140"]
    headline = disagreement(verdicts)
    assert headline is not None
    assert headline.startswith(
        "Blocked in Firefox and Safari, allowed in Chrome and Chromium 140: "
    )
    # the culprit is the first blocked browser's (Firefox's): the preflight nobody answers
    assert "preflight" in headline
    firefox = verdicts["firefox"].error
    assert firefox is not None
    assert firefox.reason is not None  # Firefox's own reason code


def test_the_headline_names_the_blocked_and_the_allowed_on_every_scenario_they_differ() -> None:
    said = 0
    for name in DIFFER:
        verdicts = verdicts_across(_scenario(name))
        blocked = [browser_name(n) for n, v in verdicts.items() if not v.allowed]
        headline = disagreement(verdicts)
        if not blocked or len(blocked) == len(verdicts):
            assert headline is None
            continue
        said += 1
        assert headline is not None
        assert headline.startswith(f"Blocked in {blocked[0]}")
        for word in (browser_name(n) for n in verdicts):
            assert word in headline
    assert said >= 10


def test_no_headline_when_every_browser_agrees() -> None:
    verdicts = verdicts_across(_scenario("acac-false-omit"))
    assert all(v.allowed for v in verdicts.values())
    assert disagreement(verdicts) is None


def test_the_headline_words_for_two_three_and_one() -> None:
    verdicts = verdicts_across(_scenario("safelist-hint-dpr"))
    allowed, blocked = verdicts["chrome"], verdicts["firefox"]
    mixed: dict[str, Verdict] = {
        "chrome": blocked,
        "chromium-140": allowed,
        "firefox": allowed,
        "safari": blocked,
    }
    headline = disagreement(mixed)
    assert headline is not None
    assert headline.startswith(
        "Blocked in Chrome and Safari, allowed in Chromium 140 and Firefox: "
    )
    three = {**mixed, "chromium-140": blocked}
    assert str(disagreement(three)).startswith(
        "Blocked in Chrome, Chromium 140 and Safari, allowed in Firefox: "
    )


@pytest.mark.parametrize("name", DIFFER)
def test_the_fix_makes_every_browser_pass(name: str) -> None:
    scenario = _scenario(name)
    verdicts = verdicts_across(scenario)
    result = fix_for_all(scenario, verdicts)
    assert result.passes_everywhere, (name, result.still_blocked)
    assert result.scenario.browser == scenario.browser
    for profile in PROFILES:  # judged afresh, not trusted from the result
        assert judge(replace(result.scenario, browser=profile)).allowed, (name, profile)
    if any(not v.allowed for v in verdicts.values()):
        assert result.fixes
        first_blocked = next(n for n, v in verdicts.items() if not v.allowed)
        assert result.fixes[0][0] == first_blocked


def test_a_scenario_allowed_everywhere_needs_no_fix() -> None:
    scenario = _scenario("acac-false-omit")
    assert all(v.allowed for v in verdicts_across(scenario).values())
    result = fix_for_all(scenario)
    assert result.fixes == ()
    assert result.scenario is scenario
    assert result.passes_everywhere


def test_a_request_no_server_change_can_help_stays_blocked_everywhere() -> None:
    # port 6000 (X11) is a restricted port: every browser refuses to send to it
    request = Request("https://api.example.test:6000/data", origin="https://app.example.test")
    scenario = Scenario("restricted-port", request, (Route("GET", None, 200),))
    result = fix_for_all(scenario)
    assert result.fixes == ()
    assert result.still_blocked == tuple(PROFILES)
    assert not result.passes_everywhere
