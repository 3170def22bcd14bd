"""--timeout bounds each exchange as a whole (connect, headers, body), as a browser's timeout
does: a server trickling its headers, one never answering a preflight while it holds the
socket, one sending its body a byte a second; ``check`` and ``run`` end by about the timeout."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.commandline import main_py
from tests.faultserver import FaultServer, fault_server_in_thread

pytestmark = pytest.mark.integration

ORIGIN = "http://app.example.test"
TIMEOUT = 5
#: The command must end by about the timeout: the timeout, Python's start, some slack.
WALL_LIMIT = 8.0

#: (path, extra check flags, the exchange that times out): each stalls one way.
STALLS = [
    pytest.param("/trickle", [], "actual", id="trickled-headers"),
    pytest.param("/silent-preflight", ["-X", "PUT"], "preflight", id="silent-preflight"),
    pytest.param("/slow-body", [], "actual", id="slow-body"),
    # The httpx client path (HTTP/2 or a proxy) is bounded the same way.
    pytest.param("/trickle", ["--http2"], "actual", id="trickled-headers-httpx-client"),
    pytest.param("/slow-body", ["--http2"], "actual", id="slow-body-httpx-client"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with fault_server_in_thread() as live:
        yield live


def _main(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """``main.py ARGS…`` and how long it took, start-up included."""
    started = time.monotonic()
    result = main_py(*args, timeout=60)
    return result, time.monotonic() - started


@pytest.mark.parametrize(("path", "flags", "stalled"), STALLS)
def test_check_ends_by_the_timeout_with_err_timed_out(
    server: FaultServer, path: str, flags: list[str], stalled: str
) -> None:
    url = server.base_url + path
    result, wall = _main(
        "check", url, "--origin", ORIGIN, "--timeout", str(TIMEOUT), "--json", *flags
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert TIMEOUT - 0.5 < wall < WALL_LIMIT
    verdict = json.loads(result.stdout)
    last = verdict["exchanges"][-1]
    assert last["kind"] == stalled
    assert last["response"]["network_error"] == "net::ERR_TIMED_OUT"
    assert f"within {TIMEOUT} s" in last["response"]["explanation"]
    assert not verdict["allowed"]


def test_check_text_names_the_timeout(server: FaultServer) -> None:
    result, wall = _main(
        "check", server.base_url + "/trickle", "--origin", ORIGIN, "--timeout", "2"
    )
    assert (result.returncode, result.stderr) == (3, "")
    assert wall < 2 + (WALL_LIMIT - TIMEOUT)
    assert "x net::ERR_TIMED_OUT: The server did not complete its answer within 2 s" in (
        result.stdout
    )


def test_run_ends_by_the_timeout_with_a_network_failure(
    server: FaultServer, tmp_path: Path
) -> None:
    items = []
    for name, path, method in [
        ("trickle", "/trickle", "GET"),
        ("silent preflight", "/silent-preflight", "PUT"),
        ("slow body", "/slow-body", "GET"),
    ]:
        request = {"url": "{{base_url}}" + path, "origin": ORIGIN, "method": method}
        items.append({"name": name, "request": request, "expect": {"allowed": True}})
    collection = tmp_path / "stalls.json"
    collection.write_text(
        json.dumps(
            {
                "format": "cors-collection/1",
                "name": "stalls",
                "folders": [{"name": "stalls", "items": items}],
            }
        )
    )
    environments = {
        "format": "cors-environments/1",
        "environments": {"dev": {"base_url": server.base_url}},
    }
    (tmp_path / "stalls.env.json").write_text(json.dumps(environments))
    report = tmp_path / "report.json"
    result, wall = _main(
        "run", str(collection), "--env", "dev", "--concurrency", "3",
        "--timeout", str(TIMEOUT), "--json", str(report),
    )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert wall < WALL_LIMIT
    lines = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    assert len(lines) == 3, result.stdout
    for line in lines:  # each item's own time: about the timeout
        ms = re.search(r"\((\d+) ms\)$", line)
        assert ms is not None, line
        assert TIMEOUT * 1000 - 500 < int(ms.group(1)) < WALL_LIMIT * 1000
    verdicts = json.loads(report.read_text())
    codes = [
        exchange["response"]["network_error"]
        for entry in verdicts
        for exchange in entry["verdict"]["exchanges"][-1:]
    ]
    assert codes == ["net::ERR_TIMED_OUT"] * 3
