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
from corsinspector.errors import InputError
from corsinspector.formats.scenario import SCENARIO_FORMAT, scenario_from_dict
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
