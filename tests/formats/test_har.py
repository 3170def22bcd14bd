"""HAR 1.2 captures in."""

from __future__ import annotations

import json

import pytest

from corsinspector.errors import InputError
from corsinspector.formats.collection import Item
from corsinspector.formats.har import import_har
from tests.formats.samples import HAR


def test_har_keeps_cross_origin_requests_and_folds_preflights() -> None:
    put, public = import_har(HAR, "x.har")
    assert put == Item(
        "PUT /items/1",
        {
            "url": "https://api.example.test/items/1",
            "method": "PUT",
            "origin": "https://app.example.test",
            "headers": [["content-type", "application/json"]],
            "credentials": "include",
            "mode": "cors",
            "body": '{"a":1}',
        },
        notes=(
            "recorded preflight: 204; access-control-allow-origin: https://app.example.test; "
            "access-control-allow-methods: PUT; "
            "recorded response: 200; access-control-allow-origin: https://app.example.test; "
            "cookies were sent (credentials: include)"
        ),
    )
    assert public == Item(
        "GET /public",
        {
            "url": "https://api.example.test/public",
            "method": "GET",
            "origin": "https://app.example.test",
            "headers": [["Accept", "application/json"]],
            "credentials": "same-origin",
            "mode": "cors",
        },
        notes="recorded response: 0 (blocked or failed)",
    )


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({}, "x.har: log: is missing"),
        ({"log": {"entries": {}}}, "x.har: log.entries: must be a list"),
        ({"log": {"entries": [{"request": {"method": "GET"}}]}}, "x.har: log.entries[0]"),
        (
            {"log": {"entries": [1, {"request": {"method": "GET"}}]}},
            "x.har: log.entries[0]: must be an object",
        ),
        (
            {"log": {"entries": [{"request": {"method": "GET", "url": 5}}]}},
            "x.har: log.entries[0].request.url: must be a string",
        ),
    ],
)
def test_har_errors(data: object, where: str) -> None:
    with pytest.raises(InputError) as info:
        import_har(json.dumps(data), "x.har")
    assert str(info.value).startswith(where)


def test_har_missing_url_is_named() -> None:
    with pytest.raises(InputError, match=r"^x\.har: log\.entries\[0\]\.request\.url: is missing$"):
        import_har('{"log": {"entries": [{"request": {"method": "GET"}}]}}', "x.har")
