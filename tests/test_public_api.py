"""The public face (``corsinspector/__init__.py``): every name resolves, and importing the
package loads no engine module until a name is used (the window's start-up stays cheap)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import corsinspector


@pytest.mark.parametrize("name", corsinspector.__all__)
def test_each_public_name_resolves_to_its_home_definition(name: str) -> None:
    value = getattr(corsinspector, name)
    home = corsinspector._HOMES.get(name, "corsinspector.errors")
    assert value is getattr(importlib.import_module(home), name)


def test_all_lists_exactly_the_errors_and_the_lazy_names() -> None:
    errors = {"CorsInspectorError", "InputError", "StorageError"}
    assert corsinspector.__all__ == sorted(errors | set(corsinspector._HOMES))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = corsinspector.no_such_name


def test_importing_the_package_loads_no_engine_until_a_name_is_used() -> None:
    script = (
        "import sys, corsinspector\n"
        "print(sorted(m for m in sys.modules if m.startswith('corsinspector')))\n"
        "corsinspector.judge\n"
        "print('corsinspector.engine.walk' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["['corsinspector', 'corsinspector.errors']", "True"]
