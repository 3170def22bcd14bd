"""A test app for watching a real page: a front end on its own loopback origin whose script,
on load, makes a fixed series of requests to API servers on other loopback origins.

``WatchApp`` starts it (an async context manager; ``watch_app_in_thread()`` for synchronous
code). ``expected`` lists what the main page (``page_url``) asks for, in the order its script
starts them (each awaited before the next), with what real Chromium decides: allowed or not,
and its ``corsErrorStatus.corsError`` (None when allowed or not a CORS error).
tests/watch/test_watchapp.py checks every entry against headless Chromium over CDP.

Other pages: ``allowed_page_url`` (only allowed requests: ``expected_allowed``),
``busy_page_url`` (an allowed request every 300 ms, forever: never idle),
``refused_url`` (a loopback port that refuses connections: a page that does not load),
``forget_page_url`` (fetches whose answers the page drops or aborts: ``expected_forget``),
``origins_page_url`` (fetches from a cross-site iframe, a worker, a sandboxed iframe and a
srcdoc iframe: ``expected_origins``) and ``rate_page_url(rate, seconds)`` (``rate`` requests
a second for ``seconds``, every fourth blocked: the watch benchmark's page).
Every page sets its title to ``DONE_TITLE`` once its series has ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import NamedTuple

from corsinspector.model import Headers, Request, Route, Scenario
from corsinspector.wire.server import ScenarioServer

__all__ = ["DONE_TITLE", "Expected", "WatchApp", "watch_app_in_thread"]

DONE_TITLE = "watchapp: done"
_NO_STORE: Headers = (("Cache-Control", "no-store"),)
_JSON: Headers = (("Content-Type", "application/json"), *_NO_STORE)


class Expected(NamedTuple):
    """One request the page makes and real Chromium's verdict on it."""

    method: str
    url: str
    allowed: bool
    #: Chromium's corsErrorStatus.corsError; None when allowed or not a CORS error.
    kind: str | None


@dataclass(frozen=True)
class _Step:
    """One request of a page's series: how its script makes it, and Chromium's verdict."""

    api: str  # "fetch" or "xhr"
    method: str
    url: str
    allowed: bool
    kind: str | None = None
    init: dict[str, object] = field(default_factory=dict)

    def script(self) -> dict[str, object]:
        return {"api": self.api, "method": self.method, "url": self.url, "init": self.init}

    def expected(self) -> Expected:
        return Expected(self.method, self.url, self.allowed, self.kind)


def _page_html(title: str, steps: list[_Step], *, forever: str | None = None) -> str:
    """A page that runs ``steps`` one after another, then (``forever``) fetches that URL
    every 300 ms; each outcome is a line of the body."""
    spec = json.dumps([step.script() for step in steps]).replace("</", "<\\/")
    tick = json.dumps(forever)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title><link rel="icon" href="data:,"></head>
<body><h1>{title}</h1><ol id="log"></ol>
<script>
const STEPS = {spec};
const TICK = {tick};
function log(text) {{
  const li = document.createElement("li"); li.textContent = text;
  document.getElementById("log").appendChild(li);
}}
function xhr(step) {{
  return new Promise((resolve) => {{
    const q = new XMLHttpRequest();
    q.open(step.method, step.url);
    q.onloadend = () => resolve("xhr " + q.status);
    q.send();
  }});
}}
async function run(step) {{
  if (step.api === "xhr") return xhr(step);
  try {{
    const response = await fetch(step.url, Object.assign({{method: step.method}}, step.init));
    await response.text();
    return "fetch " + response.status;
  }} catch (error) {{
    return "fetch failed: " + error.message;
  }}
}}
(async () => {{
  for (const step of STEPS) log(step.method + " " + step.url + ": " + (await run(step)));
  document.title = {json.dumps(DONE_TITLE)};
  if (TICK !== null) setInterval(() => run({{method: "GET", url: TICK, init: {{}}}}), 300);
}})();
</script></body></html>
"""


def _script_page(title: str, script: str, body: str = "") -> str:
    """A page that runs ``script`` (which sets the title to ``DONE_TITLE`` when done)."""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title><link rel="icon" href="data:,"></head>
<body><h1>{title}</h1>{body}
<script>
const DONE = {json.dumps(DONE_TITLE)};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
{script}
</script></body></html>
"""


