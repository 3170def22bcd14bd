"""``import``: cURL, HAR and Postman files into a collection, credentials moved out."""

from __future__ import annotations

import argparse
from pathlib import Path

from corsinspector.cli.exits import Exit
from corsinspector.formats.collection import (
    Collection,
    add_secret_variables,
    load_collection,
    load_environments,
    merge_folders,
    save_collection,
)
from corsinspector.formats.detect import import_file
from corsinspector.formats.json import name_of
from corsinspector.formats.secrets import MovedCredential, extract_credentials

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
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
    return Exit.OK
