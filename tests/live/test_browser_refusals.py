"""Requests the browser refuses itself, and failures the walk decides (a redirect loop, an
unsafe redirect): each is a verdict that is not a CORS block, with the browser's own words,
exit 3 in ``check`` and ``run``. Real loopback servers, the real ``main.py``, and, where marked
``browser``, embedded Chromium asked about the same request."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corsinspector.engine.walk import UNSAFE_PORTS
from corsinspector.model import Headers, Request, Route, Scenario
from corsinspector.wire.server import ScenarioServer, serve_in_thread
from tests.commandline import main_py

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = "https://app.example.test"
_ACAO: Headers = (("Access-Control-Allow-Origin", "*"),)


def _routes(*routes: Route) -> Scenario:
    return Scenario("refusals", Request("http://api.example.test/ok"), routes)


@pytest.fixture
def unsafe_listener() -> Iterator[ScenarioServer]:
    """A server on one of Chromium's restricted ports, to see that nothing reaches it."""
    for port in (6666, 6667, 6668, 6669, 6665, 10080, 6697, 6566, 6000):
        assert port in UNSAFE_PORTS
        with contextlib.suppress(OSError), serve_in_thread(_routes(), port=port) as server:
            yield server
            return
    pytest.fail("no restricted port could be bound on 127.0.0.1")


@pytest.fixture
def server(unsafe_listener: ScenarioServer) -> Iterator[ScenarioServer]:
    unsafe = f"http://127.0.0.1:{unsafe_listener.port}/x"
    scenario = _routes(
        Route("GET", "/to-unsafe-port", 302, (*_ACAO, ("Location", unsafe))),
        Route("GET", "/loop", 302, (*_ACAO, ("Location", "/loop"))),
        Route("GET", "/to-ftp", 302, (*_ACAO, ("Location", "ftp://files.example.test/a"))),
        Route("GET", "/to-data", 302, (*_ACAO, ("Location", "data:text/plain,hi"))),
        Route("*", None, 200, _ACAO, "ok"),
    )
    with serve_in_thread(_routes()) as live:
        live.scenario = scenario  # after start: the server leaves these Locations as written
        yield live


def _check_json(url: str, *args: str) -> tuple[dict[str, Any], int]:
    """``check --json --real-browser``: the verdict, asserted to agree with Chromium's."""
    result = main_py("check", url, "--origin", APP, *args, "--json", "--real-browser")
    assert "Traceback" not in result.stderr, result.stderr
    verdict: dict[str, Any] = json.loads(result.stdout)
    real = verdict["real_browser"]
    assert real["version"].startswith("140."), real
    assert real["allowed"] == verdict["allowed"], (verdict["error"], real)
    assert real["kind"] is None or real["kind"] == verdict["error"]["kind"], real
    assert "disagree" not in result.stderr
    return verdict, result.returncode


def _refused(verdict: dict[str, Any], code: str) -> None:
    """A network-stack refusal: Failed to fetch for script, the net error for DevTools."""
    error = verdict["error"]
    assert (error["kind"], error["value"]) == ("NetworkFailure", code)
    assert error["message"] == "TypeError: Failed to fetch"
    real = verdict["real_browser"]
    assert real["kind"] is None  # no CORS error
    assert code in real["net_errors"]
    assert real["message"] == error["message"]


@pytest.mark.browser
def test_a_restricted_port_is_never_connected_to(unsafe_listener: ScenarioServer) -> None:
    verdict, status = _check_json(f"http://127.0.0.1:{unsafe_listener.port}/x")
    _refused(verdict, "net::ERR_UNSAFE_PORT")
    assert verdict["error"]["stage"] == "request"
    assert verdict["exchanges"] == []
    assert unsafe_listener.log == []  # neither we nor Chromium sent anything
    assert status == 3


@pytest.mark.browser
def test_a_redirect_to_a_restricted_port_is_not_followed(
    server: ScenarioServer, unsafe_listener: ScenarioServer
) -> None:
    verdict, status = _check_json(f"{server.base_url}/to-unsafe-port")
    _refused(verdict, "net::ERR_UNSAFE_PORT")
    assert verdict["error"]["header"] == "Location"
    assert [item.target for item in server.log] == ["/to-unsafe-port"] * 2  # ours, Chromium's
    assert unsafe_listener.log == []
    assert status == 3


