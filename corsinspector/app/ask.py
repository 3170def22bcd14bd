"""The window's Ask the real browser: the request run in embedded Chromium, its outcome set
beside the engine's verdict. Chromium (Qt WebEngine) starts on the first ask, not before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from corsinspector.live.compare import Comparison, compare_with_browser

if TYPE_CHECKING:
    from corsinspector.model import Request
    from corsinspector.realbrowser.browser import RealBrowser

__all__ = ["Comparison", "RealBrowserAsk"]


class RealBrowserAsk:
    """One embedded Chromium for the window's session. Create and use it on the Qt thread."""

    def __init__(self, *, quiet: bool = True) -> None:
        self._quiet = quiet
        self._browser: RealBrowser | None = None

    async def ask(self, request: Request, time_limit: float) -> Comparison:
        if self._browser is None:
            from corsinspector.realbrowser.browser import RealBrowser

            self._browser = RealBrowser(quiet=self._quiet)
        result = await self._browser.fetch(request, time_limit=time_limit)
        return compare_with_browser(result)
