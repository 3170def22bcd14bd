"""Live checks for the command line: one request (``check``) or the whole gallery (``demo``),
optionally side by side with real Chromium."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corsinspector.formats import load_scenario
from corsinspector.inspector import InspectOptions, Inspector
from corsinspector.model import BrowserResult, Request, Scenario, Verdict
from corsinspector.server import ScenarioServer

if TYPE_CHECKING:
    from corsinspector.realbrowser import RealBrowser

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

GALLERY = Path(__file__).resolve().parent.parent / "resources" / "gallery"
_NON_CORS = ("FetchRejected", "NetworkFailure", "MixedContent")


def outcome_label(allowed: bool, kind: str | None) -> str:
    return "allowed" if allowed else f"blocked: {kind}"


def expected_of(path: Path) -> str | None:
    """A gallery scenario's expected outcome label, from its ``expected`` key."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    expected = data.get("expected")
    if not isinstance(expected, dict):
        return None
    return outcome_label(bool(expected.get("allowed")), expected.get("kind"))


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
            return verdict.error.kind in (*_NON_CORS, "DisallowedByMode")
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


def load_gallery(gallery: Path = GALLERY) -> list[tuple[Scenario, str | None]]:
    """Every gallery scenario with its expected outcome label."""
    paths = sorted(gallery.glob("*.json"))
    return [(load_scenario(path), expected_of(path)) for path in paths]


async def run_gallery(
    gallery: list[tuple[Scenario, str | None]], browser: RealBrowser | None = None
) -> list[GalleryRow]:
    """Serve each gallery scenario on its own loopback port and inspect it live."""
    rows = []
    async with Inspector(InspectOptions()) as inspector:
        for scenario, expected in gallery:
            async with ScenarioServer(scenario) as server:
                request = _on_server(scenario, server)
                verdict = await inspector.inspect(request)
                comparison = None
                if browser is not None:
                    comparison = compare_with_browser(await browser.fetch(request))
            rows.append(GalleryRow(scenario.name, expected, verdict, comparison))
    return rows


def _on_server(scenario: Scenario, server: ScenarioServer) -> Request:
    return replace(scenario.request, url=server.map.to_wire_url(scenario.request.url))