def _forget_script(api: str, silent: str) -> str:
    """Answers dropped (never read, aborted after they came, cancelled) and requests aborted
    before any answer; then garbage, so the dropped responses are collected."""
    return f"""const API = {json.dumps(api)}, SILENT = {json.dumps(silent)};
(async () => {{
  fetch(API + "/forget/small");
  fetch(API + "/forget/big");
  fetch(API + "/forget/blocked").catch(() => {{}});
  const early = new AbortController();
  fetch(SILENT + "/forget/hang", {{signal: early.signal}}).catch(() => {{}});
  const preflighted = new AbortController();
  fetch(SILENT + "/forget/hang-put", {{method: "PUT", headers: {{"X-Request-Id": "1"}},
    signal: preflighted.signal}}).catch(() => {{}});
  const late = new AbortController();
  await fetch(API + "/forget/late", {{signal: late.signal}});
  late.abort();
  const cancelled = await fetch(API + "/forget/cancel");
  await cancelled.body.cancel();
  await sleep(300);
  early.abort();
  preflighted.abort();
  for (let round = 0; round < 30; round++) new Array(1e6).fill(round);
  await sleep(1500);
  document.title = DONE;
}})();"""


def _rate_script(api: str) -> str:
    """``rate`` requests a second (from the fragment) for ``seconds``; every fourth blocked."""
    return f"""const API = {json.dumps(api)};
const args = new URLSearchParams(location.hash.slice(1));
const rate = Number(args.get("rate") || 100), seconds = Number(args.get("seconds") || 10);
const total = Math.round(rate * seconds), start = performance.now();
let sent = 0, ended = 0;
const end = () => {{ if (++ended === total) document.title = DONE; }};
const timer = setInterval(() => {{
  const due = Math.min(total, Math.floor((performance.now() - start) * rate / 1000) + 1);
  for (; sent < due; sent++) {{
    fetch(API + (sent % 4 === 3 ? "/no-cors" : "/tick")).then((r) => r.text()).then(end, end);
  }}
  if (sent >= total) clearInterval(timer);
}}, 10);"""


