"""Real "Copy as cURL" and "Copy as fetch" texts, made by the browsers' own DevTools code on a
request a real page made to a loopback server, written to tests/app/copies/ with a header
naming the browser, its version and the generator; plus Chromium console lines taken word
for word from the golden truths.

- Chromium: its bundled DevTools front end (devtools_app.html?ws=…) is opened as a page
  connected to the inspected page; it records the page's requests, then its own
  NetworkLogView.generateCurlCommand (unix, win) and generateFetchCall (browser, Node.js) run
  on the recorded PUT, in the front end's context.
- Firefox ESR: chrome-scope scripts (WebDriver BiDi, --remote-allow-system-access) watch the
  page's PUT channel (its request headers and body as Firefox sent them), then run DevTools'
  own Curl.generateCommand (devtools/client/shared/curl.js) and the netmonitor's "Copy as
  Fetch" (devtools/client/netmonitor/src/widgets/RequestListContextMenu.js) on it.

Run: .venv/bin/python tools/devtools_copies.py [chromium] [firefox] [console]
(all of them by default; a few seconds)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corsinspector.formats.scenario import load_truth, scenario_from_dict  # noqa: E402
from corsinspector.model import Scenario  # noqa: E402
from corsinspector.wire.server import LoggedRequest, ScenarioServer  # noqa: E402

OUT = ROOT / "tests" / "app" / "copies"
APP = "http://app.test"
API = "http://api.test"
PATH = "/items/7"
#: The page's request: credentialed PUT, JSON body with characters each shell must quote.
SPEC: dict[str, Any] = {
    "url": API + PATH,
    "method": "PUT",
    "headers": [["Content-Type", "application/json"], ["X-Request-Id", "42"]],
    "credentials": "include",
    "mode": "cors",
    "body": json.dumps({"name": "O'Brien", "tags": ["a&b", "50%"], "note": "hi!"}),
}
#: Console lines (Chromium 156's, as recorded) taken from the golden truths.
CONSOLE_TRUTHS = ("acah-missing", "acam-mismatch", "redirect-include-cross-origin-star")
#: How long any one wait may take.
DEADLINE = 30.0


def _scenario() -> Scenario:
    allow = [
        ["Access-Control-Allow-Origin", APP],
        ["Access-Control-Allow-Credentials", "true"],
    ]
    init = {key: SPEC[key] for key in ("method", "headers", "credentials", "mode", "body")}
    # The API's loopback URL is known once the server listens: the page takes it from its
    # fragment (not sent, so the page's route stays the same).
    page = (
        "<!doctype html><title>copies</title><script>window.corsInspectorStart = () => "
        f"fetch(decodeURIComponent(location.hash.slice(1)), {json.dumps(init)})"
        ".then(r => r.text());</script>"
    )
    return scenario_from_dict(
        {
            "format": "cors-scenario/1",
            "name": "devtools-copies",
            "request": {
                "url": SPEC["url"],
                "method": "PUT",
                "origin": APP,
                "headers": SPEC["headers"],
                "credentials": "include",
                "mode": "cors",
                "body": SPEC["body"],
            },
            "server": [
                {
                    "method": "GET",
                    "url": APP + "/",
                    "status": 200,
                    "headers": [
                        ["Content-Type", "text/html; charset=utf-8"],
                        ["Set-Cookie", "session=abc123; Path=/"],
                    ],
                    "body": page,
                },
                {
                    "method": "OPTIONS",
                    "url": API + PATH,
                    "status": 204,
                    "headers": [
                        *allow,
                        ["Access-Control-Allow-Methods", "PUT"],
                        ["Access-Control-Allow-Headers", "content-type, x-request-id"],
                    ],
                },
                {
                    "method": "PUT",
                    "url": API + PATH,
                    "status": 200,
                    "headers": [*allow, ["Content-Type", "application/json"]],
                    "body": "{}",
                },
            ],
        },
        "devtools copies",
    )


def _served(server: ScenarioServer) -> dict[str, Any]:
    """What the server received for the page's PUT: the facts each copy must give back."""
    put: LoggedRequest = next(r for r in server.log if r.method == "PUT")
    return {
        "url": server.map.to_wire_url(SPEC["url"]),
        "method": put.method,
        "headers": [list(pair) for pair in put.headers],
        "body": put.body.decode("utf-8"),
        "script_headers": [name.lower() for name, _ in SPEC["headers"]],
    }


