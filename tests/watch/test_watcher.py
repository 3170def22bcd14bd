"""The Watcher (watch/watcher.py) with real browsers on real loopback servers: the embedded
Chromium and /usr/bin/chromium each watch tests/watchapp.py's page, capture every request it
makes, and both the browser's verdict and our engine's match the app's expected one; a page
that does not load says why; a page never idle is bounded; a 10,000-request page stays
capped in rows and memory; a browser killed mid-session is seen, its rows kept, nothing left
running; a browser we only attached to is left running."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytest

from corsinspector.app.tasks import TaskSet
from corsinspector.errors import InputError, WatchError
from corsinspector.model import Request, Route, Scenario
from corsinspector.watch.capture import Session, Watched
from corsinspector.watch.cdp import connect
from corsinspector.watch.chrome import launch_chrome
from corsinspector.watch.judge import agrees, judge_watched
from corsinspector.watch.watcher import BrowserChoice, Watcher, parse_browser
from corsinspector.wire.server import ScenarioServer
from tests.watch.test_chrome import CHROMIUM, needs_chromium, running_with
from tests.watchapp import Expected, WatchApp

BROWSERS = [
    pytest.param("embedded", id="embedded"),
    pytest.param(f"chrome={CHROMIUM}", id="chromium", marks=needs_chromium),
]


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A started Chrome's throw-away profile goes here (to see what runs with it)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("embedded", BrowserChoice("embedded")),
        ("chrome", BrowserChoice("chrome")),
        ("chrome=/opt/c d/chrome", BrowserChoice("chrome", path="/opt/c d/chrome")),
        ("cdp=127.0.0.1:9222", BrowserChoice("cdp", address="127.0.0.1:9222")),
        ("cdp=[::1]:9222", BrowserChoice("cdp", address="[::1]:9222")),
    ],
)
def test_browser_choices(text: str, choice: BrowserChoice) -> None:
    assert parse_browser(text) == choice
    assert parse_browser(str(choice)) == choice


@pytest.mark.parametrize("text", ["firefox", "chrome=", "cdp=9222", "cdp=host:", "cdp=h:70000"])
def test_a_bad_browser_names_the_flag(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_browser(text)
    assert caught.value.where == "--browser"
    assert "\n" not in str(caught.value)


def _check_against_the_app(rows: list[Watched], expected: list[Expected]) -> None:
    """Every request the page's script made was captured, in order, and for each the
    browser's verdict and our engine's are the one the app expects."""
    made = [row for row in rows if row.resource in ("Fetch", "XHR")]
    assert [(r.request.method, r.request.url) for r in made] == [
        (e.method, e.url) for e in expected
    ]
    for row, want in zip(made, expected, strict=True):
        assert row.done, row.request.url
        assert (row.browser.allowed, row.browser.kind) == (want.allowed, want.kind), want.url
        ours = judge_watched(row)
        assert ours.allowed == want.allowed, want.url
        if want.kind is not None:
            assert ours.error is not None
            assert ours.error.kind == want.kind, want.url
        assert agrees(row, ours), want.url


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(240)
@pytest.mark.parametrize("browser", BROWSERS)
def test_watching_the_app_page(browser: str, own_tmp: Path) -> None:
    changed: list[str] = []

    async def main() -> None:
        async with WatchApp() as app:
            watcher = Watcher(
                parse_browser(browser),
                on_change=lambda rows: changed.extend(r.id for r in rows),
                quiet=False,
            )
            try:
                await watcher.start(timeout=60)
                assert (watcher.page is not None) is (browser == "embedded")
                assert await watcher.open(app.page_url, timeout=30) is None
                await watcher.settle(until_idle=True, seconds=30)
                assert watcher.idle()
                _check_against_the_app(watcher.session.requests(), app.expected)
                assert set(changed) == {row.id for row in watcher.session.requests()}

                # a URL that refuses the connection: open says so, the watch goes on
                why = await watcher.open(app.refused_url, timeout=30)
                assert why == f"{app.refused_url} did not load: net::ERR_CONNECTION_REFUSED"

                # a page that never goes idle: until_idle is bounded by seconds
                assert await watcher.open(app.busy_page_url, timeout=30) is None
                before = len(watcher.session)
                started = time.monotonic()
                await watcher.settle(until_idle=True, seconds=2.5)
                waited = time.monotonic() - started
                assert 2.5 <= waited < 4
                assert not watcher.idle()
                assert len(watcher.session) >= before + 5  # one every 300 ms
                assert watcher.closed is None
            finally:
                await watcher.aclose()

    asyncio.run(main())
    assert not running_with(str(own_tmp))
    assert list(own_tmp.iterdir()) == []


def _vm_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


_MANY = 10_000
_MANY_SCRIPT = """
(async () => {
  let next = 0;
  async function worker() {
    while (next < %d) {
      const i = next++;
      try { await (await fetch('%s/n' + i)).text(); } catch (e) {}
    }
  }
  await Promise.all(Array.from({length: 16}, worker));
  document.title = 'done';
})();
"""


@pytest.mark.integration
@pytest.mark.browser
@needs_chromium
@pytest.mark.timeout(420)
def test_ten_thousand_requests_stay_capped_in_rows_and_memory(own_tmp: Path) -> None:
    rss: dict[str, float] = {}

    async def main() -> Session:
        api = Scenario(
            "api",
            Request("http://api.test/"),
            (Route("*", None, 204, (("Access-Control-Allow-Origin", "*"),)),),
        )
        async with ScenarioServer(api, keep_log=False) as api_server:
            script = _MANY_SCRIPT % (_MANY, api_server.base_url)
            page = f'<title>many</title><link rel="icon" href="data:,"><script>{script}</script>'
            front = Scenario("front", Request("http://front.test/"), (
                Route("GET", "/many.html", 200, (("Content-Type", "text/html"),), page),
            ))  # fmt: skip
            async with ScenarioServer(front) as front_server:
                session = Session(cap=5000)

                def on_change(rows: list[Watched]) -> None:
                    if "capped" not in rss and session.dropped:
                        rss["capped"] = _vm_rss_mib()  # the first row dropped: the cap reached

                watcher = Watcher(
                    parse_browser(f"chrome={CHROMIUM}"), session=session, on_change=on_change
                )
                try:
                    await watcher.start(timeout=60)
                    rss["start"] = _vm_rss_mib()
                    assert await watcher.open(f"{front_server.base_url}/many.html") is None
                    await watcher.settle(until_idle=True, seconds=300)
                    rss["end"] = _vm_rss_mib()
                finally:
                    await watcher.aclose()
                return session

    session = asyncio.run(main())
    rows = session.requests()
    assert len(rows) == 5000
    assert session.dropped + len(rows) == _MANY + 1  # every fetch and the document
    assert rows[-1].seq == _MANY  # the newest kept, the oldest dropped
    assert all(row.done for row in rows)
    sys.stdout.write(f"RSS MiB (this process): {rss}\n")  # pytest -rA shows it
    # the first 5,000 rows cost ~45 MiB here; the next 5,000 (the oldest dropped) far less
    assert rss["end"] - rss["capped"] < 25, rss
    assert not running_with(str(own_tmp))


def _browser_processes(profile_parent: Path) -> list[int]:
    """The browser's own process (not its renderers, GPU and other helpers)."""
    return [
        pid
        for pid in running_with(str(profile_parent))
        if "--type=" not in Path(f"/proc/{pid}/cmdline").read_text()
    ]


