"""``check`` and ``demo`` as a user runs them: real servers, the real ``main.py``, and, where
marked ``browser``, real Chromium asked about the same request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from corsinspector.app.gallery import GALLERY, expected_of
from corsinspector.engine.kinds import outcome_label
from corsinspector.formats.scenario import load_scenario
from corsinspector.wire.server import ScenarioServer, serve_in_thread
from tests.commandline import main_py
from tests.faultserver import refused_url

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = "https://app.example.test"


def check_args(path: Path, server: ScenarioServer) -> list[str]:
    """The ``check`` command line that replays a gallery scenario against ``server``."""
    request = load_scenario(path).request
    args = [server.map.to_wire_url(request.url), "--origin", request.origin, "-X", request.method]
    for name, value in request.headers:
        args += ["-H", f"{name}: {value}"]
    if request.body is not None:
        args += ["--data", request.body]
    return [*args, "--credentials", request.credentials]


@pytest.fixture(params=sorted(GALLERY.glob("*.json")), ids=lambda p: p.stem)
def gallery_case(request: pytest.FixtureRequest) -> Iterator[tuple[Path, ScenarioServer]]:
    path: Path = request.param
    with serve_in_thread(load_scenario(path)) as server:
        yield path, server


def _label(verdict: dict[str, object]) -> str:
    error = verdict["error"]
    return outcome_label(bool(verdict["allowed"]), error["kind"] if error else None)  # type: ignore[index]


def test_check_gives_each_gallery_scenario_its_expected_verdict(
    gallery_case: tuple[Path, ScenarioServer],
) -> None:
    path, server = gallery_case
    result = main_py("check", *check_args(path, server), "--json")
    verdict = json.loads(result.stdout)
    assert _label(verdict) == expected_of(path)
    assert result.returncode == (0 if verdict["allowed"] else 1)
    assert verdict["actual"]["sent"] == any(e["kind"] == "actual" for e in verdict["exchanges"])
    for exchange in verdict["exchanges"]:
        assert "timings_ms" in exchange["response"]


@pytest.mark.browser
def test_check_real_browser_agrees_on_every_gallery_scenario(
    gallery_case: tuple[Path, ScenarioServer],
) -> None:
    path, server = gallery_case
    result = main_py("check", *check_args(path, server), "--json", "--real-browser")
    verdict = json.loads(result.stdout)
    real = verdict["real_browser"]
    assert real["browser"] == "chromium"
    assert real["version"].startswith("140.")
    assert real["allowed"] == verdict["allowed"]
    if not verdict["allowed"]:
        assert real["kind"] == verdict["error"]["kind"]
        assert real["message"] == verdict["error"]["message"]
    else:
        assert real["readable_headers"] == verdict["exposed_headers"]
    assert "disagree" not in result.stderr


def test_check_prints_a_readable_verdict_and_exits_1_when_blocked() -> None:
    path = GALLERY / "missing-allow-origin.json"
    with serve_in_thread(load_scenario(path)) as server:
        result = main_py("check", *check_args(path, server))
    assert result.returncode == 1
    assert result.stdout.startswith("BLOCKED at the actual stage: MissingAllowOriginHeader")
    assert "(timing from 127.0.0.1:" in result.stdout
    assert "Fix (generic)" in result.stdout


def test_check_exits_3_on_a_network_failure() -> None:
    result = main_py("check", refused_url(), "--origin", APP)
    assert result.returncode == 3
    assert "net::ERR_CONNECTION_REFUSED" in result.stdout


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--origin", "app.example.test"], "--origin"),  # no scheme (a page URL is taken)
        (["--origin", "https://u:p@app.example.test"], "--origin"),
        (["-H", "X Bad: 1", "--origin", APP], "-H 'X Bad: 1'"),
        (["-H", "no colon", "--origin", APP], "-H 'no colon'"),
        (["-X", "GE T", "--origin", APP], "-X"),
        (["--timeout", "0", "--origin", APP], "--timeout"),
    ],
)
def test_check_bad_input_exits_2_naming_the_flag(args: list[str], where: str) -> None:
    result = main_py("check", "http://127.0.0.1:9/", *args)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {where}")
    assert len(result.stderr.splitlines()) == 1


def test_check_bad_url_exits_2() -> None:
    result = main_py("check", "not-a-url", "--origin", APP)
    assert (result.returncode, result.stderr.startswith("error: URL")) == (2, True)


def test_demo_prints_its_table_and_every_expectation_holds() -> None:
    result = main_py("demo")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["scenario", "expected", "got", "culprit"]
    count = len(list(GALLERY.glob("*.json")))
    assert f"{count} of {count} scenarios gave their expected verdict." in result.stdout
    assert count >= 12
