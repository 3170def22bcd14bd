"""An origin typed as people type it (a trailing slash, capitals, ``:443``, a page's URL) is
sent as browsers send it: real loopback servers, the real ``main.py``, and, where marked
``browser``, embedded Chromium asked about the same request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from corsinspector.fixes.stacks import JSON_STACKS
from corsinspector.model import Request, Route, Scenario, header_values
from corsinspector.wire.server import ScenarioServer, serve_in_thread
from tests.commandline import main_py

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
VITE = "http://localhost:5173"


def _server(allow_origin: str) -> Scenario:
    """A server that allows ``allow_origin`` (exactly as written) for GET and for PUT."""
    cors = (("Access-Control-Allow-Origin", allow_origin), ("Vary", "Origin"))
    preflight = (*cors, ("Access-Control-Allow-Methods", "PUT"))
    return Scenario(
        "typed-origin",
        Request("http://api.example.test/items"),
        (Route("OPTIONS", None, 204, preflight), Route("*", None, 200, cors, "[]")),
    )


def _origins_received(server: ScenarioServer) -> set[str]:
    return {value for item in server.log for value in header_values(item.headers, "Origin")}


def _check(server: ScenarioServer, typed: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return main_py("check", f"{server.base_url}/items", "--origin", typed, *extra)


def _agrees_with_chromium(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The verdict of ``check --json --real-browser``, asserted to agree with Chromium's."""
    verdict: dict[str, Any] = json.loads(result.stdout)
    real = verdict["real_browser"]
    assert real["version"].startswith("140."), real
    assert real["allowed"] == verdict["allowed"], (verdict, real)
    if not verdict["allowed"]:
        assert (real["kind"], real["message"]) == (
            verdict["error"]["kind"],
            verdict["error"]["message"],
        )
    assert "disagree" not in result.stderr
    return verdict


@pytest.mark.browser
@pytest.mark.parametrize(
    ("typed", "sent", "method", "why"),
    [
        (f"{VITE}/", VITE, "GET", "never send a path or a trailing slash"),
        ("HTTP://LOCALHOST:5173", VITE, "PUT", "send the scheme and host in lower case"),
        (f"{VITE}/app/?tab=1#top", VITE, "GET", "a page's origin is its scheme, host and port"),
        ("https://app.example.com:443", "https://app.example.com", "PUT", "drop the default port"),
    ],
)
def test_a_typed_origin_is_sent_serialized_and_a_right_server_allows_it(
    typed: str, sent: str, method: str, why: str
) -> None:
    with serve_in_thread(_server(sent)) as server:
        result = _check(server, typed, "-X", method, "--json", "--real-browser")
        received = _origins_received(server)
        preflights = [item for item in server.log if item.method == "OPTIONS"]
    verdict = _agrees_with_chromium(result)
    assert (verdict["allowed"], result.returncode) == (True, 0), result.stdout + result.stderr
    # the engine's requests and Chromium's alike carried the serialized origin, and only it
    assert received == {sent}
    assert len(preflights) == (2 if method == "PUT" else 0)  # one from each
    [note] = [n for n in verdict["notes"] if n.startswith("Origin sent as")]
    assert note.startswith(f"Origin sent as `{sent}` (you typed `{typed}`): browsers ")
    assert why in note


@pytest.mark.browser
@pytest.mark.parametrize("typed", [VITE, f"{VITE}/"])
def test_the_trailing_slash_mistake_is_blocked_and_named(typed: str) -> None:
    with serve_in_thread(_server(f"{VITE}/")) as server:
        result = _check(server, typed, "--json", "--real-browser", "--stack", "express")
        received = _origins_received(server)
    verdict = _agrees_with_chromium(result)
    assert (verdict["allowed"], result.returncode) == (False, 1)
    assert verdict["error"]["kind"] == "AllowOriginMismatch"
    assert received == {VITE}
    mistake = (
        f"Access-Control-Allow-Origin is `{VITE}/` — the trailing slash makes it differ from "
        f"the origin `{VITE}`; remove it"
    )
    assert verdict["fixes"][0]["title"].endswith(
        "the trailing slash made the allowed origin differ"
    )
    for fix in verdict["fixes"]:
        # every fix names the mistake (a JSON one in its title), and none lists the slashed
        # origin as one to allow
        named = fix["title"] if fix["server"] in JSON_STACKS else fix["snippet"]
        assert "the trailing slash" in named, fix["server"]
        assert fix["headers"]["actual"][0] == ["Access-Control-Allow-Origin", VITE]
        rest = fix["snippet"].replace(mistake, "")
        assert f"{VITE}/" not in rest


