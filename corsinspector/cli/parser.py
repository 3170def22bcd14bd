"""The one parser: every command's flags and the window's, in one ``--help``."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from typing import NoReturn

from corsinspector.cli.exits import Exit
from corsinspector.engine.profiles import BROWSER_NAMES
from corsinspector.errors import InputError

__all__ = [
    "COMMANDS",
    "build_parser",
    "check_seconds",
    "check_stack",
    "curl_style",
    "prog",
    "window_size",
]

#: Each command and the module of ``corsinspector.cli`` that runs it (imported when used).
COMMANDS = {
    "serve": "serve",
    "simulate": "simulate",
    "check": "check",
    "demo": "demo",
    "run": "run",
    "export": "export",
    "import": "importing",
    "watch": "watch",
}
_MAX_SECONDS = 86_400
_TIMEOUT_HELP = (
    "the time each exchange may take as a whole: connect, headers and body "
    "(default 30; past it: net::ERR_TIMED_OUT)"
)
#: What --browser takes: a profile, an alias, or all of them.
_BROWSERS = (*BROWSER_NAMES, "all")
_CHECK_EXAMPLES = """\
examples:
  %(prog)s https://api.example.com/items --origin https://app.example.com
  %(prog)s https://api.example.com/items --origin https://app.example.com \\
      -X PUT -H 'Content-Type: application/json' -d '{"id": 1}'
  %(prog)s https://api.example.com/items --origin https://app.example.com \\
      --json-body '{"id": 1}' -u alice:secret --credentials include --stack fastapi
  %(prog)s https://api.example.com/items --origin https://app.example.com --real-browser

As curl takes them: a flag's value may start with '-' (-d '--XyZ--'); -d, --data-raw and
--data-binary are one body, several joined with '&'; a body makes the method POST unless -X
says otherwise. --json prints our JSON verdict; curl's --json is --json-body here.
Cookie and User-Agent are headers script may not set: Chromium drops them, and the verdict
says so (-b also asks for credentials, as a page sending cookies would).

exit status: 0 allowed, 1 blocked by CORS, 3 not a CORS block (no answer, or refused by
the browser), 2 bad input; with --browser all, 1 when blocked in any browser."""


def prog() -> str:
    """How the user called us: ``python main.py`` from the source tree, else the command."""
    name = os.path.basename(sys.argv[0])
    return "python main.py" if not name or name.endswith(".py") else name


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line (``error: argument --port: …``), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(Exit.BAD_INPUT, f"error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; without a COMMAND, the window (its flags in the first group)."""
    parser = _Parser(
        prog=prog(),
        description="CORS Inspector: see exactly why a browser blocks a cross-origin request. "
        "Without a COMMAND it opens the window on the demo gallery (on the command line "
        "when there is no display).",
        epilog="exit status, every command: 0 allowed or as expected, 1 blocked by CORS or "
        "not as expected, 2 bad input, 3 not a CORS block (no answer, or refused by the "
        "browser), 70 internal error.",
    )
    window = parser.add_argument_group("the window (without a COMMAND)")
    window.add_argument("--screenshot", metavar="FILE", help="render offscreen to a PNG and exit")
    window.add_argument(
        "--scenario",
        dest="window_scenario",
        metavar="NAME",
        help="gallery scenario to show (default custom-header-not-allowed)",
    )
    window.add_argument(
        "--theme", choices=("light", "dark", "system"), default="system", help="default system"
    )
    window.add_argument(
        "--stack",
        dest="window_stack",
        metavar="NAME",
        help="show the fix in this server stack (with --screenshot)",
    )
    window.add_argument(
        "--size",
        metavar="WxH",
        type=window_size,
        help="the window's size for --screenshot (default 1440x960), e.g. 1366x768",
    )
    window.add_argument(
        "--view",
        choices=("verdict", "what-if", "sequence", "collection"),
        default="verdict",
        help="with --screenshot: the live verdict (default), the culprit edited in what-if, "
        "the Sequence tab, or the gallery replayed in the Collection tab",
    )
    window.add_argument(
        "--watch",
        dest="window_watch",
        metavar="URL",
        help="with --screenshot: watch URL in the Watch tab (embedded Chromium) and show its "
        "first blocked request in the inspector",
    )
    window.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add CORS Inspector to the desktop's menu (a .desktop file and its icon under "
        "$XDG_DATA_HOME) and exit",
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
        choices=_BROWSERS,
        metavar="NAME",
        help="the browser to judge as: "
        + ", ".join(_BROWSERS)
        + " (default: the scenario's); all: one verdict per browser, and whether they "
        "disagree (exit 0 all the same)",
    )
    _add_check(commands)
    _add_watch(commands)
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
    run.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help=_TIMEOUT_HELP)
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


