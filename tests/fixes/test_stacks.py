"""The generic fix restated per server stack (corsinspector.fixes.stacks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corsinspector.engine.judge import judge
from corsinspector.fixes.generic import generic_fix
from corsinspector.fixes.stacks import JSON_STACKS, STACKS, stack_fix, stack_fixes, stack_pitfalls
from corsinspector.formats.scenario import load_scenario
from corsinspector.model import Fix, header_values

GALLERY = Path(__file__).resolve().parents[2] / "resources" / "gallery"
FIXED = (
    "custom-header-not-allowed",
    "wildcard-with-credentials",
    "method-not-allowed",
    "multi-value-allow-origin",
    "preflight-401-auth-first",
)
PYTHON_STACKS = ("fastapi", "flask", "django")
REQUIRED = (
    "express", "fastify", "fastapi", "flask", "django", "nginx", "apache", "caddy", "spring",
    "aspnet", "go-rs-cors", "rails", "laravel", "s3", "api-gateway", "cloudflare-workers",
    "nextjs",
)  # fmt: skip


def _fix(name: str) -> tuple[Fix, str]:
    scenario = load_scenario(GALLERY / f"{name}.json")
    verdict = judge(scenario)
    assert verdict.error is not None
    fix = generic_fix(scenario, verdict)
    assert fix is not None
    return fix, verdict.error.kind


def _stage(fix: Fix, name: str) -> tuple[tuple[str, str], ...]:
    return dict(fix.headers).get(name, ())


def test_stacks_cover_the_required_ones() -> None:
    assert set(REQUIRED) <= set(STACKS)
    assert len(set(STACKS)) == len(STACKS)


def test_simple_get_allowed_has_no_fix() -> None:
    scenario = load_scenario(GALLERY / "simple-get-allowed.json")
    assert generic_fix(scenario, judge(scenario)) is None


@pytest.mark.parametrize("name", FIXED)
def test_every_stack_gets_a_fix_in_order(name: str) -> None:
    fix, kind = _fix(name)
    fixes = stack_fixes(fix, kind)
    assert tuple(f.server for f in fixes) == STACKS
    for f in fixes:
        assert f.title
        assert f.snippet
        assert f.headers == fix.headers


@pytest.mark.parametrize("name", FIXED)
def test_exact_origin_methods_and_headers_appear(name: str) -> None:
    fix, kind = _fix(name)
    origin = header_values(_stage(fix, "actual"), "Access-Control-Allow-Origin")[0]
    methods = header_values(_stage(fix, "preflight"), "Access-Control-Allow-Methods")
    names = [
        n.strip()
        for v in header_values(_stage(fix, "preflight"), "Access-Control-Allow-Headers")
        for n in v.split(",")
    ]
    credentials = bool(header_values(_stage(fix, "actual"), "Access-Control-Allow-Credentials"))
    for f in stack_fixes(fix, kind):
        assert origin in f.snippet, f.server
        for method in methods:
            assert method.lower() in f.snippet.lower(), f.server
        for header in names:
            assert header in f.snippet, f.server
        if credentials:
            code = [
                line for line in f.snippet.splitlines() if not line.lstrip().startswith(("#", "//"))
            ]
            assert not any('"*"' in line or "'*'" in line for line in code), f.server


def test_credentials_are_restated() -> None:
    fix, kind = _fix("wildcard-with-credentials")
    snippets = {f.server: f.snippet for f in stack_fixes(fix, kind)}
    assert "credentials: true" in snippets["express"]
    assert "allow_credentials=True" in snippets["fastapi"]
    assert "supports_credentials=True" in snippets["flask"]
    assert "CORS_ALLOW_CREDENTIALS = True" in snippets["django"]
    assert ".allowCredentials(true)" in snippets["spring"]
    assert ".AllowCredentials()" in snippets["aspnet"]
    assert "AllowCredentials: true" in snippets["go-rs-cors"]
    assert "'supports_credentials' => true" in snippets["laravel"]
    assert json.loads(snippets["api-gateway"])["AllowCredentials"] is True
    assert "reflects any origin" in snippets["express"]


@pytest.mark.parametrize("name", FIXED)
@pytest.mark.parametrize("stack", PYTHON_STACKS)
def test_python_snippets_compile(name: str, stack: str) -> None:
    fix, kind = _fix(name)
    compile(stack_fix(stack, fix, kind).snippet, "<fix>", "exec")


@pytest.mark.parametrize("name", FIXED)
def test_s3_json_has_the_documented_shape(name: str) -> None:
    fix, kind = _fix(name)
    data = json.loads(stack_fix("s3", fix, kind).snippet)
    assert set(data) == {"CORSRules"}
    (rule,) = data["CORSRules"]
    assert set(rule) <= {
        "ID", "AllowedOrigins", "AllowedMethods", "AllowedHeaders", "ExposeHeaders",
        "MaxAgeSeconds",
    }  # fmt: skip
    assert {"AllowedOrigins", "AllowedMethods", "AllowedHeaders"} <= set(rule)
    assert rule["AllowedOrigins"] == [
        header_values(_stage(fix, "actual"), "Access-Control-Allow-Origin")[0]
    ]
    assert set(rule["AllowedMethods"]) <= {"GET", "PUT", "POST", "DELETE", "HEAD"}
    if _stage(fix, "preflight"):
        assert rule["MaxAgeSeconds"] == 600


@pytest.mark.parametrize("name", FIXED)
def test_api_gateway_json_has_the_documented_shape(name: str) -> None:
    fix, kind = _fix(name)
    data = json.loads(stack_fix("api-gateway", fix, kind).snippet)
    assert set(data) <= {
        "AllowOrigins", "AllowMethods", "AllowHeaders", "AllowCredentials", "MaxAge",
        "ExposeHeaders",
    }  # fmt: skip
    assert data["AllowOrigins"] != ["*"]
    assert isinstance(data["AllowCredentials"], bool)
    if _stage(fix, "preflight"):
        assert data["MaxAge"] == 600


def test_nginx_golden() -> None:
    fix, kind = _fix("method-not-allowed")
    snippet = stack_fix("nginx", fix, kind).snippet
    assert "if ($request_method = OPTIONS) {" in snippet
    assert "return 204;" in snippet
    for line in snippet.splitlines():
        if "add_header" in line and not line.lstrip().startswith("#"):
            assert line.endswith(" always;"), line
    assert "Access-Control-Allow-Methods" in snippet


def test_auth_first_pitfall() -> None:
    fix, kind = _fix("preflight-401-auth-first")
    for stack in ("express", "fastapi", "nginx"):
        snippet = stack_fix(stack, fix, kind).snippet
        assert "authentication" in snippet, stack
        assert "OPTIONS" in snippet, stack
    for stack in STACKS:
        assert any("authentication" in p for p in stack_pitfalls(stack, fix, kind)), stack


def test_duplicate_header_pitfall() -> None:
    fix, kind = _fix("multi-value-allow-origin")
    for stack in STACKS:
        assert any("both add" in p for p in stack_pitfalls(stack, fix, kind)), stack
        if stack not in JSON_STACKS:
            assert "keep one" in stack_fix(stack, fix, kind).snippet, stack
    assert "proxy_hide_header" in stack_fix("nginx", fix, kind).snippet


def test_auth_pitfall_absent_when_not_relevant() -> None:
    fix, kind = _fix("custom-header-not-allowed")
    assert "authentication runs before" not in stack_fix("express", fix, kind).snippet


def test_client_side_fix_says_no_server_change_helps() -> None:
    generic = Fix("generic", "No server change can fix this: change the page", "use https")
    for stack in STACKS:
        f = stack_fix(stack, generic, "MixedContent")
        assert f.server == stack
        assert "use https" in f.snippet
        assert "No server change" in f.snippet
    for stack in PYTHON_STACKS:
        compile(stack_fix(stack, generic, "MixedContent").snippet, "<fix>", "exec")


def test_unknown_stack_is_refused() -> None:
    fix, kind = _fix("method-not-allowed")
    with pytest.raises(ValueError, match="unknown server stack"):
        stack_fix("cobol", fix, kind)


def test_exposed_headers_are_restated() -> None:
    fix, kind = _fix("custom-header-not-allowed")
    stages = tuple(
        (stage, (*headers, ("Access-Control-Expose-Headers", "X-Total-Count")))
        for stage, headers in fix.headers
    )
    exposed = Fix(fix.server, fix.title, fix.snippet, stages)
    for f in stack_fixes(exposed, kind):
        assert "X-Total-Count" in f.snippet, f.server
    s3 = json.loads(stack_fix("s3", exposed, kind).snippet)
    assert s3["CORSRules"][0]["ExposeHeaders"] == ["X-Total-Count"]


def test_redirect_fix_is_restated_as_text() -> None:
    generic = Fix("generic", "Answer without this redirect", "Answer GET x itself (200)", (), "")
    for stack in STACKS:
        f = stack_fix(stack, generic, "NetworkFailure")
        assert "Answer GET x itself" in f.snippet
        assert f.redirect == ""


def test_middlewares_that_answer_a_disallowed_preflight_silently_say_so() -> None:
    fix, kind = _fix("preflight-401-auth-first")
    assert kind == "PreflightMissingAllowOriginHeader"
    for stack, words in (
        ("rails", "rack-cors answers a preflight whose method or headers"),
        ("go-rs-cors", "rs/cors answers a preflight whose method or headers"),
        ("nextjs", "Next.js answers OPTIONS itself (204 with an Allow header"),
    ):
        pitfalls = stack_pitfalls(stack, fix, kind)
        assert any(words in p and "no CORS headers" in p for p in pitfalls), stack
    other, other_kind = _fix("custom-header-not-allowed")
    assert not any("rack-cors answers" in p for p in stack_pitfalls("rails", other, other_kind))
