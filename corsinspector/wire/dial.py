"""Where a host is dialled: ``localhost`` and ``*.localhost`` on loopback, as browsers resolve
them themselves (RFC 6761) whatever the system resolver says; URL, Host and SNI stay as typed.

Our transport dials through :func:`dial_host`; the httpx path (``--http2``, proxies) through
:func:`localhost_transport`, which Chromium's implicit proxy bypass rules send direct too.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable

import httpcore
import httpx

from corsinspector.origins import is_localhost_name

__all__ = ["LOCALHOST_PATTERN", "dial_host", "localhost_transport"]

#: httpx's mount pattern for every ``*.localhost`` URL.
LOCALHOST_PATTERN = "all://*.localhost"


def dial_host(host: str) -> str:
    """The name to connect to for ``host``."""
    return "localhost" if is_localhost_name(host) else host


class _LoopbackBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, dialling ``*.localhost`` names on loopback."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._backend.connect_tcp(
            dial_host(host), port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._backend.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def localhost_transport(
    *, verify: bool | str | ssl.SSLContext, http2: bool
) -> httpx.AsyncBaseTransport:
    """httpx's own transport (no proxy) that dials ``*.localhost`` names on loopback."""
    transport = httpx.AsyncHTTPTransport(verify=verify, http2=http2, trust_env=False)
    # httpx does not take a network backend; its pool (httpcore) does.
    pool = transport._pool
    pool._network_backend = _LoopbackBackend(pool._network_backend)
    return transport
