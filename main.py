"""CORS Inspector: ``python main.py`` opens the window; ``python main.py --help`` lists the
commands (serve, simulate, check, demo)."""

import sys

COMMANDS = {"serve", "simulate", "check", "demo"}


def _main(argv: list[str]) -> int:
    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help")):
        from corsinspector.cli import main

        return main(argv)
    from ui.app import run  # the window: Qt is imported only now

    return run(argv)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
