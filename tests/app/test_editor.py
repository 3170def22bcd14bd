"""What the request editor shows as the user types (corsinspector.app.editor)."""

from __future__ import annotations

from typing import Any

import pytest

from corsinspector import InputError, Request
from corsinspector.app.editor import build_request, header_check, origin_hint, preflight_line

_NAMES = {"url": "URL", "origin": "Origin", "method": "Method", "body": "Body"}


def _request(**fields: Any) -> Request:
    base: dict[str, Any] = {
        "url": "http://api.test/x",
        "method": "GET",
        "origin": "http://app.test",
        "headers": [],
        "credentials": "omit",
        "mode": "cors",
        "body": None,
    }
    return build_request(base | fields, names=_NAMES, header_name=lambda i: f"header {i}")


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        ({}, "No preflight needed: a simple request."),
        (
            {"headers": [["X-Custom", "1"]]},
            "This request needs a preflight because: header x-custom is not CORS-safelisted.",
        ),
        ({"mode": "no-cors"}, "Mode no-cors: no preflight is ever sent."),
        ({"origin": "http://api.test"}, "Same origin: no CORS at all."),
        (
            {"method": "CONNECT"},
            "fetch() would refuse this request: TypeError: Failed to execute 'fetch' on "
            "'Window': 'CONNECT' HTTP method is unsupported.",
        ),
    ],
)
def test_the_preflight_line(fields: dict[str, Any], line: str) -> None:
    assert preflight_line(_request(**fields)) == line


def test_the_origin_hint_appears_only_when_the_browser_sends_another_origin() -> None:
    assert origin_hint(_request()) is None
    hint = origin_hint(_request(origin="http://localhost:5173/"))
    assert hint is not None
    assert hint.startswith("Origin sent as `http://localhost:5173` (you typed")


@pytest.mark.parametrize(
    ("mode", "status"), [("cors", "unsafe"), ("no-cors", "dropped-no-cors"), ("?", "unsafe")]
)
def test_a_header_is_judged_in_the_editors_mode(mode: str, status: str) -> None:
    assert header_check("X-Foo", "1", mode).status == status


def test_a_bad_field_is_named_as_the_editor_names_it() -> None:
    with pytest.raises(InputError, match="URL"):
        _request(url="not a url")
