"""``simulate``: judge a scenario offline, as the browser would."""

from __future__ import annotations

import argparse
from dataclasses import replace

from corsinspector.app.report import render_verdict
from corsinspector.cli.exits import Exit
from corsinspector.cli.parser import check_stack
from corsinspector.engine.judge import judge
from corsinspector.formats.json import dump_json
from corsinspector.formats.scenario import load_scenario, verdict_to_dict

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    """Exit OK whether allowed or blocked: the verdict is the output."""
    check_stack(args.stack)
    scenario = load_scenario(args.scenario)
    if args.browser is not None:
        scenario = replace(scenario, browser=args.browser)
    verdict = judge(scenario)
    if args.json:
        print(dump_json(verdict_to_dict(verdict)), end="")
    else:
        print(render_verdict(verdict, args.stack))
    return Exit.OK
