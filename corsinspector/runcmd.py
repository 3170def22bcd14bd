"""The ``run`` and ``export`` commands: replay a collection headlessly (for CI), export it."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from corsinspector.collection import (
    Collection,
    Folder,
    Item,
    Variable,
    load_collection,
    load_environments,
    save_collection,
)
from corsinspector.engine.walk import first_requests
from corsinspector.errors import InputError
from corsinspector.export import curl_command, har_log
from corsinspector.formats import dump_json
from corsinspector.importers import import_file
from corsinspector.inspector import InspectOptions
from corsinspector.model import SentRequest
from corsinspector.runner import ItemResult, json_report, junit_report, run_collection

__all__ = ["export_command", "import_command", "run_command"]

EXIT_HOLDS, EXIT_FAILED, EXIT_NETWORK = 0, 1, 3


def _environment(args: argparse.Namespace) -> dict[str, Variable]:
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


def _variables(args: argparse.Namespace) -> dict[str, str]:
    return {name: variable.value for name, variable in _environment(args).items()}


def _uses(template: Any, secrets: set[str]) -> bool:
    return isinstance(template, str) and any("{{" + name + "}}" in template for name in secrets)


def _redact(sent: SentRequest, item: Item, secrets: set[str]) -> SentRequest:
    """``sent`` with every field that the item's template fills from a secret variable put
    back as the template (``Bearer {{token}}``): values are never matched as text, so a
    short secret cannot mangle an unrelated field."""
    template = item.request
    by_name = {
        str(name).lower(): value
        for name, value in template.get("headers", [])
        if _uses(value, secrets)
    }
    headers = tuple((name, by_name.get(name.lower(), value)) for name, value in sent.headers)
    url = template["url"] if _uses(template.get("url"), secrets) else sent.url
    body = template["body"] if _uses(template.get("body"), secrets) else sent.body
    return SentRequest(sent.method, url, headers, body)


def import_command(args: argparse.Namespace) -> int:
    """Import each file into the collection (created, or added to: folders of the same name
    gain the new items)."""
    output = Path(args.output)
    collection = load_collection(output) if output.exists() else Collection(output.stem, ())
    folders = {folder.name: list(folder.items) for folder in collection.folders}
    imported = 0
    for name in args.files:
        for folder in import_file(name):
            folders.setdefault(folder.name, []).extend(folder.items)
            imported += len(folder.items)
    merged = tuple(Folder(name, tuple(items)) for name, items in folders.items())
    save_collection(output, Collection(collection.name, merged, collection.loaded_digest))
    print(f"imported {imported} items into {output}")
    return EXIT_HOLDS


def export_command(args: argparse.Namespace) -> int:
    collection = load_collection(args.collection)
    environment = _environment(args)
    variables = {name: variable.value for name, variable in environment.items()}
    secrets = set() if args.keep_secrets else {n for n, v in environment.items() if v.secret}
    items = dict(collection.items())
    if args.to == "curl":
        lines = []
        for path, item in items.items():
            lines.append(f"# {path}")
            for sent in first_requests(item.resolve(variables, path)):
                lines.append(curl_command(_redact(sent, item, secrets)))
        text = "\n".join(lines) + "\n"
    else:
        results = asyncio.run(run_collection(collection, variables))
        recorded = []
        for result in results:
            item = items[result.path]
            exchanges = tuple(
                replace(e, request=_redact(e.request, item, secrets))
                for e in result.verdict.exchanges
            )
            recorded.append((result.path, replace(result.verdict, exchanges=exchanges)))
        text = dump_json(har_log(recorded))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return EXIT_HOLDS


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
