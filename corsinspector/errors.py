"""The one exception hierarchy of CORS Inspector.

- CorsInspectorError: the root; anything else that escapes is a bug.
  - InputError: bad input (a file, a field, a header); ``str()`` is one line naming where.
  - StorageError: a file could not be read or written.
"""

from __future__ import annotations

__all__ = ["CorsInspectorError", "InputError", "StorageError"]


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
