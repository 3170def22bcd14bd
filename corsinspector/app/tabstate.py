"""The open request tabs across starts: each tab's fields as typed, kept as JSON in the
settings. Light on purpose (json loaded when needed): the window restores its tabs before its
first paint."""

from __future__ import annotations

from typing import Any

__all__ = ["TabFields", "tab_title", "tabs_from_json", "tabs_json"]

#: A tab's fields: the request editor's, as typed (``method``, ``url``, ``origin``,
#: ``credentials``, ``mode``, ``body``: strings or None; ``headers``: [name, value, on] rows).
TabFields = dict[str, Any]
_TEXT_FIELDS = ("method", "url", "origin", "credentials", "mode", "body")


def tabs_json(tabs: list[TabFields], current: int) -> str:
    """The open tabs and the current one, for the settings."""
    import json  # loaded when first needed: a first start has no tabs to read

    return json.dumps({"current": current, "tabs": tabs})


def _tab(value: object) -> TabFields | None:
    if not isinstance(value, dict):
        return None
    tab: TabFields = {
        key: value[key]
        for key in _TEXT_FIELDS
        if key in value and isinstance(value[key], str | None)
    }
    rows = value.get("headers")
    tab["headers"] = [
        [str(row[0]), str(row[1]), bool(row[2]) if len(row) > 2 else True]
        for row in (rows if isinstance(rows, list) else [])
        if isinstance(row, list) and len(row) >= 2 and all(isinstance(x, str) for x in row[:2])
    ]
    return tab


def tabs_from_json(text: str) -> tuple[list[TabFields], int]:
    """The tabs kept by :func:`tabs_json` and the current one's index; what is damaged is
    left out (no tabs: an empty list)."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return [], 0
    if not isinstance(data, dict) or not isinstance(data.get("tabs"), list):
        return [], 0
    tabs = [tab for tab in map(_tab, data["tabs"]) if tab is not None]
    current = data.get("current")
    index = current if isinstance(current, int) and 0 <= current < len(tabs) else 0
    return tabs, index


def tab_title(tab: TabFields) -> str:
    """A tab's name: the method and the URL's host and path, short; "New request" when empty."""
    from urllib.parse import urlsplit

    url = str(tab.get("url") or "").strip()
    if not url:
        return "New request"
    parts = urlsplit(url if "://" in url else "//" + url)
    where = (parts.netloc + parts.path) or url
    title = f"{tab.get('method') or 'GET'} {where}"
    return title if len(title) <= 32 else title[:31] + "…"
