"""Collections (``cors-collection/1``) and their environments (``cors-environments/1``).

A collection is one JSON file of named folders of items; an item is a scenario request
(whose strings may hold ``{{variables}}``), an optional expectation and notes. Variables
come from a separate environments file, so that secrets stay out of the collection.

Saving is atomic (temporary file, fsync, rename), keeps the previous version as
``NAME.bak``, never overwrites a file that fails to parse, and refuses to save over a file
that changed on disk since it was loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corsinspector.errors import InputError, StorageError
from corsinspector.formats.atomic import write_json_atomic
from corsinspector.formats.json import Field, name_of, parse_json, read_json_file
from corsinspector.formats.scenario import request_from_dict, request_to_dict
from corsinspector.model import Request

__all__ = [
    "COLLECTION_FORMAT",
    "ENVIRONMENTS_FORMAT",
    "Collection",
    "Expectation",
    "Folder",
    "Item",
    "Variable",
    "add_secret_variables",
    "collection_to_dict",
    "load_collection",
    "load_environments",
    "merge_folders",
    "save_collection",
]

COLLECTION_FORMAT = "cors-collection/1"
ENVIRONMENTS_FORMAT = "cors-environments/1"
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")


@dataclass(frozen=True)
class Expectation:
    allowed: bool
    #: The error kind expected when blocked (None: any).
    kind: str | None = None

    def holds(self, allowed: bool, kind: str | None) -> bool:
        return allowed == self.allowed and (self.kind is None or kind == self.kind)


@dataclass(frozen=True)
class Item:
    name: str
    #: The request in the scenario format's ``request`` shape; strings may hold variables.
    request: dict[str, Any]
    expect: Expectation | None = None
    notes: str = ""
    #: Variables this item captures from its final response, for later items:
    #: name -> ``header:Name`` or ``json:field.sub``.
    capture: tuple[tuple[str, str], ...] = ()

    def variables_used(self) -> set[str]:
        """The ``{{names}}`` the request refers to."""
        return set(_VARIABLE.findall(json.dumps(self.request)))

    def resolve(self, variables: dict[str, str], where: str) -> Request:
        """The request with its ``{{variables}}`` filled in; InputError naming the item and
        the variable when one is unknown."""

        def fill(value: Any, path: str) -> Any:
            if isinstance(value, str):

                def one(match: re.Match[str]) -> str:
                    name = match.group(1)
                    if name not in variables:
                        raise InputError(f"{where}: {path}", f"unknown variable {{{{{name}}}}}")
                    return variables[name]

                return _VARIABLE.sub(one, value)
            if isinstance(value, list):
                return [fill(v, f"{path}[{i}]") for i, v in enumerate(value)]
            if isinstance(value, dict):
                return {k: fill(v, f"{path}.{k}") for k, v in value.items()}
            return value

        return request_from_dict(fill(self.request, "request"), where)


@dataclass(frozen=True)
class Folder:
    name: str
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Collection:
    name: str
    folders: tuple[Folder, ...] = ()
    #: A fingerprint of the file as loaded (to notice a change on disk before saving).
    loaded_digest: str | None = field(default=None, compare=False)

    def items(self) -> list[tuple[str, Item]]:
        """Every item with its path (``folder/item``), in collection order."""
        return [
            (f"{folder.name}/{item.name}", item) for folder in self.folders for item in folder.items
        ]


@dataclass(frozen=True)
class Variable:
    value: str
    secret: bool = False


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_json(path: Path) -> tuple[Field, str]:
    data, raw = read_json_file(path)
    return Field(str(path), data), _digest(raw)


def _each(parent: Field, key: str) -> Iterator[Field]:
    """The members of the list ``key`` (absent or null: none)."""
    member = parent.get(key)
    return member.items() if member is not None else iter(())


def _expect(item: Field) -> Expectation | None:
    expect = item.get("expect")
    if expect is None:
        return None
    if not isinstance(expect.value, dict) or not isinstance(expect.value.get("allowed"), bool):
        raise expect.error("must be an object with allowed: true or false")
    return Expectation(expect.data["allowed"], expect.optional("kind", str))


def _capture(item: Field) -> tuple[tuple[str, str], ...]:
    capture = item.data.get("capture") or {}
    if not isinstance(capture, dict) or not all(
        isinstance(v, str) and v.startswith(("header:", "json:")) for v in capture.values()
    ):
        raise item.error('must map names to "header:Name" or "json:field.path"', "capture")
    return tuple(capture.items())


def load_collection(path: str | os.PathLike[str]) -> Collection:
    """Read a ``cors-collection/1`` file; every item's request is checked (with its
    variables still in place, only the shape)."""
    path = Path(path)
    top, digest = _read_json(path)
    fmt = top.data.get("format")
    if fmt != COLLECTION_FORMAT:
        raise top.error(f"must be {COLLECTION_FORMAT!r}, not {fmt!r}", "format")
    if "items" in top.data:  # a likely slip: run would find nothing to replay and say so nowhere
        raise top.error('items belong in a folder: "folders": [{"name": …, "items": […]}]', "items")
    folders = []
    for folder in _each(top, "folders"):
        folder_name: str = folder.required("name", str)
        items = []
        for item in _each(folder, "items"):
            name: str = item.required("name", str)
            if not isinstance(item.data.get("request"), dict):
                raise item.error("is missing", "request")
            notes = item.data.get("notes") or ""
            if not isinstance(notes, str):
                raise item.error("must be a string", "notes")
            items.append(Item(name, item.data["request"], _expect(item), notes, _capture(item)))
        folders.append(Folder(folder_name, tuple(items)))
    name = top.data.get("name", name_of(path))
    if not isinstance(name, str):
        raise top.error("must be a string", "name")
    return Collection(name, tuple(folders), loaded_digest=digest)


def collection_to_dict(collection: Collection) -> dict[str, Any]:
    """The collection as JSON, keys in a stable order."""
    folders = []
    for folder in collection.folders:
        items = []
        for item in folder.items:
            entry: dict[str, Any] = {"name": item.name, "request": item.request}
            if item.expect is not None:
                expect: dict[str, Any] = {"allowed": item.expect.allowed}
                if item.expect.kind is not None:
                    expect["kind"] = item.expect.kind
                entry["expect"] = expect
            if item.notes:
                entry["notes"] = item.notes
            if item.capture:
                entry["capture"] = dict(item.capture)
            items.append(entry)
        folders.append({"name": folder.name, "items": items})
    return {"format": COLLECTION_FORMAT, "name": collection.name, "folders": folders}


def merge_folders(collection: Collection, folders: Iterable[Folder]) -> Collection:
    """``collection`` with ``folders`` added (an import, the window's "Saved" item): each
    joins the collection's first folder of its name, else is added at the end, in order.
    Two of ``folders`` of one name stay apart (a Postman file's top-level runs)."""
    merged = list(collection.folders)
    known: dict[str, int] = {}
    for index, folder in enumerate(merged):
        known.setdefault(folder.name, index)
    for folder in folders:
        at = known.get(folder.name)
        if at is None:
            merged.append(folder)
        else:
            merged[at] = Folder(folder.name, (*merged[at].items, *folder.items))
    return Collection(collection.name, tuple(merged), collection.loaded_digest)


def _keep_backup(path: Path) -> None:
    try:
        shutil.copy2(path, path.with_name(path.name + ".bak"))
    except OSError as exc:
        raise StorageError(f"{path}.bak: could not write: {exc.strerror or exc}") from None


def save_collection(path: str | os.PathLike[str], collection: Collection) -> Collection:
    """Save atomically, keeping the previous version as ``.bak``. Refuses (StorageError) to
    overwrite a file that does not parse, or one changed on disk since ``collection`` was
    loaded. Returns the collection with its new fingerprint."""
    path = Path(path)
    if path.exists():
        try:
            current = path.read_bytes()
            parse_json(current, str(path))
        except (OSError, InputError):
            raise StorageError(
                f"{path}: does not parse as JSON; not overwriting it (fix or move it first)"
            ) from None
        if collection.loaded_digest is not None and _digest(current) != collection.loaded_digest:
            raise StorageError(f"{path}: changed on disk since it was loaded; not saving over it")
        _keep_backup(path)
    write_json_atomic(path, collection_to_dict(collection))
    return Collection(collection.name, collection.folders, _digest(path.read_bytes()))


def load_environments(path: str | os.PathLike[str]) -> dict[str, dict[str, Variable]]:
    """Read a ``cors-environments/1`` file: named environments of variables, each a string
    or ``{"value": …, "secret": true}``."""
    path = Path(path)
    top, _ = _read_json(path)
    if not isinstance(top.value, dict) or top.value.get("format") != ENVIRONMENTS_FORMAT:
        raise top.error(f"must be {ENVIRONMENTS_FORMAT!r}", "format")
    environments: dict[str, dict[str, Variable]] = {}
    declared = top.data.get("environments") or {}
    if not isinstance(declared, dict):
        raise top.error("must be an object of environments", "environments")
    for name, variables in declared.items():
        if not isinstance(variables, dict):
            raise top.error("must be an object of variables", f"environments.{name}")
        parsed = {}
        for key, value in variables.items():
            if isinstance(value, str):
                parsed[key] = Variable(value)
            elif isinstance(value, dict) and isinstance(value.get("value"), str):
                parsed[key] = Variable(value["value"], bool(value.get("secret", False)))
            else:
                raise top.error(
                    'must be a string or {"value": …, "secret": true}', f"environments.{name}.{key}"
                )
        environments[name] = parsed
    return environments


def add_secret_variables(
    path: str | os.PathLike[str], environment: str, values: dict[str, str]
) -> None:
    """Add ``values`` as secret variables of ``environment`` in the environments file
    ``path`` (created when absent), saved as collections are: atomically, the previous
    version kept as ``.bak``; a file that is not a valid environments file is left alone
    (InputError naming it). Every other environment and variable is kept as it was."""
    path = Path(path)
    data: dict[str, Any] = {"format": ENVIRONMENTS_FORMAT, "environments": {}}
    if path.exists():
        load_environments(path)  # refuses, naming the field, what it would not read
        data = dict(_read_json(path)[0].data)
        _keep_backup(path)
    if not isinstance(data.get("environments"), dict):
        data["environments"] = {}
    variables = data["environments"].setdefault(environment, {})
    for name, value in values.items():
        variables[name] = {"value": value, "secret": True}
    write_json_atomic(path, data)


def item_from_request(name: str, request: Request, expect: Expectation | None = None) -> Item:
    """An item made from a concrete request (the window's "save into a collection")."""
    return Item(name, request_to_dict(request), expect)
