"""The window's states ``--screenshot --view`` can show (the README's screenshots), and the
demo gallery as a collection for the Collection tab's replay."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from corsinspector.app.gallery import GALLERY
from corsinspector.formats.collection import (
    Collection,
    Expectation,
    Folder,
    item_from_request,
    save_collection,
)
from corsinspector.model import Failure, Request

__all__ = ["VIEWS", "gallery_collection", "what_if_value"]

#: ``verdict``: the live verdict; ``what-if``: the culprit edited so that it passes, judged
#: offline; ``sequence``: the Sequence tab; ``collection``: the gallery replayed live from
#: the Collection tab.
VIEWS = ("verdict", "what-if", "sequence", "collection")


def gallery_collection(served: Iterable[tuple[str, Request]], path: Path) -> Collection:
    """The gallery's scenarios (name, request pointed at its loopback server) as a
    collection, each expecting its scenario's verdict, written to ``path``."""
    items = []
    for name, request in served:
        data = json.loads((GALLERY / f"{name}.json").read_text(encoding="utf-8"))
        expected = data.get("expected") or {}
        expect = Expectation(bool(expected.get("allowed")), expected.get("kind"))
        items.append(item_from_request(name, request, expect))
    return save_collection(path, Collection("gallery", (Folder("gallery", tuple(items)),)))


def what_if_value(error: Failure, current: str, origin: str) -> str:
    """The culprit header's value a what-if tries: what the request asked for added to what
    the server allowed, or the request's origin where the header was missing."""
    if error.value is None or not current or current == "(missing)":
        return origin if "origin" in (error.header or "").lower() else (error.value or "*")
    return f"{current}, {error.value}"