def _closed_port() -> socket.socket:
    """A loopback socket bound but not listening: connections to its port are refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


class WatchApp:
    """The front end (``front``) and two API servers (``api``, ``other``) on loopback."""

    def __init__(self) -> None:
        # Placeholder scenarios: the ports are known once listening, the routes after.
        blank = Scenario("watchapp", Request("http://placeholder.invalid/"))
        self._front = ScenarioServer(blank)
        self._api = ScenarioServer(blank)
        self._other = ScenarioServer(blank)
        self._refused: socket.socket | None = None
        self._silent: socket.socket | None = None
        self.steps: list[_Step] = []
        self.allowed_steps: list[_Step] = []

    async def __aenter__(self) -> WatchApp:
        self._refused = _closed_port()
        self._silent = _closed_port()
        self._silent.listen(64)  # connections complete in the kernel, never answered
        try:
            for server in (self._front, self._api, self._other):
                await server.start()
            self._build()
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close()

    async def _close(self) -> None:
        for server in (self._front, self._api, self._other):
            await server.close()
        for sock in (self._refused, self._silent):
            if sock is not None:
                sock.close()
        self._refused = self._silent = None

    # --- the origins and pages ---------------------------------------------------------

    @property
    def front_origin(self) -> str:
        return self._front.base_url

    @property
    def api_origin(self) -> str:
        return self._api.base_url

    @property
    def other_origin(self) -> str:
        return self._other.base_url

    @property
    def refused_origin(self) -> str:
        assert self._refused is not None
        return f"http://127.0.0.1:{self._refused.getsockname()[1]}"

    @property
    def page_url(self) -> str:
        return self.front_origin + "/"

    @property
    def allowed_page_url(self) -> str:
        return self.front_origin + "/allowed.html"

    @property
    def busy_page_url(self) -> str:
        return self.front_origin + "/busy.html"

    @property
    def refused_url(self) -> str:
        return self.refused_origin + "/"

    @property
    def silent_origin(self) -> str:
        """A loopback port that accepts connections and never answers."""
        assert self._silent is not None
        return f"http://127.0.0.1:{self._silent.getsockname()[1]}"

    @property
    def forget_page_url(self) -> str:
        return self.front_origin + "/forget.html"

    @property
    def origins_page_url(self) -> str:
        return self.front_origin + "/origins.html"

    def rate_page_url(self, rate: int = 100, seconds: float = 10.0) -> str:
        """``rate`` requests a second for ``seconds`` (in the fragment: never sent)."""
        return f"{self.front_origin}/rate.html#rate={rate}&seconds={seconds:g}"

    @property
    def expected_forget(self) -> dict[str, str]:
        """The forget page's requests by URL and what Chromium does with each: ``allowed``
        (the answer reached the page, which drops it or aborts it after), its CORS error
        (blocked), or ``aborted`` (by the page, before any answer)."""
        api, silent = self.api_origin, self.silent_origin
        return {
            api + "/forget/small": "allowed",
            api + "/forget/big": "allowed",
            api + "/forget/blocked": "MissingAllowOriginHeader",
            silent + "/forget/hang": "aborted",
            silent + "/forget/hang-put": "aborted",
            api + "/forget/late": "allowed",
            api + "/forget/cancel": "allowed",
        }

    @property
    def expected_origins(self) -> dict[str, str]:
        """The origins page's requests by URL, each with the Origin its initiator has."""
        api, front = self.api_origin, self.front_origin
        return {
            api + "/from-page": front,
            api + "/from-frame": front.replace("127.0.0.1", "localhost"),
            api + "/from-worker": front,
            api + "/from-sandbox": "null",
            api + "/from-srcdoc": front,
            front + "/same.json": front,
            front + "/from-api-frame": api,
        }

    @property
    def expected(self) -> list[Expected]:
        """The main page's requests in the order it starts them, with Chromium's verdicts."""
        return [step.expected() for step in self.steps]

    @property
    def expected_allowed(self) -> list[Expected]:
        return [step.expected() for step in self.allowed_steps]

    # --- the routes ----------------------------------------------------------------------

    def _build(self) -> None:
        front, api, other = self.front_origin, self.api_origin, self.other_origin
        allow: Headers = (("Access-Control-Allow-Origin", front), ("Vary", "Origin"))
        creds: Headers = (*allow, ("Access-Control-Allow-Credentials", "true"))
        json_put: dict[str, object] = {
            "headers": {"Content-Type": "application/json", "X-Request-Id": "42"},
            "body": '{"name": "watch"}',
        }
        include: dict[str, object] = {"credentials": "include"}
        self.steps = [
            _Step("fetch", "GET", api + "/simple", True),
            _Step("fetch", "GET", api + "/no-cors", False, "MissingAllowOriginHeader"),
            _Step("fetch", "PUT", api + "/items/1", True, init=json_put),
            _Step("fetch", "PUT", api + "/strict/1", False, "HeaderDisallowedByPreflightResponse",
                  init=json_put),
            _Step("fetch", "GET", api + "/login", True, init=include),
            _Step("fetch", "GET", api + "/me", True, init=include),
            _Step("fetch", "GET", api + "/wildcard", False, "WildcardOriginNotAllowed",
                  init=include),
            _Step("fetch", "GET", api + "/moved", True),
            _Step("fetch", "PUT", api + "/moved-put", False, "PreflightDisallowedRedirect",
                  init=json_put),
            _Step("fetch", "GET", api + "/error", False, "MissingAllowOriginHeader"),
            _Step("fetch", "GET", self.refused_origin + "/refused", False),
            _Step("xhr", "GET", api + "/xhr-ok", True),
            _Step("xhr", "GET", api + "/xhr-no-cors", False, "MissingAllowOriginHeader"),
            _Step("fetch", "GET", front + "/same.json", True),
        ]  # fmt: skip
        self.allowed_steps = [
            _Step("fetch", "GET", api + "/simple", True),
            _Step("fetch", "PUT", api + "/items/1", True, init=json_put),
            _Step("xhr", "GET", api + "/xhr-ok", True),
        ]
        html: Headers = (("Content-Type", "text/html; charset=utf-8"), *_NO_STORE)
        preflight_ok: Headers = (
            *allow,
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "content-type, x-request-id"),
        )
        self._front.scenario = Scenario("watchapp front", Request(front + "/"), (
            Route("GET", front + "/", 200, html, _page_html("Watch app", self.steps)),
            Route("GET", front + "/allowed.html", 200, html,
                  _page_html("Watch app: allowed", self.allowed_steps)),
            Route("GET", front + "/busy.html", 200, html,
                  _page_html("Watch app: busy", [], forever=api + "/tick")),
            Route("GET", front + "/same.json", 200, _JSON, '{"same": true}'),
        ))  # fmt: skip
        self._api.scenario = Scenario("watchapp api", Request(api + "/"), (
            Route("GET", api + "/simple", 200, (*allow, *_JSON), '{"ok": true}'),
            Route("GET", api + "/no-cors", 200, _JSON, '{"secret": true}'),
            Route("OPTIONS", api + "/items/1", 204, preflight_ok),
            Route("PUT", api + "/items/1", 200, (*allow, *_JSON), '{"saved": true}'),
            Route("OPTIONS", api + "/strict/1", 204, (
                *allow,
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "content-type"),
            )),
            Route("PUT", api + "/strict/1", 200, (*allow, *_JSON), '{"saved": true}'),
            Route("GET", api + "/login", 200, (
                *creds, *_JSON, ("Set-Cookie", "session=watchapp; Path=/; SameSite=Lax"),
            ), '{"login": true}'),
            Route("GET", api + "/me", 200, (*creds, *_JSON), '{"me": true}'),
            Route("GET", api + "/wildcard", 200, (
                ("Access-Control-Allow-Origin", "*"), *_JSON,
            ), '{"wildcard": true}'),
            Route("GET", api + "/moved", 302, (
                *allow, ("Location", other + "/landing"), *_NO_STORE,
            )),
            Route("OPTIONS", api + "/moved-put", 302, (
                *allow, ("Location", other + "/landing"), *_NO_STORE,
            )),
            Route("GET", api + "/error", 500, _JSON, '{"error": "boom"}'),
            Route("GET", api + "/xhr-ok", 200, (*allow, *_JSON), '{"xhr": true}'),
            Route("GET", api + "/xhr-no-cors", 200, _JSON, '{"xhr": false}'),
            Route("GET", api + "/tick", 200, (*allow, *_JSON), '{"tick": true}'),
        ))  # fmt: skip
        # After a cross-origin redirect the request's origin is tainted: Origin is "null".
        self._other.scenario = Scenario("watchapp other", Request(other + "/"), (
            Route("GET", other + "/landing", 200, (
                ("Access-Control-Allow-Origin", "*"), *_JSON,
            ), '{"landed": true}'),
        ))  # fmt: skip
        self._build_more()

    def _build_more(self) -> None:
        """The forget, origins and rate pages and their routes (after the others)."""
        front, api = self.front_origin, self.api_origin
        cross_site = front.replace("127.0.0.1", "localhost")  # same server, another site
        allow: Headers = (("Access-Control-Allow-Origin", front), ("Vary", "Origin"))
        anyone: Headers = (("Access-Control-Allow-Origin", "*"), *_JSON)
        html: Headers = (("Content-Type", "text/html; charset=utf-8"), *_NO_STORE)
        script: Headers = (("Content-Type", "text/javascript"), *_NO_STORE)
        fetching = "<script>fetch({})</script>"
        frames = (
            f"<iframe src='{cross_site}/frame.html'></iframe>"
            "<iframe sandbox='allow-scripts' src='/sandboxed.html'></iframe>"
            # a srcdoc frame has its parent's origin: no Origin header on a same-origin GET
            f"<iframe srcdoc=\"<script>fetch('{api}/from-srcdoc'); fetch('/same.json')"
            '</script>"></iframe>'
            f"<iframe src='{api}/frame.html'></iframe>"
        )
        origins = (
            "new Worker('/worker.js');\n"
            f"fetch({json.dumps(api + '/from-page')});\n"
            "sleep(2500).then(() => { document.title = DONE; });"
        )
        big = "x" * (2 << 20)
        self._front.scenario = replace(self._front.scenario, server=(
            *self._front.scenario.server,
            Route("GET", front + "/forget.html", 200, html, _script_page(
                "Watch app: forget", _forget_script(api, self.silent_origin))),
            Route("GET", front + "/origins.html", 200, html,
                  _script_page("Watch app: origins", origins, frames)),
            Route("GET", front + "/frame.html", 200, html,
                  fetching.format(json.dumps(api + "/from-frame"))),
            Route("GET", front + "/sandboxed.html", 200, html,
                  fetching.format(json.dumps(api + "/from-sandbox"))),
            Route("GET", front + "/worker.js", 200, script,
                  f"fetch({json.dumps(api + '/from-worker')});"),
            Route("GET", front + "/from-api-frame", 200, (
                ("Access-Control-Allow-Origin", api), *_JSON), '{"from": "api frame"}'),
            Route("GET", front + "/rate.html", 200, html,
                  _script_page("Watch app: rate", _rate_script(api))),
        ))  # fmt: skip
        self._api.scenario = replace(self._api.scenario, server=(
            *self._api.scenario.server,
            Route("GET", api + "/forget/small", 200, (*allow, *_JSON), '{"small": true}'),
            Route("GET", api + "/forget/big", 200, (*allow, *_NO_STORE), big),
            Route("GET", api + "/forget/blocked", 200, _JSON, '{"blocked": true}'),
            Route("GET", api + "/forget/late", 200, (*allow, *_NO_STORE), big),
            Route("GET", api + "/forget/cancel", 200, (*allow, *_NO_STORE), big),
            *(Route("GET", f"{api}/from-{name}", 200, anyone, '{"ok": true}')
              for name in ("page", "frame", "worker", "sandbox", "srcdoc")),
            Route("GET", api + "/frame.html", 200, html,
                  fetching.format(json.dumps(front + "/from-api-frame"))),
        ))  # fmt: skip


@contextlib.contextmanager
def watch_app_in_thread() -> Iterator[WatchApp]:
    """A WatchApp served from its own asyncio loop in a background thread."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, object] = {}

    async def serve() -> None:
        stop = asyncio.Event()
        state["stop"] = stop
        try:
            async with WatchApp() as app:
                state["app"] = app
                ready.set()
                await stop.wait()
        except BaseException as exc:
            state["error"] = exc
            ready.set()

    thread = threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True)
    thread.start()
    try:
        ready.wait(timeout=30)
        if "app" not in state:
            raise RuntimeError(f"the watch app did not start: {state.get('error')!r}")
        app = state["app"]
        assert isinstance(app, WatchApp)
        yield app
    finally:
        stop = state.get("stop")
        if isinstance(stop, asyncio.Event):
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        if not thread.is_alive():
            loop.close()
