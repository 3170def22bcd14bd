"""A verdict as a readable text report (what ``simulate`` prints without ``--json``)."""

from __future__ import annotations

from dataclasses import dataclass

from corsinspector.engine.checks import ACAC, ACAH, ACAM, ACAO
from corsinspector.engine.kinds import (
    ALLOW_ORIGIN_MISMATCH,
    CORS_DISABLED_SCHEME,
    HEADER_DISALLOWED,
    INVALID_ALLOW_CREDENTIALS,
    INVALID_ALLOW_HEADERS,
    INVALID_ALLOW_METHODS,
    INVALID_ALLOW_ORIGIN_VALUE,
    KIND_IN_PLAIN_WORDS,
    METHOD_DISALLOWED,
    MISSING_ALLOW_ORIGIN,
    MULTIPLE_ALLOW_ORIGIN_VALUES,
    NETWORK_FAILURE,
    NON_CORS_KINDS,
    PREFLIGHT,
    PREFLIGHT_DISALLOWED_REDIRECT,
    PREFLIGHT_INVALID_STATUS,
    REDIRECT_CONTAINS_CREDENTIALS,
    WILDCARD_ORIGIN,
    outcome_label,
    verdict_label,
)
from corsinspector.fixes.generic import misspelt_origin, origin_spelling_mistake
from corsinspector.model import Exchange, Failure, Headers, Verdict, header_values

# the window's lists label outcomes as the command line does
__all__ = ["Headline", "headline", "outcome_label", "render_verdict", "verdict_label"]

_BLOCKED_AT = {
    "request": "Refused before sending",
    "preflight": "Blocked at the preflight",
    "actual": "Blocked at the actual request",
}


@dataclass(frozen=True)
class Headline:
    """A verdict in a few words, as the window's banner shows it."""

    #: ``allowed``, ``blocked`` (by CORS) or ``error`` (no answer: nothing for CORS to judge)
    state: str
    #: The headline: for a CORS block, in plain words naming the culprit header and its value.
    title: str
    body: str
    #: What the browser's console prints (empty when allowed).
    console: str
    #: Where it failed and Chromium's kind (``Blocked at the preflight: KIND``), when blocked.
    kind: str = ""


def headline(verdict: Verdict) -> Headline:
    """The banner's words for ``verdict``: a CORS block in plain words with the console
    message, or, when the server never answered, the network error and what it means."""
    error = verdict.error
    if error is None:
        readable = ", ".join(verdict.exposed_headers) or "none"
        return Headline(
            "allowed",
            f"Allowed — script can read the response ({readable})",
            "\n".join(verdict.notes),
            "",
        )
    console = error.message.rstrip()
    unanswered = next(
        (e.network_error for e in verdict.exchanges if e.network_error is not None), None
    )
    if error.kind == NETWORK_FAILURE and unanswered is not None:
        stage = "preflight" if error.stage == "preflight" else "request"
        return Headline(
            "error",
            f"No answer to the {stage}: {unanswered.code}",
            f"{unanswered.explanation} This is not a CORS block: the browser got no response "
            f"to judge, and script sees only a TypeError.\n\n{console}",
            console,
        )
    if error.kind in NON_CORS_KINDS:
        title, why = refusal_words(error)
        return Headline(
            "error",
            title,
            f"{why} This is not a CORS block: the browser refused it itself, so no "
            f"Access-Control-* header changes it.\n\n{console}",
            console,
        )
    plain = _in_plain_words(verdict, error)
    # Firefox names the failure with its own reason code (as MDN lists them)
    code = f" Firefox's reason: {error.reason}." if error.reason else ""
    notes = "".join(f"\n\n{note}" for note in verdict.notes)
    kind = f"{_BLOCKED_AT[error.stage]}: {error.kind}"
    return Headline(
        "blocked",
        _blocked_title(verdict, error),
        f"{plain[0].upper()}{plain[1:]}. {kind}.{code}\n\n{console}{notes}",
        console,
        kind,
    )


