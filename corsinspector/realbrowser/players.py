"""Real browsers behind one interface: each plays a scenario as it is written (the page on
its exact origin, the URLs as given) and says what it did, as a ``cors-truth/1`` Truth.

A browser's module is imported only when it is asked for (each starts its own processes or
Qt); each module has ``async def open_player() -> Player``.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from corsinspector.errors import InputError
from corsinspector.model import Scenario, Truth

__all__ = ["PLAYERS", "Player", "open_player", "truths_folder"]


class Player(Protocol):
    """One real browser, started, ready to play scenarios one after another."""

    #: ``Truth.browser``: ``chromium``, ``firefox`` or ``webkit``.
    name: str
    version: str

    async def play(self, scenario: Scenario, *, time_limit: float = 20.0) -> Truth:
        """What the browser did with ``scenario`` (an unreproducible Truth says why not)."""
        ...

    async def aclose(self) -> None:
        """Stop the browser and everything started for it."""
        ...


#: Each browser the recorder drives: the module that drives it, and the folder of
#: tests/golden its truths live in.
PLAYERS: dict[str, tuple[str, str]] = {
    "embedded": ("corsinspector.realbrowser.embedded", "truths"),
    "chromium": ("corsinspector.realbrowser.chromium", "truths-chromium"),
    "firefox": ("corsinspector.realbrowser.firefox", "truths-firefox"),
    "webkit": ("corsinspector.realbrowser.webkit", "truths-webkit"),
}


def truths_folder(browser: str) -> str:
    """The folder (under tests/golden) of ``browser``'s truths."""
    if browser not in PLAYERS:
        raise InputError("--browser", f"{browser!r}: one of {', '.join(PLAYERS)}")
    return PLAYERS[browser][1]


async def open_player(browser: str) -> Player:
    """Start ``browser`` (a key of :data:`PLAYERS`)."""
    truths_folder(browser)  # the name is checked first
    module = importlib.import_module(PLAYERS[browser][0])
    player: Player = await module.open_player()
    return player
