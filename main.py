"""CORS Inspector: ``python main.py`` opens the window on the demo; ``python main.py --help``
lists the commands (serve, simulate, check, demo)."""

import os
import sys

COMMANDS = {"serve", "simulate", "check", "demo", "run", "export", "import"}


def _has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
        or sys.platform in ("win32", "darwin")
    )


def _main(argv: list[str]) -> int:
    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help")):
        from corsinspector.cli.main import main

        return main(argv)
    if not argv and not _has_display():
        print("No display here: running the demo on the command line (python main.py demo).")
        print("For the window, run with a display, or: python main.py --screenshot FILE\n")
        from corsinspector.cli.main import main

        return main(["demo"])
    from ui.app import run  # the window: Qt is imported only now

    return run(argv)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
