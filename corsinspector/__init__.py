"""CORS Inspector's core: the data model, formats, the scenario server and the judges.

Nothing in this package imports Qt, except :mod:`corsinspector.realbrowser`, which does so
lazily (an import-linter contract in ``pyproject.toml`` enforces it).
"""

from corsinspector.errors import CorsInspectorError, InputError, StorageError
from corsinspector.model import Request, Route, Scenario

__all__ = ["CorsInspectorError", "InputError", "Request", "Route", "Scenario", "StorageError"]
