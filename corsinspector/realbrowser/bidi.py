"""A small WebDriver BiDi client: commands with a deadline, events kept in order.

Over one websocket (``websockets``), given an already connected socket: a browser run in a
private network namespace is reached through a socket made inside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from corsinspector.errors import CorsInspectorError

__all__ = ["BidiClient", "BidiError"]


class BidiError(CorsInspectorError):
    """A BiDi command failed, timed out, or the connection was lost."""


class BidiClient:
    """One BiDi session's connection. ``events`` holds every event received, in order."""

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, url: str, sock: socket.socket, *, wait: float = 10.0) -> BidiClient:
        try:
            connection = await asyncio.wait_for(
                connect(url, sock=sock, max_size=None, open_timeout=None), wait
            )
        except (OSError, TimeoutError, WebSocketException) as exc:
            sock.close()
            raise BidiError(f"could not open {url}: {exc}") from None
        return cls(connection)

    async def _read(self) -> None:
        try:
            async for text in self._connection:
                message = json.loads(text)
                future = self._pending.pop(message.get("id", -1), None)
                if future is not None:
                    if not future.done():
                        future.set_result(message)
                elif message.get("type") == "event":
                    self.events.append(message)
                    self._changed.set()
        except WebSocketException:
            pass
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(BidiError("the browser closed the connection"))
            self._pending.clear()

    @property
    def closed(self) -> bool:
        return self._reader.done()

    async def send(self, method: str, params: dict[str, Any], *, wait: float = 20.0) -> Any:
        """Run one command; its ``result``, or :class:`BidiError`."""
        if self.closed:
            raise BidiError("the browser closed the connection")
        self._next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        try:
            await self._connection.send(
                json.dumps({"id": self._next_id, "method": method, "params": params})
            )
            answer = await asyncio.wait_for(future, wait)
        except TimeoutError:
            raise BidiError(f"{method}: no answer within {wait:g} s") from None
        except WebSocketException as exc:
            raise BidiError(f"{method}: {exc}") from None
        finally:
            self._pending.pop(self._next_id, None)
        if answer.get("type") == "error":
            raise BidiError(f"{method}: {answer.get('error')}: {answer.get('message', '')}")
        return answer.get("result")

    async def wait_event(self, wait: float) -> None:
        """Until an event arrives or ``wait`` seconds pass."""
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), wait)

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._connection.close(), 2)
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)