def _add_check(commands: argparse._SubParsersAction[_Parser]) -> None:
    check = commands.add_parser(
        "check",
        help="send the request for real, as a browser would, and judge the answers",
        description="Send what a browser would send (the preflight when it would send one, "
        "then the request) and print the verdict with both exchanges.",
        epilog=textwrap.dedent(_CHECK_EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("url", metavar="URL", help="the URL the page fetches")
    check.add_argument(
        "--origin", required=True, help="the page's origin (or its URL as typed), or null"
    )
    check.add_argument(
        "-X", "--request", dest="method", metavar="METHOD", help="default GET (POST with a body)"
    )
    check.add_argument(
        "-H",
        "--header",
        dest="headers",
        action="append",
        default=[],
        metavar="'Name: value'",
        help="a request header the page sets (repeatable)",
    )
    check.add_argument(
        "-d",
        "--data",
        "--data-raw",
        "--data-binary",
        dest="data",
        action="append",
        default=[],
        metavar="BODY",
        help="the request body, as given, @ included (several are joined with '&')",
    )
    check.add_argument(
        "--json-body",
        metavar="JSON",
        help="curl's --json: this body, with Content-Type and Accept application/json",
    )
    check.add_argument(
        "-b",
        "--cookie",
        dest="cookies",
        action="append",
        default=[],
        metavar="'name=value'",
        help="a Cookie header, and credentials include (a cookie jar file is not read)",
    )
    check.add_argument(
        "-u", "--user", metavar="USER:PASSWORD", help="Authorization: Basic, as curl sends it"
    )
    check.add_argument(
        "-A", "--user-agent", metavar="TEXT", help="a User-Agent header (Chromium drops it)"
    )
    check.add_argument(
        "--credentials",
        choices=("omit", "same-origin", "include"),
        help="fetch()'s credentials (default same-origin; include with -b)",
    )
    check.add_argument(
        "--mode", choices=("cors", "no-cors", "same-origin"), default="cors", help="default cors"
    )
    check.add_argument(
        "--browser",
        choices=_BROWSERS,
        default="chromium",
        metavar="NAME",
        help="the browser to act as: "
        + ", ".join(_BROWSERS)
        + " (default chromium); all: one verdict per browser (the request is sent once for "
        "each), exit 1 when blocked in any browser; with --real-browser, every installed real "
        "browser is asked too",
    )
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
    check.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help=_TIMEOUT_HELP)
    check.add_argument(
        "--max-body",
        type=int,
        default=16 * 1024 * 1024,
        metavar="BYTES",
        help="read at most this much of each body (default 16 MiB)",
    )


def _add_watch(commands: argparse._SubParsersAction[_Parser]) -> None:
    watch = commands.add_parser(
        "watch",
        help="load a page in a real browser and judge every cross-origin request it makes",
        description="Load URL in a real browser, capture every request the page makes over "
        "the DevTools protocol, and judge each cross-origin one beside the browser's own "
        "verdict. Exit status: 0 nothing blocked, 1 something blocked by CORS, 3 the page "
        "did not load or the browser failed, 2 bad input.",
    )
    watch.add_argument("url", metavar="URL", help="the page to load")
    how_long = watch.add_mutually_exclusive_group()
    how_long.add_argument(
        "--seconds",
        type=float,
        metavar="N",
        help="watch for N seconds after the page loads (default: until idle, at most 30)",
    )
    how_long.add_argument(
        "--until-idle",
        action="store_true",
        help="watch until no request is in flight for a moment (at most 600 seconds)",
    )
    watch.add_argument(
        "--browser",
        default="embedded",
        metavar="embedded|chrome[=PATH]|cdp=HOST:PORT",
        help="embedded Chromium (default), your Chrome/Chromium/Edge with a throw-away "
        "profile, or a browser already listening for DevTools",
    )
    watch.add_argument("--json", action="store_true", help="print the cors-watch/1 JSON")
    watch.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    watch.add_argument("--har", metavar="FILE", help="write every exchange as HAR 1.2")


def _value_flags(parser: argparse.ArgumentParser) -> set[str]:
    return {
        flag for action in parser._actions if action.nargs is None for flag in action.option_strings
    }


def curl_style(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """``argv`` with each value of check's flags attached (``--data=--XyZ--``), so that a
    value starting with '-' is taken as curl takes it; argparse would call it a flag."""
    words = list(argv)
    window_flags = _value_flags(parser)
    start = 0
    while start < len(words) and words[start].startswith("-"):
        start += 2 if words[start] in window_flags else 1
    if words[start : start + 1] != ["check"]:
        return words
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    check_flags = _value_flags(commands.choices["check"])
    out, i = words[: start + 1], start + 1
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            out.extend(words[i - 1 :])
            break
        if word in check_flags and i < len(words):
            joined = "=" if word.startswith("--") else ""
            out.append(f"{word}{joined}{words[i]}")
            i += 1
        else:
            out.append(word)
    return out


def check_seconds(flag: str, seconds: float) -> None:
    """A timeout a clock can hold: NaN, infinity, 0 and less, or more than a day are refused."""
    if not 0 < seconds <= _MAX_SECONDS:  # NaN fails every comparison
        raise InputError(flag, f"must be more than 0 and at most {_MAX_SECONDS} seconds")


def window_size(text: str) -> tuple[int, int]:
    """``--size WxH``: a width and a height in pixels, each from 200 to 10000."""
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT (e.g. 1366x768)")
    size = int(width), int(height)
    if not all(200 <= n <= 10_000 for n in size):
        raise argparse.ArgumentTypeError(f"{text!r}: each side from 200 to 10000 pixels")
    return size


def check_stack(stack: str | None) -> None:
    from corsinspector.fixes.stacks import STACKS

    if stack is not None and stack not in STACKS:
        raise InputError("--stack", f"unknown stack {stack!r}; one of: {', '.join(STACKS)}")