def _blocked_title(verdict: Verdict, error: Failure) -> str:
    """The headline of a CORS block in plain words, naming the culprit header (``Location``
    for a redirect) and, where one was sent, its value."""
    last = verdict.exchanges[-1] if verdict.exchanges else None
    response = last.response if last is not None else None
    answered = response.headers if response is not None else ()
    asked = last.request.headers if last is not None else ()
    header, value = error.header, error.value
    kind = error.kind.removeprefix(PREFLIGHT) if error.kind != PREFLIGHT_INVALID_STATUS else ""
    where = "the preflight's " if error.stage == "preflight" else ""
    origin = ", ".join(header_values(asked, "Origin")) or "null"
    if kind == MISSING_ALLOW_ORIGIN:
        if response is not None and not 200 <= response.status < 300:
            status = f"{response.status} {response.reason or ''}".strip()
            return (
                f"Blocked: the {'preflight' if error.stage == 'preflight' else 'request'} got "
                f"{status}, with no `{ACAO}` for `{origin}`"
            )
        response_of = "the preflight response" if error.stage == "preflight" else "the response"
        return f"Blocked: {response_of} has no `{ACAO}` for the origin `{origin}`"
    if kind == ALLOW_ORIGIN_MISMATCH:
        mistake = misspelt_origin(verdict)
        if mistake is not None:
            return (
                f"Blocked: {where}`{ACAO}` is `{value}` — {mistake[2]} "
                f"make{'s' if ' and ' not in mistake[2] else ''} it differ from `{origin}`"
            )
        return f"Blocked: {where}`{ACAO}` is `{value}`, not the origin `{origin}`"
    if kind == INVALID_ALLOW_ORIGIN_VALUE:
        shown = f"`{value}`" if value else "empty"
        return f"Blocked: {where}`{ACAO}` is {shown}, which is not a valid origin"
    if kind == MULTIPLE_ALLOW_ORIGIN_VALUES:
        return f"Blocked: {where}`{ACAO}` holds more than one value (`{value}`): it must be one"
    if kind == WILDCARD_ORIGIN:
        return f"Blocked: {where}`{ACAO}` is `*`, which a request with credentials cannot use"
    if kind == INVALID_ALLOW_CREDENTIALS:
        if value is None:
            return (
                f"Blocked: a request with credentials needs `{ACAC}: true`, and "
                f"the {'preflight ' if where else ''}response has none"
            )
        return f"Blocked: {where}`{ACAC}` is `{value}`; with credentials it must be `true`"
    if error.kind == PREFLIGHT_INVALID_STATUS:
        reason = response.reason if response is not None else None
        status = f"{value} {reason or ''}".strip()
        return f"Blocked: the preflight was answered `{status}`: it must be a 2xx status"
    if error.kind == PREFLIGHT_DISALLOWED_REDIRECT:
        code = response.status if response is not None else "redirect"
        return f"Blocked: the preflight was redirected ({code} → `Location: {value}`)"
    if error.kind == METHOD_DISALLOWED:
        allows = _allows(answered, ACAM, value)
        return f"Blocked: the server does not allow the method `{value}` ({allows})"
    if error.kind == HEADER_DISALLOWED:
        return (
            f"Blocked: the server does not allow the request header `{value}` "
            f"({_allows(answered, ACAH, value)})"
        )
    if error.kind in (INVALID_ALLOW_METHODS, INVALID_ALLOW_HEADERS):
        return f"Blocked: `{header}` is `{value}`, which the browser cannot parse"
    if error.kind == REDIRECT_CONTAINS_CREDENTIALS:
        return f"Blocked: the redirect's `Location: {value}` carries a user name and password"
    plain = KIND_IN_PLAIN_WORDS.get(error.kind, error.kind)
    if error.kind == CORS_DISABLED_SCHEME and value:
        plain = f"the URL's scheme `{value}:` does not support CORS"
    if header is not None:
        plain += f" (`{header}`" + ("" if value is None else f": `{value}`") + ")"
    return f"Blocked: {plain}"


def _allows(answered: Headers, name: str, asked: str | None) -> str:
    """What the response's ``name`` allows, as the headline's parenthesis."""
    values = header_values(answered, name)
    if not values:
        return f"it sends no `{name}`"
    joined = ", ".join(v.strip() for v in values)
    if joined == "*":
        if (asked or "").lower() == "authorization":
            return f"its `{name}` is `*`, which never covers `authorization`"
        return f"its `{name}` is `*`, which a request with credentials takes literally"
    return f"its `{name}` allows `{joined}`"


#: What the browser's own refusals mean, by Chromium's net error.
_REFUSED = {
    "net::ERR_UNSAFE_PORT": (
        "Browsers never connect to that port: it is on their list of restricted ports (those "
        "of other protocols: SMTP, IRC, X11 …). Serve the API on another port."
    ),
    "net::ERR_TOO_MANY_REDIRECTS": "The server redirected more than 20 times: a redirect loop.",
    "net::ERR_UNSAFE_REDIRECT": "A redirect pointed at a data:, file:, about: or blob: URL.",
    "net::ERR_UNKNOWN_URL_SCHEME": "A redirect pointed at a scheme browsers do not fetch.",
    "net::ERR_INVALID_REDIRECT": "A redirect's Location is not a valid URL.",
    "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION": "A redirect sent more than one Location.",
}


