"""What we send is what embedded Chromium 140 sends, header by header, order and values
included: each request goes through the real ``main.py check … --real-browser``, which sends it
with our inspector first and then has embedded Chromium fetch it from the same loopback server;
the server's log holds both as they arrived, and the two halves must be equal."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from corsinspector.model import Headers, Request, Route, Scenario
from corsinspector.wire.server import LoggedRequest, ScenarioServer, serve_in_thread
from tests.commandline import main_py

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
CROSS_SITE_PAGE = "https://app.example.test"
#: An http page on loopback: same-site with 127.0.0.1, so it also gets a Referer.
SAME_SITE_PAGE = "http://127.0.0.1:5173"


def _allowing(page: str) -> Scenario:
    """Allows ``page`` with credentials, any method and the headers the matrix uses."""
    cors = (("Access-Control-Allow-Origin", page), ("Access-Control-Allow-Credentials", "true"))
    preflight = (
        *cors,
        ("Access-Control-Allow-Methods", "PUT, DELETE, PATCH"),
        (
            "Access-Control-Allow-Headers",
            "authorization, content-type, x-trace, if-none-match, if-match",
        ),
    )
    return Scenario(
        "wire",
        Request("http://api.example.test/items"),
        (Route("OPTIONS", None, 204, preflight), Route("*", None, 200, cors, "0123456789")),
    )


def _check(url: str, page: str, *args: str) -> dict[str, Any]:
    """``check --json --real-browser``: the verdict, asserted to agree with Chromium's."""
    result = main_py("check", url, "--origin", page, *args, "--json", "--real-browser")
    assert result.returncode in (0, 1), result.stderr
    verdict: dict[str, Any] = json.loads(result.stdout)
    real = verdict["real_browser"]
    assert real["version"].startswith("140."), real
    assert real["allowed"] == verdict["allowed"], (verdict["error"], real)
    assert "disagree" not in result.stderr
    return verdict


def _halves(log: list[LoggedRequest], ours: int) -> tuple[list[Any], list[Any]]:
    """The server's log split into our requests (sent first) and Chromium's."""
    requests = [(item.method, item.target, item.headers) for item in log]
    return requests[:ours], requests[ours:]


MATRIX: list[tuple[str, str, list[str]]] = [
    ("get", CROSS_SITE_PAGE, []),
    ("post-text-body", CROSS_SITE_PAGE, ["-X", "POST", "--data", "name=a"]),
    (
        "put-json-preflight",
        CROSS_SITE_PAGE,
        ["-X", "PUT", "-H", "Content-Type: application/json", "--data", '{"a": 1}'],
    ),
    ("authorization", CROSS_SITE_PAGE, ["-H", "Authorization: Bearer abc"]),
    ("range", CROSS_SITE_PAGE, ["-H", "Range: bytes=0-4"]),
    ("range-post", SAME_SITE_PAGE, ["-X", "POST", "--data", "x", "-H", "Range: bytes=0-1"]),
    (
        "range-conditional",
        CROSS_SITE_PAGE,
        ["-H", "Range: bytes=0-1", "-H", "If-None-Match: abc"],
    ),
    ("conditional-post", CROSS_SITE_PAGE, ["-X", "POST", "--data", "x", "-H", "If-Match: a"]),
    ("credentials-cross-site", CROSS_SITE_PAGE, ["--credentials", "include"]),
    ("credentials-opaque-origin", "null", ["--credentials", "include"]),
    ("no-cors-post", CROSS_SITE_PAGE, ["--mode", "no-cors", "-X", "POST", "--data", "x"]),
    (
        "credentials-post-same-site",
        SAME_SITE_PAGE,
        ["--credentials", "include", "-X", "POST", "--data", "x"],
    ),
    (
        "many-headers",
        CROSS_SITE_PAGE,
        [
            "-X",
            "PATCH",
            "-H",
            "X-Trace: 1",
            "-H",
            "Authorization: Basic dTpw",
            "-H",
            "Content-Type: application/json",
            "-H",
            "Accept: application/json",
            "-H",
            "Content-Language: de",
            "--data",
            "{}",
        ],
    ),
]


