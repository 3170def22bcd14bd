"""The command line: ``python main.py COMMAND …``.

Every command prints one line and exits 2 on bad input; a bug prints one line too (the
traceback goes to the log file), never a traceback on the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from corsinspector.errors import CorsInspectorError, InputError
from corsinspector.formats.scenario import load_scenario
from corsinspector.wire.server import LoggedRequest, ScenarioServer, format_logged_request

__all__ = ["main"]

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 70, 2
_MAX_SECONDS = 86_400
_LOG_FILE = Path(tempfile.gettempdir()) / "corsinspector.log"


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line (``error: argument --port: …``), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
        "--stack", metavar="NAME", help="also print the fix for this server stack (see --stacks)"
    )
    simulate.add_argument(
        "--browser",
        choices=("chromium", "firefox"),
        help="the browser whose messages to print (default: the scenario's)",
    )
    check = commands.add_parser(
        "check",
        help="send the request for real, as a browser would, and judge the answers",
        description="Send what a browser would send (the preflight when it would send one, "
        "then the request) and print the verdict with both exchanges. Exit status: 0 allowed, "
        "1 blocked by CORS, 3 not a CORS block (no answer, or refused by the browser), "
        "2 bad input.",
    )
    check.add_argument("url", metavar="URL")
    check.add_argument("--origin", required=True, help="the page's origin, or null")
    check.add_argument("-X", "--request", dest="method", default="GET", metavar="METHOD")
    check.add_argument(
        "-H", "--header", dest="headers", action="append", default=[], metavar="'Name: value'"
    )
    check.add_argument("--data", metavar="BODY", help="the request body")
    check.add_argument(
        "--credentials", choices=("omit", "same-origin", "include"), default="same-origin"
    )
    check.add_argument("--mode", choices=("cors", "no-cors", "same-origin"), default="cors")
    check.add_argument("--browser", choices=("chromium", "firefox"), default="chromium")
    check.add_argument("--stack", metavar="NAME", help="also print the fix for this stack")
    check.add_argument("--json", action="store_true", help="print the cors-verdict/1 JSON")
    check.add_argument(
        "--real-browser",
        action="store_true",
        help="also run the request in embedded Chromium and compare",
    )
    check.add_argument(
        "--send-anyway",
        action="store_true",
        help="send the actual request even when the preflight fails (no browser would)",
    )
    check.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    check.add_argument("--cacert", metavar="FILE", help="verify TLS against this CA bundle")
    check.add_argument("--proxy", metavar="URL", help="send through this proxy")
    check.add_argument("--http2", action="store_true", help="allow HTTP/2")
    check.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="the time each exchange may take as a whole: connect, headers and body "
        "(default 30; past it: net::ERR_TIMED_OUT)",
    )
    check.add_argument("--max-body", type=int, default=16 * 1024 * 1024, metavar="BYTES")
    run = commands.add_parser(
        "run",
        help="replay a collection live and check each item's expected verdict",
        description="Replay every item of a cors-collection/1 file. Exit status: 0 when every "
        "expectation holds, 1 when one fails, 2 on bad input, 3 when the network failed.",
    )
    run.add_argument("collection", metavar="COLLECTION")
    run.add_argument("--env", metavar="NAME", help="the environment whose variables to use")
    run.add_argument(
        "--envs",
        metavar="FILE",
        help="the environments file (default: COLLECTION's name with .env.json)",
    )
    run.add_argument("--concurrency", type=int, default=1, metavar="N")
    run.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    run.add_argument("--json", metavar="FILE", help="write the verdicts as JSON")
    run.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="the time each exchange may take as a whole: connect, headers and body "
        "(default 30; past it: net::ERR_TIMED_OUT)",
    )
    imports = commands.add_parser(
        "import",
        help="import cURL, HAR or Postman files into a collection",
        description="Detect each file's format (cURL, HAR 1.2, Postman v2.1, scenario, "
        "collection) and write, or add to, a cors-collection/1 file. Credentials (the "
        "Authorization credential, API-key-like headers, token-like query and form "
        "parameters) are moved into secret variables of the environments file, each "
        "replaced by its {{name}}, unless --keep-credentials.",
    )
    imports.add_argument("files", nargs="+", metavar="FILE")
    imports.add_argument("-o", "--output", required=True, metavar="COLLECTION")
    imports.add_argument(
        "--env",
        default="imported",
        metavar="NAME",
        help="the environment that receives the credentials found (default: imported)",
    )
    imports.add_argument(
        "--envs",
        metavar="FILE",
        help="the environments file (default: COLLECTION's name with .env.json)",
    )
    imports.add_argument(
        "--keep-credentials",
        action="store_true",
        help="keep tokens and API keys in the collection, in clear",
    )
    export = commands.add_parser(
        "export",
        help="write a collection as cURL commands or as HAR 1.2 of a live replay",
        description="cURL: the preflight and the request of each item, as the browser sends "
        "them. HAR: the collection replayed live, every exchange recorded. Every occurrence "
        "of a secret variable's value, in requests and responses alike (URLs, headers, "
        "bodies), becomes its {{name}}: as is, percent-encoded, JSON-escaped, or inside "
        "base64 (Basic credentials). A secret under 8 characters is replaced only where it "
        "stands alone (a whole value, parameter or word) or where the item's template put "
        "it, with a warning. --keep-secrets exports everything as sent.",
    )
    export.add_argument("collection", metavar="COLLECTION")
    export.add_argument("--to", choices=("curl", "har"), required=True)
    export.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    export.add_argument("--env", metavar="NAME")
    export.add_argument("--envs", metavar="FILE")
    export.add_argument("--keep-secrets", action="store_true", help="redact nothing")
    demo = commands.add_parser(
        "demo",
        help="play the gallery on loopback and inspect every scenario live",
        description="Serve each gallery scenario on loopback, inspect it live, and print "
        "scenario, expected, got and culprit.",
    )
    demo.add_argument(
        "--real-browser", action="store_true", help="also ask embedded Chromium about each one"
    )
    return parser


def _simulate(path: str, as_json: bool, browser: str | None, stack: str | None = None) -> int:
    from corsinspector.app.report import render_verdict
    from corsinspector.engine.judge import judge
    from corsinspector.formats.scenario import dump_json, verdict_to_dict

    scenario = load_scenario(path)
    if browser is not None:
        scenario = replace(scenario, browser=browser)
    verdict = judge(scenario)
    if as_json:
        print(dump_json(verdict_to_dict(verdict)), end="")
    else:
        print(render_verdict(verdict, stack))
    return EXIT_OK


#: What a terminal or str.splitlines() would break a line at, or UTF-8 cannot carry.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")


def _one_line(message: str) -> str:
    """``message`` with its control characters escaped (a field named "a\\nb" in a file)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), message)


