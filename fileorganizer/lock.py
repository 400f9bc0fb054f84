"""The single-writer lock (invariant 8).

With the embedded SQLite history: one lock file in the data directory, never
deleted. ``run``, each ``watch`` batch and ``undo`` hold it; a second instance
waits up to ``wait`` seconds and then gets
:class:`~fileorganizer.errors.LockHeldError` (exit code 75). With a shared
history (PostgreSQL) the lock is advisory locks keyed by folder instead
(:mod:`fileorganizer.folder_lock`); both are a :class:`WriterLock`.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

import filelock

from fileorganizer.errors import LockHeldError
from fileorganizer.paths import StateDir, ensure_writable_dir, writing_in

if TYPE_CHECKING:
    from fileorganizer.history.records import RunInfo

_SUPPORTED = set(inspect.signature(filelock.FileLock.__init__).parameters)


class WriterLock(Protocol):
    """What a pass holds while it changes files (the file lock, or folder locks)."""

    #: whether holding it excludes every other writer of this history (the file
    #: lock): then every run still marked running has crashed
    sole_writer: bool

    @property
    def record(self) -> str | None:
        """The lock keys to record in the run's row (``runs.locks``), or None."""

    def acquire(self) -> WriterLock:
        """Take the lock (waiting as configured), else raise LockHeldError."""

    def try_acquire(self) -> bool:
        """Take the lock if it is free right now; return whether it was taken."""

    def claim(self, run: RunInfo) -> bool:
        """Whether ``run``, marked running, has crashed; if so, hold its locks until release."""

    def release_claims(self) -> None:
        """Let go of what :meth:`claim` took (the pass's own locks stay)."""

    def extend(self, folders: Iterable[str]) -> None:
        """Also cover ``folders`` (without waiting), else raise LockHeldError."""

    def check(self) -> None:
        """Raise :class:`~fileorganizer.errors.LockLostError` if the lock was lost."""

    def release(self) -> None:
        """Release everything."""


class RunLock:
    """An exclusive lock on a data directory's lock file (``flock``-based).

    Use as a context manager. Not re-entrant across instances: a second
    :class:`RunLock` on the same file, even in this process, waits.
    """

    #: the one lock of the data folder: no other pass works while it is held
    sole_writer = True
    #: nothing to record: the lock file is the data folder's
    record: str | None = None

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

    def claim(self, run: RunInfo) -> bool:
        """Every run still marked running while this lock is held has crashed."""
        return True

    def release_claims(self) -> None:
        """Nothing to release: :meth:`claim` takes nothing."""

    def extend(self, folders: Iterable[str]) -> None:
        """The data folder's lock already covers every folder."""

    def check(self) -> None:
        """A file lock is held until released (``flock`` is not lost)."""

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
