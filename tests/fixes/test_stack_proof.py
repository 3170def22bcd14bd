"""The generated fixes, proven on real servers of every stack that runs here.

Two kinds of proof, both inspected live by the inspector against the real server:

* **Every blocked gallery scenario, every runnable stack**: the stack serving the route
  with no CORS configuration blocks the request; the same stack configured with exactly
  the snippet ``stack_fix`` generates (what the fix panel shows) allows it.
* **One real-world misconfiguration per stack** reproduces the gallery scenario's own
  error kind (the stack's pitfall, seen live), and the generated fix turns it green.

The servers (uvicorn, werkzeug, Django's runserver, Node.js with Express and Fastify,
nginx, Apache httpd, Caddy) are installed by ``scripts/setup-servers``; see
``tests/stack_servers.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from corsinspector.app.gallery import GALLERY
from corsinspector.engine.judge import judge
from corsinspector.fixes.stacks import stack_fix
from corsinspector.formats.scenario import load_scenario
from corsinspector.live.inspector import Inspector
from corsinspector.model import Fix, Request, Scenario, Verdict
from tests.stack_servers import RUNNABLE, apache, caddy, nextjs, nginx, serve

pytestmark = pytest.mark.integration


def inspect(request: Request, base: str, path: str | None = None) -> Verdict:
    """The live verdict for ``request`` sent to ``path`` (default: the same path) on ``base``."""

    async def main() -> Verdict:
        url = base + (path or urlsplit(request.url).path)
        async with Inspector() as inspector:
            return await inspector.inspect(replace(request, url=url))

    return asyncio.run(main())


def _server_fixable() -> list[str]:
    """The gallery scenarios the engine blocks with a header fix on the server."""
    names = []
    for path in sorted(GALLERY.glob("*.json")):
        verdict = judge(load_scenario(path))
        if not verdict.allowed and verdict.fixes and verdict.fixes[0].headers:
            names.append(path.stem)
    return names


SCENARIOS = _server_fixable()


def generated(stack: str, scenario: Scenario) -> Fix:
    """The fix the window shows for ``scenario`` (judged offline), in ``stack``."""
    verdict = judge(scenario)
    assert verdict.error is not None
    assert verdict.fixes
    return stack_fix(stack, verdict.fixes[0], verdict.error.kind)


def test_the_gallery_has_blocked_scenarios_of_several_kinds_to_prove() -> None:
    kinds = {judge(load_scenario(GALLERY / f"{n}.json")).error.kind for n in SCENARIOS}  # type: ignore[union-attr]
    assert len(SCENARIOS) >= 8
    assert {"MissingAllowOriginHeader", "MethodDisallowedByPreflightResponse"} <= kinds


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("stack", RUNNABLE)
def test_the_generated_fix_turns_the_blocked_request_allowed(
    stack: str, name: str, tmp_path: Path
) -> None:
    scenario = load_scenario(GALLERY / f"{name}.json")
    (tmp_path / "before").mkdir()
    with serve(stack, None, tmp_path / "before") as base:
        before = inspect(scenario.request, base)
    assert not before.allowed, f"{stack} without CORS allowed {name}"

    fix = generated(stack, scenario)
    (tmp_path / "after").mkdir()
    with serve(stack, fix.snippet, tmp_path / "after") as base:
        after = inspect(scenario.request, base)
    assert after.allowed, f"{stack}: {after.error}\n{fix.snippet}"
    assert after.exchanges[-1].kind == "actual"
    assert after.exchanges[-1].response is not None


# --- one real-world misconfiguration per stack ----------------------------------------------

Server = Callable[[str | None, Path], AbstractContextManager[str]]

_APACHE_AUTH = (
    '<Location "/items">\n'
    "    AuthType Basic\n"
    '    AuthName "api"\n'
    "    AuthUserFile /dev/null\n"
    "    Require valid-user\n"
    "</Location>\n"
)


def _apache_with_auth(config: str | None, workdir: Path) -> AbstractContextManager[str]:
    """Apache authenticating /items first (401), with ``config`` pasted beside it."""
    return apache(_APACHE_AUTH + (config or ""), workdir)


@dataclass(frozen=True)
class Misconfiguration:
    """A stack configured as people often do, which the gallery scenario exposes."""

    stack: str
    scenario: str
    before: str  # the configuration that blocks
    kind: str  # the error the real server reproduces
    pitfall: str  # words of the pitfall the fix names for it
    server: Server | None = None  # the real server, when not serve(stack, ...)
    server_after: Server | None = None  # the server once fixed, when it differs
    status_before: int | None = None  # the preflight's status, when it is the point

    def run(self, config: str | None, workdir: Path, after: bool) -> AbstractContextManager[str]:
        server = (self.server_after if after else None) or self.server
        if server is None:
            return serve(self.stack, config, workdir)
        return server(config, workdir)


MISCONFIGURATIONS = [
    Misconfiguration(
        "fastapi",
        "custom-header-not-allowed",
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI()\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['https://app.example.test'],\n"
        "    allow_methods=['GET', 'POST'], allow_headers=['content-type'])\n",
        # Starlette answers a preflight it does not allow with 400 (and Allow-Origin): the
        # browser reports a bad status, not the header
        "PreflightInvalidStatus",
        "answers a preflight it does not allow with 400",
        status_before=400,
    ),
    Misconfiguration(
        "flask",
        "custom-header-not-allowed",
        "from flask import Flask\nfrom flask_cors import CORS\n\n"
        "app = Flask(__name__)\n"
        "CORS(app, origins=['https://app.example.test'], allow_headers=['content-type'])\n",
        "HeaderDisallowedByPreflightResponse",  # Flask-CORS answers 200 without the header
        "allow_headers=",
    ),
    Misconfiguration(
        "django",
        "custom-header-not-allowed",
        'INSTALLED_APPS = ["corsheaders"]\n'
        'MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware",\n'
        '              "django.middleware.common.CommonMiddleware"]\n'
        'CORS_ALLOWED_ORIGINS = ["https://app.example.test"]\n',
        "HeaderDisallowedByPreflightResponse",  # default_headers has no x-request-id
        "CORS_ALLOW_HEADERS = (*default_headers",
    ),
    Misconfiguration(
        "express",
        "wildcard-with-credentials",
        'const express = require("express");\nconst cors = require("cors");\n\n'
        "const app = express();\napp.use(cors());",
        "WildcardOriginNotAllowed",  # cors() defaults to Allow-Origin: *
        "never origin: true (reflects any origin) with credentials: true.",
    ),
    Misconfiguration(
        "fastify",
        "method-not-allowed",
        'const fastify = require("fastify")();\n\n'
        'fastify.register(require("@fastify/cors"), { origin: "https://app.example.test" });',
        "MethodDisallowedByPreflightResponse",
        "@fastify/cors allows only GET, HEAD and POST by default.",
    ),
    Misconfiguration(
        "nginx",
        "preflight-401-auth-first",
        "location /items {\n"
        '    add_header Access-Control-Allow-Origin "https://app.example.test";\n'
        '    add_header Access-Control-Allow-Headers "content-type, authorization";\n'
        "    proxy_pass http://backend;\n"
        "}",
        "PreflightMissingAllowOriginHeader",  # add_header without always: not on the 401
        "add_header needs 'always'",
        # the upstream authenticates first and answers 401, OPTIONS included, fixed or not
        server=partial(nginx, upstream_body="return 401;"),
    ),
    Misconfiguration(
        "apache",
        "preflight-401-auth-first",
        '<Location "/items">\n'
        '    Header set Access-Control-Allow-Origin "https://app.example.test"\n'
        '    Header set Access-Control-Allow-Headers "content-type, authorization"\n'
        "</Location>",
        "PreflightMissingAllowOriginHeader",  # Header set without always: not on the 401
        "authentication (Require/Auth*) runs before CORS",
        # the fix pasted beside the same authentication: OPTIONS is answered before it runs
        server=_apache_with_auth,
    ),
    Misconfiguration(
        "caddy",
        "multi-value-allow-origin",
        "api.example.test {\n"
        '    header Access-Control-Allow-Origin "https://app.example.test"\n'
        "    reverse_proxy localhost:8080\n"
        "}",
        "MultipleAllowOriginValues",  # Caddy and its upstream both send Allow-Origin
        "the proxy and the app both add Access-Control-Allow-Origin",
        server=partial(
            caddy,
            upstream_body='header Access-Control-Allow-Origin "https://app.example.test"\n'
            '    respond "[]" 200',
        ),
        server_after=caddy,  # as the pitfall says, the app no longer adds it
    ),
    Misconfiguration(
        "cloudflare-workers",
        "wildcard-with-credentials",
        "export default {\n  async fetch(request) {\n"
        "    const upstream = await fetch(request);\n"
        "    const response = new Response(upstream.body, upstream);\n"
        '    response.headers.set("Access-Control-Allow-Origin", "*");\n'
        "    return response;\n  },\n};",
        "WildcardOriginNotAllowed",  # a Worker that stamps * on every response
        "never echo request.headers.get('Origin') unchecked with credentials.",
    ),
    Misconfiguration(
        "rails",
        "method-not-allowed",
        "Rails.application.config.middleware.insert_before 0, Rack::Cors do\n"
        "  allow do\n"
        '    origins "https://app.example.test"\n'
        '    resource "*", headers: :any, methods: [:get, :post, :options]\n'
        "  end\n"
        "end",
        # rack-cors answers the DELETE preflight 200 with no CORS headers at all
        "PreflightMissingAllowOriginHeader",
        "rack-cors answers a preflight whose method or headers the resource does not allow",
    ),
    Misconfiguration(
        "go-rs-cors",
        "custom-header-not-allowed",
        'c := cors.New(cors.Options{\n\tAllowedOrigins: []string{"https://app.example.test"},\n})\n'
        "handler := c.Handler(router)",
        # rs/cors's default AllowedHeaders lack X-Request-Id: 200, no CORS headers
        "PreflightMissingAllowOriginHeader",
        "rs/cors answers a preflight whose method or headers are not allowed",
    ),
]


def test_every_runnable_stack_has_a_misconfiguration_proof() -> None:
    assert sorted(case.stack for case in MISCONFIGURATIONS) == sorted(RUNNABLE)


@pytest.mark.parametrize("case", MISCONFIGURATIONS, ids=lambda case: case.stack)
def test_a_real_misconfiguration_blocks_and_the_fix_from_its_own_verdict_allows_it(
    case: Misconfiguration, tmp_path: Path
) -> None:
    scenario = load_scenario(GALLERY / f"{case.scenario}.json")
    (tmp_path / "before").mkdir()
    with case.run(case.before, tmp_path / "before", after=False) as base:
        blocked = inspect(scenario.request, base)
    assert blocked.error is not None, f"{case.stack}: the misconfiguration was allowed"
    assert blocked.error.kind == case.kind, blocked.error
    if case.status_before is not None:
        assert blocked.exchanges[0].response is not None
        assert blocked.exchanges[0].response.status == case.status_before

    # the fix the user gets from inspecting their own server, in their stack
    assert blocked.fixes
    fix = stack_fix(case.stack, blocked.fixes[0], blocked.error.kind)
    assert case.pitfall in fix.snippet, fix.snippet
    (tmp_path / "after").mkdir()
    with case.run(fix.snippet, tmp_path / "after", after=True) as base:
        fixed = inspect(scenario.request, base)
    assert fixed.allowed, f"{case.stack}: {fixed.error}\n{fix.snippet}"
    assert fixed.exchanges[-1].response is not None


# --- Next.js: one production build holds a route handler per case ---------------------------


@pytest.fixture(scope="module")
def next_app() -> Iterator[str]:
    """A Next.js app: ``/plain/items`` without CORS, ``/<scenario>/items`` the generated
    route handler of each blocked gallery scenario."""
    routes: dict[str, str | None] = {"plain": None}
    for name in SCENARIOS:
        routes[name] = generated("nextjs", load_scenario(GALLERY / f"{name}.json")).snippet
    with nextjs(routes) as base:
        yield base


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_generated_nextjs_route_handler_turns_the_blocked_request_allowed(
    name: str, next_app: str
) -> None:
    request = load_scenario(GALLERY / f"{name}.json").request
    assert not inspect(request, next_app, "/plain/items").allowed
    after = inspect(request, next_app, f"/{name}/items")
    assert after.allowed, after.error
    assert after.exchanges[-1].response is not None


def test_nextjs_answers_options_itself_without_cors_and_the_fix_exports_options() -> None:
    scenario = load_scenario(GALLERY / "custom-header-not-allowed.json")
    before = (
        "export async function GET(request) {\n"
        '  return Response.json([], { headers: { "Access-Control-Allow-Origin": '
        '"https://app.example.test" } });\n'
        "}"
    )
    with nextjs({"api": before}) as base:
        blocked = inspect(scenario.request, base, "/api/items")
    assert blocked.error is not None
    assert blocked.error.kind == "PreflightMissingAllowOriginHeader"
    assert blocked.exchanges[0].response is not None
    assert blocked.exchanges[0].response.status == 204  # Next.js's own OPTIONS answer
    fix = stack_fix("nextjs", blocked.fixes[0], blocked.error.kind)
    assert "Next.js answers OPTIONS itself" in fix.snippet
    assert "export async function OPTIONS" in fix.snippet
    with nextjs({"api": fix.snippet}) as base:
        fixed = inspect(scenario.request, base, "/api/items")
    assert fixed.allowed, f"{fixed.error}\n{fix.snippet}"
