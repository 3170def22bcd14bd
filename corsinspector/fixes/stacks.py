"""The generic fix restated in each server stack's own configuration.

``stack_fix`` turns the exact response headers of a generic :class:`~corsinspector.model.Fix`
into the option names of one server stack (Express ``cors``, FastAPI ``CORSMiddleware``,
nginx ``add_header`` …), with exactly the fix's origin, methods, request headers,
credentials, max-age and exposed headers, followed by the stack's pitfalls that apply to
the failure as short comment lines. Never a blanket ``*`` origin: the fix's exact origin is
always restated. The S3 and API Gateway snippets are pure JSON (their pitfalls are only
available from :func:`stack_pitfalls`); the Python snippets compile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from corsinspector.engine.kinds import CLIENT_SIDE_KINDS
from corsinspector.model import Fix, Headers, header_values

__all__ = ["JSON_STACKS", "STACKS", "comment_mark", "stack_fix", "stack_fixes", "stack_pitfalls"]

STACKS: tuple[str, ...] = (
    "express",
    "fastify",
    "fastapi",
    "flask",
    "django",
    "nginx",
    "apache",
    "caddy",
    "spring",
    "aspnet",
    "go-rs-cors",
    "rails",
    "laravel",
    "s3",
    "api-gateway",
    "cloudflare-workers",
    "nextjs",
)

#: Stacks whose snippet is a JSON document (no room for comment lines).
JSON_STACKS = frozenset({"s3", "api-gateway"})

_TITLES = {
    "express": "Express (cors middleware)",
    "fastify": "Fastify (@fastify/cors)",
    "fastapi": "FastAPI / Starlette (CORSMiddleware)",
    "flask": "Flask (Flask-CORS)",
    "django": "Django (django-cors-headers)",
    "nginx": "nginx (add_header)",
    "apache": "Apache httpd (mod_headers)",
    "caddy": "Caddy v2 (header)",
    "spring": "Spring (CorsRegistry)",
    "aspnet": "ASP.NET Core (AddCors policy)",
    "go-rs-cors": "Go (rs/cors)",
    "rails": "Rails (rack-cors)",
    "laravel": "Laravel (config/cors.php)",
    "s3": "AWS S3 (bucket CORS configuration)",
    "api-gateway": "AWS API Gateway (HTTP API CorsConfiguration)",
    "cloudflare-workers": "Cloudflare Workers (fetch handler)",
    "nextjs": "Next.js (Route Handler)",
}

_SLASH_COMMENT = frozenset(
    {"express", "fastify", "spring", "aspnet", "go-rs-cors", "laravel", "cloudflare-workers"}
    | {"nextjs"}
)

_AUTH_FIRST_KINDS = frozenset({"PreflightInvalidStatus", "PreflightMissingAllowOriginHeader"})
_MULTIPLE_KINDS = frozenset({"MultipleAllowOriginValues", "PreflightMultipleAllowOriginValues"})
_MISSING_KINDS = frozenset({"MissingAllowOriginHeader", "PreflightMissingAllowOriginHeader"})
_WILDCARD_KINDS = frozenset(
    {
        "WildcardOriginNotAllowed",
        "PreflightWildcardOriginNotAllowed",
        "InvalidAllowCredentials",
        "PreflightInvalidAllowCredentials",
        "AllowOriginMismatch",
        "PreflightAllowOriginMismatch",
    }
)
_S3_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")

ACAO = "Access-Control-Allow-Origin"


@dataclass(frozen=True)
class _Spec:
    """What a fix allows, read back from its per-stage headers."""

    origin: str
    methods: tuple[str, ...]
    headers: tuple[str, ...]
    credentials: bool
    max_age: int | None
    expose: tuple[str, ...]
    path: str
    host: str
    method: str
    preflight: Headers
    actual: Headers


def _split(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item and item not in out:
                out.append(item)
    return tuple(out)


def _spec(fix: Fix) -> _Spec:
    stages = dict(fix.headers)
    preflight = stages.get("preflight", ())
    actual = stages.get("actual", ())
    every = preflight + actual
    origins = header_values(actual, ACAO) or header_values(preflight, ACAO)
    match = re.search(r"On the response to (\S+) (\S+):", fix.snippet)
    method, url = (match.group(1), match.group(2)) if match else ("GET", "")
    parts = urlsplit(url)
    methods = _split([method, *header_values(preflight, "Access-Control-Allow-Methods")])
    max_age = header_values(preflight, "Access-Control-Max-Age")
    return _Spec(
        origin=origins[0].strip() if origins else "null",
        methods=methods,
        headers=_split(header_values(preflight, "Access-Control-Allow-Headers")),
        credentials=any(
            v.strip() == "true" for v in header_values(every, "Access-Control-Allow-Credentials")
        ),
        max_age=int(max_age[0]) if max_age and max_age[0].strip().isdigit() else None,
        expose=_split(header_values(every, "Access-Control-Expose-Headers")),
        path=parts.path or "/",
        host=parts.hostname or "api.example.test",
        method=method,
        preflight=preflight,
        actual=actual,
    )


def _q(value: str) -> str:
    """A double-quoted string literal (valid in JS, Python, Java, C#, Go, Ruby, JSON)."""
    return json.dumps(value)


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _args(values: tuple[str, ...]) -> str:
    return ", ".join(_q(v) for v in values)


def comment_mark(stack: str) -> str:
    """How a line comment starts in ``stack``'s snippets (``//`` or ``#``)."""
    return "//" if stack in _SLASH_COMMENT else "#"


# --- pitfalls ---------------------------------------------------------------------------

_AUTH_FIRST = {
    "express": "app.use(cors(...)) must come before authentication and routers: "
    "authentication runs before CORS and answers OPTIONS 401 without CORS headers.",
    "fastify": "register @fastify/cors at the root, before authentication hooks "
    "(onRequest auth runs before CORS otherwise); answer OPTIONS first.",
    "fastapi": "authentication (a dependency or middleware added after CORSMiddleware) runs "
    "before CORS: add CORSMiddleware last so it wraps everything and answers OPTIONS first.",
    "flask": "authentication in before_request runs before CORS: skip it for OPTIONS "
    "(let Flask-CORS answer OPTIONS first).",
    "django": "authentication middleware runs before CORS: put CorsMiddleware at the top of "
    "MIDDLEWARE so it answers OPTIONS first.",
    "nginx": "authentication (auth_request/auth_basic) or the upstream runs before CORS: "
    "answer OPTIONS first with return 204 (and auth_request off for it).",
    "apache": "authentication (Require/Auth*) runs before CORS: exempt OPTIONS "
    "(<If \"%{REQUEST_METHOD} == 'OPTIONS'\"> Require all granted) and answer it first.",
    "caddy": "authentication (basic_auth/forward_auth) runs before CORS: put the OPTIONS "
    "handle first so it answers OPTIONS first.",
    "spring": "Spring Security authentication runs before CORS: enable http.cors() in the "
    "security filter chain so OPTIONS is answered first.",
    "aspnet": "authentication runs before CORS: call app.UseCors after UseRouting and before "
    "UseAuthentication/UseAuthorization so OPTIONS is answered first.",
    "go-rs-cors": "authentication middleware runs before CORS: wrap the whole router "
    "(c.Handler outermost) so OPTIONS is answered first.",
    "rails": "authentication runs before CORS: insert Rack::Cors at position 0 of the "
    "middleware stack so OPTIONS is answered first.",
    "laravel": "authentication middleware runs before CORS: keep HandleCors global "
    "(not in a route group) and the path in 'paths' so OPTIONS is answered first.",
    "s3": "S3 answers OPTIONS itself; a 403 means no CORS rule matched the origin, method "
    "and headers (authentication is not applied to preflights).",
    "api-gateway": "an authorizer (authentication) runs before CORS on OPTIONS routes: "
    "with CorsConfiguration set, API Gateway answers OPTIONS first; "
    "do not attach an authorizer to OPTIONS.",
    "cloudflare-workers": "authentication in the Worker runs before CORS: answer OPTIONS "
    "first, before checking credentials.",
    "nextjs": "authentication middleware runs before CORS: exclude OPTIONS in middleware "
    "and export an OPTIONS handler so it is answered first.",
}

_DUPLICATE = {
    "nginx": "the proxy and the app both add Access-Control-Allow-Origin: keep one "
    "(proxy_hide_header Access-Control-Allow-Origin, or remove it from the app).",
    "apache": "the proxy and the app both add Access-Control-Allow-Origin: keep one "
    "(Header unset before set, or remove it from the app).",
    "caddy": "the proxy and the app both add Access-Control-Allow-Origin: keep one "
    "(header -Access-Control-Allow-Origin in reverse_proxy, or remove it from the app).",
}
_DUPLICATE_DEFAULT = (
    "the proxy and the app both add Access-Control-Allow-Origin: keep one (remove the CORS "
    "headers from the proxy/CDN, or do not use this config behind one that adds them)."
)

_REFLECT = {
    "express": "never origin: true (reflects any origin) with credentials: true.",
    "fastify": "never origin: true (reflects any origin) with credentials: true.",
    "fastapi": "never allow_origins=['*'] with allow_credentials=True: it reflects any origin.",
    "flask": "never the default origins='*' with supports_credentials=True: it reflects "
    "any origin.",
    "django": "never CORS_ALLOW_ALL_ORIGINS = True with credentials: it reflects any origin.",
    "nginx": "never echo $http_origin unchecked with credentials: it allows any origin.",
    "apache": "never echo the Origin header unchecked with credentials: it allows any origin.",
    "caddy": "never echo {http.request.header.Origin} unchecked with credentials.",
    "spring": 'never allowedOriginPatterns("*") with allowCredentials(true): it reflects '
    "any origin.",
    "aspnet": "never SetIsOriginAllowed(_ => true) with AllowCredentials(): it reflects any "
    "origin (AllowAnyOrigin with AllowCredentials is invalid).",
    "go-rs-cors": "never AllowOriginFunc returning true with AllowCredentials: it reflects any "
    "origin.",
    "rails": "never origins '*' or a catch-all regexp with credentials: true.",
    "laravel": "never allowed_origins ['*'] with supports_credentials true.",
    "s3": "S3 has no credentials option: it sends Allow-Credentials itself for a non-'*' "
    "origin; never AllowedOrigins ['*'] for cookies.",
    "api-gateway": "AllowOrigins ['*'] with AllowCredentials true is rejected: list exact origins.",
    "cloudflare-workers": "never echo request.headers.get('Origin') unchecked with credentials.",
    "nextjs": "never echo the request's Origin unchecked with credentials.",
}

_ALWAYS = {
    "nginx": "add_header needs 'always' so the headers reach 4xx/5xx responses; a location "
    "with its own add_header inherits none from the server level.",
    "apache": "use 'Header always set' so the headers reach errors and redirects.",
    "caddy": "use 'header >Name' or defer so the headers also reach proxied responses.",
    "fastapi": "exceptions turned into 500s outside CORSMiddleware carry no CORS headers.",
    "aspnet": "exception-handler 500s carry no CORS headers.",
    "express": "register cors before error handlers, or their responses lack the headers.",
    "django": "responses made by middleware above CorsMiddleware lack the headers.",
}


#: Stacks that answer some preflights themselves, 2xx with no CORS headers at all, so that
#: the browser reports a missing Allow-Origin, not the method or header (all seen live).
_SILENT_PREFLIGHT = {
    "nextjs": "Next.js answers OPTIONS itself (204 with an Allow header, no CORS headers) "
    "for a route that exports no OPTIONS handler: export one, as above.",
    "rails": "rack-cors answers a preflight whose method or headers the resource does not "
    "allow with 200 and no CORS headers, so the browser reports a missing Allow-Origin: "
    "compare the request's method and headers with the resource's methods: and headers:.",
    "go-rs-cors": "rs/cors answers a preflight whose method or headers are not allowed with "
    "200 and no CORS headers, so the browser reports a missing Allow-Origin: compare them "
    "with AllowedMethods and AllowedHeaders (by default only Origin, Accept, Content-Type "
    "and X-Requested-With); Options.Debug logs the reason.",
}


def stack_pitfalls(stack: str, fix: Fix, error_kind: str) -> tuple[str, ...]:
    """The pitfalls of ``stack`` that apply to ``error_kind`` (and to this fix), as sentences."""
    spec = _spec(fix) if fix.headers else None
    out: list[str] = []
    if fix.mistake is not None:
        # the server spelt the right origin wrongly: say so, and how it must be listed
        out.append(
            f"{fix.mistake}. List the origin exactly as above: no trailing slash or path, "
            "lower case, no default port."
        )
    if error_kind in _AUTH_FIRST_KINDS:
        out.append(_AUTH_FIRST[stack])
    if error_kind in _MULTIPLE_KINDS:
        out.append(_DUPLICATE.get(stack, _DUPLICATE_DEFAULT))
    if error_kind in _MISSING_KINDS | _AUTH_FIRST_KINDS and stack in _ALWAYS:
        out.append(_ALWAYS[stack])
    elif stack == "nginx":
        out.append(_ALWAYS["nginx"])
    if (spec is not None and spec.credentials) or error_kind in _WILDCARD_KINDS:
        out.append(_REFLECT[stack])
    if stack == "fastapi" and error_kind == "PreflightInvalidStatus":
        # seen live (tests/fixes/test_stack_proof.py)
        out.append(
            "CORSMiddleware answers a preflight it does not allow with 400 'Disallowed CORS "
            "…', so the browser reports a bad status: compare the request's method and "
            "headers with allow_methods and allow_headers."
        )
    if error_kind == "PreflightMissingAllowOriginHeader" and stack in _SILENT_PREFLIGHT:
        out.append(_SILENT_PREFLIGHT[stack])  # seen live (tests/fixes/test_stack_proof.py)
    if spec is not None:
        extra = set(spec.methods) - {"GET", "HEAD", "POST"}
        if stack == "fastapi" and set(spec.methods) - {"GET"}:
            out.append("CORSMiddleware allows only GET by default: list every method.")
        if stack == "fastify" and extra:
            out.append("@fastify/cors allows only GET, HEAD and POST by default.")
        if stack == "s3" and set(spec.methods) - set(_S3_METHODS):
            out.append("S3 AllowedMethods accepts only GET, PUT, POST, DELETE and HEAD.")
        if stack == "django" and spec.credentials:
            out.append("cookie-authenticated POSTs also need CSRF_TRUSTED_ORIGINS.")
    return tuple(out)


# --- snippets ---------------------------------------------------------------------------


def _opt_lines(pairs: list[tuple[str, str]], indent: str, sep: str, end: str) -> str:
    return "\n".join(f"{indent}{key}{sep}{value}{end}" for key, value in pairs)


def _js_cors_options(s: _Spec) -> list[tuple[str, str]]:
    """The options object of Express's ``cors`` and ``@fastify/cors`` (same names)."""
    pairs = [("origin", _q(s.origin)), ("methods", _list(s.methods))]
    if s.headers:
        pairs.append(("allowedHeaders", _list(s.headers)))
    if s.credentials:
        pairs.append(("credentials", "true"))
    if s.expose:
        pairs.append(("exposedHeaders", _list(s.expose)))
    if s.max_age is not None:
        pairs.append(("maxAge", str(s.max_age)))
    return pairs


def _express(s: _Spec) -> str:
    pairs = _js_cors_options(s)
    return (
        'const express = require("express");\n'
        'const cors = require("cors");\n\n'
        "const app = express();\n"
        "// first, before authentication, routers and error handlers\n"
        "app.use(cors({\n" + _opt_lines(pairs, "  ", ": ", ",") + "\n}));"
    )


def _fastify(s: _Spec) -> str:
    pairs = _js_cors_options(s)
    return (
        'const fastify = require("fastify")();\n\n'
        "// at the root, not inside an encapsulated plugin\n"
        'fastify.register(require("@fastify/cors"), {\n'
        + _opt_lines(pairs, "  ", ": ", ",")
        + "\n});"
    )


def _py_bool(value: bool) -> str:
    return "True" if value else "False"


def _fastapi(s: _Spec) -> str:
    pairs = [("allow_origins", _list((s.origin,))), ("allow_methods", _list(s.methods))]
    if s.headers:
        pairs.append(("allow_headers", _list(s.headers)))
    if s.credentials:
        pairs.append(("allow_credentials", "True"))
    if s.expose:
        pairs.append(("expose_headers", _list(s.expose)))
    if s.max_age is not None:
        pairs.append(("max_age", str(s.max_age)))
    return (
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI()\n"
        "app.add_middleware(\n"
        "    CORSMiddleware,\n" + _opt_lines(pairs, "    ", "=", ",") + "\n)"
    )


def _flask(s: _Spec) -> str:
    pairs = [("origins", _list((s.origin,))), ("methods", _list(s.methods))]
    if s.headers:
        pairs.append(("allow_headers", _list(s.headers)))
    pairs.append(("supports_credentials", _py_bool(s.credentials)))
    if s.expose:
        pairs.append(("expose_headers", _list(s.expose)))
    if s.max_age is not None:
        pairs.append(("max_age", str(s.max_age)))
    return (
        "from flask import Flask\n"
        "from flask_cors import CORS\n\n"
        "app = Flask(__name__)\n"
        "CORS(\n"
        "    app,\n"
        f"    resources={{{_q(s.path)}: {{}}}},\n" + _opt_lines(pairs, "    ", "=", ",") + "\n)"
    )


def _django(s: _Spec) -> str:
    lines = [
        "# settings.py",
        "from corsheaders.defaults import default_headers",
        "",
        "INSTALLED_APPS = [",
        "    # ... your other apps",
        '    "corsheaders",',
        "]",
        "MIDDLEWARE = [",
        '    "corsheaders.middleware.CorsMiddleware",  # first: before CommonMiddleware',
        '    "django.middleware.common.CommonMiddleware",',
        "    # ... the rest of your middleware",
        "]",
        f"CORS_ALLOWED_ORIGINS = {_list((s.origin,))}",
        f"CORS_ALLOW_METHODS = {_list(s.methods)}",
    ]
    if s.headers:
        lines.append(f"CORS_ALLOW_HEADERS = (*default_headers, {_args(s.headers)})")
    lines.append(f"CORS_ALLOW_CREDENTIALS = {_py_bool(s.credentials)}")
    if s.expose:
        lines.append(f"CORS_EXPOSE_HEADERS = {_list(s.expose)}")
    if s.max_age is not None:
        lines.append(f"CORS_PREFLIGHT_MAX_AGE = {s.max_age}")
    if s.credentials:
        lines.append(f"CSRF_TRUSTED_ORIGINS = {_list((s.origin,))}")
    return "\n".join(lines)


def _nginx(s: _Spec) -> str:
    def adds(headers: Headers, indent: str) -> list[str]:
        return [f"{indent}add_header {k} {_q(v)} always;" for k, v in headers]

    lines = [f"location {s.path} {{"]
    if s.preflight:
        lines.append("    if ($request_method = OPTIONS) {")
        lines += adds(s.preflight, "        ")
        lines += ["        return 204;", "    }"]
    lines += adds(s.actual, "    ")
    lines += ["    proxy_pass http://backend;", "}"]
    return "\n".join(lines)


def _apache(s: _Spec) -> str:
    def sets(headers: Headers, indent: str) -> list[str]:
        return [
            f"{indent}Header always {'merge' if k.lower() == 'vary' else 'set'} {k} {_q(v)}"
            for k, v in headers
        ]

    lines = [f'<Location "{s.path}">']
    if s.preflight:
        lines.append("    <If \"%{REQUEST_METHOD} == 'OPTIONS'\">")
        lines += sets(s.preflight, "        ")
        lines += ["    </If>", "    <Else>"]
        lines += sets(s.actual, "        ")
        lines.append("    </Else>")
    else:
        lines += sets(s.actual, "    ")
    lines.append("</Location>")
    if s.preflight:
        lines += [
            "RewriteEngine On",
            "RewriteCond %{REQUEST_METHOD} OPTIONS",
            f"RewriteRule ^{re.escape(s.path)}$ - [R=204,L]",
        ]
    return "\n".join(lines)


def _caddy(s: _Spec) -> str:
    def hdrs(headers: Headers, indent: str) -> list[str]:
        return [f"{indent}header {k} {_q(v)}" for k, v in headers]

    lines = [f"{s.host} {{"]
    if s.preflight:
        lines += ["    @preflight method OPTIONS", "    handle @preflight {"]
        lines += hdrs(s.preflight, "        ")
        lines += ["        respond 204", "    }"]
    lines.append("    handle {")
    lines += hdrs(s.actual, "        ")
    lines += ["        reverse_proxy localhost:8080", "    }", "}"]
    return "\n".join(lines)


def _spring(s: _Spec) -> str:
    calls = [f".allowedOrigins({_q(s.origin)})", f".allowedMethods({_args(s.methods)})"]
    if s.headers:
        calls.append(f".allowedHeaders({_args(s.headers)})")
    if s.expose:
        calls.append(f".exposedHeaders({_args(s.expose)})")
    if s.credentials:
        calls.append(".allowCredentials(true)")
    if s.max_age is not None:
        calls.append(f".maxAge({s.max_age})")
    calls[-1] += ";"
    body = "\n".join(f"            {c}" for c in calls)
    return (
        "@Configuration\n"
        "public class CorsConfig implements WebMvcConfigurer {\n"
        "    @Override\n"
        "    public void addCorsMappings(CorsRegistry registry) {\n"
        f"        registry.addMapping({_q(s.path)})\n{body}\n"
        "    }\n"
        "}"
    )


def _aspnet(s: _Spec) -> str:
    calls = [f".WithOrigins({_q(s.origin)})", f".WithMethods({_args(s.methods)})"]
    if s.headers:
        calls.append(f".WithHeaders({_args(s.headers)})")
    if s.expose:
        calls.append(f".WithExposedHeaders({_args(s.expose)})")
    if s.credentials:
        calls.append(".AllowCredentials()")
    if s.max_age is not None:
        calls.append(f".SetPreflightMaxAge(TimeSpan.FromSeconds({s.max_age}))")
    calls[-1] += ");"
    body = "\n".join(f"        {c}" for c in calls)
    return (
        "builder.Services.AddCors(options =>\n"
        "{\n"
        '    options.AddPolicy("Api", policy => policy\n'
        f"{body}\n"
        "});\n"
        "// after app.UseRouting(), before app.UseAuthentication()\n"
        'app.UseCors("Api");'
    )


def _go(s: _Spec) -> str:
    pairs = [
        ("AllowedOrigins", "[]string{" + _args((s.origin,)) + "}"),
        ("AllowedMethods", "[]string{" + _args(s.methods) + "}"),
    ]
    if s.headers:
        pairs.append(("AllowedHeaders", "[]string{" + _args(s.headers) + "}"))
    if s.expose:
        pairs.append(("ExposedHeaders", "[]string{" + _args(s.expose) + "}"))
    if s.credentials:
        pairs.append(("AllowCredentials", "true"))
    if s.max_age is not None:
        pairs.append(("MaxAge", str(s.max_age)))
    return (
        "c := cors.New(cors.Options{\n"
        + _opt_lines(pairs, "\t", ": ", ",")
        + "\n})\n"
        + "handler := c.Handler(router) // wrap the whole router"
    )


def _rails(s: _Spec) -> str:
    methods = ", ".join(f":{m.lower()}" for m in (*s.methods, "OPTIONS"))
    opts = [f"methods: [{methods}]"]
    if s.headers:
        opts.append(f"headers: {_list(s.headers)}")
    if s.credentials:
        opts.append("credentials: true")
    if s.expose:
        opts.append(f"expose: {_list(s.expose)}")
    if s.max_age is not None:
        opts.append(f"max_age: {s.max_age}")
    body = ",\n".join(f"      {o}" for o in opts)
    return (
        "# config/initializers/cors.rb\n"
        "Rails.application.config.middleware.insert_before 0, Rack::Cors do\n"
        "  allow do\n"
        f"    origins {_q(s.origin)}\n"
        f"    resource {_q(s.path)},\n{body}\n"
        "  end\n"
        "end"
    )


def _php_list(values: tuple[str, ...]) -> str:
    return (
        "["
        + ", ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values)
        + "]"
    )


def _laravel(s: _Spec) -> str:
    return (
        "<?php\n"
        "// config/cors.php\n"
        "return [\n"
        f"    'paths' => {_php_list((s.path.lstrip('/') or '/',))},\n"
        f"    'allowed_methods' => {_php_list(s.methods)},\n"
        f"    'allowed_origins' => {_php_list((s.origin,))},\n"
        "    'allowed_origins_patterns' => [],\n"
        f"    'allowed_headers' => {_php_list(s.headers)},\n"
        f"    'exposed_headers' => {_php_list(s.expose)},\n"
        f"    'max_age' => {s.max_age or 0},\n"
        f"    'supports_credentials' => {'true' if s.credentials else 'false'},\n"
        "];"
    )


def _s3(s: _Spec) -> str:
    rule: dict[str, object] = {
        "AllowedOrigins": [s.origin],
        "AllowedMethods": [m for m in s.methods if m in _S3_METHODS],
        "AllowedHeaders": list(s.headers),
        "ExposeHeaders": list(s.expose),
    }
    if s.max_age is not None:
        rule["MaxAgeSeconds"] = s.max_age
    return json.dumps({"CORSRules": [rule]}, indent=2)


def _api_gateway(s: _Spec) -> str:
    config: dict[str, object] = {
        "AllowOrigins": [s.origin],
        "AllowMethods": list(s.methods),
        "AllowHeaders": list(s.headers),
        "AllowCredentials": s.credentials,
        "ExposeHeaders": list(s.expose),
    }
    if s.max_age is not None:
        config["MaxAge"] = s.max_age
    return json.dumps(config, indent=2)


def _js_object(headers: Headers, indent: str) -> str:
    return "{\n" + "".join(f"{indent}  {_q(k)}: {_q(v)},\n" for k, v in headers) + indent + "}"


def _workers(s: _Spec) -> str:
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
        lines.append(f"    response.headers.{verb}({_q(k)}, {_q(v)});")
    lines += ["    return response;", "  },", "};"]
    return "\n".join(lines)


def _nextjs(s: _Spec) -> str:
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


_BUILDERS: dict[str, Callable[[_Spec], str]] = {
    "express": _express,
    "fastify": _fastify,
    "fastapi": _fastapi,
    "flask": _flask,
    "django": _django,
    "nginx": _nginx,
    "apache": _apache,
    "caddy": _caddy,
    "spring": _spring,
    "aspnet": _aspnet,
    "go-rs-cors": _go,
    "rails": _rails,
    "laravel": _laravel,
    "s3": _s3,
    "api-gateway": _api_gateway,
    "cloudflare-workers": _workers,
    "nextjs": _nextjs,
}


def _commented(stack: str, lines: list[str]) -> str:
    mark = comment_mark(stack)
    return "\n".join(f"{mark} {line}".rstrip() for line in lines)


def stack_fix(stack: str, fix: Fix, error_kind: str) -> Fix:
    """The generic ``fix`` restated in ``stack``'s own configuration (see the module doc)."""
    if stack not in _BUILDERS:
        raise ValueError(f"unknown server stack {stack!r}; known: {', '.join(STACKS)}")
    name = _TITLES[stack]
    if not fix.headers or fix.redirect is not None:
        lines = fix.snippet.splitlines()
        client_side = error_kind in CLIENT_SIDE_KINDS or (not fix.headers and fix.redirect is None)
        if client_side:
            lines.append(f"No server change in {name} can help: change the page or network.")
        else:
            lines.append(f"In {name}: change the redirect as above, then add the CORS headers.")
        lines += stack_pitfalls(stack, fix, error_kind)
        return Fix(
            stack, f"{name}: {fix.title}", _commented(stack, lines), fix.headers, fix.redirect
        )
    snippet = _BUILDERS[stack](_spec(fix))
    if stack not in JSON_STACKS:
        pitfalls = stack_pitfalls(stack, fix, error_kind)
        if pitfalls:
            snippet += "\n" + _commented(stack, ["Pitfalls:", *pitfalls])
    return Fix(stack, f"{name}: {fix.title}", snippet, fix.headers, fix.redirect)


def stack_fixes(fix: Fix, error_kind: str) -> tuple[Fix, ...]:
    """``fix`` restated for every stack, in :data:`STACKS` order."""
    return tuple(stack_fix(stack, fix, error_kind) for stack in STACKS)
