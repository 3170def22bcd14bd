"""The page that runs one fetch() in the real browser and prints its outcome on the console
(no Qt: the HTML and script only)."""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["MARKER", "NULL_ORIGIN_HOST_PAGE", "page_html"]

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
