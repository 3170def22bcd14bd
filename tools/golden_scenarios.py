#!/usr/bin/env python3
"""Generate the golden CORS corpus: one ``cors-scenario/1`` file per scenario.

The recorder plays every scenario against real Chromium (QtWebEngine) to capture the truth, so
no scenario states an expected verdict; descriptions only say what the Fetch spec says and what
Chromium is believed to do differently. The output folder always equals this script's output:
``*.json`` files it no longer generates are deleted.

Run from the repository root:  .venv/bin/python tools/golden_scenarios.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "golden" / "scenarios"
FORMAT = "cors-scenario/1"

# Page origins.
APP = "https://app.example.test"
APP_HTTP = "http://app.example.test"
APP_8443 = "https://app.example.test:8443"
NULL = "null"
# Target origins (each played on its own loopback port).
API = "https://api.example.test"
OTHER = "https://other.example.test"
CDN = "https://cdn.example.test"
API_8443 = "https://api.example.test:8443"
TARGETS = (API, OTHER, CDN, API_8443)

DATA = f"{API}/data"
FINAL = f"{API}/final"
OTHER_FINAL = f"{OTHER}/final"
APP_DATA = f"{APP}/data"
BACK = f"{APP}/back"
BODY = "hello"
JSON_BODY = '{"a": 1}'

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
CT = "Content-Type"
TRACE = ("X-Trace", "1")
JSON_CT = (CT, "application/json")

#: Methods fetch() upper-cases (any other method keeps its case on the wire).
NORMALIZED = ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT")
NO_PF = " No OPTIONS route: a preflight, if sent, gets a 404 (the log shows its ACRH)."

#: Family prefixes, longest first so that a name is counted once.
# fmt: off
FAMILIES = (
    "unrepro-mixed-content",
    "safelist-custom", "safelist-accept", "safelist-range", "safelist-lang", "safelist-hint",
    "safelist-len", "safelist-ct", "pf-redirect", "pf-cache", "pf-max-age", "pf-actual",
    "pf-status", "pf-combo", "pf-acao", "pf-acac", "method-case", "null-origin", "forbidden",
    "redirect", "simple", "status", "expose", "nocors", "scheme", "taint", "creds", "multi", "mode",
    "acao", "acac", "acam", "acah",
)
# fmt: on

Pair = tuple[str, str]
Hdrs = Sequence[Pair]
Json = dict[str, Any]


# --- builders ----------------------------------------------------------------------------


def wire_method(method: str) -> str:
    """The method fetch() sends: the six standard methods are upper-cased, others kept."""
    return method.upper() if method.upper() in NORMALIZED else method


def pad(prefix: str, length: int, fill: str = "a") -> str:
    """``prefix`` padded with ``fill`` to exactly ``length`` bytes."""
    value = prefix + fill * (length - len(prefix))
    if len(value) != length:
        raise ValueError(f"cannot pad {prefix!r} to {length}")
    return value


def lines(name: str, values: Iterable[str] | None) -> list[Pair]:
    """One header line per value (None or empty: no line at all)."""
    return [(name, value) for value in values or ()]


def cors(
    origin: str = APP,
    *,
    creds: bool = False,
    methods: str | None = None,
    headers: str | None = None,
) -> list[Pair]:
    """Response headers that allow ``origin`` (and methods/headers on a preflight)."""
    out = [(ACAO, origin)]
    if creds:
        out.append((ACAC, "true"))
    if methods is not None:
        out.append((ACAM, methods))
    if headers is not None:
        out.append((ACAH, headers))
    return out


def req(
    url: str = DATA,
    method: str = "GET",
    headers: Hdrs = (),
    *,
    credentials: str = "same-origin",
    mode: str = "cors",
    origin: str = APP,
    body: str | None = None,
) -> Json:
    """The fetch() call; POST, PUT and PATCH get a small string body unless one is given."""
    if body is None and method.upper() in ("POST", "PUT", "PATCH"):
        body = BODY
    out: Json = {
        "url": url,
        "method": method,
        "origin": origin,
        "headers": [[name, value] for name, value in headers],
        "credentials": credentials,
        "mode": mode,
    }
    if body is not None:
        out["body"] = body
    return out


def route(
    method: str, url: str = DATA, status: int = 200, headers: Hdrs = (), body: str | None = None
) -> Json:
    out: Json = {
        "method": method,
        "url": url,
        "status": status,
        "headers": [[name, value] for name, value in headers],
    }
    if body is not None:
        out["body"] = body
    return out


def answer(method: str = "GET", url: str = DATA, headers: Hdrs = (), status: int = 200) -> Json:
    """A non-preflight answer, with a small body where the method and status allow one."""
    wire = wire_method(method)
    body = None if wire == "HEAD" or status in (204, 304) else "ok"
    return route(wire, url, status, headers, body)


def preflight(url: str = DATA, headers: Hdrs = (), status: int = 204) -> Json:
    return route("OPTIONS", url, status, headers)


def redirect(method: str, url: str, location: str, status: int = 302, headers: Hdrs = ()) -> Json:
    return route(method, url, status, [("Location", location), *headers])


class Corpus:
    """The scenarios, by name, in the order they were added."""

    def __init__(self) -> None:
        self.items: dict[str, Json] = {}

    def add(self, name: str, description: str, request: Json, server: Iterable[Json]) -> None:
        if name in self.items:
            raise ValueError(f"duplicate scenario name: {name}")
        self.items[name] = {
            "format": FORMAT,
            "name": name,
            "description": description,
            "browser": "chromium",
            "request": request,
            "server": list(server),
        }

    def simple_get(self, name: str, description: str, headers: Hdrs, **kw: Any) -> None:
        """A GET with ``headers`` to a server with no OPTIONS route and an exact ACAO."""
        request = req(DATA, "GET", headers, **kw)
        self.add(name, description + NO_PF, request, [answer("GET", DATA, cors())])


# --- 1. simple requests ------------------------------------------------------------------

# fmt: off
SIMPLE: list[tuple[str, str, str, int, str | None, str | None, str]] = [
    # name, method, credentials, status, ACAO (None: absent), Content-Type, description
    ("get-acao-star", "GET", "same-origin", 200, "*", None,
     "Baseline: a GET without custom headers is a simple request (no preflight) and a wildcard "
     "ACAO allows it; credentials same-origin sends no cookies cross-origin."),
    ("get-acao-exact", "GET", "same-origin", 200, APP, None,
     "Baseline: a simple GET allowed by an ACAO equal to the page's serialized origin."),
    ("get-no-acao", "GET", "same-origin", 200, None, None,
     "No ACAO on a simple GET: the request is sent and answered 200, but fetch() rejects; a "
     "reader may wrongly think the browser blocks before sending."),
    ("get-omit-acao-star", "GET", "omit", 200, "*", None,
     "credentials omit with a wildcard ACAO: allowed, same as same-origin for a cross-origin URL."),
    ("get-omit-no-acao", "GET", "omit", 200, None, None,
     "credentials omit does not relax the CORS check: a missing ACAO still blocks."),
    ("get-include-acao-exact", "GET", "include", 200, APP, None,
     "credentials include with exact ACAO and ACAC true: allowed, cookies sent."),
    ("get-include-no-acao", "GET", "include", 200, None, None,
     "credentials include and no CORS headers at all (ACAC true only): the error should name the "
     "missing ACAO, not the credentials."),
    ("head-acao-star", "HEAD", "same-origin", 200, "*", None,
     "HEAD is a CORS-safelisted method: no preflight; wildcard ACAO allows it."),
    ("head-no-acao", "HEAD", "same-origin", 200, None, None,
     "HEAD without ACAO: sent without preflight, response blocked."),
    ("post-text-plain-acao-exact", "POST", "same-origin", 200, APP, "text/plain",
     "A POST with Content-Type text/plain is simple: no preflight, allowed by the exact ACAO."),
    ("post-form-no-acao", "POST", "same-origin", 200, None, "application/x-www-form-urlencoded",
     "A form-encoded POST is simple, so it reaches the server (side effects happen) even though "
     "the response, lacking ACAO, is blocked."),
    ("post-multipart-acao-star", "POST", "same-origin", 200, "*", "multipart/form-data; boundary=x",
     "multipart/form-data with a boundary is simple: no preflight, wildcard ACAO allows it."),
    ("get-404-acao", "GET", "same-origin", 404, APP, None,
     "A 404 with an exact ACAO passes CORS: fetch() resolves with status 404 (ok false); the "
     "actual response's status is not part of the CORS check."),
    ("get-404-no-acao", "GET", "same-origin", 404, None, None,
     "A 404 without ACAO is a CORS failure: the script sees a TypeError, never the 404."),
    ("get-500-acao", "GET", "same-origin", 500, "*", None,
     "A 500 with a wildcard ACAO is readable: fetch() resolves with status 500."),
    ("get-500-no-acao", "GET", "same-origin", 500, None, None,
     "A 500 without ACAO: blocked; the server error is invisible to the script."),
    ("post-500-acao", "POST", "same-origin", 500, APP, "text/plain",
     "A simple POST answered 500 with an exact ACAO: resolves with status 500."),
    ("get-include-404-acao", "GET", "include", 404, APP, None,
     "credentials include, 404 with exact ACAO and ACAC true: resolves with status 404."),
]
# fmt: on


def family_simple(c: Corpus) -> None:
    for name, method, creds, status, origin, ctype, desc in SIMPLE:
        headers = [] if origin is None else cors(origin, creds=creds == "include")
        if creds == "include" and origin is None:
            headers = [(ACAC, "true")]
        request = req(DATA, method, [(CT, ctype)] if ctype else [], credentials=creds)
        c.add(f"simple-{name}", desc, request, [answer(method, DATA, headers, status)])
    c.add(
        "simple-same-origin-get",
        "Same-origin GET (page and URL both https://app.example.test): no CORS check at all, no "
        "ACAO needed, and no Origin header on the request.",
        req(APP_DATA),
        [answer("GET", APP_DATA)],
    )
    c.add(
        "simple-same-origin-post",
        "Same-origin POST without ACAO: allowed; Chromium still sends an Origin header on a "
        "same-origin POST (the spec adds Origin to every non-GET/HEAD request).",
        req(APP_DATA, "POST", [(CT, "text/plain")]),
        [answer("POST", APP_DATA)],
    )
    c.add(
        "simple-same-origin-put-custom-header",
        "Same-origin PUT with a custom header: no preflight for same-origin requests." + NO_PF,
        req(APP_DATA, "PUT", [TRACE]),
        [answer("PUT", APP_DATA)],
    )
    c.add(
        "simple-http-page-acao-http-origin",
        "An http:// page fetching an https:// API (not mixed content): the ACAO must name the "
        "http origin exactly.",
        req(origin=APP_HTTP),
        [answer("GET", DATA, cors(APP_HTTP))],
    )
    c.add(
        "simple-port-page-acao-with-port",
        "Page on https://app.example.test:8443: its serialized origin keeps the port, and an "
        "ACAO with that port matches.",
        req(origin=APP_8443),
        [answer("GET", DATA, cors(APP_8443))],
    )
    c.add(
        "simple-port-page-to-default-port-same-host",
        "Page https://app.example.test:8443 fetching https://app.example.test/data: same host, "
        "different port, so cross-origin; needs (and has) an ACAO naming the :8443 origin.",
        req(APP_DATA, origin=APP_8443),
        [answer("GET", APP_DATA, cors(APP_8443))],
    )
    c.add(
        "simple-api-8443-target",
        "Target https://api.example.test:8443: a non-default port is its own origin; exact ACAO "
        "allows it.",
        req(f"{API_8443}/data"),
        [answer("GET", f"{API_8443}/data", cors())],
    )
    c.add(
        "simple-query-string",
        "URL with a query string (kept byte-exact, not reordered): simple GET allowed by ACAO.",
        req(f"{DATA}?b=2&a=1"),
        [answer("GET", f"{DATA}?b=2&a=1", cors())],
    )
    c.add(
        "simple-cdn-acao-star",
        "Simple GET to a third origin (cdn) with a wildcard ACAO: allowed.",
        req(f"{CDN}/lib.js"),
        [answer("GET", f"{CDN}/lib.js", cors("*"))],
    )


# --- status of the actual response -------------------------------------------------------

# fmt: off
STATUSES: list[tuple[int, str]] = [
    (201, "Created"), (202, "Accepted"), (204, "No Content, no body"),
    (206, "Partial Content without a Range request"), (299, "the last 2xx"),
    (304, "Not Modified for an unconditional request"), (400, "Bad Request"),
    (401, "Unauthorized, without WWW-Authenticate"), (403, "Forbidden"), (418, "an odd 4xx"),
    (503, "Service Unavailable"), (599, "the highest status fetch() accepts"),
]
# fmt: on


def family_status(c: Corpus) -> None:
    for code, note in STATUSES:
        ok = "true" if 200 <= code <= 299 else "false"
        c.add(
            f"status-{code}",
            f"Simple GET answered {code} ({note}) with an exact ACAO: the CORS check ignores the "
            f"actual response's status, so fetch() should resolve with status {code}, ok {ok}.",
            req(),
            [answer("GET", DATA, cors(), code)],
        )


# --- 2. ACAO forms on the actual response ------------------------------------------------

# fmt: off
ACAO_CASES: list[tuple[str, list[str], str, str, str]] = [
    # name, ACAO lines, credentials, page origin, description
    ("trailing-slash", [f"{APP}/"], "same-origin", APP,
     "ACAO with a trailing slash: not byte-equal to the serialized origin, so blocked; a reader "
     "comparing parsed URLs would wrongly allow it."),
    ("upper-case", ["HTTPS://APP.example.test"], "same-origin", APP,
     "Upper-case scheme and host: the comparison is byte-for-byte, no URL normalisation."),
    ("mixed-case-host", ["https://App.example.test"], "same-origin", APP,
     "One upper-case letter in the host: byte mismatch, although hosts are case-insensitive."),
    ("default-port", [f"{APP}:443"], "same-origin", APP,
     "Explicit default port :443: the serialized origin omits it, so the bytes differ."),
    ("wrong-port", [APP_8443], "same-origin", APP,
     "ACAO names the :8443 origin for a page on the default port: mismatch."),
    ("wrong-scheme", [APP_HTTP], "same-origin", APP,
     "ACAO names http://app.example.test for an https page: mismatch (the scheme is part of "
     "the origin)."),
    ("null-literal", ["null"], "same-origin", APP,
     "ACAO 'null' for a normal page: mismatch; Chromium special-cases the literal null before "
     "its URL validity check (reported as a mismatch, not an invalid value)."),
    ("null-literal-null-page", ["null"], "same-origin", NULL,
     "ACAO 'null' for an opaque-origin page (sandboxed iframe): the origin serializes to 'null', "
     "so it matches; the spec is unclear (whatwg/fetch#280) but Chromium allows it on purpose."),
    ("padded-spaces", [f"  {APP}  "], "same-origin", APP,
     "ACAO padded with spaces: leading/trailing HTTP whitespace is stripped when the response is "
     "parsed, so it matches; a strict byte comparer would block."),
    ("padded-tab", [f"\t{APP}\t"], "same-origin", APP,
     "ACAO padded with tabs: tab is HTTP whitespace and is stripped too."),
    ("nbsp-padded", [f"{APP}\xa0"], "same-origin", APP,
     "ACAO followed by a latin-1 no-break space (0xA0): not HTTP whitespace, so not stripped."),
    ("empty", [""], "same-origin", APP,
     "ACAO present but empty: blocked; Chromium reports an invalid ACAO value, not a missing one."),
    ("garbage", ["foo"], "same-origin", APP,
     "ACAO 'foo': not a URL at all (Chromium: invalid value, not mismatch)."),
    ("star-omit", ["*"], "omit", APP, "Wildcard with credentials omit: allowed."),
    ("star-same-origin", ["*"], "same-origin", APP,
     "Wildcard with the default credentials mode same-origin (cross-origin, so no cookies): "
     "allowed; only include forbids the wildcard."),
    ("star-include", ["*"], "include", APP,
     "Wildcard with credentials include (ACAC true present): blocked, the wildcard is not "
     "allowed with credentials."),
    ("star-padded", [" * "], "same-origin", APP,
     "Wildcard padded with spaces: stripped at parse time, so it is still the wildcard."),
    ("star-then-origin-lines", ["*", APP], "same-origin", APP,
     "Two ACAO lines '*' then the origin: combined into '*, https://app.example.test' (Chromium "
     "joins repeated lines with ', ') and blocked as multiple values; a reader may take either "
     "line."),
    ("origin-then-star-lines", [APP, "*"], "same-origin", APP,
     "Two ACAO lines, origin then '*': combined value matches neither, blocked."),
    ("two-identical-lines", [APP, APP], "same-origin", APP,
     "The exact origin on two lines: combined to 'origin, origin', blocked as multiple values "
     "even though each line alone would match."),
    ("second-line-empty", [APP, ""], "same-origin", APP,
     "The exact origin plus an empty second ACAO line: the combined value gets a trailing ', '."),
    ("comma-list", [f"{APP}, {OTHER}"], "same-origin", APP,
     "A comma-separated list containing the origin: only one origin is allowed, blocked."),
    ("trailing-comma", [f"{APP},"], "same-origin", APP,
     "The origin followed by a comma: Chromium sees a ',' and reports multiple values."),
    ("space-list", [f"{APP} {OTHER}"], "same-origin", APP,
     "A space-separated list (the old CORS spec's origin-list syntax): blocked."),
    ("star-star", ["*, *"], "same-origin", APP,
     "'*, *' on one line: not the wildcard, blocked as multiple values."),
    ("wildcard-subdomain", ["https://*.example.test"], "same-origin", APP,
     "A subdomain wildcard: there is no pattern matching in ACAO, blocked."),
    ("other-origin", [OTHER], "same-origin", APP, "ACAO names another valid origin: mismatch."),
    ("quoted", [f'"{APP}"'], "same-origin", APP,
     "The origin in double quotes: quotes are not stripped, blocked."),
    ("with-path", [APP_DATA], "same-origin", APP,
     "A full URL with a path instead of an origin: byte mismatch."),
    ("port-page-exact", [APP_8443], "same-origin", APP_8443,
     "Page on :8443 and ACAO with :8443: exact match."),
    ("port-page-without-port", [APP], "same-origin", APP_8443,
     "Page on :8443 but ACAO without the port: mismatch."),
    ("http-page-https-value", [APP], "same-origin", APP_HTTP,
     "An http page and an ACAO naming the https origin of the same host: mismatch."),
]
# fmt: on


def family_acao(c: Corpus) -> None:
    for name, values, creds, page, desc in ACAO_CASES:
        headers = lines(ACAO, values) + ([(ACAC, "true")] if creds == "include" else [])
        c.add(
            f"acao-{name}",
            desc,
            req(credentials=creds, origin=page),
            [answer("GET", DATA, headers)],
        )


# --- 3. ACAC on the actual response ------------------------------------------------------

# fmt: off
ACAC_CASES: list[tuple[str, list[str], str, str, str]] = [
    # name, ACAC lines, credentials, ACAO, description
    ("true-include", ["true"], "include", APP, "Baseline: include, exact ACAO, ACAC 'true'."),
    ("capital-true-include", ["True"], "include", APP,
     "ACAC 'True': the value must be exactly the lower-case bytes 'true'."),
    ("upper-true-include", ["TRUE"], "include", APP, "ACAC 'TRUE': case-sensitive, blocked."),
    ("padded-true-include", [" true "], "include", APP,
     "ACAC ' true ': whitespace is stripped when parsing the response, so it is 'true'."),
    ("tab-padded-true-include", ["\ttrue"], "include", APP,
     "ACAC with a leading tab: HTTP whitespace, stripped."),
    ("missing-include", [], "include", APP,
     "include with exact ACAO but no ACAC: blocked by the credentials check."),
    ("false-include", ["false"], "include", APP, "ACAC 'false' with include: blocked."),
    ("empty-include", [""], "include", APP, "ACAC present but empty: blocked."),
    ("one-include", ["1"], "include", APP, "ACAC '1': not 'true', blocked."),
    ("quoted-true-include", ['"true"'], "include", APP, "ACAC '\"true\"': quotes are kept."),
    ("two-true-lines-include", ["true", "true"], "include", APP,
     "Two ACAC 'true' lines: combined to 'true, true', which is not 'true'."),
    ("true-comma-true-include", ["true, true"], "include", APP,
     "'true, true' on one line: not 'true'."),
    ("true-then-false-include", ["true", "false"], "include", APP,
     "ACAC 'true' then 'false' lines: combined 'true, false'."),
    ("false-omit", ["false"], "omit", APP,
     "ACAC 'false' with credentials omit: ACAC is only checked for include, so allowed."),
    ("garbage-omit", ["yes"], "omit", APP, "ACAC 'yes' with omit: ignored, allowed."),
    ("true-omit", ["true"], "omit", APP, "ACAC 'true' with omit: harmless, allowed."),
    ("false-same-origin", ["false"], "same-origin", APP,
     "ACAC 'false' with same-origin credentials to a cross-origin URL: ignored, allowed."),
    ("true-acao-star-include", ["true"], "include", "*",
     "ACAC true cannot rescue a wildcard ACAO with include: blocked on the wildcard."),
    ("true-acao-star-omit", ["true"], "omit", "*",
     "Wildcard ACAO plus ACAC true with omit: allowed (a reader may think the pair is invalid)."),
    ("true-acao-star-same-origin", ["true"], "same-origin", "*",
     "Wildcard ACAO plus ACAC true with same-origin credentials: allowed."),
]
# fmt: on


def family_acac(c: Corpus) -> None:
    for name, values, creds, origin, desc in ACAC_CASES:
        c.add(
            f"acac-{name}",
            desc,
            req(credentials=creds),
            [answer("GET", DATA, [(ACAO, origin), *lines(ACAC, values)])],
        )


# --- 4. methods --------------------------------------------------------------------------

# fmt: off
METHODS: list[tuple[str, str, str | None, str]] = [
    # name, method as given to fetch(), ACAM on the preflight (None: no OPTIONS route), desc
    ("put", "PUT", "PUT", "PUT is not safelisted: preflight with ACRM PUT, then the PUT."),
    ("delete", "DELETE", "DELETE", "DELETE needs a preflight; ACAM DELETE allows it."),
    ("patch", "PATCH", "PATCH", "PATCH needs a preflight; ACAM PATCH allows it."),
    ("patch-lower-acam-lower", "patch", "patch",
     "fetch() does not upper-case 'patch', so ACRM is 'patch'. Spec: byte-exact match with ACAM "
     "'patch' passes; Chromium is believed to upper-case the method before comparing, which would "
     "fail."),
    ("patch-lower-acam-upper", "patch", "PATCH",
     "Method 'patch' (sent lower-case) against ACAM 'PATCH': the spec's case-sensitive match "
     "fails; Chromium's upper-casing comparison would pass."),
    ("patch-lower-no-preflight-route", "patch", None,
     "Lower-case 'patch' still needs a preflight; the log shows the ACRM value."),
    ("patch-mixed-acam-upper", "Patch", "PATCH",
     "'Patch' is not one of the normalized methods, so it is sent as 'Patch'."),
    ("put-lower", "put", "PUT",
     "fetch() upper-cases 'put' (one of the six normalized methods): ACRM PUT, ACAM PUT."),
    ("delete-lower", "delete", "DELETE", "'delete' is normalized to DELETE."),
    ("put-no-preflight-route", "PUT", None, "PUT with no OPTIONS route: shows PUT is preflighted."),
    ("get-mixed", "Get", None, "'Get' is normalized to GET, which is safelisted: no preflight."),
    ("post-lower", "post", None, "'post' normalized to POST with a text/plain body: simple."),
    ("head-mixed", "hEaD", None, "'hEaD' normalized to HEAD: simple."),
    ("options", "OPTIONS", "OPTIONS",
     "OPTIONS as the actual method is not safelisted: a preflight precedes it, and both are "
     "OPTIONS to the same URL, answered by one route (200, ACAO, ACAM OPTIONS)."),
    ("options-lower", "options", "OPTIONS",
     "'options' is normalized to OPTIONS: as above, preflight then the actual OPTIONS."),
    ("foo", "FOO", "FOO", "A custom method FOO: preflight, allowed by ACAM FOO."),
    ("foo-lower-acam-lower", "foo", "foo",
     "Custom lower-case 'foo' and ACAM 'foo': spec passes; Chromium upper-cases the method for "
     "the comparison (believed), which would fail."),
    ("foo-no-preflight-route", "FOO", None, "FOO with no OPTIONS route."),
    ("m-search", "M-SEARCH", "M-SEARCH", "A token method with a dash: ACAM M-SEARCH allows it."),
    ("trace-forbidden", "TRACE", None,
     "TRACE is a forbidden method: fetch() throws before sending anything."),
    ("track-lower-forbidden", "track", None,
     "'track' is forbidden too (the check is case-insensitive): fetch() throws."),
]
# fmt: on


def family_methods(c: Corpus) -> None:
    for name, method, allowed, desc in METHODS:
        server = [] if allowed is None else [preflight(DATA, cors(methods=allowed))]
        if wire_method(method) == "OPTIONS":
            # The preflight and the actual request are both OPTIONS to one URL: one route.
            server = [answer("OPTIONS", DATA, cors(methods="OPTIONS"))]
        else:
            server.append(answer(method, DATA, cors()))
        forbidden = method.upper() in ("TRACE", "TRACK")
        body_note = NO_PF if allowed is None and not forbidden else ""
        headers = [(CT, "text/plain")] if method.upper() == "POST" else []
        c.add(f"method-case-{name}", desc + body_note, req(DATA, method, headers), server)


# --- 5. safelist boundaries --------------------------------------------------------------

# fmt: off
CT_CASES: list[tuple[str, list[str], str]] = [
    ("text-plain", ["text/plain"], "Baseline safelisted Content-Type: no preflight."),
    ("text-plain-charset", ["text/plain;charset=UTF-8"],
     "Parameters do not matter, only the MIME essence: safelisted."),
    ("upper-case", ["TEXT/PLAIN"], "The essence is compared after lower-casing: safelisted."),
    ("space-before-semicolon", ["text/plain ; charset=utf-8"],
     "Whitespace before ';' is trimmed by the MIME parser: safelisted."),
    ("form-urlencoded", ["application/x-www-form-urlencoded"], "Safelisted essence."),
    ("multipart-boundary", ["multipart/form-data; boundary=x"], "Safelisted essence."),
    ("multipart-no-boundary", ["multipart/form-data"],
     "A missing boundary is irrelevant to the safelist: only the essence is checked."),
    ("application-json", ["application/json"], "application/json is not safelisted: preflight."),
    ("text-html", ["text/html"], "text/html is not safelisted although it is text: preflight."),
    ("comma-list", ["text/plain, text/html"],
     "A comma list is not one MIME type (subtype 'plain, text/html' is no token): preflight; a "
     "reader might take the first item."),
    ("trailing-semicolon", ["text/plain;"], "An empty parameter list still parses: safelisted."),
    ("quoted-charset", ['text/plain; charset="utf-8"'],
     "A valid quoted parameter, but '\"' is a CORS-unsafe request-header byte: preflight."),
    ("empty", [""], "An empty Content-Type fails MIME parsing: preflight."),
    ("paren", ["text/plain; x=(1)"], "'(' and ')' are unsafe bytes: preflight."),
    ("brace", ["text/plain; x={1}"], "'{' and '}' are unsafe bytes: preflight."),
    ("at-sign", ["text/plain; x=a@b"], "'@' is an unsafe byte: preflight."),
    ("len-128", [pad("text/plain; x=", 128)],
     "Exactly 128 bytes: the longest value still safelisted (the limit is 'more than 128')."),
    ("len-129", [pad("text/plain; x=", 129)],
     "129 bytes: over the limit, preflight although the essence is text/plain."),
    ("two-entries-same", ["text/plain", "text/plain"],
     "Two Content-Type entries, each safelisted. Spec checks each header-list entry (no "
     "preflight); Chromium combines them to 'text/plain, text/plain' first, which does not parse."),
    ("two-entries-json-second", ["text/plain", "application/json"],
     "text/plain then application/json as two entries: the second is unsafe either way."),
    ("no-content-type", [],
     "POST with a string body and no Content-Type: fetch() itself adds 'text/plain;charset=UTF-8',"
     " which is safelisted, so no preflight."),
    ("spaces-around-slash", ["text / plain"],
     "Spec's MIME parser fails on the type 'text ' (space is no token code point): preflight; "
     "Chromium's parser is believed to trim around '/', which would safelist it."),
    ("leading-space", ["  text/plain"],
     "Leading spaces are stripped when the header is appended (value normalisation): safelisted."),
    ("param-then-comma-json", ["text/plain;x=1, application/json"],
     "Everything after ';' is parameters: the spec ignores the odd parameter and Chromium only "
     "looks before the first ';', so this JSON-naming value is probably safelisted."),
]
# fmt: on

# fmt: off
ACCEPT_CASES: list[tuple[str, str, str]] = [
    ("normal", "application/json", "A plain Accept value: safelisted."),
    ("browser-default", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
     "A typical browser Accept value (no unsafe bytes): safelisted."),
    ("empty", "", "An empty Accept: no unsafe byte, length 0, safelisted."),
    ("quote", 'text/plain; charset="x"', "'\"' is an unsafe byte: preflight."),
    ("brace", "application/{json}", "'{' '}' are unsafe bytes: preflight."),
    ("at-sign", "user@example", "'@' is an unsafe byte: preflight."),
    ("colon", "urn:example:type",
     "':' is an unsafe byte (easy to miss since it delimits headers): preflight."),
    ("len-128", pad("application/x-", 128), "Exactly 128 bytes: safelisted."),
    ("len-129", pad("application/x-", 129), "129 bytes: over the limit, preflight."),
    ("tab-inside", "text/html,\tapplication/json",
     "A tab inside the value: tab is excluded from the unsafe control bytes, safelisted."),
    ("del-byte", "text/html\x7f", "0x7F (DEL) is an unsafe byte: preflight."),
    ("ctl-byte", "text/\x01html", "A 0x01 control byte is unsafe: preflight."),
    ("latin1-byte", "text/\xe9",
     "A byte >= 0x80 is not in the spec's unsafe set, so safelisted by the spec; worth checking "
     "how Chromium encodes and classifies it."),
]
# fmt: on

# fmt: off
LANG_CASES: list[tuple[str, str, str, str]] = [
    ("accept-en-us", "Accept-Language", "en-US", "Plain language tag: safelisted."),
    ("accept-list-q", "Accept-Language", "en-US,fr;q=0.5",
     "A list with q-values uses only allowed bytes (alnum, space, * , - . ; =): safelisted."),
    ("accept-spaces", "Accept-Language", "de-CH, fr;q=0.9", "Spaces are allowed: safelisted."),
    ("accept-star", "Accept-Language", "*", "'*' is allowed: safelisted."),
    ("accept-underscore", "Accept-Language", "en_US",
     "'_' is not in the allowed set (though not a generally unsafe byte): preflight."),
    ("accept-slash", "Accept-Language", "en/US", "'/' is not allowed: preflight."),
    ("accept-bang", "Accept-Language", "en!", "'!' is not allowed: preflight."),
    ("accept-len-128", "Accept-Language", pad("en-", 128), "128 bytes: safelisted."),
    ("accept-len-129", "Accept-Language", pad("en-", 129), "129 bytes: preflight."),
    ("accept-empty", "Accept-Language", "",
     "Empty value: contains no disallowed byte, so safelisted (a reader may expect rejection)."),
    ("content-en-us", "Content-Language", "en-US", "Plain tag: safelisted."),
    ("content-list", "Content-Language", "de, fr-CA", "A list of tags: safelisted."),
    ("content-underscore", "Content-Language", "en_US", "'_' not allowed: preflight."),
    ("content-plus", "Content-Language", "en+US", "'+' not allowed: preflight."),
    ("content-len-128", "Content-Language", pad("de-", 128), "128 bytes: safelisted."),
    ("content-len-129", "Content-Language", pad("de-", 129), "129 bytes: preflight."),
    ("content-empty", "Content-Language", "", "Empty value: safelisted."),
]
# fmt: on

# fmt: off
RANGE_CASES: list[tuple[str, str, str]] = [
    ("first-500", "bytes=0-499", "A single bounded range: safelisted (added to the spec in 2022)."),
    ("open-ended", "bytes=0-", "An open-ended range: safelisted."),
    ("suffix", "bytes=-500",
     "A suffix range: parses, but the spec excludes ranges without a start: preflight."),
    ("multiple", "bytes=0-1,3-4", "Multiple ranges are not safelisted: preflight."),
    ("unit-capitalised", "Bytes=0-1",
     "The spec's parser requires the exact bytes 'bytes' (case-sensitive): preflight by spec; "
     "Chromium may parse the unit case-insensitively."),
    ("unit-upper", "BYTES=0-1", "Upper-case unit: see Bytes=0-1."),
    ("spaces-around-equals", "bytes = 0-1",
     "Whitespace is not allowed when safelisting (allowWhitespace false): preflight by spec."),
    ("inner-space", "bytes=0 -1", "Whitespace before '-': preflight by spec."),
    ("start-after-end", "bytes=5-1",
     "Start greater than end: the single-range parser returns failure, so preflight."),
    ("trailing-space", "bytes=0-1 ",
     "A trailing space is stripped when the header is appended, so the value is 'bytes=0-1' "
     "and safelisted; a reader applying allowWhitespace=false to the raw string would preflight."),
    ("equal-bounds", "bytes=1-1", "Start equal to end: a valid one-byte range, safelisted."),
    ("leading-zeros", "bytes=00-01", "Leading zeros are still digits: safelisted by spec."),
    ("other-unit", "items=0-1", "A unit other than bytes: preflight."),
    ("huge", "bytes=0-99999999999999999999",
     "An end beyond 64-bit integers: the spec's parser has no limit; Chromium's may overflow."),
    ("empty", "", "An empty Range: not a valid range, preflight."),
]
# fmt: on

# fmt: off
HINT_CASES: list[tuple[str, str, str, str]] = [
    ("dpr", "DPR", "2", "Spec: DPR is not safelisted (preflight). Chromium safelists the client "
     "hint DPR when the value looks like a number."),
    ("dpr-decimal", "DPR", "1.5", "DPR 1.5: a number with one dot, Chromium-safelisted."),
    ("dpr-bad", "DPR", "x", "DPR 'x': Chromium's number check fails, so preflight."),
    ("dpr-two-dots", "DPR", "1.2.3", "DPR with two dots: not number-like for Chromium."),
    ("dpr-leading-dot", "DPR", ".5", "DPR '.5': Chromium requires a leading digit (believed)."),
    ("dpr-negative", "DPR", "-1", "DPR '-1': a leading '-' is not a digit."),
    ("width", "Width", "100", "Width 100: integer-like, Chromium-safelisted."),
    ("width-decimal", "Width", "100.5", "Width must be integer-like for Chromium: preflight."),
    ("width-bad", "Width", "abc", "Width 'abc': preflight."),
    ("viewport-width", "Viewport-Width", "800", "Viewport-Width 800: Chromium-safelisted."),
    ("viewport-width-decimal", "Viewport-Width", "800.0", "Viewport-Width 800.0: not an integer."),
    ("device-memory", "Device-Memory", "8", "Device-Memory 8: Chromium-safelisted number."),
    ("device-memory-decimal", "Device-Memory", "0.5", "Device-Memory 0.5: number-like."),
    ("device-memory-bad", "Device-Memory", "lots", "Device-Memory 'lots': preflight."),
    ("downlink", "Downlink", "1.5", "Network hint Downlink: is it in Chromium's safelist?"),
    ("rtt", "RTT", "50", "Network hint RTT: is it in Chromium's safelist?"),
    ("ect", "ECT", "4g", "Network hint ECT: is it in Chromium's safelist?"),
    ("save-data", "Save-Data", "on", "Save-Data: on: is it in Chromium's safelist?"),
]
# fmt: on

# fmt: off
CUSTOM_CASES: list[tuple[str, str, list[Pair], str | None, str]] = [
    # name, method, headers, ACAH on an OPTIONS route (None: no OPTIONS route), description
    ("x-trace-no-preflight-route", "GET", [TRACE], None,
     "One custom header: preflight with ACRH 'x-trace'."),
    ("x-trace-allowed", "GET", [TRACE], "x-trace",
     "One custom header allowed by ACAH: preflight then the GET, both logged."),
    ("authorization-allowed", "GET", [("Authorization", "Bearer abc")], "authorization",
     "Authorization is not safelisted: preflight, allowed by an explicit ACAH."),
    ("several-sorted", "POST", [("X-Zeta", "1"), ("X-Alpha", "2"), JSON_CT, ("X-Mid", "3")],
     "x-zeta, x-alpha, content-type, x-mid",
     "Several unsafe headers: ACRH should be lower-cased, sorted and joined with ',' and no "
     "spaces: 'content-type,x-alpha,x-mid,x-zeta'."),
    ("mixed-case-duplicates", "GET", [("X-A", "1"), ("x-a", "2")], "x-a",
     "X-A and x-a are one header name: ACRH lists 'x-a' once; the actual request should carry "
     "'1, 2' as one combined value."),
    ("same-name-three-times", "GET", [("X-A", "1"), ("X-A", "2"), ("X-A", "3")], "x-a",
     "Three values of one custom header: one ACRH entry, combined value on the wire."),
    ("upper-case-name", "GET", [("X-TRACE", "1")], "x-trace",
     "An upper-case custom name: ACRH is lower-cased ('x-trace')."),
    ("empty-value", "GET", [("X-Empty", "")], None,
     "A custom header with an empty value is still unsafe: preflight."),
    ("with-safelisted-accept", "GET", [("Accept", "application/json"), TRACE], None,
     "A safelisted Accept plus a custom header: ACRH should name only 'x-trace'."),
    ("with-unsafe-accept", "GET", [("Accept", 'a"b'), TRACE], None,
     "An unsafe Accept plus a custom header: ACRH should be 'accept,x-trace'."),
    ("text-plain-post-with-custom", "POST", [(CT, "text/plain"), TRACE], None,
     "A safelisted Content-Type is not listed in ACRH: only 'x-trace'."),
    ("json-post-with-custom", "POST", [JSON_CT, TRACE], None,
     "application/json plus a custom header: ACRH 'content-type,x-trace'."),
]
# fmt: on


def length_headers(sizes: Sequence[int], with_range: bool) -> list[Pair]:
    """Safelisted headers (distinct names) whose values have the given byte lengths."""
    # fmt: off
    makers: list[tuple[str, str, str]] = [
        ("Accept", "text/html,", "a"), ("Accept-Language", "en-", "a"),
        ("Content-Language", "de-", "a"), (CT, "text/plain;x=", "a"), ("DPR", "1.", "0"),
        ("Device-Memory", "8.", "0"), ("Width", "1", "0"), ("Viewport-Width", "1", "0"),
    ]
    # fmt: on
    pairs = zip(makers, sizes, strict=False)
    out = [(name, pad(prefix, size, fill)) for (name, prefix, fill), size in pairs]
    return [*out, ("Range", "bytes=0-")] if with_range else out


def family_safelist(c: Corpus) -> None:
    for name, values, desc in CT_CASES:
        headers = lines(CT, values)
        c.add(
            f"safelist-ct-{name}",
            desc + NO_PF,
            req(DATA, "POST", headers),
            [answer("POST", DATA, cors())],
        )
    c.add(
        "safelist-ct-json-on-get",
        "Content-Type application/json on a GET without a body: the header alone triggers a "
        "preflight; a reader may think Content-Type only matters with a body." + NO_PF,
        req(DATA, "GET", [JSON_CT]),
        [answer("GET", DATA, cors())],
    )
    for name, value, desc in ACCEPT_CASES:
        c.simple_get(f"safelist-accept-{name}", desc, [("Accept", value)])
    for name, header, value, desc in LANG_CASES:
        c.simple_get(f"safelist-lang-{name}", desc, [(header, value)])
    for name, value, desc in RANGE_CASES:
        c.simple_get(f"safelist-range-{name}", desc, [("Range", value)])
    for name, header, value, desc in HINT_CASES:
        c.simple_get(f"safelist-hint-{name}", desc, [(header, value)])
    c.simple_get(
        "safelist-hint-sec-ch-ua-mobile",
        "Sec-CH-UA-Mobile is in Chromium's client-hint list, but every Sec- header is "
        "forbidden for scripts, so it is dropped and cannot trigger a preflight.",
        [("Sec-CH-UA-Mobile", "?0")],
    )
    eight = "Accept, Accept-Language, Content-Language, Content-Type, DPR, Device-Memory, Width "
    eight += "and Viewport-Width"
    # fmt: off
    total_cases = [
        ("1024-eight-names", [128] * 8, False,
         f"{eight} at 128 bytes each: exactly 1024 bytes in total, the largest safelisted total. "
         "Spec: DPR and friends are not safelisted at all (preflight)."),
        ("1024-nine-names", [120, *[128] * 7], True,
         f"{eight} plus Range 'bytes=0-': values total exactly 1024 bytes."),
        ("1025-nine-names", [121, *[128] * 7], True,
         f"{eight} plus Range: values total 1025 bytes, one over the limit, so all become unsafe "
         "and ACRH lists every one of them."),
    ]
    # fmt: on
    for name, sizes, with_range, desc in total_cases:
        c.simple_get(f"safelist-len-{name}", desc, length_headers(sizes, with_range))
    # fmt: off
    dup_cases = [
        ("accept-two-60", 2, 60,
         "Two Accept entries of 60 bytes: each safelisted, and even combined ('a, b', 122 bytes) "
         "they stay under 128."),
        ("accept-two-64", 2, 64,
         "Two Accept entries of 64 bytes: the spec checks each entry (safelisted); Chromium "
         "combines them into one 130-byte value, over the 128-byte limit."),
        ("accept-eight-128", 8, 128,
         "Eight Accept entries of 128 bytes: spec total exactly 1024, so safelisted; Chromium's "
         "combined Accept value is far over 128 bytes."),
    ]
    # fmt: on
    for name, count, size, desc in dup_cases:
        headers = [("Accept", pad(f"text/x{i}-", size)) for i in range(count)]
        c.simple_get(f"safelist-len-{name}", desc, headers)
    for name, method, headers, allowed, desc in CUSTOM_CASES:
        server = [] if allowed is None else [preflight(DATA, cors(headers=allowed))]
        server.append(answer(method, DATA, cors()))
        c.add(
            f"safelist-custom-{name}",
            desc + (NO_PF if allowed is None else ""),
            req(DATA, method, headers),
            server,
        )


# --- 6. forbidden request headers --------------------------------------------------------

# fmt: off
FORBIDDEN: list[tuple[str, str, str, str]] = [
    ("cookie", "Cookie", "a=1", ""),
    ("cookie-mixed-case", "cOoKiE", "a=1", "The forbidden-name check is case-insensitive. "),
    ("cookie2", "Cookie2", "a=1", ""),
    ("host", "Host", "evil.example.test", ""),
    ("origin", "Origin", "https://evil.example.test", "The script cannot spoof Origin. "),
    ("referer", "Referer", f"{APP}/", ""),
    ("connection", "Connection", "close", ""),
    ("content-length", "Content-Length", "5", ""),
    ("user-agent", "User-Agent", "golden/1.0",
     "The spec removed User-Agent from the forbidden list, so by spec it is an unsafe header "
     "(preflight); Chromium still forbids and drops it. "),
    ("accept-charset", "Accept-Charset", "utf-8", ""),
    ("accept-encoding", "Accept-Encoding", "identity", ""),
    ("dnt", "DNT", "1", ""),
    ("date", "Date", "Tue, 01 Jul 2025 00:00:00 GMT", ""),
    ("expect", "Expect", "100-continue", ""),
    ("keep-alive", "Keep-Alive", "timeout=5", ""),
    ("te", "TE", "trailers", ""),
    ("trailer", "Trailer", "X-Foo", ""),
    ("transfer-encoding", "Transfer-Encoding", "chunked", ""),
    ("upgrade", "Upgrade", "websocket", ""),
    ("via", "Via", "1.1 proxy", ""),
    ("set-cookie", "Set-Cookie", "a=1", ""),
    ("sec-foo", "Sec-Foo", "1", "Any Sec- prefixed name is forbidden. "),
    ("sec-fetch-mode", "Sec-Fetch-Mode", "navigate", ""),
    ("proxy-foo", "Proxy-Foo", "1", "Any Proxy- prefixed name is forbidden. "),
    ("proxy-authorization", "Proxy-Authorization", "Basic eDp5", ""),
    ("acrm", "Access-Control-Request-Method", "PUT", ""),
    ("acrh", "Access-Control-Request-Headers", "x-trace", ""),
    ("acr-private-network", "Access-Control-Request-Private-Network", "true",
     "Not in the spec's forbidden list (spec: unsafe, preflight); Chromium forbids it for its "
     "Private Network Access preflights. "),
    ("x-http-method-override-trace", "X-HTTP-Method-Override", "TRACE",
     "X-HTTP-Method-Override naming a forbidden method makes the header forbidden. "),
    ("x-http-method-override-list", "X-HTTP-Method-Override", "GET, trace",
     "The value is parsed as a list and compared case-insensitively: 'trace' makes it forbidden. "),
    ("x-http-method-connect", "X-HTTP-Method", "CONNECT", ""),
    ("x-method-override-track", "X-Method-Override", "track", ""),
]
# fmt: on


def family_forbidden(c: Corpus) -> None:
    for name, header, value, note in FORBIDDEN:
        c.simple_get(
            f"forbidden-{name}",
            f"{note}{header}: {value!r} is a forbidden request header: fetch() drops it "
            "silently, so it should cause neither a preflight nor an error.",
            [(header, value)],
        )
    c.simple_get(
        "forbidden-x-http-method-override-put",
        "Contrast to the TRACE case: X-HTTP-Method-Override naming an allowed method is "
        "not forbidden, just an ordinary unsafe header, so it should trigger a preflight.",
        [("X-HTTP-Method-Override", "PUT")],
    )
    c.add(
        "forbidden-with-custom",
        "Cookie and Host (forbidden, dropped) plus X-Trace: ACRH should list only 'x-trace'.",
        req(DATA, "GET", [("Cookie", "a=1"), ("Host", "x.test"), TRACE]),
        [preflight(DATA, cors(headers="x-trace")), answer("GET", DATA, cors())],
    )


# --- 7. preflight response checks --------------------------------------------------------


def pf(
    c: Corpus,
    name: str,
    desc: str,
    pre: Hdrs,
    *,
    pre_status: int = 204,
    actual: Hdrs | None = None,
    method: str = "PUT",
    headers: Hdrs = (TRACE,),
    creds: str = "same-origin",
    actual_status: int = 200,
    actual_route: bool = True,
    origin: str = APP,
) -> None:
    """A preflighted request (PUT with X-Trace by default): the preflight answer is ``pre``."""
    server = [preflight(DATA, pre, pre_status)]
    if actual_route:
        allow = cors(origin, creds=creds == "include") if actual is None else actual
        server.append(answer(method, DATA, allow, actual_status))
    c.add(name, desc, req(DATA, method, headers, credentials=creds, origin=origin), server)


def pf_ok(creds: bool = False, origin: str = APP) -> list[Pair]:
    return cors(origin, creds=creds, methods="PUT", headers="x-trace")


# fmt: off
PF_STATUS: list[tuple[int, str]] = [
    (200, "Baseline: a 200 preflight with correct headers passes."),
    (201, "Any 2xx is an ok status: a 201 preflight passes."),
    (204, "The usual 204 preflight passes."),
    (206, "206 is in 200-299, so ok."),
    (299, "299 is still an ok status."),
    (300, "300 is not ok: the preflight fails although its headers are perfect."),
    (301, "301 without Location is not a redirect, just a non-ok status: an invalid-status "
          "error, not a redirect error."),
    (302, "302 without Location: non-ok status."),
    (304, "304 answering a (never conditional) preflight: not ok."),
    (400, "400: not ok."),
    (401, "401: not ok, and no authentication is attempted for a preflight."),
    (403, "403: not ok."),
    (404, "404 with correct CORS headers: not ok."),
    (500, "500 with correct CORS headers: not ok."),
]
# fmt: on
PF_STATUS_NO_ACAO = (404, 500, 301, 304, 201, 299, 300)


def family_pf_status(c: Corpus) -> None:
    for code, note in PF_STATUS:
        pf(
            c,
            f"pf-status-{code}",
            f"Preflight answered {code} with ACAO, ACAM PUT and ACAH x-trace. {note}",
            pf_ok(),
            pre_status=code,
        )
    for code in PF_STATUS_NO_ACAO:
        fault = "an ok status" if 200 <= code <= 299 else "a non-ok status"
        pf(
            c,
            f"pf-status-{code}-no-acao",
            f"Preflight answered {code} ({fault}) with ACAM/ACAH but no ACAO: which failure is "
            "reported? Chromium is believed to run the ACAO check before the status check.",
            [(ACAM, "PUT"), (ACAH, "x-trace")],
            pre_status=code,
        )


# fmt: off
PF_ACAO: list[tuple[str, list[str], str, str]] = [
    ("missing", [], "same-origin", "Preflight without ACAO (ACAM/ACAH fine): fails at preflight."),
    ("mismatch", [OTHER], "same-origin", "Preflight ACAO names another origin: fails."),
    ("star-omit", ["*"], "omit", "Preflight ACAO '*' with omit: passes; the actual response has "
     "the exact origin."),
    ("star-include", ["*"], "include", "Preflight ACAO '*' with include (ACAC true): fails on the "
     "wildcard at the preflight stage."),
    ("two-identical-lines", [APP, APP], "same-origin",
     "The exact origin on two preflight ACAO lines: combined, multiple values, fails."),
    ("comma-list", [f"{APP}, {OTHER}"], "same-origin", "A list in the preflight ACAO: fails."),
    ("null-literal", ["null"], "same-origin", "Preflight ACAO 'null' for a normal page: fails."),
    ("padded", [f" {APP} "], "same-origin", "Padded preflight ACAO: stripped, passes."),
    ("trailing-slash", [f"{APP}/"], "same-origin", "Trailing slash on the preflight ACAO: fails."),
    ("upper-case", ["HTTPS://APP.EXAMPLE.TEST"], "same-origin", "Upper-case ACAO: byte mismatch."),
]
# fmt: on


def family_pf_acao(c: Corpus) -> None:
    for name, values, creds, desc in PF_ACAO:
        include = creds == "include"
        pre = [*lines(ACAO, values), *([(ACAC, "true")] if include else [])]
        pre += [(ACAM, "PUT"), (ACAH, "x-trace")]
        pf(c, f"pf-acao-{name}", desc, pre, creds=creds)
    pf(
        c,
        "pf-acao-star-actual-star",
        "Wildcard ACAO on both the preflight and the actual response, credentials same-origin: "
        "allowed.",
        cors("*", methods="PUT", headers="x-trace"),
        actual=cors("*"),
    )
    pf(
        c,
        "pf-acao-exact-preflight-star-actual-include",
        "include: the preflight passes (exact ACAO, ACAC true) but the actual response has ACAO "
        "'*': blocked at the actual stage.",
        pf_ok(creds=True),
        creds="include",
        actual=[(ACAO, "*"), (ACAC, "true")],
    )
    pf(
        c,
        "pf-acac-missing-include",
        "include: the preflight lacks ACAC (the actual response has it): the credentials check "
        "also applies to the preflight, so it fails there.",
        pf_ok(),
        creds="include",
    )
    pf(
        c,
        "pf-acac-capital-true-include",
        "include: preflight ACAC 'True': fails (case-sensitive).",
        [*pf_ok(), (ACAC, "True")],
        creds="include",
    )
    pf(
        c,
        "pf-acac-two-lines-include",
        "include: preflight ACAC 'true' on two lines: fails.",
        [*pf_ok(), (ACAC, "true"), (ACAC, "true")],
        creds="include",
    )
    pf(
        c,
        "pf-acac-ok-actual-missing-include",
        "include: the preflight passes with ACAC true, but the actual response lacks ACAC: "
        "blocked at the actual stage.",
        pf_ok(creds=True),
        creds="include",
        actual=cors(),
    )
    pf(
        c,
        "pf-acac-false-omit",
        "credentials omit and preflight ACAC 'false': ignored, allowed.",
        [*pf_ok(), (ACAC, "false")],
        creds="omit",
    )
    pf(
        c,
        "pf-acac-ok-include",
        "include: preflight and actual both with exact ACAO and ACAC true: allowed; the preflight "
        "itself never carries cookies.",
        pf_ok(creds=True),
        creds="include",
    )


# fmt: off
ACAM_CASES: list[tuple[str, str, list[str] | None, str, str]] = [
    # name, method, ACAM lines, credentials, description  (request has no custom header)
    ("exact", "PUT", ["PUT"], "same-origin", "ACAM 'PUT' for PUT: passes."),
    ("lower-for-upper", "PUT", ["put"], "same-origin",
     "ACAM 'put' for PUT: method names are compared case-sensitively, fails; a reader may "
     "think methods are case-insensitive."),
    ("star-omit", "PUT", ["*"], "omit", "ACAM '*' without credentials: wildcard, passes."),
    ("star-include", "PUT", ["*"], "include",
     "ACAM '*' with include: '*' is only a literal method name, so PUT fails."),
    ("star-and-put-include", "PUT", ["*, PUT"], "include",
     "ACAM '*, PUT' with include: the explicit PUT passes."),
    ("space-separated", "PUT", ["GET PUT"], "same-origin",
     "ACAM 'GET PUT': one element that is not a token; the header fails to parse (Chromium: "
     "invalid ACAM) rather than a mere method mismatch."),
    ("trailing-comma", "PUT", ["PUT,"], "same-origin",
     "ACAM 'PUT,': an empty list element; Chromium skips empty elements (believed) and passes."),
    ("leading-comma", "PUT", [", PUT"], "same-origin", "ACAM ', PUT': an empty leading element."),
    ("double-comma", "PUT", ["GET,,PUT"], "same-origin", "ACAM 'GET,,PUT': empty middle element."),
    ("semicolon", "PUT", ["PUT;"], "same-origin", "ACAM 'PUT;': ';' is no token character."),
    ("quoted", "PUT", ['"PUT"'], "same-origin", "ACAM '\"PUT\"': quotes are no token characters."),
    ("empty", "PUT", [""], "same-origin", "ACAM present but empty: PUT not allowed."),
    ("missing", "PUT", None, "same-origin", "No ACAM at all: PUT not allowed."),
    ("duplicate-lines", "PUT", ["PUT", "PUT"], "same-origin",
     "ACAM 'PUT' on two lines: combined 'PUT, PUT' is a valid list, passes."),
    ("two-lines", "PUT", ["GET", "PUT"], "same-origin", "ACAM 'GET' and 'PUT' lines: passes."),
    ("list", "PUT", ["PUT, DELETE"], "same-origin", "ACAM 'PUT, DELETE': passes."),
    ("list-no-space", "PUT", ["DELETE,PUT"], "same-origin", "ACAM 'DELETE,PUT': passes."),
    ("padded", "PUT", ["  PUT  "], "same-origin", "ACAM with padding: trimmed, passes."),
    ("mismatch", "PUT", ["DELETE"], "same-origin", "ACAM 'DELETE' for PUT: fails naming PUT."),
    ("delete-lower-request", "delete", ["DELETE"], "same-origin",
     "fetch() sends 'delete' as DELETE, so ACAM 'DELETE' passes."),
    ("patch-star-omit", "PATCH", ["*"], "omit", "ACAM '*' covers PATCH without credentials."),
]
# fmt: on

# fmt: off
ACAM_WITH_HEADER: list[tuple[str, str, list[str] | None, str]] = [
    ("post-custom-header-no-acam", "POST", None,
     "POST with X-Trace: preflight for the header only; POST is safelisted, so no ACAM needed."),
    ("post-custom-header-invalid-acam", "POST", ["GET PUT"],
     "POST with X-Trace and an unparsable ACAM: POST needs no ACAM, but an invalid ACAM may fail "
     "the whole preflight (Chromium parses ACAM before checking)."),
    ("get-custom-header-acam-put", "GET", ["PUT"],
     "GET with X-Trace and ACAM 'PUT' (GET not listed): GET is safelisted, passes."),
]
# fmt: on


def family_acam(c: Corpus) -> None:
    for name, method, values, creds, desc in ACAM_CASES:
        pre = cors(creds=creds == "include") + lines(ACAM, values)
        pf(c, f"acam-{name}", desc, pre, method=method, headers=(), creds=creds)
    for name, method, values, desc in ACAM_WITH_HEADER:
        pre = [*cors(headers="x-trace"), *lines(ACAM, values)]
        pf(c, f"acam-{name}", desc, pre, method=method)


# fmt: off
ACAH_CASES: list[tuple[str, list[Pair], list[str] | None, str, str]] = [
    # name, request headers (GET), ACAH lines, credentials, description
    ("lower", [TRACE], ["x-trace"], "same-origin", "ACAH 'x-trace' for X-Trace: passes."),
    ("upper", [TRACE], ["X-TRACE"], "same-origin",
     "ACAH 'X-TRACE': header names are compared case-insensitively, passes."),
    ("star-omit", [TRACE], ["*"], "omit", "ACAH '*' without credentials: passes."),
    ("star-include", [TRACE], ["*"], "include",
     "ACAH '*' with include: a literal name, X-Trace fails."),
    ("star-include-explicit", [TRACE], ["*, x-trace"], "include",
     "ACAH '*, x-trace' with include: the explicit name passes."),
    ("star-authorization", [("Authorization", "Bearer abc")], ["*"], "omit",
     "ACAH '*' and an Authorization header: the spec says the wildcard never covers "
     "Authorization (fails); Chromium still lets the wildcard cover it (with a warning)."),
    ("star-authorization-and-custom", [("Authorization", "Bearer abc"), TRACE], ["*"], "omit",
     "ACAH '*' with Authorization and X-Trace: X-Trace is covered; is Authorization?"),
    ("explicit-authorization", [("Authorization", "Bearer abc")], ["authorization"], "omit",
     "ACAH 'authorization' names it explicitly: passes."),
    ("star-and-authorization", [("Authorization", "Bearer abc")], ["*, Authorization"], "omit",
     "ACAH '*, Authorization': passes by spec too."),
    ("invalid-token-space", [TRACE], ["x trace"], "same-origin",
     "ACAH 'x trace' is no token: the list fails to parse (Chromium: invalid ACAH)."),
    ("invalid-token-extra", [TRACE], ["x-trace, bad token"], "same-origin",
     "ACAH lists x-trace but also 'bad token': does one bad element fail the whole header?"),
    ("trailing-comma", [TRACE], ["x-trace,"], "same-origin", "ACAH 'x-trace,': empty element."),
    ("leading-comma", [TRACE], [", x-trace"], "same-origin", "ACAH ', x-trace': empty element."),
    ("quoted", [TRACE], ['"x-trace"'], "same-origin", "ACAH '\"x-trace\"': not a token."),
    ("empty", [TRACE], [""], "same-origin", "ACAH present but empty: X-Trace not allowed."),
    ("missing", [TRACE], None, "same-origin", "No ACAH: X-Trace not allowed."),
    ("padded-elements", [TRACE, ("X-Other", "2")], ["  x-trace  ,  x-other  "], "same-origin",
     "Elements padded with spaces: trimmed, both pass."),
    ("missing-one-of-two", [TRACE, ("X-Other", "2")], ["x-trace"], "same-origin",
     "Two custom headers, ACAH allows one: fails, naming x-other."),
    ("multiple-missing", [("X-Zeta", "1"), ("X-Alpha", "2"), ("X-Mid", "3")], ["x-other"],
     "same-origin", "Three headers all missing from ACAH: which one does the error name (first "
     "set, first sorted)?"),
    ("multiple-missing-no-acah", [("X-Zeta", "1"), ("X-Alpha", "2")], None, "same-origin",
     "Two headers and no ACAH: which one is named?"),
    ("two-lines", [("X-A", "1"), ("X-B", "2")], ["x-a", "x-b"], "same-origin",
     "ACAH on two lines, one name each: combined list, passes."),
    ("safelisted-not-listed", [("Accept", "application/json"), TRACE], ["x-trace"], "same-origin",
     "A safelisted Accept need not be listed in ACAH: passes."),
    ("unsafe-accept-not-listed", [("Accept", 'a"b'), TRACE], ["x-trace"], "same-origin",
     "An unsafe Accept value must be listed too: fails naming accept."),
    ("dpr-not-listed", [("DPR", "2"), TRACE], ["x-trace"], "same-origin",
     "DPR not listed in ACAH: spec fails (DPR is not safelisted); Chromium safelists DPR 2."),
    ("range-suffix-not-listed", [("Range", "bytes=-500"), TRACE], ["x-trace"], "same-origin",
     "A suffix Range is unsafe and not listed: fails naming range."),
]
# fmt: on


def family_acah(c: Corpus) -> None:
    for name, headers, values, creds, desc in ACAH_CASES:
        pre = cors(creds=creds == "include") + lines(ACAH, values)
        pf(c, f"acah-{name}", desc, pre, method="GET", headers=headers, creds=creds)
    pf(
        c,
        "acah-json-content-type-listed",
        "POST application/json: content-type must be in ACAH; it is.",
        cors(headers="Content-Type"),
        method="POST",
        headers=[JSON_CT],
    )
    pf(
        c,
        "acah-json-content-type-not-listed",
        "POST application/json with ACAH 'x-other': fails naming content-type.",
        cors(headers="x-other"),
        method="POST",
        headers=[JSON_CT],
    )


# fmt: off
COMBOS: list[tuple[str, int, list[Pair], str, str]] = [
    # name, preflight status, preflight headers, credentials, description (PUT with X-Trace)
    ("bad-acah-and-method-disallowed", 204,
     [(ACAO, APP), (ACAM, "DELETE"), (ACAH, "x trace")], "same-origin",
     "Invalid ACAH and a disallowed method: Chromium parses both lists before any check, so the "
     "invalid ACAH is believed to be reported, not the method."),
    ("bad-acam-and-header-missing", 204, [(ACAO, APP), (ACAM, "PUT DELETE")], "same-origin",
     "Invalid ACAM and a missing ACAH: the invalid ACAM should be reported."),
    ("method-and-header-disallowed", 204,
     [(ACAO, APP), (ACAM, "DELETE"), (ACAH, "x-other")], "same-origin",
     "Valid lists disallowing both the method and the header: the method is checked first."),
    ("status-500-acao-mismatch", 500, [(ACAO, OTHER), (ACAM, "PUT"), (ACAH, "x-trace")],
     "same-origin", "Bad status and a mismatched ACAO: which is reported first?"),
    ("status-404-star-include", 404,
     [(ACAO, "*"), (ACAC, "true"), (ACAM, "PUT"), (ACAH, "x-trace")], "include",
     "Bad status and a wildcard ACAO with include: which is reported first?"),
    ("status-500-bad-acam", 500, [(ACAO, APP), (ACAM, "GET PUT"), (ACAH, "x-trace")],
     "same-origin", "Bad status with a valid ACAO but an invalid ACAM: status or ACAM first?"),
    ("acao-missing-acam-missing", 204, [(ACAH, "x-trace")], "same-origin",
     "Neither ACAO nor ACAM: the ACAO failure should come first."),
    ("acac-missing-method-disallowed", 204,
     [(ACAO, APP), (ACAM, "DELETE"), (ACAH, "x-trace")], "include",
     "include, no ACAC and a disallowed method: the credentials failure should come first."),
    ("acac-false-status-404", 404,
     [(ACAO, APP), (ACAC, "false"), (ACAM, "PUT"), (ACAH, "x-trace")], "include",
     "include, ACAC 'false' and status 404: Chromium's access check (with ACAC) is believed to "
     "run before the status check."),
]
# fmt: on


def family_pf_misc(c: Corpus) -> None:
    for name, status, pre, creds, desc in COMBOS:
        pf(c, f"pf-combo-{name}", desc, pre, pre_status=status, creds=creds)
    for name, values in [
        ("0", ["0"]),
        ("600", ["600"]),
        ("negative", ["-1"]),
        ("garbage", ["abc"]),
        ("two-lines", ["600", "0"]),
    ]:
        pf(
            c,
            f"pf-max-age-{name}",
            f"Access-Control-Max-Age {', '.join(repr(v) for v in values)} on an otherwise correct "
            "preflight: caching does not change a single fetch, which should pass.",
            [*pf_ok(), *lines("Access-Control-Max-Age", values)],
        )
    pf(
        c,
        "pf-actual-ok",
        "Preflight passes and the actual response has the exact ACAO: allowed.",
        pf_ok(),
    )
    pf(
        c,
        "pf-actual-no-acao",
        "Preflight passes (204, correct headers) but the actual response lacks ACAO: the request "
        "is sent and then blocked at the actual stage; passing the preflight is not enough.",
        pf_ok(),
        actual=[],
    )
    pf(
        c,
        "pf-actual-acao-mismatch",
        "Preflight passes; the actual ACAO names another origin.",
        pf_ok(),
        actual=cors(OTHER),
    )
    pf(
        c,
        "pf-actual-500-acao",
        "Preflight passes; the actual response is a 500 with ACAO: resolves with status 500.",
        pf_ok(),
        actual_status=500,
    )
    pf(
        c,
        "pf-actual-route-missing",
        "Preflight passes but no route answers the PUT: the fallback 404 has no ACAO, blocked.",
        pf_ok(),
        actual_route=False,
    )


def family_engine_probes(c: Corpus) -> None:
    """Cases added where the engine had only Chromium's source to go on."""
    loop = f"{API}/loop"
    for name, values, desc in [
        ("600", ["600"], "a ten-minute Max-Age: the preflight result is cached"),
        ("0", ["0"], "Max-Age 0: the result is not cached"),
        ("absent", [], "no Max-Age: cached for Chromium's default five seconds"),
    ]:
        c.add(
            f"pf-cache-redirect-loop-max-age-{name}",
            f"A PUT whose answer is a 307 back to the same URL, after a preflight with {desc}. "
            "Each hop needs a preflight again; the preflight cache decides whether one is sent, "
            "until the 21st redirect fails.",
            req(loop, "PUT", [TRACE]),
            [
                preflight(
                    loop,
                    [
                        *cors(methods="PUT", headers="x-trace"),
                        *lines("Access-Control-Max-Age", values),
                    ],
                ),
                redirect("PUT", loop, loop, 307, cors()),
            ],
        )
    sizes = {"1022": 126, "1021": 125}
    for name, last in sizes.items():
        headers = [
            ("Accept-Language", pad("en-", 128)),
            ("Content-Language", pad("de-", 128)),
            (CT, pad("text/plain;x=", 128)),
            ("DPR", pad("1.", 128, "0")),
            ("Device-Memory", pad("8.", 128, "0")),
            ("Width", pad("1", 128, "0")),
            ("Viewport-Width", pad("1", 128, "0")),
            ("Downlink", pad("1.", last, "0")),
        ]
        c.add(
            f"safelist-len-{name}-without-accept",
            f"Safelisted script headers totalling {name} bytes and no Accept: does the Accept: */* "
            "that Chromium adds count towards the 1024-byte limit?" + NO_PF,
            req(DATA, "POST", headers),
            [answer("POST", DATA, cors())],
        )


