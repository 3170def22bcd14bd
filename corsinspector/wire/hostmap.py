"""Playing a scenario's origins on their real names and ports, inside a private namespace.

A browser with no resolver rules (Firefox, WebKit) is run in its own network and mount
namespace (``unshare --net --mount``, root only): loopback is up, a private ``/etc/hosts``
is bind-mounted over the real one and maps the scenario's host names to an address of that
loopback (``127.0.0.1``; a public-range one such as TEST-NET-3 when the page must count as
public), and one server per (scheme, port) answers every origin on it, choosing the origin
by the ``Host`` header. The page, the request's URL, ``Origin``, ``Location`` and the
browser's own words all keep the scenario's names: nothing needs mapping back.

One :class:`HostNamespace` serves a whole recording run: the hosts file is rewritten in
place for each scenario. Measured here: a namespace starts in about 10 ms, but a browser in
it in 3-3.5 s (Firefox), against about 1 s for a scenario in a browser already running.
Our servers live in this process: their sockets are made by a thread that entered the
namespace (``setns``), and a socket keeps the namespace it was made in. Closing the
namespace kills every process in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import TypeVar
from urllib.parse import urlsplit

from corsinspector.errors import CorsInspectorError
from corsinspector.model import Scenario
from corsinspector.origins import NULL_ORIGIN, normalize_url
from corsinspector.wire.loopback import scenario_origins
from corsinspector.wire.server import LoggedRequest, read_request, response_bytes, wants_close

__all__ = [
    "DEFAULT_ADDRESS",
    "PUBLIC_ADDRESS",
    "HostNamespace",
    "HostRoutedServers",
    "NamespaceError",
    "scenario_hosts",
]

DEFAULT_ADDRESS = "127.0.0.1"
#: TEST-NET-3 (RFC 5737): an address of a public range, for a page that must count as public.
PUBLIC_ADDRESS = "203.0.113.10"
_CLONE_NEWNET = 0x40000000
T = TypeVar("T")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class NamespaceError(CorsInspectorError):
    """The private namespace could not be made (not root, no ``unshare``, …)."""


def _enter_namespace(path: str) -> None:
    """Move the calling thread into the network namespace at ``path``."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, _CLONE_NEWNET) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"setns: {os.strerror(error)}")
    finally:
        os.close(fd)


def _hosts_text(mapping: dict[str, str]) -> str:
    lines = ["127.0.0.1 localhost", "::1 localhost"]
    lines += [f"{address} {name}" for name, address in sorted(mapping.items())]
    return "\n".join(lines) + "\n"


