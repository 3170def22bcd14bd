"""TaskSet: the one owner of background asyncio tasks (the only caller of create_task).

Every task has a name and a group; the set keeps a strong reference while it runs;
``exclusive=True`` cancels the group's older tasks first ("latest request wins");
``cancel_all`` and ``wait`` end them; a task that fails reports to ``on_error``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # asyncio loads when the first task starts: the window paints before it
    import asyncio

__all__ = ["TaskSet"]


class TaskSet:
    def __init__(self, on_error: Callable[[BaseException], None] | None = None) -> None:
        self._tasks: dict[asyncio.Task[Any], str] = {}
        self._on_error = on_error

    def start(
        self, coro: Coroutine[Any, Any, Any], *, name: str, group: str = "", exclusive: bool = False
    ) -> asyncio.Task[Any]:
        import asyncio

        if exclusive:
            self.cancel(group)
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks[task] = group
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.pop(task, None)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None and self._on_error is not None:
            self._on_error(error)

    def cancel(self, group: str) -> None:
        for task, task_group in list(self._tasks.items()):
            if task_group == group:
                task.cancel()

    def _others(self) -> list[asyncio.Task[Any]]:
        """The tasks of this set, except the one asking (a shutdown task waits for the rest)."""
        import asyncio

        current = asyncio.current_task() if _has_running_loop() else None
        return [task for task in self._tasks if task is not current]

    def cancel_all(self) -> None:
        for task in self._others():
            task.cancel()

    async def wait(self) -> None:
        """Wait until every other task has ended (cancel first to end them soon)."""
        import asyncio

        while others := self._others():
            await asyncio.gather(*others, return_exceptions=True)

    def running(self, group: str | None = None) -> int:
        return sum(1 for g in self._tasks.values() if group is None or g == group)


def _has_running_loop() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