def write_copy(name: str, made_by: list[str], request: dict[str, Any] | None, text: str) -> None:
    """``tests/app/copies/NAME.txt``: ``#`` header lines (who made it; the request as the
    server received it, one JSON line), a ``# ---`` line, then the text byte for byte."""
    head = [f"# {line}" for line in made_by]
    if request is not None:
        head.append("# request: " + json.dumps(request, ensure_ascii=False))
    content = "\n".join([*head, "# ---", text])
    (OUT / f"{name}.txt").write_text(content, encoding="utf-8", newline="")
    print(f"wrote {OUT.relative_to(ROOT)}/{name}.txt")


# --- Chromium -----------------------------------------------------------------------------

_FRONT_END_READY = """(async () => {
  const SDK = await import('./core/sdk/sdk.js');
  const target = SDK.TargetManager.TargetManager.instance().primaryPageTarget();
  return Boolean(target && target.model(SDK.NetworkManager.NetworkManager));
})()"""

_GENERATE = """(async (url) => {
  const Logs = await import('./models/logs/logs.js');
  const Network = await import('./panels/network/network.js');
  const request = Logs.NetworkLog.NetworkLog.instance().requests().find(
      r => r.requestMethod === 'PUT' && r.url() === url);
  if (!request || !request.finished || !request.hasExtraRequestInfo()) return null;
  const View = Network.NetworkLogView.NetworkLogView;
  return {
    bash: await View.generateCurlCommand(request, 'unix'),
    cmd: await View.generateCurlCommand(request, 'win'),
    fetch: await View.prototype.generateFetchCall.call(null, request, 0),
    'fetch-nodejs': await View.prototype.generateFetchCall.call(null, request, 1),
  };
})(%s)"""


