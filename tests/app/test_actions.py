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


#: Keys a text field takes for itself on X11 (Qt's KB_X11 bindings: a QLineEdit with the focus
#: would eat them before any menu saw them), and the editing keys of every platform.
EDITING_KEYS = {
    "ctrl+e",  # end of line
    "ctrl+k",  # delete to the end of line
    "ctrl+d",  # delete
    "ctrl+a",
    "ctrl+shift+a",
    "ctrl+c",
    "ctrl+v",
    "ctrl+x",
    "ctrl+z",
    "ctrl+shift+z",
    "ctrl+y",
    "ctrl+insert",
    "shift+insert",
    "shift+delete",
    "home",
    "end",
}


def test_no_action_takes_a_key_a_text_field_uses() -> None:
    taken = {k.lower() for entry in ACTIONS for k in entry.keys} & EDITING_KEYS
    assert taken == set()


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
