"""The engine's verdict side by side with a real browser's (``check --real-browser``, the
demo's Chromium column, the window's Ask the real browser)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corsinspector.engine.kinds import DISALLOWED_BY_MODE, NON_CORS_KINDS
from corsinspector.model import BrowserResult, Verdict

__all__ = ["REAL_BROWSER_PROFILES", "Comparison", "compare_with_browser", "real_browser_dict"]

#: The engine's profile for each real browser (``realbrowser.players``' names).
REAL_BROWSER_PROFILES = {
    "embedded": "chromium-140",
    "chromium": "chrome",
    "firefox": "firefox",
    "webkit": "safari",
}
#: Browsers that name no CORS error (WebKit): only allowed or blocked can be compared.
_NAMELESS = frozenset({"webkit"})


@dataclass(frozen=True)
class Comparison:
    """The engine's verdict beside what a real browser did with the same request."""

    browser: BrowserResult
    kind: str | None
    message: str | None

    @property
    def allowed(self) -> bool:
        return self.browser.outcome == "resolved"

    def agrees_with(self, verdict: Verdict) -> bool:
        if verdict.allowed != self.allowed:
            return False
        if verdict.error is None or self.browser.browser in _NAMELESS:
            return True
        if self.kind is None:  # no CORS error named: a failure that is not a CORS error
            return verdict.error.kind in NON_CORS_KINDS | {DISALLOWED_BY_MODE}
        # Chromium names Chromium's kind; Firefox its console category, the engine's reason
        return self.kind in (verdict.error.kind, verdict.error.reason)


def compare_with_browser(result: BrowserResult) -> Comparison:
    kind = result.cors_errors[0].kind if result.cors_errors else None
    errors = [line.text for line in result.console if line.level == "error"]
    message = errors[0] if errors else result.error
    return Comparison(result, kind, message)


def real_browser_dict(comparison: Comparison) -> dict[str, Any]:
    """The ``real_browser`` object of the ``check --json`` verdict."""
    result = comparison.browser
    return {
        "allowed": comparison.allowed,
        "kind": comparison.kind,
        "message": comparison.message if not comparison.allowed else None,
        "readable_headers": list(result.readable_headers),
        "net_errors": list(result.net_errors),
        "browser": result.browser,
        "version": result.version,
    }