@pytest.mark.integration
@pytest.mark.browser
@needs_chromium
def test_a_browser_killed_mid_session_is_seen_and_its_rows_kept(own_tmp: Path) -> None:
    async def main() -> None:
        async with WatchApp() as app:
            watcher = Watcher(parse_browser(f"chrome={CHROMIUM}"))
            try:
                await watcher.start(timeout=60)
                assert await watcher.open(app.busy_page_url) is None
                await watcher.settle(seconds=1.5)
                kept = watcher.session.requests()
                assert len(kept) >= 3
                for pid in _browser_processes(own_tmp):
                    os.kill(pid, signal.SIGKILL)  # the browser itself, as a crash would
                started = time.monotonic()
                await watcher.settle(seconds=30)
                assert time.monotonic() - started < 5
                assert watcher.closed == "the browser closed: its process was ended by SIGKILL"
                assert [row.id for row in watcher.session.requests()[: len(kept)]] == [
                    row.id for row in kept
                ]
                assert await watcher.open(app.page_url) == watcher.closed
            finally:
                await watcher.aclose()

    asyncio.run(main())
    assert not running_with(str(own_tmp))
    assert list(own_tmp.iterdir()) == []


@pytest.mark.integration
@pytest.mark.browser
@needs_chromium
def test_attaching_to_a_listening_browser_leaves_it_running(own_tmp: Path) -> None:
    async def main() -> None:
        chrome = await launch_chrome(CHROMIUM, timeout=30)
        try:
            async with WatchApp() as app:
                address = chrome.ws_url.split("/")[2]
                watcher = Watcher(parse_browser(f"cdp={address}"))
                try:
                    await watcher.start(timeout=30)
                    assert watcher.version == chrome.version
                    assert await watcher.open(app.allowed_page_url) is None
                    await watcher.settle(until_idle=True, seconds=20)
                    _check_against_the_app(watcher.session.requests(), app.expected_allowed)
                finally:
                    await watcher.aclose()
            assert chrome.exit_reason() is None  # not ours to stop
            conn = await connect(chrome.ws_url, 5)
            targets = (await conn.send("Target.getTargets"))["targetInfos"]
            await conn.aclose()
            assert app.front_origin not in str(targets)  # the tab we opened is closed again
        finally:
            await chrome.aclose()

    asyncio.run(main())
    assert not running_with(str(own_tmp))


