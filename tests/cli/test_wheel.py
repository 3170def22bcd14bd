"""The wheel as a user installs it (``pipx install .``): built from a copy of the source,
installed into a fresh venv, ``cors-inspector`` run from elsewhere. The dependencies come
from the test's own environment through a .pth file (no PySide6 download)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.commandline import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

_SOURCES = ("corsinspector", "ui", "resources", "pyproject.toml", "README.md")


def _run(*argv: str | Path, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, check=False, **options
    )  # type: ignore[call-overload,no-any-return]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the venv's bin folder) with the wheel installed."""
    top = tmp_path_factory.mktemp("wheel")
    source = top / "source"
    for name in _SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", top / "dist", source)
    assert built.returncode == 0, built.stderr
    (wheel,) = (top / "dist").glob("cors_inspector-*.whl")
    venv = top / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", wheel]
    done = _run(*pip)
    assert done.returncode == 0, done.stderr
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    # the dependencies (httpx, PySide6 …) from here, after the wheel's own packages
    Path(site.stdout.strip(), "zz_test_deps.pth").write_text(sysconfig.get_path("purelib"))
    return wheel, venv / "bin"


def test_the_wheel_has_no_top_level_ui_and_ships_every_module_and_resource(
    installed: tuple[Path, Path],
) -> None:
    wheel, _bin = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"corsinspector", "corsinspector_ui"}
    expected = {
        f"corsinspector/{p.relative_to(ROOT / 'corsinspector').as_posix()}"
        for p in (ROOT / "corsinspector").rglob("*.py")
    }
    expected |= {f"corsinspector_ui/{p.name}" for p in (ROOT / "ui").glob("*.py")}
    expected |= {
        f"corsinspector/resources/{p.relative_to(ROOT / 'resources').as_posix()}"
        for p in (ROOT / "resources").rglob("*")
        if p.is_file()
    }
    assert sorted(expected - names) == []  # a package missing from [tool.setuptools]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "cors-inspector = corsinspector.cli:main" in text


def test_the_installed_command_runs_the_demo(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _wheel, bin_dir = installed
    result = _run(bin_dir / "cors-inspector", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].split() == ["scenario", "expected", "got", "culprit"]
    count = len(list((ROOT / "resources" / "gallery").glob("*.json")))
    assert f"{count} of {count} scenarios gave their expected verdict." in result.stdout
    where = _run(
        bin_dir / "python",
        "-c",
        "import corsinspector, importlib.util as u; print(corsinspector.__file__, "
        "u.find_spec('ui'))",
        cwd=tmp_path,
    )
    module, spec = where.stdout.split()
    assert Path(module).is_relative_to(bin_dir.parent), module  # the wheel's, not the source
    assert spec == "None"


def test_the_installed_command_opens_the_window_and_installs_its_entry(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _wheel, bin_dir = installed
    command = bin_dir / "cors-inspector"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path)}
    shot = _run(command, "--screenshot", tmp_path / "shot.png", cwd=tmp_path, env=env)
    assert shot.returncode == 0, shot.stdout + shot.stderr
    assert (tmp_path / "shot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    entry = _run(command, "--install-desktop-entry", cwd=tmp_path, env=env)
    assert entry.returncode == 0, entry.stderr
    desktop = (tmp_path / "applications" / "cors-inspector.desktop").read_text()
    exec_line = next(line for line in desktop.splitlines() if line.startswith("Exec="))
    assert shlex.split(exec_line.removeprefix("Exec=")) == [str(command)]
