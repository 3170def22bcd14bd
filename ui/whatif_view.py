"""What-if in the window: the bar (the toggle, Reset, status codes, add and remove response
header lines) and the mode that re-judges the edited answers offline as the user types."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

if TYPE_CHECKING:
    from corsinspector import Verdict

    from .exchange_view import ExchangeView
    from .mainwindow import MainWindow

__all__ = ["WhatIfBar", "WhatIfMode"]


def _status_box(name: str, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(100, 599)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)  # judged when the number is whole, not at each digit
    return box


class WhatIfBar(QWidget):
    """The what-if toggle; while it is on, the tools that edit the server's answers."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("what_if_bar")
        self.toggle = QCheckBox("What-if: edit the server's answers")
        self.toggle.setObjectName("what_if")
        self.toggle.setToolTip(
            "Edit the server's answers (headers, status codes); the verdict is judged again "
            "as you type, offline: nothing is sent"
        )
        self.tools = QWidget()
        self.preflight_status = _status_box("what_if_preflight_status", "The preflight's status")
        self.actual_status = _status_box("what_if_actual_status", "The request's status")
        self.target = QComboBox()
        self.target.setObjectName("what_if_target")
        self.target.addItems(["preflight", "request"])
        self.target.setToolTip("The answer whose header lines Add and Remove change")
        self.add_header = QPushButton("Add line")
        self.add_header.setObjectName("what_if_add_header")
        self.remove_header = QPushButton("Remove line")
        self.remove_header.setObjectName("what_if_remove_header")
        self.remove_header.setToolTip("Remove the selected line of that answer")
        self.reset = QPushButton("Reset")
        self.reset.setObjectName("what_if_reset")
        self.reset.setToolTip("Back to the answers the server really sent")
        self.changes = QLabel("")
        self.changes.setObjectName("what_if_changes")
        # the count gives way first: the bar must not widen the window past a small screen
        self.changes.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        tools = QHBoxLayout(self.tools)
        tools.setContentsMargins(0, 0, 0, 0)
        for label, box in (
            ("Preflight status", self.preflight_status),
            ("Request", self.actual_status),
        ):
            text = QLabel(label)
            text.setBuddy(box)
            tools.addWidget(text)
            tools.addWidget(box)
        tools.addSpacing(8)
        tools.addWidget(self.target)
        tools.addWidget(self.add_header)
        tools.addWidget(self.remove_header)
        tools.addWidget(self.reset)
        tools.addWidget(self.changes, 1)
        self.tools.setVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.tools, 1)
        layout.addStretch()  # the toggle as wide as its words: a click beside them misses it
        self.toggle.toggled.connect(self.tools.setVisible)


