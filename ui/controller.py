"""InspectorController: owns the live inspector and its tasks; widgets only hear signals."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from corsinspector.inspector import InspectOptions, Inspector
from corsinspector.model import Request, Verdict
from corsinspector.tasks import TaskSet

__all__ = ["InspectorController"]


class InspectorController(QObject):
    #: An inspection began.
    inspection_started = Signal()
    #: The verdict of the latest inspection (a Verdict).
    verdict_ready = Signal(object)
    #: The inspection could not finish (a one-line reason).
    inspection_failed = Signal(str)
    #: True while an inspection runs.
    busy_changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.tasks = TaskSet(on_error=self._on_task_error)
        self._inspectors: dict[str, Inspector] = {}
        self.last_request: Request | None = None
        self.last_verdict: Verdict | None = None

    def _inspector(self, browser: str) -> Inspector:
        if browser not in self._inspectors:
            self._inspectors[browser] = Inspector(InspectOptions(browser=browser, timeout=15.0))
        return self._inspectors[browser]

    def send(self, request: Request, browser: str = "chromium") -> None:
        """Inspect ``request``; a newer Send cancels the one in flight."""
        self.tasks.start(
            self._inspect(request, browser), name="inspect", group="inspect", exclusive=True
        )

    def cancel(self) -> None:
        self.tasks.cancel("inspect")

    async def _inspect(self, request: Request, browser: str) -> None:
        self.busy_changed.emit(True)
        self.inspection_started.emit()
        try:
            verdict = await self._inspector(browser).inspect(request)
        except asyncio.CancelledError:
            self.inspection_failed.emit("Cancelled.")
            raise
        finally:
            self.busy_changed.emit(False)
        self.last_request = replace(request)
        self.last_verdict = verdict
        self.verdict_ready.emit(verdict)

    def _on_task_error(self, error: BaseException) -> None:
        self.inspection_failed.emit(f"Internal error: {type(error).__name__}: {error}")

    async def aclose(self) -> None:
        """Cancel what runs, wait for it, close the HTTP clients."""
        self.tasks.cancel_all()
        await self.tasks.wait()
        for inspector in self._inspectors.values():
            await inspector.aclose()
        self._inspectors.clear()
