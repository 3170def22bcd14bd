"""WebKitGTK, live: a sample of the corpus recorded again matches its checked-in truths
(tests/golden/truths-webkit), each scenario has a fresh profile, and no Xvfb, child or
WebKit process outlives a run, whether it ends, is cancelled, or the recorder is interrupted.
Needs root (a private network namespace), Xvfb and Debian's WebKit2GTK."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corsinspector.formats.scenario import load_scenario, load_truth, scenario_from_dict
from corsinspector.model import Scenario
from corsinspector.realbrowser import webkit
from corsinspector.realbrowser.recorder import compare_truths
from corsinspector.realbrowser.webkit import WebKitPlayer, open_player
from tests.golden.corpus import GOLDEN, RECORDER, SCENARIOS, scenario_paths

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TRUTHS = GOLDEN / "truths-webkit"
SAMPLE_SIZE = 20


def sample_names() -> list[str]:
    """Every n-th scenario: a spread over the families (files sort by family prefix)."""
    names = [p.stem for p in scenario_paths()]
    step = max(1, len(names) // SAMPLE_SIZE)
    return names[::step][:SAMPLE_SIZE]


def record(names: list[str], out: Path, scenarios: Path = SCENARIOS) -> subprocess.Popen[str]:
    """The recorder, driving WebKit, as a subprocess."""
    argv = [sys.executable, str(RECORDER), "--browser", "webkit"]
    argv += ["--scenarios", str(scenarios), "--truths", str(out), *names]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _processes() -> dict[int, tuple[int, str]]:
    """Every process: its parent and its name."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    head, tail = stat.read().rsplit(")", 1)
            except OSError:
                continue
            found[int(entry)] = (int(tail.split()[1]), head.split("(", 1)[1])
    return found


def _descendants(roots: set[int]) -> dict[int, str]:
    """Every living process below ``roots`` (and ``roots``), with its name."""
    table = _processes()
    found = {pid: table[pid][1] for pid in roots if pid in table}
    frontier = set(found)
    while frontier:
        frontier = {pid for pid, (parent, _) in table.items() if parent in frontier} - set(found)
        found.update({pid: table[pid][1] for pid in frontier})
    return found


def _wait_gone(pids: dict[int, str], keep: set[str], seconds: float) -> dict[int, str]:
    """Those of ``pids`` still alive after up to ``seconds`` (names in ``keep`` not awaited)."""
    deadline = time.monotonic() + seconds
    while True:
        alive = {pid: name for pid, name in pids.items() if _alive(pid)}
        if set(alive.values()) <= keep or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


@pytest.mark.timeout(300)
def test_a_sample_of_the_corpus_rerecorded_live_matches_its_truths(tmp_path: Path) -> None:
    names = sample_names()
    assert len(names) == SAMPLE_SIZE
    process = record(names, tmp_path)
    try:
        out, err = process.communicate(timeout=280)
    finally:
        if process.poll() is None:  # past the deadline: Ctrl+C, so that it cleans up
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
    assert process.returncode == 0, out[-2000:] + err[-4000:]
    differences = []
    for name in names:
        fresh = load_truth(tmp_path / f"{name}.json")
        assert fresh.browser == "webkit"
        differences += compare_truths(load_truth(TRUTHS / f"{name}.json"), fresh)
    assert differences == [], "\n".join(differences)


def _cached_preflight(name: str) -> Scenario:
    return scenario_from_dict(
        {
            "format": "cors-scenario/1",
            "name": name,
            "request": {"url": "https://api.example.test/cached", "method": "PUT"},
            "server": [
                {
                    "method": "OPTIONS",
                    "status": 204,
                    "headers": [
                        ["Access-Control-Allow-Origin", "https://app.example.test"],
                        ["Access-Control-Allow-Methods", "PUT"],
                        ["Access-Control-Max-Age", "600"],
                    ],
                },
                {
                    "method": "PUT",
                    "status": 200,
                    "headers": [["Access-Control-Allow-Origin", "https://app.example.test"]],
                },
            ],
        }
    )


def _webkit_pids(player: WebKitPlayer) -> dict[int, str]:
    """Xvfb, the child and every WebKit process below them, with their names."""
    return _descendants(set(player.pids))


