"""The demo gallery in one place (corsinspector.app.gallery): light to import, and its
names, scenarios and expected labels agree."""

from __future__ import annotations

import subprocess
import sys

from corsinspector.app.gallery import GALLERY, expected_of, gallery_names, load_gallery


def test_importing_the_gallery_loads_no_engine_and_no_dataclasses() -> None:
    # the window lists gallery_names() before its first paint
    script = (
        "import sys, corsinspector.app.gallery as g\n"
        "g.gallery_names()\n"
        "print(sorted(m for m in sys.modules if m.startswith('corsinspector')))\n"
        "print('dataclasses' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [
        "['corsinspector', 'corsinspector.app', 'corsinspector.app.gallery', "
        "'corsinspector.errors']",
        "False",
    ]


def test_the_names_are_the_loaded_scenarios_each_with_an_expected_label() -> None:
    gallery = load_gallery()
    assert [scenario.name for scenario, _ in gallery] == gallery_names()
    for path in sorted(GALLERY.glob("*.json")):
        label = expected_of(path)
        assert label == "allowed" or (label or "").startswith("blocked: "), path.name
