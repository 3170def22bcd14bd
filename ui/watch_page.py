"""PageWindow: the watched page itself, in its own window (the user logs in and clicks there;
at 1366x768 the main window keeps its width for the list and the inspector). QtWebEngine's
widgets are imported only when the first page is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtWebEngineCore import QWebEnginePage
    from PySide6.QtWebEngineWidgets import QWebEngineView

__all__ = ["PageWindow"]


class PageWindow(QWidget):
    """A top-level window showing the embedded page being watched (or why there is none)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("watch_page_window")
        self.setWindowTitle("Watched page — CORS Inspector")
        self.note = QLabel(
            "The page shows here when watched in embedded Chromium (a Chrome shows it in its "
            "own window)."
        )
        self.note.setObjectName("watch_page_note")
        self.note.setWordWrap(True)
        self.view: QWebEngineView | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        self.resize(1024, 720)

    def set_page(self, page: QWebEnginePage | None) -> None:
        """Show ``page``; None takes the page out of the view (before the page is closed)."""
        if page is None:
            if self.view is not None:
                import shiboken6

                view, self.view = self.view, None
                shiboken6.delete(view)  # now: the page (not the view's) is closed next
            self.note.setVisible(True)
            return
        from PySide6.QtWebEngineWidgets import QWebEngineView

        if self.view is None:
            self.view = QWebEngineView()
            self.view.setObjectName("watch_page_view")
            layout = self.layout()
            assert layout is not None
            layout.addWidget(self.view)
        self.view.setPage(page)
        self.note.setVisible(False)
