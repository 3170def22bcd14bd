"""The ``run`` and ``export`` commands: replay a collection headlessly (for CI), export it."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from corsinspector.engine.walk import first_requests
from corsinspector.errors import InputError
from corsinspector.formats.atomic import write_text_atomic
from corsinspector.formats.collection import (
    Collection,
    Variable,
    add_secret_variables,
    load_collection,
    load_environments,
    merge_folders,
    save_collection,
)
from corsinspector.formats.curl import curl_command
from corsinspector.formats.detect import import_file
from corsinspector.formats.har import har_log
from corsinspector.formats.json import dump_json, name_of
from corsinspector.formats.secrets import (
    MIN_SECRET_LENGTH,
    MovedCredential,
    extract_credentials,
    redactor_for,
)
from corsinspector.live.inspector import InspectOptions
from corsinspector.live.runner import ItemResult, json_report, junit_report, run_collection

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


def import_command(args: argparse.Namespace) -> int:
    """Import each file into the collection (created, or added to: folders of the same name
    gain the new items). Credentials in the imported requests move into secret variables of
    the environments file, unless ``--keep-credentials``."""
    output = Path(args.output)
    collection = load_collection(output) if output.exists() else Collection(name_of(output), ())
    per_file = [import_file(name) for name in args.files]
    imported = [folder for folders in per_file for folder in folders]
    envs_path = Path(args.envs) if args.envs else output.with_suffix(".env.json")
    moved: list[MovedCredential] = []
    if not args.keep_credentials:
        known = load_environments(envs_path).get(args.env, {}) if envs_path.exists() else {}
        imported, moved = extract_credentials(imported, {n: v.value for n, v in known.items()})
        if moved:  # saved first: the collection never names a variable that is nowhere
            add_secret_variables(envs_path, args.env, {c.name: c.value for c in moved})
    merged, rest = collection, iter(imported)
    for folders in per_file:  # a file's folders join those before it, not each other
        merged = merge_folders(merged, [next(rest) for _ in folders])
    save_collection(output, merged)
    print(f"imported {sum(len(f.items) for f in imported)} items into {output}")
    if moved:
        print(
            f"moved {len(moved)} credentials into secret variables of environment "
            f"{args.env!r} in {envs_path} (use --env {args.env}; --keep-credentials keeps "
            "them in the collection):"
        )
        for credential in moved:
            places = ", ".join(credential.places)
            print(f"  {{{{{credential.name}}}}}: {places} ({credential.items} items)")
    return EXIT_HOLDS


def export_command(args: argparse.Namespace) -> int:
    collection = load_collection(args.collection)
    environment = _environment(args)
    variables = {name: variable.value for name, variable in environment.items()}
    secrets = {} if args.keep_secrets else {n: v.value for n, v in environment.items() if v.secret}
    items = dict(collection.items())
    redactor = redactor_for(items, variables, secrets)
    if args.to == "curl":
        lines = []
        for path, item in items.items():
            lines.append(redactor.text(f"# {path}"))
            for sent in first_requests(item.resolve(variables, path)):
                lines.append(curl_command(redactor.request(sent)))
        text = "\n".join(lines) + "\n"
    else:
        results = asyncio.run(run_collection(collection, variables))
        har = har_log([(result.path, result.verdict) for result in results])
        text = dump_json(redactor.data(har))
    if args.output:
        write_text_atomic(args.output, text)
    else:
        print(text, end="")
    # warned only once the export is written: bad input stays one line on stderr
    for name in redactor.short:
        print(
            f"warning: secret {{{{{name}}}}} is shorter than {MIN_SECRET_LENGTH} characters: "
            "redacted only where it stands alone or where the collection's template put it",
            file=sys.stderr,
        )
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
        write_text_atomic(args.junit, junit_report(collection.name, results))
    if args.json:
        write_text_atomic(args.json, dump_json(json_report(results)))
    failed = sum(not r.holds for r in results)
    print(f"{total - failed} of {total} items as expected.")
    if any(r.network_failed and not r.holds for r in results):
        return EXIT_NETWORK
    return EXIT_FAILED if failed else EXIT_HOLDS
