"""One scenario judged in every browser the engine models: a verdict per profile, the
headline's words when they disagree, and a fix that makes every one of them pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from corsinspector.app.report import headline
from corsinspector.app.whatif import try_fix
from corsinspector.engine.judge import judge
from corsinspector.engine.kinds import verdict_label
from corsinspector.engine.profiles import PROFILES, get_profile
from corsinspector.fixes.generic import apply_fix, is_server_fixable
from corsinspector.model import Fix, Scenario, Verdict

__all__ = [
    "FixForAll",
    "browser_name",
    "browser_rows",
    "disagreement",
    "fix_for_all",
    "unsent",
    "verdicts_across",
]

_MAX_ROUNDS = 44  # as what-if's try_fix: a preflight and a request for each of 21 hops
_MAX_PASSES = 3  # a later browser's fix rarely undoes an earlier one's; never loop forever


def browser_name(profile: str) -> str:
    """A profile's name as a sentence says it: ``Chrome``, ``Chromium 140``, ``Safari``."""
    return get_profile(profile).label.split(" (")[0]


def verdicts_across(scenario: Scenario) -> dict[str, Verdict]:
    """``scenario`` judged by every profile, keyed by profile name, the default first."""
    return {name: judge(replace(scenario, browser=name)) for name in PROFILES}


def _sent_lines(verdict: Verdict) -> list[str]:
    return [
        f"{'OPTIONS' if e.kind == 'preflight' else e.request.method} {e.request.url}"
        for e in verdict.exchanges
    ]


def unsent(live: Verdict, verdicts: Mapping[str, Verdict]) -> dict[str, str]:
    """Per profile, the first request it would send that the live inspection never sent
    (``OPTIONS https://…``): judged from ``live``'s exchanges, its answer is assumed (a
    404 without CORS headers), not known."""
    known = {line for e, line in zip(live.exchanges, _sent_lines(live), strict=True) if e.response}
    missing = {}
    for name, verdict in verdicts.items():
        lines = [line for line in _sent_lines(verdict) if line not in known]
        if lines:
            missing[name] = lines[0]
    return missing


def _names(profiles: list[str]) -> str:
    words = [browser_name(name) for name in profiles]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def disagreement(verdicts: Mapping[str, Verdict]) -> str | None:
    """The headline when the browsers disagree on allowed/blocked (None when they agree):
    ``Blocked in Firefox and Safari, allowed in Chrome: <the first blocked one's culprit>``."""
    blocked = [name for name, verdict in verdicts.items() if not verdict.allowed]
    allowed = [name for name, verdict in verdicts.items() if verdict.allowed]
    if not blocked or not allowed:
        return None
    culprit = headline(verdicts[blocked[0]]).title.removeprefix("Blocked: ")
    return f"Blocked in {_names(blocked)}, allowed in {_names(allowed)}: {culprit}"


def browser_rows(verdicts: Mapping[str, Verdict]) -> list[str]:
    """The verdicts as text: the headline (their disagreement, or that they agree), then a
    row per browser, allowed or blocked and the console message in that browser's words."""
    outcomes = {verdict.allowed for verdict in verdicts.values()}
    said = disagreement(verdicts)
    if said is None:
        said = f"Every browser agrees: {'allowed' if outcomes == {True} else 'blocked'}"
    width = max(len(get_profile(name).label) for name in verdicts)
    lines = [said]
    for name, verdict in verdicts.items():
        reason = "" if verdict.error is None or not verdict.error.reason else verdict.error.reason
        label = verdict_label(verdict) + (f" ({reason})" if reason else "")
        lines.append(f"  {get_profile(name).label:<{width}}  {label}")
        if verdict.error is not None:
            lines.append(f"  {'':<{width}}    {verdict.error.message.rstrip()}")
    return lines


@dataclass(frozen=True)
class FixForAll:
    """The fixes that make a scenario pass in every browser, checked in each of them."""

    #: (the profile whose verdict asked for it, the fix), in the order applied.
    fixes: tuple[tuple[str, Fix], ...]
    #: The scenario with every fix applied (its own ``browser`` kept).
    scenario: Scenario
    #: Each profile's verdict of the fixed scenario (``try_fix`` found nothing more to fix).
    verdicts: dict[str, Verdict]

    @property
    def still_blocked(self) -> tuple[str, ...]:
        """The profiles no server change makes pass (a request the browser refuses …)."""
        return tuple(name for name, verdict in self.verdicts.items() if not verdict.allowed)

    @property
    def passes_everywhere(self) -> bool:
        return not self.still_blocked


def _fixed_in(scenario: Scenario, verdict: Verdict) -> tuple[Scenario, list[Fix]]:
    """``scenario`` (judged ``verdict``) with its browser's fixes applied until it passes or
    no server change helps, and those fixes: what-if's try_fix, keeping the scenario."""
    fixes: list[Fix] = []
    while not verdict.allowed and verdict.fixes and len(fixes) < _MAX_ROUNDS:
        if verdict.error is None or not is_server_fixable(verdict.error):
            break
        fixes.append(verdict.fixes[0])
        scenario = apply_fix(scenario, verdict, verdict.fixes[0])
        verdict = judge(scenario)
    return scenario, fixes


def fix_for_all(scenario: Scenario, verdicts: Mapping[str, Verdict] | None = None) -> FixForAll:
    """Each blocked browser's fix applied in turn (the default profile first) until every
    profile passes, then checked with try_fix under every profile. ``verdicts``: those of
    :func:`verdicts_across` for ``scenario``, when already judged."""
    known = dict(verdicts or {})
    fixed = scenario
    applied: list[tuple[str, Fix]] = []
    for _ in range(_MAX_PASSES):
        changed = False
        for name in PROFILES:
            mine = replace(fixed, browser=name)
            verdict = known.pop(name, None) if fixed is scenario else None
            mine, fixes = _fixed_in(mine, verdict or judge(mine))
            if fixes:
                applied += [(name, fix) for fix in fixes]
                changed = True
                fixed = replace(mine, browser=scenario.browser)
        if not changed:
            break
    checked = {name: try_fix(replace(fixed, browser=name)) for name in PROFILES}
    # a verdict try_fix had to fix further is not the fixed scenario's: keep the first one
    final = {
        name: verdict if rounds == 0 else judge(replace(fixed, browser=name))
        for name, (verdict, rounds) in checked.items()
    }
    return FixForAll(tuple(applied), fixed, final)
