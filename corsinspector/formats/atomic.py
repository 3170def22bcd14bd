"""Safe writes: a file is replaced whole or not at all (temporary file, fsync, rename)."""

from __future__ import annotations

import glob
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from corsinspector.errors import StorageError
from corsinspector.formats.json import dump_json

__all__ = ["write_json_atomic", "write_text_atomic"]


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, dump_json(data))


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # os.kill would end the process on Windows: assume its writer lives
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _sweep_stale(path: Path) -> None:
    """Remove the temporary files of earlier writes of ``path`` whose process is gone
    (killed before its rename); a live writer's file is left alone."""
    ours = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.[^.]+\.tmp")
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        match = ours.fullmatch(stale.name)
        if match is not None and not _pid_alive(int(match.group(1))):
            stale.unlink(missing_ok=True)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file beside it named with our pid,
    fsync, rename. A kill mid-write leaves the old file whole; the next write removes the
    dead writer's temporary file (an exception removes it at once). StorageError on failure."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep_stale(path)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageError(f"{path}: could not write: {exc.strerror or exc}") from None
