"""``export``: a collection as cURL commands, or as HAR 1.2 of a live replay; secrets
redacted."""

from __future__ import annotations

import argparse
import asyncio
import sys

from corsinspector.cli.exits import Exit
from corsinspector.cli.run import environment_of
from corsinspector.engine.walk import first_requests
from corsinspector.formats.atomic import write_text_atomic
from corsinspector.formats.collection import load_collection
from corsinspector.formats.curl import curl_command
from corsinspector.formats.har import har_log
from corsinspector.formats.json import dump_json
from corsinspector.formats.secrets import MIN_SECRET_LENGTH, redactor_for
from corsinspector.live.runner import run_collection

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    collection = load_collection(args.collection)
    environment = environment_of(args)
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
    return Exit.OK
