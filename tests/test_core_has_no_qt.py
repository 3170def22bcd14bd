"""The core runs without Qt: every core module but realbrowser imports, and none pulls Qt in.

In a subprocess, because pytest-qt has already imported the Qt binding in this one.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap

import pytest

import corsinspector

pytestmark = pytest.mark.integration


def test_no_core_module_imports_qt() -> None:
    modules = [
        info.name
        for info in pkgutil.walk_packages(corsinspector.__path__, "corsinspector.")
        if not info.name.startswith("corsinspector.realbrowser")
    ]
    assert "corsinspector.formats.scenario" in modules
    script = textwrap.dedent(
        f"""
        import importlib, sys
        for name in {modules!r}:
            importlib.import_module(name)
        import corsinspector.realbrowser.browser  # importing it is lazy: no Qt until it is used
        qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "qasync"))
        print(qt)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
