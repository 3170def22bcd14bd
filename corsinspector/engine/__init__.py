"""The engine: judges a scenario exactly as Chromium does. Pure: no I/O, no Qt.

- :mod:`~corsinspector.engine.kinds`: every failure kind, once (words, stages, Firefox's code);
- :mod:`~corsinspector.engine.vocabulary`: the token, the methods, ASCII case;
- :mod:`~corsinspector.engine.safelist`: does the request need a preflight, and why;
- :mod:`~corsinspector.engine.ranges`: the ``Range`` header as Chromium reads it;
- :mod:`~corsinspector.engine.blinkmap`: Blink's header map, the order headers go out in;
- :mod:`~corsinspector.engine.checks`: the CORS check and the preflight check, in order;
- :mod:`~corsinspector.engine.walk`: the sans-I/O walk from hop to hop;
- :mod:`~corsinspector.engine.judge`: the walk answered offline, making the verdict;
- :mod:`~corsinspector.engine.messages`: the console messages word for word;
- :mod:`~corsinspector.engine.firefox`: the same failure as Firefox reports it;
- :mod:`~corsinspector.engine.exposure`: the response headers script can read.
"""

# No re-exports: import from the modules (``corsinspector.engine.judge.judge``), so that
# importing the safelist alone (the window's first paint) does not load the whole engine.
