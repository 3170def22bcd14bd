"""Postman v2.1 collections in."""

from __future__ import annotations

import json

import pytest

from corsinspector.errors import InputError
from corsinspector.formats.collection import Folder, Item
from corsinspector.formats.postman import import_postman
from tests.formats.samples import POSTMAN


def test_postman_folders_variables_and_bodies() -> None:
    top, items, admin = import_postman(POSTMAN, "shop.json")
    assert top == Folder(
        "Shop API",
        (
            Item(
                "health",
                {
                    "url": "https://api.example.test/health",
                    "method": "GET",
                    "origin": "{{origin}}",
                    "headers": [],
                    "credentials": "same-origin",
                    "mode": "cors",
                },
            ),
        ),
    )
    assert items == Folder(
        "Items",
        (
            Item(
                "create item",
                {
                    "url": "https://api.example.test/items",
                    "method": "POST",
                    "origin": "https://app.example.test",
                    "headers": [
                        ["Authorization", "Bearer {{token}}"],
                        ["Content-Type", "application/json"],
                    ],
                    "credentials": "same-origin",
                    "mode": "cors",
                    "body": '{"name": "{{name}}"}',
                },
            ),
        ),
    )
    assert admin.name == "Items/Admin"
    assert [item.request["url"] for item in admin.items] == ["https://admin.example.test/items/1"]
    assert admin.items[0].request["method"] == "DELETE"


def test_postman_errors() -> None:
    with pytest.raises(InputError, match=r"^p\.json: info: is missing$"):
        import_postman('{"item": []}', "p.json")
    with pytest.raises(InputError, match=r"^p\.json: info\.schema: must be Postman v2\.1"):
        import_postman('{"info": {"schema": "x"}, "item": []}', "p.json")
    bad = json.loads(POSTMAN)
    bad["item"][1]["item"][0]["request"]["header"][0]["key"] = "Bad Name"
    with pytest.raises(InputError, match=r"item\[1\]\.item\[0\]\.request\.header\[0\]"):
        import_postman(json.dumps(bad), "p.json")
