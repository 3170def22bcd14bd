"""What the request editor shows as the user types: each header's class (safelisted,
triggering a preflight, dropped), whether a preflight is needed and why, the Origin's hint,
and the request built from the fields (an InputError naming the field)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from corsinspector.engine.safelist import HeaderCheck, classify_header, prepare_request
from corsinspector.formats.scenario import build_request
from corsinspector.model import REQUEST_MODES, Mode
from corsinspector.origins import NULL_ORIGIN, is_same_origin, origin_note

if TYPE_CHECKING:
    from corsinspector.model import Request

__all__ = ["HeaderCheck", "build_request", "header_check", "origin_hint", "preflight_line"]

_MODES: dict[str, Mode] = {mode: mode for mode in REQUEST_MODES}


def header_check(name: str, value: str, mode: str) -> HeaderCheck:
    """One header judged on its own, in the request mode the editor shows."""
    return classify_header(name, value, _MODES.get(mode, "cors"))


def origin_hint(request: Request) -> str | None:
    """What the typed Origin becomes, when the browser would send it otherwise."""
    typed = request.typed_origin
    return None if typed is None else origin_note(typed, request.origin)


def preflight_line(request: Request) -> str:
    """Whether ``request`` needs a preflight, and why, in one line."""
    prepared = prepare_request(request)
    if prepared.error is not None:
        return f"fetch() would refuse this request: {prepared.error}"
    if request.mode != "cors":
        return f"Mode {request.mode}: no preflight is ever sent."
    if request.origin != NULL_ORIGIN and is_same_origin(request.url, request.origin):
        return "Same origin: no CORS at all."
    if prepared.needs_preflight:
        return "This request needs a preflight because: " + "; ".join(prepared.reasons) + "."
    return "No preflight needed: a simple request."
