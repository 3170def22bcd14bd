"""The window on a real X server (Xvfb, Qt's xcb platform), at 1366x768 and 1920x1080: it
starts, inspects a gallery scenario live, is mapped at the screen's size (it fits), and the
X server's own capture (xwd, not QWidget.grab) shows the blocked verdict's banner.

Xvfb, xauth, xwd and xwininfo come from Debian's xvfb, xauth, x11-apps and x11-utils
(``scripts/setup-display --xvfb``, run by ``scripts/check``)."""

from __future__ import annotations

import array
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("Xvfb", "xwd", "xwininfo")
pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="no Xvfb/xwd/xwininfo here: scripts/setup-display --xvfb installs them",
)


def xwd_image(data: bytes) -> QImage:
    """An XWD dump (xwd -root) of a 24/32-bit TrueColor screen as a QImage."""
    fields = struct.unpack(">25I", data[:100])
    header_size, version = fields[0], fields[1]
    assert version == 7
    width, height, byte_order, bits_per_pixel, bytes_per_line = (
        fields[4],
        fields[5],
        fields[7],
        fields[11],
        fields[12],
    )
    assert bits_per_pixel == 32, bits_per_pixel
    colours = fields[19]
    start = header_size + 12 * colours
    pixels = data[start : start + bytes_per_line * height]
    if (byte_order == 1) == (sys.byteorder == "little"):  # stored the other way round
        words = array.array("I", pixels)
        words.byteswap()
        pixels = words.tobytes()
    image = QImage(pixels, width, height, bytes_per_line, QImage.Format.Format_RGB32)
    return image.copy()  # own the pixels


class Xvfb:
    """An X server of its own, on a display number it picks (-displayfd)."""

    def __init__(self, width: int, height: int, folder: Path) -> None:
        read, write = os.pipe()
        self.log = (folder / "xvfb.log").open("wb")
        self.process = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write),
                "-screen",
                "0",
                f"{width}x{height}x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        self.display = f":{number}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.log.close()


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_window_on_a_real_x_server_fits_and_shows_the_verdict(
    width: int, height: int, tmp_path: Path
) -> None:
    server = Xvfb(width, height, tmp_path)
    env = dict(os.environ, DISPLAY=server.display, QT_QPA_PLATFORM="xcb")
    env.pop("WAYLAND_DISPLAY", None)
    env["XDG_CONFIG_HOME"] = env["XDG_DATA_HOME"] = str(tmp_path)  # not the user's files
    log = (tmp_path / "driver.log").open("wb")
    driver = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests/ui/real_display_driver.py"),
            "custom-header-not-allowed",
            str(tmp_path / "settings"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert driver.stdout is not None
        line = driver.stdout.readline()
        errors = (tmp_path / "driver.log").read_text(errors="replace")[-3000:]
        assert line, f"the window did not report: {errors}"
        report = json.loads(line)
        assert report["platform"] == "xcb"
        assert report["screen"] == [width, height]
        assert report["banner_state"] == "blocked"
        # Qt's view: the window fills the screen and its minimum fits inside it
        assert report["size"] == [width, height]
        assert report["minimum"][0] <= width
        assert report["minimum"][1] <= height
        # the X server's view of the same window: mapped, at that size, on the screen
        info = subprocess.run(
            ["xwininfo", "-id", str(report["window_id"]), "-display", server.display],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
        fields = dict(
            (key.strip(), value.strip())
            for key, _, value in (row.partition(":") for row in info.splitlines())
            if value
        )
        assert fields["Map State"] == "IsViewable"
        assert (int(fields["Width"]), int(fields["Height"])) == (width, height)
        x, y = int(fields["Absolute upper-left X"]), int(fields["Absolute upper-left Y"])
        assert (x, y) == (0, 0)  # the whole window on the screen, none of it past an edge
        # the X server's own capture: the screen as shown, the banner in its colour
        dump = subprocess.run(
            ["xwd", "-root", "-silent", "-display", server.display],
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout
        image = xwd_image(dump)
        assert (image.width(), image.height()) == (width, height)
        image.save(str(tmp_path / f"real-{width}x{height}.png"), "PNG")
        probe_x, probe_y = report["banner_probe"]
        seen = image.pixelColor(x + probe_x, y + probe_y)
        assert seen == QColor(*report["banner_colour"])
        assert seen != image.pixelColor(x + 2, y + height - 2)  # not the window's own grey
        distinct = {
            image.pixel(px, py) for px in range(0, width, 37) for py in range(0, height, 29)
        }
        assert len(distinct) > 8  # drawn, not a blank screen
    finally:
        if driver.poll() is None and driver.stdin is not None:
            driver.stdin.write("quit\n")
            driver.stdin.flush()
        try:
            assert driver.wait(30) == 0
        finally:
            if driver.poll() is None:
                driver.kill()
                driver.wait(10)
            for pipe in (driver.stdin, driver.stdout):
                if pipe is not None:
                    pipe.close()
            log.close()
            server.close()
