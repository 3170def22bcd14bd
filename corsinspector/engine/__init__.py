"""The engine: judges a scenario exactly as Chromium does. Pure: no I/O, no Qt.

- :mod:`~corsinspector.engine.safelist`: does the request need a preflight, and why;
- :mod:`~corsinspector.engine.checks`: the CORS check and the preflight check, in order;
- :mod:`~corsinspector.engine.judge`: the walk from hop to hop that makes the verdict;
- :mod:`~corsinspector.engine.messages`: the console messages word for word;
- :mod:`~corsinspector.engine.exposure`: the response headers script can read;
- :mod:`~corsinspector.fixes.generic`: the response headers that would make it pass.
"""

# No re-exports: import from the modules (``corsinspector.engine.judge.judge``), so that
# importing the safelist alone (the window's first paint) does not load the whole engine.
