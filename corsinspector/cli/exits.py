"""The command line's exit statuses: one table for every command."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the window starts through this package: keep its import cheap
    from corsinspector.model import Verdict

__all__ = ["Exit", "for_verdict"]


class Exit(IntEnum):
    """What every command exits with (curl users' ``$?``; 70 is sysexits' EX_SOFTWARE)."""

    OK = 0  # allowed; every expectation holds; done
    BLOCKED = 1  # blocked by CORS; an expectation failed
    BAD_INPUT = 2  # a bad flag, file or value: one line on stderr
    NETWORK = 3  # not a CORS block: no answer, or the browser refused it itself
    BUG = 70  # an internal error: one line, the traceback in the log file


def for_verdict(verdict: Verdict) -> Exit:
    """OK allowed, BLOCKED by CORS, NETWORK for another failure: no answer, or the browser
    refused it itself (a restricted port, a redirect loop, fetch() throwing, mixed content)."""
    from corsinspector.engine.kinds import NON_CORS_KINDS

    if verdict.error is None:
        return Exit.OK
    if verdict.error.kind in NON_CORS_KINDS:
        return Exit.NETWORK
    return Exit.BLOCKED
