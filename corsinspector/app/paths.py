"""Where the project's resources are. Light on purpose (no pathlib): the window lists the
gallery before its first paint."""

from __future__ import annotations

import os

__all__ = ["GALLERY_DIR", "gallery_names"]

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GALLERY_DIR = os.path.join(_ROOT, "resources", "gallery")


def gallery_names(folder: str = GALLERY_DIR) -> list[str]:
    """The gallery scenarios' names, from their file names alone."""
    return sorted(name[:-5] for name in os.listdir(folder) if name.endswith(".json"))
