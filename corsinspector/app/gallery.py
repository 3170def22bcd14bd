"""The demo gallery, in one place: the teaching scenarios in ``resources/gallery``, the
verdict each is expected to reach, their loopback servers for the window (``DemoServers``)
and their live run for ``demo`` (``run_gallery``).

Light on purpose: the window lists ``gallery_names()`` before its first paint, so the
formats, the server and the inspector load only when used, and the records are plain
classes (dataclasses or NamedTuples cost the first paint a millisecond or more).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corsinspector.live.compare import Comparison
    from corsinspector.model import Request, Scenario, Verdict
    from corsinspector.realbrowser.browser import RealBrowser
    from corsinspector.wire.server import ScenarioServer

__all__ = [
    "GALLERY",
    "GALLERY_DIR",
    "RESOURCES_DIR",
    "DemoItem",
    "DemoServers",
    "GalleryRow",
    "expected_of",
    "gallery_names",
    "load_gallery",
    "run_gallery",
]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: resources/: package data inside the package when installed, beside it in the source tree.
RESOURCES_DIR = os.path.join(_PACKAGE, "resources")
if not os.path.isdir(RESOURCES_DIR):
    RESOURCES_DIR = os.path.join(os.path.dirname(_PACKAGE), "resources")
GALLERY_DIR = os.path.join(RESOURCES_DIR, "gallery")
GALLERY = Path(GALLERY_DIR)


def gallery_names(folder: str = GALLERY_DIR) -> list[str]:
    """The gallery scenarios' names, from their file names alone."""
    return sorted(name[:-5] for name in os.listdir(folder) if name.endswith(".json"))


def expected_of(path: Path) -> str | None:
    """A gallery scenario's expected outcome label, from its ``expected`` key."""
    import json

    from corsinspector.engine.kinds import outcome_label

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


class DemoItem:
    """A served gallery scenario; ``request`` is its request pointed at its loopback server."""

    __slots__ = ("expected", "request", "scenario")

    def __init__(self, scenario: Scenario, expected: str | None, request: Request) -> None:
        self.scenario, self.expected, self.request = scenario, expected, request


class DemoServers:
    """The window's demo: every gallery scenario on its own loopback port. Start with
    ``await start()``; ``items`` then lists the playable scenarios."""

    def __init__(self) -> None:
        self.items: list[DemoItem] = []
        self._servers: list[ScenarioServer] = []

    async def start(self) -> None:
        from corsinspector.wire.server import ScenarioServer

        for scenario, expected in load_gallery():
            server = ScenarioServer(scenario)
            await server.start()
            self._servers.append(server)
            request = server.wire_request()
            self.items.append(DemoItem(scenario, expected, request))

    async def close(self) -> None:
        for server in self._servers:
            await server.close()
        self._servers.clear()

    def find(self, name: str) -> DemoItem | None:
        return next((item for item in self.items if item.scenario.name == name), None)


class GalleryRow:
    """One line of ``demo``: a scenario's live verdict beside its expected one (and Chromium's)."""

    __slots__ = ("browser", "expected", "name", "verdict")

    def __init__(
        self, name: str, expected: str | None, verdict: Verdict, browser: Comparison | None
    ) -> None:
        self.name, self.expected, self.verdict, self.browser = name, expected, verdict, browser

    @property
    def got(self) -> str:
        from corsinspector.engine.kinds import verdict_label

        return verdict_label(self.verdict)

    @property
    def culprit(self) -> str:
        error = self.verdict.error
        if error is None or error.header is None:
            return ""
        return (
            f"{error.header} (missing)" if error.value is None else f"{error.header}: {error.value}"
        )

    @property
    def holds(self) -> bool:
        return self.expected is None or self.expected == self.got


async def run_gallery(
    gallery: list[tuple[Scenario, str | None]], browser: RealBrowser | None = None
) -> list[GalleryRow]:
    """Serve each gallery scenario on its own loopback port and inspect it live."""
    from corsinspector.live.compare import compare_with_browser
    from corsinspector.live.inspector import InspectOptions, Inspector
    from corsinspector.wire.server import ScenarioServer

    rows = []
    async with Inspector(InspectOptions()) as inspector:
        for scenario, expected in gallery:
            async with ScenarioServer(scenario) as server:
                request = server.wire_request()
                verdict = await inspector.inspect(request)
                comparison = None
                if browser is not None:
                    comparison = compare_with_browser(await browser.fetch(request))
            rows.append(GalleryRow(scenario.name, expected, verdict, comparison))
    return rows
