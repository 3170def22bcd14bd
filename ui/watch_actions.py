"""The window's side of the Watch pane: a selected row opens in the inspector (its own request
tab, the captured exchanges, our verdict and Chromium's beside it), Edit and re-send (a new
request tab), What-if, Save to collection, Save as scenario."""

from __future__ import annotations

from typing import TYPE_CHECKING

from corsinspector.errors import CorsInspectorError

if TYPE_CHECKING:
    from collections.abc import Callable

    from corsinspector import Verdict
    from corsinspector.watch.capture import Watched

    from .mainwindow import MainWindow
    from .watch_pane import WatchPane

__all__ = ["WatchActions", "watch_slots"]

#: The tab data of the request tab the watched rows open in (one, reused).
WATCH_TAB = "watch"


class WatchActions:
    """Wires a WatchPane to its window."""

    def __init__(self, window: MainWindow, pane: WatchPane) -> None:
        self.window = window
        self.pane = pane
        #: The watched request the inspector shows now (its id).
        self.shown: str | None = None
        pane.row_selected.connect(self.show)
        pane.action_requested.connect(self.run)

    def _verdict(self, watched: Watched) -> Verdict:
        return self.pane.model.list.session.verdict(watched)

    def show(self, watched: Watched) -> None:
        """The row in the inspector: its request in the watch tab, the exchanges as captured,
        our headline and fix, and the browser's verdict beside ours."""
        from corsinspector.app.watching import comparison_line

        window = self.window
        if not watched.done:
            window.statusBar().showMessage("In flight: its verdict comes when it ends.")
            return
        tabs = window.tabs
        index = next((i for i in range(tabs.count()) if tabs.tabData(i) == WATCH_TAB), -1)
        if watched.id == self.shown and tabs.currentIndex() != index:
            return  # the row shown changed, but the user moved to another tab: no jump back
        verdict = self._verdict(watched)
        if window.what_if.isChecked():
            window.what_if.setChecked(False)  # the what-if was about another request
        if index < 0:
            index = tabs.new_tab()
            tabs.setTabData(index, WATCH_TAB)
        else:
            tabs.setCurrentIndex(index)
        window.editor.load(watched.request)
        window.show_verdict(verdict)
        line, agrees = comparison_line(watched, verdict, self.pane.runner.browser_name)
        window.banner.show_real_browser(line, agrees)
        self.shown = watched.id
        window.statusBar().showMessage(
            f"Watched: {watched.request.method} {watched.request.url} (as captured)"
        )

    def run(self, action_id: str, watched: Watched) -> None:
        if action_id == "edit_resend":
            self.edit_resend(watched)
        elif action_id == "what_if":
            self.show(watched)
            self.window.what_if.setChecked(True)
        elif action_id == "save_watched":
            self.save_to_collection(watched)
        elif action_id == "save_scenario":
            self.save_scenario(watched)

    def edit_resend(self, watched: Watched) -> None:
        """A new request tab holding the watched request, ready to edit and Send."""
        window = self.window
        window.new_tab()
        window.editor.load(watched.request)
        window.editor.url.setFocus()
        window.statusBar().showMessage("Edit the request, then Send (Ctrl+Enter).")

    def save_to_collection(self, watched: Watched, name: str | None = None) -> None:
        """Into the open collection's "Watched" folder, with the verdict it reached."""
        from corsinspector.app.watching import WATCHED_FOLDER, save_to_collection

        window = self.window
        panel = window.collection_panel
        if panel.collection is None or panel.path is None:
            self.pane.say("Open a collection first (sidebar: Collection, Ctrl+O).", True)
            return
        if name is None:
            from PySide6.QtWidgets import QInputDialog

            suggested = f"{watched.request.method} {watched.request.url}"
            name, ok = QInputDialog.getText(
                window, "Save into the collection", "Name:", text=suggested
            )
            if not ok or not name.strip():
                return
        try:
            saved = save_to_collection(
                panel.collection, panel.path, name.strip(), watched, self._verdict(watched)
            )
        except CorsInspectorError as exc:
            self.pane.say(str(exc), True)
            return
        panel.collection = saved
        panel.open_path(panel.path)
        self.pane.say(f"Saved {name.strip()!r} into {panel.path.name} ({WATCHED_FOLDER} folder)")

    def save_scenario(self, watched: Watched, path: str | None = None) -> None:
        """A cors-scenario/1 file: the request and the answers as captured."""
        from corsinspector.app.watching import save_scenario, scenario_file_name

        if path is None:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getSaveFileName(
                self.window, "Save as scenario", scenario_file_name(watched), "Scenarios (*.json)"
            )
            if not path:
                return
        try:
            save_scenario(watched, path)
        except CorsInspectorError as exc:
            self.pane.say(str(exc), True)
            return
        self.pane.say(f"Saved {path} (cors-scenario/1: `simulate` judges it offline)")


def watch_slots(window: MainWindow) -> dict[str, Callable[..., object]]:
    """What the Watch menu's actions run (corsinspector.app.actions); the pane is built by
    the first of them that needs it."""

    def watch() -> None:
        window.sidebar.setCurrentWidget(window._watch_page)
        window.watch_pane.url.setFocus()
        window.watch_pane.url.selectAll()

    def find() -> None:
        watch()
        window.watch_pane.filter.setFocus()

    return {
        "watch": watch,
        "stop_watch": lambda: window.watch_pane.stop_watching(),
        "show_page": lambda: window.watch_pane.show_page_window(),
        "find_watched": find,
        "all_requests": lambda: window.watch_pane.everything.toggle(),
        **{
            action_id: lambda a=action_id: window.watch_pane.request_action(a)
            for action_id in ("edit_resend", "save_watched", "save_scenario")
        },
    }


async def show_watched(window: MainWindow, url: str, seconds: float = 30.0) -> None:
    """For a screenshot (``--watch URL``): watch ``url`` in the Watch tab until its requests
    have settled (each has the browser's verdict, none new for a second), then show the
    first blocked one in the inspector."""
    import asyncio
    import time

    window.sidebar.setCurrentWidget(window._watch_page)
    pane = window.watch_pane
    pane.url.setText(url)
    pane.watch()
    deadline = time.monotonic() + seconds
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        session = pane.runner.session
        rows = session.requests() if session is not None else []
        if len(rows) != seen or not all(row.done for row in rows):
            seen, quiet_since = len(rows), time.monotonic()
        elif rows and time.monotonic() - quiet_since > 1.0:
            break
    listed = pane.model.list
    for group in range(len(listed.groups)):
        for row in range(len(listed.groups[group].ids)):
            if listed.row(group, row).state == "blocked":
                pane.select(listed.groups[group].ids[row])
                pane.list.scrollToTop()
                return
