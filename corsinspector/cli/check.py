"""The ``check`` and ``demo`` commands: live inspection from the command line."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import ssl
import sys

import httpx

from corsinspector.app.gallery import GalleryRow, load_gallery, outcome_label, run_gallery
from corsinspector.app.report import render_verdict
from corsinspector.engine.kinds import NON_CORS_KINDS
from corsinspector.errors import InputError
from corsinspector.formats.json import dump_json
from corsinspector.formats.scenario import build_request, verdict_to_dict
from corsinspector.live.compare import Comparison, compare_with_browser, real_browser_dict
from corsinspector.live.inspector import InspectOptions, Inspector
from corsinspector.model import Request, Verdict

__all__ = ["EXIT_ALLOWED", "EXIT_BLOCKED", "EXIT_NETWORK", "exit_status", "run_check", "run_demo"]

EXIT_ALLOWED, EXIT_BLOCKED, EXIT_NETWORK = 0, 1, 3
#: Where the command line's words come from, for one-line errors.
_FLAGS = {"url": "URL", "origin": "--origin", "method": "-X", "body": "--data"}


def exit_status(verdict: Verdict) -> int:
    """0 allowed, 1 blocked by CORS, 3 failed for another reason: no answer, or the browser
    refused it itself (a restricted port, a redirect loop, fetch() throwing, mixed content)."""
    if verdict.error is None:
        return EXIT_ALLOWED
    if verdict.error.kind in NON_CORS_KINDS:
        return EXIT_NETWORK
    return EXIT_BLOCKED


def _request(args: argparse.Namespace) -> Request:
    headers = []
    for text in args.headers:
        name, sep, value = text.partition(":")
        if not sep or not name.strip():
            raise InputError(f"-H {text!r}", "must be 'Name: value'")
        headers.append([name.strip(), value.strip()])
    fields = {
        "url": args.url,
        "method": args.method,
        "origin": args.origin,
        "headers": headers,
        "credentials": args.credentials,
        "mode": args.mode,
        "body": args.data,
    }
    return build_request(fields, names=_FLAGS, header_name=lambda i: f"-H {args.headers[i]!r}")


def _proxy(text: str | None) -> str | None:
    """The --proxy URL when httpx can use it: http, https or socks5 (with socksio), a host
    and a port; InputError otherwise (httpx would fail only when the client is built)."""
    if text is None:
        return None
    usage = "must be http://, https:// or socks5:// with a host and port"
    try:
        url = httpx.Proxy(text).url
        port = url.port
    except (ValueError, httpx.InvalidURL):
        raise InputError("--proxy", f"{usage}, not {text!r}") from None
    if not url.host or (port is not None and not 0 < port < 65536):
        raise InputError("--proxy", f"{usage}, not {text!r}")
    if url.scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        raise InputError("--proxy", "a SOCKS proxy needs httpx's socks extra: pip install socksio")
    return text


def _cacert(path: str) -> str:
    """--cacert when it holds CA certificates (else httpx fails building its client)."""
    try:
        ssl.create_default_context(cafile=path)
    except OSError as exc:  # ssl.SSLError is one too
        raise InputError(f"--cacert {path}", f"no CA certificates: {exc.strerror or exc}") from None
    return path


def _options(args: argparse.Namespace) -> InspectOptions:
    if args.cacert and args.insecure:
        raise InputError("--cacert", "cannot go with --insecure")
    if args.cacert:
        _cacert(args.cacert)
    verify: bool | str = False if args.insecure else (args.cacert or True)
    if args.max_body < 0:
        raise InputError("--max-body", "must be 0 or more bytes")
    return InspectOptions(
        send_anyway=args.send_anyway,
        body_cap=args.max_body,
        timeout=args.timeout,
        verify=verify,
        proxy=_proxy(args.proxy),
        http2=args.http2,
        browser=args.browser,
    )


async def _check(
    request: Request, options: InspectOptions, real_browser: bool
) -> tuple[Verdict, Comparison | None]:
    async with Inspector(options) as inspector:
        verdict = await inspector.inspect(request)
    comparison = None
    if real_browser:
        from corsinspector.realbrowser.browser import RealBrowser

        browser = RealBrowser()
        comparison = compare_with_browser(await browser.fetch(request, time_limit=options.timeout))
    return verdict, comparison


def _side_by_side(verdict: Verdict, comparison: Comparison) -> list[str]:
    browser = comparison.browser
    error = verdict.error
    ours = outcome_label(verdict.allowed, None if error is None else error.kind)
    theirs = outcome_label(comparison.allowed, comparison.kind or "(no CORS error named)")
    lines = [
        "",
        f"Ask the real browser (Chromium {browser.version}, embedded):",
        f"  engine:   {ours}",
        f"  Chromium: {theirs}",
    ]
    if comparison.message and not comparison.allowed:
        lines.append(f"  Chromium says: {comparison.message.rstrip()}")
    if browser.net_errors:
        lines.append(f"  network: {', '.join(browser.net_errors)}")
    if not comparison.allowed and comparison.kind is None and browser.outcome == "timeout":
        lines.append("  Chromium did not finish in time.")
    return lines


def run_check(args: argparse.Namespace) -> int:
    request = _request(args)
    options = _options(args)
    verdict, comparison = asyncio.run(_check(request, options, args.real_browser))
    if args.json:
        data = verdict_to_dict(verdict)
        if comparison is not None:
            data["real_browser"] = real_browser_dict(comparison)
        print(dump_json(data), end="")
    else:
        print(render_verdict(verdict, args.stack))
        if comparison is not None:
            print("\n".join(_side_by_side(verdict, comparison)))
    if comparison is not None and not comparison.agrees_with(verdict):
        print(
            f"!! the engine and Chromium {comparison.browser.version.split('.')[0]} disagree: "
            "please report",
            file=sys.stderr,
        )
    return exit_status(verdict)


def _table(rows: list[GalleryRow], with_browser: bool) -> str:
    header = ["scenario", "expected", "got", "culprit"] + (["Chromium"] if with_browser else [])
    body = []
    for row in rows:
        cells = [
            row.name,
            row.expected or "-",
            row.got + ("" if row.holds else "  <-- !"),
            row.culprit,
        ]
        if with_browser and row.browser is not None:
            agree = "agrees" if row.browser.agrees_with(row.verdict) else "DISAGREES"
            cells.append(f"{outcome_label(row.browser.allowed, row.browser.kind)} ({agree})")
        body.append(cells)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run_demo(real_browser: bool) -> int:
    async def demo() -> list[GalleryRow]:
        browser = None
        if real_browser:
            from corsinspector.realbrowser.browser import RealBrowser

            browser = RealBrowser()
        return await run_gallery(gallery, browser)

    gallery = load_gallery()
    rows = asyncio.run(demo())
    print(_table(rows, real_browser))
    held = sum(row.holds for row in rows)
    print(f"\n{held} of {len(rows)} scenarios gave their expected verdict.")
    if real_browser:
        agreed = sum(
            row.browser is not None and row.browser.agrees_with(row.verdict) for row in rows
        )
        print(f"Chromium agreed with the engine on {agreed} of {len(rows)}.")
    return EXIT_ALLOWED if held == len(rows) else EXIT_BLOCKED
