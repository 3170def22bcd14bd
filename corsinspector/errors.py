"""The one exception hierarchy of CORS Inspector.

- CorsInspectorError: the root; anything else that escapes is a bug.
  - InputError: bad input (a file, a field, a header); ``str()`` is one line naming where.
  - StorageError: a file could not be read or written.
  - WatchError: a page could not be watched (no browser found, the browser would not start
    or went away, DevTools did not answer); ``str()`` is one line saying which.
"""

from __future__ import annotations

__all__ = ["CorsInspectorError", "InputError", "StorageError", "WatchError"]


class CorsInspectorError(Exception):
    """The root of every error CORS Inspector raises on purpose."""


class InputError(CorsInspectorError):
    """Bad input. ``where`` names the file and field (``scenario.json: request.url``)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


class StorageError(CorsInspectorError):
    """A file could not be read or written."""


class WatchError(CorsInspectorError):
    """A page could not be watched: no browser, a browser that would not start or went
    away, a DevTools endpoint that did not answer in time."""
