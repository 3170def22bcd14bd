"""The one door to qasync (an untyped library), behind typed functions."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import qasync
from PySide6.QtWidgets import QApplication

__all__ = ["new_loop", "run_on_qt"]

T = TypeVar("T")


def new_loop(app: QApplication) -> asyncio.AbstractEventLoop:
    """An asyncio loop driven by Qt's event loop, set as the current loop."""
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop


def run_on_qt(app: QApplication, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a qasync loop over ``app``; close the loop after."""
    loop = new_loop(app)
    with loop:  # type: ignore[attr-defined]
        return loop.run_until_complete(coro)
