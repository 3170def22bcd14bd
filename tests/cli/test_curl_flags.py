"""``check`` takes curl's flags as curl users type them (issue 12): through the real main.py,
against a loopback server that logs what it received."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from corsinspector.model import Request, Route, Scenario
from corsinspector.wire.server import LoggedRequest, ScenarioServer, serve_in_thread
from tests.commandline import main_py

pytestmark = pytest.mark.integration

APP = "https://app.example.test"
API = "https://api.example.test/items"


def _scenario(credentials: bool) -> Scenario:
    allow = [("Access-Control-Allow-Origin", APP)]
    if credentials:
        allow.append(("Access-Control-Allow-Credentials", "true"))
    preflight = [
        *allow,
        ("Access-Control-Allow-Methods", "GET, POST, PUT"),
        ("Access-Control-Allow-Headers", "content-type, authorization, accept"),
    ]
    return Scenario(
        "curl-flags",
        Request(API, origin=APP),
        (
            Route("OPTIONS", None, 204, tuple(preflight)),
            Route("*", None, 200, tuple(allow), body="ok"),
        ),
    )


@pytest.fixture(scope="module")
def server() -> Iterator[ScenarioServer]:
    with serve_in_thread(_scenario(credentials=True)) as server:
        yield server


def _check(server: ScenarioServer, *args: str) -> tuple[int, dict[str, object], LoggedRequest]:
    """Run check; its exit status, its JSON verdict and the actual request the server got."""
    before = len(server.log)
    result = main_py("check", server.map.to_wire_url(API), "--origin", APP, *args, "--json")
    assert result.stderr == ""
    actual = [r for r in server.log[before:] if r.method != "OPTIONS"]
    assert len(actual) == 1, server.log[before:]
    return result.returncode, json.loads(result.stdout), actual[0]


def _header(request: LoggedRequest, name: str) -> str | None:
    values = [v for n, v in request.headers if n.lower() == name]
    return values[0] if values else None


@pytest.mark.parametrize(
    ("args", "body"),
    [
        (["--data", "--XyZ--"], b"--XyZ--"),  # a value starting with '-' is the body
        (["-d", "--XyZ--"], b"--XyZ--"),
        (["--data-raw", "-a=1"], b"-a=1"),
        (["--data-binary", "@not-read"], b"@not-read"),
        (["-d", "a=1", "--data", "b=2"], b"a=1&b=2"),  # curl joins them with '&'
    ],
)
def test_a_data_flag_sends_its_value_as_the_body_with_post(
    server: ScenarioServer, args: list[str], body: bytes
) -> None:
    status, _verdict, actual = _check(server, *args)
    assert status == 0
    assert (actual.method, actual.body) == ("POST", body)


def test_x_keeps_its_method_with_a_body(server: ScenarioServer) -> None:
    status, verdict, actual = _check(server, "-X", "PUT", "-d", "-")
    assert (status, actual.method, actual.body) == (0, "PUT", b"-")
    assert verdict["preflight"]["required"] is True  # type: ignore[index]


def test_json_body_is_curls_json(server: ScenarioServer) -> None:
    status, verdict, actual = _check(server, "--json-body", '{"id": 1}')
    assert (status, actual.method, actual.body) == (0, "POST", b'{"id": 1}')
    assert _header(actual, "content-type") == "application/json"
    assert _header(actual, "accept") == "application/json"
    assert verdict["preflight"]["required"] is True  # type: ignore[index]


def test_a_header_given_with_h_wins_over_json_bodys(server: ScenarioServer) -> None:
    _status, _verdict, actual = _check(
        server, "--json-body", "{}", "-H", "Accept: application/vnd.api+json"
    )
    assert _header(actual, "accept") == "application/vnd.api+json"


def test_u_sends_basic_credentials(server: ScenarioServer) -> None:
    status, _verdict, actual = _check(server, "-u", "alice:s3cret")
    token = base64.b64encode(b"alice:s3cret").decode()
    assert (status, _header(actual, "authorization")) == (0, f"Basic {token}")


def test_a_is_dropped_as_chromium_drops_a_user_agent_set_by_script(
    server: ScenarioServer,
) -> None:
    status, verdict, actual = _check(server, "-A", "curl/8.5.0")
    assert status == 0
    assert _header(actual, "user-agent") != "curl/8.5.0"
    assert [name for name, _why in verdict["dropped_headers"]] == ["User-Agent"]  # type: ignore[attr-defined]


def test_b_asks_for_credentials_and_its_cookie_is_dropped() -> None:
    # the server does not allow credentials: a credentialed request is blocked
    with serve_in_thread(_scenario(credentials=False)) as server:
        url = server.map.to_wire_url(API)
        plain = main_py("check", url, "--origin", APP, "--json")
        cookie = main_py("check", url, "--origin", APP, "-b", "session=1", "--json")
        omitted = main_py("check", url, "--origin", APP, "-b", "session=1", "--credentials", "omit")
    assert plain.returncode == 0
    assert cookie.returncode == 1, cookie.stdout
    verdict = json.loads(cookie.stdout)
    assert verdict["error"]["kind"] == "InvalidAllowCredentials"
    assert [name for name, _why in verdict["dropped_headers"]] == ["Cookie"]
    assert omitted.returncode == 0  # --credentials says otherwise


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["-b", "cookies.txt"], "-b 'cookies.txt'"),  # a cookie jar file is not read
        (["--json-body", "{}", "-d", "x"], "--json-body"),
        (["-d"], "argument -d/--data/--data-raw/--data-binary"),
        (["-A", "x\ny"], "-A 'x\\ny'"),  # the shorthand is named, not a -H it became
    ],
)
def test_curl_flags_bad_input_is_one_line(args: list[str], where: str) -> None:
    result = main_py("check", "http://127.0.0.1:8080/", "--origin", APP, *args)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {where}"), result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_check_help_has_examples_and_a_line_for_every_option() -> None:
    from corsinspector.cli.parser import build_parser

    result = main_py("check", "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout
    assert "--json-body" in result.stdout
    parser = build_parser()
    check = parser._subparsers._group_actions[0].choices["check"]  # type: ignore[union-attr]
    undocumented = [a.option_strings for a in check._actions if not a.help]
    assert undocumented == []
