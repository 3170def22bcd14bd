"""The browsers the engine models, one frozen :class:`Profile` each, and how each differs.

A profile is held to its own browser's recorded truths (``truths``: a folder under
``tests/golden/``). Every way a browser differs from the others is one field here, read by
the rule that needs it, never a test of the browser's name elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from corsinspector.errors import InputError

__all__ = [
    "ALIASES",
    "BROWSER_NAMES",
    "CHROME",
    "CHROMIUM_140",
    "DEFAULT_PROFILE",
    "FIREFOX",
    "PROFILES",
    "SAFARI",
    "Family",
    "Profile",
    "get_profile",
]

Family = Literal["chromium", "firefox", "webkit"]
#: Chromium's and Firefox's order of a preflight's CORS headers.
_PREFLIGHT_ORDER = (
    "Accept",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Origin",
    "Sec-Fetch-Mode",
)


@dataclass(frozen=True, eq=False)  # one object per browser: hashed by identity (fast caches)
class Profile:
    """One browser as the engine models it."""

    #: The name scenario files and the command line use.
    name: str
    #: The engine family: whose kinds and console words the verdict is given in.
    family: Family
    #: The name a person reads ("Chrome", "Safari (WebKit)").
    label: str
    #: The folder of ``tests/golden/`` holding this browser's recorded truths.
    truths: str
    # --- what script may send, and what needs a preflight (engine/safelist.py) ---------
    #: Names the browser forbids besides the spec's (it drops them silently).
    extra_forbidden_names: frozenset[str] = frozenset({"user-agent"})
    #: Chromium's client hints (DPR, Width, Save-Data …) need no preflight.
    client_hints_safelisted: bool = True
    #: ``Range`` is safelisted with its unit in any case (``Bytes=0-1``), not only ``bytes``.
    range_unit_any_case: bool = True
    #: A repeated name is judged on its combined value; else each value on its own, and
    #: ``Access-Control-Request-Headers`` names it once per unsafe value (``x-a,x-a``).
    combines_repeats: bool = True
    #: Bytes 0x80-0xFF are CORS-unsafe in ``Accept`` and ``Content-Type`` (not in the spec).
    high_bytes_unsafe: bool = False
    #: ``Content-Type`` is read as a comma-separated list whose last type counts.
    content_type_last_of_list: bool = False
    #: The ``Accept: */*`` added when script set none counts toward the 1024-byte total.
    counts_default_accept: bool = True
    # --- how the fetch is carried out and checked (engine/walk.py, engine/checks.py) ---
    #: The preflight's CORS headers in the order the browser sends them.
    preflight_headers: tuple[str, ...] = _PREFLIGHT_ORDER
    #: After a redirect made the origin opaque (``null``), the preflight still carries, and
    #: is checked against, the page's origin; only the request itself says ``null``.
    preflight_keeps_page_origin: bool = False
    #: A 3xx whose ``Location`` is empty: ``ignored`` (the response is read as it is),
    #: ``followed`` (to the same URL, until too many redirects) or ``refused`` (a network error).
    empty_location: Literal["ignored", "followed", "refused"] = "ignored"
    #: Several ``Location`` lines are one value, joined with ``", "`` (else a network error).
    joins_location_lines: bool = False
    #: After a redirect turned the request into a GET (dropping the body and its headers),
    #: the preflight still names the dropped headers in Access-Control-Request-Headers.
    preflight_names_dropped_headers: bool = False
    #: A redirect to a URL with a user name or password that CORS does not refuse is followed
    #: (the server sees the URL without them); else a network error.
    follows_userinfo_redirect: bool = False
    #: Merging a response header's lines leaves out empty ones (``true`` plus ``""`` is
    #: ``true`` for Allow-Credentials).
    merge_skips_empty: bool = False
    #: A cors-mode redirect to a scheme the network cannot load (``ftp:``) is a CORS error
    #: (CorsDisabledScheme), not a network failure.
    cors_disabled_redirect: bool = False
    # --- what the page sees ---------------------------------------------------------------
    #: The headers script can read on a ``data:`` URL's response.
    data_url_headers: tuple[str, ...] = ("content-type",)
    #: A ``file:`` URL is refused with "Not allowed to load local resource: …" on the console.
    says_local_resource: bool = False
    #: A public page reaching a private or loopback address needs the user's permission.
    local_network_access: bool = False


CHROMIUM_140 = Profile(
    "chromium-140",
    "chromium",
    "Chromium 140 (embedded)",
    "truths",
    extra_forbidden_names=frozenset({"user-agent", "access-control-request-private-network"}),
)
CHROME = Profile(
    "chrome",
    "chromium",
    "Chrome",
    "truths-chromium",
    range_unit_any_case=False,
    cors_disabled_redirect=True,
    says_local_resource=True,
    local_network_access=True,
)
FIREFOX = Profile(
    "firefox",
    "firefox",
    "Firefox",
    "truths-firefox",
    extra_forbidden_names=frozenset(),
    client_hints_safelisted=False,
    range_unit_any_case=False,
    combines_repeats=False,
    high_bytes_unsafe=True,
    content_type_last_of_list=True,
    counts_default_accept=False,
    preflight_keeps_page_origin=True,
    empty_location="followed",
    cors_disabled_redirect=True,
    follows_userinfo_redirect=True,
    merge_skips_empty=True,
    data_url_headers=("content-length", "content-type"),
    local_network_access=True,
)
SAFARI = Profile(
    "safari",
    "webkit",
    "Safari (WebKit)",
    "truths-webkit",
    extra_forbidden_names=frozenset(),
    client_hints_safelisted=False,
    counts_default_accept=False,
    preflight_headers=(
        "Origin",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Accept",
        "Sec-Fetch-Mode",
    ),
    preflight_names_dropped_headers=True,
    empty_location="refused",
    joins_location_lines=True,
    follows_userinfo_redirect=True,
)

#: Every profile by its name, the default first.
PROFILES: dict[str, Profile] = {p.name: p for p in (CHROME, CHROMIUM_140, FIREFOX, SAFARI)}
DEFAULT_PROFILE = CHROME
#: What scenario files said before profiles: the family's name stands for its current browser.
ALIASES: dict[str, str] = {"chromium": CHROME.name, "webkit": SAFARI.name}
#: Every name a scenario's ``browser`` may hold.
BROWSER_NAMES: tuple[str, ...] = (*PROFILES, *ALIASES)


def get_profile(name: str, where: str = "browser") -> Profile:
    """The profile called ``name`` (or an alias of one); InputError naming ``where``."""
    profile = PROFILES.get(ALIASES.get(name, name))
    if profile is None:
        raise InputError(where, f"must be one of {', '.join(BROWSER_NAMES)}, not {name!r}")
    return profile
