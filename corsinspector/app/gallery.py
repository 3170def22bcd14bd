"""The demo gallery: teaching scenarios with the verdicts they are expected to reach.

Light on purpose (no HTTP client): the window lists the gallery before anything heavy loads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corsinspector.app.paths import GALLERY_DIR

if TYPE_CHECKING:
    from corsinspector.model import Scenario

__all__ = ["GALLERY", "expected_of", "load_gallery", "outcome_label"]

GALLERY = Path(GALLERY_DIR)


def outcome_label(allowed: bool, kind: str | None) -> str:
    return "allowed" if allowed else f"blocked: {kind}"


def expected_of(path: Path) -> str | None:
    """A gallery scenario's expected outcome label, from its ``expected`` key."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    expected = data.get("expected")
    if not isinstance(expected, dict):
        return None
    return outcome_label(bool(expected.get("allowed")), expected.get("kind"))


def load_gallery(gallery: Path = GALLERY) -> list[tuple[Scenario, str | None]]:
    """Every gallery scenario with its expected outcome label."""
    from corsinspector.formats.scenario import load_scenario

    paths = sorted(gallery.glob("*.json"))
    return [(load_scenario(path), expected_of(path)) for path in paths]
