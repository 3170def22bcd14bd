"""``check``: send the request for real, as a browser would (curl's flags too), and judge it."""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib.util
import ssl
import sys
from collections.abc import Mapping
from dataclasses import replace

import httpx

from corsinspector.app.across import browser_rows
from corsinspector.app.report import render_verdict
from corsinspector.cli.exits import Exit, for_verdict
from corsinspector.cli.parser import check_seconds, check_stack
from corsinspector.engine.kinds import outcome_label, verdict_label
from corsinspector.engine.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from corsinspector.errors import CorsInspectorError, InputError
from corsinspector.formats.json import dump_json
from corsinspector.formats.scenario import build_request, verdict_to_dict
from corsinspector.live.compare import (
    REAL_BROWSER_PROFILES,
    Comparison,
    compare_with_browser,
    real_browser_dict,
)
from corsinspector.live.inspector import InspectOptions, Inspector
from corsinspector.model import Request, Verdict

__all__ = ["run"]

#: Where the command line's words come from, for one-line errors.
_FLAGS = {"url": "URL", "origin": "--origin", "method": "-X", "body": "--data"}


def _headers(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """(flag, name, value) of each header the flags set: -H's, then curl's shorthands (-u,
    -A, -b, --json-body), each giving way to a -H of the same name as in curl."""
    headers = []
    for text in args.headers:
        name, sep, value = text.partition(":")
        if not sep or not name.strip():
            raise InputError(f"-H {text!r}", "must be 'Name: value'")
        headers.append((f"-H {text!r}", name.strip(), value.strip()))
    extra = []
    if args.user is not None:
        user = args.user if ":" in args.user else args.user + ":"  # curl would prompt
        extra.append(("-u", "Authorization", "Basic " + base64.b64encode(user.encode()).decode()))
    if args.user_agent is not None:
        extra.append((f"-A {args.user_agent!r}", "User-Agent", args.user_agent))
    for cookie in args.cookies:
        if "=" not in cookie:
            raise InputError(f"-b {cookie!r}", "must be 'name=value' (a cookie file is not read)")
        extra.append((f"-b {cookie!r}", "Cookie", cookie))
    if args.json_body is not None:
        for name in ("Content-Type", "Accept"):
            extra.append(("--json-body", name, "application/json"))
    given = {name.lower() for _flag, name, _value in headers}
    return headers + [header for header in extra if header[1].lower() not in given]


def _request(args: argparse.Namespace) -> Request:
    if args.json_body is not None and args.data:
        raise InputError("--json-body", "cannot go with --data")
    headers = _headers(args)
    bodies = [*args.data, *([] if args.json_body is None else [args.json_body])]
    body = "&".join(bodies) if bodies else None
    fields = {
        "url": args.url,
        "method": args.method or ("GET" if body is None else "POST"),  # curl's rule
        "origin": args.origin,
        "headers": [[name, value] for _flag, name, value in headers],
        "credentials": args.credentials or ("include" if args.cookies else "same-origin"),
        "mode": args.mode,
        "body": body,
    }
    names = {**_FLAGS, "body": "--data" if args.data else "--json-body"}
    return build_request(fields, names=names, header_name=lambda i: headers[i][0])


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
) -> tuple[Verdict, Comparison | None, Verdict]:
    """The verdict; with ``real_browser``, the embedded Chromium's answer and the verdict it
    is compared with: the engine as that browser (its own profile, sent again as it sends
    when the chosen profile is another browser: Chrome 156 and Chromium 140 differ)."""
    async with Inspector(options) as inspector:
        verdict = await inspector.inspect(request)
    comparison, baseline = None, verdict
    if real_browser:
        from corsinspector.realbrowser.browser import RealBrowser

        embedded = get_profile(REAL_BROWSER_PROFILES["embedded"])
        if get_profile(options.browser) is not embedded:
            known = _as_browser(request, verdict, embedded.name)
            if known is not None:
                baseline = known
            else:  # it would send what this inspection did not: ask the server as it would
                async with Inspector(replace(options, browser=embedded.name)) as inspector:
                    baseline = await inspector.inspect(request)
        browser = RealBrowser()
        comparison = compare_with_browser(await browser.fetch(request, time_limit=options.timeout))
    return verdict, comparison, baseline


def _as_browser(request: Request, verdict: Verdict, profile: str) -> Verdict | None:
    """``verdict``'s exchanges judged again as ``profile``; None when that browser would
    send a request this inspection did not (its answer is not known)."""
    from corsinspector.app.across import unsent
    from corsinspector.app.whatif import scenario_of
    from corsinspector.engine.judge import judge

    judged = judge(scenario_of(request, verdict, profile))
    return None if unsent(verdict, {profile: judged}) else judged


