"""``main.py watch`` as a user runs it, against the test app (tests/watchapp.py) in embedded
Chromium and in Debian's chromium: a line per cross-origin request in the order the page made
them, the browser and the engine agreeing, exit 1 for a page with blocked requests and 0 for
one without; --json, --junit and --har (imported by ``import`` and replayed by ``run`` to the
same verdicts); a page that does not load (exit 3) and bad flags (exit 2), each one line;
--seconds bounding a page never idle."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from corsinspector.formats.collection import Expectation, load_collection
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
def test_watch_prints_each_request_and_writes_junit(
    app: WatchApp, browser: str, tmp_path: Path
) -> None:
    junit = tmp_path / "watch.xml"
    out = main_py("watch", app.page_url, "--browser", browser, "--junit", str(junit),
                  timeout=150)  # fmt: skip
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


def _outcome(verdict: dict[str, Any]) -> tuple[bool, str | None]:
    error = verdict["error"]
    return verdict["allowed"], None if error is None else error["kind"]


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(180)
@pytest.mark.parametrize("browser", BROWSERS)
def test_har_imports_as_one_item_per_request_and_replays_to_the_watched_verdicts(
    app: WatchApp, browser: str, tmp_path: Path
) -> None:
    har, collection, replay = tmp_path / "w.har", tmp_path / "c.json", tmp_path / "run.json"
    out = main_py("watch", app.page_url, "--browser", browser, "--json", "--har", str(har),
                  timeout=150)  # fmt: skip
    assert out.returncode == 1, out.stderr
    watched = json.loads(out.stdout)["requests"]
    expected = _cross_origin(app, app.expected)
    assert [(r["method"], r["url"]) for r in watched] == [(e.method, e.url) for e in expected]
    no_answer = "NetworkFailure"  # the engine's kind for no answer: not a CORS error
    assert [_outcome(r["verdict"]) for r in watched] == [
        (e.allowed, e.kind or (None if e.allowed else no_answer)) for e in expected
    ]

    imported = main_py("import", str(har), "--output", str(collection))
    assert imported.returncode == 0, imported.stderr
    items = [item for _, item in load_collection(collection).items()]
    # one item per cross-origin request, in order: the redirect target is /moved's hop, the
    # refused request and those stopped at their preflight are items; nothing same-origin
    assert [(i.request["method"], i.request["url"]) for i in items] == [
        (e.method, e.url) for e in expected
    ]
    including = {step.url for step in app.steps if step.init.get("credentials") == "include"}
    for item, row in zip(items, watched, strict=True):
        assert item.request["origin"] == app.front_origin  # also the refused one's (no Origin)
        assert item.request["credentials"] == (
            "include" if item.request["url"] in including else "same-origin"
        )  # /login too, whose request carried no cookie yet
        assert item.request["mode"] == "cors"
        assert item.expect == Expectation(*_outcome(row["verdict"]))
    by_url = {item.request["url"]: item for item in items}
    moved = by_url[app.api_origin + "/moved"]
    assert "recorded response: 302" in moved.notes
    assert "recorded redirect target: 200" in moved.notes
    put = by_url[app.api_origin + "/items/1"]
    assert put.request["body"] == '{"name": "watch"}'
    assert sorted(put.request["headers"]) == [["Content-Type", "application/json"],
                                              ["X-Request-Id", "42"]]  # fmt: skip

    ran = main_py("run", str(collection), "--json", str(replay), "--timeout", "10")
    assert ran.returncode == 0, ran.stdout + ran.stderr  # every expectation held
    assert ran.stdout.splitlines()[-1] == f"{len(expected)} of {len(expected)} items as expected."
    replayed = json.loads(replay.read_text())
    assert [_outcome(r["verdict"]) for r in replayed] == [_outcome(r["verdict"]) for r in watched]
    refused = next(
        (r["verdict"], w["verdict"])
        for r, w in zip(replayed, watched, strict=True)
        if w["url"] == app.refused_origin + "/refused"
    )
    assert refused[0]["error"]["value"] == refused[1]["error"]["value"]
    assert refused[0]["error"]["value"] == "net::ERR_CONNECTION_REFUSED"  # not a CORS block


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
