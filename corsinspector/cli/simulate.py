"""``simulate``: judge a scenario offline, as the browser would (or as every browser would)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from corsinspector.app.across import browser_rows, verdicts_across
from corsinspector.app.report import render_verdict
from corsinspector.cli.exits import Exit
from corsinspector.cli.parser import check_stack
from corsinspector.engine.judge import judge
from corsinspector.engine.profiles import DEFAULT_PROFILE
from corsinspector.formats.json import dump_json
from corsinspector.formats.scenario import load_scenario, verdict_to_dict

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """Exit OK whether allowed or blocked: the verdict is the output."""
    check_stack(args.stack)
    scenario = load_scenario(args.scenario)
    if args.browser == "all":
        verdicts = verdicts_across(scenario)
        verdict = verdicts[DEFAULT_PROFILE.name]
        if args.json:
            print(dump_json(verdict_to_dict(verdict, verdicts)), end="")
        else:
            print("\n".join(browser_rows(verdicts)))
            print(f"\nIn {DEFAULT_PROFILE.label} (the default):")
            print(render_verdict(verdict, args.stack))
        return Exit.OK
    if args.browser is not None:
        scenario = replace(scenario, browser=args.browser)
    verdict = judge(scenario)
    if args.json:
        print(dump_json(verdict_to_dict(verdict)), end="")
    else:
        print(render_verdict(verdict, args.stack))
    return Exit.OK
