"""The real ``main.py`` in a subprocess, as a user runs it: the one helper every command test
uses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main_py(
    *args: str,
    timeout: float = 120,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python main.py ARGS…`` to the end (``env`` added to the environment); its exit
    status, stdout and stderr."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        env=None if env is None else {**os.environ, **env},
        check=False,
    )