@pytest.mark.integration
@pytest.mark.browser
@needs_chromium
def test_a_cancelled_watch_leaves_no_browser(own_tmp: Path) -> None:
    async def watch(app: WatchApp, started: asyncio.Event) -> None:
        watcher = Watcher(parse_browser(f"chrome={CHROMIUM}"))
        try:
            await watcher.start(timeout=60)
            await watcher.open(app.busy_page_url)
            started.set()
            await watcher.settle(seconds=60)
        finally:
            await watcher.aclose()

    async def main() -> None:
        async with WatchApp() as app:
            started = asyncio.Event()
            task = asyncio.get_running_loop().create_task(watch(app, started))
            await asyncio.wait_for(started.wait(), 60)
            assert running_with(str(own_tmp))
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    assert not running_with(str(own_tmp))
    assert list(own_tmp.iterdir()) == []


@pytest.mark.integration
@pytest.mark.browser
def test_a_persistent_embedded_profile_keeps_a_login(tmp_path: Path) -> None:
    html = (("Content-Type", "text/html"),)
    site = Scenario("site", Request("http://site.test/"), (
        Route("GET", "/login", 200, (*html, ("Set-Cookie", "sid=s3cret; Max-Age=3600")), "in"),
        Route("GET", "/", 200, html, "home"),
    ))  # fmt: skip

    async def visit(url: str, profile: Path | None) -> Watched:
        watcher = Watcher(parse_browser("embedded"), profile=profile, quiet=False)
        try:
            await watcher.start(timeout=60)
            assert await watcher.open(url) is None
            await watcher.settle(until_idle=True, seconds=10)
            return next(r for r in watcher.session.requests() if r.request.url == url)
        finally:
            await watcher.aclose()

    async def main(profile: Path | None) -> list[str]:
        async with ScenarioServer(site) as server:
            await visit(f"{server.base_url}/login", profile)
            home = await visit(f"{server.base_url}/", profile)
            return [value for name, value in home.hops[0].request.headers if name == "Cookie"]

    assert asyncio.run(main(tmp_path / "profile")) == ["sid=s3cret"]
    assert (tmp_path / "profile" / "Cookies").is_file()  # on disk: it survives a restart too
    assert asyncio.run(main(None)) == []  # off the record: nothing kept between watches


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.parametrize("browser", BROWSERS)
def test_requests_of_workers_and_cross_site_frames_are_captured(browser: str) -> None:
    """A dedicated worker and a cross-site iframe (its own process: its own DevTools
    target) each fetch cross-origin; the watch attaches to both and captures their fetches."""
    allow_all = (("Access-Control-Allow-Origin", "*"), ("Content-Type", "text/plain"))

    async def main() -> list[Watched]:
        api = Scenario("api", Request("http://api.test/"), (
            Route("GET", "/frame.html", 200, (("Content-Type", "text/html"),), "frame"),
            Route("*", None, 200, allow_all, "ok"),
        ))  # fmt: skip
        async with ScenarioServer(api) as api_server:
            frame_url = api_server.base_url.replace("127.0.0.1", "localhost") + "/frame.html"
            api_server.scenario = replace(api, server=(
                Route("GET", "/frame.html", 200, (("Content-Type", "text/html"),),
                      f"<script>fetch('{api_server.base_url}/from-frame')</script>"),
                *api.server[1:],
            ))  # fmt: skip
            site = Scenario("site", Request("http://site.test/"), (
                Route("GET", "/page.html", 200, (("Content-Type", "text/html"),),
                      "<link rel=icon href='data:,'><script>new Worker('/worker.js')</script>"
                      f"<iframe src='{frame_url}'></iframe>"),
                Route("GET", "/worker.js", 200, (("Content-Type", "text/javascript"),),
                      f"fetch('{api_server.base_url}/from-worker')"),
            ))  # fmt: skip
            async with ScenarioServer(site) as site_server:
                watcher = Watcher(parse_browser(browser), quiet=False)
                try:
                    await watcher.start(timeout=60)
                    assert await watcher.open(f"{site_server.base_url}/page.html") is None
                    await watcher.settle(until_idle=True, seconds=20)
                    rows = watcher.session.requests()
                finally:
                    await watcher.aclose()
                fetched = {
                    r.request.url.rsplit("/", 1)[1]: r for r in rows if r.resource == "Fetch"
                }
                assert fetched["from-worker"].request.origin == site_server.base_url
                assert fetched["from-frame"].request.origin == frame_url.rsplit("/", 1)[0]
                return list(fetched.values())

    for row in asyncio.run(main()):
        assert row.cross_origin
        assert row.browser.allowed is True
        assert judge_watched(row).allowed is True


