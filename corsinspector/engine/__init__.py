"""The engine: judges a scenario exactly as Chromium does. Pure: no I/O, no Qt."""
