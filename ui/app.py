"""The window's composition root: QApplication, theme, the qasync loop, the demo, shutdown.

``python main.py`` opens the window on the demo gallery (every teaching scenario served on
loopback); ``python main.py --screenshot FILE [--scenario NAME] [--theme dark|light]
[--stack NAME]`` renders it offscreen after inspecting a scenario live, writes a PNG and exits.
The flags are parsed by the one command line (corsinspector.cli) and handed to ``run``.
"""

from __future__ import annotations

import os
import sys
from typing import NamedTuple

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from corsinspector.app.gallery import gallery_names

from .mainwindow import MainWindow

__all__ = ["run"]

DEFAULT_SCENARIO = "custom-header-not-allowed"


class _Options(NamedTuple):
    screenshot: str | None
    scenario: str
    theme: str
    stack: str | None


def apply_theme(app: QApplication, theme: str) -> None:
    """Fusion with a light palette, or a dark one; ``system`` follows the desktop's scheme."""
    app.setStyle("Fusion")
    if theme == "system":
        theme = "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"
    if theme != "dark":
        app.setPalette(app.style().standardPalette())  # also undoes a dark palette
        return
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#26272b",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2e31",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.Highlight: "#8ab4f8",
        QPalette.ColorRole.HighlightedText: "#202124",
        QPalette.ColorRole.ToolTipBase: "#2d2e31",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.Mid: "#5f6368",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#9aa0a6"))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(disabled, role, QColor("#6b6f75"))
    app.setPalette(palette)


async def _main(window: MainWindow, args: _Options) -> int:
    import asyncio

    from corsinspector.app.gallery import DemoServers

    demo = DemoServers()
    await demo.start()
    window.set_demo(demo)
    loop = asyncio.get_running_loop()
    window.closed = loop.create_future()
    if window.select_scenario(args.scenario) is False and args.screenshot:
        print(f"error: --scenario {args.scenario}: no such gallery scenario", file=sys.stderr)
        window.close()
        await window.closed
        return 2
    if args.screenshot:
        done: asyncio.Future[None] = loop.create_future()

        def finish(*_: object) -> None:
            if not done.done():
                done.set_result(None)

        window.verdict_shown.connect(finish)
        window.controller.inspection_failed.connect(finish)
        window.editor.send_requested.emit()
        await asyncio.wait_for(done, 30)
        if args.stack and not window.fix_panel.show_stack(args.stack):
            print(f"error: --stack {args.stack}: no such server stack", file=sys.stderr)
            window.close()
            await window.closed
            return 2
        await asyncio.sleep(0.2)  # let the layout settle
        ok = window.grab().save(args.screenshot, "PNG")
        window.close()
        await window.closed
        if not ok:
            print(f"error: {args.screenshot}: could not write the PNG", file=sys.stderr)
            return 2
        print(f"wrote {args.screenshot}")
        return 0
    await window.closed
    return 0


#: What the offscreen platform says about every window it cannot size like a desktop does:
#: true, and of no use to someone taking a screenshot.
_OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def _quiet_offscreen_warnings() -> None:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if message != _OFFSCREEN_NOISE:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def run(
    *,
    screenshot: str | None = None,
    scenario: str | None = None,
    theme: str = "system",
    stack: str | None = None,
) -> int:
    """Open the window; with ``screenshot``, render it offscreen to that PNG and exit."""
    args = _Options(screenshot, scenario or DEFAULT_SCENARIO, theme, stack)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _quiet_offscreen_warnings()
    QCoreApplication.setOrganizationName("CORS Inspector")
    QCoreApplication.setApplicationName("CORS Inspector")
    if QApplication.instance() is None:  # QtWebEngine (Ask the real browser) needs it first
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app, args.theme)
    if args.theme == "system":  # follow the desktop when it switches light/dark
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app, "system"))
    history = None
    if not args.screenshot:  # a screenshot leaves no trace in the user's history
        from corsinspector.app.history import History

        history = History()
    window = MainWindow(history=history)
    if args.screenshot:
        window.resize(1440, 960)
    window.list_gallery(gallery_names())
    window.show()
    app.processEvents()  # paint first; the event loop, the HTTP client and the demo come after
    from .asyncbridge import run_on_qt

    return run_on_qt(app, _main(window, args))