# --- 8. redirects of the actual request --------------------------------------------------


def family_redirect(c: Corpus) -> None:
    hop_ok = cors()
    c.add(
        "redirect-same-origin-hop",
        "api -> api (302, ACAO on both): a same-origin hop keeps the Origin, exact ACAO on the "
        "target passes.",
        req(),
        [redirect("GET", DATA, FINAL, 302, hop_ok), answer("GET", FINAL, cors())],
    )
    c.add(
        "redirect-relative-location",
        "Location '/final' (relative): resolved against the request URL, same-origin hop.",
        req(),
        [redirect("GET", DATA, "/final", 302, hop_ok), answer("GET", FINAL, cors())],
    )
    c.add(
        "redirect-relative-no-slash",
        "Location 'final?x=1' (path-relative with a query): resolves to /final?x=1.",
        req(),
        [redirect("GET", DATA, "final?x=1", 302, hop_ok), answer("GET", f"{FINAL}?x=1", cors())],
    )
    c.add(
        "redirect-scheme-relative",
        "Location '//other.example.test/final': scheme-relative, a cross-origin hop; the "
        "target allows '*'.",
        req(),
        [
            redirect("GET", DATA, "//other.example.test/final", 302, hop_ok),
            answer("GET", OTHER_FINAL, cors("*")),
        ],
    )
    # fmt: off
    targets = [
        ("exact", APP, "The target's ACAO names the page origin, but after a cross-origin hop "
         "the request's Origin is 'null' (tainted): blocked; a reader may expect it to pass."),
        ("star", "*", "The target allows '*': passes with the tainted (null) origin."),
        ("null", "null", "The target allows 'null', matching the tainted origin: passes."),
    ]
    # fmt: on
    for suffix, value, desc in targets:
        c.add(
            f"redirect-cross-origin-target-{suffix}",
            f"api -> other (302). {desc}",
            req(),
            [
                redirect("GET", DATA, OTHER_FINAL, 302, hop_ok),
                answer("GET", OTHER_FINAL, cors(value)),
            ],
        )
    c.add(
        "redirect-cross-origin-target-no-acao",
        "api -> other, the target has no ACAO: blocked at the target.",
        req(),
        [redirect("GET", DATA, OTHER_FINAL, 302, hop_ok), answer("GET", OTHER_FINAL)],
    )
    c.add(
        "redirect-3xx-no-acao",
        "The redirect response itself lacks ACAO (target allows '*'): each hop is CORS-checked, "
        "so blocked at the redirect; a reader may think only the final response matters.",
        req(),
        [redirect("GET", DATA, OTHER_FINAL), answer("GET", OTHER_FINAL, cors("*"))],
    )
    c.add(
        "redirect-3xx-acao-star",
        "The redirect carries ACAO '*': passes the hop; the target allows '*' too.",
        req(),
        [redirect("GET", DATA, OTHER_FINAL, 302, cors("*")), answer("GET", OTHER_FINAL, cors("*"))],
    )
    c.add(
        "redirect-3xx-acao-mismatch",
        "The redirect's ACAO names another origin: blocked at the redirect.",
        req(),
        [
            redirect("GET", DATA, OTHER_FINAL, 302, cors(OTHER)),
            answer("GET", OTHER_FINAL, cors("*")),
        ],
    )
    inc = cors(creds=True)
    c.add(
        "redirect-include-same-origin-hop",
        "include across a same-origin hop: exact ACAO and ACAC true on both, passes.",
        req(credentials="include"),
        [redirect("GET", DATA, FINAL, 302, inc), answer("GET", FINAL, inc)],
    )
    c.add(
        "redirect-include-cross-origin-null",
        "include, api -> other: the target allows 'null' with ACAC true, matching the tainted "
        "origin: passes.",
        req(credentials="include"),
        [
            redirect("GET", DATA, OTHER_FINAL, 302, inc),
            answer("GET", OTHER_FINAL, cors("null", creds=True)),
        ],
    )
    c.add(
        "redirect-include-cross-origin-star",
        "include, api -> other: the target answers '*' with ACAC true: wildcard with "
        "credentials, blocked.",
        req(credentials="include"),
        [
            redirect("GET", DATA, OTHER_FINAL, 302, inc),
            answer("GET", OTHER_FINAL, cors("*", creds=True)),
        ],
    )
    c.add(
        "redirect-include-3xx-no-acac",
        "include: the redirect has exact ACAO but no ACAC: blocked at the redirect.",
        req(credentials="include"),
        [redirect("GET", DATA, FINAL, 302, cors()), answer("GET", FINAL, inc)],
    )
    star_both = [answer("GET", OTHER_FINAL, cors("*")), answer("POST", OTHER_FINAL, cors("*"))]
    for code in (301, 302, 303, 307, 308):
        change = "becomes a GET without body" if code in (301, 302, 303) else "stays a POST"
        kept = " and Content-Type is dropped" if code in (301, 302, 303) else " with its JSON body"
        c.add(
            f"redirect-post-{code}",
            f"Simple text/plain POST api -> other with {code}: the method {change}; the log "
            "shows what arrives. No OPTIONS route on the target.",
            req(DATA, "POST", [(CT, "text/plain")]),
            [redirect("POST", DATA, OTHER_FINAL, code, hop_ok), *star_both],
        )
        c.add(
            f"redirect-post-json-{code}",
            f"Preflighted JSON POST with X-Trace, then {code} api -> other: the method {change}"
            f"{kept}; X-Trace stays, so is a new preflight sent to the target (Origin null)?",
            req(DATA, "POST", [JSON_CT, TRACE], body=JSON_BODY),
            [
                preflight(DATA, cors(headers="content-type, x-trace")),
                redirect("POST", DATA, OTHER_FINAL, code, hop_ok),
                preflight(OTHER_FINAL, cors("*", methods="POST", headers="content-type, x-trace")),
                *star_both,
            ],
        )
    put_pf = preflight(DATA, pf_ok())
    c.add(
        "redirect-put-303-same-origin",
        "Preflighted PUT answered 303 to api/final: it becomes a GET (with X-Trace still set); "
        "no OPTIONS route for /final, so a second preflight would fail.",
        req(DATA, "PUT", [TRACE]),
        [put_pf, redirect("PUT", DATA, FINAL, 303, hop_ok), answer("GET", FINAL, cors())],
    )
    c.add(
        "redirect-put-307-same-origin-no-preflight-route",
        "Preflighted PUT, 307 to api/final (same origin): does the new URL need its own "
        "preflight? No OPTIONS route for /final, so one would fail.",
        req(DATA, "PUT", [TRACE]),
        [put_pf, redirect("PUT", DATA, FINAL, 307, hop_ok), answer("PUT", FINAL, cors())],
    )
    c.add(
        "redirect-put-307-same-origin-preflight-route",
        "Preflighted PUT, 307 to api/final, which has an OPTIONS route: passes either way; the "
        "log shows whether a second preflight was sent.",
        req(DATA, "PUT", [TRACE]),
        [
            put_pf,
            redirect("PUT", DATA, FINAL, 307, hop_ok),
            preflight(FINAL, pf_ok()),
            answer("PUT", FINAL, cors()),
        ],
    )
    c.add(
        "redirect-put-307-cross-origin-preflight",
        "Preflighted PUT, 307 api -> other: a new preflight to other with Origin null; other "
        "allows '*' with ACAM PUT and ACAH x-trace.",
        req(DATA, "PUT", [TRACE]),
        [
            put_pf,
            redirect("PUT", DATA, OTHER_FINAL, 307, hop_ok),
            preflight(OTHER_FINAL, cors("*", methods="PUT", headers="x-trace")),
            answer("PUT", OTHER_FINAL, cors("*")),
        ],
    )
    c.add(
        "redirect-put-307-cross-origin-no-preflight-route",
        "Preflighted PUT, 307 api -> other, which has no OPTIONS route: the new preflight gets "
        "404.",
        req(DATA, "PUT", [TRACE]),
        [
            put_pf,
            redirect("PUT", DATA, OTHER_FINAL, 307, hop_ok),
            answer("PUT", OTHER_FINAL, cors("*")),
        ],
    )
    c.add(
        "redirect-put-307-cross-origin-preflight-exact",
        "Preflighted PUT, 307 api -> other, whose preflight allows the page origin exactly: "
        "the second preflight's Origin is 'null', so it fails.",
        req(DATA, "PUT", [TRACE]),
        [
            put_pf,
            redirect("PUT", DATA, OTHER_FINAL, 307, hop_ok),
            preflight(OTHER_FINAL, pf_ok()),
            answer("PUT", OTHER_FINAL, cors()),
        ],
    )
    # fmt: off
    userinfo = [
        ("cross-origin", "https://user:pass@other.example.test/final", OTHER_FINAL,
         "Location with userinfo to another origin: a network error in cors mode."),
        ("same-origin-as-target", "https://user:pass@api.example.test/final", FINAL,
         "Location with userinfo on the target's own origin: the response tainting is already "
         "cors, so still an error."),
        ("username-only", "https://user@api.example.test/final", FINAL,
         "Location with only a username: credentials in a URL include a bare username."),
    ]
    # fmt: on
    for name, location, target, desc in userinfo:
        c.add(
            f"redirect-userinfo-{name}",
            desc,
            req(),
            [redirect("GET", DATA, location, 302, hop_ok), answer("GET", target, cors("*"))],
        )
    c.add(
        "redirect-userinfo-page-same-origin",
        "A same-origin request (app -> app) redirected to app with userinfo: the origin is "
        "same as the location's and tainting is basic, so allowed by spec.",
        req(f"{APP}/start"),
        [
            redirect("GET", f"{APP}/start", "https://user:pass@app.example.test/final"),
            answer("GET", f"{APP}/final"),
        ],
    )
    c.add(
        "redirect-chain-3-hops",
        "api/data -302-> api/a -307-> other/b -301-> cdn/final, all with ACAO '*': passes, the "
        "Origin becoming 'null' from the second hop on.",
        req(),
        [
            redirect("GET", DATA, f"{API}/a", 302, cors("*")),
            redirect("GET", f"{API}/a", f"{OTHER}/b", 307, cors("*")),
            redirect("GET", f"{OTHER}/b", f"{CDN}/final", 301, cors("*")),
            answer("GET", f"{CDN}/final", cors("*")),
        ],
    )
    for n in (20, 21):
        urls = [DATA, *[f"{API}/r/{i}" for i in range(1, n)], FINAL]
        c.add(
            f"redirect-chain-{n}-hops",
            f"{n} same-origin redirects in a row: fetch follows at most 20, so this is "
            f"{'the longest allowed chain' if n == 20 else 'one too many'}.",
            req(),
            [
                *(redirect("GET", a, b, 302, hop_ok) for a, b in pairwise(urls)),
                answer("GET", FINAL, cors()),
            ],
        )
    # fmt: off
    schemes = [
        ("ftp", "ftp://api.example.test/x", "an ftp: URL"),
        ("data", "data:text/plain,hi", "a data: URL (fetchable directly, but not after a "
         "redirect in cors mode)"),
        ("file", "file:///etc/hosts", "a file: URL"),
    ]
    # fmt: on
    for name, location, what in schemes:
        c.add(
            f"redirect-to-{name}",
            f"Redirect (with ACAO) to {what}: a non-HTTP(S) location is a network error.",
            req(),
            [redirect("GET", DATA, location, 302, hop_ok)],
        )
    c.add(
        "redirect-3xx-no-location-acao",
        "A 302 without Location is not a redirect: a normal response with ACAO, so fetch() "
        "resolves with status 302.",
        req(),
        [answer("GET", DATA, cors(), 302)],
    )
    c.add(
        "redirect-3xx-no-location-no-acao",
        "A 302 without Location and without ACAO: a normal blocked response.",
        req(),
        [answer("GET", DATA, [], 302)],
    )
    c.add(
        "redirect-empty-location",
        "A 302 with an empty Location value (ACAO present): is it a redirect to the same URL, "
        "or no redirect at all?",
        req(),
        [redirect("GET", DATA, "", 302, hop_ok)],
    )
    c.add(
        "redirect-invalid-location",
        "Location 'https://:8443/x' has no host: URL parsing fails, a network error.",
        req(),
        [redirect("GET", DATA, "https://:8443/x", 302, hop_ok)],
    )
    c.add(
        "redirect-two-locations",
        "Two different Location lines: spec takes the combined value (invalid); Chromium "
        "rejects responses with conflicting Location headers.",
        req(),
        [
            route("GET", DATA, 302, [("Location", FINAL), ("Location", OTHER_FINAL), *hop_ok]),
            answer("GET", FINAL, cors()),
            answer("GET", OTHER_FINAL, cors("*")),
        ],
    )
    c.add(
        "redirect-cross-port",
        "api -> api:8443: same host, different port, so a cross-origin hop (Origin null); the "
        "target allows '*'.",
        req(),
        [
            redirect("GET", DATA, f"{API_8443}/final", 302, hop_ok),
            answer("GET", f"{API_8443}/final", cors("*")),
        ],
    )
    c.add(
        "redirect-head-301",
        "HEAD redirected with 301: stays HEAD (only POST changes to GET).",
        req(DATA, "HEAD"),
        [redirect("HEAD", DATA, FINAL, 301, hop_ok), answer("HEAD", FINAL, cors())],
    )


