"""The command line: ``python main.py COMMAND …``.

Every command prints one line and exits 2 on bad input; a bug prints one line too (the
traceback goes to the log file), never a traceback on the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from corsinspector.errors import CorsInspectorError, InputError
from corsinspector.formats import load_scenario
from corsinspector.server import LoggedRequest, ScenarioServer, format_logged_request

__all__ = ["main"]

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 70, 2
_LOG_FILE = Path(tempfile.gettempdir()) / "corsinspector.log"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="CORS Inspector: see exactly why a browser blocks a cross-origin request.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="play a scenario's server routes on loopback, logging every request",
        description="Play a scenario's server routes on loopback and log every request.",
    )
    serve.add_argument("scenario", metavar="SCENARIO", help="a cors-scenario/1 JSON file")
    serve.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    simulate = commands.add_parser(
        "simulate",
        help="judge a scenario offline, as the browser would",
        description="Judge a scenario offline and print the verdict Chromium would reach.",
    )
    simulate.add_argument("scenario", metavar="FILE", help="a cors-scenario/1 JSON file")
    simulate.add_argument("--json", action="store_true", help="print the cors-verdict/1 JSON")
    simulate.add_argument(
        "--browser",
        choices=("chromium", "firefox"),
        help="the browser whose messages to print (default: the scenario's)",
    )
    return parser


def _simulate(path: str, as_json: bool, browser: str | None) -> int:
    from corsinspector.engine.judge import judge
    from corsinspector.formats import dump_json, verdict_to_dict
    from corsinspector.report import render_verdict

    scenario = load_scenario(path)
    if browser is not None:
        scenario = replace(scenario, browser=browser)
    verdict = judge(scenario)
    if as_json:
        print(dump_json(verdict_to_dict(verdict)), end="")
    else:
        print(render_verdict(verdict))
    return EXIT_OK


async def _serve(path: str, host: str, port: int) -> int:
    scenario = load_scenario(path)

    def show(item: LoggedRequest) -> None:
        print(format_logged_request(item), flush=True)

    server = ScenarioServer(scenario, host=host, port=port, on_request=show)
    try:
        await server.start()
    except OSError as exc:
        raise InputError(
            f"--port {port}", f"cannot listen on {host}:{port}: {exc.strerror}"
        ) from None
    print(f"serving on {server.base_url}", flush=True)
    print(f"scenario {scenario.name}: {len(scenario.server)} routes; Ctrl+C stops", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        if args.command == "simulate":
            return _simulate(args.scenario, args.json, args.browser)
        if args.command == "serve":
            if not 0 <= args.port <= 65535:
                raise InputError("--port", f"must be from 0 to 65535, not {args.port}")
            with contextlib.suppress(KeyboardInterrupt):
                return asyncio.run(_serve(args.scenario, args.host, args.port))
            return EXIT_OK
    except CorsInspectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception:
        logging.basicConfig(filename=_LOG_FILE)
        logging.getLogger("corsinspector").error("internal error\n%s", traceback.format_exc())
        print(f"internal error (details in {_LOG_FILE})", file=sys.stderr)
        return EXIT_BUG
    parser.error(f"unknown command {args.command}")
