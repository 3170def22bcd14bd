"""Origins serialize as browsers do: lower case, default ports dropped, no path."""

from __future__ import annotations

import pytest

from corsinspector.origins import (
    is_same_origin,
    normalize_url,
    origin_of,
    path_and_query,
    serialize_origin,
)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://api.example.test/items/1?x=1", "https://api.example.test"),
        ("HTTPS://API.Example.TEST:443/", "https://api.example.test"),
        ("http://api.example.test:80", "http://api.example.test"),
        ("https://api.example.test:8443/x", "https://api.example.test:8443"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("data:text/plain,hi", "null"),
        ("file:///etc/hosts", "null"),
    ],
)
def test_origin_serialization(url: str, origin: str) -> None:
    assert origin_of(url) == origin


def test_a_default_port_is_the_same_origin_as_none() -> None:
    assert is_same_origin("https://a.test:443/x", "https://a.test/y")
    assert not is_same_origin("https://a.test/", "http://a.test/")
    assert not is_same_origin("https://a.test/", "https://a.test:8443/")
    assert not is_same_origin("data:,x", "data:,x")


@pytest.mark.parametrize(
    "text",
    [
        "app.test",
        "https://u@app.test",
        "https://:p@app.test",
        "data:,x",
        "blob:https://a.test/1",
        "",
    ],
)
def test_what_is_not_an_origin_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="origin"):
        serialize_origin(text)


def test_a_bad_port_is_named() -> None:
    with pytest.raises(ValueError, match="bad port"):
        serialize_origin("http://localhost:65536")


def test_null_is_an_origin() -> None:
    assert serialize_origin("null") == "null"


def test_urls_normalize_as_a_browser_prints_them() -> None:
    assert normalize_url("HTTPS://API.example.test:443") == "https://api.example.test/"
    assert normalize_url("https://u:p@API.test/x?q#frag") == "https://u:p@api.test/x?q"
    assert normalize_url("data:text/plain,Hi") == "data:text/plain,Hi"
    assert path_and_query("https://a.test") == "/"
    assert path_and_query("https://a.test/x/y?z=1") == "/x/y?z=1"
