"""What the exchange panes show besides the headers (corsinspector.app.exchanges), judged
offline over the gallery."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from corsinspector.app.exchanges import (
    body_text,
    cors_pair,
    exchange_shown,
    exposure,
    is_muted,
    timing_text,
)
from corsinspector.app.gallery import GALLERY
from corsinspector.engine.judge import judge
from corsinspector.formats.scenario import load_scenario
from corsinspector.model import Response, Timings, Verdict


def _judged(name: str) -> Verdict:
    return judge(load_scenario(GALLERY / f"{name}.json"))


@pytest.mark.parametrize(
    ("name", "asked_header", "asked", "answered_header", "answered"),
    [
        (
            "custom-header-not-allowed",
            "Access-Control-Request-Headers",
            "x-request-id",
            "Access-Control-Allow-Headers",
            "content-type",
        ),
        (
            "method-not-allowed",
            "Access-Control-Request-Method",
            "DELETE",
            "Access-Control-Allow-Methods",
            "GET, POST",
        ),
        (
            "missing-allow-origin",
            "Origin",
            "https://app.example.test",
            "Access-Control-Allow-Origin",
            None,
        ),
        (
            "allow-origin-trailing-slash",
            "Origin",
            "https://app.example.test",
            "Access-Control-Allow-Origin",
            "https://app.example.test/",
        ),
        (
            "wildcard-with-credentials",
            "Origin",
            "https://app.example.test (with credentials)",
            "Access-Control-Allow-Origin",
            "*",
        ),
        (
            "redirected-preflight",
            "request",
            "OPTIONS https://api.example.test/items",
            "Location",
            "/items/",
        ),
    ],
)
def test_the_pair_that_explains_a_block_names_what_was_asked_and_what_was_answered(
    name: str, asked_header: str, asked: str, answered_header: str, answered: str | None
) -> None:
    verdict = _judged(name)
    pair = cors_pair(verdict)
    assert pair is not None
    assert verdict.error is not None
    assert pair.stage == verdict.error.stage
    assert (pair.asked_header, pair.asked) == (asked_header, asked)
    assert (pair.answered_header, pair.answered) == (answered_header, answered)
    assert pair.asked_is_header == (asked_header != "request")
    shown = answered if answered is not None else "(missing)"
    assert pair.text == f"asked {asked_header}: {asked}   ↔   {answered_header}: {shown}"
    assert pair.short.startswith(f"asked: {asked}   ↔   ")
    assert pair.short.endswith(answered if answered is not None else "nothing (header missing)")


def test_the_short_pair_reads_as_the_brief_puts_it() -> None:
    pair = cors_pair(_judged("custom-header-not-allowed"))
    assert pair is not None
    assert pair.short == "asked: x-request-id   ↔   allowed: content-type"
    redirect = cors_pair(_judged("redirected-preflight"))
    assert redirect is not None
    assert redirect.short.endswith("↔   redirected to: /items/")


def test_a_failed_preflight_status_pairs_the_request_with_the_status() -> None:
    verdict = _judged("preflight-401-auth-first")
    assert verdict.error is not None
    invalid_status = replace(verdict.error, kind="PreflightInvalidStatus", header=None, value="401")
    pair = cors_pair(replace(verdict, error=invalid_status))
    assert pair is not None
    assert (pair.answered_header, pair.answered) == ("status", "401")
    assert pair.asked.startswith("OPTIONS ")


def test_an_allowed_request_has_no_pair() -> None:
    assert cors_pair(_judged("simple-get-allowed")) is None
    assert cors_pair(_judged("json-post-preflight")) is None


def test_plumbing_is_muted_and_the_browsers_cors_headers_are_not() -> None:
    for name in ("Host", "connection", "User-Agent", "Sec-Fetch-Mode", "Accept-Encoding"):
        assert is_muted(name), name
    for name in ("Origin", "Access-Control-Request-Method", "access-control-request-headers"):
        assert not is_muted(name), name
    assert not is_muted("Authorization")


def test_each_actual_response_header_is_readable_or_hidden_with_the_reason() -> None:
    verdict = _judged("expose-headers")
    exchange = exchange_shown(verdict, "actual")
    assert exchange is not None
    assert exchange.response is not None
    marks = {mark.name: mark for mark in exposure(verdict, exchange.response)}
    assert marks["X-Total-Count"].readable
    assert marks["X-Total-Count"].why == "listed in Access-Control-Expose-Headers"
    assert marks["X-Total-Count"].label == "readable by script"
    assert not marks["X-Internal"].readable
    assert marks["X-Internal"].label == "hidden from script"
    assert "not listed in Access-Control-Expose-Headers" in marks["X-Internal"].why
    assert marks["Content-Type"].readable
    assert marks["Content-Type"].why == "a CORS-safelisted response header"
    readable = {mark.name.lower() for mark in marks.values() if mark.readable}
    assert readable == set(verdict.exposed_headers)


def test_a_blocked_response_shows_script_nothing() -> None:
    verdict = _judged("missing-allow-origin")
    exchange = exchange_shown(verdict, "actual")
    assert exchange is not None
    assert exchange.response is not None
    marks = exposure(verdict, exchange.response)
    assert marks
    assert not any(mark.readable for mark in marks)
    assert all("blocked" in mark.why for mark in marks)


def test_the_body_is_pretty_json_or_text_and_cut_at_the_cap() -> None:
    json_body = Response(200, (("Content-Type", "application/json"),), body='{"a":[1,2]}')
    assert body_text(json_body) == json.dumps({"a": [1, 2]}, indent=2)
    text = Response(200, (("Content-Type", "text/plain"),), body="{not json")
    assert body_text(text) == "{not json"
    long = Response(200, (("Content-Type", "text/plain"),), body="x" * 100)
    shown = body_text(long, cap=10)
    assert shown.startswith("x" * 10 + "\n")
    assert shown.endswith("(cut: 100 bytes in all)")
    assert body_text(Response(204)) == "(no body)"


def test_timings_are_one_line_of_the_phases_that_happened() -> None:
    assert timing_text(None) == ""
    timings = Timings(connect=1.25, first_byte=3.5, done=4.0)
    assert timing_text(timings) == "connect 1.2 ms · first byte 3.5 ms · done 4.0 ms"
