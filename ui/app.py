"""The window's composition root: QApplication, theme, the qasync loop, the demo, shutdown.

``python main.py`` opens the window on the demo gallery (every teaching scenario served on
loopback); ``python main.py --screenshot FILE [--scenario NAME] [--theme dark|light]
[--stack NAME]`` renders it offscreen after inspecting a scenario live, writes a PNG and exits.
The flags are parsed by the one command line (corsinspector.cli) and handed to ``run``.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from corsinspector.app.gallery import gallery_names

from .mainwindow import MainWindow

if TYPE_CHECKING:
    from corsinspector.app.gallery import DemoServers

__all__ = ["run", "start_scenario"]

DEFAULT_SCENARIO = "custom-header-not-allowed"


class _Options(NamedTuple):
    screenshot: str | None
    scenario: str
    theme: str
    stack: str | None
    #: The scenario was named on the command line (not the default).
    chosen: bool


def apply_theme(app: QApplication, theme: str) -> None:
    """Fusion with the light palette, or the dark one (corsinspector.app.colors, the one table
    of colours); ``system`` follows the desktop's scheme."""
    from corsinspector.app.colors import THEMES

    from .palette import qpalette

    app.setStyle("Fusion")
    if theme == "system":
        theme = "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"
    if theme != "dark":  # Fusion's light bevels, our text colours (also undoes a dark palette)
        app.setPalette(qpalette(THEMES["light"], app.style().standardPalette()))
        return
    app.setPalette(qpalette(THEMES["dark"]))


class _Shot(NamedTuple):
    """What a screenshot shows once the scenario is inspected (``--view``), or the page it
    watches (``--watch``)."""

    view: str = "verdict"
    watch: str | None = None


async def _show_view(window: MainWindow, demo: DemoServers, view: str) -> None:
    """Bring the window to the state ``--view`` names (corsinspector.app.screens.VIEWS)."""
    import asyncio

    if view == "what-if":
        from corsinspector.app.screens import what_if_value

        verdict = window.controller.last_verdict
        error = verdict.error if verdict is not None else None
        window.what_if.setChecked(True)
        if error is not None and error.header:
            pane = window.preflight_view if error.stage == "preflight" else window.actual_view
            model = pane.response_model
            row = model.culprit_row()
            if row is not None:
                index = model.index(row, 1)
                current = str(model.data(index, Qt.ItemDataRole.EditRole) or "")
                origin = (
                    window.controller.last_request.origin if window.controller.last_request else "*"
                )
                model.setData(index, what_if_value(error, current, origin))
    elif view == "sequence":
        window.exchange_tabs.setCurrentWidget(window._sequence_page)
        if window.controller.last_verdict is not None:  # drawn whole, not step by step
            window.sequence.show_verdict(window.controller.last_verdict, animate=False)
    elif view == "collection":
        import tempfile
        from pathlib import Path

        from corsinspector.app.screens import gallery_collection

        folder = tempfile.mkdtemp(prefix="cors-inspector-screenshot-")
        path = Path(folder) / "gallery.json"
        gallery_collection(((i.scenario.name, i.request) for i in demo.items), path)
        window.sidebar.setCurrentWidget(window._collection_page)
        panel = window.collection_panel
        panel.open_path(path)
        finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def finish(_message: str) -> None:
            if not finished.done():
                finished.set_result(None)

        window.controller.replay_finished.connect(finish)
        panel.run_button.click()
        await asyncio.wait_for(finished, 60)


def start_scenario(window: MainWindow, name: str, *, forced: bool) -> bool | None:
    """At start, load gallery scenario ``name`` into the editor, unless the tabs (or the last
    request) came back and it was not ``forced`` (a screenshot, or named on the command
    line): the user's work is never overwritten by the demo. None when not loaded, False when
    there is no such scenario."""
    if not forced and window.restored:
        return None
    return window.select_scenario(name)


async def _main(window: MainWindow, args: _Options, shot: _Shot) -> int:
    import asyncio

    from corsinspector.app.gallery import DemoServers

    demo = DemoServers()
    await demo.start()
    window.set_demo(demo)
    loop = asyncio.get_running_loop()
    window.closed = loop.create_future()
    forced = bool(args.screenshot) or args.chosen
    if start_scenario(window, args.scenario, forced=forced) is False and args.screenshot:
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
        await _show_view(window, demo, shot.view)
        if shot.watch:
            from .watch_actions import show_watched

            await show_watched(window, shot.watch)
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
    size: tuple[int, int] | None = None,
    view: str = "verdict",
    watch: str | None = None,
) -> int:
    """Open the window; with ``screenshot``, render it offscreen to that PNG and exit."""
    args = _Options(screenshot, scenario or DEFAULT_SCENARIO, theme, stack, scenario is not None)
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
    settings = None
    if args.screenshot:  # a screenshot leaves no trace in the user's settings or history
        import tempfile

        from PySide6.QtCore import QSettings

        scratch = tempfile.TemporaryDirectory(prefix="cors-inspector-screenshot-")
        settings = QSettings(f"{scratch.name}/settings.ini", QSettings.Format.IniFormat)
        for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            # any QSettings() of a panel (the fix's stack) lands in the scratch too
            QSettings.setPath(kind, QSettings.Scope.UserScope, scratch.name)
    else:
        from corsinspector.app.history import History

        history = History()
    window = MainWindow(history=history, settings=settings)
    if args.screenshot:
        window.resize(*(size or (1440, 960)))
    window.list_gallery(gallery_names())
    window.show()
    app.processEvents()  # paint first; the event loop, the HTTP client and the demo come after
    from .asyncbridge import run_on_qt

    return run_on_qt(app, _main(window, args, _Shot(view, watch)))
