"""Live checks for the command line: one request (``check``) or the whole gallery (``demo``),
optionally side by side with real Chromium."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corsinspector.app.gallery import GALLERY, expected_of, load_gallery, outcome_label
from corsinspector.live.inspector import InspectOptions, Inspector
from corsinspector.model import NON_CORS_KINDS, BrowserResult, Scenario, Verdict
from corsinspector.wire.server import ScenarioServer

if TYPE_CHECKING:
    from corsinspector.realbrowser.browser import RealBrowser

__all__ = [
    "GALLERY",
    "Comparison",
    "GalleryRow",
    "compare_with_browser",
    "expected_of",
    "load_gallery",
    "outcome_label",
    "real_browser_dict",
    "run_gallery",
]


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
            return verdict.error.kind in NON_CORS_KINDS | {"DisallowedByMode"}
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


@dataclass(frozen=True)
class GalleryRow:
    name: str
    expected: str | None
    verdict: Verdict
    browser: Comparison | None

    @property
    def got(self) -> str:
        error = self.verdict.error
        return outcome_label(self.verdict.allowed, None if error is None else error.kind)

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
