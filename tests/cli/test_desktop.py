"""``--install-desktop-entry``: the .desktop file and the icon, written for this user."""

from __future__ import annotations

import configparser
import shlex
import sys
from pathlib import Path

import pytest

from tests.commandline import ROOT, main_py

pytestmark = pytest.mark.integration


def _entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_the_shipped_entry_is_a_valid_application_entry() -> None:
    entry = _entry(ROOT / "resources" / "cors-inspector.desktop")
    assert entry["Type"] == "Application"
    assert entry["Name"] == "CORS Inspector"
    assert entry["Exec"] == "cors-inspector"
    assert entry["Icon"] == "cors-inspector"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    svg = (ROOT / "resources" / "cors-inspector.svg").read_text(encoding="utf-8")
    assert 'viewBox="0 0 48 48"' in svg


def test_install_writes_the_entry_and_icon_under_xdg_data_home(tmp_path: Path) -> None:
    home = tmp_path / "data home"
    result = main_py("--install-desktop-entry", env={"XDG_DATA_HOME": str(home)})
    assert (result.returncode, result.stderr) == (0, "")
    desktop = home / "applications" / "cors-inspector.desktop"
    icon = home / "icons" / "hicolor" / "scalable" / "apps" / "cors-inspector.svg"
    assert result.stdout == f"installed {desktop} (icon {icon})\n"
    assert icon.read_bytes() == (ROOT / "resources" / "cors-inspector.svg").read_bytes()
    entry = _entry(desktop)
    assert entry["Icon"] == str(icon)
    # the command that wrote it, by absolute path: a desktop menu's PATH may lack ~/.local/bin
    assert shlex.split(entry["Exec"]) == [sys.executable, str(ROOT / "main.py")]
    again = main_py("--install-desktop-entry", env={"XDG_DATA_HOME": str(home)})
    assert again.returncode == 0
    leftovers = [p.name for p in home.rglob("*") if p.is_file()]
    assert sorted(leftovers) == ["cors-inspector.desktop", "cors-inspector.svg"]


def test_install_refuses_in_one_line_where_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = main_py("--install-desktop-entry", env={"XDG_DATA_HOME": str(blocker)})
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.splitlines()) == 1