def family_taint(c: Corpus) -> None:
    hop = cors()
    for suffix, headers, desc in [
        (
            "no-acao",
            [],
            "The page's own origin answers without ACAO: blocked, because the "
            "request stays in CORS mode after leaving the page origin; a reader may call it "
            "same-origin.",
        ),
        ("acao-star", cors("*"), "The page's own origin answers ACAO '*': passes."),
        (
            "acao-exact",
            cors(),
            "The page's own origin answers with its own origin: blocked, "
            "since the request's origin is now 'null'.",
        ),
        ("acao-null", cors("null"), "The page's own origin answers 'null': passes."),
    ]:
        c.add(
            f"taint-api-to-app-{suffix}",
            f"api -> app (the page's origin). {desc}",
            req(),
            [redirect("GET", DATA, BACK, 302, hop), answer("GET", BACK, headers)],
        )
    c.add(
        "taint-api-to-app-include-null",
        "include, api -> app: the page origin answers ACAO 'null' and ACAC true.",
        req(credentials="include"),
        [
            redirect("GET", DATA, BACK, 302, cors(creds=True)),
            answer("GET", BACK, cors("null", creds=True)),
        ],
    )
    for suffix, value, desc in [
        ("exact", APP, "api/final answers with the page origin: blocked, Origin is null now."),
        ("null", "null", "api/final answers 'null': passes."),
    ]:
        c.add(
            f"taint-api-other-api-{suffix}",
            f"api -> other -> api: once tainted, the origin stays null even back on api. {desc}",
            req(),
            [
                redirect("GET", DATA, f"{OTHER}/hop", 302, hop),
                redirect("GET", f"{OTHER}/hop", FINAL, 302, cors("*")),
                answer("GET", FINAL, cors(value)),
            ],
        )
    c.add(
        "taint-api-api-other-exact",
        "api -> api/a -> other: the same-origin first hop does not taint, the second does; "
        "other answers the page origin exactly, blocked.",
        req(),
        [
            redirect("GET", DATA, f"{API}/a", 302, hop),
            redirect("GET", f"{API}/a", OTHER_FINAL, 302, hop),
            answer("GET", OTHER_FINAL, cors()),
        ],
    )
    for suffix, value, desc in [
        ("exact", APP, "the api answers the page origin exactly: passes"),
        ("null", "null", "the api answers 'null': blocked (Origin is the page origin)"),
    ]:
        c.add(
            f"taint-app-to-api-{suffix}",
            f"app/start -> api: leaving the page's own origin does not taint (the request "
            f"origin is same-origin with the current URL), so Origin stays; {desc}.",
            req(f"{APP}/start"),
            [redirect("GET", f"{APP}/start", DATA), answer("GET", DATA, cors(value))],
        )
    c.add(
        "taint-app-app-api",
        "app -> app -> api: two same-origin hops then a cross-origin one; no taint, passes with "
        "the exact ACAO.",
        req(f"{APP}/start"),
        [
            redirect("GET", f"{APP}/start", f"{APP}/next"),
            redirect("GET", f"{APP}/next", DATA),
            answer("GET", DATA, cors()),
        ],
    )