async def _until(check: Any, what: str) -> Any:
    """Poll ``check()`` until it gives something; fail after :data:`DEADLINE` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while loop.time() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise SystemExit(f"devtools_copies: {what} did not happen within {DEADLINE:g} s")


async def chromium_copies() -> None:
    from corsinspector.watch.cdp import connect
    from corsinspector.watch.chrome import find_chrome, launch_chrome

    scenario = _scenario()
    async with ScenarioServer(scenario, origins=[APP, API], page_origin_on_wire=True) as server:
        # The front end's websocket comes from the devtools://devtools origin: allow it.
        flags = ("--remote-allow-origins=devtools://devtools",)
        chrome = await launch_chrome(
            find_chrome("/usr/bin/chromium"), timeout=DEADLINE, extra_flags=flags
        )
        try:
            cdp = await connect(chrome.ws_url, DEADLINE)
            try:
                copies = await _chromium_generate(cdp, chrome.ws_url.split("/")[2], server)
            finally:
                await cdp.aclose()
        finally:
            await chrome.aclose()
        request = _served(server)
    version = chrome.version.replace("/", " ")
    front_end = f"{version}'s bundled DevTools front end (devtools://devtools/bundled/)"
    for key, generator, menu in (
        ("bash", "generateCurlCommand(request, 'unix')", "Copy as cURL (bash)"),
        ("cmd", "generateCurlCommand(request, 'win')", "Copy as cURL (cmd)"),
        ("fetch", "generateFetchCall(request, 0)", "Copy as fetch"),
        ("fetch-nodejs", "generateFetchCall(request, 1)", "Copy as fetch (Node.js)"),
    ):
        made_by = [
            f"{menu}: {front_end}, NetworkLogView.{generator} on the PUT it recorded;",
            "made by tools/devtools_copies.py, not typed.",
        ]
        write_copy(f"chromium-{key}", made_by, request, copies[key])


async def _chromium_generate(cdp: Any, address: str, server: ScenarioServer) -> dict[str, str]:
    page = await cdp.send("Target.createTarget", {"url": "about:blank"})
    ws = f"{address}/devtools/page/{page['targetId']}"
    front = await cdp.send(
        "Target.createTarget",
        {"url": f"devtools://devtools/bundled/devtools_app.html?ws={ws}"},
    )
    attach = {"flatten": True}
    front_session = (
        await cdp.send("Target.attachToTarget", {"targetId": front["targetId"], **attach})
    )["sessionId"]
    page_session = (
        await cdp.send("Target.attachToTarget", {"targetId": page["targetId"], **attach})
    )["sessionId"]

    async def evaluate(session: str, expression: str) -> Any:
        answer = await cdp.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session_id=session,
            timeout=DEADLINE,
        )
        if "exceptionDetails" in answer:
            raise SystemExit(f"devtools_copies: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    await _until(lambda: evaluate(front_session, _FRONT_END_READY), "the front end's start")
    await cdp.send("Page.enable", session_id=page_session)
    url = server.map.to_wire_url(SPEC["url"])
    page_url = server.map.to_wire_url(APP + "/") + "#" + quote(url, safe="")
    await cdp.send("Page.navigate", {"url": page_url}, session_id=page_session)
    await _until(
        lambda: evaluate(page_session, "typeof window.corsInspectorStart === 'function'"),
        "the page's load",
    )
    await evaluate(page_session, "window.corsInspectorStart()")
    copies: dict[str, str] = await _until(
        lambda: evaluate(front_session, _GENERATE % json.dumps(url)),
        "the front end's record of the PUT",
    )
    return copies


# --- Firefox ------------------------------------------------------------------------------

#: Chrome scope: record the page's PUT as the netmonitor would (its network event actor takes
#: the headers with NetworkUtils.fetchRequestHeadersAndCookies once the request headers went
#: out, the body with NetworkHelper.readPostDataFromRequest), into globalThis.copiesRecord.
_FIREFOX_WATCH = """(() => {
  const {NetworkUtils} = ChromeUtils.importESModule(
    'resource://devtools/shared/network-observer/NetworkUtils.sys.mjs');
  const {NetworkHelper} = ChromeUtils.importESModule(
    'resource://devtools/shared/network-observer/NetworkHelper.sys.mjs');
  const distributor = Cc['@mozilla.org/network/http-activity-distributor;1']
      .getService(Ci.nsIHttpActivityDistributor);
  const url = %s;
  const record = {};
  globalThis.copiesRecord = record;
  globalThis.copiesObserver = {observeActivity(channel, type, subtype) {
    if (!(channel instanceof Ci.nsIHttpChannel)) return;
    if (channel.URI.spec !== url || channel.requestMethod !== 'PUT') return;
    if (subtype === Ci.nsIHttpActivityObserver.ACTIVITY_SUBTYPE_REQUEST_HEADER) {
      record.url = channel.URI.spec;
      record.method = channel.requestMethod;
      record.headers = NetworkUtils.fetchRequestHeadersAndCookies(channel).headers;
      const sent = NetworkHelper.readPostDataFromRequest(channel, 'UTF-8');
      record.postDataText = sent ? sent.data : '';
      const major = {}, minor = {};
      channel.QueryInterface(Ci.nsIHttpChannelInternal).getRequestVersion(major, minor);
      record.httpVersion = `HTTP/${major.value}.${minor.value}`;
    } else if (subtype === Ci.nsIHttpActivityObserver.ACTIVITY_SUBTYPE_TRANSACTION_CLOSE) {
      record.responseHeaders = NetworkUtils.fetchResponseHeadersAndCookies(channel).headers;
      record.done = true;
    }
  }};
  distributor.addObserver(globalThis.copiesObserver);
  return true;
})()"""

#: Chrome scope: DevTools' own generators (through the DevTools loader) on that record.
_FIREFOX_GENERATE = """(() => {
  const record = globalThis.copiesRecord;
  if (!record.done) return '';
  Cc['@mozilla.org/network/http-activity-distributor;1']
      .getService(Ci.nsIHttpActivityDistributor).removeObserver(globalThis.copiesObserver);
  const {require} = ChromeUtils.importESModule(
      'resource://devtools/shared/loader/Loader.sys.mjs');
  const {Curl} = require('resource://devtools/client/shared/curl.js');
  const Menu = require(
      'resource://devtools/client/netmonitor/src/widgets/RequestListContextMenu.js');
  const data = {url: record.url, method: record.method, headers: record.headers,
                responseHeaders: record.responseHeaders, httpVersion: record.httpVersion,
                postDataText: record.postDataText};
  return new Menu({}).generateFetchString(
      0, record.url, record.method, {headers: record.headers},
      {postData: {text: record.postDataText}},
  ).then(fetch => JSON.stringify({
    'curl': Curl.generateCommand(data, 'Linux'),
    'curl-windows': Curl.generateCommand(data, 'WINNT'),
    fetch,
  }));
})()"""

_BIDI_LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")


def _spawn_firefox(profile: Path, log: Path) -> subprocess.Popen[bytes]:
    """Headless Firefox ESR on a throw-away profile, BiDi on a free port, chrome scope allowed;
    its own process group (killed whole); stderr (where BiDi's address shows) to ``log``."""
    from corsinspector.realbrowser.firefox import BINARY

    argv = [BINARY, "--headless", "--no-remote", "--profile", str(profile)]
    argv += ["--remote-debugging-port", "0", "--remote-allow-system-access"]
    with open(log, "wb") as err:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )


