"""Finding and starting the user's Chrome (watch/chrome.py): where it is looked for, one line
when it is not found, and a started browser never left running (closed, failed, timed out or
cancelled), its throw-away profile removed."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

import pytest

from corsinspector.errors import WatchError
from corsinspector.watch.chrome import PATH_NAMES, find_chrome, launch_chrome

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no /usr/bin/chromium")


def running_with(text: str) -> list[int]:
    """Processes (not zombies) whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in command and state != "Z":
            found.append(int(entry.name))
    return found


def _script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Throw-away profiles go under this test's folder (to see them, and what uses them)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_an_explicit_path_must_exist_and_be_executable(tmp_path: Path) -> None:
    with pytest.raises(WatchError, match=r"^--browser chrome=/nowhere/chrome: no such file$"):
        find_chrome("/nowhere/chrome")
    plain = tmp_path / "chrome"
    plain.write_text("")
    with pytest.raises(WatchError, match="not executable"):
        find_chrome(str(plain))
    failing = _script(tmp_path, "failing", "exit 1")
    with pytest.raises(WatchError, match="did not run"):
        find_chrome(str(failing))


def test_a_path_that_never_answers_version_is_refused_by_its_deadline(tmp_path: Path) -> None:
    """A wrapper script whose child hangs: refused once the deadline passes, the whole
    process group killed (no child left holding on)."""
    marker = f"sleep 30.{time.monotonic_ns() % 10**9:09d}"  # the child's own command line
    hanging = _script(tmp_path, "chrome", f"{marker}\nexit 0")
    started = time.monotonic()
    with pytest.raises(WatchError, match=r"no answer to --version within 1 s\)$"):
        find_chrome(str(hanging), timeout=1)
    assert time.monotonic() - started < 5
    for _ in range(40):  # the killed child is reaped by init a moment later
        if not running_with(marker) and not running_with(str(hanging)):
            break
        time.sleep(0.05)
    assert running_with(marker) == []
    assert running_with(str(hanging)) == []


def test_path_is_searched_in_order_then_the_install_places(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    second = _script(bin_dir, "chromium-browser", "exit 0")
    assert find_chrome(search_path=str(bin_dir), places=[]) == str(second)
    first = _script(bin_dir, "google-chrome", "exit 0")
    assert find_chrome(search_path=str(bin_dir), places=[]) == str(first)
    place = _script(tmp_path, "Google Chrome", "exit 0")
    assert find_chrome(search_path="", places=[tmp_path / "absent", place]) == str(place)


def test_nothing_found_is_one_line_naming_where_it_looked(tmp_path: Path) -> None:
    places = [tmp_path / "a" / "chrome", tmp_path / "b" / "msedge"]
    with pytest.raises(WatchError) as caught:
        find_chrome(search_path=str(tmp_path), places=places)
    message = str(caught.value)
    assert "\n" not in message
    assert all(name in message for name in PATH_NAMES)
    assert all(str(place) in message for place in places)
    assert "--browser chrome=PATH" in message


@needs_chromium
def test_the_default_search_finds_the_installed_chromium() -> None:
    found = find_chrome()
    assert os.path.realpath(found) == os.path.realpath(shutil.which("chromium") or CHROMIUM)


@pytest.mark.integration
@pytest.mark.browser
@needs_chromium
def test_a_started_chromium_answers_and_leaves_nothing_after_aclose(own_tmp: Path) -> None:
    async def main() -> None:
        chrome = await launch_chrome(CHROMIUM, headless=True, timeout=30)
        assert chrome.ws_url.startswith("ws://127.0.0.1:")
        assert chrome.version.startswith("Chrome/156.")
        assert chrome.profile.is_dir()
        assert chrome.profile.parent == own_tmp
        assert running_with(str(chrome.profile))  # the browser and its helpers
        started = time.monotonic()
        await chrome.aclose()
        assert time.monotonic() - started < 6
        assert chrome.exit_reason() is not None
        assert not running_with(str(chrome.profile))
        assert not chrome.profile.exists()
        await chrome.aclose()  # twice is harmless

    asyncio.run(main())
    assert list(own_tmp.iterdir()) == []  # no profile and no stderr log left


@pytest.mark.integration
@pytest.mark.browser
@needs_chromium
def test_cancelling_a_launch_kills_the_browser(own_tmp: Path) -> None:
    async def main() -> None:
        launch = asyncio.get_running_loop().create_task(launch_chrome(CHROMIUM, timeout=30))
        for _ in range(4000):  # cancel once the browser process exists (20 s at most)
            if running_with(str(own_tmp)):
                break
            await asyncio.sleep(0.005)
        assert running_with(str(own_tmp))
        launch.cancel()
        with pytest.raises(asyncio.CancelledError):
            await launch

    asyncio.run(main())
    assert not running_with(str(own_tmp))
    assert list(own_tmp.iterdir()) == []


def test_a_browser_that_exits_at_once_says_why(own_tmp: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    broken = _script(bin_dir, "chrome", "echo 'cannot open display' >&2; exit 3")
    with pytest.raises(WatchError) as caught:
        asyncio.run(launch_chrome(str(broken), timeout=10))
    assert str(caught.value) == (
        f"{broken} ended before DevTools listened: its process exited with status 3 "
        "(cannot open display)"
    )
    assert [p.name for p in own_tmp.iterdir()] == ["bin"]


def test_a_browser_that_never_listens_is_killed_at_the_deadline(own_tmp: Path) -> None:
    bin_dir = own_tmp / "bin"
    bin_dir.mkdir()
    # a child that outlives its parent's end, named by this test's folder
    silent = _script(bin_dir, "chrome", f"sh -c 'sleep 60; true' {own_tmp} & wait")
    started = time.monotonic()
    with pytest.raises(WatchError, match="did not start listening in time"):
        asyncio.run(launch_chrome(str(silent), timeout=1))
    assert time.monotonic() - started < 5
    assert not running_with(str(own_tmp))  # the script and its sleep, the whole group
    assert [p.name for p in own_tmp.iterdir()] == ["bin"]