# --- 9. preflight redirects --------------------------------------------------------------


def family_pf_redirect(c: Corpus) -> None:
    target = [
        preflight(OTHER_FINAL, cors("*", methods="PUT", headers="x-trace")),
        answer("PUT", OTHER_FINAL, cors("*")),
        answer("PUT", DATA, cors()),
    ]
    for code in (301, 302, 303, 307, 308):
        for with_acao in (True, False):
            if not with_acao and code in (302, 303):
                continue
            extra = pf_ok() if with_acao else []
            what = "with ACAO, ACAM and ACAH" if with_acao else "without CORS headers"
            c.add(
                f"pf-redirect-{code}{'' if with_acao else '-no-acao'}",
                f"The preflight is answered {code} {what}: preflights never follow redirects, "
                "so it fails; the target would allow everything. Is the CORS check or the "
                "redirect reported?",
                req(DATA, "PUT", [TRACE]),
                [redirect("OPTIONS", DATA, OTHER_FINAL, code, extra), *target],
            )
    c.add(
        "pf-redirect-307-relative-same-origin",
        "The preflight is answered 307 to '/data2' on the same origin, with CORS headers: "
        "still a disallowed redirect.",
        req(DATA, "PUT", [TRACE]),
        [
            redirect("OPTIONS", DATA, "/data2", 307, pf_ok()),
            preflight(f"{API}/data2", pf_ok()),
            answer("PUT", DATA, cors()),
        ],
    )


