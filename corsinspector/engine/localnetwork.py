"""Local Network Access: which address space a host is in, and when a page needs the user's
permission to reach it: a public page calling a local or loopback address (Chrome 156 and
Firefox); a local page calling loopback (Firefox only: Chromium 156, recorded with the page on
192.168.1.20, lets it through without asking, from an http or an https page).

A host's space comes from the scenario: a literal IP's range, ``localhost`` (loopback), or what
the request's ``resolve`` says the name resolves to. Any other name's space is unknown: as a
target it counts as public (no permission needed), and a page whose space is unknown (a bare
name such as ``app.example.test``, or an opaque origin) is not judged: the verdict says when the
permission could be asked for, rather than blocking every page named but not placed.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from corsinspector.model import Request
from corsinspector.origins import is_loopback_host

__all__ = ["AddressSpace", "address_space", "space_needing_permission", "unplaced_page_note"]

AddressSpace = Literal["public", "local", "loopback"]
#: How private each space is: a request to a more private space than its page's needs leave.
_PRIVACY: dict[AddressSpace, int] = {"public": 0, "local": 1, "loopback": 2}
#: The local (private) ranges: RFC 1918, link-local, unique-local (IPv6).
_LOCAL_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16")
_LOCAL_NETWORKS = tuple(ipaddress.ip_network(n) for n in (*_LOCAL_RANGES, "fc00::/7", "fe80::/10"))


@lru_cache(maxsize=1024)
def _space_of_address(address: str) -> AddressSpace | None:
    """The space of a literal IP address, or None when ``address`` is a name."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    return "local" if any(ip in net for net in _LOCAL_NETWORKS) else "public"


@lru_cache(maxsize=4096)
def address_space(host: str, resolve: tuple[tuple[str, str], ...] = ()) -> AddressSpace | None:
    """The address space of ``host``: its literal address's, what ``resolve`` maps it to,
    loopback for ``localhost``; None for any other name (where it is served is not known)."""
    host = host.lower()
    for name, address in resolve:
        if name.lower() == host:
            return _space_of_address(address) or "public"
    literal = _space_of_address(host)
    if literal is not None:
        return literal
    return "loopback" if is_loopback_host(host) else None


@lru_cache(maxsize=4096)  # asked for each hop, and again for the note: keep the engine fast
def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _more_private(target: AddressSpace, source: AddressSpace) -> bool:
    return _PRIVACY[target] > _PRIVACY[source]


def space_needing_permission(
    page: str, url: str, request: Request, *, local_page_guarded: bool = True
) -> AddressSpace | None:
    """The space of ``url`` when the page at origin ``page`` may not reach it without the
    user's permission (not granted in ``request``), else None. A page whose space is unknown
    is not judged (see :func:`unplaced_page_note`). ``local_page_guarded``: a local page
    needs the permission for loopback too (Firefox; not Chrome)."""
    if request.local_network_access:
        return None
    target = address_space(_host(url), request.resolve) or "public"
    source = address_space(_host(page), request.resolve)
    if target == "public" or source is None:
        return None
    if source == "local" and not local_page_guarded:
        return None
    return target if _more_private(target, source) else None


#: Special-use names (RFC 6761, RFC 2606) public DNS never resolves: a page named so is never
#: served from a public address (the demo's https://app.example.test).
_NEVER_PUBLIC = (".test", ".example", ".invalid")


def unplaced_page_note(page: str, url: str, request: Request) -> str | None:
    """What a verdict says when ``url`` is local or loopback and the page's own space is not
    known: from a public page, Local Network Access would need the user's permission."""
    if request.local_network_access:
        return None
    target = address_space(_host(url), request.resolve)
    page_host = _host(page)
    if target not in ("local", "loopback") or address_space(page_host, request.resolve):
        return None
    if f".{page_host}".endswith(_NEVER_PUBLIC):
        return None
    return (
        f"Local Network Access: if {page} is served from a public address, Chrome and Firefox "
        f"refuse this request to a {target} address unless the user allows it."
    )
