"""The window's actions, in one table: each with its menu, its words and its keys (the menu
bar, the shortcuts and Help's list of keys are all made from it)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACTIONS", "MENUS", "Action", "action", "keys_text"]

#: The menu bar, left to right.
MENUS = ("File", "Edit", "Request", "Watch", "View", "Help")


@dataclass(frozen=True)
class Action:
    #: The name the window wires it by.
    id: str
    #: One of MENUS.
    menu: str
    #: The menu's words (``&`` marks the mnemonic).
    label: str
    #: Its keys, as QKeySequence reads them; the first is the one shown.
    keys: tuple[str, ...]
    #: What it does, for the status bar and the tooltip.
    tip: str
    #: A check mark (on/off) rather than a command.
    checkable: bool = False
    #: A separator comes before it in its menu.
    separated: bool = False


ACTIONS: tuple[Action, ...] = (
    Action("new_tab", "File", "&New tab", ("Ctrl+T",), "Open a new request tab"),
    Action("close_tab", "File", "&Close tab", ("Ctrl+W",), "Close the current request tab"),
    Action(
        "open_collection",
        "File",
        "&Open collection…",
        ("Ctrl+O",),
        "Open a cors-collection/1 file in the Collection tab",
        separated=True,
    ),
    Action(
        "save_request",
        "File",
        "&Save request into collection…",
        ("Ctrl+S",),
        "Add the current request to the open collection's Saved folder",
    ),
    Action("quit", "File", "&Quit", ("Ctrl+Q",), "Close the window", separated=True),
    Action("focus_url", "Edit", "Go to the &URL", ("Ctrl+L",), "Put the cursor in the URL"),
    Action(
        "copy_message",
        "Edit",
        "&Copy console message",
        ("Ctrl+Shift+C",),
        "Copy the console message, word for word",
    ),
    Action("send", "Request", "&Send", ("Ctrl+Return", "Ctrl+Enter"), "Send the request"),
    Action("cancel", "Request", "&Cancel", ("Escape",), "Stop the inspection in flight"),
    Action(
        "ask_browser",
        "Request",
        "Ask the &real browser",
        ("Ctrl+B",),
        "Run the same request in embedded Chromium (Ask in: another installed browser) "
        "and show its verdict beside its engine profile's",
        separated=True,
    ),
    Action(
        "what_if",
        "Request",
        "&What-if: edit the server's answers",
        ("Ctrl+Shift+E",),
        "Edit the response headers; the verdict is judged again offline, nothing sent",
        checkable=True,
    ),
    Action(
        "try_fix",
        "Request",
        "&Try the fix",
        ("Ctrl+Shift+F",),
        "Judge the request again, offline, as if the server sent the fix",
    ),
    Action(
        "watch",
        "Watch",
        "&Watch a page…",
        ("Ctrl+Shift+W",),
        "Type your app's URL: every request the page makes, judged beside the browser's verdict",
    ),
    Action("stop_watch", "Watch", "S&top watching", ("Ctrl+Alt+W",), "Close the watched browser"),
    Action("show_page", "Watch", "Show the &page", ("Ctrl+Shift+G",), "The watched page's window"),
    Action(
        "find_watched",
        "Watch",
        "&Find in the watched requests",
        ("Ctrl+F",),
        "Filter the list by method, URL, origin or error kind",
        separated=True,
    ),
    Action(
        "all_requests",
        "Watch",
        "&All requests or cross-origin only",
        ("Ctrl+Alt+A",),
        "Show same-origin requests too, or only cross-origin ones",
    ),
    Action(
        "edit_resend",
        "Watch",
        "&Edit and re-send",
        ("Ctrl+Shift+R",),
        "Open the selected watched request as a request tab",
        separated=True,
    ),
    Action(
        "save_watched",
        "Watch",
        "Save to &collection…",
        ("Ctrl+Alt+S",),
        "Add the selected watched request to the open collection, with its verdict",
    ),
    Action(
        "save_scenario",
        "Watch",
        "Save as &scenario…",
        ("Ctrl+Shift+S",),
        "Write the selected watched request and its answers as a cors-scenario/1 file",
    ),
    Action("side_by_side", "View", "&Side by side", ("Ctrl+1",), "The exchanges side by side"),
    Action("sequence", "View", "S&equence", ("Ctrl+2",), "The exchanges step by step"),
    Action(
        "full_screen",
        "View",
        "&Full screen",
        ("F11",),
        "Fill the screen with the window",
        checkable=True,
        separated=True,
    ),
    Action(
        "presentation",
        "View",
        "&Presentation mode",
        ("Ctrl+Shift+P",),
        "Larger text everywhere in the window, for teaching",
        checkable=True,
    ),
    Action("keys", "Help", "&Keyboard shortcuts", ("F1",), "Every action and its keys"),
    Action("about", "Help", "&About CORS Inspector", (), "What this program is"),
)

_BY_ID = {entry.id: entry for entry in ACTIONS}


def action(action_id: str) -> Action:
    """The action named ``action_id`` (KeyError when there is none)."""
    return _BY_ID[action_id]


def keys_text() -> str:
    """Help's list: each menu, then its actions with their keys, one a line, in two columns."""
    listed = [entry for entry in ACTIONS if entry.keys]
    width = max(len(" or ".join(entry.keys)) for entry in listed)
    lines: list[str] = []
    for menu in MENUS:
        entries = [entry for entry in listed if entry.menu == menu]
        if not entries:
            continue
        if lines:
            lines.append("")
        lines.append(menu)
        for entry in entries:
            label = entry.label.replace("&", "").removesuffix("…")
            lines.append(f"  {' or '.join(entry.keys):<{width}}  {label}")
    return "\n".join(lines)