# --- 10. exposed response headers --------------------------------------------------------

# fmt: off
EXTRA_RESPONSE: list[Pair] = [
    ("X-Total", "42"), ("X-Secret", "s3cr3t"), ("Set-Cookie", "sid=1; Path=/"),
    (CT, "text/plain; charset=utf-8"), ("Content-Length", "2"), ("Cache-Control", "no-store"),
    ("Expires", "Thu, 01 Jan 2026 00:00:00 GMT"),
    ("Last-Modified", "Tue, 01 Jul 2025 00:00:00 GMT"), ("Pragma", "no-cache"),
    ("Content-Language", "en"), ("ETag", '"abc"'), ("Date", "Tue, 01 Jul 2025 00:00:00 GMT"),
    ("Server", "golden"),
]
# fmt: on

# fmt: off
EXPOSE_CASES: list[tuple[str, list[str], str, str]] = [
    ("none", [], "same-origin",
     "No ACEH: only the safelisted response headers (Cache-Control, Content-Language, "
     "Content-Length, Content-Type, Expires, Last-Modified, Pragma) are visible."),
    ("x-total", ["X-Total"], "same-origin", "ACEH 'X-Total': X-Total becomes visible."),
    ("lower-case", ["x-total"], "same-origin", "ACEH 'x-total': matched case-insensitively."),
    ("two-names", ["X-Total, X-Secret"], "same-origin", "ACEH list of two names."),
    ("two-lines", ["X-Total", "X-Secret"], "same-origin", "ACEH on two lines: combined list."),
    ("star-omit", ["*"], "omit",
     "ACEH '*' without credentials exposes everything except Set-Cookie (never exposed)."),
    ("star-include", ["*"], "include",
     "ACEH '*' with include is a literal name: nothing extra exposed."),
    ("star-and-name-include", ["*, X-Total"], "include",
     "ACEH '*, X-Total' with include: only X-Total exposed."),
    ("bad-token", ["X-Total, bad token"], "same-origin",
     "ACEH with an invalid element: is the whole header ignored or only the bad element?"),
    ("set-cookie", ["Set-Cookie"], "same-origin",
     "ACEH naming Set-Cookie: a forbidden response header, filtered anyway."),
    ("trailing-comma", ["X-Total,"], "same-origin", "ACEH 'X-Total,': empty element."),
    ("date-server-etag", ["Date, Server, ETag"], "same-origin",
     "ACEH 'Date, Server, ETag': non-safelisted standard headers made visible."),
    ("space-separated", ["X-Total X-Secret"], "same-origin",
     "ACEH 'X-Total X-Secret': one invalid element, not two names."),
    ("empty", [""], "same-origin", "ACEH present but empty: nothing extra exposed."),
]
# fmt: on


