"""A report or collection being written when the process is killed (SIGKILL) is never lost:
the previous file stays whole, and the next write removes the dead writer's temporary file.

Each write is made big enough to watch (megabytes), and the real ``main.py`` is killed the
moment its write shows: a temporary file beside the target, or the target itself changing
(which is how the old in-place writes lost reports). An attempt whose kill came too late (the
rename done) is retried, a bounded number of times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from corsinspector.formats.scenario import scenario_from_dict
from corsinspector.wire.server import ScenarioServer, serve_in_thread

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = "https://app.example.test"
API = "https://api.example.test"
ITEMS = 12
BODY = "x" * 1_000_000  # each item's response body goes into the report: ~12 MB in all
ATTEMPTS = 8

SERVER = {
    "format": "cors-scenario/1",
    "request": {"url": f"{API}/big"},
    "server": [
        {
            "method": "GET",
            "url": f"{API}/big",
            "status": 200,
            "headers": [["Access-Control-Allow-Origin", "*"], ["Content-Type", "text/plain"]],
            "body": BODY,
        }
    ],
}


@pytest.fixture(scope="module")
def server() -> Iterator[ScenarioServer]:
    with serve_in_thread(scenario_from_dict(SERVER)) as live:
        yield live


def _main_py(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), *args]


def _temporaries(target: Path) -> list[str]:
    """The temporary files of writes of ``target`` (``.NAME.<pid>.<random>.tmp``)."""
    return [
        name
        for name in os.listdir(target.parent)
        if name.startswith(f".{target.name}.") and name.endswith(".tmp")
    ]


def _stat(target: Path) -> tuple[int, int, int] | None:
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def _kill_mid_write(argv: list[str], target: Path) -> bool:
    """Run ``argv`` and SIGKILL it as soon as it starts writing ``target``; True when the
    kill landed mid-write (the writer's temporary file is left behind)."""
    before = _stat(target)
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if _temporaries(target) or _stat(target) != before:
                process.kill()
                break
            time.sleep(0.0005)
    finally:
        process.kill()
        process.wait(timeout=10)  # reaped: its pid no longer names a live process
    return bool(_temporaries(target))


def _collection(tmp_path: Path, server: ScenarioServer) -> Path:
    item = {
        "request": {"url": f"{server.base_url}/big", "origin": APP},
        "expect": {"allowed": True},
    }
    items = [dict(item, name=f"big {n}") for n in range(ITEMS)]
    path = tmp_path / "big.json"
    collection = {"format": "cors-collection/1", "folders": [{"name": "f", "items": items}]}
    path.write_text(json.dumps(collection))
    return path


def _whole_report(text: str) -> bool:
    try:
        report = json.loads(text)
    except ValueError:
        return False
    return len(report) == ITEMS and all(r["verdict"]["allowed"] for r in report)


def test_a_run_killed_while_writing_its_report_leaves_the_previous_report_whole(
    tmp_path: Path, server: ScenarioServer
) -> None:
    collection = _collection(tmp_path, server)
    report = tmp_path / "report.json"
    argv = _main_py("run", str(collection), "--concurrency", "4", "--json", str(report))
    first = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert first.returncode == 0, first.stderr
    previous = report.read_bytes()
    assert _whole_report(previous.decode())
    landed = 0
    for _ in range(ATTEMPTS):
        before = report.read_bytes()
        if _kill_mid_write(argv, report):
            landed += 1
            assert report.read_bytes() == before  # the previous report, byte for byte
            break
        assert _whole_report(report.read_text())  # too late: the new report, whole
    assert landed == 1, f"no kill landed mid-write in {ATTEMPTS} attempts"
    assert _temporaries(report)  # what the killed writer left
    again = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert _whole_report(report.read_text())
    assert _temporaries(report) == []  # the next write removed it


def test_a_collection_save_killed_mid_write_leaves_no_stray_file_after_the_next_save(
    tmp_path: Path,
) -> None:
    output = tmp_path / "saved.json"
    big = {"name": "big", "request": {"url": f"{API}/x", "origin": APP}, "notes": "n" * 8_000_000}
    output.write_text(
        json.dumps({"format": "cors-collection/1", "folders": [{"name": "f", "items": [big]}]})
    )
    curl = tmp_path / "one.curl"
    curl.write_text(f"curl '{API}/one' -H 'Origin: {APP}'\n")
    argv = _main_py("import", str(curl), "-o", str(output))
    landed = False
    for _ in range(ATTEMPTS):
        before = output.read_bytes()
        landed = _kill_mid_write(argv, output)
        json.loads(output.read_bytes())  # whole, whichever way the kill fell
        if landed:
            assert output.read_bytes() == before
            break
    assert landed, f"no kill landed mid-write in {ATTEMPTS} attempts"
    saved = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert saved.returncode == 0, saved.stderr
    assert _temporaries(output) == []
    folders = json.loads(output.read_text())["folders"]
    assert [folder["name"] for folder in folders] == ["f", "one"]
    assert folders[1]["items"][-1]["name"] == "GET /one"


def test_the_next_write_removes_only_dead_writers_temporary_files(tmp_path: Path) -> None:
    from corsinspector.formats.atomic import write_text_atomic

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # reaped: its pid names no process now
    target = tmp_path / "report.json"
    stale = tmp_path / f".report.json.{dead.pid}.k1ll3d_.tmp"
    live = tmp_path / f".report.json.{os.getpid()}.wr1t1ng.tmp"  # a writer still at work
    other = tmp_path / f".report.json.bak.{dead.pid}.x.tmp"  # another file's write
    for path in (stale, live, other):
        path.write_text("partial")
    write_text_atomic(target, "whole\n")
    assert target.read_text() == "whole\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, live.name, other.name]
    )
