"""What the window keeps in files: a request saved into the open collection, the last
request across starts (JSON in the settings), a sent request copied
as a cURL command."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from corsinspector.formats.collection import (
    Folder,
    item_from_request,
    merge_folders,
    save_collection,
)
from corsinspector.formats.curl import curl_command
from corsinspector.formats.scenario import request_from_dict, request_to_dict

if TYPE_CHECKING:
    from corsinspector.formats.collection import Collection
    from corsinspector.model import Request

__all__ = [
    "curl_command",
    "request_from_json",
    "request_json",
    "save_request",
]

#: The folder the window saves requests into.
SAVED = "Saved"


def save_request(
    collection: Collection, path: str | os.PathLike[str], name: str, request: Request
) -> Collection:
    """``request`` added as ``name`` to the collection's "Saved" folder and written safely;
    the collection as saved. InputError (a bad request) or StorageError otherwise."""
    item = item_from_request(name, request)
    return save_collection(path, merge_folders(collection, [Folder(SAVED, (item,))]))


def request_json(request: Request) -> str:
    return json.dumps(request_to_dict(request))


def request_from_json(text: str) -> Request:
    """ValueError when ``text`` is not JSON, InputError when it is not a request."""
    return request_from_dict(json.loads(text))
