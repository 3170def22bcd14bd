"""The browser profiles: one per browser, found by name or alias, each held to its truths."""

from __future__ import annotations

import pytest

from corsinspector.engine.profiles import (
    ALIASES,
    BROWSER_NAMES,
    DEFAULT_PROFILE,
    PROFILES,
    get_profile,
)
from corsinspector.engine.safelist import classify_header, prepare_request
from corsinspector.errors import InputError
from corsinspector.formats.scenario import SCENARIO_FORMAT, scenario_from_dict
from corsinspector.model import Request
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
