"""Asking a real browser about a live request: the page on the request's exact origin, the
URL real (the user's server, often on localhost), the fetch run as page.py runs it.

Each browser gives the page its origin without any server or name mapping: embedded
Chromium by ``setHtml`` (browser.py), Debian's Chromium by DevTools' ``Fetch`` interception
(chromium.py), Firefox by BiDi's ``network.addIntercept`` + ``network.provideResponse``
(firefox.py), WebKitGTK by ``load_alternate_html`` (webkit.py). Each run is a fresh browser
(or profile): nothing cached between asks. A browser that is not installed is not offered.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from corsinspector.errors import InputError
from corsinspector.model import BrowserResult, Request

__all__ = ["ASKABLE", "ask", "installed_browsers"]

#: Every real browser that can be asked, in the order they are listed.
ASKABLE = ("embedded", "chromium", "firefox", "webkit")
_LIBS = ("/usr/lib", "/usr/lib64")


def _runs(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _webkit_bindings() -> bool:
    """WebKit2GTK 4.1's GObject bindings, as Debian installs them (never imported here)."""
    return any(Path(folder).glob("*/girepository-1.0/WebKit2-4.1.typelib") for folder in _LIBS)


def installed_browsers() -> list[str]:
    """Which of :data:`ASKABLE` can run here, checked cheaply (files, not launches)."""
    from corsinspector.realbrowser import chromium, firefox, webkit

    found = []
    if importlib.util.find_spec("PySide6.QtWebEngineCore") is not None:
        found.append("embedded")
    if _runs(chromium.BINARY):
        found.append("chromium")
    if _runs(firefox.BINARY):
        found.append("firefox")
    if _runs(webkit.PYTHON) and shutil.which("Xvfb") and _webkit_bindings():
        found.append("webkit")
    return found


async def ask(browser: str, request: Request, *, time_limit: float = 20.0) -> BrowserResult:
    """What ``browser`` (one of :data:`ASKABLE`) did with ``request``, run live."""
    if browser == "embedded":
        from corsinspector.realbrowser.browser import RealBrowser

        return await RealBrowser().fetch(request, time_limit=time_limit)
    if browser == "chromium":
        from corsinspector.realbrowser import chromium

        return await chromium.ask(request, time_limit=time_limit)
    if browser == "firefox":
        from corsinspector.realbrowser import firefox

        return await firefox.ask(request, time_limit=time_limit)
    if browser == "webkit":
        from corsinspector.realbrowser import webkit

        return await webkit.ask(request, time_limit=time_limit)
    raise InputError("browser", f"must be one of {', '.join(ASKABLE)}, not {browser!r}")
