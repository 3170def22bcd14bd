"""Every text colour at least 4.5:1 against its background (WCAG AA), in both themes: from the
one table of colours (corsinspector.app.colors) and from what the widgets really carry (the
palette set by apply_theme, the banner's style sheet, the culprit row's brushes, the fix
highlighter's formats)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from corsinspector.app.colors import AA, BANNER_STATES, THEMES, contrast, text_pairs
from tests.ui.test_mainwindow import inspected
from ui.app import apply_theme
from ui.mainwindow import MainWindow
from ui.models import Roles
from ui.verdict_banner import VerdictBanner

_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole


@pytest.fixture(params=["light", "dark"])
def theme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    apply_theme(qapp, request.param)
    yield request.param
    apply_theme(qapp, "light")


def _applied_colours(window: MainWindow) -> set[str]:
    """Every foreground colour the highlighter set in the fix panel's text."""
    out = set()
    block = window.fix_panel.text.document().begin()
    while block.isValid():
        out |= {r.format.foreground().color().name() for r in block.layout().formats()}
        block = block.next()
    return out


def _hex(color: object) -> str:
    from PySide6.QtGui import QColor

    assert isinstance(color, QColor)
    return color.name()


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_text_colour_of_the_table_is_aa(name: str) -> None:
    low = [
        (what, fg, bg, round(contrast(fg, bg), 2))
        for what, fg, bg in text_pairs(THEMES[name])
        if contrast(fg, bg) < AA
    ]
    assert low == []
    assert len(text_pairs(THEMES[name])) >= 25


def test_the_ratio_is_wcag_s() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's example
    assert contrast("#fff", "#fff") == 1


def test_the_dark_theme_has_its_own_banner_and_culprit_colours() -> None:
    light, dark = THEMES["light"], THEMES["dark"]
    for state in BANNER_STATES:
        assert light.banners[state].background != dark.banners[state].background
    assert light.culprit != dark.culprit
    base = dark.palette["base"]
    # dark backgrounds (they sit among dark rows), light text
    for background in [dark.culprit[0], *(b.background for b in dark.banners.values())]:
        assert contrast(background, "#000000") < contrast(background, "#ffffff")
        assert contrast(background, base) < 2  # a tint of the page, not a light-pink block


def test_the_palette_applied_is_aa(theme: str, qapp: QApplication) -> None:
    palette = qapp.palette()
    roles = QPalette.ColorRole
    pairs = [
        (roles.WindowText, roles.Window),
        (roles.Text, roles.Base),
        (roles.Text, roles.AlternateBase),
        (roles.ButtonText, roles.Button),
        (roles.HighlightedText, roles.Highlight),
        (roles.ToolTipText, roles.ToolTipBase),
        (roles.PlaceholderText, roles.Base),
    ]
    for fg, bg in pairs:
        ratio = contrast(palette.color(fg).name(), palette.color(bg).name())
        assert ratio >= AA, (theme, fg.name, bg.name, ratio)
    assert palette.color(roles.Base).name() == THEMES[theme].palette["base"]


def _sheet_colours(sheet: str) -> tuple[str, str]:
    background = re.search(r"#verdict_banner \{[^}]*background:(#[0-9a-fA-F]{6})", sheet)
    text = re.search(r"#verdict_banner QLabel \{ color:(#[0-9a-fA-F]{6})", sheet)
    assert background is not None, sheet
    assert text is not None, sheet
    return text.group(1), background.group(1)


def test_the_banner_s_style_sheet_is_aa_in_every_state(theme: str, qtbot: QtBot) -> None:
    banner = VerdictBanner()
    qtbot.addWidget(banner)
    seen = set()
    for state in BANNER_STATES:
        banner._set_state(state)
        text, background = _sheet_colours(banner.styleSheet())
        assert contrast(text, background) >= AA, (theme, state, text, background)
        assert (text, background) == (
            THEMES[theme].banners[state].text,
            THEMES[theme].banners[state].background,
        )
        seen.add(background)
    assert len(seen) >= 4  # allowed, blocked, error and what-if look different
    # the real browser's agreement is readable on every banner
    for state in BANNER_STATES:
        background = THEMES[theme].banners[state].background
        for colour in (THEMES[theme].passed, THEMES[theme].failed):
            assert contrast(colour, background) >= AA, (theme, state, colour)


def test_the_banner_follows_a_theme_switch(qapp: QApplication, qtbot: QtBot) -> None:
    apply_theme(qapp, "light")
    banner = VerdictBanner()
    qtbot.addWidget(banner)
    banner._set_state("blocked")
    light = _sheet_colours(banner.styleSheet())
    try:
        apply_theme(qapp, "dark")
        banner._set_state("blocked")
        assert _sheet_colours(banner.styleSheet()) == (
            THEMES["dark"].banners["blocked"].text,
            THEMES["dark"].banners["blocked"].background,
        )
        assert _sheet_colours(banner.styleSheet()) != light
    finally:
        apply_theme(qapp, "light")


def test_the_culprit_row_and_the_fix_colours_as_shown_are_aa(
    theme: str, qtbot: QtBot, loop: asyncio.AbstractEventLoop, qapp: QApplication
) -> None:
    async def main() -> None:
        async with inspected(qtbot, "custom-header-not-allowed") as (window, _):
            model = window.preflight_view.response_model
            row = model.culprit_row()
            assert row is not None
            index = model.index(row, 0)
            background = _hex(model.data(index, _BACKGROUND).color())
            text = _hex(model.data(index, _FOREGROUND).color())
            assert model.data(index, Roles.Culprit) is True
            assert (background, text) == THEMES[theme].culprit
            assert contrast(text, background) >= AA
            base = qapp.palette().color(QPalette.ColorRole.Base).name()
            assert window.fix_panel.show_stack("nginx")
            applied = _applied_colours(window)
            syntax = {colour for colour, _ in THEMES[theme].syntax.values()}
            assert len(applied) >= 4  # comments, strings, header names, pitfalls …
            assert applied <= syntax
            for colour in applied:
                assert contrast(colour, base) >= AA, (theme, colour)

    loop.run_until_complete(main())


def test_the_request_problem_and_the_try_fix_result_are_aa(
    theme: str, qtbot: QtBot, qapp: QApplication
) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    background = qapp.palette().color(QPalette.ColorRole.Window).name()
    window.editor.url.setText("not a url")
    assert window.editor.problem.text().startswith("URL:")
    shown = [window.editor.problem.styleSheet()]
    for allowed in (True, False):
        window.fix_panel.show_try_result(allowed, "judged again")
        shown.append(window.fix_panel.result.styleSheet())
    for sheet in shown:
        match = re.search(r"color:(#[0-9a-fA-F]{6})", sheet)
        assert match is not None, sheet
        assert contrast(match.group(1), background) >= AA, (theme, sheet)
    assert THEMES[theme].failed in shown[0]


def test_the_sequence_s_red_and_grey_steps_are_aa(theme: str, qapp: QApplication) -> None:
    from ui.sequence_view import step_colours

    background = qapp.palette().color(QPalette.ColorRole.Window).name()
    for colour in step_colours():
        assert contrast(colour.name(), background) >= AA, (theme, colour.name())


def test_the_window_s_colours_live_in_one_table() -> None:
    """No colour literal in ui/: every colour comes from corsinspector.app.colors."""
    from pathlib import Path

    ui = Path(__file__).resolve().parents[2] / "ui"
    literal = re.compile(r"""["'(:\s]#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b""")
    found = [
        f"{path.name}:{number}"
        for path in sorted(ui.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert found == []
