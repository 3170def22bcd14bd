"""VerdictBanner: Allowed (green) or Blocked (red), the stage, the kind in plain words, and
the console message exactly as the browser prints it, selectable and copyable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from corsinspector import Verdict

    from .browsers_row import BrowsersRow

__all__ = ["VerdictBanner"]


def _style(state: str) -> tuple[str, str]:
    """(background and border, text colour) of ``state`` in the theme shown now, from the
    one table of colours (corsinspector.app.colors); what-if is dashed: judged offline."""
    if state == "idle":
        return "background:palette(alternate-base); border:1px solid palette(mid);", ""
    from .palette import current

    banner = current().banners[state]
    line = "2px dashed" if banner.dashed else "1px solid"
    return f"background:{banner.background}; border:{line} {banner.border};", banner.text


class VerdictBanner(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("verdict_banner")
        self.title = QLabel("Press Send (Ctrl+Enter) to inspect the request")
        self.title.setObjectName("verdict_title")
        self.title.setWordWrap(True)
        # 1.4 times the text size, by style sheet: QFontInfo, unlike QFont, brings no enums
        # to build before the first paint
        self._title_style = (
            f"#verdict_title {{ font-size:{self.title.fontInfo().pointSizeF() * 1.4:.1f}pt;"
            " font-weight:bold; }"
        )
        self.message = QLabel("")
        self.message.setObjectName("verdict_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(
            self.message.textInteractionFlags()
            | self.message.textInteractionFlags().TextSelectableByMouse
        )
        self.ask = QPushButton("Ask the real browser")
        self.ask.setObjectName("ask_real_browser")
        self.ask.setToolTip("Run the same request in embedded Chromium and compare (Ctrl+B)")
        self.ask_choice = QToolButton()
        self.ask_choice.setObjectName("ask_choice")
        self.ask_choice.setArrowType(Qt.ArrowType.DownArrow)
        self.ask_choice.setToolTip("Ask another installed browser: Chromium, Firefox, WebKit")
        self.real = QLabel("")
        self.real.setObjectName("real_browser_verdict")
        self.real.setWordWrap(True)
        self.real.setVisible(False)
        self.copy = QPushButton("Copy message")
        self.copy.setObjectName("copy_message")
        self.copy.setEnabled(False)
        self.copy.clicked.connect(self._copy)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.ask)
        top.addWidget(self.ask_choice)
        top.addWidget(self.copy)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.real)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._browsers: BrowsersRow | None = None  # built with the first verdict
        self._set_state("idle")

    @property
    def browsers(self) -> BrowsersRow:
        """The line per browser under the message (ui/browsers_row.py), built on first use:
        inside the banner, it dims with it when an edit makes the verdict stale."""
        if self._browsers is None:
            from .browsers_row import BrowsersRow

            self._browsers = BrowsersRow()
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(layout.indexOf(self.real), self._browsers)
        return self._browsers

    def set_text_size(self, points: float) -> None:
        """The window's text size changed (presentation mode): the title stays 1.4 times it."""
        self._title_style = (
            f"#verdict_title {{ font-size:{points * 1.4:.1f}pt; font-weight:bold; }}"
        )
        self._styled = None  # restyle now, in the same state
        self._set_state(self.state)

    def _set_state(self, state: str) -> None:
        dark = None
        if state != "idle":  # the idle box is drawn in the palette's own roles: no theme to read
            from .palette import is_dark  # (nor to load before the first paint)

            dark = is_dark()
        styled = (state, dark)
        if getattr(self, "_styled", None) == styled:
            return  # restyling is costly: only when the state (or the theme) changes
        self._styled = styled
        self.state = state
        what_if = getattr(self, "what_if_label", None)
        if what_if is not None:
            what_if.setVisible(state.startswith("whatif"))
        box, text = _style(state)
        label = f"#verdict_banner QLabel {{ color:{text}; }}" if text else ""
        self.setStyleSheet(
            f"#verdict_banner {{ {box} border-radius:6px; }} {label} {self._title_style}"
        )

    def show_verdict(self, verdict: Verdict) -> None:
        from corsinspector.app.report import headline

        self.show_real_browser("", None)
        if self._browsers is not None:  # not this verdict's until it is shown for it
            self._browsers.setEnabled(False)
        words = headline(verdict)
        self.title.setText(words.title)
        self.message.setText(words.body)
        self._message_text = words.console
        self._set_state(words.state)
        self.copy.setEnabled(bool(words.console))

    def show_what_if(self, verdict: Verdict) -> None:
        """A verdict judged offline from edited answers: its own label, colour and state."""
        from corsinspector.app.whatif import WHAT_IF_LABEL, what_if_state

        self.show_verdict(verdict)
        if getattr(self, "what_if_label", None) is None:  # built on first use
            self.what_if_label = QLabel(WHAT_IF_LABEL)
            self.what_if_label.setObjectName("what_if_label")
            self.what_if_label.setStyleSheet("font-weight:bold; letter-spacing:0.5px;")
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(0, self.what_if_label)
        self._set_state(what_if_state(verdict))
        self.what_if_label.setVisible(True)
        if self._browsers is not None:  # the live answers' line per browser: not this one's
            self._browsers.setVisible(False)

    def show_real_browser(self, text: str, agrees: bool | None) -> None:
        from .palette import current

        colors = current()
        color = "" if agrees is None else (colors.passed if agrees else colors.failed)
        self.real.setStyleSheet(f"color:{color}; font-weight:bold;" if color else "")
        self.real.setText(text)
        self.real.setVisible(bool(text))

    def show_busy(self, text: str) -> None:
        self.title.setText(text)
        self.message.setText("")
        self._set_state("idle")
        self.copy.setEnabled(False)

    def show_problem(self, text: str) -> None:
        if self._browsers is not None:  # no verdict: nothing to say per browser
            self._browsers.setVisible(False)
        self.title.setText("Cannot inspect this request")
        self.message.setText(text)
        self._set_state("error")
        self.copy.setEnabled(False)

    def _copy(self) -> None:
        QApplication.clipboard().setText(getattr(self, "_message_text", ""))
