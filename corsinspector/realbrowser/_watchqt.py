"""The Qt side of the watched page, imported only when a WatchPage is made: its profile
(off the record, or kept on disk so a login survives) and the page itself."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile

__all__ = ["WatchedPage", "make_page", "release"]


class WatchedPage(QWebEnginePage):
    """The page watched: its console is heard over DevTools, so Qt's log does not echo it."""

    def javaScriptConsoleMessage(  # noqa: N802 - Qt's name
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        return


def make_page(storage: Path | None, start_url: str) -> tuple[QWebEngineProfile, QWebEnginePage]:
    """A page in its own profile, loading ``start_url``: off the record when ``storage`` is
    None, else kept in ``storage`` (cookies too, session ones included)."""
    if storage is None:
        profile = QWebEngineProfile()
    else:
        storage.mkdir(parents=True, exist_ok=True)
        profile = QWebEngineProfile(f"corsinspector-watch-{storage.name}")
        profile.setPersistentStoragePath(str(storage))
        profile.setCachePath(str(storage / "cache"))
        profile.setPersistentCookiesPolicy(
            QWebEngineProfile.PersistentCookiesPolicy.ForcePersistentCookies
        )
    page = WatchedPage(profile)
    page.setUrl(QUrl(start_url))
    # visible without a view (the command line never shows one; only once loading has begun
    # does it take): a hidden page's timers are throttled to one a second
    page.setVisible(True)
    return profile, page


def release(profile: QWebEngineProfile, page: QWebEnginePage) -> None:
    """Delete now, on this thread, page before profile (Chromium refuses otherwise)."""
    if shiboken6.isValid(page):
        shiboken6.delete(page)
    if shiboken6.isValid(profile):
        shiboken6.delete(profile)
