"""The demo: every gallery scenario played on its own loopback port, for the window."""

from __future__ import annotations

from dataclasses import dataclass, field

from corsinspector.app.gallery import load_gallery
from corsinspector.model import Request, Scenario
from corsinspector.wire.server import ScenarioServer

__all__ = ["DemoItem", "DemoServers"]


@dataclass(frozen=True)
class DemoItem:
    scenario: Scenario
    expected: str | None
    #: The scenario's request pointed at its loopback server.
    request: Request


@dataclass
class DemoServers:
    """Start with ``await start()``; ``items`` then lists the playable scenarios."""

    items: list[DemoItem] = field(default_factory=list)
    _servers: list[ScenarioServer] = field(default_factory=list)

    async def start(self) -> None:
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
