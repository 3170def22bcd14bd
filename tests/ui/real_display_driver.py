"""Run by tests/ui/test_real_display.py on a real X server (QT_QPA_PLATFORM=xcb): the window
sized to the whole screen, a gallery scenario inspected live; then one JSON line on stdout
(what Qt thinks of the window) and, when stdin gets a line, a clean shutdown.

    python tests/ui/real_display_driver.py SCENARIO SETTINGS_DIR
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main() -> int:
    name, settings_dir = sys.argv[1], sys.argv[2]
    QCoreApplication.setOrganizationName("CORS Inspector real display test")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(["real-display-driver"])
    app.setQuitOnLastWindowClosed(False)
    from ui.app import apply_theme
    from ui.asyncbridge import run_on_qt
    from ui.mainwindow import MainWindow

    apply_theme(app, "light")
    window = MainWindow()
    screen = window.screen()
    assert screen is not None
    area = screen.availableGeometry()
    window.setGeometry(area)  # no window manager on Xvfb: "maximized" by hand
    window.show()
    return run_on_qt(app, _inspect(window, name))


async def _inspect(window: object, name: str) -> int:
    from corsinspector.app.gallery import GALLERY
    from corsinspector.formats.scenario import load_scenario
    from corsinspector.wire.server import ScenarioServer
    from ui.mainwindow import MainWindow

    assert isinstance(window, MainWindow)
    loop = asyncio.get_running_loop()
    async with ScenarioServer(load_scenario(GALLERY / f"{name}.json")) as server:
        shown: asyncio.Future[object] = loop.create_future()

        def verdict(value: object) -> None:
            if not shown.done():
                shown.set_result(value)

        window.verdict_shown.connect(verdict)
        window.editor.load(server.wire_request())
        window.editor.send_requested.emit()
        await asyncio.wait_for(shown, 30)
        await asyncio.sleep(0.8)  # laid out and painted on the X server
        screen = window.screen()
        banner = window.banner
        centre = banner.mapTo(window, banner.rect().center())
        image = banner.grab().toImage()  # only to know the banner's colour, not the capture
        colour = image.pixelColor(image.width() // 2, image.height() - 3)
        report = {
            "platform": QApplication.platformName(),
            "screen": [screen.size().width(), screen.size().height()],
            "frame": [
                window.frameGeometry().x(),
                window.frameGeometry().y(),
                window.frameGeometry().width(),
                window.frameGeometry().height(),
            ],
            "size": [window.width(), window.height()],
            "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
            "window_id": int(window.winId()),
            "banner_state": banner.state,
            "banner_probe": [
                centre.x(),
                banner.mapTo(window, banner.rect().bottomLeft()).y() - 3,
            ],
            "banner_colour": [colour.red(), colour.green(), colour.blue()],
        }
        sys.stdout.write(json.dumps(report) + "\n")
        sys.stdout.flush()
        await loop.run_in_executor(None, sys.stdin.readline)
        await window.controller.aclose()
    window.closed = loop.create_future()
    window.close()
    await asyncio.wait_for(window.closed, 10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