def _side_by_side(verdict: Verdict, comparison: Comparison) -> list[str]:
    browser = comparison.browser
    error = verdict.error
    ours = outcome_label(verdict.allowed, None if error is None else error.kind)
    theirs = outcome_label(comparison.allowed, comparison.kind or "(no CORS error named)")
    profile = get_profile(REAL_BROWSER_PROFILES["embedded"]).label
    lines = [
        "",
        f"Ask the real browser (Chromium {browser.version}, embedded):",
        f"  engine as {profile}:   {ours}",
        f"  Chromium: {theirs}",
    ]
    if comparison.message and not comparison.allowed:
        lines.append(f"  Chromium says: {comparison.message.rstrip()}")
    if browser.net_errors:
        lines.append(f"  network: {', '.join(browser.net_errors)}")
    if not comparison.allowed and comparison.kind is None and browser.outcome == "timeout":
        lines.append("  Chromium did not finish in time.")
    return lines


#: A real browser asked with --browser all: how it compared, or why it could not be asked.
Asked = Comparison | str


async def _check_all(
    request: Request, options: InspectOptions, real_browser: bool
) -> tuple[dict[str, Verdict], dict[str, Asked]]:
    """The request sent once per profile, each judged in its browser; then, on request, each
    installed real browser asked (one line for one that could not be)."""
    verdicts = {}
    for name in PROFILES:
        async with Inspector(replace(options, browser=name)) as inspector:
            verdicts[name] = await inspector.inspect(request)
    asked: dict[str, Asked] = {}
    if real_browser:
        from corsinspector.realbrowser.ask import ask, installed_browsers

        for browser in installed_browsers():
            try:
                result = await ask(browser, request, time_limit=options.timeout)
            except CorsInspectorError as exc:
                asked[browser] = str(exc)
            else:
                asked[browser] = compare_with_browser(result)
    return verdicts, asked


def _real_rows(verdicts: Mapping[str, Verdict], asked: Mapping[str, Asked]) -> list[str]:
    lines = ["", "Ask the real browsers (each beside the engine's verdict for it):"]
    for browser, comparison in asked.items():
        profile = REAL_BROWSER_PROFILES[browser]
        if isinstance(comparison, str):
            lines.append(f"  {browser}: not asked: {comparison}")
            continue
        result = comparison.browser
        theirs = outcome_label(comparison.allowed, comparison.kind or "(no CORS error named)")
        agree = "agree" if comparison.agrees_with(verdicts[profile]) else "DISAGREE"
        lines.append(f"  {browser} {result.version}: {theirs}  [{agree}]")
        lines.append(
            f"    engine as {get_profile(profile).label}: {verdict_label(verdicts[profile])}"
        )
        if comparison.message and not comparison.allowed:
            lines.append(f"    {browser} says: {comparison.message.rstrip()}")
    return lines


def _exit_for_all(verdicts: Mapping[str, Verdict]) -> Exit:
    """BLOCKED when blocked by CORS in any browser, else NETWORK when one failed, else OK."""
    exits = {for_verdict(verdict) for verdict in verdicts.values()}
    return next((code for code in (Exit.BLOCKED, Exit.NETWORK) if code in exits), Exit.OK)


def _run_all(args: argparse.Namespace, request: Request, options: InspectOptions) -> int:
    verdicts, asked = asyncio.run(_check_all(request, options, args.real_browser))
    verdict = verdicts[DEFAULT_PROFILE.name]
    if args.json:
        data = verdict_to_dict(verdict, verdicts)
        if args.real_browser:
            data["real_browsers"] = {
                browser: {"error": item}
                if isinstance(item, str)
                else {
                    **real_browser_dict(item),
                    "profile": REAL_BROWSER_PROFILES[browser],
                    "agrees": item.agrees_with(verdicts[REAL_BROWSER_PROFILES[browser]]),
                }
                for browser, item in asked.items()
            }
        print(dump_json(data), end="")
    else:
        print("\n".join(browser_rows(verdicts)))
        print(f"\nIn {DEFAULT_PROFILE.label} (the default):")
        print(render_verdict(verdict, args.stack))
        if args.real_browser:
            print("\n".join(_real_rows(verdicts, asked)))
    for browser, item in asked.items():
        theirs = verdicts[REAL_BROWSER_PROFILES[browser]]
        if isinstance(item, Comparison) and not item.agrees_with(theirs):
            print(f"!! the engine and {browser} disagree: please report", file=sys.stderr)
    return _exit_for_all(verdicts)


def run(args: argparse.Namespace) -> int:
    """OK allowed, BLOCKED by CORS, NETWORK not a CORS block (see exits.for_verdict); with
    ``--browser all``, BLOCKED when blocked in any browser."""
    check_stack(args.stack)
    check_seconds("--timeout", args.timeout)
    request = _request(args)
    if args.browser == "all":
        return _run_all(args, request, _options(args))
    options = _options(args)
    verdict, comparison, baseline = asyncio.run(_check(request, options, args.real_browser))
    if args.json:
        data = verdict_to_dict(verdict)
        if comparison is not None:
            data["real_browser"] = real_browser_dict(comparison)
        print(dump_json(data), end="")
    else:
        print(render_verdict(verdict, args.stack))
        if comparison is not None:
            print("\n".join(_side_by_side(baseline, comparison)))
    if comparison is not None and not comparison.agrees_with(baseline):
        print(
            f"!! the engine and Chromium {comparison.browser.version.split('.')[0]} disagree: "
            "please report",
            file=sys.stderr,
        )
    return for_verdict(verdict)
