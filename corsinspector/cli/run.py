"""``run``: replay a collection live, each item against its expected verdict (for CI)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from corsinspector.cli.exits import Exit
from corsinspector.cli.parser import check_seconds
from corsinspector.engine.kinds import outcome_label
from corsinspector.errors import InputError
from corsinspector.formats.atomic import write_text_atomic
from corsinspector.formats.collection import Variable, load_collection, load_environments
from corsinspector.formats.json import dump_json
from corsinspector.live.inspector import InspectOptions
from corsinspector.live.runner import ItemResult, json_report, junit_report, run_collection

__all__ = ["environment_of", "run"]


def environment_of(args: argparse.Namespace) -> dict[str, Variable]:
    """The variables of --env NAME from --envs FILE (run and export); none without --env."""
    envs_path = Path(args.envs) if args.envs else Path(args.collection).with_suffix(".env.json")
    if args.env is None:
        return {}
    if not envs_path.exists():
        raise InputError(f"--env {args.env}", f"no environments file {envs_path}")
    environments = load_environments(envs_path)
    if args.env not in environments:
        known = ", ".join(sorted(environments)) or "none"
        raise InputError(f"--env {args.env}", f"no such environment in {envs_path} ({known})")
    return environments[args.env]


def _line(result: ItemResult) -> str:
    got = outcome_label(result.verdict.allowed, result.kind)
    mark = "PASS" if result.holds else "FAIL"
    return f"{mark} {result.path}: {got} ({result.seconds * 1000:.0f} ms)"


def run(args: argparse.Namespace) -> int:
    """OK when every expectation holds, BLOCKED when one fails, NETWORK when one failed
    without a CORS error."""
    check_seconds("--timeout", args.timeout)
    if args.concurrency < 1:
        raise InputError("--concurrency", "must be 1 or more")
    collection = load_collection(args.collection)
    variables = {name: v.value for name, v in environment_of(args).items()}
    total = len(collection.items())
    done = 0
    terminal = sys.stdout.isatty()

    def progress(result: ItemResult) -> None:
        nonlocal done
        done += 1
        if terminal:
            filled = int(30 * done / max(total, 1))
            bar = "#" * filled + "-" * (30 - filled)
            print(f"\r[{bar}] {done}/{total}", end="", flush=True)
        else:
            print(_line(result), flush=True)

    options = InspectOptions(timeout=args.timeout)
    results = asyncio.run(
        run_collection(
            collection, variables, concurrency=args.concurrency, options=options, on_result=progress
        )
    )
    if terminal:
        print()
        for result in results:
            if not result.holds:
                print(_line(result))
    if args.junit:
        write_text_atomic(args.junit, junit_report(collection.name, results))
    if args.json:
        write_text_atomic(args.json, dump_json(json_report(results)))
    failed = sum(not r.holds for r in results)
    print(f"{total - failed} of {total} items as expected.")
    if any(r.network_failed and not r.holds for r in results):
        return Exit.NETWORK
    return Exit.BLOCKED if failed else Exit.OK