def refusal_words(error: Failure) -> tuple[str, str]:
    """A failure the browser decides without CORS (its own refusal, a redirect it will not
    follow): a title and what it means."""
    if error.kind == NETWORK_FAILURE:
        code = error.value or "net::ERR_FAILED"
        redirect = error.header == "Location" or code == "net::ERR_TOO_MANY_REDIRECTS"
        where = "the redirect" if redirect else "the request"
        return f"The browser refused {where}: {code}", _REFUSED.get(
            code, "The browser's network stack refused it."
        )
    plain = KIND_IN_PLAIN_WORDS.get(error.kind, error.kind)
    return f"Refused by the browser: {error.kind}", f"{plain[0].upper()}{plain[1:]}."


def _in_plain_words(verdict: Verdict, error: Failure) -> str:
    """The failure in plain words: exactly the server's mistake when it is a known one (an
    Allow-Origin spelt with a trailing slash …), else what its kind means."""
    return origin_spelling_mistake(verdict) or KIND_IN_PLAIN_WORDS.get(error.kind, error.kind)


def _exchange_lines(exchange: Exchange) -> list[str]:
    lines = [f"  > {exchange.request.method} {exchange.request.url}"]
    lines += [f"    {name}: {value}" for name, value in exchange.request.headers]
    response = exchange.response
    if response is not None:
        status = f"{response.http_version or ''} {response.status} {response.reason or ''}"
        lines.append(f"  < {status.strip()}")
        lines += [f"    {name}: {value}" for name, value in response.headers]
        if response.body_size is not None or response.body_truncated:
            size = "more than the cap" if response.body_truncated else f"{response.body_size} bytes"
            lines.append(f"    (body: {size})")
        if response.body_error is not None:
            lines.append(f"  x body: {response.body_error.code}: {response.body_error.explanation}")
        timings = response.timings
        if timings is not None:
            parts = [
                f"{label} {value:.1f} ms"
                for label, value in (
                    ("connect", timings.connect),
                    ("tls", timings.tls),
                    ("sent", timings.request_sent),
                    ("first byte", timings.first_byte),
                    ("done", timings.done),
                )
                if value is not None
            ]
            peer = f" from {response.remote_address}" if response.remote_address else ""
            lines.append(f"    (timing{peer}: {', '.join(parts)})")
    elif exchange.network_error is not None:
        error = exchange.network_error
        lines.append(f"  x {error.code}: {error.explanation}")
    return lines


def render_verdict(verdict: Verdict, stack: str | None = None) -> str:
    """Several lines: the outcome, the culprit, the console message, the exchanges, the fix."""
    lines: list[str] = []
    error = verdict.error
    if error is None:
        readable = ", ".join(verdict.exposed_headers) or "none"
        lines.append(f"ALLOWED ({verdict.response_type} response; script can read: {readable})")
    elif error.kind in NON_CORS_KINDS:
        unanswered = next((e.network_error for e in verdict.exchanges if e.network_error), None)
        title, why = refusal_words(error)
        if unanswered is not None:
            title = f"NETWORK FAILURE at the {error.stage} stage: {unanswered.code}"
            why = unanswered.explanation
        lines.append(f"NOT A CORS BLOCK. {title}")
        lines.append(f"  {why}")
        lines.append(f"  console: {error.message.rstrip()}")
    else:
        plain = _in_plain_words(verdict, error)
        lines.append(f"BLOCKED at the {error.stage} stage: {error.kind} ({plain})")
        if error.reason is not None:
            lines.append(f"  reason code: {error.reason}")
        if error.header is not None:
            shown = "missing" if error.value is None else repr(error.value)
            lines.append(f"  culprit: {error.header}: {shown}")
        lines.append(f"  console: {error.message.rstrip()}")
    lines.append("")
    if verdict.preflight_required:
        lines.append("Preflight: required, because " + "; ".join(verdict.preflight_reasons))
    else:
        lines.append("Preflight: not required")
    for name, reason in verdict.dropped_headers:
        lines.append(f"  dropped by the browser: {name} ({reason})")
    for exchange in verdict.exchanges:
        lines.append("")
        title = "Preflight request:" if exchange.kind == "preflight" else "Actual request:"
        if not exchange.browser_sends:
            title = "Actual request, SENT ANYWAY (no browser would send it after that preflight):"
        lines.append(title)
        lines += _exchange_lines(exchange)
    if not verdict.actuals:
        lines += ["", "Actual request: not sent"]
    for note in verdict.notes:
        lines += ["", f"Note: {note}"]
    fixes = list(verdict.fixes)
    if stack is not None and verdict.error is not None and fixes:
        from corsinspector.fixes.stacks import stack_fix

        fixes.append(stack_fix(stack, fixes[0], verdict.error.kind))
    for fix in fixes:
        lines += ["", f"Fix ({fix.server}): {fix.title}"]
        lines += [f"  {line}" for line in fix.snippet.splitlines()]
    return "\n".join(lines)