async def firefox_copies() -> None:
    from corsinspector.realbrowser.firefox import BINARY, PREFS

    scenario = _scenario()
    profile = Path(tempfile.mkdtemp(prefix="corsinspector-copies-"))
    log = profile / "stderr"
    profile.joinpath("user.js").write_text(
        "".join(f'user_pref("{k}", {json.dumps(v)});\n' for k, v in PREFS.items())
    )
    process = _spawn_firefox(profile, log)
    try:
        async with ScenarioServer(scenario, origins=[APP, API], page_origin_on_wire=True) as server:
            version, copies = await _firefox_generate(log, server)
            request = _served(server)
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        await asyncio.to_thread(process.wait, 10)
        shutil.rmtree(profile, ignore_errors=True)
    where = "through the DevTools loader (resource://devtools/shared/loader/Loader.sys.mjs)"
    for key, generator, menu in (
        ("curl", "Curl.generateCommand(data, 'Linux')", "Copy as cURL"),
        ("curl-windows", "Curl.generateCommand(data, 'WINNT')", "Copy as cURL (Windows)"),
        ("fetch", "RequestListContextMenu.generateFetchString(...)", "Copy as Fetch"),
    ):
        made_by = [
            f"{menu}: Firefox {version} ({BINARY}), DevTools' {generator} {where},",
            "on the PUT the page sent (headers and body as the netmonitor takes them);",
            "made by tools/devtools_copies.py, not typed.",
        ]
        write_copy(f"firefox-{key}", made_by, request, copies[key])


async def _firefox_generate(log: Path, server: ScenarioServer) -> tuple[str, dict[str, str]]:
    from corsinspector.realbrowser.bidi import BidiClient

    async def listening() -> str | None:
        match = _BIDI_LISTENING.search(log.read_text(errors="replace"))  # noqa: ASYNC240
        return match.group(1) if match else None

    ws = await _until(listening, "Firefox's BiDi agent")
    host, port = ws.removeprefix("ws://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=DEADLINE)
    bidi = await BidiClient.open(f"{ws}/session", sock)
    try:
        session = await bidi.send("session.new", {"capabilities": {}})
        version = str(session["capabilities"]["browserVersion"])
        tree = await bidi.send("browsingContext.getTree", {"moz:scope": "chrome"})
        chrome = tree["contexts"][0]["context"]

        async def chrome_eval(expression: str) -> Any:
            answer = await bidi.send(
                "script.evaluate",
                {"expression": expression, "target": {"context": chrome}, "awaitPromise": True},
            )
            if answer.get("type") != "success":
                raise SystemExit(f"devtools_copies: {answer.get('exceptionDetails')}")
            return answer["result"].get("value")

        url = server.map.to_wire_url(SPEC["url"])
        await chrome_eval(_FIREFOX_WATCH % json.dumps(url))
        tab = await bidi.send("browsingContext.create", {"type": "tab"})
        page_url = server.map.to_wire_url(APP + "/") + "#" + quote(url, safe="")
        navigate = {"context": tab["context"], "url": page_url, "wait": "complete"}
        await bidi.send("browsingContext.navigate", navigate, wait=DEADLINE)
        start = {
            "expression": "window.corsInspectorStart()",
            "target": {"context": tab["context"]},
            "awaitPromise": False,
        }
        await bidi.send("script.evaluate", start)
        text = await _until(lambda: chrome_eval(_FIREFOX_GENERATE), "Firefox's record of the PUT")
        return version, json.loads(text)
    finally:
        await bidi.aclose()


# --- the console lines ---------------------------------------------------------------------


def console_copies() -> None:
    for name in CONSOLE_TRUTHS:
        path = ROOT / "tests" / "golden" / "truths-chromium" / f"{name}.json"
        truth = load_truth(path)
        assert truth.result is not None
        (line,) = [c.text for c in truth.result.console if c.text.startswith("Access to ")]
        made_by = [
            f"Chromium {truth.version}'s console line, word for word from "
            f"{path.relative_to(ROOT)} (recorded by the golden rerecorder), not typed.",
        ]
        write_copy(f"chromium-console-{name}", made_by, None, line)


async def main(which: list[str]) -> None:
    """Every copy, or those of the browsers named (chromium, firefox, console)."""
    OUT.mkdir(parents=True, exist_ok=True)
    if not which or "console" in which:
        console_copies()
    if not which or "chromium" in which:
        await chromium_copies()
    if not which or "firefox" in which:
        await firefox_copies()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
