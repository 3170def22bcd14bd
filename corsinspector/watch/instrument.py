"""The page-side script that tells the watcher what CDP does not: the credentials mode and
mode of each ``fetch()`` and ``XMLHttpRequest``, reported through a ``Runtime.addBinding``
binding just before the request starts (installed with
``Page.addScriptToEvaluateOnNewDocument``)."""

from __future__ import annotations

__all__ = ["BINDING", "INSTRUMENT"]

#: The binding's name on the page (``Runtime.addBinding``); its calls arrive as
#: ``Runtime.bindingCalled`` with a JSON ``payload``: ``{url, method, credentials, mode}``.
BINDING = "__corsInspectorReport"

#: Wraps ``window.fetch`` and ``XMLHttpRequest.prototype.open``/``send``; never throws into
#: the page, and does nothing without the binding (or when already installed).
INSTRUMENT = (
    """(() => {
  const report = globalThis.BINDING;
  if (typeof report !== "function" || globalThis.__corsInspectorWrapped) return;
  Object.defineProperty(globalThis, "__corsInspectorWrapped", {value: true});
  const base = () => (typeof document !== "undefined" ? document.baseURI : location.href);
  const tell = (url, method, credentials, mode) => {
    try {
      report(JSON.stringify({url: new URL(String(url), base()).href,
        method: String(method), credentials: String(credentials), mode: String(mode)}));
    } catch (error) { /* a URL fetch() itself will refuse: nothing to report */ }
  };
  const originalFetch = globalThis.fetch;
  if (typeof originalFetch === "function") {
    globalThis.fetch = function fetch(input, init) {
      try {
        const request = typeof Request === "function" && input instanceof Request ? input : null;
        const options = init || {};
        tell(request ? request.url : input,
          options.method || (request ? request.method : "GET"),
          options.credentials || (request ? request.credentials : "same-origin"),
          options.mode || (request ? request.mode : "cors"));
      } catch (error) { /* never break the page */ }
      return originalFetch.apply(this, arguments);
    };
  }
  if (typeof XMLHttpRequest === "function") {
    const proto = XMLHttpRequest.prototype;
    const open = proto.open;
    const send = proto.send;
    const opened = new WeakMap();
    proto.open = function (method, url) {
      try { opened.set(this, {method, url}); } catch (error) { /* never break the page */ }
      return open.apply(this, arguments);
    };
    proto.send = function () {
      try {
        const info = opened.get(this);
        if (info) tell(info.url, info.method, this.withCredentials ? "include" : "same-origin",
          "cors");
      } catch (error) { /* never break the page */ }
      return send.apply(this, arguments);
    };
  }
})();
"""
).replace("BINDING", BINDING)