def test_check_prints_the_trailing_slash_first_and_the_typed_origin_note() -> None:
    with serve_in_thread(_server(f"{VITE}/")) as server:
        result = _check(server, f"{VITE}/", "--stack", "django")
    assert result.returncode == 1, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("BLOCKED at the actual stage: AllowOriginMismatch (")
    assert "the trailing slash makes it differ from the origin `http://localhost:5173`" in first
    assert (
        f"Note: Origin sent as `{VITE}` (you typed `{VITE}/`): browsers never send a path or a "
        "trailing slash." in result.stdout
    )
    assert f'CORS_ALLOWED_ORIGINS = ["{VITE}"]' in result.stdout
    # the console message stays Chromium's, word for word, with the origin it sent
    assert f"from origin '{VITE}' has been blocked by CORS policy" in result.stdout


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("localhost:5173", "not an origin"),
        ("http://user:secret@localhost:5173", "user name or password"),
        ("http://localhost:99999", "bad port"),
        ("file:///home/me/index.html", "not an origin"),
    ],
)
def test_what_is_no_origin_is_one_line_and_exit_2(typed: str, problem: str) -> None:
    result = main_py("check", "http://127.0.0.1:8080/", "--origin", typed)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --origin")
    assert problem in result.stderr
    assert len(result.stderr.splitlines()) == 1


# Chromium's own serialization: a page whose URL is what was typed (QtWebEngine's setHtml
# base URL), fetching our server; the Origin it sends is compared with ours.
_CHROMIUM_PAGE = """
import asyncio, sys
from corsinspector.model import Request
from corsinspector.realbrowser.browser import RealBrowser
async def main():
    request = Request(sys.argv[1], origin=sys.argv[2])
    result = await RealBrowser().fetch(request, page_origin=sys.argv[2], time_limit=30)
    print(result.outcome)
asyncio.run(main())
"""


@pytest.mark.browser
@pytest.mark.parametrize(
    "typed",
    [
        "HTTP://LocalHost:5173",
        "https://app.example.com:443",
        "http://Bücher.example:8080",
        "http://[0:0:0:0:0:0:0:1]:80",
        "https://APP.example.com:0443",
        "http://Straße.example",  # UTS 46 without transitional mapping: ß stays
        "http://127.1:8080",  # the URL standard's short IPv4 form
    ],
)
def test_chromium_sends_the_origin_we_send_for_a_typed_page_url(typed: str) -> None:
    from corsinspector.origins import serialize_origin

    with serve_in_thread(_server("*")) as server:
        run = subprocess.run(
            [sys.executable, "-c", _CHROMIUM_PAGE, f"{server.base_url}/items", typed],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=ROOT,
        )
        received = _origins_received(server)
    assert run.stdout.strip() == "resolved", run.stdout + run.stderr
    assert received == {serialize_origin(typed)}


def test_simulate_and_run_send_the_serialized_origin_too(tmp_path: Path) -> None:
    typed = "HTTPS://App.Example.com:443/dashboard"
    sent = "https://app.example.com"
    scenario = {
        "format": "cors-scenario/1",
        "request": {"url": "https://api.example.test/items", "origin": typed, "method": "PUT"},
        "server": [
            {
                "method": "OPTIONS",
                "status": 204,
                "headers": [
                    ["Access-Control-Allow-Origin", sent],
                    ["Access-Control-Allow-Methods", "PUT"],
                ],
            },
            {"status": 200, "headers": [["Access-Control-Allow-Origin", sent]]},
        ],
    }
    path = tmp_path / "typed.json"
    path.write_text(json.dumps(scenario))
    simulated = main_py("simulate", str(path), "--json")
    verdict = json.loads(simulated.stdout)
    assert verdict["allowed"], simulated.stdout + simulated.stderr
    wire = {v for e in verdict["exchanges"] for k, v in e["request"]["headers"] if k == "Origin"}
    assert wire == {sent}
    [note] = verdict["notes"]
    assert note.startswith(f"Origin sent as `{sent}` (you typed `{typed}`)")

    item = {"url": "{{base_url}}/items", "origin": typed, "method": "PUT"}
    collection = {
        "format": "cors-collection/1",
        "name": "typed",
        "folders": [
            {
                "name": "api",
                "items": [{"name": "put", "request": item, "expect": {"allowed": True}}],
            }
        ],
    }
    (tmp_path / "typed.collection.json").write_text(json.dumps(collection))
    report = tmp_path / "report.json"
    with serve_in_thread(_server(sent)) as server:
        environments = {
            "format": "cors-environments/1",
            "environments": {"dev": {"base_url": server.base_url}},
        }
        envs = tmp_path / "envs.json"
        envs.write_text(json.dumps(environments))
        ran = main_py(
            "run",
            str(tmp_path / "typed.collection.json"),
            "--envs",
            str(envs),
            "--env",
            "dev",
            "--json",
            str(report),
        )
        received = _origins_received(server)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert received == {sent}
    [result] = json.loads(report.read_text())
    assert result["verdict"]["notes"][0].startswith(f"Origin sent as `{sent}`")


@pytest.mark.browser
@pytest.mark.parametrize("allow_origin", ["http://0\\]", "http://a\\b]", "http://[::1"])
def test_an_allow_origin_urlsplit_cannot_read_is_judged_as_chromium_does(
    allow_origin: str,
) -> None:
    # a backslash ends the host for browsers (not for urlsplit, which raised: exit 70)
    with serve_in_thread(_server(allow_origin)) as server:
        result = _check(server, VITE, "--json", "--real-browser")
    assert result.returncode == 1, result.stderr
    verdict = _agrees_with_chromium(result)
    assert verdict["error"]["value"] == allow_origin