def family_expose(c: Corpus) -> None:
    for name, values, creds, desc in EXPOSE_CASES:
        headers = [*cors(creds=creds == "include"), *lines(ACEH, values), *EXTRA_RESPONSE]
        c.add(
            f"expose-{name}",
            desc + " The recorder logs the header names visible to script.",
            req(credentials=creds),
            [answer("GET", DATA, headers)],
        )
    c.add(
        "expose-preflight-only",
        "ACEH only on the preflight (X-Total), not on the actual response: ACEH on a preflight "
        "has no effect, so X-Total stays hidden.",
        req(DATA, "PUT", [TRACE]),
        [
            preflight(DATA, [*pf_ok(), (ACEH, "X-Total")]),
            answer("PUT", DATA, [*cors(), *EXTRA_RESPONSE]),
        ],
    )
    c.add(
        "expose-same-origin",
        "Same-origin response (basic filtering): every header visible except Set-Cookie.",
        req(APP_DATA),
        [answer("GET", APP_DATA, EXTRA_RESPONSE)],
    )


# --- 11. no-cors and same-origin modes ---------------------------------------------------


def family_modes(c: Corpus) -> None:
    def nocors(name: str, desc: str, request: Json, server: list[Json]) -> None:
        c.add(f"nocors-{name}", desc, request, server)

    nocors(
        "get-no-acao",
        "no-cors GET to a server without CORS headers: resolves with an opaque "
        "response (status 0, no headers, no body).",
        req(mode="no-cors"),
        [answer()],
    )
    nocors(
        "get-acao-exact",
        "no-cors ignores ACAO: the response is opaque even when allowed.",
        req(mode="no-cors"),
        [answer("GET", DATA, cors())],
    )
    nocors(
        "get-404",
        "no-cors GET answered 404: still resolves, opaque (status 0).",
        req(mode="no-cors"),
        [answer("GET", DATA, [], 404)],
    )
    nocors(
        "head",
        "no-cors HEAD: allowed method, opaque.",
        req(DATA, "HEAD", mode="no-cors"),
        [answer("HEAD")],
    )
    nocors(
        "post-text-plain",
        "no-cors text/plain POST: sent, opaque result.",
        req(DATA, "POST", [(CT, "text/plain")], mode="no-cors"),
        [answer("POST")],
    )
    nocors(
        "put",
        "no-cors requires a CORS-safelisted method: fetch() throws a TypeError and "
        "nothing is sent.",
        req(DATA, "PUT", mode="no-cors"),
        [answer("PUT")],
    )
    nocors(
        "delete",
        "no-cors DELETE: fetch() throws.",
        req(DATA, "DELETE", mode="no-cors"),
        [answer("DELETE")],
    )
    nocors(
        "custom-header",
        "no-cors with X-Trace: the request-no-cors guard silently drops it; "
        "no preflight, no error.",
        req(DATA, "GET", [TRACE], mode="no-cors"),
        [answer()],
    )
    nocors(
        "authorization",
        "no-cors with Authorization: dropped silently.",
        req(DATA, "GET", [("Authorization", "Bearer abc")], mode="no-cors"),
        [answer()],
    )
    nocors(
        "post-json",
        "no-cors POST with Content-Type application/json: the header is "
        "dropped, and because the body is a string fetch() then adds "
        "'text/plain;charset=UTF-8'; the log shows which Content-Type arrives.",
        req(DATA, "POST", [JSON_CT], mode="no-cors", body=JSON_BODY),
        [answer("POST")],
    )
    nocors(
        "range",
        "no-cors with Range: not a no-CORS-safelisted header (spec drops it); does "
        "Chromium send it?",
        req(DATA, "GET", [("Range", "bytes=0-1")], mode="no-cors"),
        [answer()],
    )
    nocors(
        "accept-unsafe",
        "no-cors with Accept 'urn:x' (':' unsafe): not no-CORS-safelisted, dropped.",
        req(DATA, "GET", [("Accept", "urn:x")], mode="no-cors"),
        [answer()],
    )
    nocors(
        "content-language",
        "no-cors with Content-Language 'en': no-CORS-safelisted, kept.",
        req(DATA, "GET", [("Content-Language", "en")], mode="no-cors"),
        [answer()],
    )
    nocors(
        "dpr",
        "no-cors with DPR 2: spec drops it; Chromium's no-CORS safelist may differ.",
        req(DATA, "GET", [("DPR", "2")], mode="no-cors"),
        [answer()],
    )
    nocors(
        "include",
        "no-cors with credentials include: cookies may be sent, response opaque.",
        req(credentials="include", mode="no-cors"),
        [answer()],
    )
    nocors(
        "redirect-cross-origin",
        "no-cors GET redirected api -> other, no CORS headers anywhere: followed, opaque.",
        req(mode="no-cors"),
        [redirect("GET", DATA, OTHER_FINAL), answer("GET", OTHER_FINAL)],
    )
    nocors(
        "same-origin-target",
        "no-cors to the page's own origin: a basic, readable response.",
        req(APP_DATA, mode="no-cors"),
        [answer("GET", APP_DATA, [(ACEH, "X-Total"), ("X-Total", "42")])],
    )
    c.add(
        "mode-same-origin-cross-origin-url",
        "mode same-origin to a cross-origin URL: fetch() rejects without sending anything, "
        "even though the server would allow it.",
        req(mode="same-origin"),
        [answer("GET", DATA, cors("*"))],
    )
    c.add(
        "mode-same-origin-same-origin-url",
        "mode same-origin to the page's own origin: fine.",
        req(APP_DATA, mode="same-origin"),
        [answer("GET", APP_DATA)],
    )
    c.add(
        "mode-same-origin-redirect-cross-origin",
        "mode same-origin, app -> api redirect: rejected at the redirect (api allows '*').",
        req(f"{APP}/start", mode="same-origin"),
        [redirect("GET", f"{APP}/start", DATA), answer("GET", DATA, cors("*"))],
    )
    c.add(
        "mode-same-origin-redirect-same-origin",
        "mode same-origin, app -> app redirect: fine.",
        req(f"{APP}/start", mode="same-origin"),
        [redirect("GET", f"{APP}/start", f"{APP}/final"), answer("GET", f"{APP}/final")],
    )
    c.add(
        "mode-cors-same-origin-url",
        "mode cors to the page's own origin: no CORS check, no ACAO needed.",
        req(APP_DATA),
        [answer("GET", APP_DATA)],
    )


