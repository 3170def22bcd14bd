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
