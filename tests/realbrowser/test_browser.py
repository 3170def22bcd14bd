"""RealBrowser driven directly (no command line): the page it loads, that importing it starts
no Qt, and, with embedded Chromium, an allowed fetch, a named CORS block and an opaque origin,
each run's Qt objects released when it ends."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest

from corsinspector.model import BrowserResult, Headers, Request, Route, Scenario
from corsinspector.realbrowser.page import MARKER, page_html

APP = "https://app.example.test"
_ACAO: Headers = (("Access-Control-Allow-Origin", "*"),)


def test_importing_the_real_browser_starts_no_qt() -> None:
    code = (
        "import sys\n"
        "import corsinspector.realbrowser.browser, corsinspector.realbrowser.page\n"
        "import corsinspector.realbrowser.recorder\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("opaque", [False, True], ids=["origin", "opaque"])
def test_the_page_carries_the_request_and_cannot_be_closed_by_it(opaque: bool) -> None:
    spec = {"url": "http://a.test/</script><b>", "method": "GET", "headers": [], "body": None}
    page = page_html(spec, "title", opaque)
    assert MARKER in page
    assert "</script><b>" not in page  # the spec cannot end the script early
    assert json.dumps(spec).replace("</", "<\\/") in page
    assert ('sandbox="allow-scripts"' in page) is opaque


@pytest.mark.integration
@pytest.mark.browser
def test_chromium_runs_each_fetch_and_releases_it() -> None:
    from corsinspector.realbrowser.browser import RealBrowser
    from corsinspector.wire.server import serve_in_thread

    scenario = Scenario("direct", Request("http://api.example.test/ok"), (
        Route("OPTIONS", None, 204, _ACAO),
        Route("*", None, 200, _ACAO, "ok"),
    ))  # fmt: skip
    with serve_in_thread(scenario) as server:
        url = f"{server.base_url}/ok"
        browser = RealBrowser(quiet=False)  # stderr stays with pytest

        async def main() -> list[BrowserResult]:
            return [
                await browser.fetch(Request(url, origin=APP)),
                await browser.fetch(Request(url, origin=APP, method="PUT")),
                await browser.fetch(Request(url, origin="null")),
            ]

        allowed, blocked, opaque = asyncio.run(main())
    assert (allowed.outcome, allowed.status, allowed.body) == ("resolved", 200, "ok")
    assert allowed.browser == "chromium"
    assert allowed.version == browser.version
    assert blocked.outcome == "rejected"
    assert [e.kind for e in blocked.cors_errors] == ["MethodDisallowedByPreflightResponse"]
    assert (opaque.outcome, opaque.status) == ("resolved", 200)
    assert browser.embedder.startswith("QtWebEngine ")
    assert not browser._active  # every run's page and profile deleted on the Qt thread


def test_a_devtools_port_inherited_from_another_process_of_ours_is_not_reused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from corsinspector.realbrowser import browser

    # a parent whose embedded browser holds port 1 started us: we must pick our own
    monkeypatch.setenv("QTWEBENGINE_REMOTE_DEBUGGING", "127.0.0.1:1")
    monkeypatch.setenv(browser._PORT_OWNER, "1")
    port = browser._prepare_environment()
    assert port not in (None, 1)
    assert os.environ[browser._PORT_OWNER] == str(os.getpid())
    # a port the user chose (no owner named) is kept
    monkeypatch.setenv("QTWEBENGINE_REMOTE_DEBUGGING", "127.0.0.1:9333")
    monkeypatch.delenv(browser._PORT_OWNER)
    assert browser._prepare_environment() == 9333
