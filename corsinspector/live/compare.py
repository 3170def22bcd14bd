"""The engine's verdict side by side with real Chromium's (``check --real-browser``, the
demo's Chromium column, the window's Ask the real browser)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corsinspector.engine.kinds import DISALLOWED_BY_MODE, NON_CORS_KINDS
from corsinspector.model import BrowserResult, Verdict

__all__ = ["Comparison", "compare_with_browser", "real_browser_dict"]


@dataclass(frozen=True)
class Comparison:
    """The engine's verdict beside what real Chromium did with the same request."""

    browser: BrowserResult
    kind: str | None
    message: str | None

    @property
    def allowed(self) -> bool:
        return self.browser.outcome == "resolved"

    def agrees_with(self, verdict: Verdict) -> bool:
        if verdict.allowed != self.allowed:
            return False
        if verdict.error is None:
            return True
        if self.kind is None:  # no CORS error named: a failure that is not a CORS error
            return verdict.error.kind in NON_CORS_KINDS | {DISALLOWED_BY_MODE}
        return verdict.error.kind == self.kind


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
