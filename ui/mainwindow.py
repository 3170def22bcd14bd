"""MainWindow: builds the widgets and wires them (all connections in _connect_signals)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from corsinspector.errors import CorsInspectorError, InputError

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from PySide6.QtGui import QCloseEvent, QResizeEvent, QShowEvent

    from corsinspector import ItemResult, Request, Verdict
    from corsinspector.app.ask import Answer
    from corsinspector.app.gallery import DemoServers
    from corsinspector.app.history import History

    from .collection_panel import CollectionPanel
    from .history_panel import HistoryPanel
    from .menus import Menus
    from .sequence_view import SequenceView
    from .watch_pane import WatchPane
from .controller import InspectorController
from .exchange_view import ExchangesPane, ExchangeView
from .fix_panel import FixPanel
from .request_editor import RequestEditor
from .verdict_banner import VerdictBanner
from .whatif_view import WhatIfBar, WhatIfMode

__all__ = ["MainWindow"]

EMBEDDED = "embedded"  # the real browser asked by default (corsinspector/app/ask.py)

_SHORTCUTS_AFTER_MS = 50
#: What the first verdict needs, loaded one module per idle moment after the first paint
#: (together they held the first verdict's frame for 15 ms).
_WARM_UP = (
    "corsinspector.app.report",
    "corsinspector.app.exchanges",
    "corsinspector.formats.collection",
    "corsinspector.app.workspace",
    "sqlite3",
    "platformdirs",
    "corsinspector.app.history",
)
#: Work split over turns of the event loop waits this long: a 0 ms single shot is a posted
#: event, run before any timer already due, so a chain of them starved the window's timers.
_NEXT_TURN_MS = 1
#: While verdicts stream in (a replay), the window redraws at most this often.
_STREAM_FLUSH_MS = 100


def _stored_origins(settings: QSettings) -> list[str]:
    """The recent origins kept in the settings (an INI file gives one item as a string)."""
    stored = settings.value("request/recent_origins", [])
    if isinstance(stored, str):
        return [stored]
    return [str(origin) for origin in stored] if isinstance(stored, list) else []


_frozen = False


def _freeze_long_lived() -> None:
    """Set every object made so far aside from the garbage collector, once a process: the
    modules, widgets and models of start-up live as long as the window, and a full
    collection walking them held the event loop for 13-18 ms (a stutter during a replay)."""
    global _frozen
    if not _frozen:
        import gc

        _frozen = True
        gc.freeze()


class MainWindow(QMainWindow):
    #: A verdict from the network is on screen (the Verdict).
    verdict_shown = Signal(object)

    def __init__(
        self,
        controller: InspectorController | None = None,
        history: History | None = None,
        settings: QSettings | None = None,
    ) -> None:
        """``history``: where inspections are kept across runs (None: this session only);
        ``settings``: where the tabs, recent origins and geometry are kept (None: the user's
        own, QSettings())."""
        super().__init__()
        self.settings = settings if settings is not None else QSettings()
        self.store = history
        self.setObjectName("main_window")
        self.setWindowTitle("CORS Inspector")
        self.controller = controller or InspectorController()
        self.demo: DemoServers | None = None
        self.closed: asyncio.Future[None] | None = None
        self._closing = False
        self.shortcuts_installed = False
        self.menus: Menus | None = None
        self._asking = False
        self._asked = EMBEDDED
        self._ask_menu: QMenu | None = None
        self._menus_scheduled = False

        self.gallery = QListWidget()
        self.gallery.setObjectName("gallery")
        self._history_panel: HistoryPanel | None = None  # built when first needed
        self._history_page = QWidget()
        QVBoxLayout(self._history_page).setContentsMargins(0, 0, 0, 0)
        sidebar = QTabWidget()
        sidebar.setObjectName("sidebar")
        sidebar.setMinimumWidth(180)
        sidebar.addTab(self.gallery, "Gallery")  # short: four tabs fit a laptop's sidebar
        sidebar.addTab(self._history_page, "History")
        self._collection_panel: CollectionPanel | None = None
        self._collection_page = QWidget()
        QVBoxLayout(self._collection_page).setContentsMargins(0, 0, 0, 0)
        sidebar.addTab(self._collection_page, "Collection")
        self._watch_pane: WatchPane | None = None  # built when first shown (ui/watch_pane.py)
        self._watch_page = QWidget()
        QVBoxLayout(self._watch_page).setContentsMargins(0, 0, 0, 0)
        sidebar.addTab(self._watch_page, "Watch")
        sidebar.currentChanged.connect(self._on_sidebar_current_changed)
        self.sidebar = sidebar
        self._replayed: list[ItemResult] = []
        self._replay_timer = QTimer(self)
        self._replay_timer.setInterval(50)  # results reach the table in batches
        self._replay_timer.timeout.connect(self._flush_replay)
        self._pending: list[tuple[Request, Verdict]] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(16)  # at most one redraw per frame
        self._flush_timer.timeout.connect(self._flush_verdicts)
        self._flush_clock = QElapsedTimer()  # since the last flush
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(150)
        self._busy_timer.timeout.connect(self._show_busy)
        self.editor = RequestEditor()
        self.banner = VerdictBanner()
        self.preflight_view = ExchangeView("Preflight (OPTIONS)", "preflight_view")
        self.actual_view = ExchangeView("Actual request", "actual_view")
        self.fix_panel = FixPanel()
        self.what_if_bar = WhatIfBar()
        self.what_if = self.what_if_bar.toggle
        self.what_if_mode = WhatIfMode(self, self.what_if_bar)

        side_by_side = ExchangesPane(self.preflight_view, self.actual_view)
        self.exchanges_pane = side_by_side
        self._sequence: SequenceView | None = None
        self._last_verdict_shown: Verdict | None = None
        sequence_page = QWidget()
        self._sequence_page = sequence_page
        sequence_layout = QVBoxLayout(sequence_page)
        self.presentation = QCheckBox("Presentation (large)")
        self.presentation.setObjectName("presentation")
        sequence_layout.addWidget(self.presentation)
        exchanges = QTabWidget()
        exchanges.setObjectName("exchange_tabs")
        exchanges.addTab(side_by_side, "Side by side")
        exchanges.addTab(sequence_page, "Sequence")
        self.exchange_tabs = exchanges
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        from .tabs import RequestTabs

        self.tabs = RequestTabs(self)
        # in the menu bar's row: the tabs take no height from the request and its verdict
        self.menuBar().setCornerWidget(self.tabs, Qt.Corner.TopLeftCorner)
        column.addWidget(self.editor)
        column.addWidget(self.banner)
        column.addWidget(self.what_if_bar)
        right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("right_splitter")
        self._right_splitter = right
        right.addWidget(top)
        # the exchanges and the fix side by side: both get the height below the verdict
        # (a laptop's 728 pixels cannot stack the request, the verdict, two header tables
        # and a snippet), the exchanges most of the width
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.setObjectName("bottom_splitter")
        bottom.setChildrenCollapsible(False)
        bottom.addWidget(exchanges)
        bottom.addWidget(self.fix_panel)
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        self._bottom_splitter = bottom
        # before the first verdict, one line where the exchanges and the fix will be: an
        # empty pair of panes says nothing, and drawing them held the first paint 4 ms
        waiting = QLabel(
            "Once a request is sent (or a scenario picked in the Gallery): the preflight and "
            "the request side by side, and the fix for the server."
        )
        waiting.setObjectName("exchanges_waiting")
        waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        waiting.setWordWrap(True)
        below = QStackedWidget()
        below.addWidget(waiting)
        below.addWidget(bottom)
        self._below = below
        right.addWidget(below)
        right.setStretchFactor(1, 1)
        main = QSplitter(Qt.Orientation.Horizontal)
        self._main_splitter = main
        main.addWidget(sidebar)
        main.addWidget(right)
        main.setStretchFactor(1, 1)
        # the sidebar starts wide enough for its four tabs (no arrows hiding Watch at 1366 px);
        # narrower only when the user drags it so
        labels = "".join(sidebar.tabText(index) for index in range(sidebar.count()))
        tabs = sidebar.fontMetrics().horizontalAdvance(labels) + 26 * sidebar.count()
        main.setSizes([tabs, 10_000])  # (the tab bar's size hint would lay it out before show)
        self.setCentralWidget(main)
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setRange(0, 0)  # busy: an inspection has no known length
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().showMessage("Ready")
        self._set_tab_order()
        self._connect_signals()
        self._restore()

    def _set_tab_order(self) -> None:
        """Tab goes as the eye reads: the request, the verdict, the fix, the sidebar."""
        editor = self.editor
        chain = [
            editor.method,
            editor.url,
            editor.send,
            editor.origin,
            editor.credentials,
            editor.mode,
            editor.browser,
            editor.headers,
            editor.add_header,
            editor.remove_header,
            editor.body,
            self.banner.ask,
            self.banner.ask_choice,
            self.banner.copy,
            self.what_if,
            self.preflight_view.copy_curl,
            self.preflight_view.request_table,
            self.preflight_view.response_table,
            self.actual_view.copy_curl,
            self.actual_view.request_table,
            self.actual_view.response_table,
            self.fix_panel.try_fix,
            self.fix_panel.copy,
            self.fix_panel.stack,
            self.gallery,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect_signals(self) -> None:
        self.editor.send_requested.connect(self._on_editor_send_requested)
        self.editor.cancel_requested.connect(self.controller.cancel)
        self.controller.verdict_ready.connect(self._on_controller_verdict_ready)
        self.controller.inspection_failed.connect(self._on_controller_inspection_failed)
        self.controller.busy_changed.connect(self._on_controller_busy_changed)
        self.gallery.currentItemChanged.connect(self._on_gallery_current_changed)
        self.fix_panel.try_requested.connect(self._on_fix_panel_try_requested)
        self.banner.ask.clicked.connect(self._on_ask_clicked)
        self.controller.real_browser_ready.connect(self._on_controller_real_browser_ready)
        self.controller.real_browser_busy.connect(self._on_controller_real_browser_busy)
        self.controller.real_browser_failed.connect(self._on_controller_real_browser_failed)
        self.banner.ask_choice.clicked.connect(self._on_ask_choice_clicked)
        self.what_if.toggled.connect(self._on_what_if_toggled)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.presentation.toggled.connect(lambda on: self.sequence.set_presentation(on))
        self.exchange_tabs.currentChanged.connect(
            lambda index: index == self.exchange_tabs.indexOf(self._sequence_page) and self.sequence
        )
        self.controller.replay_result.connect(self._replayed.append)
        self.controller.replay_running.connect(self._on_controller_replay_running)
        self.controller.replay_finished.connect(self._on_controller_replay_finished)
        for view in (self.preflight_view, self.actual_view):
            view.response_model.headers_edited.connect(self._on_response_headers_edited)

    def showEvent(self, event: QShowEvent) -> None:
        """The menu bar comes 50 ms after the window is first shown, after its first frame:
        no key can arrive sooner, and the first paint is not kept waiting for the menus and
        QKeySequence's enums (timed from construction, a slow start ran them before it)."""
        super().showEvent(event)
        if not self._menus_scheduled:
            self._menus_scheduled = True
            QTimer.singleShot(_SHORTCUTS_AFTER_MS, self._install_shortcuts)
            QTimer.singleShot(_SHORTCUTS_AFTER_MS * 2, self, lambda: self._warm_up(list(_WARM_UP)))

    def _warm_up(self, modules: list[str]) -> None:
        """Load what the first verdict needs, one module per turn of the event loop, then
        the History tab; then set what they made aside from the garbage collector."""
        if modules:
            import importlib

            importlib.import_module(modules.pop(0))
            QTimer.singleShot(_NEXT_TURN_MS, self, lambda: self._warm_up(modules))
            return
        self.history_panel  # noqa: B018 (built now, not with the first verdict)
        _freeze_long_lived()

    def _install_shortcuts(self) -> None:
        """The menu bar and its actions' keys (ui/menus.py), built just after the first paint
        (QKeySequence's enums and the menus cost milliseconds of start-up, and no key
        arrives before it)."""
        from .menus import Menus, install_copy_menu

        slots: dict[str, Callable[..., object]] = {
            "open_collection": self._open_collection,
            "save_request": self._on_save_requested,
            "quit": self.close,
            "focus_url": lambda: self.editor.url.setFocus(),
            "copy_message": self.banner.copy.click,
            "send": self._on_editor_send_requested,
            "cancel": self.controller.cancel,
            "ask_browser": self._on_ask_clicked,
            "what_if": self.what_if.setChecked,
            "try_fix": self.fix_panel.try_fix.click,
            "side_by_side": lambda: self.exchange_tabs.setCurrentIndex(0),
            "sequence": lambda: self.exchange_tabs.setCurrentIndex(1),
        }
        for tab_action in ("new_tab", "close_tab"):  # the request tabs, once they exist
            method = getattr(self, tab_action, None)
            if callable(method):
                slots[tab_action] = method
        slots["presentation"] = self._set_presentation
        from .watch_actions import watch_slots

        slots.update(watch_slots(self))
        menus = Menus(self, slots)
        menus.add_menu_after("ask_browser", self.ask_menu())
        self.what_if.toggled.connect(menus.actions["what_if"].setChecked)
        for view in (self.preflight_view, self.actual_view):
            install_copy_menu(view.request_table)
            install_copy_menu(view.response_table)
        self.menus = menus
        self.shortcuts_installed = True

    def _set_presentation(self, on: bool) -> None:
        """Presentation mode: the whole window's text larger, the sequence diagram too."""
        if self.menus is not None:
            self.menus.set_presentation(on)
        self.banner.set_text_size(self.editor.url.fontInfo().pointSizeF())  # its title too
        self.presentation.setChecked(on)

    def _open_collection(self) -> None:
        """File → Open collection: the Collection tab, and its file dialog."""
        self.sidebar.setCurrentWidget(self._collection_page)
        self.collection_panel.choose()

    # --- the demo gallery ---------------------------------------------------------------

    def list_gallery(self, names: list[str]) -> None:
        """Name the gallery's scenarios (before their servers run: the first paint)."""
        self.gallery.clear()
        self.gallery.addItems(names)
        self.statusBar().showMessage("Starting the demo servers…")

    def set_demo(self, demo: DemoServers) -> None:
        """The gallery now plays on loopback: picking a scenario loads its request."""
        self.demo = demo
        if [self.gallery.item(i).text() for i in range(self.gallery.count())] != [
            item.scenario.name for item in demo.items
        ]:
            self.list_gallery([item.scenario.name for item in demo.items])
        for row, item in enumerate(demo.items):
            description = item.scenario.description
            self.gallery.item(row).setToolTip(f"{description}\nExpected: {item.expected}")
        self.statusBar().showMessage(f"Demo: {len(demo.items)} scenarios served on loopback")

    def select_scenario(self, name: str) -> bool:
        matches = self.gallery.findItems(name, Qt.MatchFlag.MatchExactly)
        if not matches:
            return False
        self.gallery.setCurrentItem(matches[0])
        return True

    def _on_gallery_current_changed(self, current: QListWidgetItem | None) -> None:
        if current is None or self.demo is None:
            return
        item = self.demo.find(current.text())
        if item is not None:
            self.editor.load(item.request)
            self.statusBar().showMessage(item.scenario.description)

    # --- inspecting ---------------------------------------------------------------------

    def _on_editor_send_requested(self) -> None:
        try:
            request = self.editor.request()
        except InputError as exc:
            self.banner.show_problem(str(exc))
            return
        self.controller.send(request, self.editor.browser.currentText())
        self.tabs.sent()
        self._remember_origin(request.origin)

    def _remember_origin(self, origin: str) -> None:
        """The origin goes first in the Origin field's list, here and at the next start."""
        from corsinspector.app.recent import remember

        stored = _stored_origins(self.settings)
        recent = remember(stored, origin)
        if recent == stored:
            return  # already first: no settings write, no list rebuilt on every send
        self.settings.setValue("request/recent_origins", recent)
        self.editor.set_recent_origins(recent)

    def _on_controller_busy_changed(self, busy: bool) -> None:
        """The busy look (Cancel, progress) comes after a moment, so that quick inspections
        (a replay runs hundreds) do not make the window flicker; Escape cancels at once."""
        if busy:
            self._busy_timer.start()
            return
        self._busy_timer.stop()
        if self.progress.isVisible():
            self.editor.set_busy(False)
            self.progress.setVisible(False)
            self.statusBar().showMessage("Ready")

    def _show_busy(self) -> None:
        self.editor.set_busy(True)
        self.progress.setVisible(True)
        self.banner.show_busy("Inspecting…")
        self.statusBar().showMessage("Sending what the browser would send…")

    def _on_controller_inspection_failed(self, message: str) -> None:
        self.banner.show_problem(message)

    def _on_controller_verdict_ready(self, verdict: Verdict) -> None:
        """Verdicts can arrive faster than a screen refreshes (a replay): keep them, and
        draw only the newest once per frame."""
        request = self.controller.last_request
        if request is not None:
            self._pending.append((request, verdict))
        if not self._flush_timer.isActive():
            # one Send shows at the next frame; a stream of verdicts (a replay) ten times a
            # second, so that drawing the window does not take the time the inspections need
            streaming = self._flush_clock.isValid() and self._flush_clock.elapsed() < 250
            self._flush_timer.start(_STREAM_FLUSH_MS if streaming else 16)

    def _flush_verdicts(self) -> None:
        """The newest verdict on screen now; what is kept of them (the last request, the
        history) in the next turns of the event loop, so that no turn holds it long."""
        self._flush_clock.start()
        pending, self._pending = self._pending, []
        if not pending:
            return
        request, verdict = pending[-1]
        if self.tabs.verdict_arrived(verdict):  # else its tab is not the one on screen
            self.show_verdict(verdict)
        QTimer.singleShot(
            _NEXT_TURN_MS, self, lambda: self._keep_last_request(request, pending, verdict)
        )

    def _keep_last_request(
        self, request: Request, pending: list[tuple[Request, Verdict]], verdict: Verdict
    ) -> None:
        from corsinspector.app.workspace import request_json

        self.settings.setValue("request/last", request_json(request))
        QTimer.singleShot(_NEXT_TURN_MS, self, lambda: self._keep_history(pending, verdict))

    def _keep_history(self, pending: list[tuple[Request, Verdict]], verdict: Verdict) -> None:
        self.history_panel.add(
            [(request, verdict, self._demo_scenario(request)) for request, verdict in pending]
        )
        self.verdict_shown.emit(verdict)  # shown and kept

    @property
    def history_panel(self) -> HistoryPanel:
        """The History tab (ui/history_panel.py), built after the first paint: when first
        shown or with the first verdict (it reads the database then, not at start-up)."""
        if self._history_panel is None:
            from .history_panel import HistoryPanel

            panel = HistoryPanel(self.store)
            layout = self._history_page.layout()
            assert layout is not None
            layout.addWidget(panel)
            panel.entry_opened.connect(self._on_history_entry_opened)
            self._history_panel = panel
        return self._history_panel

    @property
    def history(self) -> QListWidget:
        """The History tab's list."""
        return self.history_panel.list

    def _demo_scenario(self, request: Request) -> str | None:
        """The demo scenario ``request`` went to, if it went to the demo."""
        if self.demo is None:
            return None
        from corsinspector.app.history import demo_scenario

        urls = {item.scenario.name: item.request.url for item in self.demo.items}
        return demo_scenario(request.url, urls)

    def _on_history_entry_opened(
        self, request: Request, verdict: Verdict | None, scenario: str | None
    ) -> None:
        """A history entry opens: its request (sent to its demo scenario's server as it runs
        now, when it came from the demo) and, from this session, its verdict."""
        item = self.demo.find(scenario) if self.demo is not None and scenario else None
        if item is not None:
            from corsinspector.app.history import rebased

            request = rebased(request, item.request.url)
        self.editor.load(request)
        if verdict is not None:
            self.show_verdict(verdict)

    def show_verdict(self, verdict: Verdict) -> None:
        self._below.setCurrentIndex(1)  # the exchanges and the fix, from now on
        self.tabs.shown(verdict)  # the current tab's verdict now, and fresh
        self.banner.show_verdict(verdict)
        error = verdict.error
        preflights, actuals = verdict.preflights, verdict.actuals
        pf_error = error if error is not None and error.stage == "preflight" else None
        act_error = error if error is not None and error.stage == "actual" else None
        if preflights:
            self.preflight_view.show_exchange(preflights[-1], pf_error, verdict=verdict)
        else:
            self.preflight_view.show_exchange(None, None, "No preflight: a simple request.")
        if actuals:
            self.actual_view.show_exchange(actuals[-1], act_error, verdict=verdict)
        else:
            why = "Not sent: the browser stops after a failed preflight."
            if error is not None and error.stage == "request":
                why = "Not sent: the browser refuses the request before sending it."
            self.actual_view.show_exchange(None, None, why)
        kind = verdict.error.kind if verdict.error is not None else ""
        self.fix_panel.show_fix(verdict.fixes[0] if verdict.fixes else None, kind)
        # every browser's verdict in the next turn of the event loop (judging four profiles
        # and a fix for all held a replay's frame 4 ms more), if it is still on screen then
        QTimer.singleShot(_NEXT_TURN_MS, self, lambda: self._show_browsers(verdict))
        self._last_verdict_shown = verdict
        if self._sequence is not None:
            self._sequence.show_verdict(verdict)
        self._fit_panes()

    def _show_browsers(self, verdict: Verdict) -> None:
        """The verdict in each browser (ui/browsers_row.py), judged offline from the exchanges
        on screen; where they disagree the headline says so and the fix is one for all.
        Nothing when another verdict is on screen by now."""
        if self._last_verdict_shown is not verdict:
            return
        from corsinspector.app.across import disagreement, fix_for_all, unsent, verdicts_across
        from corsinspector.app.ask import profile_name
        from corsinspector.app.whatif import scenario_of

        judged = self.tabs.judged()
        row = self.banner.browsers
        if judged is None or judged[1] is not verdict:
            row.setVisible(False)  # no request known for it: nothing to judge again
            return
        profile = profile_name(self.editor.browser.currentText())
        scenario = scenario_of(judged[0], verdict, profile)
        verdicts = verdicts_across(scenario)
        verdicts[profile] = verdict  # the chosen browser's is the one the banner shows
        row.show_verdicts(verdicts, unsent(verdict, verdicts), row.lines[profile].name.text())
        said = disagreement(verdicts)
        if said is not None:
            self.banner.title.setText(said)
            fixed = fix_for_all(scenario, verdicts)
            if fixed.fixes and fixed.passes_everywhere:
                from dataclasses import replace

                browser, fix = fixed.fixes[-1]
                kind = verdicts[browser].error
                title = f"For every browser: {fix.title}"
                self.fix_panel.show_fix(replace(fix, title=title), kind.kind if kind else "")
        # the banner grew (the line per browser, a longer headline): fit the panes again,
        # else the request's rows were drawn under its buttons
        QTimer.singleShot(_NEXT_TURN_MS, self, self._fit_panes)

    def _fit_panes(self) -> None:
        """With a verdict shown: the request and the verdict get the height their text needs
        (never so much that the exchanges go under their minimum), the exchanges and the fix
        share the rest; the fix gets more width when an exchange was never sent."""
        right = self._right_splitter
        total = sum(right.sizes())
        top = right.widget(0)
        if total <= 0 or top is None:
            return  # not laid out yet
        wanted = top.heightForWidth(top.width()) if top.hasHeightForWidth() else -1
        wanted = max(wanted, top.sizeHint().height())
        room = total - self._bottom_splitter.minimumSizeHint().height()
        top_height = max(top.minimumSizeHint().height(), min(wanted, room))
        right.setSizes([top_height, total - top_height])
        width = sum(self._bottom_splitter.sizes())
        collapsed = self.preflight_view.collapsed or self.actual_view.collapsed
        verdict = self._last_verdict_shown
        share = 0 if verdict is not None and verdict.allowed else 42 if collapsed else 30
        fix_width = max(self.fix_panel.minimumSizeHint().width(), width * share // 100)
        self._bottom_splitter.setSizes([width - fix_width, fix_width])

    def _on_fix_panel_try_requested(self) -> None:
        from corsinspector.app.whatif import scenario_of, try_fix

        judged = self.tabs.judged()  # the verdict on screen, not the last sent from any tab
        if judged is None:
            return
        result, rounds = try_fix(scenario_of(*judged))
        if result.allowed:
            self.fix_panel.show_try_result(True, f"Allowed with this fix ({rounds} change(s))")
        else:
            kind = result.error.kind if result.error else "blocked"
            self.fix_panel.show_try_result(False, f"Still blocked: {kind}")

    # --- collections ---------------------------------------------------------------------

    @property
    def sequence(self) -> SequenceView:
        """The Sequence tab's diagram, built when first shown; it then draws the last verdict."""
        if self._sequence is None:
            from .sequence_view import SequenceView

            self._sequence = SequenceView()
            self._sequence.set_presentation(self.presentation.isChecked())
            layout = self._sequence_page.layout()
            assert layout is not None
            layout.addWidget(self._sequence)
            if self._last_verdict_shown is not None:
                self._sequence.show_verdict(self._last_verdict_shown, animate=False)
        return self._sequence

    def _on_sidebar_current_changed(self, index: int) -> None:
        """The Collection tab builds on first show and widens the sidebar enough for its
        results' columns (the user's own wider sidebar is kept). The History tab builds on
        first show too, or with the first verdict."""
        if index == self.sidebar.indexOf(self._history_page):
            self.history_panel  # noqa: B018 (built on first show)
        if index == self.sidebar.indexOf(self._watch_page):
            self.watch_pane  # noqa: B018 (built on first show; it widens the sidebar too)
        elif index != self.sidebar.indexOf(self._collection_page):
            return
        else:
            self.collection_panel  # noqa: B018 (built on first show)
        sizes = self._main_splitter.sizes()
        wanted = min(640, sum(sizes) // 2)
        if index == self.sidebar.indexOf(self._watch_page):  # the live list's seven columns
            wanted = sum(sizes) // 2
        if sizes[0] < wanted:
            self._main_splitter.setSizes([wanted, sum(sizes) - wanted])

    @property
    def collection_panel(self) -> CollectionPanel:
        """The Collection tab, built when first shown (it is not part of the first paint)."""
        if self._collection_panel is None:
            from .collection_panel import CollectionPanel

            panel = CollectionPanel()
            layout = self._collection_page.layout()
            assert layout is not None
            layout.addWidget(panel)
            panel.run_requested.connect(self.controller.replay)
            panel.cancel_requested.connect(self.controller.cancel_replay)
            panel.result_opened.connect(self._on_result_opened)
            panel.save_requested.connect(self._on_save_requested)
            self._collection_panel = panel
        return self._collection_panel

    @property
    def watch_pane(self) -> WatchPane:
        """The Watch tab (ui/watch_pane.py), built when first shown: QtWebEngine loads only
        when a page is watched."""
        if self._watch_pane is None:
            from .watch_actions import WatchActions
            from .watch_pane import WatchPane

            pane = WatchPane(self.controller.tasks, quiet=self.controller.quiet_browser)
            layout = self._watch_page.layout()
            assert layout is not None
            layout.addWidget(pane)
            self._watch_actions = WatchActions(self, pane)
            self._watch_pane = pane
        return self._watch_pane

    # --- replaying a collection ------------------------------------------------------------

    def _flush_replay(self) -> None:
        batch, self._replayed[:] = list(self._replayed), []
        self.collection_panel.add_results(batch)

    def _on_controller_replay_running(self, running: bool) -> None:
        self.collection_panel.set_running(running)
        if running:
            self._replay_timer.start()
            self.statusBar().showMessage("Replaying the collection…")

    def _on_controller_replay_finished(self, message: str) -> None:
        self._replay_timer.stop()
        self._flush_replay()
        self.collection_panel.finish(message)
        self.statusBar().showMessage(f"Replay: {message}")

    def _on_result_opened(self, result: ItemResult) -> None:
        """A replayed item opens in the inspector: its request and its verdict."""
        self.editor.load(result.request)
        self.show_verdict(result.verdict)

    def _on_save_requested(self) -> None:
        try:
            request = self.editor.request()
        except InputError as exc:
            self.banner.show_problem(str(exc))
            return
        suggested = f"{request.method} {request.url}"
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(self, "Save into the collection", "Name:", text=suggested)
        if ok and name.strip():
            self.save_request_to_collection(name.strip())

    def save_request_to_collection(self, name: str) -> None:
        """Add the request in the editor to the open collection's "Saved" folder, safely."""
        from corsinspector.app.workspace import save_request

        panel = self.collection_panel
        if panel.collection is None or panel.path is None:
            self.banner.show_problem("Open a collection first (sidebar: Collection).")
            return
        try:  # a bad request (InputError) or a failed write
            saved = save_request(panel.collection, panel.path, name, self.editor.request())
        except CorsInspectorError as exc:
            self.banner.show_problem(str(exc))
            return
        panel.collection = saved
        panel.open_path(panel.path)
        self.statusBar().showMessage(f"Saved {name!r} into {panel.path.name}")

    # --- ask the real browser -------------------------------------------------------------

    def _on_ask_clicked(self) -> None:
        """Ask embedded Chromium (the default); while an ask runs, the button cancels it."""
        if self._asking:
            self.controller.cancel_ask()
            return
        self.ask_in(EMBEDDED)

    def ask_in(self, browser: str) -> None:
        """Run the request in the editor in real ``browser`` (app/ask.py's names)."""
        try:
            request = self.editor.request()
        except InputError as exc:
            self.banner.show_problem(str(exc))
            return
        self._asked = browser
        self.controller.ask_real_browser(request, browser)

    def ask_menu(self) -> QMenu:
        """The browsers one can ask (the banner's arrow, Request → Ask in), listed when opened:
        embedded Chromium, then every installed one."""
        if self._ask_menu is None:
            menu = QMenu("Ask &in", self)
            menu.setObjectName("ask_menu")
            menu.aboutToShow.connect(self._list_ask_choices)
            self._ask_menu = menu
        return self._ask_menu

    def _list_ask_choices(self) -> None:
        from corsinspector.app.ask import ask_choices, browser_label

        menu = self._ask_menu
        assert menu is not None
        menu.clear()
        for browser in ask_choices():
            action = menu.addAction(browser_label(browser))
            action.setObjectName(f"ask_{browser}")
            action.setEnabled(not self._asking)
            action.triggered.connect(lambda _=False, name=browser: self.ask_in(name))

    def _on_ask_choice_clicked(self) -> None:
        button = self.banner.ask_choice
        self.ask_menu().popup(button.mapToGlobal(button.rect().bottomLeft()))

    def _on_controller_real_browser_busy(self, busy: bool) -> None:
        from corsinspector.app.ask import browser_label

        self._asking = busy
        self.banner.ask.setText("Cancel asking" if busy else "Ask the real browser")
        self.banner.ask_choice.setEnabled(not busy)
        if busy:
            self.banner.show_real_browser(f"Asking {browser_label(self._asked)}…", None)

    def _on_controller_real_browser_failed(self, line: str) -> None:
        self.banner.show_real_browser(line, None)

    def _on_controller_real_browser_ready(self, answer: Answer) -> None:
        from corsinspector.app.ask import browser_label
        from corsinspector.app.report import outcome_label

        theirs = outcome_label(answer.allowed, answer.kind or "no CORS error named")
        version = answer.browser.version
        name = "Chromium" if answer.asked == EMBEDDED else browser_label(answer.asked)
        verdict = self.controller.last_verdict
        row = self.banner._browsers
        mine = row.verdicts.get(answer.profile) if row is not None else None
        if row is not None and row.isVisible():  # beside that browser's engine profile
            row.show_answer(
                answer.profile, answer.words(mine), None if mine is None else answer.agrees(mine)
            )
        if answer.asked != EMBEDDED and mine is not None:
            verdict = mine
        if verdict is None:
            self.banner.show_real_browser(f"{name} {version}: {theirs}", None)
            return
        agrees = answer.agrees(verdict)
        major = version.split(".")[0]
        tail = (
            "agrees with the engine"
            if agrees
            else f"the engine and {name} {major} disagree: please report"
        )
        self.banner.show_real_browser(f"{name} {version}: {theirs} — {tail}", agrees)

    def _on_tab_changed(self) -> None:
        """A tab with no verdict yet shows no browsers' line (its own shows with its verdict)."""
        if self.tabs.judged() is None and self.banner._browsers is not None:
            self.banner.browsers.setVisible(False)

    # --- what-if ------------------------------------------------------------------------

    def _on_what_if_toggled(self, on: bool) -> None:
        self.what_if_mode.toggled(on)  # ui/whatif_view.py

    def _on_response_headers_edited(self) -> None:
        self.what_if_mode.rejudge()

    # --- request tabs (ui/tabs.py) ------------------------------------------------------

    def new_tab(self) -> None:
        """File → New tab (Ctrl+T): an empty request, the URL ready for typing or a paste."""
        self.tabs.new_tab()
        self.editor.url.setFocus()

    def close_tab(self) -> None:
        """File → Close tab (Ctrl+W)."""
        self.tabs.close_current()

    # --- settings and shutdown ----------------------------------------------------------

    def _restore(self) -> None:
        settings = self.settings
        #: The tabs (or the last request) came back: the demo does not replace them.
        self.restored = self.tabs.restore(settings)
        recent = _stored_origins(settings)
        if recent:
            self.editor.set_recent_origins(recent)
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:  # a first start: roomy, but never past the screen's edges
            screen = self.screen().availableGeometry()
            self.resize(min(1360, screen.width() * 9 // 10), min(860, screen.height() * 9 // 10))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A verdict's panes are fitted again to the new size, once it is laid out."""
        super().resizeEvent(event)
        if self._last_verdict_shown is not None:
            QTimer.singleShot(0, self._fit_panes)

    def closeEvent(self, event: QCloseEvent) -> None:
        """The first close starts the shutdown (cancel, wait, close); the window closes for
        real when it is done."""
        if self._closing:
            event.accept()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.tabs.save()
        import asyncio  # loaded after the first paint, with the event loop

        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop any more (the app is ending): nothing left to await
            self._closing = True
            event.accept()
            return
        event.ignore()
        self.controller.tasks.start(self._shutdown(), name="shutdown", group="shutdown")

    async def _shutdown(self) -> None:
        self._closing = True
        self.controller.cancel()
        await self.controller.aclose()
        if self.demo is not None:
            await self.demo.close()
        self.close()
        if self.closed is not None and not self.closed.done():
            self.closed.set_result(None)