# --- 12. opaque-origin page ----------------------------------------------------------------


def family_null_origin(c: Corpus) -> None:
    # fmt: off
    cases: list[tuple[str, str, list[Pair], str]] = [
        ("acao-null", "same-origin", cors("null"),
         "Sandboxed page (origin 'null'), ACAO 'null': Chromium matches the literal null."),
        ("acao-star", "same-origin", cors("*"), "Opaque page, ACAO '*': allowed."),
        ("acao-star-include", "include", cors("*", creds=True),
         "Opaque page, include, ACAO '*': the wildcard with credentials is still blocked."),
        ("acao-null-include", "include", cors("null", creds=True),
         "Opaque page, include, ACAO 'null' plus ACAC true: allowed?"),
        ("acao-app", "same-origin", cors(),
         "Opaque page, ACAO naming the origin its document came from: mismatch."),
        ("acao-null-upper", "same-origin", cors("NULL"), "Opaque page, ACAO 'NULL': case matters."),
        ("no-acao", "same-origin", [], "Opaque page, no ACAO: blocked."),
    ]
    # fmt: on
    for name, creds, headers, desc in cases:
        c.add(
            f"null-origin-{name}",
            desc,
            req(credentials=creds, origin=NULL),
            [answer("GET", DATA, headers)],
        )
    c.add(
        "null-origin-app-target-no-acao",
        "Opaque page fetching https://app.example.test/data (where its document came from): "
        "an opaque origin is same-origin with nothing, so CORS applies; no ACAO, blocked.",
        req(APP_DATA, origin=NULL),
        [answer("GET", APP_DATA)],
    )
    null_pf = cors("null", methods="PUT", headers="x-trace")
    c.add(
        "null-origin-preflight-acao-null",
        "Opaque page, preflighted PUT: the preflight carries Origin null and ACAO 'null' on "
        "both responses passes.",
        req(DATA, "PUT", [TRACE], origin=NULL),
        [preflight(DATA, null_pf), answer("PUT", DATA, cors("null"))],
    )
    c.add(
        "null-origin-preflight-acao-star",
        "Opaque page, preflighted PUT with ACAO '*' on both: allowed.",
        req(DATA, "PUT", [TRACE], origin=NULL),
        [
            preflight(DATA, cors("*", methods="PUT", headers="x-trace")),
            answer("PUT", DATA, cors("*")),
        ],
    )
    c.add(
        "null-origin-redirect-cross-origin",
        "Opaque page, api -> other redirect: the origin was already null; the target allows "
        "'null'.",
        req(origin=NULL),
        [
            redirect("GET", DATA, OTHER_FINAL, 302, cors("null")),
            answer("GET", OTHER_FINAL, cors("null")),
        ],
    )


