"""``serve``: play a scenario's server routes on loopback, logging every request."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from corsinspector.cli.exits import Exit
from corsinspector.errors import InputError
from corsinspector.formats.scenario import load_scenario
from corsinspector.wire.server import LoggedRequest, ScenarioServer, format_logged_request

__all__ = ["run"]


async def _serve(path: str, host: str, port: int) -> int:
    scenario = load_scenario(path)

    def show(item: LoggedRequest) -> None:
        print(format_logged_request(item), flush=True)

    server = ScenarioServer(scenario, host=host, port=port, on_request=show)
    try:
        await server.start()
    except OSError as exc:
        raise InputError(
            f"--port {port}", f"cannot listen on {host}:{port}: {exc.strerror}"
        ) from None
    except UnicodeError:  # a host name IDNA cannot encode
        raise InputError("--host", f"not a host name: {host!r}") from None
    print(f"serving on {server.base_url}", flush=True)
    print(f"scenario {scenario.name}: {len(scenario.server)} routes; Ctrl+C stops", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()
    return Exit.OK


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise InputError("--port", f"must be from 0 to 65535, not {args.port}")
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(_serve(args.scenario, args.host, args.port))
    return Exit.OK
