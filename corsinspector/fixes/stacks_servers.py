"""The web servers in front of an app: nginx (add_header), Apache httpd (mod_headers) and
Caddy v2 (header)."""

from __future__ import annotations

import re

from corsinspector.fixes.stack import Spec, Stack, q
from corsinspector.model import Headers

__all__ = ["APACHE", "CADDY", "NGINX"]


def _nginx(s: Spec) -> str:
    def adds(headers: Headers, indent: str) -> list[str]:
        return [f"{indent}add_header {k} {q(v)} always;" for k, v in headers]

    lines = [f"location {s.path} {{"]
    if s.preflight:
        lines.append("    if ($request_method = OPTIONS) {")
        lines += adds(s.preflight, "        ")
        lines += ["        return 204;", "    }"]
    lines += adds(s.actual, "    ")
    lines += ["    proxy_pass http://backend;", "}"]
    return "\n".join(lines)


def _apache(s: Spec) -> str:
    def sets(headers: Headers, indent: str) -> list[str]:
        return [
            f"{indent}Header always {'merge' if k.lower() == 'vary' else 'set'} {k} {q(v)}"
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


def _caddy(s: Spec) -> str:
    def hdrs(headers: Headers, indent: str) -> list[str]:
        return [f"{indent}header {k} {q(v)}" for k, v in headers]

    lines = [f"{s.host} {{"]
    if s.preflight:
        lines += ["    @preflight method OPTIONS", "    handle @preflight {"]
        lines += hdrs(s.preflight, "        ")
        lines += ["        respond 204", "    }"]
    lines.append("    handle {")
    lines += hdrs(s.actual, "        ")
    lines += ["        reverse_proxy localhost:8080", "    }", "}"]
    return "\n".join(lines)


NGINX = Stack(
    "nginx",
    "nginx (add_header)",
    _nginx,
    auth_first="authentication (auth_request/auth_basic) or the upstream runs before CORS: "
    "answer OPTIONS first with return 204 (and auth_request off for it).",
    reflect="never echo $http_origin unchecked with credentials: it allows any origin.",
    duplicate="the proxy and the app both add Access-Control-Allow-Origin: keep one "
    "(proxy_hide_header Access-Control-Allow-Origin, or remove it from the app).",
    on_errors="add_header needs 'always' so the headers reach 4xx/5xx responses; a location "
    "with its own add_header inherits none from the server level.",
    on_errors_always=True,
)

APACHE = Stack(
    "apache",
    "Apache httpd (mod_headers)",
    _apache,
    auth_first="authentication (Require/Auth*) runs before CORS: exempt OPTIONS "
    "(<If \"%{REQUEST_METHOD} == 'OPTIONS'\"> Require all granted) and answer it first.",
    reflect="never echo the Origin header unchecked with credentials: it allows any origin.",
    duplicate="the proxy and the app both add Access-Control-Allow-Origin: keep one "
    "(Header unset before set, or remove it from the app).",
    on_errors="use 'Header always set' so the headers reach errors and redirects.",
)

CADDY = Stack(
    "caddy",
    "Caddy v2 (header)",
    _caddy,
    auth_first="authentication (basic_auth/forward_auth) runs before CORS: put the OPTIONS "
    "handle first so it answers OPTIONS first.",
    reflect="never echo {http.request.header.Origin} unchecked with credentials.",
    duplicate="the proxy and the app both add Access-Control-Allow-Origin: keep one "
    "(header -Access-Control-Allow-Origin in reverse_proxy, or remove it from the app).",
    on_errors="use 'header >Name' or defer so the headers also reach proxied responses.",
)