@pytest.mark.timeout(120)
def test_each_scenario_has_a_fresh_profile_and_nothing_outlives_the_player() -> None:
    async def run() -> tuple[list[list[str]], dict[int, str], Path]:
        player = await open_player()
        folder = Path(player.data_folder)
        started: dict[int, str] = {}
        methods = []
        try:
            for name in ("first", "second"):
                truth = await player.play(_cached_preflight(name), time_limit=10)
                assert truth.allowed, truth
                methods.append([r.method for r in truth.received])
                started |= _webkit_pids(player)
                assert await asyncio.to_thread(folder.is_dir)
        finally:
            await player.aclose()
        return methods, started, folder

    methods, started, folder = asyncio.run(run())
    assert not folder.exists()  # the website data folders went with the player
    assert methods == [["OPTIONS", "PUT"], ["OPTIONS", "PUT"]]  # no preflight cached
    assert {"Xvfb", "python3", "WebKitWebProces", "WebKitNetworkPr"} <= set(started.values())
    assert _wait_gone(started, set(), 5) == {}


@pytest.mark.timeout(120)
def test_a_cancelled_run_leaves_no_webkit_process_and_the_next_run_works() -> None:
    scenario = load_scenario(SCENARIOS / "simple-get-acao-exact.json")

    async def run() -> tuple[dict[int, str], dict[int, str], dict[int, str], bool]:
        player = await open_player()
        try:
            async with asyncio.TaskGroup() as group:
                task = group.create_task(player.play(scenario, time_limit=10))
                deadline = time.monotonic() + 20
                seen: dict[int, str] = {}
                while "WebKitWebProces" not in seen.values() and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                    seen |= _webkit_pids(player)
                task.cancel()
                await asyncio.wait([task])
            assert task.cancelled()
            after_cancel = await asyncio.to_thread(_wait_gone, seen, {"Xvfb"}, 5)
            again = await player.play(scenario, time_limit=10)  # a new child
            seen |= _webkit_pids(player)
        finally:
            await player.aclose()
        return (
            seen,
            after_cancel,
            await asyncio.to_thread(_wait_gone, seen, set(), 5),
            again.allowed,
        )

    seen, after_cancel, after_close, allowed_again = asyncio.run(run())
    assert "WebKitWebProces" in seen.values()
    assert set(after_cancel.values()) <= {"Xvfb"}  # kept for the next run
    assert after_close == {}
    assert allowed_again


@pytest.mark.timeout(120)
def test_an_interrupted_recorder_leaves_nothing_behind(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    names = [f"run-{n}" for n in range(100)]
    for name in names:
        data = json.loads((SCENARIOS / "simple-get-acao-exact.json").read_text())
        (scenarios / f"{name}.json").write_text(json.dumps(dict(data, name=name)))
    process = record(names, tmp_path / "truths", scenarios)
    try:
        deadline = time.monotonic() + 60
        seen: dict[int, str] = {}
        while "WebKitWebProces" not in seen.values() and time.monotonic() < deadline:
            time.sleep(0.05)
            seen |= _descendants({process.pid})
        assert "WebKitWebProces" in seen.values(), "WebKit never started"
        seen |= _descendants({process.pid})
        del seen[process.pid]
        process.send_signal(signal.SIGINT)  # Ctrl+C
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130  # interrupted, not finished: said in one line
    assert err.strip().splitlines()[-1].startswith("interrupted: ")
    assert {"Xvfb", "WebKitWebProces"} <= set(seen.values())
    assert _wait_gone(seen, set(), 5) == {}


@pytest.mark.timeout(60)
def test_a_child_that_cannot_start_is_a_one_line_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "webkit_child.py"
    broken.write_text("raise SystemExit(1)  # as if PyGObject were missing\n")
    monkeypatch.setattr(webkit, "CHILD", broken)
    before = {pid for pid, (_, name) in _processes().items() if name == "Xvfb"}

    async def run() -> str:
        with pytest.raises(webkit.WebKitError) as caught:
            await webkit.open_player()
        return str(caught.value)

    message = asyncio.run(run())
    assert message.startswith("the WebKit child ended unexpectedly (needs /usr/bin/python3")
    assert "\n" not in message
    new_xvfb = {p: n for p, (_, n) in _processes().items() if n == "Xvfb" and p not in before}
    assert _wait_gone(new_xvfb, set(), 5) == {}
