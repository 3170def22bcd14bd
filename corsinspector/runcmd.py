"""The ``run`` command: replay a collection headlessly, for CI."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from corsinspector.collection import load_collection, load_environments
from corsinspector.errors import InputError
from corsinspector.formats import dump_json
from corsinspector.inspector import InspectOptions
from corsinspector.runner import ItemResult, json_report, junit_report, run_collection

__all__ = ["run_command"]

EXIT_HOLDS, EXIT_FAILED, EXIT_NETWORK = 0, 1, 3


def _variables(args: argparse.Namespace) -> dict[str, str]:
    envs_path = Path(args.envs) if args.envs else Path(args.collection).with_suffix(".env.json")
    if args.env is None:
        return {}
    if not envs_path.exists():
        raise InputError(f"--env {args.env}", f"no environments file {envs_path}")
    environments = load_environments(envs_path)
    if args.env not in environments:
        known = ", ".join(sorted(environments)) or "none"
        raise InputError(f"--env {args.env}", f"no such environment in {envs_path} ({known})")
    return {name: variable.value for name, variable in environments[args.env].items()}


def _line(result: ItemResult) -> str:
    got = "allowed" if result.verdict.allowed else f"blocked: {result.kind}"
    mark = "PASS" if result.holds else "FAIL"
    return f"{mark} {result.path}: {got} ({result.seconds * 1000:.0f} ms)"


def run_command(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise InputError("--concurrency", "must be 1 or more")
    collection = load_collection(args.collection)
    variables = _variables(args)
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
        Path(args.junit).write_text(junit_report(collection.name, results), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(dump_json(json_report(results)), encoding="utf-8")
    failed = sum(not r.holds for r in results)
    print(f"{total - failed} of {total} items as expected.")
    if any(r.network_failed and not r.holds for r in results):
        return EXIT_NETWORK
    return EXIT_FAILED if failed else EXIT_HOLDS
