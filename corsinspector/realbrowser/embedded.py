"""The embedded Chromium (QtWebEngine) as a :class:`~corsinspector.realbrowser.players.Player`:
the recorder's loopback mapping around :class:`RealBrowser`. Needs a qasync loop."""

from __future__ import annotations

from corsinspector.model import Scenario, Truth
from corsinspector.realbrowser.browser import RealBrowser
from corsinspector.realbrowser.recorder import record

__all__ = ["EmbeddedPlayer", "open_player"]


class EmbeddedPlayer:
    name = "chromium"

    def __init__(self) -> None:
        self.browser = RealBrowser()  # starts Qt: the servers and the page share its thread
        self.version = self.browser.version

    async def play(self, scenario: Scenario, *, time_limit: float = 20.0) -> Truth:
        return await record(scenario, self.browser, time_limit=time_limit)

    async def aclose(self) -> None:
        """Nothing to stop: each fetch's page and profile go with it."""


async def open_player() -> EmbeddedPlayer:
    return EmbeddedPlayer()