@pytest.mark.browser
def test_a_redirect_loop_is_a_network_failure_not_a_block(server: ScenarioServer) -> None:
    verdict, status = _check_json(f"{server.base_url}/loop")
    _refused(verdict, "net::ERR_TOO_MANY_REDIRECTS")
    assert len(server.log) == 2 * 21  # 20 redirects followed, by us and by Chromium
    assert status == 3


@pytest.mark.browser
@pytest.mark.parametrize(
    ("path", "code"),
    [("/to-ftp", "net::ERR_UNKNOWN_URL_SCHEME"), ("/to-data", "net::ERR_UNSAFE_REDIRECT")],
)
def test_a_redirect_to_another_scheme_is_a_network_failure(
    server: ScenarioServer, path: str, code: str
) -> None:
    """As Chromium 140 (the embedded browser, asked beside): a network failure."""
    verdict, status = _check_json(f"{server.base_url}{path}", "--browser", "chromium-140")
    _refused(verdict, code)
    assert status == 3


def test_chrome_156_blocks_a_redirect_to_ftp_by_cors(server: ScenarioServer) -> None:
    """Chrome 156 (the default) names it CorsDisabledScheme (truths-chromium/redirect-to-ftp);
    the embedded Chromium 140 beside it is compared with the engine as Chromium 140."""
    result = main_py("check", f"{server.base_url}/to-ftp", "--origin", APP, "--json")
    verdict = json.loads(result.stdout)
    assert verdict["error"]["kind"] == "CorsDisabledScheme"
    assert verdict["error"]["header"] == "Location"
    assert result.returncode == 1


@pytest.mark.browser
def test_a_url_with_user_and_password_makes_fetch_throw(server: ScenarioServer) -> None:
    url = server.base_url.replace("http://", "http://user:secret@") + "/ok"
    verdict, status = _check_json(url)
    error = verdict["error"]
    assert error["kind"] == "FetchRejected"
    assert error["message"] == (
        "TypeError: Failed to execute 'fetch' on 'Window': Request cannot be constructed from "
        f"a URL that includes credentials: {url}"
    )
    assert verdict["real_browser"]["message"] == error["message"]
    assert server.log == []
    assert status == 3


@pytest.mark.browser
def test_a_dot_localhost_name_reaches_loopback_with_its_host_header(
    server: ScenarioServer,
) -> None:
    url = f"http://api.localhost:{server.port}/ok"
    verdict, status = _check_json(url)
    assert verdict["allowed"], verdict["error"]
    assert status == 0
    hosts = [dict(item.headers)["Host"] for item in server.log]
    assert hosts == [f"api.localhost:{server.port}"] * 2  # ours, Chromium's


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/loop", "The browser refused the redirect: net::ERR_TOO_MANY_REDIRECTS"),
        ("/to-data", "The browser refused the redirect: net::ERR_UNSAFE_REDIRECT"),
        ("/to-unsafe-port", "The browser refused the redirect: net::ERR_UNSAFE_PORT"),
    ],
)
def test_check_says_it_is_not_a_cors_block_and_exits_3(
    server: ScenarioServer, path: str, title: str
) -> None:
    result = main_py("check", f"{server.base_url}{path}", "--origin", APP)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == f"NOT A CORS BLOCK. {title}"


def test_run_counts_a_refusal_as_a_network_failure(tmp_path: Path, server: ScenarioServer) -> None:
    """``run`` exits 3, as ``check`` does, when an item fails without a CORS error."""
    items = [
        {"name": name, "request": {"url": server.base_url + path, "origin": APP}}
        for name, path in (("fine", "/ok"), ("loop", "/loop"))
    ]
    collection = {"format": "cors-collection/1", "name": "refusals", "folders": []}
    collection["folders"] = [{"name": "api", "items": items}]
    path = tmp_path / "refusals.json"
    path.write_text(json.dumps(collection))
    (tmp_path / "refusals.env.json").write_text(
        json.dumps({"format": "cors-environments/1", "environments": {"dev": {}}})
    )
    result = main_py("run", str(path), "--env", "dev")
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "1 of 2 items as expected."
