"""The page that runs one fetch() in the real browser and prints its outcome on the console
(no Qt: the HTML and script only)."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from corsinspector.model import BrowserResult, Request

__all__ = ["MARKER", "NULL_ORIGIN_HOST_PAGE", "fetch_spec", "page_html", "page_result"]

MARKER = "__corsinspector_result__"
#: The page that plays an opaque origin is itself served from here (its iframe is sandboxed).
NULL_ORIGIN_HOST_PAGE = "https://opaque-host.example.test"

_SCRIPT = """
async function corsInspectorRun(spec) {
  const init = {method: spec.method, headers: spec.headers, credentials: spec.credentials,
                mode: spec.mode};
  if (spec.body !== null) init.body = spec.body;
  let result;
  try {
    const response = await fetch(spec.url, init);
    const names = [];
    for (const [name] of response.headers) names.push(name);
    let body = null;
    try { body = (await response.text()).slice(0, 1000); } catch (e) { body = null; }
    result = {outcome: 'resolved', status: response.status, type: response.type,
              url: response.url, redirected: response.redirected, headers: names, body: body};
  } catch (e) {
    result = {outcome: 'rejected', error: String(e)};
  }
  console.log('%(marker)s' + JSON.stringify(result));
}
"""


def fetch_spec(request: Request, url: str | None = None) -> dict[str, Any]:
    """The fetch() the page runs for ``request`` (``url``: the URL fetched, if not the
    request's own: the embedded recorder fetches a loopback stand-in)."""
    return {
        "url": request.url if url is None else url,
        "method": request.method,
        "headers": [list(pair) for pair in request.headers],
        "credentials": request.credentials,
        "mode": request.mode,
        "body": request.body,
    }


def page_result(
    out: Mapping[str, Any] | None, *, browser: str, version: str, **seen: Any
) -> BrowserResult:
    """What the page printed after :data:`MARKER` (None: nothing in time) as a result, with
    what the browser was seen to do besides (``seen``: console, cors_errors, devtools …)."""
    out = out or {"outcome": "timeout"}
    return BrowserResult(
        outcome=str(out["outcome"]),
        browser=browser,
        version=version,
        error=out.get("error"),
        status=out.get("status"),
        response_type=out.get("type"),
        response_url=out.get("url"),
        redirected=bool(out.get("redirected", False)),
        readable_headers=tuple(out.get("headers", ())),
        body=out.get("body"),
        **seen,
    )


def page_html(spec: dict[str, Any], title: str, opaque: bool) -> str:
    script = _SCRIPT % {"marker": MARKER}
    spec_json = json.dumps(spec).replace("</", "<\\/")
    if not opaque:
        return (
            f"<!doctype html><html><head><title>{title}</title><script>{script}\n"
            f"window.corsInspectorStart = () => corsInspectorRun({spec_json});"
            "</script></head><body></body></html>"
        )
    inner = (
        f"<!doctype html><script>{script}\n"
        "window.addEventListener('message', (e) => corsInspectorRun(e.data));</script>"
    )
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f'<iframe id="opaque" sandbox="allow-scripts" srcdoc="{html.escape(inner)}"></iframe>'
        "<script>window.corsInspectorStart = () => document.getElementById('opaque')"
        f".contentWindow.postMessage({spec_json}, '*');</script></body></html>"
    )
