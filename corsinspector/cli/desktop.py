"""``--install-desktop-entry``: the window in the desktop's menu, for this user (XDG)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from corsinspector.app.gallery import RESOURCES_DIR
from corsinspector.cli.exits import Exit
from corsinspector.formats.atomic import write_text_atomic

__all__ = ["install_desktop_entry"]

_NAME = "cors-inspector"


def _data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when unset or not absolute (the spec says ignore it)."""
    configured = os.environ.get("XDG_DATA_HOME", "")
    if os.path.isabs(configured):
        return Path(configured)
    return Path.home() / ".local" / "share"


def _quote(word: str) -> str:
    """One argument of Exec=, quoted as the Desktop Entry spec asks (and % doubled)."""
    word = word.replace("%", "%%")
    if not re.search(r"[\s\"'\\><~|&;$*?#()`]", word):
        return word
    return '"' + re.sub(r'(["`$\\])', r"\\\1", word) + '"'


def _command() -> list[str]:
    """How to start the window again: this very command, by absolute path (a menu's PATH
    may not hold ~/.local/bin, where pipx puts it)."""
    script = os.path.abspath(sys.argv[0])
    if script.endswith(".py"):  # python main.py from the source tree
        return [sys.executable, script]
    return [shutil.which(sys.argv[0]) or script]


def install_desktop_entry() -> int:
    """Write the .desktop file and its icon under $XDG_DATA_HOME, each atomically."""
    resources = Path(RESOURCES_DIR)
    home = _data_home()
    icon = home / "icons" / "hicolor" / "scalable" / "apps" / f"{_NAME}.svg"
    entry = home / "applications" / f"{_NAME}.desktop"
    write_text_atomic(icon, (resources / f"{_NAME}.svg").read_text(encoding="utf-8"))
    lines = []
    for line in (resources / f"{_NAME}.desktop").read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + " ".join(_quote(word) for word in _command())
        elif line.startswith("Icon="):
            line = f"Icon={icon}"  # by path: found without an icon-theme cache refresh
        lines.append(line)
    write_text_atomic(entry, "\n".join(lines) + "\n")
    print(f"installed {entry} (icon {icon})")
    return Exit.OK
