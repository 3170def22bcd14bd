"""The real ``main.py`` in a subprocess: first lines, exit codes, one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.commandline import main_py

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "resources" / "gallery" / "preflight-put-json.json"


@pytest.fixture
def serving() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "serve", str(BUNDLED), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().rstrip("\n")
        yield process, first
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_help_lists_the_commands() -> None:
    result = main_py("--help")
    assert result.returncode == 0
    assert "serve" in result.stdout


def test_help_lists_every_command_and_the_windows_flags() -> None:
    from corsinspector.cli.parser import COMMANDS

    text = main_py("--help").stdout
    for word in [*COMMANDS, "--screenshot", "--scenario", "--theme", "--stack"]:
        assert word in text
    assert "--install-desktop-entry" in text


@pytest.mark.parametrize("argv", [["bogus"], ["bogus", "--screenshot", "x.png"], ["--nope"]])
def test_an_unknown_command_or_flag_is_one_line_of_bad_input(argv: list[str]) -> None:
    result = main_py(*argv)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ")


def test_without_a_display_the_window_gives_way_to_the_demo() -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in _DISPLAY_VARIABLES}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py")], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No display here: running the demo on the command line")
    assert "scenarios gave their expected verdict." in result.stdout


_DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def test_serve_prints_its_address_first_and_plays_the_scenario(
    serving: tuple[subprocess.Popen[str], str],
) -> None:
    process, first = serving
    match = re.fullmatch(r"serving on (http://127\.0\.0\.1:(\d+))", first)
    assert match, first
    base = match.group(1)
    response = httpx.options(
        f"{base}/items/1",
        headers={"Origin": "https://app.example.test", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status_code == 204
    assert response.headers.get_list("access-control-allow-methods") == ["PUT"]
    assert httpx.put(f"{base}/items/1", content=b"{}").text == "ok"
    assert process.stdout is not None
    lines = [process.stdout.readline().rstrip("\n") for _ in range(2)]
    assert lines[0].startswith("scenario preflight-put-json: 2 routes")
    assert lines[1] == "OPTIONS /items/1 HTTP/1.1 -> 204"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json", r"bad\.json:1: not valid JSON"),
        ('{"format": "cors-scenario/9", "request": {}}', r"bad\.json: format: must be"),
        ('{"format": "cors-scenario/1", "request": {}}', r"bad\.json: request\.url: is missing"),
    ],
)
def test_a_bad_scenario_exits_2_with_one_line(content: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = main_py("serve", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert re.search(expected, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_one_line(serving: tuple[subprocess.Popen[str], str]) -> None:
    port = serving[1].rsplit(":", 1)[1]
    result = main_py("serve", str(BUNDLED), "--port", port)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: --port {port}: cannot listen")
    assert len(result.stderr.splitlines()) == 1


def test_simulate_prints_a_readable_verdict() -> None:
    result = main_py("simulate", str(BUNDLED))
    assert result.returncode == 0
    assert result.stdout.startswith("ALLOWED (cors response")
    assert "Preflight: required, because method PUT is not CORS-safelisted" in result.stdout


def test_simulate_json_is_the_verdict_format() -> None:
    import json

    result = main_py("simulate", str(BUNDLED), "--json")
    assert result.returncode == 0
    verdict = json.loads(result.stdout)
    assert verdict["format"] == "cors-verdict/1"
    assert verdict["allowed"] is True
    assert verdict["error"] is None
    assert verdict["preflight"]["request"]["headers"][1] == ["Access-Control-Request-Method", "PUT"]


def test_simulate_exits_0_when_blocked_and_names_the_culprit(tmp_path: Path) -> None:
    scenario = (ROOT / "tests/golden/scenarios/acah-multiple-missing.json").read_text()
    path = tmp_path / "blocked.json"
    path.write_text(scenario)
    result = main_py("simulate", str(path))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "BLOCKED at the preflight stage: HeaderDisallowedByPreflightResponse"
    )
    assert lines[1] == "  culprit: Access-Control-Allow-Headers: 'x-zeta'"
    firefox = main_py("simulate", str(path), "--browser", "firefox", "--json")
    assert '"reason": "CORSMissingAllowHeaderFromPreflight2"' in firefox.stdout


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        ('"url": "https://api.example.test/items/1"', r"request\.url: is not an absolute URL"),
        ('["X-Trace", "1"]', r"request\.headers\[1\]: header name"),
    ],
)
def test_simulate_names_the_bad_field(mutation: str, expected: str, tmp_path: Path) -> None:
    text = BUNDLED.read_text()
    replacement = {
        '"url": "https://api.example.test/items/1"': '"url": "api.example.test/items/1"',
        '["X-Trace", "1"]': '["X Trace", "1"]',
    }[mutation]
    path = tmp_path / "bad.json"
    path.write_text(text.replace(mutation, replacement, 1))
    result = main_py("simulate", str(path))
    assert result.returncode == 2
    assert re.search(expected, result.stderr), result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "path", sorted((ROOT / "resources" / "gallery").glob("*.json")), ids=lambda p: p.stem
)
def test_simulate_works_on_every_bundled_example(path: Path) -> None:
    result = main_py("simulate", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(("ALLOWED", "BLOCKED"))


def test_simulate_lists_a_fix_for_every_stack_and_prints_the_chosen_one(tmp_path: Path) -> None:
    import json

    from corsinspector.fixes.stacks import STACKS

    blocked = ROOT / "resources" / "gallery" / "preflight-401-auth-first.json"
    verdict = json.loads(main_py("simulate", str(blocked), "--json").stdout)
    assert [fix["server"] for fix in verdict["fixes"]] == ["generic", *STACKS]
    text = main_py("simulate", str(blocked), "--stack", "fastapi").stdout
    assert "Fix (fastapi): " in text
    assert "CORSMiddleware" in text
    bad = main_py("simulate", str(blocked), "--stack", "cobol")
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: --stack: unknown stack 'cobol'")
