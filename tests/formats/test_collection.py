"""Collections on disk: stable JSON, atomic saves with a backup, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsinspector.errors import InputError, StorageError
from corsinspector.formats.collection import (
    Collection,
    Expectation,
    Folder,
    Item,
    load_collection,
    load_environments,
    save_collection,
)

ITEM = Item(
    "put with token",
    {
        "url": "{{base_url}}/items/1",
        "method": "PUT",
        "origin": "{{origin}}",
        "headers": [["Authorization", "Bearer {{token}}"]],
    },
    Expectation(False, "MethodDisallowedByPreflightResponse"),
    "staging must refuse PUT",
)
COLLECTION = Collection("api", (Folder("items", (ITEM,)),))


def test_a_collection_round_trips_and_diffs_well(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    save_collection(path, COLLECTION)
    loaded = load_collection(path)
    assert loaded == COLLECTION
    text = path.read_text()
    assert text.startswith('{\n  "format": "cors-collection/1",\n  "name": "api",')
    save_collection(path, loaded)
    assert path.read_text() == text  # stable: saving again changes nothing


def test_variables_are_filled_in_and_an_unknown_one_is_named() -> None:
    variables = {"base_url": "https://staging.example.test", "origin": "https://app.example.test"}
    with pytest.raises(
        InputError, match=r"api/put: request\.headers\[0\]\[1\]: unknown variable \{\{token\}\}"
    ):
        ITEM.resolve(variables, "api/put")
    request = ITEM.resolve({**variables, "token": "s3cret"}, "api/put")
    assert request.url == "https://staging.example.test/items/1"
    assert request.headers == (("Authorization", "Bearer s3cret"),)


def test_a_save_keeps_the_previous_version_as_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    first = save_collection(path, COLLECTION)
    renamed = Collection("renamed", first.folders, first.loaded_digest)
    save_collection(path, renamed)
    assert json.loads((tmp_path / "api.json.bak").read_text())["name"] == "api"
    assert json.loads(path.read_text())["name"] == "renamed"


def test_a_file_that_does_not_parse_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text('{"format": "cors-collection/1",\n oops')
    with pytest.raises(InputError, match=r"api\.json:2: not valid JSON"):
        load_collection(path)
    with pytest.raises(StorageError, match="does not parse"):
        save_collection(path, COLLECTION)
    assert path.read_text() == '{"format": "cors-collection/1",\n oops'


def test_a_file_changed_on_disk_since_loading_is_not_saved_over(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    save_collection(path, COLLECTION)
    loaded = load_collection(path)
    path.write_text(path.read_text().replace('"api"', '"someone else"'))
    with pytest.raises(StorageError, match="changed on disk"):
        save_collection(path, loaded)


def test_a_bad_item_names_its_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {"format": "cors-collection/1", "folders": [{"name": "f", "items": [{"name": "i"}]}]}
        )
    )
    with pytest.raises(
        InputError, match=r"bad\.json: folders\[0\]\.items\[0\]\.request: is missing"
    ):
        load_collection(path)


def test_items_outside_a_folder_are_bad_input_not_an_empty_run(tmp_path: Path) -> None:
    path = tmp_path / "flat.json"
    item = {"name": "i", "request": {"url": "https://api.test/"}}
    path.write_text(json.dumps({"format": "cors-collection/1", "items": [item]}))
    with pytest.raises(InputError, match=r"flat\.json: items: items belong in a folder"):
        load_collection(path)


def test_environments_keep_secrets_marked(tmp_path: Path) -> None:
    path = tmp_path / "api.env.json"
    path.write_text(
        json.dumps(
            {
                "format": "cors-environments/1",
                "environments": {
                    "dev": {
                        "base_url": "http://127.0.0.1:8000",
                        "token": {"value": "t", "secret": True},
                    }
                },
            }
        )
    )
    dev = load_environments(path)["dev"]
    assert dev["base_url"].value == "http://127.0.0.1:8000"
    assert dev["token"].secret
