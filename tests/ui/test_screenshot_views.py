"""``python main.py --screenshot FILE --size WxH --view NAME`` offscreen: the PNG at that size,
each state the README shows reached; a bad --size is one line of bad input."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def _screenshot(out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(out), *flags],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _size(png: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    return width, height


@pytest.mark.parametrize(
    ("view", "scenario", "size"),
    [
        ("verdict", "missing-allow-origin", (1366, 768)),
        ("what-if", "custom-header-not-allowed", (1920, 1080)),
        ("sequence", "preflight-401-auth-first", (1920, 1080)),
        ("collection", "simple-get-allowed", (1920, 1080)),
    ],
)
def test_each_view_is_written_at_the_size_asked(
    view: str, scenario: str, size: tuple[int, int], tmp_path: Path
) -> None:
    out = tmp_path / f"{view}.png"
    flags = ["--view", view, "--scenario", scenario, "--size", f"{size[0]}x{size[1]}"]
    result = _screenshot(out, *flags, "--theme", "light")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == f"wrote {out}"
    assert _size(out) == size
    image = QImage(str(out))
    # what-if's violet banner, the Sequence tab's diagram, the replayed rows: the state is
    # there in the picture's colours (what-if's banner is #e8e0f8)
    colours = {image.pixel(x, y) for x in range(0, size[0], 23) for y in range(0, size[1], 17)}
    violet = QImage(1, 1, QImage.Format.Format_RGB32)
    violet.fill(0xE8E0F8)
    assert (violet.pixel(0, 0) in colours) == (view == "what-if")


def test_a_bad_size_is_one_line_of_bad_input(tmp_path: Path) -> None:
    result = _screenshot(tmp_path / "x.png", "--size", "1366by768")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: argument --size: '1366by768' is not WIDTHxHEIGHT (e.g. 1366x768) "
        "(see python main.py --help)"
    ]
    assert not (tmp_path / "x.png").exists()
