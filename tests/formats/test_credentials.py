"""Imported credentials become secret variables: which values move, under which names."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from corsinspector.errors import InputError
from corsinspector.formats.collection import Folder, Item, add_secret_variables, load_environments
from corsinspector.formats.curl import import_curl
from corsinspector.formats.secrets import extract_credentials


def _folder(*requests: dict[str, object]) -> list[Folder]:
    return [Folder("f", tuple(Item(f"i{n}", r) for n, r in enumerate(requests)))]


def test_credential_headers_and_parameters_move_and_nothing_else() -> None:
    (item,) = import_curl(
        "curl 'https://api.test/s?author=ann&keyword=k&access_token=AT%2B1#top' "
        "-H 'X-Auth-Token: xt' -H 'X-Trace: 1' -H 'Idempotency: 7' "
        "-H 'Content-Type: application/x-www-form-urlencoded' "
        "--data-raw 'user=ann&password=p%40ss&remember=1'"
    )
    (folder,), moved = extract_credentials([Folder("f", (item,))])
    request = folder.items[0].request
    assert (
        request["url"]
        == "https://api.test/s?author=ann&keyword=k&access_token={{access_token}}#top"
    )
    assert request["headers"] == [
        ["X-Auth-Token", "{{auth_token}}"],
        ["X-Trace", "1"],
        ["Idempotency", "7"],
        ["Content-Type", "application/x-www-form-urlencoded"],
    ]
    assert request["body"] == "user=ann&password={{password}}&remember=1"
    # A value keeps its encoding: filled back in, the request is byte for byte the same.
    assert [(c.name, c.value, c.places) for c in moved] == [
        ("auth_token", "xt", ["X-Auth-Token"]),
        ("access_token", "AT%2B1", ["?access_token="]),
        ("password", "p%40ss", ["form field password"]),
    ]


def test_authorization_keeps_its_scheme_and_one_value_is_one_variable() -> None:
    basic = base64.b64encode(b"ann:pw").decode()
    folders = _folder(
        {"url": "https://a.test/1", "headers": [["Authorization", "Bearer T1"]]},
        {"url": "https://a.test/2", "headers": [["authorization", "Bearer T1"]]},
        {"url": "https://a.test/3", "headers": [["Authorization", f"Basic {basic}"]]},
        {"url": "https://a.test/4", "headers": [["Authorization", "opaque"]]},
        {"url": "https://a.test/5", "headers": [["Authorization", "Bearer {{t}}"]]},
    )
    (folder,), moved = extract_credentials(folders)
    assert [item.request["headers"][0][1] for item in folder.items] == [
        "Bearer {{bearer_token}}",
        "Bearer {{bearer_token}}",
        "Basic {{basic_credentials}}",
        "{{authorization}}",
        "Bearer {{t}}",
    ]
    assert [(c.name, c.value, c.items) for c in moved] == [
        ("bearer_token", "T1", 2),
        ("basic_credentials", basic, 1),
        ("authorization", "opaque", 1),
    ]


def test_names_already_in_the_environment_are_reused_or_avoided() -> None:
    folders = _folder(
        {"url": "https://a.test/?api_key=same&token=new", "headers": []},
    )
    (folder,), moved = extract_credentials(folders, {"token": "other", "stored": "same"})
    assert folder.items[0].request["url"] == "https://a.test/?api_key={{stored}}&token={{token_2}}"
    assert [(c.name, c.value) for c in moved] == [("stored", "same"), ("token_2", "new")]


def test_secret_variables_join_an_environments_file_safely(tmp_path: Path) -> None:
    path = tmp_path / "c.env.json"
    add_secret_variables(path, "dev", {"token": "t"})
    add_secret_variables(path, "prod", {"token": "p"})
    add_secret_variables(path, "dev", {"key": "k"})
    environments = load_environments(path)
    assert {n: {k: (v.value, v.secret) for k, v in e.items()} for n, e in environments.items()} == {
        "dev": {"token": ("t", True), "key": ("k", True)},
        "prod": {"token": ("p", True)},
    }
    assert json.loads((tmp_path / "c.env.json.bak").read_text())["environments"]["dev"] == {
        "token": {"value": "t", "secret": True}
    }
    path.write_text("{not json")
    with pytest.raises(InputError):
        add_secret_variables(path, "dev", {"x": "y"})
    assert path.read_text() == "{not json"


def test_postman_auth_blocks_become_variables_basic_and_query_api_keys_included() -> None:
    from corsinspector.formats.postman import import_postman

    def auth(kind: str, **attributes: str) -> dict[str, object]:
        return {"type": kind, kind: [{"key": k, "value": v} for k, v in attributes.items()]}

    postman = {
        "info": {"name": "t", "schema": "https://schema.getpostman.com/json/v2.1.0/"},
        "variable": [{"key": "pw", "value": "s3cret"}, {"key": "k", "value": "K 1"}],
        "item": [
            {
                "name": "basic",
                "request": {
                    "url": "https://a.test/x",
                    "auth": auth("basic", username="al", password="{{pw}}"),
                },
            },
            {
                "name": "key in query",
                "request": {
                    "url": "https://a.test/y?z=1",
                    "auth": auth("apikey", key="api_key", value="{{k}}", **{"in": "query"}),
                },
            },
        ],
    }
    (folder,), moved = extract_credentials(import_postman(json.dumps(postman)))
    basic, query = (item.request for item in folder.items)
    assert basic["headers"] == [["Authorization", "Basic {{basic_credentials}}"]]
    assert query["url"] == "https://a.test/y?z=1&api_key={{api_key}}"
    assert [(c.name, c.value) for c in moved] == [
        ("basic_credentials", base64.b64encode(b"al:s3cret").decode()),
        ("api_key", "K%201"),
    ]