# --- 13. non-HTTP schemes and mixed content ----------------------------------------------


def family_schemes(c: Corpus) -> None:
    c.add(
        "scheme-ftp",
        "fetch() of an ftp: URL: not supported, a network error (TypeError).",
        req("ftp://api.example.test/x"),
        [],
    )
    c.add(
        "scheme-file",
        "fetch() of a file: URL from an https page: a network error.",
        req("file:///etc/hosts"),
        [],
    )
    c.add(
        "scheme-data",
        "fetch() of a data: URL in cors mode: allowed with a basic response (data: is treated "
        "as same-origin for fetch), no server involved; a reader may expect a CORS failure.",
        req("data:text/plain,hello"),
        [],
    )
    c.add(
        "scheme-data-no-cors",
        "fetch() of a data: URL in no-cors mode: still a readable basic response?",
        req("data:text/plain,hello", mode="no-cors"),
        [],
    )
    c.add("scheme-about-blank", "fetch() of about:blank: a network error.", req("about:blank"), [])
    c.add(
        "unrepro-mixed-content-get",
        "An https page fetching an http:// API: blocked as mixed content before CORS matters. "
        "On loopback every origin is trustworthy, so the recorder must mark it unreproducible.",
        req("http://api.example.test/data"),
        [answer("GET", "http://api.example.test/data", cors())],
    )
    c.add(
        "unrepro-mixed-content-preflight",
        "An https page sending a preflighted PUT to an http:// API: mixed content; "
        "unreproducible on loopback.",
        req("http://api.example.test/data", "PUT", [TRACE]),
        [
            preflight("http://api.example.test/data", pf_ok()),
            answer("PUT", "http://api.example.test/data", cors()),
        ],
    )


# --- credentials and repeated header lines -----------------------------------------------


def family_creds_multi(c: Corpus) -> None:
    c.add(
        "creds-include-same-origin-target",
        "include to the page's own origin: no CORS headers needed.",
        req(APP_DATA, credentials="include"),
        [answer("GET", APP_DATA)],
    )
    c.add(
        "creds-omit-same-origin-target",
        "omit to the page's own origin: no cookies, still no CORS check.",
        req(APP_DATA, credentials="omit"),
        [answer("GET", APP_DATA)],
    )
    c.add(
        "creds-include-acao-star-no-acac",
        "include with ACAO '*' and no ACAC: blocked on the wildcard (reported before ACAC?).",
        req(credentials="include"),
        [answer("GET", DATA, cors("*"))],
    )
    c.add(
        "creds-include-port-pages",
        "include from https://app.example.test:8443 to https://api.example.test:8443: exact "
        "ACAO with port and ACAC true.",
        req(f"{API_8443}/data", credentials="include", origin=APP_8443),
        [answer("GET", f"{API_8443}/data", cors(APP_8443, creds=True))],
    )
    c.add(
        "creds-include-http-page",
        "include from an http page: ACAO must be the http origin, ACAC true.",
        req(credentials="include", origin=APP_HTTP),
        [answer("GET", DATA, cors(APP_HTTP, creds=True))],
    )
    c.add(
        "multi-acao-name-case",
        "ACAO sent twice under different name cases ('Access-Control-Allow-Origin' and "
        "'access-control-allow-origin'): one header, combined into two values, blocked.",
        req(),
        [answer("GET", DATA, [(ACAO, APP), (ACAO.lower(), APP)])],
    )
    c.add(
        "multi-acao-lower-name",
        "A single lower-case 'access-control-allow-origin' line: names are case-insensitive.",
        req(),
        [answer("GET", DATA, [(ACAO.lower(), APP)])],
    )
    c.add(
        "multi-acac-true-and-empty",
        "include, ACAC 'true' and an empty ACAC line: the combined value is not 'true'.",
        req(credentials="include"),
        [answer("GET", DATA, [(ACAO, APP), (ACAC, "true"), (ACAC, "")])],
    )
    pf(
        c,
        "multi-acam-one-invalid-line",
        "ACAM 'PUT' and 'GET POST' lines: the combined list has an invalid element.",
        [*cors(headers="x-trace"), (ACAM, "PUT"), (ACAM, "GET POST")],
    )
    pf(
        c,
        "multi-acah-star-second-line",
        "ACAH 'x-other' then '*' on two lines (same-origin credentials): the combined list "
        "contains the wildcard.",
        [*cors(methods="PUT"), (ACAH, "x-other"), (ACAH, "*")],
    )
    c.add(
        "multi-aceh-with-empty-line",
        "ACEH 'X-Total' plus an empty ACEH line: X-Total still exposed?",
        req(),
        [answer("GET", DATA, [*cors(), (ACEH, "X-Total"), (ACEH, ""), *EXTRA_RESPONSE])],
    )


# fmt: off
FAMILY_BUILDERS = (
    family_simple, family_status, family_acao, family_acac, family_methods, family_safelist,
    family_forbidden, family_pf_status, family_pf_acao, family_acam, family_acah, family_pf_misc,
    family_redirect, family_taint, family_pf_redirect, family_expose, family_modes,
    family_null_origin, family_schemes, family_creds_multi, family_engine_probes,
)
# fmt: on


# --- checks and output -------------------------------------------------------------------

TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def family_of(name: str) -> str:
    for prefix in FAMILIES:
        if name.startswith(prefix + "-"):
            return prefix
    raise ValueError(f"{name}: no known family prefix")


def origin_of(url: str) -> str | None:
    """The origin of an http(s) URL with a host, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    port = "" if parts.port in (None, default) else f":{parts.port}"
    return f"{parts.scheme}://{parts.hostname}{port}"


def check(scenario: Json) -> None:
    """Raise ValueError when a scenario breaks the format or the recorder's constraints."""
    name, request = scenario["name"], scenario["request"]
    family_of(name)
    if not KEBAB.match(name):
        raise ValueError(f"{name}: not kebab-case")
    page = request["origin"]
    pairs = list(request["headers"])
    urls = [request["url"]]
    for item in scenario["server"]:
        if item["method"] != "*" and not TOKEN.match(item["method"]):
            raise ValueError(f"{name}: bad route method {item['method']!r}")
        pairs += item["headers"]
        urls.append(item["url"])
        urls += [urljoin(item["url"], v) for k, v in item["headers"] if k == "Location" and v]
    if not TOKEN.match(request["method"]):
        raise ValueError(f"{name}: bad method")
    for header, value in pairs:
        if not TOKEN.match(header) or re.search(r"[\r\n\x00]", value):
            raise ValueError(f"{name}: bad header {header!r}: {value!r}")
        value.encode("latin-1")
    mixed = name.startswith("unrepro-mixed-content-")
    for url in urls:
        origin = origin_of(url)
        if origin is None:
            continue
        if page.startswith("https:") and origin.startswith("http:") and not mixed:
            raise ValueError(f"{name}: mixed content {url}")
        if origin not in (*TARGETS, page, APP) and not mixed:
            raise ValueError(f"{name}: unplayable origin {origin}")


def build() -> dict[str, Json]:
    corpus = Corpus()
    for builder in FAMILY_BUILDERS:
        builder(corpus)
    for scenario in corpus.items.values():
        check(scenario)
    unrepro = [n for n in corpus.items if n.startswith("unrepro-mixed-content-")]
    if len(unrepro) != 2:
        raise ValueError(f"expected exactly 2 unrepro-mixed-content scenarios, got {unrepro}")
    return corpus.items


def write(scenarios: dict[str, Json], out_dir: Path) -> tuple[int, int]:
    """Write every scenario (only when changed) and delete stale files; (written, deleted)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, scenario in scenarios.items():
        path = out_dir / f"{name}.json"
        text = json.dumps(scenario, indent=2) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written += 1
    stale = [p for p in out_dir.glob("*.json") if p.stem not in scenarios]
    for path in stale:
        path.unlink()
    return written, len(stale)


def main() -> int:
    scenarios = build()
    written, deleted = write(scenarios, OUT_DIR)
    counts = Counter(family_of(name) for name in scenarios)
    for family, count in sorted(counts.items()):
        print(f"  {family:<24}{count:>4}")
    print(f"{len(scenarios)} scenarios in {OUT_DIR} ({written} written, {deleted} deleted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
