"""What the window keeps in files (corsinspector.app.workspace)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsinspector import InputError, Request, load_collection
from corsinspector.app.workspace import request_from_json, request_json, save_request


def test_a_saved_request_joins_the_saved_folder_and_is_written(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text(
        json.dumps({"format": "cors-collection/1", "name": "api", "folders": []}),
        encoding="utf-8",
    )
    request = Request(url="http://api.test/x", origin="http://app.test")
    saved = save_request(load_collection(path), path, "first", request)
    saved = save_request(saved, path, "second", request)
    assert [(f.name, [i.name for i in f.items]) for f in saved.folders] == [
        ("Saved", ["first", "second"])
    ]
    reread = load_collection(path)
    assert [i.name for i in reread.folders[0].items] == ["first", "second"]


def test_the_last_request_round_trips_as_json() -> None:
    request = Request(
        url="http://api.test/x",
        origin="http://app.test",
        method="PUT",
        headers=(("X-A", "1"),),
        body="b",
    )
    assert request_from_json(request_json(request)) == request


@pytest.mark.parametrize(("text", "error"), [("{oops", ValueError), ('{"url": 3}', InputError)])
def test_a_damaged_last_request_is_a_value_or_input_error(text: str, error: type) -> None:
    with pytest.raises(error):
        request_from_json(text)


def test_open_tabs_come_back_as_kept_and_damage_is_left_out() -> None:
    from corsinspector.app.tabstate import tab_title, tabs_from_json, tabs_json

    tabs = [
        {
            "method": "PUT",
            "url": "https://api.example.test/items/1",
            "origin": "https://app.example.test",
            "credentials": "include",
            "mode": "cors",
            "body": '{"a":1}',
            "headers": [["X-Request-Id", "42", True], ["X-Off", "1", False]],
        },
        {"method": "GET", "url": "", "headers": []},
    ]
    assert tabs_from_json(tabs_json(tabs, 1)) == (tabs, 1)
    assert tabs_from_json("not json") == ([], 0)
    assert tabs_from_json('{"tabs": [1, {"url": "x", "headers": [[1, 2], ["a", "b"]]}]}') == (
        [{"url": "x", "headers": [["a", "b", True]]}],
        0,
    )
    assert tab_title(tabs[0]) == "PUT api.example.test/items/1"
    assert tab_title(tabs[1]) == "New request"
    assert tab_title({"url": "localhost:3000/" + "x" * 40}).endswith("…")