class WhatIfMode:
    """What-if over the window's last live verdict: edits in the response tables and the
    bar's status codes are judged offline; the banner says so, in its own colour."""

    def __init__(self, window: MainWindow, bar: WhatIfBar) -> None:
        self.window = window
        self.bar = bar
        #: The Actual pane shows the answer assumed for a request the server never got.
        self._assumed_actual = False
        bar.reset.clicked.connect(self.reset)
        bar.add_header.clicked.connect(self.add_header)
        bar.remove_header.clicked.connect(self.remove_header)
        bar.preflight_status.valueChanged.connect(self._on_status_changed)
        bar.actual_status.valueChanged.connect(self._on_status_changed)
        bar.target.currentIndexChanged.connect(self._on_status_changed)
        window.verdict_shown.connect(self._on_live_verdict)

    def _on_live_verdict(self, _verdict: object) -> None:
        """A new live verdict ends the what-if: its tables are the server's new answers."""
        if self.on:
            self.bar.toggle.setChecked(False)

    @property
    def on(self) -> bool:
        return self.bar.toggle.isChecked()

    def _live(self) -> Verdict | None:
        """The current tab's live verdict (not the last one sent from any tab)."""
        judged = self.window.tabs.judged()
        return judged[1] if judged is not None else None

    def toggled(self, on: bool) -> None:
        window = self.window
        for view in (window.preflight_view, window.actual_view):
            view.response_model.editable = on
        live = self._live()
        if live is None:
            if on:
                window.statusBar().showMessage("What-if needs an inspection first: press Send.")
            return
        if on:
            self._load_statuses(live)
            self.rejudge()
            window.statusBar().showMessage(
                "What-if: double-click a response header to edit it; nothing is sent."
            )
        else:
            self._assumed_actual = False
            window.show_verdict(live)  # back to what the server said

    def _load_statuses(self, live: Verdict) -> None:
        bar = self.bar
        for box, exchanges in (
            (bar.preflight_status, live.preflights),
            (bar.actual_status, live.actuals),
        ):
            response = exchanges[-1].response if exchanges else None
            box.blockSignals(True)
            box.setValue(response.status if response is not None else 200)
            box.blockSignals(False)
            box.setEnabled(bool(exchanges) or box is bar.actual_status)
        bar.preflight_status.setVisible(bool(live.preflights))
        self.bar.target.setCurrentIndex(0 if live.preflights else 1)

    def reset(self) -> None:
        """The answers as the server sent them, judged again (what-if stays on)."""
        live = self._live()
        if live is None:
            return
        self._assumed_actual = False
        self.window.show_verdict(live)
        self._load_statuses(live)
        if self.on:
            self.rejudge()

    def _target(self) -> ExchangeView:
        window = self.window
        return window.preflight_view if self.bar.target.currentIndex() == 0 else window.actual_view

    def add_header(self) -> None:
        view = self._target()
        if not self.on or not view.isEnabled():
            return
        model = view.response_model
        model.add_row("X-New", "")
        index = model.index(model.rowCount() - 1, 0)
        view.response_table.setCurrentIndex(index)
        view.response_table.setFocus()
        view.response_table.edit(index)

    def remove_header(self) -> None:
        view = self._target()
        row = view.response_table.currentIndex().row()
        if self.on and row >= 0:
            view.response_model.remove_row(row)

    def _on_status_changed(self, _value: int) -> None:
        if self.on:
            self.rejudge()

    def rejudge(self) -> None:
        """Judge the edited answers offline and show the result as a what-if."""
        from corsinspector import judge
        from corsinspector.app.whatif import scenario_of, status_note

        window = self.window
        judged = window.tabs.judged()
        if not self.on or judged is None:
            return
        request, live = judged
        bar = self.bar
        edits, statuses = {}, {}
        if live.preflights:
            edits["preflight"] = window.preflight_view.response_model.headers()
            statuses["preflight"] = bar.preflight_status.value()
        if live.actuals or self._assumed_actual:
            edits["actual"] = window.actual_view.response_model.headers()
            statuses["actual"] = bar.actual_status.value()
        result = judge(
            scenario_of(
                request,
                live,
                window.editor.browser.currentText(),
                response_headers=edits,
                statuses=statuses,
            )
        )
        error = result.error
        if not live.actuals:
            self._show_assumed_actual(result)
        for stage, view in (("preflight", window.preflight_view), ("actual", window.actual_view)):
            culprit = error.header if error is not None and error.stage == stage else None
            view.response_model.mark_culprit(culprit)
        for box, exchanges in (
            (bar.preflight_status, live.preflights),
            (bar.actual_status, live.actuals),
        ):
            response = exchanges[-1].response if exchanges else None
            box.setToolTip(status_note(response.status if response else None, box.value()))
        self._show_pairs(result)
        window.banner.show_what_if(result)
        window.fix_panel.show_fix(
            result.fixes[0] if result.fixes else None, error.kind if error is not None else ""
        )
        changes = sum(
            view.response_model.edit_count() for view in (window.preflight_view, window.actual_view)
        )
        changes += sum(
            1
            for box, exchanges in (
                (bar.preflight_status, live.preflights),
                (bar.actual_status, live.actuals),
            )
            if exchanges and exchanges[-1].response and exchanges[-1].response.status != box.value()
        )
        bar.changes.setText(f"{changes} change(s) from the server's answers" if changes else "")
        window.statusBar().showMessage("What-if verdict (judged offline, nothing sent)")

    def _show_assumed_actual(self, result: Verdict) -> None:
        """The request the server never got: shown, editable, once the what-if lets it go."""
        from corsinspector.app.whatif import not_sent_note

        view = self.window.actual_view
        error = (
            result.error if result.error is not None and result.error.stage == "actual" else None
        )
        wanted = self.bar.target.currentIndex() == 1  # its answer is the one being edited
        if result.actuals and wanted and not self._assumed_actual:
            self._assumed_actual = True
            view.show_exchange(result.actuals[-1], error)
            view.response_model.editable = True
        elif not self._assumed_actual or not result.actuals:
            # one line: the width stays with the preflight, whose answer is being edited
            self._assumed_actual = False
            view.show_exchange(None, None, not_sent_note(result))
        view.request_line.setText(not_sent_note(result))

    def _show_pairs(self, result: Verdict) -> None:
        """The CORS pair strip of each exchange, for the what-if verdict (or none)."""
        from corsinspector.app.exchanges import cors_pair

        pair = cors_pair(result)
        window = self.window
        for stage, view in (("preflight", window.preflight_view), ("actual", window.actual_view)):
            mine = pair if pair is not None and pair.stage == stage else None
            view.pair_line.setVisible(mine is not None and view.response_table.isVisible())
            view.pair_line.set_full_text(mine.short if mine is not None else "")
            view.pair_line.setToolTip(mine.text if mine is not None else "")
            asked = mine.asked_header if mine is not None and mine.asked_is_header else None
            view.request_model.mark_culprit(asked)  # the request side of the pair, or none
