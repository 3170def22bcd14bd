"""The Python stacks: FastAPI / Starlette (CORSMiddleware), Flask (Flask-CORS) and Django
(django-cors-headers). Their snippets compile."""

from __future__ import annotations

from corsinspector.engine.kinds import PREFLIGHT_INVALID_STATUS
from corsinspector.fixes.stack import Spec, Stack, js_list, opt_lines, q, q_args

__all__ = ["DJANGO", "FASTAPI", "FLASK"]


def _py_bool(value: bool) -> str:
    return "True" if value else "False"


def _fastapi(s: Spec) -> str:
    pairs = [("allow_origins", js_list((s.origin,))), ("allow_methods", js_list(s.methods))]
    if s.headers:
        pairs.append(("allow_headers", js_list(s.headers)))
    if s.credentials:
        pairs.append(("allow_credentials", "True"))
    if s.expose:
        pairs.append(("expose_headers", js_list(s.expose)))
    if s.max_age is not None:
        pairs.append(("max_age", str(s.max_age)))
    return (
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n\n"
        "app = FastAPI()\n"
        "app.add_middleware(\n"
        "    CORSMiddleware,\n" + opt_lines(pairs, "    ", "=", ",") + "\n)"
    )


def _flask(s: Spec) -> str:
    pairs = [("origins", js_list((s.origin,))), ("methods", js_list(s.methods))]
    if s.headers:
        pairs.append(("allow_headers", js_list(s.headers)))
    pairs.append(("supports_credentials", _py_bool(s.credentials)))
    if s.expose:
        pairs.append(("expose_headers", js_list(s.expose)))
    if s.max_age is not None:
        pairs.append(("max_age", str(s.max_age)))
    return (
        "from flask import Flask\n"
        "from flask_cors import CORS\n\n"
        "app = Flask(__name__)\n"
        "CORS(\n"
        "    app,\n"
        f"    resources={{{q(s.path)}: {{}}}},\n" + opt_lines(pairs, "    ", "=", ",") + "\n)"
    )


def _django(s: Spec) -> str:
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
        f"CORS_ALLOWED_ORIGINS = {js_list((s.origin,))}",
        f"CORS_ALLOW_METHODS = {js_list(s.methods)}",
    ]
    if s.headers:
        lines.append(f"CORS_ALLOW_HEADERS = (*default_headers, {q_args(s.headers)})")
    lines.append(f"CORS_ALLOW_CREDENTIALS = {_py_bool(s.credentials)}")
    if s.expose:
        lines.append(f"CORS_EXPOSE_HEADERS = {js_list(s.expose)}")
    if s.max_age is not None:
        lines.append(f"CORS_PREFLIGHT_MAX_AGE = {s.max_age}")
    if s.credentials:
        lines.append(f"CSRF_TRUSTED_ORIGINS = {js_list((s.origin,))}")
    return "\n".join(lines)


def _fastapi_methods(s: Spec) -> tuple[str, ...]:
    if set(s.methods) - {"GET"}:
        return ("CORSMiddleware allows only GET by default: list every method.",)
    return ()


def _django_csrf(s: Spec) -> tuple[str, ...]:
    return ("cookie-authenticated POSTs also need CSRF_TRUSTED_ORIGINS.",) if s.credentials else ()


FASTAPI = Stack(
    "fastapi",
    "FastAPI / Starlette (CORSMiddleware)",
    _fastapi,
    auth_first="authentication (a dependency or middleware added after CORSMiddleware) runs "
    "before CORS: add CORSMiddleware last so it wraps everything and answers OPTIONS first.",
    reflect="never allow_origins=['*'] with allow_credentials=True: it reflects any origin.",
    on_errors="exceptions turned into 500s outside CORSMiddleware carry no CORS headers.",
    # seen live (tests/fixes/test_stack_proof.py)
    own_preflight=(
        PREFLIGHT_INVALID_STATUS,
        "CORSMiddleware answers a preflight it does not allow with 400 'Disallowed CORS "
        "…', so the browser reports a bad status: compare the request's method and "
        "headers with allow_methods and allow_headers.",
    ),
    spec_pitfalls=_fastapi_methods,
)

FLASK = Stack(
    "flask",
    "Flask (Flask-CORS)",
    _flask,
    auth_first="authentication in before_request runs before CORS: skip it for OPTIONS "
    "(let Flask-CORS answer OPTIONS first).",
    reflect="never the default origins='*' with supports_credentials=True: it reflects any origin.",
)

DJANGO = Stack(
    "django",
    "Django (django-cors-headers)",
    _django,
    auth_first="authentication middleware runs before CORS: put CorsMiddleware at the top of "
    "MIDDLEWARE so it answers OPTIONS first.",
    reflect="never CORS_ALLOW_ALL_ORIGINS = True with credentials: it reflects any origin.",
    on_errors="responses made by middleware above CorsMiddleware lack the headers.",
    spec_pitfalls=_django_csrf,
)
