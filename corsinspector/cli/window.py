"""Without a COMMAND: the window (Qt is imported only now), or the demo on a machine with no
display; ``--install-desktop-entry`` adds the window to the desktop's menu."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from types import ModuleType

from corsinspector.cli.parser import prog

__all__ = ["has_display", "run", "window_module"]

#: The window's package: installed as corsinspector_ui (no top-level ``ui`` in
#: site-packages), ``ui`` in the source tree.
_WINDOW_PACKAGES = ("corsinspector_ui", "ui")


def has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
        or sys.platform in ("win32", "darwin")
    )


def window_module() -> ModuleType:
    """``ui.app``, imported by name: the core does not depend on the window, it starts it."""
    for package in _WINDOW_PACKAGES:
        try:
            return importlib.import_module(f"{package}.app")
        except ModuleNotFoundError as exc:
            if exc.name not in (package, f"{package}.app"):
                raise  # the window is there, one of its imports is not
    raise ModuleNotFoundError("the window's package (corsinspector_ui) is not installed")


def run(args: argparse.Namespace) -> int:
    if args.install_desktop_entry:
        from corsinspector.cli.desktop import install_desktop_entry

        return install_desktop_entry()
    if args.screenshot is None and not has_display():
        from corsinspector.cli import demo

        print(f"No display here: running the demo on the command line ({prog()} demo).")
        print(f"For the window, run with a display, or: {prog()} --screenshot FILE\n")
        return demo.run(argparse.Namespace(real_browser=False))
    status: int = window_module().run(
        screenshot=args.screenshot,
        scenario=args.window_scenario,
        theme=args.theme,
        stack=args.window_stack,
        size=args.size,
        view=args.view,
        watch=args.window_watch,
    )
    return status
