"""``main.py watch`` as a user runs it, against the test app (tests/watchapp.py) in embedded
Chromium and in Debian's chromium: a line per cross-origin request in the order the page made
them, the browser and the engine agreeing, exit 1 for a page with blocked requests and 0 for
one without; --json, --junit and --har (read back by ``import``); a page that does not load
(exit 3) and bad flags (exit 2), each one line; --seconds bounding a page never idle."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from corsinspector.formats.collection import load_collection
from tests.commandline import main_py
from tests.watchapp import Expected, WatchApp, watch_app_in_thread

CHROMIUM = "/usr/bin/chromium"
BROWSERS = [
    pytest.param("embedded", id="embedded"),
    pytest.param(
        f"chrome={CHROMIUM}",
        id="chromium",
        marks=pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="scripts/setup-browsers"),
    ),
]
_STATES = ("ALLOWED", "BLOCKED", "FAILED", "PENDING")


@pytest.fixture(scope="module")
def app() -> Iterator[WatchApp]:
    with watch_app_in_thread() as served:
        yield served


def _cross_origin(app: WatchApp, expected: list[Expected]) -> list[Expected]:
    return [e for e in expected if not e.url.startswith(app.front_origin + "/")]


def _request_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(_STATES)]


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(180)
@pytest.mark.parametrize("browser", BROWSERS)
def test_watch_prints_each_request_and_writes_junit_and_har(
    app: WatchApp, browser: str, tmp_path: Path
) -> None:
    junit, har = tmp_path / "watch.xml", tmp_path / "watch.har"
    out = main_py("watch", app.page_url, "--browser", browser, "--junit", str(junit),
                  "--har", str(har), timeout=150)  # fmt: skip
    assert out.returncode == 1, out.stderr  # the app has blocked requests
    expected = _cross_origin(app, app.expected)
    lines = _request_lines(out.stdout)
    assert [line.split()[1:3] for line in lines] == [[e.method, e.url] for e in expected]
    for line, want in zip(lines, expected, strict=True):
        state = "ALLOWED" if want.allowed else "BLOCKED" if want.kind else "FAILED"
        assert line == f"{state:8}{want.method} {want.url} (from {app.front_origin})"
    assert "DISAGREEMENT" not in out.stdout
    assert "disagree" not in out.stderr
    blocked = sum(e.kind is not None for e in expected)
    failed = sum(not e.allowed and e.kind is None for e in expected)
    assert out.stdout.splitlines()[-1] == (
        f"{len(expected)} cross-origin requests on {app.page_url}: "
        f"{len(expected) - blocked - failed} allowed, {blocked} blocked, {failed} failed "
        f"without a CORS error ({len(app.expected) - len(expected) + 1} same-origin not shown)."
    )  # same-origin: the page itself and its same.json
    # a blocked request: its headline, the browser's console message and the fix
    text = out.stdout.splitlines()
    at = text.index(next(line for line in lines if f"{app.api_origin}/no-cors " in line))
    assert text[at + 1].strip().startswith("Blocked: the response has no `Access-Control-")
    assert text[at + 2].strip() == (
        f"console: Access to fetch at '{app.api_origin}/no-cors' from origin "
        f"'{app.front_origin}' has been blocked by CORS policy: No "
        "'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert text[at + 3].strip().startswith("fix: ")

    suite = ElementTree.parse(junit).getroot()
    assert suite.get("tests") == str(len(expected))
    failures = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [name.split(" ", 1)[1] for name in failures if name] == [
        f"{e.method} {e.url}" for e in expected if not e.allowed
    ]

    collection = tmp_path / "imported.json"
    imported = main_py("import", str(har), "-o", str(collection))
    assert imported.returncode == 0, imported.stderr
    items = {
        (i.request["method"], i.request["url"]): i for _, i in load_collection(collection).items()
    }
    assert {(e.method, e.url) for e in expected if e.allowed} <= set(items)
    assert items[("GET", app.api_origin + "/me")].request["credentials"] == "include"  # its cookie


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(180)
@pytest.mark.parametrize("browser", BROWSERS)
def test_watch_json_lists_the_requests_in_order_with_both_verdicts_agreeing(
    app: WatchApp, browser: str
) -> None:
    out = main_py("watch", app.page_url, "--browser", browser, "--json", timeout=150)
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert (data["format"], data["page"]) == ("cors-watch/1", app.page_url)
    expected = _cross_origin(app, app.expected)
    got = data["requests"]
    assert [(r["method"], r["url"]) for r in got] == [(e.method, e.url) for e in expected]
    for item, want in zip(got, expected, strict=True):
        assert item["origin"] == app.front_origin
        assert (item["browser"]["allowed"], item["browser"]["kind"]) == (want.allowed, want.kind)
        verdict = item["verdict"]
        assert verdict["allowed"] == want.allowed, item
        if want.kind is not None:
            assert verdict["error"]["kind"] == want.kind
            assert "blocked by CORS policy" in item["browser"]["message"]
        elif not want.allowed:  # the refused port: no answer, not a CORS block
            assert verdict["error"]["kind"] == "NetworkFailure"


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(120)
def test_a_page_with_only_allowed_requests_exits_0(app: WatchApp) -> None:
    out = main_py("watch", app.allowed_page_url, timeout=100)
    assert out.returncode == 0, out.stderr
    lines = _request_lines(out.stdout)
    assert lines == [
        f"ALLOWED {e.method} {e.url} (from {app.front_origin})" for e in app.expected_allowed
    ]


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(120)
@pytest.mark.parametrize("browser", BROWSERS)
def test_a_page_that_does_not_load_exits_3_with_one_line(app: WatchApp, browser: str) -> None:
    out = main_py("watch", app.refused_url, "--browser", browser, timeout=100)
    assert out.returncode == 3
    assert out.stdout == ""
    assert len(out.stderr.splitlines()) == 1
    assert out.stderr.startswith("error: ")
    assert "ERR_CONNECTION_REFUSED" in out.stderr


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(120)
def test_seconds_bounds_a_page_that_never_goes_idle(app: WatchApp) -> None:
    started = time.monotonic()
    out = main_py("watch", app.busy_page_url, "--browser", f"chrome={CHROMIUM}",
                  "--seconds", "2", timeout=100)  # fmt: skip
    elapsed = time.monotonic() - started
    assert out.returncode == 0, out.stderr
    ticks = [line for line in _request_lines(out.stdout) if f"{app.api_origin}/tick " in line]
    assert len(ticks) >= 3  # one every 300 ms: it never went idle
    assert elapsed < 20  # without --seconds it would wait 30 s for an idle moment


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--browser", "firefox"], "--browser"),
        (["--browser", "cdp=nowhere"], "--browser"),
        (["--seconds", "0"], "--seconds"),
        (["--seconds", "nan"], "--seconds"),
        (["--seconds", "5", "--until-idle"], "--until-idle"),
        (["--seconds", "soon"], "--seconds"),
    ],
)
def test_bad_flags_exit_2_with_one_line_naming_the_flag(args: list[str], flag: str) -> None:
    out = main_py("watch", "http://127.0.0.1:1/", *args)
    assert out.returncode == 2
    assert out.stdout == ""
    assert len(out.stderr.splitlines()) == 1
    assert flag in out.stderr


@pytest.mark.parametrize("url", ["ftp://example.com/", "example.com", "http://"])
def test_a_url_that_is_not_a_page_is_bad_input(url: str) -> None:
    out = main_py("watch", url)
    assert out.returncode == 2
    assert len(out.stderr.splitlines()) == 1
    assert "URL" in out.stderr
