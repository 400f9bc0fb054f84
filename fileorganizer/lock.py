"""The single-writer lock (invariant 8).

One lock file in the data directory, never deleted. ``run``, each ``watch``
batch and ``undo`` hold it; a second instance waits up to ``wait`` seconds and
then gets :class:`~fileorganizer.errors.LockHeldError` (exit code 75).
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from types import TracebackType
from typing import Any

import filelock

from fileorganizer.errors import LockHeldError
from fileorganizer.paths import StateDir, ensure_writable_dir, writing_in

_SUPPORTED = set(inspect.signature(filelock.FileLock.__init__).parameters)


class RunLock:
    """An exclusive lock on a data directory's lock file (``flock``-based).

    Use as a context manager. Not re-entrant across instances: a second
    :class:`RunLock` on the same file, even in this process, waits.
    """

    def __init__(self, lock_path: str | os.PathLike[str], wait: float = 0.0) -> None:
        self.path = Path(lock_path)
        self.wait = max(0.0, float(wait))
        kwargs: dict[str, Any] = {"timeout": self.wait}
        for key, value in (
            ("thread_local", False),
            ("is_singleton", False),
            ("preserve_lock_file", True),
            ("fallback_to_soft", False),
        ):
            if key in _SUPPORTED:
                kwargs[key] = value
        self._lock = filelock.FileLock(os.fspath(self.path), **kwargs)

    @property
    def held(self) -> bool:
        """Whether this instance holds the lock."""
        return bool(self._lock.is_locked)

    def acquire(self) -> RunLock:
        """Take the lock, waiting up to ``wait`` seconds; else raise LockHeldError."""
        ensure_writable_dir(self.path.parent, StateDir.DATA)
        try:
            with writing_in(self.path, StateDir.DATA):
                self._lock.acquire(timeout=self.wait, poll_interval=0.05)
        except filelock.Timeout:
            waited = f" after waiting {self.wait:g}s" if self.wait else ""
            raise LockHeldError(
                f"another fileorganizer is working with this data folder{waited} "
                f"(lock: {self.path}); try again later or pass --wait SECONDS",
                lock_path=self.path,
            ) from None
        return self

    def try_acquire(self) -> bool:
        """Take the lock if it is free right now; return whether it was taken."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire(timeout=0)
        except (filelock.Timeout, OSError):
            return False
        return True

    def release(self) -> None:
        """Release the lock (the file stays)."""
        if self._lock.is_locked:
            self._lock.release(force=True)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def acquire_lock(lock_path: str | os.PathLike[str], wait: float = 0.0) -> RunLock:
    """Take the lock at ``lock_path`` (see :class:`RunLock`)."""
    return RunLock(lock_path, wait).acquire()
