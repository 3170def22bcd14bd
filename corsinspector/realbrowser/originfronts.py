"""Fixed loopback front doors for symbolic origins: one listener per origin (``https``
origins speak TLS), each relaying its connections, byte for byte, to whichever scenario
server plays that origin now.

A browser whose host resolver rules are fixed at launch (``MAP api.example.test:443
127.0.0.1:PORT``) keeps talking to the same front port for its whole life, while each
scenario brings its own :class:`~corsinspector.wire.server.ScenarioServer` on fresh ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from corsinspector.wire.loopback import LOOPBACK_HOST

__all__ = ["OriginFront", "host_and_port", "resolver_rule"]

_CHUNK = 64 * 1024
_CONNECT_TIMEOUT = 5.0
_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_and_port(origin: str) -> str:
    """What a resolver rule matches: ``api.example.test:443`` (the scheme plays no part)."""
    parts = urlsplit(origin)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port or _DEFAULT_PORTS[parts.scheme.lower()]}"


def resolver_rule(origin: str, port: int, address: str = LOOPBACK_HOST) -> str:
    """Chromium's ``--host-resolver-rules`` entry sending ``origin``'s host and port to
    ``port`` on ``address`` (``MAP api.example.test:443 127.0.0.1:PORT``)."""
    return f"MAP {host_and_port(origin)} {address}:{port}"


class OriginFront:
    """The listener of one symbolic origin; :attr:`target` is the loopback port of the server
    playing it now (None: connections are closed at once). :attr:`address` is where it
    listens: loopback, or an address of a namespace's loopback (:meth:`start`'s ``sock``)."""

    def __init__(
        self, origin: str, tls: ssl.SSLContext | None, address: str = LOOPBACK_HOST
    ) -> None:
        self.origin = origin
        self.address = address
        self.target: int | None = None
        self._tls = tls if origin.lower().startswith("https:") else None
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self, sock: socket.socket | None = None) -> None:
        """Listen on a free loopback port, or on ``sock`` (listening already: a socket made
        inside a namespace, whose connections are relayed to this process's loopback)."""
        where: dict[str, Any] = {"sock": sock} if sock else {"host": LOOPBACK_HOST, "port": 0}
        if self._tls is None:
            self._server = await asyncio.start_server(self._relay, **where)
        else:
            self._server = await asyncio.start_server(
                self._relay, ssl=self._tls, ssl_handshake_timeout=10.0, **where
            )
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def drop_connections(self) -> None:
        """End every relayed connection (the scenario is over)."""
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def aclose(self) -> None:
        self.target = None
        if self._server is not None:
            self._server.close()
        await self.drop_connections()
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5.0)
            self._server = None

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        upstream: asyncio.StreamWriter | None = None
        try:
            if self.target is None:
                return
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(LOOPBACK_HOST, self.target), _CONNECT_TIMEOUT
            )
            upstream = up_writer
            to_server = asyncio.get_running_loop().create_task(_copy(reader, up_writer, True))
            try:
                await _copy(up_reader, writer, False)  # the server's end ends the connection
            finally:
                to_server.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await to_server
        except (OSError, TimeoutError, asyncio.CancelledError):
            pass  # a peer dropped, or the scenario is over: end quietly
        finally:
            if task is not None:
                self._connections.discard(task)
            for end in (upstream, writer):
                if end is not None:
                    end.close()
            for end in (upstream, writer):
                if end is not None:
                    with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
                        await asyncio.wait_for(end.wait_closed(), 1.0)


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, half: bool) -> None:
    """Copy until end of file; ``half``: then half-close the other side (plain TCP)."""
    try:
        while chunk := await reader.read(_CHUNK):
            writer.write(chunk)
            await writer.drain()
        if half and writer.can_write_eof():
            writer.write_eof()
    except (OSError, ssl.SSLError):
        return
