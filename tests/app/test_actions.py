"""The window's action table: every action in a menu, no key bound twice, Help lists them."""

from __future__ import annotations

from corsinspector.app.actions import ACTIONS, MENUS, action, keys_text


def test_every_action_has_a_menu_its_own_id_and_keys_no_other_action_takes() -> None:
    assert len({entry.id for entry in ACTIONS}) == len(ACTIONS)
    assert {entry.menu for entry in ACTIONS} == set(MENUS)
    keys = [k.lower() for entry in ACTIONS for k in entry.keys]
    assert len(keys) == len(set(keys))
    assert all(entry.keys for entry in ACTIONS if entry.id != "about")
    # the keys browsers and API clients use for tabs open and close tabs
    assert action("new_tab").keys == ("Ctrl+T",)
    assert action("close_tab").keys == ("Ctrl+W",)
    assert action("full_screen").keys == ("F11",)
    assert action("full_screen").checkable
    assert action("presentation").checkable


def test_help_lists_each_menu_then_its_actions_and_keys() -> None:
    text = keys_text()
    lines = text.splitlines()
    assert lines[0] == "File"
    keys_and_words = {line.split()[0]: line for line in lines if line.startswith("  ")}
    assert keys_and_words["Ctrl+T"].endswith(" New tab")
    assert keys_and_words["Ctrl+Return"].endswith("Ctrl+Enter  Send")
    assert keys_and_words["F11"].endswith(" Full screen")
    columns = {keys_and_words[k].index(w) for k, w in (("Ctrl+T", "New"), ("F11", "Full"))}
    assert columns == {keys_and_words["Ctrl+Return"].index("Send")}  # the words in one column
    assert [line for line in lines if line and not line.startswith(" ")] == list(MENUS)
    assert "About" not in text  # no keys: not listed
