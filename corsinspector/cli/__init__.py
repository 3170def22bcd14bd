"""The command line: one parser (``parser``), one table of exit codes (``exits``), a module
per command. ``main(argv)`` is ``python main.py`` and the installed ``cors-inspector``.

Every command prints one line and exits 2 on bad input; a bug prints one line too (the
traceback goes to the log file), never a traceback on the terminal.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Sequence

from corsinspector.cli.exits import Exit
from corsinspector.cli.parser import COMMANDS, build_parser, curl_style
from corsinspector.errors import CorsInspectorError

__all__ = ["main"]

#: What a terminal or str.splitlines() would break a line at, or UTF-8 cannot carry.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")


def _one_line(message: str) -> str:
    """``message`` with its control characters escaped (a field named "a\\nb" in a file)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), message)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (``sys.argv[1:]`` by default); returns the exit status."""
    # A path with bytes the file system could not decode prints escaped, as stderr does.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(curl_style(parser, sys.argv[1:] if argv is None else argv))
    try:
        if args.command is not None:
            command = importlib.import_module(f"corsinspector.cli.{COMMANDS[args.command]}")
            status: int = command.run(args)  # each command module's run(args) -> int
            return status
        from corsinspector.cli.window import run as window

        return window(args)
    except CorsInspectorError as exc:
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return Exit.BAD_INPUT
    except Exception:
        return _bug()


def _bug() -> int:
    """One line on stderr; the traceback into the log file (logging loaded only now)."""
    import logging
    import tempfile
    import traceback

    log_file = os.path.join(tempfile.gettempdir(), "corsinspector.log")
    logging.basicConfig(filename=log_file)
    logging.getLogger("corsinspector").error("internal error\n%s", traceback.format_exc())
    print(f"internal error (details in {log_file})", file=sys.stderr)
    return Exit.BUG
