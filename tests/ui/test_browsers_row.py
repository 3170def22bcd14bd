"""The line per browser under the verdict: the real window, a real loopback server playing a
corpus scenario on which the recorded browsers differ."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from corsinspector.formats.scenario import load_scenario, load_truth
from corsinspector.model import Scenario
from corsinspector.wire.server import ScenarioServer
from tests.ui.conftest import next_emission
from ui.mainwindow import MainWindow

GOLDEN = Path(__file__).parents[1] / "golden"


PAGE = "http://localhost:9"


def _on_loopback(scenario: Scenario) -> Scenario:
    """``scenario`` with its page on a loopback origin (its answers allow that origin)."""
    old = scenario.request.origin
    routes = tuple(
        replace(route, headers=tuple((n, PAGE if v == old else v) for n, v in route.headers))
        for route in scenario.server
    )
    return replace(scenario, request=replace(scenario.request, origin=PAGE), server=routes)


def _recorded_allowed(name: str, folder: str) -> bool:
    return load_truth(GOLDEN / folder / f"{name}.json").result.outcome == "resolved"


@contextlib.asynccontextmanager
async def inspected(qtbot: QtBot, name: str) -> AsyncIterator[MainWindow]:
    """A 1366x768 window that has inspected corpus scenario ``name`` live, as Chrome, the page
    on a loopback origin (a public page reaching the loopback server needs the user's
    permission in Chrome and Firefox: Local Network Access)."""
    async with ScenarioServer(
        _on_loopback(load_scenario(GOLDEN / "scenarios" / f"{name}.json"))
    ) as server:
        window = MainWindow()
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        window.editor.load(server.wire_request())
        window.editor.send_requested.emit()
        await next_emission(window.verdict_shown)
        try:
            yield window
        finally:
            await window.controller.aclose()


def test_chrome_allows_firefox_blocks_the_rows_and_headline_say_so_and_the_fix_is_for_all(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    name = "safelist-hint-dpr"  # DPR: a client hint Chromium safelists, Firefox does not
    assert _recorded_allowed(name, "truths-chromium")
    assert not _recorded_allowed(name, "truths-firefox")

    async def main() -> None:
        async with inspected(qtbot, name) as window:
            row = window.banner.browsers
            assert row.isVisible()
            assert not row.body.isVisible()  # folded: one line, a mark per browser
            assert row.summary.text() == (
                "✓ Chrome   ✓ Chromium 140   ✗ Firefox   ✗ Safari   (allowed in 2 of 4)"
            )
            row.toggle.click()  # unfolded: a line per browser
            assert [line.name.text() for line in row.lines.values()] == [
                "Chrome",
                "Chromium 140 (embedded)",
                "Firefox",
                "Safari (WebKit)",
            ]
            chrome, firefox = row.lines["chrome"], row.lines["firefox"]
            assert (chrome.mark.text(), chrome.word.text()) == ("✓", "allowed")
            assert firefox.mark.text() == "✗"
            # Firefox would send a preflight Chrome did not: its answer is assumed, and said
            assert firefox.word.text() == "blocked: CORSMissingAllowOrigin2 (assumed)"
            assert "would send OPTIONS http://127.0.0.1:" in firefox.word.toolTip()
            assert "Choose Firefox and Send to know." in firefox.word.toolTip()
            assert firefox.message.toolTip().startswith("Cross-Origin Request Blocked:")
            title = window.banner.title.text()
            assert title.startswith("Blocked in Firefox and Safari, allowed in Chrome and")
            assert window.fix_panel.heading.text().startswith("For every browser: ")
            firefox.copy.click()
            assert QApplication.clipboard().text() == firefox.message.full
            # one line per browser at 1366x768, the message cut (whole in the tooltip)
            height = firefox.message.fontMetrics().height()
            for line in row.lines.values():
                assert line.name.height() < 2 * height + 8
                assert line.copy.isVisible()
                corner = line.copy.mapTo(window, line.copy.rect().bottomRight())
                assert window.rect().contains(corner)
            assert firefox.message.is_elided()
            # collapsible
            row.toggle.click()
            assert not row.body.isVisible()
            row.toggle.click()
            assert row.body.isVisible()
            # an edit dims the banner and the row inside it; What-if dims the row itself
            window.editor.url.setText(window.editor.url.text() + "?edited")
            assert window.tabs.stale
            effect = window.banner.graphicsEffect()
            assert effect is not None
            assert effect.isEnabled()
            assert row.isAncestorOf(firefox.message)
            assert window.banner.isAncestorOf(row)
            # a what-if is judged from edited answers: the live line per browser goes
            window.what_if.setChecked(True)
            assert not row.isVisible()
            window.what_if.setChecked(False)  # back to the live verdict, and its line
            await asyncio.sleep(0.05)
            assert row.isVisible()

    loop.run_until_complete(main())


def test_chrome_blocks_firefox_allows_the_rows_and_headline_say_so(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    name = "safelist-ct-two-entries-same"  # two Content-Type values: Chromium joins them
    assert not _recorded_allowed(name, "truths-chromium")
    assert _recorded_allowed(name, "truths-firefox")

    async def main() -> None:
        async with inspected(qtbot, name) as window:
            row = window.banner.browsers
            assert row.lines["chrome"].mark.text() == "✗"
            assert row.lines["chrome"].word.text() == ("blocked: PreflightMissingAllowOriginHeader")
            # Firefox sends no preflight: its request was never sent, its answer not known
            assert row.lines["firefox"].word.text().endswith("(assumed)")
            # Firefox's rules chosen: a new verdict, the rows follow (nothing stale)
            window.editor.browser.setCurrentText("firefox")
            window.editor.send_requested.emit()
            (verdict,) = await next_emission(window.verdict_shown)
            assert verdict.allowed
            assert window.banner.state == "allowed"
            assert row.isEnabled()
            firefox, chrome = row.lines["firefox"], row.lines["chrome"]
            assert (firefox.mark.text(), firefox.word.text()) == ("✓", "allowed")
            assert chrome.mark.text() == "✗"
            assert chrome.word.text().endswith("(assumed)")  # Chrome's preflight: not sent
            title = window.banner.title.text()
            assert title.startswith("Blocked in Chrome, Chromium 140")
            assert title.split(": ")[0].endswith("allowed in Firefox")

    loop.run_until_complete(main())


def test_the_ask_menu_offers_embedded_chromium_first_then_every_installed_browser(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    from corsinspector.realbrowser.ask import installed_browsers

    window = MainWindow()
    qtbot.addWidget(window)
    menu = window.ask_menu()
    menu.aboutToShow.emit()
    names = [action.objectName() for action in menu.actions()]
    assert names[0] == "ask_embedded"
    assert names == ["ask_embedded", *(f"ask_{b}" for b in installed_browsers() if b != "embedded")]
    assert next(action.text() for action in menu.actions()) == "Chromium 140 (embedded)"


@pytest.mark.browser
@pytest.mark.integration
def test_cancelling_an_ask_says_so_in_one_line_and_leaves_no_task(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "safelist-hint-dpr") as window:
            window.ask_in("firefox")
            await asyncio.sleep(0.5)
            window.banner.ask.click()  # now "Cancel asking"
            (line,) = await next_emission(window.controller.real_browser_failed, 20)
            assert line == "Cancelled: the real browser was not asked."
            await window.controller.tasks.wait()
            assert window.controller.tasks.running() == 0
            assert window.banner.real.text() == line

    loop.run_until_complete(main())
