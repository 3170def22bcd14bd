"""The theme in use, read from corsinspector.app.colors (the window's one table of colours):
the QPalette of a theme, and the colours of the theme the application shows now."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from corsinspector.app.colors import Theme, theme

__all__ = ["current", "is_dark", "qpalette"]


def is_dark() -> bool:
    """Does the application show the dark theme (a dark base)?"""
    return QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128


def current() -> Theme:
    """The colours of the theme the application shows now."""
    return theme(is_dark())


def qpalette(colors: Theme, start: QPalette | None = None) -> QPalette:
    """``start`` (or an empty palette) with every role of ``colors`` set; disabled text in its
    disabled colour."""
    palette = QPalette(start) if start is not None else QPalette()
    roles = {role.name.lower(): role for role in QPalette.ColorRole}
    for name, color in colors.palette.items():
        palette.setColor(roles[name], QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(disabled, role, QColor(colors.disabled_text))
    return palette
