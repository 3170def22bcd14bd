"""Responses as leniently as Chromium reads them, checked against the embedded Chromium.

Each malformed head of ``tests/faultserver.py``'s :data:`LENIENT_SHAPES` goes through
``main.py check URL --json --real-browser``: the engine's verdict must be Chromium's, and the
headers we record must be the ones Chromium saw (every shape exposes every header, so the
names script can read are all the names Chromium kept). A body that fails after complete
headers: fetch() resolves, CORS is judged on the headers, the body error is reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.commandline import main_py
from tests.faultserver import LENIENT_SHAPES, FaultServer, fault_server_in_thread

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ORIGIN = "http://app.example.test"

#: What Chromium 140 did with each shape (the test checks it still does, and that we agree).
REFUSED = {"nul-in-header", "status-line-too-far"}  # net::ERR_INVALID_HTTP_RESPONSE
BLOCKED = {"allow-origin-without-colon"}  # the line is skipped: no Allow-Origin
ACCEPTED = set(LENIENT_SHAPES) - REFUSED - BLOCKED


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with fault_server_in_thread() as live:
        yield live


def _check(url: str, *flags: str) -> tuple[int, dict[str, Any], str]:
    result = main_py(
        "check", url, "--origin", ORIGIN, "--json", "--real-browser", "--timeout", "10", *flags
    )
    return result.returncode, json.loads(result.stdout), result.stderr


def _names(headers: list[list[str]]) -> list[str]:
    return sorted({name.lower() for name, _ in headers})


@pytest.mark.parametrize("shape", sorted(LENIENT_SHAPES))
def test_a_malformed_head_is_read_as_chromium_reads_it(server: FaultServer, shape: str) -> None:
    status, verdict, stderr = _check(f"{server.base_url}/lenient/{shape}")
    chromium = verdict["real_browser"]
    assert "disagree" not in stderr
    assert verdict["allowed"] == chromium["allowed"] == (shape in ACCEPTED)
    (exchange,) = verdict["exchanges"]
    response = exchange["response"]
    if shape in REFUSED:
        assert status == 3
        assert response["network_error"] == "net::ERR_INVALID_HTTP_RESPONSE"
        assert response["network_error"] in chromium["net_errors"]
        return
    assert "network_error" not in response
    if shape in BLOCKED:
        assert status == 1
        assert verdict["error"]["kind"] == chromium["kind"] == "MissingAllowOriginHeader"
        return
    assert status == 0
    # Every header is exposed: what script can read is every header Chromium kept.
    assert _names(response["headers"]) == chromium["readable_headers"]
    assert response["status"] == 200


def test_recorded_headers_are_trimmed_folded_and_skipped_as_in_chromium(
    server: FaultServer,
) -> None:
    """The values Chromium gave script (seen with a probe page reading ``Headers``)."""
    _, spaced, _ = _check(f"{server.base_url}/lenient/space-before-colon")
    assert spaced["exchanges"][0]["response"]["headers"][:2] == [
        ["Access-Control-Allow-Origin", "*"],
        ["X-Spaced", "yes"],
    ]
    _, folded, _ = _check(f"{server.base_url}/lenient/obs-fold")
    assert folded["exchanges"][0]["response"]["headers"][:2] == [
        ["Access-Control-Allow-Origin", "*"],
        ["X-Folded", "a b"],
    ]
    assert folded["real_browser"]["allowed"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/short-body", "net::ERR_CONTENT_LENGTH_MISMATCH"),
        ("/short-chunked", "net::ERR_INCOMPLETE_CHUNKED_ENCODING"),
        ("/reset-mid-body", "net::ERR_CONNECTION_RESET"),
    ],
)
def test_a_body_failing_after_the_headers_is_allowed_and_reported(
    server: FaultServer, path: str, code: str
) -> None:
    status, verdict, stderr = _check(server.base_url + path)
    chromium = verdict["real_browser"]
    assert (status, verdict["allowed"], chromium["allowed"]) == (0, True, True)
    assert "disagree" not in stderr
    assert chromium["net_errors"] == [code]  # Chromium's own failure of the body
    response = verdict["exchanges"][0]["response"]
    assert response["body_error"] == code
    assert "TypeError: Failed to fetch" in response["body_error_explanation"]
    assert any(code in note for note in verdict["notes"])


def test_a_short_preflight_body_changes_nothing(server: FaultServer) -> None:
    """Chromium reads only a preflight's headers: the request goes on, no error at all."""
    status, verdict, _ = _check(server.base_url + "/short-preflight", "-X", "PUT")
    chromium = verdict["real_browser"]
    assert (status, verdict["allowed"], chromium["allowed"]) == (0, True, True)
    assert chromium["net_errors"] == []
    preflight, actual = verdict["exchanges"]
    assert preflight["response"]["body_error"] == "net::ERR_CONTENT_LENGTH_MISMATCH"
    assert "changes nothing" in preflight["response"]["body_error_explanation"]
    assert "body_error" not in actual["response"]


def test_the_text_report_shows_the_body_error(server: FaultServer) -> None:
    result = main_py("check", server.base_url + "/short-body", "--origin", ORIGIN, timeout=60)
    assert result.returncode == 0
    assert "x body: net::ERR_CONTENT_LENGTH_MISMATCH: The body ended after 2 of 10 bytes" in (
        result.stdout
    )
