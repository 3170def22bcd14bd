"""Postman v2.1 collections in."""

from __future__ import annotations

import json
from pathlib import Path

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


def _request(name: str) -> dict[str, object]:
    return {"name": name, "request": {"method": "GET", "url": "{{base_url}}/" + name}}


#: Requests and folders side by side, at the top and inside a folder: Newman runs them
#: depth first, in the file's order (r1 … r6).
INTERLEAVED = json.dumps(
    {
        "info": {
            "name": "Team",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [
            _request("r1"),
            {
                "name": "F1",
                "item": [
                    _request("r2"),
                    {"name": "inner", "item": [_request("r3")]},
                    _request("r4"),
                ],
            },
            _request("r5"),
            {"name": "F2", "item": [_request("r6")]},
        ],
    }
)
RUN_ORDER = ["Team/r1", "F1/r2", "F1/inner/r3", "F1/r4", "Team/r5", "F2/r6"]


def test_postman_keeps_the_file_order_where_requests_and_folders_interleave() -> None:
    folders = import_postman(INTERLEAVED, "team.json")
    assert [f"{folder.name}/{item.name}" for folder in folders for item in folder.items] == (
        RUN_ORDER
    )


@pytest.mark.integration
def test_import_and_run_follow_the_postman_file_order(tmp_path: Path) -> None:
    from corsinspector.formats.collection import load_collection
    from corsinspector.formats.scenario import scenario_from_dict
    from corsinspector.wire.server import serve_in_thread
    from tests.commandline import main_py

    (tmp_path / "team.postman.json").write_text(INTERLEAVED)
    out = tmp_path / "team.json"
    imported = main_py("import", str(tmp_path / "team.postman.json"), "-o", str(out))
    assert imported.returncode == 0, imported.stderr
    assert [path for path, _ in load_collection(out).items()] == RUN_ORDER
    allow_all = {"format": "cors-scenario/1", "request": {"url": "https://x.test/"}}
    allow_all["server"] = [
        {"method": "*", "status": 200, "headers": [["Access-Control-Allow-Origin", "*"]]}
    ]
    with serve_in_thread(scenario_from_dict(allow_all)) as server:
        environments = {"base_url": server.base_url, "origin": "https://app.example.test"}
        (tmp_path / "team.env.json").write_text(
            json.dumps({"format": "cors-environments/1", "environments": {"dev": environments}})
        )
        report = tmp_path / "report.json"
        ran = main_py("run", str(out), "--env", "dev", "--json", str(report))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert [result["item"] for result in json.loads(report.read_text())] == RUN_ORDER