class HostNamespace:
    """A private network and mount namespace with loopback up and its own ``/etc/hosts``.

    Use as ``async with HostNamespace() as ns:``; ``ns.command(argv)`` runs a program
    inside, ``ns.listen`` / ``ns.connect`` make sockets inside."""

    def __init__(self, *, start_timeout: float = 10.0) -> None:
        self._start_timeout = start_timeout
        self._folder = Path(tempfile.mkdtemp(prefix="corsinspector-ns-"))
        self.hosts_file = self._folder / "hosts"
        self._hosts: dict[str, str] = {}
        self._addresses = {DEFAULT_ADDRESS}
        self._holder: subprocess.Popen[bytes] | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._net_inode = 0
        self._tls: ssl.SSLContext | None = None
        self._certified: frozenset[str] = frozenset()

    @property
    def pid(self) -> int:
        """The process that holds the namespace."""
        if self._holder is None:
            raise NamespaceError("the namespace is not started")
        return self._holder.pid

    async def start(self) -> None:
        if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("nsenter") is None:
            raise NamespaceError("a private network namespace needs root, unshare and nsenter")
        self.hosts_file.write_text(_hosts_text({}))
        # The holder brings loopback up, hides /etc/hosts behind ours, says so, then waits
        # for its stdin to close (our exit, whatever the path).
        script = 'ip link set lo up && mount --bind "$0" /etc/hosts && echo ready && exec cat'
        self._holder = self._spawn_holder(script)
        try:
            line = await asyncio.wait_for(
                asyncio.to_thread(self._holder.stdout.readline),  # type: ignore[union-attr]
                self._start_timeout,
            )
            if line.strip() != b"ready":
                raise NamespaceError(f"unshare failed: {self._holder_error()}")
            path = f"/proc/{self._holder.pid}/ns/net"
            self._net_inode = os.stat(path).st_ino
            self._thread = ThreadPoolExecutor(
                1, thread_name_prefix="hostns", initializer=_enter_namespace, initargs=(path,)
            )
            await self.run_inside(lambda: None)  # the thread enters now: fail here, not later
        except BaseException:
            await self.close()
            raise

    def _spawn_holder(self, script: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            ["unshare", "--net", "--mount", "--", "sh", "-c", script, str(self.hosts_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def _holder_error(self) -> str:
        holder = self._holder
        if holder is None or holder.stderr is None:
            return "no holder"
        with contextlib.suppress(subprocess.TimeoutExpired):
            holder.wait(timeout=2)
        if holder.returncode is None:
            return "no answer"
        text = holder.stderr.read().decode(errors="replace").strip()
        return text.splitlines()[-1] if text else f"exit status {holder.returncode}"

    async def close(self) -> None:
        """Kill every process inside, then the holder; the namespace goes with them."""
        if self._thread is not None:
            self._thread.shutdown(wait=False, cancel_futures=True)
            self._thread = None
        self.kill_inside()
        holder, self._holder = self._holder, None
        if holder is not None:
            with contextlib.suppress(OSError):
                if holder.stdin is not None:
                    holder.stdin.close()
            if holder.poll() is None:
                holder.kill()
            await asyncio.to_thread(holder.wait, 10)
            for stream in (holder.stdout, holder.stderr):
                if stream is not None:
                    stream.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def processes_inside(self) -> list[int]:
        """Every process whose network namespace is this one (the holder included)."""
        if not self._net_inode:
            return []
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{entry}/ns/net").st_ino == self._net_inode:
                    found.append(int(entry))
        return found

    def kill_inside(self) -> None:
        """SIGKILL every process inside except the holder (browsers, helpers, their children)."""
        holder = self._holder.pid if self._holder is not None else None
        for pid in self.processes_inside():
            if pid != holder:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    async def __aenter__(self) -> HostNamespace:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # --- inside -------------------------------------------------------------------------

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside the namespace (network and mounts: it sees our hosts file)."""
        return ["nsenter", f"--target={self.pid}", "--net", "--mount", "--", *argv]

    async def run_inside(self, function: Callable[[], T]) -> T:
        """Run ``function`` on the thread that lives inside the namespace."""
        if self._thread is None:
            raise NamespaceError("the namespace is not started")
        return await asyncio.get_running_loop().run_in_executor(self._thread, function)

    async def map_hosts(self, names: Iterable[str], address: str = DEFAULT_ADDRESS) -> None:
        """Map ``names`` to ``address`` (added to the namespace's loopback if new); the
        file is rewritten in place, so the bind mount sees it at once."""
        if address not in self._addresses:
            await self._ip("addr", "add", f"{address}/32", "dev", "lo")
            self._addresses.add(address)
        changed = False
        for name in names:
            if self._hosts.get(name.lower()) != address:
                self._hosts[name.lower()] = address
                changed = True
        if changed:
            self._write_hosts()

    def _write_hosts(self) -> None:
        with open(self.hosts_file, "r+", encoding="utf-8") as file:  # same inode: still mounted
            file.truncate(0)
            file.write(_hosts_text(self._hosts))

    def address_of(self, name: str) -> str:
        return self._hosts.get(name.lower(), DEFAULT_ADDRESS)

    async def _ip(self, *args: str) -> None:
        process = await asyncio.create_subprocess_exec(
            *self.command(["ip", *args]),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await asyncio.wait_for(process.communicate(), 10)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        if process.returncode != 0:
            raise NamespaceError(f"ip {' '.join(args)}: {err.decode(errors='replace').strip()}")

    async def tls_context(self, names: Iterable[str]) -> ssl.SSLContext:
        """A server context whose certificate covers ``names`` and every name before."""
        wanted = set(self._certified) | {name.lower() for name in names}
        if self._tls is None or wanted != self._certified:
            self._tls = await asyncio.to_thread(_make_certificate, self._folder, sorted(wanted))
            self._certified = frozenset(wanted)
        return self._tls

    async def listen(self, address: str, port: int) -> socket.socket:
        """A listening TCP socket inside the namespace."""

        def make() -> socket.socket:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((address, port))
                sock.listen(64)
                sock.setblocking(False)
            except BaseException:
                sock.close()
                raise
            return sock

        return await self.run_inside(make)

    async def connect(self, address: str, port: int, *, wait: float = 1.0) -> socket.socket:
        """A TCP connection made inside the namespace (e.g. to a browser's debugging port)."""

        def make() -> socket.socket:
            sock = socket.create_connection((address, port), timeout=wait)
            sock.setblocking(False)
            return sock

        return await self.run_inside(make)


def scenario_hosts(scenario: Scenario, page_origin: str) -> list[str]:
    """The host names a scenario's browser must resolve: its origins and the page's."""
    origins = [*scenario_origins(scenario), page_origin]
    hosts = []
    for origin in origins:
        host = urlsplit(origin).hostname
        if origin != NULL_ORIGIN and host and host not in hosts:
            hosts.append(host)
    return hosts


def _make_certificate(folder: Path, names: Sequence[str]) -> ssl.SSLContext:
    """A throw-away self-signed certificate for ``names`` (openssl), as a server context."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise NamespaceError("https origins need the openssl command")
    key, cert = folder / "key.pem", folder / "cert.pem"
    alt_names = ",".join([f"DNS:{name}" for name in names] + ["IP:127.0.0.1"])
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-subj", "/CN=corsinspector", "-addext", f"subjectAltName={alt_names}",
         "-days", "2", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    return context


class HostRoutedServers:
    """One scenario played inside a :class:`HostNamespace` on its real names and ports: a
    server per (scheme, address, port) of its origins, each request answered by the origin
    its ``Host`` names, https with a certificate covering every name.

    With ``page_html``, a GET of the page's origin is answered with that page (not logged)
    until :meth:`begin`; from then on every request is the scenario's, and is logged."""

    def __init__(
        self,
        namespace: HostNamespace,
        scenario: Scenario,
        *,
        page_origin: str | None = None,
        page_html: str | None = None,
    ) -> None:
        self.namespace = namespace
        self.scenario = scenario
        self.page_origin = page_origin if page_origin != NULL_ORIGIN else None
        self._page_html = page_html
        self._serving_page = page_html is not None and self.page_origin is not None
        self._servers: list[asyncio.Server] = []
        self._connections: set[asyncio.Task[None]] = set()
        self._log: list[LoggedRequest] = []

    def origins(self) -> list[str]:
        """Every origin played: the scenario's, then the page's."""
        origins = scenario_origins(self.scenario)
        if self.page_origin is not None and self.page_origin not in origins:
            origins.append(self.page_origin)
        return origins

    async def start(self) -> None:
        """Listen on every (scheme, address, port); the names must be mapped already."""
        listeners: dict[tuple[str, int], str] = {}
        names = []
        for origin in self.origins():
            parts = urlsplit(origin)
            host = parts.hostname or ""
            port = parts.port or _DEFAULT_PORTS[parts.scheme]
            key = (self.namespace.address_of(host), port)
            if listeners.setdefault(key, parts.scheme) != parts.scheme:
                raise NamespaceError(f"http and https both on port {port}: cannot be played")
            names.append(host)
        context = None
        if "https" in listeners.values():
            context = await self.namespace.tls_context(names)
        try:
            for (address, port), scheme in listeners.items():
                sock = await self.namespace.listen(address, port)
                server = await asyncio.start_server(
                    lambda r, w, _s=scheme: self._serve(r, w, _s),  # type: ignore[misc]
                    sock=sock,
                    ssl=context if scheme == "https" else None,
                    limit=64 * 1024,
                )
                self._servers.append(server)
        except BaseException:
            await self.close()
            raise

    def begin(self) -> None:
        """The page is loaded: from now on every request is the scenario's, and logged."""
        self._serving_page = False
        self._log.clear()

    @property
    def log(self) -> list[LoggedRequest]:
        """Every request of the scenario received so far, in order (URLs: real names)."""
        return list(self._log)

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        for server in self._servers:
            with contextlib.suppress(OSError):
                await server.wait_closed()
        self._servers.clear()

    async def __aenter__(self) -> HostRoutedServers:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _origin(self, scheme: str, host: str) -> str:
        name, _, port = host.strip().lower().rpartition(":")
        if not name or not port.isdigit():
            name, port = host.strip().lower(), ""
        if port and int(port) != _DEFAULT_PORTS[scheme]:
            return f"{scheme}://{name}:{port}"
        return f"{scheme}://{name}"

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, scheme: str
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        port = writer.get_extra_info("sockname")[1]
        try:
            while True:
                try:
                    request = await read_request(reader)
                except Exception:  # a malformed request: answer 400 and hang up
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    break
                if request is None:
                    break
                _, _, version, headers, _ = request
                host = next((v for n, v in headers if n.lower() == "host"), "")
                origin = self._origin(scheme, host)
                writer.write(self._answer(origin, port, request))
                await writer.drain()
                if wants_close(headers, version):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            pass  # close() cancels idle keep-alive connections; end quietly
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError, ssl.SSLError):
                await writer.wait_closed()

    def _answer(
        self,
        origin: str,
        port: int,
        request: tuple[str, str, str, tuple[tuple[str, str], ...], bytes],
    ) -> bytes:
        method, target, version, headers, body = request
        if self._serving_page:
            if origin == self.page_origin and method == "GET" and self._page_html is not None:
                page = self._page_html.encode("utf-8")
                return (
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Cache-Control: no-store\r\nContent-Length: %d\r\n\r\n" % len(page)
                ) + page
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        route = self.scenario.route_for(method, normalize_url(origin + target))
        self._log.append(
            LoggedRequest(origin, port, method, target, version, headers, body, route.status)
        )
        return response_bytes(route, method, route.wire_headers(method))
