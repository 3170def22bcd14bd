"""Guards the PySide6 pin: 6.12.0 on Python 3.11 leaks a reference to None per killTimer(),
and a qasync app aborts ("Fatal Python error: none_dealloc") after ~8,000 callbacks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.integration

CALLBACKS = 20_000

SCRIPT = textwrap.dedent(
    f"""
    import asyncio
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def main():
        done = 0
        for _ in range({CALLBACKS}):
            await asyncio.sleep(0)  # one loop callback, and one timer started and killed
            done += 1
        later = [loop.call_later(0.0, lambda: None) for _ in range(1000)]
        await asyncio.sleep(0.05)
        return done, len(later)

    with loop:
        print(*loop.run_until_complete(main()))
    """
)


def test_the_qasync_loop_survives_twenty_thousand_callbacks() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [str(CALLBACKS), "1000"]
    assert "none_dealloc" not in result.stderr
