"""The window's Ask the real browser: the request run in a real browser (embedded Chromium by
default, or any installed one: realbrowser/ask.py), its outcome set beside the verdict of
that browser's engine profile. Nothing starts before the first ask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corsinspector.live.compare import Comparison, compare_with_browser

if TYPE_CHECKING:
    from corsinspector.model import BrowserResult, Request, Verdict
    from corsinspector.realbrowser.browser import RealBrowser

__all__ = [
    "EMBEDDED",
    "Answer",
    "Comparison",
    "RealBrowserAsk",
    "ask_choices",
    "browser_label",
    "profile_labels",
    "profile_name",
    "profile_of",
]

#: The browser asked by default: Chromium 140 inside this app (Qt WebEngine).
EMBEDDED = "embedded"
#: Each real browser's engine profile (corsinspector/engine/profiles.py) and its name.
_PROFILES = {
    EMBEDDED: ("chromium-140", "Chromium 140 (embedded)"),
    "chromium": ("chrome", "Chromium"),
    "firefox": ("firefox", "Firefox"),
    "webkit": ("safari", "WebKit"),
}


def profile_of(browser: str) -> str:
    """The engine profile that models real ``browser`` (a name of realbrowser/ask.py)."""
    return _PROFILES.get(browser, (browser, browser))[0]


def profile_name(choice: str) -> str:
    """The profile's own name for the editor's Browser choice (``chromium`` is ``chrome``)."""
    from corsinspector.engine.profiles import get_profile

    return get_profile(choice).name


def profile_labels() -> dict[str, str]:
    """Every engine profile's name and the name a person reads, the default first."""
    from corsinspector.engine.profiles import PROFILES

    return {name: profile.label for name, profile in PROFILES.items()}


def browser_label(browser: str) -> str:
    """``browser`` as the menu and the answer name it."""
    return _PROFILES.get(browser, (browser, browser.title()))[1]


def ask_choices() -> list[str]:
    """The browsers the user can ask: embedded Chromium first, then every installed one."""
    try:
        installed = _asker().installed_browsers()
    except ImportError:  # the other browsers' asking is not there: embedded Chromium only
        return [EMBEDDED]
    return [EMBEDDED, *(str(name) for name in installed if name != EMBEDDED)]


def _asker() -> Any:
    """corsinspector.realbrowser.ask, loaded on the first need (it knows every browser)."""
    import importlib

    return importlib.import_module("corsinspector.realbrowser.ask")


@dataclass(frozen=True)
class Answer(Comparison):
    """A real browser's answer to the request: which browser was asked, and the profile."""

    #: The browser asked (``embedded``, ``chromium``, ``firefox``, ``webkit``).
    asked: str

    @property
    def profile(self) -> str:
        return profile_of(self.asked)

    def agrees(self, verdict: Verdict) -> bool:
        """Whether the profile's ``verdict`` says what the browser did: allowed or blocked,
        and the same error's name where the browser gives one (Firefox's own, Chromium's)."""
        if verdict.allowed != self.allowed:
            return False
        if self.asked in ("firefox", "webkit"):  # their own names (or none), not Chromium's
            if verdict.error is None or self.kind is None:
                return True
            return self.kind in (verdict.error.reason, verdict.error.kind)
        return self.agrees_with(verdict)

    def words(self, verdict: Verdict | None) -> str:
        """One line: what the browser did, then whether its profile's verdict agrees."""
        did = "allowed" if self.allowed else f"blocked ({self.kind or self.browser.error})"
        head = f"{browser_label(self.asked)} {self.browser.version}: {did}"
        if verdict is None:
            return head
        same = self.agrees(verdict)
        return f"{head}: {'agrees with' if same else 'disagrees with'} the engine"


class RealBrowserAsk:
    """The real browsers asked from the window. Create and use it on the Qt thread; embedded
    Chromium stays open for the session, another browser starts and stops per ask."""

    def __init__(self, *, quiet: bool = True) -> None:
        self._quiet = quiet
        self._browser: RealBrowser | None = None

    async def ask(self, request: Request, time_limit: float, browser: str = EMBEDDED) -> Answer:
        result: BrowserResult
        if browser == EMBEDDED:
            if self._browser is None:
                from corsinspector.realbrowser.browser import RealBrowser

                self._browser = RealBrowser(quiet=self._quiet)
            result = await self._browser.fetch(request, time_limit=time_limit)
        else:
            result = await _asker().ask(browser, request, time_limit=time_limit)
        seen = compare_with_browser(result)
        return Answer(seen.browser, seen.kind, seen.message, browser)
