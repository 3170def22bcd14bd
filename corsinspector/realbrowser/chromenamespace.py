"""Chromium started inside a :class:`~corsinspector.wire.hostmap.HostNamespace`, its DevTools
reached through a socket made inside: a browser that connects to the addresses the namespace's
loopback holds (``192.168.1.20``, ``203.0.113.5``), so Local Network Access sees a page or a
server where a scenario's ``resolve`` places it. Nothing it sends leaves the namespace.

``nsenter`` enters the namespace and runs the browser in its place (no fork): the process
started is the browser, leader of its own process group, killed with it as
:class:`~corsinspector.watch.chrome.Chrome` kills it.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import WebSocketException

from corsinspector.errors import WatchError
from corsinspector.watch.cdp import MAX_MESSAGE, CdpConnection, EventCallback
from corsinspector.watch.chrome import COMMON_FLAGS, HEADLESS_FLAGS, Chrome, devtools_url
from corsinspector.wire.hostmap import HostNamespace

__all__ = ["connect_inside", "launch_chrome_inside"]

_PORT = re.compile(r"ws://127\.0\.0\.1:(\d+)/")


async def launch_chrome_inside(
    namespace: HostNamespace,
    path: str,
    *,
    extra_flags: Sequence[str] = (),
    wait: float = 30.0,
) -> Chrome:
    """Start the browser at ``path`` inside ``namespace`` (headless, a throw-away profile,
    DevTools on a free port of the namespace's loopback); return once it listens. Fails,
    leaving nothing running, within ``wait`` seconds."""
    profile = Path(tempfile.mkdtemp(prefix="corsinspector-chrome-"))
    log_path = profile.parent / f"{profile.name}.stderr"
    argv = [path, f"--user-data-dir={profile}", "--remote-debugging-port=0", *COMMON_FLAGS]
    argv += [*HEADLESS_FLAGS, "--no-sandbox", *extra_flags, "about:blank"]  # root: no sandbox
    try:
        with open(log_path, "wb") as log:  # noqa: ASYNC230 - a local file, opened at once
            process = subprocess.Popen(  # noqa: ASYNC220 - starting is quick
                namespace.command(argv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
    except OSError as error:
        shutil.rmtree(profile, ignore_errors=True)
        log_path.unlink(missing_ok=True)
        raise WatchError(f"{path} would not start: {error.strerror or error}") from None
    chrome = Chrome(path, process, profile)
    try:
        chrome.ws_url = await devtools_url(chrome, log_path, time.monotonic() + wait)
        return chrome
    except BaseException:
        chrome.kill_now()
        await asyncio.shield(chrome.aclose(grace=0))
        raise
    finally:
        log_path.unlink(missing_ok=True)


async def connect_inside(
    namespace: HostNamespace,
    chrome: Chrome,
    *,
    on_event: EventCallback | None = None,
    wait: float = 10.0,
) -> CdpConnection:
    """The DevTools connection of ``chrome`` (started by :func:`launch_chrome_inside`);
    ``chrome.version`` is set from ``Browser.getVersion`` (``Chrome/156.0…``)."""
    match = _PORT.match(chrome.ws_url)
    if match is None:
        raise WatchError(f"not a DevTools address inside the namespace: {chrome.ws_url}")
    try:
        sock = await namespace.connect("127.0.0.1", int(match.group(1)), wait=wait)
    except OSError as error:
        raise WatchError(f"could not reach DevTools at {chrome.ws_url}: {error}") from None
    try:
        socket = await asyncio.wait_for(
            ws_connect(
                chrome.ws_url,
                sock=sock,
                max_size=MAX_MESSAGE,
                proxy=None,
                compression=None,
                ping_interval=None,
                open_timeout=wait,
            ),
            wait,
        )
    except (OSError, TimeoutError, WebSocketException) as error:
        sock.close()
        reason = str(error) or type(error).__name__
        raise WatchError(f"could not open DevTools at {chrome.ws_url}: {reason}") from None
    cdp = CdpConnection(socket, on_event)
    try:
        chrome.version = str((await cdp.send("Browser.getVersion", {})).get("product", ""))
    except BaseException:
        await asyncio.shield(cdp.aclose())
        raise
    return cdp
