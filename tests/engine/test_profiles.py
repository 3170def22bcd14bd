"""The browser profiles: one per browser, found by name or alias, each held to its truths."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corsinspector.engine.judge import judge
from corsinspector.engine.localnetwork import address_space
from corsinspector.engine.profiles import (
    ALIASES,
    BROWSER_NAMES,
    DEFAULT_PROFILE,
    PROFILES,
    get_profile,
)
from corsinspector.engine.safelist import classify_header, prepare_request
from corsinspector.errors import InputError
from corsinspector.formats.scenario import SCENARIO_FORMAT, scenario_from_dict, scenario_to_dict
from corsinspector.model import Request, Route, Scenario, Verdict
from tests.golden.corpus import GOLDEN


def test_chrome_is_the_default_and_each_browser_has_a_profile() -> None:
    assert DEFAULT_PROFILE is PROFILES["chrome"]
    assert sorted(PROFILES) == ["chrome", "chromium-140", "firefox", "safari"]
    assert [p.label for p in PROFILES.values()] == [
        "Chrome",
        "Chromium 140 (embedded)",
        "Firefox",
        "Safari (WebKit)",
    ]
    assert {p.name: p.family for p in PROFILES.values()} == {
        "chrome": "chromium",
        "chromium-140": "chromium",
        "firefox": "firefox",
        "safari": "webkit",
    }


def test_each_profile_is_held_to_a_folder_of_truths() -> None:
    for profile in PROFILES.values():
        assert len(list((GOLDEN / profile.truths).glob("*.json"))) >= 500, profile.name


def test_aliases_name_what_scenario_files_said_before() -> None:
    assert ALIASES == {"chromium": "chrome", "webkit": "safari"}
    assert get_profile("chromium") is PROFILES["chrome"]
    assert get_profile("webkit") is PROFILES["safari"]
    assert get_profile("chromium-140") is PROFILES["chromium-140"]


def test_an_unknown_browser_is_an_input_error_naming_the_field() -> None:
    with pytest.raises(InputError) as caught:
        get_profile("opera")
    assert caught.value.where == "browser"
    assert "chromium-140" in caught.value.message
    assert "'opera'" in caught.value.message


@pytest.mark.parametrize("name", BROWSER_NAMES)
def test_the_scenario_reader_accepts_every_profile_and_alias(name: str) -> None:
    data = {"format": SCENARIO_FORMAT, "browser": name, "request": {"url": "https://a.test/"}}
    assert scenario_from_dict(data).browser == name


def test_the_scenario_reader_refuses_an_unknown_browser() -> None:
    data = {"format": SCENARIO_FORMAT, "browser": "opera", "request": {"url": "https://a.test/"}}
    with pytest.raises(InputError, match="browser"):
        scenario_from_dict(data)


# --- what each browser lets script send, and what needs a preflight --------------------------

API = "https://api.example.test/data"
PAGE = "https://app.example.test"
#: Where the page is served: a public address (TEST-NET-3).
PUBLIC_PAGE = (("app.example.test", "203.0.113.5"),)


def _unsafe(profile: str, *headers: tuple[str, str], body: str | None = None) -> tuple[str, ...]:
    method = "GET" if body is None else "POST"
    request = Request(API, method=method, origin=PAGE, headers=headers, body=body)
    return prepare_request(request, get_profile(profile)).unsafe_names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("User-Agent", {"chromium-140": True, "chrome": True, "firefox": False, "safari": False}),
        (
            "Access-Control-Request-Private-Network",
            {"chromium-140": True, "chrome": False, "firefox": False, "safari": False},
        ),
    ],
)
def test_forbidden_names_differ_by_browser(name: str, expected: dict[str, bool]) -> None:
    for profile, forbidden in expected.items():
        status = classify_header(name, "1", profile=get_profile(profile)).status
        assert (status == "forbidden") is forbidden, profile


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        # client hints: Chromium's own safelisted names
        ((("DPR", "2"),), None, {"chromium-140": (), "chrome": (), "firefox": ("dpr",)}),
        # the Range unit in capitals: only Chromium 140 and WebKit take it
        (
            (("Range", "Bytes=0-1"),),
            None,
            {"chromium-140": (), "chrome": ("range",), "firefox": ("range",), "safari": ()},
        ),
        # repeats: combined (over 128 bytes) in Chromium and WebKit, one by one in Firefox
        (
            (("Accept", "a" * 64), ("Accept", "b" * 64)),
            None,
            {"chrome": ("accept",), "safari": ("accept",), "firefox": ()},
        ),
        ((("X-A", "1"), ("x-a", "2")), None, {"chrome": ("x-a",), "firefox": ("x-a", "x-a")}),
        # a byte over 0x7F is CORS-unsafe only in Firefox
        ((("Accept", "text/\xe9"),), None, {"chrome": (), "safari": (), "firefox": ("accept",)}),
        # Firefox reads Content-Type as a list whose last type counts
        (
            (("Content-Type", "text/plain;x=1, application/json"),),
            "x",
            {"chrome": (), "safari": (), "firefox": ("content-type",)},
        ),
    ],
)
def test_what_needs_a_preflight_differs_by_browser(
    headers: tuple[tuple[str, str], ...], body: str | None, expected: dict[str, tuple[str, ...]]
) -> None:
    for profile, unsafe in expected.items():
        assert _unsafe(profile, *headers, body=body) == unsafe, profile


# --- Local Network Access -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "resolve", "space"),
    [
        ("localhost", (), "loopback"),
        ("dev.localhost", (), "loopback"),
        ("127.0.0.2", (), "loopback"),
        ("[::1]", (), "loopback"),
        ("192.168.1.20", (), "local"),
        ("10.1.2.3", (), "local"),
        ("172.31.0.1", (), "local"),
        ("172.32.0.1", (), "public"),
        ("169.254.0.9", (), "local"),
        ("[fd00::1]", (), "local"),
        ("203.0.113.10", (), "public"),
        ("api.example.test", (), None),  # a name placed nowhere: not known
        ("NAS.example.test", (("nas.example.test", "192.168.1.20"),), "local"),
        ("box.example.test", (("box.example.test", "::1"),), "loopback"),
    ],
)
def test_a_hosts_address_space(
    host: str, resolve: tuple[tuple[str, str], ...], space: str | None
) -> None:
    assert address_space(host, resolve) == space


def _lna(profile: str, page: str, url: str, **fields: object) -> Verdict:
    route = Route("*", None, 200, (("Access-Control-Allow-Origin", "*"),))
    request = replace(Request(url, origin=page), **fields)  # type: ignore[arg-type]
    return judge(Scenario("lna", request, (route,), browser=profile))


def test_a_public_page_needs_permission_to_reach_loopback_in_chrome_and_firefox() -> None:
    for profile in ("chrome", "firefox"):
        verdict = _lna(profile, PAGE, "http://localhost:9000/data", resolve=PUBLIC_PAGE)
        assert not verdict.allowed
        assert verdict.error is not None
        assert verdict.error.kind == "LocalNetworkAccessPermissionDenied"
        assert verdict.exchanges == ()  # refused before anything is sent
    for profile in ("chromium-140", "safari"):
        assert _lna(profile, PAGE, "http://localhost:9000/data", resolve=PUBLIC_PAGE).allowed


def test_a_page_placed_nowhere_is_not_judged_but_the_verdict_says_what_could_happen() -> None:
    """A bare name's page reaching loopback: where the page is served is not known, so nothing
    is refused; the verdict says when it would be. A special-use name (the demo's
    https://app.example.test) is never served from a public address: no note."""
    deployed = "https://app.example.com"
    for profile in ("chrome", "firefox"):
        verdict = _lna(profile, deployed, "http://localhost:9000/data")
        assert verdict.allowed
        (note,) = [n for n in verdict.notes if n.startswith("Local Network Access")]
        assert note == (
            "Local Network Access: if https://app.example.com is served from a public address, "
            "Chrome and Firefox refuse this request to a loopback address unless the user "
            "allows it."
        )
        assert _lna(profile, PAGE, "http://localhost:9000/data").notes == ()
    assert not _lna("chromium-140", deployed, "http://localhost:9000/data").notes
    granted = _lna("chrome", deployed, "http://localhost:9000/data", local_network_access=True)
    assert not granted.notes


def test_chromes_words_name_the_address_space() -> None:
    nas = (("nas.example.test", "192.168.1.20"),)
    verdict = _lna("chrome", PAGE, "http://localhost:9000/data", resolve=PUBLIC_PAGE)
    assert verdict.error is not None
    assert verdict.error.message == (
        "Access to fetch at 'http://localhost:9000/data' from origin 'https://app.example.test' "
        "has been blocked by CORS policy: Permission was denied for this request to access the "
        "`loopback` address space."
    )
    assert verdict.error.failed_parameter == ""  # as Chrome 156's corsErrorStatus
    verdict = _lna("chrome", PAGE, "https://nas.example.test/x", resolve=nas + PUBLIC_PAGE)
    assert verdict.error is not None
    assert "access the `local` address space." in verdict.error.message


def test_a_local_page_reaches_loopback_freely_in_chrome_not_in_firefox() -> None:
    """Chromium 156, recorded (lna-local-to-loopback): a page on 192.168.1.20 fetches
    localhost without the permission; the firefox profile still asks (not yet recorded)."""
    nas = (("nas.example.test", "192.168.1.20"),)
    for page in ("http://nas.example.test", "https://nas.example.test"):
        assert _lna("chrome", page, "http://localhost:9000/data", resolve=nas).allowed
        firefox = _lna("firefox", page, "http://localhost:9000/data", resolve=nas)
        assert firefox.error is not None
        assert firefox.error.kind == "LocalNetworkAccessPermissionDenied"


def test_permission_granted_or_a_space_no_more_private_lets_it_through() -> None:
    assert _lna("chrome", PAGE, "http://localhost:9000/", local_network_access=True).allowed
    assert _lna("chrome", "http://localhost:8080", "http://localhost:9000/").allowed
    assert _lna("chrome", "http://localhost:8080", "http://10.0.0.7/").allowed
    assert _lna("chrome", PAGE, "https://api.example.test/").allowed


def test_a_redirect_into_the_local_network_is_refused_at_that_hop() -> None:
    routes = (
        Route(
            "GET",
            API,
            302,
            (("Location", "http://localhost:9000/x"), ("Access-Control-Allow-Origin", "*")),
        ),
        Route("*", None, 200, (("Access-Control-Allow-Origin", "*"),)),
    )
    request = Request(API, origin=PAGE, resolve=PUBLIC_PAGE)
    verdict = judge(Scenario("lna", request, routes, browser="chrome"))
    assert verdict.error is not None
    assert (verdict.error.stage, verdict.error.kind) == (
        "actual",
        "LocalNetworkAccessPermissionDenied",
    )
    assert [e.request.url for e in verdict.exchanges] == [API]


def test_the_reader_takes_the_permission_and_what_names_resolve_to() -> None:
    data = {
        "format": SCENARIO_FORMAT,
        "request": {
            "url": "https://nas.example.test/",
            "local_network_access": "granted",
            "resolve": {"NAS.example.test": "192.168.1.20"},
        },
    }
    request = scenario_from_dict(data).request
    assert request.local_network_access is True
    assert request.resolve == (("nas.example.test", "192.168.1.20"),)
    assert scenario_to_dict(scenario_from_dict(data))["request"]["resolve"] == {
        "nas.example.test": "192.168.1.20"
    }
    data["request"]["resolve"] = {"nas.example.test": "not-an-ip"}  # type: ignore[index]
    with pytest.raises(InputError, match=r"request\.resolve"):
        scenario_from_dict(data)
