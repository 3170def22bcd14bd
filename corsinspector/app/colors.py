"""The window's colours, in one place, for the light and the dark theme: the palette, the
banner's states, the culprit and what-if rows, muted text, the fix's syntax colours, and
the WCAG contrast ratio every text colour is held to (4.5:1 against its background).

No Qt here: ``ui/app.py`` builds its QPalette from :data:`THEMES`, the banner, the headers
model and the fix highlighter read :func:`theme`; tests/ui/test_contrast.py computes the
ratios from this table and from the style sheets the widgets really carry. Named tuples, not
dataclasses: the palette is set before the window's first paint.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "AA",
    "BANNER_STATES",
    "THEMES",
    "Banner",
    "Theme",
    "contrast",
    "text_pairs",
    "theme",
]

#: WCAG 2's AA minimum for normal text.
AA = 4.5


class Banner(NamedTuple):
    """One state of the verdict banner: its background, border and text colours."""

    background: str
    border: str
    text: str
    #: A dashed border (what-if: not a live result).
    dashed: bool = False


class Theme(NamedTuple):
    """Every colour the window sets, for one theme."""

    name: str
    #: The QPalette roles (lower case, as ``QPalette.ColorRole`` names them).
    palette: dict[str, str]
    #: Disabled text (WCAG exempts inactive controls from the contrast minimum).
    disabled_text: str
    #: The verdict banner's states (``idle`` follows the palette).
    banners: dict[str, Banner]
    #: The culprit header row: background and text.
    culprit: tuple[str, str]
    #: A what-if edit's cell: background and text.
    edited: tuple[str, str]
    #: Browser plumbing (Host, Connection …): muted, still readable.
    muted: str
    #: Text that says pass or fail (a collection result, the real browser's agreement).
    passed: str
    failed: str
    #: The fix snippet's syntax colours by span kind (corsinspector.app.highlight): colour
    #: and bold.
    syntax: dict[str, tuple[str, bool]]


#: The banner's states, as ``headline()`` and the window name them.
BANNER_STATES = ("allowed", "blocked", "error", "whatif-allowed", "whatif-blocked")

_LIGHT = Theme(
    name="light",
    palette={
        "window": "#efefef",
        "windowtext": "#000000",
        "base": "#ffffff",
        "alternatebase": "#f7f7f7",
        "text": "#000000",
        "button": "#efefef",
        "buttontext": "#000000",
        "highlight": "#1a5fb4",
        "highlightedtext": "#ffffff",
        "tooltipbase": "#ffffdc",
        "tooltiptext": "#000000",
        "placeholdertext": "#5f6368",
        "mid": "#b8b8b8",
        "link": "#0b57d0",
    },
    disabled_text="#8c8c8c",
    banners={
        "allowed": Banner("#d4edda", "#8fc79d", "#155724"),
        "blocked": Banner("#f8d7da", "#e4a5ad", "#721c24"),
        "error": Banner("#fff3cd", "#e6cf7a", "#6b5003"),
        "whatif-allowed": Banner("#e8e0f8", "#6f42c1", "#3d1f80", dashed=True),
        "whatif-blocked": Banner("#e8e0f8", "#6f42c1", "#3d1f80", dashed=True),
    },
    culprit=("#f8d7da", "#721c24"),
    edited=("#e8e0f8", "#3d1f80"),
    muted="#595959",
    passed="#155724",
    failed="#b00020",
    syntax={
        "comment": ("#5f6368", False),
        "string": ("#0b7a0b", False),
        "number": ("#8430ce", False),
        "keyword": ("#1a4fb4", True),
        "header": ("#b3261e", True),
        "pitfall": ("#8a5300", False),
    },
)

_DARK = Theme(
    name="dark",
    palette={
        "window": "#202124",
        "windowtext": "#e8eaed",
        "base": "#17181a",
        "alternatebase": "#26272b",
        "text": "#e8eaed",
        "button": "#2d2e31",
        "buttontext": "#e8eaed",
        "highlight": "#8ab4f8",
        "highlightedtext": "#202124",
        "tooltipbase": "#2d2e31",
        "tooltiptext": "#e8eaed",
        "placeholdertext": "#9aa0a6",
        "mid": "#5f6368",
        "link": "#8ab4f8",
    },
    disabled_text="#6b6f75",
    banners={
        "allowed": Banner("#0f2e1a", "#2e7d46", "#a8dab5"),
        "blocked": Banner("#3c1518", "#8c2f36", "#f6aea9"),
        "error": Banner("#332a0b", "#8a6d00", "#fdd663"),
        "whatif-allowed": Banner("#2a2140", "#9f7aea", "#d7c4ff", dashed=True),
        "whatif-blocked": Banner("#2a2140", "#9f7aea", "#d7c4ff", dashed=True),
    },
    culprit=("#4a1c20", "#f6aea9"),
    edited=("#2a2140", "#d7c4ff"),
    muted="#ababab",
    passed="#81c995",
    failed="#ff8a80",
    syntax={
        "comment": ("#9aa0a6", False),
        "string": ("#81c995", False),
        "number": ("#d7aefb", False),
        "keyword": ("#8ab4f8", True),
        "header": ("#f28b82", True),
        "pitfall": ("#fdd663", False),
    },
)

#: Both themes by name.
THEMES: dict[str, Theme] = {"light": _LIGHT, "dark": _DARK}


def theme(dark: bool) -> Theme:
    """The dark theme or the light one."""
    return _DARK if dark else _LIGHT


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(color: str) -> float:
    """WCAG relative luminance of ``#rrggbb`` (or ``#rgb``)."""
    hex_digits = color.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    r, g, b = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_pairs(t: Theme) -> list[tuple[str, str, str]]:
    """Every (what, text colour, background) the theme draws text with."""
    p = t.palette
    pairs = [
        ("window text", p["windowtext"], p["window"]),
        ("text", p["text"], p["base"]),
        ("text on alternate rows", p["text"], p["alternatebase"]),
        ("button text", p["buttontext"], p["button"]),
        ("selected text", p["highlightedtext"], p["highlight"]),
        ("tooltip", p["tooltiptext"], p["tooltipbase"]),
        ("placeholder", p["placeholdertext"], p["base"]),
        ("link", p["link"], p["base"]),
        ("culprit row", t.culprit[1], t.culprit[0]),
        ("what-if edit", t.edited[1], t.edited[0]),
        ("muted", t.muted, p["base"]),
        ("muted on alternate rows", t.muted, p["alternatebase"]),
        ("passed", t.passed, p["base"]),
        ("passed on window", t.passed, p["window"]),
        ("failed", t.failed, p["base"]),
        ("failed on window", t.failed, p["window"]),
    ]
    pairs += [(f"banner {s}", b.text, b.background) for s, b in t.banners.items()]
    pairs += [(f"syntax {k}", color, p["base"]) for k, (color, _) in t.syntax.items()]
    return pairs
