"""InspectorController: owns the live inspector and its tasks; widgets only hear signals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from corsinspector.app.tasks import TaskSet
from corsinspector.errors import CorsInspectorError

if TYPE_CHECKING:
    from corsinspector import Collection, Inspector, Request, Verdict
    from corsinspector.app.ask import RealBrowserAsk

__all__ = ["ASK_TIME_LIMIT", "InspectorController"]

#: Seconds a real browser has for the request itself.
ASK_TIME_LIMIT = 20.0


class InspectorController(QObject):
    #: An inspection began.
    inspection_started = Signal()
    #: The verdict of the latest inspection (a Verdict).
    verdict_ready = Signal(object)
    #: The inspection could not finish (a one-line reason).
    inspection_failed = Signal(str)
    #: True while an inspection runs.
    busy_changed = Signal(bool)
    #: What a real browser did with the same request (an app.ask.Answer, a Comparison).
    real_browser_ready = Signal(object)
    #: True while a real browser runs a request.
    real_browser_busy = Signal(bool)
    #: Asking the real browser failed or was cancelled (one line).
    real_browser_failed = Signal(str)
    #: One replayed item's result (an ItemResult).
    replay_result = Signal(object)
    #: True while a collection replays.
    replay_running = Signal(bool)
    #: The replay ended (a one-line summary: done, cancelled, or the bad input).
    replay_finished = Signal(str)

    def __init__(self, *, quiet_browser: bool = True) -> None:
        """``quiet_browser``: embedded Chromium's native diagnostics go to a log file."""
        super().__init__()
        self.quiet_browser = quiet_browser
        self.tasks = TaskSet(on_error=self._on_task_error)
        self._inspectors: dict[str, Inspector] = {}
        self.last_request: Request | None = None
        self.last_verdict: Verdict | None = None
        self._browser: RealBrowserAsk | None = None

    def _inspector(self, browser: str) -> Inspector:
        # httpx and the transport load on the first Send, not before the first paint.
        from corsinspector import InspectOptions, Inspector

        if browser not in self._inspectors:
            self._inspectors[browser] = Inspector(InspectOptions(browser=browser, timeout=15.0))
        return self._inspectors[browser]

    def send(self, request: Request, browser: str = "chrome") -> None:
        """Inspect ``request`` as ``browser`` (an engine profile) would; a newer Send cancels
        the one in flight."""
        self.tasks.start(
            self._inspect(request, browser), name="inspect", group="inspect", exclusive=True
        )

    def cancel(self) -> None:
        self.tasks.cancel("inspect")

    async def _inspect(self, request: Request, browser: str) -> None:
        self.busy_changed.emit(True)
        self.inspection_started.emit()
        import asyncio

        try:
            verdict = await self._inspector(browser).inspect(request)
        except asyncio.CancelledError:
            self.inspection_failed.emit("Cancelled.")
            raise
        finally:
            self.busy_changed.emit(False)
        self.last_request = request
        self.last_verdict = verdict
        self.verdict_ready.emit(verdict)

    def ask_real_browser(self, request: Request, browser: str = "embedded") -> None:
        """Run ``request`` in real ``browser`` too (embedded Chromium, or an installed one:
        app/ask.py); ``real_browser_ready`` carries the answer, ``real_browser_failed`` why
        there is none."""
        self.tasks.start(
            self._ask(request, browser), name="real-browser", group="real-browser", exclusive=True
        )

    def cancel_ask(self) -> None:
        self.tasks.cancel("real-browser")

    async def _ask(self, request: Request, browser: str) -> None:
        import asyncio

        from corsinspector.app.ask import RealBrowserAsk, browser_label

        self.real_browser_busy.emit(True)
        try:
            if self._browser is None:
                self._browser = RealBrowserAsk(quiet=self.quiet_browser)
            # the page's own limit, and room to start (and stop) the browser
            answer = await asyncio.wait_for(
                self._browser.ask(request, ASK_TIME_LIMIT, browser), ASK_TIME_LIMIT + 40
            )
        except asyncio.CancelledError:
            self.real_browser_failed.emit("Cancelled: the real browser was not asked.")
            raise
        except TimeoutError:
            self.real_browser_failed.emit(f"{browser_label(browser)} did not answer in time.")
            return
        except (CorsInspectorError, OSError, ImportError) as exc:
            self.real_browser_failed.emit(f"{browser_label(browser)} could not be asked: {exc}")
            return
        finally:
            self.real_browser_busy.emit(False)
        self.real_browser_ready.emit(answer)

    def replay(
        self, collection: Collection, variables: dict[str, str], concurrency: int = 8
    ) -> None:
        """Replay ``collection``; ``replay_result`` carries each item as it ends."""
        self.tasks.start(
            self._replay(collection, variables, concurrency),
            name="replay",
            group="replay",
            exclusive=True,
        )

    def cancel_replay(self) -> None:
        self.tasks.cancel("replay")

    async def _replay(
        self, collection: Collection, variables: dict[str, str], concurrency: int
    ) -> None:
        import asyncio

        from corsinspector import CorsInspectorError, InspectOptions, run_collection

        self.replay_running.emit(True)
        message = "Done."
        try:
            await run_collection(
                collection,
                variables,
                concurrency=concurrency,
                options=InspectOptions(timeout=15.0),
                on_result=self.replay_result.emit,
            )
        except asyncio.CancelledError:
            message = "Cancelled."
            raise
        except CorsInspectorError as exc:
            message = str(exc)
        finally:
            self.replay_running.emit(False)
            self.replay_finished.emit(message)

    def _on_task_error(self, error: BaseException) -> None:
        self.inspection_failed.emit(f"Internal error: {type(error).__name__}: {error}")

    async def aclose(self) -> None:
        """Cancel what runs, wait for it, close the HTTP clients."""
        self.tasks.cancel_all()
        await self.tasks.wait()
        for inspector in self._inspectors.values():
            await inspector.aclose()
        self._inspectors.clear()
