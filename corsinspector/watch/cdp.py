"""The DevTools protocol (CDP) over one websocket: commands with deadlines, events to a
callback, flat sessions (one socket serves the browser and its page targets).

A browser listening on ``HOST:PORT`` names its websocket at ``/json/version``
(:func:`browser_endpoint`); :func:`connect` opens it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from corsinspector.errors import WatchError

__all__ = ["MAX_MESSAGE", "CdpConnection", "EventCallback", "browser_endpoint", "connect"]

#: The largest message taken: a big event (a page's whole request list) stays under it.
MAX_MESSAGE = 64 * 1024 * 1024

#: ``(method, params, session_id)`` of each event; session_id None for the browser's own.
EventCallback = Callable[[str, dict[str, Any], str | None], None]


async def browser_endpoint(
    address: str,
    timeout: float = 10.0,  # noqa: ASYNC109 - docs/watch.md's interface
) -> tuple[str, str]:
    """The browser's websocket URL and product (``Chrome/156.0…``) from
    ``http://ADDRESS/json/version``, within ``timeout`` seconds."""
    url = f"http://{address}/json/version"
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=timeout) as client:
            answer = await asyncio.wait_for(client.get(url), timeout)
            answer.raise_for_status()
            found = answer.json()
    except (httpx.HTTPError, TimeoutError, ValueError) as error:
        reason = str(error) or type(error).__name__
        raise WatchError(f"no DevTools endpoint at {address}: {reason}") from None
    ws_url = found.get("webSocketDebuggerUrl") if isinstance(found, dict) else None
    if not isinstance(ws_url, str):
        raise WatchError(f"no DevTools endpoint at {address}: /json/version names no websocket")
    return ws_url, str(found.get("Browser", ""))


async def connect(
    ws_url: str,
    timeout: float = 10.0,  # noqa: ASYNC109 - docs/watch.md's interface
    *,
    on_event: EventCallback | None = None,
) -> CdpConnection:
    """Open the DevTools websocket at ``ws_url`` within ``timeout`` seconds."""
    try:
        socket = await asyncio.wait_for(
            ws_connect(
                ws_url,
                max_size=MAX_MESSAGE,
                proxy=None,
                compression=None,
                ping_interval=None,  # a busy browser answers pings late; a drop is seen anyway
                open_timeout=timeout,
            ),
            timeout,
        )
    except (OSError, TimeoutError, WebSocketException) as error:
        reason = str(error) or type(error).__name__
        raise WatchError(f"could not open DevTools at {ws_url}: {reason}") from None
    return CdpConnection(socket, on_event)


class CdpConnection:
    """One DevTools websocket. Events go to ``on_event`` in the order they arrive; a
    command's answer to its ``send``. ``closed`` says why the socket dropped, once it has."""

    def __init__(self, socket: ClientConnection, on_event: EventCallback | None = None) -> None:
        self._socket = socket
        self.on_event = on_event
        #: Called once with the reason when the socket drops (not after ``aclose``).
        self.on_close: Callable[[str], None] | None = None
        self.closed: str | None = None
        #: The first exception ``on_event`` raised (a bug): kept, not lost in the reader.
        self.callback_error: BaseException | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._closing = False
        self._closed_event = asyncio.Event()
        # The reader runs while the socket is open; the reference kept here owns it.
        self._reader = asyncio.get_running_loop().create_task(self._read(), name="cdp-reader")

    async def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session_id: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - docs/watch.md's interface
    ) -> dict[str, Any]:
        """Run ``method`` and return its result; a CDP error, a drop or no answer within
        ``timeout`` seconds raises :class:`WatchError` naming the method."""
        if self.closed is not None:
            raise WatchError(f"{method}: the browser closed: {self.closed}")
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session_id is not None:
            message["sessionId"] = session_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        try:
            await asyncio.wait_for(self._socket.send(json.dumps(message)), timeout)
            answer = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise WatchError(f"{method}: DevTools did not answer within {timeout:g} s") from None
        except ConnectionClosed:
            raise WatchError(f"{method}: the browser closed: {self._reason()}") from None
        except WatchError as error:  # the socket dropped while waiting
            raise WatchError(f"{method}: {error}") from None
        finally:
            self._pending.pop(ident, None)
        if "error" in answer:
            failure = answer["error"]
            text = failure.get("message", failure) if isinstance(failure, dict) else failure
            raise WatchError(f"{method} failed: {text}")
        result = answer.get("result", {})
        return result if isinstance(result, dict) else {}

    async def wait_closed(self) -> None:
        """Until the socket drops (or ``aclose``)."""
        await self._closed_event.wait()

    async def aclose(self) -> None:
        """Close the socket and end the reader (idempotent)."""
        self._closing = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._socket.close(), 2.0)
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        self._drop("closed by CORS Inspector")

    # --- reading ------------------------------------------------------------------------

    def _reason(self) -> str:
        code = self._socket.close_code
        reason = self._socket.close_reason
        if reason:
            return reason
        return "its DevTools connection dropped" + (f" (code {code})" if code else "")

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                self._dispatch(json.loads(raw))
        except ConnectionClosed:
            pass
        except ValueError as error:  # not JSON: not a DevTools endpoint we can talk to
            self._drop(f"DevTools sent something that is not JSON ({error})")
            return
        self._drop(self._reason())

    def _dispatch(self, message: dict[str, Any]) -> None:
        ident = message.get("id")
        if ident is not None:
            future = self._pending.get(ident)
            if future is not None and not future.done():
                future.set_result(message)
            return
        method = message.get("method")
        if not isinstance(method, str) or self.on_event is None:
            return
        params = message.get("params")
        try:
            self.on_event(
                method, params if isinstance(params, dict) else {}, message.get("sessionId")
            )
        except Exception as error:  # a bug in the handler: kept for the caller to raise
            if self.callback_error is None:
                self.callback_error = error

    def _drop(self, reason: str) -> None:
        if self.closed is not None:
            return
        self.closed = "closed by CORS Inspector" if self._closing else reason
        for future in self._pending.values():
            if not future.done():
                future.set_exception(WatchError(f"the browser closed: {reason}"))
        self._closed_event.set()
        if not self._closing and self.on_close is not None:
            self.on_close(reason)
