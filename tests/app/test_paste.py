"""Pasting into the URL bar: real copies made by the browsers' own DevTools code (Chromium
156's "Copy as cURL" bash and cmd, "Copy as fetch" and its Node.js form; Firefox ESR 153's
"Copy as cURL" POSIX and Windows and "Copy as Fetch"), real Chromium console lines from the
golden truths, and URLs without a scheme.

The copies are tests/app/copies/*.txt, written by tools/devtools_copies.py: each holds, above
``# ---``, who made it and the request as the loopback server received it (``# request:``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corsinspector.app.paste import parse_paste, with_scheme

COPIES = Path(__file__).parent / "copies"
#: The DevTools copies of the page's credentialed PUT, by file name.
BROWSER_COPIES = (
    "chromium-bash",
    "chromium-cmd",
    "chromium-fetch",
    "chromium-fetch-nodejs",
    "firefox-curl",
    "firefox-curl-windows",
    "firefox-fetch",
)
#: Headers a browser adds or controls: a pasted request leaves them to the browser.
BROWSER_OWN = {
    "accept-encoding",
    "connection",
    "content-length",
    "cookie",
    "host",
    "origin",
    "priority",
    "referer",
    "user-agent",
}


def read_copy(name: str) -> tuple[str, list[str], dict[str, Any] | None]:
    """A copy's text (byte for byte), its header lines, and the request as received."""
    with open(COPIES / f"{name}.txt", encoding="utf-8", newline="") as file:
        raw = file.read()
    head, separator, text = raw.partition("# ---\n")
    assert separator, name
    lines = head.splitlines()
    received = [
        line.removeprefix("# request: ") for line in lines if line.startswith("# request: ")
    ]
    return text, lines, json.loads(received[0]) if received else None


def _names(fields: dict[str, object]) -> list[str]:
    headers = fields["headers"]
    assert isinstance(headers, list)
    return [name.lower() for name, _value in headers]


def _received(request: dict[str, Any], name: str) -> str:
    (value,) = [v for n, v in request["headers"] if n.lower() == name]
    return str(value)


@pytest.mark.parametrize("name", BROWSER_COPIES)
def test_a_devtools_copy_gives_back_the_request_the_server_received(name: str) -> None:
    text, _, request = read_copy(name)
    assert request is not None
    pasted = parse_paste(text)
    assert pasted is not None
    fields = pasted.fields
    assert pasted.source == ("a fetch snippet" if "fetch" in name else "a cURL command")
    assert fields["url"] == request["url"]
    assert fields["method"] == request["method"] == "PUT"
    assert fields["body"] == request["body"]  # quotes, !, &, % and braces through each shell
    assert fields["origin"] == _received(request, "origin")
    assert fields["credentials"] == "include"  # the browser sent its cookie
    names = _names(fields)
    for script_header in request["script_headers"]:
        assert script_header in names
    for header, value in fields["headers"]:
        assert value == _received(request, header.lower())  # each value as sent
        assert header.lower() not in BROWSER_OWN
        assert not header.lower().startswith("sec-")
    summary = pasted.summary()
    assert summary.startswith(f"Filled from {pasted.source}: URL, method PUT, ")
    assert summary.endswith(
        f"body, credentials include{', mode cors' if 'mode' in fields else ''}"
        f", Origin {_received(request, 'origin')}"
    )


@pytest.mark.parametrize("name", BROWSER_COPIES)
def test_each_copy_names_the_browser_its_version_and_the_generator(name: str) -> None:
    _, lines, _ = read_copy(name)
    first = lines[0]
    if name.startswith("chromium"):
        assert "Chrome 156." in first
        assert "NetworkLogView.generate" in first
    else:
        assert "Firefox 153." in first
        assert "generate" in first
    assert any("made by tools/devtools_copies.py, not typed." in line for line in lines)


def _console(name: str) -> str:
    text, lines, _ = read_copy(f"chromium-console-{name}")
    assert f"tests/golden/truths-chromium/{name}.json" in lines[0]
    return text


def test_a_console_error_line_fills_the_url_and_the_origin_it_names() -> None:
    pasted = parse_paste(_console("acah-missing"))
    assert pasted is not None
    assert pasted.fields == {
        "url": "https://api.example.test/data",
        "origin": "https://app.example.test",
    }
    assert pasted.summary() == "Filled from a console error: URL, Origin https://app.example.test"


def test_a_console_line_naming_a_method_fills_the_method() -> None:
    pasted = parse_paste("index.html:12 " + _console("acam-mismatch"))  # as DevTools shows it
    assert pasted is not None
    assert pasted.fields == {
        "url": "https://api.example.test/data",
        "origin": "https://app.example.test",
        "method": "PUT",
    }


def test_a_console_line_after_a_redirect_fills_the_first_url_and_credentials() -> None:
    pasted = parse_paste(_console("redirect-include-cross-origin-star"))
    assert pasted is not None
    assert pasted.fields == {
        "url": "https://api.example.test/data",
        "origin": "https://app.example.test",
        "credentials": "include",
    }


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("localhost:3000/api", "http://localhost:3000/api"),
        ("127.0.0.1:8080/x?y=1", "http://127.0.0.1:8080/x?y=1"),
        ("[::1]:8000/", "http://[::1]:8000/"),
        ("app.localhost/items", "http://app.localhost/items"),
        ("api.example.com/items", "https://api.example.com/items"),
        ("10.0.0.5:9000", "https://10.0.0.5:9000"),
    ],
)
def test_a_url_without_a_scheme_gets_http_on_loopback_and_https_elsewhere(
    typed: str, url: str
) -> None:
    assert with_scheme(typed) == url
    pasted = parse_paste(typed)
    assert pasted is not None
    assert pasted.fields == {"url": url}


@pytest.mark.parametrize(
    "text", ["", "hello", "https://api.example.com/items", "curl", "fetch(oops)", "x y"]
)
def test_plain_text_and_full_urls_paste_as_they_are(text: str) -> None:
    assert parse_paste(text) is None
    assert with_scheme("https://a.example/x") == "https://a.example/x"
