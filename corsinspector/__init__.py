"""CORS Inspector's public face: why a browser blocks a cross-origin request, and the fix.

Judge a scenario offline (the request and the server's answers written down)::

    from corsinspector import judge, load_scenario
    verdict = judge(load_scenario("resources/gallery/missing-allow-origin.json"))
    verdict.allowed, verdict.error.kind, verdict.fixes[0].snippet

Inspect a live server as Chromium would (``async with``: one HTTP client, one cookie jar)::

    from corsinspector import Inspector, InspectOptions, Request
    async with Inspector(InspectOptions(timeout=10)) as inspector:
        request = Request(url="https://api.example/", origin="https://app.example")
        verdict = await inspector.inspect(request)

Run a collection of requests (``load_collection``, ``load_environments``,
``run_collection``) and read the model's frozen types (``Request``, ``Verdict``,
``Failure``, ``Exchange`` …). Failures the user can act on raise ``InputError`` or
``StorageError``, both ``CorsInspectorError``.

Every name loads on first use, so ``import corsinspector`` stays cheap (the window's
start-up). Nothing in this package imports Qt, except :mod:`corsinspector.realbrowser`,
lazily; import-linter contracts in ``pyproject.toml`` enforce it.
"""

from typing import TYPE_CHECKING, Any

from corsinspector.errors import CorsInspectorError, InputError, StorageError

if TYPE_CHECKING:
    from corsinspector.engine.judge import judge
    from corsinspector.formats.collection import (
        Collection,
        Expectation,
        Folder,
        Item,
        Variable,
        load_collection,
        load_environments,
        save_collection,
    )
    from corsinspector.formats.scenario import load_scenario
    from corsinspector.live.inspector import InspectOptions, Inspector
    from corsinspector.live.runner import ItemResult, run_collection
    from corsinspector.model import (
        BrowserResult,
        Exchange,
        Failure,
        Fix,
        Headers,
        NetworkError,
        Request,
        Response,
        Route,
        Scenario,
        SentRequest,
        Verdict,
    )

#: Each lazy name and the module that defines it.
_HOMES = {
    "judge": "corsinspector.engine.judge",
    "load_scenario": "corsinspector.formats.scenario",
    "Inspector": "corsinspector.live.inspector",
    "InspectOptions": "corsinspector.live.inspector",
    "Collection": "corsinspector.formats.collection",
    "Expectation": "corsinspector.formats.collection",
    "Folder": "corsinspector.formats.collection",
    "Item": "corsinspector.formats.collection",
    "Variable": "corsinspector.formats.collection",
    "load_collection": "corsinspector.formats.collection",
    "load_environments": "corsinspector.formats.collection",
    "save_collection": "corsinspector.formats.collection",
    "ItemResult": "corsinspector.live.runner",
    "run_collection": "corsinspector.live.runner",
    **dict.fromkeys(
        (
            "BrowserResult",
            "Exchange",
            "Failure",
            "Fix",
            "Headers",
            "NetworkError",
            "Request",
            "Response",
            "Route",
            "Scenario",
            "SentRequest",
            "Verdict",
        ),
        "corsinspector.model",
    ),
}

__all__ = [
    "BrowserResult",
    "Collection",
    "CorsInspectorError",
    "Exchange",
    "Expectation",
    "Failure",
    "Fix",
    "Folder",
    "Headers",
    "InputError",
    "InspectOptions",
    "Inspector",
    "Item",
    "ItemResult",
    "NetworkError",
    "Request",
    "Response",
    "Route",
    "Scenario",
    "SentRequest",
    "StorageError",
    "Variable",
    "Verdict",
    "judge",
    "load_collection",
    "load_environments",
    "load_scenario",
    "run_collection",
    "save_collection",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its home on first use (then cached here)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'corsinspector' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
