"""The one-writer lock on a shared history: PostgreSQL advisory locks keyed by folder.

A pass *owns* the folders it works in: it holds an exclusive advisory lock on
each (the key is a stable 64-bit hash of the folder's normal path) and a shared
lock on every folder above them, up to ``/``. So two passes conflict exactly
when one's folder is the other's or lies inside it:

- ``/share/inbox`` and ``/share/inbox``: both want it exclusively;
- ``/share`` and ``/share/inbox``: the first holds ``/share`` exclusively, the
  second wants it shared;
- ``/share/a`` and ``/share/b``: both hold ``/share`` shared; they run at once.

A folder is locked under its path as given (made absolute) and under its real
path (symlinks resolved), so two spellings of one folder on one host are one
lock; hosts must mount a shared volume at the same path (their history's paths
are the same then too).

The locks are session locks on a connection the pass keeps open for its whole
length: a pass that dies (``kill -9``, a host that goes down) loses them with
its session, and the next pass can tell its unfinished run crashed. Taking them
is all or nothing and never waits on the server (try every key, release what was
taken if one is busy, try again ``--wait`` seconds long), so two passes never
deadlock.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fileorganizer.errors import LockHeldError, LockLostError
from fileorganizer.vtree import inside

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from fileorganizer.history.records import RunInfo
    from fileorganizer.history.store import History

#: what every key is a hash of, besides the path (so no other application's keys collide)
KEY_DOMAIN = b"fileorganizer folder\0"
#: a pass locks at most this many folders (more are merged into their parents)
MAX_FOLDERS = 32
POLL_SECONDS = 0.1
#: how long a claim of another host's run waits before recovery reads the disk (a few
#: times the executor's lock check interval)
CLAIM_GRACE_SECONDS = 3.0
#: TCP keepalive of the lock connection, on the server's side: a host that
#: vanishes without closing its connection loses its locks about this late
KEEPALIVE = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10, "tcp_keepalives_count": 3}

_TRY = (
    "SELECT CASE WHEN x THEN pg_try_advisory_lock(k) ELSE pg_try_advisory_lock_shared(k) END "
    "FROM unnest(CAST(:keys AS bigint[]), CAST(:modes AS boolean[])) AS t(k, x)"
)
_UNLOCK = (
    "SELECT CASE WHEN x THEN pg_advisory_unlock(k) ELSE pg_advisory_unlock_shared(k) END "
    "FROM unnest(CAST(:keys AS bigint[]), CAST(:modes AS boolean[])) AS t(k, x)"
)
_HOLDERS = (
    "SELECT l.classid::bigint, l.objid::bigint, l.mode, a.application_name "
    "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted "
    "AND l.pid <> pg_backend_pid() "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def folder_key(folder: str) -> int:
    """The advisory lock key of a normal folder path (a signed 64-bit integer)."""
    digest = hashlib.blake2b(KEY_DOMAIN + os.fsencode(folder), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def normal_folder(path: str | os.PathLike[str]) -> str:
    """``path`` absolute and normal (``~`` expanded; symlinks kept)."""
    return os.path.normpath(os.path.abspath(os.path.expanduser(os.fspath(path))))


def _depth(folder: str) -> int:
    return 0 if folder == os.sep else folder.count(os.sep)


def cover(folders: Iterable[str], limit: int = MAX_FOLDERS) -> list[str]:
    """The fewest folders whose subtrees hold all of ``folders`` (at most ``limit``).

    Past the limit the deepest folders are replaced by their parents until it fits.
    """
    current = {normal_folder(f) for f in folders}
    while True:
        kept: list[str] = []
        for f in sorted(current, key=lambda p: p.split(os.sep)):
            if not kept or not inside(f, kept[-1]):
                kept.append(f)
        if len(kept) <= limit:
            return kept
        deepest = max(_depth(f) for f in kept)
        current = {os.path.dirname(f) if _depth(f) == deepest else f for f in kept}


@dataclass(frozen=True)
class LockSet:
    """The keys a pass takes: exclusive ones for its folders, shared ones above them."""

    exclusive: dict[int, str]
    shared: dict[int, str]

    @classmethod
    def of(cls, folders: Iterable[str]) -> LockSet:
        """The keys that own ``folders`` (each as given and by its real path)."""
        spelled: set[str] = set()
        for f in folders:
            n = normal_folder(f)
            spelled.update((n, os.path.realpath(n)))
        owned = cover(spelled)
        exclusive = {folder_key(f): f for f in owned}
        shared: dict[int, str] = {}
        for f in owned:
            while (parent := os.path.dirname(f)) != f:
                if (k := folder_key(parent)) not in exclusive:
                    shared[k] = parent
                f = parent
        return cls(exclusive, shared)

    def pairs(self) -> list[tuple[int, bool]]:
        """(key, exclusive) for every key, in key order."""
        both = [(k, True) for k in self.exclusive] + [(k, False) for k in self.shared]
        return sorted(both)

    def folder(self, key: int) -> str | None:
        """The folder a key of this set stands for."""
        return self.exclusive.get(key) or self.shared.get(key)

    def record(self) -> str:
        """The keys as ``runs.locks`` records them: ``x:KEY`` exclusive, ``s:KEY`` shared."""
        return " ".join(f"{'x' if x else 's'}:{k}" for k, x in self.pairs())


def recorded_exclusive(text: str | None) -> list[int]:
    """The exclusive keys in a ``runs.locks`` value (what a crashed run's owner held)."""
    keys: list[int] = []
    for word in (text or "").split():
        mode, _, value = word.rpartition(":")
        if mode in ("x", "") and value.lstrip("-").isdigit():
            keys.append(int(value))
    return sorted(set(keys))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FolderLock:
    """A pass's advisory locks on its folders (a :class:`~fileorganizer.lock.WriterLock`).

    Use as a context manager. ``wait`` seconds of trying, then
    :class:`~fileorganizer.errors.LockHeldError` (exit code 75) naming the busy
    folder and who holds it.
    """

    #: other passes may work on other folders at the same time
    sole_writer = False

    def __init__(
        self,
        history: History,
        folders: Iterable[str],
        wait: float = 0.0,
        *,
        poll: float = POLL_SECONDS,
    ) -> None:
        self.history = history
        self.locks = LockSet.of(folders)
        self.wait = max(0.0, float(wait))
        self.poll = poll
        self._conn: Connection | None = None
        self._claimed: list[int] = []

    # -- the connection ----------------------------------------------------------
    def _connection(self) -> Connection:
        if self._conn is None:
            with self.history.errors():
                conn = self.history.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                for name, value in KEEPALIVE.items():
                    conn.exec_driver_sql(f"SET {name} = {int(value)}")
            self._conn = conn
        return self._conn

    def _select(self, sql: str, pairs: Sequence[tuple[int, bool]]) -> list[bool]:
        from sqlalchemy import text

        params: dict[str, Any] = {"keys": [k for k, _ in pairs], "modes": [x for _, x in pairs]}
        with self.history.errors():
            return [bool(v) for v in self._connection().execute(text(sql), params).scalars()]

    def _try(self, pairs: Sequence[tuple[int, bool]]) -> bool:
        """Take every key, or none."""
        if not pairs:
            return True
        got = self._select(_TRY, pairs)
        if all(got):
            return True
        taken = [p for p, ok in zip(pairs, got, strict=True) if ok]
        if taken:
            self._select(_UNLOCK, taken)
        return False

    # -- taking and releasing ------------------------------------------------------
    def acquire(self) -> FolderLock:
        """Take every key, trying for up to ``wait`` seconds; else raise LockHeldError."""
        deadline = time.monotonic() + self.wait
        pairs = self.locks.pairs()
        try:
            while not self._try(pairs):
                if time.monotonic() >= deadline:
                    folder, message = self._busy(self.locks)
                    raise LockHeldError(message, lock_path=folder)
                time.sleep(self.poll)
        except BaseException:
            self.release()
            raise
        return self

    def try_acquire(self) -> bool:
        """Take every key if all are free right now; return whether they were taken."""
        saved, self.wait = self.wait, 0.0
        try:
            self.acquire()
        except LockHeldError:
            return False
        finally:
            self.wait = saved
        return True

    def claim(self, run: RunInfo) -> bool:
        """Whether ``run`` (marked running) crashed: nobody holds its folders' locks.

        Its locks are then held (until :meth:`release_claims`), so no other
        pass starts on its folders while recovery settles it. A run that
        recorded no keys is judged by its process, on its own host only. A run
        of a process alive on this host is never taken, even if its locks are
        free (a process that lost its connection stops at its next batch).
        """
        from fileorganizer.paths import host_id

        local = run.host == host_id()
        alive = local and run.pid is not None and run.pid != os.getpid() and _pid_alive(run.pid)
        keys = recorded_exclusive(run.locks)
        if not keys:
            return local and not alive
        if alive:
            return False
        pairs = [(k, True) for k in keys]
        if not self._try(pairs):
            return False
        self._claimed.extend(keys)
        if not local:
            # A process on another host whose lock connection just ended may still be
            # applying an operation: it checks its locks between operations (every
            # LOCK_CHECK_SECONDS) and stops. Its folders are held meanwhile; recovery
            # reads the disk only once it has had the time to stop.
            time.sleep(CLAIM_GRACE_SECONDS)
        return True

    def covers(self, folder: str) -> bool:
        """Whether ``folder`` (both spellings) lies inside a folder this lock owns."""
        n = normal_folder(folder)
        owned = self.locks.exclusive.values()
        return all(any(inside(s, o) for o in owned) for s in {n, os.path.realpath(n)})

    def extend(self, folders: Iterable[str]) -> None:
        """Also own ``folders`` (all or none, without waiting), else raise LockHeldError."""
        more = LockSet.of(f for f in folders if not self.covers(f))
        held = self.locks
        pairs = [
            (k, x)
            for k, x in more.pairs()
            if k not in held.exclusive and (x or k not in held.shared)
        ]
        if not self._try(pairs):
            folder, message = self._busy(more)
            raise LockHeldError(message, lock_path=folder)
        exclusive = held.exclusive | more.exclusive
        shared = {k: f for k, f in (held.shared | more.shared).items() if k not in exclusive}
        self.locks = LockSet(exclusive, shared)

    def release_claims(self) -> None:
        """Let go of the keys :meth:`claim` took (the pass's own keys stay held)."""
        claimed, self._claimed = self._claimed, []
        if claimed and self._conn is not None:
            self._select(_UNLOCK, [(k, True) for k in claimed])

    @property
    def record(self) -> str | None:
        """The keys held, for ``runs.locks`` (claimed keys of crashed runs included)."""
        words = self.locks.record().split()
        words += [f"x:{k}" for k in sorted(set(self._claimed)) if k not in self.locks.exclusive]
        return " ".join(words) or None

    def check(self) -> None:
        """Raise :class:`LockLostError` if the lock connection (and so the locks) is gone."""
        if self._conn is None:
            return
        try:
            self._conn.exec_driver_sql("SELECT 1")
        except Exception as exc:  # any failure of the connection means the locks are gone
            from sqlalchemy.exc import SQLAlchemyError

            if not isinstance(exc, SQLAlchemyError):
                raise
            where = ", ".join(self.locks.exclusive.values()) or "its folders"
            raise LockLostError(
                f"lost the lock on {where}: the connection to the history database "
                f"{self.history.label} ended; stopped (the next run recovers what was left)",
                lock_path=where,
            ) from None

    def release(self) -> None:
        """Release every key and the connection."""
        conn, self._conn = self._conn, None
        self._claimed = []
        if conn is None:
            return
        try:
            conn.exec_driver_sql("SELECT pg_advisory_unlock_all()")
            conn.close()
        except Exception:  # a dead connection: its locks went with it
            conn.invalidate()

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    # -- who holds it --------------------------------------------------------------
    def _busy(self, locks: LockSet) -> tuple[str, str]:
        """The busy folder of ``locks`` and a one-line message naming who works there."""
        holders: dict[int, list[tuple[str, str | None]]] = {}
        try:
            with self.history.errors():
                rows = self._connection().exec_driver_sql(_HOLDERS).all()
        except Exception:
            rows = []
        for hi, lo, mode, app in rows:
            key = ((int(hi) << 32) | int(lo)) - (1 << 64 if int(hi) >= 1 << 31 else 0)
            holders.setdefault(key, []).append((str(mode), app))
        waited = f" after waiting {self.wait:g}s" if self.wait else ""
        for key, exclusive in locks.pairs():
            found = [(m, a) for m, a in holders.get(key, ()) if exclusive or "Exclusive" in m]
            if not found:
                continue
            folder = locks.folder(key) or "?"
            mode, app = found[0]
            who = _who(app)
            if exclusive and "Exclusive" not in mode:
                where = f"a folder inside {folder}"
            elif exclusive:
                where = folder
            else:
                below = ", ".join(f for f in locks.exclusive.values() if inside(f, folder))
                where = f"{folder} (which holds {below})"
            return folder, (
                f"another fileorganizer{who} is working in {where}{waited}; "
                "try again later or pass --wait SECONDS"
            )
        folders = ", ".join(locks.exclusive.values())
        return folders, (
            f"another fileorganizer is working in {folders}{waited}; "
            "try again later or pass --wait SECONDS"
        )


def _who(app: str | None) -> str:
    """`` (host H, pid P)`` from a connection's application name, if it is ours."""
    prefix = "fileorganizer "
    if not app or not app.startswith(prefix):
        return ""
    host, _, pid = app[len(prefix) :].rpartition(":")
    return f" (host {host}, pid {pid})" if host else ""
