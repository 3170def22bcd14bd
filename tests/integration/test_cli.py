"""The real ``main.py`` in a subprocess: first lines, exit codes, one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "resources" / "scenarios" / "preflight-put-json.json"


def _main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


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
    result = _main("--help")
    assert result.returncode == 0
    assert "serve" in result.stdout


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
    result = _main("serve", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert re.search(expected, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_one_line(serving: tuple[subprocess.Popen[str], str]) -> None:
    port = serving[1].rsplit(":", 1)[1]
    result = _main("serve", str(BUNDLED), "--port", port)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: --port {port}: cannot listen")
    assert len(result.stderr.splitlines()) == 1