def test_checking_an_explicit_chrome_keeps_the_loop_ticking(tmp_path: Path) -> None:
    """``chrome=PATH``'s ``PATH --version`` (here 1.5 s) runs off the event loop: a 10 ms
    ticker keeps ticking meanwhile; a PATH that never answers fails by start's deadline."""
    slow = tmp_path / "chrome"
    slow.write_text("#!/bin/sh\nsleep 1.5\nexit 0\n")  # answers, then is no browser
    slow.chmod(0o755)
    hanging = tmp_path / "hanging"
    hanging.write_text("#!/bin/sh\nsleep 60\n")
    hanging.chmod(0o755)

    async def ticking(path: Path, seconds: float) -> tuple[str, int, float, float]:
        ticks = 0
        worst = 0.0

        async def ticker() -> None:
            nonlocal ticks, worst
            last = time.monotonic()
            while True:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                worst, last = max(worst, now - last), now
                ticks += 1

        tasks = TaskSet()
        task = tasks.start(ticker(), name="ticker")
        watcher = Watcher(BrowserChoice("chrome", path=str(path)))
        started = time.monotonic()
        try:
            with pytest.raises(WatchError) as caught:
                await watcher.start(timeout=seconds)
        finally:
            took = time.monotonic() - started
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        return str(caught.value), ticks, worst, took

    why, ticks, worst, took = asyncio.run(ticking(slow, 10))
    assert took >= 1.5
    assert ticks >= 60  # ~150 at 10 ms; a blocked loop would count one
    assert worst < 0.5
    assert "ended before DevTools listened" in why  # it ran --version, then was started
    why, ticks, worst, took = asyncio.run(ticking(hanging, 1))
    assert took < 4
    assert "no answer to --version within 1 s" in why
    assert worst < 0.5