def _check_seconds(flag: str, seconds: float) -> None:
    """A timeout a clock can hold: NaN, infinity, 0 and less, or more than a day are refused."""
    if not 0 < seconds <= _MAX_SECONDS:  # NaN fails every comparison
        raise InputError(flag, f"must be more than 0 and at most {_MAX_SECONDS} seconds")


def _check_stack(stack: str | None) -> None:
    from corsinspector.fixes.stacks import STACKS

    if stack is not None and stack not in STACKS:
        raise InputError("--stack", f"unknown stack {stack!r}; one of: {', '.join(STACKS)}")


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
    except UnicodeError:  # a host name IDNA cannot encode
        raise InputError("--host", f"not a host name: {host!r}") from None
    print(f"serving on {server.base_url}", flush=True)
    print(f"scenario {scenario.name}: {len(scenario.server)} routes; Ctrl+C stops", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    # A path with bytes the file system could not decode prints escaped, as stderr does.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        if args.command == "check":
            from corsinspector.cli.check import run_check

            _check_stack(args.stack)
            _check_seconds("--timeout", args.timeout)
            return run_check(args)
        if args.command == "run":
            from corsinspector.cli.run import run_command

            _check_seconds("--timeout", args.timeout)
            return run_command(args)
        if args.command == "import":
            from corsinspector.cli.run import import_command

            return import_command(args)
        if args.command == "export":
            from corsinspector.cli.run import export_command

            return export_command(args)
        if args.command == "demo":
            from corsinspector.cli.check import run_demo

            return run_demo(args.real_browser)
        if args.command == "simulate":
            _check_stack(args.stack)
            return _simulate(args.scenario, args.json, args.browser, args.stack)
        if args.command == "serve":
            if not 0 <= args.port <= 65535:
                raise InputError("--port", f"must be from 0 to 65535, not {args.port}")
            with contextlib.suppress(KeyboardInterrupt):
                return asyncio.run(_serve(args.scenario, args.host, args.port))
            return EXIT_OK
    except CorsInspectorError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except Exception:
        logging.basicConfig(filename=_LOG_FILE)
        logging.getLogger("corsinspector").error("internal error\n%s", traceback.format_exc())
        print(f"internal error (details in {_LOG_FILE})", file=sys.stderr)
        return EXIT_BUG
    parser.error(f"unknown command {args.command}")