@pytest.mark.parametrize(
    ("page", "args"), [(p, a) for _, p, a in MATRIX], ids=[n for n, *_ in MATRIX]
)
def test_we_send_every_header_as_embedded_chromium_does(page: str, args: list[str]) -> None:
    with serve_in_thread(_allowing(page)) as server:
        verdict = _check(f"{server.base_url}/items", page, *args)
        log = server.log
    assert verdict["allowed"], verdict["error"]
    ours, chromium = _halves(log, len(verdict["exchanges"]))
    assert len(ours) == len(chromium)
    for sent, seen in zip(ours, chromium, strict=True):
        assert sent == seen


def test_the_profile_sends_no_accept_language_and_asks_identity_for_a_range() -> None:
    """The differences with the old desktop-Chrome profile, seen on the wire (no browser)."""
    with serve_in_thread(_allowing(CROSS_SITE_PAGE)) as server:
        result = main_py(
            "check",
            f"{server.base_url}/items",
            "--origin",
            CROSS_SITE_PAGE,
            "-H",
            "Range: bytes=0-4",
        )
        (sent,) = server.log
    assert result.returncode == 0, result.stdout
    names = [name for name, _ in sent.headers]
    assert "Accept-Language" not in names
    assert sent.headers[-2:] == (("Accept-Encoding", "identity"), ("Range", "bytes=0-4"))


# --- Sec-Fetch-Site across redirects -----------------------------------------------------


def _chain(server: ScenarioServer) -> None:
    """127.0.0.1 /a (same-site for the page) → localhost /b (cross-site) → 127.0.0.1 /c."""
    port = server.port
    cors: Headers = (("Access-Control-Allow-Origin", "*"),)
    preflight = (*cors, ("Access-Control-Allow-Headers", "x-trace"))
    server.scenario = Scenario(
        "chain",
        Request("http://127.0.0.1/a"),
        (
            Route("OPTIONS", None, 204, preflight),
            Route("GET", "/a", 302, (*cors, ("Location", f"http://localhost:{port}/b"))),
            Route("GET", "/b", 302, (*cors, ("Location", f"http://127.0.0.1:{port}/c"))),
            Route("GET", "/c", 200, cors, "ok"),
        ),
    )


@pytest.mark.parametrize("preflight", [False, True], ids=["simple", "with-preflights"])
def test_sec_fetch_site_across_a_redirect_chain_is_chromium_s(preflight: bool) -> None:
    """Simple: once the chain went cross-site, it stays cross-site, back on 127.0.0.1 too.
    With a preflight at each hop, Chromium restarts the request at each redirect, and the
    chain with it: the last hop is same-site again."""
    with serve_in_thread(Scenario("chain", Request("http://127.0.0.1/a"))) as server:
        _chain(server)
        extra = ["-H", "X-Trace: 1"] if preflight else []
        verdict = _check(f"http://127.0.0.1:{server.port}/a", SAME_SITE_PAGE, *extra)
        log = server.log
    assert verdict["allowed"], verdict["error"]
    ours, chromium = _halves(log, len(verdict["exchanges"]))
    assert ours == chromium
    sites = [dict(headers)["Sec-Fetch-Site"] for method, _, headers in ours if method == "GET"]
    assert sites == ["same-site", "cross-site", "same-site" if preflight else "cross-site"]


class _FetchMetadataPolicy(BaseHTTPRequestHandler):
    """A hand-written server with a resource-isolation policy: /c refuses cross-site
    requests (403, no CORS headers); /a redirects through a cross-site host to /c."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        site = self.headers.get("Sec-Fetch-Site")
        if self.path == "/a":
            self._answer(302, f"http://localhost:{port}/b")
        elif self.path == "/b":
            self._answer(302, f"http://127.0.0.1:{port}/c")
        elif site == "cross-site":
            self._answer(403, None, cors=False)
        else:
            self._answer(200, None)

    def _answer(self, status: int, location: str | None, cors: bool = True) -> None:
        self.send_response(status)
        if cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        if location is not None:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet


@pytest.fixture
def policy_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FetchMetadataPolicy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_fetch_metadata_policy_answers_us_as_it_answers_chromium(policy_server: int) -> None:
    """Back on the page's site after a cross-site hop, the request is still cross-site: the
    policy refuses it, for Chromium and for us alike (we used to send same-site, allowed)."""
    verdict = _check(f"http://127.0.0.1:{policy_server}/a", SAME_SITE_PAGE)
    assert not verdict["allowed"]
    assert verdict["error"]["kind"] == verdict["real_browser"]["kind"] == "MissingAllowOriginHeader"
    assert verdict["exchanges"][-1]["response"]["status"] == 403
