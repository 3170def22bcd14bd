"""The JavaScript stacks: Express (cors), Fastify (@fastify/cors), Cloudflare Workers and
Next.js Route Handlers."""

from __future__ import annotations

from corsinspector.engine.kinds import PREFLIGHT_MISSING_ALLOW_ORIGIN
from corsinspector.engine.vocabulary import SAFELISTED_METHODS
from corsinspector.fixes.stack import Spec, Stack, js_list, opt_lines, q
from corsinspector.model import Headers

__all__ = ["EXPRESS", "FASTIFY", "NEXTJS", "WORKERS"]


def _js_cors_options(s: Spec) -> list[tuple[str, str]]:
    """The options object of Express's ``cors`` and ``@fastify/cors`` (same names)."""
    pairs = [("origin", q(s.origin)), ("methods", js_list(s.methods))]
    if s.headers:
        pairs.append(("allowedHeaders", js_list(s.headers)))
    if s.credentials:
        pairs.append(("credentials", "true"))
    if s.expose:
        pairs.append(("exposedHeaders", js_list(s.expose)))
    if s.max_age is not None:
        pairs.append(("maxAge", str(s.max_age)))
    return pairs


def _express(s: Spec) -> str:
    pairs = _js_cors_options(s)
    return (
        'const express = require("express");\n'
        'const cors = require("cors");\n\n'
        "const app = express();\n"
        "// first, before authentication, routers and error handlers\n"
        "app.use(cors({\n" + opt_lines(pairs, "  ", ": ", ",") + "\n}));"
    )


def _fastify(s: Spec) -> str:
    pairs = _js_cors_options(s)
    return (
        'const fastify = require("fastify")();\n\n'
        "// at the root, not inside an encapsulated plugin\n"
        'fastify.register(require("@fastify/cors"), {\n'
        + opt_lines(pairs, "  ", ": ", ",")
        + "\n});"
    )


def _js_object(headers: Headers, indent: str) -> str:
    return "{\n" + "".join(f"{indent}  {q(k)}: {q(v)},\n" for k, v in headers) + indent + "}"


def _workers(s: Spec) -> str:
    lines = ["export default {", "  async fetch(request) {"]
    if s.preflight:
        lines += [
            '    if (request.method === "OPTIONS") {',
            "      return new Response(null, { status: 204, headers: "
            + _js_object(s.preflight, "      ")
            + " });",
            "    }",
        ]
    lines += [
        "    const upstream = await fetch(request);",
        "    const response = new Response(upstream.body, upstream);",
    ]
    for k, v in s.actual:
        verb = "append" if k.lower() == "vary" else "set"
        lines.append(f"    response.headers.{verb}({q(k)}, {q(v)});")
    lines += ["    return response;", "  },", "};"]
    return "\n".join(lines)


def _nextjs(s: Spec) -> str:
    segment = s.path.strip("/") or "api"
    lines = [f"// app/{segment}/route.js", f"const CORS = {_js_object(s.actual, '')};", ""]
    if s.preflight:
        lines += [
            "export async function OPTIONS() {",
            "  return new Response(null, { status: 204, headers: "
            + _js_object(s.preflight, "  ")
            + " });",
            "}",
            "",
        ]
    lines += [
        f"export async function {s.method}(request) {{",
        "  const data = {}; // your handler's result",
        "  return Response.json(data, { headers: CORS });",
        "}",
    ]
    return "\n".join(lines)


def _fastify_methods(s: Spec) -> tuple[str, ...]:
    if set(s.methods) - SAFELISTED_METHODS:
        return ("@fastify/cors allows only GET, HEAD and POST by default.",)
    return ()


EXPRESS = Stack(
    "express",
    "Express (cors middleware)",
    _express,
    auth_first="app.use(cors(...)) must come before authentication and routers: "
    "authentication runs before CORS and answers OPTIONS 401 without CORS headers.",
    reflect="never origin: true (reflects any origin) with credentials: true.",
    comment="//",
    on_errors="register cors before error handlers, or their responses lack the headers.",
)

FASTIFY = Stack(
    "fastify",
    "Fastify (@fastify/cors)",
    _fastify,
    auth_first="register @fastify/cors at the root, before authentication hooks "
    "(onRequest auth runs before CORS otherwise); answer OPTIONS first.",
    reflect="never origin: true (reflects any origin) with credentials: true.",
    comment="//",
    spec_pitfalls=_fastify_methods,
)

WORKERS = Stack(
    "cloudflare-workers",
    "Cloudflare Workers (fetch handler)",
    _workers,
    auth_first="authentication in the Worker runs before CORS: answer OPTIONS "
    "first, before checking credentials.",
    reflect="never echo request.headers.get('Origin') unchecked with credentials.",
    comment="//",
)

NEXTJS = Stack(
    "nextjs",
    "Next.js (Route Handler)",
    _nextjs,
    auth_first="authentication middleware runs before CORS: exclude OPTIONS in middleware "
    "and export an OPTIONS handler so it is answered first.",
    reflect="never echo the request's Origin unchecked with credentials.",
    comment="//",
    # seen live (tests/fixes/test_stack_proof.py)
    own_preflight=(
        PREFLIGHT_MISSING_ALLOW_ORIGIN,
        "Next.js answers OPTIONS itself (204 with an Allow header, no CORS headers) "
        "for a route that exports no OPTIONS handler: export one, as above.",
    ),
)
