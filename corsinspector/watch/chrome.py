"""The user's Chrome, Chromium or Edge: found on PATH or where installers put it, started with
a throw-away profile and DevTools on a free port, and always stopped (its whole process group).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from corsinspector.errors import WatchError
from corsinspector.watch.cdp import browser_endpoint

__all__ = [
    "COMMON_FLAGS",
    "HEADLESS_FLAGS",
    "PATH_NAMES",
    "VERSION_TIMEOUT",
    "Chrome",
    "devtools_url",
    "find_chrome",
    "install_places",
    "launch_chrome",
]

#: Names looked up on PATH, in this order.
PATH_NAMES = (
    "google-chrome",
    "google-chrome-stable",
    "chromium",
    "chromium-browser",
    "microsoft-edge",
)

#: Quiet and self-contained: no first-run, no background traffic, no field trials, no QUIC.
COMMON_FLAGS = (
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-field-trial-config",
    "--disable-quic",
)
HEADLESS_FLAGS = ("--headless", "--disable-gpu")

_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


def install_places() -> list[Path]:
    """Where Chrome, Chromium and Edge installers put the browser, on this system."""
    if sys.platform == "darwin":
        apps = [Path("/Applications"), Path.home() / "Applications"]
        names = [
            "Google Chrome.app/Contents/MacOS/Google Chrome",
            "Chromium.app/Contents/MacOS/Chromium",
            "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
        ]
        return [app / name for app in apps for name in names]
    if sys.platform == "win32":
        roots = [os.environ.get(v) for v in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        names = [
            r"Google\Chrome\Application\chrome.exe",
            r"Chromium\Application\chrome.exe",
            r"Microsoft\Edge\Application\msedge.exe",
        ]
        return [Path(root) / name for root in roots if root for name in names]
    return [
        Path("/opt/google/chrome/chrome"),
        Path("/usr/bin/google-chrome"),
        Path("/usr/bin/chromium"),
        Path("/usr/lib/chromium/chromium"),
        Path("/snap/bin/chromium"),
        Path("/opt/microsoft/msedge/msedge"),
    ]


#: How long ``PATH --version`` may take to show that ``PATH`` runs.
VERSION_TIMEOUT = 15.0


def _runs(path: str, timeout: float = VERSION_TIMEOUT) -> str | None:
    """Why ``path`` is not a browser that runs (None: it runs): ``--version`` within
    ``timeout`` s, its whole process group killed past that (a wrapper script's children too)."""
    if not os.path.isfile(path):
        return "no such file"
    if not os.access(path, os.X_OK):
        return "not executable"
    if sys.platform == "win32":  # chrome.exe --version opens a window there
        return None
    try:
        process = subprocess.Popen(
            [path, "--version"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as error:
        return f"it did not run ({error.strerror or type(error).__name__})"
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return f"it did not run (no answer to --version within {timeout:g} s)"
    return None if code == 0 else f"it did not run (--version exited {code})"


def find_chrome(
    path: str | None = None,
    *,
    search_path: str | None = None,
    places: Sequence[Path] | None = None,
    timeout: float = VERSION_TIMEOUT,
) -> str:
    """The browser to start: ``path`` when given (it must exist and run), else the first of
    :data:`PATH_NAMES` on ``search_path`` (default ``$PATH``), else the first of ``places``
    (default :func:`install_places`) that exists. :class:`WatchError` says where it looked.
    Blocking (``path --version`` may take ``timeout`` s): async callers run it in a thread."""
    if path is not None:
        why = _runs(path, timeout)
        if why is not None:
            raise WatchError(f"--browser chrome={path}: {why}")
        return path
    search = os.environ.get("PATH", "") if search_path is None else search_path
    for name in PATH_NAMES:
        found = shutil.which(name, path=search)
        if found:
            return found
    candidates = install_places() if places is None else list(places)
    for place in candidates:
        if place.is_file() and os.access(place, os.X_OK):
            return str(place)
    where = ", ".join(str(place) for place in candidates) or "nowhere else"
    raise WatchError(
        f"no Chrome, Chromium or Edge found: looked on PATH for {', '.join(PATH_NAMES)}, "
        f"then in {where}; name one with --browser chrome=PATH"
    )


class Chrome:
    """A browser we started: its DevTools websocket (``ws_url``), ``version`` and process."""

    def __init__(self, path: str, process: subprocess.Popen[bytes], profile: Path) -> None:
        self.path = path
        self.process = process
        self.profile = profile
        self.ws_url = ""
        self.version = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    def exit_reason(self) -> str | None:
        """How the process ended (None while it runs)."""
        code = self.process.poll()
        if code is None:
            return None
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"its process was ended by {signal.Signals(-code).name}"
        return f"its process exited with status {code}"

    def _signal(self, number: int) -> None:
        """Send ``number`` to the browser's whole process group (its renderers too)."""
        if sys.platform == "win32":  # no process groups: Chrome's children follow their parent
            with contextlib.suppress(OSError):
                self.process.kill()
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, number)

    def kill_now(self) -> None:
        """Kill at once, without waiting (for a path that cannot wait: cancellation)."""
        self._signal(signal.SIGKILL if sys.platform != "win32" else signal.SIGTERM)

    async def aclose(self, grace: float = 5.0) -> None:
        """Ask the browser to end, kill it after ``grace`` seconds, remove its profile."""
        try:
            if self.process.poll() is None:
                self._signal(signal.SIGTERM)
                await _wait(self.process, grace)
        finally:
            self.kill_now()  # the leader gone, its children may not be
            await _wait(self.process, 5.0)
            shutil.rmtree(self.profile, ignore_errors=True)


async def _wait(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Poll until ``process`` ends (True) or ``seconds`` pass (False); any event loop."""
    deadline = time.monotonic() + seconds
    while process.poll() is None:
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


async def launch_chrome(
    path: str,
    *,
    headless: bool = True,
    timeout: float = 30.0,  # noqa: ASYNC109 - docs/watch.md's interface
    extra_flags: Sequence[str] = (),
) -> Chrome:
    """Start the browser at ``path`` with a throw-away profile and DevTools on a free port;
    return once DevTools answers. Fails (and leaves nothing running) within ``timeout`` s.
    ``extra_flags`` go on the command line before the first page (e.g. host resolver rules)."""
    profile = Path(tempfile.mkdtemp(prefix="corsinspector-chrome-"))
    log_path = profile.parent / f"{profile.name}.stderr"
    command = [path, f"--user-data-dir={profile}", "--remote-debugging-port=0", *COMMON_FLAGS]
    if headless:
        command += HEADLESS_FLAGS
    if _is_root():
        command.append("--no-sandbox")  # Chrome refuses to run as root with its sandbox
    command += extra_flags
    command.append("about:blank")
    try:
        # stderr to a file, not a pipe: nothing to drain, never blocks; starting is quick
        with open(log_path, "wb") as log:  # noqa: ASYNC230
            process = subprocess.Popen(  # noqa: ASYNC220
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=sys.platform != "win32",
            )
    except OSError as error:
        shutil.rmtree(profile, ignore_errors=True)
        log_path.unlink(missing_ok=True)
        raise WatchError(f"{path} would not start: {error.strerror or error}") from None
    return await _started(Chrome(path, process, profile), log_path, timeout)


async def _started(chrome: Chrome, log_path: Path, seconds: float) -> Chrome:
    """``chrome`` once DevTools answers; killed (profile removed) on any failure."""
    try:
        deadline = time.monotonic() + seconds
        chrome.ws_url = await devtools_url(chrome, log_path, deadline)
        address = chrome.ws_url.split("/")[2]
        _, product = await browser_endpoint(address, max(deadline - time.monotonic(), 1.0))
        chrome.version = product
        return chrome
    except BaseException:
        chrome.kill_now()  # at once: a cancelled caller cannot be relied on to wait
        await asyncio.shield(chrome.aclose(grace=0))
        raise
    finally:
        log_path.unlink(missing_ok=True)  # noqa: ASYNC240 - a local file


async def devtools_url(chrome: Chrome, log_path: Path, deadline: float) -> str:
    """The ``ws://`` URL Chrome prints on stderr once DevTools listens."""
    text = ""
    while time.monotonic() < deadline:
        text = log_path.read_text(encoding="utf-8", errors="replace")  # noqa: ASYNC240
        match = _LISTENING.search(text)
        if match:
            return match.group(1)
        reason = chrome.exit_reason()
        if reason is not None:
            last = next((line for line in reversed(text.splitlines()) if line.strip()), "")
            raise WatchError(
                f"{chrome.path} ended before DevTools listened: {reason}"
                + (f" ({last.strip()[:200]})" if last else "")
            )
        await asyncio.sleep(0.05)
    raise WatchError("the browser's DevTools did not start listening in time")
