"""Properties of the engine over random requests and random server answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corsinspector.engine.judge import judge
from corsinspector.fixes.generic import apply_fix, is_server_fixable
from corsinspector.model import Request, Route, Scenario

API = "https://api.example.test/x"
NAMES = st.sampled_from(
    [
        "Accept",
        "Content-Type",
        "X-Trace",
        "Authorization",
        "Range",
        "Cookie",
        "Origin",
        "accept-language",
        "DPR",
        "Sec-Foo",
        "content-language",
    ]
)
VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=140)
HEADERS = st.lists(st.tuples(NAMES, VALUES), max_size=6).map(tuple)
RESPONSE_NAMES = st.sampled_from(
    [
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Expose-Headers",
        "Location",
        "X-Other",
    ]
)
RESPONSE_VALUES = st.sampled_from(
    [
        "*",
        "https://app.example.test",
        "null",
        "true",
        "PUT",
        "x-trace, content-type",
        "",
        "a b",
        API,
        "/y",
        "https://other.example.test/z",
    ]
)
ROUTES = st.lists(
    st.builds(
        Route,
        method=st.sampled_from(["*", "OPTIONS", "GET", "PUT", "POST"]),
        url=st.sampled_from(
            [None, API, "https://api.example.test/y", "https://other.example.test/z"]
        ),
        status=st.sampled_from([200, 204, 301, 302, 303, 307, 404, 500]),
        headers=st.lists(st.tuples(RESPONSE_NAMES, RESPONSE_VALUES), max_size=5).map(tuple),
    ),
    max_size=5,
).map(tuple)
REQUESTS = st.builds(
    Request,
    url=st.just(API),
    method=st.sampled_from(["GET", "POST", "PUT", "patch", "DELETE", "HEAD"]),
    origin=st.sampled_from(["https://app.example.test", "null", "https://api.example.test"]),
    headers=HEADERS,
    credentials=st.sampled_from(["omit", "same-origin", "include"]),
    mode=st.sampled_from(["cors", "no-cors", "same-origin"]),
    body=st.sampled_from([None, "x", '{"a": 1}']),
)


@settings(max_examples=400, deadline=None)
@given(REQUESTS, ROUTES)
def test_a_verdict_is_allowed_without_error_or_blocked_with_exactly_one(
    request: Request, routes: tuple[Route, ...]
) -> None:
    verdict = judge(Scenario("random", request, routes))
    assert verdict.allowed == (verdict.error is None)
    if verdict.error is not None:
        assert verdict.error.kind
        assert verdict.error.message
    assert len(verdict.exchanges) <= 2 * 21


@settings(max_examples=100, deadline=None)
@given(REQUESTS, ROUTES)
def test_judging_is_deterministic(request: Request, routes: tuple[Route, ...]) -> None:
    scenario = Scenario("random", request, routes)
    assert judge(scenario) == judge(scenario)


@settings(max_examples=300, deadline=None)
@given(REQUESTS, ROUTES)
def test_the_generic_fix_makes_any_blocked_request_pass_unless_it_says_it_cannot(
    request: Request, routes: tuple[Route, ...]
) -> None:
    scenario = Scenario("random", request, routes)
    for _ in range(2 * 21 + 2):  # a round per hop at most (each redirect hop may need two)
        verdict = judge(scenario)
        if verdict.allowed:
            return
        assert verdict.error is not None
        (fix,) = verdict.fixes
        if not is_server_fixable(verdict.error):
            assert fix.title.startswith("No server change can fix this")
            return
        if request.credentials == "include":
            assert all(("Access-Control-Allow-Origin", "*") not in h for _, h in fix.headers)
        scenario = apply_fix(scenario, verdict, fix)
    raise AssertionError(f"still blocked after the fixes: {judge(scenario).error}")
