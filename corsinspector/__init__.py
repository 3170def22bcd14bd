"""CORS Inspector's core: the data model, formats, the scenario server and the judges.

Nothing in this package imports Qt, except :mod:`corsinspector.realbrowser.browser`, which does so
lazily (an import-linter contract in ``pyproject.toml`` enforces it).
"""

from typing import TYPE_CHECKING, Any

from corsinspector.errors import CorsInspectorError, InputError, StorageError

if TYPE_CHECKING:
    from corsinspector.model import Request, Route, Scenario

__all__ = ["CorsInspectorError", "InputError", "Request", "Route", "Scenario", "StorageError"]


def __getattr__(name: str) -> Any:
    """The model's names load on first use (importing the errors alone stays cheap)."""
    if name in ("Request", "Route", "Scenario"):
        from corsinspector import model

        return getattr(model, name)
    raise AttributeError(name)
