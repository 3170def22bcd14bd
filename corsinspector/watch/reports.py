"""The instrumentation's reports (watch/instrument.py: each fetch()'s and XMLHttpRequest's
credentials and mode) matched to the requests they describe: by URL without its fragment and
method, in the order the page made them, whichever arrives first. Each look-up takes constant
time (a busy page makes hundreds of requests a second); both sides are bounded."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from corsinspector.model import CREDENTIALS_MODES, REQUEST_MODES
from corsinspector.origins import normalize_url

__all__ = ["Report", "ReportBook", "fragmentless", "read_report"]

#: ``{"url", "method", "credentials", "mode"}``, the URL without its fragment.
Report = dict[str, str]
_Key = tuple[str, str]
T = TypeVar("T")


def fragmentless(url: str) -> str:
    return normalize_url(url.partition("#")[0])


def _method(method: str) -> str:
    """As fetch() normalizes it: the six standard methods upper-cased."""
    upper = method.upper()
    return upper if upper in ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT") else method


def _key(url: str, method: str) -> _Key:
    return fragmentless(url), _method(method)


def read_report(payload: str) -> Report | None:
    """A binding call's payload as a report, or None when it is not one."""
    try:
        report = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(report, dict) or report.get("credentials") not in CREDENTIALS_MODES:
        return None
    if report.get("mode") not in REQUEST_MODES:
        return None
    url, method = _key(str(report.get("url", "")), str(report.get("method", "GET")))
    credentials, mode = str(report["credentials"]), str(report["mode"])
    return {"url": url, "method": method, "credentials": credentials, "mode": mode}


class _Queues(Generic[T]):
    """First in, first out per key, at most ``limit`` items in all (the oldest dropped)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._serial = 0
        self._by_key: dict[_Key, deque[tuple[int, T]]] = {}
        self._order: deque[tuple[int, _Key]] = deque()

    def put(self, key: _Key, item: T) -> None:
        self._serial += 1
        self._by_key.setdefault(key, deque()).append((self._serial, item))
        self._order.append((self._serial, key))
        while len(self._order) > self._limit:
            serial, oldest = self._order.popleft()
            queue = self._by_key.get(oldest)
            if queue and queue[0][0] == serial:  # still there (not taken)
                self._pop(oldest, queue)

    def take(self, key: _Key) -> T | None:
        queue = self._by_key.get(key)
        return None if not queue else self._pop(key, queue)

    def _pop(self, key: _Key, queue: deque[tuple[int, T]]) -> T:
        item = queue.popleft()[1]
        if not queue:
            del self._by_key[key]
        return item


class ReportBook:
    """Reports waiting for their request, and requests waiting for their report."""

    def __init__(self, limit: int) -> None:
        self._reports = _Queues[Report](limit)
        self._waiting = _Queues[str](limit)

    def claim(self, url: str, method: str) -> Report | None:
        """The report of a request starting now, if it came first."""
        return self._reports.take(_key(url, method))

    def wait(self, id: str, url: str, method: str) -> None:
        """Request ``id`` started before its report."""
        self._waiting.put(_key(url, method), id)

    def add(self, report: Report, waits: Callable[[str], bool]) -> str | None:
        """The request waiting for ``report`` (the first one ``waits`` still says is), else
        None and the report is kept for the request to come."""
        key = (report["url"], report["method"])
        while (id := self._waiting.take(key)) is not None:
            if waits(id):
                return id
        self._reports.put(key, report)
        return None
