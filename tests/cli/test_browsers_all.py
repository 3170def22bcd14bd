"""``simulate --browser all`` and ``check --browser all`` as a user runs them: the real
``main.py``, real loopback servers; one verdict per browser, the headline when they
disagree, the JSON's ``browsers`` block and the exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsinspector.engine.profiles import PROFILES, get_profile
from corsinspector.model import Request, Route, Scenario
from corsinspector.wire.server import serve_in_thread
from tests.commandline import main_py

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "scenarios"
DPR = GOLDEN / "safelist-hint-dpr.json"
#: A page on loopback (a dev server) calling an API on loopback: no Local Network Access.
PAGE = "http://localhost:5173"


def _dpr_scenario() -> Scenario:
    """DPR: 2 on a GET the API allows for the page: Chrome safelists the hint, Firefox and
    Safari preflight it, and no OPTIONS route answers."""
    allow = (("Access-Control-Allow-Origin", PAGE),)
    request = Request("http://api.example.test/data", origin=PAGE, headers=(("DPR", "2"),))
    return Scenario("dpr", request, (Route("GET", request.url, 200, allow, "ok"),))


def test_simulate_all_prints_a_row_per_browser_and_the_disagreement() -> None:
    result = main_py("simulate", str(DPR), "--browser", "all")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Blocked in Firefox and Safari, allowed in Chrome and Chromium 140:")
    for name in PROFILES:
        assert any(line.strip().startswith(get_profile(name).label) for line in lines[1:9])
    assert "Cross-Origin Request Blocked" in result.stdout  # Firefox's own words
    assert "Preflight response is not successful" in result.stdout  # WebKit's
    assert "In Chrome (the default):" in result.stdout


def test_simulate_all_json_keeps_the_default_verdict_and_adds_browsers() -> None:
    alone = json.loads(main_py("simulate", str(DPR), "--browser", "chrome", "--json").stdout)
    data = json.loads(main_py("simulate", str(DPR), "--browser", "all", "--json").stdout)
    browsers = data.pop("browsers")
    assert data == alone  # the cors-verdict/1 object of the default profile, untouched
    assert list(browsers) == list(PROFILES)
    assert browsers["chrome"] == {
        "allowed": True,
        "kind": None,
        "message": None,
        "label": "Chrome",
    }
    firefox = browsers["firefox"]
    assert firefox["allowed"] is False
    assert firefox["label"] == "Firefox"
    assert firefox["kind"]
    assert firefox["message"].startswith("Cross-Origin Request Blocked")


def test_simulate_all_agreeing_says_so_and_exits_0() -> None:
    result = main_py("simulate", str(GOLDEN / "acac-false-omit.json"), "--browser", "all")
    assert result.returncode == 0
    assert result.stdout.startswith("Every browser agrees: allowed")


def test_a_browser_that_does_not_exist_is_one_line_exit_2() -> None:
    result = main_py("simulate", str(DPR), "--browser", "netscape")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "netscape" in result.stderr


def test_browser_all_is_in_help() -> None:
    result = main_py("check", "--help")
    assert "all:" in result.stdout
    assert "blocked in any" in " ".join(result.stdout.split())


@pytest.mark.integration
def test_check_all_sends_as_each_browser_and_exits_1_when_blocked_in_any() -> None:
    with serve_in_thread(_dpr_scenario()) as server:
        url = server.map.to_wire_url("http://api.example.test/data")
        result = main_py("check", url, "--origin", PAGE, "-H", "DPR: 2", "--browser", "all")
        log = [(item.method, item.target) for item in server.log]
    assert result.returncode == 1, result.stderr  # blocked in Firefox and Safari
    assert result.stdout.startswith("Blocked in Firefox and Safari, allowed in Chrome")
    # Chrome and Chromium 140 send the GET alone; Firefox and Safari a preflight first
    assert log.count(("OPTIONS", "/data")) == 2
    assert log.count(("GET", "/data")) == 2


@pytest.mark.integration
def test_check_all_json_and_exit_0_when_every_browser_allows() -> None:
    scenario = _dpr_scenario()
    allow = (("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Headers", "DPR"))
    options = Route("OPTIONS", scenario.request.url, 204, allow)
    with serve_in_thread(Scenario("dpr-fixed", scenario.request, (options, *scenario.server))) as s:
        url = s.map.to_wire_url("http://api.example.test/data")
        result = main_py(
            "check", url, "--origin", PAGE, "-H", "DPR: 2", "--browser", "all", "--json"
        )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "cors-verdict/1"
    assert data["allowed"] is True
    assert {name: b["allowed"] for name, b in data["browsers"].items()} == dict.fromkeys(
        PROFILES, True
    )
    assert "real_browsers" not in data
