"""The application frameworks outside Python and JavaScript: Spring (CorsRegistry), ASP.NET
Core (AddCors), Go (rs/cors), Rails (rack-cors) and Laravel (config/cors.php)."""

from __future__ import annotations

from corsinspector.engine.kinds import PREFLIGHT_MISSING_ALLOW_ORIGIN
from corsinspector.fixes.stack import Spec, Stack, js_list, opt_lines, q, q_args

__all__ = ["ASPNET", "GO_RS_CORS", "LARAVEL", "RAILS", "SPRING"]


def _spring(s: Spec) -> str:
    calls = [f".allowedOrigins({q(s.origin)})", f".allowedMethods({q_args(s.methods)})"]
    if s.headers:
        calls.append(f".allowedHeaders({q_args(s.headers)})")
    if s.expose:
        calls.append(f".exposedHeaders({q_args(s.expose)})")
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
        f"        registry.addMapping({q(s.path)})\n{body}\n"
        "    }\n"
        "}"
    )


def _aspnet(s: Spec) -> str:
    calls = [f".WithOrigins({q(s.origin)})", f".WithMethods({q_args(s.methods)})"]
    if s.headers:
        calls.append(f".WithHeaders({q_args(s.headers)})")
    if s.expose:
        calls.append(f".WithExposedHeaders({q_args(s.expose)})")
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


def _go(s: Spec) -> str:
    pairs = [
        ("AllowedOrigins", "[]string{" + q_args((s.origin,)) + "}"),
        ("AllowedMethods", "[]string{" + q_args(s.methods) + "}"),
    ]
    if s.headers:
        pairs.append(("AllowedHeaders", "[]string{" + q_args(s.headers) + "}"))
    if s.expose:
        pairs.append(("ExposedHeaders", "[]string{" + q_args(s.expose) + "}"))
    if s.credentials:
        pairs.append(("AllowCredentials", "true"))
    if s.max_age is not None:
        pairs.append(("MaxAge", str(s.max_age)))
    return (
        "c := cors.New(cors.Options{\n"
        + opt_lines(pairs, "\t", ": ", ",")
        + "\n})\n"
        + "handler := c.Handler(router) // wrap the whole router"
    )


def _rails(s: Spec) -> str:
    methods = ", ".join(f":{m.lower()}" for m in (*s.methods, "OPTIONS"))
    opts = [f"methods: [{methods}]"]
    if s.headers:
        opts.append(f"headers: {js_list(s.headers)}")
    if s.credentials:
        opts.append("credentials: true")
    if s.expose:
        opts.append(f"expose: {js_list(s.expose)}")
    if s.max_age is not None:
        opts.append(f"max_age: {s.max_age}")
    body = ",\n".join(f"      {o}" for o in opts)
    return (
        "# config/initializers/cors.rb\n"
        "Rails.application.config.middleware.insert_before 0, Rack::Cors do\n"
        "  allow do\n"
        f"    origins {q(s.origin)}\n"
        f"    resource {q(s.path)},\n{body}\n"
        "  end\n"
        "end"
    )


def _php_list(values: tuple[str, ...]) -> str:
    return (
        "["
        + ", ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values)
        + "]"
    )


def _laravel(s: Spec) -> str:
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


SPRING = Stack(
    "spring",
    "Spring (CorsRegistry)",
    _spring,
    auth_first="Spring Security authentication runs before CORS: enable http.cors() in the "
    "security filter chain so OPTIONS is answered first.",
    reflect='never allowedOriginPatterns("*") with allowCredentials(true): it reflects any origin.',
    comment="//",
)

ASPNET = Stack(
    "aspnet",
    "ASP.NET Core (AddCors policy)",
    _aspnet,
    auth_first="authentication runs before CORS: call app.UseCors after UseRouting and before "
    "UseAuthentication/UseAuthorization so OPTIONS is answered first.",
    reflect="never SetIsOriginAllowed(_ => true) with AllowCredentials(): it reflects any "
    "origin (AllowAnyOrigin with AllowCredentials is invalid).",
    comment="//",
    on_errors="exception-handler 500s carry no CORS headers.",
)

GO_RS_CORS = Stack(
    "go-rs-cors",
    "Go (rs/cors)",
    _go,
    auth_first="authentication middleware runs before CORS: wrap the whole router "
    "(c.Handler outermost) so OPTIONS is answered first.",
    reflect="never AllowOriginFunc returning true with AllowCredentials: it reflects any origin.",
    comment="//",
    # seen live (tests/fixes/test_stack_proof.py)
    own_preflight=(
        PREFLIGHT_MISSING_ALLOW_ORIGIN,
        "rs/cors answers a preflight whose method or headers are not allowed with "
        "200 and no CORS headers, so the browser reports a missing Allow-Origin: compare them "
        "with AllowedMethods and AllowedHeaders (by default only Origin, Accept, Content-Type "
        "and X-Requested-With); Options.Debug logs the reason.",
    ),
)

RAILS = Stack(
    "rails",
    "Rails (rack-cors)",
    _rails,
    auth_first="authentication runs before CORS: insert Rack::Cors at position 0 of the "
    "middleware stack so OPTIONS is answered first.",
    reflect="never origins '*' or a catch-all regexp with credentials: true.",
    # seen live (tests/fixes/test_stack_proof.py)
    own_preflight=(
        PREFLIGHT_MISSING_ALLOW_ORIGIN,
        "rack-cors answers a preflight whose method or headers the resource does not "
        "allow with 200 and no CORS headers, so the browser reports a missing Allow-Origin: "
        "compare the request's method and headers with the resource's methods: and headers:.",
    ),
)

LARAVEL = Stack(
    "laravel",
    "Laravel (config/cors.php)",
    _laravel,
    auth_first="authentication middleware runs before CORS: keep HandleCors global "
    "(not in a route group) and the path in 'paths' so OPTIONS is answered first.",
    reflect="never allowed_origins ['*'] with supports_credentials true.",
    comment="//",
)
