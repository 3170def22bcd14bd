"""Ask the real browser: one fetch() in embedded Chromium (QtWebEngine), and the recorder
of the golden truths. The one part of the core that imports Qt, lazily."""
