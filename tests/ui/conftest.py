"""UI test fixtures: a qasync loop per test (qasync's own test habit) that fails on any error
its exception handler saw and on any task left behind."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt, SignalInstance
from PySide6.QtWidgets import QApplication

from ui.asyncbridge import new_loop


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    """pytest-qt builds its QApplication with these; QtWebEngine (Ask the real browser)
    needs shared OpenGL contexts set before that."""
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    return ["corsinspector-tests"]


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own settings file and data directory (the history database's
    default place): nothing leaks between tests or into the user's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    QCoreApplication.setOrganizationName("CORS Inspector tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    qapp.setQuitOnLastWindowClosed(False)  # as ui.app does: closing is a coroutine here
    loop = new_loop(qapp)
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield loop
    leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in leftover:
        task.cancel()
    loop.close()
    asyncio.set_event_loop(None)
    assert errors == []
    assert leftover == [], "a task outlived its test"


async def next_emission(signal: SignalInstance, seconds: float = 20.0) -> tuple[Any, ...]:
    """The arguments of the next emission of ``signal`` (no nested Qt loop)."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def receive(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(receive)
    try:
        return await asyncio.wait_for(future, seconds)
    finally:
        signal.disconnect(receive)
